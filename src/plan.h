/* plan.h -- what `docker stack deploy` would change on a swarm: the bodies it
 * would send (after docker/cli's update-time merges, normalised as a swarm
 * manager stores them) against the objects that exist, as a list of changes.
 * The comparison and the printers are library functions: `plan` prints them,
 * `deploy` prints the same plan and applies it. */
#ifndef C2S_PLAN_H
#define C2S_PLAN_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <cjson/cJSON.h>

struct c2s_buf;

/* The kinds, in the order docker/cli deploys them (deploy_composefile.go):
 * networks, secrets, configs, services. Tasks and nodes only inform a plan. */
enum c2s_plan_kind {
	C2S_PLAN_NETWORK = 0,
	C2S_PLAN_SECRET,
	C2S_PLAN_CONFIG,
	C2S_PLAN_SERVICE,
	C2S_PLAN_TASK,
	C2S_PLAN_NODE,
	C2S_PLAN_NKINDS
};
#define C2S_PLAN_NOBJECT_KINDS 4 /* network, secret, config, service */

enum c2s_plan_action {
	C2S_PLAN_UNCHANGED = 0,
	C2S_PLAN_CREATE,
	C2S_PLAN_UPDATE,
	C2S_PLAN_DELETE,
	C2S_PLAN_FAIL,
	C2S_PLAN_NACTIONS
};

/* Whether an update replaces running tasks (swarmkit's IsTaskDirty). */
enum c2s_plan_replaces {
	C2S_REPLACES_NO = 0,
	C2S_REPLACES_YES = 1,
	C2S_REPLACES_MAY = -1  /* only placement constraints changed, nodes unknown */
};

/* --resolve-image, as docker stack deploy takes it (its default is always). */
enum c2s_resolve_image {
	C2S_RESOLVE_ALWAYS = 0,
	C2S_RESOLVE_CHANGED,
	C2S_RESOLVE_NEVER
};

/* One changed field of an update: where the file writes it and where the
 * Engine API keeps it; before/after are the stored and the new value (NULL:
 * absent). Secret data is never a field. */
struct c2s_plan_field {
	char *compose;            /* "services.web.environment"; NULL when the file has no key for it */
	char *api;                /* "TaskTemplate.ContainerSpec.Env" */
	cJSON *before, *after;
	enum c2s_plan_replaces replaces;
};

struct c2s_plan_change {
	enum c2s_plan_kind kind;
	enum c2s_plan_action action;
	char *name;               /* full name, with the stack prefix */
	enum c2s_plan_replaces replaces_tasks; /* updated services; C2S_REPLACES_NO otherwise */
	struct c2s_plan_field *fields;
	size_t nfields;
	char *message;            /* never NULL; "" when there is nothing to say */
	/* what deploy needs to apply it */
	char *id;                 /* the existing object's ID, or NULL */
	uint64_t version;         /* its Version.Index */
	cJSON *body;              /* the request body docker would send (create/update), or NULL:
				     convert --to api's, with docker/cli's update merges for a
				     service that exists; SecretID/ConfigID are "" (docker looks
				     them up by name once the secrets and configs exist) */
	char **tasks;             /* live state: the tasks a placement change moves */
	size_t ntasks;
};

struct c2s_plan_result {
	char *stack;
	struct c2s_plan_change *changes; /* networks, secrets, configs, services; by name in each */
	size_t n, cap;
	size_t count[C2S_PLAN_NACTIONS];
	size_t replacing;                /* updates that replace tasks (yes or may) */
};

/* The objects that exist: what `docker inspect` prints for any mix of a
 * stack's services, networks, configs and secrets (tasks and nodes too), or
 * what the Engine API's list requests return. Objects are classified by shape. */
struct c2s_plan_state {
	cJSON **roots;            /* owned parse trees */
	size_t nroots, caproots;
	cJSON **obj[C2S_PLAN_NKINDS]; /* borrowed from roots */
	size_t n[C2S_PLAN_NKINDS], cap[C2S_PLAN_NKINDS];
	size_t total;
	int live;                 /* from the daemon: tasks and nodes are whole, specs have no defaults filled */
	struct c2s_plan_refusal {
		enum c2s_plan_kind kind;
		char *name, *message;
	} *refusals;              /* what the deploy would refuse before it starts (an external network
				     that does not exist): each becomes a fail */
	size_t nrefusals;
};

