// Every file the console needs is in WEBUI_FILES of the top-level CMakeLists.txt (CMake copies
// only those next to the generated js/errors.js), and every listed file exists.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const cmake = fs.readFileSync(path.join(ROOT, 'CMakeLists.txt'), 'utf8');
const block = /set\(WEBUI_FILES\s([^)]*)\)/.exec(cmake);
const listed = block ? block[1].split(/\s+/).filter((s) => s && !s.startsWith('#')) : [];

// Not served: the tests, the vendoring script and its records, licences.
const NOT_SERVED = (rel) => rel.startsWith('webui/test/') || ['webui/vendor/update.sh', 'webui/vendor/SHA256SUMS',
  'webui/vendor/VERSIONS'].includes(rel) || path.basename(rel) === 'LICENSE';

function walk(rel) {
  return fs.readdirSync(path.join(ROOT, rel), { withFileTypes: true }).flatMap((e) => {
    const r = `${rel}/${e.name}`;
    return e.isDirectory() ? walk(r) : [r];
  });
}

test('WEBUI_FILES is found', () => {
  assert.ok(listed.length > 5, 'set(WEBUI_FILES …) in CMakeLists.txt');
});

test('every served file under webui/ is listed', () => {
  const missing = walk('webui').filter((f) => !NOT_SERVED(f) && !listed.includes(f));
  assert.deepEqual(missing, []);
});

test('every listed file exists', () => {
  const gone = listed.filter((f) => !fs.existsSync(path.join(ROOT, f)));
  assert.deepEqual(gone, []);
});
