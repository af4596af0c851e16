/* plan_live.c -- plan's read-only view of a daemon, through the Engine API
 * client (engine.h): the ping, one list per kind filtered by the stack's
 * namespace label (docker/cli's getStackFilter), the external networks the
 * services name (GET /networks/NAME, as docker's validateExternalNetworks),
 * and, only when a placement change or a paused update needs them, the
 * services' running tasks and the nodes. Nothing but GET and HEAD is ever
 * sent. */
#include "config.h"
#include "compose2swarm.h"
#include "engine.h"
#include "plan.h"
#include "plan_live.h"

#include <stdlib.h>
#include <string.h>

/* docker/cli's checkDaemonIsSwarmManager (cli/command/stack/swarm/common.go) */
#define NOT_MANAGER                                                                                        \
	"this node is not a swarm manager. Use \"docker swarm init\" or \"docker swarm join\" to connect this " \
	"node to swarm and try again"

static const char *where(const struct c2s_live *l)
{
	const struct c2s_engine_endpoint *ep = l->engine ? c2s_engine_endpoint_of(l->engine) : NULL;
	return ep ? ep->host : "the daemon";
}

int c2s_live_open(struct c2s_live *l, const char *host, const char *const *envp, char *api_version, size_t n,
		  FILE *err)
{
	struct c2s_engine_options eo;
	struct c2s_engine_error ee;
	struct c2s_engine_ping ping;
	memset(&eo, 0, sizeof eo);
	memset(l, 0, sizeof *l);
	if (!c2s_engine_available()) {
		fprintf(err, "compose2swarm: plan without --state needs the Engine API client, which this build lacks "
			     "(%s): give --state FILE, or use the container image or a build with libcurl\n",
			c2s_engine_client_version());
		return C2S_EXIT_TROUBLE;
	}
	eo.host = host;
	eo.envp = envp;
	if (c2s_engine_open(&eo, &l->engine, &ee) != 0) {
		fprintf(err, "compose2swarm: %s\n", ee.message);
		return C2S_EXIT_TROUBLE;
	}
	if (c2s_engine_ping(l->engine, &ping, &ee) != 0) {
		fprintf(err, "compose2swarm: %s\n", ee.message);
		return C2S_EXIT_TROUBLE;
	}
	/* daemons from API 1.42 say in the ping; older ones are told by the lists */
	if (ping.swarm[0] && strcmp(ping.swarm, "active/manager") != 0) {
		fprintf(err, "compose2swarm: %s: %s\n", where(l), NOT_MANAGER);
		return C2S_EXIT_TROUBLE;
	}
	snprintf(api_version, n, "%s", c2s_engine_api_version(l->engine));
	return C2S_EXIT_OK;
}

/* Put a list the daemon answered into the state, every element of kind. */
static int adopt(struct c2s_plan_state *st, cJSON *list, int kind, FILE *err)
{
	char msg[512];
	int r = c2s_plan_state_adopt(st, list, kind, msg, sizeof msg);
	if (r != 0)
		fprintf(err, "compose2swarm: %s\n", msg);
	return r == 0 ? C2S_EXIT_OK : C2S_EXIT_TROUBLE;
}

static int failed(const struct c2s_live *l, const struct c2s_engine_error *ee, FILE *err)
{
	/* a daemon that is no manager refuses swarm lists with 503 */
	if (ee->code == C2S_ENGINE_ERR_DAEMON && ee->http_status == 503)
		fprintf(err, "compose2swarm: %s: %s\n", where(l), NOT_MANAGER);
	else
		fprintf(err, "compose2swarm: %s\n", ee->message);
	return C2S_EXIT_TROUBLE;
}

static cJSON *get(const cJSON *o, const char *k)
{
	return o ? cJSON_GetObjectItemCaseSensitive(o, k) : NULL;
}

static const char *get_str(const cJSON *o, const char *k)
{
	const cJSON *v = get(o, k);
	return cJSON_IsString(v) ? v->valuestring : NULL;
}

static int streq(const char *a, const char *b)
{
	return a && b && strcmp(a, b) == 0;
}

/* A network a service names that the stack does not create: an external one
 * (predefined ones are never looked up, as docker does not:
 * container.NetworkMode(name).IsUserDefined). */
static int is_external(const cJSON *desired, const char *name)
{
	const cJSON *n;
	if (!name || streq(name, "host") || streq(name, "bridge") || streq(name, "none") ||
	    strncmp(name, "container:", 10) == 0)
		return 0;
	cJSON_ArrayForEach(n, get(desired, "networks"))
		if (streq(get_str(n, "Name"), name))
			return 0;
	return 1;
}

static int externals_named(const cJSON *desired)
{
	const cJSON *s, *n;
	cJSON_ArrayForEach(s, get(desired, "services"))
		cJSON_ArrayForEach(n, get(get(s, "TaskTemplate"), "Networks"))
			if (is_external(desired, get_str(n, "Target")))
				return 1;
	return 0;
}

/* What docker's validateExternalNetworks refuses: an external network that
 * does not exist, or is not swarm-scoped. */
