/* goval.h -- docker's value grammar, one definition each: the Go library
 * behaviours docker's values and messages go through (strconv, time, unicode,
 * net, path/filepath, os errors), go-units sizes, CPUs, port specs, env files,
 * the working directory and image references.
 *
 * Every stage that reads or compares such a value calls these: the schema and
 * the rules on the YAML tree, the model build, the emitters, plan and migrate.
 * Each parser returns the value, or a status with docker's exact error text in
 * err (errn bytes, cut there; err may be NULL). No global state: safe to call
 * from a long-lived process. Sources are docker/cli v28.2.2 and what it
 * vendors (docker/go-units v0.5.0, docker/go-connections v0.5.0,
 * distribution/reference v0.6.0) and Go's standard library. */
#ifndef C2S_GOVAL_H
#define C2S_GOVAL_H

#include <stddef.h>
#include <stdint.h>

struct c2s_buf;

/* ---- Limits ---- */

/* Longest line of an env file: bufio.Scanner's MaxScanTokenSize, docker's own. */
#define C2S_ENVFILE_MAX_LINE ((size_t)64 * 1024)
/* Largest env file read (docker has no limit; ours keeps memory bounded). */
#define C2S_ENVFILE_MAX_BYTES ((size_t)16 << 20)
/* Longest number the exact rational arithmetic of cpus takes (big.Rat has no
 * limit; beyond this the value is refused as docker refuses an unparsable one). */
#define C2S_GOVAL_MAX_NUMBER 1024
/* Longest image reference judged (distribution/reference allows 255 bytes of
 * path and a 128-byte tag; anything longer is refused long before this). */
#define C2S_GOVAL_MAX_IMAGE 4096

/* Statuses of the parsers. */
enum c2s_goval_status {
	C2S_GOVAL_OK = 0,
	C2S_GOVAL_INVALID = -1, /* docker refuses the text: err says why */
	C2S_GOVAL_RANGE = -2    /* well formed but out of range (the text says it as docker does) */
};

/* ==== Go's standard library, as docker's values and messages see it ==== */

/* unicode/utf8: the length of the valid UTF-8 sequence at s (*cp its code point),
 * or 0 when the bytes there are not one (Go's rules: no overlongs, no surrogates). */
size_t c2s_utf8_valid_len(const unsigned char *s, size_t n, uint32_t *cp);
/* unicode.IsSpace. */
int c2s_go_is_space(uint32_t c);
/* strings.TrimSpace: moves *s past the unicode.IsSpace runes it starts with and
 * returns the length left without those it ends with. */
size_t c2s_go_trim_space(const char **s, size_t n);
/* unicode.IsLetter and unicode.IsDigit beyond ASCII (digits: Unicode 15's Nd,
 * as Go 1.21 and later; letters: an approximation, see goval.c), and the whole
 * test with ASCII answered inline (yaml.v3's key order asks it per rune). */
int c2s_go_unicode_letter(uint32_t r);
int c2s_go_unicode_digit(uint32_t r);
static inline int c2s_go_is_letter(uint32_t r)
{
	return r < 0x80 ? (r | 0x20) - 'a' < 26 : c2s_go_unicode_letter(r);
}
static inline int c2s_go_is_digit(uint32_t r)
{
	return r < 0x80 ? r - '0' < 10 : c2s_go_unicode_digit(r);
}
/* unicode.IsPrint, as strconv.Quote applies it (an approximation outside the
 * common blocks: unassigned code points count as printable). */
int c2s_go_is_print(uint32_t c);
/* strconv.Quote (also fmt's %q and %#v of a string) appended to out. 0, or -1
 * when out failed. */
int c2s_go_quote(struct c2s_buf *out, const char *s, size_t n);
/* The same into a fixed buffer (cut to size, always NUL-terminated); returns
 * the length written. */
size_t c2s_go_quote_to(char *dst, size_t size, const char *s, size_t n);
/* strconv.Atoi: [+-]digits into *out; -1 with "invalid syntax" or "value out
 * of range" in *why (why may be NULL). */
int c2s_go_atoi(const char *s, size_t n, long long *out, const char **why);
/* strconv.ParseUint(s, 10, bits): digits only. -1 with *why as Atoi's. */
int c2s_go_parse_uint(const char *s, size_t n, int bits, uint64_t *out, const char **why);
/* strconv.ParseFloat(s, 64): decimal and hexadecimal forms, underscores where Go
 * allows them, inf/infinity/nan. 0; C2S_GOVAL_INVALID or C2S_GOVAL_RANGE (*out
 * then +-Inf) with `strconv.ParseFloat: parsing "S": invalid syntax|value out
 * of range` in err. */
int c2s_go_parse_float(const char *s, size_t n, double *out, char *err, size_t errn);
/* Go's int64(f) as docker's linux/amd64 binaries compute it (CVTTSD2SI): the
 * fraction dropped; NaN and anything outside int64's range give INT64_MIN.
 * mapstructure decodes a float into an int field this way. */
