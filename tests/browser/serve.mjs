// Tiny static file server for the browser tests.
//
// startServer(siteDir, basePath) serves the files of a built site under a URL
// prefix (e.g. `/research/hsca12/`) on 127.0.0.1 at a free port, the way the
// site is served in production:
//   - `dir/` is answered with `dir/index.html`;
//   - `dir` (a folder, no trailing slash) is redirected (301) to `dir/`;
//   - anything missing, or outside basePath, gets siteDir/404.html with 404;
//   - paths that escape siteDir (`..`, encoded or not, NUL bytes, symlinks
//     pointing outside) are refused with 400/404 and never read.
// Only GET and HEAD are supported.

import http from 'node:http';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';

const CONTENT_TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.htm': 'text/html; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.webmanifest': 'application/manifest+json; charset=utf-8',
  '.xml': 'application/xml; charset=utf-8',
  '.rss': 'application/rss+xml; charset=utf-8',
  '.atom': 'application/atom+xml; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
  '.csv': 'text/csv; charset=utf-8',
  '.md': 'text/markdown; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.webp': 'image/webp',
  '.avif': 'image/avif',
  '.ico': 'image/x-icon',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.ttf': 'font/ttf',
  '.otf': 'font/otf',
  '.pdf': 'application/pdf',
  '.wasm': 'application/wasm',
};

export function contentTypeFor(file) {
  return CONTENT_TYPES[path.extname(file).toLowerCase()] || 'application/octet-stream';
}

function normaliseBase(basePath) {
  let b = basePath || '/';
  if (!b.startsWith('/')) b = '/' + b;
  if (!b.endsWith('/')) b += '/';
  return b;
}

/**
 * @param {string} siteDir  folder holding the built site
 * @param {string} [basePath='/']  URL prefix the site is served under
 * @returns {Promise<{port:number, url:string, close:() => Promise<void>}>}
 *   url is the site root, e.g. http://127.0.0.1:41234/research/hsca12/
 */
export async function startServer(siteDir, basePath = '/') {
  const root = await fsp.realpath(path.resolve(siteDir));
  const base = normaliseBase(basePath);

  const inside = (p) => p === root || p.startsWith(root + path.sep);

  async function send(req, res, status, file, extraHeaders = {}) {
    const body = await fsp.readFile(file);
    res.writeHead(status, {
      'Content-Type': contentTypeFor(file),
      'Content-Length': body.length,
      'Cache-Control': 'no-store',
      'X-Content-Type-Options': 'nosniff',
      ...extraHeaders,
    });
    res.end(req.method === 'HEAD' ? undefined : body);
  }

  async function notFound(req, res) {
    const page = path.join(root, '404.html');
    if (fs.existsSync(page)) return send(req, res, 404, page);
    res.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8' });
    res.end(req.method === 'HEAD' ? undefined : 'Not found\n');
  }

  function plain(res, status, text, headers = {}) {
    res.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8', ...headers });
    res.end(text + '\n');
  }

  async function handle(req, res) {
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      return plain(res, 405, 'Method not allowed', { Allow: 'GET, HEAD' });
    }
    const rawPath = (req.url || '/').split('?')[0].split('#')[0];
    let urlPath;
    try {
      urlPath = decodeURIComponent(rawPath);
    } catch {
      return plain(res, 400, 'Bad request');
    }
    if (urlPath.includes('\0') || urlPath.includes('\\')) return plain(res, 400, 'Bad request');
    // Refuse any `..` segment outright, before and after decoding.
    if (rawPath.split('/').includes('..') || urlPath.split('/').includes('..')) {
      return plain(res, 400, 'Bad request');
    }
    if (urlPath + '/' === base) {
      return plain(res, 301, 'Moved', { Location: base });
    }
    if (!urlPath.startsWith(base)) return notFound(req, res);

    const rel = urlPath.slice(base.length);
    let file = path.resolve(root, '.' + path.posix.sep + rel);
    if (!inside(file)) return plain(res, 400, 'Bad request');

    let st;
    try {
      st = await fsp.stat(file);
    } catch {
      return notFound(req, res);
    }
    if (st.isDirectory()) {
      if (!urlPath.endsWith('/')) {
        const q = (req.url || '').includes('?') ? req.url.slice(req.url.indexOf('?')) : '';
        return plain(res, 301, 'Moved', { Location: rawPath + '/' + q });
      }
      file = path.join(file, 'index.html');
    }
    // Resolve symlinks and re-check containment.
    let real;
    try {
      real = await fsp.realpath(file);
      st = await fsp.stat(real);
    } catch {
      return notFound(req, res);
    }
    if (!inside(real) || !st.isFile()) return notFound(req, res);
    return send(req, res, 200, real);
  }

  const server = http.createServer((req, res) => {
    handle(req, res).catch((err) => {
      if (!res.headersSent) plain(res, 500, 'Internal error: ' + err.message);
      else res.destroy(err);
    });
  });
  server.keepAliveTimeout = 1000;

  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const { port } = server.address();
  return {
    port,
    url: `http://127.0.0.1:${port}${base}`,
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections?.();
      }),
  };
}

/**
 * Starts `realist serve` on a free port for the site in `root` and waits until it prints its URL.
 * The binary is $REALIST, else the release build, else the debug build of this repository.
 *
 * @param {string} root  site folder (with site.yaml)
 * @returns {Promise<{url:string, close:() => Promise<void>}>}
 */
export async function startRealistServe(root) {
  const { spawn } = await import('node:child_process');
  const repo = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..', '..');
  const candidates = [
    process.env.REALIST,
    path.join(repo, 'target', 'release', 'realist'),
    path.join(repo, 'target', 'debug', 'realist'),
  ].filter(Boolean);
  const binary = candidates.find((c) => fs.existsSync(c));
  if (!binary) throw new Error(`no realist binary: build it or set REALIST (tried ${candidates})`);
  const child = spawn(binary, ['serve', '--root', root, '--port', '0'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (d) => (stderr += d));
  const url = await new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`realist serve did not start:\n${stderr}`)), 120000);
    child.stdout.on('data', (d) => {
      out += d;
      const m = /at (http:\/\/\S+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`realist serve exited with ${code}:\n${stderr}`));
    });
  });
  return {
    url,
    close: () =>
      new Promise((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGINT');
      }),
  };
}
