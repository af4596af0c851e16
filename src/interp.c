/* interp.c -- the environment, env files, and ${VAR} substitution over a document,
 * with docker/cli 28.2's semantics (cli/compose/template, interpolation, loader/interpolate.go). */
#include "config.h"
#include "interp.h"
#include "diag.h"

#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* ==== the environment: an open-addressing hash table of copied strings ==== */

struct env_var {
	char *name;     /* NULL: empty slot */
	size_t nlen;
	char *value;    /* NUL-terminated */
	size_t vlen;
};

struct c2s_env {
	struct env_var *slots;
	size_t cap, n;  /* cap is a power of two, kept at most half full */
	struct c2s_arena arena;
};

static uint64_t hash_bytes(const char *s, size_t n)
{
	uint64_t h = 1469598103934665603ull;
	for (size_t i = 0; i < n; i++) {
		h ^= (unsigned char)s[i];
		h *= 1099511628211ull;
	}
	return h;
}

static struct env_var *env_slot(const struct c2s_env *e, const char *name, size_t nlen)
{
	size_t mask = e->cap - 1, i = (size_t)hash_bytes(name, nlen) & mask;
	for (;;) {
		struct env_var *v = &e->slots[i];
		if (!v->name || (v->nlen == nlen && memcmp(v->name, name, nlen) == 0))
			return v;
		i = (i + 1) & mask;
	}
}

static int env_grow(struct c2s_env *e)
{
	size_t ncap = e->cap ? e->cap * 2 : 64;
	struct env_var *old = e->slots;
	size_t ocap = e->cap;
	e->slots = calloc(ncap, sizeof *e->slots);
	if (!e->slots) {
		e->slots = old;
		return -1;
	}
	e->cap = ncap;
	for (size_t i = 0; i < ocap; i++)
		if (old[i].name)
			*env_slot(e, old[i].name, old[i].nlen) = old[i];
	free(old);
	return 0;
}

int c2s_env_set(struct c2s_env *e, const char *name, size_t nlen, const char *value, size_t vlen)
{
	if ((e->n + 1) * 2 > e->cap) {
		if (e->n >= C2S_ENV_MAX_VARS || env_grow(e) != 0)
			return -1;
	}
	struct env_var *v = env_slot(e, name, nlen);
	char *val = c2s_arena_strndup(&e->arena, value, vlen);
	if (!val)
		return -1;
	if (!v->name) {
		v->name = c2s_arena_strndup(&e->arena, name, nlen);
		if (!v->name)
			return -1;
		v->nlen = nlen;
		e->n++;
	}
	v->value = val;
	v->vlen = vlen;
	return 0;
}

const char *c2s_env_get(const struct c2s_env *e, const char *name, size_t nlen, size_t *vlen)
{
	if (!e || !e->cap)
		return NULL;
	const struct env_var *v = env_slot(e, name, nlen);
	if (!v->name)
		return NULL;
	if (vlen)
		*vlen = v->vlen;
	return v->value;
}

size_t c2s_env_count(const struct c2s_env *e)
{
	return e ? e->n : 0;
}

struct c2s_env *c2s_env_new(const char *const *envp)
{
	struct c2s_env *e = calloc(1, sizeof *e);
	if (!e)
		return NULL;
	c2s_arena_init(&e->arena, 0);
	if (env_grow(e) != 0) {
		c2s_env_free(e);
		return NULL;
	}
	for (size_t i = 0; envp && envp[i]; i++) {
		/* As docker's buildEnvironment: split at the first '='. */
		const char *eq = strchr(envp[i], '=');
		if (!eq || eq == envp[i])
			continue;
		if (c2s_env_set(e, envp[i], (size_t)(eq - envp[i]), eq + 1, strlen(eq + 1)) != 0) {
			c2s_env_free(e);
			return NULL;
		}
	}
	return e;
}

void c2s_env_free(struct c2s_env *e)
{
	if (!e)
		return;
	free(e->slots);
	c2s_arena_free(&e->arena);
	free(e);
}

/* ==== env files (goval's kvfile) into an environment ==== */

struct envfile_ctx {
	struct c2s_env *e;
	const struct c2s_env *lookup;
};

static int envfile_into_env(void *ctx, const char *key, size_t klen, const char *value, size_t vlen,
			    int has_value)
{
	struct envfile_ctx *c = ctx;
	if (!has_value) {
		value = c2s_env_get(c->lookup, key, klen, &vlen);
		if (!value)
			return 0;
	}
	return c2s_env_set(c->e, key, klen, value, vlen);
}

enum c2s_envfile_status c2s_env_read_file(struct c2s_env *e, const char *path,
					  const struct c2s_env *lookup, char *err, size_t errsize)
{
	struct envfile_ctx c = {e, lookup};
	return c2s_envfile_load(path, envfile_into_env, &c, err, errsize);
}

/* ==== substitution of one string: docker/cli's template.Substitute ==== */

/* strings.Cut on sep: -1 when absent, else the offset of sep in s. */
static long cut(const char *s, size_t n, const char *sep)
{
	size_t m = strlen(sep);
	for (size_t i = 0; i + m <= n; i++)
		if (memcmp(s + i, sep, m) == 0)
			return (long)i;
	return -1;
}

static const char *lookup(const struct c2s_env *env, const char *name, size_t n, size_t *vlen,
			  const struct c2s_interp_tok *t, c2s_lookup_fn on_lookup, void *ctx)
{
	const char *v = c2s_env_get(env, name, n, vlen);
	if (on_lookup)
		on_lookup(ctx, name, n, v != NULL, t->start, t->end);
	if (!v)
		*vlen = 0;
	return v;
}

