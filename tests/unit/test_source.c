/* test_source.c -- lines, columns, line breaks, BOM and UTF-8 in c2s_source. */
#include "config.h"
#include "testutil.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

static void locate(struct c2s_source *s, size_t off, uint32_t line, uint32_t col)
{
	uint32_t l, c;
	c2s_source_locate(s, off, &l, &c);
	assert_int_equal(l, line);
	assert_int_equal(c, col);
	assert_int_equal(c2s_source_offset(s, line, col), off);
}

static void test_lf_lines(void **state)
{
	(void)state;
	struct c2s_source s;
	c2s_source_from_memory(&s, "x", "ab\ncd\n\nef", 9);
	assert_true(s.ascii);
	locate(&s, 0, 1, 1);
	locate(&s, 1, 1, 2);
	locate(&s, 3, 2, 1);
	locate(&s, 6, 3, 1);
	locate(&s, 7, 4, 1);
	locate(&s, 8, 4, 2);
	size_t n;
	const char *t = c2s_source_line(&s, 2, &n);
	assert_int_equal(n, 2);
	assert_memory_equal(t, "cd", 2);
	assert_null(c2s_source_line(&s, 5, &n));
	c2s_source_free(&s);
}

static void test_crlf_and_lone_cr(void **state)
{
	(void)state;
	struct c2s_source s;
	c2s_source_from_memory(&s, "x", "a\r\nbc\rd\r\n", 10);
	locate(&s, 0, 1, 1);
	locate(&s, 3, 2, 1);
	locate(&s, 4, 2, 2);
	locate(&s, 6, 3, 1);
	size_t n;
	const char *t = c2s_source_line(&s, 1, &n);
	assert_int_equal(n, 1);
	assert_memory_equal(t, "a", 1);
	t = c2s_source_line(&s, 2, &n);
	assert_int_equal(n, 2);
	assert_memory_equal(t, "bc", 2);
	t = c2s_source_line(&s, 3, &n);
	assert_int_equal(n, 1);
	c2s_source_free(&s);
}

static void test_bom_and_utf8(void **state)
{
	(void)state;
	struct c2s_source s;
	/* BOM, then "é: ü" where é and ü are two bytes each, then a 4-byte emoji and a tab */
	const char text[] = "\xef\xbb\xbf\xc3\xa9: \xc3\xbc\n\t\xf0\x9f\x90\xb3x";
	c2s_source_from_memory(&s, "x", text, sizeof text - 1);
	assert_int_equal(s.bom, 3);
	assert_false(s.ascii);
	locate(&s, 3, 1, 1);   /* é: the BOM is not a column */
	locate(&s, 5, 1, 2);   /* ':' */
	locate(&s, 7, 1, 4);   /* ü */
	locate(&s, 10, 2, 1);  /* tab */
	locate(&s, 11, 2, 2);  /* emoji */
	locate(&s, 15, 2, 3);  /* x */
	size_t n;
	const char *t = c2s_source_line(&s, 1, &n);
	assert_int_equal(n, 6); /* without the BOM */
	assert_memory_equal(t, "\xc3\xa9: \xc3\xbc", 6);
	c2s_source_free(&s);
}

static void test_utf8_count_invalid(void **state)
{
	(void)state;
	assert_int_equal(c2s_utf8_count("abc", 3), 3);
	assert_int_equal(c2s_utf8_count("\xc3\xa9", 2), 1);
	/* a truncated sequence at the end of the range counts each byte */
	assert_int_equal(c2s_utf8_count("\xc3", 1), 1);
	assert_int_equal(c2s_utf8_count("\xe2\x82", 2), 2);
	/* stray continuation bytes and overlongs count one each */
	assert_int_equal(c2s_utf8_count("\x80\x80", 2), 2);
	assert_int_equal(c2s_utf8_count("\xc0\xaf", 2), 2);
	/* surrogates are not valid UTF-8 */
	assert_int_equal(c2s_utf8_count("\xed\xa0\x80", 3), 3);
	assert_int_equal(c2s_utf8_count("\xf4\x8f\xbf\xbf", 4), 1);
	assert_int_equal(c2s_utf8_count("\xf4\x90\x80\x80", 4), 4);
	assert_int_equal(c2s_utf8_advance("\xc3\xa9xy", 4, 2), 3);
	assert_int_equal(c2s_utf8_advance("ab", 2, 5), 2);
}

