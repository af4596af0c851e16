/* migrate_translate.c -- every key of the merged project said the way docker stack deploy
 * reads it: keys swarm ignores dropped (with lint's reasons), restart and the container
 * resource keys moved under deploy, network_mode: host as swarm's host network, build as
 * the image swarm pulls, ports, env_file, tmpfs and value types in the v3 schema's form,
 * docker compose keys with no swarm meaning reported. Profiles are chosen first. */
#include "config.h"
#include "check.h"
#include "compose2swarm.h"
#include "migrate.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* ---- helpers ---- */

static int key_is(const struct mig_text *t, const struct c2s_node *k, const char *s)
{
	return c2s_scalar_is(&t->doc, k, s);
}

static struct c2s_str str_of(const struct mig_text *t, const struct c2s_node *n)
{
	return c2s_is_scalar(n) ? c2s_scalar(&t->doc, n) : (struct c2s_str){"", 0};
}

static int is_string(const struct mig_text *t, const struct c2s_node *n)
{
	struct c2s_value v;
	return c2s_is_scalar(n) && c2s_resolve(&t->doc, n, &v) == C2S_TYPE_STRING;
}

/* A short text of the service name for messages. */
#define SVC(t, k) (int)str_of(t, k).n, str_of(t, k).p

/* Adds made during the pass, freed after it (the ops refer to them). */
struct pass {
	struct mig *m;
	struct mig_text *t;
	struct mig_ops x;
	struct mig_add **adds;
	size_t nadds, capadds;
};

static struct mig_add *pass_add(struct pass *p)
{
	struct mig_add *a = mig_add_new();
	if (!a) {
		p->m->nomem = 1;
		return NULL;
	}
	if (p->nadds == p->capadds) {
		size_t cap = p->capadds ? p->capadds * 2 : 16;
		struct mig_add **v = realloc(p->adds, cap * sizeof *v);
		if (!v) {
			mig_add_free(a);
			p->m->nomem = 1;
			return NULL;
		}
		p->adds = v;
		p->capadds = cap;
	}
	p->adds[p->nadds++] = a;
	return a;
}

static int pass_finish(struct pass *p, int rc)
{
	if (rc == 0 && !p->m->nomem) {
		struct mig_text next;
		if (mig_ops_apply(&p->x, &next) != 0) {
			rc = -1;
		} else {
			mig_text_replace(p->t, &next);
		}
	} else {
		rc = -1;
	}
	mig_ops_free(&p->x);
	for (size_t i = 0; i < p->nadds; i++)
		mig_add_free(p->adds[i]);
	free(p->adds);
	return rc;
}

static void pass_init(struct pass *p, struct mig *m, struct mig_text *t)
{
	memset(p, 0, sizeof *p);
	p->m = m;
	p->t = t;
	mig_ops_init(&p->x, m, t);
}

/* The index of entry key k in mapping map (k from c2s_map_get). */
static uint32_t entry_index(const struct mig_text *t, const struct c2s_node *map, const struct c2s_node *k)
{
	for (uint32_t i = 0; i < c2s_count(map); i++)
		if (c2s_map_key(&t->doc, map, i) == k)
			return i;
	return 0;
}

/* ---- profiles (compose-go types.Project.WithProfiles, ServiceConfig.HasProfile) ---- */

static int profile_active(struct mig *m, struct c2s_str name)
{
	const char *const *v = m->o->profiles;
	size_t n = m->o->nprofiles;
	char envp[4096];
	const char *list[64];
	size_t nl = 0;
	if (!n) {
		size_t vl;
		const char *e = c2s_env_get(m->env, "COMPOSE_PROFILES", 16, &vl);
		if (e) {
			snprintf(envp, sizeof envp, "%s", e);
			char *s = envp;
			while (s && nl < 64) {
				char *c = strchr(s, ',');
				if (c)
					*c = '\0';
				while (*s == ' ' || *s == '\t')
					s++;
				size_t l = strlen(s);
				while (l && (s[l - 1] == ' ' || s[l - 1] == '\t'))
					s[--l] = '\0';
				list[nl++] = s;
				s = c ? c + 1 : NULL;
			}
			v = list;
			n = nl;
		}
	}
	for (size_t i = 0; i < n; i++)
		if (strcmp(v[i], "*") == 0 || (strlen(v[i]) == name.n && memcmp(v[i], name.p, name.n) == 0))
			return 1;
	return 0;
}

int mig_phase_profiles(struct mig *m, struct mig_text *t)
{
	const struct c2s_doc *d = &t->doc;
	const struct c2s_node *root = c2s_node_at(d, d->root);
	const struct c2s_node *svcs = c2s_map_get(d, root, "services", NULL);
	if (!c2s_is_mapping(svcs))
		return 0;
	struct pass p;
	pass_init(&p, m, t);
	for (uint32_t i = 0; i < c2s_count(svcs); i++) {
		const struct c2s_node *sk = c2s_map_key(d, svcs, i), *svc = c2s_map_value(d, svcs, i);
		const struct c2s_node *pk, *pv = c2s_map_get(d, svc, "profiles", &pk);
		if (!pv)
			continue;
		int has = 0, on = 0;
		char names[512];
		size_t at = 0;
		names[0] = '\0';
		for (uint32_t j = 0; c2s_is_sequence(pv) && j < c2s_count(pv); j++) {
			struct c2s_str s = str_of(t, c2s_seq_item(d, pv, j));
			has = 1;
			on |= profile_active(m, s);
			if (at + s.n + 4 < sizeof names)
				at += (size_t)snprintf(names + at, sizeof names - at, "%s%.*s", j ? ", " : "", (int)s.n, s.p);
		}
		if (has && !on) {
			/* the whole service goes: its lines (and comments inside it) */
			if (!mt_own(sk)) {
				mig_trouble(m, "%s: a service defined through an alias cannot be left out; please report this",
					    t->src.name);
				continue;
			}
			mig_op_drop(&p.x, svcs, i);
			struct c2s_diag *dg = mig_note_at(m, C2S_R_CS0103, MIG_TRANSLATED, t, sk,
				"service %.*s left out: its profiles (%s) are not active, so docker compose would not "
				"start it", SVC(t, sk), names);
			mig_hint(m, dg, "choose profiles with --profile NAME (or COMPOSE_PROFILES), as for docker compose up");
		} else {
			mig_op_drop(&p.x, svc, entry_index(t, svc, pk));
			mig_note_at(m, C2S_R_CS0103, MIG_TRANSLATED, t, pk,
				    "profiles dropped from service %.*s: %s; docker stack has no profiles, the service "
				    "is in the stack", SVC(t, sk), has ? "a profile of it is active" : "none listed");
		}
	}
	return pass_finish(&p, 0);
}

/* ---- the keys swarm ignores (lint's CS5xxx/CS6xxx rules) ---- */

struct ignored {
	const char *key;
	enum c2s_rule_index rule;
	const char *why;
};

static const struct ignored ignored_keys[] = {
	{"container_name", C2S_R_CS5101,
	 "swarm names each task STACK_SERVICE.SLOT.ID (docker stack deploy: \"Setting the container name is not "
	 "supported.\"); other services reach this one by its service name"},
	{"links", C2S_R_CS5008,
	 "docker stack deploy ignores it; services on a shared network reach each other by service name"},
	{"external_links", C2S_R_CS5006,
	 "docker stack deploy ignores it; attach the service to the other stack's network (external) instead"},
	{"expose", C2S_R_CS5102,
	 "services on the same network reach each other on every port (docker stack deploy: \"Exposing ports is "
	 "unnecessary\")"},
	{"cgroupns_mode", C2S_R_CS5002, "docker stack deploy ignores it: tasks get the daemon's cgroup namespace mode"},
	{"cgroup_parent", C2S_R_CS5003, "docker stack deploy ignores it: set the parent cgroup on each daemon"},
	{"devices", C2S_R_CS5004, "docker stack deploy ignores it: swarm services cannot map host devices"},
	{"domainname", C2S_R_CS5005, "docker stack deploy ignores it: give a fully qualified hostname: instead"},
	{"ipc", C2S_R_CS5007, "docker stack deploy ignores it: every task gets its own IPC namespace"},
	{"mac_address", C2S_R_CS5009, "docker stack deploy ignores it: swarm assigns the addresses of its tasks"},
	{"pid", C2S_R_CS5011, "docker stack deploy ignores it: every task gets its own PID namespace"},
	{"privileged", C2S_R_CS5012,
	 "docker stack deploy ignores it: swarm services cannot be privileged; grant the capabilities needed with "
	 "cap_add"},
	{"security_opt", C2S_R_CS5014, "docker stack deploy ignores it: swarm services take no security options"},
	{"shm_size", C2S_R_CS5015,
	 "docker stack deploy ignores it: mount a tmpfs on /dev/shm instead (volumes: type: tmpfs)"},
	{"userns_mode", C2S_R_CS5016, "docker stack deploy ignores it: user namespaces are a daemon setting"},
	{"oom_score_adj", C2S_R_CS6003, "docker stack deploy loses it while loading the file: no task gets it"},
};

/* docker compose keys with no v3 meaning: dropped (or needs-you), with a reason. */
struct compose_only {
	const char *key;
	int kind;
	const char *why;
};

