/* test_goval_go.c -- the pieces of Go's standard library docker's values and
 * messages go through (goval.c): strconv.Quote (quote_test.go's quotetests),
 * Atoi and ParseUint, ParseFloat (atof_test.go's atoftests: syntax,
 * underscores, hexadecimal, range), utf8 validity, unicode.IsSpace, and the
 * *PathError text. */
#include "config.h"
#include "testutil.h"

#include <errno.h>
#include <math.h>

#include "goval.h"

static void test_quote(void **state)
{
	(void)state;
	static const char *const cases[][2] = {
		{"\a\b\f\r\n\t\v", "\"\\a\\b\\f\\r\\n\\t\\v\""},
		{"\\", "\"\\\\\""},
		{"abc\xff" "def", "\"abc\\xffdef\""},
		{"\xe2\x98\xba", "\"\xe2\x98\xba\""},
		{"\xf4\x8f\xbf\xbf", "\"\\U0010ffff\""},
		{"\x04", "\"\\x04\""},
		{"!\xc2\xa0!\xe2\x80\x80!\xe3\x80\x80!", "\"!\\u00a0!\\u2000!\\u3000!\""},
		{"\x7f", "\"\\x7f\""},
		{"a\"b\\c\n\t\x01\xff\xc3\xa9", "\"a\\\"b\\\\c\\n\\t\\x01\\xff\xc3\xa9\""},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct c2s_buf b;
		c2s_buf_init(&b, 1024);
		assert_int_equal(c2s_go_quote(&b, cases[i][0], strlen(cases[i][0])), 0);
		assert_string_equal(b.data, cases[i][1]);
		c2s_buf_free(&b);
		char small[64];
		assert_int_equal(c2s_go_quote_to(small, sizeof small, cases[i][0], strlen(cases[i][0])),
				 strlen(cases[i][1]));
		assert_string_equal(small, cases[i][1]);
	}
	/* a full buffer fails, as c2s_buf does */
	struct c2s_buf b;
	c2s_buf_init(&b, 4);
	assert_int_equal(c2s_go_quote(&b, "abcdef", 6), -1);
	c2s_buf_free(&b);
}

static void test_ints(void **state)
{
	(void)state;
	long long v;
	uint64_t u;
	const char *why;
	assert_int_equal(c2s_go_atoi("-9223372036854775808", 20, &v, &why), 0);
	assert_true(v == INT64_MIN);
	assert_int_equal(c2s_go_atoi("9223372036854775808", 19, &v, &why), -1);
	assert_string_equal(why, "value out of range");
	assert_int_equal(c2s_go_atoi("+12", 3, &v, &why), 0);
	assert_true(v == 12);
	assert_int_equal(c2s_go_atoi("1_2", 3, &v, &why), -1);
	assert_string_equal(why, "invalid syntax");
	assert_int_equal(c2s_go_atoi("-", 1, &v, &why), -1);
	assert_int_equal(c2s_go_atoi("", 0, &v, NULL), -1);
	assert_int_equal(c2s_go_parse_uint("65535", 5, 16, &u, &why), 0);
	assert_true(u == 65535);
	assert_int_equal(c2s_go_parse_uint("65536", 5, 16, &u, &why), -1);
	assert_string_equal(why, "value out of range");
	assert_int_equal(c2s_go_parse_uint("18446744073709551615", 20, 64, &u, &why), 0);
	assert_true(u == UINT64_MAX);
	assert_int_equal(c2s_go_parse_uint("18446744073709551616", 20, 64, &u, &why), -1);
	/* a syntax error anywhere wins over the range, as Go checks digits first */
	assert_int_equal(c2s_go_parse_uint("99999x", 6, 16, &u, &why), -1);
	assert_string_equal(why, "invalid syntax");
}

