/* migrate_finish.c -- the last phase: the lowest version: (3.x) the stack file's keys need,
 * then the stack file checked as docker stack deploy and lint check it: what would still be
 * refused, ignored or dropped needs the user; keys kept that need a newer engine get a note. */
#include "config.h"
#include "check.h"
#include "compose2swarm.h"
#include "migrate.h"
#include "pipeline.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The schema errors of t's stack file written with version: "3.minor" (the 3.0 to 3.9
 * schemas require the key, so it is put in when missing). With --keep-variables the
 * ${VAR} kept are substituted first: docker's loader validates after it interpolates
 * (docker/cli cli/compose/loader/loader.go Load), so published: ${PORT:-80} is a number. */
static size_t schema_errors(const struct mig *m, const struct mig_text *t, int has_version, int minor)
{
	struct c2s_diags dg;
	c2s_diags_init(&dg);
	char v[16];
	snprintf(v, sizeof v, "3.%d", minor);
	size_t n = 0;
	if (has_version && !m->o->keep_variables) {
		c2s_schema_validate(&t->doc, minor, v, &dg);
	} else {
		struct c2s_buf b;
		c2s_buf_init(&b, C2S_MIGRATE_MAX_TEXT_BYTES + 64);
		if (!has_version)
			c2s_buf_printf(&b, "version: \"%s\"\n", v);
		c2s_buf_add(&b, t->src.data, t->src.len);
		struct c2s_source src;
		struct c2s_doc doc;
		if (!b.failed && c2s_source_from_memory(&src, t->src.name, b.data, b.len) == 0) {
			if (c2s_load(&doc, &src, &dg) == C2S_LOAD_OK) {
				struct c2s_diags scratch;  /* interpolation's own findings are not the schema's */
				c2s_diags_init(&scratch);
				if (m->o->keep_variables)
					c2s_interpolate(&doc, m->env, &scratch);
				c2s_diags_free(&scratch);
				c2s_schema_validate(&doc, minor, v, &dg);
			} else {
				n = 1;
			}
			c2s_doc_free(&doc);
			c2s_source_free(&src);
		} else {
			n = 1;
		}
		c2s_buf_free(&b);
	}
	for (size_t i = 0; i < dg.n; i++)
		if (dg.items[i].severity == C2S_SEVERITY_ERROR)
			n++;
	c2s_diags_free(&dg);
	return n;
}

/* The declared version: 3.x gives x; "3", "" and none give -1 (3.13 for docker); 2 for 2.x or 1. */
static int declared_minor(const struct mig_text *t, const struct c2s_node *v, int *old_format)
{
	*old_format = 0;
	if (!v || !c2s_is_scalar(v))
		return -1;
	struct c2s_str s = c2s_scalar(&t->doc, v);
	if (s.n == 0 || (s.n == 1 && s.p[0] == '3'))
		return -1;
	if (s.n >= 3 && s.p[0] == '3' && s.p[1] == '.') {
		int x = 0;
		for (size_t i = 2; i < s.n; i++) {
			if (s.p[i] < '0' || s.p[i] > '9' || x > 100)
				return -1;
			x = x * 10 + (s.p[i] - '0');
		}
		return x <= C2S_SCHEMA_MINOR_MAX ? x : -1;
	}
	*old_format = 1;
	return -1;
}

