#include "util/config.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "util/address_list.h"

#ifndef ONSHI_DEFAULT_STATIC_DIR
#define ONSHI_DEFAULT_STATIC_DIR "/usr/share/onshi/webui"
#endif

enum key_type { KEY_STRING, KEY_OPTIONAL, KEY_INT, KEY_SIZE, KEY_ENUM, KEY_URL, KEY_ADDRESSES };

struct config_key {
    const char *name;
    enum key_type type;
    size_t offset;
    const char *def;
    long min, max;              /* KEY_INT, KEY_SIZE */
    const char *const *choices; /* KEY_ENUM, NULL-terminated */
    bool reloadable;
    const char *doc;
};

static const char *const environments[] = {"production", "verification", NULL};
static const char *const log_levels[] = {"error", "warn", "info", "debug", NULL};

#define OFF(f) offsetof(struct config, f)
static const struct config_key keys[] = {
    {"listen_address", KEY_STRING, OFF(listen_address), "127.0.0.1", 0, 0, NULL, false,
     "IPv4 or IPv6 address to listen on."},
    {"port", KEY_INT, OFF(port), "8080", 0, 65535, NULL, false,
     "TCP port; 0 picks a free port (the 'listening' log line names it)."},
    {"database_url", KEY_STRING, OFF(database_url), "dbname=onshi", 0, 0, NULL, false,
     "libpq connection string or postgresql:// URI. Never logged."},
    {"http_threads", KEY_INT, OFF(http_threads), "0", 0, 256, NULL, false,
     "Threads in libmicrohttpd's pool, each with its own database connection; 0 = one per "
     "CPU core (more threads than cores only add context switches)."},
    {"connection_limit", KEY_INT, OFF(connection_limit), "1024", 1, 100000, NULL, false,
     "Most client connections held at once; more are refused."},
    {"connection_timeout", KEY_INT, OFF(connection_timeout), "30", 1, 3600, NULL, false,
     "Seconds an idle or stalled client connection is kept."},
    {"header_timeout", KEY_INT, OFF(header_timeout), "10", 1, 600, NULL, true,
     "Seconds a connection waiting for a request (new, or kept alive after one) has to send "
     "the request's whole head; then it is closed, however busy the client keeps it."},
    {"body_min_rate", KEY_SIZE, OFF(body_min_rate), "1024", 0, 1048576, NULL, true,
     "Bytes a second a request body must arrive at on average, after header_timeout of grace; "
     "slower uploads are closed. 0: no bound."},
    {"connections_per_address", KEY_INT, OFF(connections_per_address), "256", 1, 100000, NULL, true,
     "Most connections one client address (an IPv4 address, an IPv6 /64) holds; more go to the "
     "reserve or are refused with 503. trusted_proxy is not limited (it carries many "
     "clients)."},
    {"connection_reserve", KEY_INT, OFF(connection_reserve), "32", 0, 10000, NULL, false,
     "Connections taken beyond connection_limit or an address's share (one address a quarter "
     "of them): a request on one is served only for /healthz, /readyz or a signed-in caller, "
     "others get 503 server.busy."},
    {"connection_memory_limit", KEY_SIZE, OFF(connection_memory_limit), "12288", 8192, 16777216,
     NULL, false,
     "Bytes libmicrohttpd may use per connection for headers and buffers: a request's headers "
     "get about half (bodies stream through it). Every open live-update stream keeps about "
     "this much resident, so raise it only for clients with very long headers."},
    {"body_limit", KEY_SIZE, OFF(body_limit), "65536", 1024, 67108864, NULL, true,
     "Largest JSON request body in bytes; larger bodies get 413."},
    {"upload_limit", KEY_SIZE, OFF(upload_limit), "6291456", 1024, 268435456, NULL, true,
     "Largest file upload body in bytes (CSV files of at most 5 MiB plus multipart framing)."},
    {"environment", KEY_ENUM, OFF(environment), "production", 0, 0, environments, false,
     "production or verification (接続検証環境: test data is offered only there)."},
    {"tls_certificate_file", KEY_OPTIONAL, OFF(tls_certificate_file), "", 0, 0, NULL, false,
     "PEM file with this server's certificate and then its chain: onshid serves HTTPS (TLS 1.2 "
     "and 1.3 only) instead of HTTP. Both files are read again on SIGHUP, so a renewed "
     "certificate needs no restart. Empty: plain HTTP (behind a proxy that terminates TLS)."},
    {"tls_key_file", KEY_OPTIONAL, OFF(tls_key_file), "", 0, 0, NULL, false,
     "PEM file with the private key of tls_certificate_file (readable by onshid only)."},
    {"public_base_url", KEY_URL, OFF(public_base_url), "http://localhost:8080", 0, 0, NULL, true,
     "Base URL patients and browsers use to reach this service (for visit URLs and QR codes)."},
    {"log_level", KEY_ENUM, OFF(log_level), "info", 0, 0, log_levels, true,
     "error, warn, info or debug. One line per request is logged at info."},
    {"static_dir", KEY_STRING, OFF(static_dir), ONSHI_DEFAULT_STATIC_DIR, 0, 0, NULL, false,
     "Directory whose files are served at / (the admin console)."},
    {"session_idle_timeout", KEY_INT, OFF(session_idle_timeout), "1800", 60, 86400, NULL, true,
     "Seconds of inactivity after which a browser session ends."},
    {"session_lifetime", KEY_INT, OFF(session_lifetime), "43200", 300, 604800, NULL, true,
     "Seconds after sign-in at which a browser session or token ends, active or not."},
    {"token_lifetime", KEY_INT, OFF(token_lifetime), "86400", 300, 2592000, NULL, true,
     "Seconds a bearer token from POST /api/v1/tokens stays valid."},
    {"lockout_threshold", KEY_INT, OFF(lockout_threshold), "5", 1, 100, NULL, true,
     "Consecutive failed sign-ins that lock an account (アカウントロック)."},
    {"signin_queue_timeout", KEY_INT, OFF(signin_queue_timeout), "10", 0, 300, NULL, true,
     "Seconds a sign-in waits for one of its account's lockout_threshold attempts while "
     "password checks in flight hold them all (several machines signing in with one account "
     "at the same moment), instead of being refused: it looks again whenever a check of the "
     "account ends here and at least every 50 ms (for checks on other nodes). A locked account "
     "is refused at once. At most 8 sign-ins per hashing worker (and half of "
     "hash_queue_limit) wait at once; more are refused. 0: refused at once."},
    {"initial_password_days", KEY_INT, OFF(initial_password_days), "30", 1, 365, NULL, true,
     "Days an initial password may be used for the first sign-in."},
    {"password_expiry_days", KEY_INT, OFF(password_expiry_days), "90", 1, 3650, NULL, true,
     "Days after which people's chosen passwords must be changed (system accounts' never)."},
    {"password_min_length", KEY_INT, OFF(password_min_length), "8", 1, 128, NULL, true,
     "Fewest characters of a password people choose (the manual: 8)."},
    {"password_max_length", KEY_INT, OFF(password_max_length), "64", 1, 128, NULL, true,
     "Most characters of a password people choose (at least password_min_length)."},
    {"password_min_classes", KEY_INT, OFF(password_min_classes), "3", 1, 4, NULL, true,
     "Fewest of the four character classes (upper case, lower case, digits, symbols) a chosen "
     "password mixes (the manual: 3; at most password_min_length)."},
    {"password_history", KEY_INT, OFF(password_history), "3", 1, PASSWORD_HISTORY_MAX, NULL, true,
     "A new password may not be one of the account's last this many (the current one "
     "included)."},
    {"password_hash_passes", KEY_INT, OFF(password_hash_passes), "2", 1, 16, NULL, true,
     "argon2id passes (t) for chosen passwords. Stored hashes carry their own parameters; a "
     "hash made with others is redone at the account's next successful sign-in."},
    {"password_hash_memory", KEY_SIZE, OFF(password_hash_memory), "67108864", 8388608, 1073741824,
     NULL, true,
     "argon2id memory in bytes for chosen passwords (every hashing worker may use this much)."},
    {"hash_threads", KEY_INT, OFF(hash_threads), "0", 0, 64, NULL, false,
     "Workers for password hashing (each with a thread in the onshid-hash helper process) and "
     "other blocking work such as PDF drawing; 0 = one per CPU core."},
    {"hash_queue_limit", KEY_INT, OFF(hash_queue_limit), "256", 1, 100000, NULL, false,
     "Jobs that may wait for a hashing worker; beyond that requests get 503 server.busy."},
    {"result_key_file", KEY_OPTIONAL, OFF(result_key_file), "", 0, 0, NULL, false,
     "File with the 64 hex digits of the AES-256 key that encrypts bulk registration results "
     "(they hold initial passwords): 'openssl rand -hex 32 > FILE'. Empty: bulk registration "
     "is unavailable."},
    {"bulk_worker", KEY_INT, OFF(bulk_worker), "1", 0, 1, NULL, false,
     "1: this onshid processes bulk registration jobs; 0: it only accepts them (another onshid "
     "sharing the database processes them)."},
    {"bulk_lease_seconds", KEY_INT, OFF(bulk_lease_seconds), "120", 10, 3600, NULL, true,
     "Seconds a worker holds a bulk job; a job left processing longer by a process that died "
     "is taken over."},
    {"history_retention_months", KEY_INT, OFF(history_retention_months), "60", 1, 1200, NULL, true,
     "Months of qualification-check and medical-information-view history kept; older months "
     "are dropped as whole partitions (checked hourly)."},
    {"history_download_limit", KEY_INT, OFF(history_download_limit), "8", 1, 256, NULL, true,
     "History CSV downloads streaming at once (each holds a database connection); one "
     "institution may hold half of them and one account a quarter (at least one); beyond that "
     "requests get 503 server.busy. A client that stops reading is closed after "
     "connection_timeout."},
    {"history_download_seconds", KEY_INT, OFF(history_download_seconds), "300", 10, 86400, NULL,
     true,
     "Longest a history CSV download may take, its query included; a slower one is cut off "
     "(it would hold a database connection and an old snapshot)."},
    {"reader_bridge_institution", KEY_OPTIONAL, OFF(reader_bridge_institution), "", 0, 0, NULL,
     false,
     "Institution code of this site's face-authentication card readers: this onshid runs the "
     "reader bridge (PC/SC through pcscd) for it. Empty: no bridge here."},
    {"reader_read_timeout_ms", KEY_INT, OFF(reader_read_timeout_ms), "3000", 500, 60000, NULL,
     false, "Milliseconds a card has to answer the whole read; a slower one is reported mute."},
    {"reader_visual_seconds", KEY_INT, OFF(reader_visual_seconds), "600", 10, 86400, NULL, true,
     "Seconds after which a reader left in 目視確認モード goes back to unattended by itself (it "
     "also does after the next card)."},
    {"metrics_allow", KEY_ADDRESSES, OFF(metrics_allow), "127.0.0.1, ::1", 0, 0, NULL, true,
     "Client addresses or prefixes (comma-separated, e.g. 127.0.0.1, 10.0.0.0/8, fd00::/8) that "
     "may read /metrics, judged by the connection's own address (never X-Forwarded-For); others "
     "get 403 auth.forbidden. Empty: nobody."},
    {"trusted_proxy", KEY_OPTIONAL, OFF(trusted_proxy), "", 0, 0, NULL, true,
     "Address of the reverse proxy in front of onshid (e.g. 127.0.0.1). Requests from it are "
     "taken to come from the last address its X-Forwarded-For names (rate limits, audit). "
     "Empty: the connection's address counts."},
    {"visit_rate_limit", KEY_INT, OFF(visit_rate_limit), "30", 1, 100000, NULL, true,
     "Requests a minute each client address may make to the public patient pages (/visit/...), "
     "in bursts of as many; beyond that 429."},
    {"signin_rate_limit", KEY_INT, OFF(signin_rate_limit), "120", 1, 100000, NULL, true,
     "Sign-ins (POST /session, /tokens) a minute each client address (an IPv6 /64) may "
     "attempt, in bursts of as many; beyond that 429 auth.rate_limited before any password "
     "is checked. Behind a proxy, set trusted_proxy."},
    {"signin_unknown_audit_limit", KEY_INT, OFF(signin_unknown_audit_limit), "60", 1, 100000, NULL,
     true,
     "Failed sign-ins with an unknown user ID written to an institution's audit a minute (per "
     "onshid); beyond that they are counted in the log, so a spray of made-up IDs cannot grow "
     "the audit without bound."},
    {"db_retry_limit", KEY_INT, OFF(db_retry_limit), "3", 0, 20, NULL, true,
     "Times a transaction is retried after a serialization failure, deadlock or lost connection."},
    {"db_connect_timeout", KEY_INT, OFF(db_connect_timeout), "5", 1, 300, NULL, false,
     "Seconds to wait when connecting to PostgreSQL (unless database_url sets connect_timeout)."},
    {"shutdown_grace", KEY_INT, OFF(shutdown_grace), "10", 0, 600, NULL, true,
     "Seconds SIGTERM waits for in-flight requests before closing connections."},
    {"event_streams_max", KEY_INT, OFF(event_streams_max), "512", 0, 100000, NULL, true,
     "Most live-update streams (GET /api/v1/events) this process holds; each holds a "
     "connection, so keep it well below connection_limit. Lowered by a reload, the newest "
     "streams close."},
    {"event_streams_per_session", KEY_INT, OFF(event_streams_per_session), "8", 1, 100, NULL, true,
     "Most live-update streams one session or token may hold (one per browser tab)."},
    {"event_heartbeat_seconds", KEY_INT, OFF(event_heartbeat_seconds), "20", 1, 300, NULL, true,
     "Seconds between heartbeat comments on an idle live-update stream."},
};
#undef OFF
enum { NKEYS = sizeof keys / sizeof keys[0] };

