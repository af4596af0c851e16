/* migrate.h -- compose2swarm migrate's internals: texts that remember where each byte came from,
 * edits on them (edit.h, the editor lint --fix uses too), and the phases that turn a docker compose project into one stack file. */
#ifndef C2S_MIGRATE_H
#define C2S_MIGRATE_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include "ast.h"
#include "buf.h"
#include "diag.h"
#include "edit.h"
#include "interp.h"

/* [at, at+len) of a text came from src at src_at: a byte-for-byte copy, or (approx)
 * text migrate wrote in place of what stood at src_at. */
struct mig_seg {
	uint32_t at, len, src_at;
	uint32_t approx;
	struct c2s_source *src;
};

/* Bytes being built, with the origin of the copied ones. */
struct mig_out {
	struct c2s_buf buf;
	struct mig_seg *segs;
	uint32_t nsegs, capsegs;
	int failed;
};

/* One text of a phase: its bytes, their YAML tree, where they came from. */
struct mig_text {
	struct c2s_source src;     /* the bytes (a memory source named like the original) */
	struct c2s_doc doc;        /* loaded; doc.root 0 when empty */
	int loaded;
	struct mig_seg *segs;      /* sorted by at */
	uint32_t nsegs;
	char *dir;                 /* directory relative paths in the text start from ("" none) */
};

/* The edits of one pass over a text (edit.h), and what each writes with its origins. */
struct mig_edits {
	struct c2s_edits list;     /* the spans; an edit's seq indexes repl */
	struct mig_out *repl;      /* repl[i]: what the i-th edit made writes */
	size_t nrepl, caprepl;
};

/* Kinds of change in the report: the severity carries them (the formats print the word). */
#define MIG_TRANSLATED C2S_SEVERITY_INFO
#define MIG_DROPPED C2S_SEVERITY_WARNING
#define MIG_NEEDS_YOU C2S_SEVERITY_ERROR

/* One variable an env file set, for --keep-variables' report. */
struct mig_var {
	char *name, *value;
};

/* A file written beside the stack file (--materialize), before it. */
struct mig_extra {
	char *path, *data;
	size_t len;
	int private_mode;              /* a secret: created 0600 */
};

/* The state of one run. */
struct mig {
	const struct c2s_migrate_options *o;
	struct c2s_diags diags;        /* the report */
	FILE *err;
	struct c2s_env *env;           /* the project's environment: the process's, then the env files' */
	struct c2s_env *osenv;         /* the process's alone (to say where a variable came from) */
	struct mig_var *vars;          /* variables the env files set (in file order, later wins) */
	size_t nvars, capvars;
	struct c2s_source **sources;   /* every original file read (owned, freed at the end) */
	size_t nsources;
	char project[256];             /* the project name docker compose would use */
	char workdir[4096];            /* the project directory (absolute) */
	char outdir[4096];             /* the directory the stack file is written to (absolute) */
	struct mig_extra *extra;       /* files to write beside the stack file */
	size_t nextra, capextra;
	int trouble;                   /* exit 2 */
	int nomem;
	int depth;                     /* include / extends nesting */
};

