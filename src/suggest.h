/* suggest.h -- "did you mean": the edit distance between two words, and how far a guess may be. */
#ifndef C2S_SUGGEST_H
#define C2S_SUGGEST_H

#include <stddef.h>

/* Longest word compared; a longer one is "far" from everything. */
#define C2S_SUGGEST_MAX_WORD 62
/* Levenshtein distance of a[0..n) and b[0..m); past C2S_SUGGEST_MAX_WORD: C2S_SUGGEST_FAR. */
#define C2S_SUGGEST_FAR 99
size_t c2s_edit_distance(const char *a, size_t n, const char *b, size_t m);
/* The largest distance worth suggesting for a word of n characters (1, 2 or 3). */
size_t c2s_suggest_limit(size_t n);

#endif
