/* measure.c -- run one command and report its wall time, CPU time and peak RSS.
 *
 *   measure RESULT-FILE COMMAND [ARG...]
 *
 * Writes "wall_seconds cpu_seconds maxrss_kib exit_status" to RESULT-FILE
 * (exit_status: the exit code, or -SIGNAL); stdin, stdout and stderr are the
 * command's. Exits 0 unless the command could not be started (127).
 *
 * Why not os.wait4 in bench/run.py directly: Linux keeps a process's peak RSS
 * across exec (the high-water mark of the memory it had before exec counts),
 * so a command started from the Python interpreter reports at least the
 * interpreter's own peak. This program is small; the command it forks starts
 * with a fresh record, and wait4 here returns the command's figure alone.
 */
#define _POSIX_C_SOURCE 200809L
#define _DEFAULT_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/time.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	if (argc < 3) {
		fputs("usage: measure RESULT-FILE COMMAND [ARG...]\n", stderr);
		return 2;
	}
	struct timespec t0, t1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	pid_t pid = fork();
	if (pid < 0) {
		perror("measure: fork");
		return 127;
	}
	if (pid == 0) {
		execvp(argv[2], argv + 2);
		perror(argv[2]);
		_exit(127);
	}
	int status;
	struct rusage ru;
	if (wait4(pid, &status, 0, &ru) < 0) {
		perror("measure: wait4");
		return 127;
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	double wall = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
	double cpu = (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6 +
		     (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec / 1e6;
	int code = WIFEXITED(status) ? WEXITSTATUS(status) : WIFSIGNALED(status) ? -WTERMSIG(status) : -1;
	FILE *f = fopen(argv[1], "w");
	if (!f) {
		perror(argv[1]);
		return 127;
	}
	fprintf(f, "%.9f %.6f %ld %d\n", wall, cpu, ru.ru_maxrss, code);
	if (fclose(f) != 0) {
		perror(argv[1]);
		return 127;
	}
	return 0;
}