static void test_read_errors(void **state)
{
	(void)state;
	struct c2s_source s;
	int e;
	assert_int_equal(c2s_source_read(&s, "/nonexistent/compose.yml", NULL, &e), C2S_READ_ERRNO);
	assert_int_not_equal(e, 0);
	assert_int_equal(c2s_source_read(&s, "/", NULL, &e), C2S_READ_DIRECTORY);
}

/* C2S_MAX_FILE_BYTES: a sparse file one byte over the limit is refused before reading. */
static void test_file_size_limit(void **state)
{
	(void)state;
	char path[] = "/tmp/c2s-test-big-XXXXXX";
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(ftruncate(fd, (off_t)C2S_MAX_FILE_BYTES + 1), 0);
	close(fd);
	struct c2s_source s;
	int e;
	assert_int_equal(c2s_source_read(&s, path, NULL, &e), C2S_READ_TOO_BIG);
	unlink(path);
}

/* A pipe fed n bytes of text by a child process; returns the read end. */
static int text_pipe(size_t n)
{
	int fds[2];
	assert_int_equal(pipe(fds), 0);
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		close(fds[0]);
		char line[4096];
		memset(line, 'y', sizeof line);
		for (size_t i = 63; i < sizeof line; i += 64)
			line[i] = '\n';
		while (n) {
			size_t k = n < sizeof line ? n : sizeof line;
			if (write(fds[1], line, k) != (ssize_t)k)
				_exit(0); /* the reader stopped early: that is the point */
			n -= k;
		}
		_exit(0);
	}
	close(fds[1]);
	return fds[0];
}

/* Streams: the limit holds before the buffer grows past it, and reading stops
 * at the first NUL byte (no YAML reader goes past one). */
