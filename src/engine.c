/* engine.c -- the Engine API client over libcurl: version negotiation, requests with query and filters, JSON answers, the daemon's errors as values. */
#include "config.h"
#include "compose2swarm.h"
#include "engine.h"

#include "buf.h"
#include "engine_ssh.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#ifdef HAVE_CURL
#include <curl/curl.h>
#include <dlfcn.h>
#endif

void c2s_engine_fail(struct c2s_engine_error *err, enum c2s_engine_code code, const char *fmt, ...)
{
	va_list ap;
	err->code = code;
	err->http_status = 0;
	va_start(ap, fmt);
	vsnprintf(err->message, sizeof err->message, fmt, ap);
	va_end(ap);
}

/* ---- encoders (no libcurl needed) ---- */

/* versions.compare (api/types/versions): dotted numbers, missing parts 0. */
int c2s_engine_version_cmp(const char *a, const char *b)
{
	while (*a || *b) {
		long x = 0, y = 0;
		while (*a && *a != '.') {
			x = (*a >= '0' && *a <= '9' && x < 100000000) ? x * 10 + (*a - '0') : x;
			a++;
		}
		while (*b && *b != '.') {
			y = (*b >= '0' && *b <= '9' && y < 100000000) ? y * 10 + (*b - '0') : y;
			b++;
		}
		if (x != y)
			return x < y ? -1 : 1;
		if (*a == '.')
			a++;
		if (*b == '.')
			b++;
	}
	return 0;
}

/* Length of the valid UTF-8 sequence at p (at most n bytes), 0 if invalid. */
static size_t utf8_len(const unsigned char *p, size_t n, unsigned *cp)
{
	if (p[0] < 0x80) {
		*cp = p[0];
		return 1;
	}
	size_t len = p[0] >= 0xf0 ? 4 : p[0] >= 0xe0 ? 3 : p[0] >= 0xc2 ? 2 : 0;
	if (!len || len > n || p[0] > 0xf4)
		return 0;
	unsigned c = p[0] & (0x7f >> len);
	for (size_t i = 1; i < len; i++) {
		if ((p[i] & 0xc0) != 0x80)
			return 0;
		c = c << 6 | (p[i] & 0x3f);
	}
	if ((len == 3 && c < 0x800) || (len == 4 && (c < 0x10000 || c > 0x10ffff)) || (c >= 0xd800 && c <= 0xdfff))
		return 0;
	*cp = c;
	return len;
}

/* A string as Go's encoding/json writes it (HTML-safe, Go 1.22+ \b \f). */
static void go_json_string(struct c2s_buf *b, const char *s)
{
	static const char hex[] = "0123456789abcdef";
	const unsigned char *p = (const unsigned char *)s;
	size_t n = strlen(s);
	c2s_buf_addc(b, '"');
	for (size_t i = 0; i < n;) {
		unsigned c;
		size_t len = utf8_len(p + i, n - i, &c);
		if (!len) {
			c2s_buf_adds(b, "\\ufffd");
			i++;
			continue;
		}
		switch (c) {
		case '"': c2s_buf_adds(b, "\\\""); break;
		case '\\': c2s_buf_adds(b, "\\\\"); break;
		case '\n': c2s_buf_adds(b, "\\n"); break;
		case '\r': c2s_buf_adds(b, "\\r"); break;
		case '\t': c2s_buf_adds(b, "\\t"); break;
		case '\b': c2s_buf_adds(b, "\\b"); break;
		case '\f': c2s_buf_adds(b, "\\f"); break;
		case 0x2028: c2s_buf_adds(b, "\\u2028"); break;
		case 0x2029: c2s_buf_adds(b, "\\u2029"); break;
		default:
			if (c < 0x20 || c == '<' || c == '>' || c == '&') {
				char u[7] = {'\\', 'u', '0', '0', hex[c >> 4], hex[c & 15], 0};
				c2s_buf_adds(b, u);
			} else {
				c2s_buf_add(b, p + i, len);
			}
		}
		i += len;
	}
	c2s_buf_addc(b, '"');
}

/* A number as encoding/json writes it: integers in full (never 1e+15), other
 * floats in their shortest form that reads back the same. cJSON keeps numbers
 * as doubles, so integers past 2^53 are already rounded when parsed; no value
 * of a stack's request bodies comes near that. */
static void go_json_number(struct c2s_buf *b, double d)
{
	if (d != d || d - d != 0) { /* NaN, Inf: Go refuses them; JSON has no word for them */
		c2s_buf_adds(b, "null");
		return;
	}
	if (d == (double)(long long)d && d > -9.2e18 && d < 9.2e18) {
		c2s_buf_printf(b, "%lld", (long long)d);
		return;
	}
	char tmp[40];
	for (int prec = 1; prec <= 17; prec++) {
		snprintf(tmp, sizeof tmp, "%.*g", prec, d);
		if (strtod(tmp, NULL) == d)
			break;
	}
	c2s_buf_adds(b, tmp);
}

static void go_json_value(struct c2s_buf *b, const cJSON *v, int depth)
{
	if (depth > 512) { /* deeper than any body; cJSON itself stops at 1000 */
		b->failed = 1;
		return;
	}
	if (cJSON_IsObject(v) || cJSON_IsArray(v)) {
		int obj = cJSON_IsObject(v);
		c2s_buf_addc(b, obj ? '{' : '[');
		for (const cJSON *c = v->child; c; c = c->next) {
			if (c != v->child)
				c2s_buf_addc(b, ',');
			if (obj) {
				go_json_string(b, c->string ? c->string : "");
				c2s_buf_addc(b, ':');
			}
			go_json_value(b, c, depth + 1);
		}
		c2s_buf_addc(b, obj ? '}' : ']');
	} else if (cJSON_IsString(v)) {
		go_json_string(b, v->valuestring ? v->valuestring : "");
	} else if (cJSON_IsNumber(v)) {
		go_json_number(b, v->valuedouble);
	} else if (cJSON_IsTrue(v)) {
		c2s_buf_adds(b, "true");
	} else if (cJSON_IsFalse(v)) {
		c2s_buf_adds(b, "false");
	} else if (cJSON_IsRaw(v)) {
		c2s_buf_adds(b, v->valuestring ? v->valuestring : "null");
	} else {
		c2s_buf_adds(b, "null");
	}
}

