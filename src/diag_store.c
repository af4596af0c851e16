/* diag_store.c -- the diagnostic list's memory: texts kept once, deferred messages, the repeat table. */
#include "config.h"
#include "diag_store.h"
#include "diag.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- texts kept once ---- */

static uint32_t text_hash(const char *s, size_t n)
{
	uint64_t h = 0x9e3779b97f4a7c15ull ^ n, w;
	if (n < 8) {
		for (size_t i = 0; i < n; i++)
			h = (h ^ (unsigned char)s[i]) * 0x100000001b3ull;
	} else {
		/* a word at a time, the last word overlapping the one before */
		for (size_t i = 0; i + 8 < n; i += 8) {
			memcpy(&w, s + i, 8);
			h = ((h ^ w) << 23 | (h ^ w) >> 41) * 0xff51afd7ed558ccdull;
		}
		memcpy(&w, s + n - 8, 8);
		h = (h ^ w) * 0xff51afd7ed558ccdull;
	}
	h ^= h >> 32;
	h *= 0xc4ceb9fe1a85ec53ull;
	h ^= h >> 29;
	return (uint32_t)h;
}

/* The arena's copy of s[0..n) (no NUL inside), made once per distinct text. */
const char *c2s_diag_text_intern(struct c2s_diag_texts *tx, struct c2s_arena *a, const char *s, size_t n)
{
	if (2 * ((size_t)tx->ntexts + 1) > tx->cap_texts) {
		uint32_t cap = tx->cap_texts ? tx->cap_texts * 2 : 256;
		const char **t = calloc(cap, sizeof *t);
		if (!t)
			return c2s_arena_strndup(a, s, n);
		for (uint32_t i = 0; i < tx->cap_texts; i++) {
			const char *e = tx->texts[i];
			if (!e)
				continue;
			uint32_t h = text_hash(e, strlen(e)) & (cap - 1);
			while (t[h])
				h = (h + 1) & (cap - 1);
			t[h] = e;
		}
		free(tx->texts);
		tx->texts = t;
		tx->cap_texts = cap;
	}
	uint32_t mask = tx->cap_texts - 1, h = text_hash(s, n) & mask;
	for (const char *e; (e = tx->texts[h]) != NULL; h = (h + 1) & mask)
		if (e[0] == s[0] && strncmp(e, s, n) == 0 && e[n] == '\0')
			return e;
	char *copy = c2s_arena_strndup(a, s, n);
	if (copy) {
		tx->texts[h] = copy;
		tx->ntexts++;
	}
	return copy;
}

/* fmt formatted: once into a stack buffer, which nearly every text fits, then
 * kept once per distinct text (a large file can have thousands of findings). */
const char *c2s_diag_text_vformat(struct c2s_diag_texts *tx, struct c2s_arena *a, const char *fmt, va_list ap)
{
	if (fmt == tx->last_fixed_fmt && strcmp(fmt, tx->last_fixed) == 0)  /* a rule repeating its fixed text */
		return tx->last_fixed;
	if (!strchr(fmt, '%')) {  /* a fixed text: no printf */
		const char *t = c2s_diag_text_intern(tx, a, fmt, strlen(fmt));
		if (t) {
			tx->last_fixed_fmt = fmt;
			tx->last_fixed = t;
		}
		return t;
	}
	char small[C2S_DIAG_TEXT_SMALL];
	va_list copy;
	va_copy(copy, ap);
	int n = vsnprintf(small, sizeof small, fmt, copy);
	va_end(copy);
	if (n < 0)
		return NULL;
	if ((size_t)n < sizeof small)
		return c2s_diag_text_intern(tx, a, small, (size_t)n);
	char *p = c2s_arena_alloc(a, (size_t)n + 1);
	if (p)
		vsnprintf(p, (size_t)n + 1, fmt, ap);
	return p;
}

/* ---- deferred messages: the format, and what each conversion printed ----
 * A message kept deferred is a packed record in the arena: a NUL byte (so that
 * it reads as "" if looked at early), the format's index in tx->fmts (2 bytes),
 * then per conversion its text: a length byte (255: two more bytes of length)
 * and the bytes. printf prints each conversion on its own, so the sentence
 * put together from the format's literal text and these pieces is the one
 * vsnprintf would have written. */

