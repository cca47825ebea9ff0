// Lighthouse scores of each page kind of a built realist site, in Debian's Chromium.
//
// 1. Serve the built site under its sub-path on 127.0.0.1 (../browser/serve.mjs) and pick one
//    page of each kind (../browser/site-pages.mjs): home, report, CMO, matrix, theory, tracer,
//    area, study, theme, glossary, search and 404 (requested two folders deep).
// 2. Launch Chromium once, headless, with every other host unresolvable, so nothing leaves the
//    machine.
// 3. Run Lighthouse on each page, mobile and desktop (Lighthouse's own two configurations),
//    for the accessibility, best-practices and performance categories (CLS is a performance
//    metric).
// 4. Print a table of the accessibility and best-practices scores and CLS, then, for each row
//    that fails, the audits that cost it points and the elements they name; write the numbers
//    to target/lighthouse/summary.json (and each full report there with LH_HTML=1).
// 5. Exit 1 if any score is below LH_MIN_SCORE (95) or any CLS is LH_MAX_CLS (0.1) or more.
//
//   npm ci && SITE_DIR=../../target/site-ci BASE_PATH=/research/hsca12/ node run.mjs
//   node run.mjs --kinds home,cmo --forms mobile      (a subset)
//
// Env: SITE_DIR, BASE_PATH, CHROMIUM as for the browser tests; LH_MIN_SCORE, LH_MAX_CLS, LH_HTML.

import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import lighthouse from 'lighthouse';
import desktopConfig from 'lighthouse/core/config/desktop-config.js';
import * as chromeLauncher from 'chrome-launcher';
import { startServer } from '../browser/serve.mjs';
import { pageKinds, CHROMIUM_ARGS } from '../browser/site-pages.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const repoRoot = path.resolve(here, '..', '..');
const SITE_DIR = path.resolve(process.env.SITE_DIR || path.join(repoRoot, 'target', 'site-ci'));
const BASE_PATH = process.env.BASE_PATH || '/research/hsca12/';
const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
const MIN_SCORE = Number(process.env.LH_MIN_SCORE || 95);
const MAX_CLS = Number(process.env.LH_MAX_CLS || 0.1);
const OUT_DIR = path.join(repoRoot, 'target', 'lighthouse');

/** The page kinds measured, as site-pages.mjs names them, with the label the table shows. */
const KINDS = [
  ['home', 'home'],
  ['report', 'report'],
  ['cmo', 'CMO'],
  ['cmo-matrix', 'matrix'],
  ['theory', 'theory'],
  ['tracer', 'tracer'],
  ['area', 'area'],
  ['study', 'study'],
  ['theme', 'theme'],
  ['glossary', 'glossary'],
  ['search', 'search'],
  ['404', '404'],
];
const FORMS = { mobile: undefined, desktop: desktopConfig };

function options() {
  const { values } = parseArgs({
    options: { kinds: { type: 'string' }, forms: { type: 'string' } },
  });
  const pick = (list, all) => (list ? list.split(',').map((s) => s.trim()) : all);
  const kinds = pick(values.kinds, KINDS.map(([k]) => k));
  const forms = pick(values.forms, Object.keys(FORMS));
  const unknown = [...kinds.filter((k) => !KINDS.some(([id]) => id === k)), ...forms.filter((f) => !(f in FORMS))];
  if (unknown.length) {
    console.error(`unknown kind or form factor: ${unknown.join(', ')}`);
    console.error(`kinds: ${KINDS.map(([k]) => k).join(', ')}; forms: ${Object.keys(FORMS).join(', ')}`);
    process.exit(2);
  }
  return { kinds, forms };
}

/** The audits of `category` that cost it points, with up to three elements or URLs each. */
function lostPoints(lhr, category) {
  const cat = lhr.categories[category];
  if (!cat) return [];
  return cat.auditRefs
    .filter((ref) => ref.weight > 0)
    .map((ref) => lhr.audits[ref.id])
    .filter((a) => a && a.score !== null && a.score < 1)
    .map((a) => {
      const items = (a.details?.items || []).slice(0, 3).map((it) => {
        const where = it.node?.selector || it.url || it.source?.url || it.description || '';
        const why = it.node?.explanation?.split('\n').slice(1, 2).join(' ').trim();
        return `${String(where).slice(0, 120)}${why ? ` (${why.slice(0, 140)})` : ''}`;
      });
      return `${category}: ${a.id}: ${a.title}${items.length ? `\n        - ${items.join('\n        - ')}` : ''}`;
    });
}

/** Shifts that make up CLS, for the message: the elements that moved and by how much. */
function layoutShifts(lhr) {
  const items = lhr.audits['layout-shifts']?.details?.items || [];
  return items.slice(0, 3).map((it) => `CLS: ${it.node?.selector || '?'} shifted (score ${Number(it.score).toFixed(3)})`);
}

