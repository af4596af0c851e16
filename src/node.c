/* node.c -- AST access and scalar resolution as gopkg.in/yaml.v3 (docker's YAML library) does it. */
#include "config.h"
#include "ast.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

int64_t c2s_doc_append(struct c2s_doc *d, const struct c2s_node *from, uint32_t count)
{
	if (d->nnodes > UINT32_MAX - count - 1)
		return -1;
	if (d->nnodes + count > d->cap_nodes) {
		/* from may be inside the array that moves */
		int inside = d->nodes && from >= d->nodes && from < d->nodes + d->nnodes;
		size_t at = inside ? (size_t)(from - d->nodes) : 0;
		uint32_t cap = d->cap_nodes ? d->cap_nodes : 64;
		while (cap < d->nnodes + count) {
			if (cap > UINT32_MAX / 2)
				return -1;
			cap *= 2;
		}
		struct c2s_node *p = realloc(d->nodes, (size_t)cap * sizeof *p);
		if (!p)
			return -1;
		d->nodes = p;
		d->cap_nodes = cap;
		if (inside)
			from = p + at;
	}
	uint32_t first = d->nnodes;
	memmove(d->nodes + first, from, (size_t)count * sizeof *from);
	d->nnodes += count;
	return first;
}

const struct c2s_node *c2s_map_getn(const struct c2s_doc *d, const struct c2s_node *m,
				    const char *key, size_t len, const struct c2s_node **keynode)
{
	if (keynode)
		*keynode = NULL;
	if (!m || c2s_kind(m) != C2S_MAPPING || len > C2S_NODE_MAX_N)
		return NULL;
	/* a scalar key of this length: kind and count bits of meta, style and flags masked out */
	const uint32_t mask = ~C2S_NODE_META(0, 7u, 15u, 0), want = C2S_NODE_META(C2S_SCALAR, 0, 0, len);
	const uint32_t verbatim = C2S_NODE_META(0, 0, C2S_NODE_VERBATIM, 0);
	uint32_t at[2] = {0, 0}, cnt[2] = {0, 0};
	for (unsigned r = 0, runs = c2s_map_runs(d, m, at, cnt); r < runs; r++) {
		const struct c2s_node *k = &d->nodes[at[r]];
		for (uint32_t i = 0; i < cnt[r]; i++, k += 2) {
			if ((k->meta & mask) != want)
				continue;
			const char *s = (k->meta & verbatim) ? d->src->data + k->ref : d->pool + k->ref;
			/* keys are short: a byte loop keeps this a leaf function (no call, no spills) */
			size_t j = 0;
			while (j < len && s[j] == key[j])
				j++;
			if (j == len) {
				if (keynode)
					*keynode = k;
				return k + 1;
			}
		}
	}
	return NULL;
}

static size_t key_slot(const char *p, size_t n)
{
	return n ? (n * 7u + (unsigned char)p[0]) % C2S_KEY_SLOTS : 0;
}

void c2s_key_slots_init(struct c2s_key_slots *t, const struct c2s_str *names, size_t nnames)
{
	/* a slot per (length, first byte): the name there + 1, MANY when two names share it */
	enum { MANY = 255 };
	t->names = names;
	t->n = nnames;
	memset(t->slot, 0, sizeof t->slot);
	for (size_t j = 0; j < nnames; j++) {
		size_t h = key_slot(names[j].p, names[j].n);
		t->slot[h] = t->slot[h] || j >= MANY - 1 ? MANY : (uint8_t)(j + 1);
	}
}

