/* migrate.c -- `compose2swarm migrate`: find the project as docker compose does (files,
 * .env, profiles, project name), run the phases, write one stack file and the report.
 * Semantics of the project: compose-spec/compose-go cli/options.go and loader/loader.go,
 * docker/compose cmd/compose/compose.go (toProjectOptions). */
#include "config.h"
#include "compose2swarm.h"
#include "outfile.h"
#include "format.h"
#include "migrate.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* The largest report built in memory. */
#define MIGRATE_MAX_REPORT_BYTES ((size_t)64 << 20)

/* compose-go cli.DefaultFileNames and DefaultOverrideFileNames, in their order. */
static const char *const default_files[] = {
	"compose.yaml", "compose.yml", "docker-compose.yml", "docker-compose.yaml",
};
static const char *const override_files[] = {
	"compose.override.yml", "compose.override.yaml", "docker-compose.override.yml", "docker-compose.override.yaml",
};

static int is_file(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0 && !S_ISDIR(st.st_mode);
}

/* ---- the environment ---- */

struct envfile_ctx {
	struct mig *m;
	struct c2s_env *vars;   /* what the files set, later files winning */
};

static int remember_var(struct mig *m, const char *k, size_t kn, const char *v, size_t vn)
{
	for (size_t i = 0; i < m->nvars; i++)
		if (strlen(m->vars[i].name) == kn && memcmp(m->vars[i].name, k, kn) == 0) {
			char *nv = strndup(v, vn);
			if (!nv)
				return -1;
			free(m->vars[i].value);
			m->vars[i].value = nv;
			return 0;
		}
	if (m->nvars == m->capvars) {
		size_t cap = m->capvars ? m->capvars * 2 : 16;
		struct mig_var *nv = realloc(m->vars, cap * sizeof *nv);
		if (!nv)
			return -1;
		m->vars = nv;
		m->capvars = cap;
	}
	m->vars[m->nvars].name = strndup(k, kn);
	m->vars[m->nvars].value = strndup(v, vn);
	if (!m->vars[m->nvars].name || !m->vars[m->nvars].value) {
		free(m->vars[m->nvars].name);
		free(m->vars[m->nvars].value);
		return -1;
	}
	m->nvars++;
	return 0;
}

static int envfile_var(void *ctx, const char *k, size_t kn, const char *v, size_t vn)
{
	struct envfile_ctx *c = ctx;
	if (kn == 0)
		return 0;
	return c2s_env_set(c->vars, k, kn, v, vn) != 0 || remember_var(c->m, k, kn, v, vn) != 0 ? -1 : 0;
}

/* Read env files as dotenv.GetEnvFromFile, then merge them under the environment
 * (a variable the process has set wins, as docker compose's WithOsEnv). */
static int read_env_files(struct mig *m, const char *const *paths, size_t n, int required)
{
	struct envfile_ctx c = {m, c2s_env_new(NULL)};
	if (!c.vars) {
		m->nomem = 1;
		return -1;
	}
	int rc = 0;
	for (size_t i = 0; i < n && rc == 0; i++) {
		if (!is_file(paths[i])) {
			if (required) {
				mig_trouble(m, "couldn't find env file: %s", paths[i]);
				rc = -1;
			}
			continue;
		}
		struct c2s_source *src = mig_read(m, paths[i], NULL);
		if (!src) {
			rc = -1;
			break;
		}
		/* ${VAR} in a value reads the environment first, then the files so far */
		struct c2s_env *lookup = c2s_env_new(NULL);
		if (!lookup) {
			rc = -1;
			m->nomem = 1;
			break;
		}
		for (size_t j = 0; j < m->nvars; j++)
			c2s_env_set(lookup, m->vars[j].name, strlen(m->vars[j].name), m->vars[j].value,
				    strlen(m->vars[j].value));
		for (const char *const *e = m->o->envp; e && *e; e++) {
			const char *eq = strchr(*e, '=');
			if (eq && eq > *e)
				c2s_env_set(lookup, *e, (size_t)(eq - *e), eq + 1, strlen(eq + 1));
		}
		char err[1024];
		if (mig_dotenv_parse(src->data, src->len, lookup, envfile_var, &c, err, sizeof err) != 0) {
			mig_trouble(m, "failed to read %s: %s", paths[i], err);
			rc = -1;
		}
		c2s_env_free(lookup);
	}
	for (size_t j = 0; rc == 0 && j < m->nvars; j++) {
		size_t vl;
		const char *k = m->vars[j].name;
		if (!c2s_env_get(m->env, k, strlen(k), &vl))
			c2s_env_set(m->env, k, strlen(k), m->vars[j].value, strlen(m->vars[j].value));
	}
	c2s_env_free(c.vars);
	return rc;
}

