/* deploy_auth.c -- the X-Registry-Auth value `docker stack deploy --with-registry-auth` sends for an image: config.json's auths, credsStore and credHelpers through docker-credential-* helpers, as docker CLI 28.2 reads them. */
#include "config.h"
#include "compose2swarm.h"
#include "deploy.h"

#include "buf.h"
#include "engine.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* cli/command/registry.go authConfigKey: Docker Hub's key in config.json */
#define HUB_KEY "https://index.docker.io/v1/"
/* Most a credential helper may print, and how long it may take. */
#define HELPER_MAX_OUTPUT ((size_t)1 << 20)
#define HELPER_TIMEOUT_MS 60000

static void say(char *err, size_t n, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void say(char *err, size_t n, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(err, n, fmt, ap);
	va_end(ap);
}

static const char *env_get(const char *const *envp, const char *name)
{
	size_t n = strlen(name);
	for (size_t i = 0; envp && envp[i]; i++)
		if (strncmp(envp[i], name, n) == 0 && envp[i][n] == '=')
			return envp[i] + n + 1;
	return NULL;
}

/* The registry of an image: reference.splitDockerDomain's rule. */
static void image_domain(const char *image, char *out, size_t n)
{
	const char *slash = strchr(image, '/');
	size_t len = slash ? (size_t)(slash - image) : 0;
	int domain = 0;
	if (slash) {
		for (size_t i = 0; i < len; i++)
			if (image[i] == '.' || image[i] == ':' || (image[i] >= 'A' && image[i] <= 'Z'))
				domain = 1;
		if (len == 9 && memcmp(image, "localhost", 9) == 0)
			domain = 1;
	}
	if (!domain || (len == 15 && memcmp(image, "index.docker.io", 15) == 0))
		snprintf(out, n, "docker.io");
	else
		snprintf(out, n, "%.*s", (int)len, image);
}

/* credentials.ConvertToHostname: a URL's host[:port], else up to the first '/'. */
static void to_hostname(const char *s, char *out, size_t n)
{
	const char *p = strstr(s, "://");
	if (p) {
		const char *h = p + 3, *end = h + strcspn(h, "/?#");
		const char *at = memchr(h, '@', (size_t)(end - h));
		if (at)
			h = at + 1;
		if (end > h) {
			/* url.Hostname() drops IPv6 brackets, JoinHostPort puts them back */
			snprintf(out, n, "%.*s", (int)(end - h), h);
			size_t ol = strlen(out);
			if (ol && out[ol - 1] == ':') /* "host:" has an empty port: Hostname() alone */
				out[ol - 1] = '\0';
			return;
		}
	}
	snprintf(out, n, "%.*s", (int)strcspn(s, "/"), s);
}

static int b64val(int c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '+')
		return 62;
	if (c == '/')
		return 63;
	return -1;
}

/* base64.StdEncoding.Decode of auth: "user:password"; -1 when not that. */
static int decode_auth(const char *s, char *user, size_t un, char *pass, size_t pn)
{
	size_t n = strlen(s);
	if (n % 4)
		return -1;
	char *buf = malloc(n / 4 * 3 + 1);
	if (!buf)
		return -1;
	size_t o = 0;
	for (size_t i = 0; i < n; i += 4) {
		int v[4];
		for (int k = 0; k < 4; k++)
			v[k] = s[i + k] == '=' && i + 4 == n && k >= 2 ? -2 : b64val((unsigned char)s[i + k]);
		if (v[0] < 0 || v[1] < 0 || v[2] == -1 || v[3] == -1 || (v[2] == -2 && v[3] != -2)) {
			free(buf);
			return -1;
		}
		buf[o++] = (char)(v[0] << 2 | v[1] >> 4);
		if (v[2] >= 0)
			buf[o++] = (char)((v[1] & 15) << 4 | v[2] >> 2);
		if (v[3] >= 0)
			buf[o++] = (char)((v[2] & 3) << 6 | v[3]);
	}
	buf[o] = '\0';
	char *colon = memchr(buf, ':', o);
	if (!colon || colon == buf) {
		free(buf);
		return -1;
	}
	*colon = '\0';
	snprintf(user, un, "%s", buf);
	/* strings.Trim(password, "\x00") */
	char *pw = colon + 1, *end = buf + o;
	while (pw < end && !*pw)
		pw++;
	while (end > pw && !end[-1])
		end--;
	snprintf(pass, pn, "%.*s", (int)(end - pw), pw);
	free(buf);
	return 0;
}

struct auth {
	char username[1024], password[4096], email[1024], serveraddress[1024], identitytoken[8192],
		registrytoken[8192];
};

