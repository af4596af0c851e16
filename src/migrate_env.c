/* migrate_env.c -- the environment as docker compose reads it: .env files in compose-go's
 * dotenv format, and ${VAR} substitution with compose-go's template grammar (defaults,
 * alternates, required values, nesting), which docker stack's v3 loader only partly knows.
 * Semantics read from compose-spec/compose-go dotenv/parser.go and template/template.go. */
#include "config.h"
#include "migrate.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- substitution ---- */

static int name_start(char c)
{
	return c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static int name_char(char c)
{
	return name_start(c) || (c >= '0' && c <= '9');
}

/* compose-go's getFirstBraceClosingIndex from s[0] (a '$'): the '}' that closes the
 * first '{', a character after each '{' skipped as it does; -1 when none. */
static long closing_brace(const char *s, size_t n)
{
	int open = 0;
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '}') {
			open--;
			if (open == 0)
				return (long)i;
		}
		if (s[i] == '{') {
			open++;
			i++;
		}
	}
	return -1;
}

static void put_err(char *err, size_t size, const char *fmt, const char *a, size_t an, const char *b, size_t bn)
{
	if (size)
		snprintf(err, size, fmt, (int)an, a, (int)bn, b);
}

static enum mig_subst subst(const char *s, size_t n, const struct c2s_env *env, struct c2s_buf *out, char *err,
			    size_t errsize, int depth)
{
	if (depth > 64) {
		put_err(err, errsize, "%.*s%.*s: nested too deeply", s, n, "", 0);
		return MIG_SUBST_INVALID;
	}
	size_t i = 0;
	while (i < n) {
		const char *d = memchr(s + i, '$', n - i);
		if (!d) {
			c2s_buf_add(out, s + i, n - i);
			break;
		}
		size_t at = (size_t)(d - s);
		c2s_buf_add(out, s + i, at - i);
		i = at;
		if (i + 1 < n && s[i + 1] == '$') {
			c2s_buf_addc(out, '$');
			i += 2;
			continue;
		}
		if (i + 1 < n && name_start(s[i + 1])) {
			size_t e = i + 2;
			while (e < n && name_char(s[e]))
				e++;
			size_t vl;
			const char *v = c2s_env_get(env, s + i + 1, e - i - 1, &vl);
			if (v)
				c2s_buf_add(out, v, vl);
			i = e;
			continue;
		}
		if (!(i + 1 < n && s[i + 1] == '{')) {
			c2s_buf_addc(out, '$');  /* compose-go's pattern does not match: the '$' stays */
			i++;
			continue;
		}
		long close = closing_brace(s + i, n - i);
		size_t ne = i + 2;
		while (ne < n && name_char(s[ne]))
			ne++;
		if (close < 0 || ne == i + 2 || !name_start(s[i + 2])) {
			put_err(err, errsize, "invalid interpolation format: %.*s%.*s", s, n, "", 0);
			return MIG_SUBST_INVALID;
		}
		size_t cl = i + (size_t)close;
		const char *name = s + i + 2;
		size_t nn = ne - i - 2;
		size_t vl;
		const char *v = c2s_env_get(env, name, nn, &vl);
		if (ne == cl) {
			if (v)
				c2s_buf_add(out, v, vl);
			i = cl + 1;
			continue;
		}
		int colon = s[ne] == ':';
		size_t op = ne + (size_t)colon;
		if (op >= cl || (s[op] != '-' && s[op] != '+' && s[op] != '?')) {
			put_err(err, errsize, "invalid interpolation format: %.*s%.*s", s, n, "", 0);
			return MIG_SUBST_INVALID;
		}
		const char *arg = s + op + 1;
		size_t an = cl - op - 1;
		int set = v != NULL, nonempty = v && vl > 0;
		enum mig_subst st = MIG_SUBST_OK;
		switch (s[op]) {
		case '-':
			if (colon ? !nonempty : !set)
				st = subst(arg, an, env, out, err, errsize, depth + 1);
			else
				c2s_buf_add(out, v, vl);
			break;
		case '+':
			if (colon ? nonempty : set)
				st = subst(arg, an, env, out, err, errsize, depth + 1);
			else if (v)
				c2s_buf_add(out, v, vl);
			break;
		case '?':
			if (colon ? nonempty : set) {
				c2s_buf_add(out, v, vl);
			} else {
				struct c2s_buf msg;
				c2s_buf_init(&msg, C2S_INTERP_MAX_BYTES);
				st = subst(arg, an, env, &msg, err, errsize, depth + 1);
				if (st == MIG_SUBST_OK) {
					if (msg.len)
						put_err(err, errsize, "required variable %.*s is missing a value: %.*s", name,
							nn, msg.data, msg.len);
					else
						put_err(err, errsize, "required variable %.*s is missing a value%.*s", name,
							nn, "", 0);
					st = MIG_SUBST_REQUIRED;
				}
				c2s_buf_free(&msg);
			}
			break;
		}
		if (st != MIG_SUBST_OK)
			return st;
		i = cl + 1;
	}
	return out->failed ? MIG_SUBST_NOMEM : MIG_SUBST_OK;
}

