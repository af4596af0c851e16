/* check.h -- what a rule's check function sees: one loaded stack, and where to report. */
#ifndef C2S_CHECK_H
#define C2S_CHECK_H

#include "ast.h"
#include "diag.h"

struct c2s_check {
	struct c2s_doc *doc;
	const struct c2s_node *root;      /* the top-level mapping */
	const struct c2s_node *services;  /* root's services mapping, or NULL */
	struct c2s_diags *diags;
	int engine_major, engine_minor;   /* --engine-version; 0.0 when not given */
};

/* Each service whose value is a mapping: i, its key node and its mapping. */
#define C2S_FOR_EACH_SERVICE(c, i, key, svc)                                                 \
	for (uint32_t i = 0, i##_n = (c)->services ? c2s_count((c)->services) : 0; i < i##_n; i++) \
		for (const struct c2s_node *key = c2s_map_key((c)->doc, (c)->services, i),          \
					   *svc = c2s_map_value((c)->doc, (c)->services, i);       \
		     ((void)key, c2s_is_mapping(svc)); svc = NULL)

/* The service's deploy.mode, "replicated" when not written. */
struct c2s_str c2s_service_mode(const struct c2s_doc *d, const struct c2s_node *svc);
/* Is the engine given with --engine-version at least major.minor? -1 when unknown. */
int c2s_engine_at_least(const struct c2s_check *c, int major, int minor);

/* Check functions, one per C2S_RULE in rules.def. */
#define C2S_STAGE(id, name, tier, sev, fixable, title)
#define C2S_RULE(id, name, tier, sev, fixable, check, title) void check(struct c2s_check *c);
#include "rules.def"
#undef C2S_STAGE
#undef C2S_RULE

#endif
