/* onshid: configuration → schema check → the subsystems of one table, started in order
 * (background threads, HTTP server, …) → wait for a signal → stopped in reverse. */
#include <getopt.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <systemd/sd-daemon.h>
#include <time.h>
#include <unistd.h>

#include "api/auth.h"
#include "api/bulk_jobs.h"
#include "api/routes.h"
#include "http/server.h"
#include "http/static.h"
#include "http/tls.h"
#include "jobs/bulk_worker.h"
#include "jobs/event_hub.h"
#include "jobs/history_maintenance.h"
#include "jobs/reader_bridge.h"
#include "render/pdf.h"
#include "store/db.h"
#include "store/migrations.h"
#include "util/config.h"
#include "util/hash_pool.h"
#include "util/log.h"
#include "util/password_hash.h"
#include "util/sealed.h"

#ifndef ONSHI_VERSION
#define ONSHI_VERSION "dev"
#endif

/* Exit codes, for scripts and service managers. */
enum {
    EXIT_OK = 0,
    EXIT_USAGE = 2,
    EXIT_CONFIG = 3,
    EXIT_DATABASE = 4,
    EXIT_SCHEMA = 5,
    EXIT_LISTEN = 6,
};

static void usage(FILE *out)
{
    fputs("usage: onshid [--config FILE] [--check-config] [--print-config-example]\n"
          "              [--print-routes] [--version]\n"
          "  --config FILE            read settings from FILE (ONSHI_* variables override)\n"
          "  --check-config           validate the configuration and exit\n"
          "  --print-config-example   print every key with its default and meaning\n"
          "  --print-routes           print the route table (METHOD PATTERN per line)\n"
          "exit codes: 0 ok, 2 usage, 3 configuration, 4 database unreachable,\n"
          "            5 schema version mismatch, 6 cannot listen\n",
          out);
}

static int cpu_count(void)
{
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    return n < 1 ? 1 : n > 256 ? 256 : (int)n;
}

static void apply_log_level(const struct config *c)
{
    enum log_level level;
    if (log_level_parse(c->log_level, &level) == 0)
        log_set_level(level);
}

static int check_schema(const struct config *c)
{
    char err[1024];
    struct db_options opt = {c->database_url, c->db_connect_timeout, false};
    struct db *db = db_open(&opt, err, sizeof err);
    if (!db) {
        log_msg(LOG_ERROR, "%s", err);
        return EXIT_DATABASE;
    }
    int rc = schema_check_current(db, err, sizeof err);
    db_close(db);
    if (rc != 0) {
        log_msg(LOG_ERROR, "%s", err);
        return EXIT_SCHEMA;
    }
    return EXIT_OK;
}

static void reload(const char *path)
{
    struct config fresh, merged;
    char err[512], ignored[512];
    if (config_load(path, &fresh, err, sizeof err) != 0) {
        log_msg(LOG_ERROR, "reload refused, keeping the running configuration: %s", err);
        return;
    }
    int rc = config_merge_reload(config_current(), &fresh, &merged, ignored, sizeof ignored);
    config_free(&fresh);
    if (rc != 0) {
        log_msg(LOG_ERROR, "reload failed: out of memory");
        return;
    }
    if (ignored[0])
        log_msg(LOG_WARN, "reload: restart to apply changes to %s", ignored);
    config_publish(&merged);
    apply_log_level(config_current());
    event_hub_reload();
    /* A renewed certificate: the next handshake gets it. A broken one keeps the old. */
    const struct config *c = config_current();
    char tls_err[512];
    if (tls_enabled() &&
        tls_load(c->tls_certificate_file, c->tls_key_file, tls_err, sizeof tls_err) != 0)
        log_msg(LOG_ERROR, "reload: keeping the certificate served so far: %s", tls_err);
    log_msg(LOG_NOTICE, "configuration reloaded");
}

/* SIGHUP, SIGTERM and SIGINT: blocked in every thread, taken by main's sigwait (and by the
 * drain, where a second one stops at once). */
static sigset_t signals;

/* Lets in-flight requests finish (bounded by shutdown_grace), then stops the server.
 * A second SIGTERM or SIGINT while draining stops at once. */
static void drain_and_stop(void)
{
    http_server_quiesce();
    /* Streams never finish by themselves: they end now, after what is queued on them. */
    event_hub_close_all();
    int grace_ms = config_current()->shutdown_grace * 1000;
    const struct timespec tick = {0, 10 * 1000 * 1000};
    /* Done once nothing has been in flight for 50 ms: connections accepted just before the
     * listener closed may still be sending their request (they get 503 and close). */
    int quiet = 0;
    for (int waited = 0; quiet < 5 && waited < grace_ms; waited += 10) {
        quiet = http_server_inflight() > 0 ? 0 : quiet + 1;
        int sig = sigtimedwait(&signals, NULL, &tick);
        if (sig == SIGTERM || sig == SIGINT) {
            log_msg(LOG_WARN, "second signal: not waiting for in-flight requests");
            break;
        }
    }
    int left = http_server_inflight();
    if (left > 0)
        log_msg(LOG_WARN, "closing %d unfinished requests", left);
    http_server_stop();
}

