/* plan_norm.c -- a ServiceSpec as a swarm manager stores and returns it.
 *
 * `docker stack deploy` posts a body; the daemon decodes it into its Go types,
 * converts it to swarmkit's protobuf spec (moby daemon/cluster/convert
 * ServiceSpecToGRPC, container.go containerToGRPC), stores it, and converts it
 * back for `GET /services` (serviceSpecFromGRPC). That round trip fills
 * defaults (Runtime "container", Isolation "default", restart condition
 * "any", endpoint mode "vip", port protocol "tcp" and publish mode "ingress",
 * update FailureAction "pause" and Order "stop-first", one replica), drops
 * what swarmkit has no field for (a mount's Consistency, bind options without
 * a propagation) or what the daemon's API version does not know, and names
 * networks by ID (daemon/cluster/networks.go populateNetworkID). `docker
 * inspect` asks for more (insertDefaults=true: swarmkit api/defaults
 * InterpolateService): a stop grace period of 10s, an empty DNSConfig,
 * restart delay 5s, default update and rollback configs. Each was found by
 * deploying files with the docker CLI on a real swarm and reading what it
 * stores (scripts/plan-corpus.sh, tests/golden/plan). */
#include "config.h"
#include "plan.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static cJSON *get(const cJSON *o, const char *k)
{
	return o ? cJSON_GetObjectItemCaseSensitive(o, k) : NULL;
}

static const char *get_str(const cJSON *o, const char *k)
{
	const cJSON *v = get(o, k);
	return cJSON_IsString(v) ? v->valuestring : NULL;
}

/* Set o[k] to a string (replacing any value). 0; -1 out of memory. */
static int set_str(cJSON *o, const char *k, const char *s)
{
	cJSON *v = cJSON_CreateString(s);
	if (!v)
		return -1;
	if (get(o, k))
		return cJSON_ReplaceItemInObjectCaseSensitive(o, k, v) ? 0 : (cJSON_Delete(v), -1);
	return cJSON_AddItemToObject(o, k, v) ? 0 : (cJSON_Delete(v), -1);
}

static int set_num(cJSON *o, const char *k, double d)
{
	cJSON *v = cJSON_CreateNumber(d);
	if (!v)
		return -1;
	if (get(o, k))
		return cJSON_ReplaceItemInObjectCaseSensitive(o, k, v) ? 0 : (cJSON_Delete(v), -1);
	return cJSON_AddItemToObject(o, k, v) ? 0 : (cJSON_Delete(v), -1);
}

/* o[k] as an object, made empty when absent or null. NULL: out of memory. */
static cJSON *ensure_obj(cJSON *o, const char *k)
{
	cJSON *v = get(o, k);
	if (cJSON_IsObject(v))
		return v;
	cJSON *n = cJSON_CreateObject();
	if (!n)
		return NULL;
	if (v ? !cJSON_ReplaceItemInObjectCaseSensitive(o, k, n) : !cJSON_AddItemToObject(o, k, n)) {
		cJSON_Delete(n);
		return NULL;
	}
	return n;
}

static int is_null(const cJSON *v)
{
	return !v || cJSON_IsNull(v);
}

/* Remove every key of o that is not in keep (NULL-ended). */
static void keep_only(cJSON *o, const char *const *keep)
{
	cJSON *c = o ? o->child : NULL;
	while (c) {
		cJSON *next = c->next;
		int found = 0;
		for (size_t i = 0; keep[i] && !found; i++)
			found = c->string && strcmp(c->string, keep[i]) == 0;
		if (!found)
			cJSON_Delete(cJSON_DetachItemViaPointer(o, c));
		c = next;
	}
}

static void lower(char *s)
{
	for (; *s; s++)
		*s = (char)tolower((unsigned char)*s);
}

/* "1.41" >= "1.44"? Versions are MAJOR.MINOR with numbers. */
static int api_at_least(const char *v, int major, int minor)
{
	int a = 0, b = 0;
	if (!v || sscanf(v, "%d.%d", &a, &b) != 2)
		return 1; /* unknown: the newest */
	return a > major || (a == major && b >= minor);
}

