/* test_diag.c -- the diagnostic list's interface: add, mark and roll back, repeats, remove, prefix, configure. */
#include "config.h"
#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>

static struct format_fixture *fixture(void)
{
	return format_fixture_new("a.yml", "0123456789abcdef\n", 17);
}

static void done(struct format_fixture *f)
{
	void *p = f;
	format_fixture_teardown(&p);
}

/* A rollback forgets every diagnostic added after the mark, with what they
 * changed (the limit flag, the hint repeated), and the repeat table forgets
 * them too: the same finding added again is kept. */
static void test_mark_rollback(void **state)
{
	(void)state;
	struct format_fixture *f = fixture();
	struct c2s_diags *l = &f->diags;
	c2s_diags_dedupe(l, 1);
	struct c2s_diag *dg = c2s_diag_add(l, C2S_R_CS5101, &f->src, 0, 1, "kept %d", 1);
	c2s_diag_hint(l, dg, "a hint");
	struct c2s_diags_mark m = c2s_diags_mark(l);
	assert_non_null(c2s_diag_add(l, C2S_R_CS5101, &f->src, 2, 3, "gone"));
	assert_null(c2s_diag_add(l, C2S_R_CS5101, &f->src, 2, 3, "gone"));  /* a repeat */
	assert_non_null(c2s_diag_add(l, C2S_R_CS1091, &f->src, 4, 5, "a limit"));
	assert_true(c2s_diags_limit_hit(l));
	assert_int_equal(c2s_diags_len(l), 3);
	c2s_diags_rollback(l, &m);
	assert_int_equal(c2s_diags_len(l), 1);
	assert_false(c2s_diags_limit_hit(l));
	assert_string_equal(c2s_diags_item(l, 0)->message, "kept 1");
	assert_non_null(c2s_diag_add(l, C2S_R_CS5101, &f->src, 2, 3, "again"));  /* no longer a repeat */
	assert_null(c2s_diag_add(l, C2S_R_CS5101, &f->src, 0, 1, "kept %d", 1));  /* still one */
	assert_int_equal(c2s_diags_len(l), 2);
	c2s_diags_dedupe(l, 0);
	done(f);
}

/* A full list only counts what it drops; rolling back forgets that count too,
 * even when no item was added since the mark. */
static void test_rollback_dropped(void **state)
{
	(void)state;
	struct format_fixture *f = fixture();
	struct c2s_diags *l = &f->diags;
	for (uint32_t i = 0; i < C2S_MAX_DIAGNOSTICS; i++)
		assert_non_null(c2s_diag_add(l, C2S_R_CS5101, &f->src, 0, 1, "x"));
	struct c2s_diags_mark m = c2s_diags_mark(l);
	assert_null(c2s_diag_add(l, C2S_R_CS5101, &f->src, 0, 1, "over"));
	assert_int_equal(c2s_diags_dropped(l), 1);
	c2s_diags_rollback(l, &m);
	assert_int_equal(c2s_diags_dropped(l), 0);
	assert_int_equal(c2s_diags_len(l), C2S_MAX_DIAGNOSTICS);
	done(f);
}

static void test_remove(void **state)
{
	(void)state;
	struct format_fixture *f = fixture();
	struct c2s_diags *l = &f->diags;
	for (int i = 0; i < 5; i++)
		c2s_diag_add(l, C2S_R_CS5101, &f->src, (uint32_t)i, (uint32_t)i + 1, "n%d", i);
	const unsigned char drop[4] = {1, 0, 1, 0};  /* of items 1..4 */
	c2s_diags_remove(l, 1, drop);
	assert_int_equal(c2s_diags_len(l), 3);
	assert_string_equal(c2s_diags_item(l, 0)->message, "n0");
	assert_string_equal(c2s_diags_item(l, 1)->message, "n2");
	assert_string_equal(c2s_diags_item(l, 2)->message, "n4");
	done(f);
}

/* docker wraps a service's error as "service NAME: ..."; a deferred message
 * is written out first, so the sentence is whole. */
