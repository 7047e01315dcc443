/* fuzz_url.c - the SSRF guard of net/fetch.c: the URL check every image_url and callback_url passes before
 * any connection (parse_url, static, reached by including fetch.c) and sb_net_addr_is_public, the verdict on
 * each address curl is about to connect to.
 *
 * Input: byte 0 picks the part. URL: the rest is the URL (cut at its first NUL); an accepted URL must be
 * http(s) with a host and no user name or password. Address: the next 4 bytes are an IPv4 address and the
 * next 16 an IPv6 one; the IPv4 verdict must be the same for its IPv4-mapped, NAT64 and 6to4 forms, and no
 * loopback, private or link-local address may ever be public. */
#include "fuzz.h"
#include "net/fetch.c"

static bool public4(uint32_t host)
{
    struct sockaddr_in in = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(host)};
    return sb_net_addr_is_public((const struct sockaddr *)&in);
}

static bool public6(const uint8_t a[16])
{
    struct sockaddr_in6 in6 = {.sin6_family = AF_INET6};
    memcpy(in6.sin6_addr.s6_addr, a, 16);
    return sb_net_addr_is_public((const struct sockaddr *)&in6);
}

static void check_addresses(const uint8_t *p, size_t n)
{
    uint8_t v4[4] = {0}, v6[16] = {0};
    memcpy(v4, p, n < 4 ? n : 4);
    if (n > 4)
        memcpy(v6, p + 4, n - 4 < 16 ? n - 4 : 16);
    uint32_t host = load_be32(v4);
    bool pub = public4(host);
    if (host >> 24 == 127 || host >> 24 == 10 || host >> 16 == 0xa9fe || host >> 16 == 0xc0a8 ||
        host >> 20 == 0xac1 || host >> 24 == 0)
        FUZZ_CHECK(!pub);
    uint8_t mapped[16] = {[10] = 0xff, [11] = 0xff}, nat64[16] = {0x00, 0x64, 0xff, 0x9b}, six2four[16] = {0x20, 0x02};
    memcpy(mapped + 12, v4, 4);
    memcpy(nat64 + 12, v4, 4);
    memcpy(six2four + 2, v4, 4);
    memcpy(six2four + 6, v6 + 6, 10);
    FUZZ_CHECK(public6(mapped) == pub && public6(nat64) == pub && public6(six2four) == pub);
    bool pub6 = public6(v6);
    if (v6[0] >= 0xfc || (v6[0] == 0 && v6[1] == 0 && v6[2] == 0 && v6[3] == 0 && !v6[10] && !v6[11]))
        FUZZ_CHECK(!pub6); /* ULA, link-local, multicast; ::/96 (unspecified, loopback, IPv4-compatible) */
    FUZZ_CHECK(!sb_net_addr_is_public(NULL));
    struct sockaddr unix_sa = {.sa_family = AF_UNIX};
    FUZZ_CHECK(!sb_net_addr_is_public(&unix_sa));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    if (data[0] & 1) {
        check_addresses(data + 1, size - 1);
        return 0;
    }
    char *url = fuzz_cstr(data + 1, size - 1);
    sb_error_t e = {0};
    CURLU *u = NULL;
    sb_err err = parse_url(url, "image_url", &u, &e);
    FUZZ_CHECK(err == SB_OK || err == SB_ERR_URL_BLOCKED || err == SB_ERR_NOMEM);
    if (!err) {
        char *scheme = NULL, *host = NULL;
        FUZZ_CHECK(curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) == CURLUE_OK);
        FUZZ_CHECK(!strcasecmp(scheme, "http") || !strcasecmp(scheme, "https"));
        FUZZ_CHECK(curl_url_get(u, CURLUPART_HOST, &host, 0) == CURLUE_OK && host[0]);
        FUZZ_CHECK(strlen(url) <= SB_FETCH_MAX_URL);
        curl_free(scheme);
        curl_free(host);
    }
    curl_url_cleanup(u);
    free(url);
    return 0;
}
