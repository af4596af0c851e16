/* model.h -- the typed Compose model: what docker/cli's loader makes of a file
 * (cli/compose/types/types.go), built from the AST, merged across -c files,
 * printed by the YAML emitter (emit_yaml.c) and the Engine API emitter.
 *
 * Table-driven: every Go struct is a row block in model.def (fields in Go
 * order, yaml key, kind). A value is a 24-byte struct c2s_mval; containers
 * point to arrays of values in the model's arena. Every value remembers the
 * file and AST node it came from, so diagnostics after a merge still point
 * at the line where the value was written. */
#ifndef C2S_MODEL_H
#define C2S_MODEL_H

#include <stddef.h>
#include <stdint.h>

#include "arena.h"
#include "ast.h"

struct c2s_diags;

/* ---- Struct types and fields, from model.def ---- */

enum c2s_mtype {
	C2S_T_NONE = 0,
#define C2S_STRUCT(T, go) C2S_T_##T,
#include "model.def"
	C2S_T_COUNT
};

/* C2S_F_<STRUCT>_<FIELD>: index of a field within its struct. */
#define C2S_STRUCT(T, go) enum c2s_f_##T {
#define C2S_FIELD(T, F, key, KIND, SUB) C2S_F_##T##_##F,
#define C2S_END(T) C2S_F_##T##__COUNT };
#include "model.def"

enum c2s_fkind {
	C2S_FK_STR, C2S_FK_STRV, C2S_FK_BOOL, C2S_FK_BOOLP, C2S_FK_INT, C2S_FK_INTV,
	C2S_FK_UINTP, C2S_FK_FLOAT32, C2S_FK_DUR, C2S_FK_DURP, C2S_FK_BYTES,
	C2S_FK_STRLIST, C2S_FK_LIST, C2S_FK_PLIST, C2S_FK_MAPSTR, C2S_FK_MAPNSTR,
	C2S_FK_MAPT, C2S_FK_MAPPT, C2S_FK_STRUCT, C2S_FK_PSTRUCT, C2S_FK_EXTERNAL,
	C2S_FK_EXTRAS, C2S_FK_SERVICES, C2S_FK_VERSION
};

struct c2s_mfield {
	const char *key;        /* yaml key ("" for EXTRAS) */
	unsigned keylen;
	enum c2s_fkind kind;
	enum c2s_mtype sub;     /* struct type of the items, or C2S_T_NONE */
};

struct c2s_mstruct {
	const char *go_name;
	const struct c2s_mfield *fields;
	unsigned nfields;
};

extern const struct c2s_mstruct c2s_mstructs[C2S_T_COUNT];

/* ---- Values ---- */

enum c2s_mkind {
	C2S_MV_NONE = 0, /* absent */
	C2S_MV_NULL,     /* null (a nil pointer, a value-less variable) */
	C2S_MV_STR,      /* u.s, n bytes (not NUL-terminated in general) */
	C2S_MV_INT,      /* u.i; durations are nanoseconds, sizes bytes */
	C2S_MV_UINT,     /* u.u */
	C2S_MV_FLOAT,    /* u.f */
	C2S_MV_BOOL,     /* u.i: 0 or 1 */
	C2S_MV_LIST,     /* u.v: n items */
	C2S_MV_MAP,      /* u.v: 2n values, key (STR) then value, keys in yaml.v3's sort order */
	C2S_MV_STRUCT,   /* u.v: n present fields, each with .field set, in field order */
	C2S_MV_NODE      /* an AST subtree taken as is (x-* content): file, node */
};

struct c2s_mval {
	uint8_t kind;    /* enum c2s_mkind */
	uint8_t type;    /* STRUCT: enum c2s_mtype */
	uint8_t field;   /* as a member of a STRUCT: its field index */
	uint8_t flags;   /* C2S_MVF_* */
	uint16_t file;   /* index of the input file (c2s_model.docs) */
	uint16_t spare;
	uint32_t node;   /* index of the AST node it came from in that file; 0: made up */
	uint32_t n;
	union {
		const char *s;
		int64_t i;
		uint64_t u;
		double f;
		struct c2s_mval *v;
	} u;
};

enum c2s_mval_flag {
	C2S_MVF_EXTERNAL_NAME = 1u << 0, /* EXTERNAL written as {name: ...} (u.s/n is the name) */
	C2S_MVF_LAZY = 1u << 1,          /* a NODE standing for a service not built yet */
	C2S_MVF_PLAIN_STR = 1u << 2      /* a STR that resolves as a string when written plain */
};

struct c2s_model {
	struct c2s_mval root;          /* STRUCT C2S_T_CONFIG */
	struct c2s_doc *const *docs;   /* the files, by c2s_mval.file */
	uint32_t ndocs;
	struct c2s_arena arena;        /* every value array and made-up string */
};

/* Where values come from besides the file (docker/cli cli/compose/loader/loader.go:
 * the working directory, HOME for ~, the environment for env_file and lookups). */
struct c2s_model_env {
	const char *workdir;           /* absolute: relative paths resolve against it */
	const char *home;              /* $HOME of the deploying process, for ~ */
	/* the deploying process's environment: value of name[0..n), or NULL */
	const char *(*lookup)(void *ctx, const char *name, size_t n);
	void *ctx;
	int quiet_missing_env_files; /* lint: a missing env_file is CS9005's to report, and
				      * env files are named as written, not absolute */
};

