/* lint.c -- `compose2swarm lint`: read each file, load it, run the rules, report. */
#include "config.h"
#include "ast_merge.h"
#include "buf.h"
#include "check.h"
#include "edit.h"
#include "goval.h"
#include "format.h"
#include "outfile.h"
#include "deploy_checks.h"
#include "pipeline.h"
#include "model.h"
#include "lintconf.h"
#include "pragma.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* The largest report we build in memory before writing it. */
#define LINT_MAX_REPORT_BYTES ((size_t)1 << 30)
/* Services in a block of run_checks (C2S_SVC_RULE rules): some 2 KB of nodes and
 * text each, so that a block stays in a core's cache */
#define LINT_SERVICE_BLOCK 256u

/* The order docker compose looks for a file when none is given. */
static const char *const default_files[] = {
	"compose.yaml", "compose.yml", "docker-compose.yaml", "docker-compose.yml",
};

struct lint_run {
	const struct c2s_lint_options *o;
	enum c2s_severity severity[C2S_RULE_COUNT]; /* the current file's, after config and options */
	enum c2s_severity fail_on;                  /* the current file's */
	int engine_major, engine_minor;             /* the current file's */
	int cli_engine_major, cli_engine_minor;     /* --engine-version, 0.0 if not given */
	struct c2s_lintconf explicit_conf;          /* --config FILE on top of the defaults */
	struct c2s_lintconf found_conf;             /* the last .compose2swarm.yml found */
	char found_path[C2S_CONFIG_MAX_PATH];       /* its path ("" none yet) */
	char last_dir[C2S_CONFIG_MAX_PATH];         /* the directory found_conf was looked up for */
	int found_loaded;
	struct c2s_source *sources;
	size_t nsources;
	struct c2s_diags diags;
	struct c2s_buf diff;                        /* --diff output */
	int failed;   /* a file has findings at or above its fail-on */
	int trouble;  /* exit 2 at the end */
	FILE *err;
	struct c2s_env *env;  /* NULL: --no-interpolate */
	struct c2s_model_check_state stack; /* -c files: one version, paths from the first */
	char docs_url[C2S_CONFIG_MAX_URL];  /* the first docs-url a config file gave */
	const struct c2s_lintconf *conf;    /* the current file's config (settings_for) */
};

/* The command line's --enable/--disable/--severity, in order, on top of sev. */
static int apply_overrides(struct lint_run *r, enum c2s_severity *sev)
{
	for (size_t i = 0; i < r->o->noverrides; i++) {
		const struct c2s_rule_override *ov = &r->o->overrides[i];
		const struct c2s_rule *rule = c2s_rule_find(ov->rule);
		if (!rule) {
			const struct c2s_rule *near = c2s_rule_suggest(ov->rule, strlen(ov->rule));
			if (near)
				fprintf(r->err, "compose2swarm: unknown rule '%s' (did you mean %s, %s?)\n", ov->rule,
					near->id, near->name);
			else
				fprintf(r->err, "compose2swarm: unknown rule '%s' (see `compose2swarm rules`)\n", ov->rule);
			return -1;
		}
		enum c2s_rule_index k = c2s_rule_index(rule);
		if (ov->enabled == 0)
			sev[k] = C2S_SEVERITY_NONE;
		else if (ov->enabled == 1)
			sev[k] = rule->severity ? rule->severity : C2S_SEVERITY_WARNING;
		if (ov->severity != C2S_SEVERITY_NONE)
			sev[k] = ov->severity;
	}
	return 0;
}

/* Settings for one file: defaults, then the config file, then the command line. */
static int settings_for(struct lint_run *r, const char *path)
{
	const struct c2s_lintconf *conf = &r->explicit_conf;
	if (!r->o->config_file) {
		char found[C2S_CONFIG_MAX_PATH];
		/* files of one directory share the search (a run may name 65,536 files) */
		const char *slash = strcmp(path, "-") == 0 ? NULL : strrchr(path, '/');
		size_t dl = slash ? (size_t)(slash - path) + 1 : 0;  /* with the slash: "/x" is not "x" */
		int same = r->found_loaded && dl < sizeof r->last_dir && strlen(r->last_dir) == dl &&
			   memcmp(r->last_dir, path, dl) == 0;
		if (dl < sizeof r->last_dir) {
			memcpy(r->last_dir, path, dl);
			r->last_dir[dl] = '\0';
		}
		if (same) {
			/* found_conf is this directory's */
		} else if (!c2s_lintconf_find(path, found, sizeof found, r->err)) {
			c2s_lintconf_defaults(&r->found_conf);
			r->found_path[0] = '\0';
			r->found_loaded = 1;
		} else if (!r->found_loaded || strcmp(found, r->found_path) != 0) {
			c2s_lintconf_defaults(&r->found_conf);
			if (c2s_lintconf_load_found(&r->found_conf, found, r->err) != 0)
				return -1;
			snprintf(r->found_path, sizeof r->found_path, "%s", found);
			r->found_loaded = 1;
		}
		conf = &r->found_conf;
	}
	r->conf = conf;
	memcpy(r->severity, conf->severity, sizeof r->severity);
	if (conf->docs_url[0] && !r->docs_url[0])
		memcpy(r->docs_url, conf->docs_url, sizeof r->docs_url);
	if (apply_overrides(r, r->severity) != 0)
		return -1;
	r->fail_on = r->o->fail_on_set ? r->o->fail_on : conf->fail_on_set ? conf->fail_on : r->o->fail_on;
	if (r->cli_engine_major) {
		r->engine_major = r->cli_engine_major;
		r->engine_minor = r->cli_engine_minor;
	} else {
		r->engine_major = conf->engine_major;
		r->engine_minor = conf->engine_minor;
	}
	return 0;
}

