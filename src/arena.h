/* arena.h -- bump allocator owning everything of one load; freed at once. */
#ifndef C2S_ARENA_H
#define C2S_ARENA_H

#include <stddef.h>

struct c2s_arena_chunk;

struct c2s_arena {
	struct c2s_arena_chunk *head;
	size_t used;  /* bytes handed out, for the cap */
	size_t cap;   /* 0: no cap */
};

void c2s_arena_init(struct c2s_arena *a, size_t cap);
/* 8-byte aligned, zeroed memory; NULL when the cap would be passed or malloc fails. */
void *c2s_arena_alloc(struct c2s_arena *a, size_t n);
/* n bytes with no alignment, not zeroed (text: a string or a byte record packed
 * against the one before it, not padded to 8). */
void *c2s_arena_bytes(struct c2s_arena *a, size_t n);
/* A NUL-terminated copy of s[0..n). */
char *c2s_arena_strndup(struct c2s_arena *a, const char *s, size_t n);
char *c2s_arena_printf(struct c2s_arena *a, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void c2s_arena_free(struct c2s_arena *a);

#endif
