/* scan_interp.re -- splits a string into text and $-references the way docker/cli's
 * template package matches them (re2c; scan_interp.c is generated).
 *
 * docker/cli v28.2.2 matches, case-insensitively and leftmost-first,
 *   \$ ( \$ | NAME OP? | { NAME OP? } | <empty> )
 * with NAME = [_a-z][_a-z0-9]* and OP = :?[-?][^}]*. Nothing nests: an operator's
 * word runs to the first '}'. The unbraced form takes an operator too ("$A-x"),
 * and an empty alternative makes any other '$' an invalid reference. Go folds
 * case with Unicode simple folding, so the long s (U+017F) and the Kelvin sign
 * (U+212A) count as letters. Longest match gives the same tokens here because a
 * NAME never contains ':', '-', '?' or '}'. */
#include "config.h"
#include "interp.h"

/* The bound check lives in the peek: past the end reads 0, which no rule takes.
 * A NUL inside the string reads as 1: the grammar treats both alike (neither is
 * '$', '{', '}', ':', '-', '?' nor a name character). */
#define SCAN_PEEK(c, l) ((c) < (l) ? (*(c) ? (unsigned)*(c) : 1u) : 0u)

size_t c2s_interp_scan(const char *str, size_t n, size_t pos, struct c2s_interp_tok *t)
{
	const unsigned char *s = (const unsigned char *)str;
	const unsigned char *lim = s + n, *cur = s + pos, *mar = cur, *tok = cur;
	t->start = pos;
	t->subst = t->nsubst = 0;
	if (pos >= n) {
		t->kind = C2S_INTERP_END;
		t->end = n;
		return n;
	}
	/*!re2c
		re2c:api = custom;
		re2c:api:style = free-form;
		re2c:define:YYCTYPE = "unsigned int";
		re2c:define:YYPEEK = "SCAN_PEEK(cur, lim)";
		re2c:define:YYSKIP = "++cur;";
		re2c:define:YYBACKUP = "mar = cur;";
		re2c:define:YYRESTORE = "cur = mar;";
		re2c:yyfill:enable = 0;

		letter = [_a-zA-Z] | "\xc5\xbf" | "\xe2\x84\xaa";
		name   = letter (letter | [0-9])*;
		word   = [\x01-\x7c\x7e-\xff]*;
		op     = ":"? [-?] word;

		"$$" {
			t->kind = C2S_INTERP_ESCAPED;
			goto done;
		}
		"$" name op? {
			t->kind = C2S_INTERP_VAR;
			t->subst = (size_t)(tok - s) + 1;
			t->nsubst = (size_t)(cur - tok) - 1;
			goto done;
		}
		"${" name op? "}" {
			t->kind = C2S_INTERP_VAR;
			t->subst = (size_t)(tok - s) + 2;
			t->nsubst = (size_t)(cur - tok) - 3;
			goto done;
		}
		"$" {
			t->kind = C2S_INTERP_INVALID;
			goto done;
		}
		[\x01-\x23\x25-\xff]+ {
			t->kind = C2S_INTERP_TEXT;
			goto done;
		}
		* {
			/* unreachable: every byte starts one of the tokens above */
			t->kind = C2S_INTERP_TEXT;
			goto done;
		}
	*/
done:
	(void)mar;
	t->end = (size_t)(cur - s);
	return t->end;
}