static void read_error(struct lint_run *r, const char *path, enum c2s_read_status st, int e)
{
	char msg[4200];
	c2s_source_read_message(msg, sizeof msg, path, st, e, C2S_MAX_FILE_BYTES, "compose file");
	fprintf(r->err, "compose2swarm: %s\n", msg);
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
	c.stack = r->o->stack;
	c.uninterpolated = r->env == NULL;
	const struct c2s_node *services = c2s_map_get(doc, c.root, "services", NULL);
	c.services = c2s_is_mapping(services) ? services : NULL;
	uint32_t nsvc = c.services ? c2s_count(c.services) : 0;
	for (int i = 0; i < C2S_RULE_COUNT;) {
		if (!c2s_rules[i].per_service) {
			if (c2s_rules[i].check && r->severity[i] != C2S_SEVERITY_NONE)
				c2s_rules[i].check(&c);
			i++;
			continue;
		}
		/* a run of rules that judge each service on its own, a block of services at
		 * a time: rule after rule reading every service reads 10,000 services'
		 * nodes and text (10 MB and more) from memory each time; a block's stay in
		 * cache for all of them. What each rule reports, and in which order for
		 * one service, is the same. */
		int end = i;
		while (end < C2S_RULE_COUNT && (c2s_rules[end].per_service || !c2s_rules[end].check))
			end++;
		uint32_t from = 0;
		do {
			c.svc_from = from;
			c.svc_end = nsvc - from > LINT_SERVICE_BLOCK ? from + LINT_SERVICE_BLOCK : nsvc;
			for (int j = i; j < end; j++)
				if (c2s_rules[j].check && r->severity[j] != C2S_SEVERITY_NONE)
					c2s_rules[j].check(&c);
			from = c.svc_end;
		} while (from < nsvc);
		c.svc_from = c.svc_end = 0;
		i = end;
	}
}

/* ---- after the checks: duplicates, pragmas, fixes, fail-on ---- */

/* A key reached through an alias or << merge is reported once per service; keep the first. */
static void drop_duplicates(struct lint_run *r, size_t first)
{
	size_t n = c2s_diags_len(&r->diags) - first;
	if (n < 2)
		return;
	size_t cap = 16;
	while (cap < 2 * n)
		cap *= 2;
	uint32_t *slots = calloc(cap, sizeof *slots);
	unsigned char *drop = calloc(n, 1);
	if (!slots || !drop) {
		free(slots);
		free(drop);
		return;
	}
	int any = 0;
	for (size_t i = 0; i < n; i++) {
		const struct c2s_diag *d = c2s_diags_item(&r->diags, first + i);
		uint32_t h = (d->span.start * 2654435761u) ^ (uint32_t)d->rule_index * 40503u;
		for (h &= (uint32_t)(cap - 1); slots[h]; h = (h + 1) & (uint32_t)(cap - 1)) {
			const struct c2s_diag *e = c2s_diags_item(&r->diags, first + slots[h] - 1);
			if (e->rule_index == d->rule_index && e->span.start == d->span.start && e->span.end == d->span.end) {
				drop[i] = 1;
				any = 1;
				break;
			}
		}
		if (!drop[i])
			slots[h] = (uint32_t)i + 1;
	}
	if (any)
		c2s_diags_remove(&r->diags, first, drop);
	free(slots);
	free(drop);
}

static const struct c2s_pragma *pragma_for(const struct c2s_pragma *pg, size_t n, uint32_t line)
{
	size_t lo = 0, hi = n;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		if (pg[mid].target < line)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < n && pg[lo].target == line ? &pg[lo] : NULL;
}

static int pragma_names(const struct c2s_pragma *p, const struct c2s_rule *rule)
{
	for (uint32_t k = 0; k < p->nids; k++)
		if (p->ids[k].rule == (int)(rule - c2s_rules))
			return 1;
	return 0;
}