/* Replace a string value by its lower-case form, or by dflt when empty or absent. */
static int lower_or(cJSON *o, const char *k, const char *dflt)
{
	const char *s = get_str(o, k);
	if (!s || !*s)
		return dflt ? set_str(o, k, dflt) : 0;
	char *t = strdup(s);
	if (!t)
		return -1;
	lower(t);
	int r = set_str(o, k, t);
	free(t);
	return r;
}

static int norm_mount(cJSON *m, const char *api_version)
{
	static const char *const mount_keys[] = {"Type", "Source", "Target", "ReadOnly", "BindOptions",
						 "VolumeOptions", "TmpfsOptions", NULL};
	static const char *const vol_old[] = {"NoCopy", "Labels", "DriverConfig", NULL};
	static const char *const vol_new[] = {"NoCopy", "Labels", "DriverConfig", "Subpath", NULL};
	static const char *const tmpfs_keys[] = {"SizeBytes", "Mode", NULL};
	static const char *const tmpfs_new[] = {"SizeBytes", "Mode", "Options", NULL};
	static const char *const drv_keys[] = {"Name", "Options", NULL};
	keep_only(m, mount_keys); /* Consistency: swarmkit has no such field */
	if (lower_or(m, "Type", NULL) != 0)
		return -1;
	cJSON *b = get(m, "BindOptions");
	if (cJSON_IsObject(b)) {
		/* swarmkit keeps a propagation it knows, and NonRecursive (with
		 * rprivate, propagation's zero); nothing else survives */
		const char *p = get_str(b, "Propagation");
		int nonrec = cJSON_IsTrue(get(b, "NonRecursive"));
		char prop[32] = "";
		if (p && *p) {
			snprintf(prop, sizeof prop, "%s", p);
			lower(prop);
			static const char *const known[] = {"rprivate", "private", "rshared", "shared", "rslave", "slave"};
			int ok = 0;
			for (size_t i = 0; i < sizeof known / sizeof known[0]; i++)
				ok |= strcmp(prop, known[i]) == 0;
			if (!ok)
				prop[0] = '\0';
		}
		if (!prop[0] && !nonrec) {
			cJSON_DeleteItemFromObjectCaseSensitive(m, "BindOptions");
		} else {
			cJSON *nb = cJSON_CreateObject();
			if (!nb || !cJSON_AddStringToObject(nb, "Propagation", prop[0] ? prop : "rprivate") ||
			    (nonrec && !cJSON_AddTrueToObject(nb, "NonRecursive"))) {
				cJSON_Delete(nb);
				return -1;
			}
			if (!cJSON_ReplaceItemInObjectCaseSensitive(m, "BindOptions", nb)) {
				cJSON_Delete(nb);
				return -1;
			}
		}
	} else if (b) {
		cJSON_DeleteItemFromObjectCaseSensitive(m, "BindOptions");
	}
	cJSON *v = get(m, "VolumeOptions");
	if (cJSON_IsObject(v)) {
		/* Subpath came with API 1.45 (docker 26.0); an older daemon drops it */
		keep_only(v, api_at_least(api_version, 1, 45) ? vol_new : vol_old);
		cJSON *d = get(v, "DriverConfig");
		if (cJSON_IsObject(d))
			keep_only(d, drv_keys);
	}
	cJSON *t = get(m, "TmpfsOptions");
	if (cJSON_IsObject(t))
		keep_only(t, api_at_least(api_version, 1, 46) ? tmpfs_new : tmpfs_keys);
	return 0;
}

/* The references of a container spec to secrets or configs: each ID is the
 * one the daemon has under that name (docker/cli looks them up by name). */
static int fill_ids(cJSON *refs, const char *idkey, const char *namekey,
		    const char *(*lookup)(void *, const char *), void *ctx)
{
	cJSON *r;
	cJSON_ArrayForEach(r, refs) {
		const char *name = get_str(r, namekey);
		const char *id = name && lookup ? lookup(ctx, name) : NULL;
		if (id && set_str(r, idkey, id) != 0)
			return -1;
	}
	return 0;
}