static char *str_field(struct config *c, const struct config_key *k)
{
    return *(char **)((char *)c + k->offset);
}

static void trim(char **s, char **end)
{
    while (*s < *end && isspace((unsigned char)**s))
        (*s)++;
    while (*end > *s && isspace((unsigned char)(*end)[-1]))
        (*end)--;
}

/* Parses `value` for key `k` into `c`. Returns 0, or -1 with a message. */
static int set_value(struct config *c, const struct config_key *k, const char *value,
                     const char *origin, char *err, size_t errlen)
{
    void *slot = (char *)c + k->offset;
    switch (k->type) {
    case KEY_INT:
    case KEY_SIZE: {
        errno = 0;
        char *end;
        long v = strtol(value, &end, 10);
        if (errno || end == value || *end || v < k->min || v > k->max) {
            snprintf(err, errlen, "%s: %s must be an integer from %ld to %ld (got '%s')", origin,
                     k->name, k->min, k->max, value);
            return -1;
        }
        if (k->type == KEY_INT)
            *(int *)slot = (int)v;
        else
            *(long *)slot = v;
        return 0;
    }
    case KEY_ENUM: {
        bool ok = false;
        for (const char *const *ch = k->choices; *ch; ch++)
            ok |= strcmp(*ch, value) == 0;
        if (!ok) {
            char list[128] = "";
            for (const char *const *ch = k->choices; *ch; ch++) {
                strncat(list, *ch, sizeof list - strlen(list) - 1);
                if (ch[1])
                    strncat(list, ", ", sizeof list - strlen(list) - 1);
            }
            snprintf(err, errlen, "%s: %s must be one of %s (got '%s')", origin, k->name, list,
                     value);
            return -1;
        }
        break;
    }
    case KEY_URL:
        /* At most 200 characters: URLs built on it (QR codes, sheets) must never be cut. */
        if ((strncmp(value, "http://", 7) != 0 && strncmp(value, "https://", 8) != 0) ||
            strchr(value, ' ') || value[strlen(value) - 1] == '/' || strlen(value) > 200) {
            snprintf(err, errlen,
                     "%s: %s must be an http:// or https:// URL of at most 200 characters "
                     "without a trailing slash (got '%.64s%s')",
                     origin, k->name, value, strlen(value) > 64 ? "…" : "");
            return -1;
        }
        break;
    case KEY_STRING:
        if (!*value) {
            snprintf(err, errlen, "%s: %s must not be empty", origin, k->name);
            return -1;
        }
        break;
    case KEY_ADDRESSES:
        if (!address_list_valid(value)) {
            snprintf(err, errlen,
                     "%s: %s must list IPv4 or IPv6 addresses, each optionally with /prefix, "
                     "separated by commas (got '%.64s')",
                     origin, k->name, value);
            return -1;
        }
        break;
    case KEY_OPTIONAL:
        break;
    }
    char *copy = strdup(value);
    if (!copy) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    free(*(char **)slot);
    *(char **)slot = copy;
    return 0;
}

