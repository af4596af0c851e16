/* test_load.c -- the YAML loader: positions, anchors, merges, duplicates, errors, limits. */
#include "config.h"
#include "testutil.h"

#include <stdlib.h>
#include <time.h>

static void assert_node_at(struct loaded *l, const struct c2s_node *n, uint32_t line, uint32_t col,
			   uint32_t end_line, uint32_t end_col)
{
	assert_non_null(n);
	assert_pos(l, n->start, line, col);
	assert_pos(l, c2s_node_end(&l->doc, n), end_line, end_col);
}

static const struct c2s_diag *only_diag(struct loaded *l, enum c2s_rule_index rule)
{
	assert_int_equal(l->diags.n, 1);
	assert_ptr_equal(c2s_diag_rule(&l->diags.items[0]), &c2s_rules[rule]);
	return &l->diags.items[0];
}

/* c2s_map_get_many finds what c2s_map_getn finds, name by name: the first scalar
 * key with those bytes (merged keys too), names sharing a slot, absent names. */
static void test_map_get_many(void **state)
{
	(void)state;
	struct loaded *l = LOAD(
		"x: &base {ab: 1, deploy: 2, image: 3}\n"
		"y:\n"
		"  <<: *base\n"
		"  ac: 4\n"
		"  'image': 5\n"
		"  [seq]: 6\n"
		"  \"d\\x65ploy\": 7\n"
		"  ports: 8\n");
	assert_int_equal(l->status, C2S_LOAD_OK);
	const struct c2s_node *y = path(l, "y", NULL);
	assert_true(c2s_is_mapping(y));
	static const struct c2s_str names[] = {{"ab", 2}, {"ac", 2}, {"ad", 2}, {"deploy", 6}, {"image", 5},
					       {"ports", 5}, {"seq", 3}, {"volumes", 7}};
	enum { N = sizeof names / sizeof *names };
	const struct c2s_node *vals[N], *keys[N];
	c2s_map_get_many(&l->doc, y, names, N, vals, keys);
	int found = 0;
	for (size_t j = 0; j < N; j++) {
		const struct c2s_node *k, *v = c2s_map_getn(&l->doc, y, names[j].p, names[j].n, &k);
		assert_ptr_equal(vals[j], v);
		assert_ptr_equal(keys[j], k);
		found += v != NULL;
	}
	assert_int_equal(found, 5);  /* ab, ac, deploy, image, ports */
	c2s_map_get_many(&l->doc, path(l, "x", "ab", NULL), names, N, vals, NULL);  /* not a mapping */
	for (size_t j = 0; j < N; j++)
		assert_null(vals[j]);
	loaded_free(l);
}

/* A collection asked for a scalar's text gives "": its count and ref mean
 * pairs and a child index, and read as a string they ran past the pool (lint
 * crashed on a service named [a, b]). */
static void test_scalar_of_collection(void **state)
{
	(void)state;
	struct loaded *l = LOAD("services:\n  [a, b]: {image: x}\n  {c: d}: {image: y}\n");
	assert_int_equal(l->status, C2S_LOAD_OK);
	const struct c2s_node *svcs = path(l, "services", NULL);
	assert_int_equal(c2s_count(svcs), 2);
	for (uint32_t i = 0; i < 2; i++) {
		const struct c2s_node *k = c2s_map_key(&l->doc, svcs, i);
		assert_false(c2s_is_scalar(k));
		struct c2s_str s = c2s_scalar(&l->doc, k);
		assert_int_equal(s.n, 0);
		assert_string_equal(s.p, "");
		assert_false(c2s_scalar_is(&l->doc, k, ""));
	}
	struct c2s_str none = c2s_scalar(&l->doc, NULL);
	assert_int_equal(none.n, 0);
	loaded_free(l);
}

