/* rules_dropped.c -- CS6xxx: keys that reach no field of the Engine API payload
 * and that docker stack deploy drops without a word (docker/cli v28.2.2
 * cli/compose/convert/service.go, checked against the corpus payloads). */
#include "config.h"
#include "check.h"

void c2s_check_depends_on(struct c2s_check *c)
{
	const struct c2s_doc *d = c->doc;
	C2S_FOR_EACH_SERVICE(c, i, name, svc) {
		const struct c2s_node *k, *v = c2s_svc_key(c, i, C2S_SK_DEPENDS_ON, &k);
		if (!v)
			continue;
		struct c2s_diag *dg = c2s_diag_at(c->diags, C2S_R_CS6001, d, k,
			"depends_on is dropped by docker stack deploy without a warning: swarm starts every "
			"service at once, in no order");
		c2s_diag_hint(c->diags, dg, "make the service wait for what it needs (retry its connections, "
			      "or wait in the entrypoint) and let restart_policy and healthchecks recover; remove the key");
		if (c2s_count(svc) > 1)
			c2s_fix_remove_entry(c, dg, k, v);
	}
}

void c2s_check_service_tmpfs(struct c2s_check *c)
{
	const struct c2s_doc *d = c->doc;
	C2S_FOR_EACH_SERVICE(c, i, name, svc) {
		const struct c2s_node *k, *v = c2s_svc_key(c, i, C2S_SK_TMPFS, &k);
		if (!v)
			continue;
		struct c2s_diag *dg = c2s_diag_at(c->diags, C2S_R_CS6002, d, k,
			"service-level tmpfs is dropped by docker stack deploy without a warning: the task "
			"writes to its container layer instead");
		c2s_diag_hint(c->diags, dg, "mount it as a volume: volumes: [{type: tmpfs, target: /run, "
			      "tmpfs: {size: BYTES}}] (tmpfs.size needs file version 3.6)");
	}
}

void c2s_check_oom_score_adj(struct c2s_check *c)
{
	const struct c2s_doc *d = c->doc;
	C2S_FOR_EACH_SERVICE(c, i, name, svc) {
		const struct c2s_node *k, *v = c2s_svc_key(c, i, C2S_SK_OOM_SCORE_ADJ, &k);
		if (!v)
			continue;
		struct c2s_diag *dg = c2s_diag_at(c->diags, C2S_R_CS6003, d, k,
			"oom_score_adj is dropped by docker stack deploy without a warning (lost while the "
			"file is loaded): no task gets it");
		c2s_diag_hint(c->diags, dg, "protect the task with deploy.resources.reservations.memory and "
			      "limits instead; remove the key");
		if (c2s_count(svc) > 1)
			c2s_fix_remove_entry(c, dg, k, v);
	}
}

void c2s_check_network_static_ip(struct c2s_check *c)
{
	static const char *const keys[] = {"ipv4_address", "ipv6_address"};
	const struct c2s_doc *d = c->doc;
	C2S_FOR_EACH_SERVICE(c, i, name, svc) {
		const struct c2s_node *nets = c2s_svc_key(c, i, C2S_SK_NETWORKS, NULL);
		if (!c2s_is_mapping(nets))
			continue;
		for (uint32_t n = 0; n < c2s_count(nets); n++) {
			const struct c2s_node *net = c2s_map_value(d, nets, n);
			for (int j = 0; j < 2; j++) {
				const struct c2s_node *k, *v = c2s_map_get(d, net, keys[j], &k);
				if (!v)
					continue;
				struct c2s_diag *dg = c2s_diag_at(c->diags, C2S_R_CS6004, d, k,
					"%s is dropped by docker stack deploy without a warning: swarm gives each "
					"task an address of its own", keys[j]);
				c2s_diag_hint(c->diags, dg, "reach the service by its name or a network alias (the "
					      "virtual IP stays the same across updates); remove the key");
				c2s_fix_remove_entry(c, dg, k, v);
			}
		}
	}
}

void c2s_check_anonymous_volume_options(struct c2s_check *c)
{
	static const char *const keys[] = {"nocopy", "subpath"};
	const struct c2s_doc *d = c->doc;
	C2S_FOR_EACH_SERVICE(c, i, name, svc) {
		const struct c2s_node *vols = c2s_svc_key(c, i, C2S_SK_VOLUMES, NULL);
		if (!c2s_is_sequence(vols))
			continue;
		for (uint32_t n = 0; n < c2s_count(vols); n++) {
			const struct c2s_node *m = c2s_seq_item(d, vols, n);
			const struct c2s_node *type = c2s_map_get(d, m, "type", NULL);
			const struct c2s_node *src = c2s_map_get(d, m, "source", NULL);
			const struct c2s_node *opts = c2s_map_get(d, m, "volume", NULL);
			if (!opts || !c2s_scalar_is(d, type, "volume"))
				continue;
			if (src && !(c2s_is_scalar(src) && c2s_count(src) == 0))
				continue;
			for (int j = 0; j < 2; j++) {
				const struct c2s_node *k;
				if (!c2s_map_get(d, opts, keys[j], &k))
					continue;
				struct c2s_diag *dg = c2s_diag_at(c->diags, C2S_R_CS6005, d, k,
					"volume.%s on an anonymous volume (no source) is dropped by docker stack "
					"deploy without a warning", keys[j]);
				c2s_diag_hint(c->diags, dg, "name the volume (source: and a top-level volumes: entry) "
					      "if the option matters");
			}
		}
	}
}
