// Site search in a real browser on a generated 2,000-article site (default
// theme, correction off), served by a plain static server at the root and
// under a sub-path: a word from deep in one article's body finds it, the
// result shows its section and date, a full explainer ranks above a glossary
// stub of the same word, and no query downloads more than 300 KB.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { mkdtempSync, mkdirSync, writeFileSync, readFileSync, existsSync, statSync, rmSync, cpSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, extname, normalize } from 'node:path';
import { launch, run, REPO, SHOTS } from './lib.mjs';

const N = 2000;
const DEEP = 1234;
const DEEP_WORD = 'zanzibarite';
const SECTIONS = ['Europe', 'Asia', 'Africa', 'Americas'];
const TYPES = { '.html': 'text/html; charset=utf-8', '.css': 'text/css', '.js': 'text/javascript',
  '.json': 'application/json', '.xml': 'application/xml' };

let site; let browser; const servers = []; const outs = [];

/** A deterministic word list: syllables make thousands of distinct words. */
function word(i) {
  const syl = ['ka', 'lo', 'mi', 'ne', 'ru', 'sa', 'te', 'vo', 'bri', 'dan', 'fel', 'gor', 'hul', 'jen', 'pra', 'tos'];
  return syl[i % 16] + syl[(i >> 4) % 16] + syl[(i >> 8) % 16];
}

/** Write the generated site: N articles in four sections plus two glossary stubs. */
function generate(root) {
  let seed = 11;
  const below = (n) => { seed = (seed * 1103515245 + 12345) % 2147483648; return seed % n; };
  const common = ['the', 'and', 'of', 'policy', 'treaty', 'trade', 'council'];
  const file = (rel, text) => { mkdirSync(join(root, rel, '..'), { recursive: true }); writeFileSync(join(root, rel), text); };
  file('config.toml', 'base_url = "https://example.org"\ntitle = "Generated"\ntheme = "default"\nsite_search = true\n'
    + 'default_language = "en"\n[correct]\nenabled = false\n');
  cpSync(join(REPO, 'themes', 'default'), join(root, 'themes', 'default'), { recursive: true });
  file('content/_index.md', '+++\ntitle = "Home"\n+++\n');
  for (const s of [...SECTIONS, 'Glossary']) file(`content/${s.toLowerCase()}/_index.md`, `+++\ntitle = "${s}"\n+++\n`);
  for (let i = 0; i < N; i++) {
    const words = i === DEEP ? 3000 : 300 + below(500);
    const parts = [];
    for (let k = 0; k < words; k++) {
      parts.push(below(3) === 0 ? common[below(common.length)] : word(below(4096)));
      if (k % 120 === 119) parts.push('.\n\n');
    }
    if (i === DEEP) parts.push(`.\n\nThe last paragraph names ${DEEP_WORD} once.`);
    const s = SECTIONS[i % 4].toLowerCase();
    const date = `2025-${String(i % 12 + 1).padStart(2, '0')}-${String(i % 28 + 1).padStart(2, '0')}`;
    file(`content/${s}/a${i}.md`, `+++\ntitle = "Article ${i} on ${word(i)}"\ndate = ${date}\n+++\n${parts.join(' ')}\n`);
  }
  // A stub and a full explainer with the same title word: the explainer first.
  file('content/glossary/veto.md', '+++\ntitle = "Veto"\ndate = 2025-01-01\n+++\nA veto blocks a decision.\n');
  const long = Array.from({ length: 40 }, (_, k) => `The council debated the veto again in session ${word(k)}.`).join('\n\n');
  file('content/europe/the-council-veto.md', `+++\ntitle = "How the council veto works"\ndate = 2025-02-02\n+++\n${long}\n`);
}

