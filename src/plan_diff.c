/* plan_diff.c -- the plan: for every network, secret, config and service of a
 * stack, what `docker stack deploy` would do to it, from the bodies it would
 * send and the objects that exist.
 *
 * The request flow is docker/cli's (cli/command/stack/swarm/deploy_composefile.go
 * at v28.2.2): networks are only created, never updated; secrets and configs
 * that exist are updated, which swarmkit allows for labels only
 * (manager/controlapi/{secret,config}.go UpdateSecret/UpdateConfig: "only
 * updates to Labels are allowed"); services that exist are updated with two
 * merges first (the running image when the file's image string is unchanged,
 * unless --resolve-image always; the running TaskTemplate.ForceUpdate); only
 * services are pruned, and only with --prune. Whether an update replaces the
 * running tasks is swarmkit's IsTaskDirty (manager/orchestrator/task.go): a
 * change in the task spec or the endpoint spec does, one in placement alone
 * only for tasks whose node no longer satisfies the constraints, the rest
 * (labels, replicas, update and rollback configs) does not. */
#include "config.h"
#include "plan.h"
#include "plan_constraint.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define STACK_LABEL "com.docker.stack.namespace"
#define IMAGE_LABEL "com.docker.stack.image"

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

const char *c2s_plan_kind_name(enum c2s_plan_kind k)
{
	static const char *const names[] = {"network", "secret", "config", "service", "task", "node"};
	return (unsigned)k < C2S_PLAN_NKINDS ? names[k] : "?";
}

const char *c2s_plan_action_name(enum c2s_plan_action a)
{
	static const char *const names[] = {"unchanged", "create", "update", "delete", "fail"};
	return (unsigned)a < C2S_PLAN_NACTIONS ? names[a] : "?";
}

/* ---- the state, indexed by name ---- */

struct named {
	const char *name;
	const cJSON *obj;
};

static int named_cmp(const void *a, const void *b)
{
	return strcmp(((const struct named *)a)->name, ((const struct named *)b)->name);
}

struct index {
	struct named *v;
	size_t n;
};

/* The name of an inspected object of kind k (NULL if it has none). */
static const char *object_name(int k, const cJSON *o)
{
	switch (k) {
	case C2S_PLAN_NETWORK: return get_str(o, "Name");
	case C2S_PLAN_TASK:
	case C2S_PLAN_NODE: return get_str(o, "ID");
	default: return get_str(get(o, "Spec"), "Name");
	}
}

static const cJSON *object_labels(int k, const cJSON *o)
{
	return k == C2S_PLAN_NETWORK ? get(o, "Labels") : get(get(o, "Spec"), "Labels");
}

/* Index the objects of kind k; only those labelled with the stack when stack
 * is not NULL. 0; -1 out of memory. */
static int index_kind(const struct c2s_plan_state *st, int k, const char *stack, struct index *ix)
{
	ix->n = 0;
	ix->v = malloc((st->n[k] + 1) * sizeof *ix->v);
	if (!ix->v)
		return -1;
	for (size_t i = 0; i < st->n[k]; i++) {
		const char *name = object_name(k, st->obj[k][i]);
		if (!name)
			continue;
		if (stack && !streq(get_str(object_labels(k, st->obj[k][i]), STACK_LABEL), stack))
			continue;
		ix->v[ix->n++] = (struct named){name, st->obj[k][i]};
	}
	qsort(ix->v, ix->n, sizeof *ix->v, named_cmp);
	return 0;
}

static const cJSON *lookup(const struct index *ix, const char *name)
{
	struct named key = {name, NULL}, *hit;
	if (!ix->n)
		return NULL;
	hit = bsearch(&key, ix->v, ix->n, sizeof *ix->v, named_cmp);
	return hit ? hit->obj : NULL;
}

/* ---- building the result ---- */

static struct c2s_plan_change *add_change(struct c2s_plan_result *p, enum c2s_plan_kind kind,
					  enum c2s_plan_action action, const char *name)
{
	if (p->n == p->cap) {
		size_t cap = p->cap ? p->cap * 2 : 32;
		struct c2s_plan_change *v = realloc(p->changes, cap * sizeof *v);
		if (!v)
			return NULL;
		p->changes = v;
		p->cap = cap;
	}
	struct c2s_plan_change *c = &p->changes[p->n];
	memset(c, 0, sizeof *c);
	c->kind = kind;
	c->action = action;
	c->name = strdup(name);
	c->message = strdup("");
	if (!c->name || !c->message) {
		free(c->name);
		free(c->message);
		return NULL;
	}
	p->n++;
	return c;
}

