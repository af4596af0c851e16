/* emit_api.h -- the Engine API request bodies `docker stack deploy` posts for a model. */
#ifndef C2S_EMIT_API_H
#define C2S_EMIT_API_H

#include <stddef.h>

struct c2s_model;
struct c2s_buf;
struct c2s_diags;
struct c2s_emit_stream;

/* The API version emitted when none is asked for (docker CLI 28.2.2's). */
#define C2S_API_VERSION_DEFAULT "1.50"
/* Largest secret or config file read into a payload. */
#define C2S_MAX_OBJECT_FILE_BYTES ((size_t)64 << 20)

struct c2s_api_options {
	const char *stack;       /* the stack name: objects are named STACK_key */
	const char *api_version; /* "X.YY"; below 1.44 networks get CheckDuplicate */
	const char *workdir;     /* relative secret/config files are read from here */
	int discardable;         /* the output is thrown away on error (-o's temporary
				    file): services are not converted twice */
	int prechecked;          /* the stack passed c2s_deploy_checks (docker's refusals,
				    judged on the AST): the first pass only collects the
				    networks the services use, and each service is built once
				    more, to be written */
};

/* Is s a stack name docker accepts (not empty, no blanks only, no quotes)? */
int c2s_api_stack_name_ok(const char *s);
/* Is s an API version "X.Y" with numbers? */
int c2s_api_version_ok(const char *s);
/* Would `docker stack deploy --resolve-image never` refuse an engine with API
 * version v (below 1.30)? 1 with docker's message in msg, else 0. */
int c2s_api_version_refused(const char *v, char *msg, size_t n);

/* Convert the model as `docker stack deploy --resolve-image never` does and
 * append one JSON object {"networks","secrets","configs","services"} (each
 * list sorted by Name, SecretID/ConfigID "") to out, a service at a time:
 * st (may be NULL) builds lazy services and flushes out as it grows. When
 * docker would refuse the stack, adds its error as a diagnostic and returns
 * -1 (before anything is flushed unless o->discardable); -2 when out of
 * memory, a buffer limit was hit or flushing failed. */
int c2s_emit_api(const struct c2s_model *m, const struct c2s_api_options *o,
		 const struct c2s_emit_stream *st, struct c2s_buf *out, struct c2s_diags *diags);

#endif
