// テスト用データセットアップ (manual ch. 3 §2): card links with their 保険証登録 state, records
// by data category with synthetic persons consistent with their type, the consent reset,
// limits, hostile input, tenant isolation, and the production environment, where none of it
// exists.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startPostgres, startOnshid } from '../support/harness.mjs';
import { createInstitution, signedIn, raw } from '../support/people.mjs';

let pg;
let db;
let srv;
let prod; // the same database served as the production environment

async function admin(code, kind = 'medical') {
  const inst = createInstitution(pg, db, code, kind, 'テストデータ試験');
  const master = await signedIn(srv, code, inst.master.user_id, inst.master.initial_password);
  const made = await master('POST', '/api/v1/accounts', { role: 'admin', user_id: 'kanri01', name: '管理', name_kana: 'カンリ', start_date: '2020-04-01' });
  const call = await signedIn(srv, code, 'kanri01', (await made.json()).initial_password);
  const gen = await call('POST', '/api/v1/accounts', { role: 'general', user_id: 'ippan01', name: '一般', name_kana: 'イッパン', start_date: '2020-04-01' });
  return { admin: call, general: await signedIn(srv, code, 'ippan01', (await gen.json()).initial_password) };
}

const json = async (res, status) => {
  const body = await res.json();
  assert.equal(res.status, status, JSON.stringify(body));
  return body;
};

function checkDigitOk(number) {
  const digits = number.slice(0, -1);
  let sum = 0;
  [...digits].reverse().forEach((d, i) => { const p = Number(d) * (i % 2 === 0 ? 2 : 1); sum += Math.floor(p / 10) + (p % 10); });
  return (10 - (sum % 10)) % 10 === Number(number.at(-1));
}

function ageOf(birthdate) {
  const [y, m, d] = birthdate.split('-').map(Number);
  const now = new Date(Date.now() + 9 * 3600e3); // Japan
  let age = now.getUTCFullYear() - y;
  if (now.getUTCMonth() + 1 < m || (now.getUTCMonth() + 1 === m && now.getUTCDate() < d)) age--;
  return age;
}

before(async () => {
  pg = await startPostgres();
  db = pg.migratedDatabase();
  srv = await startOnshid({ database: pg.conninfo(db) });
  prod = await startOnshid({ database: pg.conninfo(db), env: { ONSHI_ENVIRONMENT: 'production' } });
});
after(async () => {
  if (srv) assert.deepEqual(await srv.stop(), { code: 0, signal: null });
  if (prod) assert.deepEqual(await prod.stop(), { code: 0, signal: null });
  pg?.stop();
});

test('the catalogue: 14 types, four categories each with its own types, limits', async () => {
  const { admin: call } = await admin('1319100001');
  const g = await json(await call('GET', '/api/v1/test-data'), 200);
  assert.equal(g.environment, 'verification');
  assert.equal(g.qualification_types.length, 14);
  assert.deepEqual(g.qualification_types[5], { id: 'insurance_valid_first_registration_timeout', label: '医療保険有効（初回登録タイムアウト）',
    description: g.qualification_types[5].description });
  assert.match(g.qualification_types[5].description, /タイムアウト/);
  assert.deepEqual(g.categories.map((c) => [c.id, c.label, c.count, c.qualification_types.length]), [
    ['employee_insurance', '被用者保険', 0, 6], ['national_health_insurance', '国民健康保険', 0, 6],
    ['late_elderly', '後期高齢者医療', 0, 6], ['medical_assistance', '医療扶助', 0, 8]]);
  assert.ok(g.categories[3].qualification_types.every((t) => t.startsWith('assistance_')));
  assert.deepEqual([g.card_links, g.category_records, g.consents, g.limits],
    [[], [], { revoked: 0 }, { card_links: 100, category_records: 1000 }]);
});

