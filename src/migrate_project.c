/* migrate_project.c -- a docker compose project made one file: override files merged as
 * docker compose merges -f files, extends: and include: inlined, relative paths of what
 * comes from another directory rebased. Semantics: compose-spec/compose-go override/merge.go
 * (MergeYaml and its special paths), override/uncity.go (EnforceUnicity's indexers),
 * loader/extends.go, loader/include.go, paths/resolve.go. */
#include "config.h"
#include "check.h"
#include "compose2swarm.h"
#include "migrate.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* mergeSpecials: replaced by the winner. */
static const char *const override_paths[] = {
	"services.*.command", "services.*.entrypoint", "services.*.healthcheck.test", "services.*.ulimits.*",
	"networks.*.ipam.config",
};
/* mergeToSequence with a KEY=VALUE indexer: merged by key. */
static const char *const keyed_paths[] = {
	"services.*.environment", "services.*.labels", "services.*.sysctls", "services.*.deploy.labels",
	"services.*.build.args", "services.*.build.labels", "services.*.annotations", "networks.*.labels",
	"volumes.*.labels", "services.*.volumes.*.volume.labels",
};
/* mergeToSequence on lists of values: a single string is a list of one, and the base's
 * items come first (order matters: a later env file wins, resolvers are tried in order). */
static const char *const sequence_paths[] = {
	"services.*.env_file", "services.*.dns", "services.*.dns_opt", "services.*.dns_search",
	"services.*.tmpfs", "services.*.label_file",
};
/* merged by name: a list of names or a mapping of them. */
static const char *const named_paths[] = {"services.*.depends_on", "services.*.networks"};

/* ---- the merge ---- */

struct merge {
	struct mig *m;
	struct mig_ops x;
	const struct mig_text *t;   /* the text being changed */
	const struct mig_text *ot;  /* the other text */
	int ot_wins;                /* 1: ot overrides t (-f files); 0: t overrides ot (extends, include) */
	struct mig_add **adds;
	size_t nadds, capadds;
	int keys;                   /* entries taken from ot */
};

static struct mig_add *merge_add(struct merge *c)
{
	struct mig_add *a = mig_add_new();
	if (a && c->nadds == c->capadds) {
		size_t cap = c->capadds ? c->capadds * 2 : 16;
		struct mig_add **v = realloc(c->adds, cap * sizeof *v);
		if (!v) {
			mig_add_free(a);
			a = NULL;
		} else {
			c->adds = v;
			c->capadds = cap;
		}
	}
	if (!a) {
		c->m->nomem = 1;
		return NULL;
	}
	c->adds[c->nadds++] = a;
	return a;
}

static void merge_init(struct merge *c, struct mig *m, const struct mig_text *t, const struct mig_text *ot,
		       int ot_wins)
{
	memset(c, 0, sizeof *c);
	c->m = m;
	c->t = t;
	c->ot = ot;
	c->ot_wins = ot_wins;
	mig_ops_init(&c->x, m, t);
}

/* Apply and free: t becomes the merged text. */
static int merge_finish(struct merge *c, struct mig_text *t, int rc)
{
	if (rc == 0 && !c->m->nomem && !c->m->trouble) {
		struct mig_text next;
		if (mig_ops_apply(&c->x, &next) != 0) {
			rc = -1;
		} else {
			mig_text_replace(t, &next);
		}
	} else {
		rc = -1;
	}
	mig_ops_free(&c->x);
	for (size_t i = 0; i < c->nadds; i++)
		mig_add_free(c->adds[i]);
	free(c->adds);
	return rc;
}

static uint32_t entry_of(const struct c2s_doc *d, const struct c2s_node *map, const struct c2s_node *k)
{
	for (uint32_t i = 0; i < c2s_count(map); i++)
		if (c2s_map_key(d, map, i) == k)
			return i;
	return 0;
}

static int tag_is(const struct c2s_doc *d, const struct c2s_node *n, const char *tag)
{
	const char *t = c2s_node_tag(d, n);
	return t && strcmp(t, tag) == 0;
}

