/* accept4 is a GNU extension. */
#define _GNU_SOURCE // NOLINT(bugprone-reserved-identifier,cert-dcl37-c): a feature-test macro
#include "http/listener.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "http/guard.h"
#include "util/config.h"
#include "util/errors.h"
#include "util/log.h"
#include "util/worker.h"

static int listen_fd = -1;
static struct MHD_Daemon *target;
static struct worker accepter;
static int connection_limit;
enum { ACCEPT_BATCH = 32 };

int listener_open(const char *address, int port, char *err, size_t errlen)
{
    struct sockaddr_storage ss;
    memset(&ss, 0, sizeof ss);
    struct sockaddr_in *v4 = (struct sockaddr_in *)&ss;
    struct sockaddr_in6 *v6 = (struct sockaddr_in6 *)&ss;
    socklen_t len;
    if (inet_pton(AF_INET, address, &v4->sin_addr) == 1) {
        v4->sin_family = AF_INET;
        v4->sin_port = htons((uint16_t)port);
        len = sizeof *v4;
    } else if (inet_pton(AF_INET6, address, &v6->sin6_addr) == 1) {
        v6->sin6_family = AF_INET6;
        v6->sin6_port = htons((uint16_t)port);
        len = sizeof *v6;
    } else {
        snprintf(err, errlen, "listen_address '%s' is not an IPv4 or IPv6 address", address);
        return -1;
    }
    int fd = socket(ss.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    int on = 1;
    if (fd < 0 || setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof on) != 0 ||
        bind(fd, (struct sockaddr *)&ss, len) != 0 || listen(fd, SOMAXCONN) != 0) {
        snprintf(err, errlen, "cannot listen on %s port %d: %s", address, port, strerror(errno));
        if (fd >= 0)
            close(fd);
        return -1;
    }
    return fd;
}

int listener_port(int fd)
{
    struct sockaddr_storage ss;
    socklen_t len = sizeof ss;
    if (getsockname(fd, (struct sockaddr *)&ss, &len) != 0)
        return -1;
    // NOLINTNEXTLINE(clang-analyzer-core.UndefinedBinaryOperatorResult): getsockname filled ss
    return ntohs(ss.ss_family == AF_INET6 ? ((struct sockaddr_in6 *)&ss)->sin6_port
                                          : ((struct sockaddr_in *)&ss)->sin_port);
}

/* The answer to a client over the limit, written before its socket is closed. */
static void refuse(int fd)
{
    const struct error_def *e = &error_table[ERR_SERVER_BUSY];
    char body[256], text[512];
    int n = snprintf(body, sizeof body, "{\"error\":{\"code\":\"%s\",\"message\":\"%s\"}}", e->code,
                     e->message);
    int m = snprintf(text, sizeof text,
                     "HTTP/1.1 503 Service Unavailable\r\nContent-Type: application/json; "
                     "charset=utf-8\r\nContent-Length: %d\r\nRetry-After: 1\r\n"
                     "Connection: close\r\n\r\n%s",
                     n, body);
    if (m > 0 && (size_t)m < sizeof text)
        (void)!send(fd, text, (size_t)m, MSG_DONTWAIT | MSG_NOSIGNAL);
    shutdown(fd, SHUT_WR);
    close(fd);
}

/* One line a second, not one a client. */
static void report_refusal(unsigned long *refused, time_t *last, const char *why)
{
    ++*refused;
    time_t now = time(NULL);
    if (now != *last) {
        log_msg(LOG_WARN, "refused %lu connections: %s", *refused, why);
        *refused = 0;
        *last = now;
    }
}

static void address_text(const struct sockaddr *sa, char *out, size_t len)
{
    out[0] = '\0';
    if (sa->sa_family == AF_INET)
        inet_ntop(AF_INET, &((const struct sockaddr_in *)sa)->sin_addr, out, (socklen_t)len);
    else if (sa->sa_family == AF_INET6)
        inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)sa)->sin6_addr, out, (socklen_t)len);
}

