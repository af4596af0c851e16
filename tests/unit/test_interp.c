/* test_interp.c -- the ${VAR} scanner, substitution with docker/cli's quirks, env files,
 * and the interpolation pass over a document. Expected values were checked with
 * `docker stack config` (CLI 28.2.2). */
#include "config.h"
#include "testutil.h"
#include "interp.h"
#include "pipeline.h"

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

/* ---- scanner ---- */

struct tokwant {
	enum c2s_interp_kind kind;
	const char *text;   /* the token's bytes */
	const char *subst;  /* VAR: the substitution text */
};

static void expect_tokens(const char *s, const struct tokwant *w, size_t nw)
{
	size_t n = strlen(s), pos = 0, i = 0;
	struct c2s_interp_tok t;
	while ((pos = c2s_interp_scan(s, n, pos, &t)), t.kind != C2S_INTERP_END) {
		if (i >= nw)
			fail_msg("%s: more tokens than expected", s);
		assert_int_equal(t.kind, w[i].kind);
		assert_int_equal(t.end - t.start, strlen(w[i].text));
		assert_memory_equal(s + t.start, w[i].text, t.end - t.start);
		if (w[i].subst) {
			assert_int_equal(t.nsubst, strlen(w[i].subst));
			assert_memory_equal(s + t.subst, w[i].subst, t.nsubst);
		}
		i++;
	}
	assert_int_equal(i, nw);
	assert_int_equal(pos, n);
}
#define TOKENS(s, ...)                                                   \
	do {                                                             \
		static const struct tokwant w_[] = {__VA_ARGS__};        \
		expect_tokens((s), w_, sizeof w_ / sizeof *w_);          \
	} while (0)

static void test_scan_forms(void **state)
{
	(void)state;
	TOKENS("plain", {C2S_INTERP_TEXT, "plain", NULL});
	TOKENS("$$", {C2S_INTERP_ESCAPED, "$$", NULL});
	TOKENS("a$$b", {C2S_INTERP_TEXT, "a", NULL}, {C2S_INTERP_ESCAPED, "$$", NULL}, {C2S_INTERP_TEXT, "b", NULL});
	TOKENS("$VAR", {C2S_INTERP_VAR, "$VAR", "VAR"});
	TOKENS("$SET_x/y", {C2S_INTERP_VAR, "$SET_x", "SET_x"}, {C2S_INTERP_TEXT, "/y", NULL});
	TOKENS("${VAR}", {C2S_INTERP_VAR, "${VAR}", "VAR"});
	TOKENS("${VAR:-d}", {C2S_INTERP_VAR, "${VAR:-d}", "VAR:-d"});
	TOKENS("${VAR-d}", {C2S_INTERP_VAR, "${VAR-d}", "VAR-d"});
	TOKENS("${VAR:?msg here}", {C2S_INTERP_VAR, "${VAR:?msg here}", "VAR:?msg here"});
	TOKENS("${VAR?m}", {C2S_INTERP_VAR, "${VAR?m}", "VAR?m"});
	TOKENS("${_a1}", {C2S_INTERP_VAR, "${_a1}", "_a1"});
	/* the unbraced form takes an operator too, up to the first '}' */
	TOKENS("$A-b}c", {C2S_INTERP_VAR, "$A-b", "A-b"}, {C2S_INTERP_TEXT, "}c", NULL});
	TOKENS("$A:-x y", {C2S_INTERP_VAR, "$A:-x y", "A:-x y"});
	TOKENS("$A:x", {C2S_INTERP_VAR, "$A", "A"}, {C2S_INTERP_TEXT, ":x", NULL});
	/* no nesting: the default ends at the first '}' */
	TOKENS("${U:-${S}}", {C2S_INTERP_VAR, "${U:-${S}", "U:-${S"}, {C2S_INTERP_TEXT, "}", NULL});
	/* Go's case folding: long s and the Kelvin sign are letters */
	TOKENS("$\xc5\xbfx", {C2S_INTERP_VAR, "$\xc5\xbfx", "\xc5\xbfx"});
	TOKENS("$\xe2\x84\xaa", {C2S_INTERP_VAR, "$\xe2\x84\xaa", "\xe2\x84\xaa"});
}

