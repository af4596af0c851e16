/* diag.c -- the diagnostic list: adding, resolving positions, sorting, counting. */
#include "config.h"
#include "diag.h"
#include "ast.h"
#include "source.h"

#include <stdlib.h>
#include <string.h>

void c2s_diags_init(struct c2s_diags *l)
{
	memset(l, 0, sizeof *l);
	c2s_arena_init(&l->arena, 0);
}

void c2s_diags_free(struct c2s_diags *l)
{
	free(l->items);
	c2s_arena_free(&l->arena);
	memset(l, 0, sizeof *l);
}

/* fmt formatted into the arena: once into a stack buffer, which nearly every
 * message fits, then copied (a large file can have thousands of findings). */
static char *arena_vformat(struct c2s_arena *a, const char *fmt, va_list ap)
{
	char small[512];
	va_list copy;
	va_copy(copy, ap);
	int n = vsnprintf(small, sizeof small, fmt, copy);
	va_end(copy);
	if (n < 0)
		return NULL;
	if ((size_t)n < sizeof small)
		return c2s_arena_strndup(a, small, (size_t)n);
	char *p = c2s_arena_alloc(a, (size_t)n + 1);
	if (p)
		vsnprintf(p, (size_t)n + 1, fmt, ap);
	return p;
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
	if (l->n >= C2S_MAX_DIAGNOSTICS) {
		l->dropped++;
		return NULL;
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
	dg->severity = sev;
	if (src && src->nparts) {  /* a merged stack: report in the file that holds the span */
		uint32_t base = start;
		src = c2s_source_part_of(src, &base);
		base = start - base;
		start -= base;
		end = end >= base ? end - base : start;
		if (end > src->len)
			end = (uint32_t)src->len;
	}
	dg->span.src = src;
	dg->span.start = start;
	dg->span.end = end < start ? start : end;
	dg->seq = (uint32_t)l->n;
	char *msg = arena_vformat(&l->arena, fmt, ap);
	if (!msg) {
		l->nomem = 1;
		return NULL;
	}
	dg->message = msg;
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
	char small[512];
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(small, sizeof small, fmt, ap);
	va_end(ap);
	char *h;
	if (n >= 0 && (size_t)n < sizeof small) {
		if (l->last_hint && strcmp(small, l->last_hint) == 0) {
			dg->hint = l->last_hint;
			return;
		}
		h = c2s_arena_strndup(&l->arena, small, (size_t)n);
	} else {
		va_start(ap, fmt);
		h = arena_vformat(&l->arena, fmt, ap);
		va_end(ap);
	}
	if (!h) {
		l->nomem = 1;
		return;
	}
	dg->hint = h;
	l->last_hint = h;
}

void c2s_diag_related(struct c2s_diags *l, struct c2s_diag *dg, struct c2s_source *src,
		      uint32_t start, uint32_t end, const char *fmt, ...)
{
	if (!dg)
		return;
	struct c2s_related *rel = c2s_arena_alloc(&l->arena, (dg->nrelated + 1) * sizeof *rel);
	va_list ap;
	va_start(ap, fmt);
	char *msg = rel ? arena_vformat(&l->arena, fmt, ap) : NULL;
	va_end(ap);
	if (!msg) {
		l->nomem = 1;
		return;
	}
	if (dg->nrelated)
		memcpy(rel, dg->related, dg->nrelated * sizeof *rel);
	if (src && src->nparts) {
		uint32_t inner = start;
		src = c2s_source_part_of(src, &inner);
		end = end >= start - inner ? end - (start - inner) : inner;
		start = inner;
	}
	rel[dg->nrelated].span.src = src;
	rel[dg->nrelated].span.start = start;
	rel[dg->nrelated].span.end = end < start ? start : end;
	rel[dg->nrelated].message = msg;
	dg->related = rel;
	dg->nrelated++;
}

static void resolve_span(struct c2s_span *s)
{
	if (!s->src) {
		s->line = s->column = s->end_line = s->end_column = 0;
		return;
	}
	c2s_source_locate(s->src, s->start, &s->line, &s->column);
	c2s_source_locate(s->src, s->end, &s->end_line, &s->end_column);
}

/* By file (in the order the files were read), then position, then reporting order. */
static int diag_cmp(const void *a, const void *b)
{
	const struct c2s_diag *x = a, *y = b;
	uint32_t rx = x->span.src ? x->span.src->rank : 0, ry = y->span.src ? y->span.src->rank : 0;
	if (rx != ry)
		return rx < ry ? -1 : 1;
	if (x->span.line != y->span.line)
		return x->span.line < y->span.line ? -1 : 1;
	if (x->span.column != y->span.column)
		return x->span.column < y->span.column ? -1 : 1;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

void c2s_diags_resolve(struct c2s_diags *l)
{
	for (size_t i = 0; i < l->n; i++) {
		resolve_span(&l->items[i].span);
		for (uint32_t j = 0; j < l->items[i].nrelated; j++)
			resolve_span(&l->items[i].related[j].span);
	}
	if (l->n > 1)
		qsort(l->items, l->n, sizeof *l->items, diag_cmp);
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
