/* deploy_apply.c -- the requests `docker stack deploy` of docker CLI 28.2 sends after GET /info, in its order, with its bodies, headers and messages (cli/command/stack/swarm/deploy_composefile.go and the client it calls). */
#include "config.h"
#include "compose2swarm.h"
#include "deploy.h"

#include "buf.h"
#include "engine.h"
#include "goval.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Largest request body printed (a service spec is a few KB; a secret's data
 * is at most C2S_MAX_OBJECT_FILE_BYTES, base64). */
#define BODY_MAX ((size_t)128 << 20)

struct apply {
	struct c2s_engine *e;
	const struct c2s_deploy_apply_options *o;
	struct c2s_deploy_result *r;
	FILE *out, *err;
	int status; /* the exit status once something failed */
};

static const cJSON *get(const cJSON *o, const char *k)
{
	return cJSON_GetObjectItemCaseSensitive(o, k);
}

static const char *get_str(const cJSON *o, const char *k)
{
	const cJSON *v = get(o, k);
	return cJSON_IsString(v) ? v->valuestring : NULL;
}

/* An engine error: trouble when the daemon cannot be reached, else docker's
 * "failed to ..." refusal; either stops the deploy. */
static int failed(struct apply *a, const struct c2s_engine_error *ee, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static int failed(struct apply *a, const struct c2s_engine_error *ee, const char *fmt, ...)
{
	if (fmt) {
		va_list ap;
		va_start(ap, fmt);
		vfprintf(a->err, fmt, ap);
		va_end(ap);
		fprintf(a->err, ": %s\n", ee->message);
	} else {
		fprintf(a->err, "%s\n", ee->message);
	}
	a->status = ee->code == C2S_ENGINE_ERR_DAEMON || ee->code == C2S_ENGINE_ERR_NOT_MANAGER ? C2S_EXIT_FINDINGS
												  : C2S_EXIT_TROUBLE;
	return -1;
}

/* Checked before every request: SIGINT/SIGTERM lets the one in flight finish. */
static int stopped(struct apply *a)
{
	if (a->o->stop && *a->o->stop) {
		a->r->interrupted = 1;
		a->status = C2S_EXIT_TROUBLE;
		return 1;
	}
	return 0;
}

static int send_json(struct apply *a, const char *method, const char *path, const struct c2s_engine_param *q,
		     size_t nq, const cJSON *body, const char *auth, struct c2s_engine_response *rs,
		     struct c2s_engine_error *ee)
{
	struct c2s_buf b;
	c2s_buf_init(&b, BODY_MAX);
	if (body && c2s_engine_json_print(body, &b) != 0) {
		c2s_buf_free(&b);
		memset(ee, 0, sizeof *ee);
		ee->code = C2S_ENGINE_ERR_NOMEM;
		snprintf(ee->message, sizeof ee->message, "a request body is larger than %zu bytes or memory ran out",
			 (size_t)BODY_MAX);
		if (rs)
			memset(rs, 0, sizeof *rs);
		return -1;
	}
	struct c2s_engine_request rq = {.method = method, .path = path, .query = q, .nquery = nq,
					.body = body ? b.data : NULL, .body_len = b.len, .registry_auth = auth};
	int r = c2s_engine_do(a->e, &rq, rs, ee);
	c2s_buf_free(&b);
	return r;
}

static int nomem(struct apply *a)
{
	fprintf(a->err, "compose2swarm: out of memory\n");
	a->status = C2S_EXIT_TROUBLE;
	return -1;
}

static int touched(struct apply *a, const char *id, const char *name, const cJSON *before)
{
	struct c2s_deploy_result *r = a->r;
	if (r->nservices == r->cap) {
		size_t cap = r->cap ? r->cap * 2 : 16;
		struct c2s_deploy_service *v = realloc(r->services, cap * sizeof *v);
		if (!v)
			return nomem(a);
		r->services = v;
		r->cap = cap;
	}
	struct c2s_deploy_service *s = &r->services[r->nservices];
	memset(s, 0, sizeof *s);
	s->id = strdup(id);
	s->name = strdup(name);
	s->updated = before != NULL;
	s->before = before ? cJSON_Duplicate(before, 1) : NULL;
	if (!s->id || !s->name || (before && !s->before)) {
		free(s->id);
		free(s->name);
		cJSON_Delete(s->before);
		return nomem(a);
	}
	r->nservices++;
	return 0;
}

void c2s_deploy_result_free(struct c2s_deploy_result *r)
{
	for (size_t i = 0; i < r->nservices; i++) {
		free(r->services[i].id);
		free(r->services[i].name);
		cJSON_Delete(r->services[i].before);
	}
	free(r->services);
	memset(r, 0, sizeof *r);
}

/* GET a label-filtered list of the stack (getStackFilter). */
static int list_stack(struct apply *a, enum c2s_engine_kind kind, cJSON **out)
{
	struct c2s_engine_error ee;
	if (stopped(a))
		return -1;
	if (c2s_engine_list_stack(a->e, kind, a->o->stack, out, &ee) != 0)
		return failed(a, &ee, NULL);
	return 0;
}

/* The name of a listed object: a network's Name, a swarm object's Spec.Name. */
static const char *listed_name(const cJSON *o)
{
	const char *n = get_str(o, "Name");
	return n ? n : get_str(get(o, "Spec"), "Name");
}

static const cJSON *find_listed(const cJSON *list, const char *name)
{
	const cJSON *o;
	cJSON_ArrayForEach(o, list)
	{
		const char *n = listed_name(o);
		if (n && strcmp(n, name) == 0)
			return o;
	}
	return NULL;
}

static int in_bodies(const cJSON *bodies, const char *name)
{
	const cJSON *b;
	cJSON_ArrayForEach(b, bodies)
	{
		const char *n = get_str(b, "Name");
		if (n && strcmp(n, name) == 0)
			return 1;
	}
	return 0;
}

static int by_name(const void *x, const void *y)
{
	const cJSON *a = *(const cJSON *const *)x, *b = *(const cJSON *const *)y;
	const char *na = listed_name(a), *nb = listed_name(b);
	return strcmp(na ? na : "", nb ? nb : "");
}

/* pruneServices: the stack's services the files no longer have, removed in
 * name order; a failure is reported and the deploy goes on, as docker's. */
static int prune(struct apply *a, const cJSON *services)
{
	cJSON *list = NULL;
	struct c2s_engine_error ee;
	if (stopped(a))
		return -1;
	if (c2s_engine_list_stack(a->e, C2S_ENGINE_SERVICES, a->o->stack, &list, &ee) != 0) {
		if (ee.code != C2S_ENGINE_ERR_DAEMON)
			return failed(a, &ee, NULL);
		fprintf(a->err, "Failed to list services: %s\n", ee.message);
		return 0;
	}
	size_t n = 0, total = (size_t)cJSON_GetArraySize(list);
	const cJSON **gone = calloc(total ? total : 1, sizeof *gone);
	if (!gone) {
		cJSON_Delete(list);
		return nomem(a);
	}
	const cJSON *s;
	cJSON_ArrayForEach(s, list)
	{
		const char *name = listed_name(s);
		if (name && !in_bodies(services, name))
			gone[n++] = s;
	}
	qsort(gone, n, sizeof *gone, by_name);
	int rc = 0;
	for (size_t i = 0; i < n && rc == 0; i++) {
		const char *id = get_str(gone[i], "ID");
		if (!id)
			continue;
		if (stopped(a)) {
			rc = -1;
			break;
		}
		fprintf(a->out, "Removing service %s\n", listed_name(gone[i]));
		fflush(a->out);
		char path[512];
		snprintf(path, sizeof path, "/services/%s", id);
		struct c2s_engine_request rq = {.method = "DELETE", .path = path};
		if (c2s_engine_do(a->e, &rq, NULL, &ee) != 0) {
			if (ee.code != C2S_ENGINE_ERR_DAEMON)
				rc = failed(a, &ee, NULL);
			else
				fprintf(a->err, "Failed to remove service %s: %s\n", id, ee.message);
		} else {
			a->r->changes++;
		}
	}
	free(gone);
	cJSON_Delete(list);
	return rc;
}

/* container.NetworkMode(name).IsUserDefined(): not one of the daemon's own. */
static int user_defined(const char *name)
{
	return strcmp(name, "default") != 0 && strcmp(name, "bridge") != 0 && strcmp(name, "host") != 0 &&
	       strcmp(name, "none") != 0 && strncmp(name, "container:", 10) != 0;
}

static int str_cmp(const void *x, const void *y)
{
	return strcmp(*(const char *const *)x, *(const char *const *)y);
}

/* validateExternalNetworks: every network a service joins that the stack
 * does not create must exist with swarm scope. */
static int external_networks(struct apply *a, const cJSON *networks, const cJSON *services)
{
	size_t n = 0, cap = 0;
	const char **names = NULL;
	const cJSON *s;
	cJSON_ArrayForEach(s, services)
	{
		const cJSON *att;
		cJSON_ArrayForEach(att, get(get(s, "TaskTemplate"), "Networks"))
		{
			const char *t = get_str(att, "Target");
			if (!t || in_bodies(networks, t) || !user_defined(t))
				continue;
			int seen = 0;
			for (size_t i = 0; i < n && !seen; i++)
				seen = strcmp(names[i], t) == 0;
			if (seen)
				continue;
			if (n == cap) {
				size_t c = cap ? cap * 2 : 8;
				const char **v = realloc(names, c * sizeof *v);
				if (!v) {
					free(names);
					return nomem(a);
				}
				names = v;
				cap = c;
			}
			names[n++] = t;
		}
	}
	if (n > 1)
		qsort(names, n, sizeof *names, str_cmp);
	int rc = 0;
	for (size_t i = 0; i < n && rc == 0; i++) {
		char path[1024];
		snprintf(path, sizeof path, "/networks/%s", names[i]);
		cJSON *nw = NULL;
		struct c2s_engine_error ee;
		if (stopped(a)) {
			rc = -1;
			break;
		}
		if (c2s_engine_get_json(a->e, path, NULL, 0, &nw, &ee) != 0) {
			if (ee.code == C2S_ENGINE_ERR_DAEMON && ee.http_status == 404) {
				fprintf(a->err,
					"network \"%s\" is declared as external, but could not be found. You need to create a "
					"swarm-scoped network before the stack is deployed\n",
					names[i]);
				a->status = C2S_EXIT_FINDINGS;
				rc = -1;
			} else {
				rc = failed(a, &ee, NULL);
			}
		} else {
			const char *scope = get_str(nw, "Scope");
			if (!scope || strcmp(scope, "swarm") != 0) {
				fprintf(a->err,
					"network \"%s\" is declared as external, but it is not in the right scope: \"%s\" "
					"instead of \"swarm\"\n",
					names[i], scope ? scope : "");
				a->status = C2S_EXIT_FINDINGS;
				rc = -1;
			}
		}
		cJSON_Delete(nw);
	}
	free(names);
	return rc;
}

/* createNetworks: the stack's networks that are not there yet. */
static int create_networks(struct apply *a, const cJSON *networks)
{
	cJSON *existing = NULL;
	if (list_stack(a, C2S_ENGINE_NETWORKS, &existing) != 0)
		return -1;
	int rc = 0;
	const cJSON *b;
	cJSON_ArrayForEach(b, networks)
	{
		const char *name = get_str(b, "Name");
		if (!name || find_listed(existing, name))
			continue;
		if (stopped(a)) {
			rc = -1;
			break;
		}
		fprintf(a->out, "Creating network %s\n", name);
		fflush(a->out);
		struct c2s_engine_error ee;
		if (send_json(a, "POST", "/networks/create", NULL, 0, b, NULL, NULL, &ee) != 0) {
			rc = failed(a, &ee, "failed to create network %s", name);
			break;
		}
		a->r->changes++;
	}
	cJSON_Delete(existing);
	return rc;
}

/* createSecrets / createConfigs: inspect by name, then update or create. */
static int create_objects(struct apply *a, const cJSON *bodies, const char *kind /* "secret", "config" */)
{
	const cJSON *b;
	cJSON_ArrayForEach(b, bodies)
	{
		const char *name = get_str(b, "Name");
		if (!name)
			continue;
		char path[1024];
		snprintf(path, sizeof path, "/%ss/%s", kind, name);
		cJSON *obj = NULL;
		struct c2s_engine_error ee;
		if (stopped(a))
			return -1;
		if (c2s_engine_get_json(a->e, path, NULL, 0, &obj, &ee) == 0) {
			const char *id = get_str(obj, "ID");
			const cJSON *ver = get(get(obj, "Version"), "Index");
			char version[32];
			snprintf(version, sizeof version, "%.0f", cJSON_IsNumber(ver) ? ver->valuedouble : 0.0);
			snprintf(path, sizeof path, "/%ss/%s/update", kind, id ? id : name);
			struct c2s_engine_param q = {"version", version};
			int r = stopped(a) ? -1 : send_json(a, "POST", path, &q, 1, b, NULL, NULL, &ee);
			cJSON_Delete(obj);
			if (a->r->interrupted)
				return -1;
			if (r != 0)
				return failed(a, &ee, "failed to update %s %s", kind, name);
			a->r->changes++;
		} else if (ee.code == C2S_ENGINE_ERR_DAEMON && ee.http_status == 404) {
			if (stopped(a))
				return -1;
			fprintf(a->out, "Creating %s %s\n", kind, name);
			fflush(a->out);
			snprintf(path, sizeof path, "/%ss/create", kind);
			if (send_json(a, "POST", path, NULL, 0, b, NULL, NULL, &ee) != 0)
				return failed(a, &ee, "failed to create %s %s", kind, name);
			a->r->changes++;
		} else {
			return failed(a, &ee, NULL);
		}
	}
	return 0;
}

/* The service's key in the files (namespace.Descope): its name without "STACK_". */
static const char *service_key(struct apply *a, const char *name)
{
	size_t n = strlen(a->o->stack);
	return strncmp(name, a->o->stack, n) == 0 && name[n] == '_' ? name + n + 1 : name;
}

/* servicecli.ParseSecrets / ParseConfigs: one list request by name for the
 * references of a service, and each reference's ID from it. */
static int resolve_refs(struct apply *a, cJSON *service, const char *field /* Secrets, Configs */,
			const char *kind /* secret, config */)
{
	cJSON *refs = cJSON_GetObjectItemCaseSensitive(
		cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(service, "TaskTemplate"), "ContainerSpec"),
		field);
	size_t n = (size_t)cJSON_GetArraySize(refs);
	if (!n)
		return 0;
	char name_key[16], id_key[16];
	snprintf(name_key, sizeof name_key, "%sName", kind[0] == 's' ? "Secret" : "Config");
	snprintf(id_key, sizeof id_key, "%sID", kind[0] == 's' ? "Secret" : "Config");
	struct c2s_engine_param *f = calloc(n, sizeof *f);
	if (!f)
		return nomem(a);
	size_t nf = 0;
	cJSON *ref;
	cJSON_ArrayForEach(ref, refs)
	{
		const char *nm = get_str(ref, name_key);
		if (nm)
			f[nf++] = (struct c2s_engine_param){"name", nm};
	}
	char path[16];
	snprintf(path, sizeof path, "/%ss", kind);
	cJSON *list = NULL;
	struct c2s_engine_error ee;
	if (stopped(a)) {
		free(f);
		return -1;
	}
	int r = c2s_engine_get_json(a->e, path, f, nf, &list, &ee);
	free(f);
	if (r != 0)
		return failed(a, &ee, "service %s", service_key(a, get_str(service, "Name")));
	int rc = 0;
	cJSON_ArrayForEach(ref, refs)
	{
		const char *nm = get_str(ref, name_key);
		const cJSON *found = nm ? find_listed(list, nm) : NULL;
		const char *id = found ? get_str(found, "ID") : NULL;
		if (!id) {
			fprintf(a->err, "service %s: %s not found: %s\n", service_key(a, get_str(service, "Name")), kind,
				nm ? nm : "");
			a->status = C2S_EXIT_FINDINGS;
			rc = -1;
			break;
		}
		cJSON *v = cJSON_CreateString(id);
		if (!v || !(cJSON_GetObjectItemCaseSensitive(ref, id_key)
				    ? cJSON_ReplaceItemInObjectCaseSensitive(ref, id_key, v)
				    : cJSON_AddItemToObject(ref, id_key, v))) {
			cJSON_Delete(v);
			rc = nomem(a);
			break;
		}
	}
	cJSON_Delete(list);
	return rc;
}

