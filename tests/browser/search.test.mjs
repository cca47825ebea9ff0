// Search of a built realist site, in Chromium, through Pagefind's JavaScript API and through the
// search page's interface.
//
//   SITE_DIR=../../target/site-ci BASE_PATH=/research/hsca12/ node --test search.test.mjs
//
// 1. Every CMO: searching for its exact title finds its page among the first three results.
// 2. Every page of the research kinds (CMOs, reports, studies, tracers, areas, theories, themes)
//    and every glossary entry is in the index: the kind filter counts as many as the site has.
// 3. The filters exist (kind, study, tracer, area, theory, status), and a filtered search returns
//    a strict subset of the unfiltered one, each result carrying the chosen value.
// 4. A word that is in no page finds nothing on the search page (Pagefind alone would fall back
//    to a shorter word); titles and excerpts carry no HTML entities.
// 5. The search page works by keyboard: "/" focuses the box, results are announced, a filter is
//    ticked with the keyboard and lands in the URL, and a linked URL restores query and filters.
//
// One browser page runs all the API calls, so the test stays fast.

import { describe, it, before } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { useSite, SITE_DIR, pagesIn, trackLayoutShift, layoutShift } from './harness.mjs';

/** Each CMO page with its title, from the page's own <h1>. */
function cmos() {
  return pagesIn(SITE_DIR, 'cmos').map((rel) => {
    const html = fs.readFileSync(path.join(SITE_DIR, rel, 'index.html'), 'utf8');
    const h1 = html.match(/<h1[^>]*>([\s\S]*?)<\/h1>/);
    const title = h1 ? decodeEntities(h1[1].replace(/<[^>]+>/g, '')).trim() : '';
    return { rel, title };
  });
}

