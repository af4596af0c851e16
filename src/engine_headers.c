/* engine_headers.c -- the headers the docker CLI 28.2 adds to every Engine API request: config.json's HttpHeaders, or instead the DOCKER_CUSTOM_HEADERS environment variable, as Go's net/http then writes them. */
#include "config.h"
#include "compose2swarm.h"
#include "engine.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ENV_NAME "DOCKER_CUSTOM_HEADERS"

void c2s_engine_headers_free(struct c2s_engine_headers *h)
{
	for (size_t i = 0; i < h->n; i++) {
		free(h->v[i].name);
		free(h->v[i].value);
	}
	free(h->v);
	h->v = NULL;
	h->n = 0;
}

/* httpguts.IsTokenRune: what a header name may be made of. */
static int token_byte(unsigned char c)
{
	return c > 32 && c < 127 && !strchr("\"(),/:;<=>?@[\\]{}", c);
}

/* textproto.CanonicalMIMEHeaderKey: "x-meta-id" is "X-Meta-Id"; a name with a
 * byte outside a token stays as written. */
static void canonical(char *k)
{
	for (const char *p = k; *p; p++)
		if (!token_byte((unsigned char)*p))
			return;
	for (size_t i = 0, up = 1; k[i]; i++) {
		char c = k[i];
		k[i] = up && c >= 'a' && c <= 'z' ? (char)(c - 32) : !up && c >= 'A' && c <= 'Z' ? (char)(c + 32) : c;
		up = c == '-';
	}
}

static char *dup_n(const char *s, size_t n)
{
	char *d = malloc(n + 1);
	if (d) {
		memcpy(d, s, n);
		d[n] = '\0';
	}
	return d;
}

/* map[k] = v: a name given again replaces the value (a Go map). name and
 * value are taken over (freed on failure). 0, or -1 when out of memory. */
static int set(struct c2s_engine_headers *h, char *name, char *value)
{
	if (!name || !value) {
		free(name);
		free(value);
		return -1;
	}
	canonical(name);
	for (size_t i = 0; i < h->n; i++)
		if (strcmp(h->v[i].name, name) == 0) {
			free(h->v[i].value);
			h->v[i].value = value;
			free(name);
			return 0;
		}
	struct c2s_engine_header *v = realloc(h->v, (h->n + 1) * sizeof *v);
	if (!v) {
		free(name);
		free(value);
		return -1;
	}
	h->v = v;
	h->v[h->n].name = name;
	h->v[h->n].value = value;
	h->n++;
	return 0;
}

/* One field of a Go encoding/csv record (Comma ',', no LazyQuotes). */
struct fields {
	char **v;
	size_t n;
};

static int add_field(struct fields *f, const char *s, size_t n)
{
	char **v = realloc(f->v, (f->n + 1) * sizeof *v);
	if (!v)
		return -1;
	f->v = v;
	if (!(f->v[f->n] = dup_n(s, n)))
		return -1;
	f->n++;
	return 0;
}

static void fields_free(struct fields *f)
{
	for (size_t i = 0; i < f->n; i++)
		free(f->v[i]);
	free(f->v);
}

/* encoding/csv's Reader.Read: the first record of s. Empty lines before it
 * are skipped; a quoted field may span lines ("\r\n" in it is "\n"); a bare
 * '"' in an unquoted field, or a quote not followed by ',' or the line's end,
 * is an error. 0; 1 a csv error (or no record at all); -1 out of memory. */
static int csv_first_record(const char *s, struct fields *f)
{
	size_t len = strlen(s), i = 0;
	/* skip empty lines ("\n" or "\r\n") */
	for (;;) {
		if (i < len && s[i] == '\n')
			i++;
		else if (i + 1 < len && s[i] == '\r' && s[i + 1] == '\n')
			i += 2;
		else
			break;
	}
	if (i == len)
		return 1; /* io.EOF */
	char *buf = malloc(len + 1);
	if (!buf)
		return -1;
	for (;;) {
		size_t bn = 0;
		if (s[i] != '"') {
			/* unquoted: up to ',' or the end of the line */
			while (i < len && s[i] != ',' && s[i] != '\n') {
				if (s[i] == '"') {
					free(buf);
					return 1; /* ErrBareQuote */
				}
				if (s[i] == '\r' && i + 1 < len && s[i + 1] == '\n') {
					i++;
					continue;
				}
				buf[bn++] = s[i++];
			}
		} else {
			i++;
			for (;;) {
				if (i == len) {
					free(buf);
					return 1; /* ErrQuote: no closing quote */
				}
				if (s[i] == '"') {
					if (i + 1 < len && s[i + 1] == '"') {
						buf[bn++] = '"';
						i += 2;
						continue;
					}
					i++;
					if (i < len && s[i] != ',' && s[i] != '\n' &&
					    !(s[i] == '\r' && i + 1 < len && s[i + 1] == '\n')) {
						free(buf);
						return 1; /* ErrQuote: extraneous quote */
					}
					if (i < len && s[i] == '\r')
						i++;
					break;
				}
				if (s[i] == '\r' && i + 1 < len && s[i + 1] == '\n')
					i++; /* "\r\n" in a quoted field is "\n" */
				buf[bn++] = s[i++];
			}
		}
		if (add_field(f, buf, bn) != 0) {
			free(buf);
			return -1;
		}
		if (i < len && s[i] == ',') {
			i++;
			continue;
		}
		break; /* the end of the line (or of s): the record is whole */
	}
	free(buf);
	return 0;
}

/* withCustomHeadersFromEnv (cli/command/cli_options.go): 0 with the map in h
 * (empty when the variable is unset or empty), -1 with err. */
