/* test_yaml_fast.c -- the fast scanner against libyaml, event for event, on real files and mutations. */
#define _XOPEN_SOURCE 700
#include "testutil.h"
#include "yaml_fast.h"

#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <yaml.h>

/*
 * The contract (yaml_fast.h): wherever the fast scanner finishes, libyaml
 * parses the same bytes without error and its events -- type, start, end,
 * value, style, anchor, tag -- are the same. Declining is always allowed.
 * The inputs are every YAML file under fixtures/ and tests/golden/ and
 * seeded random edits of each (a byte replaced by a YAML-significant one,
 * inserted or deleted, a line's indentation changed, lines swapped), which
 * reach the error paths and odd corners real files rarely do.
 */

struct ev {
	int type;
	uint32_t start, end;
	char *value;
	size_t len;
	char *anchor;
	char *tag;
	unsigned style;
};

struct stream {
	struct ev *e;
	size_t n, cap;
};

static char *dup_n(const char *p, size_t n)
{
	if (!p)
		return NULL;
	char *s = malloc(n + 1);
	assert_non_null(s);
	memcpy(s, p, n);
	s[n] = 0;
	return s;
}

static void stream_add(struct stream *s, const struct c2s_yev *y)
{
	if (s->n == s->cap) {
		s->cap = s->cap ? s->cap * 2 : 256;
		s->e = realloc(s->e, s->cap * sizeof *s->e);
		assert_non_null(s->e);
	}
	struct ev *e = &s->e[s->n++];
	e->type = (int)y->type;
	/* Collection ends carry no position the loader uses. */
	e->start = y->type == C2S_YEV_END || y->type == C2S_YEV_DOCUMENT ? 0 : y->start;
	e->end = y->type == C2S_YEV_SCALAR || y->type == C2S_YEV_ALIAS ? y->end : 0;
	e->value = dup_n(y->value, y->len);
	e->len = y->value ? y->len : 0;
	e->anchor = dup_n(y->anchor, y->anchor_len);
	e->tag = dup_n(y->tag, y->tag_len);
	e->style = y->style;
}

static void stream_free(struct stream *s)
{
	for (size_t i = 0; i < s->n; i++) {
		free(s->e[i].value);
		free(s->e[i].anchor);
		free(s->e[i].tag);
	}
	free(s->e);
	memset(s, 0, sizeof *s);
}

static int record(void *ctx, const struct c2s_yev *y)
{
	if (y->type == C2S_YEV_RESTART)
		stream_free(ctx);  /* read again from the start: forget */
	else
		stream_add(ctx, y);
	return 0;
}

/* libyaml's marks count characters from after the BOM; ours are bytes. */
static uint32_t byte_of(const char *data, size_t len, size_t bom, size_t chars)
{
	size_t b = bom;
	while (chars && b < len) {
		b++;
		while (b < len && ((unsigned char)data[b] & 0xc0) == 0x80)
			b++;
		chars--;
	}
	return (uint32_t)b;
}

