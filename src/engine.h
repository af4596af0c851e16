/* engine.h -- a Docker Engine API client: finds the daemon as the docker CLI does, negotiates the API version, sends requests, hands back JSON. Knows nothing of compose. */
#ifndef C2S_ENGINE_H
#define C2S_ENGINE_H

#include <stddef.h>

#include <cjson/cJSON.h>

/* What went wrong, as a value (nothing below main.c prints). */
enum c2s_engine_code {
	C2S_ENGINE_OK = 0,
	C2S_ENGINE_ERR_CONFIG,      /* host, context or TLS settings docker would refuse too */
	C2S_ENGINE_ERR_UNSUPPORTED, /* fd://, npipe://, or a build without libcurl */
	C2S_ENGINE_ERR_CONNECT,     /* the daemon cannot be reached (the message names the address) */
	C2S_ENGINE_ERR_TIMEOUT,     /* no complete answer within the timeout */
	C2S_ENGINE_ERR_DAEMON,      /* the daemon answered 4xx or 5xx; the message is its {"message"} */
	C2S_ENGINE_ERR_RESPONSE,    /* an answer we cannot use: not JSON, larger than the cap */
	C2S_ENGINE_ERR_NOT_MANAGER, /* the daemon is not a swarm manager */
	C2S_ENGINE_ERR_NOMEM
};

#define C2S_ENGINE_MESSAGE_MAX 1024

struct c2s_engine_error {
	enum c2s_engine_code code;
	long http_status; /* C2S_ENGINE_ERR_DAEMON: 404, 409, 500...; else 0 */
	char message[C2S_ENGINE_MESSAGE_MAX];
};

/* Set err to code and a formatted message (http_status 0): the one way the
 * engine's files (engine*.c) report an error that is not the daemon's answer. */
