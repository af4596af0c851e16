#!/bin/sh
# run.sh -- `make fuzz`: each fuzz target built with clang's libFuzzer, ASan and
# UBSan, run for FUZZ_SECONDS on a copy of its corpus (tests/fuzz/corpus is
# read, never written: new inputs land in tests/fuzz/new/TARGET, a crash in
# tests/fuzz/new/crash-*; copy what is worth keeping into the corpus).
# Exit 77 when FUZZ_CC cannot build a libFuzzer program (no clang here).
#
# FUZZ_SEED=N with FUZZ_RUNS="pipeline=N yaml=N ..." is CI's run: libFuzzer's
# -seed and -runs, each target starting from the kept corpus alone
# (tests/fuzz/new/TARGET emptied first), a fixed amount of work whatever the
# machine's speed; FUZZ_SECONDS then only bounds a slow machine. It is close
# to repeatable, not exact: two such runs of 3,000 inputs ended with coverage
# 0.3% apart, so a rare finding can still come and go. Without them: a random
# seed for FUZZ_SECONDS, the way to fuzz for long.
set -u
: "${FUZZ_CC:?}" "${FUZZ_SECONDS:?}" "${FUZZ_TARGETS:?}" "${FUZZ_CPPFLAGS:?}" "${FUZZ_SOURCES:?}" "${top_srcdir:?}"
FUZZ_LIBS=${FUZZ_LIBS:-}
FUZZ_SEED=${FUZZ_SEED:-}
FUZZ_RUNS=${FUZZ_RUNS:-}
build=tests/fuzz/build
new=tests/fuzz/new
flags="-g -O1 -std=c11 -fno-omit-frame-pointer -fsanitize=address,undefined -fno-sanitize-recover=all"
mkdir -p "$build" "$new" || exit 2
echo 'int LLVMFuzzerTestOneInput(const unsigned char *d, unsigned long n) { (void)d; (void)n; return 0; }' >"$build/probe.c"
if ! $FUZZ_CC $flags -fsanitize=fuzzer "$build/probe.c" -o "$build/probe" 2>"$build/probe.err"; then
	echo "make fuzz: $FUZZ_CC cannot build a libFuzzer program (Debian: clang and libclang-rt-14-dev); skipped" >&2
	sed 's/^/  /' "$build/probe.err" >&2
	exit 77
fi
# a header or the configuration changed: every object again
for h in config.h "$top_srcdir"/src/*.h "$top_srcdir"/src/*.def "$top_srcdir"/include/*.h; do
	if [ ! -f "$build/stamp" ] || [ "$h" -nt "$build/stamp" ]; then
		rm -f "$build"/*.o
		break
	fi
done
: >"$build/stamp"
# the library once, instrumented for coverage (fuzzer-no-link) and the sanitizers
objs=""
for src in $FUZZ_SOURCES; do
	o=$build/$(basename "$src" .c).o
	if [ ! -f "$o" ] || [ "$src" -nt "$o" ]; then
		# shellcheck disable=SC2086
		$FUZZ_CC $flags -fsanitize=fuzzer-no-link $FUZZ_CPPFLAGS -c "$src" -o "$o" || exit 2
	fi
	objs="$objs $o"
done
rc=0
for t in $FUZZ_TARGETS; do
	case $t in pipeline | yaml) corpus=compose ;; *) corpus=$t ;; esac
	# shellcheck disable=SC2086
	$FUZZ_CC $flags -fsanitize=fuzzer $FUZZ_CPPFLAGS -I"$top_srcdir/tests/fuzz" \
		"$top_srcdir/tests/fuzz/fuzz_$t.c" $objs $FUZZ_LIBS -o "$build/fuzz_$t" || exit 2
	repeat=""
	if [ -n "$FUZZ_SEED" ]; then
		runs=""
		for r in $FUZZ_RUNS; do
			[ "${r%%=*}" = "$t" ] && runs=${r#*=}
		done
		case $runs in
		'' | *[!0-9]*) echo "make fuzz: FUZZ_SEED needs FUZZ_RUNS with $t=N (got '$FUZZ_RUNS')" >&2; exit 2 ;;
		esac
		rm -rf "${new:?}/$t"
		repeat="-seed=$FUZZ_SEED -runs=$runs"
		echo "make fuzz: fuzz_$t, $runs runs from seed $FUZZ_SEED (at most ${FUZZ_SECONDS}s)"
	else
		echo "make fuzz: fuzz_$t for ${FUZZ_SECONDS}s"
	fi
	mkdir -p "$new/$t"
	# new inputs go to $new/$t (first directory), the kept corpus is only read
	# shellcheck disable=SC2086
	if ! "$build/fuzz_$t" $repeat -max_total_time="$FUZZ_SECONDS" -max_len=4096 -timeout=10 -rss_limit_mb=1024 \
		-print_final_stats=1 -artifact_prefix="$new/crash-$t-" \
		"$new/$t" "$top_srcdir/tests/fuzz/corpus/$corpus" >"$new/$t.log" 2>&1; then
		echo "make fuzz: fuzz_$t FOUND SOMETHING (log: $new/$t.log):" >&2
		grep -E 'ERROR|SUMMARY|Test unit written|disagree|differs|took what' "$new/$t.log" | head -20 >&2
		rc=1
	fi
	grep -E '^stat::number_of_executed_units|^stat::peak_rss_mb' "$new/$t.log" | sed "s/^/  fuzz_$t /"
	if [ -n "$repeat" ] && ! grep -q "^Done $runs runs" "$new/$t.log"; then
		echo "make fuzz: fuzz_$t stopped at ${FUZZ_SECONDS}s before its $runs runs: this run is not the repeatable one" >&2
	fi
done
exit $rc