/* Drop the "pragmas" that are text inside a quoted or block scalar (a script
 * under `command: |` may well say "# compose2swarm ..."): pg is in source order. */
static long drop_pragmas_in_scalars(const struct c2s_doc *d, struct c2s_pragma *pg, long np)
{
	if (!d || !d->nodes || np <= 0)
		return np;
	unsigned char *inside = calloc((size_t)np, 1);
	if (!inside)
		return np;
	for (uint32_t i = 1; i < d->nnodes; i++) {
		const struct c2s_node *n = &d->nodes[i];
		if (c2s_kind(n) != C2S_SCALAR || c2s_style(n) == C2S_STYLE_PLAIN)
			continue;
		uint32_t s = n->start, e = c2s_node_end(d, n);
		/* the first pragma at or after s */
		long lo = 0, hi = np;
		while (lo < hi) {
			long mid = lo + (hi - lo) / 2;
			if (pg[mid].start < s)
				lo = mid + 1;
			else
				hi = mid;
		}
		for (long k = lo; k < np && pg[k].start < e; k++)
			inside[k] = 1;
	}
	long kept = 0;
	for (long k = 0; k < np; k++)
		if (!inside[k])
			pg[kept++] = pg[k];
	free(inside);
	return kept;
}

static void apply_pragmas(struct lint_run *r, struct c2s_source *src, const struct c2s_doc *doc, size_t first)
{
	struct c2s_pragma *pg;
	long np = c2s_pragmas_scan(src, &pg);
	if (np < 0) {
		c2s_diags_out_of_memory(&r->diags);
		return;
	}
	np = drop_pragmas_in_scalars(doc, pg, np);
	if (np == 0) {
		free(pg);
		return;
	}
	/* ignore-file pragmas first (their target, 0, sorts first), the rest in line order */
	size_t nwhole = 0;
	for (long i = 0; i < np; i++) {
		if (!pg[i].whole_file)
			continue;
		struct c2s_pragma w = pg[i];
		memmove(pg + nwhole + 1, pg + nwhole, ((size_t)i - nwhole) * sizeof *pg);
		pg[nwhole++] = w;
	}
	size_t n = c2s_diags_len(&r->diags) - first;
	unsigned char *drop = calloc(n ? n : 1, 1);
	if (!drop) {
		free(pg);
		c2s_diags_out_of_memory(&r->diags);
		return;
	}
	int any = 0;
	for (size_t i = 0; i < n; i++) {
		struct c2s_diag *d = c2s_diags_item(&r->diags, first + i);
		uint32_t line, col;
		if (c2s_diag_src(&r->diags, d) != src)
			continue;
		for (size_t k = 0; k < nwhole; k++) {
			if (pragma_names(&pg[k], c2s_diag_rule(d))) {
				pg[k].used = 1;
				drop[i] = 1;
				any = 1;
			}
		}
		if (drop[i])
			continue;
		c2s_source_locate(src, d->span.start, &line, &col);
		/* several pragmas may target one line (one at its end, one above it) */
		for (const struct c2s_pragma *p = pragma_for(pg, (size_t)np, line);
		     p && p < pg + np && p->target == line; p++) {
			if (pragma_names(p, c2s_diag_rule(d))) {
				((struct c2s_pragma *)p)->used = 1;
				drop[i] = 1;
				any = 1;
			}
		}
	}
	if (any)
		c2s_diags_remove(&r->diags, first, drop);
	free(drop);
	for (long i = 0; i < np; i++) {
		const struct c2s_pragma *p = &pg[i];
		int live = 0;
		for (uint32_t k = 0; k < p->nids; k++) {
			const struct c2s_pragma_id *id = &p->ids[k];
			if (id->rule < 0) {
				const struct c2s_rule *near = c2s_rule_suggest(src->data + id->start, id->end - id->start);
				struct c2s_diag *dg = c2s_diag_add(&r->diags, C2S_R_CS1202, src, id->start, id->end,
					"the pragma names %.*s, which is not a rule id or name",
					(int)(id->end - id->start > 64 ? 64 : id->end - id->start), src->data + id->start);
				if (near)
					c2s_diag_hint(&r->diags, dg, "did you mean %s (%s)?", near->id, near->name);
				else
					c2s_diag_hint(&r->diags, dg, "see `compose2swarm rules` for the ids");
			} else if (r->severity[id->rule] != C2S_SEVERITY_NONE) {
				live = 1;
			}
		}
		if (p->nids == 0) {
			struct c2s_diag *dg = c2s_diag_add(&r->diags, C2S_R_CS1202, src, p->start, p->end,
				"the pragma names no rule");
			c2s_diag_hint(&r->diags, dg, "write # compose2swarm ignore=ID[,ID] -- reason");
		}
		if (!p->has_reason) {
			struct c2s_diag *dg = c2s_diag_add(&r->diags, C2S_R_CS1201, src, p->start, p->end,
				"the pragma gives no reason");
			c2s_diag_hint(&r->diags, dg, "say why after \" -- \": # compose2swarm ignore=ID -- reason");
		}
		if (live && !p->used && p->whole_file) {
			struct c2s_diag *dg = c2s_diag_add(&r->diags, C2S_R_CS1203, src, p->start, p->end,
				"the pragma suppresses nothing in this file");
			c2s_diag_hint(&r->diags, dg, "remove it if the findings are gone");
		} else if (live && !p->used) {
			struct c2s_diag *dg = c2s_diag_add(&r->diags, C2S_R_CS1203, src, p->start, p->end,
				"the pragma suppresses nothing on line %u", p->target);
			c2s_diag_hint(&r->diags, dg, "a pragma applies to its own line, or when alone on its line "
				      "to the next one; remove it if the finding is gone");
		}
	}
	free(pg);
}

