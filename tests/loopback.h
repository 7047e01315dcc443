/* loopback.h - for tests that run their own little HTTP server: listening sockets on 127.0.0.1 and,
 * where IPv6 loopback works, on ::1 with the same ephemeral port. */
#ifndef SB_TESTS_LOOPBACK_H
#define SB_TESTS_LOOPBACK_H

#include <arpa/inet.h>
#include <criterion/criterion.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

/* Fill lfd[0] (IPv4) and, when it could be bound to the same port, lfd[1] (IPv6); *nl is 1 or 2.
 * Returns the port. Aborts the test when no loopback port can be had. */
static inline int tu_listen_loopback(int lfd[2], int *nl, bool *has_v6)
{
    *nl = 0;
    *has_v6 = false;
    int port = 0;
    for (int attempt = 0; attempt < 20; attempt++) {
        int v4 = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        struct sockaddr_in a4 = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
        socklen_t sl = sizeof a4;
        cr_assert(v4 >= 0 && bind(v4, (struct sockaddr *)&a4, sizeof a4) == 0 && listen(v4, 64) == 0 &&
                      getsockname(v4, (struct sockaddr *)&a4, &sl) == 0,
                  "loopback listener: %s", strerror(errno));
        port = ntohs(a4.sin_port);
        lfd[0] = v4;
        *nl = 1;
        int v6 = socket(AF_INET6, SOCK_STREAM | SOCK_CLOEXEC, 0);
        struct sockaddr_in6 a6 = {.sin6_family = AF_INET6, .sin6_addr = IN6ADDR_LOOPBACK_INIT,
                                  .sin6_port = htons((uint16_t)port)};
        int one = 1;
        if (v6 >= 0 && setsockopt(v6, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof one) == 0 &&
            bind(v6, (struct sockaddr *)&a6, sizeof a6) == 0 && listen(v6, 64) == 0) {
            lfd[(*nl)++] = v6;
            *has_v6 = true;
            break;
        }
        int err = errno;
        if (v6 >= 0)
            close(v6);
        if (err != EADDRINUSE)
            break; /* no IPv6 loopback here: IPv4 only */
        close(v4); /* the port is taken on ::1: try another */
        *nl = 0;
    }
    cr_assert_gt(*nl, 0, "no free port on loopback for both families");
    return port;
}

#endif