static void test_positions_of_every_kind(void **state)
{
	(void)state;
	struct loaded *l = LOAD(
		"a: plain value\n"          /* 1 */
		"b: 'single ''q'''\n"       /* 2 */
		"c: \"dq\\tx\"\n"           /* 3 */
		"d: |\n"                    /* 4 */
		"  lit\n"                   /* 5 */
		"e: [x, {y: z}]\n"          /* 6 */
		"f:\n"                      /* 7 */
		"  - item\n"                /* 8 */
		"  - k: v\n"                /* 9 */
		"g:\n");                    /* 10 */
	assert_int_equal(l->status, C2S_LOAD_OK);
	assert_int_equal(l->diags.n, 0);
	const struct c2s_node *root = root_of(l);
	assert_true(c2s_is_mapping(root));
	assert_int_equal(c2s_count(root), 7);
	assert_int_equal(c2s_style(root), C2S_STYLE_BLOCK);

	const struct c2s_node *k, *v = c2s_map_get(&l->doc, root, "a", &k);
	assert_node_at(l, k, 1, 1, 1, 2);
	assert_node_at(l, v, 1, 4, 1, 15);
	assert_scalar(l, v, "plain value");
	assert_true(c2s_flags(v) & C2S_NODE_VERBATIM);

	v = path(l, "b", NULL);
	assert_scalar(l, v, "single 'q'");
	assert_int_equal(c2s_style(v), C2S_STYLE_SINGLE);
	assert_false(c2s_flags(v) & C2S_NODE_VERBATIM);
	assert_node_at(l, v, 2, 4, 2, 18);

	v = path(l, "c", NULL);
	assert_scalar(l, v, "dq\tx");
	assert_int_equal(c2s_style(v), C2S_STYLE_DOUBLE);
	assert_node_at(l, v, 3, 4, 3, 11);

	v = path(l, "d", NULL);
	assert_scalar(l, v, "lit\n");
	assert_int_equal(c2s_style(v), C2S_STYLE_LITERAL);
	assert_pos(l, v->start, 4, 4);

	v = path(l, "e", NULL);
	assert_true(c2s_is_sequence(v));
	assert_int_equal(c2s_style(v), C2S_STYLE_FLOW);
	assert_node_at(l, v, 6, 4, 6, 15);
	assert_int_equal(c2s_count(v), 2);
	assert_node_at(l, c2s_seq_item(&l->doc, v, 0), 6, 5, 6, 6);
	const struct c2s_node *fm = c2s_seq_item(&l->doc, v, 1);
	assert_true(c2s_is_mapping(fm));
	assert_int_equal(c2s_style(fm), C2S_STYLE_FLOW);
	assert_node_at(l, fm, 6, 8, 6, 14);
	assert_scalar(l, c2s_map_get(&l->doc, fm, "y", NULL), "z");

	v = path(l, "f", NULL);
	assert_true(c2s_is_sequence(v));
	assert_int_equal(c2s_style(v), C2S_STYLE_BLOCK);
	assert_pos(l, v->start, 8, 3);
	assert_node_at(l, c2s_seq_item(&l->doc, v, 0), 8, 5, 8, 9);
	const struct c2s_node *bm = c2s_seq_item(&l->doc, v, 1);
	assert_true(c2s_is_mapping(bm));
	assert_node_at(l, bm, 9, 5, 9, 9);

	v = path(l, "g", NULL);
	assert_scalar(l, v, "");
	struct c2s_value val;
	assert_int_equal(c2s_resolve(&l->doc, v, &val), C2S_TYPE_NULL);
	loaded_free(l);
}

