#!/bin/sh
# check.sh -- `make check-valgrind` (issue 18): the test suite with every compose2swarm
# run, every unit test and the fuzz corpora's replay under valgrind's memcheck.
# Not in CI: memcheck is 20-50 times slower (about 30 minutes on 2 busy cores).
# A run with any memcheck error (invalid read or write, use of an uninitialised
# value, a leak definitely or indirectly lost, a bad free) fails, with the
# reports listed; each process writes its own log under tests/valgrind/logs.
# VALGRIND_TESTS narrows the tests (make's TESTS syntax, default: all of them).
set -u
: "${top_builddir:?}" "${MAKE:=make}"
if ! command -v valgrind >/dev/null 2>&1; then
	echo "check-valgrind: valgrind is not installed (Debian: valgrind)" >&2
	exit 77
fi
dir=$top_builddir/tests/valgrind
logs=$dir/logs
rm -rf "$logs"
mkdir -p "$logs" || exit 2
# vg: any command under memcheck; compose2swarm: the binary the scripts run ($C2S)
# (make runs every test through LOG_COMPILER: a script runs as it is, its compose2swarm under memcheck)
cat >"$dir/vg" <<VG
#!/bin/sh
case \$(head -c 2 "\$1") in '#!') exec "\$@" ;; esac
exec valgrind -q --tool=memcheck --error-exitcode=99 --leak-check=full \\
	--errors-for-leak-kinds=definite,indirect --show-leak-kinds=definite,indirect \\
	--log-file="$logs/%p.log" "\$@"
VG
cat >"$dir/compose2swarm" <<C2S
#!/bin/sh
exec "$dir/vg" "$top_builddir/compose2swarm" "\$@"
C2S
chmod +x "$dir/vg" "$dir/compose2swarm" || exit 2
# the binary itself, for the tests that inspect the file (tests/packaging/static.sh)
C2S_BINARY=$top_builddir/compose2swarm
export C2S_BINARY
start=$(date +%s)
# shellcheck disable=SC2086
$MAKE check C2S_CHECK="$dir/compose2swarm" LOG_COMPILER="$dir/vg" C2S_RUN="$dir/vg" C2S_VALGRIND=1 \
	${VALGRIND_TESTS:+TESTS="$VALGRIND_TESTS"}
rc=$?
runs=$(find "$logs" -name '*.log' | wc -l)
bad=$(find "$logs" -name '*.log' -size +0c)
echo "check-valgrind: $runs processes under memcheck in $(($(date +%s) - start)) s"
if [ -n "$bad" ]; then
	echo "check-valgrind: memcheck reports in:" >&2
	for f in $bad; do
		echo "== $f" >&2
		head -40 "$f" >&2
	done
	exit 1
fi
[ "$rc" -eq 0 ] || echo "check-valgrind: make check failed under valgrind (no memcheck report: see the tests' logs)" >&2
exit "$rc"
