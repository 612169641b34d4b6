// What the 資格確認 screens read out of an XmlMsg answer.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { answerDate, consentedCategories, readAnswer } from '../js/qualification-answer.js';

const answer = (header, body) => ({ XmlMsg: { MessageHeader: { SegmentOfResult: '1', ReferenceClassification: '2', ProcessExecutionTime: '20261203101500', ...header }, MessageBody: body } });

test('a valid 医療保険 qualification, with the card, its period and the consents asked', () => {
  const a = readAnswer(answer({ ReferenceClassification: '1' }, { ProcessingResultStatus: '1', QualificationValidity: '1', ResultList: [{ ResultOfQualificationConfirmation: {
    Name: '試験　太郎', NameKana: 'シケン　タロウ', Sex1: '1', Birthdate: '19800401', InsuredCardClassification: '01', InsurerNumber: '06131234',
    InsuredCardSymbol: '12', InsuredIdentificationNumber: '345', InsuredBranchNumber: '01', PersonalFamilyClassification: '1',
    InsuredCardValidDate: '20200401', InsurerName: '試験健康保険組合', QualificationValidity: '1',
    PharmacistsInfoConsFlg: '1', PharmacistsInfoConsTime: '20261203101455', SpecificHealthCheckupsInfoConsFlg: '0' } }] }));
  assert.deepEqual([a.ran, a.error, a.warning, a.validity, a.valid, a.byCard, a.checkedAt], [true, null, null, '有効', true, true, '2026/12/03 10:15']);
  const e = a.entries[0];
  assert.deepEqual([e.kind, e.name, e.sex, e.birthdate, e.cardKind, e.family, e.from, e.until, e.ticket], ['医療保険', '試験　太郎', '男', '1980/04/01', '一般', '本人', '2020/04/01', '', null]);
  assert.deepEqual(e.consents, [{ id: 'drug', label: '薬剤情報', given: true, at: '2026/12/03 10:14' }, { id: 'checkup', label: '特定健診情報', given: false, at: '' }]);
});

test('医療扶助 with its 医療券; no qualification; a warning; a request that could not be read', () => {
  let a = readAnswer(answer({}, { ProcessingResultStatus: '1', QualificationValidity: '1', ResultList: [{ ResultOfQualificationConfirmation: {
    PublicExpenseClassification: '12', InsurerNumber: '12131234', InsuredIdentificationNumber: '7654321', InsurerName: '試験福祉事務所', QualificationValidity: '1',
    MedicalTicketInfo: { TicketName: '医療券', TicketNumber: '0001', TicketValidDate: '20261201', TicketExpirationDate: '20261231' } } }] }));
  assert.deepEqual([a.entries[0].kind, a.entries[0].cardKind, a.entries[0].ticket], ['医療扶助', '', { name: '医療券', number: '0001', from: '2026/12/01', until: '2026/12/31' }]);
  a = readAnswer(answer({}, { ProcessingResultStatus: '1', QualificationValidity: '4', ProcessingResultMessage: '該当する資格情報がありません。' }));
  assert.deepEqual([a.validity, a.valid, a.message, a.entries], ['該当資格なし', false, '該当する資格情報がありません。', []]);
  a = readAnswer(answer({}, { ProcessingResultStatus: '2', ProcessingResultCode: 'W2001', ProcessingResultMessage: '閲覧制限' }));
  assert.deepEqual(a.warning, { code: 'W2001', message: '閲覧制限' });
  a = readAnswer(answer({ SegmentOfResult: '9', ErrorCode: 'E9001', ErrorMessage: '本番環境では利用できません。' }, {}));
  assert.deepEqual([a.ran, a.error], [false, { code: 'E9001', message: '本番環境では利用できません。' }]);
  assert.equal(readAnswer({}).ran, false);
  assert.equal(answerDate('2026-12-01'), '2026-12-01');
});

test('the medical information a viewer may open: the categories consented, once each; none for a warning or a refusal', () => {
  const flags = (drug, checkup) => ({ Name: '試験', PharmacistsInfoConsFlg: drug, SpecificHealthCheckupsInfoConsFlg: checkup, DiagnosisInfoConsFlg: '0' });
  const both = answer({}, { ProcessingResultStatus: '1', QualificationValidity: '1', ResultList: [
    { ResultOfQualificationConfirmation: flags('1', '0') }, { ResultOfQualificationConfirmation: { ...flags('1', '1'), PublicExpenseClassification: '12' } }] });
  assert.deepEqual(consentedCategories(readAnswer(both)), [{ id: 'drug', label: '薬剤情報' }, { id: 'checkup', label: '特定健診情報' }]);
  const none = answer({}, { ProcessingResultStatus: '1', QualificationValidity: '1', ResultList: [{ ResultOfQualificationConfirmation: flags('0', '0') }] });
  assert.deepEqual(consentedCategories(readAnswer(none)), []);
  assert.deepEqual(consentedCategories(readAnswer(answer({}, { ProcessingResultStatus: '2', ProcessingResultCode: 'W2002' }))), []);
  assert.deepEqual(consentedCategories(readAnswer(answer({ SegmentOfResult: '9', ErrorCode: 'E9001' }, {}))), []);
});

test('処方箋の発行 the patient chose and 医療費助成 (PMH), where the settings use them', () => {
  const a = readAnswer(answer({ ReferenceClassification: '1' }, { ProcessingResultStatus: '1', QualificationValidity: '1', ResultList: [{ ResultOfQualificationConfirmation: {
    Name: '試験　花子', QualificationValidity: '1', PrescriptionIssueSelect: '2',
    MedicalSubsidyInfo: { PublicExpensePayerNumber: '80131234', PublicExpenseRecipientNumber: '1234567', MedicalSubsidyName: '重度心身障害者医療費助成',
      MedicalSubsidyValidDate: '20200401', MedicalSubsidyValidity: '1' } } }] }));
  const e = a.entries[0];
  assert.equal(e.prescription, '紙の処方箋');
  assert.deepEqual(e.subsidy, { name: '重度心身障害者医療費助成', payer: '80131234', recipient: '1234567', validity: '有効', from: '2020/04/01', until: '' });
  const plain = readAnswer(answer({}, { ProcessingResultStatus: '1', QualificationValidity: '1', ResultList: [{ ResultOfQualificationConfirmation: { Name: '試験' } }] })).entries[0];
  assert.deepEqual([plain.prescription, plain.subsidy], ['', null]);
});