void c2s_engine_fail(struct c2s_engine_error *err, enum c2s_engine_code code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* The API version the docker CLI 28.2 speaks at most (api.DefaultVersion). */
#define C2S_ENGINE_API_MAX "1.50"
/* What the CLI assumes of a daemon whose /_ping names no version. */
#define C2S_ENGINE_API_FALLBACK "1.24"
/* Timeouts when the options give none: connecting (the CLI's dialer: 30 s),
 * and one whole request. */
#define C2S_ENGINE_CONNECT_TIMEOUT_MS 30000L
#define C2S_ENGINE_TIMEOUT_MS 120000L

struct c2s_engine_options {
	const char *host;          /* -H/--host, or NULL */
	const char *context;       /* --context NAME, or NULL */
	const char *const *envp;   /* the environment (DOCKER_HOST, DOCKER_CONTEXT, DOCKER_CONFIG,
				      DOCKER_TLS*, DOCKER_CERT_PATH, DOCKER_API_VERSION,
				      DOCKER_CUSTOM_HEADERS, HOME);
				      NAME=VALUE, NULL-ended; NULL: an empty one */
	long timeout_ms;           /* one request; 0: C2S_ENGINE_TIMEOUT_MS */
	long connect_timeout_ms;   /* 0: C2S_ENGINE_CONNECT_TIMEOUT_MS */
	size_t max_response;       /* bytes of one response body; 0: C2S_MAX_ENGINE_RESPONSE_BYTES */
	const char *user_agent;    /* NULL: "compose2swarm/VERSION" */
};

#define C2S_ENGINE_NAME_MAX 256
#define C2S_ENGINE_HOST_MAX 1024
#define C2S_ENGINE_PATH_MAX 4096

/* Where the daemon is, resolved as the docker CLI resolves it (cli/command/cli.go
 * resolveContextName, getServerHost; cli/context/docker/load.go). */
struct c2s_engine_endpoint {
	char context[C2S_ENGINE_NAME_MAX]; /* "default" or the context's name */
	char host[C2S_ENGINE_HOST_MAX];    /* normalised: unix:///path or tcp://host:port[/base] */
	int tls;                           /* tcp with TLS (https) */
	int skip_verify;                   /* do not verify the daemon's certificate */
	char ca[C2S_ENGINE_PATH_MAX];      /* PEM files, or "" */
	char cert[C2S_ENGINE_PATH_MAX];
	char key[C2S_ENGINE_PATH_MAX];
};

/* Resolve the endpoint without connecting: -H/--host, else DOCKER_HOST (with
 * DOCKER_TLS_VERIFY / DOCKER_TLS / DOCKER_CERT_PATH), else --context, else
 * DOCKER_CONTEXT, else config.json's currentContext (its meta.json and TLS
 * files in $DOCKER_CONFIG/contexts), else unix:///var/run/docker.sock.
 * 0, or -1 with err filled (C2S_ENGINE_ERR_CONFIG, _UNSUPPORTED, _NOMEM). */
int c2s_engine_resolve(const struct c2s_engine_options *o, struct c2s_engine_endpoint *ep,
		       struct c2s_engine_error *err);

/* The docker config directory: $DOCKER_CONFIG, else $HOME/.docker (into buf). */
void c2s_engine_config_dir(const char *const *envp, char *buf, size_t n);
/* Its config.json parsed ({} when there is none; capped at
 * C2S_MAX_DOCKER_CONFIG_BYTES). 0 with *config (cJSON_Delete it), or -1. */
int c2s_engine_read_config(const char *const *envp, cJSON **config, struct c2s_engine_error *err);

struct c2s_engine;

/* Resolve the endpoint and set up the client (no request yet). 0, or -1 with err. */
int c2s_engine_open(const struct c2s_engine_options *o, struct c2s_engine **out,
		    struct c2s_engine_error *err);
void c2s_engine_close(struct c2s_engine *e);
const struct c2s_engine_endpoint *c2s_engine_endpoint_of(const struct c2s_engine *e);

/* Is the client built in (libcurl)? 0 in a --without-curl build. */
int c2s_engine_available(void);
/* "libcurl/7.88.1 OpenSSL/3.0..." or a sentence saying it is not built in. */
const char *c2s_engine_client_version(void);

/* What /_ping said. */
struct c2s_engine_ping {
	char api_version[32];  /* the daemon's Api-Version header ("" when absent) */
	char os_type[32];
	char swarm[64];        /* "active/manager", "inactive", ... ("" when absent) */
	int experimental;
};

/* HEAD /_ping, then GET when HEAD is not answered 200 or 500 (client/ping.go),
 * and negotiate: min(C2S_ENGINE_API_MAX, the daemon's version, 1.24 when it
 * names none), unless DOCKER_API_VERSION fixes the version. Requests ping
 * first on their own when this was not called. 0, or -1 with err. */
int c2s_engine_ping(struct c2s_engine *e, struct c2s_engine_ping *ping, struct c2s_engine_error *err);
/* The API version requests use ("1.41"); NULL before the ping. */
const char *c2s_engine_api_version(const struct c2s_engine *e);

/* One query parameter, one filter term (filters.Args: key -> values). */
struct c2s_engine_param {
	const char *name, *value;
};

struct c2s_engine_request {
	const char *method;  /* "GET", "HEAD", "POST", "DELETE", "PUT" */
	const char *path;    /* unversioned, "/services/ID/update"; the client adds /vX.Y;
				path-escaped as Go's url.URL does */
	const struct c2s_engine_param *query;   /* encoded sorted by name, as url.Values */
	size_t nquery;
	const struct c2s_engine_param *filters; /* ?filters= as filters.ToJSON writes it */
	size_t nfilters;
	const char *body;    /* POST/PUT: JSON text, sent with Content-Type application/json
				and the newline Go's json.Encoder ends it with; NULL: none */
	size_t body_len;
	const char *registry_auth; /* X-Registry-Auth header value, or NULL */
};

struct c2s_engine_response {
	long status;     /* HTTP status */
	char *body;      /* NUL-terminated, or NULL when empty */
	size_t len;
	cJSON *json;     /* the body parsed, when it is JSON; else NULL */
};

/* Send a request and read its answer (capped at max_response bytes). 0 for a
 * 1xx-3xx status; -1 with err for anything else: for a 4xx/5xx answer err is
 * C2S_ENGINE_ERR_DAEMON ("Error response from daemon: MESSAGE") with
 * err->http_status, and *rs is still filled. rs may be NULL; otherwise free
 * it with c2s_engine_response_free (also after an error). */
int c2s_engine_do(struct c2s_engine *e, const struct c2s_engine_request *rq,
		  struct c2s_engine_response *rs, struct c2s_engine_error *err);
void c2s_engine_response_free(struct c2s_engine_response *rs);

/* GET path (+ filters) and hand back its JSON (*out, free with cJSON_Delete). */
int c2s_engine_get_json(struct c2s_engine *e, const char *path, const struct c2s_engine_param *filters,
			size_t nfilters, cJSON **out, struct c2s_engine_error *err);

/* GET /info, then the CLI's checkDaemonIsSwarmManager (Swarm.ControlAvailable):
 * C2S_ENGINE_ERR_NOT_MANAGER with docker's message when not. info may be NULL. */
int c2s_engine_require_manager(struct c2s_engine *e, cJSON **info, struct c2s_engine_error *err);

/* The objects docker lists per stack, one request each. */
enum c2s_engine_kind {
	C2S_ENGINE_SERVICES,
	C2S_ENGINE_NETWORKS,
	C2S_ENGINE_SECRETS,
	C2S_ENGINE_CONFIGS,
	C2S_ENGINE_TASKS
};
/* "/services", "/networks", ... */
const char *c2s_engine_kind_path(enum c2s_engine_kind kind);

/* GET /KIND?filters={"label":{"com.docker.stack.namespace=STACK":true}}
 * (cli/command/stack/swarm/common.go getStackFilter): a JSON array in *out. */
int c2s_engine_list_stack(struct c2s_engine *e, enum c2s_engine_kind kind, const char *stack, cJSON **out,
			  struct c2s_engine_error *err);

/* The label the CLI puts on every object of a stack (convert.LabelNamespace). */
#define C2S_STACK_NAMESPACE_LABEL "com.docker.stack.namespace"

/* The headers the CLI adds to every request (newAPIClientFromEndpoint):
 * config.json's HttpHeaders, or instead, when it names any, the
 * DOCKER_CUSTOM_HEADERS variable of envp (comma-separated name=value pairs,
 * a CSV record: withCustomHeadersFromEnv). Names canonical ("X-Meta-Id"), a
 * name given twice keeps its last value; what Go's net/http leaves out
 * (Host, User-Agent, Content-Length, Transfer-Encoding, Trailer) left out,
 * values trimmed; an empty value is sent empty. */
struct c2s_engine_header {
	char *name, *value;
};
struct c2s_engine_headers {
	struct c2s_engine_header *v;
	size_t n;
};
/* 0 with *out (free it with c2s_engine_headers_free), or -1 with err:
 * C2S_ENGINE_ERR_CONFIG with docker's words for a variable it refuses, or for
 * a name or value net/http refuses to send. */
int c2s_engine_custom_headers(const char *const *envp, const cJSON *config, struct c2s_engine_headers *out,
			      struct c2s_engine_error *err);
void c2s_engine_headers_free(struct c2s_engine_headers *h);

/* ---- Encoders, exposed for tests ---- */
struct c2s_buf;
/* filters as filters.ToJSON: {"key":{"value":true,...},...}, keys and values
 * sorted, strings escaped as Go's encoding/json does (HTML-safe). -1 when out
 * of memory or over the buffer's cap. */
int c2s_engine_filters_json(const struct c2s_engine_param *f, size_t n, struct c2s_buf *out);
/* "?a=1&filters=..." as url.Values.Encode (sorted, QueryEscape), "" for none. */
int c2s_engine_query_string(const struct c2s_engine_param *q, size_t nq, const struct c2s_engine_param *f,
			    size_t nf, struct c2s_buf *out);
/* v as encoding/json writes it, key order kept: compact, HTML-safe escapes,
 * integers in full. -1 when out of memory or over the buffer's cap. */
int c2s_engine_json_print(const cJSON *v, struct c2s_buf *out);
/* "1.41" < "1.50": versions.LessThan's comparison (-1, 0, 1). */
int c2s_engine_version_cmp(const char *a, const char *b);

#endif
