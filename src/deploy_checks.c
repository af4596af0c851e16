/* deploy_checks.c -- what docker refuses after the schema: the typed decoding of the
 * loader (short volumes, sizes, ports, env_file, external objects) and what only
 * `docker stack deploy` checks (images, modes, undefined references, mounts,
 * restart policies, credential specs, cpus; docker/cli cli/compose/convert/service.go
 * and cli/command/stack/swarm/deploy_composefile.go). Every problem at
 * its node, in docker's words. */
#include "config.h"
#include "check.h"
#include "goval.h"
#include "deploy_checks.h"
#include "schema.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

/* keys of a service (and of its deploy) the checks read, in c->s (c->d) order */
enum { S_BUILD, S_CONFIGS, S_CREDENTIAL_SPEC, S_DEPLOY, S_ENV_FILE, S_HEALTHCHECK, S_IMAGE, S_NETWORKS,
       S_PORTS, S_RESTART, S_SECRETS, S_SHM_SIZE, S_ULIMITS, S_VOLUMES, S_COMMAND, S_ENTRYPOINT, S_N };
enum { D_ENDPOINT_MODE, D_MODE, D_PLACEMENT, D_REPLICAS, D_RESOURCES, D_RESTART_POLICY, D_ROLLBACK_CONFIG,
       D_UPDATE_CONFIG, D_N };

struct dctx {
	const struct c2s_doc *doc;
	const struct c2s_pipeline_options *o;
	struct c2s_diags *diags;
	const struct c2s_node *root, *networks, *volumes, *secrets, *configs;
	int minor;
	int errors;
	struct c2s_keyset names[4];  /* the keys of volumes, networks, secrets, configs */
	int nonscalar[4];            /* one of them is not a scalar (its name reads "") */
	/* the service being checked: its keys and its deploy's, found in one pass each */
	const struct c2s_node *s[S_N], *d[D_N], *dkey[D_N];
	/* image references c2s_image_check accepted, by hash (a cache: a newcomer replaces) */
	struct c2s_str ok_images[512];
	struct c2s_str svc_names[S_N], dep_names[D_N];  /* svc_sk's and dep_sk's names */
	struct c2s_key_slots svc_slots, dep_slots;  /* over them */
};

/* the same keys as lint's table of the services' keys names them (check.h): by
 * c2s_svc_key_names when there is no table */
static const uint8_t svc_sk[S_N] = {
	C2S_SK_BUILD, C2S_SK_CONFIGS, C2S_SK_CREDENTIAL_SPEC, C2S_SK_DEPLOY, C2S_SK_ENV_FILE, C2S_SK_HEALTHCHECK,
	C2S_SK_IMAGE, C2S_SK_NETWORKS, C2S_SK_PORTS, C2S_SK_RESTART, C2S_SK_SECRETS, C2S_SK_SHM_SIZE,
	C2S_SK_ULIMITS, C2S_SK_VOLUMES, C2S_SK_COMMAND, C2S_SK_ENTRYPOINT,
};
static const uint8_t dep_sk[D_N] = {
	C2S_SK_DEPLOY_ENDPOINT_MODE, C2S_SK_DEPLOY_MODE, C2S_SK_DEPLOY_PLACEMENT, C2S_SK_DEPLOY_REPLICAS,
	C2S_SK_DEPLOY_RESOURCES, C2S_SK_DEPLOY_RESTART_POLICY, C2S_SK_DEPLOY_ROLLBACK_CONFIG,
	C2S_SK_DEPLOY_UPDATE_CONFIG,
};

enum { TOP_VOLUMES, TOP_NETWORKS, TOP_SECRETS, TOP_CONFIGS };

static struct c2s_str str_of(const struct c2s_doc *d, const struct c2s_node *n)
{
	return c2s_scalar(d, n);
}

/* A string value (one whose interpolation failed was reported there, and is skipped). */
static int is_str(const struct dctx *c, const struct c2s_node *n)
{
	return c2s_is_scalar(n) && c2s_schema_kind(c->doc, n) == ST_STR && !c2s_node_interp_failed(c->doc, n);
}

#define SVC_FMT "%.*s"
#define SVC_ARG(k) (int)str_of(c->doc, k).n, str_of(c->doc, k).p

/* ---- image references: one parser, c2s_image_check (goval_image.c), for lint and convert ---- */

static void check_image(struct dctx *c, const struct c2s_node *key, const struct c2s_node *svc)
{
	const struct c2s_node *img = c->s[S_IMAGE];
	struct c2s_diag *dg;
	if (img && c2s_node_interp_failed(c->doc, img))
		return;
	if (!img || (c2s_is_scalar(img) && str_of(c->doc, img).n == 0 &&
		     (c2s_schema_kind(c->doc, img) == ST_STR || c2s_schema_kind(c->doc, img) == ST_NULL))) {
		dg = c2s_diag_at(c->diags, C2S_R_CS2008, c->doc, img ? img : key,
				 "invalid image reference for service " SVC_FMT ": no image specified", SVC_ARG(key));
		if (c->s[S_BUILD])
			c2s_diag_hint(c->diags, dg, "docker stack deploy never builds: build and push the image, then "
				      "name it with image: (build: is ignored)");
		else
			c2s_diag_hint(c->diags, dg, "every swarm service needs image:");
		if (img && c2s_node_interpolated(c->doc, img))
			c2s_diag_hint(c->diags, dg, "the variables in it are empty in this environment");
		c->errors++;
		return;
	}
	if (!is_str(c, img))
		return;  /* the schema reported it */
	struct c2s_str s = str_of(c->doc, img);
	char e[512];
	uint32_t h = 2166136261u;  /* FNV-1a */
	for (size_t i = 0; i < s.n; i++)
		h = (h ^ (unsigned char)s.p[i]) * 16777619u;
	struct c2s_str *ok = &c->ok_images[h % (sizeof c->ok_images / sizeof *c->ok_images)];
	if (ok->p && ok->n == s.n && memcmp(ok->p, s.p, s.n) == 0)
		return;  /* the same text as an image accepted before */
	if (c2s_image_check(s.p, s.n, e, sizeof e) == 0) {
		*ok = s;
		return;
	}
	dg = c2s_diag_at(c->diags, C2S_R_CS2008, c->doc, img, "invalid image reference for service " SVC_FMT ": %s",
			 SVC_ARG(key), e);
	if (c2s_node_interpolated(c->doc, img)) {
		uint32_t end = c2s_node_end(c->doc, img);
		c2s_diag_hint(c->diags, dg, "this value came from %.*s, which gave \"%.*s\"", (int)(end - img->start),
			      c->doc->src->data + img->start, (int)s.n, s.p);
	} else {
		c2s_diag_hint(c->diags, dg, "an image is [registry[:port]/]name[:tag][@digest], the name in lower case");
	}
	c->errors++;
}

