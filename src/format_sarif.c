/* format_sarif.c -- diagnostics as SARIF 2.1.0, the way GitHub code scanning takes them:
 * rules with their documentation (docs/rules/ID.md, compiled in), artifact URIs
 * relative to %SRCROOT% and percent-encoded, columns in code points, and
 * partialFingerprints that do not move with the lines (fingerprint.c). */
#include "config.h"
#include "fingerprint.h"
#include "format.h"
#include "source.h"

#include <cJSON.h>
#include <stdlib.h>
#include <string.h>

/* The key under partialFingerprints; a new way of computing them gets a new version. */
#define SARIF_FINGERPRINT_KEY "compose2swarm/v1"

static const char *sarif_level(enum c2s_severity s)
{
	return s == C2S_SEVERITY_ERROR ? "error" : s == C2S_SEVERITY_WARNING ? "warning" : "note";
}

/* RFC 3986: unreserved characters and '/' as they are, every other byte %XX. */
static void percent_encode(struct c2s_buf *b, const char *s, size_t n)
{
	static const char hex[] = "0123456789ABCDEF";
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
		    c == '.' || c == '_' || c == '~' || c == '/') {
			c2s_buf_addc(b, (char)c);
		} else {
			c2s_buf_addc(b, '%');
			c2s_buf_addc(b, hex[c >> 4]);
			c2s_buf_addc(b, hex[c & 15]);
		}
	}
}

/* root/path (or path when absolute) with "." and ".." segments and repeated
 * '/' taken out, lexically: the file need not exist any more. */
static void normalize_path(struct c2s_buf *b, const char *root, const char *path)
{
	struct c2s_buf all;
	c2s_buf_init(&all, (size_t)1 << 16);
	if (path[0] != '/' && root) {
		c2s_buf_adds(&all, root);
		c2s_buf_addc(&all, '/');
	}
	c2s_buf_adds(&all, path);
	for (const char *p = all.data ? all.data : ""; *p;) {
		while (*p == '/')
			p++;
		const char *q = p;
		while (*q && *q != '/')
			q++;
		size_t n = (size_t)(q - p);
		if (n == 0 || (n == 1 && p[0] == '.')) {
			/* nothing */
		} else if (n == 2 && p[0] == '.' && p[1] == '.') {
			while (b->len && b->data[b->len - 1] != '/')
				b->len--;
			if (b->len)
				b->len--;
			if (b->data)
				b->data[b->len] = '\0';
		} else {
			c2s_buf_addc(b, '/');
			c2s_buf_add(b, p, n);
		}
		p = q;
	}
	if (!b->len)
		c2s_buf_addc(b, '/');
	c2s_buf_free(&all);
}

/* The artifactLocation of a file as reported: a relative URI against %SRCROOT%
 * when the file is under it, else an absolute file: URI. */
static void artifact_location(cJSON *art, const char *name, const char *root)
{
	struct c2s_buf path, uri;
	c2s_buf_init(&path, (size_t)1 << 16);
	c2s_buf_init(&uri, (size_t)1 << 18);
	size_t rl = root ? strlen(root) : 0;
	if (!root || strcmp(name, "-") == 0) {
		percent_encode(&uri, name, strlen(name));
		cJSON_AddStringToObject(art, "uri", uri.data ? uri.data : "");
		if (root)
			cJSON_AddStringToObject(art, "uriBaseId", "%SRCROOT%");
	} else {
		normalize_path(&path, root, name);
		const char *p = path.data ? path.data : "/";
		if (rl && strncmp(p, root, rl) == 0 && (p[rl] == '/' || (rl == 1 && root[0] == '/')) &&
		    p[rl == 1 ? 1 : rl + 1]) {
			const char *rel = p + (rl == 1 ? 1 : rl + 1);
			percent_encode(&uri, rel, strlen(rel));
			cJSON_AddStringToObject(art, "uri", uri.data ? uri.data : "");
			cJSON_AddStringToObject(art, "uriBaseId", "%SRCROOT%");
		} else {
			c2s_buf_adds(&uri, "file://");
			percent_encode(&uri, p, strlen(p));
			cJSON_AddStringToObject(art, "uri", uri.data ? uri.data : "");
		}
	}
	c2s_buf_free(&path);
	c2s_buf_free(&uri);
}

