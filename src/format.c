/* format.c -- diagnostics to text, gnu and json: pure functions from a list to bytes. */
#include "config.h"
#include "fingerprint.h"
#include "format.h"
#include "source.h"

#include <cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct palette {
	const char *bold, *reset, *error, *warning, *info, *note, *caret, *hint;
};

static const struct palette plain = {"", "", "", "", "", "", "", ""};
static const struct palette ansi = {
	"\033[1m", "\033[0m", "\033[1;31m", "\033[1;35m", "\033[1;36m", "\033[1;34m", "\033[1;32m", "\033[36m",
};

static const char *severity_colour(const struct palette *p, enum c2s_severity s)
{
	switch (s) {
	case C2S_SEVERITY_ERROR: return p->error;
	case C2S_SEVERITY_WARNING: return p->warning;
	default: return p->info;
	}
}

/* What a diagnostic is called in the report: its severity, or the caller's word for it. */
static const char *word(c2s_diag_label_fn label, const struct c2s_diag *d)
{
	return label ? label(d) : c2s_severity_name(d->severity);
}

static const char *file_name(const struct c2s_span *s)
{
	return s->src ? s->src->name : "compose2swarm";
}

/* Appends without printf: a report holds thousands of findings made of short pieces. */
#define ADD_LIT(out, lit) c2s_buf_put((out), (lit), sizeof(lit) - 1)

