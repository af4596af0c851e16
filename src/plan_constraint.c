/* plan_constraint.c -- swarmkit's placement constraints, as
 * manager/constraint/constraint.go parses and matches them: "==" or "!=",
 * the first found in that order; key and value trimmed; values compared
 * without regard to case; an unknown key matches no node. */
#include "config.h"
#include "plan_constraint.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static char *trimmed(const char *s, size_t n)
{
	while (n && isspace((unsigned char)*s)) {
		s++;
		n--;
	}
	while (n && isspace((unsigned char)s[n - 1]))
		n--;
	return strndup(s, n);
}

void c2s_constraints_free(struct c2s_constraints *cs)
{
	for (size_t i = 0; i < cs->n; i++) {
		free(cs->v[i].key);
		free(cs->v[i].value);
	}
	free(cs->v);
	cs->v = NULL;
	cs->n = 0;
}

int c2s_constraints_parse(struct c2s_constraints *cs, const cJSON *list)
{
	static const char *const ops[] = {"==", "!="};
	size_t n = (size_t)cJSON_GetArraySize(list);
	cs->n = 0;
	cs->v = calloc(n + 1, sizeof *cs->v);
	if (!cs->v)
		return -1;
	const cJSON *e;
	cJSON_ArrayForEach(e, list) {
		if (!cJSON_IsString(e))
			continue;
		const char *s = e->valuestring, *at = NULL;
		int op = 0;
		for (; op < 2 && !(at = strstr(s, ops[op])); op++)
			;
		if (!at) {
			c2s_constraints_free(cs);
			return 1;
		}
		struct c2s_constraint *c = &cs->v[cs->n];
		c->noteq = op == 1;
		c->key = trimmed(s, (size_t)(at - s));
		c->value = trimmed(at + 2, strlen(at + 2));
		cs->n++;
		if (!c->key || !c->value) {
			c2s_constraints_free(cs);
			return -1;
		}
	}
	return 0;
}

static const cJSON *get(const cJSON *o, const char *k)
{
	return o ? cJSON_GetObjectItemCaseSensitive(o, k) : NULL;
}

static const char *str(const cJSON *v)
{
	return cJSON_IsString(v) ? v->valuestring : "";
}

static int match(const struct c2s_constraint *c, const char *what)
{
	int m = strcasecmp(c->value, what) == 0;
	return c->noteq ? !m : m;
}

static int prefixed(const char *key, const char *prefix)
{
	size_t n = strlen(prefix);
	return strlen(key) > n && strncasecmp(key, prefix, n) == 0;
}

/* node.ip: one address, or a CIDR subnet; a malformed one matches nothing. */
static int match_ip(const struct c2s_constraint *c, const char *addr)
{
	unsigned char want[16], have[16];
	int fam = strchr(c->value, ':') ? AF_INET6 : AF_INET, len = fam == AF_INET6 ? 16 : 4;
	char buf[64];
	int bits = len * 8;
	const char *slash = strchr(c->value, '/');
	snprintf(buf, sizeof buf, "%.*s", slash ? (int)(slash - c->value) : (int)strlen(c->value), c->value);
	if (slash) {
		char *end;
		long b = strtol(slash + 1, &end, 10);
		if (*end || b < 0 || b > bits)
			return 0;
		bits = (int)b;
	}
	if (inet_pton(fam, buf, want) != 1)
		return 0;
	int inside = inet_pton(fam, addr, have) == 1;
	for (int i = 0; inside && i < bits; i++)
		if ((want[i / 8] ^ have[i / 8]) & (0x80 >> (i % 8)))
			inside = 0;
	return c->noteq ? !inside : inside;
}

int c2s_constraints_match(const struct c2s_constraints *cs, const cJSON *node)
{
	const cJSON *desc = get(node, "Description"), *spec = get(node, "Spec");
	const cJSON *plat = get(desc, "Platform");
	for (size_t i = 0; i < cs->n; i++) {
		const struct c2s_constraint *c = &cs->v[i];
		const char *k = c->key;
		int ok;
		if (strcasecmp(k, "node.id") == 0)
			ok = match(c, str(get(node, "ID")));
		else if (strcasecmp(k, "node.hostname") == 0)
			ok = match(c, str(get(desc, "Hostname")));
		else if (strcasecmp(k, "node.ip") == 0)
			ok = match_ip(c, str(get(get(node, "Status"), "Addr")));
		else if (strcasecmp(k, "node.role") == 0)
			/* the node's role now: a manager has a ManagerStatus */
			ok = match(c, get(node, "ManagerStatus") ? "manager"
				   : *str(get(spec, "Role"))    ? str(get(spec, "Role"))
								: "worker");
		else if (strcasecmp(k, "node.platform.os") == 0)
			ok = match(c, str(get(plat, "OS")));
		else if (strcasecmp(k, "node.platform.arch") == 0)
			ok = match(c, str(get(plat, "Architecture")));
		else if (prefixed(k, "node.labels."))
			ok = match(c, str(get(get(spec, "Labels"), k + 12)));
		else if (prefixed(k, "engine.labels."))
			ok = match(c, str(get(get(get(desc, "Engine"), "Labels"), k + 14)));
		else
			ok = 0;
		if (!ok)
			return 0;
	}
	return 1;
}
