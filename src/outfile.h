/* outfile.h -- the one way libc2s writes a file: replaced atomically, never half-written. */
#ifndef C2S_OUTFILE_H
#define C2S_OUTFILE_H

#include <stddef.h>
#include <sys/types.h>

/* How an output file is written (convert -o, lint --fix, migrate -o/--in-place):
 * - a symlink is followed (up to 40 links) and its target replaced, so the
 *   link stays a link;
 * - a regular file (or a new one) is written to a temporary file in the
 *   target's own directory (unnamed with O_TMPFILE where the file system has
 *   it, so a killed process leaves nothing), fsync'd, given the old file's
 *   mode and, when permitted, its owner and group, then renamed over the
 *   target, and the directory fsync'd: readers see the old file or the new,
 *   never a part;
 * - a target that is not a regular file (/dev/stdout, a FIFO, a device) is
 *   written in place: there is nothing to rename over, and a device node must
 *   never become a regular file; so is a path whose symlinks cannot be
 *   followed to the file it opens (/proc's fd links);
 * - an output that is one of the inputs (the same file by device and inode,
 *   whatever its name) is refused before anything is created;
 * - every failure leaves the target as it was and no temporary file, and
 *   says why with the system's message (ENOSPC, EIO...). */

/* Room for a failure's message ("PATH: why"; a longer one is cut). */
#define C2S_OUTFILE_MSG_MAX 512

/* c2s_outfile_open flags. */
enum {
	C2S_OUTFILE_NAMED_TEMP = 1 /* never O_TMPFILE: a named temporary file (as on file systems without it) */
};

struct c2s_outfile {
	int fd;              /* -1 when closed */
	int flags;
	int direct;          /* the target is not a regular file: written in place */
	int unnamed;         /* fd is an O_TMPFILE file, named only at commit */
	int have_old;        /* the target existed: old_* hold its metadata */
	uid_t old_uid;
	gid_t old_gid;
	mode_t old_mode;
	int err;             /* sticky: errno of the first failed write, 0 when none */
	char *name;          /* the path as the caller gave it (for messages) */
	char *target;        /* the file replaced: the path with its symlinks followed */
	char *tmp;           /* the temporary file's name while it has one */
	char msg[C2S_OUTFILE_MSG_MAX];       /* after a failure: "PATH: why", PATH as the caller named it */
};

/* Open path for writing. inputs (ninputs of them, "-" meaning standard input)
 * are the files the output is made from: a path that is one of them is
 * refused. 0, or -1 with o->msg set (nothing was created). */
int c2s_outfile_open(struct c2s_outfile *o, const char *path, const char *const *inputs, size_t ninputs,
		     int flags);
/* Append n bytes. 0, or -1 (sticky; the commit then fails and says why). */
int c2s_outfile_write(struct c2s_outfile *o, const void *p, size_t n);
/* Put the file in place. 0, or -1 with o->msg set: the target is as it was and
 * no temporary file is left. Either way o is closed. */
int c2s_outfile_commit(struct c2s_outfile *o);
/* Drop what was written: the target is as it was, no temporary file is left. */
void c2s_outfile_abort(struct c2s_outfile *o);

/* All of it at once: open, write, commit. 0, or -1 with the reason in msg
 * ("PATH: why", at most msgsize bytes). */
int c2s_outfile_replace(const char *path, const void *data, size_t len, const char *const *inputs,
			size_t ninputs, char *msg, size_t msgsize);

#endif
