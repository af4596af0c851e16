/* schema.c -- the Compose v3 JSON schemas (3.0 ... 3.13, as tables in schema_tables.c)
 * checked over the AST: every problem, at its node, in docker's wording
 * (cli/compose/schema/schema.go + gojsonschema), plus the version that
 * introduced a key and "did you mean". */
#include "config.h"
#include "pipeline.h"
#include "schema.h"
#include "schema_tables.h"
#include "check.h"
#include "goval.h"
#include "suggest.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define SCHEMA_MAX_DEPTH C2S_MAX_DEPTH
/* Lists longer than this are checked for repeated items by sorting, not pairwise. */
#define SCHEMA_UNIQUE_PAIRWISE 32

/* Keys up to this long have their schema lookups remembered, in this many slots. */
#define SCHEMA_MEMO_KEY 24
#define SCHEMA_MEMO_SLOTS 1024
/* The most (children, schema node) pairs shared_once keeps (a table slot each). */
#define SCHEMA_SHARED_MAX ((uint32_t)1 << 22)

struct seg {
	const char *p;  /* key, or NULL for a list index */
	uint32_t n;     /* key length or index */
};

struct validator {
	const struct c2s_doc *doc;
	struct c2s_diags *diags;
	int minor;
	const char *version;
	struct seg path[SCHEMA_MAX_DEPTH + 1];
	size_t depth;
	struct c2s_buf pbuf;
	int errors;
	const struct c2s_node *key;  /* the key of the value being checked (NULL: a list item or the root) */
	unsigned suggestions;        /* "did you mean" searches done, capped */
	/* shared_once: the (children, schema node) pairs of aliased containers checked */
	uint64_t *shared;
	uint16_t *shared_depth;  /* the depth each pair was checked at */
	uint32_t shared_mask, nshared;
	/* c2s_schema_key's answers: every service asks the same questions */
	struct key_memo {
		uint16_t node;   /* schema node + 1, 0: empty */
		uint8_t len;
		int16_t sub;
		char key[SCHEMA_MEMO_KEY];
	} memo[SCHEMA_MEMO_SLOTS];
};

/* "did you mean" costs an edit distance per allowed key: only for the first ones. */
#define SCHEMA_MAX_SUGGESTIONS 1000u

/* ---- value kinds, as gojsonschema sees yaml.v3's values ---- */

unsigned c2s_schema_kind(const struct c2s_doc *d, const struct c2s_node *n)
{
	if (c2s_is_mapping(n))
		return ST_OBJ;
	if (c2s_is_sequence(n))
		return ST_ARR;
	if (!(c2s_flags(n) & C2S_NODE_TAG)) {
		/* yaml.v3 resolves only untagged plain scalars, and only those starting
		 * with one of these characters can be anything but a string */
		if (c2s_style(n) != C2S_STYLE_PLAIN)
			return ST_STR;
		struct c2s_str t = c2s_scalar(d, n);
		if (!t.n)
			return ST_NULL;
		switch (t.p[0]) {
		case '0': case '1': case '2': case '3': case '4': case '5': case '6': case '7': case '8': case '9': {
			/* all digits: an integer (or, as "08", a float with no fraction) */
			size_t i = 1;
			while (i < t.n && t.p[i] >= '0' && t.p[i] <= '9')
				i++;
			if (i == t.n && t.n <= 18)
				return ST_INT;
			/* a number or a timestamp has no other characters; only a timestamp
			 * has ':', after a date (YYYY-...) */
			int colon = 0;
			for (; i < t.n; i++) {
				char ch = t.p[i];
				if (ch == ':')
					colon = 1;
				else if (!((ch >= '0' && ch <= '9') || (ch >= 'a' && ch <= 'f') || (ch >= 'A' && ch <= 'F') ||
					   ch == 'x' || ch == 'X' || ch == 'o' || ch == 'O' || ch == '_' || ch == '.' ||
					   ch == '+' || ch == '-' || ch == 't' || ch == 'T' || ch == 'z' || ch == 'Z' ||
					   ch == ' ' || ch == '\t'))
					return ST_STR;
			}
			if (colon && (t.n < 5 || t.p[4] != '-'))
				return ST_STR;
			break;
		}
		case '+': case '-': case '.': case '<':
			break;
		case '~':
			return t.n == 1 ? ST_NULL : ST_STR;
		case 'n': case 'N':
			return t.n == 4 && (!memcmp(t.p, "null", 4) || !memcmp(t.p, "Null", 4) || !memcmp(t.p, "NULL", 4))
				       ? ST_NULL : ST_STR;
		case 't': case 'T':
			return t.n == 4 && (!memcmp(t.p, "true", 4) || !memcmp(t.p, "True", 4) || !memcmp(t.p, "TRUE", 4))
				       ? ST_BOOL : ST_STR;
		case 'f': case 'F':
			return t.n == 5 && (!memcmp(t.p, "false", 5) || !memcmp(t.p, "False", 5) ||
					    !memcmp(t.p, "FALSE", 5)) ? ST_BOOL : ST_STR;
		default:
			return ST_STR;
		}
	}
	struct c2s_value v;
	switch (c2s_resolve(d, n, &v)) {
	case C2S_TYPE_NULL:
		return ST_NULL;
	case C2S_TYPE_BOOL:
		return ST_BOOL;
	case C2S_TYPE_INT:
	case C2S_TYPE_UINT:
		return ST_INT;
	case C2S_TYPE_FLOAT:
		/* marshalled to JSON, a float with no fraction reads back as an integer */
		return isfinite(v.f) && v.f == floor(v.f) ? ST_INT : ST_NUM;
	default:
		return ST_STR;
	}
}

