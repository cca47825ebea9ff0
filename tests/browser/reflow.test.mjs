// Reflow and layout polish of a built realist site, in Chromium (playwright-core):
//
// - every HTML page of the site, at 320×640: the page does not scroll sideways
//   (WCAG 1.4.10), no element sticks out of the viewport outside a scroll container,
//   every table in prose is in a named, focusable scroll region, key–value panels
//   stack (label above value), `main` has its padding, and no request of the page fails
//   (the favicon and stylesheets included);
// - each kind of page in the dark colour scheme: axe's colour-contrast rule finds nothing;
// - each kind of page: cumulative layout shift below 0.1 on a phone;
// - the 404 page, at a depth, without JavaScript: styled, and its links lead to pages;
// - print: a short report prints on few pages, with a source line naming its address.
//
//   SITE_DIR=../../target/site-ci BASE_PATH=/research/hsca12/ node --test reflow.test.mjs
//
// Env: SITE_DIR, BASE_PATH, CHROMIUM as for a11y.test.mjs.

import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { useSite, addAxe, SITE_DIR, htmlFiles, trackLayoutShift, layoutShift } from './harness.mjs';

const PHONE = { width: 320, height: 640 };

// ---------------------------------------------------------------- discovery

/** One page of each kind: the first of each top folder, and the top-level pages. */
function onePerKind(pages) {
  const seen = new Map();
  for (const rel of pages) {
    const parts = rel.split('/').filter(Boolean);
    const kind = parts.length === 0 ? 'home' : parts.length === 1 ? `${parts[0]} list` : parts[0];
    if (!seen.has(kind)) seen.set(kind, rel);
  }
  return [...seen.entries()];
}

/** Every HTML page of the site as a URL path relative to the site root (`reports/x/`). */
const PAGES = htmlFiles(SITE_DIR);

// ---------------------------------------------------------------- in-page checks

/** Runs in the page: everything that makes it wider than the screen, and the layout rules. */
function layoutProblems() {
  const problems = [];
  const vw = window.innerWidth;
  const doc = document.documentElement;
  if (doc.scrollWidth > vw) problems.push(`the page is ${doc.scrollWidth}px wide in a ${vw}px window`);
  const describe = (el) => {
    let s = el.tagName.toLowerCase();
    if (el.id) s += `#${el.id}`;
    if (el.classList.length) s += `.${[...el.classList].join('.')}`;
    const text = (el.textContent || '').trim().replace(/\s+/g, ' ').slice(0, 50);
    return text ? `${s} "${text}"` : s;
  };
  const scrolls = (el) => {
    const o = getComputedStyle(el).overflowX;
    return o === 'auto' || o === 'scroll' || o === 'hidden' || o === 'clip';
  };
  // Elements sticking out of the window, unless something between them and the page clips or
  // scrolls them (a table in its scroll region), or they are hidden or visually hidden.
  const wide = [];
  for (const el of document.body.querySelectorAll('*')) {
    const r = el.getBoundingClientRect();
    if (r.width === 0 || r.height === 0) continue;
    if (r.right <= vw + 0.5 && r.left >= -0.5) continue;
    let contained = false;
    for (let a = el.parentElement; a && a !== document.body; a = a.parentElement) {
      if (scrolls(a)) {
        const ar = a.getBoundingClientRect();
        contained = ar.right <= vw + 0.5 && ar.left >= -0.5;
        break;
      }
    }
    const s = getComputedStyle(el);
    const hidden = s.visibility === 'hidden' || s.clip === 'rect(0px, 0px, 0px, 0px)' || el.closest('.visually-hidden, .skip-link');
    if (!contained && !hidden) wide.push(`${describe(el)} spans ${Math.round(r.left)}–${Math.round(r.right)}px`);
  }
  if (wide.length) problems.push(`elements outside the window: ${wide.slice(0, 5).join('; ')}`);

  // Every table in prose scrolls inside a named, focusable region.
  for (const t of document.querySelectorAll('.prose table')) {
    const box = t.parentElement;
    const ok = box.classList.contains('table-scroll') && box.getAttribute('role') === 'region' &&
      box.getAttribute('tabindex') === '0';
    const labelled = box.getAttribute('aria-labelledby');
    const name = (box.getAttribute('aria-label') ||
      (labelled && document.getElementById(labelled)?.textContent) || '').trim();
    if (!ok || !name) problems.push(`a table in prose is not in a named, focusable scroll region: ${describe(t)}`);
  }
  // Key–value panels stack on a phone: each label above its value.
  for (const f of document.querySelectorAll('dl.facts > .fact')) {
    const dt = f.querySelector('dt');
    const dd = f.querySelector('dd');
    if (dt && dd && dd.getBoundingClientRect().top < dt.getBoundingClientRect().bottom - 1) {
      problems.push(`a fact's value sits beside its label: ${describe(dt)}`);
    }
  }
  const main = document.querySelector('main');
  if (main && parseFloat(getComputedStyle(main).paddingTop) < 8) problems.push('main has no top padding');
  return problems;
}