/* libyaml's events as the loader sees them; 0 on a parse error. */
static int libyaml_events(const char *data, size_t len, size_t bom, struct stream *out)
{
	yaml_parser_t p;
	assert_true(yaml_parser_initialize(&p));
	yaml_parser_set_input_string(&p, (const unsigned char *)data, len);
	int ok = 1;
	for (;;) {
		yaml_event_t y;
		if (!yaml_parser_parse(&p, &y)) {
			ok = 0;
			break;
		}
		struct c2s_yev e = {0};
		int keep = 1;
		const yaml_char_t *anchor = NULL, *tag = NULL;
		e.start = byte_of(data, len, bom, y.start_mark.index);
		switch (y.type) {
		case YAML_SCALAR_EVENT:
			e.type = C2S_YEV_SCALAR;
			e.end = byte_of(data, len, bom, y.end_mark.index);
			e.value = (const char *)y.data.scalar.value;
			e.len = y.data.scalar.length;
			switch (y.data.scalar.style) {
			case YAML_SINGLE_QUOTED_SCALAR_STYLE: e.style = C2S_STYLE_SINGLE; break;
			case YAML_DOUBLE_QUOTED_SCALAR_STYLE: e.style = C2S_STYLE_DOUBLE; break;
			case YAML_LITERAL_SCALAR_STYLE: e.style = C2S_STYLE_LITERAL; break;
			case YAML_FOLDED_SCALAR_STYLE: e.style = C2S_STYLE_FOLDED; break;
			default: e.style = C2S_STYLE_PLAIN; break;
			}
			anchor = y.data.scalar.anchor;
			tag = y.data.scalar.tag;
			break;
		case YAML_MAPPING_START_EVENT:
			e.type = C2S_YEV_MAPPING;
			e.style = y.data.mapping_start.style == YAML_FLOW_MAPPING_STYLE ? C2S_STYLE_FLOW : C2S_STYLE_BLOCK;
			anchor = y.data.mapping_start.anchor;
			tag = y.data.mapping_start.tag;
			break;
		case YAML_SEQUENCE_START_EVENT:
			e.type = C2S_YEV_SEQUENCE;
			e.style = y.data.sequence_start.style == YAML_FLOW_SEQUENCE_STYLE ? C2S_STYLE_FLOW : C2S_STYLE_BLOCK;
			anchor = y.data.sequence_start.anchor;
			tag = y.data.sequence_start.tag;
			break;
		case YAML_MAPPING_END_EVENT:
		case YAML_SEQUENCE_END_EVENT:
			e.type = C2S_YEV_END;
			break;
		case YAML_ALIAS_EVENT:
			e.type = C2S_YEV_ALIAS;
			e.end = byte_of(data, len, bom, y.end_mark.index);
			e.value = (const char *)y.data.alias.anchor;
			e.len = strlen(e.value);
			break;
		case YAML_DOCUMENT_START_EVENT:
			e.type = C2S_YEV_DOCUMENT;
			break;
		default:
			keep = 0;
			break;
		}
		if (anchor) {
			e.anchor = (const char *)anchor;
			e.anchor_len = strlen(e.anchor);
		}
		if (tag) {
			e.tag = (const char *)tag;
			e.tag_len = strlen(e.tag);
		}
		if (keep)
			stream_add(out, &e);
		int end = y.type == YAML_STREAM_END_EVENT;
		yaml_event_delete(&y);
		if (end)
			break;
	}
	yaml_parser_delete(&p);
	return ok;
}

static int same_str(const char *a, const char *b)
{
	return (!a && !b) || (a && b && strcmp(a, b) == 0);
}

struct tally {
	size_t done, declined, compared_events;
	size_t files_done;  /* unmutated inputs the fast scanner read */
};

/* The first event where a and b differ, or -1 when they are the same. */
static long first_difference(const struct stream *a, const struct stream *b)
{
	size_t i = 0;
	for (; i < a->n && i < b->n; i++) {
		const struct ev *x = &a->e[i], *y = &b->e[i];
		if (x->type != y->type || x->start != y->start || x->end != y->end || x->len != y->len ||
		    (x->len && memcmp(x->value, y->value, x->len) != 0) || x->style != y->style ||
		    !same_str(x->anchor, y->anchor) || !same_str(x->tag, y->tag))
			return (long)i;
	}
	return a->n == b->n ? -1 : (long)i;
}

static void dump(const char *what, const char *data, size_t len, const struct stream *a, const struct stream *b)
{
	fprintf(stderr, "%s\n---- input (%zu bytes) ----\n%.*s\n---- end ----\n", what, len, (int)len, data);
	for (size_t k = 0; k < a->n || k < b->n; k++) {
		const struct ev *x = k < a->n ? &a->e[k] : NULL, *y = k < b->n ? &b->e[k] : NULL;
		fprintf(stderr, "%3zu %d %u-%u [%s] s%u a=%s | %d %u-%u [%s] s%u a=%s\n", k,
			x ? x->type : -1, x ? x->start : 0, x ? x->end : 0, x && x->value ? x->value : "",
			x ? x->style : 0, x && x->anchor ? x->anchor : "-",
			y ? y->type : -1, y ? y->start : 0, y ? y->end : 0, y && y->value ? y->value : "",
			y ? y->style : 0, y && y->anchor ? y->anchor : "-");
	}
}

