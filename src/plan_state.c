/* plan_state.c -- the objects that exist, for `plan`: docker inspect's JSON (any
 * mix of kinds, one array or several concatenated) or the Engine API's list
 * responses, each object filed under its kind by its shape. */
#include "config.h"
#include "compose2swarm.h"
#include "plan.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void c2s_plan_state_init(struct c2s_plan_state *st)
{
	memset(st, 0, sizeof *st);
}

void c2s_plan_state_free(struct c2s_plan_state *st)
{
	for (size_t i = 0; i < st->nroots; i++)
		cJSON_Delete(st->roots[i]);
	free(st->roots);
	for (int k = 0; k < C2S_PLAN_NKINDS; k++)
		free(st->obj[k]);
	for (size_t i = 0; i < st->nrefusals; i++) {
		free(st->refusals[i].name);
		free(st->refusals[i].message);
	}
	free(st->refusals);
	memset(st, 0, sizeof *st);
}

static int grow(void **v, size_t *cap, size_t n, size_t size)
{
	if (n < *cap)
		return 0;
	size_t nc = *cap ? *cap * 2 : 16;
	void *p = realloc(*v, nc * size);
	if (!p)
		return -1;
	*v = p;
	*cap = nc;
	return 0;
}

static int has(const cJSON *o, const char *key)
{
	return cJSON_GetObjectItemCaseSensitive(o, key) != NULL;
}

/* Which kind an inspected object is, by the keys only that kind has; -1: none.
 * docker inspect prints the daemon's JSON for each: a service's Spec holds a
 * TaskTemplate, a task names its ServiceID, a node has a Description, a
 * config's Spec carries its Data (a secret's never does), a network has an
 * "Id" (lower case) and a Driver. */
static int classify(const cJSON *o)
{
	if (!cJSON_IsObject(o))
		return -1;
	const cJSON *spec = cJSON_GetObjectItemCaseSensitive(o, "Spec");
	if (has(o, "ServiceID") && has(o, "ID"))
		return C2S_PLAN_TASK;
	if (cJSON_IsObject(spec)) {
		if (has(spec, "TaskTemplate") || has(spec, "Mode"))
			return C2S_PLAN_SERVICE;
		if (has(o, "Description") && has(o, "Status"))
			return C2S_PLAN_NODE;
		if (has(o, "ID") && cJSON_IsString(cJSON_GetObjectItemCaseSensitive(spec, "Name")))
			return has(spec, "Data") ? C2S_PLAN_CONFIG : C2S_PLAN_SECRET;
		return -1;
	}
	if (has(o, "Id") && has(o, "Driver") && cJSON_IsString(cJSON_GetObjectItemCaseSensitive(o, "Name")))
		return C2S_PLAN_NETWORK;
	return -1;
}

/* 1-based line and column of offset off in text, for messages. */
static void position(const char *text, size_t off, size_t *line, size_t *col)
{
	*line = 1;
	*col = 1;
	for (size_t i = 0; i < off; i++) {
		if (text[i] == '\n') {
			(*line)++;
			*col = 1;
		} else if (((unsigned char)text[i] & 0xC0) != 0x80) {
			(*col)++;
		}
	}
}

static int file_object(struct c2s_plan_state *st, cJSON *o, int kind, const char *what, size_t index, char *err,
		       size_t errn)
{
	int k = kind >= 0 ? kind : classify(o);
	if (k < 0) {
		snprintf(err, errn,
			 "%s: value %zu is not a swarm service, network, secret, config, task or node as "
			 "docker inspect prints them",
			 what, index + 1);
		return -1;
	}
	if (st->total >= C2S_MAX_STATE_OBJECTS) {
		snprintf(err, errn, "%s: more than %u objects (C2S_MAX_STATE_OBJECTS)", what,
			 (unsigned)C2S_MAX_STATE_OBJECTS);
		return -2;
	}
	if (grow((void **)&st->obj[k], &st->cap[k], st->n[k], sizeof *st->obj[k]) != 0) {
		snprintf(err, errn, "out of memory");
		return -2;
	}
	st->obj[k][st->n[k]++] = o;
	st->total++;
	return 0;
}

int c2s_plan_state_add(struct c2s_plan_state *st, const char *text, size_t n, int kind, const char *what,
		       char *err, size_t errn)
{
	size_t off = 0, index = 0;
	if (n > C2S_MAX_STATE_BYTES) {
		snprintf(err, errn, "%s: larger than %zu bytes (C2S_MAX_STATE_BYTES)", what, (size_t)C2S_MAX_STATE_BYTES);
		return -2;
	}
	for (;;) {
		while (off < n && (text[off] == ' ' || text[off] == '\t' || text[off] == '\n' || text[off] == '\r'))
			off++;
		if (off >= n)
			break;
		const char *end = NULL;
		cJSON *root = cJSON_ParseWithLengthOpts(text + off, n - off, &end, 0);
		if (!root) {
			size_t line, col;
			const char *at = cJSON_GetErrorPtr();
			size_t eoff = at && at >= text && at <= text + n ? (size_t)(at - text) : off;
			position(text, eoff, &line, &col);
			snprintf(err, errn, "%s:%zu:%zu: not JSON (what docker inspect prints was expected)", what, line,
				 col);
			return -1;
		}
		if (grow((void **)&st->roots, &st->caproots, st->nroots, sizeof *st->roots) != 0) {
			cJSON_Delete(root);
			snprintf(err, errn, "out of memory");
			return -2;
		}
		st->roots[st->nroots++] = root;
		if (cJSON_IsArray(root)) {
			cJSON *o;
			cJSON_ArrayForEach(o, root) {
				int r = file_object(st, o, kind, what, index++, err, errn);
				if (r != 0)
					return r;
			}
		} else {
			int r = file_object(st, root, kind, what, index++, err, errn);
			if (r != 0)
				return r;
		}
		off = (size_t)(end - text);
	}
	return 0;
}

int c2s_plan_state_adopt(struct c2s_plan_state *st, cJSON *root, int kind, char *err, size_t errn)
{
	if (!root)
		return 0;
	if (grow((void **)&st->roots, &st->caproots, st->nroots, sizeof *st->roots) != 0) {
		cJSON_Delete(root);
		snprintf(err, errn, "out of memory");
		return -2;
	}
	st->roots[st->nroots++] = root;
	if (!cJSON_IsArray(root))
		return file_object(st, root, kind, "the daemon's answer", 0, err, errn);
	size_t index = 0;
	cJSON *o;
	cJSON_ArrayForEach(o, root) {
		int r = file_object(st, o, kind, "the daemon's answer", index++, err, errn);
		if (r != 0)
			return r;
	}
	return 0;
}

int c2s_plan_state_refuse(struct c2s_plan_state *st, enum c2s_plan_kind kind, const char *name, const char *message)
{
	struct c2s_plan_refusal *v = realloc(st->refusals, (st->nrefusals + 1) * sizeof *v);
	if (!v)
		return -1;
	st->refusals = v;
	v[st->nrefusals].kind = kind;
	v[st->nrefusals].name = strdup(name);
	v[st->nrefusals].message = strdup(message);
	st->nrefusals++;
	return v[st->nrefusals - 1].name && v[st->nrefusals - 1].message ? 0 : -1;
}