enum c2s_subst_status c2s_substitute(const char *s, size_t n, const struct c2s_env *env,
				     struct c2s_buf *out, struct c2s_subst_error *err,
				     c2s_lookup_fn on_lookup, void *ctx)
{
	/* docker keeps one error variable that every later reference overwrites:
	 * "$1 $HOME" succeeds, "$HOME $1" fails. */
	enum c2s_subst_status st = C2S_SUBST_OK;
	struct c2s_interp_tok t;
	size_t pos = 0;
	memset(err, 0, sizeof *err);
	while ((pos = c2s_interp_scan(s, n, pos, &t)), t.kind != C2S_INTERP_END) {
		switch (t.kind) {
		case C2S_INTERP_TEXT:
			c2s_buf_add(out, s + t.start, t.end - t.start);
			break;
		case C2S_INTERP_ESCAPED:
			c2s_buf_addc(out, '$');
			break;
		case C2S_INTERP_INVALID:
			st = C2S_SUBST_INVALID;
			err->at = t.start;
			err->end = t.end;
			break;
		case C2S_INTERP_VAR: {
			const char *sub = s + t.subst, *v;
			size_t ns = t.nsubst, vlen;
			long k;
			st = C2S_SUBST_OK;
			/* The four functions in docker's order, each testing only whether its
			 * separator occurs anywhere: "${A:?x-y}" is a hard default. */
			if ((k = cut(sub, ns, ":-")) >= 0) {
				v = lookup(env, sub, (size_t)k, &vlen, &t, on_lookup, ctx);
				if (!v || !vlen)
					c2s_buf_add(out, sub + k + 2, ns - (size_t)k - 2);
				else
					c2s_buf_add(out, v, vlen);
			} else if ((k = cut(sub, ns, "-")) >= 0) {
				v = lookup(env, sub, (size_t)k, &vlen, &t, on_lookup, ctx);
				if (!v)
					c2s_buf_add(out, sub + k + 1, ns - (size_t)k - 1);
				else
					c2s_buf_add(out, v, vlen);
			} else if ((k = cut(sub, ns, ":?")) >= 0 || (k = cut(sub, ns, "?")) >= 0) {
				int nonempty = sub[k] == ':';
				size_t seplen = nonempty ? 2 : 1;
				v = lookup(env, sub, (size_t)k, &vlen, &t, on_lookup, ctx);
				if (!v || (nonempty && !vlen)) {
					st = C2S_SUBST_REQUIRED;
					err->at = t.start;
					err->end = t.end;
					err->name = t.subst;
					err->nname = (size_t)k;
					err->msg = t.subst + (size_t)k + seplen;
					err->nmsg = ns - (size_t)k - seplen;
				} else {
					c2s_buf_add(out, v, vlen);
				}
			} else {
				v = lookup(env, sub, ns, &vlen, &t, on_lookup, ctx);
				if (v)
					c2s_buf_add(out, v, vlen);
			}
			break;
		}
		case C2S_INTERP_END:
			break;
		}
	}
	if (out->failed)
		return C2S_SUBST_NOMEM;
	return st;
}

/* ==== the pass over a document ==== */

enum cast { CAST_NONE, CAST_INT, CAST_FLOAT, CAST_BOOL };

/* docker/cli loader/interpolate.go: paths whose interpolated strings are cast.
 * "*" matches any key, "[]" a list item. */
static const struct {
	unsigned char depth;
	const char *seg[6];
	enum cast cast;
} cast_paths[] = {
	{3, {"services", "*", "privileged"}, CAST_BOOL},
	{3, {"services", "*", "oom_score_adj"}, CAST_INT},
	{3, {"services", "*", "read_only"}, CAST_BOOL},
	{3, {"services", "*", "stdin_open"}, CAST_BOOL},
	{3, {"services", "*", "tty"}, CAST_BOOL},
	{3, {"networks", "*", "external"}, CAST_BOOL},
	{3, {"networks", "*", "internal"}, CAST_BOOL},
	{3, {"networks", "*", "attachable"}, CAST_BOOL},
	{3, {"volumes", "*", "external"}, CAST_BOOL},
	{3, {"secrets", "*", "external"}, CAST_BOOL},
	{3, {"configs", "*", "external"}, CAST_BOOL},
	{4, {"services", "*", "healthcheck", "retries"}, CAST_INT},
	{4, {"services", "*", "healthcheck", "disable"}, CAST_BOOL},
	{4, {"services", "*", "deploy", "replicas"}, CAST_INT},
	{4, {"services", "*", "ulimits", "*"}, CAST_INT},
	{5, {"services", "*", "configs", "[]", "mode"}, CAST_INT},
	{5, {"services", "*", "secrets", "[]", "mode"}, CAST_INT},
	{5, {"services", "*", "deploy", "update_config", "parallelism"}, CAST_INT},
	{5, {"services", "*", "deploy", "update_config", "max_failure_ratio"}, CAST_FLOAT},
	{5, {"services", "*", "deploy", "rollback_config", "parallelism"}, CAST_INT},
	{5, {"services", "*", "deploy", "rollback_config", "max_failure_ratio"}, CAST_FLOAT},
	{5, {"services", "*", "deploy", "restart_policy", "max_attempts"}, CAST_INT},
	{5, {"services", "*", "deploy", "placement", "max_replicas_per_node"}, CAST_INT},
	{5, {"services", "*", "ports", "[]", "target"}, CAST_INT},
	{5, {"services", "*", "ports", "[]", "published"}, CAST_INT},
	{5, {"services", "*", "ulimits", "*", "hard"}, CAST_INT},
	{5, {"services", "*", "ulimits", "*", "soft"}, CAST_INT},
	{5, {"services", "*", "volumes", "[]", "read_only"}, CAST_BOOL},
	{6, {"services", "*", "volumes", "[]", "volume", "nocopy"}, CAST_BOOL},
};

