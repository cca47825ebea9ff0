// WCAG 2.2 AA checks of a built realist site in a real browser (Chromium via
// playwright-core, axe-core injected into each page), plus a keyboard test of
// the skip link and header navigation.
//
//   SITE_DIR=../../target/site-ci node --test      (from tests/browser)
//
// Env: SITE_DIR  built site (default: <repo>/target/site-ci)
//      BASE_PATH URL prefix the site is built for (default /research/hsca12/)
//      CHROMIUM  Chromium binary (default /usr/bin/chromium)

import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';
import { chromium } from 'playwright-core';
import { startServer } from './serve.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const repoRoot = path.resolve(here, '..', '..');
const require = createRequire(import.meta.url);

const SITE_DIR = path.resolve(process.env.SITE_DIR || path.join(repoRoot, 'target', 'site-ci'));
const BASE_PATH = process.env.BASE_PATH || '/research/hsca12/';
const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
const SCREENSHOT_DIR = path.join(repoRoot, 'target', 'screenshots');
const WIDTHS = [1280, 320];
const AXE_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'];
const AXE_SOURCE = fs.readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

// ---------------------------------------------------------------- discovery

function firstEntry(dir) {
  const abs = path.join(SITE_DIR, dir);
  if (!fs.existsSync(abs)) return null;
  const subs = fs
    .readdirSync(abs, { withFileTypes: true })
    .filter((d) => d.isDirectory() && fs.existsSync(path.join(abs, d.name, 'index.html')))
    .map((d) => d.name)
    .sort();
  return subs.length ? `${dir}/${subs[0]}/` : null;
}

function hasIndex(rel) {
  return fs.existsSync(path.join(SITE_DIR, rel, 'index.html'));
}

/** @returns {{pages: {kind:string, rel:string, status:number}[], missing: string[]}} */
function discover() {
  const pages = [];
  const missing = [];
  const add = (kind, rel, required = true, status = 200) => {
    if (rel !== null) pages.push({ kind, rel, status });
    else if (required) missing.push(kind);
  };
  if (!fs.existsSync(SITE_DIR)) return { pages, missing: [`site folder ${SITE_DIR}`] };
  add('home', hasIndex('') ? '' : null);
  for (const [kind, dir] of [
    ['report', 'reports'],
    ['tracer', 'tracers'],
    ['area', 'areas'],
    ['study', 'studies'],
    ['theory', 'theories'],
    ['cmo', 'cmos'],
    ['theme', 'themes'],
  ]) {
    add(kind, firstEntry(dir));
  }
  add('cmo-matrix', hasIndex('cmos') ? 'cmos/' : null);
  add('glossary', hasIndex('glossary') ? 'glossary/' : null);
  add('search', hasIndex('search') ? 'search/' : null, false);
  add('accessibility', hasIndex('accessibility') ? 'accessibility/' : null);
  add('404', fs.existsSync(path.join(SITE_DIR, '404.html')) ? 'this-page-does-not-exist-4f3a/' : null, true, 404);
  return { pages, missing };
}

const { pages, missing } = discover();
const byKind = Object.fromEntries(pages.map((p) => [p.kind, p]));

// ---------------------------------------------------------------- helpers

function formatViolations(violations) {
  return violations
    .map((v) => {
      const targets = v.nodes
        .slice(0, 10)
        .map((n) => `      - ${n.target.map((t) => (Array.isArray(t) ? t.join(' >>> ') : t)).join(' | ')}`)
        .join('\n');
      const more = v.nodes.length > 10 ? `\n      … and ${v.nodes.length - 10} more` : '';
      return `  [${v.impact ?? 'n/a'}] ${v.id}: ${v.help}\n    ${v.helpUrl}\n    nodes (${v.nodes.length}):\n${targets}${more}`;
    })
    .join('\n');
}

function isLocal(u) {
  let url;
  try {
    url = new URL(u);
  } catch {
    return false;
  }
  if (['data:', 'blob:', 'about:'].includes(url.protocol)) return true;
  return (url.protocol === 'http:' || url.protocol === 'https:') && url.hostname === '127.0.0.1';
}