static const struct config_key *find_key(const char *name, size_t len)
{
    for (size_t i = 0; i < NKEYS; i++)
        if (strlen(keys[i].name) == len && strncmp(keys[i].name, name, len) == 0)
            return &keys[i];
    return NULL;
}

static int load_file(const char *path, struct config *c, char *err, size_t errlen)
{
    FILE *f = fopen(path, "r");
    if (!f) {
        snprintf(err, errlen, "%s: cannot open: %s", path, strerror(errno));
        return -1;
    }
    char line[4096];
    bool seen[NKEYS] = {false};
    int lineno = 0, rc = 0;
    while (rc == 0 && fgets(line, sizeof line, f)) {
        lineno++;
        char origin[300];
        snprintf(origin, sizeof origin, "%s:%d", path, lineno);
        size_t len = strlen(line);
        if (len == sizeof line - 1 && line[len - 1] != '\n') {
            snprintf(err, errlen, "%s: line too long", origin);
            rc = -1;
            break;
        }
        char *s = line, *end = line + len;
        trim(&s, &end);
        if (s == end || *s == '#')
            continue;
        char *eq = memchr(s, '=', (size_t)(end - s));
        if (!eq) {
            snprintf(err, errlen, "%s: expected 'key = value'", origin);
            rc = -1;
            break;
        }
        char *kend = eq, *v = eq + 1;
        trim(&s, &kend);
        trim(&v, &end);
        if (end - v >= 2 && *v == '"' && end[-1] == '"') {
            v++;
            end--;
        }
        *end = '\0';
        const struct config_key *k = find_key(s, (size_t)(kend - s));
        if (!k) {
            snprintf(err, errlen, "%s: unknown key '%.*s'", origin, (int)(kend - s), s);
            rc = -1;
        } else if (seen[k - keys]) {
            snprintf(err, errlen, "%s: key '%s' is set twice", origin, k->name);
            rc = -1;
        } else {
            seen[k - keys] = true;
            rc = set_value(c, k, v, origin, err, errlen);
        }
    }
    fclose(f);
    return rc;
}

