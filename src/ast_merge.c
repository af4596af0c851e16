/* ast_merge.c -- `lint -c a.yml -c b.yml`: the files' ASTs folded into one, as the stack
 * docker stack deploy would see, so the rules judge the merged services while every
 * diagnostic still points at the file and line where the value was written.
 *
 * The merged document reads a composite source: the files' bytes one after another.
 * Its nodes are the files' nodes with rebased offsets plus the merged containers;
 * c2s_diag_add() maps a composite offset back to its file (c2s_source_part_of). The
 * merge follows docker/cli's rules (cli/compose/loader/merge.go) as far as a rule can tell the
 * difference: services deep-merged by name, maps per key where a later null or ""
 * does not override, lists appended, secrets/configs/volumes keyed, command and
 * entrypoint replaced when not empty, top-level objects replaced per name, top-level
 * x-* from the first file only. The typed model (model_merge.c) does the exact merge
 * for convert. */
#include "config.h"
#include "ast_merge.h"

#include <stdlib.h>
#include <string.h>

struct merger {
	struct c2s_doc *d;
	int nomem;
};

/* Append n nodes, returning the index of the first (0 on failure). */
static uint32_t append(struct merger *m, const struct c2s_node *nodes, uint32_t n)
{
	struct c2s_doc *d = m->d;
	if (n == 0)
		return 0;
	if ((uint64_t)d->nnodes + n > UINT32_MAX / 2) {
		m->nomem = 1;
		return 0;
	}
	int64_t first = c2s_doc_append(d, nodes, n);
	if (first < 0) {
		m->nomem = 1;
		return 0;
	}
	return (uint32_t)first;
}

static int key_is(const struct c2s_doc *d, const struct c2s_node *k, const char *s)
{
	return c2s_is_scalar(k) && c2s_scalar_is(d, k, s);
}

static int str_eq(struct c2s_str a, struct c2s_str b)
{
	return a.n == b.n && memcmp(a.p, b.p, a.n) == 0;
}

/* "Empty" as mergo sees a later value: null, "", false. */
static int is_empty_scalar(const struct c2s_doc *d, const struct c2s_node *n)
{
	if (!c2s_is_scalar(n))
		return 0;
	struct c2s_value v;
	enum c2s_type t = c2s_resolve(d, n, &v);
	return t == C2S_TYPE_NULL || (t == C2S_TYPE_STRING && c2s_count(n) == 0) ||
	       (t == C2S_TYPE_BOOL && !v.boolean);
}

enum list_rule { LIST_APPEND, LIST_REPLACE_NONEMPTY, LIST_BY_SOURCE, LIST_BY_TARGET };

static enum list_rule list_rule_for(const struct c2s_doc *d, const struct c2s_node *key)
{
	if (key_is(d, key, "command") || key_is(d, key, "entrypoint"))
		return LIST_REPLACE_NONEMPTY;
	if (key_is(d, key, "secrets") || key_is(d, key, "configs"))
		return LIST_BY_SOURCE;
	if (key_is(d, key, "volumes"))
		return LIST_BY_TARGET;
	return LIST_APPEND;
}

/* The identity of a list item for keyed lists; .p NULL when it has none. */
static struct c2s_str item_key(const struct c2s_doc *d, const struct c2s_node *item, enum list_rule rule)
{
	struct c2s_str none = {NULL, 0};
	if (c2s_is_mapping(item)) {
		const struct c2s_node *v = c2s_map_get(d, item, rule == LIST_BY_SOURCE ? "source" : "target", NULL);
		return c2s_is_scalar(v) ? c2s_scalar(d, v) : none;
	}
	if (!c2s_is_scalar(item))
		return none;
	struct c2s_str s = c2s_scalar(d, item);
	if (rule == LIST_BY_SOURCE)
		return s;
	/* short volume syntax: [SOURCE:]TARGET[:MODE]; the target starts with / */
	const char *colon = memchr(s.p, ':', s.n);
	if (!colon)
		return s;
	struct c2s_str t = {colon + 1, s.n - (size_t)(colon + 1 - s.p)};
	const char *c2 = memchr(t.p, ':', t.n);
	if (c2)
		t.n = (size_t)(c2 - t.p);
	return t;
}