test('card links: register, re-link the same card, 保険証登録, list, delete all', async () => {
  const { admin: call } = await admin('1319100002');
  // Leading zeros and full-width digits (what a Japanese IME types) name the same serial.
  const fullWidth = '０００１２３４５６７８９０１２３４５６７８９０１２３４５６７';
  let r = await json(await call('POST', '/api/v1/test-data/card-links', { serial_number: fullWidth, qualification_type: 'insurance_valid_nondisclosure' }), 201);
  assert.equal(r.replaced, false);
  const link = r.card_link;
  assert.equal(link.serial_number, '123456789012345678901234567');
  assert.equal(link.card_registered, false); // not checked: the first check registers it
  assert.equal(link.category, 'employee_insurance');
  assert.equal(link.qualification_type_label, '医療保険有効（不開示該当）');
  assert.equal(link.created_by, 'kanri01');
  const p = link.person;
  assert.match(p.insurance.insurer_number, /^0613\d{4}$/); // a 健康保険組合 in Tokyo (institution 13…)
  assert.ok(checkDigitOk(p.insurance.insurer_number));
  assert.match(p.insurance.insured_number, /^\d{7}$/);
  assert.match(p.insurance.insured_branch_number, /^\d{2}$/);
  assert.equal(p.insurance.valid_until, null);
  assert.match(p.name, /^\S+　\S+$/);
  assert.match(p.name_kana, /^[ァ-ヶー]+　[ァ-ヶー]+$/);
  assert.match(p.address, /^東京都/);
  assert.match(p.postcode, /^\d{3}-\d{4}$/);
  assert.equal(p.medical_assistance, null);

  r = await json(await call('POST', '/api/v1/test-data/card-links', { serial_number: '123456789012345678901234567', qualification_type: 'assistance_valid_medical', register_as_insurance_card: true }), 201);
  assert.equal(r.replaced, true);
  assert.equal(r.card_link.card_registered, true);
  assert.equal(r.card_link.category, 'medical_assistance');
  assert.equal(r.card_link.person.medical_assistance.ticket.label, '医療券');
  await json(await call('POST', '/api/v1/test-data/card-links', { serial_number: '99', qualification_type: 'insurance_invalid', register_as_insurance_card: false }), 201);
  const g = await json(await call('GET', '/api/v1/test-data'), 200);
  assert.deepEqual(g.card_links.map((l) => [l.serial_number, l.qualification_type, l.card_registered]),
    [['123456789012345678901234567', 'assistance_valid_medical', true], ['99', 'insurance_invalid', false]]);
  assert.ok(g.card_links[1].person.insurance.valid_until < new Date().toISOString().slice(0, 10));
  assert.deepEqual(g.category_records, []);
  assert.deepEqual(await json(await call('DELETE', '/api/v1/test-data/card-links'), 200), { deleted: 2 });
  assert.deepEqual((await json(await call('GET', '/api/v1/test-data'), 200)).card_links, []);
  assert.deepEqual(await json(await call('DELETE', '/api/v1/test-data/card-links'), 200), { deleted: 0 });
  const audit = pg.psql(db, "SELECT action || ' ' || coalesce(target, '-') || ' ' || coalesce(details->>'replaced', details->>'count') FROM audit_log WHERE institution_code = '1319100002' AND action LIKE 'test_data.%' ORDER BY id").split('\n');
  assert.deepEqual(audit, ['test_data.card_link.create 123456789012345678901234567 false', 'test_data.card_link.create 123456789012345678901234567 true',
    'test_data.card_link.create 99 false', 'test_data.card_links.delete - 2', 'test_data.card_links.delete - 0']);
});

