/* goval_file.c -- the file-shaped values: paths as path/filepath and the loader
 * treat them, the stack's working directory, and env files (docker/cli pkg/kvfile). */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "goval.h"

/* ==== paths ==== */

size_t c2s_path_clean(const char *path, size_t n, char *out)
{
	/* filepath.Clean (Unix). It may run in place (out == path): it never
	 * writes ahead of what it has read. */
	if (n == 0) {
		out[0] = '.';
		out[1] = '\0';
		return 1;
	}
	int rooted = path[0] == '/';
	size_t r = 0, w = 0, dotdot = 0;
	if (rooted) {
		out[w++] = '/';
		r = dotdot = 1;
	}
	while (r < n) {
		if (path[r] == '/') {
			r++;
		} else if (path[r] == '.' && (r + 1 == n || path[r + 1] == '/')) {
			r++;
		} else if (path[r] == '.' && path[r + 1] == '.' && (r + 2 == n || path[r + 2] == '/')) {
			r += 2;
			if (w > dotdot) {
				w--;
				while (w > dotdot && out[w] != '/')
					w--;
			} else if (!rooted) {
				if (w > 0)
					out[w++] = '/';
				out[w++] = '.';
				out[w++] = '.';
				dotdot = w;
			}
		} else {
			if ((rooted && w != 1) || (!rooted && w != 0))
				out[w++] = '/';
			while (r < n && path[r] != '/')
				out[w++] = path[r++];
		}
	}
	if (w == 0)
		out[w++] = '.';
	out[w] = '\0';
	return w;
}

size_t c2s_path_join(const char *dir, size_t dn, const char *rel, size_t rn, char *out)
{
	/* filepath.Join: the non-empty parts joined by '/', then cleaned; "" when both are empty */
	size_t w = 0;
	if (dn) {
		memmove(out, dir, dn);
		w = dn;
	}
	if (rn) {
		if (w)
			out[w++] = '/';
		memmove(out + w, rel, rn);
		w += rn;
	}
	if (w == 0) {
		out[0] = '\0';
		return 0;
	}
	return c2s_path_clean(out, w, out);
}

size_t c2s_path_resolve(const char *dir, size_t dn, const char *rel, size_t rn, char *out)
{
	if (rn && rel[0] == '/') {
		memmove(out, rel, rn);
		out[rn] = '\0';
		return rn;
	}
	return c2s_path_join(dir, dn, rel, rn, out);
}

static int is_slash(char c)
{
	return c == '\\' || c == '/';
}

