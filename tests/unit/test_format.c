/* test_format.c -- the text, gnu and json formatters over a hand-built list. */
#include "config.h"
#include "testutil.h"
#include "buf.h"
#include "format.h"

#include <cJSON.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>


static int setup(void **state)
{
	/* line 2 has a tab and a two-byte character before the span */
	static const char text[] = "services:\n\t\xc3\xa9 image: nginx:latest\n";
	struct format_fixture *f = format_fixture_new("dir/c.yml", text, sizeof text - 1);
	/* "image" starts at byte 14 (tab, é = 2 bytes, space) */
	struct c2s_diag *d = c2s_diag_add(&f->diags, C2S_R_CS5101, &f->src, 14, 19, "the message");
	c2s_diag_hint(&f->diags, d, "the hint");
	c2s_diag_related(&f->diags, d, &f->src, 0, 8, "first here");
	c2s_diag_add(&f->diags, C2S_R_CS1004, &f->src, 0, 0, "second \"quoted\" message");
	c2s_diags_resolve(&f->diags);
	*state = f;
	return 0;
}


static void test_sorted_and_resolved(void **state)
{
	struct format_fixture *f = *state;
	assert_int_equal(f->diags.n, 2);
	const struct c2s_diag *d = &f->diags.items[0];
	assert_string_equal(c2s_diag_rule(d)->id, "CS1004");  /* 1:1 sorts before 2:4 */
	d = &f->diags.items[1];
	assert_int_equal(c2s_diags_span(&f->diags, (size_t)(d - f->diags.items)).line, 2);
	assert_int_equal(c2s_diags_span(&f->diags, (size_t)(d - f->diags.items)).column, 4);
	assert_int_equal(c2s_diags_span(&f->diags, (size_t)(d - f->diags.items)).end_line, 2);
	assert_int_equal(c2s_diags_span(&f->diags, (size_t)(d - f->diags.items)).end_column, 9);
}

static void test_text(void **state)
{
	struct format_fixture *f = *state;
	struct c2s_format_options o = {.format = C2S_FORMAT_TEXT, .color = 0, .files = 1};
	assert_int_equal(c2s_format_diags(&f->diags, &o, &f->out), 0);
	assert_string_equal(f->out.data,
		"dir/c.yml:1:1: error: second \"quoted\" message [CS1004]\n"
		" 1 | services:\n"
		"   | ^\n"
		"dir/c.yml:2:4: warning: the message [CS5101]\n"
		" 2 | \t\xc3\xa9 image: nginx:latest\n"
		"   | \t  ^~~~~\n"
		"  dir/c.yml:1:1: note: first here\n"
		"  hint: the hint\n"
		"2 problems (1 error, 1 warning, 0 infos) in 1 file\n");
}

static void test_text_colour(void **state)
{
	struct format_fixture *f = *state;
	struct c2s_format_options o = {.format = C2S_FORMAT_TEXT, .color = 1, .files = 1};
	assert_int_equal(c2s_format_diags(&f->diags, &o, &f->out), 0);
	assert_non_null(strstr(f->out.data, "\033[1;31merror:\033[0m"));
	assert_non_null(strstr(f->out.data, "\033[1;32m^~~~~\033[0m"));
}

static void test_gnu(void **state)
{
	struct format_fixture *f = *state;
	struct c2s_format_options o = {.format = C2S_FORMAT_GNU, .color = 1, .files = 1};
	assert_int_equal(c2s_format_diags(&f->diags, &o, &f->out), 0);
	assert_string_equal(f->out.data,
		"dir/c.yml:1:1: error: second \"quoted\" message [CS1004]\n"
		"dir/c.yml:2:4: warning: the message [CS5101]\n");
}