static cJSON *sarif_location(const struct c2s_span *s, const char *message, const char *root)
{
	cJSON *loc = cJSON_CreateObject();
	cJSON *phys = cJSON_AddObjectToObject(loc, "physicalLocation");
	cJSON *art = cJSON_AddObjectToObject(phys, "artifactLocation");
	if (!art)
		return loc;
	artifact_location(art, s->src->name, root);
	cJSON *r = cJSON_AddObjectToObject(phys, "region");
	cJSON_AddNumberToObject(r, "startLine", s->line ? s->line : 1);
	cJSON_AddNumberToObject(r, "startColumn", s->column ? s->column : 1);
	/* SARIF's end column is one past the region, as ours is; an empty span shows one character */
	uint32_t end_line = s->end_line ? s->end_line : s->line, end_col = s->end_column;
	if (end_line < s->line || (end_line == s->line && end_col <= s->column)) {
		end_line = s->line ? s->line : 1;
		end_col = (s->column ? s->column : 1) + 1;
	}
	cJSON_AddNumberToObject(r, "endLine", end_line);
	cJSON_AddNumberToObject(r, "endColumn", end_col);
	if (message) {
		cJSON *m = cJSON_AddObjectToObject(loc, "message");
		cJSON_AddStringToObject(m, "text", message);
	}
	return loc;
}

/* The first paragraph of a rule's page (after its title and its severity line), as one line. */
static char *first_paragraph(const char *doc)
{
	const char *p = doc;
	for (;;) {
		while (*p == '\n')
			p++;
		if (!*p)
			return NULL;
		if (*p != '#' && strncmp(p, "**Severity", 10) != 0)
			break;
		p = strchr(p, '\n');
		if (!p)
			return NULL;
	}
	const char *end = strstr(p, "\n\n");
	size_t n = end ? (size_t)(end - p) : strlen(p);
	char *t = malloc(n + 1);
	if (!t)
		return NULL;
	for (size_t i = 0; i < n; i++)
		t[i] = p[i] == '\n' ? ' ' : p[i];
	t[n] = '\0';
	return t;
}

/* helpUri from --docs-url / docs-url: "{id}" in it is replaced by the id, else
 * ID.md is added after a '/' (a base such as .../blob/main/docs/rules). */
static char *help_uri(const char *base, const char *id)
{
	struct c2s_buf b;
	c2s_buf_init(&b, (size_t)1 << 16);
	const char *at = strstr(base, "{id}");
	if (at) {
		c2s_buf_add(&b, base, (size_t)(at - base));
		c2s_buf_adds(&b, id);
		c2s_buf_adds(&b, at + 4);
	} else {
		c2s_buf_adds(&b, base);
		if (b.len && b.data[b.len - 1] != '/')
			c2s_buf_addc(&b, '/');
		c2s_buf_printf(&b, "%s.md", id);
	}
	if (b.failed) {
		c2s_buf_free(&b);
		return NULL;
	}
	return b.data;
}

static void sarif_rule(cJSON *rules, const struct c2s_rule *r, const struct c2s_format_options *o)
{
	cJSON *jr = cJSON_CreateObject();
	cJSON_AddItemToArray(rules, jr);
	cJSON_AddStringToObject(jr, "id", r->id);
	cJSON_AddStringToObject(jr, "name", r->name);
	cJSON *sd = cJSON_AddObjectToObject(jr, "shortDescription");
	cJSON_AddStringToObject(sd, "text", r->title);
	const char *doc = c2s_rule_doc(r);
	char *para = doc ? first_paragraph(doc) : NULL;
	cJSON *fd = cJSON_AddObjectToObject(jr, "fullDescription");
	cJSON_AddStringToObject(fd, "text", para ? para : r->title);
	free(para);
	if (o->docs_url) {
		char *uri = help_uri(o->docs_url, r->id);
		if (uri)
			cJSON_AddStringToObject(jr, "helpUri", uri);
		free(uri);
	}
	cJSON *help = cJSON_AddObjectToObject(jr, "help");
	cJSON_AddStringToObject(help, "text", doc ? doc : r->title);
	cJSON_AddStringToObject(help, "markdown", doc ? doc : r->title);
	cJSON *dc = cJSON_AddObjectToObject(jr, "defaultConfiguration");
	cJSON_AddStringToObject(dc, "level", sarif_level(r->severity ? r->severity : C2S_SEVERITY_WARNING));
	cJSON *props = cJSON_AddObjectToObject(jr, "properties");
	cJSON_AddStringToObject(props, "tier", c2s_tiers[r->tier].name);
	cJSON_AddBoolToObject(props, "fixable", r->fixable);
	cJSON *tags = cJSON_AddArrayToObject(props, "tags");
	cJSON_AddItemToArray(tags, cJSON_CreateString("docker-swarm"));
	cJSON_AddItemToArray(tags, cJSON_CreateString(c2s_tiers[r->tier].name));
}