static const char *env_str(struct mig *m, const char *name)
{
	size_t vl;
	return c2s_env_get(m->env, name, strlen(name), &vl);
}

/* compose-go loader.NormalizeProjectName: lower case, only [a-z0-9_-], no leading _ or -. */
static void normalize_name(const char *s, char *out, size_t size)
{
	size_t n = 0;
	for (; *s && n + 1 < size; s++) {
		char c = *s >= 'A' && *s <= 'Z' ? (char)(*s - 'A' + 'a') : *s;
		if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-') {
			if (n == 0 && (c == '_' || c == '-'))
				continue;
			out[n++] = c;
		}
	}
	out[n] = '\0';
}

/* The top-level name: of a loaded text, substituted (compose interpolates it). */
static int name_of(struct mig *m, struct mig_text *t, char *out, size_t size)
{
	const struct c2s_node *root = c2s_node_at(&t->doc, t->doc.root);
	const struct c2s_node *n = c2s_map_get(&t->doc, root, "name", NULL);
	if (!c2s_is_scalar(n) || mt_is_null(t, n))
		return 0;
	struct c2s_str s = c2s_scalar(&t->doc, n);
	struct c2s_buf b;
	c2s_buf_init(&b, 4096);
	char err[256];
	int ok = mig_substitute(s.p, s.n, m->env, &b, err, sizeof err) == MIG_SUBST_OK && b.len;
	if (ok)
		snprintf(out, size, "%s", b.data);
	c2s_buf_free(&b);
	return ok;
}

/* ---- the report ---- */

static const char *kind_word(const struct c2s_diag *d)
{
	if (d->rule_index == C2S_R_CS0107)
		return "kept";
	switch (d->severity) {
	case C2S_SEVERITY_ERROR: return "needs-you";
	case C2S_SEVERITY_WARNING: return "dropped";
	default: return "translated";
	}
}

static int report(struct mig *m, FILE *err)
{
	c2s_diags_resolve(&m->diags);
	struct c2s_buf out;
	c2s_buf_init(&out, MIGRATE_MAX_REPORT_BYTES);
	struct c2s_format_options fo = {.format = m->o->format, .color = m->o->color, .files = m->nsources ? m->nsources : 1};
	int rc = c2s_format_diags_labeled(&m->diags, &fo, kind_word, &out);
	if (m->o->format == C2S_FORMAT_TEXT) {
		size_t n[4] = {0};
		for (size_t i = 0; i < m->diags.n; i++) {
			const char *w = kind_word(&m->diags.items[i]);
			n[w[0] == 't' ? 0 : w[0] == 'd' ? 1 : w[0] == 'k' ? 2 : 3]++;
		}
		if (m->diags.n)
			c2s_buf_printf(&out, "%zu %s: %zu translated, %zu dropped, %zu kept with a note, %zu %s you\n",
				       m->diags.n, m->diags.n == 1 ? "change" : "changes", n[0], n[1], n[2], n[3],
				       n[3] == 1 ? "needs" : "need");
		else if (!m->trouble && !m->nomem)  /* after trouble nothing was looked at to the end */
			c2s_buf_printf(&out, "nothing to change\n");
	}
	if (out.len)
		fwrite(out.data, 1, out.len, err);
	c2s_buf_free(&out);
	return rc;
}

/* ---- writing ---- */

/* Replace path with data atomically (outfile.c: symlinks followed, owner and
 * mode kept, never half-written); inputs are refused as the target. */
