/* yaml_fast.c -- block-style YAML read in place, with libyaml's events; declines anything else. */
#include "config.h"
#include "yaml_fast.h"
#include "yaml_escape.h"
#include "ast.h"

#include <stdlib.h>
#include <string.h>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

/*
 * The subset, by lines. Indentation is spaces only, so a column is a byte
 * count from the line start (anything before a token on its line is ASCII:
 * spaces, "- "). A node is one of:
 *   block mapping   keys (plain or quoted, one line) at one column, ": "
 *   block sequence  "- " at one column; also at its key's column ("indentless")
 *   plain scalar    on one line
 *   quoted scalar   on one line; escapes ('' or \) decoded as docker's
 *                   libyaml does (yaml_escape.h)
 *   block scalar    | or > with chomping, no indentation indicator
 *   flow sequence   of scalars and aliases, on one line or several
 *   {}              the empty flow mapping
 *   *alias, &anchor before a value
 * Comments and blank lines anywhere. Everything else -- and every error --
 * declines. The rules below follow libyaml 0.2.5's scanner (scanner.c) and
 * parser (parser.c), which define where an event starts and ends.
 */

#define MAX_DEPTH 128       /* deeper nesting goes to libyaml (and the loader's limit) */
#define MAX_KEY_BYTES 1000  /* libyaml refuses a simple key longer than 1024 characters */
#define MAX_QUOTED_BYTES ((size_t)1 << 20) /* longer escaped scalars go to libyaml */

enum { OK = 0, DECLINE = -1, STOPPED = -2 };

struct fy {
	const char *base;      /* the source */
	c2s_yev_sink sink;
	void *ctx;
	int depth;
	/* The current content line: its first non-space byte, or NULL at the end. */
	const char *lp;
	int lind;              /* its indentation */
	char *scratch;         /* a quoted scalar's value when it had escapes */
	size_t cap_scratch;
};

struct anc {
	const char *name;
	size_t len;
	uint32_t start;        /* the '&' */
};

/* ---- characters ---- */

static inline int is_break_or_end(char c) { return c == '\n' || c == '\r' || c == '\0'; }
static inline int is_blankz(char c) { return c == ' ' || c == '\t' || is_break_or_end(c); }

/* Stops the run of a plain scalar's non-blank characters in block context. */
static const unsigned char block_stop[256] = {
	['\0'] = 1, ['\t'] = 1, ['\n'] = 1, ['\r'] = 1, [' '] = 1, [':'] = 1,
};
/* ... and in a flow sequence. */
static const unsigned char flow_stop[256] = {
	['\0'] = 1, ['\t'] = 1, ['\n'] = 1, ['\r'] = 1, [' '] = 1, [':'] = 1,
	[','] = 1, ['['] = 1, [']'] = 1, ['{'] = 1, ['}'] = 1,
};
/* Characters that cannot start a plain scalar (libyaml's indicators). */
static const unsigned char indicator[256] = {
	['-'] = 1, ['?'] = 1, [':'] = 1, [','] = 1, ['['] = 1, [']'] = 1, ['{'] = 1, ['}'] = 1,
	['#'] = 1, ['&'] = 1, ['*'] = 1, ['!'] = 1, ['|'] = 1, ['>'] = 1, ['\''] = 1, ['"'] = 1,
	['%'] = 1, ['@'] = 1, ['`'] = 1,
	['\0'] = 1, ['\t'] = 1, ['\n'] = 1, ['\r'] = 1, [' '] = 1,
};
static const unsigned char anchor_char[256] = {
	['-'] = 1, ['_'] = 1,
	['0'] = 1, ['1'] = 1, ['2'] = 1, ['3'] = 1, ['4'] = 1, ['5'] = 1, ['6'] = 1, ['7'] = 1,
	['8'] = 1, ['9'] = 1,
	['A'] = 1, ['B'] = 1, ['C'] = 1, ['D'] = 1, ['E'] = 1, ['F'] = 1, ['G'] = 1, ['H'] = 1,
	['I'] = 1, ['J'] = 1, ['K'] = 1, ['L'] = 1, ['M'] = 1, ['N'] = 1, ['O'] = 1, ['P'] = 1,
	['Q'] = 1, ['R'] = 1, ['S'] = 1, ['T'] = 1, ['U'] = 1, ['V'] = 1, ['W'] = 1, ['X'] = 1,
	['Y'] = 1, ['Z'] = 1,
	['a'] = 1, ['b'] = 1, ['c'] = 1, ['d'] = 1, ['e'] = 1, ['f'] = 1, ['g'] = 1, ['h'] = 1,
	['i'] = 1, ['j'] = 1, ['k'] = 1, ['l'] = 1, ['m'] = 1, ['n'] = 1, ['o'] = 1, ['p'] = 1,
	['q'] = 1, ['r'] = 1, ['s'] = 1, ['t'] = 1, ['u'] = 1, ['v'] = 1, ['w'] = 1, ['x'] = 1,
	['y'] = 1, ['z'] = 1,
};

