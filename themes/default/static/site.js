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
// The header menu and the "On this page" contents are <details> elements that the stylesheet
// shows open on wide screens; a browser that cannot (no ::details-content) gets them opened here.
// Escape closes the open menu on a phone and gives its button the focus back.
(function () {
  var wide = window.matchMedia('(min-width: 60em)');
  var shows = window.CSS && CSS.supports && CSS.supports('selector(::details-content)');
  if (!shows) {
    if (wide.matches) document.querySelectorAll('.site-menu').forEach(function (d) { d.open = true; });
    if (window.matchMedia('(min-width: 70em)').matches) {
      document.querySelectorAll('.toc-details').forEach(function (d) { d.open = true; });
    }
    return;
  }
  var menu = document.querySelector('.site-menu');
  if (!menu) return;
  document.addEventListener('keydown', function (e) {
    if (e.key !== 'Escape' || !menu.open || !menu.contains(document.activeElement)) return;
    menu.open = false;
    menu.querySelector('summary').focus();
  });
})();
// The contents mark the section being read (aria-current="location"), as the reader scrolls.
(function () {
  var links = document.querySelectorAll('.toc a[href^="#"]');
  if (!links.length || !('IntersectionObserver' in window)) return;
  var byId = {};
  var targets = [];
  links.forEach(function (a) {
    var el = document.getElementById(decodeURIComponent(a.getAttribute('href').slice(1)));
    if (el) { byId[el.id] = a; targets.push(el); }
  });
  var current = null;
  var observer = new IntersectionObserver(function (entries) {
    entries.forEach(function (e) {
      if (!e.isIntersecting) return;
      if (current) current.removeAttribute('aria-current');
      current = byId[e.target.id];
      current.setAttribute('aria-current', 'location');
    });
  }, { rootMargin: '0px 0px -70% 0px' });
  targets.forEach(function (t) { observer.observe(t); });
})();
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
