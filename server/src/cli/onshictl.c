/* onshictl: what the 実施機関 (the operator) does: migrate the schema, create institutions
 * with their master and master-reset accounts, initialise those two accounts' passwords,
 * relate institutions, list them, and set up the demo institution. Messages come from the error
 * registry; exit codes are distinct. */
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "core/account.h"
#include "core/date.h"
#include "core/institution.h"
#include "store/account.h"
#include "store/db.h"
#include "store/institution.h"
#include "store/migrations.h"
#include "store/session.h"
#include "store/settings.h"
#include "util/config.h"
#include "util/errors.h"
#include "util/log.h"
#include "util/secret.h"

enum {
    EXIT_OK = 0,
    EXIT_FAILURE_ = 1, /* unexpected (database error mid-way) */
    EXIT_USAGE = 2,
    EXIT_CONFIG = 3,
    EXIT_DATABASE = 4,
    EXIT_SCHEMA = 5,
    EXIT_INVALID = 10,
    EXIT_EXISTS = 11,
    EXIT_NOT_FOUND = 12,
    EXIT_ACCOUNT_NOT_FOUND = 13,
    EXIT_ACCOUNT_KIND = 14,
};

#define DEMO_CODE "1319900019"
#define DEMO_NAME "onshi デモ診療所"

struct ctl {
    const char *config_path;
    bool json;
    const struct config *cfg; /* published by connect_db (db_tx reads its retry limit) */
    struct db *db;
};

static void usage(FILE *out)
{
    fputs("usage: onshictl [--config FILE] [--json] COMMAND ...\n"
          "commands:\n"
          "  migrate                        apply the schema migrations this build carries\n"
          "  institution create --code CODE --name NAME --kind KIND --start-date YYYY-MM-DD\n"
          "                                 KIND: medical, dental, pharmacy, home_nursing;\n"
          "                                 prints the master and master-reset accounts'\n"
          "                                 user IDs and initial passwords (shown only once)\n"
          "  institution list               list institutions\n"
          "  institution relate --code CODE --related-code CODE --name NAME\n"
          "                     [--established YYYY-MM-DD] [--abolished YYYY-MM-DD]\n"
          "                                 add or update a related institution (関連医療機関)\n"
          "  pmh --institution CODE on|off  mark the institution as taking part in the PMH\n"
          "                                 先行実施事業 (医療費助成情報 may then be 利用する);\n"
          "                                 off puts a 利用する back to 利用しない\n"
          "  account reset --institution CODE --account master|master_reset|USER_ID [--json]\n"
          "                                 give the institution's master or master-reset\n"
          "                                 account a new initial password (shown only once;\n"
          "                                 it must be changed at the first sign-in), clear\n"
          "                                 its lock and end all its sessions and tokens\n"
          "  demo                           create the demo institution " DEMO_CODE " if missing\n"
          "The database comes from database_url in --config FILE or ONSHI_DATABASE_URL.\n"
          "exit codes: 0 ok, 1 unexpected failure, 2 usage, 3 configuration,\n"
          "            4 database unreachable, 5 schema not current (run migrate),\n"
          "            10 invalid input, 11 already exists, 12 not found (institution),\n"
          "            13 account not found, 14 account of a kind onshictl does not initialise\n",
          out);
}

/* Prints a registry error: "error: <code>: <Japanese message> (<hint>)". */
static int fail_with(enum err_code code, const char *what, int exit_code)
{
    const struct error_def *e = &error_table[code];
    fprintf(stderr, "onshictl: error: %s%s%s: %s (%s)\n", what ? what : "", what ? ": " : "",
            e->code, e->message, e->hint);
    return exit_code;
}

static int connect_db(struct ctl *ctl, bool prepare)
{
    char err[1024];
    struct config loaded;
    if (config_load(ctl->config_path, &loaded, err, sizeof err) != 0) {
        fprintf(stderr, "onshictl: configuration error: %s\n", err);
        return EXIT_CONFIG;
    }
    config_publish(&loaded);
    ctl->cfg = config_current();
    /* Check the schema on a plain connection first: preparing statements against an old
     * schema would fail with a less helpful message. */
    struct db_options opt = {ctl->cfg->database_url, ctl->cfg->db_connect_timeout, false};
    ctl->db = db_open(&opt, err, sizeof err);
    if (!ctl->db) {
        fprintf(stderr, "onshictl: %s\n", err);
        return EXIT_DATABASE;
    }
    if (!prepare)
        return EXIT_OK;
    if (schema_check_current(ctl->db, err, sizeof err) != 0) {
        fprintf(stderr, "onshictl: %s\n", err);
        return EXIT_SCHEMA;
    }
    db_close(ctl->db);
    opt.prepare = true;
    ctl->db = db_open(&opt, err, sizeof err);
    if (!ctl->db) {
        fprintf(stderr, "onshictl: %s\n", err);
        return EXIT_DATABASE;
    }
    return EXIT_OK;
}