/* ---- deploy: mode and replicas ---- */

static void check_deploy(struct dctx *c, const struct c2s_node *key, const struct c2s_node *svc)
{
	const struct c2s_node *dep = c->s[S_DEPLOY];
	if (!c2s_is_mapping(dep))
		return;
	const struct c2s_node *mode = c->d[D_MODE];
	const struct c2s_node *repk, *rep = (repk = c->dkey[D_REPLICAS], c->d[D_REPLICAS]);
	if (mode && is_str(c, mode)) {
		struct c2s_str m = str_of(c->doc, mode);
		int global = (m.n == 6 && !memcmp(m.p, "global", 6)) || (m.n == 10 && !memcmp(m.p, "global-job", 10));
		int known = global || m.n == 0 || (m.n == 10 && !memcmp(m.p, "replicated", 10)) ||
			    (m.n == 14 && !memcmp(m.p, "replicated-job", 14));
		if (!known) {
			struct c2s_diag *dg = c2s_diag_at(c->diags, C2S_R_CS2008, c->doc, mode,
				"service " SVC_FMT ": Unknown mode: %.*s", SVC_ARG(key), (int)m.n, m.p);
			c2s_diag_hint(c->diags, dg, "mode is replicated, global, replicated-job or global-job (lower case)");
			c->errors++;
		} else if (global && rep && c2s_schema_kind(c->doc, rep) != ST_NULL) {
			struct c2s_diag *dg = c2s_diag_at(c->diags, C2S_R_CS2008, c->doc, repk,
				"service " SVC_FMT ": replicas can only be used with replicated or replicated-job mode",
				SVC_ARG(key));
			c2s_diag_related(c->diags, dg, c->doc->src, mode->start, c2s_node_end(c->doc, mode), "mode set here");
			c2s_diag_hint(c->diags, dg, "a global service runs one task per node: remove replicas");
			c->errors++;
		}
	}
	/* resources: cpus (deploy) and memory (load) */
	const struct c2s_node *res = c->d[D_RESOURCES];
	static const char *const parts[] = {"limits", "reservations"};
	for (int p = 0; p < 2 && c2s_is_mapping(res); p++) {
		const struct c2s_node *part = c2s_map_get(c->doc, res, parts[p], NULL);
		if (!c2s_is_mapping(part))
			continue;
		const struct c2s_node *cpus = c2s_map_get(c->doc, part, "cpus", NULL);
		if (cpus && is_str(c, cpus)) {
			struct c2s_str s = str_of(c->doc, cpus);
			char e[256];
			int64_t nano;
			/* docker/cli convertResources parses cpus only when it is not
			 * empty (a ${VAR} that interpolates to nothing): no limit */
			if (s.n > 0 && c2s_cpus_parse(s.p, s.n, &nano, e, sizeof e) != 0) {
				struct c2s_diag *dg = c2s_diag_at(c->diags, C2S_R_CS2008, c->doc, cpus,
					"service " SVC_FMT ": %s", SVC_ARG(key), e);
				if (strncmp(e, "value is too precise", 20) == 0)
					c2s_diag_hint(c->diags, dg, "swarm counts CPUs in billionths: at most 9 decimals");
				else
					c2s_diag_hint(c->diags, dg, "cpus is a decimal number of CPUs, e.g. \"0.5\" or \"2\"");
				c->errors++;
			}
		}
	}
}

/* ---- references to top-level objects ---- */

/* Index a top-level section's names once: references are looked up by hash (a
 * binary search compared each with a dozen names written all over the file). */
static int index_names(struct dctx *c, int which, const struct c2s_node *top)
{
	if (c2s_keyset_init(&c->names[which], c->doc, top) != 0)
		return -1;
	for (uint32_t i = 0, n = c2s_is_mapping(top) ? c2s_count(top) : 0; i < n; i++)
		if (!c2s_is_scalar(c2s_map_key(c->doc, top, i)))
			c->nonscalar[which] = 1;
	return 0;
}

static int defined(const struct dctx *c, int which, struct c2s_str name)
{
	return (name.n == 0 && c->nonscalar[which]) || c2s_keyset_find(&c->names[which], name) >= 0;
}

static void undefined(struct dctx *c, const struct c2s_node *key, const struct c2s_node *at, const char *what,
		      struct c2s_str name)
{
	if (c->o->skip_deploy_checks)
		return;  /* only deploy converts references */
	struct c2s_diag *dg = c2s_diag_at(c->diags, C2S_R_CS2007, c->doc, at, "service " SVC_FMT ": undefined %s \"%.*s\"",
					  SVC_ARG(key), what, (int)name.n, name.p);
	c2s_diag_hint(c->diags, dg, "declare it under the top-level %ss: key (external: true if it already exists)",
		      what);
	c->errors++;
}

static void check_networks(struct dctx *c, const struct c2s_node *key, const struct c2s_node *svc)
{
	const struct c2s_node *nets = c->s[S_NETWORKS];
	if (!nets)
		return;
	int map = c2s_is_mapping(nets);
	if (!map && !c2s_is_sequence(nets))
		return;
	for (uint32_t i = 0, n = c2s_count(nets); i < n; i++) {
		const struct c2s_node *nn = map ? c2s_map_key(c->doc, nets, i) : c2s_seq_item(c->doc, nets, i);
		if (!c2s_is_scalar(nn))
			continue;
		struct c2s_str name = str_of(c->doc, nn);
		if ((name.n == 7 && !memcmp(name.p, "default", 7)) || defined(c, TOP_NETWORKS, name))
			continue;
		undefined(c, key, nn, "network", name);
	}
}

/* A secret or config reference's file target: target:, else the source's name
 * (convertFileObject); p NULL when not a plain string. *at: where it is written. */
