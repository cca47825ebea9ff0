// Findings first on a phone: on every page of each kind, at 320×640, the page's heading and the
// start of its first finding are on the first screen, in Chromium.
//
//   SITE_DIR=/path/to/site BASE_PATH=/research/hsca12/ node --test findings.test.mjs
//
// What "the first finding" is, per kind of page:
//   home           the first headline finding (`highlights:` of site.yaml, or the latest key points)
//   report         the first key point
//   cmo            the causal summary (a further test checks the verdict badge and C, M, O)
//   theory         the verdict badge, or the statement when a theory has no status
//   tracer, area, study, theme, list pages
//                  the lead, or else the first block after the heading
// "On the first screen" means the first line of it is: its top plus one line is at most 640 px.
// One page of each kind is loaded without JavaScript too, since the content must not depend on it.

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { useSite, SITE_DIR, pagesIn } from './harness.mjs';

const VIEWPORT = { width: 320, height: 640 };

// Kind → [folder of its pages, selectors of its first finding (the first that matches is used)].
const KINDS = {
  report: ['reports', ['.key-points li']],
  cmo: ['cmos', ['.cmo-summary']],
  theory: ['theories', ['.verdict-badge', '.statement']],
  tracer: ['tracers', ['.lead', 'h1 ~ :not(.kind)']],
  area: ['areas', ['.lead', 'h1 ~ :not(.kind)']],
  study: ['studies', ['.lead', 'h1 ~ :not(.kind)']],
  theme: ['themes', ['.lead', 'h1 ~ :not(.kind)']],
};

/** Every page to check: {kind, rel, selectors}. */
function discover() {
  const pages = [{ kind: 'home', rel: '', selectors: ['.highlights .highlight'] }];
  for (const [kind, [dir, selectors]] of Object.entries(KINDS)) {
    for (const rel of pagesIn(SITE_DIR, dir)) pages.push({ kind, rel, selectors });
    // The kind's list page (the CMO list is the matrix, another part's page).
    if (kind !== 'cmo' && fs.existsSync(path.join(SITE_DIR, dir, 'index.html'))) {
      pages.push({ kind: 'list', rel: `${dir}/`, selectors: ['.lead', 'h1 ~ :not(.kind)'] });
    }
  }
  return pages;
}

const pages = fs.existsSync(SITE_DIR) ? discover() : [];

/** Where the heading and the first finding are, in the page as loaded. */
async function measure(page, selectors) {
  return page.evaluate((selectors) => {
    const h1 = document.querySelector('main h1');
    const box = (el) => {
      const r = el.getBoundingClientRect();
      const line = parseFloat(getComputedStyle(el).lineHeight) || 24;
      return { top: Math.round(r.top), firstLine: Math.round(r.top + Math.min(line, r.height)) };
    };
    let found = null;
    for (const [i, s] of selectors.entries()) {
      const el = document.querySelector(`main ${s}`);
      if (el && el.getBoundingClientRect().height > 0) {
        found = { selector: s, index: i, ...box(el), text: el.textContent.trim().slice(0, 60) };
        break;
      }
    }
    return {
      h1: h1 && box(h1),
      found,
      width: document.documentElement.scrollWidth,
      height: window.innerHeight,
    };
  }, selectors);
}

