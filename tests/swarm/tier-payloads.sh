#!/usr/bin/env bash
# tests/swarm/tier-payloads.sh -- check-swarm tier: post our `convert --to api`
# payloads on the private swarm (tests/swarm/lib.sh) and check the result.
#
# For each fixture stack it posts our payloads with curl over the unix socket
# (networks, then secrets and configs, whose ids are filled into the service
# specs, then services), checks that every service reaches its replica count,
# that `docker service|network|secret|config inspect` shows what we sent, and
# that `docker stack rm` removes everything.
# Exit 0 pass, 1 fail, 77 skip (no dockerd/root here: it says why).
#
# Environment: as tests/swarm/lib.sh, and C2S_SWARM_PAYLOADS=reference to post
# docker's own payloads instead of ours (needs reference.sh; proves the harness).
set -u
. "$(dirname "$0")/lib.sh"
here=$top_srcdir/tests/swarm
fixtures=$top_srcdir/fixtures/swarm
timeout=$SWARM_TIMEOUT
sj() { python3 "$here/swarmjson.py" "$@"; }
[ -x "$C2S" ] || fail "no binary at $C2S"
swarm_start
tmp=$SWARM_TMP
sock=$SWARM_SOCK
apiver=$SWARM_API

api() { # api METHOD PATH [BODYFILE] -> response body in $tmp/resp, prints HTTP status
	local data=()
	[ $# -ge 3 ] && data=(-H 'Content-Type: application/json' --data-binary "@$3")
	curl -sS --unix-socket "$sock" -o "$tmp/resp" -w '%{http_code}' -X "$1" "${data[@]}" "http://docker$2"
}

# ---- deploy one fixture ----
payloads() { # payloads FILE STACK > json
	local f=$1 stack=$2
	if [ "${C2S_SWARM_PAYLOADS:-}" = reference ]; then
		FAKE_API_VERSION=$apiver REF_CLEAN_ENV=1 "$top_srcdir/scripts/reference/reference.sh" \
			"$f" "$tmp/ref-$stack" "$stack" >&2 || return 1
		cat "$tmp/ref-$stack/payloads.json"
	else
		(cd "$(dirname "$f")" && "$C2S" convert -c "$(basename "$f")" --to api \
			--stack "$stack" --api-version "$apiver")
	fi
}

deploy() { # deploy FILE STACK
	local f=$1 stack=$2 d=$tmp/$2 body name code
	mkdir -p "$d"
	payloads "$f" "$stack" >"$d/payload.json" || fail "$stack: convert --to api failed"
	sj split "$d/payload.json" "$d" || fail "$stack: payload is not what we expect"
	: >"$d/ids"
	while read -r body name; do
		code=$(api POST "/v$apiver/networks/create" "$body")
		[ "$code" = 201 ] || fail "$stack: POST /networks/create $name: $code $(cat "$tmp/resp")"
		echo "network $name $(sj id "$tmp/resp")" >>"$d/ids"
	done <"$d/networks.list"
	for kind in secret config; do
		while read -r body name; do
			code=$(api POST "/v$apiver/${kind}s/create" "$body")
			[ "$code" = 201 ] || fail "$stack: POST /${kind}s/create $name: $code $(cat "$tmp/resp")"
			echo "$kind $name $(sj id "$tmp/resp")" >>"$d/ids"
		done <"$d/${kind}s.list"
	done
	while read -r body name; do
		sj fill "$body" "$d/ids" >"$body.filled" && mv "$body.filled" "$body"
		code=$(api POST "/v$apiver/services/create" "$body")
		[ "$code" = 201 ] || fail "$stack: POST /services/create $name: $code $(cat "$tmp/resp")"
		echo "service $name $(sj id "$tmp/resp")" >>"$d/ids"
	done <"$d/services.list"
	say "$stack: posted $(wc -l <"$d/ids") objects from $(basename "$f")"
}

# ---- checks ----
wait_replicas() { # wait_replicas STACK
	local stack=$1 d=$tmp/$1 name want got ok i nodes
	nodes=$(docker node ls -q | wc -l)
	sj replicas "$d/payload.json" >"$d/want"
	for i in $(seq 1 "$timeout"); do
		ok=1
		: >"$d/state"
		while read -r name want; do
			[ "$want" = global ] && want=$nodes
			got=$(docker service ls --filter "name=$name" --format '{{.Name}} {{.Replicas}}' |
				awk -v n="$name" '$1 == n { print $2 }')
			echo "$name want $want/$want, has ${got:-nothing}" >>"$d/state"
			[ "$got" = "$want/$want" ] || ok=
		done <"$d/want"
		[ -n "$ok" ] && { say "$stack: all services at their replica count"; sed 's/^/  /' "$d/state" >&2; return 0; }
		sleep 1
	done
	sed 's/^/  /' "$d/state" >&2
	docker service ps --no-trunc $(awk '{print $1}' "$d/want") >&2
	fail "$stack: replicas not reached within $timeout s"
}

inspect_all() { # inspect_all STACK: the daemon holds exactly what we sent
	local stack=$1 d=$tmp/$1 kind body name bad=0
	for kind in network secret config service; do
		while read -r body name; do
			docker "$kind" inspect "$name" >"$d/inspect.json" 2>&1 ||
				{ cat "$d/inspect.json" >&2; fail "$stack: $kind inspect $name"; }
			if [ "$kind" = secret ]; then # the daemon never returns secret data
				python3 -c 'import json,sys; b=json.load(open(sys.argv[1])); b.pop("Data",None); json.dump(b,open(sys.argv[1],"w"))' "$body"
			fi
			sj compare "$body" "$d/inspect.json" "$d/ids" >"$d/diff" || {
				say "$stack: $kind $name differs from what we sent:"; sed 's/^/  /' "$d/diff" >&2; bad=1; }
		done <"$d/${kind}s.list"
	done
	[ "$bad" = 0 ] || fail "$stack: inspected specs differ"
	say "$stack: inspected networks, secrets, configs and services match what we sent"
}

deploy "$fixtures/seed.yml" swarm
deploy "$fixtures/full.yml" full
for s in swarm full; do wait_replicas "$s"; done
for s in swarm full; do inspect_all "$s"; done
for s in swarm full; do swarm_rm_stack "$s"; say "$s: docker stack rm removed everything"; done
say "PASS"
