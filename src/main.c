/* main.c -- compose2swarm's command line: parse arguments, dispatch to libc2s. Nothing else. */
#include "config.h"
#include "compose2swarm.h"

#include <getopt.h>
#if defined(__GLIBC__)
#include <malloc.h>
#endif
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

extern char **environ;

/* Each command's synopsis and options; `compose2swarm --help` prints them all,
 * `compose2swarm CMD --help` its own. */
static const char lint_synopsis[] = "lint    [OPTIONS] [FILE...]";
static const char lint_help[] =
	"lint options:\n"
	"  -f, --format FMT          text (default), gnu, json, sarif, checkstyle, junit,\n"
	"                            github, codeclimate\n"
	"      --fail-on LEVEL       error, warning (default), info, none\n"
	"      --enable RULE         turn a rule on (id or name)\n"
	"      --disable RULE        turn a rule off\n"
	"      --severity RULE=LEVEL give a rule another severity\n"
	"      --engine-version X.Y  the oldest Docker Engine the stack must run on\n"
	"      --stack NAME          the stack name it is deployed as: names swarm checks\n"
	"                            (NAME_service...) are judged in full\n"
	"      --env-file FILE       variables for ${VAR}, on top of the environment\n"
	"      --no-interpolate      leave ${VAR} unexpanded\n"
	"  -c, --compose-file FILE   one file of a stack; several -c are merged and judged\n"
	"                            as one stack, as docker stack deploy -c a -c b does\n"
	"      --config FILE         lint settings (default: .compose2swarm.yml found\n"
	"                            upward from each file's directory)\n"
	"      --fix                 rewrite files in place for fixable findings\n"
	"      --diff                print those rewrites as a unified diff instead\n"
	"      --stdin-filename NAME the name to report for '-' (standard input)\n"
	"      --color[=WHEN]        colour the text report: auto (default: on a terminal),\n"
	"                            always, never\n"
	"      --docs-url URL        where the rule pages are (SARIF helpUri): URL/ID.md,\n"
	"                            or URL with {id} replaced by the rule id\n";
static const char convert_synopsis[] = "convert [OPTIONS] [-c FILE]...";
static const char convert_help[] =
	"convert options:\n"
	"  -c, --compose-file FILE   a Compose file (repeatable: merged in order)\n"
	"      --to yaml|api         docker stack config output (default) or Engine API bodies\n"
	"      --stack NAME          stack name for --to api (default stack)\n"
	"      --api-version X.YY    Engine API version for --to api (default 1.50)\n"
	"      --skip-interpolation  keep ${VAR} as written\n"
	"      --env-file FILE       variables for interpolation\n"
	"  -o, --output FILE         write FILE atomically instead of standard output\n";
static const char plan_synopsis[] = "plan    [OPTIONS] [-c FILE]... STACK";
static const char plan_help[] =
	"plan options (docker stack deploy's, then what plan adds):\n"
	"  -c, --compose-file FILE   a Compose file (repeatable, or FILE,FILE: merged in order)\n"
	"      --prune               services of the stack not in the files are deleted\n"
	"      --resolve-image WHEN  always (default), changed or never, as docker stack deploy\n"
	"      --with-registry-auth, -d, --detach, -q, --quiet\n"
	"                            docker stack deploy's, accepted; they change no plan\n"
	"      --state FILE          compare with what `docker inspect` printed for the\n"
	"                            stack's objects ('-': standard input), not the daemon\n"
	"      --api-version X.YY    the daemon's API version, with --state (default 1.50)\n"
	"  -H, --host HOST           the daemon (default: DOCKER_HOST, the docker context,\n"
	"                            unix:///var/run/docker.sock); plan only reads from it\n"
	"  -f, --format FMT          text (default) or json\n"
	"  -v, --verbose             list unchanged objects too\n"
	"      --color[=WHEN]        colour the text: auto (default: on a terminal), always, never\n"
	"  exit status: 0 nothing would change, 1 something would change or fail, 2 trouble\n";
