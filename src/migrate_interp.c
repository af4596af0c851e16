/* migrate_interp.c -- migrate's variables: every ${VAR} substituted as docker compose does it
 * (compose-go interpolation with its type casts, loader/interpolate.go), each written back
 * so that docker stack deploy reads the same value: a literal '$' as "$$", a cast value
 * in its type. With --keep-variables only what docker stack cannot substitute is reported. */
#include "config.h"
#include "migrate.h"
#include "compose2swarm.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum cast { CAST_NONE = 0, CAST_INT, CAST_FLOAT, CAST_BOOL };

/* compose-go's interpolateTypeCastMapping. */
static enum cast cast_for(const struct mig_path *p)
{
	static const struct {
		const char *pat;
		enum cast c;
	} t[] = {
		{"services.*.cpu_count", CAST_INT}, {"services.*.cpu_percent", CAST_FLOAT},
		{"services.*.cpu_period", CAST_INT}, {"services.*.cpu_quota", CAST_INT},
		{"services.*.cpu_rt_period", CAST_INT}, {"services.*.cpu_rt_runtime", CAST_INT},
		{"services.*.cpus", CAST_FLOAT}, {"services.*.cpu_shares", CAST_INT},
		{"services.*.init", CAST_BOOL}, {"services.*.depends_on.*.required", CAST_BOOL},
		{"services.*.depends_on.*.restart", CAST_BOOL}, {"services.*.deploy.replicas", CAST_INT},
		{"services.*.deploy.update_config.parallelism", CAST_INT},
		{"services.*.deploy.update_config.max_failure_ratio", CAST_FLOAT},
		{"services.*.deploy.rollback_config.parallelism", CAST_INT},
		{"services.*.deploy.rollback_config.max_failure_ratio", CAST_FLOAT},
		{"services.*.deploy.restart_policy.max_attempts", CAST_INT},
		{"services.*.deploy.placement.max_replicas_per_node", CAST_INT},
		{"services.*.healthcheck.retries", CAST_INT}, {"services.*.healthcheck.disable", CAST_BOOL},
		{"services.*.oom_kill_disable", CAST_BOOL}, {"services.*.oom_score_adj", CAST_INT},
		{"services.*.pids_limit", CAST_INT}, {"services.*.ports.[].target", CAST_INT},
		{"services.*.privileged", CAST_BOOL}, {"services.*.read_only", CAST_BOOL},
		{"services.*.scale", CAST_INT}, {"services.*.stdin_open", CAST_BOOL}, {"services.*.tty", CAST_BOOL},
		{"services.*.ulimits.*", CAST_INT}, {"services.*.ulimits.*.hard", CAST_INT},
		{"services.*.ulimits.*.soft", CAST_INT}, {"services.*.volumes.[].read_only", CAST_BOOL},
		{"services.*.volumes.[].volume.nocopy", CAST_BOOL}, {"networks.*.external", CAST_BOOL},
		{"networks.*.internal", CAST_BOOL}, {"networks.*.attachable", CAST_BOOL},
		{"networks.*.enable_ipv4", CAST_BOOL}, {"networks.*.enable_ipv6", CAST_BOOL},
		{"volumes.*.external", CAST_BOOL}, {"secrets.*.external", CAST_BOOL},
		{"configs.*.external", CAST_BOOL},
	};
	if (p->n < 2)
		return CAST_NONE;
	for (size_t i = 0; i < sizeof t / sizeof *t; i++)
		if (mig_path_match(p, t[i].pat))
			return t[i].c;
	return CAST_NONE;
}

/* A string scalar to rewrite, at its place in the text (shared by every alias of it). */
struct site {
	uint32_t start;
	const struct c2s_node *n;
	enum cast cast;
	int flow;
	char path[256];   /* dotted, for messages */
};

struct walk {
	struct mig *m;
	struct mig_text *t;
	struct site *v;
	size_t n, cap;
	int failed;
	int deep;         /* a value deeper than MIG_PATH_MAX (through aliases) */
};

