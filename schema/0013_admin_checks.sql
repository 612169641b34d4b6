-- Administrators use the business screens too (manual ch. 2 §1(1): 「業務画面の利用や医療機関等の
-- 環境設定情報更新もできます」), so a qualification check's history row may name an admin
-- account. Medical-information views stay with the kinds that may view (no change there).
ALTER TABLE qualification_checks DROP CONSTRAINT qualification_checks_account_kind_check;
ALTER TABLE qualification_checks ADD CONSTRAINT qualification_checks_account_kind_check
    CHECK (account_kind IN ('admin', 'general', 'medical_viewer', 'webapi', 'linked_app',
                            'face_reader'));
