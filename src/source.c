/* source.c -- reading input files and mapping byte offsets to lines and columns. */
#include "config.h"
#include "source.h"
#include "compose2swarm.h"
#include "buf.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

/* Files at least this large are mapped rather than read: no copy into a
 * fresh heap buffer and no page fault per 4 KiB of it (a tenth of lint's
 * time on a 10 MB file went to those). Smaller ones are cheaper to read. */
#define SOURCE_MMAP_MIN_BYTES ((size_t)256 << 10)

static int all_ascii(const char *p, size_t n)
{
	/* Word at a time: this runs over every input once. */
	size_t i = 0;
	uint64_t acc = 0;
	for (; i + 8 <= n; i += 8) {
		uint64_t w;
		memcpy(&w, p + i, 8);
		acc |= w;
	}
	for (; i < n; i++)
		acc |= (unsigned char)p[i];
	return (acc & 0x8080808080808080ull) == 0;
}

/* Bytes of a mapped source passed over at a time before its pages are given
 * back (c2s_source_scan). */
#define SOURCE_SCAN_PIECE ((size_t)1 << 20)

int c2s_source_scan(struct c2s_source *s, int (*fn)(const char *p, size_t n, void *ctx), void *ctx)
{
	size_t at = s->bom, page = (size_t)sysconf(_SC_PAGESIZE);
	while (at < s->len) {
		size_t end = s->len - at > SOURCE_SCAN_PIECE ? at + SOURCE_SCAN_PIECE : s->len;
		/* a piece ends before a byte that neither continues a UTF-8 character
		 * nor follows a \r: no character and no \r\n is cut in two (a longer
		 * run of continuation bytes is invalid, wherever it is cut) */
		for (int k = 0; k < 8 && end < s->len &&
				(((unsigned char)s->data[end] & 0xc0) == 0x80 || s->data[end - 1] == '\r'); k++)
			end++;
		int r = fn(s->data + at, end - at, ctx);
		if (r)
			return r;
		if (s->mapped && page) {
			/* the whole pages passed over: read again from the page cache
			 * when a later pass needs them (nothing writes to the mapping
			 * before the load) */
			size_t from = (at + page - 1) / page * page, to = end / page * page;
			if (to > from)
				madvise(s->data + from, to - from, MADV_DONTNEED);
		}
		at = end;
	}
	return 0;
}

struct first_pass {
	int ascii;
	int long_line;  /* a piece with no \n: a line longer than 1 MiB, maybe */
};

static int first_piece(const char *p, size_t n, void *ctx)
{
	struct first_pass *f = ctx;
	if (f->ascii && !all_ascii(p, n))
		f->ascii = 0;
	if (n >= SOURCE_SCAN_PIECE && !memchr(p, '\n', n))
		f->long_line = 1;
	return 0;
}

static void source_finish(struct c2s_source *s)
{
	if (!s->mapped)
		s->data[s->len] = '\0';
	s->bom = (s->len >= 3 && memcmp(s->data, "\xef\xbb\xbf", 3) == 0) ? 3 : 0;
	struct first_pass f = {1, 0};
	c2s_source_scan(s, first_piece, &f);
	s->ascii = f.ascii;
	s->long_line = f.long_line;
	s->lines = NULL;
	s->nlines = 0;
}

/* Bytes asked of a stream at first when its size is unknown (a pipe, a device). */
#define SOURCE_READ_CHUNK ((size_t)64 << 10)

/* Is the text at p (n bytes) UTF-16 with a byte order mark? 1 little-endian,
 * 2 big-endian, 0 not (libyaml and yaml.v3 look for exactly these). */
static int utf16_bom(const char *p, size_t n)
{
	if (n >= 2 && (unsigned char)p[0] == 0xff && (unsigned char)p[1] == 0xfe)
		return 1;
	if (n >= 2 && (unsigned char)p[0] == 0xfe && (unsigned char)p[1] == 0xff)
		return 2;
	return 0;
}