async function measure(port, page, form) {
  const flags = {
    port,
    output: process.env.LH_HTML ? ['json', 'html'] : 'json',
    logLevel: 'error',
    onlyCategories: ['accessibility', 'best-practices', 'performance'],
    // The 404 page is meant to answer 404; Lighthouse otherwise refuses to audit it.
    ignoreStatusCode: page.status === 404,
  };
  const result = await lighthouse(page.url, flags, FORMS[form]);
  const lhr = result.lhr;
  if (lhr.runtimeError) throw new Error(`${lhr.runtimeError.code}: ${lhr.runtimeError.message}`);
  if (process.env.LH_HTML) {
    fs.writeFileSync(path.join(OUT_DIR, `${page.label}-${form}.html`), result.report[1]);
  }
  const score = (c) => (lhr.categories[c]?.score == null ? NaN : Math.round(lhr.categories[c].score * 100));
  const cls = lhr.audits['cumulative-layout-shift']?.numericValue;
  const row = {
    kind: page.label,
    form,
    url: page.url,
    accessibility: score('accessibility'),
    bestPractices: score('best-practices'),
    cls: cls === undefined ? NaN : cls,
  };
  const failures = [];
  if (!(row.accessibility >= MIN_SCORE)) failures.push(...lostPoints(lhr, 'accessibility'));
  if (!(row.bestPractices >= MIN_SCORE)) failures.push(...lostPoints(lhr, 'best-practices'));
  if (!(row.cls < MAX_CLS)) failures.push(...layoutShifts(lhr));
  return { ...row, ok: row.accessibility >= MIN_SCORE && row.bestPractices >= MIN_SCORE && row.cls < MAX_CLS, failures };
}

function printTable(rows) {
  const head = ['page', 'form', 'access.', 'best-pr.', 'CLS', ''];
  const cells = rows.map((r) => [
    r.kind,
    r.form,
    String(r.accessibility),
    String(r.bestPractices),
    Number.isNaN(r.cls) ? 'n/a' : r.cls.toFixed(3),
    r.error ? 'ERROR' : r.ok ? 'ok' : 'FAIL',
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i].length)));
  const line = (c) => c.map((s, i) => (i >= 2 && i <= 4 ? s.padStart(widths[i]) : s.padEnd(widths[i]))).join('  ').trimEnd();
  console.log(line(head));
  console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const c of cells) console.log(line(c));
}

async function main() {
  const { kinds, forms } = options();
  const { pages: found } = pageKinds(SITE_DIR);
  const absent = kinds.filter((k) => !found.some((p) => p.kind === k));
  if (absent.length) {
    console.error(`the site in ${SITE_DIR} has no page of kind: ${absent.join(', ')} (set SITE_DIR to a built site)`);
    process.exit(2);
  }
  fs.mkdirSync(OUT_DIR, { recursive: true });
  const server = await startServer(SITE_DIR, BASE_PATH);
  const chrome = await chromeLauncher.launch({
    chromePath: CHROMIUM,
    chromeFlags: ['--headless=new', ...CHROMIUM_ARGS, '--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1'],
  });
  const rows = [];
  const t0 = Date.now();
  try {
    for (const kind of kinds) {
      const p = found.find((f) => f.kind === kind);
      const page = { ...p, label: KINDS.find(([k]) => k === kind)[1], url: server.url + p.rel };
      for (const form of forms) {
        try {
          rows.push(await measure(chrome.port, page, form));
        } catch (err) {
          rows.push({ kind: page.label, form, url: page.url, accessibility: NaN, bestPractices: NaN, cls: NaN, ok: false, error: true, failures: [String(err.message || err)] });
        }
        const r = rows[rows.length - 1];
        process.stderr.write(`  ${r.kind} ${r.form}: ${r.error ? 'error' : `${r.accessibility} ${r.bestPractices} ${r.cls.toFixed(3)}`}\n`);
      }
    }
  } finally {
    await chrome.kill();
    await server.close();
  }
  console.log(`\nLighthouse ${lighthouseVersion()} in ${CHROMIUM}, ${SITE_DIR} under ${BASE_PATH} (${((Date.now() - t0) / 1000).toFixed(0)} s)\n`);
  printTable(rows);
  fs.writeFileSync(path.join(OUT_DIR, 'summary.json'), JSON.stringify(rows, null, 2) + '\n');
  const bad = rows.filter((r) => !r.ok);
  if (bad.length) {
    console.log(`\n${bad.length} of ${rows.length} runs fail (need accessibility and best practices >= ${MIN_SCORE}, CLS < ${MAX_CLS}):`);
    for (const r of bad) console.log(`\n  ${r.kind} (${r.form}) ${r.url}\n      ${r.failures.join('\n      ') || '(no audit named)'}`);
    process.exitCode = 1;
  } else {
    console.log(`\nall ${rows.length} runs pass (accessibility and best practices >= ${MIN_SCORE}, CLS < ${MAX_CLS})`);
  }
}

function lighthouseVersion() {
  const pkg = JSON.parse(fs.readFileSync(path.join(here, 'node_modules', 'lighthouse', 'package.json'), 'utf8'));
  return pkg.version;
}

await main();