#define INTERP_MAX_PATH C2S_MAX_DEPTH

/* A scalar docker cast under the path it was first reached by, and the string
 * it was before: an alias of its mapping or list elsewhere may need the other
 * form (x-deploy: &d {replicas: ${R}} prints "3" there and 3 under deploy: *d). */
struct cast_rec {
	uint32_t idx;          /* node index + 1; 0: empty slot */
	enum cast cast;
	uint32_t ref, len;     /* the string, in the pool */
};

struct shared_val {
	uint32_t ref, len;  /* ref 0: empty slot */
};

struct walk {
	struct c2s_doc *doc;
	const struct c2s_env *env, *dotenv;
	struct c2s_diags *diags;
	struct c2s_str path[INTERP_MAX_PATH + 1];
	size_t depth;
	struct c2s_buf val, msg;
	int errors, nomem;
	/* aliases: scalars rewritten so far (one bit per node of the loaded tree, NULL
	 * when the file has no anchors), and the casts among them (see struct cast_rec) */
	unsigned char *changed;
	uint32_t nchanged;
	struct cast_rec *casts;
	uint32_t ncasts, cap_casts;
	/* values kept once for every scalar whose end the source tells again (see
	 * C2S_POOL_END_SHARED): open addressing, ref and length in the pool */
	struct shared_val *shared;
	uint32_t nshared, cap_shared;
	/* .env check: the scalar being scanned, the variables already reported */
	const struct c2s_node *node;
	struct c2s_env *reported;
};

static enum cast cast_for(const struct walk *w)
{
	/* cast_paths is in order of depth; a path matches at most one of them */
	for (size_t i = 0; i < sizeof cast_paths / sizeof *cast_paths; i++) {
		if (cast_paths[i].depth != w->depth) {
			if (cast_paths[i].depth > w->depth)
				break;
			continue;
		}
		size_t j = w->depth;
		while (j-- > 0) {
			const char *seg = cast_paths[i].seg[j];
			if (seg[0] == '*' && !seg[1])
				continue;
			/* segments are short: a byte loop, no strlen and memcmp calls */
			const char *p = w->path[j].p;
			size_t q = 0, n = w->path[j].n;
			while (q < n && seg[q] == p[q])
				q++;
			if (q != n || seg[q])
				break;
		}
		if (j == (size_t)-1)
			return cast_paths[i].cast;
	}
	return CAST_NONE;
}

/* The dotted path docker prints ("services.web.ports.[].target"). */
static const char *path_text(struct walk *w)
{
	c2s_buf_reset(&w->msg);
	for (size_t i = 0; i < w->depth; i++) {
		if (i)
			c2s_buf_addc(&w->msg, '.');
		c2s_buf_add(&w->msg, w->path[i].p, w->path[i].n);
	}
	return w->msg.data ? w->msg.data : "";
}

static int is_string(const struct c2s_doc *d, const struct c2s_node *n)
{
	struct c2s_value v;
	enum c2s_type t = c2s_resolve(d, n, &v);
	/* yaml.v3 gives interface{} a timestamp-looking plain scalar as a string */
	return t == C2S_TYPE_STRING || t == C2S_TYPE_TIMESTAMP;
}

/* strconv.ParseFloat(s, 64), the loader's toFloat: goval's, with its reason
 * alone (the message is built here, with the value cut to size). */
static int go_parse_float(const char *s, size_t n, double *out, const char **why)
{
	char err[8];
	int rc = c2s_go_parse_float(s, n, out, err, sizeof err);
	*why = rc == C2S_GOVAL_RANGE ? "value out of range" : "invalid syntax";
	return rc == C2S_GOVAL_OK ? 0 : -1;
}

static int go_bool(const char *s, size_t n, int *out)
{
	static const char *const t[] = {"y", "yes", "true", "on"}, *const f[] = {"n", "no", "false", "off"};
	for (int i = 0; i < 4; i++) {
		if (strlen(t[i]) == n && strncasecmp(s, t[i], n) == 0) {
			*out = 1;
			return 0;
		}
		if (strlen(f[i]) == n && strncasecmp(s, f[i], n) == 0) {
			*out = 0;
			return 0;
		}
	}
	return -1;
}

static int pool_append(struct c2s_doc *d, const char *v, size_t len, uint32_t end, uint32_t *ref)
{
	size_t need = 4 + len + 1;
	if (need > UINT32_MAX - d->npool)
		return -1;
	if (d->npool + need > d->cap_pool) {
		size_t cap = d->cap_pool ? d->cap_pool : 1024;
		while (cap < d->npool + need)
			cap *= 2;
		if (cap > UINT32_MAX)
			cap = UINT32_MAX;
		char *p = realloc(d->pool, cap);
		if (!p)
			return -1;
		d->pool = p;
		d->cap_pool = (uint32_t)cap;
	}
	memcpy(d->pool + d->npool, &end, 4);
	memcpy(d->pool + d->npool + 4, v, len);
	d->pool[d->npool + 4 + len] = '\0';
	*ref = d->npool + 4;
	d->npool += (uint32_t)need;
	return 0;
}

static uint32_t shared_hash(const char *v, size_t n)
{
	/* a word at a time: this runs over every interpolated value */
	uint64_t h = 0x9e3779b97f4a7c15ull ^ n, w;
	size_t i = 0;
	for (; i + 8 <= n; i += 8) {
		memcpy(&w, v + i, 8);
		h = (h ^ w) * 0xff51afd7ed558ccdull;
		h ^= h >> 32;
	}
	for (; i < n; i++)
		h = (h ^ (unsigned char)v[i]) * 0x100000001b3ull;
	h ^= h >> 29;
	return (uint32_t)(h * 0xc4ceb9fe1a85ec53ull >> 32);
}

