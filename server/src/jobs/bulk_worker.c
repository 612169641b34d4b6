#include "jobs/bulk_worker.h"

#include <stdio.h>

#include "jobs/bulk_process.h"
#include "store/bulk.h"
#include "store/db.h"
#include "store/notify.h"
#include "util/config.h"
#include "util/log.h"
#include "util/secret.h"
#include "util/worker.h"

enum { SWEEP_SECONDS = 5 };

static struct worker worker;
static struct db_options options;

/* Takes jobs until there are none. */
static void drain_queue(struct worker *w, struct db *db)
{
    while (!worker_stopping(w)) {
        char token[SECRET_TEXT_LEN + 1];
        if (secret_new_text(token) != 0)
            return;
        struct bulk_claim job;
        int rc = store_bulk_claim(db, token, config_current()->bulk_lease_seconds, &job);
        if (rc <= 0)
            return;
        log_msg(LOG_INFO, "bulk job %s claimed (attempt %d)", job.reception_number, job.attempts);
        rc = bulk_process(db, &job, token);
        bulk_claim_free(&job);
        if (rc < 0)
            return; /* the database failed: try again after a pause */
    }
}

static void worker_main(struct worker *w, void *arg)
{
    (void)arg;
    char err[256];
    struct notify_listener listener = {NULL, store_bulk_listen, 0, NULL};
    while (!worker_stopping(w)) {
        if (!listener.db && !(listener.db = db_open(&options, err, sizeof err))) {
            log_msg(LOG_WARN, "bulk worker: %s", err);
            worker_wait(w, 1000, -1);
            continue;
        }
        if (db_ensure(listener.db) != 0) {
            worker_wait(w, 1000, -1);
            continue;
        }
        /* LISTEN first, then look: a job queued in between is not missed. */
        notify_listen(&listener);
        store_bulk_purge(listener.db);
        drain_queue(w, listener.db);
        /* Until a job is queued (a notification), the sweep is due, or stop is asked. */
        if (!worker_stopping(w))
            notify_wait(&listener, w, SWEEP_SECONDS * 1000, NULL, NULL);
    }
    db_close(listener.db);
}

int bulk_worker_start(const struct db_options *opt)
{
    options = *opt;
    return worker_start(&worker, worker_main, NULL, "onshi-bulk");
}

void bulk_worker_stop(void)
{
    worker_stop(&worker);
}
