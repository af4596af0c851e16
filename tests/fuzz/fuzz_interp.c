/* fuzz_interp.c -- docker's variable substitution (interp.c) on any text: no crash, a result within its cap, errors inside the input. */
#include "config.h"
#include "fuzz.h"
#include "buf.h"
#include "interp.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static struct c2s_env *env;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size > C2S_FUZZ_MAX_INPUT)
		return 0;
	if (!env) {
		static const char *const envp[] = {"A=1", "B=", "C=x y", "D=$A", "LONG=aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", NULL};
		env = c2s_env_new(envp);
		if (!env)
			abort();
	}
	struct c2s_buf out;
	c2s_buf_init(&out, (size_t)1 << 20);
	struct c2s_subst_error err;
	memset(&err, 0, sizeof err);
	enum c2s_subst_status st = c2s_substitute((const char *)data, size, env, &out, &err, NULL, NULL);
	/* an error names a part of the input */
	if ((st == C2S_SUBST_INVALID || st == C2S_SUBST_REQUIRED) && (err.at > err.end || err.end > size)) {
		fprintf(stderr, "substitution error outside the input: [%zu, %zu) of %zu\n", err.at, err.end, size);
		abort();
	}
	if (st == C2S_SUBST_REQUIRED && (err.name + err.nname > size || err.msg + err.nmsg > size)) {
		fprintf(stderr, "required variable's name or message outside the input\n");
		abort();
	}
	c2s_buf_free(&out);
	return 0;
}
