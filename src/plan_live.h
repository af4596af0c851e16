/* plan_live.h -- the state of a stack read from the daemon, read-only: the
 * ping, then one list request per kind filtered by the stack's namespace
 * label. */
#ifndef C2S_PLAN_LIVE_H
#define C2S_PLAN_LIVE_H

#include <stddef.h>
#include <stdio.h>

#include <cjson/cJSON.h>

struct c2s_plan_state;
struct c2s_plan_result;
struct c2s_engine;
struct c2s_plan_compare_options;

struct c2s_live {
	struct c2s_engine *engine; /* the Engine API client (engine.h), NULL when not open */
};

/* Find the daemon as the docker CLI does (host: -H, or NULL), ping it and
 * check it is a swarm manager; the negotiated API version goes to
 * api_version. Returns an exit status (2 with the address in the message). */
int c2s_live_open(struct c2s_live *l, const char *host, const char *const *envp, char *api_version, size_t n,
		  FILE *err);
/* The stack's services, networks, secrets and configs into st, one list
 * request each, filtered by the stack's label; when the desired services
 * name external networks, every network in that one request, and an
 * external one that does not exist (or is not swarm-scoped) is a refusal,
 * as docker/cli's validateExternalNetworks makes it. */
int c2s_live_state(struct c2s_live *l, const char *stack, const cJSON *desired, struct c2s_plan_state *st,
		   FILE *err);
/* The running tasks of the services whose update only changes placement
 * constraints, or whose paused update the deploy resumes (replaces_tasks
 * "may" in plan), and the nodes, into st. */
int c2s_live_tasks(struct c2s_live *l, const struct c2s_plan_result *plan, struct c2s_plan_state *st, FILE *err);
/* The plan of desired against st (plan and deploy). With l open on a daemon
 * and an update whose task replacement only placement constraints decide
 * (replaces_tasks "may"), the tasks and nodes are read (c2s_live_tasks) and
 * the plan made again with them; l NULL (an offline --state) compares once.
 * An exit status; plan is freed by the caller either way. */
int c2s_live_compare(struct c2s_live *l, const cJSON *desired, struct c2s_plan_state *st,
		     const struct c2s_plan_compare_options *co, struct c2s_plan_result *plan, FILE *err);
void c2s_live_close(struct c2s_live *l);

#endif
