/* test_plan.c -- plan's pieces: the state read by shape, the daemon's
 * normalisation, equality as the daemon stores values, compose paths,
 * swarmkit's constraints, the comparison (docker/cli's merges, refusals,
 * IsTaskDirty) and the printers. What a daemon stores was observed on a real
 * 20.10 swarm (fixtures/plan/norm.yml, tests/golden/plan/norm.raw.json);
 * the constraint rules are swarmkit's manager/constraint/constraint.go. */
#include "config.h"
#include "testutil.h"

#include "plan.h"
#include "plan_constraint.h"

#include <stdlib.h>

static cJSON *J(const char *text)
{
	cJSON *v = cJSON_Parse(text);
	assert_non_null(v);
	return v;
}

/* ---- the state ---- */

static void test_state_shapes(void **state)
{
	(void)state;
	struct c2s_plan_state st;
	char err[256] = "";
	c2s_plan_state_init(&st);
	const char *text =
		"[{\"ID\":\"s1\",\"Spec\":{\"Name\":\"x_web\",\"TaskTemplate\":{}}},"
		" {\"Name\":\"x_net\",\"Id\":\"n1\",\"Driver\":\"overlay\",\"Scope\":\"swarm\"}]\n"
		"[{\"ID\":\"c1\",\"Spec\":{\"Name\":\"x_conf\",\"Data\":\"eA==\"}},"
		" {\"ID\":\"k1\",\"Spec\":{\"Name\":\"x_secret\",\"Labels\":{}}}]"
		"{\"ID\":\"t1\",\"ServiceID\":\"s1\",\"NodeID\":\"n\"}"
		" [{\"ID\":\"node1\",\"Spec\":{\"Role\":\"manager\"},\"Description\":{},\"Status\":{}}]";
	assert_int_equal(c2s_plan_state_add(&st, text, strlen(text), -1, "s.json", err, sizeof err), 0);
	assert_int_equal(st.n[C2S_PLAN_SERVICE], 1);
	assert_int_equal(st.n[C2S_PLAN_NETWORK], 1);
	assert_int_equal(st.n[C2S_PLAN_CONFIG], 1);
	assert_int_equal(st.n[C2S_PLAN_SECRET], 1);
	assert_int_equal(st.n[C2S_PLAN_TASK], 1);
	assert_int_equal(st.n[C2S_PLAN_NODE], 1);
	assert_int_equal(st.total, 6);
	/* a list response: every object is of the kind asked for */
	assert_int_equal(c2s_plan_state_add(&st, "[{\"Spec\":{}}]", 13, C2S_PLAN_SERVICE, "list", err, sizeof err), 0);
	assert_int_equal(st.n[C2S_PLAN_SERVICE], 2);
	c2s_plan_state_free(&st);
}

static void test_state_errors(void **state)
{
	(void)state;
	struct c2s_plan_state st;
	char err[256] = "";
	c2s_plan_state_init(&st);
	/* a container, not a swarm object */
	const char *container = "[{\"Id\":\"abc\",\"State\":{\"Running\":true}}]";
	assert_int_equal(c2s_plan_state_add(&st, container, strlen(container), -1, "c.json", err, sizeof err), -1);
	assert_non_null(strstr(err, "c.json: value 1 is not a swarm service"));
	c2s_plan_state_free(&st);
	c2s_plan_state_init(&st);
	const char *bad = "[\n  {\"ID\": \"x\",\n   oops}]";
	assert_int_equal(c2s_plan_state_add(&st, bad, strlen(bad), -1, "b.json", err, sizeof err), -1);
	assert_non_null(strstr(err, "b.json:3:"));
	assert_non_null(strstr(err, "not JSON"));
	c2s_plan_state_free(&st);
	/* nothing at all is an empty state */
	c2s_plan_state_init(&st);
	assert_int_equal(c2s_plan_state_add(&st, " \n", 2, -1, "e.json", err, sizeof err), 0);
	assert_int_equal(st.total, 0);
	c2s_plan_state_free(&st);
}

