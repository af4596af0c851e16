/* test_edit.c -- the comment-keeping editor (edit.c) lint --fix and migrate share: the spans of
 * entries, items and blocks, edits put in order and applied, and deletions shown as a diff. */
#include "config.h"
#include "testutil.h"
#include "edit.h"

#include <stdlib.h>

/* The text of [a, b) of l's source, NUL-terminated in a static buffer. */
static const char *span(const struct loaded *l, uint32_t a, uint32_t b)
{
	static char buf[1024];
	assert_true(a <= b && b <= l->src.len && b - a < sizeof buf);
	memcpy(buf, l->src.data + a, b - a);
	buf[b - a] = '\0';
	return buf;
}

/* The key node named name in mapping map. */
static const struct c2s_node *key_of(struct loaded *l, const struct c2s_node *map, const char *name)
{
	const struct c2s_node *k = NULL;
	assert_non_null(c2s_map_get(&l->doc, map, name, &k));
	return k;
}

static const char entries[] =
	"services:\n"
	"  web:\n"
	"    image: x\n"
	"    container_name: web   # why\n"
	"    links:\n"
	"      - db\n"
	"\n"
	"      # - cache\n"
	"    # about deploy\n"
	"    deploy:\n"
	"      replicas: 2\n"
	"    command: |+\n"
	"      run\n"
	"\n"
	"    ports:\n"
	"    - target: 80\n"
	"      published: 8080\n"
	"    - 9000:9000\n"
	"    labels: {\n"
	"      a: 1, b: 2\n"
	"      }\n";

static void test_entry_lines(void **state)
{
	(void)state;
	struct loaded *l = LOAD(entries);
	assert_int_equal(l->status, C2S_LOAD_OK);
	const struct c2s_doc *d = &l->doc;
	const struct c2s_node *web = path(l, "services", "web", NULL);
	uint32_t a, b;
	/* the comment on the value's line goes with it */
	const struct c2s_node *k = key_of(l, web, "container_name");
	assert_int_equal(c2s_ed_entry_lines(d, k, c2s_map_get(d, web, "container_name", NULL), &a, &b), 0);
	assert_string_equal(span(l, a, b), "    container_name: web   # why\n");
	/* a comment indented under the value goes with it (and the blank line before it);
	 * one at the key's column belongs to the key after it */
	k = key_of(l, web, "links");
	assert_int_equal(c2s_ed_entry_lines(d, k, c2s_map_get(d, web, "links", NULL), &a, &b), 0);
	assert_string_equal(span(l, a, b), "    links:\n      - db\n\n      # - cache\n");
	k = key_of(l, web, "deploy");
	assert_int_equal(c2s_ed_entry_lines(d, k, c2s_map_get(d, web, "deploy", NULL), &a, &b), 0);
	assert_string_equal(span(l, a, b), "    deploy:\n      replicas: 2\n");
	/* a |+ scalar keeps its trailing blank line: the entry ends after it */
	k = key_of(l, web, "command");
	assert_int_equal(c2s_ed_entry_lines(d, k, c2s_map_get(d, web, "command", NULL), &a, &b), 0);
	assert_string_equal(span(l, a, b), "    command: |+\n      run\n\n");
	assert_int_equal(c2s_ed_entry_lines(d, k, NULL, &a, &b), 0);
	assert_string_equal(span(l, a, b), "    command: |+\n      run\n");
	/* a "- " item at the key's column is part of its block */
	k = key_of(l, web, "ports");
	assert_int_equal(c2s_ed_entry_lines(d, k, c2s_map_get(d, web, "ports", NULL), &a, &b), 0);
	assert_string_equal(span(l, a, b), "    ports:\n    - target: 80\n      published: 8080\n    - 9000:9000\n");
	/* not on lines of its own: after "- ", and inside a flow mapping with more on the line */
	const struct c2s_node *item = c2s_seq_item(d, c2s_map_get(d, web, "ports", NULL), 0);
	k = key_of(l, item, "target");
	assert_int_equal(c2s_ed_entry_lines(d, k, c2s_map_get(d, item, "target", NULL), &a, &b), -1);
	const struct c2s_node *labels = c2s_map_get(d, web, "labels", NULL);
	k = key_of(l, labels, "a");
	assert_int_equal(c2s_ed_entry_lines(d, k, c2s_map_get(d, labels, "a", NULL), &a, &b), -1);
	/* the item's dash and its block, which ends where the next item of its sequence
	 * starts at the same column; a flow item has none */
	uint32_t dash = c2s_ed_item_dash(d->src, item);
	assert_int_not_equal(dash, UINT32_MAX);
	assert_string_equal(span(l, c2s_ed_line_start(d->src, dash), c2s_ed_block_end(d->src, dash)),
			    "    - target: 80\n      published: 8080\n");
	assert_int_equal(c2s_ed_col(d->src, dash), 4);
	assert_int_equal(c2s_ed_item_dash(d->src, c2s_map_get(d, labels, "a", NULL)), UINT32_MAX);
	/* a value replaced in place leaves a block scalar's last line break */
	const struct c2s_node *cmd = c2s_map_get(d, web, "command", NULL);
	assert_string_equal(span(l, cmd->start, c2s_ed_value_end(d, cmd)), "|+\n      run\n");
	const struct c2s_node *img = c2s_map_get(d, web, "image", NULL);
	assert_string_equal(span(l, img->start, c2s_ed_value_end(d, img)), "x");
	/* where keys added to web go, and at which column */
	assert_int_equal(c2s_ed_map_col(d, web), 4);
	assert_int_equal(c2s_ed_map_end(d, web), l->src.len);
	assert_int_equal(c2s_ed_map_col(d, labels), -1);
	assert_int_equal(c2s_ed_indent_step(d), 2);
	loaded_free(l);
}

