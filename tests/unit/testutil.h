/* testutil.h -- shared helpers for the cmocka unit tests. */
#ifndef C2S_TESTUTIL_H
#define C2S_TESTUTIL_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "ast.h"
#include "buf.h"
#include "diag.h"
#include "source.h"

/* A loaded document with its source and diagnostics. */
struct loaded {
	struct c2s_source src;
	struct c2s_diags diags;
	struct c2s_doc doc;
	enum c2s_load_status status;
};

static inline struct loaded *load_text(const char *text, size_t len)
{
	struct loaded *l = test_calloc(1, sizeof *l);
	assert_int_equal(c2s_source_from_memory(&l->src, "t.yml", text, len), 0);
	l->src.rank = 1;
	c2s_diags_init(&l->diags);
	l->status = c2s_load(&l->doc, &l->src, &l->diags);
	c2s_diags_resolve(&l->diags);
	return l;
}
#define LOAD(s) load_text((s), sizeof(s) - 1)

static inline void loaded_free(struct loaded *l)
{
	c2s_doc_free(&l->doc);
	c2s_diags_free(&l->diags);
	c2s_source_free(&l->src);
	test_free(l);
}

static inline const struct c2s_node *root_of(struct loaded *l)
{
	return c2s_node_at(&l->doc, l->doc.root);
}

/* Follow a path of mapping keys from the root ("services", "web", NULL). */
static inline const struct c2s_node *path(struct loaded *l, ...)
{
	va_list ap;
	va_start(ap, l);
	const struct c2s_node *n = root_of(l);
	const char *k;
	while (n && (k = va_arg(ap, const char *)))
		n = c2s_map_get(&l->doc, n, k, NULL);
	va_end(ap);
	return n;
}

static inline void assert_pos(struct loaded *l, uint32_t offset, uint32_t line, uint32_t col)
{
	uint32_t ln, cl;
	c2s_source_locate(&l->src, offset, &ln, &cl);
	assert_int_equal(ln, line);
	assert_int_equal(cl, col);
}

static inline void assert_scalar(struct loaded *l, const struct c2s_node *n, const char *want)
{
	assert_non_null(n);
	assert_int_equal(c2s_kind(n), C2S_SCALAR);
	struct c2s_str s = c2s_scalar(&l->doc, n);
	assert_int_equal(s.n, strlen(want));
	assert_memory_equal(s.p, want, s.n);
}

/* A diagnostic list over one in-memory source, and an output buffer: what
 * the formatter tests build their hand-made lists on. */
struct format_fixture {
	struct c2s_source src;
	struct c2s_diags diags;
	struct c2s_buf out;
};

static inline struct format_fixture *format_fixture_new(const char *name, const char *text, size_t len)
{
	struct format_fixture *f = test_calloc(1, sizeof *f);
	assert_int_equal(c2s_source_from_memory(&f->src, name, text, len), 0);
	f->src.rank = 1;
	c2s_diags_init(&f->diags);
	c2s_buf_init(&f->out, 1 << 20);
	return f;
}

static inline int format_fixture_teardown(void **state)
{
	struct format_fixture *f = *state;
	c2s_buf_free(&f->out);
	c2s_diags_free(&f->diags);
	c2s_source_free(&f->src);
	test_free(f);
	return 0;
}

#endif