void c2s_map_get_slots(const struct c2s_doc *d, const struct c2s_node *m, const struct c2s_key_slots *t,
		       const struct c2s_node **vals, const struct c2s_node **keys)
{
	enum { MANY = 255 };
	const struct c2s_str *names = t->names;
	for (size_t j = 0; j < t->n; j++) {
		vals[j] = NULL;
		if (keys)
			keys[j] = NULL;
	}
	if (!m || c2s_kind(m) != C2S_MAPPING)
		return;
	const uint32_t verbatim = C2S_NODE_META(0, 0, C2S_NODE_VERBATIM, 0);
	uint32_t run_at[2] = {0, 0}, run_n[2] = {0, 0};
	unsigned runs = c2s_map_runs(d, m, run_at, run_n);
	const struct c2s_node *k = &d->nodes[run_at[0]];
	for (uint32_t r = 0, left = run_n[0];; k += 2, left--) {
		while (!left) {
			if (++r >= runs)
				return;
			k = &d->nodes[run_at[r]];
			left = run_n[r];
		}
		if (c2s_kind(k) != C2S_SCALAR)
			continue;
		uint32_t len = c2s_count(k);
		const char *s = (k->meta & verbatim) ? d->src->data + k->ref : d->pool + k->ref;
		uint8_t at = t->slot[key_slot(s, len)];
		if (!at)
			continue;
		size_t j = at == MANY ? 0 : at - 1u, stop = at == MANY ? t->n : at;
		for (; j < stop; j++) {
			if (names[j].n != len || vals[j])
				continue;
			/* keys are short: a byte loop, no call */
			size_t q = 0;
			while (q < len && s[q] == names[j].p[q])
				q++;
			if (q != len)
				continue;
			vals[j] = k + 1;
			if (keys)
				keys[j] = k;
			break;
		}
	}
}

void c2s_map_get_many(const struct c2s_doc *d, const struct c2s_node *m, const struct c2s_str *names,
		      size_t nnames, const struct c2s_node **vals, const struct c2s_node **keys)
{
	struct c2s_key_slots t;
	c2s_key_slots_init(&t, names, nnames);
	c2s_map_get_slots(d, m, &t, vals, keys);
}

/* Find the closing bracket of a flow collection, from the end of its last child. */
static uint32_t flow_end(const struct c2s_doc *d, uint32_t from, char close)
{
	const char *s = d->src->data;
	size_t len = d->src->len;
	int depth = 0;
	for (size_t i = from; i < len; i++) {
		char c = s[i];
		if (c == '[' || c == '{')
			depth++;
		else if ((c == ']' || c == '}') && depth > 0)
			depth--;
		else if (c == close)
			return (uint32_t)(i + 1);
		else if (c == '#') {
			while (i < len && s[i] != '\n')
				i++;
		}
	}
	return (uint32_t)len;
}

/* The bytes a plain scalar's scan stops at to look closer (data[len] is 0). */
static const unsigned char plain_stop[256] = {
	[0] = 1, ['\n'] = 1, ['\r'] = 1, [','] = 1, [']'] = 1, ['}'] = 1, ['#'] = 1, [':'] = 1, ['$'] = 1,
};

uint32_t c2s_scalar_end_scan(const struct c2s_source *src, uint32_t start)
{
	const char *s = src->data;
	size_t len = src->len, i = start;
	if (i >= len)
		return (uint32_t)len;
	if (s[i] == '"') {
		for (i++; i < len && s[i] != '\n'; i += s[i] == '\\' ? 2 : 1)
			if (s[i] == '"')
				return (uint32_t)(i + 1);
		return (uint32_t)(i < len ? i : len);
	}
	if (s[i] == '\'') {
		for (i++; i < len && s[i] != '\n'; i++)
			if (s[i] == '\'') {
				if (s[i + 1] != '\'')
					return (uint32_t)(i + 1);
				i++;
			}
		return (uint32_t)(i < len ? i : len);
	}
	unsigned depth = 0;  /* inside ${...}: a '}' there is the reference's */
	for (;; i++) {
		while (!plain_stop[(unsigned char)s[i]])
			i++;
		char c = s[i];
		if (i >= len || c == '\0' || c == '\n' || c == '\r' || c == ',' || c == ']')
			break;
		if (c == '$') {
			depth += s[i + 1] == '{';
		} else if (c == '}') {
			if (!depth)
				break;
			depth--;
		} else if (c == '#') {
			if (i > start && (s[i - 1] == ' ' || s[i - 1] == '\t'))
				break;
		} else if (i + 1 == len || s[i + 1] == ' ' || s[i + 1] == '\n' || s[i + 1] == '\r') {
			break;  /* ": " */
		}
	}
	while (i > start && (s[i - 1] == ' ' || s[i - 1] == '\t'))
		i--;
	return (uint32_t)i;
}

