/* test_schema.c -- the pipeline's stages after interpolation: version pick, the schema
 * tables and their checks, Go formats, image references, deploy-time refusals.
 * Expected verdicts were checked with `docker stack config` / `docker stack deploy`
 * (CLI 28.2.2, fake engine). */
#include "config.h"
#include "testutil.h"
#include "pipeline.h"
#include "schema.h"

#include <stdio.h>
#include <stdlib.h>

static const char *const envp[] = {"N=3", "PORT=8080", "EMPTY=", "TAG=1.27", NULL};

/* Run the pipeline on text; returns "ID@line:col ID@line:col ..." sorted by position. */
static char *run(const char *text, int *rejected, int *minor)
{
	struct loaded *l = load_text(text, strlen(text));
	assert_int_equal(l->status, C2S_LOAD_OK);
	struct c2s_env *env = c2s_env_new(envp);
	struct c2s_pipeline_options o = {0};
	o.env = env;
	o.workdir = ".";
	struct c2s_pipeline_result r;
	assert_int_equal(c2s_pipeline_file(&l->doc, &o, &l->diags, &r), 0);
	c2s_diags_resolve(&l->diags);
	char *out = calloc(1, 4096);
	for (size_t i = 0; i < l->diags.n; i++) {
		size_t len = strlen(out);
		snprintf(out + len, 4096 - len, "%s%s@%u:%u", i ? " " : "", c2s_diag_rule(&l->diags.items[i])->id,
			 (unsigned)c2s_diags_span(&l->diags, i).line, (unsigned)c2s_diags_span(&l->diags, i).column);
	}
	if (rejected)
		*rejected = r.rejected;
	if (minor)
		*minor = r.version_minor;
	c2s_env_free(env);
	loaded_free(l);
	return out;
}

static void expect(const char *text, const char *want)
{
	int rejected;
	char *got = run(text, &rejected, NULL);
	if (strcmp(got, want) != 0)
		fail_msg("for:\n%s\ngot  '%s'\nwant '%s'", text, got, want);
	/* an error-severity finding and docker's refusal go together */
	assert_int_equal(rejected, strstr(got, "CS") != NULL && !strstr(got, "CS3004"));
	free(got);
}

#define SVC "services:\n  web:\n    image: nginx:1.27\n"

static void test_versions(void **state)
{
	(void)state;
	static const struct {
		const char *yaml;
		int minor;
		const char *diags;
	} cases[] = {
		{"services: {}\n", 13, ""},
		{"version: \"\"\nservices: {}\n", 13, ""},
		{"version: \"3\"\nservices: {}\n", 13, ""},
		{"version: \"3.0\"\nservices: {}\n", 0, ""},
		{"version: \"3.7\"\nservices: {}\n", 7, ""},
		{"version: \"3.13\"\nservices: {}\n", 13, ""},
		{"version: \"3.14\"\nservices: {}\n", -1, "CS2001@1:10"},
		{"version: \"2.4\"\nservices: {}\n", -1, "CS2001@1:10"},
		{"version: \"3.8.1\"\nservices: {}\n", -1, "CS2001@1:10"},
		{"version: \"3.09\"\nservices: {}\n", -1, "CS2001@1:10"},
		{"version: 1\nservices: {}\n", -1, "CS2001@1:10"},
		{"version: true\nservices: {}\n", -1, "CS2001@1:10"},
		{"version: ~\nservices: {}\n", -1, "CS2001@1:10"},
		/* a YAML number that formats as a known version picks it; the schema then refuses it */
		{"version: 3.1\nservices: {}\n", 1, "CS2004@1:10"},
		{"version: 3.10\nservices: {}\n", 1, "CS2004@1:10"},
		{"version: 3\nservices: {}\n", 13, "CS2004@1:10"},
		{"version: 3.0\nservices: {}\n", 13, "CS2004@1:10"},
	};
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		int minor;
		char *got = run(cases[i].yaml, NULL, &minor);
		if (minor != cases[i].minor || strcmp(got, cases[i].diags) != 0)
			fail_msg("%s: minor %d '%s', want %d '%s'", cases[i].yaml, minor, got, cases[i].minor,
				 cases[i].diags);
		free(got);
	}
	int minor;
	char *got = run("version: \"3.4\"\nservices: {}\n", NULL, &minor);
	free(got);
	assert_int_equal(minor, 4);
}

