/* outfile.c -- atomic replacement of an output file (see outfile.h for the promises). */
#include "config.h"
#include "outfile.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* Symlinks followed before giving up, as the kernel's own limit (ELOOP). */
#define OUTFILE_MAX_LINKS 40
/* Bytes of the target's name kept in the temporary file's (NAME_MAX is 255). */
#define OUTFILE_TEMP_BASE_MAX 200
/* Names tried before a temporary file is given up (each collision is a race). */
#define OUTFILE_TEMP_TRIES 100

/* o->msg = "NAME: " fmt ": strerror(e)" (no ": strerror" when e is 0), NAME
 * as the caller gave it; a message longer than the room is cut. */
static void say(struct c2s_outfile *o, int e, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void say(struct c2s_outfile *o, int e, const char *fmt, ...)
{
	size_t n = (size_t)snprintf(o->msg, sizeof o->msg, "%s: ", o->name ? o->name : "output"), n0 = n;
	va_list ap;
	va_start(ap, fmt);
	if (n < sizeof o->msg)
		n += (size_t)vsnprintf(o->msg + n, sizeof o->msg - n, fmt, ap);
	va_end(ap);
	if (e && n < sizeof o->msg)
		snprintf(o->msg + n, sizeof o->msg - n, "%s%s", n > n0 ? ": " : "", strerror(e));
}

/* path with every symlink along its last component followed (a relative link
 * is read from the link's directory); malloc'd, NULL with errno set. A path
 * that names nothing yet is returned as it is: the file will be created there. */
static char *follow_links(const char *path)
{
	char *cur = strdup(path);
	for (int hops = 0; cur; hops++) {
		struct stat st;
		if (lstat(cur, &st) != 0) {
			if (errno == ENOENT)
				return cur;
			break;
		}
		if (!S_ISLNK(st.st_mode))
			return cur;
		if (hops == OUTFILE_MAX_LINKS) {
			errno = ELOOP;
			break;
		}
		char link[PATH_MAX];
		ssize_t n = readlink(cur, link, sizeof link - 1);
		if (n < 0)
			break;
		if ((size_t)n >= sizeof link - 1) {
			errno = ENAMETOOLONG;
			break;
		}
		link[n] = '\0';
		const char *slash = strrchr(cur, '/');
		char *next;
		if (link[0] == '/' || !slash) {
			next = strdup(link);
		} else {
			size_t dn = (size_t)(slash - cur) + 1;
			next = malloc(dn + (size_t)n + 1);
			if (next) {
				memcpy(next, cur, dn);
				memcpy(next + dn, link, (size_t)n + 1);
			}
		}
		free(cur);
		cur = next;
	}
	int e = errno;
	free(cur);
	errno = e;
	return NULL;
}

/* The directory part of path ("." when it has none); malloc'd. */
static char *dir_part(const char *path)
{
	const char *slash = strrchr(path, '/');
	if (!slash)
		return strdup(".");
	if (slash == path)
		return strdup("/");
	return strndup(path, (size_t)(slash - path));
}

/* A name for a temporary file beside target: ".BASE.c2s-XXXXXXXX", hidden
 * from globs; the suffix differs per call. malloc'd. */
static char *temp_name(const char *target)
{
	static unsigned counter;
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	uint64_t x = ((uint64_t)getpid() << 32) ^ (uint64_t)ts.tv_nsec ^ ((uint64_t)ts.tv_sec << 20) ^
		     (uint64_t)++counter * 0x9e3779b97f4a7c15ull;
	x ^= x >> 29;
	x *= 0xbf58476d1ce4e5b9ull;
	x ^= x >> 32;
	const char *slash = strrchr(target, '/');
	const char *base = slash ? slash + 1 : target;
	size_t dn = (size_t)(base - target), bn = strlen(base);
	if (bn > OUTFILE_TEMP_BASE_MAX)
		bn = OUTFILE_TEMP_BASE_MAX;
	char *t = malloc(dn + bn + 32);
	if (t)
		snprintf(t, dn + bn + 32, "%.*s.%.*s.c2s-%08x", (int)dn, target, (int)bn, base, (unsigned)(x & 0xffffffffu));
	return t;
}

/* Is the file st one of inputs? Returns the input's name or NULL. */
static const char *which_input(const struct stat *st, const char *const *inputs, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		struct stat in;
		int r = strcmp(inputs[i], "-") == 0 ? fstat(STDIN_FILENO, &in) : stat(inputs[i], &in);
		if (r == 0 && in.st_dev == st->st_dev && in.st_ino == st->st_ino)
			return inputs[i];
	}
	return NULL;
}

