// The default theme in a real browser: the sample site (the repo root) built
// for a localhost base URL, served by a tiny static server, then checked at
// phone, tablet and desktop widths, with axe-core and the Nu HTML checker.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { mkdtempSync, readFileSync, existsSync, statSync, mkdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, extname, normalize } from 'node:path';
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { launch, run, REPO, SHOTS } from './lib.mjs';

const require = createRequire(import.meta.url);
const AXE = require.resolve('axe-core/axe.min.js');
const VNU = join(REPO, 'tests', 'browser', 'node_modules', 'vnu-jar', 'build', 'dist', 'vnu.jar');
const TYPES = { '.html': 'text/html; charset=utf-8', '.css': 'text/css', '.js': 'text/javascript',
  '.json': 'application/json', '.svg': 'image/svg+xml', '.xml': 'application/xml', '.png': 'image/png',
  '.jpg': 'image/jpeg', '.webp': 'image/webp', '.txt': 'text/plain' };
const ARTICLE = '/sanctions/how-sanctions-work/';

let out; let server; let origin; let browser;

/** Serve `dir` like a static host: index.html for directories, 404.html otherwise. */
function serve(dir) {
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

before(async () => {
  server = serve(out = mkdtempSync(join(tmpdir(), 'attache-theme-')));
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  origin = `http://127.0.0.1:${server.address().port}`;
  rmSync(out, { recursive: true, force: true });
  const built = await run(['build', '--quiet', '--root', REPO, '-o', out, '--base-url', `${origin}/`]);
  assert.equal(built.code, 0, built.stderr);
  mkdirSync(SHOTS, { recursive: true });
  browser = await launch();
});

after(async () => {
  await browser?.close();
  server?.close();
  if (out) rmSync(out, { recursive: true, force: true });
});

/** A page that records console errors and every request leaving localhost. */
async function open(width, path, colorScheme = 'light') {
  const context = await browser.newContext({ viewport: { width, height: 900 }, colorScheme });
  const page = await context.newPage();
  page.problems = [];
  page.on('console', (m) => { if (m.type() === 'error') page.problems.push(`console: ${m.text()}`); });
  page.on('pageerror', (e) => page.problems.push(`error: ${e.message}`));
  page.on('request', (r) => {
    const u = r.url();
    if (!u.startsWith(origin) && !u.startsWith('data:')) page.problems.push(`external request: ${u}`);
  });
  const res = await page.goto(origin + path);
  page.status = res.status();
  return page;
}

const background = (page) => page.evaluate(() => getComputedStyle(document.body).backgroundColor);

for (const [name, path] of [['home', '/'], ['article', ARTICLE]]) {
  for (const width of [360, 768, 1280]) {
    test(`${name} at ${width}px: no errors, no external requests, no sideways scroll`, async () => {
      const page = await open(width, path);
      assert.equal(page.status, 200);
      await page.screenshot({ path: join(SHOTS, `${name}-${width}.png`), fullPage: true });
      const { scroll, inner } = await page.evaluate(() => ({
        scroll: document.scrollingElement.scrollWidth, inner: window.innerWidth }));
      assert.ok(scroll <= inner, `page is ${scroll}px wide in a ${inner}px window`);
      assert.deepEqual(page.problems, []);
      await page.context().close();
    });
  }
}

test('the table of contents jumps to its heading', async () => {
  const page = await open(1280, ARTICLE);
  const link = page.locator('.toc a').nth(1);
  const href = await link.getAttribute('href');
  await link.click();
  await page.waitForFunction((h) => location.hash === h, href.slice(href.indexOf('#')));
  await page.waitForTimeout(700); // smooth scrolling
  const top = await page.evaluate((h) => document.getElementById(decodeURIComponent(h.slice(1))).getBoundingClientRect().top,
    href.slice(href.indexOf('#')));
  assert.ok(top >= 0 && top < 300, `heading is at ${top}px after the jump`);
  await page.context().close();
});

test('search finds an explainer by a word prefix', async () => {
  const page = await open(768, '/search/');
  await page.fill('#search-input', 'sanct');
  await page.waitForSelector('#search-results li a');
  const first = await page.locator('#search-results li a').first();
  assert.match(await first.textContent(), /sanction/i);
  const href = await first.getAttribute('href');
  await first.click();
  await page.waitForURL(origin + href);
  assert.deepEqual(page.problems, []);
  await page.screenshot({ path: join(SHOTS, 'search-768.png') });
  await page.context().close();
});

test('dark mode follows the system setting and the toggle', async () => {
  const light = await open(768, ARTICLE, 'light');
  const dark = await open(768, ARTICLE, 'dark');
  const lightBg = await background(light);
  assert.notEqual(await background(dark), lightBg, 'prefers-color-scheme: dark changes the page');
  await dark.screenshot({ path: join(SHOTS, 'article-768-dark.png') });
  await light.click('.theme-toggle');
  assert.equal(await light.getAttribute('.theme-toggle', 'aria-pressed'), 'true');
  assert.equal(await background(light), await background(dark), 'the toggle applies the dark palette');
  await light.reload();
  assert.equal(await background(light), await background(dark), 'the choice survives a reload');
  await light.context().close();
  await dark.context().close();
});

const PAGE_TYPES = [['home', '/'], ['section', '/sanctions/'], ['article', ARTICLE],
  ['taxonomy list', '/topics/'], ['term', '/topics/sanctions/'], ['search', '/search/'], ['404', '/no-such-page/']];

for (const scheme of ['light', 'dark']) {
  test(`axe-core: no serious or critical violation on any page type (${scheme})`, async () => {
    const found = [];
    for (const [name, path] of PAGE_TYPES) {
      const page = await open(1280, path, scheme);
      await page.addScriptTag({ path: AXE });
      const result = await page.evaluate(() => window.axe.run(document, { resultTypes: ['violations'] }));
      for (const v of result.violations) {
        if (v.impact === 'serious' || v.impact === 'critical') {
          found.push(`${name} (${path}): ${v.id}: ${v.help} — ${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(', ')}`);
        }
      }
      await page.context().close();
    }
    assert.deepEqual(found, []);
  });
}

test('every generated page is valid HTML (Nu HTML checker)', () => {
  const r = spawnSync('java', ['-jar', VNU, '--errors-only', '--skip-non-html', out], { encoding: 'utf8' });
  assert.equal(r.error, undefined, 'java runs');
  assert.equal(r.status, 0, r.stderr || r.stdout);
});
