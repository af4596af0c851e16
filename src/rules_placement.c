/* rules_placement.c -- CS8xxx: placement, resources and engine versions. */
#include "config.h"
#include "check.h"

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
		const struct c2s_node *key, *v = c2s_map_get(c->doc, svc, "sysctls", &key);
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
		const struct c2s_node *v = c2s_map_get(d, svc, "sysctls", NULL);
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
