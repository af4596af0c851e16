/* fingerprint.c -- stable finding fingerprints for SARIF partialFingerprints and Code Climate.
 *
 * The key path is read from the source text's block structure (indentation,
 * "- " items, "key:"), one forward pass per file as the findings come sorted
 * by position: no tree is needed at report time, and a file of 10,000
 * services costs one scan however many findings it has. Flow collections
 * and multi-line scalars add no path entries of their own; the finding's
 * text and message tell such findings apart. */
#include "config.h"
#include "fingerprint.h"
#include "source.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define FNV_OFFSET 14695981039346656037ull
#define FNV_PRIME 1099511628211ull

static uint64_t fnv(uint64_t h, const char *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		h = (h ^ (unsigned char)p[i]) * FNV_PRIME;
	return h;
}

static uint64_t fnv_sep(uint64_t h, unsigned char sep)
{
	return (h ^ sep) * FNV_PRIME;
}

/* A message with each run of digits as one '#': line numbers in a message
 * ("already defined at line 12") move with the file. */
static uint64_t fnv_text_blank_numbers(uint64_t h, const char *s)
{
	for (; *s; s++) {
		if (*s >= '0' && *s <= '9') {
			while (s[1] >= '0' && s[1] <= '9')
				s++;
			h = (h ^ '#') * FNV_PRIME;
		} else {
			h = (h ^ (unsigned char)*s) * FNV_PRIME;
		}
	}
	return h;
}

struct entry {
	uint32_t col;         /* byte column of the entry on its line */
	uint32_t start, len;  /* the key's bytes in the source; len 0: a sequence item "-" */
};

/* One file's forward scan. */
struct scan {
	const char *data;
	uint32_t len;
	uint32_t pos;          /* start of the next line to read */
	uint32_t line_start;   /* start of the line last read */
	uint32_t line_end;     /* its end (before '\n') */
	int have_line;
	int block_scalar;      /* in a | or > scalar owned by an entry at block_col */
	uint32_t block_col;
	struct entry stack[C2S_FINGERPRINT_MAX_PATH];
	unsigned depth;
};

static void scan_init(struct scan *s, const struct c2s_source *src)
{
	memset(s, 0, sizeof *s);
	s->data = src->data;
	s->len = (uint32_t)src->len;
	s->pos = (uint32_t)src->bom;
}

/* Where a plain or quoted key ends, at the ':' that follows it; 0 when the
 * text at p is not "key:" followed by a blank or the line's end. */
static uint32_t key_end(const char *d, uint32_t p, uint32_t e)
{
	uint32_t q = p;
	if (q < e && (d[q] == '"' || d[q] == '\'')) {
		char quote = d[q++];
		while (q < e && d[q] != quote)
			q += d[q] == '\\' && quote == '"' && q + 1 < e ? 2 : 1;
		if (q >= e)
			return 0;
		q++;
		while (q < e && (d[q] == ' ' || d[q] == '\t'))
			q++;
		return q < e && d[q] == ':' && (q + 1 == e || d[q + 1] == ' ' || d[q + 1] == '\t') ? q : 0;
	}
	if (q < e && (d[q] == '#' || d[q] == '{' || d[q] == '[' || d[q] == '|' || d[q] == '>' || d[q] == '&' ||
		      d[q] == '*' || d[q] == '!'))
		return 0;
	for (; q < e; q++) {
		if (d[q] == ':' && (q + 1 == e || d[q + 1] == ' ' || d[q + 1] == '\t'))
			return q > p ? q : 0;
		if (d[q] == '#' && q > p && (d[q - 1] == ' ' || d[q - 1] == '\t'))
			return 0;
	}
	return 0;
}

static void push(struct scan *s, uint32_t col, uint32_t start, uint32_t len)
{
	while (s->depth && s->stack[s->depth - 1].col >= col)
		s->depth--;
	if (s->depth < C2S_FINGERPRINT_MAX_PATH)
		s->stack[s->depth++] = (struct entry){col, start, len};
}

