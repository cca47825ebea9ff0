// Navigation in a real browser: the compact header and its Menu disclosure at 320×640 (by
// keyboard, with and without JavaScript), the full navigation on wide screens, breadcrumbs,
// aria-current on the navigation, the search box on every page and the "On this page" contents.
//
//   SITE_DIR=/path/to/site BASE_PATH=/research/hsca12/ node --test nav.test.mjs
//
// Env: SITE_DIR  built site (default: <repo>/target/site-ci)
//      BASE_PATH URL prefix the site is built for (default /research/hsca12/)
//      CHROMIUM  Chromium binary (default /usr/bin/chromium)

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { useSite, addAxe, AXE_TAGS, SITE_DIR, BASE_PATH, pagesIn } from './harness.mjs';

/** The first page (by name) in `dir` of the built site whose HTML matches `test`, as `dir/x/`. */
const pageIn = (dir, test) => pagesIn(SITE_DIR, dir, test)[0] ?? null;

// A report with an "On this page" contents and a series, and a CMO that a report defines.
const REPORT = pageIn('reports', (h) => h.includes('class="toc"') && h.includes('class="pager"'))
  || pageIn('reports');
const CMO = pageIn('cmos', (h) => h.includes('href="../../reports/'));
const PAGES = { home: '', list: 'reports/', report: REPORT, cmo: CMO };

const site = useSite();

/** Presses Tab until `selector` has focus; fails after `max` presses. */
async function tabTo(page, selector, max = 30) {
  for (let n = 0; n < max; n++) {
    await page.keyboard.press('Tab');
    if (await page.evaluate((s) => document.activeElement?.matches(s), selector)) return;
  }
  assert.fail(`${selector} never received focus by Tab`);
}

