#include "store/readers.h"

#include <stdlib.h>

#include "store/db.h"

static const struct stmt_def stmts[] = {
    {STMT_READER_SERVICE, "reader_service",
     "INSERT INTO reader_services (institution_code, up) VALUES ($1, "
     "$2::boolean) ON CONFLICT (institution_code) DO UPDATE SET up = "
     "EXCLUDED.up, seen_at = now()",
     2},
    /* A reader the bridge lists: known from now on. */
    {STMT_READER_SEEN, "reader_seen",
     "INSERT INTO readers (institution_code, name) VALUES ($1, $2) "
     "ON CONFLICT DO NOTHING",
     2},
    {STMT_READER_STATE, "reader_state",
     "UPDATE readers SET state = $3, last_event_at = now() WHERE "
     "institution_code = $1 AND name = $2",
     3},
    /* A card was handled: 目視確認モード ends with it. */
    {STMT_READER_RESULT, "reader_result",
     "UPDATE readers SET last_result = $3::jsonb || "
     "jsonb_build_object('read_at', " SQL_TS(
         "now()") "), last_event_at = now(), "
                  "version = version + visual_confirmation::int, "
                  "visual_confirmation = false, visual_confirmation_at = NULL "
                  "WHERE institution_code = $1 AND name = $2",
     3},
    {STMT_READER_BINDING, "reader_binding",
     "SELECT r.account_user_id, a.role FROM readers r JOIN accounts a "
     "ON a.institution_code = r.institution_code AND a.user_id = "
     "r.account_user_id AND a.deleted_at IS NULL AND a.enabled WHERE "
     "r.institution_code = $1 AND r.name = $2",
     2},
    {STMT_READER_VISUAL_EXPIRE, "reader_visual_expire",
     "UPDATE readers SET visual_confirmation = false, "
     "visual_confirmation_at = NULL, version = version + 1 "
     "WHERE institution_code = $1 "
     "AND visual_confirmation AND visual_confirmation_at < now() - "
     "make_interval(secs => $2::int)",
     2},
    /* Whether the institution has readers: a bridge has reported for it or readers seen. */
    {STMT_READERS_PRESENT, "readers_present",
     "SELECT 1 WHERE EXISTS (SELECT 1 FROM reader_services WHERE "
     "institution_code = $1) OR EXISTS (SELECT 1 FROM readers WHERE "
     "institution_code = $1)",
     1},
    {STMT_READERS_LIST, "readers_list",
     "SELECT r.name, r.state, " SQL_TS(
         "r.last_event_at") ", r.last_result::text, "
                            "r.account_user_id, r.mode, r.visual_confirmation AND "
                            "(r.visual_confirmation_at >= "
                            "now() - make_interval(secs => $2::int)), r.version, "
                            "coalesce(s.up AND s.seen_at > now() - interval '10 seconds', "
                            "false), " SQL_TS("s.seen_at") ", " SQL_TS(
                                "(r.visual_confirmation_at + make_interval(secs => "
                                "$2::int))") " "
                                             "FROM (SELECT $1::text AS code) c LEFT JOIN "
                                             "readers r ON r.institution_code = c.code "
                                             "LEFT JOIN reader_services s ON "
                                             "s.institution_code = c.code ORDER BY r.name",
     2},
    /* One row always: the new version (NULL when not updated) and whether the reader exists,
     * so a refusal says whether the version was stale or the reader unknown. */
    {STMT_READER_UPDATE, "reader_update",
     "WITH u AS (UPDATE readers SET mode = $3, visual_confirmation = $4::boolean, "
     "visual_confirmation_at = CASE WHEN $4::boolean THEN now() END, account_user_id = $5, "
     "version = version + 1 WHERE institution_code = $1 AND name = $2 AND version = "
     "$6::int RETURNING version) SELECT (SELECT version FROM u), EXISTS (SELECT 1 FROM "
     "readers WHERE institution_code = $1 AND name = $2)",
     6},
    {STMT_READER_DISPLAY_GET, "reader_display_get",
     "SELECT screens::text, version, " SQL_TS(
         "updated_at") ", "
                       "updated_by FROM reader_display_settings WHERE "
                       "institution_code = $1",
     1},
    /* version 1 (never saved): insert only if nobody did meanwhile; else update that version. */
    {STMT_READER_DISPLAY_SAVE, "reader_display_save",
     "WITH up AS (UPDATE reader_display_settings SET screens = $2::jsonb, version = version "
     "+ 1, updated_at = now(), updated_by = $4 WHERE institution_code = $1 AND version = "
     "$3::int RETURNING version), ins AS (INSERT INTO reader_display_settings "
     "(institution_code, screens, version, updated_by) SELECT $1, $2::jsonb, 2, $4 WHERE "
     "$3::int = 1 ON CONFLICT DO NOTHING RETURNING version) SELECT version FROM up UNION ALL "
     "SELECT version FROM ins",
     4},
    /* The reader's last card and its bound account, locked for the patient's answers. */
    {STMT_READER_LAST, "reader_last",
     "SELECT last_result::text, coalesce(account_user_id, '') FROM readers "
     "WHERE institution_code = $1 AND name = $2 FOR UPDATE",
     2},
    {STMT_READER_ANSWERED, "reader_answered",
     "UPDATE readers SET last_result = last_result || "
     "jsonb_build_object('answers', $3::jsonb || "
     "jsonb_build_object('answered_at', " SQL_TS(
         "now()") ")), last_event_at = now() "
                  "WHERE institution_code = $1 AND name = $2",
     3},
};
STMT_TABLE(readers_statements, stmts);