static int write_file(struct mig *m, const char *path, const char *data, size_t len, char **inputs,
		      size_t ninputs)
{
	char msg[C2S_OUTFILE_MSG_MAX];
	if (c2s_outfile_replace(path, data, len, (const char *const *)inputs, ninputs, msg, sizeof msg) != 0) {
		mig_trouble(m, "%s", msg);
		return -1;
	}
	return 0;
}

int mig_extra_file(struct mig *m, const char *path, const char *data, size_t len, int private_mode)
{
	if (m->nextra == m->capextra) {
		size_t cap = m->capextra ? m->capextra * 2 : 8;
		struct mig_extra *v = realloc(m->extra, cap * sizeof *v);
		if (!v) {
			m->nomem = 1;
			return -1;
		}
		m->extra = v;
		m->capextra = cap;
	}
	struct mig_extra *e = &m->extra[m->nextra];
	e->path = strdup(path);
	e->data = malloc(len ? len : 1);
	if (!e->path || !e->data) {
		free(e->path);
		free(e->data);
		m->nomem = 1;
		return -1;
	}
	memcpy(e->data, data, len);
	e->len = len;
	e->private_mode = private_mode;
	m->nextra++;
	return 0;
}

/* A --materialize file: a new secret file is made 0600 first (the writer keeps an
 * existing file's mode), and removed again when it cannot be written. */
