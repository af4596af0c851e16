/* format.c -- diagnostics to text, gnu and json: pure functions from a list to bytes. */
#include "config.h"
#include "format.h"
#include "source.h"

#include <cJSON.h>
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

static const char *file_name(const struct c2s_span *s)
{
	return s->src ? s->src->name : "compose2swarm";
}

static void put_location(struct c2s_buf *out, const struct c2s_span *s)
{
	if (s->src)
		c2s_buf_printf(out, "%s:%u:%u", s->src->name, s->line, s->column);
	else
		c2s_buf_adds(out, "compose2swarm");
}

/* The source line, then a caret line: tabs copied so the caret lines up,
 * each other character (a code point) as one space. */
static void put_excerpt(struct c2s_buf *out, const struct c2s_span *s, const struct palette *p)
{
	size_t len;
	const char *text = c2s_source_line(s->src, s->line, &len);
	if (!text)
		return;
	char gutter[16];
	int gw = snprintf(gutter, sizeof gutter, "%u", s->line);
	c2s_buf_printf(out, " %s%s |%s ", p->note, gutter, p->reset);
	c2s_buf_add(out, text, len);
	c2s_buf_printf(out, "\n %*s %s|%s ", gw, "", p->note, p->reset);
	uint32_t col = 1;
	size_t i = 0;
	while (i < len && col < s->column) {
		size_t step = c2s_utf8_advance(text + i, len - i, 1);
		c2s_buf_addc(out, text[i] == '\t' ? '\t' : ' ');
		i += step ? step : 1;
		col++;
	}
	/* Width: to the span's end on this line, at least one. */
	uint32_t width = 1;
	if (s->end_line == s->line && s->end_column > s->column)
		width = s->end_column - s->column;
	else if (s->end_line > s->line)
		width = (uint32_t)(c2s_utf8_count(text, len) + 1 > s->column
				   ? c2s_utf8_count(text, len) + 1 - s->column : 1);
	c2s_buf_adds(out, p->caret);
	c2s_buf_addc(out, '^');
	for (uint32_t k = 1; k < width; k++)
		c2s_buf_addc(out, '~');
	c2s_buf_printf(out, "%s\n", p->reset);
}

static void format_text(const struct c2s_diags *l, const struct c2s_format_options *o, struct c2s_buf *out)
{
	const struct palette *p = o->color ? &ansi : &plain;
	for (size_t i = 0; i < l->n; i++) {
		const struct c2s_diag *d = &l->items[i];
		c2s_buf_adds(out, p->bold);
		put_location(out, &d->span);
		c2s_buf_printf(out, ":%s %s%s:%s %s%s %s[%s]%s\n", p->reset, severity_colour(p, d->severity),
			       c2s_severity_name(d->severity), p->reset, p->bold, d->message, p->reset,
			       d->rule->id, p->reset);
		if (d->span.src)
			put_excerpt(out, &d->span, p);
		for (uint32_t j = 0; j < d->nrelated; j++) {
			const struct c2s_related *r = &d->related[j];
			c2s_buf_adds(out, "  ");
			c2s_buf_adds(out, p->bold);
			put_location(out, &r->span);
			c2s_buf_printf(out, ":%s %snote:%s %s\n", p->reset, p->note, p->reset, r->message);
		}
		if (d->hint)
			c2s_buf_printf(out, "  %shint:%s %s\n", p->hint, p->reset, d->hint);
	}
	if (l->dropped)
		c2s_buf_printf(out, "compose2swarm: %zu more diagnostics were not shown (limit %u)\n",
			       l->dropped, (unsigned)C2S_MAX_DIAGNOSTICS);
	size_t e, w, n;
	c2s_diags_count(l, &e, &w, &n);
	if (l->n)
		c2s_buf_printf(out, "%zu %s (%zu %s, %zu %s, %zu %s) in %zu %s\n", l->n + l->dropped,
			       l->n + l->dropped == 1 ? "problem" : "problems", e, e == 1 ? "error" : "errors",
			       w, w == 1 ? "warning" : "warnings", n, n == 1 ? "info" : "infos", o->files,
			       o->files == 1 ? "file" : "files");
}