/* The unicity key of a sequence item (override/uncity.go's indexers), in buf. */
static const char *item_key(const struct mig_path *p, const struct mig_text *t, const struct c2s_node *it, char *buf,
			    size_t size)
{
	const struct c2s_doc *d = &t->doc;
	struct c2s_str last = p->n ? p->seg[p->n - 1] : (struct c2s_str){"", 0};
	buf[0] = '\0';
	if (c2s_is_scalar(it)) {
		struct c2s_str s = c2s_scalar(d, it);
		int isv = mig_path_match(p, "services.*.volumes"), isdev = mig_path_match(p, "services.*.devices");
		if (isv || isdev) {
			/* the target: the second ':' part (the first when there is only one) */
			const char *c1 = memchr(s.p, ':', s.n);
			if (!c1) {
				snprintf(buf, size, "%.*s", (int)s.n, s.p);
			} else {
				const char *b = c1 + 1, *c2 = memchr(b, ':', (size_t)(s.p + s.n - b));
				size_t l = c2 ? (size_t)(c2 - b) : (size_t)(s.p + s.n - b);
				snprintf(buf, size, "%.*s", (int)l, b);
			}
		} else if (mig_path_match(p, "services.*.secrets")) {
			snprintf(buf, size, "/run/secrets/%.*s", (int)s.n, s.p);
		} else if (mig_path_match(p, "services.*.configs")) {
			snprintf(buf, size, "/%.*s", (int)s.n, s.p);
		} else {
			const char *eq = memchr(s.p, '=', s.n);
			size_t l = eq && !(c2s_str_eq(last, "ports") || c2s_str_eq(last, "extra_hosts")) ? (size_t)(eq - s.p) : s.n;
			snprintf(buf, size, "%.*s", (int)l, s.p);
		}
		return buf;
	}
	if (c2s_is_mapping(it)) {
		const struct c2s_node *tg = c2s_map_get(d, it, "target", NULL);
		if (mig_path_match(p, "services.*.ports")) {
			const struct c2s_node *ip = c2s_map_get(d, it, "host_ip", NULL);
			const struct c2s_node *pub = c2s_map_get(d, it, "published", NULL);
			const struct c2s_node *pr = c2s_map_get(d, it, "protocol", NULL);
			struct c2s_str a = ip ? c2s_scalar(d, ip) : (struct c2s_str){"0.0.0.0", 7};
			struct c2s_str b = pub ? c2s_scalar(d, pub) : (struct c2s_str){"", 0};
			struct c2s_str e = tg ? c2s_scalar(d, tg) : (struct c2s_str){"", 0};
			struct c2s_str f = pr ? c2s_scalar(d, pr) : (struct c2s_str){"tcp", 3};
			snprintf(buf, size, "%.*s:%.*s:%.*s/%.*s", (int)a.n, a.p, (int)b.n, b.p, (int)e.n, e.p, (int)f.n, f.p);
		} else if (mig_path_match(p, "services.*.env_file")) {
			const struct c2s_node *pa = c2s_map_get(d, it, "path", NULL);
			struct c2s_str s = pa ? c2s_scalar(d, pa) : (struct c2s_str){"", 0};
			snprintf(buf, size, "%.*s", (int)s.n, s.p);
		} else if (tg) {
			struct c2s_str s = c2s_scalar(d, tg);
			snprintf(buf, size, "%.*s", (int)s.n, s.p);
		} else {
			const struct c2s_node *src = c2s_map_get(d, it, "source", NULL);
			struct c2s_str s = src ? c2s_scalar(d, src) : (struct c2s_str){"", 0};
			snprintf(buf, size, "%s%.*s", mig_path_match(p, "services.*.secrets") ? "/run/secrets/" : "/", (int)s.n, s.p);
		}
		return buf;
	}
	return NULL;
}

/* Paths where compose-go keeps each item once (EnforceUnicity). */
static int has_indexer(const struct mig_path *p)
{
	static const char *const u[] = {
		"services.*.ports", "services.*.volumes", "services.*.secrets", "services.*.configs", "services.*.expose",
		"services.*.cap_add", "services.*.cap_drop", "services.*.devices", "services.*.links",
		"services.*.profiles", "services.*.dns", "services.*.dns_opt", "services.*.dns_search",
		"services.*.env_file", "services.*.tmpfs", "services.*.extra_hosts", "services.*.networks.*.aliases",
		"services.*.build.cache_from",
	};
	return mig_path_match_any(p, u, sizeof u / sizeof *u);
}

static void merge_map(struct merge *c, const struct c2s_node *tk, const struct c2s_node *tm,
		      const struct c2s_node *om, struct mig_path *p);

/* Which of t's items has this key? -1: none. */
static int64_t find_item(const struct merge *c, const struct mig_path *p, const struct c2s_node *seq, const char *key)
{
	char buf[512];
	for (uint32_t j = 0; j < c2s_count(seq); j++) {
		const char *k = item_key(p, c->t, c2s_seq_item(&c->t->doc, seq, j), buf, sizeof buf);
		if (k && strcmp(k, key) == 0)
			return j;
	}
	return -1;
}

static int same_text(const struct merge *c, const struct c2s_node *a, const struct c2s_node *b)
{
	if (!c2s_is_scalar(a) || !c2s_is_scalar(b))
		return 0;
	struct c2s_str x = c2s_scalar(&c->t->doc, a), y = c2s_scalar(&c->ot->doc, b);
	return x.n == y.n && memcmp(x.p, y.p, x.n) == 0;
}

/* Sequences: the other's items appended, one per key where compose-go keeps each once
 * (uniq: a path of has_indexer's, or a KEY=VALUE list of keyed_paths). */
static void merge_seq(struct merge *c, const struct c2s_node *tk, const struct c2s_node *tv, const struct c2s_node *ov,
		      struct mig_add *pa, const struct mig_path *p, int uniq)
{
	const struct c2s_doc *od = &c->ot->doc;
	struct c2s_str name = c2s_scalar(&c->t->doc, tk);
	for (uint32_t j = 0; j < c2s_count(ov); j++) {
		const struct c2s_node *it = c2s_seq_item(od, ov, j);
		char buf[512];
		const char *key = uniq ? item_key(p, c->ot, it, buf, sizeof buf) : NULL;
		int64_t at = key ? find_item(c, p, tv, key) : -1;
		if (at >= 0) {
			if (c->ot_wins && !same_text(c, c2s_seq_item(&c->t->doc, tv, (uint32_t)at), it))
				mig_op_replace_item(&c->x, tv, (uint32_t)at, c->ot, it);
			continue;
		}
		if (mig_add_copy_item(pa, name.p, name.n, c->ot, it) != 0)
			c->m->nomem = 1;
		c->keys++;
	}
}

