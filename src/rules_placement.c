/* rules_placement.c -- CS8xxx: placement, resources and engine versions. */
#include "config.h"
#include "check.h"
#include "goval.h"

#include <stdio.h>
#include <string.h>

static int has_prefix(struct c2s_str s, const char *p)
{
	size_t n = strlen(p);
	return s.n >= n && memcmp(s.p, p, n) == 0;
}

/* The kernel lets a container set only sysctls of the namespaces it owns. */
static int sysctl_namespaced(struct c2s_str name)
{
	return has_prefix(name, "net.") || has_prefix(name, "fs.mqueue.") ||
	       has_prefix(name, "kernel.shm") || has_prefix(name, "kernel.msg") ||
	       (name.n == 10 && memcmp(name.p, "kernel.sem", 10) == 0);
}

void c2s_check_sysctls_engine(struct c2s_check *c)
{
	int ok = c2s_engine_at_least(c, 19, 3);
	if (ok == 1)
		return;
	C2S_FOR_EACH_SERVICE(c, i, name, svc) {
		const struct c2s_node *key, *v = c2s_svc_key(c, i, C2S_SK_SYSCTLS, &key);
		if (!v || (!c2s_is_scalar(v) && c2s_count(v) == 0))
			continue;
		struct c2s_diag *dg;
		if (ok == 0)
			dg = c2s_diag_at(c->diags, C2S_R_CS8001, c->doc, key,
				"sysctls are ignored on Docker Engine %d.%02d: swarm services get them from 19.03 on",
				c->engine_major, c->engine_minor);
		else
			dg = c2s_diag_at(c->diags, C2S_R_CS8001, c->doc, key,
				"sysctls on a swarm service need Docker Engine 19.03 or later on every node that runs it");
		c2s_diag_hint(c->diags, dg, "an older engine starts the task without them and says nothing: compare "
			      "ENGINE VERSION in `docker node ls`, upgrade or pin the service with a placement "
			      "constraint such as node.role == worker, and pass --engine-version once every node is 19.03+");
	}
}

static void check_one_sysctl(struct c2s_check *c, const struct c2s_node *at, struct c2s_str name)
{
	if (sysctl_namespaced(name))
		return;
	struct c2s_diag *dg = c2s_diag_at(c->diags, C2S_R_CS8002, c->doc, at,
		"sysctl %.*s is not namespaced: a swarm task cannot set it and fails to start",
		(int)(name.n > 200 ? 200 : name.n), name.p);
	c2s_diag_hint(c->diags, dg, "only net.*, kernel.shm*, kernel.msg*, kernel.sem and fs.mqueue.* belong to "
		      "a container; set host-wide sysctls on each node (/etc/sysctl.d)");
}

void c2s_check_sysctl_namespaced(struct c2s_check *c)
{
	const struct c2s_doc *d = c->doc;
	C2S_FOR_EACH_SERVICE(c, i, name, svc) {
		const struct c2s_node *v = c2s_svc_key(c, i, C2S_SK_SYSCTLS, NULL);
		if (c2s_is_mapping(v)) {
			for (uint32_t k = 0; k < c2s_count(v); k++) {
				const struct c2s_node *key = c2s_map_key(d, v, k);
				if (c2s_is_scalar(key))
					check_one_sysctl(c, key, c2s_scalar(d, key));
			}
		} else if (c2s_is_sequence(v)) {
			for (uint32_t k = 0; k < c2s_count(v); k++) {
				const struct c2s_node *item = c2s_seq_item(d, v, k);
				if (!c2s_is_scalar(item))
					continue;
				struct c2s_str s = c2s_scalar(d, item);
				const char *eq = memchr(s.p, '=', s.n);
				if (eq)
					s.n = (size_t)(eq - s.p);
				check_one_sysctl(c, item, s);
			}
		}
	}
}

/* ---- CS8003 reservations above limits ---- */

