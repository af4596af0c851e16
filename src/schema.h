/* schema.h -- the schema stage, and its helpers other stages use (value kinds, key lookups). */
#ifndef C2S_SCHEMA_H
#define C2S_SCHEMA_H

#include <stddef.h>

#include "ast.h"
#include "diag.h"
#include "schema_tables.h"

/* The newest schema docker/cli 28.2 knows: 3.13. Versions are 3.<minor>. */
#define C2S_SCHEMA_MINOR_MAX 13

/* The schema stage: doc against docker/cli's config_schema_v3.<version_minor>.json
 * (version: the file's, for the messages). Returns the number of docker-fatal
 * problems reported, or -1 when out of memory. */
int c2s_schema_validate(const struct c2s_doc *doc, int version_minor, const char *version,
			struct c2s_diags *diags);
/* The same; shared_once: a subtree an alias shares is checked once per schema
 * node (the caller drops repeated findings, as lint does). */
int c2s_schema_validate_ex(const struct c2s_doc *doc, int version_minor, const char *version,
			   int shared_once, struct c2s_diags *diags);

/* The JSON type (ST_*) docker's validator sees for a node. */
unsigned c2s_schema_kind(const struct c2s_doc *d, const struct c2s_node *n);
/* The node index for key k in object node s: >= 0 a node, -1 not allowed, -2 open (anything). */
int c2s_schema_key(const struct c2s_snode *s, const char *k, size_t n);
int c2s_schema_prop(const struct c2s_snode *s, const char *key, size_t n);

#endif
