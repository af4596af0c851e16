/* yaml_libyaml.c -- libyaml's events as docker's yaml.v3 gives them: byte positions, docker's escapes. */
#include "config.h"
#include "yaml_fast.h"
#include "yaml_escape.h"
#include "ast.h"
#include "compose2swarm.h"
#include "source.h"

#include <stdlib.h>
#include <string.h>
#include <yaml.h>

/*
 * libyaml differs from yaml.v3 on two escapes of a double-quoted scalar
 * (yaml_escape.h): it takes \/ and refuses \'. A scalar libyaml gave is read
 * again with docker's table, and one holding \/ is refused as docker refuses
 * it. Where libyaml stops on a \', the scalar's \' become a two-letter escape
 * libyaml takes and that gives a control character the scalar does not
 * otherwise hold (the marker), in a copy of the text of the same length (so
 * positions stay); the sink is told to forget what it had (C2S_YEV_RESTART)
 * and libyaml reads the copy from the start; the marker is turned back into '
 * in that scalar's value. The reading again is bounded by C2S_MAX_REREAD_BYTES.
 */

struct ly {
	const char *data;      /* the source */
	size_t len, bom;
	int ascii;
	size_t cursor_chars, cursor_byte; /* char index -> byte offset, moving forward */
	char *text;            /* the copy libyaml reads; NULL: the source itself */
	uint32_t *ends;        /* each mended scalar's end (past its closing quote) */
	char *markers;         /* and the control character standing for ' in it */
	size_t n, cap;
	size_t budget;         /* bytes libyaml may still read again */
	char *value;           /* a mended scalar's value, for the event that carries it */
	struct c2s_yerr *err;
	/* libyaml's reading, watched (feed): */
	const yaml_parser_t *parser;
	size_t fed;            /* bytes given to libyaml */
	size_t mark_chars, mark_byte; /* its scanner's place: characters -> bytes, moving forward */
	size_t last_end;       /* the furthest place an event reached */
	size_t skipped;        /* spaces, comments and indicators after last_end, up to here */
	int in_comment;        /* ... the last of them a comment not yet ended */
	size_t over_at;        /* the token that ran past the limit starts here (when over) */
	int over;
};

/* libyaml counts characters; the AST keeps byte offsets. Marks mostly move
 * forward, so a cursor walks the UTF-8 text; ASCII text needs no walk. */
static uint32_t byte_at_utf8(struct ly *y, size_t chars)
{
	if (chars < y->cursor_chars) {
		y->cursor_chars = 0;
		y->cursor_byte = y->bom;
	}
	y->cursor_byte += c2s_utf8_advance(y->data + y->cursor_byte, y->len - y->cursor_byte, chars - y->cursor_chars);
	y->cursor_chars = chars;
	return (uint32_t)y->cursor_byte;
}

static inline uint32_t byte_at(struct ly *y, size_t chars)
{
	if (!y->ascii)
		return byte_at_utf8(y, chars);
	size_t b = y->bom + chars;
	return (uint32_t)(b > y->len ? y->len : b);
}

static int fail(struct ly *y, enum c2s_yerr_kind kind, const char *problem, const char *context, uint32_t at,
		uint32_t context_at, int value)
{
	y->err->kind = kind;
	y->err->problem = problem;
	y->err->context = context;
	y->err->at = at;
	y->err->context_at = context_at;
	y->err->value = value;
	return -1;
}

static int syntax_error(struct ly *y, yaml_parser_t *p)
{
	if (p->error == YAML_MEMORY_ERROR)
		return fail(y, C2S_YERR_NOMEM, "out of memory", NULL, 0, 0, -1);
	uint32_t at;
	if (p->error == YAML_READER_ERROR)
		at = (uint32_t)(p->problem_offset > y->len ? y->len : p->problem_offset);
	else
		at = byte_at(y, p->problem_mark.index);
	int value = p->error == YAML_READER_ERROR ? p->problem_value : -1;
	uint32_t cat = p->context && p->context_mark.index != p->problem_mark.index
		? byte_at(y, p->context_mark.index) : at;
	return fail(y, C2S_YERR_SYNTAX, p->problem ? p->problem : "cannot parse", p->context, at, cat, value);
}

