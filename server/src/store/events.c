#include "store/events.h"

#include "store/db.h"

static const struct stmt_def stmts[] = {
    /* For live-update streams: is the session still alive, and until when, without touching
     * it (a stream must not keep an idle session alive). */
    {STMT_SESSION_CHECK, "session_check",
     "SELECT a.role, a.enabled AND a.deleted_at IS NULL "
     "AND (now() AT TIME ZONE 'Asia/Tokyo')::date BETWEEN a.start_date AND a.end_date, "
     "s.expires_at > now() AND (s.kind = 'token' "
     "OR s.last_seen_at > now() - make_interval(secs => $3::int)), "
     "extract(epoch FROM least(s.expires_at, CASE WHEN s.kind = 'cookie' THEN "
     "s.last_seen_at + make_interval(secs => $3::int) END))::bigint "
     "FROM sessions s JOIN accounts a USING (institution_code, user_id) "
     "WHERE s.institution_code = $1 AND s.secret_hash = $2::bytea",
     3},
    /* The PC/SC service of several institutions, by the freshness rule of readers_list. */
    {STMT_READER_SERVICES_STATE, "reader_services_state",
     "SELECT c.code, coalesce(s.up AND s.seen_at > now() - interval '10 seconds', false), " SQL_TS(
         "s.seen_at") " FROM unnest($1::text[]) c(code) "
                      "LEFT JOIN reader_services s ON s.institution_code = c.code",
     1},
};
STMT_TABLE(events_statements, stmts);

int store_events_listen(struct db *db)
{
    /* Named, so an operator sees in pg_stat_activity which connection is the listener. */
    int rc = db_exec_sql(db, "SET application_name = 'onshid event hub'");
    return rc < 0 ? rc : db_exec_sql(db, "LISTEN onshi_events");
}

static int read_check(const PGresult *r, void *p)
{
    struct session_check *out = p;
    col_copy(out->role, sizeof out->role, r, 0, 0);
    out->account_usable = col_bool(r, 0, 1);
    out->alive = col_bool(r, 0, 2);
    out->deadline = col_int64(r, 0, 3);
    return 1;
}

int store_session_check(struct db *db, const char *code, const char *digest, int idle_seconds,
                        struct session_check *out)
{
    struct db_params p = DB_PARAMS_INIT;
    param_text(&p, code);
    param_text(&p, digest);
    param_int(&p, idle_seconds);
    return db_row(db, STMT_SESSION_CHECK, &p, read_check, out);
}

int store_reader_services_state(struct db *db, const char *codes,
                                void (*each)(const char *code, bool up, const char *seen_at,
                                             void *ctx),
                                void *ctx)
{
    struct db_params p = DB_PARAMS_INIT;
    param_text(&p, codes);
    PGresult *r;
    int n = db_query(db, STMT_READER_SERVICES_STATE, &p, &r);
    for (int i = 0; i < n; i++)
        each(col_text(r, i, 0), col_bool(r, i, 1), col_null(r, i, 2) ? NULL : col_text(r, i, 2),
             ctx);
    PQclear(r);
    return n;
}
