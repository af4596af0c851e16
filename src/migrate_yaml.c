/* migrate_yaml.c -- changes to a YAML text that keep everything else as written: an entry's
 * lines removed, a value replaced, keys added at the end of a block mapping (at its
 * indentation) or of a sequence; a flow collection that changes is written anew; a
 * mapping shared through an anchor is copied, changed, where one user needs more. */
#include "config.h"
#include "migrate.h"

#include <stdlib.h>
#include <string.h>

/* ---- the tree of keys to add ---- */

struct mig_add *mig_add_new(void)
{
	struct mig_add *a = calloc(1, sizeof *a);
	if (a)
		mo_init(&a->val);
	return a;
}

void mig_add_free(struct mig_add *a)
{
	if (!a)
		return;
	for (size_t i = 0; i < a->n; i++)
		mig_add_free(a->kids[i]);
	free(a->kids);
	free(a->name);
	mo_free(&a->val);
	free(a);
}

static struct mig_add *kid(struct mig_add *a, const char *name, size_t n, enum mig_add_kind kind, int create)
{
	for (size_t i = 0; i < a->n; i++)
		if (a->kids[i]->name && strlen(a->kids[i]->name) == n && memcmp(a->kids[i]->name, name, n) == 0)
			return a->kids[i];
	if (!create)
		return NULL;
	if (a->n == a->cap) {
		size_t cap = a->cap ? a->cap * 2 : 4;
		struct mig_add **v = realloc(a->kids, cap * sizeof *v);
		if (!v)
			return NULL;
		a->kids = v;
		a->cap = cap;
	}
	struct mig_add *k = mig_add_new();
	if (!k)
		return NULL;
	k->name = name ? strndup(name, n) : NULL;
	k->kind = kind;
	a->kids[a->n++] = k;
	return k;
}

/* The node at the dotted path (parents made maps); the last part made with kind. */
static struct mig_add *add_path(struct mig_add *a, const char *path, enum mig_add_kind kind, int *existed)
{
	*existed = 0;
	for (;;) {
		const char *dot = strchr(path, '.');
		size_t n = dot ? (size_t)(dot - path) : strlen(path);
		if (!dot) {
			struct mig_add *k = kid(a, path, n, kind, 0);
			if (k) {
				*existed = 1;
				return k;
			}
			return kid(a, path, n, kind, 1);
		}
		struct mig_add *k = kid(a, path, n, MIG_ADD_MAP, 1);
		if (!k || k->kind != MIG_ADD_MAP)
			return NULL;
		a = k;
		path = dot + 1;
	}
}

struct mig_out *mig_add_leaf(struct mig_add *a, const char *path)
{
	int existed;
	struct mig_add *k = add_path(a, path, MIG_ADD_LEAF, &existed);
	return k && !existed ? &k->val : NULL;
}

struct mig_out *mig_add_leaf_in(struct mig_add *a, const char *parent, const char *key)
{
	int existed;
	struct mig_add *p = add_path(a, parent, MIG_ADD_MAP, &existed);
	if (!p || p->kind != MIG_ADD_MAP || kid(p, key, strlen(key), MIG_ADD_LEAF, 0))
		return NULL;
	struct mig_add *k = kid(p, key, strlen(key), MIG_ADD_LEAF, 1);
	return k ? &k->val : NULL;
}

struct mig_out *mig_add_item(struct mig_add *a, const char *path)
{
	int existed;
	struct mig_add *k = add_path(a, path, MIG_ADD_ITEMS, &existed);
	if (!k || k->kind != MIG_ADD_ITEMS)
		return NULL;
	struct mig_add *it = kid(k, NULL, 0, MIG_ADD_LEAF, 1);
	return it ? &it->val : NULL;
}

void mig_add_from(struct mig_add *a, const char *path, const struct mig_text *t, uint32_t off)
{
	struct c2s_source *src;
	uint32_t so;
	if (!mig_origin(t, off, &src, &so))
		return;
	while (a && *path) {
		const char *dot = strchr(path, '.');
		size_t n = dot ? (size_t)(dot - path) : strlen(path);
		a = kid(a, path, n, MIG_ADD_MAP, 0);
		if (a && !a->osrc) {
			a->osrc = src;
			a->ooff = so;
		}
		path = dot ? dot + 1 : path + n;
	}
}