static const struct compose_only compose_keys[] = {
	{"annotations", MIG_DROPPED, "write them as labels (container labels) or deploy.labels"},
	{"attach", MIG_DROPPED, "attach only concerns docker compose up's log output"},
	{"blkio_config", MIG_DROPPED, "swarm services have no block-IO limits"},
	{"cgroup", MIG_DROPPED, "swarm services have no cgroup namespace setting: each task gets the engine's default"},
	{"cpu_count", MIG_DROPPED, "swarm has no CPU count; deploy.resources.limits.cpus limits CPU time"},
	{"cpu_percent", MIG_DROPPED, "swarm has no CPU percent; deploy.resources.limits.cpus limits CPU time"},
	{"cpu_period", MIG_DROPPED, "swarm has no CPU period; deploy.resources.limits.cpus limits CPU time"},
	{"cpu_quota", MIG_DROPPED, "swarm has no CPU quota; deploy.resources.limits.cpus limits CPU time"},
	{"cpu_shares", MIG_DROPPED, "swarm has no CPU shares; deploy.resources.reservations.cpus reserves CPU"},
	{"cpuset", MIG_DROPPED, "swarm services cannot be pinned to CPUs"},
	{"cpu_rt_period", MIG_DROPPED, "swarm services have no realtime CPU settings"},
	{"cpu_rt_runtime", MIG_DROPPED, "swarm services have no realtime CPU settings"},
	{"develop", MIG_DROPPED, "develop (watch) is a docker compose feature"},
	{"device_cgroup_rules", MIG_DROPPED, "swarm services cannot be given device cgroup rules"},
	{"dns_opt", MIG_DROPPED, "the v3 file format has no dns_opt"},
	{"gpus", MIG_NEEDS_YOU,
	 "swarm reserves GPUs as generic resources the nodes advertise: deploy.resources.reservations."
	 "generic_resources"},
	{"group_add", MIG_DROPPED, "the v3 file format has no group_add; set the groups in the image"},
	{"label_file", MIG_NEEDS_YOU, "write the file's labels under labels:"},
	{"memswap_limit", MIG_DROPPED, "swarm services have no swap limit"},
	{"mem_swappiness", MIG_DROPPED, "swarm services have no swappiness setting"},
	{"models", MIG_NEEDS_YOU, "models are a docker compose feature swarm has no equivalent for"},
	{"oom_kill_disable", MIG_DROPPED, "swarm services cannot disable the OOM killer"},
	{"platform", MIG_DROPPED,
	 "swarm runs the image variant of each node's platform; to keep the service on such nodes add "
	 "deploy.placement.constraints: [node.platform.arch == x86_64] (or aarch64...)"},
	{"post_start", MIG_DROPPED, "lifecycle hooks are a docker compose feature; run the step in the entrypoint"},
	{"pre_start", MIG_DROPPED, "lifecycle hooks are a docker compose feature; run the step in the entrypoint"},
	{"pre_stop", MIG_DROPPED, "lifecycle hooks are a docker compose feature; handle the stop signal in the process"},
	{"provider", MIG_NEEDS_YOU, "providers are a docker compose feature swarm has no equivalent for"},
	{"pull_policy", MIG_DROPPED, "docker stack deploy resolves images itself (its --resolve-image option)"},
	{"pull_refresh_after", MIG_DROPPED, "docker stack deploy resolves images itself (its --resolve-image option)"},
	{"runtime", MIG_DROPPED, "swarm services cannot choose a runtime"},
	{"storage_opt", MIG_DROPPED, "swarm services have no storage options"},
	{"use_api_socket", MIG_DROPPED, "mount the docker socket as a bind volume instead"},
	{"uts", MIG_DROPPED, "swarm services have no UTS mode"},
	{"volumes_from", MIG_NEEDS_YOU,
	 "docker stack deploy refuses it: define the volume under the top-level volumes: and mount it in each "
	 "service that shares it"},
	{"volume_driver", MIG_NEEDS_YOU,
	 "docker stack deploy refuses it: define a volume under the top-level volumes: with the driver there"},
};

/* ---- one service ---- */

struct svc {
	struct pass *p;
	const struct c2s_node *key, *map;
	struct mig_add *add;
	const struct c2s_node *deploy;
};

/* The value at a path of mapping keys under the service ("deploy", "resources"...). */
static const struct c2s_node *svc_get(const struct svc *s, const char *a, const char *b, const char *c,
				      const char *e)
{
	const struct c2s_doc *d = &s->p->t->doc;
	const struct c2s_node *n = s->map;
	const char *path[] = {a, b, c, e};
	for (int i = 0; i < 4 && path[i] && n; i++)
		n = c2s_is_mapping(n) ? c2s_map_get(d, n, path[i], NULL) : NULL;
	return n;
}

static void drop_key(struct svc *s, const struct c2s_node *map, const struct c2s_node *k)
{
	mig_op_drop(&s->p->x, map, entry_index(s->p->t, map, k));
}

static void add_leaf_text(struct svc *s, const char *path, const char *text)
{
	struct mig_out *o = mig_add_leaf(s->add, path);
	if (o)
		mo_str(o, text);
}

/* restart: as docker stack deploy reads it when deploy.restart_policy is absent
 * (cli/compose/convert/service.go convertRestartPolicy), said as swarm's policy. */
static void tr_restart(struct svc *s, const struct c2s_node *k, const struct c2s_node *v)
{
	struct mig *m = s->p->m;
	const struct mig_text *t = s->p->t;
	struct c2s_str r = str_of(t, v);
	drop_key(s, s->map, k);
	if (svc_get(s, "deploy", "restart_policy", NULL, NULL)) {
		mig_note_at(m, C2S_R_CS5013, MIG_DROPPED, t, k,
			    "restart dropped from service %.*s: its deploy.restart_policy is what swarm uses", SVC(t, s->key));
		return;
	}
	const char *cond = NULL;
	long long attempts = -1;
	if (c2s_str_eq(r, "no") || mt_is_null(t, v)) {
		cond = "none";
	} else if (c2s_str_eq(r, "always") || c2s_str_eq(r, "unless-stopped")) {
		cond = "any";
	} else if (r.n >= 10 && memcmp(r.p, "on-failure", 10) == 0) {
		cond = "on-failure";
		if (r.n > 11 && r.p[10] == ':') {
			const char *why;
			if (c2s_go_atoi(r.p + 11, r.n - 11, &attempts, &why) != 0 || attempts < 0)
				cond = NULL;
		} else if (r.n != 10) {
			cond = NULL;
		}
	}
	if (!cond) {
		struct c2s_diag *dg = mig_note_at(m, C2S_R_CS5013, MIG_NEEDS_YOU, t, v,
			"restart: \"%.*s\" of service %.*s is no policy docker compose knows", (int)r.n, r.p, SVC(t, s->key));
		mig_hint(m, dg, "write deploy.restart_policy.condition: none, on-failure or any");
		return;
	}
	add_leaf_text(s, "deploy.restart_policy.condition", cond);
	mig_add_from(s->add, "deploy.restart_policy.condition", t, k->start);
	if (attempts >= 0) {
		struct mig_out *o = mig_add_leaf(s->add, "deploy.restart_policy.max_attempts");
		if (o)
			mo_printf(o, "%lld", attempts);
		mig_add_from(s->add, "deploy.restart_policy.max_attempts", t, k->start);
	}
	struct c2s_diag *dg = mig_note_at(m, C2S_R_CS5013, MIG_TRANSLATED, t, k,
		"restart: %.*s of service %.*s as deploy.restart_policy.condition: %s%s", (int)r.n, r.p, SVC(t, s->key),
		cond, attempts >= 0 ? " with max_attempts" : "");
	if (strcmp(cond, "none") == 0)
		mig_hint(m, dg, "docker stack deploy would have sent no policy for \"no\", and swarm restarts such tasks");
}

/* mem_limit, mem_reservation, cpus, pids_limit as deploy.resources (only where unset there). */
static void tr_resource(struct svc *s, const struct c2s_node *k, const struct c2s_node *v, const char *where,
			const char *field, int want_string)
{
	struct mig *m = s->p->m;
	const struct mig_text *t = s->p->t;
	drop_key(s, s->map, k);
	struct c2s_str key = str_of(t, k);
	if (svc_get(s, "deploy", "resources", where, field)) {
		mig_note_at(m, C2S_R_CS0104, MIG_DROPPED, t, k,
			    "%.*s dropped from service %.*s: deploy.resources.%s.%s is set and wins", (int)key.n, key.p,
			    SVC(t, s->key), where, field);
		return;
	}
	char path[128];
	snprintf(path, sizeof path, "deploy.resources.%s.%s", where, field);
	struct mig_out *o = mig_add_leaf(s->add, path);
	if (!o)
		return;
	struct c2s_str val = str_of(t, v);
	if (!c2s_is_scalar(v) || mt_is_null(t, v)) {
		mig_note_at(m, C2S_R_CS0104, MIG_NEEDS_YOU, t, v, "%.*s of service %.*s has no value", (int)key.n, key.p,
			    SVC(t, s->key));
		return;
	}
	mo_scalar(o, val.p, val.n, want_string, 1);
	mig_add_from(s->add, path, t, k->start);
	mig_note_at(m, C2S_R_CS0104, MIG_TRANSLATED, t, k, "%.*s of service %.*s as deploy.resources.%s.%s",
		    (int)key.n, key.p, SVC(t, s->key), where, field);
}

/* network_mode: host joins swarm's host network; others need the user. */
static void tr_network_mode(struct svc *s, const struct c2s_node *k, const struct c2s_node *v, struct mig_add *root)
{
	struct mig *m = s->p->m;
	const struct mig_text *t = s->p->t;
	struct c2s_str r = str_of(t, v);
	if (c2s_str_eq(r, "host")) {
		drop_key(s, s->map, k);
		if (svc_get(s, "networks", NULL, NULL, NULL)) {
			struct c2s_diag *dg = mig_note_at(m, C2S_R_CS5010, MIG_NEEDS_YOU, t, k,
				"service %.*s has network_mode: host and networks:, which docker compose refuses together",
				SVC(t, s->key));
			mig_hint(m, dg, "keep one of them");
			return;
		}
		struct mig_out *o = mig_add_item(s->add, "networks");
		if (o)
			mo_str(o, "host");
		mig_add_from(s->add, "networks", t, k->start);
		/* the host network, declared once at the top level */
		const struct c2s_node *root_n = c2s_node_at(&t->doc, t->doc.root);
		const struct c2s_node *nets = c2s_map_get(&t->doc, root_n, "networks", NULL);
		const struct c2s_node *hn = c2s_map_get(&t->doc, nets, "host", NULL);
		if (!hn) {
			struct mig_out *e = mig_add_leaf(root, "networks.host.external");
			if (e)
				mo_str(e, "true");
			e = mig_add_leaf(root, "networks.host.name");
			if (e)
				mo_str(e, "host");
		}
		struct c2s_diag *dg = mig_note_at(m, C2S_R_CS5010, MIG_TRANSLATED, t, k,
			"network_mode: host of service %.*s as the swarm idiom: the service joins the network host, "
			"declared external with the name host", SVC(t, s->key));
		mig_hint(m, dg, "ports published in mode: ingress do not reach a task on the host network; publish them "
			 "with mode: host, or reach the service on the node's own addresses");
		return;
	}
	if (c2s_str_eq(r, "bridge") || c2s_str_eq(r, "default")) {
		drop_key(s, s->map, k);
		mig_note_at(m, C2S_R_CS5010, MIG_DROPPED, t, k,
			    "network_mode: %.*s dropped from service %.*s: on swarm it joins the stack's default overlay "
			    "network, which is what %.*s means for docker compose", (int)r.n, r.p, SVC(t, s->key),
			    (int)r.n, r.p);
		return;
	}
	if (c2s_str_eq(r, "none")) {
		/* swarmkit's predefined networks are bridge and host alone (cnmallocator PredefinedNetworks) */
		struct c2s_diag *dg = mig_note_at(m, C2S_R_CS5010, MIG_NEEDS_YOU, t, v,
			"network_mode: none of service %.*s has no swarm equivalent: swarm attaches every task to a "
			"network, and has no none network", SVC(t, s->key));
		mig_hint(m, dg, "remove network_mode if the service may have a network (it then joins the stack's "
			 "default network), or run it outside the stack");
		return;
	}
	struct c2s_diag *dg = mig_note_at(m, C2S_R_CS5010, MIG_NEEDS_YOU, t, v,
		"network_mode: %.*s of service %.*s has no swarm equivalent: a task cannot share another container's "
		"network namespace", (int)(r.n > 80 ? 80 : r.n), r.p, SVC(t, s->key));
	mig_hint(m, dg, "put both processes in one service (one image), or let them talk over a shared network "
		 "by service name");
}