static int cmd_migrate(struct ctl *ctl)
{
    int rc = connect_db(ctl, false);
    if (rc != EXIT_OK)
        return rc;
    char err[1024];
    int applied = schema_migrate(ctl->db, ctl->json ? NULL : stdout, err, sizeof err);
    if (applied < 0) {
        fprintf(stderr, "onshictl: %s\n", err);
        return EXIT_SCHEMA;
    }
    if (ctl->json)
        printf("{\"applied\":%d,\"schema_version\":%d}\n", applied, schema_expected_version());
    else
        printf("schema is at version %d (%d migration%s applied)\n", schema_expected_version(),
               applied, applied == 1 ? "" : "s");
    return EXIT_OK;
}

struct new_institution {
    const char *code, *name, *kind, *start_date;
    char accounts_from[11]; /* the operator accounts work from today, before 利用開始日 too */
    char master_id[16], reset_id[16];
    char master_pw[INITIAL_PASSWORD_LEN + 1], reset_pw[INITIAL_PASSWORD_LEN + 1];
    char *master_hash, *reset_hash;
    const char *actor, *source;
};

static int create_tx(struct db *db, void *p)
{
    struct new_institution *n = p;
    int rc = store_institution_insert(db, n->code, n->name, n->kind, n->start_date);
    if (rc < 0)
        return rc;
    rc = store_account_insert_operator(db, n->code, n->master_id, role_id(ROLE_MASTER),
                                       role_label(ROLE_MASTER), n->accounts_from, n->master_hash);
    if (rc < 0)
        return rc;
    rc = store_account_insert_operator(db, n->code, n->reset_id, role_id(ROLE_MASTER_RESET),
                                       "マスタアカウントリセット用", n->accounts_from,
                                       n->reset_hash);
    if (rc < 0)
        return rc;
    json_t *details = json_pack("{s:s, s:s, s:s, s:[s, s]}", "name", n->name, "kind", n->kind,
                                "start_date", n->start_date, "accounts", n->master_id, n->reset_id);
    rc = store_audit_insert(db, n->code, "operator", n->actor, "institution.create", n->code,
                            n->source, details);
    json_decref(details);
    return rc;
}

static const char *operator_name(void)
{
    const char *u = getenv("SUDO_USER");
    if (!u || !*u)
        u = getenv("USER");
    return u && *u ? u : "operator";
}

/* Today in Japan (UTC+9, no daylight saving), as YYYY-MM-DD. */
static void japan_today(char out[11])
{
    time_t now = time(NULL) + 9 * 3600;
    struct tm tm;
    gmtime_r(&now, &tm);
    strftime(out, 11, "%Y-%m-%d", &tm);
}

/* Where an operator change came from, for the audit log: onshictl@<host>. */
static const char *operator_source(char *buf, size_t len)
{
    char host[256] = "localhost";
    gethostname(host, sizeof host - 1);
    snprintf(buf, len, "onshictl@%s", host);
    return buf;
}

static void print_created(const struct ctl *ctl, const struct new_institution *n)
{
    if (ctl->json) {
        json_t *o =
            json_pack("{s:s, s:s, s:s, s:s, s:{s:s, s:s}, s:{s:s, s:s}}", "institution_code",
                      n->code, "name", n->name, "kind", n->kind, "start_date", n->start_date,
                      "master", "user_id", n->master_id, "initial_password", n->master_pw,
                      "master_reset", "user_id", n->reset_id, "initial_password", n->reset_pw);
        char *text = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);
        printf("%s\n", text ? text : "{}");
        free(text);
        json_decref(o);
        return;
    }
    printf("institution %s (%s, %s) created, usage starts %s\n"
           "  master account:        user ID %s  initial password %s\n"
           "  master-reset account:  user ID %s  initial password %s\n"
           "The initial passwords are shown only now and are valid for 30 days.\n",
           n->code, n->name, n->kind, n->start_date, n->master_id, n->master_pw, n->reset_id,
           n->reset_pw);
}

