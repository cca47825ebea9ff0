// The CMO matrix and the chain diagrams, measured in a real browser (Chromium via playwright-core).
//
//   SITE_DIR=../../target/site-ci BASE_PATH=/research/hsca12/ node --test matrix.test.mjs
//
// Matrix page: at 320×640 nothing scrolls sideways, there is no wide table, every tracer's group
// is reachable by keyboard and says its count and statuses in words, the page stays short and
// nothing shifts while it loads; at 1280 each cell gives a count that adds up from its status
// badges and links to a list of exactly those configurations; the filter recounts the cells.
// Chain diagrams (every CMO page that has one), at 320, 640 and 1280: the label of every node
// renders at 12 CSS px or more, no label line crosses or touches its node's border, every node
// but the page's own is a relative link to the CMO page the text list links, reachable by Tab with a
// visible focus, and each relation drawn has its own line and a legend entry.

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { useSite, SITE_DIR, BASE_PATH, pagesIn, trackLayoutShift, layoutShift } from './harness.mjs';

const MIN_LABEL_PX = 12;
const STATUS_WORDS = /\b(initial|supported|partially supported|refuted|contested|superseded)\b/i;

/** CMO pages whose HTML has a chain diagram, found on disk so that every one is checked. */
const chainPages = () => pagesIn(SITE_DIR, 'cmos', (html) => html.includes('class="chain-diagram'));

const site = useSite();

const sideways = (page) =>
  page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);

