/* engine_host.c -- where the daemon is: -H, DOCKER_HOST, contexts and TLS files, resolved as docker CLI 28.2 resolves them (no connection made). */
#include "config.h"
#include "compose2swarm.h"
#include "engine.h"

#include "buf.h"
#include "engine_ssh.h"
#include "sha256.h"

#include <dirent.h>
#include <errno.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* opts/hosts.go */
#define DEFAULT_UNIX_SOCKET "/var/run/docker.sock"
#define DEFAULT_HTTP_PORT "2375"
#define DEFAULT_TLS_HOST "tcp://localhost:2376"

/* The CLI wraps every resolution error so (cli/command/cli.go initialize). */
#define RESOLVE "unable to resolve docker endpoint: "

static const char *env_get(const char *const *envp, const char *name)
{
	size_t n = strlen(name);
	for (size_t i = 0; envp && envp[i]; i++)
		if (strncmp(envp[i], name, n) == 0 && envp[i][n] == '=')
			return envp[i] + n + 1;
	return NULL;
}

/* Set and not empty: how the CLI reads DOCKER_HOST, DOCKER_TLS_VERIFY, ... */
static const char *env_nonempty(const char *const *envp, const char *name)
{
	const char *v = env_get(envp, name);
	return v && *v ? v : NULL;
}

static int copy(char *dst, size_t n, const char *src)
{
	size_t len = strlen(src);
	if (len >= n)
		return -1;
	memcpy(dst, src, len + 1);
	return 0;
}

static int join(char *dst, size_t n, const char *dir, const char *name)
{
	int w = snprintf(dst, n, "%s/%s", dir, name);
	return w < 0 || (size_t)w >= n ? -1 : 0;
}

void c2s_engine_config_dir(const char *const *envp, char *buf, size_t n)
{
	/* cli/config/config.go Dir(): DOCKER_CONFIG, else the home directory's .docker. */
	const char *dir = env_nonempty(envp, "DOCKER_CONFIG");
	if (dir) {
		snprintf(buf, n, "%s", dir);
		return;
	}
	const char *home = env_nonempty(envp, "HOME");
	if (!home) {
		struct passwd *pw = getpwuid(getuid());
		home = pw && pw->pw_dir ? pw->pw_dir : "";
	}
	snprintf(buf, n, "%s/.docker", home);
}

/* An errno as Go's syscall package words it: glibc's text, lower case first. */
static const char *os_error(int errnum, char *buf, size_t n)
{
	snprintf(buf, n, "%s", strerror(errnum));
	if (buf[0] >= 'A' && buf[0] <= 'Z')
		buf[0] = (char)(buf[0] - 'A' + 'a');
	return buf;
}

static void trim(const char *s, const char **start, size_t *len)
{
	while (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r' || *s == '\v' || *s == '\f')
		s++;
	size_t n = strlen(s);
	while (n && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\n' || s[n - 1] == '\r' ||
		     s[n - 1] == '\v' || s[n - 1] == '\f'))
		n--;
	*start = s;
	*len = n;
}

static int all_digits(const char *s, size_t n)
{
	if (!n)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return 0;
	return 1;
}

/* ParseTCPAddr (opts/hosts.go) over url.Parse and net.SplitHostPort: the host
 * defaults to localhost and the port to 2375; "tcp://" + JoinHostPort + path.
 * addr is what follows "tcp://"; errors name it as docker does. */