static struct c2s_node merge_value(struct merger *m, const struct c2s_node *key,
				   struct c2s_node a, struct c2s_node b, int depth);

/* Two mappings merged key by key: a's order, then b's new keys; a later empty
 * scalar keeps the earlier value. */
static struct c2s_node merge_map(struct merger *m, struct c2s_node a, struct c2s_node b, int depth, int deep)
{
	struct c2s_doc *d = m->d;
	uint32_t na = c2s_count(&a), nb = c2s_count(&b);
	struct c2s_node *pairs = calloc((size_t)(na + nb) * 2 + 1, sizeof *pairs);
	unsigned char *used = calloc(nb ? nb : 1, 1);
	if (!pairs || !used) {
		free(pairs);
		free(used);
		m->nomem = 1;
		return b;
	}
	uint32_t np = 0;
	for (uint32_t i = 0; i < na; i++) {
		struct c2s_node ka = *c2s_map_key(d, &a, i), va = *c2s_map_value(d, &a, i);
		struct c2s_node k = ka, v = va;
		if (c2s_is_scalar(&ka)) {
			struct c2s_str s = c2s_scalar(d, &ka);
			for (uint32_t j = 0; j < nb; j++) {
				const struct c2s_node *kb = c2s_map_key(d, &b, j);
				if (used[j] || !c2s_is_scalar(kb) || !str_eq(s, c2s_scalar(d, kb)))
					continue;
				used[j] = 1;
				struct c2s_node vb = *c2s_map_value(d, &b, j);
				if (!deep) {
					k = *kb;
					v = vb;
				} else if (!is_empty_scalar(d, &vb)) {
					k = *kb;
					v = merge_value(m, kb, va, vb, depth + 1);
				}
				break;
			}
		}
		pairs[2 * np] = k;
		pairs[2 * np + 1] = v;
		np++;
	}
	for (uint32_t j = 0; j < nb; j++)
		if (!used[j]) {
			pairs[2 * np] = *c2s_map_key(d, &b, j);
			pairs[2 * np + 1] = *c2s_map_value(d, &b, j);
			np++;
		}
	struct c2s_node out = b;
	uint32_t first = append(m, pairs, 2 * np);
	if (np && !first) {
		out = b;
	} else {
		out.meta = C2S_NODE_META(C2S_MAPPING, c2s_style(&b), c2s_flags(&b) & ~(unsigned)C2S_NODE_SEGMENTED, np);
		out.ref = first;
	}
	free(pairs);
	free(used);
	return out;
}

static struct c2s_node merge_list(struct merger *m, enum list_rule rule, struct c2s_node a, struct c2s_node b)
{
	struct c2s_doc *d = m->d;
	uint32_t na = c2s_count(&a), nb = c2s_count(&b);
	if (rule == LIST_REPLACE_NONEMPTY)
		return nb ? b : a;
	struct c2s_node *items = calloc((size_t)(na + nb) + 1, sizeof *items);
	if (!items) {
		m->nomem = 1;
		return b;
	}
	uint32_t n = 0;
	for (uint32_t i = 0; i < na; i++) {
		const struct c2s_node *it = &d->nodes[a.ref + i];
		if (rule != LIST_APPEND) {
			struct c2s_str ki = item_key(d, it, rule);
			int replaced = 0;
			for (uint32_t j = 0; ki.p && j < nb && !replaced; j++) {
				struct c2s_str kj = item_key(d, &d->nodes[b.ref + j], rule);
				replaced = kj.p && str_eq(ki, kj);
			}
			if (replaced)
				continue;
		}
		items[n++] = *it;
	}
	for (uint32_t j = 0; j < nb; j++)
		items[n++] = d->nodes[b.ref + j];
	struct c2s_node out = b;
	uint32_t first = append(m, items, n);
	if (!n || first) {
		out.meta = C2S_NODE_META(C2S_SEQUENCE, c2s_style(&b), c2s_flags(&b), n);
		out.ref = first;
	}
	free(items);
	return out;
}

