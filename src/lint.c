/* lint.c -- `compose2swarm lint`: read each file, load it, run the rules, report. */
#include "config.h"
#include "buf.h"
#include "check.h"
#include "format.h"
#include "pipeline.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* The largest report we build in memory before writing it. */
#define LINT_MAX_REPORT_BYTES ((size_t)1 << 30)

/* The order docker compose looks for a file when none is given. */
static const char *const default_files[] = {
	"compose.yaml", "compose.yml", "docker-compose.yaml", "docker-compose.yml",
};

struct lint_run {
	const struct c2s_lint_options *o;
	enum c2s_severity severity[C2S_RULE_COUNT];
	int engine_major, engine_minor;
	struct c2s_source *sources;
	size_t nsources;
	struct c2s_diags diags;
	int trouble;  /* exit 2 at the end */
	FILE *err;
	struct c2s_env *env;  /* NULL: --no-interpolate */
};

static int parse_engine(const char *s, int *major, int *minor)
{
	char *end;
	errno = 0;
	long a = strtol(s, &end, 10);
	if (errno || end == s || *end != '.' || a < 1 || a > 999)
		return -1;
	const char *m = end + 1;
	long b = strtol(m, &end, 10);
	if (errno || end == m || *end != '\0' || b < 0 || b > 99)
		return -1;
	*major = (int)a;
	*minor = (int)b;
	return 0;
}

static int apply_overrides(struct lint_run *r)
{
	for (int i = 0; i < C2S_RULE_COUNT; i++)
		r->severity[i] = c2s_rules[i].severity;
	for (size_t i = 0; i < r->o->noverrides; i++) {
		const struct c2s_rule_override *ov = &r->o->overrides[i];
		const struct c2s_rule *rule = c2s_rule_find(ov->rule);
		if (!rule) {
			fprintf(r->err, "compose2swarm: unknown rule '%s' (see `compose2swarm rules`)\n", ov->rule);
			return -1;
		}
		enum c2s_rule_index k = c2s_rule_index(rule);
		if (ov->enabled == 0)
			r->severity[k] = C2S_SEVERITY_NONE;
		else if (ov->enabled == 1 && r->severity[k] == C2S_SEVERITY_NONE)
			r->severity[k] = rule->severity ? rule->severity : C2S_SEVERITY_WARNING;
		if (ov->severity != C2S_SEVERITY_NONE)
			r->severity[k] = ov->severity;
	}
	return 0;
}

static void read_error(struct lint_run *r, const char *path, enum c2s_read_status st, int e)
{
	switch (st) {
	case C2S_READ_DIRECTORY:
		fprintf(r->err, "compose2swarm: %s: is a directory, not a compose file\n", path);
		break;
	case C2S_READ_TOO_BIG:
		fprintf(r->err, "compose2swarm: %s: larger than %zu MiB, the most compose2swarm reads "
			"(C2S_MAX_FILE_BYTES)\n", path, C2S_MAX_FILE_BYTES >> 20);
		break;
	default:
		fprintf(r->err, "compose2swarm: %s: %s\n", path, strerror(e));
		break;
	}
	r->trouble = 1;
}

static int is_empty_document(const struct c2s_doc *d, const struct c2s_node *root)
{
	struct c2s_value v;
	return !root || (c2s_is_scalar(root) && c2s_count(root) == 0 &&
			 c2s_resolve(d, root, &v) == C2S_TYPE_NULL);
}

static void run_checks(struct lint_run *r, struct c2s_doc *doc)
{
	struct c2s_check c = {0};
	c.doc = doc;
	c.root = c2s_node_at(doc, doc->root);
	c.diags = &r->diags;
	c.engine_major = r->engine_major;
	c.engine_minor = r->engine_minor;
	const struct c2s_node *services = c2s_map_get(doc, c.root, "services", NULL);
	c.services = c2s_is_mapping(services) ? services : NULL;
	for (int i = 0; i < C2S_RULE_COUNT; i++)
		if (c2s_rules[i].check && r->severity[i] != C2S_SEVERITY_NONE)
			c2s_rules[i].check(&c);
}

static void lint_source(struct lint_run *r, struct c2s_source *src)
{
	struct c2s_doc doc;
	enum c2s_load_status st = c2s_load(&doc, src, &r->diags);
	if (st == C2S_LOAD_OK) {
		const struct c2s_node *root = c2s_node_at(&doc, doc.root);
		if (is_empty_document(&doc, root)) {
			struct c2s_diag *dg = c2s_diag_add(&r->diags, C2S_R_CS1002, src, (uint32_t)src->bom,
				(uint32_t)src->bom, "the file holds no compose document (docker stack: \"top-level "
				"object must be a mapping\")");
			c2s_diag_hint(&r->diags, dg, "a stack file needs at least `services:` with one service");
		} else if (!c2s_is_mapping(root)) {
			struct c2s_diag *dg = c2s_diag_at(&r->diags, C2S_R_CS1003, &doc, root,
				"top-level object must be a mapping");
			c2s_diag_hint(&r->diags, dg, "a stack file is a mapping with keys such as version, "
				      "services, networks, volumes, secrets and configs");
		} else {
			struct c2s_pipeline_options po = {0};
			struct c2s_pipeline_result pr;
			struct c2s_env *dotenv = r->env ? c2s_dotenv_for(src->path) : NULL;
			char dir[4096] = ".";
			const char *slash = strcmp(src->path, "-") ? strrchr(src->path, '/') : NULL;
			if (slash && (size_t)(slash - src->path) < sizeof dir)
				snprintf(dir, sizeof dir, "%.*s", slash == src->path ? 1 : (int)(slash - src->path), src->path);
			po.workdir = dir;
			po.env = r->env;
			po.dotenv = dotenv;
			if (c2s_pipeline_file(&doc, &po, &r->diags, &pr) != 0)
				r->diags.nomem = 1;
			c2s_env_free(dotenv);
			run_checks(r, &doc);
		}
	}
	c2s_doc_free(&doc);
}