static const char *const type_names[] = {"null", "boolean", "integer", "number", "string", "mapping", "list"};

static const char *kind_name(unsigned k)
{
	for (int i = 0; i < 7; i++)
		if (k == (1u << i))
			return type_names[i];
	return "value";
}

/* docker's "must be a X" text for a node: its type, or its type list as written. */
static void type_text(struct c2s_buf *b, const struct c2s_snode *s)
{
	if (s->nalts)
		s = &c2s_snodes[c2s_salts[s->alts]];
	if (s->type_order) {
		unsigned o = s->type_order, names[8], n = 0;
		while (o && n < 8) {
			names[n++] = (o & 7u) - 1;
			o >>= 3;
		}
		for (unsigned i = 0; i < n; i++) {
			if (i)
				c2s_buf_adds(b, i + 1 == n ? " or " : ", ");
			c2s_buf_adds(b, type_names[names[i]]);
		}
		return;
	}
	c2s_buf_adds(b, kind_name(s->types));
}

/* ---- paths in docker's form: services.web.ports.0, (root) ---- */

static const char *path_text(struct validator *v, size_t depth)
{
	c2s_buf_reset(&v->pbuf);
	if (depth == 0)
		return "(root)";
	for (size_t i = 0; i < depth; i++) {
		if (i)
			c2s_buf_addc(&v->pbuf, '.');
		if (v->path[i].p)
			c2s_buf_add(&v->pbuf, v->path[i].p, v->path[i].n);
		else
			c2s_buf_printf(&v->pbuf, "%u", (unsigned)v->path[i].n);
	}
	return v->pbuf.data ? v->pbuf.data : "";
}

/* ---- key lookup: properties sorted by (length, name) ---- */

int c2s_schema_prop(const struct c2s_snode *s, const char *key, size_t n)
{
	uint32_t lo = s->props, hi = (uint32_t)s->props + s->nprops;
	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;
		const struct c2s_sprop *p = &c2s_sprops[mid];
		int c = p->len < n ? -1 : p->len > n ? 1 : memcmp(p->name, key, n);
		if (c == 0)
			return p->node;
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return -1;
}

static int pattern_matches(unsigned pat, const char *k, size_t n)
{
	switch (pat) {
	case SP_X:
		return n >= 2 && k[0] == 'x' && k[1] == '-';
	case SP_NAME:
		if (!n)
			return 0;
		for (size_t i = 0; i < n; i++) {
			char c = k[i];
			if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
			      c == '_' || c == '-'))
				return 0;
		}
		return 1;
	case SP_ANY:
		for (size_t i = 0; i < n; i++)
			if (k[i] != '\n')
				return 1;
		return 0;
	case SP_ANYLINE:
		return n > 0 && !memchr(k, '\n', n);
	case SP_LOWER:
		if (!n)
			return 0;
		for (size_t i = 0; i < n; i++)
			if (k[i] < 'a' || k[i] > 'z')
				return 0;
		return 1;
	}
	return 0;
}

/* The node a key's value is checked against, -1 when the key is not allowed
 * (closed object), -2 when anything goes (open object, no match). */
int c2s_schema_key(const struct c2s_snode *s, const char *k, size_t n)
{
	int p = c2s_schema_prop(s, k, n);
	if (p >= 0)
		return p;
	for (unsigned i = 0; i < s->npatterns; i++)
		if (pattern_matches(s->pattern[i], k, n))
			return s->pattern_node[i];
	return (s->flags & SN_CLOSED) ? -1 : -2;
}

/* c2s_schema_key through the validator's memo (the schema tables never change). */
static int schema_key_memo(struct validator *v, const struct c2s_snode *s, const char *k, size_t n)
{
	if (n == 0 || n > SCHEMA_MEMO_KEY)
		return c2s_schema_key(s, k, n);
	unsigned idx = (unsigned)(s - c2s_snodes);
	unsigned h = (idx * 2654435761u) ^ ((unsigned)n * 40503u) ^ ((unsigned char)k[0] * 131u) ^
		     ((unsigned char)k[n - 1] * 7u) ^ ((unsigned char)k[n / 2] * 524287u);
	struct key_memo *e = &v->memo[(h ^ (h >> 13)) & (SCHEMA_MEMO_SLOTS - 1)];
	if (e->node == idx + 1 && e->len == n && memcmp(e->key, k, n) == 0)
		return e->sub;
	int sub = c2s_schema_key(s, k, n);
	if (idx + 1 <= UINT16_MAX && sub >= INT16_MIN && sub <= INT16_MAX) {
		e->node = (uint16_t)(idx + 1);
		e->len = (uint8_t)n;
		e->sub = (int16_t)sub;
		memcpy(e->key, k, n);
	}
	return sub;
}