/* The pool value v[0..len) as a shared record (end C2S_POOL_END_SHARED), made
 * once: a 10,000-service file has 25,000 interpolated values, 6,800 distinct. */
static int shared_value(struct walk *w, const char *v, size_t len, uint32_t *ref)
{
	struct c2s_doc *d = w->doc;
	if ((w->nshared + 1) * 2 > w->cap_shared) {
		uint32_t cap = w->cap_shared ? w->cap_shared * 2 : 256;
		struct shared_val *t = calloc(cap, sizeof *t);
		if (!t)
			return -1;
		for (uint32_t i = 0; i < w->cap_shared; i++) {
			if (!w->shared[i].ref)
				continue;
			uint32_t j = shared_hash(d->pool + w->shared[i].ref, w->shared[i].len) & (cap - 1);
			while (t[j].ref)
				j = (j + 1) & (cap - 1);
			t[j] = w->shared[i];
		}
		free(w->shared);
		w->shared = t;
		w->cap_shared = cap;
	}
	uint32_t j = shared_hash(v, len) & (w->cap_shared - 1);
	for (; w->shared[j].ref; j = (j + 1) & (w->cap_shared - 1))
		if (w->shared[j].len == len && memcmp(d->pool + w->shared[j].ref, v, len) == 0) {
			*ref = w->shared[j].ref;
			return 0;
		}
	if (pool_append(d, v, len, C2S_POOL_END_SHARED, ref) != 0)
		return -1;
	w->shared[j] = (struct shared_val){*ref, (uint32_t)len};
	w->nshared++;
	return 0;
}

static int mark_interpolated(struct c2s_doc *d, uint32_t idx)
{
	if (d->ninterpolated == d->cap_interpolated) {
		uint32_t cap = d->cap_interpolated ? d->cap_interpolated * 2 : 64;
		uint32_t *p = realloc(d->interpolated, (size_t)cap * sizeof *p);
		if (!p)
			return -1;
		d->interpolated = p;
		d->cap_interpolated = cap;
	}
	d->interpolated[d->ninterpolated++] = idx;
	return 0;
}

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
	return (x > y) - (x < y);
}

static int interp_find(const struct c2s_doc *d, uint32_t idx)
{
	uint32_t lo = 0, hi = d->ninterpolated;
	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;
		if (d->interpolated[mid] < idx)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < d->ninterpolated && d->interpolated[lo] == idx;
}

void c2s_interp_forget(struct c2s_doc *doc)
{
	/* failed entries sort last and are few (each is a reported error): keep them,
	 * so that the rules leave a value docker never got to alone */
	uint32_t keep = doc->ninterpolated;
	while (keep && (doc->interpolated[keep - 1] & C2S_INTERP_FAILED))
		keep--;
	uint32_t nfailed = doc->ninterpolated - keep;
	if (nfailed) {
		memmove(doc->interpolated, doc->interpolated + keep, nfailed * sizeof *doc->interpolated);
		uint32_t *less = realloc(doc->interpolated, nfailed * sizeof *doc->interpolated);
		if (less)
			doc->interpolated = less;
		doc->ninterpolated = doc->cap_interpolated = nfailed;
		return;
	}
	free(doc->interpolated);
	doc->interpolated = NULL;
	doc->ninterpolated = doc->cap_interpolated = 0;
}

int c2s_node_interpolated(const struct c2s_doc *d, const struct c2s_node *n)
{
	return n && d->ninterpolated && interp_find(d, (uint32_t)(n - d->nodes));
}

int c2s_node_interp_failed(const struct c2s_doc *d, const struct c2s_node *n)
{
	/* failed entries sort last: none there, none at all */
	return n && d->ninterpolated && (d->interpolated[d->ninterpolated - 1] & C2S_INTERP_FAILED) &&
	       interp_find(d, (uint32_t)(n - d->nodes) | C2S_INTERP_FAILED);
}

/* Byte span in the source of s[at..end) of a scalar's value: exact when the value
 * is the source text, else the whole scalar. */
static void value_span(const struct c2s_doc *d, const struct c2s_node *n, size_t at, size_t end,
		       uint32_t *s, uint32_t *e)
{
	if (c2s_flags(n) & C2S_NODE_VERBATIM) {
		*s = n->ref + (uint32_t)at;
		*e = n->ref + (uint32_t)end;
	} else {
		*s = n->start;
		*e = c2s_node_end(d, n);
	}
}