static void test_crlf_bom_utf8_positions(void **state)
{
	(void)state;
	struct loaded *l = LOAD("\xef\xbb\xbf" "name: \xc3\xa9t\xc3\xa9 \xf0\x9f\x90\xb3\r\n"
				"k:\r\n"
				"\t- v\r\n"
				"  x: \"\xc3\xbc\"\r\n");
	/* A tab cannot indent YAML: libyaml refuses it, at the tab. */
	assert_int_equal(l->status, C2S_LOAD_INVALID);
	const struct c2s_diag *d = only_diag(l, C2S_R_CS1001);
	assert_int_equal(c2s_diags_span(&l->diags, (size_t)(d - l->diags.items)).line, 3);
	assert_int_equal(c2s_diags_span(&l->diags, (size_t)(d - l->diags.items)).column, 1);
	loaded_free(l);

	l = LOAD("\xef\xbb\xbf" "name: \xc3\xa9t\xc3\xa9 \xf0\x9f\x90\xb3\r\n"
		 "k:\r\n"
		 "  - v\r\n"
		 "  - x: \"\xc3\xbc\" # \xc3\xa9\r\n");
	assert_int_equal(l->status, C2S_LOAD_OK);
	const struct c2s_node *k, *v = c2s_map_get(&l->doc, root_of(l), "name", &k);
	assert_node_at(l, k, 1, 1, 1, 5);
	assert_node_at(l, v, 1, 7, 1, 12);
	assert_scalar(l, v, "\xc3\xa9t\xc3\xa9 \xf0\x9f\x90\xb3");
	v = path(l, "k", NULL);
	assert_node_at(l, c2s_seq_item(&l->doc, v, 0), 3, 5, 3, 6);
	const struct c2s_node *m = c2s_seq_item(&l->doc, v, 1);
	v = c2s_map_get(&l->doc, m, "x", &k);
	assert_node_at(l, k, 4, 5, 4, 6);
	assert_node_at(l, v, 4, 8, 4, 11);
	assert_scalar(l, v, "\xc3\xbc");
	loaded_free(l);
}

static void test_anchor_alias_tag(void **state)
{
	(void)state;
	struct loaded *l = LOAD("x-a: &base {image: nginx, tty: true}\n"
				"s: &s !!str 123\n"
				"u: *base\n"
				"w: *s\n");
	assert_int_equal(l->status, C2S_LOAD_OK);
	const struct c2s_node *base = path(l, "x-a", NULL), *u = path(l, "u", NULL);
	assert_string_equal(c2s_node_anchor(&l->doc, base), "base");
	assert_true(c2s_is_mapping(u));
	assert_true(c2s_flags(u) & C2S_NODE_ALIAS);
	/* an alias shares the anchored node's children and reports its position */
	assert_int_equal(u->ref, base->ref);
	assert_int_equal(u->start, base->start);
	assert_scalar(l, c2s_map_get(&l->doc, u, "image", NULL), "nginx");
	const struct c2s_node *s = path(l, "s", NULL), *w = path(l, "w", NULL);
	assert_string_equal(c2s_node_tag(&l->doc, s), "tag:yaml.org,2002:str");
	assert_string_equal(c2s_node_anchor(&l->doc, w), "s");
	struct c2s_value val;
	assert_int_equal(c2s_resolve(&l->doc, s, &val), C2S_TYPE_STRING);
	assert_int_equal(c2s_resolve(&l->doc, w, &val), C2S_TYPE_STRING);
	loaded_free(l);
}

static void test_merge_keys(void **state)
{
	(void)state;
	struct loaded *l = LOAD("x-a: &a {image: a, user: ua, tty: true}\n"
				"x-b: &b {image: b, user: ub, init: true}\n"
				"one:\n"
				"  <<: *a\n"
				"  user: mine\n"
				"list:\n"
				"  <<: [*a, *b]\n"
				"rev:\n"
				"  <<: [*b, *a]\n"
				"inline:\n"
				"  <<: {image: c}\n"
				"  tty: false\n");
	assert_int_equal(l->status, C2S_LOAD_OK);
	assert_int_equal(l->diags.n, 0);
	const struct c2s_node *one = path(l, "one", NULL);
	assert_int_equal(c2s_count(one), 3);
	assert_null(c2s_map_get(&l->doc, one, "<<", NULL));
	assert_scalar(l, c2s_map_get(&l->doc, one, "user", NULL), "mine");  /* explicit wins */
	const struct c2s_node *k, *img = c2s_map_get(&l->doc, one, "image", &k);
	assert_scalar(l, img, "a");
	assert_true(c2s_flags(k) & C2S_NODE_ALIAS);
	assert_pos(l, img->start, 1, 17);  /* where the value was written */

	const struct c2s_node *list = path(l, "list", NULL);
	assert_int_equal(c2s_count(list), 4);
	assert_scalar(l, c2s_map_get(&l->doc, list, "image", NULL), "a");   /* earlier alias wins */
	assert_scalar(l, c2s_map_get(&l->doc, list, "init", NULL), "true");
	assert_scalar(l, path(l, "rev", "image", NULL), "b");
	assert_scalar(l, path(l, "inline", "image", NULL), "c");
	assert_scalar(l, path(l, "inline", "tty", NULL), "false");
	loaded_free(l);
}

