/* emit_yaml.c -- the model as `docker stack config` prints it: gopkg.in/yaml.v3's
 * encoder (v3.0.1, indent 2) over docker/cli's types.
 *
 * Why not libyaml's emitter: yaml.v3 is a Go port of libyaml's emitter with
 * changes that libyaml cannot be told to make -- block sequences inside a
 * mapping are indented under their key ("key:\n  - item"; libyaml writes
 * "key:\n- item"), lines are never folded, and the scalar style is chosen
 * by the encoder before the emitter sees it (strings that would read back as
 * another type, YAML 1.1 booleans and base-60 numbers are double-quoted).
 * So this file ports the parts that decide bytes: the scalar analysis and
 * style selection (emitterc.go yaml_emitter_analyze_scalar /
 * select_scalar_style), the double-quoted, single-quoted and literal
 * writers, and yaml.v3's key sort order. Output goes to one buffer written
 * once. Golden tests under tests/golden/convert pin each case. */
#include "config.h"
#include "model.h"
#include "buf.h"
#include "goval.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>


struct emitter {
	const struct c2s_model *m;
	struct c2s_buf *out;
	const struct c2s_emit_stream *st;
	int failed;
};

static inline void put(struct emitter *e, const char *s, size_t n)
{
	struct c2s_buf *b = e->out;
	if (b->len + n < b->cap) { /* room, NUL included: the common case, no call */
		memcpy(b->data + b->len, s, n);
		b->len += n;
		b->data[b->len] = '\0';
		return;
	}
	c2s_buf_add(b, s, n);
}
/* Room for n more bytes and the NUL (NULL: the buffer failed); write them
 * through the pointer, then commit the end: several pieces, one check. */
static inline char *room(struct emitter *e, size_t n)
{
	struct c2s_buf *b = e->out;
	if (b->data && n < b->cap - b->len)
		return b->data + b->len;
	return c2s_buf_reserve(b, n);
}
static inline void commit(struct emitter *e, char *end)
{
	e->out->len = (size_t)(end - e->out->data);
	*end = '\0';
}

static const char spaces[64] = "                                                               ";

static void puts_(struct emitter *e, const char *s) { c2s_buf_add(e->out, s, strlen(s)); }

static void indent(struct emitter *e, unsigned n)
{
	if (n < sizeof spaces) {
		put(e, spaces, n);
		return;
	}
	char *w = c2s_buf_reserve(e->out, n);
	if (!w)
		return;
	memset(w, ' ', n);
	e->out->len += n;
	e->out->data[e->out->len] = '\0';
}

/* ---- scalar analysis (yaml.v3 emitterc.go) ---- */

static size_t u8width(unsigned char c)
{
	return (c & 0x80) == 0 ? 1 : (c & 0xE0) == 0xC0 ? 2 : (c & 0xF0) == 0xE0 ? 3 : (c & 0xF8) == 0xF0 ? 4 : 1;
}

static unsigned char at(const char *s, size_t n, size_t i) { return i < n ? (unsigned char)s[i] : 0; }

static int is_printable(const char *s, size_t n, size_t i)
{
	unsigned char c = at(s, n, i), c1 = at(s, n, i + 1), c2 = at(s, n, i + 2);
	return c == 0x0A || (c >= 0x20 && c <= 0x7E) || (c == 0xC2 && c1 >= 0xA0) || (c > 0xC2 && c < 0xED) ||
	       (c == 0xED && c1 < 0xA0) || c == 0xEE ||
	       (c == 0xEF && !(c1 == 0xBB && c2 == 0xBF) && !(c1 == 0xBF && (c2 == 0xBE || c2 == 0xBF)));
}

static int is_break(const char *s, size_t n, size_t i)
{
	unsigned char c = at(s, n, i);
	return c == '\r' || c == '\n' || (c == 0xC2 && at(s, n, i + 1) == 0x85) ||
	       (c == 0xE2 && at(s, n, i + 1) == 0x80 && (at(s, n, i + 2) == 0xA8 || at(s, n, i + 2) == 0xA9));
}

static int is_blank(const char *s, size_t n, size_t i) { return at(s, n, i) == ' ' || at(s, n, i) == '\t'; }
static int is_blankz(const char *s, size_t n, size_t i) { return is_blank(s, n, i) || is_break(s, n, i) || i >= n || s[i] == 0; }

struct analysis {
	int multiline, block_plain, single_ok, block_ok;
};

