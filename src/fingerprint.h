/* fingerprint.h -- what a code-scanning service matches a finding by from one run to the next. */
#ifndef C2S_FINGERPRINT_H
#define C2S_FINGERPRINT_H

#include "diag.h"

/* Enclosing keys a fingerprint's path holds (deeper ones are left out). */
#define C2S_FINGERPRINT_MAX_PATH 64
/* Bytes of a finding's source text a fingerprint reads. */
#define C2S_FINGERPRINT_MAX_TEXT 256

/* 16 hex digits and a NUL. */
typedef char c2s_fingerprint_hex[17];

/* A fingerprint for each item of l (resolved and sorted, c2s_diags_resolve):
 * a hash of the rule, the file, the finding's key path (its enclosing
 * mapping keys, "-" for a sequence item), its source text and its message
 * with numbers blanked, and how many earlier items had all of these equal.
 * Not the line: adding lines above a finding leaves its fingerprint as it was.
 * Returns a malloc'd array of l->n, or NULL when out of memory (or l is empty). */
c2s_fingerprint_hex *c2s_fingerprints(const struct c2s_diags *l);

#endif