static void format_gnu(const struct c2s_diags *l, struct c2s_buf *out)
{
	for (size_t i = 0; i < l->n; i++) {
		const struct c2s_diag *d = &l->items[i];
		put_location(out, &d->span);
		c2s_buf_printf(out, ": %s: %s [%s]\n", c2s_severity_name(d->severity), d->message, d->rule->id);
	}
}

static int format_json(const struct c2s_diags *l, const struct c2s_format_options *o, struct c2s_buf *out)
{
	cJSON *root = cJSON_CreateObject();
	cJSON *list = cJSON_AddArrayToObject(root, "diagnostics");
	if (!root || !list)
		goto fail;
	for (size_t i = 0; i < l->n; i++) {
		const struct c2s_diag *d = &l->items[i];
		cJSON *j = cJSON_CreateObject();
		if (!j)
			goto fail;
		cJSON_AddItemToArray(list, j);
		cJSON_AddStringToObject(j, "rule", d->rule->id);
		cJSON_AddStringToObject(j, "name", d->rule->name);
		cJSON_AddStringToObject(j, "severity", c2s_severity_name(d->severity));
		cJSON_AddStringToObject(j, "file", file_name(&d->span));
		cJSON_AddNumberToObject(j, "line", d->span.line);
		cJSON_AddNumberToObject(j, "column", d->span.column);
		cJSON_AddNumberToObject(j, "end_line", d->span.end_line);
		cJSON_AddNumberToObject(j, "end_column", d->span.end_column);
		cJSON_AddStringToObject(j, "message", d->message);
		if (d->hint)
			cJSON_AddStringToObject(j, "hint", d->hint);
		else
			cJSON_AddNullToObject(j, "hint");
		cJSON_AddBoolToObject(j, "fixable", d->rule->fixable);
	}
	size_t e, w, n;
	c2s_diags_count(l, &e, &w, &n);
	cJSON *sum = cJSON_AddObjectToObject(root, "summary");
	if (!sum)
		goto fail;
	cJSON_AddNumberToObject(sum, "files", (double)o->files);
	cJSON_AddNumberToObject(sum, "errors", (double)e);
	cJSON_AddNumberToObject(sum, "warnings", (double)w);
	cJSON_AddNumberToObject(sum, "infos", (double)n);
	char *text = cJSON_PrintUnformatted(root);
	if (!text)
		goto fail;
	c2s_buf_adds(out, text);
	c2s_buf_addc(out, '\n');
	cJSON_free(text);
	cJSON_Delete(root);
	return out->failed ? -1 : 0;
fail:
	cJSON_Delete(root);
	return -1;
}

int c2s_format_diags(const struct c2s_diags *l, const struct c2s_format_options *o, struct c2s_buf *out)
{
	switch (o->format) {
	case C2S_FORMAT_TEXT:
		format_text(l, o, out);
		break;
	case C2S_FORMAT_GNU:
		format_gnu(l, out);
		break;
	case C2S_FORMAT_JSON:
		return format_json(l, o, out);
	}
	return out->failed ? -1 : 0;
}

/* ---- names ---- */

static const char *const severity_names[] = {"none", "info", "warning", "error"};

const char *c2s_severity_name(enum c2s_severity sev)
{
	return (unsigned)sev < 4 ? severity_names[sev] : "?";
}

int c2s_severity_parse(const char *s)
{
	for (int i = 0; i < 4; i++)
		if (strcmp(s, severity_names[i]) == 0)
			return i;
	return -1;
}

static const char *const format_names[] = {"text", "gnu", "json"};

int c2s_format_parse(const char *s)
{
	for (int i = 0; i < (int)(sizeof format_names / sizeof *format_names); i++)
		if (strcmp(s, format_names[i]) == 0)
			return i;
	return -1;
}
