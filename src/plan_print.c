/* plan_print.c -- a plan as text (+ create, ~ update, - delete, ! fail, =
 * unchanged) or as JSON (the contract in docs/compose2swarm.1 and
 * docs/schema/plan.schema.json): pure functions from a plan to bytes. */
#include "config.h"
#include "buf.h"
#include "plan.h"

#include <stdlib.h>
#include <string.h>

struct palette {
	const char *create, *update, *delete, *fail, *same, *field, *reset;
};

static const struct palette plain = {"", "", "", "", "", "", ""};
/* lint's colours (format.c): green, yellow, red, bold red, dim, cyan */
static const struct palette ansi = {"\033[32m", "\033[33m", "\033[31m", "\033[1;31m", "\033[2m", "\033[36m",
				    "\033[0m"};

static const char sign[C2S_PLAN_NACTIONS] = {'=', '+', '~', '-', '!'};

static const char *colour(const struct palette *p, enum c2s_plan_action a)
{
	switch (a) {
	case C2S_PLAN_CREATE: return p->create;
	case C2S_PLAN_UPDATE: return p->update;
	case C2S_PLAN_DELETE: return p->delete;
	case C2S_PLAN_FAIL: return p->fail;
	default: return p->same;
	}
}

/* A JSON value on one line ("null" for absent). */
static void put_value(struct c2s_buf *out, const cJSON *v)
{
	if (!v) {
		c2s_buf_puts(out, "null");
		return;
	}
	char *s = cJSON_PrintUnformatted(v);
	if (!s) {
		out->failed = 1;
		return;
	}
	c2s_buf_puts(out, s);
	free(s);
}

static const char *replaces_words(enum c2s_plan_replaces r)
{
	return r == C2S_REPLACES_YES ? "replaces tasks" : r == C2S_REPLACES_MAY ? "may replace tasks" : "keeps tasks";
}

int c2s_plan_print_text(const struct c2s_plan_result *p, int verbose, int color, struct c2s_buf *out)
{
	const struct palette *pal = color ? &ansi : &plain;
	for (size_t i = 0; i < p->n; i++) {
		const struct c2s_plan_change *c = &p->changes[i];
		if (c->action == C2S_PLAN_UNCHANGED && !verbose)
			continue;
		c2s_buf_printf(out, "%s%c %s %s%s", colour(pal, c->action), sign[c->action], c2s_plan_kind_name(c->kind),
			       c->name, pal->reset);
		if (c->action == C2S_PLAN_UPDATE && c->kind == C2S_PLAN_SERVICE)
			c2s_buf_printf(out, " (%s)", replaces_words(c->replaces_tasks));
		c2s_buf_putc(out, '\n');
		for (size_t j = 0; j < c->nfields; j++) {
			const struct c2s_plan_field *f = &c->fields[j];
			c2s_buf_printf(out, "    %s%s%s (%s)", pal->field, f->compose ? f->compose : "-", pal->reset, f->api);
			if (c->kind == C2S_PLAN_SERVICE && f->replaces != C2S_REPLACES_NO)
				c2s_buf_printf(out, " [%s]", replaces_words(f->replaces));
			c2s_buf_puts(out, "\n      before: ");
			put_value(out, f->before);
			c2s_buf_puts(out, "\n      after:  ");
			put_value(out, f->after);
			c2s_buf_putc(out, '\n');
		}
		for (size_t j = 0; j < c->ntasks; j++)
			c2s_buf_printf(out, "    task %s is replaced\n", c->tasks[j]);
		if (c->message[0])
			c2s_buf_printf(out, "    %s\n", c->message);
	}
	c2s_buf_printf(out, "Plan: %zu to create, %zu to update (%zu replace%s tasks), %zu to delete, %zu will fail\n",
		       p->count[C2S_PLAN_CREATE], p->count[C2S_PLAN_UPDATE], p->replacing, p->replacing == 1 ? "s" : "",
		       p->count[C2S_PLAN_DELETE], p->count[C2S_PLAN_FAIL]);
	return out->failed ? -1 : 0;
}

static void put_str(struct c2s_buf *out, const char *s)
{
	c2s_buf_put_json_string(out, s, "", 0);
}

int c2s_plan_print_json(const struct c2s_plan_result *p, struct c2s_buf *out)
{
	c2s_buf_puts(out, "{\"stack\": ");
	put_str(out, p->stack);
	c2s_buf_puts(out, ", \"changes\": [");
	for (size_t i = 0; i < p->n; i++) {
		const struct c2s_plan_change *c = &p->changes[i];
		c2s_buf_printf(out, "%s\n  {\"kind\": \"%s\", \"name\": ", i ? "," : "", c2s_plan_kind_name(c->kind));
		put_str(out, c->name);
		c2s_buf_printf(out, ", \"action\": \"%s\", \"replaces_tasks\": %s, \"fields\": [",
			       c2s_plan_action_name(c->action),
			       c->replaces_tasks == C2S_REPLACES_YES ? "true"
			       : c->replaces_tasks == C2S_REPLACES_MAY ? "null" : "false");
		for (size_t j = 0; j < c->nfields; j++) {
			const struct c2s_plan_field *f = &c->fields[j];
			c2s_buf_puts(out, j ? ", {\"compose\": " : "{\"compose\": ");
			if (f->compose)
				put_str(out, f->compose);
			else
				c2s_buf_puts(out, "null");
			c2s_buf_puts(out, ", \"api\": ");
			put_str(out, f->api);
			c2s_buf_puts(out, ", \"before\": ");
			put_value(out, f->before);
			c2s_buf_puts(out, ", \"after\": ");
			put_value(out, f->after);
			c2s_buf_putc(out, '}');
		}
		c2s_buf_puts(out, "]");
		if (c->ntasks) {
			c2s_buf_puts(out, ", \"tasks\": [");
			for (size_t j = 0; j < c->ntasks; j++) {
				if (j)
					c2s_buf_puts(out, ", ");
				put_str(out, c->tasks[j]);
			}
			c2s_buf_puts(out, "]");
		}
		c2s_buf_puts(out, ", \"message\": ");
		put_str(out, c->message);
		c2s_buf_putc(out, '}');
	}
	c2s_buf_printf(out,
		       "%s],\n \"summary\": {\"create\": %zu, \"update\": %zu, \"delete\": %zu, \"unchanged\": %zu, "
		       "\"fail\": %zu}}\n",
		       p->n ? "\n " : "", p->count[C2S_PLAN_CREATE], p->count[C2S_PLAN_UPDATE], p->count[C2S_PLAN_DELETE],
		       p->count[C2S_PLAN_UNCHANGED], p->count[C2S_PLAN_FAIL]);
	return out->failed ? -1 : 0;
}