/* Where the text in buf[from, n) first holds U+0000 (a NUL byte, or in UTF-16
 * an aligned zero unit), or NULL. */
static const char *first_nul(const char *buf, size_t from, size_t n, int utf16)
{
	if (!utf16)
		return memchr(buf + from, '\0', n - from);
	for (size_t i = from & ~(size_t)1; i + 1 < n; i += 2)
		if (!buf[i] && !buf[i + 1])
			return buf + i;
	return NULL;
}

/* Read fd to its end, or to the first U+0000, into a buffer that never grows
 * past max + 1 bytes (the one byte over says "too big"): a 1 GB pipe or
 * /dev/zero costs no more than the limit, and usually much less, since no
 * YAML text holds that character (libyaml and docker's yaml.v3 both stop
 * there with "control characters are not allowed", so the bytes after it
 * never change the verdict and are not read). */
static enum c2s_read_status read_fd(int fd, char **data, size_t *len, size_t hint, size_t max, int *err)
{
	size_t cap = hint ? (hint < max ? hint : max) + 1 : (SOURCE_READ_CHUNK < max ? SOURCE_READ_CHUNK : max + 1);
	size_t n = 0, scanned = 0;
	int utf16 = -1; /* not known until two bytes are in */
	char *buf = malloc(cap + 1);
	if (!buf) {
		*err = ENOMEM;
		return C2S_READ_ERRNO;
	}
	for (;;) {
		if (n == cap) {
			if (cap > max) {
				free(buf);
				return C2S_READ_TOO_BIG;
			}
			size_t ncap = cap > max / 2 ? max + 1 : cap * 2;
			char *nb = realloc(buf, ncap + 1);
			if (!nb) {
				free(buf);
				*err = ENOMEM;
				return C2S_READ_ERRNO;
			}
			buf = nb;
			cap = ncap;
		}
		ssize_t r = read(fd, buf + n, cap - n);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			*err = errno;
			free(buf);
			return C2S_READ_ERRNO;
		}
		if (r == 0)
			break;
		n += (size_t)r;
		if (utf16 < 0 && n >= 2)
			utf16 = utf16_bom(buf, n);
		if (utf16 >= 0) {
			const char *nul = first_nul(buf, scanned, n, utf16);
			scanned = n;
			if (nul) {
				n = (size_t)(nul - buf) + (utf16 ? 2 : 1);
				break;
			}
		}
	}
	if (n > max) {
		free(buf);
		return C2S_READ_TOO_BIG;
	}
	*data = buf;
	*len = n;
	return C2S_READ_OK;
}

/* UTF-16 text (with its byte order mark) as UTF-8, the way libyaml's reader
 * decodes it: the mark becomes U+FEFF (EF BB BF), so lines and columns,
 * which count code points, are the file's own. A broken unit ends the text
 * there: libyaml's words and the place are kept for the loader to report
 * (s->encoding_error). Returns 0, or -1 when out of memory. */
