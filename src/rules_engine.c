/* rules_engine.c -- CS2010-CS2016, CS9008: what a Docker Engine refuses when
 * `docker stack deploy` creates the stack's networks, secrets, configs and services (moby's
 * daemon/cluster/convert and swarmkit's manager/controlapi), found before it is asked.
 * docs/semantics.md lists each refusal, the function that makes it and the rule here. */
#include "config.h"
#include "buf.h"
#include "check.h"
#include "gotmpl.h"
#include "goval.h"
#include "model.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* A scalar's text, unless it holds a '$': with --no-interpolate that is a ${VAR}
 * deploy replaces, so the text is not what the engine will see. */
static int text_of(const struct c2s_doc *d, const struct c2s_node *n, struct c2s_str *s)
{
	if (!c2s_is_scalar(n))
		return 0;
	*s = c2s_scalar(d, n);
	return memchr(s->p, '$', s->n) == NULL;
}

static int streq_fold(struct c2s_str s, const char *t)
{
	size_t n = strlen(t);
	if (s.n != n)
		return 0;
	for (size_t i = 0; i < n; i++) {
		unsigned char a = (unsigned char)s.p[i];
		if ((a >= 'A' && a <= 'Z' ? a + 32 : a) != (unsigned char)t[i])
			return 0;
	}
	return 1;
}

static int one_of(struct c2s_str s, const char *const *set, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (c2s_str_eq(s, set[i]))
			return 1;
	return 0;
}

#define CLIP(s) (int)((s).n > 200 ? 200 : (s).n), (s).p

/* "<the engine's message> (the Docker Engine refuses <what> NAME)". */
static struct c2s_diag *refuse(struct c2s_check *c, enum c2s_rule_index rule, const struct c2s_node *at,
			       const char *what, struct c2s_str name, const char *fmt, ...)
	__attribute__((format(printf, 6, 7)));
static struct c2s_diag *refuse(struct c2s_check *c, enum c2s_rule_index rule, const struct c2s_node *at,
			       const char *what, struct c2s_str name, const char *fmt, ...)
{
	char msg[600];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	return c2s_diag_at(c->diags, rule, c->doc, at, "%s (the Docker Engine refuses %s %.*s)", msg, what, CLIP(name));
}

#define SERVICE "service"

#define SECRET_DATA_MAX 512000   /* validation.MaxSecretSize, 500 KiB */
#define CONFIG_DATA_MAX 1024000  /* controlapi.MaxConfigSize, 1000 KiB */

/* ---- CS2010: settings the engine refuses ---- */

/* The target of a short-syntax volume (SOURCE:TARGET[:MODE] or TARGET), as the
 * loader's ParseVolume gives it (goval: a spec of one or two bytes is all
 * target, a one-letter drive stays in its field); 0 when it does not parse
 * (the loader's error is CS2005's). */
static int short_volume_target(struct c2s_str s, struct c2s_str *target)
{
	struct c2s_volume_spec v;
	char err[8];
	if (c2s_volume_spec_parse(s.p, s.n, &v, err, sizeof err) != C2S_GOVAL_OK || !v.target)
		return 0;
	*target = (struct c2s_str){v.target, v.target_n};
	return 1;
}

static int is_job(struct c2s_str mode)
{
	return c2s_str_eq(mode, "replicated-job") || c2s_str_eq(mode, "global-job");
}

/* Mounts: their types, bind propagation, and no two at one target
 * (containerToGRPC in daemon/cluster/convert/container.go; validateMounts in
 * swarmkit's controlapi/service.go). */
static void check_mounts(struct c2s_check *c, uint32_t i, struct c2s_str name)
{
	const struct c2s_doc *d = c->doc;
	const struct c2s_node *vols = c2s_svc_key(c, i, C2S_SK_VOLUMES, NULL);
	if (!c2s_is_sequence(vols))
		return;
	/* each mount's target, for the duplicate check (a service has few: past 64,
	 * the later ones are not compared) */
	enum { SEEN_MAX = 64 };
	struct c2s_str seen[SEEN_MAX];
	const struct c2s_node *seen_at[SEEN_MAX];
	uint32_t nseen = 0;
	for (uint32_t k = 0, n = c2s_count(vols); k < n; k++) {
		const struct c2s_node *it = c2s_seq_item(d, vols, k), *tnode = it;
		struct c2s_str s, target = {NULL, 0};
		if (c2s_is_scalar(it)) {
			if (!text_of(d, it, &s) || !short_volume_target(s, &target))
				continue;
		} else if (c2s_is_mapping(it)) {
			const struct c2s_node *type = c2s_map_get(d, it, "type", NULL);
			if (text_of(d, type, &s)) {
				/* swarmkit has no IMAGE mount type; CLUSTER came with 23.0 (CSI volumes) */
				if (c2s_str_eq(s, "image") || (c2s_str_eq(s, "cluster") && c2s_engine_at_least(c, 23, 0) != 1)) {
					struct c2s_diag *dg = refuse(c, C2S_R_CS2010, type, SERVICE, name,
								     "invalid MountType: \"%.*s\"", CLIP(s));
					c2s_diag_hint(c->diags, dg, c2s_str_eq(s, "image") ?
						"no Docker Engine mounts an image into a swarm service's task; copy the files "
						"into the service's image, or use a volume" :
						"cluster (CSI) volumes need Docker Engine 23.0 or later on every manager; pass "
						"--engine-version 23.0 once they all are");
				}
			}
			const struct c2s_node *bind = c2s_map_get(d, it, "bind", NULL);
			const struct c2s_node *prop = c2s_map_get(d, bind, "propagation", NULL);
			static const char *const props[] = {"rprivate", "private", "rshared", "shared", "rslave", "slave"};
			int known = 0;
			if (text_of(d, prop, &s) && s.n) {
				for (size_t q = 0; q < 6; q++)
					known |= streq_fold(s, props[q]);
				if (!known) {
					struct c2s_diag *dg = refuse(c, C2S_R_CS2010, prop, SERVICE, name,
								     "invalid MountPropagation: \"%.*s\"", CLIP(s));
					c2s_diag_hint(c->diags, dg, "propagation is rprivate (the default), private, rshared, "
						      "shared, rslave or slave");
				}
			}
			tnode = c2s_map_get(d, it, "target", NULL);
			if (!text_of(d, tnode, &target))
				continue;
		} else {
			continue;
		}
		if (target.n == 0 || (target.n >= 2 && memmem(target.p, target.n, "{{", 2)))
			continue;  /* a template expands per task */
		for (uint32_t e = 0; e < nseen; e++) {
			if (seen[e].n != target.n || memcmp(seen[e].p, target.p, target.n) != 0)
				continue;
			struct c2s_diag *dg = refuse(c, C2S_R_CS2010, tnode, SERVICE, name,
						     "ContainerSpec: duplicate mount point: %.*s", CLIP(target));
			if (dg)
				c2s_diag_related(c->diags, dg, d->src, seen_at[e]->start, c2s_node_end(d, seen_at[e]),
						 "the first mount at %.*s", CLIP(target));
			c2s_diag_hint(c->diags, dg, "a task has one mount per path: remove one, or give it another target");
			break;
		}
		if (nseen < SEEN_MAX) {
			seen[nseen] = target;
			seen_at[nseen++] = tnode;
		}
	}
}

/* An image ID as distribution/reference's anchoredIdentifierRegexp has it: ^[a-f0-9]{64}$ */
static int is_image_id(struct c2s_str s)
{
	if (s.n != 64)
		return 0;
	for (size_t k = 0; k < s.n; k++)
		if (!((s.p[k] >= '0' && s.p[k] <= '9') || (s.p[k] >= 'a' && s.p[k] <= 'f')))
			return 0;
	return 1;
}