/* --fix / --diff: the fixes of the file's findings. Returns 1 when the file was
 * rewritten (the caller lints the new content, so positions stay true). */
static int apply_fixes(struct lint_run *r, struct c2s_source *src, size_t first)
{
	int rewritten = 0;
	size_t n = c2s_diags_len(&r->diags) - first;
	struct c2s_edits e;
	c2s_edits_init(&e);
	for (size_t i = 0; i < n; i++) {
		const struct c2s_diag *d = c2s_diags_item(&r->diags, first + i);
		uint32_t fs, fe;
		if (c2s_diag_src(&r->diags, d) == src && c2s_diag_rule(d)->fixable && c2s_diag_fix_of(&r->diags, d, &fs, &fe) && fe > fs)
			c2s_edits_add(&e, fs, fe);
	}
	uint32_t conflict;
	if (e.failed) {
		c2s_edits_free(&e);
		c2s_diags_out_of_memory(&r->diags);
		return 0;
	}
	if (c2s_edits_prepare(&e, src->len, &conflict) != 0) {
		/* fixes only delete whole lines: this is a bug of a rule's fix span */
		fprintf(r->err, "compose2swarm: %s: a fix lies past the end of the file; please report this\n", src->name);
		c2s_edits_free(&e);
		r->trouble = 1;
		return 0;
	}
	size_t ne = e.n;
	if (ne && r->o->diff) {
		if (c2s_edits_diff(&e, src->name, src->data, src->len, &r->diff) != 0)
			r->trouble = 1;
	} else if (ne && strcmp(src->path, "-") == 0) {
		fprintf(r->err, "compose2swarm: %s: standard input cannot be fixed in place; use --diff\n", src->name);
		r->trouble = 1;
	} else if (ne) {
		struct c2s_buf out, enc; /* enc: out in the file's own encoding (UTF-16) */
		char msg[C2S_OUTFILE_MSG_MAX];
		c2s_buf_init(&out, C2S_MAX_FILE_BYTES);
		c2s_buf_init(&enc, 2 * C2S_MAX_FILE_BYTES);
		if (c2s_edits_apply(&e, src->data, src->len, &out) != 0) {
			fprintf(r->err, "compose2swarm: %s: cannot rewrite the file: %s\n", src->path, strerror(ENOMEM));
			r->trouble = 1;
		} else if (src->utf16 && c2s_source_encode(src, out.data ? out.data : "", out.len, &enc) != 0) {
			fprintf(r->err, "compose2swarm: %s: cannot rewrite the file: %s\n", src->path, strerror(ENOMEM));
			r->trouble = 1;
		} else if (c2s_outfile_replace(src->path, src->utf16 ? (enc.data ? enc.data : "") : (out.data ? out.data : ""),
					       src->utf16 ? enc.len : out.len, NULL, 0, msg, sizeof msg) != 0) {
			fprintf(r->err, "compose2swarm: %s (the file is unchanged)\n", msg);
			r->trouble = 1;
		} else {
			rewritten = 1;
		}
		c2s_buf_free(&out);
		c2s_buf_free(&enc);
	}
	c2s_edits_free(&e);
	return rewritten;
}

static int after_checks(struct lint_run *r, struct c2s_source *const *srcs, const struct c2s_doc *docs,
			size_t nsrcs, size_t first, int may_fix)
{
	/* the pass's repeats were dropped as they came (unless memory ran out) */
	int missed = c2s_diags_dedupe_missed(&r->diags);
	c2s_diags_dedupe(&r->diags, 0);
	if (missed)
		drop_duplicates(r, first);
	for (size_t i = 0; i < nsrcs; i++)
		apply_pragmas(r, srcs[i], docs ? &docs[i] : NULL, first);
	if (may_fix && (r->o->fix || r->o->diff)) {
		int rewritten = 0;
		for (size_t i = 0; i < nsrcs; i++)
			rewritten |= apply_fixes(r, srcs[i], first);
		if (rewritten)
			return 1;
	}
	for (size_t i = first; i < c2s_diags_len(&r->diags); i++)
		if (r->fail_on != C2S_SEVERITY_NONE && c2s_diags_item(&r->diags, i)->severity >= r->fail_on)
			r->failed = 1;
	return 0;
}

