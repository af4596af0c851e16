#!/usr/bin/env bash
# deploy-corpus.sh -- compose2swarm deploy against docker stack deploy on a corpus of real compose files.
# Usage: scripts/deploy-corpus.sh CORPUS_DIR [ID...]
#   CORPUS_DIR has real/ID.yml, stubs/ID/ (files the compose file names) and ref/ID/deploy.rc
#   (docker stack deploy's exit status against fakedockerd); the files docker deployed (0)
#   are checked, or the IDs given. Needs the docker CLI 28 (DOCKER_BIN) and a built C2S.
# Each file is staged with its stubs in a directory of this run's own (both tools deploy it
# from there, so absolute bind mount sources agree) and deployed five ways with each tool against a fresh
# fakedockerd, the requests of the last deploy compared by scripts/deploy_compare.py:
#   first    a first deploy (--resolve-image never)
#   second   the same file again (the update path)
#   changed  again with an override that adds an environment variable to every service
#   prune    a deploy with an extra service, then the file alone with --prune
#   auth     a first deploy with --with-registry-auth (auths for Docker Hub, a helper for the rest)
# External networks are made in the fake first (it lists only what exists). Prints one line
# per file and a summary; exit 0 when every deploy matched, 1 otherwise, 2 usage.
set -uo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
export top_srcdir=$top
C2S=${C2S:-$top/compose2swarm}
export C2S
. "$top/tests/deploy/lib.sh"
[ $# -ge 1 ] && [ -d "$1/real" ] || { echo "usage: $0 CORPUS_DIR [ID...]" >&2; exit 2; }
corpus=$(cd "$1" && pwd)
shift
"${DOCKER_BIN:-docker}" --version | grep -q "version 28\." || { echo "deploy-corpus: needs docker CLI 28 (DOCKER_BIN)" >&2; exit 2; }
ids=("$@")
if [ ${#ids[@]} -eq 0 ]; then
	for r in "$corpus"/ref/*/deploy.rc; do
		[ "$(cat "$r")" = 0 ] && ids+=("$(basename "$(dirname "$r")")")
	done
fi
work=$(mktemp -d /tmp/c2s-deploy-corpus.XXXXXX)
trap 'rm -rf "$work"' EXIT
total=0 matched=0
for id in "${ids[@]}"; do
	d=$work/$id
	mkdir -p "$d"
	cp "$corpus/real/$id.yml" "$d/"
	[ -d "$corpus/stubs/$id" ] && cp -r "$corpus/stubs/$id/." "$d/"
	# what the file has: its version, services, and the external networks they join
	(cd "$d" && "$C2S" convert -c "$id.yml" --to api --stack s >"$work/api.json" 2>/dev/null &&
		"$C2S" convert -c "$id.yml" >"$work/config.yml" 2>/dev/null) || { echo "$id: convert refused it; skipped"; continue; }
	version=$(sed -n 's/^version: *//p' "$work/config.yml" | head -1)
	read -r externals services < <(python3 - "$work/api.json" <<'PY'
import json, sys
a = json.load(open(sys.argv[1]))
made = {n["Name"] for n in a["networks"]}
ext = sorted({t["Target"] for s in a["services"] for t in s.get("TaskTemplate", {}).get("Networks", []) or []
              if t["Target"] not in made and t["Target"] not in ("bridge", "host", "none")})
print(",".join(ext) or "-", ",".join(s["Name"][2:] for s in a["services"]))
PY
)
	nets=""
	[ "$externals" != - ] && for n in ${externals//,/ }; do nets="$nets network $n;"; done
	{
		printf 'version: %s\nservices:\n' "$version"
		for s in ${services//,/ }; do printf '  %s:\n    environment:\n      C2S_CHANGED: "1"\n' "$s"; done
	} >"$d/c2s-changed.yml"
	printf 'version: %s\nservices:\n  c2s-extra:\n    image: busybox:1.36\n' "$version" >"$d/c2s-extra.yml"
	mkdir -p "$d/auth/dockerconfig" "$d/auth/bin"
	printf '{"auths": {"https://index.docker.io/v1/": {"auth": "aHViOnNlY3JldA=="}}, "credHelpers": {"ghcr.io": "c2scorpus", "quay.io": "c2scorpus"}}\n' \
		>"$d/auth/dockerconfig/config.json"
	printf '#!/bin/sh\nserver=$(cat)\nprintf %s "{\\"ServerURL\\":\\"$server\\",\\"Username\\":\\"u\\",\\"Secret\\":\\"s\\"}"\n' "'%s'" \
		>"$d/auth/bin/docker-credential-c2scorpus"
	chmod +x "$d/auth/bin/docker-credential-c2scorpus"
	line="$id:"
	for scn in first second changed prune auth; do
		case $scn in
		first) printf 'SETUP="%s"\nFILES="%s.yml"\nFLAGS="--resolve-image never"\n' "$nets" "$id" ;;
		second) printf 'SETUP="%s deploy %s.yml"\nFILES="%s.yml"\nFLAGS="--resolve-image never"\n' "$nets" "$id" "$id" ;;
		changed) printf 'SETUP="%s deploy %s.yml"\nFILES="%s.yml c2s-changed.yml"\nFLAGS="--resolve-image never"\n' "$nets" "$id" "$id" ;;
		prune) printf 'SETUP="%s deploy %s.yml c2s-extra.yml"\nFILES="%s.yml"\nFLAGS="--prune --resolve-image never"\n' "$nets" "$id" "$id" ;;
		auth) printf 'SETUP="%s"\nFILES="%s.yml"\nFLAGS="--with-registry-auth --resolve-image never"\nAUTH=1\nAUTH_DIR=%s/auth\n' "$nets" "$id" "$d" ;;
		esac >"$work/case.sh"
		total=$((total + 1))
		if ! run_case docker "$d" "$work/docker" "$work/case.sh" 2>"$work/setup.err"; then
			line="$line $scn=docker-setup-failed"; continue
		fi
		if ! run_case ours "$d" "$work/ours" "$work/case.sh" 2>"$work/setup.err"; then
			line="$line $scn=setup-failed"
			grep -v -e ' | ' -e 'hint:' -e '\[CS' "$work/setup.err" | sed "s/^/    $id $scn: /" | tail -3 >&2
			continue
		fi
		if [ "$(cat "$work/docker.rc")" != "$(cat "$work/ours.rc")" ]; then
			line="$line $scn=exit-$(cat "$work/ours.rc")-not-$(cat "$work/docker.rc")"
			sed "s/^/    $id $scn: /" "$work/ours.err" | grep -v -e ' | ' -e 'hint:' -e '\[CS' | tail -3 >&2
		elif python3 "$top/scripts/deploy_compare.py" "$work/docker.jsonl" "$work/ours.jsonl" >"$work/diff"; then
			line="$line $scn=ok"
			matched=$((matched + 1))
		else
			line="$line $scn=differs"
			sed "s/^/    $id $scn: /" "$work/diff" | head -6 >&2
		fi
	done
	echo "$line"
done
echo "deploy-corpus: $matched of $total deploys sent docker's requests"
[ "$matched" -eq "$total" ]
