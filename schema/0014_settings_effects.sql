-- Environment settings that take the effect the manual names (manual ch. 3 §3; issue 16 §3).
--
-- ⑥ 医療費助成情報 may be 利用する only at an institution taking part in the PMH (Public
-- Medical Hub) 先行実施事業: the operator marks it (onshictl pmh --institution CODE on|off).
ALTER TABLE institutions ADD COLUMN pmh_participant boolean NOT NULL DEFAULT false;

-- ④ The prescription form the patient chose at a check, where 電子処方箋利用区分 is not
-- 利用しない and 発行形態選択タイミング is 資格確認時 (PrescriptionIssueSelect: 1 電子処方箋,
-- 2 紙の処方箋); NULL when none was chosen or the settings did not offer the choice.
ALTER TABLE qualification_checks ADD COLUMN prescription_form text
    CHECK (prescription_form IN ('1', '2'));
