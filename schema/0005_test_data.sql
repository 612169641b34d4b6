-- Test data of the connection verification environment (テスト用データセットアップ, manual
-- ch. 3 §2): synthetic insured persons, either behind a test My Number card (card_link) or
-- registered by data category for checks by insurance number (category), and the consents
-- given for them. onshid serves none of it in the production environment.

CREATE TABLE test_persons (
    institution_code text NOT NULL REFERENCES institutions,
    id bigint GENERATED ALWAYS AS IDENTITY,
    source text NOT NULL CHECK (source IN ('card_link', 'category')),
    category text NOT NULL CHECK (category IN ('employee_insurance', 'national_health_insurance',
                                               'late_elderly', 'medical_assistance')),
    qualification_type text NOT NULL CHECK (qualification_type IN (
        'insurance_valid', 'insurance_valid_nondisclosure',
        'insurance_valid_self_info_restricted', 'insurance_invalid',
        'insurance_valid_no_medical_info', 'insurance_valid_first_registration_timeout',
        'assistance_valid_medical', 'assistance_valid_pharmacy',
        'assistance_and_insurance_valid', 'assistance_and_insurance_valid_no_ticket',
        'assistance_invalid', 'assistance_valid_no_ticket', 'assistance_valid_nondisclosure',
        'assistance_valid_self_info_restricted')),
    -- Card links: the decimal serial of the card's 利用者証明用電子証明書 (canonical, no
    -- leading zeros) and whether the card is registered as an insurance card (保険証登録).
    serial_number text CHECK (serial_number ~ '^[1-9][0-9]{0,48}$'),
    card_registered boolean,
    -- The numbers a check by insurance number looks up; the whole person is in `person`.
    insurer_number text,
    insured_symbol text,
    insured_number text,
    insured_branch text,
    payer_number text,
    recipient_number text,
    person jsonb NOT NULL,
    created_by text NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (institution_code, id),
    CHECK ((source = 'card_link') = (serial_number IS NOT NULL)),
    CHECK ((serial_number IS NULL) = (card_registered IS NULL)),
    CHECK (insurer_number IS NOT NULL OR payer_number IS NOT NULL)
);
CREATE UNIQUE INDEX test_persons_card ON test_persons (institution_code, serial_number)
    WHERE serial_number IS NOT NULL;
CREATE UNIQUE INDEX test_persons_insurance ON test_persons
    (institution_code, insurer_number, insured_number, coalesce(insured_symbol, ''),
     coalesce(insured_branch, ''))
    WHERE insurer_number IS NOT NULL;
CREATE UNIQUE INDEX test_persons_assistance ON test_persons
    (institution_code, payer_number, recipient_number)
    WHERE payer_number IS NOT NULL;

-- 閲覧同意: one row per person, item and way it was given (card: at a reader or by the API;
-- visit: through the patient page, マイナ在宅受付Web). 閲覧同意情報初期化 restores only the
-- card ones.
CREATE TABLE test_consents (
    institution_code text NOT NULL,
    person_id bigint NOT NULL,
    item text NOT NULL CHECK (item IN ('drug', 'medical', 'surgery', 'checkup',
                                       'specific_disease')),
    source text NOT NULL CHECK (source IN ('card', 'visit')),
    given_at timestamptz NOT NULL DEFAULT now(),
    revoked_at timestamptz,
    PRIMARY KEY (institution_code, person_id, item, source),
    FOREIGN KEY (institution_code, person_id) REFERENCES test_persons ON DELETE CASCADE,
    CHECK (revoked_at IS NULL OR revoked_at >= given_at)
);