/* The alternative of a oneOf that takes values of this kind, or the node itself. */
static const struct c2s_snode *pick(const struct c2s_snode *s, unsigned kind, int *idx)
{
	for (unsigned i = 0; i < s->nalts; i++) {
		const struct c2s_snode *a = &c2s_snodes[c2s_salts[s->alts + i]];
		unsigned t = a->types;
		if (!t || (t & kind) || (kind == ST_INT && (t & ST_NUM))) {
			if (idx)
				*idx = c2s_salts[s->alts + i];
			return a;
		}
	}
	return s->nalts ? NULL : s;
}

/* Follow the current path (up to depth) in another version's schema: the node reached, or NULL. */
static const struct c2s_snode *follow_node(const struct validator *v, int minor, size_t depth)
{
	const struct c2s_snode *s = &c2s_snodes[c2s_schema_roots[minor]];
	for (size_t i = 0; i < depth && s; i++) {
		if (v->path[i].p) {
			s = pick(s, ST_OBJ, NULL);
			if (!s)
				return NULL;
			int k = c2s_schema_key(s, v->path[i].p, v->path[i].n);
			s = k >= 0 ? &c2s_snodes[k] : NULL;
		} else {
			s = pick(s, ST_ARR, NULL);
			s = s && s->items ? &c2s_snodes[s->items] : NULL;
		}
	}
	return s;
}

/* The same, ending on the object alternative. */
static const struct c2s_snode *follow(const struct validator *v, int minor, size_t depth)
{
	const struct c2s_snode *s = follow_node(v, minor, depth);
	return s ? pick(s, ST_OBJ, NULL) : NULL;
}

/* ---- did you mean ---- */

static const char *closest_key(const struct c2s_snode *s, const char *k, size_t n)
{
	const char *best = NULL;
	size_t bestd = c2s_suggest_limit(n);
	for (unsigned i = 0; i < s->nprops; i++) {
		const struct c2s_sprop *p = &c2s_sprops[s->props + i];
		size_t d = c2s_edit_distance(k, n, p->name, p->len);
		if (d <= bestd && (!best || d < bestd)) {
			best = p->name;
			bestd = d;
		}
	}
	return best;
}

/* ---- reporting ---- */

static void unknown_key(struct validator *v, const struct c2s_snode *s, const struct c2s_node *key,
			struct c2s_str k)
{
	int in_service = v->depth == 2 && v->path[0].n == 8 && !memcmp(v->path[0].p, "services", 8);
	if (in_service && c2s_is_forbidden_key(k.p, k.n))
		return;  /* CS4001 said it; docker checks those first */
	const char *where = path_text(v, v->depth);
	/* Is it a key of a later version at this same place? */
	for (int m = v->minor + 1; m <= C2S_SCHEMA_MINOR_MAX; m++) {
		const struct c2s_snode *later = follow(v, m, v->depth);
		if (later && c2s_schema_key(later, k.p, k.n) != -1) {
			struct c2s_diag *dg = c2s_diag_at(v->diags, C2S_R_CS2003, v->doc, key,
				"`%.*s` needs version 3.%d or later; this file says %s", (int)k.n, k.p, m, v->version);
			c2s_diag_hint(v->diags, dg, "raise version: to \"3.%d\" (or newer; docker 28.2 reads up to 3.13) -- "
				      "docker says: %s Additional property %.*s is not allowed", m, where, (int)k.n, k.p);
			v->errors++;
			return;
		}
	}
	/* A docker compose (compose-spec) key: its own rule, with the swarm way to say it. */
	int top = v->depth == 0;
	const char *spec = top || in_service ? c2s_compose_spec_hint(top, k) : NULL;
	if (spec) {
		struct c2s_diag *sd;
		if (top && k.n == 4 && !memcmp(k.p, "name", 4))
			sd = c2s_diag_at(v->diags, C2S_R_CS2901, v->doc, key,
				"top-level name is a docker compose (compose-spec) key: docker stack refuses the file "
				"(\"(root) Additional property name is not allowed\")");
		else
			sd = c2s_diag_at(v->diags, C2S_R_CS2902, v->doc, key,
				"%.*s is a docker compose (compose-spec) key that no Compose v3 schema allows: "
				"docker stack refuses the file (\"%s Additional property %.*s is not allowed\")",
				(int)k.n, k.p, where, (int)k.n, k.p);
		c2s_diag_hint(v->diags, sd, "%s", spec);
		v->errors++;
		return;
	}
	struct c2s_diag *dg = c2s_diag_at(v->diags, C2S_R_CS2002, v->doc, key,
					  "%s Additional property %.*s is not allowed", where, (int)k.n, k.p);
	const char *near = v->suggestions++ < SCHEMA_MAX_SUGGESTIONS ? closest_key(s, k.p, k.n) : NULL;
	if (near)
		c2s_diag_hint(v->diags, dg, "did you mean `%s`?", near);
	else if (k.n >= 2 && k.p[0] == 'x' && k.p[1] == '-')
		c2s_diag_hint(v->diags, dg, "x- extension keys are allowed here from version %s",
			      v->depth == 0 ? "3.4" : "3.7");
	v->errors++;
}

