/* emit_api.c -- `convert --to api`, the driver: the Engine API bodies `docker
 * stack deploy` posts, in docker's order of refusals (images, networks, secret
 * and config files, then each service), written a service at a time.
 * emit_api_spec.c converts each object (docker/cli cli/compose/convert at
 * v28.2.2), api_json.c writes the JSON. */
#include "config.h"
#include "emit_api_int.h"

#include <stdio.h>

/* ---- the API options (docker/cli's own checks) ---- */

/* versions.LessThan(v, other) for dotted numbers */
int c2s_api_version_less(const char *v, const char *other)
{
	while (*v || *other) {
		long a = strtol(v, (char **)&v, 10), b = strtol(other, (char **)&other, 10);
		if (a != b)
			return a < b;
		if (*v == '.')
			v++;
		if (*other == '.')
			other++;
		if (!*v && !*other)
			break;
	}
	return 0;
}

int c2s_api_version_ok(const char *s)
{
	int digits = 0, dots = 0;
	for (; *s; s++) {
		if (*s >= '0' && *s <= '9')
			digits++;
		else if (*s == '.' && digits)
			dots++, digits = 0;
		else
			return 0;
	}
	return digits && dots == 1;
}

int c2s_api_version_refused(const char *v, char *msg, size_t n)
{
	if (c2s_api_version_less(v, "1.25")) {
		snprintf(msg, n, "docker stack deploy requires API version 1.25, but the Docker daemon API version is %s", v);
		return 1;
	}
	if (c2s_api_version_less(v, "1.30")) {
		snprintf(msg, n, "\"--resolve-image\" requires API version 1.30, but the Docker daemon API version is %s", v);
		return 1;
	}
	return 0;
}

int c2s_api_stack_name_ok(const char *s)
{
	for (; *s; s++)
		if (!strchr(" \t\n\v\f\r\"'", *s))
			return 1;
	return 0;
}


/* ---- output: one JSON object, written a service at a time ---- */

/* A service's value: built already, or a lazy placeholder the stream builds. */
static const struct c2s_mval *service_value(struct api *a, const struct c2s_mval *v, struct c2s_mval *scratch)
{
	if (v->kind == C2S_MV_NODE && (v->flags & C2S_MVF_LAZY)) {
		if (!a->st || !a->st->expand || a->st->expand(a->st->ctx, v, scratch) != 0)
			return NULL;
		return scratch;
	}
	return v;
}

/* The first pass reads a service's image, networks, secrets, configs,
 * credential_spec, deploy (but its labels and placement), volumes,
 * healthcheck and restart, and must meet
 * every refusal the build makes: it leaves out only fields it does not read
 * whose building cannot fail (strings, lists, maps; no duration or size). */
#define SKIP(f) ((uint64_t)1 << C2S_F_SERVICE_##f)
static const uint64_t first_pass_skip =
	SKIP(ENVIRONMENT) | SKIP(LABELS) | SKIP(LOGGING) | SKIP(ULIMITS) | SKIP(COMMAND) | SKIP(ENTRYPOINT) |
	SKIP(EXTRA_HOSTS) | SKIP(SYSCTLS) | SKIP(CAP_ADD) | SKIP(CAP_DROP) | SKIP(DEPENDS_ON) | SKIP(DNS) |
	SKIP(DNS_SEARCH) | SKIP(EXPOSE) | SKIP(LINKS) | SKIP(EXTERNAL_LINKS) | SKIP(DEVICES) |
	SKIP(SECURITY_OPT) | SKIP(EXTRAS);
#undef SKIP
static const uint64_t first_pass_skip_deploy =
	((uint64_t)1 << C2S_F_DEPLOY_LABELS) | ((uint64_t)1 << C2S_F_DEPLOY_PLACEMENT);

/* service_value for the first pass: the service without first_pass_skip's fields. */
static const struct c2s_mval *service_checked(struct api *a, const struct c2s_mval *v, struct c2s_mval *scratch)
{
	if (v->kind == C2S_MV_NODE && (v->flags & C2S_MVF_LAZY) && a->st && a->st->expand_partial)
		return a->st->expand_partial(a->st->ctx, v, first_pass_skip, first_pass_skip_deploy, scratch) != 0 ? NULL : scratch;
	return service_value(a, v, scratch);
}

static void service_done(struct api *a)
{
	if (a->st && a->st->release)
		a->st->release(a->st->ctx);
}

/* Append an item of a top-level list (two tabs deep). */
static int append_item(struct api *a, struct c2s_buf *out, const struct aj *item_, int first)
{
	(void)a;
	c2s_buf_adds(out, first ? "\n\t\t" : ",\n\t\t");
	aj_write(out, item_, 2);
	return out->failed ? -1 : 0;
}

