/* diag.c -- the diagnostic list: adding, resolving positions, sorting, counting. */
#include "config.h"
#include "diag.h"
#include "ast.h"
#include "source.h"

#include <stdlib.h>
#include <string.h>

/* The sizes the peak-memory budget counts on (a 10 MB file: 13,000 findings). */
_Static_assert(sizeof(void *) != 8 || sizeof(struct c2s_diag) == 40, "a diagnostic record is 40 bytes");
_Static_assert(sizeof(void *) != 8 || sizeof(struct c2s_diag_rel) == 32, "a related position is 32 bytes");

void c2s_diags_init(struct c2s_diags *l)
{
	memset(l, 0, sizeof *l);
	c2s_arena_init(&l->arena, 0);
}

void c2s_diags_free(struct c2s_diags *l)
{
	free(l->items);
	free(l->texts);
	free(l->fmts);
	free(l->fmt_slots);
	free(l->dup_slots);
	free(l->rels);
	free(l->rels_resolved);
	free(l->srcs);
	free(l->hints);
	free(l->hint_slots);
	free(l->fixes);
	free(l->pos);
	c2s_arena_free(&l->arena);
	memset(l, 0, sizeof *l);
}

/* Texts (messages, hints) longer than this are formatted straight into the arena,
 * each its own copy; shorter ones are kept once however often they are reported. */
#define DIAG_TEXT_SMALL 512

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
static const char *intern(struct c2s_diags *l, const char *s, size_t n)
{
	if (2 * ((size_t)l->ntexts + 1) > l->cap_texts) {
		uint32_t cap = l->cap_texts ? l->cap_texts * 2 : 256;
		const char **t = calloc(cap, sizeof *t);
		if (!t)
			return c2s_arena_strndup(&l->arena, s, n);
		for (uint32_t i = 0; i < l->cap_texts; i++) {
			const char *e = l->texts[i];
			if (!e)
				continue;
			uint32_t h = text_hash(e, strlen(e)) & (cap - 1);
			while (t[h])
				h = (h + 1) & (cap - 1);
			t[h] = e;
		}
		free(l->texts);
		l->texts = t;
		l->cap_texts = cap;
	}
	uint32_t mask = l->cap_texts - 1, h = text_hash(s, n) & mask;
	for (const char *e; (e = l->texts[h]) != NULL; h = (h + 1) & mask)
		if (e[0] == s[0] && strncmp(e, s, n) == 0 && e[n] == '\0')
			return e;
	char *copy = c2s_arena_strndup(&l->arena, s, n);
	if (copy) {
		l->texts[h] = copy;
		l->ntexts++;
	}
	return copy;
}

/* fmt formatted: once into a stack buffer, which nearly every text fits, then
 * kept once per distinct text (a large file can have thousands of findings). */
static const char *diag_vformat(struct c2s_diags *l, const char *fmt, va_list ap)
{
	if (fmt == l->last_fixed_fmt && strcmp(fmt, l->last_fixed) == 0)  /* a rule repeating its fixed text */
		return l->last_fixed;
	if (!strchr(fmt, '%')) {  /* a fixed text: no printf */
		const char *t = intern(l, fmt, strlen(fmt));
		if (t) {
			l->last_fixed_fmt = fmt;
			l->last_fixed = t;
		}
		return t;
	}
	char small[DIAG_TEXT_SMALL];
	va_list copy;
	va_copy(copy, ap);
	int n = vsnprintf(small, sizeof small, fmt, copy);
	va_end(copy);
	if (n < 0)
		return NULL;
	if ((size_t)n < sizeof small)
		return intern(l, small, (size_t)n);
	char *p = c2s_arena_alloc(&l->arena, (size_t)n + 1);
	if (p)
		vsnprintf(p, (size_t)n + 1, fmt, ap);
	return p;
}