static int from_env(const char *value, struct c2s_engine_headers *h, struct c2s_engine_error *err)
{
	struct fields f = {NULL, 0};
	int r = csv_first_record(value, &f);
	if (r != 0) {
		fields_free(&f);
		if (r < 0)
			goto nomem;
		c2s_engine_fail(err, C2S_ENGINE_ERR_CONFIG,
		     "failed to parse custom headers from " ENV_NAME
		     " environment variable: value must be formatted as comma-separated key=value pairs");
		return -1;
	}
	for (size_t i = 0; i < f.n; i++) {
		const char *kv = f.v[i], *eq = strchr(kv, '=');
		const char *k = kv, *ke = eq ? eq : kv + strlen(kv);
		/* strings.TrimSpace, the key only: a value keeps its spaces */
		while (k < ke && strchr(" \t\n\v\f\r", *k))
			k++;
		while (ke > k && strchr(" \t\n\v\f\r", ke[-1]))
			ke--;
		if (k == ke) {
			c2s_engine_fail(err, C2S_ENGINE_ERR_CONFIG,
			     "failed to set custom headers from " ENV_NAME
			     " environment variable: value contains a key=value pair with an empty key: '%s'",
			     kv);
			goto out;
		}
		if (!eq) {
			c2s_engine_fail(err, C2S_ENGINE_ERR_CONFIG,
			     "failed to set custom headers from " ENV_NAME " environment variable: missing \"=\" in "
			     "key=value pair: '%s'",
			     kv);
			goto out;
		}
		if (set(h, dup_n(k, (size_t)(ke - k)), dup_n(eq + 1, strlen(eq + 1))) != 0) {
			fields_free(&f);
			goto nomem;
		}
	}
	fields_free(&f);
	return 0;
out:
	fields_free(&f);
	c2s_engine_headers_free(h);
	return -1;
nomem:
	c2s_engine_headers_free(h);
	c2s_engine_fail(err, C2S_ENGINE_ERR_NOMEM, "out of memory");
	return -1;
}

/* What Go's net/http makes of the map on the wire: it refuses a name that is
 * no token and a value with a control byte (tab aside) on every request
 * (Transport.roundTrip), leaves out the headers it writes itself
 * (reqWriteExcludeHeader: Host, User-Agent, Content-Length,
 * Transfer-Encoding, Trailer; the CLI's User-Agent wins anyway), and trims
 * the value (Header.writeSubset). */
static int as_sent(struct c2s_engine_headers *h, const char *from, struct c2s_engine_error *err)
{
	static const char *const excluded[] = {"Host", "User-Agent", "Content-Length", "Transfer-Encoding", "Trailer"};
	for (size_t i = 0; i < h->n; i++) {
		const struct c2s_engine_header *x = &h->v[i];
		int ok = *x->name != '\0';
		for (const char *p = x->name; ok && *p; p++)
			ok = token_byte((unsigned char)*p);
		if (!ok) {
			c2s_engine_fail(err, C2S_ENGINE_ERR_CONFIG, "%s: net/http: invalid header field name \"%s\"", from, x->name);
			return -1;
		}
		for (const unsigned char *p = (const unsigned char *)x->value; *p; p++)
			if ((*p < ' ' && *p != '\t') || *p == 0x7f) {
				c2s_engine_fail(err, C2S_ENGINE_ERR_CONFIG, "%s: net/http: invalid header field value for \"%s\"", from,
				     x->name);
				return -1;
			}
	}
	size_t kept = 0;
	for (size_t i = 0; i < h->n; i++) {
		struct c2s_engine_header *x = &h->v[i];
		int drop = 0;
		for (size_t k = 0; k < sizeof excluded / sizeof *excluded; k++)
			drop |= strcmp(x->name, excluded[k]) == 0;
		if (drop) {
			free(x->name);
			free(x->value);
			continue;
		}
		char *v = x->value, *e = v + strlen(v);
		while (*v == ' ' || *v == '\t')
			v++;
		while (e > v && (e[-1] == ' ' || e[-1] == '\t'))
			e--;
		memmove(x->value, v, (size_t)(e - v));
		x->value[e - v] = '\0';
		h->v[kept++] = *x;
	}
	h->n = kept;
	return 0;
}

int c2s_engine_custom_headers(const char *const *envp, const cJSON *config, struct c2s_engine_headers *out,
			      struct c2s_engine_error *err)
{
	out->v = NULL;
	out->n = 0;
	const char *env = NULL;
	for (const char *const *v = envp; v && *v; v++)
		if (strncmp(*v, ENV_NAME "=", sizeof ENV_NAME) == 0)
			env = *v + sizeof ENV_NAME;
	/* newAPIClientFromEndpoint: the config's HttpHeaders, then the variable's
	 * map, when it has any, in their place (client.WithHTTPHeaders replaces) */
	if (env && *env) {
		if (from_env(env, out, err) != 0)
			return -1;
		if (out->n)
			return as_sent(out, ENV_NAME, err) == 0 ? 0 : (c2s_engine_headers_free(out), -1);
	}
	const cJSON *h;
	cJSON_ArrayForEach(h, cJSON_GetObjectItemCaseSensitive(config, "HttpHeaders"))
	{
		if (!cJSON_IsString(h) || !h->string)
			continue;
		if (set(out, dup_n(h->string, strlen(h->string)), dup_n(h->valuestring, strlen(h->valuestring))) != 0) {
			c2s_engine_headers_free(out);
			c2s_engine_fail(err, C2S_ENGINE_ERR_NOMEM, "out of memory");
			return -1;
		}
	}
	if (as_sent(out, "the docker config's HttpHeaders", err) != 0) {
		c2s_engine_headers_free(out);
		return -1;
	}
	return 0;
}
