/* test_rules.c -- the rule table: unique ids in their tier's band, and one doc page per rule. */
#include "config.h"
#include "testutil.h"
#include "rules.h"

#include <dirent.h>
#include <stdio.h>

static void test_ids_unique_and_in_band(void **state)
{
	(void)state;
	for (int i = 0; i < C2S_RULE_COUNT; i++) {
		const struct c2s_rule *r = &c2s_rules[i];
		assert_int_equal(strlen(r->id), 6);
		assert_memory_equal(r->id, "CS", 2);
		/* the band's first digit is the tier's: CS5xxx is tier 5 */
		assert_int_equal(r->id[2], c2s_tiers[r->tier].band[2]);
		assert_true(r->severity >= C2S_SEVERITY_INFO && r->severity <= C2S_SEVERITY_ERROR);
		assert_non_null(r->title);
		for (int j = 0; j < i; j++) {
			assert_string_not_equal(r->id, c2s_rules[j].id);
			assert_string_not_equal(r->name, c2s_rules[j].name);
		}
		assert_ptr_equal(c2s_rule_find(r->id), r);
		assert_ptr_equal(c2s_rule_find(r->name), r);
	}
	assert_null(c2s_rule_find("CS0000"));
	assert_ptr_equal(c2s_rule_find("cs5101"), &c2s_rules[C2S_R_CS5101]);
}

/* Every rule has docs/rules/ID.md, compiled in, whose title line names the rule;
 * every page in docs/rules/ belongs to a rule. */
static void test_docs_match_table(void **state)
{
	(void)state;
	for (int i = 0; i < C2S_RULE_COUNT; i++) {
		const struct c2s_rule *r = &c2s_rules[i];
		const char *doc = c2s_rule_doc(r);
		if (!doc)
			fail_msg("rule %s has no docs/rules/%s.md", r->id, r->id);
		char title[128];
		snprintf(title, sizeof title, "# %s %s\n", r->id, r->name);
		if (strncmp(doc, title, strlen(title)) != 0)
			fail_msg("docs/rules/%s.md must start with '%s'", r->id, title);
		assert_non_null(strstr(doc, c2s_severity_name(r->severity)));
	}
	DIR *dir = opendir(DOCS_DIR);
	assert_non_null(dir);
	struct dirent *e;
	int pages = 0;
	while ((e = readdir(dir))) {
		size_t n = strlen(e->d_name);
		if (n < 4 || strcmp(e->d_name + n - 3, ".md") != 0)
			continue;
		char id[64];
		snprintf(id, sizeof id, "%.*s", (int)(n - 3), e->d_name);
		if (!c2s_rule_find(id))
			fail_msg("docs/rules/%s has no rule in rules.def", e->d_name);
		pages++;
	}
	closedir(dir);
	assert_int_equal(pages, C2S_RULE_COUNT);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ids_unique_and_in_band),
		cmocka_unit_test(test_docs_match_table),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