/* Insert item as key into o before the first key that comes after it in
 * order (the Go struct's field order), else at the end. */
static int put_in_order(cJSON *o, const char *key, cJSON *item, const char *const *order)
{
	if (cJSON_GetObjectItemCaseSensitive(o, key))
		return cJSON_ReplaceItemInObjectCaseSensitive(o, key, item) ? 0 : -1;
	size_t at = 0;
	while (order[at] && strcmp(order[at], key) != 0)
		at++;
	if (order[at]) {
		int index = 0;
		for (cJSON *c = o->child; c; c = c->next, index++) {
			for (size_t k = at + 1; order[k]; k++)
				if (c->string && strcmp(c->string, order[k]) == 0) {
					if (!cJSON_InsertItemInArray(o, index, item))
						return -1;
					item->string = strdup(key);
					return item->string ? 0 : -1;
				}
		}
	}
	return cJSON_AddItemToObject(o, key, item) ? 0 : -1;
}

/* swarm.TaskSpec's and swarm.Placement's JSON field orders. */
static const char *const task_order[] = {"ContainerSpec", "PluginSpec", "NetworkAttachmentSpec", "Resources",
					 "RestartPolicy", "Placement", "Networks", "LogDriver", "ForceUpdate",
					 "Runtime", NULL};