static void analyze(const char *s, size_t n, struct analysis *a)
{
	int block_ind = 0, line_breaks = 0, special = 0, tabs = 0;
	int lead_sp = 0, lead_br = 0, trail_sp = 0, trail_br = 0, break_space = 0, space_break = 0;
	int preceded_ws = 1, followed_ws, prev_space = 0, prev_break = 0;
	if (n == 0) {
		a->multiline = 0;
		a->block_plain = 1;
		a->single_ok = 1;
		a->block_ok = 0;
		return;
	}
	if (n >= 3 && ((s[0] == '-' && s[1] == '-' && s[2] == '-') || (s[0] == '.' && s[1] == '.' && s[2] == '.')))
		block_ind = 1;
	for (size_t i = 0, w; i < n; i += w) {
		w = u8width((unsigned char)s[i]);
		followed_ws = i + w >= n || is_blank(s, n, i + w);
		char c = s[i];
		if (i == 0) {
			switch (c) {
			case '#': case ',': case '[': case ']': case '{': case '}': case '&': case '*':
			case '!': case '|': case '>': case '\'': case '"': case '%': case '@': case '`':
				block_ind = 1;
				break;
			case '?': case ':':
				if (followed_ws)
					block_ind = 1;
				break;
			case '-':
				if (followed_ws)
					block_ind = 1;
				break;
			default:
				break;
			}
		} else {
			if (c == ':' && followed_ws)
				block_ind = 1;
			if (c == '#' && preceded_ws)
				block_ind = 1;
		}
		if (c == '\t')
			tabs = 1;
		else if (!is_printable(s, n, i))
			special = 1;
		if (c == ' ') {
			if (i == 0)
				lead_sp = 1;
			if (i + w == n)
				trail_sp = 1;
			if (prev_break)
				break_space = 1;
			prev_space = 1;
			prev_break = 0;
		} else if (is_break(s, n, i)) {
			line_breaks = 1;
			if (i == 0)
				lead_br = 1;
			if (i + w == n)
				trail_br = 1;
			if (prev_space)
				space_break = 1;
			prev_space = 0;
			prev_break = 1;
		} else {
			prev_space = prev_break = 0;
		}
		preceded_ws = is_blankz(s, n, i);
	}
	a->multiline = line_breaks;
	a->block_plain = a->single_ok = a->block_ok = 1;
	if (lead_sp || lead_br || trail_sp || trail_br)
		a->block_plain = 0;
	if (trail_sp)
		a->block_ok = 0;
	if (break_space)
		a->block_plain = a->single_ok = 0;
	if (space_break || tabs || special)
		a->block_plain = a->single_ok = 0;
	if (space_break || special)
		a->block_ok = 0;
	if (line_breaks)
		a->block_plain = 0;
	if (block_ind)
		a->block_plain = 0;
}

static int old_bool_or_base60(const char *s, size_t n);

/* yaml.v3 encoder: would a plain scalar read back as something else?
 * known_str: the text is already known to resolve as a string. */
static int needs_quotes(const char *s, size_t n, int known_str)
{
	struct c2s_value v;
	if (known_str)
		return old_bool_or_base60(s, n);
	if (n > 3) {
		/* only a number, null, bool, timestamp or merge key can resolve otherwise */
		char c = s[0];
		if (!((c >= '0' && c <= '9') || c == '+' || c == '-' || c == '.' || c == '~' || c == 'n' ||
		      c == 'N' || c == 't' || c == 'T' || c == 'f' || c == 'F' || c == '<'))
			return 0;
	}
	if (s[0] >= '0' && s[0] <= '9') {
		/* digits with at most one '.': an int, or a float to yaml.v3's
		 * strconv fallbacks (too long for int64, "08", "1.") */
		size_t i = 1, dots = 0;
		for (; i < n; i++)
			if (!(s[i] >= '0' && s[i] <= '9') && !(s[i] == '.' && dots++ == 0))
				break;
		if (i == n)
			return 1;
	}
	enum c2s_type t = c2s_resolve_plain(s, n, &v);
	if (t != C2S_TYPE_STRING && t != C2S_TYPE_MERGE)
		return 1;
	return old_bool_or_base60(s, n);
}

/* YAML 1.1 booleans and base-60 numbers: strings to yaml.v3, quoted anyway. */
static int old_bool_or_base60(const char *s, size_t n)
{
	/* y Y yes Yes YES on On ON n N no No NO off Off OFF */
	static const char *const old_bools[4][6] = {
		{0}, {"y", "Y", "n", "N"}, {"on", "On", "ON", "no", "No", "NO"}, {"yes", "Yes", "YES", "off", "Off", "OFF"}};
	if (n >= 1 && n <= 3)
		for (size_t i = 0; i < 6 && old_bools[n][i]; i++)
			if (memcmp(old_bools[n][i], s, n) == 0)
				return 1;
	/* base 60: ^[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+(?:\.[0-9_]*)?$ */
	if (n && (s[0] == '+' || s[0] == '-' || (s[0] >= '0' && s[0] <= '9')) && memchr(s, ':', n)) {
		size_t i = 0;
		if (s[i] == '+' || s[i] == '-')
			i++;
		if (i < n && s[i] >= '0' && s[i] <= '9') {
			i++;
			while (i < n && ((s[i] >= '0' && s[i] <= '9') || s[i] == '_'))
				i++;
			int groups = 0;
			while (i < n && s[i] == ':') {
				i++;
				size_t d = 0;
				while (i < n && s[i] >= '0' && s[i] <= '9' && d < 2)
					i++, d++;
				if (d == 0 || (d == 2 && s[i - 2] > '5'))
					return 0;
				groups++;
			}
			if (groups && i < n && s[i] == '.') {
				i++;
				while (i < n && ((s[i] >= '0' && s[i] <= '9') || s[i] == '_'))
					i++;
			}
			if (groups && i == n)
				return 1;
		}
	}
	return 0;
}

/* Byte classes for the fast paths; every byte >= 0x80 has none of them and
 * takes the full analysis. */
