/* migrate_text.c -- migrate's texts: bytes built from copies (each remembering its file and
 * offset) and new YAML, edits applied to them, and where keys and blocks are in them. */
#include "config.h"
#include "migrate.h"
#include "compose2swarm.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* ---- building bytes ---- */

void mo_init(struct mig_out *o)
{
	memset(o, 0, sizeof *o);
	c2s_buf_init(&o->buf, C2S_MIGRATE_MAX_TEXT_BYTES);
}

void mo_free(struct mig_out *o)
{
	c2s_buf_free(&o->buf);
	free(o->segs);
	memset(o, 0, sizeof *o);
}

static void add_seg_x(struct mig_out *o, uint32_t at, uint32_t len, struct c2s_source *src, uint32_t src_at,
		      uint32_t approx)
{
	if (!len || o->failed)
		return;
	if (o->nsegs && !approx) {
		struct mig_seg *l = &o->segs[o->nsegs - 1];
		if (!l->approx && l->src == src && l->at + l->len == at && l->src_at + l->len == src_at) {
			l->len += len;
			return;
		}
	}
	if (o->nsegs == o->capsegs) {
		uint32_t cap = o->capsegs ? o->capsegs * 2 : 16;
		struct mig_seg *v = realloc(o->segs, (size_t)cap * sizeof *v);
		if (!v) {
			o->failed = 1;
			return;
		}
		o->segs = v;
		o->capsegs = cap;
	}
	o->segs[o->nsegs++] = (struct mig_seg){at, len, src_at, approx, src};
}

static void add_seg(struct mig_out *o, uint32_t at, uint32_t len, struct c2s_source *src, uint32_t src_at)
{
	add_seg_x(o, at, len, src, src_at, 0);
}

void mo_mark(struct mig_out *o, uint32_t at, uint32_t len, struct c2s_source *src, uint32_t src_at)
{
	/* only where nothing is marked yet: segments stay in order */
	if (o->nsegs && o->segs[o->nsegs - 1].at + o->segs[o->nsegs - 1].len > at)
		return;
	add_seg_x(o, at, len, src, src_at, 1);
}

void mo_lit(struct mig_out *o, const char *s, size_t n)
{
	if (c2s_buf_add(&o->buf, s, n) != 0)
		o->failed = 1;
}

void mo_str(struct mig_out *o, const char *s)
{
	mo_lit(o, s, strlen(s));
}

void mo_printf(struct mig_out *o, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	if (c2s_buf_vprintf(&o->buf, fmt, ap) != 0)
		o->failed = 1;
	va_end(ap);
}

void mo_spaces(struct mig_out *o, uint32_t n)
{
	static const char sp[] = "                                ";
	while (n) {
		uint32_t k = n < 32 ? n : 32;
		mo_lit(o, sp, k);
		n -= k;
	}
}

void mo_copy(struct mig_out *o, const struct mig_text *t, uint32_t a, uint32_t b)
{
	if (b > t->src.len)
		b = (uint32_t)t->src.len;
	if (a >= b)
		return;
	/* the segments of t that cover [a, b) */
	uint32_t lo = 0, hi = t->nsegs;
	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;
		if (t->segs[mid].at + t->segs[mid].len <= a)
			lo = mid + 1;
		else
			hi = mid;
	}
	uint32_t at0 = (uint32_t)o->buf.len;
	for (uint32_t i = lo; i < t->nsegs && t->segs[i].at < b; i++) {
		const struct mig_seg *s = &t->segs[i];
		uint32_t sa = s->at > a ? s->at : a, sb = s->at + s->len < b ? s->at + s->len : b;
		if (sa < sb)
			add_seg_x(o, at0 + (sa - a), sb - sa, s->src, s->approx ? s->src_at : s->src_at + (sa - s->at),
				  s->approx);
	}
	mo_lit(o, t->src.data + a, b - a);
}