function decodeEntities(s) {
  return s
    .replace(/&#x([0-9a-f]+);/gi, (_, h) => String.fromCodePoint(parseInt(h, 16)))
    .replace(/&#(\d+);/g, (_, d) => String.fromCodePoint(Number(d)))
    .replace(/&quot;/g, '"')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');
}

/** The number of glossary entries: the ids of the glossary page's terms. */
function glossaryTerms() {
  const file = path.join(SITE_DIR, 'glossary', 'index.html');
  if (!fs.existsSync(file)) return [];
  return [...fs.readFileSync(file, 'utf8').matchAll(/id="(term-[^"]+)"/g)].map((m) => m[1]);
}

// The kind filter's value for each folder of pages (the kinds' singular labels).
const KINDS = {
  cmos: 'CMO configuration',
  reports: 'Report',
  studies: 'Study',
  tracers: 'Tracer',
  areas: 'Study area',
  theories: 'Programme theory',
  themes: 'Theme',
};
const FILTERS = ['kind', 'study', 'tracer', 'area', 'theory', 'status'];
const ENTITY = /&(?:[a-z]+|#\d+|#x[0-9a-f]+);/i;

let page;

describe('search (Pagefind in Chromium)', () => {
  const site = useSite();

  before(async () => {
    ({ page } = await site.open('search/', { width: 1280, height: 900 }));
    // Pagefind, loaded from the site root as the search page does.
    await page.evaluate(async (root) => {
      const pf = await import(root + 'pagefind/pagefind.js');
      await pf.options({ basePath: root + 'pagefind/', baseUrl: root });
      window.__pf = pf;
    }, site.url);
  });

  it('finds every CMO page in the top 3 results for its title', async () => {
    const list = cmos();
    assert.ok(list.length > 0, `no CMO pages in ${SITE_DIR}/cmos/`);
    const misses = await page.evaluate(
      async ({ list, root }) => {
        const out = [];
        for (const { rel, title } of list) {
          const search = await window.__pf.search(title);
          const top = await Promise.all(search.results.slice(0, 3).map((r) => r.data()));
          const urls = top.map((d) => new URL(d.url, location.href).pathname);
          if (!urls.includes(root + rel)) out.push(`${title} (${rel}): top 3 are ${urls.join(', ') || 'nothing'}`);
        }
        return out;
      },
      { list, root: new URL(site.url).pathname },
    );
    assert.deepEqual(misses, [], `${misses.length} of ${list.length} CMOs not in the top 3:\n${misses.join('\n')}`);
  });

  it('indexes every research page and glossary entry, counted by the kind filter', async () => {
    const filters = await page.evaluate(() => window.__pf.filters());
    for (const [dir, kind] of Object.entries(KINDS)) {
      const expected = pagesIn(SITE_DIR, dir).length;
      if (!expected) continue;
      assert.equal(filters.kind?.[kind] ?? 0, expected, `pages of kind "${kind}" indexed, against ${dir}/ in the site`);
    }
    const terms = glossaryTerms();
    assert.ok(terms.length > 0, 'the glossary page has terms');
    assert.equal(filters.kind?.['Glossary term'] ?? 0, terms.length, 'glossary entries indexed');
    // A glossary entry is a result of its own, at its anchor on the glossary page.
    const url = await page.evaluate(async () => {
      const s = await window.__pf.search(null, { filters: { kind: 'Glossary term' } });
      return (await s.results[0].data()).url;
    });
    assert.match(url, /glossary\/#term-/);
  });

  it('has the filters, and a filtered search is a strict subset whose results carry the value', async () => {
    const r = await page.evaluate(async (names) => {
      const pf = window.__pf;
      const all = await pf.filters();
      const missing = names.filter((n) => !all[n] || !Object.keys(all[n]).length);
      const plain = await pf.search('commissioning');
      const plainIds = new Set(plain.results.map((x) => x.id));
      const checks = [];
      for (const name of names.filter((n) => all[n])) {
        // The value found on most pages, so the narrowed search is not trivially empty.
        const value = Object.entries(all[name]).sort((a, b) => b[1] - a[1])[0][0];
        const narrowed = await pf.search('commissioning', { filters: { [name]: value } });
        const datas = await Promise.all(narrowed.results.slice(0, 20).map((x) => x.data()));
        checks.push({
          name,
          value,
          plain: plain.results.length,
          narrowed: narrowed.results.length,
          subset: narrowed.results.every((x) => plainIds.has(x.id)),
          carry: datas.every((d) => (d.filters[name] || []).includes(value)),
        });
      }
      return { missing, checks, kinds: Object.keys(all.kind || {}) };
    }, FILTERS);
    assert.deepEqual(r.missing, [], `filters without values: ${r.missing.join(', ')}`);
    for (const kind of [...Object.values(KINDS).filter((k) => pagesIn(SITE_DIR, Object.keys(KINDS).find((d) => KINDS[d] === k)).length), 'Glossary term']) {
      assert.ok(r.kinds.includes(kind), `kind filter offers "${kind}" (has ${r.kinds.join(', ')})`);
    }
    for (const c of r.checks) {
      assert.ok(c.narrowed > 0, `${c.name}=${c.value} finds something for "commissioning"`);
      assert.ok(c.narrowed < c.plain, `${c.name}=${c.value} narrows ${c.plain} results (got ${c.narrowed})`);
      assert.ok(c.subset, `${c.name}=${c.value}: every narrowed result is an unfiltered result`);
      assert.ok(c.carry, `${c.name}=${c.value}: every narrowed result carries the value`);
    }
  });

  it('gives one result per page, with decoded titles and prose excerpts', async () => {
    const r = await page.evaluate(async () => {
      const search = await window.__pf.search('commissioning');
      const datas = await Promise.all(search.results.slice(0, 30).map((x) => x.data()));
      return datas.map((d) => ({ url: d.url, title: d.meta.title, excerpt: d.excerpt }));
    });
    const urls = r.map((d) => d.url);
    assert.equal(new Set(urls).size, urls.length, 'each page once');
    for (const d of r) {
      assert.ok(d.title && !ENTITY.test(d.title), `title of ${d.url} decoded: ${d.title}`);
    }
  });

  it('finds nothing for a word that is in no page, on the search page', async () => {
    // Pagefind answers a word that begins no indexed word with the longest indexed word that
    // begins it ("asdfgh" finds every "as"); the search page must say there is nothing.
    const status = async (q) => {
      await page.goto(site.url + 'search/?q=' + encodeURIComponent(q), { waitUntil: 'load' });
      await page.waitForFunction(() => /result/i.test(document.querySelector('.search-status').textContent));
      return {
        text: await page.locator('.search-status').textContent(),
        items: await page.locator('.search-results > li').count(),
      };
    };
    for (const q of ['qzxjvwk', 'asdfgh', 'xylophonequartz', 'kjhgfd', 'care xyzzy']) {
      const s = await status(q);
      assert.match(s.text, /^No results/, `"${q}": ${s.text}`);
      assert.equal(s.items, 0, `"${q}" lists nothing`);
    }
    // Real words, a word being typed and another form of a word still find pages.
    const [first] = cmos();
    for (const q of ['commissioning', 'commiss', 'commissioners', first.title]) {
      const s = await status(q);
      assert.match(s.text, /^\d+ results? for/, `"${q}": ${s.text}`);
      assert.ok(s.items > 0, `"${q}" lists results`);
    }
  });

  it('works by keyboard on the search page, announcing results and keeping the search in the URL', async () => {
    const [first] = cmos();
    await page.goto(site.url + 'search/', { waitUntil: 'load' });
    await page.waitForSelector('.search-filters:not([hidden])');
    await page.locator('body').focus();
    await page.keyboard.press('/');
    assert.equal(await page.evaluate(() => document.activeElement?.id), 'search-input', '"/" focuses the search box');
    await page.keyboard.type(first.title);
    await page.keyboard.press('Enter');
    const status = page.locator('.search-status');
    await page.waitForFunction(() => /result/.test(document.querySelector('.search-status').textContent));
    assert.equal(await status.getAttribute('role'), 'status');
    const items = page.locator('.search-results > li');
    assert.ok((await items.count()) > 0, 'results listed');
    // One result per page: one heading link, at most one section link and one excerpt.
    const shape = await page.evaluate(() =>
      [...document.querySelectorAll('.search-results > li')].map((li) => ({
        headings: li.querySelectorAll('h2 a').length,
        sections: li.querySelectorAll('.search-section').length,
        excerpts: li.querySelectorAll('.search-excerpt').length,
        text: li.textContent,
      })),
    );
    for (const s of shape) {
      assert.equal(s.headings, 1);
      assert.ok(s.sections <= 1 && s.excerpts === 1, `one excerpt, at most one section: ${s.text}`);
      assert.ok(!ENTITY.test(s.text), `no HTML entity shown: ${s.text}`);
    }
    const before = await status.textContent();

    // The filters: open the disclosure and tick the CMO kind by keyboard.
    await page.locator('.search-filters summary').focus();
    await page.keyboard.press('Enter');
    const box = page.locator('fieldset[data-filter="kind"] input[value="CMO configuration"]');
    await box.focus();
    await page.keyboard.press('Space');
    assert.ok(await box.isChecked(), 'Space ticks the filter');
    await page.waitForFunction((b) => document.querySelector('.search-status').textContent !== b, before);
    const url = new URL(page.url());
    assert.equal(url.searchParams.get('q'), first.title);
    assert.equal(url.searchParams.get('kind'), 'CMO configuration');
    assert.match(await status.textContent(), /filtered by kind of page: CMO configuration/);
    const kinds = await page.locator('.search-results .search-kind').allTextContents();
    assert.ok(kinds.length > 0 && kinds.every((k) => k === 'CMO configuration'), `only CMOs: ${kinds.join(', ')}`);

    // A linked search restores the query and the ticked filter.
    await page.goto(url.href, { waitUntil: 'load' });
    await page.waitForFunction(() => /result/.test(document.querySelector('.search-status').textContent));
    assert.equal(await page.inputValue('#search-input'), first.title);
    assert.ok(await page.locator('fieldset[data-filter="kind"] input[value="CMO configuration"]').isChecked());
    assert.match(await page.locator('.search-filters summary').textContent(), /1 chosen/);
  });

  it('"/" on any other page goes to a search box', async () => {
    await page.goto(site.url, { waitUntil: 'load' });
    await page.locator('body').focus();
    await page.keyboard.press('/');
    await page.waitForFunction(() => document.activeElement?.type === 'search', null, { timeout: 5000 });
    // Typing "/" in a field types it.
    await page.keyboard.type('a/b');
    assert.equal(await page.evaluate(() => document.activeElement.value), 'a/b');
  });

  it('"/" at 320 px opens the closed header menu and focuses its search box', async () => {
    const { context, page: narrow } = await site.open('', { width: 320, height: 640 });
    await narrow.locator('body').focus();
    await narrow.keyboard.press('/');
    await narrow.waitForFunction(() => document.activeElement?.type === 'search', null, { timeout: 5000 });
    assert.ok(await narrow.locator(':focus').isVisible(), 'the focused box is visible');
    await context.close();
  });

  for (const width of [320, 1280]) {
    it(`a linked query (search/?q=…) shifts no layout at ${width} px (CLS < 0.1)`, async () => {
      const context = await site.context({ width, height: width === 320 ? 640 : 800 });
      await trackLayoutShift(context);
      const p = await context.newPage();
      await p.goto(site.url + 'search/?q=commissioning', { waitUntil: 'load' });
      await p.waitForFunction(() => /\d+ results?/.test(document.querySelector('.search-status').textContent));
      await p.waitForTimeout(500);
      const cls = await layoutShift(p);
      await context.close();
      assert.ok(cls < 0.1, `CLS ${cls.toFixed(3)} at ${width} px`);
    });
  }

  it('a nonsense query ends in "No results", not "Searching…"', async () => {
    const { context, page: p } = await site.open('search/?q=qwxzvbnmk', { width: 1280, height: 800 });
    await p.waitForFunction(() => /No results/.test(document.querySelector('.search-status').textContent));
    await p.fill('#search-input', 'zzqxvj');
    await p.waitForFunction(() => /No results for .zzqxvj/.test(document.querySelector('.search-status').textContent));
    await p.waitForTimeout(1500);
    assert.match(await p.textContent('.search-status'), /^No results for .zzqxvj/);
    await context.close();
  });
});
