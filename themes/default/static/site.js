// Progressive enhancement only: every page works without JavaScript.

// == section: nav ==
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
// == end: search ==

// == section: tests ==
// == end: tests ==