int mig_add_copy(struct mig_add *a, const struct mig_text *ct, const struct c2s_node *key, const struct c2s_node *value)
{
	struct c2s_str name = c2s_scalar(&ct->doc, key);
	struct mig_add *k = kid(a, name.p, name.n, MIG_ADD_COPY, 1);
	if (!k)
		return -1;
	k->kind = MIG_ADD_COPY;
	k->ct = ct;
	k->ck = key;
	k->cv = value;
	return 0;
}

int mig_add_copy_item(struct mig_add *a, const char *name, size_t nlen, const struct mig_text *ct,
		      const struct c2s_node *item)
{
	struct mig_add *k = kid(a, name, nlen, MIG_ADD_ITEMS, 1);
	if (!k || k->kind != MIG_ADD_ITEMS)
		return -1;
	struct mig_add *it = kid(k, NULL, 0, MIG_ADD_COPY, 1);
	if (!it)
		return -1;
	it->ct = ct;
	it->cv = item;
	return 0;
}

/* Does n or anything under it come through an alias (its text is elsewhere)? */
static int has_alias(const struct c2s_doc *d, const struct c2s_node *n, int depth)
{
	if (!n || depth > C2S_MAX_DEPTH)
		return 1;
	if (c2s_flags(n) & C2S_NODE_ALIAS)
		return 1;
	if (c2s_kind(n) == C2S_MAPPING) {
		for (uint32_t i = 0; i < c2s_count(n); i++)
			if (has_alias(d, c2s_map_key(d, n, i), depth + 1) || has_alias(d, c2s_map_value(d, n, i), depth + 1))
				return 1;
	} else if (c2s_kind(n) == C2S_SEQUENCE) {
		for (uint32_t i = 0; i < c2s_count(n); i++)
			if (has_alias(d, c2s_seq_item(d, n, i), depth + 1))
				return 1;
	}
	return 0;
}

/* Copied lines end with a line break. */
static void end_line(struct mig_out *o)
{
	if (o->buf.len && o->buf.data[o->buf.len - 1] != '\n')
		mo_lit(o, "\n", 1);
}

/* Entry key: value of text ct written at indent: its own lines moved there (comments
 * and all) when it stands on lines of its own, else written anew. */
static void copy_entry(struct mig_out *o, const struct mig_text *ct, const struct c2s_node *key,
		       const struct c2s_node *value, uint32_t indent, uint32_t step)
{
	uint32_t a, b;
	if (!has_alias(&ct->doc, value, 0) && !(c2s_flags(key) & C2S_NODE_ALIAS) && c2s_ed_entry_lines(&ct->doc, key, value, &a, &b) == 0) {
		mo_copy_shift(o, ct, a, b, (int)indent - (int)c2s_ed_col(&ct->src, key->start));
		end_line(o);
		return;
	}
	mo_spaces(o, indent);
	mo_flow(o, ct, key);
	mo_lit(o, ":", 1);
	mo_block(o, ct, value, indent + step, step);
}

/* A sequence item of the tree written with its dash at column col. */
static void emit_item(struct mig_out *o, const struct mig_add *it, uint32_t col)
{
	if (it->kind == MIG_ADD_COPY) {
		uint32_t dash = c2s_ed_item_dash(&it->ct->src, it->cv);
		if (dash != UINT32_MAX && !has_alias(&it->ct->doc, it->cv, 0)) {
			mo_copy_shift(o, it->ct, c2s_ed_line_start(&it->ct->src, dash), c2s_ed_block_end(&it->ct->src, dash),
				      (int)col - (int)c2s_ed_col(&it->ct->src, dash));
			end_line(o);
			return;
		}
		mo_spaces(o, col);
		mo_lit(o, "- ", 2);
		mo_flow(o, it->ct, it->cv);
		mo_lit(o, "\n", 1);
		return;
	}
	mo_spaces(o, col);
	mo_lit(o, "- ", 2);
	mo_append(o, &it->val);
	mo_lit(o, "\n", 1);
}