enum {
	K_BODY = 1,  /* printable ASCII but ' ', ':' and '#': plain anywhere after the first byte */
	K_LEAD = 2,  /* may start a plain scalar whatever follows (no indicator, no space) */
	K_TYPED = 4, /* a first byte with which the text may read back as another type,
	              * or be a YAML 1.1 boolean or base-60 number */
	K_DQ = 8     /* itself inside double quotes: printable ASCII but '"' and '\\' */
};
#define K_ALNUM (K_BODY | K_LEAD | K_DQ)
static const unsigned char kls[256] = {
	[' '] = K_DQ,
	['!'] = K_BODY | K_DQ, ['"'] = K_BODY, ['#'] = K_DQ, ['$'] = K_ALNUM, ['%'] = K_BODY | K_DQ,
	['&'] = K_BODY | K_DQ, ['\''] = K_BODY | K_DQ, ['('] = K_ALNUM, [')'] = K_ALNUM, ['*'] = K_BODY | K_DQ,
	['+'] = K_ALNUM | K_TYPED, [','] = K_BODY | K_DQ, ['-'] = K_BODY | K_DQ | K_TYPED,
	['.'] = K_ALNUM | K_TYPED, ['/'] = K_ALNUM,
	['0'] = K_ALNUM | K_TYPED, ['1'] = K_ALNUM | K_TYPED, ['2'] = K_ALNUM | K_TYPED, ['3'] = K_ALNUM | K_TYPED,
	['4'] = K_ALNUM | K_TYPED, ['5'] = K_ALNUM | K_TYPED, ['6'] = K_ALNUM | K_TYPED, ['7'] = K_ALNUM | K_TYPED,
	['8'] = K_ALNUM | K_TYPED, ['9'] = K_ALNUM | K_TYPED,
	[':'] = K_DQ, [';'] = K_ALNUM, ['<'] = K_ALNUM | K_TYPED, ['='] = K_ALNUM, ['>'] = K_BODY | K_DQ,
	['?'] = K_BODY | K_DQ, ['@'] = K_BODY | K_DQ,
	['A'] = K_ALNUM, ['B'] = K_ALNUM, ['C'] = K_ALNUM, ['D'] = K_ALNUM, ['E'] = K_ALNUM,
	['F'] = K_ALNUM | K_TYPED, ['G'] = K_ALNUM, ['H'] = K_ALNUM, ['I'] = K_ALNUM, ['J'] = K_ALNUM,
	['K'] = K_ALNUM, ['L'] = K_ALNUM, ['M'] = K_ALNUM, ['N'] = K_ALNUM | K_TYPED, ['O'] = K_ALNUM | K_TYPED,
	['P'] = K_ALNUM, ['Q'] = K_ALNUM, ['R'] = K_ALNUM, ['S'] = K_ALNUM, ['T'] = K_ALNUM | K_TYPED,
	['U'] = K_ALNUM, ['V'] = K_ALNUM, ['W'] = K_ALNUM, ['X'] = K_ALNUM, ['Y'] = K_ALNUM | K_TYPED,
	['Z'] = K_ALNUM,
	['['] = K_BODY | K_DQ, ['\\'] = K_BODY | K_LEAD, [']'] = K_BODY | K_DQ, ['^'] = K_ALNUM, ['_'] = K_ALNUM,
	['`'] = K_BODY | K_DQ,
	['a'] = K_ALNUM, ['b'] = K_ALNUM, ['c'] = K_ALNUM, ['d'] = K_ALNUM, ['e'] = K_ALNUM,
	['f'] = K_ALNUM | K_TYPED, ['g'] = K_ALNUM, ['h'] = K_ALNUM, ['i'] = K_ALNUM, ['j'] = K_ALNUM,
	['k'] = K_ALNUM, ['l'] = K_ALNUM, ['m'] = K_ALNUM, ['n'] = K_ALNUM | K_TYPED, ['o'] = K_ALNUM | K_TYPED,
	['p'] = K_ALNUM, ['q'] = K_ALNUM, ['r'] = K_ALNUM, ['s'] = K_ALNUM, ['t'] = K_ALNUM | K_TYPED,
	['u'] = K_ALNUM, ['v'] = K_ALNUM, ['w'] = K_ALNUM, ['x'] = K_ALNUM, ['y'] = K_ALNUM | K_TYPED,
	['z'] = K_ALNUM,
	['{'] = K_BODY | K_DQ, ['|'] = K_BODY | K_DQ, ['}'] = K_BODY | K_DQ, ['~'] = K_ALNUM | K_TYPED,
};

static void write_double(struct emitter *e, const char *s, size_t n)
{
	put(e, "\"", 1);
	size_t i = 0, run = 0;
	/* yaml.v3's is_bom(value, i) ignores i: when the value starts with a
	 * byte order mark, every character is escaped (a docker quirk we keep) */
	int bom = at(s, n, 0) == 0xEF && at(s, n, 1) == 0xBB && at(s, n, 2) == 0xBF;
	while (i < n) {
		unsigned char c = (unsigned char)s[i];
		if ((kls[c] & K_DQ) && !bom) {
			i++;
			continue;
		}
		if (!is_printable(s, n, i) || bom || is_break(s, n, i) || c == '"' || c == '\\') {
			if (i > run)
				put(e, s + run, i - run);
			size_t w = u8width(c);
			uint32_t v = w == 1 ? c : w == 2 ? (c & 0x1Fu) : w == 3 ? (c & 0x0Fu) : (c & 0x07u);
			for (size_t k = 1; k < w; k++)
				v = (v << 6) + (at(s, n, i + k) & 0x3Fu);
			i += w;
			run = i;
			char buf[12];
			const char *esc = NULL;
			switch (v) {
			case 0x00: esc = "\\0"; break;
			case 0x07: esc = "\\a"; break;
			case 0x08: esc = "\\b"; break;
			case 0x09: esc = "\\t"; break;
			case 0x0A: esc = "\\n"; break;
			case 0x0B: esc = "\\v"; break;
			case 0x0C: esc = "\\f"; break;
			case 0x0D: esc = "\\r"; break;
			case 0x1B: esc = "\\e"; break;
			case 0x22: esc = "\\\""; break;
			case 0x5C: esc = "\\\\"; break;
			case 0x85: esc = "\\N"; break;
			case 0xA0: esc = "\\_"; break;
			case 0x2028: esc = "\\L"; break;
			case 0x2029: esc = "\\P"; break;
			default:
				if (v <= 0xFF)
					snprintf(buf, sizeof buf, "\\x%02X", (unsigned)v);
				else if (v <= 0xFFFF)
					snprintf(buf, sizeof buf, "\\u%04X", (unsigned)v);
				else
					snprintf(buf, sizeof buf, "\\U%08X", (unsigned)v);
				esc = buf;
			}
			puts_(e, esc);
		} else {
			i += u8width(c);
		}
	}
	if (n > run)
		put(e, s + run, n - run);
	put(e, "\"", 1);
}

