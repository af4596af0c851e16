/* test_controls.c -- formatters (sarif, checkstyle, junit, github, codeclimate),
 * pragmas, the config file, and the value parsers rules use (fixes and diffs: test_edit.c). */
#include "config.h"
#include "testutil.h"
#include "buf.h"
#include "check.h"
#include "format.h"
#include "lintconf.h"
#include "pragma.h"

#include <cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>
#include <errno.h>

/* ---- formatters over a hand-built list ---- */


static int setup(void **state)
{
	static const char text[] = "services:\n  web:\n    links: [db]\n";
	struct format_fixture *f = format_fixture_new("a,b:c.yml", text, sizeof text - 1);
	/* "links" at byte 21..26: line 3, columns 5..10 */
	struct c2s_diag *d = c2s_diag_add(&f->diags, C2S_R_CS5008, &f->src, 21, 26, "links <&> \"x\" 100%%");
	c2s_diag_hint(&f->diags, d, "remove it");
	c2s_diag_add(&f->diags, C2S_R_CS9002, &f->src, 12, 15, "info one");
	c2s_diags_resolve(&f->diags);
	*state = f;
	return 0;
}


static const char *format(struct format_fixture *f, enum c2s_format fmt)
{
	struct c2s_format_options o = {.format = fmt, .color = 0, .files = 1};
	assert_int_equal(c2s_format_diags(&f->diags, &o, &f->out), 0);
	return f->out.data;
}

static void test_github(void **state)
{
	assert_string_equal(format(*state, C2S_FORMAT_GITHUB),
		"::notice file=a%2Cb%3Ac.yml,line=2,col=3,endLine=2,endColumn=6,title=CS9002 registry-auth::info one\n"
		"::warning file=a%2Cb%3Ac.yml,line=3,col=5,endLine=3,endColumn=10,title=CS5008 links::"
		"links <&> \"x\" 100%25%0Ahint: remove it\n");
}

static void test_checkstyle(void **state)
{
	assert_string_equal(format(*state, C2S_FORMAT_CHECKSTYLE),
		"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<checkstyle version=\"4.3\">\n"
		"<file name=\"a,b:c.yml\">\n"
		"<error line=\"2\" column=\"3\" severity=\"info\" message=\"info one\" source=\"compose2swarm.CS9002.registry-auth\"/>\n"
		"<error line=\"3\" column=\"5\" severity=\"warning\" message=\"links &lt;&amp;&gt; &quot;x&quot; 100%\" "
		"source=\"compose2swarm.CS5008.links\"/>\n"
		"</file>\n</checkstyle>\n");
}

static void test_junit(void **state)
{
	const char *s = format(*state, C2S_FORMAT_JUNIT);
	assert_non_null(strstr(s, "<testsuites name=\"compose2swarm\" tests=\"2\" failures=\"2\">\n"
				  "<testsuite name=\"a,b:c.yml\" tests=\"2\" failures=\"2\" errors=\"0\">\n"));
	assert_non_null(strstr(s, "<testcase name=\"CS5008 links\" classname=\"a,b:c.yml:3:5\">"
				  "<failure type=\"warning\" message=\"links &lt;&amp;&gt; &quot;x&quot; 100%\">"
				  "a,b:c.yml:3:5: warning: links &lt;&amp;&gt; &quot;x&quot; 100% [CS5008]&#10;hint: remove it"
				  "</failure></testcase>\n"));
	assert_non_null(strstr(s, "</testsuite>\n</testsuites>\n"));
}

