/* check.c -- helpers shared by rule checks: service shape, values as docker/cli reads them, fixes. */
#include "config.h"
#include "check.h"
#include "edit.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct c2s_str c2s_service_mode(const struct c2s_doc *d, const struct c2s_node *svc)
{
	const struct c2s_node *deploy = c2s_map_get(d, svc, "deploy", NULL);
	const struct c2s_node *mode = c2s_map_get(d, deploy, "mode", NULL);
	if (c2s_is_scalar(mode) && c2s_count(mode))
		return c2s_scalar(d, mode);
	return (struct c2s_str){"replicated", 10};
}

const struct c2s_str c2s_svc_key_names[C2S_SK_ALL] = {
#define C2S_SK_NAME(id, name) {name, sizeof name - 1},
	C2S_SVC_KEYS(C2S_SK_NAME)
	C2S_DEPLOY_KEYS(C2S_SK_NAME)
	{"", 0},
	C2S_SVC_RARE_KEYS(C2S_SK_NAME)
#undef C2S_SK_NAME
};

/* Key names to ids, by open addressing: a service has some 15 keys, 10,000 services
 * some 150,000, each matched once. */
enum { KEY_SLOTS = 128 };
struct key_ids {
	uint8_t slot[KEY_SLOTS];  /* 1 + an enum c2s_svc_key; 0 empty */
};

static unsigned key_hash(const char *p, size_t n)
{
	return (unsigned)(n * 31u + (unsigned char)p[0] * 7u + (unsigned char)p[n - 1] * 3u +
			  (unsigned char)p[n / 2]) % KEY_SLOTS;
}

static void key_ids_add(struct key_ids *t, unsigned from, unsigned to)
{
	for (unsigned k = from; k < to; k++) {
		unsigned h = key_hash(c2s_svc_key_names[k].p, c2s_svc_key_names[k].n);
		while (t->slot[h])
			h = (h + 1) % KEY_SLOTS;
		t->slot[h] = (uint8_t)(k + 1);
	}
}

/* 1 + the id of key node k, 0 for another key (or one that is not a scalar): the
 * bytes c2s_map_getn compares. */
static unsigned key_id(const struct c2s_doc *d, const struct key_ids *t, const struct c2s_node *k)
{
	if (c2s_kind(k) != C2S_SCALAR || c2s_count(k) == 0 || c2s_count(k) > 32)
		return 0;
	struct c2s_str s = c2s_scalar(d, k);
	for (unsigned h = key_hash(s.p, s.n); t->slot[h]; h = (h + 1) % KEY_SLOTS) {
		struct c2s_str name = c2s_svc_key_names[t->slot[h] - 1];
		if (name.n == s.n && memcmp(name.p, s.p, s.n) == 0)
			return t->slot[h];
	}
	return 0;
}

const struct c2s_node *c2s_svc_table_far(const struct c2s_doc *d, const struct c2s_node *services, uint32_t i,
					 enum c2s_svc_key k, const struct c2s_node **keynode)
{
	const struct c2s_node *m = c2s_map_value(d, services, i);
	if (k >= C2S_SK_DEPLOY_FIRST && k < C2S_SK_N)
		m = c2s_map_get(d, m, "deploy", NULL);
	return c2s_map_getn(d, m, c2s_svc_key_names[k].p, c2s_svc_key_names[k].n, keynode);
}

/* Mapping m's keys of table t into row (1 + the first position of each, C2S_SK_FAR
 * past 253, as c2s_map_get finds it) and rare (a bit per rare key). */
static void key_row(const struct c2s_doc *d, const struct key_ids *t, const struct c2s_node *m,
		    uint8_t *row, uint32_t *rare)
{
	uint32_t at[2] = {0, 0}, cnt[2] = {0, 0}, p = 0;
	if (!c2s_is_mapping(m))  /* deploy: with no value (docker accepts it) */
		return;
	for (unsigned r = 0, runs = c2s_map_runs(d, m, at, cnt); r < runs; r++)
		for (uint32_t j = 0; j < cnt[r]; j++, p++) {
			unsigned id = key_id(d, t, &d->nodes[at[r] + 2 * j]);
			if (id > C2S_SK_N)
				*rare |= C2S_SK_RARE_BIT(id - 1);
			else if (id && !row[id - 1])
				row[id - 1] = p < C2S_SK_FAR - 1 ? (uint8_t)(p + 1) : C2S_SK_FAR;
		}
}

