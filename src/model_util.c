/* model_util.c -- the struct tables, value access, and the scalar formats docker's
 * Go libraries use: time.Duration, go-units sizes, strconv floats, yaml.v3 key order. */
#include "config.h"
#include "model.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- tables ---- */

#define C2S_STRUCT(T, go) static const struct c2s_mfield fields_##T[] = {
#define C2S_FIELD(T, F, key, KIND, SUB) {key, sizeof(key) - 1, C2S_FK_##KIND, C2S_T_##SUB},
#define C2S_END(T) {NULL, 0, C2S_FK_STR, C2S_T_NONE}};
#include "model.def"

const struct c2s_mstruct c2s_mstructs[C2S_T_COUNT] = {
	{"", NULL, 0},
#define C2S_STRUCT(T, go) {go, fields_##T, C2S_F_##T##__COUNT},
#include "model.def"
};

/* ---- access ---- */

const struct c2s_mval *c2s_mget(const struct c2s_mval *s, unsigned field)
{
	if (!s || s->kind != C2S_MV_STRUCT)
		return NULL;
	for (uint32_t i = 0; i < s->n; i++) {
		if (s->u.v[i].field == field)
			return &s->u.v[i];
		if (s->u.v[i].field > field)
			break;
	}
	return NULL;
}

const struct c2s_mval *c2s_mmap_get(const struct c2s_mval *map, const char *key, size_t n)
{
	if (!map || map->kind != C2S_MV_MAP)
		return NULL;
	for (uint32_t i = 0; i < map->n; i++) {
		const struct c2s_mval *k = &map->u.v[2 * i];
		if (k->n == n && memcmp(k->u.s, key, n) == 0)
			return &map->u.v[2 * i + 1];
	}
	return NULL;
}

const struct c2s_node *c2s_mval_node(const struct c2s_model *m, const struct c2s_mval *v)
{
	if (!v || !v->node || v->file >= m->ndocs)
		return NULL;
	return &m->docs[v->file]->nodes[v->node];
}

/* ---- yaml.v3 key order (sorter.go keyList.Less, for string keys) ---- */

static uint32_t rune_at(const char *s, size_t n, size_t *i)
{
	unsigned char c = (unsigned char)s[*i];
	uint32_t r;
	int len;
	if (c < 0x80) {
		(*i)++;
		return c;
	} else if ((c & 0xE0) == 0xC0) {
		r = c & 0x1F;
		len = 2;
	} else if ((c & 0xF0) == 0xE0) {
		r = c & 0x0F;
		len = 3;
	} else if ((c & 0xF8) == 0xF0) {
		r = c & 0x07;
		len = 4;
	} else {
		(*i)++;
		return 0xFFFD;
	}
	if (*i + (size_t)len > n) {
		(*i)++;
		return 0xFFFD;
	}
	for (int k = 1; k < len; k++)
		r = (r << 6) | ((unsigned char)s[*i + (size_t)k] & 0x3F);
	*i += (size_t)len;
	return r;
}

static int is_digit_r(uint32_t r);