static void test_state_limits(void **state)
{
	(void)state;
	struct c2s_plan_state st;
	char err[256] = "";
	/* C2S_MAX_STATE_BYTES: refused before a byte is read */
	c2s_plan_state_init(&st);
	assert_int_equal(c2s_plan_state_add(&st, "", C2S_MAX_STATE_BYTES + 1, -1, "big", err, sizeof err), -2);
	assert_non_null(strstr(err, "C2S_MAX_STATE_BYTES"));
	c2s_plan_state_free(&st);
	/* C2S_MAX_STATE_OBJECTS: one object too many */
	static const char task[] = "{\"ID\":\"t\",\"ServiceID\":\"s\"},";
	size_t n = (size_t)C2S_MAX_STATE_OBJECTS + 1, len = 1 + n * (sizeof task - 1) + 1;
	char *text = malloc(len + 1), *p = text;
	assert_non_null(text);
	*p++ = '[';
	for (size_t i = 0; i < n; i++, p += sizeof task - 1)
		memcpy(p, task, sizeof task - 1);
	p[-1] = ']';
	*p = '\0';
	c2s_plan_state_init(&st);
	assert_int_equal(c2s_plan_state_add(&st, text, (size_t)(p - text), -1, "many", err, sizeof err), -2);
	assert_non_null(strstr(err, "C2S_MAX_STATE_OBJECTS"));
	assert_int_equal(st.total, C2S_MAX_STATE_OBJECTS);
	c2s_plan_state_free(&st);
	free(text);
}

/* ---- what the daemon stores ---- */

static const char *net_id(void *ctx, const char *name)
{
	(void)ctx;
	return strcmp(name, "s_back") == 0 ? "NETID" : NULL;
}

static const char *secret_id(void *ctx, const char *name)
{
	(void)ctx;
	return strcmp(name, "s_pw") == 0 ? "SECID" : NULL;
}

static void assert_json(const cJSON *got, const char *want)
{
	cJSON *w = J(want);
	if (!cJSON_Compare(got, w, 1)) {
		char *g = cJSON_PrintUnformatted(got);
		print_error("got  %s\nwant %s\n", g, want);
		free(g);
		fail();
	}
	cJSON_Delete(w);
}

static void test_normalise(void **state)
{
	(void)state;
	struct c2s_plan_ids ids = {net_id, secret_id, NULL, NULL};
	/* a body as docker sends it: the daemon (20.10, norm.raw.json) fills the
	 * runtime, isolation, restart condition and attempts, one replica, vip,
	 * tcp/ingress, pause/stop-first, names networks and secrets by ID, drops
	 * a zero monitor and what it has no field for */
	cJSON *s = J("{\"Name\":\"s_web\",\"TaskTemplate\":{\"ContainerSpec\":{\"Image\":\"i\","
		     "\"Mounts\":[{\"Type\":\"BIND\",\"Source\":\"/a\",\"Target\":\"/b\",\"Consistency\":\"cached\","
		     "\"BindOptions\":{\"Propagation\":\"\"}},{\"Type\":\"bind\",\"Source\":\"/a\",\"Target\":\"/c\","
		     "\"BindOptions\":{\"Propagation\":\"RSHARED\"}},{\"Type\":\"volume\",\"Target\":\"/d\","
		     "\"VolumeOptions\":{\"NoCopy\":true,\"Subpath\":\"x\"}}],"
		     "\"Healthcheck\":{\"Test\":[\"CMD\",\"true\"],\"StartInterval\":1000000000},"
		     "\"Secrets\":[{\"File\":{\"Name\":\"pw\"},\"SecretID\":\"\",\"SecretName\":\"s_pw\"}],"
		     "\"Privileges\":{\"CredentialSpec\":null,\"SELinuxContext\":null,\"NoNewPrivileges\":false}},"
		     "\"RestartPolicy\":{},\"Networks\":[{\"Target\":\"s_back\"},{\"Target\":\"ext\"}],\"ForceUpdate\":0},"
		     "\"Mode\":{\"Replicated\":{}},\"UpdateConfig\":{\"Parallelism\":1,\"Monitor\":0},"
		     "\"EndpointSpec\":{\"Ports\":[{\"TargetPort\":80}]}}");
	assert_int_equal(c2s_plan_normalise_service(s, &ids, "1.41", 0), 0);
	assert_json(s, "{\"Name\":\"s_web\",\"TaskTemplate\":{\"ContainerSpec\":{\"Image\":\"i\","
		       "\"Mounts\":[{\"Type\":\"bind\",\"Source\":\"/a\",\"Target\":\"/b\"},"
		       "{\"Type\":\"bind\",\"Source\":\"/a\",\"Target\":\"/c\",\"BindOptions\":{\"Propagation\":\"rshared\"}},"
		       "{\"Type\":\"volume\",\"Target\":\"/d\",\"VolumeOptions\":{\"NoCopy\":true}}],"
		       "\"Healthcheck\":{\"Test\":[\"CMD\",\"true\"]},"
		       "\"Secrets\":[{\"File\":{\"Name\":\"pw\"},\"SecretID\":\"SECID\",\"SecretName\":\"s_pw\"}],"
		       "\"Privileges\":{\"CredentialSpec\":null,\"SELinuxContext\":null},\"Isolation\":\"default\"},"
		       "\"RestartPolicy\":{\"Condition\":\"any\",\"MaxAttempts\":0},"
		       "\"Networks\":[{\"Target\":\"NETID\"},{\"Target\":\"ext\"}],\"ForceUpdate\":0,\"Runtime\":\"container\"},"
		       "\"Mode\":{\"Replicated\":{\"Replicas\":1}},"
		       "\"UpdateConfig\":{\"Parallelism\":1,\"FailureAction\":\"pause\",\"Order\":\"stop-first\"},"
		       "\"EndpointSpec\":{\"Ports\":[{\"TargetPort\":80,\"Protocol\":\"tcp\",\"PublishMode\":\"ingress\"}],"
		       "\"Mode\":\"vip\"}}");
	cJSON_Delete(s);
	/* a newer daemon keeps StartInterval (1.44) and Subpath (1.45) */
	s = J("{\"TaskTemplate\":{\"ContainerSpec\":{\"Healthcheck\":{\"StartInterval\":5},"
	      "\"Mounts\":[{\"Type\":\"volume\",\"VolumeOptions\":{\"Subpath\":\"x\"}}]}}}");
	assert_int_equal(c2s_plan_normalise_service(s, NULL, "1.45", 0), 0);
	assert_non_null(cJSON_GetObjectItem(cJSON_GetObjectItem(cJSON_GetObjectItem(cJSON_GetObjectItem(s, "TaskTemplate"),
										    "ContainerSpec"),
							 "Healthcheck"),
				     "StartInterval"));
	cJSON_Delete(s);
	/* jobs: MaxConcurrent defaults to 1, TotalCompletions to MaxConcurrent */
	s = J("{\"Mode\":{\"ReplicatedJob\":{\"MaxConcurrent\":3}}}");
	assert_int_equal(c2s_plan_normalise_service(s, NULL, "1.41", 0), 0);
	assert_json(cJSON_GetObjectItem(s, "Mode"), "{\"ReplicatedJob\":{\"MaxConcurrent\":3,\"TotalCompletions\":3}}");
	cJSON_Delete(s);
}

