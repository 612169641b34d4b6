-- Environment settings (環境設定情報, manual ch. 3): one row per institution once an admin
-- has changed them; without a row the manual's defaults apply (server/src/core/settings.c).

CREATE TABLE institution_settings (
    institution_code text PRIMARY KEY REFERENCES institutions,
    -- Item id → value, for the items that apply to the institution's kind.
    settings jsonb NOT NULL,
    -- 1 is the untouched defaults (no row); each change adds one.
    version integer NOT NULL CHECK (version >= 2),
    updated_at timestamptz NOT NULL DEFAULT now(),
    updated_by text NOT NULL
);

-- オンライン資格確認等システム利用規約: turning on 訪問診療等機能 or オンライン診療等機能 needs
-- agreement to the current version.
CREATE TABLE terms_of_use (
    version text PRIMARY KEY,
    published_at timestamptz NOT NULL,
    body text NOT NULL
);

CREATE TABLE terms_agreements (
    institution_code text NOT NULL REFERENCES institutions,
    version text NOT NULL REFERENCES terms_of_use,
    agreed_by text NOT NULL,
    agreed_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (institution_code, version)
);

INSERT INTO terms_of_use (version, published_at, body) VALUES ('2023-08', '2023-08-01 00:00+09',
'オンライン資格確認等システム利用規約（訪問診療等・オンライン診療等）

この規約は、訪問診療等・オンライン診療等における「居宅同意取得型」のオンライン資格確認の利用について定めます。
1. 利用機関は、患者本人の同意を得たうえで資格確認を行います。
2. 訪問診療等・オンライン診療等の資格確認を行った医療機関等は、「居宅同意取得型」オンライン資格確認の導入医療機関として公表されることに同意します。
3. 医療機関別URL及び二次元コードは、患者への案内以外に用いず、漏えいした場合は速やかに変更します。

正式な規約は、運営主体が公表する最新の版に従います。');
