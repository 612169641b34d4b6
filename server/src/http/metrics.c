#include "http/metrics.h"

#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>

static const double buckets[] = {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05,
                                 0.1,    0.25,  0.5,    1,     2.5,  5,     10};
enum { NBUCKETS = sizeof buckets / sizeof buckets[0], STATUS_MIN = 100, STATUS_SPAN = 500 };

struct route_metrics {
    _Atomic uint64_t by_status[STATUS_SPAN];
    _Atomic uint64_t bucket[NBUCKETS + 1]; /* last: +Inf */
    _Atomic uint64_t sum_us;
};

static const struct route *table;
static size_t ntable;
static struct route_metrics *per_route; /* ntable + 1: the last slot is "unmatched" */
static _Atomic uint64_t leftover_transactions;

int metrics_init(const struct route *routes, size_t nroutes)
{
    table = routes;
    ntable = nroutes;
    per_route = calloc(nroutes + 1, sizeof *per_route);
    return per_route ? 0 : -1;
}

void metrics_shutdown(void)
{
    free(per_route);
    per_route = NULL;
}

void metrics_observe(int route_index, unsigned status, double seconds)
{
    if (!per_route)
        return;
    struct route_metrics *m = &per_route[route_index < 0 ? ntable : (size_t)route_index];
    if (status >= STATUS_MIN && status < STATUS_MIN + STATUS_SPAN)
        atomic_fetch_add_explicit(&m->by_status[status - STATUS_MIN], 1, memory_order_relaxed);
    size_t b = 0;
    while (b < NBUCKETS && seconds > buckets[b])
        b++;
    atomic_fetch_add_explicit(&m->bucket[b], 1, memory_order_relaxed);
    atomic_fetch_add_explicit(&m->sum_us, (uint64_t)(seconds * 1e6), memory_order_relaxed);
}

void metrics_count_leftover_transaction(void)
{
    atomic_fetch_add_explicit(&leftover_transactions, 1, memory_order_relaxed);
}

static void route_label(struct strbuf *out, size_t i)
{
    if (i == ntable)
        sb_puts(out, "method=\"\",route=\"unmatched\"");
    else
        sb_printf(out, "method=\"%s\",route=\"%s\"", table[i].method, table[i].pattern);
}

void metrics_render(struct strbuf *out)
{
    sb_puts(out, "# HELP onshi_http_requests_total HTTP requests by route pattern and status.\n"
                 "# TYPE onshi_http_requests_total counter\n");
    for (size_t i = 0; i <= ntable; i++)
        for (int s = 0; s < STATUS_SPAN; s++) {
            uint64_t n = atomic_load_explicit(&per_route[i].by_status[s], memory_order_relaxed);
            if (!n)
                continue;
            sb_puts(out, "onshi_http_requests_total{");
            route_label(out, i);
            sb_printf(out, ",status=\"%d\"} %llu\n", s + STATUS_MIN, (unsigned long long)n);
        }
    sb_puts(out, "# HELP onshi_http_request_duration_seconds Time from request to response "
                 "completion.\n# TYPE onshi_http_request_duration_seconds histogram\n");
    for (size_t i = 0; i <= ntable; i++) {
        uint64_t cumulative = 0;
        uint64_t counts[NBUCKETS + 1];
        for (int b = 0; b <= NBUCKETS; b++)
            cumulative += counts[b] =
                atomic_load_explicit(&per_route[i].bucket[b], memory_order_relaxed);
        if (!cumulative)
            continue;
        uint64_t running = 0;
        for (int b = 0; b <= NBUCKETS; b++) {
            running += counts[b];
            sb_puts(out, "onshi_http_request_duration_seconds_bucket{");
            route_label(out, i);
            if (b < NBUCKETS)
                sb_printf(out, ",le=\"%g\"} %llu\n", buckets[b], (unsigned long long)running);
            else
                sb_printf(out, ",le=\"+Inf\"} %llu\n", (unsigned long long)running);
        }
        sb_puts(out, "onshi_http_request_duration_seconds_sum{");
        route_label(out, i);
        sb_printf(out, "} %.6f\n", (double)atomic_load(&per_route[i].sum_us) / 1e6);
        sb_puts(out, "onshi_http_request_duration_seconds_count{");
        route_label(out, i);
        sb_printf(out, "} %llu\n", (unsigned long long)cumulative);
    }
    sb_printf(out,
              "# HELP onshi_db_leftover_transactions_total Requests that returned with a "
              "transaction still open (a bug; rolled back).\n"
              "# TYPE onshi_db_leftover_transactions_total counter\n"
              "onshi_db_leftover_transactions_total %llu\n",
              (unsigned long long)atomic_load(&leftover_transactions));
}