static void test_interpolate(void **state)
{
	(void)state;
	/* what docker inspect (insertDefaults=true) adds: swarmkit InterpolateService */
	cJSON *s = J("{\"TaskTemplate\":{\"ContainerSpec\":{\"Image\":\"i\"},\"Resources\":{},\"Placement\":{}},"
		     "\"Mode\":{\"Global\":{}},\"RollbackConfig\":{\"Parallelism\":0,\"Order\":\"stop-first\"}}");
	assert_int_equal(c2s_plan_spec_interpolated(s), 0);
	assert_int_equal(c2s_plan_normalise_service(s, NULL, "1.41", 1), 0);
	assert_json(s, "{\"TaskTemplate\":{\"ContainerSpec\":{\"Image\":\"i\",\"Isolation\":\"default\","
		       "\"StopGracePeriod\":10000000000,\"DNSConfig\":{}},\"Resources\":{},\"Placement\":{},"
		       "\"Runtime\":\"container\",\"RestartPolicy\":{\"Condition\":\"any\",\"MaxAttempts\":0,"
		       "\"Delay\":5000000000}},\"Mode\":{\"Global\":{}},"
		       "\"RollbackConfig\":{\"Parallelism\":0,\"Order\":\"stop-first\",\"FailureAction\":\"pause\","
		       "\"Monitor\":5000000000},\"UpdateConfig\":{\"Parallelism\":1,\"FailureAction\":\"pause\","
		       "\"MaxFailureRatio\":0,\"Order\":\"stop-first\",\"Monitor\":5000000000}}");
	assert_int_equal(c2s_plan_spec_interpolated(s), 1);
	cJSON_Delete(s);
}