/* ---- Building, merging ---- */

void c2s_model_init(struct c2s_model *m, struct c2s_doc *const *docs, uint32_t ndocs);
void c2s_model_free(struct c2s_model *m);

/* Build the model of file `file` (docs[file], already interpolated and
 * validated) into out, allocating in m's arena. Errors docker's loader
 * reports during decoding (bad sizes, port specs, env files...) become
 * diagnostics; returns 0, or -1 when the file is rejected. */
int c2s_model_build(struct c2s_model *m, uint16_t file, const struct c2s_model_env *env,
		    struct c2s_mval *out, struct c2s_diags *diags);

/* Streaming (one file, bounded memory): the same, but each service is left as a
 * C2S_MV_NODE placeholder flagged C2S_MVF_LAZY (lazy = 1); build one with
 * c2s_model_build_service into a scratch arena, use it, free the arena.
 * lazy = 2: the services map is left empty (lint's check walks the file's). */
int c2s_model_build_lazy(struct c2s_model *m, uint16_t file, const struct c2s_model_env *env,
			 int lazy, struct c2s_mval *out, struct c2s_diags *diags);
int c2s_model_build_service(struct c2s_model *m, const struct c2s_model_env *env,
			    const struct c2s_mval *placeholder, struct c2s_arena *arena,
			    struct c2s_mval *out, struct c2s_diags *diags);

/* c2s_model_build_service without the service fields whose bit (1 << field)
 * is set in skip, and the deploy: fields set in skip_deploy; such fields must
 * be ones whose building cannot fail. */
int c2s_model_build_service_partial(struct c2s_model *m, const struct c2s_model_env *env,
				    const struct c2s_mval *placeholder, struct c2s_arena *arena,
				    uint64_t skip, uint64_t skip_deploy, struct c2s_mval *out,
				    struct c2s_diags *diags);

/* Build only the parts of a service that can fail (lint's cheap pass). */
int c2s_model_check_service(struct c2s_model *m, const struct c2s_model_env *env,
			    const struct c2s_mval *placeholder, struct c2s_arena *arena,
			    struct c2s_diags *diags);

/* Lint: report what docker's loader refuses after the schema (CS2009) for one
 * loaded, validated file, and a version differing from the earlier -c files'
 * (st carries them; NULL when the file stands alone). Returns 1 when docker
 * would refuse the file, 0 otherwise. */
struct c2s_model_check_state {
	char version[64];
	char workdir[4096];  /* the first -c file's directory: relative paths start there */
	int files;
};
int c2s_model_check(struct c2s_doc *doc, const char *path, struct c2s_model_check_state *st,
		    struct c2s_diags *diags);

/* Fold `over` into `base` as docker/cli's cli/compose/loader/merge.go does. */
int c2s_model_merge(struct c2s_model *m, struct c2s_mval *base, const struct c2s_mval *over,
		    struct c2s_diags *diags);

/* ---- Access ---- */

/* A present field of a STRUCT value, or NULL. */
const struct c2s_mval *c2s_mget(const struct c2s_mval *s, unsigned field);
/* The value for key in a MAP value, or NULL. */
const struct c2s_mval *c2s_mmap_get(const struct c2s_mval *map, const char *key, size_t n);
/* A STR value as a c2s_str. */
static inline struct c2s_str c2s_mstr(const struct c2s_mval *v)
{
	struct c2s_str s = {v ? v->u.s : "", v && v->kind == C2S_MV_STR ? v->n : 0};
	return s;
}
/* The AST node a value came from (NULL when made up). */
const struct c2s_node *c2s_mval_node(const struct c2s_model *m, const struct c2s_mval *v);
/* yaml.v3's map-key order (natural order of digit runs, letters first). */
int c2s_key_less(const char *a, size_t an, const char *b, size_t bn);
/* The order docker's maps come out in: keyLess (with shortcuts for the usual
 * keys), then the bytes; 0 only for the same bytes. */
int c2s_key_cmp(const char *a, size_t an, const char *b, size_t bn);

/* ---- Printing ---- */

struct c2s_buf;
/* `docker stack config` output for the model (gopkg.in/yaml.v3's encoder). */
int c2s_emit_yaml(const struct c2s_model *m, struct c2s_buf *out);

/* Streaming output: lazy services are built by expand() (then release()d), and
 * flush() is offered the buffer after each service to write it out and reset it. */
struct c2s_emit_stream {
	int (*expand)(void *ctx, const struct c2s_mval *placeholder, struct c2s_mval *out);
	void (*release)(void *ctx);
	int (*flush)(void *ctx, struct c2s_buf *out);
	void *ctx;
	/* optional: expand without the service fields set in skip (1 << field) */
	int (*expand_partial)(void *ctx, const struct c2s_mval *placeholder, uint64_t skip, uint64_t skip_deploy,
			      struct c2s_mval *out);
};
int c2s_emit_yaml_stream(const struct c2s_model *m, const struct c2s_emit_stream *st, struct c2s_buf *out);

/* Go's strconv.FormatFloat(f, 'g', -1, bits), also fmt's %v of a float, into out. */
size_t c2s_go_float(double f, int bits, char *out, size_t cap);

#endif