static const char *const placement_order[] = {"Constraints", "Preferences", "MaxReplicas", "Platforms", NULL};

static int set_image(cJSON *spec, const char *image)
{
	cJSON *cs = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(spec, "TaskTemplate"),
						     "ContainerSpec");
	cJSON *v = cJSON_CreateString(image);
	if (!cs || !v) {
		cJSON_Delete(v);
		return -1;
	}
	return cJSON_GetObjectItemCaseSensitive(cs, "Image") ? (cJSON_ReplaceItemInObjectCaseSensitive(cs, "Image", v) ? 0 : -1)
								: (cJSON_AddItemToObject(cs, "Image", v) ? 0 : -1);
}

/* imageWithTagString: the familiar form with :latest on a bare name. */
static int tag_image(cJSON *spec)
{
	const char *img = get_str(get(get(spec, "TaskTemplate"), "ContainerSpec"), "Image");
	if (!img)
		return 0;
	char buf[4096];
	size_t n = c2s_image_familiar(img, strlen(img), buf, sizeof buf);
	if (!n || n >= sizeof buf || (strlen(img) == n && memcmp(img, buf, n) == 0))
		return 0;
	buf[n] = '\0';
	return set_image(spec, buf);
}

/* resolveContainerSpecImage: ask the daemon for the image's digest and
 * platforms (GET /distribution/IMAGE/json); 0 with spec updated, 1 when it
 * could not (docker's warning, in warning), -1 trouble. */