void mo_copy_shift(struct mig_out *o, const struct mig_text *t, uint32_t a, uint32_t b, int delta)
{
	const char *s = t->src.data;
	while (a < b) {
		const char *nl = memchr(s + a, '\n', b - a);
		uint32_t le = nl ? (uint32_t)(nl - s) + 1 : b;
		int empty = s[a] == '\n' || (s[a] == '\r' && a + 1 < le && s[a + 1] == '\n');
		if (empty || delta == 0) {
			mo_copy(o, t, a, le);
		} else if (delta > 0) {
			mo_spaces(o, (uint32_t)delta);
			mo_copy(o, t, a, le);
		} else {
			uint32_t k = 0;
			while (k < (uint32_t)-delta && a + k < le && s[a + k] == ' ')
				k++;
			mo_copy(o, t, a + k, le);
		}
		a = le;
	}
}

void mo_append(struct mig_out *o, const struct mig_out *from)
{
	uint32_t base = (uint32_t)o->buf.len;
	for (uint32_t i = 0; i < from->nsegs; i++)
		add_seg_x(o, base + from->segs[i].at, from->segs[i].len, from->segs[i].src, from->segs[i].src_at,
			  from->segs[i].approx);
	if (from->buf.len)
		mo_lit(o, from->buf.data, from->buf.len);
	if (from->failed)
		o->failed = 1;
}

/* Can s be written plain and read back as the same string (as_string) or value? */
static int plain_ok(const char *s, size_t n, int as_string, int flow)
{
	if (n == 0)
		return !as_string;
	if (strchr("-?:,[]{}#&*!|>'\"%@`", s[0]) && !(s[0] == '-' && n > 1 && s[1] != ' ' && !as_string))
		return 0;
	if (s[0] == ' ' || s[0] == '\t' || s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == ':')
		return 0;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c < 0x20 || c == 0x7f)
			return 0;
		if (c == ':' && i + 1 < n && (s[i + 1] == ' ' || (flow && strchr(",[]{}", s[i + 1]))))
			return 0;
		if (c == '#' && i > 0 && (s[i - 1] == ' ' || s[i - 1] == '\t'))
			return 0;
		if (flow && strchr(",[]{}:?#", c))
			return 0;  /* yaml.v3 reads ':' and '?' inside flow plain scalars in its own way */
		/* U+0085, U+2028, U+2029 are line breaks to YAML */
		if (c == 0xc2 && i + 1 < n && (unsigned char)s[i + 1] == 0x85)
			return 0;
		if (c == 0xe2 && i + 2 < n && (unsigned char)s[i + 1] == 0x80 &&
		    ((unsigned char)s[i + 2] == 0xa8 || (unsigned char)s[i + 2] == 0xa9))
			return 0;
	}
	if ((n == 3 && memcmp(s, "---", 3) == 0) || (n == 3 && memcmp(s, "...", 3) == 0))
		return 0;
	if (as_string) {
		struct c2s_value v;
		if (c2s_resolve_plain(s, n, &v) != C2S_TYPE_STRING)
			return 0;
	}
	return 1;
}

void mo_scalar(struct mig_out *o, const char *s, size_t n, int as_string, int flow)
{
	if (plain_ok(s, n, as_string, flow)) {
		mo_lit(o, s, n);
		return;
	}
	int single = 1;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c < 0x20 || c == 0x7f || (c == 0xc2 && i + 1 < n && (unsigned char)s[i + 1] == 0x85) ||
		    (c == 0xe2 && i + 2 < n && (unsigned char)s[i + 1] == 0x80 &&
		     ((unsigned char)s[i + 2] == 0xa8 || (unsigned char)s[i + 2] == 0xa9)))
			single = 0;
	}
	if (single) {
		mo_lit(o, "'", 1);
		for (size_t i = 0; i < n; i++)
			mo_lit(o, s[i] == '\'' ? "''" : s + i, s[i] == '\'' ? 2 : 1);
		mo_lit(o, "'", 1);
		return;
	}
	mo_lit(o, "\"", 1);
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		switch (c) {
		case '"': mo_lit(o, "\\\"", 2); break;
		case '\\': mo_lit(o, "\\\\", 2); break;
		case '\n': mo_lit(o, "\\n", 2); break;
		case '\t': mo_lit(o, "\\t", 2); break;
		case '\r': mo_lit(o, "\\r", 2); break;
		default:
			if (c < 0x20 || c == 0x7f)
				mo_printf(o, "\\x%02x", c);
			else if (c == 0xc2 && i + 1 < n && (unsigned char)s[i + 1] == 0x85) {
				mo_lit(o, "\\N", 2);
				i++;
			} else if (c == 0xe2 && i + 2 < n && (unsigned char)s[i + 1] == 0x80 &&
				   ((unsigned char)s[i + 2] == 0xa8 || (unsigned char)s[i + 2] == 0xa9)) {
				mo_lit(o, (unsigned char)s[i + 2] == 0xa8 ? "\\L" : "\\P", 2);
				i += 2;
			} else
				mo_lit(o, s + i, 1);
		}
	}
	mo_lit(o, "\"", 1);
}

