/* pipeline.c -- one compose file through docker/cli's stages, in docker's order
 * (docker/cli cli/compose/loader/loader.go Load): version pick, forbidden keys on the raw services, interpolation,
 * schema validation of the interpolated tree, then what only `stack deploy` checks.
 * Unlike docker, every stage reports every problem it finds. */
#include "config.h"
#include "pipeline.h"
#include "check.h"
#include "deploy_checks.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* ---- version (docker/cli cli/compose/schema/schema.go: Version, normalizeVersion) ---- */

/* Go's fmt %v of a float64 (strconv 'g', shortest): the shortest digits that
 * round-trip, in %e form when the exponent is < -4 or >= 6 ("3.1", "3", "1e+06"). */
static void go_float_v(double f, char *out, size_t size)
{
	if (isnan(f) || isinf(f)) {
		snprintf(out, size, "%s", isnan(f) ? "NaN" : f > 0 ? "+Inf" : "-Inf");
		return;
	}
	char e[64];
	int p;
	for (p = 0; p < 17; p++) {
		snprintf(e, sizeof e, "%.*e", p, f);
		if (strtod(e, NULL) == f)
			break;
	}
	int exp = atoi(strchr(e, 'e') + 1);
	if (exp < -4 || exp >= 6)
		snprintf(out, size, "%s", e);
	else
		snprintf(out, size, "%.*f", p - exp > 0 ? p - exp : 0, f);
}

int c2s_pick_version(const struct c2s_doc *doc, struct c2s_diags *diags, struct c2s_pipeline_result *res)
{
	const struct c2s_node *root = c2s_node_at(doc, doc->root), *key;
	const struct c2s_node *v = c2s_map_get(doc, root, "version", &key);
	res->version_given = v != NULL;
	res->version_minor = C2S_SCHEMA_MINOR_MAX;
	snprintf(res->version, sizeof res->version, "3.%d", C2S_SCHEMA_MINOR_MAX);
	if (!v)
		return 0;
	char text[64];
	int is_string = 0;
	struct c2s_value val;
	if (!c2s_is_scalar(v)) {
		snprintf(text, sizeof text, "%s", c2s_is_mapping(v) ? "map[...]" : "[...]");
	} else {
		struct c2s_str s = c2s_scalar(doc, v);
		switch (c2s_resolve(doc, v, &val)) {
		case C2S_TYPE_NULL:
			snprintf(text, sizeof text, "<nil>");
			break;
		case C2S_TYPE_BOOL:
			snprintf(text, sizeof text, "%s", val.boolean ? "true" : "false");
			break;
		case C2S_TYPE_INT:
			snprintf(text, sizeof text, "%lld", (long long)val.i);
			break;
		case C2S_TYPE_UINT:
			snprintf(text, sizeof text, "%llu", (unsigned long long)val.u);
			break;
		case C2S_TYPE_FLOAT:
			go_float_v(val.f, text, sizeof text);
			break;
		default:
			is_string = 1;
			snprintf(text, sizeof text, "%.*s", (int)(s.n > 60 ? 60 : s.n), s.p);
			break;
		}
	}
	const char *norm = text;
	if (!strcmp(text, "") || !strcmp(text, "3"))
		norm = "3.13";
	int minor = -1;
	if (norm[0] == '3' && norm[1] == '.' && norm[2] >= '0' && norm[2] <= '9') {
		/* exactly "3.0" .. "3.13": no leading zeros, no patch */
		if (norm[3] == '\0')
			minor = norm[2] - '0';
		else if (norm[2] == '1' && norm[3] >= '0' && norm[3] <= '3' && norm[4] == '\0')
			minor = 10 + (norm[3] - '0');
	}
	snprintf(res->version, sizeof res->version, "%s", norm);
	res->version_minor = minor;
	if (minor < 0) {
		struct c2s_diag *dg = c2s_diag_at(diags, C2S_R_CS2001, doc, v,
						  "unsupported Compose file version: %s", norm);
		if (norm[0] == '1' || norm[0] == '2')
			c2s_diag_hint(diags, dg, "docker stack deploy reads only the Compose v3 format: write "
				      "version: \"3.13\" (or no version) and move v2 keys to their v3 places "
				      "(mem_limit -> deploy.resources.limits.memory, ...)");
		else
			c2s_diag_hint(diags, dg, "use a quoted \"3.0\" ... \"3.13\", \"3\", or no version: key at all");
		return 1;
	}
	(void)is_string;  /* a non-string version is the schema's "version must be a string" */
	return 0;
}

