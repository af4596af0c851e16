/* compose2swarm.h -- the public interface of libc2s: options, entry points, limits. */
#ifndef COMPOSE2SWARM_H
#define COMPOSE2SWARM_H

#include <stddef.h>
#include <stdio.h>

#ifdef __cplusplus
extern "C" {
#endif

#define C2S_VERSION "0.1.0"
/* The project's home page (SARIF's tool.driver.informationUri). */
#define C2S_HOME_URL "https://github.com/compose2swarm/compose2swarm"

/* ---- Limits: every bound on input lives here, each hit by a unit test. ---- */

/* Largest input file accepted, in bytes (the 100,000-service benchmark file is ~110 MB). */
#define C2S_MAX_FILE_BYTES ((size_t)512 << 20)
/* Largest input read from a stream (standard input, a pipe, a device): a
 * regular file's size is known before a byte is read and it is mapped, not
 * copied; a stream's size is only known by holding it, so this is also what
 * refusing one costs in memory. A 1 GB pipe stops here. */
#define C2S_MAX_STREAM_BYTES ((size_t)16 << 20)
/* Largest .compose2swarm.yml (or --config FILE) read, in bytes. */
#define C2S_MAX_CONFIG_BYTES ((size_t)1 << 20)
/* Longest scalar, in bytes of its value and in characters of its source. */
#define C2S_MAX_SCALAR_BYTES ((size_t)1 << 20)
/* Bytes libyaml may read again to take the \' escapes docker takes and it
 * does not (one more read of the file per double-quoted scalar holding them
 * that the fast scanner left to libyaml). */
#define C2S_MAX_REREAD_BYTES ((size_t)16 << 20)
/* Deepest nesting of mappings and sequences. */
#define C2S_MAX_DEPTH 256
/* Nodes that alias expansion may add to a document, beyond this floor... */
#define C2S_MAX_ALIAS_EXPANSION_FLOOR 1000000u
/* ...or this many times the nodes actually written, whichever is larger. */
#define C2S_MAX_ALIAS_EXPANSION_RATIO 10u
/* Entries in one mapping or sequence. */
#define C2S_MAX_CHILDREN ((1u << 20) - 1)
/* Characters of a source line the text format shows under a finding; a longer
 * line is cut around the column, "..." marking each cut. */
#define C2S_EXCERPT_MAX_CHARS 160u
/* Diagnostics kept for one run; the rest are counted, not stored. */
#define C2S_MAX_DIAGNOSTICS 100000u
/* Files named on one command line. */
#define C2S_MAX_FILES 65536u
/* Tokens of one Go template (an env value, a hostname, a mount path) that lint's
 * engine check (CS2014) reads; a longer one is not judged. */
#define C2S_GOTMPL_MAX_TOKENS 4096
/* Largest body of one Engine API answer (a 10,000-service list is ~50 MB). */
#define C2S_MAX_ENGINE_RESPONSE_BYTES ((size_t)256 << 20)
/* Largest docker CLI file read: config.json, a context's meta.json. */
#define C2S_MAX_DOCKER_CONFIG_BYTES ((size_t)4 << 20)
/* plan: largest state read (--state, or one answer of the daemon), in bytes. */
#define C2S_MAX_STATE_BYTES ((size_t)256 << 20)
/* plan: objects in one state (services, networks, secrets, configs, tasks, nodes). */
#define C2S_MAX_STATE_OBJECTS 200000u
/* migrate: the largest text it builds (the stack file, or a step of it). */
#define C2S_MIGRATE_MAX_TEXT_BYTES ((size_t)64 << 20)
/* migrate: the deepest chain of files it follows through include: and extends: file:. */
#define C2S_MIGRATE_MAX_NESTING 32
/* migrate: the files one run reads (compose, override, env, extended and included files). */
#define C2S_MIGRATE_MAX_FILES 256

/* ---- Status and exit codes (CLI.md) ---- */

enum c2s_exit {
	C2S_EXIT_OK = 0,       /* lint: nothing at or above --fail-on; convert: written */
	C2S_EXIT_FINDINGS = 1, /* lint: findings; convert: input rejected */
	C2S_EXIT_TROUBLE = 2   /* usage, unreadable input, I/O error, a limit hit */
};

enum c2s_severity {
	C2S_SEVERITY_NONE = 0, /* only meaningful for --fail-on none / disabled rules */
	C2S_SEVERITY_INFO = 1,
	C2S_SEVERITY_WARNING = 2,
	C2S_SEVERITY_ERROR = 3
};

enum c2s_format {
	C2S_FORMAT_TEXT = 0,
	C2S_FORMAT_GNU,
	C2S_FORMAT_JSON,
	C2S_FORMAT_SARIF,       /* SARIF 2.1.0 */
	C2S_FORMAT_CHECKSTYLE,  /* checkstyle XML */
	C2S_FORMAT_JUNIT,       /* JUnit XML: one testcase per finding */
	C2S_FORMAT_GITHUB,      /* GitHub Actions workflow commands */
	C2S_FORMAT_CODECLIMATE  /* Code Climate / GitLab code quality JSON */
};

/* A rule switched on or off, or given another severity, on the command line. */
struct c2s_rule_override {
	const char *rule;            /* rule id ("CS5101") or name ("container-name") */
	int enabled;                 /* 1 enable, 0 disable, -1 leave */
	enum c2s_severity severity;  /* C2S_SEVERITY_NONE: keep the default */
};

struct c2s_lint_options {
	const char *const *files;     /* files to lint one by one; "-" is standard input */
	size_t nfiles;
	const char *const *compose;   /* -c files linted as one merged stack */
	size_t ncompose;
	const char *stdin_filename;   /* name shown for "-" */
	enum c2s_format format;
	enum c2s_severity fail_on;    /* C2S_SEVERITY_NONE: never fail on findings */
	int color;                    /* 1: ANSI colours in the text format */
	const struct c2s_rule_override *overrides;
	size_t noverrides;
	const char *engine_version;   /* "X.Y" or NULL */
	const char *stack;            /* --stack NAME: the names swarm checks in full; NULL: unknown */
	const char *env_file;         /* --env-file or NULL */
	int no_interpolate;
	const char *const *envp;      /* the environment docker would see (NAME=VALUE, NULL-ended) */
	const char *config_file;      /* --config FILE; NULL: .compose2swarm.yml found upward */
	int fail_on_set;              /* --fail-on was given (else a config file may set it) */
	int fix;                      /* --fix: rewrite files in place for fixable findings */
	int diff;                     /* --diff: print those rewrites as a unified diff instead */
	const char *docs_url;         /* --docs-url: SARIF helpUri base ("{id}" for the rule id); NULL:
					 the config file's docs-url, else none */
};

/* Lint as the options say, write the report to out and problems with the
 * run itself (unreadable file, limit hit) to err; returns an enum c2s_exit. */
int c2s_lint(const struct c2s_lint_options *opts, FILE *out, FILE *err);

struct c2s_convert_options {
	const char *const *files;     /* -c files, merged in order; "-" is standard input */
	size_t nfiles;
	const char *to;               /* "yaml" (default, NULL) or "api" */
	const char *stack;            /* --stack NAME (api), default "stack" */
	const char *api_version;      /* --api-version X.YY (api), default "1.50" */
	int skip_interpolation;
	const char *env_file;         /* --env-file or NULL */
	const char *output;           /* -o FILE (written atomically) or NULL: out */
	const char *const *envp;      /* the deploying environment (NAME=VALUE, NULL-ended) */
};

/* How a convert ended (each stage of c2s_convert says it; what happened is
 * already said on err). */
enum c2s_convert_status {
	C2S_CONVERT_OK = 0,        /* written */
	C2S_CONVERT_REFUSED,       /* docker would refuse the input */
	C2S_CONVERT_USAGE,         /* no file, an option's value wrong */
	C2S_CONVERT_UNREADABLE,    /* a -c file or the --env-file cannot be read */
	C2S_CONVERT_LIMIT,         /* a resource limit was hit */
	C2S_CONVERT_NOMEM,         /* out of memory */
	C2S_CONVERT_WRITE_FAILED   /* the output could not be written */
};

/* The exit status of each (enum c2s_exit): refused is 1, every other failure 2.
 * main.c maps convert's status with it; plan and deploy, which convert first, too. */
static inline int c2s_convert_exit(enum c2s_convert_status st)
{
	return st == C2S_CONVERT_OK ? C2S_EXIT_OK : st == C2S_CONVERT_REFUSED ? C2S_EXIT_FINDINGS
									  : C2S_EXIT_TROUBLE;
}

/* `compose2swarm convert`: what `docker stack config` (or deploy) makes of the
 * files, to out or o->output; diagnostics to err. */
enum c2s_convert_status c2s_convert(const struct c2s_convert_options *opts, FILE *out, FILE *err);

struct c2s_plan_options {
	const char *const *files;     /* -c files, merged in order */
	size_t nfiles;
	const char *stack;            /* the stack name (last argument) */
	int prune;                    /* --prune: services of the stack not in the files are deleted */
	const char *resolve_image;    /* --resolve-image always (default, NULL), changed, never */
	const char *state;            /* --state FILE ("-": standard input); NULL: ask the daemon */
	const char *host;             /* -H/--host, or NULL: DOCKER_HOST, the context, the default socket */
	const char *api_version;      /* --api-version: the daemon's, with --state (default 1.50) */
	const char *format;           /* "text" (default, NULL) or "json" */
	int verbose;                  /* -v: list unchanged objects too (text) */
	int color;                    /* 1: ANSI colours in the text format */
	const char *const *envp;      /* the deploying environment (NAME=VALUE, NULL-ended) */
};

/* `compose2swarm plan`: what `docker stack deploy` would change, to out;
 * problems to err. 0 nothing would change, 1 something would (or would
 * fail), 2 trouble (an enum c2s_exit). */
int c2s_plan(const struct c2s_plan_options *opts, FILE *out, FILE *err);
/* Parse a --resolve-image value (NULL is always): 0 always, 1 changed, 2 never; -1 unknown. */
int c2s_plan_resolve_parse(const char *s);
struct c2s_migrate_options {
	const char *const *files;     /* -c files (the first is the project's, the rest override it);
					 none: the project's default file and its override */
	size_t nfiles;
	const char *const *env_files; /* --env-file; none: the project directory's .env when present */
	size_t nenv_files;
	const char *const *profiles;  /* --profile; none: COMPOSE_PROFILES */
	size_t nprofiles;
	const char *project_name;     /* -p; NULL: COMPOSE_PROJECT_NAME, name:, the directory */
	int keep_variables;           /* keep ${VAR} for docker stack deploy to substitute */
	const char *image_prefix;     /* image of a build without one: PREFIX<project>-<service> */
	int materialize;              /* write environment:/content: secrets and configs to files */
	const char *output;           /* -o FILE (atomically); NULL: out */
	int in_place;                 /* --in-place: replace the one input file */
	enum c2s_format format;       /* the report's format */
	int color;
	const char *const *envp;      /* the process environment (NAME=VALUE, NULL-ended) */
};

/* `compose2swarm migrate`: one stack file docker stack deploy accepts, from a docker
 * compose project, to out (or o->output); the report of every change to err.
 * Returns 0 written, 1 something needs the user (nothing written), 2 trouble. */
int c2s_migrate(const struct c2s_migrate_options *opts, FILE *out, FILE *err);

struct c2s_deploy_options {
	const char *const *files;     /* -c files, merged in order */
	size_t nfiles;
	const char *stack;            /* the stack name (last argument) */
	int prune;                    /* --prune: services of the stack not in the files are removed */
	const char *resolve_image;    /* --resolve-image always (default, NULL), changed, never */
	int with_registry_auth;       /* --with-registry-auth: X-Registry-Auth from the docker config */
	int wait;                     /* 1 --wait, 0 --detach, -1 neither: wait on a terminal */
	const char *wait_timeout;     /* --wait=TIMEOUT (a Go duration or seconds); NULL: 10 minutes */
	int yes;                      /* --yes: apply without asking */
	int plan_only;                /* --plan-only: stop after the plan (exit as plan) */
	int interactive;              /* standard input and error are a terminal: ask, and wait by default */
	int tty_progress;             /* standard output is a terminal: progress lines rewritten in place */
	FILE *answer;                 /* where the answer to "apply?" is read */
	enum c2s_severity fail_on;    /* the lint gate's level */
	int fail_on_set;              /* --fail-on given (else a config file may set it; default warning) */
	const char *config_file;      /* --config: lint settings */
	const char *host;             /* -H/--host, or NULL */
	const char *context;          /* --context, or NULL */
	int color;                    /* ANSI colours in the plan (standard output) */
	int color_findings;           /* ANSI colours in the lint gate's findings (standard error) */
	const char *const *envp;      /* the deploying environment (NAME=VALUE, NULL-ended) */
};

/* `compose2swarm deploy`: lint gate, plan, confirmation, the requests docker
 * stack deploy sends, then (with --wait) the wait. 0 applied (and
 * converged); 1 gate failed, refused, not confirmed, rolled back, paused,
 * failing or timed out; 2 trouble (an enum c2s_exit). */
int c2s_deploy(const struct c2s_deploy_options *opts, FILE *out, FILE *err);

/* `compose2swarm rules`: the rule table as text or JSON. */
int c2s_rules_list(enum c2s_format format, FILE *out, FILE *err);

/* `compose2swarm explain ID`: the rule's documentation page. */
int c2s_rules_explain(const char *rule, FILE *out, FILE *err);

/* Is the Engine API client (libcurl) built in? 0 after ./configure --without-curl. */
int c2s_engine_available(void);
/* libcurl's version line, or a sentence saying the client is not built in. */
const char *c2s_engine_client_version(void);

/* Parse "error", "warning", "info", "none"; -1 if none of them. */
int c2s_severity_parse(const char *s);
const char *c2s_severity_name(enum c2s_severity sev);
/* Parse a --format name; -1 if unknown. */
int c2s_format_parse(const char *s);

#ifdef __cplusplus
}
#endif
#endif
