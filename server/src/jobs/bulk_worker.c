#include "jobs/bulk_worker.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <time.h>
#include <unistd.h>

#include "jobs/bulk_process.h"
#include "store/bulk.h"
#include "store/db.h"
#include "util/config.h"
#include "util/log.h"
#include "util/secret.h"

enum { SWEEP_SECONDS = 5 };

static pthread_t thread;
static bool running;
static atomic_bool stopping;
static struct db_options options;
static int wake_pipe[2] = {-1, -1};

/* Takes jobs until there are none. */
static void drain_queue(struct db *db)
{
    while (!atomic_load(&stopping)) {
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

/* Sleeps until a NOTIFY arrives, the sweep is due, or stop is asked. */
/* True when a notification arrived (read along with an earlier result, perhaps). */
static bool take_notifications(PGconn *conn)
{
    bool any = false;
    if (conn && PQconsumeInput(conn)) {
        PGnotify *note;
        while ((note = PQnotifies(conn))) {
            any = true;
            PQfreemem(note);
        }
    }
    return any;
}

static void wait_for_work(struct db *db)
{
    PGconn *conn = db_conn(db);
    if (take_notifications(conn))
        return; /* a job was queued while the last ones were processed */
    struct pollfd fds[2] = {{wake_pipe[0], POLLIN, 0}, {conn ? PQsocket(conn) : -1, POLLIN, 0}};
    int n = poll(fds, fds[1].fd >= 0 ? 2 : 1, SWEEP_SECONDS * 1000);
    if (n > 0 && (fds[0].revents & POLLIN)) {
        char b[16];
        while (read(wake_pipe[0], b, sizeof b) > 0)
            ;
    }
    take_notifications(conn);
}

static void *worker_main(void *arg)
{
    (void)arg;
    char err[256];
    struct db *db = NULL;
    while (!atomic_load(&stopping)) {
        if (!db && !(db = db_open(&options, err, sizeof err))) {
            log_msg(LOG_WARN, "bulk worker: %s", err);
            sleep(1);
            continue;
        }
        if (db_ensure(db) != 0) {
            sleep(1);
            continue;
        }
        /* LISTEN first, then look: a job queued in between is not missed. Repeated each
         * time (it is idempotent), since a reconnected session listens to nothing. */
        store_bulk_listen(db);
        store_bulk_purge(db);
        drain_queue(db);
        if (!atomic_load(&stopping))
            wait_for_work(db);
    }
    db_close(db);
    return NULL;
}

int bulk_worker_start(const struct db_options *opt)
{
    options = *opt;
    atomic_store(&stopping, false);
    if (pipe(wake_pipe) != 0)
        return -1;
    /* Not inherited by the hashing helper, which is spawned later. */
    fcntl(wake_pipe[0], F_SETFD, FD_CLOEXEC);
    fcntl(wake_pipe[1], F_SETFD, FD_CLOEXEC);
    fcntl(wake_pipe[0], F_SETFL, O_NONBLOCK);
    if (pthread_create(&thread, NULL, worker_main, NULL) != 0) {
        close(wake_pipe[0]);
        close(wake_pipe[1]);
        return -1;
    }
    running = true;
    return 0;
}

void bulk_worker_stop(void)
{
    if (!running)
        return;
    atomic_store(&stopping, true);
    ssize_t w = write(wake_pipe[1], "x", 1);
    (void)w;
    pthread_join(thread, NULL);
    close(wake_pipe[0]);
    close(wake_pipe[1]);
    running = false;
}
