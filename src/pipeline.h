/* pipeline.h -- what docker/cli does with one loaded compose file, stage by stage:
 * version pick, forbidden keys, interpolation, schema validation, deploy-time checks. */
#ifndef C2S_PIPELINE_H
#define C2S_PIPELINE_H

#include "ast.h"
#include "diag.h"
#include "interp.h"
#include "schema.h"

struct c2s_pipeline_options {
	const struct c2s_env *env;     /* variables for ${VAR}; NULL: skip interpolation */
	const struct c2s_env *dotenv;  /* the .env beside the file (CS3004), or NULL */
	const char *workdir;           /* directory relative paths (env_file) start from; NULL: "." */
	int skip_deploy_checks;        /* 1: only what `docker stack config` checks */
	int unresolved_ok;             /* with env NULL: leave values holding ${VAR} unjudged
					* (lint --no-interpolate), instead of docker's
					* --skip-interpolation, which judges the raw text */
	int shared_once;               /* 1: the caller drops repeated findings (same rule and
					  span), as lint does: the schema checks what an alias
					  shares (an anchored mapping or list) once per schema node */
};

struct c2s_pipeline_result {
	int rejected;        /* docker would refuse the file: a stage found an error */
	int version_minor;   /* the schema picked: 3.<minor>; -1 when unsupported */
	int version_given;   /* 1: the file has a version: key */
	char version[64];    /* as docker prints it ("3.13" when absent), cut at 60 bytes */
};

/* Run every stage on doc (already loaded, root a mapping) and report into diags.
 * Interpolation rewrites doc's scalars in place. Returns 0, or -1 when out of memory. */
int c2s_pipeline_file(struct c2s_doc *doc, const struct c2s_pipeline_options *o,
		      struct c2s_diags *diags, struct c2s_pipeline_result *res);

/* The individual stages, for tests and for callers that need one. Each returns
 * the number of docker-fatal problems it reported (or -1: out of memory). */
int c2s_pick_version(const struct c2s_doc *doc, struct c2s_diags *diags, struct c2s_pipeline_result *res);
int c2s_check_forbidden(const struct c2s_doc *doc, struct c2s_diags *diags);
/* Is k one of the service keys docker refuses (extends, mem_limit, ...)? */
int c2s_is_forbidden_key(const char *k, size_t n);
/* The schema stage is schema.h's (c2s_schema_validate), deploy's checks deploy_checks.h's. */

/* The .env beside a compose file, read leniently (NULL: none, stdin, or unreadable). */
struct c2s_env *c2s_dotenv_for(const char *compose_path);

#endif