static int parse_tcp(const char *addr, char *out, size_t n, struct c2s_engine_error *err)
{
	if (!*addr) {
		snprintf(out, n, "tcp://localhost:" DEFAULT_HTTP_PORT);
		return 0;
	}
	if (strstr(addr, "://")) {
		c2s_engine_fail(err, C2S_ENGINE_ERR_CONFIG, RESOLVE "invalid proto, expected tcp: %s", addr);
		return -1;
	}
	char a[C2S_ENGINE_HOST_MAX];
	size_t al = strlen(addr);
	if (al + sizeof DEFAULT_HTTP_PORT >= sizeof a)
		goto bad;
	memcpy(a, addr, al + 1);
	if (al >= 2 && strcmp(a + al - 2, "]:") == 0) /* "[::1]:" gets the default port */
		memcpy(a + al, DEFAULT_HTTP_PORT, sizeof DEFAULT_HTTP_PORT);
	a[strcspn(a, "?#")] = '\0'; /* url.Parse: a query or fragment is not the host's */
	char *slash = strchr(a, '/');
	char path[C2S_ENGINE_HOST_MAX] = "";
	if (slash) {
		snprintf(path, sizeof path, "%s", slash);
		*slash = '\0';
	}
	char *auth = strrchr(a, '@') ? strrchr(a, '@') + 1 : a; /* user info is dropped */
	if (strchr(auth, '%')) {
		c2s_engine_fail(err, C2S_ENGINE_ERR_CONFIG, RESOLVE "parse \"tcp://%s\": invalid URL escape", addr);
		return -1;
	}
	/* url.Parse's port check: what follows the last ':' (after a ']') is digits */
	char *close = auth[0] == '[' ? strchr(auth, ']') : NULL;
	if (auth[0] == '[' && !close)
		goto bad;
	char *pc = strrchr(close ? close : auth, ':');
	if (close && close[1] && close[1] != ':')
		goto bad;
	if (pc && !all_digits(pc + 1, strlen(pc + 1)) && pc[1]) {
		c2s_engine_fail(err, C2S_ENGINE_ERR_CONFIG, RESOLVE "parse \"tcp://%s\": invalid port \"%s\" after host", addr, pc);
		return -1;
	}
	char host[C2S_ENGINE_HOST_MAX], port[16] = "";
	if (close) { /* "[v6]:port"; "[v6]" alone has no port and cannot be joined */
		if (!pc)
			goto bad;
		*close = '\0';
		snprintf(host, sizeof host, "%s", auth + 1);
		snprintf(port, sizeof port, "%s", pc + 1);
	} else if (pc && strchr(auth, ':') == pc) { /* host:port */
		*pc = '\0';
		snprintf(host, sizeof host, "%s", auth);
		if (strlen(pc + 1) >= sizeof port)
			goto bad;
		snprintf(port, sizeof port, "%s", pc + 1);
	} else { /* no port, or a bare IPv6 address: joined with the default port */
		snprintf(host, sizeof host, "%s", auth);
	}
	if (!*host)
		snprintf(host, sizeof host, "localhost");
	if (!*port)
		snprintf(port, sizeof port, DEFAULT_HTTP_PORT);
	int w = strchr(host, ':') ? snprintf(out, n, "tcp://[%s]:%s%s", host, port, path)
				  : snprintf(out, n, "tcp://%s:%s%s", host, port, path);
	if (w < 0 || (size_t)w >= n)
		goto bad;
	return 0;
bad:
	c2s_engine_fail(err, C2S_ENGINE_ERR_CONFIG, RESOLVE "invalid bind address format: %s", addr);
	return -1;
}

/* parseDockerDaemonHost (opts/hosts.go); ssh:// as cli/connhelper takes it;
 * the transports we do not speak refused clearly, naming where the host came
 * from (origin: "-H", "DOCKER_HOST", "context NAME"). */