/* Load one file and run the pipeline stages on it; 1 when the document is a
 * mapping the rules can judge (doc then holds it; free it either way). */
/* The directory relative paths in src start from, shown relative to here as the
 * file was named ("." for standard input). */
static const char *workdir_of(const struct c2s_source *src, char *dir, size_t size)
{
	if (c2s_path_workdir(NULL, src->path, dir, size) != 0)
		snprintf(dir, size, ".");
	return dir;
}

static int load_file(struct lint_run *r, struct c2s_source *src, struct c2s_doc *doc,
		     int merged_later, struct c2s_pipeline_result *res)
{
	size_t first = c2s_diags_len(&r->diags);
	enum c2s_load_status st = c2s_load(doc, src, &r->diags);
	if (st != C2S_LOAD_OK)
		return 0;
	const struct c2s_node *root = c2s_node_at(doc, doc->root);
	if (is_empty_document(doc, root)) {
		struct c2s_diag *dg = c2s_diag_add(&r->diags, C2S_R_CS1002, src, (uint32_t)src->bom,
			(uint32_t)src->bom, "the file holds no compose document (docker stack: \"top-level "
			"object must be a mapping\")");
		c2s_diag_hint(&r->diags, dg, "a stack file needs at least `services:` with one service");
		return 0;
	}
	if (!c2s_is_mapping(root)) {
		struct c2s_diag *dg = c2s_diag_at(&r->diags, C2S_R_CS1003, doc, root,
			"top-level object must be a mapping");
		c2s_diag_hint(&r->diags, dg, "a stack file is a mapping with keys such as version, "
			      "services, networks, volumes, secrets and configs");
		return 0;
	}
	/* every service's keys matched once, for the pipeline's checks and the rules
	 * (with several -c files the rules judge the merged stack, which makes its own) */
	if (!merged_later)
		c2s_svc_table_make(doc, c2s_map_get(doc, root, "services", NULL));
	struct c2s_pipeline_options po = {0};
	struct c2s_env *dotenv = r->env ? c2s_dotenv_for(src->path) : NULL;
	char dir[4096];
	po.workdir = workdir_of(src, dir, sizeof dir);
	po.env = r->env;
	po.unresolved_ok = 1;  /* --no-interpolate: ${VAR} values are left unjudged */
	po.dotenv = dotenv;
	/* docker stops at a YAML error: what only deploy checks would say is noise; with
	 * several -c files, deploy checks judge the merged stack (lint_stack) */
	po.skip_deploy_checks = merged_later;
	po.shared_once = 1;  /* after_checks drops the repeats */
	for (size_t i = first; i < c2s_diags_len(&r->diags); i++) {
		const struct c2s_rule *rule = c2s_diag_rule(c2s_diags_item(&r->diags, i));
		if (rule->tier == C2S_TIER_INPUT && rule->severity == C2S_SEVERITY_ERROR)
			po.skip_deploy_checks = 1;
	}
	if (c2s_pipeline_file(doc, &po, &r->diags, res) != 0)
		c2s_diags_out_of_memory(&r->diags);
	c2s_interp_forget(doc);  /* the rules do not ask which values were rewritten */
	c2s_env_free(dotenv);
	/* what docker's loader refuses after the schema (model.h) */
	if (!res->rejected && c2s_model_check(doc, src->path, merged_later ? &r->stack : NULL, &r->diags) > 0)
		res->rejected = 1;
	return 1;
}

static int lint_pass(struct lint_run *r, struct c2s_source *src, int may_fix)
{
	size_t first = c2s_diags_len(&r->diags);
	struct c2s_diags_mark before = c2s_diags_mark(&r->diags);
	c2s_diags_dedupe(&r->diags, 1);  /* what drop_duplicates drops, never held */
	struct c2s_doc doc;
	struct c2s_pipeline_result pr;
	if (load_file(r, src, &doc, 0, &pr))
		run_checks(r, &doc);
	int rewritten = after_checks(r, &src, &doc, 1, first, may_fix);
	c2s_doc_free(&doc);
	if (!rewritten)
		return 0;
	c2s_diags_rollback(&r->diags, &before);  /* the file was rewritten: what it says now is what counts */
	return 1;
}