/* A value with a line or paragraph separator (U+2028, U+2029: breaks to the
 * analysis, printable, so single-quoted) goes through yaml.v3's
 * write_single_quoted step by step: the separator is written as it is and
 * ends the line (column 0); the next character that is not a space first
 * indents to ind -- or breaks the line and indents, when spaces since the
 * separator passed ind or reached it before anything set the whitespace flag.
 * ('\n', '\r' and NEL never get here: the analysis quotes them doubly.) */
static void write_single_breaks(struct emitter *e, const char *s, size_t n, unsigned ind)
{
	size_t col = 0;
	int breaks = 0, indention = 0, whitespace = 0;
	for (size_t i = 0; i < n;) {
		size_t w = u8width((unsigned char)s[i]);
		if (i + w > n)
			w = n - i;
		if (s[i] == ' ') {
			put(e, " ", 1);
			col++;
			i++;
		} else if (is_break(s, n, i)) {
			put(e, s + i, w);  /* write_break: the character itself, then column 0 */
			i += w;
			col = 0;
			indention = breaks = 1;
		} else {
			if (breaks) {
				/* yaml_emitter_write_indent */
				if (!indention || col > ind || (col == ind && !whitespace)) {
					put(e, "\n", 1);
					col = 0;
				}
				for (; col < ind; col++)
					put(e, " ", 1);
				whitespace = 1;
			}
			if (s[i] == '\'')
				put(e, "'", 1);
			put(e, s + i, w);
			i += w;
			col++;
			indention = breaks = 0;
		}
	}
}

static void write_single(struct emitter *e, const char *s, size_t n, unsigned ind)
{
	put(e, "'", 1);
	for (size_t i = 0; i + 2 < n; i++)
		if ((unsigned char)s[i] == 0xE2 && is_break(s, n, i)) {
			write_single_breaks(e, s, n, ind);
			put(e, "'", 1);
			return;
		}
	size_t run = 0;
	for (size_t i = 0; i < n; i++)
		if (s[i] == '\'') {
			put(e, s + run, i + 1 - run);
			put(e, "'", 1);
			run = i + 1;
		}
	put(e, s + run, n - run);
	put(e, "'", 1);
}

/* Literal block: "|" hints, then each line at ind. */
static void write_literal(struct emitter *e, const char *s, size_t n, unsigned ind)
{
	put(e, "|", 1);
	if (n && (s[0] == ' ' || is_break(s, n, 0)))
		put(e, "2", 1);
	if (n == 0) {
		put(e, "-", 1);
	} else {
		size_t i = n - 1;
		while (i > 0 && ((unsigned char)s[i] & 0xC0) == 0x80)
			i--;
		if (!is_break(s, n, i)) {
			put(e, "-", 1);
		} else if (i == 0) {
			put(e, "+", 1);
		} else {
			i--;
			while (i > 0 && ((unsigned char)s[i] & 0xC0) == 0x80)
				i--;
			if (is_break(s, n, i))
				put(e, "+", 1);
		}
	}
	/* the header's line ends with the value's first break, or with the indent
	 * yaml.v3 writes before the first line */
	if (n == 0 || !is_break(s, n, 0))
		put(e, "\n", 1);
	int breaks = 1;
	size_t i = 0;
	while (i < n) {
		if (is_break(s, n, i)) {
			/* write_break: \r\n and \n as \n; other breaks as themselves */
			if (s[i] == '\r' && at(s, n, i + 1) == '\n') {
				put(e, "\n", 1);
				i += 2;
			} else if (s[i] == '\r' || s[i] == '\n') {
				put(e, "\n", 1);
				i++;
			} else {
				size_t w = u8width((unsigned char)s[i]);
				put(e, s + i, w);
				i += w;
			}
			breaks = 1;
		} else {
			if (breaks) {
				indent(e, ind);
				breaks = 0;
			}
			size_t j = i;
			while (j < n && !is_break(s, n, j))
				j++;
			put(e, s + i, j - i);
			i = j;
		}
	}
}

/* Fast path: text the analysis would certainly allow plain in block context
 * (printable ASCII, no indicator where it counts, no leading or trailing
 * space, no ": " or " #"); anything else takes the full analysis. */
static int surely_plain(const char *str, size_t n)
{
	const unsigned char *s = (const unsigned char *)str;
	unsigned char c = s[0];
	if (!(kls[c] & K_LEAD)) {
		/* '-', '?' and ':' start a plain scalar unless a space follows */
		if (!(c == '-' || c == '?' || c == ':') || n < 2 || !(kls[s[1]] & K_BODY))
			return 0;
		if (c == '-' && n >= 3 && s[1] == '-' && s[2] == '-')
			return 0;  /* "---" */
	} else if (c == '.' && n >= 3 && s[1] == '.' && s[2] == '.') {
		return 0;  /* "..." */
	}
	for (size_t i = 1; i < n; i++) {
		c = s[i];
		if (kls[c] & K_BODY)
			continue;
		if (i + 1 == n)
			return 0;  /* a trailing space or ':', or a non-body byte */
		/* a space before '#' is caught at the '#' */
		if (c == ':' ? s[i + 1] == ' ' : c == '#' ? s[i - 1] == ' ' : c != ' ')
			return 0;
	}
	return 1;
}

/* The text goes out plain: it reads back as a string and the analysis allows it. */
static int plain_ok(const char *s, size_t n, int known_str)
{
	return n && !((kls[(unsigned char)s[0]] & K_TYPED) && needs_quotes(s, n, known_str)) && surely_plain(s, n);
}

