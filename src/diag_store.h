/* diag_store.h -- the diagnostic list's memory machinery (diag_store.c), used only by diag.c. */
#ifndef C2S_DIAG_STORE_H
#define C2S_DIAG_STORE_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include "arena.h"

struct c2s_diag;
struct c2s_rule;

/* Texts (messages, hints) longer than this are formatted straight into the arena,
 * each its own copy; shorter ones are kept once however often they are reported. */
#define C2S_DIAG_TEXT_SMALL 512

/* Messages and hints kept once each, and the formats of deferred messages. A
 * 10 MB file has 13,000 findings and 6,000 distinct messages; lint keeps a
 * message as its format and the text of each conversion (a few bytes a
 * finding instead of its sentence), written out at the report. */
struct c2s_diag_texts {
	const char **texts;            /* open addressing */
	uint32_t ntexts, cap_texts;
	const char *last_fixed_fmt, *last_fixed; /* a fixed message (no %) and its kept copy */
	const char **fmts;             /* formats of deferred messages (index: 16 bits) */
	uint32_t nfmts, cap_fmts;
	uint32_t *fmt_slots;           /* pointer hash -> 1 + index into fmts */
	uint32_t cap_fmt_slots;
};

/* The arena's copy of s[0..n) (no NUL inside), made once per distinct text. */
const char *c2s_diag_text_intern(struct c2s_diag_texts *tx, struct c2s_arena *a, const char *s, size_t n);
/* fmt formatted, kept once per distinct text; NULL when out of memory. */
const char *c2s_diag_text_vformat(struct c2s_diag_texts *tx, struct c2s_arena *a, const char *fmt, va_list ap);
/* fmt with ap kept as a deferred record (it reads as ""); NULL when it cannot
 * be (the caller then formats it now). ap is consumed. fmt must live as long
 * as t (a string literal). */
const char *c2s_diag_text_defer(struct c2s_diag_texts *tx, struct c2s_arena *a, const char *fmt, va_list *ap);
/* The sentence of a deferred record into out (C2S_DIAG_TEXT_SMALL bytes); its length. */
size_t c2s_diag_text_undefer(const struct c2s_diag_texts *tx, const char *record, char *out);
void c2s_diag_texts_free(struct c2s_diag_texts *tx);

/* The repeat table: (rule, span) of the items from `from` on, to drop a repeat
 * as it comes. A slot holds 1 + an item's index - from: 16 bits while a pass
 * has fewer than 65,535 items, else 32. */
struct c2s_diag_repeats {
	void *slots;
	uint32_t cap, n;
	int wide;                      /* slots holds uint32_t (else uint16_t) */
	size_t from;
};

/* The slot of (r, start, end) among items [from, n): holding 1 + its index
 * when it is there (*found), else the empty slot to fill. UINT32_MAX when out
 * of memory (then nothing is dropped). */
uint32_t c2s_diag_repeats_slot(struct c2s_diag_repeats *rp, const struct c2s_diag *items, size_t n,
			       const struct c2s_rule *r, uint32_t start, uint32_t end, int *found);
/* Fill slot h (from c2s_diag_repeats_slot) with item from + v - 1. */
void c2s_diag_repeats_put(struct c2s_diag_repeats *rp, uint32_t h, uint32_t v);
/* Empty, counting items from `from` on; keep: keep the table's memory. */
void c2s_diag_repeats_reset(struct c2s_diag_repeats *rp, size_t from, int keep);
/* Forget items past n (a rollback): the table rebuilt; -1 (and no table) when out of memory. */
int c2s_diag_repeats_rebuild(struct c2s_diag_repeats *rp, const struct c2s_diag *items, size_t n);
void c2s_diag_repeats_free(struct c2s_diag_repeats *rp);

#endif