static unsigned scalar_style(yaml_scalar_style_t s)
{
	switch (s) {
	case YAML_SINGLE_QUOTED_SCALAR_STYLE: return C2S_STYLE_SINGLE;
	case YAML_DOUBLE_QUOTED_SCALAR_STYLE: return C2S_STYLE_DOUBLE;
	case YAML_LITERAL_SCALAR_STYLE: return C2S_STYLE_LITERAL;
	case YAML_FOLDED_SCALAR_STYLE: return C2S_STYLE_FOLDED;
	default: return C2S_STYLE_PLAIN;
	}
}

/* A libyaml event as the loader's event (positions in bytes); 0 for the
 * events the loader does not need. */
static int from_libyaml(struct ly *y, const yaml_event_t *ev, struct c2s_yev *e)
{
	memset(e, 0, sizeof *e);
	const yaml_char_t *anchor = NULL, *tag = NULL;
	e->start = byte_at(y, ev->start_mark.index);
	switch (ev->type) {
	case YAML_SCALAR_EVENT:
		e->type = C2S_YEV_SCALAR;
		e->end = byte_at(y, ev->end_mark.index);
		e->value = (const char *)ev->data.scalar.value;
		e->len = ev->data.scalar.length;
		e->style = scalar_style(ev->data.scalar.style);
		anchor = ev->data.scalar.anchor;
		tag = ev->data.scalar.tag;
		break;
	case YAML_MAPPING_START_EVENT:
		e->type = C2S_YEV_MAPPING;
		e->style = ev->data.mapping_start.style == YAML_FLOW_MAPPING_STYLE ? C2S_STYLE_FLOW : C2S_STYLE_BLOCK;
		anchor = ev->data.mapping_start.anchor;
		tag = ev->data.mapping_start.tag;
		break;
	case YAML_SEQUENCE_START_EVENT:
		e->type = C2S_YEV_SEQUENCE;
		e->style = ev->data.sequence_start.style == YAML_FLOW_SEQUENCE_STYLE ? C2S_STYLE_FLOW : C2S_STYLE_BLOCK;
		anchor = ev->data.sequence_start.anchor;
		tag = ev->data.sequence_start.tag;
		break;
	case YAML_MAPPING_END_EVENT:
	case YAML_SEQUENCE_END_EVENT:
		e->type = C2S_YEV_END;
		break;
	case YAML_ALIAS_EVENT:
		e->type = C2S_YEV_ALIAS;
		e->end = byte_at(y, ev->end_mark.index);
		e->value = (const char *)ev->data.alias.anchor;
		e->len = strlen(e->value);
		break;
	case YAML_DOCUMENT_START_EVENT:
		e->type = C2S_YEV_DOCUMENT;
		break;
	default:
		return 0;  /* stream start and end, document end: nothing for the loader */
	}
	if (anchor) {
		e->anchor = (const char *)anchor;
		e->anchor_len = strlen(e->anchor);
	}
	if (tag) {
		e->tag = (const char *)tag;
		e->tag_len = strlen(e->tag);
	}
	return 1;
}

/* ---- double-quoted scalars: docker's escapes ---- */

static const char unknown_escape[] = "found unknown escape character";
static const char in_quoted[] = "while parsing a quoted scalar";

/* The opening quote of a double-quoted scalar whose event starts at start
 * (its anchor or tag, if any, come first; then spaces, line breaks and
 * comments; neither an anchor nor a tag holds a '"'). */