static struct c2s_str file_target(const struct dctx *c, const struct c2s_node *it, const struct c2s_node **at)
{
	struct c2s_str none = {NULL, 0};
	*at = it;
	if (c2s_is_mapping(it)) {
		const struct c2s_node *t = c2s_map_get(c->doc, it, "target", NULL);
		if (t && is_str(c, t) && str_of(c->doc, t).n) {
			*at = t;
			return str_of(c->doc, t);
		}
		*at = c2s_map_get(c->doc, it, "source", NULL);
	}
	return *at && is_str(c, *at) ? str_of(c->doc, *at) : none;
}

static void check_file_objects(struct dctx *c, const struct c2s_node *key, const struct c2s_node *svc,
			       const struct c2s_node *list, const char *what, int which)
{
	(void)svc;
	if (!c2s_is_sequence(list))
		return;
	for (uint32_t i = 0, n = c2s_count(list); i < n; i++) {
		const struct c2s_node *it = c2s_seq_item(c->doc, list, i), *at = it;
		if (c2s_is_mapping(it)) {
			const struct c2s_node *src = c2s_map_get(c->doc, it, "source", NULL);
			if (src && !c2s_is_scalar(src))
				continue;
			at = src ? src : it;
			if (!src) {
				undefined(c, key, at, what, (struct c2s_str){"", 0});
				continue;
			}
		} else if (!c2s_is_scalar(it)) {
			continue;
		}
		struct c2s_str name = str_of(c->doc, at);
		if (!defined(c, which, name))
			undefined(c, key, at, what, name);
	}
	/* two references to one file target (ParseSecrets, ParseConfigs in the CLI's
	 * cli/command/service/parse.go); few references per service: a quadratic scan */
	for (uint32_t i = 1, n = c2s_count(list); i < n; i++) {
		const struct c2s_node *tn, *it = c2s_seq_item(c->doc, list, i);
		struct c2s_str t = file_target(c, it, &tn);
		for (uint32_t j = 0; t.p && j < i; j++) {
			const struct c2s_node *pn;
			struct c2s_str pt = file_target(c, c2s_seq_item(c->doc, list, j), &pn);
			if (!pt.p || pt.n != t.n || memcmp(pt.p, t.p, t.n) != 0)
				continue;
			struct c2s_diag *dg = c2s_diag_at(c->diags, C2S_R_CS2008, c->doc, tn,
				"service " SVC_FMT ": duplicate %s target for %.*s not allowed", SVC_ARG(key), what,
				(int)t.n, t.p);
			c2s_diag_related(c->diags, dg, c->doc->src, pn->start, c2s_node_end(c->doc, pn),
					 "the %s first mounted at %.*s", what, (int)t.n, t.p);
			c2s_diag_hint(c->diags, dg, "give each %s of the service its own target (the target "
				      "defaults to the %s's name)", what, what);
			c->errors++;
			break;
		}
	}
}

/* credential_spec.config names a config, which deploy adds to the service's configs */
static void check_credential_config(struct dctx *c, const struct c2s_node *key, const struct c2s_node *svc)
{
	const struct c2s_node *cs = c->s[S_CREDENTIAL_SPEC];
	const struct c2s_node *cfg = c2s_map_get(c->doc, cs, "config", NULL);
	if (!cfg || !is_str(c, cfg) || !str_of(c->doc, cfg).n)
		return;
	if (!defined(c, TOP_CONFIGS, str_of(c->doc, cfg)))
		undefined(c, key, cfg, "config", str_of(c->doc, cfg));
}

/* ---- volumes: short syntax (loader/volume.go), mounts (convert/volume.go) ---- */

static void mount_error(struct dctx *c, const struct c2s_node *key, const struct c2s_node *at, const char *msg)
{
	if (c->o->skip_deploy_checks)
		return;  /* only deploy converts mounts */
	struct c2s_diag *dg = c2s_diag_at(c->diags, C2S_R_CS2008, c->doc, at, "service " SVC_FMT ": %s", SVC_ARG(key), msg);
	(void)dg;
	c->errors++;
}


static void check_volumes(struct dctx *c, const struct c2s_node *key, const struct c2s_node *svc)
{
	const struct c2s_node *vols = c->s[S_VOLUMES];
	if (!c2s_is_sequence(vols))
		return;
	for (uint32_t i = 0, n = c2s_count(vols); i < n; i++) {
		const struct c2s_node *it = c2s_seq_item(c->doc, vols, i);
		if (is_str(c, it)) {
			struct c2s_str s = str_of(c->doc, it);
			struct c2s_volume_spec v;
			char e[512];
			if (c2s_volume_spec_parse(s.p, s.n, &v, e, sizeof e) != 0) {
				struct c2s_diag *dg = c2s_diag_at(c->diags, C2S_R_CS2005, c->doc, it,
					"error decoding 'Volumes[%u]': %s", (unsigned)i, e);
				if (s.n && strstr(e, "empty section between colons") && s.p[0] == ':')
					c2s_diag_hint(c->diags, dg, "the source is empty: an unset variable? (SOURCE:TARGET[:MODE])");
				else if (s.n)
					c2s_diag_hint(c->diags, dg, "a short volume is [SOURCE:]TARGET[:MODE]");
				c->errors++;
				continue;
			}
			if (v.source && !v.bind) {
				struct c2s_str src = {v.source, v.source_n};
				if (v.propagation)
					mount_error(c, key, it, "bind options are incompatible with type volume");
				else if (!defined(c, TOP_VOLUMES, src))
					undefined(c, key, it, "volume", src);
			} else if (v.source && v.nocopy) {
				mount_error(c, key, it, "volume options are incompatible with type bind");
			}
			continue;
		}
		if (!c2s_is_mapping(it))
			continue;
		const struct c2s_node *type = c2s_map_get(c->doc, it, "type", NULL);
		const struct c2s_node *src = c2s_map_get(c->doc, it, "source", NULL);
		if (!type || !is_str(c, type))
			continue;
		struct c2s_str t = str_of(c->doc, type);
		struct c2s_str sv = src && is_str(c, src) ? str_of(c->doc, src) : (struct c2s_str){"", 0};
		int has[5];
		static const char *const opt[] = {"bind", "volume", "tmpfs", "image", "cluster"};
		for (int q = 0; q < 5; q++)
			has[q] = c2s_map_get(c->doc, it, opt[q], NULL) != NULL;
#define IS(x) (t.n == strlen(x) && !memcmp(t.p, x, t.n))
		char msg[128];
		if (IS("bind") && sv.n == 0) {
			c2s_diag_at(c->diags, C2S_R_CS2006, c->doc, it,
				    "invalid mount config for type \"bind\": field Source must not be empty");
			c->errors++;
			continue;
		}
		int self = IS("bind") ? 0 : IS("volume") ? 1 : IS("tmpfs") ? 2 : IS("image") ? 3 : IS("cluster") ? 4 :
			   IS("npipe") ? 5 : -1;
		if (self < 0) {
			mount_error(c, key, type, "volume type must be volume, bind, tmpfs, npipe, or cluster");
			continue;
		}
		if (self == 2 && sv.n) {
			mount_error(c, key, src, "invalid tmpfs source, source must be empty");
			continue;
		}
		if ((self == 3 || self == 5 || self == 4) && !sv.n) {
			snprintf(msg, sizeof msg, "invalid %.*s source, source cannot be empty", (int)t.n, t.p);
			mount_error(c, key, it, msg);
			continue;
		}
		int bad = 0;
		for (int q = 0; q < 5 && !bad; q++)
			/* what each type's converter checks (convert/volume.go): cluster takes no
			 * look at image options, npipe none at bind or cluster ones */
			if (has[q] && q != self && !(self == 4 && q == 3) && !(self == 5 && (q == 4 || q == 0))) {
				snprintf(msg, sizeof msg, "%s options are incompatible with type %.*s",
					 q == 3 && self == 1 ? "images" : opt[q], (int)t.n, t.p);
				mount_error(c, key, it, msg);
				bad = 1;
			}
		/* a cluster volume group ("group:NAME") needs no definition */
		if (!bad && (self == 1 || (self == 4 && !(sv.n > 6 && !memcmp(sv.p, "group:", 6)))) && sv.n &&
		    !defined(c, TOP_VOLUMES, sv))
			undefined(c, key, src, "volume", sv);
#undef IS
	}
}

