#!/bin/sh
# static.sh -- the binary is what configure says it is: with --enable-static-binary it
# has no dynamic dependency at all (no ELF interpreter, no NEEDED entry; ldd and file
# agree) and --version says what it leaves out; otherwise it is an ordinary dynamic
# program and --version claims nothing. The rest of `make check` then runs the same
# golden and CLI tests on whichever binary this is.
set -u
top=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
builddir=${top_builddir:-$top}
bin=${C2S_BINARY:-${C2S:-$builddir/compose2swarm}}  # C2S_BINARY: make check-valgrind (C2S wraps it)
passed=0 failed=0
ok() { passed=$((passed + 1)); echo "ok   $1"; }
fail() { failed=$((failed + 1)); echo "FAIL $1"; }
check() { # check NAME COMMAND...: passes when COMMAND succeeds
	what=$1; shift
	if "$@"; then ok "$what"; else fail "$what"; fi
}

[ -f "$builddir/config.h" ] || { echo "no $builddir/config.h"; exit 99; }
command -v readelf >/dev/null || { echo "SKIP: no readelf (binutils)"; exit 77; }
version=$("$bin" --version) || { echo "FAIL: --version exits $?"; exit 1; }

if grep -q '^#define C2S_STATIC_BINARY 1' "$builddir/config.h"; then
	echo "configured with --enable-static-binary"
	check "no ELF interpreter (readelf -l)" sh -c '! readelf -lW "$1" | grep -q "Requesting program interpreter"' sh "$bin"
	check "no NEEDED shared library (readelf -d)" sh -c '! readelf -dW "$1" | grep -q "(NEEDED)"' sh "$bin"
	check "ldd: not a dynamic executable" sh -c 'ldd "$1" 2>&1 | grep -q "not a dynamic executable"' sh "$bin"
	if command -v file >/dev/null; then
		check "file: statically linked" sh -c 'file -L "$1" | grep -q "statically linked"' sh "$bin"
	fi
	case $version in
	*"static binary"*"plan and deploy need the container image or a dynamic build"*)
		ok "--version says plan and deploy are left out" ;;
	*) fail "--version does not say what the static binary leaves out: $version" ;;
	esac
	# the Engine API commands it has (plan, deploy) refuse a daemon with exit 2 and say why
	for c in plan deploy; do
		"$bin" --help | grep -q "compose2swarm $c " || continue
		out=$("$bin" "$c" -c "$top/fixtures/seed/docker-compose.yml" c2sstatic 2>&1 </dev/null)
		rc=$?
		case "$rc:$out" in
		2:*"Engine API client"*) ok "$c against a daemon: exit 2, no Engine API client" ;;
		*) fail "$c against a daemon: exit $rc: $out" ;;
		esac
	done
	# it runs where no shared library can be found at all
	out=$(env -i LD_LIBRARY_PATH=/nonexistent "$bin" lint "$top/fixtures/seed/docker-compose.yml" 2>&1)
	case $out in *"2 problems"*) ok "runs with an empty environment" ;; *) fail "runs with an empty environment: $out" ;; esac
else
	echo "configured without --enable-static-binary"
	check "a dynamic program (readelf -d lists NEEDED)" sh -c 'readelf -dW "$1" | grep -q "(NEEDED)"' sh "$bin"
	case $version in
	*static*) fail "--version claims a static build: $version" ;;
	*) ok "--version claims no static build" ;;
	esac
fi
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
