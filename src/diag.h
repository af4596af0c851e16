/* diag.h -- diagnostics as data: one struct, collected in a list, sorted, formatted elsewhere. */
#ifndef C2S_DIAG_H
#define C2S_DIAG_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include "arena.h"
#include "compose2swarm.h"
#include "diag_store.h"
#include "rules.h"

struct c2s_source;
struct c2s_doc;
struct c2s_node;

/* A span in a source: byte offsets, resolved to 1-based lines and columns
 * (code points) by c2s_diags_resolve. end_* point just past the span. */
struct c2s_span {
	struct c2s_source *src; /* NULL: the diagnostic is about no file position */
	uint32_t start, end;
	uint32_t line, column, end_line, end_column;
};

/* Where a diagnostic is, before it is resolved (c2s_diags_span gives the
 * resolved c2s_span): lines and columns are worked out only at the report. */
struct c2s_diag_span {
	uint32_t src;           /* index in the list's sources (c2s_diag_src); 0: no file position */
	uint32_t start, end;
};

struct c2s_related {
	struct c2s_span span;
	const char *message;
};

/* 32 bytes: a large file can have 15,000 of them, all held until the report,
 * next to its tree. Related positions and fixes, which few have, are kept
 * aside by seq (c2s_diag_related_list, c2s_diag_fix_of); the source, the hint
 * and the rule are indices (c2s_diag_src, c2s_diag_hint_of, c2s_diag_rule). */
struct c2s_diag {
	const char *message;
	struct c2s_diag_span span;
	uint32_t seq;                  /* order of reporting, for a stable sort; unique in a list */
	uint32_t hint;                 /* 0: none */
	uint16_t nrelated;             /* at most C2S_DIAG_MAX_RELATED */
	uint8_t rule_index;            /* enum c2s_rule_index: c2s_diag_rule gives the rule */
	unsigned severity : 4;         /* enum c2s_severity, after overrides */
	unsigned deferred : 1;         /* message is not written yet (c2s_diags.defer_messages):
					  it reads "" until c2s_diags_resolve */
};

/* id, name, tier, fixable: from rules.def */
static inline const struct c2s_rule *c2s_diag_rule(const struct c2s_diag *d)
{
	return &c2s_rules[d->rule_index];
}

/* A diagnostic's lines and columns (c2s_diags_resolve). */
struct c2s_diag_pos {
	uint32_t line, column, end_line, end_column;
};

/* A related position of the diagnostic with this seq (one entry each, in the
 * order they were added): 24 bytes until the report resolves it. */
struct c2s_diag_rel {
	uint32_t seq;
	uint32_t start, end;
	uint32_t src;           /* index in the list's sources, as c2s_diag_span's */
	const char *message;
};

/* --fix for the diagnostic with this seq: delete these bytes of its span's source. */
struct c2s_diag_fixrec {
	uint32_t seq, start, end;
};

/* Related positions one diagnostic keeps (more are not recorded). */
#define C2S_DIAG_MAX_RELATED UINT16_MAX

/* The list. Callers go through the functions below: add (c2s_diag_add and
 * the hint, related and fix calls), mark and roll back, iterate
 * (c2s_diags_len, c2s_diags_item), resolve and count; they never write a field.
 * The memory machinery (texts kept once, deferred messages, the repeat table)
 * is diag_store.c's. */
struct c2s_diags {
	struct c2s_diag *items;        /* items[0..n): read them through c2s_diags_item */
	size_t n, cap;
	size_t dropped;                /* past C2S_MAX_DIAGNOSTICS: counted only */
	struct c2s_arena arena;        /* messages, hints, related lists */
	const char *last_hint;         /* the hint added last: a rule repeats its hint, kept once */
	struct c2s_diag_texts texts;   /* messages and hints kept once, deferred formats */
	int defer_messages;            /* c2s_diags_configure */
	int dedupe;                    /* c2s_diags_dedupe: drop a repeat (same rule and span) */
	size_t deduped;                /* repeats dropped since c2s_diags_dedupe */
	struct c2s_diag_repeats repeats;
	int dedupe_missed;             /* out of memory: a repeat may have been kept */
	const enum c2s_severity *severity; /* per rule index; NONE = disabled; NULL = defaults */
	int limit_hit;                 /* a resource limit diagnostic was added: exit 2 */
	int nomem;
	uint32_t nseq;                 /* the next seq (repeats dropped count too) */
	struct c2s_diag_rel *rels;     /* sorted by seq */
	uint32_t nrels, cap_rels;
	struct c2s_related *rels_resolved; /* after c2s_diags_resolve: rels[i] with lines and columns */
	struct c2s_source **srcs;      /* the sources diagnostics are in ([0]: none) */
	uint32_t nsrcs, cap_srcs;
	const char **hints;            /* the hints ([0]: none), each once */
	uint32_t nhints, cap_hints;
	uint32_t *hint_slots;          /* pointer hash -> index into hints */
	uint32_t cap_hint_slots;
	struct c2s_diag_fixrec *fixes; /* sorted by seq */
	uint32_t nfixes, cap_fixes;
	struct c2s_diag_pos *pos;      /* after c2s_diags_resolve: items[i]'s lines and columns */
};

void c2s_diags_init(struct c2s_diags *l);
void c2s_diags_free(struct c2s_diags *l);
/* severity: per rule index (NONE = disabled; NULL = each rule's default), to
 * live as long as the list. defer: keep a message as its format and the text
 * of each conversion, written out by c2s_diags_resolve (lint: a few bytes a
 * finding instead of its sentence); every format must then live as long as
 * the list (a string literal). */
void c2s_diags_configure(struct c2s_diags *l, const enum c2s_severity *severity, int defer);

