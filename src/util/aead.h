/* aead.h - authenticated encryption of a buffer with AES-256-GCM (OpenSSL): for inputs staged in a
 * shared blob store, readable only with the key kept in the job's row. Thread-safe. */
#ifndef SB_AEAD_H
#define SB_AEAD_H

#include <stddef.h>
#include <stdint.h>

#include "util/err.h"

#define SB_AEAD_KEY_LEN 32
/* What sealing adds to the plaintext: a 12-byte random nonce in front, a 16-byte tag behind. */
#define SB_AEAD_OVERHEAD (12 + 16)

/* Encrypt `len` bytes under `key`, binding `aad` (associated data, authenticated not encrypted; e.g. the
 * job id, so a staged blob cannot be swapped for another job's) into *out (malloc'd, len +
 * SB_AEAD_OVERHEAD bytes, the caller frees). Errors: SB_ERR_NOMEM, SB_ERR_INTERNAL (OpenSSL). */
sb_err sb_aead_seal(const uint8_t key[SB_AEAD_KEY_LEN], const char *aad, const uint8_t *in, size_t len, uint8_t **out,
                    size_t *out_len, sb_error_t *e);

/* Decrypt and verify what sb_aead_seal made, with the same key and aad, into *out (malloc'd, the caller
 * frees). Errors: SB_ERR_CORRUPT_IMAGE when it is too short, was changed, or the key or aad is wrong
 * (nothing is returned then); SB_ERR_NOMEM, SB_ERR_INTERNAL. */
sb_err sb_aead_open(const uint8_t key[SB_AEAD_KEY_LEN], const char *aad, const uint8_t *in, size_t len, uint8_t **out,
                    size_t *out_len, sb_error_t *e);

#endif
