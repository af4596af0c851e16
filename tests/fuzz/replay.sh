#!/bin/sh
# replay.sh -- every fuzz target on its corpus (tests/fuzz/corpus), built with
# the ordinary compiler (tests/fuzz/replay.c): the inputs libFuzzer found and
# every crash it ever found stay regression tests in make check.
set -u
top_srcdir=${top_srcdir:-.}
top_builddir=${top_builddir:-.}
corpus=$top_srcdir/tests/fuzz/corpus
fails=0
# target and the corpus it reads: the scanner and the pipeline share the compose files
for pair in pipeline:compose yaml:compose interp:interp config:config; do
	t=${pair%%:*} c=${pair#*:}
	# C2S_RUN: make check-valgrind's memcheck
	if ${C2S_RUN:-} "$top_builddir/tests/fuzz/fuzz_$t" "$corpus/$c"; then
		echo "ok   fuzz_$t"
	else
		echo "FAIL fuzz_$t on $corpus/$c"
		fails=$((fails + 1))
	fi
done
[ "$fails" -eq 0 ]
