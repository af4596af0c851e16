/* rules_artifacts.c -- CS9xxx: images, volumes, files, secrets and configs. */
#include "config.h"
#include "check.h"
#include "goval.h"
#include "interp.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Longest path we build to look a file up. */
#define ARTIFACT_MAX_PATH 4096

/* Is value s of node n not what deploy would use? With --no-interpolate a '$' is
 * still a variable (or a "$$"); interpolated, a '$' left is literal and only a
 * value whose interpolation failed (an error already) is unknown. */
static int unknown_value(const struct c2s_check *c, const struct c2s_node *n, struct c2s_str s)
{
	if (c->uninterpolated)
		return memchr(s.p, '$', s.n) != NULL;
	return c2s_node_interp_failed(c->doc, n);
}

/* ---- images ---- */

/* The registry host of an image reference, or an empty string for Docker Hub. */
static struct c2s_str image_registry(struct c2s_str img)
{
	const char *slash = memchr(img.p, '/', img.n);
	struct c2s_str none = {img.p, 0};
	if (!slash)
		return none;
	struct c2s_str host = {img.p, (size_t)(slash - img.p)};
	if (!memchr(host.p, '.', host.n) && !memchr(host.p, ':', host.n) && !c2s_str_eq(host, "localhost"))
		return none;
	if (c2s_str_eq(host, "docker.io") || c2s_str_eq(host, "index.docker.io") ||
	    c2s_str_eq(host, "registry-1.docker.io"))
		return none;
	return host;
}

void c2s_check_image_pinned(struct c2s_check *c)
{
	const struct c2s_doc *d = c->doc;
	C2S_FOR_EACH_SERVICE(c, i, name, svc) {
		const struct c2s_node *img = c2s_svc_key(c, i, C2S_SK_IMAGE, NULL);
		if (!c2s_is_scalar(img) || !c2s_str_eq(c2s_svc_mode(c, i), "replicated"))
			continue;
		struct c2s_str s = c2s_scalar(d, img);
		if (s.n == 0 || unknown_value(c, img, s) || memchr(s.p, '@', s.n))
			continue;  /* digests pin exactly; variables are set at deploy time */
		const char *slash = s.p, *colon = NULL;
		for (size_t k = 0; k < s.n; k++)
			if (s.p[k] == '/')
				slash = s.p + k;
		for (const char *q = slash; q < s.p + s.n; q++)
			if (*q == ':')
				colon = q;
		struct c2s_str tag = colon ? (struct c2s_str){colon + 1, (size_t)(s.p + s.n - colon - 1)}
					   : (struct c2s_str){"", 0};
		if (colon && !c2s_str_eq(tag, "latest"))
			continue;
		struct c2s_diag *dg = c2s_diag_at(c->diags, C2S_R_CS9001, d, img,
			"image %.*s %s: each node pulls whatever the tag points to when it starts a task, so "
			"replicas can run different builds and a rollback cannot return to the old one",
			(int)(s.n > 120 ? 120 : s.n), s.p, colon ? "uses the :latest tag" : "has no tag (:latest)");
		c2s_diag_hint(c->diags, dg, "pin a version tag (image: NAME:1.4.2) or a digest (NAME@sha256:...)");
	}
}

void c2s_check_registry_auth(struct c2s_check *c)
{
	const struct c2s_doc *d = c->doc;
	C2S_FOR_EACH_SERVICE(c, i, name, svc) {
		const struct c2s_node *img = c2s_svc_key(c, i, C2S_SK_IMAGE, NULL);
		if (!c2s_is_scalar(img))
			continue;
		struct c2s_str s = c2s_scalar(d, img);
		if (unknown_value(c, img, s))
			continue;
		struct c2s_str host = image_registry(s);
		if (host.n == 0)
			continue;
		struct c2s_diag *dg = c2s_diag_at(c->diags, C2S_R_CS9002, d, img,
			"image from registry %.*s: if it is private, the nodes can pull it only when the stack is "
			"deployed with --with-registry-auth", (int)(host.n > 80 ? 80 : host.n), host.p);
		c2s_diag_hint(c->diags, dg, "docker login %.*s, then docker stack deploy --with-registry-auth "
			      "-c FILE STACK (reported once per file)", (int)(host.n > 80 ? 80 : host.n), host.p);
		return;
	}
}

/* ---- volumes ---- */

static int relative_path(struct c2s_str s)
{
	return s.n && (s.p[0] == '.' || s.p[0] == '~');
}