/* ---- healthcheck, restart, credential spec, ports ---- */

static void check_misc(struct dctx *c, const struct c2s_node *key, const struct c2s_node *svc)
{
	const struct c2s_node *hc = c->s[S_HEALTHCHECK];
	if (c2s_is_mapping(hc)) {
		const struct c2s_node *dis = c2s_map_get(c->doc, hc, "disable", NULL);
		const struct c2s_node *test = c2s_map_get(c->doc, hc, "test", NULL);
		struct c2s_value v;
		if (dis && c2s_is_scalar(dis) && c2s_resolve(c->doc, dis, &v) == C2S_TYPE_BOOL && v.boolean && test &&
		    ((c2s_is_sequence(test) && c2s_count(test)) || (is_str(c, test)))) {
			struct c2s_diag *dg = c2s_diag_at(c->diags, C2S_R_CS2008, c->doc, dis,
				"service " SVC_FMT ": test and disable can't be set at the same time", SVC_ARG(key));
			c2s_diag_hint(c->diags, dg, "remove test (or disable)");
			c->errors++;
		}
	}
	const struct c2s_node *restart = c->s[S_RESTART];
	if (restart && is_str(c, restart) && !c->d[D_RESTART_POLICY]) {
		struct c2s_str r = str_of(c->doc, restart);
		const char *colon = memchr(r.p, ':', r.n);
		size_t kn = colon ? (size_t)(colon - r.p) : r.n;
		const char *msg = NULL;
		if (colon && kn == 0)
			msg = "invalid restart policy format: no policy provided before colon";
		else if (colon && (size_t)(r.p + r.n - colon - 1) > 0) {
			long long cnt;
			if (c2s_go_atoi(colon + 1, (size_t)(r.p + r.n - colon - 1), &cnt, NULL) != 0)
				msg = "invalid restart policy format: maximum retry count must be an integer";
		}
		static const char *const ok[] = {"", "no", "always", "unless-stopped", "on-failure"};
		int known = 0;
		for (int q = 0; q < 5; q++)
			if (kn == strlen(ok[q]) && !memcmp(r.p, ok[q], kn))
				known = 1;
		if (msg || !known) {
			struct c2s_diag *dg;
			if (msg)
				dg = c2s_diag_at(c->diags, C2S_R_CS2008, c->doc, restart, "service " SVC_FMT ": %s", SVC_ARG(key), msg);
			else
				dg = c2s_diag_at(c->diags, C2S_R_CS2008, c->doc, restart,
						 "service " SVC_FMT ": unknown restart policy: %.*s", SVC_ARG(key), (int)r.n, r.p);
			c2s_diag_hint(c->diags, dg, "restart is no, always, unless-stopped or on-failure[:N]; better, use "
				      "deploy.restart_policy");
			c->errors++;
		}
	}
	const struct c2s_node *cs = c->s[S_CREDENTIAL_SPEC];
	if (c2s_is_mapping(cs)) {
		static const char *const f[] = {"config", "file", "registry"}, *const F[] = {"Config", "File", "Registry"};
		const char *set[3];
		int n = 0;
		for (int q = 0; q < 3; q++) {
			const struct c2s_node *x = c2s_map_get(c->doc, cs, f[q], NULL);
			if (x && is_str(c, x) && str_of(c->doc, x).n)
				set[n++] = F[q];
		}
		if (n >= 2) {
			if (n == 2)
				c2s_diag_at(c->diags, C2S_R_CS2008, c->doc, cs, "service " SVC_FMT ": invalid credential spec: "
					    "cannot specify both \"%s\" and \"%s\"", SVC_ARG(key), set[0], set[1]);
			else
				c2s_diag_at(c->diags, C2S_R_CS2008, c->doc, cs, "service " SVC_FMT ": invalid credential spec: "
					    "cannot specify both \"%s\", \"%s\", and \"%s\"", SVC_ARG(key), set[0], set[1], set[2]);
			c->errors++;
		}
	}
}

/* ---- env_file (loader: resolveEnvironment) ---- */

/* A file path as docker resolves it (loader absPath: the workdir joined with a
 * relative path), shown relative to where compose2swarm runs when the workdir is. */
static void abs_path(const struct dctx *c, struct c2s_str rel, char *out, size_t size)
{
	const char *wd = c->o->workdir && *c->o->workdir ? c->o->workdir : ".";
	size_t wn = strlen(wd);
	if (wn + rel.n + 3 > size) {
		snprintf(out, size, "%.*s", (int)rel.n, rel.p);
		return;
	}
	c2s_path_resolve(wd, wn, rel.p, rel.n, out);
}

