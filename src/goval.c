/* goval.c -- docker's value grammar: Go's strconv/time/unicode pieces, durations,
 * go-units sizes, CPUs (big.Rat), nat port specs and short volume specs (goval.h
 * says what each is). */
#include "config.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <arpa/inet.h>

#include "buf.h"
#include "goval.h"

/* ==== error texts: appended into the caller's buffer, cut at its size ==== */

struct msg {
	char *p;
	size_t size, len;
	struct c2s_buf *buf;  /* or append here */
};

static void msg_init(struct msg *m, char *p, size_t size)
{
	m->p = size ? p : NULL;
	m->size = size;
	m->len = 0;
	m->buf = NULL;
	if (m->p)
		m->p[0] = '\0';
}

static void msg_add(struct msg *m, const char *s, size_t n)
{
	if (m->buf) {
		c2s_buf_put(m->buf, s, n);
		return;
	}
	if (!m->p || m->len + 1 >= m->size)
		return;
	size_t room = m->size - 1 - m->len;
	if (n > room)
		n = room;
	memcpy(m->p + m->len, s, n);
	m->len += n;
	m->p[m->len] = '\0';
}

static void msg_adds(struct msg *m, const char *s)
{
	msg_add(m, s, strlen(s));
}

static void msg_addc(struct msg *m, char c)
{
	msg_add(m, &c, 1);
}

static const char lowerhex[] = "0123456789abcdef";

/* ==== unicode/utf8, unicode ==== */

size_t c2s_utf8_valid_len(const unsigned char *s, size_t n, uint32_t *cp)
{
	unsigned char c = s[0];
	if (c < 0x80) {
		*cp = c;
		return 1;
	}
	size_t len;
	uint32_t v, min;
	if (c >= 0xc2 && c <= 0xdf) {
		len = 2; v = c & 0x1f; min = 0x80;
	} else if (c >= 0xe0 && c <= 0xef) {
		len = 3; v = c & 0x0f; min = 0x800;
	} else if (c >= 0xf0 && c <= 0xf4) {
		len = 4; v = c & 0x07; min = 0x10000;
	} else {
		return 0;
	}
	if (n < len)
		return 0;
	for (size_t i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		v = (v << 6) | (s[i] & 0x3f);
	}
	if (v < min || v > 0x10ffff || (v >= 0xd800 && v <= 0xdfff))
		return 0;
	*cp = v;
	return len;
}

int c2s_go_is_space(uint32_t c)
{
	switch (c) {
	case '\t': case '\n': case '\v': case '\f': case '\r': case ' ':
	case 0x85: case 0xa0: case 0x1680: case 0x2028: case 0x2029: case 0x202f:
	case 0x205f: case 0x3000:
		return 1;
	default:
		return c >= 0x2000 && c <= 0x200a;
	}
}

size_t c2s_go_trim_space(const char **s, size_t n)
{
	const unsigned char *p = (const unsigned char *)*s;
	size_t i = 0, start = n, end = 0;
	/* one pass finds the first rune that is not space and the end of the last one
	 * (an invalid byte is RuneError, which is not space) */
	while (i < n) {
		uint32_t cp;
		size_t len = c2s_utf8_valid_len(p + i, n - i, &cp);
		int space = len && c2s_go_is_space(cp);
		if (!len)
			len = 1;
		if (!space) {
			if (start == n)
				start = i;
			end = i + len;
		}
		i += len;
	}
	if (start == n) {
		*s += n;
		return 0;
	}
	*s += start;
	return end - start;
}

int c2s_go_is_print(uint32_t c)
{
	if (c < 0x20 || c == 0x7f || (c >= 0x80 && c <= 0xa0) || c == 0xad)
		return 0;
	/* the separators and format characters of the common blocks, private use and
	 * noncharacters */
	return !(c == 0x1680 || (c >= 0x2000 && c <= 0x200f) || (c >= 0x2028 && c <= 0x202f) ||
		 (c >= 0x205f && c <= 0x2064) || c == 0x3000 || c == 0xfeff || (c >= 0xfff9 && c <= 0xfffb) ||
		 (c >= 0xe000 && c <= 0xf8ff) || (c >= 0xfdd0 && c <= 0xfdef) || (c & 0xfffe) == 0xfffe ||
		 c >= 0xf0000);
}

int c2s_go_unicode_letter(uint32_t r)
{
	if (c2s_go_unicode_digit(r))
		return 0;
	/* Beyond Latin-1, an approximation of Go's unicode.IsLetter: letters, but for
	 * the blocks of marks, punctuation, symbols, format characters and private use */
	if (r == 0xAA || r == 0xB5 || r == 0xBA)
		return 1;
	if (r < 0xC0 || r == 0xD7 || r == 0xF7)
		return 0;
	static const uint32_t not_letters[][2] = {
		{0x2C2, 0x2C5}, {0x2D2, 0x2DF}, {0x2E5, 0x2EB}, {0x2ED, 0x2ED}, {0x2EF, 0x36F}, {0x375, 0x375},
		{0x37E, 0x37E}, {0x384, 0x385}, {0x387, 0x387}, {0x3F6, 0x3F6}, {0x482, 0x489}, {0x55A, 0x55F},
		{0x589, 0x5CF}, {0x5F3, 0x61F}, {0x64B, 0x66D}, {0x670, 0x670}, {0x6D4, 0x6D4}, {0x6D6, 0x6E4},
		{0x6E7, 0x6ED}, {0x2000, 0x2BFF}, {0x2E00, 0x2E7F}, {0x3000, 0x3004}, {0x3007, 0x3030},
		{0x3036, 0x303A}, {0x303D, 0x303F}, {0x3099, 0x309C}, {0x30A0, 0x30A0}, {0x30FB, 0x30FB},
		{0xD800, 0xF8FF}, {0xFE00, 0xFE6F}, {0xFEFF, 0xFEFF}, {0xFF00, 0xFF20}, {0xFF3B, 0xFF40},
		{0xFF5B, 0xFF65}, {0xFFE0, 0xFFFF}, {0x1F000, 0x1FAFF}, {0xE0000, 0x10FFFF},
	};
	for (size_t i = 0; i < sizeof not_letters / sizeof *not_letters && not_letters[i][0] <= r; i++)
		if (r <= not_letters[i][1])
			return 0;
	return 1;
}

/* Go's unicode.IsDigit (category Nd, Unicode 15.0 as in Go 1.21 and later):
 * the first code point of each run of ten (one run of fifty). */
static const uint32_t nd_starts[] = {
	0x660, 0x6F0, 0x7C0, 0x966, 0x9E6, 0xA66, 0xAE6, 0xB66, 0xBE6, 0xC66, 0xCE6, 0xD66, 0xDE6, 0xE50, 0xED0,
	0xF20, 0x1040, 0x1090, 0x17E0, 0x1810, 0x1946, 0x19D0, 0x1A80, 0x1A90, 0x1B50, 0x1BB0, 0x1C40, 0x1C50,
	0xA620, 0xA8D0, 0xA900, 0xA9D0, 0xA9F0, 0xAA50, 0xABF0, 0xFF10, 0x104A0, 0x10D30, 0x11066, 0x110F0,
	0x11136, 0x111D0, 0x112F0, 0x11450, 0x114D0, 0x11650, 0x116C0, 0x11730, 0x118E0, 0x11950, 0x11C50,
	0x11D50, 0x11DA0, 0x11F50, 0x16A60, 0x16AC0, 0x16B50, 0x1D7CE, 0x1E140, 0x1E2F0, 0x1E4F0, 0x1E950, 0x1FBF0};

