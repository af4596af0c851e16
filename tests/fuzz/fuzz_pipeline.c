/* fuzz_pipeline.c -- one file through lint and both converts, as the command line runs them: no crash, and verdicts that agree. */
#define _POSIX_C_SOURCE 200809L
#include "config.h"
#include "fuzz.h"
#include "compose2swarm.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* The pipeline reads files by name (the source reader, mmap, the config
 * search), so each input is written to one file in a private directory,
 * beside a config file of our own that the upward search finds first. */
static char dir[64], path[96], conf[96];
static FILE *sink;

/* libFuzzer ends a run with exit(): the directory goes with it (a crash
 * keeps it, beside the crash file, to look at) */
static void cleanup(void)
{
	unlink(path);
	unlink(conf);
	rmdir(dir);
}

static void setup(void)
{
	if (sink)
		return;
	const char *tmp = getenv("TMPDIR");
	snprintf(dir, sizeof dir, "%s/c2s-fuzz.XXXXXX", tmp && strlen(tmp) < 32 ? tmp : "/tmp");
	if (!mkdtemp(dir) || atexit(cleanup) != 0)
		abort();
	snprintf(conf, sizeof conf, "%s/.compose2swarm.yml", dir);
	FILE *c = fopen(conf, "w");
	if (!c || fputs("fail-on: error\n", c) < 0 || fclose(c) != 0)
		abort();
	snprintf(path, sizeof path, "%s/compose.yml", dir);
	sink = fopen("/dev/null", "w");
	if (!sink)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size > C2S_FUZZ_MAX_INPUT)
		return 0;
	setup();
	FILE *f = fopen(path, "wb");
	if (!f || fwrite(data, 1, size, f) != size || fclose(f) != 0)
		abort();
	static const char *const envp[] = {"HOME=/home/u", "TAG=1.2", "EMPTY=", NULL};
	const char *files[] = {path};

	struct c2s_lint_options lo;
	memset(&lo, 0, sizeof lo);
	lo.files = files;
	lo.nfiles = 1;
	lo.format = C2S_FORMAT_TEXT;
	lo.fail_on = C2S_SEVERITY_ERROR;
	lo.fail_on_set = 1;
	lo.envp = envp;
	int lint = c2s_lint(&lo, sink, sink);

	struct c2s_convert_options co;
	memset(&co, 0, sizeof co);
	co.files = files;
	co.nfiles = 1;
	co.envp = envp;
	int yaml = c2s_convert_exit(c2s_convert(&co, sink, sink));
	co.to = "api";
	int api = c2s_convert_exit(c2s_convert(&co, sink, sink));

	/* What docker stack config refuses, lint reports as an error (or a limit,
	 * exit 2); deploy refuses at least what config refuses; a limit is a limit
	 * whichever command meets it. */
	if ((yaml == C2S_EXIT_FINDINGS && lint == C2S_EXIT_OK) || (yaml != C2S_EXIT_OK && api == C2S_EXIT_OK) ||
	    ((yaml == C2S_EXIT_TROUBLE) != (lint == C2S_EXIT_TROUBLE))) {
		fprintf(stderr, "verdicts disagree: lint %d, convert --to yaml %d, --to api %d\n", lint, yaml, api);
		abort();
	}
	return 0;
}
