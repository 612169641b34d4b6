#include "store/events.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/db.h"

int store_events_listen(struct db *db)
{
    /* Named, so an operator sees in pg_stat_activity which connection is the listener. */
    int rc = db_exec_sql(db, "SET application_name = 'onshid event hub'");
    return rc < 0 ? rc : db_exec_sql(db, "LISTEN onshi_events");
}

int store_session_check(struct db *db, const char *code, const char *digest, int idle_seconds,
                        struct session_check *out)
{
    char idle[16];
    snprintf(idle, sizeof idle, "%d", idle_seconds);
    const char *p[] = {code, digest, idle};
    PGresult *r;
    int n = db_exec(db, STMT_SESSION_CHECK, 3, p, &r);
    if (n <= 0) {
        PQclear(r);
        return n;
    }
    snprintf(out->role, sizeof out->role, "%s", PQgetvalue(r, 0, 0));
    out->account_usable = PQgetvalue(r, 0, 1)[0] == 't';
    out->alive = PQgetvalue(r, 0, 2)[0] == 't';
    out->deadline = strtoll(PQgetvalue(r, 0, 3), NULL, 10);
    PQclear(r);
    return 1;
}

int store_reader_services_state(struct db *db, const char *codes,
                                void (*each)(const char *code, bool up, const char *seen_at,
                                             void *ctx),
                                void *ctx)
{
    const char *p[] = {codes};
    PGresult *r;
    int n = db_exec(db, STMT_READER_SERVICES_STATE, 1, p, &r);
    if (n <= 0) {
        PQclear(r);
        return n;
    }
    for (int i = 0; i < n; i++)
        each(PQgetvalue(r, i, 0), PQgetvalue(r, i, 1)[0] == 't',
             PQgetisnull(r, i, 2) ? NULL : PQgetvalue(r, i, 2), ctx);
    PQclear(r);
    return n;
}
