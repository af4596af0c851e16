/* check.h -- what a rule's check function sees: one loaded stack, and where to report. */
#ifndef C2S_CHECK_H
#define C2S_CHECK_H

#include "ast.h"
#include "diag.h"
#include "goval.h"

struct c2s_keyset;

struct c2s_check {
	struct c2s_doc *doc;
	const struct c2s_node *root;      /* the top-level mapping */
	const struct c2s_node *services;  /* root's services mapping, or NULL */
	struct c2s_diags *diags;
	int engine_major, engine_minor;   /* --engine-version; 0.0 when not given */
	const char *stack;                /* --stack NAME; NULL when not given */
	int uninterpolated;               /* --no-interpolate: a value with '$' is not what deploy sends */
	uint32_t svc_from, svc_end;       /* the services C2S_FOR_EACH_SERVICE visits: [from, end);
					     end 0: all (lint's run_checks sets a block of them for
					     C2S_SVC_RULE rules) */
	const struct c2s_svc_table *svc_table; /* the services' keys (c2s_svc_table): made on
					     first use in doc's arena, or by lint after the load */
	struct c2s_keyset *top_volume_keys; /* c2s_check_top_volumes's, in doc's arena; NULL: not made yet */
	uint8_t volume_braces;            /* CS2014: 1 + whether a top-level volume has "{{" in its
					     name, labels or driver options; 0: not looked yet (a
					     C2S_SVC_RULE runs once per block of services) */
};

/* The keys of a service, and of its deploy, that the checks read with c2s_svc_key:
 * one list, from which the enum and the names are made. Each service's keys are
 * matched against it once, for every rule (c2s_svc_key_slow). */
#define C2S_SVC_KEYS(X)                                                                        \
	X(IMAGE, "image") X(PORTS, "ports") X(TMPFS, "tmpfs") X(DEPLOY, "deploy")                 \
	X(RESTART, "restart") X(SYSCTLS, "sysctls") X(VOLUMES, "volumes") X(ENV_FILE, "env_file") \
	X(NETWORKS, "networks") X(DEPENDS_ON, "depends_on") X(HEALTHCHECK, "healthcheck")         \
	X(OOM_SCORE_ADJ, "oom_score_adj") X(CREDENTIAL_SPEC, "credential_spec")                   \
	X(SECRETS, "secrets") X(CONFIGS, "configs") X(ENVIRONMENT, "environment")                 \
	X(HOSTNAME, "hostname") X(ULIMITS, "ulimits") X(COMMAND, "command")                       \
	X(ENTRYPOINT, "entrypoint")
#define C2S_DEPLOY_KEYS(X)                                                                    \
	X(MODE, "mode") X(REPLICAS, "replicas") X(PLACEMENT, "placement")                         \
	X(RESOURCES, "resources") X(UPDATE_CONFIG, "update_config")                               \
	X(RESTART_POLICY, "restart_policy") X(ROLLBACK_CONFIG, "rollback_config")                 \
	X(ENDPOINT_MODE, "endpoint_mode")
/* Keys few services have (what docker stack deploy ignores, rules_ignored.c, and
 * what it refuses, pipeline.c c2s_check_forbidden): a bit each says whether a
 * service has it; one it has is looked up by name. */
#define C2S_SVC_RARE_KEYS(X)                                                                  \
	X(BUILD, "build") X(CGROUPNS_MODE, "cgroupns_mode") X(CGROUP_PARENT, "cgroup_parent")     \
	X(DEVICES, "devices") X(DOMAINNAME, "domainname") X(EXTERNAL_LINKS, "external_links")     \
	X(IPC, "ipc") X(LINKS, "links") X(MAC_ADDRESS, "mac_address")                             \
	X(NETWORK_MODE, "network_mode") X(PID, "pid") X(PRIVILEGED, "privileged")                 \
	X(SECURITY_OPT, "security_opt") X(SHM_SIZE, "shm_size") X(USERNS_MODE, "userns_mode")     \
	X(CONTAINER_NAME, "container_name") X(EXPOSE, "expose")                                   \
	X(EXTENDS, "extends") X(VOLUME_DRIVER, "volume_driver") X(VOLUMES_FROM, "volumes_from")   \
	X(CPU_QUOTA, "cpu_quota") X(CPU_SHARES, "cpu_shares") X(CPUSET, "cpuset")                 \
	X(MEM_LIMIT, "mem_limit") X(MEMSWAP_LIMIT, "memswap_limit")

