/* rules.c -- the rule table built from rules.def, lookups, and the `rules`/`explain` commands. */
#include "config.h"
#include "rules.h"
#include "check.h"
#include "suggest.h"

#include <cJSON.h>
#include <strings.h>
#include <string.h>

/* Severities by name: rules.def's, the configuration's and --fail-on's words. */
static const char *const severity_names[] = {"none", "info", "warning", "error"};

const char *c2s_severity_name(enum c2s_severity sev)
{
	return (unsigned)sev < 4 ? severity_names[sev] : "?";
}

int c2s_severity_parse(const char *s)
{
	for (int i = 0; i < 4; i++)
		if (strcmp(s, severity_names[i]) == 0)
			return i;
	return -1;
}

const struct c2s_tier_info c2s_tiers[C2S_TIER_COUNT] = {
#define C2S_TIER(sym, name, band, title) {name, band, title},
#include "tiers.def"
#undef C2S_TIER
};

const struct c2s_rule c2s_rules[C2S_RULE_COUNT] = {
#define C2S_STAGE(id, name, tier, sev, fixable, title) \
	{#id, name, C2S_TIER_##tier, C2S_SEVERITY_##sev, fixable, title, NULL, 0},
#define C2S_RULE(id, name, tier, sev, fixable, check, title) \
	{#id, name, C2S_TIER_##tier, C2S_SEVERITY_##sev, fixable, title, check, 0},
#define C2S_SVC_RULE(id, name, tier, sev, fixable, check, title) \
	{#id, name, C2S_TIER_##tier, C2S_SEVERITY_##sev, fixable, title, check, 1},
#include "rules.def"
#undef C2S_STAGE
#undef C2S_RULE
#undef C2S_SVC_RULE
};

const struct c2s_rule *c2s_rule_find(const char *s)
{
	for (int i = 0; i < C2S_RULE_COUNT; i++)
		if (strcasecmp(c2s_rules[i].id, s) == 0 || strcmp(c2s_rules[i].name, s) == 0)
			return &c2s_rules[i];
	return NULL;
}

/* Is b a with two neighbouring characters swapped (CS5011 for CS5101)? */
static int swapped(const char *a, const char *b, size_t n)
{
	size_t i = 0;
	while (i < n && a[i] == b[i])
		i++;
	return i + 1 < n && a[i] == b[i + 1] && a[i + 1] == b[i] && memcmp(a + i + 2, b + i + 2, n - i - 2) == 0;
}

const struct c2s_rule *c2s_rule_suggest(const char *s, size_t n)
{
	char up[C2S_SUGGEST_MAX_WORD + 1];
	const struct c2s_rule *best = NULL;
	size_t bestd = C2S_SUGGEST_FAR;
	if (n > C2S_SUGGEST_MAX_WORD)
		return NULL;
	for (size_t i = 0; i < n; i++)
		up[i] = (char)(s[i] >= 'a' && s[i] <= 'z' ? s[i] - 'a' + 'A' : s[i]);
	up[n] = '\0';
	int id_like = n >= 2 && up[0] == 'C' && up[1] == 'S';
	for (int i = 0; i < C2S_RULE_COUNT; i++) {
		const struct c2s_rule *r = &c2s_rules[i];
		size_t d;
		if (id_like) {
			/* ids are numbers: one digit off, or two swapped; "CS0000" is near nothing */
			size_t m = strlen(r->id);
			/* half-steps: a swap (1) is a likelier slip than a wrong digit (2) */
			d = m == n && swapped(up, r->id, n) ? 1 : 2 * c2s_edit_distance(up, n, r->id, m);
			if (d > 2)
				continue;
		} else {
			d = c2s_edit_distance(s, n, r->name, strlen(r->name));
			if (d > c2s_suggest_limit(n))
				continue;
		}
		if (d < bestd) {
			best = r;
			bestd = d;
		}
	}
	return best;
}

/* Opt-in rules: off unless --enable, a config file or --severity turns them on.
 * CS9001: the seed stack (and many real ones) deploys :latest on purpose. */
static const enum c2s_rule_index opt_in[] = {C2S_R_CS9001};

int c2s_rule_default_on(const struct c2s_rule *r)
{
	for (size_t i = 0; i < sizeof opt_in / sizeof *opt_in; i++)
		if (c2s_rule_index(r) == opt_in[i])
			return 0;
	return 1;
}

/* Generated from docs/rules/\*.md at build time (rule_docs.c). */
struct c2s_rule_doc_entry {
	const char *id;
	const char *text;
};
extern const struct c2s_rule_doc_entry c2s_rule_docs[];
extern const size_t c2s_rule_docs_count;

const char *c2s_rule_doc(const struct c2s_rule *r)
{
	for (size_t i = 0; i < c2s_rule_docs_count; i++)
		if (strcmp(c2s_rule_docs[i].id, r->id) == 0)
			return c2s_rule_docs[i].text;
	return NULL;
}

int c2s_rules_list(enum c2s_format format, FILE *out, FILE *err)
{
	if (format == C2S_FORMAT_JSON) {
		cJSON *root = cJSON_CreateArray();
		for (int i = 0; root && i < C2S_RULE_COUNT; i++) {
			const struct c2s_rule *r = &c2s_rules[i];
			cJSON *o = cJSON_CreateObject();
			if (!o)
				break;
			cJSON_AddItemToArray(root, o);
			cJSON_AddStringToObject(o, "id", r->id);
			cJSON_AddStringToObject(o, "name", r->name);
			cJSON_AddStringToObject(o, "tier", c2s_tiers[r->tier].name);
			cJSON_AddStringToObject(o, "severity", c2s_severity_name(r->severity));
			cJSON_AddBoolToObject(o, "fixable", r->fixable);
			cJSON_AddBoolToObject(o, "default_enabled", c2s_rule_default_on(r));
			cJSON_AddStringToObject(o, "title", r->title);
		}
		char *text = root ? cJSON_PrintUnformatted(root) : NULL;
		cJSON_Delete(root);
		if (!text) {
			fprintf(err, "compose2swarm: out of memory\n");
			return C2S_EXIT_TROUBLE;
		}
		fprintf(out, "%s\n", text);
		cJSON_free(text);
	} else {
		fprintf(out, "%-7s %-26s %-13s %-8s %-3s %s\n", "ID", "NAME", "TIER", "SEVERITY", "FIX", "TITLE");
		for (int i = 0; i < C2S_RULE_COUNT; i++) {
			const struct c2s_rule *r = &c2s_rules[i];
			fprintf(out, "%-7s %-26s %-13s %-8s %-3s %s%s\n", r->id, r->name, c2s_tiers[r->tier].name,
				c2s_severity_name(r->severity), r->fixable ? "yes" : "no", r->title,
				c2s_rule_default_on(r) ? "" : " [off by default]");
		}
	}
	return ferror(out) ? C2S_EXIT_TROUBLE : C2S_EXIT_OK;
}

int c2s_rules_explain(const char *id, FILE *out, FILE *err)
{
	const struct c2s_rule *r = c2s_rule_find(id);
	if (!r) {
		const struct c2s_rule *near = c2s_rule_suggest(id, strlen(id));
		if (near)
			fprintf(err, "compose2swarm: no rule '%s' (did you mean %s, %s?)\n", id, near->id, near->name);
		else
			fprintf(err, "compose2swarm: no rule '%s' (see `compose2swarm rules`)\n", id);
		return C2S_EXIT_TROUBLE;
	}
	const char *doc = c2s_rule_doc(r);
	if (!doc) {
		fprintf(err, "compose2swarm: rule %s has no documentation page\n", r->id);
		return C2S_EXIT_TROUBLE;
	}
	fputs(doc, out);
	return ferror(out) ? C2S_EXIT_TROUBLE : C2S_EXIT_OK;
}
