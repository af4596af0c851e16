/* model_check.c -- for lint: what docker's loader refuses after the schema
 * (decoding errors: sizes, port specs, volume specs, env file contents,
 * external/driver conflicts) and, across -c files, mismatched versions --
 * found by building the model one service at a time, output discarded. */
#include "config.h"
#include "model.h"
#include "diag.h"
#include "goval.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char *no_env(void *ctx, const char *name, size_t n)
{
	(void)ctx;
	(void)name;
	(void)n;
	return NULL;
}

/* The stack's working directory (goval's c2s_path_workdir), into buf ("." when
 * it does not fit). */
static void dir_of(const char *path, char *buf, size_t cap)
{
	char cwd[PATH_MAX];
	if (!getcwd(cwd, sizeof cwd) || c2s_path_workdir(cwd, path, buf, cap) != 0)
		snprintf(buf, cap, ".");
}

/* A service of the file, as the model's services map orders them. */
struct svc_ref {
	const char *p;
	uint32_t n;
	uint32_t node;  /* the service's value */
};

/* The model's order (make_map in model_build.c): yaml.v3's keyLess, then the
 * bytes, then the order written; of equal keys the later one counts. */
static int svc_cmp(const void *pa, const void *pb)
{
	const struct svc_ref *a = pa, *b = pb;
	int c = c2s_key_cmp(a->p, a->n, b->p, b->n);
	return c ? c : a->node < b->node ? -1 : 1;
}

int c2s_model_check(struct c2s_doc *doc, const char *path, struct c2s_model_check_state *st,
		    struct c2s_diags *diags)
{
	struct c2s_doc *docs[1] = {doc};
	struct c2s_model m;
	struct c2s_mval root;
	char workdir[PATH_MAX];
	if (st && st->files > 0)
		snprintf(workdir, sizeof workdir, "%s", st->workdir);
	else
		dir_of(path, workdir, sizeof workdir);
	struct c2s_model_env env = {workdir, NULL, no_env, NULL, 1};
	int bad = 0;
	c2s_model_init(&m, docs, 1);
	/* everything but the services (networks, volumes... and what they refuse);
	 * the services are walked below from the file, one at a time: a map of
	 * 10,000 placeholders next to the top-level objects is a megabyte */
	if (c2s_model_build_lazy(&m, 0, &env, 2, &root, diags) != 0)
		bad = 1;
	const struct c2s_mval *ver = c2s_mget(&root, C2S_F_CONFIG_VERSION);
	if (st && ver) {
		char v[64];
		snprintf(v, sizeof v, "%.*s", (int)ver->n, ver->u.s);
		if (st->files == 0) {
			snprintf(st->version, sizeof st->version, "%s", v);
			snprintf(st->workdir, sizeof st->workdir, "%s", workdir);
		}
		/* a version that differs between -c files: lint_stack_pass says it (CS2001) */
		st->files++;
	}
	const struct c2s_mval *svcs = c2s_mget(&root, C2S_F_CONFIG_SERVICES);
	const struct c2s_node *sn = svcs ? c2s_mval_node(&m, svcs) : NULL;
	c2s_model_free(&m);
	c2s_model_init(&m, docs, 1);
	uint32_t n = !bad && c2s_is_mapping(sn) ? c2s_count(sn) : 0;
	struct svc_ref *order = n ? malloc(n * sizeof *order) : NULL;
	if (n && !order) {
		c2s_diags_out_of_memory(diags);
		n = 0;
		bad = 1;
	}
	for (uint32_t i = 0; i < n; i++) {
		const struct c2s_node *k = c2s_map_key(doc, sn, i);
		struct c2s_str ks = c2s_is_scalar(k) ? c2s_scalar(doc, k) : (struct c2s_str){"", 0};
		order[i] = (struct svc_ref){ks.p, (uint32_t)ks.n, (uint32_t)(k + 1 - doc->nodes)};
	}
	size_t i = 1;  /* services written in order (often): one pass says so, no sort */
	while (i < n && svc_cmp(&order[i - 1], &order[i]) < 0)
		i++;
	if (i < n)
		qsort(order, n, sizeof *order, svc_cmp);
	struct c2s_arena scratch;
	c2s_arena_init(&scratch, 0);
	for (uint32_t k = 0; !bad && k < n; k++) {
		if (k + 1 < n && order[k].n == order[k + 1].n && memcmp(order[k].p, order[k + 1].p, order[k].n) == 0)
			continue;  /* a later service of that name counts */
		struct c2s_mval ph;
		memset(&ph, 0, sizeof ph);
		ph.kind = C2S_MV_NODE;
		ph.flags = C2S_MVF_LAZY;
		ph.node = order[k].node;
		if (c2s_model_check_service(&m, &env, &ph, &scratch, diags) != 0)
			bad = 1;  /* docker stops at the first; so do we (later ones may hide behind it) */
		c2s_arena_free(&scratch);
	}
	free(order);
	c2s_model_free(&m);
	return bad ? 1 : 0;
}