static int check_externals(const cJSON *desired, const cJSON *networks, struct c2s_plan_state *st, FILE *err)
{
	const cJSON *s, *n;
	cJSON_ArrayForEach(s, get(desired, "services")) {
		cJSON_ArrayForEach(n, get(get(s, "TaskTemplate"), "Networks")) {
			const char *name = get_str(n, "Target");
			const cJSON *found = NULL, *o;
			char msg[600];
			if (!is_external(desired, name))
				continue;
			for (size_t i = 0; i < st->nrefusals; i++)
				if (streq(st->refusals[i].name, name))
					name = NULL;
			if (!name)
				continue;
			cJSON_ArrayForEach(o, networks)
				if (streq(get_str(o, "Name"), name) || streq(get_str(o, "Id"), name))
					found = o;
			if (!found)
				snprintf(msg, sizeof msg,
					 "network \"%s\" is declared as external, but could not be found. You need to create "
					 "a swarm-scoped network before the stack is deployed",
					 name);
			else if (!streq(get_str(found, "Scope"), "swarm"))
				snprintf(msg, sizeof msg,
					 "network \"%s\" is declared as external, but it is not in the right scope: \"%s\" "
					 "instead of \"swarm\"",
					 name, get_str(found, "Scope") ? get_str(found, "Scope") : "");
			else
				continue;
			if (c2s_plan_state_refuse(st, C2S_PLAN_NETWORK, name, msg) != 0) {
				fprintf(err, "compose2swarm: out of memory\n");
				return C2S_EXIT_TROUBLE;
			}
		}
	}
	return C2S_EXIT_OK;
}

int c2s_live_state(struct c2s_live *l, const char *stack, const cJSON *desired, struct c2s_plan_state *st,
		   FILE *err)
{
	static const struct {
		enum c2s_engine_kind engine;
		int plan;
	} kinds[] = {
		{C2S_ENGINE_SERVICES, C2S_PLAN_SERVICE},
		{C2S_ENGINE_NETWORKS, C2S_PLAN_NETWORK},
		{C2S_ENGINE_SECRETS, C2S_PLAN_SECRET},
		{C2S_ENGINE_CONFIGS, C2S_PLAN_CONFIG},
	};
	st->live = 1;
	for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++) {
		struct c2s_engine_error ee;
		cJSON *list = NULL;
		int r;
		if (kinds[i].plan == C2S_PLAN_NETWORK && externals_named(desired))
			/* the stack's networks and the external ones it names, in one
			 * request: every network, the stack's told by their label later */
			r = c2s_engine_get_json(l->engine, "/networks", NULL, 0, &list, &ee);
		else
			r = c2s_engine_list_stack(l->engine, kinds[i].engine, stack, &list, &ee);
		if (r != 0)
			return failed(l, &ee, err);
		if (kinds[i].plan == C2S_PLAN_NETWORK && check_externals(desired, list, st, err) != C2S_EXIT_OK) {
			cJSON_Delete(list);
			return C2S_EXIT_TROUBLE;
		}
		int rc = adopt(st, list, kinds[i].plan, err);
		if (rc != C2S_EXIT_OK)
			return rc;
	}
	return C2S_EXIT_OK;
}

int c2s_live_tasks(struct c2s_live *l, const struct c2s_plan_result *plan, struct c2s_plan_state *st, FILE *err)
{
	struct c2s_engine_param *f = calloc(plan->n + 2, sizeof *f);
	size_t nf = 0;
	if (!f) {
		fprintf(err, "compose2swarm: out of memory\n");
		return C2S_EXIT_TROUBLE;
	}
	for (size_t i = 0; i < plan->n; i++)
		if (plan->changes[i].replaces_tasks == C2S_REPLACES_MAY && plan->changes[i].id)
			f[nf++] = (struct c2s_engine_param){"service", plan->changes[i].id};
	if (!nf) {
		free(f);
		return C2S_EXIT_OK;
	}
	f[nf++] = (struct c2s_engine_param){"desired-state", "running"};
	struct c2s_engine_error ee;
	cJSON *tasks = NULL, *nodes = NULL;
	int rc = C2S_EXIT_OK;
	if (c2s_engine_get_json(l->engine, "/tasks", f, nf, &tasks, &ee) != 0 ||
	    c2s_engine_get_json(l->engine, "/nodes", NULL, 0, &nodes, &ee) != 0)
		rc = failed(l, &ee, err);
	free(f);
	if (rc == C2S_EXIT_OK)
		rc = adopt(st, tasks, C2S_PLAN_TASK, err);
	else
		cJSON_Delete(tasks);
	tasks = NULL;
	if (rc == C2S_EXIT_OK)
		rc = adopt(st, nodes, C2S_PLAN_NODE, err);
	else
		cJSON_Delete(nodes);
	return rc;
}

static int may_replace(const struct c2s_plan_result *p)
{
	for (size_t i = 0; i < p->n; i++)
		if (p->changes[i].action == C2S_PLAN_UPDATE && p->changes[i].replaces_tasks == C2S_REPLACES_MAY)
			return 1;
	return 0;
}

int c2s_live_compare(struct c2s_live *l, const cJSON *desired, struct c2s_plan_state *st,
		     const struct c2s_plan_compare_options *co, struct c2s_plan_result *plan, FILE *err)
{
	if (c2s_plan_compare(desired, st, co, plan) != 0)
		goto nomem;
	if (!l || !l->engine || !may_replace(plan))
		return C2S_EXIT_OK;
	/* only placement constraints change somewhere: the tasks and nodes tell */
	int rc = c2s_live_tasks(l, plan, st, err);
	c2s_plan_result_free(plan);
	if (rc != C2S_EXIT_OK)
		return rc;
	if (c2s_plan_compare(desired, st, co, plan) != 0)
		goto nomem;
	return C2S_EXIT_OK;
nomem:
	fprintf(err, "compose2swarm: out of memory\n");
	return C2S_EXIT_TROUBLE;
}

void c2s_live_close(struct c2s_live *l)
{
	if (l->engine)
		c2s_engine_close(l->engine);
	l->engine = NULL;
}