/* Read src's file again after --fix rewrote it. */
static int reread(struct lint_run *r, struct c2s_source *src)
{
	struct c2s_source fresh;
	int e = 0;
	uint32_t rank = src->rank;
	enum c2s_read_status st = c2s_source_read(&fresh, src->path, src->name, &e);
	if (st != C2S_READ_OK) {
		read_error(r, src->path, st, e);
		return -1;
	}
	c2s_source_free(src);
	*src = fresh;
	src->rank = rank;
	return 0;
}

static void lint_source(struct lint_run *r, struct c2s_source *src)
{
	/* --fix rewrote the file: lint the new content once more, without fixing */
	if (lint_pass(r, src, 1) && reread(r, src) == 0)
		lint_pass(r, src, 0);
}

/* lint -c a.yml -c b.yml: each file through the pipeline on its own (docker
 * validates each), then the rules over the merged stack. 1: --fix rewrote files. */
static int lint_stack_pass(struct lint_run *r, struct c2s_source *srcs, size_t n, int may_fix)
{
	size_t first = c2s_diags_len(&r->diags);
	struct c2s_diags_mark before = c2s_diags_mark(&r->diags);
	struct c2s_doc *docs = calloc(n, sizeof *docs);
	struct c2s_doc **ptrs = calloc(n, sizeof *ptrs);
	struct c2s_source **sp = calloc(n, sizeof *sp);
	if (!docs || !ptrs || !sp) {
		c2s_diags_out_of_memory(&r->diags);
		free(docs);
		free(ptrs);
		free(sp);
		return 0;
	}
	c2s_diags_dedupe(&r->diags, 1);  /* what drop_duplicates drops, never held */
	int all = 1, version = -1;
	char first_version[sizeof ((struct c2s_pipeline_result *)0)->version] = "";
	for (size_t i = 0; i < n; i++) {
		struct c2s_pipeline_result pr = {0};
		ptrs[i] = &docs[i];
		sp[i] = &srcs[i];
		size_t had = c2s_diags_len(&r->diags);
		int loaded = load_file(r, &srcs[i], &docs[i], 1, &pr);
		/* a file refused on its own (docker validates each) leaves no stack to
		 * judge; but an error counted without a finding (a missing env_file,
		 * CS9005's to say: a rule) is the merged stack's to report, or lint
		 * would pass in silence what convert -c a -c b refuses */
		int said = 0;
		for (size_t j = had; j < c2s_diags_len(&r->diags) && !said; j++)
			said = c2s_diags_item(&r->diags, j)->severity == C2S_SEVERITY_ERROR;
		if (!loaded || (pr.rejected && said))
			all = 0;
		if (i == 0) {
			version = pr.version_minor;
			memcpy(first_version, pr.version, sizeof first_version);
		} else if (loaded && strcmp(first_version, pr.version) != 0) {
			/* docker compares the versions as it normalised them, file by file */
			const struct c2s_node *key, *root = c2s_node_at(&docs[i], docs[i].root);
			const struct c2s_node *v = c2s_map_get(&docs[i], root, "version", &key);
			struct c2s_diag *dg = v ? c2s_diag_at(&r->diags, C2S_R_CS2001, &docs[i], v,
				"version mismatched between two composefiles : %s and %s", first_version, pr.version)
				: c2s_diag_add(&r->diags, C2S_R_CS2001, &srcs[i], (uint32_t)srcs[i].bom, (uint32_t)srcs[i].bom,
				"version mismatched between two composefiles : %s and %s", first_version, pr.version);
			c2s_diag_hint(&r->diags, dg, "every -c file must declare the same version (no version: means 3.13)");
			all = 0;
		}
	}
	if (all) {  /* a file that does not load leaves no stack to judge */
		struct c2s_source composite;
		struct c2s_doc merged;
		if (c2s_source_composite(&composite, sp, n) != 0) {
			c2s_diags_out_of_memory(&r->diags);
		} else {
			if (c2s_doc_merge(&merged, &composite, ptrs, n) != 0) {
				c2s_diags_out_of_memory(&r->diags);
			} else {
				/* what only stack deploy checks, it checks on the merged stack */
				struct c2s_pipeline_options po = {0};
				char dir[4096];
				po.workdir = workdir_of(&srcs[0], dir, sizeof dir);
				po.env = r->env;
				if (!r->env && c2s_interp_mark_unresolved(&merged) != 0)
					c2s_diags_out_of_memory(&r->diags);
				if (version >= 0 && c2s_deploy_checks(&merged, &po, version, &r->diags) < 0)
					c2s_diags_out_of_memory(&r->diags);
				run_checks(r, &merged);
			}
			c2s_doc_free(&merged);
			c2s_source_composite_free(&composite);
		}
	}
	int rewritten = after_checks(r, sp, docs, n, first, may_fix);
	for (size_t i = 0; i < n; i++)
		c2s_doc_free(&docs[i]);
	if (rewritten)
		c2s_diags_rollback(&r->diags, &before);
	free(docs);
	free(ptrs);
	free(sp);
	return rewritten;
}

