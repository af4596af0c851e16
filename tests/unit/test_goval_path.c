/* test_goval_path.c -- paths as docker/cli treats them (goval_file.c):
 * filepath.Clean and Join (Go's path_test.go cleantests and jointests, Unix),
 * the loader's absPath, its Windows isAbs (loader/windows_path_test.go) joined
 * with path.IsAbs for bind sources, and the stack's working directory as
 * GetConfigDetails makes it (filepath.Dir(filepath.Abs(first file))). */
#include "config.h"
#include "testutil.h"

#include "goval.h"

static void test_clean(void **state)
{
	(void)state;
	static const char *const cases[][2] = {
		{"abc", "abc"}, {"abc/def", "abc/def"}, {"a/b/c", "a/b/c"}, {".", "."}, {"..", ".."},
		{"../..", "../.."}, {"../../abc", "../../abc"}, {"/abc", "/abc"}, {"/", "/"}, {"", "."},
		{"abc/", "abc"}, {"abc/def/", "abc/def"}, {"a/b/c/", "a/b/c"}, {"./", "."}, {"../", ".."},
		{"../../", "../.."}, {"/abc/", "/abc"}, {"abc//def//ghi", "abc/def/ghi"}, {"abc//", "abc"},
		{"abc/./def", "abc/def"}, {"/./abc/def", "/abc/def"}, {"abc/.", "abc"},
		{"abc/def/ghi/../jkl", "abc/def/jkl"}, {"abc/def/../ghi/../jkl", "abc/jkl"}, {"abc/def/..", "abc"},
		{"abc/def/../..", "."}, {"/abc/def/../..", "/"}, {"abc/def/../../..", ".."},
		{"/abc/def/../../..", "/"}, {"abc/def/../../../ghi/jkl/../../../mno", "../../mno"},
		{"/../abc", "/abc"}, {"abc/./../def", "def"}, {"abc//./../def", "def"},
		{"abc/../../././../def", "../../def"}, {"//abc", "/abc"}, {"///abc", "/abc"}, {"//abc//", "/abc"},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		char out[64];
		size_t n = c2s_path_clean(cases[i][0], strlen(cases[i][0]), out);
		assert_string_equal(out, cases[i][1]);
		assert_int_equal(n, strlen(cases[i][1]));
		/* in place, as the join uses it */
		char inplace[64];
		strcpy(inplace, cases[i][0]);
		c2s_path_clean(inplace, strlen(inplace), inplace);
		assert_string_equal(inplace, cases[i][1]);
	}
}

static void test_join(void **state)
{
	(void)state;
	static const char *const cases[][3] = {
		{"a", "b", "a/b"}, {"a", "", "a"}, {"", "b", "b"}, {"/", "a", "/a"}, {"/", "a/b", "/a/b"},
		{"/", "", "/"}, {"/a", "b", "/a/b"}, {"a", "/b", "a/b"}, {"/a", "/b", "/a/b"}, {"a/", "b", "a/b"},
		{"a/", "", "a"}, {"", "", ""}, {"//", "a", "/a"},
		/* the loader's relative files: cleaned against the working directory */
		{"/work/stack", "./e.env", "/work/stack/e.env"}, {"/work/stack", "../other/e.env", "/work/other/e.env"},
		{".", "./x.env", "x.env"}, {".", "../x.env", "../x.env"}, {"dir/sub", "a//b/./c", "dir/sub/a/b/c"},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		char out[96];
		c2s_path_join(cases[i][0], strlen(cases[i][0]), cases[i][1], strlen(cases[i][1]), out);
		assert_string_equal(out, cases[i][2]);
	}
	/* absPath: an absolute file is taken as written, not cleaned */
	char out[64];
	c2s_path_resolve("/w", 2, "/a/./b/", 7, out);
	assert_string_equal(out, "/a/./b/");
	c2s_path_resolve("/w", 2, "a/./b/", 6, out);
	assert_string_equal(out, "/w/a/b");
}

static void test_is_abs(void **state)
{
	(void)state;
	static const struct {
		const char *path;
		int abs;
	} unix_cases[] = {{"", 0}, {"/", 1}, {"/usr/bin/gcc", 1}, {"..", 0}, {"/a/../bb", 1}, {".", 0}, {"./", 0}, {"lala", 0}};
	static const struct {
		const char *path;
		int abs;
	} win_cases[] = {
		{"C:\\", 1}, {"c\\", 0}, {"c::", 0}, {"c:", 0}, {"\\", 0}, {"\\Windows", 0}, {"c:a\\b", 0},
		{"c:\\a\\b", 1}, {"c:/a/b", 1}, {"\\\\host\\share\\foo", 1}, {"//host/share/foo/bar", 1},
	};
	char buf[64];
	for (size_t i = 0; i < sizeof unix_cases / sizeof unix_cases[0]; i++) {
		const char *p = unix_cases[i].path;
		/* path.IsAbs, or isAbs of "c:" + it (windows_path_test.go) */
		assert_int_equal(c2s_path_is_abs_any(p, strlen(p)), unix_cases[i].abs);
		snprintf(buf, sizeof buf, "c:%s", p);
		assert_int_equal(c2s_path_is_abs_any(buf, strlen(buf)), unix_cases[i].abs);
	}
	for (size_t i = 0; i < sizeof win_cases / sizeof win_cases[0]; i++)
		assert_int_equal(c2s_path_is_abs_any(win_cases[i].path, strlen(win_cases[i].path)), win_cases[i].abs);
	assert_int_equal(c2s_path_volume_name_len("c:x", 3), 2);
	assert_int_equal(c2s_path_volume_name_len("\\\\host\\share\\foo", 16), 12);
}

static void test_workdir(void **state)
{
	(void)state;
	static const char *const cases[][3] = {
		/* cwd, first -c file, working directory */
		{"/home/u", "docker-compose.yml", "/home/u"},
		{"/home/u", "stack/c.yml", "/home/u/stack"},
		{"/home/u", "./stack/../other/c.yml", "/home/u/other"},
		{"/home/u", "/srv/app/c.yml", "/srv/app"},
		{"/home/u", "/c.yml", "/"},
		{"/home/u", "//srv//app/./c.yml", "/srv/app"},
		{"/home/u", "-", "/home/u"},
		{"/", "c.yml", "/"},
		/* no cwd: relative to here, as lint shows paths */
		{NULL, "c.yml", "."}, {NULL, "dir/sub/c.yml", "dir/sub"}, {NULL, "./c.yml", "."},
		{NULL, "a/../c.yml", "."}, {NULL, "/c.yml", "/"}, {NULL, "-", "."}, {NULL, "../x/c.yml", "../x"},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		char out[128];
		assert_int_equal(c2s_path_workdir(cases[i][0], cases[i][1], out, sizeof out), 0);
		assert_string_equal(out, cases[i][2]);
	}
	char tiny[4];
	assert_int_equal(c2s_path_workdir("/home/u", "c.yml", tiny, sizeof tiny), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_clean),
		cmocka_unit_test(test_join),
		cmocka_unit_test(test_is_abs),
		cmocka_unit_test(test_workdir),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
