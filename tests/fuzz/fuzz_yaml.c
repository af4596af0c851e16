/* fuzz_yaml.c -- the fast YAML scanner against libyaml read as docker reads it: where the fast one finishes, the events are the same. */
#include "config.h"
#include "fuzz.h"
#include "yaml_fast.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* src/yaml_fast.h promises libyaml's events, position for position, on what
 * it does not decline; test_yaml_fast checks that on fixtures and mutations,
 * this target on whatever a fuzzer makes. */

struct ev {
	struct c2s_yev e;
	char *value, *anchor, *tag; /* copies: the readers' buffers do not outlive them */
};

struct stream {
	struct ev *v;
	size_t n, cap;
};

static char *copy(const char *p, size_t n)
{
	if (!p)
		return NULL;
	char *c = malloc(n + 1);
	if (!c)
		abort();
	memcpy(c, p, n);
	c[n] = '\0';
	return c;
}

static void forget(struct stream *s)
{
	for (size_t i = 0; i < s->n; i++) {
		free(s->v[i].value);
		free(s->v[i].anchor);
		free(s->v[i].tag);
	}
	s->n = 0;
}

static int record(void *ctx, const struct c2s_yev *y)
{
	struct stream *s = ctx;
	if (y->type == C2S_YEV_RESTART) {
		forget(s);
		return 0;
	}
	if (s->n == s->cap) {
		s->cap = s->cap ? s->cap * 2 : 64;
		s->v = realloc(s->v, s->cap * sizeof *s->v);
		if (!s->v)
			abort();
	}
	struct ev *e = &s->v[s->n++];
	e->e = *y;
	/* what the loader reads of each event (as test_yaml_fast compares): a
	 * collection's end and a document carry no position it uses, only
	 * scalars and aliases an end */
	if (y->type == C2S_YEV_END || y->type == C2S_YEV_DOCUMENT)
		e->e.start = 0;
	if (y->type != C2S_YEV_SCALAR && y->type != C2S_YEV_ALIAS)
		e->e.end = 0;
	if (!y->value)
		e->e.len = 0;
	e->value = copy(y->value, y->len);
	e->anchor = copy(y->anchor, y->anchor_len);
	e->tag = copy(y->tag, y->tag_len);
	return 0;
}

static int same(const char *a, size_t na, const char *b, size_t nb)
{
	if (!a || !b)
		return !a == !b;
	return na == nb && memcmp(a, b, na) == 0;
}

static int same_event(const struct ev *a, const struct ev *b)
{
	return a->e.type == b->e.type && a->e.start == b->e.start && a->e.end == b->e.end &&
	       a->e.style == b->e.style && a->e.len == b->e.len &&
	       (!a->e.len || memcmp(a->value, b->value, a->e.len) == 0) &&
	       same(a->anchor, a->e.anchor_len, b->anchor, b->e.anchor_len) &&
	       same(a->tag, a->e.tag_len, b->tag, b->e.tag_len);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size > C2S_FUZZ_MAX_INPUT)
		return 0;
	/* the readers want what the source reader gives: NUL-terminated, the BOM and
	 * ASCII-ness known, and no NUL inside (a stream ends at its first NUL) */
	const uint8_t *nul = memchr(data, 0, size);
	size_t len = nul ? (size_t)(nul - data) : size;
	char *text = malloc(len + 1);
	if (!text)
		abort();
	memcpy(text, data, len);
	text[len] = '\0';
	size_t bom = len >= 3 && memcmp(text, "\xef\xbb\xbf", 3) == 0 ? 3 : 0;
	int ascii = 1;
	for (size_t i = bom; i < len; i++)
		if ((unsigned char)text[i] >= 0x80)
			ascii = 0;
	struct stream fast = {0}, ref = {0};
	struct c2s_yerr err;
	int ok = c2s_yaml_libyaml(text, len, bom, ascii, record, &ref, &err) == 0;
	enum c2s_fast_status st = c2s_yaml_fast(text, len, bom, ascii, record, &fast);
	if (st == C2S_FAST_STOPPED)
		abort();  /* the sink never stops it */
	if (st == C2S_FAST_DONE) {
		if (!ok) {
			fprintf(stderr, "fast scanner took what libyaml refuses: %s\n", err.problem ? err.problem : "?");
			abort();
		}
		if (fast.n != ref.n) {
			fprintf(stderr, "fast scanner: %zu events, libyaml: %zu\n", fast.n, ref.n);
			abort();
		}
		for (size_t i = 0; i < fast.n; i++)
			if (!same_event(&fast.v[i], &ref.v[i])) {
				fprintf(stderr, "event %zu differs (type %d/%d at %u/%u)\n", i, (int)fast.v[i].e.type,
					(int)ref.v[i].e.type, fast.v[i].e.start, ref.v[i].e.start);
				abort();
			}
	}
	forget(&fast);
	forget(&ref);
	free(fast.v);
	free(ref.v);
	free(text);
	return 0;
}
