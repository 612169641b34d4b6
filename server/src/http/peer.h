/* Who is on the other end of a connection: the client address as text. */
#ifndef ONSHI_HTTP_PEER_H
#define ONSHI_HTTP_PEER_H

#include <stddef.h>

#include "http/request.h"

/* The client's IPv4 or IPv6 address as text; empty when unknown. Behind trusted_proxy, the
 * address its X-Forwarded-For ends with. */
void request_client_address(struct request *req, char *out, size_t len);

#endif
