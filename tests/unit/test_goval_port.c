/* test_goval_port.c -- docker/go-connections nat v0.5.0 as docker/cli 28.2.2
 * vendors it (goval.c): ParsePortRange and ParsePortSpec, values and error
 * texts. Inputs are nat's own tests (nat_test.go, parse_test.go); the
 * outcomes follow the vendored nat.go and parse.go, and every accepted or
 * refused spec agrees with `docker stack config` (the schema's 'ports' format
 * runs ParsePortSpec; scripts/value-edges.py checks them against docker). */
#include "config.h"
#include "testutil.h"

#include "goval.h"

static void test_range(void **state)
{
	(void)state;
	static const struct {
		const char *in;
		uint32_t lo, hi;
		const char *err;
	} cases[] = {
		{"8000-9000", 8000, 9000, NULL}, {"8000", 8000, 8000, NULL}, {"0", 0, 0, NULL},
		{"65535", 65535, 65535, NULL}, {"0123", 123, 123, NULL},
		/* strings.Split: a part past the second is never read */
		{"1-2-3", 1, 2, NULL}, {"1-2-x", 1, 2, NULL},
		{"", 0, 0, "empty string specified for ports"},
		{"65536", 0, 0, "strconv.ParseUint: parsing \"65536\": value out of range"},
		{"asdf", 0, 0, "strconv.ParseUint: parsing \"asdf\": invalid syntax"},
		{"-1", 0, 0, "strconv.ParseUint: parsing \"\": invalid syntax"},
		{"8000-", 0, 0, "strconv.ParseUint: parsing \"\": invalid syntax"},
		{"+80", 0, 0, "strconv.ParseUint: parsing \"+80\": invalid syntax"},
		{"1_0", 0, 0, "strconv.ParseUint: parsing \"1_0\": invalid syntax"},
		{"9000-8000", 0, 0, "invalid range specified for port: 9000-8000"},
		{"2-1-3", 0, 0, "invalid range specified for port: 2-1-3"},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		uint32_t lo = 7, hi = 7;
		char err[128] = "";
		int rc = c2s_port_range_parse(cases[i].in, strlen(cases[i].in), &lo, &hi, err, sizeof err);
		if (cases[i].err) {
			if (rc == 0)
				fail_msg("[%s] accepted", cases[i].in);
			assert_string_equal(err, cases[i].err);
		} else if (rc != 0 || lo != cases[i].lo || hi != cases[i].hi) {
			fail_msg("[%s]: rc %d %u-%u (%s)", cases[i].in, rc, lo, hi, err);
		}
	}
}

