/* sha256.h -- SHA-256 (FIPS 180-4), for the names docker gives context directories. */
#ifndef C2S_SHA256_H
#define C2S_SHA256_H

#include <stddef.h>

/* The digest of n bytes at p as 64 lowercase hex digits and a NUL in hex. */
void c2s_sha256_hex(const void *p, size_t n, char hex[65]);

#endif