int64_t c2s_go_f64_to_i64(double f);
/* Go's uint64(f) on linux/amd64: below 2^63 as int64(f); from there
 * int64(f - 2^63) with the top bit set, so 2^64 and more (and NaN) give 2^63. */
uint64_t c2s_go_f64_to_u64(double f);
/* google/shlex's Split, as the compose loader splits a command or entrypoint
 * written as one string: NULL when it splits, else its error ("EOF found
 * when expecting closing quote", "EOF found after escape character"). */
const char *c2s_go_shlex_error(const char *s, size_t n);
/* Go's *PathError text for errnum: "OP PATH: no such file or directory". */
void c2s_go_os_error(char *dst, size_t size, const char *op, const char *path, int errnum);

/* ==== Durations: Go's time.ParseDuration and Duration.String ==== */

/* Room for any Duration.String() text and its NUL. */
#define C2S_DURATION_BUF 32
/* time.ParseDuration: "1m30s", "1.5h", "-1s", "0" into nanoseconds. 0;
 * C2S_GOVAL_INVALID with `time: invalid duration "S"`, `time: missing unit in
 * duration "S"` or `time: unknown unit "U" in duration "S"`; C2S_GOVAL_RANGE
 * (overflow, Go says `time: invalid duration "S"` too). */
int c2s_duration_parse(const char *s, size_t n, int64_t *ns, char *err, size_t errn);
/* Duration.String() of ns into buf (C2S_DURATION_BUF bytes); returns the length. */
size_t c2s_duration_format(int64_t ns, char *buf);
/* Checked arithmetic on durations: *out = a + b, or a * k; 0, or -1 when the
 * result leaves int64 (then *out is the nearest bound, INT64_MAX or INT64_MIN). */
int c2s_duration_add(int64_t a, int64_t b, int64_t *out);
int c2s_duration_mul(int64_t a, int64_t k, int64_t *out);

/* ==== Sizes and CPUs ==== */

/* docker/go-units RAMInBytes (binary units, decimal 0) or FromHumanSize
 * (decimal 1): "512M", "1.5g", "100", "2 GiB". 0, or C2S_GOVAL_INVALID with
 * go-units' text (`invalid size: 'S'`, `invalid suffix: 'x'`, or ParseFloat's).
 * A value past int64 is INT64_MIN, as Go's conversion gives on amd64. */
int c2s_size_parse(const char *s, size_t n, int decimal, int64_t *bytes, char *err, size_t errn);
/* docker/cli opts.ParseCPUs: big.Rat's SetString (fractions a/b, decimal and
 * 0b/0o/0x forms, e and p exponents, underscores) times 1e9 into nano-CPUs,
 * wrapped to int64 as big.Int.Int64 does. 0, or C2S_GOVAL_INVALID with
 * `failed to parse S as a rational number` or `value is too precise`. */
int c2s_cpus_parse(const char *s, size_t n, int64_t *nano, char *err, size_t errn);

/* ==== Ports: docker/go-connections nat ==== */

/* nat.ParsePortRange: "80" or "8000-8010" (strings.Split: a part past the
 * second is ignored, so "1-2-3" is 1-2). 0, or C2S_GOVAL_INVALID with nat's
 * text (`empty string specified for ports`, ParseUint's, `invalid range
 * specified for port: S`). */
int c2s_port_range_parse(const char *s, size_t n, uint32_t *lo, uint32_t *hi, char *err, size_t errn);

/* One nat.ParsePortSpec: [[ip:]host:]container[/proto]. */
struct c2s_port_spec {
	const char *ip;        /* the host IP, [] stripped (points into the text) */
	size_t ip_n;           /* 0: none */
	uint32_t target_lo, target_hi;
	uint32_t host_lo, host_hi;
	int has_host;          /* a host port (range) was written */
	const char *proto;     /* "tcp", "udp" or "sctp" (static) */
};
/* 0, or C2S_GOVAL_INVALID with nat's text (`invalid IP address: X`, `no port
 * specified: S<empty>`, `invalid containerPort: X`, `invalid hostPort: X`,
 * `invalid ranges specified for container and host Ports: X and Y`,
 * `invalid proto: X`). */
int c2s_port_spec_parse(const char *s, size_t n, struct c2s_port_spec *ps, char *err, size_t errn);

/* ==== Short volume syntax: docker/cli loader/volume.go ParseVolume ==== */

struct c2s_volume_spec {
	const char *source;       /* points into the text; NULL: none (an anonymous volume) */
	size_t source_n;
	const char *target;
	size_t target_n;
	int bind;                 /* isFilePath(source): a bind mount, else a volume */
	int read_only;            /* the mode's last ro or rw */
	int nocopy;               /* nocopy in the mode */
	const char *propagation;  /* the mode's last propagation (static text), or NULL */
};
/* [SOURCE:]TARGET[:MODE], a one-letter drive ("C:") kept in its field. 0, or
 * C2S_GOVAL_INVALID with the loader's text (`invalid empty volume spec`,
 * `invalid spec: S: empty section between colons`, `... too many colons`). */