/* build: with image, the build goes; without, --image-prefix names the image
 * docker compose would build (<project>-<service>, docker/compose api.GetImageNameOrDefault). */
static void tr_build(struct svc *s, const struct c2s_node *k)
{
	struct mig *m = s->p->m;
	const struct mig_text *t = s->p->t;
	const struct c2s_node *img = svc_get(s, "image", NULL, NULL, NULL);
	if (img && !mt_is_null(t, img) && str_of(t, img).n) {
		drop_key(s, s->map, k);
		struct c2s_str i = str_of(t, img);
		struct c2s_diag *dg = mig_note_at(m, C2S_R_CS5001, MIG_DROPPED, t, k,
			"build dropped from service %.*s: swarm never builds, it pulls image %.*s", SVC(t, s->key),
			(int)i.n, i.p);
		mig_hint(m, dg, "build and push it before deploying: docker compose build %.*s && docker compose push "
			 "%.*s", SVC(t, s->key), SVC(t, s->key));
		return;
	}
	if (!m->o->image_prefix) {
		struct c2s_diag *dg = mig_note_at(m, C2S_R_CS0105, MIG_NEEDS_YOU, t, k,
			"service %.*s has build: and no image:, and swarm never builds: it pulls an image", SVC(t, s->key));
		mig_hint(m, dg, "give it an image: (a registry the nodes can pull from), or run migrate with "
			 "--image-prefix REGISTRY/ to name it %s-%.*s there", m->project, SVC(t, s->key));
		return;
	}
	drop_key(s, s->map, k);
	char image[1024];
	struct c2s_str sn = str_of(t, s->key);
	snprintf(image, sizeof image, "%s%s-%.*s", m->o->image_prefix, m->project, (int)sn.n, sn.p);
	if (img) {
		/* image: null or "" (a variable that was not set): docker compose names the build */
		struct mig_out *o = mig_op_replace(&s->p->x, img);
		if (o)
			mo_scalar(o, image, strlen(image), 1, 0);
	} else {
		struct mig_out *o = mig_add_leaf(s->add, "image");
		if (o)
			mo_scalar(o, image, strlen(image), 1, 1);
		mig_add_from(s->add, "image", t, k->start);
	}
	struct c2s_diag *dg = mig_note_at(m, C2S_R_CS0105, MIG_TRANSLATED, t, k,
		"build of service %.*s as image: %s, the name docker compose gives the image it builds, after "
		"--image-prefix", SVC(t, s->key), image);
	mig_hint(m, dg, "build and push it before deploying: docker build -t %s CONTEXT && docker push %s "
		 "(or set image: %s in the compose file and run docker compose build && docker compose push)",
		 image, image, image);
}

/* service-level tmpfs as tmpfs mounts, which swarm has (docker stack deploy drops the key). */
static void tr_tmpfs(struct svc *s, const struct c2s_node *k, const struct c2s_node *v)
{
	struct mig *m = s->p->m;
	const struct mig_text *t = s->p->t;
	const struct c2s_doc *d = &t->doc;
	uint32_t n = c2s_is_sequence(v) ? c2s_count(v) : 1;
	drop_key(s, s->map, k);
	for (uint32_t i = 0; i < n; i++) {
		const struct c2s_node *it = c2s_is_sequence(v) ? c2s_seq_item(d, v, i) : v;
		struct c2s_str e = str_of(t, it);
		if (!e.n)
			continue;
		const char *colon = memchr(e.p, ':', e.n);
		size_t tn = colon ? (size_t)(colon - e.p) : e.n;
		struct mig_out *o = mig_add_item(s->add, "volumes");
		if (!o)
			return;
		mig_add_from(s->add, "volumes", t, k->start);
		mo_str(o, "{type: tmpfs, target: ");
		mo_scalar(o, e.p, tn, 1, 1);
		/* size=N among the options: tmpfs.size in bytes (file version 3.6) */
		const char *opts = colon ? colon + 1 : NULL;
		size_t on = colon ? e.n - tn - 1 : 0;
		int other = 0;
		while (opts && on) {
			const char *c = memchr(opts, ',', on);
			size_t l = c ? (size_t)(c - opts) : on;
			if (l > 5 && memcmp(opts, "size=", 5) == 0) {
				int64_t bytes;
				if (c2s_size_parse(opts + 5, l - 5, 0, &bytes, NULL, 0) == 0 && bytes >= 0)
					mo_printf(o, ", tmpfs: {size: %lld}", (long long)bytes);
				else
					other = 1;
			} else if (l) {
				other = 1;
			}
			opts = c ? c + 1 : NULL;
			on = c ? on - l - 1 : 0;
		}
		mo_str(o, "}");
		struct c2s_diag *dg = mig_note_at(m, C2S_R_CS6002, MIG_TRANSLATED, t, it,
			"tmpfs %.*s of service %.*s as a tmpfs mount under volumes: (docker stack deploy drops "
			"service-level tmpfs)", (int)tn, e.p, SVC(t, s->key));
		if (other)
			mig_hint(m, dg, "options other than size= (mode, uid...) have no place in a v3 tmpfs mount and "
				 "are dropped");
	}
}

/* depends_on: dropped, the conditions said in the report. */
static void tr_depends_on(struct svc *s, const struct c2s_node *k, const struct c2s_node *v)
{
	struct mig *m = s->p->m;
	const struct mig_text *t = s->p->t;
	const struct c2s_doc *d = &t->doc;
	char list[1024];
	size_t at = 0;
	int health = 0;
	list[0] = '\0';
	uint32_t n = c2s_is_mapping(v) || c2s_is_sequence(v) ? c2s_count(v) : 0;
	for (uint32_t i = 0; i < n && at + 100 < sizeof list; i++) {
		if (c2s_is_sequence(v)) {
			struct c2s_str e = str_of(t, c2s_seq_item(d, v, i));
			at += (size_t)snprintf(list + at, sizeof list - at, "%s%.*s", i ? ", " : "", (int)e.n, e.p);
		} else {
			struct c2s_str e = str_of(t, c2s_map_key(d, v, i));
			const struct c2s_node *c = c2s_map_get(d, c2s_map_value(d, v, i), "condition", NULL);
			struct c2s_str cs = c ? str_of(t, c) : (struct c2s_str){"service_started", 15};
			health |= c2s_str_eq(cs, "service_healthy");
			at += (size_t)snprintf(list + at, sizeof list - at, "%s%.*s (%.*s)", i ? ", " : "", (int)e.n, e.p,
					       (int)cs.n, cs.p);
		}
	}
	drop_key(s, s->map, k);
	struct c2s_diag *dg = mig_note_at(m, C2S_R_CS6001, MIG_DROPPED, t, k,
		"depends_on of service %.*s dropped: swarm starts every service at once, in no order; it waited for %s",
		SVC(t, s->key), list);
	mig_hint(m, dg, "%s", health ? "make the service retry until what it needs answers (or wait for it in the "
		 "entrypoint); give the services it needs a healthcheck so swarm replaces them when they fail"
		 : "make the service retry its connections (or wait in the entrypoint); restart_policy recovers a "
		 "task that exits early");
}

/* env_file: the long form's paths; a missing optional file dropped. */
static void tr_env_file(struct svc *s, const struct c2s_node *k, const struct c2s_node *v)
{
	struct mig *m = s->p->m;
	const struct mig_text *t = s->p->t;
	const struct c2s_doc *d = &t->doc;
	if (!c2s_is_sequence(v))
		return;
	uint32_t kept = 0, n = c2s_count(v);
	for (uint32_t i = 0; i < n; i++) {
		const struct c2s_node *it = c2s_seq_item(d, v, i);
		if (!c2s_is_mapping(it)) {
			kept++;
			continue;
		}
		const struct c2s_node *path = c2s_map_get(d, it, "path", NULL);
		const struct c2s_node *req = c2s_map_get(d, it, "required", NULL);
		struct c2s_value rv;
		int required = !(req && c2s_resolve(d, req, &rv) == C2S_TYPE_BOOL && !rv.boolean);
		struct c2s_str ps = str_of(t, path);
		char full[4096];
		if (ps.n && ps.p[0] == '/')
			snprintf(full, sizeof full, "%.*s", (int)ps.n, ps.p);
		else
			snprintf(full, sizeof full, "%s/%.*s", t->dir[0] ? t->dir : ".", (int)ps.n, ps.p);
		struct stat st;
		if (!required && stat(full, &st) != 0) {
			mig_op_drop_item(&s->p->x, v, i);
			mig_note_at(m, C2S_R_CS0104, MIG_DROPPED, t, it,
				    "env_file %.*s of service %.*s dropped: it is optional (required: false) and missing, "
				    "as docker compose skips it", (int)ps.n, ps.p, SVC(t, s->key));
			continue;
		}
		kept++;
		struct mig_out *o = mig_op_replace(&s->p->x, it);
		if (o)
			mo_scalar(o, ps.p, ps.n, 1, c2s_style(v) == C2S_STYLE_FLOW);
		mig_note_at(m, C2S_R_CS0104, MIG_TRANSLATED, t, it,
			    "env_file of service %.*s in docker compose's long form written as its path %.*s",
			    SVC(t, s->key), (int)ps.n, ps.p);
	}
	if (kept == 0 && n)
		drop_key(s, s->map, k);
}

