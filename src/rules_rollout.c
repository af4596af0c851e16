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
		if (is_job(c2s_service_mode(d, svc)))
			continue;  /* a job runs to completion: no rolling update to guard */
		struct c2s_str sname = c2s_scalar(d, name);
		const struct c2s_node *hc = c2s_map_get(d, svc, "healthcheck", NULL);
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
