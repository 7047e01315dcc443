/* test_net_addr.c - the SSRF guard's address rules (every refused IPv4/IPv6 range, its public neighbours,
 * embedded IPv4 forms) and the URL checks made before any lookup or connection (schemes, parts, userinfo,
 * length, options). Nothing here opens a socket; real fetches are test_fetch.c. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/un.h>

#include "net/fetch.h"
#include "testutil.h"

/* ---- the address rules ---- */

static bool is_public(const char *text)
{
    struct sockaddr_in v4 = {.sin_family = AF_INET};
    struct sockaddr_in6 v6 = {.sin6_family = AF_INET6};
    if (inet_pton(AF_INET, text, &v4.sin_addr) == 1)
        return sb_net_addr_is_public((struct sockaddr *)&v4);
    cr_assert_eq(inet_pton(AF_INET6, text, &v6.sin6_addr), 1, "bad test address %s", text);
    return sb_net_addr_is_public((struct sockaddr *)&v6);
}

static void expect_refused(const char *const *list, size_t n)
{
    for (size_t i = 0; i < n; i++)
        cr_expect(!is_public(list[i]), "%s should be refused", list[i]);
}

static void expect_public(const char *const *list, size_t n)
{
    for (size_t i = 0; i < n; i++)
        cr_expect(is_public(list[i]), "%s should be public", list[i]);
}

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

Test(net_addr, ipv4_refused_ranges_first_middle_last)
{
    static const char *const refused[] = {
        "0.0.0.0",       "0.1.2.3",         "0.255.255.255",   /* 0/8 */
        "10.0.0.0",      "10.0.0.1",        "10.255.255.255",  /* 10/8 */
        "100.64.0.0",    "100.100.1.1",     "100.127.255.255", /* 100.64/10 */
        "127.0.0.1",     "127.0.1.1",       "127.255.255.255", /* 127/8 */
        "169.254.0.0",   "169.254.169.254", "169.254.255.255", /* 169.254/16 */
        "172.16.0.0",    "172.20.1.1",      "172.31.255.255",  /* 172.16/12 */
        "192.0.0.0",     "192.0.0.8",       "192.0.0.255",     /* 192.0.0/24 */
        "192.0.2.0",     "192.0.2.55",      "192.0.2.255",     /* 192.0.2/24 */
        "192.88.99.0",   "192.88.99.1",     "192.88.99.255",   /* 192.88.99/24 */
        "192.168.0.0",   "192.168.1.1",     "192.168.255.255", /* 192.168/16 */
        "198.18.0.0",    "198.19.0.1",      "198.19.255.255",  /* 198.18/15 */
        "198.51.100.0",  "198.51.100.7",    "198.51.100.255",  /* 198.51.100/24 */
        "203.0.113.0",   "203.0.113.9",     "203.0.113.255",   /* 203.0.113/24 */
        "224.0.0.0",     "230.1.2.3",       "239.255.255.255", /* 224/4 */
        "240.0.0.0",     "250.1.2.3",       "255.255.255.254", /* 240/4 */
        "255.255.255.255",
    };
    expect_refused(refused, COUNT(refused));
}

Test(net_addr, ipv4_public_including_the_neighbours_of_each_range)
{
    static const char *const public[] = {
        "8.8.8.8",        "1.1.1.1",        "93.184.216.34",  "1.0.0.0",         "9.255.255.255",
        "11.0.0.0",       "100.63.255.255", "100.128.0.0",    "126.255.255.255", "128.0.0.0",
        "169.253.255.255", "169.255.0.0",   "172.15.255.255", "172.32.0.0",      "191.255.255.255",
        "192.0.1.0",      "192.0.3.0",      "192.88.98.255",  "192.88.100.0",    "192.167.255.255",
        "192.169.0.0",    "198.17.255.255", "198.20.0.0",     "198.51.99.255",   "198.51.101.0",
        "203.0.112.255",  "203.0.114.0",    "223.255.255.255",
    };
    expect_public(public, COUNT(public));
}

Test(net_addr, ipv6_refused_ranges)
{
    static const char *const refused[] = {
        "::",           "::1",           "100::",          "100::ffff:ffff:ffff:ffff", /* discard /64 */
        "2001:db8::",   "2001:db8::1",   "2001:db8:ffff:ffff:ffff:ffff:ffff:ffff",
        "2001::1",      "2001:0:4136:e378:8000:63bf:3fff:fdd2", /* Teredo */
        "2001:1ff:ffff::1", "2001:10::1", /* the rest of 2001::/23 */
        "3fff::1",      "3fff:fff::1",   /* documentation 3fff::/20 */
        "fc00::",       "fc00::1",       "fd12:3456:789a::1", "fdff:ffff:ffff:ffff:ffff:ffff:ffff:ffff",
        "fe80::",       "fe80::1",       "febf:ffff::1",      /* link-local */
        "fec0::",       "fec0::1",       "feff:ffff::1",      /* site-local */
        "ff00::",       "ff02::1",       "ff05::1:3",         "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff",
        "::127.0.0.1",  "::8.8.8.8",     /* deprecated IPv4-compatible, outside 2000::/3 */
        "64:ff9b:1::1", "4000::1",       "1000::1",           "e000::1", /* not global unicast */
    };
    expect_refused(refused, COUNT(refused));
}

Test(net_addr, ipv6_public)
{
    static const char *const public[] = {
        "2606:4700::1111", "2606:4700:4700::1111", "2001:4860:4860::8888", "2a00:1450:4001:80b::200e",
        "2001:200::1",     /* just past 2001::/23 */
        "2001:db7:ffff::1", "2001:db9::1", "3ffe::1", "3fff:1000::1", "2c0f:fb50::1",
    };
    expect_public(public, COUNT(public));
}