static void visit(struct walk *w, const struct c2s_node *n, struct mig_path *p, int flow)
{
	const struct c2s_doc *d = &w->t->doc;
	if (w->failed || w->deep)
		return;
	if (c2s_kind(n) == C2S_SCALAR) {
		struct c2s_value v;
		if (c2s_resolve(d, n, &v) != C2S_TYPE_STRING)
			return;
		struct c2s_str s = c2s_scalar(d, n);
		enum cast c = cast_for(p);
		if (!memchr(s.p, '$', s.n) && c == CAST_NONE)
			return;
		if (w->n == w->cap) {
			size_t cap = w->cap ? w->cap * 2 : 64;
			struct site *nv = realloc(w->v, cap * sizeof *nv);
			if (!nv) {
				w->failed = 1;
				return;
			}
			w->v = nv;
			w->cap = cap;
		}
		struct site *st = &w->v[w->n++];
		st->start = n->start;
		st->n = n;
		st->cast = c;
		st->flow = flow;
		mig_path_text(p, st->path, sizeof st->path);
		return;
	}
	int f = flow || c2s_style(n) == C2S_STYLE_FLOW;
	if (c2s_kind(n) == C2S_MAPPING) {
		for (uint32_t i = 0; i < c2s_count(n); i++) {
			const struct c2s_node *k = c2s_map_key(d, n, i);
			if (mig_path_push(p, c2s_is_scalar(k) ? c2s_scalar(d, k) : (struct c2s_str){"?", 1}) != 0) {
				w->deep = 1;
				return;
			}
			visit(w, c2s_map_value(d, n, i), p, f);
			p->n--;
		}
	} else {
		for (uint32_t i = 0; i < c2s_count(n); i++) {
			if (mig_path_push_item(p) != 0) {
				w->deep = 1;
				return;
			}
			visit(w, c2s_seq_item(d, n, i), p, f);
			p->n--;
		}
	}
}

static int site_cmp(const void *a, const void *b)
{
	const struct site *x = a, *y = b;
	if (x->start != y->start)
		return x->start < y->start ? -1 : 1;
	return (int)y->cast - (int)x->cast;  /* a cast use first */
}

/* Names of the variables s refers to (also nested), each once, into list. */
static void var_names(const char *s, size_t n, char list[][64], size_t *nl, size_t max)
{
	for (size_t i = 0; i + 1 < n; i++) {
		if (s[i] != '$')
			continue;
		if (s[i + 1] == '$') {
			i++;
			continue;
		}
		size_t a = i + 1 + (s[i + 1] == '{');
		size_t e = a;
		while (e < n && (s[e] == '_' || (s[e] >= 'a' && s[e] <= 'z') || (s[e] >= 'A' && s[e] <= 'Z') ||
				 (e > a && s[e] >= '0' && s[e] <= '9')))
			e++;
		if (e == a || e - a >= 64)
			continue;
		int seen = 0;
		for (size_t j = 0; j < *nl; j++)
			if (strlen(list[j]) == e - a && memcmp(list[j], s + a, e - a) == 0)
				seen = 1;
		if (!seen && *nl < max) {
			memcpy(list[*nl], s + a, e - a);
			list[*nl][e - a] = '\0';
			(*nl)++;
		}
	}
}

/* Go strconv.Atoi / ParseFloat / compose-go toBoolean on the substituted text;
 * the YAML text to write in out. 0, or -1 with Go's reason in why. */