/* environment, labels...: merged by KEY whichever form each side is written in. */
static void merge_keyed(struct merge *c, const struct c2s_node *tk, const struct c2s_node *tv,
			const struct c2s_node *ov, struct mig_add *pa, struct mig_path *p)
{
	const struct c2s_doc *td = &c->t->doc, *od = &c->ot->doc;
	if (c2s_is_mapping(tv) && c2s_is_mapping(ov)) {
		merge_map(c, tk, tv, ov, p);  /* it leaves p as it found it */
		return;
	}
	if (c2s_is_sequence(tv) && c2s_is_sequence(ov)) {
		/* [KEY=VALUE] on both sides: keyValueIndexer keeps one item per KEY, the winner's */
		merge_seq(c, tk, tv, ov, pa, p, 1);
		return;
	}
	struct c2s_str name = c2s_scalar(td, tk);
	if (c2s_is_mapping(tv) && c2s_is_sequence(ov)) {
		struct mig_add *a = merge_add(c);
		for (uint32_t j = 0; a && j < c2s_count(ov); j++) {
			struct c2s_str s = c2s_scalar(od, c2s_seq_item(od, ov, j));
			const char *eq = memchr(s.p, '=', s.n);
			size_t kn = eq ? (size_t)(eq - s.p) : s.n;
			const struct c2s_node *ev = c2s_map_getn(td, tv, s.p, kn, NULL);
			if (ev && !c->ot_wins)
				continue;
			struct mig_out *o;
			if (ev) {
				if ((o = mig_op_replace(&c->x, ev)) != NULL) {
					if (eq)
						mo_scalar(o, eq + 1, s.n - kn - 1, 1, c2s_style(tv) == C2S_STYLE_FLOW);
					else
						mo_str(o, "null");
				}
				continue;
			}
			char key[256];
			snprintf(key, sizeof key, "%.*s", (int)kn, s.p);
			if (strchr(key, '.'))
				continue;  /* a dotted name cannot be a path of the tree: left as it was */
			if ((o = mig_add_leaf(a, key)) != NULL) {
				if (eq)
					mo_scalar(o, eq + 1, s.n - kn - 1, 1, 1);
				else
					mo_str(o, "null");
			}
			c->keys++;
		}
		if (a)
			mig_op_add(&c->x, tk, tv, a);
		return;
	}
	if (c2s_is_sequence(tv) && c2s_is_mapping(ov)) {
		for (uint32_t j = 0; j < c2s_count(ov); j++) {
			struct c2s_str k = c2s_scalar(od, c2s_map_key(od, ov, j));
			const struct c2s_node *v = c2s_map_value(od, ov, j);
			char item[2048];
			struct c2s_value val;
			if (c2s_is_scalar(v) && c2s_resolve(od, v, &val) == C2S_TYPE_NULL)
				snprintf(item, sizeof item, "%.*s", (int)k.n, k.p);
			else {
				struct c2s_str vs = c2s_scalar(od, v);
				snprintf(item, sizeof item, "%.*s=%.*s", (int)k.n, k.p, (int)vs.n, vs.p);
			}
			char ik[512];
			snprintf(ik, sizeof ik, "%.*s", (int)k.n, k.p);
			int64_t at = find_item(c, p, tv, ik);
			if (at >= 0 && !c->ot_wins)
				continue;
			if (at >= 0) {
				struct mig_out *o = mig_op_replace(&c->x, c2s_seq_item(td, tv, (uint32_t)at));
				if (o)
					mo_scalar(o, item, strlen(item), 1, c2s_style(tv) == C2S_STYLE_FLOW);
			} else {
				char nm[256];
				snprintf(nm, sizeof nm, "%.*s", (int)name.n, name.p);
				struct mig_out *io = mig_add_item(pa, nm);
				if (io)
					mo_scalar(io, item, strlen(item), 1, 1);
				c->keys++;
			}
		}
		return;
	}
}

/* A value of sequence_paths on both sides, written anew as one flow sequence: the base's
 * items, then the override's (each once). base is t for -f files, ot for extends and include. */
static void merge_to_sequence(struct merge *c, const struct c2s_node *tv, const struct c2s_node *ov)
{
	const struct mig_text *bt = c->ot_wins ? c->t : c->ot, *st = c->ot_wins ? c->ot : c->t;
	const struct c2s_node *bv = c->ot_wins ? tv : ov, *sv = c->ot_wins ? ov : tv;
	struct mig_out *o = mig_op_replace(&c->x, tv);
	if (!o)
		return;
	mo_lit(o, "[", 1);
	int first = 1;
	for (int side = 0; side < 2; side++) {
		const struct mig_text *xt = side ? st : bt;
		const struct c2s_node *xv = side ? sv : bv;
		uint32_t n = c2s_is_sequence(xv) ? c2s_count(xv) : 1;
		for (uint32_t j = 0; j < n; j++) {
			const struct c2s_node *it = c2s_is_sequence(xv) ? c2s_seq_item(&xt->doc, xv, j) : xv;
			if (side && c2s_is_scalar(it)) {  /* an item the base has already */
				struct c2s_str a = c2s_scalar(&xt->doc, it);
				int dup = 0;
				uint32_t bn = c2s_is_sequence(bv) ? c2s_count(bv) : 1;
				for (uint32_t k = 0; k < bn && !dup; k++) {
					const struct c2s_node *b = c2s_is_sequence(bv) ? c2s_seq_item(&bt->doc, bv, k) : bv;
					struct c2s_str e = c2s_is_scalar(b) ? c2s_scalar(&bt->doc, b) : (struct c2s_str){"", 0};
					dup = c2s_is_scalar(b) && e.n == a.n && memcmp(e.p, a.p, a.n) == 0;
				}
				if (dup)
					continue;
			}
			if (!first)
				mo_lit(o, ", ", 2);
			first = 0;
			mo_flow(o, xt, it);
		}
	}
	mo_lit(o, "]", 1);
	c->keys++;
}

