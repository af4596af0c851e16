#!/usr/bin/env bash
# action.sh -- the step of action.yml: run `compose2swarm lint` in the container image
# on the workspace, with the action's inputs; also runnable by hand or from other CI.
#
# Environment (action.yml sets these from its inputs):
#   C2S_FILES    files, separated by white space (none: lint's default file discovery)
#   C2S_FORMAT   report format (default github), C2S_FAIL_ON (default warning)
#   C2S_OUTPUT   also write the report to this file ('' for none)
#   C2S_IMAGE    the image (default compose2swarm:0.1.0); built from the Dockerfile in
#                GITHUB_ACTION_PATH (this repository) when docker does not have it
#   GITHUB_WORKSPACE  the directory to lint in (default: the current one)
#   GITHUB_OUTPUT     where the exit-code output goes (optional)
# Exit: compose2swarm's status (0 clean, 1 findings, 2 trouble).
set -uo pipefail
image=${C2S_IMAGE:-compose2swarm:0.1.0}
format=${C2S_FORMAT:-github}
fail_on=${C2S_FAIL_ON:-warning}
workspace=${GITHUB_WORKSPACE:-$PWD}
here=${GITHUB_ACTION_PATH:-$(cd "$(dirname "$0")/.." && pwd)}

if ! docker image inspect "$image" >/dev/null 2>&1; then
	echo "compose2swarm action: building $image from $here/Dockerfile" >&2
	docker build -q -t "$image" "$here" >&2 || { echo "compose2swarm action: docker build failed" >&2; exit 2; }
fi
# the files, split on white space and never glob-expanded
set -f
# shellcheck disable=SC2206
files=(${C2S_FILES:-})
set +f
# the linter needs no network; it runs as the caller so that it reads what the caller
# can; the workspace is mounted at its own path, so that absolute paths in reports (SARIF's
# %SRCROOT%) are the runner's checkout, not the container's
cmd=(docker run --rm --network none -u "$(id -u):$(id -g)" -v "$workspace:$workspace" -w "$workspace"
	-e NO_COLOR "$image" lint --format "$format" --fail-on "$fail_on" "${files[@]}")
if [ -n "${C2S_OUTPUT:-}" ]; then
	"${cmd[@]}" | tee "$C2S_OUTPUT"
	rc=${PIPESTATUS[0]}
else
	"${cmd[@]}"
	rc=$?
fi
[ -n "${GITHUB_OUTPUT:-}" ] && echo "exit-code=$rc" >>"$GITHUB_OUTPUT"
exit "$rc"
