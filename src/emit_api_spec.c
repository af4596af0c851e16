/* emit_api_spec.c -- `convert --to api`, the conversion: each Engine API body
 * `docker stack deploy` posts (docker/cli cli/compose/convert/{compose,service,
 * volume}.go and cli/command/stack/swarm/deploy_composefile.go at v28.2.2),
 * built from the typed model with the JSON layer of api_json.c.
 *
 * Keys follow the Go structs' json tags: a field tagged omitempty is left out
 * when zero, the others are always written. Integers are written as raw
 * decimal text so that int64/uint64 values survive exactly. Errors are
 * docker's own texts. */
#include "config.h"
#include "emit_api_int.h"

#include <errno.h>
#include <stdarg.h>
#include <inttypes.h>
#include <limits.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static uint32_t key_hash(const char *p, size_t n)
{
	uint32_t h = 2166136261u;
	for (size_t i = 0; i < n; i++)
		h = (h ^ (unsigned char)p[i]) * 16777619u;
	return h;
}

static int key_same(const struct c2s_mval *k, const char *p, size_t n)
{
	return k->n == n && (n == 0 || memcmp(k->u.s, p, n) == 0);
}

/* Index map (NULL or not a map: nothing to do); without memory, no index. */
void c2s_api_key_index_build(struct key_index *x, const struct c2s_mval *map)
{
	memset(x, 0, sizeof *x);
	if (!map || map->kind != C2S_MV_MAP || map->n < 8)
		return;
	uint32_t size = 16;
	while (size < 2 * map->n && size < (UINT32_C(1) << 30))
		size *= 2;
	x->slot = calloc(size, sizeof *x->slot);
	if (!x->slot)
		return;
	x->map = map;
	x->mask = size - 1;
	for (uint32_t i = 0; i < map->n; i++) {
		const struct c2s_mval *k = &map->u.v[2 * i];
		uint32_t h = key_hash(k->u.s, k->n) & x->mask;
		while (x->slot[h] && !key_same(&map->u.v[2 * (x->slot[h] - 1)], k->u.s, k->n))
			h = (h + 1) & x->mask;
		if (!x->slot[h])
			x->slot[h] = i + 1;
	}
}

void c2s_api_key_indexes_free(struct api *a)
{
	for (size_t i = 0; i < sizeof a->key_indexes / sizeof *a->key_indexes; i++) {
		free(a->key_indexes[i].slot);
		memset(&a->key_indexes[i], 0, sizeof a->key_indexes[i]);
	}
}

static const struct c2s_mval *map_find(const struct api *a, const struct c2s_mval *map, struct c2s_str key)
{
	if (!map || map->kind != C2S_MV_MAP)
		return NULL;
	for (size_t i = 0; i < sizeof a->key_indexes / sizeof *a->key_indexes; i++) {
		const struct key_index *x = &a->key_indexes[i];
		if (x->map != map)
			continue;
		uint32_t h = key_hash(key.p, key.n) & x->mask;
		for (; x->slot[h]; h = (h + 1) & x->mask) {
			const struct c2s_mval *k = &map->u.v[2 * (x->slot[h] - 1)];
			if (key_same(k, key.p, key.n))
				return k + 1;
		}
		return NULL;
	}
	return c2s_mmap_get(map, key.p, key.n);
}

/* external: true, or external: {name: ...} */
static int is_external(const struct api *a, const struct c2s_mval *obj, unsigned f)
{
	const struct c2s_mval *v = field(a, obj, f);
	return v && (truthy(v) || (v->flags & C2S_MVF_EXTERNAL_NAME));
}

/* Per-service scratch (C strings the JSON refers to, sort arrays): zeroed memory
 * from the JSON pool (api_json.c), reset with it before each service, so nothing is freed
 * singly (a malloc'd arena and calloc'd arrays per service were ~5% of
 * c2s_api_service()). NULL and a->nomem when memory runs out. */
static void *tmp_calloc(struct api *a, size_t n, size_t size)
{
	if (size && n > SIZE_MAX / size) {
		a->nomem = 1;
		return NULL;
	}
	size_t bytes = n * size;
	if (bytes == 0)
		bytes = 1;
	void *p = aj_alloc(&a->pool, bytes);
	if (!p) {
		a->nomem = 1;
		return NULL;
	}
	memset(p, 0, bytes);
	return p;
}

static char *tmp_strndup(struct api *a, const char *s, size_t n)
{
	char *p = n < SIZE_MAX ? tmp_calloc(a, n + 1, 1) : NULL;
	if (p && n)
		memcpy(p, s, n);
	return p;
}

__attribute__((format(printf, 2, 3)))
static char *tmp_printf(struct api *a, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0)
		return NULL;
	char *p = tmp_calloc(a, (size_t)n + 1, 1);
	if (!p)
		return NULL;
	va_start(ap, fmt);
	vsnprintf(p, (size_t)n + 1, fmt, ap);
	va_end(ap);
	return p;
}

/* ---- output helpers ---- */

/* s as a C string in the per-service scratch, which lives until the service's JSON is written:
 * string values refer to it (aj_string_ref) without a copy. */
static char *cstr(struct api *a, struct c2s_str s)
{
	char *p = tmp_strndup(a, s.p ? s.p : "", s.n);
	if (!p)
		a->nomem = 1;
	return p ? p : (char *)"";
}

/* A string item referring to a model string's n bytes in place (model strings
 * are not NUL-terminated; scratch copies of them were a tenth of building a
 * service's JSON). The model string outlives the item: the service's own
 * values are released after its JSON is written, the stack's live to the end. */
static struct aj *str_ref(struct api *a, struct c2s_str s)
{
	if (s.n > INT_MAX)
		return aj_string_ref(&a->pool, cstr(a, s));
	return aj_counted(&a->pool, s.p, s.n);
}

/* The key is not copied: every key is a literal or lives in the scratch, which is
 * reset only after the item is written (pool_reset before the next service). */
static struct aj *add(struct api *a, struct aj *obj, const char *key, struct aj *item_)
{
	if (!item_ || !aj_add(obj, key, item_)) {
		aj_drop(item_);
		a->nomem = 1;
		return NULL;
	}
	return item_;
}

static struct aj *obj_new(struct api *a)
{
	struct aj *o = aj_object(&a->pool);
	if (!o)
		a->nomem = 1;
	return o;
}

static struct aj *add_obj(struct api *a, struct aj *obj, const char *key)
{
	return add(a, obj, key, aj_object(&a->pool));
}

static struct aj *add_arr(struct api *a, struct aj *obj, const char *key)
{
	return add(a, obj, key, aj_array(&a->pool));
}

static void add_str(struct api *a, struct aj *obj, const char *key, struct c2s_str s)
{
	add(a, obj, key, str_ref(a, s));
}

static void add_cstr(struct api *a, struct aj *obj, const char *key, const char *s)
{
	add(a, obj, key, aj_string(&a->pool, s));
}

/* omitempty string */
static void add_str_opt(struct api *a, struct aj *obj, const char *key, struct c2s_str s)
{
	if (s.n)
		add_str(a, obj, key, s);
}

static void add_bool(struct api *a, struct aj *obj, const char *key, int b)
{
	add(a, obj, key, aj_bool(&a->pool, b));
}

/* decimal text of v (and a leading '-') ending at end; returns its start.
 * Two digits a division: durations in nanoseconds have eleven or more. */
static char *decimal(char *end, uint64_t v, int negative)
{
	static const char pairs[] =
		"00010203040506070809101112131415161718192021222324252627282930313233343536373839"
		"40414243444546474849505152535455565758596061626364656667686970717273747576777879"
		"8081828384858687888990919293949596979899";
	*--end = '\0';
	while (v >= 100) {
		const char *d = pairs + 2 * (v % 100);
		v /= 100;
		*--end = d[1];
		*--end = d[0];
	}
	if (v >= 10) {
		*--end = pairs[2 * v + 1];
		*--end = pairs[2 * v];
	} else {
		*--end = (char)('0' + v);
	}
	if (negative)
		*--end = '-';
	return end;
}

static void add_int(struct api *a, struct aj *obj, const char *key, int64_t v)
{
	char num[32];
	uint64_t mag = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
	add(a, obj, key, aj_raw(&a->pool, decimal(num + sizeof num, mag, v < 0)));
}

static void add_uint(struct api *a, struct aj *obj, const char *key, uint64_t v)
{
	char num[32];
	add(a, obj, key, aj_raw(&a->pool, decimal(num + sizeof num, v, 0)));
}

/* A uint64 model value (*uint64 fields): negative input wraps as Go's conversion does. */
static void add_u64_val(struct api *a, struct aj *obj, const char *key, const struct c2s_mval *v)
{
	if (v->kind == C2S_MV_UINT)
		add_uint(a, obj, key, v->u.u);
	else
		add_uint(a, obj, key, (uint64_t)ival(v));
}

/* Go encodes a float32 with the fewest digits that read back to the same float32. */
static void add_float32(struct api *a, struct aj *obj, const char *key, double d)
{
	float f = (float)d;
	char num[48];
	if (f == 0) {
		add(a, obj, key, aj_raw(&a->pool, "0"));
		return;
	}
	for (int prec = 1; prec <= 9; prec++) {
		snprintf(num, sizeof num, "%.*g", prec, (double)f);
		if ((float)strtod(num, NULL) == f)
			break;
	}
	add(a, obj, key, aj_raw(&a->pool, num));
}

/* A list of strings ([]string). */
static void add_strlist(struct api *a, struct aj *obj, const char *key, const struct c2s_mval *list)
{
	struct aj *arr = add_arr(a, obj, key);
	if (!arr)
		return;
	for (uint32_t i = 0; i < count(list); i++) {
		struct aj *s = str_ref(a, sval(item(list, i)));
		if (!s || !aj_push(arr, s)) {
			aj_drop(s);
			a->nomem = 1;
		}
	}
}

/* omitempty []string */
static void add_strlist_opt(struct api *a, struct aj *obj, const char *key, const struct c2s_mval *list)
{
	if (count(list))
		add_strlist(a, obj, key, list);
}