static void copy_field(const cJSON *o, const char *key, char *dst, size_t n)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
	if (cJSON_IsString(v))
		snprintf(dst, n, "%s", v->valuestring);
}

/* configfile.LoadFromReader's view of one auths entry, under key. */
static int file_entry(const char *key, const cJSON *entry, struct auth *a, char *err, size_t errn)
{
	memset(a, 0, sizeof *a);
	copy_field(entry, "username", a->username, sizeof a->username);
	copy_field(entry, "password", a->password, sizeof a->password);
	copy_field(entry, "email", a->email, sizeof a->email);
	copy_field(entry, "identitytoken", a->identitytoken, sizeof a->identitytoken);
	copy_field(entry, "registrytoken", a->registrytoken, sizeof a->registrytoken);
	const cJSON *auth = cJSON_GetObjectItemCaseSensitive(entry, "auth");
	if (cJSON_IsString(auth) && *auth->valuestring &&
	    decode_auth(auth->valuestring, a->username, sizeof a->username, a->password, sizeof a->password) != 0) {
		say(err, errn, "config.json: the auth of %s is not base64 of user:password (Invalid auth configuration file)",
		    key);
		return -1;
	}
	snprintf(a->serveraddress, sizeof a->serveraddress, "%s", key);
	return 0;
}

/* fileStore.Get: the entry of key, else the first whose host is key. */
static int file_get(const cJSON *auths, const char *key, struct auth *a, char *err, size_t errn)
{
	memset(a, 0, sizeof *a);
	const cJSON *e = cJSON_GetObjectItemCaseSensitive(auths, key);
	if (cJSON_IsObject(e))
		return file_entry(key, e, a, err, errn);
	cJSON_ArrayForEach(e, auths)
	{
		char host[1024];
		to_hostname(e->string, host, sizeof host);
		if (cJSON_IsObject(e) && strcmp(host, key) == 0)
			return file_entry(e->string, e, a, err, errn);
	}
	return 0;
}

/* An executable NAME on envp's PATH, into out; 0 found. */
static int on_path(const char *const *envp, const char *name, char *out, size_t n)
{
	const char *path = env_get(envp, "PATH");
	if (!path)
		path = "/usr/local/bin:/usr/bin:/bin";
	while (*path) {
		size_t len = strcspn(path, ":");
		int w = snprintf(out, n, "%.*s%s%s", (int)len, path, len ? "/" : "", name);
		if (w > 0 && (size_t)w < n && access(out, X_OK) == 0)
			return 0;
		path += len;
		if (*path == ':')
			path++;
	}
	return -1;
}

/* Run `docker-credential-HELPER get` with key on its standard input
 * (docker-credential-helpers/client Get). 0 with creds parsed, 1 when the
 * helper says it has none, -1 with err. */