// ---------------------------------------------------------------- tests

describe('reflow and layout polish in Chromium', () => {
  const site = useSite();

  it('the site has pages to check', () => {
    assert.ok(PAGES.length > 10, `only ${PAGES.length} pages found in ${SITE_DIR}`);
  });

  describe(`every page at ${PHONE.width}×${PHONE.height}`, () => {
    let ctx;
    let page;
    let failed = [];
    before(async () => {
      ctx = await site.context(PHONE);
      page = await ctx.newPage();
      page.on('response', (r) => {
        if (r.status() >= 400) failed.push(`${r.status()} ${r.url()}`);
      });
      // A request cut short by the next page's navigation (the favicon, fetched after `load`)
      // has not failed; any other error has.
      page.on('requestfailed', (r) => {
        if (!/ERR_ABORTED/.test(r.failure()?.errorText || '')) failed.push(`failed ${r.url()}`);
      });
    });
    after(async () => ctx?.close());

    for (const rel of PAGES) {
      it(`/${rel}: nothing wider than the screen, and the layout rules hold`, async () => {
        failed = [];
        const response = await page.goto(site.url + rel, { waitUntil: 'load' });
        assert.equal(response?.status(), 200, `HTTP status of /${rel}`);
        const problems = await page.evaluate(layoutProblems);
        if (failed.length) problems.push(`requests that failed: ${failed.join(', ')}`);
        assert.deepEqual(problems, [], `/${rel} at ${PHONE.width}px`);
      });
    }
  });

  describe('each kind of page in dark mode: colour contrast', () => {
    let ctx;
    let page;
    before(async () => {
      ctx = await site.context({ colorScheme: 'dark', width: 1280, height: 800 });
      page = await ctx.newPage();
    });
    after(async () => ctx?.close());

    // One page of each kind: the pages of a kind share their template and their colours.
    for (const [kind, rel] of onePerKind(PAGES)) {
      it(`${kind} (/${rel}): no text below 4.5:1 in the dark colour scheme`, async () => {
        await page.goto(site.url + rel, { waitUntil: 'load' });
        const dark = await page.evaluate(() => matchMedia('(prefers-color-scheme: dark)').matches);
        assert.ok(dark, 'the dark colour scheme is emulated');
        await addAxe(page);
        const result = await page.evaluate(() =>
          window.axe.run(document, { runOnly: { type: 'rule', values: ['color-contrast'] }, resultTypes: ['violations'] }),
        );
        const nodes = result.violations.flatMap((v) => v.nodes.map((n) => `${n.target.join(' ')}: ${n.failureSummary}`));
        assert.deepEqual(nodes.slice(0, 8), [], `/${rel}: ${nodes.length} contrast failures in dark mode`);
      });
    }
  });

  describe('layout shift on a phone, each kind of page', () => {
    for (const [kind, rel] of onePerKind(PAGES)) {
      it(`${kind} (/${rel}): cumulative layout shift below 0.1`, async () => {
        const ctx = await site.context(PHONE);
        try {
          await trackLayoutShift(ctx);
          const page = await ctx.newPage();
          await page.goto(site.url + rel, { waitUntil: 'load' });
          await page.waitForTimeout(500);
          const cls = await layoutShift(page);
          if (process.env.SHOW_CLS) console.log(`CLS ${cls.toFixed(4)} ${rel}`);
          assert.ok(cls < 0.1, `CLS ${cls.toFixed(3)} on /${rel}`);
        } finally {
          await ctx.close();
        }
      });
    }
  });

  it('the 404 page at a depth is styled and its links work, without JavaScript', async () => {
    const ctx = await site.context({ ...PHONE, javaScriptEnabled: false });
    try {
      const page = await ctx.newPage();
      const requests = [];
      page.on('response', (r) => requests.push([r.status(), r.url()]));
      const response = await page.goto(`${site.url}no/such/folder/page/`, { waitUntil: 'load' });
      assert.equal(response?.status(), 404);
      const bad = requests.filter(([s, u]) => s >= 400 && !u.endsWith('/no/such/folder/page/'));
      assert.deepEqual(bad, [], 'requests of the 404 page that failed');
      const styled = await page.evaluate(() => ({
        sheets: document.styleSheets.length,
        rules: [...document.styleSheets].reduce((n, s) => n + s.cssRules.length, 0),
        header: getComputedStyle(document.querySelector('header') || document.body).backgroundColor,
      }));
      assert.ok(styled.rules > 20, `the stylesheet is not applied: ${JSON.stringify(styled)}`);
      // The site's branding: its logo loads and its generated stylesheet (linked in the head,
      // after the theme's) is applied, so the header carries the site's own colours.
      const brand = await page.evaluate(() => {
        const img = document.querySelector('.brand-logo img');
        const sheet = [...document.styleSheets].find((s) => s.href && s.href.endsWith('/static/brand.css'));
        const link = document.head.querySelector('link[href$="static/brand.css"]');
        const custom = getComputedStyle(document.documentElement);
        const declared = sheet ? [...sheet.cssRules].map((r) => r.cssText).join('\n') : '';
        return {
          logo: img ? { loaded: img.complete && img.naturalWidth > 0, src: img.src } : null,
          inHead: !!link,
          rules: sheet ? sheet.cssRules.length : 0,
          // The header colour brand.css declares, and the one in force on the page.
          declared: (declared.match(/--header-bg:\s*([^;]+);/) || [])[1] || null,
          inForce: custom.getPropertyValue('--header-bg').trim(),
        };
      });
      assert.ok(brand.logo, 'the logo is missing from the 404 page');
      assert.ok(brand.logo.loaded, `the logo did not load: ${brand.logo.src}`);
      assert.ok(brand.inHead, 'brand.css is not linked in the head');
      assert.ok(brand.rules > 0, `brand.css is not loaded: ${JSON.stringify(brand)}`);
      if (brand.declared) assert.equal(brand.inForce, brand.declared.trim(), 'brand.css is not applied');
      const hrefs = await page.evaluate(() =>
        [...document.querySelectorAll('a[href]')].map((a) => a.href).filter((h) => h.startsWith(location.origin)),
      );
      assert.ok(hrefs.length > 3, `only ${hrefs.length} links`);
      for (const href of new Set(hrefs.map((h) => h.split('#')[0]))) {
        if (href.endsWith('/no/such/folder/page/')) continue;
        const r = await fetch(href);
        assert.equal(r.status, 200, `${href} from the 404 page`);
      }
    } finally {
      await ctx.close();
    }
  });

  it('print: a short report is compact and carries a source line', async () => {
    const reports = PAGES.filter((p) => /^reports\/[^/]+\/$/.test(p));
    assert.ok(reports.length, 'no report pages');
    const size = (rel) => fs.statSync(path.join(SITE_DIR, rel, 'index.html')).size;
    const shortest = reports.sort((a, b) => size(a) - size(b))[0];
    const ctx = await site.context({ width: 1280, height: 800 });
    try {
      const page = await ctx.newPage();
      await page.goto(site.url + shortest, { waitUntil: 'load' });
      await page.emulateMedia({ media: 'print' });
      const source = await page.evaluate(() => {
        const shown = (sel) => {
          const el = document.head.querySelector(sel);
          return el && getComputedStyle(el).display !== 'none' ? el : null;
        };
        const after = (el) => (el ? getComputedStyle(el, '::after').content : '');
        return {
          head: getComputedStyle(document.head).display,
          title: shown('title')?.textContent || '',
          url: after(shown('link[rel=canonical]')),
          date: after(shown('meta[property="article:published_time"]')),
          canonical: document.querySelector('link[rel=canonical]').href,
        };
      });
      assert.equal(source.head, 'block', 'the source line is printed');
      assert.ok(source.title.length > 3, 'the source line gives the title');
      assert.ok(source.url.includes(source.canonical), `the source line ${source.url} names ${source.canonical}`);
      assert.match(source.date, /Published \d{4}/, 'the source line gives the date');
      const hidden = await page.evaluate(() =>
        ['.site-header', '.site-footer', '.cite-this', '.linked-from', 'nav']
          .flatMap((s) => [...document.querySelectorAll(s)])
          .filter((el) => el.getBoundingClientRect().height > 0)
          .map((el) => el.className || el.tagName),
      );
      assert.deepEqual(hidden, [], 'navigation, footer, cite-this and linked-from are left out of print');
      const pdf = await page.pdf({ format: 'A4' });
      const pages = (pdf.toString('latin1').match(/\/Type\s*\/Page[^s]/g) || []).length;
      // Compact: at least 2,500 printed characters a page on average (the default theme before
      // print.css was made compact put about 2,000 on a page, and a short report took 6 pages).
      const chars = await page.evaluate(() => document.body.innerText.length);
      const most = Math.max(2, Math.ceil(chars / 2500));
      assert.ok(pages <= most, `/${shortest}: ${chars} characters print on ${pages} pages (at most ${most})`);
    } finally {
      await ctx.close();
    }
  });
});