static int norm_container(cJSON *cs, const struct c2s_plan_ids *ids, const char *api_version)
{
	/* isolationToGRPC: hyperv and process are kept, anything else is the default */
	const char *iso = get_str(cs, "Isolation");
	char isol[16] = "";
	if (iso) {
		snprintf(isol, sizeof isol, "%s", iso);
		lower(isol);
	}
	if (set_str(cs, "Isolation", strcmp(isol, "hyperv") == 0 || strcmp(isol, "process") == 0 ? isol : "default") != 0)
		return -1;
	cJSON *m;
	cJSON_ArrayForEach(m, get(cs, "Mounts"))
		if (cJSON_IsObject(m) && norm_mount(m, api_version) != 0)
			return -1;
	cJSON *hc = get(cs, "Healthcheck");
	if (cJSON_IsObject(hc) && !api_at_least(api_version, 1, 44))
		cJSON_DeleteItemFromObjectCaseSensitive(hc, "StartInterval");
	cJSON *priv = get(cs, "Privileges");
	if (cJSON_IsObject(priv)) {
		static const char *const old[] = {"CredentialSpec", "SELinuxContext", NULL};
		static const char *const new[] = {"CredentialSpec", "SELinuxContext", "NoNewPrivileges", "Seccomp",
						  "AppArmor", NULL};
		keep_only(priv, api_at_least(api_version, 1, 44) ? new : old);
	}
	/* the daemon of API < 1.46 has no OomScoreAdj for services */
	if (!api_at_least(api_version, 1, 46))
		cJSON_DeleteItemFromObjectCaseSensitive(cs, "OomScoreAdj");
	if (ids && (fill_ids(get(cs, "Secrets"), "SecretID", "SecretName", ids->secret, ids->ctx) != 0 ||
		    fill_ids(get(cs, "Configs"), "ConfigID", "ConfigName", ids->config, ids->ctx) != 0))
		return -1;
	/* credential_spec.config names a config; docker sends that config's ID */
	cJSON *cred = get(priv, "CredentialSpec");
	if (cJSON_IsObject(cred) && get_str(cred, "Config") && !*get_str(cred, "Config")) {
		cJSON *c;
		cJSON_ArrayForEach(c, get(cs, "Configs")) {
			const char *cid = get_str(c, "ConfigID");
			if (get(c, "Runtime") && cid && *cid && set_str(cred, "Config", cid) != 0)
				return -1;
		}
	}
	return 0;
}

static int norm_update_config(cJSON *u)
{
	if (!cJSON_IsObject(u))
		return 0;
	/* updateConfigToGRPC: "" is pause and stop-first; a zero Monitor is not stored */
	if (lower_or(u, "FailureAction", "pause") != 0 || lower_or(u, "Order", "stop-first") != 0)
		return -1;
	cJSON *mon = get(u, "Monitor");
	if (cJSON_IsNumber(mon) && mon->valuedouble == 0)
		cJSON_DeleteItemFromObjectCaseSensitive(u, "Monitor");
	return 0;
}

static int norm_endpoint(cJSON *ep)
{
	if (!cJSON_IsObject(ep))
		return 0;
	if (lower_or(ep, "Mode", "vip") != 0)
		return -1;
	cJSON *p;
	cJSON_ArrayForEach(p, get(ep, "Ports")) {
		/* unknown protocols and modes become the enums' zeros: tcp, ingress */
		const char *proto = get_str(p, "Protocol");
		const char *mode = get_str(p, "PublishMode");
		char buf[16] = "";
		snprintf(buf, sizeof buf, "%s", proto ? proto : "");
		lower(buf);
		if (set_str(p, "Protocol", strcmp(buf, "udp") == 0 || strcmp(buf, "sctp") == 0 ? buf : "tcp") != 0)
			return -1;
		snprintf(buf, sizeof buf, "%s", mode ? mode : "");
		lower(buf);
		if (set_str(p, "PublishMode", strcmp(buf, "host") == 0 ? "host" : "ingress") != 0)
			return -1;
	}
	return 0;
}

