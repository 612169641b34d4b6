#include "store/readers.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/db.h"

static int command(struct db *db, enum stmt_id id, int n, const char *const *p)
{
    int rc = db_exec_command(db, id, n, p);
    return rc < 0 ? rc : 1;
}

int store_reader_service(struct db *db, const char *code, bool up)
{
    const char *p[] = {code, up ? "true" : "false"};
    return command(db, STMT_READER_SERVICE, 2, p);
}

int store_reader_seen(struct db *db, const char *code, const char *name)
{
    const char *p[] = {code, name};
    return command(db, STMT_READER_SEEN, 2, p);
}

int store_reader_state(struct db *db, const char *code, const char *name, const char *state)
{
    const char *p[] = {code, name, state};
    return command(db, STMT_READER_STATE, 3, p);
}

int store_reader_result(struct db *db, const char *code, const char *name, const json_t *result)
{
    char *text = json_dumps(result, JSON_COMPACT);
    if (!text)
        return DB_HARD;
    const char *p[] = {code, name, text};
    int rc = command(db, STMT_READER_RESULT, 3, p);
    free(text);
    return rc;
}

int store_reader_binding(struct db *db, const char *code, const char *name, char user_id[17],
                         char role[16])
{
    const char *p[] = {code, name};
    PGresult *r;
    int n = db_exec(db, STMT_READER_BINDING, 2, p, &r);
    if (n <= 0) {
        if (n == 0)
            PQclear(r);
        return n;
    }
    snprintf(user_id, 17, "%s", PQgetvalue(r, 0, 0));
    snprintf(role, 16, "%s", PQgetvalue(r, 0, 1));
    PQclear(r);
    return 1;
}

int store_reader_visual_expire(struct db *db, const char *code, int seconds)
{
    char s[16];
    snprintf(s, sizeof s, "%d", seconds);
    const char *p[] = {code, s};
    return command(db, STMT_READER_VISUAL_EXPIRE, 2, p);
}

int store_reader_last(struct db *db, const char *code, const char *name, json_t **last,
                      char account[17])
{
    const char *p[] = {code, name};
    PGresult *r;
    *last = NULL;
    int n = db_exec(db, STMT_READER_LAST, 2, p, &r);
    if (n <= 0) {
        if (n == 0)
            PQclear(r);
        return n;
    }
    *last = PQgetisnull(r, 0, 0) ? NULL : json_loads(PQgetvalue(r, 0, 0), 0, NULL);
    snprintf(account, 17, "%s", PQgetvalue(r, 0, 1));
    PQclear(r);
    return 1;
}

int store_reader_answered(struct db *db, const char *code, const char *name, const json_t *answers)
{
    char *text = json_dumps(answers, JSON_COMPACT);
    if (!text)
        return DB_HARD;
    const char *p[] = {code, name, text};
    int rc = command(db, STMT_READER_ANSWERED, 3, p);
    free(text);
    return rc;
}

int store_readers_list(struct db *db, const char *code, int visual_seconds, json_t **out)
{
    char s[16];
    snprintf(s, sizeof s, "%d", visual_seconds);
    const char *p[] = {code, s};
    PGresult *r;
    *out = NULL;
    int n = db_exec(db, STMT_READERS_LIST, 2, p, &r);
    if (n <= 0)
        return n < 0 ? n : DB_HARD; /* the left join always gives a row */
    json_t *items = json_array();
    for (int i = 0; i < n; i++) {
        if (PQgetisnull(r, i, 0))
            continue; /* no reader yet */
        json_t *result =
            PQgetisnull(r, i, 3) ? json_null() : json_loads(PQgetvalue(r, i, 3), 0, NULL);
        bool visual = PQgetvalue(r, i, 6)[0] == 't';
        /* When 目視確認モード switches itself off: the console counts down to it. */
        json_t *until = visual ? db_text_or_null(r, i, 10) : json_null();
        json_array_append_new(
            items,
            json_pack("{s:s, s:s, s:o, s:o, s:o, s:s, s:b, s:o, s:i}", "name", PQgetvalue(r, i, 0),
                      "state", PQgetvalue(r, i, 1), "last_event_at", db_text_or_null(r, i, 2),
                      "last_result", result ? result : json_null(), "account_user_id",
                      db_text_or_null(r, i, 4), "mode", PQgetvalue(r, i, 5), "visual_confirmation",
                      visual, "visual_confirmation_until", until, "version", db_int(r, i, 7)));
    }
    *out = json_pack("{s:{s:b, s:o}, s:o}", "service", "up", PQgetvalue(r, 0, 8)[0] == 't',
                     "seen_at", db_text_or_null(r, 0, 9), "items", items);
    PQclear(r);
    return 1;
}

int store_readers_present(struct db *db, const char *code)
{
    const char *p[] = {code};
    PGresult *r;
    int n = db_exec(db, STMT_READERS_PRESENT, 1, p, &r);
    if (n >= 0)
        PQclear(r);
    return n < 0 ? n : n > 0;
}

int store_reader_update(struct db *db, const char *code, const char *name, const char *mode,
                        bool visual, const char *account, int *version, bool *exists)
{
    char v[16];
    snprintf(v, sizeof v, "%d", *version);
    const char *p[] = {code, name, mode, visual ? "true" : "false", account, v};
    PGresult *r;
    int n = db_exec(db, STMT_READER_UPDATE, 6, p, &r);
    if (n <= 0) {
        if (n == 0)
            PQclear(r);
        return n < 0 ? n : DB_HARD;
    }
    bool updated = !PQgetisnull(r, 0, 0);
    if (updated)
        *version = db_int(r, 0, 0);
    *exists = PQgetvalue(r, 0, 1)[0] == 't';
    PQclear(r);
    return updated;
}

int store_reader_display_get(struct db *db, const char *code, json_t **screens, int *version,
                             char updated_at[32], char updated_by[17])
{
    const char *p[] = {code};
    PGresult *r;
    *screens = NULL;
    *version = 1;
    updated_at[0] = updated_by[0] = '\0';
    int n = db_exec(db, STMT_READER_DISPLAY_GET, 1, p, &r);
    if (n < 0)
        return n;
    if (n > 0) {
        *screens = json_loads(PQgetvalue(r, 0, 0), 0, NULL);
        *version = db_int(r, 0, 1);
        snprintf(updated_at, 32, "%s", PQgetvalue(r, 0, 2));
        snprintf(updated_by, 17, "%s", PQgetvalue(r, 0, 3));
    }
    PQclear(r);
    return 1;
}

int store_reader_display_save(struct db *db, const char *code, const char *screens_json,
                              int version, const char *by)
{
    char v[16];
    snprintf(v, sizeof v, "%d", version);
    const char *p[] = {code, screens_json, v, by};
    PGresult *r;
    int n = db_exec(db, STMT_READER_DISPLAY_SAVE, 4, p, &r);
    if (n >= 0)
        PQclear(r);
    return n < 0 ? n : n > 0;
}
