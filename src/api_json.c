/* api_json.c -- the API emitter's JSON output layer (api_json.h): pool, values, text. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "api_json.h"
#include "buf.h"

/* ---- the pool ----
 * Measured reason (callgrind, 1,000 services): malloc/free for each node and a
 * tree's deletion were 40% of `convert --to api`; a bump pool reset after each
 * object costs nothing of the kind. */

#define AJ_CHUNK ((size_t)256 << 10)

struct aj_chunk {
	struct aj_chunk *next;
	size_t size;
	max_align_t data[];
};

void *aj_alloc(struct aj_pool *p, size_t n)
{
	n = (n + sizeof(max_align_t) - 1) / sizeof(max_align_t) * sizeof(max_align_t);
	while (p->cur && p->used + n > p->cur->size) {
		p->cur = p->cur->next;
		p->used = 0;
	}
	if (!p->cur) {
		size_t size = n > AJ_CHUNK ? n : AJ_CHUNK;
		struct aj_chunk *c = malloc(sizeof *c + size);
		if (!c) {
			p->failed = 1;
			return NULL;
		}
		c->size = size;
		/* keep the chunks in order: a reset walks them again from the head */
		c->next = NULL;
		struct aj_chunk **tail = &p->head;
		while (*tail)
			tail = &(*tail)->next;
		*tail = c;
		p->cur = c;
		p->used = 0;
	}
	void *r = (char *)p->cur->data + p->used;
	p->used += n;
	return r;
}

void aj_pool_reset(struct aj_pool *p)
{
	p->cur = p->head;
	p->used = 0;
}

void aj_pool_free(struct aj_pool *p)
{
	for (struct aj_chunk *c = p->head, *next; c; c = next) {
		next = c->next;
		free(c);
	}
	memset(p, 0, sizeof *p);
}

/* ---- values ---- */

static struct aj *value(struct aj_pool *p, int type, const char *text)
{
	struct aj *v = aj_alloc(p, sizeof *v);
	if (v) {
		memset(v, 0, sizeof *v);
		v->type = type;
		v->valuestring = text;
	}
	return v;
}

static const char *copy(struct aj_pool *p, const char *s)
{
	size_t n = strlen(s);
	char *c = aj_alloc(p, n + 1);
	if (c)
		memcpy(c, s, n + 1);
	return c;
}

struct aj *aj_object(struct aj_pool *p) { return value(p, AJ_OBJECT, NULL); }
struct aj *aj_array(struct aj_pool *p) { return value(p, AJ_ARRAY, NULL); }
struct aj *aj_null(struct aj_pool *p) { return value(p, AJ_NULL, NULL); }
struct aj *aj_bool(struct aj_pool *p, int b) { return value(p, b ? AJ_TRUE : AJ_FALSE, NULL); }
struct aj *aj_string_ref(struct aj_pool *p, const char *s) { return value(p, AJ_STRING, s); }

struct aj *aj_raw(struct aj_pool *p, const char *text)
{
	const char *c = copy(p, text);
	return c ? value(p, AJ_RAW, c) : NULL;
}

struct aj *aj_string(struct aj_pool *p, const char *s)
{
	const char *c = copy(p, s);
	return c ? value(p, AJ_STRING, c) : NULL;
}

struct aj *aj_counted(struct aj_pool *p, const char *s, size_t n)
{
	struct aj *v = value(p, AJ_STRING | AJ_COUNTED, n ? s : "");
	if (v)
		v->valueint = (int)n;
	return v;
}

int aj_push(struct aj *arr, struct aj *item)
{
	if (!arr || !item)
		return 0;
	if (arr->last)
		arr->last->next = item;
	else
		arr->child = item;
	arr->last = item;
	return 1;
}

int aj_add(struct aj *obj, const char *key, struct aj *item)
{
	if (!item)
		return 0;
	item->string = key;
	return aj_push(obj, item);
}

void aj_remove(struct aj *obj, const char *key)
{
	struct aj *prev = NULL;
	for (struct aj *c = obj ? obj->child : NULL; c; prev = c, c = c->next) {
		if (!c->string || strcmp(c->string, key) != 0)
			continue;
		if (prev)
			prev->next = c->next;
		else
			obj->child = c->next;
		if (obj->last == c)
			obj->last = prev;
		return;
	}
}

/* ---- text ----
 * Straight into the output buffer: printing a tree and re-indenting each line
 * for its place in the list cost a third of the conversion (callgrind). */

static void indent(struct c2s_buf *out, int depth)
{
	static const char tabs[] = "\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t";
	while (depth > 0) {
		int k = depth < 16 ? depth : 16;
		c2s_buf_put(out, tabs, (size_t)k);
		depth -= k;
	}
}