void mo_scalar_like(struct mig_out *o, const struct mig_text *t, const struct c2s_node *was, const char *s, size_t n,
		    int as_string, int flow)
{
	enum c2s_style st = c2s_is_scalar(was) ? c2s_style(was) : C2S_STYLE_PLAIN;
	int ctl = 0;
	for (size_t i = 0; i < n; i++)
		ctl |= (unsigned char)s[i] < 0x20 || s[i] == 0x7f;
	(void)t;
	if (as_string && st == C2S_STYLE_DOUBLE) {
		/* double quotes as before: only " and \ need escapes (controls go through mo_scalar) */
		if (!ctl) {
			mo_lit(o, "\"", 1);
			for (size_t i = 0; i < n; i++)
				mo_lit(o, s[i] == '"' ? "\\\"" : s[i] == '\\' ? "\\\\" : s + i, s[i] == '"' || s[i] == '\\' ? 2 : 1);
			mo_lit(o, "\"", 1);
			return;
		}
	} else if (as_string && st == C2S_STYLE_SINGLE && !ctl) {
		mo_lit(o, "'", 1);
		for (size_t i = 0; i < n; i++)
			mo_lit(o, s[i] == '\'' ? "''" : s + i, s[i] == '\'' ? 2 : 1);
		mo_lit(o, "'", 1);
		return;
	}
	mo_scalar(o, s, n, as_string, flow);
}

/* A scalar node written anew: strings quoted as needed, other values as their text. */
static void node_scalar(struct mig_out *o, const struct mig_text *t, const struct c2s_node *n, int flow)
{
	struct c2s_value v;
	struct c2s_str s = c2s_scalar(&t->doc, n);
	enum c2s_type ty = c2s_resolve(&t->doc, n, &v);
	if (ty == C2S_TYPE_NULL && s.n == 0) {
		mo_str(o, "null");
		return;
	}
	mo_scalar(o, s.p, s.n, ty == C2S_TYPE_STRING || ty == C2S_TYPE_TIMESTAMP || ty == C2S_TYPE_BINARY, flow);
}

void mo_flow(struct mig_out *o, const struct mig_text *t, const struct c2s_node *n)
{
	const struct c2s_doc *d = &t->doc;
	switch (c2s_kind(n)) {
	case C2S_SCALAR:
		node_scalar(o, t, n, 1);
		return;
	case C2S_MAPPING:
		mo_lit(o, "{", 1);
		for (uint32_t i = 0; i < c2s_count(n); i++) {
			if (i)
				mo_lit(o, ", ", 2);
			mo_flow(o, t, c2s_map_key(d, n, i));
			mo_lit(o, ": ", 2);
			mo_flow(o, t, c2s_map_value(d, n, i));
		}
		mo_lit(o, "}", 1);
		return;
	case C2S_SEQUENCE:
		mo_lit(o, "[", 1);
		for (uint32_t i = 0; i < c2s_count(n); i++) {
			if (i)
				mo_lit(o, ", ", 2);
			mo_flow(o, t, c2s_seq_item(d, n, i));
		}
		mo_lit(o, "]", 1);
		return;
	}
}

