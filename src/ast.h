/* ast.h -- the YAML document as compact nodes with source positions. */
#ifndef C2S_AST_H
#define C2S_AST_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "arena.h"
#include "source.h"

struct c2s_diags;
struct c2s_svc_table;

enum c2s_kind {
	C2S_SCALAR = 0,
	C2S_MAPPING = 1,
	C2S_SEQUENCE = 2
};

enum c2s_style {
	/* scalars */
	C2S_STYLE_PLAIN = 0,
	C2S_STYLE_SINGLE = 1,
	C2S_STYLE_DOUBLE = 2,
	C2S_STYLE_LITERAL = 3,
	C2S_STYLE_FOLDED = 4,
	/* mappings and sequences */
	C2S_STYLE_BLOCK = 0,
	C2S_STYLE_FLOW = 1
};

enum c2s_node_flag {
	C2S_NODE_VERBATIM = 1u << 0, /* scalar value is the source text itself */
	C2S_NODE_SEGMENTED = 1u << 0, /* the same bit on a mapping: its pairs are in two runs (below) */
	C2S_NODE_ANCHOR = 1u << 1,   /* written with &anchor (see c2s_node_anchor) */
	C2S_NODE_TAG = 1u << 2,      /* written with a tag (see c2s_node_tag) */
	C2S_NODE_ALIAS = 1u << 3     /* reached through *alias or a << merge */
};

/*
 * 12 bytes per node: a 10,000-service file has ~800,000 of them and the
 * benchmark holds peak memory under twice the input size.
 *   start  byte offset of the node's first character in the source
 *   meta   kind:2 style:3 flags:4 n:23 (scalar: value bytes; mapping: pairs;
 *          sequence: items)
 *   ref    scalar: offset of the value, in the source when VERBATIM, else in
 *          the document's string pool (NUL-terminated, preceded by the
 *          source end offset); container: index of the first child
 * A mapping's children are 2n consecutive nodes (key, value, key, value...),
 * a sequence's n consecutive nodes. Index 0 is never a real node.
 * Aliases are copies of the anchored node: children are shared, never expanded.
 * A mapping that merges one mapping (<<: *a) with no '$' in it and overrides
 * none of its keys is SEGMENTED: ref names a link node (a sequence node whose
 * n is 1 + the mapping's own pairs, which follow it, and whose ref is where
 * the merged mapping's pairs are, shared by every mapping that merges it: a
 * 10,000-service file merging defaults into each service saves a copy per
 * service). Use c2s_map_key/c2s_map_value/c2s_map_runs, never ref + 2i.
 */
struct c2s_node {
	uint32_t start;
	uint32_t meta;
	uint32_t ref;
};

#define C2S_NODE_KIND(m) ((enum c2s_kind)((m)&3u))
#define C2S_NODE_STYLE(m) ((enum c2s_style)(((m) >> 2) & 7u))
#define C2S_NODE_FLAGS(m) (((m) >> 5) & 15u)
#define C2S_NODE_N(m) ((m) >> 9)
#define C2S_NODE_META(kind, style, flags, n) \
	((uint32_t)(kind) | ((uint32_t)(style) << 2) | ((uint32_t)(flags) << 5) | ((uint32_t)(n) << 9))
#define C2S_NODE_MAX_N ((1u << 23) - 1)

struct c2s_anchor_entry {
	uint32_t start;     /* node start offset */
	const char *name;   /* anchor name or tag */
};

struct c2s_doc {
	struct c2s_source *src;
	struct c2s_node *nodes;
	uint32_t nnodes, cap_nodes;
	char *pool;             /* unescaped scalar values that are not verbatim */
	uint32_t npool, cap_pool;
	uint32_t root;          /* 0: no document (empty input) */
	uint32_t ndocuments;    /* documents seen before loading stopped */
	struct c2s_anchor_entry *anchors, *tags; /* sorted by start */
	uint32_t nanchors, ntags, cap_anchors, cap_tags;
	uint64_t expanded;      /* nodes counting every alias expanded */
	struct c2s_arena arena; /* names, tags and other side data */
	uint32_t *interpolated; /* scalars rewritten by interpolation (node indices, sorted) */
	uint32_t ninterpolated, cap_interpolated;
	struct c2s_svc_table *svc_table; /* the services' keys (check.h c2s_svc_table), in arena;
					    NULL until lint makes it */
};

/* A string that may not be NUL-terminated (it can point into the source). */
struct c2s_str {
	const char *p;
	size_t n;
};

