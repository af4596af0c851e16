/* yaml_fast.h -- the events the loader consumes, and a direct scanner for block-style YAML. */
#ifndef C2S_YAML_FAST_H
#define C2S_YAML_FAST_H

#include <stddef.h>
#include <stdint.h>

/*
 * The part of a libyaml event stream the loader uses. Positions are byte
 * offsets in the source (libyaml's marks are character indexes; the loader
 * converts them). Document end and stream events carry nothing it needs.
 */
enum c2s_yev_type {
	C2S_YEV_SCALAR,
	C2S_YEV_MAPPING,   /* mapping start */
	C2S_YEV_SEQUENCE,  /* sequence start */
	C2S_YEV_END,       /* mapping or sequence end */
	C2S_YEV_ALIAS,
	C2S_YEV_DOCUMENT,  /* document start */
	C2S_YEV_RESTART    /* forget every event so far: the text is read again from the start */
};

struct c2s_yev {
	enum c2s_yev_type type;
	uint32_t start;            /* the node's first byte: its anchor's '&' when it has one */
	uint32_t end;              /* scalar and alias: just past the token */
	const char *value;         /* scalar: its value; alias: the anchor's name */
	size_t len;
	const char *anchor;        /* NULL: none */
	size_t anchor_len;
	const char *tag;           /* NULL: none */
	size_t tag_len;
	unsigned style;            /* C2S_STYLE_* (scalar style, or block/flow) */
};

/* Receives each event; a nonzero return stops the scan. */
typedef int (*c2s_yev_sink)(void *ctx, const struct c2s_yev *ev);

enum c2s_fast_status {
	C2S_FAST_DONE = 0,     /* every event of the first document was delivered */
	C2S_FAST_DECLINED = 1, /* the text is outside the subset (or not YAML): use libyaml */
	C2S_FAST_STOPPED = 2   /* the sink returned nonzero */
};

/*
 * libyaml spends ~200 instructions per input byte (it decodes the text into
 * its own buffer, and allocates and frees every token and event); a Compose
 * file is nearly always plain block YAML. This scanner reads that subset in
 * place and delivers the same events libyaml would -- same order, positions,
 * values, styles, anchors -- with values pointing into data (a block
 * scalar's, or a quoted scalar's with escapes, decoded into scratch). On
 * anything outside the subset (multi-line plain or quoted scalars, flow
 * mappings other than {}, block scalars with an indentation indicator,
 * tags, directives, several documents, tabs in indentation, and every
 * syntax error) it declines, having possibly delivered some events
 * already: the caller discards them and asks libyaml, so errors and rare
 * forms keep libyaml's exact behaviour. tests/unit/test_yaml_fast.c checks
 * the equivalence event for event, on real files and mutations of them.
 *
 * data must be NUL-terminated (data[len] == 0); bom is 3 when it starts
 * with a UTF-8 byte order mark, ascii nonzero when no byte is >= 0x80.
 */
enum c2s_fast_status c2s_yaml_fast(const char *data, size_t len, size_t bom, int ascii,
				   c2s_yev_sink sink, void *ctx);
/* The text check c2s_yaml_fast starts with, on a piece of the text (one
 * that cuts no character and no \r\n): 1 the scanner may read it. */
int c2s_yaml_fast_text(const char *p, size_t n, int ascii);
/* c2s_yaml_fast on a text every piece of which passed c2s_yaml_fast_text. */
enum c2s_fast_status c2s_yaml_fast_checked(const char *data, size_t len, size_t bom, c2s_yev_sink sink, void *ctx);

/* Why c2s_yaml_libyaml stopped. */
enum c2s_yerr_kind {
	C2S_YERR_NONE = 0,
	C2S_YERR_SYNTAX, /* not YAML (libyaml's words, or docker's for an escape) */
	C2S_YERR_NOMEM,
	C2S_YERR_LIMIT,  /* C2S_MAX_REREAD_BYTES */
	C2S_YERR_SCALAR  /* a token longer than C2S_MAX_SCALAR_BYTES, stopped while libyaml read it */
};
struct c2s_yerr {
	enum c2s_yerr_kind kind;
	const char *problem;  /* static text */
	const char *context;  /* static text or NULL */
	uint32_t at;          /* byte offset of the problem */
	uint32_t context_at;  /* of the context (== at: none elsewhere) */
	int value;            /* the reader's offending character, -1 none */
};

/*
 * libyaml's events for the same text, as docker's yaml.v3 reads it: byte
 * positions, and docker's escapes in double-quoted scalars (yaml_escape.h;
 * libyaml takes \/ and refuses \', docker the reverse). Taking a \' may
 * read the text again (bounded by C2S_MAX_REREAD_BYTES): the sink then gets
 * C2S_YEV_RESTART and forgets what it had. libyaml is given the text as it
 * reads it, and stopped (C2S_YERR_SCALAR) once the token it is reading
 * (a scalar, an anchor, a tag) has run past C2S_MAX_SCALAR_BYTES: it would
 * otherwise hold the whole token, however long. Returns 0 when every event was
 * delivered, 1 when the sink stopped, -1 with *err set.
 */
int c2s_yaml_libyaml(const char *data, size_t len, size_t bom, int ascii, c2s_yev_sink sink, void *ctx,
		     struct c2s_yerr *err);

#endif
