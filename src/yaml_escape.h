/* yaml_escape.h -- the escapes of a double-quoted scalar, as docker reads them: one table for both readers. */
#ifndef C2S_YAML_ESCAPE_H
#define C2S_YAML_ESCAPE_H

#include <stdint.h>

/*
 * docker decodes Compose files with gopkg.in/yaml.v3, whose scanner
 * (scannerc.go, yaml_parser_scan_flow_scalar) takes \0 \a \b \t \<TAB> \n \v
 * \f \r \e \<SPACE> \" \' \\ \N \_ \L \P \xXX \uXXXX \UXXXXXXXX and refuses
 * any other with "found unknown escape character". libyaml 0.2.5 differs in
 * two: it takes \/ (docker refuses it) and refuses \' (docker takes it). The
 * fast scanner decodes with this table; the loader's libyaml path is
 * corrected to it (yaml_load.c): so `docker stack config` and both of our
 * readers agree on every escape by construction.
 */

/* What follows a backslash: */
enum {
	C2S_YESC_UNKNOWN = -1, /* docker refuses it */
	C2S_YESC_CHAR = 0      /* one code point (*cp); else 2, 4 or 8 hex digits follow */
};

/* The code point an escape letter stands for, + 1 (0: not a one-letter escape). */
static const uint32_t c2s_yaml_escape_cp[256] = {
	['0'] = 0x00 + 1, ['a'] = 0x07 + 1, ['b'] = 0x08 + 1, ['t'] = 0x09 + 1, ['\t'] = 0x09 + 1,
	['n'] = 0x0a + 1, ['v'] = 0x0b + 1, ['f'] = 0x0c + 1, ['r'] = 0x0d + 1, ['e'] = 0x1b + 1,
	[' '] = 0x20 + 1, ['"'] = 0x22 + 1, ['\''] = 0x27 + 1, ['\\'] = 0x5c + 1, ['N'] = 0x85 + 1,
	['_'] = 0xa0 + 1, ['L'] = 0x2028 + 1, ['P'] = 0x2029 + 1,
};

/* The escape whose letter is c: C2S_YESC_CHAR with *cp set, the number of hex
 * digits that follow (x: 2, u: 4, U: 8), or C2S_YESC_UNKNOWN. */
static inline int c2s_yaml_escape(unsigned char c, uint32_t *cp)
{
	if (c2s_yaml_escape_cp[c]) {
		*cp = c2s_yaml_escape_cp[c] - 1;
		return C2S_YESC_CHAR;
	}
	switch (c) {
	case 'x': return 2;
	case 'u': return 4;
	case 'U': return 8;
	default: return C2S_YESC_UNKNOWN;
	}
}

/* A code point an escape may give: the surrogates and past U+10FFFF are
 * refused ("found invalid Unicode character escape code") by both. */
static inline int c2s_yaml_escape_cp_ok(uint32_t cp)
{
	return !((cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff);
}

#endif
