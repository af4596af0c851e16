/* lintconf.h -- .compose2swarm.yml: rule switches, engine version and fail-on for lint. */
#ifndef C2S_LINTCONF_H
#define C2S_LINTCONF_H

#include <stdio.h>

#include "compose2swarm.h"
#include "rules.h"

/* The name looked for upward from each linted file's directory. */
#define C2S_CONFIG_NAME ".compose2swarm.yml"
/* Longest docs-url. */
#define C2S_CONFIG_MAX_URL 1024
/* Longest directory path searched. */
#define C2S_CONFIG_MAX_PATH 4096

struct c2s_lintconf {
	enum c2s_severity severity[C2S_RULE_COUNT]; /* per rule, NONE = off */
	enum c2s_severity fail_on;
	int fail_on_set;
	int engine_major, engine_minor;             /* 0.0: not set */
	char docs_url[C2S_CONFIG_MAX_URL];          /* docs-url: SARIF helpUri base; "" not set */
};

/* Defaults: each rule's default severity (opt-in rules off), fail on warning. */
void c2s_lintconf_defaults(struct c2s_lintconf *c);
/* Apply the config file at path on top of c. Problems are written to err as
 * "path:line:col: error: message"; returns 0, or -1 (exit 2) on any problem. */
int c2s_lintconf_load(struct c2s_lintconf *c, const char *path, FILE *err);
/* Apply text as if it were a config file named name (tests, stdin). */
int c2s_lintconf_parse(struct c2s_lintconf *c, const char *name, const char *text, size_t len, FILE *err);
/* The nearest C2S_CONFIG_NAME upward from the directory of file ("-": the
 * current directory) into buf; 1 found, 0 none. One that is not a regular
 * file (a FIFO, a link to /dev/zero) is skipped with a warning on err. */
int c2s_lintconf_find(const char *file, char *buf, size_t size, FILE *err);
/* c2s_lintconf_load for a file the search found: only a regular file is read. */
int c2s_lintconf_load_found(struct c2s_lintconf *c, const char *path, FILE *err);
/* "MAJOR.MINOR" (20.10, 23.0) -> numbers; -1 when malformed. */
int c2s_parse_engine_version(const char *s, size_t n, int *major, int *minor);

#endif