static void compare_resource(struct c2s_check *c, const struct c2s_node *lim, const struct c2s_node *res,
			     const char *key, int bytes)
{
	const struct c2s_doc *d = c->doc;
	const struct c2s_node *lv = c2s_map_get(d, lim, key, NULL), *rv = c2s_map_get(d, res, key, NULL);
	if (!c2s_is_scalar(lv) || !c2s_is_scalar(rv))
		return;
	struct c2s_str ls = c2s_scalar(d, lv), rs = c2s_scalar(d, rv);
	int64_t l, r;
	if ((bytes ? c2s_size_parse(ls.p, ls.n, 0, &l, NULL, 0) : c2s_cpus_parse(ls.p, ls.n, &l, NULL, 0)) != 0 ||
	    (bytes ? c2s_size_parse(rs.p, rs.n, 0, &r, NULL, 0) : c2s_cpus_parse(rs.p, rs.n, &r, NULL, 0)) != 0)
		return;
	if (r <= l || l == 0)
		return;
	struct c2s_diag *dg = c2s_diag_at(c->diags, C2S_R_CS8003, d, rv,
		"reservations.%s %.*s is more than limits.%s %.*s: the scheduler sets aside capacity the "
		"task may never use", key, (int)(rs.n > 40 ? 40 : rs.n), rs.p, key, (int)(ls.n > 40 ? 40 : ls.n), ls.p);
	if (dg)
		c2s_diag_related(c->diags, dg, d->src, lv->start, c2s_node_end(d, lv), "the limit");
	c2s_diag_hint(c->diags, dg, "a reservation is what a node must have free to take the task; keep it "
		      "at or below the limit");
}

void c2s_check_reservation_limit(struct c2s_check *c)
{
	const struct c2s_doc *d = c->doc;
	C2S_FOR_EACH_SERVICE(c, i, name, svc) {
		const struct c2s_node *res = c2s_svc_key(c, i, C2S_SK_DEPLOY_RESOURCES, NULL);
		const struct c2s_node *lim = c2s_map_get(d, res, "limits", NULL);
		const struct c2s_node *rsv = c2s_map_get(d, res, "reservations", NULL);
		if (!c2s_is_mapping(lim) || !c2s_is_mapping(rsv))
			continue;
		compare_resource(c, lim, rsv, "cpus", 0);
		compare_resource(c, lim, rsv, "memory", 1);
	}
}

/* ---- CS8004 placement constraints (swarmkit manager/constraint) ---- */

static int ieq(struct c2s_str s, const char *t)
{
	size_t n = strlen(t);
	if (s.n != n)
		return 0;
	for (size_t i = 0; i < n; i++)
		if ((s.p[i] | 0x20) != (t[i] | 0x20))
			return 0;
	return 1;
}

static int iprefix(struct c2s_str s, const char *t)
{
	size_t n = strlen(t);
	return s.n > n && ieq((struct c2s_str){s.p, n}, t);
}

/* strings.TrimSpace, as swarmkit trims each side of the operator */
static struct c2s_str trim(struct c2s_str s)
{
	s.n = c2s_go_trim_space(&s.p, s.n);
	return s;
}

/* CS8004 (swarm refuses the service) or CS8008 (it parses, no node matches). */
static void constraint_finding(struct c2s_check *c, enum c2s_rule_index rule, const struct c2s_node *at,
			       const char *why, const char *hint)
{
	struct c2s_str s = c2s_scalar(c->doc, at);
	struct c2s_diag *dg = c2s_diag_at(c->diags, rule, c->doc, at, "constraint \"%.*s\" %s",
					  (int)(s.n > 120 ? 120 : s.n), s.p, why);
	c2s_diag_hint(c->diags, dg, "%s", hint);
}

#define bad_constraint(c, at, why, hint) constraint_finding(c, C2S_R_CS8004, at, why, hint)
#define never_matches(c, at, why, hint) constraint_finding(c, C2S_R_CS8008, at, why, hint)

#define CONSTRAINT_KEYS "node.id, node.hostname, node.ip, node.role, node.platform.os, node.platform.arch, " \
	"node.labels.NAME or engine.labels.NAME"

