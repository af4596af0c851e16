/* engine_ssh.c -- ssh:// daemons as docker CLI 28.2 reaches them (cli/connhelper): `ssh -o ConnectTimeout=30 -T [-l USER] [-p PORT] -- HOST docker [--host unix://PATH] system dial-stdio`, whose standard input and output are the connection the HTTP client makes to a private unix socket. */
#include "config.h"
#include "compose2swarm.h"
#include "engine_ssh.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#ifdef __linux__
#include <sys/prctl.h>
#endif

#define INVALID "ssh host connection is not valid: invalid SSH URL: "

static int hexval(char c)
{
	return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
}

/* Add one argument (s[0..n), %XX decoded when unescape, as url.URL's
 * Username and Path are) to the command. 0, or -1 when there is no room. */
static int arg(struct c2s_ssh *s, size_t *used, size_t *argc, const char *prefix, const char *v, size_t n, int unescape)
{
	if (*argc >= C2S_SSH_ARGV_MAX)
		return -1;
	size_t pl = strlen(prefix);
	if (*used + pl + n + 1 > sizeof s->strings)
		return -1;
	char *d = s->strings + *used;
	memcpy(d, prefix, pl);
	size_t k = pl;
	for (size_t i = 0; i < n; i++) {
		if (unescape && v[i] == '%' && i + 2 < n && hexval(v[i + 1]) >= 0 && hexval(v[i + 2]) >= 0) {
			d[k++] = (char)(hexval(v[i + 1]) * 16 + hexval(v[i + 2]));
			i += 2;
		} else {
			d[k++] = v[i];
		}
	}
	d[k] = '\0';
	s->argv[(*argc)++] = d;
	*used += k + 1;
	return 0;
}

int c2s_ssh_spec(const char *url, struct c2s_ssh *s, struct c2s_engine_error *err)
{
	memset(s, 0, sizeof *s);
	s->err_fd = -1;
	if (strncmp(url, "ssh://", 6) != 0) {
		c2s_engine_fail(err, C2S_ENGINE_ERR_CONFIG, INVALID "incorrect scheme: %s", url);
		return -1;
	}
	const char *p = url + 6;
	/* url.Parse: the fragment, then the query, then authority and path */
	const char *frag = strchr(p, '#');
	const char *end = frag ? frag : p + strlen(p);
	const char *q = memchr(p, '?', (size_t)(end - p));
	if (frag && frag[1]) {
		c2s_engine_fail(err, C2S_ENGINE_ERR_CONFIG, INVALID "fragments are not allowed: \"%s\"", frag + 1);
		return -1;
	}
	if (q && q + 1 < end) {
		c2s_engine_fail(err, C2S_ENGINE_ERR_CONFIG, INVALID "query parameters are not allowed: \"%.*s\"", (int)(end - q - 1), q + 1);
		return -1;
	}
	if (q)
		end = q;
	const char *slash = memchr(p, '/', (size_t)(end - p));
	const char *aend = slash ? slash : end;
	/* userinfo: up to the last '@' of the authority */
	const char *at = NULL;
	for (const char *c = p; c < aend; c++)
		if (*c == '@')
			at = c;
	const char *user = NULL, *host = at ? at + 1 : p;
	size_t userl = 0;
	if (at) {
		user = p;
		userl = (size_t)(at - p);
		if (memchr(user, ':', userl)) {
			c2s_engine_fail(err, C2S_ENGINE_ERR_CONFIG, INVALID "plain-text password is not supported");
			return -1;
		}
	}
	/* host[:port], [v6][:port] */
	const char *hname = host, *port = NULL;
	size_t hl = (size_t)(aend - host), portl = 0;
	if (hl && host[0] == '[') {
		const char *rb = memchr(host, ']', hl);
		if (!rb) {
			c2s_engine_fail(err, C2S_ENGINE_ERR_CONFIG, INVALID "missing ']' in host");
			return -1;
		}
		hname = host + 1;
		hl = (size_t)(rb - hname);
		if (rb + 1 < aend) {
			if (rb[1] != ':') {
				c2s_engine_fail(err, C2S_ENGINE_ERR_CONFIG, INVALID "invalid port \"%.*s\" after host", (int)(aend - rb - 1),
				     rb + 1);
				return -1;
			}
			port = rb + 2;
			portl = (size_t)(aend - port);
		}
	} else {
		const char *colon = NULL;
		for (const char *c = host; c < aend; c++)
			if (*c == ':')
				colon = c;
		if (colon) {
			hl = (size_t)(colon - host);
			port = colon + 1;
			portl = (size_t)(aend - port);
		}
	}
	for (size_t i = 0; i < portl; i++)
		if (port[i] < '0' || port[i] > '9') {
			c2s_engine_fail(err, C2S_ENGINE_ERR_CONFIG, INVALID "invalid port \":%.*s\" after host", (int)portl, port);
			return -1;
		}
	if (!hl) {
		c2s_engine_fail(err, C2S_ENGINE_ERR_CONFIG, INVALID "hostname is empty");
		return -1;
	}
	size_t used = 0, argc = 0;
	int r = arg(s, &used, &argc, "", "ssh", 3, 0);
	/* addSSHTimeout and disablePseudoTerminalAllocation: one argument "-o ConnectTimeout=30" */
	r |= arg(s, &used, &argc, "", "-o ConnectTimeout=30", 20, 0);
	r |= arg(s, &used, &argc, "", "-T", 2, 0);
	if (user && userl) {
		r |= arg(s, &used, &argc, "", "-l", 2, 0);
		r |= arg(s, &used, &argc, "", user, userl, 1);
	}
	if (portl) {
		r |= arg(s, &used, &argc, "", "-p", 2, 0);
		r |= arg(s, &used, &argc, "", port, portl, 0);
	}
	r |= arg(s, &used, &argc, "", "--", 2, 0);
	r |= arg(s, &used, &argc, "", hname, hl, 0);
	r |= arg(s, &used, &argc, "", "docker", 6, 0);
	if (slash && slash < end) {
		r |= arg(s, &used, &argc, "", "--host", 6, 0);
		r |= arg(s, &used, &argc, "unix://", slash, (size_t)(end - slash), 1);
	}
	r |= arg(s, &used, &argc, "", "system", 6, 0);
	r |= arg(s, &used, &argc, "", "dial-stdio", 10, 0);
	if (r) {
		c2s_engine_fail(err, C2S_ENGINE_ERR_CONFIG, INVALID "too long: %.200s", url);
		return -1;
	}
	s->argv[argc] = NULL;
	return 0;
}