static int is_letter(uint32_t r)
{
	if (r < 0x80)
		return (r >= 'a' && r <= 'z') || (r >= 'A' && r <= 'Z');
	if (is_digit_r(r))
		return 0;
	/* Non-ASCII: Go's unicode.IsLetter; approximate with "not punctuation/space/digit". */
	if (r == 0xA0 || r == 0xB5 || r == 0xAA || r == 0xBA)
		return r != 0xA0;
	if (r < 0xC0)
		return 0;
	if (r == 0xD7 || r == 0xF7)
		return 0;
	if (r >= 0x2000 && r <= 0x2BFF)
		return 0;
	if (r >= 0x3000 && r <= 0x303F)
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

static int is_digit_r(uint32_t r)
{
	if (r < 0x80)
		return r >= '0' && r <= '9';
	if (r < 0x660 || r > 0x1FBF9)
		return 0;
	for (size_t k = 0; k < sizeof nd_starts / sizeof *nd_starts && nd_starts[k] <= r; k++)
		if (r - nd_starts[k] < (nd_starts[k] == 0x1D7CE ? 50u : 10u))
			return 1;
	return 0;
}

static uint32_t rune_next(const char *s, size_t n, size_t *i)
{
	if ((unsigned char)s[*i] < 0x80)
		return (unsigned char)s[(*i)++];
	return rune_at(s, n, i);
}

/* The digits of s from byte i on, as Go's keyLess reads them: num*10 + (rune
 * - '0') per digit, in int64 arithmetic that wraps; *len counts the runes. */
static uint64_t digit_run(const char *s, size_t n, size_t i, uint64_t num, size_t *len)
{
	while (i < n) {
		unsigned char c = (unsigned char)s[i];
		uint32_t r;
		if (c < 0x80) {
			if (c < '0' || c > '9')
				break;
			r = c;
			i++;
		} else if (!is_digit_r(r = rune_at(s, n, &i))) {
			break;
		}
		num = num * 10 + (uint64_t)(int64_t)((int32_t)r - '0');
		++*len;
	}
	return num;
}

int c2s_key_cmp(const char *pa, size_t an, const char *pb, size_t bn)
{
	/* an equal ASCII prefix, then two letters: keyLess compares those two */
	const unsigned char *x = (const unsigned char *)pa, *y = (const unsigned char *)pb;
	size_t i = 0, m = an < bn ? an : bn;
	while (i < m && x[i] == y[i] && x[i] < 0x80)
		i++;
	if (i < m && (unsigned)((x[i] | 32) - 'a') < 26u && (unsigned)((y[i] | 32) - 'a') < 26u)
		return x[i] < y[i] ? -1 : 1;
	/* or two digits, neither '0', starting digit runs of one length (up to 18): the
	 * numbers keyLess reads there differ as those digits do */
	if (i < m && x[i] >= '1' && x[i] <= '9' && y[i] >= '1' && y[i] <= '9') {
		size_t ea = i + 1, eb = i + 1;
		while (ea < an && x[ea] >= '0' && x[ea] <= '9')
			ea++;
		while (eb < bn && y[eb] >= '0' && y[eb] <= '9')
			eb++;
		/* (a run that goes on in a non-ASCII digit is keyLess's to judge) */
		if (ea - i == eb - i && ea - i <= 18 && (ea == an || x[ea] < 0x80) && (eb == bn || y[eb] < 0x80))
			return x[i] < y[i] ? -1 : 1;
	}
	if (c2s_key_less(pa, an, pb, bn))
		return -1;
	if (c2s_key_less(pb, bn, pa, an))
		return 1;
	/* equal under Less but maybe different bytes */
	if (an != bn || memcmp(pa, pb, an) != 0) {
		int c = memcmp(pa, pb, m);
		return c ? c : (an < bn ? -1 : 1);
	}
	return 0;
}

int c2s_key_less(const char *a, size_t an, const char *b, size_t bn)
{
	size_t i = 0, j = 0;
	int digits = 0;
	/* an equal ASCII prefix, as the loop below would walk it a rune at a time */
	while (i < an && i < bn && a[i] == b[i] && (unsigned char)a[i] < 0x80)
		i++;
	if (i) {
		digits = is_digit_r((unsigned char)a[i - 1]);
		j = i;
	}
	while (i < an && j < bn) {
		size_t i0 = i, j0 = j;
		uint32_t ra = rune_next(a, an, &i), rb = rune_next(b, bn, &j);
		if (ra == rb) {
			digits = is_digit_r(ra);
			continue;
		}
		int al = is_letter(ra), bl = is_letter(rb);
		if (al && bl)
			return ra < rb;
		if (al || bl)
			return digits ? al : bl;
		/* Go's int64 arithmetic, wrapping: in unsigned, compared signed */
		uint64_t anum = 0, bnum = 0;
		size_t ai = i0, bi = j0, alen = 0, blen = 0;
		if (ra == '0' || rb == '0') {
			/* the digits of a just before this rune: one other than '0'? (back
			 * over ASCII; from the start when a non-ASCII byte is met) */
			size_t k = i0;
			int nonzero = 0;
			while (k > 0 && (unsigned char)a[k - 1] < 0x80 && a[k - 1] == '0')
				k--;
			if (k > 0 && (unsigned char)a[k - 1] >= 0x80) {
				for (size_t q = 0; q < i0;) {
					uint32_t r = rune_next(a, an, &q);
					nonzero = is_digit_r(r) ? nonzero || r != '0' : 0;
				}
			} else {
				nonzero = k > 0 && a[k - 1] >= '1' && a[k - 1] <= '9';
			}
			if (nonzero)
				anum = bnum = 1;
		}
		anum = digit_run(a, an, ai, anum, &alen);
		bnum = digit_run(b, bn, bi, bnum, &blen);
		if (anum != bnum)
			return (int64_t)anum < (int64_t)bnum;
		/* Go compares rune indexes: the runs' lengths in runes */
		if (alen != blen)
			return alen < blen;
		return ra < rb;
	}
	/* len([]rune(a)) < len([]rune(b)) with an equal prefix */
	return i == an && j < bn;
}

/* ---- durations: Go's time.Duration ---- */

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
	char buf[32];
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
			buf[--w] = (char)0xB5;
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
	size_t n = sizeof buf - w;
	memcpy(out, buf + w, n);
	out[n] = '\0';
	return n;
}