static void test_same(void **state)
{
	(void)state;
	cJSON *f = J("false"), *zero = J("0"), *empty_list = J("[]"), *empty_map = J("{}"), *es = J("\"\"");
	/* pointers the daemon keeps: absent is not zero (norm.raw.json: "Init": false,
	 * "StopGracePeriod": 0, "Delay": 0) */
	assert_false(c2s_plan_json_same(NULL, f, "TaskTemplate.ContainerSpec.Init"));
	assert_false(c2s_plan_json_same(zero, NULL, "TaskTemplate.ContainerSpec.StopGracePeriod"));
	assert_false(c2s_plan_json_same(NULL, zero, "TaskTemplate.RestartPolicy.Delay"));
	assert_true(c2s_plan_json_same(NULL, zero, "UpdateConfig.Delay"));
	/* plain values: absent, null and zero are one */
	assert_true(c2s_plan_json_same(NULL, f, "TaskTemplate.ContainerSpec.TTY"));
	assert_true(c2s_plan_json_same(NULL, empty_list, "TaskTemplate.ContainerSpec.Env"));
	assert_true(c2s_plan_json_same(es, NULL, "TaskTemplate.ContainerSpec.User"));
	/* an empty map is no map; an empty struct is still there */
	assert_true(c2s_plan_json_same(NULL, empty_map, "Labels"));
	assert_false(c2s_plan_json_same(NULL, empty_map, "TaskTemplate.ContainerSpec.Healthcheck"));
	cJSON *a = J("{\"Labels\":{},\"Env\":null,\"Init\":false}"), *b = J("{\"Init\":false}");
	assert_true(c2s_plan_json_same(a, b, "TaskTemplate.ContainerSpec"));
	cJSON *c = J("{\"Labels\":{}}");
	assert_false(c2s_plan_json_same(a, c, "TaskTemplate.ContainerSpec"));
	cJSON *l1 = J("[\"A=1\",\"B=2\"]"), *l2 = J("[\"B=2\",\"A=1\"]");
	assert_false(c2s_plan_json_same(l1, l2, "TaskTemplate.ContainerSpec.Env")); /* order is compared */
	cJSON *n1 = J("1e10"), *n2 = J("10000000000");
	assert_true(c2s_plan_json_same(n1, n2, "x"));
	cJSON *items[] = {f, zero, empty_list, empty_map, es, a, b, c, l1, l2, n1, n2};
	for (size_t i = 0; i < sizeof items / sizeof items[0]; i++)
		cJSON_Delete(items[i]);
}

static void test_compose_paths(void **state)
{
	(void)state;
	static const char *const cases[][2] = {
		{"TaskTemplate.ContainerSpec.Env", "services.web.environment"},
		{"TaskTemplate.ContainerSpec.Command", "services.web.entrypoint"},
		{"TaskTemplate.ContainerSpec.Args", "services.web.command"},
		{"TaskTemplate.ContainerSpec.Healthcheck.StartPeriod", "services.web.healthcheck.start_period"},
		{"TaskTemplate.Resources.Limits.NanoCPUs", "services.web.deploy.resources.limits.cpus"},
		{"TaskTemplate.Resources.Reservations.MemoryBytes", "services.web.deploy.resources.reservations.memory"},
		{"UpdateConfig.MaxFailureRatio", "services.web.deploy.update_config.max_failure_ratio"},
		{"Mode.Replicated.Replicas", "services.web.deploy.replicas"},
		{"EndpointSpec.Mode", "services.web.deploy.endpoint_mode"},
		{"TaskTemplate.Placement.MaxReplicas", "services.web.deploy.placement.max_replicas_per_node"},
		{"Labels.Com.Example.Key", "services.web.deploy.labels.Com.Example.Key"},
		{"Labels.com.docker.stack.image", "services.web.image"},
		{"TaskTemplate.LogDriver.Options.Max-Size", "services.web.logging.options.Max-Size"},
		{"TaskTemplate.ContainerSpec.Sysctls.net.core.somaxconn", "services.web.sysctls.net.core.somaxconn"},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		char *p = c2s_plan_compose_path("services.web", cases[i][0]);
		assert_non_null(p);
		assert_string_equal(p, cases[i][1]);
		free(p);
	}
	/* what no key writes */
	assert_null(c2s_plan_compose_path("services.web", "TaskTemplate.ForceUpdate"));
	assert_null(c2s_plan_compose_path("services.web", "Labels.com.docker.stack.namespace"));
	assert_null(c2s_plan_compose_path("services.web", "TaskTemplate.Placement.Platforms"));
}

/* ---- swarmkit's constraints ---- */

static int matches(const char *constraints, const char *node)
{
	struct c2s_constraints cs;
	cJSON *l = J(constraints), *n = J(node);
	assert_int_equal(c2s_constraints_parse(&cs, l), 0);
	int r = c2s_constraints_match(&cs, n);
	c2s_constraints_free(&cs);
	cJSON_Delete(l);
	cJSON_Delete(n);
	return r;
}

