/* rules_rollout.c -- CS7xxx: rolling updates and health. */
#include "config.h"
#include "check.h"

#include <string.h>

static int is_job(struct c2s_str mode)
{
	return (mode.n == 14 && memcmp(mode.p, "replicated-job", 14) == 0) ||
	       (mode.n == 10 && memcmp(mode.p, "global-job", 10) == 0);
}

void c2s_check_no_healthcheck(struct c2s_check *c)
{
	const struct c2s_doc *d = c->doc;
	C2S_FOR_EACH_SERVICE(c, i, name, svc) {
		if (is_job(c2s_svc_mode(c, i)))
			continue;  /* a job runs to completion: no rolling update to guard */
		struct c2s_str sname = c2s_scalar(d, name);
		const struct c2s_node *hc = c2s_svc_key(c, i, C2S_SK_HEALTHCHECK, NULL);
		const struct c2s_node *key, *v;
		struct c2s_value val;
		if (!hc) {
			struct c2s_diag *dg = c2s_diag_at(c->diags, C2S_R_CS7001, d, name,
				"service %.*s has no healthcheck: a rolling update cannot tell a bad task from a good one",
				(int)sname.n, sname.p);
			c2s_diag_hint(c->diags, dg, "add healthcheck: {test, interval, timeout, retries, start_period} "
				      "so swarm waits for healthy tasks (unless the image has its own HEALTHCHECK)");
		} else if ((v = c2s_map_get(d, hc, "disable", &key)) &&
			   c2s_resolve(d, v, &val) == C2S_TYPE_BOOL && val.boolean) {
			struct c2s_diag *dg = c2s_diag_at(c->diags, C2S_R_CS7001, d, key,
				"service %.*s disables its healthcheck: a rolling update cannot tell a bad task from a good one",
				(int)sname.n, sname.p);
			c2s_diag_hint(c->diags, dg, "give the service a real test command instead of disable: true");
		} else if ((v = c2s_map_get(d, hc, "test", &key)) && c2s_is_sequence(v) && c2s_count(v) >= 1 &&
			   c2s_scalar_is(d, c2s_seq_item(d, v, 0), "NONE")) {
			struct c2s_diag *dg = c2s_diag_at(c->diags, C2S_R_CS7001, d, v,
				"service %.*s disables its healthcheck with [\"NONE\"]: a rolling update cannot tell a bad task from a good one",
				(int)sname.n, sname.p);
			c2s_diag_hint(c->diags, dg, "give the service a real test command, e.g. [\"CMD\", \"curl\", \"-f\", \"http://localhost/\"]");
		}
	}
}

/* The healthcheck a rolling update can use: NULL when absent or disabled. */
static const struct c2s_node *live_healthcheck(const struct c2s_doc *d, const struct c2s_node *hc)
{
	struct c2s_value val;
	const struct c2s_node *v;
	if (!c2s_is_mapping(hc))
		return NULL;
	if ((v = c2s_map_get(d, hc, "disable", NULL)) && c2s_resolve(d, v, &val) == C2S_TYPE_BOOL && val.boolean)
		return NULL;
	if ((v = c2s_map_get(d, hc, "test", NULL)) && c2s_is_sequence(v) && c2s_count(v) >= 1 &&
	    c2s_scalar_is(d, c2s_seq_item(d, v, 0), "NONE"))
		return NULL;
	return hc;
}

/* A healthcheck duration: the engine's default when absent, -1 when unreadable. */
static int hc_duration(const struct c2s_doc *d, const struct c2s_node *hc, const char *key, int64_t dflt, int64_t *ns)
{
	const struct c2s_node *v = c2s_map_get(d, hc, key, NULL);
	if (!v) {
		*ns = dflt;
		return 0;
	}
	return c2s_node_duration(d, v, ns);
}

#define SECOND 1000000000LL
/* The engine's defaults (moby: defaultProbeInterval, defaultProbeRetries; swarmkit: defaultMonitor). */
#define DEFAULT_INTERVAL (30 * SECOND)
#define DEFAULT_RETRIES 3

