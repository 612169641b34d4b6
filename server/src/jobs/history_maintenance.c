#include "jobs/history_maintenance.h"

#include <stdbool.h>

#include "store/db.h"
#include "store/history.h"
#include "util/config.h"
#include "util/log.h"
#include "util/worker.h"

enum { INTERVAL_SECONDS = 3600, RETRY_SECONDS = 60 };

static struct worker worker;
static struct db_options options;

/* One round; true when it ran (or another onshid held the lock). */
static bool maintain(void)
{
    char err[256];
    struct db *db = db_open(&options, err, sizeof err);
    if (!db) {
        log_msg(LOG_WARN, "history maintenance: %s", err);
        return false;
    }
    int created = 0, dropped = 0;
    int rc =
        store_history_maintain(db, config_current()->history_retention_months, &created, &dropped);
    db_close(db);
    if (rc < 0) {
        log_msg(LOG_WARN, "history maintenance failed; retrying in %d s", RETRY_SECONDS);
        return false;
    }
    if (created || dropped)
        log_msg(LOG_INFO, "history partitions: %d created, %d dropped", created, dropped);
    return true;
}

static void maintenance_main(struct worker *w, void *arg)
{
    (void)arg;
    while (!worker_stopping(w)) {
        int wait = maintain() ? INTERVAL_SECONDS : RETRY_SECONDS;
        worker_wait(w, wait * 1000, -1);
    }
}

int history_maintenance_start(const struct db_options *opt)
{
    options = *opt;
    options.prepare = true;
    return worker_start(&worker, maintenance_main, NULL, "onshi-history");
}

void history_maintenance_stop(void)
{
    worker_stop(&worker);
}