/* One value present on both sides. */
static void merge_value(struct merge *c, const struct c2s_node *tm, const struct c2s_node *tk, const struct c2s_node *tv,
			const struct c2s_node *ok, const struct c2s_node *ov, struct mig_add *pa, struct mig_path *p)
{
	const struct c2s_doc *td = &c->t->doc, *od = &c->ot->doc;
	uint32_t ti = entry_of(td, tm, tk);
	/* the winner's !override: its value as it is, no merge */
	if (c->ot_wins && tag_is(od, ov, "!override")) {
		mig_op_replace_entry(&c->x, tm, ti, c->ot, ok, ov);
		return;
	}
	if (!c->ot_wins && tag_is(td, tv, "!override")) {
		mig_op_untag(&c->x, tv);
		return;
	}
	if (mig_path_match_any(p, override_paths, sizeof override_paths / sizeof *override_paths) ||
	    (mig_path_match(p, "services.*.build") && !(c2s_is_mapping(tv) && c2s_is_mapping(ov)))) {
		if (c->ot_wins)
			mig_op_replace_entry(&c->x, tm, ti, c->ot, ok, ov);
		return;
	}
	if (mig_path_match(p, "services.*.logging") && c2s_is_mapping(tv) && c2s_is_mapping(ov)) {
		const struct c2s_node *d1 = c2s_map_get(td, tv, "driver", NULL), *d2 = c2s_map_get(od, ov, "driver", NULL);
		if (d1 && d2 && !same_text(c, d1, d2)) {
			if (c->ot_wins)
				mig_op_replace_entry(&c->x, tm, ti, c->ot, ok, ov);
			return;
		}
	}
	if (mig_path_match_any(p, keyed_paths, sizeof keyed_paths / sizeof *keyed_paths)) {
		merge_keyed(c, tk, tv, ov, pa, p);
		return;
	}
	if (mig_path_match_any(p, sequence_paths, sizeof sequence_paths / sizeof *sequence_paths) &&
	    !c2s_is_mapping(tv) && !c2s_is_mapping(ov) && (!c->ot_wins || !c2s_is_sequence(tv) || !c2s_is_sequence(ov))) {
		merge_to_sequence(c, tv, ov);
		return;
	}
	if (mig_path_match_any(p, named_paths, sizeof named_paths / sizeof *named_paths) &&
	    c2s_kind(tv) != c2s_kind(ov) && !c2s_is_scalar(tv) && !c2s_is_scalar(ov)) {
		/* a list of names on one side, a mapping on the other: names added as the t side writes them */
		if (c2s_is_sequence(tv)) {
			for (uint32_t j = 0; j < c2s_count(ov); j++) {
				const struct c2s_node *n = c2s_map_key(od, ov, j);
				struct c2s_str s = c2s_scalar(od, n), name = c2s_scalar(td, tk);
				char key[512];
				snprintf(key, sizeof key, "%.*s", (int)s.n, s.p);
				if (find_item(c, p, tv, key) >= 0)
					continue;
				char nm[256];
				snprintf(nm, sizeof nm, "%.*s", (int)name.n, name.p);
				struct mig_out *o = mig_add_item(pa, nm);
				if (o)
					mo_scalar(o, key, strlen(key), 1, 1);
			}
		} else {
			struct mig_add *a = merge_add(c);
			for (uint32_t j = 0; a && j < c2s_count(ov); j++) {
				struct c2s_str s = c2s_scalar(od, c2s_seq_item(od, ov, j));
				if (c2s_map_getn(td, tv, s.p, s.n, NULL))
					continue;
				char key[256];
				snprintf(key, sizeof key, "%.*s", (int)s.n, s.p);
				struct mig_out *o = strchr(key, '.') ? NULL : mig_add_leaf(a, key);
				if (o)
					mo_str(o, "{}");
			}
			if (a)
				mig_op_add(&c->x, tk, tv, a);
		}
		return;
	}
	if (c2s_is_mapping(tv) && c2s_is_mapping(ov)) {
		merge_map(c, tk, tv, ov, p);
		return;
	}
	if (c2s_is_sequence(tv) && c2s_is_sequence(ov)) {
		merge_seq(c, tk, tv, ov, pa, p, has_indexer(p));
		return;
	}
	if (c->ot_wins && !same_text(c, tv, ov))
		mig_op_replace_entry(&c->x, tm, ti, c->ot, ok, ov);
}

static void merge_map(struct merge *c, const struct c2s_node *tk, const struct c2s_node *tm,
		      const struct c2s_node *om, struct mig_path *p)
{
	const struct c2s_doc *td = &c->t->doc, *od = &c->ot->doc;
	struct mig_add *a = merge_add(c);
	if (!a || !c2s_is_mapping(tm) || !c2s_is_mapping(om))
		return;
	for (uint32_t i = 0; i < c2s_count(om); i++) {
		const struct c2s_node *ok = c2s_map_key(od, om, i), *ov = c2s_map_value(od, om, i);
		if (!c2s_is_scalar(ok))
			continue;
		struct c2s_str name = c2s_scalar(od, ok);
		if (p->n == 0 && (c2s_str_eq(name, "version") || c2s_str_eq(name, "include")))
			continue;
		if (p->n == 2 && mig_path_match(p, "services.*") && c2s_str_eq(name, "extends"))
			continue;  /* resolved already */
		const struct c2s_node *tk2 = NULL, *tv = c2s_map_getn(td, tm, name.p, name.n, &tk2);
		if (c->ot_wins && tag_is(od, ov, "!reset")) {
			if (tv)
				mig_op_drop(&c->x, tm, entry_of(td, tm, tk2));
			continue;
		}
		if (!c->ot_wins && tv && tag_is(td, tv, "!reset")) {
			mig_op_drop(&c->x, tm, entry_of(td, tm, tk2));
			continue;
		}
		if (!tv) {
			if (!tag_is(od, ov, "!reset") && mig_add_copy(a, c->ot, ok, ov) != 0)
				c->m->nomem = 1;
			c->keys++;
			continue;
		}
		if (mig_path_push(p, name) != 0) {
			if (!c->m->trouble)
				mig_trouble(c->m, "%s: values nested deeper than %d keys and list items through aliases "
					    "(C2S_MAX_DEPTH)", c->ot->src.name, MIG_PATH_MAX);
			return;
		}
		merge_value(c, tm, tk2, tv, ok, ov, a, p);
		p->n--;
	}
	mig_op_add(&c->x, tk, tm, a);
}

