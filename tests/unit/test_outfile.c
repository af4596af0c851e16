/* test_outfile.c -- the atomic writer: symlinks, mode, owner, inputs, errors, no temporary file left. */
#include "config.h"
#include "testutil.h"
#include "outfile.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

/* Each test works in its own fresh directory. */
static char dir[64];

static int setup(void **state)
{
	(void)state;
	snprintf(dir, sizeof dir, "/tmp/c2s-outfile-XXXXXX");
	return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	char cmd[128];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	return system(cmd) == 0 ? 0 : -1;
}

static const char *at(const char *name)
{
	static char p[4][128];
	static int k;
	k = (k + 1) % 4;
	snprintf(p[k], sizeof p[k], "%s/%s", dir, name);
	return p[k];
}

static void put(const char *path, const char *text, mode_t mode)
{
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
	assert_int_equal(chmod(path, mode), 0);
}

static void assert_content(const char *path, const char *want)
{
	char buf[256] = {0};
	FILE *f = fopen(path, "r");
	assert_non_null(f);
	size_t n = fread(buf, 1, sizeof buf - 1, f);
	fclose(f);
	buf[n] = '\0';
	assert_string_equal(buf, want);
}

/* Entries in the test directory (no temporary file may stay behind). */
static int entries(void)
{
	DIR *d = opendir(dir);
	assert_non_null(d);
	int n = 0;
	struct dirent *e;
	while ((e = readdir(d)))
		n += strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0;
	closedir(d);
	return n;
}

/* Both ways a temporary file is made: unnamed (O_TMPFILE) and named. */
static const int modes[] = {0, C2S_OUTFILE_NAMED_TEMP};

static int write_all(const char *path, const char *text, const char *const *inputs, size_t n, int flags,
		     char *msg)
{
	struct c2s_outfile o;
	if (c2s_outfile_open(&o, path, inputs, n, flags) != 0) {
		strcpy(msg, o.msg);
		return -1;
	}
	c2s_outfile_write(&o, text, strlen(text));
	int r = c2s_outfile_commit(&o);
	strcpy(msg, o.msg);
	return r;
}

static void test_new_file(void **state)
{
	(void)state;
	char msg[C2S_OUTFILE_MSG_MAX];
	mode_t um = umask(022);
	for (size_t m = 0; m < 2; m++) {
		const char *p = at(m ? "b.yml" : "a.yml");
		assert_int_equal(write_all(p, "new\n", NULL, 0, modes[m], msg), 0);
		assert_content(p, "new\n");
		struct stat st;
		assert_int_equal(stat(p, &st), 0);
		assert_int_equal(st.st_mode & 07777, 0644); /* 0666 less the umask, as any new file */
	}
	umask(um);
	assert_int_equal(entries(), 2);
}

static void test_keeps_mode(void **state)
{
	(void)state;
	char msg[C2S_OUTFILE_MSG_MAX];
	for (size_t m = 0; m < 2; m++) {
		const char *p = at("f.yml");
		put(p, "old\n", 0640);
		assert_int_equal(write_all(p, "new\n", NULL, 0, modes[m], msg), 0);
		assert_content(p, "new\n");
		struct stat st;
		assert_int_equal(stat(p, &st), 0);
		assert_true(S_ISREG(st.st_mode));
		assert_int_equal(st.st_mode & 07777, 0640);
		assert_int_equal(entries(), 1);
	}
}

static void test_symlink_kept(void **state)
{
	(void)state;
	char msg[C2S_OUTFILE_MSG_MAX];
	assert_int_equal(mkdir(at("real"), 0755), 0);
	put(at("real/stack.yml"), "old\n", 0600);
	/* a relative link in another directory, and a link to that link */
	assert_int_equal(symlink("real/stack.yml", at("link.yml")), 0);
	assert_int_equal(symlink("link.yml", at("link2.yml")), 0);
	for (size_t m = 0; m < 2; m++) {
		const char *p = at(m ? "link2.yml" : "link.yml");
		assert_int_equal(write_all(p, m ? "two\n" : "one\n", NULL, 0, modes[m], msg), 0);
		struct stat st;
		assert_int_equal(lstat(at("link.yml"), &st), 0);
		assert_true(S_ISLNK(st.st_mode));
		assert_int_equal(lstat(at("link2.yml"), &st), 0);
		assert_true(S_ISLNK(st.st_mode));
		assert_int_equal(lstat(at("real/stack.yml"), &st), 0);
		assert_true(S_ISREG(st.st_mode));
		assert_int_equal(st.st_mode & 07777, 0600);
		assert_content(at("real/stack.yml"), m ? "two\n" : "one\n");
		assert_int_equal(entries(), 3);
	}
	/* a dangling link: the file it names is created, the link stays */
	assert_int_equal(symlink("real/new.yml", at("dangling.yml")), 0);
	assert_int_equal(write_all(at("dangling.yml"), "made\n", NULL, 0, 0, msg), 0);
	assert_content(at("real/new.yml"), "made\n");
	struct stat st;
	assert_int_equal(lstat(at("dangling.yml"), &st), 0);
	assert_true(S_ISLNK(st.st_mode));
}