static void check_env_files(struct dctx *c, const struct c2s_node *svc)
{
	const struct c2s_node *ef = c->s[S_ENV_FILE];
	if (!ef)
		return;
	uint32_t n = c2s_is_sequence(ef) ? c2s_count(ef) : 1;
	for (uint32_t i = 0; i < n; i++) {
		const struct c2s_node *f = c2s_is_sequence(ef) ? c2s_seq_item(c->doc, ef, i) : ef;
		if (!is_str(c, f))
			continue;
		char path[4096], err[1024];
		abs_path(c, str_of(c->doc, f), path, sizeof path);
		if (access(path, F_OK) != 0 && errno == ENOENT) {
			c->errors++;  /* CS9005 (missing-file) says it, with the swarm advice */
			return;
		}
		enum c2s_envfile_status st = c2s_envfile_load(path, NULL, NULL, err, sizeof err);
		if (st == C2S_ENVFILE_OK)
			continue;
		if (st == C2S_ENVFILE_NOMEM) {
			c2s_diags_out_of_memory(c->diags);
			return;
		}
		struct c2s_diag *dg = c2s_diag_at(c->diags, C2S_R_CS3005, c->doc, f, "%s", err);
		if (st == C2S_ENVFILE_INVALID)
			c2s_diag_hint(c->diags, dg, "docker reads env files verbatim: one KEY=VALUE per line, no spaces in "
				      "the key, no `export`, quotes kept");
		else
			c2s_diag_hint(c->diags, dg, "docker reads env_file when the stack is deployed, relative to the "
				      "compose file's directory");
		c->errors++;
		return;  /* docker stops at the first */
	}
}

/* ---- top-level objects ---- */

static void check_top_objects(struct dctx *c)
{
	static const char *const kinds[] = {"volume", "network", "secret", "config"};
	const struct c2s_node *tops[] = {c->volumes, c->networks, c->secrets, c->configs};
	for (int k = 0; k < 4; k++) {
		const struct c2s_node *top = tops[k];
		if (!c2s_is_mapping(top))
			continue;
		for (uint32_t i = 0, n = c2s_count(top); i < n; i++) {
			const struct c2s_node *name = c2s_map_key(c->doc, top, i), *obj = c2s_map_value(c->doc, top, i);
			if (!c2s_is_mapping(obj))
				continue;
			const struct c2s_node *ext = c2s_map_get(c->doc, obj, "external", NULL);
			struct c2s_value v;
			const struct c2s_node *cs = k == 0 ? c2s_map_get(c->doc, obj, "x-cluster-spec", NULL) : NULL;
			if (cs && !c2s_is_mapping(cs) && !(c2s_is_scalar(cs) && c2s_resolve(c->doc, cs, &v) == C2S_TYPE_NULL)) {
				/* a field of docker's typed model even where the schema sees an x- key (before 3.10) */
				const char *got = c2s_is_sequence(cs) ? "slice" : "string";
				if (c2s_is_scalar(cs))
					switch (c2s_resolve(c->doc, cs, &v)) {
					case C2S_TYPE_BOOL: got = "bool"; break;
					case C2S_TYPE_INT: got = "int"; break;
					case C2S_TYPE_UINT: got = "uint64"; break;
					case C2S_TYPE_FLOAT: got = "float64"; break;
					default: break;
					}
				struct c2s_str nm0 = str_of(c->doc, name);
				c2s_diag_at(c->diags, C2S_R_CS2009, c->doc, cs, "'[%.*s].x-cluster-spec' expected a map, got '%s'",
					    (int)nm0.n, nm0.p, got);
				c->errors++;
			}
			int external = ext && (c2s_is_mapping(ext) ||
					       (c2s_is_scalar(ext) && c2s_resolve(c->doc, ext, &v) == C2S_TYPE_BOOL && v.boolean));
			struct c2s_str nm = str_of(c->doc, name);
			if (external) {
				if (k == 0) {
					static const char *const conflict[] = {"driver", "driver_opts", "labels"};
					for (int q = 0; q < 3; q++) {
						const struct c2s_node *x = c2s_map_get(c->doc, obj, conflict[q], NULL);
						int set = x && ((q == 0 && is_str(c, x) && str_of(c->doc, x).n) ||
								(q > 0 && (c2s_is_mapping(x) || c2s_is_sequence(x)) && c2s_count(x)));
						if (set) {
							struct c2s_diag *dg = c2s_diag_at(c->diags, C2S_R_CS2006, c->doc, x,
								"conflicting parameters \"external\" and \"%s\" specified for volume \"%.*s\"",
								conflict[q], (int)nm.n, nm.p);
							c2s_diag_hint(c->diags, dg, "an external volume is only named here; its %s "
								      "belongs where it is created", conflict[q]);
							c->errors++;
							break;
						}
					}
				}
				if (c2s_is_mapping(ext)) {
					const struct c2s_node *en = c2s_map_get(c->doc, ext, "name", NULL);
					const struct c2s_node *on = c2s_map_get(c->doc, obj, "name", NULL);
					if (en && on && is_str(c, en) && str_of(c->doc, en).n && is_str(c, on) && str_of(c->doc, on).n) {
						struct c2s_diag *dg = c2s_diag_at(c->diags, C2S_R_CS2006, c->doc, on,
							"%s %.*s: %s.external.name and %s.name conflict; only use %s.name",
							kinds[k], (int)nm.n, nm.p, kinds[k], kinds[k], kinds[k]);
						(void)dg;
						c->errors++;
					}
				}
				continue;
			}
			if (k >= 2) {
				const struct c2s_node *drv = c2s_map_get(c->doc, obj, "driver", NULL);
				const struct c2s_node *file = c2s_map_get(c->doc, obj, "file", NULL);
				if (drv && is_str(c, drv) && str_of(c->doc, drv).n) {
					if (file && is_str(c, file) && str_of(c->doc, file).n) {
						c2s_diag_at(c->diags, C2S_R_CS2006, c->doc, drv,
							    "%s %.*s: %s.driver and %s.file conflict; only use %s.driver", kinds[k],
							    (int)nm.n, nm.p, kinds[k], kinds[k], kinds[k]);
						c->errors++;
					}
					continue;
				}
				if (c->o->skip_deploy_checks)
					continue;
				/* deploy reads the file */
				char path[4096];
				struct c2s_str fs = file && is_str(c, file) ? str_of(c->doc, file) : (struct c2s_str){"", 0};
				abs_path(c, fs, path, sizeof path);
				/* os.ReadFile opens a directory fine and fails reading it (as
				 * fopen does here): a secret with no file: (nor external,
				 * driver) reads the compose file's directory. A file: that is
				 * a directory is CS9005's (missing-file) to say. */
				struct stat st;
				int e = 0;
				if (stat(path, &st) == 0 && S_ISDIR(st.st_mode)) {
					c->errors++;
					if (fs.n)
						continue;
					struct c2s_diag *dg = c2s_diag_at(c->diags, C2S_R_CS2008, c->doc, name,
						"read %s: is a directory", path);
					c2s_diag_hint(c->diags, dg, "%s %.*s has no file:, so docker stack deploy reads the "
						      "compose file's directory; give it a file: or external: true",
						      kinds[k], (int)nm.n, nm.p);
					continue;
				} else {
					FILE *fp = fopen(path, "rb");
					if (fp) {
						fclose(fp);
						continue;
					}
					e = errno;
				}
				c->errors++;
				if (e == ENOENT)
					continue;  /* CS9005 (missing-file) says it */
				struct c2s_diag *dg = c2s_diag_at(c->diags, C2S_R_CS2008, c->doc, file ? file : name,
					"open %s: %s", path, strerror(e));
				c2s_diag_hint(c->diags, dg, "docker stack deploy reads the %s's file from the machine it runs "
					      "on, relative to the compose file", kinds[k]);
			}
		}
	}
}