static void report_subst_error(struct walk *w, const struct c2s_node *n, struct c2s_str v,
			       enum c2s_subst_status st, const struct c2s_subst_error *err)
{
	uint32_t s, e;
	value_span(w->doc, n, err->at, err->end, &s, &e);
	struct c2s_buf q;
	c2s_buf_init(&q, C2S_INTERP_MAX_BYTES * 6 + 64);
	const char *path = path_text(w);
	struct c2s_diag *dg;
	if (st == C2S_SUBST_REQUIRED) {
		struct c2s_buf sentence;
		c2s_buf_init(&sentence, C2S_INTERP_MAX_BYTES + 64);
		c2s_buf_adds(&sentence, "required variable ");
		c2s_buf_add(&sentence, v.p + err->name, err->nname);
		c2s_buf_adds(&sentence, " is missing a value: ");
		c2s_buf_add(&sentence, v.p + err->msg, err->nmsg);
		c2s_go_quote(&q, sentence.data ? sentence.data : "", sentence.len);
		c2s_buf_free(&sentence);
		dg = c2s_diag_add(w->diags, C2S_R_CS3002, w->doc->src, s, e,
				  "invalid interpolation format for %s: %s; you may need to escape any $ with another $",
				  path, q.data ? q.data : "\"\"");
		c2s_diag_hint(w->diags, dg, "set %.*s in the environment of `docker stack deploy` (it reads no .env "
			      "file), or give a default with ${%.*s:-value}", (int)err->nname, v.p + err->name,
			      (int)err->nname, v.p + err->name);
	} else {
		c2s_go_quote(&q, v.p, v.n);
		dg = c2s_diag_add(w->diags, C2S_R_CS3001, w->doc->src, s, e,
				  "invalid interpolation format for %s: %s; you may need to escape any $ with another $",
				  path, q.data ? q.data : "\"\"");
		if (err->at + 1 < v.n && v.p[err->at + 1] == '{')
			c2s_diag_hint(w->diags, dg, "a reference is ${NAME}, ${NAME:-default}, ${NAME-default}, "
				      "${NAME:?message} or ${NAME?message}, closed by the first `}` (docker supports "
				      "no ${NAME:+alt} and no nesting); write $$ for a literal $");
		else
			c2s_diag_hint(w->diags, dg, "`$` must start a variable name ([_a-zA-Z][_a-zA-Z0-9]*); "
				      "write $$ for a literal $");
	}
	c2s_buf_free(&q);
	w->errors++;
}

static void report_cast_error(struct walk *w, const struct c2s_node *n, const char *why, const char *val,
			      size_t vlen)
{
	const char *path = path_text(w);
	struct c2s_diag *dg = c2s_diag_at(w->diags, C2S_R_CS3003, w->doc, n,
		"error while interpolating %s: failed to cast to expected type: %s", path, why);
	uint32_t end = c2s_node_end(w->doc, n);
	c2s_diag_hint(w->diags, dg, "%.*s gave \"%.*s\"; docker needs %s here", (int)(end - n->start),
		      w->doc->src->data + n->start, (int)(vlen > 200 ? 200 : vlen), val,
		      strstr(why, "boolean") ? "true/false (or yes/no, on/off, y/n)" :
		      strstr(why, "ParseFloat") ? "a number" : "an integer");
	w->errors++;
}

static int store_value(struct walk *w, uint32_t idx, const char *nv, size_t nlen, enum cast c);

static int interp_scalar(struct walk *w, uint32_t idx)
{
	struct c2s_doc *d = w->doc;
	struct c2s_node *n = &d->nodes[idx];
	struct c2s_str v = c2s_scalar(d, n);
	if (!v.n || !memchr(v.p, '$', v.n) || !is_string(d, n))
		return 0;
	c2s_buf_reset(&w->val);
	struct c2s_subst_error err;
	enum c2s_subst_status st = c2s_substitute(v.p, v.n, w->env, &w->val, &err, NULL, NULL);
	if (st == C2S_SUBST_NOMEM) {
		/* the buffer is capped at the longest scalar: a limit, reported as one */
		struct c2s_diag *dg = c2s_diag_at(w->diags, C2S_R_CS1093, d, n,
			"after interpolation this value is longer than %zu bytes, the most compose2swarm accepts "
			"(C2S_MAX_SCALAR_BYTES)", (size_t)C2S_INTERP_MAX_BYTES);
		c2s_diag_hint(w->diags, dg, "a variable holds a very large value");
		return 0;
	}
	if (st != C2S_SUBST_OK) {
		report_subst_error(w, n, v, st, &err);
		return mark_interpolated(d, idx | C2S_INTERP_FAILED);
	}
	const char *nv = w->val.data ? w->val.data : "";
	size_t nlen = w->val.len;
	if (nlen == v.n && memcmp(nv, v.p, nlen) == 0)
		return 0;  /* unchanged: docker neither casts nor rewrites */
	return store_value(w, idx, nv, nlen, cast_for(w));
}

static int record_cast(struct walk *w, uint32_t idx, enum cast c, const char *s, size_t n, uint32_t end)
{
	if ((w->ncasts + 1) * 2 > w->cap_casts) {
		uint32_t cap = w->cap_casts ? w->cap_casts * 2 : 64;
		struct cast_rec *t = calloc(cap, sizeof *t);
		if (!t)
			return -1;
		for (uint32_t i = 0; i < w->cap_casts; i++) {
			if (!w->casts[i].idx)
				continue;
			uint32_t j = (w->casts[i].idx * 2654435761u) & (cap - 1);
			while (t[j].idx)
				j = (j + 1) & (cap - 1);
			t[j] = w->casts[i];
		}
		free(w->casts);
		w->casts = t;
		w->cap_casts = cap;
	}
	uint32_t ref;
	if (pool_append(w->doc, s, n, end, &ref) != 0)
		return -1;
	uint32_t j = ((idx + 1) * 2654435761u) & (w->cap_casts - 1);
	while (w->casts[j].idx && w->casts[j].idx != idx + 1)
		j = (j + 1) & (w->cap_casts - 1);
	if (!w->casts[j].idx)
		w->ncasts++;
	w->casts[j] = (struct cast_rec){idx + 1, c, ref, (uint32_t)n};
	return 0;
}

static const struct cast_rec *find_cast(const struct walk *w, uint32_t idx)
{
	if (!w->ncasts)
		return NULL;
	uint32_t j = ((idx + 1) * 2654435761u) & (w->cap_casts - 1);
	for (; w->casts[j].idx; j = (j + 1) & (w->cap_casts - 1))
		if (w->casts[j].idx == idx + 1)
			return &w->casts[j];
	return NULL;
}