/* Append a sentence to the change's message. 0; -1 out of memory. */
static int say(struct c2s_plan_change *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int say(struct c2s_plan_change *c, const char *fmt, ...)
{
	va_list ap;
	char buf[1024];
	va_start(ap, fmt);
	vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	size_t old = strlen(c->message), add = strlen(buf);
	char *m = realloc(c->message, old + add + 2);
	if (!m)
		return -1;
	if (old)
		m[old++] = ' ';
	memcpy(m + old, buf, add + 1);
	c->message = m;
	return 0;
}

/* Add a changed field; compose is taken over (NULL: no key writes it). */
static int add_field(struct c2s_plan_change *c, char *compose, const char *api, const cJSON *before,
		     const cJSON *after, enum c2s_plan_replaces replaces)
{
	struct c2s_plan_field *v = realloc(c->fields, (c->nfields + 1) * sizeof *v);
	if (!v) {
		free(compose);
		return -1;
	}
	c->fields = v;
	struct c2s_plan_field *f = &v[c->nfields];
	memset(f, 0, sizeof *f);
	f->compose = compose;
	f->api = strdup(api);
	c->nfields++;
	f->replaces = replaces;
	if (!f->api || (!cJSON_IsNull(before) && before && !(f->before = cJSON_Duplicate(before, 1))) ||
	    (!cJSON_IsNull(after) && after && !(f->after = cJSON_Duplicate(after, 1))))
		return -1;
	return 0;
}

/* s + "." + key (s freed); NULL out of memory. */
static char *append_key(char *s, const char *key)
{
	if (!s)
		return NULL;
	size_t n = strlen(s), k = strlen(key);
	char *t = realloc(s, n + k + 2);
	if (!t) {
		free(s);
		return NULL;
	}
	t[n] = '.';
	memcpy(t + n + 1, key, k + 1);
	return t;
}

/* "services.web" + ".deploy.labels", or NULL (out of memory). */
static char *join(const char *a, const char *b)
{
	size_t n = strlen(a) + strlen(b) + 2;
	char *s = malloc(n);
	if (s)
		snprintf(s, n, "%s.%s", a, b);
	return s;
}

void c2s_plan_result_free(struct c2s_plan_result *p)
{
	for (size_t i = 0; i < p->n; i++) {
		struct c2s_plan_change *c = &p->changes[i];
		for (size_t j = 0; j < c->nfields; j++) {
			free(c->fields[j].compose);
			free(c->fields[j].api);
			cJSON_Delete(c->fields[j].before);
			cJSON_Delete(c->fields[j].after);
		}
		free(c->fields);
		free(c->name);
		free(c->message);
		free(c->id);
		cJSON_Delete(c->body);
		for (size_t j = 0; j < c->ntasks; j++)
			free(c->tasks[j]);
		free(c->tasks);
	}
	free(p->changes);
	free(p->stack);
	memset(p, 0, sizeof *p);
}

/* The key a stack object has in the file: its name without "STACK_". */
static const char *file_key(const char *stack, const char *name)
{
	size_t sn = strlen(stack);
	if (strncmp(name, stack, sn) == 0 && name[sn] == '_' && name[sn + 1])
		return name + sn + 1;
	return name;
}

static int set_live(struct c2s_plan_change *c, const cJSON *o, int kind)
{
	const char *id = get_str(o, kind == C2S_PLAN_NETWORK ? "Id" : "ID");
	const cJSON *ver = get(get(o, "Version"), "Index");
	if (id && !(c->id = strdup(id)))
		return -1;
	c->version = cJSON_IsNumber(ver) && ver->valuedouble > 0 ? (uint64_t)ver->valuedouble : 0;
	return 0;
}

/* ---- the diff of two stored specs, as fields ---- */

struct walk {
	struct c2s_plan_change *c;
	const char *compose_prefix;
	int failed;
};

static int is_null(const cJSON *v)
{
	return !v || cJSON_IsNull(v);
}

static int is_map(const char *key)
{
	return key && (strcmp(key, "Labels") == 0 || strcmp(key, "Options") == 0 || strcmp(key, "Sysctls") == 0 ||
		       strcmp(key, "DriverOpts") == 0);
}

/* Does a change at api path replace running tasks (IsTaskDirty)? Placement
 * alone: only when the constraints change, and then only tasks on nodes that
 * no longer match (decided later, with nodes; "may" until then). */
static enum c2s_plan_replaces field_replaces(const char *path, const cJSON *before, const cJSON *after)
{
	if (strncmp(path, "TaskTemplate.Placement", 22) == 0 && (path[22] == '\0' || path[22] == '.')) {
		if (path[22] == '\0')
			return c2s_plan_json_same(get(before, "Constraints"), get(after, "Constraints"),
						  "TaskTemplate.Placement.Constraints")
				       ? C2S_REPLACES_NO
				       : C2S_REPLACES_MAY;
		return strcmp(path + 22, ".Constraints") == 0 ? C2S_REPLACES_MAY : C2S_REPLACES_NO;
	}
	if ((strncmp(path, "TaskTemplate", 12) == 0 && (path[12] == '\0' || path[12] == '.')) ||
	    (strncmp(path, "EndpointSpec", 12) == 0 && (path[12] == '\0' || path[12] == '.')))
		return C2S_REPLACES_YES;
	return C2S_REPLACES_NO;
}

static void walk(struct walk *w, const cJSON *before, const cJSON *after, char *path, size_t len, size_t cap);

static char *compose_of(const struct walk *w, const char *path)
{
	return w->compose_prefix ? c2s_plan_compose_path(w->compose_prefix, path) : NULL;
}

static void walk_key(struct walk *w, const cJSON *before, const cJSON *after, const char *key, char *path,
		     size_t len, size_t cap)
{
	size_t kn = strlen(key);
	if (len + kn + 2 >= cap) {
		w->failed = 1;
		return;
	}
	size_t nl = len;
	if (len)
		path[nl++] = '.';
	memcpy(path + nl, key, kn + 1);
	walk(w, get(before, key), get(after, key), path, nl + kn, cap);
	path[len] = '\0';
}

static void walk(struct walk *w, const cJSON *before, const cJSON *after, char *path, size_t len, size_t cap)
{
	const char *dot = strrchr(path, '.');
	const char *key = dot ? dot + 1 : path;
	int map = is_map(key) && (cJSON_IsObject(before) || is_null(before)) && (cJSON_IsObject(after) || is_null(after));
	int fits = 1; /* every key's path fits: else the object is one field */
	for (int pass = 0; pass < 2 && fits; pass++)
		for (const cJSON *c = pass ? (before ? before->child : NULL) : (after ? after->child : NULL); c && fits;
		     c = c->next)
			fits = !c->string || len + strlen(c->string) + 2 < cap;
	if (fits && (map || (cJSON_IsObject(before) && cJSON_IsObject(after) && !is_map(key)))) {
		/* the file's order first, then what only the swarm has; a map (labels,
		 * options) key by key, each a field of its own */
		for (int pass = 0; pass < 2; pass++) {
			const cJSON *from = pass ? before : after, *other = pass ? after : before;
			for (const cJSON *c = from ? from->child : NULL; c; c = c->next) {
				if (!c->string || (pass && get(other, c->string)))
					continue;
				if (map && !get(other, c->string)) {
					/* a key set to "" is still a key */
					size_t kn = strlen(c->string);
					if (len + kn + 2 >= cap) {
						w->failed = 1;
						return;
					}
					path[len] = '.';
					memcpy(path + len + 1, c->string, kn + 1);
					if (add_field(w->c, compose_of(w, path), path, pass ? c : NULL,
						      pass ? NULL : c, field_replaces(path, NULL, NULL)) != 0)
						w->failed = 1;
					path[len] = '\0';
					continue;
				}
				walk_key(w, before, after, c->string, path, len, cap);
			}
		}
		return;
	}
	if (c2s_plan_json_same(before, after, path))
		return;
	if (add_field(w->c, compose_of(w, path), path, before, after,
		      field_replaces(path, before, after)) != 0)
		w->failed = 1;
}

/* Fields of spec (the stored one) that want (what the deploy would store) changes. */
static int diff_specs(struct c2s_plan_change *c, const char *compose_prefix, const cJSON *spec, const cJSON *want)
{
	char path[512] = "";
	struct walk w = {c, compose_prefix, 0};
	walk(&w, spec, want, path, 0, sizeof path);
	return w.failed ? -1 : 0;
}

/* ---- names and IDs ---- */

struct ids_ctx {
	struct index nets, secrets, configs;  /* every object in the state, by name */
	const cJSON *live_spec;                /* the service being compared */
};

static const char *net_id(void *ctx, const char *name)
{
	struct ids_ctx *x = ctx;
	/* the daemon attaches host and bridge to swarm networks of its own, whose
	 * IDs no list shows (daemon/cluster/networks.go populateNetworkID), not
	 * to the local networks of those names */
	if (strcmp(name, "host") == 0 || strcmp(name, "bridge") == 0 || strcmp(name, "none") == 0)
		return NULL;
	return get_str(lookup(&x->nets, name), "Id");
}

/* A reference's ID: the object's of that name, or else the one the running
 * service already holds under that name (an external object the state lacks:
 * one in use cannot be removed, so its ID is the same). */
static const char *ref_id(const struct index *ix, const cJSON *live_spec, const char *list, const char *idkey,
			  const char *namekey, const char *name)
{
	const char *id = get_str(lookup(ix, name), "ID");
	if (id)
		return id;
	const cJSON *r;
	cJSON_ArrayForEach(r, get(get(get(live_spec, "TaskTemplate"), "ContainerSpec"), list))
		if (streq(get_str(r, namekey), name))
			return get_str(r, idkey);
	return NULL;
}

static const char *secret_id(void *ctx, const char *name)
{
	struct ids_ctx *x = ctx;
	return ref_id(&x->secrets, x->live_spec, "Secrets", "SecretID", "SecretName", name);
}

static const char *config_id(void *ctx, const char *name)
{
	struct ids_ctx *x = ctx;
	return ref_id(&x->configs, x->live_spec, "Configs", "ConfigID", "ConfigName", name);
}

/* Is id the ID of a network the state holds? */
static int known_net_id(const struct ids_ctx *x, const char *id)
{
	for (size_t i = 0; i < x->nets.n; i++)
		if (streq(get_str(x->nets.v[i].obj, "Id"), id))
			return 1;
	return 0;
}

/* An external network the state does not hold keeps its name in want: take
 * the ID of the running attachment to a network the state does not know
 * either, with the same aliases (each has the service's key). */
static int match_unknown_networks(const struct ids_ctx *x, cJSON *want_tt, const cJSON *live_tt)
{
	const cJSON *lnets = get(live_tt, "Networks");
	int nl = cJSON_GetArraySize(lnets);
	unsigned char used[256] = {0}; /* each running attachment is taken once */
	cJSON *n;
	cJSON_ArrayForEach(n, get(want_tt, "Networks")) {
		const char *t = get_str(n, "Target");
		if (!t || known_net_id(x, t) || net_id((void *)x, t))
			continue;
		for (int i = 0; i < nl && i < (int)sizeof used; i++) {
			const cJSON *l = cJSON_GetArrayItem(lnets, i);
			const char *lt = get_str(l, "Target");
			if (used[i] || !lt || known_net_id(x, lt) ||
			    !c2s_plan_json_same(get(l, "Aliases"), get(n, "Aliases"), "TaskTemplate.Networks.Aliases"))
				continue;
			cJSON *s = cJSON_CreateString(lt);
			if (!s || !cJSON_ReplaceItemInObjectCaseSensitive(n, "Target", s)) {
				cJSON_Delete(s);
				return -1;
			}
			used[i] = 1;
			break;
		}
	}
	return 0;
}

/* Show network attachments by name, not by the IDs the daemon stores. */
static void name_networks(const struct ids_ctx *x, cJSON *list)
{
	cJSON *n;
	cJSON_ArrayForEach(n, list) {
		const char *t = get_str(n, "Target");
		for (size_t i = 0; t && i < x->nets.n; i++) {
			if (streq(get_str(x->nets.v[i].obj, "Id"), t)) {
				cJSON *s = cJSON_CreateString(x->nets.v[i].name);
				if (s && !cJSON_ReplaceItemInObjectCaseSensitive(n, "Target", s))
					cJSON_Delete(s);
				break;
			}
		}
	}
}

/* ---- images: docker/cli's merge and the registry ---- */

/* image without its "@sha256:..." digest, into buf. */
static const char *strip_digest(const char *image, char *buf, size_t n)
{
	const char *at = strchr(image, '@');
	if (!at)
		return image;
	snprintf(buf, n, "%.*s", (int)(at - image), image);
	return buf;
}

static cJSON *container_of(const cJSON *spec)
{
	return get(get(spec, "TaskTemplate"), "ContainerSpec");
}

static int set_image(cJSON *spec, const char *image)
{
	cJSON *cs = container_of(spec), *s = cJSON_CreateString(image);
	if (!s || !cs || !cJSON_ReplaceItemInObjectCaseSensitive(cs, "Image", s)) {
		cJSON_Delete(s);
		return cs ? -1 : 0;
	}
	return 0;
}

/* docker/cli's deployServices before ServiceUpdate, on body: the running
 * image when the file's image string (the com.docker.stack.image label) is
 * the one deployed last, unless --resolve-image always; the running
 * ForceUpdate. Returns 1 when the registry is asked for the image's digest
 * at deploy (QueryRegistry), else 0; -1 out of memory. */
static int cli_merges(cJSON *body, const cJSON *live_spec, enum c2s_resolve_image resolve)
{
	const char *want_label = get_str(get(body, "Labels"), IMAGE_LABEL);
	const char *live_label = get_str(get(live_spec, "Labels"), IMAGE_LABEL);
	const char *live_image = get_str(container_of(live_spec), "Image");
	int query = resolve == C2S_RESOLVE_ALWAYS || (resolve == C2S_RESOLVE_CHANGED && !streq(want_label, live_label));
	if (!query && streq(want_label, live_label) && live_image && set_image(body, live_image) != 0)
		return -1;
	cJSON *tt = get(body, "TaskTemplate");
	const cJSON *fu = get(get(live_spec, "TaskTemplate"), "ForceUpdate");
	if (tt) {
		cJSON *v = cJSON_CreateNumber(cJSON_IsNumber(fu) ? fu->valuedouble : 0);
		if (!v || !(get(tt, "ForceUpdate") ? cJSON_ReplaceItemInObjectCaseSensitive(tt, "ForceUpdate", v)
						   : cJSON_AddItemToObject(tt, "ForceUpdate", v))) {
			cJSON_Delete(v);
			return -1;
		}
	}
	return query;
}

/* With the registry asked at deploy, the image gets the digest the tag names
 * then, and Placement.Platforms the image's platforms (vendor client
 * service_create.go imageDigestAndPlatforms); when the registry cannot be
 * reached it stays as written. The plan cannot know which: it takes the
 * running image and platforms when the running image is this one, pinned or
 * not, and says so. Returns 2 when it took a pinned image, 1 an unpinned one,
 * 0 when the image changes; -1 out of memory. */
static int assume_same_digest(cJSON *want, const cJSON *live_spec)
{
	const char *wi = get_str(container_of(want), "Image");
	const char *li = get_str(container_of(live_spec), "Image");
	char lbuf[1024];
	if (!wi || !li || !streq(strip_digest(li, lbuf, sizeof lbuf), wi))
		return 0;
	int pinned = strchr(li, '@') != NULL;
	if (set_image(want, li) != 0)
		return -1;
	return pinned ? 2 : 1;
}

/* The registry sets Placement.Platforms with the digest: the plan takes the
 * running ones (it cannot know the image's). 0; -1 out of memory. */
static int assume_same_platforms(cJSON *want, const cJSON *live_spec)
{
	const cJSON *lp = get(get(get(live_spec, "TaskTemplate"), "Placement"), "Platforms");
	cJSON *wpl = get(get(want, "TaskTemplate"), "Placement");
	if (!cJSON_IsObject(wpl))
		return 0;
	cJSON_DeleteItemFromObjectCaseSensitive(wpl, "Platforms");
	cJSON *dup = lp ? cJSON_Duplicate(lp, 1) : NULL;
	if (lp && (!dup || !cJSON_AddItemToObject(wpl, "Platforms", dup))) {
		cJSON_Delete(dup);
		return -1;
	}
	return 0;
}

/* docker/cli resolves a service's secret (and config) references through a
 * Go map (cli/command/service/parse.go ParseSecrets, ParseConfigs) and then
 * sorts them stably by name (cli/compose/convert/service.go): two references
 * to one secret, with different targets, come out in a random order on each
 * deploy. When the running list is the wanted one but for the order within
 * such ties, the plan takes the running order. Returns 1 when want has a tie
 * (the deploy may reorder it: an update that replaces the tasks), 0 when not,
 * -1 out of memory. */
static int settle_ties(cJSON *want_cs, const cJSON *live_cs, const char *list, const char *namekey)
{
	cJSON *w = get(want_cs, list);
	const cJSON *l = get(live_cs, list);
	int n = cJSON_GetArraySize(w), tie = 0;
	if (!cJSON_IsArray(w) || n < 2)
		return 0;
	for (int i = 1; i < n; i++)
		tie |= streq(get_str(cJSON_GetArrayItem(w, i - 1), namekey), get_str(cJSON_GetArrayItem(w, i), namekey));
	if (!tie || !cJSON_IsArray(l) || cJSON_GetArraySize(l) != n)
		return tie;
	/* same names in the same places, and each wanted element somewhere in its run */
	for (int i = 0; i < n; i++) {
		const cJSON *wi = cJSON_GetArrayItem(w, i), *li = cJSON_GetArrayItem(l, i);
		if (!streq(get_str(wi, namekey), get_str(li, namekey)))
			return tie;
		int found = 0;
		for (int j = 0; j < n && !found; j++) {
			const cJSON *lj = cJSON_GetArrayItem(l, j);
			found = streq(get_str(lj, namekey), get_str(wi, namekey)) &&
				c2s_plan_json_same(wi, lj, "TaskTemplate.ContainerSpec.Secrets");
		}
		if (!found)
			return tie;
	}
	cJSON *copy = cJSON_Duplicate(l, 1);
	if (!copy || !cJSON_ReplaceItemInObjectCaseSensitive(want_cs, list, copy)) {
		cJSON_Delete(copy);
		return -1;
	}
	return tie;
}

/* Which mode a ServiceSpec.Mode names. */
static const char *mode_name(const cJSON *spec)
{
	const cJSON *m = get(spec, "Mode");
	static const char *const modes[] = {"Global", "GlobalJob", "ReplicatedJob", "Replicated"};
	for (size_t i = 0; i < 4; i++)
		if (cJSON_IsObject(get(m, modes[i])))
			return modes[i];
	return "Replicated";
}

static const char *mode_word(const char *m)
{
	return strcmp(m, "Global") == 0 ? "global" : strcmp(m, "GlobalJob") == 0 ? "global-job"
		: strcmp(m, "ReplicatedJob") == 0 ? "replicated-job" : "replicated";
}

/* ---- the kinds ---- */

struct cmp {
	const struct c2s_plan_state *st;
	const struct c2s_plan_compare_options *o;
	struct c2s_plan_result *out;
	struct ids_ctx ids;
	struct index live[C2S_PLAN_NOBJECT_KINDS]; /* the stack's own objects */
	struct index tasks, nodes;
};

static const cJSON *desired_list(const cJSON *desired, int kind)
{
	static const char *const keys[] = {"networks", "secrets", "configs", "services"};
	return get(desired, keys[kind]);
}

/* Objects of the stack the files do not have: kept (services: deleted with --prune). */
static int leftovers(struct cmp *x, const cJSON *desired, int kind)
{
	const struct index *ix = &x->live[kind];
	struct index want = {NULL, 0};
	const cJSON *d;
	if (!ix->n)
		return 0;
	want.v = malloc(((size_t)cJSON_GetArraySize(desired_list(desired, kind)) + 1) * sizeof *want.v);
	if (!want.v)
		return -1;
	cJSON_ArrayForEach(d, desired_list(desired, kind))
		if (get_str(d, "Name"))
			want.v[want.n++] = (struct named){get_str(d, "Name"), d};
	qsort(want.v, want.n, sizeof *want.v, named_cmp);
	for (size_t i = 0; i < ix->n; i++) {
		if (lookup(&want, ix->v[i].name))
			continue;
		int del = kind == C2S_PLAN_SERVICE && x->o->prune;
		struct c2s_plan_change *c = add_change(x->out, kind, del ? C2S_PLAN_DELETE : C2S_PLAN_UNCHANGED,
						       ix->v[i].name);
		if (!c || set_live(c, ix->v[i].obj, kind) != 0 ||
		    (!del && say(c, kind == C2S_PLAN_SERVICE
					  ? "Not in the files: kept (docker stack deploy --prune removes it)."
					  : "Not in the files: kept (docker stack deploy removes only services).") != 0)) {
			free(want.v);
			return -1;
		}
	}
	free(want.v);
	return 0;
}

static int plan_networks(struct cmp *x, const cJSON *desired)
{
	const cJSON *d;
	cJSON_ArrayForEach(d, desired_list(desired, C2S_PLAN_NETWORK)) {
		const char *name = get_str(d, "Name");
		if (!name)
			continue;
		const cJSON *l = lookup(&x->live[C2S_PLAN_NETWORK], name);
		struct c2s_plan_change *c = add_change(x->out, C2S_PLAN_NETWORK, l ? C2S_PLAN_UNCHANGED : C2S_PLAN_CREATE,
						       name);
		if (!c)
			return -1;
		if (!l) {
			if (!(c->body = cJSON_Duplicate(d, 1)))
				return -1;
			continue;
		}
		if (set_live(c, l, C2S_PLAN_NETWORK) != 0)
			return -1;
		/* docker stack deploy never updates a network: say what differs */
		const char *wd = get_str(d, "Driver"), *ld = get_str(l, "Driver");
		char diffs[512] = "";
		size_t n = 0;
		if (wd && *wd && !streq(wd, ld))
			n += (size_t)snprintf(diffs + n, sizeof diffs - n, " driver %s, not %s;", ld ? ld : "?", wd);
		if (!c2s_plan_json_same(get(l, "Labels"), get(d, "Labels"), "Labels") && n < sizeof diffs)
			n += (size_t)snprintf(diffs + n, sizeof diffs - n, " other labels;");
		if (cJSON_IsTrue(get(d, "Internal")) != cJSON_IsTrue(get(l, "Internal")) && n < sizeof diffs)
			n += (size_t)snprintf(diffs + n, sizeof diffs - n, " internal %s;",
					      cJSON_IsTrue(get(l, "Internal")) ? "true" : "false");
		if (cJSON_IsTrue(get(d, "Attachable")) != cJSON_IsTrue(get(l, "Attachable")) && n < sizeof diffs)
			n += (size_t)snprintf(diffs + n, sizeof diffs - n, " attachable %s;",
					      cJSON_IsTrue(get(l, "Attachable")) ? "true" : "false");
		const cJSON *opt;
		cJSON_ArrayForEach(opt, get(d, "Options"))
			if (n < sizeof diffs && !streq(get_str(get(l, "Options"), opt->string), opt->valuestring))
				n += (size_t)snprintf(diffs + n, sizeof diffs - n, " option %s differs;", opt->string);
		if (n && n < sizeof diffs) {
			diffs[n - 1] = '\0';
			if (say(c, "The swarm's network differs from the file (%s), but docker stack deploy never updates a "
				   "network: remove it (docker stack rm) to apply the file.",
				diffs + 1) != 0)
				return -1;
		}
	}
	return leftovers(x, desired, C2S_PLAN_NETWORK);
}

/* Secrets and configs: created, or updated where swarmkit allows (labels). */
static int plan_objects(struct cmp *x, const cJSON *desired, int kind)
{
	const char *word = kind == C2S_PLAN_SECRET ? "secret" : "config";
	const cJSON *d;
	cJSON_ArrayForEach(d, desired_list(desired, kind)) {
		const char *name = get_str(d, "Name");
		if (!name)
			continue;
		const cJSON *l = lookup(&x->live[kind], name);
		struct c2s_plan_change *c = add_change(x->out, kind, l ? C2S_PLAN_UNCHANGED : C2S_PLAN_CREATE, name);
		if (!c || !(c->body = cJSON_Duplicate(d, 1)))
			return -1;
		if (!l)
			continue;
		if (set_live(c, l, kind) != 0)
			return -1;
		const cJSON *spec = get(l, "Spec");
		char prefix[512];
		snprintf(prefix, sizeof prefix, "%ss.%s", word, file_key(x->o->stack, name));
		/* label by label, as for services */
		cJSON *lw = cJSON_CreateObject(), *ll = cJSON_CreateObject();
		cJSON *a = get(spec, "Labels") ? cJSON_Duplicate(get(spec, "Labels"), 1) : NULL;
		cJSON *b = get(d, "Labels") ? cJSON_Duplicate(get(d, "Labels"), 1) : NULL;
		int bad = !lw || !ll || (get(spec, "Labels") && !a) || (get(d, "Labels") && !b);
		if (!bad) {
			if (a)
				cJSON_AddItemToObject(ll, "Labels", a);
			if (b)
				cJSON_AddItemToObject(lw, "Labels", b);
			a = b = NULL;
			bad = diff_specs(c, NULL, ll, lw) != 0;
		}
		cJSON_Delete(a);
		cJSON_Delete(b);
		cJSON_Delete(lw);
		cJSON_Delete(ll);
		if (bad)
			return -1;
		for (size_t i = 0; i < c->nfields; i++) {
			/* Labels.KEY is labels.KEY under the object's key in the file */
			free(c->fields[i].compose);
			if (!(c->fields[i].compose = join(prefix, "labels")) ||
			    !(c->fields[i].compose = append_key(c->fields[i].compose, c->fields[i].api + 7)))
				return -1;
		}
		if (c->nfields)
			c->action = C2S_PLAN_UPDATE;
		const char *wdata = get_str(d, "Data"), *ldata = get_str(spec, "Data");
		if (kind == C2S_PLAN_CONFIG && wdata && !streq(wdata, ldata)) {
			c->action = C2S_PLAN_FAIL;
			if (say(c, "Its data changed under the same name: swarm refuses (\"only updates to Labels are "
				   "allowed\") and docker stack deploy stops there, before any service is updated. Give "
				   "the changed config a new name (name: in the file).") != 0)
				return -1;
		} else if (kind == C2S_PLAN_SECRET && wdata) {
			if (say(c, "The Engine API never returns a secret's data: if %s changed since it was "
				   "created, swarm refuses the update (\"only updates to Labels are allowed\") and "
				   "docker stack deploy stops there. Give a changed secret a new name.",
				"its file") != 0)
				return -1;
		}
		const cJSON *wdrv = get(d, "Driver"), *wtpl = get(d, "Templating");
		if ((wdrv && !c2s_plan_json_same(get(spec, "Driver"), wdrv, "Driver")) ||
		    (wtpl && !c2s_plan_json_same(get(spec, "Templating"), wtpl, "Templating")))
			if (say(c, "Its driver or template driver differs from the file, but an update changes only "
				   "the labels: the %s keeps the old one.",
				word) != 0)
				return -1;
	}
	return leftovers(x, desired, kind);
}

/* Live state with tasks and nodes: which running tasks of this service sit on
 * nodes that the new constraints no longer accept (swarmkit nodeMatches). */
static int placement_tasks(struct cmp *x, struct c2s_plan_change *c, const cJSON *live, const cJSON *want)
{
	const cJSON *cons = get(get(get(want, "TaskTemplate"), "Placement"), "Constraints");
	const char *sid = get_str(live, "ID");
	struct c2s_constraints cs;
	if (c2s_constraints_parse(&cs, cons) != 0)
		return 1; /* a constraint swarm cannot parse is refused at deploy (controlapi validatePlacement): "may" */
	int any = 0;
	for (size_t i = 0; i < x->tasks.n; i++) {
		const cJSON *t = x->tasks.v[i].obj;
		const char *ds = get_str(t, "DesiredState");
		if (!streq(get_str(t, "ServiceID"), sid) || !(streq(ds, "running") || streq(ds, "ready")))
			continue;
		const cJSON *node = lookup(&x->nodes, get_str(t, "NodeID") ? get_str(t, "NodeID") : "");
		if (node && c2s_constraints_match(&cs, node))
			continue;
		char **v = realloc(c->tasks, (c->ntasks + 1) * sizeof *v);
		if (!v) {
			c2s_constraints_free(&cs);
			return -1;
		}
		c->tasks = v;
		if (!(c->tasks[c->ntasks] = strdup(x->tasks.v[i].name))) {
			c2s_constraints_free(&cs);
			return -1;
		}
		c->ntasks++;
		any = 1;
	}
	c2s_constraints_free(&cs);
	return any ? 2 : 0;
}

/* How many running tasks of the service live have a task spec other than
 * its current one (what a resumed update replaces: IsTaskDirty's spec half);
 * -1 when the tasks are not known, -2 out of memory. Both specs are
 * normalised alike: a service from `docker inspect` has defaults inserted,
 * its tasks have not. */
static int stale_tasks(const struct cmp *x, const cJSON *live, const cJSON *spec)
{
	if (!x->nodes.n || !(x->st->live || x->tasks.n))
		return -1;
	const char *sid = get_str(live, "ID");
	int interp = !x->st->live && c2s_plan_spec_interpolated(spec), n = 0;
	if (!cJSON_IsObject(get(spec, "TaskTemplate")))
		return 0;
	cJSON *want = cJSON_CreateObject(), *tt = cJSON_Duplicate(get(spec, "TaskTemplate"), 1);
	if (!want || !tt || !cJSON_AddItemToObject(want, "TaskTemplate", tt)) {
		cJSON_Delete(want);
		cJSON_Delete(tt); /* not attached */
		return -2;
	}
	if (c2s_plan_normalise_service(want, NULL, x->o->api_version, interp) != 0) {
		cJSON_Delete(want);
		return -2;
	}
	for (size_t i = 0; i < x->tasks.n && n >= 0; i++) {
		const cJSON *t = x->tasks.v[i].obj;
		const char *ds = get_str(t, "DesiredState");
		if (!streq(get_str(t, "ServiceID"), sid) || !(streq(ds, "running") || streq(ds, "ready")) ||
		    !cJSON_IsObject(get(t, "Spec")))
			continue;
		cJSON *has = cJSON_CreateObject(), *ts = cJSON_Duplicate(get(t, "Spec"), 1);
		if (!has || !ts || !cJSON_AddItemToObject(has, "TaskTemplate", ts)) {
			cJSON_Delete(has);
			cJSON_Delete(ts); /* not attached */
			n = -2;
			break;
		}
		if (c2s_plan_normalise_service(has, NULL, x->o->api_version, interp) != 0) {
			cJSON_Delete(has);
			n = -2;
			break;
		}
		if (!c2s_plan_json_same(get(has, "TaskTemplate"), get(want, "TaskTemplate"), "TaskTemplate"))
			n++;
		cJSON_Delete(has);
	}
	cJSON_Delete(want);
	return n;
}

static int plan_service(struct cmp *x, const cJSON *d)
{
	const char *name = get_str(d, "Name");
	if (!name)
		return 0;
	const cJSON *l = lookup(&x->live[C2S_PLAN_SERVICE], name);
	struct c2s_plan_change *c = add_change(x->out, C2S_PLAN_SERVICE, l ? C2S_PLAN_UNCHANGED : C2S_PLAN_CREATE, name);
	if (!c || !(c->body = cJSON_Duplicate(d, 1)))
		return -1;
	if (!l)
		return 0;
	if (set_live(c, l, C2S_PLAN_SERVICE) != 0)
		return -1;
	const cJSON *spec = get(l, "Spec");
	int query = cli_merges(c->body, spec, x->o->resolve_image);
	if (query < 0)
		return -1;
	char prefix[512];
	snprintf(prefix, sizeof prefix, "services.%s", file_key(x->o->stack, name));
	const char *lm = mode_name(spec), *wm = mode_name(c->body);
	if (strcmp(lm, wm) != 0) {
		c->action = C2S_PLAN_FAIL;
		return add_field(c, join(prefix, "deploy.mode"), "Mode", get(spec, "Mode"), get(c->body, "Mode"), C2S_REPLACES_NO) ||
			       say(c, "The service is %s and the file makes it %s: swarm refuses (\"service mode "
				      "change is not allowed\"). Remove the service first (docker service rm %s).",
				   mode_word(lm), mode_word(wm), name)
			   ? -1
			   : 0;
	}
	cJSON *want = cJSON_Duplicate(c->body, 1);
	if (!want)
		return -1;
	x->ids.live_spec = spec;
	struct c2s_plan_ids ids = {net_id, secret_id, config_id, &x->ids};
	int r = c2s_plan_normalise_service(want, &ids, x->o->api_version, !x->st->live && c2s_plan_spec_interpolated(spec));
	if (r == 0)
		r = match_unknown_networks(&x->ids, get(want, "TaskTemplate"), get(spec, "TaskTemplate"));
	int pinned = 0, ties = 0;
	if (r == 0 && query && ((pinned = assume_same_digest(want, spec)) < 0 || assume_same_platforms(want, spec) != 0))
		r = -1;
	if (r == 0) {
		int t1 = settle_ties(container_of(want), container_of(spec), "Secrets", "SecretName");
		int t2 = settle_ties(container_of(want), container_of(spec), "Configs", "ConfigName");
		if (t1 < 0 || t2 < 0)
			r = -1;
		ties = t1 > 0 || t2 > 0;
	}
	if (r == 0)
		r = diff_specs(c, prefix, spec, want);
	cJSON_Delete(want);
	if (r != 0)
		return -1;
	if (query) {
		const char *img = get_str(container_of(c->body), "Image");
		const char *how = x->o->resolve_image == C2S_RESOLVE_ALWAYS ? "always" : "changed";
		if (!img)
			img = "the image";
		if (pinned == 2)
			r = say(c, "--resolve-image %s: docker asks the registry for %s's digest; this plan assumes it "
				   "is still the running one (if not, the tasks are replaced).",
				how, img);
		else if (pinned == 1)
			r = say(c, "--resolve-image %s: docker asks the registry for %s's digest; the running image has "
				   "none, and this plan assumes the registry still gives none (if it does, the tasks are "
				   "replaced).",
				how, img);
		else
			r = say(c, "--resolve-image %s: docker pins %s to the digest the registry gives at deploy.", how,
				img);
		if (r != 0)
			return -1;
	}
	if (ties && say(c, "It names one secret or config twice (two targets): docker orders those references at "
			   "random on every deploy, so any deploy may update this service and replace its tasks, "
			   "changed or not; this plan compares them in any order.") != 0)
		return -1;
	/* A job runs again on every update, whatever changed: swarmkit's
	 * UpdateService raises its JobIteration (manager/controlapi/service.go)
	 * and the job orchestrators start tasks of the new iteration and remove
	 * those of the old (manager/orchestrator/jobs). docker stack deploy
	 * updates every service it deploys, changed or not. */
	int job = strcmp(wm, "ReplicatedJob") == 0 || strcmp(wm, "GlobalJob") == 0;
	const char *rerun = c->nfields ? "so its tasks are replaced whatever changed"
				       : "so the deploy runs it again though nothing changed";
	if (job && say(c, "A job: swarm runs it again on every update of the service (a new JobIteration), and "
			  "docker stack deploy updates every service it deploys, %s.", rerun) != 0)
		return -1;
	/* A rolling update (or rollback) that paused on a failed task stays
	 * paused until the service is updated again; docker stack deploy always
	 * updates it, which clears UpdateStatus (swarmkit controlapi
	 * UpdateService), and the updater then replaces every running task
	 * still on another spec (manager/orchestrator/update/updater.go): tasks
	 * may be replaced though the spec does not change. */
	const char *ustate = get_str(get(l, "UpdateStatus"), "State");
	int paused = streq(ustate, "paused") || streq(ustate, "rollback_paused");
	int stale = paused ? stale_tasks(x, l, spec) : 0;
	if (stale < -1)
		return -1;
	const char *what = streq(ustate, "paused") ? "update" : "rollback";
	if (stale > 0 && say(c, "Its %s is paused (%s): docker stack deploy updates the service, which resumes it, "
				"and the %d running task%s it had not reached yet %s replaced%s.",
			     what, ustate, stale, stale == 1 ? "" : "s", stale == 1 ? "is" : "are",
			     c->nfields ? "" : ", though nothing changed") != 0)
		return -1;
	if (stale == 0 && paused && say(c, "Its %s is paused (%s): docker stack deploy updates the service, which "
					   "resumes it, but every running task has the current spec already.",
					what, ustate) != 0)
		return -1;
	if (stale < 0 && say(c, "Its %s is paused (%s): docker stack deploy updates the service, which resumes it, "
				"and replaces the running tasks it had not reached yet, if any (plan against the swarm, "
				"or add its tasks and nodes to --state, to know).",
			     what, ustate) != 0)
		return -1;
	/* against the daemon, an unknown answer is asked again with the tasks
	 * (c2s_live_compare reads them for a "may") */
	int ask = stale < 0 && x->st->live;
	if (!c->nfields && stale <= 0 && !ask)
		return 0;
	c->action = C2S_PLAN_UPDATE;
	enum c2s_plan_replaces rep = stale > 0 ? C2S_REPLACES_YES : stale < 0 ? C2S_REPLACES_MAY : C2S_REPLACES_NO;
	for (size_t i = 0; i < c->nfields; i++) {
		struct c2s_plan_field *f = &c->fields[i];
		if (job)
			f->replaces = C2S_REPLACES_YES;
		if (f->replaces == C2S_REPLACES_YES)
			rep = C2S_REPLACES_YES;
		else if (f->replaces == C2S_REPLACES_MAY && rep == C2S_REPLACES_NO)
			rep = C2S_REPLACES_MAY;
		if (strcmp(f->api, "TaskTemplate.Networks") == 0) {
			name_networks(&x->ids, f->before);
			name_networks(&x->ids, f->after);
		}
	}
	if (rep == C2S_REPLACES_MAY && x->nodes.n && (x->st->live || x->tasks.n)) {
		/* only placement changed: the tasks whose node no longer matches */
		cJSON *w = cJSON_Duplicate(c->body, 1);
		int t = w ? placement_tasks(x, c, l, w) : -1;
		cJSON_Delete(w);
		if (t < 0)
			return -1;
		rep = t == 2 ? C2S_REPLACES_YES : t == 0 ? C2S_REPLACES_NO : C2S_REPLACES_MAY;
		for (size_t i = 0; i < c->nfields; i++)
			if (c->fields[i].replaces == C2S_REPLACES_MAY)
				c->fields[i].replaces = rep;
		if (rep == C2S_REPLACES_YES &&
		    say(c, "%zu task%s on nodes the new constraints exclude %s replaced.", c->ntasks,
			c->ntasks == 1 ? "" : "s", c->ntasks == 1 ? "is" : "are") != 0)
			return -1;
	} else if (rep == C2S_REPLACES_MAY) {
		if (say(c, "Only the placement constraints change: tasks on nodes that no longer match are replaced "
			   "(plan against the swarm, or add its tasks and nodes to --state, to know which).") != 0)
			return -1;
	}
	c->replaces_tasks = rep;
	return 0;
}

static int change_cmp(const void *a, const void *b)
{
	const struct c2s_plan_change *x = a, *y = b;
	if (x->kind != y->kind)
		return (int)x->kind - (int)y->kind;
	return strcmp(x->name, y->name);
}

int c2s_plan_compare(const cJSON *desired, const struct c2s_plan_state *st,
		     const struct c2s_plan_compare_options *o, struct c2s_plan_result *out)
{
	struct cmp x;
	int r = -1;
	memset(&x, 0, sizeof x);
	memset(out, 0, sizeof *out);
	x.st = st;
	x.o = o;
	x.out = out;
	if (!(out->stack = strdup(o->stack)))
		return -1;
	for (int k = 0; k < C2S_PLAN_NOBJECT_KINDS; k++)
		if (index_kind(st, k, o->stack, &x.live[k]) != 0)
			goto done;
	if (index_kind(st, C2S_PLAN_NETWORK, NULL, &x.ids.nets) != 0 ||
	    index_kind(st, C2S_PLAN_SECRET, NULL, &x.ids.secrets) != 0 ||
	    index_kind(st, C2S_PLAN_CONFIG, NULL, &x.ids.configs) != 0 || index_kind(st, C2S_PLAN_TASK, NULL, &x.tasks) != 0 ||
	    index_kind(st, C2S_PLAN_NODE, NULL, &x.nodes) != 0)
		goto done;
	for (size_t i = 0; i < st->nrefusals; i++) {
		struct c2s_plan_change *c = add_change(out, st->refusals[i].kind, C2S_PLAN_FAIL, st->refusals[i].name);
		if (!c || say(c, "%s: docker stack deploy stops before it changes anything.", st->refusals[i].message) != 0)
			goto done;
	}
	if (plan_networks(&x, desired) != 0 || plan_objects(&x, desired, C2S_PLAN_SECRET) != 0 ||
	    plan_objects(&x, desired, C2S_PLAN_CONFIG) != 0)
		goto done;
	const cJSON *d;
	cJSON_ArrayForEach(d, desired_list(desired, C2S_PLAN_SERVICE))
		if (plan_service(&x, d) != 0)
			goto done;
	if (leftovers(&x, desired, C2S_PLAN_SERVICE) != 0)
		goto done;
	qsort(out->changes, out->n, sizeof *out->changes, change_cmp);
	for (size_t i = 0; i < out->n; i++) {
		out->count[out->changes[i].action]++;
		if (out->changes[i].action == C2S_PLAN_UPDATE && out->changes[i].replaces_tasks != C2S_REPLACES_NO)
			out->replacing++;
	}
	r = 0;
done:
	for (int k = 0; k < C2S_PLAN_NOBJECT_KINDS; k++)
		free(x.live[k].v);
	free(x.ids.nets.v);
	free(x.ids.secrets.v);
	free(x.ids.configs.v);
	free(x.tasks.v);
	free(x.nodes.v);
	return r;
}
