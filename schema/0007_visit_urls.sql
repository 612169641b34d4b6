-- 医療機関別URL (manual ch. 5): per institution and kind (訪問診療等, オンライン診療等) the
-- tokens of its patient-page URL. Only the current token of a kind is accepted; the previous
-- one can be made current again once; the first (generation 1) can always be brought back.

CREATE TABLE visit_tokens (
    institution_code text NOT NULL REFERENCES institutions,
    kind text NOT NULL CHECK (kind IN ('home_visit', 'online_care')),
    generation integer NOT NULL CHECK (generation >= 1),
    token text NOT NULL UNIQUE CHECK (token ~ '^[A-Za-z0-9_-]{43}$'),
    state text NOT NULL CHECK (state IN ('current', 'previous', 'retired')),
    created_at timestamptz NOT NULL DEFAULT now(),
    created_by text NOT NULL,
    PRIMARY KEY (institution_code, kind, generation)
);
CREATE UNIQUE INDEX visit_tokens_current ON visit_tokens (institution_code, kind)
    WHERE state = 'current';
CREATE UNIQUE INDEX visit_tokens_previous ON visit_tokens (institution_code, kind)
    WHERE state = 'previous';

-- 43 URL-safe characters from 32 bytes of two version-4 UUIDs: 244 random bits from
-- PostgreSQL's strong random source (gen_random_uuid uses pg_strong_random).
CREATE FUNCTION visit_token_new() RETURNS text LANGUAGE sql VOLATILE AS $$
    SELECT rtrim(translate(encode(uuid_send(gen_random_uuid()) || uuid_send(gen_random_uuid()),
                                  'base64'), '+/', '-_'), '=')
$$;

-- Every institution gets its first URL of each kind when it is created, whoever creates it.
CREATE FUNCTION visit_tokens_initial() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO visit_tokens (institution_code, kind, generation, token, state, created_by)
    SELECT NEW.institution_code, k, 1, visit_token_new(), 'current', 'system'
    FROM unnest(ARRAY['home_visit', 'online_care']) k;
    RETURN NEW;
END $$;
CREATE TRIGGER institutions_visit_tokens AFTER INSERT ON institutions
    FOR EACH ROW EXECUTE FUNCTION visit_tokens_initial();

INSERT INTO visit_tokens (institution_code, kind, generation, token, state, created_by)
SELECT i.institution_code, k, 1, visit_token_new(), 'current', 'system'
FROM institutions i, unnest(ARRAY['home_visit', 'online_care']) k;

-- 閲覧同意 registrations received through the patient page (マイナ在宅受付Web).
CREATE TABLE visit_consent_requests (
    institution_code text NOT NULL REFERENCES institutions,
    id bigint GENERATED ALWAYS AS IDENTITY,
    kind text NOT NULL CHECK (kind IN ('home_visit', 'online_care')),
    generation integer NOT NULL,
    serial_number text NOT NULL CHECK (serial_number ~ '^[1-9][0-9]{0,48}$'),
    items text[] NOT NULL CHECK (cardinality(items) BETWEEN 1 AND 5),
    client_address text,
    received_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (institution_code, id)
);
