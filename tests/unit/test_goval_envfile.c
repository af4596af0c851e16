/* test_goval_envfile.c -- env files as docker/cli's pkg/kvfile reads them
 * (goval_file.c): kvfile_test.go's cases, the line length bufio.Scanner allows
 * (65,535 bytes and its '\n' pass, one more is "token too long": both checked
 * with `docker stack config` 28.2.2 on a service env_file), and our own read
 * limit, C2S_ENVFILE_MAX_BYTES. */
#include "config.h"
#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "goval.h"

struct kv_seen {
	char text[512];
};

static int kv_collect(void *ctx, const char *key, size_t klen, const char *value, size_t vlen, int has_value)
{
	struct kv_seen *s = ctx;
	size_t o = strlen(s->text);
	if (has_value)
		snprintf(s->text + o, sizeof s->text - o, "[%.*s=%.*s]", (int)klen, key, (int)vlen, value);
	else
		snprintf(s->text + o, sizeof s->text - o, "[%.*s]", (int)klen, key);
	return 0;
}

static void expect_envfile(const char *data, size_t len, int rc, const char *want)
{
	struct kv_seen s = {{0}};
	char err[256] = "";
	int got = c2s_envfile_parse(data, len, kv_collect, &s, err, sizeof err);
	if (got != rc)
		fail_msg("rc %d want %d (%s)", got, rc, err);
	const char *text = rc ? err : s.text;
	if (strcmp(text, want) != 0)
		fail_msg("got '%s' want '%s'", text, want);
}
#define ENVFILE(s, rc, want) expect_envfile((s), sizeof(s) - 1, (rc), (want))

static void test_lines(void **state)
{
	(void)state;
	/* kvfile_test.go */
	ENVFILE("foo=bar\n    baz=quux\n# comment\n\n_foobar=foobaz\nwith.dots=working\nand_underscore=working too\n"
		"\n    \t  ",
		0, "[foo=bar][baz=quux][_foobar=foobaz][with.dots=working][and_underscore=working too]");
	ENVFILE("", 0, "");
	ENVFILE("foo=bar\n    f   =quux\n", -1, "variable 'f   ' contains whitespaces");
	ENVFILE("first line\nanother invalid line", -1, "variable 'first line' contains whitespaces");
	ENVFILE("# comment=\nVAR=VAR_VALUE\nEMPTY_VAR=\nUNDEFINED_VAR\nDEFINED_VAR\n", 0,
		"[VAR=VAR_VALUE][EMPTY_VAR=][UNDEFINED_VAR][DEFINED_VAR]");
	ENVFILE("# comment=\n=blank variable names are an error case\n", -1,
		"no variable name on line '=blank variable names are an error case'");
	ENVFILE("foo=bar\n    f\xff=quux\n", -1, "invalid utf8 bytes at line 2: [32 32 32 32 102 255 61 113 117 117 120]");
	/* docker stack config: values verbatim, quotes and trailing blanks kept */
	ENVFILE("A=1\nB=two words \n", 0, "[A=1][B=two words ]");
	ENVFILE("\xef\xbb\xbf" "A=1", 0, "[A=1]");
	ENVFILE("  # comment\n\n\tA=\"q\"\r\nBARE\n", 0, "[A=\"q\"][BARE]");
	ENVFILE("A==x\n", 0, "[A==x]");
	ENVFILE("\xc2\xa0" "A=1\n", 0, "[A=1]");
	ENVFILE("A=1\n\xef\xbb\xbf" "B=2\n", 0, "[A=1][\xef\xbb\xbf" "B=2]");  /* a BOM only opens line 1 */
	ENVFILE("=x\n", -1, "no variable name on line '=x'");
	ENVFILE("export A=1\n", -1, "variable 'export A' contains whitespaces");
	ENVFILE("A B\n", -1, "variable 'A B' contains whitespaces");
	ENVFILE("ok=1\nA=\xff\n", -1, "invalid utf8 bytes at line 2: [65 61 255]");
	ENVFILE("\xed\xa0\x80\n", -1, "invalid utf8 bytes at line 1: [237 160 128]");
}