void c2s_plan_state_init(struct c2s_plan_state *st);
void c2s_plan_state_free(struct c2s_plan_state *st);
/* Add the JSON values in text (one array, several concatenated, or single
 * objects) to st. 0; -1 with a message in err (what and where) when the text
 * is not JSON or an object is of no kind plan knows; -2 out of memory or
 * past C2S_MAX_STATE_OBJECTS. kind >= 0 files every object under that kind
 * (a list response), else each is classified by its shape. */
int c2s_plan_state_add(struct c2s_plan_state *st, const char *text, size_t n, int kind, const char *what,
		       char *err, size_t errn);

/* Take over root (one object, or an array of objects, all of kind): a list
 * the daemon answered. root is freed on failure too. 0; -2 past
 * C2S_MAX_STATE_OBJECTS or out of memory, with a message in err. */
int c2s_plan_state_adopt(struct c2s_plan_state *st, cJSON *root, int kind, char *err, size_t errn);
/* Record what the deploy would refuse about an object (0; -1 out of memory). */
int c2s_plan_state_refuse(struct c2s_plan_state *st, enum c2s_plan_kind kind, const char *name, const char *message);

struct c2s_plan_compare_options {
	const char *stack;
	int prune;
	enum c2s_resolve_image resolve_image;
	const char *api_version;  /* the daemon's: fields it does not know are dropped */
};

/* Compare the desired bodies ({"networks","secrets","configs","services"} as
 * c2s_emit_api writes them) with the state. 0; -1 out of memory. */
int c2s_plan_compare(const cJSON *desired, const struct c2s_plan_state *st,
		     const struct c2s_plan_compare_options *o, struct c2s_plan_result *out);
void c2s_plan_result_free(struct c2s_plan_result *p);

/* The service spec a swarm manager would store and return for body (a
 * ServiceSpec as docker sends it): defaults the daemon fills, fields it drops
 * or rewrites, network names as IDs (ids: name -> ID lookups). interpolated:
 * also the defaults `docker inspect` inserts (swarmkit's InterpolateService). */
struct c2s_plan_ids {
	const char *(*network)(void *ctx, const char *name);
	const char *(*secret)(void *ctx, const char *name);
	const char *(*config)(void *ctx, const char *name);
	void *ctx;
};
int c2s_plan_normalise_service(cJSON *spec, const struct c2s_plan_ids *ids, const char *api_version,
			       int interpolated);
/* Does this stored spec (a service's Spec) carry the defaults `docker inspect`
 * inserts (insertDefaults=true)? */
int c2s_plan_spec_interpolated(const cJSON *spec);
/* The request bodies docker stack deploy would send for these files at this
 * API version (convert --to api), parsed; an exit status. */
int c2s_plan_desired(const char *const *files, size_t nfiles, const char *stack, const char *api_version,
		     const char *const *envp, cJSON **desired, FILE *err);
/* Are a and b the same stored value at api path (a JSON path such as
 * "TaskTemplate.ContainerSpec.Env"): absent and empty are the same where the
 * daemon's Go types cannot tell them apart, different where it keeps a pointer. */
int c2s_plan_json_same(const cJSON *a, const cJSON *b, const char *path);
/* The compose key path for api path of service key (NULL-free, malloc'd). */
char *c2s_plan_compose_path(const char *service_key, const char *api_path);

/* Printers: text (+ create, ~ update, - delete, ! fail; = unchanged only with
 * verbose) and JSON (CLI.md). 0; -1 when out hit its cap or memory. */
int c2s_plan_print_text(const struct c2s_plan_result *p, int verbose, int color, struct c2s_buf *out);
int c2s_plan_print_json(const struct c2s_plan_result *p, struct c2s_buf *out);

const char *c2s_plan_kind_name(enum c2s_plan_kind k);
const char *c2s_plan_action_name(enum c2s_plan_action a);

#endif