int mig_phase_merge(struct mig *m, struct mig_text *base, struct mig_text *o)
{
	const struct c2s_node *broot = c2s_node_at(&base->doc, base->doc.root);
	const struct c2s_node *oroot = c2s_node_at(&o->doc, o->doc.root);
	if (!c2s_is_mapping(broot) || !c2s_is_mapping(oroot))
		return 0;
	struct merge c;
	merge_init(&c, m, base, o, 1);
	struct mig_path p;
	p.n = 0;
	merge_map(&c, NULL, broot, oroot, &p);
	/* said once, at the override file's first key */
	if (c2s_count(oroot)) {
		struct c2s_diag *dg = mig_note_at(m, C2S_R_CS0103, MIG_TRANSLATED, o, c2s_map_key(&o->doc, oroot, 0),
			"%s merged into %s as docker compose merges -f files", o->src.name, base->src.name);
		mig_hint(m, dg, "docker stack deploy -c %s -c %s would merge them otherwise (sequences replaced, "
			 "not appended)", base->src.name, o->src.name);
	}
	return merge_finish(&c, base, 0);
}

/* ---- relative paths from another directory ---- */

/* A path of text written relative to from_dir, as relative to to_dir (kept as it is when
 * absolute, a URL, or ~). */
static int rebase_one(const char *p, size_t n, const char *from, const char *to, char *out, size_t size, int volume)
{
	if (!n || p[0] == '/' || p[0] == '~' || memchr(p, ':', n) || n >= 2048)
		return 0;
	if (volume && p[0] != '.')
		return 0;  /* a named volume */
	char rel[2048], abs[PATH_MAX];
	snprintf(rel, sizeof rel, "%.*s", (int)n, p);
	mig_abs_path(from, rel, abs, sizeof abs);
	mig_rel_path(to, abs, out, size);
	return !(strlen(out) == n && memcmp(out, p, n) == 0);
}

static void rebase_scalar(struct mig_ops *x, const struct mig_text *t, const struct c2s_node *n, const char *from,
			  const char *to, int volume, int flow)
{
	char out[PATH_MAX];
	if (!c2s_is_scalar(n) || !mt_own(n))
		return;
	struct c2s_str s = c2s_scalar(&t->doc, n);
	if (!rebase_one(s.p, s.n, from, to, out, sizeof out, volume))
		return;
	struct mig_out *o = mig_op_replace(x, n);
	if (o)
		mo_scalar(o, out, strlen(out), 1, flow);
}

/* Rewrite the relative paths of t (paths/resolve.go's list) from from_dir to to_dir. */
int mig_rebase(struct mig *m, struct mig_text *t, const char *from, const char *to)
{
	if (strcmp(from, to) == 0)
		return 0;
	const struct c2s_doc *d = &t->doc;
	const struct c2s_node *root = c2s_node_at(d, d->root);
	struct mig_ops x;
	mig_ops_init(&x, m, t);
	const struct c2s_node *svcs = c2s_map_get(d, root, "services", NULL);
	for (uint32_t i = 0; c2s_is_mapping(svcs) && i < c2s_count(svcs); i++) {
		const struct c2s_node *svc = c2s_map_value(d, svcs, i);
		if (!c2s_is_mapping(svc))
			continue;
		const struct c2s_node *v = c2s_map_get(d, svc, "volumes", NULL);
		for (uint32_t j = 0; c2s_is_sequence(v) && j < c2s_count(v); j++) {
			const struct c2s_node *it = c2s_seq_item(d, v, j);
			int flow = c2s_style(v) == C2S_STYLE_FLOW;
			if (c2s_is_scalar(it) && mt_own(it)) {
				struct c2s_str s = c2s_scalar(d, it);
				const char *c1 = memchr(s.p, ':', s.n);
				char out[PATH_MAX];
				if (c1 && rebase_one(s.p, (size_t)(c1 - s.p), from, to, out, sizeof out, 1)) {
					char whole[PATH_MAX + 1024];
					snprintf(whole, sizeof whole, "%s%.*s", out, (int)(s.p + s.n - c1), c1);
					struct mig_out *o = mig_op_replace(&x, it);
					if (o)
						mo_scalar(o, whole, strlen(whole), 1, flow);
				}
			} else if (c2s_is_mapping(it)) {
				const struct c2s_node *ty = c2s_map_get(d, it, "type", NULL);
				if (c2s_scalar_is(d, ty, "bind"))
					rebase_scalar(&x, t, c2s_map_get(d, it, "source", NULL), from, to, 0,
						      c2s_style(it) == C2S_STYLE_FLOW);
			}
		}
		const struct c2s_node *ef = c2s_map_get(d, svc, "env_file", NULL);
		if (c2s_is_scalar(ef))
			rebase_scalar(&x, t, ef, from, to, 0, 0);
		for (uint32_t j = 0; c2s_is_sequence(ef) && j < c2s_count(ef); j++) {
			const struct c2s_node *it = c2s_seq_item(d, ef, j);
			rebase_scalar(&x, t, c2s_is_mapping(it) ? c2s_map_get(d, it, "path", NULL) : it, from, to, 0,
				      c2s_style(ef) == C2S_STYLE_FLOW || c2s_style(it) == C2S_STYLE_FLOW);
		}
		const struct c2s_node *b = c2s_map_get(d, svc, "build", NULL);
		rebase_scalar(&x, t, c2s_is_mapping(b) ? c2s_map_get(d, b, "context", NULL) : b, from, to, 0,
			      c2s_is_mapping(b) && c2s_style(b) == C2S_STYLE_FLOW);
		const struct c2s_node *ex = c2s_map_get(d, svc, "extends", NULL);
		if (c2s_is_mapping(ex))
			rebase_scalar(&x, t, c2s_map_get(d, ex, "file", NULL), from, to, 0, c2s_style(ex) == C2S_STYLE_FLOW);
	}
	static const char *const objs[] = {"secrets", "configs"};
	for (int k = 0; k < 2; k++) {
		const struct c2s_node *os = c2s_map_get(d, root, objs[k], NULL);
		for (uint32_t i = 0; c2s_is_mapping(os) && i < c2s_count(os); i++) {
			const struct c2s_node *ob = c2s_map_value(d, os, i);
			if (c2s_is_mapping(ob))
				rebase_scalar(&x, t, c2s_map_get(d, ob, "file", NULL), from, to, 0,
					      c2s_style(ob) == C2S_STYLE_FLOW);
		}
	}
	struct mig_text next;
	int rc = mig_ops_apply(&x, &next);
	mig_ops_free(&x);
	if (rc == 0)
		mig_text_replace(t, &next);
	return rc;
}