/* A plain scalar may start here (block context; flow adds its own stops). */
static inline int plain_start(const char *p)
{
	unsigned char c = (unsigned char)*p;
	if (!indicator[c])
		return 1;
	/* "-x" starts a scalar ("- " is an entry, "-\n" too); "?x" and ":x" also
	 * would in libyaml, but are left to it. */
	return c == '-' && !is_blankz(p[1]);
}

/*
 * What libyaml's reader accepts, and nothing that its scanner reads as a line
 * break or byte order mark other than \n and \r\n: control characters, a lone
 * \r, NEL, U+2028, U+2029, U+FEFF and invalid UTF-8 all decline.
 */
/* Per byte: 1 refused (a control character), 2 '\r' (needs its '\n'),
 * 4 the start or middle of a multi-byte character. */
static const unsigned char byte_class[256] = {
	1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 1, 1, 2, 1, 1,
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	[0x7f] = 1,
	[0x80] = 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4,
	4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4,
	4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4,
	4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4,
};

static int text_ok_slow(const unsigned char *p, const unsigned char *end, int ascii);

/* Only bytes 0x20-0x7e, \t and \n (every byte_class 0)? */
static int usual_text(const unsigned char *p, const unsigned char *end)
{
	size_t n = (size_t)(end - p), i = 0;
#if defined(__SSE2__)
	/* c - 0x20 as a signed byte: below 0x20 or from 0x7f up is below 0 or 0x5f up */
	const __m128i off = _mm_set1_epi8(0x20), top = _mm_set1_epi8(0x5e), tab = _mm_set1_epi8('\t'),
		      nl = _mm_set1_epi8('\n');
	__m128i bad = _mm_setzero_si128();
	for (; i + 16 <= n; i += 16) {
		__m128i c = _mm_loadu_si128((const __m128i *)(const void *)(p + i));
		__m128i s = _mm_sub_epi8(c, off);
		__m128i out = _mm_or_si128(_mm_cmplt_epi8(s, _mm_setzero_si128()), _mm_cmpgt_epi8(s, top));
		out = _mm_andnot_si128(_mm_or_si128(_mm_cmpeq_epi8(c, tab), _mm_cmpeq_epi8(c, nl)), out);
		bad = _mm_or_si128(bad, out);
		if ((i & 4095) == 4080 && _mm_movemask_epi8(bad))
			return 0;
	}
	if (_mm_movemask_epi8(bad))
		return 0;
#endif
	for (; i < n; i++)
		if (byte_class[p[i]])
			return 0;
	return 1;
}

static int text_ok(const unsigned char *p, const unsigned char *end, int ascii)
{
	/* The usual case, printable ASCII, \t and \n only, 16 bytes at a time
	 * where SSE2 is there: this runs over every input once (a byte table
	 * lookup each took 6 instructions a byte, 5% of lint). */
	if (usual_text(p, end))
		return 1;
	/* One branch-free pass: which kinds of unusual byte there are. */
	unsigned acc = 0;
	for (const unsigned char *q = p; q < end; q++)
		acc |= byte_class[*q];
	if (acc == 0)
		return 1;
	if (acc & 1)
		return 0;
	return text_ok_slow(p, end, ascii);
}

static int text_ok_slow(const unsigned char *p, const unsigned char *end, int ascii)
{
	while (p < end) {
		unsigned char c = *p;
		if (c >= 0x20 && c < 0x7f) {
			p++;
			continue;
		}
		if (c == '\n' || c == '\t') {
			p++;
			continue;
		}
		if (c == '\r') {
			if (p + 1 >= end || p[1] != '\n')
				return 0;
			p += 2;
			continue;
		}
		if (c < 0x80 || ascii)
			return 0;
		uint32_t cp;
		int n;
		if (c >= 0xc2 && c <= 0xdf) {
			cp = c & 0x1fu;
			n = 1;
		} else if (c >= 0xe0 && c <= 0xef) {
			cp = c & 0x0fu;
			n = 2;
		} else if (c >= 0xf0 && c <= 0xf4) {
			cp = c & 0x07u;
			n = 3;
		} else {
			return 0;
		}
		if (end - p <= n)
			return 0;
		for (int i = 1; i <= n; i++) {
			if ((p[i] & 0xc0) != 0x80)
				return 0;
			cp = (cp << 6) | (p[i] & 0x3fu);
		}
		/* Overlong forms, surrogates, beyond U+10FFFF, and what libyaml
		 * refuses or treats as a break or BOM. */
		if ((n == 2 && cp < 0x800) || (n == 3 && cp < 0x10000) || cp > 0x10ffff ||
		    (cp >= 0xd800 && cp <= 0xdfff) || cp == 0xfffe || cp == 0xffff ||
		    cp < 0xa0 || cp == 0x2028 || cp == 0x2029 || cp == 0xfeff)
			return 0;
		p += n + 1;
	}
	return 1;
}