/** A static server for `dir` mounted at `prefix` ('' or '/sub'). */
async function serve(dir, prefix) {
  const server = createServer((req, res) => {
    let path = decodeURIComponent(new URL(req.url, 'http://x').pathname);
    if (!path.startsWith(prefix + '/')) { res.writeHead(404).end(); return; }
    path = path.slice(prefix.length);
    let file = normalize(join(dir, path));
    if (!file.startsWith(dir)) { res.writeHead(403).end(); return; }
    if (existsSync(file) && statSync(file).isDirectory()) file = join(file, 'index.html');
    if (!existsSync(file)) { res.writeHead(404).end(); return; }
    res.writeHead(200, { 'content-type': TYPES[extname(file)] || 'application/octet-stream' });
    res.end(readFileSync(file));
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  servers.push(server);
  return `http://127.0.0.1:${server.address().port}${prefix}`;
}

/** Build the site for `origin` (with its sub-path) and serve it. */
async function buildAndServe(prefix) {
  const out = mkdtempSync(join(tmpdir(), 'attache-search-out-'));
  outs.push(out);
  const origin = await serve(out, prefix);
  const built = await run(['build', '--quiet', '--root', site, '-o', out, '--base-url', `${origin}/`]);
  assert.equal(built.code, 0, built.stderr);
  return origin;
}

before(async () => {
  site = mkdtempSync(join(tmpdir(), 'attache-search-site-'));
  generate(site);
  browser = await launch();
});

after(async () => {
  await browser?.close();
  for (const s of servers) s.close();
  if (site) rmSync(site, { recursive: true, force: true });
  for (const out of outs) rmSync(out, { recursive: true, force: true });
});

/** Open the search page, recording every response's size and any error. */
async function open(origin) {
  const page = await browser.newPage();
  page.problems = [];
  page.indexBytes = 0;
  page.on('pageerror', (e) => page.problems.push(e.message));
  page.on('console', (m) => {
    if (m.type() === 'error' && !/Failed to load resource/.test(m.text())) page.problems.push(m.text());
  });
  page.on('response', async (r) => {
    if (r.status() >= 400 && !r.url().endsWith('/favicon.ico')) page.problems.push(`${r.status()}: ${r.url()}`);
    if (r.url().includes('/search-index/')) {
      const body = await r.body().catch(() => Buffer.alloc(0));
      page.indexBytes += body.length;
    }
  });
  await page.goto(`${origin}/search/`);
  return page;
}

async function query(page, q) {
  page.indexBytes = 0;
  await page.fill('#search-input', q);
  await page.waitForFunction((text) => (document.getElementById('search-status').textContent || '').includes(text), q);
  await page.waitForTimeout(200); // late responses still count
  return page.indexBytes;
}

for (const prefix of ['', '/sub']) {
  test(`search${prefix ? ' under ' + prefix : ''}: a word deep in one of ${N} articles, with section and date, under 300 KB`, async () => {
    const origin = await buildAndServe(prefix);
    const page = await open(origin);
    assert.equal(page.indexBytes, 0, 'nothing of the index loads before a query');
    const bytes = await query(page, DEEP_WORD);
    const first = page.locator('#search-results li').first();
    assert.equal(await first.locator('a').getAttribute('href'), `${prefix}/${SECTIONS[DEEP % 4].toLowerCase()}/a${DEEP}/`);
    const meta = await first.locator('.search-meta').textContent();
    assert.match(meta, new RegExp(SECTIONS[DEEP % 4]));
    assert.equal(await first.locator('time').getAttribute('datetime'), `2025-${String(DEEP % 12 + 1).padStart(2, '0')}-${String(DEEP % 28 + 1).padStart(2, '0')}`);
    assert.ok(bytes > 0 && bytes <= 300 * 1024, `the query loaded ${bytes} bytes`);

    // Common words, several at once: still within the budget, each query on its own.
    for (const q of ['the council', 'policy treaty trade', 'ka']) {
      const b = await query(page, q);
      assert.ok(b <= 300 * 1024, `"${q}" loaded ${b} bytes`);
      assert.ok(await page.locator('#search-results li').count() > 0, `"${q}" finds pages`);
    }

    // The explainer above the stub of the same word.
    await query(page, 'veto');
    const titles = await page.locator('#search-results li > a').allTextContents();
    assert.deepEqual(titles.slice(0, 2), ['How the council veto works', 'Veto']);
    mkdirSync(SHOTS, { recursive: true });
    await page.screenshot({ path: join(SHOTS, `search-2000${prefix.replace('/', '-')}.png`) });

    // A click on the result opens the article.
    await query(page, DEEP_WORD);
    await page.locator('#search-results li a').first().click();
    await page.waitForURL(`${origin}/${SECTIONS[DEEP % 4].toLowerCase()}/a${DEEP}/`);
    assert.deepEqual(page.problems, []);
    await page.close();
  });
}