static void test_constraints(void **state)
{
	(void)state;
	const char *node = "{\"ID\":\"abc\",\"Spec\":{\"Role\":\"manager\",\"Labels\":{\"zone\":\"A\"}},"
			   "\"Description\":{\"Hostname\":\"vm1\",\"Platform\":{\"OS\":\"linux\",\"Architecture\":\"x86_64\"},"
			   "\"Engine\":{\"Labels\":{\"disk\":\"ssd\"}}},\"Status\":{\"Addr\":\"10.1.2.3\"},"
			   "\"ManagerStatus\":{\"Leader\":true}}";
	assert_true(matches("[\"node.role == manager\"]", node));
	assert_true(matches("[\"node.role==MANAGER\"]", node)); /* values compare without case */
	assert_false(matches("[\"node.role != manager\"]", node));
	assert_true(matches("[\"node.platform.os == linux\", \"node.hostname == VM1\"]", node));
	assert_true(matches("[\"node.labels.zone == a\"]", node));
	assert_false(matches("[\"node.labels.Zone == a\"]", node)); /* label names keep their case */
	assert_true(matches("[\"node.labels.missing != x\"]", node));
	assert_true(matches("[\"engine.labels.disk == ssd\"]", node));
	assert_true(matches("[\"node.id == ABC\"]", node));
	assert_true(matches("[\"node.ip == 10.1.0.0/16\"]", node));
	assert_false(matches("[\"node.ip != 10.1.2.3\"]", node));
	assert_false(matches("[\"node.ip == not-an-ip\"]", node));
	assert_false(matches("[\"node.nothing == x\"]", node)); /* an unknown key matches no node */
	/* a worker has no ManagerStatus */
	assert_true(matches("[\"node.role == worker\"]", "{\"ID\":\"w\",\"Spec\":{\"Role\":\"worker\"}}"));
	struct c2s_constraints cs;
	cJSON *bad = J("[\"node.role = manager\"]");
	assert_int_equal(c2s_constraints_parse(&cs, bad), 1);
	cJSON_Delete(bad);
}

/* ---- the comparison ---- */

struct fixture {
	struct c2s_plan_state st;
	struct c2s_plan_result plan;
	cJSON *desired;
};

static const struct c2s_plan_change *find(const struct c2s_plan_result *p, const char *name)
{
	for (size_t i = 0; i < p->n; i++)
		if (strcmp(p->changes[i].name, name) == 0)
			return &p->changes[i];
	return NULL;
}

static void plan_of(struct fixture *f, const char *desired, const char *live, enum c2s_resolve_image resolve, int prune)
{
	char err[256] = "";
	c2s_plan_state_init(&f->st);
	assert_int_equal(c2s_plan_state_add(&f->st, live, strlen(live), -1, "live", err, sizeof err), 0);
	f->desired = J(desired);
	struct c2s_plan_compare_options o = {"s", prune, resolve, "1.41"};
	assert_int_equal(c2s_plan_compare(f->desired, &f->st, &o, &f->plan), 0);
}

static void fixture_free(struct fixture *f)
{
	c2s_plan_result_free(&f->plan);
	c2s_plan_state_free(&f->st);
	cJSON_Delete(f->desired);
}

#define SVC(name, image, label, extra)                                                                           \
	"{\"Name\":\"" name "\",\"Labels\":{\"com.docker.stack.namespace\":\"s\",\"com.docker.stack.image\":\"" label \
	"\"},\"TaskTemplate\":{\"ContainerSpec\":{\"Image\":\"" image "\"},\"ForceUpdate\":0" extra "}," \
	"\"Mode\":{\"Replicated\":{}},\"EndpointSpec\":{}}"
#define LIVE(id, name, image, label, force, mode)                                                                 \
	"{\"ID\":\"" id "\",\"Version\":{\"Index\":7},\"Spec\":{\"Name\":\"" name "\",\"Labels\":{"                    \
	"\"com.docker.stack.namespace\":\"s\",\"com.docker.stack.image\":\"" label "\"},\"TaskTemplate\":{"          \
	"\"ContainerSpec\":{\"Image\":\"" image "\",\"Isolation\":\"default\"},\"ForceUpdate\":" force                 \
	",\"Runtime\":\"container\"},\"Mode\":" mode ",\"EndpointSpec\":{\"Mode\":\"vip\"}}}"