static int parse_host(const char *val, const char *origin, int default_tls, char *out, size_t n,
		      struct c2s_engine_error *err)
{
	const char *s;
	size_t len;
	trim(val, &s, &len);
	char buf[C2S_ENGINE_HOST_MAX];
	if (len >= sizeof buf) {
		c2s_engine_fail(err, C2S_ENGINE_ERR_CONFIG, RESOLVE "invalid bind address format: %.200s...", s);
		return -1;
	}
	memcpy(buf, s, len);
	buf[len] = '\0';
	if (!len) {
		snprintf(out, n, "%s", default_tls ? DEFAULT_TLS_HOST : "unix://" DEFAULT_UNIX_SOCKET);
		return 0;
	}
	const char *sep = strstr(buf, "://");
	if (!sep) /* "host:port" means tcp */
		return parse_tcp(buf, out, n, err);
	size_t plen = (size_t)(sep - buf);
	const char *rest = sep + 3;
	if (plen == 3 && memcmp(buf, "tcp", 3) == 0)
		return parse_tcp(rest, out, n, err);
	if (plen == 4 && memcmp(buf, "unix", 4) == 0) {
		if (strstr(rest, "://")) {
			c2s_engine_fail(err, C2S_ENGINE_ERR_CONFIG, RESOLVE "invalid proto, expected unix: %s", rest);
			return -1;
		}
		int w = snprintf(out, n, "unix://%s", *rest ? rest : DEFAULT_UNIX_SOCKET);
		if (w < 0 || (size_t)w >= n) {
			c2s_engine_fail(err, C2S_ENGINE_ERR_CONFIG, RESOLVE "socket path too long: %s", buf);
			return -1;
		}
		return 0;
	}
	if (plen == 3 && memcmp(buf, "ssh", 3) == 0) {
		/* docker runs `ssh ... docker system dial-stdio` (cli/connhelper):
		 * checked here as ssh.NewSpec checks it, run by the client */
		struct c2s_ssh ssh;
		if (c2s_ssh_spec(buf, &ssh, err) != 0)
			return -1;
		snprintf(out, n, "%s", buf);
		return 0;
	}
	if ((plen == 2 && memcmp(buf, "fd", 2) == 0) || (plen == 5 && memcmp(buf, "npipe", 5) == 0)) {
		c2s_engine_fail(err, C2S_ENGINE_ERR_UNSUPPORTED,
		     "%s (from %s): compose2swarm speaks to the Engine API over unix:// and tcp:// (with TLS) only; "
		     "%.*s:// is not supported",
		     buf, origin, (int)plen, buf);
		return -1;
	}
	c2s_engine_fail(err, C2S_ENGINE_ERR_CONFIG, RESOLVE "invalid bind address format: %s", buf);
	return -1;
}

/* Read a small JSON file of docker's (config.json, meta.json): 0 with *out,
 * 1 when it does not exist, -1 with err. */
static int read_json(const char *path, cJSON **out, struct c2s_engine_error *err)
{
	*out = NULL;
	FILE *f = fopen(path, "rb");
	if (!f) {
		if (errno == ENOENT)
			return 1;
		char e[128];
		c2s_engine_fail(err, C2S_ENGINE_ERR_CONFIG, RESOLVE "open %s: %s", path, os_error(errno, e, sizeof e));
		return -1;
	}
	struct c2s_buf b;
	c2s_buf_init(&b, C2S_MAX_DOCKER_CONFIG_BYTES);
	int r = c2s_buf_read_stream(&b, f);
	int saved = errno;
	fclose(f);
	if (r == -2) {
		c2s_engine_fail(err, C2S_ENGINE_ERR_CONFIG, RESOLVE "%s is larger than %zu bytes", path,
		     (size_t)C2S_MAX_DOCKER_CONFIG_BYTES);
		c2s_buf_free(&b);
		return -1;
	}
	if (r != 0) {
		char e[128];
		c2s_engine_fail(err, C2S_ENGINE_ERR_CONFIG, RESOLVE "read %s: %s", path, os_error(saved, e, sizeof e));
		c2s_buf_free(&b);
		return -1;
	}
	*out = cJSON_ParseWithLength(b.data ? b.data : "", b.len);
	c2s_buf_free(&b);
	if (!*out) {
		c2s_engine_fail(err, C2S_ENGINE_ERR_CONFIG, RESOLVE "parsing %s: not valid JSON", path);
		return -1;
	}
	return 0;
}

static int file_exists(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0;
}

/* TLSDataFromFiles: the CA must be readable, a missing cert or key is dropped
 * (cli/flags/options.go SetDefaultOptions). */
static int readable(const char *path, struct c2s_engine_error *err)
{
	FILE *f = fopen(path, "rb");
	if (!f) {
		char e[128];
		c2s_engine_fail(err, C2S_ENGINE_ERR_CONFIG, RESOLVE "open %s: %s", path, os_error(errno, e, sizeof e));
		return -1;
	}
	fclose(f);
	return 0;
}