/* Validates, creates and prints. `exists_ok` makes an existing institution a success. */
static int create_institution(struct ctl *ctl, const char *code, const char *name,
                              const char *kind_id, const char *start_date, bool exists_ok)
{
    enum institution_kind kind;
    enum err_code e;
    struct date d;
    if (!institution_kind_parse(kind_id, &kind))
        return fail_with(ERR_INSTITUTION_KIND_INVALID, kind_id, EXIT_INVALID);
    if (!institution_code_check(code, kind, &e))
        return fail_with(e, code, EXIT_INVALID);
    if (!institution_name_check(name))
        return fail_with(ERR_INSTITUTION_NAME_INVALID, NULL, EXIT_INVALID);
    if (!date_parse(start_date, &d))
        return fail_with(ERR_INSTITUTION_DATE_INVALID, start_date, EXIT_INVALID);
    int rc = connect_db(ctl, true);
    if (rc != EXIT_OK)
        return rc;

    struct new_institution n = {.code = code,
                                .name = name,
                                .kind = kind_id,
                                .start_date = start_date,
                                .actor = operator_name()};
    char source[300];
    n.source = operator_source(source, sizeof source);
    japan_today(n.accounts_from);
    institution_master_user_id(code, n.master_id);
    institution_master_reset_user_id(code, n.reset_id);
    if (secret_initial_password(n.master_pw) != 0 || secret_initial_password(n.reset_pw) != 0 ||
        !(n.master_hash = secret_hash_initial(n.master_pw)) ||
        !(n.reset_hash = secret_hash_initial(n.reset_pw))) {
        free(n.master_hash);
        return fail_with(ERR_SERVER_INTERNAL, "random number generator", EXIT_FAILURE_);
    }
    rc = db_tx(ctl->db, "onshictl.institution_create", DB_READ_COMMITTED, create_tx, &n);
    free(n.master_hash);
    free(n.reset_hash);
    if (rc == DB_CONFLICT) {
        if (!exists_ok)
            return fail_with(ERR_INSTITUTION_EXISTS, code, EXIT_EXISTS);
        if (ctl->json)
            printf("{\"institution_code\":\"%s\",\"created\":false}\n", code);
        else
            printf("institution %s already exists; nothing changed\n", code);
        return EXIT_OK;
    }
    if (rc == DB_UNKNOWN) {
        /* If the commit did happen these passwords exist nowhere else: show them anyway. */
        print_created(ctl, &n);
        fprintf(stderr,
                "onshictl: the database connection was lost while committing: check with "
                "'onshictl institution list' whether %s exists; if it does, the passwords "
                "above are its accounts'\n",
                code);
        return EXIT_FAILURE_;
    }
    if (rc < 0)
        return fail_with(ERR_SERVER_INTERNAL, "database", EXIT_FAILURE_);
    print_created(ctl, &n);
    return EXIT_OK;
}

/* Parses --name value pairs of a subcommand into the matching slots. */
struct flag {
    const char *name;
    const char **value;
};

static int parse_flags(int argc, char **argv, struct flag *flags, size_t n)
{
    for (int i = 0; i < argc; i++) {
        bool matched = false;
        for (size_t f = 0; f < n && !matched; f++) {
            size_t len = strlen(flags[f].name);
            if (strncmp(argv[i], flags[f].name, len) != 0)
                continue;
            if (argv[i][len] == '=') {
                *flags[f].value = argv[i] + len + 1;
                matched = true;
            } else if (argv[i][len] == '\0' && i + 1 < argc) {
                *flags[f].value = argv[++i];
                matched = true;
            }
        }
        if (!matched) {
            fprintf(stderr, "onshictl: unexpected argument '%s'\n", argv[i]);
            return -1;
        }
    }
    return 0;
}

static int require(const char *value, const char *flag)
{
    if (value && *value)
        return 0;
    fprintf(stderr, "onshictl: %s is required\n", flag);
    return -1;
}

static int cmd_institution_create(struct ctl *ctl, int argc, char **argv)
{
    const char *code = NULL, *name = NULL, *kind = NULL, *start = NULL;
    struct flag flags[] = {
        {"--code", &code}, {"--name", &name}, {"--kind", &kind}, {"--start-date", &start}};
    if (parse_flags(argc, argv, flags, 4) != 0 || require(code, "--code") ||
        require(name, "--name") || require(kind, "--kind") || require(start, "--start-date"))
        return EXIT_USAGE;
    return create_institution(ctl, code, name, kind, start, false);
}