void mo_block(struct mig_out *o, const struct mig_text *t, const struct c2s_node *n, uint32_t indent,
	      uint32_t step)
{
	const struct c2s_doc *d = &t->doc;
	if (c2s_kind(n) == C2S_SCALAR || c2s_count(n) == 0) {
		mo_lit(o, " ", 1);
		mo_flow(o, t, n);
		mo_lit(o, "\n", 1);
		return;
	}
	mo_lit(o, "\n", 1);
	if (c2s_kind(n) == C2S_MAPPING) {
		for (uint32_t i = 0; i < c2s_count(n); i++) {
			mo_spaces(o, indent);
			node_scalar(o, t, c2s_map_key(d, n, i), 0);
			mo_lit(o, ":", 1);
			mo_block(o, t, c2s_map_value(d, n, i), indent + step, step);
		}
		return;
	}
	for (uint32_t i = 0; i < c2s_count(n); i++) {
		const struct c2s_node *it = c2s_seq_item(d, n, i);
		mo_spaces(o, indent);
		if (c2s_kind(it) == C2S_MAPPING && c2s_count(it)) {
			mo_lit(o, "- ", 2);
			for (uint32_t j = 0; j < c2s_count(it); j++) {
				if (j)
					mo_spaces(o, indent + 2);
				node_scalar(o, t, c2s_map_key(d, it, j), 0);
				mo_lit(o, ":", 1);
				mo_block(o, t, c2s_map_value(d, it, j), indent + 2 + step, step);
			}
		} else {
			mo_lit(o, "- ", 2);
			mo_flow(o, t, it);
			mo_lit(o, "\n", 1);
		}
	}
}

/* ---- texts ---- */

static int text_load(struct mig *m, struct mig_text *t)
{
	struct c2s_diags scratch;
	c2s_diags_init(&scratch);
	enum c2s_load_status st = c2s_load(&t->doc, &t->src, &scratch);
	t->loaded = 1;
	int rc = 0;
	if (st != C2S_LOAD_OK) {
		/* migrate wrote this text: not loading it back is a bug of ours */
		c2s_diags_resolve(&scratch);
		mig_trouble(m, "%s: the rewritten file does not load back (%s); please report this",
			    t->src.name, scratch.n ? scratch.items[0].message : "out of memory");
		rc = -1;
	}
	c2s_diags_free(&scratch);
	return rc;
}

int mig_text_from_source(struct mig *m, struct mig_text *t, struct c2s_source *src, const char *dir)
{
	memset(t, 0, sizeof *t);
	struct mig_out o;
	mo_init(&o);
	add_seg(&o, 0, (uint32_t)src->len, src, 0);
	mo_lit(&o, src->data, src->len);
	/* a last line without its newline would run into a block inserted after it */
	if (src->len && src->data[src->len - 1] != '\n')
		mo_lit(&o, "\n", 1);
	return mig_text_from_out(m, t, &o, src->name, dir);
}

int mig_text_from_out(struct mig *m, struct mig_text *t, struct mig_out *o, const char *name, const char *dir)
{
	memset(t, 0, sizeof *t);
	if (o->failed || o->buf.failed) {
		mo_free(o);
		mig_trouble(m, "%s: the rewritten file is larger than %zu MiB (C2S_MIGRATE_MAX_TEXT_BYTES)", name,
			    C2S_MIGRATE_MAX_TEXT_BYTES >> 20);
		return -1;
	}
	if (c2s_source_from_memory(&t->src, name, o->buf.data ? o->buf.data : "", o->buf.len) != 0) {
		mo_free(o);
		m->nomem = 1;
		return -1;
	}
	t->segs = o->segs;
	t->nsegs = o->nsegs;
	o->segs = NULL;
	mo_free(o);
	t->dir = strdup(dir ? dir : "");
	if (!t->dir) {
		m->nomem = 1;
		mig_text_free(t);
		return -1;
	}
	if (text_load(m, t) != 0) {
		mig_text_free(t);  /* the callers free only a text that was made */
		return -1;
	}
	return 0;
}

void mig_text_free(struct mig_text *t)
{
	if (t->loaded)
		c2s_doc_free(&t->doc);
	c2s_source_free(&t->src);
	free(t->segs);
	free(t->dir);
	memset(t, 0, sizeof *t);
}

