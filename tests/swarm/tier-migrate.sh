#!/usr/bin/env bash
# tier-migrate.sh -- check-swarm tier: docker compose projects (fixtures/migrate/) made
# stack files by `compose2swarm migrate`, deployed with `docker stack deploy` on the real
# single-node swarm, then checked there:
#   - shop (compose-spec: name, extends from another directory, override file, .env,
#     profiles, depends_on condition, restart, scale, mem_limit, tmpfs, container_name):
#     web runs 2/2, with restart condition any, its override and extended environment,
#     a tmpfs mount of 16 MiB; cache 1/1 with on-failure x5 and a 64 MiB memory limit;
#     no debug service (its profile is not active);
#   - legacy (version "2.4": network_mode host, cpus, restart always, build without
#     image, --image-prefix): agent on the host network with 0.25 CPU, worker on the
#     image docker compose would build (tagged on the node beforehand);
#   - vault (--materialize: a secret from a .env variable, a config from content:):
#     inside the running task, /run/secrets/token and the config hold what docker
#     compose would have given them;
#   - envq (an env file in docker compose's .env syntax: quotes, a comment after a value;
#     a bare environment name whose .env value holds a '$'): the task's environment holds
#     the values docker compose would have given it.
# Stacks are named mig-*, removed at the end. About 40 s on 2 cores (89 s measured with envq on a
# heavily loaded machine).
# Exit 0 pass, 1 fail, 77 skip.
set -u
SWARM_NAME=${SWARM_NAME:-migrate}
. "$(dirname "$0")/lib.sh"
[ -x "$C2S" ] || fail "no binary at $C2S"
swarm_start

failed=0
bad() { say "FAIL: $*"; failed=$((failed + 1)); }
good() { say "ok: $*"; }
inspect() { docker service inspect --format "$2" "$1" 2>&1; }

# ---- shop ----
work=$SWARM_TMP/shop
cp -R "$top_srcdir/fixtures/migrate/shop" "$work"
(cd "$work" && "$C2S" migrate -o stack.yml 2>"$SWARM_TMP/shop.report") ||
	{ cat "$SWARM_TMP/shop.report" >&2; fail "migrate shop: exit $?"; }
grep -q 'needs-you' "$SWARM_TMP/shop.report" && bad "shop: a needs-you in the report"
(cd "$work" && docker stack deploy --resolve-image never -c stack.yml mig-shop) >"$SWARM_TMP/deploy.out" 2>&1 ||
	{ cat "$SWARM_TMP/deploy.out" >&2; fail "docker stack deploy mig-shop"; }
grep -q 'Ignoring' "$SWARM_TMP/deploy.out" && bad "shop: docker stack deploy still ignores options: $(grep Ignoring "$SWARM_TMP/deploy.out")"
swarm_wait_replicas mig-shop_web 2 && good "shop: web 2/2" || bad "shop: web replicas"
swarm_wait_replicas mig-shop_cache 1 && good "shop: cache 1/1" || bad "shop: cache replicas"
[ "$(inspect mig-shop_web '{{.Spec.TaskTemplate.RestartPolicy.Condition}}')" = any ] &&
	good "shop: restart unless-stopped is condition any" || bad "shop: web restart policy"
env=$(inspect mig-shop_web '{{json .Spec.TaskTemplate.ContainerSpec.Env}}')
[ "$env" = '["GREETING=hello","LOG_LEVEL=debug"]' ] && good "shop: environment from extends and the override" ||
	bad "shop: web environment is $env"
mounts=$(inspect mig-shop_web '{{range .Spec.TaskTemplate.ContainerSpec.Mounts}}{{.Type}} {{.Target}} {{.TmpfsOptions.SizeBytes}}{{end}}')
[ "$mounts" = "tmpfs /scratch 16777216" ] && good "shop: tmpfs as a mount" || bad "shop: web mounts are $mounts"
[ "$(inspect mig-shop_cache '{{.Spec.TaskTemplate.RestartPolicy.Condition}} {{.Spec.TaskTemplate.RestartPolicy.MaxAttempts}}')" = "on-failure 5" ] &&
	good "shop: on-failure:5" || bad "shop: cache restart policy"
[ "$(inspect mig-shop_cache '{{.Spec.TaskTemplate.Resources.Limits.MemoryBytes}}')" = 67108864 ] &&
	good "shop: mem_limit as a memory limit" || bad "shop: cache memory limit"
docker service inspect mig-shop_debug >/dev/null 2>&1 && bad "shop: the debug profile's service was deployed" ||
	good "shop: no service of an inactive profile"
swarm_rm_stack mig-shop

# ---- legacy ----
work=$SWARM_TMP/legacy
cp -R "$top_srcdir/fixtures/migrate/legacy" "$work"
(cd "$work" && "$C2S" migrate -p legacy --image-prefix c2s-local/ -o stack.yml 2>"$SWARM_TMP/legacy.report") ||
	{ cat "$SWARM_TMP/legacy.report" >&2; fail "migrate legacy: exit $?"; }