static int norm_mode(cJSON *spec)
{
	cJSON *mode = ensure_obj(spec, "Mode");
	if (!mode)
		return -1;
	cJSON *r;
	if (cJSON_IsObject(get(mode, "Global")) || cJSON_IsObject(get(mode, "GlobalJob")))
		return 0;
	if (cJSON_IsObject(r = get(mode, "ReplicatedJob"))) {
		cJSON *mc = get(r, "MaxConcurrent");
		double m = cJSON_IsNumber(mc) ? mc->valuedouble : 1;
		if (!cJSON_IsNumber(mc) && set_num(r, "MaxConcurrent", m) != 0)
			return -1;
		if (!cJSON_IsNumber(get(r, "TotalCompletions")) && set_num(r, "TotalCompletions", m) != 0)
			return -1;
		return 0;
	}
	if (!(r = ensure_obj(mode, "Replicated")))
		return -1;
	if (!cJSON_IsNumber(get(r, "Replicas")) && set_num(r, "Replicas", 1) != 0)
		return -1;
	return 0;
}

/* swarmkit's InterpolateService, in the Engine API's terms. */
static int interpolate(cJSON *spec)
{
	cJSON *tt = ensure_obj(spec, "TaskTemplate"), *cs = get(tt, "ContainerSpec"), *rp;
	if (!tt)
		return -1;
	if (cJSON_IsObject(cs)) {
		if (is_null(get(cs, "StopGracePeriod")) && set_num(cs, "StopGracePeriod", 10e9) != 0)
			return -1;
		if (!ensure_obj(cs, "DNSConfig"))
			return -1;
	}
	if (!ensure_obj(tt, "Resources") || !ensure_obj(tt, "Placement"))
		return -1;
	if (is_null(rp = get(tt, "RestartPolicy"))) {
		if (!(rp = ensure_obj(tt, "RestartPolicy")) || set_str(rp, "Condition", "any") != 0 ||
		    set_num(rp, "MaxAttempts", 0) != 0)
			return -1;
	}
	if (is_null(get(rp, "Delay")) && set_num(rp, "Delay", 5e9) != 0)
		return -1;
	static const char *const cfgs[] = {"UpdateConfig", "RollbackConfig"};
	for (size_t i = 0; i < 2; i++) {
		cJSON *u = get(spec, cfgs[i]);
		if (is_null(u)) {
			if (!(u = ensure_obj(spec, cfgs[i])) || set_num(u, "Parallelism", 1) != 0 ||
			    set_str(u, "FailureAction", "pause") != 0 || set_num(u, "MaxFailureRatio", 0) != 0 ||
			    set_str(u, "Order", "stop-first") != 0)
				return -1;
		}
		cJSON *mon = get(u, "Monitor");
		if ((is_null(mon) || (cJSON_IsNumber(mon) && mon->valuedouble == 0)) && set_num(u, "Monitor", 5e9) != 0)
			return -1;
	}
	return 0;
}

int c2s_plan_normalise_service(cJSON *spec, const struct c2s_plan_ids *ids, const char *api_version,
			       int interpolated)
{
	if (!cJSON_IsObject(spec))
		return 0;
	cJSON *tt = ensure_obj(spec, "TaskTemplate");
	if (!tt)
		return -1;
	cJSON *cs = get(tt, "ContainerSpec");
	if (cJSON_IsObject(cs)) {
		const char *rt = get_str(tt, "Runtime");
		if ((!rt || !*rt) && set_str(tt, "Runtime", "container") != 0)
			return -1;
		if (norm_container(cs, ids, api_version) != 0)
			return -1;
	}
	cJSON *rp = get(tt, "RestartPolicy");
	if (cJSON_IsObject(rp)) {
		/* restartPolicyFromGRPC: the condition is one of three; MaxAttempts always comes back */
		if (lower_or(rp, "Condition", "any") != 0)
			return -1;
		if (!cJSON_IsNumber(get(rp, "MaxAttempts")) && set_num(rp, "MaxAttempts", 0) != 0)
			return -1;
	}
	cJSON *pl = get(tt, "Placement");
	if (cJSON_IsObject(pl)) {
		/* only spread preferences exist in swarmkit */
		cJSON *prefs = get(pl, "Preferences"), *p = prefs ? prefs->child : NULL;
		while (p) {
			cJSON *next = p->next;
			if (!cJSON_IsObject(get(p, "Spread")))
				cJSON_Delete(cJSON_DetachItemViaPointer(prefs, p));
			p = next;
		}
	}
	cJSON *n;
	cJSON_ArrayForEach(n, get(tt, "Networks")) {
		const char *target = get_str(n, "Target");
		const char *id = target && ids && ids->network ? ids->network(ids->ctx, target) : NULL;
		if (id && set_str(n, "Target", id) != 0)
			return -1;
	}
	if (norm_mode(spec) != 0 || norm_update_config(get(spec, "UpdateConfig")) != 0 ||
	    norm_update_config(get(spec, "RollbackConfig")) != 0 || norm_endpoint(get(spec, "EndpointSpec")) != 0)
		return -1;
	return interpolated ? interpolate(spec) : 0;
}