static int helper_get(const char *helper, const char *key, const char *const *envp, cJSON **creds, char *err,
		      size_t errn)
{
	char name[512], path[4096];
	*creds = NULL;
	snprintf(name, sizeof name, "docker-credential-%s", helper);
	if (on_path(envp, name, path, sizeof path) != 0) {
		say(err, errn, "error getting credentials - err: exec: \"%s\": executable file not found in $PATH, out: ``",
		    name);
		return -1;
	}
	int in[2], out[2];
	if (pipe(in) != 0)
		goto sys;
	if (pipe(out) != 0) {
		close(in[0]);
		close(in[1]);
		goto sys;
	}
	pid_t pid = fork();
	if (pid < 0) {
		close(in[0]), close(in[1]), close(out[0]), close(out[1]);
		goto sys;
	}
	if (pid == 0) {
		dup2(in[0], 0);
		dup2(out[1], 1);
		close(in[0]), close(in[1]), close(out[0]), close(out[1]);
		char *const argv[] = {name, "get", NULL};
		execve(path, argv, (char *const *)(envp ? envp : (const char *const[]){NULL}));
		_exit(127);
	}
	close(in[0]);
	close(out[1]);
	/* the key is short: one write, then EOF (a helper that exits first must
	 * not kill us with SIGPIPE) */
	void (*old)(int) = signal(SIGPIPE, SIG_IGN);
	ssize_t w = write(in[1], key, strlen(key));
	(void)w;
	close(in[1]);
	signal(SIGPIPE, old);
	struct c2s_buf b;
	c2s_buf_init(&b, HELPER_MAX_OUTPUT);
	struct timespec t0;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	int timed_out = 0;
	for (;;) {
		struct timespec t;
		clock_gettime(CLOCK_MONOTONIC, &t);
		long left = HELPER_TIMEOUT_MS - ((t.tv_sec - t0.tv_sec) * 1000 + (t.tv_nsec - t0.tv_nsec) / 1000000);
		if (left <= 0) {
			timed_out = 1;
			break;
		}
		struct pollfd pf = {.fd = out[0], .events = POLLIN};
		int pr = poll(&pf, 1, (int)left);
		if (pr < 0 && errno == EINTR)
			continue;
		if (pr <= 0) {
			timed_out = pr == 0;
			break;
		}
		char chunk[4096];
		ssize_t r = read(out[0], chunk, sizeof chunk);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		if (c2s_buf_add(&b, chunk, (size_t)r) != 0)
			break;
	}
	close(out[0]);
	if (timed_out)
		kill(pid, SIGKILL);
	int status = 0;
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (timed_out || b.failed) {
		say(err, errn, "error getting credentials - %s %s", name,
		    timed_out ? "did not answer within 60 s" : "printed more than 1 MiB");
		c2s_buf_free(&b);
		return -1;
	}
	/* the output, trimmed, for the messages */
	char *text = b.data ? b.data : "";
	size_t tl = b.len;
	while (tl && (text[tl - 1] == '\n' || text[tl - 1] == ' ' || text[tl - 1] == '\r' || text[tl - 1] == '\t'))
		text[--tl] = '\0';
	while (*text == ' ' || *text == '\n' || *text == '\t' || *text == '\r')
		text++;
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		int r = -1;
		if (strcmp(text, "credentials not found in native keychain") == 0)
			r = 1; /* credentials.IsErrCredentialsNotFoundMessage */
		else if (WIFEXITED(status))
			say(err, errn, "error getting credentials - err: exit status %d, out: `%s`", WEXITSTATUS(status), text);
		else
			say(err, errn, "error getting credentials - err: signal: %d, out: `%s`", WTERMSIG(status), text);
		c2s_buf_free(&b);
		return r;
	}
	*creds = cJSON_Parse(text);
	c2s_buf_free(&b);
	if (!cJSON_IsObject(*creds)) {
		cJSON_Delete(*creds);
		*creds = NULL;
		say(err, errn, "error getting credentials - %s get printed no JSON object", name);
		return -1;
	}
	return 0;
sys:
	say(err, errn, "error getting credentials - %s", strerror(errno));
	return -1;
}

/* json.Marshal(registry.AuthConfig) then base64.URLEncoding: the fields in
 * their struct order, empty ones left out. */
