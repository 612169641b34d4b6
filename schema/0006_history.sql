-- The two histories administrators look after (manual ch. 4, and 資格確認履歴照会): who
-- checked whose qualification, and who viewed whose medical information. Both are
-- partitioned by Japanese calendar month, so that retention drops whole partitions and one
-- institution's month is one index range in one partition.

CREATE SEQUENCE qualification_checks_id_seq;
CREATE TABLE qualification_checks (
    institution_code text NOT NULL REFERENCES institutions,
    checked_at timestamptz NOT NULL DEFAULT now(),
    id bigint NOT NULL DEFAULT nextval('qualification_checks_id_seq'),
    account_id text NOT NULL,
    account_kind text NOT NULL CHECK (account_kind IN ('general', 'medical_viewer', 'webapi',
                                                       'linked_app', 'face_reader')),
    route text NOT NULL CHECK (route IN ('screen', 'webapi', 'linked_app', 'face_reader')),
    -- 1 マイナンバーカード, 2 被保険者証
    reference_classification text NOT NULL CHECK (reference_classification IN ('1', '2')),
    insurer_number text,
    insured_symbol text,
    insured_number text,
    insured_branch text,
    -- 1 有効, 2 無効, 3 無効(新しい資格あり), 4 該当資格なし, 5 複数該当; NULL when none was found
    validity text CHECK (validity IN ('1', '2', '3', '4', '5')),
    -- 1 正常, 2 エラー
    result_status text NOT NULL CHECK (result_status IN ('1', '2')),
    result_code text,
    file_identifier text,
    PRIMARY KEY (institution_code, checked_at, id)
) PARTITION BY RANGE (checked_at);

CREATE SEQUENCE medical_info_views_id_seq;
CREATE TABLE medical_info_views (
    institution_code text NOT NULL REFERENCES institutions,
    viewed_at timestamptz NOT NULL DEFAULT now(),
    id bigint NOT NULL DEFAULT nextval('medical_info_views_id_seq'),
    viewer_id text NOT NULL,
    viewer_kind text NOT NULL CHECK (viewer_kind IN ('medical_viewer', 'webapi', 'linked_app')),
    insurer_number text,
    insured_symbol text,
    insured_number text,
    insured_branch text,
    -- 照会情報区分 of the manual's filter
    category text NOT NULL CHECK (category IN ('checkup', 'drug', 'surgery_medical_drug')),
    consent text NOT NULL CHECK (consent IN ('given', 'not_needed')),
    method text NOT NULL CHECK (method IN ('normal', 'emergency')),
    PRIMARY KEY (institution_code, viewed_at, id)
) PARTITION BY RANGE (viewed_at);

-- One partition per table for each month from `first` for `months` months, named
-- <table>_pYYYYMM; existing ones are left alone. Returns how many were created.
CREATE FUNCTION history_partitions_ensure(first date, months integer) RETURNS integer
LANGUAGE plpgsql AS $$
DECLARE
    t text;
    m date;
    made integer := 0;
    name text;
BEGIN
    FOREACH t IN ARRAY ARRAY['qualification_checks', 'medical_info_views'] LOOP
        FOR i IN 0 .. months - 1 LOOP
            m := date_trunc('month', first)::date + make_interval(months => i);
            name := t || '_p' || to_char(m, 'YYYYMM');
            IF to_regclass(name) IS NULL THEN
                EXECUTE format('CREATE TABLE %I PARTITION OF %I FOR VALUES FROM (%L) TO (%L)',
                               name, t, (m::timestamp AT TIME ZONE 'Asia/Tokyo'),
                               ((m + interval '1 month')::timestamp AT TIME ZONE 'Asia/Tokyo'));
                made := made + 1;
            END IF;
        END LOOP;
    END LOOP;
    RETURN made;
END $$;

-- Drops the partitions of months before `keep_from` (whole partitions: no row-by-row
-- delete, no bloat). Returns how many were dropped.
CREATE FUNCTION history_partitions_drop_before(keep_from date) RETURNS integer
LANGUAGE plpgsql AS $$
DECLARE
    r record;
    dropped integer := 0;
BEGIN
    FOR r IN SELECT c.relname FROM pg_inherits i
             JOIN pg_class c ON c.oid = i.inhrelid
             JOIN pg_class p ON p.oid = i.inhparent
             WHERE p.relname IN ('qualification_checks', 'medical_info_views')
               AND c.relname ~ '_p[0-9]{6}$'
               AND to_date(right(c.relname, 6), 'YYYYMM') < date_trunc('month', keep_from)::date
    LOOP
        EXECUTE format('DROP TABLE %I', r.relname);
        dropped := dropped + 1;
    END LOOP;
    RETURN dropped;
END $$;

-- The months around the migration; onshid keeps them ahead from then on.
SELECT history_partitions_ensure(((now() AT TIME ZONE 'Asia/Tokyo')::date - interval '1 month')::date, 5);
