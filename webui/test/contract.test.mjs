// The console's validators and the real API agree: the same inputs POSTed to /api/v1/accounts
// by an admin of a clinic and of a pharmacy get the server's error.code, and validate.js
// (normaliseName first, as the server does) must give the same code — or accept when it accepts.
// validate.js does not import the generated js/errors.js, so the source copy is tested.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startPostgres, startOnshid } from '../../tests/support/harness.mjs';
import { createInstitution, signedIn } from '../../tests/support/people.mjs';
import { checkName, checkNameKana, checkUserId, normaliseName } from '../js/validate.js';

let pg;
let srv;
const admins = {}; // institution kind → API helper

before(async () => {
  pg = await startPostgres();
  const db = pg.migratedDatabase();
  srv = await startOnshid({ database: pg.conninfo(db) });
  for (const [kind, code] of [['medical', '1310000017'], ['pharmacy', '2740000015']]) {
    const inst = createInstitution(pg, db, code, kind, '契約試験');
    const master = await signedIn(srv, code, inst.master.user_id, inst.master.initial_password);
    const res = await master('POST', '/api/v1/accounts', { role: 'admin', user_id: 'kanri01', name: '管理', name_kana: 'カンリ', start_date: '2020-04-01' });
    assert.equal(res.status, 201);
    admins[kind] = await signedIn(srv, code, 'kanri01', (await res.json()).initial_password);
  }
});
after(async () => {
  if (srv) assert.deepEqual(await srv.stop(), { code: 0, signal: null });
  pg?.stop();
});

function jsCode({ role, user_id: id, name, name_kana: kana }, kind) {
  return checkUserId(id, role, kind) || checkName(normaliseName(name)) || checkNameKana(normaliseName(kana));
}

let n = 0;
const uid = () => `c${String(++n).padStart(3, '0')}`; // a fresh, valid ID for each name case
const person = (over) => ({ role: 'general', user_id: uid(), name: '山田 太郎', name_kana: 'ﾔﾏﾀﾞ ﾀﾛｳ', start_date: '2020-04-01', ...over });

const ID_CASES = [
  ['general', 'ab'], ['general', 'a'], ['admin', 'kanri09'], ['general', 'abcdefghi'], ['general', 'staff_1'], ['general', 'ｓｔａｆｆ'],
  ['general', 'A0xy'], ['medical_viewer', 'R1xy'], ['general', 'f9xy'], ['medical_viewer', 'Fxyz'],
  ['webapi', 'A0x01'], ['webapi', 'A1x01'], ['webapi', 'A0'], ['linked_app', 'R0x01'], ['linked_app', 'R1x01'],
  ['face_reader', 'F0x01'], ['face_reader', 'F1x01'], ['webapi', 'B0x01'],
];
const NAME_CASES = [
  { name: '山田 太郎' }, { name: 'ﾔﾏﾀﾞ' }, { name: 'Yamada Taro' }, { name: '髙橋 一郎' }, { name: '𠮷田' },
  { name: '山田!' }, { name: '山田①' }, { name: 'あ'.repeat(20) }, { name: 'あ'.repeat(21) }, { name: 'ｱ'.repeat(21) },
  { name: '山田😀' },
  { name_kana: 'ｶﾞｯｺｳ ﾊﾟﾝ' }, { name_kana: 'やまだ' }, { name_kana: '山田' }, { name_kana: 'ア'.repeat(40) },
  { name_kana: 'ア'.repeat(41) }, { name_kana: 'ｱ'.repeat(41) }, { name_kana: 'YAMADA 01' }, { name_kana: 'ヤマダ・タロウ' },
];

for (const kind of ['medical', 'pharmacy']) {
  test(`user IDs at a ${kind} institution: the server and validate.js agree`, async () => {
    const mismatches = [];
    for (const [role, id] of ID_CASES) {
      const body = person({ role, user_id: id });
      const res = await admins[kind]('POST', '/api/v1/accounts', body);
      const server = res.status === 201 ? null : (await res.json()).error.code;
      // An admin registers no admin (master does): the server says so before looking at the ID.
      const js = role === 'admin' ? 'auth.forbidden' : jsCode(body, kind);
      if (server !== js) mismatches.push(`${role} ${id}: server ${server}, js ${js}`);
    }
    assert.deepEqual(mismatches, []);
  });

  test(`names and kana at a ${kind} institution: the server and validate.js agree`, async () => {
    const mismatches = [];
    for (const c of NAME_CASES) {
      const body = person(c);
      const res = await admins[kind]('POST', '/api/v1/accounts', body);
      const server = res.status === 201 ? null : (await res.json()).error.code;
      const js = jsCode(body, kind);
      if (server !== js) mismatches.push(`${JSON.stringify(c).slice(0, 60)}: server ${server}, js ${js}`);
    }
    assert.deepEqual(mismatches, []);
  });
}

test('a control character: both refuse, the server in its input layer before the name rules', async () => {
  const body = person({ name: '山田\t太郎' });
  const res = await admins.medical('POST', '/api/v1/accounts', body);
  assert.equal(res.status, 400);
  assert.equal((await res.json()).error.code, 'request.field_range');
  assert.equal(jsCode(body, 'medical'), 'account.name.charset');
});
