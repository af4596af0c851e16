/* fuzz.h -- what every fuzz target defines: libFuzzer's entry point (make fuzz), also driven by replay.c (make check). */
#ifndef C2S_FUZZ_H
#define C2S_FUZZ_H

#include <stddef.h>
#include <stdint.h>

/* One input; returns 0. A finding (a crash, a sanitizer report, two readers
 * or two commands that disagree) aborts. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Inputs past this many bytes are skipped: a fuzzer's time goes to shapes, not
 * to length (the limits have their own tests, tests/hostile). */
#define C2S_FUZZ_MAX_INPUT ((size_t)64 << 10)

#endif