/* map[string]string: keys and values; a null value is Go's "". */
static struct aj *map_object(struct api *a, const struct c2s_mval *map)
{
	struct aj *o = obj_new(a);
	if (!o)
		return NULL;
	for (uint32_t i = 0; i < count(map); i++) {
		const struct c2s_mval *k = map_key(map, i), *v = map_value(map, i);
		const char *key = cstr(a, sval(k));
		aj_remove(o, key);
		add_str(a, o, key, sval(v));
	}
	return o;
}

/* omitempty map[string]string */
static void add_map_opt(struct api *a, struct aj *obj, const char *key, const struct c2s_mval *map)
{
	if (count(map))
		add(a, obj, key, map_object(a, map));
}

/* map[string]string that is sent as null when nil (no omitempty). */
static void add_map_or_null(struct api *a, struct aj *obj, const char *key, const struct c2s_mval *map)
{
	if (map && map->kind == C2S_MV_MAP)
		add(a, obj, key, map_object(a, map));
	else
		add(a, obj, key, aj_null(&a->pool));
}

/* AddStackLabel: the user's labels plus the namespace label, which wins. */
static struct aj *stack_labels(struct api *a, const struct c2s_mval *labels)
{
	struct aj *o = map_object(a, labels);
	if (!o)
		return NULL;
	aj_remove(o, LABEL_NAMESPACE);
	add_cstr(a, o, LABEL_NAMESPACE, a->o->stack);
	return o;
}

/* STACK_name */
static char *scoped(struct api *a, struct c2s_str name)
{
	char *p = tmp_calloc(a, a->stack_len + 1 + name.n + 1, 1);
	if (!p) {
		a->nomem = 1;
		return (char *)"";
	}
	memcpy(p, a->o->stack, a->stack_len);
	p[a->stack_len] = '_';
	if (name.n)
		memcpy(p + a->stack_len + 1, name.p, name.n);
	p[a->stack_len + 1 + name.n] = '\0';
	return p;
}

/* The name of a top-level object: its `name:` when set, else STACK_key. */
static char *object_name(struct api *a, const struct c2s_mval *obj, unsigned name_field, struct c2s_str key)
{
	struct c2s_str n = sfield(a, obj, name_field);
	return n.n ? cstr(a, n) : scoped(a, key);
}

/* ---- errors ---- */

static int vfail(struct api *a, enum c2s_rule_index rule, const struct c2s_mval *at, const char *fmt, va_list ap)
	__attribute__((format(printf, 4, 0)));

/* deploy refuses the stack: CS2008, or CS2007 for an undefined reference */
static int vfail(struct api *a, enum c2s_rule_index rule, const struct c2s_mval *at, const char *fmt, va_list ap)
{
	char msg[API_MAX_MESSAGE];
	vsnprintf(msg, sizeof msg, fmt, ap);
	const struct c2s_node *n = c2s_mval_node(a->m, at);
	if (n && at->file < a->m->ndocs)
		c2s_diag_at(a->diags, rule, a->m->docs[at->file], n, "%s", msg);
	else
		c2s_diag_add(a->diags, rule, NULL, 0, 0, "%s", msg);
	return -1;
}

__attribute__((format(printf, 3, 4)))
static int fail(struct api *a, const struct c2s_mval *at, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vfail(a, C2S_R_CS2008, at, fmt, ap);
	va_end(ap);
	return -1;
}

__attribute__((format(printf, 3, 4)))
static int fail_undefined(struct api *a, const struct c2s_mval *at, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vfail(a, C2S_R_CS2007, at, fmt, ap);
	va_end(ap);
	return -1;
}

/* Go's %q for the strings that appear in docker's messages (printable ASCII mostly). */
static const char *quoted(struct api *a, struct c2s_str s)
{
	char *p = tmp_calloc(a, s.n * 4 + 3, 1);
	if (!p) {
		a->nomem = 1;
		return "\"\"";
	}
	size_t o = 0;
	p[o++] = '"';
	for (size_t i = 0; i < s.n; i++) {
		unsigned char c = (unsigned char)s.p[i];
		if (c == '"' || c == '\\') {
			p[o++] = '\\';
			p[o++] = (char)c;
		} else if (c == '\n') {
			p[o++] = '\\';
			p[o++] = 'n';
		} else if (c == '\t') {
			p[o++] = '\\';
			p[o++] = 't';
		} else if (c < 0x20 || c == 0x7f) {
			o += (size_t)snprintf(p + o, 5, "\\x%02x", c);
		} else {
			p[o++] = (char)c;
		}
	}
	p[o++] = '"';
	p[o] = '\0';
	return p;
}

/* ---- small Go library behaviours ---- */

static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

static char *base64(const unsigned char *p, size_t n)
{
	char *out = malloc((n + 2) / 3 * 4 + 1), *o = out;
	if (!out)
		return NULL;
	size_t i = 0;
	for (; i + 3 <= n; i += 3) {
		uint32_t v = (uint32_t)p[i] << 16 | (uint32_t)p[i + 1] << 8 | p[i + 2];
		*o++ = b64[v >> 18];
		*o++ = b64[(v >> 12) & 63];
		*o++ = b64[(v >> 6) & 63];
		*o++ = b64[v & 63];
	}
	if (i < n) {
		uint32_t v = (uint32_t)p[i] << 16 | (i + 1 < n ? (uint32_t)p[i + 1] << 8 : 0);
		*o++ = b64[v >> 18];
		*o++ = b64[(v >> 12) & 63];
		*o++ = i + 1 < n ? b64[(v >> 6) & 63] : '=';
		*o++ = '=';
	}
	*o = '\0';
	return out;
}

/* ---- networks (convert.Networks + createNetworks) ---- */

int c2s_api_named_cmp(const void *x, const void *y)
{
	return strcmp(((const struct named *)x)->name, ((const struct named *)y)->name);
}

static int list_push(struct api *a, struct list *l, const char *name, struct aj *body)
{
	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 16;
		struct named *v = realloc(l->v, cap * sizeof *v);
		if (!v) {
			aj_drop(body);
			a->nomem = 1;
			return -1;
		}
		l->v = v;
		l->cap = cap;
	}
	if (!l->text.max)
		c2s_buf_init(&l->text, API_MAX_LIST_TEXT);
	size_t off = l->text.len;
	aj_write(&l->text, body, 2);
	const char *kept = c2s_arena_strndup(&a->keep, name, strlen(name));
	if (l->text.failed || !kept) {
		a->nomem = 1;
		return -1;
	}
	l->v[l->n] = (struct named){kept, NULL, off, l->text.len - off};
	l->n++;
	/* nothing else made from the pool lives across the objects of a list */
	aj_pool_reset(&a->pool);
	return 0;
}

void c2s_api_list_free(struct list *l)
{
	for (size_t i = 0; i < l->n; i++)
		aj_drop(l->v[i].body);
	free(l->v);
	l->v = NULL;
	l->n = l->cap = 0;
	c2s_buf_free(&l->text);
}

const struct c2s_mval *c2s_api_services_of(struct api *a)
{
	const struct c2s_mval *s = field(a, a->config, C2S_F_CONFIG_SERVICES);
	return s && s->kind == C2S_MV_MAP ? s : NULL;
}

static int network_create(struct api *a, struct c2s_str key, struct list *out)
{
	const struct c2s_mval *nw = map_find(a, a->networks, key);
	if (nw && nw->kind != C2S_MV_STRUCT)
		nw = NULL;
	if (is_external(a, nw, C2S_F_NETWORK_EXTERNAL))
		return 0;
	char *name = object_name(a, nw, C2S_F_NETWORK_NAME, key);
	/* a Go map keyed by name: a second network with the same name replaces the first */
	for (size_t i = 0; i < out->n; i++) {
		if (strcmp(out->v[i].name, name) == 0) {
			aj_drop(out->v[i].body);
			out->v[i] = out->v[--out->n];
			break;
		}
	}
	struct aj *b = obj_new(a);
	if (!b)
		return -1;
	struct c2s_str driver = sfield(a, nw, C2S_F_NETWORK_DRIVER);
	if (driver.n)
		add_str(a, b, "Driver", driver);
	else
		add_cstr(a, b, "Driver", "overlay");
	add_cstr(a, b, "Scope", "");
	const struct c2s_mval *ipam = given(a, nw, C2S_F_NETWORK_IPAM);
	struct c2s_str ipam_driver = sfield(a, ipam, C2S_F_IPAM_DRIVER);
	const struct c2s_mval *pools = given(a, ipam, C2S_F_IPAM_CONFIG);
	if (ipam_driver.n || count(pools)) {
		struct aj *ip = add_obj(a, b, "IPAM");
		if (ip) {
			add_str(a, ip, "Driver", ipam_driver);
			add(a, ip, "Options", aj_null(&a->pool));
			if (count(pools)) {
				struct aj *cfg = add_arr(a, ip, "Config");
				for (uint32_t i = 0; cfg && i < count(pools); i++) {
					struct aj *pool = obj_new(a);
					if (!pool || !aj_push(cfg, pool)) {
						aj_drop(pool);
						a->nomem = 1;
						break;
					}
					add_str_opt(a, pool, "Subnet", sfield(a, item(pools, i), C2S_F_IPAMPOOL_SUBNET));
				}
			} else {
				add(a, ip, "Config", aj_null(&a->pool));
			}
		}
	} else {
		add(a, b, "IPAM", aj_null(&a->pool));
	}
	add_bool(a, b, "Internal", truthy(given(a, nw, C2S_F_NETWORK_INTERNAL)));
	add_bool(a, b, "Attachable", truthy(given(a, nw, C2S_F_NETWORK_ATTACHABLE)));
	add_bool(a, b, "Ingress", 0);
	add_bool(a, b, "ConfigOnly", 0);
	add(a, b, "ConfigFrom", aj_null(&a->pool));
	add_map_or_null(a, b, "Options", given(a, nw, C2S_F_NETWORK_DRIVER_OPTS));
	add(a, b, "Labels", stack_labels(a, given(a, nw, C2S_F_NETWORK_LABELS)));
	add_cstr(a, b, "Name", name);
	if (c2s_api_version_less(a->o->api_version, "1.44"))
		add_bool(a, b, "CheckDuplicate", 1);
	return list_push(a, out, name, b);
}

