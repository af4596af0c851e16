/* arena.c -- bump allocator: chunks grow geometrically, nothing is freed singly. */
#include "config.h"
#include "arena.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct c2s_arena_chunk {
	struct c2s_arena_chunk *next;
	size_t size, used;
	max_align_t data[];
};

enum { ARENA_MIN_CHUNK = 16 * 1024, ARENA_MAX_CHUNK = 4 * 1024 * 1024 };

void c2s_arena_init(struct c2s_arena *a, size_t cap)
{
	a->head = NULL;
	a->used = 0;
	a->cap = cap;
}

/* n bytes at an offset that is a multiple of align (1 or 8), not zeroed. */
static void *take(struct c2s_arena *a, size_t n, size_t align)
{
	struct c2s_arena_chunk *c = a->head;
	size_t at = c ? (c->used + align - 1) & ~(align - 1) : 0;
	/* the padding counts against the cap too */
	size_t count = n + (c ? at - c->used : 0);
	if (count < n || (a->cap && (count > a->cap || a->used > a->cap - count)))
		return NULL;
	if (!c || at > c->size || c->size - at < n) {
		size_t size = c ? c->size * 2 : ARENA_MIN_CHUNK;
		if (size > ARENA_MAX_CHUNK)
			size = ARENA_MAX_CHUNK;
		if (size < n)
			size = n;
		c = malloc(sizeof *c + size);
		if (!c)
			return NULL;
		c->next = a->head;
		c->size = size;
		c->used = 0;
		a->head = c;
		at = 0;
	}
	void *p = (char *)c->data + at;
	c->used = at + n;
	a->used += count;
	return p;
}

void *c2s_arena_alloc(struct c2s_arena *a, size_t n)
{
	size_t need = (n + 7) & ~(size_t)7;
	if (need < n)
		return NULL;
	void *p = take(a, need, 8);
	if (p)
		memset(p, 0, n);
	return p;
}

void *c2s_arena_bytes(struct c2s_arena *a, size_t n)
{
	return take(a, n, 1);
}

char *c2s_arena_strndup(struct c2s_arena *a, const char *s, size_t n)
{
	char *p = n + 1 ? c2s_arena_bytes(a, n + 1) : NULL;
	if (p) {
		if (n)
			memcpy(p, s, n);
		p[n] = '\0';
	}
	return p;
}

char *c2s_arena_printf(struct c2s_arena *a, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0)
		return NULL;
	char *p = c2s_arena_alloc(a, (size_t)n + 1);
	if (!p)
		return NULL;
	va_start(ap, fmt);
	vsnprintf(p, (size_t)n + 1, fmt, ap);
	va_end(ap);
	return p;
}

void c2s_arena_free(struct c2s_arena *a)
{
	struct c2s_arena_chunk *c = a->head;
	while (c) {
		struct c2s_arena_chunk *next = c->next;
		free(c);
		c = next;
	}
	a->head = NULL;
	a->used = 0;
}
