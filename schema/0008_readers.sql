-- 顔認証付きカードリーダー管理: the readers a site's reader bridge follows (any onshid can list
-- them), the bridge's heartbeat, and which service screens the readers show.

CREATE TABLE readers (
    institution_code text NOT NULL REFERENCES institutions,
    name text NOT NULL CHECK (length(name) BETWEEN 1 AND 127),
    state text NOT NULL DEFAULT 'empty'
        CHECK (state IN ('empty', 'card_present', 'mute', 'unavailable')),
    last_event_at timestamptz,
    last_result jsonb,
    account_user_id text,
    mode text NOT NULL DEFAULT 'unattended' CHECK (mode IN ('unattended', 'pin_fixed')),
    visual_confirmation boolean NOT NULL DEFAULT false,
    visual_confirmation_at timestamptz,
    version integer NOT NULL DEFAULT 1,
    PRIMARY KEY (institution_code, name),
    FOREIGN KEY (institution_code, account_user_id) REFERENCES accounts (institution_code, user_id)
);

-- Written by the bridge every few seconds; the service counts as up while this is fresh.
CREATE TABLE reader_services (
    institution_code text PRIMARY KEY REFERENCES institutions,
    up boolean NOT NULL,
    seen_at timestamptz NOT NULL DEFAULT now()
);

-- 顔認証付きカードリーダー環境設定: screen id → shown.
CREATE TABLE reader_display_settings (
    institution_code text PRIMARY KEY REFERENCES institutions,
    screens jsonb NOT NULL,
    version integer NOT NULL CHECK (version >= 2),
    updated_at timestamptz NOT NULL DEFAULT now(),
    updated_by text NOT NULL
);