/* A string scalar; is_key: simple-key context. ind: indentation for block scalars.
 * Ends without a newline, except a literal block, which ends its last line itself
 * (the caller must then not add one): returns 1 in that case.
 * known_str: the text is already known to resolve as a string. */
static int write_string_k(struct emitter *e, const char *s, size_t n, int is_key, unsigned ind, int known_str)
{
	struct analysis a;
	/* only a few first bytes can make the text read back as another type */
	int quote = n == 0 ? !known_str : (kls[(unsigned char)s[0]] & K_TYPED) && needs_quotes(s, n, known_str);
	if (!quote && surely_plain(s, n)) {
		put(e, s, n);
		return 0;
	}
	int nl = memchr(s, '\n', n) != NULL;
	if (quote && !nl) {
		/* double-quoted whatever the analysis says */
		write_double(e, s, n);
		return 0;
	}
	analyze(s, n, &a);
	enum { PLAIN, SINGLE, DOUBLE, LITERAL } style;
	if (nl)
		style = LITERAL;
	else if (quote)
		style = DOUBLE;
	else
		style = PLAIN;
	if (is_key && a.multiline)
		style = DOUBLE;
	if (style == PLAIN) {
		if (!a.block_plain)
			style = SINGLE;
		if (n == 0 && is_key)
			style = SINGLE;
	}
	if (style == SINGLE && !a.single_ok)
		style = DOUBLE;
	if (style == LITERAL && (!a.block_ok || is_key))
		style = DOUBLE;
	switch (style) {
	case PLAIN:
		put(e, s, n);
		return 0;
	case SINGLE:
		write_single(e, s, n, ind);
		return 0;
	case DOUBLE:
		write_double(e, s, n);
		return 0;
	case LITERAL:
		write_literal(e, s, n, ind);
		return 1;
	}
	return 0;
}

static int write_string(struct emitter *e, const char *s, size_t n, int is_key, unsigned ind)
{
	return write_string_k(e, s, n, is_key, ind, 0);
}

/* ---- values ---- */

static int is_zero(const struct c2s_mval *v, enum c2s_fkind fk);

static int struct_zero(const struct c2s_mval *st)
{
	const struct c2s_mstruct *t = &c2s_mstructs[st->type];
	for (uint32_t i = 0; i < st->n; i++)
		if (!is_zero(&st->u.v[i], t->fields[st->u.v[i].field].kind))
			return 0;
	return 1;
}

static int is_zero(const struct c2s_mval *v, enum c2s_fkind fk)
{
	if (!v || v->kind == C2S_MV_NONE)
		return 1;
	switch (fk) {
	case C2S_FK_BOOLP:
	case C2S_FK_UINTP:
	case C2S_FK_DURP:
	case C2S_FK_PSTRUCT:
		return 0;
	case C2S_FK_STRUCT:
		return v->kind != C2S_MV_STRUCT || struct_zero(v);
	case C2S_FK_EXTERNAL:
		return v->kind == C2S_MV_BOOL ? !v->u.i : v->n == 0;
	default:
		break;
	}
	switch (v->kind) {
	case C2S_MV_STR:
	case C2S_MV_LIST:
	case C2S_MV_MAP:
		return v->n == 0;
	case C2S_MV_INT:
	case C2S_MV_BOOL:
		return v->u.i == 0;
	case C2S_MV_UINT:
		return v->u.u == 0;
	case C2S_MV_FLOAT:
		return v->u.f == 0;
	case C2S_MV_STRUCT:
		return struct_zero(v);
	default:
		return 0;
	}
}

static int omitted(const struct c2s_mval *v, enum c2s_fkind fk)
{
	if (!v || v->kind == C2S_MV_NONE)
		return 1;
	if (fk == C2S_FK_STRV || fk == C2S_FK_INTV || fk == C2S_FK_VERSION || fk == C2S_FK_SERVICES)
		return 0;
	return is_zero(v, fk);
}

/* How many mapping entries a struct prints (0: it prints as {}). */
static int struct_prints(const struct c2s_mval *st)
{
	if (st->kind != C2S_MV_STRUCT)
		return 0;
	const struct c2s_mstruct *t = &c2s_mstructs[st->type];
	for (uint32_t i = 0; i < st->n; i++) {
		const struct c2s_mval *f = &st->u.v[i];
		enum c2s_fkind fk = t->fields[f->field].kind;
		if (fk == C2S_FK_EXTRAS ? f->n > 0 : !omitted(f, fk))
			return 1;
	}
	return 0;
}

enum ctx { AFTER_KEY, AFTER_DASH };

/* Decimal digits of u, right-aligned to end (which has room for 20): the start. */
static char *fmt_u64(uint64_t u, char *end)
{
	do
		*--end = (char)('0' + u % 10);
	while ((u /= 10) != 0);
	return end;
}

/* " N\n" for a signed (sign) or unsigned value; quoted: " \"N\"\n", as a
 * string of digits (bytes) is written: it would read back as an int. */
static void emit_int(struct emitter *e, uint64_t u, int sign, int quoted)
{
	char buf[32], *end = buf + sizeof buf;
	*--end = '\n';
	if (quoted)
		*--end = '"';
	char *p = fmt_u64(sign && (int64_t)u < 0 ? 0 - u : u, end);
	if (sign && (int64_t)u < 0)
		*--p = '-';
	if (quoted)
		*--p = '"';
	*--p = ' ';
	put(e, p, (size_t)(buf + sizeof buf - p));
}

static void emit_value(struct emitter *e, const struct c2s_mval *v, enum c2s_fkind fk, enum c2s_mtype sub,
		       unsigned ind, enum ctx ctx);
