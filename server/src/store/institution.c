#include "store/institution.h"

#include <stdlib.h>
#include <string.h>

#include "store/db.h"

int store_institution_insert(struct db *db, const char *code, const char *name, const char *kind,
                             const char *start_date)
{
    const char *p[] = {code, name, kind, start_date};
    return db_exec_command(db, STMT_INSTITUTION_INSERT, 4, p);
}

int store_institution_name(struct db *db, const char *code, char **name)
{
    const char *p[] = {code};
    PGresult *r;
    int rows = db_exec(db, STMT_INSTITUTION_EXISTS, 1, p, &r);
    if (rows > 0 && !(*name = strdup(PQgetvalue(r, 0, 0))))
        rows = DB_HARD;
    if (rows >= 0)
        PQclear(r);
    return rows;
}

int store_account_insert_operator(struct db *db, const char *code, const char *user_id,
                                  const char *role, const char *name, const char *start_date,
                                  const char *password_hash)
{
    const char *p[] = {code, user_id, role, name, start_date, password_hash};
    return db_exec_command(db, STMT_ACCOUNT_INSERT_OPERATOR, 6, p);
}

int store_related_upsert(struct db *db, const char *code, const char *related_code,
                         const char *name, const char *established_on, const char *abolished_on)
{
    const char *p[] = {code, related_code, name, established_on, abolished_on};
    return db_exec_command(db, STMT_RELATED_UPSERT, 5, p);
}

int store_audit_insert(struct db *db, const char *code, const char *actor_kind, const char *actor,
                       const char *action, const char *target, const char *source,
                       const json_t *details)
{
    char *text = json_dumps(details, JSON_COMPACT);
    if (!text)
        return DB_HARD;
    const char *p[] = {code, actor_kind, actor, action, target, source, text};
    int rows = db_exec_command(db, STMT_AUDIT_INSERT, 7, p);
    free(text);
    return rows;
}

int store_institution_list(struct db *db, json_t **out)
{
    PGresult *r;
    int rows = db_exec(db, STMT_INSTITUTION_LIST, 0, NULL, &r);
    if (rows < 0)
        return rows;
    json_t *list = json_array();
    for (int i = 0; i < rows; i++)
        json_array_append_new(
            list, json_pack("{s:s, s:s, s:s, s:s, s:I}", "institution_code", PQgetvalue(r, i, 0),
                            "name", PQgetvalue(r, i, 1), "kind", PQgetvalue(r, i, 2), "start_date",
                            PQgetvalue(r, i, 3), "accounts", (json_int_t)db_int64(r, i, 4)));
    PQclear(r);
    *out = list;
    return rows;
}

int store_audit_list(struct db *db, const char *code, const char *from, const char *to,
                     const char *actor, const char *action, const char *target, int limit,
                     int offset, json_t *items, long *total)
{
    char lim[16], off[16];
    snprintf(lim, sizeof lim, "%d", limit);
    snprintf(off, sizeof off, "%d", offset);
    const char *p[] = {code, from, to, actor, action, lim, off, target};
    PGresult *r;
    int rows = db_exec(db, STMT_AUDIT_LIST, 8, p, &r);
    if (rows < 0)
        return rows;
    *total = rows > 0 ? db_int64(r, 0, 0) : 0;
    for (int i = 0; i < rows && !PQgetisnull(r, i, 1); i++) {
        json_t *details = json_loads(PQgetvalue(r, i, 8), 0, NULL);
        json_t *e = json_pack("{s:I, s:s, s:s, s:s, s:s}", "id", (json_int_t)db_int64(r, i, 1),
                              "occurred_at", PQgetvalue(r, i, 2), "actor_kind", PQgetvalue(r, i, 3),
                              "actor", PQgetvalue(r, i, 4), "action", PQgetvalue(r, i, 5));
        json_object_set_new(e, "target",
                            PQgetisnull(r, i, 6) ? json_null() : json_string(PQgetvalue(r, i, 6)));
        json_object_set_new(e, "source",
                            PQgetisnull(r, i, 7) ? json_null() : json_string(PQgetvalue(r, i, 7)));
        json_object_set_new(e, "details", details ? details : json_object());
        json_array_append_new(items, e);
    }
    PQclear(r);
    return 1;
}