static void emit_item_flow(struct mig_out *o, const struct mig_add *it)
{
	if (it->kind == MIG_ADD_COPY)
		mo_flow(o, it->ct, it->cv);
	else
		mo_append(o, &it->val);
}

/* ---- flow collections written anew ---- */

struct mig_flowmod {
	const struct c2s_node *node;
	uint32_t *drops;              /* entry (mapping) or item (sequence) indices */
	size_t ndrops;
	const struct mig_add **adds;  /* MAP adds (mapping) or ITEMS (sequence) */
	size_t nadds;
};

void mig_ops_init(struct mig_ops *x, struct mig *m, const struct mig_text *t)
{
	memset(x, 0, sizeof *x);
	x->m = m;
	x->t = t;
	mig_edits_init(&x->ed);
	x->step = c2s_ed_indent_step(&t->doc);
}

void mig_ops_free(struct mig_ops *x)
{
	for (size_t i = 0; i < x->nflow; i++) {
		free(x->flow[i].drops);
		free(x->flow[i].adds);
	}
	free(x->flow);
	mig_edits_free(&x->ed);
}

static struct mig_flowmod *flowmod(struct mig_ops *x, const struct c2s_node *n)
{
	for (size_t i = 0; i < x->nflow; i++)
		if (x->flow[i].node->start == n->start && c2s_kind(x->flow[i].node) == c2s_kind(n))
			return &x->flow[i];
	if (x->nflow == x->capflow) {
		size_t cap = x->capflow ? x->capflow * 2 : 8;
		struct mig_flowmod *v = realloc(x->flow, cap * sizeof *v);
		if (!v) {
			x->m->nomem = 1;
			return NULL;
		}
		x->flow = v;
		x->capflow = cap;
	}
	struct mig_flowmod *f = &x->flow[x->nflow++];
	memset(f, 0, sizeof *f);
	f->node = n;
	return f;
}

static void flow_drop(struct mig_ops *x, const struct c2s_node *n, uint32_t i)
{
	struct mig_flowmod *f = flowmod(x, n);
	if (!f)
		return;
	uint32_t *v = realloc(f->drops, (f->ndrops + 1) * sizeof *v);
	if (!v) {
		x->m->nomem = 1;
		return;
	}
	f->drops = v;
	f->drops[f->ndrops++] = i;
}

static void flow_add(struct mig_ops *x, const struct c2s_node *n, const struct mig_add *a)
{
	struct mig_flowmod *f = flowmod(x, n);
	if (!f)
		return;
	const struct mig_add **v = realloc(f->adds, (f->nadds + 1) * sizeof *v);
	if (!v) {
		x->m->nomem = 1;
		return;
	}
	f->adds = v;
	f->adds[f->nadds++] = a;
}

static const struct mig_flowmod *flowmod_of(const struct mig_ops *x, const struct c2s_node *n)
{
	for (size_t i = 0; i < x->nflow; i++)
		if (x->flow[i].node->start == n->start && c2s_kind(x->flow[i].node) == c2s_kind(n))
			return &x->flow[i];
	return NULL;
}

static void emit_add_flow(struct mig_out *o, const struct mig_add *a);

static void emit_add_flow_value(struct mig_out *o, const struct mig_add *a)
{
	if (a->kind == MIG_ADD_COPY) {
		mo_flow(o, a->ct, a->cv);
	} else if (a->kind == MIG_ADD_LEAF) {
		mo_append(o, &a->val);
	} else if (a->kind == MIG_ADD_MAP) {
		mo_lit(o, "{", 1);
		for (size_t i = 0; i < a->n; i++) {
			if (i)
				mo_lit(o, ", ", 2);
			emit_add_flow(o, a->kids[i]);
		}
		mo_lit(o, "}", 1);
	} else {
		mo_lit(o, "[", 1);
		for (size_t i = 0; i < a->n; i++) {
			if (i)
				mo_lit(o, ", ", 2);
			emit_item_flow(o, a->kids[i]);
		}
		mo_lit(o, "]", 1);
	}
}

