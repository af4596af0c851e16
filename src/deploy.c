/* deploy.c -- `compose2swarm deploy`: the lint gate, the plan, a yes, then the requests `docker stack deploy` sends, and an honest wait. */
#include "config.h"
#include "compose2swarm.h"
#include "deploy.h"

#include "buf.h"
#include "emit_api.h"
#include "engine.h"
#include "goval.h"
#include "plan.h"
#include "plan_live.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* --wait's timeout when none is given. */
#define DEPLOY_WAIT_DEFAULT_MS (10L * 60 * 1000)
/* Largest plan printed (as plan.c's). */
#define DEPLOY_MAX_PLAN_BYTES ((size_t)1 << 30)

/* SIGINT/SIGTERM while deploying: the request in flight finishes, then the deploy stops. */
static volatile sig_atomic_t stop_requested;

static void on_stop(int sig)
{
	(void)sig;
	stop_requested = 1;
}

struct signals {
	struct sigaction old_int, old_term;
};

static void catch_stop(struct signals *s)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_stop;
	sigemptyset(&sa.sa_mask);
	sa.sa_flags = SA_RESTART;
	stop_requested = 0;
	sigaction(SIGINT, &sa, &s->old_int);
	sigaction(SIGTERM, &sa, &s->old_term);
}

static void release_stop(struct signals *s)
{
	sigaction(SIGINT, &s->old_int, NULL);
	sigaction(SIGTERM, &s->old_term, NULL);
}

/* --wait=TIMEOUT: a Go duration ("90s", "10m") or whole seconds. */
static int parse_timeout(const char *s, long *ms)
{
	char *end;
	errno = 0;
	long v = strtol(s, &end, 10);
	if (*s && !*end && !errno && v > 0 && v < 100000000L) {
		*ms = v * 1000;
		return 0;
	}
	int64_t ns;
	char why[128];
	if (c2s_duration_parse(s, strlen(s), &ns, why, sizeof why) != 0 || ns <= 0)
		return -1;
	*ms = (long)(ns / 1000000);
	return *ms > 0 ? 0 : -1;
}

/* The gate: lint of the merged files; findings at --fail-on stop the deploy. */
static int gate(const struct c2s_deploy_options *o, FILE *err)
{
	struct c2s_lint_options lo;
	memset(&lo, 0, sizeof lo);
	lo.compose = o->files;
	lo.ncompose = o->nfiles;
	lo.format = C2S_FORMAT_TEXT;
	lo.fail_on = o->fail_on_set ? o->fail_on : C2S_SEVERITY_WARNING;
	lo.fail_on_set = o->fail_on_set;
	lo.color = o->color_findings;
	lo.envp = o->envp;
	lo.config_file = o->config_file;
	int rc = c2s_lint(&lo, err, err);
	if (rc == C2S_EXIT_FINDINGS)
		fprintf(err, "compose2swarm: the lint gate stopped the deploy (findings at --fail-on %s or above); nothing "
			     "was sent to the daemon\n",
			c2s_severity_name(lo.fail_on));
	return rc;
}

/* Ask on the terminal; 1 yes. */
static int confirmed(const struct c2s_deploy_options *o, const char *host, FILE *err)
{
	fprintf(err, "Apply this plan to stack %s on %s? Only 'yes' applies it: ", o->stack, host);
	fflush(err);
	char line[64];
	if (!o->answer || !fgets(line, sizeof line, o->answer))
		return 0;
	line[strcspn(line, "\r\n")] = '\0';
	return strcmp(line, "yes") == 0 || strcmp(line, "y") == 0;
}