static void test_scan_invalid(void **state)
{
	(void)state;
	TOKENS("$", {C2S_INTERP_INVALID, "$", NULL});
	TOKENS("a$", {C2S_INTERP_TEXT, "a", NULL}, {C2S_INTERP_INVALID, "$", NULL});
	TOKENS("$1", {C2S_INTERP_INVALID, "$", NULL}, {C2S_INTERP_TEXT, "1", NULL});
	TOKENS("${", {C2S_INTERP_INVALID, "$", NULL}, {C2S_INTERP_TEXT, "{", NULL});
	TOKENS("${VAR", {C2S_INTERP_INVALID, "$", NULL}, {C2S_INTERP_TEXT, "{VAR", NULL});
	TOKENS("${:-x}", {C2S_INTERP_INVALID, "$", NULL}, {C2S_INTERP_TEXT, "{:-x}", NULL});
	TOKENS("${}", {C2S_INTERP_INVALID, "$", NULL}, {C2S_INTERP_TEXT, "{}", NULL});
	TOKENS("${ S}", {C2S_INTERP_INVALID, "$", NULL}, {C2S_INTERP_TEXT, "{ S}", NULL});
	TOKENS("${S:+x}", {C2S_INTERP_INVALID, "$", NULL}, {C2S_INTERP_TEXT, "{S:+x}", NULL});
	TOKENS("${S+x}", {C2S_INTERP_INVALID, "$", NULL}, {C2S_INTERP_TEXT, "{S+x}", NULL});
	TOKENS("${A:-x", {C2S_INTERP_INVALID, "$", NULL}, {C2S_INTERP_TEXT, "{A:-x", NULL});
}

static void test_scan_nul_and_bounds(void **state)
{
	(void)state;
	/* an embedded NUL is ordinary text, and the scanner never reads past n */
	const char s[] = {'a', '\0', '$', 'B', '\0', '-', 'x'};
	struct c2s_interp_tok t;
	size_t pos = c2s_interp_scan(s, sizeof s, 0, &t);
	assert_int_equal(t.kind, C2S_INTERP_TEXT);
	assert_int_equal(pos, 2);
	pos = c2s_interp_scan(s, sizeof s, pos, &t);
	assert_int_equal(t.kind, C2S_INTERP_VAR);
	assert_int_equal(t.nsubst, 1);
	/* "$B" cut at n = 4 */
	pos = c2s_interp_scan(s, 3, 2, &t);
	assert_int_equal(t.kind, C2S_INTERP_INVALID);
	assert_int_equal(pos, 3);
}

/* ---- substitution ---- */

static const char *const test_envp[] = {"SET=val", "EMPTY=", "HOME=/root", "N=3", "EQ=a=b", "noequals", "=x",
					NULL};

static char *subst(const char *in, enum c2s_subst_status *st, struct c2s_subst_error *err)
{
	struct c2s_env *e = c2s_env_new(test_envp);
	assert_non_null(e);
	struct c2s_buf out;
	c2s_buf_init(&out, 1 << 20);
	*st = c2s_substitute(in, strlen(in), e, &out, err, NULL, NULL);
	char *r = strdup(out.data ? out.data : "");
	c2s_buf_free(&out);
	c2s_env_free(e);
	return r;
}

static void expect_subst(const char *in, const char *want)
{
	enum c2s_subst_status st;
	struct c2s_subst_error err;
	char *got = subst(in, &st, &err);
	if (st != C2S_SUBST_OK || strcmp(got, want) != 0)
		fail_msg("%s: got '%s' (status %d), want '%s'", in, got, st, want);
	free(got);
}

static void expect_fail(const char *in, enum c2s_subst_status want, size_t at)
{
	enum c2s_subst_status st;
	struct c2s_subst_error err;
	free(subst(in, &st, &err));
	if (st != want)
		fail_msg("%s: status %d, want %d", in, st, want);
	assert_int_equal(err.at, at);
}

