/* lintconf.c -- .compose2swarm.yml, read with our own loader:
 *
 *   rules:
 *     enable: [CS9001]            # ids or names
 *     disable: [CS7001, links]
 *     severity: {CS5013: error}
 *   engine-version: "20.10"
 *   fail-on: error
 *   docs-url: https://example.org/compose2swarm/docs/rules/   # SARIF helpUri
 *   stacks:                        # files linted as one merge (docker stack deploy -c a -c b)
 *     - files: [docker-compose.yml, docker-compose.prod.yml]
 *   exclude: [docker-compose.override.yml, "legacy/NAME.yml"]   # files never linted (globs)
 */
#include "config.h"
#include "lintconf.h"

#include "ast.h"
#include "check.h"
#include "diag.h"
#include "format.h"

#include <errno.h>
#include <fnmatch.h>
#include <limits.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

void c2s_lintconf_defaults(struct c2s_lintconf *c)
{
	/* Not a memset of the whole struct: its tables (24 KiB) are read only
	 * below their counts, and a run that finds no config file should not
	 * touch their pages (peak RSS, make bench). */
	memset(c, 0, offsetof(struct c2s_lintconf, docs_url));
	c->docs_url[0] = '\0';
	c->dir[0] = '\0';
	c->nstacks = c->nexclude = c->names_len = 0;
	for (int i = 0; i < C2S_RULE_COUNT; i++)
		c->severity[i] = c2s_rule_default_on(&c2s_rules[i]) ? c2s_rules[i].severity : C2S_SEVERITY_NONE;
	c->fail_on = C2S_SEVERITY_WARNING;
}

int c2s_parse_engine_version(const char *s, size_t n, int *major, int *minor)
{
	long a = 0, b = 0;
	size_t i = 0, da = 0, db = 0;
	while (i < n && s[i] >= '0' && s[i] <= '9' && da < 4)
		a = a * 10 + (s[i++] - '0'), da++;
	if (!da || i >= n || s[i] != '.')
		return -1;
	i++;
	while (i < n && s[i] >= '0' && s[i] <= '9' && db < 3)
		b = b * 10 + (s[i++] - '0'), db++;
	if (!db || i != n || a < 1 || a > 999 || b > 99)
		return -1;
	*major = (int)a;
	*minor = (int)b;
	return 0;
}

struct conf_ctx {
	struct c2s_doc *doc;
	struct c2s_source *src;
	FILE *err;
	int bad;
};

static void conf_error(struct conf_ctx *x, const struct c2s_node *n, const char *fmt, const char *arg, size_t argn)
{
	uint32_t line = 0, col = 0;
	c2s_source_locate(x->src, n ? n->start : 0, &line, &col);
	fprintf(x->err, "%s:%u:%u: error: ", x->src->name, line, col);
	fprintf(x->err, fmt, (int)(argn > 100 ? 100 : argn), arg);
	fputc('\n', x->err);
	x->bad = 1;
}

static const struct c2s_rule *conf_rule(struct conf_ctx *x, const struct c2s_node *n)
{
	if (!c2s_is_scalar(n)) {
		conf_error(x, n, "a rule id or name is a string%.*s", "", 0);
		return NULL;
	}
	struct c2s_str s = c2s_scalar(x->doc, n);
	char id[64];
	const struct c2s_rule *r = NULL;
	if (s.n < sizeof id) {
		memcpy(id, s.p, s.n);
		id[s.n] = '\0';
		r = c2s_rule_find(id);
	}
	if (!r) {
		const struct c2s_rule *near = c2s_rule_suggest(s.p, s.n);
		char msg[160];
		if (near)
			snprintf(msg, sizeof msg, "unknown rule '%%.*s' (did you mean %s, %s?)", near->id, near->name);
		else
			snprintf(msg, sizeof msg, "unknown rule '%%.*s' (see `compose2swarm rules`)");
		conf_error(x, n, msg, s.p, s.n);
	}
	return r;
}

/* enable/disable: a list of ids, or one id. */
static void conf_switch(struct conf_ctx *x, struct c2s_lintconf *c, const struct c2s_node *v, int on)
{
	uint32_t n = c2s_is_sequence(v) ? c2s_count(v) : 1;
	if (c2s_is_mapping(v)) {
		conf_error(x, v, "enable/disable take a list of rule ids%.*s", "", 0);
		return;
	}
	for (uint32_t i = 0; i < n; i++) {
		const struct c2s_node *it = c2s_is_sequence(v) ? c2s_seq_item(x->doc, v, i) : v;
		const struct c2s_rule *r = conf_rule(x, it);
		if (!r)
			continue;
		enum c2s_rule_index k = c2s_rule_index(r);
		c->severity[k] = on ? (r->severity ? r->severity : C2S_SEVERITY_WARNING) : C2S_SEVERITY_NONE;
	}
}

