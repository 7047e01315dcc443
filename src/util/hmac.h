/* hmac.h - HMAC-SHA256 and SHA-256 in hex (OpenSSL), and constant-time comparison. Thread-safe. */
#ifndef SB_HMAC_H
#define SB_HMAC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Lowercase hex HMAC-SHA256 of `msg` under `key` into out[65]. */
void sb_hmac_sha256_hex(const uint8_t *key, size_t key_len, const void *msg, size_t msg_len, char out[65]);

/* Lowercase hex SHA-256 of `data` into out[65]. */
void sb_sha256_hex(const void *data, size_t len, char out[65]);

/* Compare two NUL-terminated strings in time that does not depend on where they differ. */
bool sb_str_equal_ct(const char *a, const char *b);

#endif
