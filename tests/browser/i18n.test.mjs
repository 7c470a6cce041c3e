// The bilingual sample site in a real browser: the language switcher moves
// between an article's English and Ukrainian versions (or to the other
// language's home when there is none), the Ukrainian search page finds
// Ukrainian articles by a Cyrillic word, the Ukrainian home lays out at phone
// and desktop widths, and the Ukrainian pages pass axe-core.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRequire } from 'node:module';
import { launch, run, serveStatic, REPO, SHOTS } from './lib.mjs';

const require = createRequire(import.meta.url);
const AXE = require.resolve('axe-core/axe.min.js');
const EN = '/europe/minsk-agreements/';
const UK = '/uk/europe/minsk-agreements/';

let out; let server; let origin; let browser;

before(async () => {
  server = serveStatic(out = mkdtempSync(join(tmpdir(), 'attache-i18n-')));
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

/** A page that records console errors and failed loads. */
async function open(width, path) {
  const context = await browser.newContext({ viewport: { width, height: 900 } });
  const page = await context.newPage();
  page.problems = [];
  page.on('console', (m) => { if (m.type() === 'error') page.problems.push(`console: ${m.text()}`); });
  page.on('pageerror', (e) => page.problems.push(`error: ${e.message}`));
  const res = await page.goto(origin + path);
  page.status = res.status();
  return page;
}

const lang = (page) => page.evaluate(() => document.documentElement.lang);

test('the switcher goes from an English article to its Ukrainian version and back', async () => {
  const page = await open(1280, EN);
  assert.equal(await lang(page), 'en');
  await page.locator('.lang-switch a[hreflang="uk"]').click();
  await page.waitForURL(origin + UK);
  assert.equal(await lang(page), 'uk');
  assert.equal(await page.locator('h1').textContent(), 'Мінські угоди: пояснення');
  assert.equal(await page.locator('.search-link').textContent(), 'Пошук');
  await page.locator('.lang-switch a[hreflang="en"]').click();
  await page.waitForURL(origin + EN);
  assert.equal(await lang(page), 'en');
  assert.deepEqual(page.problems, []);
  await page.context().close();
});

test('without a translation the switcher goes to the other language\'s home', async () => {
  const page = await open(1280, '/europe/black-sea/montreux-convention/');
  await page.locator('.lang-switch a[hreflang="uk"]').click();
  await page.waitForURL(`${origin}/uk/`);
  assert.equal(await lang(page), 'uk');
  // A Ukrainian page with no English version (a Ukrainian term) goes to the English home.
  await page.goto(`${origin}/uk/topics/`);
  await page.locator('.lang-switch a[hreflang="en"]').click();
  await page.waitForURL(`${origin}/`);
  assert.equal(await lang(page), 'en');
  await page.context().close();
});

test('the Ukrainian search page finds a Ukrainian article by a Cyrillic word', async () => {
  const page = await open(1280, '/uk/search/');
  await page.fill('#search-input', 'меморандум');
  await page.waitForFunction(() => (document.getElementById('search-status').textContent || '').includes('меморандум'));
  const status = await page.locator('#search-status').textContent();
  assert.match(status, /за запитом «меморандум»/);
  const links = await page.locator('#search-results li > a').evaluateAll((as) => as.map((a) => a.getAttribute('href')));
  assert.ok(links.includes('/uk/europe/budapest-memorandum/'), links.join(', '));
  assert.ok(links.every((h) => h.startsWith('/uk/')), `only Ukrainian articles: ${links.join(', ')}`);
  // The English search does not list Ukrainian articles.
  await page.goto(`${origin}/search/?q=memorandum`);
  await page.waitForFunction(() => (document.getElementById('search-status').textContent || '').includes('memorandum'));
  const english = await page.locator('#search-results li > a').evaluateAll((as) => as.map((a) => a.getAttribute('href')));
  assert.ok(english.includes('/europe/budapest-memorandum/') && english.every((h) => !h.startsWith('/uk/')), english.join(', '));
  assert.deepEqual(page.problems, []);
  await page.context().close();
});

for (const width of [360, 1280]) {
  test(`the Ukrainian home at ${width}px: no errors, no sideways scroll`, async () => {
    const page = await open(width, '/uk/');
    assert.equal(page.status, 200);
    await page.screenshot({ path: join(SHOTS, `uk-home-${width}.png`), fullPage: true });
    const { scroll, inner } = await page.evaluate(() => ({
      scroll: document.scrollingElement.scrollWidth, inner: window.innerWidth }));
    assert.ok(scroll <= inner, `page is ${scroll}px wide in a ${inner}px window`);
    assert.deepEqual(page.problems, []);
    await page.context().close();
  });
}

test('axe-core: no serious or critical violation on the Ukrainian pages', async () => {
  const found = [];
  for (const path of ['/uk/', '/uk/europe/', UK, '/uk/topics/', '/uk/search/']) {
    const page = await open(1280, path);
    await page.addScriptTag({ path: AXE });
    const result = await page.evaluate(() => window.axe.run(document, { resultTypes: ['violations'] }));
    for (const v of result.violations) {
      if (v.impact === 'serious' || v.impact === 'critical') {
        found.push(`${path}: ${v.id}: ${v.help} — ${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(', ')}`);
      }
    }
    await page.context().close();
  }
  assert.deepEqual(found, []);
});