describe('the CMO matrix', () => {
  it('at 320×640: no sideways scroll, no wide table, a short page and every tracer group reachable', async () => {
    const { context, page } = await site.open('cmos/', { width: 320, height: 640 });
    try {
      assert.ok((await sideways(page)) <= 0, 'the page scrolls sideways');
      const tables = await page.$$eval('table.matrix', (ts) => ts.filter((t) => t.getClientRects().length).length);
      assert.equal(tables, 0, 'a matrix table is shown on a phone');
      const rows = await page.$$eval('table.matrix tbody tr', (rs) => rs.length);
      const groups = await page.$$('details.tracer-group');
      assert.ok(rows > 0, 'the matrix has rows');
      assert.equal(groups.length, rows, 'one group per tracer row of the matrix');

      const height = await page.evaluate(() => document.documentElement.scrollHeight);
      // Closed groups: a summary of each tracer, not every configuration's title.
      assert.ok(height < 2000 + 200 * groups.length, `the page is ${height} px long`);

      for (const group of groups) {
        const summary = await group.$('summary');
        const text = (await summary.innerText()).replace(/\s+/g, ' ');
        assert.match(text, /\d+ configurations?/, `the group says its count: ${text}`);
        assert.match(text, STATUS_WORDS, `the group says its statuses in words: ${text}`);
        // Reached by keyboard: focus the summary and press Enter.
        await summary.focus();
        await page.keyboard.press('Enter');
        assert.equal(await group.evaluate((d) => d.open), true, `Enter opens the group: ${text}`);
        const links = await group.$$('ul.cell-list a');
        assert.ok(links.length > 0, `the group lists configurations: ${text}`);
        const box = await links[0].boundingBox();
        assert.ok(box && box.width > 0 && box.x >= 0 && box.x + box.width <= 320, `link visible: ${text}`);
        assert.ok((await sideways(page)) <= 0, `opening ${text} makes the page scroll sideways`);
      }
    } finally {
      await context.close();
    }
  });

  it('at 320×640 the page does not shift while it loads', async () => {
    // The script arrives well after the first paint, as on a slow phone: whatever it shows or
    // hides must not move what is already on screen. The bound is below the 0.1 of "good", so
    // that a late filter form (0.086 here) is caught.
    const context = await site.context({ width: 320, height: 640, isMobile: true });
    await context.route('**/*.js', async (route) => {
      await new Promise((r) => setTimeout(r, 1500));
      await route.continue();
    });
    const page = await context.newPage();
    await trackLayoutShift(page);
    try {
      await page.goto(site.url + 'cmos/', { waitUntil: 'load' });
      await page.waitForTimeout(500);
      const cls = await layoutShift(page);
      assert.ok(cls < 0.05, `cumulative layout shift ${cls}`);
    } finally {
      await context.close();
    }
  });

  it('without JavaScript the filter is hidden and the groups still open', async () => {
    const { context, page } = await site.open('cmos/', { width: 320, height: 640, javaScriptEnabled: false });
    try {
      assert.equal(await page.locator('.cmo-filter').isVisible(), false, 'a filter that cannot work is shown');
      const summary = page.locator('details.tracer-group summary').first();
      await summary.click();
      assert.equal(await page.locator('details.tracer-group').first().evaluate((d) => d.open), true);
    } finally {
      await context.close();
    }
  });

  it('at 1280: each cell gives its count and statuses in words and links to exactly its configurations', async () => {
    const { context, page } = await site.open('cmos/', { width: 1280, height: 800 });
    try {
      assert.ok((await sideways(page)) <= 0, 'the page scrolls sideways');
      const cells = await page.$$eval('table.matrix td', (tds) =>
        tds.map((td) => {
          const link = td.querySelector('a.cell-link');
          const id = link ? link.getAttribute('href').slice(1) : null;
          const list = id ? document.querySelector(`ul[data-cell="${CSS.escape(id)}"]`) : null;
          const style = getComputedStyle(td);
          return {
            text: td.innerText.replace(/\s+/g, ' ').trim(),
            visible: td.getClientRects().length > 0,
            count: link ? Number(link.querySelector('.cell-count').textContent) : 0,
            badges: [...td.querySelectorAll('.badge')].map((b) => b.textContent.trim()),
            id,
            target: id ? Boolean(document.getElementById(id)) : false,
            listed: list ? list.querySelectorAll('li a[href]').length : null,
            background: style.backgroundColor,
          };
        }),
      );
      assert.ok(cells.length > 0);
      const full = cells.filter((c) => c.count > 0);
      assert.ok(full.length > 0, 'no cell has a count');
      for (const c of cells) {
        assert.ok(c.visible, `cell hidden at 1280: ${c.text}`);
        if (!c.id) {
          assert.match(c.text, /None/, `an empty cell says so: ${c.text}`);
          continue;
        }
        assert.match(c.text, new RegExp(`^${c.count} configurations?`), c.text);
        const sum = c.badges.reduce((n, b) => n + Number(b.split(' ')[0]), 0);
        assert.equal(sum, c.count, `badges add up to the count: ${c.text}`);
        assert.ok(c.badges.every((b) => STATUS_WORDS.test(b)), `badges are words: ${c.badges}`);
        assert.ok(c.target, `the cell's link has a target: ${c.id}`);
        assert.equal(c.listed, c.count, `the cell's list holds its ${c.count} configurations: ${c.id}`);
      }
      // A cell with more configurations is not lighter than one with fewer: a visual signal.
      const empty = cells.find((c) => !c.id);
      if (empty) assert.ok(full.every((c) => c.background !== empty.background), 'filled cells are shaded');

      // Following a cell's link shows its list.
      const first = full[0];
      await page.click(`a.cell-link[href="#${first.id}"]`);
      await page.waitForFunction((id) => location.hash === `#${id}`, first.id);
      const shown = await page.evaluate((id) => {
        const el = document.getElementById(id);
        const r = el.getBoundingClientRect();
        return el.closest('details').open && r.top >= 0 && r.bottom <= innerHeight;
      }, first.id);
      assert.ok(shown, `the list of ${first.id} is open and on screen`);
    } finally {
      await context.close();
    }
  });

  it('the filter recounts each cell from what it still lists', async () => {
    const { context, page } = await site.open('cmos/', { width: 1280, height: 800 });
    try {
      const status = await page.$eval('#filter-status option:nth-child(2)', (o) => o.value);
      await page.selectOption('#filter-status', status);
      const result = await page.evaluate((status) => {
        const wrong = [...document.querySelectorAll('li[data-status]')].filter(
          (li) => !li.hidden && li.getAttribute('data-status') !== status,
        ).length;
        const counts = [...document.querySelectorAll('ul[data-cell]')].map((ul) => {
          const link = document.querySelector(`a.cell-link[href="#${CSS.escape(ul.getAttribute('data-cell'))}"]`);
          const shown = [...ul.querySelectorAll('li')].filter((li) => !li.hidden).length;
          return [Number(link.querySelector('.cell-count').textContent), shown];
        });
        return { wrong, counts, note: document.querySelector('.filter-count').textContent };
      }, status);
      assert.ok(result.counts.length > 0, 'no cell lists');
      assert.equal(result.wrong, 0, 'a configuration of another status is still shown');
      for (const [count, shown] of result.counts) assert.equal(count, shown);
      assert.match(result.note, /\d+ configurations? shown/);
    } finally {
      await context.close();
    }
  });
});

