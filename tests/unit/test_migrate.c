/* test_migrate.c -- migrate's building blocks: compose-go's ${VAR} grammar and .env format
 * (expected values read off compose-spec/compose-go template/template.go and dotenv/parser.go),
 * scalars written so that they read back as the same value, relative paths, edits. */
#include "config.h"
#include "testutil.h"

#include "interp.h"
#include "migrate.h"

#include <stdio.h>
#include <stdlib.h>

static struct c2s_env *env_of(const char *const *kv)
{
	struct c2s_env *e = c2s_env_new(kv);
	assert_non_null(e);
	return e;
}

/* Substitute s; the result (or the error) in out. */
static enum mig_subst sub(const char *s, struct c2s_env *e, char *out, size_t size)
{
	struct c2s_buf b;
	c2s_buf_init(&b, 1 << 20);
	char err[256];
	enum mig_subst r = mig_substitute(s, strlen(s), e, &b, err, sizeof err);
	snprintf(out, size, "%s", r == MIG_SUBST_OK ? (b.data ? b.data : "") : err);
	c2s_buf_free(&b);
	return r;
}

static void test_substitute(void **state)
{
	(void)state;
	static const char *const kv[] = {"A=x", "EMPTY=", "B=y", NULL};
	struct c2s_env *e = env_of(kv);
	static const struct {
		const char *in, *want;
		enum mig_subst st;
	} cases[] = {
		{"${A}", "x", MIG_SUBST_OK},
		{"$A-$B", "x-y", MIG_SUBST_OK},
		{"$$A", "$A", MIG_SUBST_OK},
		{"${UNSET:-d}", "d", MIG_SUBST_OK},
		{"${EMPTY:-d}", "d", MIG_SUBST_OK},
		{"${EMPTY-d}", "", MIG_SUBST_OK},
		{"${UNSET-d}", "d", MIG_SUBST_OK},
		{"${A:+alt}", "alt", MIG_SUBST_OK},
		{"${EMPTY:+alt}", "", MIG_SUBST_OK},
		{"${UNSET:+alt}", "", MIG_SUBST_OK},
		{"${EMPTY+alt}", "alt", MIG_SUBST_OK},
		{"${UNSET+alt}", "", MIG_SUBST_OK},
		{"${UNSET:-${B}}", "y", MIG_SUBST_OK},
		{"${UNSET:-${NONE:-z}}", "z", MIG_SUBST_OK},
		{"${A}x}", "xx}", MIG_SUBST_OK},
		{"a$1b", "a$1b", MIG_SUBST_OK},   /* no variable: compose keeps the '$' */
		{"cost $", "cost $", MIG_SUBST_OK},
		{"${UNSET}", "", MIG_SUBST_OK},
		{"${UNSET:?set it}", "required variable UNSET is missing a value: set it", MIG_SUBST_REQUIRED},
		{"${EMPTY:?}", "required variable EMPTY is missing a value", MIG_SUBST_REQUIRED},
		{"${EMPTY?}", "", MIG_SUBST_OK},
		{"${UNSET?no ${A}}", "required variable UNSET is missing a value: no x", MIG_SUBST_REQUIRED},
		{"${", NULL, MIG_SUBST_INVALID},
		{"${A", NULL, MIG_SUBST_INVALID},
		{"${1}", NULL, MIG_SUBST_INVALID},
		{"${A B}", NULL, MIG_SUBST_INVALID},
	};
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		char out[256];
		enum mig_subst r = sub(cases[i].in, e, out, sizeof out);
		if (r != cases[i].st)
			fail_msg("%s: status %d, want %d (%s)", cases[i].in, r, cases[i].st, out);
		if (cases[i].want && strcmp(out, cases[i].want) != 0)
			fail_msg("%s: \"%s\", want \"%s\"", cases[i].in, out, cases[i].want);
	}
	assert_int_equal(mig_needs_compose_template("${A:+x}", 7), 1);
	assert_int_equal(mig_needs_compose_template("${A:-${B}}", 10), 1);
	assert_int_equal(mig_needs_compose_template("${A:-b} $$x ${C?m}", 18), 0);
	c2s_env_free(e);
}

