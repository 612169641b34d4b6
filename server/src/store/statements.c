#include "store/statements.h"

/* The columns of an account as the API shows it (store/account.c reads them in this order);
 * T, I, E: the parameter numbers of the lockout threshold, the initial password's validity
 * and the password expiry in days. */
#define TS(col) "to_char(" col " AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')"
#define PASSWORD_DUE(I, E)                                                                         \
    "password_set_at + make_interval(days => CASE WHEN password_is_initial THEN $" I               \
    "::int ELSE $" E "::int END)"
#define ACCOUNT_COLUMNS(T, I, E)                                                                   \
    "user_id, role, name, name_kana, start_date::text, end_date::text, enabled, "                  \
    "locked_at IS NOT NULL OR failed_logins >= $" T                                                \
    ", password_is_initial, " TS("(" PASSWORD_DUE(I, E) ")") ", " TS("last_login_at") ", " TS(     \
        "created_at") ", " TS("updated_at") ", version, " PASSWORD_DUE(I, E) " < now()"

/* The order of an account list: the key named by parameter S (user_id, name_kana,
 * start_date, end_date, last_login_at; "-" first for descending; no sign-in last either
 * way), then the user ID, so that pages are stable. */
#define ACCOUNT_SORT(S)                                                                            \
    "CASE WHEN $" S "::text = 'name_kana' THEN name_kana END, "                                    \
    "CASE WHEN $" S "::text = '-name_kana' THEN name_kana END DESC, "                              \
    "CASE WHEN $" S "::text = 'start_date' THEN start_date END, "                                  \
    "CASE WHEN $" S "::text = '-start_date' THEN start_date END DESC, "                            \
    "CASE WHEN $" S "::text = 'end_date' THEN end_date END, "                                      \
    "CASE WHEN $" S "::text = '-end_date' THEN end_date END DESC, "                                \
    "CASE WHEN $" S "::text = 'last_login_at' THEN last_login_at END NULLS LAST, "                 \
    "CASE WHEN $" S "::text = '-last_login_at' THEN last_login_at END DESC NULLS LAST, "           \
    "CASE WHEN $" S "::text = '-user_id' THEN user_id END DESC, user_id"

