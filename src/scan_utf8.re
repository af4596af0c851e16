/* scan_utf8.re -- counts UTF-8 code points for columns (re2c; scan_utf8.c is generated). */
#include "config.h"
#include "source.h"

/* A stray byte (invalid lead, truncated sequence) counts as one column, as
 * editors show a replacement character for it. The bound check is in YYPEEK,
 * so the scanner never reads past s + n. */
#define SCAN_PEEK(c, l) ((c) < (l) ? *(c) : 0x100)

static size_t utf8_scan(const unsigned char *s, size_t n, size_t max_points,
			size_t *bytes)
{
	const unsigned char *cur = s, *lim = s + n, *mar = s;
	size_t points = 0;
	while (cur < lim && points < max_points) {
	/*!re2c
		re2c:api = custom;
		re2c:api:style = free-form;
		re2c:define:YYCTYPE = "unsigned int";
		re2c:define:YYPEEK = "SCAN_PEEK(cur, lim)";
		re2c:define:YYSKIP = "++cur;";
		re2c:define:YYBACKUP = "mar = cur;";
		re2c:define:YYRESTORE = "cur = mar;";
		re2c:yyfill:enable = 0;

		cont = [\x80-\xbf];
		utf8 = [\x00-\x7f]
		     | [\xc2-\xdf] cont
		     | "\xe0" [\xa0-\xbf] cont
		     | [\xe1-\xec\xee\xef] cont cont
		     | "\xed" [\x80-\x9f] cont
		     | "\xf0" [\x90-\xbf] cont cont
		     | [\xf1-\xf3] cont cont cont
		     | "\xf4" [\x80-\x8f] cont cont;

		utf8 { points++; continue; }
		*    { points++; continue; }
	*/
	}
	(void)mar;
	if (bytes)
		*bytes = (size_t)(cur - s);
	return points;
}

size_t c2s_utf8_count(const char *s, size_t n)
{
	return utf8_scan((const unsigned char *)s, n, (size_t)-1, NULL);
}

size_t c2s_utf8_advance(const char *s, size_t len, size_t n)
{
	size_t bytes = 0;
	utf8_scan((const unsigned char *)s, len, n, &bytes);
	return bytes;
}
