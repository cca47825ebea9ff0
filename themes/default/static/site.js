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
// == end: search ==

// == section: tests ==
// == end: tests ==
