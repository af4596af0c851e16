/* test_resolve.c -- plain scalars resolve as gopkg.in/yaml.v3 resolves them (docker's YAML library). */
#include "config.h"
#include "testutil.h"

#include <math.h>

struct want {
	const char *text;
	enum c2s_type type;
	long long i;
	double f;
};

static void test_table(void **state)
{
	(void)state;
	static const struct want cases[] = {
		{"", C2S_TYPE_NULL, 0, 0}, {"~", C2S_TYPE_NULL, 0, 0}, {"null", C2S_TYPE_NULL, 0, 0},
		{"Null", C2S_TYPE_NULL, 0, 0}, {"NULL", C2S_TYPE_NULL, 0, 0}, {"nULL", C2S_TYPE_STRING, 0, 0},
		{"true", C2S_TYPE_BOOL, 1, 0}, {"True", C2S_TYPE_BOOL, 1, 0}, {"FALSE", C2S_TYPE_BOOL, 0, 0},
		/* YAML 1.1 booleans are strings in yaml.v3 */
		{"yes", C2S_TYPE_STRING, 0, 0}, {"on", C2S_TYPE_STRING, 0, 0}, {"y", C2S_TYPE_STRING, 0, 0},
		{"0", C2S_TYPE_INT, 0, 0}, {"42", C2S_TYPE_INT, 42, 0}, {"-7", C2S_TYPE_INT, -7, 0},
		{"+5", C2S_TYPE_INT, 5, 0}, {"0x1F", C2S_TYPE_INT, 31, 0}, {"0X1f", C2S_TYPE_INT, 31, 0},
		{"0o17", C2S_TYPE_INT, 15, 0}, {"017", C2S_TYPE_INT, 15, 0}, {"0b101", C2S_TYPE_INT, 5, 0},
		{"-0b11", C2S_TYPE_INT, -3, 0}, {"1_000", C2S_TYPE_INT, 1000, 0}, {"0400", C2S_TYPE_INT, 256, 0},
		{"9223372036854775807", C2S_TYPE_INT, 9223372036854775807LL, 0},
		{"-9223372036854775808", C2S_TYPE_INT, (-9223372036854775807LL - 1), 0},
		{"18446744073709551615", C2S_TYPE_UINT, 0, 18446744073709551615.0},
		{"100000000000000000000", C2S_TYPE_FLOAT, 0, 1e20},
		{"08", C2S_TYPE_FLOAT, 0, 8}, {"09.5", C2S_TYPE_FLOAT, 0, 9.5},
		{"1.5", C2S_TYPE_FLOAT, 0, 1.5}, {"1e3", C2S_TYPE_FLOAT, 0, 1000}, {"-.5", C2S_TYPE_FLOAT, 0, -0.5},
		{".5", C2S_TYPE_FLOAT, 0, 0.5}, {"1.", C2S_TYPE_FLOAT, 0, 1}, {"1e400", C2S_TYPE_STRING, 0, 0},
		{".inf", C2S_TYPE_FLOAT, 0, INFINITY}, {"-.Inf", C2S_TYPE_FLOAT, 0, -INFINITY},
		{"+.INF", C2S_TYPE_FLOAT, 0, INFINITY}, {"inf", C2S_TYPE_STRING, 0, 0},
		{".", C2S_TYPE_STRING, 0, 0}, {"0x", C2S_TYPE_STRING, 0, 0}, {"1_", C2S_TYPE_INT, 1, 0},
		{"_1", C2S_TYPE_STRING, 0, 0}, {"1.2.3", C2S_TYPE_STRING, 0, 0}, {"0x1p3", C2S_TYPE_STRING, 0, 0},
		{"12:30", C2S_TYPE_STRING, 0, 0}, {"1e", C2S_TYPE_STRING, 0, 0}, {"<<", C2S_TYPE_MERGE, 0, 0},
		{"2001-01-01", C2S_TYPE_TIMESTAMP, 0, 0}, {"2001-1-2", C2S_TYPE_TIMESTAMP, 0, 0},
		{"2001-02-30", C2S_TYPE_STRING, 0, 0}, {"2000-02-29", C2S_TYPE_TIMESTAMP, 0, 0},
		{"1900-02-29", C2S_TYPE_STRING, 0, 0}, {"2001-13-01", C2S_TYPE_STRING, 0, 0},
		{"2001-12-14t21:59:43.10-05:00", C2S_TYPE_TIMESTAMP, 0, 0},
		{"2001-12-14T21:59:43Z", C2S_TYPE_TIMESTAMP, 0, 0},
		{"2001-12-14 21:59:43.10", C2S_TYPE_TIMESTAMP, 0, 0},
		{"2001-12-14 21:59:43.10 -5", C2S_TYPE_STRING, 0, 0},
		{"2001-12-14T21:59:43", C2S_TYPE_STRING, 0, 0},
		{"20011-01-01", C2S_TYPE_STRING, 0, 0},
		{"nginx:1.25", C2S_TYPE_STRING, 0, 0}, {"-", C2S_TYPE_STRING, 0, 0}, {"+", C2S_TYPE_STRING, 0, 0},
	};
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		struct c2s_value v;
		enum c2s_type t = c2s_resolve_plain(cases[i].text, strlen(cases[i].text), &v);
		if (t != cases[i].type)
			fail_msg("'%s': type %d, want %d", cases[i].text, t, cases[i].type);
		if (t == C2S_TYPE_INT)
			assert_true(v.i == cases[i].i);
		if (t == C2S_TYPE_BOOL)
			assert_int_equal(v.boolean, cases[i].i);
		if (t == C2S_TYPE_FLOAT || t == C2S_TYPE_UINT)
			assert_true(v.f == cases[i].f);
	}
}