static int too_long(struct c2s_engine_error *err, const char *what)
{
	c2s_engine_fail(err, C2S_ENGINE_ERR_CONFIG, RESOLVE "path too long: %.200s", what);
	return -1;
}

/* The "default" context: the host from -H or DOCKER_HOST, TLS from the
 * environment (resolveDefaultDockerEndpoint). */
static int resolve_default(const struct c2s_engine_options *o, struct c2s_engine_endpoint *ep,
			   struct c2s_engine_error *err)
{
	const char *const *envp = o->envp;
	int verify = env_nonempty(envp, "DOCKER_TLS_VERIFY") != NULL;
	int tls = verify || env_nonempty(envp, "DOCKER_TLS") != NULL;
	const char *host = o->host ? o->host : env_get(envp, "DOCKER_HOST");
	if (parse_host(host ? host : "", o->host ? "-H" : "DOCKER_HOST", tls, ep->host, sizeof ep->host, err) != 0)
		return -1;
	if (!tls)
		return 0;
	char certdir[C2S_ENGINE_PATH_MAX];
	const char *cp = env_nonempty(envp, "DOCKER_CERT_PATH");
	if (cp)
		snprintf(certdir, sizeof certdir, "%s", cp);
	else
		c2s_engine_config_dir(envp, certdir, sizeof certdir);
	if (join(ep->ca, sizeof ep->ca, certdir, "ca.pem") || join(ep->cert, sizeof ep->cert, certdir, "cert.pem") ||
	    join(ep->key, sizeof ep->key, certdir, "key.pem"))
		return too_long(err, certdir);
	if (readable(ep->ca, err) != 0)
		return -1;
	if (!file_exists(ep->cert))
		ep->cert[0] = '\0';
	if (!file_exists(ep->key))
		ep->key[0] = '\0';
	ep->tls = 1;
	ep->skip_verify = !verify;
	return 0;
}

/* A named context: contexts/meta/<sha256(name)>/meta.json, TLS files in
 * contexts/tls/<sha256(name)>/docker/ (cli/context/store). */
static int resolve_context(const struct c2s_engine_options *o, const char *confdir, struct c2s_engine_endpoint *ep,
			   struct c2s_engine_error *err)
{
	char id[65], path[C2S_ENGINE_PATH_MAX];
	c2s_sha256_hex(ep->context, strlen(ep->context), id);
	int w = snprintf(path, sizeof path, "%s/contexts/meta/%s/meta.json", confdir, id);
	if (w < 0 || (size_t)w >= sizeof path)
		return too_long(err, confdir);
	cJSON *meta;
	int r = read_json(path, &meta, err);
	if (r < 0)
		return -1;
	if (r == 1) {
		c2s_engine_fail(err, C2S_ENGINE_ERR_CONFIG,
		     RESOLVE "context \"%s\": context not found: open %s: no such file or directory", ep->context, path);
		return -1;
	}
	const cJSON *docker = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(meta, "Endpoints"),
								"docker");
	if (!cJSON_IsObject(docker)) {
		cJSON_Delete(meta);
		c2s_engine_fail(err, C2S_ENGINE_ERR_CONFIG, RESOLVE "cannot find docker endpoint in context");
		return -1;
	}
	const cJSON *h = cJSON_GetObjectItemCaseSensitive(docker, "Host");
	const char *host = cJSON_IsString(h) ? h->valuestring : "";
	ep->skip_verify = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(docker, "SkipTLSVerify"));
	/* A context's host was validated when it was made; still refuse what we
	 * cannot speak, and normalise unix:// and tcp:// the same way. */
	char origin[C2S_ENGINE_NAME_MAX + 16];
	snprintf(origin, sizeof origin, "context %s", ep->context);
	r = parse_host(host, origin, 0, ep->host, sizeof ep->host, err);
	cJSON_Delete(meta);
	if (r != 0)
		return -1;
	char tlsdir[C2S_ENGINE_PATH_MAX];
	w = snprintf(tlsdir, sizeof tlsdir, "%s/contexts/tls/%s/docker", confdir, id);
	if (w < 0 || (size_t)w >= sizeof tlsdir)
		return too_long(err, confdir);
	DIR *d = opendir(tlsdir);
	if (d) {
		/* An endpoint with TLS material speaks TLS (Endpoint.tlsConfig). */
		ep->tls = 1;
		struct dirent *de;
		while ((de = readdir(d))) {
			char *dst = strcmp(de->d_name, "ca.pem") == 0     ? ep->ca
				    : strcmp(de->d_name, "cert.pem") == 0 ? ep->cert
				    : strcmp(de->d_name, "key.pem") == 0  ? ep->key
									  : NULL;
			if (dst && join(dst, C2S_ENGINE_PATH_MAX, tlsdir, de->d_name) != 0) {
				closedir(d);
				return too_long(err, tlsdir);
			}
		}
		closedir(d);
	}
	if (ep->skip_verify)
		ep->tls = 1;
	/* A client certificate needs both halves (Endpoint.tlsConfig). */
	if (!ep->cert[0] || !ep->key[0])
		ep->cert[0] = ep->key[0] = '\0';
	(void)o;
	return 0;
}