/* Short port syntax [ip:][published:]target[/proto]: without its host IP. */
static int port_without_ip(const char *p, size_t n, char *out, size_t size, size_t *iplen)
{
	/* an IPv6 host IP is written in brackets */
	size_t i = 0;
	if (n && p[0] == '[') {
		const char *e = memchr(p, ']', n);
		if (!e || (size_t)(e - p) + 1 >= n || e[1] != ':')
			return 0;
		i = (size_t)(e - p) + 2;
	} else {
		int colons = 0;
		for (size_t j = 0; j < n && p[j] != '/'; j++)
			colons += p[j] == ':';
		if (colons < 2)
			return 0;
		const char *c = memchr(p, ':', n);
		i = (size_t)(c - p) + 1;
	}
	*iplen = i - 1;
	snprintf(out, size, "%.*s", (int)(n - i), p + i);
	return 1;
}

static void tr_ports(struct svc *s, const struct c2s_node *v)
{
	struct mig *m = s->p->m;
	const struct mig_text *t = s->p->t;
	const struct c2s_doc *d = &t->doc;
	if (!c2s_is_sequence(v))
		return;
	int flow = c2s_style(v) == C2S_STYLE_FLOW;
	for (uint32_t i = 0; i < c2s_count(v); i++) {
		const struct c2s_node *it = c2s_seq_item(d, v, i);
		if (is_string(t, it)) {
			struct c2s_str e = str_of(t, it);
			char nw[256];
			size_t iplen;
			/* --keep-variables: "${PORT:-8080}:80" is docker stack deploy's to substitute
			 * (the colon of :- is no host IP's); the self-check judges what it gets */
			if (m->o->keep_variables && memchr(e.p, '$', e.n))
				continue;
			if (e.n < 200 && port_without_ip(e.p, e.n, nw, sizeof nw, &iplen)) {
				struct mig_out *o = mig_op_replace(&s->p->x, it);
				if (o)
					mo_scalar_like(o, t, it, nw, strlen(nw), 1, flow);
				struct c2s_diag *dg = mig_note_at(m, C2S_R_CS8006, MIG_DROPPED, t, it,
					"host IP %.*s of port \"%.*s\" (service %.*s) dropped: swarm publishes a port on "
					"every address of every node", (int)iplen, e.p, (int)e.n, e.p, SVC(t, s->key));
				mig_hint(m, dg, "to keep a port off the public interfaces, firewall it on the nodes or do "
					 "not publish it (services on a shared network reach it anyway)");
			}
			continue;
		}
		if (!c2s_is_mapping(it))
			continue;
		for (uint32_t j = 0; j < c2s_count(it); j++) {
			const struct c2s_node *pk = c2s_map_key(d, it, j), *pv = c2s_map_value(d, it, j);
			if (key_is(t, pk, "host_ip")) {
				mig_op_drop(&s->p->x, it, j);
				struct c2s_str ip = str_of(t, pv);
				struct c2s_diag *dg = mig_note_at(m, C2S_R_CS8006, MIG_DROPPED, t, pk,
					"host_ip %.*s of a port of service %.*s dropped: swarm publishes a port on every "
					"address of every node", (int)ip.n, ip.p, SVC(t, s->key));
				mig_hint(m, dg, "to keep a port off the public interfaces, firewall it on the nodes");
			} else if (key_is(t, pk, "name") || key_is(t, pk, "app_protocol")) {
				mig_op_drop(&s->p->x, it, j);
				struct c2s_str kk = str_of(t, pk);
				mig_note_at(m, C2S_R_CS0106, MIG_DROPPED, t, pk,
					    "%.*s of a port of service %.*s dropped: a docker compose annotation swarm has no "
					    "place for", (int)kk.n, kk.p, SVC(t, s->key));
			} else if (key_is(t, pk, "published") && is_string(t, pv) &&
				   !(m->o->keep_variables && memchr(str_of(t, pv).p, '$', str_of(t, pv).n))) {
				/* (a kept ${VAR} is substituted, then cast to a number, by docker's loader) */
				struct c2s_str ps = str_of(t, pv);
				long long num;
				const char *why;
				if (c2s_go_atoi(ps.p, ps.n, &num, &why) == 0 && num >= 0) {
					struct mig_out *o = mig_op_replace(&s->p->x, pv);
					if (o)
						mo_printf(o, "%lld", num);
					mig_note_at(m, C2S_R_CS0104, MIG_TRANSLATED, t, pv,
						    "published port \"%.*s\" of service %.*s written as the number swarm's "
						    "long syntax wants", (int)ps.n, ps.p, SVC(t, s->key));
				} else {
					struct c2s_diag *dg = mig_note_at(m, C2S_R_CS0104, MIG_NEEDS_YOU, t, pv,
						"published: \"%.*s\" of service %.*s is a range or not a number, which the v3 "
						"long syntax cannot say", (int)ps.n, ps.p, SVC(t, s->key));
					mig_hint(m, dg, "write one item per port, or the short syntax \"8000-8010:8000-8010\"");
				}
			}
		}
	}
}

/* deploy values in compose-spec types the v3 schema does not take. */
static void tr_deploy(struct svc *s, const struct c2s_node *deploy)
{
	struct mig *m = s->p->m;
	const struct mig_text *t = s->p->t;
	const struct c2s_doc *d = &t->doc;
	const struct c2s_node *res = c2s_map_get(d, deploy, "resources", NULL);
	static const char *const parts[] = {"limits", "reservations"};
	/* restart_policy.condition: docker compose also takes its restart: words
	 * (docker/compose pkg/compose/create.go mapRestartPolicyCondition); swarm does not */
	const struct c2s_node *cond = c2s_map_get(d, c2s_map_get(d, deploy, "restart_policy", NULL), "condition", NULL);
	struct c2s_str cs = str_of(t, cond);
	const char *swarm = c2s_str_eq(cs, "no") ? "none" : c2s_str_eq(cs, "always") || c2s_str_eq(cs, "unless-stopped")
			    ? "any" : NULL;
	if (cond && swarm) {
		struct mig_out *o = mig_op_replace(&s->p->x, cond);
		if (o)
			mo_str(o, swarm);
		mig_note_at(m, C2S_R_CS0104, MIG_TRANSLATED, t, cond,
			    "deploy.restart_policy.condition: %.*s of service %.*s as %s: docker compose reads it as its "
			    "restart: policy, the Docker Engine refuses it on a swarm service", (int)cs.n, cs.p,
			    SVC(t, s->key), swarm);
	}
	for (int i = 0; i < 2; i++) {
		const struct c2s_node *pt = c2s_map_get(d, res, parts[i], NULL);
		if (!c2s_is_mapping(pt))
			continue;
		for (uint32_t j = 0; j < c2s_count(pt); j++) {
			const struct c2s_node *k = c2s_map_key(d, pt, j), *v = c2s_map_value(d, pt, j);
			if ((key_is(t, k, "cpus") || key_is(t, k, "memory")) && c2s_is_scalar(v) && !is_string(t, v) &&
			    !mt_is_null(t, v)) {
				struct c2s_str vs = str_of(t, v);
				struct mig_out *o = mig_op_replace(&s->p->x, v);
				if (o)
					mo_scalar(o, vs.p, vs.n, 1, c2s_style(pt) == C2S_STYLE_FLOW);
				struct c2s_str ks = str_of(t, k);
				mig_note_at(m, C2S_R_CS0104, MIG_TRANSLATED, t, v,
					    "deploy.resources.%s.%.*s of service %.*s written as a string, as the v3 "
					    "schema wants", parts[i], (int)ks.n, ks.p, SVC(t, s->key));
			} else if (key_is(t, k, "devices")) {
				struct c2s_diag *dg = mig_note_at(m, C2S_R_CS0106, MIG_NEEDS_YOU, t, k,
					"deploy.resources.%s.devices of service %.*s (GPUs and other devices) has no swarm "
					"equivalent in a stack file", parts[i], SVC(t, s->key));
				mig_hint(m, dg, "advertise the devices as generic resources on the nodes (dockerd "
					 "--node-generic-resource) and reserve them with reservations.generic_resources");
			}
		}
	}
}

/* environment and labels: booleans (compose-spec takes them) as strings. */
static void tr_string_map(struct svc *s, const struct c2s_node *k, const struct c2s_node *v)
{
	struct mig *m = s->p->m;
	const struct mig_text *t = s->p->t;
	const struct c2s_doc *d = &t->doc;
	if (!c2s_is_mapping(v))
		return;
	for (uint32_t j = 0; j < c2s_count(v); j++) {
		const struct c2s_node *ev = c2s_map_value(d, v, j);
		struct c2s_value val;
		if (!c2s_is_scalar(ev) || c2s_resolve(d, ev, &val) != C2S_TYPE_BOOL)
			continue;
		struct mig_out *o = mig_op_replace(&s->p->x, ev);
		if (o)
			mo_str(o, val.boolean ? "\"true\"" : "\"false\"");
		struct c2s_str ks = str_of(t, k), es = str_of(t, c2s_map_key(d, v, j));
		mig_note_at(m, C2S_R_CS0104, MIG_TRANSLATED, t, ev,
			    "%.*s.%.*s of service %.*s: the boolean written as the string docker compose makes of it "
			    "(the v3 schema takes no booleans here)", (int)ks.n, ks.p, (int)es.n, es.p, SVC(t, s->key));
	}
}