static int cast_text(enum cast c, const char *s, size_t n, char *out, size_t size, const char **why)
{
	char tmp[128];
	if (n >= sizeof tmp) {
		*why = "value out of range";
		return -1;
	}
	memcpy(tmp, s, n);
	tmp[n] = '\0';
	if (c == CAST_INT) {
		long long v;
		if (c2s_go_atoi(tmp, n, &v, why) != 0)
			return -1;
		snprintf(out, size, "%lld", v);
		return 0;
	}
	if (c == CAST_FLOAT) {
		char *end;
		if (n == 0) {
			*why = "invalid syntax";
			return -1;
		}
		(void)strtod(tmp, &end);
		if (*end) {
			*why = "invalid syntax";
			return -1;
		}
		struct c2s_value v;
		enum c2s_type ty = c2s_resolve_plain(tmp, n, &v);
		if (ty == C2S_TYPE_FLOAT || ty == C2S_TYPE_INT)
			snprintf(out, size, "%s", tmp);
		else
			snprintf(out, size, "%.17g", strtod(tmp, NULL));
		return 0;
	}
	/* CAST_BOOL: true/false and the YAML 1.1 words compose-go still takes */
	for (size_t i = 0; i < n; i++)
		if (tmp[i] >= 'A' && tmp[i] <= 'Z')
			tmp[i] = (char)(tmp[i] - 'A' + 'a');
	static const char *const yes[] = {"true", "y", "yes", "on"}, *const no[] = {"false", "n", "no", "off"};
	for (size_t i = 0; i < 4; i++) {
		if (strcmp(tmp, yes[i]) == 0) {
			snprintf(out, size, "true");
			return 0;
		}
		if (strcmp(tmp, no[i]) == 0) {
			snprintf(out, size, "false");
			return 0;
		}
	}
	*why = "invalid boolean";
	return -1;
}

/* Where a variable came from, for the report (s: the text it is used in). */
static const char *var_source_in(struct mig *m, const struct c2s_env *env, const char *name, struct c2s_str s)
{
	size_t vl, nl = strlen(name);
	if (!c2s_env_get(env, name, nl, &vl)) {
		/* ${NAME:-x} or ${NAME-x}: the default */
		for (size_t i = 0; i + nl + 3 < s.n; i++)
			if (s.p[i] == '$' && s.p[i + 1] == '{' && memcmp(s.p + i + 2, name, nl) == 0 &&
			    (s.p[i + 2 + nl] == '-' || (s.p[i + 2 + nl] == ':' && s.p[i + 3 + nl] == '-')))
				return "not set: its default";
		return "not set: empty";
	}
	if (c2s_env_get(m->osenv, name, strlen(name), &vl))
		return "from the environment";
	if (strcmp(name, "COMPOSE_PROJECT_NAME") == 0)
		return "the project name";
	return "from the env file";
}

/* The block scalar header of n ("|", "|-", ">"...), or 0 when n is not one. */
static char block_style(const struct mig_text *t, const struct c2s_node *n)
{
	enum c2s_style st = c2s_style(n);
	if (st != C2S_STYLE_LITERAL && st != C2S_STYLE_FOLDED)
		return 0;
	return st == C2S_STYLE_LITERAL ? '|' : '>';
	(void)t;
}

/* Write value v (already escaped for docker: '$' doubled) where node n was: a literal
 * block stays one when it can, else a quoted or plain scalar. */
