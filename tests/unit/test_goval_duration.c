/* test_goval_duration.c -- Go durations (goval.c): time.ParseDuration's values
 * and error texts, Duration.String(), checked arithmetic. The cases are Go's
 * own (time/time_test.go parseDurationTests and parseDurationErrorTests), each
 * one YAML can carry also run through `docker stack config` 28.2.2 (a 3.3
 * healthcheck interval, which the loader parses and prints back), and the
 * checked arithmetic the rollout rule needs (issue 18). */
#include "config.h"
#include "testutil.h"

#include <stdlib.h>

#include "goval.h"

#define SEC 1000000000LL
#define MIN (60 * SEC)
#define HOUR (60 * MIN)

static void test_parse(void **state)
{
	(void)state;
	/* value, and Duration.String() as docker stack config printed it */
	static const struct {
		const char *in;
		int64_t ns;
		const char *printed;
	} ok[] = {
		{"0", 0, "0s"}, {"5s", 5 * SEC, "5s"}, {"30s", 30 * SEC, "30s"}, {"1478s", 1478 * SEC, "24m38s"},
		{"-5s", -5 * SEC, "-5s"}, {"+5s", 5 * SEC, "5s"}, {"-0", 0, "0s"}, {"+0", 0, "0s"},
		{"5.0s", 5 * SEC, "5s"}, {"5.6s", 5 * SEC + 600000000, "5.6s"}, {"5.s", 5 * SEC, "5s"},
		{".5s", 500000000, "500ms"}, {"1.0s", SEC, "1s"}, {"1.00s", SEC, "1s"},
		{"1.004s", SEC + 4000000, "1.004s"}, {"1.0040s", SEC + 4000000, "1.004s"},
		{"100.00100s", 100 * SEC + 1000000, "1m40.001s"}, {"10ns", 10, "10ns"}, {"11us", 11000, "11\xc2\xb5s"},
		{"12\xc2\xb5s", 12000, "12\xc2\xb5s"}, {"12\xce\xbcs", 12000, "12\xc2\xb5s"}, {"13ms", 13000000, "13ms"},
		{"14s", 14 * SEC, "14s"}, {"15m", 15 * MIN, "15m0s"}, {"16h", 16 * HOUR, "16h0m0s"},
		{"3h30m", 3 * HOUR + 30 * MIN, "3h30m0s"}, {"10.5s4m", 4 * MIN + 10 * SEC + 500000000, "4m10.5s"},
		{"-2m3.4s", -(2 * MIN + 3 * SEC + 400000000), "-2m3.4s"},
		{"1h2m3s4ms5us6ns", HOUR + 2 * MIN + 3 * SEC + 4005006, "1h2m3.004005006s"},
		{"39h9m14.425s", 39 * HOUR + 9 * MIN + 14 * SEC + 425000000, "39h9m14.425s"},
		{"52763797000ns", 52763797000LL, "52.763797s"},
		{"0.3333333333333333333h", 20 * MIN, "20m0s"},
		{"9007199254740993ns", (1LL << 53) + 1, "2501h59m59.254740993s"},
		{"9223372036854775807ns", INT64_MAX, "2562047h47m16.854775807s"},
		{"9223372036854775.807us", INT64_MAX, "2562047h47m16.854775807s"},
		{"9223372036s854ms775us807ns", INT64_MAX, "2562047h47m16.854775807s"},
		{"-9223372036854775808ns", INT64_MIN, "-2562047h47m16.854775808s"},
		{"-9223372036854775.808us", INT64_MIN, "-2562047h47m16.854775808s"},
		{"-9223372036s854ms775us808ns", INT64_MIN, "-2562047h47m16.854775808s"},
		{"-2562047h47m16.854775808s", INT64_MIN, "-2562047h47m16.854775808s"},
		{"0.100000000000000000000h", 6 * MIN, "6m0s"},
		{"0.830103483285477580700h", 49 * MIN + 48 * SEC + 372539827, "49m48.372539827s"},
		{"1000000h", 1000000 * HOUR, "1000000h0m0s"}, {"1.000000001s", SEC + 1, "1.000000001s"},
		{"0.000000001s", 1, "1ns"}, {"1.0000000001s", SEC, "1s"},
	};
	for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++) {
		int64_t ns = 42;
		char err[128] = "", buf[C2S_DURATION_BUF];
		int rc = c2s_duration_parse(ok[i].in, strlen(ok[i].in), &ns, err, sizeof err);
		if (rc != 0 || ns != ok[i].ns)
			fail_msg("%s: rc %d, %lld (%s)", ok[i].in, rc, (long long)ns, err);
		c2s_duration_format(ns, buf);
		assert_string_equal(buf, ok[i].printed);
	}
}