int c2s_engine_json_print(const cJSON *v, struct c2s_buf *out)
{
	go_json_value(out, v, 0);
	return out->failed ? -1 : 0;
}

static int param_cmp_key(const void *x, const void *y)
{
	const struct c2s_engine_param *a = *(const struct c2s_engine_param *const *)x;
	const struct c2s_engine_param *b = *(const struct c2s_engine_param *const *)y;
	int c = strcmp(a->name, b->name);
	return c ? c : strcmp(a->value, b->value);
}

int c2s_engine_filters_json(const struct c2s_engine_param *f, size_t n, struct c2s_buf *out)
{
	/* filters.Args is map[string]map[string]bool: encoding/json sorts both
	 * levels, and a repeated term is one entry. */
	const struct c2s_engine_param **v = calloc(n ? n : 1, sizeof *v);
	if (!v)
		return -1;
	for (size_t i = 0; i < n; i++)
		v[i] = &f[i];
	qsort(v, n, sizeof *v, param_cmp_key);
	c2s_buf_addc(out, '{');
	for (size_t i = 0; i < n; i++) {
		int new_key = i == 0 || strcmp(v[i]->name, v[i - 1]->name) != 0;
		if (!new_key && strcmp(v[i]->value, v[i - 1]->value) == 0)
			continue;
		if (new_key) {
			if (i)
				c2s_buf_addc(out, '}'), c2s_buf_addc(out, ',');
			go_json_string(out, v[i]->name);
			c2s_buf_adds(out, ":{");
		} else {
			c2s_buf_addc(out, ',');
		}
		go_json_string(out, v[i]->value);
		c2s_buf_adds(out, ":true");
	}
	if (n)
		c2s_buf_addc(out, '}');
	c2s_buf_addc(out, '}');
	free(v);
	return out->failed ? -1 : 0;
}

/* url.QueryEscape: only unreserved bytes stay, a space is '+'. */
static void query_escape(struct c2s_buf *b, const char *s)
{
	static const char hex[] = "0123456789ABCDEF";
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		unsigned char c = *p;
		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
		    c == '_' || c == '.' || c == '~') {
			c2s_buf_addc(b, (char)c);
		} else if (c == ' ') {
			c2s_buf_addc(b, '+');
		} else {
			char e[3] = {'%', hex[c >> 4], hex[c & 15]};
			c2s_buf_add(b, e, 3);
		}
	}
}

static int param_cmp_name(const void *x, const void *y)
{
	const struct c2s_engine_param *a = *(const struct c2s_engine_param *const *)x;
	const struct c2s_engine_param *b = *(const struct c2s_engine_param *const *)y;
	int c = strcmp(a->name, b->name);
	/* url.Values keeps the order values were added in: a stable sort by name */
	return c ? c : (a < b ? -1 : a > b);
}

int c2s_engine_query_string(const struct c2s_engine_param *q, size_t nq, const struct c2s_engine_param *f,
			    size_t nf, struct c2s_buf *out)
{
	struct c2s_buf fj;
	c2s_buf_init(&fj, out->max);
	struct c2s_engine_param filters = {"filters", ""};
	size_t n = nq + (nf ? 1 : 0);
	const struct c2s_engine_param **v = calloc(n ? n : 1, sizeof *v);
	if (!v)
		return -1;
	for (size_t i = 0; i < nq; i++)
		v[i] = &q[i];
	if (nf) {
		if (c2s_engine_filters_json(f, nf, &fj) != 0) {
			free(v);
			c2s_buf_free(&fj);
			return -1;
		}
		filters.value = fj.data;
		v[nq] = &filters;
	}
	qsort(v, n, sizeof *v, param_cmp_name);
	for (size_t i = 0; i < n; i++) {
		c2s_buf_addc(out, i ? '&' : '?');
		query_escape(out, v[i]->name);
		c2s_buf_addc(out, '=');
		query_escape(out, v[i]->value);
	}
	free(v);
	c2s_buf_free(&fj);
	return out->failed ? -1 : 0;
}

const char *c2s_engine_kind_path(enum c2s_engine_kind kind)
{
	switch (kind) {
	case C2S_ENGINE_SERVICES: return "/services";
	case C2S_ENGINE_NETWORKS: return "/networks";
	case C2S_ENGINE_SECRETS: return "/secrets";
	case C2S_ENGINE_CONFIGS: return "/configs";
	case C2S_ENGINE_TASKS: return "/tasks";
	}
	return "/";
}

void c2s_engine_response_free(struct c2s_engine_response *rs)
{
	if (!rs)
		return;
	free(rs->body);
	cJSON_Delete(rs->json);
	memset(rs, 0, sizeof *rs);
}

#ifdef HAVE_CURL

/* libcurl is opened when plan or deploy first needs it, not linked: linked,
 * libcurl and the 30-odd libraries it brings (TLS, Kerberos, LDAP, HTTP/2...)
 * were mapped and relocated by every command, lint too, 6 MiB of resident
 * memory and their load time on each run (make bench, lint at N=10,000). */
#define C2S_LIBCURL_SONAME "libcurl.so.4" /* libcurl's ABI name since 7.16 */