static uint32_t quote_of(const char *text, uint32_t start, uint32_t end)
{
	uint32_t p = start;
	while (p < end && text[p] != '"') {
		if (text[p] == '#') {
			while (p < end && text[p] != '\n' && text[p] != '\r')
				p++;
		} else if (text[p] == '&' || text[p] == '!') {
			while (p < end && text[p] != ' ' && text[p] != '\t' && text[p] != '\n' && text[p] != '\r')
				p++;
		} else {
			p++;
		}
	}
	return p;
}

/* The escapes of the double-quoted scalar whose opening quote is at q, read
 * with docker's table: stops at the closing quote (its offset in *close) or
 * at an escape docker refuses (its backslash in *bad; 0 when none). used[v]
 * is set for each control character v < 32 an escape gives. */
static void scan_escapes(const char *text, size_t len, uint32_t q, uint32_t *close, uint32_t *bad,
			 unsigned char used[32])
{
	*bad = 0;
	uint32_t p = q + 1;
	while (p < len && text[p] != '"') {
		if (text[p] != '\\') {
			p++;
			continue;
		}
		unsigned char c = p + 1 < len ? (unsigned char)text[p + 1] : 0;
		if (c == '\n' || c == '\r') { /* an escaped line break */
			p += 2;
			continue;
		}
		uint32_t cp = 0;
		int digits = c2s_yaml_escape(c, &cp);
		if (digits == C2S_YESC_UNKNOWN) {
			*bad = p;
			break;
		}
		for (int i = 0; i < digits && p + 2 + (uint32_t)i < len; i++) {
			char h = text[p + 2 + i];
			cp = cp << 4 | (uint32_t)(h <= '9' ? h - '0' : (h | 0x20) - 'a' + 10);
		}
		if (cp < 32)
			used[cp] = 1;
		p += 2 + (uint32_t)digits;
	}
	*close = p < len ? p : (uint32_t)len;  /* an escape cut by the end of the text (found by make fuzz) */
}

/* A double-quoted scalar libyaml gave: refuse an escape docker refuses (\/),
 * and give back the ' a mended scalar's marker stands for (e->value then
 * points to y->value). 0, or -1 with y->err set. */
static int docker_escapes(struct ly *y, struct c2s_yev *e)
{
	const char *text = y->data;
	uint32_t q = quote_of(text, e->start, e->end);
	if (q + 1 >= e->end || memchr(text + q + 1, '\\', e->end - 1 - (q + 1)) == NULL)
		return 0;
	uint32_t close, bad;
	unsigned char used[32] = {0};
	scan_escapes(text, y->len, q, &close, &bad, used);
	if (bad && bad < e->end)
		return fail(y, C2S_YERR_SYNTAX, unknown_escape, in_quoted, bad, q, -1);
	for (size_t i = 0; i < y->n; i++) {
		if (y->ends[i] != e->end)
			continue;
		free(y->value);
		y->value = malloc(e->len + 1);
		if (!y->value)
			return fail(y, C2S_YERR_NOMEM, "out of memory", NULL, 0, 0, -1);
		for (size_t k = 0; k < e->len; k++)
			y->value[k] = e->value[k] == y->markers[i] ? '\'' : e->value[k];
		y->value[e->len] = '\0';
		e->value = y->value;
		break;
	}
	return 0;
}

/* libyaml stopped on an escape: when docker takes it (\'), mend the scalar in
 * the copy and return 1 (read again); 0 when it is an error for docker too;
 * -1 with y->err set (memory, C2S_MAX_REREAD_BYTES). */