static void lint_stack(struct lint_run *r, struct c2s_source *srcs, size_t n)
{
	if (!lint_stack_pass(r, srcs, n, 1))
		return;
	for (size_t i = 0; i < n; i++)
		if (reread(r, &srcs[i]) != 0)
			return;
	lint_stack_pass(r, srcs, n, 0);
}

/* A file to lint on its own, or a stack of a config file's stacks: that a named file is part of. */
struct lint_unit {
	size_t file;                        /* the named file (its config's settings apply) */
	int stack;                          /* index in that config's stacks, -1: the file alone */
	char *key;                          /* config path # stack (stacks only): each is linted once */
	unsigned npaths;
	char (*paths)[C2S_CONFIG_MAX_PATH];
};

static int add_source(struct lint_run *r, const char *path);

/* Lint the named files one by one, but: a file a config file's exclude: names
 * is skipped, and a file that is part of one of its stacks: is linted as that
 * stack (its files merged as docker stack deploy -c a -c b merges them; once,
 * however many of its files are named). -1: a config file is broken (exit 2). */
static int lint_files(struct lint_run *r, const char *const *files, size_t nfiles, int layout)
{
	struct lint_unit *u = calloc(nfiles, sizeof *u);
	size_t nu = 0, total = 0;
	int rc = 0;
	if (!u) {
		c2s_diags_out_of_memory(&r->diags);
		return 0;
	}
	for (size_t i = 0; i < nfiles; i++) {
		if (settings_for(r, files[i]) != 0) {
			rc = -1;
			goto out;
		}
		const struct c2s_lintconf *c = r->conf;
		if (layout && c2s_lintconf_excluded(c, files[i]))
			continue;
		int k = layout ? c2s_lintconf_stack_of(c, files[i]) : -1;
		struct lint_unit *x = &u[nu];
		x->file = i;
		x->stack = k;
		if (k < 0) {
			nu++;
			total++;
			continue;
		}
		char key[C2S_CONFIG_MAX_PATH + 16];
		snprintf(key, sizeof key, "%s#%d", r->o->config_file ? r->o->config_file : r->found_path, k);
		int seen = 0;
		for (size_t j = 0; j < nu && !seen; j++)
			seen = u[j].stack >= 0 && strcmp(u[j].key, key) == 0;
		if (seen)
			continue;
		x->key = strdup(key);
		if (!x->key) {
			c2s_diags_out_of_memory(&r->diags);
			goto out;
		}
		x->npaths = c->stack_nfiles[k];
		x->paths = calloc(x->npaths, sizeof *x->paths);
		if (!x->paths) {
			c2s_diags_out_of_memory(&r->diags);
			goto out;
		}
		for (unsigned j = 0; j < x->npaths; j++)
			if (c2s_lintconf_stack_file(c, (unsigned)k, j, x->paths[j], sizeof x->paths[j]) != 0) {
				fprintf(r->err, "compose2swarm: a file of a stack in %s: path too long\n", x->key);
				r->trouble = 1;
				goto out;
			}
		nu++;
		total += x->npaths;
	}
	if (total > nfiles) {  /* nothing is read yet: the sources can move */
		struct c2s_source *more = calloc(total, sizeof *more);
		if (!more) {
			c2s_diags_out_of_memory(&r->diags);
			goto out;
		}
		free(r->sources);
		r->sources = more;
	}
	for (size_t i = 0; i < nu; i++) {
		if (settings_for(r, files[u[i].file]) != 0) {
			rc = -1;
			break;
		}
		if (u[i].stack < 0) {
			if (add_source(r, files[u[i].file]) == 0)
				lint_source(r, &r->sources[r->nsources - 1]);
			continue;
		}
		size_t first = r->nsources, added = 0;
		for (unsigned j = 0; j < u[i].npaths; j++)
			added += add_source(r, u[i].paths[j]) == 0;
		memset(&r->stack, 0, sizeof r->stack);
		if (added == u[i].npaths && added > 1)
			lint_stack(r, &r->sources[first], added);
		else if (added == 1)
			lint_source(r, &r->sources[first]);
	}
out:
	for (size_t i = 0; i < nfiles; i++) {
		free(u[i].paths);
		free(u[i].key);
	}
	free(u);
	return rc;
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
	if (c2s_diags_nomem(&r->diags)) {
		fprintf(r->err, "compose2swarm: out of memory\n");
		r->trouble = 1;
	}
	c2s_diags_resolve(&r->diags);
	struct c2s_buf report;
	c2s_buf_init(&report, LINT_MAX_REPORT_BYTES);
	char cwd[C2S_CONFIG_MAX_PATH];
	struct c2s_format_options fo = {
		.format = r->o->format, .color = r->o->color, .files = r->nsources, .sources = r->sources,
		.docs_url = r->o->docs_url ? r->o->docs_url : r->docs_url[0] ? r->docs_url : NULL,
		/* SARIF's %SRCROOT%: where the command runs (a CI job's checkout) */
		.srcroot = getcwd(cwd, sizeof cwd),
	};
	int built;
	if (r->o->diff)  /* --diff: the change is the output; findings still decide the status */
		built = r->diff.failed ? -1 : c2s_buf_add(&report, r->diff.data ? r->diff.data : "", r->diff.len);
	else
		built = c2s_format_diags(&r->diags, &fo, &report);
	if (built != 0) {
		fprintf(r->err, "compose2swarm: the report is larger than %zu MiB\n", LINT_MAX_REPORT_BYTES >> 20);
		r->trouble = 1;
	} else if (report.len && (fwrite(report.data, 1, report.len, out) != report.len || fflush(out) != 0)) {
		fprintf(r->err, "compose2swarm: cannot write the report: %s\n", strerror(errno));
		r->trouble = 1;
	}
	c2s_buf_free(&report);
	if (r->failed)
		status = C2S_EXIT_FINDINGS;
	if (r->trouble || c2s_diags_limit_hit(&r->diags))
		status = C2S_EXIT_TROUBLE;
	return status;
}