static void interpolated_hint(struct validator *v, struct c2s_diag *dg, const struct c2s_node *n)
{
	if (!dg || !c2s_node_interpolated(v->doc, n))
		return;
	uint32_t end = c2s_node_end(v->doc, n);
	struct c2s_str val = c2s_scalar(v->doc, n);
	const char *before = c2s_diag_hint_of(v->diags, dg);  /* kept after the origin of the value */
	c2s_diag_hint(v->diags, dg, "this value came from %.*s, which gave \"%.*s\"%s%s", (int)(end - n->start),
		      v->doc->src->data + n->start, (int)(val.n > 200 ? 200 : val.n), val.p, before ? "; " : "",
		      before ? before : "");
}

static void wrong_type(struct validator *v, const struct c2s_snode *s, const struct c2s_node *n, unsigned kind)
{
	struct c2s_buf t;
	c2s_buf_init(&t, 256);
	type_text(&t, s);
	/* a block mapping or list is pointed at by its key */
	const struct c2s_node *at = (c2s_is_mapping(n) || c2s_is_sequence(n) ||
				     (kind == ST_NULL && c2s_is_scalar(n) && !c2s_count(n))) && v->key ? v->key : n;
	struct c2s_diag *dg = c2s_diag_at(v->diags, C2S_R_CS2004, v->doc, at, "%s must be a %s",
					  path_text(v, v->depth), t.data ? t.data : "value");
	/* a form a later version allows (long-syntax ports and volumes from 3.2, ...) */
	int later = 0;
	for (int m = v->minor + 1; m <= C2S_SCHEMA_MINOR_MAX && !later; m++) {
		const struct c2s_snode *ls = follow_node(v, m, v->depth);
		const struct c2s_snode *alt = ls ? pick(ls, kind, NULL) : NULL;
		if (alt && (!alt->types || (alt->types & kind) || (kind == ST_INT && (alt->types & ST_NUM))))
			later = m;
	}
	if (later)
		c2s_diag_hint(v->diags, dg, "this form needs version 3.%d or later; this file says %s", later, v->version);
	else if (c2s_node_interpolated(v->doc, n))
		interpolated_hint(v, dg, n);
	else if (kind == ST_STR && c2s_is_scalar(n) && c2s_style(n) != C2S_STYLE_PLAIN &&
		 (s->types & (ST_INT | ST_NUM | ST_BOOL)))
		c2s_diag_hint(v->diags, dg, "this %s is quoted, so it is a string; write it without quotes", kind_name(kind));
	else if (kind == ST_STR && (s->types & ST_BOOL))
		c2s_diag_hint(v->diags, dg, "YAML 1.2 (docker's parser) reads only true and false as booleans");
	else if (kind == ST_OBJ && (s->types & ST_ARR) && v->depth >= 1 && v->path[v->depth - 1].p &&
		 v->path[v->depth - 1].n == 10 && !memcmp(v->path[v->depth - 1].p, "depends_on", 10))
		c2s_diag_hint(v->diags, dg, "the v3 format has only the list form (depends_on: [db]); docker stack "
			      "ignores depends_on anyway -- use healthchecks and restart policies");
	else if (kind == ST_NULL)
		c2s_diag_hint(v->diags, dg, "the value is empty (null)");
	else if (s->nalts > 1) {
		struct c2s_buf alts;
		c2s_buf_init(&alts, 256);
		for (unsigned i = 0; i < s->nalts; i++) {
			if (i)
				c2s_buf_adds(&alts, i + 1 == s->nalts ? " or " : ", ");
			c2s_buf_adds(&alts, "a ");
			type_text(&alts, &c2s_snodes[c2s_salts[s->alts + i]]);
		}
		c2s_diag_hint(v->diags, dg, "it can be %s, not a %s", alts.data ? alts.data : "", kind_name(kind));
		c2s_buf_free(&alts);
	}
	c2s_buf_free(&t);
	v->errors++;
}

/* ---- formats ---- */