static void test_stream_limits(void **state)
{
	(void)state;
	struct c2s_source s;
	int e;
	char path[64];
	/* 1 MB of text through a pipe with a 100,000-byte limit */
	int fd = text_pipe((size_t)1 << 20);
	snprintf(path, sizeof path, "/dev/fd/%d", fd);
	assert_int_equal(c2s_source_read_capped(&s, path, NULL, 100000, 0, &e), C2S_READ_TOO_BIG);
	close(fd);
	wait(NULL);
	/* exactly the limit is fine */
	fd = text_pipe(100000);
	snprintf(path, sizeof path, "/dev/fd/%d", fd);
	assert_int_equal(c2s_source_read_capped(&s, path, NULL, 100000, 0, &e), C2S_READ_OK);
	assert_int_equal(s.len, 100000);
	assert_int_equal(s.data[s.len], '\0');
	c2s_source_free(&s);
	close(fd);
	wait(NULL);
	/* /dev/zero: one NUL, not the limit's worth of them */
	assert_int_equal(c2s_source_read(&s, "/dev/zero", NULL, &e), C2S_READ_OK);
	assert_int_equal(s.len, 1);
	assert_int_equal(s.data[0], '\0');
	c2s_source_free(&s);
	/* C2S_MAX_STREAM_BYTES: a stream's own cap, below the file limit asked
	 * for; exactly that much is read, one byte more is refused */
	fd = text_pipe(C2S_MAX_STREAM_BYTES);
	snprintf(path, sizeof path, "/dev/fd/%d", fd);
	assert_int_equal(c2s_source_read(&s, path, NULL, &e), C2S_READ_OK);
	assert_int_equal(s.len, C2S_MAX_STREAM_BYTES);
	c2s_source_free(&s);
	close(fd);
	wait(NULL);
	fd = text_pipe(C2S_MAX_STREAM_BYTES + 1);
	snprintf(path, sizeof path, "/dev/fd/%d", fd);
	assert_int_equal(c2s_source_read(&s, path, NULL, &e), C2S_READ_STREAM_TOO_BIG);
	close(fd);
	wait(NULL);
	/* a limit below the stream cap stays the caller's */
	fd = text_pipe(C2S_MAX_CONFIG_BYTES + 1);
	snprintf(path, sizeof path, "/dev/fd/%d", fd);
	assert_int_equal(c2s_source_read_capped(&s, path, NULL, C2S_MAX_CONFIG_BYTES, 0, &e), C2S_READ_TOO_BIG);
	close(fd);
	wait(NULL);
	char msg[256];
	c2s_source_read_message(msg, sizeof msg, "-", C2S_READ_STREAM_TOO_BIG, 0, C2S_MAX_FILE_BYTES, "compose file");
	assert_string_equal(msg, "-: larger than 16 MiB, the largest stream (standard input, a pipe or a device) "
			    "compose2swarm reads; as a regular file, a compose file may hold up to 512 MiB");
	c2s_source_read_message(msg, sizeof msg, "-", C2S_READ_TOO_BIG, 0, C2S_MAX_FILE_BYTES, "compose file");
	assert_string_equal(msg, "-: larger than 512 MiB, the largest compose file compose2swarm reads");
	c2s_source_read_message(msg, sizeof msg, "c.yml", C2S_READ_TOO_BIG, 0, C2S_MAX_CONFIG_BYTES, "config file");
	assert_string_equal(msg, "c.yml: larger than 1 MiB, the largest config file compose2swarm reads");
}

/* C2S_READ_REGULAR_ONLY: a FIFO is refused at once, never waited on. */
static void test_regular_only(void **state)
{
	(void)state;
	char dir[] = "/tmp/c2s-fifo-XXXXXX";
	assert_non_null(mkdtemp(dir));
	char path[64];
	snprintf(path, sizeof path, "%s/fifo", dir);
	assert_int_equal(mkfifo(path, 0600), 0);
	struct c2s_source s;
	int e;
	assert_int_equal(c2s_source_read_capped(&s, path, NULL, 1000, C2S_READ_REGULAR_ONLY, &e),
			 C2S_READ_NOT_REGULAR);
	assert_int_equal(c2s_source_read_capped(&s, "/dev/zero", NULL, 1000, C2S_READ_REGULAR_ONLY, &e),
			 C2S_READ_NOT_REGULAR);
	unlink(path);
	rmdir(dir);
}

