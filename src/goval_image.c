/* goval_image.c -- image references as docker/cli judges and sends them
 * (github.com/distribution/reference v0.6.0: ParseAnyReference, ParseNormalizedNamed,
 * FamiliarString; docker's client adds ":latest" to a bare name). */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "goval.h"

/* Room for an error text here: the longest names the reference it refuses. */
#define C2S_GOVAL_ERR_TEXT 1024

static int is_lower_alnum(char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); }
static int is_alnum(char c) { return is_lower_alnum(c) || (c >= 'A' && c <= 'Z'); }
static int is_word(char c) { return is_alnum(c) || c == '_'; }
static int is_hex(char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'); }
static int is_digest_sep(char c) { return c == '-' || c == '_' || c == '+' || c == '.'; }

/* path-component(/path-component)*: [a-z0-9]+ joined by [._] | __ | -+ */
static int ref_remote_ok(const char *s, size_t n)
{
	size_t i = 0;
	if (n == 0)
		return 0;
	for (;;) {
		/* one path component */
		if (i >= n || !is_lower_alnum(s[i]))
			return 0;
		while (i < n && is_lower_alnum(s[i]))
			i++;
		while (i < n && s[i] != '/') {
			size_t sep = i;
			if (s[i] == '.')
				i++;
			else if (s[i] == '_')
				i += (i + 1 < n && s[i + 1] == '_') ? 2 : 1;
			else if (s[i] == '-')
				while (i < n && s[i] == '-')
					i++;
			if (i == sep || i >= n || !is_lower_alnum(s[i]))
				return 0;
			while (i < n && is_lower_alnum(s[i]))
				i++;
		}
		if (i == n)
			return 1;
		i++; /* '/' */
	}
}

/* host(:port)? where host is a DNS-ish name or [ipv6] */
static int ref_domain_ok(const char *s, size_t n)
{
	size_t i = 0;
	if (n && s[0] == '[') {
		i = 1;
		while (i < n && (is_hex(s[i]) || s[i] == ':'))
			i++;
		if (i == 1 || i >= n || s[i] != ']')
			return 0;
		i++;
	} else {
		for (;;) {
			size_t start = i;
			while (i < n && (is_alnum(s[i]) || s[i] == '-'))
				i++;
			if (i == start || s[start] == '-' || s[i - 1] == '-')
				return 0;
			if (i < n && s[i] == '.') {
				i++;
				continue;
			}
			break;
		}
	}
	if (i == n)
		return 1;
	if (s[i] != ':' || i + 1 == n)
		return 0;
	for (i++; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return 0;
	return 1;
}

/* (domain/)?remote, as the anchored name expression matches it */
static int ref_name_ok(const char *s, size_t n)
{
	const char *slash = memchr(s, '/', n);
	if (slash && ref_domain_ok(s, (size_t)(slash - s)) &&
	    ref_remote_ok(slash + 1, n - (size_t)(slash - s) - 1))
		return 1;
	return ref_remote_ok(s, n);
}

static int ref_tag_ok(const char *s, size_t n)
{
	if (n == 0 || n > 128 || !is_word(s[0]))
		return 0;
	for (size_t i = 1; i < n; i++)
		if (!is_word(s[i]) && s[i] != '.' && s[i] != '-')
			return 0;
	return 1;
}

/* algorithm:hex with go-digest's checks for the known algorithms */
static int ref_digest_ok(const char *s, size_t n, const char **why)
{
	const char *colon = memchr(s, ':', n);
	*why = "invalid reference format";
	if (!colon || colon == s)
		return 0;
	size_t an = (size_t)(colon - s), hn = n - an - 1;
	const char *hex = colon + 1;
	/* [A-Za-z][A-Za-z0-9]*([-_+.][A-Za-z][A-Za-z0-9]*)* */
	for (size_t i = 0; i < an; i++) {
		char c = s[i];
		int letter = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
		if (i == 0 || is_digest_sep(s[i - 1])) {
			if (!letter)
				return 0;
		} else if (!is_alnum(c) && !(is_digest_sep(c) && i + 1 < an)) {
			return 0;
		}
	}
	if (hn < 32)
		return 0;
	for (size_t i = 0; i < hn; i++)
		if (!is_hex(hex[i]))
			return 0;
	size_t want = 0;
	if (an == 6 && memcmp(s, "sha256", 6) == 0)
		want = 64;
	else if (an == 6 && memcmp(s, "sha384", 6) == 0)
		want = 96;
	else if (an == 6 && memcmp(s, "sha512", 6) == 0)
		want = 128;
	if (!want) {
		*why = "unsupported digest algorithm";
		return 0;
	}
	*why = "invalid checksum digest length";
	if (hn != want)
		return 0;
	*why = "invalid checksum digest format";
	for (size_t i = 0; i < hn; i++)
		if (hex[i] >= 'A' && hex[i] <= 'F')
			return 0;
	return 1;
}

struct ref_parts {
	const char *name; size_t name_n;
	const char *tag; size_t tag_n;     /* tag_n 0: none */
	const char *digest; size_t digest_n;
	int has_tag, has_digest;
};

/* reference.Parse's grammar on s; 0 or -1 with the error text in *why. */
static int ref_parse(const char *s, size_t n, struct ref_parts *r, const char **why)
{
	memset(r, 0, sizeof *r);
	*why = "invalid reference format";
	if (n == 0) {
		*why = "repository name must have at least one component";
		return -1;
	}
	const char *at = memchr(s, '@', n);
	size_t head = n;
	if (at) {
		head = (size_t)(at - s);
		r->digest = at + 1;
		r->digest_n = n - head - 1;
		r->has_digest = 1;
		if (!ref_digest_ok(r->digest, r->digest_n, why))
			return -1;
		*why = "invalid reference format";
	}
	size_t colon = head, slash = 0;
	for (size_t i = 0; i < head; i++) {
		if (s[i] == '/')
			slash = i + 1;
	}
	for (size_t i = head; i-- > slash;) {
		if (s[i] == ':') {
			colon = i;
			break;
		}
	}
	if (colon < head) {
		r->tag = s + colon + 1;
		r->tag_n = head - colon - 1;
		r->has_tag = 1;
		if (!ref_tag_ok(r->tag, r->tag_n))
			return -1;
	}
	r->name = s;
	r->name_n = colon;
	if (!ref_name_ok(r->name, r->name_n))
		return -1;
	const char *slash1 = memchr(r->name, '/', r->name_n);
	size_t path_n = r->name_n;
	if (slash1 && ref_domain_ok(r->name, (size_t)(slash1 - r->name)))
		path_n = r->name_n - (size_t)(slash1 - r->name) - 1;
	if (path_n > 255) {
		*why = "repository name must not be more than 255 characters";
		return -1;
	}
	return 0;
}

static int is_identifier(const char *s, size_t n)
{
	if (n != 64)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return 0;
	return 1;
}

/* splitDockerDomain + the lowercase check + Parse: the normalised full
 * reference "domain/remainder" into buf. 0, or -1 with the error in err. */
static int ref_normalize(const char *s, size_t n, char *buf, size_t bufn, size_t *outn,
			 struct ref_parts *parts, char *err, size_t errn)
{
	const char *why;
	struct ref_parts r;
	if (is_identifier(s, n)) {
		snprintf(err, errn, "invalid repository name (%.*s), cannot specify 64-byte hexadecimal strings",
			 (int)n, s);
		return -1;
	}
	const char *domain = "docker.io", *rem = s;
	size_t dn = 9, rn = n;
	int library = 0;
	const char *slash = memchr(s, '/', n);
	if (!slash) {
		library = 1;
	} else {
		size_t fn = (size_t)(slash - s);
		int upper = 0;
		for (size_t i = 0; i < fn; i++)
			upper |= s[i] >= 'A' && s[i] <= 'Z';
		if ((fn == 9 && memcmp(s, "localhost", 9) == 0) || memchr(s, '.', fn) || memchr(s, ':', fn) || upper) {
			domain = s;
			dn = fn;
			rem = slash + 1;
			rn = n - fn - 1;
		}
		if (fn == 15 && memcmp(s, "index.docker.io", 15) == 0)
			domain = "docker.io", dn = 9;
		if (dn == 9 && memcmp(domain, "docker.io", 9) == 0 && !memchr(rem, '/', rn))
			library = 1;
	}
	/* the remote name (up to the first ':') must be lowercase */
	const char *tagsep = memchr(rem, ':', rn);
	size_t remote_n = tagsep ? (size_t)(tagsep - rem) : rn;
	for (size_t i = 0; i < remote_n; i++) {
		if (rem[i] >= 'A' && rem[i] <= 'Z') {
			snprintf(err, errn, "invalid reference format: repository name (%s%.*s) must be lowercase",
				 library ? "library/" : "", (int)remote_n, rem);
			return -1;
		}
	}
	size_t total = dn + 1 + (library ? 8 : 0) + rn;
	if (total + 1 > bufn) {
		snprintf(err, errn, "invalid reference format");
		return -1;
	}
	memcpy(buf, domain, dn);
	buf[dn] = '/';
	size_t o = dn + 1;
	if (library) {
		memcpy(buf + o, "library/", 8);
		o += 8;
	}
	memcpy(buf + o, rem, rn);
	o += rn;
	buf[o] = '\0';
	if (ref_parse(buf, o, &r, &why) < 0) {
		/* Parse tells an uppercase name apart from a malformed one */
		char low[C2S_GOVAL_MAX_IMAGE];
		struct ref_parts r2;
		const char *why2;
		for (size_t i = 0; i < o; i++)
			low[i] = (buf[i] >= 'A' && buf[i] <= 'Z') ? (char)(buf[i] - 'A' + 'a') : buf[i];
		if (strcmp(why, "invalid reference format") == 0 && ref_parse(low, o, &r2, &why2) == 0)
			why = "repository name must be lowercase";
		snprintf(err, errn, "%s", why);
		return -1;
	}
	*outn = o;
	if (parts)
		*parts = r;
	return 0;
}

int c2s_image_check(const char *s, size_t n, char *err, size_t errn)
{
	char buf[C2S_GOVAL_MAX_IMAGE];
	size_t bn;
	const char *why;
	if (is_identifier(s, n))
		return 0;
	/* digest.Parse: a bare digest is a valid reference */
	if (memchr(s, ':', n) && ref_digest_ok(s, n, &why))
		return 0;
	if (n + 32 > sizeof buf) {
		snprintf(err, errn, "invalid reference format");
		return -1;
	}
	return ref_normalize(s, n, buf, sizeof buf, &bn, NULL, err, errn);
}

size_t c2s_image_familiar(const char *s, size_t n, char *out, size_t outn)
{
	char buf[C2S_GOVAL_MAX_IMAGE], err[C2S_GOVAL_ERR_TEXT];
	size_t bn;
	struct ref_parts r;
	if (n + 32 > sizeof buf || ref_normalize(s, n, buf, sizeof buf, &bn, &r, err, sizeof err) < 0)
		return 0;
	/* familiar name: drop docker.io/ and a lone library/ */
	const char *name = r.name;
	size_t nn = r.name_n;
	if (nn > 10 && memcmp(name, "docker.io/", 10) == 0) {
		name += 10;
		nn -= 10;
		if (nn > 8 && memcmp(name, "library/", 8) == 0 && !memchr(name + 8, '/', nn - 8)) {
			name += 8;
			nn -= 8;
		}
	}
	/* name[:tag][@digest], or name:latest (by hand: snprintf was 40% of this) */
	int latest = !r.has_tag && !r.has_digest;
	size_t len = nn + (latest ? 7 : 0) + (r.has_tag ? 1 + r.tag_n : 0) + (r.has_digest ? 1 + r.digest_n : 0);
	if (len >= outn)
		return 0;
	char *w = out;
	memcpy(w, name, nn);
	w += nn;
	if (latest) {
		memcpy(w, ":latest", 7);
		w += 7;
	}
	if (r.has_tag) {
		*w++ = ':';
		memcpy(w, r.tag, r.tag_n);
		w += r.tag_n;
	}
	if (r.has_digest) {
		*w++ = '@';
		memcpy(w, r.digest, r.digest_n);
		w += r.digest_n;
	}
	*w = '\0';
	return len;
}
