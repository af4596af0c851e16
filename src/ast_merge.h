/* ast_merge.h -- several files' ASTs folded into one stack, positions kept per file. */
#ifndef C2S_AST_MERGE_H
#define C2S_AST_MERGE_H

#include "ast.h"

/* A source made of the files' bytes one after another (out->parts says where
 * each starts); its path and name are the first file's. */
int c2s_source_composite(struct c2s_source *out, struct c2s_source *const *srcs, size_t n);
void c2s_source_composite_free(struct c2s_source *s);

/* Fold docs (loaded from composite's parts, in order) into out, over composite.
 * Every doc's root must be a mapping or 0. Free out with c2s_doc_free. */
int c2s_doc_merge(struct c2s_doc *out, struct c2s_source *composite, struct c2s_doc *const *docs, size_t n);

#endif
