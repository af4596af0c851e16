/* model_build.c -- AST -> typed model, doing what docker/cli's loader does after
 * validation (cli/compose/loader/loader.go at v28.2.2):
 * short syntax to long syntax, lists to maps, env_file reading, path
 * absolutisation, external objects, durations and sizes. */
#include "config.h"
#include "model.h"
#include "diag.h"
#include "buf.h"
#include "goval.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Ports one service may expand to (short-syntax ranges); docker has no bound. */
#define MODEL_MAX_PORTS (1u << 20)

struct builder {
	struct c2s_model *m;
	struct c2s_doc *d;
	uint16_t file;
	const struct c2s_model_env *env;
	struct c2s_diags *diags;
	int failed;
	const char *version;
	struct c2s_arena *arena;  /* where values go: the model's, or a scratch one */
	int lazy;                 /* 1: services left as C2S_MVF_LAZY placeholders; 2: left out */
	uint64_t skip;            /* service fields (1 << field) not to build */
	uint64_t skip_deploy;     /* the same for a service's deploy: */
};

typedef struct c2s_mval mval;

/* ---- small helpers ---- */

static uint32_t node_index(const struct builder *b, const struct c2s_node *n)
{
	return n ? (uint32_t)(n - b->d->nodes) : 0;
}

static mval mv(const struct builder *b, enum c2s_mkind kind, const struct c2s_node *n)
{
	mval v;
	memset(&v, 0, sizeof v);
	v.kind = (uint8_t)kind;
	v.file = b->file;
	v.node = node_index(b, n);
	return v;
}

static mval mv_str(const struct builder *b, const char *s, size_t len, const struct c2s_node *n)
{
	mval v = mv(b, C2S_MV_STR, n);
	v.u.s = s;
	v.n = (uint32_t)len;
	return v;
}

static mval mv_int(const struct builder *b, int64_t i, const struct c2s_node *n)
{
	mval v = mv(b, C2S_MV_INT, n);
	v.u.i = i;
	return v;
}

static void *alloc(struct builder *b, size_t n)
{
	void *p = c2s_arena_alloc(b->arena, n ? n : 1);
	if (!p && !b->failed) {
		b->failed = 1;
		c2s_diags_out_of_memory(b->diags);
	}
	return p;
}

static mval *copy_vals(struct builder *b, const mval *v, size_t n)
{
	mval *p = alloc(b, n * sizeof *p);
	if (p && n)
		memcpy(p, v, n * sizeof *p);
	return p;
}

static char *str_dup(struct builder *b, const char *s, size_t n)
{
	char *p = alloc(b, n + 1);
	if (p) {
		memcpy(p, s, n);
		p[n] = '\0';
	}
	return p;
}

__attribute__((format(printf, 3, 4)))
static void fail(struct builder *b, const struct c2s_node *n, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	uint32_t start = n ? n->start : 0, end = n ? c2s_node_end(b->d, n) : 0;
	c2s_diag_vadd(b->diags, C2S_R_CS2009, b->d->src, start, end, fmt, ap);
	va_end(ap);
	b->failed = 1;
}

static struct c2s_str text(const struct builder *b, const struct c2s_node *n)
{
	return c2s_scalar(b->d, n);
}

static int is_null(const struct builder *b, const struct c2s_node *n)
{
	struct c2s_value v;
	return !n || (c2s_is_scalar(n) && c2s_resolve(b->d, n, &v) == C2S_TYPE_NULL);
}


size_t c2s_go_float(double f, int bits, char *out, size_t cap)
{
	if (isnan(f))
		return (size_t)snprintf(out, cap, "NaN");
	if (isinf(f))
		return (size_t)snprintf(out, cap, f > 0 ? "+Inf" : "-Inf");
	if (f == 0)
		return (size_t)snprintf(out, cap, signbit(f) ? "-0" : "0");
	char tmp[64];
	int prec;
	for (prec = 1; prec <= 17; prec++) {
		snprintf(tmp, sizeof tmp, "%.*e", prec - 1, f);
		if (bits == 32 ? (float)strtod(tmp, NULL) == (float)f : strtod(tmp, NULL) == f)
			break;
	}
	/* tmp: [-]d[.ddd]e[+-]XX */
	char digits[32];
	size_t nd = 0;
	const char *p = tmp;
	int neg = 0;
	if (*p == '-') {
		neg = 1;
		p++;
	}
	for (; *p && *p != 'e'; p++)
		if (*p >= '0' && *p <= '9')
			digits[nd++] = *p;
	int exp = atoi(p + 1);
	while (nd > 1 && digits[nd - 1] == '0')
		nd--;
	size_t w = 0;
	char buf[64];
	if (neg)
		buf[w++] = '-';
	/* exponent form iff exp < -4 || exp >= eprec */
	int eprec = 6; /* strconv 'g' with the shortest precision */
	if (exp < -4 || exp >= eprec) {
		buf[w++] = digits[0];
		if (nd > 1) {
			buf[w++] = '.';
			for (size_t i = 1; i < nd; i++)
				buf[w++] = digits[i];
		}
		w += (size_t)snprintf(buf + w, sizeof buf - w, "e%c%02d", exp < 0 ? '-' : '+', exp < 0 ? -exp : exp);
	} else if (exp < 0) {
		buf[w++] = '0';
		buf[w++] = '.';
		for (int i = -1; i > exp; i--)
			buf[w++] = '0';
		for (size_t i = 0; i < nd; i++)
			buf[w++] = digits[i];
	} else {
		for (int i = 0; i <= exp; i++)
			buf[w++] = (size_t)i < nd ? digits[i] : '0';
		if ((int)nd > exp + 1) {
			buf[w++] = '.';
			for (size_t i = (size_t)exp + 1; i < nd; i++)
				buf[w++] = digits[i];
		}
	}
	buf[w] = '\0';
	return (size_t)snprintf(out, cap, "%s", buf);
}

static const char *const month_names[] = {"January", "February", "March", "April", "May", "June", "July",
	"August", "September", "October", "November", "December"};

/* Decimal text of v (with a '-' when negative) into buf (>= 21 bytes, no NUL
 * written); returns its length. snprintf's "%lld" cost ~700 instructions. */