static int netset_add(struct api *a, struct netset *set, struct c2s_str name)
{
	uint32_t h = key_hash(name.p, name.n);
	if (set->slot) {
		size_t mask = 2 * set->cap - 1;
		for (size_t i = h & mask; set->slot[i]; i = (i + 1) & mask) {
			const struct c2s_str *e = &set->v[set->slot[i] - 1];
			if (e->n == name.n && (name.n == 0 || memcmp(e->p, name.p, name.n) == 0))
				return 0;
		}
	}
	if (set->n == set->cap) {
		size_t cap = set->cap ? set->cap * 2 : 8;
		struct c2s_str *v = realloc(set->v, cap * sizeof *v);
		uint32_t *slot = v && cap < UINT32_MAX / 2 ? calloc(2 * cap, sizeof *slot) : NULL;
		if (!slot) {
			if (v)
				set->v = v;
			a->nomem = 1;
			return -1;
		}
		free(set->slot);
		set->v = v;
		set->cap = cap;
		set->slot = slot;
		for (size_t u = 0; u < set->n; u++) {
			size_t i = key_hash(v[u].p, v[u].n) & (2 * cap - 1);
			while (slot[i])
				i = (i + 1) & (2 * cap - 1);
			slot[i] = (uint32_t)u + 1;
		}
	}
	/* a lazily built service's strings go away with it: keep a copy */
	set->v[set->n].p = c2s_arena_strndup(&a->keep, name.p, name.n);
	if (!set->v[set->n].p) {
		a->nomem = 1;
		return -1;
	}
	set->v[set->n].n = name.n;
	size_t i = h & (2 * set->cap - 1);
	while (set->slot[i])
		i = (i + 1) & (2 * set->cap - 1);
	set->slot[i] = (uint32_t)++set->n;
	return 0;
}

int c2s_api_networks_used(struct api *a, const struct c2s_mval *svc, struct netset *set)
{
	const struct c2s_mval *nets = given(a, svc, C2S_F_SERVICE_NETWORKS);
	uint32_t k = count(nets);
	if (!k)
		return netset_add(a, set, (struct c2s_str){"default", 7});
	for (uint32_t j = 0; j < k; j++)
		if (netset_add(a, set, sval(map_key(nets, j))) < 0)
			return -1;
	return 0;
}

/* networks_used for a service not built yet, from its AST node: the keys of
 * its networks mapping or the items of its list, as build_service_networks
 * takes them (a prechecked stack needs nothing else before writing). */
int c2s_api_networks_used_lazy(struct api *a, const struct c2s_mval *v, struct netset *set)
{
	const struct c2s_doc *d = a->m->docs[v->file];
	const struct c2s_node *nets = c2s_map_get(d, c2s_node_at(d, v->node), "networks", NULL);
	int map = c2s_is_mapping(nets);
	uint32_t k = map || c2s_is_sequence(nets) ? c2s_count(nets) : 0;
	if (!k)
		return netset_add(a, set, (struct c2s_str){"default", 7});
	for (uint32_t j = 0; j < k; j++) {
		struct c2s_str name = c2s_scalar(d, map ? c2s_map_key(d, nets, j) : c2s_seq_item(d, nets, j));
		if (netset_add(a, set, name) < 0)
			return -1;
	}
	return 0;
}

int c2s_api_networks(struct api *a, const struct netset *set, struct list *out)
{
	for (size_t u = 0; u < set->n; u++)
		if (network_create(a, set->v[u], out) < 0)
			return -1;
	return 0;
}

/* ---- secrets and configs (convert.Secrets / convert.Configs) ---- */

static int read_object_file(struct api *a, const struct c2s_mval *obj, struct aj *body)
{
	struct c2s_str file = sfield(a, obj, C2S_F_FILEOBJ_FILE);
	char *path;
	if (file.n && file.p[0] == '/')
		path = cstr(a, file);
	else if (file.n)
		path = tmp_printf(a, "%s/%.*s", a->o->workdir ? a->o->workdir : ".",
					(int)file.n, file.p);
	else
		path = (char *)"";
	if (!path) {
		a->nomem = 1;
		return -1;
	}
	char msg[API_MAX_MESSAGE];
	FILE *f = path[0] ? fopen(path, "rb") : NULL;
	if (!f) {
		c2s_go_os_error(msg, sizeof msg, "open", path, path[0] ? errno : ENOENT);
		return fail(a, given(a, obj, C2S_F_FILEOBJ_FILE), "%s", msg);
	}
	struct c2s_buf data;
	c2s_buf_init(&data, C2S_MAX_OBJECT_FILE_BYTES);
	int err = 0;
	if (c2s_buf_read_stream(&data, f) == -1)
		err = errno ? errno : EIO;
	fclose(f);
	if (err) {
		c2s_buf_free(&data);
		c2s_go_os_error(msg, sizeof msg, "read", path, err);
		return fail(a, given(a, obj, C2S_F_FILEOBJ_FILE), "%s", msg);
	}
	if (data.failed) {
		c2s_buf_free(&data);
		return fail(a, given(a, obj, C2S_F_FILEOBJ_FILE), "%s: larger than %zu bytes", path,
			    (size_t)C2S_MAX_OBJECT_FILE_BYTES);
	}
	if (data.len) { /* []byte is omitempty */
		char *enc = base64((const unsigned char *)data.data, data.len);
		if (!enc) {
			a->nomem = 1;
		} else {
			add_cstr(a, body, "Data", enc);
			free(enc);
		}
	}
	c2s_buf_free(&data);
	return 0;
}

int c2s_api_file_objects(struct api *a, const struct c2s_mval *map, int secrets, struct list *out)
{
	for (uint32_t i = 0; i < count(map); i++) {
		struct c2s_str key = sval(map_key(map, i));
		const struct c2s_mval *obj = map_value(map, i);
		if (obj->kind != C2S_MV_STRUCT)
			obj = NULL;
		if (is_external(a, obj, C2S_F_FILEOBJ_EXTERNAL))
			continue;
		char *name = object_name(a, obj, C2S_F_FILEOBJ_NAME, key);
		struct aj *b = obj_new(a);
		if (!b)
			return -1;
		add_cstr(a, b, "Name", name);
		add(a, b, "Labels", stack_labels(a, given(a, obj, C2S_F_FILEOBJ_LABELS)));
		struct c2s_str driver = sfield(a, obj, C2S_F_FILEOBJ_DRIVER);
		if (secrets && driver.n) {
			struct aj *d = add_obj(a, b, "Driver");
			if (d) {
				add_str(a, d, "Name", driver);
				add_map_opt(a, d, "Options", given(a, obj, C2S_F_FILEOBJ_DRIVER_OPTS));
			}
		} else if (read_object_file(a, obj, b) < 0) {
			aj_drop(b);
			return -1;
		}
		struct c2s_str tmpl = sfield(a, obj, C2S_F_FILEOBJ_TEMPLATE_DRIVER);
		if (tmpl.n) {
			struct aj *t = add_obj(a, b, "Templating");
			if (t)
				add_str(a, t, "Name", tmpl);
		}
		if (list_push(a, out, name, b) < 0)
			return -1;
	}
	return 0;
}

/* ---- services (convert.Service) ---- */

struct ref {
	const char *name; /* SecretName / ConfigName */
	struct aj *body;
	size_t seq;
};

static int ref_cmp(const void *x, const void *y)
{
	const struct ref *p = x, *q = y;
	int c = strcmp(p->name, q->name);
	return c ? c : (p->seq > q->seq) - (p->seq < q->seq); /* sort.SliceStable */
}

/* secrets: or configs: of a service into sorted references. */
static int file_refs(struct api *a, const struct c2s_mval *svc, int secrets, const struct c2s_mval *extra_cred,
		     struct aj *cs)
{
	const struct c2s_mval *list = given(a, svc, secrets ? C2S_F_SERVICE_SECRETS : C2S_F_SERVICE_CONFIGS);
	const struct c2s_mval *objs = secrets ? a->secrets : a->configs;
	uint32_t n = count(list);
	size_t total = n + (extra_cred ? 1 : 0);
	if (!total)
		return 0;
	struct ref *refs = tmp_calloc(a, total, sizeof *refs);
	if (!refs) {
		a->nomem = 1;
		return -1;
	}
	size_t k = 0;
	int rc = 0;
	for (uint32_t i = 0; i < n; i++) {
		const struct c2s_mval *r = item(list, i);
		struct c2s_str source = sfield(a, r, C2S_F_FILEREF_SOURCE);
		const struct c2s_mval *obj = map_find(a, objs, source);
		if (!obj) {
			rc = fail_undefined(a, r, "undefined %s %s", secrets ? "secret" : "config", quoted(a, source));
			break;
		}
		if (obj->kind != C2S_MV_STRUCT)
			obj = NULL;
		struct c2s_str target = sfield(a, r, C2S_F_FILEREF_TARGET);
		struct c2s_str uid = sfield(a, r, C2S_F_FILEREF_UID), gid = sfield(a, r, C2S_F_FILEREF_GID);
		const struct c2s_mval *mode = given(a, r, C2S_F_FILEREF_MODE);
		struct aj *b = obj_new(a);
		if (!b) {
			rc = -1;
			break;
		}
		refs[k].name = object_name(a, obj, C2S_F_FILEOBJ_NAME, source);
		refs[k].body = b;
		refs[k].seq = k;
		k++;
		struct aj *file = add_obj(a, b, "File");
		if (file) {
			add_str(a, file, "Name", target.n ? target : source);
			add_str(a, file, "UID", uid.n ? uid : (struct c2s_str){"0", 1});
			add_str(a, file, "GID", gid.n ? gid : (struct c2s_str){"0", 1});
			add_uint(a, file, "Mode", mode ? (uint64_t)(uint32_t)ival(mode) : 0444);
		}
		add_cstr(a, b, secrets ? "SecretID" : "ConfigID", "");
		add_cstr(a, b, secrets ? "SecretName" : "ConfigName", refs[k - 1].name);
	}
	if (rc == 0 && extra_cred) {
		/* credential_spec.config: a runtime config reference */
		struct c2s_str key = sval(extra_cred);
		const struct c2s_mval *obj = map_find(a, objs, key);
		if (!obj) {
			rc = fail_undefined(a, extra_cred, "undefined config %s", quoted(a, key));
		} else {
			struct aj *b = obj_new(a);
			if (!b) {
				rc = -1;
			} else {
				struct c2s_str nm = sfield(a, obj->kind == C2S_MV_STRUCT ? obj : NULL, C2S_F_FILEOBJ_NAME);
				refs[k].name = nm.n ? cstr(a, nm) : scoped(a, key);
				refs[k].body = b;
				refs[k].seq = k;
				k++;
				add_obj(a, b, "Runtime");
				add_cstr(a, b, "ConfigID", "");
				add_cstr(a, b, "ConfigName", refs[k - 1].name);
			}
		}
	}
	if (rc == 0 && k) {
		sort_items(refs, k, sizeof *refs, ref_cmp);
		struct aj *arr = add_arr(a, cs, secrets ? "Secrets" : "Configs");
		for (size_t i = 0; i < k; i++) {
			if (arr && aj_push(arr, refs[i].body))
				refs[i].body = NULL;
		}
	}
	for (size_t i = 0; i < k; i++)
		aj_drop(refs[i].body);
	return rc;
}