/* Check one input; on a difference print it and fail. */
static void check_text(const char *name, const char *text, size_t len, struct tally *t)
{
	char *data = malloc(len + 1);
	assert_non_null(data);
	memcpy(data, text, len);
	data[len] = 0;
	size_t bom = len >= 3 && memcmp(data, "\xef\xbb\xbf", 3) == 0 ? 3 : 0;
	int ascii = 1;
	for (size_t i = bom; i < len; i++)
		if ((unsigned char)data[i] >= 0x80)
			ascii = 0;
	struct stream fast = {0}, ref = {0}, raw = {0};
	/* the reference: libyaml corrected to docker's escapes, as the loader reads */
	struct c2s_yerr err;
	int ok = c2s_yaml_libyaml(data, len, bom, ascii, record, &ref, &err) == 0;
	/* where plain libyaml reads the text too, the correction changes nothing
	 * but refusing \/ (an escape docker refuses). Not on a text with a UTF-16
	 * byte order mark (a fixture's, or a mutation's): the loader makes it UTF-8
	 * before any scanner reads it (source.c), and libyaml's marks, counted in
	 * UTF-16 characters, have no byte offsets in the raw text that byte_of and
	 * the loader's UTF-8 walk would agree on where that text is not UTF-8. */
	int utf16 = len >= 2 && (((unsigned char)data[0] == 0xfe && (unsigned char)data[1] == 0xff) ||
				 ((unsigned char)data[0] == 0xff && (unsigned char)data[1] == 0xfe));
	if (!utf16 && libyaml_events(data, len, bom, &raw) && ok && first_difference(&raw, &ref) >= 0) {
		dump("docker-corrected libyaml differs from libyaml", data, len, &raw, &ref);
		fail();
	}
	enum c2s_fast_status st = c2s_yaml_fast(data, len, bom, ascii, record, &fast);
	assert_int_not_equal(st, C2S_FAST_STOPPED);
	if (st == C2S_FAST_DECLINED) {
		t->declined++;
	} else {
		t->done++;
		long at = ok ? first_difference(&fast, &ref) : 0;
		if (at >= 0) {
			char what[128];
			snprintf(what, sizeof what, "%s: fast scanner differs from libyaml (libyaml %s, %zu vs %zu events, at %ld)",
				 name, ok ? "ok" : "FAILED", fast.n, ref.n, at);
			dump(what, data, len, &fast, &ref);
			fail();
		}
		t->compared_events += fast.n;
	}
	stream_free(&raw);
	stream_free(&fast);
	stream_free(&ref);
	free(data);
}

/* ---- mutations ---- */

static uint64_t rng_state;
static uint32_t rnd(uint32_t n)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return (uint32_t)(rng_state % n);
}

static const char alphabet[] = " \n-:#'\"[]{},&*!|>\t\r?%@`\\.a0~<";

static size_t line_start(const char *s, size_t at)
{
	while (at > 0 && s[at - 1] != '\n')
		at--;
	return at;
}

/* One random edit of src into dst (room for len + 64); returns the new length. */
static size_t mutate(const char *src, size_t len, char *dst)
{
	memcpy(dst, src, len);
	if (len == 0) {
		dst[0] = alphabet[rnd(sizeof alphabet - 1)];
		return 1;
	}
	size_t at = rnd((uint32_t)len);
	switch (rnd(6)) {
	case 0: /* replace */
		dst[at] = alphabet[rnd(sizeof alphabet - 1)];
		return len;
	case 1: /* insert */
		memmove(dst + at + 1, dst + at, len - at);
		dst[at] = alphabet[rnd(sizeof alphabet - 1)];
		return len + 1;
	case 2: /* delete */
		memmove(dst + at, dst + at + 1, len - at - 1);
		return len - 1;
	case 3: { /* indent a line */
		size_t ls = line_start(dst, at);
		memmove(dst + ls + 1, dst + ls, len - ls);
		dst[ls] = ' ';
		return len + 1;
	}
	case 4: { /* dedent a line */
		size_t ls = line_start(dst, at);
		if (dst[ls] == ' ') {
			memmove(dst + ls, dst + ls + 1, len - ls - 1);
			return len - 1;
		}
		return len;
	}
	default: { /* put a copy of one line before another */
		size_t a = line_start(dst, at), b = line_start(dst, rnd((uint32_t)len));
		size_t e = a;
		while (e < len && dst[e] != '\n')
			e++;
		size_t n = e - a + (e < len);
		if (n > 60)
			return len;
		char tmp[64];
		memcpy(tmp, src + a, n);
		memmove(dst + b + n, dst + b, len - b);
		memcpy(dst + b, tmp, n);
		return len + n;
	}
	}
}