static void test_merge_large(void **state)
{
	(void)state;
	/* more than 16 keys takes the hashed path */
	char text[4096] = "x: &x {";
	for (int i = 0; i < 40; i++)
		sprintf(text + strlen(text), "%sk%d: base%d", i ? ", " : "", i, i);
	strcat(text, "}\ny:\n  <<: *x\n");
	for (int i = 0; i < 40; i += 2)
		sprintf(text + strlen(text), "  k%d: own%d\n", i, i);
	struct loaded *l = load_text(text, strlen(text));
	assert_int_equal(l->status, C2S_LOAD_OK);
	assert_int_equal(l->diags.n, 0);
	const struct c2s_node *y = path(l, "y", NULL);
	assert_int_equal(c2s_count(y), 40);
	assert_scalar(l, c2s_map_get(&l->doc, y, "k0", NULL), "own0");
	assert_scalar(l, c2s_map_get(&l->doc, y, "k1", NULL), "base1");
	assert_scalar(l, c2s_map_get(&l->doc, y, "k38", NULL), "own38");
	assert_scalar(l, c2s_map_get(&l->doc, y, "k39", NULL), "base39");
	loaded_free(l);
}

static void test_duplicate_keys(void **state)
{
	(void)state;
	struct loaded *l = LOAD("services:\n"
				"  web:\n"
				"    image: a\n"
				"    image: b\n"
				"    <<: {tty: true}\n"
				"    <<: {init: true}\n");
	assert_int_equal(l->status, C2S_LOAD_OK);
	assert_int_equal(l->diags.n, 2);
	const struct c2s_diag *d = &l->diags.items[0];
	assert_ptr_equal(c2s_diag_rule(d), &c2s_rules[C2S_R_CS1004]);
	assert_string_equal(d->message, "mapping key \"image\" already defined at line 3");
	assert_int_equal(c2s_diags_span(&l->diags, (size_t)(d - l->diags.items)).line, 4);
	assert_int_equal(c2s_diags_span(&l->diags, (size_t)(d - l->diags.items)).column, 5);
	assert_int_equal(c2s_diags_span(&l->diags, (size_t)(d - l->diags.items)).end_column, 10);
	assert_int_equal(d->nrelated, 1);
	assert_int_equal(c2s_diag_related_list(&l->diags, d)[0].span.line, 3);
	assert_int_equal(c2s_diag_related_list(&l->diags, d)[0].span.column, 5);
	d = &l->diags.items[1];
	assert_string_equal(d->message, "mapping key \"<<\" already defined at line 5");
	assert_int_equal(c2s_diags_span(&l->diags, (size_t)(d - l->diags.items)).line, 6);
	loaded_free(l);

	/* the hashed path for large mappings finds the same */
	char text[8192] = "";
	for (int i = 0; i < 100; i++)
		sprintf(text + strlen(text), "k%d: v\n", i);
	strcat(text, "k7: again\n");
	l = load_text(text, strlen(text));
	d = only_diag(l, C2S_R_CS1004);
	assert_string_equal(d->message, "mapping key \"k7\" already defined at line 8");
	assert_int_equal(c2s_diags_span(&l->diags, (size_t)(d - l->diags.items)).line, 101);
	loaded_free(l);
}