/* What the subsystems start from. */
struct run {
    const struct config *c;
    struct db_options dbo;
    char err[1024]; /* a start's own reason for failing; "" for the generic message */
};

static int start_result_key(struct run *r)
{
    const struct config *c = r->c;
    if (c->result_key_file[0] && sealed_key_load(c->result_key_file, r->err, sizeof r->err) != 0)
        return -1;
    if (!c->result_key_file[0])
        log_msg(LOG_WARN, "result_key_file is not set: bulk registration is unavailable");
    /* Without the key a worker could not seal results: it would fail other nodes' jobs. */
    if (c->bulk_worker && !sealed_key_ready())
        log_msg(LOG_WARN, "bulk_worker is 1 but there is no result_key_file: no worker here");
    return 0;
}

static int start_tls(struct run *r)
{
    const struct config *c = r->c;
    if (!c->tls_certificate_file[0])
        return 0;
    return tls_load(c->tls_certificate_file, c->tls_key_file, r->err, sizeof r->err);
}

static int start_static(struct run *r)
{
    if (static_init(r->c->static_dir) != 0)
        log_msg(LOG_WARN, "static_dir %s is not a readable directory; / answers 404",
                r->c->static_dir);
    return 0;
}

static int start_pdf(struct run *r)
{
    (void)r;
    if (!pdf_fonts_available())
        log_msg(LOG_WARN,
                "font %s is not installed (Debian: fonts-ipaexfont-gothic); PDF "
                "sheets will show no Japanese text",
                PDF_FONT_JA);
    return 0;
}

static int start_bulk_worker(struct run *r)
{
    return r->c->bulk_worker && sealed_key_ready() ? bulk_worker_start(&r->dbo) : 0;
}

static int start_history(struct run *r)
{
    return history_maintenance_start(&r->dbo);
}

static int start_event_hub(struct run *r)
{
    return event_hub_start(&r->dbo, &bulk_job_present);
}

static int hash_workers(const struct config *c)
{
    return c->hash_threads ? c->hash_threads : cpu_count();
}

static int start_hash_pool(struct run *r)
{
    hash_pool_start("/proc/self/exe", hash_workers(r->c));
    /* Builds the dummy hash now (in the helper, through the first workers' channel, before
     * that worker exists), so the first unknown-ID sign-in is not slower than others. */
    hash_pool_attach(0);
    struct argon2_params params = argon2_params_configured(r->c);
    password_verify_dummy(&params);
    hash_pool_attach(-1);
    return 0; /* without the helper, hashing happens in onshid */
}

static int start_http(struct run *r)
{
    const struct config *c = r->c;
    struct http_server_options ho = {
        .routes = api_routes,
        .nroutes = api_routes_count,
        .listen_address = c->listen_address,
        .port = c->port,
        .threads = c->http_threads ? c->http_threads : cpu_count(),
        .connection_limit = c->connection_limit,
        .connection_timeout = c->connection_timeout,
        .connection_memory_limit = c->connection_memory_limit,
        .defer_threads = hash_workers(c),
        .defer_queue_limit = c->hash_queue_limit,
        .authenticate = api_authenticate,
        .tls = tls_enabled(),
    };
    if (http_server_start(&ho, r->err, sizeof r->err) != 0)
        return -1;
    log_event(LOG_NOTICE, "listening",
              json_pack("{s:s, s:i, s:i, s:s, s:i, s:s}", "address", c->listen_address, "port",
                        http_server_port(), "http_threads", ho.threads, "environment",
                        c->environment, "schema_version", schema_expected_version(), "version",
                        ONSHI_VERSION));
    return 0;
}

static int start_reader_bridge(struct run *r)
{
    const char *code = r->c->reader_bridge_institution;
    return code[0] ? reader_bridge_start(&r->dbo, code) : 0;
}

struct subsystem {
    const char *name; /* "cannot start the …" */
    int (*start)(struct run *r);
    void (*stop)(void); /* also when its start did nothing (not configured) */
    int exit_code;      /* when it cannot start */
};

/* Started in this order and stopped in the reverse one: each stops before what it uses. */
static const struct subsystem subsystems[] = {
    {"result key", start_result_key, sealed_key_forget, EXIT_CONFIG},
    {"TLS certificate", start_tls, tls_shutdown, EXIT_CONFIG},
    {"static files", start_static, static_shutdown, EXIT_CONFIG},
    {"PDF fonts", start_pdf, pdf_shutdown, EXIT_CONFIG},
    {"bulk registration worker", start_bulk_worker, bulk_worker_stop, EXIT_CONFIG},
    {"history maintenance thread", start_history, history_maintenance_stop, EXIT_CONFIG},
    {"live-update hub", start_event_hub, event_hub_stop, EXIT_CONFIG},
    {"password hashing helper", start_hash_pool, hash_pool_stop, EXIT_CONFIG},
    {"HTTP server", start_http, drain_and_stop, EXIT_LISTEN},
    /* Last, so it stops first: a card read never delays the rest of the shutdown. */
    {"reader bridge", start_reader_bridge, reader_bridge_stop, EXIT_CONFIG},
};
enum { NSUBSYSTEMS = sizeof subsystems / sizeof subsystems[0] };