extern char **environ;

static int load_env(struct config *c, char *err, size_t errlen)
{
    for (char **e = environ; *e; e++) {
        if (strncmp(*e, "ONSHI_", 6) != 0)
            continue;
        const char *name = *e + 6, *eq = strchr(name, '=');
        if (!eq)
            continue;
        char lower[64];
        size_t n = (size_t)(eq - name);
        if (n >= sizeof lower)
            n = sizeof lower - 1;
        for (size_t i = 0; i < n; i++)
            lower[i] = (char)tolower((unsigned char)name[i]);
        lower[n] = '\0';
        const struct config_key *k = find_key(lower, n);
        if (!k) {
            snprintf(err, errlen, "environment: unknown variable ONSHI_%.*s", (int)n, name);
            return -1;
        }
        char origin[96];
        snprintf(origin, sizeof origin, "environment ONSHI_%.*s", (int)n, name);
        if (set_value(c, k, eq + 1, origin, err, errlen) != 0)
            return -1;
    }
    return 0;
}

/* Rules across keys: values each valid alone that no one could live with together. */
static int check_coherent(const struct config *c, char *err, size_t errlen)
{
    if (!c->tls_certificate_file[0] != !c->tls_key_file[0]) {
        snprintf(err, errlen,
                 "tls_certificate_file and tls_key_file go together: set both or "
                 "neither");
        return -1;
    }
    if (c->password_min_length > c->password_max_length) {
        snprintf(err, errlen,
                 "password_min_length (%d) is above password_max_length (%d): no password "
                 "could be chosen",
                 c->password_min_length, c->password_max_length);
        return -1;
    }
    if (c->password_min_classes > c->password_max_length) {
        snprintf(err, errlen,
                 "password_min_classes (%d) cannot be met within password_max_length (%d) "
                 "characters",
                 c->password_min_classes, c->password_max_length);
        return -1;
    }
    return 0;
}