static void test_parse_float(void **state)
{
	(void)state;
	static const struct {
		const char *in;
		double want;
		int rc;
	} cases[] = {
		{"1", 1, 0}, {"+1", 1, 0}, {"1e23", 1e23, 0}, {"1E23", 1e23, 0}, {"100000000000000000000000", 1e23, 0},
		{"1e-100", 1e-100, 0}, {"123456700", 123456700, 0}, {"99999999999999974834176", 9.999999999999997e+22, 0},
		{"-1", -1, 0}, {"-0.1", -0.1, 0}, {"1e-20", 1e-20, 0}, {"625e-3", 0.625, 0}, {"0e+01234567890123456789", 0, 0},
		{"0.00e-01234567890123456789", 0, 0}, {"1.7976931348623157e308", 1.7976931348623157e308, 0},
		{"1.7976931348623158e308", 1.7976931348623157e308, 0}, {"1e-350", 0, 0}, {"1e-4294967296", 0, 0},
		{"1e-18446744073709551616", 0, 0}, {"0x1p0", 1, 0}, {"0x1p1", 2, 0}, {"0x1p-1", 0.5, 0}, {"0x1ep-1", 15, 0},
		{"-0x1ep-1", -15, 0}, {"-0x1_ep-1", -15, 0}, {"0x1fFe2.p0", 131042, 0}, {"0x1fFe2.P0", 131042, 0},
		{"-0x2p3", -16, 0}, {"0x0.fp4", 15, 0}, {"0x0.fp0", 0.9375, 0}, {"1_23.50_0_0e+1_2", 1.235e+14, 0},
		{"0x_1_2.3_4_5p+1_2", 74565, 0}, {"1.", 1, 0}, {".5", 0.5, 0},
		{"inf", INFINITY, 0}, {"-Inf", -INFINITY, 0}, {"+INFINITY", INFINITY, 0},
		{"1.7976931348623159e308", INFINITY, -2}, {"-1.7976931348623159e308", -INFINITY, -2},
		{"1.797693134862315808e308", INFINITY, -2}, {"1e+4294967296", INFINITY, -2},
		{"1e+18446744073709551616", INFINITY, -2},
		{"1x", 0, -1}, {"1.1.", 0, -1}, {"1e", 0, -1}, {"1e-", 0, -1}, {".e-1", 0, -1}, {"0x1e2", 0, -1},
		{"1p2", 0, -1}, {"-_123.5e+12", 0, -1}, {"+_123.5e+12", 0, -1}, {"_123.5e+12", 0, -1},
		{"1__23.5e+12", 0, -1}, {"123_.5e+12", 0, -1}, {"123._5e+12", 0, -1}, {"123.5_e+12", 0, -1},
		{"123.5__0e+12", 0, -1}, {"123.5e_+12", 0, -1}, {"123.5e+_12", 0, -1}, {"123.5e_-12", 0, -1},
		{"123.5e-_12", 0, -1}, {"123.5e+1__2", 0, -1}, {"123.5e+12_", 0, -1}, {"0x_1_2.3_4_5p-1_2_", 0, -1},
		{"", 0, -1}, {" 1", 0, -1}, {"0x", 0, -1}, {"0x10", 0, -1}, {"infinity5", 0, -1},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		double f = 42;
		char err[128] = "";
		int rc = c2s_go_parse_float(cases[i].in, strlen(cases[i].in), &f, err, sizeof err);
		if (rc != cases[i].rc || (rc != -1 && f != cases[i].want))
			fail_msg("[%s]: rc %d, %g (%s)", cases[i].in, rc, f, err);
	}
	double f;
	char err[128];
	assert_int_equal(c2s_go_parse_float("1\0.2", 4, &f, err, sizeof err), -1);
	assert_string_equal(err, "strconv.ParseFloat: parsing \"1\\x00.2\": invalid syntax");
	assert_int_equal(c2s_go_parse_float("1e400", 5, &f, err, sizeof err), -2);
	assert_string_equal(err, "strconv.ParseFloat: parsing \"1e400\": value out of range");
	assert_int_equal(c2s_go_parse_float("NaN", 3, &f, err, sizeof err), 0);
	assert_true(isnan(f));
}

/* Go's int64(f) and uint64(f) as docker's amd64 binaries compute them; seen
 * through docker stack config: a tmpfs size of 1e20 prints
 * -9223372036854775808, a config mode of 1e19 prints 2313682944 (the low 32
 * bits of 10000000000000000000), of 1e30 prints 0. */
