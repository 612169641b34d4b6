-- 医療情報閲覧履歴 says whose information was viewed and by whom (manual ch. 4 §1: 「いつ誰の
-- 医療情報を閲覧したのか」; issue 16 §5): the patient's name and kana and the viewer's ユーザ名,
-- written with the row at view time, so that renaming the account or the patient later does not
-- rewrite history. NULL where it is not known.
ALTER TABLE medical_info_views
    ADD COLUMN viewer_name text,
    ADD COLUMN patient_name text,
    ADD COLUMN patient_name_kana text;

-- Rows from before: only what is certainly what it was at the view, always of the row's own
-- institution. The viewer's name when the account has not changed since the view (any change
-- moves updated_at; an account row is never deleted, so its user ID names one account).
UPDATE medical_info_views v SET viewer_name = a.name
FROM accounts a
WHERE a.institution_code = v.institution_code AND a.user_id = v.viewer_id
  AND a.updated_at <= v.viewed_at;

-- The patient: the one test person of the institution holding the row's numbers that existed at
-- the view (test persons are never changed, only deleted, and no two hold the same numbers at
-- once, so one created before the view and still here is the person viewed). The numbers are
-- the insurance card's, or the 医療扶助 ones of a person without insurance.
UPDATE medical_info_views v SET patient_name = m.name, patient_name_kana = m.kana
FROM (SELECT w.institution_code, w.viewed_at, w.id,
             min(p.person->>'name') AS name, min(p.person->>'name_kana') AS kana
      FROM medical_info_views w
      JOIN test_persons p ON p.institution_code = w.institution_code AND p.created_at <= w.viewed_at
      WHERE (p.insurer_number IS NOT NULL AND p.insurer_number = w.insurer_number
             AND p.insured_number = w.insured_number
             AND coalesce(p.insured_symbol, '') = coalesce(w.insured_symbol, '')
             AND coalesce(p.insured_branch, '') = coalesce(w.insured_branch, ''))
         OR (p.insurer_number IS NULL AND p.payer_number = w.insurer_number
             AND p.recipient_number = w.insured_number
             AND w.insured_symbol IS NULL AND w.insured_branch IS NULL)
      GROUP BY w.institution_code, w.viewed_at, w.id
      HAVING count(*) = 1) m
WHERE v.institution_code = m.institution_code AND v.viewed_at = m.viewed_at AND v.id = m.id;