/* value with each '$' doubled: docker stack deploy interpolates environment values */
static char *dollars_doubled(const char *v)
{
	size_t n = strlen(v), extra = 0;
	for (size_t i = 0; i < n; i++)
		extra += v[i] == '$';
	char *o = malloc(n + extra + 1);
	if (!o)
		return NULL;
	size_t j = 0;
	for (size_t i = 0; i < n; i++) {
		o[j++] = v[i];
		if (v[i] == '$')
			o[j++] = '$';
	}
	o[j] = '\0';
	return o;
}

/* Set only by an env file (docker stack deploy reads the process environment alone)? */
static const char *env_file_only(struct mig *m, const char *name, size_t n, size_t *vl)
{
	size_t ol;
	if (c2s_env_get(m->osenv, name, n, &ol))
		return NULL;
	return c2s_env_get(m->env, name, n, vl);
}

/* environment: NAME with no value takes it from where the command runs. docker compose
 * reads its .env too; docker stack deploy only its own environment: an env file's value
 * is written in (types.MappingWithEquals.Resolve in compose-go). */
static void tr_env_bare(struct svc *s, const struct c2s_node *k, const struct c2s_node *v)
{
	struct mig *m = s->p->m;
	const struct mig_text *t = s->p->t;
	const struct c2s_doc *d = &t->doc;
	if (c2s_style(v) == C2S_STYLE_FLOW)
		return;
	uint32_t n = c2s_is_sequence(v) || c2s_is_mapping(v) ? c2s_count(v) : 0;
	for (uint32_t j = 0; j < n; j++) {
		const struct c2s_node *item = c2s_is_sequence(v) ? c2s_seq_item(d, v, j) : c2s_map_key(d, v, j);
		const struct c2s_node *val = c2s_is_mapping(v) ? c2s_map_value(d, v, j) : NULL;
		struct c2s_str name = str_of(t, item);
		if (!c2s_is_scalar(item) || !name.n || memchr(name.p, '=', name.n) || (val && !mt_is_null(t, val)))
			continue;
		size_t vl;
		const char *found = env_file_only(m, name.p, name.n, &vl);
		if (!found)
			continue;
		if (m->o->keep_variables) {
			struct c2s_diag *dg = mig_note_at(m, C2S_R_CS0102, MIG_TRANSLATED, t, item,
				"environment %.*s of service %.*s kept without a value: docker stack deploy takes it from "
				"its own environment, not from the env file that sets it for docker compose", (int)name.n,
				name.p, SVC(t, s->key));
			mig_hint(m, dg, "export %.*s before docker stack deploy", (int)name.n, name.p);
			continue;
		}
		/* written for docker stack deploy, which interpolates it: each '$' doubled */
		char *raw = strndup(found, vl), *value = raw ? dollars_doubled(raw) : NULL;
		free(raw);
		if (!value) {
			m->nomem = 1;
			return;
		}
		vl = strlen(value);
		struct mig_out *o;
		uint32_t a, b;
		if (val) {
			if (c2s_ed_entry_lines(d, item, val, &a, &b) != 0 || (o = mig_edit(&s->p->x.ed, a, b)) == NULL) {
				free(value);
				continue;
			}
			mo_spaces(o, c2s_ed_col(&t->src, item->start));
			mo_copy(o, t, item->start, c2s_node_end(d, item));
			mo_lit(o, ": ", 2);
			mo_scalar(o, value, vl, 1, 0);
			mo_lit(o, "\n", 1);
		} else {
			char *kv = malloc(name.n + vl + 2);
			if (!kv || (o = mig_op_replace(&s->p->x, item)) == NULL) {
				free(kv);
				free(value);
				continue;
			}
			snprintf(kv, name.n + vl + 2, "%.*s=%.*s", (int)name.n, name.p, (int)vl, value);
			mo_scalar_like(o, t, item, kv, strlen(kv), 1, 0);
			free(kv);
		}
		free(value);
		struct c2s_diag *dg = mig_note_at(m, C2S_R_CS0102, MIG_TRANSLATED, t, item,
			"environment %.*s of service %.*s: its value from the env file written in (docker stack deploy "
			"would take it from its own environment, which never reads the env file)", (int)name.n, name.p,
			SVC(t, s->key));
		(void)dg;
		(void)k;
	}
}

/* One variable of an env file as docker reads it. */
struct kv_list {
	char **keys, **vals;
	int *has;
	size_t n, cap;
};

static int kv_add(void *ctx, const char *key, size_t klen, const char *value, size_t vlen, int has_value)
{
	struct kv_list *l = ctx;
	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 16;
		char **k = realloc(l->keys, cap * sizeof *k);
		if (k)
			l->keys = k;
		char **v = realloc(l->vals, cap * sizeof *v);
		if (v)
			l->vals = v;
		int *h = realloc(l->has, cap * sizeof *h);
		if (h)
			l->has = h;
		if (!k || !v || !h)
			return -1;
		l->cap = cap;
	}
	l->keys[l->n] = strndup(key, klen);
	l->vals[l->n] = strndup(value ? value : "", vlen);
	l->has[l->n] = has_value;
	if (!l->keys[l->n] || !l->vals[l->n]) {
		free(l->keys[l->n]);
		free(l->vals[l->n]);
		return -1;
	}
	l->n++;
	return 0;
}

static void kv_free(struct kv_list *l)
{
	for (size_t i = 0; i < l->n; i++) {
		free(l->keys[i]);
		free(l->vals[i]);
	}
	free(l->keys);
	free(l->vals);
	free(l->has);
}

/* The variables of a service's env files as docker compose reads them, the last
 * setting of each kept, with the file item that set it (for the report). */
struct compose_env {
	struct kv_list vars;
	const struct c2s_node **at;    /* at[i]: the env_file item of vars.keys[i] */
	const char **path;             /* path[i]: its path as written (owned by rels) */
	const struct c2s_node *cur_at;
	const char *cur_path;
	size_t cap_at;
};

static int compose_var(void *ctx, const char *key, size_t kn, const char *value, size_t vn)
{
	struct compose_env *c = ctx;
	if (!kn)
		return 0;
	for (size_t i = 0; i < c->vars.n; i++)
		if (strlen(c->vars.keys[i]) == kn && memcmp(c->vars.keys[i], key, kn) == 0) {
			char *nv = strndup(value, vn);
			if (!nv)
				return -1;
			free(c->vars.vals[i]);
			c->vars.vals[i] = nv;
			c->at[i] = c->cur_at;
			c->path[i] = c->cur_path;
			return 0;
		}
	if (c->vars.n == c->cap_at) {
		size_t cap = c->cap_at ? c->cap_at * 2 : 16;
		const struct c2s_node **a = realloc(c->at, cap * sizeof *a);
		if (a)
			c->at = a;
		const char **pp = realloc(c->path, cap * sizeof *pp);
		if (pp)
			c->path = pp;
		if (!a || !pp)
			return -1;
		c->cap_at = cap;
	}
	c->at[c->vars.n] = c->cur_at;
	c->path[c->vars.n] = c->cur_path;
	return kv_add(&c->vars, key, kn, value, vn, 1);
}

/* Does the service's environment set name itself (then it wins over every env file, for both)? */
static int environment_sets(const struct mig_text *t, const struct c2s_node *env, const char *key, size_t kn)
{
	if (env && c2s_is_mapping(env))
		return c2s_map_getn(&t->doc, env, key, kn, NULL) != NULL;
	for (uint32_t i = 0; env && c2s_is_sequence(env) && i < c2s_count(env); i++) {
		struct c2s_str e = c2s_scalar(&t->doc, c2s_seq_item(&t->doc, env, i));
		if (e.n >= kn && memcmp(e.p, key, kn) == 0 && (e.n == kn || e.p[kn] == '='))
			return 1;
	}
	return 0;
}

/* A variable docker stack deploy would read otherwise than docker compose: written under
 * the service's environment:, which wins over env_file for both (compose-go
 * resolveEnvironment, docker/cli loader resolveEnvironment), so the file stays as it is. */
static void env_file_override(struct svc *s, const struct c2s_node *environment, const struct compose_env *c,
			      size_t i, const char *docker_value)
{
	struct mig *m = s->p->m;
	const struct mig_text *t = s->p->t;
	const char *key = c->vars.keys[i];
	int as_map = environment && c2s_is_mapping(environment);
	char *val = dollars_doubled(c->vars.vals[i]);
	struct mig_out *o = NULL;
	if (val) {
		if (as_map) {
			if ((o = mig_add_leaf_in(s->add, "environment", key)) != NULL) {
				mo_scalar(o, val, strlen(val), 1, 1);
				mig_add_from(s->add, "environment", t, c->at[i]->start);
			}
		} else if ((o = mig_add_item(s->add, "environment")) != NULL) {
			size_t kn = strlen(key), vn = strlen(val);
			char *kv = malloc(kn + vn + 2);
			if (kv) {
				snprintf(kv, kn + vn + 2, "%s=%s", key, val);
				mo_scalar(o, kv, kn + vn + 1, 1, 1);
				free(kv);
			} else {
				m->nomem = 1;
			}
			mig_add_from(s->add, "environment", t, c->at[i]->start);
		}
	}
	free(val);
	if (!o) {
		/* out of memory, or the name added already */
		struct c2s_diag *dg = mig_note_at(m, C2S_R_CS0104, MIG_NEEDS_YOU, t, c->at[i],
			"env_file %s of service %.*s: docker stack deploy reads %s %s than docker compose, and migrate "
			"cannot write it under environment: here", c->path[i], SVC(t, s->key), key,
			docker_value ? "otherwise" : "as unset, not as set");
		mig_hint(m, dg, "write the line as %s=VALUE, without quotes or ${...}: docker compose reads it the same "
			 "way, and docker stack deploy takes env files verbatim", key);
		return;
	}
	struct c2s_diag *dg = mig_note_at(m, C2S_R_CS0104, MIG_TRANSLATED, t, c->at[i],
		"env_file %s of service %.*s: %s written under environment: with the value docker compose reads "
		"(docker stack deploy takes env files verbatim and would %s)", c->path[i], SVC(t, s->key), key,
		docker_value ? "keep its quotes, escapes, ${...} or comment" : "leave it unset");
	mig_hint(m, dg, "or write the line as %s=VALUE in %s, without quotes or ${...}, which both read the same way",
		 key, c->path[i]);
}