/* Cast the substituted text as docker does for this path, then store it as the
 * node's value: a string stays a double-quoted string whatever it reads like, a
 * cast value becomes the plain scalar yaml.v3 would have read. */
static int store_value(struct walk *w, uint32_t idx, const char *nv, size_t nlen, enum cast c)
{
	struct c2s_doc *d = w->doc;
	struct c2s_node *n = &d->nodes[idx];
	const char *sub = nv;
	size_t sublen = nlen;
	unsigned style = C2S_STYLE_DOUBLE;  /* a string stays a string, whatever it reads like */
	char num[64];
	const char *why = NULL;
	char whybuf[256];
	if (c == CAST_INT) {
		long long iv;
		const char *reason;
		if (c2s_go_atoi(nv, nlen, &iv, &reason) != 0) {
			struct c2s_buf q;
			c2s_buf_init(&q, C2S_INTERP_MAX_BYTES * 6 + 64);
			c2s_go_quote(&q, nv, nlen);
			snprintf(whybuf, sizeof whybuf, "strconv.Atoi: parsing %.200s: %s", q.data ? q.data : "\"\"", reason);
			c2s_buf_free(&q);
			why = whybuf;
		} else {
			snprintf(num, sizeof num, "%lld", iv);
			nv = num;
			nlen = strlen(num);
			style = C2S_STYLE_PLAIN;
		}
	} else if (c == CAST_FLOAT) {
		double f;
		const char *reason;
		if (go_parse_float(nv, nlen, &f, &reason) != 0) {
			struct c2s_buf q;
			c2s_buf_init(&q, C2S_INTERP_MAX_BYTES * 6 + 64);
			c2s_go_quote(&q, nv, nlen);
			snprintf(whybuf, sizeof whybuf, "strconv.ParseFloat: parsing %.200s: %s", q.data ? q.data : "\"\"",
				 reason);
			c2s_buf_free(&q);
			why = whybuf;
		} else {
			if (isnan(f))
				snprintf(num, sizeof num, ".nan");
			else if (isinf(f))
				snprintf(num, sizeof num, f > 0 ? ".inf" : "-.inf");
			else
				snprintf(num, sizeof num, "%.17g", f);
			nv = num;
			nlen = strlen(num);
			style = C2S_STYLE_PLAIN;
		}
	} else if (c == CAST_BOOL) {
		int b;
		if (go_bool(nv, nlen, &b) != 0) {
			snprintf(whybuf, sizeof whybuf, "invalid boolean: %.*s", (int)(nlen > 200 ? 200 : nlen), nv);
			why = whybuf;
		} else {
			nv = b ? "true" : "false";
			nlen = strlen(nv);
			style = C2S_STYLE_PLAIN;
		}
	}
	if (why) {
		report_cast_error(w, n, why, sub, sublen);
		return mark_interpolated(d, idx | C2S_INTERP_FAILED);
	}
	uint32_t end = c2s_node_end(d, n), ref;
	if (w->changed && c != CAST_NONE && idx < w->nchanged && record_cast(w, idx, c, sub, sublen, end) != 0)
		return -1;
	/* a one-line scalar (nearly all) finds its end again from its start: its
	 * value can be the one record every scalar with that value shares */
	if (c2s_scalar_end_scan(d->src, n->start) == end ? shared_value(w, nv, nlen, &ref) != 0 : pool_append(d, nv, nlen, end, &ref) != 0)
		return -1;
	if (mark_interpolated(d, idx) != 0)
		return -1;
	if (w->changed && idx < w->nchanged)
		w->changed[idx >> 3] |= (unsigned char)(1u << (idx & 7));
	n = &d->nodes[idx];
	unsigned flags = c2s_flags(n) & ~(unsigned)C2S_NODE_VERBATIM;
	n->meta = C2S_NODE_META(C2S_SCALAR, style, flags, nlen);
	n->ref = ref;
	return 0;
}

static int walk_children(struct walk *w, uint32_t idx, int (*scalar)(struct walk *, uint32_t));

/* 0 only for a scalar whose value has no '$' (a mapping or list: 1, look inside). */
static inline int has_dollar(const struct c2s_doc *d, uint32_t idx)
{
	const struct c2s_node *n = &d->nodes[idx];
	if (c2s_kind(n) != C2S_SCALAR)
		return 1;
	struct c2s_str v = c2s_scalar(d, n);
	return v.n && memchr(v.p, '$', v.n) != NULL;
}

static inline int was_changed(const struct walk *w, uint32_t idx)
{
	return idx < w->nchanged && (w->changed[idx >> 3] & (1u << (idx & 7)));
}

/* Does a scalar rewritten under its anchor's path need another form under the
 * current path (a cast where there was none, or none where there was one)? */
static int form_differs(const struct walk *w, uint32_t idx)
{
	if (!was_changed(w, idx))
		return 0;
	const struct cast_rec *r = find_cast(w, idx);
	return (r ? r->cast : CAST_NONE) != cast_for(w);
}

static inline void path_push(struct walk *w, const struct c2s_node *n, uint32_t i)
{
	if (c2s_kind(n) == C2S_MAPPING) {
		const struct c2s_node *k = c2s_map_key(w->doc, n, i);
		w->path[w->depth] = c2s_is_scalar(k) ? c2s_scalar(w->doc, k) : (struct c2s_str){"?", 1};
	} else {
		w->path[w->depth] = (struct c2s_str){"[]", 2};
	}
	w->depth++;
}

/* Is there, under the container at orig (reached by the current path), a
 * shared scalar that differs? */