static struct {
	CURLcode (*global_init)(long);
	CURL *(*easy_init)(void);
	CURLcode (*easy_setopt)(CURL *, CURLoption, ...);
	CURLcode (*easy_getinfo)(CURL *, CURLINFO, ...);
	CURLcode (*easy_perform)(CURL *);
	void (*easy_reset)(CURL *);
	void (*easy_cleanup)(CURL *);
	const char *(*easy_strerror)(CURLcode);
	struct curl_slist *(*slist_append)(struct curl_slist *, const char *);
	void (*slist_free_all)(struct curl_slist *);
	char *(*version)(void);
} lc;
static int lc_state; /* 0 not tried, 1 loaded, -1 could not be */
static char lc_why[256];

static int lc_sym(void *h, const char *name, void *fn, size_t size)
{
	void *p = dlsym(h, name);
	if (!p || size != sizeof p) {
		snprintf(lc_why, sizeof lc_why, "%s has no %s", C2S_LIBCURL_SONAME, name);
		return -1;
	}
	memcpy(fn, &p, sizeof p); /* POSIX: a function's address fits a void * */
	return 0;
}

static int lc_load(void)
{
	if (lc_state)
		return lc_state;
	void *h = dlopen(C2S_LIBCURL_SONAME, RTLD_NOW | RTLD_LOCAL);
	if (!h) {
		const char *e = dlerror();
		snprintf(lc_why, sizeof lc_why, "%s (install the Debian package libcurl4)", e ? e : C2S_LIBCURL_SONAME);
		return lc_state = -1;
	}
#define LC_SYM(field, name) lc_sym(h, name, &lc.field, sizeof lc.field)
	if (LC_SYM(global_init, "curl_global_init") || LC_SYM(easy_init, "curl_easy_init") ||
	    LC_SYM(easy_setopt, "curl_easy_setopt") || LC_SYM(easy_getinfo, "curl_easy_getinfo") ||
	    LC_SYM(easy_perform, "curl_easy_perform") || LC_SYM(easy_reset, "curl_easy_reset") ||
	    LC_SYM(easy_cleanup, "curl_easy_cleanup") || LC_SYM(easy_strerror, "curl_easy_strerror") ||
	    LC_SYM(slist_append, "curl_slist_append") || LC_SYM(slist_free_all, "curl_slist_free_all") ||
	    LC_SYM(version, "curl_version")) {
		dlclose(h);
		return lc_state = -1;
	}
#undef LC_SYM
	return lc_state = 1;
}

/* Below, libcurl's names call through the table (curl.h's type-checking
 * macros for setopt and getinfo give way). */
#undef curl_easy_setopt
#undef curl_easy_getinfo
#define curl_global_init lc.global_init
#define curl_easy_init lc.easy_init
#define curl_easy_setopt lc.easy_setopt
#define curl_easy_getinfo lc.easy_getinfo
#define curl_easy_perform lc.easy_perform
#define curl_easy_reset lc.easy_reset
#define curl_easy_cleanup lc.easy_cleanup
#define curl_easy_strerror lc.easy_strerror
#define curl_slist_append lc.slist_append
#define curl_slist_free_all lc.slist_free_all
#define curl_version lc.version

/* url.URL{Path: p}.EscapedPath(): what encodePath leaves as it is stays. */
static void path_escape(struct c2s_buf *b, const char *s)
{
	static const char hex[] = "0123456789ABCDEF";
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		unsigned char c = *p;
		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		    strchr("-_.~$&+,/:;=@", c)) {
			c2s_buf_addc(b, (char)c);
		} else {
			char e[3] = {'%', hex[c >> 4], hex[c & 15]};
			c2s_buf_add(b, e, 3);
		}
	}
}

struct c2s_engine {
	struct c2s_engine_endpoint ep;
	CURL *curl;
	char base[C2S_ENGINE_HOST_MAX + 16]; /* scheme://authority[/base path] */
	char socket[C2S_ENGINE_HOST_MAX];     /* unix socket path, or "" */
	char version[32];                      /* the API version for requests */
	int version_fixed;                     /* DOCKER_API_VERSION */
	int pinged;
	struct c2s_engine_ping ping;
	long timeout_ms, connect_timeout_ms;
	size_t max_response;
	char user_agent[128];
	int is_ssh;                /* ssh://: each connection is `ssh ... docker system dial-stdio` */
	struct c2s_ssh ssh;
	struct curl_slist *custom; /* HttpHeaders or DOCKER_CUSTOM_HEADERS, as "Name: value" or "Name;" */
	char curl_error[CURL_ERROR_SIZE];
	/* the answer being read */
	struct c2s_buf body;
	struct c2s_engine_ping headers;
};

int c2s_engine_available(void)
{
	return 1;
}

const char *c2s_engine_client_version(void)
{
	if (lc_load() < 0)
		return lc_why;
	return curl_version();
}

const struct c2s_engine_endpoint *c2s_engine_endpoint_of(const struct c2s_engine *e)
{
	return &e->ep;
}

const char *c2s_engine_api_version(const struct c2s_engine *e)
{
	return e->pinged || e->version_fixed ? e->version : NULL;
}

static size_t on_body(char *p, size_t size, size_t n, void *ud)
{
	struct c2s_engine *e = ud;
	if (c2s_buf_add(&e->body, p, size * n) != 0)
		return 0; /* over the cap: libcurl stops with CURLE_WRITE_ERROR */
	return size * n;
}

/* Copy a header's value (trimmed) when its name matches, case-insensitively. */
static void header_value(const char *line, size_t n, const char *name, char *dst, size_t dn)
{
	size_t nl = strlen(name);
	if (n <= nl || strncasecmp(line, name, nl) != 0 || line[nl] != ':')
		return;
	const char *v = line + nl + 1, *end = line + n;
	while (v < end && (*v == ' ' || *v == '\t'))
		v++;
	while (end > v && (end[-1] == '\r' || end[-1] == '\n' || end[-1] == ' ' || end[-1] == '\t'))
		end--;
	size_t len = (size_t)(end - v);
	if (len >= dn)
		len = dn - 1;
	memcpy(dst, v, len);
	dst[len] = '\0';
}

