/* test_engine.c -- the Engine API client: discovery as the docker CLI resolves hosts and contexts
 * (expectations from `docker context inspect` and a context store `docker context create` wrote,
 * tests/unit/engine/, scripts/record-engine-fixtures.sh), queries and filters byte for byte as the
 * CLI sent them (engine/docker-requests.txt), version negotiation, errors, limits; against
 * scripts/reference/fakedockerd.py and a canned server for what fakedockerd never does. */
#include "config.h"
#include "testutil.h"

#include "compose2swarm.h"
#include "engine.h"
#include "fakedocker.h"
#include "sha256.h"

#include <pthread.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

#define FIX SRC_DIR "/tests/unit/engine"

/* ---- SHA-256: context directories are named by it ---- */

static void test_sha256(void **state)
{
	(void)state;
	char hex[65];
	c2s_sha256_hex("", 0, hex);
	assert_string_equal(hex, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
	c2s_sha256_hex("abc", 3, hex);
	assert_string_equal(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
	const char *two = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"; /* 56 bytes: two tail blocks */
	c2s_sha256_hex(two, strlen(two), hex);
	assert_string_equal(hex, "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
	char *million = malloc(1000000);
	assert_non_null(million);
	memset(million, 'a', 1000000);
	c2s_sha256_hex(million, 1000000, hex);
	free(million);
	assert_string_equal(hex, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
	/* the directory docker named for context "nope" (its error message, docker 28.2.2) */
	c2s_sha256_hex("nope", 4, hex);
	assert_string_equal(hex, "ca3704aa0b06f5954c79ee837faa152d84d6b2d42838f0637a15eda8337dbdce");
}

/* ---- versions, filters and queries ---- */

static void test_version_cmp(void **state)
{
	(void)state;
	assert_int_equal(c2s_engine_version_cmp("1.41", "1.50"), -1);
	assert_int_equal(c2s_engine_version_cmp("1.50", "1.50"), 0);
	assert_int_equal(c2s_engine_version_cmp("1.52", "1.50"), 1);
	assert_int_equal(c2s_engine_version_cmp("1.9", "1.10"), -1);
	assert_int_equal(c2s_engine_version_cmp("2", "1.50"), 1);
	assert_int_equal(c2s_engine_version_cmp("1.50.0", "1.50"), 0);
}

/* The query of the request after the line "# docker COMMAND" in docker-requests.txt. */
static void docker_query(const char *command, char *out, size_t n)
{
	FILE *f = fopen(FIX "/docker-requests.txt", "r");
	assert_non_null(f);
	char line[4096];
	int armed = 0;
	out[0] = '\0';
	while (fgets(line, sizeof line, f)) {
		if (line[0] == '#') {
			armed = strncmp(line + 2, command, strlen(command)) == 0 && line[2 + strlen(command)] == '\n';
			if (!armed)
				armed = strncmp(line + 2, command, strlen(command)) == 0 &&
					line[2 + strlen(command)] == ' ';
			continue;
		}
		if (armed && strncmp(line, "GET ", 4) == 0) {
			char *q = strchr(line, '?'), *sp = q ? strchr(q, ' ') : NULL;
			assert_non_null(sp);
			*sp = '\0';
			snprintf(out, n, "%s", q);
			break;
		}
	}
	fclose(f);
	assert_true(out[0] != '\0');
}

static void expect_query(const char *command, const struct c2s_engine_param *q, size_t nq,
			 const struct c2s_engine_param *f, size_t nf)
{
	char want[4096];
	docker_query(command, want, sizeof want);
	struct c2s_buf b;
	c2s_buf_init(&b, 1 << 16);
	assert_int_equal(c2s_engine_query_string(q, nq, f, nf, &b), 0);
	assert_string_equal(b.data, want);
	c2s_buf_free(&b);
}

static void test_filters_as_docker_sends_them(void **state)
{
	(void)state;
	struct c2s_engine_param status = {"status", "true"};
	struct c2s_engine_param stack = {"label", "com.docker.stack.namespace=s1"};
	expect_query("docker service ls --filter label=com.docker.stack.namespace=s1", &status, 1, &stack, 1);
	expect_query("docker network ls --filter label=com.docker.stack.namespace=s1", NULL, 0, &stack, 1);
	/* sorted keys and values, Go's HTML-safe escapes, \u2028, \b, UTF-8 kept */
	struct c2s_engine_param odd[] = {
		{"label", "a<b&c>d"}, {"name", "zz"}, {"name", "aa"}, {"label", "\xc3\xa9 x"},
		{"label", "tab\tnl\\q\"u\xe2\x80\xa8v\bw"},
	};
	expect_query("docker secret ls --filter label=a<b&c>d", NULL, 0, odd, 5);
	struct c2s_engine_param escapes[] = {{"name", "a b+c/d?e%f#g"}, {"label", "k=v"}};
	expect_query("docker config ls --filter name=a b+c/d?e%f#g", NULL, 0, escapes, 2);
	struct c2s_engine_param twice[] = {{"mode", "replicated"}, {"mode", "replicated"}};
	expect_query("docker service ls --filter mode=replicated --filter mode=replicated", &status, 1, twice, 2);

	struct c2s_buf b;
	c2s_buf_init(&b, 1 << 10);
	assert_int_equal(c2s_engine_filters_json(NULL, 0, &b), 0);
	assert_string_equal(b.data, "{}");
	c2s_buf_reset(&b);
	struct c2s_engine_param bad = {"name", "a\xff" "b"}; /* invalid UTF-8: U+FFFD, as Go writes it */
	assert_int_equal(c2s_engine_filters_json(&bad, 1, &b), 0);
	assert_string_equal(b.data, "{\"name\":{\"a\\ufffdb\":true}}");
	c2s_buf_free(&b);
}

/* Request bodies as encoding/json writes them: key order kept, HTML-safe
 * escapes, integers in full (cJSON alone would write 1e+15), floats short. */
static void test_json_print(void **state)
{
	(void)state;
	cJSON *v = cJSON_Parse("{\"a\": 1000000000000000, \"b\": 0.1, \"c\": \"<&>\\u2028\", \"d\": [true, false, null],"
			       " \"e\": -3600000000000, \"f\": {}, \"g\": [], \"h\": 1.5e300}");
	assert_non_null(v);
	struct c2s_buf b;
	c2s_buf_init(&b, 1 << 10);
	assert_int_equal(c2s_engine_json_print(v, &b), 0);
	assert_string_equal(b.data, "{\"a\":1000000000000000,\"b\":0.1,\"c\":\"\\u003c\\u0026\\u003e\\u2028\","
				    "\"d\":[true,false,null],\"e\":-3600000000000,\"f\":{},\"g\":[],\"h\":1.5e+300}");
	/* the buffer's cap is honoured */
	struct c2s_buf small;
	c2s_buf_init(&small, 8);
	assert_int_equal(c2s_engine_json_print(v, &small), -1);
	c2s_buf_free(&small);
	c2s_buf_free(&b);
	cJSON_Delete(v);
}

/* ---- discovery: expectations from `docker context inspect` (CLI 28.2.2) ---- */

static int resolve_env(const char *const *env, const char *host, const char *context, struct c2s_engine_endpoint *ep,
		       struct c2s_engine_error *err)
{
	struct c2s_engine_options o = {.host = host, .context = context, .envp = env};
	return c2s_engine_resolve(&o, ep, err);
}

static void expect_host(const char *docker_host, const char *want)
{
	char var[512];
	snprintf(var, sizeof var, "DOCKER_HOST=%s", docker_host);
	const char *env[] = {var, "DOCKER_CONFIG=/nonexistent", NULL};
	struct c2s_engine_endpoint ep;
	struct c2s_engine_error err;
	int rc = resolve_env(env, NULL, NULL, &ep, &err);
	if (rc != 0)
		fail_msg("DOCKER_HOST=%s: %s", docker_host, err.message);
	assert_string_equal(ep.host, want);
	assert_string_equal(ep.context, "default");
	/* -H is the same parse, and wins over DOCKER_HOST */
	const char *env2[] = {"DOCKER_HOST=unix:///elsewhere", "DOCKER_CONFIG=/nonexistent", NULL};
	assert_int_equal(resolve_env(env2, docker_host, NULL, &ep, &err), 0);
	assert_string_equal(ep.host, want);
}

static void expect_host_error(const char *docker_host, enum c2s_engine_code code, const char *want)
{
	char var[512];
	snprintf(var, sizeof var, "DOCKER_HOST=%s", docker_host);
	const char *env[] = {var, "DOCKER_CONFIG=/nonexistent", NULL};
	struct c2s_engine_endpoint ep;
	struct c2s_engine_error err;
	assert_int_equal(resolve_env(env, NULL, NULL, &ep, &err), -1);
	assert_int_equal(err.code, code);
	if (!strstr(err.message, want))
		fail_msg("DOCKER_HOST=%s: '%s' lacks '%s'", docker_host, err.message, want);
}

static void test_hosts(void **state)
{
	(void)state;
	expect_host("tcp://1.2.3.4", "tcp://1.2.3.4:2375");
	expect_host("tcp://:2376/base", "tcp://localhost:2376/base");
	expect_host("1.2.3.4:99", "tcp://1.2.3.4:99");
	expect_host("h", "tcp://h:2375");
	expect_host("unix://", "unix:///var/run/docker.sock");
	expect_host("unix:///a b", "unix:///a b");
	expect_host("[::1]:5", "tcp://[::1]:5");
	expect_host("tcp://[::1]:", "tcp://[::1]:2375");
	expect_host("tcp://::1", "tcp://[::1]:2375");
	expect_host("tcp://h:99999", "tcp://h:99999");
	expect_host("tcp://", "tcp://localhost:2375");
	expect_host("  tcp://x:1  ", "tcp://x:1");
	expect_host("tcp://x:1/", "tcp://x:1/");
	expect_host("tcp://u@h:1", "tcp://h:1");
	expect_host("tcp://h?x=1", "tcp://h:2375");
	expect_host("tcp://h:1#f", "tcp://h:1");
	expect_host_error("tcp://[::1]", C2S_ENGINE_ERR_CONFIG,
			  "unable to resolve docker endpoint: invalid bind address format: [::1]");
	expect_host_error("tcp://h:port", C2S_ENGINE_ERR_CONFIG, "parse \"tcp://h:port\": invalid port \":port\" after host");
	expect_host_error("tcp://h:-1", C2S_ENGINE_ERR_CONFIG, "invalid port \":-1\" after host");
	expect_host_error("tcp://a://b", C2S_ENGINE_ERR_CONFIG, "invalid proto, expected tcp: a://b");
	expect_host_error("unix://a://b", C2S_ENGINE_ERR_CONFIG, "invalid proto, expected unix: a://b");
	expect_host_error("foo://x", C2S_ENGINE_ERR_CONFIG,
			  "unable to resolve docker endpoint: invalid bind address format: foo://x");
	expect_host_error("TCP://h:1", C2S_ENGINE_ERR_CONFIG, "invalid bind address format: TCP://h:1");
	/* ssh:// as cli/connhelper/ssh takes it (the command it runs: tests/deploy/cases/ssh) */
	expect_host("ssh://u@h", "ssh://u@h");
	expect_host_error("ssh://u:pw@h", C2S_ENGINE_ERR_CONFIG,
			  "ssh host connection is not valid: invalid SSH URL: plain-text password is not supported");
	expect_host_error("ssh://", C2S_ENGINE_ERR_CONFIG, "invalid SSH URL: hostname is empty");
	expect_host_error("ssh://h?a=1", C2S_ENGINE_ERR_CONFIG, "invalid SSH URL: query parameters are not allowed: \"a=1\"");
	expect_host_error("ssh://h#f", C2S_ENGINE_ERR_CONFIG, "invalid SSH URL: fragments are not allowed: \"f\"");
	expect_host_error("fd://", C2S_ENGINE_ERR_UNSUPPORTED, "fd:// is not supported");
}

static void test_default_socket_and_conflicts(void **state)
{
	(void)state;
	struct c2s_engine_endpoint ep;
	struct c2s_engine_error err;
	const char *none[] = {"HOME=/nonexistent", NULL};
	assert_int_equal(resolve_env(none, NULL, NULL, &ep, &err), 0);
	assert_string_equal(ep.host, "unix:///var/run/docker.sock");
	assert_string_equal(ep.context, "default");
	assert_int_equal(ep.tls, 0);
	/* an empty DOCKER_HOST is no DOCKER_HOST */
	const char *empty[] = {"DOCKER_HOST=", "DOCKER_CONFIG=/nonexistent", NULL};
	assert_int_equal(resolve_env(empty, NULL, NULL, &ep, &err), 0);
	assert_string_equal(ep.host, "unix:///var/run/docker.sock");
	/* docker: "conflicting options: cannot specify both --host and --context" */
	assert_int_equal(resolve_env(none, "unix:///x", "y", &ep, &err), -1);
	assert_string_equal(err.message, "conflicting options: cannot specify both --host and --context");
}

/* A file of our making (config.json, a CA) in a scratch directory. */
static void write_file(const char *path, const char *text, size_t n)
{
	FILE *f = fopen(path, "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(text, 1, n, f), n);
	fclose(f);
}

static void test_tls_from_environment(void **state)
{
	(void)state;
	struct c2s_engine_endpoint ep;
	struct c2s_engine_error err;
	const char *verify[] = {"DOCKER_HOST=tcp://127.0.0.1:2376", "DOCKER_TLS_VERIFY=1",
				"DOCKER_CERT_PATH=" FIX "/certs", NULL};
	assert_int_equal(resolve_env(verify, NULL, NULL, &ep, &err), 0);
	assert_int_equal(ep.tls, 1);
	assert_int_equal(ep.skip_verify, 0);
	assert_string_equal(ep.ca, FIX "/certs/ca.pem");
	assert_string_equal(ep.cert, FIX "/certs/cert.pem");
	assert_string_equal(ep.key, FIX "/certs/key.pem");
	/* DOCKER_TLS alone: TLS without verifying; no host: the TLS default */
	const char *tls[] = {"DOCKER_TLS=1", "DOCKER_CERT_PATH=" FIX "/certs", "DOCKER_CONFIG=/nonexistent", NULL};
	assert_int_equal(resolve_env(tls, NULL, NULL, &ep, &err), 0);
	assert_string_equal(ep.host, "tcp://localhost:2376");
	assert_int_equal(ep.tls, 1);
	assert_int_equal(ep.skip_verify, 1);
	/* the CA must be there: docker says "open DIR/ca.pem: no such file or directory" */
	const char *noca[] = {"DOCKER_HOST=tcp://h:1", "DOCKER_TLS_VERIFY=1", "DOCKER_CONFIG=/nonexistent/dc", NULL};
	assert_int_equal(resolve_env(noca, NULL, NULL, &ep, &err), -1);
	assert_string_equal(err.message,
			    "unable to resolve docker endpoint: open /nonexistent/dc/ca.pem: no such file or directory");
	/* a missing client certificate is dropped, not an error (SetDefaultOptions) */
	char dir[] = "/tmp/c2s-ca.XXXXXX", ca[300], var[300];
	assert_non_null(mkdtemp(dir));
	snprintf(ca, sizeof ca, "%s/ca.pem", dir);
	write_file(ca, "not read yet\n", 13);
	snprintf(var, sizeof var, "DOCKER_CERT_PATH=%s", dir);
	const char *caonly[] = {"DOCKER_HOST=tcp://h:1", "DOCKER_TLS_VERIFY=1", var, NULL};
	assert_int_equal(resolve_env(caonly, NULL, NULL, &ep, &err), 0);
	assert_string_equal(ep.ca, ca);
	assert_string_equal(ep.cert, "");
	assert_string_equal(ep.key, "");
	unlink(ca);
	rmdir(dir);
	/* a unix socket ignores TLS (isSocket) */
	const char *sock[] = {"DOCKER_HOST=unix:///s", "DOCKER_TLS_VERIFY=1", "DOCKER_CERT_PATH=" FIX "/certs", NULL};
	assert_int_equal(resolve_env(sock, NULL, NULL, &ep, &err), 0);
	assert_int_equal(ep.tls, 0);
}

static void test_contexts(void **state)
{
	(void)state;
	struct c2s_engine_endpoint ep;
	struct c2s_engine_error err;
	/* config.json's currentContext (docker context use plain) */
	const char *cur[] = {"DOCKER_CONFIG=" FIX "/dockerconfig", NULL};
	assert_int_equal(resolve_env(cur, NULL, NULL, &ep, &err), 0);
	assert_string_equal(ep.context, "plain");
	assert_string_equal(ep.host, "unix:///tmp/c2s-plain.sock");
	/* DOCKER_CONTEXT beats it; its TLS files are found by the context's digest */
	const char *tls[] = {"DOCKER_CONFIG=" FIX "/dockerconfig", "DOCKER_CONTEXT=tls-ctx", NULL};
	assert_int_equal(resolve_env(tls, NULL, NULL, &ep, &err), 0);
	assert_string_equal(ep.context, "tls-ctx");
	assert_string_equal(ep.host, "tcp://127.0.0.1:2376");
	assert_int_equal(ep.tls, 1);
	assert_int_equal(ep.skip_verify, 0);
	assert_non_null(strstr(ep.ca, "/contexts/tls/f29671c36aea263eda561e45f53d2985925dff54c881728df51a83e0008fd4ef/docker/ca.pem"));
	assert_non_null(strstr(ep.cert, "/docker/cert.pem"));
	assert_non_null(strstr(ep.key, "/docker/key.pem"));
	/* --context beats DOCKER_CONTEXT; SkipTLSVerify means TLS without verifying */
	assert_int_equal(resolve_env(tls, NULL, "skip", &ep, &err), 0);
	assert_string_equal(ep.host, "tcp://example.invalid:2376");
	assert_int_equal(ep.tls, 1);
	assert_int_equal(ep.skip_verify, 1);
	assert_string_equal(ep.ca, "");
	/* DOCKER_HOST beats DOCKER_CONTEXT and currentContext: the default context */
	const char *host[] = {"DOCKER_CONFIG=" FIX "/dockerconfig", "DOCKER_CONTEXT=tls-ctx", "DOCKER_HOST=unix:///h", NULL};
	assert_int_equal(resolve_env(host, NULL, NULL, &ep, &err), 0);
	assert_string_equal(ep.context, "default");
	assert_string_equal(ep.host, "unix:///h");
	/* DOCKER_CONTEXT=default is the default context */
	const char *def[] = {"DOCKER_CONFIG=" FIX "/dockerconfig", "DOCKER_CONTEXT=default", NULL};
	assert_int_equal(resolve_env(def, NULL, NULL, &ep, &err), 0);
	assert_string_equal(ep.host, "unix:///var/run/docker.sock");
	/* a context over ssh */
	const char *ssh[] = {"DOCKER_CONFIG=" FIX "/dockerconfig", "DOCKER_CONTEXT=ssh-ctx", NULL};
	assert_int_equal(resolve_env(ssh, NULL, NULL, &ep, &err), 0);
	assert_string_equal(ep.host, "ssh://user@example.invalid");
	assert_int_equal(ep.tls, 0);
	/* docker 28.2.2's words for a context that does not exist */
	const char *nope[] = {"DOCKER_CONFIG=/nonexistent/dc", "DOCKER_CONTEXT=nope", NULL};
	assert_int_equal(resolve_env(nope, NULL, NULL, &ep, &err), -1);
	assert_string_equal(err.message,
			    "unable to resolve docker endpoint: context \"nope\": context not found: open "
			    "/nonexistent/dc/contexts/meta/ca3704aa0b06f5954c79ee837faa152d84d6b2d42838f0637a15eda8337dbdce/"
			    "meta.json: no such file or directory");
	/* HOME/.docker when DOCKER_CONFIG is not set */
	const char *home[] = {"HOME=/nonexistent/home", "DOCKER_CONTEXT=nope", NULL};
	assert_int_equal(resolve_env(home, NULL, NULL, &ep, &err), -1);
	assert_non_null(strstr(err.message, "open /nonexistent/home/.docker/contexts/meta/ca3704aa"));
}

static void test_config_json_limits(void **state)
{
	(void)state;
	char dir[] = "/tmp/c2s-dc.XXXXXX", path[300], var[300];
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof path, "%s/config.json", dir);
	snprintf(var, sizeof var, "DOCKER_CONFIG=%s", dir);
	const char *env[] = {var, NULL};
	struct c2s_engine_endpoint ep;
	struct c2s_engine_error err;
	write_file(path, "{\"currentContext\": ", 19);
	assert_int_equal(resolve_env(env, NULL, NULL, &ep, &err), -1);
	assert_non_null(strstr(err.message, "config.json: not valid JSON"));
	/* no currentContext: the default socket */
	write_file(path, "{\"auths\": {}}", 13);
	assert_int_equal(resolve_env(env, NULL, NULL, &ep, &err), 0);
	assert_string_equal(ep.host, "unix:///var/run/docker.sock");
	/* C2S_MAX_DOCKER_CONFIG_BYTES: one byte more is refused */
	size_t n = C2S_MAX_DOCKER_CONFIG_BYTES + 1;
	char *big = malloc(n);
	assert_non_null(big);
	memset(big, ' ', n);
	big[0] = '{';
	big[n - 1] = '}';
	write_file(path, big, n);
	assert_int_equal(resolve_env(env, NULL, NULL, &ep, &err), -1);
	assert_non_null(strstr(err.message, "is larger than"));
	big[n - 2] = '}'; /* exactly the limit */
	write_file(path, big, n - 1);
	assert_int_equal(resolve_env(env, NULL, NULL, &ep, &err), 0);
	free(big);
	unlink(path);
	rmdir(dir);
}

/* ---- against fakedockerd ---- */

/* A build without libcurl talks to no daemon: those tests are skipped, and
 * this one checks what it says instead. */
#define NEEDS_CURL()                          \
	do {                                  \
		if (!c2s_engine_available()) \
			skip();               \
	} while (0)

/* The map the CLI's headers make: "NAME=VALUE|NAME=VALUE|..." in order, or
 * the error's message. */
static void headers_of(const char *env, const char *config, char *out, size_t n)
{
	char var[1024];
	snprintf(var, sizeof var, "DOCKER_CUSTOM_HEADERS=%s", env ? env : "");
	const char *envp[] = {var, NULL};
	cJSON *cfg = cJSON_Parse(config ? config : "{}");
	assert_non_null(cfg);
	struct c2s_engine_headers h;
	struct c2s_engine_error err;
	if (c2s_engine_custom_headers(envp, cfg, &h, &err) != 0) {
		snprintf(out, n, "error: %s", err.message);
	} else {
		out[0] = '\0';
		for (size_t i = 0; i < h.n; i++) {
			size_t l = strlen(out);
			snprintf(out + l, n - l, "%s%s=%s", i ? "|" : "", h.v[i].name, h.v[i].value);
		}
		c2s_engine_headers_free(&h);
	}
	cJSON_Delete(cfg);
}

#define EXPECT_HEADERS(env, config, want)                                                                              \
	do {                                                                                                           \
		char got_[2048];                                                                                       \
		headers_of((env), (config), got_, sizeof got_);                                                        \
		assert_string_equal(got_, (want));                                                                     \
	} while (0)

/* DOCKER_CUSTOM_HEADERS as docker CLI 28.2.2 reads it (cli/command/cli_options.go
 * withCustomHeadersFromEnv; the vector of cli_test.go's
 * TestNewAPIClientFromFlagsWithCustomHeadersFromEnv), and what Go's net/http
 * then sends: the words of the errors are the CLI's, seen by running it. */
static void test_custom_headers(void **state)
{
	(void)state;
	const char *cfg = "{\"HttpHeaders\": {\"My-Header\": \"Custom-Value from config-file\"}}";
	/* the variable's map replaces the config's; a repeated name keeps its last value */
	EXPECT_HEADERS("one=one-value,\"two=two,value\",three=,four=four-value,four=four-value-override", cfg,
		       "One=one-value|Two=two,value|Three=|Four=four-value-override");
	/* unset or empty: the config's, canonical */
	EXPECT_HEADERS(NULL, "{\"HttpHeaders\": {\"x-meta-id\": \"7\"}}", "X-Meta-Id=7");
	EXPECT_HEADERS("", cfg, "My-Header=Custom-Value from config-file");
	/* the key trimmed, the value trimmed on the wire; headers Go writes itself left out */
	EXPECT_HEADERS(" five = padded ,host=h,content-length=5,transfer-encoding=x,trailer=t,user-agent=u,accept=a", NULL,
		       "Five=padded|Accept=a");
	/* one CSV record: empty lines before it skipped, the lines after it ignored */
	EXPECT_HEADERS("\n\r\na=b\nc=d", NULL, "A=b");
	EXPECT_HEADERS("\"a=x\"\"y\",b=2", NULL, "A=x\"y|B=2");
	/* refused in docker's words */
	EXPECT_HEADERS("a", NULL,
		       "error: failed to set custom headers from DOCKER_CUSTOM_HEADERS environment variable: missing \"=\" "
		       "in key=value pair: 'a'");
	EXPECT_HEADERS("=x", NULL,
		       "error: failed to set custom headers from DOCKER_CUSTOM_HEADERS environment variable: value contains "
		       "a key=value pair with an empty key: '=x'");
	EXPECT_HEADERS("a=1,,b=2", NULL,
		       "error: failed to set custom headers from DOCKER_CUSTOM_HEADERS environment variable: value contains "
		       "a key=value pair with an empty key: ''");
	const char *csv = "error: failed to parse custom headers from DOCKER_CUSTOM_HEADERS environment variable: value "
			  "must be formatted as comma-separated key=value pairs";
	EXPECT_HEADERS("a=\"b", NULL, csv);    /* a bare quote */
	EXPECT_HEADERS("\"a=b\"c", NULL, csv); /* a quote not followed by a comma */
	EXPECT_HEADERS("\"a=b", NULL, csv);    /* no closing quote */
	EXPECT_HEADERS("\n", NULL, csv);       /* no record */
	/* what net/http refuses to send, from either source */
	EXPECT_HEADERS("a b=c", NULL, "error: DOCKER_CUSTOM_HEADERS: net/http: invalid header field name \"a b\"");
	EXPECT_HEADERS("\"a=b\r\nc\"", NULL, "error: DOCKER_CUSTOM_HEADERS: net/http: invalid header field value for \"A\"");
	EXPECT_HEADERS(NULL, "{\"HttpHeaders\": {\"x\": \"a\\u0001b\"}}",
		       "error: the docker config's HttpHeaders: net/http: invalid header field value for \"X\"");
	/* a tab is no control byte to net/http */
	EXPECT_HEADERS("x=a\tb", NULL, "X=a\tb");
}

static void test_without_curl(void **state)
{
	(void)state;
	if (c2s_engine_available())
		skip();
	const char *env[] = {"DOCKER_HOST=unix:///x", NULL};
	struct c2s_engine_options o = {.envp = env};
	struct c2s_engine *e = (struct c2s_engine *)1;
	struct c2s_engine_error err;
	assert_int_equal(c2s_engine_open(&o, &e, &err), -1);
	assert_null(e);
	assert_int_equal(err.code, C2S_ENGINE_ERR_UNSUPPORTED);
	assert_non_null(strstr(err.message, "built without libcurl"));
	assert_non_null(strstr(err.message, "container image"));
}

static struct c2s_engine *open_at(const char *host, const char *const *extra_env, struct c2s_engine_options *o)
{
	static char var[512];
	static const char *env[8];
	size_t n = 0;
	snprintf(var, sizeof var, "DOCKER_HOST=%s", host);
	env[n++] = var;
	env[n++] = "DOCKER_CONFIG=/nonexistent";
	for (size_t i = 0; extra_env && extra_env[i] && n < 7; i++)
		env[n++] = extra_env[i];
	env[n] = NULL;
	struct c2s_engine_options def = {0};
	if (!o)
		o = &def;
	o->envp = env;
	struct c2s_engine *e;
	struct c2s_engine_error err;
	if (c2s_engine_open(o, &e, &err) != 0)
		fail_msg("open %s: %s", host, err.message);
	return e;
}

static const cJSON *rec_at(const cJSON *log, int i)
{
	const cJSON *r = cJSON_GetArrayItem(log, i);
	assert_non_null(r);
	return r;
}

static const char *rec_str(const cJSON *r, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(r, key);
	return cJSON_IsString(v) ? v->valuestring : "";
}

static void test_fake_negotiate_and_list(void **state)
{
	(void)state;
	NEEDS_CURL();
	struct fake f;
	assert_int_equal(fake_start(&f, NULL), 0);
	struct c2s_engine *e = open_at(f.host, NULL, NULL);
	struct c2s_engine_error err;
	struct c2s_engine_ping ping;
	assert_null(c2s_engine_api_version(e));
	assert_int_equal(c2s_engine_ping(e, &ping, &err), 0);
	assert_string_equal(c2s_engine_api_version(e), "1.50");
	assert_string_equal(ping.swarm, "active/manager");
	assert_string_equal(ping.os_type, "linux");
	cJSON *info;
	assert_int_equal(c2s_engine_require_manager(e, &info, &err), 0);
	assert_string_equal(cJSON_GetObjectItem(info, "ServerVersion")->valuestring, "28.2.2");
	cJSON_Delete(info);

	/* two stacks' networks; each list asks once and gets its own */
	const char *nets[] = {"{\"Name\":\"a_net\",\"Driver\":\"overlay\",\"Labels\":{\"com.docker.stack.namespace\":\"a\"}}",
			      "{\"Name\":\"b_net\",\"Driver\":\"overlay\",\"Labels\":{\"com.docker.stack.namespace\":\"b\"}}"};
	for (int i = 0; i < 2; i++) {
		struct c2s_engine_request rq = {.method = "POST", .path = "/networks/create", .body = nets[i],
						.body_len = strlen(nets[i])};
		struct c2s_engine_response rs;
		assert_int_equal(c2s_engine_do(e, &rq, &rs, &err), 0);
		assert_int_equal(rs.status, 201);
		assert_non_null(cJSON_GetObjectItem(rs.json, "Id"));
		c2s_engine_response_free(&rs);
	}
	const char *svc = "{\"Name\":\"a_web\",\"Labels\":{\"com.docker.stack.namespace\":\"a\"},"
			  "\"TaskTemplate\":{\"ContainerSpec\":{\"Image\":\"nginx:latest\"}}}";
	struct c2s_engine_request create = {.method = "POST", .path = "/services/create", .body = svc,
					    .body_len = strlen(svc), .registry_auth = "e30="};
	assert_int_equal(c2s_engine_do(e, &create, NULL, &err), 0);
	cJSON *list;
	assert_int_equal(c2s_engine_list_stack(e, C2S_ENGINE_NETWORKS, "a", &list, &err), 0);
	assert_int_equal(cJSON_GetArraySize(list), 1);
	assert_string_equal(cJSON_GetObjectItem(cJSON_GetArrayItem(list, 0), "Name")->valuestring, "a_net");
	cJSON_Delete(list);
	assert_int_equal(c2s_engine_list_stack(e, C2S_ENGINE_SERVICES, "a", &list, &err), 0);
	assert_int_equal(cJSON_GetArraySize(list), 1);
	cJSON_Delete(list);
	assert_int_equal(c2s_engine_list_stack(e, C2S_ENGINE_SECRETS, "a", &list, &err), 0);
	assert_int_equal(cJSON_GetArraySize(list), 0);
	cJSON_Delete(list);
	assert_int_equal(c2s_engine_list_stack(e, C2S_ENGINE_CONFIGS, "b", &list, &err), 0);
	cJSON_Delete(list);

	/* the daemon's {"message"} as the error, with its status */
	struct c2s_engine_request get = {.method = "GET", .path = "/services/nope"};
	struct c2s_engine_response rs;
	assert_int_equal(c2s_engine_do(e, &get, &rs, &err), -1);
	assert_int_equal(err.code, C2S_ENGINE_ERR_DAEMON);
	assert_int_equal(err.http_status, 404);
	assert_int_equal(rs.status, 404);
	assert_string_equal(err.message, "Error response from daemon: service nope not found");
	c2s_engine_response_free(&rs);
	struct c2s_engine_request del = {.method = "DELETE", .path = "/services/a_web"};
	assert_int_equal(c2s_engine_do(e, &del, NULL, &err), 0);
	c2s_engine_close(e);

	/* what went over the wire, as fakedockerd saw it */
	fake_finish(&f);
	cJSON *log = fake_log(&f);
	if (getenv("C2S_TEST_DEBUG")) {
		char *t = cJSON_Print(log);
		fprintf(stderr, "%s\n", t);
		free(t);
	}
	const cJSON *r = rec_at(log, 0);
	assert_string_equal(rec_str(r, "method"), "HEAD");
	assert_string_equal(rec_str(r, "path"), "/_ping");
	r = rec_at(log, 1);
	assert_string_equal(rec_str(r, "path"), "/v1.50/info");
	const cJSON *h = cJSON_GetObjectItem(r, "headers");
	assert_string_equal(rec_str(h, "Host"), "api.moby.localhost");
	assert_null(cJSON_GetObjectItem(h, "Accept"));
	r = rec_at(log, 2);
	assert_string_equal(rec_str(r, "path"), "/v1.50/networks/create");
	h = cJSON_GetObjectItem(r, "headers");
	assert_string_equal(rec_str(h, "Content-Type"), "application/json");
	/* json.Encoder's newline is part of the body docker sends */
	char len[24];
	snprintf(len, sizeof len, "%zu", strlen(nets[0]) + 1);
	assert_string_equal(rec_str(h, "Content-Length"), len);
	assert_null(cJSON_GetObjectItem(h, "Expect"));
	assert_string_equal(rec_str(cJSON_GetObjectItem(r, "body"), "Name"), "a_net");
	r = rec_at(log, 4);
	assert_string_equal(rec_str(cJSON_GetObjectItem(r, "headers"), "X-Registry-Auth"), "e30=");
	r = rec_at(log, 5);
	assert_string_equal(rec_str(r, "method"), "GET");
	assert_string_equal(rec_str(r, "path"), "/v1.50/networks");
	const cJSON *filters = cJSON_GetObjectItem(r, "filters");
	assert_string_equal(cJSON_GetArrayItem(cJSON_GetObjectItem(filters, "label"), 0)->valuestring,
			    "com.docker.stack.namespace=a");
	assert_string_equal(rec_str(rec_at(log, 10), "method"), "DELETE");
	assert_int_equal(cJSON_GetArraySize(log), 11);
	cJSON_Delete(log);
	fake_stop(&f);
}

static void negotiated_with(const char *server, const char *const *env, const char *want)
{
	struct fake f;
	const char *args[] = {"--api-version", server, NULL};
	assert_int_equal(fake_start(&f, args), 0);
	struct c2s_engine *e = open_at(f.host, env, NULL);
	struct c2s_engine_error err;
	cJSON *j;
	assert_int_equal(c2s_engine_get_json(e, "/version", NULL, 0, &j, &err), 0); /* pings first on its own */
	cJSON_Delete(j);
	assert_string_equal(c2s_engine_api_version(e), want);
	c2s_engine_close(e);
	fake_finish(&f);
	cJSON *log = fake_log(&f);
	assert_string_equal(rec_str(rec_at(log, 0), "method"), "HEAD");
	char path[64];
	snprintf(path, sizeof path, "/v%s/version", want);
	assert_string_equal(rec_str(rec_at(log, 1), "path"), path);
	cJSON_Delete(log);
	fake_stop(&f);
}

static void test_fake_versions(void **state)
{
	(void)state;
	NEEDS_CURL();
	negotiated_with("1.41", NULL, "1.41"); /* the swarm this project tests on */
	negotiated_with("1.52", NULL, "1.50"); /* never above what the CLI speaks */
	const char *fixed[] = {"DOCKER_API_VERSION=v1.43", NULL};
	negotiated_with("1.41", fixed, "1.43"); /* DOCKER_API_VERSION is not negotiated */
}

static void not_manager(const char *swarm)
{
	struct fake f;
	const char *args[] = {"--swarm", swarm, NULL};
	assert_int_equal(fake_start(&f, args), 0);
	struct c2s_engine *e = open_at(f.host, NULL, NULL);
	struct c2s_engine_error err;
	cJSON *info = (cJSON *)1;
	assert_int_equal(c2s_engine_require_manager(e, &info, &err), -1);
	assert_null(info);
	assert_int_equal(err.code, C2S_ENGINE_ERR_NOT_MANAGER);
	assert_string_equal(err.message, "this node is not a swarm manager. Use \"docker swarm init\" or \"docker swarm "
					 "join\" to connect this node to swarm and try again");
	c2s_engine_close(e);
	fake_stop(&f);
}

static void test_fake_not_a_manager(void **state)
{
	(void)state;
	NEEDS_CURL();
	not_manager("inactive");
	not_manager("active/worker");
}

static void test_unreachable(void **state)
{
	(void)state;
	NEEDS_CURL();
	/* a socket file nobody listens on, and no file at all */
	char dir[] = "/tmp/c2s-dead.XXXXXX", host[300];
	assert_non_null(mkdtemp(dir));
	int fd = socket(AF_UNIX, SOCK_STREAM, 0);
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	snprintf(sa.sun_path, sizeof sa.sun_path, "%s/dead.sock", dir);
	assert_int_equal(bind(fd, (struct sockaddr *)&sa, sizeof sa), 0);
	close(fd);
	snprintf(host, sizeof host, "unix://%s", sa.sun_path);
	struct c2s_engine *e = open_at(host, NULL, NULL);
	struct c2s_engine_error err;
	assert_int_equal(c2s_engine_ping(e, NULL, &err), -1);
	assert_int_equal(err.code, C2S_ENGINE_ERR_CONNECT);
	char want[512];
	snprintf(want, sizeof want, "Cannot connect to the Docker daemon at %s. Is the docker daemon running?", host);
	assert_string_equal(err.message, want);
	c2s_engine_close(e);
	unlink(sa.sun_path);
	e = open_at(host, NULL, NULL);
	cJSON *list;
	assert_int_equal(c2s_engine_list_stack(e, C2S_ENGINE_SERVICES, "s", &list, &err), -1);
	assert_string_equal(err.message, want);
	c2s_engine_close(e);
	rmdir(dir);
	/* tcp: a port nobody listens on (the connection is refused at once) */
	e = open_at("tcp://127.0.0.1:1", NULL, NULL);
	assert_int_equal(c2s_engine_ping(e, NULL, &err), -1);
	assert_string_equal(err.message, "Cannot connect to the Docker daemon at tcp://127.0.0.1:1. Is the docker daemon running?");
	c2s_engine_close(e);
}

/* ssh:// whose ssh fails: a stand-in ssh first on PATH says what OpenSSH 9.2
 * and a remote `docker system dial-stdio` said in tests/swarm/tier-ssh.sh
 * (lines ended "\r\n", as ssh writes them) and exits as they did; the words
 * expected are docker CLI 28.2's for the same failures there. */
static void ssh_fails(const char *dir, const char *said, const char *code, const char *url, const char *want)
{
	setenv("C2S_TEST_SSH_SAID", said, 1);
	setenv("C2S_TEST_SSH_EXIT", code, 1);
	struct c2s_engine *e = open_at(url, NULL, NULL);
	struct c2s_engine_error err;
	assert_int_equal(c2s_engine_ping(e, NULL, &err), -1);
	assert_int_equal(err.code, C2S_ENGINE_ERR_CONNECT);
	assert_string_equal(err.message, want);
	c2s_engine_close(e);
	(void)dir;
}

static void test_ssh_failures(void **state)
{
	(void)state;
	NEEDS_CURL();
	char dir[] = "/tmp/c2s-sshbin.XXXXXX", ssh[300], path[4400];
	assert_non_null(mkdtemp(dir));
	snprintf(ssh, sizeof ssh, "%s/ssh", dir);
	FILE *f = fopen(ssh, "w");
	assert_non_null(f);
	fputs("#!/bin/sh\nprintf '%b' \"$C2S_TEST_SSH_SAID\" >&2\nexit \"$C2S_TEST_SSH_EXIT\"\n", f);
	fclose(f);
	assert_int_equal(chmod(ssh, 0755), 0);
	const char *old = getenv("PATH");
	char *saved = old ? strdup(old) : NULL;
	snprintf(path, sizeof path, "%s:%s", dir, old ? old : "/usr/bin:/bin");
	setenv("PATH", path, 1);
	/* a login refused: "error during connect", the method as Go names it */
	ssh_fails(dir, "nobody@127.0.0.1: Permission denied (publickey).\\r\\n", "255", "ssh://nobody@127.0.0.1:2222/run/d.sock",
		  "error during connect: Head \"http://docker.example.com/_ping\": command [ssh -o ConnectTimeout=30 -T -l nobody "
		  "-p 2222 -- 127.0.0.1 docker --host unix:///run/d.sock system dial-stdio] has exited with exit status 255, make "
		  "sure the URL is valid, and Docker 18.09 or later is installed on the remote host: stderr=nobody@127.0.0.1: "
		  "Permission denied (publickey).");
	/* two lines from ssh: one newline between them, none after */
	ssh_fails(dir, "No ED25519 host key is known for [localhost]:2222 and you have requested strict checking.\\r\\n"
		       "Host key verification failed.\\r\\n", "255", "ssh://root@localhost:2222",
		  "error during connect: Head \"http://docker.example.com/_ping\": command [ssh -o ConnectTimeout=30 -T -l root "
		  "-p 2222 -- localhost docker system dial-stdio] has exited with exit status 255, make sure the URL is valid, "
		  "and Docker 18.09 or later is installed on the remote host: stderr=No ED25519 host key is known for "
		  "[localhost]:2222 and you have requested strict checking.\nHost key verification failed.");
	/* "Connection refused" as ssh writes it is not the Go client's "connection refused" */
	ssh_fails(dir, "ssh: connect to host 127.0.0.1 port 2222: Connection refused\\r\\n", "255", "ssh://root@127.0.0.1:2222",
		  "error during connect: Head \"http://docker.example.com/_ping\": command [ssh -o ConnectTimeout=30 -T -l root "
		  "-p 2222 -- 127.0.0.1 docker system dial-stdio] has exited with exit status 255, make sure the URL is valid, and "
		  "Docker 18.09 or later is installed on the remote host: stderr=ssh: connect to host 127.0.0.1 port 2222: "
		  "Connection refused");
	/* no daemon at the remote socket: dial-stdio says "dial unix", and docker
	 * says only connectionFailed of its dummy host; the helper's words follow */
	ssh_fails(dir, "failed to open the raw stream connection: dial unix /nonexistent.sock: connect: no such file or directory\\n",
		  "1", "ssh://root@127.0.0.1:2222/nonexistent.sock",
		  "Cannot connect to the Docker daemon at http://docker.example.com. Is the docker daemon running?\n* command [ssh "
		  "-o ConnectTimeout=30 -T -l root -p 2222 -- 127.0.0.1 docker --host unix:///nonexistent.sock system dial-stdio] "
		  "has exited with exit status 1, make sure the URL is valid, and Docker 18.09 or later is installed on the remote "
		  "host: stderr=failed to open the raw stream connection: dial unix /nonexistent.sock: connect: no such file or "
		  "directory");
	if (saved) {
		setenv("PATH", saved, 1);
		free(saved);
	} else {
		unsetenv("PATH");
	}
	unsetenv("C2S_TEST_SSH_SAID");
	unsetenv("C2S_TEST_SSH_EXIT");
	unlink(ssh);
	rmdir(dir);
}

/* tcp:// with TLS: fakedockerd behind tests/unit/engine/tlsproxy.py, which
 * wants a client certificate signed by the test CA (engine/certs). */
static void test_tls(void **state)
{
	(void)state;
	NEEDS_CURL();
	struct fake f;
	assert_int_equal(fake_start(&f, NULL), 0);
	const char *argv[] = {"python3", FIX "/tlsproxy.py", "--cert", FIX "/certs/server.pem", "--key",
			      FIX "/certs/server-key.pem", "--ca", FIX "/certs/ca.pem", "--target", f.sock, NULL};
	pid_t proxy = 0;
	char line[64], host[64], localhost[64];
	assert_int_equal(spawn_ready(argv, &proxy, line, sizeof line), 0);
	int port = atoi(line + 6);
	snprintf(host, sizeof host, "tcp://127.0.0.1:%d", port);
	snprintf(localhost, sizeof localhost, "tcp://localhost:%d", port);
	struct c2s_engine_error err;
	/* DOCKER_TLS_VERIFY with DOCKER_CERT_PATH: verified both ways */
	const char *verify[] = {"DOCKER_TLS_VERIFY=1", "DOCKER_CERT_PATH=" FIX "/certs", NULL};
	struct c2s_engine *e = open_at(host, verify, NULL);
	assert_int_equal(c2s_engine_require_manager(e, NULL, &err), 0);
	assert_string_equal(c2s_engine_api_version(e), "1.50");
	c2s_engine_close(e);
	e = open_at(localhost, verify, NULL); /* the name is checked too: the certificate says localhost */
	assert_int_equal(c2s_engine_ping(e, NULL, &err), 0);
	c2s_engine_close(e);
	/* without a client certificate the daemon hangs up: an error, not a hang */
	char dir[] = "/tmp/c2s-tls.XXXXXX", ca[300], var[300];
	assert_non_null(mkdtemp(dir));
	snprintf(ca, sizeof ca, "%s/ca.pem", dir);
	FILE *in = fopen(FIX "/certs/ca.pem", "rb"), *out = fopen(ca, "wb");
	assert_non_null(in);
	assert_non_null(out);
	char buf[8192];
	size_t n;
	while ((n = fread(buf, 1, sizeof buf, in)) > 0)
		assert_int_equal(fwrite(buf, 1, n, out), n);
	fclose(in);
	fclose(out);
	snprintf(var, sizeof var, "DOCKER_CERT_PATH=%s", dir);
	const char *nocert[] = {"DOCKER_TLS_VERIFY=1", var, NULL};
	e = open_at(host, nocert, NULL);
	assert_int_equal(c2s_engine_ping(e, NULL, &err), -1);
	assert_int_equal(err.code, C2S_ENGINE_ERR_CONNECT);
	c2s_engine_close(e);
	unlink(ca);
	rmdir(dir);
	/* a CA that did not sign the daemon's certificate: refused... */
	const char *otherca[] = {"DOCKER_TLS_VERIFY=1", "DOCKER_CERT_PATH=" FIX "/certs/other", NULL};
	e = open_at(host, otherca, NULL);
	assert_int_equal(c2s_engine_ping(e, NULL, &err), -1);
	assert_int_equal(err.code, C2S_ENGINE_ERR_CONNECT);
	assert_non_null(strstr(err.message, "error during connect"));
	c2s_engine_close(e);
	/* ...unless DOCKER_TLS asks for TLS without verifying (the client certificate still goes) */
	const char *noverify[] = {"DOCKER_TLS=1", "DOCKER_CERT_PATH=" FIX "/certs", NULL};
	e = open_at(host, noverify, NULL);
	assert_int_equal(c2s_engine_ping(e, NULL, &err), 0);
	c2s_engine_close(e);
	/* ...plain http to a TLS daemon: docker's hint */
	e = open_at(host, NULL, NULL);
	assert_int_equal(c2s_engine_ping(e, NULL, &err), -1);
	assert_int_equal(err.code, C2S_ENGINE_ERR_CONNECT);
	if (!strstr(err.message, "Are you trying to connect to a TLS-enabled daemon without TLS?"))
		fail_msg("%s", err.message);
	c2s_engine_close(e);
	spawn_stop(&proxy);
	fake_stop(&f);
}

/* ---- a canned server: answers fakedockerd never gives ---- */

struct canned {
	int listen_fd;
	char dir[64], sock[100], host[110];
	const char *const *answers; /* raw responses in order; "CLOSE": hang up; "HANG": say nothing */
	size_t next;
	char seen[8192]; /* request lines received, one per line */
	pthread_t thread;
};

static void *canned_run(void *arg)
{
	struct canned *c = arg;
	for (;;) {
		int fd = accept(c->listen_fd, NULL, NULL);
		if (fd < 0)
			return NULL;
		char buf[65536];
		size_t have = 0;
		for (;;) {
			char *end = NULL;
			while (!(end = memmem(buf, have, "\r\n\r\n", 4))) {
				ssize_t r = read(fd, buf + have, sizeof buf - 1 - have);
				if (r <= 0)
					goto next;
				have += (size_t)r;
				buf[have] = '\0';
			}
			size_t head = (size_t)(end + 4 - buf), body = 0;
			char *cl = strcasestr(buf, "\r\nContent-Length:");
			if (cl && cl < end)
				body = (size_t)strtoul(cl + 17, NULL, 10);
			while (have < head + body) {
				ssize_t r = read(fd, buf + have, sizeof buf - 1 - have);
				if (r <= 0)
					goto next;
				have += (size_t)r;
				buf[have] = '\0';
			}
			char *eol = memchr(buf, '\r', have);
			size_t sl = strlen(c->seen);
			snprintf(c->seen + sl, sizeof c->seen - sl, "%.*s\n", (int)(eol - buf), buf);
			memmove(buf, buf + head + body, have - head - body);
			have -= head + body;
			const char *a = c->answers[c->next] ? c->answers[c->next++] : "CLOSE";
			if (strcmp(a, "CLOSE") == 0)
				goto next;
			if (strcmp(a, "HANG") == 0) {
				char sink[256];
				while (read(fd, sink, sizeof sink) > 0) /* until the client gives up */
					;
				goto next;
			}
			if (write(fd, a, strlen(a)) < 0)
				goto next;
		}
	next:
		close(fd);
	}
}

static void canned_start(struct canned *c, const char *const *answers)
{
	memset(c, 0, sizeof *c);
	snprintf(c->dir, sizeof c->dir, "/tmp/c2s-canned.XXXXXX");
	assert_non_null(mkdtemp(c->dir));
	snprintf(c->sock, sizeof c->sock, "%s/s", c->dir);
	snprintf(c->host, sizeof c->host, "unix://%s", c->sock);
	c->answers = answers;
	c->listen_fd = socket(AF_UNIX, SOCK_STREAM, 0);
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	snprintf(sa.sun_path, sizeof sa.sun_path, "%s", c->sock);
	assert_int_equal(bind(c->listen_fd, (struct sockaddr *)&sa, sizeof sa), 0);
	assert_int_equal(listen(c->listen_fd, 4), 0);
	assert_int_equal(pthread_create(&c->thread, NULL, canned_run, c), 0);
}

static void canned_stop(struct canned *c)
{
	shutdown(c->listen_fd, SHUT_RDWR);
	close(c->listen_fd);
	pthread_join(c->thread, NULL);
	unlink(c->sock);
	rmdir(c->dir);
}

#define PING_OK(v) "HTTP/1.1 200 OK\r\nApi-Version: " v "\r\nContent-Length: 0\r\n\r\n"
#define JSON(status, body)                                                                                   \
	"HTTP/1.1 " status "\r\nContent-Type: application/json\r\nContent-Length: " #body "\r\n\r\n"
static const char not_allowed[] = "HTTP/1.1 405 Method Not Allowed\r\nContent-Length: 0\r\n\r\n";
static const char no_version[] = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nOK";

static void test_canned_ping_fallbacks(void **state)
{
	(void)state;
	NEEDS_CURL();
	/* HEAD refused: GET asked (client/ping.go); no Api-Version: 1.24 */
	const char *answers[] = {not_allowed, no_version,
				 "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n[]", NULL};
	struct canned c;
	canned_start(&c, answers);
	struct c2s_engine *e = open_at(c.host, NULL, NULL);
	struct c2s_engine_error err;
	cJSON *list;
	assert_int_equal(c2s_engine_list_stack(e, C2S_ENGINE_CONFIGS, "s", &list, &err), 0);
	cJSON_Delete(list);
	assert_string_equal(c2s_engine_api_version(e), "1.24");
	c2s_engine_close(e);
	canned_stop(&c);
	assert_string_equal(c.seen, "HEAD /_ping HTTP/1.1\nGET /_ping HTTP/1.1\n"
				    "GET /v1.24/configs?filters=%7B%22label%22%3A%7B%22com.docker.stack.namespace%3Ds%22%3Atrue%7D%7D HTTP/1.1\n");
}

static void test_canned_errors(void **state)
{
	(void)state;
	NEEDS_CURL();
	const char *answers[] = {
		PING_OK("1.41"),
		"HTTP/1.1 500 Internal Server Error\r\nContent-Type: text/plain\r\nContent-Length: 14\r\n\r\nplain trouble\n",
		"HTTP/1.1 409 Conflict\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{}",
		"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n",
		"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 9\r\n\r\nnot json!",
		"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{}",
		NULL};
	struct canned c;
	canned_start(&c, answers);
	struct c2s_engine *e = open_at(c.host, NULL, NULL);
	struct c2s_engine_error err;
	cJSON *j;
	assert_int_equal(c2s_engine_get_json(e, "/a", NULL, 0, &j, &err), -1);
	assert_int_equal(err.http_status, 500);
	assert_string_equal(err.message, "Error response from daemon: plain trouble");
	assert_int_equal(c2s_engine_get_json(e, "/b", NULL, 0, &j, &err), -1);
	assert_string_equal(err.message, "API returned a 409 (Conflict) but provided no error-message");
	assert_int_equal(c2s_engine_get_json(e, "/c", NULL, 0, &j, &err), -1);
	assert_int_equal(err.code, C2S_ENGINE_ERR_DAEMON);
	assert_string_equal(err.message, "request returned 404 Not Found for API route and version "
					 "http://api.moby.localhost/v1.41/c, check if the server supports the requested API version");
	assert_int_equal(c2s_engine_get_json(e, "/d", NULL, 0, &j, &err), -1);
	assert_int_equal(err.code, C2S_ENGINE_ERR_RESPONSE);
	/* a list that is not a list */
	assert_int_equal(c2s_engine_list_stack(e, C2S_ENGINE_TASKS, "s", &j, &err), -1);
	assert_int_equal(err.code, C2S_ENGINE_ERR_RESPONSE);
	/* the server hangs up: the next answer is missing */
	assert_int_equal(c2s_engine_get_json(e, "/f", NULL, 0, &j, &err), -1);
	assert_int_equal(err.code, C2S_ENGINE_ERR_CONNECT);
	assert_non_null(strstr(err.message, "error during connect: Get \"http://api.moby.localhost/v1.41/f\""));
	c2s_engine_close(e);
	canned_stop(&c);
}

static void test_canned_limits(void **state)
{
	(void)state;
	NEEDS_CURL();
	/* a body over the cap (the options lower C2S_MAX_ENGINE_RESPONSE_BYTES for the test) */
	const char *answers[] = {PING_OK("1.50"),
				 "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 40\r\n\r\n"
				 "[\"0123456789\",\"0123456789\",\"0123456789\"]",
				 "HANG", NULL};
	struct canned c;
	canned_start(&c, answers);
	struct c2s_engine_options o = {.max_response = 39, .timeout_ms = 400};
	struct c2s_engine *e = open_at(c.host, NULL, &o);
	struct c2s_engine_error err;
	cJSON *j;
	assert_int_equal(c2s_engine_get_json(e, "/big", NULL, 0, &j, &err), -1);
	assert_int_equal(err.code, C2S_ENGINE_ERR_RESPONSE);
	assert_non_null(strstr(err.message, "larger than 39 bytes"));
	/* a daemon that never answers: the timeout, not a hang */
	assert_int_equal(c2s_engine_get_json(e, "/slow", NULL, 0, &j, &err), -1);
	assert_int_equal(err.code, C2S_ENGINE_ERR_TIMEOUT);
	assert_non_null(strstr(err.message, "did not answer GET"));
	c2s_engine_close(e);
	canned_stop(&c);
}

static void test_path_escape(void **state)
{
	(void)state;
	NEEDS_CURL();
	const char *answers[] = {PING_OK("1.50"), JSON("200 OK", 2) "{}", NULL};
	struct canned c;
	canned_start(&c, answers);
	struct c2s_engine *e = open_at(c.host, NULL, NULL);
	struct c2s_engine_error err;
	cJSON *j;
	/* url.URL's EscapedPath: '/', ':', '@' stay, a space and '?' do not */
	assert_int_equal(c2s_engine_get_json(e, "/distribution/reg:5000/a b?@sha256:x/json", NULL, 0, &j, &err), 0);
	cJSON_Delete(j);
	c2s_engine_close(e);
	canned_stop(&c);
	assert_non_null(strstr(c.seen, "GET /v1.50/distribution/reg:5000/a%20b%3F@sha256:x/json HTTP/1.1\n"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sha256),
		cmocka_unit_test(test_version_cmp),
		cmocka_unit_test(test_filters_as_docker_sends_them),
		cmocka_unit_test(test_json_print),
		cmocka_unit_test(test_hosts),
		cmocka_unit_test(test_default_socket_and_conflicts),
		cmocka_unit_test(test_tls_from_environment),
		cmocka_unit_test(test_contexts),
		cmocka_unit_test(test_config_json_limits),
		cmocka_unit_test(test_custom_headers),
		cmocka_unit_test(test_without_curl),
		cmocka_unit_test_teardown(test_fake_negotiate_and_list, fake_teardown),
		cmocka_unit_test_teardown(test_fake_versions, fake_teardown),
		cmocka_unit_test_teardown(test_fake_not_a_manager, fake_teardown),
		cmocka_unit_test(test_unreachable),
		cmocka_unit_test(test_ssh_failures),
		cmocka_unit_test_teardown(test_tls, fake_teardown),
		cmocka_unit_test(test_canned_ping_fallbacks),
		cmocka_unit_test(test_canned_errors),
		cmocka_unit_test(test_canned_limits),
		cmocka_unit_test(test_path_escape),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
