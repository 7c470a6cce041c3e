// Dark-mode toggle. Runs in <head> so a stored choice applies before the first
// paint (no flash of the wrong scheme); the button is wired once the page exists.
// Without JavaScript the site simply follows prefers-color-scheme.
(function () {
  var root = document.documentElement;
  var stored = null;
  try { stored = localStorage.getItem('attache-theme'); } catch (e) { /* storage may be off */ }
  if (stored === 'dark' || stored === 'light') root.setAttribute('data-theme', stored);

  function isDark() {
    var pinned = root.getAttribute('data-theme');
    if (pinned) return pinned === 'dark';
    return window.matchMedia('(prefers-color-scheme: dark)').matches;
  }

  document.addEventListener('DOMContentLoaded', function () {
    var button = document.querySelector('.theme-toggle');
    if (!button) return;
    var sync = function () { button.setAttribute('aria-pressed', String(isDark())); };
    button.hidden = false;
    sync();
    button.addEventListener('click', function () {
      var next = isDark() ? 'light' : 'dark';
      root.setAttribute('data-theme', next);
      try { localStorage.setItem('attache-theme', next); } catch (e) { /* keep it for this page only */ }
      sync();
    });
  });
})();