static void test_anchor_errors(void **state)
{
	(void)state;
	struct loaded *l = LOAD("a: *nope\n");
	assert_int_equal(l->status, C2S_LOAD_INVALID);
	const struct c2s_diag *d = only_diag(l, C2S_R_CS1005);
	assert_string_equal(d->message, "unknown anchor 'nope' referenced");
	assert_int_equal(c2s_diags_span(&l->diags, (size_t)(d - l->diags.items)).column, 4);
	loaded_free(l);

	l = LOAD("x-a: &a\n  x: *a\n");
	assert_int_equal(l->status, C2S_LOAD_INVALID);
	d = only_diag(l, C2S_R_CS1005);
	assert_string_equal(d->message, "anchor 'a' value contains itself");
	assert_int_equal(c2s_diags_span(&l->diags, (size_t)(d - l->diags.items)).line, 2);
	loaded_free(l);
}

static void test_bad_merge(void **state)
{
	(void)state;
	struct loaded *l = LOAD("x: &x nginx\ny:\n  <<: *x\n  a: 1\n");
	const struct c2s_diag *d = only_diag(l, C2S_R_CS1006);
	/* at the << key, with a note where the aliased value was written */
	assert_int_equal(c2s_diags_span(&l->diags, (size_t)(d - l->diags.items)).line, 3);
	assert_int_equal(c2s_diags_span(&l->diags, (size_t)(d - l->diags.items)).column, 3);
	assert_int_equal(d->nrelated, 1);
	assert_int_equal(c2s_diag_related_list(&l->diags, d)[0].span.line, 1);
	assert_int_equal(c2s_diag_related_list(&l->diags, d)[0].span.column, 4);
	loaded_free(l);
	l = LOAD("y:\n  <<: [{a: 1}, 2]\n");
	d = only_diag(l, C2S_R_CS1006);
	assert_int_equal(c2s_diags_span(&l->diags, (size_t)(d - l->diags.items)).line, 2);
	assert_int_equal(c2s_diags_span(&l->diags, (size_t)(d - l->diags.items)).column, 3);
	assert_int_equal(d->nrelated, 0);
	loaded_free(l);
}

static void test_documents(void **state)
{
	(void)state;
	struct loaded *l = LOAD("a: 1\n---\nb: 2\n");
	assert_int_equal(l->status, C2S_LOAD_OK);
	const struct c2s_diag *d = only_diag(l, C2S_R_CS1007);
	assert_int_equal(d->severity, C2S_SEVERITY_WARNING);
	assert_int_equal(c2s_diags_span(&l->diags, (size_t)(d - l->diags.items)).line, 2);
	assert_int_equal(c2s_diags_span(&l->diags, (size_t)(d - l->diags.items)).column, 1);
	assert_non_null(path(l, "a", NULL));
	assert_null(path(l, "b", NULL));
	loaded_free(l);

	l = LOAD("");
	assert_int_equal(l->status, C2S_LOAD_OK);
	assert_int_equal(l->doc.root, 0);
	loaded_free(l);
	l = LOAD("# only a comment\n");
	assert_int_equal(l->doc.root, 0);
	loaded_free(l);
	l = LOAD("---\n");
	assert_true(c2s_is_scalar(root_of(l)));
	loaded_free(l);
	l = LOAD("- a\n");
	assert_true(c2s_is_sequence(root_of(l)));
	loaded_free(l);
}

