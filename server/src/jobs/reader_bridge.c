#include "jobs/reader_bridge.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "api/qualifications.h"
#include "api/readers.h"
#include "reader/bridge.h"
#include "store/db.h"
#include "store/readers.h"
#include "store/settings.h"
#include "util/config.h"
#include "util/log.h"
#include "util/worker.h"

enum { HEARTBEAT_SECONDS = 3 };

static struct worker worker;
static struct bridge bridge;
static struct db_options options;
static char code[11];

struct site {
    struct db *db;
    char kind[16];
};

static void on_service(void *ctx, bool up)
{
    struct site *s = ctx;
    log_msg(up ? LOG_NOTICE : LOG_WARN, "reader bridge: PC/SC service %s", up ? "up" : "down");
    store_reader_service(s->db, code, up);
}

static void on_readers(void *ctx, char names[][BRIDGE_NAME_MAX], size_t n)
{
    struct site *s = ctx;
    for (size_t i = 0; i < n; i++)
        store_reader_seen(s->db, code, names[i]);
}

static void on_state(void *ctx, const char *reader, const char *state)
{
    struct site *s = ctx;
    store_reader_state(s->db, code, reader, state);
}

/* What the reader list shows of the last card: the read, and the check's outcome. */
static json_t *summary(const char *result, const char *serial, json_t *answer)
{
    json_t *o = json_pack("{s:s}", "result", result);
    if (serial && serial[0])
        json_object_set_new(o, "serial_number", json_string(serial));
    json_t *h = json_object_get(json_object_get(answer, "XmlMsg"), "MessageHeader");
    json_t *b = json_object_get(json_object_get(answer, "XmlMsg"), "MessageBody");
    enum { HEADER = 3 }; /* the first three keys are the header's */
    const char *keys[][2] = {{"SegmentOfResult", "segment_of_result"},
                             {"ErrorCode", "error_code"},
                             {"ErrorMessage", "error_message"},
                             {"ProcessingResultStatus", "processing_result_status"},
                             {"ProcessingResultCode", "processing_result_code"},
                             {"ProcessingResultMessage", "processing_result_message"},
                             {"QualificationValidity", "qualification_validity"}};
    for (size_t i = 0; answer && i < sizeof keys / sizeof keys[0]; i++) {
        json_t *v = json_object_get(i < HEADER ? h : b, keys[i][0]);
        if (v)
            json_object_set(o, keys[i][1], v);
    }
    return o;
}

/* A qualification shown: the reader now puts the screens 顔認証付きカードリーダー環境設定 shows
 * (within what the settings allow) to the patient, whose answers come from the reader's own
 * account (POST /api/v1/readers/{name}/answers). A screen not shown is not asked, so nothing
 * is recorded for it; the check itself records no consent. */
static void ask(struct db *db, json_t *o, json_t *answer)
{
    json_t *list = json_object_get(
        json_object_get(json_object_get(answer, "XmlMsg"), "MessageBody"), "ResultList");
    json_t *first = json_object_get(json_array_get(list, 0), "ResultOfQualificationConfirmation");
    json_t *ref = json_object_get(first, "ReferenceNumber");
    if (!json_is_string(ref))
        return;
    json_t *questions = reader_questions(db, code);
    if (!questions)
        return;
    json_object_set(o, "reference_number", ref);
    json_object_set_new(o, "questions", questions);
}

static void on_card(void *ctx, const char *reader, enum jpki_result r, const char *serial)
{
    struct site *s = ctx;
    json_t *answer = NULL;
    const char *result = jpki_result_id(r);
    if (r == JPKI_OK) {
        struct principal who = {0};
        char role[16];
        int bound = store_reader_binding(s->db, code, reader, who.user_id, role);
        /* The principal a session lookup would make: its kinds parsed once, here. */
        if (bound > 0 && role_parse(role, &who.account_role) &&
            who.account_role == ROLE_FACE_READER &&
            institution_kind_parse(s->kind, &who.inst_kind)) {
            snprintf(who.institution, sizeof who.institution, "%s", code);
            answer = qualification_card_as(s->db, &who, serial);
            result = "checked";
        } else
            result = bound < 0 ? "database_unavailable" : "not_bound";
    }
    json_t *o = summary(result, serial, answer);
    if (answer)
        ask(s->db, o, answer);
    store_reader_result(s->db, code, reader, o);
    json_decref(o);
    json_decref(answer);
}

static struct site site;

static void bridge_main(struct worker *w, void *arg)
{
    (void)arg;
    char err[256];
    while (!worker_stopping(w) && !site.db) {
        if (!(site.db = db_open(&options, err, sizeof err))) {
            log_msg(LOG_WARN, "reader bridge: %s", err);
            worker_wait(w, 1000, -1);
        }
    }
    struct settings_row row;
    if (site.db && store_settings_get(site.db, code, &row) > 0) {
        snprintf(site.kind, sizeof site.kind, "%s", row.kind);
        settings_row_free(&row);
    } else if (site.db)
        log_msg(LOG_ERROR, "reader bridge: institution %s not found", code);
    time_t beat = 0;
    bool warned = false;
    while (site.db && !worker_stopping(w)) {
        db_ensure(site.db);
        /* Stop ends the PC/SC wait (SCardCancel, from reader_bridge_stop); the bound covers
         * a stop that came just before the wait began, which SCardCancel cannot end. */
        int backoff = bridge_step(&bridge, 1000);
        if (worker_stopping(w))
            break;
        if (bridge.skipped && !warned) {
            log_msg(LOG_WARN,
                    "reader bridge: %u readers left out (more than %d, or names of "
                    "%d bytes or more)",
                    bridge.skipped, BRIDGE_MAX_READERS, BRIDGE_NAME_MAX);
            warned = true;
        }
        time_t now = time(NULL);
        if (now - beat >= HEARTBEAT_SECONDS) { /* tells others the service is up */
            beat = now;
            if (bridge.service_reported)
                store_reader_service(site.db, code, bridge.service_up);
            store_reader_visual_expire(site.db, code, config_current()->reader_visual_seconds);
        }
        if (backoff > 0) /* the service is down: its next look, unless stop comes first */
            worker_wait(w, backoff, -1);
    }
    bridge_close(&bridge);
    db_close(site.db);
}

int reader_bridge_start(const struct db_options *opt, const char *institution_code)
{
    options = *opt;
    options.prepare = true;
    snprintf(code, sizeof code, "%s", institution_code);
    memset(&site, 0, sizeof site);
    struct bridge_events ev = {on_service, on_readers, on_state, on_card, &site};
    bridge_init(&bridge, &pcsc_lite, ev, config_current()->reader_read_timeout_ms);
    return worker_start(&worker, bridge_main, NULL, "onshi-reader");
}

void reader_bridge_stop(void)
{
    /* The flag first, so the thread that comes back from a cancelled wait sees it; then the
     * wait is cancelled and a read in progress given up (its own thread, blocked on a mute
     * card, ends with the process; it touches neither the database nor the configuration). */
    if (worker_request_stop(&worker))
        bridge_cancel(&bridge);
    worker_join(&worker);
}