static void emit_add_flow(struct mig_out *o, const struct mig_add *a)
{
	mo_scalar(o, a->name, strlen(a->name), 1, 1);
	mo_lit(o, ": ", 2);
	emit_add_flow_value(o, a);
}

/* ", " between the entries or items of a flow collection written anew. */
static void flow_sep(struct mig_out *o, int *first)
{
	if (!*first)
		mo_lit(o, ", ", 2);
	*first = 0;
}

/* A node in flow style with the flow changes registered for it and inside it: a
 * replacement of a node inside is written in place (and not applied again). */
static void emit_flow(const struct mig_ops *x, struct mig_out *o, const struct c2s_node *n, const struct mig_add *extra)
{
	const struct c2s_doc *d = &x->t->doc;
	for (size_t i = 0; i < x->ed.list.n; i++) {
		struct c2s_edit *e = &x->ed.list.v[i];
		if (e->start == n->start && e->end > e->start && !e->withdrawn) {
			mo_append(o, &x->ed.repl[e->seq]);
			e->withdrawn = 1;
			return;
		}
	}
	const struct mig_flowmod *f = c2s_kind(n) == C2S_SCALAR ? NULL : flowmod_of(x, n);
	if (c2s_kind(n) == C2S_SCALAR) {
		/* a scalar of this flow collection, on one line: as it was written */
		uint32_t e = c2s_node_end(d, n);
		if (mt_own(n) && e > n->start && e <= x->t->src.len && !memchr(x->t->src.data + n->start, '\n', e - n->start))
			mo_copy(o, x->t, n->start, e);
		else
			mo_flow(o, x->t, n);
		return;
	}
	int first = 1;
	if (c2s_kind(n) == C2S_MAPPING) {
		mo_lit(o, "{", 1);
		for (uint32_t i = 0; i < c2s_count(n); i++) {
			int dropped = 0;
			for (size_t j = 0; f && j < f->ndrops; j++)
				dropped |= f->drops[j] == i;
			if (dropped)
				continue;
			const struct c2s_node *k = c2s_map_key(d, n, i), *v = c2s_map_value(d, n, i);
			/* an added subtree under an existing key merges into its value */
			const struct mig_add *sub = NULL;
			for (size_t j = 0; f && j < f->nadds; j++)
				for (size_t q = 0; q < f->adds[j]->n; q++)
					if (c2s_scalar_is(d, k, f->adds[j]->kids[q]->name))
						sub = f->adds[j]->kids[q];
			for (size_t q = 0; extra && q < extra->n; q++)
				if (c2s_scalar_is(d, k, extra->kids[q]->name))
					sub = extra->kids[q];
			flow_sep(o, &first);
			mo_flow(o, x->t, k);
			mo_lit(o, ": ", 2);
			emit_flow(x, o, v, sub);
		}
		for (size_t j = 0; f && j <= f->nadds; j++) {
			const struct mig_add *a = j < f->nadds ? f->adds[j] : extra;
			for (size_t q = 0; a && q < a->n; q++) {
				if (c2s_map_get(d, n, a->kids[q]->name, NULL))
					continue;
				flow_sep(o, &first);
				emit_add_flow(o, a->kids[q]);
			}
		}
		for (size_t q = 0; !f && extra && q < extra->n; q++) {
			if (c2s_map_get(d, n, extra->kids[q]->name, NULL))
				continue;
			flow_sep(o, &first);
			emit_add_flow(o, extra->kids[q]);
		}
		mo_lit(o, "}", 1);
		return;
	}
	mo_lit(o, "[", 1);
	for (uint32_t i = 0; i < c2s_count(n); i++) {
		int dropped = 0;
		for (size_t j = 0; f && j < f->ndrops; j++)
			dropped |= f->drops[j] == i;
		if (dropped)
			continue;
		flow_sep(o, &first);
		emit_flow(x, o, c2s_seq_item(d, n, i), NULL);
	}
	for (size_t j = 0; f && j < f->nadds; j++)
		for (size_t q = 0; q < f->adds[j]->n; q++) {
			flow_sep(o, &first);
			emit_item_flow(o, f->adds[j]->kids[q]);
		}
	for (size_t q = 0; extra && extra->kind == MIG_ADD_ITEMS && q < extra->n; q++) {
		flow_sep(o, &first);
		emit_item_flow(o, extra->kids[q]);
	}
	mo_lit(o, "]", 1);
}