static int conf_severity(struct conf_ctx *x, const struct c2s_node *v, int allow_none)
{
	if (!c2s_is_scalar(v)) {
		conf_error(x, v, "a severity is error, warning, info%.*s", allow_none ? " or none" : "", allow_none ? 8 : 0);
		return -1;
	}
	struct c2s_str s = c2s_scalar(x->doc, v);
	char word[16];
	int sev = -1;
	if (s.n < sizeof word) {
		memcpy(word, s.p, s.n);
		word[s.n] = '\0';
		sev = c2s_severity_parse(word);
	}
	if (sev < 0 || (!allow_none && sev == C2S_SEVERITY_NONE)) {
		conf_error(x, v, allow_none ? "'%.*s' is not error, warning, info or none"
					    : "'%.*s' is not error, warning or info (disable a rule with rules.disable)",
			   s.p, s.n);
		return -1;
	}
	return sev;
}

static void conf_rules(struct conf_ctx *x, struct c2s_lintconf *c, const struct c2s_node *rules)
{
	const struct c2s_doc *d = x->doc;
	if (!c2s_is_mapping(rules)) {
		if (!(c2s_is_scalar(rules) && c2s_count(rules) == 0))
			conf_error(x, rules, "rules is a mapping with enable, disable and severity%.*s", "", 0);
		return;
	}
	/* disable, then enable, then severity: whatever the order in the file. */
	const struct c2s_node *dis = c2s_map_get(d, rules, "disable", NULL);
	const struct c2s_node *en = c2s_map_get(d, rules, "enable", NULL);
	const struct c2s_node *sev = c2s_map_get(d, rules, "severity", NULL);
	for (uint32_t i = 0; i < c2s_count(rules); i++) {
		const struct c2s_node *k = c2s_map_key(d, rules, i);
		if (!(c2s_scalar_is(d, k, "disable") || c2s_scalar_is(d, k, "enable") || c2s_scalar_is(d, k, "severity"))) {
			struct c2s_str s = c2s_is_scalar(k) ? c2s_scalar(d, k) : (struct c2s_str){"?", 1};
			conf_error(x, k, "unknown key rules.%.*s (enable, disable, severity)", s.p, s.n);
		}
	}
	if (dis)
		conf_switch(x, c, dis, 0);
	if (en)
		conf_switch(x, c, en, 1);
	if (sev) {
		if (!c2s_is_mapping(sev)) {
			conf_error(x, sev, "rules.severity maps rule ids to error, warning or info%.*s", "", 0);
			return;
		}
		for (uint32_t i = 0; i < c2s_count(sev); i++) {
			const struct c2s_rule *r = conf_rule(x, c2s_map_key(d, sev, i));
			int level = conf_severity(x, c2s_map_value(d, sev, i), 0);
			if (r && level > 0)
				c->severity[c2s_rule_index(r)] = (enum c2s_severity)level;
		}
	}
}

/* Keep a name (a scalar) in c->names; its offset, or -1 (reported). */
static int conf_name(struct conf_ctx *x, struct c2s_lintconf *c, const struct c2s_node *n, const char *what)
{
	struct c2s_str s = c2s_is_scalar(n) ? c2s_scalar(x->doc, n) : (struct c2s_str){"", 0};
	if (!c2s_is_scalar(n) || !s.n || memchr(s.p, '\0', s.n)) {
		conf_error(x, n, "%.*s wants file names (strings)", what, strlen(what));
		return -1;
	}
	if (c->names_len + s.n + 1 > sizeof c->names) {
		conf_error(x, n, "too many names in stacks and exclude (%.*s bytes at most, C2S_CONFIG_MAX_NAMES)",
			   "16384", 5);
		return -1;
	}
	unsigned at = c->names_len;
	memcpy(c->names + at, s.p, s.n);
	c->names[at + s.n] = '\0';
	c->names_len += (unsigned)s.n + 1;
	return (int)at;
}