static int set_version(struct mig *m, struct mig_text *t)
{
	const struct c2s_doc *d = &t->doc;
	const struct c2s_node *root = c2s_node_at(d, d->root);
	const struct c2s_node *vk, *v = c2s_map_get(d, root, "version", &vk);
	int old;
	int declared = declared_minor(t, v, &old);
	/* a version docker accepts: a 3.x string, "3" or "" (3.13). None at all is 3.13 for
	 * docker 28, but "unsupported Compose file version: 1.0" for the docker CLI before
	 * 23.0 (cli/compose/schema/schema.go Version at v20.10.0; Debian ships 20.10): a file
	 * without one gets one */
	struct c2s_str vs = c2s_is_scalar(v) ? c2s_scalar(d, v) : (struct c2s_str){"", 0};
	int accepted = v && c2s_is_scalar(v) && c2s_style(v) != C2S_STYLE_PLAIN &&
		       (declared >= 0 || vs.n == 0 || (vs.n == 1 && vs.p[0] == '3'));
	size_t at13 = schema_errors(m, t, v != NULL, C2S_SCHEMA_MINOR_MAX);
	if (accepted && (declared < 0 || schema_errors(m, t, 1, declared) <= at13))
		return 0;  /* as written: docker takes it and the keys need no more */
	int pick = C2S_SCHEMA_MINOR_MAX;
	for (int x = declared >= 0 ? declared : 0; x < C2S_SCHEMA_MINOR_MAX; x++)
		if (schema_errors(m, t, v != NULL, x) <= at13) {
			pick = x;
			break;
		}
	struct mig_ops x;
	mig_ops_init(&x, m, t);
	char text[16];
	snprintf(text, sizeof text, "\"3.%d\"", pick);
	if (v && mt_own(vk)) {
		struct mig_out *o = mig_op_replace(&x, v);
		if (o)
			mo_str(o, text);
		struct c2s_str s = c2s_scalar(d, v);
		if (old)
			mig_note_at(m, C2S_R_CS0101, MIG_TRANSLATED, t, v,
				    "version: %.*s is a Compose file format docker stack deploy refuses; written as %s, "
				    "the lowest 3.x its keys need", (int)s.n, s.p, text);
		else if (declared >= 0 && pick > declared)
			mig_note_at(m, C2S_R_CS0101, MIG_TRANSLATED, t, v,
				    "version: %.*s raised to %s, the lowest the stack file's keys need", (int)s.n, s.p, text);
		else
			mig_note_at(m, C2S_R_CS0101, MIG_TRANSLATED, t, v,
				    "version: %.*s written as %s, the lowest 3.x the stack file's keys need", (int)s.n, s.p,
				    text);
	} else {
		/* before the first key, after the comments heading the file */
		uint32_t at = UINT32_MAX;
		for (uint32_t i = 0; i < c2s_count(root); i++) {
			const struct c2s_node *k = c2s_map_key(d, root, i);
			if (mt_own(k) && k->start < at)
				at = k->start;
		}
		if (at == UINT32_MAX)
			at = 0;
		at = c2s_ed_line_start(&t->src, at);
		struct mig_out *o = mig_edit(&x.ed, at, at);
		if (o)
			mo_printf(o, "version: %s\n", text);
		uint32_t first = at;
		mig_note(m, C2S_R_CS0101, MIG_TRANSLATED, t, first, first + 1,
			 "version: %s added, the lowest 3.x the stack file's keys need (docker compose needs none; the "
			 "docker CLI before 23.0 refuses a file without one: \"unsupported Compose file version: 1.0\")",
			 text);
	}
	struct mig_text next;
	int rc = mig_ops_apply(&x, &next);
	mig_ops_free(&x);
	if (rc == 0) {
		mig_text_replace(t, &next);
	}
	return rc;
}