/* Admits the connection (true) or answers 503 and closes it, saying why in the log. */
static bool admit(int fd, const struct sockaddr *sa, unsigned long *refused, time_t *last)
{
    const struct config *c = config_current();
    char address[INET6_ADDRSTRLEN];
    address_text(sa, address, sizeof address);
    bool exempt = c->trusted_proxy[0] && strcmp(address, c->trusted_proxy) == 0;
    enum guard_verdict v = guard_admit(fd, sa, exempt);
    if (v == GUARD_ADMIT || v == GUARD_RESERVE)
        return true;
    refuse(fd);
    char why[160];
    if (v == GUARD_REFUSE_ADDRESS)
        snprintf(why, sizeof why, "connections_per_address (%d) and its reserve share taken by %s",
                 c->connections_per_address, address);
    else
        snprintf(why, sizeof why, "connection_limit (%d) reached, connection_reserve (%d) taken",
                 connection_limit, c->connection_reserve);
    report_refusal(refused, last, why);
    return false;
}

/* Takes the connections waiting (up to a batch: the sweep keeps its beat), each non-blocking
 * from accept4 so that libmicrohttpd need not set it: one poll and one fcntl fewer a
 * connection under load (measured with strace -c, packaging/operations.md). */
static void accept_pending(unsigned long *refused, time_t *last_report)
{
    for (int i = 0; i < ACCEPT_BATCH; i++) {
        struct sockaddr_storage ss = {0}; /* zeroed: the analyzer does not see accept4 fill it */
        socklen_t len = sizeof ss;
        int fd = accept4(listen_fd, (struct sockaddr *)&ss, &len, SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (fd < 0) {
            if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS || errno == ENOMEM) {
                log_msg(LOG_WARN, "accept: %s; pausing", strerror(errno));
                struct timespec pause = {0, 100 * 1000 * 1000};
                nanosleep(&pause, NULL);
            }
            return; /* EAGAIN: none left */
        }
        if (!admit(fd, (struct sockaddr *)&ss, refused, last_report))
            continue;
        /* MHD owns (and on failure closes) the socket from here on. */
        if (MHD_add_connection(target, fd, (struct sockaddr *)&ss, len) != MHD_YES) {
            guard_forget(fd);
            report_refusal(refused, last_report, strerror(errno));
        }
    }
}

static void accept_loop(struct worker *w, void *arg)
{
    (void)arg;
    unsigned long refused = 0, shut = 0;
    time_t last_report = 0, last_shut_report = 0;
    struct timespec last_sweep = {0, 0};
    for (;;) {
        /* Woken at once by a stop; the quarter-second beat sweeps connections past their
         * bounds. */
        enum worker_event ev = worker_wait(w, 250, listen_fd);
        if (ev == WORKER_STOP)
            break;
        struct timespec now;
        clock_gettime(CLOCK_MONOTONIC, &now);
        if ((now.tv_sec - last_sweep.tv_sec) * 1000 +
                (now.tv_nsec - last_sweep.tv_nsec) / 1000000 >=
            250) {
            last_sweep = now;
            int n = guard_sweep();
            if (n > 0) {
                shut += (unsigned long)n;
                if (now.tv_sec != last_shut_report) {
                    log_msg(LOG_WARN,
                            "closed %lu connections past header_timeout or below body_min_rate",
                            shut);
                    shut = 0;
                    last_shut_report = now.tv_sec;
                }
            }
        }
        if (ev != WORKER_READY)
            continue;
        accept_pending(&refused, &last_report);
    }
}

int listener_start(int fd, struct MHD_Daemon *daemon, int limit)
{
    listen_fd = fd;
    target = daemon;
    connection_limit = limit;
    if (worker_start(&accepter, accept_loop, NULL, "onshi-accept") != 0) {
        close(fd);
        listen_fd = -1;
        return -1;
    }
    return 0;
}

void listener_stop(void)
{
    worker_stop(&accepter);
    if (listen_fd >= 0)
        close(listen_fd);
    listen_fd = -1;
}