// ---------------------------------------------------------------- tests

let browser;
let server;
let pagesChecked = 0;
let totalViolations = 0;
const offHost = [];
const t0 = Date.now();

/** Opens a fresh page (own context) at `width`, recording and blocking off-host requests. */
async function openPage(width, rel) {
  const context = await browser.newContext({
    viewport: { width, height: 900 },
    serviceWorkers: 'block',
  });
  const requests = [];
  const page = await context.newPage();
  page.on('request', (r) => requests.push(r.url()));
  // Record every request, but never let one leave this machine.
  await context.route('**/*', (route) =>
    isLocal(route.request().url()) ? route.continue() : route.abort('blockedbyclient'),
  );
  const response = await page.goto(server.url + rel, { waitUntil: 'load' });
  return { context, page, response, requests };
}

describe('accessibility (axe-core, WCAG 2.2 AA) in Chromium', () => {
  before(async () => {
    server = await startServer(SITE_DIR, BASE_PATH);
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    });
    fs.mkdirSync(SCREENSHOT_DIR, { recursive: true });
  });

  after(async () => {
    await browser?.close();
    await server?.close();
    const secs = ((Date.now() - t0) / 1000).toFixed(1);
    console.log(
      `a11y summary: ${pagesChecked} page loads checked (${pages.length} pages x ${WIDTHS.length} widths), ` +
        `${totalViolations} axe violations, ${offHost.length} off-host requests, ${secs}s`,
    );
  });

  it('site has one page of every expected template kind', () => {
    assert.deepEqual(missing, [], `missing from ${SITE_DIR}: ${missing.join(', ')}`);
  });

  for (const p of pages) {
    for (const width of WIDTHS) {
      it(`${p.kind} (/${p.rel}) at ${width}px: no axe violations, no off-host requests`, async () => {
        const { context, page, response, requests } = await openPage(width, p.rel);
        try {
          assert.equal(response?.status(), p.status, `HTTP status of /${p.rel}`);
          await page.addScriptTag({ content: AXE_SOURCE });
          const result = await page.evaluate(
            (tags) => window.axe.run(document, { runOnly: { type: 'tag', values: tags }, resultTypes: ['violations'] }),
            AXE_TAGS,
          );
          pagesChecked++;
          totalViolations += result.violations.length;

          if (p.kind === 'report' || p.kind === 'cmo-matrix') {
            await page.screenshot({ path: path.join(SCREENSHOT_DIR, `${p.kind}-${width}.png`), fullPage: true });
          }

          const foreign = requests.filter((u) => !isLocal(u));
          offHost.push(...foreign);
          const problems = [];
          if (result.violations.length) {
            problems.push(
              `${result.violations.length} axe violation(s) on /${p.rel} at ${width}px:\n` +
                formatViolations(result.violations),
            );
          }
          if (foreign.length) {
            problems.push(
              `${foreign.length} request(s) to hosts other than 127.0.0.1 from /${p.rel}:\n` +
                foreign.map((u) => `  - ${u}`).join('\n'),
            );
          }
          if (problems.length) assert.fail(problems.join('\n'));
        } finally {
          await context.close();
        }
      });
    }
  }

  for (const kind of ['home', 'report']) {
    it(`keyboard: skip link and header links on ${kind} page`, async (t) => {
      const p = byKind[kind];
      assert.ok(p, `no ${kind} page found`);
      const { context, page } = await openPage(1280, p.rel);
      try {
        // 1. First Tab lands on the skip link, which is visible when focused.
        await page.keyboard.press('Tab');
        const first = await page.evaluate(() => {
          const a = document.activeElement;
          const r = a.getBoundingClientRect();
          return {
            tag: a.tagName.toLowerCase(),
            href: a.getAttribute('href'),
            cls: a.className,
            text: (a.textContent || '').trim(),
            visible: r.width > 1 && r.height > 1 && r.bottom > 0 && r.right > 0 &&
              r.top < window.innerHeight && r.left < window.innerWidth &&
              getComputedStyle(a).visibility !== 'hidden' && getComputedStyle(a).opacity !== '0',
          };
        });
        assert.equal(first.tag, 'a', `first Tab should focus the skip link, got <${first.tag}> "${first.text}"`);
        assert.equal(first.href, '#main', `first focused link should have href="#main", got "${first.href}"`);
        assert.ok(first.cls.split(/\s+/).includes('skip-link'), `skip link should have class "skip-link", got "${first.cls}"`);
        assert.ok(first.visible, 'skip link should be visible (inside the viewport) when focused');

        // 2. Enter moves focus to (or into) <main id="main">.
        await page.keyboard.press('Enter');
        await page.waitForTimeout(50);
        const inMain = await page.evaluate(() => {
          const main = document.querySelector('main#main');
          const a = document.activeElement;
          const desc = a ? `<${a.tagName.toLowerCase()}${a.id ? ` id="${a.id}"` : ''}${a.className ? ` class="${a.className}"` : ''}>` : 'nothing';
          return { hasMain: !!main, ok: !!main && (a === main || main.contains(a)), active: desc };
        });
        assert.ok(inMain.hasMain, 'page has no <main id="main">');
        assert.ok(inMain.ok, `after Enter on the skip link, focus should be on/in <main id="main">; it is on ${inMain.active}`);

        // 3. Every link in the site header is reached by Tab, with a visible focus indicator.
        await page.goto(server.url + p.rel, { waitUntil: 'load' });
        const total = await page.evaluate(() => {
          const headers = [...document.querySelectorAll('header')].filter(
            (h) => !h.parentElement.closest('main, article, aside, nav, section'),
          );
          let i = 0;
          for (const h of headers) for (const a of h.querySelectorAll('a[href]')) a.dataset.kbIdx = String(i++);
          return { links: i, focusables: document.querySelectorAll('a[href], button, input, select, textarea, [tabindex]').length };
        });
        assert.ok(total.links > 0, 'no links found inside the site <header>');
        const seen = new Map();
        const maxPresses = Math.min(total.focusables + 5, 300);
        for (let n = 0; n < maxPresses && seen.size < total.links; n++) {
          await page.keyboard.press('Tab');
          const info = await page.evaluate(() => {
            const a = document.activeElement;
            if (!a || a.dataset.kbIdx === undefined) return null;
            const s = getComputedStyle(a);
            return {
              idx: a.dataset.kbIdx,
              text: (a.textContent || '').trim().replace(/\s+/g, ' ').slice(0, 40),
              href: a.getAttribute('href'),
              outlineStyle: s.outlineStyle,
              outlineWidth: parseFloat(s.outlineWidth) || 0,
              boxShadow: s.boxShadow,
            };
          });
          if (info && !seen.has(info.idx)) seen.set(info.idx, info);
        }
        const unreached = await page.evaluate(
          (seenIdx) =>
            [...document.querySelectorAll('[data-kb-idx]')]
              .filter((a) => !seenIdx.includes(a.dataset.kbIdx))
              .map((a) => `"${(a.textContent || '').trim()}" (${a.getAttribute('href')})`),
          [...seen.keys()],
        );
        assert.deepEqual(unreached, [], `header links never reached by Tab: ${unreached.join(', ')}`);
        const noIndicator = [...seen.values()].filter(
          (i) => !((i.outlineStyle !== 'none' && i.outlineWidth > 0) || (i.boxShadow && i.boxShadow !== 'none')),
        );
        assert.deepEqual(
          noIndicator.map((i) => `"${i.text}" (${i.href}): outline ${i.outlineStyle} ${i.outlineWidth}px, box-shadow ${i.boxShadow}`),
          [],
          'header links without a visible focus indicator',
        );
        t.diagnostic(`${seen.size} header links reached by keyboard, all with a focus indicator`);
      } finally {
        await context.close();
      }
    });
  }
});
