// Unit tests of the static server used by the browser tests (no site needed).
import { it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import http from 'node:http';
import { startServer } from './serve.mjs';

let tmp;
let srv;

// Raw request, so that `..` and odd encodings reach the server unnormalised.
function get(rawPath, method = 'GET') {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port: srv.port, path: rawPath, method }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

before(async () => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'realist-serve-'));
  const site = path.join(tmp, 'site');
  fs.mkdirSync(path.join(site, 'reports', 'a b'), { recursive: true });
  fs.writeFileSync(path.join(site, 'index.html'), '<p>home</p>');
  fs.writeFileSync(path.join(site, '404.html'), '<p>not found page</p>');
  fs.writeFileSync(path.join(site, 'reports', 'a b', 'index.html'), '<p>report</p>');
  fs.writeFileSync(path.join(site, 'style.css'), 'body{}');
  fs.writeFileSync(path.join(site, 'app.js'), '1');
  fs.writeFileSync(path.join(site, 'logo.svg'), '<svg/>');
  fs.writeFileSync(path.join(tmp, 'secret.txt'), 'secret');
  fs.symlinkSync(path.join(tmp, 'secret.txt'), path.join(site, 'link.txt'));
  srv = await startServer(site, '/research/hsca12/');
});

after(async () => {
  await srv?.close();
  fs.rmSync(tmp, { recursive: true, force: true });
});

it('listens on 127.0.0.1 and reports the site URL', () => {
  assert.ok(srv.port > 0);
  assert.equal(srv.url, `http://127.0.0.1:${srv.port}/research/hsca12/`);
});

it('serves dir/ as dir/index.html with text/html', async () => {
  const home = await get('/research/hsca12/');
  assert.equal(home.status, 200);
  assert.match(home.headers['content-type'], /^text\/html/);
  assert.equal(home.body, '<p>home</p>');
  const rep = await get('/research/hsca12/reports/a%20b/');
  assert.equal(rep.status, 200);
  assert.equal(rep.body, '<p>report</p>');
});

it('redirects a folder without trailing slash', async () => {
  const r = await get('/research/hsca12/reports/a%20b');
  assert.equal(r.status, 301);
  assert.equal(r.headers.location, '/research/hsca12/reports/a%20b/');
  const b = await get('/research/hsca12');
  assert.equal(b.status, 301);
  assert.equal(b.headers.location, '/research/hsca12/');
});

it('sets content types', async () => {
  assert.match((await get('/research/hsca12/style.css')).headers['content-type'], /^text\/css/);
  assert.match((await get('/research/hsca12/app.js')).headers['content-type'], /^text\/javascript/);
  assert.equal((await get('/research/hsca12/logo.svg')).headers['content-type'], 'image/svg+xml');
});

it('answers missing paths and paths outside the base with 404.html and status 404', async () => {
  for (const p of ['/research/hsca12/nope/', '/research/hsca12/nope.css', '/', '/other/index.html']) {
    const r = await get(p);
    assert.equal(r.status, 404, p);
    assert.equal(r.body, '<p>not found page</p>', p);
  }
  const head = await get('/research/hsca12/nope/', 'HEAD');
  assert.equal(head.status, 404);
  assert.equal(head.body, '');
});

it('refuses path traversal', async () => {
  for (const p of [
    '/research/hsca12/../secret.txt',
    '/research/hsca12/%2e%2e/secret.txt',
    '/research/hsca12/reports/%2E%2E/%2e%2e/secret.txt',
    '/research/hsca12/..%2fsecret.txt',
    '/research/hsca12/..%5csecret.txt',
    '/research/hsca12/%00',
    '/research/hsca12/link.txt',
    '/research/hsca12/%E0%A4%A',
  ]) {
    const r = await get(p);
    assert.ok(r.status === 400 || r.status === 404, `${p} -> ${r.status}`);
    assert.ok(!r.body.includes('secret'), `${p} leaked the file`);
  }
});

it('rejects methods other than GET and HEAD', async () => {
  assert.equal((await get('/research/hsca12/', 'POST')).status, 405);
});