static int append_list(struct api *a, struct c2s_buf *out, const char *key, struct list *l, int last)
{
	sort_items(l->v, l->n, sizeof *l->v, c2s_api_named_cmp);
	c2s_buf_printf(out, "\t\"%s\": [", key);
	for (size_t i = 0; i < l->n; i++) {
		/* what append_item writes, the object's text made at list_push */
		c2s_buf_adds(out, i == 0 ? "\n\t\t" : ",\n\t\t");
		c2s_buf_add(out, l->text.data + l->v[i].off, l->v[i].len);
		if (out->failed)
			return -1;
	}
	c2s_buf_adds(out, l->n ? "\n\t]" : "]");
	c2s_buf_adds(out, last ? "\n" : ",\n");
	c2s_api_list_free(l);
	return out->failed ? -1 : 0;
}

/* Convert one service (index i of the services map); NULL on a refusal,
 * reported as docker wraps it: "service NAME: ...". */
static struct aj *convert_one(struct api *a, const struct c2s_mval *svcs, uint32_t i)
{
	struct c2s_str key = sval(map_key(svcs, i));
	struct c2s_mval scratch;
	const struct c2s_mval *svc = service_value(a, map_value(svcs, i), &scratch);
	if (!svc) {
		a->stream_failed = 1;
		return NULL;
	}
	size_t before = c2s_diags_len(a->diags);
	struct aj *spec = c2s_api_service(a, key, svc);
	if (!spec && c2s_diags_len(a->diags) > before) {
		struct c2s_diag *d = c2s_diags_item(a->diags, c2s_diags_len(a->diags) - 1);
		c2s_diag_prefix(a->diags, d, "service %.*s: ", (int)key.n, key.p);
	}
	return spec;
}

/* Is service i's name before service j's (STACK_key: the keys' byte order)? */
static int svc_before(const struct c2s_mval *svcs, uint32_t i, uint32_t j)
{
	struct c2s_str p = sval(map_key(svcs, i)), q = sval(map_key(svcs, j));
	size_t n = p.n < q.n ? p.n : q.n;
	int c = n ? memcmp(p.p, q.p, n) : 0;
	return c ? c < 0 : p.n < q.n;
}

/* The services' indices in the order of their names, sorted where they are (a
 * heap sort: names are unique keys, so no order among equals to keep). Indices,
 * not names, and no scratch array: this is emit's largest block at 10,000
 * services, held while the peak RSS is reached. */
static void sort_services(uint32_t *v, uint32_t n, const struct c2s_mval *svcs)
{
	for (uint32_t end = n, start = n / 2;;) {
		uint32_t root;
		if (start > 0) {
			root = --start;           /* building the heap */
		} else if (--end > 0) {
			uint32_t t = v[0];        /* the largest to the end */
			v[0] = v[end];
			v[end] = t;
			root = 0;
		} else {
			return;
		}
		for (uint32_t child; (child = 2 * root + 1) < end; root = child) {
			if (child + 1 < end && svc_before(svcs, v[child], v[child + 1]))
				child++;
			if (!svc_before(svcs, v[root], v[child]))
				break;
			uint32_t t = v[root];
			v[root] = v[child];
			v[child] = t;
		}
	}
}

int c2s_emit_api(const struct c2s_model *m, const struct c2s_api_options *o, const struct c2s_emit_stream *st,
		 struct c2s_buf *out, struct c2s_diags *diags)
{
	struct api a = {0};
	struct list nets = {0}, secrets = {0}, configs = {0};
	struct netset used = {0};
	uint32_t *order = NULL;
	int rc = -1;
	a.m = m;
	a.o = o;
	a.st = st;
	a.diags = diags;
	a.config = &m->root;
	a.stack_len = strlen(o->stack);
	c2s_arena_init(&a.keep, 0);
	a.networks = given(&a, a.config, C2S_F_CONFIG_NETWORKS);
	a.volumes = given(&a, a.config, C2S_F_CONFIG_VOLUMES);
	a.secrets = given(&a, a.config, C2S_F_CONFIG_SECRETS);
	a.configs = given(&a, a.config, C2S_F_CONFIG_CONFIGS);
	c2s_api_key_index_build(&a.key_indexes[0], a.networks);
	c2s_api_key_index_build(&a.key_indexes[1], a.volumes);
	c2s_api_key_index_build(&a.key_indexes[2], a.secrets);
	c2s_api_key_index_build(&a.key_indexes[3], a.configs);
	const struct c2s_mval *svcs = c2s_api_services_of(&a);
	uint32_t nsvc = count(svcs);