/* stacks: [{files: [a.yml, b.yml]}, ...] */
static void conf_stacks(struct conf_ctx *x, struct c2s_lintconf *c, const struct c2s_node *v)
{
	const struct c2s_doc *d = x->doc;
	if (!c2s_is_sequence(v)) {
		conf_error(x, v, "stacks is a list of {files: [FILE, ...]}%.*s", "", 0);
		return;
	}
	for (uint32_t i = 0; i < c2s_count(v); i++) {
		const struct c2s_node *st = c2s_seq_item(d, v, i);
		const struct c2s_node *files = c2s_is_mapping(st) ? c2s_map_get(d, st, "files", NULL) : NULL;
		if (!c2s_is_mapping(st) || !c2s_is_sequence(files) || c2s_count(files) == 0) {
			conf_error(x, st, "a stack is {files: [FILE, ...]}, the files docker stack deploy -c takes, "
				   "in order%.*s", "", 0);
			continue;
		}
		for (uint32_t k = 0; k < c2s_count(st); k++) {
			const struct c2s_node *key = c2s_map_key(d, st, k);
			if (!c2s_scalar_is(d, key, "files") && !c2s_scalar_is(d, key, "name")) {
				struct c2s_str ks = c2s_is_scalar(key) ? c2s_scalar(d, key) : (struct c2s_str){"?", 1};
				conf_error(x, key, "unknown key stacks.%.*s (files, name)", ks.p, ks.n);
			}
		}
		if (c->nstacks == C2S_CONFIG_MAX_STACKS) {
			conf_error(x, st, "more than %.*s stacks (C2S_CONFIG_MAX_STACKS)", "64", 2);
			return;
		}
		if (c2s_count(files) > C2S_CONFIG_MAX_STACK_FILES) {
			conf_error(x, files, "a stack of more than %.*s files (C2S_CONFIG_MAX_STACK_FILES)", "16", 2);
			continue;
		}
		unsigned k = c->nstacks, nf = 0;
		for (uint32_t j = 0; j < c2s_count(files); j++) {
			int at = conf_name(x, c, c2s_seq_item(d, files, j), "stacks.files");
			if (at >= 0)
				c->stack_files[k][nf++] = (uint16_t)at;
		}
		if (nf == c2s_count(files)) {
			c->stack_nfiles[k] = nf;
			c->nstacks++;
		}
	}
}

/* exclude: [PATTERN, ...] */
static void conf_exclude(struct conf_ctx *x, struct c2s_lintconf *c, const struct c2s_node *v)
{
	uint32_t n = c2s_is_sequence(v) ? c2s_count(v) : 1;
	if (c2s_is_mapping(v)) {
		conf_error(x, v, "exclude is a list of file names or patterns%.*s", "", 0);
		return;
	}
	for (uint32_t i = 0; i < n; i++) {
		const struct c2s_node *it = c2s_is_sequence(v) ? c2s_seq_item(x->doc, v, i) : v;
		if (c->nexclude == C2S_CONFIG_MAX_EXCLUDE) {
			conf_error(x, it, "more than %.*s exclude patterns (C2S_CONFIG_MAX_EXCLUDE)", "64", 2);
			return;
		}
		int at = conf_name(x, c, it, "exclude");
		if (at >= 0)
			c->exclude[c->nexclude++] = (uint16_t)at;
	}
}

