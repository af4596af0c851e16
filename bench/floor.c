/* floor.c -- the benchmark's floor: libyaml's event parser over a file, counting events.
 *
 * What any tool that reads YAML through libyaml pays before doing anything
 * (issue 8 defines the targets against it), so every figure in RESULTS.md
 * is a ratio to this program, measured in the same run. It reads the file
 * whole into memory and parses from the string; it builds nothing and
 * prints the event count. compose2swarm reads most files with its own
 * scanner (src/yaml_fast.c), so its ratios can be below 1.
 *
 *   floor FILE...     exit 0, or 1 on a syntax error, 2 on I/O trouble
 */
#include <stdio.h>
#include <stdlib.h>
#include <yaml.h>

static int slurp(const char *path, unsigned char **data, size_t *len)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return -1;
	size_t cap = 1 << 16, n = 0;
	unsigned char *buf = malloc(cap);
	for (;;) {
		if (!buf) {
			fclose(f);
			return -1;
		}
		n += fread(buf + n, 1, cap - n, f);
		if (n < cap)
			break;
		unsigned char *nb = realloc(buf, cap * 2);
		if (!nb)
			free(buf);
		buf = nb;
		cap *= 2;
	}
	int bad = ferror(f);
	fclose(f);
	if (bad) {
		free(buf);
		return -1;
	}
	*data = buf;
	*len = n;
	return 0;
}

int main(int argc, char **argv)
{
	unsigned long long events = 0;
	int status = 0;
	if (argc < 2) {
		fputs("usage: floor FILE...\n", stderr);
		return 2;
	}
	for (int i = 1; i < argc; i++) {
		unsigned char *data;
		size_t len;
		if (slurp(argv[i], &data, &len) != 0) {
			perror(argv[i]);
			return 2;
		}
		yaml_parser_t p;
		if (!yaml_parser_initialize(&p)) {
			free(data);
			return 2;
		}
		yaml_parser_set_input_string(&p, data, len);
		for (;;) {
			yaml_event_t e;
			if (!yaml_parser_parse(&p, &e)) {
				fprintf(stderr, "%s: %s\n", argv[i], p.problem ? p.problem : "parse error");
				status = 1;
				break;
			}
			events++;
			int end = e.type == YAML_STREAM_END_EVENT;
			yaml_event_delete(&e);
			if (end)
				break;
		}
		yaml_parser_delete(&p);
		free(data);
	}
	printf("%llu events\n", events);
	return status;
}
