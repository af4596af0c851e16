/* model_merge.c -- several -c files folded into one, as docker/cli's
 * cli/compose/loader/merge.go does with dario.cat/mergo (WithOverride,
 * WithAppendSlice and merge.go's transformers):
 *   scalars: a later non-empty value wins; *uint64: a later given value wins;
 *   slices: appended, except ports/volumes/secrets/configs (keyed, sorted);
 *   maps: per key, a later empty value does not override; structs field by field;
 *   logging, service networks and ulimits by merge.go's own rules;
 *   top-level networks/volumes/secrets/configs: a later definition replaces. */
#include "config.h"
#include "model.h"
#include "diag.h"

#include <stdlib.h>
#include <string.h>

typedef struct c2s_mval mval;

struct merger {
	struct c2s_model *m;
	int nomem;
};

static mval *alloc_vals(struct merger *g, size_t n)
{
	mval *p = c2s_arena_alloc(&g->m->arena, (n ? n : 1) * sizeof *p);
	if (!p)
		g->nomem = 1;
	return p;
}

static int present(const mval *v) { return v && v->kind != C2S_MV_NONE; }

static int zero_scalar(const mval *v)
{
	switch (v->kind) {
	case C2S_MV_NONE:
	case C2S_MV_NULL:
		return 1;
	case C2S_MV_STR:
	case C2S_MV_LIST:
	case C2S_MV_MAP:
		return v->n == 0;
	case C2S_MV_INT:
	case C2S_MV_BOOL:
		return v->u.i == 0;
	case C2S_MV_UINT:
		return v->u.u == 0;
	case C2S_MV_FLOAT:
		return v->u.f == 0;
	default:
		return 0;
	}
}

static int key_eq(const mval *a, const mval *b)
{
	return a->n == b->n && memcmp(a->u.s, b->u.s, a->n) == 0;
}

static mval merge_struct(struct merger *g, const mval *d, const mval *s);
static mval merge_any(struct merger *g, const mval *d, const mval *s);
static mval append_list(struct merger *g, const mval *d, const mval *s);

/* Per-key map merge; how: 0 map[string]*string (mergo dereferences: a later
 * empty or null value does not override a non-empty one, but anything replaces
 * an empty or null one), 1 later replaces (map[string]string and structs by
 * value), 2 service networks, 3 nested structs, 4 x-* values (deep). */
static mval merge_map(struct merger *g, const mval *d, const mval *s, int how)
{
	mval out = *d;
	size_t cap = (size_t)d->n + s->n;
	mval *v = alloc_vals(g, 2 * cap);
	if (!v)
		return out;
	size_t n = d->n;
	if (n)
		memcpy(v, d->u.v, 2 * n * sizeof *v);
	for (uint32_t i = 0; i < s->n; i++) {
		const mval *sk = &s->u.v[2 * i], *sv = &s->u.v[2 * i + 1];
		size_t j;
		for (j = 0; j < n; j++)
			if (key_eq(&v[2 * j], sk))
				break;
		if (j == n) { /* new key: insert keeping yaml.v3 order */
			size_t at = n;
			while (at > 0 && c2s_key_less(sk->u.s, sk->n, v[2 * (at - 1)].u.s, v[2 * (at - 1)].n))
				at--;
			memmove(&v[2 * (at + 1)], &v[2 * at], (n - at) * 2 * sizeof *v);
			v[2 * at] = *sk;
			v[2 * at + 1] = *sv;
			n++;
			continue;
		}
		mval *dv = &v[2 * j + 1];
		switch (how) {
		case 0:
			if (zero_scalar(dv) || !zero_scalar(sv))
				*dv = *sv;
			break;
		case 4:
			*dv = merge_any(g, dv, sv);
			break;
		case 1:
			*dv = *sv;
			break;
		case 2: /* mergeServiceNetworkConfig */
			if (sv->kind != C2S_MV_STRUCT)
				break;
			if (dv->kind != C2S_MV_STRUCT) {
				*dv = *sv;
				break;
			}
			{
				mval slots[C2S_F_SVCNET__COUNT];
				memset(slots, 0, sizeof slots);
				for (uint32_t k = 0; k < dv->n; k++)
					slots[dv->u.v[k].field] = dv->u.v[k];
				const mval *al = c2s_mget(sv, C2S_F_SVCNET_ALIASES);
				slots[C2S_F_SVCNET_ALIASES] = al ? *al : (mval){0};
				const mval *v4 = c2s_mget(sv, C2S_F_SVCNET_IPV4_ADDRESS);
				const mval *v6 = c2s_mget(sv, C2S_F_SVCNET_IPV6_ADDRESS);
				if (v4 && v4->n)
					slots[C2S_F_SVCNET_IPV4_ADDRESS] = *v4;
				if (v6 && v6->n)
					slots[C2S_F_SVCNET_IPV6_ADDRESS] = *v6;
				mval *nv = alloc_vals(g, C2S_F_SVCNET__COUNT);
				if (!nv)
					break;
				uint32_t w = 0;
				for (unsigned f = 0; f < C2S_F_SVCNET__COUNT; f++)
					if (slots[f].kind != C2S_MV_NONE) {
						nv[w] = slots[f];
						nv[w++].field = (uint8_t)f;
					}
				mval st = *dv;
				st.u.v = nv;
				st.n = w;
				*dv = st;
			}
			break;
		case 3:
			if (dv->kind == C2S_MV_STRUCT && sv->kind == C2S_MV_STRUCT)
				*dv = merge_struct(g, dv, sv);
			else if (present(sv) && sv->kind != C2S_MV_NULL)
				*dv = *sv;
			break;
		}
	}
	out.u.v = v;
	out.n = (uint32_t)n;
	return out;
}