/* convertDeployMode's refusals */
static int mode_check(struct api *a, const struct c2s_mval *deploy)
{
	struct c2s_str mode = sfield(a, deploy, C2S_F_DEPLOY_MODE);
	const struct c2s_mval *replicas = given(a, deploy, C2S_F_DEPLOY_REPLICAS);
	if (str_eq(mode, "global") || str_eq(mode, "global-job")) {
		if (replicas)
			return fail(a, replicas, "replicas can only be used with replicated or replicated-job mode");
		return 0;
	}
	if (mode.n == 0 || str_eq(mode, "replicated") || str_eq(mode, "replicated-job"))
		return 0;
	return fail(a, given(a, deploy, C2S_F_DEPLOY_MODE), "Unknown mode: %.*s", (int)mode.n, mode.p);
}

static int mode_spec(struct api *a, const struct c2s_mval *deploy, struct aj *spec)
{
	struct c2s_str mode = sfield(a, deploy, C2S_F_DEPLOY_MODE);
	const struct c2s_mval *replicas = given(a, deploy, C2S_F_DEPLOY_REPLICAS);
	if (mode_check(a, deploy) < 0)
		return -1;
	if (str_eq(mode, "global") || str_eq(mode, "global-job")) {
		struct aj *m = add_obj(a, spec, "Mode");
		if (m)
			add_obj(a, m, str_eq(mode, "global") ? "Global" : "GlobalJob");
		return 0;
	}
	if (str_eq(mode, "replicated-job")) {
		struct aj *m = add_obj(a, spec, "Mode");
		struct aj *j = m ? add_obj(a, m, "ReplicatedJob") : NULL;
		if (j && replicas) {
			add_u64_val(a, j, "MaxConcurrent", replicas);
			add_u64_val(a, j, "TotalCompletions", replicas);
		}
		return 0;
	}
	if (mode.n == 0 || str_eq(mode, "replicated")) {
		struct aj *m = add_obj(a, spec, "Mode");
		struct aj *r = m ? add_obj(a, m, "Replicated") : NULL;
		if (r && replicas)
			add_u64_val(a, r, "Replicas", replicas);
	}
	return 0;
}

static const char *const mount_types[] = {"volume", "bind", "tmpfs", "npipe", "cluster", "image"};

/* The refusals of convertVolumeToMount and its handlers, in their order;
 * gives the type's index and the stack volume a named source refers to. */
static int mount_check(struct api *a, const struct c2s_mval *v, int *type_out, const struct c2s_mval **vol_out)
{
	struct c2s_str type = sfield(a, v, C2S_F_SVCVOL_TYPE);
	struct c2s_str source = sfield(a, v, C2S_F_SVCVOL_SOURCE);
	const struct c2s_mval *bind = field(a, v, C2S_F_SVCVOL_BIND), *vol = field(a, v, C2S_F_SVCVOL_VOLUME),
			      *image = field(a, v, C2S_F_SVCVOL_IMAGE), *tmpfs = field(a, v, C2S_F_SVCVOL_TMPFS),
			      *cluster = field(a, v, C2S_F_SVCVOL_CLUSTER);
	int t = -1;
	for (int i = 0; i < 6; i++)
		if (str_eq(type, mount_types[i]))
			t = i;
	if (type.n == 0)
		t = 0;
	if (t < 0)
		return fail(a, v, "volume type must be volume, bind, tmpfs, npipe, or cluster");
	/* option blocks that do not belong to the type, in docker's order of checks */
	static const struct {
		int type;
		const char *checks; /* letters: i image, t tmpfs, b bind, c cluster, v volume */
	} rules[] = {{0, "itbc"}, {1, "vitc"}, {2, "bvic"}, {3, "vit"}, {4, "tbv"}, {5, "vbtc"}};
	static const char *const names[] = {"volume", "bind", "tmpfs", "npipe", "cluster", "image"};
	if (t == 1 || t == 3 || t == 5 || t == 4) {
		if (source.n == 0) {
			const char *what = t == 1 ? "bind" : t == 3 ? "npipe" : t == 4 ? "cluster" : "image";
			/* image checks its source before the option blocks, bind/npipe/cluster too */
			return fail(a, v, "invalid %s source, source cannot be empty", what);
		}
	}
	if (t == 2 && source.n)
		return fail(a, v, "invalid tmpfs source, source must be empty");
	for (const char *c = rules[t].checks; *c; c++) {
		const struct c2s_mval *blk = *c == 'i' ? image : *c == 't' ? tmpfs : *c == 'b' ? bind : *c == 'c' ? cluster : vol;
		const char *word = *c == 'i' ? (t == 0 ? "images" : "image") : *c == 't' ? "tmpfs" : *c == 'b' ? "bind"
				 : *c == 'c' ? "cluster" : "volume";
		if (blk)
			return fail(a, v, "%s options are incompatible with type %s", word, names[t]);
	}
	const struct c2s_mval *stack_vol = NULL;
	if (t == 0 && source.n) {
		stack_vol = map_find(a, a->volumes, source);
		if (!stack_vol)
			return fail_undefined(a, v, "undefined volume %s", quoted(a, source));
		if (stack_vol->kind != C2S_MV_STRUCT)
			stack_vol = NULL;
	}
	if (t == 4 && !(source.n >= 6 && memcmp(source.p, "group:", 6) == 0)) {
		stack_vol = map_find(a, a->volumes, source);
		if (!stack_vol)
			return fail_undefined(a, v, "undefined volume %s", quoted(a, source));
		if (stack_vol->kind != C2S_MV_STRUCT)
			stack_vol = NULL;
	}
	*type_out = t;
	*vol_out = stack_vol;
	return 0;
}

static int mount_one(struct api *a, const struct c2s_mval *v, struct aj *arr)
{
	struct c2s_str type = sfield(a, v, C2S_F_SVCVOL_TYPE);
	struct c2s_str source = sfield(a, v, C2S_F_SVCVOL_SOURCE);
	const struct c2s_mval *bind = field(a, v, C2S_F_SVCVOL_BIND), *vol = field(a, v, C2S_F_SVCVOL_VOLUME),
			      *image = field(a, v, C2S_F_SVCVOL_IMAGE), *tmpfs = field(a, v, C2S_F_SVCVOL_TMPFS);
	const struct c2s_mval *stack_vol = NULL;
	int t = 0;
	if (mount_check(a, v, &t, &stack_vol) < 0)
		return -1;
	struct aj *m = obj_new(a);
	if (!m || !aj_push(arr, m)) {
		aj_drop(m);
		a->nomem = 1;
		return -1;
	}
	add_str_opt(a, m, "Type", type);
	if ((t == 0 || t == 4) && stack_vol != NULL) {
		add_cstr(a, m, "Source", object_name(a, stack_vol, C2S_F_VOLUME_NAME, source));
	} else if ((t == 0 || t == 4) && source.n && !(t == 4 && source.n >= 6 && memcmp(source.p, "group:", 6) == 0)) {
		add_cstr(a, m, "Source", scoped(a, source)); /* declared as null */
	} else {
		add_str_opt(a, m, "Source", source);
	}
	add_str_opt(a, m, "Target", sfield(a, v, C2S_F_SVCVOL_TARGET));
	if (truthy(given(a, v, C2S_F_SVCVOL_READ_ONLY)))
		add_bool(a, m, "ReadOnly", 1);
	add_str_opt(a, m, "Consistency", sfield(a, v, C2S_F_SVCVOL_CONSISTENCY));
	switch (t) {
	case 0:
		if (source.n) {
			struct aj *o = add_obj(a, m, "VolumeOptions");
			if (!o)
				break;
			if (truthy(given(a, vol, C2S_F_VVOLUME_NOCOPY)))
				add_bool(a, o, "NoCopy", 1);
			if (!is_external(a, stack_vol, C2S_F_VOLUME_EXTERNAL)) {
				add(a, o, "Labels", stack_labels(a, given(a, stack_vol, C2S_F_VOLUME_LABELS)));
			}
			add_str_opt(a, o, "Subpath", sfield(a, vol, C2S_F_VVOLUME_SUBPATH));
			struct c2s_str drv = sfield(a, stack_vol, C2S_F_VOLUME_DRIVER);
			const struct c2s_mval *opts = given(a, stack_vol, C2S_F_VOLUME_DRIVER_OPTS);
			if (!is_external(a, stack_vol, C2S_F_VOLUME_EXTERNAL) && (drv.n || opts)) {
				struct aj *d = add_obj(a, o, "DriverConfig");
				if (d) {
					add_str_opt(a, d, "Name", drv);
					add_map_opt(a, d, "Options", opts);
				}
			}
		}
		break;
	case 1:
	case 3:
		if (bind) {
			struct aj *o = add_obj(a, m, "BindOptions");
			if (o)
				add_str_opt(a, o, "Propagation", sfield(a, bind, C2S_F_VBIND_PROPAGATION));
		}
		break;
	case 2:
		if (tmpfs) {
			struct aj *o = add_obj(a, m, "TmpfsOptions");
			int64_t size = ival(given(a, tmpfs, C2S_F_VTMPFS_SIZE));
			if (o && size)
				add_int(a, o, "SizeBytes", size);
		}
		break;
	case 4:
		add_obj(a, m, "ClusterOptions");
		break;
	case 5:
		if (image) {
			struct aj *o = add_obj(a, m, "ImageOptions");
			if (o)
				add_str_opt(a, o, "Subpath", sfield(a, image, C2S_F_VIMAGE_SUBPATH));
		}
		break;
	default:
		break;
	}
	return 0;
}

