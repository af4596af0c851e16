/* rules_ignored.c -- CS5xxx: keys docker stack deploy warns about and swarm ignores.
 * The CLI's own lists: types.UnsupportedProperties and DeprecatedProperties
 * (docker/cli v28.2.2 cli/compose/types/types.go). */
#include "config.h"
#include "check.h"

#include <string.h>

/* Report key k under each service; fixable: delete the entry (when the service keeps another key). */
static void ignored_key(struct c2s_check *c, enum c2s_rule_index rule, enum c2s_svc_key key,
			const char *cli_text, const char *hint)
{
	const struct c2s_doc *d = c->doc;
	const char *name = c2s_svc_key_names[key].p;
	C2S_FOR_EACH_SERVICE(c, i, sname, svc) {
		const struct c2s_node *k, *v = c2s_svc_key(c, i, key, &k);
		if (!v)
			continue;
		struct c2s_diag *dg = c2s_diag_at(c->diags, rule, d, k, "%s is ignored by docker stack deploy (\"%s\")",
						  name, cli_text);
		c2s_diag_hint(c->diags, dg, "%s", hint);
		if (c2s_rules[rule].fixable && c2s_count(svc) > 1)
			c2s_fix_remove_entry(c, dg, k, v);
	}
}

#define UNSUPPORTED(fn, rule, id, key, hint) \
	void fn(struct c2s_check *c) { ignored_key(c, rule, C2S_SK_##id, "Ignoring unsupported options: " key, hint); }

UNSUPPORTED(c2s_check_build, C2S_R_CS5001, BUILD, "build",
	"swarm never builds: build and push the image first (docker build && docker push), "
	"then deploy it by image:")
UNSUPPORTED(c2s_check_cgroupns_mode, C2S_R_CS5002, CGROUPNS_MODE, "cgroupns_mode",
	"swarm tasks get the daemon's default cgroup namespace mode (dockerd --default-cgroupns-mode); remove the key")
UNSUPPORTED(c2s_check_cgroup_parent, C2S_R_CS5003, CGROUP_PARENT, "cgroup_parent",
	"set the parent cgroup on each node's daemon (dockerd --cgroup-parent); remove the key")
UNSUPPORTED(c2s_check_devices, C2S_R_CS5004, DEVICES, "devices",
	"swarm services cannot map host devices; run a workload that needs one with docker run or "
	"docker compose on its node, or advertise it as a generic resource")
UNSUPPORTED(c2s_check_domainname, C2S_R_CS5005, DOMAINNAME, "domainname",
	"give the task a fully qualified hostname: instead; remove the key")
UNSUPPORTED(c2s_check_external_links, C2S_R_CS5006, EXTERNAL_LINKS, "external_links",
	"attach the service to the other stack's network (declared external) and reach the service by its name")
UNSUPPORTED(c2s_check_ipc, C2S_R_CS5007, IPC, "ipc",
	"every swarm task gets its own IPC namespace; remove the key")
UNSUPPORTED(c2s_check_links, C2S_R_CS5008, LINKS, "links",
	"services on a shared network reach each other by service name (or a network alias); remove the key")
UNSUPPORTED(c2s_check_mac_address, C2S_R_CS5009, MAC_ADDRESS, "mac_address",
	"swarm assigns the addresses of its tasks; remove the key")
UNSUPPORTED(c2s_check_network_mode, C2S_R_CS5010, NETWORK_MODE, "network_mode",
	"attach the service with networks: instead; for the host's network declare "
	"`hostnet: {external: true, name: host}` under networks and list hostnet in the service")
UNSUPPORTED(c2s_check_pid, C2S_R_CS5011, PID, "pid",
	"every swarm task gets its own PID namespace; remove the key")
UNSUPPORTED(c2s_check_privileged, C2S_R_CS5012, PRIVILEGED, "privileged",
	"swarm services cannot be privileged: grant only the capabilities needed with cap_add "
	"(Docker Engine 20.10 or later)")
UNSUPPORTED(c2s_check_security_opt, C2S_R_CS5014, SECURITY_OPT, "security_opt",
	"swarm services take no security options (seccomp, apparmor, no-new-privileges); remove the key")
UNSUPPORTED(c2s_check_shm_size, C2S_R_CS5015, SHM_SIZE, "shm_size",
	"mount a tmpfs on /dev/shm instead: volumes: [{type: tmpfs, target: /dev/shm, tmpfs: {size: BYTES}}]")
UNSUPPORTED(c2s_check_userns_mode, C2S_R_CS5016, USERNS_MODE, "userns_mode",
	"user namespaces are a daemon setting on each node (dockerd --userns-remap); remove the key")

void c2s_check_container_name(struct c2s_check *c)
{
	ignored_key(c, C2S_R_CS5101, C2S_SK_CONTAINER_NAME, "Setting the container name is not supported.",
		    "swarm names each task STACK_SERVICE.SLOT.ID; other services reach "
		    "this one by its service name or a network alias; remove the key");
}

void c2s_check_expose(struct c2s_check *c)
{
	ignored_key(c, C2S_R_CS5102, C2S_SK_EXPOSE,
		    "Exposing ports is unnecessary - services on the same network can access each other's "
		    "containers on any port.",
		    "services on a shared network reach each other on every port; publish with ports: only "
		    "what must be reached from outside the swarm; remove the key");
}

/* restart is on the unsupported list, yet convert maps it to a restart policy
 * when deploy.restart_policy is absent (convertRestartPolicy). */
void c2s_check_restart(struct c2s_check *c)
{
	const struct c2s_doc *d = c->doc;
	C2S_FOR_EACH_SERVICE(c, i, name, svc) {
		const struct c2s_node *k, *v = c2s_svc_key(c, i, C2S_SK_RESTART, &k);
		if (!v)
			continue;
		const struct c2s_node *rp = c2s_svc_key(c, i, C2S_SK_DEPLOY_RESTART_POLICY, NULL);
		struct c2s_str val = c2s_is_scalar(v) ? c2s_scalar(d, v) : (struct c2s_str){"", 0};
		struct c2s_diag *dg;
		if (rp) {
			dg = c2s_diag_at(c->diags, C2S_R_CS5013, d, k,
				"restart is ignored by docker stack deploy (\"Ignoring unsupported options: restart\"): "
				"deploy.restart_policy decides");
			c2s_diag_hint(c->diags, dg, "remove the key; deploy.restart_policy is what swarm uses");
		} else if (c2s_str_eq(val, "no") || val.n == 0) {
			dg = c2s_diag_at(c->diags, C2S_R_CS5013, d, k,
				"restart: \"no\" does not stop swarm restarting the task (docker stack deploy: "
				"\"Ignoring unsupported options: restart\"): no restart policy is sent and swarm's "
				"default, condition: any, applies");
			c2s_diag_hint(c->diags, dg, "write deploy.restart_policy: {condition: none} for a task that "
				      "must not be restarted, and remove restart:");
		} else {
			const char *cond = (val.n >= 10 && memcmp(val.p, "on-failure", 10) == 0) ? "on-failure" : "any";
			dg = c2s_diag_at(c->diags, C2S_R_CS5013, d, k,
				"docker stack deploy warns that restart is unsupported (\"Ignoring unsupported options: "
				"restart\"), yet maps it to a restart policy with condition: %s because "
				"deploy.restart_policy is absent", cond);
			c2s_diag_hint(c->diags, dg, "say it the swarm way: deploy.restart_policy: {condition: %s} "
				      "(with max_attempts, delay, window as needed), and remove restart:", cond);
		}
	}
}