int c2s_duration_parse(const char *s, size_t n, int64_t *out)
{
	const char *end = s + n;
	uint64_t d = 0;
	int neg = 0;
	if (s < end && (*s == '-' || *s == '+')) {
		neg = *s == '-';
		s++;
	}
	if (end - s == 1 && *s == '0') {
		*out = 0;
		return 0;
	}
	if (s == end)
		return -1;
	while (s < end) {
		uint64_t v = 0, f = 0;
		double scale = 1.0;
		if (!(*s == '.' || (*s >= '0' && *s <= '9')))
			return -1;
		const char *p0 = s;
		while (s < end && *s >= '0' && *s <= '9') {
			if (v > (UINT64_C(1) << 63) / 10)
				return -2;
			v = v * 10 + (uint64_t)(*s - '0');
			if (v > (UINT64_C(1) << 63))
				return -2;
			s++;
		}
		int pre = s != p0, post = 0;
		if (s < end && *s == '.') {
			s++;
			const char *q0 = s;
			int overflow = 0;
			while (s < end && *s >= '0' && *s <= '9') {
				if (!overflow) {
					if (f > (UINT64_C(1) << 63) / 10) {
						overflow = 1;
					} else {
						uint64_t y = f * 10 + (uint64_t)(*s - '0');
						if (y > (UINT64_C(1) << 63))
							overflow = 1;
						else {
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
			return -1;
		/* the unit runs to the next digit or '.' (scan_units.re) */
		const unsigned char *u = (const unsigned char *)s;
		uint64_t unit = c2s_scan_duration_unit(&u, (const unsigned char *)end);
		s = (const char *)u;
		if (!unit || (s < end && *s != '.' && !(*s >= '0' && *s <= '9')))
			return -1;
		if (v > (UINT64_C(1) << 63) / unit)
			return -2;
		v *= unit;
		if (f > 0) {
			v += (uint64_t)((double)f * ((double)unit / scale));
			if (v > (UINT64_C(1) << 63))
				return -2;
		}
		d += v;
		if (d > (UINT64_C(1) << 63))
			return -2;
	}
	if (neg) {
		*out = d == (UINT64_C(1) << 63) ? INT64_MIN : -(int64_t)d;
		return 0;
	}
	if (d > (uint64_t)INT64_MAX)
		return -2;
	*out = (int64_t)d;
	return 0;
}

/* ---- sizes: docker/go-units RAMInBytes ---- */

int c2s_size_parse(const char *s, size_t n, int64_t *bytes, struct c2s_str *bad_suffix)
{
	size_t sep = (size_t)-1;
	for (size_t i = 0; i < n; i++)
		if ((s[i] >= '0' && s[i] <= '9') || s[i] == '.' || s[i] == ' ')
			sep = i;
	if (sep == (size_t)-1)
		return -1;
	size_t numlen = s[sep] != ' ' ? sep + 1 : sep;
	const char *sfx = s + sep + 1;
	size_t sfxlen = n - sep - 1;
	char buf[128];
	if (numlen == 0 || numlen >= sizeof buf)
		return -1;
	memcpy(buf, s, numlen);
	buf[numlen] = '\0';
	/* Go's ParseFloat: no leading/trailing space, no hex here (digits only). Up to
	 * 15 digits alone (most sizes) are an exact double: no strtod. */
	size_t nd = 0;
	uint64_t whole = 0;
	while (nd < numlen && nd < 16 && buf[nd] >= '0' && buf[nd] <= '9')
		whole = whole * 10 + (uint64_t)(buf[nd++] - '0');
	double size;
	if (nd == numlen && nd <= 15) {
		size = (double)whole;
	} else {
		char *e;
		size = strtod(buf, &e);
		if (e != buf + numlen || buf[0] == ' ' || strchr(buf, ' '))
			return -1;
	}
	if (size < 0)
		return -1;
	if (sfxlen == 0) {
		*bytes = (int64_t)size;
		return 0;
	}
	bad_suffix->p = sfx;
	bad_suffix->n = sfxlen;
	if (sfxlen > 3)
		return -2;
	int power = c2s_scan_size_suffix((const unsigned char *)sfx, (const unsigned char *)sfx + sfxlen);
	if (power < 0)
		return -2;
	for (int k = 0; k < power; k++)
		size *= 1024.0;
	*bytes = size >= 9223372036854775807.0 ? INT64_MIN : (int64_t)size;
	return 0;
}