/* Unsigned fields of docker's typed model (types.go): a negative number does not
 * decode. path is relative to the service; "[]" is each item of a list. */
static const struct {
	const char *path[4];
	const char *field;  /* as mapstructure names it; %u: the list index */
	int s, d;           /* path[0] in c->s; path[1] in c->d (deploy's) or -1 */
} uint_fields[] = {
	{{"deploy", "replicas"}, "Deploy.Replicas", S_DEPLOY, D_REPLICAS},
	{{"deploy", "update_config", "parallelism"}, "Deploy.UpdateConfig.Parallelism", S_DEPLOY, D_UPDATE_CONFIG},
	{{"deploy", "rollback_config", "parallelism"}, "Deploy.RollbackConfig.Parallelism", S_DEPLOY, D_ROLLBACK_CONFIG},
	{{"deploy", "restart_policy", "max_attempts"}, "Deploy.RestartPolicy.max_attempts", S_DEPLOY, D_RESTART_POLICY},
	{{"deploy", "placement", "max_replicas_per_node"}, "Deploy.Placement.max_replicas_per_node", S_DEPLOY,
	 D_PLACEMENT},
	{{"healthcheck", "retries"}, "HealthCheck.Retries", S_HEALTHCHECK, -1},
	{{"ports", "[]", "target"}, "Ports[%u].Target", S_PORTS, -1},
	{{"ports", "[]", "published"}, "Ports[%u].Published", S_PORTS, -1},
	{{"secrets", "[]", "mode"}, "Secrets[%u].Mode", S_SECRETS, -1},
	{{"configs", "[]", "mode"}, "Configs[%u].Mode", S_CONFIGS, -1},
};

static void check_uint_at(struct dctx *c, const struct c2s_node *n, const char *field, unsigned idx)
{
	struct c2s_value v;
	if (!c2s_is_scalar(n) || c2s_node_interp_failed(c->doc, n))
		return;
	/* only an untagged plain scalar starting with '-' (or a tagged one) can be negative */
	if (!(c2s_flags(n) & C2S_NODE_TAG) &&
	    (c2s_style(n) != C2S_STYLE_PLAIN || !c2s_count(n) || c2s_scalar(c->doc, n).p[0] != '-'))
		return;
	enum c2s_type t = c2s_resolve(c->doc, n, &v);
	if (!((t == C2S_TYPE_INT && v.i < 0) || (t == C2S_TYPE_FLOAT && v.f < 0)))
		return;
	char name[96];
	snprintf(name, sizeof name, field, idx);
	struct c2s_str s = str_of(c->doc, n);
	struct c2s_diag *dg;
	if (t == C2S_TYPE_INT)
		dg = c2s_diag_at(c->diags, C2S_R_CS2005, c->doc, n, "cannot parse '%s', %lld overflows uint", name,
				 (long long)v.i);
	else
		dg = c2s_diag_at(c->diags, C2S_R_CS2005, c->doc, n, "cannot parse '%s', %f overflows uint", name, v.f);
	c2s_diag_hint(c->diags, dg, "this number cannot be negative (%.*s)", (int)s.n, s.p);
	c->errors++;
}

static void check_uints(struct dctx *c, const struct c2s_node *svc)
{
	for (size_t f = 0; f < sizeof uint_fields / sizeof *uint_fields; f++) {
		/* the first steps from the service's key tables */
		const struct c2s_node *n = uint_fields[f].d >= 0 ? c->d[uint_fields[f].d] : c->s[uint_fields[f].s];
		size_t i = uint_fields[f].d >= 0 ? 2 : 1;
		(void)svc;
		for (; i < 4 && uint_fields[f].path[i] && n; i++) {
			if (!strcmp(uint_fields[f].path[i], "[]"))
				break;
			n = c2s_map_get(c->doc, n, uint_fields[f].path[i], NULL);
		}
		if (!n)
			continue;
		if (i < 4 && uint_fields[f].path[i]) {  /* each item of a list */
			if (!c2s_is_sequence(n))
				continue;
			for (uint32_t k = 0, cnt = c2s_count(n); k < cnt; k++) {
				const struct c2s_node *it = c2s_seq_item(c->doc, n, k);
				const struct c2s_node *x = c2s_map_get(c->doc, it, uint_fields[f].path[i + 1], NULL);
				if (x)
					check_uint_at(c, x, uint_fields[f].field, k);
			}
		} else {
			check_uint_at(c, n, uint_fields[f].field, 0);
		}
	}
}