/* ---- deferred messages: the format, and what each conversion printed ----
 * A message kept deferred is a packed record in the arena: a NUL byte (so that
 * it reads as "" if looked at early), the format's index in l->fmts (2 bytes),
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

/* The index of fmt in l->fmts, added if new; -1 when the table is full. */
static int fmt_index(struct c2s_diags *l, const char *fmt)
{
	if (l->cap_fmt_slots) {
		uintptr_t h = ((uintptr_t)fmt >> 3) * 0x9e3779b1u;
		for (uint32_t i = (uint32_t)h & (l->cap_fmt_slots - 1), at; (at = l->fmt_slots[i]) != 0;
		     i = (i + 1) & (l->cap_fmt_slots - 1))
			if (l->fmts[at - 1] == fmt)
				return (int)(at - 1);
	}
	if (l->nfmts >= UINT16_MAX)
		return -1;
	if (l->nfmts == l->cap_fmts) {
		uint32_t cap = l->cap_fmts ? l->cap_fmts * 2 : 64;
		const char **f = realloc(l->fmts, cap * sizeof *f);
		if (!f)
			return -1;
		l->fmts = f;
		l->cap_fmts = cap;
	}
	if (2 * (l->nfmts + 1) > l->cap_fmt_slots) {
		uint32_t cap = l->cap_fmt_slots ? l->cap_fmt_slots * 2 : 128;
		uint32_t *t = calloc(cap, sizeof *t);
		if (!t)
			return -1;
		free(l->fmt_slots);
		l->fmt_slots = t;
		l->cap_fmt_slots = cap;
		for (uint32_t k = 0; k < l->nfmts; k++) {
			uintptr_t h = ((uintptr_t)l->fmts[k] >> 3) * 0x9e3779b1u;
			uint32_t i = (uint32_t)h & (cap - 1);
			while (t[i])
				i = (i + 1) & (cap - 1);
			t[i] = k + 1;
		}
	}
	uintptr_t h = ((uintptr_t)fmt >> 3) * 0x9e3779b1u;
	uint32_t i = (uint32_t)h & (l->cap_fmt_slots - 1);
	while (l->fmt_slots[i])
		i = (i + 1) & (l->cap_fmt_slots - 1);
	l->fmts[l->nfmts] = fmt;
	l->fmt_slots[i] = ++l->nfmts;
	return (int)(l->nfmts - 1);
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
static const char *defer_vformat(struct c2s_diags *l, const char *fmt, va_list *ap)
{
	unsigned char rec[3 + 3 * 32 + DIAG_TEXT_SMALL];
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
		char len1, len2, conv, spec[32], piece[DIAG_TEXT_SMALL];
		size_t sn = parse_conversion(p, &stars, &len1, &len2, &conv);
		if (!sn || sn >= sizeof spec)
			return NULL;
		memcpy(spec, p, sn);
		spec[sn] = '\0';
		int n = format_piece(piece, sizeof piece, spec, stars, len1, len2, conv, ap);
		if (n < 0 || (size_t)n >= sizeof piece)
			return NULL;
		total += (size_t)n;
		if (total >= DIAG_TEXT_SMALL || w + 3 + (size_t)n > sizeof rec)
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
	int fi = fmt_index(l, fmt);
	if (fi < 0)
		return NULL;
	rec[0] = 0;
	rec[1] = (unsigned char)(fi & 0xff);
	rec[2] = (unsigned char)(fi >> 8);
	unsigned char *kept = c2s_arena_alloc(&l->arena, w);
	if (!kept)
		return NULL;
	memcpy(kept, rec, w);
	return (const char *)kept;
}

/* The sentence of a deferred record, into out (size DIAG_TEXT_SMALL); its length. */
static size_t undefer(const struct c2s_diags *l, const unsigned char *rec, char *out)
{
	const char *fmt = l->fmts[rec[1] | (unsigned)rec[2] << 8];
	const unsigned char *q = rec + 3;
	size_t w = 0;
	for (const char *p = fmt; *p && w < DIAG_TEXT_SMALL - 1; p++) {
		const char *pc = strchr(p, '%');
		size_t lit = pc ? (size_t)(pc - p) : strlen(p);
		if (lit > DIAG_TEXT_SMALL - 1 - w)
			lit = DIAG_TEXT_SMALL - 1 - w;
		memcpy(out + w, p, lit);
		w += lit;
		if (!pc || w >= DIAG_TEXT_SMALL - 1)
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
		if (n > DIAG_TEXT_SMALL - 1 - w)
			n = DIAG_TEXT_SMALL - 1 - w;
		memcpy(out + w, q, n);
		w += n;
		q += n;
		p += sn - 1;
	}
	out[w] = '\0';
	return strlen(out);  /* a %c of 0 ends the sentence, as it ended vsnprintf's */
}

void c2s_diags_write_messages(struct c2s_diags *l)
{
	char text[DIAG_TEXT_SMALL];
	for (size_t i = 0; i < l->n; i++) {
		struct c2s_diag *d = &l->items[i];
		if (!d->deferred)
			continue;
		size_t n = undefer(l, (const unsigned char *)d->message, text);
		const char *m = c2s_arena_strndup(&l->arena, text, n);
		if (!m) {
			l->nomem = 1;
			m = "";
		}
		d->message = m;
		d->deferred = 0;
	}
}

/* ---- repeats dropped as they come (c2s_diags_dedupe) ---- */

static uint32_t dedupe_hash(const struct c2s_rule *r, uint32_t start)
{
	return (start * 2654435761u) ^ (uint32_t)(r - c2s_rules) * 40503u;
}

static inline uint32_t dup_get(const struct c2s_diags *l, uint32_t h)
{
	return l->dup_wide ? ((const uint32_t *)l->dup_slots)[h] : ((const uint16_t *)l->dup_slots)[h];
}

static inline void dup_set(struct c2s_diags *l, uint32_t h, uint32_t v)
{
	if (l->dup_wide)
		((uint32_t *)l->dup_slots)[h] = v;
	else
		((uint16_t *)l->dup_slots)[h] = (uint16_t)v;
}

/* A fresh table of cap slots holding items [dedupe_from, n). 0, or -1 when out of memory. */
static int dup_build(struct c2s_diags *l, size_t cap, int wide)
{
	void *t = calloc(cap, wide ? sizeof(uint32_t) : sizeof(uint16_t));
	if (!t)
		return -1;
	free(l->dup_slots);
	l->dup_slots = t;
	l->cap_dup = (uint32_t)cap;
	l->dup_wide = wide;
	l->ndup = 0;
	for (size_t i = l->dedupe_from; i < l->n; i++) {
		uint32_t h = dedupe_hash(l->items[i].rule, l->items[i].span.start) & (l->cap_dup - 1);
		while (dup_get(l, h))
			h = (h + 1) & (l->cap_dup - 1);
		dup_set(l, h, (uint32_t)(i - l->dedupe_from) + 1);
		l->ndup++;
	}
	return 0;
}

/* The slot of (r, start, end) among items [dedupe_from, n): holding 1 + its
 * index when it is there (*found), else the empty slot to fill. UINT32_MAX
 * when out of memory (then nothing is dropped here). */
static uint32_t dedupe_slot(struct c2s_diags *l, const struct c2s_rule *r, uint32_t start, uint32_t end,
			    int *found)
{
	*found = 0;
	int wide = l->dup_wide || l->n - l->dedupe_from + 1 >= UINT16_MAX;
	if (2 * ((size_t)l->ndup + 1) > l->cap_dup || wide != l->dup_wide) {
		size_t cap = !l->cap_dup ? 1024 : 2 * ((size_t)l->ndup + 1) > l->cap_dup ? (size_t)l->cap_dup * 2
										   : l->cap_dup;
		if (cap > UINT32_MAX || dup_build(l, cap, wide) != 0)
			return UINT32_MAX;
	}
	uint32_t mask = l->cap_dup - 1, h = dedupe_hash(r, start) & mask, at;
	for (; (at = dup_get(l, h)) != 0; h = (h + 1) & mask) {
		const struct c2s_diag *e = &l->items[l->dedupe_from + at - 1];
		if (e->rule == r && e->span.start == start && e->span.end == end) {
			*found = 1;
			break;
		}
	}
	return h;
}

void c2s_diags_dedupe(struct c2s_diags *l, int on)
{
	l->dedupe = on;
	l->dedupe_from = l->n;
	l->deduped = 0;
	l->ndup = 0;
	l->dedupe_missed = 0;
	if (l->dup_slots)
		memset(l->dup_slots, 0, (size_t)l->cap_dup * (l->dup_wide ? sizeof(uint32_t) : sizeof(uint16_t)));
	if (!on) {
		free(l->dup_slots);
		l->dup_slots = NULL;
		l->cap_dup = 0;
		l->dup_wide = 0;
	}
}

struct c2s_diags_mark c2s_diags_mark(const struct c2s_diags *l)
{
	struct c2s_diags_mark m = {l->n, l->dropped, l->deduped, l->last_hint, l->limit_hit};
	return m;
}

void c2s_diags_rollback(struct c2s_diags *l, const struct c2s_diags_mark *m)
{
	if (m->n >= l->n)
		return;
	l->n = m->n;
	l->dropped = m->dropped;
	l->deduped = m->deduped;
	l->last_hint = m->last_hint;
	l->limit_hit = m->limit_hit;
	/* The repeat table must not remember what is gone: rebuild it. Messages
	 * and hints kept once stay (texts no item uses cost a few bytes). */
	if (l->dup_slots && dup_build(l, l->cap_dup, l->dup_wide) != 0) {
		free(l->dup_slots);  /* no table: repeats are kept from here (lint drops them after) */
		l->dup_slots = NULL;
		l->cap_dup = 0;
		l->dup_wide = 0;
		l->dedupe_missed = 1;
	}
}

/* src's index in l->srcs (added if new); 0 for NULL, UINT32_MAX when out of memory. */
static uint32_t src_index(struct c2s_diags *l, struct c2s_source *src)
{
	if (!src)
		return 0;
	/* files are linted one after another: the last one nearly always */
	for (uint32_t i = l->nsrcs; i-- > 1;)
		if (l->srcs[i] == src)
			return i;
	if (!l->nsrcs)
		l->nsrcs = 1;  /* [0]: no source */
	if (l->nsrcs >= l->cap_srcs) {
		uint32_t cap = l->cap_srcs ? l->cap_srcs * 2 : 8;
		struct c2s_source **t = realloc(l->srcs, (size_t)cap * sizeof *t);
		if (!t)
			return UINT32_MAX;
		t[0] = NULL;
		l->srcs = t;
		l->cap_srcs = cap;
	}
	l->srcs[l->nsrcs] = src;
	return l->nsrcs++;
}

/* The index of hint h (kept once: the same pointer, the same index); 0 when out of memory. */
static uint32_t hint_index(struct c2s_diags *l, const char *h)
{
	uintptr_t hv = ((uintptr_t)h >> 3) * 0x9e3779b1u;
	if (l->cap_hint_slots) {
		for (uint32_t i = (uint32_t)hv & (l->cap_hint_slots - 1), at; (at = l->hint_slots[i]) != 0;
		     i = (i + 1) & (l->cap_hint_slots - 1))
			if (l->hints[at] == h)
				return at;
	}
	if (!l->nhints)
		l->nhints = 1;  /* [0]: none */
	if (l->nhints >= l->cap_hints) {
		uint32_t cap = l->cap_hints ? l->cap_hints * 2 : 64;
		const char **t = realloc(l->hints, (size_t)cap * sizeof *t);
		if (!t)
			return 0;
		t[0] = NULL;
		l->hints = t;
		l->cap_hints = cap;
	}
	if (2 * (l->nhints + 1) > l->cap_hint_slots) {
		uint32_t cap = l->cap_hint_slots ? l->cap_hint_slots * 2 : 128;
		uint32_t *t = calloc(cap, sizeof *t);
		if (!t)
			return 0;
		for (uint32_t k = 1; k < l->nhints; k++) {
			uint32_t i = (uint32_t)(((uintptr_t)l->hints[k] >> 3) * 0x9e3779b1u) & (cap - 1);
			while (t[i])
				i = (i + 1) & (cap - 1);
			t[i] = k;
		}
		free(l->hint_slots);
		l->hint_slots = t;
		l->cap_hint_slots = cap;
	}
	uint32_t i = (uint32_t)hv & (l->cap_hint_slots - 1);
	while (l->hint_slots[i])
		i = (i + 1) & (l->cap_hint_slots - 1);
	l->hints[l->nhints] = h;
	l->hint_slots[i] = l->nhints;
	return l->nhints++;
}

struct c2s_diag *c2s_diag_vadd(struct c2s_diags *l, enum c2s_rule_index rule,
			       struct c2s_source *src, uint32_t start, uint32_t end,
			       const char *fmt, va_list ap)
{
	const struct c2s_rule *r = &c2s_rules[rule];
	enum c2s_severity sev = l->severity ? l->severity[rule] : r->severity;
	if (r->tier == C2S_TIER_INPUT && rule >= C2S_R_CS1091 && rule <= C2S_R_CS1095) {
		/* Limits always count, whatever the configuration says. */
		sev = C2S_SEVERITY_ERROR;
		l->limit_hit = 1;
	}
	if (sev == C2S_SEVERITY_NONE)
		return NULL;
	/* with repeats dropped as they come, they still count (as they did when
	 * c2s_diags_dedupe's caller dropped them afterwards) */
	if (l->n + l->deduped >= C2S_MAX_DIAGNOSTICS) {
		l->dropped++;
		return NULL;
	}
	if (src && src->nparts) {  /* a merged stack: report in the file that holds the span */
		uint32_t base = start;
		src = c2s_source_part_of(src, &base);
		base = start - base;
		start -= base;
		end = end >= base ? end - base : start;
		if (end > src->len)
			end = (uint32_t)src->len;
	}
	if (end < start)
		end = start;
	uint32_t slot = UINT32_MAX;
	if (l->dedupe) {
		int found;
		slot = dedupe_slot(l, r, start, end, &found);
		if (slot == UINT32_MAX)
			l->dedupe_missed = 1;
		if (found) {  /* a repeat: the first one stays */
			l->deduped++;
			l->nseq++;
			return NULL;
		}
	}
	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 16;
		struct c2s_diag *items = realloc(l->items, cap * sizeof *items);
		if (!items) {
			l->nomem = 1;
			return NULL;
		}
		l->items = items;
		l->cap = cap;
	}
	struct c2s_diag *dg = &l->items[l->n];
	memset(dg, 0, sizeof *dg);
	dg->rule = r;
	dg->severity = (uint8_t)sev;
	uint32_t si = src_index(l, src);
	if (si == UINT32_MAX) {
		l->nomem = 1;
		return NULL;
	}
	dg->span.src = si;
	dg->span.start = start;
	dg->span.end = end;
	dg->seq = l->nseq++;
	const char *msg = NULL;
	if (l->defer_messages && strchr(fmt, '%')) {
		va_list copy;
		va_copy(copy, ap);
		msg = defer_vformat(l, fmt, &copy);
		va_end(copy);
		dg->deferred = msg != NULL;
	}
	if (!msg)
		msg = diag_vformat(l, fmt, ap);
	if (!msg) {
		l->nomem = 1;
		return NULL;
	}
	dg->message = msg;
	if (slot != UINT32_MAX) {
		dup_set(l, slot, (uint32_t)(l->n - l->dedupe_from) + 1);
		l->ndup++;
	}
	l->n++;
	return dg;
}