static void test_cli_merges(void **state)
{
	(void)state;
	struct fixture f;
	/* the running image is pinned and ForceUpdate is 2: docker/cli keeps both
	 * when the file's image string is the label's (deploy_composefile.go) */
	const char *desired = "{\"networks\":[],\"secrets\":[],\"configs\":[],\"services\":["
		SVC("s_web", "nginx:1.25", "nginx:1.25", "") "]}";
	const char *live = "[" LIVE("id1", "s_web", "nginx:1.25@sha256:aaaa", "nginx:1.25", "2",
				    "{\"Replicated\":{\"Replicas\":1}}") "]";
	plan_of(&f, desired, live, C2S_RESOLVE_NEVER, 0);
	const struct c2s_plan_change *c = find(&f.plan, "s_web");
	assert_non_null(c);
	assert_int_equal(c->action, C2S_PLAN_UNCHANGED);
	assert_string_equal(c->id, "id1");
	assert_int_equal(c->version, 7);
	/* the body deploy sends carries both merges */
	cJSON *cs = cJSON_GetObjectItem(cJSON_GetObjectItem(c->body, "TaskTemplate"), "ContainerSpec");
	assert_string_equal(cJSON_GetObjectItem(cs, "Image")->valuestring, "nginx:1.25@sha256:aaaa");
	assert_int_equal(cJSON_GetObjectItem(cJSON_GetObjectItem(c->body, "TaskTemplate"), "ForceUpdate")->valueint, 2);
	fixture_free(&f);
	/* --resolve-image changed: the same */
	plan_of(&f, desired, live, C2S_RESOLVE_CHANGED, 0);
	assert_int_equal(find(&f.plan, "s_web")->action, C2S_PLAN_UNCHANGED);
	fixture_free(&f);
	/* always: asked again; the plan assumes the running digest and says so */
	plan_of(&f, desired, live, C2S_RESOLVE_ALWAYS, 0);
	c = find(&f.plan, "s_web");
	assert_int_equal(c->action, C2S_PLAN_UNCHANGED);
	assert_non_null(strstr(c->message, "assumes it is still the running one"));
	fixture_free(&f);
	/* always, with platforms the registry gave last time: a changed image
	 * gets platforms from the registry again; the plan assumes the same */
	{
		const char *d2 = "{\"networks\":[],\"secrets\":[],\"configs\":[],\"services\":["
			SVC("s_web", "nginx:1.27", "nginx:1.27", ",\"Placement\":{}") "]}";
		const char *l2 = "[{\"ID\":\"id1\",\"Spec\":{\"Name\":\"s_web\",\"Labels\":{\"com.docker.stack.namespace\":\"s\","
				 "\"com.docker.stack.image\":\"nginx:1.25\"},\"TaskTemplate\":{\"ContainerSpec\":{\"Image\":"
				 "\"nginx:1.25@sha256:aaaa\",\"Isolation\":\"default\"},\"Placement\":{\"Platforms\":[{\"OS\":"
				 "\"linux\",\"Architecture\":\"amd64\"}]},\"ForceUpdate\":0,\"Runtime\":\"container\"},"
				 "\"Mode\":{\"Replicated\":{\"Replicas\":1}},\"EndpointSpec\":{\"Mode\":\"vip\"}}}]";
		plan_of(&f, d2, l2, C2S_RESOLVE_ALWAYS, 0);
		c = find(&f.plan, "s_web");
		assert_int_equal(c->action, C2S_PLAN_UPDATE);
		for (size_t i = 0; i < c->nfields; i++)
			assert_null(strstr(c->fields[i].api, "Platforms"));
		assert_non_null(strstr(c->message, "pins nginx:1.27 to the digest"));
		fixture_free(&f);
	}
	/* another image string: updated, and that replaces the tasks */
	desired = "{\"networks\":[],\"secrets\":[],\"configs\":[],\"services\":["
		SVC("s_web", "nginx:1.27", "nginx:1.27", "") "]}";
	plan_of(&f, desired, live, C2S_RESOLVE_NEVER, 0);
	c = find(&f.plan, "s_web");
	assert_int_equal(c->action, C2S_PLAN_UPDATE);
	assert_int_equal(c->replaces_tasks, C2S_REPLACES_YES);
	assert_int_equal(f.plan.replacing, 1);
	fixture_free(&f);
}