static int mend_escape(struct ly *y, const yaml_parser_t *p)
{
	if (p->error != YAML_SCANNER_ERROR || !p->problem || strcmp(p->problem, unknown_escape) != 0)
		return 0;
	const char *text = y->data;
	size_t len = y->len;
	uint32_t at = byte_at(y, p->problem_mark.index), q = byte_at(y, p->context_mark.index), cp;
	if (at + 1 >= len || text[at] != '\\' || text[q] != '"' ||
	    c2s_yaml_escape((unsigned char)text[at + 1], &cp) != C2S_YESC_CHAR || cp != '\'')
		return 0;
	uint32_t close, bad;
	unsigned char used[32] = {0};
	scan_escapes(text, len, q, &close, &bad, used);
	/* escapes libyaml takes that give a control character, which the text
	 * itself cannot hold (the reader refuses raw ones) */
	static const char letters[] = "0abvfe";
	static const unsigned char values[] = {0x00, 0x07, 0x08, 0x0b, 0x0c, 0x1b};
	int m = -1;
	for (int k = 0; k < 6 && m < 0; k++)
		if (!used[values[k]])
			m = k;
	if (m < 0 || bad)
		return 0;  /* every marker taken, or an error for docker too: libyaml's words */
	if (y->budget < len)
		return fail(y, C2S_YERR_LIMIT, "file too large to read again for its \\' escapes", NULL, at, at, -1);
	y->budget -= len;
	if (!y->text) {
		y->text = malloc(len + 1);
		if (!y->text)
			return fail(y, C2S_YERR_NOMEM, "out of memory", NULL, 0, 0, -1);
		memcpy(y->text, text, len + 1);
	}
	if (y->n == y->cap) {
		size_t cap = y->cap ? y->cap * 2 : 8;
		uint32_t *ends = realloc(y->ends, cap * sizeof *ends);
		if (ends)
			y->ends = ends;
		char *markers = ends ? realloc(y->markers, cap) : NULL;
		if (!markers)
			return fail(y, C2S_YERR_NOMEM, "out of memory", NULL, 0, 0, -1);
		y->markers = markers;
		y->cap = cap;
	}
	for (uint32_t i = q + 1; i + 1 < close; i++) {
		if (text[i] != '\\')
			continue;
		if (text[i + 1] == '\'')
			y->text[i + 1] = letters[m];
		i++;  /* the escaped character is not a backslash of its own */
	}
	y->ends[y->n] = close + 1;
	y->markers[y->n] = (char)values[m];
	y->n++;
	return 1;
}

static inline int blank_at(const char *t, size_t n, size_t i)
{
	return i >= n || t[i] == ' ' || t[i] == '\t' || t[i] == '\n' || t[i] == '\r';
}

/* Has the token libyaml is reading run past C2S_MAX_SCALAR_BYTES? Its start is
 * not libyaml's to tell: past the furthest event come only spaces, line
 * breaks, comments and indicators (: ? - , [ ] { }), an anchor or a tag,
 * then the token being read; these are skipped once each (the place and
 * whether it is inside a comment are kept), so the whole reading costs one
 * more pass over the text, and only where an event is that far behind. */
static int token_too_long(struct ly *y)
{
	const char *t = y->text ? y->text : y->data;
	size_t chars = y->parser->mark.index, pos;
	if (y->ascii) {
		pos = y->bom + chars;
	} else {
		if (chars < y->mark_chars) {
			y->mark_chars = 0;
			y->mark_byte = y->bom;
		}
		y->mark_byte += c2s_utf8_advance(t + y->mark_byte, y->len - y->mark_byte, chars - y->mark_chars);
		y->mark_chars = chars;
		pos = y->mark_byte;
	}
	if (pos > y->len)
		pos = y->len;
	if (pos <= y->last_end || pos - y->last_end <= C2S_MAX_SCALAR_BYTES + 2)
		return 0;
	size_t p = y->skipped > y->last_end ? y->skipped : y->last_end;
	while (p < pos) {
		char c = t[p];
		if (y->in_comment) {
			if (c == '\n' || c == '\r')
				y->in_comment = 0;
			p++;
		} else if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == ',' || c == '[' || c == ']' ||
			   c == '{' || c == '}') {
			p++;
		} else if (c == '#') {
			y->in_comment = 1;
			p++;
		} else if ((c == ':' || c == '?' || c == '-') && blank_at(t, y->len, p + 1)) {
			p++;
		} else if (c == '&' || c == '!') {
			size_t q = p;
			while (q < pos && !blank_at(t, y->len, q))
				q++;
			if (q == pos)
				break;  /* the anchor or tag is the token being read */
			p = q;
		} else {
			break;
		}
	}
	y->skipped = p;
	if (p < pos && pos - p > C2S_MAX_SCALAR_BYTES + 2) {
		y->over = 1;
		y->over_at = p;
		return 1;
	}
	return 0;
}