test('category records: every category with each of its types makes a consistent person; counts; delete all', async () => {
  const { admin: clinic } = await admin('2719100003');
  const { admin: pharmacy } = await admin('2749100003', 'pharmacy');
  const g = await json(await clinic('GET', '/api/v1/test-data'), 200);
  const today = new Date(Date.now() + 9 * 3600e3).toISOString().slice(0, 10);
  for (const cat of g.categories) {
    for (const type of cat.qualification_types) {
      for (const [who, call] of [['clinic', clinic], ['pharmacy', pharmacy]]) {
        const { category_record: rec } = await json(await call('POST', '/api/v1/test-data/category-records', { category: cat.id, qualification_type: type }), 201);
        const p = rec.person;
        const label = `${cat.id}/${type}/${who}`;
        assert.equal(rec.category, cat.id, label);
        assert.equal(p.qualification_type, type, label);
        assert.match(p.address, /^大阪府/, label);
        const age = ageOf(p.birthdate);
        assert.ok(cat.id === 'late_elderly' ? age >= 75 : age >= 20 && age < 75, `${label} age ${age}`);
        const insured = !type.startsWith('assistance_') || type.startsWith('assistance_and_insurance');
        assert.equal(p.insurance !== null, insured, label);
        assert.equal(p.medical_assistance !== null, cat.id === 'medical_assistance', label);
        if (p.insurance) {
          const n = p.insurance.insurer_number;
          assert.ok(checkDigitOk(n), `${label} ${n}`);
          const expected = { employee_insurance: /^0627\d{4}$/, national_health_insurance: /^27\d{4}$/, late_elderly: /^3927\d{4}$/, medical_assistance: /^0627\d{4}$/ }[cat.id];
          assert.match(n, expected, label);
          if (cat.id === 'late_elderly') assert.equal(p.insurance.insured_card_symbol, null, label);
          assert.equal(p.insurance.valid_until === null, type !== 'insurance_invalid', label);
        }
        if (p.medical_assistance) {
          const a = p.medical_assistance;
          assert.match(a.public_payer_number, /^1227\d{4}$/, label);
          assert.ok(checkDigitOk(a.public_payer_number) && checkDigitOk(a.recipient_number), label);
          const ticket = { assistance_valid_medical: '医療券', assistance_valid_pharmacy: '調剤券' }[type]
            ?? (['assistance_and_insurance_valid', 'assistance_valid_nondisclosure', 'assistance_valid_self_info_restricted'].includes(type)
              ? (who === 'pharmacy' ? '調剤券' : '医療券') : null);
          assert.equal(a.ticket?.label ?? null, ticket, label);
          assert.equal(a.valid_until !== null && a.valid_until < today, type === 'assistance_invalid', label);
        }
      }
    }
  }
  const after = await json(await clinic('GET', '/api/v1/test-data'), 200);
  assert.deepEqual(after.categories.map((c) => c.count), [6, 6, 6, 8]);
  assert.equal(after.category_records.length, 26);
  await json(await clinic('POST', '/api/v1/test-data/card-links', { serial_number: '7', qualification_type: 'insurance_valid' }), 201);
  assert.deepEqual(await json(await clinic('DELETE', '/api/v1/test-data/category-records'), 200), { deleted: 26 });
  const left = await json(await clinic('GET', '/api/v1/test-data'), 200);
  assert.deepEqual(left.categories.map((c) => c.count), [0, 0, 0, 0]);
  assert.equal(left.card_links.length, 1); // card links are deleted on their own
  assert.equal((await json(await pharmacy('GET', '/api/v1/test-data'), 200)).category_records.length, 26);
});