/* The conversion starting at fmt[0] == '%' (not "%%"): its length, the number
 * of '*' (int arguments before the value), its length modifier and letter.
 * 0 when it is one a deferred message does not keep. */
static size_t parse_conversion(const char *fmt, int *stars, char *len1, char *len2, char *conv)
{
	size_t j = 1;
	*stars = 0;
	while (fmt[j] == '-' || fmt[j] == '+' || fmt[j] == ' ' || fmt[j] == '#' || fmt[j] == '0' || fmt[j] == '\'')
		j++;
	if (fmt[j] == '*') {
		(*stars)++;
		j++;
	} else {
		while (fmt[j] >= '0' && fmt[j] <= '9')
			j++;
	}
	if (fmt[j] == '.') {
		j++;
		if (fmt[j] == '*') {
			(*stars)++;
			j++;
		} else {
			while (fmt[j] >= '0' && fmt[j] <= '9')
				j++;
		}
	}
	*len1 = *len2 = 0;
	if (fmt[j] == 'l' || fmt[j] == 'z' || fmt[j] == 'h' || fmt[j] == 'j' || fmt[j] == 't' || fmt[j] == 'L') {
		*len1 = fmt[j++];
		if ((*len1 == 'h' || *len1 == 'l') && fmt[j] == *len1)
			*len2 = fmt[j++];
	}
	*conv = fmt[j];
	switch (*conv) {
	case 's': case 'd': case 'u': case 'c': case 'x': case 'X': case 'i': case 'o': case 'p':
	case 'f': case 'F': case 'e': case 'E': case 'g': case 'G': case 'a': case 'A':
		break;
	default:
		return 0;
	}
	if ((*conv == 'c' || *conv == 's') && *len1)
		return 0;  /* wide characters: not kept */
	return j + 1;
}

/* The index of fmt in tx->fmts, added if new; -1 when the table is full. */
static int fmt_index(struct c2s_diag_texts *tx, const char *fmt)
{
	if (tx->cap_fmt_slots) {
		uintptr_t h = ((uintptr_t)fmt >> 3) * 0x9e3779b1u;
		for (uint32_t i = (uint32_t)h & (tx->cap_fmt_slots - 1), at; (at = tx->fmt_slots[i]) != 0;
		     i = (i + 1) & (tx->cap_fmt_slots - 1))
			if (tx->fmts[at - 1] == fmt)
				return (int)(at - 1);
	}
	if (tx->nfmts >= UINT16_MAX)
		return -1;
	if (tx->nfmts == tx->cap_fmts) {
		uint32_t cap = tx->cap_fmts ? tx->cap_fmts * 2 : 64;
		const char **f = realloc(tx->fmts, cap * sizeof *f);
		if (!f)
			return -1;
		tx->fmts = f;
		tx->cap_fmts = cap;
	}
	if (2 * (tx->nfmts + 1) > tx->cap_fmt_slots) {
		uint32_t cap = tx->cap_fmt_slots ? tx->cap_fmt_slots * 2 : 128;
		uint32_t *t = calloc(cap, sizeof *t);
		if (!t)
			return -1;
		free(tx->fmt_slots);
		tx->fmt_slots = t;
		tx->cap_fmt_slots = cap;
		for (uint32_t k = 0; k < tx->nfmts; k++) {
			uintptr_t h = ((uintptr_t)tx->fmts[k] >> 3) * 0x9e3779b1u;
			uint32_t i = (uint32_t)h & (cap - 1);
			while (t[i])
				i = (i + 1) & (cap - 1);
			t[i] = k + 1;
		}
	}
	uintptr_t h = ((uintptr_t)fmt >> 3) * 0x9e3779b1u;
	uint32_t i = (uint32_t)h & (tx->cap_fmt_slots - 1);
	while (tx->fmt_slots[i])
		i = (i + 1) & (tx->cap_fmt_slots - 1);
	tx->fmts[tx->nfmts] = fmt;
	tx->fmt_slots[i] = ++tx->nfmts;
	return (int)(tx->nfmts - 1);
}

