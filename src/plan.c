/* plan.c -- `compose2swarm plan`: the bodies `docker stack deploy` would send
 * (convert --to api), the objects that exist (--state, or the daemon), the
 * plan between them, printed; exit 0 nothing would change, 1 something
 * would (or would fail), 2 trouble. */
#include "config.h"
#include "compose2swarm.h"
#include "buf.h"
#include "emit_api.h"
#include "plan.h"
#include "plan_live.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Largest plan printed (the text of a 1,000-service stack is a few MB). */
#define PLAN_MAX_OUTPUT_BYTES ((size_t)1 << 30)

int c2s_plan_resolve_parse(const char *s)
{
	if (!s || strcmp(s, "always") == 0)
		return C2S_RESOLVE_ALWAYS;
	if (strcmp(s, "changed") == 0)
		return C2S_RESOLVE_CHANGED;
	if (strcmp(s, "never") == 0)
		return C2S_RESOLVE_NEVER;
	return -1;
}

/* The bodies docker would send, as `convert --to api` prints them, parsed
 * (plan and deploy). Returns an exit status; *desired set on C2S_EXIT_OK. */
int c2s_plan_desired(const char *const *files, size_t nfiles, const char *stack, const char *api_version,
		     const char *const *envp, cJSON **desired, FILE *err)
{
	char *text = NULL;
	size_t len = 0;
	FILE *mem = open_memstream(&text, &len);
	if (!mem) {
		fprintf(err, "compose2swarm: %s\n", strerror(errno));
		return C2S_EXIT_TROUBLE;
	}
	struct c2s_convert_options co;
	memset(&co, 0, sizeof co);
	co.files = files;
	co.nfiles = nfiles;
	co.to = "api";
	co.stack = stack;
	co.api_version = api_version;
	co.envp = envp;
	int rc = c2s_convert_exit(c2s_convert(&co, mem, err));
	if (fclose(mem) != 0 && rc == C2S_EXIT_OK) {
		fprintf(err, "compose2swarm: out of memory\n");
		rc = C2S_EXIT_TROUBLE;
	}
	if (rc == C2S_EXIT_OK && !(*desired = cJSON_ParseWithLength(text, len))) {
		fprintf(err, "compose2swarm: out of memory\n");
		rc = C2S_EXIT_TROUBLE;
	}
	free(text);
	return rc;
}

/* Does an update of the plan only change placement constraints ("may")? */
static int read_state(const char *path, struct c2s_plan_state *st, FILE *err)
{
	struct c2s_buf b;
	FILE *f = strcmp(path, "-") == 0 ? stdin : fopen(path, "rb");
	int rc = C2S_EXIT_OK;
	if (!f) {
		fprintf(err, "compose2swarm: %s: %s\n", path, strerror(errno));
		return C2S_EXIT_TROUBLE;
	}
	c2s_buf_init(&b, C2S_MAX_STATE_BYTES);
	int r = c2s_buf_read_stream(&b, f);
	int e = errno;
	if (f != stdin)
		fclose(f);
	if (r == -1) {
		fprintf(err, "compose2swarm: %s: %s\n", path, strerror(e));
		rc = C2S_EXIT_TROUBLE;
	} else if (r == -2) {
		fprintf(err, "compose2swarm: %s: larger than %zu bytes (C2S_MAX_STATE_BYTES)\n", path,
			(size_t)C2S_MAX_STATE_BYTES);
		rc = C2S_EXIT_TROUBLE;
	} else {
		char msg[512];
		if (c2s_plan_state_add(st, b.data ? b.data : "", b.len, -1, strcmp(path, "-") == 0 ? "<stdin>" : path, msg,
				       sizeof msg) != 0) {
			fprintf(err, "compose2swarm: %s\n", msg);
			rc = C2S_EXIT_TROUBLE;
		}
	}
	c2s_buf_free(&b);
	return rc;
}

int c2s_plan(const struct c2s_plan_options *o, FILE *out, FILE *err)
{
	int resolve = c2s_plan_resolve_parse(o->resolve_image);
	if (resolve < 0) {
		fprintf(err, "compose2swarm: --resolve-image wants always, changed or never, not '%s'\n", o->resolve_image);
		return C2S_EXIT_TROUBLE;
	}
	if (!o->stack || !c2s_api_stack_name_ok(o->stack)) {
		fprintf(err, "compose2swarm: invalid stack name: \"%s\"\n", o->stack ? o->stack : "");
		return C2S_EXIT_TROUBLE;
	}
	if (o->api_version && !c2s_api_version_ok(o->api_version)) {
		fprintf(err, "compose2swarm: --api-version wants X.YY, not '%s'\n", o->api_version);
		return C2S_EXIT_TROUBLE;
	}
	struct c2s_plan_state st;
	struct c2s_plan_result plan;
	struct c2s_live live;
	cJSON *desired = NULL;
	int rc;
	char api_version[16];
	c2s_plan_state_init(&st);
	memset(&plan, 0, sizeof plan);
	memset(&live, 0, sizeof live);
	snprintf(api_version, sizeof api_version, "%s", o->api_version ? o->api_version : C2S_API_VERSION_DEFAULT);
	/* the daemon is pinged first, as docker does: an unreachable one is
	 * trouble before the files are read */
	rc = o->state ? read_state(o->state, &st, err)
		      : c2s_live_open(&live, o->host, o->envp, api_version, sizeof api_version, err);
	if (rc == C2S_EXIT_OK)
		rc = c2s_plan_desired(o->files, o->nfiles, o->stack, api_version, o->envp, &desired, err);
	if (rc == C2S_EXIT_OK && !o->state)
		rc = c2s_live_state(&live, o->stack, desired, &st, err);
	if (rc != C2S_EXIT_OK)
		goto out;
	struct c2s_plan_compare_options co = {o->stack, o->prune, (enum c2s_resolve_image)resolve, api_version};
	rc = c2s_live_compare(o->state ? NULL : &live, desired, &st, &co, &plan, err);
	if (rc != C2S_EXIT_OK)
		goto out;
	struct c2s_buf text;
	c2s_buf_init(&text, PLAN_MAX_OUTPUT_BYTES);
	int pr = o->format && strcmp(o->format, "json") == 0 ? c2s_plan_print_json(&plan, &text)
							      : c2s_plan_print_text(&plan, o->verbose, o->color, &text);
	if (pr != 0 || (text.len && fwrite(text.data, 1, text.len, out) != text.len) || fflush(out) != 0) {
		fprintf(err, "compose2swarm: cannot write the plan%s\n", pr != 0 ? " (out of memory)" : "");
		rc = C2S_EXIT_TROUBLE;
	} else {
		rc = plan.count[C2S_PLAN_UNCHANGED] == plan.n ? C2S_EXIT_OK : C2S_EXIT_FINDINGS;
	}
	c2s_buf_free(&text);
out:
	cJSON_Delete(desired);
	c2s_plan_result_free(&plan);
	c2s_plan_state_free(&st);
	c2s_live_close(&live);
	return rc;
}
