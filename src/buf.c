/* buf.c -- capped growing buffer. */
#include "config.h"
#include "buf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void c2s_buf_init(struct c2s_buf *b, size_t max)
{
	b->data = NULL;
	b->len = b->cap = 0;
	b->max = max;
	b->failed = 0;
}

char *c2s_buf_reserve(struct c2s_buf *b, size_t n)
{
	if (b->failed)
		return NULL;
	if (n > b->max || b->len > b->max - n) {
		b->failed = 1;
		return NULL;
	}
	if (b->len + n + 1 > b->cap) {
		size_t cap = b->cap ? b->cap : 256;
		while (cap < b->len + n + 1)
			cap *= 2;
		if (cap > b->max + 1)
			cap = b->max + 1;
		char *p = realloc(b->data, cap);
		if (!p) {
			b->failed = 1;
			return NULL;
		}
		b->data = p;
		b->cap = cap;
	}
	return b->data + b->len;
}

int c2s_buf_add(struct c2s_buf *b, const void *p, size_t n)
{
	char *w = c2s_buf_reserve(b, n);
	if (!w)
		return -1;
	if (n)
		memcpy(w, p, n);
	b->len += n;
	b->data[b->len] = '\0';
	return 0;
}

int c2s_buf_addc(struct c2s_buf *b, char c)
{
	return c2s_buf_add(b, &c, 1);
}

int c2s_buf_adds(struct c2s_buf *b, const char *s)
{
	return c2s_buf_add(b, s, strlen(s));
}

int c2s_buf_vprintf(struct c2s_buf *b, const char *fmt, va_list ap)
{
	if (b->failed)
		return -1;
	/* Format once into the room there is; only when it does not fit, grow
	 * and format again (reports are made of many short pieces). */
	va_list copy;
	va_copy(copy, ap);
	size_t room = b->data ? b->cap - b->len : 0;
	int n = vsnprintf(room ? b->data + b->len : NULL, room, fmt, copy);
	va_end(copy);
	if (n < 0) {
		b->failed = 1;
		if (b->data)
			b->data[b->len] = '\0';
		return -1;
	}
	if ((size_t)n < room && (size_t)n <= b->max - b->len) {
		b->len += (size_t)n;
		return 0;
	}
	if (b->data)
		b->data[b->len] = '\0';
	char *w = c2s_buf_reserve(b, (size_t)n);
	if (!w)
		return -1;
	vsnprintf(w, (size_t)n + 1, fmt, ap);
	b->len += (size_t)n;
	return 0;
}

int c2s_buf_printf(struct c2s_buf *b, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int r = c2s_buf_vprintf(b, fmt, ap);
	va_end(ap);
	return r;
}

void c2s_buf_reset(struct c2s_buf *b)
{
	b->len = 0;
	b->failed = 0;
	if (b->data)
		b->data[0] = '\0';
}

void c2s_buf_free(struct c2s_buf *b)
{
	free(b->data);
	c2s_buf_init(b, b->max);
}

int c2s_buf_read_stream(struct c2s_buf *b, FILE *f)
{
	char chunk[8192];
	size_t got;
	while ((got = fread(chunk, 1, sizeof chunk, f)) > 0)
		if (c2s_buf_add(b, chunk, got) != 0)
			return -2;
	return ferror(f) ? -1 : 0;
}

const unsigned char c2s_json_escaped[256] = {
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0,
};

/* Scans four bytes a step (most strings need no escape: then one append). */
void c2s_buf_put_json_string(struct c2s_buf *out, const char *s, const char *tail, size_t tn)
{
	static const char hex[] = "0123456789abcdef";
	const unsigned char *p = (const unsigned char *)s;
	const unsigned char *run = p;
	while (!c2s_json_escaped[p[0]] && !c2s_json_escaped[p[1]] && !c2s_json_escaped[p[2]] && !c2s_json_escaped[p[3]])
		p += 4;
	while (!c2s_json_escaped[*p])
		p++;
	size_t len = (size_t)(p - run);
	if (!*p && c2s_buf_room(out, len + 2 + tn)) {
		/* nothing to escape (most strings): one append */
		char *w = out->data + out->len;
		w[0] = '"';
		memcpy(w + 1, s, len);
		w[len + 1] = '"';
		if (tn)
			memcpy(w + len + 2, tail, tn);
		out->len += len + 2 + tn;
		out->data[out->len] = '\0';
		return;
	}
	c2s_buf_putc(out, '"');
	for (;;) {
		/* each byte read is known not to be the NUL before the next one is read */
		while (!c2s_json_escaped[p[0]] && !c2s_json_escaped[p[1]] && !c2s_json_escaped[p[2]] && !c2s_json_escaped[p[3]])
			p += 4;
		while (!c2s_json_escaped[*p])
			p++;
		unsigned char c = *p;
		if (!c)
			break;
		c2s_buf_put(out, (const char *)run, (size_t)(p - run));
		run = ++p;
		char esc[7] = {'\\', 0, 0, 0, 0, 0, 0};
		size_t n = 2;
		switch (c) {
		case '"': esc[1] = '"'; break;
		case '\\': esc[1] = '\\'; break;
		case '\b': esc[1] = 'b'; break;
		case '\f': esc[1] = 'f'; break;
		case '\n': esc[1] = 'n'; break;
		case '\r': esc[1] = 'r'; break;
		case '\t': esc[1] = 't'; break;
		default:
			memcpy(esc + 1, "u00", 3);
			esc[4] = hex[c >> 4];
			esc[5] = hex[c & 15];
			n = 6;
		}
		c2s_buf_put(out, esc, n);
	}
	c2s_buf_put(out, (const char *)run, (size_t)(p - run));
	c2s_buf_putc(out, '"');
	c2s_buf_put(out, tail, tn);
}