static size_t on_header(char *p, size_t size, size_t n, void *ud)
{
	struct c2s_engine *e = ud;
	size_t len = size * n;
	char experimental[8] = "";
	header_value(p, len, "Api-Version", e->headers.api_version, sizeof e->headers.api_version);
	header_value(p, len, "Ostype", e->headers.os_type, sizeof e->headers.os_type);
	header_value(p, len, "Swarm", e->headers.swarm, sizeof e->headers.swarm);
	header_value(p, len, "Docker-Experimental", experimental, sizeof experimental);
	if (experimental[0])
		e->headers.experimental = strcmp(experimental, "true") == 0;
	return len;
}

static int global_init(struct c2s_engine_error *err)
{
	static int done;
	if (done)
		return 0;
	if (lc_load() < 0) {
		c2s_engine_fail(err, C2S_ENGINE_ERR_UNSUPPORTED, "the Engine API client needs libcurl: %s", lc_why);
		return -1;
	}
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
		c2s_engine_fail(err, C2S_ENGINE_ERR_NOMEM, "libcurl could not initialise");
		return -1;
	}
	done = 1;
	return 0;
}

/* The headers the CLI adds to every request (c2s_engine_custom_headers), as
 * libcurl lines: "Name: value", or "Name;" for an empty value (libcurl drops
 * "Name:"). */
static int custom_headers(struct c2s_engine *e, const char *const *envp, struct c2s_engine_error *err)
{
	cJSON *config;
	if (c2s_engine_read_config(envp, &config, err) != 0)
		return -1;
	struct c2s_engine_headers hs;
	int r = c2s_engine_custom_headers(envp, config, &hs, err);
	cJSON_Delete(config);
	if (r != 0)
		return -1;
	for (size_t i = 0; i < hs.n; i++) {
		const char *k = hs.v[i].name, *v = hs.v[i].value;
		size_t n = strlen(k) + strlen(v) + 3;
		char *line = malloc(n);
		struct curl_slist *t = NULL;
		if (line) {
			snprintf(line, n, *v ? "%s: %s" : "%s;", k, v);
			t = curl_slist_append(e->custom, line);
		}
		free(line);
		if (!t) {
			c2s_engine_headers_free(&hs);
			c2s_engine_fail(err, C2S_ENGINE_ERR_NOMEM, "out of memory");
			return -1;
		}
		e->custom = t;
	}
	c2s_engine_headers_free(&hs);
	return 0;
}

int c2s_engine_open(const struct c2s_engine_options *o, struct c2s_engine **out, struct c2s_engine_error *err)
{
	*out = NULL;
	struct c2s_engine *e = calloc(1, sizeof *e);
	if (!e) {
		c2s_engine_fail(err, C2S_ENGINE_ERR_NOMEM, "out of memory");
		return -1;
	}
	if (c2s_engine_resolve(o, &e->ep, err) != 0 || global_init(err) != 0) {
		free(e);
		return -1;
	}
	const char *host = e->ep.host;
	if (strncmp(host, "ssh://", 6) == 0) {
		if (c2s_ssh_spec(host, &e->ssh, err) != 0) {
			free(e);
			return -1;
		}
		e->is_ssh = 1;
		/* connhelper's dummy URL; libcurl connects to a private socket
		 * where ssh's parent listens (c2s_ssh_dial), so it looks no name up */
		snprintf(e->base, sizeof e->base, "http://docker.example.com");
		if (c2s_ssh_prepare(&e->ssh, err) != 0) {
			free(e);
			return -1;
		}
		snprintf(e->socket, sizeof e->socket, "%s", e->ssh.path);
	} else if (strncmp(host, "unix://", 7) == 0) {
		snprintf(e->socket, sizeof e->socket, "%s", host + 7);
		/* the Go client's Host for sockets (client.DummyHost) */
		snprintf(e->base, sizeof e->base, "http://api.moby.localhost");
	} else { /* tcp://host:port[/base] */
		snprintf(e->base, sizeof e->base, "%s://%s", e->ep.tls ? "https" : "http", host + 6);
		size_t bl = strlen(e->base);
		while (bl && e->base[bl - 1] == '/') /* path.Join drops a trailing slash */
			e->base[--bl] = '\0';
	}
	for (const char *const *v = o->envp; v && *v; v++)
		if (strncmp(*v, "DOCKER_API_VERSION=", 19) == 0) {
			const char *ver = *v + 19;
			if (*ver == 'v')
				ver++;
			if (*ver) {
				snprintf(e->version, sizeof e->version, "%s", ver);
				e->version_fixed = 1;
			}
		}
	e->timeout_ms = o->timeout_ms > 0 ? o->timeout_ms : C2S_ENGINE_TIMEOUT_MS;
	e->connect_timeout_ms = o->connect_timeout_ms > 0 ? o->connect_timeout_ms : C2S_ENGINE_CONNECT_TIMEOUT_MS;
	e->max_response = o->max_response ? o->max_response : C2S_MAX_ENGINE_RESPONSE_BYTES;
	snprintf(e->user_agent, sizeof e->user_agent, "%s", o->user_agent ? o->user_agent : "compose2swarm/" C2S_VERSION);
	c2s_buf_init(&e->body, e->max_response);
	if (custom_headers(e, o->envp, err) != 0) {
		curl_slist_free_all(e->custom);
		if (e->is_ssh)
			c2s_ssh_cleanup(&e->ssh);
		free(e);
		return -1;
	}
	e->curl = curl_easy_init();
	if (!e->curl) {
		curl_slist_free_all(e->custom);
		if (e->is_ssh)
			c2s_ssh_cleanup(&e->ssh);
		c2s_engine_fail(err, C2S_ENGINE_ERR_NOMEM, "libcurl could not make a handle");
		free(e);
		return -1;
	}
	*out = e;
	return 0;
}

