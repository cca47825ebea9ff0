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

// ------------------------------------------------------------------------------------------------
// `realist serve` itself, in Chromium: every page fires `load`, however many are open. A browser
// opens at most six connections to one host, and a live-reload stream holds one for as long as
// its page is open, so pages must share one stream or the seventh page never finishes loading.
//
// Env: REALIST   the realist binary (default: target/release/realist, else target/debug/realist)
//      CHROMIUM  Chromium binary (default /usr/bin/chromium)
// ------------------------------------------------------------------------------------------------

import { describe } from 'node:test';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { startRealistServe } from './serve.mjs';

// What a copy of the example site needs: site.yaml and every file and folder it names.
const SITE_ENTRIES = ['site.yaml', 'content', 'themes', 'static', 'anonymity.sha256'];

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
const LOAD_MS = 5000;

describe('realist serve in Chromium', () => {
  let siteTmp;
  let live;
  let browser;
  let pages;

  before(async () => {
    // A copy of the example site, so the test can edit it.
    siteTmp = fs.mkdtempSync(path.join(os.tmpdir(), 'realist-serve-site-'));
    for (const entry of SITE_ENTRIES.filter((e) => fs.existsSync(path.join(repoRoot, e)))) {
      fs.cpSync(path.join(repoRoot, entry), path.join(siteTmp, entry), { recursive: true });
    }
    live = await startRealistServe(siteTmp);
    const home = await (await fetch(live.url)).text();
    const base = new URL(live.url).pathname;
    const links = [...home.matchAll(/href="([^"#?]+\/)"/g)]
      .map((m) => new URL(m[1], live.url).href)
      .filter((u) => u.startsWith(new URL(live.url).origin + base));
    pages = [...new Set([live.url, ...links])].slice(0, 10);
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking'],
    });
  });

  after(async () => {
    await browser?.close();
    await live?.close();
    if (siteTmp) fs.rmSync(siteTmp, { recursive: true, force: true });
  });

  // Opens `url` in a new tab of `context` and returns the tab once `load` has fired (or throws).
  async function open(context, url) {
    const page = await context.newPage();
    const started = Date.now();
    await page.goto(url, { waitUntil: 'load', timeout: LOAD_MS });
    return { page, ms: Date.now() - started };
  }

  it('finds enough pages to test with', () => {
    assert.ok(pages.length >= 9, `only ${pages.length} pages linked from the home page`);
  });

  it('fires load on every page opened one after another, each tab left open', async () => {
    const context = await browser.newContext();
    try {
      for (const url of pages) {
        const { page } = await open(context, url);
        // The page is connected to the live-reload stream by then (or soon after).
        await page.waitForFunction(() => document.readyState === 'complete', null, {
          timeout: LOAD_MS,
        });
      }
      // And again: the same pages in more tabs.
      for (const url of pages.slice(0, 4)) await open(context, url);
    } finally {
      await context.close();
    }
  });

  it('fires load on every page opened in parallel tabs', async () => {
    const context = await browser.newContext();
    try {
      const loads = await Promise.allSettled(pages.map((url) => open(context, url)));
      const failed = loads
        .map((r, i) => (r.status === 'rejected' ? `${pages[i]}: ${r.reason.message.split('\n')[0]}` : null))
        .filter(Boolean);
      assert.deepEqual(failed, [], `pages that did not load within ${LOAD_MS} ms`);
      // A second round while the first tabs are still open.
      const again = await Promise.allSettled(pages.map((url) => open(context, url)));
      assert.equal(again.filter((r) => r.status === 'rejected').length, 0, 'second round');
    } finally {
      await context.close();
    }
  });

  it('still reloads every open page after an edit', async () => {
    const context = await browser.newContext();
    try {
      const tabs = [];
      for (const url of pages.slice(0, 8)) tabs.push((await open(context, url)).page);
      // Give the tabs time to join the shared live-reload stream.
      await new Promise((r) => setTimeout(r, 1000));
      const reloaded = tabs.map((tab) => tab.waitForEvent('load', { timeout: 60000 }));
      const yaml = path.join(siteTmp, 'site.yaml');
      fs.writeFileSync(yaml, fs.readFileSync(yaml, 'utf8').replace(/^title: .*$/m, 'title: "Edited title"'));
      await Promise.all(reloaded);
      for (const tab of tabs) assert.match(await tab.title(), /Edited title/);
    } finally {
      await context.close();
    }
  });
});

describe('realist serve in Chromium, with "__realist/client.js/" in the base path', () => {
  let siteTmp;
  let live;
  let browser;

  before(async () => {
    siteTmp = fs.mkdtempSync(path.join(os.tmpdir(), 'realist-serve-site-'));
    for (const entry of SITE_ENTRIES.filter((e) => fs.existsSync(path.join(repoRoot, e)))) {
      fs.cpSync(path.join(repoRoot, entry), path.join(siteTmp, entry), { recursive: true });
    }
    const yaml = path.join(siteTmp, 'site.yaml');
    const odd = 'base_url: "https://x.ac.uk/__realist/client.js/a/__realist/client.js/"';
    fs.writeFileSync(yaml, fs.readFileSync(yaml, 'utf8').replace(/^base_url: .*$/m, odd));
    live = await startRealistServe(siteTmp);
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking'],
    });
  });

  after(async () => {
    await browser?.close();
    await live?.close();
    if (siteTmp) fs.rmSync(siteTmp, { recursive: true, force: true });
  });

  it('connects to the live-reload stream under the base and reloads after an edit', async () => {
    assert.match(new URL(live.url).pathname, /^\/__realist\/client\.js\/a\/__realist\/client\.js\/$/);
    const context = await browser.newContext();
    try {
      const page = await context.newPage();
      const asked = [];
      page.on('request', (r) => asked.push(new URL(r.url()).pathname));
      context.on('request', (r) => asked.push(new URL(r.url()).pathname));
      await page.goto(live.url, { waitUntil: 'load', timeout: LOAD_MS });
      await new Promise((r) => setTimeout(r, 1000));
      const base = new URL(live.url).pathname;
      // Every request for the server's own files is under the whole base, and the page joined
      // the live-reload stream (through the shared worker or a stream of its own).
      const own = asked.filter((p) => /\/__realist\/(client\.js|worker\.js|events)$/.test(p));
      const under = ['client.js', 'worker.js', 'events'].map((f) => `${base}__realist/${f}`);
      for (const p of own) assert.ok(under.includes(p), `asked for ${p}, outside ${base}`);
      assert.ok(own.some((p) => p !== under[0]), `no live-reload stream: ${own}`);
      const reloaded = page.waitForEvent('load', { timeout: 60000 });
      const yaml = path.join(siteTmp, 'site.yaml');
      fs.writeFileSync(yaml, fs.readFileSync(yaml, 'utf8').replace(/^title: .*$/m, 'title: "Edited title"'));
      await reloaded;
      assert.match(await page.title(), /Edited title/);
    } finally {
      await context.close();
    }
  });
});