test('hostile or wrong input: a precise code, nothing saved', async () => {
  const { admin: call } = await admin('1319100004');
  const link = (body) => call('POST', '/api/v1/test-data/card-links', body);
  const rec = (body) => call('POST', '/api/v1/test-data/category-records', body);
  const cases = [
    [link({ serial_number: '12a4', qualification_type: 'insurance_valid' }), 400, 'test_data.serial_number_invalid', 'serial_number'],
    [link({ serial_number: '1'.repeat(50), qualification_type: 'insurance_valid' }), 400, 'test_data.serial_number_invalid', 'serial_number'],
    [link({ serial_number: '0000', qualification_type: 'insurance_valid' }), 400, 'test_data.serial_number_invalid', 'serial_number'],
    [link({ serial_number: '-15', qualification_type: 'insurance_valid' }), 400, 'test_data.serial_number_invalid', 'serial_number'],
    [link({ serial_number: '１２ ３', qualification_type: 'insurance_valid' }), 400, 'test_data.serial_number_invalid', 'serial_number'],
    [link({ serial_number: 12345, qualification_type: 'insurance_valid' }), 400, 'request.field_type', 'serial_number'],
    [link({ qualification_type: 'insurance_valid' }), 400, 'request.field_missing', 'serial_number'],
    [link({ serial_number: '1', qualification_type: 'insurance_valid_really' }), 400, 'test_data.qualification_type_unknown', 'qualification_type'],
    [link({ serial_number: '1', qualification_type: 'insurance_valid', register_as_insurance_card: 'yes' }), 400, 'request.field_type', 'register_as_insurance_card'],
    [link({ serial_number: '1', qualification_type: 'insurance_valid', institution_code: '1319100005' }), 400, 'request.unknown_field', 'institution_code'],
    [rec({ category: 'private_insurance', qualification_type: 'insurance_valid' }), 400, 'test_data.category_unknown', 'category'],
    [rec({ category: 'late_elderly', qualification_type: 'assistance_valid_medical' }), 400, 'test_data.type_not_in_category', 'qualification_type'],
    [rec({ category: 'medical_assistance', qualification_type: 'insurance_valid' }), 400, 'test_data.type_not_in_category', 'qualification_type'],
    [rec({ category: 'late_elderly' }), 400, 'request.field_missing', 'qualification_type'],
  ];
  for (const [pending, status, code, field] of cases) {
    const res = await pending;
    const body = await res.json();
    assert.equal(res.status, status, JSON.stringify(body));
    assert.equal(body.error.code, code);
    assert.equal(body.error.field, field);
    assert.match(body.error.message, /[ぁ-んァ-ヶ一-龠]/);
  }
  const malformed = [[raw('{"serial_number": "1", '), 400, 'request.invalid_json'], [raw('["1"]'), 400, 'request.not_object'],
    [raw(Buffer.from([0x7b, 0x22, 0xff, 0xfe, 0x22, 0x7d])), 400, 'request.bad_encoding'],
    [raw('serial_number=1', 'application/x-www-form-urlencoded'), 415, 'request.unsupported_media_type']];
  for (const [body, status, code] of malformed) {
    const res = await call('POST', '/api/v1/test-data/card-links', body);
    assert.deepEqual([res.status, (await res.json()).error.code], [status, code]);
  }
  // Just over the 64 KiB body limit: far over it the server hangs up while the client still
  // writes, and fetch sees EPIPE instead of the 413.
  const big = await call('POST', '/api/v1/test-data/card-links', { serial_number: '1'.repeat(70_000), qualification_type: 'insurance_valid' });
  assert.equal(big.status, 413);
  const g = await json(await call('GET', '/api/v1/test-data'), 200);
  assert.deepEqual([g.card_links, g.category_records], [[], []]);
  assert.equal(pg.psql(db, "SELECT count(*) FROM audit_log WHERE institution_code = '1319100004' AND action LIKE 'test_data.%'"), '0');
});