int c2s_go_unicode_digit(uint32_t r)
{
	if (r < 0x660 || r > 0x1FBF9)
		return 0;
	for (size_t k = 0; k < sizeof nd_starts / sizeof *nd_starts && nd_starts[k] <= r; k++)
		if (r - nd_starts[k] < (nd_starts[k] == 0x1D7CE ? 50u : 10u))
			return 1;
	return 0;
}

/* unicode.ToLower for the blocks a short text is likely to hold (ASCII, Latin,
 * Greek, Cyrillic, Armenian, full-width, and the signs that lower to ASCII). */
static uint32_t go_to_lower(uint32_t c)
{
	if (c < 0x80)
		return c >= 'A' && c <= 'Z' ? c + 32 : c;
	if ((c >= 0xc0 && c <= 0xde && c != 0xd7) || (c >= 0x391 && c <= 0x3ab && c != 0x3a2) ||
	    (c >= 0x410 && c <= 0x42f) || (c >= 0xff21 && c <= 0xff3a))
		return c + 32;
	if (c == 0x130)
		return 'i';
	if (c == 0x178)
		return 0xff;
	if ((c >= 0x100 && c <= 0x12f) || (c >= 0x132 && c <= 0x137) || (c >= 0x14a && c <= 0x177) ||
	    (c >= 0x460 && c <= 0x481) || (c >= 0x48a && c <= 0x4bf) || (c >= 0x4d0 && c <= 0x52f) ||
	    (c >= 0x1e00 && c <= 0x1e95) || (c >= 0x1ea0 && c <= 0x1eff))
		return c | 1;
	if ((c >= 0x1de && c <= 0x1ef) || (c >= 0x1f8 && c <= 0x21f) || (c >= 0x222 && c <= 0x233) ||
	    (c >= 0x246 && c <= 0x24f))
		return c | 1;
	if ((c >= 0x139 && c <= 0x148) || (c >= 0x179 && c <= 0x17e) || (c >= 0x4c1 && c <= 0x4ce) ||
	    (c >= 0x1cd && c <= 0x1dc))
		return (c & 1) ? c + 1 : c;
	if (c >= 0x400 && c <= 0x40f)
		return c + 0x50;
	if (c >= 0x531 && c <= 0x556)
		return c + 0x30;
	if (c >= 0x2160 && c <= 0x216f)
		return c + 0x10;
	if (c >= 0x24b6 && c <= 0x24cf)
		return c + 26;
	switch (c) {
	case 0x386: return 0x3ac;
	case 0x388: case 0x389: case 0x38a: return c + 37;
	case 0x38c: return 0x3cc;
	case 0x38e: case 0x38f: return c + 63;
	case 0x4c0: return 0x4cf;
	case 0x1e9e: return 0xdf;
	case 0x2126: return 0x3c9;
	case 0x212a: return 'k';
	case 0x212b: return 0xe5;
	default: return c;
	}
}

static size_t utf8_encode(uint32_t c, char *out)
{
	if (c < 0x80) {
		out[0] = (char)c;
		return 1;
	}
	if (c < 0x800) {
		out[0] = (char)(0xc0 | (c >> 6));
		out[1] = (char)(0x80 | (c & 0x3f));
		return 2;
	}
	if (c < 0x10000) {
		out[0] = (char)(0xe0 | (c >> 12));
		out[1] = (char)(0x80 | ((c >> 6) & 0x3f));
		out[2] = (char)(0x80 | (c & 0x3f));
		return 3;
	}
	out[0] = (char)(0xf0 | (c >> 18));
	out[1] = (char)(0x80 | ((c >> 12) & 0x3f));
	out[2] = (char)(0x80 | ((c >> 6) & 0x3f));
	out[3] = (char)(0x80 | (c & 0x3f));
	return 4;
}

/* strings.ToLower of a short text (n <= 3) into out (room for 13 bytes): an
 * invalid byte becomes U+FFFD, as strings.Map writes it. */
static size_t go_lower_short(const char *s, size_t n, char *out)
{
	size_t w = 0;
	for (size_t i = 0; i < n;) {
		uint32_t cp;
		size_t l = c2s_utf8_valid_len((const unsigned char *)s + i, n - i, &cp);
		if (!l) {
			cp = 0xfffd;
			l = 1;
		}
		w += utf8_encode(go_to_lower(cp), out + w);
		i += l;
	}
	out[w] = '\0';
	return w;
}

/* ==== strconv ==== */

/* strconv.Quote into m. */
static void quote_msg(struct msg *m, const char *str, size_t n)
{
	const unsigned char *s = (const unsigned char *)str;
	char tmp[16];
	msg_addc(m, '"');
	for (size_t i = 0; i < n;) {
		uint32_t cp;
		size_t l = c2s_utf8_valid_len(s + i, n - i, &cp);
		if (!l) {
			snprintf(tmp, sizeof tmp, "\\x%02x", s[i]);
			msg_adds(m, tmp);
			i++;
			continue;
		}
		i += l;
		const char *esc = NULL;
		switch (cp) {
		case '"': esc = "\\\""; break;
		case '\\': esc = "\\\\"; break;
		case '\a': esc = "\\a"; break;
		case '\b': esc = "\\b"; break;
		case '\f': esc = "\\f"; break;
		case '\n': esc = "\\n"; break;
		case '\r': esc = "\\r"; break;
		case '\t': esc = "\\t"; break;
		case '\v': esc = "\\v"; break;
		default: break;
		}
		if (esc)
			msg_adds(m, esc);
		else if (c2s_go_is_print(cp))
			msg_add(m, (const char *)s + i - l, l);
		else {
			if (cp < 0x80)
				snprintf(tmp, sizeof tmp, "\\x%02x", (unsigned)cp);
			else if (cp < 0x10000)
				snprintf(tmp, sizeof tmp, "\\u%04x", (unsigned)cp);
			else
				snprintf(tmp, sizeof tmp, "\\U%08x", (unsigned)cp);
			msg_adds(m, tmp);
		}
	}
	msg_addc(m, '"');
}

size_t c2s_go_quote_to(char *dst, size_t size, const char *s, size_t n)
{
	struct msg m;
	msg_init(&m, dst, size);
	quote_msg(&m, s, n);
	return m.len;
}

int c2s_go_quote(struct c2s_buf *out, const char *s, size_t n)
{
	struct msg m = {NULL, 0, 0, out};
	quote_msg(&m, s, n);
	return out->failed ? -1 : 0;
}

int64_t c2s_go_f64_to_i64(double f)
{
	/* -2^63 <= f < 2^63, compared as doubles (both bounds are exact); C's
	 * conversion of anything else is undefined */
	if (!(f >= -9223372036854775808.0 && f < 9223372036854775808.0))
		return INT64_MIN;
	return (int64_t)f;
}

