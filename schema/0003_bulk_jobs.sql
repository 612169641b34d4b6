-- Bulk account registration (アカウント一括登録, manual ch. 2 §4–5): one job per uploaded
-- file, processed by a worker thread in any onshid sharing the database.

CREATE SEQUENCE bulk_reception_seq;

CREATE TABLE bulk_jobs (
    -- 受付番号: Japan time to the millisecond, '_H', a 7-digit sequence number.
    reception_number text PRIMARY KEY,
    institution_code text NOT NULL REFERENCES institutions,
    -- The uploader's tier: the master's jobs and the admins' jobs are listed apart.
    tier text NOT NULL CHECK (tier IN ('master', 'admin')),
    uploaded_by text NOT NULL,
    status text NOT NULL CHECK (status IN ('waiting', 'processing', 'completed',
        'completed_with_duplicates', 'failed_validation', 'failed_structure', 'failed_system')),
    received_at timestamptz NOT NULL DEFAULT now(),
    finished_at timestamptz,
    row_count integer NOT NULL DEFAULT 0,
    registered_count integer NOT NULL DEFAULT 0,
    duplicate_count integer NOT NULL DEFAULT 0,
    error_count integer NOT NULL DEFAULT 0,
    -- Why a file-structure or system failure happened (Japanese, shown to the uploader).
    failure text,
    -- The file's data rows in UTF-8 ([[6 strings], …]) until the job is processed.
    rows jsonb,
    -- While processing: which worker holds the job, and until when.
    lease_token text,
    lease_until timestamptz,
    attempts integer NOT NULL DEFAULT 0,
    -- The result file (it holds initial passwords): AES-256-GCM, deleted after they expire.
    result bytea,
    result_expires_at timestamptz,
    CHECK ((status IN ('waiting', 'processing')) = (finished_at IS NULL))
);

-- Only one job per institution may be waiting or processing: of two uploads at the same
-- instant, exactly one inserts.
CREATE UNIQUE INDEX bulk_jobs_one_active ON bulk_jobs (institution_code)
    WHERE status IN ('waiting', 'processing');
CREATE INDEX bulk_jobs_list ON bulk_jobs (institution_code, tier, received_at DESC);
CREATE INDEX bulk_jobs_queue ON bulk_jobs (received_at)
    WHERE status IN ('waiting', 'processing');

-- Rows of a job on their way into accounts: COPY fills it and INSERT … SELECT empties it in
-- the job's one transaction, so it never holds committed rows (hence UNLOGGED).
CREATE UNLOGGED TABLE bulk_staging (
    reception_number text NOT NULL,
    user_id text NOT NULL,
    role text NOT NULL,
    name text NOT NULL,
    name_kana text NOT NULL,
    start_date date NOT NULL,
    end_date date NOT NULL,
    password_hash text NOT NULL
);
CREATE INDEX bulk_staging_job ON bulk_staging (reception_number);
