#include "store/institution.h"

#include <stdlib.h>
#include <string.h>

#include "store/db.h"

static const struct stmt_def stmts[] = {
    {STMT_INSTITUTION_INSERT, "institution_insert",
     "INSERT INTO institutions (institution_code, name, kind, "
     "start_date) VALUES ($1, $2, $3, $4)",
     4},
    {STMT_INSTITUTION_LIST, "institution_list",
     "SELECT institution_code, name, kind, start_date::text, "
     "(SELECT count(*) FROM accounts a WHERE a.institution_code = "
     "i.institution_code AND a.deleted_at IS NULL) "
     "FROM institutions i ORDER BY institution_code",
     0},
    {STMT_INSTITUTION_EXISTS, "institution_exists",
     "SELECT name FROM institutions WHERE institution_code = $1", 1},
    {STMT_ACCOUNT_INSERT_OPERATOR, "account_insert_operator",
     "INSERT INTO accounts (institution_code, user_id, role, "
     "name, start_date, password_hash, password_is_initial) "
     "VALUES ($1, $2, $3, $4, $5, $6, true)",
     6},
    {STMT_RELATED_UPSERT, "related_upsert",
     "INSERT INTO related_institutions (institution_code, related_code, "
     "name, established_on, abolished_on) VALUES ($1, $2, $3, $4, $5) "
     "ON CONFLICT (institution_code, related_code) DO UPDATE SET "
     "name = EXCLUDED.name, established_on = EXCLUDED.established_on, "
     "abolished_on = EXCLUDED.abolished_on",
     5},
    {STMT_AUDIT_INSERT, "audit_insert",
     "INSERT INTO audit_log (institution_code, actor_kind, actor, action, "
     "target, source, details) VALUES ($1, $2, $3, $4, $5, $6, $7::jsonb)",
     7},
    /* Days are Japanese calendar days; newest first; the total with every page. */
    {STMT_AUDIT_LIST, "audit_list",
     "WITH m AS (SELECT * FROM audit_log WHERE institution_code = $1 "
     "AND ($2::date IS NULL OR occurred_at >= $2::date::timestamp AT TIME ZONE 'Asia/Tokyo') "
     "AND ($3::date IS NULL OR occurred_at < ($3::date + 1)::timestamp AT TIME ZONE "
     "'Asia/Tokyo') AND ($4::text IS NULL OR actor = $4) "
     "AND ($5::text IS NULL OR action = $5) AND ($8::text IS NULL OR target = $8)) "
     "SELECT (SELECT count(*) FROM m), p.* FROM (SELECT 1) one LEFT JOIN LATERAL "
     "(SELECT id, " SQL_TS(
         "occurred_at") ", actor_kind, actor, action, target, source, "
                        "details::text FROM m ORDER BY id DESC LIMIT $6 OFFSET $7) p ON true",
     8},
};
STMT_TABLE(institution_statements, stmts);

int store_institution_insert(struct db *db, const char *code, const char *name, const char *kind,
                             const char *start_date)
{
    return db_command(db, STMT_INSTITUTION_INSERT, DB_TEXTS(code, name, kind, start_date));
}

static int read_name(const PGresult *r, void *out)
{
    return (*(char **)out = col_strdup(r, 0, 0)) ? 1 : DB_HARD;
}

int store_institution_name(struct db *db, const char *code, char **name)
{
    return db_row(db, STMT_INSTITUTION_EXISTS, DB_TEXTS(code), read_name, name);
}

int store_account_insert_operator(struct db *db, const char *code, const char *user_id,
                                  const char *role, const char *name, const char *start_date,
                                  const char *password_hash)
{
    return db_command(db, STMT_ACCOUNT_INSERT_OPERATOR,
                      DB_TEXTS(code, user_id, role, name, start_date, password_hash));
}

int store_related_upsert(struct db *db, const char *code, const char *related_code,
                         const char *name, const char *established_on, const char *abolished_on)
{
    return db_command(db, STMT_RELATED_UPSERT,
                      DB_TEXTS(code, related_code, name, established_on, abolished_on));
}

int store_audit_insert(struct db *db, const char *code, const char *actor_kind, const char *actor,
                       const char *action, const char *target, const char *source,
                       const json_t *details)
{
    char *text = json_dumps(details, JSON_COMPACT);
    if (!text)
        return DB_HARD;
    int rows = db_command(db, STMT_AUDIT_INSERT,
                          DB_TEXTS(code, actor_kind, actor, action, target, source, text));
    free(text);
    return rows;
}

int store_institution_list(struct db *db, json_t **out)
{
    PGresult *r;
    int rows = db_query(db, STMT_INSTITUTION_LIST, NULL, &r);
    if (rows < 0)
        return rows;
    json_t *list = json_array();
    for (int i = 0; i < rows; i++)
        json_array_append_new(list, json_pack("{s:s, s:s, s:s, s:s, s:I}", "institution_code",
                                              col_text(r, i, 0), "name", col_text(r, i, 1), "kind",
                                              col_text(r, i, 2), "start_date", col_text(r, i, 3),
                                              "accounts", (json_int_t)col_int64(r, i, 4)));
    PQclear(r);
    *out = list;
    return rows;
}

int store_audit_list(struct db *db, const char *code, const char *from, const char *to,
                     const char *actor, const char *action, const char *target, int limit,
                     int offset, json_t *items, long *total)
{
    struct db_params p = DB_PARAMS_INIT;
    param_text(&p, code);
    param_text(&p, from);
    param_text(&p, to);
    param_text(&p, actor);
    param_text(&p, action);
    param_int(&p, limit);
    param_int(&p, offset);
    param_text(&p, target);
    PGresult *r;
    int rows = db_query(db, STMT_AUDIT_LIST, &p, &r);
    if (rows < 0)
        return rows;
    *total = rows > 0 ? col_int64(r, 0, 0) : 0;
    for (int i = 0; i < rows && !col_null(r, i, 1); i++) {
        json_t *details = col_json(r, i, 8);
        json_t *e = json_pack("{s:I, s:s, s:s, s:s, s:s}", "id", (json_int_t)col_int64(r, i, 1),
                              "occurred_at", col_text(r, i, 2), "actor_kind", col_text(r, i, 3),
                              "actor", col_text(r, i, 4), "action", col_text(r, i, 5));
        json_object_set_new(e, "target", col_json_text(r, i, 6));
        json_object_set_new(e, "source", col_json_text(r, i, 7));
        json_object_set_new(e, "details", details ? details : json_object());
        json_array_append_new(items, e);
    }
    PQclear(r);
    return 1;
}
