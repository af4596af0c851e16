/* edit.c -- the comment-keeping editor lint --fix and migrate share: spans of entries, items
 * and blocks in a YAML text, span edits put in order and applied, and deletions as a diff. */
#include "config.h"
#include "edit.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DIFF_CONTEXT 3

/* ---- where things stand ---- */

uint32_t c2s_ed_line_start(const struct c2s_source *s, uint32_t off)
{
	const char *d = s->data;
	while (off > 0 && d[off - 1] != '\n')
		off--;
	return off;
}

uint32_t c2s_ed_next_line(const struct c2s_source *s, uint32_t off)
{
	if (off >= s->len)
		return (uint32_t)s->len;
	const char *nl = memchr(s->data + off, '\n', s->len - off);
	return nl ? (uint32_t)(nl - s->data) + 1 : (uint32_t)s->len;
}

int c2s_ed_first_on_line(const struct c2s_source *s, uint32_t off)
{
	const char *d = s->data;
	while (off > 0 && d[off - 1] != '\n') {
		if (d[off - 1] != ' ')
			return 0;
		off--;
	}
	return 1;
}

uint32_t c2s_ed_col(const struct c2s_source *s, uint32_t off)
{
	return off - c2s_ed_line_start(s, off);
}

/* "- " (or "-" ending the line) at p? */
static int item_mark(const char *d, uint32_t p, uint32_t line_end)
{
	return d[p] == '-' && (p + 1 >= line_end || d[p + 1] == ' ' || d[p + 1] == '\n' || d[p + 1] == '\r');
}

uint32_t c2s_ed_block_end(const struct c2s_source *s, uint32_t off)
{
	const char *d = s->data;
	uint32_t len = (uint32_t)s->len;
	uint32_t col = c2s_ed_col(s, off);
	uint32_t good = c2s_ed_next_line(s, off);
	uint32_t line = good;
	/* a key's block goes on through the "- " items written at its own column; an item's
	 * block ends at the next item of its sequence, which stands at that column too */
	int item = item_mark(d, off, good);
	while (line < len) {
		uint32_t next = c2s_ed_next_line(s, line), ind = 0;
		while (line + ind < next && d[line + ind] == ' ')
			ind++;
		char c = line + ind < next ? d[line + ind] : '\n';
		if (c == '\n' || c == '\r') {
			line = next;  /* a blank line belongs to the block only when more of it follows */
			continue;
		}
		if (c == '#') {
			if (ind > col)
				good = next;
			line = next;
			continue;
		}
		if (ind == 0 && next - line >= 3 && (memcmp(d + line, "---", 3) == 0 || memcmp(d + line, "...", 3) == 0))
			break;
		if (ind > col || (ind == col && !item && item_mark(d, line + ind, next))) {
			good = next;
			line = next;
			continue;
		}
		break;
	}
	return good;
}

int c2s_ed_entry_lines(const struct c2s_doc *d, const struct c2s_node *key, const struct c2s_node *value,
		       uint32_t *a, uint32_t *b)
{
	const struct c2s_source *s = d->src;
	if (!c2s_ed_first_on_line(s, key->start))
		return -1;
	*a = c2s_ed_line_start(s, key->start);
	*b = c2s_ed_block_end(s, key->start);
	if (!value)
		return 0;
	/* the value's own end: a value reached through an alias ends elsewhere and says nothing;
	 * nor does a block mapping whose last pair came in through a merge key (c2s_node_end
	 * then gives its start + 1): its own lines are inside the key's block */
	uint32_t end = c2s_node_end(d, value);
	if (end <= key->start || end > s->len)
		return 0;
	if (c2s_kind(value) == C2S_MAPPING && c2s_style(value) != C2S_STYLE_FLOW && end <= value->start + 1)
		return 0;
	const char *t = s->data;
	uint32_t le = end;
	if (t[end - 1] != '\n') {  /* a block scalar ends with its line break */
		while (le < s->len && (t[le] == ' ' || t[le] == '\t' || t[le] == '\r'))
			le++;
		if (le < s->len && t[le] == '#')
			while (le < s->len && t[le] != '\n')
				le++;
		if (le < s->len && t[le] != '\n')
			return -1;  /* more of a flow collection follows on the line */
		if (le < s->len)
			le++;
	}
	if (le > *b)
		*b = le;
	return 0;
}

uint32_t c2s_ed_item_dash(const struct c2s_source *s, const struct c2s_node *it)
{
	const char *d = s->data;
	uint32_t dash = it->start;
	while (dash > 0 && d[dash - 1] == ' ')
		dash--;
	if (dash > 0 && d[dash - 1] == '-')
		dash--;
	return d[dash] == '-' && c2s_ed_first_on_line(s, dash) ? dash : UINT32_MAX;
}

uint32_t c2s_ed_value_end(const struct c2s_doc *d, const struct c2s_node *n)
{
	uint32_t end = c2s_node_end(d, n);
	if (end > n->start && d->src->data[end - 1] == '\n')
		end--;
	return end;
}

/* Written here, not reached through an alias? */
static int own(const struct c2s_node *n)
{
	return n && !(c2s_flags(n) & C2S_NODE_ALIAS);
}

