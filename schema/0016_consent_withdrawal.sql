-- 同意取消 (issue 16 §4): a patient withdraws a 閲覧同意 on the patient page (マイナ在宅受付Web)
-- or at a card check. The page's requests are kept as its registrations are, each marked as
-- what it asked; a withdrawal itself is test_consents.revoked_at (schema/0005), set on every
-- way the item was given, so 閲覧同意情報初期化 can bring back exactly the card-given ones.
ALTER TABLE visit_consent_requests ADD COLUMN action text NOT NULL DEFAULT 'give'
    CHECK (action IN ('give', 'withdraw'));
