// The default theme in a real browser: the sample site (the repo root) built
// for a localhost base URL, served by a tiny static server, then checked at
// phone, tablet and desktop widths, with axe-core and the Nu HTML checker.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { launch, run, serveStatic, REPO, SHOTS } from './lib.mjs';

const require = createRequire(import.meta.url);
const AXE = require.resolve('axe-core/axe.min.js');
const VNU = join(REPO, 'tests', 'browser', 'node_modules', 'vnu-jar', 'build', 'dist', 'vnu.jar');
const ARTICLE = '/sanctions/how-sanctions-work/';

let out; let server; let origin; let browser;

before(async () => {
  server = serveStatic(out = mkdtempSync(join(tmpdir(), 'attache-theme-')));
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

for (const [name, path] of [['home', '/'], ['article', ARTICLE], ['section', '/europe/'], ['topics', '/topics/'],
  ['term', '/topics/sanctions/']]) {
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

/** Whether an <img> has loaded a real picture. */
const loaded = (img) => img.evaluate((el) => el.complete && el.naturalWidth > 0);

test('an article shows its lead image, with a srcset the phone picks a small file from', async () => {
  for (const width of [360, 1280]) {
    const page = await open(width, ARTICLE);
    const img = page.locator('.lead-figure img');
    assert.equal(await img.count(), 1);
    assert.ok((await img.getAttribute('alt')).length > 20, 'the lead image has alt text');
    await img.scrollIntoViewIfNeeded();
    await page.waitForFunction(() => document.querySelector('.lead-figure img').complete);
    assert.ok(await loaded(img), 'the lead image loads');
    const srcset = await img.getAttribute('srcset');
    assert.ok(srcset.split(',').length >= 3, srcset);
    const current = await img.evaluate((el) => el.currentSrc);
    const chosen = srcset.split(',').map((c) => c.trim().split(' ')).find(([u]) => current.endsWith(u));
    assert.ok(chosen, `${current} comes from the srcset`);
    const w = parseInt(chosen[1], 10);
    if (width === 360) assert.ok(w <= 800, `a phone loads the ${w}w copy`);
    else assert.ok(w >= 800, `a desktop loads the ${w}w copy`);
    assert.match(await page.locator('.lead-figure figcaption').textContent(), /Attaché/);
    if (width === 1280) await page.locator('.lead-figure').screenshot({ path: join(SHOTS, 'lead-image-1280.png') });
    assert.deepEqual(page.problems, []);
    await page.context().close();
  }
});

test('home and section pages list explainers as cards with thumbnails, using the width', async () => {
  for (const [path, min] of [['/', 3], ['/europe/', 2]]) {
    const page = await open(1280, path);
    const cards = page.locator('.cards .item');
    assert.ok(await cards.count() >= min, `${path}: cards`);
    const lefts = await cards.evaluateAll((els) => [...new Set(els.map((e) => Math.round(e.getBoundingClientRect().left)))]);
    assert.ok(lefts.length >= 3, `${path}: ${lefts.length} card columns at 1280px`);
    const thumbs = page.locator('.cards .item-thumb img');
    assert.ok(await thumbs.count() >= 1, `${path}: a card has a thumbnail`);
    await thumbs.first().scrollIntoViewIfNeeded();
    await page.waitForFunction(() => document.querySelector('.cards .item-thumb img').complete);
    assert.ok(await loaded(thumbs.first()), `${path}: the thumbnail loads`);
    assert.equal(await thumbs.first().getAttribute('alt'), '', 'a thumbnail is decorative next to its title link');
    await page.context().close();
  }
  const home = await open(1280, '/');
  const lead = await home.locator('.lead-story').boundingBox();
  assert.ok(lead.width > 1000, `the lead story is ${lead.width}px wide at 1280px`);
  assert.ok(await loaded(home.locator('.lead-media img')), 'the lead story has its image');
  await home.context().close();
});

test('Open Graph and Twitter tags: absolute URLs to images that exist', async () => {
  for (const [path, type, kind] of [[ARTICLE, 'article', 'image/jpeg'], ['/', 'website', 'image/png'],
    ['/europe/black-sea/black-sea-grain-initiative/', 'article', 'image/png']]) {
    const page = await open(768, path);
    const meta = (sel) => page.locator(`meta[${sel}]`).getAttribute('content');
    assert.equal(await meta('property="og:type"'), type);
    assert.ok((await meta('property="og:title"')).length > 0);
    assert.equal(await meta('property="og:url"'), origin + path);
    assert.equal(await meta('name="twitter:card"'), 'summary_large_image');
    const image = await meta('property="og:image"');
    assert.ok(image.startsWith(origin + '/'), `og:image is absolute: ${image}`);
    assert.equal(await meta('name="twitter:image"'), image);
    assert.ok((await meta('property="og:image:alt"')).length > 0);
    const res = await page.request.get(image);
    assert.equal(res.status(), 200, image);
    assert.equal(res.headers()['content-type'], kind, `${path}: ${image}`);
    await page.context().close();
  }
});

test('internal links are root-relative, so public/ browses from any address', async () => {
  for (const path of ['/', ARTICLE, '/topics/', '/topics/sanctions/', '/no-such-page/']) {
    const page = await open(1280, path);
    const absolute = await page.locator('body a[href]').evaluateAll((as, o) =>
      as.map((a) => a.getAttribute('href')).filter((h) => h.startsWith(o)), origin);
    assert.deepEqual(absolute, [], `${path}: links that name the host`);
    await page.context().close();
  }
});

test('footnotes: stable ids, and a back-link to where the reader was', async () => {
  const page = await open(768, '/europe/minsk-agreements/');
  const ref = page.locator('.footnote-reference a').first();
  assert.equal(await ref.getAttribute('href'), '#fn-1');
  await ref.click();
  await page.waitForFunction(() => location.hash === '#fn-1');
  const back = page.locator('#fn-1 .footnote-backref');
  assert.equal(await back.getAttribute('href'), '#fr-1-1');
  await back.click();
  await page.waitForFunction(() => location.hash === '#fr-1-1');
  await page.waitForTimeout(700); // smooth scrolling
  const top = await page.evaluate(() => document.getElementById('fr-1-1').getBoundingClientRect().top);
  assert.ok(top >= 0 && top < 900, `the reference is on screen (${top}px) after the back-link`);
  await page.context().close();
});

test('phone header: title and tools on one row, sections on one scrolling row', async () => {
  const page = await open(360, ARTICLE);
  await page.locator('.site-header').screenshot({ path: join(SHOTS, 'header-360.png') });
  const box = (sel) => page.locator(sel).boundingBox();
  const [header, title, tools, nav] = await Promise.all(['.site-header', '.site-title', '.site-tools', '.site-nav'].map(box));
  assert.ok(Math.abs(title.y - tools.y) < 12, `title at ${title.y}px, tools at ${tools.y}px`);
  assert.ok(header.height <= 110, `the header is ${header.height}px tall`);
  const rows = await page.locator('.site-nav li').evaluateAll((els) => new Set(els.map((e) => Math.round(e.getBoundingClientRect().top))).size);
  assert.equal(rows, 1, 'sections sit on one row');
  assert.ok(nav.width <= 360);
  assert.equal(await page.locator('.theme-toggle').evaluate((b) => b.textContent.trim()), 'Dark mode', 'the button keeps its name');
  await page.context().close();
});

test('phones: a wide table and an SVG chart scroll sideways at a readable size, with a hint', async () => {
  const page = await open(360, '/sanctions/export-controls/');
  const wrap = page.locator('.table-wrap:has(th:nth-child(4))').first();
  assert.ok(await wrap.evaluate((el) => el.scrollWidth > el.clientWidth), 'the wide table scrolls');
  assert.ok(await wrap.locator('.scroll-hint').isVisible(), 'the table says it scrolls');
  await wrap.screenshot({ path: join(SHOTS, 'table-360.png') });
  const fig = page.locator('.figure-wide').first();
  const w = await fig.locator('img').evaluate((el) => el.getBoundingClientRect().width);
  assert.ok(w >= 560, `the chart is drawn ${w}px wide`);
  assert.ok(await fig.locator('.scroll-hint').isVisible(), 'the chart says it scrolls');
  await fig.screenshot({ path: join(SHOTS, 'figure-360.png') });
  const desk = await open(1280, '/sanctions/export-controls/');
  assert.equal(await desk.locator('.scroll-hint').first().isVisible(), false, 'no hint where nothing scrolls');
  await page.context().close();
  await desk.context().close();
});

test('heading anchors show on hover and keyboard focus only', async () => {
  const page = await open(1280, ARTICLE);
  const anchor = page.locator('.article-body h2 .anchor, .article-body h2 .zola-anchor').first();
  if (await anchor.count() === 0) { await page.context().close(); return; } // the site turned them off
  const opacity = () => anchor.evaluate((el) => getComputedStyle(el).opacity);
  assert.equal(await opacity(), '0');
  await page.locator('.article-body h2').first().hover();
  assert.equal(await opacity(), '1');
  await page.mouse.move(0, 0);
  await anchor.focus();
  assert.equal(await opacity(), '1');
  await page.context().close();
});

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
