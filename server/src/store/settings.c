#include "store/settings.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/db.h"

int store_settings_get(struct db *db, const char *code, struct settings_row *out)
{
    const char *p[] = {code};
    PGresult *r;
    int n = db_exec(db, STMT_SETTINGS_GET, 1, p, &r);
    if (n <= 0) {
        PQclear(r);
        return n;
    }
    memset(out, 0, sizeof *out);
    out->stored = PQgetisnull(r, 0, 0) ? NULL : json_loads(PQgetvalue(r, 0, 0), 0, NULL);
    out->version = db_int(r, 0, 1);
    snprintf(out->updated_at, sizeof out->updated_at, "%s", PQgetvalue(r, 0, 2));
    snprintf(out->updated_by, sizeof out->updated_by, "%s", PQgetvalue(r, 0, 3));
    snprintf(out->kind, sizeof out->kind, "%s", PQgetvalue(r, 0, 4));
    out->related = json_loads(PQgetvalue(r, 0, 5), 0, NULL);
    snprintf(out->terms_version, sizeof out->terms_version, "%s", PQgetvalue(r, 0, 6));
    out->terms_agreed = PQgetvalue(r, 0, 7)[0] == 't';
    out->pmh_participant = PQgetvalue(r, 0, 8)[0] == 't';
    PQclear(r);
    if (!out->related) {
        settings_row_free(out);
        return DB_HARD;
    }
    return 1;
}

void settings_row_free(struct settings_row *r)
{
    json_decref(r->stored);
    json_decref(r->related);
    r->stored = r->related = NULL;
}

const char *settings_row_stored(const struct settings_row *r, const char *id)
{
    return r->stored ? json_string_value(json_object_get(r->stored, id)) : NULL;
}

int store_settings_save(struct db *db, const char *code, const char *settings_json, int version,
                        const char *by)
{
    char v[16];
    snprintf(v, sizeof v, "%d", version);
    if (version == 1) { /* the first change: only if nobody else made one meanwhile */
        const char *p[] = {code, settings_json, by};
        return db_exec_command(db, STMT_SETTINGS_FIRST, 3, p);
    }
    const char *p[] = {code, settings_json, v, by};
    return db_exec_command(db, STMT_SETTINGS_UPDATE, 4, p);
}

int store_terms_current(struct db *db, char version[32], char published_at[32], char **body)
{
    PGresult *r;
    int n = db_exec(db, STMT_TERMS_CURRENT, 0, NULL, &r);
    *body = NULL;
    if (n <= 0) {
        PQclear(r);
        return n;
    }
    snprintf(version, 32, "%s", PQgetvalue(r, 0, 0));
    snprintf(published_at, 32, "%s", PQgetvalue(r, 0, 1));
    *body = strdup(PQgetvalue(r, 0, 2));
    PQclear(r);
    return *body ? 1 : DB_HARD;
}

int store_terms_agree(struct db *db, const char *code, const char *version, const char *by)
{
    const char *p[] = {code, version, by};
    int n = db_exec_command(db, STMT_TERMS_AGREE, 3, p);
    return n < 0 ? n : 1;
}

int store_institution_pmh_set(struct db *db, const char *code, bool on, const char *by, bool *was,
                              bool *cleared)
{
    const char *p[] = {code, on ? "true" : "false"};
    PGresult *r;
    *was = *cleared = false;
    int n = db_exec(db, STMT_INSTITUTION_PMH_SET, 2, p, &r);
    if (n <= 0) {
        if (n == 0)
            PQclear(r);
        return n;
    }
    *was = PQgetvalue(r, 0, 0)[0] == 't';
    PQclear(r);
    if (on)
        return 1;
    const char *q[] = {code, by};
    n = db_exec_command(db, STMT_SETTINGS_SUBSIDY_OFF, 2, q);
    if (n < 0)
        return n;
    *cleared = n > 0;
    return 1;
}