static int utf16_to_utf8(struct c2s_source *s, int be, size_t max)
{
	const unsigned char *p = (const unsigned char *)s->data;
	size_t n = s->len;
	/* each unit becomes at most 3 bytes; a pair (4 bytes) becomes 4 */
	size_t room = n / 2 * 3 + 4;
	if (room > max + 4)
		room = max + 4;
	char *out = malloc(room + 1);
	if (!out)
		return -1;
	size_t o = 0, i = 0;
	s->encoding_error_value = -1;
	while (i < n) {
		if (i + 2 > n) {
			s->encoding_error = "incomplete UTF-16 character";
			break;
		}
		unsigned v = be ? (unsigned)p[i] << 8 | p[i + 1] : (unsigned)p[i + 1] << 8 | p[i];
		size_t w = 2;
		if ((v & 0xfc00) == 0xdc00) {
			s->encoding_error = "unexpected low surrogate area";
			s->encoding_error_value = (int)v;
			break;
		}
		if ((v & 0xfc00) == 0xd800) {
			if (i + 4 > n) {
				s->encoding_error = "incomplete UTF-16 surrogate pair";
				break;
			}
			unsigned v2 = be ? (unsigned)p[i + 2] << 8 | p[i + 3] : (unsigned)p[i + 3] << 8 | p[i + 2];
			if ((v2 & 0xfc00) != 0xdc00) {
				s->encoding_error = "expected low surrogate area";
				s->encoding_error_value = (int)v2;
				break;
			}
			v = 0x10000 + ((v & 0x3ff) << 10) + (v2 & 0x3ff);
			w = 4;
		}
		if (o + 4 > room)
			break; /* past the limit: the caller says so */
		if (v < 0x80) {
			out[o++] = (char)v;
		} else if (v < 0x800) {
			out[o++] = (char)(0xc0 | v >> 6);
			out[o++] = (char)(0x80 | (v & 0x3f));
		} else if (v < 0x10000) {
			out[o++] = (char)(0xe0 | v >> 12);
			out[o++] = (char)(0x80 | (v >> 6 & 0x3f));
			out[o++] = (char)(0x80 | (v & 0x3f));
		} else {
			out[o++] = (char)(0xf0 | v >> 18);
			out[o++] = (char)(0x80 | (v >> 12 & 0x3f));
			out[o++] = (char)(0x80 | (v >> 6 & 0x3f));
			out[o++] = (char)(0x80 | (v & 0x3f));
		}
		i += w;
	}
	s->encoding_error_at = o;
	if (s->mapped)
		munmap(s->data, s->mapped);
	else
		free(s->data);
	s->mapped = 0;
	s->data = out;
	s->len = o;
	s->utf16 = be ? 2 : 1;
	return 0;
}

enum c2s_read_status c2s_source_read_capped(struct c2s_source *s, const char *path, const char *name,
					    size_t max, int flags, int *err_errno)
{
	memset(s, 0, sizeof *s);
	*err_errno = 0;
	int is_stdin = strcmp(path, "-") == 0;
	/* Only a regular file wanted: opening a FIFO must not wait for a writer. */
	int nonblock = (flags & C2S_READ_REGULAR_ONLY) ? O_NONBLOCK : 0;
	int fd = is_stdin ? 0 : open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | nonblock);
	if (fd < 0) {
		*err_errno = errno;
		return C2S_READ_ERRNO;
	}
	struct stat st;
	size_t hint = 0;
	int regular = 0;
	enum c2s_read_status refused = C2S_READ_OK;
	if (fstat(fd, &st) == 0) {
		regular = S_ISREG(st.st_mode);
		if (S_ISDIR(st.st_mode))
			refused = C2S_READ_DIRECTORY;
		else if (!S_ISREG(st.st_mode) && (flags & C2S_READ_REGULAR_ONLY))
			refused = C2S_READ_NOT_REGULAR;
		else if (S_ISREG(st.st_mode) && (uintmax_t)st.st_size > max)
			refused = C2S_READ_TOO_BIG;
		else if (S_ISREG(st.st_mode))
			hint = (size_t)st.st_size;
	}
	if (refused != C2S_READ_OK) {
		if (!is_stdin)
			close(fd);
		return refused;
	}
	/* A stream is held whole to be measured: its own, lower cap. */
	enum c2s_read_status too_big = C2S_READ_TOO_BIG;
	if (!regular && max > C2S_MAX_STREAM_BYTES) {
		max = C2S_MAX_STREAM_BYTES;
		too_big = C2S_READ_STREAM_TOO_BIG;
	}
	long page = sysconf(_SC_PAGESIZE);
	if (hint >= SOURCE_MMAP_MIN_BYTES && page > 0 && hint % (size_t)page != 0) {
		/* The bytes past the end of the file up to the page boundary read as
		 * zero, which gives data[len] == '\0' for free (hence not when the size
		 * is a multiple of the page). Private and writable: a pass may write.
		 * Not populated: a file refused early (a 100 MB scalar) must cost only
		 * the pages read up to the refusal; a read fault maps the pages around
		 * it too, so a whole read costs a fault per 64 KiB or so. */
		void *m = mmap(NULL, hint, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
		if (m != MAP_FAILED) {
			s->data = m;
			s->len = hint;
			s->mapped = hint;
		}
	}
	enum c2s_read_status r = s->mapped ? C2S_READ_OK
					   : read_fd(fd, &s->data, &s->len, hint, max, err_errno);
	if (!is_stdin)
		close(fd);
	if (r != C2S_READ_OK)
		return r == C2S_READ_TOO_BIG ? too_big : r;
	s->path = strdup(path);
	s->name = strdup(name ? name : path);
	int bom16 = utf16_bom(s->data, s->len);
	if (!s->path || !s->name || (bom16 && utf16_to_utf8(s, bom16 == 2, max) != 0)) {
		c2s_source_free(s);
		*err_errno = ENOMEM;
		return C2S_READ_ERRNO;
	}
	if (s->len > max) {
		c2s_source_free(s);
		return too_big;
	}
	source_finish(s);
	return C2S_READ_OK;
}