const char *c2s_go_shlex_error(const char *s, size_t n)
{
	/* the tokenizer's states, enough to know where the text ends: a comment
	 * ('#' starting a word) runs to the line's end; in a word, '#' is a char */
	enum { START, WORD, ESC, QESC, DQUOTE, SQUOTE, COMMENT } st = START;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		int space = c == ' ' || c == '\t' || c == '\r' || c == '\n';
		switch (st) {
		case START:
		case WORD:
			if (space)
				st = START;
			else if (c == '"')
				st = DQUOTE;
			else if (c == '\'')
				st = SQUOTE;
			else if (c == '\\')
				st = ESC;
			else if (c == '#' && st == START)
				st = COMMENT;
			else
				st = WORD;
			break;
		case ESC: st = WORD; break;
		case QESC: st = DQUOTE; break;
		case DQUOTE:
			if (c == '"')
				st = WORD;
			else if (c == '\\')
				st = QESC;
			break;
		case SQUOTE:
			if (c == '\'')
				st = WORD;
			break;
		case COMMENT:
			if (c == '\n')
				st = START;
			break;
		}
	}
	if (st == ESC || st == QESC)
		return "EOF found after escape character";
	if (st == DQUOTE || st == SQUOTE)
		return "EOF found when expecting closing quote";
	return NULL;
}

uint64_t c2s_go_f64_to_u64(double f)
{
	if (f < 9223372036854775808.0)
		return (uint64_t)c2s_go_f64_to_i64(f);
	return (uint64_t)c2s_go_f64_to_i64(f - 9223372036854775808.0) | (UINT64_C(1) << 63);
}

int c2s_go_parse_uint(const char *s, size_t n, int bits, uint64_t *out, const char **why)
{
	const char *dummy;
	if (!why)
		why = &dummy;
	if (n == 0) {
		*why = "invalid syntax";
		return -1;
	}
	uint64_t max = bits >= 64 ? UINT64_MAX : ((uint64_t)1 << bits) - 1, v = 0;
	int range = 0;
	for (size_t i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9') {
			*why = "invalid syntax";
			return -1;
		}
		unsigned d = (unsigned)(s[i] - '0');
		if (range || v > (max - d) / 10)
			range = 1;
		else
			v = v * 10 + d;
	}
	if (range) {
		*why = "value out of range";
		return -1;
	}
	*out = v;
	return 0;
}

int c2s_go_atoi(const char *s, size_t n, long long *out, const char **why)
{
	size_t i = 0;
	int neg = 0;
	const char *dummy;
	if (!why)
		why = &dummy;
	if (n && (s[0] == '+' || s[0] == '-')) {
		neg = s[0] == '-';
		i = 1;
	}
	uint64_t v;
	if (i == n) {
		*why = "invalid syntax";
		return -1;
	}
	if (c2s_go_parse_uint(s + i, n - i, 64, &v, why) != 0)
		return -1;
	if (v > (uint64_t)INT64_MAX + (uint64_t)neg) {
		*why = "value out of range";
		return -1;
	}
	*out = neg ? (long long)(0 - v) : (long long)v;
	return 0;
}

static int lower_ascii(int c)
{
	return c >= 'A' && c <= 'Z' ? c + 32 : c;
}

/* strconv's underscoreOK: '_' only between digits, or after a base prefix. */
static int underscore_ok(const char *s, size_t n)
{
	char saw = '^';
	size_t i = 0;
	if (n >= 1 && (s[0] == '-' || s[0] == '+'))
		s++, n--;
	int hex = 0;
	if (n >= 2 && s[0] == '0' && strchr("box", lower_ascii((unsigned char)s[1]))) {
		i = 2;
		saw = '0';
		hex = lower_ascii((unsigned char)s[1]) == 'x';
	}
	for (; i < n; i++) {
		int c = (unsigned char)s[i];
		if ((c >= '0' && c <= '9') || (hex && lower_ascii(c) >= 'a' && lower_ascii(c) <= 'f')) {
			saw = '0';
			continue;
		}
		if (c == '_') {
			if (saw != '0')
				return 0;
			saw = '_';
			continue;
		}
		if (saw == '_')
			return 0;
		saw = '!';
	}
	return saw != '_';
}

/* strconv's special(): [+-]inf, infinity or nan (any case), the whole text. */
static int float_special(const char *s, size_t n, double *out)
{
	size_t i = 0;
	int sign = 1;
	if (n && (s[0] == '+' || s[0] == '-')) {
		sign = s[0] == '-' ? -1 : 1;
		i = 1;
	}
	static const char *const words[] = {"infinity", "inf", "nan"};
	for (int w = 0; w < 3; w++) {
		size_t l = strlen(words[w]);
		if (n - i != l || (w == 2 && i))
			continue;
		size_t k = 0;
		while (k < l && lower_ascii((unsigned char)s[i + k]) == words[w][k])
			k++;
		if (k == l) {
			*out = w == 2 ? NAN : sign * INFINITY;
			return 1;
		}
	}
	return 0;
}

/* strconv's readFloat syntax: 1 when the whole text is a Go float literal. */
static int float_syntax(const char *s, size_t n)
{
	size_t i = 0;
	int hex = 0, sawdot = 0, sawdigits = 0, underscores = 0;
	if (i < n && (s[i] == '+' || s[i] == '-'))
		i++;
	if (i + 2 < n && s[i] == '0' && lower_ascii((unsigned char)s[i + 1]) == 'x') {
		hex = 1;
		i += 2;
	}
	for (; i < n; i++) {
		int c = (unsigned char)s[i];
		if (c == '_') {
			underscores = 1;
		} else if (c == '.') {
			if (sawdot)
				break;
			sawdot = 1;
		} else if ((c >= '0' && c <= '9') || (hex && lower_ascii(c) >= 'a' && lower_ascii(c) <= 'f')) {
			sawdigits = 1;
		} else {
			break;
		}
	}
	if (!sawdigits)
		return 0;
	if (i < n && lower_ascii((unsigned char)s[i]) == (hex ? 'p' : 'e')) {
		i++;
		if (i < n && (s[i] == '+' || s[i] == '-'))
			i++;
		if (i >= n || s[i] < '0' || s[i] > '9')
			return 0;
		for (; i < n && ((s[i] >= '0' && s[i] <= '9') || s[i] == '_'); i++)
			underscores |= s[i] == '_';
	} else if (hex) {
		return 0;  /* a hexadecimal mantissa needs its p exponent */
	}
	if (underscores && !underscore_ok(s, i))
		return 0;
	return i == n;
}

int c2s_go_parse_float(const char *s, size_t n, double *out, char *err, size_t errn)
{
	struct msg m;
	msg_init(&m, err, errn);
	const char *why = NULL;
	if (float_special(s, n, out))
		return C2S_GOVAL_OK;
	if (!float_syntax(s, n)) {
		why = "invalid syntax";
	} else {
		/* Go's conversion is correctly rounded, as strtod is: give it the
		 * literal without underscores */
		char small[64], *copy = n < sizeof small ? small : malloc(n + 1);
		if (!copy) {
			why = "out of memory";
		} else {
			size_t w = 0;
			for (size_t i = 0; i < n; i++)
				if (s[i] != '_')
					copy[w++] = s[i];
			copy[w] = '\0';
			*out = strtod(copy, NULL);
			if (copy != small)
				free(copy);
			if (!isinf(*out))
				return C2S_GOVAL_OK;
			why = "value out of range";
		}
	}
	msg_adds(&m, "strconv.ParseFloat: parsing ");
	quote_msg(&m, s, n);
	msg_adds(&m, ": ");
	msg_adds(&m, why);
	return strcmp(why, "value out of range") == 0 ? C2S_GOVAL_RANGE : C2S_GOVAL_INVALID;
}