static int resolve_image(struct apply *a, cJSON *spec, const char *auth, char *warning, size_t wn)
{
	const char *img = get_str(get(get(spec, "TaskTemplate"), "ContainerSpec"), "Image");
	if (!img)
		return 0;
	char image[4096];
	snprintf(image, sizeof image, "%s", img);
	char path[4200];
	snprintf(path, sizeof path, "/distribution/%s/json", image);
	struct c2s_engine_request rq = {.method = "GET", .path = path, .registry_auth = auth && *auth ? auth : NULL};
	struct c2s_engine_response rs;
	struct c2s_engine_error ee;
	memset(&rs, 0, sizeof rs);
	/* below API 1.30 the client refuses distribution inspect; any failure
	 * is a warning, not an error (imageDigestAndPlatforms) */
	const char *v = c2s_engine_api_version(a->e);
	int r = v && c2s_engine_version_cmp(v, "1.30") < 0 ? -1 : c2s_engine_do(a->e, &rq, &rs, &ee);
	const char *digest = r == 0 ? get_str(get(rs.json, "Descriptor"), "digest") : NULL;
	if (!digest) {
		c2s_engine_response_free(&rs);
		snprintf(warning, wn,
			 "image %s could not be accessed on a registry to record\nits digest. Each node will access %s "
			 "independently,\npossibly leading to different nodes running different\nversions of the image.\n",
			 image, image);
		return 1;
	}
	int rc = 0;
	if (!strchr(image, '@')) { /* imageWithDigestString keeps a digest that is there */
		char with[4200];
		snprintf(with, sizeof with, "%s@%s", image, digest);
		char fam[4200];
		size_t n = c2s_image_familiar(with, strlen(with), fam, sizeof fam);
		if (n && n < sizeof fam)
			fam[n] = '\0';
		rc = set_image(spec, n && n < sizeof fam ? fam : with);
	}
	const cJSON *plats = get(rs.json, "Platforms");
	if (rc == 0 && cJSON_GetArraySize(plats) > 0) {
		cJSON *list = cJSON_CreateArray();
		const cJSON *p;
		cJSON_ArrayForEach(p, plats)
		{
			const char *arch = get_str(p, "architecture"), *os = get_str(p, "os");
			cJSON *one = cJSON_CreateObject();
			if (!list || !one) {
				cJSON_Delete(one);
				rc = -1;
				break;
			}
			if (arch && *arch && strcasecmp(arch, "arm") != 0)
				cJSON_AddStringToObject(one, "Architecture", arch);
			if (os && *os)
				cJSON_AddStringToObject(one, "OS", os);
			cJSON_AddItemToArray(list, one);
		}
		cJSON *tt = cJSON_GetObjectItemCaseSensitive(spec, "TaskTemplate");
		cJSON *pl = cJSON_GetObjectItemCaseSensitive(tt, "Placement");
		if (rc == 0 && !pl) {
			pl = cJSON_CreateObject();
			if (!pl || put_in_order(tt, "Placement", pl, task_order) != 0)
				rc = -1;
		}
		if (rc == 0 && put_in_order(pl, "Platforms", list, placement_order) != 0)
			rc = -1;
		else if (rc != 0)
			cJSON_Delete(list);
	}
	c2s_engine_response_free(&rs);
	return rc == 0 ? 0 : nomem(a);
}

