/* pragma.h -- inline pragmas: `# compose2swarm ignore=ID[,ID] -- reason` for a line,
 * `# compose2swarm ignore-file=ID[,ID] -- reason` for the whole file. */
#ifndef C2S_PRAGMA_H
#define C2S_PRAGMA_H

#include <stddef.h>
#include <stdint.h>

#include "source.h"

/* Rule ids one pragma may name. */
#define C2S_PRAGMA_MAX_IDS 16
/* Pragmas kept per file; more are ignored. */
#define C2S_PRAGMA_MAX 65536u

struct c2s_pragma_id {
	uint32_t start, end; /* byte offsets of the id in the source */
	int rule;            /* rule index, -1 when no rule has this id or name */
};

struct c2s_pragma {
	uint32_t start, end;  /* the comment, from '#' to the end of its line */
	uint32_t line;        /* 1-based line of the comment */
	uint32_t target;      /* line it applies to: its own, or the next when alone on its line
				 (0 for ignore-file) */
	int whole_file;       /* ignore-file=: every line of the file */
	int has_reason;       /* a non-empty reason follows " -- " */
	int used;             /* suppressed at least one finding */
	uint32_t nids;
	struct c2s_pragma_id ids[C2S_PRAGMA_MAX_IDS];
};

/* Find every pragma in src (in order; so sorted by line and by target).
 * Returns the count, with *out a malloc'd array (NULL when none), or -1 out of memory. */
long c2s_pragmas_scan(struct c2s_source *src, struct c2s_pragma **out);

#endif