static const char deploy_synopsis[] = "deploy  [OPTIONS] [-c FILE]... STACK";
static const char deploy_help[] =
	"deploy options (docker stack deploy's, then what deploy adds):\n"
	"  -c, --compose-file FILE   a Compose file (repeatable: merged in order)\n"
	"      --prune               remove services of the stack the files no longer have\n"
	"      --resolve-image WHEN  always (default), changed or never, as docker stack deploy\n"
	"      --with-registry-auth  send registry credentials from the docker config\n"
	"  -d, --detach              do not wait for the services to converge\n"
	"      --wait[=TIMEOUT]      wait until every service deployed converges (default on\n"
	"                            a terminal; TIMEOUT 10m unless given, as 90s, 10m...)\n"
	"  -y, --yes                 apply without asking (needed without a terminal)\n"
	"      --plan-only           print the plan and stop (exit as plan)\n"
	"      --fail-on LEVEL       the lint gate: error, warning (default), info, none\n"
	"      --config FILE         lint settings (default: .compose2swarm.yml found upward)\n"
	"  -H, --host HOST           the daemon (default: DOCKER_HOST, the docker context,\n"
	"                            unix:///var/run/docker.sock)\n"
	"      --context NAME        a docker context instead of the current one\n"
	"      --color[=WHEN]        colour findings and plan: auto (default), always, never\n"
	"  exit status: 0 applied (and converged), 1 gate failed, refused, not confirmed,\n"
	"  rolled back, paused, failing or timed out, 2 trouble\n";
static const char migrate_synopsis[] = "migrate [OPTIONS] [-c FILE]...";
static const char migrate_help[] =
	"migrate options:\n"
	"  -c, --compose-file FILE   the project's file, then its overrides (default: compose.yaml\n"
	"                            or docker-compose.yml and its override, found as docker compose does)\n"
	"      --env-file FILE       variables for ${VAR} (repeatable; default: the project's .env)\n"
	"      --profile NAME        keep the services of this profile (repeatable; default COMPOSE_PROFILES)\n"
	"  -p, --project-name NAME   the project's name (default: COMPOSE_PROJECT_NAME, name:, the directory)\n"
	"      --keep-variables      leave ${VAR} for docker stack deploy to substitute\n"
	"      --image-prefix PREFIX image of a service with only build: PREFIX<project>-<service>\n"
	"  -o, --output FILE         write the stack file to FILE atomically (default: standard output)\n"
	"      --in-place            replace the one -c file with the stack file\n"
	"      --materialize         secrets and configs from environment: or content: written to\n"
	"                            NAME.secret / NAME.config beside the stack file, as file:\n"
	"  -f, --format FMT          the report on standard error: text (default), gnu, json, sarif,\n"
	"                            checkstyle, junit, github, codeclimate\n"
	"  Exit status: 0 written, 1 something needs you (nothing written), 2 trouble.\n";
static const char rules_synopsis[] = "rules   [--format text|json]";
static const char explain_synopsis[] = "explain RULE";

static const char usage_tail[] =
	"Exit status: 0 nothing at or above --fail-on, 1 findings, 2 trouble\n"
	"(bad usage, unreadable file, a resource limit hit).\n"
	"Colour (--color=auto) is used on a terminal unless NO_COLOR is set and not empty;\n"
	"FORCE_COLOR or CLICOLOR_FORCE (not empty, not 0) turn it on anywhere.\n"
	"See `compose2swarm rules` and `compose2swarm explain RULE`.\n";

static void usage_of(const char *name); /* a command's own --help */

static int usage_error(const char *fmt, const char *arg)
{
	fputs("compose2swarm: ", stderr);
	fprintf(stderr, fmt, arg);
	fputs("\nTry 'compose2swarm --help'.\n", stderr);
	return C2S_EXIT_TROUBLE;
}

/* Growable argument lists; freed at exit by the OS is not our style, so main frees them. */
struct list {
	const char **v;
	size_t n, cap;
};

static int list_add(struct list *l, const char *s)
{
	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 8;
		const char **v = realloc(l->v, cap * sizeof *v);
		if (!v)
			return -1;
		l->v = v;
		l->cap = cap;
	}
	l->v[l->n++] = s;
	return 0;
}

enum {
	OPT_FAIL_ON = 256, OPT_ENABLE, OPT_DISABLE, OPT_SEVERITY, OPT_ENGINE, OPT_STDIN_NAME,
	OPT_CONFIG, OPT_ENV_FILE, OPT_NO_INTERP, OPT_FIX, OPT_DIFF, OPT_COLOR, OPT_DOCS_URL, OPT_LINT_STACK
};

/* An environment variable that is set to something: NO_COLOR counts only when
 * not empty (no-color.org), and FORCE_COLOR=0 or CLICOLOR_FORCE=0 mean "no". */
static int env_set(const char *name)
{
	const char *v = getenv(name);
	return v && *v;
}