static void put_u32(struct c2s_buf *out, uint32_t v)
{
	char tmp[10];
	size_t n = 0;
	do {
		tmp[sizeof tmp - 1 - n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	c2s_buf_put(out, tmp + sizeof tmp - n, n);
}

static void put_fill(struct c2s_buf *out, char c, size_t n)
{
	char *w = n ? c2s_buf_reserve(out, n) : NULL;
	if (w) {
		memset(w, c, n);
		out->len += n;
		out->data[out->len] = '\0';
	}
}

/* ---- text a terminal shows as it is ----
 * A source line or a value quoted in a message may hold an escape sequence
 * (OSC 0 retitles the window, OSC 8 makes a link, CSI 2J clears the screen)
 * or a NUL: the text-like formats (text, gnu, github) print each control
 * character visibly, as \x1b, a C1 control (U+0080..U+009F, which some
 * terminals obey) as \u009b, and a byte that is no UTF-8 as \xff. Tabs stay. */

/* 1: a C0 control (but tab) or DEL; 2: a byte >= 0x80, to be looked at. */
static const unsigned char shown_care[256] = {
	1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	[127] = 1,
	[128] = 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2,
	2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2,
	2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2,
	2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2,
};

/* The code point at p (n > 0 bytes left): its bytes in *step, and how it is
 * shown: 0 as it is, else the columns of its escape (written to esc). */
static size_t shown_as(const char *p, size_t n, size_t *step, char esc[7])
{
	static const char hex[] = "0123456789abcdef";
	unsigned char c = (unsigned char)p[0];
	*step = 1;
	if (!shown_care[c])
		return 0;
	if (shown_care[c] == 2) {
		size_t k = c2s_utf8_advance(p, n, 1);
		if (k >= 2) {
			*step = k;
			unsigned char c1 = (unsigned char)p[1];
			if (k != 2 || c != 0xc2 || c1 >= 0xa0)
				return 0;
			memcpy(esc, "\\u00", 4);
			esc[4] = hex[c1 >> 4];
			esc[5] = hex[c1 & 15];
			return 6;
		}
	}
	esc[0] = '\\';
	esc[1] = 'x';
	esc[2] = hex[c >> 4];
	esc[3] = hex[c & 15];
	return 4;
}

/* The length of s's first run of printable ASCII (0x20..0x7e: shown as it is, a
 * column a byte), read 8 bytes at a time: nearly all of a report's text is. */
static size_t plain_run(const char *s, size_t n)
{
	const uint64_t ones = 0x0101010101010101u, highs = 0x8080808080808080u;
	size_t i = 0;
	for (; i + 8 <= n; i += 8) {
		uint64_t x;
		memcpy(&x, s + i, sizeof x);
		/* a byte below 0x20, or above 0x7e (Bit Twiddling Hacks' hasless and
		 * hasmore: exact as a yes or no) */
		if ((((x - ones * 0x20) & ~x) | ((x + ones * 1) | x)) & highs)
			break;
	}
	while (i < n && (unsigned char)s[i] >= 0x20 && (unsigned char)s[i] < 0x7f)
		i++;
	return i;
}

/* s[0..n) with its control characters shown (see above). */
static void put_shown(struct c2s_buf *out, const char *s, size_t n)
{
	const char *run = s, *end = s + n;
	for (const char *q = s; q < end;) {
		q += plain_run(q, (size_t)(end - q));
		if (q == end)
			break;
		if (!shown_care[(unsigned char)*q]) {
			q++;
			continue;
		}
		size_t step;
		char esc[7];
		size_t w = shown_as(q, (size_t)(end - q), &step, esc);
		if (!w) {
			q += step;
			continue;
		}
		c2s_buf_put(out, run, (size_t)(q - run));
		c2s_buf_put(out, esc, w);
		q += step;
		run = q;
	}
	c2s_buf_put(out, run, (size_t)(end - run));
}

static void put_shown_str(struct c2s_buf *out, const char *s)
{
	put_shown(out, s, strlen(s));
}

static void put_location(struct c2s_buf *out, const struct c2s_span *s)
{
	if (s->src) {
		put_shown_str(out, s->src->name);
		c2s_buf_putc(out, ':');
		put_u32(out, s->line);
		c2s_buf_putc(out, ':');
		put_u32(out, s->column);
	} else {
		ADD_LIT(out, "compose2swarm");
	}
}

/* Columns a code point takes once shown: a tab is kept (-1: copy it). */
static int shown_width(const char *p, size_t n, size_t *step)
{
	char esc[7];
	if (*p == '\t') {
		*step = 1;
		return -1;
	}
	size_t w = shown_as(p, n, step, esc);
	return w ? (int)w : 1;
}

/* The source line, then a caret line under the span. A line longer than
 * C2S_EXCERPT_MAX_CHARS code points is cut to that many around the column,
 * "..." marking each cut end (a 100 MB line printed whole made a 100 MB
 * report); control characters are shown (put_shown) and the caret line
 * counts their escapes' columns, tabs copied so the caret lines up. */
static void put_excerpt(struct c2s_buf *out, const struct c2s_span *s, const struct palette *p)
{
	/* Only the bytes near the finding are read: a code point is at most 4
	 * bytes, so this many either way hold the window and tell whether the
	 * line goes on past it (60,000 findings on one 2.7 MB line of JSON took
	 * six minutes when each counted the whole line). */
	const size_t reach = 4 * ((size_t)C2S_EXCERPT_MAX_CHARS + 1);
	const struct c2s_source *src = s->src;
	if (s->line == 0)
		return;
	const char *lo = src->data + src->bom, *end = src->data + src->len;
	const char *c = src->data + (s->start < src->len ? s->start : src->len);
	if (c < lo)
		c = lo;
	/* the line's start, if within reach (else a character start within reach) */
	const char *ls = c, *bk = (size_t)(c - lo) > reach ? c - reach : lo;
	while (ls > bk && ls[-1] != '\n' && ls[-1] != '\r')
		ls--;
	int ls_known = ls > bk || bk == lo || bk[-1] == '\n' || bk[-1] == '\r';
	while (!ls_known && ls < c && ((unsigned char)*ls & 0xc0) == 0x80)
		ls++;
	/* the line's end, if within reach */
	const char *fw = (size_t)(end - c) > reach ? c + reach : end, *le = c;
	while (le < fw && *le != '\n' && *le != '\r')
		le++;
	int le_known = le < fw || fw == end;
	size_t col0 = s->column > 0 ? s->column - 1 : 0;
	size_t rest = le_known ? c2s_utf8_count(c, (size_t)(le - c)) : C2S_EXCERPT_MAX_CHARS + 1;
	/* the window [from, to): up to C2S_EXCERPT_MAX_CHARS code points, a third
	 * of them before the column when the line is cut (more at its end) */
	size_t first = 0;
	const char *from = ls, *to = le;
	if (col0 + rest > C2S_EXCERPT_MAX_CHARS) {
		size_t back = col0 < C2S_EXCERPT_MAX_CHARS / 3 ? col0 : C2S_EXCERPT_MAX_CHARS / 3;
		if (rest + back < C2S_EXCERPT_MAX_CHARS)
			back = C2S_EXCERPT_MAX_CHARS - rest;
		size_t k = c2s_utf8_count(ls, (size_t)(c - ls));
		if (back > k)
			back = k;
		from = ls + c2s_utf8_advance(ls, (size_t)(c - ls), k - back);
		first = col0 - back;
		to = from + c2s_utf8_advance(from, (size_t)(le - from), C2S_EXCERPT_MAX_CHARS);
	}
	int cut_before = first > 0, cut_after = to < le || !le_known;
	/* printable ASCII: a code point and a column a byte, none decoded */
	int ascii = plain_run(from, (size_t)(to - from)) == (size_t)(to - from);
	c2s_buf_putc(out, ' ');
	c2s_buf_puts(out, p->note);
	size_t before = out->len;
	put_u32(out, s->line);
	size_t gw = out->len - before;
	ADD_LIT(out, " |");
	c2s_buf_puts(out, p->reset);
	c2s_buf_putc(out, ' ');
	if (cut_before)
		ADD_LIT(out, "...");
	put_shown(out, from, (size_t)(to - from));
	if (cut_after)
		ADD_LIT(out, "...");
	ADD_LIT(out, "\n ");
	put_fill(out, ' ', gw + 1);
	c2s_buf_puts(out, p->note);
	c2s_buf_putc(out, '|');
	c2s_buf_puts(out, p->reset);
	c2s_buf_putc(out, ' ');
	if (cut_before)
		ADD_LIT(out, "   ");
	/* the columns of each code point of the window before the caret's */
	const char *i = from;
	size_t col = first;
	if (ascii && col < col0) {
		size_t k = col0 - col < (size_t)(to - i) ? col0 - col : (size_t)(to - i);
		put_fill(out, ' ', k);
		i += k;
		col += k;
	}
	while (i < to && col < col0) {
		size_t step;
		int w = shown_width(i, (size_t)(to - i), &step);
		if (w < 0)
			c2s_buf_putc(out, '\t');
		else
			put_fill(out, ' ', (size_t)w);
		i += step;
		col++;
	}
	/* the span on this line, inside the window, in shown columns; at least one */
	size_t chars = 1;
	if (s->end_line == s->line && s->end_column > s->column)
		chars = s->end_column - s->column;
	else if (s->end_line > s->line)
		chars = rest ? rest : 1;
	size_t width = ascii ? (chars < (size_t)(to - i) ? chars : (size_t)(to - i)) : 0;
	for (size_t k = 0; !ascii && k < chars && i < to; k++) {
		size_t step;
		int w = shown_width(i, (size_t)(to - i), &step);
		width += w < 0 ? 1 : (size_t)w;
		i += step;
	}
	if (width == 0)
		width = 1;
	c2s_buf_puts(out, p->caret);
	c2s_buf_putc(out, '^');
	put_fill(out, '~', width - 1);
	c2s_buf_puts(out, p->reset);
	c2s_buf_putc(out, '\n');
}

static void format_text(const struct c2s_diags *l, const struct c2s_format_options *o, c2s_diag_label_fn label,
			struct c2s_buf *out)
{
	const struct palette *p = o->color ? &ansi : &plain;
	for (size_t i = 0; i < l->n; i++) {
		const struct c2s_diag *d = &l->items[i];
		const struct c2s_span sp = c2s_diags_span(l, i);
		c2s_buf_puts(out, p->bold);
		put_location(out, &sp);
		/* ":%s %s%s:%s %s%s %s[%s]%s\n" */
		c2s_buf_putc(out, ':');
		c2s_buf_puts(out, p->reset);
		c2s_buf_putc(out, ' ');
		c2s_buf_puts(out, severity_colour(p, d->severity));
		c2s_buf_puts(out, word(label, d));
		c2s_buf_putc(out, ':');
		c2s_buf_puts(out, p->reset);
		c2s_buf_putc(out, ' ');
		c2s_buf_puts(out, p->bold);
		put_shown_str(out, d->message);
		c2s_buf_putc(out, ' ');
		c2s_buf_puts(out, p->reset);
		c2s_buf_putc(out, '[');
		c2s_buf_puts(out, c2s_diag_rule(d)->id);
		c2s_buf_putc(out, ']');
		c2s_buf_puts(out, p->reset);
		c2s_buf_putc(out, '\n');
		if (sp.src)
			put_excerpt(out, &sp, p);
		const struct c2s_related *rel = c2s_diag_related_list(l, d);
		for (uint32_t j = 0; rel && j < d->nrelated; j++) {
			const struct c2s_related *r = &rel[j];
			c2s_buf_puts(out, "  ");
			c2s_buf_puts(out, p->bold);
			put_location(out, &r->span);
			c2s_buf_putc(out, ':');
			c2s_buf_puts(out, p->reset);
			c2s_buf_putc(out, ' ');
			c2s_buf_puts(out, p->note);
			ADD_LIT(out, "note:");
			c2s_buf_puts(out, p->reset);
			c2s_buf_putc(out, ' ');
			put_shown_str(out, r->message);
			c2s_buf_putc(out, '\n');
		}
		if (c2s_diag_hint_of(l, d)) {
			ADD_LIT(out, "  ");
			c2s_buf_puts(out, p->hint);
			ADD_LIT(out, "hint:");
			c2s_buf_puts(out, p->reset);
			c2s_buf_putc(out, ' ');
			put_shown_str(out, c2s_diag_hint_of(l, d));
			c2s_buf_putc(out, '\n');
		}
	}
	if (l->dropped)
		c2s_buf_printf(out, "compose2swarm: %zu more diagnostics were not shown (limit %u)\n",
			       l->dropped, (unsigned)C2S_MAX_DIAGNOSTICS);
	size_t e, w, n;
	c2s_diags_count(l, &e, &w, &n);
	if (l->n && !label)
		c2s_buf_printf(out, "%zu %s (%zu %s, %zu %s, %zu %s) in %zu %s\n", l->n + l->dropped,
			       l->n + l->dropped == 1 ? "problem" : "problems", e, e == 1 ? "error" : "errors",
			       w, w == 1 ? "warning" : "warnings", n, n == 1 ? "info" : "infos", o->files,
			       o->files == 1 ? "file" : "files");
}

static void format_gnu(const struct c2s_diags *l, c2s_diag_label_fn label, struct c2s_buf *out)
{
	for (size_t i = 0; i < l->n; i++) {
		const struct c2s_diag *d = &l->items[i];
		const struct c2s_span sp = c2s_diags_span(l, i);
		put_location(out, &sp);
		ADD_LIT(out, ": ");
		c2s_buf_puts(out, word(label, d));
		ADD_LIT(out, ": ");
		put_shown_str(out, d->message);
		ADD_LIT(out, " [");
		c2s_buf_puts(out, c2s_diag_rule(d)->id);
		ADD_LIT(out, "]\n");
	}
}

/* A JSON string as cJSON_PrintUnformatted writes it (cJSON 1.7). */
static void json_str(struct c2s_buf *out, const char *s)
{
	c2s_buf_put_json_string(out, s, "", 0);
}

/* "key":"value" (nothing when value is NULL, as cJSON adds no item then), after a comma unless first. */
static void json_field_str(struct c2s_buf *out, const char *key, const char *value, int first)
{
	if (!value)
		return;
	if (!first)
		c2s_buf_putc(out, ',');
	json_str(out, key);
	c2s_buf_putc(out, ':');
	json_str(out, value);
}

/* A count: cJSON prints a number that is an int with %d. */
static void json_num(struct c2s_buf *out, uint64_t v)
{
	if (v <= 2147483647u) {
		put_u32(out, (uint32_t)v);
	} else {
		char num[32];  /* beyond int: cJSON's %1.15g */
		snprintf(num, sizeof num, "%1.15g", (double)v);
		c2s_buf_puts(out, num);
	}
}

static void json_field_num(struct c2s_buf *out, const char *key, uint64_t v)
{
	c2s_buf_putc(out, ',');
	json_str(out, key);
	c2s_buf_putc(out, ':');
	json_num(out, v);
}

/* The same bytes cJSON_PrintUnformatted gave for this object, written directly:
 * the report of a large file has tens of thousands of findings. */
static int format_json(const struct c2s_diags *l, const struct c2s_format_options *o, c2s_diag_label_fn label,
		       struct c2s_buf *out)
{
	ADD_LIT(out, "{\"diagnostics\":[");
	for (size_t i = 0; i < l->n; i++) {
		const struct c2s_diag *d = &l->items[i];
		const struct c2s_span sp = c2s_diags_span(l, i);
		if (i)
			c2s_buf_putc(out, ',');
		c2s_buf_putc(out, '{');
		json_field_str(out, "rule", c2s_diag_rule(d)->id, 1);
		json_field_str(out, "name", c2s_diag_rule(d)->name, 0);
		json_field_str(out, "severity", c2s_severity_name(d->severity), 0);
		if (label)
			json_field_str(out, "kind", label(d), 0);
		json_field_str(out, "file", file_name(&sp), 0);
		json_field_num(out, "line", sp.line);
		json_field_num(out, "column", sp.column);
		json_field_num(out, "end_line", sp.end_line);
		json_field_num(out, "end_column", sp.end_column);
		json_field_str(out, "message", d->message, 0);
		if (c2s_diag_hint_of(l, d))
			json_field_str(out, "hint", c2s_diag_hint_of(l, d), 0);
		else
			ADD_LIT(out, ",\"hint\":null");
		if (c2s_diag_rule(d)->fixable)
			ADD_LIT(out, ",\"fixable\":true}");
		else
			ADD_LIT(out, ",\"fixable\":false}");
	}
	size_t e, w, n;
	c2s_diags_count(l, &e, &w, &n);
	ADD_LIT(out, "],\"summary\":{\"files\":");
	json_num(out, o->files);
	json_field_num(out, "errors", e);
	json_field_num(out, "warnings", w);
	json_field_num(out, "infos", n);
	ADD_LIT(out, "}}\n");
	return out->failed ? -1 : 0;
}

static int emit_json(cJSON *root, struct c2s_buf *out)
{
	char *text = root ? cJSON_PrintUnformatted(root) : NULL;
	cJSON_Delete(root);
	if (!text)
		return -1;
	c2s_buf_adds(out, text);
	c2s_buf_addc(out, '\n');
	cJSON_free(text);
	return out->failed ? -1 : 0;
}

/* ---- Code Climate (GitLab code quality) ---- */

static const char *codeclimate_severity(enum c2s_severity s)
{
	return s == C2S_SEVERITY_ERROR ? "major" : s == C2S_SEVERITY_WARNING ? "minor" : "info";
}

/* GitLab matches findings between runs by fingerprint: fingerprint.c's do
 * not change when lines are added above a finding. */
static int format_codeclimate(const struct c2s_diags *l, struct c2s_buf *out)
{
	c2s_fingerprint_hex *fps = c2s_fingerprints(l);
	if (l->n && !fps)
		return -1;
	cJSON *root = cJSON_CreateArray();
	for (size_t i = 0; root && i < l->n; i++) {
		const struct c2s_diag *d = &l->items[i];
		const struct c2s_span sp = c2s_diags_span(l, i);
		cJSON *j = cJSON_CreateObject();
		cJSON_AddItemToArray(root, j);
		cJSON_AddStringToObject(j, "type", "issue");
		cJSON_AddStringToObject(j, "check_name", c2s_diag_rule(d)->id);
		cJSON_AddStringToObject(j, "description", d->message);
		cJSON *cats = cJSON_AddArrayToObject(j, "categories");
		cJSON_AddItemToArray(cats, cJSON_CreateString(c2s_diag_rule(d)->tier == C2S_TIER_INPUT ||
							       c2s_diag_rule(d)->tier == C2S_TIER_SCHEMA ? "Bug Risk" : "Compatibility"));
		if (c2s_diag_hint_of(l, d)) {
			cJSON *content = cJSON_AddObjectToObject(j, "content");
			cJSON_AddStringToObject(content, "body", c2s_diag_hint_of(l, d));
		}
		cJSON_AddStringToObject(j, "severity", codeclimate_severity(d->severity));
		cJSON_AddStringToObject(j, "fingerprint", fps[i]);
		cJSON *loc = cJSON_AddObjectToObject(j, "location");
		cJSON_AddStringToObject(loc, "path", file_name(&sp));
		cJSON *pos = cJSON_AddObjectToObject(loc, "positions");
		cJSON *b = cJSON_AddObjectToObject(pos, "begin");
		cJSON_AddNumberToObject(b, "line", sp.line ? sp.line : 1);
		cJSON_AddNumberToObject(b, "column", sp.column ? sp.column : 1);
		cJSON *e = cJSON_AddObjectToObject(pos, "end");
		cJSON_AddNumberToObject(e, "line", sp.end_line ? sp.end_line : 1);
		cJSON_AddNumberToObject(e, "column", sp.end_column ? sp.end_column : 1);
	}
	free(fps);
	return emit_json(root, out);
}

/* ---- XML: checkstyle, junit ---- */

static void xml_text(struct c2s_buf *out, const char *s)
{
	for (; *s; s++) {
		switch (*s) {
		case '&': c2s_buf_adds(out, "&amp;"); break;
		case '<': c2s_buf_adds(out, "&lt;"); break;
		case '>': c2s_buf_adds(out, "&gt;"); break;
		case '"': c2s_buf_adds(out, "&quot;"); break;
		case '\'': c2s_buf_adds(out, "&apos;"); break;
		case '\n': c2s_buf_adds(out, "&#10;"); break;
		case '\t': c2s_buf_adds(out, "&#9;"); break;
		default:
			/* XML 1.0 has no other control characters */
			c2s_buf_addc(out, (unsigned char)*s < 0x20 ? ' ' : *s);
		}
	}
}

static const char *span_file(const struct c2s_diags *l, const struct c2s_diag *d)
{
	struct c2s_source *src = c2s_diag_src(l, d);
	return src ? src->name : "compose2swarm";
}

static void format_checkstyle(const struct c2s_diags *l, struct c2s_buf *out)
{
	c2s_buf_adds(out, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<checkstyle version=\"4.3\">\n");
	for (size_t i = 0; i < l->n; i++) {
		const struct c2s_diag *d = &l->items[i];
		const struct c2s_span sp = c2s_diags_span(l, i);
		if (i == 0 || strcmp(span_file(l, &l->items[i - 1]), span_file(l, d)) != 0) {
			if (i)
				c2s_buf_adds(out, "</file>\n");
			c2s_buf_adds(out, "<file name=\"");
			xml_text(out, span_file(l, d));
			c2s_buf_adds(out, "\">\n");
		}
		c2s_buf_printf(out, "<error line=\"%u\" column=\"%u\" severity=\"%s\" message=\"", sp.line,
			       sp.column, c2s_severity_name(d->severity));
		xml_text(out, d->message);
		c2s_buf_printf(out, "\" source=\"compose2swarm.%s.%s\"/>\n", c2s_diag_rule(d)->id, c2s_diag_rule(d)->name);
	}
	if (l->n)
		c2s_buf_adds(out, "</file>\n");
	c2s_buf_adds(out, "</checkstyle>\n");
}

/* One testsuite per file: a failing testcase per finding, or one passing
 * testcase for a file with none (CI dashboards count the files that passed). */
static void junit_failures(const struct c2s_diags *l, struct c2s_buf *out, size_t i, size_t j)
{
	c2s_buf_adds(out, "<testsuite name=\"");
	xml_text(out, span_file(l, &l->items[i]));
	c2s_buf_printf(out, "\" tests=\"%zu\" failures=\"%zu\" errors=\"0\">\n", j - i, j - i);
	for (size_t k = i; k < j; k++) {
		const struct c2s_diag *d = &l->items[k];
		const struct c2s_span sp = c2s_diags_span(l, k);
		c2s_buf_printf(out, "<testcase name=\"%s %s\" classname=\"", c2s_diag_rule(d)->id, c2s_diag_rule(d)->name);
		xml_text(out, span_file(l, d));
		c2s_buf_printf(out, ":%u:%u\"><failure type=\"%s\" message=\"", sp.line, sp.column,
			       c2s_severity_name(d->severity));
		xml_text(out, d->message);
		c2s_buf_adds(out, "\">");
		xml_text(out, span_file(l, d));
		c2s_buf_printf(out, ":%u:%u: %s: ", sp.line, sp.column, c2s_severity_name(d->severity));
		xml_text(out, d->message);
		c2s_buf_printf(out, " [%s]", c2s_diag_rule(d)->id);
		if (c2s_diag_hint_of(l, d)) {
			c2s_buf_adds(out, "&#10;hint: ");
			xml_text(out, c2s_diag_hint_of(l, d));
		}
		c2s_buf_adds(out, "</failure></testcase>\n");
	}
	c2s_buf_adds(out, "</testsuite>\n");
}

static void junit_pass(struct c2s_buf *out, const char *file)
{
	c2s_buf_adds(out, "<testsuite name=\"");
	xml_text(out, file);
	c2s_buf_adds(out, "\" tests=\"1\" failures=\"0\" errors=\"0\">\n<testcase name=\"compose2swarm lint\" classname=\"");
	xml_text(out, file);
	c2s_buf_adds(out, "\"/>\n</testsuite>\n");
}

/* The end of the run of findings in items[i]'s file. */
static size_t junit_group_end(const struct c2s_diags *l, size_t i)
{
	size_t j = i;
	while (j < l->n && strcmp(span_file(l, &l->items[j]), span_file(l, &l->items[i])) == 0)
		j++;
	return j;
}

static void format_junit(const struct c2s_diags *l, const struct c2s_format_options *o, struct c2s_buf *out)
{
	const struct c2s_source *srcs = o->sources;
	size_t nsrc = srcs ? o->files : 0, clean = 0;
	/* findings are sorted by file: a file that has none is a passing case */
	for (size_t s = 0; s < nsrc; s++) {
		size_t i = 0;
		while (i < l->n && strcmp(span_file(l, &l->items[i]), srcs[s].name) != 0)
			i = junit_group_end(l, i);
		clean += i == l->n;
	}
	c2s_buf_printf(out, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
		       "<testsuites name=\"compose2swarm\" tests=\"%zu\" failures=\"%zu\">\n", l->n + clean, l->n);
	unsigned char *done = NULL;
	size_t ngroups = 0;
	for (size_t i = 0; i < l->n; i = junit_group_end(l, i))
		ngroups++;
	if (ngroups)
		done = calloc(ngroups, 1);
	/* each linted file in order, then findings about no linted file (positionless ones) */
	for (size_t s = 0; s < nsrc; s++) {
		size_t i = 0, g = 0;
		while (i < l->n && strcmp(span_file(l, &l->items[i]), srcs[s].name) != 0)
			i = junit_group_end(l, i), g++;
		if (i == l->n) {
			junit_pass(out, srcs[s].name);
		} else if (!done || !done[g]) {
			junit_failures(l, out, i, junit_group_end(l, i));
			if (done)
				done[g] = 1;
		}
	}
	size_t g = 0;
	for (size_t i = 0; i < l->n; g++) {
		size_t j = junit_group_end(l, i);
		if (!done || !done[g]) {
			int named = 0;
			for (size_t s = 0; done && s < nsrc && !named; s++)
				named = strcmp(srcs[s].name, span_file(l, &l->items[i])) == 0;
			if (!named)
				junit_failures(l, out, i, j);
		}
		i = j;
	}
	free(done);
	c2s_buf_adds(out, "</testsuites>\n");
}

/* ---- GitHub Actions workflow commands ---- */

static void github_escape(struct c2s_buf *out, const char *s, int property)
{
	size_t n = strlen(s);
	for (const char *end = s + n; s < end;) {
		switch (*s) {
		case '%': c2s_buf_adds(out, "%25"); break;
		case '\r': c2s_buf_adds(out, "%0D"); break;
		case '\n': c2s_buf_adds(out, "%0A"); break;
		case ':': c2s_buf_adds(out, property ? "%3A" : ":"); break;
		case ',': c2s_buf_adds(out, property ? "%2C" : ","); break;
		default: {
			/* the log is shown on a terminal-like page: other controls visibly */
			size_t step;
			char esc[7];
			size_t w = shown_as(s, (size_t)(end - s), &step, esc);
			if (w)
				c2s_buf_put(out, esc, w);
			else
				c2s_buf_put(out, s, step);
			s += step;
			continue;
		}
		}
		s++;
	}
}

static void format_github(const struct c2s_diags *l, struct c2s_buf *out)
{
	for (size_t i = 0; i < l->n; i++) {
		const struct c2s_diag *d = &l->items[i];
		const struct c2s_span sp = c2s_diags_span(l, i);
		const char *cmd = d->severity == C2S_SEVERITY_ERROR ? "error"
				  : d->severity == C2S_SEVERITY_WARNING ? "warning" : "notice";
		c2s_buf_printf(out, "::%s ", cmd);
		if (sp.src) {
			c2s_buf_adds(out, "file=");
			github_escape(out, span_file(l, d), 1);
			c2s_buf_printf(out, ",line=%u,col=%u,endLine=%u,endColumn=%u,", sp.line, sp.column,
				       sp.end_line, sp.end_column);
		}
		c2s_buf_printf(out, "title=%s %s::", c2s_diag_rule(d)->id, c2s_diag_rule(d)->name);
		github_escape(out, d->message, 0);
		if (c2s_diag_hint_of(l, d)) {
			c2s_buf_adds(out, "%0Ahint: ");
			github_escape(out, c2s_diag_hint_of(l, d), 0);
		}
		c2s_buf_addc(out, '\n');
	}
}

int c2s_format_diags(const struct c2s_diags *l, const struct c2s_format_options *o, struct c2s_buf *out)
{
	return c2s_format_diags_labeled(l, o, NULL, out);
}

int c2s_format_diags_labeled(const struct c2s_diags *l, const struct c2s_format_options *o, c2s_diag_label_fn label,
			     struct c2s_buf *out)
{
	switch (o->format) {
	case C2S_FORMAT_TEXT:
		format_text(l, o, label, out);
		break;
	case C2S_FORMAT_GNU:
		format_gnu(l, label, out);
		break;
	case C2S_FORMAT_JSON:
		return format_json(l, o, label, out);
	case C2S_FORMAT_SARIF:
		return c2s_format_sarif(l, o, out);
	case C2S_FORMAT_CHECKSTYLE:
		format_checkstyle(l, out);
		break;
	case C2S_FORMAT_JUNIT:
		format_junit(l, o, out);
		break;
	case C2S_FORMAT_GITHUB:
		format_github(l, out);
		break;
	case C2S_FORMAT_CODECLIMATE:
		return format_codeclimate(l, out);
	}
	return out->failed ? -1 : 0;
}

/* ---- names ---- */

static const char *const format_names[] = {"text", "gnu", "json", "sarif", "checkstyle", "junit", "github",
					    "codeclimate"};

int c2s_format_parse(const char *s)
{
	for (int i = 0; i < (int)(sizeof format_names / sizeof *format_names); i++)
		if (strcmp(s, format_names[i]) == 0)
			return i;
	return -1;
}
