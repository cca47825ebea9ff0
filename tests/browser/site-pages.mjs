// The built realist site the browser checks, the Lighthouse script and the screenshot script
// look at, and its pages, found from its files. Plain Node, no packages, so that
// ../lighthouse/run.mjs can import it without this folder's node_modules.
//
// 1. `SITE_DIR`, `BASE_PATH` and `CHROMIUM`, from the environment variables of those names
//    (defaults: <repo>/target/site-ci, /research/hsca12/, /usr/bin/chromium), with the flags
//    Chromium is launched with (`CHROMIUM_ARGS`, `LOCAL_ONLY_ARG`) and `isLocal(url)`.
// 2. `pageKinds(siteDir)` picks one page of each kind (the first entry, by name, of each
//    folder; the home, matrix, glossary, search and 404 pages by their fixed paths), so a
//    check per kind stays independent of the example content.
// 3. `allPages(siteDir)` lists every page the site publishes: each `index.html` (outside the
//    theme's `static/`, Pagefind's folder and `exports/`) as its folder URL, plus the 404 page
//    requested at a made-up path two folders deep, where a relative URL that is wrong would
//    break it.
// 4. `htmlFiles(siteDir)` lists every HTML file but 404.html (Pagefind's folders left out),
//    `pagesIn(siteDir, dir, test)` the entries of one folder (`cmos/x/`), optionally only those
//    whose HTML passes `test`.

import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

/** The built site (env SITE_DIR, default <repo>/target/site-ci), as an absolute path. */
export const SITE_DIR = path.resolve(process.env.SITE_DIR || path.join(repoRoot, 'target', 'site-ci'));
/** The URL prefix the site is built for (env BASE_PATH). */
export const BASE_PATH = process.env.BASE_PATH || '/research/hsca12/';
/** The Chromium binary (env CHROMIUM). */
export const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';

/** The path (relative to the site root) the 404 page is requested at: deep, so relative URLs are tested. */
export const NOT_FOUND_REL = 'no-such-folder/this-page-does-not-exist-4f3a/';

/** Folders of a built site that hold no pages of their own. */
const NOT_PAGES = new Set(['static', 'pagefind', 'exports']);

/** Entity kinds with one page per entry, and the folder each is published in. */
export const ENTITY_FOLDERS = [
  ['report', 'reports'],
  ['cmo', 'cmos'],
  ['theory', 'theories'],
  ['tracer', 'tracers'],
  ['area', 'areas'],
  ['study', 'studies'],
  ['theme', 'themes'],
];

function hasIndex(siteDir, rel) {
  return fs.existsSync(path.join(siteDir, rel, 'index.html'));
}

/**
 * The entries of folder `dir` of the site (each sub-folder with an `index.html`), by name, as
 * `dir/name/`; only those whose HTML passes `test`, if given.
 * @param {string} siteDir
 * @param {string} dir  a folder of the site root, e.g. `cmos`
 * @param {(html: string) => boolean} [test]
 * @returns {string[]}
 */
export function pagesIn(siteDir, dir, test) {
  const abs = path.join(siteDir, dir);
  if (!fs.existsSync(abs)) return [];
  return fs
    .readdirSync(abs, { withFileTypes: true })
    .filter((d) => d.isDirectory() && hasIndex(siteDir, path.join(dir, d.name)))
    .map((d) => d.name)
    .sort()
    .filter((name) => !test || test(fs.readFileSync(path.join(abs, name, 'index.html'), 'utf8')))
    .map((name) => `${dir}/${name}/`);
}

/**
 * One page of each kind.
 * @returns {{pages: {kind:string, rel:string, status:number}[], missing: string[]}}
 *   `rel` is relative to the site root (`''` is the home page); `missing` names required kinds
 *   the site does not have.
 */
export function pageKinds(siteDir) {
  const pages = [];
  const missing = [];
  const add = (kind, rel, required = true, status = 200) => {
    if (rel !== null) pages.push({ kind, rel, status });
    else if (required) missing.push(kind);
  };
  if (!fs.existsSync(siteDir)) return { pages, missing: [`site folder ${siteDir}`] };
  add('home', hasIndex(siteDir, '') ? '' : null);
  for (const [kind, dir] of ENTITY_FOLDERS) add(kind, pagesIn(siteDir, dir)[0] ?? null);
  add('cmo-matrix', hasIndex(siteDir, 'cmos') ? 'cmos/' : null);
  add('glossary', hasIndex(siteDir, 'glossary') ? 'glossary/' : null);
  add('search', hasIndex(siteDir, 'search') ? 'search/' : null, false);
  add('accessibility', hasIndex(siteDir, 'accessibility') ? 'accessibility/' : null);
  add('404', fs.existsSync(path.join(siteDir, '404.html')) ? NOT_FOUND_REL : null, true, 404);
  return { pages, missing };
}

/**
 * Each folder of the site from `rel` down (a folder before its sub-folders, these by name),
 * as `{rel, entries}` with `rel` site-relative (`''`, `reports/`, `reports/x/`). Folders whose
 * name starts with a dot, and those `skip(parentRel, name)` names, are not entered.
 */
function* folders(siteDir, skip, rel = '') {
  const entries = fs.readdirSync(path.join(siteDir, rel), { withFileTypes: true });
  yield { rel, entries };
  const subs = entries
    .filter((d) => d.isDirectory() && !d.name.startsWith('.') && !skip(rel, d.name))
    .map((d) => d.name)
    .sort();
  for (const s of subs) yield* folders(siteDir, skip, `${rel}${s}/`);
}

/**
 * Every page of the site, in a stable order (folders by name), the 404 page last.
 * @returns {{rel:string, status:number}[]}
 */
export function allPages(siteDir) {
  if (!fs.existsSync(siteDir)) return [];
  const out = [];
  for (const { rel } of folders(siteDir, (parent, name) => parent === '' && NOT_PAGES.has(name))) {
    if (hasIndex(siteDir, rel)) out.push({ rel, status: 200 });
  }
  if (fs.existsSync(path.join(siteDir, '404.html'))) out.push({ rel: NOT_FOUND_REL, status: 404 });
  return out;
}

/**
 * Every HTML file of the site but the top 404.html, in any folder but Pagefind's, sorted, as
 * the URL path it is served at relative to the site root (`reports/x/` for its index.html).
 * @returns {string[]}
 */
export function htmlFiles(siteDir) {
  if (!fs.existsSync(siteDir)) return [];
  const found = [];
  for (const { rel, entries } of folders(siteDir, (_, name) => name === 'pagefind')) {
    for (const d of entries) {
      const file = rel + d.name;
      if (d.isDirectory() || !d.name.endsWith('.html') || file === '404.html') continue;
      found.push(file.endsWith('index.html') ? file.slice(0, -'index.html'.length) : file);
    }
  }
  return found.sort();
}

/** Chromium flags for a quiet, offline, reproducible run. */
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** Chromium flag: every host but the test server fails to resolve, so nothing leaves the machine. */
export const LOCAL_ONLY_ARG = '--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1';

/** True for URLs that stay on this machine (the test server) or carry their own data. */
export function isLocal(u) {
  let url;
  try {
    url = new URL(u);
  } catch {
    return false;
  }
  if (['data:', 'blob:', 'about:'].includes(url.protocol)) return true;
  return (url.protocol === 'http:' || url.protocol === 'https:') && url.hostname === '127.0.0.1';
}
