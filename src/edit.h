/* edit.h -- the comment-keeping editor of lint --fix and migrate: where an entry, an item or a
 * block stands in a loaded YAML text, and span edits on that text, applied or shown as a diff. */
#ifndef C2S_EDIT_H
#define C2S_EDIT_H

#include <stddef.h>
#include <stdint.h>

#include "ast.h"
#include "buf.h"

/* ---- where things stand in a text (s: the bytes a document was loaded from) ---- */

uint32_t c2s_ed_line_start(const struct c2s_source *s, uint32_t off);
/* After the line break of the line off is on (or the text's end). */
uint32_t c2s_ed_next_line(const struct c2s_source *s, uint32_t off);
/* Only blanks between the line start and off? */
int c2s_ed_first_on_line(const struct c2s_source *s, uint32_t off);
uint32_t c2s_ed_col(const struct c2s_source *s, uint32_t off);
/* The end of the block a key (or a "- " item) written at off, first on its line, heads:
 * after the last line indented deeper (or a "- " item at its column), and the comments
 * among them. Comments at the key's own column belong to what follows. */
uint32_t c2s_ed_block_end(const struct c2s_source *s, uint32_t off);
/* The whole lines of mapping entry key: value, which removing the entry removes: from
 * its line start to the end of its block (c2s_ed_block_end), and past the value's last
 * line and the comment on it when the value reaches further (trailing blank lines of a
 * |+ scalar). 0, or -1 when the entry does not stand on lines of its own: the key is not
 * first on its line ("- key:", a flow mapping), or more than a comment follows the value
 * on its line. value may be NULL (only the key's block counts). */
int c2s_ed_entry_lines(const struct c2s_doc *d, const struct c2s_node *key, const struct c2s_node *value,
		       uint32_t *a, uint32_t *b);
/* The '-' of block sequence item it, first on its line, or UINT32_MAX. Its lines are
 * [c2s_ed_line_start(dash), c2s_ed_block_end(dash)). */
uint32_t c2s_ed_item_dash(const struct c2s_source *s, const struct c2s_node *it);
/* Where a value written anew in place of node n goes: [n->start, *end), its line
 * break (a block scalar's last) left in place. */
uint32_t c2s_ed_value_end(const struct c2s_doc *d, const struct c2s_node *n);
/* The indentation one nesting level adds in the document (2 when nothing says otherwise). */
uint32_t c2s_ed_indent_step(const struct c2s_doc *d);
/* The column a block mapping's own keys start at, or -1 (not a block mapping with own keys). */
int c2s_ed_map_col(const struct c2s_doc *d, const struct c2s_node *map);
/* Where keys added at the end of a block mapping go: the end of its last own entry's
 * block (0 when it has none). */
uint32_t c2s_ed_map_end(const struct c2s_doc *d, const struct c2s_node *map);

/* ---- edits ---- */

/* Replace [start, end) of a text with text[0..len) (a deletion when len is 0, an
 * insertion when start == end). */
struct c2s_edit {
	uint32_t start, end;
	uint32_t seq;           /* the order edits were made in: a caller's index for what it writes */
	uint32_t withdrawn;     /* the caller wrote it as part of a larger edit: not applied */
	const char *text;
	size_t len;
};
/* The most edits one text takes: more than a text under C2S_MAX_FILE_BYTES
 * could need from --fix (one per finding, C2S_MAX_DIAGNOSTICS) or migrate (a
 * few per node). Past it c2s_edits_add fails as when out of memory. */
#define C2S_MAX_EDITS (1u << 22)

struct c2s_edits {
	struct c2s_edit *v;
	size_t n, cap;
	int failed;             /* out of memory, or past C2S_MAX_EDITS */
};

void c2s_edits_init(struct c2s_edits *e);
void c2s_edits_free(struct c2s_edits *e);
/* A new deletion of [start, end) (end below start: an insertion at start); set text and
 * len for a replacement. NULL when out of memory or past C2S_MAX_EDITS (e->failed). */
struct c2s_edit *c2s_edits_add(struct c2s_edits *e, uint32_t start, uint32_t end);
/* Put the edits of a text of len bytes in the order they apply: by place, insertions
 * before what starts there, then as made. Withdrawn edits go; an edit identical to the
 * one before it (same span, same text: one change reached twice, through an anchor)
 * counts once; deletions that overlap become one. 0, or -1 when two other edits overlap
 * or an edit lies past the text: *conflict is where (a bug of the caller). */
int c2s_edits_prepare(struct c2s_edits *e, size_t len, uint32_t *conflict);
/* data with the (prepared) edits applied, appended to out. 0, or -1 when out failed. */
int c2s_edits_apply(const struct c2s_edits *e, const char *data, size_t len, struct c2s_buf *out);
/* A unified diff (3 lines of context), "--- a/NAME" / "+++ b/NAME", of (prepared)
 * deletions of whole lines, the edits lint's fixes make. -1 when out failed or an
 * edit is not such a deletion. */
int c2s_edits_diff(const struct c2s_edits *e, const char *name, const char *data, size_t len, struct c2s_buf *out);

#endif