/* printf of one conversion (spec, NUL-terminated) with its arguments from ap. */
#define PIECE(type, promoted)                                                          \
	do {                                                                           \
		type v_ = (type)va_arg(*ap, promoted);                                 \
		n = stars == 0 ? snprintf(out, room, spec, v_)                         \
		    : stars == 1 ? snprintf(out, room, spec, st[0], v_)                \
				 : snprintf(out, room, spec, st[0], st[1], v_);        \
	} while (0)

#if defined(__GNUC__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
#endif
static int format_piece(char *out, size_t room, const char *spec, int stars, char len1, char len2,
			char conv, va_list *ap)
{
	int st[2] = {0, 0}, n = -1;
	for (int k = 0; k < stars; k++)
		st[k] = va_arg(*ap, int);
	/* the common ones without printf: %s, %.*s, and %d %u %ld %lu %lld %llu %zu */
	if (conv == 's' && (spec[1] == 's' || (stars == 1 && spec[1] == '.' && spec[2] == '*' && spec[3] == 's'))) {
		const char *str = va_arg(*ap, const char *);
		if (!str)  /* printf's own words for it */
			return stars ? snprintf(out, room, spec, st[0], str) : snprintf(out, room, spec, str);
		size_t len = stars == 1 && st[0] >= 0 ? strnlen(str, (size_t)st[0]) : strlen(str);
		if (len >= room)
			return (int)len;
		memcpy(out, str, len);
		out[len] = '\0';
		return (int)len;
	}
	if (spec[1] == len1 || spec[1] == conv) {  /* no flags, width or precision */
		unsigned long long u = 0;
		int neg = 0, known = 1;
		if (conv == 'd' && (len1 == 0 || len1 == 'l')) {
			long long v = len1 == 0 ? va_arg(*ap, int) : len2 ? va_arg(*ap, long long) : va_arg(*ap, long);
			neg = v < 0;
			u = neg ? 0ull - (unsigned long long)v : (unsigned long long)v;
		} else if (conv == 'u' && (len1 == 0 || len1 == 'l' || len1 == 'z')) {
			u = len1 == 0 ? va_arg(*ap, unsigned) : len1 == 'z' ? va_arg(*ap, size_t)
			    : len2 ? va_arg(*ap, unsigned long long) : va_arg(*ap, unsigned long);
		} else {
			known = 0;
		}
		if (known) {
			char digits[24];
			size_t k = sizeof digits;
			do {
				digits[--k] = (char)('0' + u % 10);
				u /= 10;
			} while (u);
			if (neg)
				digits[--k] = '-';
			size_t len = sizeof digits - k;
			if (len >= room)
				return (int)len;
			memcpy(out, digits + k, len);
			out[len] = '\0';
			return (int)len;
		}
	}
	switch (conv) {
	case 'd':
	case 'i':
		if (len1 == 'l' && len2)
			PIECE(long long, long long);
		else if (len1 == 'l')
			PIECE(long, long);
		else if (len1 == 'j')
			PIECE(intmax_t, intmax_t);
		else if (len1 == 'z')
			PIECE(size_t, size_t);
		else if (len1 == 't')
			PIECE(ptrdiff_t, ptrdiff_t);
		else if (len1 == 0 || len1 == 'h')
			PIECE(int, int);
		break;
	case 'u':
	case 'o':
	case 'x':
	case 'X':
		if (len1 == 'l' && len2)
			PIECE(unsigned long long, unsigned long long);
		else if (len1 == 'l')
			PIECE(unsigned long, unsigned long);
		else if (len1 == 'j')
			PIECE(uintmax_t, uintmax_t);
		else if (len1 == 'z')
			PIECE(size_t, size_t);
		else if (len1 == 't')
			PIECE(ptrdiff_t, ptrdiff_t);
		else if (len1 == 0 || len1 == 'h')
			PIECE(unsigned, unsigned);
		break;
	case 'c':
		PIECE(int, int);
		break;
	case 's':
		PIECE(const char *, const char *);
		break;
	case 'p':
		PIECE(void *, void *);
		break;
	default:  /* f F e E g G a A */
		if (len1 == 'L')
			PIECE(long double, long double);
		else if (len1 == 0 || len1 == 'l')
			PIECE(double, double);
		break;
	}
	return n;
}
#if defined(__GNUC__)
#pragma GCC diagnostic pop
#endif
#undef PIECE