/* ---- extends ---- */

/* The base of an extends: a service of t, or of another file made ready (its own
 * variables, extends and paths). */
static int load_other(struct mig *m, const char *path, const struct c2s_env *env, struct mig_text *out,
		      const char *to_dir, int with_include)
{
	struct c2s_source *src = mig_read(m, path, NULL);
	if (!src)
		return -1;
	char abs[PATH_MAX], dir[PATH_MAX];
	mig_abs_path(".", path, abs, sizeof abs);
	if (path[0] != '/') {
		char cwd[PATH_MAX];
		if (getcwd(cwd, sizeof cwd))
			mig_abs_path(cwd, path, abs, sizeof abs);
	}
	mig_dir_name(abs, dir, sizeof dir);
	size_t before = m->diags.n;
	struct c2s_doc doc;
	enum c2s_load_status st = c2s_load(&doc, src, &m->diags);
	int bad = st != C2S_LOAD_OK;
	for (size_t i = before; i < m->diags.n; i++)
		if (m->diags.items[i].severity == C2S_SEVERITY_ERROR)
			bad = 1;
	c2s_doc_free(&doc);
	if (bad || mig_text_from_source(m, out, src, dir) != 0)
		return -1;
	m->depth++;
	int rc = 0;
	if (m->depth > C2S_MIGRATE_MAX_NESTING) {
		mig_trouble(m, "%s: extends or include nested deeper than %d files (C2S_MIGRATE_MAX_NESTING)", path,
			    C2S_MIGRATE_MAX_NESTING);
		rc = -1;
	}
	if (rc == 0)
		rc = mig_phase_interpolate(m, out, env);
	if (rc == 0)
		rc = mig_phase_include_extends(m, out, env);
	(void)with_include;
	if (rc == 0 && to_dir)
		rc = mig_rebase(m, out, dir, to_dir);
	m->depth--;
	return rc;
}

static int extends_pass(struct mig *m, struct mig_text *t, const struct c2s_env *env, int *left)
{
	const struct c2s_doc *d = &t->doc;
	const struct c2s_node *root = c2s_node_at(d, d->root);
	const struct c2s_node *svcs = c2s_map_get(d, root, "services", NULL);
	*left = 0;
	if (!c2s_is_mapping(svcs))
		return 0;
	/* one service per pass: its base may live in another file, merged into t alone */
	for (uint32_t i = 0; i < c2s_count(svcs); i++) {
		const struct c2s_node *sk = c2s_map_key(d, svcs, i), *svc = c2s_map_value(d, svcs, i);
		const struct c2s_node *ek, *ev = c2s_map_get(d, svc, "extends", &ek);
		if (!ev)
			continue;
		(*left)++;
		struct c2s_str sn = c2s_scalar(d, sk);
		const struct c2s_node *bs = c2s_is_mapping(ev) ? c2s_map_get(d, ev, "service", NULL) : ev;
		const struct c2s_node *bf = c2s_is_mapping(ev) ? c2s_map_get(d, ev, "file", NULL) : NULL;
		struct c2s_str bname = c2s_is_scalar(bs) ? c2s_scalar(d, bs) : (struct c2s_str){"", 0};
		if (!bname.n) {
			mig_note_at(m, C2S_R_CS0103, MIG_NEEDS_YOU, t, ek, "extends.%.*s.service is required", (int)sn.n, sn.p);
			return -1;
		}
		struct mig_text other;
		const struct mig_text *bt = t;
		int own = 0;
		memset(&other, 0, sizeof other);
		char fname[PATH_MAX] = "";
		if (bf) {
			struct c2s_str f = c2s_scalar(d, bf);
			char rel[PATH_MAX];
			snprintf(rel, sizeof rel, "%.*s", (int)f.n, f.p);
			mig_abs_path(t->dir[0] ? t->dir : ".", rel, fname, sizeof fname);
			if (load_other(m, fname, env, &other, t->dir, 0) != 0) {
				mig_text_free(&other);
				return -1;
			}
			bt = &other;
			own = 1;
		}
		const struct c2s_node *broot = c2s_node_at(&bt->doc, bt->doc.root);
		const struct c2s_node *bsvcs = c2s_map_get(&bt->doc, broot, "services", NULL);
		const struct c2s_node *base = c2s_map_getn(&bt->doc, bsvcs, bname.p, bname.n, NULL);
		if (!c2s_is_mapping(base)) {
			mig_note_at(m, C2S_R_CS0103, MIG_NEEDS_YOU, t, bs, "cannot extend service \"%.*s\": service \"%.*s\" not "
				    "found%s%s", (int)sn.n, sn.p, (int)bname.n, bname.p, bf ? " in " : "", bf ? fname : "");
			if (own)
				mig_text_free(&other);
			return -1;
		}
		if (!own && c2s_map_get(&bt->doc, base, "extends", NULL)) {
			if (c2s_map_value(d, svcs, i) == base || m->depth > C2S_MIGRATE_MAX_NESTING)
				continue;
			continue;  /* its base first: a later pass */
		}
		struct merge c;
		merge_init(&c, m, t, bt, 0);
		mig_op_drop(&c.x, svc, entry_of(d, svc, ek));
		struct mig_path p = {.n = 0};
		mig_path_push(&p, (struct c2s_str){"services", 8});
		mig_path_push(&p, sn);
		merge_map(&c, sk, svc, base, &p);
		struct c2s_str bfs = bf ? c2s_scalar(d, bf) : (struct c2s_str){"", 0};
		mig_note_at(m, C2S_R_CS0103, MIG_TRANSLATED, t, ek,
			    "extends: service %.*s takes the keys of service %.*s%s%.*s that it does not set itself, as "
			    "docker compose does (docker stack deploy refuses extends)", (int)sn.n, sn.p, (int)bname.n,
			    bname.p, bf ? " of " : "", (int)bfs.n, bfs.p);
		int rc = merge_finish(&c, t, 0);
		if (own)
			mig_text_free(&other);
		return rc == 0 ? 1 : -1;
	}
	return 0;
}