static void test_tables(void **state)
{
	(void)state;
	for (int m = 0; m <= 13; m++) {
		const struct c2s_snode *root = &c2s_snodes[c2s_schema_roots[m]];
		assert_true(root->types & ST_OBJ);
		assert_true(root->flags & SN_CLOSED);
		int services = c2s_schema_key(root, "services", 8);
		assert_true(services > 0);
		int svc = c2s_schema_key(&c2s_snodes[services], "web", 3);
		assert_true(svc > 0);
		/* keys are sorted by (length, name) for the binary search */
		const struct c2s_snode *s = &c2s_snodes[svc];
		for (unsigned i = 1; i < s->nprops; i++) {
			const struct c2s_sprop *a = &c2s_sprops[s->props + i - 1], *b = &c2s_sprops[s->props + i];
			assert_true(a->len < b->len || (a->len == b->len && strcmp(a->name, b->name) < 0));
		}
		assert_true(c2s_schema_key(s, "image", 5) > 0);
		assert_int_equal(c2s_schema_key(s, "platform", 8), -1);
		/* x- keys in a service from 3.7, at the top from 3.4 */
		assert_int_equal(c2s_schema_key(s, "x-a", 3) >= 0, m >= 7);
		assert_int_equal(c2s_schema_key(root, "x-a", 3) >= 0, m >= 4);
		assert_int_equal(c2s_schema_key(s, "secrets", 7) >= 0, m >= 1);
		assert_int_equal(c2s_schema_key(s, "init", 4) >= 0, m >= 7);
		assert_int_equal(c2s_schema_key(s, "oom_score_adj", 13) >= 0, m >= 13);
	}
	/* the top-level networks map is open: any name passes */
	const struct c2s_snode *root = &c2s_snodes[c2s_schema_roots[13]];
	int nets = c2s_schema_key(root, "networks", 8);
	assert_int_equal(c2s_schema_key(&c2s_snodes[nets], "a b", 3), -2);
}

static void test_keys(void **state)
{
	(void)state;
	/* key-needs-version, unknown keys, x- keys */
	expect("version: \"3.2\"\n" SVC "    healthcheck:\n      test: [CMD, \"true\"]\n      start_period: 30s\n",
	       "CS2003@7:7");
	expect("version: \"3.4\"\n" SVC "    healthcheck:\n      test: [CMD, \"true\"]\n      start_period: 30s\n", "");
	expect("version: \"3.6\"\n" SVC "    x-note: hi\n", "CS2003@5:5");
	expect("version: \"3.3\"\nx-common: 1\n" SVC, "CS2003@2:1");
	/* a form of a later version: long-syntax ports need 3.2 */
	expect("version: \"3.1\"\n" SVC "    ports:\n      - target: 80\n", "CS2004@6:9");
	expect("version: \"3.2\"\n" SVC "    ports:\n      - target: 80\n", "");
	expect(SVC "    x-note: hi\n    enviroment: {}\n", "CS2002@5:5");
	expect(SVC "    platform: linux/amd64\n", "CS2902@4:5");
	expect("name: app\n" SVC, "CS2901@1:1");
	expect(SVC "    deploy:\n      foo: 1\n", "CS2002@5:7");
	expect("services:\n  \"web 1\":\n    image: x\n", "CS2002@2:3");
	/* open objects */
	expect(SVC "networks:\n  \"a b\": {}\n", "");
	expect(SVC "    ulimits:\n      NOFILE: 1\n    logging:\n      options: {anything: goes}\n", "");
	/* forbidden keys: reported once, by CS4001 */
	expect(SVC "    mem_limit: 1g\n    extends: {service: x}\n", "CS4001@4:5 CS4001@5:5");
}