struct collected {
	char text[2048];
	size_t n;
};

static int collect(void *ctx, const char *k, size_t kn, const char *v, size_t vn)
{
	struct collected *c = ctx;
	c->n += (size_t)snprintf(c->text + c->n, sizeof c->text - c->n, "%.*s=[%.*s]\n", (int)kn, k, (int)vn, v);
	return 0;
}

static void test_dotenv(void **state)
{
	(void)state;
	static const char *const kv[] = {"H=fromenv", NULL};
	struct c2s_env *e = env_of(kv);
	static const char file[] =
		"\xef\xbb\xbf# a comment\n"
		"A=1\n"
		"B=\"two words\"\n"
		"C='single $A'\n"
		"D=\"with $A and \\n\"\n"
		"export E=5\n"
		"F=unquoted # comment\n"
		"G=x#nocomment\n"
		"H\n"
		"I=${A:-d}\n"
		"J: yaml style\n"
		"K=\"esc \\\"q\\\" \\$A\"\n"
		"  L = spaced  \n"
		"M=\n";
	struct collected c = {{0}, 0};
	char err[256];
	assert_int_equal(mig_dotenv_parse(file, sizeof file - 1, e, collect, &c, err, sizeof err), 0);
	assert_string_equal(c.text, "A=[1]\nB=[two words]\nC=[single $A]\nD=[with 1 and \n]\nE=[5]\nF=[unquoted]\n"
				    "G=[x#nocomment]\nH=[fromenv]\nI=[1]\nJ=[yaml style]\nK=[esc \"q\" $A]\nL=[spaced]\nM=[]\n");
	static const struct {
		const char *in, *err;
	} bad[] = {
		{"K L=1\n", "line 1: key cannot contain a space"},
		/* compose-go counts the line break it scanned past before it gives up */
		{"A=1\nM=\"abc\n", "line 3: unterminated quoted value \"abc"},
		{"A%=1\n", "line 1: unexpected character \"%\" in variable name \"A%=1\""},
		{"A=${B\n", "Invalid template: \"${B\""},
		{"A=${B:?need B}\n", "required variable B is missing a value: need B"},
	};
	for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
		c.n = 0;
		if (mig_dotenv_parse(bad[i].in, strlen(bad[i].in), e, collect, &c, err, sizeof err) == 0)
			fail_msg("%s: parsed", bad[i].in);
		if (strcmp(err, bad[i].err) != 0)
			fail_msg("%s: \"%s\", want \"%s\"", bad[i].in, err, bad[i].err);
	}
	c2s_env_free(e);
}

/* Every string written by mo_scalar reads back as that string (block and flow). */
static void test_scalar_round_trip(void **state)
{
	(void)state;
	static const char *const values[] = {
		"plain", "yes", "no", "1", "0x1F", "1e3", "1_000", ".inf", "null", "~", "", "true", "2001-01-01",
		"a: b", "a #b", "#x", " lead", "trail ", "- x", "-", "x, y", "[x]", "{x}", "'q'", "\"dq\"", "tab\there",
		"line\nbreak", "a\\b", "ünï", "*x", "&x", "!x", "%x", "@x", "`x", "|x", ">x", "x:", "http://a:8/p?q=1",
		"$$HOME", "---", "...", "?x", "a\x01b",
	};
	for (int flow = 0; flow < 2; flow++)
		for (size_t i = 0; i < sizeof values / sizeof *values; i++) {
			struct mig_out o;
			mo_init(&o);
			mo_lit(&o, flow ? "k: [" : "k: ", flow ? 4 : 3);
			mo_scalar(&o, values[i], strlen(values[i]), 1, flow);
			mo_lit(&o, flow ? "]\n" : "\n", flow ? 2 : 1);
			struct loaded *l = load_text(o.buf.data, o.buf.len);
			if (l->status != C2S_LOAD_OK)
				fail_msg("\"%s\" written as %s does not load", values[i], o.buf.data);
			const struct c2s_node *n = path(l, "k", NULL);
			if (flow)
				n = c2s_seq_item(&l->doc, n, 0);
			struct c2s_value v;
			struct c2s_str s = c2s_scalar(&l->doc, n);
			if (c2s_resolve(&l->doc, n, &v) != C2S_TYPE_STRING || s.n != strlen(values[i]) ||
			    memcmp(s.p, values[i], s.n) != 0)
				fail_msg("\"%s\" written as %s reads back otherwise", values[i], o.buf.data);
			loaded_free(l);
			mo_free(&o);
		}
}

