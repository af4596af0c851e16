/* deploy.h -- the stages of `compose2swarm deploy` below the command: the requests `docker stack deploy` sends (apply), the registry auth it sends with them, and the wait for the services to converge. */
#ifndef C2S_DEPLOY_H
#define C2S_DEPLOY_H

#include <signal.h>
#include <stddef.h>
#include <stdio.h>

#include <cjson/cJSON.h>

#include "plan.h"

struct c2s_engine;

/* ---- registry auth (deploy_auth.c) ---- */

struct c2s_registry_auth {
	const char *const *envp; /* DOCKER_CONFIG, HOME, PATH (credential helpers) */
	cJSON *config;           /* $DOCKER_CONFIG/config.json, or {} */
	char creds_store[256];   /* credsStore, or the platform's when config has no auth */
};

/* Read config.json as the CLI does. 0; -1 with err. */
int c2s_registry_auth_load(struct c2s_registry_auth *ra, const char *const *envp, char *err, size_t errn);
void c2s_registry_auth_free(struct c2s_registry_auth *ra);
/* The X-Registry-Auth value for image (command.RetrieveAuthTokenFromImage):
 * base64url of the AuthConfig JSON ("e30=" when there is none). 0 with
 * *encoded (free it); -1 with err (a credential helper that failed). */
int c2s_registry_auth_for(struct c2s_registry_auth *ra, const char *image, char **encoded, char *err, size_t errn);

/* ---- apply (deploy_apply.c) ---- */

struct c2s_deploy_apply_options {
	const char *stack;
	int prune;                          /* --prune: services not in the files are removed */
	enum c2s_resolve_image resolve;     /* --resolve-image */
	struct c2s_registry_auth *auth;     /* --with-registry-auth, or NULL */
	volatile sig_atomic_t *stop;        /* set on SIGINT/SIGTERM: the request in flight ends, nothing more is sent */
};

/* A service the deploy created or updated, for the wait. */
struct c2s_deploy_service {
	char *id;
	char *name;
	int updated;              /* 1 updated, 0 created */
	cJSON *before;            /* the service as listed before its update (UpdateStatus), or NULL */
};

struct c2s_deploy_result {
	struct c2s_deploy_service *services;
	size_t nservices, cap;
	size_t changes;           /* objects created, updated or removed */
	int interrupted;          /* stopped by *stop before the end */
};

void c2s_deploy_result_free(struct c2s_deploy_result *r);

/* Send what `docker stack deploy` sends after its ping and GET /info, for the
 * bodies desired ({"networks","secrets","configs","services"} as c2s_emit_api
 * writes them at the daemon's API version): prune, external networks,
 * networks, secrets, configs, the secret and config IDs of each service,
 * services (deploy_composefile.go), in that order, objects by name within a
 * kind. Progress lines as docker's to out, warnings and errors to err.
 * Returns an exit status: 0 applied; 1 the daemon refused a request (the
 * deploy stops there, as docker's does); 2 trouble (an unreachable daemon). */
int c2s_deploy_apply(struct c2s_engine *e, const cJSON *desired, const struct c2s_deploy_apply_options *o,
		     struct c2s_deploy_result *r, FILE *out, FILE *err);

/* ---- wait (deploy_wait.c) ---- */

struct c2s_deploy_wait_options {
	long timeout_ms;              /* give up after this long (exit 1) */
	long poll_ms;                 /* between looks at the swarm; 0: 500 ms */
	int tty;                      /* rewrite one progress line per service in place */
	volatile sig_atomic_t *stop;  /* SIGINT/SIGTERM: stop waiting */
};

/* Watch the services r touched until each converges: 0 all converged; 1 an
 * update paused or rolled back, tasks keep failing, or the timeout (the
 * reason on err); 2 the daemon went away or the wait was interrupted. */
int c2s_deploy_wait(struct c2s_engine *e, const struct c2s_deploy_result *r, const struct c2s_deploy_wait_options *o,
		    FILE *out, FILE *err);

#endif