static void emit_struct_entries(struct emitter *e, const struct c2s_mval *st, unsigned ind, int first_inline);
static void emit_node(struct emitter *e, const struct c2s_doc *d, const struct c2s_node *n, unsigned ind, enum ctx ctx);

static void scalar_lead(struct emitter *e, enum ctx ctx)
{
	(void)ctx;
	put(e, " ", 1);
}

/* Does the output end a line: a '\n', or a literal block's last U+2028 or
 * U+2029 (yaml.v3's write_break leaves the column at 0 after either, and
 * the next line's indentation follows without a newline)? */
static int ends_line(const struct emitter *e)
{
	const unsigned char *d = (const unsigned char *)e->out->data;
	size_t len = e->out->len;
	if (!len)
		return 0;
	if (d[len - 1] == '\n')
		return 1;
	return len >= 3 && d[len - 3] == 0xE2 && d[len - 2] == 0x80 && (d[len - 1] == 0xA8 || d[len - 1] == 0xA9);
}

static void emit_str_known(struct emitter *e, const char *s, size_t n, unsigned ind, enum ctx ctx, int known)
{
	if (plain_ok(s, n, known)) {
		/* " text\n" in one write */
		char *w = room(e, n + 2);
		if (!w)
			return;
		*w++ = ' ';
		memcpy(w, s, n);
		w += n;
		*w++ = '\n';
		commit(e, w);
		return;
	}
	scalar_lead(e, ctx);
	if (!write_string_k(e, s, n, 0, ind + 2, known) || !ends_line(e))
		put(e, "\n", 1);
}

static void emit_str_value(struct emitter *e, const char *s, size_t n, unsigned ind, enum ctx ctx)
{
	emit_str_known(e, s, n, ind, ctx, 0);
}

static void emit_plain(struct emitter *e, const char *s, enum ctx ctx)
{
	size_t n = strlen(s);
	char *w = c2s_buf_reserve(e->out, n + 2);
	(void)ctx;
	if (!w)
		return;
	w[0] = ' ';
	memcpy(w + 1, s, n);
	w[n + 1] = '\n';
	e->out->len += n + 2;
	e->out->data[e->out->len] = '\0';
}

static void emit_key(struct emitter *e, const char *s, size_t n, unsigned ind, int inline_first)
{
	if (n <= 128 && ind < sizeof spaces && plain_ok(s, n, 0)) {
		/* indentation, key and ':' in one write */
		char *w = room(e, ind + n + 1);
		if (!w)
			return;
		if (!inline_first) {
			memcpy(w, spaces, ind);
			w += ind;
		}
		memcpy(w, s, n);
		w += n;
		*w++ = ':';
		commit(e, w);
		return;
	}
	if (!inline_first)
		indent(e, ind);
	/* yaml_emitter_check_simple_key: a multi-line or long key is written as "? key\n: "
	 * (multi-line: any break the analysis counts, NEL, LS and PS too) */
	int multiline = 0;
	for (size_t i = 0; i < n && !multiline; i++)
		multiline = is_break(s, n, i);
	if (n > 128 || multiline) {
		put(e, "? ", 2);
		write_string(e, s, n, 0, ind + 2);
		if (!ends_line(e))
			put(e, "\n", 1);
		indent(e, ind);
		put(e, ":", 1);
		return;
	}
	write_string(e, s, n, 1, ind + 2);
	put(e, ":", 1);
}

/* Open a block collection after a key or a dash: returns whether the first entry goes inline. */
static int open_block(struct emitter *e, enum ctx ctx)
{
	if (ctx == AFTER_KEY) {
		put(e, "\n", 1);
		return 0;
	}
	put(e, " ", 1);
	return 1;
}

static void emit_list(struct emitter *e, const struct c2s_mval *v, enum c2s_fkind fk, enum c2s_mtype sub,
		      unsigned ind, enum ctx ctx)
{
	if (v->n == 0) {
		emit_plain(e, "[]", ctx);
		return;
	}
	int inl = open_block(e, ctx);
	unsigned iind = ctx == AFTER_KEY ? ind + 2 : ind + 2;
	if (ctx == AFTER_DASH)
		iind = ind + 2;
	for (uint32_t i = 0; i < v->n; i++) {
		if (!(inl && i == 0))
			indent(e, iind);
		put(e, "-", 1);
		const struct c2s_mval *it = &v->u.v[i];
		if (fk == C2S_FK_STRLIST || fk == C2S_FK_EXTRAS)
			emit_value(e, it, fk == C2S_FK_EXTRAS ? C2S_FK_EXTRAS : C2S_FK_STR, C2S_T_NONE, iind, AFTER_DASH);
		else
			emit_value(e, it, C2S_FK_PSTRUCT, sub, iind, AFTER_DASH);
	}
}

