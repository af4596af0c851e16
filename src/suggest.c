/* suggest.c -- edit distance for "did you mean" (schema keys, rule ids and names). */
#include "config.h"
#include "suggest.h"

size_t c2s_edit_distance(const char *a, size_t n, const char *b, size_t m)
{
	size_t row[C2S_SUGGEST_MAX_WORD + 2];
	if (n > C2S_SUGGEST_MAX_WORD || m > C2S_SUGGEST_MAX_WORD)
		return C2S_SUGGEST_FAR;
	for (size_t j = 0; j <= m; j++)
		row[j] = j;
	for (size_t i = 1; i <= n; i++) {
		size_t prev = row[0];
		row[0] = i;
		for (size_t j = 1; j <= m; j++) {
			size_t cur = row[j];
			size_t best = prev + (a[i - 1] != b[j - 1]);
			if (row[j] + 1 < best)
				best = row[j] + 1;
			if (row[j - 1] + 1 < best)
				best = row[j - 1] + 1;
			row[j] = best;
			prev = cur;
		}
	}
	return row[m];
}

size_t c2s_suggest_limit(size_t n)
{
	return n <= 4 ? 1 : n <= 8 ? 2 : 3;
}