struct c2s_diag *c2s_diag_add(struct c2s_diags *l, enum c2s_rule_index rule,
			      struct c2s_source *src, uint32_t start, uint32_t end,
			      const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	struct c2s_diag *dg = c2s_diag_vadd(l, rule, src, start, end, fmt, ap);
	va_end(ap);
	return dg;
}

struct c2s_diag *c2s_diag_at(struct c2s_diags *l, enum c2s_rule_index rule,
			     const struct c2s_doc *d, const struct c2s_node *n,
			     const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	struct c2s_diag *dg = c2s_diag_vadd(l, rule, d->src, n->start, c2s_node_end(d, n), fmt, ap);
	va_end(ap);
	return dg;
}

void c2s_diag_hint(struct c2s_diags *l, struct c2s_diag *dg, const char *fmt, ...)
{
	if (!dg)
		return;
	/* most hints are a fixed text, or one passed as "%s": no printf for those */
	const char *text = NULL;
	va_list ap;
	if (fmt[0] == '%' && fmt[1] == 's' && !fmt[2]) {
		va_start(ap, fmt);
		text = va_arg(ap, const char *);
		va_end(ap);
	} else if (!strchr(fmt, '%')) {
		text = fmt;
	}
	char small[DIAG_TEXT_SMALL];
	int n = 0;
	if (text) {
		size_t tn = strlen(text);
		if (tn < sizeof small) {
			memcpy(small, text, tn + 1);
			n = (int)tn;
		} else {
			n = (int)sizeof small;  /* long: the general path below */
		}
	} else {
		va_start(ap, fmt);
		n = vsnprintf(small, sizeof small, fmt, ap);
		va_end(ap);
	}
	const char *h;
	if (n >= 0 && (size_t)n < sizeof small) {
		if (l->last_hint && strcmp(small, l->last_hint) == 0) {
			if (!(dg->hint = hint_index(l, l->last_hint)))
				l->nomem = 1;
			return;
		}
		h = intern(l, small, (size_t)n);
	} else {
		va_start(ap, fmt);
		h = diag_vformat(l, fmt, ap);
		va_end(ap);
	}
	if (!h) {
		l->nomem = 1;
		return;
	}
	if (!(dg->hint = hint_index(l, h)))
		l->nomem = 1;
	l->last_hint = h;
}