/* Keys swarm runs only on newer engines: the lint rules' table (rules_placement.c). */
static void engine_notes(struct mig *m, const struct mig_text *t)
{
	const struct c2s_doc *d = &t->doc;
	const struct c2s_node *root = c2s_node_at(d, d->root);
	const struct c2s_node *svcs = c2s_map_get(d, root, "services", NULL);
	for (uint32_t i = 0; c2s_is_mapping(svcs) && i < c2s_count(svcs); i++) {
		const struct c2s_node *sk = c2s_map_key(d, svcs, i), *svc = c2s_map_value(d, svcs, i);
		struct c2s_str sn = c2s_is_scalar(sk) ? c2s_scalar(d, sk) : (struct c2s_str){"", 0};
		const struct c2s_node *k, *v = c2s_map_get(d, svc, "sysctls", &k);
		if (v) {
			struct c2s_diag *dg = mig_note_at(m, C2S_R_CS0107, MIG_TRANSLATED, t, k,
				"sysctls of service %.*s kept: swarm sets them only on Docker Engine 19.03 or later; an older "
				"node starts the task without them and says nothing", (int)sn.n, sn.p);
			mig_hint(m, dg, "check ENGINE VERSION in docker node ls; a sysctl that is not namespaced cannot be "
				 "set at all (lint: CS8002)");
		}
		for (size_t f = 0; f < c2s_nengine_features; f++) {
			const struct c2s_engine_feature *ft = &c2s_engine_features[f];
			if (ft->major < 18)
				continue;  /* older than any engine still run */
			const struct c2s_node *n = svc, *key = NULL;
			for (int j = 0; j < 4 && ft->path[j] && n; j++)
				n = c2s_map_get(d, n, ft->path[j], &key);
			if (!n || !key)
				continue;
			char ver[16];
			snprintf(ver, sizeof ver, ft->major >= 23 ? "%d.%d" : "%d.%02d", ft->major, ft->minor);
			mig_note_at(m, C2S_R_CS0107, MIG_TRANSLATED, t, key,
				    "%s of service %.*s kept: it needs Docker Engine %s or later on every node that runs the "
				    "service; older engines ignore it or refuse the service", ft->what, (int)sn.n, sn.p, ver);
		}
	}
}

/* Has the report a needs-you on the line text offset off of t came from, or inside the
 * service whose block holds it (a service's refusal follows from what was said in it)? */
static int needs_you_there(struct mig *m, const struct mig_text *t, uint32_t off)
{
	struct c2s_source *src, *s2;
	uint32_t so, line, col, from = UINT32_MAX, to = 0;
	if (!mig_origin(t, off, &src, &so))
		return 0;
	c2s_source_locate(src, so, &line, &col);
	const struct c2s_node *root = c2s_node_at(&t->doc, t->doc.root);
	const struct c2s_node *svcs = c2s_map_get(&t->doc, root, "services", NULL);
	for (uint32_t i = 0; c2s_is_mapping(svcs) && i < c2s_count(svcs); i++) {
		const struct c2s_node *k = c2s_map_key(&t->doc, svcs, i);
		uint32_t a = c2s_ed_line_start(&t->src, k->start), b = c2s_ed_block_end(&t->src, k->start), sa, sb;
		if (off < a || off >= b || b <= a)
			continue;
		if (mig_origin(t, a, &s2, &sa) && s2 == src && mig_origin(t, b - 1, &s2, &sb) && s2 == src && sb >= sa) {
			from = sa;
			to = sb + 1;
		}
	}
	for (size_t i = 0; i < m->diags.n; i++) {
		const struct c2s_diag *d = &m->diags.items[i];
		if (d->severity != C2S_SEVERITY_ERROR || c2s_diag_src(&m->diags, d) != src)
			continue;
		if (d->span.start >= from && d->span.start < to)
			return 1;
		uint32_t l2, c2;
		c2s_source_locate(src, d->span.start, &l2, &c2);
		if (l2 == line)
			return 1;
	}
	return 0;
}

/* Is the span of t a path (plain or quoted) to a file --materialize writes with the
 * stack file? It does not exist yet when the stack file is checked. */
static int is_extra_file(const struct mig *m, const struct mig_text *t, uint32_t a, uint32_t b)
{
	if (b <= a || b > t->src.len || b - a >= 4096)
		return 0;
	char rel[4096], abs[4096];
	const char *p = t->src.data + a;
	size_t n = b - a;
	if (n >= 2 && (p[0] == '"' || p[0] == '\'') && p[n - 1] == p[0]) {
		p++;
		n -= 2;
	}
	memcpy(rel, p, n);
	rel[n] = '\0';
	mig_abs_path(m->outdir, rel, abs, sizeof abs);
	for (size_t i = 0; i < m->nextra; i++)
		if (strcmp(m->extra[i].path, abs) == 0)
			return 1;
	return 0;
}