static int mounts(struct api *a, const struct c2s_mval *svc, struct aj *cs)
{
	const struct c2s_mval *vols = given(a, svc, C2S_F_SERVICE_VOLUMES);
	if (!count(vols))
		return 0;
	struct aj *arr = aj_array(&a->pool);
	if (!arr) {
		a->nomem = 1;
		return -1;
	}
	for (uint32_t i = 0; i < count(vols); i++) {
		if (mount_one(a, item(vols, i), arr) < 0) {
			aj_drop(arr);
			return -1;
		}
	}
	add(a, cs, "Mounts", arr);
	return 0;
}

/* opts.ParseCPUs of a cpus: value (0 when absent) */
static int cpus_value(struct api *a, const struct c2s_mval *res, unsigned f, int64_t *nano)
{
	const struct c2s_mval *v = given(a, res, f);
	struct c2s_str s = sval(v);
	char err[API_MAX_MESSAGE];
	*nano = 0;
	if (s.n == 0)
		return 0;
	if (c2s_cpus_parse(s.p, s.n, nano, err, sizeof err) != 0)
		return fail(a, v, "%s", err);
	return 0;
}

static int cpus(struct api *a, const struct c2s_mval *res, unsigned f, struct aj *o)
{
	int64_t nano;
	if (cpus_value(a, res, f, &nano) < 0)
		return -1;
	if (nano)
		add_int(a, o, "NanoCPUs", nano);
	return 0;
}

static int resources(struct api *a, const struct c2s_mval *deploy, struct aj *tt)
{
	const struct c2s_mval *res = given(a, deploy, C2S_F_DEPLOY_RESOURCES);
	struct aj *r = add_obj(a, tt, "Resources");
	if (!r)
		return -1;
	const struct c2s_mval *lim = field(a, res, C2S_F_RESOURCES_LIMITS);
	if (lim) {
		struct aj *o = add_obj(a, r, "Limits");
		if (!o || cpus(a, lim, C2S_F_LIMIT_CPUS, o) < 0)
			return -1;
		int64_t mem = ival(given(a, lim, C2S_F_LIMIT_MEMORY)), pids = ival(given(a, lim, C2S_F_LIMIT_PIDS));
		if (mem)
			add_int(a, o, "MemoryBytes", mem);
		if (pids)
			add_int(a, o, "Pids", pids);
	}
	const struct c2s_mval *rsv = field(a, res, C2S_F_RESOURCES_RESERVATIONS);
	if (rsv) {
		struct aj *o = add_obj(a, r, "Reservations");
		if (!o || cpus(a, rsv, C2S_F_RESOURCE_CPUS, o) < 0)
			return -1;
		int64_t mem = ival(given(a, rsv, C2S_F_RESOURCE_MEMORY));
		if (mem)
			add_int(a, o, "MemoryBytes", mem);
		const struct c2s_mval *gen = given(a, rsv, C2S_F_RESOURCE_GENERIC_RESOURCES);
		if (count(gen)) {
			struct aj *arr = add_arr(a, o, "GenericResources");
			for (uint32_t i = 0; arr && i < count(gen); i++) {
				struct aj *g = obj_new(a);
				if (!g || !aj_push(arr, g)) {
					aj_drop(g);
					a->nomem = 1;
					break;
				}
				const struct c2s_mval *d = field(a, item(gen, i), C2S_F_GENERIC_DISCRETE);
				if (d) {
					struct aj *ds = add_obj(a, g, "DiscreteResourceSpec");
					if (!ds)
						break;
					add_str_opt(a, ds, "Kind", sfield(a, d, C2S_F_DISCRETE_KIND));
					int64_t val = ival(given(a, d, C2S_F_DISCRETE_VALUE));
					if (val)
						add_int(a, ds, "Value", val);
				}
			}
		}
	}
	return 0;
}

/* opts.ParseRestartPolicy of `restart:` as convertRestartPolicy maps it:
 * kind 0 none, 1 any, 2 on-failure with attempts. */
static int restart_parse(struct api *a, const struct c2s_mval *svc, int *kind, uint64_t *attempts)
{
	const struct c2s_mval *rv = given(a, svc, C2S_F_SERVICE_RESTART);
	struct c2s_str r = sval(rv);
	*kind = 0;
	*attempts = 0;
	if (r.n == 0)
		return 0;
	const char *colon = memchr(r.p, ':', r.n);
	struct c2s_str name = {r.p, colon ? (size_t)(colon - r.p) : r.n};
	if (colon && name.n == 0)
		return fail(a, rv, "invalid restart policy format: no policy provided before colon");
	if (colon && (size_t)(colon - r.p) + 1 < r.n) {
		char num[32];
		size_t nn = r.n - (size_t)(colon - r.p) - 1;
		char *end;
		if (nn >= sizeof num)
			return fail(a, rv, "invalid restart policy format: maximum retry count must be an integer");
		memcpy(num, colon + 1, nn);
		num[nn] = '\0';
		errno = 0;
		long long v = strtoll(num, &end, 10);
		if (*end || errno || num[0] == ' ' || num[0] == '\t' || num[0] == '\n' ||
		    (v > INT64_MAX || v < INT64_MIN))
			return fail(a, rv, "invalid restart policy format: maximum retry count must be an integer");
		*attempts = (uint64_t)v;
	}
	if (str_eq(name, "no"))
		return 0;
	if (str_eq(name, "always") || str_eq(name, "unless-stopped")) {
		*kind = 1;
		return 0;
	}
	if (str_eq(name, "on-failure")) {
		*kind = 2;
		return 0;
	}
	return fail(a, rv, "unknown restart policy: %.*s", (int)r.n, r.p);
}

static int restart_policy(struct api *a, const struct c2s_mval *svc, const struct c2s_mval *deploy, struct aj *tt)
{
	const struct c2s_mval *rp = field(a, deploy, C2S_F_DEPLOY_RESTART_POLICY);
	if (rp) {
		struct aj *o = add_obj(a, tt, "RestartPolicy");
		if (!o)
			return -1;
		add_str_opt(a, o, "Condition", sfield(a, rp, C2S_F_RESTART_CONDITION));
		const struct c2s_mval *d = given(a, rp, C2S_F_RESTART_DELAY), *m = given(a, rp, C2S_F_RESTART_MAX_ATTEMPTS),
				      *w = given(a, rp, C2S_F_RESTART_WINDOW);
		if (d)
			add_int(a, o, "Delay", ival(d));
		if (m)
			add_u64_val(a, o, "MaxAttempts", m);
		if (w)
			add_int(a, o, "Window", ival(w));
		return 0;
	}
	int kind;
	uint64_t attempts;
	if (restart_parse(a, svc, &kind, &attempts) < 0)
		return -1;
	if (kind == 0)
		return 0;
	if (kind == 1) {
		struct aj *o = add_obj(a, tt, "RestartPolicy");
		if (o)
			add_cstr(a, o, "Condition", "any");
		return 0;
	}
	struct aj *o = add_obj(a, tt, "RestartPolicy");
	if (o) {
		add_cstr(a, o, "Condition", "on-failure");
		add_uint(a, o, "MaxAttempts", attempts);
	}
	return 0;
}

static int healthcheck(struct api *a, const struct c2s_mval *svc, struct aj *cs)
{
	const struct c2s_mval *h = field(a, svc, C2S_F_SERVICE_HEALTHCHECK);
	if (!h || h->kind == C2S_MV_NULL) {
		/* healthcheck: null is a nil pointer in Go: no field */
		return 0;
	}
	const struct c2s_mval *test = given(a, h, C2S_F_HEALTH_TEST);
	if (truthy(given(a, h, C2S_F_HEALTH_DISABLE))) {
		if (count(test))
			return fail(a, h, "test and disable can't be set at the same time");
		struct aj *o = add_obj(a, cs, "Healthcheck");
		struct aj *arr = o ? add_arr(a, o, "Test") : NULL;
		struct aj *none = arr ? aj_string(&a->pool, "NONE") : NULL;
		if (arr && (!none || !aj_push(arr, none))) {
			aj_drop(none);
			a->nomem = 1;
		}
		return 0;
	}
	struct aj *o = add_obj(a, cs, "Healthcheck");
	if (!o)
		return -1;
	add_strlist_opt(a, o, "Test", test);
	static const struct {
		const char *key;
		unsigned f;
	} durs[] = {{"Interval", C2S_F_HEALTH_INTERVAL}, {"Timeout", C2S_F_HEALTH_TIMEOUT},
		    {"StartPeriod", C2S_F_HEALTH_START_PERIOD}, {"StartInterval", C2S_F_HEALTH_START_INTERVAL}};
	for (size_t i = 0; i < sizeof durs / sizeof durs[0]; i++) {
		int64_t d = ival(given(a, h, durs[i].f));
		if (d)
			add_int(a, o, durs[i].key, d);
	}
	int64_t retries = (int64_t)(uint64_t)ival(given(a, h, C2S_F_HEALTH_RETRIES));
	if (retries)
		add_int(a, o, "Retries", retries);
	return 0;
}