/* ---- block text ---- */

static void emit_add_block(struct mig_out *o, const struct mig_add *a, uint32_t indent, uint32_t step)
{
	if (a->kind == MIG_ADD_COPY) {
		copy_entry(o, a->ct, a->ck, a->cv, indent, step);
		return;
	}
	mo_spaces(o, indent);
	uint32_t at = (uint32_t)o->buf.len;
	mo_scalar(o, a->name, strlen(a->name), 1, 0);
	if (a->osrc)
		mo_mark(o, at, (uint32_t)o->buf.len - at, a->osrc, a->ooff);
	mo_lit(o, ":", 1);
	if (a->kind == MIG_ADD_LEAF) {
		mo_lit(o, " ", 1);
		mo_append(o, &a->val);
		mo_lit(o, "\n", 1);
	} else if (a->kind == MIG_ADD_MAP) {
		mo_lit(o, "\n", 1);
		for (size_t i = 0; i < a->n; i++)
			emit_add_block(o, a->kids[i], indent + step, step);
	} else {
		mo_lit(o, "\n", 1);
		for (size_t i = 0; i < a->n; i++)
			emit_item(o, a->kids[i], indent + step);
	}
}

/* The pairs of ev (as docker reads them: merges resolved) with a's children merged
 * in, as block lines at indent (ev NULL: a's alone). */
static void emit_merged(const struct mig_ops *x, struct mig_out *o, const struct c2s_node *ev, const struct mig_add *a,
			uint32_t indent)
{
	const struct c2s_doc *d = &x->t->doc;
	uint32_t step = x->step;
	for (uint32_t i = 0; ev && c2s_is_mapping(ev) && i < c2s_count(ev); i++) {
		const struct c2s_node *k = c2s_map_key(d, ev, i), *v = c2s_map_value(d, ev, i);
		const struct mig_add *c = NULL;
		for (size_t q = 0; a && q < a->n; q++)
			if (c2s_scalar_is(d, k, a->kids[q]->name))
				c = a->kids[q];
		if (c && c->kind == MIG_ADD_COPY) {
			copy_entry(o, c->ct, c->ck, c->cv, indent, step);
			continue;
		}
		mo_spaces(o, indent);
		mo_flow(o, x->t, k);
		mo_lit(o, ":", 1);
		if (c && c->kind == MIG_ADD_MAP && c2s_is_mapping(v)) {
			mo_lit(o, "\n", 1);
			emit_merged(x, o, v, c, indent + step);
		} else if (c && c->kind == MIG_ADD_ITEMS && c2s_is_sequence(v)) {
			mo_lit(o, "\n", 1);
			for (uint32_t j = 0; j < c2s_count(v); j++) {
				mo_spaces(o, indent + step);
				mo_lit(o, "- ", 2);
				mo_flow(o, x->t, c2s_seq_item(d, v, j));
				mo_lit(o, "\n", 1);
			}
			for (size_t j = 0; j < c->n; j++)
				emit_item(o, c->kids[j], indent + step);
		} else {
			mo_block(o, x->t, v, indent + step, step);
		}
	}
	for (size_t q = 0; a && q < a->n; q++)
		if (!(ev && c2s_is_mapping(ev) && c2s_map_get(d, ev, a->kids[q]->name, NULL)))
			emit_add_block(o, a->kids[q], indent, step);
}

/* ---- operations ---- */

/* The own key written right after k in the same mapping (by position), or NULL. */
static const struct c2s_node *next_own_key(const struct mig_text *t, const struct c2s_node *map,
					   const struct c2s_node *k)
{
	const struct c2s_node *best = NULL;
	for (uint32_t i = 0; i < c2s_count(map); i++) {
		const struct c2s_node *o = c2s_map_key(&t->doc, map, i);
		if (o->start > k->start && (!best || o->start < best->start))
			best = o;
	}
	return best;
}

