/* rules_schema.c -- CS29xx: compose-spec keys that no Compose v3 schema allows, with the
 * swarm way to say the same thing. front's generic unknown-key check (CS2xxx) skips the
 * keys c2s_compose_spec_hint() knows, so each is reported once, here. */
#include "config.h"
#include "check.h"

#include <stdio.h>

void c2s_check_top_level_name(struct c2s_check *c)
{
	const struct c2s_node *key;
	if (!c2s_map_get(c->doc, c->root, "name", &key))
		return;
	struct c2s_diag *dg = c2s_diag_at(c->diags, C2S_R_CS2901, c->doc, key,
		"top-level name is a docker compose (compose-spec) key: docker stack refuses the file "
		"(\"(root) Additional property name is not allowed\")");
	c2s_diag_hint(c->diags, dg, "the stack's name is the last argument of docker stack deploy -c FILE NAME; "
		      "remove the key");
}

static void spec_key(struct c2s_check *c, const struct c2s_node *key, const char *where, const char *hint)
{
	struct c2s_str s = c2s_scalar(c->doc, key);
	struct c2s_diag *dg = c2s_diag_at(c->diags, C2S_R_CS2902, c->doc, key,
		"%.*s is a docker compose (compose-spec) key that no Compose v3 schema allows: docker stack "
		"refuses the file (\"%s Additional property %.*s is not allowed\")",
		(int)s.n, s.p, where, (int)s.n, s.p);
	c2s_diag_hint(c->diags, dg, "%s", hint);
}

void c2s_check_compose_spec_key(struct c2s_check *c)
{
	const struct c2s_doc *d = c->doc;
	for (uint32_t k = 0; k < c2s_count(c->root); k++) {
		const struct c2s_node *key = c2s_map_key(d, c->root, k);
		const char *hint;
		if (c2s_is_scalar(key) && (hint = c2s_compose_spec_hint(1, c2s_scalar(d, key))))
			spec_key(c, key, "(root)", hint);
	}
	C2S_FOR_EACH_SERVICE(c, i, name, svc) {
		char where[160];
		struct c2s_str sn = c2s_scalar(d, name);
		snprintf(where, sizeof where, "services.%.*s", (int)(sn.n > 120 ? 120 : sn.n), sn.p);
		for (uint32_t k = 0; k < c2s_count(svc); k++) {
			const struct c2s_node *key = c2s_map_key(d, svc, k);
			const char *hint;
			if (c2s_is_scalar(key) && (hint = c2s_compose_spec_hint(0, c2s_scalar(d, key))))
				spec_key(c, key, where, hint);
		}
	}
}
