#include "store/settings.h"

#include <string.h>

#include "store/db.h"

static const struct stmt_def stmts[] = {
    /* Environment settings: stored values (NULL: the defaults), version, who and when, the
     * institution's kind, its related institutions, and the current terms and whether the
     * institution agreed to them. */
    {STMT_SETTINGS_GET, "settings_get",
     "SELECT s.settings::text, coalesce(s.version, 1), " SQL_TS(
         "s.updated_at") ", s.updated_by, "
                         "i.kind, (SELECT "
                         "coalesce(json_agg(json_build_object('institution_code', "
                         "r.related_code, "
                         "'name', r.name, 'established_on', r.established_on, 'abolished_on', "
                         "r.abolished_on) "
                         "ORDER BY r.related_code), '[]') FROM related_institutions r "
                         "WHERE r.institution_code = i.institution_code)::text, t.version, "
                         "EXISTS (SELECT 1 FROM terms_agreements a WHERE a.institution_code = "
                         "i.institution_code "
                         "AND a.version = t.version), i.pmh_participant "
                         "FROM institutions i LEFT JOIN institution_settings s USING "
                         "(institution_code) "
                         "LEFT JOIN LATERAL (SELECT version FROM terms_of_use ORDER BY "
                         "published_at DESC "
                         "LIMIT 1) t ON true WHERE i.institution_code = $1",
     1},
    /* Only from the version the change was made against ($3): a stale one changes nothing. */
    {STMT_SETTINGS_UPDATE, "settings_update",
     "UPDATE institution_settings SET settings = $2::jsonb, "
     "version = version + 1, updated_at = now(), updated_by = $4 "
     "WHERE institution_code = $1 AND version = $3::int "
     "RETURNING version",
     4},
    {STMT_SETTINGS_FIRST, "settings_first",
     "INSERT INTO institution_settings (institution_code, settings, "
     "version, updated_by) SELECT $1, $2::jsonb, 2, $3 "
     "ON CONFLICT DO NOTHING RETURNING version",
     3},
    {STMT_TERMS_CURRENT, "terms_current",
     "SELECT version, " SQL_TS("published_at") ", body FROM terms_of_use "
                                               "ORDER BY published_at DESC LIMIT 1",
     0},
    {STMT_TERMS_AGREE, "terms_agree",
     "INSERT INTO terms_agreements (institution_code, version, agreed_by) "
     "VALUES ($1, $2, $3) ON CONFLICT DO NOTHING",
     3},
    /* PMH 先行実施事業: the operator marks an institution; the old mark comes back (no row: no
     * such institution). */
    {STMT_INSTITUTION_PMH_SET, "institution_pmh_set",
     "WITH old AS (SELECT pmh_participant FROM institutions WHERE institution_code = $1 "
     "FOR UPDATE) UPDATE institutions i SET pmh_participant = $2::boolean FROM old "
     "WHERE i.institution_code = $1 RETURNING old.pmh_participant",
     2},
    /* An institution no longer a participant: 医療費助成情報 back to 利用しない, as a change. */
    {STMT_SETTINGS_SUBSIDY_OFF, "settings_subsidy_off",
     "UPDATE institution_settings SET settings = settings || "
     "'{\"medical_subsidy\": \"not_use\"}'::jsonb, version = version + 1, updated_at = "
     "now(), updated_by = $2 WHERE institution_code = $1 AND settings->>'medical_subsidy' = "
     "'use' RETURNING version",
     2},
};
STMT_TABLE(settings_statements, stmts);

static int read_settings(const PGresult *r, void *p)
{
    struct settings_row *out = p;
    memset(out, 0, sizeof *out);
    out->stored = col_json(r, 0, 0);
    out->version = col_int(r, 0, 1);
    col_copy(out->updated_at, sizeof out->updated_at, r, 0, 2);
    col_copy(out->updated_by, sizeof out->updated_by, r, 0, 3);
    col_copy(out->kind, sizeof out->kind, r, 0, 4);
    out->related = col_json(r, 0, 5);
    col_copy(out->terms_version, sizeof out->terms_version, r, 0, 6);
    out->terms_agreed = col_bool(r, 0, 7);
    out->pmh_participant = col_bool(r, 0, 8);
    if (!out->related) {
        settings_row_free(out);
        return DB_HARD;
    }
    return 1;
}

int store_settings_get(struct db *db, const char *code, struct settings_row *out)
{
    return db_row(db, STMT_SETTINGS_GET, DB_TEXTS(code), read_settings, out);
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
    if (version == 1) /* the first change: only if nobody else made one meanwhile */
        return db_command(db, STMT_SETTINGS_FIRST, DB_TEXTS(code, settings_json, by));
    struct db_params p = DB_PARAMS_INIT;
    param_text(&p, code);
    param_text(&p, settings_json);
    param_int(&p, version);
    param_text(&p, by);
    return db_command(db, STMT_SETTINGS_UPDATE, &p);
}

struct terms_out {
    char *version, *published_at, **body;
};

static int read_terms(const PGresult *r, void *p)
{
    struct terms_out *t = p;
    col_copy(t->version, 32, r, 0, 0);
    col_copy(t->published_at, 32, r, 0, 1);
    *t->body = col_strdup(r, 0, 2);
    return *t->body ? 1 : DB_HARD;
}

int store_terms_current(struct db *db, char version[32], char published_at[32], char **body)
{
    *body = NULL;
    struct terms_out t = {version, published_at, body};
    return db_row(db, STMT_TERMS_CURRENT, NULL, read_terms, &t);
}

int store_terms_agree(struct db *db, const char *code, const char *version, const char *by)
{
    int n = db_command(db, STMT_TERMS_AGREE, DB_TEXTS(code, version, by));
    return n < 0 ? n : 1;
}

static int read_was(const PGresult *r, void *out)
{
    *(bool *)out = col_bool(r, 0, 0);
    return 1;
}

int store_institution_pmh_set(struct db *db, const char *code, bool on, const char *by, bool *was,
                              bool *cleared)
{
    struct db_params p = DB_PARAMS_INIT;
    param_text(&p, code);
    param_bool(&p, on);
    *was = *cleared = false;
    int n = db_row(db, STMT_INSTITUTION_PMH_SET, &p, read_was, was);
    if (n <= 0 || on)
        return n;
    n = db_command(db, STMT_SETTINGS_SUBSIDY_OFF, DB_TEXTS(code, by));
    if (n < 0)
        return n;
    *cleared = n > 0;
    return 1;
}
