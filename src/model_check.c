/* model_check.c -- for lint: what docker's loader refuses after the schema
 * (decoding errors: sizes, port specs, volume specs, env file contents,
 * external/driver conflicts) and, across -c files, mismatched versions --
 * found by building the model one service at a time, output discarded. */
#include "config.h"
#include "model.h"
#include "diag.h"

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

/* Absolute directory of path, into buf (cut at cap - 1 bytes). */
static void dir_of(const char *path, char *buf, size_t cap)
{
	char cwd[PATH_MAX];
	size_t w = 0;
	if (!getcwd(cwd, sizeof cwd))
		memcpy(cwd, ".", 2);
	const char *slash = strcmp(path, "-") == 0 ? NULL : strrchr(path, '/');
	size_t dn = slash ? (size_t)(slash - path) : 0;
	if (path[0] != '/') {
		size_t cn = strlen(cwd);
		if (cn > cap - 1)
			cn = cap - 1;
		memcpy(buf, cwd, cn);
		w = cn;
		if (dn && w < cap - 1)
			buf[w++] = '/';
	} else if (dn == 0) {
		dn = 1;
	}
	if (dn > cap - 1 - w)
		dn = cap - 1 - w;
	memcpy(buf + w, path, dn);
	buf[w + dn] = '\0';
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
	if (c2s_model_build_lazy(&m, 0, &env, 1, &root, diags) != 0)
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
	struct c2s_arena scratch;
	c2s_arena_init(&scratch, 0);
	for (uint32_t i = 0; !bad && svcs && i < svcs->n; i++) {
		if (c2s_model_check_service(&m, &env, &svcs->u.v[2 * i + 1], &scratch, diags) != 0)
			bad = 1;  /* docker stops at the first; so do we (later ones may hide behind it) */
		c2s_arena_free(&scratch);
	}
	c2s_model_free(&m);
	return bad ? 1 : 0;
}