/* An x-* value (an AST subtree) as model values: mappings become MAPs with
 * sorted keys, sequences LISTs, scalars stay NODEs. */
static mval any_of_node(struct merger *g, const mval *v)
{
	if (v->kind != C2S_MV_NODE)
		return *v;
	const struct c2s_doc *d = g->m->docs[v->file];
	const struct c2s_node *n = &d->nodes[v->node];
	mval out = *v;
	if (c2s_is_mapping(n)) {
		uint32_t cnt = c2s_count(n);
		mval *items = alloc_vals(g, 2 * (size_t)cnt);
		if (!items)
			return out;
		uint32_t w = 0;
		for (uint32_t i = 0; i < cnt; i++) {
			const struct c2s_node *k = c2s_map_key(d, n, i);
			struct c2s_str ks = c2s_scalar(d, k);
			mval key = *v, val = *v;
			key.kind = C2S_MV_STR;
			key.node = (uint32_t)(k - d->nodes);
			key.u.s = ks.p;
			key.n = (uint32_t)ks.n;
			val.node = (uint32_t)(c2s_map_value(d, n, i) - d->nodes);
			val.flags = 0;
			/* insertion keeps yaml.v3's order */
			uint32_t at = w;
			while (at > 0 && c2s_key_less(ks.p, ks.n, items[2 * (at - 1)].u.s, items[2 * (at - 1)].n))
				at--;
			memmove(&items[2 * (at + 1)], &items[2 * at], (w - at) * 2 * sizeof *items);
			items[2 * at] = key;
			items[2 * at + 1] = val;
			w++;
		}
		out.kind = C2S_MV_MAP;
		out.u.v = items;
		out.n = w;
	} else if (c2s_is_sequence(n)) {
		uint32_t cnt = c2s_count(n);
		mval *items = alloc_vals(g, cnt);
		if (!items)
			return out;
		for (uint32_t i = 0; i < cnt; i++) {
			items[i] = *v;
			items[i].node = (uint32_t)(c2s_seq_item(d, n, i) - d->nodes);
		}
		out.kind = C2S_MV_LIST;
		out.u.v = items;
		out.n = cnt;
	}
	return out;
}

/* mergo on interface{} values: maps merged per key, lists appended, else the later wins. */
static mval merge_any(struct merger *g, const mval *d, const mval *s)
{
	mval a = any_of_node(g, d), b = any_of_node(g, s);
	if (a.kind == C2S_MV_MAP && b.kind == C2S_MV_MAP)
		return merge_map(g, &a, &b, 4);
	if (a.kind == C2S_MV_LIST && b.kind == C2S_MV_LIST)
		return append_list(g, &a, &b);
	return *s;
}

/* ports by published, volumes by target, secrets/configs by source */
struct keyed {
	mval item;
	int64_t num;
	struct c2s_str str;
};

static int cmp_keyed_num(const void *a, const void *b)
{
	int64_t x = ((const struct keyed *)a)->num, y = ((const struct keyed *)b)->num;
	return x < y ? -1 : x > y;
}

static int cmp_keyed_str(const void *a, const void *b)
{
	const struct c2s_str *x = &((const struct keyed *)a)->str, *y = &((const struct keyed *)b)->str;
	int c = memcmp(x->p, y->p, x->n < y->n ? x->n : y->n);
	return c ? c : (x->n < y->n ? -1 : x->n > y->n);
}