/* fmt with ap kept as a deferred record; NULL when it cannot be (the caller
 * then formats it now). ap is consumed. */
const char *c2s_diag_text_defer(struct c2s_diag_texts *tx, struct c2s_arena *a, const char *fmt, va_list *ap)
{
	unsigned char rec[3 + 3 * 32 + C2S_DIAG_TEXT_SMALL];
	size_t w = 3, total = 0;
	for (const char *p = fmt; *p; p++) {
		const char *pc = strchr(p, '%');
		if (!pc) {
			total += strlen(p);
			break;
		}
		total += (size_t)(pc - p);
		p = pc;
		if (p[1] == '%') {
			total++;
			p++;
			continue;
		}
		int stars;
		char len1, len2, conv, spec[32], piece[C2S_DIAG_TEXT_SMALL];
		size_t sn = parse_conversion(p, &stars, &len1, &len2, &conv);
		if (!sn || sn >= sizeof spec)
			return NULL;
		memcpy(spec, p, sn);
		spec[sn] = '\0';
		int n = format_piece(piece, sizeof piece, spec, stars, len1, len2, conv, ap);
		if (n < 0 || (size_t)n >= sizeof piece)
			return NULL;
		total += (size_t)n;
		if (total >= C2S_DIAG_TEXT_SMALL || w + 3 + (size_t)n > sizeof rec)
			return NULL;
		if (n < 255) {
			rec[w++] = (unsigned char)n;
		} else {
			rec[w++] = 255;
			rec[w++] = (unsigned char)(n & 0xff);
			rec[w++] = (unsigned char)(n >> 8);
		}
		memcpy(rec + w, piece, (size_t)n);
		w += (size_t)n;
		p += sn - 1;
	}
	int fi = fmt_index(tx, fmt);
	if (fi < 0)
		return NULL;
	rec[0] = 0;
	rec[1] = (unsigned char)(fi & 0xff);
	rec[2] = (unsigned char)(fi >> 8);
	unsigned char *kept = c2s_arena_bytes(a, w);  /* read byte by byte: packed */
	if (!kept)
		return NULL;
	memcpy(kept, rec, w);
	return (const char *)kept;
}

/* The sentence of a deferred record, into out (size C2S_DIAG_TEXT_SMALL); its length. */
size_t c2s_diag_text_undefer(const struct c2s_diag_texts *tx, const char *record, char *out)
{
	const unsigned char *rec = (const unsigned char *)record;
	const char *fmt = tx->fmts[rec[1] | (unsigned)rec[2] << 8];
	const unsigned char *q = rec + 3;
	size_t w = 0;
	for (const char *p = fmt; *p && w < C2S_DIAG_TEXT_SMALL - 1; p++) {
		const char *pc = strchr(p, '%');
		size_t lit = pc ? (size_t)(pc - p) : strlen(p);
		if (lit > C2S_DIAG_TEXT_SMALL - 1 - w)
			lit = C2S_DIAG_TEXT_SMALL - 1 - w;
		memcpy(out + w, p, lit);
		w += lit;
		if (!pc || w >= C2S_DIAG_TEXT_SMALL - 1)
			break;
		p = pc;
		if (p[1] == '%') {
			out[w++] = '%';
			p++;
			continue;
		}
		int stars;
		char len1, len2, conv;
		size_t sn = parse_conversion(p, &stars, &len1, &len2, &conv);
		size_t n = *q++;
		if (n == 255) {
			n = q[0] | (size_t)q[1] << 8;
			q += 2;
		}
		if (n > C2S_DIAG_TEXT_SMALL - 1 - w)
			n = C2S_DIAG_TEXT_SMALL - 1 - w;
		memcpy(out + w, q, n);
		w += n;
		q += n;
		p += sn - 1;
	}
	out[w] = '\0';
	return strlen(out);  /* a %c of 0 ends the sentence, as it ended vsnprintf's */
}

