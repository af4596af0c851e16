/* test_rules.c -- the rule table: unique ids in their tier's band, and one doc page per rule. */
#include "config.h"
#include "testutil.h"
#include "rules.h"
#include "check.h"

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

/* check.c's per-service key table keeps a key's position in its mapping in a
 * byte (a rare key: a bit): what it gives must be what c2s_map_get finds, for keys
 * early and late (past position 253: looked up), in deploy, rare, repeated, and
 * absent. */
static void test_svc_key_table(void **state)
{
	(void)state;
	struct c2s_buf y;
	c2s_buf_init(&y, 1 << 20);
	c2s_buf_adds(&y, "services:\n  a:\n    image: one\n    deploy:\n      replicas: 2\n");
	c2s_buf_adds(&y, "  b:\n    deploy:\n");
	for (int i = 0; i < 260; i++)
		c2s_buf_printf(&y, "      x-d%d: %d\n", i, i);
	c2s_buf_adds(&y, "      mode: global\n      placement: {}\n");
	for (int i = 0; i < 300; i++)
		c2s_buf_printf(&y, "    x-k%d: %d\n", i, i);
	c2s_buf_adds(&y, "    image: two\n    ports: [\"80:80\"]\n");
	c2s_buf_adds(&y, "  c:\n    build: .\n    image: [x]\n    image: three\n    deploy: []\n  d: {}\n  e: x\n");
	/* a deploy: that is empty or a scalar has no keys (its node is no mapping's runs) */
	c2s_buf_adds(&y, "  f:\n    image: four\n    deploy:\n  g:\n    deploy: 3\n");
	struct loaded *l = load_text(y.data, y.len);
	assert_int_equal(l->status, C2S_LOAD_OK);
	assert_string_equal(c2s_svc_key_names[C2S_SK_IMAGE].p, "image");
	assert_string_equal(c2s_svc_key_names[C2S_SK_DEPLOY_MODE].p, "mode");
	struct c2s_check c = {0};
	c.doc = &l->doc;
	c.root = root_of(l);
	c.services = c2s_map_get(&l->doc, c.root, "services", NULL);
	assert_non_null(c.services);
	int found = 0;
	for (uint32_t i = 0; i < c2s_count(c.services); i++) {
		const struct c2s_node *svc = c2s_map_value(&l->doc, c.services, i);
		for (int k = 0; k < C2S_SK_ALL; k++) {
			if (k == C2S_SK_N)
				continue;
			const struct c2s_node *m = svc, *want_key = NULL, *got_key = NULL;
			const char *name = c2s_svc_key_names[k].p;
			if (k >= C2S_SK_DEPLOY_FIRST && k < C2S_SK_N)
				m = c2s_map_get(&l->doc, svc, "deploy", NULL);
			const struct c2s_node *want = c2s_map_get(&l->doc, m, name, &want_key);
			const struct c2s_node *got = c2s_svc_key(&c, i, (enum c2s_svc_key)k, &got_key);
			assert_ptr_equal(got, want);
			assert_ptr_equal(got_key, want_key);
			found += got != NULL;
		}
	}
	/* a: image deploy replicas; b: image ports deploy mode placement; c: build image deploy;
	 * f: image deploy; g: deploy */
	assert_int_equal(found, 14);
	assert_non_null(c.svc_table);
	assert_scalar(l, c2s_svc_key(&c, 1, C2S_SK_IMAGE, NULL), "two");
	assert_true(c2s_is_sequence(c2s_svc_key(&c, 2, C2S_SK_IMAGE, NULL)));  /* the first of two */
	assert_null(c2s_svc_key(&c, 4, C2S_SK_IMAGE, NULL));
	assert_scalar(l, c2s_svc_key(&c, 1, C2S_SK_DEPLOY_MODE, NULL), "global");
	loaded_free(l);
	c2s_buf_free(&y);
}

/* C2S_FOR_EACH_SERVICE visits the block [svc_from, svc_end) that lint's run_checks
 * gives the C2S_SVC_RULE rules, and every service when svc_end is 0. */
static void test_service_block(void **state)
{
	(void)state;
	struct loaded *l = load_text("services:\n  a: {}\n  b: {}\n  c: x\n  d: {}\n  e: {}\n", 49);
	assert_int_equal(l->status, C2S_LOAD_OK);
	struct c2s_check c = {0};
	c.doc = &l->doc;
	c.root = root_of(l);
	c.services = c2s_map_get(&l->doc, c.root, "services", NULL);
	char seen[8];
	size_t n = 0;
	C2S_FOR_EACH_SERVICE(&c, i, key, svc)
		seen[n++] = c2s_scalar(&l->doc, key).p[0];
	assert_int_equal(n, 4);  /* c is not a mapping */
	assert_memory_equal(seen, "abde", 4);
	c.svc_from = 1;
	c.svc_end = 4;
	n = 0;
	C2S_FOR_EACH_SERVICE(&c, i, key, svc)
		seen[n++] = c2s_scalar(&l->doc, key).p[0];
	assert_int_equal(n, 2);
	assert_memory_equal(seen, "bd", 2);
	c.svc_from = 4;
	c.svc_end = 100;  /* past the end: up to the last */
	n = 0;
	C2S_FOR_EACH_SERVICE(&c, i, key, svc)
		seen[n++] = c2s_scalar(&l->doc, key).p[0];
	assert_int_equal(n, 1);
	assert_int_equal(seen[0], 'e');
	/* every C2S_SVC_RULE has a check */
	for (int i = 0; i < C2S_RULE_COUNT; i++)
		if (c2s_rules[i].per_service)
			assert_non_null(c2s_rules[i].check);
	loaded_free(l);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ids_unique_and_in_band),
		cmocka_unit_test(test_docs_match_table),
		cmocka_unit_test(test_svc_key_table),
		cmocka_unit_test(test_service_block),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
