// WCAG 2.2 AA checks of a built realist site in a real browser (Chromium via playwright-core,
// axe-core injected into each page), a reflow check, and a keyboard test of the skip link and
// header navigation.
//
// 1. Every page of the site (site-pages.mjs: each index.html, and the 404 page requested two
//    folders deep) is loaded at 320×640 and 1280×800 in one browser, a few pages at a time
//    (A11Y_CONCURRENCY, default 3), each tab reused from page to page.
// 2. axe-core runs on each load; any violation fails that page's test with the rule, its help
//    URL and the elements. Any request to another host fails it too (such hosts do not resolve,
//    so nothing leaves the machine).
// 3. At 320 px the page's width is recorded; once every page is loaded, one test fails listing
//    each page that scrolls sideways, by how many pixels, and the widest elements.
// 4. The keyboard test tabs through the skip link and the header on the home and report pages.
//
//   SITE_DIR=../../target/site-ci node --test      (from tests/browser)
//
// Env: SITE_DIR         built site (default: <repo>/target/site-ci)
//      BASE_PATH        URL prefix the site is built for (default /research/hsca12/)
//      CHROMIUM         Chromium binary (default /usr/bin/chromium)
//      A11Y_PAGES       `all` (default), `kinds` (one page of each kind, for a quick run), or
//                       site-relative pages, comma-separated (`reports/x/,cmos/`)
//      A11Y_CONCURRENCY pages loaded at once per width (default 3)

import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { useSite, addAxe, AXE_TAGS, SITE_DIR, BASE_PATH, pageKinds, allPages, isLocal } from './harness.mjs';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const SCREENSHOT_DIR = path.join(repoRoot, 'target', 'screenshots');
const VIEWPORTS = [
  { width: 320, height: 640 },
  { width: 1280, height: 800 },
];
const CONCURRENCY = Math.max(1, Number(process.env.A11Y_CONCURRENCY) || 3);

const { pages: kindPages, missing } = pageKinds(SITE_DIR);
const byKind = Object.fromEntries(kindPages.map((p) => [p.kind, p]));
const kindOf = new Map(kindPages.map((p) => [p.rel, p.kind]));
const pages = selectPages(process.env.A11Y_PAGES || 'all');

/** `all`, `kinds`, or a comma-separated list of site-relative pages (`reports/x/,cmos/`). */
function selectPages(which) {
  if (which === 'kinds') return kindPages;
  const every = allPages(SITE_DIR);
  if (which === 'all') return every;
  const wanted = which.split(',').map((s) => s.trim().replace(/^\/+/, ''));
  return every.filter((p) => wanted.includes(p.rel));
}
const SCREENSHOT_KINDS = new Set(['report', 'cmo-matrix']);

// ---------------------------------------------------------------- helpers

function formatViolations(violations) {
  return violations
    .map((v) => {
      const targets = v.nodes
        .slice(0, 10)
        .map((n) => {
          const where = n.target.map((t) => (Array.isArray(t) ? t.join(' >>> ') : t)).join(' | ');
          const why = (n.failureSummary || '').split('\n').slice(1, 2).join(' ').trim();
          return `      - ${where}${why ? `\n        ${why}` : ''}`;
        })
        .join('\n');
      const more = v.nodes.length > 10 ? `\n      … and ${v.nodes.length - 10} more` : '';
      return `  [${v.impact ?? 'n/a'}] ${v.id}: ${v.help}\n    ${v.helpUrl}\n    nodes (${v.nodes.length}):\n${targets}${more}`;
    })
    .join('\n');
}

/**
 * A few tabs of one browser context, reused from page to page: a new tab per page would
 * double the time of the run. Each tab records the URLs it requests.
 */
class TabPool {
  constructor(context, size) {
    this.context = context;
    this.size = size;
    this.made = 0;
    this.free = [];
    this.waiting = [];
  }

