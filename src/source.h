/* source.h -- one input file's bytes, and byte offsets turned into lines and columns. */
#ifndef C2S_SOURCE_H
#define C2S_SOURCE_H

#include <stddef.h>
#include <stdint.h>

struct c2s_source_part;

struct c2s_source {
	char *path;         /* as given on the command line ("-" for stdin) */
	char *name;         /* as shown in reports (--stdin-filename for stdin) */
	char *data;         /* the bytes, NUL-terminated (data[len] == 0) */
	size_t len;
	size_t bom;         /* 3 when the file starts with a UTF-8 byte order mark */
	int ascii;          /* no byte >= 0x80: a character index is a byte offset */
	int long_line;      /* a line may be longer than 1 MiB (one longer than 2 MiB always sets it) */
	uint32_t *lines;    /* lazily built: where every C2S_LINE_STRIDE-th line starts (1, 17, 33...) */
	uint32_t nlines;    /* lines in all */
	int has_cr;         /* a \r occurs somewhere (set with lines) */
	uint32_t rank;      /* order among the files of one run (1-based), for sorting reports */
	size_t mapped;      /* data is a private file mapping of this many bytes (0: malloc'd) */
	struct c2s_source_part *parts; /* a composite of several files (lint -c): where each starts */
	uint32_t nparts;
	int utf16;          /* the file is UTF-16 (1 little-, 2 big-endian): data holds it as UTF-8 */
	const char *encoding_error; /* the UTF-16 broke here: libyaml's words (the loader reports them) */
	int encoding_error_value;   /* the unit it names, -1 when none */
	size_t encoding_error_at;   /* where, in data (which ends there) */
};

/* One file inside a composite source. */
struct c2s_source_part {
	uint32_t base;
	struct c2s_source *src;
};

/* The file that holds byte offset of s, and the offset inside it; s itself
 * when s is not a composite. */
struct c2s_source *c2s_source_part_of(struct c2s_source *s, uint32_t *offset);

/* The line index keeps one entry per this many lines: on a 400,000-line file
 * that is 100 KB instead of 1.6 MB, and finding a line walks at most 15. */
#define C2S_LINE_STRIDE 16

enum c2s_read_status {
	C2S_READ_OK = 0,
	C2S_READ_ERRNO,     /* open/read failed: errno says why */
	C2S_READ_DIRECTORY, /* the path names a directory */
	C2S_READ_TOO_BIG,   /* larger than the limit (C2S_MAX_FILE_BYTES) */
	C2S_READ_NOT_REGULAR, /* a FIFO, device or socket, with C2S_READ_REGULAR_ONLY */
	C2S_READ_STREAM_TOO_BIG /* a stream longer than C2S_MAX_STREAM_BYTES (below the caller's limit) */
};

/* c2s_source_read_capped flags. */
enum {
	C2S_READ_REGULAR_ONLY = 1 /* refuse anything but a regular file, without waiting on a FIFO */
};

/* Read path ("-": standard input) whole, up to C2S_MAX_FILE_BYTES (a stream:
 * up to C2S_MAX_STREAM_BYTES, the lower of the two). On failure
 * *err_errno holds errno for C2S_READ_ERRNO. name is what reports show; NULL
 * means path. A stream is read up to its first NUL byte (included), where
 * every YAML reader stops: /dev/zero costs one chunk, not the limit. */
enum c2s_read_status c2s_source_read(struct c2s_source *s, const char *path,
				     const char *name, int *err_errno);
/* The same with another limit (the buffer never grows past it; a stream's
 * limit is also at most C2S_MAX_STREAM_BYTES) and flags. */
enum c2s_read_status c2s_source_read_capped(struct c2s_source *s, const char *path, const char *name,
					    size_t max, int flags, int *err_errno);
/* What went wrong, for a message: "PATH: why", naming the limit max when it
 * was hit; what is the kind of file ("compose file", "config file"). */
void c2s_source_read_message(char *buf, size_t size, const char *path, enum c2s_read_status st, int e,
			     size_t max, const char *what);
struct c2s_buf;
/* data (UTF-8, as in s->data) appended to out in s's own encoding: UTF-16
 * again for a UTF-16 file (what --fix writes back), else as it is. 0 or -1. */
int c2s_source_encode(const struct c2s_source *s, const char *data, size_t len, struct c2s_buf *out);
/* A source over bytes already in memory (tests, stdin): data is copied. */
int c2s_source_from_memory(struct c2s_source *s, const char *name,
			   const char *data, size_t len);
void c2s_source_free(struct c2s_source *s);
/* fn on the text after the byte order mark, a piece (about 1 MiB) at a time,
 * each ending before an ASCII byte that does not follow a \r; a mapped
 * source's pages are given back after each piece, so a pass over a large
 * file does not hold it all (a later pass reads them again from the page
 * cache). Before the load only: a page written to would be lost. fn's first
 * nonzero, or 0. */
int c2s_source_scan(struct c2s_source *s, int (*fn)(const char *p, size_t n, void *ctx), void *ctx);
/* Forget the text from off on (a limit ended the load before it: nothing
 * there is read, not by the line index, the excerpts nor the pragmas). */
void c2s_source_cut(struct c2s_source *s, size_t off);

/* 1-based line and column (in code points, a tab counts one) of a byte offset. */
void c2s_source_locate(struct c2s_source *s, size_t offset, uint32_t *line,
		       uint32_t *column);
/* Where every line of s starts, for many lookups at once (c2s_diags_resolve: a
 * walk from every 16th line per lookup read 15,000 findings' neighbourhoods of a
 * 10 MB file, cache miss after cache miss): 4 bytes a line, and every 16th of
 * them again in a table small enough to stay in cache. */
struct c2s_line_table {
	uint32_t *starts, n;   /* every line's start; lines */
	uint32_t *top, ntop;   /* starts[16 k] */
};
/* 0, or -1 (out of memory, or s has a \r: then use c2s_source_locate). */
int c2s_source_line_table(const struct c2s_source *s, struct c2s_line_table *t);
void c2s_source_line_table_free(struct c2s_line_table *t);
/* c2s_source_locate with that table. */
void c2s_source_locate_in(const struct c2s_source *s, const struct c2s_line_table *t, size_t offset,
			  uint32_t *line, uint32_t *column);
/* The byte offset of a 1-based line and column (inverse of locate). */
size_t c2s_source_offset(struct c2s_source *s, uint32_t line, uint32_t column);
/* The text of a 1-based line without its line break; NULL past the end. */
const char *c2s_source_line(struct c2s_source *s, uint32_t line, size_t *len);

/* Code points in s[0..n): each valid UTF-8 sequence and each stray byte count one.
 * (re2c scanner: scan_utf8.re) */
size_t c2s_utf8_count(const char *s, size_t n);
/* Byte length of the first n code points of s[0..len) (fewer if len runs out). */
size_t c2s_utf8_advance(const char *s, size_t len, size_t n);

#endif
