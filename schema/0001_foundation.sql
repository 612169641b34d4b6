-- Foundation: institutions (tenants), their related institutions, the operator-created
-- accounts (master, master_reset; the other kinds follow in later migrations) and an
-- append-only audit log. institution_code leads every primary key: no row belongs to two
-- tenants, and the schema stays ready for distribution by institution.

CREATE TABLE institutions (
    institution_code text PRIMARY KEY
        CHECK (institution_code ~ '^(0[1-9]|[1-3][0-9]|4[0-7])[1346][0-9]{7}$'),
    name text NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
    kind text NOT NULL CHECK (kind IN ('medical', 'dental', 'pharmacy', 'home_nursing')),
    start_date date NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    CHECK (substr(institution_code, 3, 1) = CASE kind WHEN 'medical' THEN '1'
                                                        WHEN 'dental' THEN '3'
                                                        WHEN 'pharmacy' THEN '4'
                                                        ELSE '6' END)
);

-- 関連医療機関情報: shown read-only in the environment settings.
CREATE TABLE related_institutions (
    institution_code text NOT NULL REFERENCES institutions,
    related_code text NOT NULL CHECK (related_code ~ '^[0-9]{10}$'),
    name text NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
    established_on date,
    abolished_on date,
    PRIMARY KEY (institution_code, related_code),
    CHECK (abolished_on IS NULL OR established_on IS NULL OR abolished_on >= established_on)
);

CREATE TABLE accounts (
    institution_code text NOT NULL REFERENCES institutions,
    user_id text NOT NULL CHECK (user_id ~ '^[0-9A-Za-z]{2,16}$'),
    role text NOT NULL CHECK (role IN ('master', 'master_reset', 'admin', 'general',
                                       'medical_viewer', 'webapi', 'linked_app', 'face_reader')),
    name text NOT NULL DEFAULT '',
    name_kana text NOT NULL DEFAULT '',
    start_date date NOT NULL,
    end_date date NOT NULL DEFAULT DATE '9999-12-31',
    enabled boolean NOT NULL DEFAULT true,
    deleted_at timestamptz,
    -- Either '$argon2id$…' (chosen passwords) or '$sha256$salt$digest' (server-generated
    -- initial passwords, which carry ≥96 random bits, so a fast salted hash suffices).
    password_hash text NOT NULL,
    password_is_initial boolean NOT NULL DEFAULT true,
    password_set_at timestamptz NOT NULL DEFAULT now(),
    failed_logins integer NOT NULL DEFAULT 0 CHECK (failed_logins >= 0),
    locked_at timestamptz,
    last_login_at timestamptz,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    version integer NOT NULL DEFAULT 1,
    PRIMARY KEY (institution_code, user_id),
    CHECK (end_date >= start_date)
);

-- One master and one master-reset account per institution.
CREATE UNIQUE INDEX accounts_one_master ON accounts (institution_code)
    WHERE role = 'master';
CREATE UNIQUE INDEX accounts_one_master_reset ON accounts (institution_code)
    WHERE role = 'master_reset';

CREATE TABLE audit_log (
    institution_code text NOT NULL REFERENCES institutions,
    id bigint GENERATED ALWAYS AS IDENTITY,
    occurred_at timestamptz NOT NULL DEFAULT now(),
    actor_kind text NOT NULL CHECK (actor_kind IN ('operator', 'account', 'system')),
    actor text NOT NULL,
    action text NOT NULL,
    target text,
    source text,
    details jsonb NOT NULL DEFAULT '{}'::jsonb,
    PRIMARY KEY (institution_code, id)
);
CREATE INDEX audit_log_time ON audit_log (institution_code, occurred_at);

-- Append-only: history cannot be rewritten, not even by a bug in onshid.
CREATE FUNCTION audit_log_forbid_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit_log is append-only' USING ERRCODE = 'insufficient_privilege';
END
$$;
CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE OR TRUNCATE ON audit_log
    FOR EACH STATEMENT EXECUTE FUNCTION audit_log_forbid_change();
