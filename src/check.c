/* check.c -- helpers shared by rule checks. */
#include "config.h"
#include "check.h"

struct c2s_str c2s_service_mode(const struct c2s_doc *d, const struct c2s_node *svc)
{
	const struct c2s_node *deploy = c2s_map_get(d, svc, "deploy", NULL);
	const struct c2s_node *mode = c2s_map_get(d, deploy, "mode", NULL);
	if (c2s_is_scalar(mode) && c2s_count(mode))
		return c2s_scalar(d, mode);
	return (struct c2s_str){"replicated", 10};
}

int c2s_engine_at_least(const struct c2s_check *c, int major, int minor)
{
	if (c->engine_major == 0 && c->engine_minor == 0)
		return -1;
	if (c->engine_major != major)
		return c->engine_major > major;
	return c->engine_minor >= minor;
}