static void test_timestamp_fields(void **state)
{
	(void)state;
	struct c2s_value v;
	assert_int_equal(c2s_resolve_plain("2001-12-14t21:59:43.10-05:00", 28, &v), C2S_TYPE_TIMESTAMP);
	assert_int_equal(v.ts.year, 2001);
	assert_int_equal(v.ts.month, 12);
	assert_int_equal(v.ts.day, 14);
	assert_int_equal(v.ts.hour, 21);
	assert_int_equal(v.ts.minute, 59);
	assert_int_equal(v.ts.second, 43);
	assert_int_equal(v.ts.nanosecond, 100000000);
	assert_int_equal(v.ts.offset_minutes, -300);
	assert_int_equal(v.ts.zone, 1);
}

static void test_styles_and_tags(void **state)
{
	(void)state;
	struct loaded *l = LOAD("a: '1'\nb: \"true\"\nc: !!str 5\nd: !!float 5\ne: !!int 7\nf: ! 8\ng: |\n  9\n");
	struct c2s_value v;
	assert_int_equal(c2s_resolve(&l->doc, path(l, "a", NULL), &v), C2S_TYPE_STRING);
	assert_int_equal(c2s_resolve(&l->doc, path(l, "b", NULL), &v), C2S_TYPE_STRING);
	assert_int_equal(c2s_resolve(&l->doc, path(l, "c", NULL), &v), C2S_TYPE_STRING);
	assert_int_equal(c2s_resolve(&l->doc, path(l, "d", NULL), &v), C2S_TYPE_FLOAT);
	assert_true(v.f == 5.0);
	assert_int_equal(c2s_resolve(&l->doc, path(l, "e", NULL), &v), C2S_TYPE_INT);
	assert_int_equal(c2s_resolve(&l->doc, path(l, "f", NULL), &v), C2S_TYPE_STRING);
	assert_int_equal(c2s_resolve(&l->doc, path(l, "g", NULL), &v), C2S_TYPE_STRING);
	loaded_free(l);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_table),
		cmocka_unit_test(test_timestamp_fields),
		cmocka_unit_test(test_styles_and_tags),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