void mig_text_replace(struct mig_text *t, struct mig_text *next)
{
	mig_text_free(t);
	*t = *next;
	t->doc.src = &t->src;  /* the tree points at its source */
	memset(next, 0, sizeof *next);
}

int mig_origin(const struct mig_text *t, uint32_t off, struct c2s_source **src, uint32_t *srcoff)
{
	uint32_t lo = 0, hi = t->nsegs;
	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;
		if (t->segs[mid].at + t->segs[mid].len <= off)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo < t->nsegs && t->segs[lo].at <= off) {
		*src = t->segs[lo].src;
		*srcoff = t->segs[lo].src_at + (t->segs[lo].approx ? 0 : off - t->segs[lo].at);
		return 1;
	}
	return 0;
}

/* ---- edits ---- */

void mig_edits_init(struct mig_edits *e)
{
	memset(e, 0, sizeof *e);
	c2s_edits_init(&e->list);
}

void mig_edits_free(struct mig_edits *e)
{
	for (size_t i = 0; i < e->nrepl; i++)
		mo_free(&e->repl[i]);
	free(e->repl);
	c2s_edits_free(&e->list);
	memset(e, 0, sizeof *e);
}

struct mig_out *mig_edit(struct mig_edits *e, uint32_t start, uint32_t end)
{
	if (e->nrepl >= C2S_MAX_EDITS) {  /* one replacement per edit: the edits' cap */
		e->list.failed = 1;
		return NULL;
	}
	if (e->nrepl == e->caprepl) {
		size_t cap = e->caprepl ? e->caprepl * 2 : 16;
		struct mig_out *v = realloc(e->repl, cap * sizeof *v);
		if (!v) {
			e->list.failed = 1;
			return NULL;
		}
		e->repl = v;
		e->caprepl = cap;
	}
	struct c2s_edit *x = c2s_edits_add(&e->list, start, end);
	if (!x)
		return NULL;
	/* edits are made in seq order and never removed before they apply: seq == nrepl */
	mo_init(&e->repl[e->nrepl++]);
	return &e->repl[x->seq];
}

/* An anchored block mapping whose own keys all go (restart moved to deploy, pull_policy
 * dropped...) would read as null, and every << merge or alias of it would then be refused
 * ("map merge requires map or sequence of maps"): the first of the deletions that remove
 * its lines writes {} instead. e is prepared (sorted, overlapping deletions joined). */
static void keep_emptied_anchors(const struct mig_text *t, struct mig_edits *e)
{
	const struct c2s_doc *d = &t->doc;
	for (uint32_t i = 1; i < d->nnodes; i++) {
		const struct c2s_node *n = &d->nodes[i];
		/* its pairs are all written in it (not SEGMENTED: no << of its own), though
		 * flagged as reached through a merge when others merge it */
		if (c2s_kind(n) != C2S_MAPPING || c2s_style(n) == C2S_STYLE_FLOW || !mt_own(n) ||
		    (c2s_flags(n) & (C2S_NODE_ANCHOR | C2S_NODE_SEGMENTED)) != C2S_NODE_ANCHOR)
			continue;
		uint32_t first = UINT32_MAX, last = 0, col = 0;
		for (uint32_t j = 0; j < c2s_count(n); j++) {
			const struct c2s_node *k = c2s_map_key(d, n, j);
			uint32_t ls = c2s_ed_line_start(&t->src, k->start), be = c2s_ed_block_end(&t->src, k->start);
			if (ls < first) {
				first = ls;
				col = k->start - ls;
			}
			if (be > last)
				last = be;
		}
		if (first == UINT32_MAX)
			continue;
		size_t at = 0;
		while (at < e->list.n && e->list.v[at].start < first)
			at++;
		uint32_t cover = first;
		for (size_t q = at; q < e->list.n && e->list.v[q].start == cover && !e->list.v[q].len; q++)
			cover = e->list.v[q].end;
		if (at == e->list.n || cover == first || cover < last)
			continue;
		struct c2s_edit *x = &e->list.v[at];
		struct mig_out *r = &e->repl[x->seq];
		mo_spaces(r, col);
		mo_str(r, "{}\n");
		x->text = r->buf.data;
		x->len = r->buf.len;
	}
}

