/* convert.c -- `compose2swarm convert`: load each -c file, build and merge the
 * model, print it as `docker stack config` does (--to yaml) and write it
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

int c2s_convert(const struct c2s_convert_options *o, FILE *out, FILE *err)
{
	int status = C2S_EXIT_TROUBLE;
	if (o->nfiles == 0) {
		fprintf(err, "compose2swarm: Specify a Compose file (with -c FILE)\n");
		return C2S_EXIT_TROUBLE;
	}
	if (o->nfiles > C2S_MAX_FILES) {
		fprintf(err, "compose2swarm: too many files (C2S_MAX_FILES)\n");
		return C2S_EXIT_TROUBLE;
	}
	int api = o->to && strcmp(o->to, "api") == 0;
	struct c2s_api_options ao = {o->stack ? o->stack : "stack",
				     o->api_version ? o->api_version : C2S_API_VERSION_DEFAULT, NULL, 0, 0};
	if (api && !c2s_api_stack_name_ok(ao.stack)) {
		fprintf(err, "compose2swarm: invalid stack name: \"%s\"\n", ao.stack);
		return C2S_EXIT_FINDINGS;
	}
	if (api && !c2s_api_version_ok(ao.api_version)) {
		fprintf(err, "compose2swarm: --api-version wants X.YY, not '%s'\n", ao.api_version);
		return C2S_EXIT_TROUBLE;
	}
	char refusal[256];
	if (api && c2s_api_version_refused(ao.api_version, refusal, sizeof refusal)) {
		fprintf(err, "%s\n", refusal);
		return C2S_EXIT_FINDINGS;
	}
	struct c2s_source *srcs = calloc(o->nfiles, sizeof *srcs);
	struct c2s_doc *docs = calloc(o->nfiles, sizeof *docs);
	struct c2s_doc **dptr = calloc(o->nfiles, sizeof *dptr);
	struct c2s_mval *vals = calloc(o->nfiles, sizeof *vals);
	char *workdir = dir_of(o->files[0]);
	struct c2s_diags diags;
	struct c2s_model m;
	struct c2s_buf outbuf;
	size_t nloaded = 0, nread = 0;
	c2s_diags_init(&diags);
	c2s_buf_init(&outbuf, CONVERT_MAX_OUTPUT_BYTES);
	c2s_model_init(&m, dptr, (uint32_t)o->nfiles);
	struct c2s_env *penv = c2s_env_new(o->envp);
	struct c2s_env *ienv = c2s_env_new(o->envp);
	char first_version[64] = "";
	int silent_reject = 0, version_minor = C2S_SCHEMA_MINOR_MAX;
	if (!penv || !ienv) {
		fprintf(err, "compose2swarm: out of memory\n");
		goto out;
	}
	if (o->env_file) {
		char msg[512];
		if (c2s_env_read_file(ienv, o->env_file, ienv, msg, sizeof msg) != C2S_ENVFILE_OK) {
			fprintf(err, "compose2swarm: %s\n", msg);
			goto out;
		}
	}
	if (!srcs || !docs || !dptr || !vals || !workdir) {
		fprintf(err, "compose2swarm: out of memory\n");
		goto out;
	}
	for (size_t i = 0; i < o->nfiles; i++) {
		int e = 0;
		enum c2s_read_status rs = c2s_source_read(&srcs[i], o->files[i], NULL, &e);
		if (rs != C2S_READ_OK) {
			char msg[4200];
			c2s_source_read_message(msg, sizeof msg, o->files[i], rs, e, C2S_MAX_FILE_BYTES, "compose file");
			fprintf(err, "compose2swarm: %s\n", msg);
			goto out;
		}
		nread++;
		srcs[i].rank = (uint32_t)(i + 1);
	}
	for (size_t i = 0; i < o->nfiles; i++) {
		dptr[i] = &docs[i];
		enum c2s_load_status st = c2s_load(&docs[i], &srcs[i], &diags);
		nloaded++;
		if (st != C2S_LOAD_OK || c2s_diags_max(&diags) >= C2S_SEVERITY_ERROR) {
			status = st == C2S_LOAD_OK || st == C2S_LOAD_INVALID ? C2S_EXIT_FINDINGS : C2S_EXIT_TROUBLE;
			report(&diags, err);
			goto out;
		}
		const struct c2s_node *root = c2s_node_at(&docs[i], docs[i].root);
		if (!c2s_is_mapping(root)) {
			c2s_diag_add(&diags, C2S_R_CS1003, &srcs[i], root ? root->start : 0, root ? root->start : 0,
				     "top-level object must be a mapping");
			status = C2S_EXIT_FINDINGS;
			report(&diags, err);
			goto out;
		}
		struct c2s_pipeline_options po;
		struct c2s_pipeline_result pr;
		memset(&po, 0, sizeof po);
		po.env = o->skip_interpolation ? NULL : ienv;
		po.workdir = workdir;
		/* deploy's refusals judge the merged stack: a later file may add the image */
		po.skip_deploy_checks = !api || o->nfiles > 1;
		if (c2s_pipeline_file(&docs[i], &po, &diags, &pr) != 0) {
			fprintf(err, "compose2swarm: out of memory\n");
			goto out;
		}
		c2s_interp_forget(&docs[i]);  /* the model does not ask which values were rewritten */
		/* The pipeline may refuse without a diagnostic when a lint rule words it
		 * (a missing env_file is CS9005's): the model build below then says what
		 * docker says ("open ...: no such file or directory"). */
		if (pr.rejected && !c2s_diags_limit_hit(&diags) && c2s_diags_max(&diags) < C2S_SEVERITY_ERROR) {
			silent_reject = 1;
		} else if (pr.rejected || c2s_diags_limit_hit(&diags)) {
			status = c2s_diags_limit_hit(&diags) ? C2S_EXIT_TROUBLE : C2S_EXIT_FINDINGS;
			report(&diags, err);
			goto out;
		}
		if (i == 0) {
			version_minor = pr.version_minor;
			snprintf(first_version, sizeof first_version, "%s", pr.version);
		} else if (strcmp(first_version, pr.version) != 0) {
			fprintf(err, "compose2swarm: version mismatched between two composefiles : %s and %s\n", first_version, pr.version);
			status = C2S_EXIT_FINDINGS;
			goto out;
		}
	}
	if (api && o->nfiles > 1 && !silent_reject) {
		struct c2s_source composite;
		struct c2s_doc merged;
		int bad = 0;
		struct c2s_source **sp = calloc(o->nfiles, sizeof *sp);
		if (!sp) {
			fprintf(err, "compose2swarm: out of memory\n");
			free(sp);
			goto out;
		}
		for (size_t i = 0; i < o->nfiles; i++)
			sp[i] = &srcs[i];
		if (c2s_source_composite(&composite, sp, o->nfiles) != 0) {
			bad = -1;
		} else {
			struct c2s_pipeline_options po;
			memset(&po, 0, sizeof po);
			po.env = o->skip_interpolation ? NULL : ienv;
			po.workdir = workdir;
			int r;
			if (c2s_doc_merge(&merged, &composite, dptr, o->nfiles) != 0)
				bad = -1;
			else if ((r = c2s_deploy_checks(&merged, &po, version_minor, &diags)) != 0)
				bad = r < 0 ? -1 : 1;
			c2s_doc_free(&merged);
			c2s_source_composite_free(&composite);
		}
		free(sp);
		if (bad) {
			status = bad < 0 ? C2S_EXIT_TROUBLE : C2S_EXIT_FINDINGS;
			if (bad < 0)
				fprintf(err, "compose2swarm: out of memory\n");
			report(&diags, err);
			goto out;
		}
	}
	struct c2s_model_env env = {workdir, c2s_env_get(penv, "HOME", 4, &(size_t){0}), env_lookup, penv, 0};
	int lazy = o->nfiles == 1;
	for (size_t i = 0; i < o->nfiles; i++) {
		if (c2s_model_build_lazy(&m, (uint16_t)i, &env, lazy, &vals[i], &diags) != 0) {
			status = c2s_diags_nomem(&diags) || c2s_diags_limit_hit(&diags) ? C2S_EXIT_TROUBLE : C2S_EXIT_FINDINGS;
			report(&diags, err);
			goto out;
		}
	}
	struct stream_ctx sc;
	memset(&sc, 0, sizeof sc);
	sc.m = &m;
	sc.env = &env;
	sc.diags = &diags;
	c2s_arena_init(&sc.scratch, 0);
	/* the api emitter makes this pass itself (and reads secret and config files,
	 * saying docker's words when one is missing) */
	if (lazy && !api && (!o->output || silent_reject)) {
		/* a first pass finds what docker would refuse before anything is written
		 * to standard output (-o writes a temporary file that is dropped instead) */
		const struct c2s_mval *svcs = c2s_mget(&vals[0], C2S_F_CONFIG_SERVICES);
		for (uint32_t i = 0; svcs && i < svcs->n; i++) {
			/* only the parts of a service that can fail (c2s_model_check_service) */
			int r = c2s_model_check_service(&m, &env, &svcs->u.v[2 * i + 1], &sc.scratch, &diags);
			c2s_arena_free(&sc.scratch);
			if (r != 0) {
				status = c2s_diags_nomem(&diags) || c2s_diags_limit_hit(&diags) ? C2S_EXIT_TROUBLE : C2S_EXIT_FINDINGS;
				report(&diags, err);
				goto out;
			}
		}
	}
	if (silent_reject && !api) {
		fprintf(err, "compose2swarm: docker would refuse these files (run `compose2swarm lint` on them for why)\n");
		status = C2S_EXIT_FINDINGS;
		goto out;
	}
	m.root = vals[0];
	for (size_t i = 1; i < o->nfiles; i++)
		if (c2s_model_merge(&m, &m.root, &vals[i], &diags) != 0) {
			status = C2S_EXIT_FINDINGS;
			report(&diags, err);
			goto out;
		}
	struct sink sink;
	if (sink_open(&sink, o, out, err) != 0)
		goto out;
	sc.sink = &sink;
	if (api) {
		struct c2s_emit_stream as = {stream_expand, stream_release, stream_flush, &sc, stream_expand_partial};
		ao.workdir = workdir;
		ao.discardable = o->output != NULL;
		/* the deploy checks judged the stack above (each file's pipeline, or the
		 * merged files): unless a lint rule refused it silently, docker refuses
		 * nothing the emitter would meet, so it need not look before writing */
		ao.prechecked = !silent_reject && version_minor >= 0;
		int rc = c2s_emit_api(&m, &ao, &as, &outbuf, &diags);
		c2s_arena_free(&sc.scratch);
		if (rc == 0)
			sink_write(&sink, &outbuf);
		if (sink_close(&sink, rc == 0, err) != 0) {
			if (sink.failed) {
				/* the write error is said: the emitter stopped because of it */
			} else if (rc == -1) {
				status = C2S_EXIT_FINDINGS;
				report(&diags, err);
			} else if (rc != 0) {
				fprintf(err, "compose2swarm: out of memory writing the output\n");
			}
			goto out;
		}
		status = C2S_EXIT_OK;
		goto out;
	}
	struct c2s_emit_stream es = {stream_expand, stream_release, stream_flush, &sc, NULL};
	int eok = c2s_emit_yaml_stream(&m, &es, &outbuf) == 0;
	c2s_arena_free(&sc.scratch);
	if (eok)
		sink_write(&sink, &outbuf);
	if (sink_close(&sink, eok, err) != 0) {
		if (sink.failed) {
			/* the write error is said: the emitter stopped because of it */
		} else if (!eok && c2s_diags_max(&diags) >= C2S_SEVERITY_ERROR && !c2s_diags_nomem(&diags)) {
			status = C2S_EXIT_FINDINGS; /* a service docker refuses, found while writing -o */
			report(&diags, err);
		} else if (!eok) {
			fprintf(err, "compose2swarm: out of memory writing the output\n");
		}
		goto out;
	}
	status = C2S_EXIT_OK;
out:
	c2s_env_free(penv);
	c2s_env_free(ienv);
	c2s_buf_free(&outbuf);
	c2s_model_free(&m);
	for (size_t i = 0; i < nloaded; i++)
		c2s_doc_free(&docs[i]);
	c2s_diags_free(&diags);
	for (size_t i = 0; i < nread; i++)
		c2s_source_free(&srcs[i]);
	free(srcs);
	free(docs);
	free(dptr);
	free(vals);
	free(workdir);
	return status;
}
