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
// == end: search ==

// == section: tests ==
// == end: tests ==
