// Attaché live reload: injected by `attache serve` into every served page
// (never into `attache build` output). Listens on a WebSocket for rebuilds,
// reloads the page when its file changed (keeping the scroll position),
// swaps stylesheets in place for CSS-only changes, and shows build errors in
// an overlay drawn in a shadow root so the theme's CSS cannot touch it.
(() => {
  'use strict';
  if (window.__attacheLive) return;
  window.__attacheLive = true;
  const SCROLL_KEY = 'attache-scroll:' + location.pathname;

  // Restore the scroll position saved before a live reload.
  const saved = sessionStorage.getItem(SCROLL_KEY);
  if (saved !== null) {
    sessionStorage.removeItem(SCROLL_KEY);
    const [x, y] = saved.split(',').map(Number);
    const restore = () => window.scrollTo(x, y);
    if (document.readyState === 'complete') restore();
    else window.addEventListener('load', restore);
  }

  function reload() {
    sessionStorage.setItem(SCROLL_KEY, `${window.scrollX},${window.scrollY}`);
    location.reload();
  }

  // The output file this page was served from: `/a/b/` → `a/b/index.html`.
  function ownFile() {
    let p = decodeURIComponent(location.pathname).replace(/^\/+/, '');
    if (p === '' || p.endsWith('/')) p += 'index.html';
    return p;
  }

  function swapCss(paths) {
    const stamp = Date.now();
    for (const link of document.querySelectorAll('link[rel~="stylesheet"]')) {
      const url = new URL(link.href, location.href);
      if (url.origin !== location.origin) continue;
      const file = decodeURIComponent(url.pathname).replace(/^\/+/, '');
      if (!paths.includes(file)) continue;
      url.searchParams.set('attache', String(stamp));
      // Load the new sheet beside the old one and drop the old one once it
      // has loaded, so the page never flashes unstyled.
      const next = link.cloneNode();
      next.href = url.toString();
      next.addEventListener('load', () => link.remove(), { once: true });
      next.addEventListener('error', () => next.remove(), { once: true });
      link.after(next);
    }
  }

  let overlay = null;
  function showErrors(errors) {
    hideErrors();
    const host = document.createElement('attache-error-overlay');
    host.style.cssText = 'all:initial;position:fixed;inset:0;z-index:2147483647;';
    const root = host.attachShadow({ mode: 'open' });
    const style = document.createElement('style');
    style.textContent = `
      .backdrop { position: fixed; inset: 0; background: rgba(20, 20, 24, .72); overflow: auto;
        font: 15px/1.45 system-ui, sans-serif; color: #f4f4f5; }
      .panel { max-width: 920px; margin: 6vh auto; background: #1d1d22; border-top: 6px solid #e5484d;
        border-radius: 8px; padding: 20px 24px; box-shadow: 0 12px 48px rgba(0,0,0,.5); }
      h1 { font-size: 18px; margin: 0 0 12px; color: #ff9592; }
      .where { font-family: ui-monospace, monospace; color: #a1a1aa; margin: 14px 0 4px; }
      .message { font-weight: 600; margin: 0 0 6px; }
      pre { background: #111114; padding: 12px; border-radius: 6px; overflow: auto; margin: 0;
        font: 13px/1.5 ui-monospace, monospace; color: #e4e4e7; white-space: pre; }
      .hint { color: #a1a1aa; font-size: 13px; margin-top: 16px; }
      button { float: right; background: none; border: 1px solid #52525b; color: #e4e4e7;
        border-radius: 4px; cursor: pointer; padding: 2px 10px; }`;
    const backdrop = document.createElement('div');
    backdrop.className = 'backdrop';
    const panel = document.createElement('div');
    panel.className = 'panel';
    panel.setAttribute('role', 'alertdialog');
    panel.setAttribute('aria-label', 'Build error');
    const close = document.createElement('button');
    close.textContent = 'Hide';
    close.addEventListener('click', hideErrors);
    const h1 = document.createElement('h1');
    h1.textContent = errors.length === 1 ? 'The site failed to build' : `The site failed to build (${errors.length} errors)`;
    panel.append(close, h1);
    for (const e of errors) {
      const where = document.createElement('div');
      where.className = 'where';
      where.textContent = e.line ? `${e.file}:${e.line}:${e.col}` : e.file;
      const msg = document.createElement('p');
      msg.className = 'message';
      msg.textContent = `${e.code}: ${e.message}`;
      const pre = document.createElement('pre');
      pre.textContent = e.excerpt;
      panel.append(where, msg, pre);
    }
    const hint = document.createElement('p');
    hint.className = 'hint';
    hint.textContent = 'Still showing the last good build. Fix the file and save: this page reloads by itself.';
    panel.append(hint);
    backdrop.append(panel);
    root.append(style, backdrop);
    document.documentElement.append(host);
    overlay = host;
  }
  function hideErrors() {
    if (overlay) overlay.remove();
    overlay = null;
  }

  // The corrector's findings for this page: a pill in the corner, and a
  // panel in the overlay's style, opened or closed with a click (remembered).
  const FINDINGS_KEY = 'attache-findings-open';
  let findingsHost = null;
  function showFindings() {
    fetch('/__attache/corrections?page=' + encodeURIComponent(ownFile()), { cache: 'no-store' })
      .then((r) => r.json())
      .then((data) => {
        if (findingsHost) findingsHost.remove();
        findingsHost = null;
        if (!data || !data.findings.length) return;
        const host = document.createElement('attache-findings');
        host.style.cssText = 'all:initial;position:fixed;right:16px;bottom:16px;z-index:2147483646;';
        const root = host.attachShadow({ mode: 'open' });
        const style = document.createElement('style');
        style.textContent = `
          button { font: 600 13px system-ui, sans-serif; background: #1d1d22; color: #f4f4f5;
            border: 1px solid #3f3f46; border-top: 3px solid #f5a524; border-radius: 6px;
            padding: 6px 12px; cursor: pointer; box-shadow: 0 4px 16px rgba(0,0,0,.35); }
          .panel { width: min(560px, 90vw); max-height: 60vh; overflow: auto; background: #1d1d22;
            color: #f4f4f5; border-radius: 8px; border-top: 4px solid #f5a524; padding: 12px 16px;
            margin-bottom: 8px; font: 14px/1.4 system-ui, sans-serif; box-shadow: 0 8px 32px rgba(0,0,0,.45); }
          .panel[hidden] { display: none; }
          .where { font: 12px ui-monospace, monospace; color: #a1a1aa; margin-top: 10px; }
          .change { font-family: ui-monospace, monospace; }
          del { color: #ff9592; } ins { color: #86efac; text-decoration: none; }
          .reason { color: #d4d4d8; font-size: 13px; }`;
        const panel = document.createElement('div');
        panel.className = 'panel';
        panel.hidden = localStorage.getItem(FINDINGS_KEY) !== 'open';
        const title = document.createElement('strong');
        title.textContent = `Corrector findings in ${data.file}`;
        panel.append(title);
        for (const f of data.findings) {
          const where = document.createElement('div');
          where.className = 'where';
          where.textContent = `${data.file}:${f.line}:${f.col} · ${f.rule} · ${f.applied ? 'applied' : 'suggested'}`;
          const change = document.createElement('div');
          change.className = 'change';
          const del = document.createElement('del');
          del.textContent = f.before;
          const ins = document.createElement('ins');
          ins.textContent = f.after;
          change.append(del, ' → ', ins);
          const reason = document.createElement('div');
          reason.className = 'reason';
          reason.textContent = f.reason;
          panel.append(where, change, reason);
        }
        const pill = document.createElement('button');
        // Suggestions (all restorations in suggest mode) are what waits for an editor.
        const toReview = data.findings.filter((f) => !f.applied).length;
        pill.textContent = `${data.findings.length} corrector finding${data.findings.length === 1 ? '' : 's'}`
          + (toReview ? ` · ${toReview} to review` : '');
        pill.addEventListener('click', () => {
          panel.hidden = !panel.hidden;
          localStorage.setItem(FINDINGS_KEY, panel.hidden ? 'closed' : 'open');
        });
        const wrap = document.createElement('div');
        wrap.style.cssText = 'display:flex;flex-direction:column;align-items:flex-end;';
        wrap.append(panel, pill);
        root.append(style, wrap);
        document.documentElement.append(host);
        findingsHost = host;
      })
      .catch(() => {});
  }

  let version = null;
  let delay = 250;
  function handle(msg) {
    if (msg.type === 'hello') {
      // After a reconnect (server restarted or rebuilt meanwhile), catch up.
      if (version !== null && msg.version !== version) reload();
      version = msg.version;
      fetch('/__attache/status', { cache: 'no-store' })
        .then((r) => r.json())
        .then((s) => { if (s.errors) showErrors(s.errors); else hideErrors(); })
        .catch(() => {});
      showFindings();
      return;
    }
    if (msg.type === 'error') { showErrors(msg.errors); return; }
    version = msg.version;
    if (msg.type === 'css') { swapCss(msg.paths); return; }
    if (msg.type === 'reload') {
      const own = ownFile();
      const other = (p) => !/\.(html|xml|css|txt)$/.test(p);
      if (msg.all || msg.changed.includes(own) || msg.removed.includes(own)
        || msg.changed.some(other) || msg.removed.some(other)) {
        reload();
      } else {
        hideErrors();
      }
    }
  }

  function connect() {
    const ws = new WebSocket(`${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/__attache/ws`);
    ws.addEventListener('open', () => { delay = 250; });
    ws.addEventListener('message', (e) => {
      try { handle(JSON.parse(e.data)); } catch (_) { /* a malformed message changes nothing */ }
    });
    ws.addEventListener('close', () => {
      setTimeout(connect, delay);
      delay = Math.min(delay * 2, 5000);
    });
  }
  connect();
})();
