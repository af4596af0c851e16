/* convert.c -- `compose2swarm convert` as named stages: options, read, load and
 * check each -c file, check them merged, build and merge the model, print it as
 * `docker stack config` does (--to yaml) or as deploy's bodies (--to api),
 * atomically (-o) or to standard output. */
#include "config.h"
#include "ast_merge.h"
#include "buf.h"
#include "diag.h"
#include "emit_api.h"
#include "format.h"
#include "goval.h"
#include "model.h"
#include "outfile.h"
#include "deploy_checks.h"
#include "pipeline.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* The largest output we build in memory before writing it once. */
#define CONVERT_MAX_OUTPUT_BYTES ((size_t)2 << 30)

/* The deploying process's environment, as docker's os.LookupEnv sees it. */
static const char *env_lookup(void *ctx, const char *name, size_t n)
{
	size_t vlen;
	return c2s_env_get(ctx, name, n, &vlen);
}

/* The stack's working directory (goval's c2s_path_workdir); malloc'd. */
static char *dir_of(const char *path)
{
	char cwd[PATH_MAX], dir[PATH_MAX];
	if (!getcwd(cwd, sizeof cwd) || c2s_path_workdir(cwd, path, dir, sizeof dir) != 0)
		return NULL;
	return strdup(dir);
}

/* Output goes to standard output or, for -o, through the atomic writer
 * (outfile.h): the old file is untouched on error. */
struct sink {
	FILE *fp;              /* standard output, or NULL for -o */
	struct c2s_outfile of; /* -o */
	int failed;            /* a write failed: the output is lost (errno in err) */
	int err;
};

static int sink_open(struct sink *k, const struct c2s_convert_options *o, FILE *out, FILE *err)
{
	memset(k, 0, sizeof *k);
	k->of.fd = -1;
	if (!o->output) {
		k->fp = out;
		return 0;
	}
	if (c2s_outfile_open(&k->of, o->output, o->files, o->nfiles, 0) != 0) {
		fprintf(err, "compose2swarm: %s\n", k->of.msg);
		return -1;
	}
	return 0;
}

static int sink_write(struct sink *k, struct c2s_buf *b)
{
	if (b->len && !k->failed) {
		if (k->fp ? fwrite(b->data, 1, b->len, k->fp) != b->len
			  : c2s_outfile_write(&k->of, b->data, b->len) != 0) {
			k->failed = 1;
			k->err = k->fp ? errno : k->of.err;
		}
	}
	c2s_buf_reset(b);
	return k->failed ? -1 : 0;
}

/* Finish: ok = everything was produced. Returns 0 when the output is in place;
 * -1 when it failed and the reason is already said (a write error), -2 when
 * the output was not produced and the caller says why. */
static int sink_close(struct sink *k, int ok, FILE *err)
{
	if (!k->fp) {
		if (!ok && !k->failed) {
			c2s_outfile_abort(&k->of);
			return -2;
		}
		if (c2s_outfile_commit(&k->of) != 0) {
			fprintf(err, "compose2swarm: %s\n", k->of.msg);
			return -1;
		}
		return 0;
	}
	if (!k->failed && fflush(k->fp) != 0) {
		k->failed = 1;
		k->err = errno;
	}
	if (k->failed) {
		fprintf(err, "compose2swarm: cannot write the output: %s\n", strerror(k->err));
		return -1;
	}
	return ok ? 0 : -2;
}

/* Streaming hooks: build one service into a scratch arena, emit, free it. */
struct stream_ctx {
	struct c2s_model *m;
	const struct c2s_model_env *env;
	struct c2s_diags *diags;
	struct c2s_arena scratch;
	struct sink *sink;
};

static int stream_expand(void *ctx, const struct c2s_mval *ph, struct c2s_mval *out)
{
	struct stream_ctx *c = ctx;
	return c2s_model_build_service(c->m, c->env, ph, &c->scratch, out, c->diags);
}

static int stream_expand_partial(void *ctx, const struct c2s_mval *ph, uint64_t skip, uint64_t skip_deploy,
				 struct c2s_mval *out)
{
	struct stream_ctx *c = ctx;
	return c2s_model_build_service_partial(c->m, c->env, ph, &c->scratch, skip, skip_deploy, out, c->diags);
}