describe('navigation', () => {
  it('finds the pages it needs', () => {
    assert.ok(REPORT, `no report page in ${SITE_DIR}`);
    assert.ok(CMO, 'no CMO page that links to its report');
  });

  for (const [kind, rel] of Object.entries(PAGES)) {
    it(`at 320×640 the ${kind} page's header is one compact line, with the search box in it`, async () => {
      const { context, page } = await site.open(rel);
      try {
        const m = await page.evaluate(() => {
          const header = document.querySelector('header.site-header');
          const title = header.querySelector('.site-title');
          const line = parseFloat(getComputedStyle(title).lineHeight);
          return {
            height: header.getBoundingClientRect().height,
            titleHeight: title.getBoundingClientRect().height,
            line,
            scrollWidth: header.scrollWidth,
            search: !!header.querySelector('form[role="search"] input#site-search[name="q"]'),
            action: header.querySelector('form[role="search"]')?.getAttribute('action'),
          };
        });
        assert.ok(m.height < 80, `header is ${m.height}px tall at 320×640; it should be under 80px`);
        assert.ok(m.titleHeight < 2 * m.line, `site title is ${m.titleHeight}px tall: more than one line of ${m.line}px`);
        assert.ok(m.scrollWidth <= 320, `header is ${m.scrollWidth}px wide`);
        assert.ok(m.search, 'no search form with input#site-search in the header');
        assert.match(m.action, /search\/$/, 'the header search does not GET the search page');
        assert.ok(!m.action.startsWith('/'), `the search form's action ${m.action} is root-absolute`);
      } finally {
        await context.close();
      }
    });
  }

  it('at 320×640 the Menu opens and closes by keyboard, and its links are reached by Tab', async () => {
    const { context, page } = await site.open(REPORT);
    try {
      const closed = await page.locator('.site-nav a').first().isVisible();
      assert.equal(closed, false, 'the navigation is visible before the Menu is opened');
      await tabTo(page, '.site-menu > summary');
      await page.keyboard.press('Enter');
      assert.equal(await page.locator('.site-menu').getAttribute('open'), '', 'Enter did not open the Menu');
      await page.keyboard.press('Tab');
      const first = await page.evaluate(() => ({
        inNav: !!document.activeElement.closest('nav.site-nav'),
        text: document.activeElement.textContent,
      }));
      assert.ok(first.inNav, `Tab after opening the Menu went to "${first.text}", not the navigation`);
      assert.ok(await page.locator('.site-nav a').first().isVisible());
      // The open panel lies over the page: it must not make the page scroll sideways.
      assert.ok((await page.evaluate(() => document.documentElement.scrollWidth)) <= 320);
      await page.keyboard.press('Escape');
      const after = await page.evaluate(() => ({
        open: document.querySelector('.site-menu').open,
        focus: document.activeElement.matches('.site-menu > summary'),
      }));
      assert.deepEqual(after, { open: false, focus: true }, 'Escape should close the Menu and focus its button');
    } finally {
      await context.close();
    }
  });

  it('at 320×640 the Menu works without JavaScript (a <details> element)', async () => {
    const { context, page } = await site.open(REPORT, { javaScriptEnabled: false });
    try {
      await tabTo(page, '.site-menu > summary');
      await page.keyboard.press('Space');
      assert.ok(await page.locator('.site-nav a').first().isVisible(), 'Space did not show the navigation');
      assert.ok(await page.locator('#site-search').isVisible(), 'the search box is not in the open Menu');
    } finally {
      await context.close();
    }
  });

  it('at 1280 the full navigation and the search box show without a Menu button and are reached by Tab', async () => {
    const { context, page } = await site.open(REPORT, { width: 1280, height: 800 });
    try {
      assert.equal(await page.locator('.site-menu > summary').isVisible(), false, 'the Menu button shows at 1280');
      const links = await page.locator('.site-nav a').count();
      for (let i = 0; i < links; i++) {
        assert.ok(await page.locator('.site-nav a').nth(i).isVisible(), `navigation link ${i} hidden at 1280`);
      }
      await tabTo(page, '.site-nav a', 10);
      await tabTo(page, '#site-search', links + 2);
      const height = await page.evaluate(() => document.querySelector('header.site-header').getBoundingClientRect().height);
      assert.ok(height < 120, `header is ${height}px tall at 1280`);
    } finally {
      await context.close();
    }
  });

  it('marks the current page and section in the navigation', async () => {
    const { context, page } = await site.open('reports/', { width: 1280 });
    try {
      const list = await page.locator('.site-nav a[aria-current="page"]').allTextContents();
      assert.deepEqual(list, ['Reports'], 'the reports list should be the current page');
      await page.goto(site.url + REPORT);
      const report = await page.locator('.site-nav a[aria-current]').evaluateAll((as) =>
        as.map((a) => [a.textContent, a.getAttribute('aria-current')]));
      assert.deepEqual(report, [['Reports', 'true']], 'on a report, Reports is the current section');
      await page.goto(site.url);
      assert.equal(await page.locator('.site-nav a[aria-current]').count(), 0, 'the home page has no current item');
      const names = await page.locator('.site-nav a').allTextContents();
      assert.ok(names.includes('Studies'), `the navigation has no Studies: ${names.join(', ')}`);
    } finally {
      await context.close();
    }
  });

  for (const kind of ['report', 'cmo']) {
    it(`breadcrumbs on the ${kind} page lead from Home through the model to the page`, async () => {
      const { context, page } = await site.open(PAGES[kind], { width: 1280 });
      try {
        const crumbs = await page.locator('nav[aria-label="Breadcrumb"] ol > li > a').evaluateAll((as) =>
          as.map((a) => ({ text: a.textContent, href: a.getAttribute('href'), url: a.href, current: a.getAttribute('aria-current') })));
        assert.ok(crumbs.length >= 3, `only ${crumbs.length} breadcrumbs`);
        assert.equal(crumbs[0].text, 'Home');
        assert.equal(new URL(crumbs[0].url).pathname, BASE_PATH);
        const last = crumbs.at(-1);
        assert.equal(last.current, 'page', 'the last breadcrumb is not aria-current="page"');
        assert.equal(new URL(last.url).pathname, new URL(page.url()).pathname, 'the last breadcrumb is not this page');
        assert.equal(crumbs.filter((c) => c.current).length, 1);
        assert.ok(crumbs.every((c) => !c.href.startsWith('/')), 'a breadcrumb link is root-absolute');
        assert.ok(crumbs.some((c) => c.href.includes('studies/')), 'the trail does not pass through the study');
        if (kind === 'cmo') assert.ok(crumbs.slice(0, -1).some((c) => c.href.includes('reports/')), 'the trail does not pass through the report');
        const h1 = await page.locator('h1').textContent();
        assert.equal(last.text.trim(), h1.trim());
      } finally {
        await context.close();
      }
    });
  }

  it('at 320×640 the breadcrumbs take one line', async () => {
    const { context, page } = await site.open(CMO);
    try {
      const h = await page.evaluate(() => document.querySelector('nav.breadcrumbs').getBoundingClientRect().height);
      assert.ok(h < 40, `breadcrumbs are ${h}px tall at 320`);
    } finally {
      await context.close();
    }
  });

  it('"On this page" is a closed disclosure on a phone and a sticky column at 1280', async () => {
    const phone = await site.open(REPORT);
    try {
      const toc = phone.page.locator('.toc-details');
      assert.equal(await toc.count(), 1, `${REPORT} has no contents`);
      assert.equal(await phone.page.locator('.toc-details a').first().isVisible(), false, 'contents open on a phone');
      await tabTo(phone.page, '.toc-details > summary', 60);
      await phone.page.keyboard.press('Enter');
      assert.ok(await phone.page.locator('.toc-details a').first().isVisible(), 'Enter did not open the contents');
    } finally {
      await phone.context.close();
    }
    const wide = await site.open(REPORT, { width: 1280, height: 800 });
    try {
      assert.ok(await wide.page.locator('.toc-details a').first().isVisible(), 'contents hidden at 1280');
      const before = await wide.page.evaluate(() => document.querySelector('.toc').getBoundingClientRect().top);
      await wide.page.evaluate(() => window.scrollTo(0, document.documentElement.scrollHeight / 2));
      const m = await wide.page.evaluate(() => {
        const r = document.querySelector('.toc').getBoundingClientRect();
        const prose = document.querySelector('.prose')?.getBoundingClientRect();
        return { top: r.top, bottom: r.bottom, left: r.left, proseRight: prose ? prose.right : 0 };
      });
      assert.ok(m.top >= 0 && m.top < 100, `after scrolling, the contents are at ${m.top}px (they were at ${before}px): not sticky`);
      assert.ok(m.left >= m.proseRight, 'the contents overlap the text');
      await wide.page.evaluate(() => window.scrollTo(0, document.documentElement.scrollHeight));
      const back = wide.page.locator('a[href="#top"]');
      await back.focus();
      await wide.page.keyboard.press('Enter');
      await wide.page.waitForFunction(() => window.scrollY === 0);
    } finally {
      await wide.context.close();
    }
  });

  it('a report links its previous or next report', async () => {
    const { context, page } = await site.open(REPORT, { width: 1280 });
    try {
      const links = await page.locator('nav.pager a[rel]').evaluateAll((as) => as.map((a) => [a.rel, a.href]));
      assert.ok(links.length >= 1, 'no previous or next report');
      for (const [, href] of links) {
        const r = await page.request.get(href);
        assert.equal(r.status(), 200, `${href} answered ${r.status()}`);
      }
    } finally {
      await context.close();
    }
  });

  for (const width of [320, 1280]) {
    it(`axe finds no violations in the header, breadcrumbs, contents, pager and footer, open, at ${width}`, async () => {
      const { context, page } = await site.open(REPORT, { width, height: width === 320 ? 640 : 800 });
      try {
        await page.evaluate(() => document.querySelectorAll('details.site-menu, details.toc-details').forEach((d) => { d.open = true; }));
        await addAxe(page);
        // This part's components only; a11y.test.mjs checks whole pages.
        const include = ['header.site-header', 'nav.breadcrumbs', 'nav.toc', 'nav.pager', '.page-dates', '.back-to-top', 'footer.site-footer']
          .map((s) => [s]);
        const result = await page.evaluate(
          ([tags, include]) => window.axe.run({ include: include.filter(([s]) => document.querySelector(s)) }, { runOnly: { type: 'tag', values: tags } }),
          [AXE_TAGS, include],
        );
        const problems = result.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
        assert.deepEqual(problems, []);
      } finally {
        await context.close();
      }
    });
  }
});