static void test_spec(void **state)
{
	(void)state;
	static const struct {
		const char *in;
		const char *ip; /* NULL: refused with err */
		uint32_t tlo, thi, hlo, hhi;
		int has_host;
		const char *proto;
		const char *err;
	} cases[] = {
		{"80", "", 80, 80, 0, 0, 0, "tcp", NULL},
		{"0", "", 0, 0, 0, 0, 0, "tcp", NULL},
		{"8080:80", "", 80, 80, 8080, 8080, 1, "tcp", NULL},
		{"8080:80/udp", "", 80, 80, 8080, 8080, 1, "udp", NULL},
		{"8080:80/UDP", "", 80, 80, 8080, 8080, 1, "udp", NULL},
		{"80/sctp", "", 80, 80, 0, 0, 0, "sctp", NULL},
		{"1234/", "", 1234, 1234, 0, 0, 0, "tcp", NULL},
		{"80/tcp/x", "", 80, 80, 0, 0, 0, "tcp", NULL},
		{"0.0.0.0:1234-1235:3333-3334/tcp", "0.0.0.0", 3333, 3334, 1234, 1235, 1, "tcp", NULL},
		{"127.0.0.1:53:53/udp", "127.0.0.1", 53, 53, 53, 53, 1, "udp", NULL},
		{"127.0.0.1::80", "127.0.0.1", 80, 80, 0, 0, 0, "tcp", NULL},
		{":80", "", 80, 80, 0, 0, 0, "tcp", NULL},
		{"9000-9001:9000-9001", "", 9000, 9001, 9000, 9001, 1, "tcp", NULL},
		{"9000-9001:80-81", "", 80, 81, 9000, 9001, 1, "tcp", NULL},
		{"9000-9010:80", "", 80, 80, 9000, 9010, 1, "tcp", NULL},
		{"[2001:4860:0:2001::68]::333", "2001:4860:0:2001::68", 333, 333, 0, 0, 0, "tcp", NULL},
		{"[::1]:80:80", "::1", 80, 80, 80, 80, 1, "tcp", NULL},
		{"2001:4860:0:2001::68::333", "2001:4860:0:2001::68", 333, 333, 0, 0, 0, "tcp", NULL},
		{"::1:80:80", "::1", 80, 80, 80, 80, 1, "tcp", NULL},
		{"::::80", "::", 80, 80, 0, 0, 0, "tcp", NULL},
		{"192.168.1.100::6000/udp", "192.168.1.100", 6000, 6000, 0, 0, 0, "udp", NULL},
		{"", NULL, 0, 0, 0, 0, 0, NULL, "no port specified: <empty>"},
		{"/udp", NULL, 0, 0, 0, 0, 0, NULL, "no port specified: /udp<empty>"},
		{"80:", NULL, 0, 0, 0, 0, 0, NULL, "no port specified: 80:<empty>"},
		{"192.168.1.100", NULL, 0, 0, 0, 0, 0, NULL, "invalid containerPort: 192.168.1.100"},
		{"192.168.1.100:-1:-1", NULL, 0, 0, 0, 0, 0, NULL, "invalid containerPort: -1"},
		{"localhost:1234:1234/tcp", NULL, 0, 0, 0, 0, 0, NULL, "invalid IP address: localhost"},
		{"01.2.3.4:80:80", NULL, 0, 0, 0, 0, 0, NULL, "invalid IP address: 01.2.3.4"},
		{"1.2.3:80:80", NULL, 0, 0, 0, 0, 0, NULL, "invalid IP address: 1.2.3"},
		{"80:80:80", NULL, 0, 0, 0, 0, 0, NULL, "invalid IP address: 80"},
		{"[::1:80:80", NULL, 0, 0, 0, 0, 0, NULL,
		 "invalid IP address [::1: address [::1:: missing ']' in address"},
		{"[::1]x:80:80", NULL, 0, 0, 0, 0, 0, NULL,
		 "invalid IP address [::1]x: address [::1]x:: missing port in address"},
		{"[::1]:2:80:80", NULL, 0, 0, 0, 0, 0, NULL,
		 "invalid IP address [::1]:2: address [::1]:2:: too many colons in address"},
		{"[[::1]:80:80", NULL, 0, 0, 0, 0, 0, NULL,
		 "invalid IP address [[::1]: address [[::1]:: unexpected '[' in address"},
		{"65536", NULL, 0, 0, 0, 0, 0, NULL, "invalid containerPort: 65536"},
		{"a:80", NULL, 0, 0, 0, 0, 0, NULL, "invalid hostPort: a"},
		{"9001-9000", NULL, 0, 0, 0, 0, 0, NULL, "invalid containerPort: 9001-9000"},
		{"9000-9002:80-81", NULL, 0, 0, 0, 0, 0, NULL,
		 "invalid ranges specified for container and host Ports: 80-81 and 9000-9002"},
		{"80/tcpx", NULL, 0, 0, 0, 0, 0, NULL, "invalid proto: tcpx"},
		{"8080:80/Tcpx", NULL, 0, 0, 0, 0, 0, NULL, "invalid proto: Tcpx"},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct c2s_port_spec ps;
		char err[160] = "";
		int rc = c2s_port_spec_parse(cases[i].in, strlen(cases[i].in), &ps, err, sizeof err);
		if (!cases[i].ip) {
			if (rc == 0)
				fail_msg("[%s] accepted", cases[i].in);
			assert_string_equal(err, cases[i].err);
			continue;
		}
		if (rc != 0)
			fail_msg("[%s]: %s", cases[i].in, err);
		assert_int_equal(ps.ip_n, strlen(cases[i].ip));
		assert_memory_equal(ps.ip ? ps.ip : "", cases[i].ip, ps.ip_n);
		assert_int_equal(ps.target_lo, cases[i].tlo);
		assert_int_equal(ps.target_hi, cases[i].thi);
		assert_int_equal(ps.has_host, cases[i].has_host);
		if (ps.has_host) {
			assert_int_equal(ps.host_lo, cases[i].hlo);
			assert_int_equal(ps.host_hi, cases[i].hhi);
		}
		assert_string_equal(ps.proto, cases[i].proto);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_range),
		cmocka_unit_test(test_spec),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
