#!/bin/sh
# install-deps.sh -- install the Debian packages the build and tests need, if any is missing.
set -eu
# clang + its runtime (libFuzzer): `make fuzz`, which CI runs briefly (tests/fuzz/run.sh).
# Test tools, not the build's: named apart from the build packages, which the
# Dockerfile must carry too (tests/packaging/ci-docs.sh reads the packages= lines).
fuzz_packages="clang libclang-rt-14-dev"
packages="build-essential autoconf automake libtool pkg-config libyaml-dev libcjson-dev
libcmocka-dev libcurl4-openssl-dev re2c python3 bsdutils docker.io busybox-static curl"
# python3-jsonschema: tests/cli/plan.sh checks plan's JSON against docs/schema.
packages="$packages python3-jsonschema"
missing=""
# valgrind: `make bench-quick` counts instructions with callgrind (bench/run.py).
packages="$packages valgrind"
# python3-jsonschema: tests/cli/schemas.sh and sarif.sh check our JSON against docs/schema/ and SARIF's schema.
packages="$packages python3-jsonschema"
# packaging (issue 16): pre-commit and git test the hooks; the image carries CA certificates;
# zsh and fish run their completions' tests.
packages="$packages pre-commit git ca-certificates zsh fish"
packages="$packages $fuzz_packages"
# openssh-server, openssh-client: tests/swarm/tier-ssh.sh puts a private sshd (its own config
# and keys, started and stopped by the tier, never as a service) in front of the test swarm.
packages="$packages openssh-server openssh-client"
for p in $packages; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" ||
		missing="$missing $p"
done
if [ -n "$missing" ]; then
	sudo=""
	[ "$(id -u)" -eq 0 ] || sudo=sudo
	echo "install-deps: installing$missing" >&2
	$sudo apt-get update -qq
	# shellcheck disable=SC2086
	DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends $missing >/dev/null
fi
# SARIF tools from npm (tests/cli/sarif.sh), when npm is here: Microsoft's validator
# (`sarif-multitool validate`, a self-contained binary) and the SARIF 2.1.0 JSON
# Schema (in @microsoft/jest-sarif). Into a cache outside the tree; a failure only
# means those checks skip (CI=true: fail). About 100 MB, a few seconds.
tools=${C2S_TOOLS_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/compose2swarm-tools}
multitool=$tools/node_modules/@microsoft/sarif-multitool-linux/Sarif.Multitool
schema=$tools/sarif-schema/sarif-2.1.0-rtm.5.json
if command -v npm >/dev/null 2>&1 && [ "$(uname -m)" = x86_64 ] && { [ ! -x "$multitool" ] || [ ! -f "$schema" ]; }; then
	echo "install-deps: SARIF validator and schema from npm into $tools" >&2
	mkdir -p "$tools/sarif-schema" &&
	npm install --silent --no-audit --no-fund --ignore-scripts --prefix "$tools" \
		@microsoft/sarif-multitool-linux@5.7.0 >/dev/null &&
	chmod u+x "$multitool" &&
	(cd "$tools/sarif-schema" && npm pack --silent @microsoft/jest-sarif@1.0.0-beta.0 >/dev/null &&
		tar -xzf microsoft-jest-sarif-1.0.0-beta.0.tgz --strip-components=3 \
			package/lib/schemas/sarif-2.1.0-rtm.5.json &&
		rm -f microsoft-jest-sarif-1.0.0-beta.0.tgz) ||
	echo "install-deps: could not install the SARIF tools from npm; their checks will skip" >&2
fi
exit 0