static void test_syntax_errors(void **state)
{
	(void)state;
	struct loaded *l = LOAD("a: 1\nb: [\n");
	assert_int_equal(l->status, C2S_LOAD_INVALID);
	const struct c2s_diag *d = only_diag(l, C2S_R_CS1001);
	assert_int_equal(c2s_diags_span(&l->diags, (size_t)(d - l->diags.items)).line, 3);
	assert_int_equal(c2s_diags_span(&l->diags, (size_t)(d - l->diags.items)).column, 1);
	assert_string_equal(d->message, "did not find expected node content while parsing a flow node");
	assert_int_equal(d->nrelated, 0);
	loaded_free(l);

	l = LOAD("a:\n  b: 1\n c: 2\n");
	d = only_diag(l, C2S_R_CS1001);
	assert_string_equal(d->message, "did not find expected key while parsing a block mapping "
			    "(started at line 1, column 1)");
	assert_int_equal(c2s_diags_span(&l->diags, (size_t)(d - l->diags.items)).line, 3);
	assert_int_equal(c2s_diags_span(&l->diags, (size_t)(d - l->diags.items)).column, 2);
	assert_int_equal(d->nrelated, 1);
	assert_int_equal(c2s_diag_related_list(&l->diags, d)[0].span.line, 1);
	loaded_free(l);

	l = LOAD("services:\n  web:\n    image: \"a\n");
	d = only_diag(l, C2S_R_CS1001);
	assert_non_null(strstr(d->message, "found unexpected end of stream"));
	assert_int_equal(c2s_diag_related_list(&l->diags, d)[0].span.line, 3);
	assert_int_equal(c2s_diag_related_list(&l->diags, d)[0].span.column, 12);
	loaded_free(l);

	/* invalid UTF-8: the reader reports a byte offset */
	l = LOAD("a: ok\nb: \xff\n");
	d = only_diag(l, C2S_R_CS1001);
	assert_int_equal(c2s_diags_span(&l->diags, (size_t)(d - l->diags.items)).line, 2);
	assert_int_equal(c2s_diags_span(&l->diags, (size_t)(d - l->diags.items)).column, 4);
	loaded_free(l);

	l = LOAD("a: b: c\n");
	d = only_diag(l, C2S_R_CS1001);
	assert_int_equal(c2s_diags_span(&l->diags, (size_t)(d - l->diags.items)).line, 1);
	assert_int_equal(c2s_diags_span(&l->diags, (size_t)(d - l->diags.items)).column, 5);
	loaded_free(l);
}

/* ---- limits ---- */

static void test_limit_depth(void **state)
{
	(void)state;
	size_t n = C2S_MAX_DEPTH;
	char *text = malloc(2 * n + 8);
	memset(text, '[', n);
	memset(text + n, ']', n);
	struct loaded *l = load_text(text, 2 * n);
	assert_int_equal(l->status, C2S_LOAD_OK);
	loaded_free(l);
	memset(text, '[', n + 1);
	memset(text + n + 1, ']', n + 1);
	l = load_text(text, 2 * n + 2);
	assert_int_equal(l->status, C2S_LOAD_LIMIT);
	const struct c2s_diag *d = only_diag(l, C2S_R_CS1091);
	assert_int_equal(c2s_diags_span(&l->diags, (size_t)(d - l->diags.items)).column, C2S_MAX_DEPTH + 1);
	assert_true(l->diags.limit_hit);
	loaded_free(l);
	free(text);
}

static void test_limit_billion_laughs(void **state)
{
	(void)state;
	char text[4096] = "a: &a [x, x, x, x, x, x, x, x, x, x]\n";
	for (char c = 'b'; c <= 'j'; c++)
		sprintf(text + strlen(text), "%c: &%c [*%c, *%c, *%c, *%c, *%c, *%c, *%c, *%c, *%c, *%c]\n",
			c, c, c - 1, c - 1, c - 1, c - 1, c - 1, c - 1, c - 1, c - 1, c - 1, c - 1);
	clock_t t0 = clock();
	struct loaded *l = load_text(text, strlen(text));
	double secs = (double)(clock() - t0) / CLOCKS_PER_SEC;
	assert_int_equal(l->status, C2S_LOAD_LIMIT);
	const struct c2s_diag *d = only_diag(l, C2S_R_CS1092);
	assert_int_equal(c2s_diags_span(&l->diags, (size_t)(d - l->diags.items)).line, 6);  /* 'f' expands to 1.1 million nodes: past the floor */
	assert_true(secs < 0.5);
	/* memory stays flat: nodes written, not expanded */
	assert_true(l->doc.nnodes < 200);
	loaded_free(l);
}