/* The index in l->rels of seq's first entry (upper: past its last one), or where it goes. */
static uint32_t rel_find(const struct c2s_diags *l, uint32_t seq, int upper)
{
	if (l->nrels && l->rels[l->nrels - 1].seq < seq)  /* nearly always: the latest diagnostic */
		return l->nrels;
	uint32_t lo = 0, hi = l->nrels;
	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;
		if (l->rels[mid].seq < seq || (upper && l->rels[mid].seq == seq))
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

void c2s_diag_related(struct c2s_diags *l, struct c2s_diag *dg, struct c2s_source *src,
		      uint32_t start, uint32_t end, const char *fmt, ...)
{
	if (!dg || dg->nrelated >= C2S_DIAG_MAX_RELATED)
		return;
	if (l->nrels == l->cap_rels) {
		uint32_t cap = l->cap_rels ? l->cap_rels * 2 : 64;
		struct c2s_diag_rel *t = realloc(l->rels, (size_t)cap * sizeof *t);
		if (!t) {
			l->nomem = 1;
			return;
		}
		l->rels = t;
		l->cap_rels = cap;
	}
	va_list ap;
	va_start(ap, fmt);
	const char *msg = diag_vformat(l, fmt, ap);
	va_end(ap);
	if (!msg) {
		l->nomem = 1;
		return;
	}
	if (src && src->nparts) {
		uint32_t inner = start;
		src = c2s_source_part_of(src, &inner);
		end = end >= start - inner ? end - (start - inner) : inner;
		start = inner;
	}
	uint32_t at = rel_find(l, dg->seq, 1);
	memmove(l->rels + at + 1, l->rels + at, (size_t)(l->nrels - at) * sizeof *l->rels);
	l->rels[at] = (struct c2s_diag_rel){dg->seq, start, end < start ? start : end, src, msg};
	l->nrels++;
	dg->nrelated++;
}

const struct c2s_related *c2s_diag_related_list(const struct c2s_diags *l, const struct c2s_diag *dg)
{
	if (!dg->nrelated || !l->rels_resolved)
		return NULL;
	uint32_t at = rel_find(l, dg->seq, 0);
	return at < l->nrels && l->rels[at].seq == dg->seq ? &l->rels_resolved[at] : NULL;
}

void c2s_diag_fix(struct c2s_diags *l, struct c2s_diag *dg, uint32_t start, uint32_t end)
{
	if (!dg)
		return;
	/* kept in order of seq: fixes are set on the diagnostic just added */
	uint32_t at = l->nfixes;
	while (at > 0 && l->fixes[at - 1].seq >= dg->seq)
		at--;
	if (at < l->nfixes && l->fixes[at].seq == dg->seq) {
		l->fixes[at].start = start;
		l->fixes[at].end = end;
		return;
	}
	if (l->nfixes == l->cap_fixes) {
		uint32_t cap = l->cap_fixes ? l->cap_fixes * 2 : 16;
		struct c2s_diag_fixrec *t = realloc(l->fixes, (size_t)cap * sizeof *t);
		if (!t) {
			l->nomem = 1;
			return;
		}
		l->fixes = t;
		l->cap_fixes = cap;
	}
	memmove(l->fixes + at + 1, l->fixes + at, (size_t)(l->nfixes - at) * sizeof *l->fixes);
	l->fixes[at] = (struct c2s_diag_fixrec){dg->seq, start, end};
	l->nfixes++;
}

int c2s_diag_fix_of(const struct c2s_diags *l, const struct c2s_diag *dg, uint32_t *start, uint32_t *end)
{
	uint32_t lo = 0, hi = l->nfixes;
	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;
		if (l->fixes[mid].seq < dg->seq)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo == l->nfixes || l->fixes[lo].seq != dg->seq)
		return 0;
	*start = l->fixes[lo].start;
	*end = l->fixes[lo].end;
	return 1;
}