static void test_refusals_and_prune(void **state)
{
	(void)state;
	struct fixture f;
	const char *desired = "{\"networks\":[{\"Name\":\"s_default\",\"Driver\":\"overlay\"}],\"secrets\":[],"
			      "\"configs\":[{\"Name\":\"s_conf\",\"Labels\":{\"com.docker.stack.namespace\":\"s\"},"
			      "\"Data\":\"bmV3\"}],\"services\":["
		SVC("s_web", "nginx:1.25", "nginx", "") "]}";
	const char *live = "[" LIVE("id1", "s_web", "nginx:1.25", "nginx", "0", "{\"Global\":{}}") ","
		LIVE("id2", "s_old", "nginx:1.25", "nginx", "0", "{\"Replicated\":{\"Replicas\":1}}") ","
		"{\"ID\":\"c1\",\"Version\":{\"Index\":3},\"Spec\":{\"Name\":\"s_conf\",\"Labels\":"
		"{\"com.docker.stack.namespace\":\"s\"},\"Data\":\"b2xk\"}}]";
	plan_of(&f, desired, live, C2S_RESOLVE_NEVER, 1);
	assert_int_equal(find(&f.plan, "s_default")->action, C2S_PLAN_CREATE);
	const struct c2s_plan_change *c = find(&f.plan, "s_conf");
	assert_int_equal(c->action, C2S_PLAN_FAIL);
	assert_non_null(strstr(c->message, "only updates to Labels are allowed"));
	c = find(&f.plan, "s_web");
	assert_int_equal(c->action, C2S_PLAN_FAIL);
	assert_non_null(strstr(c->message, "service mode change is not allowed"));
	assert_int_equal(find(&f.plan, "s_old")->action, C2S_PLAN_DELETE);
	assert_int_equal(f.plan.count[C2S_PLAN_FAIL], 2);
	/* networks, secrets, configs, services: docker's order */
	assert_int_equal(f.plan.changes[0].kind, C2S_PLAN_NETWORK);
	assert_int_equal(f.plan.changes[1].kind, C2S_PLAN_CONFIG);
	fixture_free(&f);
}

static void test_placement_only(void **state)
{
	(void)state;
	struct fixture f;
	const char *desired = "{\"networks\":[],\"secrets\":[],\"configs\":[],\"services\":["
		SVC("s_web", "i:1", "i:1", ",\"Placement\":{\"Constraints\":[\"node.labels.zone == b\"]}") ","
		SVC("s_api", "i:1", "i:1", ",\"Placement\":{\"Preferences\":[{\"Spread\":{\"SpreadDescriptor\":\"node.id\"}}]}")
		"]}";
	const char *live = "[" LIVE("id1", "s_web", "i:1", "i:1", "0", "{\"Replicated\":{\"Replicas\":1}}") ","
		LIVE("id2", "s_api", "i:1", "i:1", "0", "{\"Replicated\":{\"Replicas\":1}}") "]";
	/* offline, no nodes: a constraint change "may" replace tasks; preferences never do */
	plan_of(&f, desired, live, C2S_RESOLVE_NEVER, 0);
	assert_int_equal(find(&f.plan, "s_web")->replaces_tasks, C2S_REPLACES_MAY);
	assert_int_equal(find(&f.plan, "s_api")->replaces_tasks, C2S_REPLACES_NO);
	assert_int_equal(find(&f.plan, "s_api")->action, C2S_PLAN_UPDATE);
	fixture_free(&f);
	/* with its task on a node in zone a: replaced, and named */
	char both[4096];
	snprintf(both, sizeof both, "%s [{\"ID\":\"t1\",\"ServiceID\":\"id1\",\"NodeID\":\"n1\",\"DesiredState\":\"running\"},"
		 "{\"ID\":\"n1\",\"Spec\":{\"Role\":\"worker\",\"Labels\":{\"zone\":\"a\"}},\"Description\":{},\"Status\":{}}]",
		 live);
	plan_of(&f, desired, both, C2S_RESOLVE_NEVER, 0);
	const struct c2s_plan_change *c = find(&f.plan, "s_web");
	assert_int_equal(c->replaces_tasks, C2S_REPLACES_YES);
	assert_int_equal(c->ntasks, 1);
	assert_string_equal(c->tasks[0], "t1");
	fixture_free(&f);
	/* its node is in zone b: it stays */
	snprintf(both, sizeof both, "%s [{\"ID\":\"t1\",\"ServiceID\":\"id1\",\"NodeID\":\"n1\",\"DesiredState\":\"running\"},"
		 "{\"ID\":\"n1\",\"Spec\":{\"Role\":\"worker\",\"Labels\":{\"zone\":\"b\"}},\"Description\":{},\"Status\":{}}]",
		 live);
	plan_of(&f, desired, both, C2S_RESOLVE_NEVER, 0);
	assert_int_equal(find(&f.plan, "s_web")->replaces_tasks, C2S_REPLACES_NO);
	fixture_free(&f);
}