struct c2s_svc_table *c2s_svc_table_make(struct c2s_doc *d, const struct c2s_node *services)
{
	if (!c2s_is_mapping(services))
		return NULL;
	uint32_t at = (uint32_t)(services - d->nodes);
	if (d->svc_table && d->svc_table->services == at)
		return d->svc_table;
	uint32_t n = c2s_count(services);
	struct c2s_svc_table *tab = c2s_arena_alloc(&d->arena, sizeof *tab);
	uint8_t *t = tab ? c2s_arena_alloc(&d->arena, (n ? n : 1) * (size_t)C2S_SK_N) : NULL;
	uint32_t *rare = t ? c2s_arena_alloc(&d->arena, (n ? n : 1) * sizeof *rare) : NULL;
	if (!rare)
		return NULL;
	struct key_ids st = {{0}}, dt = {{0}};
	key_ids_add(&st, 0, C2S_SK_DEPLOY_FIRST);
	key_ids_add(&st, C2S_SK_N + 1, C2S_SK_ALL);
	key_ids_add(&dt, C2S_SK_DEPLOY_FIRST, C2S_SK_N);
	for (uint32_t j = 0; j < n; j++) {
		const struct c2s_node *svc = c2s_map_value(d, services, j);
		uint8_t *row = t + (size_t)j * C2S_SK_N;  /* zeroed by the arena */
		if (!c2s_is_mapping(svc))
			continue;
		key_row(d, &st, svc, row, &rare[j]);
		if (row[C2S_SK_DEPLOY] && row[C2S_SK_DEPLOY] != C2S_SK_FAR) {
			uint32_t unused = 0;
			key_row(d, &dt, c2s_map_value(d, svc, row[C2S_SK_DEPLOY] - 1u), row, &unused);
		}
	}
	tab->services = at;
	tab->keys = t;
	tab->rare = rare;
	d->svc_table = tab;
	return tab;
}

const struct c2s_node *c2s_svc_key_slow(struct c2s_check *c, uint32_t i, enum c2s_svc_key k,
					const struct c2s_node **keynode)
{
	const struct c2s_svc_table *t = c2s_svc_table_make(c->doc, c->services);
	if (!t)  /* out of memory: look it up */
		return c2s_svc_table_far(c->doc, c->services, i, k, keynode);
	c->svc_table = t;
	return c2s_svc_table_get(c->doc, t, c->services, i, k, keynode);
}

struct c2s_str c2s_svc_mode(struct c2s_check *c, uint32_t i)
{
	const struct c2s_node *mode = c2s_svc_key(c, i, C2S_SK_DEPLOY_MODE, NULL);
	if (c2s_is_scalar(mode) && c2s_count(mode))
		return c2s_scalar(c->doc, mode);
	return (struct c2s_str){"replicated", 10};
}

int c2s_svc_replicas(struct c2s_check *c, uint32_t i, uint64_t *n)
{
	struct c2s_str mode = c2s_svc_mode(c, i);
	if (!c2s_str_eq(mode, "replicated") && mode.n)
		return -1;
	const struct c2s_node *r = c2s_svc_key(c, i, C2S_SK_DEPLOY_REPLICAS, NULL);
	if (!r) {
		*n = 1;
		return 0;
	}
	return c2s_node_uint(c->doc, r, n);
}

int c2s_engine_at_least(const struct c2s_check *c, int major, int minor)
{
	if (c->engine_major == 0 && c->engine_minor == 0)
		return -1;
	if (c->engine_major != major)
		return c->engine_major > major;
	return c->engine_minor >= minor;
}

int c2s_str_eq(struct c2s_str s, const char *t)
{
	size_t n = strlen(t);
	return s.n == n && memcmp(s.p, t, n) == 0;
}

int c2s_node_duration(const struct c2s_doc *d, const struct c2s_node *n, int64_t *ns)
{
	if (!c2s_is_scalar(n))
		return -1;
	struct c2s_str s = c2s_scalar(d, n);
	return c2s_duration_parse(s.p, s.n, ns, NULL, 0) == 0 ? 0 : -1;
}