static void check_with_mutations(const char *name, const char *text, size_t len, unsigned rounds,
				 struct tally *t)
{
	size_t before = t->done;
	check_text(name, text, len, t);
	t->files_done += t->done - before;
	if (len > (64u << 10))
		return;
	char *cur = malloc(len + 64 * 8 + 1), *next = malloc(len + 64 * 8 + 1);
	assert_true(cur && next);
	for (unsigned r = 0; r < rounds; r++) {
		/* Up to four edits stacked on the original. */
		size_t n = len;
		memcpy(cur, text, len);
		unsigned edits = 1 + rnd(4);
		for (unsigned k = 0; k < edits; k++) {
			n = mutate(cur, n, next);
			memcpy(cur, next, n);
		}
		check_text(name, cur, n, t);
	}
	free(cur);
	free(next);
}

/* ---- inputs ---- */

static struct tally *walk_tally;
static unsigned walk_rounds;
static size_t walk_files;

static int visit(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
	(void)sb;
	(void)ftw;
	size_t n = strlen(path);
	if (flag != FTW_F || !((n > 4 && strcmp(path + n - 4, ".yml") == 0) ||
			       (n > 5 && strcmp(path + n - 5, ".yaml") == 0)))
		return 0;
	FILE *f = fopen(path, "rb");
	if (!f)
		return 0;
	struct c2s_buf text;
	c2s_buf_init(&text, (size_t)1 << 30);
	int r = c2s_buf_read_stream(&text, f);
	fclose(f);
	if (r == 0) {
		check_with_mutations(path, text.data ? text.data : "", text.len, walk_rounds, walk_tally);
		walk_files++;
	}
	c2s_buf_free(&text);
	return 0;
}

static void walk(const char *dir, unsigned rounds, struct tally *t)
{
	walk_tally = t;
	walk_rounds = rounds;
	nftw(dir, visit, 16, FTW_PHYS);
}

/* ---- tests ---- */

/* Forms every Compose file uses: the scanner must take them (not decline),
 * and agree with libyaml. */
static const char *const handled[] = {
	"version: \"3.8\"\nservices:\n  web:\n    image: nginx:1.25\n",
	"a: 1\nb:\n  - x\n  - 'y'\n  - \"z\"\n",
	"a:\n- x\n- y\nb: c\n",                                  /* indentless sequence */
	"x-d: &d\n  k: v\ns:\n  <<: *d\n  k2: [a, \"b\", *d]\n",  /* anchors, merge, flow */
	"ports:\n  - target: 80\n    published: 8080\n  - \"443:443\"\n",
	"a: b # comment\n# whole line\n\nc:   d  \n",
	"k: {}\nl: []\nm: [ a , b , ]\n",
	"---\na: b\n",
	"a: \"\"\nb: ''\nc:\nd: ~\n",
	"a: &x 1\nb: *x\nc: &y\n  - 1\n",
	"env:\r\n  A: b\r\n  C: \"d\"\r\n",
	"\xef\xbb\xbfk: v\n",
	"k\xc3\xa9: v\xc3\xa9 w\n",
	"cmd: [\"CMD-SHELL\", \"curl -f http://x/ || exit 1\"]\n",
	"a: b:c\nd: http://e:80/f#g\nh: i #j\n",
	"",
	"# only a comment\n",
	"a: \"esc\\n\"\nb: 'it''s'\n\"k\\tq\": \"\\u00e9\\x41\\'\\\"\\L\"\n", /* \' as docker takes it */
	"a: [b,\n  c,   # comment\n  \"d\"\n]\n",
	"x-a:\n  &a\n  k: v\nb:\n  &c\n  - 1\n",
	"a: |\n  text\n  more\n\nb: |-\n  x\n\n   y\nc: >\n  folded\n  text\n\n  para\n   kept\nd: >+ # c\n  keep\n\n",
	"- |\n  in a list\n- &s >-\n  anchored\n",
};

