// The same rules as the server's core/ (account.c, password_policy.c), returning the same
// registry codes, so a form can say what is wrong before it is sent. The server checks
// again; webui/test/contract.test.mjs feeds both the same inputs.

const SYSTEM_PREFIX = {
  webapi: { other: 'A0', pharmacy: 'A1' },
  linked_app: { other: 'R0', pharmacy: 'R1' },
  face_reader: { other: 'F0', pharmacy: 'F0' },
};
const ID_MIN = { admin: 2, general: 2, medical_viewer: 2, webapi: 3, linked_app: 3, face_reader: 3 };
const USER_ID_MAX = 8;

// The prefix a kind's user ID must start with at this kind of institution ('' for people).
export function userIdPrefix(role, institutionKind) {
  const p = SYSTEM_PREFIX[role];
  if (!p) return '';
  return institutionKind === 'pharmacy' ? p.pharmacy : p.other;
}

export function checkUserId(userId, role, institutionKind) {
  if (!/^[A-Za-z0-9]*$/.test(userId)) return 'account.user_id.charset';
  if (!ID_MIN[role]) return 'account.role.invalid';
  if (userId.length < ID_MIN[role] || userId.length > USER_ID_MAX) return 'account.user_id.length';
  const required = userIdPrefix(role, institutionKind);
  if (required) return userId.startsWith(required) ? null : 'account.user_id.prefix';
  return /^[RAFraf][0-9]/.test(userId) ? 'account.user_id.reserved_prefix' : null;
}

// Half-width katakana U+FF61..U+FF9F → their full-width forms.
const HALFWIDTH_KANA = [
  0x3002, 0x300C, 0x300D, 0x3001, 0x30FB, 0x30F2, 0x30A1, 0x30A3, 0x30A5, 0x30A7, 0x30A9,
  0x30E3, 0x30E5, 0x30E7, 0x30C3, 0x30FC, 0x30A2, 0x30A4, 0x30A6, 0x30A8, 0x30AA, 0x30AB,
  0x30AD, 0x30AF, 0x30B1, 0x30B3, 0x30B5, 0x30B7, 0x30B9, 0x30BB, 0x30BD, 0x30BF, 0x30C1,
  0x30C4, 0x30C6, 0x30C8, 0x30CA, 0x30CB, 0x30CC, 0x30CD, 0x30CE, 0x30CF, 0x30D2, 0x30D5,
  0x30D8, 0x30DB, 0x30DE, 0x30DF, 0x30E0, 0x30E1, 0x30E2, 0x30E4, 0x30E6, 0x30E8, 0x30E9,
  0x30EA, 0x30EB, 0x30EC, 0x30ED, 0x30EF, 0x30F3, 0x309B, 0x309C,
];
const DAKUTEN_BASES = new Set([0x30AB, 0x30AD, 0x30AF, 0x30B1, 0x30B3, 0x30B5, 0x30B7, 0x30B9,
  0x30BB, 0x30BD, 0x30BF, 0x30C1, 0x30C4, 0x30C6, 0x30C8, 0x30CF, 0x30D2, 0x30D5, 0x30D8, 0x30DB]);
const HANDAKUTEN_BASES = new Set([0x30CF, 0x30D2, 0x30D5, 0x30D8, 0x30DB]);

// A name as the server stores it: ASCII and half-width katakana made full-width, a voiced
// mark folded into the letter before it (ｶﾞ → ガ).
export function normaliseName(input) {
  const out = [];
  let prev = 0;
  for (const ch of String(input)) {
    let cp = ch.codePointAt(0);
    if (cp === 0x20) cp = 0x3000;
    else if (cp >= 0x21 && cp <= 0x7E) cp += 0xFEE0;
    else if (cp >= 0xFF61 && cp <= 0xFF9F) cp = HALFWIDTH_KANA[cp - 0xFF61];
    if ((cp === 0x309B || cp === 0x3099) && (DAKUTEN_BASES.has(prev) || prev === 0x30A6)) {
      cp = prev === 0x30A6 ? 0x30F4 : prev + 1;
      out.pop();
    } else if ((cp === 0x309C || cp === 0x309A) && HANDAKUTEN_BASES.has(prev)) {
      cp = prev + 2;
      out.pop();
    }
    out.push(String.fromCodePoint(cp));
    prev = cp;
  }
  return out.join('');
}