static int cmd_institution_list(struct ctl *ctl, int argc, char **argv)
{
    (void)argv;
    if (argc != 0) {
        usage(stderr);
        return EXIT_USAGE;
    }
    int rc = connect_db(ctl, true);
    if (rc != EXIT_OK)
        return rc;
    json_t *list;
    if (store_institution_list(ctl->db, &list) < 0)
        return fail_with(ERR_SERVER_INTERNAL, "database", EXIT_FAILURE_);
    if (ctl->json) {
        char *text = json_dumps(list, JSON_COMPACT | JSON_PRESERVE_ORDER);
        printf("%s\n", text ? text : "[]");
        free(text);
    } else {
        size_t i;
        json_t *row;
        printf("%-10s  %-12s  %-10s  %8s  %s\n", "code", "kind", "start", "accounts", "name");
        json_array_foreach(list, i, row)
        {
            printf("%-10s  %-12s  %-10s  %8lld  %s\n",
                   json_string_value(json_object_get(row, "institution_code")),
                   json_string_value(json_object_get(row, "kind")),
                   json_string_value(json_object_get(row, "start_date")),
                   (long long)json_integer_value(json_object_get(row, "accounts")),
                   json_string_value(json_object_get(row, "name")));
        }
    }
    json_decref(list);
    return EXIT_OK;
}

struct relate_args {
    const char *code, *related, *name, *established, *abolished, *actor, *source;
};

static int relate_tx(struct db *db, void *p)
{
    struct relate_args *a = p;
    char *existing = NULL;
    int rc = store_institution_name(db, a->code, &existing);
    free(existing);
    if (rc <= 0)
        return rc == DB_NONE ? DB_NONE : rc;
    rc = store_related_upsert(db, a->code, a->related, a->name, a->established, a->abolished);
    if (rc < 0)
        return rc;
    json_t *details = json_pack("{s:s, s:s?, s:s?}", "name", a->name, "established_on",
                                a->established, "abolished_on", a->abolished);
    rc = store_audit_insert(db, a->code, "operator", a->actor, "institution.relate", a->related,
                            a->source, details);
    json_decref(details);
    return rc < 0 ? rc : 1;
}

static int cmd_institution_relate(struct ctl *ctl, int argc, char **argv)
{
    char source[300];
    struct relate_args a = {.actor = operator_name(),
                            .source = operator_source(source, sizeof source)};
    struct flag flags[] = {{"--code", &a.code},
                           {"--related-code", &a.related},
                           {"--name", &a.name},
                           {"--established", &a.established},
                           {"--abolished", &a.abolished}};
    if (parse_flags(argc, argv, flags, 5) != 0 || require(a.code, "--code") ||
        require(a.related, "--related-code") || require(a.name, "--name"))
        return EXIT_USAGE;
    enum err_code e;
    struct date est, abo;
    if (!institution_code_check_any(a.code, &e))
        return fail_with(e, a.code, EXIT_INVALID);
    if (!institution_code_check_any(a.related, &e))
        return fail_with(e, a.related, EXIT_INVALID);
    if (!institution_name_check(a.name))
        return fail_with(ERR_INSTITUTION_NAME_INVALID, NULL, EXIT_INVALID);
    if (a.established && !date_parse(a.established, &est))
        return fail_with(ERR_INSTITUTION_DATE_INVALID, a.established, EXIT_INVALID);
    if (a.abolished && !date_parse(a.abolished, &abo))
        return fail_with(ERR_INSTITUTION_DATE_INVALID, a.abolished, EXIT_INVALID);
    if (a.established && a.abolished && date_compare(&abo, &est) < 0)
        return fail_with(ERR_INSTITUTION_DATE_ORDER, NULL, EXIT_INVALID);
    int rc = connect_db(ctl, true);
    if (rc != EXIT_OK)
        return rc;
    rc = db_tx(ctl->db, "onshictl.relate", DB_READ_COMMITTED, relate_tx, &a);
    if (rc == DB_NONE)
        return fail_with(ERR_INSTITUTION_NOT_FOUND, a.code, EXIT_NOT_FOUND);
    if (rc == DB_UNKNOWN) {
        fprintf(stderr, "onshictl: the database connection was lost while committing; run the "
                        "same command again (it updates the same record)\n");
        return EXIT_FAILURE_;
    }
    if (rc < 0)
        return fail_with(ERR_SERVER_INTERNAL, "database", EXIT_FAILURE_);
    if (ctl->json)
        printf("{\"institution_code\":\"%s\",\"related_code\":\"%s\"}\n", a.code, a.related);
    else
        printf("related institution %s recorded for %s\n", a.related, a.code);
    return EXIT_OK;
}

