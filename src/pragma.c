/* pragma.c -- find `# compose2swarm ignore=...` comments in a source. */
#include "config.h"
#include "pragma.h"
#include "rules.h"

#include <stdlib.h>
#include <string.h>

static const char marker[] = "compose2swarm";

static int blank(char c)
{
	return c == ' ' || c == '\t';
}

/* The next marker after a '#' and blanks (c2s_pragmas_scan judges what comes
 * before the '#'): '#' is rare where 'c' is not (a memchr for the marker's 'c'
 * stopped 270,000 times in a 10 MB file, memmem took 3 instructions a byte). */
static const char *find(const char *p, const char *end)
{
	size_t n = sizeof marker - 1;
	while (p < end) {
		const char *q = memchr(p, '#', (size_t)(end - p));
		if (!q)
			return NULL;
		for (q++; q < end && blank(*q); q++)
			;
		if ((size_t)(end - q) >= n && memcmp(q, marker, n) == 0)
			return q;
		p = q;
	}
	return NULL;
}

/* Parse the pragma whose marker is at m, with its '#' at hash; 0 when it is not one. */
static int parse(struct c2s_source *src, const char *hash, const char *m, struct c2s_pragma *pg)
{
	const char *data = src->data, *end = data + src->len;
	const char *eol = memchr(m, '\n', (size_t)(end - m));
	if (!eol)
		eol = end;
	const char *p = m + sizeof marker - 1;
	if (p >= eol || !blank(*p))
		return 0;
	while (p < eol && blank(*p))
		p++;
	int whole_file = 0;
	if ((size_t)(eol - p) >= 12 && memcmp(p, "ignore-file=", 12) == 0) {
		whole_file = 1;
		p += 12;
	} else if ((size_t)(eol - p) >= 7 && memcmp(p, "ignore=", 7) == 0) {
		p += 7;
	} else {
		return 0;
	}
	memset(pg, 0, sizeof *pg);
	pg->whole_file = whole_file;
	pg->start = (uint32_t)(hash - data);
	const char *ce = eol;
	while (ce > hash && (ce[-1] == '\r' || blank(ce[-1])))
		ce--;
	pg->end = (uint32_t)(ce - data);
	/* ids: up to blanks, "--" or the end of the line */
	while (p < ce && !blank(*p)) {
		const char *s = p;
		while (p < ce && *p != ',' && !blank(*p))
			p++;
		if (p > s && pg->nids < C2S_PRAGMA_MAX_IDS) {
			char id[64];
			size_t n = (size_t)(p - s);
			struct c2s_pragma_id *x = &pg->ids[pg->nids++];
			x->start = (uint32_t)(s - data);
			x->end = (uint32_t)(p - data);
			x->rule = -1;
			if (n < sizeof id) {
				memcpy(id, s, n);
				id[n] = '\0';
				const struct c2s_rule *r = c2s_rule_find(id);
				if (r)
					x->rule = (int)c2s_rule_index(r);
			}
		}
		if (p < ce && *p == ',')
			p++;
	}
	while (p < ce && blank(*p))
		p++;
	if (ce - p >= 2 && p[0] == '-' && p[1] == '-') {
		p += 2;
		while (p < ce && blank(*p))
			p++;
		pg->has_reason = p < ce;
	}
	/* The line: alone on it (only blanks before '#') it applies to the next line. */
	const char *ls = hash;
	while (ls > data && ls[-1] != '\n')
		ls--;
	const char *q = ls;
	if (ls == data && src->bom)
		q = ls + src->bom;
	while (q < hash && blank(*q))
		q++;
	uint32_t col;
	c2s_source_locate(src, (size_t)(hash - data), &pg->line, &col);
	pg->target = whole_file ? 0 : q == hash ? pg->line + 1 : pg->line;
	return 1;
}

long c2s_pragmas_scan(struct c2s_source *src, struct c2s_pragma **out)
{
	const char *data = src->data, *end = data + src->len, *p = data;
	struct c2s_pragma *v = NULL;
	size_t n = 0, cap = 0;
	*out = NULL;
	while (n < C2S_PRAGMA_MAX && (p = find(p, end)) != NULL) {
		const char *m = p;
		p += sizeof marker - 1;
		/* "#", blanks, marker; the '#' starts a comment: at a line start or after a blank */
		const char *h = m;
		while (h > data && blank(h[-1]))
			h--;
		if (h == data || h[-1] != '#')
			continue;
		h--;
		if (h > data && !blank(h[-1]) && h[-1] != '\n' && !(h - data == (long)src->bom))
			continue;
		struct c2s_pragma pg;
		if (!parse(src, h, m, &pg))
			continue;
		if (n == cap) {
			size_t nc = cap ? cap * 2 : 8;
			struct c2s_pragma *nv = realloc(v, nc * sizeof *nv);
			if (!nv) {
				free(v);
				return -1;
			}
			v = nv;
			cap = nc;
		}
		v[n++] = pg;
	}
	*out = v;
	return (long)n;
}
