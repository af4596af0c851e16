/* fakedocker.h -- run scripts/reference/fakedockerd.py for a unit test and read its request log. */
#ifndef C2S_FAKEDOCKER_H
#define C2S_FAKEDOCKER_H

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#ifndef SRC_DIR
#error "SRC_DIR must name the source tree"
#endif

struct fake {
	pid_t pid;
	char dir[256];
	char sock[300];
	char log[300];
	char host[320]; /* unix://SOCK */
};

/* Helpers still running, so that a failed test's teardown stops them. */
static pid_t spawned[16];

static inline void spawned_forget(pid_t pid)
{
	for (size_t i = 0; i < sizeof spawned / sizeof spawned[0]; i++)
		if (spawned[i] == pid)
			spawned[i] = 0;
}

/* End a helper by its pid (SIGTERM) and reap it. */
static inline void spawn_stop(pid_t *pid)
{
	if (*pid > 0) {
		kill(*pid, SIGTERM);
		waitpid(*pid, NULL, 0);
		spawned_forget(*pid);
		*pid = 0;
	}
}

/* cmocka teardown: stop whatever a failed test left running. */
static inline int fake_teardown(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof spawned / sizeof spawned[0]; i++)
		if (spawned[i] > 0) {
			kill(spawned[i], SIGTERM);
			waitpid(spawned[i], NULL, 0);
			spawned[i] = 0;
		}
	return 0;
}

/* Run argv (NULL-ended) with its standard output on a pipe until it prints a
 * line starting with READY (into line); 0 then, -1 if it never does. */
static inline int spawn_ready(const char *const *argv, pid_t *pid, char *line, size_t n)
{
	int fd[2];
	if (pipe(fd) != 0)
		return -1;
	*pid = fork();
	if (*pid < 0)
		return -1;
	if (*pid == 0) {
		dup2(fd[1], 1);
		close(fd[0]);
		close(fd[1]);
		execvp(argv[0], (char *const *)argv);
		_exit(127);
	}
	close(fd[1]);
	for (size_t i = 0; i < sizeof spawned / sizeof spawned[0]; i++)
		if (!spawned[i]) {
			spawned[i] = *pid;
			break;
		}
	FILE *r = fdopen(fd[0], "r");
	line[0] = '\0';
	int ok = r && fgets(line, (int)n, r) && strncmp(line, "READY", 5) == 0;
	if (r)
		fclose(r);
	else
		close(fd[0]);
	return ok ? 0 : -1;
}

/* Start fakedockerd with extra arguments (NULL-ended); 0 once it said READY. */
static inline int fake_start(struct fake *f, const char *const *extra)
{
	memset(f, 0, sizeof *f);
	snprintf(f->dir, sizeof f->dir, "/tmp/c2s-fake.XXXXXX");
	if (!mkdtemp(f->dir))
		return -1;
	snprintf(f->sock, sizeof f->sock, "%s/d.sock", f->dir);
	snprintf(f->log, sizeof f->log, "%s/log.jsonl", f->dir);
	snprintf(f->host, sizeof f->host, "unix://%s", f->sock);
	const char *argv[32] = {"python3", SRC_DIR "/scripts/reference/fakedockerd.py", "--socket", f->sock,
				"--log", f->log};
	size_t n = 6;
	for (size_t i = 0; extra && extra[i] && n < 31; i++)
		argv[n++] = extra[i];
	argv[n] = NULL;
	char line[512];
	return spawn_ready(argv, &f->pid, line, sizeof line);
}

/* Stop the server: its log is complete after this (it writes each record
 * after answering, so a client can be ahead of the log until then). */
static inline void fake_finish(struct fake *f)
{
	/* fakedockerd logs a request just after answering it: wait until the log
	 * has stopped growing (three quiet looks 30 ms apart, 3 s at most) */
	long last = -1;
	for (int quiet = 0, i = 0; f->pid > 0 && quiet < 3 && i < 100; i++) {
		struct stat st;
		long size = stat(f->log, &st) == 0 ? (long)st.st_size : 0;
		quiet = size == last ? quiet + 1 : 0;
		last = size;
		usleep(30000);
	}
	spawn_stop(&f->pid);
}

/* Stop it and remove its files. */
static inline void fake_stop(struct fake *f)
{
	fake_finish(f);
	unlink(f->log);
	unlink(f->sock);
	rmdir(f->dir);
}

/* The log (after fake_finish) as a JSON array of request records (cJSON_Delete it). */
static inline cJSON *fake_log(const struct fake *f)
{
	cJSON *all = cJSON_CreateArray();
	FILE *in = fopen(f->log, "r");
	if (!in)
		return all;
	static char line[1 << 20];
	while (fgets(line, sizeof line, in)) {
		cJSON *rec = cJSON_Parse(line);
		if (rec)
			cJSON_AddItemToArray(all, rec);
	}
	fclose(in);
	return all;
}

/* Empty the log between steps of a test. */
static inline void fake_log_clear(const struct fake *f)
{
	FILE *out = fopen(f->log, "w");
	if (out)
		fclose(out);
}

#endif