/* PMH (Public Medical Hub) 先行実施事業: only a participant may use 医療費助成情報 (manual ch. 3).
 */
struct pmh_args {
    const char *code, *actor, *source;
    bool on, was, cleared;
};

static int pmh_tx(struct db *db, void *p)
{
    struct pmh_args *a = p;
    int rc = store_institution_pmh_set(db, a->code, a->on, "実施機関", &a->was, &a->cleared);
    if (rc <= 0)
        return rc;
    json_t *details = json_pack("{s:b, s:b, s:b}", "pmh_participant", a->on, "before", a->was,
                                "medical_subsidy_turned_off", a->cleared);
    rc = store_audit_insert(db, a->code, "operator", a->actor, "institution.pmh", a->code,
                            a->source, details);
    json_decref(details);
    return rc < 0 ? rc : 1;
}

static int cmd_pmh(struct ctl *ctl, int argc, char **argv)
{
    char source[300];
    struct pmh_args a = {.actor = operator_name(),
                         .source = operator_source(source, sizeof source)};
    struct flag flags[] = {{"--institution", &a.code}};
    const char *state = argc > 0 ? argv[argc - 1] : NULL;
    if (!state || (strcmp(state, "on") != 0 && strcmp(state, "off") != 0) ||
        parse_flags(argc - 1, argv, flags, 1) != 0 || require(a.code, "--institution")) {
        usage(stderr);
        return EXIT_USAGE;
    }
    a.on = strcmp(state, "on") == 0;
    enum err_code e;
    if (!institution_code_check_any(a.code, &e))
        return fail_with(e, a.code, EXIT_INVALID);
    int rc = connect_db(ctl, true);
    if (rc != EXIT_OK)
        return rc;
    rc = db_tx(ctl->db, "onshictl.pmh", DB_READ_COMMITTED, pmh_tx, &a);
    if (rc == DB_NONE)
        return fail_with(ERR_INSTITUTION_NOT_FOUND, a.code, EXIT_NOT_FOUND);
    if (rc < 0)
        return fail_with(ERR_SERVER_INTERNAL, "database", EXIT_FAILURE_);
    if (ctl->json)
        printf("{\"institution_code\":\"%s\",\"pmh_participant\":%s,\"before\":%s,"
               "\"medical_subsidy_turned_off\":%s}\n",
               a.code, a.on ? "true" : "false", a.was ? "true" : "false",
               a.cleared ? "true" : "false");
    else
        printf("%s: PMH participant %s%s\n", a.code, a.on ? "on" : "off",
               a.cleared ? " (医療費助成情報 set back to 利用しない)" : "");
    return EXIT_OK;
}

/* The master and master-reset accounts have no account above them to initialise their
 * passwords: 「実施機関で初期化します」 (manual ch. 2 §3(2)). Without this an institution whose
 * master-reset initial password lapsed would be locked out for good. */
struct reset_args {
    const char *code, *actor, *source, *hash;
    char user_id[17], role[16];
    struct account_policy policy;
    enum { RESET_DONE, RESET_NO_INSTITUTION, RESET_NO_ACCOUNT, RESET_WRONG_KIND } outcome;
    bool was_locked;
    int sessions_ended;
    char expires_at[32];
};

/* The operator stands in for the two accounts nobody in the institution can reset. */
static bool operator_initialises(const char *role)
{
    enum role r;
    return role_parse(role, &r) && (r == ROLE_MASTER || r == ROLE_MASTER_RESET);
}

static bool is_master(const char *role)
{
    enum role r;
    return role_parse(role, &r) && r == ROLE_MASTER;
}