static int subtree_differs(struct walk *w, uint32_t orig)
{
	const struct c2s_node *n = &w->doc->nodes[orig];
	if (w->depth >= INTERP_MAX_PATH)
		return 0;
	uint32_t per = c2s_kind(n) == C2S_MAPPING ? 2 : 1, off = per - 1;
	for (uint32_t i = 0, cnt = c2s_count(n); i < cnt; i++) {
		uint32_t c = per == 2 ? c2s_map_pair(w->doc, n, i) + off : n->ref + i;
		const struct c2s_node *ch = &w->doc->nodes[c];
		path_push(w, n, i);
		int d = c2s_kind(ch) == C2S_SCALAR ? form_differs(w, c) : subtree_differs(w, c);
		w->depth--;
		if (d)
			return 1;
	}
	return 0;
}


/*
 * docker interpolates the tree after yaml.v3 has expanded every alias, so an
 * alias of a mapping or list is a copy of its own, cast by its own path; here
 * aliases share their anchor's children, which the walk reached (first, in
 * document order) under the anchor's path and rewrote there. The container
 * at cur (an alias; its children are those of orig) gets copies of its own of
 * the children lists that lead to a scalar needing another form under this
 * path, and those copies get that form.
 */
static int unshare(struct walk *w, uint32_t cur, uint32_t orig)
{
	struct c2s_doc *d = w->doc;
	uint32_t per = c2s_kind(&d->nodes[orig]) == C2S_MAPPING ? 2 : 1, off = per - 1;
	uint32_t cnt = c2s_count(&d->nodes[orig]);
	/* Where orig's children are (cur may be orig: read them before it changes);
	 * a mapping sharing merged pairs (SEGMENTED) gets one run of its own. */
	uint32_t *was = malloc((size_t)(cnt ? cnt : 1) * sizeof *was);
	if (!was)
		return -1;
	for (uint32_t i = 0; i < cnt; i++)
		was[i] = per == 2 ? c2s_map_pair(d, &d->nodes[orig], i) : d->nodes[orig].ref + i;
	int64_t nblock = d->nnodes;
	for (uint32_t i = 0; i < cnt && nblock >= 0; i++)
		if (c2s_doc_append(d, d->nodes + was[i], per) < 0)
			nblock = -1;
	if (nblock < 0) {
		free(was);
		return -1;
	}
	d->nodes[cur].ref = (uint32_t)nblock;
	d->nodes[cur].meta &= ~C2S_NODE_META(0, 0, C2S_NODE_SEGMENTED, 0);
	int rc = 0;
	for (uint32_t i = 0; i < cnt && !rc; i++) {
		uint32_t oc = was[i] + off, nc = (uint32_t)nblock + per * i + off;
		path_push(w, &d->nodes[cur], i);
		if (c2s_kind(&d->nodes[oc]) == C2S_SCALAR) {
			if (form_differs(w, oc)) {
				/* The string docker substituted, cast (or not) for this path. */
				const struct cast_rec *r = find_cast(w, oc);
				struct c2s_str v = r ? (struct c2s_str){d->pool + r->ref, r->len} : c2s_scalar(d, &d->nodes[oc]);
				c2s_buf_reset(&w->val);
				rc = c2s_buf_add(&w->val, v.p, v.n) != 0 ? -1
				     : store_value(w, nc, w->val.data ? w->val.data : "", w->val.len, cast_for(w));
			} else if (was_changed(w, oc)) {
				rc = mark_interpolated(d, nc);
			}
		} else if (subtree_differs(w, oc)) {
			rc = unshare(w, nc, oc);
		}
		w->depth--;
	}
	free(was);
	return rc;
}

static int walk_node(struct walk *w, uint32_t idx, int (*scalar)(struct walk *, uint32_t))
{
	const struct c2s_node *n = &w->doc->nodes[idx];
	/* An alias of a mapping or list shares the anchor's children, substituted
	 * once, under the anchor; here only a different cast may be needed. */
	if (c2s_kind(n) != C2S_SCALAR && (c2s_flags(n) & C2S_NODE_ALIAS)) {
		if (!w->changed || scalar != interp_scalar || !subtree_differs(w, idx))
			return 0;
		return unshare(w, idx, idx);
	}
	return walk_children(w, idx, scalar);
}

static int walk_children(struct walk *w, uint32_t idx, int (*scalar)(struct walk *, uint32_t))
{
	const struct c2s_node *n = &w->doc->nodes[idx];
	switch (c2s_kind(n)) {
	case C2S_SCALAR:
		return scalar(w, idx);
	case C2S_MAPPING:
		if (w->depth >= INTERP_MAX_PATH)
			return 0;
		for (uint32_t i = 0, cnt = c2s_count(n); i < cnt; i++) {
			/* a scalar without '$': every callback leaves it */
			uint32_t vi = c2s_map_pair(w->doc, n, i) + 1;
			if (!has_dollar(w->doc, vi))
				continue;
			const struct c2s_node *k = c2s_map_key(w->doc, n, i);
			w->path[w->depth] = c2s_is_scalar(k) ? c2s_scalar(w->doc, k) : (struct c2s_str){"?", 1};
			w->depth++;
			int rc = walk_node(w, vi, scalar);
			w->depth--;
			if (rc)
				return rc;
			n = &w->doc->nodes[idx];
		}
		return 0;
	case C2S_SEQUENCE:
		if (w->depth >= INTERP_MAX_PATH)
			return 0;
		for (uint32_t i = 0, cnt = c2s_count(n); i < cnt; i++) {
			if (!has_dollar(w->doc, n->ref + i))
				continue;
			w->path[w->depth] = (struct c2s_str){"[]", 2};
			w->depth++;
			int rc = walk_node(w, n->ref + i, scalar);
			w->depth--;
			if (rc)
				return rc;
			n = &w->doc->nodes[idx];
		}
		return 0;
	}
	return 0;
}