enum c2s_load_status {
	C2S_LOAD_OK = 0,      /* loaded (diagnostics may still have been added) */
	C2S_LOAD_INVALID = 1, /* not loadable: syntax error etc., reported */
	C2S_LOAD_LIMIT = 2,   /* a resource limit was hit, reported */
	C2S_LOAD_NOMEM = 3
};

/* Load the first document of src. Problems become diagnostics in diags.
 * On C2S_LOAD_OK doc->root is the top node (0 if the stream had no document). */
enum c2s_load_status c2s_load(struct c2s_doc *doc, struct c2s_source *src,
			      struct c2s_diags *diags);
void c2s_doc_free(struct c2s_doc *doc);

/* ---- Access ---- */

static inline const struct c2s_node *c2s_node_at(const struct c2s_doc *d, uint32_t i)
{
	return i ? &d->nodes[i] : NULL;
}
static inline enum c2s_kind c2s_kind(const struct c2s_node *n) { return C2S_NODE_KIND(n->meta); }
static inline enum c2s_style c2s_style(const struct c2s_node *n) { return C2S_NODE_STYLE(n->meta); }
static inline unsigned c2s_flags(const struct c2s_node *n) { return C2S_NODE_FLAGS(n->meta); }
static inline uint32_t c2s_count(const struct c2s_node *n) { return C2S_NODE_N(n->meta); }
static inline int c2s_is_scalar(const struct c2s_node *n) { return n && c2s_kind(n) == C2S_SCALAR; }
static inline int c2s_is_mapping(const struct c2s_node *n) { return n && c2s_kind(n) == C2S_MAPPING; }
static inline int c2s_is_sequence(const struct c2s_node *n) { return n && c2s_kind(n) == C2S_SEQUENCE; }

/* The scalar's value (not NUL-terminated in general); "" for a mapping, a
 * sequence or no node, whose count and ref mean something else: a rule that
 * names a service by its key cannot read past the pool when the key is [a, b]. */
static inline struct c2s_str c2s_scalar(const struct c2s_doc *d, const struct c2s_node *n)
{
	struct c2s_str s = {"", 0};
	if (!n || c2s_kind(n) != C2S_SCALAR)
		return s;
	s.n = c2s_count(n);
	s.p = (c2s_flags(n) & C2S_NODE_VERBATIM) ? d->src->data + n->ref : d->pool + n->ref;
	return s;
}
/* Does the scalar's value equal the NUL-terminated s? */
static inline int c2s_scalar_is(const struct c2s_doc *d, const struct c2s_node *n, const char *s)
{
	if (!n || c2s_kind(n) != C2S_SCALAR)
		return 0;
	struct c2s_str v = c2s_scalar(d, n);
	size_t len = strlen(s);  /* folds for a literal */
	return v.n == len && (len == 0 || (v.p[0] == s[0] && memcmp(v.p + 1, s + 1, len - 1) == 0));
}

/* Where the i-th pair of a mapping starts in the node array. */
static inline uint32_t c2s_map_pair(const struct c2s_doc *d, const struct c2s_node *m, uint32_t i)
{
	if (!(C2S_NODE_FLAGS(m->meta) & C2S_NODE_SEGMENTED))
		return m->ref + 2 * i;
	const struct c2s_node *link = &d->nodes[m->ref];
	uint32_t own = C2S_NODE_N(link->meta) - 1;
	return i < own ? m->ref + 1 + 2 * i : link->ref + 2 * (i - own);
}
/* A mapping's pairs as runs of consecutive nodes (one, or two when
 * SEGMENTED): at[r] is where run r starts, cnt[r] its pairs; returns the runs. */
static inline unsigned c2s_map_runs(const struct c2s_doc *d, const struct c2s_node *m, uint32_t at[2], uint32_t cnt[2])
{
	if (!(C2S_NODE_FLAGS(m->meta) & C2S_NODE_SEGMENTED)) {
		at[0] = m->ref;
		cnt[0] = C2S_NODE_N(m->meta);
		return 1;
	}
	const struct c2s_node *link = &d->nodes[m->ref];
	at[0] = m->ref + 1;
	cnt[0] = C2S_NODE_N(link->meta) - 1;
	at[1] = link->ref;
	cnt[1] = C2S_NODE_N(m->meta) - cnt[0];
	return 2;
}
/* The i-th key / value of a mapping, the i-th item of a sequence. */
static inline const struct c2s_node *c2s_map_key(const struct c2s_doc *d, const struct c2s_node *m, uint32_t i)
{
	return &d->nodes[c2s_map_pair(d, m, i)];
}
static inline const struct c2s_node *c2s_map_value(const struct c2s_doc *d, const struct c2s_node *m, uint32_t i)
{
	return &d->nodes[c2s_map_pair(d, m, i) + 1];
}
static inline const struct c2s_node *c2s_seq_item(const struct c2s_doc *d, const struct c2s_node *s, uint32_t i)
{
	return &d->nodes[s->ref + i];
}
/* The value for a scalar key in a mapping (NULL if absent or m is not a mapping);
 * *key, if given, receives the key node. */