enum mig_subst mig_substitute(const char *s, size_t n, const struct c2s_env *env, struct c2s_buf *out,
			      char *err, size_t errsize)
{
	if (errsize)
		err[0] = '\0';
	return subst(s, n, env, out, err, errsize, 0);
}

int mig_needs_compose_template(const char *s, size_t n)
{
	for (size_t i = 0; i + 1 < n; i++) {
		if (s[i] != '$')
			continue;
		if (s[i + 1] == '$') {
			i++;
			continue;
		}
		if (s[i + 1] != '{')
			continue;
		long close = closing_brace(s + i, n - i);
		if (close < 0)
			return 1;
		size_t ne = i + 2;
		while (ne < n && name_char(s[ne]))
			ne++;
		size_t cl = i + (size_t)close;
		if (ne < cl) {
			size_t op = ne + (s[ne] == ':');
			if (op < cl && s[op] == '+')
				return 1;
			/* a nested reference in a default or a message: v3 stops at the first '}' */
			if (memchr(s + op, '$', cl - op))
				return 1;
		}
		i = cl;
	}
	return 0;
}

/* ---- .env files (compose-go dotenv/parser.go) ---- */

struct dotenv {
	const char *s;
	size_t n, at;
	int line;
	const struct c2s_env *lookup;
	struct c2s_env *parsed;   /* variables so far: ${VAR} in later values reads them */
	char *err;
	size_t errsize;
};

/* compose-go's isSpace: blanks but not the line break (\t \v \f \r space, U+0085, U+00A0). */
static size_t space_len(const char *s, size_t n, size_t i)
{
	unsigned char c = (unsigned char)s[i];
	if (c == '\t' || c == '\v' || c == '\f' || c == '\r' || c == ' ')
		return 1;
	if (c == 0xc2 && i + 1 < n && ((unsigned char)s[i + 1] == 0x85 || (unsigned char)s[i + 1] == 0xa0))
		return 2;
	return 0;
}

/* unicode.IsSpace for what env files hold: isSpace and the line break. */
static size_t uspace_len(const char *s, size_t n, size_t i)
{
	return s[i] == '\n' ? 1 : space_len(s, n, i);
}

/* A variable lookup: the environment first, then what the file set before. */
static const char *dotenv_get(const struct dotenv *p, const char *k, size_t kn, size_t *vl)
{
	const char *v = p->lookup ? c2s_env_get(p->lookup, k, kn, vl) : NULL;
	return v ? v : c2s_env_get(p->parsed, k, kn, vl);
}

/* expandVariables: the value with ${VAR} substituted from the lookup, then the file. */
static int expand(struct dotenv *p, const char *v, size_t vn, struct c2s_buf *out)
{
	struct c2s_env *both = c2s_env_new(NULL);
	if (!both)
		return -1;
	/* Only the names the value uses matter: copy them in lookup order. */
	for (size_t i = 0; i + 1 < vn; i++) {
		if (v[i] != '$')
			continue;
		size_t s = i + 1 + (v[i + 1] == '{');
		size_t e = s;
		while (e < vn && name_char(v[e]))
			e++;
		if (e > s) {
			size_t vl;
			const char *val = dotenv_get(p, v + s, e - s, &vl);
			if (val && c2s_env_set(both, v + s, e - s, val, vl) != 0) {
				c2s_env_free(both);
				return -1;
			}
		}
	}
	char err[512];
	enum mig_subst st = mig_substitute(v, vn, both, out, err, sizeof err);
	c2s_env_free(both);
	if (st == MIG_SUBST_NOMEM)
		return -1;
	if (st == MIG_SUBST_INVALID) {
		/* template.InvalidTemplateError, as dotenv passes it on (no line) */
		snprintf(p->err, p->errsize, "Invalid template: \"%.*s\"", (int)vn, v);
		return -2;
	}
	if (st != MIG_SUBST_OK) {
		snprintf(p->err, p->errsize, "%s", err);
		return -2;
	}
	return 0;
}