static void test_sarif(void **state)
{
	cJSON *j = cJSON_Parse(format(*state, C2S_FORMAT_SARIF));
	assert_non_null(j);
	assert_string_equal(cJSON_GetObjectItem(j, "version")->valuestring, "2.1.0");
	cJSON *run = cJSON_GetArrayItem(cJSON_GetObjectItem(j, "runs"), 0);
	cJSON *rules = cJSON_GetObjectItem(cJSON_GetObjectItem(cJSON_GetObjectItem(run, "tool"), "driver"), "rules");
	assert_int_equal(cJSON_GetArraySize(rules), 2);  /* the rules with results */
	assert_non_null(cJSON_GetObjectItem(cJSON_GetArrayItem(rules, 0), "fullDescription"));
	assert_non_null(cJSON_GetObjectItem(cJSON_GetObjectItem(cJSON_GetArrayItem(rules, 0), "help"), "markdown"));
	cJSON *res = cJSON_GetArrayItem(cJSON_GetObjectItem(run, "results"), 1);
	assert_string_equal(cJSON_GetObjectItem(res, "ruleId")->valuestring, "CS5008");
	assert_string_equal(cJSON_GetObjectItem(res, "level")->valuestring, "warning");
	int idx = cJSON_GetObjectItem(res, "ruleIndex")->valueint;
	assert_string_equal(cJSON_GetObjectItem(cJSON_GetArrayItem(rules, idx), "id")->valuestring, "CS5008");
	assert_string_equal(cJSON_GetObjectItem(cJSON_GetObjectItem(res, "message"), "text")->valuestring,
			    "links <&> \"x\" 100%\nhint: remove it");
	cJSON *region = cJSON_GetObjectItem(cJSON_GetObjectItem(cJSON_GetArrayItem(
		cJSON_GetObjectItem(res, "locations"), 0), "physicalLocation"), "region");
	assert_int_equal(cJSON_GetObjectItem(region, "startLine")->valueint, 3);
	assert_int_equal(cJSON_GetObjectItem(region, "startColumn")->valueint, 5);
	assert_int_equal(cJSON_GetObjectItem(region, "endColumn")->valueint, 10);
	res = cJSON_GetArrayItem(cJSON_GetObjectItem(run, "results"), 0);
	assert_string_equal(cJSON_GetObjectItem(res, "level")->valuestring, "note");
	cJSON_Delete(j);
}

static void test_codeclimate(void **state)
{
	cJSON *j = cJSON_Parse(format(*state, C2S_FORMAT_CODECLIMATE));
	assert_non_null(j);
	assert_int_equal(cJSON_GetArraySize(j), 2);
	cJSON *w = cJSON_GetArrayItem(j, 1);
	assert_string_equal(cJSON_GetObjectItem(w, "check_name")->valuestring, "CS5008");
	assert_string_equal(cJSON_GetObjectItem(w, "severity")->valuestring, "minor");
	assert_string_equal(cJSON_GetObjectItem(cJSON_GetObjectItem(w, "location"), "path")->valuestring, "a,b:c.yml");
	cJSON *begin = cJSON_GetObjectItem(cJSON_GetObjectItem(cJSON_GetObjectItem(w, "location"), "positions"), "begin");
	assert_int_equal(cJSON_GetObjectItem(begin, "line")->valueint, 3);
	const char *fp0 = cJSON_GetObjectItem(cJSON_GetArrayItem(j, 0), "fingerprint")->valuestring;
	const char *fp1 = cJSON_GetObjectItem(w, "fingerprint")->valuestring;
	assert_int_equal(strlen(fp1), 16);
	assert_string_not_equal(fp0, fp1);
	assert_string_equal(cJSON_GetObjectItem(cJSON_GetArrayItem(j, 0), "severity")->valuestring, "info");
	cJSON_Delete(j);
}

static void test_format_names(void **state)
{
	(void)state;
	assert_int_equal(c2s_format_parse("sarif"), C2S_FORMAT_SARIF);
	assert_int_equal(c2s_format_parse("checkstyle"), C2S_FORMAT_CHECKSTYLE);
	assert_int_equal(c2s_format_parse("junit"), C2S_FORMAT_JUNIT);
	assert_int_equal(c2s_format_parse("github"), C2S_FORMAT_GITHUB);
	assert_int_equal(c2s_format_parse("codeclimate"), C2S_FORMAT_CODECLIMATE);
	assert_int_equal(c2s_format_parse("xml"), -1);
}

/* ---- pragmas ---- */