static void write_value(struct mig_edits *ed, const struct mig_text *t, const struct c2s_node *n, const char *v,
			size_t vn, int as_string, int flow)
{
	uint32_t start = n->start, end = c2s_node_end(&t->doc, n);
	int ends_nl = end > start && t->src.data[end - 1] == '\n';
	struct mig_out *o;
	if (block_style(t, n) == '|' && vn && memchr(v, '\n', vn)) {
		/* keep it a literal block: the content lines at the original indentation */
		int ok = v[0] != ' ' && v[0] != '\n';
		size_t trail = 0;
		while (trail < vn && v[vn - 1 - trail] == '\n')
			trail++;
		ok = ok && trail <= 1;
		for (size_t i = 0; ok && i < vn; i++)
			if (((unsigned char)v[i] < 0x20 && v[i] != '\n' && v[i] != '\t') || v[i] == '\r')
				ok = 0;
		/* the content's indentation: the first non-blank line after the header */
		uint32_t hdr_end = c2s_ed_next_line(&t->src, start), ind = 0;
		uint32_t l = hdr_end;
		while (l < end) {
			uint32_t k = 0;
			while (l + k < end && t->src.data[l + k] == ' ')
				k++;
			if (l + k < end && t->src.data[l + k] != '\n') {
				ind = k;
				break;
			}
			l = c2s_ed_next_line(&t->src, l);
		}
		if (ok && ind > 0 && (o = mig_edit(ed, start, end)) != NULL) {
			/* keep what stood before the indicator on its line (a tag, an anchor) */
			uint32_t ind_at = start;
			while (ind_at < hdr_end && t->src.data[ind_at] != '|')
				ind_at++;
			mo_copy(o, t, start, ind_at);
			mo_str(o, trail ? "|\n" : "|-\n");
			size_t a = 0;
			while (a < vn - trail) {
				const char *nl = memchr(v + a, '\n', vn - trail - a);
				size_t e = nl ? (size_t)(nl - v) : vn - trail;
				if (e > a)
					mo_spaces(o, ind);
				mo_lit(o, v + a, e - a);
				mo_lit(o, "\n", 1);
				a = e + 1;
			}
			return;
		}
	}
	o = mig_edit(ed, start, end);
	if (!o)
		return;
	mo_scalar_like(o, t, n, v, vn, as_string, flow);
	if (ends_nl)
		mo_lit(o, "\n", 1);
}

