// api-spec/openapi.yaml against the real route table (`onshid --print-routes`) and the
// error registry (server/errors.csv). Needs only the built onshid: no server, no database.
//
// The spec is read line by line, not with a YAML library: it is written by hand with
// 2-space indentation, path keys at exactly 2 spaces under the top-level `paths:` and method
// keys at exactly 4 spaces.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const buildDir = process.env.TEST_BUILD_DIR || path.join(repo, 'build');
const onshid = path.join(buildDir, 'onshid');
const specPath = path.join(repo, 'api-spec', 'openapi.yaml');
const errorsPath = path.join(repo, 'server', 'errors.csv');

const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'];

// `{*name}` (rest of the path, route table) and `{name}` (spec) are the same parameter.
const normalise = (p) => p.replace(/\{\*([^}]*)\}/g, '{$1}');
const key = (method, p) => `${method.toUpperCase()} ${normalise(p)}`;

function routeTable() {
  assert.ok(existsSync(onshid), `${onshid} does not exist: build first or set TEST_BUILD_DIR`);
  const out = execFileSync(onshid, ['--print-routes'], { encoding: 'utf8' });
  const routes = [];
  for (const line of out.split('\n')) {
    if (line.trim() === '') continue;
    const m = /^([A-Z]+) (\/\S*)$/.exec(line);
    assert.ok(m, `unexpected line in --print-routes output: ${JSON.stringify(line)}`);
    routes.push({ method: m[1], pattern: m[2], key: key(m[1], m[2]) });
  }
  assert.ok(routes.length > 0, 'onshid --print-routes printed no routes');
  return routes;
}

const specText = readFileSync(specPath, 'utf8');
const specLines = specText.split(/\r?\n/);

const indentOf = (line) => line.length - line.trimStart().length;
const isBlankOrComment = (line) => line.trim() === '' || line.trim().startsWith('#');