static void test_float_to_int(void **state)
{
	(void)state;
	assert_true(c2s_go_f64_to_i64(1.9) == 1 && c2s_go_f64_to_i64(-1.9) == -1);
	assert_true(c2s_go_f64_to_i64(9223372036854774784.0) == INT64_C(9223372036854774784));
	assert_true(c2s_go_f64_to_i64(-9223372036854775808.0) == INT64_MIN);
	assert_true(c2s_go_f64_to_i64(9223372036854775808.0) == INT64_MIN);
	assert_true(c2s_go_f64_to_i64(1e20) == INT64_MIN && c2s_go_f64_to_i64(-1e20) == INT64_MIN);
	assert_true(c2s_go_f64_to_i64(NAN) == INT64_MIN && c2s_go_f64_to_i64(INFINITY) == INT64_MIN);
	assert_true(c2s_go_f64_to_u64(1e10) == UINT64_C(10000000000));
	assert_true(c2s_go_f64_to_u64(1e19) == UINT64_C(10000000000000000000));
	assert_true((c2s_go_f64_to_u64(1e19) & UINT32_MAX) == 2313682944u);
	assert_true(c2s_go_f64_to_u64(1e30) == UINT64_C(1) << 63 && (c2s_go_f64_to_u64(1e30) & UINT32_MAX) == 0);
	assert_true(c2s_go_f64_to_u64(NAN) == UINT64_C(1) << 63);
}

static void test_unicode(void **state)
{
	(void)state;
	uint32_t cp;
	assert_int_equal(c2s_utf8_valid_len((const unsigned char *)"\xc3\xa9", 2, &cp), 2);
	assert_int_equal(cp, 0xe9);
	assert_int_equal(c2s_utf8_valid_len((const unsigned char *)"\xc0\x80", 2, &cp), 0);        /* overlong */
	assert_int_equal(c2s_utf8_valid_len((const unsigned char *)"\xed\xa0\x80", 3, &cp), 0);    /* surrogate */
	assert_int_equal(c2s_utf8_valid_len((const unsigned char *)"\xf4\x90\x80\x80", 4, &cp), 0); /* > U+10FFFF */
	assert_int_equal(c2s_utf8_valid_len((const unsigned char *)"\xe2\x82", 2, &cp), 0);        /* cut */
	assert_true(c2s_go_is_space(0x85) && c2s_go_is_space(0xa0) && c2s_go_is_space(0x3000));
	assert_false(c2s_go_is_space(0x200b) || c2s_go_is_space(0xfeff));
	char buf[128];
	c2s_go_os_error(buf, sizeof buf, "open", "/x/e.env", ENOENT);
	assert_string_equal(buf, "open /x/e.env: no such file or directory");
	c2s_go_os_error(buf, sizeof buf, "read", "/", EISDIR);
	assert_string_equal(buf, "read /: is a directory");
}

/* strings.TrimSpace; and net.ParseCIDR (the prefix is read by dtoi: dockerd 20.10.24
 * created an overlay network with subnet 10.8.0.0/024) */
static void test_trim_cidr(void **state)
{
	(void)state;
	const char *s = "\xc2\xa0 \t\nnode.role \r\x0b\xe3\x80\x80";
	size_t n = c2s_go_trim_space(&s, strlen(s));
	assert_int_equal(n, 9);
	assert_memory_equal(s, "node.role", 9);
	s = "\xff a\x85";  /* an invalid byte is kept; U+0085 only as a rune, not as a byte */
	n = c2s_go_trim_space(&s, strlen(s));
	assert_int_equal(n, 4);
	s = " \t\xe2\x80\xa8";
	assert_int_equal(c2s_go_trim_space(&s, strlen(s)), 0);
	assert_int_equal(c2s_go_trim_space(&s, 0), 0);
	static const char *const good[] = {"10.0.0.0/8", "10.8.0.0/024", "0.0.0.0/0", "fd00:1::/64", "::/0",
					   "::ffff:1.2.3.4/128", "10.7.0.1/24"};
	static const char *const bad[] = {"10.0.0.0/33", "10.0.0.0", "10.0.0.0/", "10.0.0.0/x", "010.0.0.0/8",
					  "fd00::/129", "10.0.0/8", "/8", "fe80::1%eth0/64", "10.0.0.0/-1"};
	for (size_t i = 0; i < sizeof good / sizeof *good; i++)
		assert_true(c2s_cidr_valid(good[i], strlen(good[i])));
	for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
		assert_false(c2s_cidr_valid(bad[i], strlen(bad[i])));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_quote),
		cmocka_unit_test(test_ints),
		cmocka_unit_test(test_parse_float),
		cmocka_unit_test(test_float_to_int),
		cmocka_unit_test(test_unicode),
		cmocka_unit_test(test_trim_cidr),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