int c2s_ssh_prepare(struct c2s_ssh *s, struct c2s_engine_error *err)
{
	const char *tmp = getenv("TMPDIR");
	if (!tmp || !*tmp || strlen(tmp) > 40)
		tmp = "/tmp";
	snprintf(s->dir, sizeof s->dir, "%s/c2s-ssh.XXXXXX", tmp);
	if (!mkdtemp(s->dir)) {
		c2s_engine_fail(err, C2S_ENGINE_ERR_CONNECT, "mkdtemp %s: %s", s->dir, strerror(errno));
		s->dir[0] = '\0';
		return -1;
	}
	snprintf(s->path, sizeof s->path, "%s/ssh.sock", s->dir);
	return 0;
}

void c2s_ssh_cleanup(struct c2s_ssh *s)
{
	c2s_ssh_hangup(s);
	if (s->dir[0]) {
		unlink(s->path);
		rmdir(s->dir);
		s->dir[0] = '\0';
	}
}

/* libcurl's connect() needs somewhere to go: a socket ssh's parent listens
 * on (a socketpair handed to libcurl as connected is not honoured by every
 * libcurl: CURL_SOCKOPT_ALREADY_CONNECTED). */
int c2s_ssh_dial(struct c2s_ssh *s, int *fd, struct c2s_engine_error *err)
{
	struct sockaddr_un sa;
	memset(&sa, 0, sizeof sa);
	sa.sun_family = AF_UNIX;
	if (strlen(s->path) >= sizeof sa.sun_path) {
		c2s_engine_fail(err, C2S_ENGINE_ERR_CONNECT, "socket path too long: %s", s->path);
		return -1;
	}
	memcpy(sa.sun_path, s->path, strlen(s->path) + 1);
	unlink(s->path);
	int ls = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (ls < 0 || bind(ls, (struct sockaddr *)&sa, sizeof sa) != 0 || listen(ls, 1) != 0) {
		c2s_engine_fail(err, C2S_ENGINE_ERR_CONNECT, "listen on %s: %s", s->path, strerror(errno));
		if (ls >= 0)
			close(ls);
		return -1;
	}
	int cs = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	int ep[2] = {-1, -1};
	if (cs < 0 || pipe2(ep, O_CLOEXEC) != 0) {
		c2s_engine_fail(err, C2S_ENGINE_ERR_CONNECT, "socket: %s", strerror(errno));
		close(ls);
		if (cs >= 0)
			close(cs);
		return -1;
	}
	pid_t pid = fork();
	if (pid < 0) {
		c2s_engine_fail(err, C2S_ENGINE_ERR_CONNECT, "fork: %s", strerror(errno));
		close(ls);
		close(cs);
		close(ep[0]);
		close(ep[1]);
		return -1;
	}
	if (pid == 0) {
		/* commandconn: a session of its own (createSession), killed with us (Pdeathsig) */
		setsid();
#ifdef __linux__
		prctl(PR_SET_PDEATHSIG, SIGKILL);
#endif
		sigset_t none;
		sigemptyset(&none);
		sigprocmask(SIG_SETMASK, &none, NULL);
		signal(SIGPIPE, SIG_DFL);
		int c = accept(ls, NULL, NULL);
		unlink(s->path);
		if (c < 0 || dup2(c, 0) < 0 || dup2(c, 1) < 0 || dup2(ep[1], 2) < 0)
			_exit(127);
		execvp(s->argv[0], s->argv);
		/* exec.Command's words when ssh is not there */
		const char *m = errno == ENOENT ? "exec: \"ssh\": executable file not found in $PATH\n" : "exec: \"ssh\": cannot run\n";
		ssize_t w = write(2, m, strlen(m));
		(void)w;
		_exit(127);
	}
	close(ls);
	close(ep[1]);
	fcntl(ep[0], F_SETFL, fcntl(ep[0], F_GETFL) | O_NONBLOCK);
	if (s->err_fd >= 0)
		close(s->err_fd);
	s->pid = pid;
	s->err_fd = ep[0];
	s->exited = 0;
	s->status = 0;
	s->err_text[0] = '\0';
	*fd = cs;
	return 0;
}