void mig_op_drop(struct mig_ops *x, const struct c2s_node *map, uint32_t i)
{
	const struct mig_text *t = x->t;
	const struct c2s_node *k = c2s_map_key(&t->doc, map, i);
	if (c2s_style(map) == C2S_STYLE_FLOW) {
		flow_drop(x, map, i);
		return;
	}
	uint32_t a, b;
	struct mig_out *o;
	if (c2s_ed_entry_lines(&t->doc, k, c2s_map_value(&t->doc, map, i), &a, &b) == 0) {
		mig_edit(&x->ed, a, b);
		return;
	}
	const struct c2s_node *nk = next_own_key(t, map, k);
	if (nk && c2s_ed_first_on_line(&t->src, nk->start) && nk->start > k->start) {
		mig_edit(&x->ed, k->start, nk->start);
		return;
	}
	/* the mapping's only key, after "- ": the item becomes an empty mapping */
	if ((o = mig_edit(&x->ed, k->start, c2s_ed_block_end(&t->src, k->start))) != NULL)
		mo_str(o, "{}\n");
}

void mig_op_drop_item(struct mig_ops *x, const struct c2s_node *seq, uint32_t i)
{
	const struct mig_text *t = x->t;
	if (c2s_style(seq) == C2S_STYLE_FLOW) {
		flow_drop(x, seq, i);
		return;
	}
	uint32_t dash = c2s_ed_item_dash(&t->src, c2s_seq_item(&t->doc, seq, i));
	if (dash == UINT32_MAX) {
		mig_trouble(x->m, "%s: a list item migrate cannot remove here; please report this", t->src.name);
		return;
	}
	mig_edit(&x->ed, c2s_ed_line_start(&t->src, dash), c2s_ed_block_end(&t->src, dash));
}

struct mig_out *mig_op_replace(struct mig_ops *x, const struct c2s_node *n)
{
	return mig_edit(&x->ed, n->start, c2s_ed_value_end(&x->t->doc, n));
}

static void add_to_block(struct mig_ops *x, const struct c2s_node *map, const struct mig_add *a, uint32_t at,
			 uint32_t indent);

/* Rewrite the entry of own key `key` as key: + the merged value. */
static void rewrite_entry(struct mig_ops *x, const struct c2s_node *key, const struct c2s_node *value,
			  const struct mig_add *a)
{
	const struct mig_text *t = x->t;
	uint32_t a0, b0;
	struct mig_out *o;
	if (c2s_ed_entry_lines(&t->doc, key, value, &a0, &b0) != 0) {
		mig_trouble(x->m, "%s: a key migrate cannot extend here; please report this", t->src.name);
		return;
	}
	if ((o = mig_edit(&x->ed, a0, b0)) == NULL)
		return;
	uint32_t col = c2s_ed_col(&t->src, key->start);
	mo_spaces(o, col);
	mo_copy(o, t, key->start, c2s_node_end(&t->doc, key));
	mo_lit(o, ":\n", 2);
	emit_merged(x, o, c2s_is_mapping(value) ? value : NULL, a, col + x->step);
}