void c2s_engine_close(struct c2s_engine *e)
{
	if (!e)
		return;
	curl_easy_cleanup(e->curl); /* closes the connection: on_close_socket ends its ssh */
	if (e->is_ssh)
		c2s_ssh_cleanup(&e->ssh);
	curl_slist_free_all(e->custom);
	c2s_buf_free(&e->body);
	free(e);
}

/* ssh://: each connection libcurl opens starts `ssh ... docker system
 * dial-stdio`, which takes the connection as its standard input and output
 * (commandconn.New for each dial). */
static curl_socket_t on_open_socket(void *ud, curlsocktype purpose, struct curl_sockaddr *addr)
{
	struct c2s_engine *e = ud;
	(void)purpose;
	(void)addr;
	struct c2s_engine_error ee;
	int fd;
	if (e->ssh.pid)
		c2s_ssh_hangup(&e->ssh); /* a connection before it was closed by libcurl */
	if (c2s_ssh_dial(&e->ssh, &fd, &ee) != 0) {
		snprintf(e->ssh.err_text, sizeof e->ssh.err_text, "%.*s", (int)sizeof e->ssh.err_text - 1, ee.message);
		return CURL_SOCKET_BAD;
	}
	return fd;
}

static int on_close_socket(void *ud, curl_socket_t fd)
{
	struct c2s_engine *e = ud;
	close(fd);
	c2s_ssh_hangup(&e->ssh);
	return 0;
}

/* The method as net/http's url.Error names it (client.go urlErrorOp): "Get", "Head", "Post". */
static void go_op(const char *method, char *op, size_t n)
{
	size_t i = 0;
	for (; method[i] && i + 1 < n; i++)
		op[i] = i ? (char)tolower((unsigned char)method[i]) : method[i];
	op[i] = '\0';
}

/* The connection helper failed with why: the Go client's words
 * (client/request.go doRequest). Its url.Error is a net.Error, so a text
 * that says "connection refused" or "dial unix" (dial-stdio finding no
 * daemon at the socket) becomes connectionFailed of the helper's dummy host,
 * which docker prints alone; the helper's words follow it here. */
static void helper_error(const char *method, const char *url, const char *why, struct c2s_engine_error *err)
{
	char op[16], full[C2S_ENGINE_MESSAGE_MAX];
	go_op(method, op, sizeof op);
	snprintf(full, sizeof full, "%s \"%s\": %s", op, url, why);
	if (strstr(full, "connection refused") || strstr(full, "dial unix"))
		c2s_engine_fail(err, C2S_ENGINE_ERR_CONNECT,
		     "Cannot connect to the Docker daemon at http://docker.example.com. Is the docker daemon running?\n* %s", why);
	else
		c2s_engine_fail(err, C2S_ENGINE_ERR_CONNECT, "error during connect: %s", full);
}

/* A failed transfer as the Go client words it (client/request.go doRequest). */
static void transport_error(struct c2s_engine *e, CURLcode rc, const char *method, const char *url,
			    struct c2s_engine_error *err)
{
	long oserr = 0;
	curl_easy_getinfo(e->curl, CURLINFO_OS_ERRNO, &oserr);
	const char *detail = e->curl_error[0] ? e->curl_error : curl_easy_strerror(rc);
	char why[C2S_ENGINE_MESSAGE_MAX], op[16];
	go_op(method, op, sizeof op);
	if (e->is_ssh && rc != CURLE_WRITE_ERROR && c2s_ssh_failed(&e->ssh, why, sizeof why)) {
		/* ssh ended with an error: its command and its words, as commandconn says it */
		helper_error(method, url, why, err);
		return;
	}
	if (e->is_ssh && rc == CURLE_COULDNT_CONNECT && e->ssh.err_text[0]) {
		helper_error(method, url, e->ssh.err_text, err);
		return;
	}
	switch (rc) {
	case CURLE_COULDNT_CONNECT:
	case CURLE_COULDNT_RESOLVE_HOST:
		if (oserr == EACCES) {
			c2s_engine_fail(err, C2S_ENGINE_ERR_CONNECT,
			     "permission denied while trying to connect to the Docker daemon socket at %s: %s",
			     e->ep.host, detail);
			return;
		}
		c2s_engine_fail(err, C2S_ENGINE_ERR_CONNECT, "Cannot connect to the Docker daemon at %s. Is the docker daemon running?",
		     e->ep.host);
		return;
	case CURLE_OPERATION_TIMEDOUT: {
		long sent = 0; /* a connection reused has no connect time: ask what was sent */
		curl_easy_getinfo(e->curl, CURLINFO_REQUEST_SIZE, &sent);
		if (!sent) {
			c2s_engine_fail(err, C2S_ENGINE_ERR_CONNECT,
			     "Cannot connect to the Docker daemon at %s. Is the docker daemon running?", e->ep.host);
			return;
		}
		c2s_engine_fail(err, C2S_ENGINE_ERR_TIMEOUT, "the Docker daemon at %s did not answer %s %s within %ld s", e->ep.host,
		     method, url, e->timeout_ms / 1000);
		return;
	}
	case CURLE_WRITE_ERROR:
		if (e->body.failed) {
			c2s_engine_fail(err, C2S_ENGINE_ERR_RESPONSE, "the answer to %s %s is larger than %zu bytes", method, url,
			     e->max_response);
			return;
		}
		break;
	case CURLE_WEIRD_SERVER_REPLY:
	case CURLE_UNSUPPORTED_PROTOCOL:
	case CURLE_RECV_ERROR:
	case CURLE_GOT_NOTHING:
		/* a TLS daemon hangs up on (or garbles) plain http; the Go client's hint */
		if (!e->ep.tls && !e->socket[0]) {
			c2s_engine_fail(err, C2S_ENGINE_ERR_CONNECT,
			     "error during connect: %s %s: %s.\n* Are you trying to connect to a TLS-enabled daemon without TLS?",
			     method, url, detail);
			return;
		}
		break;
	default:
		break;
	}
	c2s_engine_fail(err, C2S_ENGINE_ERR_CONNECT, "error during connect: %s \"%s\": %s", op, url, detail);
}