static int run_lint(struct lint_run *r, const struct c2s_lint_options *o, FILE *out, FILE *err)
{
	r->o = o;
	r->err = err;
	c2s_lintconf_defaults(&r->explicit_conf);
	if (apply_overrides(r, r->explicit_conf.severity) != 0)  /* unknown ids: exit 2 before any file */
		return C2S_EXIT_TROUBLE;
	c2s_lintconf_defaults(&r->explicit_conf);
	if (o->config_file && c2s_lintconf_load(&r->explicit_conf, o->config_file, err) != 0)
		return C2S_EXIT_TROUBLE;
	if (o->engine_version && c2s_parse_engine_version(o->engine_version, strlen(o->engine_version),
							   &r->cli_engine_major, &r->cli_engine_minor) != 0) {
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
		r->env = c2s_env_new(o->envp);
		if (!r->env) {
			fprintf(err, "compose2swarm: out of memory\n");
			return C2S_EXIT_TROUBLE;
		}
		if (o->env_file) {
			char msg[1024];
			if (c2s_env_read_file(r->env, o->env_file, r->env, msg, sizeof msg) != C2S_ENVFILE_OK) {
				fprintf(err, "compose2swarm: --env-file: %s\n", msg);
				c2s_env_free(r->env);
				return C2S_EXIT_TROUBLE;
			}
		}
	}
	r->sources = calloc(nfiles, sizeof *r->sources);
	if (!r->sources) {
		c2s_env_free(r->env);
		fprintf(err, "compose2swarm: out of memory\n");
		return C2S_EXIT_TROUBLE;
	}
	c2s_diags_init(&r->diags);
	c2s_buf_init(&r->diff, LINT_MAX_REPORT_BYTES);
	c2s_diags_configure(&r->diags, r->severity, 1);  /* sentences written at the report, after the trees are freed */
	int status;
	if (files == o->compose && nfiles > 1) {
		/* -c a.yml -c b.yml: one stack, as docker stack deploy sees it */
		if (settings_for(r, files[0]) != 0) {
			r->trouble = 1;
		} else {
			for (size_t i = 0; i < nfiles; i++)
				add_source(r, files[i]);
			if (r->nsources == nfiles)
				lint_stack(r, r->sources, r->nsources);
		}
	} else if (lint_files(r, files, nfiles, files != o->compose) != 0) {  /* -c FILE: that file is the stack */
		r->trouble = 1;  /* a broken config file: exit 2 */
	}
	if (r->trouble && c2s_diags_len(&r->diags) == 0 && !r->nsources)
		status = C2S_EXIT_TROUBLE;
	else
		status = finish(r, out);
	c2s_buf_free(&r->diff);
	c2s_diags_free(&r->diags);
	c2s_env_free(r->env);
	for (size_t i = 0; i < r->nsources; i++)
		c2s_source_free(&r->sources[i]);
	free(r->sources);
	return status;
}

int c2s_lint(const struct c2s_lint_options *o, FILE *out, FILE *err)
{
	/* on the heap, fresh and zero: the config tables in it (60 KiB) are
	 * written only when a config file fills them, where a local's memset
	 * wrote every page of them into the peak RSS make bench measures */
	struct lint_run *r = calloc(1, sizeof *r);
	if (!r) {
		fprintf(err, "compose2swarm: out of memory\n");
		return C2S_EXIT_TROUBLE;
	}
	int status = run_lint(r, o, out, err);
	free(r);
	return status;
}
