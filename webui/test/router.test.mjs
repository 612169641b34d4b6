// router.js's pure parts: matching a path pattern, reading a hash, writing one.
import { test } from 'node:test';
import assert from 'node:assert/strict';

// lit-html reads `document` when its module loads (document.createTreeWalker): node has none,
// so give it the least it asks for; the functions tested here never render.
globalThis.document ??= { createTreeWalker: () => ({}), createComment: () => ({}) };
let router;
try {
  router = await import('../js/router.js');
} catch (e) {
  router = { error: e };
}

test('router.js loads in node with a stub document', () => {
  assert.equal(router.error, undefined, String(router.error));
});

test('matchPath', { skip: Boolean(router.error) }, () => {
  const { matchPath } = router;
  assert.deepEqual(matchPath('/accounts/:user_id', '/accounts/A0123'), { user_id: 'A0123' });
  assert.deepEqual(matchPath('/accounts/:user_id', '/accounts/%E5%B1%B1'), { user_id: '山' });
  assert.deepEqual(matchPath('/audit', '/audit'), {});
  assert.equal(matchPath('/accounts/:user_id', '/accounts/'), null);
  assert.equal(matchPath('/accounts/:user_id', '/accounts'), null);
  assert.equal(matchPath('/accounts/new', '/accounts/A0123'), null);
  assert.equal(matchPath('/audit', '/audit/x'), null);
});

test('parseHash', { skip: Boolean(router.error) }, () => {
  const { parseHash } = router;
  let r = parseHash('#/audit?from=2026-04-01&action=account.update');
  assert.equal(r.path, '/audit');
  assert.equal(r.query.get('from'), '2026-04-01');
  assert.equal(r.query.get('action'), 'account.update');
  r = parseHash('');
  assert.equal(r.path, '/');
  assert.equal([...r.query].length, 0);
  assert.equal(parseHash('#').path, '/');
  assert.equal(parseHash('#/login?next=%23%2Faudit%3Factor%3Dk').query.get('next'), '#/audit?actor=k');
});

test('hashFor leaves out empty values and round-trips through parseHash', { skip: Boolean(router.error) }, () => {
  const { hashFor, parseHash } = router;
  assert.equal(hashFor('/menu'), '#/menu');
  assert.equal(hashFor('/audit', { from: '2026-04-01', actor: '', target: null, page: 2, x: undefined }), '#/audit?from=2026-04-01&page=2');
  const h = hashFor('/login', { next: '#/audit?actor=kanri01&page=2' });
  assert.equal(parseHash(h).query.get('next'), '#/audit?actor=kanri01&page=2');
  assert.equal(hashFor('/accounts', { q: '山田 太郎' }), '#/accounts?q=%E5%B1%B1%E7%94%B0+%E5%A4%AA%E9%83%8E');
});