/* container.NetworkMode(target).IsUserDefined() */
static int user_defined(const char *t)
{
	return strcmp(t, "default") != 0 && strcmp(t, "bridge") != 0 && strcmp(t, "host") != 0 &&
	       strcmp(t, "none") != 0 && strncmp(t, "container:", 10) != 0;
}

struct attach {
	const char *target;
	struct aj *body;
};

static int attach_cmp(const void *x, const void *y)
{
	return strcmp(((const struct attach *)x)->target, ((const struct attach *)y)->target);
}

static int service_networks(struct api *a, const struct c2s_mval *svc, struct c2s_str svc_name, struct aj *tt)
{
	const struct c2s_mval *nets = given(a, svc, C2S_F_SERVICE_NETWORKS);
	uint32_t n = count(nets);
	size_t total = n ? n : 1;
	struct attach *v = tmp_calloc(a, total, sizeof *v);
	if (!v) {
		a->nomem = 1;
		return -1;
	}
	int rc = 0;
	size_t k = 0;
	for (size_t i = 0; i < total; i++) {
		struct c2s_str key = n ? sval(map_key(nets, (uint32_t)i)) : (struct c2s_str){"default", 7};
		const struct c2s_mval *cfg = n ? map_value(nets, (uint32_t)i) : NULL;
		if (cfg && cfg->kind != C2S_MV_STRUCT)
			cfg = NULL;
		const struct c2s_mval *nw = map_find(a, a->networks, key);
		if (!nw && !str_eq(key, "default")) {
			rc = fail_undefined(a, n ? map_key(nets, (uint32_t)i) : svc, "undefined network %s", quoted(a, key));
			break;
		}
		if (nw && nw->kind != C2S_MV_STRUCT)
			nw = NULL;
		const char *target = object_name(a, nw, C2S_F_NETWORK_NAME, key);
		struct aj *b = obj_new(a);
		if (!b) {
			rc = -1;
			break;
		}
		v[k].target = target;
		v[k].body = b;
		k++;
		add_cstr(a, b, "Target", target);
		const struct c2s_mval *aliases = given(a, cfg, C2S_F_SVCNET_ALIASES);
		int extra = user_defined(target);
		if (count(aliases) || extra) {
			struct aj *arr = add_arr(a, b, "Aliases");
			for (uint32_t j = 0; arr && j < count(aliases); j++) {
				struct aj *s = str_ref(a, sval(item(aliases, j)));
				if (!s || !aj_push(arr, s)) {
					aj_drop(s);
					a->nomem = 1;
				}
			}
			if (arr && extra) {
				struct aj *s = str_ref(a, svc_name);
				if (!s || !aj_push(arr, s)) {
					aj_drop(s);
					a->nomem = 1;
				}
			}
		}
		add_map_opt(a, b, "DriverOpts", given(a, cfg, C2S_F_SVCNET_DRIVER_OPTS));
	}
	if (rc == 0) {
		sort_items(v, k, sizeof *v, attach_cmp);
		struct aj *arr = add_arr(a, tt, "Networks");
		for (size_t i = 0; i < k; i++)
			if (arr && aj_push(arr, v[i].body))
				v[i].body = NULL;
	}
	for (size_t i = 0; i < k; i++)
		aj_drop(v[i].body);
	return rc;
}

/* convertCredentialSpec's refusals */
static int credential_check(struct api *a, const struct c2s_mval *svc)
{
	const struct c2s_mval *cred = given(a, svc, C2S_F_SERVICE_CREDENTIAL_SPEC);
	struct c2s_str cfg = sfield(a, cred, C2S_F_CREDSPEC_CONFIG), file = sfield(a, cred, C2S_F_CREDSPEC_FILE),
		       reg = sfield(a, cred, C2S_F_CREDSPEC_REGISTRY);
	const char *set[3];
	int l = 0;
	if (cfg.n)
		set[l++] = "\"Config\"";
	if (file.n)
		set[l++] = "\"File\"";
	if (reg.n)
		set[l++] = "\"Registry\"";
	if (l == 2)
		return fail(a, cred, "invalid credential spec: cannot specify both %s and %s", set[0], set[1]);
	if (l == 3)
		return fail(a, cred, "invalid credential spec: cannot specify both %s, %s, and %s", set[0], set[1],
			    set[2]);
	if (cfg.n) {
		/* the config must be among the service's config references, by its
		 * key or STACK_key (a config with its own name: is not found) */
		char *want1 = cstr(a, cfg), *want2 = scoped(a, cfg);
		int found = 0;
		const struct c2s_mval *list = given(a, svc, C2S_F_SERVICE_CONFIGS);
		for (uint32_t i = 0; i < count(list) + 1 && !found; i++) {
			struct c2s_str key = i < count(list) ? sfield(a, item(list, i), C2S_F_FILEREF_SOURCE) : cfg;
			const struct c2s_mval *obj = map_find(a, a->configs, key);
			const char *name = object_name(a, obj && obj->kind == C2S_MV_STRUCT ? obj : NULL,
						       C2S_F_FILEOBJ_NAME, key);
			found = strcmp(name, want1) == 0 || strcmp(name, want2) == 0;
		}
		if (!found)
			return fail(a, given(a, cred, C2S_F_CREDSPEC_CONFIG),
				    "invalid credential spec: spec specifies config %s, but no such config can be found", want1);
	}
	return 0;
}

static int credential_spec(struct api *a, const struct c2s_mval *svc, struct aj *priv)
{
	const struct c2s_mval *cred = given(a, svc, C2S_F_SERVICE_CREDENTIAL_SPEC);
	struct c2s_str cfg = sfield(a, cred, C2S_F_CREDSPEC_CONFIG), file = sfield(a, cred, C2S_F_CREDSPEC_FILE),
		       reg = sfield(a, cred, C2S_F_CREDSPEC_REGISTRY);
	if (credential_check(a, svc) < 0)
		return -1;
	if (!cfg.n && !file.n && !reg.n) {
		add(a, priv, "CredentialSpec", aj_null(&a->pool));
		return 0;
	}
	struct aj *o = add_obj(a, priv, "CredentialSpec");
	if (!o)
		return -1;
	add_cstr(a, o, "Config", ""); /* the config's ID: only a daemon knows it */
	add_str(a, o, "File", file);
	add_str(a, o, "Registry", reg);
	return 0;
}

static int cap_cmp(const void *x, const void *y)
{
	return strcmp(*(char *const *)x, *(char *const *)y);
}

/* opts.NormalizeCapability into the arena */
static char *cap_norm(struct api *a, struct c2s_str s)
{
	while (s.n && strchr(" \t\n\v\f\r", s.p[0]))
		s.p++, s.n--;
	while (s.n && strchr(" \t\n\v\f\r", s.p[s.n - 1]))
		s.n--;
	char *p = tmp_calloc(a, s.n + 5, 1);
	if (!p) {
		a->nomem = 1;
		return (char *)"";
	}
	size_t o = 0;
	for (size_t i = 0; i < s.n; i++)
		p[o++] = (s.p[i] >= 'a' && s.p[i] <= 'z') ? (char)(s.p[i] - 'a' + 'A') : s.p[i];
	p[o] = '\0';
	if (strcmp(p, "ALL") == 0 || strcmp(p, "RESET") == 0 || strncmp(p, "CAP_", 4) == 0)
		return p;
	memmove(p + 4, p, o + 1);
	memcpy(p, "CAP_", 4);
	return p;
}

/* a de-duplicated, normalised set of capabilities */
static size_t cap_set(struct api *a, const struct c2s_mval *list, char **out)
{
	size_t n = 0;
	for (uint32_t i = 0; i < count(list); i++) {
		char *c = cap_norm(a, sval(item(list, i)));
		size_t j;
		for (j = 0; j < n; j++)
			if (strcmp(out[j], c) == 0)
				break;
		if (j == n)
			out[n++] = c;
	}
	for (size_t j = 0; j < n; j++) {
		if (strcmp(out[j], "ALL") == 0) {
			out[0] = out[j];
			return 1;
		}
	}
	return n;
}

static int capabilities(struct api *a, const struct c2s_mval *svc, struct aj *cs)
{
	const struct c2s_mval *addl = given(a, svc, C2S_F_SERVICE_CAP_ADD), *dropl = given(a, svc, C2S_F_SERVICE_CAP_DROP);
	size_t na = count(addl), nd = count(dropl);
	char **add_ = tmp_calloc(a, na + 1, sizeof *add_), **drop = tmp_calloc(a, nd + 1, sizeof *drop);
	if (!add_ || !drop)
		return -1;
	na = cap_set(a, addl, add_);
	nd = cap_set(a, dropl, drop);
	size_t ka = 0, kd = 0;
	for (size_t i = 0; i < nd; i++) {
		size_t j;
		for (j = 0; j < na; j++)
			if (strcmp(drop[i], add_[j]) == 0)
				break;
		if (j == na && strcmp(drop[i], "RESET") != 0)
			drop[kd++] = drop[i];
	}
	for (size_t i = 0; i < na; i++)
		if (strcmp(add_[i], "RESET") != 0)
			add_[ka++] = add_[i];
	sort_items(add_, ka, sizeof *add_, cap_cmp);
	sort_items(drop, kd, sizeof *drop, cap_cmp);
	for (int which = 0; which < 2; which++) {
		char **v = which ? drop : add_;
		size_t k = which ? kd : ka;
		if (!k)
			continue;
		struct aj *arr = add_arr(a, cs, which ? "CapabilityDrop" : "CapabilityAdd");
		for (size_t i = 0; arr && i < k; i++) {
			struct aj *s = aj_string(&a->pool, v[i]);
			if (!s || !aj_push(arr, s)) {
				aj_drop(s);
				a->nomem = 1;
			}
		}
	}
	return 0;
}