/* depth 0 is the top level, 1 a section (services...), 2 a service, deeper its fields. */
static struct c2s_node merge_value(struct merger *m, const struct c2s_node *key,
				   struct c2s_node a, struct c2s_node b, int depth)
{
	if (c2s_is_mapping(&a) && c2s_is_mapping(&b))
		return merge_map(m, a, b, depth, 1);
	if (c2s_is_sequence(&a) && c2s_is_sequence(&b) && depth >= 3)
		return merge_list(m, list_rule_for(m->d, key), a, b);
	return b;
}

/* The top level: services deep-merged; networks, volumes, secrets and configs
 * replaced per name; version from the later file; x-* from the first only. */
static struct c2s_node merge_top(struct merger *m, struct c2s_node a, struct c2s_node b)
{
	struct c2s_doc *d = m->d;
	/* Drop b's x-* keys and replace sections per name, then merge the rest. */
	uint32_t nb = c2s_count(&b);
	struct c2s_node *pairs = calloc((size_t)nb * 2 + 1, sizeof *pairs);
	if (!pairs) {
		m->nomem = 1;
		return a;
	}
	uint32_t np = 0;
	for (uint32_t j = 0; j < nb; j++) {
		const struct c2s_node *k = c2s_map_key(d, &b, j);
		if (c2s_is_scalar(k)) {
			struct c2s_str s = c2s_scalar(d, k);
			if (s.n >= 2 && s.p[0] == 'x' && s.p[1] == '-')
				continue;
		}
		pairs[2 * np] = *k;
		pairs[2 * np + 1] = *c2s_map_value(d, &b, j);
		np++;
	}
	struct c2s_node bb = b;
	uint32_t first = append(m, pairs, 2 * np);
	free(pairs);
	if (np && !first)
		return a;
	bb.meta = C2S_NODE_META(C2S_MAPPING, c2s_style(&b), c2s_flags(&b) & ~(unsigned)C2S_NODE_SEGMENTED, np);
	bb.ref = first;

	/* sections: services merge per service (depth 2 inside), the others replace per name */
	uint32_t na = c2s_count(&a);
	struct c2s_node *out = calloc((size_t)(na + np) * 2 + 1, sizeof *out);
	unsigned char *used = calloc(np ? np : 1, 1);
	if (!out || !used) {
		free(out);
		free(used);
		m->nomem = 1;
		return a;
	}
	uint32_t no = 0;
	for (uint32_t i = 0; i < na; i++) {
		struct c2s_node ka = *c2s_map_key(d, &a, i), va = *c2s_map_value(d, &a, i);
		struct c2s_node k = ka, v = va;
		for (uint32_t j = 0; j < np && c2s_is_scalar(&ka); j++) {
			struct c2s_node kb = *c2s_map_key(d, &bb, j);
			if (used[j] || !c2s_is_scalar(&kb) || !str_eq(c2s_scalar(d, &ka), c2s_scalar(d, &kb)))
				continue;
			used[j] = 1;
			struct c2s_node vb = *c2s_map_value(d, &bb, j);
			k = kb;
			if (key_is(d, &ka, "services") && c2s_is_mapping(&va) && c2s_is_mapping(&vb))
				v = merge_map(m, va, vb, 1, 1);  /* per service: merge_value at depth 2 */
			else if (c2s_is_mapping(&va) && c2s_is_mapping(&vb))
				v = merge_map(m, va, vb, 1, 0);  /* networks, volumes...: replaced per name */
			else
				v = vb;
			break;
		}
		out[2 * no] = k;
		out[2 * no + 1] = v;
		no++;
	}
	for (uint32_t j = 0; j < np; j++)
		if (!used[j]) {
			out[2 * no] = *c2s_map_key(d, &bb, j);
			out[2 * no + 1] = *c2s_map_value(d, &bb, j);
			no++;
		}
	struct c2s_node res = a;
	first = append(m, out, 2 * no);
	if (!no || first) {
		res.meta = C2S_NODE_META(C2S_MAPPING, c2s_style(&a), c2s_flags(&a) & ~(unsigned)C2S_NODE_SEGMENTED, no);
		res.ref = first;
	}
	free(out);
	free(used);
	return res;
}

/* ---- the composite source and the rebased copy of each file's nodes ---- */

