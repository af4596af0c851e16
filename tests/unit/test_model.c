/* test_model.c -- the model's scalar formats (strconv floats, yaml.v3 key order;
 * durations and sizes are goval's, test_goval_*.c), its tables, and that merged values keep
 * the file and line they were written at. Expected values are docker's
 * (docker/cli cli/compose/loader/loader.go's transforms, checked with the docker
 * CLI), not our output. */
#include "config.h"
#include "testutil.h"
#include "model.h"
#include "buf.h"

#include <stdlib.h>


static void test_go_float(void **state)
{
	(void)state;
	static const struct {
		double f;
		const char *want;
	} cases[] = {
		{1.0, "1"}, {1e3, "1000"}, {123456.0, "123456"}, {1000000.0, "1e+06"},
		{1234567.5, "1.2345675e+06"}, {0.0001, "0.0001"}, {0.00001, "1e-05"}, {1.5e-7, "1.5e-07"},
		{1e20, "1e+20"}, {0.25, "0.25"}, {-2.5, "-2.5"},
	};
	char buf[64];
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		c2s_go_float(cases[i].f, 64, buf, sizeof buf);
		assert_string_equal(buf, cases[i].want);
	}
	c2s_go_float((double)0.1f, 32, buf, sizeof buf);
	assert_string_equal(buf, "0.1");
}

static int less(const char *a, const char *b) { return c2s_key_less(a, strlen(a), b, strlen(b)); }

static void test_key_order(void **state)
{
	(void)state;
	/* yaml.v3's sorter: digit runs compare as numbers, letters before other characters */
	assert_true(less("web9", "web10"));
	assert_false(less("web10", "web9"));
	assert_true(less("a_b", "ab"));
	assert_true(less("a-b", "a1"));
	assert_true(less("A", "a"));
	assert_true(less("a", "ab"));
	assert_false(less("ab", "ab"));
	assert_true(less("a.b", "a_b"));
	assert_true(less("x01", "x1") || less("x1", "x01"));
}

static void test_tables(void **state)
{
	(void)state;
	for (int t = 1; t < C2S_T_COUNT; t++) {
		const struct c2s_mstruct *st = &c2s_mstructs[t];
		assert_non_null(st->go_name);
		assert_true(st->nfields < 64);
		for (unsigned f = 0; f < st->nfields; f++) {
			const struct c2s_mfield *fd = &st->fields[f];
			assert_int_equal(fd->keylen, strlen(fd->key));
			int needs_sub = fd->kind == C2S_FK_LIST || fd->kind == C2S_FK_PLIST || fd->kind == C2S_FK_MAPT ||
					fd->kind == C2S_FK_MAPPT || fd->kind == C2S_FK_STRUCT || fd->kind == C2S_FK_PSTRUCT ||
					fd->kind == C2S_FK_SERVICES;
			assert_int_equal(needs_sub, fd->sub != C2S_T_NONE);
		}
	}
	/* docker's printed order: cgroupns_mode before cgroup_parent, environment before env_file */
	assert_true(C2S_F_SERVICE_CGROUPNS_MODE < C2S_F_SERVICE_CGROUP_PARENT);
	assert_true(C2S_F_SERVICE_ENVIRONMENT < C2S_F_SERVICE_ENV_FILE);
	assert_true(C2S_F_SERVICE_HOSTNAME < C2S_F_SERVICE_HEALTHCHECK);
}

static const char *env_none(void *ctx, const char *name, size_t n)
{
	(void)ctx;
	(void)name;
	(void)n;
	return NULL;
}