static void stream_release(void *ctx)
{
	struct stream_ctx *c = ctx;
	c2s_arena_free(&c->scratch);
}

/* Flush in chunks of this size: peak memory stays near the input's. */
#define CONVERT_FLUSH_BYTES ((size_t)64 << 10)

static int stream_flush(void *ctx, struct c2s_buf *out)
{
	struct stream_ctx *c = ctx;
	if (out->len < CONVERT_FLUSH_BYTES)
		return 0;
	return sink_write(c->sink, out);
}

static int report(struct c2s_diags *diags, FILE *err)
{
	c2s_diags_resolve(diags);
	struct c2s_buf rep;
	c2s_buf_init(&rep, (size_t)1 << 30);
	struct c2s_format_options fo = {.format = C2S_FORMAT_TEXT, .files = 1};
	c2s_format_diags(diags, &fo, &rep);
	if (rep.len)
		fwrite(rep.data, 1, rep.len, err);
	c2s_buf_free(&rep);
	return 0;
}

/* ---- the stages: each says how it ended; c2s_convert runs them in order ---- */

/* One run of convert: what the stages share. */
struct convert_run {
	const struct c2s_convert_options *o;
	FILE *out, *err;
	int api;                       /* --to api */
	struct c2s_api_options ao;
	struct c2s_source *srcs;       /* o->nfiles each */
	struct c2s_doc *docs;
	struct c2s_doc **dptr;
	struct c2s_mval *vals;
	size_t nread, nloaded;
	char *workdir;
	struct c2s_env *penv;          /* the deploying environment (the model's lookups) */
	struct c2s_env *ienv;          /* the same with --env-file (interpolation) */
	struct c2s_diags diags;
	struct c2s_model m;
	struct c2s_model_env env;
	struct stream_ctx sc;
	struct c2s_buf outbuf;
	char first_version[64];
	int version_minor;
	int silent_reject;             /* a lint rule refused without a diagnostic (see load_files) */
};

/* The diagnostics said, and how the run ended: refused, or a limit or memory. */
static enum c2s_convert_status refused(struct convert_run *r)
{
	report(&r->diags, r->err);
	return c2s_diags_nomem(&r->diags) ? C2S_CONVERT_NOMEM
	       : c2s_diags_limit_hit(&r->diags) ? C2S_CONVERT_LIMIT : C2S_CONVERT_REFUSED;
}

static enum c2s_convert_status nomem(struct convert_run *r)
{
	fprintf(r->err, "compose2swarm: out of memory\n");
	return C2S_CONVERT_NOMEM;
}

/* The command line's options, before any file is read. */
static enum c2s_convert_status check_options(struct convert_run *r)
{
	const struct c2s_convert_options *o = r->o;
	if (o->nfiles == 0) {
		fprintf(r->err, "compose2swarm: Specify a Compose file (with -c FILE)\n");
		return C2S_CONVERT_USAGE;
	}
	if (o->nfiles > C2S_MAX_FILES) {
		fprintf(r->err, "compose2swarm: too many files (C2S_MAX_FILES)\n");
		return C2S_CONVERT_LIMIT;
	}
	r->api = o->to && strcmp(o->to, "api") == 0;
	r->ao.stack = o->stack ? o->stack : "stack";
	r->ao.api_version = o->api_version ? o->api_version : C2S_API_VERSION_DEFAULT;
	if (r->api && !c2s_api_stack_name_ok(r->ao.stack)) {
		fprintf(r->err, "compose2swarm: invalid stack name: \"%s\"\n", r->ao.stack);
		return C2S_CONVERT_REFUSED;
	}
	if (r->api && !c2s_api_version_ok(r->ao.api_version)) {
		fprintf(r->err, "compose2swarm: --api-version wants X.YY, not '%s'\n", r->ao.api_version);
		return C2S_CONVERT_USAGE;
	}
	char refusal[256];
	if (r->api && c2s_api_version_refused(r->ao.api_version, refusal, sizeof refusal)) {
		fprintf(r->err, "%s\n", refusal);
		return C2S_CONVERT_REFUSED;
	}
	return C2S_CONVERT_OK;
}