/* ---- repeats dropped as they come (c2s_diags_dedupe) ---- */

static uint32_t dedupe_hash(const struct c2s_rule *r, uint32_t start)
{
	return (start * 2654435761u) ^ (uint32_t)(r - c2s_rules) * 40503u;
}

static inline uint32_t dup_get(const struct c2s_diag_repeats *rp, uint32_t h)
{
	return rp->wide ? ((const uint32_t *)rp->slots)[h] : ((const uint16_t *)rp->slots)[h];
}

static inline void dup_set(struct c2s_diag_repeats *rp, uint32_t h, uint32_t v)
{
	if (rp->wide)
		((uint32_t *)rp->slots)[h] = v;
	else
		((uint16_t *)rp->slots)[h] = (uint16_t)v;
}

/* A fresh table of cap slots holding items [from, n). 0, or -1 when out of memory. */
static int dup_build(struct c2s_diag_repeats *rp, const struct c2s_diag *items, size_t n, size_t cap, int wide)
{
	void *t = calloc(cap, wide ? sizeof(uint32_t) : sizeof(uint16_t));
	if (!t)
		return -1;
	free(rp->slots);
	rp->slots = t;
	rp->cap = (uint32_t)cap;
	rp->wide = wide;
	rp->n = 0;
	for (size_t i = rp->from; i < n; i++) {
		uint32_t h = dedupe_hash(c2s_diag_rule(&items[i]), items[i].span.start) & (rp->cap - 1);
		while (dup_get(rp, h))
			h = (h + 1) & (rp->cap - 1);
		dup_set(rp, h, (uint32_t)(i - rp->from) + 1);
		rp->n++;
	}
	return 0;
}

uint32_t c2s_diag_repeats_slot(struct c2s_diag_repeats *rp, const struct c2s_diag *items, size_t n,
			       const struct c2s_rule *r, uint32_t start, uint32_t end, int *found)
{
	*found = 0;
	int wide = rp->wide || n - rp->from + 1 >= UINT16_MAX;
	if (2 * ((size_t)rp->n + 1) > rp->cap || wide != rp->wide) {
		size_t cap = !rp->cap ? 1024 : 2 * ((size_t)rp->n + 1) > rp->cap ? (size_t)rp->cap * 2
										   : rp->cap;
		if (cap > UINT32_MAX || dup_build(rp, items, n, cap, wide) != 0)
			return UINT32_MAX;
	}
	uint32_t mask = rp->cap - 1, h = dedupe_hash(r, start) & mask, at;
	for (; (at = dup_get(rp, h)) != 0; h = (h + 1) & mask) {
		const struct c2s_diag *e = &items[rp->from + at - 1];
		if (c2s_diag_rule(e) == r && e->span.start == start && e->span.end == end) {
			*found = 1;
			break;
		}
	}
	return h;
}

void c2s_diag_repeats_put(struct c2s_diag_repeats *rp, uint32_t h, uint32_t v)
{
	dup_set(rp, h, v);
	rp->n++;
}

void c2s_diag_repeats_reset(struct c2s_diag_repeats *rp, size_t from, int keep)
{
	rp->from = from;
	rp->n = 0;
	if (rp->slots && keep)
		memset(rp->slots, 0, (size_t)rp->cap * (rp->wide ? sizeof(uint32_t) : sizeof(uint16_t)));
	if (!keep)
		c2s_diag_repeats_free(rp);
}

int c2s_diag_repeats_rebuild(struct c2s_diag_repeats *rp, const struct c2s_diag *items, size_t n)
{
	if (!rp->slots || dup_build(rp, items, n, rp->cap, rp->wide) == 0)
		return 0;
	c2s_diag_repeats_free(rp);
	return -1;
}

void c2s_diag_repeats_free(struct c2s_diag_repeats *rp)
{
	free(rp->slots);
	rp->slots = NULL;
	rp->cap = 0;
	rp->n = 0;
	rp->wide = 0;
}

void c2s_diag_texts_free(struct c2s_diag_texts *tx)
{
	free(tx->texts);
	free(tx->fmts);
	free(tx->fmt_slots);
	memset(tx, 0, sizeof *tx);
}