static int encode(const struct auth *a, char **out)
{
	struct c2s_buf j;
	c2s_buf_init(&j, (size_t)1 << 20);
	cJSON *o = cJSON_CreateObject();
	const struct {
		const char *key, *value;
	} f[] = {{"username", a->username}, {"password", a->password}, {"email", a->email},
		 {"serveraddress", a->serveraddress}, {"identitytoken", a->identitytoken},
		 {"registrytoken", a->registrytoken}};
	for (size_t i = 0; o && i < sizeof f / sizeof f[0]; i++)
		if (f[i].value[0] && !cJSON_AddStringToObject(o, f[i].key, f[i].value)) {
			cJSON_Delete(o);
			o = NULL;
		}
	if (!o || c2s_engine_json_print(o, &j) != 0) {
		cJSON_Delete(o);
		c2s_buf_free(&j);
		return -1;
	}
	cJSON_Delete(o);
	static const char tab[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
	const unsigned char *p = (const unsigned char *)j.data;
	size_t n = j.len;
	char *s = malloc((n + 2) / 3 * 4 + 1), *w = s;
	if (!s) {
		c2s_buf_free(&j);
		return -1;
	}
	for (size_t i = 0; i < n; i += 3) {
		unsigned v = (unsigned)p[i] << 16 | (i + 1 < n ? (unsigned)p[i + 1] << 8 : 0) | (i + 2 < n ? p[i + 2] : 0);
		*w++ = tab[v >> 18 & 63];
		*w++ = tab[v >> 12 & 63];
		*w++ = i + 1 < n ? tab[v >> 6 & 63] : '=';
		*w++ = i + 2 < n ? tab[v & 63] : '=';
	}
	*w = '\0';
	c2s_buf_free(&j);
	*out = s;
	return 0;
}

int c2s_registry_auth_load(struct c2s_registry_auth *ra, const char *const *envp, char *err, size_t errn)
{
	memset(ra, 0, sizeof *ra);
	ra->envp = envp;
	char dir[C2S_ENGINE_PATH_MAX], path[C2S_ENGINE_PATH_MAX + 16];
	c2s_engine_config_dir(envp, dir, sizeof dir);
	snprintf(path, sizeof path, "%s/config.json", dir);
	FILE *f = fopen(path, "rb");
	if (!f) {
		if (errno != ENOENT) {
			say(err, errn, "%s: %s", path, strerror(errno));
			return -1;
		}
		ra->config = cJSON_CreateObject();
	} else {
		struct c2s_buf b;
		c2s_buf_init(&b, C2S_MAX_DOCKER_CONFIG_BYTES);
		int r = c2s_buf_read_stream(&b, f);
		fclose(f);
		if (r != 0) {
			say(err, errn, "%s: %s", path, r == -2 ? "larger than C2S_MAX_DOCKER_CONFIG_BYTES" : strerror(errno));
			c2s_buf_free(&b);
			return -1;
		}
		ra->config = cJSON_ParseWithLength(b.data ? b.data : "", b.len);
		c2s_buf_free(&b);
		if (!cJSON_IsObject(ra->config)) {
			cJSON_Delete(ra->config);
			ra->config = NULL;
			say(err, errn, "%s: not a JSON object", path);
			return -1;
		}
	}
	const cJSON *store = cJSON_GetObjectItemCaseSensitive(ra->config, "credsStore");
	if (cJSON_IsString(store))
		snprintf(ra->creds_store, sizeof ra->creds_store, "%s", store->valuestring);
	/* LoadDefaultConfigFile: a config with no auth at all gets the platform's
	 * store when its helper is installed (credentials.DetectDefaultStore) */
	const cJSON *helpers = cJSON_GetObjectItemCaseSensitive(ra->config, "credHelpers");
	const cJSON *auths = cJSON_GetObjectItemCaseSensitive(ra->config, "auths");
	if (!ra->creds_store[0] && cJSON_GetArraySize(helpers) == 0 && cJSON_GetArraySize(auths) == 0) {
		char found[4096];
		const char *def = on_path(envp, "pass", found, sizeof found) == 0 ? "pass" : "secretservice";
		char helper[64];
		snprintf(helper, sizeof helper, "docker-credential-%s", def);
		if (on_path(envp, helper, found, sizeof found) == 0)
			snprintf(ra->creds_store, sizeof ra->creds_store, "%s", def);
	}
	return 0;
}

void c2s_registry_auth_free(struct c2s_registry_auth *ra)
{
	cJSON_Delete(ra->config);
	ra->config = NULL;
}

int c2s_registry_auth_for(struct c2s_registry_auth *ra, const char *image, char **encoded, char *err, size_t errn)
{
	*encoded = NULL;
	char domain[1024];
	image_domain(image, domain, sizeof domain);
	const char *key = strcmp(domain, "docker.io") == 0 ? HUB_KEY : domain;
	const cJSON *auths = cJSON_GetObjectItemCaseSensitive(ra->config, "auths");
	const cJSON *helpers = cJSON_GetObjectItemCaseSensitive(ra->config, "credHelpers");
	const cJSON *h = cJSON_GetObjectItemCaseSensitive(helpers, key);
	const char *helper = cJSON_IsString(h) ? h->valuestring : ra->creds_store;
	struct auth *a = calloc(1, sizeof *a);
	if (!a) {
		say(err, errn, "out of memory");
		return -1;
	}
	int r = file_get(auths, key, a, err, errn);
	if (r == 0 && helper[0]) {
		/* nativeStore.Get: the file's entry (for its email), the helper's answer over it */
		cJSON *creds = NULL;
		r = helper_get(helper, key, ra->envp, &creds, err, errn);
		if (r >= 0) {
			char user[1024] = "", secret[8192] = "";
			copy_field(creds, "Username", user, sizeof user);
			copy_field(creds, "Secret", secret, sizeof secret);
			a->username[0] = a->password[0] = a->identitytoken[0] = a->serveraddress[0] = '\0';
			if (r == 0 && strcmp(user, "<token>") == 0) {
				snprintf(a->identitytoken, sizeof a->identitytoken, "%s", secret);
			} else if (r == 0) {
				snprintf(a->username, sizeof a->username, "%s", user);
				snprintf(a->password, sizeof a->password, "%s", secret);
			}
			if (r == 0)
				snprintf(a->serveraddress, sizeof a->serveraddress, "%s", key);
			r = 0;
		}
		cJSON_Delete(creds);
	}
	if (r == 0 && encode(a, encoded) != 0) {
		say(err, errn, "out of memory");
		r = -1;
	}
	free(a);
	return r;
}
