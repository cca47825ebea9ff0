// HTML validation of a built realist site with the Nu Html Checker (vnu.jar).
// Fails on any message of type "error" (or "non-document-error"); lists
// warnings (type "info", subType "warning") without failing.
//
//   SITE_DIR=../../target/site-ci node --test      (from tests/browser)
//
// Env: SITE_DIR built site (default: <repo>/target/site-ci)
//      JAVA     java binary (default: java on PATH)

import { it } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { SITE_DIR } from './site-pages.mjs';

const require = createRequire(import.meta.url);

// vnu-jar's main export is (a String object holding) the absolute path of vnu.jar.
const VNU_JAR = String(require('vnu-jar'));
const JAVA = process.env.JAVA || 'java';

function parseReport(text) {
  const start = text.indexOf('{');
  const end = text.lastIndexOf('}');
  if (start < 0 || end < start) return null;
  try {
    return JSON.parse(text.slice(start, end + 1));
  } catch {
    return null;
  }
}

function describeMessage(m) {
  // vnu reports file:/abs/path (one slash); show paths relative to SITE_DIR.
  const abs = (m.url || '').startsWith('file:') ? decodeURIComponent(m.url.replace(/^file:(\/\/)?/, '')) : null;
  const where = abs ? path.relative(SITE_DIR, abs) || abs : m.url || '?';
  const line = m.lastLine ? `:${m.firstLine ?? m.lastLine}${m.firstColumn ? `:${m.firstColumn}` : ''}` : '';
  const extract = m.extract ? `\n      ${m.extract.replace(/\s+/g, ' ').trim().slice(0, 160)}` : '';
  return `  ${where}${line}: ${m.message}${extract}`;
}

it('built site is valid HTML (vnu)', () => {
  assert.ok(fs.existsSync(SITE_DIR), `site folder not found: ${SITE_DIR} (set SITE_DIR)`);
  const t0 = Date.now();
  const run = spawnSync(JAVA, ['-jar', VNU_JAR, '--format', 'json', '--skip-non-html', SITE_DIR], {
    encoding: 'utf8',
    maxBuffer: 256 * 1024 * 1024,
  });
  assert.ok(!run.error, `could not run ${JAVA}: ${run.error?.message}`);
  const report = parseReport(run.stderr || '') || parseReport(run.stdout || '');
  assert.ok(
    report && Array.isArray(report.messages),
    `could not parse vnu JSON output (exit ${run.status}):\n${(run.stderr || '').slice(0, 2000)}\n${(run.stdout || '').slice(0, 2000)}`,
  );

  const msgs = report.messages;
  const errors = msgs.filter((m) => m.type === 'error' || m.type === 'non-document-error');
  const warnings = msgs.filter((m) => m.type === 'info' && m.subType === 'warning');
  const files = new Set([...errors, ...warnings].map((m) => m.url)).size;
  const htmlFiles = countHtml(SITE_DIR);

  if (warnings.length) console.log(`vnu warnings (${warnings.length}, not failing):\n${warnings.map(describeMessage).join('\n')}`);
  console.log(
    `vnu summary: ${htmlFiles} HTML files checked, ${errors.length} errors, ${warnings.length} warnings ` +
      `(${files} files with messages), ${((Date.now() - t0) / 1000).toFixed(1)}s`,
  );
  assert.equal(errors.length, 0, `vnu found ${errors.length} error(s):\n${errors.map(describeMessage).join('\n')}`);
});

function countHtml(dir) {
  let n = 0;
  for (const e of fs.readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (e.isFile() && /\.html?$/i.test(e.name)) n++;
  }
  return n;
}