static void test_limit_scalar(void **state)
{
	(void)state;
	size_t n = C2S_MAX_SCALAR_BYTES;
	char *text = malloc(n + 16);
	memcpy(text, "a: ", 3);
	memset(text + 3, 'x', n);
	struct loaded *l = load_text(text, n + 3);
	assert_int_equal(l->status, C2S_LOAD_OK);
	assert_int_equal(c2s_count(path(l, "a", NULL)), n);
	loaded_free(l);
	memset(text + 3, 'x', n + 1);
	l = load_text(text, n + 4);
	assert_int_equal(l->status, C2S_LOAD_LIMIT);
	const struct c2s_diag *d = only_diag(l, C2S_R_CS1093);
	assert_int_equal(c2s_diags_span(&l->diags, (size_t)(d - l->diags.items)).line, 1);
	assert_int_equal(c2s_diags_span(&l->diags, (size_t)(d - l->diags.items)).column, 4);
	loaded_free(l);
	free(text);
}

/* The same limit where libyaml reads (a flow mapping, a multi-line plain
 * scalar): it is stopped while it reads the token, not after holding it all;
 * what may lie between two tokens (a long comment, an anchor) is no token. */
static void test_limit_scalar_libyaml(void **state)
{
	(void)state;
	size_t n = C2S_MAX_SCALAR_BYTES;
	char *text = malloc(3 * n + 64);
	/* a double-quoted scalar of exactly the limit */
	size_t k = (size_t)sprintf(text, "a: {b: \"");
	memset(text + k, 'x', n);
	k += n;
	k += (size_t)sprintf(text + k, "\"}\n");
	struct loaded *l = load_text(text, k);
	assert_int_equal(l->status, C2S_LOAD_OK);
	assert_int_equal(c2s_count(path(l, "a", "b", NULL)), n);
	loaded_free(l);
	/* an anchor and a tag before one (its source, from the anchor, within the limit) */
	k = (size_t)sprintf(text, "a: {b: &x !!str \"");
	memset(text + k, 'x', n - 16);
	k += n - 16;
	k += (size_t)sprintf(text + k, "\"}\n");
	l = load_text(text, k);
	assert_int_equal(l->status, C2S_LOAD_OK);
	assert_int_equal(c2s_count(path(l, "a", "b", NULL)), n - 16);
	loaded_free(l);
	/* far more, never closed: refused at its quote as soon as libyaml has read
	 * past the limit (read to its end, the text is a syntax error instead) */
	k = (size_t)sprintf(text, "a: {b: \"");
	memset(text + k, 'x', 3 * n);
	k += 3 * n;
	l = load_text(text, k);
	assert_int_equal(l->status, C2S_LOAD_LIMIT);
	const struct c2s_diag *d = only_diag(l, C2S_R_CS1093);
	assert_int_equal(c2s_diags_span(&l->diags, (size_t)(d - l->diags.items)).line, 1);
	assert_int_equal(c2s_diags_span(&l->diags, (size_t)(d - l->diags.items)).column, 8);
	loaded_free(l);
	/* a multi-line plain scalar (the fast reader leaves it to libyaml) */
	k = (size_t)sprintf(text, "a: x\n");
	for (size_t i = 0; i < 2 * n / 64; i++) {
		memcpy(text + k, "  ", 2);
		memset(text + k + 2, 'y', 61);
		text[k + 63] = '\n';
		k += 64;
	}
	l = load_text(text, k);
	assert_int_equal(l->status, C2S_LOAD_LIMIT);
	d = only_diag(l, C2S_R_CS1093);
	assert_int_equal(c2s_diags_span(&l->diags, (size_t)(d - l->diags.items)).line, 1);
	assert_int_equal(c2s_diags_span(&l->diags, (size_t)(d - l->diags.items)).column, 4);
	loaded_free(l);
	/* a comment three times the limit between two entries is no token */
	k = (size_t)sprintf(text, "a: {b: c, # ");
	memset(text + k, 'y', 3 * n);
	k += 3 * n;
	k += (size_t)sprintf(text + k, "\n  d: e}\n");
	l = load_text(text, k);
	assert_int_equal(l->status, C2S_LOAD_OK);
	assert_non_null(path(l, "a", "d", NULL));
	loaded_free(l);
	free(text);
}