/* A write whose row count does not matter: 1, or <0. */
static int command(struct db *db, enum stmt_id id, const struct db_params *p)
{
    int rc = db_command(db, id, p);
    return rc < 0 ? rc : 1;
}

/* A write of a JSON document into the reader `name` of `code`. */
static int json_command(struct db *db, enum stmt_id id, const char *code, const char *name,
                        const json_t *doc)
{
    char *text = json_dumps(doc, JSON_COMPACT);
    if (!text)
        return DB_HARD;
    int rc = command(db, id, DB_TEXTS(code, name, text));
    free(text);
    return rc;
}

int store_reader_service(struct db *db, const char *code, bool up)
{
    struct db_params p = DB_PARAMS_INIT;
    param_text(&p, code);
    param_bool(&p, up);
    return command(db, STMT_READER_SERVICE, &p);
}

int store_reader_seen(struct db *db, const char *code, const char *name)
{
    return command(db, STMT_READER_SEEN, DB_TEXTS(code, name));
}

int store_reader_state(struct db *db, const char *code, const char *name, const char *state)
{
    return command(db, STMT_READER_STATE, DB_TEXTS(code, name, state));
}

int store_reader_result(struct db *db, const char *code, const char *name, const json_t *result)
{
    return json_command(db, STMT_READER_RESULT, code, name, result);
}

int store_reader_binding(struct db *db, const char *code, const char *name, char user_id[17],
                         char role[16])
{
    const struct col_out out[] = {{user_id, 17}, {role, 16}};
    return db_row_texts(db, STMT_READER_BINDING, DB_TEXTS(code, name), out, 2);
}

/* code and a number of seconds. */
static void code_seconds(struct db_params *p, const char *code, int seconds)
{
    param_text(p, code);
    param_int(p, seconds);
}

int store_reader_visual_expire(struct db *db, const char *code, int seconds)
{
    struct db_params p = DB_PARAMS_INIT;
    code_seconds(&p, code, seconds);
    return command(db, STMT_READER_VISUAL_EXPIRE, &p);
}

struct last_out {
    json_t **last;
    char *account;
};

static int read_last(const PGresult *r, void *p)
{
    struct last_out *l = p;
    *l->last = col_json(r, 0, 0);
    col_copy(l->account, 17, r, 0, 1);
    return 1;
}

int store_reader_last(struct db *db, const char *code, const char *name, json_t **last,
                      char account[17])
{
    *last = NULL;
    struct last_out l = {last, account};
    return db_row(db, STMT_READER_LAST, DB_TEXTS(code, name), read_last, &l);
}

int store_reader_answered(struct db *db, const char *code, const char *name, const json_t *answers)
{
    return json_command(db, STMT_READER_ANSWERED, code, name, answers);
}