static int reset_tx(struct db *db, void *p)
{
    struct reset_args *a = p;
    char *name = NULL;
    a->outcome = RESET_NO_INSTITUTION;
    int rc = store_institution_name(db, a->code, &name);
    free(name);
    if (rc <= 0)
        return rc;
    a->outcome = RESET_NO_ACCOUNT;
    struct account_row row;
    rc = store_account_get(db, a->code, a->user_id, &a->policy, &row);
    if (rc <= 0)
        return rc;
    snprintf(a->role, sizeof a->role, "%s", row.role);
    a->was_locked = row.locked;
    account_row_free(&row);
    if (!operator_initialises(a->role)) {
        a->outcome = RESET_WRONG_KIND;
        return DB_ABORT;
    }
    /* The same statement as the server's own reset: initial, clock restarted, lock cleared. */
    rc = store_account_reset_password(db, a->code, a->user_id, a->hash,
                                      a->policy.initial_password_days, a->expires_at);
    if (rc <= 0)
        return rc;
    /* Deleted, not just stopped: no cookie or token from before ever works again. */
    rc = store_sessions_delete_all(db, a->code, a->user_id);
    if (rc < 0)
        return rc;
    a->sessions_ended = rc;
    json_t *details = json_pack("{s:s, s:b, s:i}", "role", a->role, "unlocked", a->was_locked,
                                "sessions_ended", a->sessions_ended);
    rc = store_audit_insert(db, a->code, "operator", a->actor, "account.password_reset", a->user_id,
                            a->source, details);
    json_decref(details);
    if (rc < 0)
        return rc;
    a->outcome = RESET_DONE;
    return 1;
}

static void print_reset(const struct ctl *ctl, const struct reset_args *a, const char *password)
{
    if (ctl->json) {
        json_t *o = json_pack("{s:s, s:s, s:s, s:s, s:s, s:b, s:i}", "institution_code", a->code,
                              "user_id", a->user_id, "role", a->role, "initial_password", password,
                              "expires_at", a->expires_at, "unlocked", a->was_locked,
                              "sessions_ended", a->sessions_ended);
        char *text = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);
        printf("%s\n", text ? text : "{}");
        if (text)
            secret_wipe(text, strlen(text));
        free(text);
        json_decref(o);
        return;
    }
    printf("%s account %s of %s: new initial password %s\n"
           "The initial password is shown only now; it is valid until %s and must be changed\n"
           "at the first sign-in. %sSessions and tokens ended: %d.\n",
           is_master(a->role) ? "master" : "master-reset", a->user_id, a->code, password,
           a->expires_at, a->was_locked ? "The lock is cleared. " : "", a->sessions_ended);
}

static int cmd_account_reset(struct ctl *ctl, int argc, char **argv)
{
    const char *account = NULL;
    char source[300];
    struct reset_args a = {.actor = operator_name(),
                           .source = operator_source(source, sizeof source)};
    /* --json may also follow the command, as the other flags do. */
    char *rest[16];
    int nrest = 0;
    for (int i = 0; i < argc; i++) {
        if (strcmp(argv[i], "--json") == 0)
            ctl->json = true;
        else if (nrest < (int)(sizeof rest / sizeof rest[0]))
            rest[nrest++] = argv[i];
        else {
            fprintf(stderr, "onshictl: unexpected argument '%s'\n", argv[i]);
            return EXIT_USAGE;
        }
    }
    struct flag flags[] = {{"--institution", &a.code}, {"--account", &account}};
    if (parse_flags(nrest, rest, flags, 2) != 0 || require(a.code, "--institution") ||
        require(account, "--account"))
        return EXIT_USAGE;
    enum err_code e;
    if (!institution_code_check_any(a.code, &e))
        return fail_with(e, a.code, EXIT_INVALID);
    enum role kind;
    bool named_kind = role_parse(account, &kind);
    if (named_kind && kind == ROLE_MASTER)
        institution_master_user_id(a.code, a.user_id);
    else if (named_kind && kind == ROLE_MASTER_RESET)
        institution_master_reset_user_id(a.code, a.user_id);
    else if (named_kind)
        return fail_with(ERR_ACCOUNT_OPERATOR_RESET_KIND, account, EXIT_ACCOUNT_KIND);
    else if (strlen(account) < sizeof a.user_id)
        snprintf(a.user_id, sizeof a.user_id, "%s", account);
    else
        return fail_with(ERR_ACCOUNT_NOT_FOUND, account, EXIT_ACCOUNT_NOT_FOUND);
    int rc = connect_db(ctl, true);
    if (rc != EXIT_OK)
        return rc;
    a.policy = (struct account_policy){ctl->cfg->lockout_threshold, ctl->cfg->initial_password_days,
                                       ctl->cfg->password_expiry_days};
    /* As the server's own reset (POST /accounts/{user_id}/password-reset) makes them. */
    char password[INITIAL_PASSWORD_LEN + 1];
    char *hash = NULL;
    if (secret_initial_password(password) != 0 || !(hash = secret_hash_initial(password)))
        return fail_with(ERR_SERVER_INTERNAL, "random number generator", EXIT_FAILURE_);
    a.hash = hash;
    rc = db_tx(ctl->db, "onshictl.account_reset", DB_READ_COMMITTED, reset_tx, &a);
    free(hash);
    if (rc == DB_UNKNOWN) {
        /* Whether it happened or not, a new run gives a password that is surely current. */
        rc = EXIT_FAILURE_;
        fprintf(stderr, "onshictl: the database connection was lost while committing; run the "
                        "same command again for a new initial password\n");
    } else if (a.outcome == RESET_NO_INSTITUTION && rc >= 0)
        rc = fail_with(ERR_INSTITUTION_NOT_FOUND, a.code, EXIT_NOT_FOUND);
    else if (a.outcome == RESET_NO_ACCOUNT && rc >= 0)
        rc = fail_with(ERR_ACCOUNT_NOT_FOUND, a.user_id, EXIT_ACCOUNT_NOT_FOUND);
    else if (a.outcome == RESET_WRONG_KIND)
        rc = fail_with(ERR_ACCOUNT_OPERATOR_RESET_KIND, a.user_id, EXIT_ACCOUNT_KIND);
    else if (rc < 0)
        rc = fail_with(ERR_SERVER_INTERNAL, "database", EXIT_FAILURE_);
    else {
        print_reset(ctl, &a, password);
        rc = EXIT_OK;
    }
    secret_wipe(password, sizeof password);
    return rc;
}

