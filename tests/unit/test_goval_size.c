/* test_goval_size.c -- go-units sizes and docker's CPU values (goval.c). Sizes:
 * go-units' own size_test.go (RAMInBytes, FromHumanSize) and, with their exact
 * texts, what `docker stack config` 28.2.2 printed for deploy.resources.limits.memory
 * (as "error decoding 'Deploy.Resources.Limits.memory': <text>" or the byte
 * count). CPUs: opts.ParseCPUs over big.Rat, each case what `docker stack
 * deploy` 28.2.2 sent as NanoCPUs or refused with (scripts/reference/reference.sh),
 * many of them math/big's own SetString cases. */
#include "config.h"
#include "testutil.h"

#include <stdlib.h>

#include "goval.h"

#define KiB 1024LL
#define MiB (1024 * KiB)
#define GiB (1024 * MiB)
#define TiB (1024 * GiB)
#define PiB (1024 * TiB)

struct size_case {
	const char *in;
	int64_t bytes;
	const char *err; /* NULL: accepted */
};

static void check_sizes(const struct size_case *c, size_t n, int decimal)
{
	for (size_t i = 0; i < n; i++) {
		int64_t b = 42;
		char err[256] = "";
		int rc = c2s_size_parse(c[i].in, strlen(c[i].in), decimal, &b, err, sizeof err);
		if (c[i].err) {
			if (rc == 0)
				fail_msg("[%s] accepted as %lld", c[i].in, (long long)b);
			if (strcmp(err, c[i].err) != 0)
				fail_msg("[%s]: '%s', want '%s'", c[i].in, err, c[i].err);
		} else if (rc != 0 || b != c[i].bytes) {
			fail_msg("[%s]: rc %d, %lld (%s), want %lld", c[i].in, rc, (long long)b, err, (long long)c[i].bytes);
		}
	}
}

static void test_ram_in_bytes(void **state)
{
	(void)state;
	static const struct size_case cases[] = {
		/* go-units TestRAMInBytes */
		{"32", 32, NULL}, {"32b", 32, NULL}, {"32B", 32, NULL}, {"32k", 32 * KiB, NULL}, {"32K", 32 * KiB, NULL},
		{"32kb", 32 * KiB, NULL}, {"32Kb", 32 * KiB, NULL}, {"32Kib", 32 * KiB, NULL}, {"32KIB", 32 * KiB, NULL},
		{"32Mb", 32 * MiB, NULL}, {"32Gb", 32 * GiB, NULL}, {"32Tb", 32 * TiB, NULL}, {"32Pb", 32 * PiB, NULL},
		{"32PB", 32 * PiB, NULL}, {"32P", 32 * PiB, NULL}, {"32.3", 32, NULL},
		{"32.3 mb", 33869004, NULL}, {"0.3MB", 314572, NULL},
		{"", 0, "invalid size: ''"}, {"hello", 0, "invalid size: 'hello'"}, {"-32", 0, "invalid size: '-32'"},
		{" 32 ", 0, "strconv.ParseFloat: parsing \" 32\": invalid syntax"},
		{"32m b", 0, "strconv.ParseFloat: parsing \"32m\": invalid syntax"},
		{"32bm", 0, "invalid suffix: 'bm'"},
		/* docker stack config 28.2.2 */
		{"512M", 512 * MiB, NULL}, {"1.5g", 1610612736LL, NULL}, {"2 GiB", 2 * GiB, NULL}, {".3kB", 307, NULL},
		{"1.k", 1024, NULL}, {".5k", 512, NULL}, {"1e3k", 1024000, NULL}, {"0x1p4k", 16384, NULL},
		{"1_0", 10, NULL}, {"0x1_0p0", 16, NULL}, {"-0", 0, NULL}, {"1 k", 1024, NULL},
		{"1e-400", 0, NULL}, {"9e18", 9000000000000000000LL, NULL}, {"9.3e18", INT64_MIN, NULL},
		{"1e19p", INT64_MIN, NULL}, {"12345678901234567", 12345678901234568LL, NULL},
		{"1\xe2\x84\xaa", 1024, NULL}, /* KELVIN SIGN lowers to k */
		{"1e400", 0, "strconv.ParseFloat: parsing \"1e400\": value out of range"},
		{"0x10", 0, "strconv.ParseFloat: parsing \"0x10\": invalid syntax"},
		{" 1", 0, "strconv.ParseFloat: parsing \" 1\": invalid syntax"},
		{"1.5.5", 0, "strconv.ParseFloat: parsing \"1.5.5\": invalid syntax"},
		{"1  k", 0, "strconv.ParseFloat: parsing \"1 \": invalid syntax"},
		{"Inf", 0, "invalid size: 'Inf'"}, {"1ki", 0, "invalid suffix: 'ki'"}, {"1bb", 0, "invalid suffix: 'bb'"},
		{"12x", 0, "invalid suffix: 'x'"}, {"M", 0, "invalid size: 'M'"},
		{"1\xc3\x89", 0, "invalid suffix: '\xc3\xa9'"}, {"1\xc7\xa8", 0, "invalid suffix: '\xc7\xa9'"},
		{"1\xef\xbc\xad" "B", 0, "invalid suffix: '\xef\xbc\xad" "B'"}, /* four bytes: named as written */
		{"\xef\xbc\xad\xef\xbc\xa2", 0, "invalid size: '\xef\xbc\xad\xef\xbc\xa2'"},
	};
	check_sizes(cases, sizeof cases / sizeof cases[0], 0);
}

