/* fuzz_config.c -- .compose2swarm.yml's reader (lintconf.c) on any text: no crash, and a refusal always says where. */
#define _POSIX_C_SOURCE 200809L
#include "config.h"
#include "fuzz.h"
#include "lintconf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size > C2S_FUZZ_MAX_INPUT)
		return 0;
	static struct c2s_lintconf c;  /* large (its name table): not on the stack */
	char *text = malloc(size + 1);
	if (!text)
		abort();
	memcpy(text, data, size);
	text[size] = '\0';
	char *msg = NULL;
	size_t len = 0;
	FILE *err = open_memstream(&msg, &len);
	if (!err)
		abort();
	c2s_lintconf_defaults(&c);
	int rc = c2s_lintconf_parse(&c, "cfg.yml", text, size, err);
	fclose(err);
	/* CLI.md: a refusal is "path:line:col: error: message" */
	if (rc != 0 && (len == 0 || strncmp(msg, "cfg.yml:", 8) != 0 || !strstr(msg, ": error: "))) {
		fprintf(stderr, "config refused without a positioned error: %s\n", msg ? msg : "(nothing)");
		abort();
	}
	free(msg);
	free(text);
	return 0;
}