static void add_to_block(struct mig_ops *x, const struct c2s_node *map, const struct mig_add *a, uint32_t at,
			 uint32_t indent)
{
	const struct mig_text *t = x->t;
	const struct c2s_doc *d = &t->doc;
	struct mig_out ins;
	mo_init(&ins);
	for (size_t q = 0; q < a->n; q++) {
		const struct mig_add *c = a->kids[q];
		const struct c2s_node *ek = NULL, *ev = c2s_map_get(d, map, c->name, &ek);
		if (!ev) {
			emit_add_block(&ins, c, indent, x->step);
			continue;
		}
		int own = mt_own(ek) && mt_own(ev);
		if (c->kind == MIG_ADD_MAP && (c2s_is_mapping(ev) || mt_is_null(t, ev))) {
			if (own && c2s_is_mapping(ev) && c2s_style(ev) == C2S_STYLE_FLOW)
				flow_add(x, ev, c);
			else if (own && c2s_is_mapping(ev) && c2s_ed_map_col(&t->doc, ev) >= 0)
				add_to_block(x, ev, c, c2s_ed_map_end(&t->doc, ev), (uint32_t)c2s_ed_map_col(&t->doc, ev));
			else if (own && c2s_is_mapping(ev) && c2s_ed_first_on_line(&t->src, ev->start) && c2s_ed_first_on_line(&t->src, ek->start))
				add_to_block(x, ev, c, c2s_ed_block_end(&t->src, ek->start), c2s_ed_col(&t->src, ev->start));
			else if (mt_own(ek))
				rewrite_entry(x, ek, ev, c);
			else {
				/* the key itself comes from a << merge: an own copy, changed */
				mo_spaces(&ins, indent);
				mo_flow(&ins, t, ek);
				mo_lit(&ins, ":\n", 2);
				emit_merged(x, &ins, ev, c, indent + x->step);
			}
		} else if (c->kind == MIG_ADD_ITEMS && c2s_is_sequence(ev)) {
			if (own && c2s_style(ev) == C2S_STYLE_FLOW) {
				flow_add(x, ev, c);
			} else if (own && c2s_ed_first_on_line(&t->src, ek->start)) {
				struct mig_out *o = mig_edit(&x->ed, c2s_ed_block_end(&t->src, ek->start), c2s_ed_block_end(&t->src, ek->start));
				uint32_t dcol = c2s_ed_col(&t->src, ev->start);
				for (size_t j = 0; o && j < c->n; j++)
					emit_item(o, c->kids[j], dcol);
			} else {
				if (mt_own(ek)) {
					/* rewrite key: as the merged list plus the items */
					uint32_t a0, b0;
					struct mig_out *o;
					if (c2s_ed_entry_lines(d, ek, ev, &a0, &b0) == 0 && (o = mig_edit(&x->ed, a0, b0)) != NULL) {
						/* emit_merged over a one-key view: write the list directly */
						uint32_t col = c2s_ed_col(&t->src, ek->start);
						mo_spaces(o, col);
						mo_copy(o, t, ek->start, c2s_node_end(d, ek));
						mo_lit(o, ":\n", 2);
						for (uint32_t j = 0; j < c2s_count(ev); j++) {
							mo_spaces(o, col + x->step);
							mo_lit(o, "- ", 2);
							mo_flow(o, t, c2s_seq_item(d, ev, j));
							mo_lit(o, "\n", 1);
						}
						for (size_t j = 0; j < c->n; j++)
							emit_item(o, c->kids[j], col + x->step);
					}
				} else {
					mo_spaces(&ins, indent);
					mo_flow(&ins, t, ek);
					mo_lit(&ins, ":\n", 2);
					for (uint32_t j = 0; j < c2s_count(ev); j++) {
						mo_spaces(&ins, indent + x->step);
						mo_lit(&ins, "- ", 2);
						mo_flow(&ins, t, c2s_seq_item(d, ev, j));
						mo_lit(&ins, "\n", 1);
					}
					for (size_t j = 0; j < c->n; j++)
						emit_item(&ins, c->kids[j], indent + x->step);
				}
			}
		}
		/* else: the key is there with another shape; the caller checked before adding */
	}
	if (ins.buf.len) {
		struct mig_out *o = mig_edit(&x->ed, at, at);
		if (o)
			mo_append(o, &ins);
	}
	mo_free(&ins);
}


void mig_op_add(struct mig_ops *x, const struct c2s_node *key, const struct c2s_node *map, const struct mig_add *a)
{
	const struct mig_text *t = x->t;
	if (!a || a->n == 0)
		return;
	if (map && c2s_is_mapping(map) && mt_own(map) && c2s_style(map) == C2S_STYLE_FLOW) {
		flow_add(x, map, a);
		return;
	}
	if (map && c2s_is_mapping(map) && c2s_ed_map_col(&t->doc, map) >= 0) {
		add_to_block(x, map, a, c2s_ed_map_end(&t->doc, map), (uint32_t)c2s_ed_map_col(&t->doc, map));
		return;
	}
	if (key && mt_own(key) && map && c2s_is_mapping(map) && mt_own(map) && c2s_ed_first_on_line(&t->src, map->start) &&
	    c2s_ed_first_on_line(&t->src, key->start)) {
		/* only << merges of its own */
		add_to_block(x, map, a, c2s_ed_block_end(&t->src, key->start), c2s_ed_col(&t->src, map->start));
		return;
	}
	if (key && mt_own(key)) {
		rewrite_entry(x, key, map, a);
		return;
	}
	mig_trouble(x->m, "%s: keys migrate cannot add here; please report this", t->src.name);
}