static mval merge_keyed(struct merger *g, const mval *d, const mval *s, unsigned keyfield, int numeric)
{
	mval out = *d;
	size_t cap = (size_t)d->n + (s ? s->n : 0), n = 0;
	struct keyed *k = malloc((cap ? cap : 1) * sizeof *k);
	if (!k) {
		g->nomem = 1;
		return out;
	}
	for (int side = 0; side < 2; side++) {
		const mval *l = side ? s : d;
		for (uint32_t i = 0; l && i < l->n; i++) {
			const mval *it = &l->u.v[i];
			const mval *kv = c2s_mget(it, keyfield);
			struct keyed e;
			e.item = *it;
			e.num = kv ? kv->u.i : 0;
			e.str = kv ? c2s_mstr(kv) : (struct c2s_str){"", 0};
			size_t j;
			for (j = 0; j < n; j++)
				if (numeric ? k[j].num == e.num : (k[j].str.n == e.str.n && memcmp(k[j].str.p, e.str.p, e.str.n) == 0))
					break;
			k[j] = e;
			if (j == n)
				n++;
		}
	}
	qsort(k, n, sizeof *k, numeric ? cmp_keyed_num : cmp_keyed_str);
	mval *v = alloc_vals(g, n);
	if (v) {
		for (size_t i = 0; i < n; i++)
			v[i] = k[i].item;
		out.u.v = v;
		out.n = (uint32_t)n;
	}
	free(k);
	return out;
}

static mval append_list(struct merger *g, const mval *d, const mval *s)
{
	mval out = *d;
	mval *v = alloc_vals(g, (size_t)d->n + s->n);
	if (!v)
		return out;
	if (d->n)
		memcpy(v, d->u.v, d->n * sizeof *v);
	if (s->n)
		memcpy(v + d->n, s->u.v, s->n * sizeof *v);
	out.u.v = v;
	out.n = d->n + s->n;
	return out;
}

static mval merge_logging(struct merger *g, const mval *d, const mval *s)
{
	const mval *dd = c2s_mget(d, C2S_F_LOGGING_DRIVER), *sd = c2s_mget(s, C2S_F_LOGGING_DRIVER);
	struct c2s_str a = c2s_mstr(dd), b = c2s_mstr(sd);
	if (!(a.n == b.n && memcmp(a.p, b.p, a.n) == 0) && a.n && b.n)
		return *s;
	mval slots[C2S_F_LOGGING__COUNT];
	memset(slots, 0, sizeof slots);
	for (uint32_t k = 0; k < d->n; k++)
		slots[d->u.v[k].field] = d->u.v[k];
	if (!a.n && sd)
		slots[C2S_F_LOGGING_DRIVER] = *sd;
	const mval *dopt = c2s_mget(d, C2S_F_LOGGING_OPTIONS), *sopt = c2s_mget(s, C2S_F_LOGGING_OPTIONS);
	/* mergo.Merge(&dstOptions, ...) on a copy: a nil dst map stays nil */
	if (dopt && sopt)
		slots[C2S_F_LOGGING_OPTIONS] = merge_map(g, dopt, sopt, 1);
	mval *nv = alloc_vals(g, C2S_F_LOGGING__COUNT);
	mval out = *d;
	if (!nv)
		return out;
	uint32_t w = 0;
	for (unsigned f = 0; f < C2S_F_LOGGING__COUNT; f++)
		if (slots[f].kind != C2S_MV_NONE) {
			nv[w] = slots[f];
			nv[w++].field = (uint8_t)f;
		}
	out.u.v = nv;
	out.n = w;
	return out;
}