static void check_format(struct validator *v, const struct c2s_snode *s, const struct c2s_node *n, unsigned kind)
{
	if (s->format == SF_NONE || s->format == SF_EXPOSE)
		return;
	struct c2s_str val = c2s_scalar(v->doc, n);
	const char *why = NULL;
	char num[64];
	if (s->format == SF_DURATION) {
		int64_t ns;
		if (kind != ST_STR || c2s_duration_parse(val.p, val.n, &ns, NULL, 0) != 0)
			why = "a Go duration: a number and a unit (ns, us, ms, s, m, h), e.g. 1m30s, 10s, 500ms";
	} else if (s->format == SF_PORTS) {
		const char *p = val.p;
		size_t pn = val.n;
		if (kind != ST_STR) {
			struct c2s_value x;
			c2s_resolve(v->doc, n, &x);
			if (x.type == C2S_TYPE_FLOAT && x.f != floor(x.f))
				return;  /* docker checks the numerator of the rational; leave it */
			snprintf(num, sizeof num, "%.0f", x.f);
			p = num;
			pn = strlen(num);
		}
		struct c2s_port_spec ps;
		char e[256];
		if (c2s_port_spec_parse(p, pn, &ps, e, sizeof e) != 0) {
			struct c2s_diag *dg = c2s_diag_at(v->diags, C2S_R_CS2005, v->doc, n,
				"%s Does not match format 'ports'", path_text(v, v->depth));
			c2s_diag_hint(v->diags, dg, "%s; a port is [[IP:]PUBLISHED:]TARGET[/tcp|udp|sctp] with ports "
				      "or ranges (8080:80, 127.0.0.1:53:53/udp, 9000-9001:9000-9001)", e);
			interpolated_hint(v, dg, n);
			v->errors++;
		}
		return;
	}
	if (why) {
		struct c2s_diag *dg = c2s_diag_at(v->diags, C2S_R_CS2005, v->doc, n, "%s Does not match format '%s'",
						  path_text(v, v->depth), "duration");
		c2s_diag_hint(v->diags, dg, "%s", why);
		interpolated_hint(v, dg, n);
		v->errors++;
	}
}

/* ---- uniqueness (uniqueItems over scalars) ---- */

struct item_key {
	unsigned kind;
	const char *p;
	size_t n;
	double f;
	uint32_t idx;
};

static int item_key(const struct c2s_doc *d, const struct c2s_node *n, struct item_key *k)
{
	if (!c2s_is_scalar(n))
		return -1;
	k->kind = c2s_schema_kind(d, n);
	struct c2s_str s = c2s_scalar(d, n);
	k->p = s.p;
	k->n = s.n;
	k->f = 0;
	if (k->kind == ST_INT || k->kind == ST_NUM || k->kind == ST_BOOL) {
		struct c2s_value v;
		c2s_resolve(d, n, &v);
		k->f = k->kind == ST_BOOL ? v.boolean : v.f;
		k->kind = k->kind == ST_BOOL ? ST_BOOL : ST_NUM;
		k->n = 0;
	} else if (k->kind == ST_NULL) {
		k->n = 0;
	}
	return 0;
}

static int item_cmp(const void *a, const void *b)
{
	const struct item_key *x = a, *y = b;
	if (x->kind != y->kind)
		return x->kind < y->kind ? -1 : 1;
	if (x->f != y->f)
		return x->f < y->f ? -1 : 1;
	if (x->n != y->n)
		return x->n < y->n ? -1 : 1;
	int c = memcmp(x->p, y->p, x->n);
	if (c)
		return c;
	return x->idx < y->idx ? -1 : x->idx > y->idx;
}

static int item_same(const struct item_key *x, const struct item_key *y)
{
	return x->kind == y->kind && x->f == y->f && x->n == y->n && !memcmp(x->p, y->p, x->n);
}

static void check_unique(struct validator *v, const struct c2s_node *seq)
{
	uint32_t cnt = c2s_count(seq);
	if (cnt < 2)
		return;
	struct item_key *keys = malloc((size_t)cnt * sizeof *keys);
	if (!keys) {
		c2s_diags_out_of_memory(v->diags);
		return;
	}
	uint32_t nk = 0;
	for (uint32_t i = 0; i < cnt; i++)
		if (item_key(v->doc, c2s_seq_item(v->doc, seq, i), &keys[nk]) == 0)
			keys[nk++].idx = i;
	uint32_t a = 0, b = 0;
	int found = 0;
	if (nk <= SCHEMA_UNIQUE_PAIRWISE) {
		for (uint32_t i = 0; i < nk && !found; i++)
			for (uint32_t j = i + 1; j < nk && !found; j++)
				if (item_same(&keys[i], &keys[j])) {
					a = keys[i].idx;
					b = keys[j].idx;
					found = 1;
				}
	} else {
		qsort(keys, nk, sizeof *keys, item_cmp);
		for (uint32_t i = 0; i + 1 < nk; i++)
			if (item_same(&keys[i], &keys[i + 1]) && (!found || keys[i].idx < a)) {
				a = keys[i].idx;
				b = keys[i + 1].idx;
				found = 1;
			}
	}
	free(keys);
	if (!found)
		return;
	const struct c2s_node *dup = c2s_seq_item(v->doc, seq, b), *first = c2s_seq_item(v->doc, seq, a);
	struct c2s_diag *dg = c2s_diag_at(v->diags, C2S_R_CS2006, v->doc, dup, "%s array items[%u,%u] must be unique",
					  path_text(v, v->depth), (unsigned)a, (unsigned)b);
	c2s_diag_related(v->diags, dg, v->doc->src, first->start, c2s_node_end(v->doc, first), "first written here");
	c2s_diag_hint(v->diags, dg, "remove the repeated item");
	v->errors++;
}