void c2s_check_update_monitor(struct c2s_check *c)
{
	const struct c2s_doc *d = c->doc;
	C2S_FOR_EACH_SERVICE(c, i, name, svc) {
		const struct c2s_node *uc = c2s_svc_key(c, i, C2S_SK_DEPLOY_UPDATE_CONFIG, NULL);
		const struct c2s_node *hc = live_healthcheck(d, c2s_svc_key(c, i, C2S_SK_HEALTHCHECK, NULL));
		if (!c2s_is_mapping(uc) || !hc)
			continue;
		int64_t monitor, interval, start;
		uint64_t retries = DEFAULT_RETRIES;
		/* Only a monitor the file writes: swarm's default (5s) would flag nearly every
		 * update_config (see docs/rules/CS7002.md). */
		const struct c2s_node *mv = c2s_map_get(d, uc, "monitor", NULL);
		if (!mv || c2s_node_duration(d, mv, &monitor) != 0)
			continue;
		const struct c2s_node *rv = c2s_map_get(d, hc, "retries", NULL);
		if (hc_duration(d, hc, "interval", DEFAULT_INTERVAL, &interval) != 0 ||
		    hc_duration(d, hc, "start_period", 0, &start) != 0 || (rv && c2s_node_uint(d, rv, &retries) != 0))
			continue;
		if (monitor < 0 || interval < 0 || start < 0)
			continue;  /* the engine refuses negative times (CS2011) */
		if (interval == 0)
			interval = DEFAULT_INTERVAL;
		if (retries == 0)
			retries = DEFAULT_RETRIES;
		/* start_period + interval x retries, checked: a sum past the longest
		 * duration (292 years) is longer than any monitor */
		int64_t retries_ns, needed;
		int over = retries > (uint64_t)INT64_MAX ||
			   c2s_duration_mul(interval, (int64_t)retries, &retries_ns) != 0;
		over |= c2s_duration_add(start, over ? INT64_MAX : retries_ns, &needed) != 0;
		if (!over && monitor >= needed)
			continue;
		char m[C2S_DURATION_BUF], n[C2S_DURATION_BUF], s[C2S_DURATION_BUF], iv[C2S_DURATION_BUF];
		c2s_duration_format(monitor, m);
		c2s_duration_format(needed, n);
		c2s_duration_format(start, s);
		c2s_duration_format(interval, iv);
		struct c2s_diag *dg = c2s_diag_at(c->diags, C2S_R_CS7002, d, mv,
			"update_config.monitor is %s, but the healthcheck can take %s%s (start_period %s + "
			"interval %s x retries %llu) to mark a new task unhealthy: the update moves on before "
			"a bad task is caught",
			m, over ? "more than " : "", n, s, iv, (unsigned long long)retries);
		if (over)
			c2s_diag_hint(c->diags, dg, "shorten the healthcheck: its interval x retries is longer than any "
				      "duration swarm can hold, so no monitor covers it");
		else
			c2s_diag_hint(c->diags, dg, "set deploy.update_config.monitor: %s or longer", n);
	}
}

void c2s_check_failure_action(struct c2s_check *c)
{
	const struct c2s_doc *d = c->doc;
	C2S_FOR_EACH_SERVICE(c, i, name, svc) {
		const struct c2s_node *uckey, *uc = c2s_svc_key(c, i, C2S_SK_DEPLOY_UPDATE_CONFIG, &uckey);
		if (!c2s_is_mapping(uc))
			continue;
		const struct c2s_node *fa = c2s_map_get(d, uc, "failure_action", NULL);
		struct c2s_diag *dg;
		if (!fa)
			dg = c2s_diag_at(c->diags, C2S_R_CS7003, d, uckey,
				"update_config sets no failure_action: the default, pause, stops a failed update "
				"half-way, old and new tasks side by side, until someone acts");
		else if (c2s_scalar_is(d, fa, "pause"))
			dg = c2s_diag_at(c->diags, C2S_R_CS7003, d, fa,
				"failure_action: pause stops a failed update half-way, old and new tasks side by "
				"side, until someone acts");
		else
			continue;
		c2s_diag_hint(c->diags, dg, "failure_action: rollback returns to the previous version by itself "
			      "(tune it with rollback_config); keep pause only if someone watches every deploy");
	}
}

/* The first long-syntax port published in mode: host, or NULL. */
static const struct c2s_node *host_mode_port(const struct c2s_doc *d, const struct c2s_node *ports)
{
	if (!c2s_is_sequence(ports))
		return NULL;
	for (uint32_t k = 0; k < c2s_count(ports); k++) {
		const struct c2s_node *p = c2s_seq_item(d, ports, k);
		const struct c2s_node *mode = c2s_map_get(d, p, "mode", NULL);
		if (c2s_scalar_is(d, mode, "host") && c2s_map_get(d, p, "published", NULL))
			return p;
	}
	return NULL;
}

