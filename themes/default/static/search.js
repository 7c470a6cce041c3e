// Site search over the chunked index `attache build` writes to
// search-index/LANG/ (see src/render/search.rs). Loaded only by the search
// page; nothing is fetched until the reader types. A query fetches meta.json
// (which term chunk holds which words), the chunk of each query word, and
// the records of the pages shown — within the index's byte budget (300 KB),
// whatever the size of the site. No library, no external request.
//
// Words are folded as the index folds them: lower case, compatibility forms,
// accents off Latin letters, ё as е, Chinese and Japanese as character
// pairs. Every query word must match (by prefix: "sanc" finds "sanctions");
// scores were fixed at build time (title > headings > description > body,
// full explainers above stubs) and add up across words.
(function () {
  var form = document.getElementById('search-form');
  var input = document.getElementById('search-input');
  var list = document.getElementById('search-results');
  var status = document.getElementById('search-status');
  if (!form || !input || !list || !status) return;
  var metaUrl = form.getAttribute('data-index');
  var base = metaUrl.slice(0, metaUrl.lastIndexOf('/') + 1);
  var SHOWN = 20;
  var meta = null;
  var cache = {}; // url -> parsed JSON (a promise while loading)
  var loaded = 0; // bytes fetched so far (a query may add at most meta.budget)
  window.attacheSearch = { bytes: function () { return loaded; } };

  function isCjk(c) {
    var n = c.codePointAt(0);
    return (n >= 0x3040 && n <= 0x30FF) || (n >= 0x31F0 && n <= 0x31FF) || (n >= 0x3400 && n <= 0x4DBF) ||
      (n >= 0x4E00 && n <= 0x9FFF) || (n >= 0xF900 && n <= 0xFAFF) || (n >= 0xFF66 && n <= 0xFF9F) ||
      (n >= 0x20000 && n <= 0x2FFFF);
  }
  var WORD = /[\p{Alphabetic}\p{N}\p{M}]/u;

  function fold(w) {
    if (/^[\x00-\x7f]*$/.test(w)) return w.toLowerCase();
    return w.toLowerCase().normalize('NFKD').replace(/([a-zA-Z])\p{M}+/gu, '$1').normalize('NFC').replace(/ё/g, 'е');
  }

  // The index's terms of `text` (src/render/search.rs `terms`).
  function terms(text) {
    var out = [], word = '', cjk = [];
    function flushWord() {
      if (!word) return;
      var w = fold(word), n = Array.from(w).length;
      if (n >= 2 && n <= 40) out.push(w);
      word = '';
    }
    function flushCjk() {
      if (cjk.length === 1) out.push(cjk[0]);
      for (var i = 0; i + 1 < cjk.length; i++) out.push(cjk[i] + cjk[i + 1]);
      cjk = [];
    }
    Array.from(text).forEach(function (c) {
      if (isCjk(c)) { flushWord(); cjk.push(c); return; }
      if (cjk.length) flushCjk();
      if (WORD.test(c)) word += c; else flushWord();
    });
    flushWord();
    flushCjk();
    return out;
  }

  // English plurals: "sanctions" also finds "sanction", "sanctioned".
  function stem(t) {
    if (meta && /^en/.test(meta.lang) && t.length > 4 && /s$/.test(t) && !/ss$/.test(t)) return t.slice(0, -1);
    return t;
  }

  function get(url) {
    if (!cache[url]) {
      cache[url] = fetch(url).then(function (r) {
        if (!r.ok) throw new Error(url + ': ' + r.status);
        return r.text();
      }).then(function (text) {
        loaded += new TextEncoder().encode(text).length;
        return JSON.parse(text);
      });
    }
    return cache[url];
  }

  // `a <= b` in code point order, the order of the index (UTF-8 bytes);
  // JS's own `<=` compares UTF-16 units, which differs past U+FFFF.
  function atMost(a, b) {
    var x = Array.from(a), y = Array.from(b);
    for (var i = 0; i < x.length && i < y.length; i++) {
      var p = x[i].codePointAt(0), q = y[i].codePointAt(0);
      if (p !== q) return p < q;
    }
    return x.length <= y.length;
  }

  // The chunk whose range holds `t`: the last whose first term is <= t.
  function chunkOf(t) {
    var lo = 0, hi = meta.terms.length - 1, k = 0;
    while (lo <= hi) {
      var mid = (lo + hi) >> 1;
      if (atMost(meta.terms[mid][0], t)) { k = mid; lo = mid + 1; } else hi = mid - 1;
    }
    return k;
  }

  // Which term chunks to fetch for `words`: each word's own chunk first,
  // then (prefix matches) the chunks after it that still start with the
  // word, while the budget lasts; what was fetched already is free.
  function plan(words, budget) {
    var want = [], spent = 0;
    function take(k) {
      if (want.indexOf(k) >= 0) return true;
      var url = base + 't/' + k + '.json';
      var cost = cache[url] ? 0 : meta.terms[k][1];
      if (spent + cost > budget) return false;
      spent += cost;
      want.push(k);
      return true;
    }
    var first = words.map(chunkOf);
    var usable = words.filter(function (w, i) { return take(first[i]); });
    words.forEach(function (w, i) {
      for (var k = first[i] + 1, extra = 0; k < meta.terms.length && extra < 2; k++, extra++) {
        if (meta.terms[k][0].lastIndexOf(w, 0) !== 0 || !take(k)) break;
      }
    });
    return { chunks: want, words: usable };
  }

  // Page -> score for one word: its best-scoring term that starts with it.
  function matches(word, chunks) {
    var found = {};
    chunks.forEach(function (c) {
      for (var t in c) {
        if (t.lastIndexOf(word, 0) !== 0) continue;
        var p = c[t], d = 0;
        for (var i = 0; i < p.length; i += 2) {
          d += p[i];
          var s = t === word ? p[i + 1] * 2 : p[i + 1];
          if (!(found[d] >= s)) found[d] = s;
        }
      }
    });
    return found;
  }

  function search(query, start) {
    var words = [];
    terms(query).forEach(function (t) { t = stem(t); if (words.indexOf(t) < 0) words.push(t); });
    words = words.slice(0, 8);
    if (!words.length) return Promise.resolve({ words: [], hits: [] });
    // The records of the pages shown come last: keep room for them.
    var p = plan(words, meta.budget - (loaded - start) - SHOWN * meta.docmax);
    return Promise.all(p.chunks.map(function (k) { return get(base + 't/' + k + '.json'); })).then(function (chunks) {
      var total = null;
      p.words.forEach(function (w) {
        var m = matches(w, chunks), next = {};
        if (total === null) { total = m; return; }
        for (var d in total) if (m[d] !== undefined) next[d] = total[d] + m[d];
        total = next;
      });
      var hits = Object.keys(total || {}).map(function (d) { return { d: +d, s: total[d] }; });
      hits.sort(function (a, b) { return b.s - a.s || a.d - b.d; });
      return { words: p.words, hits: hits, skipped: words.length - p.words.length };
    });
  }

  // The page's own words for the status line (data-t-* on the form, in the
  // page's language), with the plural form by the index's language rule.
  function plural(n) {
    var l = (meta.lang || '').split('-')[0], t = n % 10, h = n % 100;
    if (l === 'uk' || l === 'ru') return t === 1 && h !== 11 ? 'one' : t >= 2 && t <= 4 && (h < 12 || h > 14) ? 'few' : 'many';
    return n === 1 ? 'one' : 'many';
  }
  function say(key, v) {
    return (form.getAttribute('data-t-' + key) || '').replace(/\{(\w+)\}/g, function (_, x) { return v[x]; });
  }

  function formatDate(iso) {
    var d = new Date(iso + 'T00:00:00Z');
    if (isNaN(d)) return iso;
    try {
      return d.toLocaleDateString(meta.lang, { year: 'numeric', month: 'long', day: 'numeric', timeZone: 'UTC' });
    } catch (e) { return iso; }
  }

  function render(query, result) {
    list.textContent = '';
    var hits = result.hits.slice(0, SHOWN);
    var files = [];
    hits.forEach(function (h) {
      var url = base + 'd/' + Math.floor(h.d / meta.per) + '.json';
      if (files.indexOf(url) < 0) files.push(url);
    });
    return Promise.all(files.map(get)).then(function () { return Promise.all(hits.map(function (h) {
      return get(base + 'd/' + Math.floor(h.d / meta.per) + '.json').then(function (c) { return c[h.d % meta.per]; });
    })); }).then(function (docs) {
      if (input.value.trim() !== query) return;
      var n = result.hits.length;
      status.textContent = say(n === 0 ? 'none' : n > SHOWN ? 'top' : plural(n), { q: query, n: n, shown: SHOWN });
      docs.forEach(function (e) {
        if (!e) return;
        var li = document.createElement('li');
        var a = document.createElement('a');
        a.href = e[0];
        a.textContent = e[1];
        li.appendChild(a);
        if (e[2] || e[3]) {
          var info = document.createElement('p');
          info.className = 'search-meta';
          if (e[2]) {
            var s = document.createElement('span');
            s.className = 'search-section';
            s.textContent = e[2];
            info.appendChild(s);
          }
          if (e[2] && e[3]) info.appendChild(document.createTextNode(' · '));
          if (e[3]) {
            var t = document.createElement('time');
            t.dateTime = e[3];
            t.textContent = formatDate(e[3]);
            info.appendChild(t);
          }
          li.appendChild(info);
        }
        if (e[4]) {
          var d = document.createElement('p');
          d.textContent = e[4];
          li.appendChild(d);
        }
        list.appendChild(li);
      });
    });
  }

  var pending = 0;
  function run() {
    var q = input.value.trim();
    if (history.replaceState) history.replaceState(null, '', q ? '?q=' + encodeURIComponent(q) : location.pathname);
    if (!q) { list.textContent = ''; status.textContent = ''; return; }
    var ticket = ++pending, start = loaded;
    if (!meta) status.textContent = say('loading', {});
    get(metaUrl).then(function (m) {
      meta = m;
      return search(q, start);
    }).then(function (result) {
      if (ticket !== pending) return;
      return render(q, result);
    }).catch(function () {
      status.textContent = say('failed', {});
    });
  }

  form.addEventListener('submit', function (ev) { ev.preventDefault(); run(); });
  var timer = null;
  input.addEventListener('input', function () { clearTimeout(timer); timer = setTimeout(run, 150); });
  var initial = new URLSearchParams(location.search).get('q');
  if (initial) { input.value = initial; run(); }
})();