/* libyaml's read handler: the text a piece at a time, none once the token
 * being read is too long (libyaml then stops with an input error). */
static int feed(void *data, unsigned char *buffer, size_t size, size_t *size_read)
{
	struct ly *y = data;
	*size_read = 0;
	if (token_too_long(y))
		return 0;
	size_t n = y->len - y->fed < size ? y->len - y->fed : size;
	memcpy(buffer, (y->text ? y->text : y->data) + y->fed, n);
	y->fed += n;
	*size_read = n;
	return 1;
}

/* One read of the text (or its copy) by libyaml: 0 every event delivered,
 * 1 the sink stopped, 2 a \' was mended (read again), -1 an error. */
static int read_once(struct ly *y, c2s_yev_sink sink, void *ctx)
{
	yaml_parser_t p;
	if (!yaml_parser_initialize(&p))
		return fail(y, C2S_YERR_NOMEM, "out of memory", NULL, 0, 0, -1);
	y->parser = &p;
	y->fed = 0;
	y->mark_chars = 0;
	y->mark_byte = y->bom;
	y->last_end = y->skipped = 0;
	y->in_comment = 0;
	yaml_parser_set_input(&p, feed, y);
	int r;
	for (;;) {
		yaml_event_t ev;
		if (!yaml_parser_parse(&p, &ev)) {
			if (y->over) {
				r = fail(y, C2S_YERR_SCALAR, "scalar too long", NULL, (uint32_t)y->over_at,
					 (uint32_t)y->over_at, -1);
				break;
			}
			r = mend_escape(y, &p);
			if (r == 0)
				r = syntax_error(y, &p);
			else if (r > 0)
				r = 2;
			break;
		}
		struct c2s_yev e;
		r = 0;
		if (from_libyaml(y, &ev, &e)) {
			if (e.type == C2S_YEV_SCALAR && e.style == C2S_STYLE_DOUBLE)
				r = docker_escapes(y, &e);
			if (r == 0 && sink(ctx, &e) != 0)
				r = 1;
		}
		int end = ev.type == YAML_STREAM_END_EVENT;
		size_t ev_end = byte_at(y, ev.end_mark.index);
		if (ev_end > y->last_end) {
			y->last_end = ev_end;
			y->in_comment = 0;
		}
		yaml_event_delete(&ev);
		if (r != 0 || end)
			break;
	}
	yaml_parser_delete(&p);
	return r;
}

int c2s_yaml_libyaml(const char *data, size_t len, size_t bom, int ascii, c2s_yev_sink sink, void *ctx,
		     struct c2s_yerr *err)
{
	struct ly y;
	memset(&y, 0, sizeof y);
	y.data = data;
	y.len = len;
	y.bom = bom;
	y.ascii = ascii;
	y.cursor_byte = bom;
	y.budget = C2S_MAX_REREAD_BYTES;
	y.err = err;
	memset(err, 0, sizeof *err);
	int r;
	while ((r = read_once(&y, sink, ctx)) == 2) {
		struct c2s_yev restart;
		memset(&restart, 0, sizeof restart);
		restart.type = C2S_YEV_RESTART;
		if (sink(ctx, &restart) != 0) {
			r = 1;
			break;
		}
	}
	free(y.text);
	free(y.ends);
	free(y.markers);
	free(y.value);
	return r;
}
