/* scan_units.re -- the unit words of Go durations and docker/go-units sizes
 * (re2c; scan_units.c is generated). The numbers around them are read in
 * goval.c, which keeps Go's overflow rules. */
#include "config.h"
#include "goval.h"

/* The bound check is in YYPEEK, so the scanner never reads past the limit. */
#define UNIT_PEEK(c, l) ((c) < (l) ? *(c) : 0x100)

/* A time.ParseDuration unit at *pcur (ns us µs μs ms s m h): its length in
 * nanoseconds, *pcur moved past it; 0 when none starts there. Go reads the
 * unit as the whole run up to the next digit or '.', so the caller checks
 * that one of those (or the end) follows. */
uint64_t c2s_scan_duration_unit(const unsigned char **pcur, const unsigned char *lim)
{
	const unsigned char *cur = *pcur, *mar = cur;
	/*!re2c
		re2c:api = custom;
		re2c:api:style = free-form;
		re2c:define:YYCTYPE = "unsigned int";
		re2c:define:YYPEEK = "UNIT_PEEK(cur, lim)";
		re2c:define:YYSKIP = "++cur;";
		re2c:define:YYBACKUP = "mar = cur;";
		re2c:define:YYRESTORE = "cur = mar;";
		re2c:yyfill:enable = 0;

		"ns"                               { *pcur = cur; return 1ull; }
		"us" | "\xc2\xb5s" | "\xce\xbcs"   { *pcur = cur; return 1000ull; }
		"ms"                               { *pcur = cur; return 1000000ull; }
		"s"                                { *pcur = cur; return 1000000000ull; }
		"m"                                { *pcur = cur; return 60000000000ull; }
		"h"                                { *pcur = cur; return 3600000000000ull; }
		*                                  { (void)mar; return 0; }
	*/
}

/* A RAMInBytes suffix, the whole of [s, lim): b, or k m g t p alone or followed
 * by b or ib, any case. Returns the power of 1024 (0 for b), or -1. */
int c2s_scan_size_suffix(const unsigned char *s, const unsigned char *lim)
{
	const unsigned char *cur = s, *mar = s;
	int power;
	/*!re2c
		re2c:api = custom;
		re2c:api:style = free-form;
		re2c:define:YYCTYPE = "unsigned int";
		re2c:define:YYPEEK = "UNIT_PEEK(cur, lim)";
		re2c:define:YYSKIP = "++cur;";
		re2c:define:YYBACKUP = "mar = cur;";
		re2c:define:YYRESTORE = "cur = mar;";
		re2c:yyfill:enable = 0;

		more = ('b' | 'ib')?;
		'b'        { power = 0; goto done; }
		'k' more   { power = 1; goto done; }
		'm' more   { power = 2; goto done; }
		'g' more   { power = 3; goto done; }
		't' more   { power = 4; goto done; }
		'p' more   { power = 5; goto done; }
		*          { (void)mar; return -1; }
	*/
done:
	return cur == lim ? power : -1;
}