void c2s_check_start_first_host_port(struct c2s_check *c)
{
	const struct c2s_doc *d = c->doc;
	C2S_FOR_EACH_SERVICE(c, i, name, svc) {
		const struct c2s_node *uc = c2s_svc_key(c, i, C2S_SK_DEPLOY_UPDATE_CONFIG, NULL);
		const struct c2s_node *order = c2s_map_get(d, uc, "order", NULL);
		if (!c2s_scalar_is(d, order, "start-first"))
			continue;
		const struct c2s_node *port = host_mode_port(d, c2s_svc_key(c, i, C2S_SK_PORTS, NULL));
		if (!port)
			continue;
		const struct c2s_node *pub = c2s_map_get(d, port, "published", NULL);
		struct c2s_str ps = c2s_scalar(d, pub);
		struct c2s_diag *dg = c2s_diag_at(c->diags, C2S_R_CS7004, d, order,
			"order: start-first starts each new task before its old one stops, but port %.*s is "
			"published in mode: host: where the old task holds the port, the new one cannot start",
			(int)(ps.n > 20 ? 20 : ps.n), ps.p);
		if (dg)
			c2s_diag_related(c->diags, dg, d->src, port->start, c2s_node_end(d, port),
					 "the port published in mode: host");
		c2s_diag_hint(c->diags, dg, "use order: stop-first, or publish the port through the routing "
			      "mesh (mode: ingress)");
	}
}

/* How many nodes the constraints allow, when they pin one node (hostname or id); 0 unknown. */
static uint64_t pinned_nodes(const struct c2s_doc *d, const struct c2s_node *placement)
{
	const struct c2s_node *cons = c2s_map_get(d, placement, "constraints", NULL);
	if (!c2s_is_sequence(cons))
		return 0;
	for (uint32_t k = 0; k < c2s_count(cons); k++) {
		const struct c2s_node *it = c2s_seq_item(d, cons, k);
		if (!c2s_is_scalar(it))
			continue;
		struct c2s_str s = c2s_scalar(d, it);
		const char *eq = NULL;
		for (size_t j = 0; j + 1 < s.n; j++)
			if (s.p[j] == '=' && s.p[j + 1] == '=') {
				eq = s.p + j;
				break;
			}
		if (!eq || memchr(s.p, '$', s.n))
			continue;
		struct c2s_str key = {s.p, (size_t)(eq - s.p)};
		while (key.n && (key.p[key.n - 1] == ' ' || key.p[key.n - 1] == '\t'))
			key.n--;
		while (key.n && (*key.p == ' ' || *key.p == '\t')) {
			key.p++;
			key.n--;
		}
		if (c2s_str_eq(key, "node.hostname") || c2s_str_eq(key, "node.id"))
			return 1;
	}
	return 0;
}

void c2s_check_max_replicas(struct c2s_check *c)
{
	const struct c2s_doc *d = c->doc;
	C2S_FOR_EACH_SERVICE(c, i, name, svc) {
		const struct c2s_node *placement = c2s_svc_key(c, i, C2S_SK_DEPLOY_PLACEMENT, NULL);
		const struct c2s_node *mv = c2s_map_get(d, placement, "max_replicas_per_node", NULL);
		uint64_t max, replicas, nodes;
		if (!mv || c2s_node_uint(d, mv, &max) != 0 || max == 0 ||
		    c2s_svc_replicas(c, i, &replicas) != 0 || (nodes = pinned_nodes(d, placement)) == 0)
			continue;
		if (max * nodes >= replicas)
			continue;
		struct c2s_diag *dg = c2s_diag_at(c->diags, C2S_R_CS7005, d, mv,
			"max_replicas_per_node: %llu on the one node the constraints allow places %llu of %llu "
			"replicas: the other %llu stay pending forever, and every update waits for them",
			(unsigned long long)max, (unsigned long long)max, (unsigned long long)replicas,
			(unsigned long long)(replicas - max));
		c2s_diag_hint(c->diags, dg, "raise max_replicas_per_node to %llu, lower replicas, or let the "
			      "service run on more nodes", (unsigned long long)replicas);
	}
}