/* An unnamed file in dir (O_TMPFILE), or -1 when the system or the file system
 * has none; naming it later needs /proc (linkat through /proc/self/fd). */
static int open_unnamed(const char *dir)
{
#ifdef O_TMPFILE
	if (access("/proc/self/fd", X_OK) != 0)
		return -1;
	return open(dir, O_TMPFILE | O_WRONLY | O_CLOEXEC, 0666);
#else
	(void)dir;
	errno = EOPNOTSUPP;
	return -1;
#endif
}

/* A new file named by temp_name beside target (0666 less the umask, as any new file). */
static int open_named(struct c2s_outfile *o)
{
	for (int i = 0; i < OUTFILE_TEMP_TRIES; i++) {
		free(o->tmp);
		o->tmp = temp_name(o->target);
		if (!o->tmp) {
			errno = ENOMEM;
			return -1;
		}
		int fd = open(o->tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
		if (fd >= 0 || errno != EEXIST)
			return fd;
	}
	errno = EEXIST;
	return -1;
}

/* Close and remove the temporary file, if any; forget the names. */
static void release(struct c2s_outfile *o)
{
	if (o->fd >= 0)
		close(o->fd);
	o->fd = -1;
	if (o->tmp)
		unlink(o->tmp);
	free(o->tmp);
	free(o->target);
	free(o->name);
	o->tmp = o->target = o->name = NULL;
}

/* Write straight into what path opens (not a regular file, or reached through
 * links that cannot be followed by name). */
static int open_direct(struct c2s_outfile *o, const char *path)
{
	o->direct = 1;
	o->fd = open(path, O_WRONLY | O_TRUNC | O_CLOEXEC | O_NOCTTY);
	if (o->fd < 0) {
		say(o, errno, "%s", "");
		release(o);
		return -1;
	}
	return 0;
}

int c2s_outfile_open(struct c2s_outfile *o, const char *path, const char *const *inputs, size_t ninputs,
		     int flags)
{
	memset(o, 0, sizeof *o);
	o->fd = -1;
	o->flags = flags;
	o->name = strdup(path);
	struct stat st;
	if (!o->name) {
		say(o, ENOMEM, "%s", "");
		return -1;
	}
	if (stat(path, &st) == 0) {
		const char *in = which_input(&st, inputs, ninputs);
		if (in) {
			if (strcmp(in, path) == 0)
				say(o, 0, "the output is also an input file; write it elsewhere");
			else
				say(o, 0, "the output is the input file %s (the same file); write it elsewhere", in);
			release(o);
			return -1;
		}
		if (S_ISDIR(st.st_mode)) {
			say(o, EISDIR, "%s", "");
			release(o);
			return -1;
		}
		if (!S_ISREG(st.st_mode))
			return open_direct(o, path);
		o->have_old = 1;
		o->old_uid = st.st_uid;
		o->old_gid = st.st_gid;
		o->old_mode = st.st_mode & 07777;
	} else if (errno != ENOENT) {
		say(o, errno, "%s", "");
		release(o);
		return -1;
	}
	o->target = follow_links(path);
	if (!o->target) {
		say(o, errno, "%s", "");
		release(o);
		return -1;
	}
	if (o->have_old) {
		/* /dev/stdout on a file: /proc's fd link names no path the file has */
		struct stat ts;
		if (stat(o->target, &ts) != 0 || ts.st_dev != st.st_dev || ts.st_ino != st.st_ino) {
			o->have_old = 0;
			return open_direct(o, path);
		}
	}
	char *dir = dir_part(o->target);
	if (!dir) {
		say(o, ENOMEM, "%s", "");
		release(o);
		return -1;
	}
	if (!(flags & C2S_OUTFILE_NAMED_TEMP)) {
		o->fd = open_unnamed(dir);
		o->unnamed = o->fd >= 0;
	}
	if (o->fd < 0)
		o->fd = open_named(o);
	if (o->fd < 0) {
		say(o, errno, "cannot create a file in %s", dir);
		free(dir);
		release(o);
		return -1;
	}
	free(dir);
	return 0;
}

int c2s_outfile_write(struct c2s_outfile *o, const void *p, size_t n)
{
	if (o->fd < 0 && !o->err)
		o->err = EBADF;
	if (o->err)
		return -1;
	const char *at = p;
	while (n) {
		ssize_t w = write(o->fd, at, n > ((size_t)1 << 30) ? (size_t)1 << 30 : n);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			o->err = errno;
			return -1;
		}
		at += w;
		n -= (size_t)w;
	}
	return 0;
}