const struct c2s_node *c2s_map_getn(const struct c2s_doc *d, const struct c2s_node *m,
				    const char *key, size_t len, const struct c2s_node **keynode);
static inline const struct c2s_node *c2s_map_get(const struct c2s_doc *d, const struct c2s_node *m,
						 const char *key, const struct c2s_node **keynode)
{
	return c2s_map_getn(d, m, key, strlen(key), keynode);  /* strlen of a literal folds */
}
/* Several keys in one pass over a mapping: vals[j] (and keys[j], if keys is given)
 * is what c2s_map_getn(d, m, names[j].p, names[j].n, &keys[j]) returns -- the first
 * scalar key with those bytes -- NULL where absent or m is not a mapping. */
void c2s_map_get_many(const struct c2s_doc *d, const struct c2s_node *m, const struct c2s_str *names,
		      size_t nnames, const struct c2s_node **vals, const struct c2s_node **keys);
/* The same with the names' lookup table made once (for one lookup in each of many
 * mappings): c2s_key_slots_init, then c2s_map_get_slots per mapping. names must
 * outlive the table. */
#define C2S_KEY_SLOTS 64
struct c2s_key_slots {
	const struct c2s_str *names;
	size_t n;
	uint8_t slot[C2S_KEY_SLOTS];
};
void c2s_key_slots_init(struct c2s_key_slots *t, const struct c2s_str *names, size_t nnames);
void c2s_map_get_slots(const struct c2s_doc *d, const struct c2s_node *m, const struct c2s_key_slots *t,
		       const struct c2s_node **vals, const struct c2s_node **keys);

/* Append count nodes (from may point into d->nodes) to the node array, which
 * grows by doubling; returns the index of the first, or -1 (out of memory, or
 * past 2^32 nodes). */
int64_t c2s_doc_append(struct c2s_doc *d, const struct c2s_node *from, uint32_t count);

/* Byte offsets [start, end) the node was written at. */
uint32_t c2s_node_end(const struct c2s_doc *d, const struct c2s_node *n);
/* A pool value whose end offset reads this is shared by several scalars (an
 * interpolated value many services have): each one's end is where
 * c2s_scalar_end_scan finds it, which its writer made sure of. */
#define C2S_POOL_END_SHARED UINT32_MAX
/* Where a one-line scalar written at start seems to end in the source: after
 * its closing quote, or a plain one before a comment, the line's end or a flow
 * indicator. Only trusted where checked against the real end. */
uint32_t c2s_scalar_end_scan(const struct c2s_source *src, uint32_t start);
/* Anchor name and tag written on the node, or NULL. */
const char *c2s_node_anchor(const struct c2s_doc *d, const struct c2s_node *n);
const char *c2s_node_tag(const struct c2s_doc *d, const struct c2s_node *n);

/* ---- Scalar resolution, as gopkg.in/yaml.v3 reads a scalar into interface{} ---- */

enum c2s_type {
	C2S_TYPE_NULL,
	C2S_TYPE_BOOL,
	C2S_TYPE_INT,       /* fits int64 */
	C2S_TYPE_UINT,      /* only fits uint64 */
	C2S_TYPE_FLOAT,
	C2S_TYPE_STRING,
	C2S_TYPE_TIMESTAMP,
	C2S_TYPE_BINARY,
	C2S_TYPE_MERGE      /* the << key */
};

struct c2s_timestamp {
	int year, month, day, hour, minute, second;
	long nanosecond;
	int offset_minutes;  /* east of UTC */
	int zone;            /* 0: UTC (Z or none given), 1: the numeric offset */
};

struct c2s_value {
	enum c2s_type type;
	int boolean;
	int64_t i;           /* C2S_TYPE_INT */
	uint64_t u;          /* C2S_TYPE_UINT */
	double f;            /* C2S_TYPE_FLOAT (also set for INT and UINT) */
	struct c2s_timestamp ts;
};

/* Resolve a node: mappings and sequences give C2S_TYPE_STRING with no value;
 * use c2s_kind() first. Tags (!!str, !!int...) are honoured. */
enum c2s_type c2s_resolve(const struct c2s_doc *d, const struct c2s_node *n, struct c2s_value *v);
/* The same for a bare plain scalar text, as yaml.v3 resolves an untagged plain scalar. */
enum c2s_type c2s_resolve_plain(const char *s, size_t n, struct c2s_value *v);

#endif