void c2s_go_os_error(char *dst, size_t size, const char *op, const char *path, int errnum)
{
	/* Go's syscall texts are strerror's, lower-cased */
	char text[128];
	snprintf(text, sizeof text, "%s", strerror(errnum));
	if (text[0] >= 'A' && text[0] <= 'Z')
		text[0] = (char)(text[0] + 32);
	snprintf(dst, size, "%s %s: %s", op, path, text);
}

/* ==== durations: time.ParseDuration, Duration.String ==== */

/* time's own quote(): bytes outside printable ASCII as \xHH, '"' and '\' escaped. */
static void time_quote(struct msg *m, const char *s, size_t n)
{
	msg_addc(m, '"');
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c >= 0x80 || c < ' ') {
			char x[4] = {'\\', 'x', lowerhex[c >> 4], lowerhex[c & 15]};
			msg_add(m, x, 4);
		} else {
			if (c == '"' || c == '\\')
				msg_addc(m, '\\');
			msg_addc(m, (char)c);
		}
	}
	msg_addc(m, '"');
}

static int duration_error(const char *what, const char *unit, size_t un, const char *s, size_t n, char *err,
			  size_t errn, int status)
{
	struct msg m;
	msg_init(&m, err, errn);
	msg_adds(&m, "time: ");
	msg_adds(&m, what);
	if (unit) {
		time_quote(&m, unit, un);
		msg_adds(&m, " in duration ");
	}
	time_quote(&m, s, n);
	return status;
}

#define TWO63 (UINT64_C(1) << 63)

int c2s_duration_parse(const char *str, size_t n, int64_t *out, char *err, size_t errn)
{
	const char *s = str, *end = str + n;
	uint64_t d = 0;
	int neg = 0;
#define INVALID() duration_error("invalid duration ", NULL, 0, str, n, err, errn, C2S_GOVAL_INVALID)
#define OVERFLOW() duration_error("invalid duration ", NULL, 0, str, n, err, errn, C2S_GOVAL_RANGE)
	if (s < end && (*s == '-' || *s == '+')) {
		neg = *s == '-';
		s++;
	}
	if (end - s == 1 && *s == '0') {
		*out = 0;
		return C2S_GOVAL_OK;
	}
	if (s == end)
		return INVALID();
	while (s < end) {
		uint64_t v = 0, f = 0;
		double scale = 1.0;
		if (!(*s == '.' || (*s >= '0' && *s <= '9')))
			return INVALID();
		const char *p0 = s;
		/* leadingInt */
		while (s < end && *s >= '0' && *s <= '9') {
			if (v > TWO63 / 10)
				return OVERFLOW();
			v = v * 10 + (uint64_t)(*s - '0');
			if (v > TWO63)
				return OVERFLOW();
			s++;
		}
		int pre = s != p0, post = 0;
		if (s < end && *s == '.') {
			/* leadingFraction: digits past what fits are read and dropped */
			s++;
			const char *q0 = s;
			int overflow = 0;
			while (s < end && *s >= '0' && *s <= '9') {
				if (!overflow) {
					if (f > (TWO63 - 1) / 10) {
						overflow = 1;
					} else {
						uint64_t y = f * 10 + (uint64_t)(*s - '0');
						if (y > TWO63) {
							overflow = 1;
						} else {
							f = y;
							scale *= 10;
						}
					}
				}
				s++;
			}
			post = s != q0;
		}
		if (!pre && !post)
			return INVALID();
		/* the unit is the whole run up to the next digit or '.' */
		const unsigned char *u = (const unsigned char *)s;
		uint64_t unit = c2s_scan_duration_unit(&u, (const unsigned char *)end);
		if (!unit || ((const char *)u < end && *u != '.' && !(*u >= '0' && *u <= '9'))) {
			const char *ue = s;
			while (ue < end && *ue != '.' && !(*ue >= '0' && *ue <= '9'))
				ue++;
			if (ue == s)
				return duration_error("missing unit in duration ", NULL, 0, str, n, err, errn,
						      C2S_GOVAL_INVALID);
			return duration_error("unknown unit ", s, (size_t)(ue - s), str, n, err, errn, C2S_GOVAL_INVALID);
		}
		s = (const char *)u;
		if (v > TWO63 / unit)
			return OVERFLOW();
		v *= unit;
		if (f > 0) {
			/* float64 is exact enough for fractions of an hour, as Go says */
			v += (uint64_t)((double)f * ((double)unit / scale));
			if (v > TWO63)
				return OVERFLOW();
		}
		d += v;
		if (d > TWO63)
			return OVERFLOW();
	}
	if (neg) {
		*out = d == TWO63 ? INT64_MIN : -(int64_t)d;
		return C2S_GOVAL_OK;
	}
	if (d > (uint64_t)INT64_MAX)
		return OVERFLOW();
	*out = (int64_t)d;
	return C2S_GOVAL_OK;
#undef INVALID
#undef OVERFLOW
}

static size_t fmt_frac(char *buf, size_t w, uint64_t *v, int prec)
{
	static const uint64_t pow10[] = {1, 10, 100, 1000, 10000, 100000, 1000000, 10000000, 100000000,
					 1000000000};
	if (*v % pow10[prec] == 0) {
		/* no fraction to print: the common whole second or millisecond */
		*v /= pow10[prec];
		return w;
	}
	int print = 0;
	for (int i = 0; i < prec; i++) {
		unsigned digit = (unsigned)(*v % 10);
		print = print || digit != 0;
		if (print)
			buf[--w] = (char)('0' + digit);
		*v /= 10;
	}
	if (print)
		buf[--w] = '.';
	return w;
}

static size_t fmt_int(char *buf, size_t w, uint64_t v)
{
	if (v == 0)
		buf[--w] = '0';
	while (v > 0) {
		buf[--w] = (char)('0' + v % 10);
		v /= 10;
	}
	return w;
}

size_t c2s_duration_format(int64_t d, char *out)
{
	char buf[C2S_DURATION_BUF];
	size_t w = sizeof buf;
	uint64_t u = (uint64_t)d;
	int neg = d < 0;
	if (neg)
		u = -u;
	if (u < 1000000000ull) {
		int prec;
		buf[--w] = 's';
		if (u == 0) {
			memcpy(out, "0s", 3);
			return 2;
		} else if (u < 1000ull) {
			prec = 0;
			buf[--w] = 'n';
		} else if (u < 1000000ull) {
			prec = 3;
			buf[--w] = (char)0xB5;  /* µ, U+00B5 */
			buf[--w] = (char)0xC2;
		} else {
			prec = 6;
			buf[--w] = 'm';
		}
		w = fmt_frac(buf, w, &u, prec);
		w = fmt_int(buf, w, u);
	} else {
		buf[--w] = 's';
		w = fmt_frac(buf, w, &u, 9);
		w = fmt_int(buf, w, u % 60);
		u /= 60;
		if (u > 0) {
			buf[--w] = 'm';
			w = fmt_int(buf, w, u % 60);
			u /= 60;
			if (u > 0) {
				buf[--w] = 'h';
				w = fmt_int(buf, w, u);
			}
		}
	}
	if (neg)
		buf[--w] = '-';
	size_t len = sizeof buf - w;
	memcpy(out, buf + w, len);
	out[len] = '\0';
	return len;
}