static mval merge_field(struct merger *g, enum c2s_mtype t, unsigned f, const mval *d, const mval *s)
{
	const struct c2s_mfield *fd = &c2s_mstructs[t].fields[f];
	if (t == C2S_T_SERVICE && present(d) &&
	    (f == C2S_F_SERVICE_PORTS || f == C2S_F_SERVICE_VOLUMES || f == C2S_F_SERVICE_SECRETS ||
	     f == C2S_F_SERVICE_CONFIGS)) {
		/* merge.go's mergeSlice runs whenever the base has the list */
		if (f == C2S_F_SERVICE_PORTS)
			return merge_keyed(g, d, present(s) ? s : NULL, C2S_F_PORT_PUBLISHED, 1);
		if (f == C2S_F_SERVICE_VOLUMES)
			return merge_keyed(g, d, present(s) ? s : NULL, C2S_F_SVCVOL_TARGET, 0);
		return merge_keyed(g, d, present(s) ? s : NULL, C2S_F_FILEREF_SOURCE, 0);
	}
	if (!present(s))
		return d ? *d : (mval){0};
	if (!present(d))
		return *s;
	switch (fd->kind) {
	case C2S_FK_STR:
	case C2S_FK_STRV:
	case C2S_FK_VERSION:
	case C2S_FK_BOOL:
	case C2S_FK_INT:
	case C2S_FK_INTV:
	case C2S_FK_FLOAT32:
	case C2S_FK_DUR:
	case C2S_FK_BYTES:
	case C2S_FK_EXTERNAL:
	case C2S_FK_BOOLP:
	case C2S_FK_DURP:
		return zero_scalar(s) ? *d : *s;
	case C2S_FK_UINTP:
		return *s;
	case C2S_FK_STRLIST:
		if (t == C2S_T_SERVICE && (f == C2S_F_SERVICE_COMMAND || f == C2S_F_SERVICE_ENTRYPOINT))
			return s->n ? *s : *d;
		return append_list(g, d, s);
	case C2S_FK_LIST:
	case C2S_FK_PLIST:
		return append_list(g, d, s);
	case C2S_FK_MAPSTR:
		return merge_map(g, d, s, 1);
	case C2S_FK_MAPNSTR:
		return merge_map(g, d, s, 0);
	case C2S_FK_MAPPT:
		if (t == C2S_T_SERVICE && f == C2S_F_SERVICE_NETWORKS)
			return merge_map(g, d, s, 2);
		return merge_map(g, d, s, 1); /* ulimits: a later entry replaces */
	case C2S_FK_MAPT:
		return merge_map(g, d, s, 1);
	case C2S_FK_SERVICES:
		return merge_map(g, d, s, 3);
	case C2S_FK_EXTRAS:
		return merge_map(g, d, s, 4);
	case C2S_FK_STRUCT:
	case C2S_FK_PSTRUCT:
		if (fd->sub == C2S_T_LOGGING)
			return merge_logging(g, d, s);
		if (d->kind == C2S_MV_STRUCT && s->kind == C2S_MV_STRUCT)
			return merge_struct(g, d, s);
		return *s;
	}
	return *s;
}

static mval merge_struct(struct merger *g, const mval *d, const mval *s)
{
	enum c2s_mtype t = (enum c2s_mtype)d->type;
	const struct c2s_mstruct *st = &c2s_mstructs[t];
	mval dslots[64], sslots[64];
	memset(dslots, 0, st->nfields * sizeof *dslots);
	memset(sslots, 0, st->nfields * sizeof *sslots);
	for (uint32_t i = 0; i < d->n; i++)
		dslots[d->u.v[i].field] = d->u.v[i];
	for (uint32_t i = 0; i < s->n; i++)
		sslots[s->u.v[i].field] = s->u.v[i];
	mval *nv = alloc_vals(g, st->nfields);
	mval out = *d;
	if (!nv)
		return out;
	uint32_t w = 0;
	for (unsigned f = 0; f < st->nfields; f++) {
		mval r = merge_field(g, t, f, &dslots[f], &sslots[f]);
		if (r.kind != C2S_MV_NONE) {
			r.field = (uint8_t)f;
			nv[w++] = r;
		}
	}
	out.u.v = nv;
	out.n = w;
	return out;
}

int c2s_model_merge(struct c2s_model *m, struct c2s_mval *base, const struct c2s_mval *over,
		    struct c2s_diags *diags)
{
	struct merger g = {m, 0};
	mval slots[C2S_F_CONFIG__COUNT], oslots[C2S_F_CONFIG__COUNT];
	memset(slots, 0, sizeof slots);
	memset(oslots, 0, sizeof oslots);
	for (uint32_t i = 0; i < base->n; i++)
		slots[base->u.v[i].field] = base->u.v[i];
	for (uint32_t i = 0; i < over->n; i++)
		oslots[over->u.v[i].field] = over->u.v[i];
	static const unsigned objs[] = {C2S_F_CONFIG_NETWORKS, C2S_F_CONFIG_VOLUMES, C2S_F_CONFIG_SECRETS,
		C2S_F_CONFIG_CONFIGS};
	slots[C2S_F_CONFIG_SERVICES] = merge_field(&g, C2S_T_CONFIG, C2S_F_CONFIG_SERVICES,
						   &slots[C2S_F_CONFIG_SERVICES], &oslots[C2S_F_CONFIG_SERVICES]);
	for (size_t k = 0; k < 4; k++) {
		unsigned f = objs[k];
		if (present(&slots[f]) && present(&oslots[f]))
			slots[f] = merge_map(&g, &slots[f], &oslots[f], 1);
		else if (present(&oslots[f]))
			slots[f] = oslots[f];
	}
	/* version and x-*: the first file's */
	mval *nv = alloc_vals(&g, C2S_F_CONFIG__COUNT);
	if (!nv || g.nomem) {
		c2s_diags_out_of_memory(diags);
		return -1;
	}
	uint32_t w = 0;
	for (unsigned f = 0; f < C2S_F_CONFIG__COUNT; f++)
		if (slots[f].kind != C2S_MV_NONE) {
			nv[w] = slots[f];
			nv[w++].field = (uint8_t)f;
		}
	base->u.v = nv;
	base->n = w;
	return 0;
}
