#include "http/peer.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

#include "util/config.h"

static void peer_address(struct request *req, char *out, size_t len)
{
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(req->conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
    out[0] = '\0';
    if (!ci || !ci->client_addr)
        return;
    const struct sockaddr *sa = ci->client_addr;
    if (sa->sa_family == AF_INET)
        inet_ntop(AF_INET, &((const struct sockaddr_in *)sa)->sin_addr, out, (socklen_t)len);
    else if (sa->sa_family == AF_INET6)
        inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)sa)->sin6_addr, out, (socklen_t)len);
}

void request_client_address(struct request *req, char *out, size_t len)
{
    peer_address(req, out, len);
    const char *proxy = config_current()->trusted_proxy;
    if (!proxy[0] || strcmp(out, proxy) != 0)
        return;
    /* Behind our proxy: the last hop it appended is the client (earlier ones are the
     * client's own claims). */
    const char *xff = MHD_lookup_connection_value(req->conn, MHD_HEADER_KIND, "X-Forwarded-For");
    if (!xff)
        return;
    const char *last = strrchr(xff, ',');
    last = last ? last + 1 : xff;
    while (*last == ' ')
        last++;
    char candidate[64];
    size_t n = strcspn(last, " ");
    if (n == 0 || n >= sizeof candidate)
        return;
    memcpy(candidate, last, n);
    candidate[n] = '\0';
    unsigned char buf[sizeof(struct in6_addr)];
    if (inet_pton(AF_INET, candidate, buf) == 1 || inet_pton(AF_INET6, candidate, buf) == 1)
        snprintf(out, len, "%s", candidate);
}