/* The source of a short-syntax volume ("./data:/data:ro"), or an empty string. */
static struct c2s_str short_volume_source(struct c2s_str s)
{
	for (size_t k = 0; k < s.n; k++) {
		if (s.p[k] != ':')
			continue;
		if (k == 1 && ((s.p[0] | 0x20) >= 'a' && (s.p[0] | 0x20) <= 'z'))
			continue;  /* a Windows drive letter stays attached */
		return (struct c2s_str){s.p, k};
	}
	return (struct c2s_str){s.p, 0};
}

void c2s_check_relative_bind(struct c2s_check *c)
{
	const struct c2s_doc *d = c->doc;
	C2S_FOR_EACH_SERVICE(c, i, name, svc) {
		const struct c2s_node *vols = c2s_svc_key(c, i, C2S_SK_VOLUMES, NULL);
		if (!c2s_is_sequence(vols))
			continue;
		for (uint32_t k = 0; k < c2s_count(vols); k++) {
			const struct c2s_node *v = c2s_seq_item(d, vols, k), *at = v;
			struct c2s_str src = {"", 0};
			if (c2s_is_scalar(v)) {
				src = short_volume_source(c2s_scalar(d, v));
			} else if (c2s_is_mapping(v)) {
				const struct c2s_node *type = c2s_map_get(d, v, "type", NULL);
				const struct c2s_node *sn = c2s_map_get(d, v, "source", NULL);
				if (!c2s_scalar_is(d, type, "bind") || !c2s_is_scalar(sn))
					continue;
				src = c2s_scalar(d, sn);
				at = sn;
			}
			if (!relative_path(src))
				continue;
			struct c2s_diag *dg = c2s_diag_at(c->diags, C2S_R_CS9003, d, at,
				"bind mount source %.*s is made absolute on the machine that runs docker stack "
				"deploy, then looked up on whichever node runs the task", (int)(src.n > 120 ? 120 : src.n),
				src.p);
			c2s_diag_hint(c->diags, dg, "use an absolute path that exists on every eligible node (or "
				      "pin the service with a placement constraint), a named volume, or a config");
		}
	}
}

/* A named volume whose data stays on one node: local driver with no driver_opts. */
static int node_local_volume(const struct c2s_doc *d, const struct c2s_node *def)
{
	if (!def || (c2s_is_scalar(def) && c2s_count(def) == 0))
		return 1;  /* `data:` with no body: the local driver */
	if (!c2s_is_mapping(def))
		return 0;
	const struct c2s_node *ext = c2s_map_get(d, def, "external", NULL);
	struct c2s_value v;
	if (ext && !(c2s_resolve(d, ext, &v) == C2S_TYPE_BOOL && !v.boolean))
		return 0;
	const struct c2s_node *drv = c2s_map_get(d, def, "driver", NULL);
	if (drv && !c2s_scalar_is(d, drv, "local"))
		return 0;
	/* local with driver_opts: shared only when it mounts a network file system
	 * (type: nfs/nfs4/cifs/smb...); `type: none, o: bind` is a node's own directory */
	const struct c2s_node *opts = c2s_map_get(d, def, "driver_opts", NULL);
	if (!opts)
		return 1;
	const struct c2s_node *type = c2s_map_get(d, opts, "type", NULL);
	if (!c2s_is_scalar(type))
		return 0;  /* options we do not understand: say nothing */
	struct c2s_str t = c2s_scalar(d, type);
	static const char *const local_types[] = {"none", "bind", "tmpfs", "ext4", "xfs", "btrfs"};
	for (size_t i = 0; i < sizeof local_types / sizeof *local_types; i++)
		if (c2s_str_eq(t, local_types[i]))
			return 1;
	return 0;
}