static void test_types(void **state)
{
	(void)state;
	expect(SVC "    deploy:\n      replicas: \"3\"\n", "CS2004@5:17");
	expect(SVC "    deploy:\n      replicas: 1.5\n", "CS2004@5:17");
	expect(SVC "    deploy:\n      replicas: 2\n", "");
	expect(SVC "    tty: yes\n", "CS2004@4:10");
	expect(SVC "    tty: true\n", "");
	expect(SVC "    depends_on:\n      db: {condition: service_started}\n", "CS2004@4:5");
	expect(SVC "    environment: A=1\n", "CS2004@4:18");
	expect(SVC "    environment:\n      A: 1\n      B: ~\n      C: {x: 1}\n", "CS2004@7:7");
	expect(SVC "    command: 1\n", "CS2004@4:14");
	expect("services:\n  web:\n", "CS2004@2:3");
	expect(SVC "    healthcheck:\n      retries: \"3\"\n", "CS2004@5:16");
	expect(SVC "    labels:\n      1: x\n", "CS2004@5:7");
	/* a plain date is a time.Time for docker's loader: fine in a map of strings, refused in a string field */
	expect(SVC "    working_dir: 2001-01-01\n", "CS2009@4:18");
	expect(SVC "    working_dir: \"2001-01-01\"\n    environment: {D: 2001-01-01}\n", "");
	/* uniqueness and required keys */
	expect(SVC "    environment: [A=1, A=1]\n", "CS2006@4:24");
	expect(SVC "    ports: [80, \"80\"]\n", "");
	expect(SVC "    ports: [\"80\", \"80\"]\n", "CS2006@4:19");
	expect(SVC "    volumes:\n      - target: /x\n", "CS2006@5:9");
	expect(SVC "    ulimits:\n      nofile: {soft: 1}\n", "CS2006@5:7");
	/* names outside ^[a-z]+$ skip the schema but not docker's loader */
	expect(SVC "    ulimits:\n      NOFILE: x\n      Core: ~\n      MEM_LOCK: 1\n", "CS2009@5:15");
	expect(SVC "    ulimits:\n      NOFILE: {soft: 1}\n", "CS2009@5:7");
	/* a float with no fraction passes the schema's integer, not transformUlimits
	 * (docker: "invalid type float64 for ulimits", or a panic in the map form) */
	expect(SVC "    ulimits:\n      nofile: 1.0\n", "CS2009@5:15");
	expect(SVC "    ulimits:\n      nofile: 1e3\n", "CS2009@5:15");
	expect(SVC "    ulimits:\n      nofile: {soft: 1.0, hard: 2}\n", "CS2009@5:22");
	expect(SVC "    ulimits:\n      nofile: {soft: 1, hard: 2e0}\n", "CS2009@5:31");
	expect(SVC "    ulimits:\n      nofile: 1.5\n", "CS2004@5:15");
	expect(SVC "    shm_size: 64\n", "CS2009@4:15");
	expect(SVC "    shm_size: 64m\n", "");
	expect(SVC "    deploy:\n      update_config:\n        order: start-last\n", "CS2006@6:16");
	expect(SVC "    volumes:\n      - type: tmpfs\n        target: /x\n        tmpfs: {size: -1}\n", "CS2006@7:23");
}

static void test_interpolated_types(void **state)
{
	(void)state;
	/* a variable at a cast path becomes a number; the same text literally is a string */
	expect(SVC "    deploy:\n      replicas: ${N}\n", "");
	expect(SVC "    deploy:\n      replicas: \"${N}\"\n", "");
	expect(SVC "    ports:\n      - target: 80\n        published: ${PORT}\n", "");
	expect(SVC "    ports:\n      - \"${PORT}:80\"\n", "");
	/* no cast for init: a variable there is a string */
	expect(SVC "    init: ${N}\n", "CS2004@4:11");
	expect(SVC "    ports:\n      - target: 80\n        published: ${UNSET}\n", "CS3003@6:20");
	expect(SVC "    stop_grace_period: ${N}\n", "CS2005@4:24");
	expect("services:\n  web:\n    image: ${EMPTY}\n", "CS2008@3:12");
	expect("services:\n  web:\n    image: nginx:${TAG}\n", "");
	expect("services:\n  web:\n    image: nginx:${TAG\n", "CS3001@3:18");
}

/* lint --no-interpolate: values holding ${VAR} are not judged; the rest is */
static void test_unresolved(void **state)
{
	(void)state;
	struct loaded *l = LOAD("services:\n  web:\n    image: ${REGISTRY}/app:${TAG:-1}\n    deploy:\n"
				"      replicas: ${N}\n    tty: \"yes\"\n    command: echo $$HOME\n");
	struct c2s_pipeline_options o = {0};
	o.unresolved_ok = 1;
	o.workdir = ".";
	struct c2s_pipeline_result r;
	assert_int_equal(c2s_pipeline_file(&l->doc, &o, &l->diags, &r), 0);
	c2s_diags_resolve(&l->diags);
	assert_int_equal(l->diags.n, 1);
	assert_string_equal(c2s_diag_rule(&l->diags.items[0])->id, "CS2004");
	assert_int_equal(c2s_diags_span(&l->diags, 0).line, 6);
	loaded_free(l);
}

static void test_formats(void **state)
{
	(void)state;
	/* the formats' grammar is goval's (test_goval_duration.c, test_goval_port.c); here, where
	 * the schema stage reports them */
	expect(SVC "    ports: [\"80:80:80\"]\n", "CS2005@4:13");
	expect(SVC "    ports: [8080]\n", "");
	expect(SVC "    ports: [80.5]\n", "CS2005@4:13");
	expect(SVC "    ports: [80.0]\n", "CS2005@4:13");
	/* unsigned fields of the typed model; JSON has no infinities */
	expect(SVC "    ports:\n      - target: -1\n", "CS2005@5:17");
	expect(SVC "    healthcheck:\n      retries: -1.5\n", "CS2005@5:16");
	expect(SVC "    deploy:\n      replicas: -1\n", "CS2005@5:17");
	expect(SVC "    deploy:\n      update_config:\n        max_failure_ratio: .inf\n", "CS2004@6:28");
}