/* The run's memory, the environments and --env-file. */
static enum c2s_convert_status setup(struct convert_run *r)
{
	const struct c2s_convert_options *o = r->o;
	r->srcs = calloc(o->nfiles, sizeof *r->srcs);
	r->docs = calloc(o->nfiles, sizeof *r->docs);
	r->dptr = calloc(o->nfiles, sizeof *r->dptr);
	r->vals = calloc(o->nfiles, sizeof *r->vals);
	r->workdir = dir_of(o->files[0]);
	r->penv = c2s_env_new(o->envp);
	r->ienv = c2s_env_new(o->envp);
	if (!r->penv || !r->ienv)
		return nomem(r);
	if (o->env_file) {
		char msg[512];
		if (c2s_env_read_file(r->ienv, o->env_file, r->ienv, msg, sizeof msg) != C2S_ENVFILE_OK) {
			fprintf(r->err, "compose2swarm: %s\n", msg);
			return C2S_CONVERT_UNREADABLE;
		}
	}
	if (!r->srcs || !r->docs || !r->dptr || !r->vals || !r->workdir)
		return nomem(r);
	r->m.docs = r->dptr;
	r->m.ndocs = (uint32_t)o->nfiles;
	return C2S_CONVERT_OK;
}

static enum c2s_convert_status read_files(struct convert_run *r)
{
	for (size_t i = 0; i < r->o->nfiles; i++) {
		int e = 0;
		enum c2s_read_status rs = c2s_source_read(&r->srcs[i], r->o->files[i], NULL, &e);
		if (rs != C2S_READ_OK) {
			char msg[4200];
			c2s_source_read_message(msg, sizeof msg, r->o->files[i], rs, e, C2S_MAX_FILE_BYTES,
						"compose file");
			fprintf(r->err, "compose2swarm: %s\n", msg);
			return C2S_CONVERT_UNREADABLE;
		}
		r->nread++;
		r->srcs[i].rank = (uint32_t)(i + 1);
	}
	return C2S_CONVERT_OK;
}

/* Each file loaded and through the pipeline (interpolation, schema, the
 * loader's decoding, deploy's checks of one file); the versions must agree. */
static enum c2s_convert_status load_files(struct convert_run *r)
{
	const struct c2s_convert_options *o = r->o;
	for (size_t i = 0; i < o->nfiles; i++) {
		r->dptr[i] = &r->docs[i];
		enum c2s_load_status st = c2s_load(&r->docs[i], &r->srcs[i], &r->diags);
		r->nloaded++;
		if (st != C2S_LOAD_OK || c2s_diags_max(&r->diags) >= C2S_SEVERITY_ERROR) {
			report(&r->diags, r->err);
			return st == C2S_LOAD_OK || st == C2S_LOAD_INVALID ? C2S_CONVERT_REFUSED
			       : st == C2S_LOAD_LIMIT ? C2S_CONVERT_LIMIT : C2S_CONVERT_NOMEM;
		}
		const struct c2s_node *root = c2s_node_at(&r->docs[i], r->docs[i].root);
		if (!c2s_is_mapping(root)) {
			c2s_diag_add(&r->diags, C2S_R_CS1003, &r->srcs[i], root ? root->start : 0,
				     root ? root->start : 0, "top-level object must be a mapping");
			report(&r->diags, r->err);
			return C2S_CONVERT_REFUSED;
		}
		struct c2s_pipeline_options po;
		struct c2s_pipeline_result pr;
		memset(&po, 0, sizeof po);
		po.env = o->skip_interpolation ? NULL : r->ienv;
		po.workdir = r->workdir;
		/* deploy's refusals judge the merged stack: a later file may add the image */
		po.skip_deploy_checks = !r->api || o->nfiles > 1;
		if (c2s_pipeline_file(&r->docs[i], &po, &r->diags, &pr) != 0)
			return nomem(r);
		c2s_interp_forget(&r->docs[i]);  /* the model does not ask which values were rewritten */
		/* The pipeline may refuse without a diagnostic when a lint rule words it
		 * (a missing env_file is CS9005's): the model build then says what
		 * docker says ("open ...: no such file or directory"). */
		if (pr.rejected && !c2s_diags_limit_hit(&r->diags) && c2s_diags_max(&r->diags) < C2S_SEVERITY_ERROR) {
			r->silent_reject = 1;
		} else if (pr.rejected || c2s_diags_limit_hit(&r->diags)) {
			report(&r->diags, r->err);
			return c2s_diags_limit_hit(&r->diags) ? C2S_CONVERT_LIMIT : C2S_CONVERT_REFUSED;
		}
		if (i == 0) {
			r->version_minor = pr.version_minor;
			snprintf(r->first_version, sizeof r->first_version, "%s", pr.version);
		} else if (strcmp(r->first_version, pr.version) != 0) {
			fprintf(r->err, "compose2swarm: version mismatched between two composefiles : %s and %s\n",
				r->first_version, pr.version);
			return C2S_CONVERT_REFUSED;
		}
	}
	return C2S_CONVERT_OK;
}