void c2s_check_engine_values(struct c2s_check *c)
{
	const struct c2s_doc *d = c->doc;
	static const char *const conditions[] = {"none", "on-failure", "any", ""};
	static const char *const actions[] = {"pause", "continue", "rollback", ""};
	C2S_FOR_EACH_SERVICE(c, i, key, svc) {
		struct c2s_str name = c2s_scalar(d, key), s;
		const struct c2s_node *deploy = c2s_svc_key(c, i, C2S_SK_DEPLOY, NULL), *v;
		if (c2s_is_mapping(deploy)) {
			const struct c2s_node *rp = c2s_svc_key(c, i, C2S_SK_DEPLOY_RESTART_POLICY, NULL);
			v = c2s_map_get(d, rp, "condition", NULL);
			if (text_of(d, v, &s) && !one_of(s, conditions, 4)) {
				struct c2s_diag *dg = refuse(c, C2S_R_CS2010, v, SERVICE, name,
							     "invalid RestartCondition: \"%.*s\"", CLIP(s));
				c2s_diag_hint(c->diags, dg, "condition is none, on-failure or any, in lower case (`always` "
					      "and `unless-stopped` are values of the service-level restart:)");
			}
			const struct c2s_node *ukey, *uc = c2s_svc_key(c, i, C2S_SK_DEPLOY_UPDATE_CONFIG, &ukey);
			const struct c2s_node *cfgs[2] = {uc, c2s_svc_key(c, i, C2S_SK_DEPLOY_ROLLBACK_CONFIG, NULL)};
			for (int k = 0; k < 2; k++) {
				v = c2s_map_get(d, cfgs[k], "failure_action", NULL);
				if (text_of(d, v, &s) && !one_of(s, actions, 4)) {
					struct c2s_diag *dg = refuse(c, C2S_R_CS2010, v, SERVICE, name,
								     "unrecognized update failure action %.*s", CLIP(s));
					c2s_diag_hint(c->diags, dg, "failure_action is pause (the default), continue or "
						      "rollback, in lower case");
				}
			}
			/* the CLI lower-cases the mode (convertEndpointSpec); the engine takes vip or dnsrr */
			v = c2s_svc_key(c, i, C2S_SK_DEPLOY_ENDPOINT_MODE, NULL);
			if (text_of(d, v, &s) && s.n && !streq_fold(s, "vip") && !streq_fold(s, "dnsrr")) {
				char low[201];
				size_t n = s.n > 200 ? 200 : s.n;
				for (size_t q = 0; q < n; q++)
					low[q] = (char)(s.p[q] >= 'A' && s.p[q] <= 'Z' ? s.p[q] + 32 : s.p[q]);
				struct c2s_diag *dg = refuse(c, C2S_R_CS2010, v, SERVICE, name,
							     "invalid resolution mode: \"%.*s\"", (int)n, low);
				c2s_diag_hint(c->diags, dg, "endpoint_mode is vip (a virtual IP, the default) or dnsrr "
					      "(DNS round robin)");
			}
			/* moby's GenericResourcesToGRPC turns an entry with no discrete_resource_spec
			 * into a nil element, and marshalling it for swarmkit panics the request
			 * (dockerd 20.10 to master): the CLI sees the connection close */
			const struct c2s_node *res = c2s_svc_key(c, i, C2S_SK_DEPLOY_RESOURCES, NULL);
			const struct c2s_node *gr = c2s_map_get(d, c2s_map_get(d, res, "reservations", NULL),
								"generic_resources", NULL);
			for (uint32_t k = 0; c2s_is_sequence(gr) && k < c2s_count(gr); k++) {
				const struct c2s_node *it = c2s_seq_item(d, gr, k);
				if (!c2s_is_mapping(it) || c2s_map_get(d, it, "discrete_resource_spec", NULL))
					continue;
				struct c2s_diag *dg = refuse(c, C2S_R_CS2010, it, SERVICE, name,
							     "error during connect: Post \"/services/create\": EOF (the "
							     "daemon fails on a generic resource with no discrete_resource_spec)");
				c2s_diag_hint(c->diags, dg, "each generic_resources entry is a discrete_resource_spec: "
					      "{kind: NAME, value: COUNT}");
				break;
			}
			if (uc && ukey && is_job(c2s_svc_mode(c, i))) {
				struct c2s_diag *dg = refuse(c, C2S_R_CS2010, ukey, SERVICE, name,
							     "Jobs may not have an update config");
				c2s_diag_hint(c->diags, dg, "a job runs to completion and is not rolled: remove "
					      "update_config (or run the service as replicated or global)");
			}
		}
		check_mounts(c, i, name);
		/* 64 hex digits: the CLI's ParseAnyReference takes it as an image ID, swarmkit's
		 * validateImage (ParseNormalizedNamed) refuses it as a repository name */
		v = c2s_svc_key(c, i, C2S_SK_IMAGE, NULL);
		if (text_of(d, v, &s) && is_image_id(s)) {
			struct c2s_diag *dg = refuse(c, C2S_R_CS2010, v, SERVICE, name,
						     "ContainerSpec: \"%.*s\" is not a valid repository/tag", CLIP(s));
			c2s_diag_hint(c->diags, dg, "a service names its image by repository (and tag or digest): "
				      "write NAME@sha256:%.*s, or the image's tag", CLIP(s));
		}
		/* a registry at an IPv6 address: the CLI's distribution/reference takes it, the
		 * docker/distribution one swarmkit used before Docker Engine 25.0 does not */
		char fam[512];
		if (text_of(d, v, &s) && s.n && s.p[0] == '[' && c2s_engine_at_least(c, 25, 0) != 1 &&
		    c2s_image_check(s.p, s.n, fam, sizeof fam) == 0) {
			size_t fn = c2s_image_familiar(s.p, s.n, fam, sizeof fam);
			struct c2s_str sent = fn ? (struct c2s_str){fam, fn} : s;
			struct c2s_diag *dg = refuse(c, C2S_R_CS2010, v, SERVICE, name,
						     "ContainerSpec: \"%.*s\" is not a valid repository/tag", CLIP(sent));
			c2s_diag_hint(c->diags, dg, "Docker Engine 25.0 and later take a registry at an IPv6 address; "
				      "older engines need its host name (lint --engine-version 25.0 if every manager "
				      "runs 25.0 or later)");
		}
	}
}

/* ---- CS2011: numbers and durations out of the engine's range ---- */

#define MS 1000000LL

/* Can this duration text be below 1ms (or negative)? Most are "10s", "1m30s":
 * a leading digit 1-9 and no n/u/µ unit are at least 1ms, without parsing. */
static int maybe_tiny(struct c2s_str s)
{
	if (s.n == 0 || s.p[0] == '-' || s.p[0] == '0' || s.p[0] == '.' || s.p[0] == '+')
		return 1;
	for (size_t i = 0; i < s.n; i++)
		if (s.p[i] == 'n' || s.p[i] == 'u' || (unsigned char)s.p[i] >= 0x80)
			return 1;
	return 0;
}

#define KEY(x) {x, sizeof x - 1}
static const struct c2s_str health_keys[] = {KEY("disable"), KEY("interval"), KEY("timeout"), KEY("start_period"),
					     KEY("start_interval")};
static const struct c2s_str restart_keys[] = {KEY("delay"), KEY("window")};
static const struct c2s_str update_keys[] = {KEY("delay"), KEY("monitor"), KEY("max_failure_ratio")};
static const struct c2s_str resource_keys[] = {KEY("limits"), KEY("reservations")};
static const struct c2s_str amount_keys[] = {KEY("cpus"), KEY("memory")};
#undef KEY

/* Key tables, made once per check (several keys of one mapping in one pass). */
struct range_slots {
	struct c2s_key_slots health, restart, update, resources, amount;
};

static void check_durations(struct c2s_check *c, const struct range_slots *t, uint32_t i, struct c2s_str name)
{
	const struct c2s_doc *d = c->doc;
	int64_t ns;
	struct c2s_str s;
	const struct c2s_node *v[5];
	/* validateHealthCheck: a duration given is 0 or at least 1ms */
	c2s_map_get_slots(d, c2s_svc_key(c, i, C2S_SK_HEALTHCHECK, NULL), &t->health, v, NULL);
	struct c2s_value dv;
	int disabled = c2s_is_scalar(v[0]) && c2s_resolve(d, v[0], &dv) == C2S_TYPE_BOOL && dv.boolean;
	static const char *const hname[] = {"Interval", "Timeout", "StartPeriod", "StartInterval"};
	/* StartInterval reaches swarmkit from API 1.44 (25.0), which checks it like the others */
	int nkeys = c2s_engine_at_least(c, 25, 0) == 0 ? 3 : 4;
	/* retries: the CLI's int, which moby's healthConfigToGRPC cuts to an int32: from
	 * 2^31 (mod 2^32) it is negative, and swarmkit refuses that */
	const struct c2s_node *rn = c2s_map_get(d, c2s_svc_key(c, i, C2S_SK_HEALTHCHECK, NULL), "retries", NULL);
	uint64_t retries;
	if (!disabled && rn && c2s_node_uint(d, rn, &retries) == 0 && (retries & 0x80000000u)) {
		struct c2s_diag *dg = refuse(c, C2S_R_CS2011, rn, SERVICE, name,
					     "ContainerSpec: Retries in HealthConfig cannot be negative");
		c2s_diag_hint(c->diags, dg, "the engine keeps retries in 32 bits, signed: at most 2147483647");
	}
	for (int k = 0; k < nkeys && !disabled; k++) {
		if (!text_of(d, v[k + 1], &s) || !maybe_tiny(s) || c2s_duration_parse(s.p, s.n, &ns, NULL, 0) != 0 ||
		    ns == 0 || ns >= MS)
			continue;
		struct c2s_diag *dg = refuse(c, C2S_R_CS2011, v[k + 1], SERVICE, name,
					     "ContainerSpec: %s in HealthConfig cannot be less than 1ms", hname[k]);
		c2s_diag_hint(c->diags, dg, "%s is 0 (the default) or at least 1ms: did you mean %.*s%s?",
			      health_keys[k + 1].p, CLIP(s), ns < 0 ? " without the sign" : " in another unit (10s, 500ms)");
	}
	/* validateRestartPolicy */
	c2s_map_get_slots(d, c2s_svc_key(c, i, C2S_SK_DEPLOY_RESTART_POLICY, NULL), &t->restart, v, NULL);
	for (int k = 0; k < 2; k++)
		if (text_of(d, v[k], &s) && s.n && s.p[0] == '-' && c2s_duration_parse(s.p, s.n, &ns, NULL, 0) == 0 && ns < 0)
			c2s_diag_hint(c->diags, refuse(c, C2S_R_CS2011, v[k], SERVICE, name,
				"TaskSpec: restart-%s cannot be negative", restart_keys[k].p), "remove the minus sign");
	/* validateUpdate: the update config only (the rollback config goes unchecked), not for jobs */
	const struct c2s_node *uc = c2s_svc_key(c, i, C2S_SK_DEPLOY_UPDATE_CONFIG, NULL);
	if (!c2s_is_mapping(uc) || is_job(c2s_svc_mode(c, i)))
		return;
	c2s_map_get_slots(d, uc, &t->update, v, NULL);
	for (int k = 0; k < 2; k++)
		if (text_of(d, v[k], &s) && s.n && s.p[0] == '-' && c2s_duration_parse(s.p, s.n, &ns, NULL, 0) == 0 && ns < 0)
			c2s_diag_hint(c->diags, refuse(c, C2S_R_CS2011, v[k], SERVICE, name,
				"TaskSpec: update-%s cannot be negative", update_keys[k].p), "remove the minus sign");
	struct c2s_value fv;
	/* "0.1" and the like are in range: no need to resolve them */
	if (c2s_is_scalar(v[2]) && text_of(d, v[2], &s) &&
	    !(s.n >= 1 && s.p[0] == '0' && (s.n == 1 || s.p[1] == '.') && !memchr(s.p, 'e', s.n) && !memchr(s.p, 'E', s.n))) {
		enum c2s_type ty = c2s_resolve(d, v[2], &fv);
		/* the CLI's and the engine's ratio is a float32: 1.00000001 rounds to 1 */
		float r = (float)fv.f;
		if ((ty == C2S_TYPE_INT || ty == C2S_TYPE_UINT || ty == C2S_TYPE_FLOAT) && (r < 0 || r > 1))
			c2s_diag_hint(c->diags, refuse(c, C2S_R_CS2011, v[2], SERVICE, name,
				"TaskSpec: update-maxfailureratio cannot be less than 0 or bigger than 1"),
				"max_failure_ratio is a fraction of the tasks, from 0 to 1 (0.1 = 10%%)");
	}
}

