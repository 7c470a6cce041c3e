// Shared helpers for the browser suites: Debian's Chromium through
// playwright-core (no browser download), the attache binary, temp sites.
import { chromium } from 'playwright-core';
import { spawn } from 'node:child_process';
import { createServer } from 'node:http';
import { mkdtempSync, cpSync, existsSync, statSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname, extname, normalize } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** The attache binary cargo built for this test run (set by tests/browser.rs). */
export const ATTACHE = process.env.ATTACHE_BIN || join(REPO, 'target', 'debug', 'attache');

/** Where screenshots go: under target/, kept as CI artifacts, never committed. */
export const SHOTS = process.env.ATTACHE_SHOTS || join(REPO, 'target', 'browser-shots');

const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';

/** Launch headless Chromium with the flags this machine needs. */
export async function launch() {
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run',
      '--disable-background-networking'],
  });
}

/** Copy a directory (a fixture site or the sample site) into a fresh temp dir. */
export function tempCopy(src, filter = () => true) {
  const dir = mkdtempSync(join(tmpdir(), 'attache-browser-'));
  cpSync(src, dir, { recursive: true, filter });
  return dir;
}

/** Run the attache binary to completion; resolves with { code, stdout, stderr }. */
export function run(args, opts = {}) {
  return new Promise((resolve) => {
    const child = spawn(ATTACHE, args, { ...opts, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => { stdout += d; });
    child.stderr.on('data', (d) => { stderr += d; });
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** Start a long-running attache process (e.g. `serve`); the caller kills it. */
export function start(args, opts = {}) {
  const child = spawn(ATTACHE, args, { ...opts, stdio: ['ignore', 'pipe', 'pipe'] });
  child.output = '';
  child.stdout.on('data', (d) => { child.output += d; });
  child.stderr.on('data', (d) => { child.output += d; });
  return child;
}

/** Poll `fn` until it returns a truthy value or `ms` pass. */
export async function waitFor(fn, ms = 10000, what = 'condition') {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Content types of what a built site serves. */
export const TYPES = { '.html': 'text/html; charset=utf-8', '.css': 'text/css', '.js': 'text/javascript',
  '.json': 'application/json', '.svg': 'image/svg+xml', '.xml': 'application/xml', '.png': 'image/png',
  '.jpg': 'image/jpeg', '.webp': 'image/webp', '.txt': 'text/plain' };

/** Serve `dir` like a static host: index.html for directories, 404.html otherwise. */
export function serveStatic(dir) {
  return createServer((req, res) => {
    const path = decodeURIComponent(new URL(req.url, 'http://x').pathname);
    let file = normalize(join(dir, path));
    if (!file.startsWith(dir)) { res.writeHead(403).end(); return; }
    if (existsSync(file) && statSync(file).isDirectory()) file = join(file, 'index.html');
    if (!existsSync(file)) {
      res.writeHead(404, { 'content-type': TYPES['.html'] }).end(readFileSync(join(dir, '404.html')));
      return;
    }
    res.writeHead(200, { 'content-type': TYPES[extname(file)] || 'application/octet-stream' });
    res.end(readFileSync(file));
  });
}
