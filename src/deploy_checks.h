/* deploy_checks.h -- what only `docker stack deploy` refuses, and the loader's typed decoding (deploy_checks.c). */
#ifndef C2S_DEPLOY_CHECKS_H
#define C2S_DEPLOY_CHECKS_H

#include "ast.h"
#include "diag.h"
#include "pipeline.h"

/* Check doc (the schema passed) as the loader's decoding and `stack deploy`
 * do; with o->skip_deploy_checks, the decoding only. Returns the number of
 * docker-fatal problems reported, or -1 when out of memory. */
int c2s_deploy_checks(const struct c2s_doc *doc, const struct c2s_pipeline_options *o, int version_minor,
		      struct c2s_diags *diags);

#endif