int store_readers_list(struct db *db, const char *code, int visual_seconds, json_t **out)
{
    struct db_params p = DB_PARAMS_INIT;
    code_seconds(&p, code, visual_seconds);
    PGresult *r;
    *out = NULL;
    int n = db_query(db, STMT_READERS_LIST, &p, &r);
    if (n <= 0) {
        PQclear(r);                 /* NULL after an error */
        return n < 0 ? n : DB_HARD; /* the left join always gives a row */
    }
    json_t *items = json_array();
    for (int i = 0; i < n; i++) {
        if (col_null(r, i, 0))
            continue; /* no reader yet */
        json_t *result = col_null(r, i, 3) ? json_null() : col_json(r, i, 3);
        bool visual = col_bool(r, i, 6);
        /* When 目視確認モード switches itself off: the console counts down to it. */
        json_t *until = visual ? col_json_text(r, i, 10) : json_null();
        json_array_append_new(
            items,
            json_pack("{s:s, s:s, s:o, s:o, s:o, s:s, s:b, s:o, s:i}", "name", col_text(r, i, 0),
                      "state", col_text(r, i, 1), "last_event_at", col_json_text(r, i, 2),
                      "last_result", result ? result : json_null(), "account_user_id",
                      col_json_text(r, i, 4), "mode", col_text(r, i, 5), "visual_confirmation",
                      visual, "visual_confirmation_until", until, "version", col_int(r, i, 7)));
    }
    *out = json_pack("{s:{s:b, s:o}, s:o}", "service", "up", col_bool(r, 0, 8), "seen_at",
                     col_json_text(r, 0, 9), "items", items);
    PQclear(r);
    return 1;
}

int store_readers_present(struct db *db, const char *code)
{
    int n = db_command(db, STMT_READERS_PRESENT, DB_TEXTS(code));
    return n < 0 ? n : n > 0;
}

struct update_out {
    int *version;
    bool *exists;
    bool updated; /* false: the version was stale or the reader is unknown (*exists says) */
};

static int read_update(const PGresult *r, void *p)
{
    struct update_out *u = p;
    u->updated = !col_null(r, 0, 0);
    if (u->updated)
        *u->version = col_int(r, 0, 0);
    *u->exists = col_bool(r, 0, 1);
    return 1;
}

int store_reader_update(struct db *db, const char *code, const char *name, const char *mode,
                        bool visual, const char *account, int *version, bool *exists)
{
    struct db_params p = DB_PARAMS_INIT;
    param_text(&p, code);
    param_text(&p, name);
    param_text(&p, mode);
    param_bool(&p, visual);
    param_text(&p, account);
    param_int(&p, *version);
    struct update_out u = {version, exists, false};
    int n = db_row(db, STMT_READER_UPDATE, &p, read_update, &u);
    if (n <= 0)
        return n < 0 ? n : DB_HARD; /* one row always */
    return u.updated;
}

struct display_out {
    json_t **screens;
    int *version;
    char *updated_at, *updated_by;
};

static int read_display(const PGresult *r, void *p)
{
    struct display_out *d = p;
    *d->screens = col_json(r, 0, 0);
    *d->version = col_int(r, 0, 1);
    col_copy(d->updated_at, 32, r, 0, 2);
    col_copy(d->updated_by, 17, r, 0, 3);
    return 1;
}

int store_reader_display_get(struct db *db, const char *code, json_t **screens, int *version,
                             char updated_at[32], char updated_by[17])
{
    *screens = NULL;
    *version = 1;
    updated_at[0] = updated_by[0] = '\0';
    struct display_out d = {screens, version, updated_at, updated_by};
    int n = db_row(db, STMT_READER_DISPLAY_GET, DB_TEXTS(code), read_display, &d);
    return n < 0 ? n : 1; /* no row: never saved, the defaults */
}

int store_reader_display_save(struct db *db, const char *code, const char *screens_json,
                              int version, const char *by)
{
    struct db_params p = DB_PARAMS_INIT;
    param_text(&p, code);
    param_text(&p, screens_json);
    param_int(&p, version);
    param_text(&p, by);
    int n = db_command(db, STMT_READER_DISPLAY_SAVE, &p);
    return n < 0 ? n : n > 0;
}
