// `attache serve` in a real browser: an edit to the Markdown shows up in the
// open page by itself, a CSS edit restyles it without a navigation, and a
// broken edit shows the error overlay until it is fixed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync, appendFileSync, mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { REPO, SHOTS, launch, tempCopy, start, waitFor } from './lib.mjs';

// The sample site only: its sources, not the repository around them.
const SITE_PARTS = /^(config\.toml|content|themes|static|data)(\/|$)/;

test('serve: live edits, stylesheet swap and error overlay', async () => {
  const site = tempCopy(REPO, (src) => {
    const rel = src.slice(REPO.length).replace(/^\/+/, '');
    return rel === '' || SITE_PARTS.test(rel);
  });
  const server = start(['serve', '--root', site, '--port', '0']);
  const browser = await launch();
  try {
    const url = await waitFor(() => server.output.match(/Serving at (http:\/\/\S+)/)?.[1], 60000, 'the server URL');
    const page = await browser.newPage();
    await page.goto(`${url}alliances/nato-article-5/`);
    const article = join(site, 'content/alliances/nato-article-5.md');
    const original = readFileSync(article, 'utf8');

    // 1. Edit the Markdown: the text appears without the test reloading.
    appendFileSync(article, '\n\nA sentence written while the page was open.\n');
    await waitFor(() => page.evaluate(() => document.body.innerText.includes('A sentence written while the page was open.'))
      .catch(() => false), 20000, 'the edited text in the page');

    // 2. Edit the stylesheet: the computed style changes, and a marker set on
    // window survives (no navigation happened).
    await page.evaluate(() => { window.__attacheMarker = 'still here'; });
    const navigations = await page.evaluate(() => performance.getEntriesByType('navigation').length);
    appendFileSync(join(site, 'themes/default/static/style.css'), '\nbody { border-top: 7px solid rgb(1, 2, 3); }\n');
    await waitFor(() => page.evaluate(() => getComputedStyle(document.body).borderTopWidth === '7px'),
      20000, 'the new stylesheet');
    assert.equal(await page.evaluate(() => window.__attacheMarker), 'still here', 'the page was not reloaded');
    assert.equal(await page.evaluate(() => performance.getEntriesByType('navigation').length), navigations);

    // 3. Break the front matter: the overlay shows file and line; fixing it
    // removes the overlay and shows the fixed text.
    writeFileSync(article, original.replace(/^date = .*$/m, 'date = "not a date"'));
    const overlayText = () => page.evaluate(() => document.querySelector('attache-error-overlay')?.shadowRoot?.textContent || '')
      .catch(() => '');
    await waitFor(async () => (await overlayText()).includes('content/alliances/nato-article-5.md:'), 20000, 'the error overlay');
    mkdirSync(SHOTS, { recursive: true });
    await page.screenshot({ path: join(SHOTS, 'serve-error-overlay.png') });
    writeFileSync(article, original + '\n\nFixed and saved.\n');
    await waitFor(() => page.evaluate(() => document.body.innerText.includes('Fixed and saved.')
      && !document.querySelector('attache-error-overlay')).catch(() => false), 20000, 'the overlay to go');
  } finally {
    await browser.close();
    server.kill('SIGINT');
    rmSync(site, { recursive: true, force: true });
  }
});