void c2s_check_local_volume_replicas(struct c2s_check *c)
{
	const struct c2s_doc *d = c->doc;
	const struct c2s_node *top;
	const struct c2s_keyset *set = c2s_check_top_volumes(c, &top);
	if (!set)
		return;
	C2S_FOR_EACH_SERVICE(c, i, name, svc) {
		uint64_t replicas = 0;
		struct c2s_str mode = c2s_svc_mode(c, i);
		int global = c2s_str_eq(mode, "global");
		if (!global && (c2s_svc_replicas(c, i, &replicas) != 0 || replicas < 2))
			continue;
		const struct c2s_node *vols = c2s_svc_key(c, i, C2S_SK_VOLUMES, NULL);
		if (!c2s_is_sequence(vols))
			continue;
		for (uint32_t k = 0; k < c2s_count(vols); k++) {
			const struct c2s_node *v = c2s_seq_item(d, vols, k), *at = v;
			struct c2s_str src = {"", 0};
			if (c2s_is_scalar(v)) {
				src = short_volume_source(c2s_scalar(d, v));
			} else if (c2s_is_mapping(v)) {
				const struct c2s_node *type = c2s_map_get(d, v, "type", NULL);
				const struct c2s_node *sn = c2s_map_get(d, v, "source", NULL);
				if ((type && !c2s_scalar_is(d, type, "volume")) || !c2s_is_scalar(sn))
					continue;
				src = c2s_scalar(d, sn);
				at = sn;
			}
			if (src.n == 0 || src.p[0] == '/' || relative_path(src) || unknown_value(c, at, src))
				continue;
			int64_t idx = c2s_keyset_find(set, src);
			if (idx < 0 || !node_local_volume(d, c2s_map_value(d, top, (uint32_t)idx)))
				continue;
			char count[48];
			if (global)
				snprintf(count, sizeof count, "a global service");
			else
				snprintf(count, sizeof count, "%llu replicas", (unsigned long long)replicas);
			struct c2s_diag *dg = c2s_diag_at(c->diags, C2S_R_CS9004, d, at,
				"volume %.*s uses the local driver on %s: every node creates its own empty copy, "
				"and tasks on different nodes never see each other's data",
				(int)(src.n > 120 ? 120 : src.n), src.p, count);
			const struct c2s_node *vkey = c2s_map_key(d, top, (uint32_t)idx);
			if (dg)
				c2s_diag_related(c->diags, dg, d->src, vkey->start, c2s_node_end(d, vkey),
						 "the volume is defined here");
			c2s_diag_hint(c->diags, dg, "use a volume driver that shares data between nodes (or "
				      "driver_opts for NFS), run one replica, or pin the service to one node");
		}
	}
}

/* ---- files ---- */

/* Does path exist, resolved as the loader's absPath does (joined to the compose
 * file's directory and cleaned, shown relative to here as the file was named)?
 * 1 yes, 0 no (the resolved path in buf), -1 not checkable. */
static int file_exists(const struct c2s_check *c, const struct c2s_node *at, struct c2s_str path,
		       char *buf, size_t size)
{
	char dir[ARTIFACT_MAX_PATH];
	if (path.n == 0 || unknown_value(c, at, path) || path.p[0] == '~' || memchr(path.p, '\0', path.n))
		return -1;
	const char *base = c->doc->src->path;
	if (c2s_path_workdir(NULL, base ? base : "-", dir, sizeof dir) != 0 || strlen(dir) + path.n + 3 > size)
		return -1;
	c2s_path_resolve(dir, strlen(dir), path.p, path.n, buf);
	return access(buf, F_OK) == 0;
}

static void missing(struct c2s_check *c, const struct c2s_node *at, const char *what)
{
	struct c2s_str s = c2s_scalar(c->doc, at);
	char path[ARTIFACT_MAX_PATH + 8];
	struct stat st;
	int there = file_exists(c, at, s, path, sizeof path);
	if (there == 1 && strcmp(what, "env_file") != 0 && stat(path, &st) == 0 && S_ISDIR(st.st_mode)) {
		/* the CLI's os.ReadFile opens a directory, then fails to read it (an env_file
		 * that is a directory is CS3005's: kvfile words it) */
		struct c2s_diag *dg = c2s_diag_at(c->diags, C2S_R_CS9005, c->doc, at,
			"%s %.*s is a directory: docker stack deploy stops with \"read %.*s: is a directory\"", what,
			(int)(s.n > 200 ? 200 : s.n), s.p, (int)(strlen(path) > 240 ? 240 : strlen(path)), path);
		c2s_diag_hint(c->diags, dg, "name the file inside it");
		return;
	}
	if (there != 0)
		return;
	struct c2s_diag *dg = c2s_diag_at(c->diags, C2S_R_CS9005, c->doc, at,
		"%s %.*s does not exist (relative paths start at the compose file's directory): docker stack "
		"deploy stops with \"open %.*s: no such file or directory\"", what, (int)(s.n > 200 ? 200 : s.n), s.p,
		(int)(strlen(path) > 240 ? 240 : strlen(path)), path);
	c2s_diag_hint(c->diags, dg, "create the file, fix the path, or keep it out of version control and "
		      "create it before deploying");
}

