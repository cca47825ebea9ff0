// Progressive enhancement only: every page works without JavaScript.

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
// The CMO filter hides the matrix's listed configurations and the full table's rows that do not
// match the chosen theory, theme and status, and counts again what each cell and tracer shows.
// Following a link into a closed tracer group opens it (browsers without find-in-page expansion).
(function () {
  function openTarget() {
    var id;
    try {
      id = decodeURIComponent(location.hash.slice(1));
    } catch (e) {
      return;
    }
    var el = id && document.getElementById(id);
    var group = el && el.closest && el.closest('details');
    if (group && !group.open) {
      group.open = true;
      el.scrollIntoView();
    }
  }
  window.addEventListener('hashchange', openTarget);
  openTarget();

  var form = document.querySelector('.cmo-filter');
  if (!form) return;
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
  function plural(n) {
    return n + ' configuration' + (n === 1 ? '' : 's');
  }
  function shownIn(root, seen) {
    var n = 0;
    root.querySelectorAll('li[data-status]').forEach(function (li) {
      var a = li.querySelector('a[href]');
      var key = a ? a.getAttribute('href') : '';
      if (li.hidden || (seen && seen[key])) return;
      if (seen) seen[key] = true;
      n++;
    });
    return n;
  }
  function recount() {
    document.querySelectorAll('ul[data-cell]').forEach(function (list) {
      var n = shownIn(list);
      var link = document.querySelector('a.cell-link[href="#' + list.getAttribute('data-cell') + '"]');
      if (link) link.querySelector('.cell-count').textContent = n;
      var heading = document.getElementById(list.getAttribute('data-cell'));
      var c = heading && heading.querySelector('.group-count');
      if (c) c.textContent = n;
    });
    document.querySelectorAll('.tracer-group').forEach(function (g) {
      var c = g.querySelector('summary .group-count');
      if (c) c.textContent = shownIn(g, {});
    });
  }
  function apply() {
    var seen = {};
    var shown = 0;
    var filtering = false;
    selects.forEach(function (s) { if (s.value) filtering = true; });
    items.forEach(function (el) {
      var ok = matches(el);
      el.hidden = !ok;
      var a = el.querySelector('a[href]');
      var key = a ? a.getAttribute('href') : '';
      if (ok && !seen[key]) {
        seen[key] = true;
        shown++;
      }
    });
    document.querySelector('main').classList.toggle('filtering', filtering);
    recount();
    count.textContent = plural(shown) + ' shown.';
  }
  selects.forEach(function (s) { s.addEventListener('change', apply); });
})();
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
      // On a narrow screen the header's box is inside the closed menu disclosure: open it first,
      // since a box in a closed <details> cannot take focus.
      var menu = box.closest('details');
      if (menu && !menu.open) menu.open = true;
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

// == section: cite ==
// "Copy citation" copies the citation as text. The button is shown only where the clipboard API
// is there (it needs a secure context), so without it, or without JavaScript, no button that
// cannot work is offered; the status region beside it announces the result.
(function () {
  if (!navigator.clipboard || !window.isSecureContext) return;
  document.querySelectorAll('.cite-copy').forEach(function (button) {
    var source = document.getElementById(button.getAttribute('data-copy'));
    var status = button.parentNode.querySelector('.cite-status');
    if (!source || !status) return;
    button.parentNode.hidden = false;
    button.addEventListener('click', function () {
      var text = source.textContent.replace(/\s+/g, ' ').trim();
      navigator.clipboard.writeText(text).then(function () {
        status.textContent = 'Copied';
      }, function () {
        status.textContent = 'Could not copy: select the citation and copy it instead';
      });
      setTimeout(function () { status.textContent = ''; }, 4000);
    });
  });
})();
// == end: cite ==

// == section: meta ==
// == end: meta ==

// == section: exports ==
// == end: exports ==

// == section: pdf ==
// == end: pdf ==

// == section: rameses ==
// == end: rameses ==
