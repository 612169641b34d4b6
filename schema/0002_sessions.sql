-- Sign-in: sessions (browser cookies) and tokens (WebAPI bearer tokens), and the history of
-- chosen passwords for the "not one of the last three" rule. Only SHA-256 digests of
-- session and token secrets are stored; the secret itself exists only at the client.

CREATE TABLE sessions (
    institution_code text NOT NULL,
    secret_hash bytea NOT NULL CHECK (length(secret_hash) = 32),
    user_id text NOT NULL,
    kind text NOT NULL CHECK (kind IN ('cookie', 'token')),
    -- Cookie sessions carry a CSRF token (stored as its digest); tokens do not need one.
    csrf_hash bytea CHECK ((kind = 'cookie') = (csrf_hash IS NOT NULL)),
    created_at timestamptz NOT NULL DEFAULT now(),
    last_seen_at timestamptz NOT NULL DEFAULT now(),
    expires_at timestamptz NOT NULL,
    source text,
    PRIMARY KEY (institution_code, secret_hash),
    FOREIGN KEY (institution_code, user_id) REFERENCES accounts
);
CREATE INDEX sessions_account ON sessions (institution_code, user_id);
CREATE INDEX sessions_expiry ON sessions (expires_at);

CREATE TABLE password_history (
    institution_code text NOT NULL,
    user_id text NOT NULL,
    set_at timestamptz NOT NULL DEFAULT clock_timestamp(),
    password_hash text NOT NULL,
    PRIMARY KEY (institution_code, user_id, set_at),
    FOREIGN KEY (institution_code, user_id) REFERENCES accounts
);