/* expandEscapes for a double-quoted value: \a \b \f \n \r \t \v \" \\ and \$ (kept as $$ for
 * the substitution to make one $), \0NNN octal; any other backslash stays. */
static void expand_escapes(const char *s, size_t n, struct c2s_buf *out)
{
	for (size_t i = 0; i < n; i++) {
		if (s[i] != '\\' || i + 1 >= n) {
			c2s_buf_addc(out, s[i]);
			continue;
		}
		char c = s[i + 1], r = 0;
		switch (c) {
		case 'a': r = '\a'; break;
		case 'b': r = '\b'; break;
		case 'f': r = '\f'; break;
		case 'n': r = '\n'; break;
		case 'r': r = '\r'; break;
		case 't': r = '\t'; break;
		case 'v': r = '\v'; break;
		case '"': r = '"'; break;
		case '\\': r = '\\'; break;
		case '$':
			c2s_buf_adds(out, "$$");
			i++;
			continue;
		case '0': {
			size_t k = 0;
			while (k < 3 && i + 2 + k < n && s[i + 2 + k] >= '0' && s[i + 2 + k] <= '9')
				k++;
			int ok = k == 3;
			unsigned v = 0;
			for (size_t j = 0; ok && j < 3; j++) {
				char d = s[i + 2 + j];
				if (d > '7')
					ok = 0;
				v = v * 8 + (unsigned)(d - '0');
			}
			if (ok && v <= 255) {
				/* Go's UnquoteChar gives the rune; below 0x80 it is that byte */
				if (v < 0x80) {
					c2s_buf_addc(out, (char)v);
				} else {
					c2s_buf_addc(out, (char)(0xc0 | (v >> 6)));
					c2s_buf_addc(out, (char)(0x80 | (v & 0x3f)));
				}
				i += 1 + 3;
			} else {
				c2s_buf_add(out, s + i, 2 + k);
				i += 1 + k;
			}
			continue;
		}
		default:
			c2s_buf_addc(out, s[i]);
			continue;
		}
		c2s_buf_addc(out, r);
		i++;
	}
}