static void test_json(void **state)
{
	struct format_fixture *f = *state;
	struct c2s_format_options o = {.format = C2S_FORMAT_JSON, .color = 0, .files = 3};
	assert_int_equal(c2s_format_diags(&f->diags, &o, &f->out), 0);
	cJSON *j = cJSON_Parse(f->out.data);
	assert_non_null(j);
	cJSON *list = cJSON_GetObjectItemCaseSensitive(j, "diagnostics");
	assert_int_equal(cJSON_GetArraySize(list), 2);
	cJSON *d = cJSON_GetArrayItem(list, 1);
	assert_string_equal(cJSON_GetObjectItem(d, "rule")->valuestring, "CS5101");
	assert_string_equal(cJSON_GetObjectItem(d, "name")->valuestring, "container-name");
	assert_string_equal(cJSON_GetObjectItem(d, "severity")->valuestring, "warning");
	assert_string_equal(cJSON_GetObjectItem(d, "file")->valuestring, "dir/c.yml");
	assert_int_equal(cJSON_GetObjectItem(d, "line")->valueint, 2);
	assert_int_equal(cJSON_GetObjectItem(d, "column")->valueint, 4);
	assert_int_equal(cJSON_GetObjectItem(d, "end_line")->valueint, 2);
	assert_int_equal(cJSON_GetObjectItem(d, "end_column")->valueint, 9);
	assert_string_equal(cJSON_GetObjectItem(d, "message")->valuestring, "the message");
	assert_string_equal(cJSON_GetObjectItem(d, "hint")->valuestring, "the hint");
	assert_true(cJSON_IsBool(cJSON_GetObjectItem(d, "fixable")));
	assert_int_equal(cJSON_GetArraySize(d), 11);
	d = cJSON_GetArrayItem(list, 0);
	assert_true(cJSON_IsNull(cJSON_GetObjectItem(d, "hint")));
	assert_string_equal(cJSON_GetObjectItem(d, "message")->valuestring, "second \"quoted\" message");
	cJSON *s = cJSON_GetObjectItemCaseSensitive(j, "summary");
	assert_int_equal(cJSON_GetObjectItem(s, "files")->valueint, 3);
	assert_int_equal(cJSON_GetObjectItem(s, "errors")->valueint, 1);
	assert_int_equal(cJSON_GetObjectItem(s, "warnings")->valueint, 1);
	assert_int_equal(cJSON_GetObjectItem(s, "infos")->valueint, 0);
	cJSON_Delete(j);
}

static void test_empty_list(void **state)
{
	(void)state;
	struct c2s_diags l;
	struct c2s_buf out;
	c2s_diags_init(&l);
	c2s_buf_init(&out, 1024);
	struct c2s_format_options o = {.format = C2S_FORMAT_TEXT, .color = 0, .files = 1};
	assert_int_equal(c2s_format_diags(&l, &o, &out), 0);
	assert_int_equal(out.len, 0);
	o.format = C2S_FORMAT_JSON;
	assert_int_equal(c2s_format_diags(&l, &o, &out), 0);
	assert_string_equal(out.data,
		"{\"diagnostics\":[],\"summary\":{\"files\":1,\"errors\":0,\"warnings\":0,\"infos\":0}}\n");
	c2s_buf_free(&out);
	c2s_diags_free(&l);
}

static void test_output_cap(void **state)
{
	struct format_fixture *f = *state;
	struct c2s_buf small;
	c2s_buf_init(&small, 16);
	struct c2s_format_options o = {.format = C2S_FORMAT_TEXT, .color = 0, .files = 1};
	assert_int_equal(c2s_format_diags(&f->diags, &o, &small), -1);
	assert_true(small.failed);
	assert_true(small.len <= 16);
	c2s_buf_free(&small);
}

/* Lint keeps a message as its format and each conversion's text, written out
 * at the report: the sentence must be the one printf writes, for every kind of
 * conversion, and anything it cannot keep is written at once. */