/* Does an update of the plan replace tasks only where nodes no longer match? */
int c2s_deploy(const struct c2s_deploy_options *o, FILE *out, FILE *err)
{
	int resolve = c2s_plan_resolve_parse(o->resolve_image);
	long timeout_ms = DEPLOY_WAIT_DEFAULT_MS;
	/* first: a build without libcurl (the static binary) says so whatever else is wrong */
	if (!c2s_engine_available()) {
		fprintf(err, "compose2swarm: deploy needs the Engine API client, which this build lacks (%s): use the "
			     "container image or a build with libcurl\n",
			c2s_engine_client_version());
		return C2S_EXIT_TROUBLE;
	}
	if (resolve < 0) {
		fprintf(err, "compose2swarm: --resolve-image wants always, changed or never, not '%s'\n", o->resolve_image);
		return C2S_EXIT_TROUBLE;
	}
	if (!o->stack || !c2s_api_stack_name_ok(o->stack)) {
		fprintf(err, "invalid stack name: \"%s\"\n", o->stack ? o->stack : "");
		return C2S_EXIT_TROUBLE;
	}
	if (o->wait_timeout && parse_timeout(o->wait_timeout, &timeout_ms) != 0) {
		fprintf(err, "compose2swarm: --wait wants a duration such as 90s or 10m, not '%s'\n", o->wait_timeout);
		return C2S_EXIT_TROUBLE;
	}
	if (!o->yes && !o->plan_only && !o->interactive) {
		fprintf(err, "compose2swarm: deploy applies a plan only with --yes when it cannot ask on a terminal "
			     "(or give --plan-only)\n");
		return C2S_EXIT_TROUBLE;
	}
	int rc = gate(o, err);
	if (rc != C2S_EXIT_OK)
		return rc;

	struct c2s_engine_options eo;
	struct c2s_engine_error ee;
	struct c2s_engine *e = NULL;
	struct c2s_plan_state st;
	struct c2s_plan_result plan;
	struct c2s_live live;
	struct c2s_deploy_result applied;
	struct c2s_registry_auth auth;
	cJSON *desired = NULL;
	int have_auth = 0;
	memset(&eo, 0, sizeof eo);
	memset(&plan, 0, sizeof plan);
	memset(&live, 0, sizeof live);
	memset(&applied, 0, sizeof applied);
	c2s_plan_state_init(&st);
	eo.host = o->host;
	eo.context = o->context;
	eo.envp = o->envp;
	/* as docker: the ping, then checkDaemonIsSwarmManager's GET /info */
	if (c2s_engine_open(&eo, &e, &ee) != 0 || c2s_engine_ping(e, NULL, &ee) != 0 ||
	    c2s_engine_require_manager(e, NULL, &ee) != 0) {
		fprintf(err, "compose2swarm: %s\n", ee.message);
		rc = C2S_EXIT_TROUBLE;
		goto out;
	}
	const char *host = c2s_engine_endpoint_of(e)->host;
	char api_version[32];
	snprintf(api_version, sizeof api_version, "%s", c2s_engine_api_version(e));
	if (c2s_api_version_refused(api_version, ee.message, sizeof ee.message)) {
		fprintf(err, "%s\n", ee.message);
		rc = C2S_EXIT_FINDINGS;
		goto out;
	}
	rc = c2s_plan_desired(o->files, o->nfiles, o->stack, api_version, o->envp, &desired, err);
	if (rc != C2S_EXIT_OK)
		goto out;

	/* the plan, from its own read-only requests */
	live.engine = e;
	rc = c2s_live_state(&live, o->stack, desired, &st, err);
	if (rc != C2S_EXIT_OK)
		goto out;
	struct c2s_plan_compare_options co = {o->stack, o->prune, (enum c2s_resolve_image)resolve, api_version};
	rc = c2s_live_compare(&live, desired, &st, &co, &plan, err);
	if (rc != C2S_EXIT_OK)
		goto out;
	struct c2s_buf text;
	c2s_buf_init(&text, DEPLOY_MAX_PLAN_BYTES);
	if (c2s_plan_print_text(&plan, 0, o->color, &text) != 0 ||
	    (text.len && fwrite(text.data, 1, text.len, out) != text.len) || fflush(out) != 0) {
		c2s_buf_free(&text);
		fprintf(err, "compose2swarm: cannot write the plan\n");
		rc = C2S_EXIT_TROUBLE;
		goto out;
	}
	c2s_buf_free(&text);
	if (o->plan_only) {
		rc = plan.count[C2S_PLAN_UNCHANGED] == plan.n ? C2S_EXIT_OK : C2S_EXIT_FINDINGS;
		goto out;
	}
	if (plan.count[C2S_PLAN_FAIL]) {
		fprintf(err, "compose2swarm: docker would refuse %zu change%s of this plan part way through; nothing was "
			     "sent\n",
			plan.count[C2S_PLAN_FAIL], plan.count[C2S_PLAN_FAIL] == 1 ? "" : "s");
		rc = C2S_EXIT_FINDINGS;
		goto out;
	}
	if (!o->yes && !confirmed(o, host, err)) {
		fprintf(err, "compose2swarm: not applied; nothing was sent\n");
		rc = C2S_EXIT_FINDINGS;
		goto out;
	}
	if (o->with_registry_auth) {
		char msg[1024];
		if (c2s_registry_auth_load(&auth, o->envp, msg, sizeof msg) != 0) {
			fprintf(err, "compose2swarm: %s\n", msg);
			rc = C2S_EXIT_TROUBLE;
			goto out;
		}
		have_auth = 1;
	}

	struct signals sigs;
	catch_stop(&sigs);
	struct c2s_deploy_apply_options ao = {o->stack, o->prune, (enum c2s_resolve_image)resolve,
					      have_auth ? &auth : NULL, &stop_requested};
	rc = c2s_deploy_apply(e, desired, &ao, &applied, out, err);
	fflush(out);
	if (applied.interrupted)
		fprintf(err, "compose2swarm: interrupted: the request in flight finished and nothing more was sent; %zu "
			     "change%s applied (listed above)\n",
			applied.changes, applied.changes == 1 ? " was" : "s were");
	else if (rc != C2S_EXIT_OK)
		fprintf(err, "compose2swarm: the deploy stopped there; %zu change%s applied before (listed above)\n",
			applied.changes, applied.changes == 1 ? " was" : "s were");
	int wait = o->wait > 0 || (o->wait < 0 && o->interactive);
	if (rc == C2S_EXIT_OK && wait) {
		struct c2s_deploy_wait_options wo = {timeout_ms, 0, o->tty_progress, &stop_requested};
		rc = c2s_deploy_wait(e, &applied, &wo, out, err);
	}
	release_stop(&sigs);
out:
	if (have_auth)
		c2s_registry_auth_free(&auth);
	c2s_deploy_result_free(&applied);
	cJSON_Delete(desired);
	c2s_plan_result_free(&plan);
	c2s_plan_state_free(&st);
	live.engine = NULL;
	c2s_engine_close(e);
	return rc;
}
