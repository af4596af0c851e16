/* test_goval_volume.c -- the short volume syntax as docker/cli's loader reads it
 * (goval.c, loader/volume.go ParseVolume): the cases of volume_test.go at
 * v28.2.2, the split cases with their fields, and the error texts `docker
 * stack config` 28.2.2 prints after "error decoding 'Volumes[0]': ". */
#include "config.h"
#include "testutil.h"

#include "goval.h"

struct vol_case {
	const char *in;
	const char *source; /* NULL: none */
	const char *target;
	int bind, ro, nocopy;
	const char *prop;
};

static void expect(const struct vol_case *c)
{
	struct c2s_volume_spec v;
	char err[256] = "";
	if (c2s_volume_spec_parse(c->in, strlen(c->in), &v, err, sizeof err) != 0)
		fail_msg("[%s]: %s", c->in, err);
	if (c->source) {
		if (!v.source || v.source_n != strlen(c->source) || memcmp(v.source, c->source, v.source_n))
			fail_msg("[%s]: source [%.*s], want [%s]", c->in, (int)v.source_n, v.source ? v.source : "",
				 c->source);
	} else if (v.source) {
		fail_msg("[%s]: a source [%.*s]", c->in, (int)v.source_n, v.source);
	}
	if (v.target_n != strlen(c->target) || memcmp(v.target, c->target, v.target_n))
		fail_msg("[%s]: target [%.*s], want [%s]", c->in, (int)v.target_n, v.target, c->target);
	assert_int_equal(v.bind, c->bind);
	assert_int_equal(v.read_only, c->ro);
	assert_int_equal(v.nocopy, c->nocopy);
	if (c->prop)
		assert_string_equal(v.propagation ? v.propagation : "", c->prop);
	else
		assert_null(v.propagation);
}

static void test_fields(void **state)
{
	(void)state;
	static const struct vol_case cases[] = {
		/* volume_test.go */
		{"/path", NULL, "/path", 0, 0, 0, NULL}, {"/path/foo", NULL, "/path/foo", 0, 0, 0, NULL},
		{"C:\\path", NULL, "C:\\path", 0, 0, 0, NULL}, {"Z:\\path\\foo", NULL, "Z:\\path\\foo", 0, 0, 0, NULL},
		{".", NULL, ".", 0, 0, 0, NULL}, {"/a", NULL, "/a", 0, 0, 0, NULL},
		{"./foo:/target", "./foo", "/target", 1, 0, 0, NULL}, {"~/thing:/target", "~/thing", "/target", 1, 0, 0, NULL},
		{"../other:/target", "../other", "/target", 1, 0, 0, NULL}, {"/foo:/target", "/foo", "/target", 1, 0, 0, NULL},
		{"./foo:d:\\target", "./foo", "d:\\target", 1, 0, 0, NULL},
		{"C:\\source\\foo:d:\\target", "C:\\source\\foo", "d:\\target", 1, 0, 0, NULL},
		{"/source:/target:slave", "/source", "/target", 1, 0, 0, "slave"},
		{"C:\\source\\foo:D:\\target:ro,rprivate", "C:\\source\\foo", "D:\\target", 1, 1, 0, "rprivate"},
		{"name:/target:bogus", "name", "/target", 0, 0, 0, NULL},
		{"name:/target:nocopy", "name", "/target", 0, 0, 1, NULL},
		{"./foo:/target:ro", "./foo", "/target", 1, 1, 0, NULL}, {"/home/user:/target:rw", "/home/user", "/target", 1, 0, 0, NULL},
		{"\\\\.\\pipe\\docker_engine:\\\\.\\pipe\\inside", "\\\\.\\pipe\\docker_engine", "\\\\.\\pipe\\inside", 1, 0, 0, NULL},
		/* the split cases */
		{"C:\\foo:d:", "C:\\foo", "d:", 1, 0, 0, NULL}, {"/foo:/bar:ro", "/foo", "/bar", 1, 1, 0, NULL},
		{"C:\\foo\\:/foo", "C:\\foo\\", "/foo", 1, 0, 0, NULL}, {"d:\\", NULL, "d:\\", 0, 0, 0, NULL},
		{"d:\\pathandmode:rw", "d:\\pathandmode", "rw", 1, 0, 0, NULL},
		{"c:\\windows:d:\\s p a c e:RW", "c:\\windows", "d:\\s p a c e", 1, 0, 0, NULL},
		{"0123456789name:d:", "0123456789name", "d:", 0, 0, 0, NULL}, {"name:D::rW", "name", "D:", 0, 0, 0, NULL},
		{"c:/:d:/forward/slashes/are/good/too", "c:/", "d:/forward/slashes/are/good/too", 1, 0, 0, NULL},
		{"c:\\:d:\\:xyzzy", "c:\\", "d:\\", 1, 0, 0, NULL}, {"/tmp/x/y:/foo/x/y", "/tmp/x/y", "/foo/x/y", 1, 0, 0, NULL},
		/* isFilePath: one rune is a name ("a界" is two), a letter and ':' a drive */
		{"a\xe7\x95\x8c:/t", "a\xe7\x95\x8c", "/t", 0, 0, 0, NULL}, {"\xc3\xa9:/t", NULL, "\xc3\xa9:/t", 0, 0, 0, NULL},
		{"ab", NULL, "ab", 0, 0, 0, NULL}, {"x:/t", NULL, "x:/t", 0, 0, 0, NULL}, {"a::b", "a:", "b", 1, 0, 0, NULL},
		/* the mode: the last word counts */
		{"./a:/t:ro,rw", "./a", "/t", 1, 0, 0, NULL}, {"./a:/t:rw,shared,slave", "./a", "/t", 1, 0, 0, "slave"},
		{"data:/t:z,ro,nocopy", "data", "/t", 0, 1, 1, NULL},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
		expect(&cases[i]);
}

static void test_errors(void **state)
{
	(void)state;
	static const char *const cases[][2] = {
		{"", "invalid empty volume spec"},
		{"/foo:/foo:ro:foo", "invalid spec: /foo:/foo:ro:foo: too many colons"},
		{":foo", "invalid spec: :foo: empty section between colons"},
		{"/foo::ro", "invalid spec: /foo::ro: empty section between colons"},
		{":C:\\foo:d:", "invalid spec: :C:\\foo:d:: empty section between colons"},
		{"./a:/t:ro:x", "invalid spec: ./a:/t:ro:x: too many colons"},
		{"/a/b:", "invalid spec: /a/b:: empty section between colons"},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct c2s_volume_spec v;
		char err[256] = "";
		if (c2s_volume_spec_parse(cases[i][0], strlen(cases[i][0]), &v, err, sizeof err) == 0)
			fail_msg("[%s] accepted", cases[i][0]);
		assert_string_equal(err, cases[i][1]);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fields),
		cmocka_unit_test(test_errors),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