static void check_constraint(struct c2s_check *c, const struct c2s_node *it)
{
	struct c2s_str s = c2s_scalar(c->doc, it);
	if (memchr(s.p, '$', s.n))
		return;  /* interpolated: checked after interpolation, if at all */
	const char *op = NULL;
	for (size_t j = 0; j + 1 < s.n; j++)
		if ((s.p[j] == '=' || s.p[j] == '!') && s.p[j + 1] == '=') {
			op = s.p + j;
			break;
		}
	if (!op) {
		bad_constraint(c, it, "has no operator: swarm refuses the service (\"invalid constraint\")",
			       "write KEY == VALUE or KEY != VALUE, e.g. node.role == worker");
		return;
	}
	struct c2s_str key = trim((struct c2s_str){s.p, (size_t)(op - s.p)});
	struct c2s_str val = trim((struct c2s_str){op + 2, s.n - (size_t)(op - s.p) - 2});
	if (val.n && (val.p[0] == '=' || val.p[0] == '~' || val.p[0] == '>' || val.p[0] == '<')) {
		bad_constraint(c, it, "uses an operator swarm does not know: swarm refuses the service",
			       "the operators are == and !=");
		return;
	}
	if (key.n && (key.p[key.n - 1] == '<' || key.p[key.n - 1] == '>' || key.p[key.n - 1] == '~' || key.p[key.n - 1] == '=')) {
		bad_constraint(c, it, "uses an operator swarm does not know: swarm refuses the service",
			       "the operators are == and !=");
		return;
	}
	if (key.n == 0 || val.n == 0) {
		bad_constraint(c, it, "lacks a key or a value: swarm refuses the service (\"invalid constraint\")",
			       "write KEY == VALUE, e.g. node.labels.zone == eu-1");
		return;
	}
	/* swarmkit's grammar: key [a-z_][a-z0-9-_.]+, value [a-z0-9:-_\s.*()?+[]\^$|/]+ (any
	 * case; RE2's \s is tab, newline, form feed, carriage return and space) */
	int key_ok = key.n >= 2 && (((key.p[0] | 0x20) >= 'a' && (key.p[0] | 0x20) <= 'z') || key.p[0] == '_');
	for (size_t k = 0; key_ok && k < key.n; k++) {
		char ch = key.p[k];
		key_ok = (ch >= '0' && ch <= '9') || ((ch | 0x20) >= 'a' && (ch | 0x20) <= 'z') || ch == '-' ||
			 ch == '_' || ch == '.';
	}
	int val_ok = 1;
	for (size_t k = 0; val_ok && k < val.n; k++) {
		unsigned char ch = (unsigned char)val.p[k];
		val_ok = (ch >= '0' && ch <= '9') || ((ch | 0x20) >= 'a' && (ch | 0x20) <= 'z') ||
			 (ch && strchr(":-_ \t\n\f\r.*()?+[]\\^$|/", ch) != NULL);
	}
	if (!key_ok || !val_ok) {
		bad_constraint(c, it, key_ok ? "has a value swarm cannot parse: swarm refuses the service"
					     : "has a key swarm cannot parse: swarm refuses the service",
			       "keys are letters, digits, '-', '_' and '.'; quote nothing inside the expression");
		return;
	}
	if (ieq(key, "node.id") || ieq(key, "node.hostname") || ieq(key, "node.ip"))
		return;
	if (iprefix(key, "node.labels.") || iprefix(key, "engine.labels."))
		return;
	if (ieq(key, "node.role")) {
		if (!ieq(val, "manager") && !ieq(val, "worker"))
			never_matches(c, it, "can never match: a node's role is manager or worker",
				       "write node.role == manager or node.role == worker");
		return;
	}
	if (ieq(key, "node.platform.os")) {
		if (!ieq(val, "linux") && !ieq(val, "windows"))
			never_matches(c, it, "matches no node that runs Docker Engine: node.platform.os is linux "
				       "or windows", "write node.platform.os == linux (or windows)");
		return;
	}
	if (ieq(key, "node.platform.arch")) {
		const char *want = ieq(val, "amd64") ? "x86_64" : ieq(val, "arm64") ? "aarch64" : NULL;
		if (want) {
			char hint[64];
			snprintf(hint, sizeof hint, "write node.platform.arch %.2s %s", op, want);
			never_matches(c, it, "can never match: nodes report the machine name (uname -m), not "
				       "Go's architecture name", hint);
		}
		return;
	}
	if (ieq(key, "node.labels") || ieq(key, "engine.labels")) {
		never_matches(c, it, "names no label: no node can ever match it",
			       "write node.labels.NAME == VALUE");
		return;
	}
	never_matches(c, it, "uses an attribute swarm does not know: no node can ever match it",
		       "constraint attributes are " CONSTRAINT_KEYS);
}

static void constraints_pass(struct c2s_check *c);

void c2s_check_constraints(struct c2s_check *c)
{
	constraints_pass(c);
}

/* CS8008 comes from the CS8004 pass (one parse per constraint); alone when CS8004 is off. */
void c2s_check_constraint_match(struct c2s_check *c)
{
	if (c2s_diags_configured_off(c->diags, C2S_R_CS8004))
		constraints_pass(c);
}