static int resolve_extends(struct mig *m, struct mig_text *t, const struct c2s_env *env)
{
	for (int pass = 0; pass < 4096; pass++) {
		int left = 0, rc = extends_pass(m, t, env, &left);
		if (rc < 0)
			return -1;
		if (rc == 0) {
			if (left) {
				const struct c2s_node *root = c2s_node_at(&t->doc, t->doc.root);
				const struct c2s_node *svcs = c2s_map_get(&t->doc, root, "services", NULL);
				for (uint32_t i = 0; i < c2s_count(svcs); i++) {
					const struct c2s_node *k;
					if (c2s_map_get(&t->doc, c2s_map_value(&t->doc, svcs, i), "extends", &k)) {
						mig_note_at(m, C2S_R_CS0103, MIG_NEEDS_YOU, t, k,
							    "extends: a cycle (services that extend each other)");
						break;
					}
				}
				return -1;
			}
			return 0;
		}
	}
	return 0;
}

/* ---- include ---- */

/* The project's environment (the process's, then its env files'), for an include. */
static struct c2s_env *include_env(struct mig *m)
{
	struct c2s_env *e = c2s_env_new(m->o->envp);
	if (!e) {
		m->nomem = 1;
		return NULL;
	}
	size_t vl;
	for (size_t i = 0; i < m->nvars; i++)
		if (!c2s_env_get(e, m->vars[i].name, strlen(m->vars[i].name), &vl))
			c2s_env_set(e, m->vars[i].name, strlen(m->vars[i].name), m->vars[i].value, strlen(m->vars[i].value));
	if (!c2s_env_get(e, "COMPOSE_PROJECT_NAME", 20, &vl))
		c2s_env_set(e, "COMPOSE_PROJECT_NAME", 20, m->project, strlen(m->project));
	return e;
}

struct add_var_ctx {
	struct c2s_env *e;
};

static int add_var_if_unset(void *ctx, const char *k, size_t kn, const char *v, size_t vn)
{
	struct add_var_ctx *c = ctx;
	size_t vl;
	if (kn && !c2s_env_get(c->e, k, kn, &vl))
		return c2s_env_set(c->e, k, kn, v, vn);
	return 0;
}

/* An env file of an included project: the variables it sets that env does not have yet.
 * 0, or -1 (reported). */
static int include_env_file(struct mig *m, const char *path, struct c2s_env *env)
{
	struct c2s_source *src = mig_read(m, path, NULL);
	if (!src)
		return -1;
	char err[1024];
	struct add_var_ctx ac = {env};
	if (mig_dotenv_parse(src->data, src->len, env, add_var_if_unset, &ac, err, sizeof err) != 0) {
		mig_trouble(m, "failed to read %s: %s", path, err);
		return -1;
	}
	return 0;
}