uint32_t c2s_ed_indent_step(const struct c2s_doc *d)
{
	const struct c2s_node *root = c2s_node_at(d, d->root);
	if (!c2s_is_mapping(root))
		return 2;
	for (uint32_t i = 0; i < c2s_count(root); i++) {
		const struct c2s_node *k = c2s_map_key(d, root, i), *v = c2s_map_value(d, root, i);
		if (c2s_is_mapping(v) && c2s_style(v) == C2S_STYLE_BLOCK && own(v) && c2s_count(v)) {
			const struct c2s_node *k2 = c2s_map_key(d, v, 0);
			uint32_t c1 = c2s_ed_col(d->src, k->start), c2 = c2s_ed_col(d->src, k2->start);
			if (c2 > c1 && c2 - c1 <= 8)
				return c2 - c1;
		}
	}
	return 2;
}

int c2s_ed_map_col(const struct c2s_doc *d, const struct c2s_node *map)
{
	if (!c2s_is_mapping(map) || c2s_style(map) != C2S_STYLE_BLOCK || !own(map))
		return -1;
	for (uint32_t i = 0; i < c2s_count(map); i++) {
		const struct c2s_node *k = c2s_map_key(d, map, i);
		if (own(k))
			return (int)c2s_ed_col(d->src, k->start);
	}
	return -1;
}

uint32_t c2s_ed_map_end(const struct c2s_doc *d, const struct c2s_node *map)
{
	uint32_t end = 0;
	for (uint32_t i = 0; i < c2s_count(map); i++) {
		const struct c2s_node *k = c2s_map_key(d, map, i);
		if (!own(k))
			continue;
		uint32_t e = c2s_ed_block_end(d->src, k->start);
		if (e > end)
			end = e;
	}
	return end;
}

/* ---- edits ---- */

void c2s_edits_init(struct c2s_edits *e)
{
	memset(e, 0, sizeof *e);
}

void c2s_edits_free(struct c2s_edits *e)
{
	free(e->v);
	memset(e, 0, sizeof *e);
}

struct c2s_edit *c2s_edits_add(struct c2s_edits *e, uint32_t start, uint32_t end)
{
	if (e->n >= C2S_MAX_EDITS) {
		e->failed = 1;
		return NULL;
	}
	if (e->n == e->cap) {
		size_t cap = e->cap ? e->cap * 2 : 16;
		struct c2s_edit *v = realloc(e->v, cap * sizeof *v);
		if (!v) {
			e->failed = 1;
			return NULL;
		}
		e->v = v;
		e->cap = cap;
	}
	struct c2s_edit *x = &e->v[e->n];
	*x = (struct c2s_edit){start, end < start ? start : end, (uint32_t)e->n, 0, NULL, 0};
	e->n++;
	return x;
}

static int edit_cmp(const void *a, const void *b)
{
	const struct c2s_edit *x = a, *y = b;
	if (x->start != y->start)
		return x->start < y->start ? -1 : 1;
	if (x->end != y->end)
		return x->end < y->end ? -1 : 1;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

static int same_edit(const struct c2s_edit *x, const struct c2s_edit *y)
{
	return x->start == y->start && x->end == y->end && x->len == y->len && (!x->len || memcmp(x->text, y->text, x->len) == 0);
}

int c2s_edits_prepare(struct c2s_edits *e, size_t len, uint32_t *conflict)
{
	if (e->n > 1)
		qsort(e->v, e->n, sizeof *e->v, edit_cmp);
	size_t k = 0;
	for (size_t i = 0; i < e->n; i++) {
		struct c2s_edit x = e->v[i];
		if (x.withdrawn || (x.start == x.end && x.len == 0))
			continue;
		if (x.end > len) {
			*conflict = x.start;
			return -1;
		}
		struct c2s_edit *prev = k ? &e->v[k - 1] : NULL;
		if (prev && same_edit(prev, &x))
			continue;
		if (prev && x.start < prev->end) {
			if (prev->len || x.len) {
				*conflict = x.start;
				return -1;
			}
			if (x.end > prev->end)
				prev->end = x.end;  /* two deletions: every byte either removes goes */
			continue;
		}
		e->v[k++] = x;
	}
	e->n = k;
	return 0;
}

int c2s_edits_apply(const struct c2s_edits *ed, const char *data, size_t len, struct c2s_buf *out)
{
	size_t at = 0;
	for (size_t i = 0; i < ed->n; i++) {
		const struct c2s_edit *x = &ed->v[i];
		if (x->start > len || x->end > len || x->start < at)
			return -1;
		c2s_buf_add(out, data + at, x->start - at);
		if (x->len)
			c2s_buf_add(out, x->text, x->len);
		at = x->end;
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

/* Does [a, b) hold whole lines? */
static int whole_lines(const char *data, size_t len, uint32_t a, uint32_t b)
{
	return a < b && b <= len && (a == 0 || data[a - 1] == '\n') && (b == len || data[b - 1] == '\n');
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

int c2s_edits_diff(const struct c2s_edits *ed, const char *name, const char *data, size_t len, struct c2s_buf *out)
{
	const struct c2s_edit *e = ed->v;
	size_t n = ed->n;
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
		if (e[i].len || !whole_lines(data, len, e[i].start, e[i].end)) {
			free(del);
			free(starts);
			return -1;
		}
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