static void test_errors(void **state)
{
	(void)state;
	/* docker: error decoding 'HealthCheck.Interval': <this> */
	static const struct {
		const char *in;
		int rc;
		const char *err;
	} bad[] = {
		{"", -1, "time: invalid duration \"\""},
		{"3", -1, "time: missing unit in duration \"3\""},
		{"-", -1, "time: invalid duration \"-\""},
		{"s", -1, "time: invalid duration \"s\""},
		{".", -1, "time: invalid duration \".\""},
		{"-.", -1, "time: invalid duration \"-.\""},
		{".s", -1, "time: invalid duration \".s\""},
		{"+.s", -1, "time: invalid duration \"+.s\""},
		{"1d", -1, "time: unknown unit \"d\" in duration \"1d\""},
		{"1x", -1, "time: unknown unit \"x\" in duration \"1x\""},
		{"1.5.s", -1, "time: missing unit in duration \"1.5.s\""},
		{"1 s", -1, "time: unknown unit \" s\" in duration \"1 s\""},
		{"1s\"", -1, "time: unknown unit \"s\\\"\" in duration \"1s\\\"\""},
		{"\xc3\xa9" "1s", -1, "time: invalid duration \"\\xc3\\xa91s\""},
		{"\x85\x85", -1, "time: invalid duration \"\\x85\\x85\""},
		{"\xef\xbf\xbd", -1, "time: invalid duration \"\\xef\\xbf\\xbd\""},
		{"9223372036854775810ns", -2, "time: invalid duration \"9223372036854775810ns\""},
		{"9223372036854775808ns", -2, "time: invalid duration \"9223372036854775808ns\""},
		{"-9223372036854775809ns", -2, "time: invalid duration \"-9223372036854775809ns\""},
		{"9223372036854776us", -2, "time: invalid duration \"9223372036854776us\""},
		{"3000000h", -2, "time: invalid duration \"3000000h\""},
		{"9223372036854775.808us", -2, "time: invalid duration \"9223372036854775.808us\""},
		{"9223372036854ms775us808ns", -2, "time: invalid duration \"9223372036854ms775us808ns\""},
		{"9999999999h", -2, "time: invalid duration \"9999999999h\""},
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		int64_t ns;
		char err[128] = "";
		int rc = c2s_duration_parse(bad[i].in, strlen(bad[i].in), &ns, err, sizeof err);
		if (rc != bad[i].rc)
			fail_msg("%s: rc %d", bad[i].in, rc);
		assert_string_equal(err, bad[i].err);
	}
	/* a short buffer is cut, never overrun; NULL takes no text */
	int64_t ns;
	char small[8];
	assert_int_equal(c2s_duration_parse("1d", 2, &ns, small, sizeof small), -1);
	assert_string_equal(small, "time: u");
	assert_int_equal(c2s_duration_parse("1d", 2, &ns, NULL, 0), -1);
}

static void test_arithmetic(void **state)
{
	(void)state;
	int64_t r;
	assert_int_equal(c2s_duration_add(1, 2, &r), 0);
	assert_true(r == 3);
	assert_int_equal(c2s_duration_add(INT64_MAX, 1, &r), -1);
	assert_true(r == INT64_MAX);
	assert_int_equal(c2s_duration_add(INT64_MIN, -1, &r), -1);
	assert_true(r == INT64_MIN);
	assert_int_equal(c2s_duration_add(INT64_MIN, INT64_MAX, &r), 0);
	assert_true(r == -1);
	assert_int_equal(c2s_duration_mul(30 * SEC, 3, &r), 0);
	assert_true(r == 90 * SEC);
	/* issue 18: a million hours times three retries */
	assert_int_equal(c2s_duration_mul(1000000 * HOUR, 3, &r), -1);
	assert_true(r == INT64_MAX);
	assert_int_equal(c2s_duration_mul(-1000000 * HOUR, 3, &r), -1);
	assert_true(r == INT64_MIN);
	assert_int_equal(c2s_duration_mul(INT64_MIN, 1, &r), 0);
	assert_true(r == INT64_MIN);
	assert_int_equal(c2s_duration_mul(INT64_MIN, -1, &r), -1);
	assert_true(r == INT64_MAX);
	assert_int_equal(c2s_duration_mul(-4, -5, &r), 0);
	assert_true(r == 20);
	assert_int_equal(c2s_duration_mul(0, INT64_MAX, &r), 0);
	assert_true(r == 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_arithmetic),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