int mig_apply(struct mig *m, const struct mig_text *t, struct mig_edits *e, struct mig_text *out)
{
	if (e->list.failed) {
		m->nomem = 1;
		return -1;
	}
	for (size_t i = 0; i < e->list.n; i++) {
		const struct mig_out *r = &e->repl[e->list.v[i].seq];
		e->list.v[i].text = r->buf.data;
		e->list.v[i].len = r->buf.len;
	}
	uint32_t conflict;
	if (c2s_edits_prepare(&e->list, t->src.len, &conflict) != 0) {
		uint32_t line, col;
		c2s_source_locate((struct c2s_source *)&t->src, conflict, &line, &col);
		mig_trouble(m, "%s:%u:%u: two changes of migrate overlap here; please report this", t->src.name, line,
			    col);
		return -1;
	}
	keep_emptied_anchors(t, e);
	struct mig_out o;
	mo_init(&o);
	uint32_t at = 0;
	for (size_t i = 0; i < e->list.n; i++) {
		const struct c2s_edit *x = &e->list.v[i];
		const struct mig_out *r = &e->repl[x->seq];
		mo_copy(&o, t, at, x->start);
		/* what the replacement writes anew stands for what it replaced */
		struct c2s_source *rs = NULL;
		uint32_t roff = 0;
		if (!(x->end > x->start && mig_origin(t, x->start, &rs, &roff)))
			rs = NULL;
		uint32_t r0 = (uint32_t)o.buf.len, at2 = 0, rn = (uint32_t)x->len;
		for (uint32_t k = 0; rn && k < r->nsegs; k++) {
			const struct mig_seg *g = &r->segs[k];
			if (rs && g->at > at2)
				add_seg_x(&o, r0 + at2, g->at - at2, rs, roff, 1);
			add_seg_x(&o, r0 + g->at, g->len, g->src, g->src_at, g->approx);
			at2 = g->at + g->len;
		}
		if (rs && at2 < rn)
			add_seg_x(&o, r0 + at2, rn - at2, rs, roff, 1);
		if (rn)
			mo_lit(&o, x->text, rn);
		if (r->failed)
			o.failed = 1;
		at = x->end;
	}
	mo_copy(&o, t, at, (uint32_t)t->src.len);
	return mig_text_from_out(m, out, &o, t->src.name, t->dir);
}

/* ---- values ---- */

const char *mt_scalar(const struct mig_text *t, const struct c2s_node *n, char *buf, size_t size)
{
	buf[0] = '\0';
	if (!c2s_is_scalar(n) || size == 0)
		return buf;
	struct c2s_str s = c2s_scalar(&t->doc, n);
	size_t k = s.n < size - 1 ? s.n : size - 1;
	memcpy(buf, s.p, k);
	buf[k] = '\0';
	return buf;
}

int mt_is_null(const struct mig_text *t, const struct c2s_node *n)
{
	struct c2s_value v;
	return !n || (c2s_is_scalar(n) && c2s_resolve(&t->doc, n, &v) == C2S_TYPE_NULL);
}

/* ---- paths in a document ---- */

/* A list item's segment: told from a key by this address, not by its text. */
static const char item_mark[] = "[]";

int mig_path_push(struct mig_path *p, struct c2s_str key)
{
	if (p->n >= MIG_PATH_MAX)
		return -1;
	p->seg[p->n++] = key;
	return 0;
}

int mig_path_push_item(struct mig_path *p)
{
	return mig_path_push(p, (struct c2s_str){item_mark, 2});
}

int mig_path_match(const struct mig_path *p, const char *pat)
{
	int i = 0;
	while (*pat) {
		const char *e = strchr(pat, '.');
		size_t l = e ? (size_t)(e - pat) : strlen(pat);
		if (i >= p->n)
			return 0;
		int item = p->seg[i].p == item_mark;
		if (l == 2 && memcmp(pat, "[]", 2) == 0) {
			if (!item)
				return 0;
		} else if (l == 1 && pat[0] == '*') {
			if (item)
				return 0;
		} else if (item || p->seg[i].n != l || memcmp(p->seg[i].p, pat, l) != 0) {
			return 0;
		}
		i++;
		pat += l + (e ? 1 : 0);
	}
	return i == p->n;
}