/* --to api with several files: deploy's refusals judge the files merged. */
static enum c2s_convert_status check_merged(struct convert_run *r)
{
	const struct c2s_convert_options *o = r->o;
	if (!r->api || o->nfiles < 2 || r->silent_reject)
		return C2S_CONVERT_OK;
	struct c2s_source composite;
	struct c2s_doc merged;
	int bad = 0;
	struct c2s_source **sp = calloc(o->nfiles, sizeof *sp);
	if (!sp)
		return nomem(r);
	for (size_t i = 0; i < o->nfiles; i++)
		sp[i] = &r->srcs[i];
	if (c2s_source_composite(&composite, sp, o->nfiles) != 0) {
		bad = -1;
	} else {
		struct c2s_pipeline_options po;
		memset(&po, 0, sizeof po);
		po.env = o->skip_interpolation ? NULL : r->ienv;
		po.workdir = r->workdir;
		int rc;
		if (c2s_doc_merge(&merged, &composite, r->dptr, o->nfiles) != 0)
			bad = -1;
		else if ((rc = c2s_deploy_checks(&merged, &po, r->version_minor, &r->diags)) != 0)
			bad = rc < 0 ? -1 : 1;
		c2s_doc_free(&merged);
		c2s_source_composite_free(&composite);
	}
	free(sp);
	if (!bad)
		return C2S_CONVERT_OK;
	if (bad < 0)
		fprintf(r->err, "compose2swarm: out of memory\n");
	report(&r->diags, r->err);
	return bad < 0 ? C2S_CONVERT_NOMEM : C2S_CONVERT_REFUSED;
}

/* The typed model of each file (lazily: services are built as they are
 * written), what docker refuses found before anything is written, the files
 * merged. */
static enum c2s_convert_status build_model(struct convert_run *r)
{
	const struct c2s_convert_options *o = r->o;
	r->env = (struct c2s_model_env){r->workdir, c2s_env_get(r->penv, "HOME", 4, &(size_t){0}), env_lookup,
					r->penv, 0};
	int lazy = o->nfiles == 1;
	for (size_t i = 0; i < o->nfiles; i++)
		if (c2s_model_build_lazy(&r->m, (uint16_t)i, &r->env, lazy, &r->vals[i], &r->diags) != 0)
			return refused(r);
	r->sc.m = &r->m;
	r->sc.env = &r->env;
	r->sc.diags = &r->diags;
	/* the api emitter makes this pass itself (and reads secret and config files,
	 * saying docker's words when one is missing) */
	if (lazy && !r->api && (!o->output || r->silent_reject)) {
		/* a first pass finds what docker would refuse before anything is written
		 * to standard output (-o writes a temporary file that is dropped instead) */
		const struct c2s_mval *svcs = c2s_mget(&r->vals[0], C2S_F_CONFIG_SERVICES);
		for (uint32_t i = 0; svcs && i < svcs->n; i++) {
			/* only the parts of a service that can fail (c2s_model_check_service) */
			int rc = c2s_model_check_service(&r->m, &r->env, &svcs->u.v[2 * i + 1], &r->sc.scratch,
							 &r->diags);
			c2s_arena_free(&r->sc.scratch);
			if (rc != 0)
				return refused(r);
		}
	}
	if (r->silent_reject && !r->api) {
		fprintf(r->err, "compose2swarm: docker would refuse these files (run `compose2swarm lint` on them for why)\n");
		return C2S_CONVERT_REFUSED;
	}
	r->m.root = r->vals[0];
	for (size_t i = 1; i < o->nfiles; i++)
		if (c2s_model_merge(&r->m, &r->m.root, &r->vals[i], &r->diags) != 0) {
			report(&r->diags, r->err);
			return C2S_CONVERT_REFUSED;
		}
	return C2S_CONVERT_OK;
}

