/* fix.c -- apply deletions and show them as a unified diff (outfile.c writes them). */
#include "config.h"
#include "fix.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DIFF_CONTEXT 3

static int edit_cmp(const void *a, const void *b)
{
	const struct c2s_edit *x = a, *y = b;
	if (x->start != y->start)
		return x->start < y->start ? -1 : 1;
	return x->end < y->end ? -1 : x->end > y->end;
}

size_t c2s_edits_normalize(struct c2s_edit *e, size_t n)
{
	if (n > 1)
		qsort(e, n, sizeof *e, edit_cmp);
	size_t k = 0;
	for (size_t i = 0; i < n; i++) {
		if (e[i].end <= e[i].start)
			continue;
		if (k && e[i].start < e[k - 1].end)
			continue;  /* overlaps (or repeats) one already kept */
		e[k++] = e[i];
	}
	return k;
}

int c2s_fix_apply(const char *data, size_t len, const struct c2s_edit *e, size_t n, struct c2s_buf *out)
{
	size_t at = 0;
	for (size_t i = 0; i < n; i++) {
		if (e[i].start > len || e[i].end > len || e[i].start < at)
			return -1;
		c2s_buf_add(out, data + at, e[i].start - at);
		at = e[i].end;
	}
	c2s_buf_add(out, data + at, len - at);
	return out->failed ? -1 : 0;
}

/* Line starts of data: starts[i] is where line i+1 begins; starts[nlines] == len. */
static uint32_t *line_starts(const char *data, size_t len, size_t *nlines)
{
	size_t n = 0, cap = 64;
	uint32_t *v = malloc(cap * sizeof *v);
	if (!v)
		return NULL;
	size_t at = 0;
	while (at < len) {
		if (n + 2 > cap) {
			cap *= 2;
			uint32_t *nv = realloc(v, cap * sizeof *nv);
			if (!nv) {
				free(v);
				return NULL;
			}
			v = nv;
		}
		v[n++] = (uint32_t)at;
		const char *nl = memchr(data + at, '\n', len - at);
		at = nl ? (size_t)(nl - data) + 1 : len;
	}
	v[n] = (uint32_t)len;
	*nlines = n;
	return v;
}

/* The 0-based line that starts at offset off (edits start at line starts). */
static size_t line_of(const uint32_t *starts, size_t nlines, uint32_t off)
{
	size_t lo = 0, hi = nlines;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		if (starts[mid] <= off)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo ? lo - 1 : 0;
}

static void put_line(struct c2s_buf *out, char mark, const char *data, const uint32_t *starts, size_t i)
{
	size_t s = starts[i], e = starts[i + 1];
	c2s_buf_addc(out, mark);
	c2s_buf_add(out, data + s, e - s);
	if (e == s || data[e - 1] != '\n')
		c2s_buf_adds(out, "\n\\ No newline at end of file\n");
}

int c2s_fix_diff(const char *name, const char *data, size_t len, const struct c2s_edit *e, size_t n,
		 struct c2s_buf *out)
{
	if (n == 0)
		return 0;
	size_t nlines = 0;
	uint32_t *starts = line_starts(data, len, &nlines);
	unsigned char *del = starts ? calloc(nlines + 1, 1) : NULL;
	if (!del) {
		free(starts);
		return -1;
	}
	for (size_t i = 0; i < n; i++) {
		size_t a = line_of(starts, nlines, e[i].start);
		for (size_t l = a; l < nlines && starts[l] < e[i].end; l++)
			del[l] = 1;
	}
	c2s_buf_printf(out, "--- a/%s\n+++ b/%s\n", name, name);
	size_t removed_before = 0, l = 0;
	while (l < nlines) {
		if (!del[l]) {
			l++;
			continue;
		}
		/* A hunk: from DIFF_CONTEXT lines before the first deletion to DIFF_CONTEXT
		 * after the last one that is followed by fewer than 2*DIFF_CONTEXT kept lines. */
		size_t first = l >= DIFF_CONTEXT ? l - DIFF_CONTEXT : 0, last = l, gap = 0, k = l;
		for (; k < nlines; k++) {
			if (del[k]) {
				last = k;
				gap = 0;
			} else if (++gap > 2 * DIFF_CONTEXT) {
				break;
			}
		}
		size_t end = last + DIFF_CONTEXT < nlines ? last + DIFF_CONTEXT : nlines - 1;
		size_t ndel = 0;
		for (size_t x = first; x <= end; x++)
			ndel += del[x];
		size_t old_n = end - first + 1, new_n = old_n - ndel;
		size_t new_start = first + 1 - removed_before;
		c2s_buf_printf(out, "@@ -%zu,%zu +%zu,%zu @@\n", first + 1, old_n, new_n ? new_start : new_start - 1, new_n);
		for (size_t x = first; x <= end; x++)
			put_line(out, del[x] ? '-' : ' ', data, starts, x);
		removed_before += ndel;
		l = end + 1;
	}
	free(del);
	free(starts);
	return out->failed ? -1 : 0;
}