/* validateResources: cpus 0 or at least 0.001, memory 0 or at least 4 MiB. */
static void check_resources(struct c2s_check *c, const struct range_slots *t, uint32_t i, struct c2s_str name)
{
	const struct c2s_doc *d = c->doc;
	const struct c2s_node *res = c2s_svc_key(c, i, C2S_SK_DEPLOY_RESOURCES, NULL), *parts[2], *amount[2];
	if (!c2s_is_mapping(res))
		return;
	c2s_map_get_slots(d, res, &t->resources, parts, NULL);
	for (int p = 0; p < 2; p++) {
		if (!c2s_is_mapping(parts[p]))
			continue;
		c2s_map_get_slots(d, parts[p], &t->amount, amount, NULL);
		const struct c2s_node *cpus = amount[0];
		struct c2s_str s;
		int64_t v;
		if (text_of(d, cpus, &s) && c2s_cpus_parse(s.p, s.n, &v, NULL, 0) == 0 && v != 0 && v < 1000000) {
			char g[40];
			c2s_go_float((double)v / 1e9, 64, g, sizeof g);
			struct c2s_diag *dg = refuse(c, C2S_R_CS2011, cpus, SERVICE, name,
						     "invalid cpu value %s: Must be at least 0.001", g);
			c2s_diag_hint(c->diags, dg, "cpus counts whole CPUs: 0.001 is the least the engine takes (or "
				      "leave it out for no %s)", p ? "reservation" : "limit");
		}
		const struct c2s_node *mem = amount[1];
		if (text_of(d, mem, &s) && c2s_size_parse(s.p, s.n, 0, &v, NULL, 0) == 0 && v != 0 && v < 4 * 1024 * 1024) {
			struct c2s_diag *dg = refuse(c, C2S_R_CS2011, mem, SERVICE, name,
						     "invalid memory value %lld: Must be at least 4MiB", (long long)v);
			c2s_diag_hint(c->diags, dg, "memory is in bytes unless it has a unit: 4M is the least the "
				      "engine takes (did you mean %.*sM?)", CLIP(s));
		}
	}
}

/* Replicas of 2^63 and more: the loader takes any uint64, swarmkit's validateMode
 * reads the count as an int64 and refuses it as negative (for a replicated job the
 * CLI makes it MaxConcurrent and TotalCompletions, checked in that order). */
static void check_replicas(struct c2s_check *c, uint32_t i, struct c2s_str name)
{
	const struct c2s_node *rn = c2s_svc_key(c, i, C2S_SK_DEPLOY_REPLICAS, NULL);
	uint64_t r;
	if (!rn || c2s_node_uint(c->doc, rn, &r) != 0 || r <= (uint64_t)INT64_MAX)
		return;
	struct c2s_str mode = c2s_svc_mode(c, i);
	const char *msg = c2s_str_eq(mode, "replicated") ? "Number of replicas must be non-negative"
			  : c2s_str_eq(mode, "replicated-job") ? "Maximum concurrent jobs must not be negative"
			  : NULL;
	if (!msg)
		return;  /* global modes take no replicas: the CLI refuses them (CS2008) */
	struct c2s_diag *dg = refuse(c, C2S_R_CS2011, rn, SERVICE, name, "%s", msg);
	c2s_diag_hint(c->diags, dg, "the engine counts replicas as a signed 64-bit number: at most "
		      "9223372036854775807");
}

void c2s_check_engine_ranges(struct c2s_check *c)
{
	struct range_slots t;
	c2s_key_slots_init(&t.health, health_keys, 5);
	c2s_key_slots_init(&t.restart, restart_keys, 2);
	c2s_key_slots_init(&t.update, update_keys, 3);
	c2s_key_slots_init(&t.resources, resource_keys, 2);
	c2s_key_slots_init(&t.amount, amount_keys, 2);
	C2S_FOR_EACH_SERVICE(c, i, key, svc) {
		struct c2s_str name = c2s_scalar(c->doc, key);
		check_durations(c, &t, i, name);
		check_resources(c, &t, i, name);
		check_replicas(c, i, name);
	}
}

/* ---- CS2012: names swarm refuses ---- */