test('limits: 100 card links and 1,000 category records per institution', async () => {
  const { admin: call } = await admin('1319100006');
  for (let i = 1; i <= 90; i++)
    await json(await call('POST', '/api/v1/test-data/card-links', { serial_number: String(5000 + i), qualification_type: 'insurance_valid' }), 201);
  // 30 at once for the last 10 places: exactly 10 get one (the per-institution lock makes the
  // count exact; without it the window is narrow, so this rarely fails by chance).
  const racing = await Promise.all(Array.from({ length: 30 }, (_, i) =>
    call('POST', '/api/v1/test-data/card-links', { serial_number: String(6000 + i), qualification_type: 'insurance_valid' }).then((r) => r.status)));
  assert.deepEqual([racing.filter((x) => x === 201).length, racing.filter((x) => x === 409).length], [10, 20]);
  const over = await json(await call('POST', '/api/v1/test-data/card-links', { serial_number: '9999', qualification_type: 'insurance_valid' }), 409);
  assert.equal(over.error.code, 'test_data.limit_reached');
  // Re-linking a card already linked replaces it, so it stays possible at the limit.
  await json(await call('POST', '/api/v1/test-data/card-links', { serial_number: '5001', qualification_type: 'insurance_invalid' }), 201);
  // 999 records copied in SQL (each with its own number), then the 1,000th and 1,001st by the API.
  await json(await call('POST', '/api/v1/test-data/category-records', { category: 'late_elderly', qualification_type: 'insurance_valid' }), 201);
  pg.psql(db, `INSERT INTO test_persons (institution_code, source, category, qualification_type, insurer_number, insured_number, person, created_by)
    SELECT institution_code, source, category, qualification_type, insurer_number, lpad(g::text, 8, '0'), person, created_by
    FROM test_persons, generate_series(1, 998) g WHERE institution_code = '1319100006' AND source = 'category'`);
  await json(await call('POST', '/api/v1/test-data/category-records', { category: 'late_elderly', qualification_type: 'insurance_valid' }), 201);
  const full = await json(await call('POST', '/api/v1/test-data/category-records', { category: 'employee_insurance', qualification_type: 'insurance_valid' }), 409);
  assert.equal(full.error.code, 'test_data.limit_reached');
  const g = await json(await call('GET', '/api/v1/test-data'), 200);
  assert.deepEqual([g.card_links.length, g.category_records.length, g.categories[2].count], [100, 1000, 1000]);
  // A row onshid did not write (here: an empty person) is left out of the list, not a crash.
  pg.psql(db, `UPDATE test_persons SET person = '{}' WHERE institution_code = '1319100006' AND serial_number = '5002'`);
  const h = await json(await call('GET', '/api/v1/test-data'), 200);
  assert.equal(h.card_links.length, 99);
  assert.ok(!h.card_links.some((l) => l.serial_number === '5002'));
});

test('閲覧同意情報初期化 restores consents revoked at the card, not those of the patient page', async () => {
  const { admin: call } = await admin('1319100007');
  const { admin: other } = await admin('1319100008');
  for (const c of [call, other])
    await json(await c('POST', '/api/v1/test-data/card-links', { serial_number: '4242', qualification_type: 'insurance_valid', register_as_insurance_card: true }), 201);
  // Consents are given at the card reader (next issue); here they are written as it will.
  for (const code of ['1319100007', '1319100008'])
    pg.psql(db, `INSERT INTO test_consents (institution_code, person_id, item, source, given_at, revoked_at)
      SELECT institution_code, id, item, src, now() - interval '1 day', CASE WHEN item = 'checkup' THEN NULL ELSE now() END
      FROM test_persons, (VALUES ('drug', 'card'), ('medical', 'card'), ('checkup', 'card'), ('surgery', 'visit')) v(item, src)
      WHERE institution_code = '${code}'`);
  assert.deepEqual((await json(await call('GET', '/api/v1/test-data'), 200)).consents, { revoked: 2 });
  assert.deepEqual(await json(await call('POST', '/api/v1/test-data/consents/reset'), 200), { restored: 2 });
  assert.equal(pg.psql(db, "SELECT string_agg(item || '=' || (revoked_at IS NULL), ',' ORDER BY item) FROM test_consents WHERE institution_code = '1319100007'"),
    'checkup=true,drug=true,medical=true,surgery=false');
  assert.equal(pg.psql(db, "SELECT count(*) FROM test_consents WHERE institution_code = '1319100008' AND revoked_at IS NOT NULL"), '3'); // the other institution's untouched
  assert.deepEqual(await json(await call('POST', '/api/v1/test-data/consents/reset'), 200), { restored: 0 });
  assert.deepEqual((await json(await call('GET', '/api/v1/test-data'), 200)).consents, { revoked: 0 });
  // Deleting the card links deletes their consents with them.
  await json(await call('DELETE', '/api/v1/test-data/card-links'), 200);
  assert.equal(pg.psql(db, "SELECT count(*) FROM test_consents WHERE institution_code = '1319100007'"), '0');
});

