/* gotmpl.h -- Go's text/template as swarmkit expands a service's env, hostname and
 * mounts when it validates the service (template/expand.go, template/context.go). */
#ifndef C2S_GOTMPL_H
#define C2S_GOTMPL_H

#include <stddef.h>

enum c2s_gotmpl_result {
	C2S_GOTMPL_OK,      /* parses and runs */
	C2S_GOTMPL_ERROR,   /* Go refuses it: the message is in err */
	C2S_GOTMPL_UNKNOWN  /* beyond what this models (a construct, or a limit): not judged */
};

/* Parse s[0..n) as the template "expansion" (with swarmkit's one function, join,
 * and missingkey=error) and run it on the Context a service is validated with:
 * Service {ID "serviceid", Name "servicename", Labels empty}, Node {ID "nodeid",
 * Hostname "nodeHostname", Platform {"architecture", "os"}}, Task {ID "",
 * Name "taskname", Slot "1"}. Go's message ("template: expansion:1: ...") goes
 * into err (NUL-terminated, cut at errsize). */
enum c2s_gotmpl_result c2s_gotmpl_check(const char *s, size_t n, char *err, size_t errsize);

#endif