/* ---- the walk ---- */

static void validate(struct validator *v, int node, const struct c2s_node *n);
static int shared_seen(struct validator *v, int node, const struct c2s_node *n);

/* A scalar of a type the schema node wants, which checks nothing else about
 * it (no oneOf, enum or format): what validate would find, nothing, without
 * the call. The type must be plain to see: a quoted string, a plain one that
 * starts with a byte no other type (nor a timestamp) can start with, or up to
 * 18 digits (an integer, never negative). */
/* (inlined by force: it runs for every scalar the walk meets, and a call
 * costs it a third of what it saves) */
static inline __attribute__((always_inline)) int plainly_valid(const struct c2s_doc *d, int node,
							       const struct c2s_node *n)
{
	const struct c2s_snode *s = &c2s_snodes[node];
	uint32_t m = n->meta;
	if (C2S_NODE_KIND(m) != C2S_SCALAR || (C2S_NODE_FLAGS(m) & C2S_NODE_TAG) || !C2S_NODE_N(m) || s->nalts ||
	    s->nenums || (s->format != SF_NONE && s->format != SF_EXPOSE))
		return 0;
	if (C2S_NODE_STYLE(m) != C2S_STYLE_PLAIN)
		return (s->types & ST_STR) != 0;
	struct c2s_str t = c2s_scalar(d, n);
	unsigned char c = (unsigned char)t.p[0];
	if (c >= '0' && c <= '9') {
		if (!(s->types & (ST_INT | ST_NUM)) || t.n > 18)
			return 0;
		for (size_t i = 1; i < t.n; i++)
			if (t.p[i] < '0' || t.p[i] > '9')
				return 0;
		return 1;
	}
	return (s->types & ST_STR) && !(c == '+' || c == '-' || c == '.' || c == '<' || c == '~' || c == 'n' ||
					 c == 'N' || c == 't' || c == 'T' || c == 'f' || c == 'F');
}

/* A mapping key JSON cannot hold (docker marshals the file to JSON before it
 * validates it): reported, 1. */
static int bad_key_report(struct validator *v, const struct c2s_node *k)
{
	if (!c2s_is_scalar(k)) {
		c2s_diag_at(v->diags, C2S_R_CS2004, v->doc, k,
			"a mapping key must be a string (docker: json: unsupported type: map[interface {}]interface {})");
		v->errors++;
		return 1;
	}
	unsigned kk = c2s_schema_kind(v->doc, k);
	if (kk != ST_STR) {
		struct c2s_str ks = c2s_scalar(v->doc, k);
		struct c2s_diag *dg = c2s_diag_at(v->diags, C2S_R_CS2004, v->doc, k,
			"the key %.*s is a %s, not a string: docker cannot read the file (json: unsupported type: "
			"map[interface {}]interface {})", (int)ks.n, ks.p, kind_name(kk));
		c2s_diag_hint(v->diags, dg, "quote it: \"%.*s\"", (int)ks.n, ks.p);
		v->errors++;
		return 1;
	}
	return 0;
}
static inline int bad_key(struct validator *v, const struct c2s_node *k)
{
	return (!c2s_is_scalar(k) || c2s_schema_kind(v->doc, k) != ST_STR) && bad_key_report(v, k);
}

/* A number JSON cannot hold (an infinity or NaN): reported, 1. */
static int bad_number(struct validator *v, const struct c2s_node *n)
{
	struct c2s_value x;
	c2s_resolve(v->doc, n, &x);
	if (isfinite(x.f))
		return 0;
	struct c2s_diag *dg = c2s_diag_at(v->diags, C2S_R_CS2004, v->doc, n, "json: unsupported value: %s",
					  isnan(x.f) ? "NaN" : x.f > 0 ? "+Inf" : "-Inf");
	interpolated_hint(v, dg, n);
	v->errors++;
	return 1;
}

/* Where the schema allows anything (x-* content), JSON still has to hold it:
 * string keys, finite numbers -- all the way down. */
static void json_only(struct validator *v, const struct c2s_node *n, size_t depth)
{
	if (depth >= SCHEMA_MAX_DEPTH)
		return;
	if (c2s_is_mapping(n)) {
		for (uint32_t i = 0, cnt = c2s_count(n); i < cnt; i++)
			if (!bad_key(v, c2s_map_key(v->doc, n, i)))
				json_only(v, c2s_map_value(v->doc, n, i), depth + 1);
	} else if (c2s_is_sequence(n)) {
		for (uint32_t i = 0, cnt = c2s_count(n); i < cnt; i++)
			json_only(v, c2s_seq_item(v->doc, n, i), depth + 1);
	} else if (c2s_schema_kind(v->doc, n) == ST_NUM &&
		   !(v->doc->ninterpolated && c2s_node_interp_failed(v->doc, n))) {
		bad_number(v, n);
	}
}