static void test_limit_entries(void **state)
{
	(void)state;
	size_t n = C2S_MAX_CHILDREN;
	char *text = malloc(2 * (n + 1) + 8);
	size_t k = 0;
	text[k++] = '[';
	for (size_t i = 0; i < n; i++) {
		text[k++] = '0';
		text[k++] = ',';
	}
	text[k - 1] = ']';
	struct loaded *l = load_text(text, k);
	assert_int_equal(l->status, C2S_LOAD_OK);
	assert_int_equal(c2s_count(root_of(l)), n);
	loaded_free(l);
	text[k - 1] = ',';
	text[k++] = '0';
	text[k++] = ']';
	l = load_text(text, k);
	assert_int_equal(l->status, C2S_LOAD_LIMIT);
	only_diag(l, C2S_R_CS1095);
	loaded_free(l);
	free(text);
}

/* A \' that libyaml stops on makes the file be read again (yaml_libyaml.c):
 * the readings together are bounded by C2S_MAX_REREAD_BYTES. Each flow
 * scalar holding \' costs one more reading of the whole text, padded here by a
 * comment to 1 MiB: 15 readings fit, 17 do not. A nested flow sequence is
 * what the fast scanner declines, so libyaml reads it. */
static char *reread_text(size_t scalars, size_t *len)
{
	size_t pad = (size_t)1 << 20;
	char *text = malloc(pad + scalars * 8 + 16);
	size_t k = 0;
	text[k++] = '#';
	memset(text + k, 'x', pad - 2);
	k += pad - 2;
	text[k++] = '\n';
	k += (size_t)sprintf(text + k, "[[");
	for (size_t i = 0; i < scalars; i++)
		k += (size_t)sprintf(text + k, "%s\"a\\'\"", i ? ", " : "");
	k += (size_t)sprintf(text + k, "]]");
	text[k++] = '\n';
	*len = k;
	return text;
}

static void test_limit_reread(void **state)
{
	(void)state;
	assert_true(C2S_MAX_REREAD_BYTES / (((size_t)1 << 20) + 128) == 15);
	size_t len;
	char *text = reread_text(15, &len);
	struct loaded *l = load_text(text, len);
	assert_int_equal(l->status, C2S_LOAD_OK);
	assert_int_equal(l->diags.n, 0);
	const struct c2s_node *inner = c2s_seq_item(&l->doc, root_of(l), 0);
	assert_int_equal(c2s_count(inner), 15);
	struct c2s_str last = c2s_scalar(&l->doc, c2s_seq_item(&l->doc, inner, 14));
	assert_int_equal(last.n, 2);
	assert_memory_equal(last.p, "a'", 2);
	loaded_free(l);
	free(text);
	text = reread_text(17, &len);
	l = load_text(text, len);
	assert_int_equal(l->status, C2S_LOAD_LIMIT);
	const struct c2s_diag *d = only_diag(l, C2S_R_CS1094);
	assert_int_equal(c2s_diags_span(&l->diags, (size_t)(d - l->diags.items)).line, 2);
	assert_true(l->diags.limit_hit);
	loaded_free(l);
	free(text);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_positions_of_every_kind),
		cmocka_unit_test(test_map_get_many),
		cmocka_unit_test(test_scalar_of_collection),
		cmocka_unit_test(test_crlf_bom_utf8_positions),
		cmocka_unit_test(test_anchor_alias_tag),
		cmocka_unit_test(test_merge_keys),
		cmocka_unit_test(test_merge_large),
		cmocka_unit_test(test_duplicate_keys),
		cmocka_unit_test(test_anchor_errors),
		cmocka_unit_test(test_bad_merge),
		cmocka_unit_test(test_documents),
		cmocka_unit_test(test_syntax_errors),
		cmocka_unit_test(test_limit_depth),
		cmocka_unit_test(test_limit_billion_laughs),
		cmocka_unit_test(test_limit_scalar),
		cmocka_unit_test(test_limit_scalar_libyaml),
		cmocka_unit_test(test_limit_entries),
		cmocka_unit_test(test_limit_reread),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
