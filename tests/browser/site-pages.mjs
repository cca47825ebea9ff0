// The pages of a built realist site, found from its files, for the browser checks, the
// Lighthouse script and the screenshot script.
//
// 1. `pageKinds(siteDir)` picks one page of each kind (the first entry, by name, of each
//    folder; the home, matrix, glossary, search and 404 pages by their fixed paths), so a
//    check per kind stays independent of the example content.
// 2. `allPages(siteDir)` lists every page the site publishes: each `index.html` (outside the
//    theme's `static/` and Pagefind's folder) as its folder URL, plus the 404 page requested
//    at a made-up path two folders deep, where a relative URL that is wrong would break it.

import fs from 'node:fs';
import path from 'node:path';

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

function firstEntry(siteDir, dir) {
  const abs = path.join(siteDir, dir);
  if (!fs.existsSync(abs)) return null;
  const subs = fs
    .readdirSync(abs, { withFileTypes: true })
    .filter((d) => d.isDirectory() && hasIndex(siteDir, path.join(dir, d.name)))
    .map((d) => d.name)
    .sort();
  return subs.length ? `${dir}/${subs[0]}/` : null;
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
  for (const [kind, dir] of ENTITY_FOLDERS) add(kind, firstEntry(siteDir, dir));
  add('cmo-matrix', hasIndex(siteDir, 'cmos') ? 'cmos/' : null);
  add('glossary', hasIndex(siteDir, 'glossary') ? 'glossary/' : null);
  add('search', hasIndex(siteDir, 'search') ? 'search/' : null, false);
  add('accessibility', hasIndex(siteDir, 'accessibility') ? 'accessibility/' : null);
  add('404', fs.existsSync(path.join(siteDir, '404.html')) ? NOT_FOUND_REL : null, true, 404);
  return { pages, missing };
}

/**
 * Every page of the site, in a stable order (folders by name), the 404 page last.
 * @returns {{rel:string, status:number}[]}
 */
export function allPages(siteDir) {
  const out = [];
  const walk = (rel) => {
    const abs = path.join(siteDir, rel);
    if (fs.existsSync(path.join(abs, 'index.html'))) out.push({ rel, status: 200 });
    const subs = fs
      .readdirSync(abs, { withFileTypes: true })
      .filter((d) => d.isDirectory() && !d.name.startsWith('.') && !(rel === '' && NOT_PAGES.has(d.name)))
      .map((d) => d.name)
      .sort();
    for (const s of subs) walk(`${rel}${s}/`);
  };
  if (!fs.existsSync(siteDir)) return out;
  walk('');
  if (fs.existsSync(path.join(siteDir, '404.html'))) out.push({ rel: NOT_FOUND_REL, status: 404 });
  return out;
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
