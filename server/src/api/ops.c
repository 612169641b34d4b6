#include "api/ops.h"

#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "http/metrics.h"
#include "http/reply.h"
#include "http/static.h"
#include "jobs/event_hub.h"
#include "store/db.h"
#include "store/health.h"
#include "store/migrations.h"
#include "store/session_cache.h"
#include "util/address_list.h"
#include "util/config.h"

#ifndef ONSHI_VERSION
#define ONSHI_VERSION "dev"
#endif

enum MHD_Result api_healthz(struct request *req)
{
    return reply_json_steal(req, MHD_HTTP_OK, json_pack("{s:s}", "status", "ok"));
}

enum MHD_Result api_readyz(struct request *req)
{
    struct db *db = db_thread();
    int version = 0;
    if (!db || store_schema_version(db, &version) < 0)
        return reply_error_details(req, ERR_SERVER_UNAVAILABLE, NULL,
                                   json_pack("[{s:s}]", "reason", "database_unreachable"));
    int expected = schema_expected_version();
    if (version != expected)
        return reply_error_details(req, ERR_SERVER_UNAVAILABLE, NULL,
                                   json_pack("[{s:s, s:i, s:i}]", "reason", "schema_mismatch",
                                             "schema_version", version, "expected", expected));
    return reply_json_steal(req, MHD_HTTP_OK,
                            json_pack("{s:s, s:i}", "status", "ready", "schema_version", version));
}

/* Each named transaction's counts (store/db.h db_tx), one counter family per count: the
 * field of struct db_tx_counts at its offset. */
static const struct {
    const char *field, *help;
    size_t offset;
} tx_counters[] = {
    {"runs", "Transactions run, by name.", offsetof(struct db_tx_counts, runs)},
    {"retries", "Attempts after the first (serialization failures, deadlocks, lost connections).",
     offsetof(struct db_tx_counts, retries)},
    {"conflicts", "Retries after a serialization failure or a deadlock.",
     offsetof(struct db_tx_counts, conflicts)},
    {"failures",
     "Transactions that failed for good (hard errors, retries used up, unknown commit outcome).",
     offsetof(struct db_tx_counts, failures)},
};

struct tx_metric {
    struct strbuf *sb;
    size_t counter; /* index in tx_counters */
};

static void tx_metric_line(const char *name, const struct db_tx_counts *c, void *ctx)
{
    const struct tx_metric *m = ctx;
    unsigned long long v;
    memcpy(&v, (const char *)c + tx_counters[m->counter].offset, sizeof v);
    sb_printf(m->sb, "onshi_db_transaction_%s_total{name=\"%s\"} %llu\n",
              tx_counters[m->counter].field, name, v);
}

static void transaction_metrics(struct strbuf *sb)
{
    for (size_t i = 0; i < sizeof tx_counters / sizeof tx_counters[0]; i++) {
        const char *f = tx_counters[i].field;
        sb_printf(sb,
                  "# HELP onshi_db_transaction_%s_total %s\n# TYPE onshi_db_transaction_%s_total "
                  "counter\n",
                  f, tx_counters[i].help, f);
        struct tx_metric m = {sb, i};
        db_tx_counts_each(tx_metric_line, &m);
    }
}

enum MHD_Result api_metrics(struct request *req)
{
    /* Counters say who uses what: only the listed addresses (metrics_allow) read them. */
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(req->conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
    if (!ci || !ci->client_addr ||
        !address_list_contains(config_current()->metrics_allow, ci->client_addr))
        return reply_error(req, ERR_AUTH_FORBIDDEN, NULL);
    struct strbuf sb = {0};
    metrics_render(&sb);
    sb_printf(&sb,
              "# HELP onshi_db_connections Open PostgreSQL connections in this process.\n"
              "# TYPE onshi_db_connections gauge\nonshi_db_connections %ld\n"
              "# HELP onshi_event_streams Open live-update streams (GET /api/v1/events).\n"
              "# TYPE onshi_event_streams gauge\nonshi_event_streams %d\n"
              "# HELP onshi_session_cache_hits_total Authenticated requests whose session this "
              "onshid remembered (no lookup).\n"
              "# TYPE onshi_session_cache_hits_total counter\nonshi_session_cache_hits_total %llu\n"
              "# HELP onshi_session_cache_misses_total Authenticated requests that looked their "
              "session up.\n"
              "# TYPE onshi_session_cache_misses_total counter\nonshi_session_cache_misses_total "
              "%llu\n"
              "# HELP onshi_build_info Version and schema of this onshid.\n"
              "# TYPE onshi_build_info gauge\n"
              "onshi_build_info{version=\"%s\",schema_version=\"%d\"} 1\n",
              db_open_connections(), event_hub_streams(), session_cache_hits(),
              session_cache_misses(), ONSHI_VERSION, schema_expected_version());
    transaction_metrics(&sb);
    size_t len;
    char *text = sb_steal(&sb, &len);
    return reply_buffer(req, MHD_HTTP_OK, "text/plain; version=0.0.4; charset=utf-8", text, len);
}

enum MHD_Result api_static(struct request *req)
{
    const char *rel = request_param(req, "path");
    return static_serve(req, rel ? rel : "");
}