uint32_t c2s_node_end(const struct c2s_doc *d, const struct c2s_node *n)
{
	switch (c2s_kind(n)) {
	case C2S_SCALAR:
		if (c2s_flags(n) & C2S_NODE_VERBATIM)
			return n->ref + c2s_count(n) + (c2s_style(n) == C2S_STYLE_PLAIN ? 0 : 1);
		{
			uint32_t end;
			memcpy(&end, d->pool + n->ref - 4, 4);
			return end != C2S_POOL_END_SHARED ? end : c2s_scalar_end_scan(d->src, n->start);
		}
	case C2S_MAPPING:
	case C2S_SEQUENCE: {
		uint32_t cnt = c2s_count(n);
		const struct c2s_node *last = NULL;
		if (cnt)
			last = c2s_kind(n) == C2S_MAPPING ? c2s_map_value(d, n, cnt - 1)
							  : c2s_seq_item(d, n, cnt - 1);
		uint32_t end = last ? c2s_node_end(d, last) : n->start + 1;
		/* A merged or aliased child may live elsewhere in the file. */
		if (end < n->start)
			end = n->start + 1;
		if (c2s_style(n) == C2S_STYLE_FLOW)
			end = flow_end(d, end, c2s_kind(n) == C2S_MAPPING ? '}' : ']');
		return end;
	}
	}
	return n->start;
}

static const char *side_find(const struct c2s_anchor_entry *tab, uint32_t n, uint32_t start)
{
	uint32_t lo = 0, hi = n;
	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;
		if (tab[mid].start < start)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < n && tab[lo].start == start ? tab[lo].name : NULL;
}

const char *c2s_node_anchor(const struct c2s_doc *d, const struct c2s_node *n)
{
	return (c2s_flags(n) & C2S_NODE_ANCHOR) ? side_find(d->anchors, d->nanchors, n->start) : NULL;
}

const char *c2s_node_tag(const struct c2s_doc *d, const struct c2s_node *n)
{
	return (c2s_flags(n) & C2S_NODE_TAG) ? side_find(d->tags, d->ntags, n->start) : NULL;
}

/* ---- resolution ---- */

static int is_digit(char c) { return c >= '0' && c <= '9'; }

/* Up to two digits (Go time.Parse's getnum with fixed=false). */
static int take_num(const char **p, const char *end, int *out)
{
	const char *s = *p;
	if (s >= end || !is_digit(*s))
		return 0;
	int v = *s++ - '0';
	if (s < end && is_digit(*s))
		v = v * 10 + (*s++ - '0');
	*p = s;
	*out = v;
	return 1;
}

static int days_in(int month, int year)
{
	static const int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	if (month == 2 && (year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)))
		return 29;
	return days[month - 1];
}

/* yaml.v3's timestamp formats, as Go's time.Parse reads them:
 *   2006-1-2T15:4:5.999999999Z07:00, the same with 't', 2006-1-2 15:4:5.999999999, 2006-1-2 */
