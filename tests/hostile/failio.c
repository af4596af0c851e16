/* failio.c -- an LD_PRELOAD shim for tests/hostile/files.sh: fsync and fdatasync
 * fail with EIO when C2S_FAIL_FSYNC is set, as a failing disk makes them fail
 * (no unprivileged way makes a real file system do that on demand). */
#define _GNU_SOURCE 1
#include <errno.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <unistd.h>

int fsync(int fd)
{
	if (getenv("C2S_FAIL_FSYNC")) {
		errno = EIO;
		return -1;
	}
	return (int)syscall(SYS_fsync, fd);
}

int fdatasync(int fd)
{
	if (getenv("C2S_FAIL_FSYNC")) {
		errno = EIO;
		return -1;
	}
	return (int)syscall(SYS_fdatasync, fd);
}