#define IMAGE_LABEL "com.docker.stack.image"

/* deployServices: create, or update with the running image kept (unless
 * --resolve-image asks the registry) and the running ForceUpdate kept. */
static int deploy_service(struct apply *a, cJSON *spec, const cJSON *existing)
{
	const char *name = get_str(spec, "Name");
	char *auth = NULL;
	/* a service's requests (the image lookup, then its create or update) go
	 * as one: a stop comes before them or after */
	if (stopped(a))
		return -1;
	if (a->o->auth) {
		char msg[1024];
		const char *img = get_str(get(get(spec, "TaskTemplate"), "ContainerSpec"), "Image");
		if (c2s_registry_auth_for(a->o->auth, img ? img : "", &auth, msg, sizeof msg) != 0) {
			fprintf(a->err, "%s\n", msg);
			a->status = C2S_EXIT_TROUBLE;
			return -1;
		}
	}
	int query = 0, rc = 0;
	char warning[9000] = "";
	struct c2s_engine_error ee;
	if (existing) {
		const cJSON *live = get(existing, "Spec");
		const char *id = get_str(existing, "ID");
		fprintf(a->out, "Updating service %s (id: %s)\n", name, id ? id : "");
		fflush(a->out);
		const char *want = get_str(get(spec, "Labels"), IMAGE_LABEL);
		const char *have = get_str(get(live, "Labels"), IMAGE_LABEL);
		const char *running = get_str(get(get(live, "TaskTemplate"), "ContainerSpec"), "Image");
		int same = want && have && strcmp(want, have) == 0;
		if (a->o->resolve == C2S_RESOLVE_ALWAYS)
			query = 1;
		else if (a->o->resolve == C2S_RESOLVE_CHANGED && !same)
			query = 1;
		else if (same && running && set_image(spec, running) != 0)
			rc = nomem(a);
		const cJSON *fu = get(get(live, "TaskTemplate"), "ForceUpdate");
		cJSON *tt = cJSON_GetObjectItemCaseSensitive(spec, "TaskTemplate");
		if (rc == 0 && tt) {
			/* swarm.TaskSpec.ForceUpdate has no omitempty: 0 is written too */
			cJSON *v = cJSON_CreateNumber(cJSON_IsNumber(fu) ? fu->valuedouble : 0);
			if (!v || put_in_order(tt, "ForceUpdate", v, task_order) != 0)
				rc = nomem(a);
		}
		if (rc == 0 && tag_image(spec) != 0)
			rc = nomem(a);
		if (rc == 0 && query)
			rc = resolve_image(a, spec, auth, warning, sizeof warning) < 0 ? -1 : 0;
		if (rc == 0) {
			const cJSON *ver = get(get(existing, "Version"), "Index");
			char version[32], path[512];
			snprintf(version, sizeof version, "%.0f", cJSON_IsNumber(ver) ? ver->valuedouble : 0.0);
			snprintf(path, sizeof path, "/services/%s/update", id ? id : name);
			struct c2s_engine_param q = {"version", version};
			struct c2s_engine_response rs;
			if (send_json(a, "POST", path, &q, 1, spec, auth, &rs, &ee) != 0) {
				c2s_engine_response_free(&rs);
				rc = failed(a, &ee, "failed to update service %s", name);
			} else {
				/* the daemon's warnings, then the client's own */
				const cJSON *w;
				cJSON_ArrayForEach(w, get(rs.json, "Warnings"))
				{
					if (cJSON_IsString(w))
						fprintf(a->err, "%s\n", w->valuestring);
				}
				if (warning[0])
					fprintf(a->err, "%s\n", warning);
				c2s_engine_response_free(&rs);
				a->r->changes++;
				rc = touched(a, id ? id : name, name, existing);
			}
		}
	} else {
		fprintf(a->out, "Creating service %s\n", name);
		fflush(a->out);
		if (a->o->resolve == C2S_RESOLVE_ALWAYS || a->o->resolve == C2S_RESOLVE_CHANGED)
			query = 1;
		if (tag_image(spec) != 0)
			rc = nomem(a);
		/* a create keeps the client's warnings to itself (the CLI prints none) */
		if (rc == 0 && query)
			rc = resolve_image(a, spec, auth, warning, sizeof warning) < 0 ? -1 : 0;
		struct c2s_engine_response rs;
		if (rc == 0 && send_json(a, "POST", "/services/create", NULL, 0, spec, auth, &rs, &ee) != 0) {
			c2s_engine_response_free(&rs);
			rc = failed(a, &ee, "failed to create service %s", name);
		} else if (rc == 0) {
			const char *id = get_str(rs.json, "ID");
			a->r->changes++;
			rc = touched(a, id ? id : name, name, NULL);
			c2s_engine_response_free(&rs);
		}
	}
	free(auth);
	return rc;
}