int mig_path_match_any(const struct mig_path *p, const char *const *pats, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (mig_path_match(p, pats[i]))
			return 1;
	return 0;
}

void mig_path_text(const struct mig_path *p, char *out, size_t size)
{
	size_t at = 0;
	out[0] = '\0';
	for (int i = 0; i < p->n && at + 1 < size; i++) {
		int w = snprintf(out + at, size - at, "%s%.*s", i ? "." : "", (int)p->seg[i].n, p->seg[i].p);
		if (w < 0)
			break;
		at += (size_t)w;
	}
}

/* ---- file paths ---- */

/* path made absolute against base (a directory) and cleaned of "." and ".." parts. */
void mig_abs_path(const char *base, const char *path, char *out, size_t size)
{
	char tmp[PATH_MAX * 2];
	if (path[0] == '/')
		snprintf(tmp, sizeof tmp, "%s", path);
	else
		snprintf(tmp, sizeof tmp, "%s/%s", base, path);
	/* clean: split on '/', drop "." and "", pop on ".." */
	const char *parts[PATH_MAX / 2];
	size_t lens[PATH_MAX / 2], n = 0;
	const char *p = tmp;
	while (*p) {
		while (*p == '/')
			p++;
		const char *e = p;
		while (*e && *e != '/')
			e++;
		size_t l = (size_t)(e - p);
		if (l == 0 || (l == 1 && p[0] == '.')) {
			/* skip */
		} else if (l == 2 && p[0] == '.' && p[1] == '.') {
			if (n)
				n--;
		} else if (n < sizeof parts / sizeof *parts) {
			parts[n] = p;
			lens[n++] = l;
		}
		p = e;
	}
	size_t at = 0;
	if (size)
		out[0] = '\0';
	for (size_t i = 0; i < n && at + lens[i] + 2 < size; i++) {
		out[at++] = '/';
		memcpy(out + at, parts[i], lens[i]);
		at += lens[i];
	}
	if (at == 0 && size > 1)
		out[at++] = '/';
	if (size)
		out[at < size ? at : size - 1] = '\0';
}

void mig_dir_name(const char *path, char *out, size_t size)
{
	snprintf(out, size, "%s", path);
	char *slash = strrchr(out, '/');
	if (slash == out)
		out[1] = '\0';
	else if (slash)
		*slash = '\0';
	else
		snprintf(out, size, ".");
}

/* path (absolute, clean) relative to dir (absolute, clean). */
void mig_rel_path(const char *dir, const char *path, char *out, size_t size)
{
	size_t common = 0, i = 0;
	/* the longest common prefix that ends at a '/' (or a whole part) */
	while (dir[i] && path[i] && dir[i] == path[i]) {
		i++;
		if ((dir[i] == '/' || dir[i] == '\0') && (path[i] == '/' || path[i] == '\0'))
			common = i;
	}
	if (strcmp(dir, "/") == 0)
		common = 0;
	size_t at = 0;
	out[0] = '\0';
	/* one ../ per component of dir past the common part */
	for (const char *p = dir + common; *p; p++)
		if (*p == '/' && p[1] && p[1] != '/' && at + 4 < size) {
			memcpy(out + at, "../", 3);
			at += 3;
		}
	const char *rest = path + common;
	if (*rest == '/')
		rest++;
	if (at == 0 && at + 2 < size) {
		memcpy(out, "./", 2);
		at = 2;
	}
	snprintf(out + at, size - at, "%s", rest);
	size_t n = strlen(out);
	if (n > 1 && out[n - 1] == '/')
		out[n - 1] = '\0';
}

/* ---- the report ---- */

