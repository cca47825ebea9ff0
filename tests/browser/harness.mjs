// The setup the browser tests share, so that each test file holds only what it checks: the
// built site served on 127.0.0.1, one Chromium for the file, browser contexts that stay on this
// machine, axe-core, and a layout-shift meter. It re-exports site-pages.mjs (SITE_DIR,
// BASE_PATH, CHROMIUM from the environment, and the lists of the site's pages).
//
// 1. `useSite()`, called at the top of a test file or in a `describe`, registers a `before` that
//    starts serve.mjs's server for SITE_DIR under BASE_PATH and launches Chromium
//    (`launchChromium`), and an `after` that closes both. It returns `site`, whose `url` (the
//    site root), `browser`, `context()` and `open()` work once that `before` has run:
//    - `site.context({ width, height, ...options })`: a new browser context at that viewport
//      (320×640 unless given; service workers blocked; Playwright's context options on top)
//      whose requests to any other host are aborted;
//    - `site.open(rel, { width, height, status, ...options })`: `rel` (site-relative) loaded in
//      a new such context, failing unless it answers `status` (200 unless given); returns
//      `{ context, page, response }`.
// 2. `launchChromium(extraArgs)`: headless CHROMIUM with CHROMIUM_ARGS and LOCAL_ONLY_ARG
//    (every host but 127.0.0.1 fails to resolve, so nothing leaves the machine).
// 3. `addAxe(page)` injects axe-core into a loaded page; `AXE_TAGS` are axe's tags for the
//    level A and AA rules of WCAG 2.0, 2.1 and 2.2.
// 4. `trackLayoutShift(pageOrContext)` before a page loads and `layoutShift(page)` after: its
//    cumulative layout shift so far, shifts right after input left out.

import { before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import { chromium } from 'playwright-core';
import { startServer } from './serve.mjs';
import { SITE_DIR, BASE_PATH, CHROMIUM, CHROMIUM_ARGS, LOCAL_ONLY_ARG, isLocal } from './site-pages.mjs';

export * from './site-pages.mjs';

const require = createRequire(import.meta.url);

/** The axe-core rule tags of WCAG 2.0, 2.1 and 2.2 at levels A and AA. */
export const AXE_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'];

let axeSource;

/** Injects axe-core (`window.axe`) into `page`, once it has loaded. */
export async function addAxe(page) {
  axeSource ??= fs.readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');
  await page.addScriptTag({ content: axeSource });
}

/** Headless Chromium (CHROMIUM) for a quiet, offline run, with `extraArgs` added. */
export function launchChromium(extraArgs = []) {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [...CHROMIUM_ARGS, LOCAL_ONLY_ARG, ...extraArgs],
  });
}

/**
 * The site served and a browser, for the tests of the enclosing file or `describe` (see 1. above).
 * @returns {{url: string, browser: import('playwright-core').Browser, context: Function, open: Function}}
 */
export function useSite() {
  let server;
  let browser;

  before(async () => {
    server = await startServer(SITE_DIR, BASE_PATH);
    browser = await launchChromium();
  });

  after(async () => {
    await browser?.close();
    await server?.close();
  });

  const site = {
    get url() {
      return server.url;
    },
    get browser() {
      return browser;
    },
    async context({ width = 320, height = 640, ...options } = {}) {
      const context = await browser.newContext({
        viewport: { width, height },
        serviceWorkers: 'block',
        ...options,
      });
      await context.route('**/*', (route) =>
        isLocal(route.request().url()) ? route.continue() : route.abort(),
      );
      return context;
    },
    async open(rel, { status = 200, ...options } = {}) {
      const context = await site.context(options);
      try {
        const page = await context.newPage();
        const response = await page.goto(server.url + rel, { waitUntil: 'load' });
        assert.equal(response?.status(), status, `HTTP status of /${rel}`);
        return { context, page, response };
      } catch (err) {
        await context.close();
        throw err;
      }
    },
  };
  return site;
}

/** Starts measuring layout shifts in `target` (a page or a context), before a page loads. */
export function trackLayoutShift(target) {
  return target.addInitScript(() => {
    window.__cls = 0;
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) if (!e.hadRecentInput) window.__cls += e.value;
    }).observe({ type: 'layout-shift', buffered: true });
  });
}

/** The cumulative layout shift of `page` so far (trackLayoutShift must have been called). */
export function layoutShift(page) {
  return page.evaluate(() => window.__cls);
}