static int conf_apply(struct c2s_lintconf *c, struct c2s_source *src, FILE *err)
{
	struct c2s_diags diags;
	struct c2s_doc doc;
	c2s_diags_init(&diags);
	enum c2s_load_status st = c2s_load(&doc, src, &diags);
	struct conf_ctx x = {&doc, src, err, 0};
	if (c2s_diags_len(&diags)) {
		/* The loader's own findings (syntax, duplicate keys, limits, a second
		 * document) stop us, so each is an error here, as every refusal of
		 * the config file is (a warning with exit 2 was found by make fuzz) */
		for (size_t i = 0; i < c2s_diags_len(&diags); i++)
			c2s_diags_item(&diags, i)->severity = C2S_SEVERITY_ERROR;
		c2s_diags_resolve(&diags);
		struct c2s_buf b;
		c2s_buf_init(&b, (size_t)1 << 20);
		struct c2s_format_options fo = {.format = C2S_FORMAT_GNU, .files = 1};
		c2s_format_diags(&diags, &fo, &b);
		if (b.len)
			fwrite(b.data, 1, b.len, err);
		c2s_buf_free(&b);
		x.bad = 1;
	} else if (st == C2S_LOAD_OK && doc.root) {
		const struct c2s_node *root = c2s_node_at(&doc, doc.root);
		if (c2s_is_mapping(root)) {
			for (uint32_t i = 0; i < c2s_count(root); i++) {
				const struct c2s_node *k = c2s_map_key(&doc, root, i), *v = c2s_map_value(&doc, root, i);
				struct c2s_str s = c2s_is_scalar(k) ? c2s_scalar(&doc, k) : (struct c2s_str){"?", 1};
				if (c2s_str_eq(s, "rules")) {
					conf_rules(&x, c, v);
				} else if (c2s_str_eq(s, "fail-on")) {
					int level = conf_severity(&x, v, 1);
					if (level >= 0) {
						c->fail_on = (enum c2s_severity)level;
						c->fail_on_set = 1;
					}
				} else if (c2s_str_eq(s, "engine-version")) {
					struct c2s_str ev = c2s_is_scalar(v) ? c2s_scalar(&doc, v) : (struct c2s_str){"", 0};
					if (c2s_parse_engine_version(ev.p, ev.n, &c->engine_major, &c->engine_minor) != 0)
						conf_error(&x, v, "engine-version wants MAJOR.MINOR in quotes, such as \"20.10\", "
							   "not '%.*s'", ev.p, ev.n);
				} else if (c2s_str_eq(s, "docs-url")) {
					struct c2s_str u = c2s_is_scalar(v) ? c2s_scalar(&doc, v) : (struct c2s_str){"", 0};
					if (!u.n || u.n >= sizeof c->docs_url || memchr(u.p, '\0', u.n) ||
					    !(memmem(u.p, u.n, "://", 3)))
						conf_error(&x, v, "docs-url wants an absolute URL such as "
							   "https://example.org/docs/rules/, not '%.*s'", u.p, u.n);
					else
						snprintf(c->docs_url, sizeof c->docs_url, "%.*s", (int)u.n, u.p);
				} else if (c2s_str_eq(s, "stacks")) {
					conf_stacks(&x, c, v);
				} else if (c2s_str_eq(s, "exclude")) {
					conf_exclude(&x, c, v);
				} else {
					conf_error(&x, k, "unknown key '%.*s' (rules, engine-version, fail-on, docs-url, "
						   "stacks, exclude)", s.p, s.n);
				}
			}
		} else if (!(c2s_is_scalar(root) && c2s_count(root) == 0)) {
			conf_error(&x, root, "the config file is a mapping with rules, engine-version and fail-on%.*s", "", 0);
		}
	} else if (st != C2S_LOAD_OK) {
		x.bad = 1;
	}
	c2s_doc_free(&doc);
	c2s_diags_free(&diags);
	return x.bad ? -1 : 0;
}

int c2s_lintconf_parse(struct c2s_lintconf *c, const char *name, const char *text, size_t len, FILE *err)
{
	struct c2s_source src;
	if (c2s_source_from_memory(&src, name, text, len) != 0) {
		fprintf(err, "compose2swarm: out of memory\n");
		return -1;
	}
	src.rank = 1;
	int rc = conf_apply(c, &src, err);
	c2s_source_free(&src);
	return rc;
}

static int load_file(struct c2s_lintconf *c, const char *path, int flags, FILE *err)
{
	struct c2s_source src;
	int e = 0;
	enum c2s_read_status st = c2s_source_read_capped(&src, path, NULL, C2S_MAX_CONFIG_BYTES, flags, &e);
	if (st != C2S_READ_OK) {
		char msg[C2S_CONFIG_MAX_PATH + 128];
		c2s_source_read_message(msg, sizeof msg, path, st, e, C2S_MAX_CONFIG_BYTES, "config file");
		fprintf(err, "compose2swarm: %s\n", msg);
		return -1;
	}
	src.rank = 1;
	/* stacks: and exclude: name files from the config file's directory */
	const char *slash = strrchr(path, '/');
	if (!slash)
		snprintf(c->dir, sizeof c->dir, ".");
	else if (slash == path)
		snprintf(c->dir, sizeof c->dir, "/");
	else
		snprintf(c->dir, sizeof c->dir, "%.*s", (int)(slash - path), path);
	int rc = conf_apply(c, &src, err);
	c2s_source_free(&src);
	return rc;
}

/* realpath of dir/name into out; 0, or -1 (missing, too long). */
static int resolve_in(const char *dir, const char *name, char *out)
{
	char joined[C2S_CONFIG_MAX_PATH * 2];
	int w = name[0] == '/' ? snprintf(joined, sizeof joined, "%s", name)
			       : snprintf(joined, sizeof joined, "%s/%s", dir[0] ? dir : ".", name);
	if (w < 0 || (size_t)w >= sizeof joined)
		return -1;
	return realpath(joined, out) ? 0 : -1;
}