enum c2s_svc_key {
#define C2S_SK_ENUM(id, name) C2S_SK_##id,
	C2S_SVC_KEYS(C2S_SK_ENUM)
#undef C2S_SK_ENUM
#define C2S_SK_ENUM(id, name) C2S_SK_DEPLOY_##id,
	C2S_DEPLOY_KEYS(C2S_SK_ENUM)
#undef C2S_SK_ENUM
	C2S_SK_N,  /* the width of a service's row in c2s_svc_table's keys; the rare keys follow */
#define C2S_SK_ENUM(id, name) C2S_SK_##id,
	C2S_SVC_RARE_KEYS(C2S_SK_ENUM)
#undef C2S_SK_ENUM
	C2S_SK_ALL
};
#define C2S_SK_DEPLOY_FIRST C2S_SK_DEPLOY_MODE
_Static_assert(C2S_SK_ALL - C2S_SK_N - 1 <= 32, "a bit per rare key in c2s_svc_table's rare");
/* The bit of rare key k in a service's c2s_svc_table rare word. */
#define C2S_SK_RARE_BIT(k) ((uint32_t)1 << ((k) - C2S_SK_N - 1))
/* Each key's name, by enum c2s_svc_key ("" for C2S_SK_N). */
extern const struct c2s_str c2s_svc_key_names[C2S_SK_ALL];

/* The keys of every service of one services mapping, matched once (each match reads
 * the key's text, a cache miss in a 10 MB file): the pipeline's forbidden-key and
 * deploy checks and lint's rules all read them from here. */
struct c2s_svc_table {
	uint32_t services;  /* node index of the services mapping it was made for */
	uint8_t *keys;      /* per service: C2S_SK_N entries, each 1 + the key's position in
			       the service's mapping (the C2S_SK_DEPLOY_ ones: in its deploy),
			       0: absent, C2S_SK_FAR: past 253, looked up; one byte a key,
			       as 10,000 services add up */
	uint32_t *rare;     /* per service: a bit per C2S_SVC_RARE_KEYS key it has */
};
/* d's table for services (a mapping of d), made in d's arena and kept in d (lint
 * makes it once after the load; keys and their order never change after it);
 * NULL when out of memory. */
struct c2s_svc_table *c2s_svc_table_make(struct c2s_doc *d, const struct c2s_node *services);
/* d's table when it was made for services, else NULL (then look the keys up). */
static inline const struct c2s_svc_table *c2s_svc_table_of(const struct c2s_doc *d, const struct c2s_node *services)
{
	return d->svc_table && services && d->svc_table->services == (uint32_t)(services - d->nodes)
		       ? d->svc_table : NULL;
}
#define C2S_SK_FAR 255
/* Service i's key k looked up by name (a key past the table's reach). */
const struct c2s_node *c2s_svc_table_far(const struct c2s_doc *d, const struct c2s_node *services, uint32_t i,
					 enum c2s_svc_key k, const struct c2s_node **keynode);
/* Service i's value for key k (a C2S_SK_DEPLOY_ one: in its deploy), as c2s_map_get
 * finds it, from table t made for services. */
static inline const struct c2s_node *c2s_svc_table_get(const struct c2s_doc *d, const struct c2s_svc_table *t,
							const struct c2s_node *services, uint32_t i,
							enum c2s_svc_key k, const struct c2s_node **keynode)
{
	const uint8_t *row = t->keys + (size_t)i * C2S_SK_N;
	unsigned at = k < C2S_SK_N ? row[k] : (t->rare[i] & C2S_SK_RARE_BIT(k) ? C2S_SK_FAR : 0);
	if (!at) {
		if (keynode)
			*keynode = NULL;
		return NULL;
	}
	if (at == C2S_SK_FAR || (k >= C2S_SK_DEPLOY_FIRST && row[C2S_SK_DEPLOY] == C2S_SK_FAR))
		return c2s_svc_table_far(d, services, i, k, keynode);
	const struct c2s_node *m = c2s_map_value(d, services, i);
	if (k >= C2S_SK_DEPLOY_FIRST)
		m = c2s_map_value(d, m, row[C2S_SK_DEPLOY] - 1u);
	const struct c2s_node *key = c2s_map_key(d, m, at - 1u);
	if (keynode)
		*keynode = key;
	return key + 1;
}

/* What c2s_map_get(c->doc, svc, name, keynode) returns for service i (C2S_FOR_EACH_SERVICE's
 * i; a C2S_SK_DEPLOY_ key: in its deploy). The slow path builds the table, the far one
 * looks the key up by name. */
const struct c2s_node *c2s_svc_key_slow(struct c2s_check *c, uint32_t i, enum c2s_svc_key k,
					const struct c2s_node **keynode);
static inline const struct c2s_node *c2s_svc_key(struct c2s_check *c, uint32_t i, enum c2s_svc_key k,
						 const struct c2s_node **keynode)
{
	if (!c->svc_table)  /* not made yet (or out of memory) */
		return c2s_svc_key_slow(c, i, k, keynode);
	return c2s_svc_table_get(c->doc, c->svc_table, c->services, i, k, keynode);
}
/* c2s_service_mode and c2s_service_replicas of service i. */
struct c2s_str c2s_svc_mode(struct c2s_check *c, uint32_t i);
int c2s_svc_replicas(struct c2s_check *c, uint32_t i, uint64_t *n);