struct c2s_span c2s_diags_span(const struct c2s_diags *l, size_t i)
{
	const struct c2s_diag *d = &l->items[i];
	struct c2s_span s = {c2s_diag_src(l, d), d->span.start, d->span.end, 0, 0, 0, 0};
	if (l->pos) {
		s.line = l->pos[i].line;
		s.column = l->pos[i].column;
		s.end_line = l->pos[i].end_line;
		s.end_column = l->pos[i].end_column;
	}
	return s;
}

static void resolve_span(struct c2s_span *s)
{
	if (!s->src) {
		s->line = s->column = s->end_line = s->end_column = 0;
		return;
	}
	const struct c2s_source *src = s->src;
	c2s_source_locate(s->src, s->start, &s->line, &s->column);
	/* an end on the start's line (nearly every span): count on from the start */
	if (s->start >= src->bom && s->start <= s->end && s->end <= src->len &&
	    !memchr(src->data + s->start, '\n', s->end - s->start) &&
	    !memchr(src->data + s->start, '\r', s->end - s->start)) {
		s->end_line = s->line;
		s->end_column = s->column + (uint32_t)(src->ascii ? s->end - s->start
					: c2s_utf8_count(src->data + s->start, s->end - s->start));
		return;
	}
	c2s_source_locate(s->src, s->end, &s->end_line, &s->end_column);
}