size_t c2s_path_volume_name_len(const char *p, size_t l)
{
	if (l < 2)
		return 0;
	char c = p[0];
	if (p[1] == ':' && ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')))
		return 2;
	if (l >= 5 && is_slash(p[0]) && is_slash(p[1]) && !is_slash(p[2]) && p[2] != '.') {
		for (size_t n = 3; n < l - 1; n++) {
			if (is_slash(p[n])) {
				n++;
				if (!is_slash(p[n])) {
					if (p[n] == '.')
						break;
					for (; n < l; n++)
						if (is_slash(p[n]))
							break;
					return n;
				}
				break;
			}
		}
	}
	return 0;
}

int c2s_path_is_abs_any(const char *s, size_t n)
{
	if (n && s[0] == '/')
		return 1;
	size_t l = c2s_path_volume_name_len(s, n);
	return l != 0 && l < n && is_slash(s[l]);
}

int c2s_path_workdir(const char *cwd, const char *file, char *out, size_t size)
{
	size_t cn = cwd ? strlen(cwd) : 0, fn = strlen(file);
	char small[4096], *tmp = small;
	int rc = -1;
	if (strcmp(file, "-") == 0) {
		/* os.Getwd, as it is; "." when showing paths relative to here */
		const char *d = cwd ? cwd : ".";
		if (strlen(d) + 1 > size)
			return -1;
		memcpy(out, d, strlen(d) + 1);
		return 0;
	}
	if (cn + fn + 3 > sizeof small && !(tmp = malloc(cn + fn + 3)))
		return -1;
	/* filepath.Abs (Join with the cwd unless absolute; cleaned either way), then Dir */
	size_t n = file[0] == '/' || !cwd ? c2s_path_clean(file, fn, tmp) : c2s_path_join(cwd, cn, file, fn, tmp);
	size_t i = n;
	while (i > 0 && tmp[i - 1] != '/')
		i--;
	n = c2s_path_clean(tmp, i, tmp);
	if (n + 1 <= size) {
		memcpy(out, tmp, n + 1);
		rc = 0;
	}
	if (tmp != small)
		free(tmp);
	return rc;
}

/* ==== env files: docker/cli pkg/kvfile ==== */

int c2s_envfile_parse(const char *data, size_t len, c2s_envfile_fn fn, void *ctx, char *err, size_t errsize)
{
	const unsigned char *p = (const unsigned char *)data, *end = p + len;
	for (unsigned lineno = 1; p < end; lineno++) {
		/* bufio.ScanLines: up to '\n', one trailing '\r' dropped; a last line
		 * without '\n' counts. The scanner's buffer holds 64 KiB with the '\n'. */
		const unsigned char *nl = memchr(p, '\n', (size_t)(end - p));
		const unsigned char *le = nl ? nl : end, *next = nl ? nl + 1 : end;
		if ((size_t)(le - p) >= C2S_ENVFILE_MAX_LINE) {
			snprintf(err, errsize, "bufio.Scanner: token too long");
			return -1;
		}
		if (le > p && le[-1] == '\r')
			le--;
		for (const unsigned char *q = p; q < le;) {
			uint32_t cp;
			size_t l = c2s_utf8_valid_len(q, (size_t)(le - q), &cp);
			if (!l) {
				/* docker prints the line's bytes as a Go []byte: [104 105 ...] */
				size_t o = (size_t)snprintf(err, errsize, "invalid utf8 bytes at line %u: [", lineno);
				for (const unsigned char *b = p; b < le && o < errsize; b++)
					o += (size_t)snprintf(err + o, errsize - o, b == p ? "%u" : " %u", *b);
				if (o < errsize)
					snprintf(err + o, errsize - o, "]");
				return -1;
			}
			q += l;
		}
		if (lineno == 1 && le - p >= 3 && p[0] == 0xef && p[1] == 0xbb && p[2] == 0xbf)
			p += 3;
		/* strings.TrimLeftFunc(line, unicode.IsSpace) */
		while (p < le) {
			uint32_t cp;
			size_t l = c2s_utf8_valid_len(p, (size_t)(le - p), &cp);
			if (!c2s_go_is_space(cp))
				break;
			p += l;
		}
		if (p == le || *p == '#') {
			p = next;
			continue;
		}
		const unsigned char *eq = memchr(p, '=', (size_t)(le - p));
		const unsigned char *ke = eq ? eq : le;
		if (ke == p) {
			snprintf(err, errsize, "no variable name on line '%.*s'", (int)(le - p), (const char *)p);
			return -1;
		}
		for (const unsigned char *q = p; q < ke; q++)
			if (*q == ' ' || *q == '\t') {
				snprintf(err, errsize, "variable '%.*s' contains whitespaces", (int)(ke - p), (const char *)p);
				return -1;
			}
		if (fn && fn(ctx, (const char *)p, (size_t)(ke - p), eq ? (const char *)eq + 1 : NULL,
			     eq ? (size_t)(le - eq - 1) : 0, eq != NULL) != 0)
			return -2;
		p = next;
	}
	return 0;
}

enum c2s_envfile_status c2s_envfile_read(const char *path, struct c2s_buf *out, char *err, size_t errsize)
{
	FILE *f = fopen(path, "rb");
	if (!f) {
		c2s_go_os_error(err, errsize, "open", path, errno);
		return C2S_ENVFILE_IO;
	}
	int rc = c2s_buf_read_stream(out, f);
	int e = errno;
	fclose(f);
	if (rc == -1) {
		/* kvfile returns the scanner's error, wrapped as a bad env file */
		c2s_go_os_error(err, errsize, "read", path, e);
		return C2S_ENVFILE_INVALID;
	}
	if (rc == -2) {
		if (out->len + 8192 <= out->max) {  /* room was left: the memory ran out */
			snprintf(err, errsize, "out of memory");
			return C2S_ENVFILE_NOMEM;
		}
		snprintf(err, errsize, "%s: larger than %zu MiB, the most compose2swarm reads of an env file (C2S_ENVFILE_MAX_BYTES)",
			 path, C2S_ENVFILE_MAX_BYTES >> 20);
		return C2S_ENVFILE_TOO_BIG;
	}
	return C2S_ENVFILE_OK;
}

enum c2s_envfile_status c2s_envfile_load(const char *path, c2s_envfile_fn fn, void *ctx, char *err, size_t errsize)
{
	struct c2s_buf b;
	c2s_buf_init(&b, C2S_ENVFILE_MAX_BYTES);
	char msg[512];
	enum c2s_envfile_status st = c2s_envfile_read(path, &b, msg, sizeof msg);
	if (st == C2S_ENVFILE_OK) {
		int rc = c2s_envfile_parse(b.data ? b.data : "", b.len, fn, ctx, msg, sizeof msg);
		st = rc == -2 ? C2S_ENVFILE_NOMEM : rc != 0 ? C2S_ENVFILE_INVALID : C2S_ENVFILE_OK;
	}
	c2s_buf_free(&b);
	if (st == C2S_ENVFILE_INVALID)
		snprintf(err, errsize, "invalid env file (%s): %s", path, msg);
	else if (st == C2S_ENVFILE_NOMEM)
		snprintf(err, errsize, "out of memory");
	else if (st != C2S_ENVFILE_OK)
		snprintf(err, errsize, "%s", msg);
	return st;
}