static void constraints_pass(struct c2s_check *c)
{
	const struct c2s_doc *d = c->doc;
	C2S_FOR_EACH_SERVICE(c, i, name, svc) {
		const struct c2s_node *placement = c2s_svc_key(c, i, C2S_SK_DEPLOY_PLACEMENT, NULL);
		const struct c2s_node *cons = c2s_map_get(d, placement, "constraints", NULL);
		if (!c2s_is_sequence(cons))
			continue;
		for (uint32_t k = 0; k < c2s_count(cons); k++) {
			const struct c2s_node *it = c2s_seq_item(d, cons, k);
			if (c2s_is_scalar(it))
				check_constraint(c, it);
		}
	}
}

/* ---- CS8005 host-mode ports and replicas, CS8006 host IPs ---- */

void c2s_check_host_port_replicas(struct c2s_check *c)
{
	const struct c2s_doc *d = c->doc;
	C2S_FOR_EACH_SERVICE(c, i, name, svc) {
		uint64_t replicas, max = 0;
		if (c2s_svc_replicas(c, i, &replicas) != 0 || replicas < 2)
			continue;
		const struct c2s_node *placement = c2s_svc_key(c, i, C2S_SK_DEPLOY_PLACEMENT, NULL);
		const struct c2s_node *mv = c2s_map_get(d, placement, "max_replicas_per_node", NULL);
		if (mv && c2s_node_uint(d, mv, &max) == 0 && max == 1)
			continue;
		const struct c2s_node *ports = c2s_svc_key(c, i, C2S_SK_PORTS, NULL);
		if (!c2s_is_sequence(ports))
			continue;
		for (uint32_t k = 0; k < c2s_count(ports); k++) {
			const struct c2s_node *p = c2s_seq_item(d, ports, k);
			const struct c2s_node *mode = c2s_map_get(d, p, "mode", NULL);
			const struct c2s_node *pub = c2s_map_get(d, p, "published", NULL);
			if (!c2s_scalar_is(d, mode, "host") || !c2s_is_scalar(pub))
				continue;
			struct c2s_str ps = c2s_scalar(d, pub);
			struct c2s_diag *dg = c2s_diag_at(c->diags, C2S_R_CS8005, d, mode,
				"port %.*s is published in mode: host on %llu replicas: two tasks on one node "
				"cannot both bind it, so the service needs %llu nodes with the port free",
				(int)(ps.n > 20 ? 20 : ps.n), ps.p, (unsigned long long)replicas,
				(unsigned long long)replicas);
			c2s_diag_hint(c->diags, dg, "say so with deploy.placement.max_replicas_per_node: 1 (or use "
				      "mode: global), or publish through the routing mesh (mode: ingress)");
			break;
		}
	}
}

/* The host IP of a short-syntax port ("127.0.0.1:8080:80", "[::1]:80:80"), or an empty string. */
static struct c2s_str port_host_ip(struct c2s_str s)
{
	struct c2s_str none = {s.p, 0};
	if (s.n && s.p[0] == '[') {
		const char *close = memchr(s.p, ']', s.n);
		if (!close || (size_t)(close - s.p) + 1 >= s.n || close[1] != ':')
			return none;
		return (struct c2s_str){s.p, (size_t)(close - s.p) + 1};
	}
	size_t colons = 0, last2 = 0;
	for (size_t i = 0; i < s.n; i++)
		if (s.p[i] == ':')
			colons++;
	if (colons < 2)
		return none;
	/* The host IP is everything before the last two colons. */
	size_t seen = 0;
	for (size_t i = s.n; i-- > 0;)
		if (s.p[i] == ':' && ++seen == 2) {
			last2 = i;
			break;
		}
	return (struct c2s_str){s.p, last2};
}