static void test_paths(void **state)
{
	(void)state;
	char out[256];
	mig_abs_path("/a/b", "../c/./d//e", out, sizeof out);
	assert_string_equal(out, "/a/c/d/e");
	mig_abs_path("/a", "/x/../y", out, sizeof out);
	assert_string_equal(out, "/y");
	mig_rel_path("/p/out", "/p/common/data", out, sizeof out);
	assert_string_equal(out, "../common/data");
	mig_rel_path("/p", "/p/common/data", out, sizeof out);
	assert_string_equal(out, "./common/data");
	mig_rel_path("/p/ab", "/p/abc/x", out, sizeof out);
	assert_string_equal(out, "../abc/x");
	mig_rel_path("/", "/etc/x", out, sizeof out);
	assert_string_equal(out, "./etc/x");
	mig_dir_name("/p/compose.yaml", out, sizeof out);
	assert_string_equal(out, "/p");
	mig_dir_name("compose.yaml", out, sizeof out);
	assert_string_equal(out, ".");
}

/* The one matcher of document paths: '*' a key, "[]" a list item, the depth capped. */
static void test_doc_paths(void **state)
{
	(void)state;
	static struct mig_path p;
	char out[64];
	p.n = 0;
	assert_int_equal(mig_path_push(&p, (struct c2s_str){"services", 8}), 0);
	assert_int_equal(mig_path_push(&p, (struct c2s_str){"web", 3}), 0);
	assert_int_equal(mig_path_push(&p, (struct c2s_str){"ports", 5}), 0);
	assert_int_equal(mig_path_push_item(&p), 0);
	assert_int_equal(mig_path_push(&p, (struct c2s_str){"target", 6}), 0);
	assert_true(mig_path_match(&p, "services.*.ports.[].target"));
	assert_false(mig_path_match(&p, "services.*.ports.*.target"));   /* '*' is a key, not an item */
	assert_false(mig_path_match(&p, "services.*.ports.[]"));          /* the whole path */
	assert_false(mig_path_match(&p, "services.*.ports.[].target.x"));
	mig_path_text(&p, out, sizeof out);
	assert_string_equal(out, "services.web.ports.[].target");
	/* a key written "[]" is a key */
	p.n = 3;
	assert_int_equal(mig_path_push(&p, (struct c2s_str){"[]", 2}), 0);
	assert_false(mig_path_match(&p, "services.*.ports.[]"));
	assert_true(mig_path_match(&p, "services.*.ports.*"));
	static const char *const pats[] = {"volumes.*", "services.*.ports.*"};
	assert_true(mig_path_match_any(&p, pats, 2));
	assert_false(mig_path_match_any(&p, pats, 1));
	/* as deep as the loader nests, no deeper */
	p.n = 0;
	for (int i = 0; i < MIG_PATH_MAX; i++)
		assert_int_equal(mig_path_push_item(&p), 0);
	assert_int_equal(mig_path_push_item(&p), -1);
	assert_int_equal(mig_path_push(&p, (struct c2s_str){"x", 1}), -1);
	assert_int_equal(p.n, MIG_PATH_MAX);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_substitute),
		cmocka_unit_test(test_dotenv),
		cmocka_unit_test(test_scalar_round_trip),
		cmocka_unit_test(test_paths),
		cmocka_unit_test(test_doc_paths),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