/* The schema lets a service's shm_size be a number; docker's typed model holds a string. */
static void check_shm_size(struct dctx *c, const struct c2s_node *svc)
{
	const struct c2s_node *v = c->s[S_SHM_SIZE];
	struct c2s_value x;
	if (!v || !c2s_is_scalar(v) || c2s_node_interp_failed(c->doc, v))
		return;
	enum c2s_type t = c2s_resolve(c->doc, v, &x);
	const char *type = t == C2S_TYPE_INT ? "int" : t == C2S_TYPE_UINT ? "uint64" : t == C2S_TYPE_FLOAT ? "float64" : NULL;
	if (!type)
		return;
	struct c2s_str s = str_of(c->doc, v);
	struct c2s_diag *dg = c2s_diag_at(c->diags, C2S_R_CS2009, c->doc, v,
		"'shm_size' expected type 'string', got unconvertible type '%s', value: '%.*s'", type, (int)s.n, s.p);
	c2s_diag_hint(c->diags, dg, "quote it: shm_size: \"%.*s\" (swarm ignores shm_size anyway)",
		      (int)s.n, s.p);
	c->errors++;
}

/* A command or entrypoint written as one string: the loader's
 * transformShellCommand splits it with google/shlex, whose errors refuse the
 * file ("error decoding 'Command': EOF found when expecting closing quote"). */
static void check_shell_commands(struct dctx *c)
{
	static const char *const field[] = {"Command", "Entrypoint"};
	for (int k = 0; k < 2; k++) {
		const struct c2s_node *n = c->s[k ? S_ENTRYPOINT : S_COMMAND];
		if (!n || !is_str(c, n))
			continue;
		struct c2s_str t = str_of(c->doc, n);
		const char *why = c2s_go_shlex_error(t.p, t.n);
		if (!why)
			continue;
		struct c2s_diag *dg = c2s_diag_at(c->diags, C2S_R_CS2009, c->doc, n, "error decoding '%s': %s",
						  field[k], why);
		c2s_diag_hint(c->diags, dg, "close the quote or escape it, or write the %s as a list",
			      k ? "entrypoint" : "command");
		c->errors++;
	}
}

/* A float with no fraction (1.0, 1e3) passes the schema's "integer" (it reads
 * back from JSON as one) but is still a float64 to transformUlimits. */
static int schema_int_float(enum c2s_type t, const struct c2s_value *v)
{
	return t == C2S_TYPE_FLOAT && isfinite(v->f) && v->f == floor(v->f);
}

/* ulimits the schema leaves alone (names outside ^[a-z]+$) still go through the
 * loader's transformUlimits: an int, or a map whose soft and hard are ints. The
 * schema's integers include 2^63 and more, which yaml.v3 makes uint64: refused
 * (or a crash) whatever the name; so are integral floats (cli/compose/loader
 * loader.go transformUlimits). */
static void check_ulimits(struct dctx *c, const struct c2s_node *svc)
{
	const struct c2s_node *ul = c->s[S_ULIMITS];
	if (!c2s_is_mapping(ul))
		return;
	for (uint32_t i = 0, n = c2s_count(ul); i < n; i++) {
		const struct c2s_node *k = c2s_map_key(c->doc, ul, i), *val = c2s_map_value(c->doc, ul, i);
		struct c2s_str name = str_of(c->doc, k);
		int lower = name.n > 0;
		for (size_t j = 0; j < name.n; j++)
			if (name.p[j] < 'a' || name.p[j] > 'z')
				lower = 0;
		if (c2s_node_interp_failed(c->doc, val))
			continue;
		struct c2s_value v;
		if (c2s_is_mapping(val)) {
			static const char *const parts[] = {"soft", "hard"};
			for (int p = 0; p < 2; p++) {
				const struct c2s_node *x = c2s_map_get(c->doc, val, parts[p], NULL);
				enum c2s_type xt = x && c2s_is_scalar(x) ? c2s_resolve(c->doc, x, &v) : C2S_TYPE_NULL;
				if (xt == C2S_TYPE_INT || (lower && xt != C2S_TYPE_UINT && !schema_int_float(xt, &v)))
					continue;  /* an int, or the schema's to report */
				struct c2s_diag *dg = c2s_diag_at(c->diags, C2S_R_CS2009, c->doc, x ? x : k,
					"ulimit %.*s: %s %s; docker's loader crashes on it (panic: interface conversion: "
					"interface {} is %s, not int)", (int)name.n, name.p, parts[p], x ? "is not an integer" :
					"is missing", xt == C2S_TYPE_UINT ? "uint64" : xt == C2S_TYPE_FLOAT ? "float64" :
					xt == C2S_TYPE_BOOL ? "bool" : xt == C2S_TYPE_NULL ? "nil" : "string");
				c2s_diag_hint(c->diags, dg, "write {soft: N, hard: N} with whole numbers, or a single number");
				c->errors++;
				break;
			}
			continue;
		}
		const char *type = c2s_is_sequence(val) ? "[]interface {}" : NULL;
		if (!type) {
			switch (c2s_resolve(c->doc, val, &v)) {
			case C2S_TYPE_INT:
			case C2S_TYPE_NULL:
				continue;
			case C2S_TYPE_BOOL: type = "bool"; break;
			case C2S_TYPE_UINT: type = "uint64"; break;
			case C2S_TYPE_FLOAT: type = "float64"; break;
			default: type = "string"; break;
			}
		}
		if (lower && strcmp(type, "uint64") != 0 && !(strcmp(type, "float64") == 0 && schema_int_float(C2S_TYPE_FLOAT, &v)))
			continue;  /* the schema checked it */
		struct c2s_diag *dg = c2s_diag_at(c->diags, C2S_R_CS2009, c->doc, val,
			"error decoding 'Ulimits[%.*s]': invalid type %s for ulimits", (int)name.n, name.p, type);
		c2s_diag_hint(c->diags, dg, "a ulimit is a number or {soft: N, hard: N}");
		c->errors++;
	}
}