static int env_yes(const char *name)
{
	const char *v = getenv(name);
	return v && *v && strcmp(v, "0") != 0 && strcmp(v, "false") != 0;
}

/* --color=WHEN: "always", "never", or "auto" (-1: not one of them). auto looks
 * at NO_COLOR, then FORCE_COLOR / CLICOLOR_FORCE, then whether fd is a terminal. */
static int color_choice(const char *when, int fd)
{
	if (!when || strcmp(when, "always") == 0 || strcmp(when, "yes") == 0 || strcmp(when, "force") == 0)
		return 1;
	if (strcmp(when, "never") == 0 || strcmp(when, "no") == 0 || strcmp(when, "none") == 0)
		return 0;
	if (strcmp(when, "auto") != 0 && strcmp(when, "tty") != 0 && strcmp(when, "if-tty") != 0)
		return -1;
	if (env_set("NO_COLOR"))
		return 0;
	if (env_set("FORCE_COLOR"))
		return env_yes("FORCE_COLOR");
	if (env_yes("CLICOLOR_FORCE"))
		return 1;
	return isatty(fd);
}

/* --color[=WHEN] (no WHEN: always), checked when given, used once the
 * output is known. */
static int color_option(const char **color)
{
	*color = optarg;
	if (color_choice(optarg, STDOUT_FILENO) < 0) {
		usage_error("--color wants auto, always or never, not '%s'", optarg);
		return -1;
	}
	return 0;
}

/* plan and deploy take docker stack deploy's operands: files with -c, the
 * stack name last. */
static int stack_operand(const char *cmd, int argc, char **argv, size_t nfiles, const char **stack)
{
	if (optind != argc - 1) {
		fprintf(stderr, "compose2swarm: %s %s\nTry 'compose2swarm --help'.\n", cmd,
			optind == argc ? "wants the stack name as its last argument"
				       : "takes files with -c and one stack name");
		return -1;
	}
	if (!nfiles) {
		usage_error("%s", "Specify a Compose file (with -c FILE)");
		return -1;
	}
	*stack = argv[optind];
	return 0;
}