static int is_empty(const cJSON *v);

int c2s_plan_spec_interpolated(const cJSON *spec)
{
	const cJSON *tt = get(spec, "TaskTemplate"), *cs = get(tt, "ContainerSpec");
	/* every one of these is set when defaults were inserted; a Monitor of
	 * zero is never stored, so both Monitors tell most files apart */
	if (is_empty(get(get(spec, "UpdateConfig"), "Monitor")) || is_empty(get(get(spec, "RollbackConfig"), "Monitor")) ||
	    is_null(get(get(tt, "RestartPolicy"), "Delay")) || is_null(get(tt, "Placement")) ||
	    is_null(get(tt, "Resources")))
		return 0;
	if (cJSON_IsObject(cs) && (is_null(get(cs, "StopGracePeriod")) || is_null(get(cs, "DNSConfig"))))
		return 0;
	return 1;
}

/* ---- equality as the daemon stores values ---- */

/* Keys whose value is a map: an empty one is no map at all. */
static int is_map_key(const char *k)
{
	return k && (strcmp(k, "Labels") == 0 || strcmp(k, "Options") == 0 || strcmp(k, "Sysctls") == 0 ||
		     strcmp(k, "DriverOpts") == 0);
}

/* Scalars the daemon keeps behind a pointer: absent is not zero. */
static int is_pointer_path(const char *path)
{
	static const char *const ptr[] = {
		"TaskTemplate.ContainerSpec.Init",
		"TaskTemplate.ContainerSpec.StopGracePeriod",
		"TaskTemplate.RestartPolicy.Delay",
		"TaskTemplate.RestartPolicy.Window",
		"Mode.Replicated.Replicas",
		"Mode.ReplicatedJob.MaxConcurrent",
		"Mode.ReplicatedJob.TotalCompletions",
		NULL,
	};
	for (size_t i = 0; ptr[i]; i++)
		if (strcmp(path, ptr[i]) == 0)
			return 1;
	return 0;
}

static int is_empty(const cJSON *v)
{
	if (!v || cJSON_IsNull(v) || cJSON_IsFalse(v))
		return 1;
	if (cJSON_IsNumber(v))
		return v->valuedouble == 0;
	if (cJSON_IsString(v))
		return !v->valuestring || !*v->valuestring;
	if (cJSON_IsArray(v) || cJSON_IsObject(v))
		return v->child == NULL;
	return 0;
}

static const char *last_key(const char *path)
{
	const char *dot = strrchr(path, '.');
	return dot ? dot + 1 : path;
}

/* a absent or null, against b: the same when b is empty too, unless the daemon
 * keeps b behind a pointer (a struct, or a pointer scalar). */
static int same_as_absent(const cJSON *b, const char *path)
{
	if (is_null(b))
		return 1;
	if (cJSON_IsObject(b))
		return is_map_key(last_key(path)) && b->child == NULL;
	if (is_pointer_path(path))
		return 0;
	return is_empty(b);
}

static int same(const cJSON *a, const cJSON *b, char *path, size_t len, size_t cap);

static int same_child(const cJSON *a, const cJSON *b, const char *key, char *path, size_t len, size_t cap)
{
	size_t kn = strlen(key);
	if (len + kn + 2 >= cap)
		return cJSON_Compare(a, b, 1); /* too deep to name: exact */
	size_t nl = len;
	if (len)
		path[nl++] = '.';
	memcpy(path + nl, key, kn + 1);
	int r = same(a, b, path, nl + kn, cap);
	path[len] = '\0';
	return r;
}