/* The output, as stack config prints it or as the bodies deploy posts, to
 * standard output or -o (atomically: nothing is left of a failed run). */
static enum c2s_convert_status emit(struct convert_run *r)
{
	const struct c2s_convert_options *o = r->o;
	struct sink sink;
	if (sink_open(&sink, o, r->out, r->err) != 0)
		return C2S_CONVERT_WRITE_FAILED;
	r->sc.sink = &sink;
	int ok, refusal;
	if (r->api) {
		struct c2s_emit_stream as = {stream_expand, stream_release, stream_flush, &r->sc, stream_expand_partial};
		r->ao.workdir = r->workdir;
		r->ao.discardable = o->output != NULL;
		/* the deploy checks judged the stack (each file's pipeline, or the
		 * merged files): unless a lint rule refused it silently, docker refuses
		 * nothing the emitter would meet, so it need not look before writing */
		r->ao.prechecked = !r->silent_reject && r->version_minor >= 0;
		int rc = c2s_emit_api(&r->m, &r->ao, &as, &r->outbuf, &r->diags);
		ok = rc == 0;
		refusal = rc == -1;
	} else {
		struct c2s_emit_stream es = {stream_expand, stream_release, stream_flush, &r->sc, NULL};
		ok = c2s_emit_yaml_stream(&r->m, &es, &r->outbuf) == 0;
		/* a service docker refuses, found while writing -o */
		refusal = !ok && c2s_diags_max(&r->diags) >= C2S_SEVERITY_ERROR && !c2s_diags_nomem(&r->diags);
	}
	c2s_arena_free(&r->sc.scratch);
	if (ok)
		sink_write(&sink, &r->outbuf);
	if (sink_close(&sink, ok, r->err) == 0)
		return C2S_CONVERT_OK;
	if (sink.failed)
		return C2S_CONVERT_WRITE_FAILED;  /* said: the emitter stopped because of it */
	if (refusal) {
		report(&r->diags, r->err);
		return C2S_CONVERT_REFUSED;
	}
	if (!ok) {
		fprintf(r->err, "compose2swarm: out of memory writing the output\n");
		return C2S_CONVERT_NOMEM;
	}
	return C2S_CONVERT_WRITE_FAILED;  /* -o could not be put in place (said) */
}

static void convert_free(struct convert_run *r)
{
	c2s_arena_free(&r->sc.scratch);
	c2s_env_free(r->penv);
	c2s_env_free(r->ienv);
	c2s_buf_free(&r->outbuf);
	c2s_model_free(&r->m);
	for (size_t i = 0; i < r->nloaded; i++)
		c2s_doc_free(&r->docs[i]);
	c2s_diags_free(&r->diags);
	for (size_t i = 0; i < r->nread; i++)
		c2s_source_free(&r->srcs[i]);
	free(r->srcs);
	free(r->docs);
	free(r->dptr);
	free(r->vals);
	free(r->workdir);
}

enum c2s_convert_status c2s_convert(const struct c2s_convert_options *o, FILE *out, FILE *err)
{
	static enum c2s_convert_status (*const stages[])(struct convert_run *) = {
		check_options, setup, read_files, load_files, check_merged, build_model, emit,
	};
	struct convert_run r;
	memset(&r, 0, sizeof r);
	r.o = o;
	r.out = out;
	r.err = err;
	r.version_minor = C2S_SCHEMA_MINOR_MAX;
	c2s_diags_init(&r.diags);
	c2s_buf_init(&r.outbuf, CONVERT_MAX_OUTPUT_BYTES);
	c2s_model_init(&r.m, NULL, 0);
	c2s_arena_init(&r.sc.scratch, 0);
	enum c2s_convert_status st = C2S_CONVERT_OK;
	for (size_t i = 0; st == C2S_CONVERT_OK && i < sizeof stages / sizeof *stages; i++)
		st = stages[i](&r);
	convert_free(&r);
	return st;
}
