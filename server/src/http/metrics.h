/* Request counters and latency histograms by route pattern and status, in Prometheus text
 * format. Lock-free on the request path: fixed arrays of atomics sized at start. */
#ifndef ONSHI_METRICS_H
#define ONSHI_METRICS_H

#include <stddef.h>

#include "http/request.h"
#include "util/strbuf.h"

int metrics_init(const struct route *routes, size_t nroutes);
void metrics_shutdown(void);
/* route_index -1: no route matched. */
void metrics_observe(int route_index, unsigned status, double seconds);
void metrics_count_leftover_transaction(void);
void metrics_render(struct strbuf *out);

#endif