static void validate_object(struct validator *v, const struct c2s_snode *s, const struct c2s_node *m)
{
	const struct c2s_node *self_key = v->key;
	/* (the required keys below are reported at this occurrence's own key: always) */
	uint32_t cnt = shared_seen(v, (int)(s - c2s_snodes), m) ? 0 : c2s_count(m);
	for (uint32_t i = 0; i < cnt; i++) {
		const struct c2s_node *k = c2s_map_key(v->doc, m, i), *val = c2s_map_value(v->doc, m, i);
		if (bad_key(v, k))
			continue;
		struct c2s_str ks = c2s_scalar(v->doc, k);
		int sub = schema_key_memo(v, s, ks.p, ks.n);
		if (sub == -1) {
			unknown_key(v, s, k, ks);
			continue;
		}
		if (v->depth >= SCHEMA_MAX_DEPTH || (sub >= 0 && plainly_valid(v->doc, sub, val)))
			continue;
		v->path[v->depth].p = ks.p;
		v->path[v->depth].n = (uint32_t)ks.n;
		v->depth++;
		v->key = k;
		validate(v, sub < 0 ? 0 : sub, val);
		v->depth--;
	}
	for (unsigned r = 0; r < s->nrequired; r++) {
		const char *req = c2s_sstrings[s->required + r];
		if (!c2s_map_get(v->doc, m, req, NULL)) {
			struct c2s_diag *dg = c2s_diag_at(v->diags, C2S_R_CS2006, v->doc, self_key ? self_key : m, "%s %s is required",
							  path_text(v, v->depth), req);
			(void)dg;
			v->errors++;
		}
	}
}

/* shared_once: 1 when the children of container n (anchored, or an alias of one)
 * were already checked against schema node `node` -- what they would report again
 * sits at the same nodes, and the caller drops such repeats. Records the pair.
 * A pair first met deeper is checked again: the depth limit may have cut it. */
static int shared_seen(struct validator *v, int node, const struct c2s_node *n)
{
	if (!v->shared_mask || !(c2s_flags(n) & (C2S_NODE_ALIAS | C2S_NODE_ANCHOR)) || !c2s_count(n))
		return 0;
	if (2 * (v->nshared + 1) > v->shared_mask + 1) {
		uint32_t cap = (v->shared_mask + 1) * 2;
		uint64_t *t = cap <= SCHEMA_SHARED_MAX ? calloc(cap, sizeof *t) : NULL;
		uint16_t *td = t ? calloc(cap, sizeof *td) : NULL;
		if (!td) {
			free(t);
			return 0;  /* check it again: the same findings, dropped later */
		}
		for (uint32_t i = 0; i <= v->shared_mask; i++) {
			if (!v->shared[i])
				continue;
			uint32_t h = (uint32_t)((v->shared[i] * 0x9e3779b97f4a7c15ull) >> 32) & (cap - 1);
			while (t[h])
				h = (h + 1) & (cap - 1);
			t[h] = v->shared[i];
			td[h] = v->shared_depth[i];
		}
		free(v->shared);
		free(v->shared_depth);
		v->shared = t;
		v->shared_depth = td;
		v->shared_mask = cap - 1;
	}
	/* a container's children are n->ref .. n->ref + 2n: ref names them */
	uint64_t k = ((uint64_t)n->ref << 32 | (uint32_t)node << 2 | c2s_kind(n)) + 1;
	uint32_t h = (uint32_t)((k * 0x9e3779b97f4a7c15ull) >> 32) & v->shared_mask;
	for (; v->shared[h]; h = (h + 1) & v->shared_mask)
		if (v->shared[h] == k) {
			if (v->shared_depth[h] <= v->depth)
				return 1;
			v->shared_depth[h] = (uint16_t)v->depth;
			return 0;
		}
	v->shared[h] = k;
	v->shared_depth[h] = (uint16_t)v->depth;
	v->nshared++;
	return 0;
}