int c2s_engine_read_config(const char *const *envp, cJSON **config, struct c2s_engine_error *err)
{
	char dir[C2S_ENGINE_PATH_MAX], path[C2S_ENGINE_PATH_MAX];
	memset(err, 0, sizeof *err);
	c2s_engine_config_dir(envp, dir, sizeof dir);
	if (join(path, sizeof path, dir, "config.json") != 0)
		return too_long(err, dir);
	int r = read_json(path, config, err);
	if (r < 0)
		return -1;
	if (r == 1 && !(*config = cJSON_CreateObject())) {
		c2s_engine_fail(err, C2S_ENGINE_ERR_NOMEM, "out of memory");
		return -1;
	}
	return 0;
}

int c2s_engine_resolve(const struct c2s_engine_options *o, struct c2s_engine_endpoint *ep,
		       struct c2s_engine_error *err)
{
	memset(ep, 0, sizeof *ep);
	memset(err, 0, sizeof *err);
	const char *const *envp = o->envp;
	if (o->context && *o->context && o->host) {
		c2s_engine_fail(err, C2S_ENGINE_ERR_CONFIG, "conflicting options: cannot specify both --host and --context");
		return -1;
	}
	/* resolveContextName: --context, then -H or DOCKER_HOST (the default
	 * context), then DOCKER_CONTEXT, then config.json's currentContext. */
	char confdir[C2S_ENGINE_PATH_MAX];
	c2s_engine_config_dir(envp, confdir, sizeof confdir);
	const char *name = NULL;
	cJSON *config = NULL;
	if (o->context && *o->context)
		name = o->context;
	else if (o->host || env_nonempty(envp, "DOCKER_HOST"))
		name = "default";
	else if (env_nonempty(envp, "DOCKER_CONTEXT"))
		name = env_nonempty(envp, "DOCKER_CONTEXT");
	else {
		char path[C2S_ENGINE_PATH_MAX];
		if (join(path, sizeof path, confdir, "config.json") != 0)
			return too_long(err, confdir);
		if (read_json(path, &config, err) < 0)
			return -1;
		const cJSON *cur = cJSON_GetObjectItemCaseSensitive(config, "currentContext");
		name = cJSON_IsString(cur) && *cur->valuestring ? cur->valuestring : "default";
	}
	int r;
	if (copy(ep->context, sizeof ep->context, name) != 0) {
		c2s_engine_fail(err, C2S_ENGINE_ERR_CONFIG, RESOLVE "context name too long");
		r = -1;
	} else if (strcmp(name, "default") == 0) {
		r = resolve_default(o, ep, err);
	} else {
		r = resolve_context(o, confdir, ep, err);
	}
	cJSON_Delete(config);
	/* TLS is for tcp only (isSocket; a connection helper has none) */
	if (r == 0 && (strncmp(ep->host, "unix://", 7) == 0 || strncmp(ep->host, "ssh://", 6) == 0))
		ep->tls = ep->skip_verify = 0;
	return r;
}