/* Where C2S_FOR_EACH_SERVICE stops: svc_end, or the number of services. */
static inline uint32_t c2s_check_services_end(const struct c2s_check *c)
{
	uint32_t n = c->services ? c2s_count(c->services) : 0;
	return c->svc_end && c->svc_end < n ? c->svc_end : n;
}
/* Each service whose key is a scalar and whose value is a mapping: i, its key
 * node and its mapping (a key such as [a, b] is CS2004's error, not a name). */
#define C2S_FOR_EACH_SERVICE(c, i, key, svc)                                                 \
	for (uint32_t i = (c)->svc_from, i##_n = c2s_check_services_end(c); i < i##_n; i++)       \
		for (const struct c2s_node *key = c2s_map_key((c)->doc, (c)->services, i),          \
					   *svc = c2s_map_value((c)->doc, (c)->services, i);       \
		     c2s_is_scalar(key) && c2s_is_mapping(svc); svc = NULL)

/* The service's deploy.mode, "replicated" when not written. */
struct c2s_str c2s_service_mode(const struct c2s_doc *d, const struct c2s_node *svc);
/* Is the engine given with --engine-version at least major.minor? -1 when unknown. */
int c2s_engine_at_least(const struct c2s_check *c, int major, int minor);

/* ---- Values as docker/cli reads them (one place for every rule) ---- */

/* Does s equal the NUL-terminated t? */
int c2s_str_eq(struct c2s_str s, const char *t);
/* A duration-valued node (a string scalar, goval's c2s_duration_parse); -1 when
 * absent or not a duration. */
int c2s_node_duration(const struct c2s_doc *d, const struct c2s_node *n, int64_t *ns);
/* A scalar node's unsigned integer value (YAML int, or a string of digits); -1 otherwise. */
int c2s_node_uint(const struct c2s_doc *d, const struct c2s_node *n, uint64_t *v);
/* deploy.replicas when written (1 when absent in replicated mode); -1 when not known
 * (global mode, jobs, or an interpolated value). */
int c2s_service_replicas(const struct c2s_doc *d, const struct c2s_node *svc, uint64_t *n);

/* The hint for a compose-spec key that no Compose v3 schema allows, at the top
 * level (top = 1) or in a service (top = 0); NULL when key is not such a key.
 * front's unknown-key check skips the keys this knows (CS2902 reports them). */
const char *c2s_compose_spec_hint(int top, struct c2s_str key);

/* Make dg fixable by deleting the whole lines of a block mapping entry key: value
 * (nothing when the entry is not alone on its lines, comes from an alias or <<
 * merge, or carries an anchor). */
void c2s_fix_remove_entry(const struct c2s_check *c, struct c2s_diag *dg,
			  const struct c2s_node *key, const struct c2s_node *value);

/* The keys of a mapping as a hash set (built once: O(1) lookups, no quadratic scans). */
struct c2s_keyset {
	const struct c2s_doc *doc;
	const struct c2s_node *map;
	uint32_t *slots;   /* entry index + 1; 0 empty */
	uint32_t mask;
};
/* 0, or -1 when out of memory (then every lookup misses). map may be NULL. */
int c2s_keyset_init(struct c2s_keyset *k, const struct c2s_doc *d, const struct c2s_node *map);
/* The entry index of key in the mapping, or -1. */
int64_t c2s_keyset_find(const struct c2s_keyset *k, struct c2s_str key);
void c2s_keyset_free(struct c2s_keyset *k);
/* The keyset of the top-level volumes (*volumes: that node, or NULL), made once per
 * c2s_check in doc's arena (a C2S_SVC_RULE runs once per block of services, and a
 * keyset of 2,000 volumes each time cost 7M instructions): not to be freed. NULL
 * when volumes is not a mapping or memory ran out. */
const struct c2s_keyset *c2s_check_top_volumes(struct c2s_check *c, const struct c2s_node **volumes);

/* Keys a swarm service gets only from a newer Docker Engine (CS8007; migrate's notes). */
struct c2s_engine_feature {
	const char *path[4];  /* keys from the service, NULL-terminated */
	int major, minor;
	const char *what;
};
extern const struct c2s_engine_feature c2s_engine_features[];
extern const size_t c2s_nengine_features;

/* Check functions, one per C2S_RULE in rules.def. */
#define C2S_STAGE(id, name, tier, sev, fixable, title)
#define C2S_RULE(id, name, tier, sev, fixable, check, title) void check(struct c2s_check *c);
#define C2S_SVC_RULE C2S_RULE
#include "rules.def"
#undef C2S_STAGE
#undef C2S_RULE
#undef C2S_SVC_RULE

#endif