/* A diagnostic with its lines and columns, while sorting. */
struct placed {
	struct c2s_diag d;
	struct c2s_diag_pos p;
	uint32_t rank;  /* of the source */
};

/* By file (in the order the files were read), then position, then reporting order. */
static int diag_cmp(const void *a, const void *b)
{
	const struct placed *x = a, *y = b;
	uint32_t rx = x->rank, ry = y->rank;
	if (rx != ry)
		return rx < ry ? -1 : 1;
	if (x->p.line != y->p.line)
		return x->p.line < y->p.line ? -1 : 1;
	if (x->p.column != y->p.column)
		return x->p.column < y->p.column ? -1 : 1;
	return x->d.seq < y->d.seq ? -1 : x->d.seq > y->d.seq;
}

void c2s_diags_resolve(struct c2s_diags *l)
{
	c2s_diags_write_messages(l);
	free(l->rels_resolved);
	l->rels_resolved = l->nrels ? malloc(l->nrels * sizeof *l->rels_resolved) : NULL;
	if (l->nrels && !l->rels_resolved)
		l->nomem = 1;
	for (uint32_t k = 0; l->rels_resolved && k < l->nrels; k++) {
		struct c2s_related *r = &l->rels_resolved[k];
		r->span = (struct c2s_span){l->rels[k].src, l->rels[k].start, l->rels[k].end, 0, 0, 0, 0};
		r->message = l->rels[k].message;
		resolve_span(&r->span);
	}
	/* lines and columns now: the trees are gone and the list is final */
	free(l->pos);
	l->pos = NULL;
	if (!l->n)
		return;
	struct c2s_diag_pos *pos = malloc(l->n * sizeof *pos);
	struct placed *t = malloc(l->n * sizeof *t);
	if (!pos || !t) {
		free(pos);
		free(t);
		l->nomem = 1;
		return;
	}
	for (size_t i = 0; i < l->n; i++) {
		struct c2s_span s = {c2s_diag_src(l, &l->items[i]), l->items[i].span.start, l->items[i].span.end,
				     0, 0, 0, 0};
		resolve_span(&s);
		t[i].rank = s.src ? s.src->rank : 0;
		t[i].d = l->items[i];
		t[i].p = (struct c2s_diag_pos){s.line, s.column, s.end_line, s.end_column};
	}
	if (l->n > 1)
		qsort(t, l->n, sizeof *t, diag_cmp);
	for (size_t i = 0; i < l->n; i++) {
		l->items[i] = t[i].d;
		pos[i] = t[i].p;
	}
	free(t);
	l->pos = pos;
}

void c2s_diags_count(const struct c2s_diags *l, size_t *errors, size_t *warnings, size_t *infos)
{
	size_t e = 0, w = 0, i = 0;
	for (size_t k = 0; k < l->n; k++) {
		switch (l->items[k].severity) {
		case C2S_SEVERITY_ERROR: e++; break;
		case C2S_SEVERITY_WARNING: w++; break;
		case C2S_SEVERITY_INFO: i++; break;
		default: break;
		}
	}
	*errors = e;
	*warnings = w;
	*infos = i;
}

enum c2s_severity c2s_diags_max(const struct c2s_diags *l)
{
	enum c2s_severity m = C2S_SEVERITY_NONE;
	for (size_t k = 0; k < l->n; k++)
		if (l->items[k].severity > m)
			m = l->items[k].severity;
	return m;
}