describe('chain diagrams', () => {
  const pages = chainPages();

  it('the example site has chain diagrams', () => {
    assert.ok(pages.length > 0, `no CMO page in ${SITE_DIR} has a chain diagram`);
  });

  // 640 is where the wide layout starts, so its labels are smallest there.
  for (const width of [320, 640, 1280]) {
    it(`at ${width} px: labels of 12 px or more inside their nodes, and every node a link`, async () => {
      const { context, page } = await site.open(pages[0], { width, height: 800 });
      const problems = [];
      try {
        for (const rel of pages) {
          await page.goto(site.url + rel, { waitUntil: 'load' });
          if ((await sideways(page)) > 0) problems.push(`${rel}: scrolls sideways`);
          const r = await page.evaluate((min) => {
            const out = [];
            const shown = [...document.querySelectorAll('svg.chain-diagram')].filter((s) => s.getClientRects().length);
            if (shown.length !== 1) return { out: [`${shown.length} diagrams shown`], links: [], listed: [] };
            const svg = shown[0];
            const scale = svg.getScreenCTM().a;
            for (const text of svg.querySelectorAll('text')) {
              const px = parseFloat(getComputedStyle(text).fontSize) * scale;
              const label = text.textContent;
              if (px < min) out.push(`label "${label}" renders at ${px.toFixed(1)} px`);
              const node = text.parentElement.querySelector('rect').getBoundingClientRect();
              for (const line of text.querySelectorAll('tspan')) {
                const b = line.getBoundingClientRect();
                if (b.left < node.left + 1 || b.right > node.right - 1 || b.top < node.top + 1 || b.bottom > node.bottom - 1) {
                  out.push(`line "${line.textContent}" touches or crosses its node's border`);
                }
              }
            }
            const nodes = [...svg.querySelectorAll('rect')];
            const current = nodes.filter((n) => n.closest('.chain-current')).length;
            if (current !== 1) out.push(`${current} nodes for the page's own CMO`);
            const links = nodes.filter((n) => !n.closest('.chain-current')).map((n) => n.closest('a[href]'));
            if (links.some((a) => !a)) out.push('a node is not a link');
            const hrefs = links.filter(Boolean).map((a) => a.getAttribute('href'));
            for (const h of hrefs) if (/^(\/|[a-z]+:)/i.test(h)) out.push(`link ${h} is not relative`);
            const listed = [...document.querySelectorAll('#chain-in + ul a, #chain-out + ul a')].map((a) => a.getAttribute('href'));
            // Each relation drawn has its own line style, and the legend names it.
            const styles = {};
            for (const p of svg.querySelectorAll('.chain-edge')) {
              const key = p.getAttribute('marker-end');
              const look = `${p.getAttribute('stroke-dasharray') || 'solid'}`;
              styles[key] = styles[key] || new Set();
              styles[key].add(look);
            }
            const looks = Object.values(styles).map((s) => [...s].join());
            if (new Set(looks).size !== looks.length) out.push(`two relations share a line style: ${looks}`);
            if (document.querySelectorAll('.chain-legend li').length !== looks.length) out.push('the legend does not match the lines');
            return { out, links: hrefs.map((h) => new URL(h, location.href).pathname), listed: listed.map((h) => new URL(h, location.href).pathname) };
          }, MIN_LABEL_PX);
          problems.push(...r.out.map((o) => `${rel}: ${o}`));
          const drawn = [...new Set(r.links)].sort();
          const listed = [...new Set(r.listed)].sort();
          if (drawn.join() !== listed.join()) problems.push(`${rel}: nodes link ${drawn}, the list ${listed}`);
          for (const l of drawn) {
            const file = path.join(SITE_DIR, l.slice(BASE_PATH.length), 'index.html');
            if (!fs.existsSync(file)) problems.push(`${rel}: a node links to ${l}, which is no page`);
          }
        }
      } finally {
        await context.close();
      }
      assert.deepEqual(problems, []);
    });
  }

  it('a node is reached by Tab and shows its focus', async () => {
    const { context, page } = await site.open(pages[0], { width: 1280, height: 800 });
    try {
      const before = await page.$eval('svg.chain-wide a.chain-link rect', (r) => getComputedStyle(r).fill);
      let reached = false;
      for (let i = 0; i < 300 && !reached; i++) {
        await page.keyboard.press('Tab');
        reached = await page.evaluate(() => document.activeElement?.matches?.('svg.chain-wide a.chain-link'));
      }
      assert.ok(reached, 'Tab never reaches a node of the diagram');
      const focused = await page.evaluate(() => getComputedStyle(document.activeElement.querySelector('rect')).fill);
      assert.notEqual(focused, before, 'the focused node looks the same');
    } finally {
      await context.close();
    }
  });
});