static void test_pragmas(void **state)
{
	(void)state;
	static const char text[] =
		"services:\n"
		"  web:  # compose2swarm ignore=CS5008,links -- both spellings\n"      /* line 2: own line */
		"    # compose2swarm ignore=CS9999\n"                                  /* line 3: next line, no reason */
		"    image: \"# compose2swarm ignore=CS5001 -- in a string\"\n"       /* '#' after '"': not a comment */
		"    x: 1 #compose2swarm ignore=CS5001 --   \n"                        /* no blank after '#': ours too */
		"    y: 2 # compose2swarm   ignore=privileged --reason\n";             /* line 6 */
	struct c2s_source src;
	c2s_source_from_memory(&src, "p.yml", text, sizeof text - 1);
	struct c2s_pragma *pg;
	long n = c2s_pragmas_scan(&src, &pg);
	assert_int_equal(n, 4);
	assert_int_equal(pg[0].line, 2);
	assert_int_equal(pg[0].target, 2);
	assert_int_equal(pg[0].nids, 2);
	assert_int_equal(pg[0].ids[0].rule, C2S_R_CS5008);
	assert_int_equal(pg[0].ids[1].rule, C2S_R_CS5008);
	assert_true(pg[0].has_reason);
	assert_int_equal(pg[1].line, 3);
	assert_int_equal(pg[1].target, 4);
	assert_int_equal(pg[1].ids[0].rule, -1);
	assert_memory_equal(text + pg[1].ids[0].start, "CS9999", 6);
	assert_false(pg[1].has_reason);
	assert_int_equal(pg[2].line, 5);
	assert_int_equal(pg[2].target, 5);
	assert_false(pg[2].has_reason);  /* "--" and blanks only */
	assert_int_equal(pg[3].line, 6);
	assert_int_equal(pg[3].ids[0].rule, C2S_R_CS5012);
	assert_true(pg[3].has_reason);
	assert_memory_equal(text + pg[3].start, "# compose2swarm   ignore=privileged --reason", 44);
	assert_int_equal(pg[3].end - pg[3].start, 44);
	free(pg);
	c2s_source_free(&src);
}

/* ---- the config file ---- */

static char *conf_errors(struct c2s_lintconf *c, const char *text, int *rc)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *err = open_memstream(&buf, &len);
	c2s_lintconf_defaults(c);
	*rc = c2s_lintconf_parse(c, "cfg.yml", text, strlen(text), err);
	fclose(err);
	return buf;
}

static void test_config_ok(void **state)
{
	(void)state;
	struct c2s_lintconf c;
	int rc;
	char *e = conf_errors(&c,
		"rules:\n  enable: [CS9001]\n  disable: [no-healthcheck, CS5013]\n  severity:\n    links: error\n"
		"engine-version: \"20.10\"\nfail-on: error\n", &rc);
	assert_int_equal(rc, 0);
	assert_string_equal(e, "");
	free(e);
	assert_int_equal(c.severity[C2S_R_CS9001], C2S_SEVERITY_INFO);
	assert_int_equal(c.severity[C2S_R_CS7001], C2S_SEVERITY_NONE);
	assert_int_equal(c.severity[C2S_R_CS5013], C2S_SEVERITY_NONE);
	assert_int_equal(c.severity[C2S_R_CS5008], C2S_SEVERITY_ERROR);
	assert_int_equal(c.severity[C2S_R_CS5101], C2S_SEVERITY_WARNING);
	assert_int_equal(c.engine_major, 20);
	assert_int_equal(c.engine_minor, 10);
	assert_true(c.fail_on_set);
	assert_int_equal(c.fail_on, C2S_SEVERITY_ERROR);
}

static void test_config_defaults(void **state)
{
	(void)state;
	struct c2s_lintconf c;
	c2s_lintconf_defaults(&c);
	assert_int_equal(c.severity[C2S_R_CS9001], C2S_SEVERITY_NONE);  /* opt-in */
	assert_int_equal(c.severity[C2S_R_CS9002], C2S_SEVERITY_INFO);
	assert_int_equal(c.fail_on, C2S_SEVERITY_WARNING);
	assert_false(c.fail_on_set);
}

static void test_config_errors(void **state)
{
	(void)state;
	struct c2s_lintconf c;
	int rc;
	char *e = conf_errors(&c, "rules:\n  disable: [CS0000]\n  severity: {CS5001: loud}\nfail_on: error\n"
				  "engine-version: 20.10\n", &rc);
	assert_int_equal(rc, -1);
	assert_string_equal(e,
		"cfg.yml:2:13: error: unknown rule 'CS0000' (see `compose2swarm rules`)\n"
		"cfg.yml:3:22: error: 'loud' is not error, warning or info (disable a rule with rules.disable)\n"
		"cfg.yml:4:1: error: unknown key 'fail_on' (rules, engine-version, fail-on, docs-url, stacks, exclude)\n");
	free(e);
	/* a YAML number 20.10 is the float 20.1: still the text "20.10" in the source, accepted */
	assert_int_equal(c.engine_major, 20);
	e = conf_errors(&c, "rules: [a\n", &rc);
	assert_int_equal(rc, -1);
	assert_non_null(strstr(e, "cfg.yml:"));
	assert_non_null(strstr(e, "[CS1001]"));
	free(e);
	e = conf_errors(&c, "engine-version: \"twenty\"\n", &rc);
	assert_int_equal(rc, -1);
	assert_string_equal(e, "cfg.yml:1:17: error: engine-version wants MAJOR.MINOR in quotes, such as \"20.10\", "
			       "not 'twenty'\n");
	free(e);
	e = conf_errors(&c, "", &rc);
	assert_int_equal(rc, 0);
	free(e);
}

