// Runs the store's C tests (tests/unit/test_db.c, test_db_tx.c) against a throwaway PostgreSQL.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { startPostgres, BUILD } from '../support/harness.mjs';

let pg;
before(async () => { pg = await startPostgres(); });
after(() => pg?.stop());

// One binary against a freshly migrated database; its cmocka summary must count `passed`.
function runStoreTests(binary, passed) {
  const res = spawnSync(path.join(BUILD, 'tests', binary), [], {
    encoding: 'utf8',
    env: { ...process.env, TEST_DATABASE_URL: pg.conninfo(pg.migratedDatabase()) },
    timeout: 120000,
  });
  process.stdout.write(res.stdout);
  assert.equal(res.status, 0, `${res.stdout}\n${res.stderr}`);
  assert.match(res.stdout + res.stderr, new RegExp(`\\[  PASSED  \\] ${passed} test\\(s\\)`));
}

test('connection, prepared statements and the transaction runner behave against PostgreSQL', () => {
  runStoreTests('test_db', 9);
});

test('db_tx takes the configured retry limit, counts per name and logs which statement failed', () => {
  runStoreTests('test_db_tx', 6);
});