/* Keep what ssh wrote on standard error (the first bytes: docker's stderr=). */
static void drain(struct c2s_ssh *s)
{
	if (s->err_fd < 0)
		return;
	char buf[512];
	ssize_t n;
	while ((n = read(s->err_fd, buf, sizeof buf)) > 0) {
		size_t have = strlen(s->err_text), room = sizeof s->err_text - 1 - have;
		size_t take = (size_t)n < room ? (size_t)n : room;
		memcpy(s->err_text + have, buf, take);
		s->err_text[have + take] = '\0';
	}
	if (n == 0) {
		close(s->err_fd);
		s->err_fd = -1;
	}
}

/* Wait up to ms for ssh to exit. 1 when it has. */
static int reap(struct c2s_ssh *s, long ms)
{
	if (!s->pid)
		return s->exited;
	for (long waited = 0;; waited += 20) {
		drain(s);
		int st;
		pid_t r = waitpid(s->pid, &st, WNOHANG);
		if (r == s->pid || (r < 0 && errno == ECHILD)) {
			s->status = r == s->pid ? st : 0;
			s->exited = 1;
			s->pid = 0;
			drain(s);
			return 1;
		}
		if (waited >= ms)
			return 0;
		struct timespec ts = {0, 20 * 1000000L};
		nanosleep(&ts, NULL);
	}
}

void c2s_ssh_hangup(struct c2s_ssh *s)
{
	if (s->pid && !reap(s, 2000)) {
		kill(s->pid, SIGKILL);
		reap(s, 2000);
	}
	if (s->err_fd >= 0) {
		close(s->err_fd);
		s->err_fd = -1;
	}
}

int c2s_ssh_failed(struct c2s_ssh *s, char *msg, size_t n)
{
	/* commandconn.handleEOF: the command is expected to end soon after an EOF */
	if (!reap(s, 2000))
		return 0;
	char how[64];
	if (WIFEXITED(s->status) && WEXITSTATUS(s->status) == 0)
		return 0;
	if (WIFEXITED(s->status))
		snprintf(how, sizeof how, "exit status %d", WEXITSTATUS(s->status));
	else
		snprintf(how, sizeof how, "signal: %s", WIFSIGNALED(s->status) ? strsignal(WTERMSIG(s->status)) : "?");
	char cmd[2 * C2S_ENGINE_HOST_MAX];
	size_t l = 0;
	cmd[0] = '\0';
	for (char *const *a = s->argv; *a && l < sizeof cmd; a++)
		l += (size_t)snprintf(cmd + l, sizeof cmd - l, "%s%s", a == s->argv ? "" : " ", *a);
	/* OpenSSH ends the lines it writes on standard error with "\r\n" (log.c,
	 * as for a terminal in raw mode): plain newlines here, and none at the
	 * end, which is no part of the message */
	char said[sizeof s->err_text];
	size_t sl = 0;
	for (const char *c = s->err_text; *c; c++)
		if (!(c[0] == '\r' && c[1] == '\n'))
			said[sl++] = *c;
	while (sl && (said[sl - 1] == '\n' || said[sl - 1] == '\r'))
		sl--;
	said[sl] = '\0';
	snprintf(msg, n,
		 "command [%s] has exited with %s, make sure the URL is valid, and Docker 18.09 or later is installed on "
		 "the remote host: stderr=%s",
		 cmd, how, said);
	return 1;
}