static void emit_map(struct emitter *e, const struct c2s_mval *v, enum c2s_fkind fk, enum c2s_mtype sub,
		     unsigned ind, enum ctx ctx)
{
	if (v->n == 0) {
		emit_plain(e, "{}", ctx);
		return;
	}
	int inl = open_block(e, ctx);
	unsigned kind_ind = ctx == AFTER_KEY ? ind + 2 : ind + 2;
	for (uint32_t i = 0; i < v->n; i++) {
		const struct c2s_mval *k = &v->u.v[2 * i], *val = &v->u.v[2 * i + 1];
		emit_key(e, k->u.s, k->n, kind_ind, inl && i == 0);
		switch (fk) {
		case C2S_FK_MAPSTR:
		case C2S_FK_MAPNSTR:
			emit_value(e, val, C2S_FK_STR, C2S_T_NONE, kind_ind, AFTER_KEY);
			break;
		case C2S_FK_EXTRAS:
			emit_value(e, val, C2S_FK_EXTRAS, C2S_T_NONE, kind_ind, AFTER_KEY);
			break;
		case C2S_FK_MAPT:
			if (val->kind == C2S_MV_NODE && (val->flags & C2S_MVF_LAZY)) {
				struct c2s_mval svc;
				if (!e->st || e->st->expand(e->st->ctx, val, &svc) != 0) {
					e->failed = 1;
					return;
				}
				emit_value(e, &svc, C2S_FK_PSTRUCT, sub, kind_ind, AFTER_KEY);
				e->st->release(e->st->ctx);
				if (e->st->flush && e->st->flush(e->st->ctx, e->out) != 0) {
					e->failed = 1;
					return;
				}
				break;
			}
			emit_value(e, val, C2S_FK_PSTRUCT, sub, kind_ind, AFTER_KEY);
			/* the top-level networks, volumes, secrets and configs: thousands of
			 * entries in a large stack, flushed as they go like the services */
			if (e->st && e->st->flush && e->st->flush(e->st->ctx, e->out) != 0) {
				e->failed = 1;
				return;
			}
			break;
		default:
			emit_value(e, val, C2S_FK_PSTRUCT, sub, kind_ind, AFTER_KEY);
			break;
		}
	}
}

static void emit_struct(struct emitter *e, const struct c2s_mval *st, unsigned ind, enum ctx ctx)
{
	/* UlimitsConfig.MarshalYAML: a single value prints as that int */
	if (st->type == C2S_T_ULIMIT) {
		const struct c2s_mval *single = c2s_mget(st, C2S_F_ULIMIT_SINGLE);
		if (single && single->u.i != 0) {
			char buf[32];
			snprintf(buf, sizeof buf, "%lld", (long long)single->u.i);
			emit_plain(e, buf, ctx);
			return;
		}
	}
	if (!struct_prints(st)) {
		emit_plain(e, "{}", ctx);
		return;
	}
	int inl = open_block(e, ctx);
	emit_struct_entries(e, st, ind + 2, inl);
}

static void emit_struct_entries(struct emitter *e, const struct c2s_mval *st, unsigned ind, int first_inline)
{
	const struct c2s_mstruct *t = &c2s_mstructs[st->type];
	int first = first_inline;
	const struct c2s_mval *extras = NULL;
	for (uint32_t i = 0; i < st->n; i++) {
		const struct c2s_mval *f = &st->u.v[i];
		const struct c2s_mfield *fd = &t->fields[f->field];
		if (fd->kind == C2S_FK_EXTRAS) {
			extras = f;
			continue;
		}
		if (omitted(f, fd->kind))
			continue;
		if (st->type == C2S_T_ULIMIT && f->field == C2S_F_ULIMIT_SINGLE)
			continue;
		/* table keys are plain lower-case words: no analysis needed */
		char *w = room(e, ind + fd->keylen + 1);
		if (!w)
			return;
		if (!first) {
			if (ind < sizeof spaces) {
				memcpy(w, spaces, ind);
			} else {
				memset(w, ' ', ind);
			}
			w += ind;
		}
		memcpy(w, fd->key, fd->keylen);
		w += fd->keylen;
		*w++ = ':';
		commit(e, w);
		first = 0;
		emit_value(e, f, fd->kind, fd->sub, ind, AFTER_KEY);
	}
	if (extras) {
		for (uint32_t i = 0; i < extras->n; i++) {
			const struct c2s_mval *k = &extras->u.v[2 * i], *val = &extras->u.v[2 * i + 1];
			emit_key(e, k->u.s, k->n, ind, first);
			first = 0;
			emit_value(e, val, C2S_FK_EXTRAS, C2S_T_NONE, ind, AFTER_KEY);
		}
	}
}

static void emit_value(struct emitter *e, const struct c2s_mval *v, enum c2s_fkind fk, enum c2s_mtype sub,
		       unsigned ind, enum ctx ctx)
{
	char buf[64];
	switch (v->kind) {
	case C2S_MV_NONE:
	case C2S_MV_NULL:
		emit_plain(e, "null", ctx);
		return;
	case C2S_MV_NODE:
		emit_node(e, e->m->docs[v->file], &e->m->docs[v->file]->nodes[v->node], ind, ctx);
		return;
	case C2S_MV_BOOL:
		emit_plain(e, v->u.i ? "true" : "false", ctx);
		return;
	case C2S_MV_STR:
		if (fk == C2S_FK_EXTERNAL) {
			/* External{Name} prints as a mapping */
			int inl = open_block(e, ctx);
			emit_key(e, "name", 4, ind + 2, inl);
			emit_str_value(e, v->u.s, v->n, ind + 2, AFTER_KEY);
			return;
		}
		emit_str_known(e, v->u.s, v->n, ind, ctx, (v->flags & C2S_MVF_PLAIN_STR) != 0);
		return;
	case C2S_MV_INT:
		if (fk == C2S_FK_DUR || fk == C2S_FK_DURP) {
			/* digits, '.', '-' and unit letters (or "\u00b5s"): always plain */
			buf[0] = ' ';
			size_t n = c2s_duration_format(v->u.i, buf + 1);
			buf[n + 1] = '\n';
			put(e, buf, n + 2);
		} else {
			/* bytes print as a string of digits, which yaml.v3 double-quotes */
			emit_int(e, (uint64_t)v->u.i, 1, fk == C2S_FK_BYTES);
		}
		return;
	case C2S_MV_UINT:
		emit_int(e, v->u.u, 0, 0);
		return;
	case C2S_MV_FLOAT:
		c2s_go_float(v->u.f, fk == C2S_FK_FLOAT32 ? 32 : 64, buf, sizeof buf);
		emit_plain(e, !strcmp(buf, "+Inf") ? ".inf" : !strcmp(buf, "-Inf") ? "-.inf" : !strcmp(buf, "NaN") ? ".nan" : buf, ctx);
		return;
	case C2S_MV_LIST:
		emit_list(e, v, fk, sub, ind, ctx);
		return;
	case C2S_MV_MAP:
		if (fk == C2S_FK_SERVICES)
			fk = C2S_FK_MAPT;
		emit_map(e, v, fk, sub, ind, ctx);
		return;
	case C2S_MV_STRUCT:
		emit_struct(e, v, ind, ctx);
		return;
	}
}

