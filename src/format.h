/* format.h -- diagnostic formatters: pure functions from a resolved, sorted list to bytes. */
#ifndef C2S_FORMAT_H
#define C2S_FORMAT_H

#include "buf.h"
#include "diag.h"
#include "source.h"

struct c2s_format_options {
	enum c2s_format format;
	int color;        /* ANSI colours (text only) */
	size_t files;     /* files linted, for the summary */
	const struct c2s_source *sources; /* those files (NULL: not known): JUnit's passing cases */
	const char *docs_url;  /* SARIF helpUri: a base URL of docs/rules, "{id}" for the id; NULL: none */
	const char *srcroot;   /* SARIF %SRCROOT%: the absolute directory file URIs are relative to;
				  NULL: URIs are the names as reported */
};

/* The SARIF 2.1.0 report (format_sarif.c). */
int c2s_format_sarif(const struct c2s_diags *l, const struct c2s_format_options *o, struct c2s_buf *out);

/* Append the report for l (already resolved with c2s_diags_resolve) to out.
 * Returns 0, or -1 when out ran out of room or memory. */
int c2s_format_diags(const struct c2s_diags *l, const struct c2s_format_options *o, struct c2s_buf *out);
/* The same with label giving the word each diagnostic is printed with instead of its
 * severity's name (migrate: translated, dropped, needs-you), also as "kind" in json;
 * the text format then leaves the summary line to the caller. */
typedef const char *(*c2s_diag_label_fn)(const struct c2s_diag *d);
int c2s_format_diags_labeled(const struct c2s_diags *l, const struct c2s_format_options *o, c2s_diag_label_fn label,
			     struct c2s_buf *out);

#endif
