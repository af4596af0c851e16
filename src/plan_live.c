/* plan_live.c -- plan's read-only view of a daemon, through the Engine API client. */
#include "config.h"
#include "compose2swarm.h"
#include "plan.h"
#include "plan_live.h"

int c2s_live_open(struct c2s_live *l, const char *host, const char *const *envp, char *api_version, size_t n,
		  FILE *err)
{
	(void)l;
	(void)host;
	(void)envp;
	(void)api_version;
	(void)n;
	fprintf(err, "compose2swarm: plan without --state needs the Engine API client, which this build lacks: "
		     "give --state FILE (what docker inspect prints for the stack's objects)\n");
	return C2S_EXIT_TROUBLE;
}

int c2s_live_state(struct c2s_live *l, const char *stack, struct c2s_plan_state *st, FILE *err)
{
	(void)l;
	(void)stack;
	(void)st;
	(void)err;
	return C2S_EXIT_TROUBLE;
}

int c2s_live_externals(struct c2s_live *l, const cJSON *desired, struct c2s_plan_state *st, FILE *err)
{
	(void)l;
	(void)desired;
	(void)st;
	(void)err;
	return C2S_EXIT_TROUBLE;
}

void c2s_live_close(struct c2s_live *l)
{
	l->engine = NULL;
}