int c2s_format_sarif(const struct c2s_diags *l, const struct c2s_format_options *o, struct c2s_buf *out)
{
	c2s_fingerprint_hex *fps = c2s_fingerprints(l);
	if (l->n && !fps)
		return -1;
	/* rules: those with results, in table order; ruleIndex points into this list */
	int index[C2S_RULE_COUNT];
	for (int i = 0; i < C2S_RULE_COUNT; i++)
		index[i] = -1;
	for (size_t i = 0; i < l->n; i++)
		index[l->items[i].rule_index] = 0;
	cJSON *root = cJSON_CreateObject();
	cJSON_AddStringToObject(root, "$schema", "https://json.schemastore.org/sarif-2.1.0.json");
	cJSON_AddStringToObject(root, "version", "2.1.0");
	cJSON *runs = cJSON_AddArrayToObject(root, "runs");
	cJSON *run = cJSON_CreateObject();
	cJSON_AddItemToArray(runs, run);
	cJSON *tool = cJSON_AddObjectToObject(run, "tool");
	cJSON *driver = cJSON_AddObjectToObject(tool, "driver");
	cJSON_AddStringToObject(driver, "name", "compose2swarm");
	cJSON_AddStringToObject(driver, "version", C2S_VERSION);
	cJSON_AddStringToObject(driver, "semanticVersion", C2S_VERSION);
	cJSON_AddStringToObject(driver, "informationUri", C2S_HOME_URL);
	cJSON *rules = cJSON_AddArrayToObject(driver, "rules");
	int nrules = 0;
	for (int i = 0; rules && i < C2S_RULE_COUNT; i++) {
		if (index[i] < 0)
			continue;
		index[i] = nrules++;
		sarif_rule(rules, &c2s_rules[i], o);
	}
	if (o->srcroot) {
		struct c2s_buf u;
		c2s_buf_init(&u, (size_t)1 << 18);
		c2s_buf_adds(&u, "file://");
		percent_encode(&u, o->srcroot, strlen(o->srcroot));
		if (u.len && u.data[u.len - 1] != '/')
			c2s_buf_addc(&u, '/');
		cJSON *bases = cJSON_AddObjectToObject(run, "originalUriBaseIds");
		cJSON *srcroot = cJSON_AddObjectToObject(bases, "%SRCROOT%");
		cJSON_AddStringToObject(srcroot, "uri", u.data ? u.data : "file:///");
		c2s_buf_free(&u);
	}
	cJSON *results = cJSON_AddArrayToObject(run, "results");
	for (size_t i = 0; results && i < l->n; i++) {
		const struct c2s_diag *d = &l->items[i];
		const struct c2s_span sp = c2s_diags_span(l, i);
		const char *hint = c2s_diag_hint_of(l, d);
		cJSON *res = cJSON_CreateObject();
		cJSON_AddItemToArray(results, res);
		cJSON_AddStringToObject(res, "ruleId", c2s_diag_rule(d)->id);
		cJSON_AddNumberToObject(res, "ruleIndex", index[d->rule_index]);
		cJSON_AddStringToObject(res, "level", sarif_level(d->severity));
		cJSON *msg = cJSON_AddObjectToObject(res, "message");
		if (hint) {
			struct c2s_buf t;
			c2s_buf_init(&t, (size_t)1 << 20);
			c2s_buf_printf(&t, "%s\nhint: %s", d->message, hint);
			cJSON_AddStringToObject(msg, "text", t.data ? t.data : d->message);
			c2s_buf_free(&t);
		} else {
			cJSON_AddStringToObject(msg, "text", d->message);
		}
		if (sp.src) {
			cJSON *locs = cJSON_AddArrayToObject(res, "locations");
			cJSON_AddItemToArray(locs, sarif_location(&sp, NULL, o->srcroot));
		}
		const struct c2s_related *rl_list = c2s_diag_related_list(l, d);
		if (d->nrelated && rl_list) {
			cJSON *rel = NULL;
			for (uint32_t j = 0; j < d->nrelated; j++) {
				if (!rl_list[j].span.src)
					continue;
				if (!rel)
					rel = cJSON_AddArrayToObject(res, "relatedLocations");
				cJSON *rl = sarif_location(&rl_list[j].span, rl_list[j].message, o->srcroot);
				cJSON_AddNumberToObject(rl, "id", j);
				cJSON_AddItemToArray(rel, rl);
			}
		}
		cJSON *pf = cJSON_AddObjectToObject(res, "partialFingerprints");
		cJSON_AddStringToObject(pf, SARIF_FINGERPRINT_KEY, fps[i]);
	}
	cJSON_AddStringToObject(run, "columnKind", "unicodeCodePoints");
	free(fps);
	char *text = root ? cJSON_PrintUnformatted(root) : NULL;
	cJSON_Delete(root);
	if (!text)
		return -1;
	c2s_buf_adds(out, text);
	c2s_buf_addc(out, '\n');
	cJSON_free(text);
	return out->failed ? -1 : 0;
}