static int cmd_demo(struct ctl *ctl, int argc, char **argv)
{
    (void)argv;
    if (argc != 0) {
        usage(stderr);
        return EXIT_USAGE;
    }
    /* The demo's usage starts today, so every menu is open at once. */
    char today[11];
    japan_today(today);
    return create_institution(ctl, DEMO_CODE, DEMO_NAME, "medical", today, true);
}

int main(int argc, char **argv)
{
    struct ctl ctl = {0};
    static const struct option longopts[] = {
        {"config", required_argument, NULL, 'c'},
        {"json", no_argument, NULL, 'j'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    int ch;
    /* '+': stop at the command, so its own flags are not taken as ours. */
    while ((ch = getopt_long(argc, argv, "+c:h", longopts, NULL)) != -1) {
        switch (ch) {
        case 'c':
            ctl.config_path = optarg;
            break;
        case 'j':
            ctl.json = true;
            break;
        case 'h':
            usage(stdout);
            return EXIT_OK;
        default:
            usage(stderr);
            return EXIT_USAGE;
        }
    }
    log_set_level(LOG_ERROR);
    int rest = argc - optind;
    char **args = argv + optind;
    int rc;
    if (rest >= 1 && strcmp(args[0], "migrate") == 0 && rest == 1)
        rc = cmd_migrate(&ctl);
    else if (rest >= 2 && strcmp(args[0], "institution") == 0 && strcmp(args[1], "create") == 0)
        rc = cmd_institution_create(&ctl, rest - 2, args + 2);
    else if (rest >= 2 && strcmp(args[0], "institution") == 0 && strcmp(args[1], "list") == 0)
        rc = cmd_institution_list(&ctl, rest - 2, args + 2);
    else if (rest >= 2 && strcmp(args[0], "institution") == 0 && strcmp(args[1], "relate") == 0)
        rc = cmd_institution_relate(&ctl, rest - 2, args + 2);
    else if (rest >= 2 && strcmp(args[0], "account") == 0 && strcmp(args[1], "reset") == 0)
        rc = cmd_account_reset(&ctl, rest - 2, args + 2);
    else if (rest >= 1 && strcmp(args[0], "pmh") == 0)
        rc = cmd_pmh(&ctl, rest - 1, args + 1);
    else if (rest >= 1 && strcmp(args[0], "demo") == 0)
        rc = cmd_demo(&ctl, rest - 1, args + 1);
    else {
        usage(stderr);
        rc = EXIT_USAGE;
    }
    db_close(ctl.db);
    config_shutdown();
    return rc;
}