/* ---- events ---- */

static inline int emit(struct fy *f, enum c2s_yev_type type, uint32_t start, uint32_t end,
		       const char *value, size_t len, const struct anc *a, unsigned style)
{
	struct c2s_yev ev = {type, start, end, value, len, NULL, 0, NULL, 0, style};
	if (a) {
		ev.anchor = a->name;
		ev.anchor_len = a->len;
	}
	return f->sink(f->ctx, &ev) ? STOPPED : OK;
}

static inline uint32_t off(const struct fy *f, const char *p) { return (uint32_t)(p - f->base); }

/* ---- lines ---- */

/* The start of the line after the one p is on (the end of the text on the last). */
static inline const char *after_line(const char *p)
{
	if (*p == '\n')  /* the usual case: p is at the line break */
		return p + 1;
	const char *nl = strchr(p, '\n');
	return nl ? nl + 1 : p + strlen(p);
}

static inline int doc_marker(const char *p)
{
	return ((p[0] == '-' && p[1] == '-' && p[2] == '-') || (p[0] == '.' && p[1] == '.' && p[2] == '.')) &&
	       is_blankz(p[3]);
}

/* From the start of a line: skip blank and comment lines, and make the next
 * content line current, whatever it holds. */
static int content_line(struct fy *f, const char *p)
{
	for (;;) {
		const char *q = p;
		while (*q == ' ')
			q++;
		switch (*q) {
		case '\0':
			f->lp = NULL;
			f->lind = -1;
			return OK;
		case '\n':
			p = q + 1;
			continue;
		case '\r':
			p = q + 2;  /* text_ok: always \r\n */
			continue;
		case '#':
			p = after_line(q);
			continue;
		case '\t':
			return DECLINE;  /* libyaml refuses a tab in indentation */
		default:
			break;
		}
		f->lp = q;
		f->lind = (int)(q - p);
		return OK;
	}
}

/* The same, declining at a document marker ("---", "..."): a second document. */
static int next_line(struct fy *f, const char *p)
{
	int r = content_line(f, p);
	return r == OK && f->lp && f->lind == 0 && doc_marker(f->lp) ? DECLINE : r;
}

/* After a node on a line: spaces, then the end of the line or a comment. */
static int end_line(struct fy *f, const char *p)
{
	const char *q = p;
	while (*q == ' ')
		q++;
	if ((*q == '#' && q > p) || is_break_or_end(*q))
		return next_line(f, after_line(q));
	return DECLINE;
}

/* A plain scalar that ended at a line break goes on if a later line (past
 * blank ones) is indented beyond its collection's column and is not a
 * comment: libyaml folds those lines in. Declines then. */
static int plain_ends(const char *brk, int ccol)
{
	const char *q = brk;
	for (;;) {
		if (*q == '\0')
			return OK;
		q += *q == '\r' ? 2 : 1;
		const char *ls = q;
		while (*q == ' ')
			q++;
		if (*q == '\t')
			return DECLINE;
		if (*q == '\n' || *q == '\r')
			continue;
		if (*q == '\0' || *q == '#')
			return OK;
		return (int)(q - ls) > ccol ? DECLINE : OK;
	}
}

/* ---- tokens ---- */

enum plain_end { P_EOL, P_COMMENT, P_KEY };

/* A plain scalar in block context from p, on this line: returns the end of
 * its text; *stop is where scanning stopped (the break, '#' or ':'). */
static const char *plain_block(const char *p, enum plain_end *how, const char **stop)
{
	for (;;) {
		while (!block_stop[(unsigned char)*p])
			p++;
		if (*p == ':') {
			if (is_blankz(p[1])) {
				*how = P_KEY;
				*stop = p;
				return p;
			}
			p++;
			continue;
		}
		const char *text_end = p;
		while (*p == ' ' || *p == '\t')
			p++;
		if (is_break_or_end(*p)) {
			*how = P_EOL;
			*stop = p;
			return text_end;
		}
		if (*p == '#') {
			*how = P_COMMENT;
			*stop = p;
			return text_end;
		}
		if (*p == ':' && is_blankz(p[1])) {
			*how = P_KEY;
			*stop = p;
			return text_end;
		}
	}
}