int c2s_deploy_apply(struct c2s_engine *e, const cJSON *desired, const struct c2s_deploy_apply_options *o,
		     struct c2s_deploy_result *r, FILE *out, FILE *err)
{
	struct apply a = {e, o, r, out, err, C2S_EXIT_OK};
	memset(r, 0, sizeof *r);
	const cJSON *networks = get(desired, "networks"), *secrets = get(desired, "secrets"),
		    *configs = get(desired, "configs");
	/* the service bodies change as docker's do (IDs, image, ForceUpdate): a copy */
	cJSON *services = cJSON_Duplicate(get(desired, "services"), 1);
	if (!services && get(desired, "services"))
		return nomem(&a), C2S_EXIT_TROUBLE;
	int rc = 0;
	if (o->prune)
		rc = prune(&a, services);
	if (rc == 0)
		rc = external_networks(&a, networks, services);
	if (rc == 0)
		rc = create_networks(&a, networks);
	if (rc == 0)
		rc = create_objects(&a, secrets, "secret");
	if (rc == 0)
		rc = create_objects(&a, configs, "config");
	/* convert.Services: each service's secrets, then its configs */
	cJSON *s;
	cJSON_ArrayForEach(s, services)
	{
		if (rc == 0)
			rc = resolve_refs(&a, s, "Secrets", "secret");
		if (rc == 0)
			rc = resolve_refs(&a, s, "Configs", "config");
	}
	cJSON *existing = NULL;
	if (rc == 0)
		rc = list_stack(&a, C2S_ENGINE_SERVICES, &existing);
	cJSON_ArrayForEach(s, services)
	{
		if (rc != 0)
			break;
		const char *name = get_str(s, "Name");
		rc = deploy_service(&a, s, name ? find_listed(existing, name) : NULL);
	}
	cJSON_Delete(existing);
	cJSON_Delete(services);
	if (rc != 0 && a.status == C2S_EXIT_OK)
		a.status = C2S_EXIT_TROUBLE;
	return a.status;
}
