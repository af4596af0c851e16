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
	free(l->texts);
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
	dg->severity = (uint8_t)sev;
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
	const char *msg = diag_vformat(l, fmt, ap);
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
			dg->hint = l->last_hint;
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
	dg->hint = h;
	l->last_hint = h;
}

void c2s_diag_related(struct c2s_diags *l, struct c2s_diag *dg, struct c2s_source *src,
		      uint32_t start, uint32_t end, const char *fmt, ...)
{
	if (!dg || dg->nrelated >= C2S_DIAG_MAX_RELATED)
		return;
	struct c2s_related *rel = c2s_arena_alloc(&l->arena, ((size_t)dg->nrelated + 1) * sizeof *rel);
	va_list ap;
	va_start(ap, fmt);
	const char *msg = rel ? diag_vformat(l, fmt, ap) : NULL;
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