/* ---- forbidden keys (docker/cli cli/compose/types/types.go ForbiddenProperties, loader.go) ---- */

/* The service keys docker stack deploy refuses, by their c2s_svc_key (the name
 * is c2s_svc_key_names'): its words, then ours. */
static const struct {
	enum c2s_svc_key key;
	const char *advice, *hint;
} forbidden[] = {
	{C2S_SK_EXTENDS, "Support for `extends` is not implemented yet.",
	 "docker stack never resolves extends: write the keys out, or share them with a YAML anchor "
	 "(x-base: &base {...} and <<: *base)"},
	{C2S_SK_VOLUME_DRIVER, "Instead of setting the volume driver on the service, define a volume using the "
	 "top-level `volumes` option and specify the driver there.",
	 "declare the volume at the top level with driver: and mount it by name"},
	{C2S_SK_VOLUMES_FROM, "To share a volume between services, define it using the top-level `volumes` option "
	 "and reference it from each service that shares it using the service-level `volumes` option.",
	 "declare a named volume at the top level and list it under volumes: of each service"},
	{C2S_SK_CPU_QUOTA, "Set resource limits using deploy.resources", "use deploy.resources.limits.cpus"},
	{C2S_SK_CPU_SHARES, "Set resource limits using deploy.resources",
	 "use deploy.resources.reservations.cpus (and limits.cpus)"},
	{C2S_SK_CPUSET, "Set resource limits using deploy.resources",
	 "swarm cannot pin CPUs; limit them with deploy.resources.limits.cpus"},
	{C2S_SK_MEM_LIMIT, "Set resource limits using deploy.resources", "use deploy.resources.limits.memory"},
	{C2S_SK_MEMSWAP_LIMIT, "Set resource limits using deploy.resources",
	 "swarm has no swap limit; cap memory with deploy.resources.limits.memory"},
};

static struct c2s_str forbidden_name(size_t f)
{
	return c2s_svc_key_names[forbidden[f].key];
}

int c2s_is_forbidden_key(const char *k, size_t n)
{
	for (size_t f = 0; f < sizeof forbidden / sizeof *forbidden; f++)
		if (forbidden_name(f).n == n && !memcmp(forbidden_name(f).p, k, n))
			return 1;
	return 0;
}

int c2s_check_forbidden(const struct c2s_doc *doc, struct c2s_diags *diags)
{
	const struct c2s_node *root = c2s_node_at(doc, doc->root);
	const struct c2s_node *services = c2s_map_get(doc, root, "services", NULL);
	int found = 0;
	if (!c2s_is_mapping(services))
		return 0;
	/* the names by (length, first byte), as c2s_map_get_slots finds them */
	enum { NF = sizeof forbidden / sizeof *forbidden, MANY = 255 };
	uint8_t slot[C2S_KEY_SLOTS] = {0};
	uint32_t any = 0;  /* their bits in c2s_svc_table's rare words */
	for (size_t f = 0; f < NF; f++) {
		struct c2s_str name = forbidden_name(f);
		size_t h = (name.n * 7u + (unsigned char)name.p[0]) % C2S_KEY_SLOTS;
		slot[h] = slot[h] ? MANY : (uint8_t)(f + 1);
		any |= C2S_SK_RARE_BIT(forbidden[f].key);
	}
	/* with the services' key table (lint's), only a service that has one of them */
	const struct c2s_svc_table *tab = c2s_svc_table_of(doc, services);
	for (uint32_t i = 0, n = c2s_count(services); i < n; i++) {
		const struct c2s_node *svc = c2s_map_value(doc, services, i);
		if (!c2s_is_mapping(svc) || (tab && !(tab->rare[i] & any)))
			continue;
		for (uint32_t j = 0, m = c2s_count(svc); j < m; j++) {
			const struct c2s_node *k = c2s_map_key(doc, svc, j);
			if (!c2s_is_scalar(k) || c2s_count(k) < 6 || c2s_count(k) > 13)
				continue;  /* cpuset ... memswap_limit */
			const char first = c2s_scalar(doc, k).p[0];
			uint8_t at = slot[(c2s_count(k) * 7u + (unsigned char)first) % C2S_KEY_SLOTS];
			if (!at)
				continue;
			for (size_t f = at == MANY ? 0 : at - 1u, stop = at == MANY ? NF : at; f < stop; f++) {
				struct c2s_str name = forbidden_name(f);
				if (name.p[0] != first || !c2s_scalar_is(doc, k, name.p))
					continue;
				struct c2s_diag *dg = c2s_diag_at(diags, C2S_R_CS4001, doc, k,
					"%s is refused by docker stack deploy: %s", name.p, forbidden[f].advice);
				c2s_diag_hint(diags, dg, "%s", forbidden[f].hint);
				found++;
			}
		}
	}
	return found;
}