void mig_op_replace_entry(struct mig_ops *x, const struct c2s_node *map, uint32_t i, const struct mig_text *ct,
			  const struct c2s_node *key, const struct c2s_node *value)
{
	const struct mig_text *t = x->t;
	const struct c2s_node *k = c2s_map_key(&t->doc, map, i), *v = c2s_map_value(&t->doc, map, i);
	uint32_t a, b;
	struct mig_out *o;
	if (c2s_style(map) == C2S_STYLE_BLOCK && mt_own(k) && c2s_ed_entry_lines(&t->doc, k, v, &a, &b) == 0) {
		if ((o = mig_edit(&x->ed, a, b)) != NULL)
			copy_entry(o, ct, key, value, c2s_ed_col(&t->src, k->start), x->step);
		return;
	}
	if ((o = mig_op_replace(x, v)) != NULL)
		mo_flow(o, ct, value);
}

void mig_op_replace_item(struct mig_ops *x, const struct c2s_node *seq, uint32_t i, const struct mig_text *ct,
			 const struct c2s_node *item)
{
	const struct mig_text *t = x->t;
	const struct c2s_node *it = c2s_seq_item(&t->doc, seq, i);
	uint32_t dash = c2s_style(seq) == C2S_STYLE_BLOCK ? c2s_ed_item_dash(&t->src, it) : UINT32_MAX;
	struct mig_out *o;
	if (dash != UINT32_MAX) {
		struct mig_add one = {0};
		one.kind = MIG_ADD_COPY;
		one.ct = ct;
		one.cv = item;
		if ((o = mig_edit(&x->ed, c2s_ed_line_start(&t->src, dash), c2s_ed_block_end(&t->src, dash))) != NULL)
			emit_item(o, &one, c2s_ed_col(&t->src, dash));
		return;
	}
	if ((o = mig_op_replace(x, it)) != NULL)
		mo_flow(o, ct, item);
}

void mig_op_untag(struct mig_ops *x, const struct c2s_node *n)
{
	const struct mig_text *t = x->t;
	const char *tag = c2s_node_tag(&t->doc, n);
	const char *s = t->src.data;
	if (!tag || s[n->start] != '!')
		return;
	uint32_t e = n->start;
	while (e < t->src.len && s[e] != ' ' && s[e] != '\n' && s[e] != '\t' && s[e] != '\r')
		e++;
	while (e < t->src.len && (s[e] == ' ' || s[e] == '\t'))
		e++;
	mig_edit(&x->ed, n->start, e);
}

/* Is flow node f inside another flow node that is also written anew? */
static int inside_other(const struct mig_ops *x, const struct mig_flowmod *f)
{
	uint32_t s = f->node->start, e = c2s_node_end(&x->t->doc, f->node);
	for (size_t i = 0; i < x->nflow; i++) {
		const struct mig_flowmod *g = &x->flow[i];
		if (g == f)
			continue;
		uint32_t gs = g->node->start, ge = c2s_node_end(&x->t->doc, g->node);
		if (gs <= s && e <= ge && (gs < s || e < ge))
			return 1;
	}
	return 0;
}

int mig_ops_apply(struct mig_ops *x, struct mig_text *out)
{
	for (size_t i = 0; i < x->nflow; i++) {
		const struct mig_flowmod *f = &x->flow[i];
		if (inside_other(x, f))
			continue;
		struct mig_out tmp;
		mo_init(&tmp);
		emit_flow(x, &tmp, f->node, NULL);
		struct mig_out *o = mig_edit(&x->ed, f->node->start, c2s_node_end(&x->t->doc, f->node));
		if (o)
			mo_append(o, &tmp);
		mo_free(&tmp);
	}
	if (x->m->trouble || x->m->nomem)
		return -1;
	return mig_apply(x->m, x->t, &x->ed, out);
}
