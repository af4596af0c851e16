/* emit_api_int.h -- what the API emitter's files share (emit_api.c the driver,
 * emit_api_spec.c the conversion of each object, emit_api_sort.c Go's sort,
 * api_json.c the JSON layer): the conversion's state and the model access. */
#ifndef C2S_EMIT_API_INT_H
#define C2S_EMIT_API_INT_H

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "api_json.h"
#include "arena.h"
#include "buf.h"
#include "diag.h"
#include "emit_api.h"
#include "goval.h"
#include "model.h"

#define LABEL_NAMESPACE "com.docker.stack.namespace"
#define LABEL_IMAGE "com.docker.stack.image"
/* Longest error message we build. */
#define API_MAX_MESSAGE 1024
/* Longest image reference we normalise (docker caps names at 255). */
#define API_MAX_IMAGE C2S_GOVAL_MAX_IMAGE

/* The stack's networks, volumes, secrets and configs are looked up by name
 * for every service (a linear search was 2.5% of a conversion): an index by
 * hash for each, built once; it finds the first key with the same bytes, as
 * c2s_mmap_get does. */
struct key_index {
	const struct c2s_mval *map;
	uint32_t *slot; /* entry index + 1; 0 = empty */
	uint32_t mask;
};

struct api {
	const struct c2s_model *m;
	const struct c2s_api_options *o;
	const struct c2s_emit_stream *st; /* lazily built services, flushing; or NULL */
	int stream_failed;             /* building a service or flushing failed */
	struct c2s_diags *diags;
	struct c2s_arena keep;         /* what outlives a service: the network names used */
	const struct c2s_mval *config; /* the root STRUCT */
	const struct c2s_mval *networks, *volumes, *secrets, *configs; /* MAPs or NULL */
	size_t stack_len;
	int nomem;
	struct aj_pool pool;           /* a service's JSON and scratch, reset for the next */
	struct key_index key_indexes[4]; /* networks, volumes, secrets, configs by name */
	/* The fields of the service being converted, by field index: service()
	 * reads ~40 of them, each a walk of its fields through c2s_mget. Set for
	 * the length of one service() call only. */
	struct {
		const struct c2s_mval *s;
		const struct c2s_mval *at[64];
	} svc_fields;
};


/* An object of a list, written out as soon as it is made (its name and text
 * kept, its tree gone with the pool's reset): 2,400 networks, secrets
 * and configs held as trees until the output were 400 KB of the peak. */
struct named {
	const char *name;  /* in a->keep */
	struct aj *body;   /* NULL once written to the list's text */
	size_t off, len;   /* its text in the list's */
};

int c2s_api_named_cmp(const void *x, const void *y);

struct list {
	struct named *v;
	size_t n, cap;
	struct c2s_buf text;  /* the objects' JSON, as append_item writes each */
};

/* The most JSON a list's objects hold (the output's own cap applies after). */
#define API_MAX_LIST_TEXT ((size_t)1 << 30)

/* The networks services use, each once (getServicesDeclaredNetworks): a
 * list in first-use order and an index by hash over it (a linear search of
 * the list for each service's networks grew with services x networks). */
struct netset {
	struct c2s_str *v;
	size_t n, cap;
	uint32_t *slot; /* entry index + 1; 0 = empty; 2 * cap slots */
};

struct port {
	struct aj *body;
	int64_t published;
};

/* ---- model access (each conversion file reads the model through these) ---- */

static inline const struct c2s_mval *field(const struct api *a, const struct c2s_mval *s, unsigned f)
{
	const struct c2s_mval *v = s && s == a->svc_fields.s ? (f < 64 ? a->svc_fields.at[f] : NULL) : c2s_mget(s, f);
	return v && v->kind != C2S_MV_NONE ? v : NULL;
}