/* Names are the statement names given to PQprepare; keep them equal to the enum. */
const struct stmt_def stmt_defs[STMT__COUNT] = {
    [STMT_SCHEMA_VERSION] = {"schema_version",
                             "SELECT coalesce(max(version), 0) FROM schema_version", 0},
    [STMT_INSTITUTION_INSERT] = {"institution_insert",
                                 "INSERT INTO institutions (institution_code, name, kind, "
                                 "start_date) VALUES ($1, $2, $3, $4)",
                                 4},
    [STMT_INSTITUTION_LIST] = {"institution_list",
                               "SELECT institution_code, name, kind, start_date::text, "
                               "(SELECT count(*) FROM accounts a WHERE a.institution_code = "
                               "i.institution_code AND a.deleted_at IS NULL) "
                               "FROM institutions i ORDER BY institution_code",
                               0},
    [STMT_INSTITUTION_EXISTS] = {"institution_exists",
                                 "SELECT name FROM institutions WHERE institution_code = $1", 1},
    [STMT_ACCOUNT_INSERT_OPERATOR] = {"account_insert_operator",
                                      "INSERT INTO accounts (institution_code, user_id, role, "
                                      "name, start_date, password_hash, password_is_initial) "
                                      "VALUES ($1, $2, $3, $4, $5, $6, true)",
                                      6},
    [STMT_RELATED_UPSERT] = {"related_upsert",
                             "INSERT INTO related_institutions (institution_code, related_code, "
                             "name, established_on, abolished_on) VALUES ($1, $2, $3, $4, $5) "
                             "ON CONFLICT (institution_code, related_code) DO UPDATE SET "
                             "name = EXCLUDED.name, established_on = EXCLUDED.established_on, "
                             "abolished_on = EXCLUDED.abolished_on",
                             5},
    [STMT_AUDIT_INSERT] = {"audit_insert",
                           "INSERT INTO audit_log (institution_code, actor_kind, actor, action, "
                           "target, source, details) VALUES ($1, $2, $3, $4, $5, $6, $7::jsonb)",
                           7},
    /* Dates of the usage period are Japanese calendar days. */
    [STMT_SIGNIN_ACCOUNT] =
        {"signin_account",
         "SELECT a.role, a.password_hash, a.password_is_initial, "
         "a.enabled AND a.deleted_at IS NULL AND (now() AT TIME ZONE 'Asia/Tokyo')::date "
         "BETWEEN a.start_date AND a.end_date, a.locked_at IS NOT NULL, "
         "extract(epoch FROM now() - a.password_set_at)::bigint, i.kind "
         "FROM accounts a JOIN institutions i USING (institution_code) "
         "WHERE a.institution_code = $1 AND a.user_id = $2",
         2},
    /* Every password check first takes one of the lockout_threshold attempts (row lock +
     * re-checked WHERE), so parallel guesses can never get more checks than the threshold;
     * success gives them back. No row: locked, or every attempt is taken. */
    [STMT_SIGNIN_RESERVE] = {"signin_reserve",
                             "UPDATE accounts SET failed_logins = failed_logins + 1 "
                             "WHERE institution_code = $1 AND user_id = $2 AND locked_at IS NULL "
                             "AND failed_logins < $3 RETURNING failed_logins",
                             3},
    /* After a wrong password: lock once the attempts are used up. */
    [STMT_SIGNIN_FAILED] = {"signin_failed",
                            "UPDATE accounts SET locked_at = now() "
                            "WHERE institution_code = $1 AND user_id = $2 AND locked_at IS NULL "
                            "AND failed_logins >= $3 RETURNING true",
                            3},
    /* No row: locked meanwhile, or the password changed since it was checked. */
    [STMT_SIGNIN_SUCCEEDED] = {"signin_succeeded",
                               "UPDATE accounts SET failed_logins = 0, last_login_at = now(), "
                               "password_hash = COALESCE($4, password_hash) "
                               "WHERE institution_code = $1 AND user_id = $2 "
                               "AND locked_at IS NULL AND password_hash = $3 RETURNING user_id",
                               4},
    /* A correct password that did not lead to a sign-in gives its attempt back. */
    [STMT_ATTEMPTS_RELEASE] = {"attempts_release",
                               "UPDATE accounts SET failed_logins = 0 "
                               "WHERE institution_code = $1 AND user_id = $2 "
                               "AND locked_at IS NULL AND password_hash = $3 RETURNING user_id",
                               3},
    /* A check never made (its client left first): the one attempt it took goes back. */
    [STMT_SIGNIN_UNRESERVE] = {"signin_unreserve",
                               "UPDATE accounts SET failed_logins = failed_logins - 1 "
                               "WHERE institution_code = $1 AND user_id = $2 "
                               "AND locked_at IS NULL AND failed_logins > 0 RETURNING user_id",
                               2},
    [STMT_ACCOUNT_INSERT] = {"account_insert",
                             "INSERT INTO accounts (institution_code, user_id, role, name, "
                             "name_kana, start_date, end_date, password_hash, "
                             "password_is_initial) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, true)",
                             8},
    /* The account as the API shows it; a deleted account is a tombstone, not shown. */
    [STMT_ACCOUNT_GET] =
        {"account_get",
         "SELECT " ACCOUNT_COLUMNS(
             "3", "4", "5") " FROM accounts "
                            "WHERE institution_code = $1 AND user_id = $2 AND deleted_at IS NULL",
         5},
    /* One page and the total in one round trip; a page past the end still gives the total
     * (one row whose account columns are NULL). Partial matches use strpos, so % and _ in a
     * search are plain characters. $15 the password state as account_json names it; $16 a
     * password due before that Japanese day (passwords that never expire, the chosen ones of
     * kinds outside $19, excluded); $17 dormant since that day (last sign-in before it, or
     * never signed in and created before it); $18 the sort key, user_id breaking ties. */
    [STMT_ACCOUNT_LIST] =
        {"account_list",
         "WITH b AS (SELECT *, password_set_at + make_interval(days => CASE WHEN "
         "password_is_initial THEN $11::int ELSE $12::int END) AS password_due FROM accounts "
         "WHERE institution_code = $1 AND deleted_at IS NULL AND role = ANY($2::text[])), "
         "m AS (SELECT * FROM b WHERE ($3::text IS NULL OR strpos(lower(user_id), lower($3)) > 0) "
         "AND ($4::text IS NULL OR strpos(name, $4) > 0) "
         "AND ($5::text IS NULL OR strpos(name_kana, $5) > 0) "
         "AND ($6::boolean IS NULL OR enabled = $6) "
         "AND ($7::boolean IS NULL OR (locked_at IS NOT NULL OR failed_logins >= $10) = $7) "
         "AND ($8::date IS NULL OR start_date >= $8) AND ($9::date IS NULL OR end_date <= $9) "
         "AND ($15::text IS NULL OR CASE WHEN password_is_initial THEN 'initial' "
         "WHEN password_due < now() THEN 'expired' ELSE 'active' END = $15) "
         "AND ($16::date IS NULL OR ((password_is_initial OR role = ANY($19::text[])) "
         "AND password_due < $16::date::timestamp AT TIME ZONE 'Asia/Tokyo')) "
         "AND ($17::date IS NULL OR "
         "coalesce(last_login_at, created_at) < $17::date::timestamp AT TIME ZONE 'Asia/Tokyo')) "
         "SELECT (SELECT count(*) FROM m), p.* FROM (SELECT 1) one LEFT JOIN LATERAL "
         "(SELECT " ACCOUNT_COLUMNS("10", "11", "12") " FROM m ORDER BY " ACCOUNT_SORT(
             "18") " LIMIT $13 OFFSET $14) p ON true",
         19},
    /* NULL leaves a field as it is; the version guards against lost updates. */
    [STMT_ACCOUNT_UPDATE] =
        {"account_update",
         "UPDATE accounts SET name = coalesce($3, name), name_kana = coalesce($4, name_kana), "
         "enabled = coalesce($5::boolean, enabled), start_date = coalesce($6::date, start_date), "
         "end_date = coalesce($7::date, end_date), updated_at = now(), version = version + 1 "
         "WHERE institution_code = $1 AND user_id = $2 AND deleted_at IS NULL AND version = $8 "
         "AND coalesce($7::date, end_date) >= coalesce($6::date, start_date) RETURNING version",
         8},
    /* A tombstone: the ID stays taken forever. $3: the version, or NULL for any. */
    [STMT_ACCOUNT_DELETE] = {"account_delete",
                             "UPDATE accounts SET deleted_at = now(), enabled = false, "
                             "updated_at = now(), version = version + 1 "
                             "WHERE institution_code = $1 AND user_id = $2 "
                             "AND deleted_at IS NULL AND ($3::int IS NULL OR version = $3) "
                             "RETURNING user_id",
                             3},
    /* Initialisation by the manager: a new initial password, and the lock cleared. */
    [STMT_ACCOUNT_RESET_PASSWORD] =
        {"account_reset_password",
         "UPDATE accounts SET password_hash = $3, password_is_initial = true, "
         "password_set_at = now(), failed_logins = 0, locked_at = NULL, updated_at = now(), "
         "version = version + 1 WHERE institution_code = $1 AND user_id = $2 "
         "AND deleted_at IS NULL RETURNING " TS(
             "(password_set_at + make_interval(days => $4::int))"),
         4},
    /* Days are Japanese calendar days; newest first; the total with every page. */
    [STMT_AUDIT_LIST] =
        {"audit_list",
         "WITH m AS (SELECT * FROM audit_log WHERE institution_code = $1 "
         "AND ($2::date IS NULL OR occurred_at >= $2::date::timestamp AT TIME ZONE 'Asia/Tokyo') "
         "AND ($3::date IS NULL OR occurred_at < ($3::date + 1)::timestamp AT TIME ZONE "
         "'Asia/Tokyo') AND ($4::text IS NULL OR actor = $4) "
         "AND ($5::text IS NULL OR action = $5) AND ($8::text IS NULL OR target = $8)) "
         "SELECT (SELECT count(*) FROM m), p.* FROM (SELECT 1) one LEFT JOIN LATERAL "
         "(SELECT id, " TS(
             "occurred_at") ", actor_kind, actor, action, target, source, "
                            "details::text FROM m ORDER BY id DESC LIMIT $6 OFFSET $7) p ON true",
         8},
    [STMT_SESSION_INSERT] = {"session_insert",
                             "INSERT INTO sessions (institution_code, secret_hash, user_id, "
                             "kind, csrf_hash, expires_at, source) VALUES ($1, $2::bytea, $3, "
                             "$4, $5::bytea, now() + make_interval(secs => $6::int), $7) "
                             "RETURNING to_char(expires_at AT TIME ZONE 'UTC', "
                             "'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')",
                             7},
    /* A session is alive while unexpired, not idle too long, and its account may still sign
     * in (a lock alone does not end sessions: anyone can lock an account by guessing); the
     * touch keeps last_seen_at fresh without a write per request: at most one a minute, and
     * at least every quarter of the idle timeout, so a request made in the second half of the
     * idle time (the console's 「ログインを続ける」) always moves the idle end on. */
    [STMT_SESSION_LOOKUP] =
        {"session_lookup",
         "WITH s AS (SELECT s.user_id, s.kind, s.csrf_hash, s.last_seen_at, s.expires_at "
         "FROM sessions s JOIN accounts a USING (institution_code, user_id) "
         "WHERE s.institution_code = $1 AND s.secret_hash = $2::bytea AND s.expires_at > now() "
         "AND (s.kind = 'token' OR s.last_seen_at > now() - make_interval(secs => $3::int)) "
         "AND a.enabled AND a.deleted_at IS NULL "
         "AND (now() AT TIME ZONE 'Asia/Tokyo')::date BETWEEN a.start_date AND a.end_date), "
         "touch AS (UPDATE sessions SET last_seen_at = now() WHERE institution_code = $1 "
         "AND secret_hash = $2::bytea "
         "AND last_seen_at < now() - make_interval(secs => least(60, $3::int / 4)) "
         "AND EXISTS (SELECT 1 FROM s) RETURNING last_seen_at) "
         "SELECT s.user_id, s.kind, s.csrf_hash = $4::bytea, a.role, a.password_is_initial, "
         "extract(epoch FROM now() - a.password_set_at)::bigint, a.name, i.kind, "
         "i.start_date > (now() AT TIME ZONE 'Asia/Tokyo')::date, i.name, a.name_kana, "
         "to_char(s.expires_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'), "
         /* the idle end as this request's touch leaves last_seen_at; tokens have none */
         "to_char(CASE WHEN s.kind = 'cookie' THEN coalesce((SELECT last_seen_at FROM touch), "
         "s.last_seen_at) + make_interval(secs => $3::int) END AT TIME ZONE 'UTC', "
         "'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"') "
         "FROM s JOIN accounts a ON a.institution_code = $1 AND a.user_id = s.user_id "
         "JOIN institutions i ON i.institution_code = $1",
         4},
    /* For live-update streams: is the session still alive, and until when, without touching
     * it (a stream must not keep an idle session alive). */
    [STMT_SESSION_CHECK] =
        {"session_check",
         "SELECT a.role, a.enabled AND a.deleted_at IS NULL "
         "AND (now() AT TIME ZONE 'Asia/Tokyo')::date BETWEEN a.start_date AND a.end_date, "
         "s.expires_at > now() AND (s.kind = 'token' "
         "OR s.last_seen_at > now() - make_interval(secs => $3::int)), "
         "extract(epoch FROM least(s.expires_at, CASE WHEN s.kind = 'cookie' THEN "
         "s.last_seen_at + make_interval(secs => $3::int) END))::bigint "
         "FROM sessions s JOIN accounts a USING (institution_code, user_id) "
         "WHERE s.institution_code = $1 AND s.secret_hash = $2::bytea",
         3},
    [STMT_SESSION_DELETE] = {"session_delete",
                             "DELETE FROM sessions WHERE institution_code = $1 "
                             "AND secret_hash = $2::bytea",
                             2},
    /* Row 0: the current hash, whether it is an initial one and its age; then the chosen
     * passwords from the history, newest first (the current one included when chosen). */
    [STMT_PASSWORD_STATE] = {"password_state",
                             "(SELECT 0, password_hash, password_set_at, password_is_initial, "
                             "extract(epoch FROM now() - password_set_at)::bigint FROM accounts "
                             "WHERE institution_code = $1 AND user_id = $2) UNION ALL "
                             "(SELECT 1, password_hash, set_at, false, 0 FROM password_history "
                             "WHERE institution_code = $1 AND user_id = $2 "
                             "ORDER BY set_at DESC LIMIT $3::int) ORDER BY 1, 3 DESC",
                             3},
    /* Only if the hash is still the one the check was made against. */
    [STMT_PASSWORD_SET] = {"password_set",
                           "UPDATE accounts SET password_hash = $4, password_is_initial = false, "
                           "password_set_at = now(), failed_logins = 0, updated_at = now(), "
                           "version = version + 1 WHERE institution_code = $1 AND user_id = $2 "
                           "AND password_hash = $3 AND locked_at IS NULL AND enabled "
                           "AND deleted_at IS NULL RETURNING user_id",
                           4},
    [STMT_PASSWORD_HISTORY_INSERT] = {"password_history_insert",
                                      "INSERT INTO password_history (institution_code, user_id, "
                                      "password_hash) VALUES ($1, $2, $3)",
                                      3},
    [STMT_SESSIONS_DELETE_ALL] = {"sessions_delete_all",
                                  "DELETE FROM sessions WHERE institution_code = $1 AND "
                                  "user_id = $2",
                                  2},

    /* Bulk registration. A job is inserted only while none of the institution is active
     * (the partial unique index settles two at the same instant). */
    [STMT_BULK_INSERT] =
        {"bulk_insert",
         "INSERT INTO bulk_jobs (reception_number, institution_code, tier, uploaded_by, status, "
         "row_count, failure, rows, finished_at) "
         "SELECT to_char(now() AT TIME ZONE 'Asia/Tokyo', 'YYYYMMDDHH24MISSMS') || '_H' || "
         "lpad((nextval('bulk_reception_seq') % 10000000)::text, 7, '0'), $1, $2, $3, $4, "
         "$5::int, $6, $7::jsonb, CASE WHEN $4 = 'waiting' THEN NULL ELSE now() END "
         "WHERE NOT EXISTS (SELECT 1 FROM bulk_jobs WHERE institution_code = $1 "
         "AND status IN ('waiting', 'processing')) "
         "RETURNING reception_number, " TS("received_at"),
         7},
    [STMT_BULK_NOTIFY] = {"bulk_notify", "SELECT pg_notify('onshi_bulk_jobs', $1)", 1},
    /* The oldest waiting job, or one whose worker's lease ran out (its process died). */
    [STMT_BULK_CLAIM] =
        {"bulk_claim",
         "UPDATE bulk_jobs j SET status = 'processing', lease_token = $1, "
         "lease_until = now() + make_interval(secs => $2::int), attempts = attempts + 1 "
         "FROM institutions i WHERE i.institution_code = j.institution_code "
         "AND j.reception_number = (SELECT reception_number FROM bulk_jobs "
         "WHERE status = 'waiting' OR (status = 'processing' AND lease_until < now()) "
         "ORDER BY received_at FOR UPDATE SKIP LOCKED LIMIT 1) "
         "RETURNING j.reception_number, j.institution_code, j.tier, j.uploaded_by, "
         "j.rows::text, j.attempts, i.kind",
         2},
    [STMT_BULK_RENEW] =
        {"bulk_renew",
         "UPDATE bulk_jobs SET lease_until = now() + make_interval(secs => $3::int) "
         "WHERE reception_number = $1 AND lease_token = $2 "
         "AND status = 'processing'",
         3},
    /* Rows checked so far, while the worker still holds the job (a trigger announces it). */
    [STMT_BULK_PROGRESS] = {"bulk_progress",
                            "UPDATE bulk_jobs SET processed_rows = $3::int "
                            "WHERE reception_number = $1 AND lease_token = $2 "
                            "AND status = 'processing'",
                            3},
    /* In the registering transaction: the job is still this worker's. */
    [STMT_BULK_HOLD] = {"bulk_hold",
                        "SELECT 1 FROM bulk_jobs WHERE reception_number = $1 AND "
                        "status = 'processing' AND lease_token = $2 FOR UPDATE",
                        2},
    /* IDs of the file (lower case) already used in the institution in any case, deleted ones
     * included (accounts_user_id_any_case). */
    [STMT_BULK_EXISTING] = {"bulk_existing",
                            "SELECT lower(user_id) FROM accounts WHERE institution_code = $1 "
                            "AND lower(user_id) = ANY ($2::text[])",
                            2},
    [STMT_BULK_REGISTER] = {"bulk_register",
                            "INSERT INTO accounts (institution_code, user_id, role, name, "
                            "name_kana, start_date, end_date, password_hash) "
                            "SELECT $1, user_id, role, name, name_kana, start_date, end_date, "
                            "password_hash FROM bulk_staging WHERE reception_number = $2 "
                            "ON CONFLICT DO NOTHING RETURNING user_id",
                            2},
    [STMT_BULK_UNSTAGE] = {"bulk_unstage", "DELETE FROM bulk_staging WHERE reception_number = $1",
                           1},
    [STMT_BULK_FINISH] =
        {"bulk_finish",
         "UPDATE bulk_jobs SET status = $3, finished_at = now(), registered_count = $4::int, "
         "duplicate_count = $5::int, error_count = $6::int, failure = $7, result = $8::bytea, "
         "result_expires_at = CASE WHEN $8 IS NULL THEN NULL "
         "ELSE now() + make_interval(days => $9::int) END, rows = NULL, lease_token = NULL, "
         "lease_until = NULL WHERE reception_number = $1 AND lease_token = $2 "
         "RETURNING reception_number",
         9},
    /* A worker that stops gives its job back. */
    [STMT_BULK_RELEASE] = {"bulk_release",
                           "UPDATE bulk_jobs SET status = 'waiting', lease_token = NULL, "
                           "lease_until = NULL WHERE reception_number = $1 AND lease_token = $2",
                           2},
    [STMT_BULK_PURGE] = {"bulk_purge",
                         "UPDATE bulk_jobs SET result = NULL, result_expires_at = NULL "
                         "WHERE result_expires_at < now()",
                         0},
    /* The newest jobs of a tier (or one of them), as the result screen shows them. */
    [STMT_BULK_LIST] = {"bulk_list",
                        "SELECT reception_number, status, " TS("received_at") ", " TS(
                            "finished_at") ", row_count, registered_count, duplicate_count, "
                                           "error_count, failure, result IS NOT NULL, "
                                           /* a finished job went through every row */
                                           "CASE WHEN finished_at IS NULL THEN "
                                           "processed_rows ELSE row_count END "
                                           "FROM bulk_jobs WHERE institution_code = $1 AND "
                                           "tier = $2 AND ($3::text IS NULL OR "
                                           "reception_number = $3) "
                                           "ORDER BY received_at DESC LIMIT 3",
                        3},
    [STMT_BULK_RESULT] = {"bulk_result",
                          "SELECT status, result FROM bulk_jobs WHERE institution_code = $1 "
                          "AND tier = $2 AND reception_number = $3",
                          3},

    /* Environment settings: stored values (NULL: the defaults), version, who and when, the
     * institution's kind, its related institutions, and the current terms and whether the
     * institution agreed to them. */
    [STMT_SETTINGS_GET] =
        {"settings_get",
         "SELECT s.settings::text, coalesce(s.version, 1), " TS(
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
    [STMT_SETTINGS_UPDATE] = {"settings_update",
                              "UPDATE institution_settings SET settings = $2::jsonb, "
                              "version = version + 1, updated_at = now(), updated_by = $4 "
                              "WHERE institution_code = $1 AND version = $3::int "
                              "RETURNING version",
                              4},
    [STMT_SETTINGS_FIRST] = {"settings_first",
                             "INSERT INTO institution_settings (institution_code, settings, "
                             "version, updated_by) SELECT $1, $2::jsonb, 2, $3 "
                             "ON CONFLICT DO NOTHING RETURNING version",
                             3},
    [STMT_TERMS_CURRENT] = {"terms_current",
                            "SELECT version, " TS(
                                "published_at") ", body FROM terms_of_use "
                                                "ORDER BY published_at DESC LIMIT 1",
                            0},
    [STMT_TERMS_AGREE] = {"terms_agree",
                          "INSERT INTO terms_agreements (institution_code, version, agreed_by) "
                          "VALUES ($1, $2, $3) ON CONFLICT DO NOTHING",
                          3},
    /* One registration at a time per institution: the limit below counts exactly. */
    [STMT_TEST_DATA_LOCK] = {"test_data_lock",
                             "SELECT pg_advisory_xact_lock(hashtextextended('onshi.test_data.' "
                             "|| $1, 0))",
                             1},
    [STMT_TEST_CARD_UNLINK] = {"test_card_unlink",
                               "DELETE FROM test_persons WHERE institution_code = $1 "
                               "AND serial_number = $2",
                               2},
    /* The count keeps an institution within its limit (under STMT_TEST_DATA_LOCK). */
    [STMT_TEST_PERSON_INSERT] =
        {"test_person_insert",
         "INSERT INTO test_persons (institution_code, source, category, qualification_type, "
         "serial_number, card_registered, insurer_number, insured_symbol, insured_number, "
         "insured_branch, payer_number, recipient_number, person, created_by) "
         "SELECT $1, $2, $3, $4, $5, $6::boolean, $7, $8, $9, $10, $11, $12, $13::jsonb, $14 "
         "WHERE (SELECT count(*) FROM test_persons WHERE institution_code = $1 AND source = $2) "
         "< $15::int RETURNING " TS("created_at"),
         15},
    [STMT_TEST_PERSONS_DELETE] = {"test_persons_delete",
                                  "DELETE FROM test_persons WHERE institution_code = $1 "
                                  "AND source = $2",
                                  2},
    [STMT_TEST_DATA_LIST] = {"test_data_list",
                             "SELECT source, serial_number, card_registered, person::text, "
                             "created_by, " TS(
                                 "created_at") " FROM test_persons "
                                               "WHERE institution_code = $1 ORDER BY id",
                             1},
    [STMT_TEST_CONSENTS_REVOKED] = {"test_consents_revoked",
                                    "SELECT count(*) FROM test_consents WHERE institution_code = "
                                    "$1 AND revoked_at IS NOT NULL AND source = 'card'",
                                    1},
    [STMT_TEST_CONSENTS_RESET] = {"test_consents_reset",
                                  "UPDATE test_consents SET revoked_at = NULL "
                                  "WHERE institution_code = $1 AND revoked_at IS NOT NULL "
                                  "AND source = 'card'",
                                  1},
    /* By insurance card (記号 and 枝番 only when given), or by 公費負担者番号 and 受給者番号.
     * Two rows mean 複数該当. */
    [STMT_QUAL_PERSON_BY_NUMBER] =
        {"qual_person_by_number",
         "SELECT id, person::text, coalesce(card_registered, true) FROM test_persons "
         "WHERE institution_code = $1 AND ((insurer_number = $2 AND insured_number = $3 "
         "AND ($4 = '' OR coalesce(insured_symbol, '') = $4) "
         "AND ($5 = '' OR coalesce(insured_branch, '') = $5)) "
         "OR (payer_number = $2 AND recipient_number = $3)) ORDER BY id LIMIT 2",
         5},
    [STMT_QUAL_PERSON_BY_SERIAL] = {"qual_person_by_serial",
                                    "SELECT id, person::text, card_registered FROM test_persons "
                                    "WHERE institution_code = $1 AND serial_number = $2 "
                                    "FOR UPDATE",
                                    2},
    [STMT_QUAL_CARD_REGISTERED] = {"qual_card_registered",
                                   "UPDATE test_persons SET card_registered = true "
                                   "WHERE institution_code = $1 AND id = $2::bigint",
                                   2},
    /* Per item: given (by any way, not revoked) and the latest such time in Japan time. */
    [STMT_QUAL_CONSENTS] =
        {"qual_consents",
         "SELECT item, to_char(max(given_at) FILTER (WHERE revoked_at IS NULL) AT TIME ZONE "
         "'Asia/Tokyo', 'YYYYMMDDHH24MISS') FROM test_consents WHERE institution_code = $1 "
         "AND person_id = $2::bigint GROUP BY item",
         2},
    [STMT_QUAL_CONSENT_GIVE] =
        {"qual_consent_give",
         "INSERT INTO test_consents (institution_code, person_id, item, source) "
         "VALUES ($1, $2::bigint, $3, 'card') ON CONFLICT (institution_code, person_id, item, "
         "source) DO UPDATE SET given_at = now(), revoked_at = NULL",
         3},
    /* 同意取消: every way the items were given to the card's person ends now; the number of
     * distinct items that were in force (fewer than asked: one was never given). */
    [STMT_CONSENTS_WITHDRAW] =
        {"consents_withdraw",
         "WITH w AS (UPDATE test_consents c SET revoked_at = now() FROM test_persons p "
         "WHERE p.institution_code = $1 AND p.serial_number = $2 AND c.institution_code = $1 "
         "AND c.person_id = p.id AND c.item = ANY($3::text[]) AND c.revoked_at IS NULL "
         "RETURNING c.item) SELECT count(DISTINCT item) FROM w",
         3},
    [STMT_CHECK_INSERT] =
        {"check_insert",
         "INSERT INTO qualification_checks (institution_code, account_id, account_kind, route, "
         "reference_classification, insurer_number, insured_symbol, insured_number, "
         "insured_branch, validity, result_status, result_code, file_identifier, "
         "prescription_form) "
         "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14) RETURNING id",
         14},
    [STMT_VIEW_INSERT] =
        {"view_insert",
         "INSERT INTO medical_info_views (institution_code, viewer_id, viewer_kind, "
         "insurer_number, insured_symbol, insured_number, insured_branch, category, consent, "
         "method, patient_name, patient_name_kana, viewer_name) VALUES ($1, $2, $3, $4, $5, "
         "$6, $7, $8, $9, $10, $11, $12, (SELECT name FROM accounts WHERE institution_code = "
         "$1 AND user_id = $2))",
         12},
    [STMT_CHECKS_COUNT] = {"checks_count",
                           "SELECT count(*) FROM qualification_checks WHERE institution_code = "
                           "$1 AND checked_at >= $2::timestamptz AND checked_at < $3::timestamptz",
                           3},
    [STMT_CHECKS_PAGE] =
        {"checks_page",
         "SELECT " TS(
             "checked_at") ", account_id, account_kind, route, "
                           "reference_classification, insurer_number, insured_symbol, "
                           "insured_number, "
                           "insured_branch, validity, result_status, result_code, file_identifier "
                           "FROM qualification_checks WHERE institution_code = $1 AND checked_at "
                           ">= "
                           "$2::timestamptz AND checked_at < $3::timestamptz ORDER BY checked_at "
                           "DESC, id DESC "
                           "LIMIT $4::int OFFSET $5::int",
         5},
    [STMT_VIEWS_COUNT] = {"views_count",
                          "SELECT count(*) FROM medical_info_views WHERE institution_code = $1 "
                          "AND viewed_at >= $2::timestamptz AND viewed_at < $3::timestamptz "
                          "AND ($4 = 'all' OR category = $4)",
                          4},
    [STMT_VIEWS_PAGE] =
        {"views_page",
         "SELECT " TS("viewed_at") ", viewer_id, viewer_name, viewer_kind, insurer_number, "
                                   "insured_symbol, insured_number, insured_branch, "
                                   "patient_name, patient_name_kana, category, consent, method "
                                   "FROM "
                                   "medical_info_views "
                                   "WHERE institution_code = $1 AND viewed_at >= $2::timestamptz "
                                   "AND viewed_at < "
                                   "$3::timestamptz AND ($4 = 'all' OR category = $4) ORDER BY "
                                   "viewed_at DESC, id DESC "
                                   "LIMIT $5::int OFFSET $6::int",
         6},
    /* One onshid at a time keeps the partitions; the others skip the round. */
    [STMT_HISTORY_LOCK] = {"history_lock",
                           "SELECT pg_try_advisory_xact_lock(hashtextextended("
                           "'onshi.history_partitions', 0))",
                           0},
    /* A year ahead, so that the DDL (which needs the parent's lock) runs about once a month. */
    [STMT_HISTORY_ENSURE] = {"history_ensure",
                             "SELECT history_partitions_ensure((now() AT TIME ZONE "
                             "'Asia/Tokyo')::date, 12)",
                             0},
    [STMT_HISTORY_DROP] = {"history_drop",
                           "SELECT history_partitions_drop_before(((now() AT TIME ZONE "
                           "'Asia/Tokyo')::date - make_interval(months => $1::int - 1))::date)",
                           1},
    [STMT_VISIT_LIST] =
        {"visit_list",
         "SELECT c.kind, c.generation, c.token, p.token, f.token FROM visit_tokens c "
         "LEFT JOIN visit_tokens p ON p.institution_code = c.institution_code AND p.kind = "
         "c.kind AND p.state = 'previous' JOIN visit_tokens f ON f.institution_code = "
         "c.institution_code AND f.kind = c.kind AND f.generation = 1 WHERE "
         "c.institution_code = $1 AND c.state = 'current' ORDER BY c.kind",
         1},
    [STMT_VISIT_CURRENT] = {"visit_current",
                            "SELECT generation, token FROM visit_tokens WHERE institution_code "
                            "= $1 AND kind = $2 AND state = 'current'",
                            2},
    /* One change of a kind at a time, whatever rows exist: a row lock alone would let the
     * second of two changes work from the states it read before the first committed. */
    [STMT_VISIT_SERIALIZE] = {"visit_serialize",
                              "SELECT pg_advisory_xact_lock(hashtextextended('onshi.visit.' || "
                              "$1 || '.' || $2, 0))",
                              2},
    [STMT_VISIT_LOCK] = {"visit_lock",
                         "SELECT generation, state FROM visit_tokens WHERE institution_code = "
                         "$1 AND kind = $2 ORDER BY generation FOR UPDATE",
                         2},
    [STMT_VISIT_SET_STATE] = {"visit_set_state",
                              "UPDATE visit_tokens SET state = $4 WHERE institution_code = $1 "
                              "AND kind = $2 AND generation = $3::int",
                              4},
    [STMT_VISIT_NEW] = {"visit_new",
                        "INSERT INTO visit_tokens (institution_code, kind, generation, token, "
                        "state, created_by) SELECT $1, $2, max(generation) + 1, "
                        "visit_token_new(), 'current', $3 FROM visit_tokens WHERE "
                        "institution_code = $1 AND kind = $2 RETURNING generation",
                        3},
    [STMT_VISIT_BY_TOKEN] =
        {"visit_by_token",
         "SELECT t.institution_code, t.kind, t.state, t.generation, i.name, i.kind, "
         "s.settings::text FROM visit_tokens t JOIN institutions i ON "
         "i.institution_code = t.institution_code LEFT JOIN institution_settings s ON "
         "s.institution_code = t.institution_code WHERE t.token = $1",
         1},
    /* Only through the token that is current as the row is written. */
    [STMT_VISIT_CONSENT_INSERT] =
        {"visit_consent_insert",
         "INSERT INTO visit_consent_requests (institution_code, kind, generation, serial_number, "
         "items, client_address, action) SELECT institution_code, kind, generation, $2, "
         "$3::text[], $4, $5 FROM visit_tokens WHERE token = $1 AND state = 'current' FOR SHARE "
         "RETURNING " TS("received_at"),
         5},
    /* In the verification environment the card's test person gets the consents, marked as
     * given through the patient page (閲覧同意情報初期化 leaves them alone). */
    [STMT_VISIT_CONSENT_GIVE] =
        {"visit_consent_give",
         "INSERT INTO test_consents (institution_code, person_id, item, source) SELECT $1, id, "
         "unnest($3::text[]), 'visit' FROM test_persons WHERE institution_code = $1 AND "
         "serial_number = $2 ON CONFLICT (institution_code, person_id, item, source) DO UPDATE "
         "SET given_at = now(), revoked_at = NULL",
         3},
    [STMT_READER_SERVICE] = {"reader_service",
                             "INSERT INTO reader_services (institution_code, up) VALUES ($1, "
                             "$2::boolean) ON CONFLICT (institution_code) DO UPDATE SET up = "
                             "EXCLUDED.up, seen_at = now()",
                             2},
    /* A reader the bridge lists: known from now on. */
    [STMT_READER_SEEN] = {"reader_seen",
                          "INSERT INTO readers (institution_code, name) VALUES ($1, $2) "
                          "ON CONFLICT DO NOTHING",
                          2},
    [STMT_READER_STATE] = {"reader_state",
                           "UPDATE readers SET state = $3, last_event_at = now() WHERE "
                           "institution_code = $1 AND name = $2",
                           3},
    /* A card was handled: 目視確認モード ends with it. */
    [STMT_READER_RESULT] =
        {"reader_result",
         "UPDATE readers SET last_result = $3::jsonb || "
         "jsonb_build_object('read_at', " TS(
             "now()") "), last_event_at = now(), "
                      "version = version + visual_confirmation::int, "
                      "visual_confirmation = false, visual_confirmation_at = NULL "
                      "WHERE institution_code = $1 AND name = $2",
         3},
    [STMT_READER_BINDING] = {"reader_binding",
                             "SELECT r.account_user_id, a.role FROM readers r JOIN accounts a "
                             "ON a.institution_code = r.institution_code AND a.user_id = "
                             "r.account_user_id AND a.deleted_at IS NULL AND a.enabled WHERE "
                             "r.institution_code = $1 AND r.name = $2",
                             2},
    [STMT_READER_VISUAL_EXPIRE] = {"reader_visual_expire",
                                   "UPDATE readers SET visual_confirmation = false, "
                                   "visual_confirmation_at = NULL, version = version + 1 "
                                   "WHERE institution_code = $1 "
                                   "AND visual_confirmation AND visual_confirmation_at < now() - "
                                   "make_interval(secs => $2::int)",
                                   2},
    /* Whether the institution has readers: a bridge has reported for it or readers seen. */
    [STMT_READERS_PRESENT] = {"readers_present",
                              "SELECT 1 WHERE EXISTS (SELECT 1 FROM reader_services WHERE "
                              "institution_code = $1) OR EXISTS (SELECT 1 FROM readers WHERE "
                              "institution_code = $1)",
                              1},
    /* The PC/SC service of several institutions, by the freshness rule of readers_list. */
    [STMT_READER_SERVICES_STATE] =
        {"reader_services_state",
         "SELECT c.code, coalesce(s.up AND s.seen_at > now() - interval '10 seconds', false), " TS(
             "s.seen_at") " FROM unnest($1::text[]) c(code) "
                          "LEFT JOIN reader_services s ON s.institution_code = c.code",
         1},
    [STMT_READERS_LIST] =
        {"readers_list",
         "SELECT r.name, r.state, " TS(
             "r.last_event_at") ", r.last_result::text, "
                                "r.account_user_id, r.mode, r.visual_confirmation AND "
                                "(r.visual_confirmation_at >= "
                                "now() - make_interval(secs => $2::int)), r.version, "
                                "coalesce(s.up AND s.seen_at > now() - interval '10 seconds', "
                                "false), " TS("s.seen_at") ", " TS(
                                    "(r.visual_confirmation_at + make_interval(secs => "
                                    "$2::int))") " "
                                                 "FROM (SELECT $1::text AS code) c LEFT JOIN "
                                                 "readers r ON r.institution_code = c.code "
                                                 "LEFT JOIN reader_services s ON "
                                                 "s.institution_code = c.code ORDER BY r.name",
         2},
    /* One row always: the new version (NULL when not updated) and whether the reader exists,
     * so a refusal says whether the version was stale or the reader unknown. */
    [STMT_READER_UPDATE] =
        {"reader_update",
         "WITH u AS (UPDATE readers SET mode = $3, visual_confirmation = $4::boolean, "
         "visual_confirmation_at = CASE WHEN $4::boolean THEN now() END, account_user_id = $5, "
         "version = version + 1 WHERE institution_code = $1 AND name = $2 AND version = "
         "$6::int RETURNING version) SELECT (SELECT version FROM u), EXISTS (SELECT 1 FROM "
         "readers WHERE institution_code = $1 AND name = $2)",
         6},
    [STMT_READER_DISPLAY_GET] = {"reader_display_get",
                                 "SELECT screens::text, version, " TS(
                                     "updated_at") ", "
                                                   "updated_by FROM reader_display_settings WHERE "
                                                   "institution_code = $1",
                                 1},
    /* version 1 (never saved): insert only if nobody did meanwhile; else update that version. */
    [STMT_READER_DISPLAY_SAVE] =
        {"reader_display_save",
         "WITH up AS (UPDATE reader_display_settings SET screens = $2::jsonb, version = version "
         "+ 1, updated_at = now(), updated_by = $4 WHERE institution_code = $1 AND version = "
         "$3::int RETURNING version), ins AS (INSERT INTO reader_display_settings "
         "(institution_code, screens, version, updated_by) SELECT $1, $2::jsonb, 2, $4 WHERE "
         "$3::int = 1 ON CONFLICT DO NOTHING RETURNING version) SELECT version FROM up UNION ALL "
         "SELECT version FROM ins",
         4},
    /* PMH 先行実施事業: the operator marks an institution; the old mark comes back (no row: no
     * such institution). */
    [STMT_INSTITUTION_PMH_SET] =
        {"institution_pmh_set",
         "WITH old AS (SELECT pmh_participant FROM institutions WHERE institution_code = $1 "
         "FOR UPDATE) UPDATE institutions i SET pmh_participant = $2::boolean FROM old "
         "WHERE i.institution_code = $1 RETURNING old.pmh_participant",
         2},
    /* An institution no longer a participant: 医療費助成情報 back to 利用しない, as a change. */
    [STMT_SETTINGS_SUBSIDY_OFF] =
        {"settings_subsidy_off",
         "UPDATE institution_settings SET settings = settings || "
         "'{\"medical_subsidy\": \"not_use\"}'::jsonb, version = version + 1, updated_at = "
         "now(), updated_by = $2 WHERE institution_code = $1 AND settings->>'medical_subsidy' = "
         "'use' RETURNING version",
         2},
    /* The reader's last card and its bound account, locked for the patient's answers. */
    [STMT_READER_LAST] = {"reader_last",
                          "SELECT last_result::text, coalesce(account_user_id, '') FROM readers "
                          "WHERE institution_code = $1 AND name = $2 FOR UPDATE",
                          2},
    [STMT_READER_ANSWERED] = {"reader_answered",
                              "UPDATE readers SET last_result = last_result || "
                              "jsonb_build_object('answers', $3::jsonb || "
                              "jsonb_build_object('answered_at', " TS(
                                  "now()") ")), last_event_at = now() "
                                           "WHERE institution_code = $1 AND name = $2",
                              3},
    /* The form a patient chose after the check (at the reader): that check's row, made within
     * the day (the bound lets the partitions be pruned). */
    [STMT_CHECK_PRESCRIPTION_FORM] = {"check_prescription_form",
                                      "UPDATE qualification_checks SET prescription_form = $3 "
                                      "WHERE institution_code = $1 AND id = $2::bigint AND "
                                      "checked_at > now() - interval '1 day'",
                                      3},
};
