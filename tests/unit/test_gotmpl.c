/* test_gotmpl.c -- Go template checks (gotmpl.c) against what a real dockerd 20.10.24
 * answered when each value below was a service's env value (A=VALUE), deployed with
 * docker CLI 28.2 (scripts/real-verdict.sh): its error text, or NULL where it
 * created the service. */
#include "config.h"
#include "testutil.h"
#include "gotmpl.h"

#include <stdlib.h>
#include <string.h>

static const struct {
	const char *tmpl;
	const char *engine;  /* the message after "expanding env \"A=...\": ", NULL: accepted */
} cases[] = {
	{"{{.Service.Name}}-{{.Task.Slot}}", NULL},
	{"{{if eq .Task.Slot 1}}a{{end}}", "template: expansion:1:5: executing \"expansion\" at <eq .Task.Slot 1>: "
					   "error calling eq: incompatible types for comparison"},
	{"{{if eq .Task.Slot \"1\"}}a{{else}}b{{end}}", NULL},
	{"{{ .Values.x }}", "template: expansion:1:10: executing \"expansion\" at <.Values.x>: can't evaluate field "
			    "Values in type *template.Context"},
	{"{{ $labels.instance }}", "template: expansion:1: undefined variable \"$labels\""},
	{"{{end}}", "template: expansion:1: unexpected {{end}}"},
	{"{{if .Task.Slot}}", "template: expansion:1: unexpected EOF"},
	{"{{/* c */}}x", NULL},
	{"{{- .Task.Slot -}}", NULL},
	{"{{join \",\" .Task.Slot .Node.ID}}", NULL},
	{"{{join \",\" 1}}", "template: expansion:1:11: executing \"expansion\" at <1>: expected string; found 1"},
	{"{{printf \"%s-%d\" .Task.Slot 3}}", NULL},
	{"{{range .Service.Labels}}{{.}}{{end}}", NULL},
	{"{{with .Node}}{{.Nope}}{{end}}", "template: expansion:1:16: executing \"expansion\" at <.Nope>: can't "
					   "evaluate field Nope in type struct { ID string; Hostname string; Platform template.Platform }"},
	{"{{$x := .Task}}{{$x.Nope}}", "template: expansion:1:19: executing \"expansion\" at <$x.Nope>: can't evaluate "
				       "field Nope in type struct { ID string; Name string; Slot string }"},
	{"{{template \"x\"}}", "template: expansion:1:11: executing \"expansion\" at <{{template \"x\"}}>: template "
			       "\"x\" not defined"},
	{"{{define \"x\"}}{{.Task.Slot}}{{end}}{{template \"x\" .}}", NULL},
	{"{{len .Node}}", "template: expansion:1:2: executing \"expansion\" at <len .Node>: error calling len: len of "
			  "type struct { ID string; Hostname string; Platform template.Platform }"},
	{"{{not}}", "template: expansion:1:2: executing \"expansion\" at <not>: wrong number of args for not: want 1 got 0"},
	{"{{\"a\" | .Task.Slot}}", "template: expansion:1:13: executing \"expansion\" at <.Task.Slot>: Slot has "
				   "arguments but cannot be invoked as function"},
	{"{{call .Service.Name}}", "template: expansion:1:2: executing \"expansion\" at <call .Service.Name>: error "
				   "calling call: non-function of type string"},
	{"{{nil}}", "template: expansion:1:2: executing \"expansion\" at <nil>: nil is not a command"},
	{"{{}}", "template: expansion:1: missing value for command"},
	{"{{(.Node).Hostname}}", NULL},
	{"{{break}}", "template: expansion:1: {{break}} outside {{range}}"},
	{"{{\"unterminated}}", "template: expansion:1: unterminated quoted string"},
	{"{{ .Node.Platform.OS }}", NULL},
	{"{{.Task.ID}}", NULL},
	{"{{if .Task.ID}}{{.Foo}}{{end}}", NULL},
	{"{{if not .Task.ID}}{{.Foo}}{{end}}", "template: expansion:1:21: executing \"expansion\" at <.Foo>: can't "
					       "evaluate field Foo in type *template.Context"},
	{"{{ index .Service.Labels \"com.docker.stack.namespace\" }}", NULL},
	{"{{.Service.Labels}}", NULL},
	{"}}{{", "template: expansion:1: unclosed action"},
	{"{{.}}", NULL},
	{"{{eq .Task.Slot}}", "template: expansion:1:2: executing \"expansion\" at <eq .Task.Slot>: error calling eq: "
			      "missing argument for comparison"},
	{"{{lt .Task.Slot \"2\"}}", NULL},
	{"{{html .Node.ID}}{{js .Task.Name}}{{urlquery \"a b\"}}", NULL},
	{"{{ 3 | printf \"%d\" }}", NULL},
	{"{{.Task.Slot | len}}", NULL},
	{"{{ 1.5 }}{{ 0x1F }}{{ true }}", NULL},
	{"{{print}}", NULL},
	{"{{block \"b\" .}}{{.Task.Slot}}{{end}}", NULL},
	{"{{range .Task.Slot}}{{end}}", "template: expansion:1:13: executing \"expansion\" at <.Task.Slot>: range "
					"can't iterate over 1"},
	{"{{if and .Task.Slot .Foo}}{{end}}", "template: expansion:1:20: executing \"expansion\" at <.Foo>: can't "
					      "evaluate field Foo in type *template.Context"},
	{"{{if or .Task.Slot .Foo}}{{end}}", NULL},
	{"{{.Foo}}", "template: expansion:1:2: executing \"expansion\" at <.Foo>: can't evaluate field Foo in type "
		     "*template.Context"},
	{"{{ bad", "template: expansion:1: function \"bad\" not defined"},
	{"{{json .}}", "template: expansion:1: function \"json\" not defined"},
	{"{{index .Service.Labels \"x\"}}", NULL},
	{"{{.Service.Labels.x}}", "template: expansion:1:10: executing \"expansion\" at <.Service.Labels.x>: map has no "
				  "entry for key \"x\""},
	{"/data/{{.Task.Slot}", "template: expansion:1: bad character U+007D '}'"},
	/* index and slice of the values the validation sees (Task.Slot "1", Task.ID empty) */
	{"{{\"\\x\"}}",
	 "template: expansion:1: invalid syntax"},
	{"{{\"\\u00e9\\101\\x41\"}}", NULL},
	{"{{99999999999999999999999}}",
	 "template: expansion:1: integer overflow: \"99999999999999999999999\""},
	{"{{index .Task.Slot 0}}{{index .Task.Name 7}}{{index .Node.Hostname 11}}", NULL},
	{"{{index .Task.Slot 1}}",
	 "template: expansion:1:2: executing \"expansion\" at <index .Task.Slot 1>: "
	 "error calling index: reflect: string index out of range"},
	{"{{index .Service.Name 11}}",
	 "template: expansion:1:2: executing \"expansion\" at <index .Service.Name 11>: "
	 "error calling index: reflect: string index out of range"},
	{"{{index .Task.ID 0}}",
	 "template: expansion:1:2: executing \"expansion\" at <index .Task.ID 0>: "
	 "error calling index: reflect: string index out of range"},
	{"{{index .Task.Slot 100}}",
	 "template: expansion:1:2: executing \"expansion\" at <index .Task.Slot 100>: "
	 "error calling index: index out of range: 100"},
	{"{{index .Task.Slot -1}}",
	 "template: expansion:1:2: executing \"expansion\" at <index .Task.Slot -1>: "
	 "error calling index: index out of range: -1"},
	{"{{index .Service.Labels 1}}",
	 "template: expansion:1:2: executing \"expansion\" at <index .Service.Labels 1>: "
	 "error calling index: value has type int; should be string"},
	{"{{index .Service.Labels true}}",
	 "template: expansion:1:2: executing \"expansion\" at <index .Service.Labels true>: "
	 "error calling index: value has type bool; should be string"},
	{"{{index .Task.Slot \"a\"}}",
	 "template: expansion:1:2: executing \"expansion\" at <index .Task.Slot \"a\">: "
	 "error calling index: cannot index slice/array with type string"},
	{"{{index .Task.Slot 1.5}}",
	 "template: expansion:1:2: executing \"expansion\" at <index .Task.Slot 1.5>: "
	 "error calling index: cannot index slice/array with type float64"},
	{"{{index .Task.Slot nil}}",
	 "template: expansion:1:2: executing \"expansion\" at <index .Task.Slot nil>: "
	 "error calling index: cannot index slice/array with nil"},
	{"{{index .Task.Slot 0 0}}",
	 "template: expansion:1:2: executing \"expansion\" at <index .Task.Slot 0 0>: "
	 "error calling index: can't index item of type uint8"},
	{"{{index .Node.Platform 0}}",
	 "template: expansion:1:2: executing \"expansion\" at <index .Node.Platform 0>: "
	 "error calling index: can't index item of type template.Platform"},
	{"{{slice .Task.Slot 2}}",
	 "template: expansion:1:2: executing \"expansion\" at <slice .Task.Slot 2>: "
	 "error calling slice: index out of range: 2"},
	{"{{slice .Task.Slot 0 2}}",
	 "template: expansion:1:2: executing \"expansion\" at <slice .Task.Slot 0 2>: "
	 "error calling slice: index out of range: 2"},
	{"{{slice .Task.Slot 1 0}}",
	 "template: expansion:1:2: executing \"expansion\" at <slice .Task.Slot 1 0>: "
	 "error calling slice: invalid slice index: 1 > 0"},
	{"{{slice .Task.Slot 0 1 1}}",
	 "template: expansion:1:2: executing \"expansion\" at <slice .Task.Slot 0 1 1>: "
	 "error calling slice: cannot 3-index slice a string"},
	{"{{slice .Service.Labels}}",
	 "template: expansion:1:2: executing \"expansion\" at <slice .Service.Labels>: "
	 "error calling slice: can't slice item of type map[string]string"},
	{"{{slice .Task.Slot 0}}{{slice .Task.Slot 1}}", NULL},
	{"{{range $i, $e := .Service.Labels}}{{$i}}{{end}}", NULL},
	{"{{range $i, $c := .Task.Name}}{{end}}x",
	 "template: expansion:1:23: executing \"expansion\" at <.Task.Name>: range can't iterate over taskname"},
	{"{{.Node.Nope}}", "template: expansion:1:7: executing \"expansion\" at <.Node.Nope>: can't evaluate field Nope "
			   "in type struct { ID string; Hostname string; Platform template.Platform }"},
};