static void test_from_human_size(void **state)
{
	(void)state;
	/* go-units TestFromHumanSize (v0.5.0 reads ".3kB" as 300 bytes) */
	static const struct size_case cases[] = {
		{"32", 32, NULL}, {"32b", 32, NULL}, {"32B", 32, NULL}, {"32k", 32000, NULL}, {"32K", 32000, NULL},
		{"32kb", 32000, NULL}, {"32Kb", 32000, NULL}, {"32Mb", 32000000, NULL}, {"32Gb", 32000000000LL, NULL},
		{"32Tb", 32000000000000LL, NULL}, {"32Pb", 32000000000000000LL, NULL}, {"32.5kB", 32500, NULL},
		{"32.5 kB", 32500, NULL}, {"32.5 B", 32, NULL}, {"0.3 K", 300, NULL}, {".3kB", 300, NULL},
		{"", 0, "invalid size: ''"}, {"hello", 0, "invalid size: 'hello'"}, {"-32", 0, "invalid size: '-32'"},
		{" 32 ", 0, "strconv.ParseFloat: parsing \" 32\": invalid syntax"},
		{"32m b", 0, "strconv.ParseFloat: parsing \"32m\": invalid syntax"}, {"32bm", 0, "invalid suffix: 'bm'"},
	};
	check_sizes(cases, sizeof cases / sizeof cases[0], 1);
}