/* The bytes of s[0..n) a JSON string writes as they are, from the start. */
static size_t plain_len_n(const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0;
	while (i + 4 <= n && !c2s_json_escaped[p[i]] && !c2s_json_escaped[p[i + 1]] && !c2s_json_escaped[p[i + 2]] &&
	       !c2s_json_escaped[p[i + 3]])
		i += 4;
	while (i < n && !c2s_json_escaped[p[i]])
		i++;
	return i;
}

/* A string value as a JSON string. A counted one stops at a NUL byte, as the
 * C string copy it stands for did. */
static void put_string(struct c2s_buf *out, const struct aj *it)
{
	const char *v = it->valuestring ? it->valuestring : "";
	if (!(it->type & AJ_COUNTED)) {
		c2s_buf_put_json_string(out, v, "", 0);
		return;
	}
	size_t n = (size_t)it->valueint;
	const char *nul = memchr(v, '\0', n);
	if (nul)
		n = (size_t)(nul - v);
	char small[256];
	char *c = n < sizeof small ? small : malloc(n + 1);
	if (!c) {
		out->failed = 1;
		return;
	}
	memcpy(c, v, n);
	c[n] = '\0';
	c2s_buf_put_json_string(out, c, "", 0);
	if (c != small)
		free(c);
}

void aj_write(struct c2s_buf *out, const struct aj *item, int depth)
{
	switch (item->type & 0xff) {
	case AJ_NULL:
		c2s_buf_put(out, "null", 4);
		return;
	case AJ_FALSE:
		c2s_buf_put(out, "false", 5);
		return;
	case AJ_TRUE:
		c2s_buf_put(out, "true", 4);
		return;
	case AJ_RAW: {
		const char *raw = item->valuestring ? item->valuestring : "null";
		c2s_buf_put(out, raw, strlen(raw));
		return;
	}
	case AJ_STRING:
		put_string(out, item);
		return;
	case AJ_ARRAY:
	case AJ_OBJECT: {
		int object = (item->type & 0xff) == AJ_OBJECT;
		const struct aj *child = item->child;
		c2s_buf_putc(out, object ? '{' : '[');
		if (!child) {
			c2s_buf_putc(out, object ? '}' : ']');
			return;
		}
		/* ",\n" and the indent in one append: ",\n\t\t..." (the comma after the
		 * previous item) or, for the first item, the same without the comma */
		static const char sep[] = ",\n\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t";
		const int maxtabs = (int)sizeof sep - 3;
		for (int first = 1; child; child = child->next, first = 0) {
			/* the common case, key and string value with nothing to escape:
			 * ",\n\t..\"key\": \"value\"" in one reserved stretch */
			int string = (child->type & 0xff) == AJ_STRING;
			const char *k = object && child->string ? child->string : "";
			const char *v = string && child->valuestring ? child->valuestring : "";
			size_t kl = object ? c2s_json_plain_len(k) : 0, vl, vn;
			if (string && (child->type & AJ_COUNTED)) {
				vn = (size_t)child->valueint;
				vl = plain_len_n(v, vn);
			} else {
				vl = string ? c2s_json_plain_len(v) : 0;
				vn = v[vl] ? vl + 1 : vl; /* vl == vn: nothing to escape */
			}
			size_t sl = (size_t)(2 - first + depth + 1);
			if (depth + 1 <= maxtabs && !k[kl] && vl == vn &&
			    c2s_buf_room(out, sl + (object ? kl + 4 : 0) + (string ? vl + 2 : 0))) {
				char *w = out->data + out->len;
				memcpy(w, sep + first, sl);
				w += sl;
				if (object) {
					*w++ = '"';
					memcpy(w, k, kl);
					w += kl;
					memcpy(w, "\": ", 3);
					w += 3;
				}
				if (string) {
					*w++ = '"';
					memcpy(w, v, vl);
					w += vl;
					*w++ = '"';
				}
				*w = '\0';
				out->len = (size_t)(w - out->data);
				if (!string)
					aj_write(out, child, depth + 1);
				continue;
			}
			if (depth + 1 <= maxtabs) {
				c2s_buf_put(out, sep + first, (size_t)(2 - first + depth + 1));
			} else {
				c2s_buf_put(out, sep + first, (size_t)(2 - first));
				indent(out, depth + 1);
			}
			if (object)
				c2s_buf_put_json_string(out, child->string ? child->string : "", ": ", 2);
			if ((child->type & 0xff) == AJ_STRING)
				put_string(out, child);
			else
				aj_write(out, child, depth + 1);
		}
		if (depth <= maxtabs) {
			c2s_buf_put(out, sep + 1, (size_t)(1 + depth));
		} else {
			c2s_buf_putc(out, '\n');
			indent(out, depth);
		}
		c2s_buf_putc(out, object ? '}' : ']');
		return;
	}
	default:
		c2s_buf_put(out, "null", 4);
	}
}