// Operations under `paths:`: [{method, path, key, line, body: [lines of the operation]}].
function specOperations() {
  const start = specLines.findIndex((l) => /^paths:\s*(#.*)?$/.test(l));
  assert.ok(start >= 0, 'openapi.yaml has no top-level `paths:` line');
  const ops = [];
  const paths = [];
  let currentPath = null;
  let op = null;
  for (let i = start + 1; i < specLines.length; i++) {
    const line = specLines[i];
    if (isBlankOrComment(line)) {
      if (op) op.body.push(line);
      continue;
    }
    const indent = indentOf(line);
    if (indent === 0) break; // next top-level key: end of the paths block
    if (indent <= 4) op = null; // anything at 2 or 4 spaces ends the current operation
    if (indent === 2) {
      const m = /^ {2}(['"]?)(\/[^'"]*)\1:\s*(#.*)?$/.exec(line);
      if (m) {
        currentPath = m[2];
        paths.push({ path: currentPath, line: i + 1 });
        continue;
      }
      assert.ok(/^ {2}x-[\w-]+:/.test(line),
        `openapi.yaml line ${i + 1}: expected a path key (starting with /) at 2 spaces: ${line}`);
      currentPath = null;
      continue;
    }
    if (indent === 4 && currentPath) {
      const m = /^ {4}([a-z]+):\s*(#.*)?$/.exec(line);
      if (m && METHODS.includes(m[1])) {
        op = { method: m[1], path: currentPath, key: key(m[1], currentPath), line: i + 1, body: [] };
        ops.push(op);
      }
      continue;
    }
    if (op) op.body.push(line);
  }
  assert.ok(paths.length > 0, 'the `paths:` block of openapi.yaml has no path keys');
  return { ops, paths };
}

function registryCodes() {
  const codes = new Set();
  const lines = readFileSync(errorsPath, 'utf8').split(/\r?\n/);
  assert.match(lines[0], /^code,/, 'server/errors.csv must start with a `code,...` header');
  for (const line of lines.slice(1)) {
    if (line.trim() === '') continue;
    codes.add(line.slice(0, line.indexOf(',')));
  }
  return codes;
}

test('openapi.yaml declares OpenAPI 3.1', () => {
  assert.match(specLines[0], /^openapi: ['"]?3\.1\./, 'the first line must be `openapi: 3.1.x`');
});

test('every route in the route table is documented in openapi.yaml', () => {
  const documented = new Set(specOperations().ops.map((o) => o.key));
  const missing = routeTable().filter((r) => !documented.has(r.key)).map((r) => r.key);
  assert.deepEqual(missing, [], `routes without an entry in openapi.yaml: ${missing.join('; ')}`);
});

test('every operation in openapi.yaml exists in the route table', () => {
  const routes = new Set(routeTable().map((r) => r.key));
  const extra = specOperations().ops.filter((o) => !routes.has(o.key))
    .map((o) => `${o.key} (line ${o.line})`);
  assert.deepEqual(extra, [], `documented operations that onshid does not route: ${extra.join('; ')}`);
});

test('every path in openapi.yaml is listed once and has at least one operation', () => {
  const { ops, paths } = specOperations();
  const seen = new Map();
  const problems = [];
  for (const p of paths) {
    const n = normalise(p.path);
    if (seen.has(n)) problems.push(`${p.path} (line ${p.line}) repeats line ${seen.get(n)}`);
    else seen.set(n, p.line);
    if (!ops.some((o) => o.path === p.path))
      problems.push(`${p.path} (line ${p.line}) has no get/put/post/delete/patch/... operation`);
  }
  assert.deepEqual(problems, []);
});

test('every operation in openapi.yaml has an operationId and a responses block', () => {
  const { ops } = specOperations();
  const problems = [];
  const ids = new Map();
  for (const o of ops) {
    const where = `${o.key} (line ${o.line})`;
    const id = o.body.map((l) => /^ {6}operationId:\s*(\S+)/.exec(l)).find(Boolean);
    if (!id) problems.push(`${where}: no operationId`);
    else if (ids.has(id[1])) problems.push(`${where}: operationId ${id[1]} repeats ${ids.get(id[1])}`);
    else ids.set(id[1], where);
    const r = o.body.findIndex((l) => /^ {6}responses:\s*(#.*)?$/.test(l));
    if (r < 0) {
      problems.push(`${where}: no responses block`);
      continue;
    }
    const next = o.body.slice(r + 1).find((l) => !isBlankOrComment(l));
    if (!next || !/^ {8}['"]?([1-5][0-9X]{2}|default)['"]?:/.test(next))
      problems.push(`${where}: the responses block lists no status code`);
  }
  assert.deepEqual(problems, []);
});

test('every error code mentioned in openapi.yaml exists in server/errors.csv', () => {
  const codes = registryCodes();
  const mentioned = new Map(); // code → first line
  specLines.forEach((line, i) => {
    // request.* and server.* anywhere in the text (prose, examples, descriptions) …
    for (const m of line.matchAll(/(?<![\w.\/-])((?:request|server)\.[a-z][a-z0-9_]*(?:\.[a-z][a-z0-9_]*)*)/g))
      if (!mentioned.has(m[1])) mentioned.set(m[1], i + 1);
    // … and whatever an example gives as `code: <x>`.
    const c = /^\s*code:\s*['"]?([A-Za-z][\w.]*)['"]?\s*(#.*)?$/.exec(line);
    if (c && !mentioned.has(c[1])) mentioned.set(c[1], i + 1);
  });
  assert.ok(mentioned.size > 0, 'openapi.yaml mentions no error codes at all');
  const unknown = [...mentioned].filter(([c]) => !codes.has(c)).map(([c, l]) => `${c} (line ${l})`);
  assert.deepEqual(unknown, [], `codes not in server/errors.csv: ${unknown.join('; ')}`);
});

// The line reader above trusts the layout; a real YAML parser (Debian's python3-yaml) checks
// that the file is YAML at all, that every $ref resolves, and that no OpenAPI 3.0 keyword
// (nullable) slipped into this 3.1 document.
test('openapi.yaml parses as YAML; every $ref resolves; 3.1 keywords only', () => {
  const doc = JSON.parse(execFileSync('python3', ['-c',
    'import json, sys, yaml; json.dump(yaml.safe_load(open(sys.argv[1], encoding="utf-8")), sys.stdout, default=str)', specPath],
  { encoding: 'utf8' }));
  assert.deepEqual(Object.keys(doc.paths), specOperations().paths.map((p) => p.path));
  const problems = [];
  const walk = (node, where) => {
    if (Array.isArray(node)) node.forEach((n, i) => walk(n, `${where}/${i}`));
    else if (node && typeof node === 'object') {
      for (const [k, v] of Object.entries(node)) {
        if (k === 'nullable') problems.push(`${where}: nullable (use type: [x, 'null'])`);
        if (k === '$ref') {
          const target = v.replace(/^#\//, '').split('/').reduce((o, part) => o?.[part], doc);
          if (!v.startsWith('#/') || target === undefined) problems.push(`${where}: $ref ${v} does not resolve`);
        } else walk(v, `${where}/${k}`);
      }
    }
  };
  walk(doc, '#');
  assert.deepEqual(problems, []);
});
