// The vendored files are the ones update.sh fetched: every line of SHA256SUMS matches its file,
// and every file under lit-html/ and design-tokens/ is listed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const VENDOR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../vendor');
const lines = fs.readFileSync(path.join(VENDOR, 'SHA256SUMS'), 'utf8').split('\n').filter(Boolean);
const listed = new Map(lines.map((l) => {
  const m = /^([0-9a-f]{64}) {2}(\S.*)$/.exec(l);
  assert.ok(m, `SHA256SUMS line in sha256sum format: ${l}`);
  return [m[2], m[1]];
}));

function walk(dir, rel = '') {
  return fs.readdirSync(path.join(dir, rel), { withFileTypes: true }).flatMap((e) => {
    const r = rel ? `${rel}/${e.name}` : e.name;
    return e.isDirectory() ? walk(dir, r) : [r];
  });
}

test('every line of SHA256SUMS matches its file', () => {
  assert.ok(listed.size > 0);
  for (const [file, sum] of listed) {
    const data = fs.readFileSync(path.join(VENDOR, file));
    assert.equal(crypto.createHash('sha256').update(data).digest('hex'), sum, file);
  }
});

test('every vendored file is listed', () => {
  for (const dir of ['lit-html', 'design-tokens']) {
    const files = walk(VENDOR, dir);
    assert.ok(files.length > 0, dir);
    for (const f of files) assert.ok(listed.has(f), `${f} is in SHA256SUMS`);
  }
});