static int add_source(struct lint_run *r, const char *path)
{
	struct c2s_source *src = &r->sources[r->nsources];
	int e;
	const char *name = strcmp(path, "-") == 0 && r->o->stdin_filename ? r->o->stdin_filename : NULL;
	enum c2s_read_status st = c2s_source_read(src, path, name, &e);
	if (st != C2S_READ_OK) {
		read_error(r, path, st, e);
		return -1;
	}
	r->nsources++;
	src->rank = (uint32_t)r->nsources;
	return 0;
}

static enum c2s_exit finish(struct lint_run *r, FILE *out)
{
	int status = C2S_EXIT_OK;
	if (r->diags.nomem) {
		fprintf(r->err, "compose2swarm: out of memory\n");
		r->trouble = 1;
	}
	c2s_diags_resolve(&r->diags);
	struct c2s_buf report;
	c2s_buf_init(&report, LINT_MAX_REPORT_BYTES);
	struct c2s_format_options fo = {r->o->format, r->o->color, r->nsources};
	if (c2s_format_diags(&r->diags, &fo, &report) != 0) {
		fprintf(r->err, "compose2swarm: the report is larger than %zu MiB\n", LINT_MAX_REPORT_BYTES >> 20);
		r->trouble = 1;
	} else if (report.len && (fwrite(report.data, 1, report.len, out) != report.len || fflush(out) != 0)) {
		fprintf(r->err, "compose2swarm: cannot write the report: %s\n", strerror(errno));
		r->trouble = 1;
	}
	c2s_buf_free(&report);
	enum c2s_severity worst = c2s_diags_max(&r->diags);
	if (r->o->fail_on != C2S_SEVERITY_NONE && worst >= r->o->fail_on)
		status = C2S_EXIT_FINDINGS;
	if (r->trouble || r->diags.limit_hit)
		status = C2S_EXIT_TROUBLE;
	return status;
}

int c2s_lint(const struct c2s_lint_options *o, FILE *out, FILE *err)
{
	struct lint_run r;
	memset(&r, 0, sizeof r);
	r.o = o;
	r.err = err;
	if (apply_overrides(&r) != 0)
		return C2S_EXIT_TROUBLE;
	if (o->engine_version && parse_engine(o->engine_version, &r.engine_major, &r.engine_minor) != 0) {
		fprintf(err, "compose2swarm: --engine-version wants MAJOR.MINOR such as 20.10, not '%s'\n",
			o->engine_version);
		return C2S_EXIT_TROUBLE;
	}

	/* Which files: the named ones, the -c ones, or the first default present. */
	const char *const *files = o->files;
	size_t nfiles = o->nfiles;
	const char *fallback[1];
	if (nfiles == 0 && o->ncompose) {
		files = o->compose;
		nfiles = o->ncompose;
	}
	if (nfiles == 0) {
		for (size_t i = 0; i < sizeof default_files / sizeof *default_files; i++)
			if (access(default_files[i], F_OK) == 0) {
				fallback[0] = default_files[i];
				files = fallback;
				nfiles = 1;
				break;
			}
		if (nfiles == 0) {
			fprintf(err, "compose2swarm: no file given, and none of compose.yaml, compose.yml, "
				"docker-compose.yaml, docker-compose.yml is in the current directory\n");
			return C2S_EXIT_TROUBLE;
		}
	}
	if (nfiles > C2S_MAX_FILES) {
		fprintf(err, "compose2swarm: %zu files given; the most one run takes is %u (C2S_MAX_FILES)\n",
			nfiles, (unsigned)C2S_MAX_FILES);
		return C2S_EXIT_TROUBLE;
	}
	if (!o->no_interpolate) {
		r.env = c2s_env_new(o->envp);
		if (!r.env) {
			fprintf(err, "compose2swarm: out of memory\n");
			return C2S_EXIT_TROUBLE;
		}
		if (o->env_file) {
			char msg[1024];
			if (c2s_env_read_file(r.env, o->env_file, r.env, msg, sizeof msg) != C2S_ENVFILE_OK) {
				fprintf(err, "compose2swarm: --env-file: %s\n", msg);
				c2s_env_free(r.env);
				return C2S_EXIT_TROUBLE;
			}
		}
	}
	r.sources = calloc(nfiles, sizeof *r.sources);
	if (!r.sources) {
		c2s_env_free(r.env);
		fprintf(err, "compose2swarm: out of memory\n");
		return C2S_EXIT_TROUBLE;
	}
	c2s_diags_init(&r.diags);
	r.diags.severity = r.severity;
	for (size_t i = 0; i < nfiles; i++) {
		if (add_source(&r, files[i]) != 0)
			continue;
		lint_source(&r, &r.sources[r.nsources - 1]);
	}
	int status = finish(&r, out);
	c2s_diags_free(&r.diags);
	c2s_env_free(r.env);
	for (size_t i = 0; i < r.nsources; i++)
		c2s_source_free(&r.sources[i]);
	free(r.sources);
	return status;
}