int c2s_source_composite(struct c2s_source *out, struct c2s_source *const *srcs, size_t n)
{
	memset(out, 0, sizeof *out);
	uint64_t total = 0;
	for (size_t i = 0; i < n; i++)
		total += srcs[i]->len + 1;
	if (n == 0 || total >= UINT32_MAX)
		return -1;
	out->data = malloc((size_t)total + 1);
	out->parts = calloc(n, sizeof *out->parts);
	if (!out->data || !out->parts) {
		free(out->data);
		free(out->parts);
		return -1;
	}
	size_t at = 0;
	for (size_t i = 0; i < n; i++) {
		memcpy(out->data + at, srcs[i]->data, srcs[i]->len);
		out->data[at + srcs[i]->len] = '\n';
		out->parts[i] = (struct c2s_source_part){(uint32_t)at, srcs[i]};
		at += srcs[i]->len + 1;
	}
	out->data[at] = '\0';
	out->len = at;
	out->nparts = (uint32_t)n;
	/* relative paths resolve against the first file's directory, as docker does */
	out->path = srcs[0]->path;
	out->name = srcs[0]->name;
	out->rank = srcs[0]->rank;
	return 0;
}

void c2s_source_composite_free(struct c2s_source *s)
{
	free(s->data);
	free(s->parts);
	memset(s, 0, sizeof *s);
}

int c2s_doc_merge(struct c2s_doc *out, struct c2s_source *composite, struct c2s_doc *const *docs, size_t n)
{
	memset(out, 0, sizeof *out);
	out->src = composite;
	c2s_arena_init(&out->arena, 0);
	struct merger m = {out, 0};
	struct c2s_node zero = {0, 0, 0};
	if (!append(&m, &zero, 1) && out->nnodes != 1)
		return -1;
	uint64_t pool_total = 0;
	for (size_t k = 0; k < n; k++)
		pool_total += docs[k]->npool;
	if (pool_total >= UINT32_MAX)
		return -1;
	out->pool = malloc((size_t)pool_total + 1);
	if (!out->pool)
		return -1;
	uint32_t *roots = calloc(n ? n : 1, sizeof *roots);
	if (!roots)
		return -1;
	for (size_t k = 0; k < n && !m.nomem; k++) {
		const struct c2s_doc *d = docs[k];
		uint32_t sb = composite->parts[k].base, pb = out->npool, nb = out->nnodes - 1;
		if (d->npool)  /* a file with no pooled strings has no pool at all */
			memcpy(out->pool + pb, d->pool, d->npool);
		out->npool += d->npool;
		unsigned char *seen = calloc(d->npool ? d->npool : 1, 1);
		if (!seen || (d->nnodes > 1 && !append(&m, d->nodes + 1, d->nnodes - 1))) {
			free(seen);
			m.nomem = 1;
			break;
		}
		for (uint32_t i = 1; i < d->nnodes; i++) {
			struct c2s_node *x = &out->nodes[nb + i];
			x->start += sb;
			if (c2s_kind(x) != C2S_SCALAR) {
				if (c2s_count(x))
					x->ref += nb;
			} else if (c2s_flags(x) & C2S_NODE_VERBATIM) {
				x->ref += sb;
			} else {
				if (!seen[x->ref]) {  /* the end offset stored before the value, once */
					uint32_t end;
					memcpy(&end, out->pool + pb + x->ref - 4, 4);
					if (end != C2S_POOL_END_SHARED)  /* found again from the start */
						end += sb;
					memcpy(out->pool + pb + x->ref - 4, &end, 4);
					seen[x->ref] = 1;
				}
				x->ref += pb;
			}
		}
		free(seen);
		roots[k] = d->root ? d->root + nb : 0;
	}
	if (!m.nomem) {
		struct c2s_node cur = out->nodes[roots[0]];
		for (size_t k = 1; k < n && !m.nomem; k++)
			if (roots[k] && c2s_is_mapping(&out->nodes[roots[k]]) && c2s_is_mapping(&cur))
				cur = merge_top(&m, cur, out->nodes[roots[k]]);
		out->root = append(&m, &cur, 1);
	}
	free(roots);
	return m.nomem || !out->root ? -1 : 0;
}