/* One HTTP exchange; fills e->body and e->headers. 0 with *status, or -1. */
static int exchange(struct c2s_engine *e, const char *method, const char *url, const char *body, size_t body_len,
		    const char *registry_auth, long *status, struct c2s_engine_error *err)
{
	CURL *c = e->curl;
	curl_easy_reset(c); /* keeps the open connection */
	c2s_buf_reset(&e->body);
	memset(&e->headers, 0, sizeof e->headers);
	e->curl_error[0] = '\0';
	struct curl_slist *h = NULL, *t;
	int ok = 1;
	/* libcurl's own Accept and Expect are not the CLI's; drop them */
#define ADD(s) ((t = curl_slist_append(h, (s))) ? (void)(h = t) : (void)(ok = 0))
	ADD("Accept:");
	ADD("Expect:");
	/* the config's headers first; the request's own replace one of the same name */
	for (const struct curl_slist *ch = e->custom; ch && ok; ch = ch->next) {
		size_t kl = strcspn(ch->data, ":;");
		if ((body && kl == 12 && strncasecmp(ch->data, "Content-Type", 12) == 0) ||
		    (registry_auth && kl == 15 && strncasecmp(ch->data, "X-Registry-Auth", 15) == 0))
			continue;
		ADD(ch->data);
	}
	if (body)
		ADD("Content-Type: application/json");
	if (registry_auth) {
		/* a long header value: built in the heap */
		size_t n = strlen(registry_auth) + sizeof "X-Registry-Auth: ";
		char *line = malloc(n);
		if (line) {
			snprintf(line, n, "X-Registry-Auth: %s", registry_auth);
			ADD(line);
			free(line);
		} else {
			ok = 0;
		}
	}
#undef ADD
	if (!ok) {
		curl_slist_free_all(h);
		c2s_engine_fail(err, C2S_ENGINE_ERR_NOMEM, "out of memory");
		return -1;
	}
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_ERRORBUFFER, e->curl_error);
	curl_easy_setopt(c, CURLOPT_USERAGENT, e->user_agent);
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, e);
	curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(c, CURLOPT_HEADERDATA, e);
	curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, e->timeout_ms);
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, e->connect_timeout_ms);
	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(c, CURLOPT_PROXY, ""); /* the CLI dials the daemon itself */
	if (e->socket[0])
		curl_easy_setopt(c, CURLOPT_UNIX_SOCKET_PATH, e->socket);
	if (e->is_ssh) {
		/* the helper's http.Transport asks for gzip (and unzips) on all
		 * but HEAD, unless the request names an encoding itself */
		int named = 0;
		for (const struct curl_slist *ch = e->custom; ch; ch = ch->next)
			named |= strcspn(ch->data, ":;") == 15 && strncasecmp(ch->data, "Accept-Encoding", 15) == 0;
		if (!named && strcmp(method, "HEAD") != 0)
			curl_easy_setopt(c, CURLOPT_ACCEPT_ENCODING, "gzip");
		curl_easy_setopt(c, CURLOPT_OPENSOCKETFUNCTION, on_open_socket);
		curl_easy_setopt(c, CURLOPT_OPENSOCKETDATA, e);
		curl_easy_setopt(c, CURLOPT_CLOSESOCKETFUNCTION, on_close_socket);
		curl_easy_setopt(c, CURLOPT_CLOSESOCKETDATA, e);
	}
	if (e->ep.tls) {
		if (e->ep.ca[0])
			curl_easy_setopt(c, CURLOPT_CAINFO, e->ep.ca);
		if (e->ep.cert[0]) {
			curl_easy_setopt(c, CURLOPT_SSLCERT, e->ep.cert);
			curl_easy_setopt(c, CURLOPT_SSLKEY, e->ep.key);
		}
		if (e->ep.skip_verify) {
			curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 0L);
			curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 0L);
		}
		curl_easy_setopt(c, CURLOPT_SSLVERSION, (long)CURL_SSLVERSION_TLSv1_2);
	}
	if (strcmp(method, "HEAD") == 0) {
		curl_easy_setopt(c, CURLOPT_NOBODY, 1L);
	} else if (strcmp(method, "GET") != 0) {
		curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
		if (body) {
			curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
			curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)body_len);
		}
	}
	CURLcode rc = curl_easy_perform(c);
	curl_slist_free_all(h);
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, NULL);
	if (rc != CURLE_OK) {
		transport_error(e, rc, method, url, err);
		return -1;
	}
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, status);
	return 0;
}