int c2s_duration_add(int64_t a, int64_t b, int64_t *out)
{
	if ((b > 0 && a > INT64_MAX - b) || (b < 0 && a < INT64_MIN - b)) {
		*out = b > 0 ? INT64_MAX : INT64_MIN;
		return -1;
	}
	*out = a + b;
	return 0;
}

int c2s_duration_mul(int64_t a, int64_t k, int64_t *out)
{
	if (a == 0 || k == 0) {
		*out = 0;
		return 0;
	}
	int neg = (a < 0) != (k < 0);
	uint64_t ua = a < 0 ? 0 - (uint64_t)a : (uint64_t)a, uk = k < 0 ? 0 - (uint64_t)k : (uint64_t)k;
	uint64_t limit = neg ? TWO63 : (uint64_t)INT64_MAX;
	if (ua > limit / uk) {
		*out = neg ? INT64_MIN : INT64_MAX;
		return -1;
	}
	uint64_t p = ua * uk;
	*out = neg ? (p == TWO63 ? INT64_MIN : -(int64_t)p) : (int64_t)p;
	return 0;
}

/* ==== sizes: docker/go-units parseSize ==== */

int c2s_size_parse(const char *s, size_t n, int decimal, int64_t *bytes, char *err, size_t errn)
{
	struct msg m;
	msg_init(&m, err, errn);
	/* strings.LastIndexAny(s, "01234567890. ") */
	size_t sep = n;
	for (size_t i = n; i-- > 0;)
		if ((s[i] >= '0' && s[i] <= '9') || s[i] == '.' || s[i] == ' ') {
			sep = i;
			break;
		}
	if (sep == n) {
		msg_adds(&m, "invalid size: '");
		msg_add(&m, s, n);
		msg_addc(&m, '\'');
		return C2S_GOVAL_INVALID;
	}
	size_t numlen = s[sep] != ' ' ? sep + 1 : sep;
	const char *sfx = s + sep + 1;
	size_t sfxlen = n - sep - 1;
	/* up to 15 digits alone (nearly every size) are an exact double: no strtod */
	double size;
	size_t nd = 0;
	uint64_t whole = 0;
	while (nd < numlen && nd < 16 && s[nd] >= '0' && s[nd] <= '9')
		whole = whole * 10 + (uint64_t)(s[nd++] - '0');
	if (nd == numlen && nd >= 1 && nd <= 15) {
		size = (double)whole;
	} else {
		int r = c2s_go_parse_float(s, numlen, &size, err, errn);
		if (r != C2S_GOVAL_OK)
			return r;
	}
	if (size < 0) {
		msg_adds(&m, "invalid size: '");
		msg_add(&m, s, n);
		msg_addc(&m, '\'');
		return C2S_GOVAL_INVALID;
	}
	if (sfxlen > 0) {
		char low[16];
		size_t ln;
		int power = -1;
		if (sfxlen > 3)
			goto bad;  /* too long: named as written, not lowered */
		ln = go_lower_short(sfx, sfxlen, low);
		if (low[0] == 'b') {
			if (ln > 1)
				goto bad;
			power = 0;
		} else {
			const char *k = memchr("kmgtp", low[0], 5);
			if (!k || !low[0])
				goto bad;
			if ((ln == 2 && low[1] != 'b') || (ln == 3 && (low[1] != 'i' || low[2] != 'b')))
				goto bad;
			power = (int)(k - "kmgtp") + 1;
		}
		for (int i = 0; i < power; i++)
			size *= decimal ? 1000.0 : 1024.0;
		goto done;
	bad:
		msg_adds(&m, "invalid suffix: '");
		if (sfxlen > 3)
			msg_add(&m, sfx, sfxlen);
		else
			msg_adds(&m, low);
		msg_addc(&m, '\'');
		return C2S_GOVAL_INVALID;
	}
done:
	/* int64(f) of a float past int64 is the minimum on amd64, as docker runs */
	*bytes = size >= 9223372036854775807.0 || isnan(size) ? INT64_MIN : (int64_t)size;
	return C2S_GOVAL_OK;
}

/* ==== CPUs: opts.ParseCPUs over math/big's Rat.SetString ==== */

/* A natural number of up to C2S_GOVAL_MAX_NUMBER hexadecimal digits, the
 * exact arithmetic big.Rat does for a CPU value; 32-bit limbs, least first. */
#define BN_LIMBS (C2S_GOVAL_MAX_NUMBER * 4 / 32 + 4)
struct bn {
	uint32_t d[BN_LIMBS];
	size_t n;  /* limbs in use, the top one nonzero */
};

static int bn_muladd(struct bn *a, uint32_t m, uint32_t add)
{
	uint64_t carry = add;
	for (size_t i = 0; i < a->n; i++) {
		uint64_t t = (uint64_t)a->d[i] * m + carry;
		a->d[i] = (uint32_t)t;
		carry = t >> 32;
	}
	if (carry) {
		if (a->n == BN_LIMBS)
			return -1;
		a->d[a->n++] = (uint32_t)carry;
	}
	return 0;
}

/* a /= d; returns the remainder. */
static uint32_t bn_divsmall(struct bn *a, uint32_t d)
{
	uint64_t r = 0;
	for (size_t i = a->n; i-- > 0;) {
		uint64_t t = r << 32 | a->d[i];
		a->d[i] = (uint32_t)(t / d);
		r = t % d;
	}
	while (a->n && !a->d[a->n - 1])
		a->n--;
	return (uint32_t)r;
}

static size_t bn_ctz(const struct bn *a)
{
	size_t z = 0, i = 0;
	while (i < a->n && !a->d[i])
		i++, z += 32;
	if (i < a->n)
		for (uint32_t w = a->d[i]; !(w & 1); w >>= 1)
			z++;
	return z;
}

static void bn_shr(struct bn *a, size_t k)
{
	size_t limbs = k / 32, bits = k % 32;
	if (limbs >= a->n) {
		a->n = 0;
		return;
	}
	for (size_t i = 0; i + limbs < a->n; i++) {
		uint64_t lo = a->d[i + limbs], hi = i + limbs + 1 < a->n ? a->d[i + limbs + 1] : 0;
		a->d[i] = (uint32_t)((lo | hi << 32) >> bits);
	}
	a->n -= limbs;
	while (a->n && !a->d[a->n - 1])
		a->n--;
}

/* How many times 5 divides a, dividing it out (at most max times). */
static size_t bn_strip5(struct bn *a, size_t max)
{
	size_t k = 0;
	while (k < max && a->n) {
		struct bn t = *a;
		if (bn_divsmall(&t, 5) != 0)
			break;
		*a = t;
		k++;
	}
	return k;
}

static uint64_t bn_low64(const struct bn *a)
{
	return (a->n > 0 ? a->d[0] : 0) | (uint64_t)(a->n > 1 ? a->d[1] : 0) << 32;
}

static int bn_bit(const struct bn *a, size_t i)
{
	return i / 32 < a->n && (a->d[i / 32] >> (i % 32) & 1);
}

static int bn_cmp(const struct bn *a, const struct bn *b)
{
	if (a->n != b->n)
		return a->n < b->n ? -1 : 1;
	for (size_t i = a->n; i-- > 0;)
		if (a->d[i] != b->d[i])
			return a->d[i] < b->d[i] ? -1 : 1;
	return 0;
}

