#!/bin/sh
# dist-bin.sh -- check a `make dist-bin` tarball as a user gets it: the checksum beside
# it, the files inside and their SHA256SUMS, a binary with no dynamic dependency, then
# the golden lint, convert and api suites and the CLI tests run on that (stripped)
# binary from a directory where nothing else of the build is, and docs/ci.md's GitLab job
# fetches and checks this tarball.
# Usage: tests/packaging/dist-bin.sh compose2swarm-VERSION-linux-ARCH.tar.gz
set -u
top=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
tarball=${1:?usage: dist-bin.sh TARBALL}
passed=0 failed=0
ok() { passed=$((passed + 1)); echo "ok   $1"; }
fail() { failed=$((failed + 1)); echo "FAIL $1"; }
check() { what=$1; shift; if "$@"; then ok "$what"; else fail "$what"; fi; }
tmp=$(mktemp -d) || exit 99
trap 'rm -rf "$tmp"' EXIT

name=$(basename "$tarball" .tar.gz)
case $name in
compose2swarm-[0-9]*.[0-9]*.[0-9]*-linux-*) ok "named compose2swarm-VERSION-linux-ARCH.tar.gz" ;;
*) fail "the name $name.tar.gz is not compose2swarm-VERSION-linux-ARCH.tar.gz" ;;
esac
check "the .sha256 beside it matches" sh -c 'cd "$(dirname "$1")" && sha256sum -c --quiet "$(basename "$1").sha256"' sh "$tarball"
tar -C "$tmp" -xzf "$tarball" || { echo "FAIL: cannot unpack $tarball"; exit 1; }
d=$tmp/$name
got=$(cd "$d" && ls | tr '\n' ' ')
want="LICENSE SHA256SUMS THIRD-PARTY-NOTICES compose2swarm compose2swarm.1 "
check "holds $want" test "$got" = "$want"
check "SHA256SUMS inside matches" sh -c 'cd "$1" && sha256sum -c --quiet SHA256SUMS' sh "$d"
check "SHA256SUMS covers every other file" test "$(cut -c67- "$d/SHA256SUMS" | tr '\n' ' ')" = "compose2swarm compose2swarm.1 LICENSE THIRD-PARTY-NOTICES "
check "no ELF interpreter" sh -c '! readelf -lW "$1" | grep -q "program interpreter"' sh "$d/compose2swarm"
check "no NEEDED library" sh -c '! readelf -dW "$1" | grep -q "(NEEDED)"' sh "$d/compose2swarm"
check "stripped" sh -c '! readelf -SW "$1" | grep -q "\.debug_info"' sh "$d/compose2swarm"
version=${name#compose2swarm-}
version=${version%-linux-*}
check "--version is $version" sh -c '"$1" --version | head -n 1 | grep -qx "compose2swarm $2"' sh "$d/compose2swarm" "$version"
check "the man page is the project's" cmp -s "$d/compose2swarm.1" "$top/docs/compose2swarm.1"
check "LICENSE is the project's" cmp -s "$d/LICENSE" "$top/LICENSE"
for lib in libyaml cJSON "GNU C Library"; do
	check "THIRD-PARTY-NOTICES has $lib's licence" grep -q "^==== $lib " "$d/THIRD-PARTY-NOTICES"
done

# the same tests as the build's own binary passes, on the shipped one
for t in tests/golden/run-lint.sh tests/golden/run-convert.sh tests/golden/run-api.sh tests/cli/run.sh \
	tests/cli/controls.sh tests/cli/api.sh; do
	if top_srcdir=$top C2S=$d/compose2swarm "$top/$t" >"$tmp/log" 2>&1; then
		ok "$t on the shipped binary ($(tail -n 1 "$tmp/log"))"
	else
		tail -n 30 "$tmp/log"
		fail "$t on the shipped binary"
	fi
done
# docs/ci.md's GitLab job and shell gate, on this very tarball and binary
abs=$(cd "$(dirname "$tarball")" && pwd)/$(basename "$tarball")
if top_srcdir=$top C2S=$d/compose2swarm C2S_TARBALL=$abs "$top/tests/packaging/ci-docs.sh" >"$tmp/log" 2>&1; then
	ok "docs/ci.md's jobs with this tarball ($(tail -n 1 "$tmp/log"))"
else
	cat "$tmp/log"
	fail "docs/ci.md's jobs with this tarball"
fi
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