static void test_substitute(void **state)
{
	(void)state;
	expect_subst("$$SET", "$SET");
	expect_subst("$SET", "val");
	expect_subst("${SET}", "val");
	expect_subst("x$UNSET.y", "x.y");
	expect_subst("${EQ}", "a=b");
	expect_subst("${SET:-d}", "val");
	expect_subst("${EMPTY:-d}", "d");
	expect_subst("${UNSET:-d}", "d");
	expect_subst("${EMPTY-d}", "");
	expect_subst("${UNSET-d}", "d");
	expect_subst("${UNSET:-}", "");
	expect_subst("${EMPTY?x}", "");
	expect_subst("${SET:?x}", "val");
	/* defaults are not interpolated and do not nest */
	expect_subst("${UNSET:-${SET}}", "${SET}");
	expect_subst("${UNSET:-$$}", "$$");
	/* docker tests for ":-" before "-" before ":?" before "?", anywhere in the text */
	expect_subst("${UNSET:?need a-value}", "value");
	expect_subst("${UNSET?m:-x}", "x");
	expect_subst("$SET-b}c", "val}c");
	expect_subst("$UNSET-b}c", "b}c");
	/* a later reference clears an earlier error, as in docker */
	expect_subst("A=$1 $HOME", "A=1 /root");
	expect_subst("${UNSET:?x} $SET", " val");
	/* environment entries without '=' or name are skipped */
	expect_subst("${noequals-no}", "no");
}

static void test_substitute_errors(void **state)
{
	(void)state;
	expect_fail("$", C2S_SUBST_INVALID, 0);
	expect_fail("nginx:${TAG", C2S_SUBST_INVALID, 6);
	expect_fail("${:-x}", C2S_SUBST_INVALID, 0);
	expect_fail("${SET:+x}", C2S_SUBST_INVALID, 0);
	expect_fail("$HOME $1", C2S_SUBST_INVALID, 6);
	expect_fail("$$ $", C2S_SUBST_INVALID, 3);
	expect_fail("${UNSET:?need it}", C2S_SUBST_REQUIRED, 0);
	expect_fail("a ${EMPTY:?}", C2S_SUBST_REQUIRED, 2);
	expect_fail("${UNSET?m}", C2S_SUBST_REQUIRED, 0);
	/* the last error wins */
	expect_fail("$1 ${UNSET?m}", C2S_SUBST_REQUIRED, 3);
	expect_fail("${UNSET?m} $1", C2S_SUBST_INVALID, 11);

	enum c2s_subst_status st;
	struct c2s_subst_error err;
	const char *in = "${MISSING:?set it please}";
	free(subst(in, &st, &err));
	assert_int_equal(st, C2S_SUBST_REQUIRED);
	assert_int_equal(err.nname, 7);
	assert_memory_equal(in + err.name, "MISSING", 7);
	assert_int_equal(err.nmsg, 13);
	assert_memory_equal(in + err.msg, "set it please", 13);
}

/* ---- env files into an environment (the parser is goval's: test_goval_envfile.c) ---- */

static void test_env_read_file(void **state)
{
	(void)state;
	char path[] = "/tmp/c2s-envfile-XXXXXX";
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	FILE *f = fdopen(fd, "w");
	fputs("A=1\nSET\nUNSETBARE\nHOME=/override\n", f);
	fclose(f);
	struct c2s_env *e = c2s_env_new(test_envp);
	char err[256];
	assert_int_equal(c2s_env_read_file(e, path, e, err, sizeof err), C2S_ENVFILE_OK);
	size_t n;
	assert_string_equal(c2s_env_get(e, "A", 1, &n), "1");
	assert_string_equal(c2s_env_get(e, "SET", 3, &n), "val");
	assert_null(c2s_env_get(e, "UNSETBARE", 9, &n));
	assert_string_equal(c2s_env_get(e, "HOME", 4, &n), "/override");
	f = fopen(path, "w");
	fputs("bad key=1\n", f);
	fclose(f);
	assert_int_equal(c2s_env_read_file(e, path, e, err, sizeof err), C2S_ENVFILE_INVALID);
	char want[512];
	snprintf(want, sizeof want, "invalid env file (%s): variable 'bad key' contains whitespaces", path);
	assert_string_equal(err, want);
	unlink(path);
	assert_int_equal(c2s_env_read_file(e, path, e, err, sizeof err), C2S_ENVFILE_IO);
	c2s_env_free(e);
}