static void test_cpus(void **state)
{
	(void)state;
	static const struct {
		const char *in;
		int64_t nano;
		const char *err;
	} cases[] = {
		{"0.5", 500000000LL, NULL}, {".25", 250000000LL, NULL}, {"2", 2000000000LL, NULL},
		{"0", 0, NULL}, {"-0", 0, NULL}, {"1", 1000000000LL, NULL}, {"-1", -1000000000LL, NULL},
		{"1.", 1000000000LL, NULL}, {"5.", 5000000000LL, NULL}, {"1e0", 1000000000LL, NULL},
		{"1.e1", 10000000000LL, NULL}, {"+1.5", 1500000000LL, NULL}, {"1.5e0", 1500000000LL, NULL},
		{"1e2", 100000000000LL, NULL}, {"-0.1", -100000000LL, NULL}, {"-.1", -100000000LL, NULL},
		{"-1/5", -200000000LL, NULL}, {"2/4", 500000000LL, NULL}, {"-1/2", -500000000LL, NULL},
		{"1_0", 10000000000LL, NULL}, {"1_000.5", 1000500000000LL, NULL}, {"1_000_000", 1000000000000000LL, NULL},
		{"0x10", 16000000000LL, NULL}, {"0x_1", 1000000000LL, NULL}, {"010", 10000000000LL, NULL},
		{"08", 8000000000LL, NULL}, {"010/2", 4000000000LL, NULL}, {"0x10/0x2", 8000000000LL, NULL},
		{"0x1p-1", 500000000LL, NULL}, {"0x1.8p1", 3000000000LL, NULL}, {"0b1", 1000000000LL, NULL},
		{"0o7", 7000000000LL, NULL}, {"0o1.4", 1500000000LL, NULL}, {"2p-1", 1000000000LL, NULL},
		{"1.5p1", 3000000000LL, NULL}, {"0e9999999999", 0, NULL},
		{"0.000000001", 1, NULL}, {"1e-9", 1, NULL}, {"1/1000000000", 1, NULL}, {"3/1000000000", 3, NULL},
		{"9223372036.854775807", INT64_MAX, NULL}, {"9223372036.854775808", INT64_MIN, NULL},
		{"18446744073.709551616", 0, NULL}, {"1e10", -8446744073709551616LL, NULL},
		{"1/3", 0, "value is too precise"}, {"1e-10", 0, "value is too precise"},
		{"0.0000000001", 0, "value is too precise"}, {"1.0000000005", 0, "value is too precise"},
		{"0.0000000015", 0, "value is too precise"}, {"1000000000/3", 0, "value is too precise"},
		{"0x1p-30", 0, "value is too precise"},
		{"abc", 0, "failed to parse abc as a rational number"}, {"1e", 0, "failed to parse 1e as a rational number"},
		{"1.e", 0, "failed to parse 1.e as a rational number"},
		{"1e+14e-5", 0, "failed to parse 1e+14e-5 as a rational number"},
		{"1e4.5", 0, "failed to parse 1e4.5 as a rational number"}, {"r", 0, "failed to parse r as a rational number"},
		{"a/b", 0, "failed to parse a/b as a rational number"}, {"a.b", 0, "failed to parse a.b as a rational number"},
		{"4/3/2", 0, "failed to parse 4/3/2 as a rational number"},
		{"4/3/", 0, "failed to parse 4/3/ as a rational number"},
		{"4/3.", 0, "failed to parse 4/3. as a rational number"}, {"4/", 0, "failed to parse 4/ as a rational number"},
		{"4/3e0", 0, "failed to parse 4/3e0 as a rational number"},
		{"1/0", 0, "failed to parse 1/0 as a rational number"}, {"1/-2", 0, "failed to parse 1/-2 as a rational number"},
		{"1e9999999999", 0, "failed to parse 1e9999999999 as a rational number"},
		{"0_x1", 0, "failed to parse 0_x1 as a rational number"},
		{"1__0", 0, "failed to parse 1__0 as a rational number"},
		{"1_.5", 0, "failed to parse 1_.5 as a rational number"},
		{"08/1", 0, "failed to parse 08/1 as a rational number"},
		{"0b102", 0, "failed to parse 0b102 as a rational number"},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		int64_t v = 42;
		char err[256] = "";
		int rc = c2s_cpus_parse(cases[i].in, strlen(cases[i].in), &v, err, sizeof err);
		if (cases[i].err) {
			if (rc == 0)
				fail_msg("[%s] accepted as %lld", cases[i].in, (long long)v);
			if (strcmp(err, cases[i].err) != 0)
				fail_msg("[%s]: '%s', want '%s'", cases[i].in, err, cases[i].err);
		} else if (rc != 0 || v != cases[i].nano) {
			fail_msg("[%s]: rc %d, %lld (%s)", cases[i].in, rc, (long long)v, err);
		}
	}
}

/* C2S_GOVAL_MAX_NUMBER: longer CPU texts are refused, never read past the
 * exact arithmetic's room (docker would read them). */
static void test_cpus_limit(void **state)
{
	(void)state;
	char *big = malloc(C2S_GOVAL_MAX_NUMBER + 2), err[64];
	int64_t v;
	memset(big, '1', C2S_GOVAL_MAX_NUMBER);
	big[0] = '0';
	big[1] = 'x';
	assert_int_equal(c2s_cpus_parse(big, C2S_GOVAL_MAX_NUMBER, &v, NULL, 0), 0);  /* wraps, as Int64 */
	big[C2S_GOVAL_MAX_NUMBER] = '1';
	assert_int_equal(c2s_cpus_parse(big, C2S_GOVAL_MAX_NUMBER + 1, &v, err, sizeof err), -1);
	assert_memory_equal(err, "failed to parse 0x11", 20);
	free(big);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ram_in_bytes),
		cmocka_unit_test(test_from_human_size),
		cmocka_unit_test(test_cpus),
		cmocka_unit_test(test_cpus_limit),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