/* A present, non-null value. */
static inline const struct c2s_mval *given(const struct api *a, const struct c2s_mval *s, unsigned f)
{
	const struct c2s_mval *v = field(a, s, f);
	return v && v->kind != C2S_MV_NULL ? v : NULL;
}

static inline int truthy(const struct c2s_mval *v)
{
	return v && (v->kind == C2S_MV_BOOL || v->kind == C2S_MV_INT) && v->u.i != 0;
}

static inline int64_t ival(const struct c2s_mval *v)
{
	if (!v)
		return 0;
	switch (v->kind) {
	case C2S_MV_INT:
	case C2S_MV_BOOL:
		return v->u.i;
	case C2S_MV_UINT:
		return (int64_t)v->u.u;
	case C2S_MV_FLOAT:
		return (int64_t)v->u.f;
	default:
		return 0;
	}
}

static inline struct c2s_str sval(const struct c2s_mval *v)
{
	return c2s_mstr(v);
}

/* The string of a STR field ("" when absent). */
static inline struct c2s_str sfield(const struct api *a, const struct c2s_mval *s, unsigned f)
{
	return sval(given(a, s, f));
}

static inline int str_eq(struct c2s_str s, const char *lit)
{
	size_t n = strlen(lit);
	return s.n == n && memcmp(s.p, lit, n) == 0;
}

static inline uint32_t count(const struct c2s_mval *v)
{
	return v && (v->kind == C2S_MV_LIST || v->kind == C2S_MV_MAP) ? v->n : 0;
}

static inline const struct c2s_mval *item(const struct c2s_mval *list, uint32_t i)
{
	return &list->u.v[i];
}

static inline const struct c2s_mval *map_key(const struct c2s_mval *map, uint32_t i)
{
	return &map->u.v[2 * i];
}

static inline const struct c2s_mval *map_value(const struct c2s_mval *map, uint32_t i)
{
	return &map->u.v[2 * i + 1];
}


/* qsort, which must not be given a NULL array even for no items */
static inline void sort_items(void *base, size_t n, size_t size, int (*cmp)(const void *, const void *))
{
	if (n > 1)
		qsort(base, n, size, cmp);
}

/* ---- the conversion (emit_api_spec.c) ---- */

/* Index map by name (NULL or not a map: nothing to do); without memory, no index. */
void c2s_api_key_index_build(struct key_index *x, const struct c2s_mval *map);
void c2s_api_key_indexes_free(struct api *a);
/* The services map (MAP) or NULL. */
const struct c2s_mval *c2s_api_services_of(struct api *a);
/* The networks a service attaches to, added to set (a lazy service: read from its node). */
int c2s_api_networks_used(struct api *a, const struct c2s_mval *svc, struct netset *set);
int c2s_api_networks_used_lazy(struct api *a, const struct c2s_mval *v, struct netset *set);
/* The NetworkCreate bodies of the networks in set; the secrets' or configs' create bodies. */
int c2s_api_networks(struct api *a, const struct netset *set, struct list *out);
int c2s_api_file_objects(struct api *a, const struct c2s_mval *map, int secrets, struct list *out);
void c2s_api_list_free(struct list *l);
/* What converting the service would refuse, without building its body (0 or -1). */
int c2s_api_check_service(struct api *a, const struct c2s_mval *svc);
/* The image reference refusal of a service docker meets first. */
int c2s_api_check_image(struct api *a, struct c2s_str key, const struct c2s_mval *keynode, const struct c2s_mval *svc);
/* The ServiceSpec body of one service, or NULL on a refusal (reported). */
struct aj *c2s_api_service(struct api *a, struct c2s_str key, const struct c2s_mval *svc);

/* versions.LessThan(v, other) for dotted numbers (emit_api.c). */
int c2s_api_version_less(const char *v, const char *other);

/* ---- Go's sort.Slice of the ports by PublishedPort (emit_api_sort.c) ---- */
void c2s_api_sort_ports(struct port *p, size_t n);

#endif