static void test_external_networks(void **state)
{
	(void)state;
	struct fixture f;
	/* two external networks the state does not hold, with the same aliases:
	 * each running attachment (by ID) is matched once, in order */
	const char *desired = "{\"networks\":[],\"secrets\":[],\"configs\":[],\"services\":["
		SVC("s_web", "i:1", "i:1", ",\"Networks\":[{\"Target\":\"ext_a\",\"Aliases\":[\"web\"]},"
					   "{\"Target\":\"ext_b\",\"Aliases\":[\"web\"]}]") "]}";
	const char *live = "[{\"ID\":\"id1\",\"Spec\":{\"Name\":\"s_web\",\"Labels\":{\"com.docker.stack.namespace\":\"s\","
			   "\"com.docker.stack.image\":\"i:1\"},\"TaskTemplate\":{\"ContainerSpec\":{\"Image\":\"i:1\","
			   "\"Isolation\":\"default\"},\"Networks\":[{\"Target\":\"IDA\",\"Aliases\":[\"web\"]},"
			   "{\"Target\":\"IDB\",\"Aliases\":[\"web\"]}],\"ForceUpdate\":0,\"Runtime\":\"container\"},"
			   "\"Mode\":{\"Replicated\":{\"Replicas\":1}},\"EndpointSpec\":{\"Mode\":\"vip\"}}}]";
	plan_of(&f, desired, live, C2S_RESOLVE_NEVER, 0);
	assert_int_equal(find(&f.plan, "s_web")->action, C2S_PLAN_UNCHANGED);
	fixture_free(&f);
}

static void test_printers(void **state)
{
	(void)state;
	struct fixture f;
	const char *desired = "{\"networks\":[],\"secrets\":[],\"configs\":[],\"services\":["
		SVC("s_web", "nginx:1.27", "nginx:1.27", "") "]}";
	const char *live = "[" LIVE("id1", "s_web", "nginx:1.25", "nginx:1.25", "0", "{\"Replicated\":{\"Replicas\":1}}") "]";
	plan_of(&f, desired, live, C2S_RESOLVE_NEVER, 0);
	struct c2s_buf b;
	c2s_buf_init(&b, 1 << 20);
	assert_int_equal(c2s_plan_print_json(&f.plan, &b), 0);
	cJSON *j = J(b.data);
	assert_json(cJSON_GetObjectItem(j, "summary"),
		    "{\"create\":0,\"update\":1,\"delete\":0,\"unchanged\":0,\"fail\":0}");
	cJSON *ch = cJSON_GetArrayItem(cJSON_GetObjectItem(j, "changes"), 0);
	assert_true(cJSON_IsTrue(cJSON_GetObjectItem(ch, "replaces_tasks")));
	cJSON_Delete(j);
	c2s_buf_reset(&b);
	assert_int_equal(c2s_plan_print_text(&f.plan, 0, 0, &b), 0);
	assert_non_null(strstr(b.data, "~ service s_web (replaces tasks)\n"));
	assert_non_null(strstr(b.data, "    services.web.image (TaskTemplate.ContainerSpec.Image) [replaces tasks]\n"
				       "      before: \"nginx:1.25\"\n      after:  \"nginx:1.27\"\n"));
	assert_non_null(strstr(b.data, "Plan: 0 to create, 1 to update (1 replaces tasks), 0 to delete, 0 will fail\n"));
	/* an output cap is an error, not a cut plan */
	struct c2s_buf small;
	c2s_buf_init(&small, 16);
	assert_int_equal(c2s_plan_print_text(&f.plan, 1, 0, &small), -1);
	c2s_buf_free(&small);
	c2s_buf_free(&b);
	fixture_free(&f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_state_shapes),
		cmocka_unit_test(test_state_errors),
		cmocka_unit_test(test_state_limits),
		cmocka_unit_test(test_normalise),
		cmocka_unit_test(test_interpolate),
		cmocka_unit_test(test_same),
		cmocka_unit_test(test_compose_paths),
		cmocka_unit_test(test_constraints),
		cmocka_unit_test(test_cli_merges),
		cmocka_unit_test(test_refusals_and_prune),
		cmocka_unit_test(test_placement_only),
		cmocka_unit_test(test_external_networks),
		cmocka_unit_test(test_printers),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