/* Two files merged: the winning value keeps its file and line. */
static void test_merge_positions(void **state)
{
	(void)state;
	static const char a[] = "version: \"3.8\"\nservices:\n  web:\n    image: one\n    user: root\n";
	static const char b[] = "version: \"3.8\"\nservices:\n  web:\n    image: two\n";
	struct loaded *la = load_text(a, sizeof a - 1), *lb = load_text(b, sizeof b - 1);
	struct c2s_doc *docs[2] = {&la->doc, &lb->doc};
	struct c2s_model m;
	struct c2s_mval va, vb;
	struct c2s_model_env env = {"/w", "/home", env_none, NULL, 0};
	struct c2s_diags diags;
	c2s_diags_init(&diags);
	c2s_model_init(&m, docs, 2);
	assert_int_equal(c2s_model_build(&m, 0, &env, &va, &diags), 0);
	assert_int_equal(c2s_model_build(&m, 1, &env, &vb, &diags), 0);
	assert_int_equal(c2s_model_merge(&m, &va, &vb, &diags), 0);
	const struct c2s_mval *svcs = c2s_mget(&va, C2S_F_CONFIG_SERVICES);
	const struct c2s_mval *web = c2s_mmap_get(svcs, "web", 3);
	assert_non_null(web);
	const struct c2s_mval *image = c2s_mget(web, C2S_F_SERVICE_IMAGE);
	const struct c2s_mval *user = c2s_mget(web, C2S_F_SERVICE_USER);
	assert_int_equal(image->file, 1);
	assert_int_equal(user->file, 0);
	struct c2s_str s = c2s_mstr(image);
	assert_int_equal(s.n, 3);
	assert_memory_equal(s.p, "two", 3);
	const struct c2s_node *n = c2s_mval_node(&m, image);
	assert_non_null(n);
	uint32_t line, col;
	c2s_source_locate(&lb->src, n->start, &line, &col);
	assert_int_equal(line, 4);
	assert_int_equal(col, 12);
	m.root = va;
	struct c2s_buf out;
	c2s_buf_init(&out, 1 << 20);
	assert_int_equal(c2s_emit_yaml(&m, &out), 0);
	assert_string_equal(out.data, "version: \"3.8\"\nservices:\n  web:\n    image: two\n    user: root\n");
	c2s_buf_free(&out);
	c2s_model_free(&m);
	c2s_diags_free(&diags);
	loaded_free(la);
	loaded_free(lb);
}

/* A map of more than 16 keys is sorted (make_map, with its shortcuts for keys
 * that first differ at two letters or two digit runs): in c2s_key_less's order. */
static void test_big_map_order(void **state)
{
	(void)state;
	static const char *const names[] = {
		"web10", "web9", "api-00010", "api-00002", "gateway-1", "Gateway-2", "ab", "a_b", "b", "a", "z10a",
		"z9z", "db-12", "db-5", "db-100", "x-70", "x-7", "api-00003", "worker-00001", "worker-00100",
		"web-19", "web-21", "web-3", "q2w", "q12w", "api-12x", "api-9y", "app", "apple", "Apple",
	};
	enum { N = sizeof names / sizeof *names };
	char text[4096];
	size_t w = (size_t)snprintf(text, sizeof text, "version: \"3.8\"\nservices:\n");
	for (size_t i = 0; i < N; i++)
		w += (size_t)snprintf(text + w, sizeof text - w, "  %s:\n    image: x\n", names[i]);
	struct loaded *l = load_text(text, w);
	struct c2s_doc *docs[1] = {&l->doc};
	struct c2s_model m;
	struct c2s_mval v;
	struct c2s_model_env env = {"/w", "/home", env_none, NULL, 0};
	struct c2s_diags diags;
	c2s_diags_init(&diags);
	c2s_model_init(&m, docs, 1);
	assert_int_equal(c2s_model_build(&m, 0, &env, &v, &diags), 0);
	const struct c2s_mval *svcs = c2s_mget(&v, C2S_F_CONFIG_SERVICES);
	assert_non_null(svcs);
	assert_int_equal(svcs->n, N);
	for (uint32_t i = 1; i < svcs->n; i++) {
		struct c2s_str a = c2s_mstr(&svcs->u.v[2 * (i - 1)]), b = c2s_mstr(&svcs->u.v[2 * i]);
		assert_true(c2s_key_less(a.p, a.n, b.p, b.n));
	}
	c2s_model_free(&m);
	c2s_diags_free(&diags);
	loaded_free(l);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_go_float),
		cmocka_unit_test(test_key_order),       cmocka_unit_test(test_tables),
		cmocka_unit_test(test_big_map_order),
		cmocka_unit_test(test_merge_positions),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