static void add_messages(struct c2s_diags *l, struct c2s_source *src)
{
	char longarg[700];
	memset(longarg, 'x', sizeof longarg - 1);
	longarg[sizeof longarg - 1] = '\0';
	const char *volatile nothing = NULL;  /* opaque to the compiler: printf prints "(null)" */
	c2s_diag_add(l, C2S_R_CS5101, src, 0, 1, "port %u on %d replicas: %s", 8080u, -3, "host");
	c2s_diag_add(l, C2S_R_CS5101, src, 0, 1, "%lld %llu %zu %ld %lu", -9223372036854775807LL - 1,
		     18446744073709551615ULL, (size_t)42, -5L, 7UL);
	c2s_diag_add(l, C2S_R_CS5101, src, 0, 1, "[%.*s] [%.*s] [%.3s] [%5s] [%-4s|]", 3, "abcdef", -1, "neg",
		     "xyzzy", "ab", "cd");
	c2s_diag_add(l, C2S_R_CS5101, src, 0, 1, "%02d:%04d %x %X %08x %o %c%c 100%%", 7, 42, 255u, 255u, 48879u,
		     8u, 'o', 'k');
	c2s_diag_add(l, C2S_R_CS5101, src, 0, 1, "%g %.1f %e %.17g %*d|%-*d|", 2.5, 0.25, 1e-7, 0.1, 5, 42, 4, 7);
	c2s_diag_add(l, C2S_R_CS5101, src, 0, 1, "null: %s, %.2s, %.*s", nothing, nothing, 8, nothing);
	c2s_diag_add(l, C2S_R_CS5101, src, 0, 1, "a fixed sentence");
	c2s_diag_add(l, C2S_R_CS5101, src, 0, 1, "long: %s", longarg);
	c2s_diag_add(l, C2S_R_CS5101, src, 0, 1, "%hd %hhu %zd %jd %td %p", (short)-2, (unsigned char)250,
		     (ptrdiff_t)-9, (intmax_t)12, (ptrdiff_t)3, (void *)0);
	c2s_diag_add(l, C2S_R_CS5101, src, 0, 1, "%s", "");
}

static void test_deferred_messages(void **state)
{
	(void)state;
	struct format_fixture *now = format_fixture_new("a.yml", "0123456789abcdef\n", 17);
	struct format_fixture *later = format_fixture_new("a.yml", "0123456789abcdef\n", 17);
	c2s_diags_configure(&later->diags, NULL, 1);
	add_messages(&now->diags, &now->src);
	add_messages(&later->diags, &later->src);
	assert_int_equal(later->diags.n, now->diags.n);
	/* before the report: kept as pieces, reading as "" */
	assert_true(later->diags.items[0].deferred);
	assert_string_equal(later->diags.items[0].message, "");
	assert_false(later->diags.items[6].deferred);  /* fixed */
	assert_false(later->diags.items[7].deferred);  /* 700 bytes: written at once */
	c2s_diags_resolve(&now->diags);
	c2s_diags_resolve(&later->diags);
	for (size_t i = 0; i < now->diags.n; i++) {
		assert_false(later->diags.items[i].deferred);
		assert_string_equal(later->diags.items[i].message, now->diags.items[i].message);
	}
	assert_string_equal(later->diags.items[0].message, "port 8080 on -3 replicas: host");
	assert_string_equal(later->diags.items[1].message,
			    "-9223372036854775808 18446744073709551615 42 -5 7");
	assert_string_equal(later->diags.items[2].message, "[abc] [neg] [xyz] [   ab] [cd  |]");
	assert_string_equal(later->diags.items[3].message, "07:0042 ff FF 0000beef 10 ok 100%");
	assert_int_equal(strlen(later->diags.items[7].message), 6 + 699);
	struct c2s_format_options o = {.format = C2S_FORMAT_TEXT, .color = 0, .files = 1};
	assert_int_equal(c2s_format_diags(&now->diags, &o, &now->out), 0);
	assert_int_equal(c2s_format_diags(&later->diags, &o, &later->out), 0);
	assert_int_equal(later->out.len, now->out.len);
	assert_memory_equal(later->out.data, now->out.data, now->out.len);
	void *p = now;
	format_fixture_teardown(&p);
	p = later;
	format_fixture_teardown(&p);
}

/* Repeats dropped as they are added (lint's passes): same rule and span only,
 * while on; a repeat still counts toward the cap. */