/* q = a / b, returns 1 when the remainder is zero (b nonzero): long division by bits. */
static int bn_divexact(const struct bn *a, const struct bn *b, struct bn *q)
{
	struct bn r = {{0}, 0};
	memset(q, 0, sizeof *q);
	size_t bits = a->n * 32;
	q->n = a->n;
	for (size_t i = bits; i-- > 0;) {
		/* r = r << 1 | bit */
		uint32_t carry = (uint32_t)bn_bit(a, i);
		for (size_t k = 0; k < r.n; k++) {
			uint32_t top = r.d[k] >> 31;
			r.d[k] = r.d[k] << 1 | carry;
			carry = top;
		}
		if (carry)
			r.d[r.n++] = carry;
		if (bn_cmp(&r, b) >= 0) {
			uint64_t borrow = 0;
			for (size_t k = 0; k < r.n; k++) {
				uint64_t t = (uint64_t)r.d[k] - (k < b->n ? b->d[k] : 0) - borrow;
				r.d[k] = (uint32_t)t;
				borrow = t >> 63;
			}
			while (r.n && !r.d[r.n - 1])
				r.n--;
			q->d[i / 32] |= UINT32_C(1) << (i % 32);
		}
	}
	while (q->n && !q->d[q->n - 1])
		q->n--;
	return r.n == 0;
}

static uint64_t pow_wrap(uint64_t b, uint64_t e)
{
	uint64_t r = 1;
	while (e) {
		if (e & 1)
			r *= b;
		b *= b;
		e >>= 1;
	}
	return r;
}

/* math/big's nat.scan on s from *pos: [prefix] digits with '.' (frac_ok) and '_'
 * (base 0). 0, or -1 where Go fails (or the number outgrows struct bn). */
static int nat_scan(const char *s, size_t n, size_t *pos, int base, int frac_ok, struct bn *z, int *b_out,
		    long *count_out)
{
	size_t i = *pos;
	char prev = '.', prefix = 0;
	int inval_sep = 0, b = base ? base : 10, have = i < n;
	long count = 0, dp = -1;
	int ch = have ? (unsigned char)s[i++] : 0;
	z->n = 0;
	if (base == 0 && have && ch == '0') {
		prev = '0';
		count = 1;
		have = i < n;
		ch = have ? (unsigned char)s[i++] : 0;
		if (have) {
			switch (lower_ascii(ch)) {
			case 'b': b = 2, prefix = 'b'; break;
			case 'o': b = 8, prefix = 'o'; break;
			case 'x': b = 16, prefix = 'x'; break;
			default:
				if (!frac_ok)
					b = 8, prefix = '0';
			}
			if (prefix) {
				count = 0;
				if (prefix != '0') {
					have = i < n;
					ch = have ? (unsigned char)s[i++] : 0;
				}
			}
		}
	}
	while (have) {
		if (ch == '.' && frac_ok) {
			frac_ok = 0;
			inval_sep |= prev == '_';
			prev = '.';
			dp = count;
		} else if (ch == '_' && base == 0) {
			inval_sep |= prev != '0';
			prev = '_';
		} else {
			int d1 = ch >= '0' && ch <= '9' ? ch - '0' : ch >= 'a' && ch <= 'z' ? ch - 'a' + 10
				 : ch >= 'A' && ch <= 'Z' ? ch - 'A' + 10 : 99;
			if (d1 >= b) {
				i--;  /* not part of the number */
				break;
			}
			prev = '0';
			count++;
			if (bn_muladd(z, (uint32_t)b, (uint32_t)d1) != 0)
				return -1;
		}
		have = i < n;
		ch = have ? (unsigned char)s[i++] : 0;
	}
	if (inval_sep || prev == '_')
		return -1;
	if (count == 0) {
		if (prefix != '0')
			return -1;  /* no digits */
		/* the octal prefix 0 alone is decimal 0 */
		z->n = 0;
		b = 10;
		count = 1;
	}
	if (dp >= 0)
		count = dp - count;
	*pos = i;
	*b_out = b;
	*count_out = count;
	return 0;
}

/* scanExponent(base2ok, sepOk): [eEpP][+-]digits with '_'; none is exponent 0. */
static int scan_exponent(const char *s, size_t n, size_t *pos, int64_t *exp, int *ebase)
{
	size_t i = *pos;
	*exp = 0;
	*ebase = 10;
	if (i >= n)
		return 0;
	int ch = (unsigned char)s[i];
	if (ch == 'p' || ch == 'P')
		*ebase = 2;
	else if (ch != 'e' && ch != 'E')
		return 0;
	i++;
	int neg = 0;
	if (i < n && (s[i] == '+' || s[i] == '-'))
		neg = s[i++] == '-';
	char prev = '.';
	int inval_sep = 0, digits = 0, range = 0;
	uint64_t v = 0, lim = neg ? TWO63 : TWO63 - 1;
	for (; i < n; i++) {
		if (s[i] >= '0' && s[i] <= '9') {
			unsigned d = (unsigned)(s[i] - '0');
			if (v > (lim - d) / 10)
				range = 1;
			else
				v = v * 10 + d;
			prev = '0';
			digits = 1;
		} else if (s[i] == '_') {
			inval_sep |= prev != '0';
			prev = '_';
		} else {
			break;
		}
	}
	if (!digits || range || inval_sep || prev == '_')
		return -1;
	*exp = neg ? (int64_t)(0 - v) : (int64_t)v;
	*pos = i;
	return 0;
}

/* Signed Int.SetString(s, 0): the whole text. */
static int int_scan(const char *s, size_t n, struct bn *z, int *neg)
{
	size_t pos = 0;
	int b;
	long count;
	if (n == 0)
		return -1;
	*neg = s[0] == '-';
	if (s[0] == '-' || s[0] == '+')
		pos = 1;
	return nat_scan(s, n, &pos, 0, 0, z, &b, &count) == 0 && pos == n ? 0 : -1;
}

/* 2^e2 * 5^e5 * m (e2, e5 >= 0) wrapped to 64 bits, signed as big.Int.Int64. */
static int64_t wrap_value(const struct bn *m, int64_t e2, int64_t e5, int neg)
{
	uint64_t v = bn_low64(m) * (e2 >= 64 ? 0 : (uint64_t)1 << e2) * pow_wrap(5, (uint64_t)e5);
	return (int64_t)(neg ? 0 - v : v);
}

