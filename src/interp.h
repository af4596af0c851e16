/* interp.h -- ${VAR} interpolation as docker/cli 28.2 does it, and the environment it reads. */
#ifndef C2S_INTERP_H
#define C2S_INTERP_H

#include <stddef.h>
#include <stdint.h>

#include "ast.h"
#include "buf.h"
#include "goval.h"

struct c2s_diags;

/* Variables one environment holds. */
#define C2S_ENV_MAX_VARS (1u << 20)
/* Longest interpolated value, as the longest scalar. */
#define C2S_INTERP_MAX_BYTES C2S_MAX_SCALAR_BYTES

/* ---- The scanner (scan_interp.re) ---- */

enum c2s_interp_kind {
	C2S_INTERP_END = 0,   /* pos >= n */
	C2S_INTERP_TEXT,      /* bytes without '$' */
	C2S_INTERP_ESCAPED,   /* "$$": one literal '$' */
	C2S_INTERP_VAR,       /* $NAME[OP] or ${NAME[OP]}: subst is NAME[OP] */
	C2S_INTERP_INVALID    /* a '$' that starts no reference (only the '$' is taken) */
};

struct c2s_interp_tok {
	enum c2s_interp_kind kind;
	size_t start, end;    /* the token's bytes */
	size_t subst, nsubst; /* VAR: offset and length of the text between "$"/"${" and the end/"}" */
};

/* The token of s[0..n) starting at pos; returns its end (where the next starts). */
size_t c2s_interp_scan(const char *s, size_t n, size_t pos, struct c2s_interp_tok *t);

/* ---- The environment ---- */

struct c2s_env;

/* An environment holding envp's NAME=VALUE entries (envp may be NULL: empty).
 * Entries without '=' or with an empty name are skipped. NULL: out of memory. */
struct c2s_env *c2s_env_new(const char *const *envp);
void c2s_env_free(struct c2s_env *e);
/* Set (or replace) a variable. 0, or -1 when out of memory or full. */
int c2s_env_set(struct c2s_env *e, const char *name, size_t nlen, const char *value, size_t vlen);
/* The value of name[0..nlen) (NUL-terminated, *vlen bytes) or NULL if unset. */
const char *c2s_env_get(const struct c2s_env *e, const char *name, size_t nlen, size_t *vlen);
size_t c2s_env_count(const struct c2s_env *e);

/* Read an env file into e; a bare KEY takes its value from lookup (if set there). */
enum c2s_envfile_status c2s_env_read_file(struct c2s_env *e, const char *path,
					  const struct c2s_env *lookup, char *err, size_t errsize);

/* ---- Substitution of one string ---- */

enum c2s_subst_status {
	C2S_SUBST_OK = 0,
	C2S_SUBST_INVALID,   /* docker: invalid template (the whole string is quoted) */
	C2S_SUBST_REQUIRED,  /* docker: "required variable NAME is missing a value: MSG" */
	C2S_SUBST_NOMEM      /* out buffer full */
};

struct c2s_subst_error {
	size_t at, end;            /* the reference docker's error comes from, in the input */
	size_t name, nname;        /* REQUIRED: the variable name and message, in the input */
	size_t msg, nmsg;
};

/* Each variable looked up: name[0..n) as docker looks it up; [at, end) its reference. */
typedef void (*c2s_lookup_fn)(void *ctx, const char *name, size_t n, int found, size_t at, size_t end);

/* Substitute s[0..n) into out (appended) exactly as docker/cli's template.Substitute:
 * a later reference resets an earlier error, as docker's does. */
enum c2s_subst_status c2s_substitute(const char *s, size_t n, const struct c2s_env *env,
				     struct c2s_buf *out, struct c2s_subst_error *err,
				     c2s_lookup_fn on_lookup, void *ctx);

/* ---- The pass over a document ---- */

/* Interpolate every string value of doc (not keys) in place, with docker's
 * type casts per path; each error becomes a diagnostic at the '$' (CS3001
 * syntax, CS3002 required variable, CS3003 cast). Rewritten scalars live in
 * doc->pool; c2s_node_interpolated() tells them. Returns the number of errors
 * reported, or -1 when out of memory. */
int c2s_interpolate(struct c2s_doc *doc, const struct c2s_env *env, struct c2s_diags *diags);

/* Was this scalar's value rewritten by interpolation? Its source text is then
 * still at [n->start, c2s_node_end()) -- "this value came from ${PORT}". */
int c2s_node_interpolated(const struct c2s_doc *doc, const struct c2s_node *n);

/* Did interpolation of this scalar fail (reported)? Later stages leave it alone,
 * as docker stops there. */
int c2s_node_interp_failed(const struct c2s_doc *doc, const struct c2s_node *n);
/* Forget which scalars interpolation rewrote (their values stay): once the
 * pipeline is done nothing asks c2s_node_interpolated, and a 10 MB file has
 * 25,000 of them (100 KB at the peak). Which ones failed is kept (the rules
 * ask c2s_node_interp_failed). */
void c2s_interp_forget(struct c2s_doc *doc);
/* In doc->interpolated, the entries of failed scalars carry this bit. */
#define C2S_INTERP_FAILED 0x80000000u

/* Without interpolation (lint --no-interpolate): mark every string value holding a
 * ${VAR} reference as unresolved, so later stages do not judge text that deploy
 * would replace. 0, or -1 when out of memory. */
int c2s_interp_mark_unresolved(struct c2s_doc *doc);

/* The .env trap (CS3004): report variables the file uses that env leaves unset
 * but dotenv (the .env beside the file) sets. Run it before c2s_interpolate. */
int c2s_interp_check_dotenv(const struct c2s_doc *doc, const struct c2s_env *env,
			    const struct c2s_env *dotenv, struct c2s_diags *diags);

#endif