describe('findings first on a phone (320×640)', () => {
  const site = useSite();

  it('finds pages of every kind', () => {
    const kinds = new Set(pages.map((p) => p.kind));
    for (const k of ['home', 'list', ...Object.keys(KINDS)]) {
      assert.ok(kinds.has(k), `no ${k} page in ${SITE_DIR}`);
    }
  });

  // Every page with JavaScript; the first page of each kind without it (the layout must not
  // wait for a script, and one page per kind keeps the run short).
  const firstOfEach = pages.filter((p, i) => pages.findIndex((q) => q.kind === p.kind) === i);
  for (const [javaScript, checked] of [[true, pages], [false, firstOfEach]]) {
    it(`heading and first finding are on the first screen of ${javaScript ? 'every page' : 'one page per kind, without JavaScript'}`, async () => {
      const context = await site.context({ ...VIEWPORT, javaScriptEnabled: javaScript });
      const page = await context.newPage();
      const failures = [];
      try {
        for (const p of checked) {
          const response = await page.goto(site.url + p.rel, { waitUntil: 'load' });
          assert.equal(response?.status(), 200, `HTTP status of /${p.rel}`);
          const m = await measure(page, p.selectors);
          const where = `${p.kind} /${p.rel}`;
          if (!m.h1) {
            failures.push(`${where}: no <h1> in <main>`);
            continue;
          }
          if (m.h1.firstLine > m.height) failures.push(`${where}: the heading's first line ends at ${m.h1.firstLine}px`);
          if (!m.found) {
            failures.push(`${where}: nothing matches ${p.selectors.join(', ')}`);
          } else if (m.found.firstLine > m.height) {
            failures.push(
              `${where}: the first finding (${m.found.selector}: "${m.found.text}…") starts at ${m.found.top}px; its first line ends at ${m.found.firstLine}px, below the first screen`,
            );
          }
        }
      } finally {
        await context.close();
      }
      assert.deepEqual(failures, [], `\n${failures.join('\n')}`);
    });
  }

  it('a CMO page shows its causal summary and its verdict before Context, Mechanism and Outcomes, which follow closely', async () => {
    const cmos = pages.filter((p) => p.kind === 'cmo');
    assert.ok(cmos.length > 0, 'no CMO pages');
    const context = await site.context(VIEWPORT);
    const page = await context.newPage();
    const failures = [];
    try {
      for (const p of cmos) {
        await page.goto(site.url + p.rel, { waitUntil: 'load' });
        const r = await page.evaluate(() => {
          const top = (s) => document.querySelector(s)?.getBoundingClientRect().top ?? null;
          const badge = document.querySelector('main .verdict-badge');
          const small = getComputedStyle(document.querySelector('main .kind')).fontSize;
          return {
            summary: top('main .cmo-summary'),
            badge: top('main .verdict-badge'),
            badgeSize: badge && parseFloat(getComputedStyle(badge).fontSize),
            kindSize: parseFloat(small),
            context: top('#context'),
            mechanism: top('#mechanism'),
            outcome: top('#outcome'),
            summaryText: document.querySelector('main .cmo-summary')?.textContent ?? '',
            leaks: [...document.querySelectorAll('main .cmo-part li')].some((li) => /\([a-z0-9]+(-[a-z0-9]+)+\)/.test(li.textContent)),
          };
        });
        const where = `/${p.rel}`;
        if (r.badge === null || r.summary === null) {
          failures.push(`${where}: no verdict badge or causal summary`);
          continue;
        }
        if (!(r.badge < r.summary && r.summary < r.context && r.context < r.mechanism && r.mechanism < r.outcome)) {
          failures.push(`${where}: order badge ${r.badge}, summary ${r.summary}, C ${r.context}, M ${r.mechanism}, O ${r.outcome}`);
        }
        if (!(r.badgeSize > r.kindSize)) failures.push(`${where}: the verdict (${r.badgeSize}px) is no larger than the kind line (${r.kindSize}px)`);
        // The sentence names each part and ends with a full stop.
        if (!/^(In the context “|The |A mechanism )/.test(r.summaryText) || !/\.$/.test(r.summaryText) || !/lead to|led to|no outcome/.test(r.summaryText)) {
          failures.push(`${where}: odd causal summary "${r.summaryText}"`);
        }
        if (r.leaks) failures.push(`${where}: a context shows a slug in brackets`);
      }
    } finally {
      await context.close();
    }
    assert.deepEqual(failures, [], `\n${failures.join('\n')}`);
  });
});
