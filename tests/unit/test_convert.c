/* test_convert.c -- c2s_convert's stages say how the run ended (main.c maps that to the exit status). */
#include "config.h"
#include "testutil.h"
#include "compose2swarm.h"

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

static char dir[] = "/tmp/c2s-test-convert.XXXXXX";

static const char *write_file(const char *name, const char *text)
{
	static char p[256];
	snprintf(p, sizeof p, "%s/%s", dir, name);
	FILE *f = fopen(p, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
	return p;
}

/* convert of files (to: NULL or "api"), output and err to scratch files; err's text in said. */
static enum c2s_convert_status run(const char *const *files, size_t n, const char *to, const char *stack,
				   const char *api_version, const char *output, char *said, size_t saidn)
{
	static const char *const envp[] = {"HOME=/home/u", NULL};
	struct c2s_convert_options o;
	memset(&o, 0, sizeof o);
	o.files = files;
	o.nfiles = n;
	o.to = to;
	o.stack = stack;
	o.api_version = api_version;
	o.output = output;
	o.envp = envp;
	FILE *out = tmpfile(), *err = tmpfile();
	assert_non_null(out);
	assert_non_null(err);
	enum c2s_convert_status st = c2s_convert(&o, out, err);
	rewind(err);
	size_t k = fread(said, 1, saidn - 1, err);
	said[k] = '\0';
	fclose(out);
	fclose(err);
	return st;
}

static void test_statuses(void **state)
{
	(void)state;
	char said[4096];
	assert_non_null(mkdtemp(dir));
	char good[300], bad[300], v2[300];
	snprintf(good, sizeof good, "%s", write_file("good.yml", "services:\n  web:\n    image: nginx\n"));
	snprintf(bad, sizeof bad, "%s", write_file("bad.yml", "services:\n  web:\n    image: nginx\n    stop_grace_period: 1d\n"));
	snprintf(v2, sizeof v2, "%s", write_file("v2.yml", "version: \"3.8\"\nservices:\n  db:\n    image: postgres\n"));
	const char *g[] = {good}, *b[] = {bad}, *gv[] = {good, v2}, *missing[] = {"/nonexistent/c2s.yml"};

	assert_int_equal(run(g, 0, NULL, NULL, NULL, NULL, said, sizeof said), C2S_CONVERT_USAGE);
	assert_non_null(strstr(said, "Specify a Compose file"));
	assert_int_equal(run(g, 1, NULL, NULL, NULL, NULL, said, sizeof said), C2S_CONVERT_OK);
	assert_string_equal(said, "");
	assert_int_equal(run(g, 1, "api", NULL, NULL, NULL, said, sizeof said), C2S_CONVERT_OK);
	assert_int_equal(run(b, 1, NULL, NULL, NULL, NULL, said, sizeof said), C2S_CONVERT_REFUSED);
	assert_int_equal(run(missing, 1, NULL, NULL, NULL, NULL, said, sizeof said), C2S_CONVERT_UNREADABLE);
	assert_int_equal(run(g, 1, "api", "", NULL, NULL, said, sizeof said), C2S_CONVERT_REFUSED);
	assert_non_null(strstr(said, "invalid stack name"));
	assert_int_equal(run(g, 1, "api", NULL, "one", NULL, said, sizeof said), C2S_CONVERT_USAGE);
	/* no version: and "3.8" are two versions to docker */
	assert_int_equal(run(gv, 2, NULL, NULL, NULL, NULL, said, sizeof said), C2S_CONVERT_REFUSED);
	assert_non_null(strstr(said, "version mismatched"));
	assert_int_equal(run(g, 1, NULL, NULL, NULL, "/nonexistent/dir/out.yml", said, sizeof said),
			 C2S_CONVERT_WRITE_FAILED);

	assert_int_equal(c2s_convert_exit(C2S_CONVERT_OK), C2S_EXIT_OK);
	assert_int_equal(c2s_convert_exit(C2S_CONVERT_REFUSED), C2S_EXIT_FINDINGS);
	for (int s = C2S_CONVERT_USAGE; s <= C2S_CONVERT_WRITE_FAILED; s++)
		assert_int_equal(c2s_convert_exit((enum c2s_convert_status)s), C2S_EXIT_TROUBLE);
	unlink(good);
	unlink(bad);
	unlink(v2);
	rmdir(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_statuses),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