static void test_line_length(void **state)
{
	(void)state;
	size_t max = C2S_ENVFILE_MAX_LINE;
	char *buf = malloc(max + 8);
	struct kv_seen s;
	char err[64];
	memcpy(buf, "foo=", 4);
	/* 65,535 bytes and a '\n': one scanner buffer */
	memset(buf + 4, 'a', max - 5);
	buf[max - 1] = '\n';
	memset(&s, 0, sizeof s);
	assert_int_equal(c2s_envfile_parse(buf, max, NULL, &s, err, sizeof err), 0);
	/* 65,536 before the '\n', or as the last line: too long */
	memset(buf + 4, 'a', max - 4);
	buf[max] = '\n';
	assert_int_equal(c2s_envfile_parse(buf, max + 1, NULL, &s, err, sizeof err), -1);
	assert_string_equal(err, "bufio.Scanner: token too long");
	assert_int_equal(c2s_envfile_parse(buf, max, NULL, &s, err, sizeof err), -1);
	assert_int_equal(c2s_envfile_parse(buf, max - 1, NULL, &s, err, sizeof err), 0);
	free(buf);
}

static int stop_at_b(void *ctx, const char *key, size_t klen, const char *value, size_t vlen, int has_value)
{
	(void)ctx, (void)value, (void)vlen, (void)has_value;
	return klen == 1 && key[0] == 'B';
}

static void test_files(void **state)
{
	(void)state;
	char path[] = "/tmp/c2s-goval-envfile-XXXXXX", err[512], want[512];
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	FILE *f = fdopen(fd, "w");
	fputs("A=1\nB=2\n", f);
	fclose(f);
	assert_int_equal(c2s_envfile_load(path, NULL, NULL, err, sizeof err), C2S_ENVFILE_OK);
	assert_int_equal(c2s_envfile_load(path, stop_at_b, NULL, err, sizeof err), C2S_ENVFILE_NOMEM);
	f = fopen(path, "w");
	fputs("bad key=1\n", f);
	fclose(f);
	assert_int_equal(c2s_envfile_load(path, NULL, NULL, err, sizeof err), C2S_ENVFILE_INVALID);
	snprintf(want, sizeof want, "invalid env file (%s): variable 'bad key' contains whitespaces", path);
	assert_string_equal(err, want);
	/* C2S_ENVFILE_MAX_BYTES: one byte more is refused, with the limit named */
	f = fopen(path, "w");
	char line[4096];
	memset(line, 'a', sizeof line - 1);
	line[0] = 'K', line[1] = '=', line[sizeof line - 1] = '\n';
	for (size_t n = 0; n < C2S_ENVFILE_MAX_BYTES / sizeof line; n++)
		fwrite(line, 1, sizeof line, f);
	fclose(f);
	assert_int_equal(c2s_envfile_load(path, NULL, NULL, err, sizeof err), C2S_ENVFILE_OK);
	f = fopen(path, "a");
	fputc('\n', f);
	fclose(f);
	assert_int_equal(c2s_envfile_load(path, NULL, NULL, err, sizeof err), C2S_ENVFILE_TOO_BIG);
	assert_non_null(strstr(err, "C2S_ENVFILE_MAX_BYTES"));
	unlink(path);
	assert_int_equal(c2s_envfile_load(path, NULL, NULL, err, sizeof err), C2S_ENVFILE_IO);
	snprintf(want, sizeof want, "open %s: no such file or directory", path);
	assert_string_equal(err, want);
	/* a directory opens and fails to read: kvfile wraps the scanner's error */
	assert_int_equal(c2s_envfile_load("/", NULL, NULL, err, sizeof err), C2S_ENVFILE_INVALID);
	assert_string_equal(err, "invalid env file (/): read /: is a directory");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_lines),
		cmocka_unit_test(test_line_length),
		cmocka_unit_test(test_files),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