static int same(const cJSON *a, const cJSON *b, char *path, size_t len, size_t cap)
{
	if (is_null(a))
		return same_as_absent(b, path);
	if (is_null(b))
		return same_as_absent(a, path);
	if (cJSON_IsObject(a) && cJSON_IsObject(b)) {
		for (const cJSON *c = a->child; c; c = c->next)
			if (c->string && !same_child(c, get(b, c->string), c->string, path, len, cap))
				return 0;
		for (const cJSON *c = b->child; c; c = c->next)
			if (c->string && !get(a, c->string) && !same_child(NULL, c, c->string, path, len, cap))
				return 0;
		return 1;
	}
	if (cJSON_IsArray(a) && cJSON_IsArray(b)) {
		const cJSON *x = a->child, *y = b->child;
		for (; x && y; x = x->next, y = y->next)
			if (!same(x, y, path, len, cap))
				return 0;
		return !x && !y;
	}
	if (cJSON_IsBool(a) && cJSON_IsBool(b))
		return cJSON_IsTrue(a) == cJSON_IsTrue(b);
	if (cJSON_IsNumber(a) && cJSON_IsNumber(b))
		return a->valuedouble == b->valuedouble;
	if (cJSON_IsString(a) && cJSON_IsString(b))
		return strcmp(a->valuestring, b->valuestring) == 0;
	/* different types: an empty list and an empty map are both nothing */
	return is_empty(a) && is_empty(b) && !is_pointer_path(path) && !cJSON_IsObject(a) == !cJSON_IsObject(b);
}

/* Longest API path we name; deeper values compare exactly. */
#define PLAN_PATH_MAX 512

int c2s_plan_json_same(const cJSON *a, const cJSON *b, const char *path)
{
	char buf[PLAN_PATH_MAX];
	size_t n = strlen(path);
	if (n >= sizeof buf)
		return cJSON_Compare(a, b, 1);
	memcpy(buf, path, n + 1);
	return same(a, b, buf, n, sizeof buf);
}

/* ---- where the file writes each field ---- */

struct compose_map {
	const char *api;     /* API path, or a prefix of it */
	const char *compose; /* under services.KEY; NULL: no key writes it */
};

/* Longest prefix wins; what follows it is appended in the file's spelling
 * (snake_case): Healthcheck.StartPeriod is healthcheck.start_period. */