static void stop_subsystems(size_t started)
{
    while (started > 0)
        subsystems[--started].stop();
}

/* EXIT_OK with every subsystem started; otherwise those started are stopped again. */
static int start_subsystems(struct run *r)
{
    for (size_t i = 0; i < NSUBSYSTEMS; i++) {
        r->err[0] = '\0';
        if (subsystems[i].start(r) == 0)
            continue;
        if (r->err[0])
            log_msg(LOG_ERROR, "%s", r->err);
        else
            log_msg(LOG_ERROR, "cannot start the %s", subsystems[i].name);
        stop_subsystems(i);
        return subsystems[i].exit_code;
    }
    return EXIT_OK;
}

int main(int argc, char **argv)
{
    /* onshid re-executed as its own password hashing helper (util/hash_pool.h). */
    if (argc == 3 && strcmp(argv[1], "--hash-worker") == 0)
        return password_hash_worker_main((int)strtol(argv[2], NULL, 10));
    const char *config_path = NULL;
    bool check_only = false;
    static const struct option longopts[] = {
        {"config", required_argument, NULL, 'c'},
        {"check-config", no_argument, NULL, 'k'},
        {"print-config-example", no_argument, NULL, 'p'},
        {"print-routes", no_argument, NULL, 'r'},
        {"version", no_argument, NULL, 'v'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    int ch;
    while ((ch = getopt_long(argc, argv, "c:h", longopts, NULL)) != -1) {
        switch (ch) {
        case 'c':
            config_path = optarg;
            break;
        case 'k':
            check_only = true;
            break;
        case 'p':
            config_write_example(stdout);
            return EXIT_OK;
        case 'r':
            for (size_t i = 0; i < api_routes_count; i++)
                printf("%s %s\n", api_routes[i].method, api_routes[i].pattern);
            return EXIT_OK;
        case 'v':
            printf("onshid %s (schema %d)\n", ONSHI_VERSION, schema_expected_version());
            return EXIT_OK;
        case 'h':
            usage(stdout);
            return EXIT_OK;
        default:
            usage(stderr);
            return EXIT_USAGE;
        }
    }
    if (optind != argc) {
        usage(stderr);
        return EXIT_USAGE;
    }

    struct config cfg;
    char err[1024];
    if (config_load(config_path, &cfg, err, sizeof err) != 0) {
        fprintf(stderr, "onshid: configuration error: %s\n", err);
        return EXIT_CONFIG;
    }
    if (check_only) {
        config_free(&cfg);
        printf("configuration ok\n");
        return EXIT_OK;
    }
    if (password_hash_init() != 0) {
        fprintf(stderr, "onshid: libsodium could not be initialised\n");
        config_free(&cfg);
        return EXIT_CONFIG;
    }
    config_publish(&cfg);
    const struct config *c = config_current();
    apply_log_level(c);

    /* Signals are taken synchronously by this thread; every thread started below inherits
     * the mask, so none of them is interrupted. */
    sigemptyset(&signals);
    sigaddset(&signals, SIGHUP);
    sigaddset(&signals, SIGTERM);
    sigaddset(&signals, SIGINT);
    pthread_sigmask(SIG_BLOCK, &signals, NULL);
    signal(SIGPIPE, SIG_IGN);

    int rc = check_schema(c);
    if (rc != EXIT_OK) {
        config_shutdown();
        return rc;
    }
    struct run run = {c, {c->database_url, c->db_connect_timeout, true}, ""};
    db_thread_configure(&run.dbo);
    rc = start_subsystems(&run);
    if (rc != EXIT_OK) {
        config_shutdown();
        return rc;
    }

    /* systemd (Type=notify) counts onshid started from here; without NOTIFY_SOCKET these
     * calls do nothing. */
    sd_notify(0, "READY=1\nSTATUS=serving");
    for (;;) {
        int sig;
        if (sigwait(&signals, &sig) != 0)
            continue;
        if (sig == SIGHUP) {
            sd_notify(0, "RELOADING=1");
            reload(config_path);
            sd_notify(0, "READY=1\nSTATUS=serving");
            continue;
        }
        log_msg(LOG_NOTICE, "received %s; draining", sig == SIGTERM ? "SIGTERM" : "SIGINT");
        sd_notify(0, "STOPPING=1\nSTATUS=draining");
        break;
    }
    stop_subsystems(NSUBSYSTEMS);
    log_msg(LOG_NOTICE, "stopped");
    config_shutdown();
    return EXIT_OK;
}
