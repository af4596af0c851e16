#!/usr/bin/env bash
# test.sh -- the whole test suite, as CI runs it: -Werror build, unit/golden/CLI tests
# under ASan+UBSan, then on the static binary (and its dist-bin tarball), then `make bench-quick`, `make fuzz` (bounded), then `make distcheck` (the suite without sanitizers).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
jobs=$(nproc 2>/dev/null || echo 2)
[ -x configure ] || autoreconf -fi

step() { printf '\n==== %s ==== (%s, %s s in)\n' "$*" "$(date +%T)" "$SECONDS"; }

step "build and test with AddressSanitizer and UndefinedBehaviorSanitizer"
./configure -q --enable-werror --enable-sanitizers
make -s clean
ASAN_OPTIONS=halt_on_error=1:detect_leaks=1 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
	make -s -j"$jobs" check VERBOSE=yes

step "static binary: the whole suite on it, then make dist-bin and the tests on the binary it ships"
# Debian's libcjson-dev has no libcjson.a: cJSON comes from Debian's source package
./configure -q --enable-werror --enable-static-binary --with-cjson-source="$(scripts/cjson-source.sh)"
make -s clean
make -s -j"$jobs" check VERBOSE=yes
make -s check-dist-bin

# The suite without sanitizers runs once, in make distcheck (a -Werror build
# from the tarball, out of the source tree); here only the build bench-quick needs.
step "build without sanitizers"
./configure -q --enable-werror
make -s clean
make -s -j"$jobs"

step "make bench-quick: speed and memory against libyaml's bare parse (N <= 1,000)"
make -s bench-quick

step "make fuzz: each libFuzzer target (clang, ASan+UBSan), a fixed number of runs from seed 1"
# anything found fails CI; without clang's libFuzzer (install-deps.sh installs it) it says skipped.
# The runs are about 20 s a target on 2 quiet cores; 60 s bounds a busy machine (tests/fuzz/run.sh).
make -s fuzz FUZZ_SEED=1 FUZZ_RUNS="pipeline=25000 yaml=350000 interp=1500000 config=400000" FUZZ_SECONDS=60

step "make distcheck"
make -s -j"$jobs" distcheck DISTCHECK_CONFIGURE_FLAGS=--enable-werror VERBOSE=yes
step "make check-swarm: our API payloads on a real single-node swarm"
make -s check-swarm
step "all tests passed"