int config_load(const char *path, struct config *out, char *err, size_t errlen)
{
    memset(out, 0, sizeof *out);
    for (size_t i = 0; i < NKEYS; i++)
        if (set_value(out, &keys[i], keys[i].def, "default", err, errlen) != 0)
            goto fail;
    if (path && load_file(path, out, err, errlen) != 0)
        goto fail;
    if (load_env(out, err, errlen) != 0 || check_coherent(out, err, errlen) != 0)
        goto fail;
    return 0;
fail:
    config_free(out);
    return -1;
}

static bool is_string_key(const struct config_key *k)
{
    return k->type == KEY_STRING || k->type == KEY_OPTIONAL || k->type == KEY_ENUM ||
           k->type == KEY_URL || k->type == KEY_ADDRESSES;
}

void config_free(struct config *c)
{
    for (size_t i = 0; i < NKEYS; i++)
        if (is_string_key(&keys[i])) {
            free(str_field(c, &keys[i]));
            *(char **)((char *)c + keys[i].offset) = NULL;
        }
}

static bool same_value(const struct config *a, const struct config *b, const struct config_key *k)
{
    const char *pa = (const char *)a + k->offset, *pb = (const char *)b + k->offset;
    switch (k->type) {
    case KEY_INT:
        return *(const int *)pa == *(const int *)pb;
    case KEY_SIZE:
        return *(const long *)pa == *(const long *)pb;
    default:
        return strcmp(*(char *const *)pa, *(char *const *)pb) == 0;
    }
}

