// The XmlMsg answer of a qualification check, as a receptionist reads it: whether the check
// ran, whether the qualification is valid and why not, and each qualification found (医療保険,
// 医療扶助) with the person, the insurer, the card and its period, the 医療券／調剤券 and the
// consents given. Codes as the real system's interface defines them (DOMAIN.md). Pure.

export const VALIDITY = Object.freeze({ 1: '有効', 2: '無効', 3: '無効（新しい資格あり）', 4: '該当資格なし', 5: '複数該当' });
export const SEX = Object.freeze({ 1: '男', 2: '女', 3: '未設定' });
export const FAMILY = Object.freeze({ 1: '本人', 2: '家族' });
export const CARD_KIND = Object.freeze({
  '01': '一般', '02': '退職', '03': '短期（一般）', '04': '短期（退職）', '05': '資格証明書', '06': '特例退職', '07': '自衛官診療証',
});
export const PRESCRIPTION_ISSUE = Object.freeze({ 1: '電子処方箋', 2: '紙の処方箋' });
const CONSENT_FLAGS = [
  ['drug', '薬剤情報', 'PharmacistsInfoConsFlg', 'PharmacistsInfoConsTime'],
  ['medical', '診療情報', 'DiagnosisInfoConsFlg', 'DiagnosisInfoConsTime'],
  ['surgery', '手術情報', 'OperationInfoConsFlg', 'OperationInfoConsTime'],
  ['checkup', '特定健診情報', 'SpecificHealthCheckupsInfoConsFlg', 'SpecificHealthCheckupsInfoConsTime'],
];

// 'YYYYMMDD' → 'YYYY/MM/DD'; 'YYYYMMDDHHmmss' → 'YYYY/MM/DD HH:MM' (the answer's Japan time).
export function answerDate(s) {
  const t = String(s ?? '');
  if (/^\d{8}$/.test(t)) return `${t.slice(0, 4)}/${t.slice(4, 6)}/${t.slice(6, 8)}`;
  if (/^\d{14}$/.test(t)) return `${t.slice(0, 4)}/${t.slice(4, 6)}/${t.slice(6, 8)} ${t.slice(8, 10)}:${t.slice(10, 12)}`;
  return t;
}

function entry(e) {
  const assistance = e.PublicExpenseClassification === '12';
  const t = e.MedicalTicketInfo;
  const s = e.MedicalSubsidyInfo;
  return {
    kind: assistance ? '医療扶助' : '医療保険',
    assistance,
    validity: VALIDITY[e.QualificationValidity] || '',
    valid: e.QualificationValidity === '1',
    name: e.Name || '', kana: e.NameKana || '',
    sex: SEX[e.Sex1] || '', birthdate: answerDate(e.Birthdate),
    address: e.Address ?? null, postcode: e.PostNumber ?? null,
    insurerNumber: e.InsurerNumber || '', insurerName: e.InsurerName || '',
    symbol: e.InsuredCardSymbol || '', number: e.InsuredIdentificationNumber || '', branch: e.InsuredBranchNumber || '',
    cardKind: assistance ? '' : (CARD_KIND[e.InsuredCardClassification] || ''),
    family: FAMILY[e.PersonalFamilyClassification] || '',
    from: answerDate(e.InsuredCardValidDate), until: answerDate(e.InsuredCardExpirationDate),
    ticket: t ? { name: t.TicketName || '', number: t.TicketNumber || '', from: answerDate(t.TicketValidDate), until: answerDate(t.TicketExpirationDate) } : null,
    consents: CONSENT_FLAGS.filter(([, , flag]) => e[flag] !== undefined)
      .map(([id, label, flag, time]) => ({ id, label, given: e[flag] === '1', at: answerDate(e[time]) })),
    // 処方箋の発行 the patient chose at the check, and 医療費助成 (PMH) where the settings use them.
    prescription: PRESCRIPTION_ISSUE[e.PrescriptionIssueSelect] || '',
    subsidy: s ? { name: s.MedicalSubsidyName || '', payer: s.PublicExpensePayerNumber || '', recipient: s.PublicExpenseRecipientNumber || '',
      validity: VALIDITY[s.MedicalSubsidyValidity] || '', from: answerDate(s.MedicalSubsidyValidDate), until: answerDate(s.MedicalSubsidyExpirationDate) } : null,
  };
}

// The answer → { ran, error, warning, validity, message, entries, checkedAt, byCard }.
export function readAnswer(answer) {
  const h = answer?.XmlMsg?.MessageHeader || {};
  const b = answer?.XmlMsg?.MessageBody || {};
  const out = {
    ran: h.SegmentOfResult === '1',
    error: h.SegmentOfResult === '1' ? null : { code: h.ErrorCode || '', message: h.ErrorMessage || '資格確認を実行できませんでした。' },
    warning: b.ProcessingResultStatus === '2' ? { code: b.ProcessingResultCode || '', message: b.ProcessingResultMessage || '' } : null,
    validity: VALIDITY[b.QualificationValidity] || '',
    valid: b.QualificationValidity === '1',
    message: b.ProcessingResultMessage || '',
    entries: (b.ResultList || []).map((r) => entry(r.ResultOfQualificationConfirmation || {})),
    checkedAt: answerDate(h.ProcessExecutionTime),
    byCard: h.ReferenceClassification === '1',
  };
  return out;
}

// The medical-information categories (drug, medical, surgery, checkup) an answer (readAnswer)
// reports as consented, once each, in the answer's order: what a medical viewer may open.
export function consentedCategories(a) {
  if (!a?.ran || a.warning) return [];
  const seen = new Map();
  for (const e of a.entries) for (const c of e.consents) if (c.given && !seen.has(c.id)) seen.set(c.id, { id: c.id, label: c.label });
  return [...seen.values()];
}