/* The loader's typed decoding of sizes and ports (stack config refuses these too). */
static void check_sizes_and_ports(struct dctx *c, const struct c2s_node *svc)
{
	const struct c2s_node *res = c->d[D_RESOURCES];
	static const char *const parts[] = {"limits", "reservations"};
	for (int p = 0; p < 2 && c2s_is_mapping(res); p++) {
		const struct c2s_node *part = c2s_map_get(c->doc, res, parts[p], NULL);
		if (!c2s_is_mapping(part))
			continue;
		const struct c2s_node *mem = c2s_map_get(c->doc, part, "memory", NULL);
		if (mem && is_str(c, mem)) {
			char e[256];
			int64_t bytes;
			struct c2s_str s = str_of(c->doc, mem);
			if (c2s_size_parse(s.p, s.n, 0, &bytes, e, sizeof e) != 0) {
				struct c2s_diag *dg = c2s_diag_at(c->diags, C2S_R_CS2005, c->doc, mem,
					"error decoding 'Deploy.Resources.%s.memory': %s", p ? "Reservations" : "Limits", e);
				c2s_diag_hint(c->diags, dg, "a size is a number with an optional unit: 512M, 1.5G, 1024k, 2GiB");
				c->errors++;
			}
		}
	}
	const struct c2s_node *ports = c->s[S_PORTS];
	if (c2s_is_sequence(ports))
		for (uint32_t i = 0, n = c2s_count(ports); i < n; i++) {
			const struct c2s_node *p = c2s_seq_item(c->doc, ports, i);
			struct c2s_value pv;
			/* yaml.v3 makes 80.0 a float64 too, which the loader refuses however whole */
			if (c2s_is_scalar(p) && c2s_schema_kind(c->doc, p) != ST_STR &&
			    c2s_resolve(c->doc, p, &pv) == C2S_TYPE_FLOAT) {
				c2s_diag_at(c->diags, C2S_R_CS2005, c->doc, p, "error decoding 'Ports': invalid type float64 for port");
				c->errors++;
			}
		}
}

/* Before 3.4 the schema has no duration format for the healthcheck's times; the
 * loader's typed decoding still parses them. */
static void check_old_durations(struct dctx *c, const struct c2s_node *svc)
{
	const struct c2s_node *hc = c->s[S_HEALTHCHECK];
	static const char *const keys[] = {"interval", "timeout"}, *const field[] = {"Interval", "Timeout"};
	if (c->minor >= 4 || !c2s_is_mapping(hc))
		return;
	for (int k = 0; k < 2; k++) {
		const struct c2s_node *v = c2s_map_get(c->doc, hc, keys[k], NULL);
		if (!v || !is_str(c, v))
			continue;
		struct c2s_str s = str_of(c->doc, v);
		char e[256];
		int64_t ns;
		if (c2s_duration_parse(s.p, s.n, &ns, e, sizeof e) == 0)
			continue;
		struct c2s_diag *dg = c2s_diag_at(c->diags, C2S_R_CS2005, c->doc, v,
			"error decoding 'HealthCheck.%s': %s", field[k], e);
		c2s_diag_hint(c->diags, dg, "a Go duration: a number and a unit (ns, us, ms, s, m, h), e.g. 1m30s, 10s");
		c->errors++;
	}
}

int c2s_deploy_checks(const struct c2s_doc *doc, const struct c2s_pipeline_options *o, int version_minor,
		      struct c2s_diags *diags)
{
	struct dctx cx = {0}, *c = &cx;
	c->minor = version_minor;
	c->doc = doc;
	c->o = o;
	c->diags = diags;
	c->root = c2s_node_at(doc, doc->root);
	if (!c2s_is_mapping(c->root))
		return 0;
	c->networks = c2s_map_get(doc, c->root, "networks", NULL);
	c->volumes = c2s_map_get(doc, c->root, "volumes", NULL);
	c->secrets = c2s_map_get(doc, c->root, "secrets", NULL);
	c->configs = c2s_map_get(doc, c->root, "configs", NULL);
	const struct c2s_node *services = c2s_map_get(doc, c->root, "services", NULL);
	if (index_names(c, TOP_VOLUMES, c->volumes) || index_names(c, TOP_NETWORKS, c->networks) ||
	    index_names(c, TOP_SECRETS, c->secrets) || index_names(c, TOP_CONFIGS, c->configs)) {
		for (int i = 0; i < 4; i++)
			c2s_keyset_free(&c->names[i]);
		return -1;
	}
	if (c2s_is_mapping(services)) {
		/* lint's table of the services' keys when there is one (its match of every
		 * service's keys serves the rules too), else a pass over each service */
		const struct c2s_svc_table *tab = c2s_svc_table_of(doc, services);
		for (int k = 0; k < S_N; k++)
			c->svc_names[k] = c2s_svc_key_names[svc_sk[k]];
		for (int k = 0; k < D_N; k++)
			c->dep_names[k] = c2s_svc_key_names[dep_sk[k]];
		c2s_key_slots_init(&c->svc_slots, c->svc_names, S_N);
		c2s_key_slots_init(&c->dep_slots, c->dep_names, D_N);
		for (uint32_t i = 0, n = c2s_count(services); i < n; i++) {
			const struct c2s_node *key = c2s_map_key(doc, services, i), *svc = c2s_map_value(doc, services, i);
			if (!c2s_is_mapping(svc) || !c2s_is_scalar(key))
				continue;
			if (tab) {
				for (int k = 0; k < S_N; k++)
					c->s[k] = c2s_svc_table_get(doc, tab, services, i, svc_sk[k], NULL);
				for (int k = 0; k < D_N; k++)
					c->d[k] = c2s_svc_table_get(doc, tab, services, i, dep_sk[k], &c->dkey[k]);
			} else {
				c2s_map_get_slots(doc, svc, &c->svc_slots, c->s, NULL);
				c2s_map_get_slots(doc, c->s[S_DEPLOY], &c->dep_slots, c->d, c->dkey);
			}
			check_env_files(c, svc);
			check_old_durations(c, svc);
			check_uints(c, svc);
			check_ulimits(c, svc);
			check_shell_commands(c);
			check_shm_size(c, svc);
			check_sizes_and_ports(c, svc);
			check_volumes(c, key, svc);
			if (o->skip_deploy_checks)
				continue;
			check_image(c, key, svc);
			check_deploy(c, key, svc);
			check_networks(c, key, svc);
			check_file_objects(c, key, svc, c->s[S_SECRETS], "secret", TOP_SECRETS);
			check_file_objects(c, key, svc, c->s[S_CONFIGS], "config", TOP_CONFIGS);
			check_credential_config(c, key, svc);
			check_misc(c, key, svc);
		}
	}
	check_top_objects(c);
	for (int i = 0; i < 4; i++)
		c2s_keyset_free(&c->names[i]);
	return c->errors;
}