/* env_file: docker compose reads .env syntax (quotes, escapes, ${VAR}, inline comments),
 * docker stack deploy each line verbatim (docker/cli kvfile). The files of a service are
 * read the way each reads them (later files win); a variable read differently is written
 * under environment:. A file docker refuses needs the user. */
static void tr_env_file_content(struct svc *s, const struct c2s_node *v)
{
	struct mig *m = s->p->m;
	const struct mig_text *t = s->p->t;
	const struct c2s_doc *d = &t->doc;
	uint32_t n = c2s_is_sequence(v) ? c2s_count(v) : 1;
	const struct c2s_node *environment = svc_get(s, "environment", NULL, NULL, NULL);
	struct kv_list docker = {0};
	struct compose_env c = {0};
	char *rels[64];
	size_t nrels = 0;
	int refused = 0;
	for (uint32_t i = 0; i < n && nrels < sizeof rels / sizeof *rels; i++) {
		const struct c2s_node *it = c2s_is_sequence(v) ? c2s_seq_item(d, v, i) : v;
		if (c2s_is_mapping(it)) {
			const struct c2s_node *fmt = c2s_map_get(d, it, "format", NULL);
			if (c2s_scalar_is(d, fmt, "raw"))
				continue;  /* read verbatim by both */
			it = c2s_map_get(d, it, "path", NULL);
		}
		struct c2s_str ps = str_of(t, it);
		if (!ps.n)
			continue;
		char rel[4096], full[4096];
		snprintf(rel, sizeof rel, "%.*s", (int)ps.n, ps.p);
		mig_abs_path(t->dir[0] ? t->dir : ".", rel, full, sizeof full);
		struct stat st;
		if (stat(full, &st) != 0 || !S_ISREG(st.st_mode) || st.st_size > (off_t)C2S_ENVFILE_MAX_BYTES)
			continue;  /* the final check reports a missing file */
		struct c2s_source *src = mig_read(m, full, NULL);
		if (!src)
			continue;
		if ((rels[nrels] = strdup(rel)) == NULL) {
			m->nomem = 1;
			break;
		}
		c.cur_at = it;
		c.cur_path = rels[nrels++];
		char err[512], cerr[512];
		if (c2s_envfile_parse(src->data, src->len, kv_add, &docker, err, sizeof err) != 0) {
			struct c2s_diag *dg = mig_note_at(m, C2S_R_CS3005, MIG_NEEDS_YOU, t, it,
				"env_file %s of service %.*s is refused by docker stack deploy: %s", rel, SVC(t, s->key), err);
			mig_hint(m, dg, "docker takes env files verbatim, one VAR=VALUE a line: no export, no quotes, no ${...}");
			refused = 1;
		} else if (mig_dotenv_parse(src->data, src->len, m->env, compose_var, &c, cerr, sizeof cerr) != 0) {
			mig_note_at(m, C2S_R_CS3005, MIG_NEEDS_YOU, t, it, "env_file %s of service %.*s: docker compose cannot "
				    "read it either: %s", rel, SVC(t, s->key), cerr);
			refused = 1;
		}
	}
	for (size_t i = 0; !refused && i < c.vars.n; i++) {
		const char *key = c.vars.keys[i], *value = c.vars.vals[i];
		size_t kn = strlen(key);
		if (environment_sets(t, environment, key, kn))
			continue;
		const char *dv = NULL;
		for (size_t j = docker.n; j-- > 0;)
			if (strcmp(docker.keys[j], key) == 0) {
				size_t vl;
				/* a line without '=': docker takes the variable from its own environment */
				dv = docker.has[j] ? docker.vals[j] : c2s_env_get(m->osenv, key, kn, &vl);
				break;
			}
		if (dv && strcmp(dv, value) == 0)
			continue;
		env_file_override(s, environment, &c, i, dv);
	}
	kv_free(&docker);
	kv_free(&c.vars);
	free(c.at);
	free(c.path);
	for (size_t i = 0; i < nrels; i++)
		free(rels[i]);
}

/* Options of a short volume spec docker/cli's loader reads (cli/compose/loader/volume.go
 * populateFieldFromBuffer: ro, rw, nocopy and the propagations); it ignores the rest
 * without a word (z, Z, cached, delegated...). */
static int volume_option_known(const char *o, size_t n)
{
	static const char *const known[] = {"ro", "rw", "nocopy", "private", "rprivate", "shared",
					    "rshared", "slave", "rslave"};
	for (size_t i = 0; i < sizeof known / sizeof *known; i++)
		if (strlen(known[i]) == n && memcmp(known[i], o, n) == 0)
			return 1;
	return 0;
}

/* A short volume spec without the options docker ignores; 0 when it has none. */
static int volume_spec_cleaned(const char *p, size_t n, char *out, size_t size, char *gone, size_t gsize)
{
	/* source:target:options; a Windows drive letter ("C:") is no separator for docker either */
	const char *c1 = NULL, *c2 = NULL;
	for (size_t i = 0; i < n; i++) {
		if (p[i] != ':' || (i == 1 && ((p[0] >= 'a' && p[0] <= 'z') || (p[0] >= 'A' && p[0] <= 'Z'))))
			continue;
		if (!c1)
			c1 = p + i;
		else if (!c2)
			c2 = p + i;
		else
			return 0;  /* too many colons: docker's own error, left to the final check */
	}
	if (!c2)
		return 0;
	const char *o = c2 + 1, *end = p + n;
	size_t used = (size_t)(c2 - p), gused = 0;
	if (used >= size)
		return 0;
	memcpy(out, p, used);
	int kept = 0, dropped = 0;
	while (o <= end) {
		const char *c = memchr(o, ',', (size_t)(end - o));
		size_t l = c ? (size_t)(c - o) : (size_t)(end - o);
		if (volume_option_known(o, l)) {
			if (used + l + 2 >= size)
				return 0;
			out[used++] = kept ? ',' : ':';
			memcpy(out + used, o, l);
			used += l;
			kept++;
		} else if (l) {
			if (gused + l + 3 >= gsize)
				return 0;
			if (gused) {
				memcpy(gone + gused, ", ", 2);
				gused += 2;
			}
			memcpy(gone + gused, o, l);
			gused += l;
			dropped++;
		}
		if (!c)
			break;
		o = c + 1;
	}
	out[used] = '\0';
	gone[gused] = '\0';
	return dropped > 0;
}

/* volumes: what docker compose reads in a mount and docker stack deploy drops without a
 * word: bind.create_host_path and bind.selinux, tmpfs.mode (the v3 schema's bind and
 * tmpfs objects allow any key, docker/cli's types.ServiceVolumeBind and
 * ServiceVolumeTmpfs keep only propagation and size), and short-spec options other than
 * ro, rw, nocopy and the propagations. `docker compose config` writes create_host_path
 * on every bind mount. */
static void tr_volumes(struct svc *s, const struct c2s_node *v)
{
	struct mig *m = s->p->m;
	const struct mig_text *t = s->p->t;
	const struct c2s_doc *d = &t->doc;
	if (!c2s_is_sequence(v) || !mt_own(v))
		return;
	for (uint32_t i = 0; i < c2s_count(v); i++) {
		const struct c2s_node *it = c2s_seq_item(d, v, i);
		if (!mt_own(it))
			continue;
		if (c2s_is_scalar(it)) {
			struct c2s_str e = str_of(t, it);
			char out[4096], gone[512];
			if (!volume_spec_cleaned(e.p, e.n, out, sizeof out, gone, sizeof gone))
				continue;
			struct mig_out *o = mig_op_replace(&s->p->x, it);
			if (o)
				mo_scalar_like(o, t, it, out, strlen(out), 1, c2s_style(v) == C2S_STYLE_FLOW);
			struct c2s_diag *dg = mig_note_at(m, C2S_R_CS0106, MIG_DROPPED, t, it,
				"volume option %s of service %.*s dropped: docker stack deploy ignores it without a word "
				"(it reads ro, rw, nocopy and the bind propagations)", gone, SVC(t, s->key));
			mig_hint(m, dg, "z and Z relabel for SELinux under docker compose; swarm mounts the source as "
				 "it is labelled on the node");
			continue;
		}
		if (!c2s_is_mapping(it))
			continue;
		static const struct {
			const char *obj, *key, *why;
		} gone[] = {
			{"bind", "create_host_path", "swarm never creates a bind mount's source: the path must exist on "
						     "every node that runs the service, or the task fails"},
			{"bind", "selinux", "swarm mounts the source as it is labelled on the node"},
			{"tmpfs", "mode", "the v3 tmpfs mount takes size only"},
		};
		for (size_t g = 0; g < sizeof gone / sizeof *gone; g++) {
			if (g && strcmp(gone[g].obj, gone[g - 1].obj) == 0)
				continue;  /* each object once, below */
			const struct c2s_node *ok = NULL, *ov = c2s_map_get(d, it, gone[g].obj, &ok);
			if (!ov || !c2s_is_mapping(ov) || !mt_own(ov))
				continue;
			uint32_t n = c2s_count(ov), drop = 0;
			for (uint32_t j = 0; j < n; j++)
				for (size_t h = g; h < sizeof gone / sizeof *gone && !strcmp(gone[h].obj, gone[g].obj); h++)
					drop += key_is(t, c2s_map_key(d, ov, j), gone[h].key);
			if (!drop)
				continue;
			for (uint32_t j = 0; j < n; j++) {
				const struct c2s_node *k = c2s_map_key(d, ov, j);
				for (size_t h = g; h < sizeof gone / sizeof *gone && !strcmp(gone[h].obj, gone[g].obj); h++) {
					if (!key_is(t, k, gone[h].key))
						continue;
					if (drop < n)
						mig_op_drop(&s->p->x, ov, j);
					mig_note_at(m, C2S_R_CS0106, MIG_DROPPED, t, k, "%s.%s of a mount of service %.*s "
						    "dropped: docker stack deploy ignores it without a word; %s", gone[h].obj,
						    gone[h].key, SVC(t, s->key), gone[h].why);
				}
			}
			if (drop == n)  /* nothing left: the whole object goes */
				mig_op_drop(&s->p->x, it, entry_index(t, it, ok));
		}
	}
}