static int negotiate(struct c2s_engine *e, struct c2s_engine_error *err)
{
	/* client/ping.go: HEAD first; anything but 200 or 500 is asked again with GET */
	char url[sizeof e->base + 16];
	snprintf(url, sizeof url, "%s/_ping", e->base);
	long status = 0;
	if (exchange(e, "HEAD", url, NULL, 0, NULL, &status, err) != 0)
		return -1;
	if (status != 200 && status != 500 && exchange(e, "GET", url, NULL, 0, NULL, &status, err) != 0)
		return -1;
	e->ping = e->headers;
	e->pinged = 1;
	if (e->version_fixed)
		return 0;
	/* negotiateAPIVersionPing; a ping the daemon refused (>= 400) without a
	 * version leaves the client's own (the CLI swallows that error too) */
	const char *server = e->ping.api_version;
	if (!*server && status >= 400) {
		snprintf(e->version, sizeof e->version, "%s", C2S_ENGINE_API_MAX);
		return 0;
	}
	if (!*server)
		server = C2S_ENGINE_API_FALLBACK;
	snprintf(e->version, sizeof e->version, "%s",
		 c2s_engine_version_cmp(server, C2S_ENGINE_API_MAX) < 0 ? server : C2S_ENGINE_API_MAX);
	return 0;
}

int c2s_engine_ping(struct c2s_engine *e, struct c2s_engine_ping *ping, struct c2s_engine_error *err)
{
	memset(err, 0, sizeof *err);
	if (!e->pinged && negotiate(e, err) != 0)
		return -1;
	if (ping)
		*ping = e->ping;
	return 0;
}

/* net/http's StatusText for what a daemon answers. */
static const char *status_text(long status)
{
	switch (status) {
	case 400: return "Bad Request";
	case 401: return "Unauthorized";
	case 403: return "Forbidden";
	case 404: return "Not Found";
	case 405: return "Method Not Allowed";
	case 406: return "Not Acceptable";
	case 409: return "Conflict";
	case 412: return "Precondition Failed";
	case 413: return "Request Entity Too Large";
	case 500: return "Internal Server Error";
	case 501: return "Not Implemented";
	case 502: return "Bad Gateway";
	case 503: return "Service Unavailable";
	case 504: return "Gateway Timeout";
	default: return "";
	}
}

/* checkResponseErr: the daemon's {"message"}, else its text, else the status. */
static void daemon_error(struct c2s_engine *e, long status, const char *url, struct c2s_engine_error *err)
{
	const char *body = e->body.data && e->body.len ? e->body.data : NULL;
	char *ctype = NULL;
	curl_easy_getinfo(e->curl, CURLINFO_CONTENT_TYPE, &ctype);
	if (!body) {
		c2s_engine_fail(err, C2S_ENGINE_ERR_DAEMON,
		     "request returned %ld %s for API route and version %s, check if the server supports the requested API version",
		     status, status_text(status), url);
	} else if (ctype && strcmp(ctype, "application/json") == 0) {
		cJSON *j = cJSON_ParseWithLength(body, e->body.len);
		const cJSON *m = cJSON_GetObjectItemCaseSensitive(j, "message");
		if (!j)
			c2s_engine_fail(err, C2S_ENGINE_ERR_DAEMON, "Error reading JSON (status %ld from %s)", status, url);
		else if (!cJSON_IsString(m) || !*m->valuestring)
			c2s_engine_fail(err, C2S_ENGINE_ERR_DAEMON, "API returned a %ld (%s) but provided no error-message", status,
			     status_text(status));
		else
			c2s_engine_fail(err, C2S_ENGINE_ERR_DAEMON, "Error response from daemon: %s", m->valuestring);
		cJSON_Delete(j);
	} else {
		c2s_engine_fail(err, C2S_ENGINE_ERR_DAEMON, "Error response from daemon: %s", body);
	}
	/* strings.TrimSpace of the message */
	size_t n = strlen(err->message);
	while (n && (err->message[n - 1] == '\n' || err->message[n - 1] == ' ' || err->message[n - 1] == '\r' ||
		     err->message[n - 1] == '\t'))
		err->message[--n] = '\0';
	err->http_status = status;
}

int c2s_engine_do(struct c2s_engine *e, const struct c2s_engine_request *rq, struct c2s_engine_response *rs,
		  struct c2s_engine_error *err)
{
	memset(err, 0, sizeof *err);
	if (rs)
		memset(rs, 0, sizeof *rs);
	if (!e->pinged && negotiate(e, err) != 0)
		return -1;
	struct c2s_buf url;
	c2s_buf_init(&url, (size_t)1 << 20);
	c2s_buf_adds(&url, e->base);
	c2s_buf_printf(&url, "/v%s", e->version);
	path_escape(&url, rq->path);
	if (c2s_engine_query_string(rq->query, rq->nquery, rq->filters, rq->nfilters, &url) != 0 || url.failed) {
		c2s_buf_free(&url);
		c2s_engine_fail(err, C2S_ENGINE_ERR_NOMEM, "the request URL is too long or memory ran out");
		return -1;
	}
	/* json.Encoder ends what it writes with a newline; so does the CLI's body */
	char *body = NULL;
	size_t body_len = 0;
	if (rq->body) {
		body_len = rq->body_len + 1;
		body = malloc(body_len + 1);
		if (!body) {
			c2s_buf_free(&url);
			c2s_engine_fail(err, C2S_ENGINE_ERR_NOMEM, "out of memory");
			return -1;
		}
		memcpy(body, rq->body, rq->body_len);
		body[rq->body_len] = '\n';
		body[body_len] = '\0';
	}
	long status = 0;
	int r = exchange(e, rq->method, url.data, body, body_len, rq->registry_auth, &status, err);
	free(body);
	if (r == 0 && status >= 400)
		daemon_error(e, status, url.data, err);
	c2s_buf_free(&url);
	if (r != 0)
		return -1;
	if (rs) {
		rs->status = status;
		if (e->body.len) {
			rs->body = e->body.data;
			rs->len = e->body.len;
			c2s_buf_init(&e->body, e->max_response); /* the body is the caller's now */
			rs->json = cJSON_ParseWithLength(rs->body, rs->len);
		}
	}
	return status >= 400 ? -1 : 0;
}