int c2s_node_uint(const struct c2s_doc *d, const struct c2s_node *n, uint64_t *v)
{
	struct c2s_value val;
	if (!c2s_is_scalar(n))
		return -1;
	enum c2s_type t = c2s_resolve(d, n, &val);
	if (t == C2S_TYPE_INT && val.i >= 0) {
		*v = (uint64_t)val.i;
		return 0;
	}
	if (t == C2S_TYPE_UINT) {
		*v = val.u;
		return 0;
	}
	if (t == C2S_TYPE_STRING) {
		struct c2s_str s = c2s_scalar(d, n);
		uint64_t x = 0;
		if (s.n == 0 || s.n > 18)
			return -1;
		for (size_t i = 0; i < s.n; i++) {
			if (s.p[i] < '0' || s.p[i] > '9')
				return -1;
			x = x * 10 + (uint64_t)(s.p[i] - '0');
		}
		*v = x;
		return 0;
	}
	return -1;
}

int c2s_service_replicas(const struct c2s_doc *d, const struct c2s_node *svc, uint64_t *n)
{
	struct c2s_str mode = c2s_service_mode(d, svc);
	if (!c2s_str_eq(mode, "replicated") && mode.n)
		return -1;
	const struct c2s_node *deploy = c2s_map_get(d, svc, "deploy", NULL);
	const struct c2s_node *r = c2s_map_get(d, deploy, "replicas", NULL);
	if (!r) {
		*n = 1;
		return 0;
	}
	return c2s_node_uint(d, r, n);
}

/* ---- compose-spec keys that no v3 schema has ---- */

struct spec_key {
	const char *key;
	const char *hint;
};

static const struct spec_key spec_top[] = {
	{"include", "docker stack has no include: pass each file with -c (docker stack deploy -c base.yml -c extra.yml)"},
	{"models", "models are a docker compose feature; swarm has no equivalent"},
	{"name", "the stack's name is the last argument of docker stack deploy -c FILE NAME; remove the key"},
};

static const struct spec_key spec_service[] = {
	{"annotations", "use labels (container labels) or deploy.labels (service labels)"},
	{"attach", "attach is a docker compose option for `up`; drop it for swarm"},
	{"blkio_config", "swarm services have no block-IO limits; drop it"},
	{"cpu_count", "use deploy.resources.limits.cpus"},
	{"cpu_percent", "use deploy.resources.limits.cpus"},
	{"cpu_period", "use deploy.resources.limits.cpus"},
	{"cpu_rt_period", "swarm services have no realtime CPU settings; drop it"},
	{"cpu_rt_runtime", "swarm services have no realtime CPU settings; drop it"},
	{"cpus", "use deploy.resources.limits.cpus"},
	{"develop", "develop (watch) is a docker compose feature; drop it for swarm"},
	{"device_cgroup_rules", "swarm services cannot be given device cgroup rules; drop it"},
	{"dns_opt", "Compose v3 has no dns_opt; set options in the image's /etc/resolv.conf handling or drop it"},
	{"gpus", "use deploy.resources.reservations.generic_resources with the nodes' advertised GPU resources"},
	{"group_add", "Compose v3 has no group_add; set the groups in the image"},
	{"label_file", "write the labels under labels or deploy.labels"},
	{"mem_reservation", "use deploy.resources.reservations.memory"},
	{"mem_swappiness", "swarm services have no swappiness setting; drop it"},
	{"models", "models are a docker compose feature; swarm has no equivalent"},
	{"oom_kill_disable", "swarm services cannot disable the OOM killer; drop it"},
	{"pids_limit", "use deploy.resources.limits.pids (file version 3.13)"},
	{"platform", "use a placement constraint: deploy.placement.constraints: [node.platform.arch == x86_64]"},
	{"post_start", "lifecycle hooks are a docker compose feature; run the step in the entrypoint"},
	{"pre_stop", "lifecycle hooks are a docker compose feature; handle the stop signal in the process"},
	{"profiles", "docker stack has no profiles: keep optional services in another file and add it with -c"},
	{"provider", "providers are a docker compose feature; swarm has no equivalent"},
	{"pull_policy", "docker stack deploy resolves images itself; see its --resolve-image option"},
	{"runtime", "swarm services cannot choose a runtime; drop it"},
	{"scale", "use deploy.replicas"},
	{"storage_opt", "swarm services have no storage options; drop it"},
	{"use_api_socket", "mount the socket as a bind volume instead"},
	{"uts", "swarm services have no uts mode; drop it"},
	{"volumes_from", NULL}, /* forbidden: front reports it (CS4xxx) */
};

