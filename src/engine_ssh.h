/* engine_ssh.h -- ssh:// daemons: `ssh ... docker system dial-stdio` run as docker's connection helper runs it, its standard input and output the connection the HTTP client makes to a private unix socket. */
#ifndef C2S_ENGINE_SSH_H
#define C2S_ENGINE_SSH_H

#include <stddef.h>
#include <sys/types.h>

#include "engine.h"

/* ssh's arguments: -o, -T, -l USER, -p PORT, --, HOST, docker [--host
 * unix://PATH] system dial-stdio. */
#define C2S_SSH_ARGV_MAX 16

struct c2s_ssh {
	char strings[2 * C2S_ENGINE_HOST_MAX]; /* the arguments, NUL-separated */
	char *argv[C2S_SSH_ARGV_MAX + 1];      /* "ssh", ..., NULL */
	pid_t pid;                             /* the ssh running, or 0 */
	int err_fd;                            /* the read end of its standard error, or -1 */
	int status;                            /* its wait status once it has exited */
	int exited;
	char err_text[512];                    /* what it said on standard error */
	char dir[64];                          /* a private directory (0700) for the socket, or "" */
	char path[128];                        /* dir/ssh.sock: where the client connects */
};

/* The command for an ssh:// URL, as cli/connhelper (ssh.NewSpec, Spec.Args)
 * makes it: 0, or -1 with err (C2S_ENGINE_ERR_CONFIG, docker's words). */
int c2s_ssh_spec(const char *url, struct c2s_ssh *s, struct c2s_engine_error *err);
/* Make the private directory and s->path, where the client connects. 0, or
 * -1 with err. c2s_ssh_cleanup removes them (and ends a running ssh). */
int c2s_ssh_prepare(struct c2s_ssh *s, struct c2s_engine_error *err);
void c2s_ssh_cleanup(struct c2s_ssh *s);
/* For one connection: listen on s->path and start a child that accepts the
 * connection there and becomes ssh with it as its standard input and output
 * (a session of its own, so a ^C at the terminal does not end it, killed
 * when we die, as commandconn does). *fd is a fresh unix socket for the
 * client to connect to s->path with. 0, or -1 with err. */
int c2s_ssh_dial(struct c2s_ssh *s, int *fd, struct c2s_engine_error *err);
/* Our end was closed: let ssh end (it reads EOF), killed if it lingers. */
void c2s_ssh_hangup(struct c2s_ssh *s);
/* Has ssh exited with an error? 1 with docker's words in msg, else 0. */
int c2s_ssh_failed(struct c2s_ssh *s, char *msg, size_t n);

#endif
