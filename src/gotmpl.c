/* gotmpl.c -- Go's text/template (lexer, parser and executor, as of the Go that
 * builds dockerd 20.10: break/continue, trim markers, short-circuit and/or),
 * enough to tell whether swarmkit's template expansion of a service's values
 * fails when the engine validates the service (validateContainerSpec). Written
 * from Go's text/template/parse and exec behaviour; what it does not model
 * (methods, slice, range over values other than the empty labels, ...)
 * makes the answer C2S_GOTMPL_UNKNOWN rather than a guess. */
#include "config.h"
#include "gotmpl.h"
#include "compose2swarm.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- tokens (text/template/parse/lex.go) ---- */

enum tok {
	T_ERROR, T_EOF, T_TEXT, T_COMMENT, T_LDELIM, T_RDELIM, T_SPACE, T_FIELD, T_IDENT, T_VAR, T_BOOL,
	T_NUMBER, T_COMPLEX, T_STRING, T_RAWSTRING, T_CHARCONST, T_PIPE, T_LPAREN, T_RPAREN, T_DECLARE,
	T_ASSIGN, T_CHAR,
	/* keywords */
	T_DOT, T_NIL, T_BLOCK, T_BREAK, T_CONTINUE, T_DEFINE, T_ELSE, T_END, T_IF, T_RANGE, T_TEMPLATE, T_WITH
};

struct token {
	enum tok t;
	uint32_t pos, len;
};

/* ---- parse tree ---- */

enum ntype {
	N_LIST, N_TEXT, N_ACTION, N_IF, N_RANGE, N_WITH, N_TEMPLATE, N_BREAK, N_CONTINUE,
	N_PIPE, N_COMMAND, N_FIELD, N_VAR, N_CHAIN, N_IDENT, N_DOT, N_NIL, N_BOOL, N_NUMBER, N_STRING,
	N_END, N_ELSE
};

struct node {
	enum ntype t;
	uint32_t pos, len;   /* source span, for messages */
	int first, next;     /* first child, next sibling (-1: none) */
	int a, b, c;         /* N_IF/N_RANGE/N_WITH: pipe, list, else list; N_TEMPLATE: pipe (-1), name token;
				N_PIPE: decl count, is-assign; N_CHAIN: the term (first is the field list) */
	int ntok, nident;    /* N_FIELD, N_VAR, N_CHAIN: first token of the chain and how many */
};

struct define {
	uint32_t pos, len;  /* the name, quoted as written */
	int list;
};

#define MAX_TOKENS C2S_GOTMPL_MAX_TOKENS
#define MAX_NODES (2 * C2S_GOTMPL_MAX_TOKENS)
#define MAX_VARS 64
#define MAX_DEFINES 16
#define MAX_EXEC_DEPTH 32

struct tmpl {
	const char *s;
	size_t n;
	struct token *tok;
	int ntok, at;
	struct node *node;
	int nnode;
	const char *vars[MAX_VARS];  /* parse: variables in scope */
	size_t varlen[MAX_VARS];
	int nvars, range_depth;
	struct define defs[MAX_DEFINES];
	int ndefs;
	char *err;
	size_t errsize;
	int failed;    /* 1: Go's error in err; 2: unknown */
	char lexmsg[300];  /* the lexer's error, reported when the parser reaches it (Go streams tokens) */
};