static void test_deploy_refusals(void **state)
{
	(void)state;
	/* images */
	expect("services:\n  web:\n    build: .\n", "CS2008@2:3");
	expect("services:\n  web:\n    image: Nginx\n", "CS2008@3:12");
	expect("services:\n  web:\n    image: DOCKERHUB_USERNAME/app:1\n", "CS2008@3:12");
	expect("services:\n  web:\n    image: registry.example.com:5000/team/app:1.2@sha256:"
	       "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef\n", "");
	expect("services:\n  web:\n    image: localhost/app\n", "");
	expect("services:\n  web:\n    image: Registry.example.com/app\n", "");
	expect("services:\n  web:\n    image: \"app:\"\n", "CS2008@3:12");
	expect("services:\n  web:\n    image: a__b/c---d:v.1-x_y\n", "");
	expect("services:\n  web:\n    image: a___b\n", "CS2008@3:12");
	/* modes */
	expect(SVC "    deploy:\n      mode: global\n      replicas: 2\n", "CS2008@6:7");
	expect(SVC "    deploy:\n      mode: Global\n", "CS2008@5:13");
	expect(SVC "    deploy:\n      mode: replicated-job\n      replicas: 2\n", "");
	/* references */
	expect(SVC "    networks: [default, back]\n", "CS2007@4:25");
	expect(SVC "    networks: {back: {aliases: [x]}}\nnetworks: {back: {}}\n", "");
	expect(SVC "    volumes: [\"data:/data\", \"./src:/src\", \"/abs:/abs:ro\", \"anon\"]\n", "CS2007@4:15");
	expect(SVC "    volumes: [\"data:/data:rshared\"]\nvolumes: {data: {}}\n", "CS2008@4:15");
	expect(SVC "    secrets: [a, {source: b}]\nsecrets: {a: {external: true}}\n", "CS2007@4:27");
	/* short volume specs */
	expect(SVC "    volumes: [\":/data\"]\n", "CS2005@4:15");
	expect(SVC "    volumes: [\"/a:/b:ro:z\"]\n", "CS2005@4:15");
	expect(SVC "    volumes: ['C:\\x:/b']\n", "");
	/* mounts */
	expect(SVC "    volumes:\n      - type: bind\n        target: /x\n", "CS2006@5:9");
	expect(SVC "    volumes:\n      - {type: tmpfs, source: x, target: /x}\n", "CS2008@5:31");
	expect(SVC "    volumes:\n      - {type: foo, target: /x}\n", "CS2008@5:16");
	/* healthcheck, restart, credential spec, cpus, memory */
	expect(SVC "    healthcheck: {test: [CMD, \"true\"], disable: true}\n", "CS2008@4:49");
	expect(SVC "    restart: sometimes\n", "CS2008@4:14");
	expect(SVC "    restart: on-failure:3\n", "");
	expect(SVC "    restart: on-failure:x\n", "CS2008@4:14");
	expect(SVC "    credential_spec: {file: a, registry: b}\n", "CS2008@4:22");
	expect(SVC "    credential_spec: {config: x}\n", "CS2007@4:31");
	expect(SVC "    credential_spec: {config: x}\nconfigs: {x: {external: true}}\n", "");
	expect(SVC "    deploy:\n      resources:\n        limits: {cpus: abc, memory: 512M}\n", "CS2008@6:24");
	expect(SVC "    deploy:\n      resources:\n        limits: {cpus: \"0.0000000001\"}\n", "CS2008@6:24");
	expect(SVC "    deploy:\n      resources:\n        limits: {cpus: \"1.5\", memory: 1x}\n", "CS2005@6:39");
	/* external objects */
	expect(SVC "volumes:\n  v: {external: true, driver: local}\n", "CS2006@5:31");
	expect(SVC "volumes:\n  v: {external: {name: a}, name: b}\n", "CS2006@5:34");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_versions),
		cmocka_unit_test(test_tables),
		cmocka_unit_test(test_keys),
		cmocka_unit_test(test_types),
		cmocka_unit_test(test_interpolated_types),
		cmocka_unit_test(test_unresolved),
		cmocka_unit_test(test_formats),
		cmocka_unit_test(test_deploy_refusals),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