const char *c2s_compose_spec_hint(int top, struct c2s_str key)
{
	const struct spec_key *t = top ? spec_top : spec_service;
	size_t n = top ? sizeof spec_top / sizeof *spec_top : sizeof spec_service / sizeof *spec_service;
	for (size_t i = 0; i < n; i++)
		if (c2s_str_eq(key, t[i].key))
			return t[i].hint;
	return NULL;
}

/* ---- fixes: delete whole lines ---- */

void c2s_fix_remove_entry(const struct c2s_check *c, struct c2s_diag *dg,
			  const struct c2s_node *key, const struct c2s_node *value)
{
	const struct c2s_doc *d = c->doc;
	if (!dg || !key || !value)
		return;
	/* an anchored entry is used elsewhere, an aliased one is written elsewhere */
	if ((c2s_flags(key) | c2s_flags(value)) & (C2S_NODE_ALIAS | C2S_NODE_ANCHOR))
		return;
	uint32_t ls, le;
	if (c2s_ed_entry_lines(d, key, value, &ls, &le) != 0 || le <= ls)
		return;
	if (d->src->nparts) {  /* a merged stack: the edit belongs to the file the span is in */
		uint32_t inner = ls, last = le - 1;
		struct c2s_source *part = c2s_source_part_of(d->src, &inner);
		if (part != c2s_diag_src(c->diags, dg) || c2s_source_part_of(d->src, &last) != part)
			return;
		le -= ls - inner;
		ls = inner;
	}
	c2s_diag_fix(c->diags, dg, ls, le);
}

/* ---- key sets ---- */

static uint32_t hash_str(struct c2s_str s)
{
	uint32_t h = 2166136261u;
	for (size_t i = 0; i < s.n; i++)
		h = (h ^ (unsigned char)s.p[i]) * 16777619u;
	return h;
}

/* The keyset of map, its slots from arena (NULL: malloc'd, for c2s_keyset_free). */
static int keyset_init(struct c2s_keyset *k, const struct c2s_doc *d, const struct c2s_node *map,
		       struct c2s_arena *arena)
{
	memset(k, 0, sizeof *k);
	k->doc = d;
	if (!c2s_is_mapping(map) || c2s_count(map) == 0)
		return 0;
	uint32_t n = c2s_count(map), cap = 8;
	while (cap < 2 * n)
		cap *= 2;
	k->slots = arena ? c2s_arena_alloc(arena, cap * sizeof *k->slots) : calloc(cap, sizeof *k->slots);
	if (!k->slots)
		return -1;
	k->map = map;
	k->mask = cap - 1;
	for (uint32_t i = 0; i < n; i++) {
		const struct c2s_node *key = c2s_map_key(d, map, i);
		if (!c2s_is_scalar(key))
			continue;
		struct c2s_str s = c2s_scalar(d, key);
		uint32_t h = hash_str(s) & k->mask;
		while (k->slots[h])
			h = (h + 1) & k->mask;
		k->slots[h] = i + 1;
	}
	return 0;
}

int c2s_keyset_init(struct c2s_keyset *k, const struct c2s_doc *d, const struct c2s_node *map)
{
	return keyset_init(k, d, map, NULL);
}

const struct c2s_keyset *c2s_check_top_volumes(struct c2s_check *c, const struct c2s_node **volumes)
{
	const struct c2s_node *top = c2s_map_get(c->doc, c->root, "volumes", NULL);
	*volumes = top;
	if (!c2s_is_mapping(top))
		return NULL;
	if (!c->top_volume_keys) {
		struct c2s_keyset *k = c2s_arena_alloc(&c->doc->arena, sizeof *k);
		if (!k || keyset_init(k, c->doc, top, &c->doc->arena) != 0)
			return NULL;
		c->top_volume_keys = k;
	}
	return c->top_volume_keys;
}

int64_t c2s_keyset_find(const struct c2s_keyset *k, struct c2s_str key)
{
	if (!k->slots)
		return -1;
	for (uint32_t h = hash_str(key) & k->mask; k->slots[h]; h = (h + 1) & k->mask) {
		uint32_t i = k->slots[h] - 1;
		struct c2s_str s = c2s_scalar(k->doc, c2s_map_key(k->doc, k->map, i));
		if (s.n == key.n && memcmp(s.p, key.p, s.n) == 0)
			return i;
	}
	return -1;
}

void c2s_keyset_free(struct c2s_keyset *k)
{
	free(k->slots);
	k->slots = NULL;
}