/* A plain scalar inside a flow sequence: returns the end of its text, and
 * *stop where it ended (before spaces, a line break, ',' or ']'); NULL
 * declines (':', a nested collection, a tab). */
static const char *plain_flow(const char *p, const char **stop)
{
	for (;;) {
		while (!flow_stop[(unsigned char)*p])
			p++;
		const char *text_end = p;
		if (*p == ' ') {
			while (*p == ' ')
				p++;
			if (!flow_stop[(unsigned char)*p] && *p != '#')
				continue;  /* "a b": one scalar */
		}
		if (*p == ',' || *p == ']' || *p == ' ' || is_break_or_end(*p) || *p == '#') {
			*stop = text_end;
			return text_end;
		}
		return NULL;
	}
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if ((c | 0x20) >= 'a' && (c | 0x20) <= 'f')
		return (c | 0x20) - 'a' + 10;
	return -1;
}

static size_t put_utf8(char *o, uint32_t cp)
{
	if (cp < 0x80) {
		o[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		o[0] = (char)(0xc0 | (cp >> 6));
		o[1] = (char)(0x80 | (cp & 0x3f));
		return 2;
	}
	if (cp < 0x10000) {
		o[0] = (char)(0xe0 | (cp >> 12));
		o[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
		o[2] = (char)(0x80 | (cp & 0x3f));
		return 3;
	}
	o[0] = (char)(0xf0 | (cp >> 18));
	o[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
	o[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
	o[3] = (char)(0x80 | (cp & 0x3f));
	return 4;
}

static int scratch_room(struct fy *f, size_t need)
{
	if (need > MAX_QUOTED_BYTES)
		return -1;
	if (need > f->cap_scratch) {
		size_t cap = f->cap_scratch ? f->cap_scratch : 256;
		while (cap < need)
			cap *= 2;
		char *n = realloc(f->scratch, cap);
		if (!n)
			return -1;
		f->scratch = n;
		f->cap_scratch = cap;
	}
	return 0;
}

/* Room for more bytes after o, a write position in f->scratch (NULL: none
 * yet); returns o where it is now, or NULL. */
static char *scratch_grow(struct fy *f, char *o, size_t more)
{
	size_t used = o ? (size_t)(o - f->scratch) : 0;
	if (scratch_room(f, used + more + 1) != 0)
		return NULL;
	return f->scratch + used;
}

/* libyaml's scan_block_scalar_breaks: from a line start, empty lines (counted
 * in breaks; end moves past each) and the indentation of the next line, all
 * its spaces while indent is 0 (not known yet), else up to indent. NULL: a
 * tab where indentation is expected. */
static const char *block_breaks(const char *q, int indent, int *col, int *max_indent, size_t *breaks,
				const char **end)
{
	for (;;) {
		int c = 0;
		while ((!indent || c < indent) && *q == ' ') {
			q++;
			c++;
		}
		if (c > *max_indent)
			*max_indent = c;
		if ((!indent || c < indent) && *q == '\t')
			return NULL;
		*col = c;
		if (*q != '\n' && *q != '\r')
			return q;
		q += *q == '\r' ? 2 : 1;
		(*breaks)++;
		*end = q;
	}
}

/*
 * A block scalar ('|' literal or '>' folded) at p, as libyaml 0.2.5's
 * scan_block_scalar reads it; pind is the indentation of the collection
 * holding it (-1 at the top). val, len: its value (in f->scratch); endp:
 * where its token ends; returns where scanning stopped (the start of the
 * first line after it), or NULL to decline (an indentation indicator, a tab
 * in the indentation, and libyaml's errors).
 */
static const char *block_scalar(struct fy *f, const char *p, int pind, const char **val, size_t *len,
				const char **endp)
{
	int literal = *p == '|', chomping = 0;
	const char *q = p + 1;
	if (*q == '+' || *q == '-')
		chomping = *q++ == '+' ? 1 : -1;
	if (*q >= '0' && *q <= '9')
		return NULL;
	const char *b = q;
	while (*q == ' ')
		q++;
	if (!((*q == '#' && q > b) || is_break_or_end(*q)))
		return NULL;
	q = after_line(q);
	char *o = f->scratch;
	const char *end = q;
	int indent = 0, leading_blank = 0;
	size_t leading_break = 0, trailing_breaks = 0;  /* counts of '\n' held back */
	/* Leading empty lines, and the indentation (the deepest of them and of the first line). */
	int col, max_indent = 0;
	if (!(q = block_breaks(q, 0, &col, &max_indent, &trailing_breaks, &end)))
		return NULL;
	indent = max_indent;
	if (indent < pind + 1)
		indent = pind + 1;
	if (indent < 1)
		indent = 1;
	while (col == indent && *q != '\0') {
		/* Room for the breaks held back, a folding space and this line. */
		const char *eol = q;
		while (!is_break_or_end(*eol))
			eol++;
		if (!(o = scratch_grow(f, o, leading_break + trailing_breaks + 1 + (size_t)(eol - q))))
			return NULL;
		int trailing_blank = *q == ' ' || *q == '\t';
		if (!literal && leading_break == 1 && !leading_blank && !trailing_blank) {
			if (trailing_breaks == 0)
				*o++ = ' ';
		} else {
			for (size_t i = 0; i < leading_break; i++)
				*o++ = '\n';
		}
		leading_break = 0;
		for (size_t i = 0; i < trailing_breaks; i++)
			*o++ = '\n';
		trailing_breaks = 0;
		leading_blank = trailing_blank;
		memcpy(o, q, (size_t)(eol - q));
		o += eol - q;
		q = eol;
		if (*q != '\0') {
			q += *q == '\r' ? 2 : 1;
			leading_break = 1;
		}
		end = q;
		if (!(q = block_breaks(q, indent, &col, &max_indent, &trailing_breaks, &end)))
			return NULL;
	}
	if (!(o = scratch_grow(f, o, leading_break + trailing_breaks)))
		return NULL;
	if (chomping != -1)
		for (size_t i = 0; i < leading_break; i++)
			*o++ = '\n';
	if (chomping == 1)
		for (size_t i = 0; i < trailing_breaks; i++)
			*o++ = '\n';
	*val = f->scratch;
	*len = (size_t)(o - f->scratch);
	*endp = end;
	/* Back to the start of the line where scanning stopped (unless it is the end). */
	while (*q && q > p && q[-1] != '\n')
		q--;
	return q;
}

/*
 * A quoted scalar on one line at p: returns just past the closing quote, or
 * NULL. *val is its value: the text between the quotes, or, when it has
 * escapes ('' in single quotes, \ in double quotes), the decoded text in
 * f->scratch (valid until the next call).
 */
static const char *quoted(struct fy *f, const char *p, const char **val, size_t *len)
{
	char q = *p;
	const char *s = p + 1, *c = s;
	for (;;) {
		if (*c == q) {
			if (q == '\'' && c[1] == '\'')
				break;
			*val = s;
			*len = (size_t)(c - s);
			return c + 1;
		}
		if (q == '"' && *c == '\\')
			break;
		if (is_break_or_end(*c))
			return NULL;
		c++;
	}
	/* Escapes: decode into the scratch buffer. */
	const char *close = c;
	for (;;) {
		if (is_break_or_end(*close))
			return NULL;
		if (*close == q) {
			if (q == '\'' && close[1] == '\'') {
				close += 2;
				continue;
			}
			break;
		}
		if (q == '"' && *close == '\\') {
			if (is_break_or_end(close[1]))
				return NULL;  /* an escaped line break: a multi-line scalar */
			close += 2;
			continue;
		}
		close++;
	}
	/* backslash-L: 2 bytes of text, 3 of value */
	if (scratch_room(f, 2 * (size_t)(close - s) + 1) != 0)
		return NULL;
	char *o = f->scratch;
	for (c = s; c < close; c++) {
		if (q == '\'') {
			*o++ = *c;
			if (*c == '\'')
				c++;
			continue;
		}
		if (*c != '\\') {
			*o++ = *c;
			continue;
		}
		c++;
		uint32_t cp = 0;
		/* docker's escapes (yaml_escape.h): what it refuses is declined, and
		 * the loader's libyaml path says docker's words */
		int digits = c2s_yaml_escape((unsigned char)*c, &cp);
		if (digits == C2S_YESC_UNKNOWN)
			return NULL;
		if (digits == C2S_YESC_CHAR && cp < 0x80) {
			*o++ = (char)cp;
			continue;
		}
		for (int i = 1; i <= digits; i++) {
			int h = c + i < close ? hexval(c[i]) : -1;
			if (h < 0)
				return NULL;
			cp = (cp << 4) | (uint32_t)h;
		}
		c += digits;
		if (!c2s_yaml_escape_cp_ok(cp))
			return NULL;
		o += put_utf8(o, cp);
	}
	*val = f->scratch;
	*len = (size_t)(o - f->scratch);
	return close + 1;
}

/* An anchor or alias name after '&' or '*' at p; returns its end or NULL. */
static const char *name_end(const char *p)
{
	const char *q = p + 1;
	while (anchor_char[(unsigned char)*q])
		q++;
	return q > p + 1 ? q : NULL;
}

/* ---- nodes ---- */

static int block_node(struct fy *f, int pcol, const struct anc *a);
static int mapping(struct fy *f, const char *p, int col, const struct anc *a);

/* Inside a flow sequence: skip spaces, line breaks and comments (after a
 * space); NULL declines (a tab, a document marker, a comment glued to a token). */
static const char *flow_space(const char *p)
{
	for (;;) {
		const char *q = p;
		while (*q == ' ')
			q++;
		if (*q == '#') {
			if (q == p && q[-1] != '\n')
				return NULL;
		} else if (*q != '\n' && *q != '\r') {
			return *q == '\t' ? NULL : q;
		}
		q = after_line(q);
		if (*q == '\0')
			return q;
		if (doc_marker(q))
			return NULL;
		p = q;
	}
}

/* A flow sequence of scalars and aliases from the '[' at p, possibly over
 * several lines; *out is just past its ']'. */
static int flow_sequence(struct fy *f, const char *p, const struct anc *a, const char **out)
{
	int r = emit(f, C2S_YEV_SEQUENCE, a ? a->start : off(f, p), 0, NULL, 0, a, C2S_STYLE_FLOW);
	if (r)
		return r;
	if (!(p = flow_space(p + 1)))
		return DECLINE;
	while (*p != ']') {
		const char *stop, *v;
		size_t n;
		if (*p == '"' || *p == '\'') {
			const char *q = quoted(f, p, &v, &n);
			if (!q)
				return DECLINE;
			r = emit(f, C2S_YEV_SCALAR, off(f, p), off(f, q), v, n, NULL,
				 *p == '"' ? C2S_STYLE_DOUBLE : C2S_STYLE_SINGLE);
			stop = q;
		} else if (*p == '*') {
			const char *q = name_end(p);
			if (!q)
				return DECLINE;
			r = emit(f, C2S_YEV_ALIAS, off(f, p), off(f, q), p + 1, (size_t)(q - p - 1), NULL, 0);
			stop = q;
		} else if (plain_start(p)) {
			const char *e = plain_flow(p, &stop);
			if (!e)
				return DECLINE;
			r = emit(f, C2S_YEV_SCALAR, off(f, p), off(f, e), p, (size_t)(e - p), NULL,
				 C2S_STYLE_PLAIN);
		} else {
			return DECLINE;
		}
		if (r)
			return r;
		if (!(p = flow_space(stop)))
			return DECLINE;
		if (*p == ']')
			break;
		if (*p != ',')
			return DECLINE;
		if (!(p = flow_space(p + 1)))
			return DECLINE;
	}
	*out = p + 1;
	return emit(f, C2S_YEV_END, 0, 0, NULL, 0, NULL, 0);
}

/*
 * A node that starts at p on the current line. pcol: the column of the
 * collection holding it (-1 at the top). a: its anchor, if any; a_here:
 * written on this line (then a key here would take it: declined).
 * may_be_key: a scalar followed by ": " starts a block mapping here.
 */
static int inline_node(struct fy *f, const char *p, int pcol, const struct anc *a, int a_here,
		       int may_be_key)
{
	int r;
	const char *q;
	switch (*p) {
	case '*':
		if (a || !(q = name_end(p)))
			return DECLINE;
		r = emit(f, C2S_YEV_ALIAS, off(f, p), off(f, q), p + 1, (size_t)(q - p - 1), NULL, 0);
		return r ? r : end_line(f, q);
	case '[':
		r = flow_sequence(f, p, a, &q);
		return r ? r : end_line(f, q);
	case '|':
	case '>': {
		const char *v, *e;
		size_t n;
		if (!(q = block_scalar(f, p, pcol, &v, &n, &e)))
			return DECLINE;
		r = emit(f, C2S_YEV_SCALAR, a ? a->start : off(f, p), off(f, e), v, n, a,
			 *p == '|' ? C2S_STYLE_LITERAL : C2S_STYLE_FOLDED);
		return r ? r : next_line(f, q);
	}
	case '{':
		q = p + 1;
		while (*q == ' ')
			q++;
		if (*q != '}')
			return DECLINE;
		r = emit(f, C2S_YEV_MAPPING, a ? a->start : off(f, p), 0, NULL, 0, a, C2S_STYLE_FLOW);
		if (!r)
			r = emit(f, C2S_YEV_END, 0, 0, NULL, 0, NULL, 0);
		return r ? r : end_line(f, q + 1);
	case '"':
	case '\'': {
		const char *v;
		size_t n;
		if (!(q = quoted(f, p, &v, &n)))
			return DECLINE;
		const char *s = q;
		while (*s == ' ')
			s++;
		if (*s == ':' && is_blankz(s[1])) {
			if (!may_be_key || (a && a_here))
				return DECLINE;
			return mapping(f, p, f->lind + (int)(p - f->lp), a);
		}
		r = emit(f, C2S_YEV_SCALAR, a ? a->start : off(f, p), off(f, q), v, n, a,
			 *p == '"' ? C2S_STYLE_DOUBLE : C2S_STYLE_SINGLE);
		return r ? r : end_line(f, q);
	}
	default:
		break;
	}
	if (!plain_start(p))
		return DECLINE;
	enum plain_end how;
	const char *stop;
	const char *e = plain_block(p, &how, &stop);
	if (how == P_KEY) {
		if (!may_be_key || (a && a_here))
			return DECLINE;
		return mapping(f, p, f->lind + (int)(p - f->lp), a);
	}
	r = emit(f, C2S_YEV_SCALAR, a ? a->start : off(f, p), off(f, e), p, (size_t)(e - p), a, C2S_STYLE_PLAIN);
	if (r)
		return r;
	if (how == P_COMMENT)
		return next_line(f, after_line(stop));
	if ((r = plain_ends(stop, pcol)) != OK)
		return r;
	return next_line(f, after_line(stop));
}

/*
 * The node after an indicator (the ':' of a key or the '-' of an entry)
 * that ends at p on the current line; col: the column of the collection.
 */
static int after_indicator(struct fy *f, const char *p, int col, int entry)
{
	const char *ind_end = p;
	while (*p == ' ')
		p++;
	struct anc anchor, *a = NULL;
	if (*p == '&') {
		const char *q = name_end(p);
		if (!q || p == ind_end || !is_blankz(*q))
			return DECLINE;
		anchor = (struct anc){p + 1, (size_t)(q - p - 1), off(f, p)};
		a = &anchor;
		p = q;
		while (*p == ' ')
			p++;
	}
	if (*p == '#' || is_break_or_end(*p)) {
		if (*p == '#' && p == ind_end)
			return DECLINE;
		int r = next_line(f, after_line(p));
		if (r)
			return r;
		if (f->lp && f->lind > col)
			return block_node(f, col, a);
		if (!entry && f->lp && f->lind == col && f->lp[0] == '-' && is_blankz(f->lp[1])) {
			/* "key:" then "- item" at the key's column: libyaml's
			 * indentless sequence, with no indentation level of its own. */
			const char *dash = f->lp;
			if (++f->depth > MAX_DEPTH)
				return DECLINE;
			r = emit(f, C2S_YEV_SEQUENCE, a ? a->start : off(f, dash), 0, NULL, 0, a, C2S_STYLE_BLOCK);
			while (!r) {
				r = after_indicator(f, f->lp + 1, col, 1);
				if (r || !f->lp || f->lind < col)
					break;
				if (f->lind > col)
					return DECLINE;
				if (!(f->lp[0] == '-' && is_blankz(f->lp[1])))
					break;
			}
			f->depth--;
			return r ? r : emit(f, C2S_YEV_END, 0, 0, NULL, 0, NULL, 0);
		}
		if (a)
			return DECLINE;  /* an anchored empty node */
		return emit(f, C2S_YEV_SCALAR, off(f, ind_end), off(f, ind_end), ind_end, 0, NULL, C2S_STYLE_PLAIN);
	}
	if (p == ind_end && !entry)
		return DECLINE;
	return inline_node(f, p, col, a, 1, entry);
}

/* A block mapping whose first key starts at p, column col, on the current line. */
static int mapping(struct fy *f, const char *p, int col, const struct anc *a)
{
	if (++f->depth > MAX_DEPTH)
		return DECLINE;
	int r = emit(f, C2S_YEV_MAPPING, a ? a->start : off(f, p), 0, NULL, 0, a, C2S_STYLE_BLOCK);
	while (!r) {
		const char *colon, *e;
		unsigned style;
		const char *v;
		if (*p == '"' || *p == '\'') {
			size_t n;
			const char *q = quoted(f, p, &v, &n);
			if (!q)
				return DECLINE;
			colon = q;
			while (*colon == ' ')
				colon++;
			if (!(*colon == ':' && is_blankz(colon[1])))
				return DECLINE;
			e = q;
			style = *p == '"' ? C2S_STYLE_DOUBLE : C2S_STYLE_SINGLE;
			r = emit(f, C2S_YEV_SCALAR, off(f, p), off(f, e), v, n, NULL, style);
		} else {
			enum plain_end how;
			if (!plain_start(p))
				return DECLINE;
			e = plain_block(p, &how, &colon);
			if (how != P_KEY)
				return DECLINE;
			r = emit(f, C2S_YEV_SCALAR, off(f, p), off(f, e), p, (size_t)(e - p), NULL, C2S_STYLE_PLAIN);
		}
		if (colon - p > MAX_KEY_BYTES)
			return DECLINE;
		if (r || (r = after_indicator(f, colon + 1, col, 0)) != OK)
			break;
		if (!f->lp || f->lind < col)
			break;
		if (f->lind > col)
			return DECLINE;
		p = f->lp;
		if (*p == '-' && is_blankz(p[1]))
			return DECLINE;
	}
	f->depth--;
	return r ? r : emit(f, C2S_YEV_END, 0, 0, NULL, 0, NULL, 0);
}

/* A block sequence whose first '-' is the current line's first byte. */
static int sequence(struct fy *f, const struct anc *a)
{
	int col = f->lind;
	if (++f->depth > MAX_DEPTH)
		return DECLINE;
	int r = emit(f, C2S_YEV_SEQUENCE, a ? a->start : off(f, f->lp), 0, NULL, 0, a, C2S_STYLE_BLOCK);
	while (!r) {
		r = after_indicator(f, f->lp + 1, col, 1);
		if (r || !f->lp || f->lind < col)
			break;
		if (f->lind > col || !(f->lp[0] == '-' && is_blankz(f->lp[1])))
			return DECLINE;
	}
	f->depth--;
	return r ? r : emit(f, C2S_YEV_END, 0, 0, NULL, 0, NULL, 0);
}

/* The node that starts the current line, indented beyond pcol. a: an anchor
 * written on an earlier line. */
static int block_node(struct fy *f, int pcol, const struct anc *a)
{
	const char *p = f->lp;
	if (*p == '-' && is_blankz(p[1]))
		return sequence(f, a);
	if (*p == '&' && !a) {
		/* "key:" then "&anchor" first on a line of its own, or before the
		 * node: the anchor is the node's. */
		const char *q = name_end(p);
		if (!q || !is_blankz(*q))
			return DECLINE;
		struct anc here = {p + 1, (size_t)(q - p - 1), off(f, p)};
		while (*q == ' ')
			q++;
		if (*q == '#' || is_break_or_end(*q)) {
			int r = next_line(f, after_line(q));
			if (r)
				return r;
			if (!f->lp || f->lind <= pcol || *f->lp == '&')
				return DECLINE;
			return block_node(f, pcol, &here);
		}
		return inline_node(f, q, pcol, &here, 1, 1);
	}
	return inline_node(f, p, pcol, a, 0, 1);
}

int c2s_yaml_fast_text(const char *p, size_t n, int ascii)
{
	return text_ok((const unsigned char *)p, (const unsigned char *)p + n, ascii);
}

enum c2s_fast_status c2s_yaml_fast(const char *data, size_t len, size_t bom, int ascii,
				   c2s_yev_sink sink, void *ctx)
{
	if (!c2s_yaml_fast_text(data + bom, len - bom, ascii))
		return C2S_FAST_DECLINED;
	return c2s_yaml_fast_checked(data, len, bom, sink, ctx);
}

enum c2s_fast_status c2s_yaml_fast_checked(const char *data, size_t len, size_t bom, c2s_yev_sink sink, void *ctx)
{
	if (len > UINT32_MAX)
		return C2S_FAST_DECLINED;
	struct fy f = {data, sink, ctx, 0, NULL, -1, NULL, 0};
	/* A "---" alone on the first content line is allowed; other markers,
	 * directives and second documents decline. */
	int r = content_line(&f, data + bom);
	if (r == OK && !f.lp)
		return C2S_FAST_DONE;  /* no document at all */
	if (r == OK && f.lind == 0 && f.lp[0] == '-' && doc_marker(f.lp)) {
		const char *t = f.lp + 3;
		while (*t == ' ')
			t++;
		if (!(*t == '#' && t > f.lp + 3) && !is_break_or_end(*t))
			return C2S_FAST_DECLINED;
		r = next_line(&f, after_line(t));
		if (r == OK && !f.lp)
			return C2S_FAST_DECLINED;  /* "---" and nothing: an empty document */
	} else if (r == OK && f.lind == 0 && doc_marker(f.lp)) {
		return C2S_FAST_DECLINED;
	}
	if (r == OK)
		r = emit(&f, C2S_YEV_DOCUMENT, off(&f, f.lp), 0, NULL, 0, NULL, 0);
	if (r == OK)
		r = block_node(&f, -1, NULL);
	if (r == OK && f.lp)
		r = DECLINE;  /* content after the top node ended */
	free(f.scratch);
	return r == OK ? C2S_FAST_DONE : r == STOPPED ? C2S_FAST_STOPPED : C2S_FAST_DECLINED;
}