static void validate(struct validator *v, int node, const struct c2s_node *n)
{
	const struct c2s_snode *s = &c2s_snodes[node];
	if (!s->types && !s->nalts && !s->nprops && !s->npatterns && !s->items) {
		json_only(v, n, v->depth);  /* {}: anything JSON holds */
		return;
	}
	/* (failed entries sort last in doc->interpolated: none there, none at all) */
	if (c2s_is_scalar(n) && v->doc->ninterpolated &&
	    (v->doc->interpolated[v->doc->ninterpolated - 1] & C2S_INTERP_FAILED) &&
	    c2s_node_interp_failed(v->doc, n))
		return;  /* reported by interpolation, where docker stops */
	unsigned kind = c2s_schema_kind(v->doc, n);
	/* docker hands the tree to its validator as JSON, which has no infinities:
	 * that fails before any type is looked at */
	if (kind == ST_NUM && bad_number(v, n))
		return;
	if (s->nalts) {
		int idx = 0;
		const struct c2s_snode *a = pick(s, kind, &idx);
		if (!a) {
			wrong_type(v, s, n, kind);
			return;
		}
		validate(v, idx, n);
		return;
	}
	if (s->types && !(s->types & kind) && !(kind == ST_INT && (s->types & ST_NUM))) {
		wrong_type(v, s, n, kind);
		return;
	}
	if (kind == ST_OBJ) {
		validate_object(v, s, n);
	} else if (kind == ST_ARR) {
		if (s->items && !shared_seen(v, node, n)) {
			for (uint32_t i = 0, cnt = c2s_count(n); i < cnt && v->depth < SCHEMA_MAX_DEPTH; i++) {
				if (plainly_valid(v->doc, s->items, c2s_seq_item(v->doc, n, i)))
					continue;
				v->path[v->depth].p = NULL;
				v->path[v->depth].n = i;
				v->depth++;
				v->key = NULL;
				validate(v, s->items, c2s_seq_item(v->doc, n, i));
				v->depth--;
			}
		}
		if (s->flags & SN_UNIQUE)
			check_unique(v, n);
	} else {
		if (s->nenums && kind == ST_STR) {
			struct c2s_str val = c2s_scalar(v->doc, n);
			int ok = 0;
			for (unsigned i = 0; i < s->nenums && !ok; i++) {
				const char *e = c2s_sstrings[s->enums + i];
				ok = strlen(e) == val.n && !memcmp(e, val.p, val.n);
			}
			if (!ok) {
				struct c2s_buf list;
				c2s_buf_init(&list, 1024);
				for (unsigned i = 0; i < s->nenums; i++)
					c2s_buf_printf(&list, "%s\"%s\"", i ? ", " : "", c2s_sstrings[s->enums + i]);
				const char *p = path_text(v, v->depth);
				struct c2s_diag *dg = c2s_diag_at(v->diags, C2S_R_CS2006, v->doc, n,
					"%s must be one of the following: %s", p, list.data ? list.data : "");
				interpolated_hint(v, dg, n);
				c2s_buf_free(&list);
				v->errors++;
			}
		}
		if (s->flags & SN_MIN0) {
			struct c2s_value x;
			c2s_resolve(v->doc, n, &x);
			if ((kind == ST_INT || kind == ST_NUM) && x.f < 0) {
				c2s_diag_at(v->diags, C2S_R_CS2006, v->doc, n, "%s Must be greater than or equal to 0",
					    path_text(v, v->depth));
				v->errors++;
			}
		}
		if (kind == ST_STR || kind == ST_INT || kind == ST_NUM)
			check_format(v, s, n, kind);
		/* yaml.v3 gives a plain date a time.Time: the schema sees a string (JSON),
		 * the typed decoding of a string field refuses it */
		if (kind == ST_STR && (s->types & ST_STR) && !(s->types & (ST_INT | ST_NUM | ST_BOOL | ST_OBJ | ST_ARR)) &&
		    c2s_style(n) == C2S_STYLE_PLAIN && c2s_count(n) >= 8) {
			struct c2s_str t = c2s_scalar(v->doc, n);
			struct c2s_value x;
			if (t.p[0] >= '0' && t.p[0] <= '9' && c2s_resolve(v->doc, n, &x) == C2S_TYPE_TIMESTAMP) {
				const char *field = v->depth && v->path[v->depth - 1].p ? v->path[v->depth - 1].p : "";
				int fn = v->depth && v->path[v->depth - 1].p ? (int)v->path[v->depth - 1].n : 0;
				struct c2s_diag *dg = c2s_diag_at(v->diags, C2S_R_CS2009, v->doc, n,
					"decoding failed: '%.*s' expected type 'string', got unconvertible type 'time.Time'",
					fn, field);
				c2s_diag_hint(v->diags, dg, "docker's YAML parser reads an unquoted date as a timestamp; quote "
					      "it: \"%.*s\"", (int)t.n, t.p);
				v->errors++;
			}
		}
	}
}

int c2s_schema_validate(const struct c2s_doc *doc, int version_minor, const char *version,
			struct c2s_diags *diags)
{
	return c2s_schema_validate_ex(doc, version_minor, version, 0, diags);
}

int c2s_schema_validate_ex(const struct c2s_doc *doc, int version_minor, const char *version,
			   int shared_once, struct c2s_diags *diags)
{
	if (version_minor < 0 || version_minor > C2S_SCHEMA_MINOR_MAX)
		return 0;
	const struct c2s_node *root = c2s_node_at(doc, doc->root);
	if (!c2s_is_mapping(root))
		return 0;
	struct validator *v = calloc(1, sizeof *v);
	if (!v)
		return -1;
	v->doc = doc;
	v->diags = diags;
	v->minor = version_minor;
	v->version = version;
	c2s_buf_init(&v->pbuf, (size_t)1 << 20);
	if (shared_once) {
		v->shared = calloc(64, sizeof *v->shared);
		v->shared_depth = calloc(64, sizeof *v->shared_depth);
		v->shared_mask = v->shared && v->shared_depth ? 63 : 0;
	}
	validate(v, c2s_schema_roots[version_minor], root);
	int errors = v->errors;
	c2s_buf_free(&v->pbuf);
	free(v->shared);
	free(v->shared_depth);
	free(v);
	return errors;
}