/* ---- raw AST subtrees (x-* content), as yaml.v3 re-encodes what it decoded ---- */

struct key_ref {
	const struct c2s_node *k, *v;
	struct c2s_str s;
};

static int key_cmp(const void *pa, const void *pb)
{
	const struct key_ref *a = pa, *b = pb;
	if (c2s_key_less(a->s.p, a->s.n, b->s.p, b->s.n))
		return -1;
	if (c2s_key_less(b->s.p, b->s.n, a->s.p, a->s.n))
		return 1;
	return 0;
}

static void emit_node(struct emitter *e, const struct c2s_doc *d, const struct c2s_node *n, unsigned ind, enum ctx ctx)
{
	char buf[96];
	if (c2s_is_mapping(n)) {
		uint32_t cnt = c2s_count(n);
		if (cnt == 0) {
			emit_plain(e, "{}", ctx);
			return;
		}
		struct key_ref stackbuf[32];
		struct key_ref *keys = cnt <= 32 ? stackbuf : malloc(cnt * sizeof *keys);
		if (!keys) {
			e->out->failed = 1;
			return;
		}
		for (uint32_t i = 0; i < cnt; i++) {
			keys[i].k = c2s_map_key(d, n, i);
			keys[i].v = c2s_map_value(d, n, i);
			keys[i].s = c2s_scalar(d, keys[i].k);
		}
		qsort(keys, cnt, sizeof *keys, key_cmp);
		int inl = open_block(e, ctx);
		for (uint32_t i = 0; i < cnt; i++) {
			emit_key(e, keys[i].s.p, keys[i].s.n, ind + 2, inl && i == 0);
			emit_node(e, d, keys[i].v, ind + 2, AFTER_KEY);
		}
		if (keys != stackbuf)
			free(keys);
		return;
	}
	if (c2s_is_sequence(n)) {
		uint32_t cnt = c2s_count(n);
		if (cnt == 0) {
			emit_plain(e, "[]", ctx);
			return;
		}
		int inl = open_block(e, ctx);
		for (uint32_t i = 0; i < cnt; i++) {
			if (!(inl && i == 0))
				indent(e, ind + 2);
			put(e, "-", 1);
			emit_node(e, d, c2s_seq_item(d, n, i), ind + 2, AFTER_DASH);
		}
		return;
	}
	struct c2s_value v;
	struct c2s_str s = c2s_scalar(d, n);
	switch (c2s_resolve(d, n, &v)) {
	case C2S_TYPE_NULL:
		emit_plain(e, "null", ctx);
		return;
	case C2S_TYPE_BOOL:
		emit_plain(e, v.boolean ? "true" : "false", ctx);
		return;
	case C2S_TYPE_INT:
		snprintf(buf, sizeof buf, "%lld", (long long)v.i);
		emit_plain(e, buf, ctx);
		return;
	case C2S_TYPE_UINT:
		snprintf(buf, sizeof buf, "%llu", (unsigned long long)v.u);
		emit_plain(e, buf, ctx);
		return;
	case C2S_TYPE_FLOAT:
		c2s_go_float(v.f, 64, buf, sizeof buf);
		emit_plain(e, !strcmp(buf, "+Inf") ? ".inf" : !strcmp(buf, "-Inf") ? "-.inf" : !strcmp(buf, "NaN") ? ".nan" : buf, ctx);
		return;
	case C2S_TYPE_TIMESTAMP: {
		/* time.Time.Format(time.RFC3339Nano), emitted plain */
		size_t len = (size_t)snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d", v.ts.year, v.ts.month,
					      v.ts.day, v.ts.hour, v.ts.minute, v.ts.second);
		if (v.ts.nanosecond) {
			char frac[16];
			snprintf(frac, sizeof frac, "%09ld", v.ts.nanosecond);
			size_t fl = 9;
			while (fl > 0 && frac[fl - 1] == '0')
				fl--;
			len += (size_t)snprintf(buf + len, sizeof buf - len, ".%.*s", (int)fl, frac);
		}
		if (v.ts.zone == 0 || v.ts.offset_minutes == 0)
			snprintf(buf + len, sizeof buf - len, "Z");
		else {
			int o = v.ts.offset_minutes, a = o < 0 ? -o : o;
			snprintf(buf + len, sizeof buf - len, "%c%02d:%02d", o < 0 ? '-' : '+', a / 60, a % 60);
		}
		emit_plain(e, buf, ctx);
		return;
	}
	default:
		emit_str_value(e, s.p, s.n, ind, ctx);
		return;
	}
}

int c2s_emit_yaml_stream(const struct c2s_model *m, const struct c2s_emit_stream *st, struct c2s_buf *out)
{
	struct emitter e = {m, out, st, 0};
	if (m->root.kind == C2S_MV_STRUCT)
		emit_struct_entries(&e, &m->root, 0, 0);
	return out->failed || e.failed ? -1 : 0;
}

int c2s_emit_yaml(const struct c2s_model *m, struct c2s_buf *out)
{
	return c2s_emit_yaml_stream(m, NULL, out);
}