/* The stack file as docker stack deploy and lint see it: errors, and keys swarm
 * would still ignore or drop, are reported for the user. */
static int self_check(struct mig *m, struct mig_text *t)
{
	struct c2s_source src;
	if (c2s_source_from_memory(&src, t->src.name, t->src.data, t->src.len) != 0) {
		m->nomem = 1;
		return -1;
	}
	struct c2s_diags dg;
	c2s_diags_init(&dg);
	struct c2s_doc doc;
	int rc = 0;
	if (c2s_load(&doc, &src, &dg) != C2S_LOAD_OK) {
		c2s_doc_free(&doc);
		c2s_source_free(&src);
		c2s_diags_free(&dg);
		mig_trouble(m, "%s: the stack file does not load back; please report this", t->src.name);
		return -1;
	}
	struct c2s_pipeline_options po;
	memset(&po, 0, sizeof po);
	po.env = m->env;
	po.workdir = m->outdir;
	struct c2s_pipeline_result res;
	if (c2s_pipeline_file(&doc, &po, &dg, &res) != 0) {
		m->nomem = 1;
		rc = -1;
	}
	if (rc == 0) {
		struct c2s_check c;
		memset(&c, 0, sizeof c);
		c.doc = &doc;
		c.root = c2s_node_at(&doc, doc.root);
		c.diags = &dg;
		const struct c2s_node *services = c2s_map_get(&doc, c.root, "services", NULL);
		c.services = c2s_is_mapping(services) ? services : NULL;
		for (int i = 0; i < C2S_RULE_COUNT; i++)
			if (c2s_rules[i].check && c2s_rule_default_on(&c2s_rules[i]))
				c2s_rules[i].check(&c);
	}
	c2s_diags_write_messages(&dg);
	for (size_t i = 0; rc == 0 && i < dg.n; i++) {
		const struct c2s_diag *x = &dg.items[i];
		enum c2s_tier tier = c2s_diag_rule(x)->tier;
		int refused = x->severity == C2S_SEVERITY_ERROR || (enum c2s_rule_index)x->rule_index == C2S_R_CS2010;
		int ignored = tier == C2S_TIER_IGNORED || tier == C2S_TIER_DROPPED;
		if (!refused && !ignored)
			continue;
		/* variables: the interpolation phase has said it at the ${...} already */
		if (needs_you_there(m, t, x->span.start))
			continue;  /* said already, at this line */
		enum c2s_rule_index ri = (enum c2s_rule_index)x->rule_index;
		if (ri == C2S_R_CS9005 && is_extra_file(m, t, x->span.start, x->span.end))
			continue;
		if (!m->o->keep_variables && (ri == C2S_R_CS3001 || ri == C2S_R_CS3002 || ri == C2S_R_CS3003))
			continue;
		struct c2s_diag *d = mig_note(m, C2S_R_CS0108, MIG_NEEDS_YOU, t, x->span.start,
					      x->span.end > x->span.start ? x->span.end : x->span.start + 1,
					      "%s %s (lint %s)", refused ? "docker stack deploy would refuse the stack file:"
								 : "swarm would still ignore this:",
					      x->message, c2s_diag_rule(x)->id);
		const char *h = c2s_diag_hint_of(&dg, x);
		if (h)
			mig_hint(m, d, "%s", h);
	}
	c2s_diags_free(&dg);
	c2s_doc_free(&doc);
	c2s_source_free(&src);
	return rc;
}

int mig_phase_finish(struct mig *m, struct mig_text *t)
{
	int needs_you = 0;
	for (size_t i = 0; i < m->diags.n; i++)
		needs_you |= m->diags.items[i].severity == C2S_SEVERITY_ERROR;
	/* nothing is written when something needs the user: no version to choose */
	if (!needs_you && set_version(m, t) != 0)
		return -1;
	engine_notes(m, t);
	return self_check(m, t);
}
