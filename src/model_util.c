/* model_util.c -- the struct tables, value access, and yaml.v3's key order
 * (durations and sizes are goval.c's). */
#include "config.h"
#include "model.h"
#include "goval.h"

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
		} else if (!c2s_go_is_digit(r = rune_at(s, n, &i))) {
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
		digits = c2s_go_is_digit((unsigned char)a[i - 1]);
		j = i;
	}
	while (i < an && j < bn) {
		size_t i0 = i, j0 = j;
		uint32_t ra = rune_next(a, an, &i), rb = rune_next(b, bn, &j);
		if (ra == rb) {
			digits = c2s_go_is_digit(ra);
			continue;
		}
		int al = c2s_go_is_letter(ra), bl = c2s_go_is_letter(rb);
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
					nonzero = c2s_go_is_digit(r) ? nonzero || r != '0' : 0;
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
