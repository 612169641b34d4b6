-- User IDs are unique within an institution whatever their case (issue 17 §12): GEN01 beside
-- gen01 would be two accounts a person reading a sheet or a screen cannot tell apart. Sign-in
-- still takes the ID exactly as registered. Rows that already differ only in case must be
-- resolved by hand first: the migration names them rather than picking one.
DO $$
DECLARE
    clash text;
BEGIN
    SELECT string_agg(institution_code || ' ' || user_id, ', ' ORDER BY institution_code, user_id)
      INTO clash
      FROM accounts a
     WHERE EXISTS (SELECT 1 FROM accounts b
                    WHERE b.institution_code = a.institution_code
                      AND lower(b.user_id) = lower(a.user_id) AND b.user_id <> a.user_id);
    IF clash IS NOT NULL THEN
        RAISE EXCEPTION 'user IDs that differ only in case: %', clash
            USING HINT = 'rename or delete one of each pair, then run onshictl migrate again';
    END IF;
END $$;

CREATE UNIQUE INDEX accounts_user_id_any_case ON accounts (institution_code, lower(user_id));