static void test_config_find(void **state)
{
	(void)state;
	char dir[] = "/tmp/c2s-conf-XXXXXX";
	assert_non_null(mkdtemp(dir));
	char sub[64], conf[64], file[80], found[4096];
	snprintf(sub, sizeof sub, "%s/a", dir);
	assert_int_equal(mkdir(sub, 0700), 0);
	snprintf(file, sizeof file, "%s/stack.yml", sub);
	snprintf(conf, sizeof conf, "%s/" C2S_CONFIG_NAME, dir);
	FILE *f = fopen(conf, "w");
	assert_non_null(f);
	fclose(f);
	/* a FIFO nearer the file is skipped with a warning, not waited on */
	char fifo[128];
	snprintf(fifo, sizeof fifo, "%s/" C2S_CONFIG_NAME, sub);
	assert_int_equal(mkfifo(fifo, 0600), 0);
	char *warned = NULL;
	size_t wn = 0;
	FILE *err = open_memstream(&warned, &wn);
	assert_non_null(err);
	assert_int_equal(c2s_lintconf_find(file, found, sizeof found, err), 1);
	fclose(err);
	assert_non_null(strstr(warned, "is not a regular file; skipped"));
	assert_non_null(strstr(warned, fifo));
	free(warned);
	assert_non_null(strstr(found, "/a/") == NULL ? found : NULL);
	assert_int_equal(strcmp(found + strlen(found) - strlen(C2S_CONFIG_NAME), C2S_CONFIG_NAME), 0);
	/* C2S_MAX_CONFIG_BYTES: one byte more is refused, naming the limit */
	f = fopen(conf, "w");
	assert_non_null(f);
	for (size_t i = 0; i <= C2S_MAX_CONFIG_BYTES; i++)
		fputc(i % 64 == 63 ? '\n' : '#', f);
	fclose(f);
	struct c2s_lintconf c;
	c2s_lintconf_defaults(&c);
	warned = NULL;
	err = open_memstream(&warned, &wn);
	assert_int_equal(c2s_lintconf_load_found(&c, found, err), -1);
	fclose(err);
	assert_non_null(strstr(warned, "larger than 1 MiB, the largest config file"));
	free(warned);
	/* the limit itself is fine (a file of comments) */
	assert_int_equal(truncate(conf, (off_t)C2S_MAX_CONFIG_BYTES), 0);
	assert_int_equal(c2s_lintconf_load_found(&c, found, stderr), 0);
	unlink(fifo);
	unlink(conf);
	rmdir(sub);
	rmdir(dir);
}

/* ---- value parsers ---- */

static struct c2s_str S(const char *s)
{
	return (struct c2s_str){s, strlen(s)};
}

static void test_compose_spec_table(void **state)
{
	(void)state;
	assert_non_null(c2s_compose_spec_hint(0, S("platform")));
	assert_non_null(c2s_compose_spec_hint(0, S("cpus")));
	assert_non_null(c2s_compose_spec_hint(1, S("include")));
	assert_null(c2s_compose_spec_hint(0, S("image")));
	assert_null(c2s_compose_spec_hint(1, S("services")));
	assert_null(c2s_compose_spec_hint(0, S("volumes_from")));  /* forbidden: front reports it */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_github, setup, format_fixture_teardown),
		cmocka_unit_test_setup_teardown(test_checkstyle, setup, format_fixture_teardown),
		cmocka_unit_test_setup_teardown(test_junit, setup, format_fixture_teardown),
		cmocka_unit_test_setup_teardown(test_sarif, setup, format_fixture_teardown),
		cmocka_unit_test_setup_teardown(test_codeclimate, setup, format_fixture_teardown),
		cmocka_unit_test(test_format_names),
		cmocka_unit_test(test_pragmas),
		cmocka_unit_test(test_config_ok),
		cmocka_unit_test(test_config_defaults),
		cmocka_unit_test(test_config_errors),
		cmocka_unit_test(test_config_find),
		cmocka_unit_test(test_compose_spec_table),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