static int write_extra(struct mig *m, const struct mig_extra *e, char **inputs, size_t ninputs)
{
	int made = 0;
	if (e->private_mode) {
		int fd = open(e->path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
		if (fd >= 0) {
			made = 1;
			close(fd);
		}
	}
	if (write_file(m, e->path, e->data, e->len, inputs, ninputs) != 0) {
		if (made)
			unlink(e->path);
		return -1;
	}
	return 0;
}

/* ---- the run ---- */

static void free_all(struct mig *m)
{
	c2s_diags_free(&m->diags);
	c2s_env_free(m->env);
	c2s_env_free(m->osenv);
	for (size_t i = 0; i < m->nvars; i++) {
		free(m->vars[i].name);
		free(m->vars[i].value);
	}
	free(m->vars);
	for (size_t i = 0; i < m->nsources; i++) {
		c2s_source_free(m->sources[i]);
		free(m->sources[i]);
	}
	free(m->sources);
	for (size_t i = 0; i < m->nextra; i++) {
		free(m->extra[i].path);
		free(m->extra[i].data);
	}
	free(m->extra);
}

/* Load an original file: its YAML problems are reported at their place, as lint does. */
static int load_original(struct mig *m, struct c2s_source *src, const char *dir, struct mig_text *t)
{
	struct c2s_doc doc;
	size_t before = m->diags.n;
	enum c2s_load_status st = c2s_load(&doc, src, &m->diags);
	int bad = st != C2S_LOAD_OK;
	for (size_t i = before; i < m->diags.n; i++)
		if (m->diags.items[i].severity == C2S_SEVERITY_ERROR)
			bad = 1;
	const struct c2s_node *root = st == C2S_LOAD_OK ? c2s_node_at(&doc, doc.root) : NULL;
	if (!bad && !c2s_is_mapping(root)) {
		struct c2s_diag *dg = c2s_diag_add(&m->diags, C2S_R_CS1003, src, 0, src->len ? 1 : 0,
						   "top-level object must be a mapping");
		if (dg)
			dg->severity = C2S_SEVERITY_ERROR;
		bad = 1;
	}
	c2s_doc_free(&doc);
	if (st == C2S_LOAD_LIMIT || st == C2S_LOAD_NOMEM)
		m->trouble = 1;
	/* a file that does not load is the user's to mend: needs-you */
	for (size_t i = before; i < m->diags.n; i++)
		if (m->diags.items[i].severity == C2S_SEVERITY_WARNING)
			m->diags.items[i].severity = C2S_SEVERITY_INFO;
	if (bad)
		return -1;
	return mig_text_from_source(m, t, src, dir);
}

int c2s_migrate(const struct c2s_migrate_options *o, FILE *out, FILE *err)
{
	struct mig m;
	memset(&m, 0, sizeof m);
	m.o = o;
	m.err = err;
	c2s_diags_init(&m.diags);
	int status = C2S_EXIT_TROUBLE;
	char cwd[PATH_MAX];
	char **files = NULL;
	size_t nfiles = 0;
	if (!getcwd(cwd, sizeof cwd)) {
		mig_trouble(&m, "cannot tell the current directory: %s", strerror(errno));
		goto done;
	}
	m.env = c2s_env_new(o->envp);
	m.osenv = c2s_env_new(o->envp);
	if (!m.env || !m.osenv) {
		m.nomem = 1;
		goto done;
	}
	if (o->in_place && (o->output || o->nfiles != 1)) {
		mig_trouble(&m, "--in-place takes exactly one -c file and no -o");
		goto done;
	}
	if (o->materialize && !o->in_place && !o->output) {
		mig_trouble(&m, "--materialize writes files beside the stack file: give -o or --in-place");
		goto done;
	}
	/* The env files, as docker compose picks them (docker/compose cmd/compose/compose.go
	 * toProjectOptions: WithEnvFiles and WithDotEnv, once before the compose files are found
	 * and once after): --env-file; else COMPOSE_ENV_FILES, comma separated; else the .env of
	 * the project directory known so far (compose-go cli.GetWorkingDir: the first -c file's,
	 * else the current one), unless COMPOSE_DISABLE_ENV_FILE is true. */
	char dotenv[PATH_MAX + 8];
	if (o->nfiles && strcmp(o->files[0], "-") != 0) {
		char absf[PATH_MAX], d[PATH_MAX];
		mig_abs_path(cwd, o->files[0], absf, sizeof absf);
		mig_dir_name(absf, d, sizeof d);
		snprintf(dotenv, sizeof dotenv, "%s/.env", d);
	} else {
		snprintf(dotenv, sizeof dotenv, "%s/.env", cwd);
	}
	size_t vl;
	const char *named = c2s_env_get(m.osenv, "COMPOSE_ENV_FILES", 17, &vl);
	const char *disable = c2s_env_get(m.osenv, "COMPOSE_DISABLE_ENV_FILE", 24, &vl);
	int no_dotenv = o->nenv_files || (named && *named) ||
			(disable && (!strcmp(disable, "1") || !strcmp(disable, "t") || !strcmp(disable, "T") ||
				     !strcmp(disable, "true") || !strcmp(disable, "TRUE") || !strcmp(disable, "True")));
	if (o->nenv_files) {
		if (read_env_files(&m, o->env_files, o->nenv_files, 1) != 0)
			goto done;
	} else if (named && *named) {
		char *list[C2S_MIGRATE_MAX_FILES];
		size_t nl = 0;
		for (const char *p = named; *p && nl < C2S_MIGRATE_MAX_FILES;) {
			const char *e = strchr(p, ',');
			size_t l = e ? (size_t)(e - p) : strlen(p);
			if (l && (list[nl] = strndup(p, l)) != NULL)
				nl++;
			p += l + (e ? 1 : 0);
		}
		int rc = read_env_files(&m, (const char *const *)list, nl, 1);
		for (size_t i = 0; i < nl; i++)
			free(list[i]);
		if (rc != 0)
			goto done;
	} else if (!no_dotenv) {
		const char *one[] = {dotenv};
		if (read_env_files(&m, one, 1, 0) != 0)
			goto done;
	}
	/* the files: -c, COMPOSE_FILE, or the default file and its override found upward */
	files = calloc(C2S_MIGRATE_MAX_FILES, sizeof *files);
	if (!files) {
		m.nomem = 1;
		goto done;
	}
	if (o->nfiles) {
		if (o->nfiles > C2S_MIGRATE_MAX_FILES) {
			mig_trouble(&m, "too many -c files");
			goto done;
		}
		for (size_t i = 0; i < o->nfiles; i++)
			files[nfiles++] = strdup(o->files[i]);
	} else if (env_str(&m, "COMPOSE_FILE") && *env_str(&m, "COMPOSE_FILE")) {
		const char *sep = env_str(&m, "COMPOSE_PATH_SEPARATOR");
		char sc = sep && *sep ? sep[0] : ':';
		const char *p = env_str(&m, "COMPOSE_FILE");
		while (*p && nfiles < C2S_MIGRATE_MAX_FILES) {
			const char *e = strchr(p, sc);
			size_t l = e ? (size_t)(e - p) : strlen(p);
			if (l)
				files[nfiles++] = strndup(p, l);
			p += l + (e ? 1 : 0);
		}
	} else {
		char dir[PATH_MAX];
		snprintf(dir, sizeof dir, "%s", cwd);
		for (;;) {
			char cand[PATH_MAX + 64];
			/* named as the user would: without the directory when it is the current one */
			int here = strcmp(dir, cwd) == 0;
			for (size_t i = 0; i < sizeof default_files / sizeof *default_files && !nfiles; i++) {
				snprintf(cand, sizeof cand, "%s/%s", dir, default_files[i]);
				if (is_file(cand))
					files[nfiles++] = strdup(here ? default_files[i] : cand);
			}
			if (nfiles) {
				for (size_t i = 0; i < sizeof override_files / sizeof *override_files; i++) {
					snprintf(cand, sizeof cand, "%s/%s", dir, override_files[i]);
					if (is_file(cand)) {
						files[nfiles++] = strdup(here ? override_files[i] : cand);
						break;
					}
				}
				break;
			}
			if (strcmp(dir, "/") == 0)
				break;
			char up[PATH_MAX];
			mig_dir_name(dir, up, sizeof up);
			snprintf(dir, sizeof dir, "%s", up);
		}
		if (!nfiles) {
			mig_trouble(&m, "no compose file found in %s or above (compose.yaml, compose.yml, "
				    "docker-compose.yml, docker-compose.yaml); name one with -c", cwd);
			goto done;
		}
	}
	for (size_t i = 0; i < nfiles; i++)
		if (!files[i]) {
			m.nomem = 1;
			goto done;
		}
	/* the project directory: the first file's; its .env when none was named */
	{
		char absf[PATH_MAX];
		mig_abs_path(cwd, files[0], absf, sizeof absf);
		mig_dir_name(absf, m.workdir, sizeof m.workdir);
		char wenv[PATH_MAX + 8];
		snprintf(wenv, sizeof wenv, "%s/.env", m.workdir);
		if (!no_dotenv && strcmp(wenv, dotenv) != 0) {
			const char *one[] = {wenv};
			if (read_env_files(&m, one, 1, 0) != 0)
				goto done;
		}
	}
	/* where the stack file goes: relative paths in it are read from there */
	if (o->in_place) {
		snprintf(m.outdir, sizeof m.outdir, "%s", m.workdir);
	} else if (o->output) {
		char abso[PATH_MAX];
		mig_abs_path(cwd, o->output, abso, sizeof abso);
		mig_dir_name(abso, m.outdir, sizeof m.outdir);
	} else {
		snprintf(m.outdir, sizeof m.outdir, "%s", cwd);
	}
	/* read and load every file */
	struct mig_text *all = calloc(nfiles, sizeof *all);
	if (!all) {
		m.nomem = 1;
		goto done;
	}
	int bad = 0;
	for (size_t i = 0; i < nfiles; i++) {
		char absf[PATH_MAX];
		mig_abs_path(cwd, files[i], absf, sizeof absf);
		struct c2s_source *src = mig_read(&m, files[i], NULL);
		if (!src) {
			bad = 1;
			break;
		}
		/* docker compose reads relative paths of every -f file from the project directory */
		if (load_original(&m, src, m.workdir, &all[i]) != 0)
			bad = 1;
	}
	/* the project name: -p, COMPOSE_PROJECT_NAME, a name: in the files, the directory */
	if (!bad) {
		char name[256] = "";
		if (o->project_name) {
			snprintf(name, sizeof name, "%s", o->project_name);
		} else if (env_str(&m, "COMPOSE_PROJECT_NAME") && *env_str(&m, "COMPOSE_PROJECT_NAME")) {
			snprintf(name, sizeof name, "%s", env_str(&m, "COMPOSE_PROJECT_NAME"));
		} else {
			for (size_t i = 0; i < nfiles; i++)
				if (name_of(&m, &all[i], name, sizeof name))
					break;
			if (!name[0]) {
				const char *base = strrchr(m.workdir, '/');
				const char *b = base ? base + 1 : m.workdir;
				size_t bl = strlen(b) < sizeof name - 1 ? strlen(b) : sizeof name - 1;
				memcpy(name, b, bl);
				name[bl] = '\0';
			}
		}
		normalize_name(name, m.project, sizeof m.project);
		if (!env_str(&m, "COMPOSE_PROJECT_NAME"))
			c2s_env_set(m.env, "COMPOSE_PROJECT_NAME", 20, m.project, strlen(m.project));
	}
	/* each file on its own: variables, include, extends; then the overrides merged in */
	for (size_t i = 0; !bad && i < nfiles; i++) {
		if (mig_phase_interpolate(&m, &all[i], m.env) != 0 || mig_phase_include_extends(&m, &all[i], m.env) != 0)
			bad = 1;
	}
	for (size_t i = 1; !bad && i < nfiles; i++)
		if (mig_phase_merge(&m, &all[0], &all[i]) != 0)
			bad = 1;
	if (!bad && (mig_phase_profiles(&m, &all[0]) != 0 || mig_phase_translate(&m, &all[0]) != 0))
		bad = 1;
	/* docker stack deploy reads relative paths from the stack file's directory */
	if (!bad && strcmp(m.outdir, m.workdir) != 0) {
		size_t before = all[0].src.len;
		char *old = strndup(all[0].src.data, before);
		if (!old || mig_rebase(&m, &all[0], m.workdir, m.outdir) != 0) {
			bad = 1;
		} else if (all[0].src.len != before || memcmp(old, all[0].src.data, before) != 0) {
			struct c2s_diag *dg = mig_note(&m, C2S_R_CS0103, MIG_TRANSLATED, &all[0], 0, 1,
				"relative paths rewritten for the stack file's directory %s (docker compose reads them from "
				"the project directory %s)", m.outdir, m.workdir);
			mig_hint(&m, dg, "write the stack file into the project directory (-o there) to keep them as they are");
		}
		free(old);
		free(all[0].dir);
		all[0].dir = strdup(m.outdir);
	}
	if (!bad && mig_phase_finish(&m, &all[0]) != 0)
		bad = 1;
	int needs_you = 0;
	for (size_t i = 0; i < m.diags.n; i++)
		if (m.diags.items[i].severity == C2S_SEVERITY_ERROR)
			needs_you = 1;
	if (!m.trouble && !m.nomem && !needs_you && !bad) {
		const char *data = all[0].src.data;
		size_t len = all[0].src.len;
		int extra_ok = 1;
		for (size_t i = 0; i < m.nextra && extra_ok; i++)
			if (write_extra(&m, &m.extra[i], files, nfiles) != 0)
				extra_ok = 0;
		if (!extra_ok) {
			/* trouble said; the stack file is not written without its files */
		} else if (o->in_place) {
			if (write_file(&m, files[0], data, len, NULL, 0) == 0)
				status = C2S_EXIT_OK;
		} else if (o->output) {
			if (write_file(&m, o->output, data, len, files, nfiles) == 0)
				status = C2S_EXIT_OK;
		} else if ((len && fwrite(data, 1, len, out) != len) || fflush(out) != 0) {
			mig_trouble(&m, "cannot write the output: %s", strerror(errno));
		} else {
			status = C2S_EXIT_OK;
		}
	} else if (!m.trouble && !m.nomem && (needs_you || bad)) {
		status = C2S_EXIT_FINDINGS;
	}
	for (size_t i = 0; i < nfiles; i++)
		mig_text_free(&all[i]);
	free(all);
done:
	if (m.nomem) {
		fprintf(err, "compose2swarm: out of memory\n");
		status = C2S_EXIT_TROUBLE;
	}
	if (report(&m, err) != 0)
		status = C2S_EXIT_TROUBLE;
	if (m.trouble)
		status = C2S_EXIT_TROUBLE;
	for (size_t i = 0; files && i < nfiles; i++)
		free(files[i]);
	free(files);
	free_all(&m);
	return status;
}