int c2s_cpus_parse(const char *s, size_t n, int64_t *nano, char *err, size_t errn)
{
	struct msg m;
	struct bn a, b;
	int neg = 0;
	int64_t e2, e5;
	msg_init(&m, err, errn);
	if (n == 0 || n > C2S_GOVAL_MAX_NUMBER)
		goto unparsable;
	const char *slash = memchr(s, '/', n);
	if (slash) {
		/* a/b: big.Int's SetString(base 0) for a, nat.scan for b (no sign), b != 0 */
		size_t an = (size_t)(slash - s), pos = an + 1;
		int bb;
		long count;
		if (int_scan(s, an, &a, &neg) != 0 || nat_scan(s, n, &pos, 0, 0, &b, &bb, &count) != 0 || pos != n ||
		    b.n == 0)
			goto unparsable;
		if (a.n == 0) {
			*nano = 0;
			return C2S_GOVAL_OK;
		}
		/* a*1e9/b is whole when b's 2s and 5s are within a's and 1e9's, and
		 * the rest of b divides a */
		size_t bi = bn_ctz(&b), ai = bn_ctz(&a);
		bn_shr(&b, bi);
		bn_shr(&a, ai);
		size_t bj = bn_strip5(&b, (size_t)-1), aj = bn_strip5(&a, (size_t)-1);
		if (bi > ai + 9 || bj > aj + 9)
			goto precise;
		struct bn q;
		if (!bn_divexact(&a, &b, &q))
			goto precise;
		*nano = wrap_value(&q, (int64_t)(ai + 9 - bi), (int64_t)(aj + 9 - bj), neg);
		return C2S_GOVAL_OK;
	}
	/* a float: [sign] mantissa [exponent], the mantissa in base 2, 8, 10 or 16 */
	size_t pos = 0;
	int base, ebase;
	long fcount;
	int64_t exp;
	if (s[0] == '-' || s[0] == '+')
		neg = s[pos++] == '-';
	if (nat_scan(s, n, &pos, 0, 1, &a, &base, &fcount) != 0 || scan_exponent(s, n, &pos, &exp, &ebase) != 0 ||
	    pos != n)
		goto unparsable;
	if (a.n == 0) {
		*nano = 0;
		return C2S_GOVAL_OK;
	}
	/* exp2, exp5 as Rat.SetString sums them (wrapping as Go's int64 does) */
	uint64_t x2 = 0, x5 = 0;
	if (fcount < 0) {
		uint64_t d = (uint64_t)(int64_t)fcount;
		x2 = base == 10 || base == 2 ? d : base == 8 ? d * 3 : d * 4;
		x5 = base == 10 ? d : 0;
	}
	x2 += (uint64_t)exp;
	if (ebase == 10)
		x5 += (uint64_t)exp;
	e2 = (int64_t)x2;
	e5 = (int64_t)x5;
	if (e5 != 0 && (e5 == INT64_MIN || (e5 < 0 ? -e5 : e5) > 1000000))
		goto unparsable;  /* Go: "avoid excessively large exponents" */
	if (e2 < -10000000 || e2 > 10000000)
		goto unparsable;
	/* times 1e9, then whole when the mantissa's own 2s and 5s cover what is negative */
	e2 += 9;
	e5 += 9;
	if (e2 < 0) {
		if (bn_ctz(&a) < (size_t)-e2)
			goto precise;
		bn_shr(&a, (size_t)-e2);
		e2 = 0;
	}
	if (e5 < 0) {
		if (bn_strip5(&a, (size_t)-e5) < (size_t)-e5)
			goto precise;
		e5 = 0;
	}
	*nano = wrap_value(&a, e2, e5, neg);
	return C2S_GOVAL_OK;
unparsable:
	msg_adds(&m, "failed to parse ");
	msg_add(&m, s, n);
	msg_adds(&m, " as a rational number");
	return C2S_GOVAL_INVALID;
precise:
	msg_adds(&m, "value is too precise");
	return C2S_GOVAL_INVALID;
}

/* ==== ports: docker/go-connections nat ==== */

static void num_error(struct msg *m, const char *func, const char *s, size_t n, const char *why)
{
	msg_adds(m, "strconv.");
	msg_adds(m, func);
	msg_adds(m, ": parsing ");
	quote_msg(m, s, n);
	msg_adds(m, ": ");
	msg_adds(m, why);
}

int c2s_port_range_parse(const char *s, size_t n, uint32_t *lo, uint32_t *hi, char *err, size_t errn)
{
	struct msg m;
	const char *why;
	uint64_t a, b;
	msg_init(&m, err, errn);
	if (n == 0) {
		msg_adds(&m, "empty string specified for ports");
		return C2S_GOVAL_INVALID;
	}
	const char *dash = memchr(s, '-', n);
	size_t an = dash ? (size_t)(dash - s) : n;
	if (c2s_go_parse_uint(s, an, 16, &a, &why) != 0) {
		num_error(&m, "ParseUint", s, an, why);
		return C2S_GOVAL_INVALID;
	}
	b = a;
	if (dash) {
		/* strings.Split: the second part ends at the next '-'; more parts are ignored */
		const char *p = dash + 1, *d2 = memchr(p, '-', n - an - 1);
		size_t bn = d2 ? (size_t)(d2 - p) : n - an - 1;
		if (c2s_go_parse_uint(p, bn, 16, &b, &why) != 0) {
			num_error(&m, "ParseUint", p, bn, why);
			return C2S_GOVAL_INVALID;
		}
		if (b < a) {
			msg_adds(&m, "invalid range specified for port: ");
			msg_add(&m, s, n);
			return C2S_GOVAL_INVALID;
		}
	}
	*lo = (uint32_t)a;
	*hi = (uint32_t)b;
	return C2S_GOVAL_OK;
}

/* net.ParseIP: dotted IPv4 without leading zeros, or IPv6 (no zone). */
static int go_parse_ip(const char *s, size_t n)
{
	char buf[64];
	unsigned char out[16];
	if (!n || n >= sizeof buf || memchr(s, '\0', n))
		return 0;
	memcpy(buf, s, n);
	buf[n] = '\0';
	if (strchr(buf, ':'))
		return inet_pton(AF_INET6, buf, out) == 1;
	for (const char *p = buf; *p; p++)
		if (*p == '0' && (p == buf || p[-1] == '.') && p[1] >= '0' && p[1] <= '9')
			return 0;
	return inet_pton(AF_INET, buf, out) == 1;
}

/* net.SplitHostPort(ip + ":")'s checks for a bracketed host: NULL, or why not. */
static const char *split_bracketed(const char *ip, size_t n, size_t *host_off, size_t *host_n)
{
	/* the text is ip + ":", so the last colon is at n */
	const char *close = memchr(ip, ']', n);
	if (!close)
		return "missing ']' in address";
	size_t end = (size_t)(close - ip);
	if (end + 1 != n)
		return ip[end + 1] == ':' ? "too many colons in address" : "missing port in address";
	if (memchr(ip + 1, '[', n - 1))
		return "unexpected '[' in address";
	*host_off = 1;
	*host_n = end - 1;
	return NULL;
}