static void test_env_many(void **state)
{
	(void)state;
	struct c2s_env *e = c2s_env_new(NULL);
	char name[32];
	for (int i = 0; i < 5000; i++) {
		int n = snprintf(name, sizeof name, "V%d", i);
		assert_int_equal(c2s_env_set(e, name, (size_t)n, name, (size_t)n), 0);
	}
	assert_int_equal(c2s_env_count(e), 5000);
	assert_string_equal(c2s_env_get(e, "V4321", 5, NULL), "V4321");
	assert_int_equal(c2s_env_set(e, "V1", 2, "x", 1), 0);
	assert_int_equal(c2s_env_count(e), 5000);
	assert_string_equal(c2s_env_get(e, "V1", 2, NULL), "x");
	c2s_env_free(e);
}

/* ---- the pass over a document ---- */

static struct loaded *interp_doc(const char *text, size_t len, int *errors)
{
	struct loaded *l = load_text(text, len);
	assert_int_equal(l->status, C2S_LOAD_OK);
	struct c2s_env *e = c2s_env_new(test_envp);
	*errors = c2s_interpolate(&l->doc, e, &l->diags);
	c2s_env_free(e);
	c2s_diags_resolve(&l->diags);
	return l;
}
#define INTERP(s, errs) interp_doc((s), sizeof(s) - 1, (errs))

static void test_pass_rewrites_values(void **state)
{
	(void)state;
	int errors;
	struct loaded *l = INTERP("services:\n"
				  "  web:\n"
				  "    image: \"nginx:${SET}\"\n"
				  "    labels:\n"
				  "      ${SET}: $SET\n"
				  "    deploy:\n"
				  "      replicas: ${N}\n"
				  "    tty: ${SET:-x}x\n"
				  "    command: $N\n"
				  "x-a: &a $HOME\n"
				  "x-b: *a\n", &errors);
	assert_int_equal(errors, 1); /* tty: "valx" is no boolean */
	const struct c2s_node *img = path(l, "services", "web", "image", NULL);
	assert_scalar(l, img, "nginx:val");
	assert_true(c2s_node_interpolated(&l->doc, img));
	/* keys are never interpolated */
	const struct c2s_node *labels = path(l, "services", "web", "labels", NULL);
	assert_scalar(l, c2s_map_key(&l->doc, labels, 0), "${SET}");
	assert_scalar(l, c2s_map_value(&l->doc, labels, 0), "val");
	/* a cast path becomes a typed value; elsewhere the result stays a string */
	struct c2s_value v;
	const struct c2s_node *rep = path(l, "services", "web", "deploy", "replicas", NULL);
	assert_int_equal(c2s_resolve(&l->doc, rep, &v), C2S_TYPE_INT);
	assert_int_equal(v.i, 3);
	const struct c2s_node *cmd = path(l, "services", "web", "command", NULL);
	assert_int_equal(c2s_resolve(&l->doc, cmd, &v), C2S_TYPE_STRING);
	assert_scalar(l, path(l, "x-b", NULL), "/root");
	/* the error is at the scalar (the cast is about the whole value) */
	assert_int_equal(l->diags.n, 1);
	assert_string_equal(c2s_diag_rule(&l->diags.items[0])->id, "CS3003");
	assert_int_equal(c2s_diags_span(&l->diags, 0).line, 8);
	assert_int_equal(c2s_diags_span(&l->diags, 0).column, 10);
	assert_string_equal(l->diags.items[0].message, "error while interpolating services.web.tty: failed to cast "
			    "to expected type: invalid boolean: valx");
	assert_false(c2s_node_interpolated(&l->doc, path(l, "services", "web", "deploy", NULL)));
	loaded_free(l);
}