int c2s_volume_spec_parse(const char *s, size_t n, struct c2s_volume_spec *v, char *err, size_t errn);

/* ==== Env files: docker/cli pkg/kvfile (opts.ParseEnvFile) ==== */

/* Called for each KEY=VALUE line (has_value 1) and each bare KEY line (has_value 0). */
typedef int (*c2s_envfile_fn)(void *ctx, const char *key, size_t klen, const char *value,
			      size_t vlen, int has_value);
/* Parse env-file bytes as kvfile does (valid UTF-8, BOM, leading white space,
 * '#' comments, KEY[=VALUE], values verbatim, lines up to C2S_ENVFILE_MAX_LINE).
 * 0, or -1 with kvfile's message (without the "invalid env file (PATH): "
 * prefix) in err; a callback's nonzero return stops it (returned as -2). */
int c2s_envfile_parse(const char *data, size_t len, c2s_envfile_fn fn, void *ctx, char *err, size_t errsize);

enum c2s_envfile_status {
	C2S_ENVFILE_OK = 0,
	C2S_ENVFILE_IO,      /* cannot be opened: err holds Go's "open PATH: ..." */
	C2S_ENVFILE_INVALID, /* docker refuses it: "invalid env file (PATH): ..." (c2s_envfile_read
				gives the part after the colon, "read PATH: ...", for a read error) */
	C2S_ENVFILE_NOMEM,
	C2S_ENVFILE_TOO_BIG  /* larger than C2S_ENVFILE_MAX_BYTES (err says so) */
};
/* Read the file at path into out (c2s_buf_init'ed by the caller, freed by it). */
enum c2s_envfile_status c2s_envfile_read(const char *path, struct c2s_buf *out, char *err, size_t errsize);
/* c2s_envfile_read, then c2s_envfile_parse with fn; err says what docker says
 * (path as given). */
enum c2s_envfile_status c2s_envfile_load(const char *path, c2s_envfile_fn fn, void *ctx, char *err,
					 size_t errsize);

/* ==== Paths: path/filepath on Unix, and the loader's Windows checks ==== */

/* filepath.Clean of s into out (room for n + 2 bytes); returns the length. */
size_t c2s_path_clean(const char *s, size_t n, char *out);
/* filepath.Join(dir, rel) (cleaned; empty parts skipped) into out (room for
 * dn + rn + 3 bytes); returns the length. */
size_t c2s_path_join(const char *dir, size_t dn, const char *rel, size_t rn, char *out);
/* The loader's absPath: rel itself when filepath.IsAbs (a leading '/'), else
 * joined to dir as above. Same room. */
size_t c2s_path_resolve(const char *dir, size_t dn, const char *rel, size_t rn, char *out);
/* docker/cli loader/windows_path.go volumeNameLen: "C:" or a UNC "\\host\share" prefix. */
size_t c2s_path_volume_name_len(const char *s, size_t n);
/* path.IsAbs or the loader's Windows isAbs (bind sources: either counts). */
int c2s_path_is_abs_any(const char *s, size_t n);
/* The stack's working directory, as docker/cli's GetConfigDetails makes it
 * from the first compose file: filepath.Dir(filepath.Abs(file)), or cwd for
 * "-". cwd NULL: relative to where we run ("." for standard input), as
 * lint shows paths. 0, or -1 when it does not fit in size bytes. */
int c2s_path_workdir(const char *cwd, const char *file, char *out, size_t size);

/* ==== Networks ==== */

/* 1 when Go's net.ParseCIDR accepts s[0..n) (an IPAM subnet), else 0. */
int c2s_cidr_valid(const char *s, size_t n);

/* ==== Image references: distribution/reference, as docker/cli uses it ==== */

/* 0 when reference.ParseAnyReference accepts s (what `docker stack deploy`
 * checks), else C2S_GOVAL_INVALID with its error text in err. */
int c2s_image_check(const char *s, size_t n, char *err, size_t errn);
/* The image as the client sends it (familiar form, ":latest" added to a name
 * without tag or digest) into buf (bufn bytes); returns its length, or 0 to
 * keep s as written. */
size_t c2s_image_familiar(const char *s, size_t n, char *buf, size_t bufn);

/* ==== The unit words (scan_units.re, generated into scan_units.c) ==== */

/* A duration unit's nanoseconds (0: none) with *pcur moved past it. */
uint64_t c2s_scan_duration_unit(const unsigned char **pcur, const unsigned char *lim);
/* A whole RAMInBytes suffix's power of 1024 (-1: not one). */
int c2s_scan_size_suffix(const unsigned char *s, const unsigned char *lim);

#endif
