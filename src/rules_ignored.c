/* rules_ignored.c -- CS5xxx: keys docker stack deploy warns about and swarm ignores. */
#include "config.h"
#include "check.h"

void c2s_check_container_name(struct c2s_check *c)
{
	C2S_FOR_EACH_SERVICE(c, i, name, svc) {
		const struct c2s_node *key;
		if (!c2s_map_get(c->doc, svc, "container_name", &key))
			continue;
		struct c2s_diag *dg = c2s_diag_at(c->diags, C2S_R_CS5101, c->doc, key,
			"container_name is ignored by docker stack deploy (\"Setting the container name is not supported.\")");
		c2s_diag_hint(c->diags, dg, "swarm names each task STACK_SERVICE.SLOT.ID; other services reach "
			      "this one by its service name or a network alias; remove the key");
	}
}