static void test_engine_answers(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		char err[512];
		enum c2s_gotmpl_result r = c2s_gotmpl_check(cases[i].tmpl, strlen(cases[i].tmpl), err, sizeof err);
		if (!cases[i].engine) {
			if (r == C2S_GOTMPL_ERROR)
				fail_msg("%s: the engine accepts it, we say: %s", cases[i].tmpl, err);
			continue;
		}
		if (r != C2S_GOTMPL_ERROR)
			fail_msg("%s: the engine refuses it (%s), we say %s", cases[i].tmpl, cases[i].engine,
				 r == C2S_GOTMPL_OK ? "fine" : "unknown");
		assert_string_equal(err, cases[i].engine);
	}
}

/* What is not modelled, or too long, is not judged (never a false refusal). */
static void test_unknown(void **state)
{
	(void)state;
	char err[64];
	static const char *const unknown[] = {
		"{{range $i, $e := .Service}}{{end}}",  /* a struct's text is not modelled */
		"{{slice (print .Task.Slot) 0}}",  /* a printed string's length is not modelled */
		"{{.Expand \"x\"}}",
	};
	for (size_t i = 0; i < sizeof unknown / sizeof *unknown; i++)
		assert_int_equal(c2s_gotmpl_check(unknown[i], strlen(unknown[i]), err, sizeof err), C2S_GOTMPL_UNKNOWN);
	/* C2S_GOTMPL_MAX_TOKENS: a template with more tokens is left alone */
	size_t n = (size_t)C2S_GOTMPL_MAX_TOKENS * 3 + 16;
	char *big = malloc(n);
	assert_non_null(big);
	size_t w = 0;
	memcpy(big + w, "{{print", 7);
	w += 7;
	while (w + 4 < n)
		big[w++] = ' ', big[w++] = '1';
	memcpy(big + w, "}}", 2);
	w += 2;
	assert_int_equal(c2s_gotmpl_check(big, w, err, sizeof err), C2S_GOTMPL_UNKNOWN);
	/* just under the limit it is judged */
	assert_int_equal(c2s_gotmpl_check("{{print 1 1 1}}", 15, err, sizeof err), C2S_GOTMPL_OK);
	free(big);
	assert_int_equal(c2s_gotmpl_check("no braces", 9, err, sizeof err), C2S_GOTMPL_OK);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_engine_answers),
		cmocka_unit_test(test_unknown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
