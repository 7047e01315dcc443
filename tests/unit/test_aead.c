/* test_aead.c - AES-256-GCM sealing (util/aead.h) and staged inputs (jobs/staged.h) on a real blob folder:
 * a round trip gives the bytes back; a changed byte, another key or another job id (the associated data)
 * is refused; nothing of the plaintext shows in the sealed bytes; a staged input is gone after delete. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "jobs/staged.h"
#include "util/aead.h"
#include "util/random.h"

static uint8_t key[SB_AEAD_KEY_LEN];
static uint8_t plain[5000];

static void setup(void)
{
    sb_random_bytes(key, sizeof key);
    for (size_t i = 0; i < sizeof plain; i++)
        plain[i] = (uint8_t)(i * 7 + 3);
    plain[0] = 0xFF, plain[1] = 0xD8, plain[2] = 0xFF; /* a JPEG's magic */
}

TestSuite(aead, .init = setup);

Test(aead, a_round_trip_gives_the_bytes_back)
{
    uint8_t *sealed, *opened;
    size_t n, m;
    sb_error_t e = {0};
    cr_assert_eq(sb_aead_seal(key, "job_1", plain, sizeof plain, &sealed, &n, &e), SB_OK, "%s", e.message);
    cr_assert_eq(n, sizeof plain + SB_AEAD_OVERHEAD);
    cr_assert_null(memmem(sealed, n, plain, 3), "the JPEG magic shows through");
    cr_assert_null(memmem(sealed, n, plain + 100, 32), "plaintext shows through");
    cr_assert_eq(sb_aead_open(key, "job_1", sealed, n, &opened, &m, &e), SB_OK, "%s", e.message);
    cr_assert_eq(m, sizeof plain);
    cr_assert_eq(memcmp(opened, plain, m), 0);
    free(opened);
    /* Two seals of the same bytes differ (a fresh nonce each time). */
    uint8_t *again;
    size_t n2;
    cr_assert_eq(sb_aead_seal(key, "job_1", plain, sizeof plain, &again, &n2, &e), SB_OK);
    cr_assert_neq(memcmp(sealed, again, n), 0);
    free(again);
    free(sealed);
}

Test(aead, a_change_a_wrong_key_or_another_job_is_refused)
{
    uint8_t *sealed, *opened = (uint8_t *)1;
    size_t n, m;
    sb_error_t e = {0};
    cr_assert_eq(sb_aead_seal(key, "job_1", plain, sizeof plain, &sealed, &n, &e), SB_OK);
    sealed[n / 2] ^= 1;
    cr_assert_eq(sb_aead_open(key, "job_1", sealed, n, &opened, &m, &e), SB_ERR_CORRUPT_IMAGE);
    cr_assert_null(opened);
    sealed[n / 2] ^= 1;
    uint8_t other[SB_AEAD_KEY_LEN];
    memcpy(other, key, sizeof other);
    other[0] ^= 0x80;
    cr_assert_eq(sb_aead_open(other, "job_1", sealed, n, &opened, &m, &e), SB_ERR_CORRUPT_IMAGE);
    cr_assert_eq(sb_aead_open(key, "job_2", sealed, n, &opened, &m, &e), SB_ERR_CORRUPT_IMAGE);
    cr_assert_eq(sb_aead_open(key, "job_1", sealed, 10, &opened, &m, &e), SB_ERR_CORRUPT_IMAGE);
    cr_assert_eq(sb_aead_open(key, "job_1", sealed, n, &opened, &m, &e), SB_OK);
    free(opened);
    free(sealed);
}

Test(aead, a_staged_input_round_trips_and_is_deleted)
{
    char dir[] = "/tmp/strobe-aead-XXXXXX", loc[64], db[96];
    cr_assert_not_null(mkdtemp(dir));
    snprintf(loc, sizeof loc, "file:%s/files", dir);
    snprintf(db, sizeof db, "sqlite:%s/strobe.db", dir);
    sb_blob_t *blob;
    sb_meta_t *meta;
    sb_error_t e = {0};
    cr_assert_eq(sb_blob_open(loc, &blob, &e), SB_OK, "%s", e.message);
    cr_assert_eq(sb_meta_open(db, &meta, &e), SB_OK, "%s", e.message);
    char hex[65];
    cr_assert_eq(sb_staged_put(blob, "job_abc", plain, sizeof plain, hex, &e), SB_OK, "%s", e.message);
    cr_assert_eq(strlen(hex), 64);
    uint8_t *raw;
    size_t n;
    cr_assert_eq(sb_blob_get(blob, "staged-job_abc", &raw, &n, &e), SB_OK, "%s", e.message);
    cr_assert_null(memmem(raw, n, plain, 3), "the stored object shows the JPEG magic");
    free(raw);
    uint8_t *back;
    cr_assert_eq(sb_staged_get(blob, "job_abc", hex, &back, &n, &e), SB_OK, "%s", e.message);
    cr_assert_eq(n, sizeof plain);
    cr_assert_eq(memcmp(back, plain, n), 0);
    free(back);
    cr_assert_eq(sb_staged_get(blob, "job_abc", "00", &back, &n, &e), SB_ERR_INPUT_LOST);
    hex[0] = hex[0] == 'a' ? 'b' : 'a';
    cr_assert_eq(sb_staged_get(blob, "job_abc", hex, &back, &n, &e), SB_ERR_INPUT_LOST, "a wrong key");
    sb_staged_delete(meta, blob, "job_abc");
    cr_assert_eq(sb_blob_get(blob, "staged-job_abc", &raw, &n, &e), SB_ERR_NOT_FOUND);
    cr_assert_eq(sb_staged_get(blob, "job_abc", hex, &back, &n, &e), SB_ERR_INPUT_LOST);
    sb_meta_close(meta);
    sb_blob_close(blob);
    char cmd[64];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    cr_assert_eq(system(cmd), 0);
}