/* Forms left to libyaml on purpose. */
static const char *const declined[] = {
	"a: |2\n   text\n",              /* an indentation indicator */
	"a: \"bad \\q escape\"\n",
	"a: \"\\/ libyaml takes, docker refuses\"\n",
	"a: \"folded \\\n line\"\n",
	"a: b\n  c\n",                  /* multi-line plain */
	"a: !!str 1\n",
	"a: b\n---\nc: d\n",
	"a:\tb\n",
	"a: [b\n  c]\n",                /* a multi-line plain scalar in flow */
	"? a\n: b\n",
	"a: b: c\n",                    /* an error */
	"a: *\n",
	"  a: b\nc: d\n",
	"- - a\n",
	"a: {b: c}\n",
	"a: \"x\ny\"\n",
};

static void test_handled(void **state)
{
	(void)state;
	struct tally t = {0};
	for (size_t i = 0; i < sizeof handled / sizeof *handled; i++) {
		size_t before = t.done;
		check_text(handled[i], handled[i], strlen(handled[i]), &t);
		if (t.done != before + 1)
			fprintf(stderr, "declined: %s\n", handled[i]);
		assert_int_equal(t.done, before + 1);
	}
}

static void test_declined(void **state)
{
	(void)state;
	struct tally t = {0};
	for (size_t i = 0; i < sizeof declined / sizeof *declined; i++) {
		check_text(declined[i], declined[i], strlen(declined[i]), &t);
		if (t.declined != i + 1)
			fprintf(stderr, "not declined: %s\n", declined[i]);
		assert_int_equal(t.declined, i + 1);
	}
}

/* A block scalar's value needs room for itself, not for the rest of the file:
 * one early in a file over the 1 MiB value cap is still read, and agrees. */
static void test_block_scalar_in_large_file(void **state)
{
	(void)state;
	const char head[] = "x-script: |\n  echo hi\n\n  echo there\nk:\n";
	const char item[] = "  - \"a value on a line of its own\"\n";
	size_t n = 40000, len = sizeof head - 1 + n * (sizeof item - 1);
	char *text = malloc(len + 1);
	assert_non_null(text);
	memcpy(text, head, sizeof head - 1);
	for (size_t i = 0; i < n; i++)
		memcpy(text + sizeof head - 1 + i * (sizeof item - 1), item, sizeof item - 1);
	assert_true(len > ((size_t)1 << 20));
	struct tally t = {0};
	check_text("large", text, len, &t);
	assert_int_equal(t.done, 1);
	free(text);
}

static void test_files_and_mutations(void **state)
{
	(void)state;
	struct tally t = {0};
	rng_state = 0x9e3779b97f4a7c15ull;
	walk_files = 0;
	walk(SRC_DIR "/fixtures", 150, &t);
	walk(SRC_DIR "/tests/golden", 150, &t);
	fprintf(stderr, "%zu files (%zu read by the fast scanner), with mutations %zu inputs read "
		"(%zu events equal to libyaml's), %zu declined\n",
		walk_files, t.files_done, t.done, t.compared_events, t.declined);
	assert_true(walk_files > 50);
	/* Most files take the fast path, and thousands of their mutations do,
	 * or the comparison is not testing much. */
	assert_true(t.files_done * 2 > walk_files);
	assert_true(t.done > 2000);
}

/* `test_yaml_fast [-n ROUNDS] [-s SEED] DIR-OR-FILE...`: the same check on
 * other files (the real corpus, generated benchmark inputs), by hand. */
int main(int argc, char **argv)
{
	if (argc > 1) {
		struct tally t = {0};
		unsigned rounds = 200;
		rng_state = 0x9e3779b97f4a7c15ull;
		int i = 1;
		while (i + 1 < argc && (strcmp(argv[i], "-n") == 0 || strcmp(argv[i], "-s") == 0)) {
			if (argv[i][1] == 'n')
				rounds = (unsigned)atoi(argv[i + 1]);
			else
				rng_state ^= strtoull(argv[i + 1], NULL, 10) * 0x2545f4914f6cdd1dull;
			i += 2;
		}
		for (; i < argc; i++)
			walk(argv[i], rounds, &t);
		printf("%zu files (%zu read by the fast scanner), with mutations %zu inputs read "
		       "(%zu events equal to libyaml's), %zu declined\n",
		       walk_files, t.files_done, t.done, t.compared_events, t.declined);
		return 0;
	}
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_handled),
		cmocka_unit_test(test_declined),
		cmocka_unit_test(test_block_scalar_in_large_file),
		cmocka_unit_test(test_files_and_mutations),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
