/* Table-driven configuration: defaults, then a `key = value` file, then ONSHI_<KEY>
 * environment variables. A snapshot is immutable once published; SIGHUP publishes a new one
 * in which only reloadable keys may differ. */
#ifndef ONSHI_CONFIG_H
#define ONSHI_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

/* The deepest password history password_history may ask for. */
enum { PASSWORD_HISTORY_MAX = 24 };

struct config {
    char *listen_address;
    int port;
    char *database_url;
    int http_threads;
    int connection_limit;
    int connection_timeout;
    int header_timeout;
    long body_min_rate;
    int connections_per_address;
    int connection_reserve;
    long connection_memory_limit;
    long body_limit;
    long upload_limit;
    char *environment;
    char *tls_certificate_file; /* both empty: plain HTTP */
    char *tls_key_file;
    char *public_base_url;
    char *log_level;
    char *static_dir;
    int session_idle_timeout;
    int session_lifetime;
    int token_lifetime;
    int lockout_threshold;
    int signin_queue_timeout; /* seconds; 0: no waiting for a free attempt */
    int initial_password_days;
    int password_expiry_days;
    int password_min_length;
    int password_max_length;
    int password_min_classes;
    int password_history;
    int password_hash_passes;
    long password_hash_memory;
    int hash_threads;
    int hash_queue_limit;
    char *result_key_file;
    int bulk_worker;
    int bulk_lease_seconds;
    int history_retention_months;
    int history_download_limit;
    int history_download_seconds;
    int visit_rate_limit;
    int signin_rate_limit;
    int signin_unknown_audit_limit;
    char *trusted_proxy;
    char *metrics_allow; /* address_list.h */
    char *reader_bridge_institution;
    int reader_read_timeout_ms;
    int reader_visual_seconds;
    int db_retry_limit;
    int db_connect_timeout;
    int shutdown_grace;
    int event_streams_max;
    int event_streams_per_session;
    int event_heartbeat_seconds;
};

/* Loads defaults + file (may be NULL) + environment. On failure writes a message naming the
 * key into err and returns -1. */
int config_load(const char *path, struct config *out, char *err, size_t errlen);
void config_free(struct config *c);

/* Builds the snapshot a reload publishes: non-reloadable keys from `running`, reloadable ones
 * from `fresh`. Names of non-reloadable keys that changed are written to `ignored`
 * (ignoredlen > 0). */
int config_merge_reload(const struct config *running, const struct config *fresh,
                        struct config *out, char *ignored, size_t ignoredlen);

/* The published snapshot, valid until config_shutdown(). */
const struct config *config_current(void);
/* The connection verification environment (接続検証環境), where test data exists. */
bool config_is_verification(void);
/* Publishes `c` (taken over). Older snapshots stay alive until config_shutdown(), since other
 * threads may still be reading them. */
void config_publish(struct config *c);
void config_shutdown(void);

/* Writes the commented example configuration (every key, its default and meaning). */
void config_write_example(FILE *out);

#endif