Test(net_addr, ipv6_forms_that_embed_ipv4_follow_the_ipv4_rules)
{
    static const char *const refused[] = {
        "::ffff:127.0.0.1", "::ffff:7f00:1",      "::ffff:10.0.0.1",    "::ffff:169.254.169.254",
        "::ffff:0.0.0.0",   "::ffff:192.168.1.1", "::ffff:224.0.0.1",   "::ffff:255.255.255.255",
        "64:ff9b::10.0.0.1", "64:ff9b::7f00:1",   "64:ff9b::a9fe:a9fe", "64:ff9b::100.64.0.1",
        "2002:a00:1::1",    "2002:7f00:1::",      "2002:c0a8:101::1",   "2002:a9fe:a9fe::1",
        "2002::1", /* 6to4 of 0.0.0.0 */
    };
    static const char *const public[] = {
        "::ffff:8.8.8.8", "::ffff:1.1.1.1", "64:ff9b::808:808", "64:ff9b::1.1.1.1", "2002:808:808::1",
        "2002:101:101:1::1",
    };
    expect_refused(refused, COUNT(refused));
    expect_public(public, COUNT(public));
}

Test(net_addr, non_ip_families_and_null_are_not_public)
{
    struct sockaddr_un un = {.sun_family = AF_UNIX, .sun_path = "/tmp/x.sock"};
    cr_assert(!sb_net_addr_is_public((struct sockaddr *)&un));
    struct sockaddr sa = {.sa_family = AF_UNSPEC};
    cr_assert(!sb_net_addr_is_public(&sa));
    cr_assert(!sb_net_addr_is_public(NULL));
}

/* ---- URL checks (refused before any lookup or connection) ---- */

static void expect_url_blocked(const char *url, const char *needle)
{
    uint8_t *body = (uint8_t *)"untouched";
    size_t len = 7;
    sb_error_t e = {0};
    cr_assert_eq(sb_fetch_get(url, NULL, "image_url", &body, &len, &e), SB_ERR_URL_BLOCKED, "%s: %s",
                 url ? url : "(null)", e.message);
    cr_assert_null(body);
    cr_assert_eq(len, 0);
    cr_assert_eq(e.code, SB_ERR_URL_BLOCKED);
    cr_assert_str_eq(e.field, "image_url");
    cr_assert(strstr(e.message, "image_url"), "message names the field: %s", e.message);
    if (needle)
        cr_assert(strstr(e.message, needle), "message '%s' lacks '%s'", e.message, needle);
}

Test(fetch_url, only_http_and_https)
{
    expect_url_blocked("ftp://example.com/a.jpg", "http or https");
    expect_url_blocked("file:///etc/passwd", "http or https");
    expect_url_blocked("gopher://example.com/_x", "http or https");
    expect_url_blocked("dict://example.com:11211/stats", "http or https");
    expect_url_blocked("ldap://example.com/", "http or https");
    expect_url_blocked("javascript:alert(1)", NULL);
    expect_url_blocked("data:image/png;base64,AAAA", NULL);
}

Test(fetch_url, malformed_or_missing_parts)
{
    expect_url_blocked(NULL, "empty");
    expect_url_blocked("", "empty");
    expect_url_blocked("example.com/a.jpg", NULL);
    expect_url_blocked("http://", NULL);
    expect_url_blocked("http://:80/a.jpg", "no host");
    expect_url_blocked("http://user@/a.jpg", "no host");
    expect_url_blocked("http://exa mple.com/a.jpg", NULL);
    expect_url_blocked("http://[::1/a.jpg", NULL);
}

Test(fetch_url, userinfo_is_refused)
{
    expect_url_blocked("http://user:pw@example.com/a.jpg", "user name or password");
    expect_url_blocked("http://example.com@127.0.0.1/a.jpg", "user name or password");
    expect_url_blocked("https://:secret@example.com/", "user name or password");
    expect_url_blocked("http://user@example.com/", "user name or password");
    expect_url_blocked("http://@example.com/", "user name or password");
}

Test(fetch_url, over_2048_characters)
{
    char url[SB_FETCH_MAX_URL + 2];
    int n = snprintf(url, sizeof url, "http://example.com/");
    memset(url + n, 'a', sizeof url - 1 - (size_t)n);
    url[sizeof url - 1] = '\0';
    cr_assert_eq(strlen(url), SB_FETCH_MAX_URL + 1);
    expect_url_blocked(url, "2048");
}

Test(fetch_url, defaults_and_bad_options)
{
    sb_fetch_opts_t d = sb_fetch_opts_default();
    cr_assert_eq(d.max_bytes, 25u << 20);
    cr_assert_eq(d.timeout_ms, 15000);
    cr_assert_eq(d.connect_timeout_ms, 5000);
    cr_assert_eq(d.max_redirects, 3);
    cr_assert(!d.allow_private);

    uint8_t *body;
    size_t len;
    sb_error_t e = {0};
    d.timeout_ms = 0;
    cr_assert_eq(sb_fetch_get("http://example.com/", &d, "image_url", &body, &len, &e), SB_ERR_USAGE);
    d = sb_fetch_opts_default();
    d.max_bytes = 0;
    cr_assert_eq(sb_fetch_get("http://example.com/", &d, "image_url", &body, &len, &e), SB_ERR_USAGE);
}