int config_merge_reload(const struct config *running, const struct config *fresh,
                        struct config *out, char *ignored, size_t ignoredlen)
{
    memset(out, 0, sizeof *out);
    ignored[0] = '\0';
    for (size_t i = 0; i < NKEYS; i++) {
        const struct config_key *k = &keys[i];
        const struct config *src = k->reloadable ? fresh : running;
        if (!k->reloadable && !same_value(running, fresh, k)) {
            if (ignored[0])
                strncat(ignored, ", ", ignoredlen - strlen(ignored) - 1);
            strncat(ignored, k->name, ignoredlen - strlen(ignored) - 1);
        }
        const char *from = (const char *)src + k->offset;
        char *to = (char *)out + k->offset;
        if (is_string_key(k)) {
            char *copy = strdup(*(char *const *)from);
            if (!copy) {
                config_free(out);
                return -1;
            }
            *(char **)to = copy;
        } else {
            memcpy(to, from, k->type == KEY_INT ? sizeof(int) : sizeof(long));
        }
    }
    return 0;
}

/* Published snapshots form a list; only the head is current. */
struct snapshot {
    struct config cfg;
    struct snapshot *older;
};
static _Atomic(struct snapshot *) head;
static pthread_mutex_t publish_lock = PTHREAD_MUTEX_INITIALIZER;

const struct config *config_current(void)
{
    struct snapshot *s = atomic_load_explicit(&head, memory_order_acquire);
    return s ? &s->cfg : NULL;
}

bool config_is_verification(void)
{
    return strcmp(config_current()->environment, "verification") == 0;
}

void config_publish(struct config *c)
{
    struct snapshot *s = malloc(sizeof *s);
    if (!s)
        abort();
    s->cfg = *c;
    memset(c, 0, sizeof *c);
    pthread_mutex_lock(&publish_lock);
    s->older = atomic_load(&head);
    atomic_store_explicit(&head, s, memory_order_release);
    pthread_mutex_unlock(&publish_lock);
}

void config_shutdown(void)
{
    pthread_mutex_lock(&publish_lock);
    struct snapshot *s = atomic_exchange(&head, NULL);
    pthread_mutex_unlock(&publish_lock);
    while (s) {
        struct snapshot *older = s->older;
        config_free(&s->cfg);
        free(s);
        s = older;
    }
}

void config_write_example(FILE *out)
{
    fputs("# onshid configuration. Every key is optional; the value shown is the default.\n"
          "# Each key can also be set by an environment variable ONSHI_<KEY> (upper case),\n"
          "# which wins over this file. Keys marked 'reloadable' take effect on SIGHUP;\n"
          "# the others need a restart.\n",
          out);
    for (size_t i = 0; i < NKEYS; i++) {
        const struct config_key *k = &keys[i];
        fprintf(out, "\n# %s%s\n", k->doc, k->reloadable ? " (reloadable)" : "");
        fprintf(out, "# %s = %s\n", k->name, k->def);
    }
}