static void test_pass_error_positions(void **state)
{
	(void)state;
	int errors;
	struct loaded *l = INTERP("services:\n"
				  "  web:\n"
				  "    image: nginx:${TAG\n"
				  "    environment:\n"
				  "      - \"Ä=é $1\"\n"
				  "      - 'B=${UNSET:?need it}'\n"
				  "      - \"C=\\t$1\"\n"
				  "    ports:\n"
				  "      - target: 80\n"
				  "        published: $UNSET\n"
				  "    volumes: [\"$$ok\", 1, $3]\n", &errors);
	assert_int_equal(errors, 6);
	assert_int_equal(l->diags.n, 6);
	struct c2s_diag *d = l->diags.items;
	assert_string_equal(c2s_diag_rule(&d[0])->id, "CS3001");
	assert_int_equal(c2s_diags_span(&l->diags, 0).line, 3);
	assert_int_equal(c2s_diags_span(&l->diags, 0).column, 18);
	assert_string_equal(d[0].message, "invalid interpolation format for services.web.image: \"nginx:${TAG\"; "
			    "you may need to escape any $ with another $");
	/* columns count code points */
	assert_int_equal(c2s_diags_span(&l->diags, 1).line, 5);
	assert_int_equal(c2s_diags_span(&l->diags, 1).column, 14);
	assert_string_equal(d[1].message, "invalid interpolation format for services.web.environment.[]: "
			    "\"Ä=é $1\"; you may need to escape any $ with another $");
	assert_string_equal(c2s_diag_rule(&d[2])->id, "CS3002");
	assert_int_equal(c2s_diags_span(&l->diags, 2).column, 12);
	assert_string_equal(d[2].message, "invalid interpolation format for services.web.environment.[]: "
			    "\"required variable UNSET is missing a value: need it\"; you may need to escape "
			    "any $ with another $");
	/* an escaped scalar is not the source text: the whole scalar is pointed at */
	assert_int_equal(c2s_diags_span(&l->diags, 3).line, 7);
	assert_int_equal(c2s_diags_span(&l->diags, 3).column, 9);
	assert_string_equal(d[3].message, "invalid interpolation format for services.web.environment.[]: "
			    "\"C=\\t$1\"; you may need to escape any $ with another $");
	assert_string_equal(c2s_diag_rule(&d[4])->id, "CS3003");
	assert_string_equal(d[4].message, "error while interpolating services.web.ports.[].published: failed to "
			    "cast to expected type: strconv.Atoi: parsing \"\": invalid syntax");
	assert_int_equal(c2s_diags_span(&l->diags, 5).line, 11);
	assert_int_equal(c2s_diags_span(&l->diags, 5).column, 26);
	loaded_free(l);
}

static void test_dotenv_trap(void **state)
{
	(void)state;
	struct loaded *l = LOAD("services:\n  web:\n    image: nginx:${TAG:-latest}\n    command: $SET $ONLY\n"
				"    labels: [\"v=$TAG\"]\n");
	struct c2s_env *env = c2s_env_new(test_envp), *dot = c2s_env_new(NULL);
	c2s_env_set(dot, "TAG", 3, "1.27", 4);
	c2s_env_set(dot, "SET", 3, "other", 5);
	assert_int_equal(c2s_interp_check_dotenv(&l->doc, env, dot, &l->diags), 1);
	c2s_diags_resolve(&l->diags);
	assert_int_equal(l->diags.n, 1);
	assert_string_equal(c2s_diag_rule(&l->diags.items[0])->id, "CS3004");
	assert_int_equal(c2s_diags_span(&l->diags, 0).column, 18);
	assert_int_equal(c2s_diags_span(&l->diags, 0).end_column, 32);
	c2s_env_free(env);
	c2s_env_free(dot);
	loaded_free(l);
}

/* A mapping shared through an alias is substituted once; under the alias's path
 * docker's casts still apply (deploy: *defaults with replicas: ${N}). */
/* Equal values after interpolation are kept once in the pool; each scalar still
 * ends where it was written (one that spans lines keeps a value of its own). */