static void test_indent_step(void **state)
{
	(void)state;
	struct loaded *l = LOAD("version: '3.8'\nservices:\n    web:\n        image: x\n# end\n");
	assert_int_equal(c2s_ed_indent_step(&l->doc), 4);
	const struct c2s_node *svcs = path(l, "services", NULL);
	assert_int_equal(c2s_ed_map_col(&l->doc, svcs), 4);
	/* the comment at column 0 after the last service is not the services' block */
	assert_string_equal(span(l, 0, c2s_ed_map_end(&l->doc, svcs)), "version: '3.8'\nservices:\n    web:\n        image: x\n");
	assert_int_equal(c2s_ed_first_on_line(l->doc.src, key_of(l, svcs, "web")->start), 1);
	assert_int_equal(c2s_ed_next_line(l->doc.src, 0), 15);
	assert_int_equal(c2s_ed_next_line(l->doc.src, (uint32_t)l->src.len), l->src.len);
	loaded_free(l);
}

static struct c2s_edit *add(struct c2s_edits *e, uint32_t start, uint32_t end, const char *text)
{
	struct c2s_edit *x = c2s_edits_add(e, start, end);
	assert_non_null(x);
	x->text = text;
	x->len = text ? strlen(text) : 0;
	return x;
}

static void test_prepare_and_apply(void **state)
{
	(void)state;
	static const char text[] = "a\nb\nc\nd\ne\n";
	struct c2s_edits e;
	struct c2s_buf out;
	uint32_t where = 0;
	c2s_buf_init(&out, 1 << 16);
	c2s_edits_init(&e);
	add(&e, 8, 10, NULL);      /* e */
	add(&e, 2, 4, "B\n");      /* b replaced */
	add(&e, 2, 4, "B\n");      /* the same change reached twice: once */
	add(&e, 2, 2, "a2\n");     /* an insertion goes before what starts at its place */
	add(&e, 4, 6, NULL);       /* c, and c..d: deletions that overlap become one */
	add(&e, 4, 8, NULL);
	add(&e, 0, 0, NULL);       /* an empty insertion is nothing */
	add(&e, 0, 2, "A\n")->withdrawn = 1; /* written as part of a larger edit */
	assert_int_equal(c2s_edits_prepare(&e, sizeof text - 1, &where), 0);
	assert_int_equal(e.n, 4);
	assert_int_equal(c2s_edits_apply(&e, text, sizeof text - 1, &out), 0);
	assert_string_equal(out.data, "a\na2\nB\n");
	c2s_edits_free(&e);

	/* a replacement that overlaps another edit is the caller's bug: where it is */
	c2s_edits_init(&e);
	add(&e, 2, 6, NULL);
	add(&e, 4, 6, "C\n");
	assert_int_equal(c2s_edits_prepare(&e, sizeof text - 1, &where), -1);
	assert_int_equal(where, 4);
	c2s_edits_free(&e);
	c2s_edits_init(&e);
	add(&e, 2, 4, "X\n");
	add(&e, 2, 4, "Y\n");
	assert_int_equal(c2s_edits_prepare(&e, sizeof text - 1, &where), -1);
	assert_int_equal(where, 2);
	c2s_edits_free(&e);
	/* past the end of the text */
	c2s_edits_init(&e);
	add(&e, 8, 11, NULL);
	assert_int_equal(c2s_edits_prepare(&e, sizeof text - 1, &where), -1);
	assert_int_equal(where, 8);
	c2s_edits_free(&e);
	c2s_buf_free(&out);
}