/* ---- mig_out: building bytes ---- */
void mo_init(struct mig_out *o);
void mo_free(struct mig_out *o);
void mo_lit(struct mig_out *o, const char *s, size_t n);
void mo_str(struct mig_out *o, const char *s);
void mo_printf(struct mig_out *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void mo_spaces(struct mig_out *o, uint32_t n);
/* Copy [a, b) of t, keeping its origin. */
void mo_copy(struct mig_out *o, const struct mig_text *t, uint32_t a, uint32_t b);
/* Copy the lines [a, b) of t (a at a line start), each non-empty line moved
 * delta columns right (left when negative, never past its own blanks). */
void mo_copy_shift(struct mig_out *o, const struct mig_text *t, uint32_t a, uint32_t b, int delta);
/* [at, at+len) of o stands for offset src_at of src (text written anew). */
void mo_mark(struct mig_out *o, uint32_t at, uint32_t len, struct c2s_source *src, uint32_t src_at);
/* Append another builder's bytes and origins. */
void mo_append(struct mig_out *o, const struct mig_out *from);
/* A YAML scalar whose value is s[0..n): plain where plain reads back as this
 * string, else quoted. as_string 0: plain even when it reads as a number or
 * a boolean (the value is one). In flow context (inside [] or {}) more is quoted. */
void mo_scalar(struct mig_out *o, const char *s, size_t n, int as_string, int flow);
/* The same in the quoting style of the scalar it replaces (was), where that style can say it. */
void mo_scalar_like(struct mig_out *o, const struct mig_text *t, const struct c2s_node *was, const char *s, size_t n,
		    int as_string, int flow);
/* The node as YAML: a scalar as written in t (when it needs no change), a
 * mapping or sequence in flow style. */
void mo_flow(struct mig_out *o, const struct mig_text *t, const struct c2s_node *n);
/* The node as block YAML at indent (the first line's indentation is the caller's:
 * a mapping or sequence starts with a line break). */
void mo_block(struct mig_out *o, const struct mig_text *t, const struct c2s_node *n, uint32_t indent,
	      uint32_t step);

/* ---- mig_text ---- */
/* A text from a file's source (copied), loaded. 0, or -1 (reported in m). */
int mig_text_from_source(struct mig *m, struct mig_text *t, struct c2s_source *src, const char *dir);
/* A text from built bytes, loaded; name is the source name. 0 or -1. */
int mig_text_from_out(struct mig *m, struct mig_text *t, struct mig_out *o, const char *name,
		      const char *dir);
void mig_text_free(struct mig_text *t);
/* t freed and given next's contents (next is emptied). */
void mig_text_replace(struct mig_text *t, struct mig_text *next);
/* Where byte off of t came from: 1 with *src and *srcoff, or 0 (text migrate wrote). */
int mig_origin(const struct mig_text *t, uint32_t off, struct c2s_source **src, uint32_t *srcoff);

/* ---- edits ---- */
void mig_edits_init(struct mig_edits *e);
void mig_edits_free(struct mig_edits *e);
/* A new edit replacing [start, end); fill the returned builder (NULL: out of memory). */
struct mig_out *mig_edit(struct mig_edits *e, uint32_t start, uint32_t end);
/* Apply the edits to t, giving the next text (loaded), in c2s_edits_prepare's order;
 * edits that overlap (deletions aside) are a bug, reported as trouble. 0 or -1. */
int mig_apply(struct mig *m, const struct mig_text *t, struct mig_edits *e, struct mig_text *out);

/* ---- nodes of a text (where they stand: edit.h) ---- */
/* Is the node written here (not reached through an alias or a << merge)? */
static inline int mt_own(const struct c2s_node *n)
{
	return n && !(c2s_flags(n) & C2S_NODE_ALIAS);
}
/* The scalar's value as a NUL-terminated string in buf (cut at size). */
const char *mt_scalar(const struct mig_text *t, const struct c2s_node *n, char *buf, size_t size);
/* Is the node a plain scalar that reads as null (~, null, empty)? */
int mt_is_null(const struct mig_text *t, const struct c2s_node *n);

/* ---- changes to a YAML text (migrate_yaml.c) ---- */
/* Keys to add, as a tree: a mapping of children, a leaf value (flow YAML text),
 * or items to append to a sequence (each a flow YAML text). */
enum mig_add_kind { MIG_ADD_MAP, MIG_ADD_LEAF, MIG_ADD_ITEMS, MIG_ADD_COPY };
struct mig_add {
	char *name;
	enum mig_add_kind kind;
	struct mig_out val;          /* LEAF: the value */
	const struct mig_text *ct;   /* COPY: an entry (ck: cv) or an item (cv) of another text, */
	const struct c2s_node *ck, *cv; /* copied with its comments where it can be */
	struct c2s_source *osrc;     /* what the key is written for (reports about it point there) */
	uint32_t ooff;
	struct mig_add **kids;       /* MAP: children in order; ITEMS: the items (their val) */
	size_t n, cap;
};
struct mig_add *mig_add_new(void);
void mig_add_free(struct mig_add *a);
/* The leaf at a dotted path under a (created with its parents); NULL when the
 * path is taken or out of memory. Write the value into the returned builder. */
struct mig_out *mig_add_leaf(struct mig_add *a, const char *path);
/* The leaf named key, written as it is (dots and all: an environment variable's name), in
 * the mapping at the dotted path parent; NULL when taken or out of memory. */
struct mig_out *mig_add_leaf_in(struct mig_add *a, const char *parent, const char *key);
/* A new item for the sequence at path: write it (flow YAML) into the builder. */
struct mig_out *mig_add_item(struct mig_add *a, const char *path);
/* The key at path (and its parents that have none yet) stands for offset off of t. */
void mig_add_from(struct mig_add *a, const char *path, const struct mig_text *t, uint32_t off);
/* Entry key: value of text ct added under a (a mapping of the tree) as it is written there. */
int mig_add_copy(struct mig_add *a, const struct mig_text *ct, const struct c2s_node *key, const struct c2s_node *value);
/* Item of text ct appended to the sequence named name under a. */
int mig_add_copy_item(struct mig_add *a, const char *name, size_t nlen, const struct mig_text *ct,
		      const struct c2s_node *item);

/* The changes of one pass over a text. */
struct mig_ops {
	struct mig *m;
	const struct mig_text *t;
	struct mig_edits ed;
	uint32_t step;               /* indentation one level adds */
	struct mig_flowmod *flow;    /* flow mappings to write anew (drops and adds) */
	size_t nflow, capflow;
};
void mig_ops_init(struct mig_ops *x, struct mig *m, const struct mig_text *t);
void mig_ops_free(struct mig_ops *x);
/* Remove entry i of mapping map (its lines, or the flow mapping written anew). */
void mig_op_drop(struct mig_ops *x, const struct c2s_node *map, uint32_t i);
/* Remove item i of sequence seq. */
void mig_op_drop_item(struct mig_ops *x, const struct c2s_node *seq, uint32_t i);
/* Replace a scalar (or any node written on its own lines) with text. */
struct mig_out *mig_op_replace(struct mig_ops *x, const struct c2s_node *n);
/* Add a's children to mapping map, the value of key (key NULL: the document's root). */
void mig_op_add(struct mig_ops *x, const struct c2s_node *key, const struct c2s_node *map, const struct mig_add *a);
/* Replace entry i of mapping map (in the ops' text) with entry key: value of text ct. */
void mig_op_replace_entry(struct mig_ops *x, const struct c2s_node *map, uint32_t i, const struct mig_text *ct,
			  const struct c2s_node *key, const struct c2s_node *value);
/* Replace item i of sequence seq with item of text ct. */
void mig_op_replace_item(struct mig_ops *x, const struct c2s_node *seq, uint32_t i, const struct mig_text *ct,
			 const struct c2s_node *item);
/* Remove the tag written on node n (!override). */
void mig_op_untag(struct mig_ops *x, const struct c2s_node *n);
/* Apply the changes to t: the next text in out. 0 or -1. */
int mig_ops_apply(struct mig_ops *x, struct mig_text *out);

/* ---- paths in a document (compose-go's tree paths) ---- */
/* Keys from the root and list items, as deep as the loader nests (deeper only through
 * aliases: the walks stop there with trouble). */
#define MIG_PATH_MAX C2S_MAX_DEPTH
struct mig_path {
	struct c2s_str seg[MIG_PATH_MAX];
	int n;
};
/* Add a key, or a list item; 0, or -1 when the path is MIG_PATH_MAX long already. */
int mig_path_push(struct mig_path *p, struct c2s_str key);
int mig_path_push_item(struct mig_path *p);
/* Does the path match a dotted pattern ("services.*.ports.[].target"): '*' is any key,
 * "[]" any list item (a key written "[]" is a key)? */
int mig_path_match(const struct mig_path *p, const char *pat);
/* Does it match one of n patterns? */
int mig_path_match_any(const struct mig_path *p, const char *const *pats, size_t n);
/* The path, dotted, for messages (a list item as "[]"). */
void mig_path_text(const struct mig_path *p, char *out, size_t size);

/* ---- file paths ---- */
/* path made absolute against base (a directory) and cleaned of ".", ".." and "//". */
void mig_abs_path(const char *base, const char *path, char *out, size_t size);
/* The directory of path ("." when it has none). */
void mig_dir_name(const char *path, char *out, size_t size);
/* path (absolute, clean) relative to dir (absolute, clean), starting with "./" or "../". */
void mig_rel_path(const char *dir, const char *path, char *out, size_t size);

/* ---- the report ---- */
/* A change at [start, end) of t (mapped to the original file). */
struct c2s_diag *mig_note(struct mig *m, enum c2s_rule_index rule, int kind, const struct mig_text *t,
			  uint32_t start, uint32_t end, const char *fmt, ...) __attribute__((format(printf, 7, 8)));
/* The same at a node (a key: from the key to its value's end on that line). */
struct c2s_diag *mig_note_at(struct mig *m, enum c2s_rule_index rule, int kind, const struct mig_text *t,
			     const struct c2s_node *n, const char *fmt, ...) __attribute__((format(printf, 6, 7)));
void mig_hint(struct mig *m, struct c2s_diag *dg, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* Trouble not tied to a place (exit 2): printed at once. */
void mig_trouble(struct mig *m, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Remember a file to write beside the stack file (a later one for the same path wins). 0 or -1. */
int mig_extra_file(struct mig *m, const char *path, const char *data, size_t len, int private_mode);
/* Read a file as an original source (kept for the report). NULL: reported. */
struct c2s_source *mig_read(struct mig *m, const char *path, const char *name);

/* ---- environment and interpolation as docker compose does (migrate_env.c) ---- */
/* Parse a .env file as compose-go's dotenv does; each variable goes to fn.
 * lookup: variables a bare KEY or ${VAR} in a value reads first (then those
 * parsed so far). 0, or -1 with the message in err. */
typedef int (*mig_dotenv_fn)(void *ctx, const char *key, size_t klen, const char *value, size_t vlen);
int mig_dotenv_parse(const char *data, size_t len, const struct c2s_env *lookup, mig_dotenv_fn fn, void *ctx,
		     char *err, size_t errsize);

enum mig_subst {
	MIG_SUBST_OK = 0,
	MIG_SUBST_INVALID,    /* "invalid interpolation format" */
	MIG_SUBST_REQUIRED,   /* a ${VAR:?msg} that is not set: msg in err */
	MIG_SUBST_NOMEM
};
/* Substitute s[0..n) as compose-go's template.Substitute (defaults, alternates,
 * required, nested) with variables from env; *unset counts variables used unset.
 * Errors put docker compose's sentence in err. */
enum mig_subst mig_substitute(const char *s, size_t n, const struct c2s_env *env, struct c2s_buf *out,
			      char *err, size_t errsize);
/* Does s hold a ${...} form docker stack's v3 loader does not know ($$ aside):
 * ${VAR:+x}, ${VAR+x}, a nested ${...} in a default? */
int mig_needs_compose_template(const char *s, size_t n);

/* ---- phases ---- */
/* Interpolate every value of t (mig_substitute), as docker compose does before it
 * merges files; with keep_variables only check what docker stack cannot do. */
int mig_phase_interpolate(struct mig *m, struct mig_text *t, const struct c2s_env *env);
/* include: and extends: resolved into t (its own directory and environment). */
int mig_phase_include_extends(struct mig *m, struct mig_text *t, const struct c2s_env *env);
/* Merge override o into base as docker compose merges -f files. */
int mig_phase_merge(struct mig *m, struct mig_text *base, struct mig_text *o);
/* Rewrite t's relative paths (volumes, env_file, build, secret and config files) written
 * for directory from as paths from directory to. */
int mig_rebase(struct mig *m, struct mig_text *t, const char *from, const char *to);
/* Keep the services of the active profiles. */
int mig_phase_profiles(struct mig *m, struct mig_text *t);
/* Everything else: the keys docker stack deploy refuses, ignores or reads otherwise. */
int mig_phase_translate(struct mig *m, struct mig_text *t);
/* The version: the output needs; then docker's own checks on the result. */
int mig_phase_finish(struct mig *m, struct mig_text *t);

#endif