int mig_phase_interpolate(struct mig *m, struct mig_text *t, const struct c2s_env *env)
{
	struct walk w = {m, t, NULL, 0, 0, 0, 0};
	struct mig_path p;
	p.n = 0;
	const struct c2s_node *root = c2s_node_at(&t->doc, t->doc.root);
	if (!c2s_is_mapping(root))
		return 0;
	visit(&w, root, &p, 0);
	if (w.failed || w.deep) {
		free(w.v);
		if (w.deep)
			mig_trouble(m, "%s: values nested deeper than %d keys and list items through aliases (C2S_MAX_DEPTH)",
				    t->src.name, MIG_PATH_MAX);
		else
			m->nomem = 1;
		return -1;
	}
	if (w.n > 1)
		qsort(w.v, w.n, sizeof *w.v, site_cmp);
	struct mig_edits ed;
	mig_edits_init(&ed);
	struct c2s_buf val, esc;
	c2s_buf_init(&val, C2S_INTERP_MAX_BYTES);
	c2s_buf_init(&esc, C2S_INTERP_MAX_BYTES * 2);
	int rc = 0;
	char kept[64][64];
	size_t nkept = 0;
	const struct c2s_node *first_kept = NULL;
	for (size_t i = 0; i < w.n; i++) {
		const struct site *st = &w.v[i];
		if (i && w.v[i - 1].start == st->start)
			continue;
		struct c2s_str s = c2s_scalar(&t->doc, st->n);
		c2s_buf_reset(&val);
		c2s_buf_reset(&esc);
		char err[1024];
		if (m->o->keep_variables) {
			/* docker stack deploy will substitute: only what its v3 template cannot say */
			if (mig_needs_compose_template(s.p, s.n)) {
				struct c2s_diag *dg = mig_note_at(m, C2S_R_CS0102, MIG_NEEDS_YOU, t, st->n,
					"%s: \"%.*s\" uses a ${...} form docker stack deploy cannot substitute "
					"(${VAR:+alternate}, ${VAR+alternate}, or a ${...} inside a default or message)",
					st->path, (int)(s.n > 200 ? 200 : s.n), s.p);
				mig_hint(m, dg, "run migrate without --keep-variables to substitute it now, or write it "
					 "with ${VAR}, ${VAR:-default} or ${VAR:?message} only");
				continue;
			}
			/* a '$' compose keeps as it is ("$1", "a$"): docker wants "$$" there */
			int lone = 0;
			for (size_t j = 0; j < s.n; j++) {
				if (s.p[j] != '$')
					continue;
				if (j + 1 < s.n && (s.p[j + 1] == '$')) {
					j++;
					continue;
				}
				char c = j + 1 < s.n ? s.p[j + 1] : 0;
				if (!(c == '{' || c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')))
					lone = 1;
			}
			if (lone) {
				for (size_t j = 0; j < s.n; j++) {
					char c = j + 1 < s.n ? s.p[j + 1] : 0;
					if (s.p[j] == '$' && c == '$') {
						c2s_buf_add(&esc, "$$", 2);
						j++;
					} else if (s.p[j] == '$' && !(c == '{' || c == '_' || (c >= 'a' && c <= 'z') ||
								    (c >= 'A' && c <= 'Z'))) {
						c2s_buf_add(&esc, "$$", 2);
					} else {
						c2s_buf_addc(&esc, s.p[j]);
					}
				}
				write_value(&ed, t, st->n, esc.data, esc.len, 1, st->flow);
				mig_note_at(m, C2S_R_CS0102, MIG_TRANSLATED, t, st->n,
					    "%s: a '$' that starts no variable is kept by docker compose; written as $$, "
					    "which docker stack deploy reads as one '$'", st->path);
			}
			if (memchr(s.p, '$', s.n)) {
				char names[32][64];
				size_t nn = 0;
				var_names(s.p, s.n, names, &nn, 32);
				for (size_t j = 0; j < nn; j++) {
					size_t vl;
					if (c2s_env_get(m->osenv, names[j], strlen(names[j]), &vl) ||
					    !c2s_env_get(env, names[j], strlen(names[j]), &vl))
						continue;
					/* set only by an env file: docker stack deploy will not see it */
					int seen = 0;
					for (size_t k = 0; k < nkept; k++)
						if (strcmp(kept[k], names[j]) == 0)
							seen = 1;
					if (!seen && nkept < 64)
						snprintf(kept[nkept++], sizeof kept[0], "%s", names[j]);
					if (!first_kept)
						first_kept = st->n;
				}
			}
			continue;
		}
		enum mig_subst r = mig_substitute(s.p, s.n, env, &val, err, sizeof err);
		if (r == MIG_SUBST_NOMEM) {
			m->nomem = 1;
			rc = -1;
			break;
		}
		if (r != MIG_SUBST_OK) {
			struct c2s_diag *dg;
			if (r == MIG_SUBST_REQUIRED)
				dg = mig_note_at(m, C2S_R_CS0102, MIG_NEEDS_YOU, t, st->n,
						 "error while interpolating %s: %s", st->path, err);
			else
				dg = mig_note_at(m, C2S_R_CS0102, MIG_NEEDS_YOU, t, st->n,
						 "invalid interpolation format for %s: \"%.*s\"", st->path,
						 (int)(s.n > 200 ? 200 : s.n), s.p);
			mig_hint(m, dg, "docker compose stops here too: set the variable (in the environment or an "
				 "--env-file), or escape a literal $ as $$");
			continue;
		}
		const char *v = val.data ? val.data : "";
		size_t vn = val.len;
		if (st->cast != CAST_NONE) {
			char typed[160];
			const char *why = NULL;
			if (cast_text(st->cast, v, vn, typed, sizeof typed, &why) != 0) {
				struct c2s_diag *dg = mig_note_at(m, C2S_R_CS0102, MIG_NEEDS_YOU, t, st->n,
					"error while interpolating %s: failed to cast to expected type: %s \"%.*s\"",
					st->path, why, (int)(vn > 100 ? 100 : vn), v);
				mig_hint(m, dg, "docker compose refuses this value too: give it a %s",
					 st->cast == CAST_BOOL ? "boolean" : "number");
				continue;
			}
			write_value(&ed, t, st->n, typed, strlen(typed), 0, st->flow);
			if (memchr(s.p, '$', s.n)) {
				char names[16][64];
				size_t nn = 0;
				var_names(s.p, s.n, names, &nn, 16);
				mig_note_at(m, C2S_R_CS0102, MIG_TRANSLATED, t, st->n,
					    "%s: ${%s} (%s) substituted as docker compose does, written as %s", st->path,
					    nn ? names[0] : "?", nn ? var_source_in(m, env, names[0], s) : "", typed);
			} else {
				mig_note_at(m, C2S_R_CS0104, MIG_TRANSLATED, t, st->n,
					    "%s: the string \"%.*s\" written as %s, the type docker stack deploy needs "
					    "(docker compose converts it)", st->path, (int)(s.n > 60 ? 60 : s.n), s.p, typed);
			}
			continue;
		}
		/* a string: '$' doubled so that docker stack deploy reads it back as it is */
		for (size_t j = 0; j < vn; j++) {
			if (v[j] == '$')
				c2s_buf_addc(&esc, '$');
			c2s_buf_addc(&esc, v[j]);
		}
		if (esc.failed || val.failed) {
			m->nomem = 1;
			rc = -1;
			break;
		}
		if (esc.len == s.n && memcmp(esc.data, s.p, s.n) == 0)
			continue;  /* only $$ escapes: docker reads them the same */
		write_value(&ed, t, st->n, esc.data, esc.len, 1, st->flow);
		char names[16][64];
		size_t nn = 0;
		var_names(s.p, s.n, names, &nn, 16);
		char list[1024];
		size_t at = 0;
		list[0] = '\0';
		for (size_t j = 0; j < nn && at + 80 < sizeof list; j++)
			at += (size_t)snprintf(list + at, sizeof list - at, "%s${%s} (%s)", j ? ", " : "", names[j],
					       var_source_in(m, env, names[j], s));
		if (nn)
			mig_note_at(m, C2S_R_CS0102, MIG_TRANSLATED, t, st->n, "%s: %s substituted as docker compose does",
				    st->path, list);
		else
			mig_note_at(m, C2S_R_CS0102, MIG_TRANSLATED, t, st->n,
				    "%s: a '$' that starts no variable is kept by docker compose; written as $$, which "
				    "docker stack deploy reads as one '$'", st->path);
	}
	if (first_kept) {
		/* --keep-variables: docker stack deploy reads only the environment */
		struct c2s_buf cmd;
		c2s_buf_init(&cmd, 1 << 20);
		c2s_buf_adds(&cmd, "export");
		for (size_t k = 0; k < nkept; k++) {
			size_t vl;
			const char *v = c2s_env_get(env, kept[k], strlen(kept[k]), &vl);
			c2s_buf_printf(&cmd, " %s='", kept[k]);
			for (size_t j = 0; v && j < vl; j++)
				c2s_buf_adds(&cmd, v[j] == '\'' ? "'\\''" : (char[]){v[j], 0});
			c2s_buf_addc(&cmd, '\'');
		}
		struct c2s_diag *dg = mig_note_at(m, C2S_R_CS0102, MIG_TRANSLATED, t, first_kept,
			"%zu %s kept as ${...}: docker stack deploy substitutes them from its environment only, "
			"never from an env file", nkept, nkept == 1 ? "variable an env file sets is" : "variables env files set are");
		mig_hint(m, dg, "before docker stack deploy, run: %s", cmd.data ? cmd.data : "");
		c2s_buf_free(&cmd);
	}
	c2s_buf_free(&val);
	c2s_buf_free(&esc);
	free(w.v);
	if (rc == 0 && ed.list.n) {
		struct mig_text next;
		if (mig_apply(m, t, &ed, &next) != 0) {
			rc = -1;
		} else {
			mig_text_replace(t, &next);
		}
	}
	mig_edits_free(&ed);
	return rc;
}
