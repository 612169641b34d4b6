// validate.js: the same rules as the server's core/, returning the same registry codes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkInstitutionCode, checkName, checkNameKana, checkPassword, checkUserId, normaliseName, normaliseSerial,
  passwordChecklist, userIdPrefix } from '../js/validate.js';

test('userIdPrefix: system kinds by institution kind, people none', () => {
  for (const kind of ['medical', 'dental', 'home_nursing']) {
    assert.equal(userIdPrefix('webapi', kind), 'A0');
    assert.equal(userIdPrefix('linked_app', kind), 'R0');
    assert.equal(userIdPrefix('face_reader', kind), 'F0');
  }
  assert.equal(userIdPrefix('webapi', 'pharmacy'), 'A1');
  assert.equal(userIdPrefix('linked_app', 'pharmacy'), 'R1');
  assert.equal(userIdPrefix('face_reader', 'pharmacy'), 'F0');
  for (const role of ['admin', 'general', 'medical_viewer']) assert.equal(userIdPrefix(role, 'medical'), '');
});

test('checkUserId for every kind at a clinic and a pharmacy', () => {
  const cases = [
    // role, kind, id, code
    ['admin', 'medical', 'kanri01', null], ['admin', 'medical', 'k', 'account.user_id.length'],
    ['admin', 'medical', 'ab', null], ['admin', 'medical', 'abcdefghi', 'account.user_id.length'],
    ['admin', 'medical', 'A0bc', 'account.user_id.reserved_prefix'], ['general', 'medical', 'r9x', 'account.user_id.reserved_prefix'],
    ['general', 'pharmacy', 'F1aa', 'account.user_id.reserved_prefix'], ['medical_viewer', 'medical', 'Ax01', null],
    ['general', 'medical', 'staff_01', 'account.user_id.charset'], ['general', 'medical', 'ｓｔａｆｆ', 'account.user_id.charset'],
    ['webapi', 'medical', 'A0001', null], ['webapi', 'medical', 'A1001', 'account.user_id.prefix'],
    ['webapi', 'pharmacy', 'A1001', null], ['webapi', 'pharmacy', 'A0001', 'account.user_id.prefix'],
    ['webapi', 'medical', 'A0', 'account.user_id.length'],
    ['linked_app', 'dental', 'R0abc', null], ['linked_app', 'pharmacy', 'R1abc', null], ['linked_app', 'pharmacy', 'R0abc', 'account.user_id.prefix'],
    ['face_reader', 'medical', 'F0001', null], ['face_reader', 'pharmacy', 'F0001', null], ['face_reader', 'home_nursing', 'F1001', 'account.user_id.prefix'],
    ['master', 'medical', 'M123', 'account.role.invalid'],
  ];
  for (const [role, kind, id, want] of cases) assert.equal(checkUserId(id, role, kind), want, `${role}@${kind} ${id}`);
});

test('normaliseName makes half-width input full-width and folds voiced marks', () => {
  assert.equal(normaliseName('ﾔﾏﾀﾞ ﾀﾛｳ'), 'ヤマダ　タロウ');
  assert.equal(normaliseName('ｶﾞ'), 'ガ');
  assert.equal(normaliseName('ﾊﾟ'), 'パ');
  assert.equal(normaliseName('ｳﾞ'), 'ヴ');
  assert.equal(normaliseName('Abc 12'), 'Ａｂｃ　１２');
  assert.equal(normaliseName('山田　太郎'), '山田　太郎');
});

test('checkName and checkNameKana: characters, CP932, length', () => {
  assert.equal(checkName('山田　太郎'), null);
  assert.equal(checkName('髙橋'), null, '髙 is in CP932 (an IBM extension)');
  assert.equal(checkName('𠮷田'), 'account.name.charset', '𠮷 (U+20BB7) is outside CP932');
  assert.equal(checkName('山田!'), 'account.name.charset');
  assert.equal(checkName(normaliseName('abc')), null);
  assert.equal(checkName('あ'.repeat(20)), null);
  assert.equal(checkName('あ'.repeat(21)), 'account.name.length');
  assert.equal(checkName(''), 'account.name.length');
  assert.equal(checkNameKana('ヤマダ　タロウ'), null);
  assert.equal(checkNameKana('やまだ'), 'account.name_kana.charset');
  assert.equal(checkNameKana('山田'), 'account.name_kana.charset');
  assert.equal(checkNameKana('ア'.repeat(40)), null);
  assert.equal(checkNameKana('ア'.repeat(41)), 'account.name_kana.length');
  assert.equal(checkNameKana(normaliseName('ｶﾞﾊﾟ')), null);
});

test('passwordChecklist and checkPassword follow the server order', () => {
  const policy = { min_length: 8, max_length: 64, min_classes: 3 };
  const ids = (pw) => Object.fromEntries(passwordChecklist(pw, 'kanri01', policy).map((r) => [r.id, r.ok]));
  assert.deepEqual(ids(''), { length: false, charset: false, classes: false, user_id: false });
  assert.deepEqual(ids('Abcdef1!'), { length: true, charset: true, classes: true, user_id: true });
  assert.deepEqual(ids('xKANRI01x!'), { length: true, charset: true, classes: true, user_id: false });
  assert.equal(checkPassword('', 'kanri01', policy), 'password.length');
  assert.equal(checkPassword('Ab 1!', 'kanri01', policy), 'password.charset', 'charset before length');
  assert.equal(checkPassword('パスワードAb1!', 'kanri01', policy), 'password.charset');
  assert.equal(checkPassword('Ab1!', 'kanri01', policy), 'password.length');
  assert.equal(checkPassword('A'.repeat(65), 'kanri01', policy), 'password.length');
  assert.equal(checkPassword('abcdefgh', 'kanri01', policy), 'password.classes', 'length before classes');
  assert.equal(checkPassword('kanri01Ab!', 'kanri01', policy), 'password.contains_user_id', 'classes before user ID');
  assert.equal(checkPassword('kanri01ab', 'kanri01', policy), 'password.classes');
  assert.equal(checkPassword('Sakura2026!', 'kanri01', policy), null);
});

test('checkInstitutionCode', () => {
  assert.equal(checkInstitutionCode('1310000017'), null);
  assert.equal(checkInstitutionCode('131000001'), 'institution.code.format');
  assert.equal(checkInstitutionCode('１３１０００００１７'), 'institution.code.format');
  assert.equal(checkInstitutionCode('4810000017'), 'institution.code.prefecture');
  assert.equal(checkInstitutionCode('0010000017'), 'institution.code.prefecture');
});

test('normaliseSerial: ASCII or full-width digits, leading zeros dropped, at most 49 digits', () => {
  assert.equal(normaliseSerial(' ０１２３45 '), '12345');
  assert.equal(normaliseSerial('9'.repeat(49)), '9'.repeat(49));
  for (const bad of ['', '000', '12a4', '1 2', '-5', '9'.repeat(50), null]) assert.equal(normaliseSerial(bad), null, String(bad));
});
