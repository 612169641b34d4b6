// Runs the store's C tests (tests/unit/test_db.c) against a throwaway PostgreSQL.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { startPostgres, BUILD } from '../support/harness.mjs';

let pg;
before(async () => { pg = await startPostgres(); });
after(() => pg?.stop());

test('connection, prepared statements and the transaction runner behave against PostgreSQL', () => {
  const res = spawnSync(path.join(BUILD, 'tests', 'test_db'), [], {
    encoding: 'utf8',
    env: { ...process.env, TEST_DATABASE_URL: pg.conninfo(pg.migratedDatabase()) },
    timeout: 120000,
  });
  process.stdout.write(res.stdout);
  assert.equal(res.status, 0, `${res.stdout}\n${res.stderr}`);
  assert.match(res.stdout + res.stderr, /\[  PASSED  \] 9 test\(s\)/);
});