static void test_dedupe(void **state)
{
	(void)state;
	struct format_fixture *f = format_fixture_new("a.yml", "0123456789abcdef\n", 17);
	struct c2s_diags *l = &f->diags;
	assert_non_null(c2s_diag_add(l, C2S_R_CS5101, &f->src, 0, 5, "before"));
	c2s_diags_dedupe(l, 1);
	assert_non_null(c2s_diag_add(l, C2S_R_CS5101, &f->src, 0, 5, "first %d", 1));
	assert_null(c2s_diag_add(l, C2S_R_CS5101, &f->src, 0, 5, "again %d", 2));
	assert_non_null(c2s_diag_add(l, C2S_R_CS5102, &f->src, 0, 5, "other rule"));
	assert_non_null(c2s_diag_add(l, C2S_R_CS5101, &f->src, 0, 6, "other end"));
	assert_non_null(c2s_diag_add(l, C2S_R_CS5101, &f->src, 1, 5, "other start"));
	for (uint32_t i = 0; i < 3000; i++)  /* the table grows */
		assert_non_null(c2s_diag_add(l, C2S_R_CS5101, &f->src, 7, 8 + i, "n%u", i));
	for (uint32_t i = 0; i < 3000; i += 7)
		assert_null(c2s_diag_add(l, C2S_R_CS5101, &f->src, 7, 8 + i, "n%u", i));
	assert_int_equal(l->n, 3005);
	assert_int_equal(l->deduped, 1 + 429);
	assert_int_equal(l->items[2].seq, 3);  /* numbered as if the repeat had been added */
	c2s_diags_dedupe(l, 0);
	assert_non_null(c2s_diag_add(l, C2S_R_CS5101, &f->src, 0, 5, "again, off"));
	assert_int_equal(l->n, 3006);
	c2s_diags_resolve(l);
	assert_string_equal(l->items[1].message, "first 1");
	void *p = f;
	format_fixture_teardown(&p);
}

/* Printable ASCII is read 8 bytes at a time: control characters, DEL, C1 controls
 * and bytes that are no UTF-8 are shown escaped wherever they fall in a word, and
 * an ASCII line's caret counts a column a byte. */
static void test_shown_words(void **state)
{
	(void)state;
	static const char text[] = "services:\n  web:\n    image: nginx:1.25-and-a-long-tail\n";
	struct format_fixture *f = format_fixture_new("c.yml", text, sizeof text - 1);
	/* "nginx" is bytes 28..33 */
	c2s_diag_add(&f->diags, C2S_R_CS5101, &f->src, 28, 33,
		     "0123456\x1b" "89abcdef\x7f" "xyz\xc2\x9b" "-\xff-\xc3\xa9" "01234567" "\x01");
	c2s_diags_resolve(&f->diags);
	struct c2s_format_options o = {.format = C2S_FORMAT_TEXT, .color = 0, .files = 1};
	assert_int_equal(c2s_format_diags(&f->diags, &o, &f->out), 0);
	assert_string_equal(f->out.data,
		"c.yml:3:12: warning: 0123456\\x1b89abcdef\\x7fxyz\\u009b-\\xff-\xc3\xa9" "01234567\\x01 [CS5101]\n"
		" 3 |     image: nginx:1.25-and-a-long-tail\n"
		"   |            ^~~~~\n"
		"1 problem (0 errors, 1 warning, 0 infos) in 1 file\n");
	void *st = f;
	format_fixture_teardown(&st);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_sorted_and_resolved, setup, format_fixture_teardown),
		cmocka_unit_test_setup_teardown(test_text, setup, format_fixture_teardown),
		cmocka_unit_test_setup_teardown(test_text_colour, setup, format_fixture_teardown),
		cmocka_unit_test_setup_teardown(test_gnu, setup, format_fixture_teardown),
		cmocka_unit_test_setup_teardown(test_json, setup, format_fixture_teardown),
		cmocka_unit_test(test_empty_list),
		cmocka_unit_test(test_deferred_messages),
		cmocka_unit_test(test_dedupe),
		cmocka_unit_test(test_shown_words),
		cmocka_unit_test_setup_teardown(test_output_cap, setup, format_fixture_teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