void c2s_outfile_abort(struct c2s_outfile *o)
{
	release(o);
}

/* The old file's owner, group and mode on the new one; a user who may not give
 * the file to its owner keeps the group when allowed (chown clears set-id bits,
 * so the mode comes last). */
static int keep_metadata(struct c2s_outfile *o)
{
	if (!o->have_old)
		return 0;
	struct stat st;
	if (fstat(o->fd, &st) != 0)
		return -1;
	if ((st.st_uid != o->old_uid || st.st_gid != o->old_gid) && fchown(o->fd, o->old_uid, o->old_gid) != 0) {
		if (errno != EPERM)
			return -1;
		/* not permitted to give the file away: the group, when that is allowed */
		if (st.st_gid != o->old_gid && fchown(o->fd, (uid_t)-1, o->old_gid) != 0 && errno != EPERM)
			return -1;
	}
	return fchmod(o->fd, o->old_mode);
}

/* The unnamed file gets a name beside the target, for rename to move. */
static int name_unnamed(struct c2s_outfile *o)
{
	char proc[64];
	snprintf(proc, sizeof proc, "/proc/self/fd/%d", o->fd);
	for (int i = 0; i < OUTFILE_TEMP_TRIES; i++) {
		free(o->tmp);
		o->tmp = temp_name(o->target);
		if (!o->tmp) {
			errno = ENOMEM;
			return -1;
		}
		if (linkat(AT_FDCWD, proc, AT_FDCWD, o->tmp, AT_SYMLINK_FOLLOW) == 0)
			return 0;
		int e = errno;
		free(o->tmp);
		o->tmp = NULL;
		if (e != EEXIST) {
			errno = e;
			return -1;
		}
	}
	errno = EEXIST;
	return -1;
}

int c2s_outfile_commit(struct c2s_outfile *o)
{
	int e = o->err;
	if (!e && o->fd < 0)
		e = EBADF;
	if (!o->direct) {
		if (!e && keep_metadata(o) != 0)
			e = errno;
		if (!e && fsync(o->fd) != 0)
			e = errno;
		if (!e && o->unnamed && name_unnamed(o) != 0)
			e = errno;
	}
	/* close reports what a network file system kept until then */
	if (o->fd >= 0 && close(o->fd) != 0 && !e && errno != EINTR)
		e = errno;
	o->fd = -1;
	if (!e && !o->direct && rename(o->tmp, o->target) != 0)
		e = errno;
	if (e) {
		say(o, e, "%s", "");
		release(o);
		return -1;
	}
	if (!o->direct) {
		free(o->tmp);
		o->tmp = NULL;
		/* the rename is made durable by the directory's fsync; a file system
		 * that cannot fsync a directory (EINVAL) has nothing to flush */
		char *dir = dir_part(o->target);
		int dfd = dir ? open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC) : -1;
		free(dir);
		if (dfd >= 0) {
			if (fsync(dfd) != 0 && errno != EINVAL && errno != EROFS)
				e = errno;
			close(dfd);
		}
		if (e)
			say(o, e, "written, but its directory could not be synced");
	}
	release(o);
	return e ? -1 : 0;
}

int c2s_outfile_replace(const char *path, const void *data, size_t len, const char *const *inputs,
			size_t ninputs, char *msg, size_t msgsize)
{
	struct c2s_outfile o;
	int r = c2s_outfile_open(&o, path, inputs, ninputs, 0);
	if (r == 0) {
		c2s_outfile_write(&o, data, len);
		r = c2s_outfile_commit(&o);
	}
	if (r != 0 && msgsize)
		snprintf(msg, msgsize, "%s", o.msg);
	return r;
}
