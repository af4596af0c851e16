#!/usr/bin/env bash
# tests/swarm/selftest.sh -- the comparison `make check-swarm` relies on
# (swarmjson.py compare) must fail when the daemon holds something other than
# what was sent, and pass on the daemon's harmless additions. Runs in make check.
set -u
top_srcdir=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
sj() { python3 "$top_srcdir/tests/swarm/swarmjson.py" "$@"; }
tmp=$(mktemp -d /tmp/c2s-sj.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
fails=0
echo 'network swarm_default n1' >"$tmp/ids"
sent='{"Name": "s", "Labels": {"a": "1"}, "TaskTemplate": {"ContainerSpec": {"Image": "x:latest", "Args": ["a"], "Init": false, "Env": []}, "Networks": [{"Target": "swarm_default", "Aliases": ["s"]}], "ForceUpdate": 0}, "Mode": {"Replicated": {"Replicas": 2}}}'
case_() { # case_ NAME WANT_RC DAEMON_JSON
	printf '%s' "$sent" >"$tmp/sent.json"
	printf '[{"ID": "x", "Spec": %s}]' "$3" >"$tmp/got.json"
	sj compare "$tmp/sent.json" "$tmp/got.json" "$tmp/ids" >"$tmp/out"
	local rc=$?
	if [ "$rc" != "$2" ]; then echo "FAIL $1: rc $rc, want $2"; cat "$tmp/out"; fails=$((fails + 1)); else echo "ok   $1"; fi
}
case_ "same spec, network by id, zero values dropped" 0 \
	'{"Name": "s", "Labels": {"a": "1"}, "TaskTemplate": {"ContainerSpec": {"Image": "x:latest", "Args": ["a"], "Isolation": "default"}, "Networks": [{"Target": "n1", "Aliases": ["s"]}], "Runtime": "container"}, "Mode": {"Replicated": {"Replicas": 2}}, "EndpointSpec": {"Mode": "vip"}}'
case_ "other replica count" 1 \
	'{"Name": "s", "Labels": {"a": "1"}, "TaskTemplate": {"ContainerSpec": {"Image": "x:latest", "Args": ["a"]}, "Networks": [{"Target": "n1", "Aliases": ["s"]}]}, "Mode": {"Replicated": {"Replicas": 3}}}'
case_ "a label lost" 1 \
	'{"Name": "s", "Labels": {}, "TaskTemplate": {"ContainerSpec": {"Image": "x:latest", "Args": ["a"]}, "Networks": [{"Target": "n1", "Aliases": ["s"]}]}, "Mode": {"Replicated": {"Replicas": 2}}}'
case_ "args changed" 1 \
	'{"Name": "s", "Labels": {"a": "1"}, "TaskTemplate": {"ContainerSpec": {"Image": "x:latest", "Args": ["b"]}, "Networks": [{"Target": "n1", "Aliases": ["s"]}]}, "Mode": {"Replicated": {"Replicas": 2}}}'
case_ "attached to another network" 1 \
	'{"Name": "s", "Labels": {"a": "1"}, "TaskTemplate": {"ContainerSpec": {"Image": "x:latest", "Args": ["a"]}, "Networks": [{"Target": "n2", "Aliases": ["s"]}]}, "Mode": {"Replicated": {"Replicas": 2}}}'
[ "$fails" -eq 0 ]