/* Iterating: items 0 .. c2s_diags_len - 1, in the order added (after
 * c2s_diags_resolve: by file and position). */
static inline size_t c2s_diags_len(const struct c2s_diags *l)
{
	return l->n;
}
static inline struct c2s_diag *c2s_diags_item(const struct c2s_diags *l, size_t i)
{
	return &l->items[i];
}
/* Remove items [first, len) whose drop[i - first] is set, keeping the order. */
void c2s_diags_remove(struct c2s_diags *l, size_t first, const unsigned char *drop);
/* dg's message is prefixed with fmt's text (docker wrapping an error:
 * "service NAME: ..."). */
void c2s_diag_prefix(struct c2s_diags *l, struct c2s_diag *dg, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* 1 when the configuration (c2s_diags_configure) turned rule off. */
static inline int c2s_diags_configured_off(const struct c2s_diags *l, enum c2s_rule_index rule)
{
	return l->severity && l->severity[rule] == C2S_SEVERITY_NONE;
}
/* Memory ran out (the run ends with trouble, exit 2): set and asked. */
static inline void c2s_diags_out_of_memory(struct c2s_diags *l)
{
	l->nomem = 1;
}
static inline int c2s_diags_nomem(const struct c2s_diags *l)
{
	return l->nomem;
}
/* A resource limit was hit (exit 2): set and asked. */
static inline void c2s_diags_hit_limit(struct c2s_diags *l)
{
	l->limit_hit = 1;
}
static inline int c2s_diags_limit_hit(const struct c2s_diags *l)
{
	return l->limit_hit;
}
/* Diagnostics not kept past C2S_MAX_DIAGNOSTICS. */
static inline size_t c2s_diags_dropped(const struct c2s_diags *l)
{
	return l->dropped;
}
/* 1 when a repeat may have been kept since c2s_diags_dedupe (memory ran out for the table). */
static inline int c2s_diags_dedupe_missed(const struct c2s_diags *l)
{
	return l->dedupe_missed;
}

/* Add a diagnostic for rule at [start, end) of src. Returns it (to attach a
 * hint or related positions) or NULL if the rule is disabled or the list full. */
struct c2s_diag *c2s_diag_add(struct c2s_diags *l, enum c2s_rule_index rule,
			      struct c2s_source *src, uint32_t start, uint32_t end,
			      const char *fmt, ...) __attribute__((format(printf, 6, 7)));
struct c2s_diag *c2s_diag_vadd(struct c2s_diags *l, enum c2s_rule_index rule,
			       struct c2s_source *src, uint32_t start, uint32_t end,
			       const char *fmt, va_list ap);
/* The same at a node's span. */
struct c2s_diag *c2s_diag_at(struct c2s_diags *l, enum c2s_rule_index rule,
			     const struct c2s_doc *d, const struct c2s_node *n,
			     const char *fmt, ...) __attribute__((format(printf, 5, 6)));
void c2s_diag_hint(struct c2s_diags *l, struct c2s_diag *dg, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
void c2s_diag_related(struct c2s_diags *l, struct c2s_diag *dg, struct c2s_source *src,
		      uint32_t start, uint32_t end, const char *fmt, ...)
	__attribute__((format(printf, 6, 7)));

/* The fix of a diagnostic (--fix deletes [start, end) of its span's source). */
void c2s_diag_fix(struct c2s_diags *l, struct c2s_diag *dg, uint32_t start, uint32_t end);
/* 1 and the bytes when dg has a fix, else 0. */
int c2s_diag_fix_of(const struct c2s_diags *l, const struct c2s_diag *dg, uint32_t *start, uint32_t *end);
/* The dg->nrelated related positions of dg (NULL when none). */
const struct c2s_related *c2s_diag_related_list(const struct c2s_diags *l, const struct c2s_diag *dg);
/* The source of d's span (NULL: none) and its hint (NULL: none). */
static inline struct c2s_source *c2s_diag_src(const struct c2s_diags *l, const struct c2s_diag *d)
{
	return d->span.src ? l->srcs[d->span.src] : NULL;
}
static inline const char *c2s_diag_hint_of(const struct c2s_diags *l, const struct c2s_diag *d)
{
	return d->hint ? l->hints[d->hint] : NULL;
}
/* items[i]'s span with its lines and columns (0 before c2s_diags_resolve). */
struct c2s_span c2s_diags_span(const struct c2s_diags *l, size_t i);

/* on: from now on, a diagnostic with the rule and span of one added since is
 * not added (c2s_diag_add returns NULL; it still counts toward
 * C2S_MAX_DIAGNOSTICS, as a repeat dropped afterwards did). off: stop. */
void c2s_diags_dedupe(struct c2s_diags *l, int on);
/* A point in the list to come back to: what c2s_diags_rollback needs to forget
 * every diagnostic added after it (the loader reads a file again with libyaml
 * when its fast scanner gives up half way). */
struct c2s_diags_mark {
	size_t n, dropped, deduped;
	const char *last_hint;
	int limit_hit;
};
struct c2s_diags_mark c2s_diags_mark(const struct c2s_diags *l);
void c2s_diags_rollback(struct c2s_diags *l, const struct c2s_diags_mark *m);
/* Write out the messages kept deferred (defer_messages); c2s_diags_resolve does. */
void c2s_diags_write_messages(struct c2s_diags *l);
/* Write out deferred messages, fill in lines and columns, then sort by file (in order of first appearance),
 * position, and reporting order. */
void c2s_diags_resolve(struct c2s_diags *l);
/* Counts per severity. */
void c2s_diags_count(const struct c2s_diags *l, size_t *errors, size_t *warnings, size_t *infos);
/* The highest severity present (NONE when empty). */
enum c2s_severity c2s_diags_max(const struct c2s_diags *l);

#endif