static int alnum(unsigned char ch)
{
	return (ch >= '0' && ch <= '9') || (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z');
}

/* isValidDNSName (services, networks): [a-zA-Z0-9](?:[-_]*[A-Za-z0-9]+)*, i.e. only
 * letters, digits, '-' and '_', the first and last a letter or digit. A stack's
 * STACK_key passes when the key does (the stack name is a letter-or-digit start). */
static int dns_chars(struct c2s_str s, int whole)
{
	if (s.n == 0 || !alnum((unsigned char)s.p[s.n - 1]) || (whole && !alnum((unsigned char)s.p[0])))
		return 0;
	for (size_t i = 0; i < s.n; i++)
		if (!alnum((unsigned char)s.p[i]) && s.p[i] != '-' && s.p[i] != '_')
			return 0;
	return 1;
}

/* isValidConfigOrSecretName: [a-zA-Z0-9]+(?:[a-zA-Z0-9-_.]*[a-zA-Z0-9])?, at most 64. */
static int object_chars(struct c2s_str s, int whole)
{
	if (s.n == 0 || !alnum((unsigned char)s.p[s.n - 1]) || (whole && !alnum((unsigned char)s.p[0])))
		return 0;
	for (size_t i = 0; i < s.n; i++)
		if (!alnum((unsigned char)s.p[i]) && s.p[i] != '-' && s.p[i] != '_' && s.p[i] != '.')
			return 0;
	return 1;
}

/* The shortest stack name is one character: STACK_ adds at least 2 (lint --stack
 * tells the real prefix). */
#define STACK_PREFIX_MIN 2
#define DNS_NAME_MAX 63
#define OBJECT_NAME_MAX 64

static int is_external(const struct c2s_doc *d, const struct c2s_node *def)
{
	const struct c2s_node *ext = c2s_map_get(d, def, "external", NULL);
	struct c2s_value v;
	if (!ext)
		return 0;
	if (c2s_is_mapping(ext))
		return 1;
	return c2s_is_scalar(ext) && c2s_resolve(d, ext, &v) == C2S_TYPE_BOOL && v.boolean;
}

/* A stack-created object's name: name: when given (then *full = 1), else its key. */
static const struct c2s_node *object_name(const struct c2s_doc *d, const struct c2s_node *key,
					  const struct c2s_node *def, int *full)
{
	const struct c2s_node *nm = c2s_map_get(d, def, "name", NULL);
	struct c2s_str s;
	*full = text_of(d, nm, &s) && s.n > 0;
	return *full ? nm : key;
}

static void check_dns_name(struct c2s_check *c, const struct c2s_node *at, int full, const char *what,
			   const char *hint_kind)
{
	struct c2s_str s;
	if (!text_of(c->doc, at, &s))
		return;
	size_t room = full ? DNS_NAME_MAX : DNS_NAME_MAX - STACK_PREFIX_MIN;
	struct c2s_diag *dg = NULL;
	if (!full && c->stack)  /* lint --stack: the name in full */
		room = DNS_NAME_MAX > strlen(c->stack) ? DNS_NAME_MAX - strlen(c->stack) - 1 : 0;
	if (!dns_chars(s, full))
		dg = refuse(c, C2S_R_CS2012, at, what, s, "name must be valid as a DNS name component");
	else if (s.n > room)
		dg = refuse(c, C2S_R_CS2012, at, what, s, "name must be 63 characters or fewer");
	else
		return;
	c2s_diag_hint(c->diags, dg, full ? "a %s name is letters, digits, '-' and '_', at most 63, starting and "
		      "ending with a letter or digit" : "swarm names the %s STACK_%.*s: letters, digits, '-' and '_', "
		      "at most 63 with the stack name, ending with a letter or digit", hint_kind, CLIP(s));
}

/* A secret's or config's file as the CLI reads it (relative to the compose file's
 * directory) into a malloc'd buffer of at most max - 1 bytes: its length, or -1. */
static long read_object_file(const struct c2s_doc *d, struct c2s_str s, long max, char **out)
{
	const char *base = d->src->path;
	size_t dl = 0;
	char path[4096];
	*out = NULL;
	if (s.n == 0 || s.p[0] == '~' || memchr(s.p, '\0', s.n))
		return -1;
	if (s.p[0] != '/' && base && strcmp(base, "-") != 0 && strrchr(base, '/'))
		dl = (size_t)(strrchr(base, '/') - base) + 1;
	if (dl + s.n + 1 > sizeof path)
		return -1;
	memcpy(path, base, dl);
	memcpy(path + dl, s.p, s.n);
	path[dl + s.n] = '\0';
	FILE *f = fopen(path, "rb");
	if (!f)
		return -1;
	char *b = malloc((size_t)max);
	size_t n = b ? fread(b, 1, (size_t)max, f) : 0;
	int bad = !b || ferror(f) || n >= (size_t)max;  /* too big: CS9008's */
	fclose(f);
	if (bad) {
		free(b);
		return -1;
	}
	*out = b;
	return (long)n;
}

/* Swarm's store looks names up without case (swarmkit manager/state/store: its
 * name index lower-cases them): names that differ only in case are one name. */
struct named_object {
	struct c2s_str name;
	uint32_t k;  /* its index in its mapping */
	int scoped;  /* named STACK_key (name is the key): compared only with its like */
};

static int fold_cmp(struct c2s_str a, struct c2s_str b)
{
	size_t n = a.n < b.n ? a.n : b.n;
	for (size_t i = 0; i < n; i++) {
		unsigned char x = (unsigned char)a.p[i], y = (unsigned char)b.p[i];
		x = x >= 'A' && x <= 'Z' ? x + 32 : x;
		y = y >= 'A' && y <= 'Z' ? y + 32 : y;
		if (x != y)
			return x < y ? -1 : 1;
	}
	return a.n == b.n ? 0 : a.n < b.n ? -1 : 1;
}

static int named_object_cmp(const void *a, const void *b)
{
	const struct named_object *x = a, *y = b;
	if (x->scoped != y->scoped)
		return x->scoped < y->scoped ? -1 : 1;
	int r = fold_cmp(x->name, y->name);
	if (r)
		return r;
	return x->k < y->k ? -1 : x->k > y->k;
}

/* Sort v[0..m) so that one name's objects are adjacent, in file order. */
static void sort_names(struct named_object *v, uint32_t m)
{
	if (m > 1)
		qsort(v, m, sizeof *v, named_object_cmp);
}

static int same_name(const struct named_object *a, const struct named_object *b)
{
	return a->scoped == b->scoped && fold_cmp(a->name, b->name) == 0;
}

static int same_text(const struct named_object *a, const struct named_object *b)
{
	return a->name.n == b->name.n && memcmp(a->name.p, b->name.p, a->name.n) == 0;
}

/* Two secrets (or configs) of the stack with one name: the CLI creates the first and
 * then updates it with the second (cli/command/stack/swarm deploy_composefile.go
 * createSecrets, whose look-up ignores case), which swarmkit refuses when the data or
 * the name's case differ (UpdateSecret, UpdateConfig: only labels may change). */
static void same_name_objects(struct c2s_check *c, const struct c2s_node *top, int config)
{
	const struct c2s_doc *d = c->doc;
	uint32_t n = c2s_is_mapping(top) ? c2s_count(top) : 0, m = 0;
	if (n < 2)
		return;
	struct named_object *v = malloc(n * sizeof *v);
	if (!v) {
		c2s_diags_out_of_memory(c->diags);
		return;
	}
	for (uint32_t k = 0; k < n; k++) {
		const struct c2s_node *key = c2s_map_key(d, top, k), *def = c2s_map_value(d, top, k);
		const struct c2s_node *nm = c2s_map_get(d, def, "name", NULL), *drv = c2s_map_get(d, def, "driver", NULL);
		struct c2s_str s, dv;
		int full;
		if (is_external(d, def) || (!config && text_of(d, drv, &dv) && dv.n))
			continue;
		nm = object_name(d, key, def, &full);
		if (!text_of(d, nm, &s) || !s.n || (!full && s.n >= 2 && s.p[0] == 'x' && s.p[1] == '-'))
			continue;
		v[m++] = (struct named_object){s, k, !full};
	}
	sort_names(v, m);
	const long max = config ? CONFIG_DATA_MAX : SECRET_DATA_MAX;
	const char *kind = config ? "config" : "secret";
	for (uint32_t a = 0; a + 1 < m; a++) {
		struct c2s_str fa, fb;
		if (!same_name(&v[a], &v[a + 1]) || (v[a].scoped && same_text(&v[a], &v[a + 1])))
			continue;  /* a key written twice is CS1004's */
		/* each against the one before it in the file (the CLI's order is Go's map
		 * order: whichever comes later is refused; one finding per pair says it) */
		const struct c2s_node *da = c2s_map_value(d, top, v[a].k), *db = c2s_map_value(d, top, v[a + 1].k);
		const struct c2s_node *at = v[a + 1].scoped ? c2s_map_key(d, top, v[a + 1].k) : c2s_map_get(d, db, "name", NULL);
		struct c2s_str ka = c2s_scalar(d, c2s_map_key(d, top, v[a].k));
		const char *what = config ? "to update config" : "to update secret";
		if (!same_text(&v[a], &v[a + 1])) {
			struct c2s_diag *dg = refuse(c, C2S_R_CS2012, at, what, v[a + 1].name, "only updates to Labels are "
						     "allowed");
			c2s_diag_hint(c->diags, dg, "%s %.*s's name differs from this one only in case, and swarm's names "
				      "ignore case: the CLI finds the first and tries to rename it; give each its own name",
				      kind, CLIP(ka));
			continue;
		}
		if (!text_of(d, c2s_map_get(d, da, "file", NULL), &fa) || !text_of(d, c2s_map_get(d, db, "file", NULL), &fb))
			continue;
		char *ba, *bb;
		long na = read_object_file(d, fa, max, &ba), nb = read_object_file(d, fb, max, &bb);
		if (na >= 0 && nb >= 0 && (na != nb || memcmp(ba, bb, (size_t)na) != 0)) {
			struct c2s_diag *dg = refuse(c, C2S_R_CS2012, at, what, v[a].name, "only updates to Labels are allowed");
			c2s_diag_hint(c->diags, dg, "%s %.*s has this name too, with other data: the CLI creates one and "
				      "then tries to change its data, which swarm does not allow; give each its own name",
				      kind, CLIP(ka));
		}
		free(ba);
		free(bb);
	}
	free(v);
}

/* Services whose keys differ only in case: swarm refuses the second one's name. */
static void same_name_services(struct c2s_check *c)
{
	const struct c2s_doc *d = c->doc;
	uint32_t n = c2s_is_mapping(c->services) ? c2s_count(c->services) : 0, m = 0;
	if (n < 2)
		return;
	struct named_object *v = malloc(n * sizeof *v);
	if (!v) {
		c2s_diags_out_of_memory(c->diags);
		return;
	}
	C2S_FOR_EACH_SERVICE(c, i, key, svc) {
		struct c2s_str s;
		if (text_of(d, key, &s) && s.n)
			v[m++] = (struct named_object){s, i, 1};
	}
	sort_names(v, m);
	for (uint32_t a = 0; a + 1 < m; a++) {
		if (!same_name(&v[a], &v[a + 1]) || same_text(&v[a], &v[a + 1]))
			continue;  /* a key written twice is CS1004's */
		const struct c2s_node *at = c2s_map_key(d, c->services, v[a + 1].k);
		struct c2s_diag *dg = refuse(c, C2S_R_CS2012, at, SERVICE, v[a + 1].name,
					     "name conflicts with an existing object");
		c2s_diag_hint(c->diags, dg, "service %.*s differs from it only in case, and swarm's names ignore case: "
			      "rename one", CLIP(v[a].name));
	}
	free(v);
}

/* Does some service name the secret (t 0) or config (t 1) keyed key? */
static int object_used(struct c2s_check *c, int t, struct c2s_str key)
{
	const struct c2s_doc *d = c->doc;
	C2S_FOR_EACH_SERVICE(c, i, skey, svc) {
		const struct c2s_node *refs = c2s_svc_key(c, i, t ? C2S_SK_CONFIGS : C2S_SK_SECRETS, NULL);
		for (uint32_t k = 0; c2s_is_sequence(refs) && k < c2s_count(refs); k++) {
			const struct c2s_node *it = c2s_seq_item(d, refs, k);
			struct c2s_str s;
			if (c2s_is_mapping(it))
				it = c2s_map_get(d, it, "source", NULL);
			if (text_of(d, it, &s) && s.n == key.n && !memcmp(s.p, key.p, s.n))
				return 1;
		}
	}
	return 0;
}

/* An external secret or config a service uses, under a name swarmkit refuses
 * to create (validateConfigOrSecretAnnotations): it cannot exist, and the CLI
 * stops at the service that names it. */
static void external_object_name(struct c2s_check *c, int t, const struct c2s_node *key, const struct c2s_node *def)
{
	const struct c2s_doc *d = c->doc;
	const struct c2s_node *ext = c2s_map_get(d, def, "external", NULL), *nm = c2s_map_get(d, ext, "name", NULL);
	struct c2s_str s;
	if (!nm)
		nm = c2s_map_get(d, def, "name", NULL);
	if (!text_of(d, nm, &s) || s.n == 0)
		nm = key;
	if (!text_of(d, nm, &s) || (object_chars(s, 1) && s.n <= OBJECT_NAME_MAX) ||
	    !object_used(c, t, c2s_scalar(d, key)))
		return;
	const char *kind = t ? "config" : "secret";
	struct c2s_diag *dg = c2s_diag_at(c->diags, C2S_R_CS2012, c->doc, nm, "%s not found: %.*s (docker stack deploy "
					  "refuses the stack)", kind, CLIP(s));
	c2s_diag_hint(c->diags, dg, "no %s can have this name (swarmkit: letters, digits, '-', '_' and '.', at most "
		      "64, starting and ending with a letter or digit)", kind);
}

void c2s_check_engine_names(struct c2s_check *c)
{
	const struct c2s_doc *d = c->doc;
	same_name_services(c);
	C2S_FOR_EACH_SERVICE(c, i, key, svc) {
		/* a key outside the schema's [a-zA-Z0-9._-]+ is CS2002's already */
		struct c2s_str s = c2s_scalar(d, key);
		int schema_ok = s.n > 0;
		for (size_t k = 0; k < s.n; k++)
			schema_ok &= alnum((unsigned char)s.p[k]) || s.p[k] == '.' || s.p[k] == '_' || s.p[k] == '-';
		if (schema_ok)
			check_dns_name(c, key, 0, SERVICE, "service");
	}
	static const char *const tops[] = {"secrets", "configs"}, *const what[] = {"to create secret", "to create config"};
	for (int t = 0; t < 2; t++) {
		const struct c2s_node *top = c2s_map_get(d, c->root, tops[t], NULL);
		for (uint32_t k = 0; c2s_is_mapping(top) && k < c2s_count(top); k++) {
			const struct c2s_node *key = c2s_map_key(d, top, k), *def = c2s_map_value(d, top, k);
			struct c2s_str s;
			if (is_external(d, def)) {
				external_object_name(c, t, key, def);
				continue;
			}
			int full;
			const struct c2s_node *at = object_name(d, key, def, &full);
			if (!text_of(d, at, &s) || (key == at && s.n >= 2 && s.p[0] == 'x' && s.p[1] == '-'))
				continue;
			size_t room = full ? OBJECT_NAME_MAX : OBJECT_NAME_MAX - STACK_PREFIX_MIN;
			if (!full && c->stack)  /* lint --stack: the name in full */
				room = OBJECT_NAME_MAX > strlen(c->stack) ? OBJECT_NAME_MAX - strlen(c->stack) - 1 : 0;
			if (object_chars(s, full) && s.n <= room)
				continue;
			struct c2s_diag *dg = refuse(c, C2S_R_CS2012, at, what[t], s, "invalid name, only 64 "
				"[a-zA-Z0-9-_.] characters allowed, and the start and end character must be [a-zA-Z0-9]");
			c2s_diag_hint(c->diags, dg, full ? "rename it: letters, digits, '-', '_' and '.', at most 64, "
				      "starting and ending with a letter or digit" : "swarm names it STACK_%.*s: letters, "
				      "digits, '-', '_' and '.', at most 64 with the stack name, ending with a letter or digit",
				      CLIP(s));
		}
		same_name_objects(c, top, t);
	}
}

/* ---- CS2013: published ports ---- */

enum { PROTO_TCP, PROTO_UDP, PROTO_SCTP };

static int proto_of(struct c2s_str s)
{
	/* the engine upper-cases it and looks it up; anything else is TCP (0) */
	return streq_fold(s, "udp") ? PROTO_UDP : streq_fold(s, "sctp") ? PROTO_SCTP : PROTO_TCP;
}

/* One port item as the engine gets it: published ports [lo, hi] (0, 0: none
 * published), its protocol and whether it is published in host mode. */
struct port_item {
	unsigned lo, hi;
	int proto, host;
};

/* A short-syntax port ([IP:]HOST[-HOST]:CONTAINER[-CONTAINER][/PROTO] or
 * CONTAINER[/PROTO]) as nat.ParsePortSpec and the loader read it; 0 when it does
 * not parse (the loader's error is CS2005's). */
static int short_port(struct c2s_str s, struct port_item *p)
{
	struct c2s_port_spec ps;
	if (c2s_port_spec_parse(s.p, s.n, &ps, NULL, 0) != 0)
		return 0;
	p->proto = ps.proto[0] == 'u' ? PROTO_UDP : ps.proto[0] == 's' ? PROTO_SCTP : PROTO_TCP;
	p->host = 0;
	p->lo = ps.has_host ? ps.host_lo : 0;
	p->hi = ps.has_host ? ps.host_hi : 0;
	return 1;
}

static int long_port(const struct c2s_doc *d, const struct c2s_node *it, struct port_item *p)
{
	const struct c2s_node *pub = c2s_map_get(d, it, "published", NULL);
	const struct c2s_node *proto = c2s_map_get(d, it, "protocol", NULL);
	const struct c2s_node *mode = c2s_map_get(d, it, "mode", NULL);
	struct c2s_str s;
	uint64_t v = 0;
	if (pub && (!text_of(d, pub, &s) || c2s_node_uint(d, pub, &v) != 0 || v > 0xffffffffu))
		return 0;
	p->lo = p->hi = (unsigned)v;
	p->proto = text_of(d, proto, &s) ? proto_of(s) : PROTO_TCP;
	if (mode && !text_of(d, mode, &s))
		return 0;
	p->host = mode && streq_fold(s, "host");
	return 1;
}

/* Who publishes a port: the first service in ingress and in host mode, and the
 * last service seen (a repeat within one service). Open addressing on proto:port. */
struct port_owner {
	uint32_t key;                 /* 1 + (proto << 32 >> ...): 0 is empty */
	uint32_t svc[2], at[2];       /* [0] ingress, [1] host: 1 + service index, 0: none; node index */
	uint32_t last;                /* 1 + the last service that published it */
	uint32_t last_at;
};

struct port_table {
	struct port_owner *slots;
	uint32_t mask, used;
};

static struct port_owner *port_slot(struct port_table *t, uint32_t key)
{
	if (!t->slots || 2 * (t->used + 1) > t->mask + 1) {
		/* at most 3 * 65536 keys are ever stored: the table stays bounded */
		uint32_t cap = t->slots ? 2 * (t->mask + 1) : 64;
		struct port_owner *ns = calloc(cap, sizeof *ns);
		if (!ns)
			return NULL;
		for (uint32_t i = 0; t->slots && i <= t->mask; i++)
			if (t->slots[i].key) {
				uint32_t h = (t->slots[i].key * 2654435761u) & (cap - 1);
				while (ns[h].key)
					h = (h + 1) & (cap - 1);
				ns[h] = t->slots[i];
			}
		free(t->slots);
		t->slots = ns;
		t->mask = cap - 1;
	}
	uint32_t h = (key * 2654435761u) & t->mask;
	while (t->slots[h].key && t->slots[h].key != key)
		h = (h + 1) & t->mask;
	if (!t->slots[h].key) {
		t->slots[h].key = key;
		t->used++;
	}
	return &t->slots[h];
}

static const char *const proto_names[] = {"tcp", "udp", "sctp"};

static void port_conflicts(struct c2s_check *c, struct port_table *t, uint32_t i, const struct c2s_node *it,
			   const struct port_item *p)
{
	const struct c2s_doc *d = c->doc;
	struct c2s_str name = c2s_scalar(d, c2s_map_key(d, c->services, i));
	for (unsigned port = p->lo; port && port <= p->hi; port++) {
		struct port_owner *o = port_slot(t, 1 + ((uint32_t)p->proto << 16 | port));
		if (!o)
			return;
		uint32_t at = (uint32_t)(it - d->nodes);
		struct c2s_diag *dg = NULL;
		const struct c2s_node *first = NULL;
		if (o->last == i + 1) {
			dg = refuse(c, C2S_R_CS2013, it, SERVICE, name, "EndpointSpec: duplicate published ports provided");
			first = &d->nodes[o->last_at];
			if (dg)
				c2s_diag_related(c->diags, dg, d->src, first->start, c2s_node_end(d, first),
						 "port %u/%s is published here too", port, proto_names[p->proto]);
			c2s_diag_hint(c->diags, dg, "a service publishes a port once per protocol");
		} else if (o->svc[0] || (o->svc[1] && !p->host)) {
			int mode = o->svc[0] ? 0 : 1;
			struct c2s_str other = c2s_scalar(d, c2s_map_key(d, c->services, o->svc[mode] - 1));
			first = &d->nodes[o->at[mode]];
			dg = refuse(c, C2S_R_CS2013, it, SERVICE, name,
				    "port '%u' is already in use by service '%.*s' as %s", port, CLIP(other),
				    mode ? "a host-published port" : "an ingress port");
			if (dg)
				c2s_diag_related(c->diags, dg, d->src, first->start, c2s_node_end(d, first),
						 "service %.*s publishes port %u/%s here", CLIP(other), port,
						 proto_names[p->proto]);
			c2s_diag_hint(c->diags, dg, "an ingress port belongs to one service in the whole swarm "
				      "(only mode: host ports may repeat, on different nodes): publish another port");
		}
		int h = p->host;
		if (!o->svc[h]) {
			o->svc[h] = i + 1;
			o->at[h] = at;
		}
		o->last = i + 1;
		o->last_at = at;
		if (dg)
			return;  /* one finding per item */
	}
}

void c2s_check_engine_ports(struct c2s_check *c)
{
	const struct c2s_doc *d = c->doc;
	struct port_table t = {NULL, 0, 0};
	C2S_FOR_EACH_SERVICE(c, i, key, svc) {
		const struct c2s_node *ports = c2s_svc_key(c, i, C2S_SK_PORTS, NULL);
		if (!c2s_is_sequence(ports) || c2s_count(ports) == 0)
			continue;
		struct c2s_str name = c2s_scalar(d, key), s;
		const struct c2s_node *em = c2s_svc_key(c, i, C2S_SK_DEPLOY_ENDPOINT_MODE, NULL);
		int dnsrr = text_of(d, em, &s) && streq_fold(s, "dnsrr"), said = 0;
		for (uint32_t k = 0; k < c2s_count(ports); k++) {
			const struct c2s_node *it = c2s_seq_item(d, ports, k);
			struct port_item p;
			if (c2s_is_scalar(it) ? !(text_of(d, it, &s) && short_port(s, &p))
					      : !(c2s_is_mapping(it) && long_port(d, it, &p)))
				continue;
			if (dnsrr && !p.host && !said) {
				struct c2s_diag *dg = refuse(c, C2S_R_CS2013, it, SERVICE, name,
					"EndpointSpec: port published with ingress mode can't be used with dnsrr mode");
				if (dg)
					c2s_diag_related(c->diags, dg, d->src, em->start, c2s_node_end(d, em),
							 "endpoint_mode: dnsrr is set here");
				c2s_diag_hint(c->diags, dg, "the routing mesh needs a virtual IP: publish with mode: host "
					      "(long syntax), or use endpoint_mode: vip");
				said = 1;
			}
			port_conflicts(c, &t, i, it, &p);
		}
	}
	free(t.slots);
}

/* ---- CS2015, CS2016: networks (and drivers) the engine refuses ---- */

/* Built into every engine: network drivers, and which of them are local (a
 * service can join only a swarm-scoped network: populateNetworkID in moby's
 * daemon/cluster/networks.go). Any other name is a plugin's. */
static const char *const local_drivers[] = {"bridge", "host", "null", "macvlan", "ipvlan"};

static int is_local_driver(struct c2s_str s)
{
	return one_of(s, local_drivers, sizeof local_drivers / sizeof *local_drivers);
}

/* ipam: the IPAM driver, which swarmkit's validateDriver looks up (a network or
 * secret driver is looked up by the daemon: another message) */
static void plugin_needed(struct c2s_check *c, const struct c2s_node *at, const char *what, struct c2s_str name,
			  int ipam, struct c2s_str driver)
{
	struct c2s_diag *dg = ipam ? refuse(c, C2S_R_CS2016, at, what, name, "error during lookup of plugin %.*s", CLIP(driver))
				   : refuse(c, C2S_R_CS2016, at, what, name, "plugin \"%.*s\" not found", CLIP(driver));
	c2s_diag_hint(c->diags, dg, "%.*s is no driver an engine has built in: install the plugin on every "
		      "manager (`docker plugin install`) and disable this rule for the file, or use a built-in driver",
		      CLIP(driver));
}

/* The networks a service joins (list or mapping; none: "default"), each as f sees it. */
static void each_service_network(struct c2s_check *c, uint32_t i,
				 void (*f)(struct c2s_check *, uint32_t svc, const struct c2s_node *ref, struct c2s_str name, void *),
				 void *ctx)
{
	const struct c2s_doc *d = c->doc;
	const struct c2s_node *nets = c2s_svc_key(c, i, C2S_SK_NETWORKS, NULL);
	struct c2s_str s;
	if (!nets || (!c2s_is_mapping(nets) && !c2s_is_sequence(nets)) || c2s_count(nets) == 0) {
		f(c, i, c2s_map_key(d, c->services, i), (struct c2s_str){"default", 7}, ctx);
		return;
	}
	for (uint32_t k = 0; k < c2s_count(nets); k++) {
		const struct c2s_node *ref = c2s_is_mapping(nets) ? c2s_map_key(d, nets, k) : c2s_seq_item(d, nets, k);
		if (text_of(d, ref, &s))
			f(c, i, ref, s, ctx);
	}
}

/* swarmkit's validateNetworkSpec keeps one label key for the networks it makes
 * itself (networkallocator.PredefinedLabel): a swarm network given it, with any
 * value, is refused. labels is a mapping or a KEY[=VALUE] list. */
#define PREDEFINED_LABEL "com.docker.swarm.predefined"

static void predefined_label(struct c2s_check *c, const struct c2s_node *labels, struct c2s_str net)
{
	const struct c2s_doc *d = c->doc;
	const size_t ln = sizeof PREDEFINED_LABEL - 1;
	for (uint32_t k = 0; (c2s_is_mapping(labels) || c2s_is_sequence(labels)) && k < c2s_count(labels); k++) {
		const struct c2s_node *at = c2s_is_mapping(labels) ? c2s_map_key(d, labels, k) : c2s_seq_item(d, labels, k);
		struct c2s_str s;
		if (!text_of(d, at, &s))
			continue;
		if (c2s_is_sequence(labels)) {
			const char *eq = memchr(s.p, '=', s.n);
			if (eq)
				s.n = (size_t)(eq - s.p);
		}
		if (s.n != ln || memcmp(s.p, PREDEFINED_LABEL, ln) != 0)
			continue;
		struct c2s_diag *dg = refuse(c, C2S_R_CS2015, at, "to create network", net,
					     "label " PREDEFINED_LABEL " is for internally created predefined networks "
					     "and cannot be applied by users");
		c2s_diag_hint(c->diags, dg, "swarm marks its own networks (ingress) with this label: remove it");
		return;
	}
}

/* The networks swarm itself keeps in its store on every manager. */
static const char *const swarm_own_networks[] = {"host", "bridge", "ingress"};

static int one_fold(struct c2s_str s, const char *const *set, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (streq_fold(s, set[i]))
			return 1;
	return 0;
}

/* An external network the engine has under another scope or case (the CLI's
 * validateExternalNetworks inspects each one that is not a predefined name):
 * docker_gwbridge is the local bridge every swarm node has; HOST, Ingress...
 * are no network, and none can be created (swarm's own takes the name). */
static void external_engine_name(struct c2s_check *c, const struct c2s_node *nm, struct c2s_str real)
{
	struct c2s_diag *dg;
	if (c2s_str_eq(real, "docker_gwbridge")) {
		dg = c2s_diag_at(c->diags, C2S_R_CS2015, c->doc, nm, "network \"docker_gwbridge\" is declared as external, "
				 "but it is not in the right scope: \"local\" instead of \"swarm\" (docker stack deploy "
				 "refuses the stack)");
		c2s_diag_hint(c->diags, dg, "docker_gwbridge is the local bridge that connects each node's containers to "
			      "the overlay networks: a service joins overlay networks only");
	} else if ((one_fold(real, swarm_own_networks, 3) && !one_of(real, swarm_own_networks, 3)) ||
		   !dns_chars(real, 1) || real.n > DNS_NAME_MAX) {
		dg = c2s_diag_at(c->diags, C2S_R_CS2015, c->doc, nm, "network \"%.*s\" is declared as external, but "
				 "could not be found. You need to create a swarm-scoped network before the stack is "
				 "deployed (docker stack deploy refuses the stack)", CLIP(real));
		if (dns_chars(real, 1) && real.n <= DNS_NAME_MAX)
			c2s_diag_hint(c->diags, dg, "network names are looked up as written, and no swarm network can "
				      "be created under this one: swarm's own %.*s takes it, names ignoring case; write it "
				      "in lower case", CLIP(real));
		else
			c2s_diag_hint(c->diags, dg, "no swarm network can have this name (swarmkit: letters, digits, "
				      "'-' and '_', at most 63, starting and ending with a letter or digit)");
	}
}

struct net_use {
	const struct c2s_node *top;
	struct c2s_keyset keys;  /* top's names */
	unsigned char *seen;     /* per top-level network: judged already */
};

static void judge_network(struct c2s_check *c, uint32_t i, const struct c2s_node *ref, struct c2s_str net, void *ctx)
{
	const struct c2s_doc *d = c->doc;
	struct net_use *u = ctx;
	struct c2s_str svc = c2s_scalar(d, c2s_map_key(d, c->services, i)), s;
	int64_t at = c2s_keyset_find(&u->keys, net);
	if (at < 0)
		return;  /* the implicit default network is an overlay one; an undefined one is CS2007's */
	/* each definition judged once, at the first service that joins it */
	uint32_t idx = (uint32_t)at;
	if (u->seen[idx])
		return;
	u->seen[idx] = 1;
	const struct c2s_node *def = c2s_map_value(d, u->top, idx);
	int full;
	const struct c2s_node *nm = object_name(d, c2s_map_key(d, u->top, idx), def, &full);
	if (is_external(d, def)) {
		const struct c2s_node *ext = c2s_map_get(d, def, "external", NULL);
		const struct c2s_node *en = c2s_map_get(d, ext, "name", NULL);
		if (!full && en)
			nm = en;
		struct c2s_str real;
		if (!text_of(d, nm, &real))
			return;
		struct c2s_diag *dg = NULL;
		if (c2s_str_eq(real, "ingress"))
			dg = refuse(c, C2S_R_CS2015, ref, SERVICE, svc,
				    "Service cannot be explicitly attached to the ingress network \"ingress\"");
		else if (c2s_str_eq(real, "none"))
			dg = refuse(c, C2S_R_CS2015, ref, SERVICE, svc,
				    "could not find the corresponding predefined swarm network: network none not found");
		else if (c2s_str_eq(real, "default"))
			/* the CLI does not look up a predefined name; no network is called default */
			dg = refuse(c, C2S_R_CS2015, ref, SERVICE, svc, "network default not found");
		else {
			external_engine_name(c, nm, real);
			return;
		}
		if (dg)
			c2s_diag_related(c->diags, dg, d->src, nm->start, c2s_node_end(d, nm), "the network is %.*s",
					 CLIP(real));
		c2s_diag_hint(c->diags, dg, c2s_str_eq(real, "ingress") ? "the routing mesh attaches itself to a "
			      "service that publishes ports: remove the network and publish the ports" :
			      c2s_str_eq(real, "none") ? "a service without networks gets the stack's default network; "
			      "swarm has no none network" : "default names no network: a service without networks gets "
			      "the stack's own (STACK_default); remove the entry");
		return;
	}
	struct c2s_str name;
	if (full && text_of(d, nm, &name)) {
		struct c2s_diag *dg = NULL;
		if (c2s_str_eq(name, "host") || c2s_str_eq(name, "bridge") || c2s_str_eq(name, "ingress") ||
		    c2s_str_eq(name, "docker_gwbridge"))
			dg = refuse(c, C2S_R_CS2015, nm, "to create network", name,
				    "network with name %.*s already exists", CLIP(name));
		else if (one_fold(name, swarm_own_networks, 3))
			/* swarmkit's store indexes names in lower case: its own host, bridge, ingress */
			dg = refuse(c, C2S_R_CS2015, nm, "to create network", name,
				    "name conflicts with an existing object");
		else if (c2s_str_eq(name, "none") || c2s_str_eq(name, "default"))
			dg = refuse(c, C2S_R_CS2015, nm, "to create network", name,
				    "operation is not permitted on predefined %.*s network", CLIP(name));
		if (dg) {
			c2s_diag_hint(c->diags, dg, "%.*s is the engine's own network: to use it, declare it external: "
				      "true (host and bridge only), or name yours differently", CLIP(name));
			return;
		}
	}
	const struct c2s_node *dn = c2s_map_get(d, def, "driver", NULL);
	if (!dn || (text_of(d, dn, &s) && (s.n == 0 || c2s_str_eq(s, "overlay")))) {
		check_dns_name(c, nm, full, "to create network", "network");  /* swarmkit's validateAnnotations */
		predefined_label(c, c2s_map_get(d, def, "labels", NULL), full ? name : c2s_scalar(d, nm));
	}
	if (text_of(d, dn, &s) && s.n && !c2s_str_eq(s, "overlay")) {
		if (c2s_str_eq(s, "host") || c2s_str_eq(s, "null")) {
			struct c2s_str shown = c2s_str_eq(s, "null") ? (struct c2s_str){"null", 4} : s;
			struct c2s_diag *dg = refuse(c, C2S_R_CS2015, dn, "to create network", full ? name : c2s_scalar(d, nm),
						     "only one instance of \"%.*s\" network is allowed", CLIP(shown));
			c2s_diag_hint(c->diags, dg, "declare the engine's own network instead: networks: {hostnet: "
				      "{external: true, name: host}}");
		} else if (is_local_driver(s)) {
			struct c2s_str nname = full ? name : c2s_scalar(d, nm);
			struct c2s_diag *dg = refuse(c, C2S_R_CS2015, dn, SERVICE, svc, "The network %s%.*s cannot be "
				"used with services. Only networks scoped to the swarm can be used, such as those created "
				"with the overlay driver.", full ? "" : "STACK_", CLIP(nname));
			if (dg)
				c2s_diag_related(c->diags, dg, d->src, ref->start, c2s_node_end(d, ref),
						 "service %.*s joins it here", CLIP(svc));
			c2s_diag_hint(c->diags, dg, "driver %.*s makes a network local to one node: use driver: overlay "
				      "(the default for docker stack deploy)", CLIP(s));
		} else {
			plugin_needed(c, dn, "to create network", full ? name : c2s_scalar(d, nm),
				      0, s);
		}
	}
	const struct c2s_node *ipam = c2s_map_get(d, def, "ipam", NULL);
	const struct c2s_node *idrv = c2s_map_get(d, ipam, "driver", NULL);
	if (text_of(d, idrv, &s) && s.n && !streq_fold(s, "default"))
		plugin_needed(c, idrv, "to create network", full ? name : c2s_scalar(d, nm),
			      1, s);
	const struct c2s_node *cfg = c2s_map_get(d, ipam, "config", NULL);
	for (uint32_t k = 0; c2s_is_sequence(cfg) && k < c2s_count(cfg); k++) {
		const struct c2s_node *item = c2s_seq_item(d, cfg, k), *sub = c2s_map_get(d, item, "subnet", NULL);
		/* an entry with no subnet is sent as Subnet "", which getIpamConfig parses too */
		if (!sub && c2s_is_mapping(item)) {
			s = (struct c2s_str){"", 0};
			sub = item;
		} else if (!text_of(d, sub, &s)) {
			continue;
		}
		if (!c2s_cidr_valid(s.p, s.n)) {
			struct c2s_diag *dg = refuse(c, C2S_R_CS2015, sub, "to create network",
						     full ? name : c2s_scalar(d, nm),
						     "Invalid subnet %.*s : invalid CIDR address: %.*s", CLIP(s), CLIP(s));
			c2s_diag_hint(c->diags, dg, "a subnet is ADDRESS/PREFIX, e.g. 10.20.0.0/16");
		}
	}
}

/* The networks the stack creates (those some service joins: seen) whose names differ
 * only in case: swarm refuses the second ("name conflicts with an existing object").
 * Equal names are one network (the CLI creates it once). */
static void same_name_networks(struct c2s_check *c, const struct c2s_node *top, const unsigned char *seen)
{
	const struct c2s_doc *d = c->doc;
	uint32_t n = c2s_count(top), m = 0;
	struct named_object *v = n > 1 ? malloc(n * sizeof *v) : NULL;
	if (!v) {
		if (n > 1)
			c2s_diags_out_of_memory(c->diags);
		return;
	}
	for (uint32_t k = 0; k < n; k++) {
		const struct c2s_node *def = c2s_map_value(d, top, k), *nm;
		struct c2s_str s;
		int full;
		if (!seen[k] || is_external(d, def))
			continue;
		nm = object_name(d, c2s_map_key(d, top, k), def, &full);
		if (text_of(d, nm, &s) && s.n)
			v[m++] = (struct named_object){s, k, !full};
	}
	sort_names(v, m);
	for (uint32_t a = 0; a + 1 < m; a++) {
		if (!same_name(&v[a], &v[a + 1]) || same_text(&v[a], &v[a + 1]))
			continue;
		int full;
		const struct c2s_node *def = c2s_map_value(d, top, v[a + 1].k);
		const struct c2s_node *at = object_name(d, c2s_map_key(d, top, v[a + 1].k), def, &full);
		struct c2s_diag *dg = refuse(c, C2S_R_CS2012, at, "to create network", v[a + 1].name,
					     "name conflicts with an existing object");
		c2s_diag_hint(c->diags, dg, "network %.*s's name differs from this one only in case, and swarm's names "
			      "ignore case: rename one", CLIP(c2s_scalar(d, c2s_map_key(d, top, v[a].k))));
	}
	free(v);
}

void c2s_check_engine_networks(struct c2s_check *c)
{
	const struct c2s_doc *d = c->doc;
	struct net_use u;
	u.top = c2s_map_get(d, c->root, "networks", NULL);
	if (!c2s_is_mapping(u.top) || c2s_count(u.top) == 0)
		return;
	u.seen = calloc(c2s_count(u.top), 1);
	if (!u.seen || c2s_keyset_init(&u.keys, d, u.top) != 0) {
		free(u.seen);
		return;
	}
	C2S_FOR_EACH_SERVICE(c, i, key, svc)
		each_service_network(c, i, judge_network, &u);
	same_name_networks(c, u.top, u.seen);
	c2s_keyset_free(&u.keys);
	free(u.seen);
}

/* Secrets with a driver: a plugin's (daemon/cluster's secret create looks it up). */
void c2s_check_driver_plugins(struct c2s_check *c)
{
	const struct c2s_doc *d = c->doc;
	const struct c2s_node *top = c2s_map_get(d, c->root, "secrets", NULL);
	for (uint32_t k = 0; c2s_is_mapping(top) && k < c2s_count(top); k++) {
		const struct c2s_node *key = c2s_map_key(d, top, k), *def = c2s_map_value(d, top, k);
		const struct c2s_node *drv = c2s_map_get(d, def, "driver", NULL);
		struct c2s_str s;
		int full;
		if (is_external(d, def) || !text_of(d, drv, &s) || !s.n)
			continue;
		plugin_needed(c, drv, "to create secret", c2s_scalar(d, object_name(d, key, def, &full)),
			      0, s);
	}
}

/* ---- CS9008: the size of a secret's or config's data ---- */


void c2s_check_object_sizes(struct c2s_check *c)
{
	const struct c2s_doc *d = c->doc;
	static const char *const tops[] = {"secrets", "configs"}, *const kind[] = {"secret", "config"};
	static const long long max[] = {SECRET_DATA_MAX, CONFIG_DATA_MAX};
	const char *base = d->src->path;
	size_t dirlen = 0;
	if (base && strcmp(base, "-") != 0 && strrchr(base, '/'))
		dirlen = (size_t)(strrchr(base, '/') - base) + 1;
	for (int t = 0; t < 2; t++) {
		const struct c2s_node *top = c2s_map_get(d, c->root, tops[t], NULL);
		for (uint32_t k = 0; c2s_is_mapping(top) && k < c2s_count(top); k++) {
			const struct c2s_node *key = c2s_map_key(d, top, k), *def = c2s_map_value(d, top, k);
			const struct c2s_node *file = c2s_map_get(d, def, "file", NULL);
			const struct c2s_node *drv = c2s_map_get(d, def, "driver", NULL);
			struct c2s_str s, dv;
			if (is_external(d, def) || (t == 0 && text_of(d, drv, &dv) && dv.n) || !text_of(d, file, &s) ||
			    s.n == 0 || s.p[0] == '~' || memchr(s.p, '\0', s.n))
				continue;
			char path[4096];
			size_t dl = s.p[0] == '/' ? 0 : dirlen;
			if (dl + s.n + 1 > sizeof path)
				continue;
			memcpy(path, base, dl);
			memcpy(path + dl, s.p, s.n);
			path[dl + s.n] = '\0';
			struct stat st;
			if (stat(path, &st) != 0 || !S_ISREG(st.st_mode))
				continue;  /* missing: CS9005; a directory: the CLI's own error */
			if (st.st_size > 0 && st.st_size < max[t])
				continue;
			int full;
			struct c2s_diag *dg = refuse(c, C2S_R_CS9008, file, t ? "to create config" : "to create secret",
						     c2s_scalar(d, object_name(d, key, def, &full)),
						     "%s data must be larger than 0 and less than %lld bytes", kind[t], max[t]);
			if (st.st_size == 0)
				c2s_diag_hint(c->diags, dg, "%.*s is empty: put the %s's content in it before deploying",
					      CLIP(s), kind[t]);
			else
				c2s_diag_hint(c->diags, dg, "%.*s is %lld bytes: swarm keeps %ss in its raft store and takes "
					      "at most %lld; mount big files as a volume instead", CLIP(s),
					      (long long)st.st_size, kind[t], max[t] - 1);
		}
	}
}

/* ---- CS2014: Go templates swarm cannot expand ---- */

/* swarmkit expands a service's env values, hostname and mounts as Go templates
 * when it validates the service (template.ExpandContainerSpec), and refuses the
 * service when one does not parse or run. what: how swarmkit words the value. */
static void check_template(struct c2s_check *c, const struct c2s_node *at, struct c2s_str name, struct c2s_str v,
			   const char *what)
{
	char err[400];
	if (v.n < 2 || !memmem(v.p, v.n, "{{", 2) || (c->uninterpolated && memchr(v.p, '$', v.n)) ||
	    c2s_gotmpl_check(v.p, v.n, err, sizeof err) != C2S_GOTMPL_ERROR)
		return;
	struct c2s_diag *dg = refuse(c, C2S_R_CS2014, at, SERVICE, name, "%s: %s", what, err);
	c2s_diag_hint(c->diags, dg, "swarm reads {{ }} here as a Go template (fields .Service.ID/.Name/.Labels, "
		      ".Node.ID/.Hostname/.Platform, .Task.ID/.Name/.Slot; function join): fix it, or keep braces out "
		      "of the value");
}

static void template_env(struct c2s_check *c, uint32_t i, struct c2s_str name)
{
	const struct c2s_doc *d = c->doc;
	const struct c2s_node *env = c2s_svc_key(c, i, C2S_SK_ENVIRONMENT, NULL);
	struct c2s_str s;
	char what[400];
	if (c2s_is_sequence(env)) {
		for (uint32_t k = 0; k < c2s_count(env); k++) {
			const struct c2s_node *it = c2s_seq_item(d, env, k);
			if (!c2s_is_scalar(it))
				continue;
			s = c2s_scalar(d, it);
			const char *eq = memchr(s.p, '=', s.n);
			if (!eq || s.n < 2 || !memmem(s.p, s.n, "{{", 2))
				continue;
			snprintf(what, sizeof what, "expanding env failed: expanding env \"%.*s\"", CLIP(s));
			check_template(c, it, name, (struct c2s_str){eq + 1, s.n - (size_t)(eq - s.p) - 1}, what);
		}
	} else if (c2s_is_mapping(env)) {
		for (uint32_t k = 0; k < c2s_count(env); k++) {
			const struct c2s_node *key = c2s_map_key(d, env, k), *val = c2s_map_value(d, env, k);
			struct c2s_value tv;
			if (!c2s_is_scalar(val) || c2s_resolve(d, val, &tv) == C2S_TYPE_NULL)
				continue;
			s = c2s_scalar(d, val);
			if (s.n < 2 || !memmem(s.p, s.n, "{{", 2))
				continue;
			struct c2s_str ks = c2s_scalar(d, key);
			snprintf(what, sizeof what, "expanding env failed: expanding env \"%.*s=%.*s\"",
				 (int)(ks.n > 100 ? 100 : ks.n), ks.p, (int)(s.n > 150 ? 150 : s.n), s.p);
			check_template(c, val, name, s, what);
		}
	}
}

/* ---- env_file values (the loader reads them into the service's environment) ---- */

struct env_entry {
	const char *k, *v;
	size_t kn, vn;
	uint32_t file; /* index of the env_file item it came from */
	uint32_t seq;  /* its place in reading order: a later one of the same key wins */
};

struct env_collect {
	struct env_entry *e;
	size_t n, cap;
	uint32_t file;
	int nomem;
};

static int collect_env(void *ctx, const char *key, size_t klen, const char *value, size_t vlen, int has_value)
{
	struct env_collect *ec = ctx;
	if (!has_value) {
		/* a bare KEY takes the deploying shell's value, or is left out */
		char kb[256];
		if (klen >= sizeof kb)
			return 0;
		memcpy(kb, key, klen);
		kb[klen] = '\0';
		value = getenv(kb);
		if (!value)
			return 0;
		vlen = strlen(value);
	}
	if (ec->n == ec->cap) {
		size_t cap = ec->cap ? ec->cap * 2 : 32;
		struct env_entry *e = realloc(ec->e, cap * sizeof *e);
		if (!e) {
			ec->nomem = 1;
			return 1;
		}
		ec->e = e;
		ec->cap = cap;
	}
	ec->e[ec->n] = (struct env_entry){key, value, klen, vlen, ec->file, (uint32_t)ec->n};
	ec->n++;
	return 0;
}

static int env_entry_cmp(const void *a, const void *b)
{
	const struct env_entry *x = a, *y = b;
	size_t n = x->kn < y->kn ? x->kn : y->kn;
	int r = memcmp(x->k, y->k, n);
	if (r)
		return r;
	if (x->kn != y->kn)
		return x->kn < y->kn ? -1 : 1;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

/* Does the service's environment: set key (its value, or null, replaces the file's)? */
static int env_sets(const struct c2s_doc *d, const struct c2s_node *env, const char *k, size_t kn)
{
	for (uint32_t q = 0; env && q < c2s_count(env); q++) {
		struct c2s_str s;
		if (c2s_is_mapping(env)) {
			s = c2s_scalar(d, c2s_map_key(d, env, q));
		} else {
			const struct c2s_node *it = c2s_seq_item(d, env, q);
			if (!c2s_is_scalar(it))
				continue;
			s = c2s_scalar(d, it);
			const char *eq = memchr(s.p, '=', s.n);
			if (eq)
				s.n = (size_t)(eq - s.p);
		}
		if (s.n == kn && memcmp(s.p, k, kn) == 0)
			return 1;
	}
	return 0;
}

/* The values a service's env_file entries give it, as swarmkit expands them: each
 * file read in order (a later one's key wins), the service's environment: on top.
 * Reported at the env_file entry the value comes from. */
static void template_env_files(struct c2s_check *c, uint32_t i, struct c2s_str name)
{
	const struct c2s_doc *d = c->doc;
	const struct c2s_node *ef = c2s_svc_key(c, i, C2S_SK_ENV_FILE, NULL);
	if (!ef || !(c2s_is_scalar(ef) || c2s_is_sequence(ef)))
		return;
	const struct c2s_node *env = c2s_svc_key(c, i, C2S_SK_ENVIRONMENT, NULL);
	if (!c2s_is_mapping(env) && !c2s_is_sequence(env))
		env = NULL;
	uint32_t nf = c2s_is_sequence(ef) ? c2s_count(ef) : 1;
	struct c2s_buf *bufs = calloc(nf ? nf : 1, sizeof *bufs);
	struct env_collect ec = {0};
	if (!bufs) {
		c2s_diags_out_of_memory(c->diags);
		return;
	}
	const char *base = d->src->path;
	size_t dirlen = 0;
	if (base && strcmp(base, "-") != 0 && strrchr(base, '/'))
		dirlen = (size_t)(strrchr(base, '/') - base) + 1;
	int templated = 0;
	for (uint32_t f = 0; f < nf && !ec.nomem; f++) {
		const struct c2s_node *it = c2s_is_sequence(ef) ? c2s_seq_item(d, ef, f) : ef;
		struct c2s_str s;
		char path[4096], err[512];
		c2s_buf_init(&bufs[f], C2S_ENVFILE_MAX_BYTES);
		if (!text_of(d, it, &s) || s.n == 0 || s.p[0] == '~' || memchr(s.p, '\0', s.n))
			continue;
		size_t dl = s.p[0] == '/' ? 0 : dirlen;
		if (dl + s.n + 1 > sizeof path)
			continue;
		memcpy(path, base, dl);
		memcpy(path + dl, s.p, s.n);
		path[dl + s.n] = '\0';
		/* unreadable or invalid files are CS9005's and CS3005's */
		if (c2s_envfile_read(path, &bufs[f], err, sizeof err) != C2S_ENVFILE_OK || !bufs[f].data)
			continue;
		if (!memmem(bufs[f].data, bufs[f].len, "{{", 2) && !templated)
			continue;  /* no template can come from it, and none came before to override */
		templated = 1;
		ec.file = f;
		if (c2s_envfile_parse(bufs[f].data, bufs[f].len, collect_env, &ec, err, sizeof err) == -1)
			ec.n = 0;  /* docker stops at an invalid file: CS3005 says so */
	}
	if (ec.nomem)
		c2s_diags_out_of_memory(c->diags);
	else if (ec.n)
		qsort(ec.e, ec.n, sizeof *ec.e, env_entry_cmp);
	for (size_t q = 0; !ec.nomem && q < ec.n; q++) {
		const struct env_entry *e = &ec.e[q];
		/* the last of its key wins; the service's environment: wins over every file */
		if ((q + 1 < ec.n && e->kn == ec.e[q + 1].kn && memcmp(e->k, ec.e[q + 1].k, e->kn) == 0) ||
		    e->vn < 2 || !memmem(e->v, e->vn, "{{", 2) || env_sets(d, env, e->k, e->kn))
			continue;
		const struct c2s_node *at = c2s_is_sequence(ef) ? c2s_seq_item(d, ef, e->file) : ef;
		char what[400];
		snprintf(what, sizeof what, "expanding env failed: expanding env \"%.*s=%.*s\"",
			 (int)(e->kn > 100 ? 100 : e->kn), e->k, (int)(e->vn > 150 ? 150 : e->vn), e->v);
		check_template(c, at, name, (struct c2s_str){e->v, e->vn}, what);
	}
	free(ec.e);
	for (uint32_t f = 0; f < nf; f++)
		c2s_buf_free(&bufs[f]);
	free(bufs);
}

/* Does a volume definition have a name, label or driver option with "{{" in it? */
static int volume_has_braces(const struct c2s_doc *d, const struct c2s_node *def)
{
	const struct c2s_node *nm = c2s_map_get(d, def, "name", NULL);
	if (c2s_is_scalar(nm) && c2s_count(nm) >= 2 && memmem(c2s_scalar(d, nm).p, c2s_count(nm), "{{", 2))
		return 1;
	static const char *const parts[] = {"labels", "driver_opts"};
	for (int p = 0; p < 2; p++) {
		const struct c2s_node *m = c2s_map_get(d, def, parts[p], NULL);
		for (uint32_t q = 0; (c2s_is_mapping(m) || c2s_is_sequence(m)) && q < c2s_count(m); q++) {
			const struct c2s_node *v = c2s_is_mapping(m) ? c2s_map_value(d, m, q) : c2s_seq_item(d, m, q);
			if (c2s_is_scalar(v) && c2s_count(v) >= 2 && memmem(c2s_scalar(d, v).p, c2s_count(v), "{{", 2))
				return 1;
		}
	}
	return 0;
}

/* Entry q of a labels or driver_opts mapping, or of a KEY=VALUE labels list (the
 * loader's ListOrDict: no "=" is an empty value), as key and value; at: the node
 * that writes the value. 0 when it is not text. */
static int map_entry(const struct c2s_doc *d, const struct c2s_node *m, uint32_t q, struct c2s_str *k,
		     struct c2s_str *v, const struct c2s_node **at)
{
	if (c2s_is_mapping(m)) {
		const struct c2s_node *lk = c2s_map_key(d, m, q);
		*at = c2s_map_value(d, m, q);
		if (!c2s_is_scalar(*at) || !c2s_is_scalar(lk))
			return 0;
		*k = c2s_scalar(d, lk);
		*v = c2s_scalar(d, *at);
		return 1;
	}
	*at = c2s_seq_item(d, m, q);
	if (!c2s_is_scalar(*at))
		return 0;
	struct c2s_str s = c2s_scalar(d, *at);
	const char *eq = memchr(s.p, '=', s.n);
	*k = (struct c2s_str){s.p, eq ? (size_t)(eq - s.p) : s.n};
	*v = eq ? (struct c2s_str){eq + 1, s.n - (size_t)(eq + 1 - s.p)} : (struct c2s_str){"", 0};
	return 1;
}

/* top_volumes: the top-level volumes when one of them has "{{" in a label or
 * driver option (looked up in keys), else NULL */
static void template_mounts(struct c2s_check *c, uint32_t i, struct c2s_str name, const struct c2s_node *top_volumes,
			    const struct c2s_keyset *keys, unsigned char *braces)
{
	const struct c2s_doc *d = c->doc;
	const struct c2s_node *vols = c2s_svc_key(c, i, C2S_SK_VOLUMES, NULL);
	for (uint32_t k = 0; c2s_is_sequence(vols) && k < c2s_count(vols); k++) {
		const struct c2s_node *it = c2s_seq_item(d, vols, k), *src = NULL, *tgt = NULL;
		struct c2s_str s, source = {NULL, 0}, target = {NULL, 0};
		if (c2s_is_scalar(it)) {
			s = c2s_scalar(d, it);
			if ((!top_volumes && (s.n < 2 || !memmem(s.p, s.n, "{{", 2))) || !short_volume_target(s, &target))
				continue;
			/* the source is what comes before the target's colon */
			if (target.p > s.p)
				source = (struct c2s_str){s.p, (size_t)(target.p - s.p) - 1};
			src = tgt = it;
		} else if (c2s_is_mapping(it)) {
			static const struct c2s_str st[2] = {{"source", 6}, {"target", 6}};
			const struct c2s_node *v[2];
			c2s_map_get_many(d, it, st, 2, v, NULL);
			src = v[0];
			tgt = v[1];
			if (c2s_is_scalar(src))
				source = c2s_scalar(d, src);
			if (c2s_is_scalar(tgt))
				target = c2s_scalar(d, tgt);
		}
		char what[400];
		if (source.p) {
			snprintf(what, sizeof what, "expanding mounts failed: expanding mount source \"%.*s\"", CLIP(source));
			check_template(c, src, name, source, what);
		}
		if (target.p) {
			snprintf(what, sizeof what, "expanding mounts failed: expanding mount target \"%.*s\"", CLIP(target));
			check_template(c, tgt, name, target, what);
		}
		/* a named volume of the stack: its labels and driver options go into the mount */
		if (!source.p || !top_volumes || source.n == 0 || source.p[0] == '/' || source.p[0] == '.' ||
		    source.p[0] == '~')
			continue;
		int64_t at = c2s_keyset_find(keys, source);
		const struct c2s_node *def = at >= 0 ? c2s_map_value(d, top_volumes, (uint32_t)at) : NULL;
		if (!c2s_is_mapping(def))
			continue;
		/* braces[at]: 1 + volume_has_braces, once per volume (every service mounting
		 * it asked again: 240,000 lookups in a 10,000-service file) */
		if (braces && !braces[at])
			braces[at] = (unsigned char)(1 + volume_has_braces(d, def));
		if (braces ? braces[at] != 2 : !volume_has_braces(d, def))
			continue;
		/* a volume's name: (external or not) is the mount's source (convertVolumeToMount) */
		const struct c2s_node *vn = c2s_map_get(d, def, "name", NULL);
		if (c2s_is_scalar(vn)) {
			struct c2s_str ns = c2s_scalar(d, vn);
			snprintf(what, sizeof what, "expanding mounts failed: expanding mount source \"%.*s\"", CLIP(ns));
			check_template(c, src, name, ns, what);
		}
		if (is_external(d, def))
			continue;
		static const char *const parts[] = {"labels", "driver_opts"};
		static const char *const wrap[] = {"expanding volume labels", "expanding volume driver config"};
		for (int p = 0; p < 2; p++) {
			const struct c2s_node *m = c2s_map_get(d, def, parts[p], NULL), *lv;
			for (uint32_t q = 0; (c2s_is_mapping(m) || c2s_is_sequence(m)) && q < c2s_count(m); q++) {
				struct c2s_str ks, vs;
				if (!map_entry(d, m, q, &ks, &vs, &lv))
					continue;
				snprintf(what, sizeof what, "expanding mounts failed: %s: expanding map entry \"%.*s\"=\"%.*s\"",
					 wrap[p], (int)(ks.n > 100 ? 100 : ks.n), ks.p, CLIP(vs));
				check_template(c, lv, name, vs, what);
			}
		}
	}
}

void c2s_check_engine_templates(struct c2s_check *c)
{
	const struct c2s_doc *d = c->doc;
	const struct c2s_node *top_volumes = c2s_map_get(d, c->root, "volumes", NULL);
	const struct c2s_keyset *keys = NULL;
	if (!c->volume_braces) {
		int braces = 0;
		for (uint32_t k = 0; c2s_is_mapping(top_volumes) && k < c2s_count(top_volumes) && !braces; k++)
			braces = volume_has_braces(d, c2s_map_value(d, top_volumes, k));
		c->volume_braces = (uint8_t)(1 + braces);
	}
	if (c->volume_braces == 2)
		keys = c2s_check_top_volumes(c, &top_volumes);
	if (!keys)
		top_volumes = NULL;
	unsigned char *memo = top_volumes ? calloc(c2s_count(top_volumes), 1) : NULL;  /* NULL: ask each time */
	C2S_FOR_EACH_SERVICE(c, i, key, svc) {
		struct c2s_str name = c2s_scalar(d, key);
		template_env(c, i, name);
		template_env_files(c, i, name);
		template_mounts(c, i, name, top_volumes, keys, memo);
		const struct c2s_node *h = c2s_svc_key(c, i, C2S_SK_HOSTNAME, NULL);
		if (c2s_is_scalar(h))
			check_template(c, h, name, c2s_scalar(d, h), "expanding hostname failed");
	}
	free(memo);
}
