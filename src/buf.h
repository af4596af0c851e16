/* buf.h -- a growing byte buffer with a maximum size (curl's dynbuf, in spirit). */
#ifndef C2S_BUF_H
#define C2S_BUF_H

#include <stdarg.h>
#include <stdio.h>
#include <stddef.h>
#include <string.h>

struct c2s_buf {
	char *data;   /* always NUL-terminated when non-NULL */
	size_t len;
	size_t cap;
	size_t max;   /* appends that would pass this fail */
	int failed;   /* sticky: an append failed (cap or memory) */
};

void c2s_buf_init(struct c2s_buf *b, size_t max);
/* Each returns 0, or -1 (and sets failed) when the maximum or memory runs out. */
int c2s_buf_add(struct c2s_buf *b, const void *p, size_t n);
int c2s_buf_addc(struct c2s_buf *b, char c);
int c2s_buf_adds(struct c2s_buf *b, const char *s);
int c2s_buf_printf(struct c2s_buf *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
int c2s_buf_vprintf(struct c2s_buf *b, const char *fmt, va_list ap);
/* Append all of f (read in chunks, up to the cap). 0; -1 on a read error (errno
 * set); -2 when the cap was reached (b->failed). */
int c2s_buf_read_stream(struct c2s_buf *b, FILE *f);
/* Make room for n more bytes without adding them; returns the write pointer or NULL. */
char *c2s_buf_reserve(struct c2s_buf *b, size_t n);
/* Room for n more bytes (and the NUL) without growing: the inline appends'
 * fast case (cap never exceeds max + 1, so the cap is honoured too). */
static inline int c2s_buf_room(const struct c2s_buf *b, size_t n)
{
	return !b->failed && b->data && n < b->cap - b->len;
}
/* c2s_buf_add/addc/adds with the common case (room left) inline. */
static inline int c2s_buf_put(struct c2s_buf *b, const void *p, size_t n)
{
	if (!c2s_buf_room(b, n))
		return c2s_buf_add(b, p, n);
	if (n)
		memcpy(b->data + b->len, p, n);
	b->len += n;
	b->data[b->len] = '\0';
	return 0;
}
static inline int c2s_buf_putc(struct c2s_buf *b, char c)
{
	if (b->failed || !b->data || b->cap - b->len < 2)
		return c2s_buf_add(b, &c, 1);
	b->data[b->len++] = c;
	b->data[b->len] = '\0';
	return 0;
}
static inline int c2s_buf_puts(struct c2s_buf *b, const char *s)
{
	return c2s_buf_put(b, s, strlen(s));
}
/* s as a JSON string the way cJSON writes one ('"', '\\' and control bytes
 * escaped: \\b \\f \\n \\r \\t, else \\u00xx; other bytes as they are), then
 * the tn bytes of tail (": " after a key, or nothing). */
void c2s_buf_put_json_string(struct c2s_buf *b, const char *s, const char *tail, size_t tn);
/* 1 for the bytes a JSON string escapes (controls, '"', '\\') and for NUL. */
extern const unsigned char c2s_json_escaped[256];
/* The length of s's longest prefix that a JSON string writes as it is (no
 * byte c2s_buf_put_json_string escapes): strlen(s) when s needs no escape. */
static inline size_t c2s_json_plain_len(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	while (!c2s_json_escaped[p[0]] && !c2s_json_escaped[p[1]] && !c2s_json_escaped[p[2]] &&
	       !c2s_json_escaped[p[3]])
		p += 4;
	while (!c2s_json_escaped[*p])
		p++;
	return (size_t)(p - (const unsigned char *)s);
}
void c2s_buf_reset(struct c2s_buf *b);
void c2s_buf_free(struct c2s_buf *b);

#endif