static void missing_in_top(struct c2s_check *c, const char *section, const char *what)
{
	const struct c2s_doc *d = c->doc;
	const struct c2s_node *top = c2s_map_get(d, c->root, section, NULL);
	if (!c2s_is_mapping(top))
		return;
	for (uint32_t k = 0; k < c2s_count(top); k++) {
		const struct c2s_node *def = c2s_map_value(d, top, k);
		const struct c2s_node *f = c2s_map_get(d, def, "file", NULL);
		const struct c2s_node *ext = c2s_map_get(d, def, "external", NULL);
		struct c2s_value ev;
		/* docker never reads the file of an external secret or config */
		if (ext && !(c2s_resolve(d, ext, &ev) == C2S_TYPE_BOOL && !ev.boolean))
			continue;
		if (c2s_is_scalar(f))
			missing(c, f, what);
	}
}

void c2s_check_missing_files(struct c2s_check *c)
{
	const struct c2s_doc *d = c->doc;
	C2S_FOR_EACH_SERVICE(c, i, name, svc) {
		const struct c2s_node *ef = c2s_svc_key(c, i, C2S_SK_ENV_FILE, NULL);
		if (c2s_is_scalar(ef))
			missing(c, ef, "env_file");
		else if (c2s_is_sequence(ef))
			for (uint32_t k = 0; k < c2s_count(ef); k++)
				if (c2s_is_scalar(c2s_seq_item(d, ef, k)))
					missing(c, c2s_seq_item(d, ef, k), "env_file");
	}
	missing_in_top(c, "secrets", "secret file");
	missing_in_top(c, "configs", "config file");
}

/* ---- secrets and configs nobody uses ---- */

static void mark_used(const struct c2s_doc *d, const struct c2s_keyset *set, unsigned char *used,
		      const struct c2s_node *ref)
{
	const struct c2s_node *n = c2s_is_mapping(ref) ? c2s_map_get(d, ref, "source", NULL) : ref;
	if (!c2s_is_scalar(n))
		return;
	int64_t idx = c2s_keyset_find(set, c2s_scalar(d, n));
	if (idx >= 0)
		used[idx] = 1;
}

static void unused(struct c2s_check *c, const char *section, enum c2s_rule_index rule, const char *what)
{
	const struct c2s_doc *d = c->doc;
	const struct c2s_node *top = c2s_map_get(d, c->root, section, NULL);
	struct c2s_keyset set;
	if (!c2s_is_mapping(top) || c2s_count(top) == 0 || c2s_keyset_init(&set, d, top) != 0)
		return;
	unsigned char *used = calloc(c2s_count(top), 1);
	if (!used) {
		c2s_keyset_free(&set);
		return;
	}
	C2S_FOR_EACH_SERVICE(c, i, name, svc) {
		const struct c2s_node *refs = strcmp(section, "secrets") == 0 ? c2s_svc_key(c, i, C2S_SK_SECRETS, NULL)
					      : strcmp(section, "configs") == 0 ? c2s_svc_key(c, i, C2S_SK_CONFIGS, NULL)
					      : c2s_map_get(d, svc, section, NULL);
		if (c2s_is_sequence(refs))
			for (uint32_t k = 0; k < c2s_count(refs); k++)
				mark_used(d, &set, used, c2s_seq_item(d, refs, k));
		if (rule == C2S_R_CS9007) {
			const struct c2s_node *cs = c2s_svc_key(c, i, C2S_SK_CREDENTIAL_SPEC, NULL);
			mark_used(d, &set, used, c2s_map_get(d, cs, "config", NULL));
		}
	}
	for (uint32_t k = 0; k < c2s_count(top); k++) {
		const struct c2s_node *key = c2s_map_key(d, top, k);
		if (used[k] || !c2s_is_scalar(key))
			continue;
		struct c2s_str s = c2s_scalar(d, key);
		if (s.n >= 2 && s.p[0] == 'x' && s.p[1] == '-')
			continue;
		const struct c2s_node *ext = c2s_map_get(d, c2s_map_value(d, top, k), "external", NULL);
		struct c2s_value ev;
		int external = ext && !(c2s_resolve(d, ext, &ev) == C2S_TYPE_BOOL && !ev.boolean);
		struct c2s_diag *dg = c2s_diag_at(c->diags, rule, d, key,
			external ? "%s %.*s is declared external but no service uses it"
				 : "%s %.*s is defined but no service uses it; docker stack deploy still creates it",
			what, (int)(s.n > 120 ? 120 : s.n), s.p);
		c2s_diag_hint(c->diags, dg, "list it under a service's %s:, or remove it", section);
	}
	free(used);
	c2s_keyset_free(&set);
}

void c2s_check_unused_secrets(struct c2s_check *c)
{
	unused(c, "secrets", C2S_R_CS9006, "secret");
}

void c2s_check_unused_configs(struct c2s_check *c)
{
	unused(c, "configs", C2S_R_CS9007, "config");
}