enum c2s_read_status c2s_source_read(struct c2s_source *s, const char *path,
				     const char *name, int *err_errno)
{
	return c2s_source_read_capped(s, path, name, C2S_MAX_FILE_BYTES, 0, err_errno);
}

void c2s_source_read_message(char *buf, size_t size, const char *path, enum c2s_read_status st, int e,
			     size_t max, const char *what)
{
	switch (st) {
	case C2S_READ_DIRECTORY:
		snprintf(buf, size, "%s: is a directory, not a %s", path, what);
		break;
	case C2S_READ_NOT_REGULAR:
		snprintf(buf, size, "%s: not a regular file (a FIFO or a device), not a %s", path, what);
		break;
	case C2S_READ_TOO_BIG:
		if (max >= ((size_t)1 << 20))
			snprintf(buf, size, "%s: larger than %zu MiB, the largest %s compose2swarm reads", path,
				 max >> 20, what);
		else
			snprintf(buf, size, "%s: larger than %zu KiB, the largest %s compose2swarm reads", path,
				 max >> 10, what);
		break;
	case C2S_READ_STREAM_TOO_BIG:
		snprintf(buf, size, "%s: larger than %zu MiB, the largest stream (standard input, a pipe or a device) "
			 "compose2swarm reads; as a regular file, a %s may hold up to %zu MiB", path,
			 C2S_MAX_STREAM_BYTES >> 20, what, max >> 20);
		break;
	case C2S_READ_ERRNO:
		if (e == ENOMEM)
			snprintf(buf, size, "%s: out of memory reading it (a %s is read whole, up to %zu MiB)", path,
				 what, max >> 20);
		else
			snprintf(buf, size, "%s: %s", path, strerror(e));
		break;
	default:
		snprintf(buf, size, "%s: read", path);
	}
}

int c2s_source_encode(const struct c2s_source *s, const char *data, size_t len, struct c2s_buf *out)
{
	if (!s->utf16)
		return c2s_buf_add(out, data, len);
	const unsigned char *p = (const unsigned char *)data;
	for (size_t i = 0; i < len;) {
		/* data came from valid UTF-16 less whole lines: valid UTF-8 */
		unsigned c = p[i], v;
		size_t k = c < 0x80 ? 1 : c < 0xe0 ? 2 : c < 0xf0 ? 3 : 4;
		if (i + k > len)
			return -1;
		v = k == 1 ? c : k == 2 ? (c & 0x1f) : k == 3 ? (c & 0x0f) : (c & 0x07);
		for (size_t j = 1; j < k; j++)
			v = v << 6 | (p[i + j] & 0x3f);
		i += k;
		unsigned units[2] = {v, 0};
		int nu = 1;
		if (v >= 0x10000) {
			units[0] = 0xd800 | ((v - 0x10000) >> 10);
			units[1] = 0xdc00 | ((v - 0x10000) & 0x3ff);
			nu = 2;
		}
		for (int u = 0; u < nu; u++) {
			char b[2];
			b[s->utf16 == 2 ? 0 : 1] = (char)(units[u] >> 8);
			b[s->utf16 == 2 ? 1 : 0] = (char)(units[u] & 0xff);
			c2s_buf_add(out, b, 2);
		}
	}
	return out->failed ? -1 : 0;
}