const isFullwidthAlnum = (cp) => (cp >= 0xFF10 && cp <= 0xFF19) || (cp >= 0xFF21 && cp <= 0xFF3A) || (cp >= 0xFF41 && cp <= 0xFF5A);
const isKatakana = (cp) => (cp >= 0x30A1 && cp <= 0x30FA) || cp === 0x30FC || cp === 0x30FB || cp === 0x30FD || cp === 0x30FE;
const isHiragana = (cp) => (cp >= 0x3041 && cp <= 0x3096) || cp === 0x309D || cp === 0x309E;
const isKanji = (cp) => (cp >= 0x4E00 && cp <= 0x9FFF) || (cp >= 0x3400 && cp <= 0x4DBF) || (cp >= 0xF900 && cp <= 0xFAFF) || (cp >= 0x20000 && cp <= 0x2FFFF) || cp === 0x3005;
const nameChar = (cp) => cp === 0x3000 || isHiragana(cp) || isKatakana(cp) || isKanji(cp) || isFullwidthAlnum(cp);
const kanaChar = (cp) => cp === 0x3000 || isKatakana(cp) || isFullwidthAlnum(cp);

// Every character CP932 (Shift_JIS as Windows writes it) can encode, found once by decoding
// each double-byte code: the browser's shift_jis decoder is the WHATWG one, which is CP932.
let cp932 = null;
function cp932Chars() {
  if (cp932) return cp932;
  cp932 = new Set();
  const dec = new TextDecoder('shift_jis');
  const pair = new Uint8Array(2);
  for (let lead = 0x81; lead <= 0xFC; lead++) {
    if (lead > 0x9F && lead < 0xE0) continue;
    for (let trail = 0x40; trail <= 0xFC; trail++) {
      if (trail === 0x7F) continue;
      pair[0] = lead; pair[1] = trail;
      const s = dec.decode(pair);
      if (s.length >= 1 && s !== '\uFFFD') cp932.add(s);
    }
  }
  return cp932;
}

export function fitsCp932(text) {
  const set = cp932Chars();
  for (const ch of text) if (ch.codePointAt(0) >= 0x80 && !set.has(ch)) return false;
  return true;
}

function checkText(s, allowed, max, lengthCode, charsetCode) {
  const chars = [...s];
  if (!chars.every((c) => allowed(c.codePointAt(0))) || !fitsCp932(s)) return charsetCode;
  if (chars.length < 1 || chars.length > max) return lengthCode;
  return null;
}

// Checks of normalised names (normaliseName first, as the server does).
export const checkName = (s) => checkText(s, nameChar, 20, 'account.name.length', 'account.name.charset');
export const checkNameKana = (s) => checkText(s, kanaChar, 40, 'account.name_kana.length', 'account.name_kana.charset');

export function checkDateOrder(startIso, endIso) {
  return startIso && endIso && endIso < startIso ? 'account.date.order' : null;
}

// The password policy's rules, one line each, for the checklist that updates while typing.
export function passwordChecklist(password, userId, policy) {
  const pw = String(password);
  const classes = [/[A-Z]/, /[a-z]/, /[0-9]/, /[!-/:-@[-`{-~]/].filter((re) => re.test(pw)).length;
  return [
    { id: 'length', label: `${policy.min_length}文字以上${policy.max_length}文字以内`,
      ok: pw.length >= policy.min_length && pw.length <= policy.max_length },
    { id: 'charset', label: '半角英数字記号のみ（空白は使えません）', ok: pw.length > 0 && /^[!-~]+$/.test(pw) },
    { id: 'classes', label: `英大文字・英小文字・数字・記号のうち${policy.min_classes}種類以上`, ok: classes >= policy.min_classes },
    { id: 'user_id', label: 'ユーザIDを含まない', ok: pw.length > 0 && !(userId && pw.toLowerCase().includes(userId.toLowerCase())) },
  ];
}

// The server's order of checks: charset, length, classes, user ID.
export function checkPassword(password, userId, policy) {
  const byId = Object.fromEntries(passwordChecklist(password, userId, policy).map((r) => [r.id, r.ok]));
  if (!byId.charset) return password.length === 0 ? 'password.length' : 'password.charset';
  if (!byId.length) return 'password.length';
  if (!byId.classes) return 'password.classes';
  if (!byId.user_id) return 'password.contains_user_id';
  return null;
}

export function checkInstitutionCode(code) {
  if (!/^\d{10}$/.test(code)) return 'institution.code.format';
  const pref = Number(code.slice(0, 2));
  return pref >= 1 && pref <= 47 ? null : 'institution.code.prefecture';
}

const SERIAL_MAX_DIGITS = 49; // as the server counts them (test_serial_normalize)

// A My Number card's serial as typed (ASCII or full-width digits), as the server stores it
// (decimal, no leading zeros), or null.
export function normaliseSerial(text) {
  const s = String(text ?? '').trim().replace(/[０-９]/g, (c) => String.fromCharCode(c.charCodeAt(0) - 0xFEE0));
  if (!/^\d+$/.test(s) || s.length > SERIAL_MAX_DIGITS) return null;
  const n = s.replace(/^0+/, '');
  return n === '' ? null : n;
}