static int str_cmp(const void *x, const void *y)
{
	return strcmp(*(char *const *)x, *(char *const *)y);
}

/* "KEY=value" in the scratch, each part cut at a NUL as "%.*s" does (printf's
 * formatting cost a sixth of c2s_api_service()). */
static char *env_entry(struct api *a, struct c2s_str k, struct c2s_str v)
{
	size_t kn = k.n ? strnlen(k.p, k.n) : 0, vn = v.n ? strnlen(v.p, v.n) : 0;
	char *s = tmp_calloc(a, kn + vn + 2, 1);
	if (!s)
		return NULL;
	if (kn)
		memcpy(s, k.p, kn);
	s[kn] = '=';
	if (vn)
		memcpy(s + kn + 1, v.p, vn);
	s[kn + 1 + vn] = '\0';
	return s;
}

static void environment(struct api *a, const struct c2s_mval *svc, struct aj *cs)
{
	const struct c2s_mval *env = given(a, svc, C2S_F_SERVICE_ENVIRONMENT);
	uint32_t n = count(env);
	if (!n)
		return;
	char **v = tmp_calloc(a, n, sizeof *v);
	if (!v) {
		a->nomem = 1;
		return;
	}
	for (uint32_t i = 0; i < n; i++) {
		struct c2s_str k = sval(map_key(env, i));
		const struct c2s_mval *val = map_value(env, i);
		if (val->kind == C2S_MV_STR)
			v[i] = env_entry(a, k, (struct c2s_str){val->u.s, val->n});
		else
			v[i] = cstr(a, k);
		if (!v[i]) {
			a->nomem = 1;
			v[i] = (char *)"";
		}
	}
	sort_items(v, n, sizeof *v, str_cmp);
	struct aj *arr = add_arr(a, cs, "Env");
	for (uint32_t i = 0; arr && i < n; i++) {
		struct aj *s = aj_string_ref(&a->pool, v[i]);
		if (!s || !aj_push(arr, s)) {
			aj_drop(s);
			a->nomem = 1;
		}
	}
}

static void extra_hosts(struct api *a, const struct c2s_mval *svc, struct aj *cs)
{
	const struct c2s_mval *hosts = given(a, svc, C2S_F_SERVICE_EXTRA_HOSTS);
	struct aj *arr = NULL;
	for (uint32_t i = 0; i < count(hosts); i++) {
		struct c2s_str h = sval(item(hosts, i));
		const char *colon = memchr(h.p, ':', h.n);
		if (!colon)
			continue;
		if (!arr && !(arr = add_arr(a, cs, "Hosts")))
			return;
		size_t hn = (size_t)(colon - h.p);
		char *s = tmp_printf(a, "%.*s %.*s", (int)(h.n - hn - 1), colon + 1, (int)hn, h.p);
		struct aj *js = s ? aj_string(&a->pool, s) : NULL;
		if (!js || !aj_push(arr, js)) {
			aj_drop(js);
			a->nomem = 1;
		}
	}
}

struct ulimit {
	const char *name;
	int64_t soft, hard;
};

static int ulimit_cmp(const void *x, const void *y)
{
	return strcmp(((const struct ulimit *)x)->name, ((const struct ulimit *)y)->name);
}

static void ulimits(struct api *a, const struct c2s_mval *svc, struct aj *cs)
{
	const struct c2s_mval *map = given(a, svc, C2S_F_SERVICE_ULIMITS);
	uint32_t n = count(map);
	if (!n)
		return;
	struct ulimit *u = tmp_calloc(a, n, sizeof *u);
	if (!u) {
		a->nomem = 1;
		return;
	}
	for (uint32_t i = 0; i < n; i++) {
		const struct c2s_mval *v = map_value(map, i);
		int64_t single = ival(given(a, v, C2S_F_ULIMIT_SINGLE));
		u[i].name = cstr(a, sval(map_key(map, i)));
		u[i].soft = single ? single : ival(given(a, v, C2S_F_ULIMIT_SOFT));
		u[i].hard = single ? single : ival(given(a, v, C2S_F_ULIMIT_HARD));
	}
	sort_items(u, n, sizeof *u, ulimit_cmp);
	struct aj *arr = add_arr(a, cs, "Ulimits");
	for (uint32_t i = 0; arr && i < n; i++) {
		struct aj *o = obj_new(a);
		if (!o || !aj_push(arr, o)) {
			aj_drop(o);
			a->nomem = 1;
			break;
		}
		add_cstr(a, o, "Name", u[i].name);
		add_int(a, o, "Hard", u[i].hard);
		add_int(a, o, "Soft", u[i].soft);
	}
}

static void update_config(struct api *a, const struct c2s_mval *deploy, unsigned f, const char *key, struct aj *spec)
{
	const struct c2s_mval *u = field(a, deploy, f);
	if (!u || u->kind == C2S_MV_NULL)
		return;
	struct aj *o = add_obj(a, spec, key);
	if (!o)
		return;
	const struct c2s_mval *par = given(a, u, C2S_F_UPDATE_PARALLELISM);
	if (par)
		add_u64_val(a, o, "Parallelism", par);
	else
		add_uint(a, o, "Parallelism", 1);
	int64_t delay = ival(given(a, u, C2S_F_UPDATE_DELAY)), monitor = ival(given(a, u, C2S_F_UPDATE_MONITOR));
	if (delay)
		add_int(a, o, "Delay", delay);
	add_str_opt(a, o, "FailureAction", sfield(a, u, C2S_F_UPDATE_FAILURE_ACTION));
	if (monitor)
		add_int(a, o, "Monitor", monitor);
	const struct c2s_mval *ratio = given(a, u, C2S_F_UPDATE_MAX_FAILURE_RATIO);
	add_float32(a, o, "MaxFailureRatio", ratio ? (ratio->kind == C2S_MV_FLOAT ? ratio->u.f : (double)ival(ratio)) : 0);
	add_str(a, o, "Order", sfield(a, u, C2S_F_UPDATE_ORDER));
}


static void endpoint_spec(struct api *a, const struct c2s_mval *svc, const struct c2s_mval *deploy, struct aj *spec)
{
	struct aj *e = add_obj(a, spec, "EndpointSpec");
	if (!e)
		return;
	struct c2s_str mode = sfield(a, deploy, C2S_F_DEPLOY_ENDPOINT_MODE);
	if (mode.n) {
		char *lower = cstr(a, mode);
		for (char *p = lower; *p; p++)
			if (*p >= 'A' && *p <= 'Z')
				*p = (char)(*p - 'A' + 'a');
		add_cstr(a, e, "Mode", lower);
	}
	const struct c2s_mval *ports = given(a, svc, C2S_F_SERVICE_PORTS);
	uint32_t n = count(ports);
	if (!n)
		return;
	struct port *p = tmp_calloc(a, n, sizeof *p);
	if (!p) {
		a->nomem = 1;
		return;
	}
	for (uint32_t i = 0; i < n; i++) {
		const struct c2s_mval *pc = item(ports, i);
		struct aj *o = obj_new(a);
		if (!o)
			break;
		p[i].body = o;
		add_str_opt(a, o, "Protocol", sfield(a, pc, C2S_F_PORT_PROTOCOL));
		uint32_t target = (uint32_t)ival(given(a, pc, C2S_F_PORT_TARGET));
		uint32_t published = (uint32_t)ival(given(a, pc, C2S_F_PORT_PUBLISHED));
		if (target)
			add_uint(a, o, "TargetPort", target);
		if (published)
			add_uint(a, o, "PublishedPort", published);
		add_str_opt(a, o, "PublishMode", sfield(a, pc, C2S_F_PORT_MODE));
		p[i].published = published;
	}
	/* sort.Slice by PublishedPort: not stable, so ties land where Go's pdqsort puts them */
	c2s_api_sort_ports(p, n);
	struct aj *arr = add_arr(a, e, "Ports");
	for (uint32_t i = 0; i < n; i++) {
		if (arr && p[i].body && aj_push(arr, p[i].body))
			p[i].body = NULL;
		aj_drop(p[i].body);
	}
}

static struct aj *service_spec(struct api *a, struct c2s_str key, const struct c2s_mval *svc);

/* service_spec with the service's fields indexed (svc_fields) meanwhile. */
struct aj *c2s_api_service(struct api *a, struct c2s_str key, const struct c2s_mval *svc)
{
	if (svc->kind == C2S_MV_STRUCT) {
		memset(a->svc_fields.at, 0, sizeof a->svc_fields.at);
		for (uint32_t i = 0; i < svc->n; i++)
			if (svc->u.v[i].field < 64 && !a->svc_fields.at[svc->u.v[i].field]) /* the first, as c2s_mget */
				a->svc_fields.at[svc->u.v[i].field] = &svc->u.v[i];
		a->svc_fields.s = svc;
	}
	struct aj *spec = service_spec(a, key, svc);
	a->svc_fields.s = NULL;
	return spec;
}

static struct aj *service_spec(struct api *a, struct c2s_str key, const struct c2s_mval *svc)
{
	const struct c2s_mval *deploy = given(a, svc, C2S_F_SERVICE_DEPLOY);
	struct c2s_str image = sfield(a, svc, C2S_F_SERVICE_IMAGE);
	struct aj *spec = obj_new(a), *labels, *tt, *cs, *priv, *pl;
	if (!spec)
		return NULL;
	add_cstr(a, spec, "Name", scoped(a, key));
	labels = add(a, spec, "Labels", stack_labels(a, given(a, deploy, C2S_F_DEPLOY_LABELS)));
	if (labels) {
		aj_remove(labels, LABEL_IMAGE);
		add_str(a, labels, LABEL_IMAGE, image);
	}
	tt = add_obj(a, spec, "TaskTemplate");
	cs = tt ? add_obj(a, tt, "ContainerSpec") : NULL;
	if (!cs)
		goto fail;