static void test_pass_shared_values(void **state)
{
	(void)state;
	int errors;
	static const char text[] = "services:\n"
				   "  a:\n"
				   "    image: x${SET}y\n"
				   "    command: [\"x${SET}y\", 'x${SET}y', x$SET, {k: x$SET }]\n"
				   "  b:\n"
				   "    image: \"x${SET}y\"  # comment\n"
				   "    hostname: \"x${SET}\n"
				   "      y\"\n";
	struct loaded *l = INTERP(text, &errors);
	assert_int_equal(errors, 0);
	const struct c2s_node *cmd = path(l, "services", "a", "command", NULL);
	const struct c2s_node *host = path(l, "services", "b", "hostname", NULL);
	const struct {
		const struct c2s_node *n;
		const char *value, *written;  /* the scalar as written, then what follows it */
		size_t len;                   /* of the scalar as written */
	} want[] = {
		{path(l, "services", "a", "image", NULL), "xvaly", "x${SET}y\n", 8},
		{c2s_seq_item(&l->doc, cmd, 0), "xvaly", "\"x${SET}y\",", 10},
		{c2s_seq_item(&l->doc, cmd, 1), "xvaly", "'x${SET}y',", 10},
		{path(l, "services", "b", "image", NULL), "xvaly", "\"x${SET}y\"  #", 10},
		{c2s_seq_item(&l->doc, cmd, 2), "xval", "x$SET,", 5},
		{c2s_map_value(&l->doc, c2s_seq_item(&l->doc, cmd, 3), 0), "xval", "x$SET }", 5},
	};
	for (size_t i = 0; i < sizeof want / sizeof *want; i++) {
		assert_scalar(l, want[i].n, want[i].value);
		/* one copy of each value in the pool */
		assert_int_equal(want[i].n->ref, want[strcmp(want[i].value, "xval") == 0 ? 4 : 0].n->ref);
		/* and each ends where it was written: after the quote, before the comment... */
		assert_memory_equal(text + want[i].n->start, want[i].written, strlen(want[i].written));
		assert_int_equal(c2s_node_end(&l->doc, want[i].n), want[i].n->start + want[i].len);
	}
	assert_scalar(l, host, "xval y");
	assert_int_equal(c2s_node_end(&l->doc, host), (uint32_t)(strstr(text, "y\"\n") - text) + 2);
	loaded_free(l);
}

static void test_pass_alias_casts(void **state)
{
	(void)state;
	int errors;
	struct loaded *l = INTERP("x-d: &d\n  replicas: ${N}\n  labels: [\"a=${SET}\"]\n"
				  "services:\n  web:\n    deploy: *d\n  api:\n    deploy:\n      <<: *d\n", &errors);
	assert_int_equal(errors, 0);
	struct c2s_value v;
	assert_int_equal(c2s_resolve(&l->doc, path(l, "services", "web", "deploy", "replicas", NULL), &v), C2S_TYPE_INT);
	assert_int_equal(v.i, 3);
	assert_int_equal(c2s_resolve(&l->doc, path(l, "services", "api", "deploy", "replicas", NULL), &v), C2S_TYPE_INT);
	const struct c2s_node *labels = path(l, "services", "web", "deploy", "labels", NULL);
	assert_scalar(l, c2s_seq_item(&l->doc, labels, 0), "a=val");
	loaded_free(l);
}

/* An interpolated value longer than C2S_MAX_SCALAR_BYTES is a limit diagnostic. */
static void test_pass_limit(void **state)
{
	(void)state;
	struct loaded *l = LOAD("services:\n  web:\n    command: \"$BIG$BIG$BIG\"\n    image: $SMALL\n");
	struct c2s_env *e = c2s_env_new(NULL);
	size_t n = C2S_MAX_SCALAR_BYTES / 2 + 1;
	char *big = test_malloc(n);
	memset(big, 'x', n);
	c2s_env_set(e, "BIG", 3, big, n);
	c2s_env_set(e, "SMALL", 5, "nginx", 5);
	test_free(big);
	c2s_interpolate(&l->doc, e, &l->diags);
	c2s_env_free(e);
	c2s_diags_resolve(&l->diags);
	assert_int_equal(l->diags.n, 1);
	assert_string_equal(c2s_diag_rule(&l->diags.items[0])->id, "CS1093");
	assert_true(l->diags.limit_hit);
	/* the rest of the file is still interpolated */
	assert_scalar(l, path(l, "services", "web", "image", NULL), "nginx");
	loaded_free(l);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_scan_forms),
		cmocka_unit_test(test_scan_invalid),
		cmocka_unit_test(test_scan_nul_and_bounds),
		cmocka_unit_test(test_substitute),
		cmocka_unit_test(test_substitute_errors),
		cmocka_unit_test(test_env_read_file),
		cmocka_unit_test(test_env_many),
		cmocka_unit_test(test_pass_rewrites_values),
		cmocka_unit_test(test_pass_error_positions),
		cmocka_unit_test(test_dotenv_trap),
		cmocka_unit_test(test_pass_limit),
		cmocka_unit_test(test_pass_alias_casts),
		cmocka_unit_test(test_pass_shared_values),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