static void test_symlink_loop(void **state)
{
	(void)state;
	char msg[C2S_OUTFILE_MSG_MAX];
	assert_int_equal(symlink("b", at("a")), 0);
	assert_int_equal(symlink("a", at("b")), 0);
	assert_int_equal(write_all(at("a"), "x", NULL, 0, 0, msg), -1);
	assert_non_null(strstr(msg, strerror(ELOOP)));
	assert_int_equal(entries(), 2);
}

static void test_keeps_owner(void **state)
{
	(void)state;
	if (geteuid() != 0)
		skip(); /* only root may give a file to another user (CI runs as root) */
	char msg[C2S_OUTFILE_MSG_MAX];
	for (size_t m = 0; m < 2; m++) {
		const char *p = at("owned.yml");
		put(p, "old\n", 04755);
		assert_int_equal(chown(p, 65534, 65534), 0);
		assert_int_equal(chmod(p, 04755), 0); /* chown cleared the set-id bit */
		assert_int_equal(write_all(p, "new\n", NULL, 0, modes[m], msg), 0);
		struct stat st;
		assert_int_equal(stat(p, &st), 0);
		assert_int_equal(st.st_uid, 65534);
		assert_int_equal(st.st_gid, 65534);
		assert_int_equal(st.st_mode & 07777, 04755);
		assert_content(p, "new\n");
	}
}

static void test_refuses_input(void **state)
{
	(void)state;
	char msg[C2S_OUTFILE_MSG_MAX];
	put(at("in.yml"), "input\n", 0644);
	assert_int_equal(link(at("in.yml"), at("hard.yml")), 0);
	assert_int_equal(symlink("in.yml", at("soft.yml")), 0);
	const char *inputs[] = {at("other.yml"), at("in.yml")};
	/* the same file by name, by a hard link, by a symlink, by another spelling */
	const char *outs[] = {inputs[1], at("hard.yml"), at("soft.yml"), at("./in.yml")};
	for (size_t i = 0; i < 4; i++) {
		assert_int_equal(write_all(outs[i], "out\n", inputs, 2, 0, msg), -1);
		assert_non_null(strstr(msg, "write it elsewhere"));
		assert_content(at("in.yml"), "input\n");
	}
	/* standard input that is the file */
	int saved = dup(0);
	int fd = open(at("in.yml"), O_RDONLY);
	assert_true(saved >= 0 && fd >= 0);
	assert_int_equal(dup2(fd, 0), 0);
	close(fd);
	const char *std[] = {"-"};
	int r = write_all(at("hard.yml"), "out\n", std, 1, 0, msg);
	dup2(saved, 0);
	close(saved);
	assert_int_equal(r, -1);
	assert_content(at("in.yml"), "input\n");
	/* another file is fine */
	assert_int_equal(write_all(at("out.yml"), "out\n", inputs, 2, 0, msg), 0);
	assert_int_equal(entries(), 4);
}

static void test_errors_leave_nothing(void **state)
{
	(void)state;
	char msg[C2S_OUTFILE_MSG_MAX];
	/* a directory */
	assert_int_equal(mkdir(at("d"), 0755), 0);
	assert_int_equal(write_all(at("d"), "x", NULL, 0, 0, msg), -1);
	assert_non_null(strstr(msg, strerror(EISDIR)));
	/* no such directory */
	assert_int_equal(write_all(at("none/x.yml"), "x", NULL, 0, 0, msg), -1);
	assert_non_null(strstr(msg, "cannot create a file in"));
	assert_non_null(strstr(msg, strerror(ENOENT)));
	/* dropped: the old file stays */
	put(at("keep.yml"), "old\n", 0644);
	for (size_t m = 0; m < 2; m++) {
		struct c2s_outfile o;
		assert_int_equal(c2s_outfile_open(&o, at("keep.yml"), NULL, 0, modes[m]), 0);
		assert_int_equal(c2s_outfile_write(&o, "partial", 7), 0);
		c2s_outfile_abort(&o);
		assert_content(at("keep.yml"), "old\n");
		assert_int_equal(entries(), 2);
	}
}

/* A write the kernel refuses part way (RLIMIT_FSIZE: "File too large"): the
 * system's message, the old file kept, no temporary file. */