	/* the order of docker's conversions, for which error wins */
	if (file_refs(a, svc, 1, NULL, cs) < 0)
		goto fail;
	const struct c2s_mval *cred = given(a, svc, C2S_F_SERVICE_CREDENTIAL_SPEC);
	const struct c2s_mval *cred_cfg = given(a, cred, C2S_F_CREDSPEC_CONFIG);
	if (cred_cfg && cred_cfg->n == 0)
		cred_cfg = NULL;
	if (file_refs(a, svc, 0, cred_cfg, cs) < 0)
		goto fail;
	/* Secrets and Configs sit after DNSConfig in docker's JSON; order is free for readers */

	char img[API_MAX_IMAGE];
	size_t in = c2s_image_familiar(image.p, image.n, img, sizeof img);
	if (in)
		add_cstr(a, cs, "Image", img);
	else
		add_str_opt(a, cs, "Image", image);
	add(a, cs, "Labels", stack_labels(a, given(a, svc, C2S_F_SERVICE_LABELS)));
	add_strlist_opt(a, cs, "Command", given(a, svc, C2S_F_SERVICE_ENTRYPOINT));
	add_strlist_opt(a, cs, "Args", given(a, svc, C2S_F_SERVICE_COMMAND));
	add_str_opt(a, cs, "Hostname", sfield(a, svc, C2S_F_SERVICE_HOSTNAME));
	environment(a, svc, cs);
	add_str_opt(a, cs, "Dir", sfield(a, svc, C2S_F_SERVICE_WORKING_DIR));
	add_str_opt(a, cs, "User", sfield(a, svc, C2S_F_SERVICE_USER));
	priv = add_obj(a, cs, "Privileges");
	const struct c2s_mval *init = given(a, svc, C2S_F_SERVICE_INIT);
	if (init)
		add_bool(a, cs, "Init", truthy(init));
	add_str_opt(a, cs, "StopSignal", sfield(a, svc, C2S_F_SERVICE_STOP_SIGNAL));
	if (truthy(given(a, svc, C2S_F_SERVICE_TTY)))
		add_bool(a, cs, "TTY", 1);
	if (truthy(given(a, svc, C2S_F_SERVICE_STDIN_OPEN)))
		add_bool(a, cs, "OpenStdin", 1);
	if (truthy(given(a, svc, C2S_F_SERVICE_READ_ONLY)))
		add_bool(a, cs, "ReadOnly", 1);
	const struct c2s_mval *grace = given(a, svc, C2S_F_SERVICE_STOP_GRACE_PERIOD);
	if (grace)
		add_int(a, cs, "StopGracePeriod", ival(grace));
	extra_hosts(a, svc, cs);
	const struct c2s_mval *dns = given(a, svc, C2S_F_SERVICE_DNS), *search = given(a, svc, C2S_F_SERVICE_DNS_SEARCH);
	if (dns || search) {
		struct aj *d = add_obj(a, cs, "DNSConfig");
		if (d) {
			add_strlist_opt(a, d, "Nameservers", dns);
			add_strlist_opt(a, d, "Search", search);
		}
	}
	add_str_opt(a, cs, "Isolation", sfield(a, svc, C2S_F_SERVICE_ISOLATION));
	add_map_opt(a, cs, "Sysctls", given(a, svc, C2S_F_SERVICE_SYSCTLS));
	ulimits(a, svc, cs);

	if (mode_spec(a, deploy, spec) < 0 || mounts(a, svc, cs) < 0 || resources(a, deploy, tt) < 0 ||
	    restart_policy(a, svc, deploy, tt) < 0 || healthcheck(a, svc, cs) < 0)
		goto fail;
	pl = add_obj(a, tt, "Placement");
	if (pl) {
		const struct c2s_mval *place = given(a, deploy, C2S_F_DEPLOY_PLACEMENT);
		add_strlist_opt(a, pl, "Constraints", given(a, place, C2S_F_PLACEMENT_CONSTRAINTS));
		const struct c2s_mval *prefs = given(a, place, C2S_F_PLACEMENT_PREFERENCES);
		if (count(prefs)) {
			struct aj *arr = add_arr(a, pl, "Preferences");
			for (uint32_t i = 0; arr && i < count(prefs); i++) {
				struct aj *p = obj_new(a), *sp;
				if (!p || !aj_push(arr, p)) {
					aj_drop(p);
					a->nomem = 1;
					break;
				}
				sp = add_obj(a, p, "Spread");
				if (sp)
					add_str(a, sp, "SpreadDescriptor", sfield(a, item(prefs, i), C2S_F_PREF_SPREAD));
			}
		}
		int64_t maxr = ival(given(a, place, C2S_F_PLACEMENT_MAX_REPLICAS));
		if (maxr)
			add_uint(a, pl, "MaxReplicas", (uint64_t)maxr);
	}
	if (service_networks(a, svc, key, tt) < 0)
		goto fail;
	if (!priv || credential_spec(a, svc, priv) < 0)
		goto fail;
	add(a, priv, "SELinuxContext", aj_null(&a->pool));
	add_bool(a, priv, "NoNewPrivileges", 0);
	if (capabilities(a, svc, cs) < 0)
		goto fail;
	const struct c2s_mval *logging = field(a, svc, C2S_F_SERVICE_LOGGING);
	if (logging && logging->kind != C2S_MV_NULL) {
		struct aj *ld = add_obj(a, tt, "LogDriver");
		if (ld) {
			add_str_opt(a, ld, "Name", sfield(a, logging, C2S_F_LOGGING_DRIVER));
			add_map_opt(a, ld, "Options", given(a, logging, C2S_F_LOGGING_OPTIONS));
		}
	}
	add_uint(a, tt, "ForceUpdate", 0);
	update_config(a, deploy, C2S_F_DEPLOY_UPDATE_CONFIG, "UpdateConfig", spec);
	update_config(a, deploy, C2S_F_DEPLOY_ROLLBACK_CONFIG, "RollbackConfig", spec);
	endpoint_spec(a, svc, deploy, spec);
	if (a->nomem)
		goto fail;
	return spec;
fail:
	aj_drop(spec);
	return NULL;
}

/* Every refusal c2s_api_service() can make, in the same order, without building
 * anything: the check before output reaches standard output. */
int c2s_api_check_service(struct api *a, const struct c2s_mval *svc)
{
	for (int secrets = 1; secrets >= 0; secrets--) {
		const struct c2s_mval *list = given(a, svc, secrets ? C2S_F_SERVICE_SECRETS : C2S_F_SERVICE_CONFIGS);
		for (uint32_t i = 0; i < count(list); i++) {
			struct c2s_str source = sfield(a, item(list, i), C2S_F_FILEREF_SOURCE);
			if (!map_find(a, secrets ? a->secrets : a->configs, source))
				return fail_undefined(a, item(list, i), "undefined %s %s", secrets ? "secret" : "config",
						      quoted(a, source));
		}
	}
	const struct c2s_mval *cred = given(a, svc, C2S_F_SERVICE_CREDENTIAL_SPEC);
	const struct c2s_mval *cred_cfg = given(a, cred, C2S_F_CREDSPEC_CONFIG);
	if (cred_cfg && cred_cfg->n && !map_find(a, a->configs, sval(cred_cfg)))
		return fail_undefined(a, cred_cfg, "undefined config %s", quoted(a, sval(cred_cfg)));
	const struct c2s_mval *deploy = given(a, svc, C2S_F_SERVICE_DEPLOY);
	if (mode_check(a, deploy) < 0)
		return -1;
	const struct c2s_mval *vols = given(a, svc, C2S_F_SERVICE_VOLUMES);
	for (uint32_t i = 0; i < count(vols); i++) {
		const struct c2s_mval *stack_vol;
		int t;
		if (mount_check(a, item(vols, i), &t, &stack_vol) < 0)
			return -1;
	}
	const struct c2s_mval *res = given(a, deploy, C2S_F_DEPLOY_RESOURCES);
	int64_t nano;
	if (cpus_value(a, field(a, res, C2S_F_RESOURCES_LIMITS), C2S_F_LIMIT_CPUS, &nano) < 0 ||
	    cpus_value(a, field(a, res, C2S_F_RESOURCES_RESERVATIONS), C2S_F_RESOURCE_CPUS, &nano) < 0)
		return -1;
	int kind;
	uint64_t attempts;
	if (!field(a, deploy, C2S_F_DEPLOY_RESTART_POLICY) && restart_parse(a, svc, &kind, &attempts) < 0)
		return -1;
	const struct c2s_mval *h = field(a, svc, C2S_F_SERVICE_HEALTHCHECK);
	if (h && h->kind != C2S_MV_NULL && truthy(given(a, h, C2S_F_HEALTH_DISABLE)) && count(given(a, h, C2S_F_HEALTH_TEST)))
		return fail(a, h, "test and disable can't be set at the same time");
	const struct c2s_mval *nets = given(a, svc, C2S_F_SERVICE_NETWORKS);
	for (uint32_t i = 0; i < count(nets); i++) {
		struct c2s_str key = sval(map_key(nets, i));
		if (!map_find(a, a->networks, key) && !str_eq(key, "default"))
			return fail_undefined(a, map_key(nets, i), "undefined network %s", quoted(a, key));
	}
	return credential_check(a, svc);
}

/* The loader's image check (cli/command/stack/loader), before any conversion. */
int c2s_api_check_image(struct api *a, struct c2s_str key, const struct c2s_mval *keynode, const struct c2s_mval *svc)
{
	const struct c2s_mval *iv = given(a, svc, C2S_F_SERVICE_IMAGE);
	struct c2s_str image = sval(iv);
	char err[API_MAX_MESSAGE];
	if (image.n == 0)
		return fail(a, iv ? iv : keynode, "invalid image reference for service %.*s: no image specified",
			    (int)key.n, key.p);
	if (c2s_image_check(image.p, image.n, err, sizeof err) < 0)
		return fail(a, iv, "invalid image reference for service %.*s: %s", (int)key.n, key.p, err);
	return 0;
}