/* Read the next line and update the stack of enclosing entries. 0 at the end. */
static int next_line(struct scan *s)
{
	if (s->pos >= s->len && s->have_line)
		return 0;
	const char *d = s->data;
	uint32_t b = s->pos, e = b;
	while (e < s->len && d[e] != '\n')
		e++;
	s->line_start = b;
	s->line_end = e > b && d[e - 1] == '\r' ? e - 1 : e;
	s->pos = e < s->len ? e + 1 : s->len;
	s->have_line = 1;
	e = s->line_end;
	uint32_t p = b;
	while (p < e && (d[p] == ' ' || d[p] == '\t'))
		p++;
	if (p == e || d[p] == '#')
		return 1;  /* blank or a comment: structure unchanged (a block scalar goes on too) */
	uint32_t col = p - b;
	if (s->block_scalar) {
		if (col > s->block_col)
			return 1;
		s->block_scalar = 0;
	}
	if (col == 0 && e - p >= 3 && (memcmp(d + p, "---", 3) == 0 || memcmp(d + p, "...", 3) == 0)) {
		s->depth = 0;
		return 1;
	}
	if (col == 0 && d[p] == '%')
		return 1;
	uint32_t owner = col;
	/* "- " items, then a "key:" */
	while (p < e && d[p] == '-' && (p + 1 == e || d[p + 1] == ' ' || d[p + 1] == '\t')) {
		push(s, p - b, p, 0);
		owner = p - b;
		p++;
		while (p < e && (d[p] == ' ' || d[p] == '\t'))
			p++;
	}
	uint32_t k = p < e ? key_end(d, p, e) : 0;
	uint32_t v = p;
	if (k) {
		uint32_t kl = k;
		while (kl > p && (d[kl - 1] == ' ' || d[kl - 1] == '\t'))
			kl--;
		push(s, p - b, p, kl - p);
		owner = p - b;
		v = k + 1;
		while (v < e && (d[v] == ' ' || d[v] == '\t'))
			v++;
	} else if (p == b + col) {
		/* neither an item nor a key (a continuation line): only closes deeper entries */
		while (s->depth && s->stack[s->depth - 1].col > col)
			s->depth--;
	}
	/* a block scalar's lines belong to it, however they look */
	if (v < e && (d[v] == '|' || d[v] == '>')) {
		s->block_scalar = 1;
		s->block_col = owner;
	}
	return 1;
}

/* Scan up to the line holding offset off (lines before it only). */
static void scan_to(struct scan *s, uint32_t off)
{
	while (!(s->have_line && off >= s->line_start && (off <= s->line_end || s->pos >= s->len)))
		if (!next_line(s))
			return;
}

c2s_fingerprint_hex *c2s_fingerprints(const struct c2s_diags *l)
{
	if (!l->n)
		return NULL;
	c2s_fingerprint_hex *out = calloc(l->n, sizeof *out);
	uint64_t *hashes = calloc(l->n, sizeof *hashes);
	size_t cap = 16;
	while (cap < 2 * l->n)
		cap *= 2;
	/* occurrence counts of equal hashes: open addressing, index + 1 of the first item */
	uint32_t *slots = calloc(cap, sizeof *slots);
	uint32_t *seen = calloc(l->n, sizeof *seen);
	struct scan *sc = malloc(sizeof *sc);
	if (!out || !hashes || !slots || !seen || !sc) {
		free(out);
		out = NULL;
		goto done;
	}
	const struct c2s_source *cur = NULL;
	for (size_t i = 0; i < l->n; i++) {
		const struct c2s_diag *d = &l->items[i];
		const struct c2s_source *src = c2s_diag_src(l, d);
		uint64_t h = FNV_OFFSET;
		h = fnv(h, c2s_diag_rule(d)->id, strlen(c2s_diag_rule(d)->id));
		h = fnv_sep(h, 0xff);
		const char *name = src ? src->name : "";
		h = fnv(h, name, strlen(name));
		h = fnv_sep(h, 0xff);
		if (src && d->span.start <= src->len) {
			if (src != cur || d->span.start < sc->line_start) {
				scan_init(sc, src);
				cur = src;
			}
			scan_to(sc, d->span.start);
			uint32_t col = d->span.start - sc->line_start;
			for (unsigned k = 0; k < sc->depth && sc->stack[k].col <= col; k++) {
				const struct entry *en = &sc->stack[k];
				h = en->len ? fnv(h, src->data + en->start, en->len) : fnv(h, "-", 1);
				h = fnv_sep(h, 0xfe);
			}
			h = fnv_sep(h, 0xff);
			/* the finding's own text, up to its line's end */
			uint32_t e = d->span.end > d->span.start ? d->span.end : d->span.start;
			if (e > sc->line_end && sc->line_end >= d->span.start)
				e = sc->line_end;
			if (e - d->span.start > C2S_FINGERPRINT_MAX_TEXT)
				e = d->span.start + C2S_FINGERPRINT_MAX_TEXT;
			if (e <= src->len)
				h = fnv(h, src->data + d->span.start, e - d->span.start);
		}
		h = fnv_sep(h, 0xff);
		h = fnv_text_blank_numbers(h, d->message);
		/* the same finding twice (two equal items of one list): the second is "#2" */
		size_t at = (size_t)(h ^ (h >> 29)) & (cap - 1);
		while (slots[at] && hashes[slots[at] - 1] != h)
			at = (at + 1) & (cap - 1);
		uint32_t nth = 0;
		if (slots[at])
			nth = ++seen[slots[at] - 1];
		else
			slots[at] = (uint32_t)i + 1;
		hashes[i] = h;
		uint64_t f = h;
		if (nth) {
			char num[16];
			int w = snprintf(num, sizeof num, "#%u", (unsigned)nth);
			f = fnv(f, num, (size_t)w);
		}
		static const char hex[] = "0123456789abcdef";
		for (int k = 15; k >= 0; k--, f >>= 4)
			out[i][k] = hex[f & 15];
		out[i][16] = '\0';
	}
done:
	free(hashes);
	free(slots);
	free(seen);
	free(sc);
	return out;
}