int c2s_engine_get_json(struct c2s_engine *e, const char *path, const struct c2s_engine_param *filters,
			size_t nfilters, cJSON **out, struct c2s_engine_error *err)
{
	*out = NULL;
	struct c2s_engine_request rq = {.method = "GET", .path = path, .filters = filters, .nfilters = nfilters};
	struct c2s_engine_response rs;
	if (c2s_engine_do(e, &rq, &rs, err) != 0) {
		c2s_engine_response_free(&rs);
		return -1;
	}
	if (!rs.json) {
		c2s_engine_fail(err, C2S_ENGINE_ERR_RESPONSE, "the answer to GET %s from %s is not JSON", path, e->ep.host);
		c2s_engine_response_free(&rs);
		return -1;
	}
	*out = rs.json;
	rs.json = NULL;
	c2s_engine_response_free(&rs);
	return 0;
}

int c2s_engine_require_manager(struct c2s_engine *e, cJSON **info, struct c2s_engine_error *err)
{
	if (info)
		*info = NULL;
	cJSON *j;
	if (c2s_engine_get_json(e, "/info", NULL, 0, &j, err) != 0)
		return -1;
	const cJSON *swarm = cJSON_GetObjectItemCaseSensitive(j, "Swarm");
	if (!cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(swarm, "ControlAvailable"))) {
		cJSON_Delete(j);
		/* cli/command/stack/swarm/deploy.go checkDaemonIsSwarmManager */
		c2s_engine_fail(err, C2S_ENGINE_ERR_NOT_MANAGER,
		     "this node is not a swarm manager. Use \"docker swarm init\" or \"docker swarm join\" to connect "
		     "this node to swarm and try again");
		return -1;
	}
	if (info)
		*info = j;
	else
		cJSON_Delete(j);
	return 0;
}

int c2s_engine_list_stack(struct c2s_engine *e, enum c2s_engine_kind kind, const char *stack, cJSON **out,
			  struct c2s_engine_error *err)
{
	*out = NULL;
	size_t n = strlen(C2S_STACK_NAMESPACE_LABEL) + strlen(stack) + 2;
	char *term = malloc(n);
	if (!term) {
		c2s_engine_fail(err, C2S_ENGINE_ERR_NOMEM, "out of memory");
		return -1;
	}
	snprintf(term, n, "%s=%s", C2S_STACK_NAMESPACE_LABEL, stack);
	struct c2s_engine_param f = {"label", term};
	int r = c2s_engine_get_json(e, c2s_engine_kind_path(kind), &f, 1, out, err);
	free(term);
	if (r == 0 && !cJSON_IsArray(*out)) {
		cJSON_Delete(*out);
		*out = NULL;
		c2s_engine_fail(err, C2S_ENGINE_ERR_RESPONSE, "the answer to GET %s from %s is not a list", c2s_engine_kind_path(kind),
		     e->ep.host);
		return -1;
	}
	return r;
}

#else /* a build without libcurl: everything says so */

#define NO_CURL                                                                                               \
	"this compose2swarm was built without libcurl (./configure --without-curl), so it cannot talk to a Docker " \
	"daemon: use the container image or a build with libcurl for plan and deploy"

struct c2s_engine {
	struct c2s_engine_endpoint ep;
};

int c2s_engine_available(void)
{
	return 0;
}

const char *c2s_engine_client_version(void)
{
	return "built without libcurl: plan and deploy are not available";
}

int c2s_engine_open(const struct c2s_engine_options *o, struct c2s_engine **out, struct c2s_engine_error *err)
{
	(void)o;
	*out = NULL;
	memset(err, 0, sizeof *err);
	c2s_engine_fail(err, C2S_ENGINE_ERR_UNSUPPORTED, NO_CURL);
	return -1;
}

void c2s_engine_close(struct c2s_engine *e)
{
	free(e);
}

const struct c2s_engine_endpoint *c2s_engine_endpoint_of(const struct c2s_engine *e)
{
	return &e->ep;
}

const char *c2s_engine_api_version(const struct c2s_engine *e)
{
	(void)e;
	return NULL;
}

int c2s_engine_ping(struct c2s_engine *e, struct c2s_engine_ping *ping, struct c2s_engine_error *err)
{
	(void)e, (void)ping;
	c2s_engine_fail(err, C2S_ENGINE_ERR_UNSUPPORTED, NO_CURL);
	return -1;
}

int c2s_engine_do(struct c2s_engine *e, const struct c2s_engine_request *rq, struct c2s_engine_response *rs,
		  struct c2s_engine_error *err)
{
	(void)e, (void)rq;
	if (rs)
		memset(rs, 0, sizeof *rs);
	c2s_engine_fail(err, C2S_ENGINE_ERR_UNSUPPORTED, NO_CURL);
	return -1;
}

int c2s_engine_get_json(struct c2s_engine *e, const char *path, const struct c2s_engine_param *filters,
			size_t nfilters, cJSON **out, struct c2s_engine_error *err)
{
	(void)e, (void)path, (void)filters, (void)nfilters;
	*out = NULL;
	c2s_engine_fail(err, C2S_ENGINE_ERR_UNSUPPORTED, NO_CURL);
	return -1;
}

int c2s_engine_require_manager(struct c2s_engine *e, cJSON **info, struct c2s_engine_error *err)
{
	(void)e;
	if (info)
		*info = NULL;
	c2s_engine_fail(err, C2S_ENGINE_ERR_UNSUPPORTED, NO_CURL);
	return -1;
}

int c2s_engine_list_stack(struct c2s_engine *e, enum c2s_engine_kind kind, const char *stack, cJSON **out,
			  struct c2s_engine_error *err)
{
	(void)e, (void)kind, (void)stack;
	*out = NULL;
	c2s_engine_fail(err, C2S_ENGINE_ERR_UNSUPPORTED, NO_CURL);
	return -1;
}

#endif
