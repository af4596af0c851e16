/* lintconf.h -- .compose2swarm.yml: rule switches, engine version and fail-on for lint. */
#ifndef C2S_LINTCONF_H
#define C2S_LINTCONF_H

#include <stdint.h>
#include <stdio.h>

#include "compose2swarm.h"
#include "rules.h"

/* The name looked for upward from each linted file's directory. */
#define C2S_CONFIG_NAME ".compose2swarm.yml"
/* Longest docs-url. */
#define C2S_CONFIG_MAX_URL 1024
/* Longest directory path searched. */
#define C2S_CONFIG_MAX_PATH 4096

/* stacks: and exclude: (the names are kept in the struct, so it copies as a value) */
#define C2S_CONFIG_MAX_STACKS 64          /* stacks one config file names */
#define C2S_CONFIG_MAX_STACK_FILES 16     /* files of one stack */
#define C2S_CONFIG_MAX_EXCLUDE 64         /* exclude: patterns */
#define C2S_CONFIG_MAX_NAMES 16384        /* bytes of all those names and patterns */

/* The tables past the header are read only below their counts (nstacks,
 * nexclude, names_len; docs_url and dir as strings): c2s_lintconf_defaults
 * does not clear them. */
struct c2s_lintconf {
	enum c2s_severity severity[C2S_RULE_COUNT]; /* per rule, NONE = off */
	enum c2s_severity fail_on;
	int fail_on_set;
	int engine_major, engine_minor;             /* 0.0: not set */
	char docs_url[C2S_CONFIG_MAX_URL];          /* docs-url: SARIF helpUri base; "" not set */
	char dir[C2S_CONFIG_MAX_PATH];              /* the config file's directory: stacks: and
						       exclude: name files from it ("" for none) */
	unsigned nstacks, nexclude;
	unsigned stack_nfiles[C2S_CONFIG_MAX_STACKS];
	uint16_t stack_files[C2S_CONFIG_MAX_STACKS][C2S_CONFIG_MAX_STACK_FILES]; /* offsets in names */
	uint16_t exclude[C2S_CONFIG_MAX_EXCLUDE];   /* offsets in names */
	unsigned names_len;
	char names[C2S_CONFIG_MAX_NAMES];           /* NUL-terminated names, one after another */
};

/* Is path (a file to lint) matched by an exclude: pattern of c? Patterns are
 * fnmatch(3) globs on the path from c's directory ('*' stops at '/'); one
 * with no '/' also matches the file's own name anywhere below. */
int c2s_lintconf_excluded(const struct c2s_lintconf *c, const char *path);
/* The stack of c that path is part of (its index), or -1. */
int c2s_lintconf_stack_of(const struct c2s_lintconf *c, const char *path);
/* File i of stack k, as a path from the current directory, into buf (0, or -1 when too long). */
int c2s_lintconf_stack_file(const struct c2s_lintconf *c, unsigned k, unsigned i, char *buf, size_t size);

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