int c2s_source_from_memory(struct c2s_source *s, const char *name,
			   const char *data, size_t len)
{
	memset(s, 0, sizeof *s);
	s->data = malloc(len + 1);
	s->path = strdup(name);
	s->name = strdup(name);
	if (!s->data || !s->path || !s->name) {
		c2s_source_free(s);
		return -1;
	}
	if (len)
		memcpy(s->data, data, len);
	s->len = len;
	source_finish(s);
	return 0;
}

void c2s_source_cut(struct c2s_source *s, size_t off)
{
	if (off >= s->len || s->nparts)
		return;
	s->len = off;
	s->data[off] = '\0';  /* a private mapping: the file is not written */
	free(s->lines);
	s->lines = NULL;
	s->nlines = 0;
}

void c2s_source_free(struct c2s_source *s)
{
	free(s->path);
	free(s->name);
	if (s->mapped)
		munmap(s->data, s->mapped);
	else
		free(s->data);
	free(s->lines);
	memset(s, 0, sizeof *s);
}

/* Line breaks are \n, \r\n and a lone \r, as editors count them.
 * The start of the line after the one starting at p, or NULL if p's is the last. */
static inline const char *next_line(const struct c2s_source *s, const char *p)
{
	const char *end = s->data + s->len;
	const char *nl = memchr(p, '\n', (size_t)(end - p));
	const char *cr = s->has_cr ? memchr(p, '\r', (size_t)((nl ? nl : end) - p)) : NULL;
	const char *brk = cr ? cr : nl;
	if (!brk)
		return NULL;
	p = brk + 1;
	if (*brk == '\r' && p < end && *p == '\n')
		p++;
	return p;
}

/* Note that a line starts at off (the k-th line break just before it): every
 * stride-th (a power of two) is kept. 0, or -1 when out of memory. */
_Static_assert((C2S_LINE_STRIDE & (C2S_LINE_STRIDE - 1)) == 0, "note_line keeps every stride-th line by a mask");
static int note_line(uint32_t **lines, size_t *n, size_t *cap, uint32_t stride, uint32_t k, size_t off)
{
	if (k & (stride - 1))
		return 0;
	if (*n == *cap) {
		uint32_t *nl = realloc(*lines, *cap * 2 * sizeof **lines);
		if (!nl)
			return -1;
		*lines = nl;
		*cap *= 2;
	}
	(*lines)[(*n)++] = (uint32_t)off;
	return 0;
}

/* Every stride-th line start of d[0..len), which has no \r, appended to *lines
 * (one pass over the bytes, not a memchr call per line: a 10 MB file has 400,000
 * lines; 16 bytes at a time where SSE2 is there); *total: lines so far, counted on.
 * 0, or -1 when out of memory. */
static int note_lines(const char *d, size_t len, uint32_t stride, uint32_t **lines, size_t *n, size_t *cap,
		      uint32_t *total)
{
	size_t i = 0;
#if defined(__SSE2__)
	const __m128i nl = _mm_set1_epi8('\n');
	for (; i + 16 <= len; i += 16) {
		unsigned m = (unsigned)_mm_movemask_epi8(
			_mm_cmpeq_epi8(_mm_loadu_si128((const __m128i *)(const void *)(d + i)), nl));
		while (m) {
			unsigned b = (unsigned)__builtin_ctz(m);
			m &= m - 1;
			if (note_line(lines, n, cap, stride, (*total)++, i + b + 1) != 0)
				return -1;
		}
	}
#endif
	for (; i < len; i++)
		if (d[i] == '\n' && note_line(lines, n, cap, stride, (*total)++, i + 1) != 0)
			return -1;
	return 0;
}