static int resolve_include(struct mig *m, struct mig_text *t, const struct c2s_env *env)
{
	(void)env;
	const struct c2s_doc *d = &t->doc;
	const struct c2s_node *root = c2s_node_at(d, d->root);
	const struct c2s_node *ik, *iv = c2s_map_get(d, root, "include", &ik);
	if (!iv)
		return 0;
	if (!c2s_is_sequence(iv)) {
		mig_note_at(m, C2S_R_CS0103, MIG_NEEDS_YOU, t, ik, "`include` must be a list");
		return -1;
	}
	/* each include made one text, then its resources added to t (t's own win); t is
	 * rewritten after each, so the list is looked up again every time */
	uint32_t nitems = c2s_count(iv);
	for (uint32_t i = 0; i < nitems; i++) {
		d = &t->doc;
		root = c2s_node_at(d, d->root);
		iv = c2s_map_get(d, root, "include", &ik);
		const struct c2s_node *it = c2s_seq_item(d, iv, i);
		const struct c2s_node *pv = c2s_is_mapping(it) ? c2s_map_get(d, it, "path", NULL) : it;
		const struct c2s_node *pd = c2s_is_mapping(it) ? c2s_map_get(d, it, "project_directory", NULL) : NULL;
		const struct c2s_node *ef = c2s_is_mapping(it) ? c2s_map_get(d, it, "env_file", NULL) : NULL;
		uint32_t np = c2s_is_sequence(pv) ? c2s_count(pv) : 1;
		if (!pv || np == 0) {
			mig_note_at(m, C2S_R_CS0103, MIG_NEEDS_YOU, t, it, "include: an item without a path");
			return -1;
		}
		char first[PATH_MAX], projdir[PATH_MAX];
		struct c2s_str f0 = c2s_scalar(d, c2s_is_sequence(pv) ? c2s_seq_item(d, pv, 0) : pv);
		char rel[PATH_MAX];
		snprintf(rel, sizeof rel, "%.*s", (int)f0.n, f0.p);
		mig_abs_path(t->dir, rel, first, sizeof first);
		if (pd) {
			struct c2s_str s = c2s_scalar(d, pd);
			snprintf(rel, sizeof rel, "%.*s", (int)s.n, s.p);
			mig_abs_path(t->dir, rel, projdir, sizeof projdir);
		} else {
			mig_dir_name(first, projdir, sizeof projdir);
		}
		struct c2s_env *ienv = include_env(m);
		if (!ienv)
			return -1;
		/* the include's env files (its project directory's .env by default): they set only
		 * what the project's environment does not (loader/include.go: Clone().Merge()) */
		{
			char envpath[PATH_MAX + 8];
			if (!ef) {
				snprintf(envpath, sizeof envpath, "%s/.env", projdir);
				struct stat st;
				if (stat(envpath, &st) == 0 && !S_ISDIR(st.st_mode)) {
					if (include_env_file(m, envpath, ienv) != 0) {
						c2s_env_free(ienv);
						return -1;
					}
				}
			} else {
				uint32_t n = c2s_is_sequence(ef) ? c2s_count(ef) : 1;
				for (uint32_t j = 0; j < n; j++) {
					const struct c2s_node *e = c2s_is_sequence(ef) ? c2s_seq_item(d, ef, j) : ef;
					struct c2s_str s = c2s_scalar(d, e);
					snprintf(rel, sizeof rel, "%.*s", (int)s.n, s.p);
					if (strcmp(rel, "/dev/null") == 0)
						continue;
					mig_abs_path(t->dir, rel, envpath, sizeof envpath);
					if (include_env_file(m, envpath, ienv) != 0) {
						c2s_env_free(ienv);
						return -1;
					}
				}
			}
		}
		/* the included project: its first file, its overrides merged in */
		struct mig_text inc[8];
		uint32_t ninc = np < 8 ? np : 8;
		memset(inc, 0, sizeof inc);
		int rc = 0;
		for (uint32_t j = 0; j < ninc && rc == 0; j++) {
			struct c2s_str fj = c2s_scalar(d, c2s_is_sequence(pv) ? c2s_seq_item(d, pv, j) : pv);
			char absj[PATH_MAX];
			snprintf(rel, sizeof rel, "%.*s", (int)fj.n, fj.p);
			mig_abs_path(t->dir, rel, absj, sizeof absj);
			rc = load_other(m, absj, ienv, &inc[j], NULL, 1);
			/* the include's files read paths from its project directory */
			if (rc == 0 && strcmp(inc[j].dir, projdir) != 0) {
				free(inc[j].dir);
				inc[j].dir = strdup(projdir);
			}
		}
		for (uint32_t j = 1; j < ninc && rc == 0; j++)
			rc = mig_phase_merge(m, &inc[0], &inc[j]);
		if (rc == 0)
			rc = mig_rebase(m, &inc[0], projdir, t->dir);
		if (rc == 0) {
			struct merge c;
			merge_init(&c, m, t, &inc[0], 0);
			struct mig_path p;
			p.n = 0;
			const struct c2s_node *iroot = c2s_node_at(&inc[0].doc, inc[0].doc.root);
			/* only the resources: services, volumes, networks, secrets, configs */
			static const char *const res[] = {"services", "volumes", "networks", "secrets", "configs"};
			struct mig_add *a = merge_add(&c);
			for (int r = 0; a && r < 5; r++) {
				const struct c2s_node *ok, *ov = c2s_map_get(&inc[0].doc, iroot, res[r], &ok);
				if (!c2s_is_mapping(ov))
					continue;
				const struct c2s_node *tk, *tv = c2s_map_get(d, root, res[r], &tk);
				if (!tv) {
					mig_add_copy(a, &inc[0], ok, ov);
					continue;
				}
				p.n = 0;
				mig_path_push(&p, (struct c2s_str){res[r], strlen(res[r])});
				merge_map(&c, tk, tv, ov, &p);
			}
			mig_op_add(&c.x, NULL, root, a);
			if (i + 1 == nitems)
				mig_op_drop(&c.x, root, entry_of(d, root, ik));
			mig_note_at(m, C2S_R_CS0103, MIG_TRANSLATED, t, it,
				    "include: %.*s inlined: its services, networks, volumes, secrets and configs added where "
				    "%s does not define them itself (docker stack has no include)", (int)f0.n, f0.p, t->src.name);
			rc = merge_finish(&c, t, 0);
		}
		for (uint32_t j = 0; j < ninc; j++)
			mig_text_free(&inc[j]);
		c2s_env_free(ienv);
		if (rc != 0)
			return -1;
	}
	return 0;
}

int mig_phase_include_extends(struct mig *m, struct mig_text *t, const struct c2s_env *env)
{
	if (resolve_include(m, t, env) != 0)
		return -1;
	return resolve_extends(m, t, env);
}