static void test_prefix(void **state)
{
	(void)state;
	struct format_fixture *f = fixture();
	struct c2s_diags *l = &f->diags;
	c2s_diags_configure(l, NULL, 1);
	struct c2s_diag *dg = c2s_diag_add(l, C2S_R_CS5101, &f->src, 0, 1, "invalid %s: %d", "port", 70000);
	assert_true(dg->deferred);
	c2s_diag_prefix(l, dg, "service %.*s: ", 3, "webserver");
	assert_false(dg->deferred);
	assert_string_equal(dg->message, "service web: invalid port: 70000");
	c2s_diags_resolve(l);
	assert_string_equal(c2s_diags_item(l, 0)->message, "service web: invalid port: 70000");
	assert_false(c2s_diags_nomem(l));
	done(f);
}

/* With many findings in one source the lines and columns come from a table of its
 * line starts (c2s_source_line_table): the same as c2s_source_locate gives, for
 * spans on one line, across lines and past the end, in UTF-8. */
static void test_resolve_many(void **state)
{
	(void)state;
	static char text[300 * 16];
	size_t len = 0;
	for (int i = 0; i < 300; i++)
		len += (size_t)snprintf(text + len, sizeof text - len, "k%03d: v\xc3\xa9%d\n", i, i % 7);
	struct format_fixture *f = format_fixture_new("a.yml", text, len);
	struct c2s_diags *l = &f->diags;
	enum { N = 1100 };
	for (uint32_t i = 0; i < N; i++) {
		uint32_t start = (uint32_t)((i * 37u) % (len + 3)), end = start + (i % 5 == 0 ? 40 : i % 9);
		/* spans start and end between characters, as a node's do */
		while (start < len && (text[start] & 0xc0) == 0x80)
			start++;
		while (end < len && (text[end] & 0xc0) == 0x80)
			end++;
		assert_non_null(c2s_diag_add(l, C2S_R_CS5101, &f->src, start, end, "n%u", i));
	}
	c2s_diags_resolve(l);
	assert_int_equal(c2s_diags_len(l), N);
	for (size_t i = 0; i < N; i++) {
		struct c2s_span s = c2s_diags_span(l, i);
		uint32_t line, col;
		c2s_source_locate(&f->src, s.start, &line, &col);
		assert_int_equal(s.line, line);
		assert_int_equal(s.column, col);
		c2s_source_locate(&f->src, s.end, &line, &col);
		assert_int_equal(s.end_line, line);
		assert_int_equal(s.end_column, col);
	}
	done(f);
}

/* The configuration turns rules off (nothing is added for them) and sets severities. */
static void test_configure(void **state)
{
	(void)state;
	struct format_fixture *f = fixture();
	struct c2s_diags *l = &f->diags;
	enum c2s_severity sev[C2S_RULE_COUNT];
	for (int i = 0; i < C2S_RULE_COUNT; i++)
		sev[i] = c2s_rules[i].severity;
	sev[C2S_R_CS5101] = C2S_SEVERITY_NONE;
	sev[C2S_R_CS8004] = C2S_SEVERITY_INFO;
	assert_false(c2s_diags_configured_off(l, C2S_R_CS5101));  /* no configuration yet */
	c2s_diags_configure(l, sev, 0);
	assert_true(c2s_diags_configured_off(l, C2S_R_CS5101));
	assert_false(c2s_diags_configured_off(l, C2S_R_CS8004));
	assert_null(c2s_diag_add(l, C2S_R_CS5101, &f->src, 0, 1, "off"));
	struct c2s_diag *dg = c2s_diag_add(l, C2S_R_CS8004, &f->src, 0, 1, "on");
	assert_non_null(dg);
	assert_int_equal(dg->severity, C2S_SEVERITY_INFO);
	assert_int_equal(c2s_diags_max(l), C2S_SEVERITY_INFO);
	c2s_diags_out_of_memory(l);
	assert_true(c2s_diags_nomem(l));
	done(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_mark_rollback),
		cmocka_unit_test(test_rollback_dropped),
		cmocka_unit_test(test_remove),
		cmocka_unit_test(test_prefix),
		cmocka_unit_test(test_resolve_many),
		cmocka_unit_test(test_configure),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