static int build_lines(struct c2s_source *s)
{
	if (s->lines)
		return 0;
	/* Most files have no \r at all: then only \n breaks lines. */
	s->has_cr = memchr(s->data, '\r', s->len) != NULL;
	size_t cap = s->len / (32 * C2S_LINE_STRIDE) + 16, n = 0;
	uint32_t *lines = malloc(cap * sizeof *lines);
	if (!lines)
		return -1;
	lines[n++] = 0;
	uint32_t total = 1;
	if (!s->has_cr) {
		if (note_lines(s->data, s->len, C2S_LINE_STRIDE, &lines, &n, &cap, &total) != 0) {
			free(lines);
			return -1;
		}
	} else {
		for (const char *p = s->data; (p = next_line(s, p)) != NULL; total++) {
			if (note_line(&lines, &n, &cap, C2S_LINE_STRIDE, total, (size_t)(p - s->data)) != 0) {
				free(lines);
				return -1;
			}
		}
	}
	s->lines = lines;
	s->nlines = total;
	return 0;
}

/* Byte offset where 1-based line starts (line <= nlines). */
static size_t line_start(const struct c2s_source *s, uint32_t line)
{
	const char *p = s->data + s->lines[(line - 1) / C2S_LINE_STRIDE];
	for (uint32_t i = (line - 1) % C2S_LINE_STRIDE; i > 0; i--)
		p = next_line(s, p);
	return (size_t)(p - s->data);
}

/* The index of the last of a[0..n) (ascending, a[0] == 0) that is <= offset. */
static uint32_t last_at_most(const uint32_t *a, uint32_t n, size_t offset)
{
	uint32_t lo = 0, hi = n;
	while (hi - lo > 1) {
		uint32_t mid = lo + (hi - lo) / 2;
		if (a[mid] <= offset)
			lo = mid;
		else
			hi = mid;
	}
	return lo;
}

/* offset's 1-based line and column, given that its line (0-based index) starts at
 * start; an offset before the line's text (in a BOM) is its first column. */
static void place(const struct c2s_source *s, uint32_t index, size_t start, size_t offset, uint32_t *line,
		  uint32_t *column)
{
	if (index == 0 && start < s->bom)
		start = s->bom;
	if (offset < start)
		offset = start;
	*line = index + 1;
	*column = (uint32_t)(1 + (s->ascii ? offset - start : c2s_utf8_count(s->data + start, offset - start)));
}

void c2s_source_locate(struct c2s_source *s, size_t offset, uint32_t *line,
		       uint32_t *column)
{
	if (offset > s->len)
		offset = s->len;
	if (build_lines(s) != 0) {
		*line = 1;
		*column = 1;
		return;
	}
	/* The last indexed line start <= offset, then line by line. */
	uint32_t lo = last_at_most(s->lines, (s->nlines - 1) / C2S_LINE_STRIDE + 1, offset);
	uint32_t index = lo * C2S_LINE_STRIDE;  /* 0-based line */
	const char *p = s->data + s->lines[lo];
	for (uint32_t i = 1; i < C2S_LINE_STRIDE && index + 1 < s->nlines; i++) {
		const char *q = next_line(s, p);
		if (!q || (size_t)(q - s->data) > offset)
			break;
		p = q;
		index++;
	}
	place(s, index, (size_t)(p - s->data), offset, line, column);
}