static int fail(struct tmpl *t, int how, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int fail(struct tmpl *t, int how, const char *fmt, ...)
{
	if (t->failed)
		return -1;
	t->failed = how;
	if (how == 1 && t->errsize) {
		va_list ap;
		va_start(ap, fmt);
		vsnprintf(t->err, t->errsize, fmt, ap);
		va_end(ap);
	}
	return -1;
}
#define UNKNOWN(t) fail((t), 2, "%s", "")

static uint32_t line_start_of(const struct tmpl *t, uint32_t pos)
{
	uint32_t ls = 0;
	for (uint32_t i = 0; i < pos && i < t->n; i++)
		if (t->s[i] == '\n')
			ls = i + 1;
	return ls;
}

static int line_of(const struct tmpl *t, uint32_t pos)
{
	int line = 1;
	for (uint32_t i = 0; i < pos && i < t->n; i++)
		line += t->s[i] == '\n';
	return line;
}

/* A parse error: "template: expansion:LINE: MSG". */
static int perr(struct tmpl *t, uint32_t pos, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int perr(struct tmpl *t, uint32_t pos, const char *fmt, ...)
{
	char msg[256];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	return fail(t, 1, "template: expansion:%d: %s", line_of(t, pos), msg);
}

/* Go's %q of s[0..n) (cut long). */
static void quote(char *out, size_t size, const char *s, size_t n)
{
	size_t w = 0;
	if (size < 8)
		return;
	out[w++] = '"';
	for (size_t i = 0; i < n && w + 6 < size; i++) {
		unsigned char ch = (unsigned char)s[i];
		if (ch == '"' || ch == '\\')
			w += (size_t)snprintf(out + w, size - w, "\\%c", ch);
		else if (ch == '\n')
			w += (size_t)snprintf(out + w, size - w, "\\n");
		else if (ch == '\t')
			w += (size_t)snprintf(out + w, size - w, "\\t");
		else if (ch < 0x20 || ch == 0x7f)
			w += (size_t)snprintf(out + w, size - w, "\\x%02x", ch);
		else
			out[w++] = (char)ch;
	}
	out[w++] = '"';
	out[w] = '\0';
}

/* ---- lexer ---- */

static int is_space(unsigned char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }
static int is_alnum(unsigned char c)
{
	return c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

struct lexer {
	struct tmpl *t;
	size_t pos, start;
	int depth;  /* parentheses */
};

static int emit(struct lexer *l, enum tok k)
{
	struct tmpl *t = l->t;
	if (t->ntok >= MAX_TOKENS)
		return UNKNOWN(t);
	t->tok[t->ntok++] = (struct token){k, (uint32_t)l->start, (uint32_t)(l->pos - l->start)};
	l->start = l->pos;
	return 0;
}

static int lerr(struct lexer *l, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int lerr(struct lexer *l, const char *fmt, ...)
{
	char msg[256];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	snprintf(l->t->lexmsg, sizeof l->t->lexmsg, "template: expansion:%d: %s", line_of(l->t, (uint32_t)l->start), msg);
	if (!l->t->failed)
		emit(l, T_ERROR);
	return -1;
}

static int has_prefix(const struct lexer *l, size_t at, const char *p)
{
	size_t k = strlen(p);
	return at + k <= l->t->n && memcmp(l->t->s + at, p, k) == 0;
}

/* " -}}" or "}}" at at: 1 (and *trim), else 0 */
static int at_right_delim(const struct lexer *l, size_t at, int *trim)
{
	const char *s = l->t->s;
	size_t n = l->t->n;
	*trim = 0;
	if (at + 2 <= n && is_space((unsigned char)s[at]) && s[at + 1] == '-' && has_prefix(l, at + 2, "}}")) {
		*trim = 1;
		return 1;
	}
	return has_prefix(l, at, "}}");
}

static int at_terminator(const struct lexer *l)
{
	if (l->pos >= l->t->n)
		return 1;
	unsigned char c = (unsigned char)l->t->s[l->pos];
	return is_space(c) || c == '.' || c == ',' || c == '|' || c == ':' || c == ')' || c == '(' ||
	       has_prefix(l, l->pos, "}}");
}

/* Go's %#U of the rune at s[at] (an ASCII one: others are not modelled) */
static const char *rune_text(const struct lexer *l, size_t at, char *buf, size_t size)
{
	unsigned char c = at < l->t->n ? (unsigned char)l->t->s[at] : 0;
	if (c >= 0x20 && c < 0x7f)
		snprintf(buf, size, "U+%04X '%c'", c, c);
	else
		snprintf(buf, size, "U+%04X", c);
	return buf;
}

static int scan_number(struct lexer *l)
{
	const char *s = l->t->s;
	size_t n = l->t->n;
	if (l->pos < n && (s[l->pos] == '+' || s[l->pos] == '-'))
		l->pos++;
	const char *digits = "0123456789_";
	if (l->pos < n && s[l->pos] == '0') {
		l->pos++;
		if (l->pos < n && (s[l->pos] == 'x' || s[l->pos] == 'X'))
			l->pos++, digits = "0123456789abcdefABCDEF_";
		else if (l->pos < n && (s[l->pos] == 'o' || s[l->pos] == 'O'))
			l->pos++, digits = "01234567_";
		else if (l->pos < n && (s[l->pos] == 'b' || s[l->pos] == 'B'))
			l->pos++, digits = "01_";
	}
	while (l->pos < n && s[l->pos] && strchr(digits, s[l->pos]))
		l->pos++;
	if (l->pos < n && s[l->pos] == '.') {
		l->pos++;
		while (l->pos < n && s[l->pos] && strchr(digits, s[l->pos]))
			l->pos++;
	}
	if (strlen(digits) == 11 && l->pos < n && (s[l->pos] == 'e' || s[l->pos] == 'E')) {
		l->pos++;
		if (l->pos < n && (s[l->pos] == '+' || s[l->pos] == '-'))
			l->pos++;
		while (l->pos < n && ((s[l->pos] >= '0' && s[l->pos] <= '9') || s[l->pos] == '_'))
			l->pos++;
	}
	if (strlen(digits) == 23 && l->pos < n && (s[l->pos] == 'p' || s[l->pos] == 'P')) {
		l->pos++;
		if (l->pos < n && (s[l->pos] == '+' || s[l->pos] == '-'))
			l->pos++;
		while (l->pos < n && ((s[l->pos] >= '0' && s[l->pos] <= '9') || s[l->pos] == '_'))
			l->pos++;
	}
	if (l->pos < n && s[l->pos] == 'i')
		l->pos++;
	if (l->pos < n && (is_alnum((unsigned char)s[l->pos]) || (unsigned char)s[l->pos] >= 0x80)) {
		l->pos++;
		return 0;
	}
	return 1;
}

static int lex_inside(struct lexer *l);

static int lex_text(struct lexer *l)
{
	struct tmpl *t = l->t;
	for (;;) {
		const char *at = l->pos < t->n ? memmem(t->s + l->pos, t->n - l->pos, "{{", 2) : NULL;
		if (!at) {
			l->pos = t->n;
			if (l->pos > l->start && emit(l, T_TEXT))
				return -1;
			return emit(l, T_EOF);
		}
		l->pos = (size_t)(at - t->s);
		if (l->pos > l->start && emit(l, T_TEXT))
			return -1;
		l->pos += 2;
		int trim = l->pos + 2 <= t->n && t->s[l->pos] == '-' && is_space((unsigned char)t->s[l->pos + 1]);
		size_t after = l->pos + (trim ? 2 : 0);
		if (has_prefix(l, after, "/*")) {
			const char *close = memmem(t->s + after + 2, t->n - after - 2, "*/", 2);
			if (!close)
				return lerr(l, "unclosed comment");
			l->pos = (size_t)(close - t->s) + 2;
			int rtrim;
			if (!at_right_delim(l, l->pos, &rtrim))
				return lerr(l, "comment ends before closing delimiter");
			l->pos += (rtrim ? 2 : 0) + 2;
			l->start = l->pos;
			continue;
		}
		if (emit(l, T_LDELIM))
			return -1;
		l->pos = after;
		l->start = l->pos;
		l->depth = 0;
		if (lex_inside(l))
			return -1;
	}
}

/* Inside {{ }}, up to and with the right delimiter. */
static int lex_inside(struct lexer *l)
{
	struct tmpl *t = l->t;
	const char *s = t->s;
	char rb[32];
	for (;;) {
		int trim;
		if (at_right_delim(l, l->pos, &trim)) {
			if (l->depth)
				return lerr(l, "unclosed left paren");
			l->pos += (trim ? 2 : 0) + 2;
			return emit(l, T_RDELIM);
		}
		if (l->pos >= t->n)
			return lerr(l, "unclosed action");
		unsigned char c = (unsigned char)s[l->pos++];
		if (is_space(c)) {
			size_t nsp = 1;
			while (l->pos < t->n && is_space((unsigned char)s[l->pos]))
				l->pos++, nsp++;
			/* " -}}": the space belongs to the trim marker */
			if (l->pos >= 1 && at_right_delim(l, l->pos - 1, &trim) && trim) {
				l->pos--;
				if (nsp == 1) {
					l->start = l->pos;
					continue;
				}
			}
			if (emit(l, T_SPACE))
				return -1;
			continue;
		}
		switch (c) {
		case '=':
			if (emit(l, T_ASSIGN))
				return -1;
			continue;
		case ':':
			if (l->pos >= t->n || s[l->pos++] != '=')
				return lerr(l, "expected :=");
			if (emit(l, T_DECLARE))
				return -1;
			continue;
		case '|':
			if (emit(l, T_PIPE))
				return -1;
			continue;
		case '(':
			l->depth++;
			if (emit(l, T_LPAREN))
				return -1;
			continue;
		case ')':
			if (--l->depth < 0)
				return lerr(l, "unexpected right paren %s", rune_text(l, l->pos - 1, rb, sizeof rb));
			if (emit(l, T_RPAREN))
				return -1;
			continue;
		case '"':
		case '`':
		case '\'':
			for (;;) {
				if (l->pos >= t->n || (c != '`' && s[l->pos] == '\n'))
					return lerr(l, c == '"' ? "unterminated quoted string" : c == '`' ?
						    "unterminated raw quoted string" : "unterminated character constant");
				unsigned char d = (unsigned char)s[l->pos++];
				if (d == '\\' && c != '`') {
					if (l->pos >= t->n || s[l->pos] == '\n')
						return lerr(l, c == '"' ? "unterminated quoted string" :
							    "unterminated character constant");
					l->pos++;
					continue;
				}
				if (d == c)
					break;
			}
			if (emit(l, c == '"' ? T_STRING : c == '`' ? T_RAWSTRING : T_CHARCONST))
				return -1;
			continue;
		case '$':
		case '.':
			if (c == '.' && l->pos < t->n && s[l->pos] >= '0' && s[l->pos] <= '9') {
				l->pos--;
				goto number;
			}
			if (at_terminator(l)) {
				if (emit(l, c == '$' ? T_VAR : T_DOT))
					return -1;
				continue;
			}
			while (l->pos < t->n && is_alnum((unsigned char)s[l->pos]))
				l->pos++;
			if (l->pos < t->n && (unsigned char)s[l->pos] >= 0x80)
				return UNKNOWN(t);  /* a non-ASCII letter: not modelled */
			if (!at_terminator(l))
				return lerr(l, "bad character %s", rune_text(l, l->pos, rb, sizeof rb));
			if (emit(l, c == '$' ? T_VAR : T_FIELD))
				return -1;
			continue;
		default:
			break;
		}
		if (c == '+' || c == '-' || (c >= '0' && c <= '9')) {
			l->pos--;
number:
			if (!scan_number(l))
				goto bad_number;
			if (l->pos < t->n && (s[l->pos] == '+' || s[l->pos] == '-')) {
				if (!scan_number(l) || s[l->pos - 1] != 'i')
					goto bad_number;
				if (emit(l, T_COMPLEX))
					return -1;
				continue;
			}
			if (emit(l, T_NUMBER))
				return -1;
			continue;
bad_number: {
				char q[80];
				quote(q, sizeof q, s + l->start, l->pos - l->start);
				return lerr(l, "bad number syntax: %s", q);
			}
		}
		if (c >= 0x80)
			return UNKNOWN(t);
		if (is_alnum(c)) {
			while (l->pos < t->n && is_alnum((unsigned char)s[l->pos]))
				l->pos++;
			if (l->pos < t->n && (unsigned char)s[l->pos] >= 0x80)
				return UNKNOWN(t);
			if (!at_terminator(l))
				return lerr(l, "bad character %s", rune_text(l, l->pos, rb, sizeof rb));
			static const struct {
				const char *w;
				enum tok t;
			} kw[] = {{"block", T_BLOCK}, {"break", T_BREAK}, {"continue", T_CONTINUE}, {"define", T_DEFINE},
				  {"else", T_ELSE}, {"end", T_END}, {"if", T_IF}, {"range", T_RANGE}, {"nil", T_NIL},
				  {"template", T_TEMPLATE}, {"with", T_WITH}, {"true", T_BOOL}, {"false", T_BOOL}};
			enum tok k = T_IDENT;
			size_t wn = l->pos - l->start;
			for (size_t q = 0; q < sizeof kw / sizeof *kw; q++)
				if (strlen(kw[q].w) == wn && memcmp(kw[q].w, s + l->start, wn) == 0)
					k = kw[q].t;
			if (emit(l, k))
				return -1;
			continue;
		}
		if (c >= 0x20 && c < 0x7f) {
			if (emit(l, T_CHAR))
				return -1;
			continue;
		}
		return lerr(l, "unrecognized character in action: %s", rune_text(l, l->pos - 1, rb, sizeof rb));
	}
}

/* ---- parser (text/template/parse/parse.go) ---- */

static const struct token *peek(struct tmpl *t) { return &t->tok[t->at]; }
static const struct token *next_tok(struct tmpl *t) { return &t->tok[t->at < t->ntok - 1 ? t->at++ : t->at]; }
static const struct token *peek_nonspace(struct tmpl *t)
{
	while (t->tok[t->at].t == T_SPACE)
		t->at++;
	return &t->tok[t->at];
}
static const struct token *next_nonspace(struct tmpl *t)
{
	peek_nonspace(t);
	return next_tok(t);
}

static int new_node(struct tmpl *t, enum ntype ty, uint32_t pos, uint32_t len)
{
	if (t->nnode >= MAX_NODES)
		return UNKNOWN(t);
	struct node *n = &t->node[t->nnode];
	*n = (struct node){ty, pos, len, -1, -1, -1, -1, -1, 0, 0};
	return t->nnode++;
}

/* Append child to parent's children. */
static void add_child(struct tmpl *t, int parent, int child)
{
	int *p = &t->node[parent].first;
	while (*p >= 0)
		p = &t->node[*p].next;
	*p = child;
}

static const char *tok_desc(struct tmpl *t, const struct token *k, char *buf, size_t size)
{
	/* item.String(): keywords as <word>, others quoted (long ones cut) */
	if (k->t == T_EOF)
		return "EOF";
	if (k->t >= T_DOT) {
		snprintf(buf, size, "<%.*s>", (int)k->len, t->s + k->pos);
		return buf;
	}
	if (k->len > 10) {
		quote(buf, size, t->s + k->pos, 10);
		strncat(buf, "...", size - strlen(buf) - 1);
		return buf;
	}
	quote(buf, size, t->s + k->pos, k->len);
	return buf;
}

static int unexpected(struct tmpl *t, const struct token *k, const char *context)
{
	char d[64];
	if (k->t == T_ERROR)
		return fail(t, 1, "%s", t->lexmsg);
	return perr(t, k->pos, "unexpected %s in %s", tok_desc(t, k, d, sizeof d), context);
}

static const char *const funcs[] = {"and", "call", "html", "index", "slice", "js", "len", "not", "or", "print",
				    "printf", "println", "urlquery", "eq", "ge", "gt", "le", "lt", "ne", "join"};

static int is_func(const char *s, size_t n)
{
	for (size_t i = 0; i < sizeof funcs / sizeof *funcs; i++)
		if (strlen(funcs[i]) == n && memcmp(funcs[i], s, n) == 0)
			return 1;
	return 0;
}

static int pipeline(struct tmpl *t, const char *context, enum tok end);
static int item_list(struct tmpl *t, int *list, int *stop);

static int use_var(struct tmpl *t, const struct token *k)
{
	for (int i = t->nvars - 1; i >= 0; i--)
		if (t->varlen[i] == k->len && memcmp(t->vars[i], t->s + k->pos, k->len) == 0)
			return 0;
	char q[80];
	quote(q, sizeof q, t->s + k->pos, k->len);
	return perr(t, k->pos, "undefined variable %s", q);
}

/* strconv.Unquote of a "..." literal's body [p, p+n): 1 when Go takes it. */
static int go_unquote_ok(const char *p, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (p[i] != '\\')
			continue;
		if (++i >= n)
			return 0;
		char c = p[i];
		if (strchr("abfnrtv\\\"", c))
			continue;
		size_t want = c == 'x' ? 2 : c == 'u' ? 4 : c == 'U' ? 8 : 0;
		if (want) {
			uint32_t v = 0;
			for (size_t k = 1; k <= want; k++) {
				char h = i + k < n ? p[i + k] : 0;
				int d = h >= '0' && h <= '9' ? h - '0' : h >= 'a' && h <= 'f' ? h - 'a' + 10
					: h >= 'A' && h <= 'F' ? h - 'A' + 10 : -1;
				if (d < 0)
					return 0;
				v = v * 16 + (uint32_t)d;
			}
			/* \u and \U: a valid rune (utf8.ValidRune) */
			if (c != 'x' && (v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF)))
				return 0;
			i += want;
			continue;
		}
		if (c >= '0' && c <= '7') {
			uint32_t v = 0;
			for (size_t k = 0; k < 3; k++) {
				char o = i + k < n ? p[i + k] : 0;
				if (o < '0' || o > '7')
					return 0;
				v = v * 8 + (uint32_t)(o - '0');
			}
			if (v > 255)
				return 0;
			i += 2;
			continue;
		}
		return 0;  /* \' and anything else */
	}
	return 1;
}

/* parse.newNumber's overflow: a decimal integer literal (no ".eEpP") that is
 * neither an int64 nor a uint64 (ParseFloat then takes it). */
static int int_overflows(const char *p, size_t n)
{
	size_t i = p[0] == '+' || p[0] == '-' ? 1 : 0;
	int neg = p[0] == '-';
	if (i >= n || (n - i > 1 && p[i] == '0' && strchr("xXoObB", p[i + 1])))
		return 0;
	uint64_t v = 0;
	int big = 0;
	for (; i < n; i++) {
		if (p[i] < '0' || p[i] > '9')
			return 0;  /* a float, an imaginary, underscores: not judged */
		unsigned d = (unsigned)(p[i] - '0');
		if (v > (UINT64_MAX - d) / 10)
			big = 1;
		else
			v = v * 10 + d;
	}
	return big || (neg && v > (uint64_t)INT64_MAX + 1);
}

static int term(struct tmpl *t, int *out)
{
	*out = -1;
	const struct token *k = next_nonspace(t);
	int n = -1;
	switch (k->t) {
	case T_IDENT:
		if (!is_func(t->s + k->pos, k->len)) {
			char q[80];
			quote(q, sizeof q, t->s + k->pos, k->len);
			return perr(t, k->pos, "function %s not defined", q);
		}
		n = new_node(t, N_IDENT, k->pos, k->len);
		break;
	case T_DOT:
		n = new_node(t, N_DOT, k->pos, k->len);
		break;
	case T_NIL:
		n = new_node(t, N_NIL, k->pos, k->len);
		break;
	case T_VAR:
		if (use_var(t, k))
			return -1;
		n = new_node(t, N_VAR, k->pos, k->len);
		if (n >= 0) {
			t->node[n].ntok = (int)(k - t->tok);
			t->node[n].nident = 1;
		}
		break;
	case T_FIELD:
		n = new_node(t, N_FIELD, k->pos, k->len);
		if (n >= 0) {
			t->node[n].ntok = (int)(k - t->tok);
			t->node[n].nident = 1;
		}
		break;
	case T_BOOL:
		n = new_node(t, N_BOOL, k->pos, k->len);
		break;
	case T_NUMBER:
		if (int_overflows(t->s + k->pos, k->len)) {
			char q[80];
			quote(q, sizeof q, t->s + k->pos, k->len);
			return perr(t, k->pos, "integer overflow: %s", q);
		}
		/* fall through */
	case T_CHARCONST:
	case T_COMPLEX:
		n = new_node(t, N_NUMBER, k->pos, k->len);
		break;
	case T_STRING:
		if (k->len >= 2 && !go_unquote_ok(t->s + k->pos + 1, k->len - 2))
			return perr(t, k->pos, "invalid syntax");
		/* fall through */
	case T_RAWSTRING:
		n = new_node(t, N_STRING, k->pos, k->len);
		break;
	case T_LPAREN: {
		int p = pipeline(t, "parenthesized pipeline", T_RPAREN);
		if (p < 0)
			return -1;
		*out = p;
		return 0;
	}
	default:
		t->at = (int)(k - t->tok);  /* back up */
		return 0;
	}
	if (n < 0)
		return -1;
	*out = n;
	return 0;
}

static int operand(struct tmpl *t, int *out)
{
	if (term(t, out))
		return -1;
	int n = *out;
	if (n < 0 || peek(t)->t != T_FIELD)
		return 0;
	int first = t->at, count = 0;
	uint32_t chain_pos = peek(t)->pos;
	while (peek(t)->t == T_FIELD)
		next_tok(t), count++;
	const struct token *lastk = &t->tok[t->at - 1];
	switch (t->node[n].t) {
	case N_FIELD:
	case N_VAR:
		/* .A.B or $x.A: one node, its tokens consecutive */
		t->node[n].nident += count;
		t->node[n].pos = chain_pos;
		t->node[n].len = lastk->pos + lastk->len - t->tok[t->node[n].ntok].pos;
		t->node[n].c = (int)(t->tok[t->node[n].ntok].pos);  /* where the text starts */
		return 0;
	case N_BOOL:
	case N_STRING:
	case N_NUMBER:
	case N_NIL:
	case N_DOT: {
		char q[80];
		quote(q, sizeof q, t->s + t->node[n].pos, t->node[n].len);
		return perr(t, chain_pos, "unexpected . after term %s", q);
	}
	default: {
		int c = new_node(t, N_CHAIN, chain_pos, lastk->pos + lastk->len - t->node[n].pos);
		if (c < 0)
			return -1;
		t->node[c].c = n;
		t->node[c].ntok = first;
		t->node[c].nident = count;
		*out = c;
		return 0;
	}
	}
}

static int command(struct tmpl *t, int *out)
{
	int cmd = new_node(t, N_COMMAND, peek_nonspace(t)->pos, 0);
	if (cmd < 0)
		return -1;
	int nargs = 0;
	for (;;) {
		peek_nonspace(t);
		int op;
		if (operand(t, &op))
			return -1;
		if (op >= 0) {
			add_child(t, cmd, op);
			nargs++;
		}
		const struct token *k = next_tok(t);
		if (k->t == T_SPACE)
			continue;
		if (k->t == T_RDELIM || k->t == T_RPAREN) {
			t->at--;
		} else if (k->t != T_PIPE) {
			return unexpected(t, k, "operand");
		}
		break;
	}
	if (!nargs)
		return perr(t, t->node[cmd].pos, "empty command");
	/* the span, for messages: up to the last argument */
	int last = t->node[cmd].first;
	while (t->node[last].next >= 0)
		last = t->node[last].next;
	uint32_t from = t->node[t->node[cmd].first].t == N_FIELD || t->node[t->node[cmd].first].t == N_VAR ?
		(uint32_t)(t->node[t->node[cmd].first].c >= 0 ? t->node[t->node[cmd].first].c : (int)t->node[t->node[cmd].first].pos) :
		t->node[t->node[cmd].first].pos;
	uint32_t lend = t->node[last].t == N_FIELD || t->node[last].t == N_VAR ?
		(uint32_t)(t->node[last].c >= 0 ? t->node[last].c : (int)t->node[last].pos) + t->node[last].len :
		t->node[last].pos + t->node[last].len;
	t->node[cmd].pos = from;
	t->node[cmd].len = lend > from ? lend - from : 0;
	*out = cmd;
	return 0;
}

static int declare(struct tmpl *t, const struct token *v)
{
	if (t->nvars >= MAX_VARS)
		return UNKNOWN(t);
	t->vars[t->nvars] = t->s + v->pos;
	t->varlen[t->nvars++] = v->len;
	return 0;
}

/* A pipeline up to end (not consumed... the right delimiter is, a paren too). */
static int pipeline(struct tmpl *t, const char *context, enum tok end)
{
	uint32_t pos = peek_nonspace(t)->pos;
	int pipe = new_node(t, N_PIPE, pos, 0);
	if (pipe < 0)
		return -1;
	t->node[pipe].a = 0;  /* declarations */
	t->node[pipe].b = 0;  /* an assignment (=) rather than := */
decls:
	if (peek_nonspace(t)->t == T_VAR) {
		int save = t->at;
		const struct token *v = next_tok(t);
		const struct token *after = peek(t);
		const struct token *nx = peek_nonspace(t);
		if (nx->t == T_ASSIGN || nx->t == T_DECLARE) {
			t->node[pipe].b = nx->t == T_ASSIGN;
			next_nonspace(t);
			if (declare(t, v))
				return -1;
			t->node[pipe].a++;
			t->node[pipe].ntok = (int)(v - t->tok);
		} else if (nx->t == T_CHAR && t->s[nx->pos] == ',') {
			next_nonspace(t);
			if (declare(t, v))
				return -1;
			t->node[pipe].a++;
			if (!strcmp(context, "range") && t->node[pipe].a < 2) {
				enum tok p = peek_nonspace(t)->t;
				if (p == T_VAR || p == T_RDELIM || p == T_RPAREN)
					goto decls;
				return perr(t, nx->pos, "range can only initialize variables");
			}
			return perr(t, nx->pos, "too many declarations in %s", context);
		} else if (after->t == T_SPACE) {
			t->at = save;
		} else {
			t->at = save;
		}
	}
	int ncmd = 0;
	for (;;) {
		const struct token *k = next_nonspace(t);
		if (k->t == end) {
			if (!ncmd)
				return perr(t, k->pos, "missing value for %s", context);
			/* a later stage must be something that can take the value */
			int i = 0;
			for (int c = t->node[pipe].first; c >= 0; c = t->node[c].next, i++) {
				enum ntype a0 = t->node[t->node[c].first].t;
				if (i > 0 && (a0 == N_BOOL || a0 == N_DOT || a0 == N_NIL || a0 == N_NUMBER || a0 == N_STRING))
					return perr(t, t->node[c].pos, "non executable command in pipeline stage %d", i + 1);
			}
			t->node[pipe].len = k->pos + k->len - pos;
			return pipe;
		}
		switch (k->t) {
		case T_BOOL: case T_CHARCONST: case T_COMPLEX: case T_DOT: case T_FIELD: case T_IDENT:
		case T_NUMBER: case T_NIL: case T_RAWSTRING: case T_STRING: case T_VAR: case T_LPAREN: {
			t->at = (int)(k - t->tok);
			int cmd = -1;
			if (command(t, &cmd))
				return -1;
			add_child(t, pipe, cmd);
			ncmd++;
			break;
		}
		default:
			return unexpected(t, k, context);
		}
	}
}

static int text_or_action(struct tmpl *t, int *out);

/* if/range/with: pipeline, list, optional else, end. */
static int control(struct tmpl *t, enum ntype ty, const char *context, uint32_t pos, int *out)
{
	int saved_vars = t->nvars;
	int pipe = pipeline(t, context, T_RDELIM);
	if (pipe < 0)
		return -1;
	int list, stop, else_list = -1;
	if (ty == N_RANGE)
		t->range_depth++;
	if (item_list(t, &list, &stop))
		return -1;
	if (ty == N_RANGE)
		t->range_depth--;
	if (t->node[stop].t == N_ELSE) {
		if (ty == N_IF && peek_nonspace(t)->t == T_IF) {
			/* {{else if ...}}: an if in the else list */
			const struct token *k = next_nonspace(t);
			else_list = new_node(t, N_LIST, k->pos, 0);
			int inner;
			if (else_list < 0 || control(t, N_IF, "if", k->pos, &inner))
				return -1;
			add_child(t, else_list, inner);
			goto done;
		}
		if (item_list(t, &else_list, &stop))
			return -1;
		if (t->node[stop].t != N_END)
			return perr(t, t->node[stop].pos, "expected end; found {{else}}");
	}
done:
	t->nvars = saved_vars;
	int n = new_node(t, ty, pos, 0);
	if (n < 0)
		return -1;
	t->node[n].a = pipe;
	t->node[n].b = list;
	t->node[n].c = else_list;
	*out = n;
	return 0;
}

static int add_define(struct tmpl *t, const struct token *name, int list)
{
	if (t->ndefs >= MAX_DEFINES)
		return UNKNOWN(t);
	t->defs[t->ndefs++] = (struct define){name->pos, name->len, list};
	return 0;
}

/* The body of a define or block, up to its {{end}}. */
static int definition(struct tmpl *t, const struct token *name)
{
	int saved = t->nvars, list, stop;
	t->nvars = 1;  /* $ only */
	if (item_list(t, &list, &stop))
		return -1;
	if (t->node[stop].t != N_END)
		return perr(t, t->node[stop].pos, "unexpected {{else}} in define clause");
	t->nvars = saved;
	return add_define(t, name, list);
}

static int action(struct tmpl *t, int *out)
{
	const struct token *k = next_nonspace(t);
	const struct token *name;
	switch (k->t) {
	case T_IF:
		return control(t, N_IF, "if", k->pos, out);
	case T_RANGE:
		return control(t, N_RANGE, "range", k->pos, out);
	case T_WITH:
		return control(t, N_WITH, "with", k->pos, out);
	case T_ELSE:
	case T_END: {
		int n = new_node(t, k->t == T_END ? N_END : N_ELSE, k->pos, k->len);
		if (n < 0)
			return -1;
		/* {{else if}}: the if follows; otherwise the delimiter must */
		if (k->t == T_ELSE && peek_nonspace(t)->t == T_IF) {
			*out = n;
			return 0;
		}
		const struct token *r = next_nonspace(t);
		if (r->t != T_RDELIM)
			return unexpected(t, r, k->t == T_END ? "end" : "else");
		*out = n;
		return 0;
	}
	case T_BREAK:
	case T_CONTINUE: {
		const struct token *r = next_nonspace(t);
		if (r->t != T_RDELIM)
			return unexpected(t, r, "{{break}}");
		if (!t->range_depth)
			return perr(t, k->pos, "{{%s}} outside {{range}}", k->t == T_BREAK ? "break" : "continue");
		*out = new_node(t, k->t == T_BREAK ? N_BREAK : N_CONTINUE, k->pos, k->len);
		return *out < 0 ? -1 : 0;
	}
	case T_TEMPLATE:
	case T_BLOCK: {
		const char *ctx = k->t == T_BLOCK ? "block clause" : "template clause";
		name = next_nonspace(t);
		if (name->t != T_STRING && name->t != T_RAWSTRING)
			return unexpected(t, name, ctx);
		int pipe = -1;
		if (next_nonspace(t)->t != T_RDELIM) {
			t->at--;
			pipe = pipeline(t, ctx, T_RDELIM);
			if (pipe < 0)
				return -1;
		}
		if (k->t == T_BLOCK && definition(t, name))
			return -1;
		int n = new_node(t, N_TEMPLATE, k->pos, 0);
		if (n < 0)
			return -1;
		t->node[n].a = pipe;
		t->node[n].b = (int)(name - t->tok);
		*out = n;
		return 0;
	}
	case T_DEFINE:
		return unexpected(t, k, "command");
	default: {
		t->at = (int)(k - t->tok);
		int pipe = pipeline(t, "command", T_RDELIM);
		if (pipe < 0)
			return -1;
		int n = new_node(t, N_ACTION, t->node[pipe].pos, t->node[pipe].len);
		if (n < 0)
			return -1;
		t->node[n].a = pipe;
		*out = n;
		return 0;
	}
	}
}

static int text_or_action(struct tmpl *t, int *out)
{
	const struct token *k = next_nonspace(t);
	if (k->t == T_TEXT) {
		*out = new_node(t, N_TEXT, k->pos, k->len);
		return *out < 0 ? -1 : 0;
	}
	if (k->t == T_LDELIM)
		return action(t, out);
	return unexpected(t, k, "input");
}

static int item_list(struct tmpl *t, int *list, int *stop)
{
	*list = new_node(t, N_LIST, peek(t)->pos, 0);
	if (*list < 0)
		return -1;
	while (peek_nonspace(t)->t != T_EOF) {
		int n;
		if (text_or_action(t, &n))
			return -1;
		if (t->node[n].t == N_END || t->node[n].t == N_ELSE) {
			*stop = n;
			return 0;
		}
		add_child(t, *list, n);
	}
	return perr(t, peek(t)->pos, "unexpected EOF");
}

static int parse(struct tmpl *t, int *root)
{
	*root = new_node(t, N_LIST, 0, 0);
	if (*root < 0)
		return -1;
	t->nvars = 1;
	t->vars[0] = "$";
	t->varlen[0] = 1;
	while (peek(t)->t != T_EOF) {
		if (peek(t)->t == T_LDELIM) {
			int save = t->at;
			next_tok(t);
			if (peek_nonspace(t)->t == T_DEFINE) {
				next_nonspace(t);
				const struct token *name = next_nonspace(t);
				if (name->t != T_STRING && name->t != T_RAWSTRING)
					return unexpected(t, name, "define clause");
				const struct token *r = next_nonspace(t);
				if (r->t != T_RDELIM)
					return unexpected(t, r, "define clause");
				if (definition(t, name))
					return -1;
				continue;
			}
			t->at = save;
		}
		int n;
		if (text_or_action(t, &n))
			return -1;
		if (t->node[n].t == N_END || t->node[n].t == N_ELSE)
			return perr(t, t->node[n].pos, "unexpected {{%s}}", t->node[n].t == N_END ? "end" : "else");
		add_child(t, *root, n);
	}
	return 0;
}

/* ---- values and the executor (text/template/exec.go, funcs.go) ---- */

enum vkind { V_UNKNOWN, V_INVALID, V_BOOL, V_INT, V_FLOAT, V_STRING, V_CTX, V_SERVICE, V_NODE, V_TASK,
	     V_PLATFORM, V_LABELS };

struct val {
	enum vkind k;
	int known;        /* V_STRING: its text is known */
	int64_t i;        /* V_BOOL, V_INT */
	double f;
	const char *s;
	size_t n;
};

static const char *type_name(enum vkind k)
{
	switch (k) {
	case V_BOOL: return "bool";
	case V_INT: return "int";
	case V_FLOAT: return "float64";
	case V_STRING: return "string";
	case V_CTX: return "*template.Context";
	case V_SERVICE: return "struct { ID string; Name string; Labels map[string]string }";
	case V_NODE: return "struct { ID string; Hostname string; Platform template.Platform }";
	case V_TASK: return "struct { ID string; Name string; Slot string }";
	case V_PLATFORM: return "template.Platform";
	case V_LABELS: return "map[string]string";
	default: return "<nil>";
	}
}

static struct val str_val(const char *s)
{
	return (struct val){V_STRING, 1, 0, 0, s, strlen(s)};
}

struct exec {
	struct tmpl *t;
	struct val vars[MAX_VARS];
	const char *vname[MAX_VARS];
	size_t vlen[MAX_VARS];
	int nvars, depth;
	char scratch[4096];  /* unquoted string literals */
	size_t used;
};

/* An execution error: "template: expansion:LINE:COL: executing "expansion" at <NODE>: MSG". */
static int xerr(struct exec *x, const struct node *at, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int xerr(struct exec *x, const struct node *at, const char *fmt, ...)
{
	struct tmpl *t = x->t;
	char msg[300];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	uint32_t start = at->t == N_FIELD || at->t == N_VAR ? (uint32_t)(at->c >= 0 ? at->c : (int)at->pos) : at->pos;
	uint32_t line_start = line_start_of(t, at->pos);
	size_t len = at->len > 60 ? 60 : at->len;
	return fail(t, 1, "template: expansion:%d:%u: executing \"expansion\" at <%.*s>: %s", line_of(t, at->pos),
		    at->pos - line_start, (int)len, t->s + start, msg);
}

/* isTrue: 1, 0, or -1 when it cannot tell (or the value cannot be truth-tested). */
static int truth(const struct val *v)
{
	switch (v->k) {
	case V_BOOL: return v->i != 0;
	case V_INT: return v->i != 0;
	case V_FLOAT: return v->f != 0;
	case V_STRING: return v->known ? v->n > 0 : -1;
	case V_LABELS: return 0;  /* empty when validated */
	case V_CTX: case V_SERVICE: case V_NODE: case V_TASK: case V_PLATFORM: return 1;
	default: return -1;
	}
}

/* A field of a value (evalField). */
static int field(struct exec *x, const struct node *at, struct val *v, const char *name, size_t n, int has_args)
{
	static const struct {
		enum vkind of;
		const char *name;
	} fields[] = {
		{V_CTX, "Service"}, {V_CTX, "Node"}, {V_CTX, "Task"},
		{V_SERVICE, "ID"}, {V_SERVICE, "Name"}, {V_SERVICE, "Labels"},
		{V_NODE, "ID"}, {V_NODE, "Hostname"}, {V_NODE, "Platform"},
		{V_PLATFORM, "Architecture"}, {V_PLATFORM, "OS"},
		{V_TASK, "ID"}, {V_TASK, "Name"}, {V_TASK, "Slot"},
	};
	if (v->k == V_UNKNOWN)
		return 0;
	if (v->k == V_INVALID)
		return xerr(x, at, "nil data; no entry for key \"%.*s\"", (int)n, name);
	if (v->k == V_CTX && n == 6 && !memcmp(name, "Expand", 6))
		return UNKNOWN(x->t);  /* the method */
	if (v->k == V_LABELS) {
		if (has_args)
			return xerr(x, at, "%.*s is not a method but has arguments", (int)n, name);
		return xerr(x, at, "map has no entry for key \"%.*s\"", (int)n, name);
	}
	for (size_t i = 0; i < sizeof fields / sizeof *fields; i++) {
		if (fields[i].of != v->k || strlen(fields[i].name) != n || memcmp(fields[i].name, name, n))
			continue;
		if (has_args)
			return xerr(x, at, "%.*s has arguments but cannot be invoked as function", (int)n, name);
		enum vkind of = v->k;
		const char *f = fields[i].name;
		if (of == V_CTX)
			*v = (struct val){!strcmp(f, "Service") ? V_SERVICE : !strcmp(f, "Node") ? V_NODE : V_TASK, 0, 0, 0, NULL, 0};
		else if (of == V_SERVICE)
			*v = !strcmp(f, "Labels") ? (struct val){V_LABELS, 0, 0, 0, NULL, 0}
						  : str_val(!strcmp(f, "ID") ? "serviceid" : "servicename");
		else if (of == V_NODE)
			*v = !strcmp(f, "Platform") ? (struct val){V_PLATFORM, 0, 0, 0, NULL, 0}
						    : str_val(!strcmp(f, "ID") ? "nodeid" : "nodeHostname");
		else if (of == V_PLATFORM)
			*v = str_val(!strcmp(f, "OS") ? "os" : "architecture");
		else
			*v = str_val(!strcmp(f, "ID") ? "" : !strcmp(f, "Name") ? "taskname" : "1");
		return 0;
	}
	return xerr(x, at, "can't evaluate field %.*s in type %s", (int)n, name, type_name(v->k));
}

/* The fields of a chain: tokens ntok.. of the node, from index `from`. */
static int field_chain(struct exec *x, const struct node *at, struct val *v, int from, int has_args)
{
	struct tmpl *t = x->t;
	for (int i = from; i < at->nident; i++) {
		const struct token *k = &t->tok[at->ntok + i];
		if (field(x, at, v, t->s + k->pos + 1, k->len - 1, has_args && i == at->nident - 1))
			return -1;
	}
	return 0;
}

static int eval_pipe(struct exec *x, const struct val *dot, int pipe, struct val *out);

/* Go's strconv.Unquote of a literal token, into the scratch buffer; known = 0 when odd. */
static struct val literal_string(struct exec *x, const struct node *n)
{
	const char *s = x->t->s + n->pos + 1;
	size_t len = n->len >= 2 ? n->len - 2 : 0;
	char q = x->t->s[n->pos];
	if (q == '`')
		return (struct val){V_STRING, 1, 0, 0, s, len};
	if (x->used + len + 1 > sizeof x->scratch)
		return (struct val){V_STRING, 0, 0, 0, NULL, 0};
	char *w = x->scratch + x->used, *start = w;
	for (size_t i = 0; i < len; i++) {
		if (s[i] != '\\') {
			*w++ = s[i];
			continue;
		}
		if (++i >= len)
			break;
		const char *esc = strchr("abfnrtv\\\"", s[i]);
		if (!esc || !s[i])
			return (struct val){V_STRING, 0, 0, 0, NULL, 0};
		*w++ = "\a\b\f\n\r\t\v\\\""[esc - "abfnrtv\\\""];
	}
	x->used += (size_t)(w - start);
	return (struct val){V_STRING, 1, 0, 0, start, (size_t)(w - start)};
}

static struct val number_val(struct exec *x, const struct node *n)
{
	const char *s = x->t->s + n->pos;
	char buf[64];
	if (s[0] == '\'' || n->len >= sizeof buf)
		return (struct val){V_UNKNOWN, 0, 0, 0, NULL, 0};
	memcpy(buf, s, n->len);
	buf[n->len] = '\0';
	if (strchr(buf, '_') || strchr(buf, 'i') || strchr(buf, 'p') || strchr(buf, 'P'))
		return (struct val){V_UNKNOWN, 0, 0, 0, NULL, 0};
	char *end;
	int is_float = strchr(buf, '.') || ((strchr(buf, 'e') || strchr(buf, 'E')) && !strchr(buf, 'x') && !strchr(buf, 'X'));
	if (!is_float) {
		long long v = strtoll(buf, &end, 0);
		if (*end == '\0')
			return (struct val){V_INT, 0, v, (double)v, NULL, 0};
		return (struct val){V_UNKNOWN, 0, 0, 0, NULL, 0};
	}
	double f = strtod(buf, &end);
	if (*end)
		return (struct val){V_UNKNOWN, 0, 0, 0, NULL, 0};
	/* an ideal constant with no fraction is an int */
	if (f == (double)(long long)f && f > -9e18 && f < 9e18)
		return (struct val){V_INT, 0, (long long)f, f, NULL, 0};
	return (struct val){V_FLOAT, 0, 0, f, NULL, 0};
}

static int var_value(struct exec *x, const struct node *at, struct val *out)
{
	const struct token *k = &x->t->tok[at->ntok];
	for (int i = x->nvars - 1; i >= 0; i--)
		if (x->vlen[i] == k->len && !memcmp(x->vname[i], x->t->s + k->pos, k->len)) {
			*out = x->vars[i];
			return 0;
		}
	return UNKNOWN(x->t);
}

/* An argument of a function: a literal, a field, a variable or a parenthesized pipeline. */
static int eval_arg(struct exec *x, const struct val *dot, int a, struct val *out)
{
	const struct node *n = &x->t->node[a];
	switch (n->t) {
	case N_DOT: *out = *dot; return 0;
	case N_NIL: *out = (struct val){V_INVALID, 0, 0, 0, NULL, 0}; return 0;
	case N_BOOL: *out = (struct val){V_BOOL, 0, x->t->s[n->pos] == 't', 0, NULL, 0}; return 0;
	case N_NUMBER: *out = number_val(x, n); return 0;
	case N_STRING: *out = literal_string(x, n); return 0;
	case N_FIELD: *out = *dot; return field_chain(x, n, out, 0, 0);
	case N_VAR:
		if (var_value(x, n, out))
			return -1;
		return field_chain(x, n, out, 1, 0);
	case N_PIPE: return eval_pipe(x, dot, a, out);
	case N_CHAIN:
		if (eval_arg(x, dot, n->c, out))
			return -1;
		{
			struct node fake = *n;
			return field_chain(x, &fake, out, 0, 0);
		}
	case N_IDENT: {
		/* a function as an argument is called with no arguments */
		return UNKNOWN(x->t);
	}
	default: return UNKNOWN(x->t);
	}
}

static int basic(enum vkind k) { return k == V_BOOL || k == V_INT || k == V_FLOAT || k == V_STRING; }

/* eq/ne/lt/le/gt/ge on two basic values: *res the truth, or -1 unknown. */
static int compare(struct exec *x, const struct node *at, const char *name, const char *fn, const struct val *a,
		   const struct val *b, int *res)
{
	*res = -1;
	if (a->k == V_UNKNOWN || b->k == V_UNKNOWN)
		return 0;
	if (!basic(a->k) || !basic(b->k)) {
		if (strcmp(fn, "eq") && strcmp(fn, "ne"))
			return xerr(x, at, "error calling %s: invalid type for comparison", name);
		return UNKNOWN(x->t);
	}
	int ka = a->k == V_FLOAT ? V_FLOAT : a->k, kb = b->k == V_FLOAT ? V_FLOAT : b->k;
	if (ka != kb)
		return xerr(x, at, "error calling %s: incompatible types for comparison", name);
	if (a->k == V_BOOL && strcmp(fn, "eq") && strcmp(fn, "ne"))
		return xerr(x, at, "error calling %s: invalid type for comparison", name);
	int c;
	if (a->k == V_STRING) {
		if (!a->known || !b->known)
			return 0;
		size_t m = a->n < b->n ? a->n : b->n;
		c = memcmp(a->s, b->s, m);
		c = c ? c : (a->n > b->n) - (a->n < b->n);
	} else if (a->k == V_FLOAT) {
		c = (a->f > b->f) - (a->f < b->f);
	} else {
		c = (a->i > b->i) - (a->i < b->i);
	}
	*res = !strcmp(fn, "eq") ? c == 0 : !strcmp(fn, "ne") ? c != 0 : !strcmp(fn, "lt") ? c < 0 :
	       !strcmp(fn, "le") ? c <= 0 : !strcmp(fn, "gt") ? c > 0 : c >= 0;
	return 0;
}

/* A call of a builtin (or join): cmd's arguments after the name, then final. */
/* funcs.go indexArg: an index of a string of length cap; 1 ok (*at set), 0 unknown, -1 error */
static int index_arg(struct exec *x, const struct node *cmd, const char *fn, const struct val *i, size_t cap,
		     int known_cap, int64_t *at)
{
	switch (i->k) {
	case V_INT:
		if (!known_cap && i->i >= 0)
			return 0;
		if (i->i < 0 || (uint64_t)i->i > cap)
			return xerr(x, cmd, "error calling %s: index out of range: %lld", fn, (long long)i->i);
		*at = i->i;
		return 1;
	case V_INVALID: return xerr(x, cmd, "error calling %s: cannot index slice/array with nil", fn);
	case V_BOOL: case V_FLOAT: case V_STRING:
		return xerr(x, cmd, "error calling %s: cannot index slice/array with type %s", fn, type_name(i->k));
	default: return 0;
	}
}

/* index ITEM I...: a string (the validation's values are known), the labels
 * (empty when validated: a missing key is the zero value), anything else refused */
static int index_of(struct exec *x, const struct node *cmd, const struct val *v, int num_in, struct val *out)
{
	struct val item = v[0];
	for (int q = 1; q < num_in; q++) {
		const struct val *i = &v[q];
		int64_t at;
		int r;
		switch (item.k) {
		case V_LABELS:
			if (i->k == V_STRING || i->k == V_UNKNOWN) {
				item = str_val("");
				continue;
			}
			if (i->k == V_INVALID)
				return xerr(x, cmd, "error calling index: value is nil; should be of type string");
			return xerr(x, cmd, "error calling index: value has type %s; should be string", type_name(i->k));
		case V_STRING:
			r = index_arg(x, cmd, "index", i, item.n, item.known, &at);
			if (r <= 0)
				return r < 0 ? -1 : UNKNOWN(x->t);
			/* reflect's Index, past indexArg's check (which lets len through) */
			if ((size_t)at == item.n)
				return xerr(x, cmd, "error calling index: reflect: string index out of range");
			if (q + 1 < num_in)
				return xerr(x, cmd, "error calling index: can't index item of type uint8");
			return UNKNOWN(x->t);  /* a byte */
		case V_BOOL: case V_INT: case V_FLOAT: case V_SERVICE: case V_NODE: case V_TASK: case V_PLATFORM:
			return xerr(x, cmd, "error calling index: can't index item of type %s", type_name(item.k));
		default: return UNKNOWN(x->t);
		}
	}
	*out = item;
	return 0;
}

/* slice ITEM [I [J]]: of a string, its bytes from I to J */
static int slice_of(struct exec *x, const struct node *cmd, const struct val *v, int num_in, struct val *out)
{
	const struct val *item = &v[0];
	int nidx = num_in - 1;
	if (item->k == V_UNKNOWN || item->k == V_INVALID || item->k == V_CTX)
		return UNKNOWN(x->t);
	if (nidx > 3)
		return xerr(x, cmd, "error calling slice: too many slice indexes: %d", nidx);
	if (item->k != V_STRING)
		return xerr(x, cmd, "error calling slice: can't slice item of type %s", type_name(item->k));
	if (nidx == 3)
		return xerr(x, cmd, "error calling slice: cannot 3-index slice a string");
	int64_t idx[2] = {0, (int64_t)item->n};
	int known = 1;
	for (int q = 0; q < nidx; q++) {
		int r = index_arg(x, cmd, "slice", &v[q + 1], item->n, item->known, &idx[q]);
		if (r < 0)
			return -1;
		known &= r;
	}
	if (!known || !item->known)
		return UNKNOWN(x->t);
	if (idx[0] > idx[1])
		return xerr(x, cmd, "error calling slice: invalid slice index: %lld > %lld", (long long)idx[0],
			    (long long)idx[1]);
	*out = (struct val){V_STRING, 1, 0, 0, item->s + idx[0], (size_t)(idx[1] - idx[0])};
	return 0;
}

static int call(struct exec *x, const struct val *dot, const struct node *cmd, const struct node *fn_node,
		const struct val *final, struct val *out)
{
	struct tmpl *t = x->t;
	char name[16];
	snprintf(name, sizeof name, "%.*s", (int)fn_node->len, t->s + fn_node->pos);
	int args[64], nargs = 0;
	for (int a = fn_node->next; a >= 0; a = t->node[a].next) {
		if (nargs >= 64)
			return UNKNOWN(t);
		args[nargs++] = a;
	}
	int num_in = nargs + (final != NULL);
	static const struct {
		const char *name;
		int in, variadic;
	} sig[] = {{"and", 2, 1}, {"or", 2, 1}, {"not", 1, 0}, {"len", 1, 0}, {"index", 2, 1}, {"slice", 2, 1},
		   {"print", 1, 1}, {"println", 1, 1}, {"printf", 2, 1}, {"html", 1, 1}, {"js", 1, 1},
		   {"urlquery", 1, 1}, {"eq", 2, 1}, {"ne", 2, 0}, {"lt", 2, 0}, {"le", 2, 0}, {"gt", 2, 0},
		   {"ge", 2, 0}, {"call", 2, 1}, {"join", 1, 1}};
	int in = 0, variadic = 0;
	for (size_t q = 0; q < sizeof sig / sizeof *sig; q++)
		if (!strcmp(sig[q].name, name))
			in = sig[q].in, variadic = sig[q].variadic;
	if (variadic && num_in < in - 1)
		return xerr(x, cmd, "wrong number of args for %s: want at least %d got %d", name, in - 1, nargs);
	if (!variadic && num_in != in)
		return xerr(x, cmd, "wrong number of args for %s: want %d got %d", name, in, num_in);
	/* and/or evaluate their arguments one by one, stopping early (Go 1.18) */
	if (!strcmp(name, "and") || !strcmp(name, "or")) {
		int want = !strcmp(name, "or");
		for (int i = 0; i < num_in; i++) {
			if (i < nargs) {
				if (eval_arg(x, dot, args[i], out))
					return -1;
			} else {
				*out = *final;
			}
			int tr = truth(out);
			if (tr < 0)
				return UNKNOWN(t);
			if (tr == want)
				return 0;
		}
		return 0;
	}
	struct val v[66];
	for (int i = 0; i < nargs; i++) {
		const struct node *an = &t->node[args[i]];
		/* a string parameter takes a string literal only, among literals (evalArg) */
		int want_string = !strcmp(name, "join") || (!strcmp(name, "printf") && i == 0);
		if (want_string && (an->t == N_NUMBER || an->t == N_BOOL || an->t == N_NIL || an->t == N_DOT)) {
			if (an->t == N_DOT)
				return UNKNOWN(t);
			return xerr(x, an, "expected string; found %.*s", (int)an->len, t->s + an->pos);
		}
		if (eval_arg(x, dot, args[i], &v[i]))
			return -1;
		if (want_string && v[i].k != V_STRING && v[i].k != V_UNKNOWN)
			return xerr(x, an, "wrong type for value; expected string; got %s", type_name(v[i].k));
	}
	if (final)
		v[nargs] = *final;
	if (final && (!strcmp(name, "join") || (!strcmp(name, "printf") && nargs == 0)) && final->k != V_STRING &&
	    final->k != V_UNKNOWN)
		return xerr(x, cmd, "wrong type for value; expected string; got %s", type_name(final->k));
	if (!strcmp(name, "not")) {
		int tr = truth(&v[0]);
		*out = tr < 0 ? (struct val){V_UNKNOWN, 0, 0, 0, NULL, 0} : (struct val){V_BOOL, 0, !tr, 0, NULL, 0};
		return 0;
	}
	if (!strcmp(name, "len")) {
		if (v[0].k == V_STRING && v[0].known)
			*out = (struct val){V_INT, 0, (int64_t)v[0].n, (double)v[0].n, NULL, 0};
		else if (v[0].k == V_LABELS)
			*out = (struct val){V_INT, 0, 0, 0, NULL, 0};
		else if (v[0].k == V_STRING || v[0].k == V_UNKNOWN)
			*out = (struct val){V_UNKNOWN, 0, 0, 0, NULL, 0};
		else
			return xerr(x, cmd, "error calling len: len of type %s", type_name(v[0].k));
		return 0;
	}
	if (!strcmp(name, "index"))
		return index_of(x, cmd, v, num_in, out);
	if (!strcmp(name, "slice"))
		return slice_of(x, cmd, v, num_in, out);
	if (!strcmp(name, "eq") || !strcmp(name, "ne") || !strcmp(name, "lt") || !strcmp(name, "le") ||
	    !strcmp(name, "gt") || !strcmp(name, "ge")) {
		int res = -1, all = 1;
		if (num_in < 2 && !strcmp(name, "eq"))
			return xerr(x, cmd, "error calling eq: missing argument for comparison");
		for (int i = 1; i < num_in; i++) {
			int r;
			if (compare(x, cmd, name, name, &v[0], &v[i], &r))
				return -1;
			if (r < 0)
				all = -1;
			else if (r == 1 && !strcmp(name, "eq")) {
				res = 1;
				break;
			} else if (all >= 0) {
				res = r;
			}
		}
		if (!strcmp(name, "eq") && res != 1)
			res = all < 0 ? -1 : 0;
		*out = res < 0 ? (struct val){V_UNKNOWN, 0, 0, 0, NULL, 0} : (struct val){V_BOOL, 0, res, 0, NULL, 0};
		return 0;
	}
	if (!strcmp(name, "join")) {
		if (num_in == 0)
			return xerr(x, cmd, "error calling join: runtime error: index out of range [0] with length 0");
		*out = (struct val){V_STRING, 0, 0, 0, NULL, 0};
		return 0;
	}
	if (!strcmp(name, "print") || !strcmp(name, "println") || !strcmp(name, "printf") || !strcmp(name, "html") ||
	    !strcmp(name, "js") || !strcmp(name, "urlquery")) {
		*out = (struct val){V_STRING, 0, 0, 0, NULL, 0};
		return 0;
	}
	if (!strcmp(name, "call")) {
		/* no value a service's template sees is a function (funcs.go call: the Go of
		 * dockerd 20.10 words it without the argument's text) */
		if (v[0].k == V_UNKNOWN || !strcmp(type_name(v[0].k), "<nil>"))
			return UNKNOWN(t);
		return xerr(x, cmd, "error calling call: non-function of type %s", type_name(v[0].k));
	}
	return UNKNOWN(t);
}

/* One command of a pipeline (evalCommand); final is the previous stage's value. */
static int eval_command(struct exec *x, const struct val *dot, int c, const struct val *final, struct val *out)
{
	struct tmpl *t = x->t;
	const struct node *cmd = &t->node[c];
	const struct node *first = &t->node[cmd->first];
	int more_args = first->next >= 0 || final != NULL;
	switch (first->t) {
	case N_FIELD:
		*out = *dot;
		if (more_args) {
			/* a field given arguments: only a method could take them */
			if (field_chain(x, first, out, 0, 1))
				return -1;
			return UNKNOWN(t);
		}
		return field_chain(x, first, out, 0, 0);
	case N_VAR:
		if (var_value(x, first, out))
			return -1;
		if (first->nident == 1) {
			if (more_args)
				return xerr(x, first, "can't give argument to non-function %.*s", (int)first->len,
					    t->s + first->pos);
			return 0;
		}
		if (field_chain(x, first, out, 1, more_args))
			return -1;
		return more_args ? UNKNOWN(t) : 0;
	case N_CHAIN:
		if (eval_arg(x, dot, first->c, out))
			return -1;
		{
			struct node fake = *first;
			if (field_chain(x, &fake, out, 0, more_args))
				return -1;
		}
		return more_args ? UNKNOWN(t) : 0;
	case N_IDENT:
		return call(x, dot, cmd, first, final, out);
	case N_PIPE:
		if (more_args)
			return xerr(x, first, "can't give argument to non-function %.*s", (int)first->len, t->s + first->pos);
		return eval_pipe(x, dot, cmd->first, out);
	default:
		break;
	}
	if (more_args)
		return xerr(x, first, "can't give argument to non-function %.*s", (int)first->len, t->s + first->pos);
	if (first->t == N_NIL)
		return xerr(x, first, "nil is not a command");
	return eval_arg(x, dot, cmd->first, out);
}

static int set_var(struct exec *x, const struct token *k, const struct val *v, int assign)
{
	if (assign) {
		for (int i = x->nvars - 1; i >= 0; i--)
			if (x->vlen[i] == k->len && !memcmp(x->vname[i], x->t->s + k->pos, k->len)) {
				x->vars[i] = *v;
				return 0;
			}
		return UNKNOWN(x->t);
	}
	if (x->nvars >= MAX_VARS)
		return UNKNOWN(x->t);
	x->vname[x->nvars] = x->t->s + k->pos;
	x->vlen[x->nvars] = k->len;
	x->vars[x->nvars++] = *v;
	return 0;
}

static int eval_pipe(struct exec *x, const struct val *dot, int pipe, struct val *out)
{
	struct tmpl *t = x->t;
	struct val prev;
	int have = 0;
	for (int c = t->node[pipe].first; c >= 0; c = t->node[c].next) {
		struct val v;
		if (eval_command(x, dot, c, have ? &prev : NULL, &v))
			return -1;
		prev = v;
		have = 1;
	}
	*out = prev;
	if (t->node[pipe].a > 0) {
		/* range's two variables are set per element: range judges the value, and
		 * never walks its body (an empty map, or an error), so they stay unset */
		if (t->node[pipe].a > 1)
			return 0;
		return set_var(x, &t->tok[t->node[pipe].ntok], out, t->node[pipe].b);
	}
	return 0;
}

static int walk(struct exec *x, const struct val *dot, int n);

static int walk_list(struct exec *x, const struct val *dot, int list)
{
	if (list < 0)
		return 0;
	for (int c = x->t->node[list].first; c >= 0; c = x->t->node[c].next)
		if (walk(x, dot, c))
			return -1;
	return 0;
}

static int walk(struct exec *x, const struct val *dot, int n)
{
	struct tmpl *t = x->t;
	const struct node *nd = &t->node[n];
	struct val v;
	int saved = x->nvars, tr;
	switch (nd->t) {
	case N_TEXT:
		return 0;
	case N_ACTION:
		if (eval_pipe(x, dot, nd->a, &v))
			return -1;
		if (v.k == V_UNKNOWN && t->node[nd->a].a == 0)
			return 0;  /* printed: any value prints */
		return 0;
	case N_IF:
	case N_WITH:
		if (eval_pipe(x, dot, nd->a, &v))
			return -1;
		tr = truth(&v);
		if (v.k == V_INVALID)
			return xerr(x, nd, "if/with can't use <invalid reflect.Value>");
		if (tr < 0)
			return UNKNOWN(t);
		if (walk_list(x, tr ? (nd->t == N_WITH ? &v : dot) : dot, tr ? nd->b : nd->c))
			return -1;
		x->nvars = saved;
		return 0;
	case N_RANGE:
		if (eval_pipe(x, dot, nd->a, &v))
			return -1;
		if (v.k == V_LABELS || v.k == V_INVALID) {  /* nothing to iterate over */
			if (walk_list(x, dot, nd->c))
				return -1;
			x->nvars = saved;
			return 0;
		}
		if (v.k == V_UNKNOWN)
			return UNKNOWN(t);
		if (v.k == V_STRING && !v.known)
			return UNKNOWN(t);
		{
			/* Go reports it at the node evaluated last: the pipeline's last command's first word */
			int lastc = t->node[nd->a].first;
			while (t->node[lastc].next >= 0)
				lastc = t->node[lastc].next;
			const struct node *w = &t->node[t->node[lastc].first];
			if (v.k == V_STRING)
				return xerr(x, w, "range can't iterate over %.*s", (int)(v.n > 60 ? 60 : v.n), v.s);
			if (v.k == V_INT)
				return xerr(x, w, "range can't iterate over %lld", (long long)v.i);
		}
		return UNKNOWN(t);
	case N_TEMPLATE: {
		const struct token *name = &t->tok[nd->b];
		struct val arg = {V_INVALID, 0, 0, 0, NULL, 0};
		if (nd->a >= 0 && eval_pipe(x, dot, nd->a, &arg))
			return -1;
		for (int i = t->ndefs - 1; i >= 0; i--)
			if (t->defs[i].len == name->len && !memcmp(t->s + t->defs[i].pos, t->s + name->pos, name->len)) {
				if (++x->depth > MAX_EXEC_DEPTH)
					return UNKNOWN(t);
				struct exec inner_vars;
				int nv = x->nvars;
				(void)inner_vars;
				/* a template sees only $, its dot */
				struct val savedv[MAX_VARS];
				memcpy(savedv, x->vars, sizeof savedv);
				const char *savedn[MAX_VARS];
				size_t savedl[MAX_VARS];
				memcpy(savedn, x->vname, sizeof savedn);
				memcpy(savedl, x->vlen, sizeof savedl);
				x->nvars = 1;
				x->vars[0] = arg;
				int r = walk_list(x, &arg, t->defs[i].list);
				memcpy(x->vars, savedv, sizeof savedv);
				memcpy(x->vname, savedn, sizeof savedn);
				memcpy(x->vlen, savedl, sizeof savedl);
				x->nvars = nv;
				x->depth--;
				return r;
			}
		char q[80];
		quote(q, sizeof q, t->s + name->pos + 1, name->len >= 2 ? name->len - 2 : 0);
		return fail(t, 1, "template: expansion:%d:%u: executing \"expansion\" at <{{template %s}}>: template %s "
			    "not defined", line_of(t, name->pos), name->pos - line_start_of(t, name->pos), q, q);
	}
	default:
		return UNKNOWN(t);
	}
}

enum c2s_gotmpl_result c2s_gotmpl_check(const char *s, size_t n, char *err, size_t errsize)
{
	if (errsize)
		err[0] = '\0';
	if (!memmem(s, n, "{{", 2))
		return C2S_GOTMPL_OK;  /* plain text */
	struct tmpl *t = calloc(1, sizeof *t);
	struct exec *x = calloc(1, sizeof *x);
	if (t) {
		t->tok = calloc(MAX_TOKENS, sizeof *t->tok);
		t->node = calloc(MAX_NODES, sizeof *t->node);
	}
	if (!t || !x || !t->tok || !t->node) {
		if (t) {
			free(t->tok);
			free(t->node);
		}
		free(t);
		free(x);
		return C2S_GOTMPL_UNKNOWN;
	}
	t->s = s;
	t->n = n;
	t->err = err;
	t->errsize = errsize;
	struct lexer l = {t, 0, 0, 0};
	int root = -1;
	lex_text(&l);
	if (!t->failed && t->ntok > 0)
		parse(t, &root);
	if (!t->failed && root >= 0) {
		struct val ctx = {V_CTX, 0, 0, 0, NULL, 0};
		x->t = t;
		x->vname[0] = "$";
		x->vlen[0] = 1;
		x->vars[0] = ctx;
		x->nvars = 1;
		walk_list(x, &ctx, root);
	}
	enum c2s_gotmpl_result r = t->failed == 1 ? C2S_GOTMPL_ERROR : t->failed ? C2S_GOTMPL_UNKNOWN : C2S_GOTMPL_OK;
	free(t->tok);
	free(t->node);
	free(t);
	free(x);
	return r;
}
