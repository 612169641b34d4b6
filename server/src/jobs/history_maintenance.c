#include "jobs/history_maintenance.h"

#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <time.h>

#include "store/db.h"
#include "store/history.h"
#include "util/config.h"
#include "util/log.h"

enum { INTERVAL_SECONDS = 3600, RETRY_SECONDS = 60 };

static pthread_t thread;
static bool running;
static bool stopping;
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t wake = PTHREAD_COND_INITIALIZER;
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

static void *maintenance_main(void *arg)
{
    (void)arg;
    pthread_mutex_lock(&lock);
    while (!stopping) {
        pthread_mutex_unlock(&lock);
        int wait = maintain() ? INTERVAL_SECONDS : RETRY_SECONDS;
        pthread_mutex_lock(&lock);
        struct timespec until;
        clock_gettime(CLOCK_REALTIME, &until);
        until.tv_sec += wait;
        while (!stopping && pthread_cond_timedwait(&wake, &lock, &until) != ETIMEDOUT)
            ;
    }
    pthread_mutex_unlock(&lock);
    return NULL;
}

int history_maintenance_start(const struct db_options *opt)
{
    options = *opt;
    options.prepare = true;
    stopping = false;
    if (pthread_create(&thread, NULL, maintenance_main, NULL) != 0)
        return -1;
    running = true;
    return 0;
}

void history_maintenance_stop(void)
{
    if (!running)
        return;
    pthread_mutex_lock(&lock);
    stopping = true;
    pthread_cond_signal(&wake);
    pthread_mutex_unlock(&lock);
    pthread_join(thread, NULL);
    running = false;
}