static int parse_timestamp(const char *s, size_t n, struct c2s_value *v)
{
	const char *p = s, *end = s + n;
	if (n < 6)
		return 0;
	for (int i = 0; i < 4; i++)
		if (!is_digit(s[i]))
			return 0;
	if (s[4] != '-')
		return 0;
	int year = (s[0] - '0') * 1000 + (s[1] - '0') * 100 + (s[2] - '0') * 10 + (s[3] - '0');
	int month, day, hour = 0, min = 0, sec = 0, tz = 0;
	long nsec = 0;
	int has_time = 0, has_tz = 0;
	p = s + 5;
	if (!take_num(&p, end, &month) || month < 1 || month > 12)
		return 0;
	if (p >= end || *p++ != '-')
		return 0;
	if (!take_num(&p, end, &day))
		return 0;
	if (p < end) {
		char sep = *p++;
		if (sep != 'T' && sep != 't' && sep != ' ')
			return 0;
		if (!take_num(&p, end, &hour) || hour > 23 || p >= end || *p++ != ':' ||
		    !take_num(&p, end, &min) || min > 59 || p >= end || *p++ != ':' ||
		    !take_num(&p, end, &sec) || sec > 59)
			return 0;
		if (p + 1 < end && (*p == '.' || *p == ',') && is_digit(p[1])) {
			p++;
			long scale = 100000000;
			while (p < end && is_digit(*p)) {
				nsec += (*p - '0') * scale;
				scale /= 10;
				p++;
			}
		}
		has_time = 1;
		if (sep != ' ') {
			if (p < end && *p == 'Z') {
				p++;
				has_tz = 1;
			} else if (end - p == 6 && (p[0] == '+' || p[0] == '-') && is_digit(p[1]) &&
				   is_digit(p[2]) && p[3] == ':' && is_digit(p[4]) && is_digit(p[5])) {
				int hh = (p[1] - '0') * 10 + (p[2] - '0'), mm = (p[4] - '0') * 10 + (p[5] - '0');
				if (hh > 24 || mm > 60)
					return 0;
				tz = (p[0] == '-' ? -1 : 1) * (hh * 60 + mm);
				p += 6;
				has_tz = 2;
			} else {
				return 0;
			}
		}
	}
	if (p != end || day < 1 || day > days_in(month, year))
		return 0;
	(void)has_time;
	v->type = C2S_TYPE_TIMESTAMP;
	v->ts.year = year;
	v->ts.month = month;
	v->ts.day = day;
	v->ts.hour = hour;
	v->ts.minute = min;
	v->ts.second = sec;
	v->ts.nanosecond = nsec;
	v->ts.offset_minutes = tz;
	v->ts.zone = has_tz == 2 ? 1 : 0;
	return 1;
}

static int digit_value(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'Z')
		return c - 'A' + 10;
	return 99;
}

/* Go's strconv.ParseUint(s, base, 64) over digits only: 0 ok, -1 syntax, -2 range. */
static int parse_digits(const char *s, size_t n, int base, uint64_t *out)
{
	if (n == 0)
		return -1;
	uint64_t v = 0;
	int overflow = 0;
	for (size_t i = 0; i < n; i++) {
		int dv = digit_value(s[i]);
		if (dv >= base)
			return -1;
		if (v > (UINT64_MAX - (uint64_t)dv) / (uint64_t)base)
			overflow = 1;
		v = v * (uint64_t)base + (uint64_t)dv;
	}
	*out = v;
	return overflow ? -2 : 0;
}

/* Go's strconv.ParseInt/ParseUint with base 0 (prefixes 0x 0o 0b, leading-0 octal).
 * is_unsigned: ParseUint, which takes no sign. 0 ok, -1 failed. */
static int parse_go_int(const char *s, size_t n, int is_unsigned, int64_t *iv, uint64_t *uv)
{
	int neg = 0;
	if (n && (s[0] == '+' || s[0] == '-')) {
		if (is_unsigned)
			return -1;
		neg = s[0] == '-';
		s++;
		n--;
	}
	int base = 10;
	if (n >= 2 && s[0] == '0') {
		char c = (char)(s[1] | 0x20);
		if (c == 'x') base = 16, s += 2, n -= 2;
		else if (c == 'o') base = 8, s += 2, n -= 2;
		else if (c == 'b') base = 2, s += 2, n -= 2;
		else base = 8, s += 1, n -= 1;
	}
	uint64_t u;
	if (parse_digits(s, n, base, &u) != 0)
		return -1;
	if (is_unsigned) {
		*uv = u;
		return 0;
	}
	if (neg) {
		if (u > (uint64_t)INT64_MAX + 1)
			return -1;
		*iv = u == (uint64_t)INT64_MAX + 1 ? INT64_MIN : -(int64_t)u;
	} else {
		if (u > (uint64_t)INT64_MAX)
			return -1;
		*iv = (int64_t)u;
	}
	return 0;
}

