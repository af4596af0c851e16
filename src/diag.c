/* diag.c -- the diagnostic list: adding, marking and rolling back, resolving positions, sorting, counting. */
#include "config.h"
#include "diag.h"
#include "diag_store.h"
#include "ast.h"
#include "source.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The sizes the peak-memory budget counts on (a 10 MB file: 13,000 findings). */
_Static_assert(sizeof(void *) != 8 || sizeof(struct c2s_diag) == 32, "a diagnostic record is 32 bytes");
_Static_assert(C2S_RULE_COUNT <= 256, "a diagnostic keeps its rule as a byte (c2s_diag.rule_index)");
_Static_assert(sizeof(void *) != 8 || sizeof(struct c2s_diag_rel) == 24, "a related position is 24 bytes");

void c2s_diags_init(struct c2s_diags *l)
{
	memset(l, 0, sizeof *l);
	c2s_arena_init(&l->arena, 0);
}

void c2s_diags_free(struct c2s_diags *l)
{
	free(l->items);
	c2s_diag_texts_free(&l->texts);
	c2s_diag_repeats_free(&l->repeats);
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

void c2s_diags_configure(struct c2s_diags *l, const enum c2s_severity *severity, int defer)
{
	l->severity = severity;
	l->defer_messages = defer;
}

void c2s_diags_remove(struct c2s_diags *l, size_t first, const unsigned char *drop)
{
	size_t k = first;
	for (size_t i = first; i < l->n; i++)
		if (!drop[i - first])
			l->items[k++] = l->items[i];
	l->n = k;
}

void c2s_diag_prefix(struct c2s_diags *l, struct c2s_diag *dg, const char *fmt, ...)
{
	char text[C2S_DIAG_TEXT_SMALL];
	const char *m = dg->message;
	if (dg->deferred) {
		c2s_diag_text_undefer(&l->texts, m, text);
		m = text;
	}
	va_list ap;
	va_start(ap, fmt);
	int hn = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	size_t mn = strlen(m);
	char *msg = hn < 0 ? NULL : c2s_arena_alloc(&l->arena, (size_t)hn + mn + 1);
	if (!msg) {
		l->nomem = 1;
		return;
	}
	va_start(ap, fmt);
	vsnprintf(msg, (size_t)hn + 1, fmt, ap);
	va_end(ap);
	memcpy(msg + hn, m, mn + 1);
	dg->message = msg;
	dg->deferred = 0;
}

void c2s_diags_write_messages(struct c2s_diags *l)
{
	char text[C2S_DIAG_TEXT_SMALL];
	for (size_t i = 0; i < l->n; i++) {
		struct c2s_diag *d = &l->items[i];
		if (!d->deferred)
			continue;
		size_t n = c2s_diag_text_undefer(&l->texts, d->message, text);
		const char *m = c2s_arena_strndup(&l->arena, text, n);
		if (!m) {
			l->nomem = 1;
			m = "";
		}
		d->message = m;
		d->deferred = 0;
	}
}

void c2s_diags_dedupe(struct c2s_diags *l, int on)
{
	l->dedupe = on;
	l->deduped = 0;
	l->dedupe_missed = 0;
	c2s_diag_repeats_reset(&l->repeats, l->n, on);
}

struct c2s_diags_mark c2s_diags_mark(const struct c2s_diags *l)
{
	struct c2s_diags_mark m = {l->n, l->dropped, l->deduped, l->last_hint, l->limit_hit};
	return m;
}

void c2s_diags_rollback(struct c2s_diags *l, const struct c2s_diags_mark *m)
{
	if (m->n > l->n)
		return;  /* items were removed since: not a point of this list any more */
	int shrunk = m->n < l->n;
	l->n = m->n;
	l->dropped = m->dropped;
	l->deduped = m->deduped;
	l->last_hint = m->last_hint;
	l->limit_hit = m->limit_hit;
	/* The repeat table must not remember what is gone: rebuild it. Messages
	 * and hints kept once stay (texts no item uses cost a few bytes). */
	if (shrunk && c2s_diag_repeats_rebuild(&l->repeats, l->items, l->n) != 0)
		l->dedupe_missed = 1;  /* no table: repeats are kept from here (lint drops them after) */
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
		slot = c2s_diag_repeats_slot(&l->repeats, l->items, l->n, r, start, end, &found);
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
	dg->rule_index = (uint8_t)(r - c2s_rules);
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
		msg = c2s_diag_text_defer(&l->texts, &l->arena, fmt, &copy);
		va_end(copy);
		dg->deferred = msg != NULL;
	}
	if (!msg)
		msg = c2s_diag_text_vformat(&l->texts, &l->arena, fmt, ap);
	if (!msg) {
		l->nomem = 1;
		return NULL;
	}
	dg->message = msg;
	if (slot != UINT32_MAX) {
		c2s_diag_repeats_put(&l->repeats, slot, (uint32_t)(l->n - l->repeats.from) + 1);
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
	char small[C2S_DIAG_TEXT_SMALL];
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
		h = c2s_diag_text_intern(&l->texts, &l->arena, small, (size_t)n);
	} else {
		va_start(ap, fmt);
		h = c2s_diag_text_vformat(&l->texts, &l->arena, fmt, ap);
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
	const char *msg = c2s_diag_text_vformat(&l->texts, &l->arena, fmt, ap);
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
	uint32_t si = src_index(l, src);
	if (si == UINT32_MAX) {
		l->nomem = 1;
		return;
	}
	uint32_t at = rel_find(l, dg->seq, 1);
	memmove(l->rels + at + 1, l->rels + at, (size_t)(l->nrels - at) * sizeof *l->rels);
	l->rels[at] = (struct c2s_diag_rel){dg->seq, start, end < start ? start : end, si, msg};
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

/* s's lines and columns; t: the table of its source's line starts
 * (c2s_source_line_table: the source has no \r) or NULL. */
static void resolve_span(struct c2s_span *s, const struct c2s_line_table *t)
{
	if (!s->src) {
		s->line = s->column = s->end_line = s->end_column = 0;
		return;
	}
	const struct c2s_source *src = s->src;
	if (t)
		c2s_source_locate_in(src, t, s->start, &s->line, &s->column);
	else
		c2s_source_locate(s->src, s->start, &s->line, &s->column);
	/* an end on the start's line (nearly every span): count on from the start;
	 * with the table, no \n in [start, end) is an end before the next line starts */
	if (s->start >= src->bom && s->start <= s->end && s->end <= src->len &&
	    (t ? s->line >= t->n || s->end < t->starts[s->line]
	       : !memchr(src->data + s->start, '\n', s->end - s->start) &&
			 !memchr(src->data + s->start, '\r', s->end - s->start))) {
		s->end_line = s->line;
		s->end_column = s->column + (uint32_t)(src->ascii ? s->end - s->start
					: c2s_utf8_count(src->data + s->start, s->end - s->start));
		return;
	}
	if (t)
		c2s_source_locate_in(src, t, s->end, &s->end_line, &s->end_column);
	else
		c2s_source_locate(s->src, s->end, &s->end_line, &s->end_column);
}

/* Findings from one source, this many or more, get its table of line starts. */
#define RESOLVE_TABLE_MIN 1024

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

static struct c2s_source *rel_src(const struct c2s_diags *l, uint32_t k)
{
	return l->rels[k].src ? l->srcs[l->rels[k].src] : NULL;
}

void c2s_diags_resolve(struct c2s_diags *l)
{
	c2s_diags_write_messages(l);
	/* many findings, all in one source (one file linted): look them up in a table
	 * of its lines, made for this (after the documents are freed: not at the peak) */
	const struct c2s_source *one = l->n ? c2s_diag_src(l, &l->items[0]) : NULL;
	for (size_t i = 1; one && i < l->n; i++)
		if (c2s_diag_src(l, &l->items[i]) != one)
			one = NULL;
	for (uint32_t k = 0; one && k < l->nrels; k++)
		if (rel_src(l, k) != one)
			one = NULL;
	struct c2s_line_table lt = {0};  /* freed on every way out: nothing when not made */
	const struct c2s_line_table *table =
		one && l->n >= RESOLVE_TABLE_MIN && c2s_source_line_table(one, &lt) == 0 ? &lt : NULL;
	free(l->rels_resolved);
	l->rels_resolved = l->nrels ? malloc(l->nrels * sizeof *l->rels_resolved) : NULL;
	if (l->nrels && !l->rels_resolved)
		l->nomem = 1;
	for (uint32_t k = 0; l->rels_resolved && k < l->nrels; k++) {
		struct c2s_related *r = &l->rels_resolved[k];
		r->span = (struct c2s_span){rel_src(l, k), l->rels[k].start, l->rels[k].end, 0, 0, 0, 0};
		r->message = l->rels[k].message;
		resolve_span(&r->span, table);
	}
	/* lines and columns now: the trees are gone and the list is final */
	free(l->pos);
	l->pos = NULL;
	if (!l->n) {
		c2s_source_line_table_free(&lt);
		return;
	}
	struct c2s_diag_pos *pos = malloc(l->n * sizeof *pos);
	struct placed *t = malloc(l->n * sizeof *t);
	if (!pos || !t) {
		free(pos);
		free(t);
		c2s_source_line_table_free(&lt);
		l->nomem = 1;
		return;
	}
	for (size_t i = 0; i < l->n; i++) {
		struct c2s_span s = {c2s_diag_src(l, &l->items[i]), l->items[i].span.start, l->items[i].span.end,
				     0, 0, 0, 0};
		resolve_span(&s, table);
		t[i].rank = s.src ? s.src->rank : 0;
		t[i].d = l->items[i];
		t[i].p = (struct c2s_diag_pos){s.line, s.column, s.end_line, s.end_column};
	}
	c2s_source_line_table_free(&lt);
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