/* Every line start of s, or NULL (out of memory, or a \r); *count: how many. */
static uint32_t *line_starts(const struct c2s_source *s, uint32_t *count)
{
	/* \r\n and a lone \r break lines too (c2s_source_locate): not for this table */
	if (s->len >= UINT32_MAX || (s->lines ? s->has_cr : memchr(s->data, '\r', s->len) != NULL))
		return NULL;
	/* grows by doubling from a line per 32 bytes */
	size_t cap = s->len / 32 + 16, n = 0;
	uint32_t *v = malloc(cap * sizeof *v);
	if (!v)
		return NULL;
	v[n++] = 0;
	uint32_t total = 1;
	if (note_lines(s->data, s->len, 1, &v, &n, &cap, &total) != 0) {
		free(v);
		return NULL;
	}
	*count = (uint32_t)n;
	return v;
}

int c2s_source_line_table(const struct c2s_source *s, struct c2s_line_table *t)
{
	memset(t, 0, sizeof *t);
	t->starts = line_starts(s, &t->n);
	if (!t->starts)
		return -1;
	uint32_t ntop = (t->n + C2S_LINE_STRIDE - 1) / C2S_LINE_STRIDE;
	t->top = malloc(ntop * sizeof *t->top);
	if (!t->top) {
		c2s_source_line_table_free(t);
		return -1;
	}
	for (uint32_t k = 0; k < ntop; k++)
		t->top[k] = t->starts[k * C2S_LINE_STRIDE];
	t->ntop = ntop;
	return 0;
}

void c2s_source_line_table_free(struct c2s_line_table *t)
{
	free(t->starts);
	free(t->top);
	memset(t, 0, sizeof *t);
}

void c2s_source_locate_in(const struct c2s_source *s, const struct c2s_line_table *t, size_t offset,
			  uint32_t *line, uint32_t *column)
{
	if (offset > s->len)
		offset = s->len;
	/* the last line start <= offset, as c2s_source_locate walks to it: among every
	 * 16th (a table that stays in cache), then among the 16 that follow it */
	uint32_t at = last_at_most(t->top, t->ntop, offset) * C2S_LINE_STRIDE;
	for (uint32_t end = at + C2S_LINE_STRIDE < t->n ? at + C2S_LINE_STRIDE : t->n; at + 1 < end && t->starts[at + 1] <= offset;)
		at++;
	place(s, at, t->starts[at], offset, line, column);
}

size_t c2s_source_offset(struct c2s_source *s, uint32_t line, uint32_t column)
{
	if (build_lines(s) != 0 || line == 0)
		return 0;
	if (line > s->nlines)
		return s->len;
	size_t len;
	const char *text = c2s_source_line(s, line, &len);
	size_t base = (size_t)(text - s->data);
	size_t want = column ? column - 1 : 0;
	return base + (s->ascii ? (want < len ? want : len)
				: c2s_utf8_advance(text, len, want));
}

const char *c2s_source_line(struct c2s_source *s, uint32_t line, size_t *len)
{
	if (build_lines(s) != 0 || line == 0 || line > s->nlines) {
		*len = 0;
		return NULL;
	}
	size_t start = line_start(s, line);
	const char *next = line < s->nlines ? next_line(s, s->data + start) : NULL;
	size_t end = next ? (size_t)(next - s->data) : s->len;
	if (line == 1)
		start = s->bom;
	while (end > start && (s->data[end - 1] == '\n' || s->data[end - 1] == '\r'))
		end--;
	/* A line that ends in a lone \r followed by \r\n: only strip one break. */
	*len = end - start;
	return s->data + start;
}

struct c2s_source *c2s_source_part_of(struct c2s_source *s, uint32_t *offset)
{
	if (!s || !s->nparts)
		return s;
	uint32_t lo = 0, hi = s->nparts;
	while (hi - lo > 1) {
		uint32_t mid = (lo + hi) / 2;
		if (s->parts[mid].base <= *offset)
			lo = mid;
		else
			hi = mid;
	}
	*offset -= s->parts[lo].base;
	return s->parts[lo].src;
}