/* ^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$ */
static int yaml_style_float(const char *s, size_t n)
{
	size_t i = 0;
	if (i < n && (s[i] == '+' || s[i] == '-'))
		i++;
	if (i < n && s[i] == '.') {
		i++;
		size_t d = i;
		while (i < n && is_digit(s[i]))
			i++;
		if (i == d)
			return 0;
	} else {
		size_t d = i;
		while (i < n && is_digit(s[i]))
			i++;
		if (i == d)
			return 0;
		if (i < n && s[i] == '.') {
			i++;
			while (i < n && is_digit(s[i]))
				i++;
		}
	}
	if (i < n && (s[i] == 'e' || s[i] == 'E')) {
		i++;
		if (i < n && (s[i] == '+' || s[i] == '-'))
			i++;
		size_t d = i;
		while (i < n && is_digit(s[i]))
			i++;
		if (i == d)
			return 0;
	}
	return i == n;
}

/* strtod on a bounded string; fails on overflow as Go's ParseFloat does. */
static int parse_float(const char *s, size_t n, double *out)
{
	char buf[128];
	if (n >= sizeof buf)
		return -1;
	memcpy(buf, s, n);
	buf[n] = '\0';
	char *end;
	errno = 0;
	double f = strtod(buf, &end);
	if (end != buf + n)
		return -1;
	if (errno == ERANGE && isinf(f))
		return -1;
	*out = f;
	return 0;
}

static int eq(const char *s, size_t n, const char *lit)
{
	size_t l = strlen(lit);
	return n == l && memcmp(s, lit, l) == 0;
}

static int any_of(const char *s, size_t n, const char *const *list)
{
	for (; *list; list++)
		if (eq(s, n, *list))
			return 1;
	return 0;
}

/* Could s be a number or a timestamp at all? Only these bytes occur in one:
 * digits, hex digits and the 0x/0o/0b prefixes, signs, '_', '.', and the
 * timestamp's '-', ':', ',', ' ', 'T', 't', 'Z'. */
static int numeric_text(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (is_digit((char)c))
			continue;
		switch (c | 0x20) {
		case 'a': case 'b': case 'c': case 'd': case 'e': case 'f':
		case 'o': case 't': case 'x': case 'z':
			if (c >= 'A' && c <= 'z')
				continue;
			return 0;
		default:
			break;
		}
		switch (c) {
		case '+': case '-': case '_': case '.': case ':': case ',': case ' ':
			continue;
		default:
			return 0;
		}
	}
	return 1;
}

