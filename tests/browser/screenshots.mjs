// Regenerates the screenshots in docs/screenshots/ from a built site, so reviewers see what a
// change does to the pages readers see first.
//
// 1. Serve the built site under its sub-path (serve.mjs) and pick the home, report, CMO,
//    matrix, theory and search pages (site-pages.mjs: the first entry of each folder).
// 2. For the search page, search for the first words of the CMO page's title (`?q=`), so the
//    picture shows results, not an empty box.
// 3. Take a viewport-only PNG of each at 320×640 and 1280×800, after fonts and the search
//    results have settled.
// 4. With ImageMagick's `convert` on the PATH (and working), reduce each PNG to a 64-colour
//    palette, which makes it several times smaller; otherwise keep Chromium's PNG.
//
//   (cd tests/browser && npm ci)
//   cargo run --release -- build --base-url https://www.example.ac.uk/research/hsca12/ --out target/site-ci
//   (cd tests/browser && SITE_DIR=../../target/site-ci node screenshots.mjs)
//
// Env: SITE_DIR, BASE_PATH, CHROMIUM as for the browser tests; SCREENSHOT_DIR (default
// <repo>/docs/screenshots).

import fs from 'node:fs';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { startServer } from './serve.mjs';
import { launchChromium, SITE_DIR, BASE_PATH, pageKinds } from './harness.mjs';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const OUT = path.resolve(process.env.SCREENSHOT_DIR || path.join(repoRoot, 'docs', 'screenshots'));
const VIEWPORTS = [
  { width: 320, height: 640 },
  { width: 1280, height: 800 },
];
/** Kinds shown, as site-pages.mjs names them, and the file name each gets. */
const SHOTS = [
  ['home', 'home'],
  ['report', 'report'],
  ['cmo', 'cmo'],
  ['cmo-matrix', 'matrix'],
  ['theory', 'theory'],
  ['search', 'search'],
];

/** True if `convert` can write a PNG here (some machines carry a stand-in that cannot). */
function canQuantise() {
  const probe = spawnSync('convert', ['-size', '1x1', 'xc:white', 'PNG8:-'], { encoding: null });
  return probe.status === 0 && probe.stdout?.length > 0;
}

/** A query that should find the CMO shown: the first three words of its heading. */
async function searchQuery(page, url) {
  await page.goto(url, { waitUntil: 'load' });
  const title = (await page.locator('h1').first().textContent()) || '';
  return title.trim().split(/\s+/).slice(0, 3).join(' ');
}

async function shoot(page, url, file, isSearch) {
  await page.goto(url, { waitUntil: 'load' });
  await page.evaluate(() => document.fonts.ready);
  if (isSearch) {
    // Results arrive after the index loads; a picture of the empty list would say little.
    await page.waitForSelector('.search-results li', { timeout: 10000 }).catch(() => {});
    await page.waitForLoadState('networkidle').catch(() => {});
  }
  await page.screenshot({ path: file, fullPage: false, animations: 'disabled', caret: 'hide' });
}

async function main() {
  const { pages } = pageKinds(SITE_DIR);
  const byKind = Object.fromEntries(pages.map((p) => [p.kind, p]));
  const absent = SHOTS.filter(([k]) => !byKind[k]).map(([k]) => k);
  if (absent.length) {
    console.error(`no page of kind ${absent.join(', ')} in ${SITE_DIR} (set SITE_DIR to a built site)`);
    process.exit(2);
  }
  fs.mkdirSync(OUT, { recursive: true });
  const quantise = canQuantise();
  const server = await startServer(SITE_DIR, BASE_PATH);
  const browser = await launchChromium(['--font-render-hinting=none']);
  try {
    for (const viewport of VIEWPORTS) {
      const context = await browser.newContext({ viewport, deviceScaleFactor: 1, serviceWorkers: 'block', reducedMotion: 'reduce' });
      const page = await context.newPage();
      const query = await searchQuery(page, server.url + byKind.cmo.rel);
      for (const [kind, name] of SHOTS) {
        const isSearch = kind === 'search';
        const url = server.url + byKind[kind].rel + (isSearch ? `?q=${encodeURIComponent(query)}` : '');
        const file = path.join(OUT, `${name}-${viewport.width}.png`);
        await shoot(page, url, file, isSearch);
        if (quantise) spawnSync('convert', [file, '-strip', '-dither', 'None', '-colors', '64', `PNG8:${file}`]);
        console.log(`${path.relative(repoRoot, file)}  ${(fs.statSync(file).size / 1024).toFixed(0)} KiB  ${url.replace(server.url, BASE_PATH)}`);
      }
      await context.close();
    }
  } finally {
    await browser.close();
    await server.close();
  }
  if (!quantise) console.log('(ImageMagick `convert` not usable here: PNGs are as Chromium wrote them)');
}

await main();