/* ---- .env beside the file: read leniently, only to know which names it sets ---- */

static int dotenv_line(void *ctx, const char *key, size_t klen, const char *value, size_t vlen, int has_value)
{
	(void)has_value;
	/* "export NAME=value", as shells and docker compose accept it */
	if (klen > 7 && memcmp(key, "export ", 7) == 0) {
		key += 7;
		klen -= 7;
		while (klen && (*key == ' ' || *key == '\t'))
			key++, klen--;
	}
	return c2s_env_set(ctx, key, klen, value ? value : "", value ? vlen : 0);
}

struct c2s_env *c2s_dotenv_for(const char *compose_path)
{
	if (!compose_path || !strcmp(compose_path, "-"))
		return NULL;
	const char *slash = strrchr(compose_path, '/');
	size_t dirlen = slash ? (size_t)(slash - compose_path) + 1 : 0;
	char *path = malloc(dirlen + 5);
	if (!path)
		return NULL;
	memcpy(path, compose_path, dirlen);
	memcpy(path + dirlen, ".env", 5);
	FILE *f = fopen(path, "rb");
	free(path);
	if (!f)
		return NULL;
	struct c2s_buf b;
	c2s_buf_init(&b, C2S_ENVFILE_MAX_BYTES);
	c2s_buf_read_stream(&b, f);  /* lenient: what could be read counts */
	fclose(f);
	struct c2s_env *e = c2s_env_new(NULL);
	if (e && b.data) {
		/* line by line, so one odd line does not hide the rest */
		const char *p = b.data, *end = b.data + b.len;
		while (p < end) {
			const char *nl = memchr(p, '\n', (size_t)(end - p));
			const char *le = nl ? nl : end;
			char err[64];
			const char *eq = memchr(p, '=', (size_t)(le - p));
			if (eq)
				c2s_envfile_parse(p, (size_t)(le - p), dotenv_line, e, err, sizeof err);
			p = nl ? nl + 1 : end;
		}
	}
	c2s_buf_free(&b);
	return e;
}

/* ---- the whole pipeline ---- */

/* The schema stage. A caller that reports every occurrence of a finding in an
 * alias (convert) gets them all; but a file with no finding is proven so by
 * checking each shared subtree once (shared_once finds a problem wherever the
 * full walk does), and only a file with findings is walked again in full. */
static int schema_stage(const struct c2s_doc *doc, const struct c2s_pipeline_options *o,
			const struct c2s_pipeline_result *res, struct c2s_diags *diags)
{
	if (o->shared_once)
		return c2s_schema_validate_ex(doc, res->version_minor, res->version, 1, diags);
	struct c2s_diags_mark before = c2s_diags_mark(diags);
	int rc = c2s_schema_validate_ex(doc, res->version_minor, res->version, 1, diags);
	if (rc < 0 || (rc == 0 && c2s_diags_len(diags) == before.n && c2s_diags_dropped(diags) == before.dropped))
		return rc;
	c2s_diags_rollback(diags, &before);
	return c2s_schema_validate_ex(doc, res->version_minor, res->version, 0, diags);
}

int c2s_pipeline_file(struct c2s_doc *doc, const struct c2s_pipeline_options *o,
		      struct c2s_diags *diags, struct c2s_pipeline_result *res)
{
	memset(res, 0, sizeof *res);
	int bad = c2s_pick_version(doc, diags, res);
	int rc = c2s_check_forbidden(doc, diags);
	bad += rc;
	if (o->env) {
		if (o->dotenv && c2s_interp_check_dotenv(doc, o->env, o->dotenv, diags) < 0)
			return -1;
		rc = c2s_interpolate(doc, o->env, diags);
		if (rc < 0)
			return -1;
		bad += rc;
	} else if (o->unresolved_ok && c2s_interp_mark_unresolved(doc) != 0) {
		c2s_diags_out_of_memory(diags);
		return -1;
	}
	if (res->version_minor >= 0) {
		rc = schema_stage(doc, o, res, diags);
		if (rc < 0)
			return -1;
		bad += rc;
		/* the loader's typed decoding always; what only deploy checks unless skipped */
		rc = c2s_deploy_checks(doc, o, res->version_minor, diags);
		if (rc < 0)
			return -1;
		bad += rc;
	}
	res->rejected = bad > 0;
	return c2s_diags_nomem(diags) ? -1 : 0;
}