test('tenants: one institution never sees or deletes another\'s test data; a serial is per institution', async () => {
  const { admin: a } = await admin('1319100009');
  const { admin: b } = await admin('1319100010');
  await json(await a('POST', '/api/v1/test-data/card-links', { serial_number: '31415', qualification_type: 'insurance_valid' }), 201);
  await json(await a('POST', '/api/v1/test-data/category-records', { category: 'national_health_insurance', qualification_type: 'insurance_valid' }), 201);
  const gb = await json(await b('GET', '/api/v1/test-data'), 200);
  assert.deepEqual([gb.card_links, gb.category_records, gb.categories.map((c) => c.count)], [[], [], [0, 0, 0, 0]]);
  const linked = await json(await b('POST', '/api/v1/test-data/card-links', { serial_number: '31415', qualification_type: 'insurance_invalid' }), 201);
  assert.equal(linked.replaced, false);
  assert.deepEqual(await json(await b('DELETE', '/api/v1/test-data/card-links'), 200), { deleted: 1 });
  assert.deepEqual(await json(await b('DELETE', '/api/v1/test-data/category-records'), 200), { deleted: 0 });
  const ga = await json(await a('GET', '/api/v1/test-data'), 200);
  assert.deepEqual([ga.card_links.length, ga.card_links[0].qualification_type, ga.category_records.length], [1, 'insurance_valid', 1]);
});

test('the production environment: every test-data endpoint is 404 test_data.unavailable to anyone, and the menu lacks it', async () => {
  const { admin: call, general } = await admin('1319100011');
  await json(await call('POST', '/api/v1/test-data/card-links', { serial_number: '2718', qualification_type: 'insurance_valid' }), 201);
  const endpoints = [['GET', '/api/v1/test-data'], ['POST', '/api/v1/test-data/card-links', { serial_number: '1', qualification_type: 'insurance_valid' }],
    ['DELETE', '/api/v1/test-data/card-links'], ['POST', '/api/v1/test-data/category-records', { category: 'late_elderly', qualification_type: 'insurance_valid' }],
    ['DELETE', '/api/v1/test-data/category-records'], ['POST', '/api/v1/test-data/consents/reset']];
  for (const [method, path, body] of endpoints) {
    for (const who of [call, general]) {
      const res = await who(method, path, body, prod);
      const got = await res.json();
      assert.equal(res.status, 404, `${method} ${path}`);
      assert.equal(got.error.code, 'test_data.unavailable');
      assert.match(got.error.message, /接続検証環境/);
    }
    const anon = await fetch(`${prod.base}${path}`, { method });
    assert.equal(anon.status, 404, `${method} ${path} without a session`);
    assert.equal((await anon.json()).error.code, 'test_data.unavailable');
  }
  // Nothing changed behind the refusals: the link made in verification is still there.
  assert.equal((await json(await call('GET', '/api/v1/test-data'), 200)).card_links.length, 1);
  const menuIn = async (server) => (await json(await call('GET', '/api/v1/session', undefined, server), 200));
  const v = await menuIn(srv);
  const p = await menuIn(prod);
  assert.ok(v.capabilities.includes('test_data'));
  assert.deepEqual(v.menu.find((m) => m.id === 'test_data'), { id: 'test_data', group: '環境設定情報管理', label: 'テスト用データセットアップ', capability: 'test_data' });
  assert.ok(!p.capabilities.includes('test_data'));
  assert.ok(!p.menu.some((m) => m.id === 'test_data'));
  assert.ok(!(await json(await general('GET', '/api/v1/session'), 200)).capabilities.includes('test_data'));
});