static size_t fmt_u64(char *buf, uint64_t v, int negative)
{
	char tmp[24];
	size_t n = 0;
	do {
		tmp[n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	size_t w = 0;
	if (negative)
		buf[w++] = '-';
	while (n)
		buf[w++] = tmp[--n];
	return w;
}

static size_t fmt_i64(char *buf, int64_t v)
{
	return fmt_u64(buf, v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v, v < 0);
}

/* A scalar as Go's fmt.Sprint prints the value yaml.v3 decoded (§4.3).
 * null_text: what a null becomes (NULL: keep it null, *is_null set). */
static struct c2s_str go_sprint(struct builder *b, const struct c2s_node *n, int *was_null)
{
	struct c2s_value v;
	struct c2s_str s = {"", 0};
	char buf[96];
	size_t len;
	if (was_null)
		*was_null = 0;
	if (!c2s_is_scalar(n))
		return s;
	switch (c2s_resolve(b->d, n, &v)) {
	case C2S_TYPE_NULL:
		if (was_null)
			*was_null = 1;
		s.p = "<nil>";
		s.n = 5;
		return s;
	case C2S_TYPE_BOOL:
		s.p = v.boolean ? "true" : "false";
		s.n = strlen(s.p);
		return s;
	case C2S_TYPE_INT:
		len = fmt_i64(buf, v.i);
		break;
	case C2S_TYPE_UINT:
		len = fmt_u64(buf, v.u, 0);
		break;
	case C2S_TYPE_FLOAT:
		len = c2s_go_float(v.f, 64, buf, sizeof buf);
		break;
	case C2S_TYPE_TIMESTAMP: {
		/* Go's time.Time.String(): 2006-01-02 15:04:05.999999999 -0700 MST */
		len = (size_t)snprintf(buf, sizeof buf, "%04d-%02d-%02d %02d:%02d:%02d", v.ts.year, v.ts.month,
				       v.ts.day, v.ts.hour, v.ts.minute, v.ts.second);
		if (v.ts.nanosecond) {
			char frac[16];
			snprintf(frac, sizeof frac, "%09ld", v.ts.nanosecond);
			size_t fl = 9;
			while (fl > 0 && frac[fl - 1] == '0')
				fl--;
			len += (size_t)snprintf(buf + len, sizeof buf - len, ".%.*s", (int)fl, frac);
		}
		if (v.ts.zone == 0) {
			len += (size_t)snprintf(buf + len, sizeof buf - len, " +0000 UTC");
		} else {
			int o = v.ts.offset_minutes, a = o < 0 ? -o : o;
			len += (size_t)snprintf(buf + len, sizeof buf - len, " %c%02d%02d %c%02d%02d", o < 0 ? '-' : '+',
						a / 60, a % 60, o < 0 ? '-' : '+', a / 60, a % 60);
		}
		(void)month_names;
		break;
	}
	default:
		return text(b, n);
	}
	s.p = str_dup(b, buf, len);
	s.n = s.p ? len : 0;
	return s;
}

/* ---- sorting maps (yaml.v3 order; for equal keys the later entry wins) ---- */

struct sort_item {
	mval k, v;
	uint32_t seq;
};

static int cmp_items(const void *pa, const void *pb)
{
	const struct sort_item *a = pa, *b = pb;
	int c = c2s_key_cmp(a->k.u.s, a->k.n, b->k.u.s, b->k.n);
	return c ? c : a->seq < b->seq ? -1 : 1;
}

/* Make a MAP value from items (modified): sorted, duplicates resolved to the last. */
static mval make_map(struct builder *b, struct sort_item *items, size_t n, const struct c2s_node *node)
{
	mval out = mv(b, C2S_MV_MAP, node);
	for (size_t i = 0; i < n; i++)
		items[i].seq = (uint32_t)i;
	if (n > 16) {
		/* maps written in order (services often are): one pass says so, no sort */
		size_t i = 1;
		while (i < n && cmp_items(&items[i - 1], &items[i]) < 0)
			i++;
		if (i < n)
			qsort(items, n, sizeof *items, cmp_items);
	} else {
		/* small maps (most): a stable insertion sort, one comparison per step */
		for (size_t i = 1; i < n; i++) {
			struct sort_item x = items[i];
			size_t j = i;
			while (j > 0 && cmp_items(&x, &items[j - 1]) < 0) {
				items[j] = items[j - 1];
				j--;
			}
			items[j] = x;
		}
	}
	mval *v = alloc(b, 2 * n * sizeof *v);
	if (!v)
		return out;
	size_t w = 0;
	for (size_t i = 0; i < n; i++) {
		if (i + 1 < n && items[i].k.n == items[i + 1].k.n &&
		    memcmp(items[i].k.u.s, items[i + 1].k.u.s, items[i].k.n) == 0)
			continue;
		v[2 * w] = items[i].k;
		v[2 * w + 1] = items[i].v;
		w++;
	}
	out.u.v = v;
	out.n = (uint32_t)w;
	return out;
}

/* Sort buffers live only until make_owned_map: malloc'd, not in the arena. */
static struct sort_item *scratch_items(struct builder *b, size_t n)
{
	struct sort_item *p = malloc((n ? n : 1) * sizeof *p);
	if (!p && !b->failed) {
		b->failed = 1;
		c2s_diags_out_of_memory(b->diags);
	}
	return p;
}

static mval make_owned_map(struct builder *b, struct sort_item *items, size_t n, const struct c2s_node *node)
{
	mval out = make_map(b, items, n, node);
	free(items);
	return out;
}

/* ---- generic builders by field kind ---- */

static mval build_struct(struct builder *b, enum c2s_mtype t, const struct c2s_node *n);
static mval build_field(struct builder *b, enum c2s_mtype t, unsigned f, const struct c2s_node *n,
			const struct c2s_node *key);
static mval build_lazy_services(struct builder *b, const struct c2s_node *n);

static mval build_str(struct builder *b, const struct c2s_node *n)
{
	if (!c2s_is_scalar(n))
		return mv(b, C2S_MV_STR, n);
	struct c2s_value v;
	enum c2s_type t = c2s_resolve(b->d, n, &v);
	if (t == C2S_TYPE_STRING || t == C2S_TYPE_MERGE) {
		struct c2s_str s = text(b, n);
		mval o = mv_str(b, s.p, s.n, n);
		/* untagged plain text resolved as a string: the emitter need not ask again */
		if (c2s_style(n) == C2S_STYLE_PLAIN && !(c2s_flags(n) & C2S_NODE_TAG))
			o.flags = C2S_MVF_PLAIN_STR;
		return o;
	}
	if (t == C2S_TYPE_NULL)
		return mv(b, C2S_MV_STR, n);
	struct c2s_str s = go_sprint(b, n, NULL);
	return mv_str(b, s.p, s.n, n);
}

static mval build_strlist(struct builder *b, const struct c2s_node *n)
{
	mval out = mv(b, C2S_MV_LIST, n);
	if (c2s_is_scalar(n) && !is_null(b, n)) {
		out.u.v = alloc(b, sizeof(mval));
		if (out.u.v) {
			out.u.v[0] = build_str(b, n);
			out.n = 1;
		}
		return out;
	}
	if (!c2s_is_sequence(n))
		return out;
	uint32_t cnt = c2s_count(n);
	out.u.v = alloc(b, cnt * sizeof(mval));
	if (!out.u.v)
		return out;
	for (uint32_t i = 0; i < cnt; i++) {
		const struct c2s_node *it = c2s_seq_item(b->d, n, i);
		if (c2s_is_scalar(it)) {
			struct c2s_value v;
			enum c2s_type ty = c2s_resolve(b->d, it, &v);
			struct c2s_str s = ty == C2S_TYPE_STRING || ty == C2S_TYPE_MERGE ? text(b, it) : go_sprint(b, it, NULL);
			out.u.v[i] = mv_str(b, s.p, s.n, it);
		} else {
			out.u.v[i] = mv_str(b, "", 0, it);
		}
	}
	out.n = cnt;
	return out;
}

/* map[string]string (allow_nil 0) or map[string]*string (allow_nil 1), list or mapping. */
static mval build_mapping(struct builder *b, const struct c2s_node *n, int allow_nil)
{
	mval out = mv(b, C2S_MV_MAP, n);
	uint32_t cnt = c2s_is_mapping(n) || c2s_is_sequence(n) ? c2s_count(n) : 0;
	struct sort_item *items = scratch_items(b, cnt);
	if (!items)
		return out;
	size_t w = 0;
	if (c2s_is_mapping(n)) {
		for (uint32_t i = 0; i < cnt; i++) {
			const struct c2s_node *k = c2s_map_key(b->d, n, i), *v = c2s_map_value(b->d, n, i);
			struct c2s_str ks = text(b, k);
			items[w].k = mv_str(b, ks.p, ks.n, k);
			int isnull;
			struct c2s_value rv;
			if (c2s_is_scalar(v) && c2s_resolve(b->d, v, &rv) == C2S_TYPE_STRING) {
				struct c2s_str s = text(b, v);
				items[w].v = mv_str(b, s.p, s.n, v);
			} else {
				struct c2s_str s = go_sprint(b, v, &isnull);
				if (isnull)
					items[w].v = allow_nil ? mv(b, C2S_MV_NULL, v) : mv_str(b, "", 0, v);
				else
					items[w].v = mv_str(b, s.p, s.n, v);
			}
			w++;
		}
	} else if (c2s_is_sequence(n)) {
		for (uint32_t i = 0; i < cnt; i++) {
			const struct c2s_node *it = c2s_seq_item(b->d, n, i);
			struct c2s_str s = c2s_is_scalar(it) ? text(b, it) : (struct c2s_str){"", 0};
			const char *eq = memchr(s.p, '=', s.n);
			if (eq) {
				items[w].k = mv_str(b, s.p, (size_t)(eq - s.p), it);
				items[w].v = mv_str(b, eq + 1, s.n - (size_t)(eq - s.p) - 1, it);
			} else {
				items[w].k = mv_str(b, s.p, s.n, it);
				items[w].v = allow_nil ? mv(b, C2S_MV_NULL, it) : mv_str(b, "", 0, it);
			}
			w++;
		}
	}
	return make_owned_map(b, items, w, n);
}

/* A number into an int field (int64 in Go), or into a *uint64 one (is_uint):
 * yaml.v3 makes 2^63 and more a uint64, which mapstructure wraps into an int
 * field (int64(u), as Go converts) and keeps whole in a uint64 one. */
static mval build_int(struct builder *b, const struct c2s_node *n, int is_uint)
{
	struct c2s_value v;
	mval out = mv(b, C2S_MV_INT, n);
	if (!c2s_is_scalar(n))
		return out;
	switch (c2s_resolve(b->d, n, &v)) {
	case C2S_TYPE_INT:
		out.u.i = v.i;
		break;
	case C2S_TYPE_UINT:
		if (is_uint) {
			out.kind = C2S_MV_UINT;
			out.u.u = v.u;
		} else {
			out.u.i = v.u > (uint64_t)INT64_MAX ? (int64_t)(v.u - (uint64_t)INT64_MAX - 1) + INT64_MIN
							    : (int64_t)v.u;
		}
		break;
	case C2S_TYPE_FLOAT:
		if (is_uint && v.f >= 0) {
			out.kind = C2S_MV_UINT;  /* mapstructure: SetUint(uint64(f)) */
			out.u.u = c2s_go_f64_to_u64(v.f);
		} else {
			out.u.i = c2s_go_f64_to_i64(v.f);
		}
		break;
	case C2S_TYPE_STRING: {
		struct c2s_str s = text(b, n);
		char buf[32];
		if (s.n < sizeof buf) {
			memcpy(buf, s.p, s.n);
			buf[s.n] = '\0';
			out.u.i = strtoll(buf, NULL, 10);
		}
		break;
	}
	default:
		break;
	}
	return out;
}

static mval build_bool(struct builder *b, const struct c2s_node *n)
{
	struct c2s_value v;
	mval out = mv(b, C2S_MV_BOOL, n);
	if (c2s_is_scalar(n) && c2s_resolve(b->d, n, &v) == C2S_TYPE_BOOL)
		out.u.i = v.boolean;
	return out;
}

static mval build_duration(struct builder *b, const struct c2s_node *n, const struct c2s_node *key)
{
	mval out = mv(b, C2S_MV_INT, n);
	struct c2s_str s = text(b, n);
	int64_t ns = 0;
	char e[256];
	if (c2s_duration_parse(s.p, s.n, &ns, e, sizeof e) != 0) {
		/* only what the schema has no duration format for gets here (the
		 * healthcheck's interval and timeout before 3.4): mapstructure's words */
		struct c2s_str k = key ? text(b, key) : (struct c2s_str){"", 0};
		if (k.n == 8 && !memcmp(k.p, "interval", 8))
			fail(b, n, "error decoding 'HealthCheck.Interval': %s", e);
		else if (k.n == 7 && !memcmp(k.p, "timeout", 7))
			fail(b, n, "error decoding 'HealthCheck.Timeout': %s", e);
		else
			fail(b, n, "%s (%.*s)", e, (int)k.n, k.p);
	}
	out.u.i = ns;
	return out;
}

static mval build_bytes(struct builder *b, const struct c2s_node *n, const char *path)
{
	mval out = mv(b, C2S_MV_INT, n);
	struct c2s_value v;
	if (c2s_is_scalar(n) && c2s_resolve(b->d, n, &v) == C2S_TYPE_INT) {
		out.u.i = v.i;
		return out;
	}
	struct c2s_str s = text(b, n);
	int64_t bytes = 0;
	char e[256];
	if (c2s_size_parse(s.p, s.n, 0, &bytes, e, sizeof e) != 0)
		fail(b, n, "error decoding '%s': %s", path, e);
	out.u.i = bytes;
	return out;
}

static mval build_external(struct builder *b, const struct c2s_node *n)
{
	mval out = mv(b, C2S_MV_BOOL, n);
	if (c2s_is_mapping(n)) {
		out.u.i = 1;
		const struct c2s_node *name = c2s_map_get(b->d, n, "name", NULL);
		if (name && !is_null(b, name)) {
			struct c2s_str s = text(b, name);
			out.kind = C2S_MV_STR;
			out.flags = C2S_MVF_EXTERNAL_NAME;
			out.u.s = s.p;
			out.n = (uint32_t)s.n;
		}
		return out;
	}
	return build_bool(b, n);
}

static mval build_list_of(struct builder *b, enum c2s_mtype sub, const struct c2s_node *n, int ptr)
{
	mval out = mv(b, C2S_MV_LIST, n);
	if (!c2s_is_sequence(n))
		return out;
	uint32_t cnt = c2s_count(n);
	out.u.v = alloc(b, cnt * sizeof(mval));
	if (!out.u.v)
		return out;
	for (uint32_t i = 0; i < cnt; i++) {
		const struct c2s_node *it = c2s_seq_item(b->d, n, i);
		if (ptr && is_null(b, it))
			out.u.v[i] = mv(b, C2S_MV_NULL, it);
		else
			out.u.v[i] = build_struct(b, sub, it);
	}
	out.n = cnt;
	return out;
}

static mval build_map_of(struct builder *b, enum c2s_mtype sub, const struct c2s_node *n, int ptr)
{
	mval out = mv(b, C2S_MV_MAP, n);
	if (!c2s_is_mapping(n))
		return out;
	uint32_t cnt = c2s_count(n);
	struct sort_item *items = scratch_items(b, cnt);
	if (!items)
		return out;
	for (uint32_t i = 0; i < cnt; i++) {
		const struct c2s_node *k = c2s_map_key(b->d, n, i), *v = c2s_map_value(b->d, n, i);
		struct c2s_str ks = text(b, k);
		items[i].k = mv_str(b, ks.p, ks.n, k);
		if (ptr && is_null(b, v))
			items[i].v = mv(b, C2S_MV_NULL, v);
		else
			items[i].v = build_struct(b, sub, v);
	}
	return make_owned_map(b, items, cnt, n);
}

static mval build_extras(struct builder *b, const struct c2s_node *n)
{
	mval out = mv(b, C2S_MV_MAP, n);
	if (!c2s_is_mapping(n))
		return out;
	uint32_t cnt = c2s_count(n), w = 0;
	struct sort_item *items = scratch_items(b, cnt);
	if (!items)
		return out;
	for (uint32_t i = 0; i < cnt; i++) {
		const struct c2s_node *k = c2s_map_key(b->d, n, i);
		struct c2s_str ks = text(b, k);
		if (ks.n < 2 || ks.p[0] != 'x' || ks.p[1] != '-')
			continue;
		items[w].k = mv_str(b, ks.p, ks.n, k);
		items[w].v = mv(b, C2S_MV_NODE, c2s_map_value(b->d, n, i));
		w++;
	}
	return make_owned_map(b, items, w, n);
}

/* Field lookup by key: per struct type, an open-addressing table of field
 * index + 1 by a hash of the key (built once; EXTRAS, keyed "", is not in it),
 * and the EXTRAS field's index + 1 (0: none). A binary search over the sorted
 * keys was a sixth of building a service (callgrind). */
#define FIELD_SLOTS 128 /* a power of two, at least twice the most fields */
static uint8_t field_slot_tab[C2S_T_COUNT][FIELD_SLOTS];
static uint8_t extras_field[C2S_T_COUNT];
static int field_tab_ready;

static unsigned field_hash(const char *k, size_t n)
{
	return ((unsigned)n * 31u + (unsigned char)k[0] * 7u + (unsigned char)k[n - 1] * 3u +
		(unsigned char)k[n / 2]) & (FIELD_SLOTS - 1);
}

static void field_tab_init(void)
{
	for (int ty = 1; ty < C2S_T_COUNT; ty++) {
		const struct c2s_mstruct *st = &c2s_mstructs[ty];
		for (unsigned f = 0; f < st->nfields; f++) {
			const struct c2s_mfield *fd = &st->fields[f];
			if (fd->kind == C2S_FK_EXTRAS) {
				extras_field[ty] = (uint8_t)(f + 1);
				continue;
			}
			unsigned h = field_hash(fd->key, fd->keylen);
			while (field_slot_tab[ty][h])
				h = (h + 1) & (FIELD_SLOTS - 1);
			field_slot_tab[ty][h] = (uint8_t)(f + 1);
		}
	}
	field_tab_ready = 1;
}

static int find_field(enum c2s_mtype t, const char *k, size_t n)
{
	if (!field_tab_ready)
		field_tab_init();
	if (n == 0)
		return -1;
	const struct c2s_mfield *fields = c2s_mstructs[t].fields;
	for (unsigned h = field_hash(k, n), e; (e = field_slot_tab[t][h]) != 0; h = (h + 1) & (FIELD_SLOTS - 1)) {
		const struct c2s_mfield *f = &fields[e - 1];
		if (f->keylen == n && memcmp(f->key, k, n) == 0)
			return (int)e - 1;
	}
	return -1;
}

/* Generic struct from a mapping: fields by yaml key (but the service's and
 * deploy's fields the builder skips). */
static mval build_struct(struct builder *b, enum c2s_mtype t, const struct c2s_node *n)
{
	mval out = mv(b, C2S_MV_STRUCT, n);
	out.type = (uint8_t)t;
	mval slots[64];
	uint64_t have = 0; /* bit f: slots[f] is set */
	const uint64_t skip = t == C2S_T_SERVICE ? b->skip : t == C2S_T_DEPLOY ? b->skip_deploy : 0;
	if (c2s_is_mapping(n)) {
		int x_keys = 0;
		for (uint32_t i = 0, cnt = c2s_count(n); i < cnt; i++) {
			const struct c2s_node *k = c2s_map_key(b->d, n, i);
			struct c2s_str ks = text(b, k);
			int f = find_field(t, ks.p, ks.n);
			if (f >= 0 && !(skip >> f & 1)) {
				slots[f] = build_field(b, t, (unsigned)f, c2s_map_value(b->d, n, i), k);
				have |= (uint64_t)1 << f;
			}
			if (ks.n >= 2 && ks.p[0] == 'x' && ks.p[1] == '-')
				x_keys = 1;
		}
		/* EXTRAS: only when an x- key is there (build_extras takes nothing else) */
		unsigned fx = extras_field[t];
		if (fx && x_keys && !(skip >> (fx - 1) & 1)) {
			slots[fx - 1] = build_extras(b, n);
			if (slots[fx - 1].n > 0)
				have |= (uint64_t)1 << (fx - 1);
		}
	}
	unsigned cnt = 0;
	for (uint64_t rest = have; rest; rest &= rest - 1) {
		unsigned f = (unsigned)__builtin_ctzll(rest);
		if (slots[f].kind != C2S_MV_NONE) {
			slots[f].field = (uint8_t)f;
			slots[cnt++] = slots[f];
		}
	}
	out.u.v = copy_vals(b, slots, cnt);
	out.n = cnt;
	return out;
}

/* ---- special cases ---- */

/* google/shlex Split. */
static mval build_shell_command(struct builder *b, const struct c2s_node *n)
{
	if (!c2s_is_scalar(n))
		return build_strlist(b, n);
	mval out = mv(b, C2S_MV_LIST, n);
	struct c2s_str s = text(b, n);
	char *buf = alloc(b, s.n + 1);
	mval *items = alloc(b, (s.n / 2 + 1) * sizeof(mval));
	if (!buf || !items)
		return out;
	size_t w = 0, nitems = 0, i = 0;
	while (i < s.n) {
		char c = s.p[i];
		if (c == ' ' || c == '\t' || c == '\r' || c == '\n') {
			i++;
			continue;
		}
		if (c == '#') { /* comment to end of line */
			while (i < s.n && s.p[i] != '\n')
				i++;
			continue;
		}
		size_t start = w;
		int in_word = 1;
		while (i < s.n && in_word) {
			c = s.p[i];
			if (c == ' ' || c == '\t' || c == '\r' || c == '\n') {
				break;
			} else if (c == '"') {
				i++;
				while (i < s.n && s.p[i] != '"') {
					if (s.p[i] == '\\' && i + 1 < s.n)
						i++;
					buf[w++] = s.p[i++];
				}
				i++;
			} else if (c == '\'') {
				i++;
				while (i < s.n && s.p[i] != '\'')
					buf[w++] = s.p[i++];
				i++;
			} else if (c == '\\') {
				i++;
				if (i < s.n)
					buf[w++] = s.p[i++];
			} else {
				buf[w++] = s.p[i++];
			}
		}
		items[nitems++] = mv_str(b, buf + start, w - start, n);
	}
	out.u.v = items;
	out.n = (uint32_t)nitems;
	return out;
}

static mval build_healthcheck_test(struct builder *b, const struct c2s_node *n)
{
	if (!c2s_is_scalar(n))
		return build_strlist(b, n);
	mval out = mv(b, C2S_MV_LIST, n);
	out.u.v = alloc(b, 2 * sizeof(mval));
	if (!out.u.v)
		return out;
	out.u.v[0] = mv_str(b, "CMD-SHELL", 9, n);
	out.u.v[1] = build_str(b, n);
	out.n = 2;
	return out;
}

static mval build_hosts(struct builder *b, const struct c2s_node *n)
{
	mval out = mv(b, C2S_MV_LIST, n);
	uint32_t cnt = c2s_is_mapping(n) || c2s_is_sequence(n) ? c2s_count(n) : 0;
	mval *items = alloc(b, (cnt ? cnt : 1) * sizeof(mval));
	if (!items)
		return out;
	size_t w = 0;
	char buf[512];
	for (uint32_t i = 0; i < cnt; i++) {
		const char *host, *ip;
		size_t hn, ipn;
		const struct c2s_node *at;
		if (c2s_is_mapping(n)) {
			const struct c2s_node *k = c2s_map_key(b->d, n, i), *v = c2s_map_value(b->d, n, i);
			if (is_null(b, v))
				continue;
			struct c2s_str ks = text(b, k), vs;
			struct c2s_value rv;
			enum c2s_type ty = c2s_resolve(b->d, v, &rv);
			if (ty == C2S_TYPE_STRING) {
				vs = text(b, v);
			} else {
				/* Go %s of a non-string: %!s(int=1) */
				struct c2s_str g = go_sprint(b, v, NULL);
				const char *tn = ty == C2S_TYPE_INT ? "int" : ty == C2S_TYPE_FLOAT ? "float64"
					: ty == C2S_TYPE_BOOL ? "bool" : ty == C2S_TYPE_UINT ? "uint64" : "time.Time";
				int len = snprintf(buf, sizeof buf, "%%!s(%s=%.*s)", tn, (int)g.n, g.p);
				vs.p = str_dup(b, buf, (size_t)len);
				vs.n = vs.p ? (size_t)len : 0;
			}
			host = ks.p;
			hn = ks.n;
			ip = vs.p;
			ipn = vs.n;
			at = v;
		} else {
			const struct c2s_node *it = c2s_seq_item(b->d, n, i);
			struct c2s_str s = c2s_is_scalar(it) ? go_sprint(b, it, NULL) : (struct c2s_str){"", 0};
			struct c2s_value rv;
			if (c2s_is_scalar(it) && c2s_resolve(b->d, it, &rv) == C2S_TYPE_STRING)
				s = text(b, it);
			const char *eq = memchr(s.p, '=', s.n);
			const char *co = memchr(s.p, ':', s.n);
			const char *sep = eq ? eq : co;
			if (!sep)
				continue;
			host = s.p;
			hn = (size_t)(sep - s.p);
			ip = sep + 1;
			ipn = s.n - hn - 1;
			at = it;
		}
		/* Cut at the first ':' of "host:ip" again, as docker does after joining. */
		const char *c2 = memchr(host, ':', hn);
		if (c2) {
			ip = host + (c2 - host) + 1;
			ipn = hn - (size_t)(c2 - host) - 1 + 1 + ipn;
			/* rebuild: host[0..c2) ':' rest */
			size_t total = hn + 1 + ipn;
			(void)total;
		}
		if (!c2 && ipn > 2 && ip[0] == '[' && ip[ipn - 1] == ']') {
			ip++;
			ipn -= 2;
		}
		if (c2) {
			/* rare: a ':' in the host part; keep the joined text as is */
			size_t len = (size_t)(c2 - host);
			char *p = alloc(b, hn + 1 + (size_t)(ipn) + 1);
			if (!p)
				return out;
			(void)len;
			memcpy(p, host, hn);
			p[hn] = ':';
			items[w++] = mv_str(b, p, hn + 1, at);
			continue;
		}
		char *p = alloc(b, hn + 1 + ipn + 1);
		if (!p)
			return out;
		memcpy(p, host, hn);
		p[hn] = ':';
		memcpy(p + hn + 1, ip, ipn);
		items[w++] = mv_str(b, p, hn + 1 + ipn, at);
	}
	if (c2s_is_mapping(n) && w > 1) {
		/* toStringList sorts the joined strings (sort.Strings: bytes) */
		for (size_t i = 1; i < w; i++) {
			mval x = items[i];
			size_t j = i;
			while (j > 0) {
				const mval *y = &items[j - 1];
				size_t l = x.n < y->n ? x.n : y->n;
				int c = memcmp(y->u.s, x.u.s, l);
				if (c < 0 || (c == 0 && y->n <= x.n))
					break;
				items[j] = items[j - 1];
				j--;
			}
			items[j] = x;
		}
	}
	out.u.v = items;
	out.n = (uint32_t)w;
	return out;
}

static mval build_service_networks(struct builder *b, const struct c2s_node *n)
{
	if (c2s_is_mapping(n))
		return build_map_of(b, C2S_T_SVCNET, n, 1);
	mval out = mv(b, C2S_MV_MAP, n);
	if (!c2s_is_sequence(n))
		return out;
	uint32_t cnt = c2s_count(n);
	struct sort_item *items = scratch_items(b, cnt);
	if (!items)
		return out;
	for (uint32_t i = 0; i < cnt; i++) {
		const struct c2s_node *it = c2s_seq_item(b->d, n, i);
		struct c2s_str s = text(b, it);
		items[i].k = mv_str(b, s.p, s.n, it);
		items[i].v = mv(b, C2S_MV_NULL, it);
	}
	return make_owned_map(b, items, cnt, n);
}

static mval build_ulimits(struct builder *b, const struct c2s_node *n)
{
	mval out = mv(b, C2S_MV_MAP, n);
	if (!c2s_is_mapping(n))
		return out;
	uint32_t cnt = c2s_count(n);
	struct sort_item *items = scratch_items(b, cnt);
	if (!items)
		return out;
	for (uint32_t i = 0; i < cnt; i++) {
		const struct c2s_node *k = c2s_map_key(b->d, n, i), *v = c2s_map_value(b->d, n, i);
		struct c2s_str ks = text(b, k);
		items[i].k = mv_str(b, ks.p, ks.n, k);
		if (c2s_is_scalar(v)) {
			mval st = mv(b, C2S_MV_STRUCT, v);
			st.type = C2S_T_ULIMIT;
			mval *f = alloc(b, sizeof(mval));
			if (f) {
				*f = build_int(b, v, 0);
				f->field = C2S_F_ULIMIT_SINGLE;
				st.u.v = f;
				st.n = 1;
			}
			items[i].v = st;
		} else {
			items[i].v = build_struct(b, C2S_T_ULIMIT, v);
		}
	}
	return make_owned_map(b, items, cnt, n);
}

static mval build_fileref(struct builder *b, const struct c2s_node *n)
{
	if (c2s_is_scalar(n)) {
		mval out = mv(b, C2S_MV_STRUCT, n);
		out.type = C2S_T_FILEREF;
		out.u.v = alloc(b, sizeof(mval));
		if (out.u.v) {
			out.u.v[0] = build_str(b, n);
			out.u.v[0].field = C2S_F_FILEREF_SOURCE;
			out.n = 1;
		}
		return out;
	}
	return build_struct(b, C2S_T_FILEREF, n);
}

static mval build_fileref_list(struct builder *b, const struct c2s_node *n)
{
	mval out = mv(b, C2S_MV_LIST, n);
	if (!c2s_is_sequence(n))
		return out;
	uint32_t cnt = c2s_count(n);
	out.u.v = alloc(b, cnt * sizeof(mval));
	if (!out.u.v)
		return out;
	for (uint32_t i = 0; i < cnt; i++)
		out.u.v[i] = build_fileref(b, c2s_seq_item(b->d, n, i));
	out.n = cnt;
	return out;
}

/* ---- ports (docker/go-connections nat.ParsePortSpecs + swarmopts) ---- */

struct port_item {
	char key[24]; /* "port/proto" for sorting */
	uint64_t target;
	const char *proto;
	uint64_t pub_lo, pub_hi;
	int has_pub;
};

static int cmp_port(const void *a, const void *b)
{
	return strcmp(((const struct port_item *)a)->key, ((const struct port_item *)b)->key);
}

static void port_warn(struct builder *b, const char *ip, size_t ipn, const char *hp, size_t hpn,
		      uint64_t port, const char *proto)
{
	/* docker prints a logrus warning for a specific host IP; we note it on stderr via a
	 * diagnostic-free path: the convert driver prints warnings collected here. */
	(void)b; (void)ip; (void)ipn; (void)hp; (void)hpn; (void)port; (void)proto;
}

static int add_port_spec(struct builder *b, const struct c2s_node *it, struct c2s_str s,
			 mval **vals, size_t *nvals, size_t *cap)
{
	struct c2s_port_spec ps;
	char e[256];
	if (c2s_port_spec_parse(s.p, s.n, &ps, e, sizeof e) != 0) {
		fail(b, it, "%s", e);
		return -1;
	}
	const char *ip = ps.ip, *protos = ps.proto;
	size_t ipn = ps.ip_n, hostn = ps.has_host;
	uint64_t clo = ps.target_lo, chi = ps.target_hi, hlo = ps.host_lo, hhi = ps.host_hi;
	size_t count = (size_t)(chi - clo + 1);
	if (*nvals + count * (size_t)(hhi - hlo + 1) > MODEL_MAX_PORTS) {
		fail(b, it, "the ports of this service expand to more than %u entries (MODEL_MAX_PORTS)",
		     MODEL_MAX_PORTS);
		c2s_diags_hit_limit(b->diags);
		return -1;
	}
	struct port_item *pi = alloc(b, count * sizeof *pi);
	if (!pi)
		return -1;
	for (size_t i = 0; i < count; i++) {
		pi[i].target = clo + i;
		pi[i].proto = protos;
		{ /* "%llu/%s", cut to the key's size as snprintf would */
			char k[48];
			size_t kn = fmt_u64(k, clo + i, 0);
			k[kn++] = '/';
			size_t pn = strlen(protos);
			memcpy(k + kn, protos, pn);
			kn += pn;
			if (kn > sizeof pi[i].key - 1)
				kn = sizeof pi[i].key - 1;
			memcpy(pi[i].key, k, kn);
			pi[i].key[kn] = '\0';
		}
		pi[i].has_pub = hostn != 0;
		if (hostn) {
			if (clo == chi && hlo != hhi) {
				pi[i].pub_lo = hlo;
				pi[i].pub_hi = hhi;
			} else {
				pi[i].pub_lo = pi[i].pub_hi = hlo + i;
			}
		}
	}
	qsort(pi, count, sizeof *pi, cmp_port);
	for (size_t i = 0; i < count; i++) {
		if (ipn)
			port_warn(b, ip, ipn, NULL, hostn, pi[i].target, pi[i].proto);
		uint64_t lo = pi[i].has_pub ? pi[i].pub_lo : 0, hi = pi[i].has_pub ? pi[i].pub_hi : 0;
		for (uint64_t pub = lo; pub <= hi; pub++) {
			if (*nvals == *cap) {
				size_t nc = *cap ? *cap * 2 : 8;
				mval *nv = alloc(b, nc * sizeof(mval));
				if (!nv)
					return -1;
				if (*nvals)
					memcpy(nv, *vals, *nvals * sizeof(mval));
				*vals = nv;
				*cap = nc;
			}
			mval f[4];
			unsigned nf = 0;
			f[nf] = mv_str(b, "ingress", 7, it);
			f[nf++].field = C2S_F_PORT_MODE;
			if (pi[i].target) {
				f[nf] = mv_int(b, (int64_t)pi[i].target, it);
				f[nf++].field = C2S_F_PORT_TARGET;
			}
			if (pub) {
				f[nf] = mv_int(b, (int64_t)pub, it);
				f[nf++].field = C2S_F_PORT_PUBLISHED;
			}
			f[nf] = mv_str(b, pi[i].proto, strlen(pi[i].proto), it);
			f[nf++].field = C2S_F_PORT_PROTOCOL;
			mval st = mv(b, C2S_MV_STRUCT, it);
			st.type = C2S_T_PORT;
			st.u.v = copy_vals(b, f, nf);
			st.n = nf;
			(*vals)[(*nvals)++] = st;
		}
	}
	return 0;
}

static mval build_ports(struct builder *b, const struct c2s_node *n)
{
	mval out = mv(b, C2S_MV_LIST, n);
	if (!c2s_is_sequence(n))
		return out;
	mval *vals = NULL;
	size_t nvals = 0, cap = 0;
	for (uint32_t i = 0, cnt = c2s_count(n); i < cnt; i++) {
		const struct c2s_node *it = c2s_seq_item(b->d, n, i);
		if (c2s_is_mapping(it)) {
			if (nvals == cap) {
				size_t nc = cap ? cap * 2 : 8;
				mval *nv = alloc(b, nc * sizeof(mval));
				if (!nv)
					return out;
				if (nvals)
					memcpy(nv, vals, nvals * sizeof(mval));
				vals = nv;
				cap = nc;
			}
			vals[nvals++] = build_struct(b, C2S_T_PORT, it);
			continue;
		}
		struct c2s_value v;
		enum c2s_type ty = c2s_resolve(b->d, it, &v);
		if (ty == C2S_TYPE_INT) {
			char buf[32];
			size_t len = fmt_i64(buf, v.i);
			struct c2s_str s = {str_dup(b, buf, len), len};
			if (!s.p || add_port_spec(b, it, s, &vals, &nvals, &cap) != 0)
				return out;
		} else if (ty == C2S_TYPE_STRING) {
			if (add_port_spec(b, it, text(b, it), &vals, &nvals, &cap) != 0)
				return out;
		} else {
			const char *tn = ty == C2S_TYPE_FLOAT ? "float64" : ty == C2S_TYPE_BOOL ? "bool"
				: ty == C2S_TYPE_UINT ? "uint64" : ty == C2S_TYPE_NULL ? "<nil>" : "time.Time";
			fail(b, it, "error decoding 'Ports': invalid type %s for port", tn);
			return out;
		}
	}
	out.u.v = vals;
	out.n = (uint32_t)nvals;
	return out;
}

/* ---- volumes (loader/volume.go ParseVolume + resolveVolumePaths) ---- */

/* filepath.Join(dir, rel), cleaned (goval), in the arena. */
static struct c2s_str join_clean(struct builder *b, const char *dir, const char *rel, size_t reln)
{
	size_t dn = strlen(dir);
	char *out = alloc(b, dn + reln + 3);
	if (!out)
		return (struct c2s_str){"", 0};
	size_t n = c2s_path_join(dir, dn, reln ? rel : "", reln, out);
	return (struct c2s_str){out, n};
}


static mval build_volume_short(struct builder *b, const struct c2s_node *it, uint32_t idx)
{
	struct c2s_str s = text(b, it);
	mval f[8];
	unsigned nf = 0;
	mval st = mv(b, C2S_MV_STRUCT, it);
	st.type = C2S_T_SVCVOL;
	struct c2s_volume_spec v;
	char e[512];
	if (c2s_volume_spec_parse(s.p, s.n, &v, e, sizeof e) != 0) {
		fail(b, it, "error decoding 'Volumes[%u]': %s", (unsigned)idx, e);
		return st;
	}
	struct c2s_str src = {v.source, v.source_n}, tgt = {v.target, v.target_n};
	struct c2s_str prop = {v.propagation, v.propagation ? strlen(v.propagation) : 0};
	int ro = v.read_only, nocopy = v.nocopy;
	const char *type = v.bind ? "bind" : "volume";
	f[nf] = mv_str(b, type, strlen(type), it);
	f[nf++].field = C2S_F_SVCVOL_TYPE;
	if (src.p) {
		f[nf] = mv_str(b, src.p, src.n, it);
		f[nf++].field = C2S_F_SVCVOL_SOURCE;
	}
	if (tgt.p) {
		f[nf] = mv_str(b, tgt.p, tgt.n, it);
		f[nf++].field = C2S_F_SVCVOL_TARGET;
	}
	if (ro) {
		f[nf] = mv(b, C2S_MV_BOOL, it);
		f[nf].u.i = 1;
		f[nf++].field = C2S_F_SVCVOL_READ_ONLY;
	}
	if (prop.p) {
		mval sub = mv(b, C2S_MV_STRUCT, it);
		sub.type = C2S_T_VBIND;
		sub.u.v = alloc(b, sizeof(mval));
		if (sub.u.v) {
			sub.u.v[0] = mv_str(b, prop.p, prop.n, it);
			sub.u.v[0].field = C2S_F_VBIND_PROPAGATION;
			sub.n = 1;
		}
		f[nf] = sub;
		f[nf++].field = C2S_F_SVCVOL_BIND;
	}
	if (nocopy) {
		mval sub = mv(b, C2S_MV_STRUCT, it);
		sub.type = C2S_T_VVOLUME;
		sub.u.v = alloc(b, sizeof(mval));
		if (sub.u.v) {
			sub.u.v[0] = mv(b, C2S_MV_BOOL, it);
			sub.u.v[0].u.i = 1;
			sub.u.v[0].field = C2S_F_VVOLUME_NOCOPY;
			sub.n = 1;
		}
		f[nf] = sub;
		f[nf++].field = C2S_F_SVCVOL_VOLUME;
	}
	st.u.v = copy_vals(b, f, nf);
	st.n = nf;
	return st;
}

static void resolve_bind(struct builder *b, mval *vol, const struct c2s_node *it)
{
	mval *type = (mval *)c2s_mget(vol, C2S_F_SVCVOL_TYPE);
	if (!type || type->n != 4 || memcmp(type->u.s, "bind", 4) != 0)
		return;
	mval *src = (mval *)c2s_mget(vol, C2S_F_SVCVOL_SOURCE);
	if (!src || src->n == 0) {
		fail(b, it, "invalid mount config for type \"bind\": field Source must not be empty");
		return;
	}
	const char *p = src->u.s;
	size_t n = src->n;
	char *exp = NULL;
	if (p[0] == '~' && b->env->home) {
		size_t hn = strlen(b->env->home);
		exp = alloc(b, hn + n);
		if (!exp)
			return;
		memcpy(exp, b->env->home, hn);
		memcpy(exp + hn, p + 1, n - 1);
		p = exp;
		n = hn + n - 1;
	}
	if (!c2s_path_is_abs_any(p, n)) {
		struct c2s_str j = join_clean(b, b->env->workdir, p, n);
		p = j.p;
		n = j.n;
	}
	src->u.s = p;
	src->n = (uint32_t)n;
}

static mval build_volumes(struct builder *b, const struct c2s_node *n)
{
	mval out = mv(b, C2S_MV_LIST, n);
	if (!c2s_is_sequence(n))
		return out;
	uint32_t cnt = c2s_count(n);
	out.u.v = alloc(b, cnt * sizeof(mval));
	if (!out.u.v)
		return out;
	for (uint32_t i = 0; i < cnt; i++) {
		const struct c2s_node *it = c2s_seq_item(b->d, n, i);
		out.u.v[i] = c2s_is_scalar(it) ? build_volume_short(b, it, i) : build_struct(b, C2S_T_SVCVOL, it);
	}
	out.n = cnt;
	return out;
}

/* ---- env files (docker/cli opts.ParseEnvFile) ---- */

struct env_sink {
	struct builder *b;
	const struct c2s_node *at;
	struct sort_item **items;
	size_t *n, *cap;
};

/* One KEY[=VALUE] line: a bare KEY takes the deploying shell's value, or is left
 * out when the shell has none (kvfile's lookupFn). */
static int env_line(void *ctx, const char *key, size_t klen, const char *value, size_t vlen, int has_value)
{
	struct env_sink *k = ctx;
	struct builder *b = k->b;
	if (!has_value) {
		value = b->env->lookup ? b->env->lookup(b->env->ctx, key, klen) : NULL;
		if (!value)
			return 0;
		vlen = strlen(value);
	}
	if (*k->n == *k->cap) {
		size_t nc = *k->cap ? *k->cap * 2 : 16;
		struct sort_item *ni = alloc(b, nc * sizeof *ni);
		if (!ni)
			return -1;
		if (*k->n)
			memcpy(ni, *k->items, *k->n * sizeof *ni);
		*k->items = ni;
		*k->cap = nc;
	}
	struct sort_item *e = &(*k->items)[(*k->n)++];
	e->k = mv_str(b, key, klen, k->at);
	e->v = mv_str(b, value, vlen, k->at);
	return 0;
}

static int read_env_file(struct builder *b, const char *path, const char *shown, const struct c2s_node *at,
			 struct sort_item **items, size_t *n, size_t *cap)
{
	struct c2s_buf data;
	char err[1024];
	c2s_buf_init(&data, C2S_ENVFILE_MAX_BYTES);
	enum c2s_envfile_status st = c2s_envfile_read(path, &data, err, sizeof err);
	if (st == C2S_ENVFILE_OK) {
		/* the bytes stay referenced by the model: keep them in the arena */
		char *keep = str_dup(b, data.data ? data.data : "", data.len);
		struct env_sink sink = {b, at, items, n, cap};
		int rc = keep ? c2s_envfile_parse(keep, data.len, env_line, &sink, err, sizeof err) : -2;
		c2s_buf_free(&data);
		if (rc == 0)
			return 0;
		st = rc == -2 ? C2S_ENVFILE_NOMEM : C2S_ENVFILE_INVALID;
	} else {
		c2s_buf_free(&data);
	}
	if (st == C2S_ENVFILE_INVALID) {
		fail(b, at, "invalid env file (%s): %s", shown, err);
	} else if (st == C2S_ENVFILE_IO && b->env->quiet_missing_env_files) {
		b->failed = 1;  /* lint: CS9005 says it */
	} else if (st == C2S_ENVFILE_NOMEM) {
		b->failed = 1;
		c2s_diags_out_of_memory(b->diags);
	} else {
		fail(b, at, "%s", err);
		if (st == C2S_ENVFILE_TOO_BIG)
			c2s_diags_hit_limit(b->diags);
	}
	return -1;
}

/* resolveEnvironment: env files, then `environment`, with the shell filling null/empty. */
static mval resolve_environment(struct builder *b, const mval *envfiles, const mval *environment,
				const struct c2s_node *svc)
{
	struct sort_item *items = NULL;
	size_t n = 0, cap = 0;
	if (envfiles) {
		for (uint32_t i = 0; i < envfiles->n; i++) {
			const mval *f = &envfiles->u.v[i];
			struct c2s_str path = {f->u.s, f->n};
			if (!(path.n && path.p[0] == '/'))
				path = join_clean(b, b->env->workdir, f->u.s, f->n);
			char *p = str_dup(b, path.p, path.n);
			/* docker names the absolute path; lint names it as written (stable output) */
			char *shown = b->env->quiet_missing_env_files ? str_dup(b, f->u.s, f->n) : p;
			if (!p || !shown || read_env_file(b, p, shown, c2s_mval_node(b->m, f) ? &b->d->nodes[f->node] : svc,
						&items, &n, &cap) != 0)
				return mv(b, C2S_MV_NONE, NULL);
		}
	}
	size_t nfile = n;
	if (environment) {
		size_t need = n + environment->n;
		struct sort_item *ni = alloc(b, (need ? need : 1) * sizeof *ni);
		if (!ni)
			return mv(b, C2S_MV_NONE, NULL);
		if (n)
			memcpy(ni, items, n * sizeof *ni);
		for (uint32_t i = 0; i < environment->n; i++) {
			ni[n].k = environment->u.v[2 * i];
			ni[n].v = environment->u.v[2 * i + 1];
			n++;
		}
		items = ni;
	}
	(void)nfile;
	/* the shell fills in null or empty values */
	for (size_t i = 0; i < n; i++) {
		mval *v = &items[i].v;
		if (v->kind == C2S_MV_NULL || (v->kind == C2S_MV_STR && v->n == 0)) {
			const char *val = b->env->lookup ? b->env->lookup(b->env->ctx, items[i].k.u.s, items[i].k.n) : NULL;
			if (val) {
				v->kind = C2S_MV_STR;
				v->u.s = val;
				v->n = (uint32_t)strlen(val);
			}
		}
	}
	return make_map(b, items, n, environment ? &b->d->nodes[environment->node] : svc);
}

/* Services by name, each a placeholder for its AST mapping (streaming). */
static mval build_lazy_services(struct builder *b, const struct c2s_node *n)
{
	mval out = mv(b, C2S_MV_MAP, n);
	if (!c2s_is_mapping(n))
		return out;
	uint32_t cnt = c2s_count(n);
	struct sort_item *items = scratch_items(b, cnt);
	if (!items)
		return out;
	for (uint32_t i = 0; i < cnt; i++) {
		const struct c2s_node *k = c2s_map_key(b->d, n, i);
		struct c2s_str ks = text(b, k);
		items[i].k = mv_str(b, ks.p, ks.n, k);
		items[i].v = mv(b, C2S_MV_NODE, c2s_map_value(b->d, n, i));
		items[i].v.flags = C2S_MVF_LAZY;
	}
	return make_owned_map(b, items, cnt, n);
}

/* ---- fields ---- */

static mval build_field(struct builder *b, enum c2s_mtype t, unsigned f, const struct c2s_node *n,
			const struct c2s_node *key)
{
	const struct c2s_mfield *fd = &c2s_mstructs[t].fields[f];
	/* special cases first */
	if (t == C2S_T_SERVICE) {
		switch (f) {
		case C2S_F_SERVICE_BUILD:
			if (c2s_is_scalar(n)) {
				mval st = mv(b, C2S_MV_STRUCT, n);
				st.type = C2S_T_BUILD;
				st.u.v = alloc(b, sizeof(mval));
				if (st.u.v) {
					st.u.v[0] = build_str(b, n);
					st.u.v[0].field = C2S_F_BUILD_CONTEXT;
					st.n = 1;
				}
				return st;
			}
			break;
		case C2S_F_SERVICE_COMMAND:
		case C2S_F_SERVICE_ENTRYPOINT:
			return build_shell_command(b, n);
		case C2S_F_SERVICE_EXTRA_HOSTS:
			return build_hosts(b, n);
		case C2S_F_SERVICE_NETWORKS:
			return build_service_networks(b, n);
		case C2S_F_SERVICE_PORTS:
			return build_ports(b, n);
		case C2S_F_SERVICE_SECRETS:
		case C2S_F_SERVICE_CONFIGS:
			return build_fileref_list(b, n);
		case C2S_F_SERVICE_ULIMITS:
			return build_ulimits(b, n);
		case C2S_F_SERVICE_VOLUMES:
			return build_volumes(b, n);
		default:
			break;
		}
	}
	if (t == C2S_T_BUILD && f == C2S_F_BUILD_EXTRA_HOSTS)
		return build_hosts(b, n);
	if (t == C2S_T_HEALTH && f == C2S_F_HEALTH_TEST)
		return build_healthcheck_test(b, n);
	switch (fd->kind) {
	case C2S_FK_STR:
	case C2S_FK_STRV:
	case C2S_FK_VERSION:
		return build_str(b, n);
	case C2S_FK_BOOL:
	case C2S_FK_BOOLP:
		return build_bool(b, n);
	case C2S_FK_INT:
	case C2S_FK_INTV:
	case C2S_FK_UINTP:
		if (is_null(b, n) && fd->kind == C2S_FK_UINTP)
			return mv(b, C2S_MV_NONE, n);
		if (t == C2S_T_FILEREF && f == C2S_F_FILEREF_MODE) {
			/* Mode is a *uint32 (cli/compose/types FileReferenceConfig): SetUint
			 * keeps the low 32 bits of what fits a uint64 (a negative one is refused) */
			mval m = build_int(b, n, 1);
			if (m.kind == C2S_MV_UINT)
				m.u.u &= UINT32_MAX;
			else if (m.u.i > 0)
				m.u.i &= (int64_t)UINT32_MAX;
			return m;
		}
		return build_int(b, n, fd->kind == C2S_FK_UINTP);
	case C2S_FK_FLOAT32: {
		struct c2s_value v;
		mval o = mv(b, C2S_MV_FLOAT, n);
		if (c2s_is_scalar(n) && c2s_resolve(b->d, n, &v) != C2S_TYPE_STRING)
			o.u.f = (double)(float)v.f;
		return o;
	}
	case C2S_FK_DUR:
	case C2S_FK_DURP:
		if (is_null(b, n))
			return mv(b, C2S_MV_NONE, n);
		return build_duration(b, n, key);
	case C2S_FK_BYTES: {
		const char *path = t == C2S_T_LIMIT ? "Deploy.Resources.Limits.memory"
			: t == C2S_T_RESOURCE ? "Deploy.Resources.Reservations.memory" : "memory";
		return build_bytes(b, n, path);
	}
	case C2S_FK_STRLIST:
		return build_strlist(b, n);
	case C2S_FK_LIST:
	case C2S_FK_PLIST:
		return build_list_of(b, fd->sub, n, fd->kind == C2S_FK_PLIST);
	case C2S_FK_MAPSTR:
		return build_mapping(b, n, 0);
	case C2S_FK_MAPNSTR:
		return build_mapping(b, n, 1);
	case C2S_FK_SERVICES:
		if (b->lazy == 2)
			return mv(b, C2S_MV_MAP, n);
		if (b->lazy)
			return build_lazy_services(b, n);
		return build_map_of(b, fd->sub, n, 0);
	case C2S_FK_MAPT:
	case C2S_FK_MAPPT:
		return build_map_of(b, fd->sub, n, fd->kind == C2S_FK_MAPPT);
	case C2S_FK_STRUCT:
	case C2S_FK_PSTRUCT:
		if (is_null(b, n))
			return mv(b, fd->kind == C2S_FK_PSTRUCT ? C2S_MV_NONE : C2S_MV_NONE, n);
		return build_struct(b, fd->sub, n);
	case C2S_FK_EXTERNAL:
		return build_external(b, n);
	case C2S_FK_EXTRAS:
		return build_extras(b, n);
	}
	return mv(b, C2S_MV_NONE, n);
}

/* ---- post-processing per service and per top-level object ---- */

static mval *field_slot(mval *st, unsigned f)
{
	return (mval *)c2s_mget(st, f);
}

/* Replace or insert field f of a STRUCT value. */
static void set_field(struct builder *b, mval *st, unsigned f, mval v)
{
	v.field = (uint8_t)f;
	for (uint32_t i = 0; i < st->n; i++)
		if (st->u.v[i].field == f) {
			st->u.v[i] = v;
			return;
		}
	mval *nv = alloc(b, (st->n + 1) * sizeof *nv);
	if (!nv)
		return;
	uint32_t w = 0, i = 0;
	for (; i < st->n && st->u.v[i].field < f; i++)
		nv[w++] = st->u.v[i];
	nv[w++] = v;
	for (; i < st->n; i++)
		nv[w++] = st->u.v[i];
	st->u.v = nv;
	st->n = w;
}

static void remove_field(mval *st, unsigned f)
{
	uint32_t w = 0;
	for (uint32_t i = 0; i < st->n; i++)
		if (st->u.v[i].field != f)
			st->u.v[w++] = st->u.v[i];
	st->n = w;
}

static void finish_service(struct builder *b, mval *svc, const struct c2s_node *n)
{
	const mval *envfiles = field_slot(svc, C2S_F_SERVICE_ENV_FILE);
	const mval *environment = field_slot(svc, C2S_F_SERVICE_ENVIRONMENT);
	if ((envfiles && envfiles->n) || environment) {
		mval env = resolve_environment(b, envfiles, environment, n);
		if (env.kind != C2S_MV_NONE)
			set_field(b, svc, C2S_F_SERVICE_ENVIRONMENT, env);
	}
	mval *vols = field_slot(svc, C2S_F_SERVICE_VOLUMES);
	if (vols)
		for (uint32_t i = 0; i < vols->n && !b->failed; i++)
			resolve_bind(b, &vols->u.v[i], c2s_mval_node(b->m, &vols->u.v[i]));
}

static int version_at_least(const char *v, int minor)
{
	/* v is "3.N" */
	if (!v || strncmp(v, "3.", 2) != 0)
		return 1;
	return atoi(v + 2) >= minor;
}

static void warn(struct builder *b, const char *fmt, const char *a, const char *c)
{
	(void)b; (void)fmt; (void)a; (void)c;
}

/* External networks/volumes/secrets/configs: name from external.name or the key. */
static void finish_objects(struct builder *b, mval *map, enum c2s_mtype t, const char *what,
			   const struct c2s_node *section)
{
	unsigned f_name = t == C2S_T_NETWORK ? C2S_F_NETWORK_NAME : t == C2S_T_VOLUME ? C2S_F_VOLUME_NAME : C2S_F_FILEOBJ_NAME;
	unsigned f_ext = t == C2S_T_NETWORK ? C2S_F_NETWORK_EXTERNAL : t == C2S_T_VOLUME ? C2S_F_VOLUME_EXTERNAL : C2S_F_FILEOBJ_EXTERNAL;
	unsigned f_extras = t == C2S_T_NETWORK ? C2S_F_NETWORK_EXTRAS : t == C2S_T_VOLUME ? C2S_F_VOLUME_EXTRAS : C2S_F_FILEOBJ_EXTRAS;
	for (uint32_t i = 0; i < map->n; i++) {
		mval *key = &map->u.v[2 * i], *obj = &map->u.v[2 * i + 1];
		if (obj->kind != C2S_MV_STRUCT) {
			mval st = mv(b, C2S_MV_STRUCT, NULL);
			st.file = obj->file;
			st.node = obj->node;
			st.type = (uint8_t)t;
			*obj = st;
		}
		const mval *ext = field_slot(obj, f_ext);
		int external = ext && (ext->kind == C2S_MV_STR || ext->u.i);
		char keyz[256];
		snprintf(keyz, sizeof keyz, "%.*s", (int)key->n, key->u.s);
		const struct c2s_node *at = c2s_mval_node(b->m, obj) ? c2s_mval_node(b->m, obj) : section;
		if (t == C2S_T_VOLUME && external) {
			const mval *drv = field_slot(obj, C2S_F_VOLUME_DRIVER);
			const mval *opts = field_slot(obj, C2S_F_VOLUME_DRIVER_OPTS);
			const mval *lab = field_slot(obj, C2S_F_VOLUME_LABELS);
			const char *bad = drv && drv->n ? "driver" : opts && opts->n ? "driver_opts" : lab && lab->n ? "labels" : NULL;
			if (bad) {
				fail(b, at, "conflicting parameters \"external\" and \"%s\" specified for volume \"%s\"", bad, keyz);
				return;
			}
		}
		if (external) {
			const mval *name = field_slot(obj, f_name);
			if (ext->kind == C2S_MV_STR) {
				if (name && name->n) {
					fail(b, at, "%s %s: %s.external.name and %s.name conflict; only use %s.name", what, keyz, what, what, what);
					return;
				}
				if (version_at_least(b->version, t == C2S_T_VOLUME ? 4 : 5))
					warn(b, "%s %s: external.name is deprecated", what, keyz);
				mval nm = mv_str(b, ext->u.s, ext->n, c2s_mval_node(b->m, ext));
				nm.file = ext->file;
				nm.node = ext->node;
				set_field(b, obj, f_name, nm);
				mval e = *field_slot(obj, f_ext);
				e.kind = C2S_MV_BOOL;
				e.flags = 0;
				e.u.i = 1;
				e.n = 0;
				set_field(b, obj, f_ext, e);
			} else if (!name || !name->n) {
				set_field(b, obj, f_name, *key);
			}
		} else if (t == C2S_T_FILEOBJ) {
			const mval *drv = field_slot(obj, C2S_F_FILEOBJ_DRIVER);
			const mval *file = field_slot(obj, C2S_F_FILEOBJ_FILE);
			if (drv && drv->n) {
				if (file && file->n) {
					fail(b, at, "%s %s: %s.driver and %s.file conflict; only use %s.driver", what, keyz, what, what, what);
					return;
				}
			} else {
				struct c2s_str p = file ? c2s_mstr(file) : (struct c2s_str){"", 0};
				if (!(p.n && p.p[0] == '/')) {
					struct c2s_str j = join_clean(b, b->env->workdir, p.p, p.n);
					mval nv = file ? *file : mv(b, C2S_MV_STR, NULL);
					nv.kind = C2S_MV_STR;
					nv.u.s = j.p;
					nv.n = (uint32_t)j.n;
					set_field(b, obj, C2S_F_FILEOBJ_FILE, nv);
				}
			}
		}
		/* x-* on networks and volumes survive only for external ones */
		if (t != C2S_T_FILEOBJ && !external)
			remove_field(obj, f_extras);
	}
}

static void builder_init(struct builder *b, struct c2s_model *m, uint16_t file,
			 const struct c2s_model_env *env, struct c2s_diags *diags)
{
	memset(b, 0, sizeof *b);
	b->m = m;
	b->d = m->docs[file];
	b->file = file;
	b->env = env;
	b->diags = diags;
	b->arena = &m->arena;
}

int c2s_model_build_service(struct c2s_model *m, const struct c2s_model_env *env,
			    const struct c2s_mval *placeholder, struct c2s_arena *arena,
			    struct c2s_mval *out, struct c2s_diags *diags)
{
	return c2s_model_build_service_partial(m, env, placeholder, arena, 0, 0, out, diags);
}

/* The same, without the fields in skip: only fields whose building cannot
 * fail (but for memory) may be skipped, so a refusal is found all the same. */
int c2s_model_build_service_partial(struct c2s_model *m, const struct c2s_model_env *env,
				    const struct c2s_mval *placeholder, struct c2s_arena *arena,
				    uint64_t skip, uint64_t skip_deploy, struct c2s_mval *out,
				    struct c2s_diags *diags)
{
	struct builder b;
	builder_init(&b, m, placeholder->file, env, diags);
	b.arena = arena;
	b.skip = skip;
	b.skip_deploy = skip_deploy;
	const struct c2s_node *n = &b.d->nodes[placeholder->node];
	*out = build_struct(&b, C2S_T_SERVICE, n);
	if (!b.failed)
		finish_service(&b, out, n);
	return b.failed ? -1 : 0;
}

/* Only what can fail (ports, volumes, sizes, env files): lint's cheaper pass. */
int c2s_model_check_service(struct c2s_model *m, const struct c2s_model_env *env,
			    const struct c2s_mval *placeholder, struct c2s_arena *arena,
			    struct c2s_diags *diags)
{
	struct builder b;
	builder_init(&b, m, placeholder->file, env, diags);
	b.arena = arena;
	const struct c2s_node *n = &b.d->nodes[placeholder->node];
	const struct c2s_node *v;
	/* the service's keys in one pass over its mapping (one per key cost 10,000
	 * services' mappings read four times) */
	static const struct c2s_str keys[] = {{"ports", 5}, {"volumes", 7}, {"deploy", 6}, {"env_file", 8}};
	const struct c2s_node *kv[4];
	c2s_map_get_many(b.d, n, keys, 4, kv, NULL);
	if ((v = kv[0]))
		build_ports(&b, v);
	if (!b.failed && (v = kv[1])) {
		mval vols = build_volumes(&b, v);
		for (uint32_t i = 0; i < vols.n && !b.failed; i++)
			resolve_bind(&b, &vols.u.v[i], c2s_mval_node(b.m, &vols.u.v[i]));
	}
	const struct c2s_node *res = c2s_map_get(b.d, kv[2], "resources", NULL);
	static const char *const sides[] = {"limits", "reservations"};
	for (int k = 0; k < 2 && !b.failed; k++) {
		const struct c2s_node *mem = c2s_map_get(b.d, c2s_map_get(b.d, res, sides[k], NULL), "memory", NULL);
		if (mem && !is_null(&b, mem))
			build_bytes(&b, mem, k ? "Deploy.Resources.Reservations.memory" : "Deploy.Resources.Limits.memory");
	}
	if (!b.failed && (v = kv[3])) {
		mval files = build_strlist(&b, v);
		if (files.n)
			resolve_environment(&b, &files, NULL, n);
	}
	return b.failed ? -1 : 0;
}

int c2s_model_build(struct c2s_model *m, uint16_t file, const struct c2s_model_env *env,
		    struct c2s_mval *out, struct c2s_diags *diags)
{
	return c2s_model_build_lazy(m, file, env, 0, out, diags);
}

int c2s_model_build_lazy(struct c2s_model *m, uint16_t file, const struct c2s_model_env *env,
			 int lazy, struct c2s_mval *out, struct c2s_diags *diags)
{
	struct builder b;
	builder_init(&b, m, file, env, diags);
	b.lazy = lazy;
	const struct c2s_node *root = c2s_node_at(b.d, b.d->root);
	const struct c2s_node *vn = c2s_map_get(b.d, root, "version", NULL);
	struct c2s_str vs = vn ? text(&b, vn) : (struct c2s_str){"", 0};
	if (vs.n == 0 || (vs.n == 1 && vs.p[0] == '3'))
		b.version = "3.13";
	else
		b.version = str_dup(&b, vs.p, vs.n);
	*out = build_struct(&b, C2S_T_CONFIG, root);
	set_field(&b, out, C2S_F_CONFIG_VERSION, mv_str(&b, b.version, strlen(b.version), vn));
	mval *services = field_slot(out, C2S_F_CONFIG_SERVICES);
	if (!services)
		set_field(&b, out, C2S_F_CONFIG_SERVICES, mv(&b, C2S_MV_MAP, NULL));
	services = field_slot(out, C2S_F_CONFIG_SERVICES);
	for (uint32_t i = 0; !lazy && services && i < services->n && !b.failed; i++) {
		mval *svc = &services->u.v[2 * i + 1];
		if (svc->kind != C2S_MV_STRUCT) {
			mval st = mv(&b, C2S_MV_STRUCT, NULL);
			st.type = C2S_T_SERVICE;
			st.file = svc->file;
			st.node = svc->node;
			*svc = st;
		}
		finish_service(&b, svc, c2s_mval_node(m, svc));
	}
	static const struct {
		unsigned f;
		enum c2s_mtype t;
		const char *what, *key;
	} objs[] = {
		{C2S_F_CONFIG_NETWORKS, C2S_T_NETWORK, "network", "networks"},
		{C2S_F_CONFIG_VOLUMES, C2S_T_VOLUME, "volume", "volumes"},
		{C2S_F_CONFIG_SECRETS, C2S_T_FILEOBJ, "secret", "secrets"},
		{C2S_F_CONFIG_CONFIGS, C2S_T_FILEOBJ, "config", "configs"},
	};
	for (size_t k = 0; k < 4 && !b.failed; k++) {
		mval *map = field_slot(out, objs[k].f);
		if (map)
			finish_objects(&b, map, objs[k].t, objs[k].what, c2s_map_get(b.d, root, objs[k].key, NULL));
	}
	return b.failed ? -1 : 0;
}

void c2s_model_init(struct c2s_model *m, struct c2s_doc *const *docs, uint32_t ndocs)
{
	memset(m, 0, sizeof *m);
	m->docs = docs;
	m->ndocs = ndocs;
	c2s_arena_init(&m->arena, 0);
}

void c2s_model_free(struct c2s_model *m)
{
	c2s_arena_free(&m->arena);
}