void c2s_check_published_host_ip(struct c2s_check *c)
{
	const struct c2s_doc *d = c->doc;
	C2S_FOR_EACH_SERVICE(c, i, name, svc) {
		const struct c2s_node *ports = c2s_svc_key(c, i, C2S_SK_PORTS, NULL);
		if (!c2s_is_sequence(ports))
			continue;
		for (uint32_t k = 0; k < c2s_count(ports); k++) {
			const struct c2s_node *p = c2s_seq_item(d, ports, k);
			if (!c2s_is_scalar(p))
				continue;
			struct c2s_str s = c2s_scalar(d, p);
			if (memchr(s.p, '$', s.n))
				continue;
			struct c2s_str ip = port_host_ip(s);
			if (ip.n == 0 || c2s_str_eq(ip, "0.0.0.0") || c2s_str_eq(ip, "[::]") || c2s_str_eq(ip, "::"))
				continue;
			struct c2s_diag *dg = c2s_diag_at(c->diags, C2S_R_CS8006, d, p,
				"the host IP %.*s is dropped by docker stack deploy (\"ignoring IP-address ... service "
				"will listen on '0.0.0.0'\"): the routing mesh publishes the port on every address of "
				"every node", (int)(ip.n > 60 ? 60 : ip.n), ip.p);
			c2s_diag_hint(c->diags, dg, "swarm cannot bind a published port to one address; keep the "
				      "service unpublished and reach it over an overlay network, or firewall the port "
				      "on the nodes");
		}
	}
}

/* ---- CS8007 keys that need a newer engine than --engine-version ---- */

const struct c2s_engine_feature c2s_engine_features[] = {
	{{"deploy", "rollback_config", NULL}, 17, 4, "rollback_config (API 1.28)"},
	{{"healthcheck", "start_period", NULL}, 17, 5, "healthcheck start_period (API 1.29)"},
	{{"init", NULL}, 18, 6, "init on a service"},
	{{"deploy", "placement", "max_replicas_per_node", NULL}, 19, 3, "max_replicas_per_node (API 1.40)"},
	{{"cap_add", NULL}, 20, 10, "cap_add on a service (API 1.41)"},
	{{"cap_drop", NULL}, 20, 10, "cap_drop on a service (API 1.41)"},
	{{"deploy", "resources", "limits", "pids"}, 20, 10, "deploy.resources.limits.pids (API 1.41)"},
	{{"ulimits", NULL}, 23, 0, "ulimits on a service"},
	{{"healthcheck", "start_interval", NULL}, 25, 0, "healthcheck start_interval (API 1.44)"},
};
const size_t c2s_nengine_features = sizeof c2s_engine_features / sizeof *c2s_engine_features;


/* Docker's version style: 17.04 ... 20.10, then 23.0, 24.0 ... */
static const char *version_text(int major, int minor, char *buf, size_t size)
{
	snprintf(buf, size, major >= 23 ? "%d.%d" : "%d.%02d", major, minor);
	return buf;
}

void c2s_check_engine_features(struct c2s_check *c)
{
	char have[16], need[16];
	const struct c2s_doc *d = c->doc;
	if (c2s_engine_at_least(c, 1, 0) < 0)
		return;  /* no --engine-version: nothing to compare with */
	C2S_FOR_EACH_SERVICE(c, i, name, svc) {
		for (size_t f = 0; f < c2s_nengine_features; f++) {
			const struct c2s_engine_feature *ft = &c2s_engine_features[f];
			if (c2s_engine_at_least(c, ft->major, ft->minor))
				continue;
			const struct c2s_node *n = svc, *key = NULL;
			for (int k = 0; k < 4 && ft->path[k] && n; k++)
				n = c2s_map_get(d, n, ft->path[k], &key);
			if (!n || !key)
				continue;
			struct c2s_diag *dg = c2s_diag_at(c->diags, C2S_R_CS8007, d, key,
				"%s needs Docker Engine %s or later; --engine-version says %s, where the "
				"engine ignores it or refuses the service", ft->what,
				version_text(ft->major, ft->minor, need, sizeof need),
				version_text(c->engine_major, c->engine_minor, have, sizeof have));
			c2s_diag_hint(c->diags, dg, "upgrade the nodes, or remove the key for this swarm");
		}
		struct c2s_str mode = c2s_svc_mode(c, i);
		if ((c2s_str_eq(mode, "replicated-job") || c2s_str_eq(mode, "global-job")) &&
		    !c2s_engine_at_least(c, 20, 10)) {
			const struct c2s_node *mode_node = c2s_svc_key(c, i, C2S_SK_DEPLOY_MODE, NULL);
			struct c2s_diag *dg = c2s_diag_at(c->diags, C2S_R_CS8007, d, mode_node,
				"mode: %.*s needs Docker Engine 20.10 or later (API 1.41); --engine-version says "
				"%s", (int)mode.n, mode.p, version_text(c->engine_major, c->engine_minor, have, sizeof have));
			c2s_diag_hint(c->diags, dg, "upgrade the nodes, or run the job outside swarm");
		}
	}
}