/* service networks: keys only docker compose has. */
static void tr_service_networks(struct svc *s, const struct c2s_node *v)
{
	struct mig *m = s->p->m;
	const struct mig_text *t = s->p->t;
	const struct c2s_doc *d = &t->doc;
	if (!c2s_is_mapping(v))
		return;
	for (uint32_t i = 0; i < c2s_count(v); i++) {
		const struct c2s_node *nk = c2s_map_key(d, v, i), *nv = c2s_map_value(d, v, i);
		if (!c2s_is_mapping(nv))
			continue;
		for (uint32_t j = 0; j < c2s_count(nv); j++) {
			const struct c2s_node *k = c2s_map_key(d, nv, j);
			struct c2s_str ks = str_of(t, k), ns = str_of(t, nk);
			if (key_is(t, k, "aliases") || key_is(t, k, "driver_opts"))
				continue;
			mig_op_drop(&s->p->x, nv, j);
			if (key_is(t, k, "ipv4_address") || key_is(t, k, "ipv6_address"))
				mig_note_at(m, C2S_R_CS6004, MIG_DROPPED, t, k,
					    "%.*s of service %.*s on network %.*s dropped: swarm gives each task an address "
					    "of its own", (int)ks.n, ks.p, SVC(t, s->key), (int)ns.n, ns.p);
			else
				mig_note_at(m, C2S_R_CS0106, MIG_DROPPED, t, k,
					    "%.*s of service %.*s on network %.*s dropped: the v3 file format has no such "
					    "network option", (int)ks.n, ks.p, SVC(t, s->key), (int)ns.n, ns.p);
		}
	}
}

/* v3's service keys (3.13). */
static const char *const v3_service_keys[] = {
	"build", "cap_add", "cap_drop", "cgroup_parent", "cgroupns_mode", "command", "configs", "container_name",
	"credential_spec", "depends_on", "deploy", "devices", "dns", "dns_search", "domainname", "entrypoint",
	"env_file", "environment", "expose", "external_links", "extra_hosts", "healthcheck", "hostname", "image",
	"init", "ipc", "isolation", "labels", "links", "logging", "mac_address", "network_mode", "networks",
	"oom_score_adj", "pid", "ports", "privileged", "read_only", "restart", "secrets", "security_opt", "shm_size",
	"stdin_open", "stop_grace_period", "stop_signal", "sysctls", "tmpfs", "tty", "ulimits", "user",
	"userns_mode", "volumes", "working_dir",
};

static int is_v3_service_key(struct c2s_str k)
{
	if (k.n >= 2 && k.p[0] == 'x' && k.p[1] == '-')
		return 1;
	for (size_t i = 0; i < sizeof v3_service_keys / sizeof *v3_service_keys; i++)
		if (c2s_str_eq(k, v3_service_keys[i]))
			return 1;
	return 0;
}

static void translate_service(struct pass *p, const struct c2s_node *sk, const struct c2s_node *svc,
			      struct mig_add *root)
{
	struct mig *m = p->m;
	const struct mig_text *t = p->t;
	const struct c2s_doc *d = &t->doc;
	struct svc s = {p, sk, svc, pass_add(p), NULL};
	if (!s.add)
		return;
	for (uint32_t i = 0; i < c2s_count(svc); i++) {
		const struct c2s_node *k = c2s_map_key(d, svc, i), *v = c2s_map_value(d, svc, i);
		struct c2s_str key = str_of(t, k);
		int done = 0;
		for (size_t j = 0; j < sizeof ignored_keys / sizeof *ignored_keys && !done; j++) {
			if (!c2s_str_eq(key, ignored_keys[j].key))
				continue;
			done = 1;
			mig_op_drop(&p->x, svc, i);
			mig_note_at(m, ignored_keys[j].rule, MIG_DROPPED, t, k, "%s of service %.*s dropped: %s",
				    ignored_keys[j].key, SVC(t, sk), ignored_keys[j].why);
		}
		if (done)
			continue;
		if (c2s_str_eq(key, "restart"))
			tr_restart(&s, k, v);
		else if (c2s_str_eq(key, "mem_limit"))
			tr_resource(&s, k, v, "limits", "memory", 1);
		else if (c2s_str_eq(key, "mem_reservation"))
			tr_resource(&s, k, v, "reservations", "memory", 1);
		else if (c2s_str_eq(key, "cpus"))
			tr_resource(&s, k, v, "limits", "cpus", 1);
		else if (c2s_str_eq(key, "pids_limit"))
			tr_resource(&s, k, v, "limits", "pids", 0);
		else if (c2s_str_eq(key, "scale")) {
			mig_op_drop(&p->x, svc, i);
			if (svc_get(&s, "deploy", "replicas", NULL, NULL)) {
				mig_note_at(m, C2S_R_CS0104, MIG_DROPPED, t, k,
					    "scale of service %.*s dropped: deploy.replicas is set and wins", SVC(t, sk));
			} else {
				struct mig_out *o = mig_add_leaf(s.add, "deploy.replicas");
				struct c2s_str vs = str_of(t, v);
				if (o)
					mo_lit(o, vs.p, vs.n);
				mig_add_from(s.add, "deploy.replicas", t, k->start);
				mig_note_at(m, C2S_R_CS0104, MIG_TRANSLATED, t, k,
					    "scale: %.*s of service %.*s as deploy.replicas", (int)vs.n, vs.p, SVC(t, sk));
			}
		} else if (c2s_str_eq(key, "network_mode"))
			tr_network_mode(&s, k, v, root);
		else if (c2s_str_eq(key, "build"))
			tr_build(&s, k);
		else if (c2s_str_eq(key, "tmpfs"))
			tr_tmpfs(&s, k, v);
		else if (c2s_str_eq(key, "depends_on"))
			tr_depends_on(&s, k, v);
		else if (c2s_str_eq(key, "env_file")) {
			tr_env_file(&s, k, v);
			tr_env_file_content(&s, v);
		}
		else if (c2s_str_eq(key, "ports"))
			tr_ports(&s, v);
		else if (c2s_str_eq(key, "deploy"))
			tr_deploy(&s, v);
		else if (c2s_str_eq(key, "environment")) {
			tr_string_map(&s, k, v);
			tr_env_bare(&s, k, v);
		} else if (c2s_str_eq(key, "labels"))
			tr_string_map(&s, k, v);
		else if (c2s_str_eq(key, "networks"))
			tr_service_networks(&s, v);
		else if (c2s_str_eq(key, "volumes"))
			tr_volumes(&s, v);
		else if (!is_v3_service_key(key)) {
			for (size_t j = 0; j < sizeof compose_keys / sizeof *compose_keys; j++) {
				if (!c2s_str_eq(key, compose_keys[j].key))
					continue;
				if (compose_keys[j].kind == MIG_DROPPED)
					mig_op_drop(&p->x, svc, i);
				struct c2s_diag *dg = mig_note_at(m, C2S_R_CS0106, compose_keys[j].kind, t, k,
					"%s of service %.*s %s: %s", compose_keys[j].key, SVC(t, sk),
					compose_keys[j].kind == MIG_DROPPED ? "dropped" : "has no swarm equivalent",
					compose_keys[j].why);
				(void)dg;
			}
		}
	}
	mig_op_add(&p->x, sk, svc, s.add);
}

/* ---- top-level objects ---- */

static const char *const v3_network_keys[] = {"attachable", "driver", "driver_opts", "external", "internal",
					      "ipam", "labels", "name"};
static const char *const v3_volume_keys[] = {"driver", "driver_opts", "external", "labels", "name",
					     "x-cluster-spec"};
static const char *const v3_secret_keys[] = {"driver", "driver_opts", "external", "file", "labels", "name",
					     "template_driver"};
static const char *const v3_config_keys[] = {"external", "file", "labels", "name", "template_driver"};

static int in_list(struct c2s_str k, const char *const *l, size_t n)
{
	if (k.n >= 2 && k.p[0] == 'x' && k.p[1] == '-')
		return 1;
	for (size_t i = 0; i < n; i++)
		if (c2s_str_eq(k, l[i]))
			return 1;
	return 0;
}

/* --materialize: a secret or config whose value docker compose takes from a variable
 * (environment: VAR, docker/compose pkg/compose/secrets.go resolveFileContent: the
 * project's environment, .env included) or from the file itself (content:) is written
 * to NAME.secret or NAME.config beside the stack file, and the key becomes file:, the
 * one source docker stack deploy reads (docker/cli cli/compose/loader: a secret is
 * file: or external:). */
