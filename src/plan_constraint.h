/* plan_constraint.h -- swarmkit's placement constraints (manager/constraint):
 * parsed from a service's Placement.Constraints, matched against a node as
 * the Engine API returns it, to tell which tasks a placement change moves. */
#ifndef C2S_PLAN_CONSTRAINT_H
#define C2S_PLAN_CONSTRAINT_H

#include <stddef.h>

#include <cjson/cJSON.h>

struct c2s_constraint {
	char *key;
	int noteq;   /* "!=" rather than "==" */
	char *value;
};

struct c2s_constraints {
	struct c2s_constraint *v;
	size_t n;
};

/* Parse a JSON list of "key==value" / "key!=value" strings. 0; 1 when one
 * has neither operator (swarmkit refuses it); -1 out of memory. */
int c2s_constraints_parse(struct c2s_constraints *cs, const cJSON *list);
/* Does the node (an Engine API Node object) satisfy every constraint? */
int c2s_constraints_match(const struct c2s_constraints *cs, const cJSON *node);
void c2s_constraints_free(struct c2s_constraints *cs);

#endif