  async acquire() {
    if (this.free.length) return this.free.pop();
    if (this.made < this.size) {
      this.made++;
      const page = await this.context.newPage();
      const tab = { page, requests: [] };
      page.on('request', (r) => tab.requests.push(r.url()));
      return tab;
    }
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  /** Hands the tab on; a tab that failed is closed and replaced, so one bad page spoils no other. */
  async release(tab, broken) {
    if (broken) {
      await tab.page.close().catch(() => {});
      this.made--;
      const next = this.waiting.shift();
      if (next) this.acquire().then(next);
      return;
    }
    const next = this.waiting.shift();
    if (next) next(tab);
    else this.free.push(tab);
  }
}

/** The page's width beyond the viewport at this moment, and the outermost elements that stick out. */
function measureOverflow() {
  const root = document.documentElement;
  const extra = root.scrollWidth - root.clientWidth;
  if (extra <= 0) return { extra: 0, culprits: [] };
  const limit = root.clientWidth + 1;
  const describe = (el) => {
    let s = el.tagName.toLowerCase();
    if (el.id) s += `#${el.id}`;
    else if (typeof el.className === 'string' && el.className.trim()) s += '.' + el.className.trim().split(/\s+/).join('.');
    const parent = el.parentElement?.closest('[id]');
    return parent && parent !== el ? `#${parent.id} ${s}` : s;
  };
  const outermost = [];
  for (const el of document.body.querySelectorAll('*')) {
    const r = el.getBoundingClientRect();
    if (r.right <= limit || r.width === 0) continue;
    // Only the outermost element that sticks out: its descendants add nothing.
    if (outermost.some((c) => c.el.contains(el))) continue;
    // An element inside a scroll container does not widen the page.
    let p = el.parentElement;
    let clipped = false;
    while (p && p !== document.body) {
      if (getComputedStyle(p).overflowX !== 'visible') {
        clipped = true;
        break;
      }
      p = p.parentElement;
    }
    if (!clipped) outermost.push({ el, right: r.right, width: r.width });
  }
  // Elements of the same kind (every <dd> of a panel) are one line, the widest first.
  const groups = new Map();
  for (const c of outermost) {
    const key = describe(c.el);
    const g = groups.get(key) || { key, n: 0, right: 0, width: 0 };
    g.n++;
    g.right = Math.max(g.right, c.right);
    g.width = Math.max(g.width, c.width);
    groups.set(key, g);
  }
  const culprits = [...groups.values()]
    .sort((a, b) => b.right - a.right)
    .slice(0, 5)
    .map((g) => `${g.key}${g.n > 1 ? ` (${g.n} of them)` : ''}: right edge at ${Math.round(g.right)} px, ${Math.round(g.width)} px wide`);
  return { extra, culprits };
}

// ---------------------------------------------------------------- tests

const pools = new Map();
const widths320 = [];
let pagesChecked = 0;
let totalViolations = 0;
let pagesWithViolations = 0;
const offHost = [];
const t0 = Date.now();

/** Loads `p` in a pooled tab at `viewport`, runs axe, and returns what a test asserts on. */
async function check(site, p, viewport) {
  const pool = pools.get(viewport.width);
  const tab = await pool.acquire();
  let broken = true;
  try {
    tab.requests = [];
    const response = await tab.page.goto(site.url + p.rel, { waitUntil: 'load', timeout: 60000 });
    await addAxe(tab.page);
    const result = await tab.page.evaluate(
      (tags) => window.axe.run(document, { runOnly: { type: 'tag', values: tags }, resultTypes: ['violations'] }),
      AXE_TAGS,
    );
    const overflow = viewport.width === 320 ? await tab.page.evaluate(measureOverflow) : null;
    const kind = kindOf.get(p.rel);
    if (SCREENSHOT_KINDS.has(kind)) {
      await tab.page.screenshot({ path: path.join(SCREENSHOT_DIR, `${kind}-${viewport.width}.png`), fullPage: true });
    }
    broken = false;
    return { status: response?.status(), violations: result.violations, requests: [...tab.requests], overflow };
  } finally {
    await pool.release(tab, broken);
  }
}

describe('accessibility (axe-core, WCAG 2.2 AA) in Chromium', () => {
  const site = useSite();

  before(async () => {
    for (const viewport of VIEWPORTS) {
      // Not routed (a route would slow each of the many loads): every host but the test server
      // fails to resolve (launchChromium), so a page that loads from elsewhere is reported (the
      // request is recorded) and nothing leaves the machine.
      const context = await site.browser.newContext({ viewport, serviceWorkers: 'block' });
      pools.set(viewport.width, new TabPool(context, CONCURRENCY));
    }
    fs.mkdirSync(SCREENSHOT_DIR, { recursive: true });
  });

  after(async () => {
    const secs = ((Date.now() - t0) / 1000).toFixed(1);
    console.log(
      `a11y summary: ${pagesChecked} page loads checked (${pages.length} pages x ${VIEWPORTS.length} widths, ` +
        `${CONCURRENCY} at a time per width), ${totalViolations} axe violations on ${pagesWithViolations} loads, ` +
        `${offHost.length} off-host requests, ${secs}s`,
    );
  });

  it('site has one page of every expected template kind', () => {
    assert.deepEqual(missing, [], `missing from ${SITE_DIR}: ${missing.join(', ')}`);
  });

  describe(`every page at ${VIEWPORTS.map((v) => `${v.width}×${v.height}`).join(' and ')}`, { concurrency: CONCURRENCY * VIEWPORTS.length }, () => {
    for (const p of pages) {
      for (const viewport of VIEWPORTS) {
        it(`/${p.rel} at ${viewport.width}px: no axe violations, no off-host requests`, { timeout: 180000 }, async () => {
          const r = await check(site, p, viewport);
          pagesChecked++;
          totalViolations += r.violations.length;
          if (r.violations.length) pagesWithViolations++;
          if (r.overflow) widths320.push({ rel: p.rel, ...r.overflow });
          const foreign = r.requests.filter((u) => !isLocal(u));
          offHost.push(...foreign);
          const problems = [];
          if (r.status !== p.status) problems.push(`HTTP status of /${p.rel} is ${r.status}, expected ${p.status}`);
          if (r.violations.length) {
            problems.push(
              `${r.violations.length} axe violation(s) on ${BASE_PATH}${p.rel} at ${viewport.width}px:\n` +
                formatViolations(r.violations),
            );
          }
          if (foreign.length) {
            problems.push(
              `${foreign.length} request(s) to hosts other than 127.0.0.1 from ${BASE_PATH}${p.rel}:\n` +
                foreign.map((u) => `  - ${u}`).join('\n'),
            );
          }
          if (problems.length) assert.fail(problems.join('\n'));
        });
      }
    }
  });

  it('no page scrolls sideways at 320×640 (WCAG 1.4.10 Reflow)', () => {
    const checked = widths320.length;
    assert.ok(checked > 0, 'no page was measured at 320 px (every load failed?)');
    const wide = widths320.filter((w) => w.extra > 0).sort((a, b) => b.extra - a.extra);
    const lines = wide.map(
      (w) => `  ${BASE_PATH}${w.rel}: ${w.extra} px wider than the screen\n` + w.culprits.map((c) => `      - ${c}`).join('\n'),
    );
    assert.equal(wide.length, 0, `${wide.length} of ${checked} pages scroll sideways at 320 px:\n${lines.join('\n')}`);
  });

  for (const kind of ['home', 'report']) {
    it(`keyboard: skip link and header links on ${kind} page`, async (t) => {
      const p = byKind[kind];
      assert.ok(p, `no ${kind} page found`);
      const { context, page } = await site.open(p.rel, { width: 1280, height: 900 });
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
        await page.goto(site.url + p.rel, { waitUntil: 'load' });
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
