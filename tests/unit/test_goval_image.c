/* test_goval_image.c -- image references as the docker client handles them
 * before a service create (goval_image.c, distribution/reference v0.6.0):
 * accepted or refused with docker's words, and sent in familiar form with
 * :latest added. Every expectation was observed with docker stack deploy
 * 28.2.2 (scripts/reference/reference.sh), the later ones taken from
 * distribution/reference's normalize_test.go; see also tests/golden/api/images. */
#include "config.h"
#include "testutil.h"

#include "goval.h"

#define H64 "cccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccc"

struct image_case {
	const char *image;
	const char *sent;  /* NULL: refused */
	const char *error; /* refused with this text */
};

static void test_images(void **state)
{
	(void)state;
	static const struct image_case cases[] = {
		{"nginx", "nginx:latest", NULL},
		{"docker.io/library/nginx", "nginx:latest", NULL},
		{"index.docker.io/someone/tool", "someone/tool:latest", NULL},
		{"someone/tool:1.2", "someone/tool:1.2", NULL},
		{"registry.example.com:5000/team/app", "registry.example.com:5000/team/app:latest", NULL},
		{"localhost/app", "localhost/app:latest", NULL},
		{"localhost:5000", "localhost:5000", NULL},
		{"a/b/c/d", "a/b/c/d:latest", NULL},
		{"foo_bar.com/x", "foo_bar.com/x:latest", NULL},
		{"a__b/c", "a__b/c:latest", NULL},
		{"ex.com:5000/a/b:t", "ex.com:5000/a/b:t", NULL},
		{"[::1]:5000/x", "[::1]:5000/x:latest", NULL},
		{"Registry.Example.com/app", "Registry.Example.com/app:latest", NULL},
		{"nginx:" H64 H64, "nginx:" H64 H64, NULL},
		{"sha256:" H64, "sha256:" H64, NULL},
		{H64, H64, NULL},
		{"alpine@sha256:4bcff63911fcb4448bd4fdacec207030997caf25e9bea4045fa6c8c44de311d1",
		 "alpine@sha256:4bcff63911fcb4448bd4fdacec207030997caf25e9bea4045fa6c8c44de311d1", NULL},
		{"docker.io/alpine:3.19@sha256:4bcff63911fcb4448bd4fdacec207030997caf25e9bea4045fa6c8c44de311d1",
		 "alpine:3.19@sha256:4bcff63911fcb4448bd4fdacec207030997caf25e9bea4045fa6c8c44de311d1", NULL},
		{"UPPER", NULL, "invalid reference format: repository name (library/UPPER) must be lowercase"},
		{"Foo.io/Bar", NULL, "invalid reference format: repository name (Bar) must be lowercase"},
		{"MyOrg/App:1", NULL, "invalid reference format: repository name (App) must be lowercase"},
		{"nginx:", NULL, "invalid reference format"},
		{"nginx:latest:extra", NULL, "invalid reference format"},
		{"x@sha256:abc", NULL, "invalid reference format"},
		{"a___b", NULL, "invalid reference format"},
		{"-a", NULL, "invalid reference format"},
		{"a:b:c", NULL, "invalid reference format"},
		{"x@md5:" H64, NULL, "unsupported digest algorithm"},
		/* distribution/reference normalize_test.go TestValidateReferenceName */
		{"https://github.com/docker/docker", NULL, "invalid reference format"},
		{"docker/Docker", NULL, "invalid reference format: repository name (docker/Docker) must be lowercase"},
		{"-docker", NULL, "invalid reference format"},
		{"-docker/docker", NULL, "invalid reference format"},
		{"-docker.io/docker/docker", NULL, "invalid reference format"},
		{"docker///docker", NULL, "invalid reference format"},
		{"docker.io/docker/Docker", NULL, "invalid reference format: repository name (docker/Docker) must be lowercase"},
		{"docker.io/docker///docker", NULL, "invalid reference format"},
		{"docker.io/" H64, H64 ":latest", NULL},
		{"127.0.0.1:5000/docker/docker", "127.0.0.1:5000/docker/docker:latest", NULL},
		{"thisisthesongthatneverendsitgoesonandonandonthisisthesongthatnev",
		 "thisisthesongthatneverendsitgoesonandonandonthisisthesongthatnev:latest", NULL},
		{"docker.io/library/debian", "debian:latest", NULL},
		{"index.docker.io/docker/docker", "docker/docker:latest", NULL},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		const struct image_case *c = &cases[i];
		char err[512] = "", out[512];
		int rc = c2s_image_check(c->image, strlen(c->image), err, sizeof err);
		if (c->sent) {
			if (rc != 0)
				fail_msg("%s refused: %s", c->image, err);
			size_t n = c2s_image_familiar(c->image, strlen(c->image), out, sizeof out);
			/* 0: the client keeps it as written (ParseNormalizedNamed fails, e.g. an id) */
			assert_string_equal(n ? out : c->image, c->sent);
		} else {
			if (rc == 0)
				fail_msg("%s accepted", c->image);
			assert_string_equal(err, c->error);
		}
	}
}

static void test_image_too_long(void **state)
{
	(void)state;
	char big[8192], err[256], out[64];
	memset(big, 'a', sizeof big - 1);
	big[sizeof big - 1] = '\0';
	assert_int_equal(c2s_image_check(big, strlen(big), err, sizeof err), -1);
	/* a name that does not fit the output buffer is kept as written, never truncated */
	assert_int_equal(c2s_image_familiar("nginx", 5, out, 4), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_images),
		cmocka_unit_test(test_image_too_long),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