int c2s_port_spec_parse(const char *s, size_t n, struct c2s_port_spec *ps, char *err, size_t errn)
{
	struct msg m;
	msg_init(&m, err, errn);
	memset(ps, 0, sizeof *ps);
	/* splitParts: the container port after the last ':', the host port before
	 * it, and everything before that is the IP */
	const char *last = NULL, *prev = NULL;
	for (size_t i = 0; i < n; i++)
		if (s[i] == ':') {
			prev = last;
			last = s + i;
		}
	const char *ip = s, *host = s, *cont = last ? last + 1 : s;
	size_t ipn = 0, hostn = 0, contn = (size_t)(s + n - cont);
	if (last) {
		host = prev ? prev + 1 : s;
		hostn = (size_t)(last - host);
		ipn = prev ? (size_t)(prev - s) : 0;
	}
	/* SplitProtoPort */
	const char *proto = "tcp", *slash = memchr(cont, '/', contn);
	size_t pn = 3;
	if (contn == 0 || cont[0] == '/') {
		proto = "";
		pn = 0;
		contn = 0;
	} else if (slash) {
		const char *p2 = memchr(slash + 1, '/', (size_t)(cont + contn - slash - 1));
		size_t plen = p2 ? (size_t)(p2 - slash - 1) : (size_t)(cont + contn - slash - 1);
		if (plen) {
			proto = slash + 1;
			pn = plen;
		}
		contn = (size_t)(slash - cont);
	}
	if (ipn && ip[0] == '[') {
		size_t off = 0, hn = 0;
		const char *why = split_bracketed(ip, ipn, &off, &hn);
		if (why) {
			msg_adds(&m, "invalid IP address ");
			msg_add(&m, ip, ipn);
			msg_adds(&m, ": address ");
			msg_add(&m, ip, ipn);
			msg_adds(&m, ":: ");  /* the address SplitHostPort saw ends in the ':' added */
			msg_adds(&m, why);
			return C2S_GOVAL_INVALID;
		}
		ip += off;
		ipn = hn;
	}
	if (ipn && !go_parse_ip(ip, ipn)) {
		msg_adds(&m, "invalid IP address: ");
		msg_add(&m, ip, ipn);
		return C2S_GOVAL_INVALID;
	}
	if (!contn) {
		msg_adds(&m, "no port specified: ");
		msg_add(&m, s, n);
		msg_adds(&m, "<empty>");
		return C2S_GOVAL_INVALID;
	}
	if (c2s_port_range_parse(cont, contn, &ps->target_lo, &ps->target_hi, NULL, 0) != 0) {
		msg_adds(&m, "invalid containerPort: ");
		msg_add(&m, cont, contn);
		return C2S_GOVAL_INVALID;
	}
	if (hostn && c2s_port_range_parse(host, hostn, &ps->host_lo, &ps->host_hi, NULL, 0) != 0) {
		msg_adds(&m, "invalid hostPort: ");
		msg_add(&m, host, hostn);
		return C2S_GOVAL_INVALID;
	}
	if (hostn && ps->target_hi - ps->target_lo != ps->host_hi - ps->host_lo && ps->target_hi != ps->target_lo) {
		msg_adds(&m, "invalid ranges specified for container and host Ports: ");
		msg_add(&m, cont, contn);
		msg_adds(&m, " and ");
		msg_add(&m, host, hostn);
		return C2S_GOVAL_INVALID;
	}
	static const char *const protos[] = {"tcp", "udp", "sctp"};
	ps->proto = NULL;
	for (int i = 0; i < 3; i++)
		if (pn == strlen(protos[i]) && !strncasecmp(proto, protos[i], pn))
			ps->proto = protos[i];
	if (!ps->proto) {
		msg_adds(&m, "invalid proto: ");
		msg_add(&m, proto, pn);
		return C2S_GOVAL_INVALID;
	}
	ps->ip = ip;
	ps->ip_n = ipn;
	ps->has_host = hostn != 0;
	return C2S_GOVAL_OK;
}

/* ==== short volume syntax: docker/cli loader/volume.go ParseVolume ==== */

/* unicode.IsLetter for the first rune of s (n bytes), *len its length. */
static int first_rune_letter(const char *s, size_t n, size_t *len)
{
	uint32_t cp;
	size_t l = c2s_utf8_valid_len((const unsigned char *)s, n, &cp);
	*len = l ? l : 1;
	return l && c2s_go_is_letter(cp);
}

int c2s_volume_spec_parse(const char *s, size_t n, struct c2s_volume_spec *v, char *err, size_t errn)
{
	static const char *const props[] = {"rprivate", "private", "rshared", "shared", "rslave", "slave"};
	memset(v, 0, sizeof *v);
	if (n == 0) {
		snprintf(err, errn, "invalid empty volume spec");
		return C2S_GOVAL_INVALID;
	}
	/* one or two bytes: an anonymous volume's target (len(spec) counts bytes) */
	if (n <= 2) {
		v->target = s;
		v->target_n = n;
		return C2S_GOVAL_OK;
	}
	const char *why = NULL;
	size_t start = 0;
	for (size_t i = 0; i <= n && !why; i++) {
		/* the text ends at its end, or at a NUL byte as Go's endOfSpec rune */
		int end = i == n || s[i] == '\0';
		if (!end && s[i] != ':')
			continue;
		size_t len = i - start, rl;
		/* isWindowsDrive: a one-rune letter before ':' stays in the field */
		if (!end && len && first_rune_letter(s + start, len, &rl) && rl == len)
			continue;
		const char *f = s + start;
		start = i + 1;
		if (len == 0)
			why = "empty section between colons";
		else if (!v->source && end) {
			v->target = f;
			v->target_n = len;
		} else if (!v->source) {
			v->source = f;
			v->source_n = len;
		} else if (!v->target) {
			v->target = f;
			v->target_n = len;
		} else if (!end) {
			why = "too many colons";
		} else {
			/* the mode: options split at ',', unknown ones ignored, the last word wins */
			for (size_t o = 0; o <= len;) {
				const char *comma = memchr(f + o, ',', len - o);
				size_t on = comma ? (size_t)(comma - (f + o)) : len - o;
				const char *opt = f + o;
				if (on == 2 && !memcmp(opt, "ro", 2))
					v->read_only = 1;
				else if (on == 2 && !memcmp(opt, "rw", 2))
					v->read_only = 0;
				else if (on == 6 && !memcmp(opt, "nocopy", 6))
					v->nocopy = 1;
				else
					for (size_t k = 0; k < sizeof props / sizeof *props; k++)
						if (on == strlen(props[k]) && !memcmp(opt, props[k], on))
							v->propagation = props[k];
				o += on + 1;
			}
		}
	}
	if (v->source) {
		/* isFilePath */
		const char *p = v->source;
		size_t pn = v->source_n, rl;
		if (p[0] == '.' || p[0] == '/' || p[0] == '~')
			v->bind = 1;
		else if (first_rune_letter(p, pn, &rl), rl >= pn)
			v->bind = 0;  /* a single rune */
		else if (pn >= 2 && p[0] == '\\' && p[1] == '\\')
			v->bind = 1;
		else
			v->bind = first_rune_letter(p, pn, &rl) && p[rl] == ':';
	}
	if (why) {
		struct msg m;
		msg_init(&m, err, errn);
		msg_adds(&m, "invalid spec: ");
		msg_add(&m, s, n);
		msg_adds(&m, ": ");
		msg_adds(&m, why);
		return C2S_GOVAL_INVALID;
	}
	return C2S_GOVAL_OK;
}

/* ==== Networks ==== */

/* net.ParseCIDR: an address net.ParseIP takes, '/', a prefix length (decimal,
 * leading zeros allowed as dtoi allows them) that fits the address. */
int c2s_cidr_valid(const char *s, size_t n)
{
	const char *slash = memchr(s, '/', n);
	if (!slash || !go_parse_ip(s, (size_t)(slash - s)))
		return 0;
	const char *d = slash + 1, *end = s + n;
	int v = 0, bits = memchr(s, ':', (size_t)(slash - s)) ? 128 : 32;
	if (d == end)
		return 0;
	for (; d < end; d++) {
		if (*d < '0' || *d > '9')
			return 0;
		v = v * 10 + (*d - '0');
		if (v > bits)
			return 0;
	}
	return 1;
}
