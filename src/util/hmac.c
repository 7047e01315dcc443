/* hmac.c - HMAC-SHA256 and SHA-256 through OpenSSL's one-shot functions. */
#include "util/hmac.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <string.h>

#include "util/random.h"

void sb_hmac_sha256_hex(const uint8_t *key, size_t key_len, const void *msg, size_t msg_len, char out[65])
{
    uint8_t md[32];
    unsigned md_len = 0;
    HMAC(EVP_sha256(), key, (int)key_len, msg, msg_len, md, &md_len);
    sb_hex_encode(md, 32, out);
}

void sb_sha256_hex(const void *data, size_t len, char out[65])
{
    uint8_t md[32];
    unsigned md_len = 0;
    EVP_Digest(data, len, md, &md_len, EVP_sha256(), NULL);
    sb_hex_encode(md, 32, out);
}

bool sb_str_equal_ct(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    if (la != lb)
        return false;
    return CRYPTO_memcmp(a, b, la) == 0;
}
