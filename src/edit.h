/* fix.h -- --fix and --diff: byte deletions on a source, applied (through outfile.h) or shown as a diff. */
#ifndef C2S_FIX_H
#define C2S_FIX_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"

/* Delete bytes [start, end). Fixes delete whole lines, so edits start at a
 * line start and end after a line break (or at the end of the file). */
struct c2s_edit {
	uint32_t start, end;
};

/* Sort edits by start and drop those that overlap an earlier one; returns the count kept. */
size_t c2s_edits_normalize(struct c2s_edit *e, size_t n);
/* data with the (normalized) edits applied, appended to out. 0, or -1 when out failed. */
int c2s_fix_apply(const char *data, size_t len, const struct c2s_edit *e, size_t n, struct c2s_buf *out);
/* A unified diff (3 lines of context) of the edits, "--- a/NAME" / "+++ b/NAME". */
int c2s_fix_diff(const char *name, const char *data, size_t len, const struct c2s_edit *e, size_t n,
		 struct c2s_buf *out);

#endif