/* path holding the n bytes at p. */
static void write_file(const char *path, const char *p, size_t n)
{
	FILE *f = fopen(path, "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(p, 1, n, f), n);
	fclose(f);
}

/* UTF-16 with a byte order mark is read as docker's yaml.v3 reads it: as the
 * same text in UTF-8 (lines and columns count code points, so they are the
 * file's); a broken unit keeps libyaml's words and place; --fix writes the
 * file back in UTF-16. */
static void test_utf16(void **state)
{
	(void)state;
	char path[] = "/tmp/c2s-utf16-XXXXXX";
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	close(fd);
	/* "a: \u00e9\U0001F433\n" little-endian, then big-endian */
	static const char le[] = "\xff\xfe" "a\0:\0 \0\xe9\0\x3d\xd8\x33\xdc\n\0";
	static const char be[] = "\xfe\xff" "\0a\0:\0 \0\xe9\xd8\x3d\xdc\x33\0\n";
	static const char utf8[] = "\xef\xbb\xbf" "a: \xc3\xa9\xf0\x9f\x90\xb3\n";
	struct c2s_source s;
	int e;
	for (int k = 0; k < 2; k++) {
		write_file(path, k ? be : le, sizeof le - 1);
		assert_int_equal(c2s_source_read(&s, path, NULL, &e), C2S_READ_OK);
		assert_int_equal(s.utf16, k ? 2 : 1);
		assert_null(s.encoding_error);
		assert_int_equal(s.len, sizeof utf8 - 1);
		assert_memory_equal(s.data, utf8, sizeof utf8 - 1);
		assert_int_equal(s.bom, 3);
		locate(&s, 3, 1, 1);      /* 'a' is column 1, after the mark */
		locate(&s, 8, 1, 5);      /* the whale after the e-acute */
		/* back to UTF-16 as it was */
		struct c2s_buf out;
		c2s_buf_init(&out, 1 << 20);
		assert_int_equal(c2s_source_encode(&s, s.data, s.len, &out), 0);
		assert_int_equal(out.len, sizeof le - 1);
		assert_memory_equal(out.data, k ? be : le, sizeof le - 1);
		c2s_buf_free(&out);
		c2s_source_free(&s);
	}
	/* broken units: libyaml's reader errors, where the text stops */
	static const struct {
		const char *bytes;
		size_t n;
		const char *error;
		int value;
		size_t at;
	} broken[] = {
		{"\xff\xfe" "a\0\x33\xdc", 6, "unexpected low surrogate area", 0xdc33, 4},
		{"\xff\xfe" "a\0\x3d\xd8" "b\0", 8, "expected low surrogate area", 0x0062, 4},
		{"\xff\xfe" "a\0\x3d\xd8", 6, "incomplete UTF-16 surrogate pair", -1, 4},
		{"\xfe\xff" "\0a\0", 5, "incomplete UTF-16 character", -1, 4},
	};
	for (size_t b = 0; b < sizeof broken / sizeof *broken; b++) {
		write_file(path, broken[b].bytes, broken[b].n);
		assert_int_equal(c2s_source_read(&s, path, NULL, &e), C2S_READ_OK);
		assert_string_equal(s.encoding_error, broken[b].error);
		assert_int_equal(s.encoding_error_value, broken[b].value);
		assert_int_equal(s.encoding_error_at, broken[b].at);
		assert_int_equal(s.len, broken[b].at);
		c2s_source_free(&s);
	}
	/* a NUL byte is part of UTF-16: reading stops at U+0000 only */
	int fds[2];
	assert_int_equal(pipe(fds), 0);
	assert_int_equal(write(fds[1], "\xff\xfe" "a\0\0\0b\0", 8), 8);
	close(fds[1]);
	char pp[32];
	snprintf(pp, sizeof pp, "/dev/fd/%d", fds[0]);
	assert_int_equal(c2s_source_read(&s, pp, NULL, &e), C2S_READ_OK);
	assert_int_equal(s.len, 5);  /* mark, 'a', U+0000 */
	assert_memory_equal(s.data, "\xef\xbb\xbf" "a\0", 5);
	c2s_source_free(&s);
	close(fds[0]);
	unlink(path);
}

/* Large files are mapped, not read: the bytes, the terminating NUL and the
 * line index must come out the same, whether the size falls inside a page
 * (mapped) or on a page boundary (read, since no zero byte follows a map). */
static void check_big_file(size_t len)
{
	char path[] = "/tmp/c2s-test-map-XXXXXX";
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	char *text = malloc(len);
	assert_non_null(text);
	for (size_t i = 0; i < len; i++)
		text[i] = (i % 16 == 15) ? '\n' : (char)('a' + i % 16);
	assert_int_equal(write(fd, text, len), (ssize_t)len);
	close(fd);
	struct c2s_source s;
	int e;
	assert_int_equal(c2s_source_read(&s, path, NULL, &e), C2S_READ_OK);
	assert_int_equal(s.len, len);
	assert_memory_equal(s.data, text, len);
	assert_int_equal(s.data[len], '\0');
	uint32_t line, col;
	c2s_source_locate(&s, len - 1, &line, &col);
	assert_int_equal(line, len / 16);
	assert_int_equal(col, 16);
	c2s_source_free(&s);
	free(text);
	unlink(path);
}

/* Past the first C2S_LINE_STRIDE lines: every line of a text mixing \n,
 * \r\n and lone \r is found at its start and at its end, and reads back. */
static void test_many_lines(void **state)
{
	(void)state;
	static const char *const breaks[] = {"\n", "\r\n", "\r"};
	char text[4096];
	size_t starts[200], len = 0;
	uint32_t n = 100;
	for (uint32_t i = 0; i < n; i++) {
		starts[i] = len;
		len += (size_t)sprintf(text + len, "line%u", i + 1);
		if (i + 1 < n)
			len += (size_t)sprintf(text + len, "%s", breaks[(i * 7) % 3]);
	}
	struct c2s_source s;
	assert_int_equal(c2s_source_from_memory(&s, "x", text, len), 0);
	for (uint32_t i = 0; i < n; i++) {
		uint32_t line, col;
		c2s_source_locate(&s, starts[i], &line, &col);
		assert_int_equal(line, i + 1);
		assert_int_equal(col, 1);
		char want[16];
		int wl = sprintf(want, "line%u", i + 1);
		c2s_source_locate(&s, starts[i] + (size_t)wl - 1, &line, &col);
		assert_int_equal(line, i + 1);
		assert_int_equal(col, (uint32_t)wl);
		size_t got;
		const char *t = c2s_source_line(&s, i + 1, &got);
		assert_non_null(t);
		assert_int_equal(got, (size_t)wl);
		assert_memory_equal(t, want, got);
		assert_int_equal(c2s_source_offset(&s, i + 1, 1), starts[i]);
	}
	size_t got;
	assert_null(c2s_source_line(&s, n + 1, &got));
	c2s_source_free(&s);
}

/* The table of line starts gives what c2s_source_locate gives, at every offset
 * (and one past the end); a text with a \r has no table. */
static void test_line_starts(void **state)
{
	(void)state;
	static const char *const texts[] = {
		"ab\ncd\n\nef", "ab\ncd\n", "\n\n\n", "", "x", "\xef\xbb\xbf" "a: 1\nb: 2\n",
		"caf\xc3\xa9: \xe2\x9c\x93\n  x: \xc3\xa9t\xc3\xa9\nlast",
		/* 40 lines of 1 to 39 bytes: past build_lines' every 16th line and SSE2's 16 bytes */
		"a\nbb\nccc\ndddd\neeeee\nffffff\nggggggg\nhhhhhhhh\niiiiiiiii\njjjjjjjjjj\n"
		"kkkkkkkkkkk\nllllllllllll\nmmmmmmmmmmmmm\nnnnnnnnnnnnnnn\nooooooooooooooo\n"
		"pppppppppppppppp\nqqqqqqqqqqqqqqqqq\nrrrrrrrrrrrrrrrrrr\nsssssssssssssssssss\n"
		"tttttttttttttttttttt\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n0123456789012345678901234567890123456789",
	};
	for (size_t t = 0; t < sizeof texts / sizeof *texts; t++) {
		struct c2s_source s;
		size_t len = strlen(texts[t]);
		c2s_source_from_memory(&s, "x", texts[t], len);
		struct c2s_line_table lt;
		assert_int_equal(c2s_source_line_table(&s, &lt), 0);
		assert_true(lt.n >= 1);
		for (size_t off = 0; off <= len + 1; off++) {
			uint32_t l1, c1, l2, c2;
			c2s_source_locate(&s, off, &l1, &c1);
			c2s_source_locate_in(&s, &lt, off, &l2, &c2);
			assert_int_equal(l1, l2);
			assert_int_equal(c1, c2);
		}
		c2s_source_line_table_free(&lt);
		c2s_source_free(&s);
	}
	struct c2s_source s;
	struct c2s_line_table lt;
	c2s_source_from_memory(&s, "x", "a\r\nb\n", 5);
	assert_int_equal(c2s_source_line_table(&s, &lt), -1);
	assert_null(lt.starts);
	c2s_source_free(&s);
	c2s_source_from_memory(&s, "x", "0123456789abcdef0123456789\rabcdef\n", 34);
	assert_int_equal(c2s_source_line_table(&s, &lt), -1);
	assert_null(lt.starts);
	c2s_source_free(&s);
}

static void test_read_large(void **state)
{
	(void)state;
	long page = sysconf(_SC_PAGESIZE);
	check_big_file(((size_t)1 << 20) + 16 * 7);   /* mapped */
	check_big_file((size_t)page * 256);           /* a page multiple: read */
}

struct pieces {
	const char *base;
	size_t next, n;
	int cut_badly;
};

static int each_piece(const char *p, size_t n, void *ctx)
{
	struct pieces *c = ctx;
	assert_int_equal((size_t)(p - c->base), c->next);  /* in order, nothing left out */
	c->next += n;
	c->n++;
	/* never inside a UTF-8 character nor between \r and \n */
	if (((unsigned char)p[n] & 0xc0) == 0x80 || (p[n - 1] == '\r' && p[n] == '\n'))
		c->cut_badly = 1;
	return 0;
}

/* c2s_source_scan: a mapped file in pieces that cut no character and no
 * \r\n, its pages given back (the text reads the same after); long_line;
 * c2s_source_cut. */
static void test_scan_pieces(void **state)
{
	(void)state;
	size_t n = (size_t)5 << 20;
	char *text = malloc(n);
	/* 3-byte characters and \r\n, placed so that the 1 MiB marks fall inside them */
	for (size_t i = 0; i + 3 <= n; i += 3)
		memcpy(text + i, i % 64 == 63 ? "\r\n " : "\xe2\x82\xac", 3);
	n -= n % 3;
	char path[] = "/tmp/c2s-test-scan-XXXXXX";
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, n), (ssize_t)n);
	close(fd);
	struct c2s_source s;
	int e;
	assert_int_equal(c2s_source_read(&s, path, NULL, &e), C2S_READ_OK);
	assert_true(s.mapped > 0);
	assert_int_equal(s.long_line, 0);
	struct pieces c = {s.data, 0, 0, 0};
	assert_int_equal(c2s_source_scan(&s, each_piece, &c), 0);
	assert_int_equal(c.next, n);
	assert_true(c.n >= 5);
	assert_int_equal(c.cut_badly, 0);
	assert_memory_equal(s.data, text, n);
	c2s_source_cut(&s, 10);
	assert_int_equal(s.len, 10);
	assert_int_equal(s.data[10], '\0');
	c2s_source_free(&s);
	/* one line of 3 MiB */
	memset(text, 'x', (size_t)3 << 20);
	fd = open(path, O_WRONLY | O_TRUNC);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, (size_t)3 << 20), (ssize_t)3 << 20);
	close(fd);
	assert_int_equal(c2s_source_read(&s, path, NULL, &e), C2S_READ_OK);
	assert_int_equal(s.long_line, 1);
	c2s_source_free(&s);
	unlink(path);
	free(text);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_lf_lines),
		cmocka_unit_test(test_scan_pieces),
		cmocka_unit_test(test_crlf_and_lone_cr),
		cmocka_unit_test(test_bom_and_utf8),
		cmocka_unit_test(test_utf8_count_invalid),
		cmocka_unit_test(test_read_errors),
		cmocka_unit_test(test_file_size_limit),
		cmocka_unit_test(test_stream_limits),
		cmocka_unit_test(test_regular_only),
		cmocka_unit_test(test_utf16),
		cmocka_unit_test(test_read_large),
		cmocka_unit_test(test_many_lines),
		cmocka_unit_test(test_line_starts),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