static int is_key_char(const char *s, size_t n, size_t i)
{
	unsigned char c = (unsigned char)s[i];
	(void)n;
	return c == '_' || c == '.' || c == '-' || c == '[' || c == ']' || (c >= 'a' && c <= 'z') ||
	       (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c >= 0x80;
}

int mig_dotenv_parse(const char *data, size_t len, const struct c2s_env *lookup, mig_dotenv_fn fn, void *ctx,
		     char *err, size_t errsize)
{
	struct dotenv p = {data, len, 0, 1, lookup, c2s_env_new(NULL), err, errsize};
	if (!p.parsed)
		return -1;
	if (errsize)
		err[0] = '\0';
	if (len >= 3 && memcmp(data, "\xef\xbb\xbf", 3) == 0)
		p.at = 3;
	int rc = 0;
	struct c2s_buf val, tmp;
	c2s_buf_init(&val, C2S_ENVFILE_MAX_BYTES);
	c2s_buf_init(&tmp, C2S_ENVFILE_MAX_BYTES);
	const char *s = data;
	for (;;) {
		/* getStatementStart: blanks and line breaks, then # comment lines */
		for (;;) {
			size_t k;
			while (p.at < len && (k = uspace_len(s, len, p.at)) != 0) {
				if (s[p.at] == '\n')
					p.line++;
				p.at += k;
			}
			if (p.at < len && s[p.at] == '#') {
				while (p.at < len && s[p.at] != '\n')
					p.at++;
				continue;
			}
			break;
		}
		if (p.at >= len)
			break;
		/* locateKeyName */
		size_t ks = p.at;
		if (len - ks > 6 && memcmp(s + ks, "export", 6) == 0 && space_len(s, len, ks + 6)) {
			ks += 6;
			size_t k;
			while (ks < len && (k = space_len(s, len, ks)) != 0)
				ks += k;
		}
		size_t i = ks, ke = ks, next = len;
		int inherited = 0, found = 0;
		while (i < len) {
			size_t k = space_len(s, len, i);
			if (k) {
				i += k;
				continue;
			}
			char c = s[i];
			if (c == '=' || c == ':' || c == '\n') {
				ke = i;
				next = i + 1;
				inherited = c == '\n';
				found = 1;
				break;
			}
			if (!is_key_char(s, len, i)) {
				size_t le = ks;
				while (le < len && s[le] != '\n')
					le++;
				snprintf(err, errsize, "line %d: unexpected character \"%c\" in variable name \"%.*s\"", p.line,
					 c, (int)(le - ks), s + ks);
				rc = -2;
				goto out;
			}
			i++;
		}
		if (!found) {
			/* a last line without '=' or a line break: compose-go reads it as the value of "" */
			ke = ks;
			next = ks;
		}
		if (inherited)
			p.line++;
		while (ke > ks && (uspace_len(s, len, ke - 1) || (unsigned char)s[ke - 1] == 0xa0 ||
				   (unsigned char)s[ke - 1] == 0x85))
			ke--;
		for (size_t j = ks; j < ke; j++)
			if (s[j] == ' ') {
				snprintf(err, errsize, "line %d: key cannot contain a space", p.line);
				rc = -2;
				goto out;
			}
		p.at = next;
		size_t k;
		while (p.at < len && (k = space_len(s, len, p.at)) != 0)
			p.at += k;
		if (inherited) {
			size_t vl;
			const char *v = lookup ? c2s_env_get(lookup, s + ks, ke - ks, &vl) : NULL;
			if (v) {
				if (c2s_env_set(p.parsed, s + ks, ke - ks, v, vl) != 0 ||
				    (fn && fn(ctx, s + ks, ke - ks, v, vl) != 0)) {
					rc = -1;
					goto out;
				}
			}
			continue;
		}
		/* extractVarValue */
		c2s_buf_reset(&val);
		c2s_buf_reset(&tmp);
		char q = p.at < len ? s[p.at] : 0;
		if (q == '\'' || q == '"') {
			int esc = 0, closed = 0;
			size_t j = p.at + 1;
			for (; j < len; j++) {
				char c = s[j];
				if (c == '\n')
					p.line++;
				if (c != q) {
					if (!esc && c == '\\') {
						esc = 1;
						continue;
					}
					if (esc) {
						esc = 0;
						c2s_buf_addc(&tmp, '\\');
					}
					c2s_buf_addc(&tmp, c);
					continue;
				}
				if (esc) {
					esc = 0;
					c2s_buf_addc(&tmp, c);
					continue;
				}
				closed = 1;
				break;
			}
			if (!closed) {
				size_t le = p.at;
				while (le < len && s[le] != '\n')
					le++;
				snprintf(err, errsize, "line %d: unterminated quoted value %.*s", p.line, (int)(le - p.at),
					 s + p.at);
				rc = -2;
				goto out;
			}
			if (q == '"') {
				struct c2s_buf esc_buf;
				c2s_buf_init(&esc_buf, C2S_ENVFILE_MAX_BYTES);
				expand_escapes(tmp.data ? tmp.data : "", tmp.len, &esc_buf);
				int e = expand(&p, esc_buf.data ? esc_buf.data : "", esc_buf.len, &val);
				c2s_buf_free(&esc_buf);
				if (e != 0) {
					rc = e;
					goto out;
				}
			} else {
				c2s_buf_add(&val, tmp.data ? tmp.data : "", tmp.len);
			}
			p.at = j + 1;
		} else {
			size_t le = p.at;
			while (le < len && s[le] != '\n')
				le++;
			size_t ve = p.at;
			/* an inline comment starts at " #" */
			while (ve < le && !(s[ve] == ' ' && ve + 1 < le && s[ve + 1] == '#'))
				ve++;
			while (ve > p.at && (uspace_len(s, len, ve - 1) || (unsigned char)s[ve - 1] == 0xa0))
				ve--;
			p.line++;
			int e = expand(&p, s + p.at, ve - p.at, &val);
			if (e != 0) {
				rc = e;
				goto out;
			}
			p.at = le < len ? le + 1 : len;
		}
		if (val.failed) {
			rc = -1;
			goto out;
		}
		if (c2s_env_set(p.parsed, s + ks, ke - ks, val.data ? val.data : "", val.len) != 0 ||
		    (fn && fn(ctx, s + ks, ke - ks, val.data ? val.data : "", val.len) != 0)) {
			rc = -1;
			goto out;
		}
	}
out:
	c2s_buf_free(&val);
	c2s_buf_free(&tmp);
	c2s_env_free(p.parsed);
	if (rc == -1 && errsize && !err[0])
		snprintf(err, errsize, "out of memory");
	return rc ? -1 : 0;
}