static void test_diff(void **state)
{
	(void)state;
	static const char text[] = "a\nb\nc\nd\ne\nf\ng\nh\ni\nj\nk\nl\nm\nn";
	struct c2s_edits e;
	struct c2s_buf out;
	uint32_t where;
	c2s_buf_init(&out, 1 << 16);
	c2s_edits_init(&e);
	add(&e, 12, 14, NULL);  /* g */
	add(&e, 2, 4, NULL);    /* b */
	add(&e, 2, 6, NULL);    /* b,c: with b, one deletion */
	add(&e, 26, 27, NULL);  /* n, no newline */
	assert_int_equal(c2s_edits_prepare(&e, sizeof text - 1, &where), 0);
	assert_int_equal(e.n, 3);
	assert_int_equal(c2s_edits_apply(&e, text, sizeof text - 1, &out), 0);
	assert_string_equal(out.data, "a\nd\ne\nf\nh\ni\nj\nk\nl\nm\n");
	c2s_buf_reset(&out);
	assert_int_equal(c2s_edits_diff(&e, "s.yml", text, sizeof text - 1, &out), 0);
	assert_string_equal(out.data,
		"--- a/s.yml\n+++ b/s.yml\n"
		/* six kept lines between g and n: one hunk, as diff -u joins them */
		"@@ -1,14 +1,10 @@\n a\n-b\n-c\n d\n e\n f\n-g\n h\n i\n j\n k\n l\n m\n-n\n"
		"\\ No newline at end of file\n");
	c2s_edits_free(&e);
	c2s_buf_reset(&out);
	c2s_edits_init(&e);
	add(&e, 0, 2, NULL);    /* a */
	add(&e, 26, 27, NULL);  /* n */
	assert_int_equal(c2s_edits_prepare(&e, sizeof text - 1, &where), 0);
	assert_int_equal(c2s_edits_diff(&e, "s.yml", text, sizeof text - 1, &out), 0);
	assert_string_equal(out.data,
		"--- a/s.yml\n+++ b/s.yml\n"
		"@@ -1,4 +1,3 @@\n-a\n b\n c\n d\n"
		"@@ -11,4 +10,3 @@\n k\n l\n m\n-n\n\\ No newline at end of file\n");
	c2s_edits_free(&e);
	/* the diff shows deletions of whole lines only */
	c2s_buf_reset(&out);
	c2s_edits_init(&e);
	add(&e, 2, 4, "B\n");
	assert_int_equal(c2s_edits_prepare(&e, sizeof text - 1, &where), 0);
	assert_int_equal(c2s_edits_diff(&e, "s.yml", text, sizeof text - 1, &out), -1);
	c2s_edits_free(&e);
	c2s_edits_init(&e);
	add(&e, 2, 3, NULL);
	assert_int_equal(c2s_edits_prepare(&e, sizeof text - 1, &where), 0);
	assert_int_equal(c2s_edits_diff(&e, "s.yml", text, sizeof text - 1, &out), -1);
	c2s_edits_free(&e);
	c2s_buf_free(&out);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_entry_lines),
		cmocka_unit_test(test_indent_step),
		cmocka_unit_test(test_prepare_and_apply),
		cmocka_unit_test(test_diff),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
