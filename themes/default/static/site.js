// Progressive enhancement only: every page works without JavaScript.
// The CMO filter hides rows and matrix entries that do not match the chosen theory, theme and status.
(function () {
  var form = document.querySelector('.cmo-filter');
  if (!form) return;
  form.hidden = false;
  var selects = form.querySelectorAll('select[data-filter]');
  var items = document.querySelectorAll('[data-status]');
  var count = form.querySelector('.filter-count');
  function matches(el) {
    for (var i = 0; i < selects.length; i++) {
      var want = selects[i].value;
      if (!want) continue;
      var have = (el.getAttribute('data-' + selects[i].getAttribute('data-filter')) || '').split(' ');
      if (have.indexOf(want) < 0) return false;
    }
    return true;
  }
  function apply() {
    var shown = 0;
    items.forEach(function (el) {
      var ok = matches(el);
      el.hidden = !ok;
      if (ok && el.tagName === 'TR') shown++;
    });
    count.textContent = shown + ' configuration' + (shown === 1 ? '' : 's') + ' shown.';
  }
  selects.forEach(function (s) { s.addEventListener('change', apply); });
})();

// == section: nav ==
// == end: nav ==

// == section: findings ==
// == end: findings ==

// == section: matrix ==
// == end: matrix ==

// == section: search ==
// "/" jumps to search from any page: to the search box of this page (the search page's, else the
// header's #site-search), or else to the search page, which then focuses its box. Never while
// typing in a field or with a modifier key. A shortcut of one character must be possible to
// turn off (WCAG 2.1.4): the search page has a checkbox that stores "off" in localStorage.
(function () {
  var KEY = 'realist-search-shortcut';
  function off() {
    try { return localStorage.getItem(KEY) === 'off'; } catch (e) { return false; }
  }
  function typing(el) {
    var tag = el && el.tagName;
    return !!el && (el.isContentEditable || tag === 'INPUT' || tag === 'TEXTAREA' || tag === 'SELECT');
  }
  document.addEventListener('keydown', function (e) {
    if (e.key !== '/' || e.ctrlKey || e.metaKey || e.altKey || e.defaultPrevented) return;
    if (typing(e.target) || off()) return;
    var box = document.getElementById('search-input') || document.getElementById('site-search');
    if (box) {
      e.preventDefault();
      box.focus();
      if (box.select) box.select();
      return;
    }
    var link = document.querySelector('a[href$="search/"]');
    if (link) {
      e.preventDefault();
      location.href = new URL('#search-input', link.href).href;
    }
  });
})();
// == end: search ==

// == section: tests ==
// == end: tests ==