	/* docker's order: the loader (building every service), every image, then
	 * networks, secrets and configs, then each service's conversion. One pass
	 * builds each service once and notes the first refusal of each kind;
	 * the refusal that docker meets first is then reported. A prechecked
	 * stack has none: the pass only reads each service's networks. */
	uint32_t bad_image = UINT32_MAX, bad_convert = UINT32_MAX;
	char err[API_MAX_MESSAGE];
	for (uint32_t i = 0; i < nsvc; i++) {
		const struct c2s_mval *v = map_value(svcs, i);
		if (o->prechecked && v->kind == C2S_MV_NODE && (v->flags & C2S_MVF_LAZY)) {
			if (c2s_api_networks_used_lazy(&a, v, &used) < 0)
				goto done;
			continue;
		}
		struct c2s_mval scratch;
		const struct c2s_mval *svc = service_checked(&a, v, &scratch);
		if (!svc) {
			a.stream_failed = 1;
			service_done(&a);
			goto done;
		}
		struct c2s_str image = sfield(&a, svc, C2S_F_SERVICE_IMAGE);
		if (!o->prechecked && bad_image == UINT32_MAX &&
		    (image.n == 0 || c2s_image_check(image.p, image.n, err, sizeof err) < 0))
			bad_image = i;
		int bad = c2s_api_networks_used(&a, svc, &used) < 0;
		if (!bad && !o->discardable && !o->prechecked && bad_image == UINT32_MAX && bad_convert == UINT32_MAX) {
			/* nothing may reach the output before every service is known to convert */
			struct c2s_diags_mark before = c2s_diags_mark(diags);
			if (c2s_api_check_service(&a, svc) < 0) {
				c2s_diags_rollback(diags, &before); /* reported later, if docker gets that far */
				bad_convert = i;
			}
			bad = a.nomem;
		}
		service_done(&a);
		aj_pool_reset(&a.pool);
		if (bad)
			goto done;
	}
	if (bad_image != UINT32_MAX) {
		struct c2s_mval scratch;
		const struct c2s_mval *svc = service_value(&a, map_value(svcs, bad_image), &scratch);
		if (!svc)
			a.stream_failed = 1;
		else
			c2s_api_check_image(&a, sval(map_key(svcs, bad_image)), map_key(svcs, bad_image), svc);
		service_done(&a);
		goto done;
	}
	if (c2s_api_networks(&a, &used, &nets) < 0 || c2s_api_file_objects(&a, a.secrets, 1, &secrets) < 0 ||
	    c2s_api_file_objects(&a, a.configs, 0, &configs) < 0)
		goto done;
	if (bad_convert != UINT32_MAX) {
		aj_drop(convert_one(&a, svcs, bad_convert));
		service_done(&a);
		goto done;
	}
	c2s_buf_adds(out, "{\n");
	if (append_list(&a, out, "networks", &nets, 0) < 0 || append_list(&a, out, "secrets", &secrets, 0) < 0 ||
	    append_list(&a, out, "configs", &configs, 0) < 0)
		goto done;
	if (nsvc) {
		order = malloc(nsvc * sizeof *order);
		if (!order) {
			a.nomem = 1;
			goto done;
		}
		for (uint32_t i = 0; i < nsvc; i++)
			order[i] = i;
		sort_services(order, nsvc, svcs);
	}
	c2s_buf_adds(out, "\t\"services\": [");
	for (uint32_t k = 0; k < nsvc; k++) {
		aj_pool_reset(&a.pool);
		struct aj *spec = convert_one(&a, svcs, order[k]);
		int bad = !spec || a.nomem || append_item(&a, out, spec, k == 0) < 0;
		service_done(&a); /* spec lives in the pool, reset for the next service */
		if (bad)
			goto done;
		if (st && st->flush && st->flush(st->ctx, out) != 0) {
			a.stream_failed = 1;
			goto done;
		}
	}
	c2s_buf_adds(out, nsvc ? "\n\t]\n}\n" : "]\n}\n");
	rc = out->failed ? -2 : 0;
done:
	if (a.nomem || a.stream_failed || (rc == -1 && out->failed))
		rc = -2;
	/* a refusal found by the stream's own builder is a refusal, not trouble */
	if (a.stream_failed && !a.nomem && c2s_diags_len(diags) > 0 && !c2s_diags_nomem(diags))
		rc = -1;
	free(order);
	free(used.v);
	free(used.slot);
	c2s_api_list_free(&nets);
	c2s_api_list_free(&secrets);
	c2s_api_list_free(&configs);
	c2s_arena_free(&a.keep);
	if (a.pool.failed && rc == 0)
		rc = -2;
	aj_pool_free(&a.pool);
	c2s_api_key_indexes_free(&a);
	return rc;
}