static void test_write_error(void **state)
{
	(void)state;
	struct rlimit old, lim;
	assert_int_equal(getrlimit(RLIMIT_FSIZE, &old), 0);
	void (*was)(int) = signal(SIGXFSZ, SIG_IGN);
	char big[8192];
	memset(big, 'x', sizeof big);
	put(at("f.yml"), "old\n", 0644);
	for (size_t m = 0; m < 2; m++) {
		struct c2s_outfile o;
		assert_int_equal(c2s_outfile_open(&o, at("f.yml"), NULL, 0, modes[m]), 0);
		lim = old;
		lim.rlim_cur = 4096;
		assert_int_equal(setrlimit(RLIMIT_FSIZE, &lim), 0);
		int w = c2s_outfile_write(&o, big, sizeof big);
		setrlimit(RLIMIT_FSIZE, &old);
		assert_int_equal(w, -1);
		assert_int_equal(o.err, EFBIG);
		assert_int_equal(c2s_outfile_write(&o, "more", 4), -1); /* sticky */
		assert_int_equal(c2s_outfile_commit(&o), -1);
		assert_non_null(strstr(o.msg, strerror(EFBIG)));
		assert_non_null(strstr(o.msg, at("f.yml")));
		assert_content(at("f.yml"), "old\n");
		assert_int_equal(entries(), 1);
	}
	signal(SIGXFSZ, was);
}

/* Not a regular file: written in place, never replaced (as root, renaming over
 * a device node would make it a regular file: the nodes tested are made here,
 * so a regression cannot break the machine's /dev/null). */
static void test_devices(void **state)
{
	(void)state;
	char msg[C2S_OUTFILE_MSG_MAX];
	struct stat st;
	/* a FIFO, with its reader open */
	assert_int_equal(mkfifo(at("fifo"), 0600), 0);
	int rd = open(at("fifo"), O_RDONLY | O_NONBLOCK);
	assert_true(rd >= 0);
	assert_int_equal(write_all(at("fifo"), "through\n", NULL, 0, 0, msg), 0);
	char buf[16] = {0};
	assert_int_equal(read(rd, buf, sizeof buf), 8);
	assert_string_equal(buf, "through\n");
	close(rd);
	assert_int_equal(lstat(at("fifo"), &st), 0);
	assert_true(S_ISFIFO(st.st_mode));
	/* a symlink to it is the FIFO too */
	assert_int_equal(symlink("fifo", at("pipe")), 0);
	rd = open(at("fifo"), O_RDONLY | O_NONBLOCK);
	assert_int_equal(write_all(at("pipe"), "x", NULL, 0, 0, msg), 0);
	close(rd);
	assert_int_equal(lstat(at("pipe"), &st), 0);
	assert_true(S_ISLNK(st.st_mode));
	assert_int_equal(entries(), 2);
	if (geteuid() != 0 || mknod(at("null"), S_IFCHR | 0666, makedev(1, 3)) != 0)
		return; /* device nodes: root only (CI runs as root) */
	assert_int_equal(write_all(at("null"), "x\n", NULL, 0, 0, msg), 0);
	assert_int_equal(lstat(at("null"), &st), 0);
	assert_true(S_ISCHR(st.st_mode));
	/* a full device: the system's words, not "out of memory" */
	assert_int_equal(mknod(at("full"), S_IFCHR | 0666, makedev(1, 7)), 0);
	assert_int_equal(write_all(at("full"), "x\n", NULL, 0, 0, msg), -1);
	assert_non_null(strstr(msg, strerror(ENOSPC)));
	assert_int_equal(lstat(at("full"), &st), 0);
	assert_true(S_ISCHR(st.st_mode));
	assert_int_equal(entries(), 4);
}

static void test_replace(void **state)
{
	(void)state;
	char msg[C2S_OUTFILE_MSG_MAX] = "";
	assert_int_equal(c2s_outfile_replace(at("r.yml"), "all\n", 4, NULL, 0, msg, sizeof msg), 0);
	assert_content(at("r.yml"), "all\n");
	const char *in[] = {at("r.yml")};
	assert_int_equal(c2s_outfile_replace(at("r.yml"), "x", 1, in, 1, msg, sizeof msg), -1);
	assert_non_null(strstr(msg, "also an input"));
	assert_content(at("r.yml"), "all\n");
	assert_int_equal(entries(), 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_new_file, setup, teardown),
		cmocka_unit_test_setup_teardown(test_keeps_mode, setup, teardown),
		cmocka_unit_test_setup_teardown(test_symlink_kept, setup, teardown),
		cmocka_unit_test_setup_teardown(test_symlink_loop, setup, teardown),
		cmocka_unit_test_setup_teardown(test_keeps_owner, setup, teardown),
		cmocka_unit_test_setup_teardown(test_refuses_input, setup, teardown),
		cmocka_unit_test_setup_teardown(test_errors_leave_nothing, setup, teardown),
		cmocka_unit_test_setup_teardown(test_write_error, setup, teardown),
		cmocka_unit_test_setup_teardown(test_devices, setup, teardown),
		cmocka_unit_test_setup_teardown(test_replace, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
