/* rules.h -- the rule table generated from rules.def, and the check interface. */
#ifndef C2S_RULES_H
#define C2S_RULES_H

#include "compose2swarm.h"

enum c2s_tier {
#define C2S_TIER(sym, name, band, title) C2S_TIER_##sym,
#include "tiers.def"
#undef C2S_TIER
	C2S_TIER_COUNT
};

enum c2s_rule_index {
#define C2S_STAGE(id, name, tier, sev, fixable, title) C2S_R_##id,
#define C2S_RULE(id, name, tier, sev, fixable, check, title) C2S_R_##id,
#define C2S_SVC_RULE C2S_RULE
#include "rules.def"
#undef C2S_STAGE
#undef C2S_RULE
#undef C2S_SVC_RULE
	C2S_RULE_COUNT
};

struct c2s_check;

struct c2s_rule {
	const char *id;         /* "CS5101" */
	const char *name;       /* "container-name" */
	enum c2s_tier tier;
	enum c2s_severity severity; /* default */
	int fixable;            /* --fix can rewrite it */
	const char *title;      /* one line */
	void (*check)(struct c2s_check *); /* NULL: reported by a pipeline stage */
	int per_service;        /* C2S_SVC_RULE: check judges each service on its own */
};

struct c2s_tier_info {
	const char *name;
	const char *band;       /* "CS5xxx" */
	const char *title;
};

extern const struct c2s_rule c2s_rules[C2S_RULE_COUNT];
extern const struct c2s_tier_info c2s_tiers[C2S_TIER_COUNT];

/* Find a rule by id ("CS5101", case-insensitive) or name; NULL if none. */
const struct c2s_rule *c2s_rule_find(const char *s);
static inline enum c2s_rule_index c2s_rule_index(const struct c2s_rule *r)
{
	return (enum c2s_rule_index)(r - c2s_rules);
}

/* The rule an unknown id or name was probably meant to be ("did you mean"), or NULL. */
const struct c2s_rule *c2s_rule_suggest(const char *s, size_t n);

/* Is the rule on when no option or config names it? (a few opt-in rules are not) */
int c2s_rule_default_on(const struct c2s_rule *r);

/* The documentation page of a rule (docs/rules/ID.md, compiled in), or NULL. */
const char *c2s_rule_doc(const struct c2s_rule *r);

#endif