enum c2s_type c2s_resolve_plain(const char *s, size_t n, struct c2s_value *v)
{
	static const char *const trues[] = {"true", "True", "TRUE", NULL};
	static const char *const falses[] = {"false", "False", "FALSE", NULL};
	static const char *const nulls[] = {"~", "null", "Null", "NULL", NULL};
	static const char *const nans[] = {".nan", ".NaN", ".NAN", NULL};
	static const char *const infs[] = {".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF", NULL};
	static const char *const ninfs[] = {"-.inf", "-.Inf", "-.INF", NULL};
	memset(v, 0, sizeof *v);
	v->type = C2S_TYPE_STRING;
	if (n == 0)
		return v->type = C2S_TYPE_NULL;
	/* Decide by the first byte, as yaml.v3's resolve table does: the schema
	 * resolves every scalar of the file, and most are strings at one look. */
	switch (s[0]) {
	case '~':
	case 'n':
	case 'N':
		if (any_of(s, n, nulls))
			return v->type = C2S_TYPE_NULL;
		return v->type;
	case 't':
	case 'T':
		if (any_of(s, n, trues)) {
			v->boolean = 1;
			return v->type = C2S_TYPE_BOOL;
		}
		return v->type;
	case 'f':
	case 'F':
		if (any_of(s, n, falses))
			return v->type = C2S_TYPE_BOOL;
		return v->type;
	case '<':
		if (eq(s, n, "<<"))
			return v->type = C2S_TYPE_MERGE;
		return v->type;
	case '.':
		if (any_of(s, n, nans)) {
			v->f = NAN;
			return v->type = C2S_TYPE_FLOAT;
		}
		if (any_of(s, n, infs)) {
			v->f = INFINITY;
			return v->type = C2S_TYPE_FLOAT;
		}
		break;
	case '+':
		if (any_of(s, n, infs)) {
			v->f = INFINITY;
			return v->type = C2S_TYPE_FLOAT;
		}
		break;
	case '-':
		if (any_of(s, n, ninfs)) {
			v->f = -INFINITY;
			return v->type = C2S_TYPE_FLOAT;
		}
		break;
	default:
		if (!is_digit(s[0]))
			return v->type;
		break;
	}
	char c = s[0];
	if (c == '.') {
		/* Go's ParseFloat of the text as written (hint '.'), which takes
		 * underscores between digits as Go's literals do (".1_000": 0.1) */
		char fb[128];
		size_t m = 0;
		int saw = '^';
		for (size_t i = 0; i < n; i++) {
			if (s[i] == '_') {
				if (saw != '0')
					return v->type;
				saw = '_';
				continue;
			}
			if (saw == '_' && !is_digit(s[i]))
				return v->type;
			saw = is_digit(s[i]) ? '0' : '!';
			if (m + 1 >= sizeof fb)
				return v->type;
			fb[m++] = s[i];
		}
		if (saw == '_')
			return v->type;
		if (m > 1 && is_digit(fb[1]) && yaml_style_float(fb, m) && parse_float(fb, m, &v->f) == 0)
			return v->type = C2S_TYPE_FLOAT;
		return v->type;
	}
	if (!(is_digit(c) || c == '+' || c == '-'))
		return v->type;
	if (!numeric_text(s, n))
		return v->type;  /* "10s", "8080/tcp", "1.2.3-alpine": strings, without parsing */
	if (parse_timestamp(s, n, v))
		return v->type;
	/* Underscores are dropped before the number parsers see the text. */
	char buf[128];
	size_t m = 0;
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '_')
			continue;
		if (m + 1 >= sizeof buf)
			return v->type;
		buf[m++] = s[i];
	}
	buf[m] = '\0';
	if (parse_go_int(buf, m, 0, &v->i, &v->u) == 0) {
		v->f = (double)v->i;
		return v->type = C2S_TYPE_INT;
	}
	if (parse_go_int(buf, m, 1, &v->i, &v->u) == 0) {
		v->f = (double)v->u;
		return v->type = C2S_TYPE_UINT;
	}
	if (yaml_style_float(buf, m) && parse_float(buf, m, &v->f) == 0)
		return v->type = C2S_TYPE_FLOAT;
	return v->type;
}

enum c2s_type c2s_resolve(const struct c2s_doc *d, const struct c2s_node *n, struct c2s_value *v)
{
	memset(v, 0, sizeof *v);
	v->type = C2S_TYPE_STRING;
	if (c2s_kind(n) != C2S_SCALAR)
		return v->type;
	struct c2s_str s = c2s_scalar(d, n);
	const char *tag = c2s_node_tag(d, n);
	if (tag) {
		static const char pfx[] = "tag:yaml.org,2002:";
		if (strncmp(tag, pfx, sizeof pfx - 1) == 0) {
			const char *t = tag + sizeof pfx - 1;
			if (strcmp(t, "str") == 0)
				return v->type = C2S_TYPE_STRING;
			if (strcmp(t, "binary") == 0)
				return v->type = C2S_TYPE_BINARY;
			struct c2s_value r;
			enum c2s_type rt = c2s_resolve_plain(s.p, s.n, &r);
			if (strcmp(t, "float") == 0 && (rt == C2S_TYPE_INT || rt == C2S_TYPE_UINT)) {
				*v = r;
				v->type = C2S_TYPE_FLOAT;
				return v->type;
			}
			*v = r;
			return v->type;
		}
		/* "!" and unknown local tags: the text as a string */
		return v->type;
	}
	if (c2s_style(n) != C2S_STYLE_PLAIN)
		return v->type;
	return c2s_resolve_plain(s.p, s.n, v);
}