int c2s_lintconf_excluded(const struct c2s_lintconf *c, const char *path)
{
	char file[PATH_MAX], dir[PATH_MAX];
	if (!c->nexclude || strcmp(path, "-") == 0 || !realpath(path, file) || !realpath(c->dir[0] ? c->dir : ".", dir))
		return 0;
	size_t dl = strlen(dir);
	const char *rel = strcmp(dir, "/") == 0 ? file + 1
			  : strncmp(file, dir, dl) == 0 && file[dl] == '/' ? file + dl + 1 : NULL;
	if (!rel)
		return 0;  /* not below the config file's directory */
	const char *base = strrchr(rel, '/');
	base = base ? base + 1 : rel;
	for (unsigned i = 0; i < c->nexclude; i++) {
		const char *pat = c->names + c->exclude[i];
		if (pat[0] == '.' && pat[1] == '/')
			pat += 2;
		if (fnmatch(pat, rel, FNM_PATHNAME) == 0 || (!strchr(pat, '/') && fnmatch(pat, base, 0) == 0))
			return 1;
	}
	return 0;
}

int c2s_lintconf_stack_of(const struct c2s_lintconf *c, const char *path)
{
	char file[PATH_MAX], member[PATH_MAX];
	if (!c->nstacks || strcmp(path, "-") == 0 || !realpath(path, file))
		return -1;
	for (unsigned k = 0; k < c->nstacks; k++)
		for (unsigned i = 0; i < c->stack_nfiles[k]; i++)
			if (resolve_in(c->dir, c->names + c->stack_files[k][i], member) == 0 && strcmp(member, file) == 0)
				return (int)k;
	return -1;
}

int c2s_lintconf_stack_file(const struct c2s_lintconf *c, unsigned k, unsigned i, char *buf, size_t size)
{
	const char *name = c->names + c->stack_files[k][i];
	/* reported as the user would name it: from the current directory when below it */
	char cwd[PATH_MAX];
	const char *dir = c->dir;
	size_t cl = getcwd(cwd, sizeof cwd) ? strlen(cwd) : 0;
	if (cl && strcmp(dir, cwd) == 0)
		dir = "";
	else if (cl > 1 && strncmp(dir, cwd, cl) == 0 && dir[cl] == '/')
		dir += cl + 1;
	int w = name[0] == '/' || !dir[0] || strcmp(dir, ".") == 0
		? snprintf(buf, size, "%s", name) : snprintf(buf, size, "%s/%s", dir, name);
	return w < 0 || (size_t)w >= size ? -1 : 0;
}

int c2s_lintconf_load(struct c2s_lintconf *c, const char *path, FILE *err)
{
	return load_file(c, path, 0, err);
}

int c2s_lintconf_load_found(struct c2s_lintconf *c, const char *path, FILE *err)
{
	/* a FIFO put there since the search looked is refused, not waited on */
	return load_file(c, path, C2S_READ_REGULAR_ONLY, err);
}

int c2s_lintconf_find(const char *file, char *buf, size_t size, FILE *err)
{
	char dir[C2S_CONFIG_MAX_PATH];
	const char *slash = strcmp(file, "-") == 0 ? NULL : strrchr(file, '/');
	if (slash && (size_t)(slash - file) + 1 < sizeof dir) {
		memcpy(dir, file, (size_t)(slash - file) + 1);
		dir[slash - file + 1] = '\0';
	} else {
		strcpy(dir, "./");
	}
	char abs[PATH_MAX];
	if (!realpath(dir, abs))
		return 0;
	for (;;) {
		int root = strcmp(abs, "/") == 0;
		int w = snprintf(buf, size, "%s/%s", root ? "" : abs, C2S_CONFIG_NAME);
		struct stat st;
		if (w > 0 && (size_t)w < size && stat(buf, &st) == 0) {
			if (S_ISREG(st.st_mode))
				return 1;
			/* a FIFO would block the run, /dev/zero would fill memory:
			 * only a regular file is a config file */
			fprintf(err, "compose2swarm: warning: %s is not a regular file; skipped\n", buf);
		}
		if (root)
			return 0;
		char *up = strrchr(abs, '/');
		if (!up)
			return 0;
		if (up == abs)
			up[1] = '\0';
		else
			*up = '\0';
	}
}
