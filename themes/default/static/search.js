// Site search: loads search_index.json (written by `attache build`) from the
// same site and ranks pages in the browser. No library, no external request.
// Ranking: a query word found in the title counts most, then the headings,
// the description, then the body; a word matches by prefix ("sanc" finds
// "sanctions"), and pages must match every word of the query.
(function () {
  var form = document.getElementById('search-form');
  var input = document.getElementById('search-input');
  var list = document.getElementById('search-results');
  var status = document.getElementById('search-status');
  if (!form || !input || !list || !status) return;
  var indexUrl = form.getAttribute('data-index');
  var entries = null;

  function words(text) {
    return text.toLowerCase().split(/[^\p{L}\p{N}]+/u).filter(function (w) { return w.length > 1; });
  }

  function prepare(raw) {
    return raw.map(function (e) {
      return { e: e, t: words(e.t), h: words(e.h.join(' ')), d: words(e.d), w: e.w.split(' ') };
    });
  }

  function hit(list, q) {
    for (var i = 0; i < list.length; i++) if (list[i].lastIndexOf(q, 0) === 0) return true;
    return false;
  }

  function score(p, terms) {
    var total = 0;
    for (var i = 0; i < terms.length; i++) {
      var q = terms[i], s = 0;
      if (hit(p.t, q)) s += 10;
      if (hit(p.h, q)) s += 5;
      if (hit(p.d, q)) s += 3;
      if (hit(p.w, q)) s += 1;
      if (s === 0) return 0;
      total += s;
    }
    return total;
  }

  function show(query) {
    var terms = words(query);
    list.textContent = '';
    if (!terms.length) { status.textContent = ''; return; }
    var found = entries
      .map(function (p) { return { p: p, s: score(p, terms) }; })
      .filter(function (r) { return r.s > 0; })
      .sort(function (a, b) { return b.s - a.s; })
      .slice(0, 20);
    status.textContent = found.length === 0 ? 'No explainer matches “' + query + '”.'
      : found.length + (found.length === 1 ? ' result' : ' results') + ' for “' + query + '”.';
    found.forEach(function (r) {
      var li = document.createElement('li');
      var a = document.createElement('a');
      a.href = r.p.e.u;
      a.textContent = r.p.e.t;
      li.appendChild(a);
      if (r.p.e.d) {
        var d = document.createElement('p');
        d.textContent = r.p.e.d;
        li.appendChild(d);
      }
      list.appendChild(li);
    });
  }

  function run() {
    var q = input.value.trim();
    if (history.replaceState) history.replaceState(null, '', q ? '?q=' + encodeURIComponent(q) : location.pathname);
    if (entries) { show(q); return; }
    status.textContent = 'Loading the index…';
    fetch(indexUrl).then(function (r) {
      if (!r.ok) throw new Error(r.status);
      return r.json();
    }).then(function (raw) {
      entries = prepare(raw);
      show(input.value.trim());
    }).catch(function () {
      status.textContent = 'The search index could not be loaded.';
    });
  }

  form.addEventListener('submit', function (ev) { ev.preventDefault(); run(); });
  var timer = null;
  input.addEventListener('input', function () { clearTimeout(timer); timer = setTimeout(run, 120); });
  var initial = new URLSearchParams(location.search).get('q');
  if (initial) { input.value = initial; run(); }
})();
