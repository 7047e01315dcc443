/* aead.c - AES-256-GCM through OpenSSL's EVP interface (aead.h). Layout of a sealed buffer:
 * nonce (12) | ciphertext (len) | tag (16). */
#include "util/aead.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "util/random.h"

#define NONCE_LEN 12
#define TAG_LEN 16

sb_err sb_aead_seal(const uint8_t key[SB_AEAD_KEY_LEN], const char *aad, const uint8_t *in, size_t len, uint8_t **out,
                    size_t *out_len, sb_error_t *e)
{
    *out = NULL;
    if (len > (size_t)INT32_MAX - SB_AEAD_OVERHEAD)
        return sb_error_set(e, SB_ERR_USAGE, "", "%zu bytes are too many to seal", len);
    uint8_t *buf = malloc(len + SB_AEAD_OVERHEAD);
    EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
    if (!buf || !ctx) {
        free(buf);
        EVP_CIPHER_CTX_free(ctx);
        return sb_error_set(e, SB_ERR_NOMEM, "", "out of memory sealing %zu bytes", len);
    }
    sb_random_bytes(buf, NONCE_LEN);
    int n = 0, fin = 0;
    bool ok = EVP_EncryptInit_ex(ctx, EVP_aes_256_gcm(), NULL, key, buf) == 1 &&
              EVP_EncryptUpdate(ctx, NULL, &n, (const uint8_t *)aad, (int)strlen(aad)) == 1 &&
              EVP_EncryptUpdate(ctx, buf + NONCE_LEN, &n, in, (int)len) == 1 &&
              EVP_EncryptFinal_ex(ctx, buf + NONCE_LEN + n, &fin) == 1 &&
              EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_GET_TAG, TAG_LEN, buf + NONCE_LEN + len) == 1;
    EVP_CIPHER_CTX_free(ctx);
    if (!ok) {
        free(buf);
        return sb_error_set(e, SB_ERR_INTERNAL, "", "AES-256-GCM encryption failed");
    }
    *out = buf;
    *out_len = len + SB_AEAD_OVERHEAD;
    return SB_OK;
}

sb_err sb_aead_open(const uint8_t key[SB_AEAD_KEY_LEN], const char *aad, const uint8_t *in, size_t len, uint8_t **out,
                    size_t *out_len, sb_error_t *e)
{
    *out = NULL;
    if (len < SB_AEAD_OVERHEAD || len > (size_t)INT32_MAX)
        return sb_error_set(e, SB_ERR_CORRUPT_IMAGE, "", "a sealed buffer of %zu bytes is damaged", len);
    size_t plain = len - SB_AEAD_OVERHEAD;
    uint8_t *buf = malloc(plain ? plain : 1);
    EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
    if (!buf || !ctx) {
        free(buf);
        EVP_CIPHER_CTX_free(ctx);
        return sb_error_set(e, SB_ERR_NOMEM, "", "out of memory opening %zu bytes", len);
    }
    uint8_t tag[TAG_LEN];
    memcpy(tag, in + NONCE_LEN + plain, TAG_LEN);
    int n = 0, fin = 0;
    bool set = EVP_DecryptInit_ex(ctx, EVP_aes_256_gcm(), NULL, key, in) == 1 &&
               EVP_DecryptUpdate(ctx, NULL, &n, (const uint8_t *)aad, (int)strlen(aad)) == 1 &&
               EVP_DecryptUpdate(ctx, buf, &n, in + NONCE_LEN, (int)plain) == 1 &&
               EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_TAG, TAG_LEN, tag) == 1;
    /* The tag is checked here: a changed byte, a wrong key or aad all fail alike. */
    bool verified = set && EVP_DecryptFinal_ex(ctx, buf + n, &fin) == 1;
    EVP_CIPHER_CTX_free(ctx);
    if (!verified) {
        free(buf);
        return set ? sb_error_set(e, SB_ERR_CORRUPT_IMAGE, "", "a sealed buffer failed its check (changed, or the wrong key)")
                   : sb_error_set(e, SB_ERR_INTERNAL, "", "AES-256-GCM decryption failed");
    }
    *out = buf;
    *out_len = plain;
    return SB_OK;
}
