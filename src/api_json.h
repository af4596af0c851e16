/* api_json.h -- the API emitter's JSON output layer: values built in a pool the
 * caller owns (no process-wide state: cJSON's allocation hooks are global),
 * written in the layout the request bodies are compared in (cJSON's: tabs, one
 * space after each colon). */
#ifndef C2S_API_JSON_H
#define C2S_API_JSON_H

#include <stddef.h>
#include <stdint.h>

struct c2s_buf;

enum aj_type { AJ_NULL = 1, AJ_FALSE, AJ_TRUE, AJ_RAW, AJ_STRING, AJ_ARRAY, AJ_OBJECT };
/* A string of valueint bytes in place (model strings are not NUL-terminated). */
#define AJ_COUNTED 0x100

/* One value. The field names are cJSON's, whose trees these replaced. */
struct aj {
	struct aj *next;          /* the next in its array or object */
	struct aj *child, *last;  /* an array's or object's first and last */
	const char *string;       /* its key in an object (not copied: it must outlive the value) */
	const char *valuestring;  /* a string's or raw value's text */
	int valueint;             /* a counted string's length */
	int type;                 /* enum aj_type, | AJ_COUNTED */
};

/* A bump pool: the values of one object, dropped at once by aj_pool_reset. */
struct aj_chunk;
struct aj_pool {
	struct aj_chunk *head, *cur;
	size_t used;  /* in cur */
	int failed;   /* an allocation failed (sticky until aj_pool_free) */
};

/* n bytes (not zeroed) that live until the next reset; NULL when out of memory. */
void *aj_alloc(struct aj_pool *p, size_t n);
/* Every value goes; the chunks stay for the next object. */
void aj_pool_reset(struct aj_pool *p);
void aj_pool_free(struct aj_pool *p);

/* Values; each NULL when out of memory. aj_raw and aj_string copy their text,
 * aj_string_ref refers to it (NUL-terminated, living as long as the value),
 * aj_counted to n bytes of s. */
struct aj *aj_object(struct aj_pool *p);
struct aj *aj_array(struct aj_pool *p);
struct aj *aj_null(struct aj_pool *p);
struct aj *aj_bool(struct aj_pool *p, int b);
struct aj *aj_raw(struct aj_pool *p, const char *text);
struct aj *aj_string(struct aj_pool *p, const char *s);
struct aj *aj_string_ref(struct aj_pool *p, const char *s);
struct aj *aj_counted(struct aj_pool *p, const char *s, size_t n);
/* Append item to an object under key (not copied) or to an array; 1, or 0
 * when item or the container is NULL. */
int aj_add(struct aj *obj, const char *key, struct aj *item);
int aj_push(struct aj *arr, struct aj *item);
/* A value given up before it is written: it goes with its pool's reset (the
 * call marks where a tree is abandoned; nothing is freed singly). */
static inline void aj_drop(struct aj *v)
{
	(void)v;
}
/* Take the first member named key out of obj. */
void aj_remove(struct aj *obj, const char *key);

/* The JSON text of item straight into out, its lines indented with tabs from depth on. */
void aj_write(struct c2s_buf *out, const struct aj *item, int depth);

#endif