static const struct compose_map service_map[] = {
	{"Labels", "deploy.labels"},
	{"Labels.com.docker.stack.image", "image"},
	{"Labels.com.docker.stack.namespace", NULL},
	{"TaskTemplate.ContainerSpec.Labels.com.docker.stack.namespace", NULL},
	{"Name", NULL},
	{"TaskTemplate.ContainerSpec.Image", "image"},
	{"TaskTemplate.ContainerSpec.Labels", "labels"},
	{"TaskTemplate.ContainerSpec.Command", "entrypoint"},
	{"TaskTemplate.ContainerSpec.Args", "command"},
	{"TaskTemplate.ContainerSpec.Hostname", "hostname"},
	{"TaskTemplate.ContainerSpec.Env", "environment"},
	{"TaskTemplate.ContainerSpec.Dir", "working_dir"},
	{"TaskTemplate.ContainerSpec.User", "user"},
	{"TaskTemplate.ContainerSpec.Groups", NULL},
	{"TaskTemplate.ContainerSpec.StopSignal", "stop_signal"},
	{"TaskTemplate.ContainerSpec.TTY", "tty"},
	{"TaskTemplate.ContainerSpec.OpenStdin", "stdin_open"},
	{"TaskTemplate.ContainerSpec.ReadOnly", "read_only"},
	{"TaskTemplate.ContainerSpec.Mounts", "volumes"},
	{"TaskTemplate.ContainerSpec.StopGracePeriod", "stop_grace_period"},
	{"TaskTemplate.ContainerSpec.Healthcheck", "healthcheck"},
	{"TaskTemplate.ContainerSpec.Hosts", "extra_hosts"},
	{"TaskTemplate.ContainerSpec.DNSConfig", "dns"},
	{"TaskTemplate.ContainerSpec.DNSConfig.Nameservers", "dns"},
	{"TaskTemplate.ContainerSpec.DNSConfig.Search", "dns_search"},
	{"TaskTemplate.ContainerSpec.DNSConfig.Options", NULL},
	{"TaskTemplate.ContainerSpec.Secrets", "secrets"},
	{"TaskTemplate.ContainerSpec.Configs", "configs"},
	{"TaskTemplate.ContainerSpec.Privileges", "credential_spec"},
	{"TaskTemplate.ContainerSpec.Privileges.CredentialSpec", "credential_spec"},
	{"TaskTemplate.ContainerSpec.Isolation", "isolation"},
	{"TaskTemplate.ContainerSpec.Init", "init"},
	{"TaskTemplate.ContainerSpec.Sysctls", "sysctls"},
	{"TaskTemplate.ContainerSpec.CapabilityAdd", "cap_add"},
	{"TaskTemplate.ContainerSpec.CapabilityDrop", "cap_drop"},
	{"TaskTemplate.ContainerSpec.Ulimits", "ulimits"},
	{"TaskTemplate.ContainerSpec", NULL},
	{"TaskTemplate.Resources", "deploy.resources"},
	{"TaskTemplate.Resources.Limits.NanoCPUs", "deploy.resources.limits.cpus"},
	{"TaskTemplate.Resources.Limits.MemoryBytes", "deploy.resources.limits.memory"},
	{"TaskTemplate.Resources.Reservations.NanoCPUs", "deploy.resources.reservations.cpus"},
	{"TaskTemplate.Resources.Reservations.MemoryBytes", "deploy.resources.reservations.memory"},
	{"TaskTemplate.RestartPolicy", "deploy.restart_policy"},
	{"TaskTemplate.Placement", "deploy.placement"},
	{"TaskTemplate.Placement.MaxReplicas", "deploy.placement.max_replicas_per_node"},
	{"TaskTemplate.Placement.Platforms", NULL},
	{"TaskTemplate.Networks", "networks"},
	{"TaskTemplate.LogDriver", "logging"},
	{"TaskTemplate.LogDriver.Name", "logging.driver"},
	{"TaskTemplate.LogDriver.Options", "logging.options"},
	{"TaskTemplate", NULL},
	{"Mode", "deploy.mode"},
	{"Mode.Replicated.Replicas", "deploy.replicas"},
	{"Mode.ReplicatedJob", "deploy.replicas"},
	{"UpdateConfig", "deploy.update_config"},
	{"RollbackConfig", "deploy.rollback_config"},
	{"EndpointSpec", "ports"},
	{"EndpointSpec.Mode", "deploy.endpoint_mode"},
	{"EndpointSpec.Ports", "ports"},
};

/* Append key in snake_case (MaxFailureRatio -> max_failure_ratio). */
static void snake(char *out, size_t *n, size_t cap, const char *k, size_t kn)
{
	for (size_t i = 0; i < kn && *n + 2 < cap; i++) {
		unsigned char c = (unsigned char)k[i];
		if (isupper(c) && i > 0 && !isupper((unsigned char)k[i - 1]))
			out[(*n)++] = '_';
		out[(*n)++] = (char)tolower(c);
	}
	out[*n] = '\0';
}

char *c2s_plan_compose_path(const char *prefix, const char *api)
{
	const struct compose_map *best = NULL;
	size_t bestn = 0, an = strlen(api);
	for (size_t i = 0; i < sizeof service_map / sizeof service_map[0]; i++) {
		size_t n = strlen(service_map[i].api);
		if (n <= an && strncmp(api, service_map[i].api, n) == 0 && (api[n] == '\0' || api[n] == '.') &&
		    n > bestn) {
			best = &service_map[i];
			bestn = n;
		}
	}
	if (!best || !best->compose)
		return NULL;
	size_t cap = strlen(prefix) + strlen(best->compose) + 2 * an + 4, n;
	char *out = malloc(cap);
	if (!out)
		return NULL;
	n = (size_t)snprintf(out, cap, "%s.%s", prefix, best->compose);
	/* a map's keys are the file's own: as they are */
	const char *last = strrchr(best->api, '.');
	last = last ? last + 1 : best->api;
	if (is_map_key(last) && api[bestn] == '.') {
		snprintf(out + n, cap - n, "%s", api + bestn);
		return out;
	}
	for (const char *p = api + bestn; *p == '.';) {
		const char *k = p + 1, *e = strchr(k, '.');
		size_t kn = e ? (size_t)(e - k) : strlen(k);
		out[n++] = '.';
		snake(out, &n, cap, k, kn);
		p = k + kn;
	}
	out[n] = '\0';
	return out;
}