static void materialize(struct pass *p, const char *what, const struct c2s_node *okey, const struct c2s_node *k,
			const struct c2s_node *v)
{
	struct mig *m = p->m;
	const struct mig_text *t = p->t;
	struct c2s_str on = str_of(t, okey), ks = str_of(t, k), vs = str_of(t, v);
	int secret = strcmp(what, "secrets") == 0;
	const char *one = secret ? "secret" : "config";
	/* the name becomes a file name: nothing a path or a shell would read otherwise */
	int safe = on.n > 0 && on.n <= 200 && on.p[0] != '.' && on.p[0] != '-';
	for (size_t i = 0; safe && i < on.n; i++) {
		char ch = on.p[i];
		safe = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') || ch == '.' ||
		       ch == '_' || ch == '-';
	}
	if (!safe || !c2s_is_scalar(v)) {
		struct c2s_diag *dg = mig_note_at(m, C2S_R_CS0106, MIG_NEEDS_YOU, t, k,
			"%s %.*s comes from %.*s:, and its name is no file name --materialize can write", one,
			(int)(on.n > 60 ? 60 : on.n), on.p, (int)ks.n, ks.p);
		mig_hint(m, dg, "write the value to a file and give file:");
		return;
	}
	struct c2s_buf val;
	c2s_buf_init(&val, C2S_MIGRATE_MAX_TEXT_BYTES);
	if (key_is(t, k, "environment")) {
		size_t vl = 0;
		const char *ev = c2s_env_get(m->env, vs.p, vs.n, &vl);
		if (!ev) {
			struct c2s_diag *dg = mig_note_at(m, C2S_R_CS0106, MIG_NEEDS_YOU, t, k,
				"environment variable \"%.*s\" required by %s \"%.*s\" is not set", (int)vs.n, vs.p, one,
				(int)on.n, on.p);
			mig_hint(m, dg, "set it in the environment or an --env-file, as docker compose needs it too");
			return;
		}
		if (c2s_buf_add(&val, ev, vl) != 0)
			m->nomem = 1;
	} else {
		/* content: as interpolated; a literal $ is $$ here (or ${VAR} kept by
		 * --keep-variables): the file gets what docker compose would give */
		char err[256];
		enum mig_subst r = mig_substitute(vs.p, vs.n, m->env, &val, err, sizeof err);
		if (r == MIG_SUBST_NOMEM) {
			m->nomem = 1;
		} else if (r != MIG_SUBST_OK) {
			c2s_buf_free(&val);
			struct c2s_diag *dg = mig_note_at(m, C2S_R_CS0102, MIG_NEEDS_YOU, t, v,
				"content of %s %.*s: %s", one, (int)on.n, on.p,
				r == MIG_SUBST_REQUIRED ? err : "invalid interpolation format");
			mig_hint(m, dg, "set the variable, or escape a literal $ as $$");
			return;
		}
	}
	char file[4096 + 256], name[256], rel[4096];
	snprintf(name, sizeof name, "%.*s.%s", (int)on.n, on.p, one);
	snprintf(file, sizeof file, "%s/%s", m->outdir, name);
	/* written for the project directory, as every path here; rebased with the rest */
	mig_rel_path(m->workdir, file, rel, sizeof rel);
	if (m->nomem || mig_extra_file(m, file, val.data ? val.data : "", val.len, secret) != 0) {
		c2s_buf_free(&val);
		return;
	}
	c2s_buf_free(&val);
	struct mig_out *o = mig_op_replace(&p->x, k);
	if (o)
		mo_str(o, "file");
	if ((o = mig_op_replace(&p->x, v)) != NULL)
		mo_scalar(o, rel, strlen(rel), 1, !c2s_ed_first_on_line(&t->src, k->start));
	struct c2s_diag *dg = mig_note_at(m, C2S_R_CS0106, MIG_TRANSLATED, t, k,
		"%s %.*s from %.*s: written to %s and given as file: (docker stack deploy reads a file or an "
		"external %s only)", one, (int)on.n, on.p, (int)ks.n, ks.p, name, one);
	if (secret)
		mig_hint(m, dg, "%s holds the secret's value: keep it out of version control", name);
}

static void translate_objects(struct pass *p, const char *what, const struct c2s_node *objs,
			      const char *const *keys, size_t nkeys)
{
	struct mig *m = p->m;
	const struct mig_text *t = p->t;
	const struct c2s_doc *d = &t->doc;
	if (!c2s_is_mapping(objs))
		return;
	for (uint32_t i = 0; i < c2s_count(objs); i++) {
		const struct c2s_node *ok = c2s_map_key(d, objs, i), *ov = c2s_map_value(d, objs, i);
		if (!c2s_is_mapping(ov))
			continue;
		struct c2s_str on = str_of(t, ok);
		/* --materialize: of content:, environment: and file:, docker compose reads the first it
		 * has (docker/compose pkg/compose/secrets.go resolveFileContent, create.go): that one
		 * becomes the file, the others are dropped */
		int64_t winner = -1;
		int objfile = strcmp(what, "secrets") == 0 || strcmp(what, "configs") == 0;
		if (m->o->materialize && objfile) {
			static const char *const order[] = {"content", "environment"};
			for (size_t q = 0; q < 2 && winner < 0; q++)
				for (uint32_t j = 0; j < c2s_count(ov); j++)
					if (key_is(t, c2s_map_key(d, ov, j), order[q]))
						winner = j;
		}
		for (uint32_t j = 0; j < c2s_count(ov); j++) {
			const struct c2s_node *k = c2s_map_key(d, ov, j), *v = c2s_map_value(d, ov, j);
			struct c2s_str ks = str_of(t, k);
			if (winner >= 0 && (int64_t)j != winner &&
			    (key_is(t, k, "content") || key_is(t, k, "environment") || key_is(t, k, "file"))) {
				struct c2s_str ws = str_of(t, c2s_map_key(d, ov, (uint32_t)winner));
				mig_op_drop(&p->x, ov, j);
				mig_note_at(m, C2S_R_CS0106, MIG_DROPPED, t, k,
					    "%.*s of %.*s %.*s dropped: docker compose takes its %.*s: first", (int)ks.n, ks.p,
					    (int)(strlen(what) - 1), what, (int)on.n, on.p, (int)ws.n, ws.p);
				continue;
			}
			if (strcmp(what, "networks") == 0 && key_is(t, k, "driver") &&
			    (c2s_str_eq(str_of(t, v), "bridge"))) {
				mig_op_drop(&p->x, ov, j);
				mig_note_at(m, C2S_R_CS0104, MIG_TRANSLATED, t, k,
					    "driver: bridge of network %.*s dropped: it is docker compose's default, and "
					    "swarm's is overlay (a service cannot join a local bridge network)", (int)on.n, on.p);
				continue;
			}
			if (strcmp(what, "networks") == 0 && key_is(t, k, "ipam") && c2s_is_mapping(v)) {
				for (uint32_t q = 0; q < c2s_count(v); q++) {
					const struct c2s_node *ik = c2s_map_key(d, v, q), *iv = c2s_map_value(d, v, q);
					if (key_is(t, ik, "driver"))
						continue;
					if (key_is(t, ik, "config") && c2s_is_sequence(iv)) {
						for (uint32_t r = 0; r < c2s_count(iv); r++) {
							const struct c2s_node *ci = c2s_seq_item(d, iv, r);
							for (uint32_t u = 0; c2s_is_mapping(ci) && u < c2s_count(ci); u++) {
								const struct c2s_node *ck = c2s_map_key(d, ci, u);
								if (key_is(t, ck, "subnet"))
									continue;
								mig_op_drop(&p->x, ci, u);
								struct c2s_str cs = str_of(t, ck);
								mig_note_at(m, C2S_R_CS0106, MIG_DROPPED, t, ck,
									    "ipam.config %.*s of network %.*s dropped: the v3 "
									    "file format takes only subnet", (int)cs.n, cs.p,
									    (int)on.n, on.p);
							}
						}
						continue;
					}
					mig_op_drop(&p->x, v, q);
					struct c2s_str is = str_of(t, ik);
					mig_note_at(m, C2S_R_CS0106, MIG_DROPPED, t, ik,
						    "ipam.%.*s of network %.*s dropped: the v3 file format has no such key",
						    (int)is.n, is.p, (int)on.n, on.p);
				}
				continue;
			}
			if ((strcmp(what, "secrets") == 0 || strcmp(what, "configs") == 0) &&
			    (key_is(t, k, "environment") || key_is(t, k, "content"))) {
				if (m->o->materialize) {
					materialize(p, what, ok, k, v);
					continue;
				}
				struct c2s_diag *dg = mig_note_at(m, C2S_R_CS0106, MIG_NEEDS_YOU, t, k,
					"%s %.*s comes from %.*s:, which docker stack deploy cannot read: it takes file: or "
					"external: only", what, (int)on.n, on.p, (int)ks.n, ks.p);
				mig_hint(m, dg, "write the value to a file and give file: (or create it with docker %.*s "
					 "create and declare it external: true)", (int)(strlen(what) - 1), what);
				continue;
			}
			if (in_list(ks, keys, nkeys))
				continue;
			mig_op_drop(&p->x, ov, j);
			mig_note_at(m, C2S_R_CS0106, MIG_DROPPED, t, k,
				    "%.*s of %.*s %.*s dropped: the v3 file format has no such key", (int)ks.n, ks.p,
				    (int)(strlen(what) - 1), what, (int)on.n, on.p);
		}
	}
}

int mig_phase_translate(struct mig *m, struct mig_text *t)
{
	const struct c2s_doc *d = &t->doc;
	const struct c2s_node *root = c2s_node_at(d, d->root);
	struct pass p;
	pass_init(&p, m, t);
	struct mig_add *radd = pass_add(&p);
	if (!radd)
		return pass_finish(&p, -1);
	for (uint32_t i = 0; i < c2s_count(root); i++) {
		const struct c2s_node *k = c2s_map_key(d, root, i), *v = c2s_map_value(d, root, i);
		struct c2s_str ks = str_of(t, k);
		if (c2s_str_eq(ks, "name")) {
			mig_op_drop(&p.x, root, i);
			struct c2s_diag *dg = mig_note_at(m, C2S_R_CS0103, MIG_DROPPED, t, k,
				"name: dropped: a stack's name is given when it is deployed");
			mig_hint(m, dg, "docker stack deploy -c FILE %s", m->project);
		} else if (c2s_str_eq(ks, "services") && c2s_is_mapping(v)) {
			for (uint32_t j = 0; j < c2s_count(v); j++)
				if (c2s_is_mapping(c2s_map_value(d, v, j)))
					translate_service(&p, c2s_map_key(d, v, j), c2s_map_value(d, v, j), radd);
		} else if (c2s_str_eq(ks, "networks")) {
			translate_objects(&p, "networks", v, v3_network_keys, sizeof v3_network_keys / sizeof *v3_network_keys);
		} else if (c2s_str_eq(ks, "volumes")) {
			translate_objects(&p, "volumes", v, v3_volume_keys, sizeof v3_volume_keys / sizeof *v3_volume_keys);
		} else if (c2s_str_eq(ks, "secrets")) {
			translate_objects(&p, "secrets", v, v3_secret_keys, sizeof v3_secret_keys / sizeof *v3_secret_keys);
		} else if (c2s_str_eq(ks, "configs")) {
			translate_objects(&p, "configs", v, v3_config_keys, sizeof v3_config_keys / sizeof *v3_config_keys);
		} else if (c2s_str_eq(ks, "models")) {
			struct c2s_diag *dg = mig_note_at(m, C2S_R_CS0106, MIG_NEEDS_YOU, t, k,
				"models: are a docker compose feature swarm has no equivalent for");
			mig_hint(m, dg, "run the model as a service of its own, or remove the key");
		}
	}
	mig_op_add(&p.x, NULL, root, radd);
	return pass_finish(&p, 0);
}