docker tag c2s-busybox:latest c2s-local/legacy-worker:latest || fail "docker tag"
(cd "$work" && docker stack deploy --resolve-image never -c stack.yml mig-legacy) >"$SWARM_TMP/deploy.out" 2>&1 ||
	{ cat "$SWARM_TMP/deploy.out" >&2; fail "docker stack deploy mig-legacy"; }
grep -q 'Ignoring' "$SWARM_TMP/deploy.out" && bad "legacy: docker stack deploy still ignores options: $(grep Ignoring "$SWARM_TMP/deploy.out")"
swarm_wait_replicas mig-legacy_agent 1 && good "legacy: agent 1/1" || bad "legacy: agent replicas"
swarm_wait_replicas mig-legacy_worker 1 && good "legacy: worker 1/1 on the image docker compose would build" ||
	bad "legacy: worker replicas"
nets=$(inspect mig-legacy_agent '{{range .Spec.TaskTemplate.Networks}}{{.Target}} {{end}}')
names=
for n in $nets; do names="$names$(docker network inspect --format '{{.Name}}' "$n" 2>&1) "; done
cid=$(docker ps -q --filter label=com.docker.swarm.service.name=mig-legacy_agent | head -n 1)
mode=$(docker inspect --format '{{.HostConfig.NetworkMode}}' "$cid" 2>&1)
[ "$names" = "host " ] && [ "$mode" = host ] && good "legacy: network_mode host as the host network" ||
	bad "legacy: agent networks '$names', its container's network mode '$mode'"
[ "$(inspect mig-legacy_agent '{{.Spec.TaskTemplate.Resources.Limits.NanoCPUs}} {{.Spec.TaskTemplate.RestartPolicy.Condition}}')" = "250000000 any" ] &&
	good "legacy: cpus and restart always" || bad "legacy: agent limits or restart"
[ "$(inspect mig-legacy_worker '{{.Spec.TaskTemplate.Resources.Reservations.MemoryBytes}}')" = 33554432 ] &&
	good "legacy: mem_reservation" || bad "legacy: worker reservation"
swarm_rm_stack mig-legacy
docker image rm c2s-local/legacy-worker:latest >/dev/null 2>&1

# ---- vault ----
work=$SWARM_TMP/vault
cp -R "$top_srcdir/fixtures/migrate/vault" "$work"
(cd "$work" && "$C2S" migrate --materialize -o stack.yml 2>"$SWARM_TMP/vault.report") ||
	{ cat "$SWARM_TMP/vault.report" >&2; fail "migrate vault: exit $?"; }
(cd "$work" && docker stack deploy --resolve-image never -c stack.yml mig-vault) >"$SWARM_TMP/deploy.out" 2>&1 ||
	{ cat "$SWARM_TMP/deploy.out" >&2; fail "docker stack deploy mig-vault"; }
grep -q 'Ignoring' "$SWARM_TMP/deploy.out" && bad "vault: docker stack deploy still ignores options: $(grep Ignoring "$SWARM_TMP/deploy.out")"
if swarm_wait_replicas mig-vault_app 1; then
	good "vault: app 1/1"
	cid=$(docker ps -q --filter label=com.docker.swarm.service.name=mig-vault_app | head -n 1)
	got=$(docker exec "$cid" cat /run/secrets/token 2>&1)
	[ "$got" = t0k3n-from-env ] && good "vault: the secret holds the variable's value from .env" ||
		bad "vault: /run/secrets/token is '$got'"
	got=$(docker exec "$cid" cat /etc/greeting 2>&1)
	[ "$got" = 'hello swarm, $HOME stays' ] && good "vault: the config holds the content, interpolated" ||
		bad "vault: /etc/greeting is '$got'"
else
	bad "vault: app replicas"
fi
swarm_rm_stack mig-vault

# ---- envq ----
work=$SWARM_TMP/envq
cp -R "$top_srcdir/fixtures/migrate/envq" "$work"
(cd "$work" && "$C2S" migrate -o stack.yml 2>"$SWARM_TMP/envq.report") ||
	{ cat "$SWARM_TMP/envq.report" >&2; fail "migrate envq: exit $?"; }
(cd "$work" && docker stack deploy --resolve-image never -c stack.yml mig-envq) >"$SWARM_TMP/deploy.out" 2>&1 ||
	{ cat "$SWARM_TMP/deploy.out" >&2; fail "docker stack deploy mig-envq"; }
env=$(inspect mig-envq_app '{{json .Spec.TaskTemplate.ContainerSpec.Env}}')
[ "$env" = '["INLINE=value","PLAIN=same for both","QUOTED=two words","TOKEN=x$y"]' ] &&
	good "envq: the service's environment as docker compose reads the env files" || bad "envq: app environment is $env"
if swarm_wait_replicas mig-envq_app 1; then
	cid=$(docker ps -q --filter label=com.docker.swarm.service.name=mig-envq_app | head -n 1)
	got=$(docker exec "$cid" sh -c 'printf "%s|%s|%s" "$QUOTED" "$INLINE" "$TOKEN"' 2>&1)
	[ "$got" = 'two words|value|x$y' ] && good "envq: inside the task" || bad "envq: inside the task: '$got'"
else
	bad "envq: app replicas"
fi
swarm_rm_stack mig-envq

[ "$failed" -eq 0 ] || fail "$failed checks failed"
say "PASS"
