/* schema.h -- helpers of the schema stage other stages use (value kinds, key lookups). */
#ifndef C2S_SCHEMA_H
#define C2S_SCHEMA_H

#include <stddef.h>

#include "ast.h"
#include "schema_tables.h"

/* The JSON type (ST_*) docker's validator sees for a node. */
unsigned c2s_schema_kind(const struct c2s_doc *d, const struct c2s_node *n);
/* The node index for key k in object node s: >= 0 a node, -1 not allowed, -2 open (anything). */
int c2s_schema_key(const struct c2s_snode *s, const char *k, size_t n);
int c2s_schema_prop(const struct c2s_snode *s, const char *key, size_t n);

#endif