static int cmd_lint(int argc, char **argv)
{
	static const struct option longopts[] = {
		{"format", required_argument, NULL, 'f'},
		{"fail-on", required_argument, NULL, OPT_FAIL_ON},
		{"enable", required_argument, NULL, OPT_ENABLE},
		{"disable", required_argument, NULL, OPT_DISABLE},
		{"severity", required_argument, NULL, OPT_SEVERITY},
		{"engine-version", required_argument, NULL, OPT_ENGINE},
		{"stack", required_argument, NULL, OPT_LINT_STACK},
		{"compose-file", required_argument, NULL, 'c'},
		{"stdin-filename", required_argument, NULL, OPT_STDIN_NAME},
		{"config", required_argument, NULL, OPT_CONFIG},
		{"env-file", required_argument, NULL, OPT_ENV_FILE},
		{"no-interpolate", no_argument, NULL, OPT_NO_INTERP},
		{"fix", no_argument, NULL, OPT_FIX},
		{"diff", no_argument, NULL, OPT_DIFF},
		{"color", optional_argument, NULL, OPT_COLOR},
		{"colour", optional_argument, NULL, OPT_COLOR},
		{"docs-url", required_argument, NULL, OPT_DOCS_URL},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	struct c2s_lint_options o;
	memset(&o, 0, sizeof o);
	o.format = C2S_FORMAT_TEXT;
	o.fail_on = C2S_SEVERITY_WARNING;
	struct list files = {0}, compose = {0};
	struct c2s_rule_override *ov = calloc((size_t)argc, sizeof *ov);
	int status = C2S_EXIT_TROUBLE, c;
	const char *color = "auto";
	if (!ov)
		return usage_error("%s", "out of memory");
	optind = 1;
	while ((c = getopt_long(argc, argv, "f:c:h", longopts, NULL)) != -1) {
		int v;
		char *eq;
		switch (c) {
		case 'f':
			if ((v = c2s_format_parse(optarg)) < 0) {
				usage_error("unknown format '%s' (text, gnu, json, sarif, checkstyle, junit, github, "
					    "codeclimate)", optarg);
				goto out;
			}
			o.format = (enum c2s_format)v;
			break;
		case OPT_FAIL_ON:
			if ((v = c2s_severity_parse(optarg)) < 0) {
				usage_error("--fail-on wants error, warning, info or none, not '%s'", optarg);
				goto out;
			}
			o.fail_on = (enum c2s_severity)v;
			o.fail_on_set = 1;
			break;
		case OPT_ENABLE:
		case OPT_DISABLE:
			ov[o.noverrides++] = (struct c2s_rule_override){optarg, c == OPT_ENABLE, C2S_SEVERITY_NONE};
			break;
		case OPT_SEVERITY:
			eq = strchr(optarg, '=');
			if (!eq || (v = c2s_severity_parse(eq + 1)) <= 0) {
				usage_error("--severity wants RULE=LEVEL with LEVEL error, warning or info, not '%s'", optarg);
				goto out;
			}
			*eq = '\0';
			ov[o.noverrides++] = (struct c2s_rule_override){optarg, -1, (enum c2s_severity)v};
			break;
		case OPT_ENGINE:
			o.engine_version = optarg;
			break;
		case OPT_LINT_STACK:
			o.stack = optarg;
			break;
		case 'c':
			if (list_add(&compose, optarg) != 0)
				goto out;
			break;
		case OPT_STDIN_NAME:
			o.stdin_filename = optarg;
			break;
		case OPT_CONFIG:
			o.config_file = optarg;
			break;
		case OPT_FIX:
			o.fix = 1;
			break;
		case OPT_DIFF:
			o.diff = 1;
			break;
		case OPT_ENV_FILE:
			o.env_file = optarg;
			break;
		case OPT_NO_INTERP:
			o.no_interpolate = 1;
			break;
		case OPT_COLOR:
			if (color_option(&color) < 0)
				goto out;
			break;
		case OPT_DOCS_URL:
			if (!strstr(optarg, "://")) {
				usage_error("--docs-url wants an absolute URL such as https://example.org/docs/rules/, "
					    "not '%s'", optarg);
				goto out;
			}
			o.docs_url = optarg;
			break;
		case 'h':
			usage_of("lint");
			status = C2S_EXIT_OK;
			goto out;
		default:
			fputs("Try 'compose2swarm --help'.\n", stderr);
			goto out;
		}
	}
	for (int i = optind; i < argc; i++)
		if (list_add(&files, argv[i]) != 0)
			goto out;
	if (o.fix && o.diff) {
		usage_error("%s", "give --fix or --diff, not both");
		goto out;
	}
	if (files.n && compose.n) {
		usage_error("%s", "give files either as arguments or with -c, not both");
		goto out;
	}
	o.files = files.v;
	o.nfiles = files.n;
	o.compose = compose.v;
	o.ncompose = compose.n;
	o.overrides = ov;
	o.envp = (const char *const *)environ;
	o.color = o.format == C2S_FORMAT_TEXT && color_choice(color, STDOUT_FILENO) == 1;
	status = c2s_lint(&o, stdout, stderr);
out:
	free(files.v);
	free(compose.v);
	free(ov);
	return status;
}

static int cmd_rules(int argc, char **argv)
{
	static const struct option longopts[] = {
		{"format", required_argument, NULL, 'f'},
		{NULL, 0, NULL, 0},
	};
	enum c2s_format format = C2S_FORMAT_TEXT;
	int c;
	optind = 1;
	while ((c = getopt_long(argc, argv, "f:", longopts, NULL)) != -1) {
		if (c != 'f' || (strcmp(optarg, "text") != 0 && strcmp(optarg, "json") != 0))
			return usage_error("%s", "rules takes --format text|json");
		format = (enum c2s_format)c2s_format_parse(optarg);
	}
	if (optind != argc)
		return usage_error("rules takes no argument '%s'", argv[optind]);
	return c2s_rules_list(format, stdout, stderr);
}

static int cmd_convert(int argc, char **argv)
{
	enum { OPT_TO = 300, OPT_STACK, OPT_API_VERSION, OPT_SKIP_INTERP, OPT_CENV_FILE };
	static const struct option longopts[] = {
		{"compose-file", required_argument, NULL, 'c'},
		{"to", required_argument, NULL, OPT_TO},
		{"stack", required_argument, NULL, OPT_STACK},
		{"api-version", required_argument, NULL, OPT_API_VERSION},
		{"skip-interpolation", no_argument, NULL, OPT_SKIP_INTERP},
		{"env-file", required_argument, NULL, OPT_CENV_FILE},
		{"output", required_argument, NULL, 'o'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	struct c2s_convert_options o;
	memset(&o, 0, sizeof o);
	struct list files = {0};
	int status = C2S_EXIT_TROUBLE, c;
	optind = 1;
	while ((c = getopt_long(argc, argv, "c:o:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'c':
			if (list_add(&files, optarg) != 0)
				goto out;
			break;
		case OPT_TO:
			if (strcmp(optarg, "yaml") != 0 && strcmp(optarg, "api") != 0) {
				usage_error("--to wants yaml or api, not '%s'", optarg);
				goto out;
			}
			o.to = optarg;
			break;
		case OPT_STACK:
			o.stack = optarg;
			break;
		case OPT_API_VERSION:
			o.api_version = optarg;
			break;
		case OPT_SKIP_INTERP:
			o.skip_interpolation = 1;
			break;
		case OPT_CENV_FILE:
			o.env_file = optarg;
			break;
		case 'o':
			o.output = optarg;
			break;
		case 'h':
			usage_of("convert");
			status = C2S_EXIT_OK;
			goto out;
		default:
			fputs("Try 'compose2swarm --help'.\n", stderr);
			goto out;
		}
	}
	if (optind != argc) {
		usage_error("convert takes files with -c, not '%s'", argv[optind]);
		goto out;
	}
	o.files = files.v;
	o.nfiles = files.n;
	o.envp = (const char *const *)environ;
	status = c2s_convert_exit(c2s_convert(&o, stdout, stderr));
out:
	free(files.v);
	return status;
}

/* A Go flag boolean (strconv.ParseBool); NULL (no =value) is true. -1 if not one. */
static int go_bool(const char *s)
{
	static const char *const yes[] = {"1", "t", "T", "TRUE", "true", "True"};
	static const char *const no[] = {"0", "f", "F", "FALSE", "false", "False"};
	if (!s)
		return 1;
	for (size_t i = 0; i < 6; i++) {
		if (strcmp(s, yes[i]) == 0)
			return 1;
		if (strcmp(s, no[i]) == 0)
			return 0;
	}
	return -1;
}

static int cmd_plan(int argc, char **argv)
{
	enum { OPT_PRUNE = 400, OPT_RESOLVE, OPT_STATE, OPT_PAPI, OPT_PCOLOR, OPT_AUTH, OPT_DETACH, OPT_QUIET };
	static const struct option longopts[] = {
		{"compose-file", required_argument, NULL, 'c'},
		{"prune", optional_argument, NULL, OPT_PRUNE},
		{"with-registry-auth", optional_argument, NULL, OPT_AUTH},
		{"detach", optional_argument, NULL, OPT_DETACH},
		{"quiet", optional_argument, NULL, OPT_QUIET},
		{"resolve-image", required_argument, NULL, OPT_RESOLVE},
		{"state", required_argument, NULL, OPT_STATE},
		{"api-version", required_argument, NULL, OPT_PAPI},
		{"host", required_argument, NULL, 'H'},
		{"format", required_argument, NULL, 'f'},
		{"verbose", no_argument, NULL, 'v'},
		{"color", optional_argument, NULL, OPT_PCOLOR},
		{"colour", optional_argument, NULL, OPT_PCOLOR},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	const char *color = "auto";
	struct c2s_plan_options o;
	memset(&o, 0, sizeof o);
	struct list files = {0};
	int status = C2S_EXIT_TROUBLE, c;
	optind = 1;
	while ((c = getopt_long(argc, argv, "c:H:f:vhd::q::", longopts, NULL)) != -1) {
		int b;
		switch (c) {
		case 'c':
			/* docker's -c is a list: -c a.yml,b.yml is two files */
			for (char *p = optarg, *comma; p; p = comma ? comma + 1 : NULL) {
				if ((comma = strchr(p, ',')))
					*comma = '\0';
				if (*p && list_add(&files, p) != 0)
					goto out;
			}
			break;
		case OPT_PRUNE:
		case OPT_AUTH:
		case OPT_DETACH:
		case OPT_QUIET:
		case 'd':
		case 'q':
			/* docker's booleans (--prune=false, -d=false); deploy's own flags change no plan */
			if ((b = go_bool(optarg && optarg[0] == '=' ? optarg + 1 : optarg)) < 0) {
				usage_error("invalid boolean value '%s'", optarg);
				goto out;
			}
			if (c == OPT_PRUNE)
				o.prune = b;
			break;
		case OPT_RESOLVE:
			if (c2s_plan_resolve_parse(optarg) < 0) {
				usage_error("--resolve-image wants always, changed or never, not '%s'", optarg);
				goto out;
			}
			o.resolve_image = optarg;
			break;
		case OPT_STATE:
			o.state = optarg;
			break;
		case OPT_PAPI:
			o.api_version = optarg;
			break;
		case 'H':
			o.host = optarg;
			break;
		case 'f':
			if (strcmp(optarg, "text") != 0 && strcmp(optarg, "json") != 0) {
				usage_error("plan's --format is text or json, not '%s'", optarg);
				goto out;
			}
			o.format = optarg;
			break;
		case 'v':
			o.verbose = 1;
			break;
		case OPT_PCOLOR:
			if (color_option(&color) < 0)
				goto out;
			break;
		case 'h':
			usage_of("plan");
			status = C2S_EXIT_OK;
			goto out;
		default:
			fputs("Try 'compose2swarm --help'.\n", stderr);
			goto out;
		}
	}
	if (stack_operand("plan", argc, argv, files.n, &o.stack) < 0)
		goto out;
	o.files = files.v;
	o.nfiles = files.n;
	o.envp = (const char *const *)environ;
	o.color = (!o.format || strcmp(o.format, "text") == 0) && color_choice(color, STDOUT_FILENO) == 1;
	status = c2s_plan(&o, stdout, stderr);
out:
	free(files.v);
	return status;
}

static int cmd_deploy(int argc, char **argv)
{
	enum { OPT_PRUNE = 500, OPT_RESOLVE, OPT_AUTH, OPT_WAIT, OPT_PLAN_ONLY, OPT_FAIL_ON_D, OPT_CONFIG_D,
	       OPT_CONTEXT, OPT_DCOLOR };
	static const struct option longopts[] = {
		{"compose-file", required_argument, NULL, 'c'},
		{"prune", no_argument, NULL, OPT_PRUNE},
		{"resolve-image", required_argument, NULL, OPT_RESOLVE},
		{"with-registry-auth", no_argument, NULL, OPT_AUTH},
		{"detach", no_argument, NULL, 'd'},
		{"wait", optional_argument, NULL, OPT_WAIT},
		{"yes", no_argument, NULL, 'y'},
		{"plan-only", no_argument, NULL, OPT_PLAN_ONLY},
		{"fail-on", required_argument, NULL, OPT_FAIL_ON_D},
		{"config", required_argument, NULL, OPT_CONFIG_D},
		{"host", required_argument, NULL, 'H'},
		{"context", required_argument, NULL, OPT_CONTEXT},
		{"color", optional_argument, NULL, OPT_DCOLOR},
		{"colour", optional_argument, NULL, OPT_DCOLOR},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	const char *color = "auto";
	struct c2s_deploy_options o;
	memset(&o, 0, sizeof o);
	o.wait = -1;
	struct list files = {0};
	int status = C2S_EXIT_TROUBLE, c, v;
	optind = 1;
	while ((c = getopt_long(argc, argv, "c:dyH:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'c':
			if (list_add(&files, optarg) != 0)
				goto out;
			break;
		case OPT_PRUNE:
			o.prune = 1;
			break;
		case OPT_RESOLVE:
			if (c2s_plan_resolve_parse(optarg) < 0) {
				usage_error("--resolve-image wants always, changed or never, not '%s'", optarg);
				goto out;
			}
			o.resolve_image = optarg;
			break;
		case OPT_AUTH:
			o.with_registry_auth = 1;
			break;
		case 'd':
			if (o.wait == 1) {
				usage_error("%s", "give --detach or --wait, not both");
				goto out;
			}
			o.wait = 0;
			break;
		case OPT_WAIT:
			if (o.wait == 0) {
				usage_error("%s", "give --detach or --wait, not both");
				goto out;
			}
			o.wait = 1;
			o.wait_timeout = optarg;
			break;
		case 'y':
			o.yes = 1;
			break;
		case OPT_PLAN_ONLY:
			o.plan_only = 1;
			break;
		case OPT_FAIL_ON_D:
			if ((v = c2s_severity_parse(optarg)) < 0) {
				usage_error("--fail-on wants error, warning, info or none, not '%s'", optarg);
				goto out;
			}
			o.fail_on = (enum c2s_severity)v;
			o.fail_on_set = 1;
			break;
		case OPT_CONFIG_D:
			o.config_file = optarg;
			break;
		case 'H':
			o.host = optarg;
			break;
		case OPT_CONTEXT:
			o.context = optarg;
			break;
		case OPT_DCOLOR:
			if (color_option(&color) < 0)
				goto out;
			break;
		case 'h':
			usage_of("deploy");
			status = C2S_EXIT_OK;
			goto out;
		default:
			fputs("Try 'compose2swarm --help'.\n", stderr);
			goto out;
		}
	}
	if (stack_operand("deploy", argc, argv, files.n, &o.stack) < 0)
		goto out;
	o.files = files.v;
	o.nfiles = files.n;
	o.envp = (const char *const *)environ;
	o.interactive = isatty(STDIN_FILENO) && isatty(STDERR_FILENO);
	o.tty_progress = isatty(STDOUT_FILENO);
	o.answer = stdin;
	o.color = color_choice(color, STDOUT_FILENO) == 1;
	o.color_findings = color_choice(color, STDERR_FILENO) == 1;
	status = c2s_deploy(&o, stdout, stderr);
out:
	free(files.v);
	return status;
}

static int cmd_migrate(int argc, char **argv)
{
	enum { OPT_MENV = 400, OPT_PROFILE, OPT_KEEP, OPT_PREFIX, OPT_INPLACE, OPT_MATERIALIZE };
	static const struct option longopts[] = {
		{"compose-file", required_argument, NULL, 'c'},
		{"env-file", required_argument, NULL, OPT_MENV},
		{"profile", required_argument, NULL, OPT_PROFILE},
		{"project-name", required_argument, NULL, 'p'},
		{"keep-variables", no_argument, NULL, OPT_KEEP},
		{"image-prefix", required_argument, NULL, OPT_PREFIX},
		{"output", required_argument, NULL, 'o'},
		{"in-place", no_argument, NULL, OPT_INPLACE},
		{"materialize", no_argument, NULL, OPT_MATERIALIZE},
		{"format", required_argument, NULL, 'f'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	struct c2s_migrate_options o;
	memset(&o, 0, sizeof o);
	struct list files = {0}, envs = {0}, profiles = {0};
	int status = C2S_EXIT_TROUBLE, c, v;
	optind = 1;
	while ((c = getopt_long(argc, argv, "c:p:o:f:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'c':
			if (list_add(&files, optarg) != 0)
				goto out;
			break;
		case OPT_MENV:
			if (list_add(&envs, optarg) != 0)
				goto out;
			break;
		case OPT_PROFILE:
			if (list_add(&profiles, optarg) != 0)
				goto out;
			break;
		case 'p':
			o.project_name = optarg;
			break;
		case OPT_KEEP:
			o.keep_variables = 1;
			break;
		case OPT_PREFIX:
			o.image_prefix = optarg;
			break;
		case 'o':
			o.output = optarg;
			break;
		case OPT_INPLACE:
			o.in_place = 1;
			break;
		case OPT_MATERIALIZE:
			o.materialize = 1;
			break;
		case 'f':
			if ((v = c2s_format_parse(optarg)) < 0) {
				usage_error("unknown format '%s' (text, gnu, json, sarif, checkstyle, junit, github, "
					    "codeclimate)", optarg);
				goto out;
			}
			o.format = (enum c2s_format)v;
			break;
		case 'h':
			usage_of("migrate");
			status = C2S_EXIT_OK;
			goto out;
		default:
			fputs("Try 'compose2swarm --help'.\n", stderr);
			goto out;
		}
	}
	if (optind != argc) {
		usage_error("migrate takes files with -c, not '%s'", argv[optind]);
		goto out;
	}
	if (o.in_place && o.output) {
		usage_error("%s", "give -o or --in-place, not both");
		goto out;
	}
	if (o.in_place && files.n != 1) {
		usage_error("%s", "--in-place rewrites one file: name it with one -c");
		goto out;
	}
	if (o.materialize && !o.in_place && !o.output) {
		usage_error("%s", "--materialize writes files beside the stack file: give -o or --in-place");
		goto out;
	}
	o.files = files.v;
	o.nfiles = files.n;
	o.env_files = envs.v;
	o.nenv_files = envs.n;
	o.profiles = profiles.v;
	o.nprofiles = profiles.n;
	o.envp = (const char *const *)environ;
	o.color = o.format == C2S_FORMAT_TEXT && isatty(STDERR_FILENO) && !getenv("NO_COLOR");
	status = c2s_migrate(&o, stdout, stderr);
out:
	free(files.v);
	free(envs.v);
	free(profiles.v);
	return status;
}

/* glibc raises its mmap threshold each time a large block is freed, after which
 * growing buffers (diagnostics, the string pool) are realloc'd by copying on the
 * heap, and the freed copies stay resident. A fixed threshold keeps every large
 * block in its own mapping: grown with mremap, returned on free (peak RSS). */
#define C2S_MMAP_THRESHOLD_BYTES (64 * 1024)
#define C2S_TRIM_THRESHOLD_BYTES (128 * 1024)

static int cmd_explain(int argc, char **argv)
{
	if (argc != 2)
		return usage_error("%s", "explain takes one rule id or name");
	return c2s_rules_explain(argv[1], stdout, stderr);
}

/* The command table (tmux's cmd-*.c entries are the model): a new command is
 * one function above and one row here. */
static const struct command {
	const char *name;
	int (*run)(int argc, char **argv);
	const char *synopsis;
	const char *help; /* its options, or NULL */
} commands[] = {
	{"lint", cmd_lint, lint_synopsis, lint_help},
	{"convert", cmd_convert, convert_synopsis, convert_help},
	{"plan", cmd_plan, plan_synopsis, plan_help},
	{"deploy", cmd_deploy, deploy_synopsis, deploy_help},
	{"migrate", cmd_migrate, migrate_synopsis, migrate_help},
	{"rules", cmd_rules, rules_synopsis, NULL},
	{"explain", cmd_explain, explain_synopsis, NULL},
};
#define NCOMMANDS (sizeof commands / sizeof commands[0])

/* --help: every command's synopsis, then the options of one command (cmd) or of all. */
static void usage(const struct command *cmd)
{
	for (size_t i = 0; i < NCOMMANDS; i++)
		if (!cmd || cmd == &commands[i])
			printf("%s compose2swarm %s\n", (!cmd && i) ? "      " : "Usage:", commands[i].synopsis);
	printf("       compose2swarm --help | --version\n\n"
	       "Check Compose v3 files against what `docker stack deploy` will do with them.\n\n");
	for (size_t i = 0; i < NCOMMANDS; i++)
		if ((!cmd || cmd == &commands[i]) && commands[i].help)
			printf("%s\n", commands[i].help);
	fputs(usage_tail, stdout);
}

static void usage_of(const char *name)
{
	for (size_t i = 0; i < NCOMMANDS; i++)
		if (strcmp(commands[i].name, name) == 0)
			usage(&commands[i]);
}

static void command_names(char *buf, size_t n)
{
	size_t len = 0;
	buf[0] = '\0';
	for (size_t i = 0; i < NCOMMANDS && len < n; i++)
		len += (size_t)snprintf(buf + len, n - len, "%s%s", i ? ", " : "", commands[i].name);
}

int main(int argc, char **argv)
{
#if defined(__GLIBC__)
	mallopt(M_MMAP_THRESHOLD, C2S_MMAP_THRESHOLD_BYTES);
	mallopt(M_TRIM_THRESHOLD, C2S_TRIM_THRESHOLD_BYTES);
#endif
	char names[256];
	command_names(names, sizeof names);
	if (argc < 2)
		return usage_error("missing command (%s)", names);
	const char *cmd = argv[1];
	if (strcmp(cmd, "--help") == 0 || strcmp(cmd, "-h") == 0 || strcmp(cmd, "help") == 0) {
		usage(NULL);
		return C2S_EXIT_OK;
	}
	if (strcmp(cmd, "--version") == 0 || strcmp(cmd, "-V") == 0) {
		printf("compose2swarm %s\n", C2S_VERSION);
#ifdef C2S_STATIC_BINARY
		/* the static build has no libcurl (Debian's cannot be linked statically) */
		puts("static binary: libyaml, cJSON and the C library linked in; built without the Engine API\n"
		     "client, so plan and deploy need the container image or a dynamic build");
#else
		if (c2s_engine_available())
			printf("Engine API client: %s\n", c2s_engine_client_version());
		else
			printf("%s (use the container image or a build with libcurl)\n", c2s_engine_client_version());
#endif
		return C2S_EXIT_OK;
	}
	for (size_t i = 0; i < NCOMMANDS; i++) {
		if (strcmp(cmd, commands[i].name) != 0)
			continue;
		/* getopt names argv[0] in its own messages ("unrecognized option"):
		 * every message is ours, "compose2swarm: ...", not "lint: ..." */
		static char progname[] = "compose2swarm";
		argv[1] = progname;
		return commands[i].run(argc - 1, argv + 1);
	}
	fprintf(stderr, "compose2swarm: unknown command '%s' (%s)\nTry 'compose2swarm --help'.\n", cmd, names);
	return C2S_EXIT_TROUBLE;
}