static struct c2s_diag *vnote(struct mig *m, enum c2s_rule_index rule, int kind, const struct mig_text *t,
			      uint32_t start, uint32_t end, const char *fmt, va_list ap)
{
	struct c2s_source *src = NULL, *src2 = NULL;
	uint32_t s = 0, e = 0;
	if (t && !mig_origin(t, start, &src, &s)) {
		/* text migrate wrote: the nearest copied byte before it */
		src = NULL;
		for (uint32_t i = t->nsegs; i-- > 0;)
			if (t->segs[i].at <= start) {
				src = t->segs[i].src;
				s = t->segs[i].src_at + t->segs[i].len - 1;
				break;
			}
		end = start;
	}
	if (src && end > start && mig_origin(t, end - 1, &src2, &e) && src2 == src && e >= s)
		e = e + 1;
	else
		e = src ? s + 1 : 0;
	struct c2s_diag *dg = c2s_diag_vadd(&m->diags, rule, src, s, e, fmt, ap);
	if (dg)
		dg->severity = (uint8_t)kind;
	return dg;
}

struct c2s_diag *mig_note(struct mig *m, enum c2s_rule_index rule, int kind, const struct mig_text *t,
			  uint32_t start, uint32_t end, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	struct c2s_diag *dg = vnote(m, rule, kind, t, start, end, fmt, ap);
	va_end(ap);
	return dg;
}

struct c2s_diag *mig_note_at(struct mig *m, enum c2s_rule_index rule, int kind, const struct mig_text *t,
			     const struct c2s_node *n, const char *fmt, ...)
{
	uint32_t end = c2s_is_scalar(n) ? c2s_node_end(&t->doc, n) : n->start + 1;
	uint32_t eol = c2s_ed_next_line(&t->src, n->start);
	if (end > eol)
		end = eol;
	while (end > n->start + 1 && (t->src.data[end - 1] == '\n' || t->src.data[end - 1] == '\r'))
		end--;
	va_list ap;
	va_start(ap, fmt);
	struct c2s_diag *dg = vnote(m, rule, kind, t, n->start, end, fmt, ap);
	va_end(ap);
	return dg;
}

void mig_hint(struct mig *m, struct c2s_diag *dg, const char *fmt, ...)
{
	if (!dg)
		return;
	char buf[2048];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	c2s_diag_hint(&m->diags, dg, "%s", buf);
}

void mig_trouble(struct mig *m, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fputs("compose2swarm: ", m->err);
	vfprintf(m->err, fmt, ap);
	fputc('\n', m->err);
	va_end(ap);
	m->trouble = 1;
}

struct c2s_source *mig_read(struct mig *m, const char *path, const char *name)
{
	if (m->nsources >= C2S_MIGRATE_MAX_FILES) {
		mig_trouble(m, "%s: more than %u files in one project (C2S_MIGRATE_MAX_FILES)", path,
			    (unsigned)C2S_MIGRATE_MAX_FILES);
		return NULL;
	}
	struct c2s_source *src = calloc(1, sizeof *src);
	struct c2s_source **v = realloc(m->sources, (m->nsources + 1) * sizeof *v);
	if (!src || !v) {
		free(src);
		if (v)
			m->sources = v;
		m->nomem = 1;
		return NULL;
	}
	m->sources = v;
	int e = 0;
	/* reports name a file as the user would: relative to the current directory */
	char cwd[PATH_MAX];
	size_t cl;
	if (!name && path[0] == '/' && getcwd(cwd, sizeof cwd) && (cl = strlen(cwd)) > 1 &&
	    strncmp(path, cwd, cl) == 0 && path[cl] == '/')
		name = path + cl + 1;
	enum c2s_read_status st = c2s_source_read(src, path, name, &e);
	if (st != C2S_READ_OK) {
		/* source.c's words, as lint and convert give them (a stream's own limit too) */
		char msg[4200];
		c2s_source_read_message(msg, sizeof msg, path, st, e, C2S_MAX_FILE_BYTES, "compose file");
		mig_trouble(m, "%s", msg);
		free(src);
		return NULL;
	}
	src->rank = (uint32_t)m->nsources + 1;
	m->sources[m->nsources++] = src;
	return src;
}