static int walk_doc(struct walk *w, int (*scalar)(struct walk *, uint32_t))
{
	const struct c2s_node *root = c2s_node_at(w->doc, w->doc->root);
	if (!c2s_is_mapping(root))
		return 0;
	/* most files have no '$' at all */
	const struct c2s_source *src = w->doc->src;
	if (!memchr(src->data, '$', src->len) && (!w->doc->npool || !memchr(w->doc->pool, '$', w->doc->npool)))
		return 0;
	c2s_buf_init(&w->val, C2S_INTERP_MAX_BYTES);
	c2s_buf_init(&w->msg, (size_t)1 << 20);
	int rc = walk_node(w, w->doc->root, scalar);
	c2s_buf_free(&w->val);
	c2s_buf_free(&w->msg);
	return rc;
}

int c2s_interpolate(struct c2s_doc *doc, const struct c2s_env *env, struct c2s_diags *diags)
{
	struct walk w;
	memset(&w, 0, sizeof w);
	w.doc = doc;
	w.env = env;
	w.diags = diags;
	if (doc->nanchors && !(w.changed = calloc((size_t)doc->nnodes / 8 + 1, 1))) {
		c2s_diags_out_of_memory(diags);
		return -1;
	}
	w.nchanged = doc->nnodes;
	int rc = walk_doc(&w, interp_scalar);
	free(w.changed);
	free(w.casts);
	free(w.shared);
	if (rc != 0) {
		c2s_diags_out_of_memory(diags);
		return -1;
	}
	if (doc->ninterpolated > 1)
		qsort(doc->interpolated, doc->ninterpolated, sizeof *doc->interpolated, cmp_u32);
	return w.errors;
}

/* ---- --no-interpolate: leave values with references unjudged ---- */

static int mark_scalar(struct walk *w, uint32_t idx)
{
	struct c2s_doc *d = w->doc;
	const struct c2s_node *n = &d->nodes[idx];
	struct c2s_str v = c2s_scalar(d, n);
	if (!v.n || !memchr(v.p, '$', v.n) || !is_string(d, n))
		return 0;
	struct c2s_interp_tok t;
	size_t pos = 0;
	while ((pos = c2s_interp_scan(v.p, v.n, pos, &t)), t.kind != C2S_INTERP_END)
		if (t.kind == C2S_INTERP_VAR || t.kind == C2S_INTERP_INVALID)
			return mark_interpolated(d, idx | C2S_INTERP_FAILED);
	return 0;
}

int c2s_interp_mark_unresolved(struct c2s_doc *doc)
{
	struct walk w;
	memset(&w, 0, sizeof w);
	w.doc = doc;
	if (walk_doc(&w, mark_scalar) != 0)
		return -1;
	if (doc->ninterpolated > 1)
		qsort(doc->interpolated, doc->ninterpolated, sizeof *doc->interpolated, cmp_u32);
	return 0;
}

/* ---- the .env trap ---- */

struct dotenv_ctx {
	struct walk *w;
	const struct c2s_node *n;
	const char *base;
};

static void dotenv_lookup(void *ctx, const char *name, size_t n, int found, size_t at, size_t end)
{
	struct dotenv_ctx *c = ctx;
	struct walk *w = c->w;
	if (found || !c2s_env_get(w->dotenv, name, n, NULL))
		return;
	/* once per variable: its first use */
	if (c2s_env_get(w->reported, name, n, NULL) || c2s_env_set(w->reported, name, n, "", 0) != 0)
		return;
	uint32_t s, e;
	value_span(w->doc, c->n, at, end, &s, &e);
	struct c2s_diag *dg = c2s_diag_add(w->diags, C2S_R_CS3004, w->doc->src, s, e,
		"%.*s is set only in .env, which docker stack deploy never reads: at deploy it is unset here and "
		"wherever else the file uses it",
		(int)n, name);
	c2s_diag_hint(w->diags, dg, "export it before deploying (set -a; . ./.env; set +a; docker stack deploy ...) "
		      "or pass it with --env-file .env to check what deploy will see");
	w->errors++;
}

static int dotenv_scalar(struct walk *w, uint32_t idx)
{
	struct c2s_doc *d = w->doc;
	const struct c2s_node *n = &d->nodes[idx];
	struct c2s_str v = c2s_scalar(d, n);
	if (!v.n || !memchr(v.p, '$', v.n) || !is_string(d, n))
		return 0;
	c2s_buf_reset(&w->val);
	struct c2s_subst_error err;
	struct dotenv_ctx c = {w, n, v.p};
	enum c2s_subst_status st = c2s_substitute(v.p, v.n, w->env, &w->val, &err, dotenv_lookup, &c);
	(void)st;  /* an over-long value is reported by c2s_interpolate */
	return 0;
}

int c2s_interp_check_dotenv(const struct c2s_doc *doc, const struct c2s_env *env,
			    const struct c2s_env *dotenv, struct c2s_diags *diags)
{
	if (!dotenv || !c2s_env_count(dotenv))
		return 0;
	struct walk w;
	memset(&w, 0, sizeof w);
	w.doc = (struct c2s_doc *)doc;  /* read only: dotenv_scalar rewrites nothing */
	w.env = env;
	w.dotenv = dotenv;
	w.diags = diags;
	w.reported = c2s_env_new(NULL);
	if (!w.reported || walk_doc(&w, dotenv_scalar) != 0) {
		c2s_env_free(w.reported);
		c2s_diags_out_of_memory(diags);
		return -1;
	}
	c2s_env_free(w.reported);
	return w.errors;
}
