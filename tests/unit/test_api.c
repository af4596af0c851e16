/* test_api.c -- the small API options checks (stack name, API version). Image
 * references are goval's: test_goval_image.c. */
#include "config.h"
#include "testutil.h"

#include "emit_api.h"
#include "model.h"
#include "deploy_checks.h"
#include "pipeline.h"

static void test_options(void **state)
{
	(void)state;
	char msg[256];
	assert_true(c2s_api_version_ok("1.50"));
	assert_true(c2s_api_version_ok("1.9"));
	assert_false(c2s_api_version_ok("1"));
	assert_false(c2s_api_version_ok("1.5.0"));
	assert_false(c2s_api_version_ok("v1.50"));
	assert_false(c2s_api_version_ok(".5"));
	assert_int_equal(c2s_api_version_refused("1.30", msg, sizeof msg), 0);
	assert_int_equal(c2s_api_version_refused("1.100", msg, sizeof msg), 0);
	assert_int_equal(c2s_api_version_refused("1.29", msg, sizeof msg), 1);
	assert_string_equal(msg, "\"--resolve-image\" requires API version 1.30, but the Docker daemon API version is 1.29");
	assert_int_equal(c2s_api_version_refused("1.24", msg, sizeof msg), 1);
	assert_string_equal(msg, "docker stack deploy requires API version 1.25, but the Docker daemon API version is 1.24");
	assert_true(c2s_api_stack_name_ok("swarm"));
	assert_true(c2s_api_stack_name_ok(" a "));
	assert_false(c2s_api_stack_name_ok(""));
	assert_false(c2s_api_stack_name_ok("' \"\t"));
}

/* convert --to api lets the emitter skip its own look for refusals before
 * writing (c2s_api_options.prechecked) when the deploy checks passed the
 * stack. That holds only while the deploy checks refuse whatever the
 * emitter refuses: one stack per refusal the emitter's first pass looks
 * for, each passing the loader, refused by the emitter and by the checks. */
static const char *no_env(void *ctx, const char *name, size_t n)
{
	(void)ctx;
	(void)name;
	(void)n;
	return NULL;
}

static void test_deploy_checks_cover_emitter(void **state)
{
	(void)state;
	static const char *const stacks[] = {
		"services:\n  web:\n    image: nginx\n    secrets: [nope]\n",
		"services:\n  web:\n    image: nginx\n    configs: [nope]\n",
		"services:\n  web:\n    image: nginx\n    networks: [nope]\n",
		"services:\n  web:\n    image: nginx\n    volumes: [\"data:/data\"]\n",
		"services:\n  web:\n    image: nginx\n    credential_spec: {config: nope}\n",
		"services:\n  web:\n    image: nginx\n    credential_spec: {file: a.json, registry: r}\n",
		"services:\n  web:\n    image: nginx\n    deploy: {mode: global, replicas: 2}\n",
		"services:\n  web:\n    image: nginx\n    deploy: {mode: Global}\n",
		"services:\n  web:\n    image: nginx\n    volumes:\n      - type: volume\n        source: d\n"
		"        target: /d\n        bind: {propagation: rshared}\nvolumes:\n  d: {}\n",
		"services:\n  web:\n    image: nginx\n    volumes:\n      - type: tmpfs\n        source: x\n"
		"        target: /t\n",
		"services:\n  web:\n    image: nginx\n    deploy: {resources: {limits: {cpus: \"abc\"}}}\n",
		"services:\n  web:\n    image: nginx\n    deploy: {resources: {reservations: {cpus: \"0.0000000001\"}}}\n",
		"services:\n  web:\n    image: nginx\n    restart: sometimes\n",
		"services:\n  web:\n    image: nginx\n    healthcheck: {test: [\"CMD\", \"true\"], disable: true}\n",
		"services:\n  web:\n    image: \"nginx:latest:extra\"\n",
		"services:\n  web:\n    image: MyOrg/App:1\n",
		"services:\n  web:\n    command: [\"true\"]\n",
	};
	for (size_t i = 0; i < sizeof stacks / sizeof *stacks; i++) {
		struct loaded *l = load_text(stacks[i], strlen(stacks[i]));
		assert_int_equal(l->status, C2S_LOAD_OK);
		struct c2s_pipeline_options po;
		struct c2s_pipeline_result pr;
		memset(&po, 0, sizeof po);
		po.skip_deploy_checks = 1; /* what docker's loader refuses: none of these */
		assert_int_equal(c2s_pipeline_file(&l->doc, &po, &l->diags, &pr), 0);
		if (pr.rejected)
			fail_msg("stack %zu: refused before the emitter", i);
		/* the emitter, looking for itself */
		struct c2s_doc *docs[1] = {&l->doc};
		struct c2s_model m;
		struct c2s_mval root;
		struct c2s_model_env env = {"/tmp", "/root", no_env, NULL, 0};
		struct c2s_api_options ao = {"stack", C2S_API_VERSION_DEFAULT, "/tmp", 0, 0};
		struct c2s_buf out;
		c2s_buf_init(&out, (size_t)1 << 20);
		c2s_model_init(&m, docs, 1);
		assert_int_equal(c2s_model_build(&m, 0, &env, &root, &l->diags), 0);
		m.root = root;
		if (c2s_emit_api(&m, &ao, NULL, &out, &l->diags) != -1)
			fail_msg("stack %zu: the emitter did not refuse it", i);
		c2s_model_free(&m);
		c2s_buf_free(&out);
		/* the deploy checks, which let a prechecked stack skip that look */
		po.skip_deploy_checks = 0;
		if (c2s_deploy_checks(&l->doc, &po, pr.version_minor, &l->diags) <= 0)
			fail_msg("stack %zu: the emitter refuses it, the deploy checks do not", i);
		loaded_free(l);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_options),
		cmocka_unit_test(test_deploy_checks_cover_emitter),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
