// The search page: a small accessible interface on Pagefind's JavaScript API. Everything is
// served with the site (pagefind/ beside static/): nothing loads from another host.
//
// 1. Load Pagefind from the site root (data-root="../"), never from a built-in path, so the same
//    files work at / and at /research/hsca12/.
// 2. Build one group of checkboxes per filter (kind, study, tracer …) from pagefind.filters(),
//    with the number of pages for each value.
// 3. Read the query and the ticked values from the URL (?q=…&kind=…), so a search can be linked,
//    and write them back to it on every change.
// 4. Search: values ticked in one group widen the results (any of them), groups narrow them (all
//    groups). A search with filters and no words lists every page that matches the filters.
// 5. Show one result per page: its title, kind and an excerpt from its best-matching section,
//    linked to that section when it is not the top of the page; announce the count in the live
//    region.
(function () {
  'use strict';
  var box = document.querySelector('[data-search]');
  if (!box) return;
  var form = box.querySelector('form');
  var input = box.querySelector('input[type="search"]');
  var status = box.querySelector('[role="status"]');
  var list = box.querySelector('.search-results');
  var more = box.querySelector('.search-more');
  var fallback = box.querySelector('.search-fallback');
  var panel = box.querySelector('.search-filters');
  var groups = box.querySelector('.search-filter-groups');
  var clear = box.querySelector('.search-clear');
  var chosenCount = box.querySelector('.search-chosen');
  // Full same-origin URLs, never a bare path: a path that starts with `//` would be read as
  // another host.
  var root = new URL(box.getAttribute('data-root') || './', document.baseURI);
  var here = function (path) { return new URL(path, root).href; };
  // The filters the site defines, in order, with their labels: the template's empty fieldsets.
  var FILTERS = [].map.call(box.querySelectorAll('fieldset[data-filter]'), function (set) {
    return [set.getAttribute('data-filter'), set.querySelector('legend').textContent, set];
  });
  var PAGE = 10;
  var pagefind = null;
  var loading = null;
  var results = [];
  var shown = 0;
  var current = null;
  var generation = 0;

  function load() {
    if (!loading) {
      loading = import(here('pagefind/pagefind.js')).then(function (pf) {
        return Promise.resolve(pf.options({ basePath: here('pagefind/'), baseUrl: here('./'), excerptLength: 24 }))
          .then(function () { pagefind = pf; return pf; });
      });
    }
    return loading;
  }

  function say(text) { status.textContent = text; }

  // Pagefind's excerpts are the page's text with `<` and `>` escaped (&lt; &gt;) and <mark>
  // around the matches; titles are plain text. Undo exactly that escaping, as text: the excerpt is
  // never inserted as HTML.
  function decode(text) {
    return text.replace(/&lt;/g, '<').replace(/&gt;/g, '>');
  }

  function excerpt(text) {
    var p = document.createElement('p');
    p.className = 'search-excerpt';
    text.split(/(<mark>|<\/mark>)/).reduce(function (marked, part) {
      if (part === '<mark>') return true;
      if (part === '</mark>') return false;
      if (part) {
        var node = document.createTextNode(decode(part));
        if (marked) {
          var m = document.createElement('mark');
          m.appendChild(node);
          node = m;
        }
        p.appendChild(node);
      }
      return marked;
    }, false);
    return p;
  }

  function link(url, text) {
    var a = document.createElement('a');
    a.href = url;
    a.textContent = text;
    return a;
  }

  // The section with the most matches; null when that is the page's own top (its title or the
  // text before its first heading).
  function bestSection(data) {
    var best = null;
    (data.sub_results || []).forEach(function (s) {
      var n = (s.locations || []).length;
      if (!best || n > (best.locations || []).length) best = s;
    });
    if (!best || !best.anchor || best.anchor.element === 'h1' || !best.title) return null;
    if (best.url === data.url) return null;
    return best;
  }

  function item(data) {
    var li = document.createElement('li');
    li.className = 'search-result';
    var h = document.createElement('h2');
    var title = (data.meta && data.meta.title) || data.url;
    h.appendChild(link(data.url, title));
    li.appendChild(h);
    if (data.meta && data.meta.kind) {
      var kind = document.createElement('p');
      kind.className = 'search-kind';
      kind.textContent = data.meta.kind;
      li.appendChild(kind);
    }
    var section = bestSection(data);
    li.appendChild(excerpt((section && section.excerpt) || data.excerpt || ''));
    if (section) {
      var where = document.createElement('p');
      where.className = 'search-section';
      where.appendChild(document.createTextNode('In the section '));
      where.appendChild(link(section.url, section.title));
      li.appendChild(where);
    }
    return li;
  }

  function showMore(focus) {
    var batch = results.slice(shown, shown + PAGE);
    var mine = generation;
    return Promise.all(batch.map(function (r) { return r.data(); })).then(function (datas) {
      if (mine !== generation) return;
      var first = null;
      datas.forEach(function (d) {
        var li = item(d);
        first = first || li;
        list.appendChild(li);
      });
      shown += datas.length;
      more.hidden = shown >= results.length;
      if (focus && first) first.querySelector('a').focus();
      if (focus) say('Showing ' + shown + ' of ' + results.length + ' results.');
    });
  }

  // Pagefind answers a word that begins no indexed word with the longest indexed word that
  // begins it ("asdfgh" finds every "as", "xyzzy" every "x"), so a nonsense word would find pages.
  // The fallback applies to the whole index, so the best result tells: a word of the query counts
  // as found only if a matched word of that result shares enough of its beginning. Not all of it:
  // stemming matches "organisations" with "organised".
  function norm(word) {
    return word.toLowerCase().replace(/[^\p{L}\p{N}]/gu, '');
  }
  function common(a, b) {
    var i = 0;
    while (i < a.length && i < b.length && a[i] === b[i]) i++;
    return i;
  }
  function found(data, query) {
    var all = (data.content || '').split(/\s+/);
    var hits = (data.locations || []).map(function (i) { return norm(all[i] || ''); });
    return query.split(/\s+/).map(norm).filter(Boolean).every(function (w) {
      var need = Math.min(w.length, Math.max(3, Math.ceil(w.length * 0.45)));
      return hits.some(function (m) { return common(m, w) >= need; });
    });
  }

  // The ticked values, by filter name.
  function chosen() {
    var out = {};
    box.querySelectorAll('.search-filter-groups input:checked').forEach(function (c) {
      (out[c.name] = out[c.name] || []).push(c.value);
    });
    return out;
  }

  function state() {
    var filters = chosen();
    var key = JSON.stringify([input.value.trim(), filters]);
    return { query: input.value.trim(), filters: filters, key: key };
  }

  function remember(s) {
    var url = new URL(location.href);
    url.search = '';
    if (s.query) url.searchParams.set('q', s.query);
    FILTERS.forEach(function (f) {
      (s.filters[f[0]] || []).forEach(function (v) { url.searchParams.append(f[0], v); });
    });
    history.replaceState(null, '', url);
  }

  function describe(s, n) {
    var words = s.query ? ' for “' + s.query + '”' : '';
    var names = Object.keys(s.filters);
    var narrowed = names.length ? ', filtered by ' + names.map(function (name) {
      var f = FILTERS.filter(function (x) { return x[0] === name; })[0];
      return (f ? f[1] : name).toLowerCase() + ': ' + s.filters[name].join(' or ');
    }).join('; ') : '';
    if (!n) return 'No results' + words + narrowed + '. Try fewer or different words, or fewer filters.';
    return n + (n === 1 ? ' result' : ' results') + words + narrowed +
      (n > shown ? ', showing the first ' + shown + '.' : '.');
  }

  function run() {
    var s = state();
    if (s.key === current) return;
    current = s.key;
    var mine = ++generation;
    remember(s);
    if (clear) clear.hidden = !Object.keys(s.filters).length;
    showChosen(s.filters);
    if (!s.query && !Object.keys(s.filters).length) {
      list.textContent = '';
      more.hidden = true;
      say('');
      load().then(function (pf) { return pf.filters(); }).then(function (counts) {
        if (mine === generation) showCounts(counts);
      }).catch(function () {});
      return;
    }
    say('Searching…');
    var any = {};
    Object.keys(s.filters).forEach(function (k) { any[k] = { any: s.filters[k] }; });
    load().then(function (pf) {
      return pf.search(s.query || null, { filters: any });
    }).then(function (search) {
      if (mine !== generation) return;
      // The latest search always ends in a final status, never left at "Searching…".
      if (!search) { results = []; list.textContent = ''; more.hidden = true; say(describe(s, 0)); return; }
      results = search.results;
      shown = 0;
      list.textContent = '';
      more.hidden = true;
      if (!results.length) {
        showCounts(search.totalFilters);
        say(describe(s, 0));
        return;
      }
      return results[0].data().then(function (top) {
        if (mine !== generation) return;
        if (s.query && !found(top, s.query)) {
          results = [];
          showCounts({});
          say(describe(s, 0));
          return;
        }
        showCounts(search.totalFilters);
        return showMore(false).then(function () {
          if (mine === generation) say(describe(s, results.length));
        });
      });
    }).catch(function () {
      if (mine !== generation) return;
      say('Search could not be loaded.');
      fallback.hidden = false;
    });
  }

  // Writes beside each value the number of pages with it that match the words (whatever else is
  // ticked: Pagefind's counts under the current filters would show 0 for every other value of a
  // group whose values widen the search).
  function showCounts(counts) {
    box.querySelectorAll('.search-filter-groups input').forEach(function (c) {
      var n = (counts && counts[c.name] && counts[c.name][c.value]) || 0;
      var out = c.parentNode.querySelector('.search-count');
      if (out) out.textContent = '(' + n + ')';
    });
  }

  // Fills each filter's fieldset with a checkbox per value, ticked from the URL; a filter with
  // no values stays hidden.
  function buildFilters(all, wanted) {
    var made = 0;
    FILTERS.forEach(function (f, gi) {
      var values = Object.keys(all[f[0]] || {}).sort(function (a, b) { return a.localeCompare(b); });
      if (!values.length) return;
      var ul = f[2].querySelector('ul');
      values.forEach(function (v, vi) {
        var li = document.createElement('li');
        var id = 'filter-' + gi + '-' + vi;
        var c = document.createElement('input');
        c.type = 'checkbox';
        c.id = id;
        c.name = f[0];
        c.value = v;
        c.checked = (wanted[f[0]] || []).indexOf(v) >= 0;
        var label = document.createElement('label');
        label.htmlFor = id;
        label.appendChild(document.createTextNode(v + ' '));
        var count = document.createElement('span');
        count.className = 'search-count';
        count.textContent = '(' + all[f[0]][v] + ')';
        label.appendChild(count);
        li.appendChild(c);
        li.appendChild(label);
        ul.appendChild(li);
      });
      f[2].hidden = false;
      made++;
    });
    panel.hidden = !made;
  }

  // The disclosure says how many values are ticked while it is closed.
  function showChosen(filters) {
    var n = Object.keys(filters).reduce(function (sum, k) { return sum + filters[k].length; }, 0);
    if (chosenCount) chosenCount.textContent = n ? ' (' + n + ' chosen)' : '';
  }

  var timer = null;
  input.addEventListener('input', function () {
    clearTimeout(timer);
    timer = setTimeout(run, 250);
  });
  form.addEventListener('submit', function (e) {
    e.preventDefault();
    clearTimeout(timer);
    run();
  });
  groups.addEventListener('change', function () {
    clearTimeout(timer);
    run();
  });
  if (clear) {
    clear.addEventListener('click', function () {
      box.querySelectorAll('.search-filter-groups input:checked').forEach(function (c) { c.checked = false; });
      run();
      input.focus();
    });
  }
  more.addEventListener('click', function () { showMore(true); });

  // The "/" shortcut (site.js) can be turned off here; the choice stays in this browser.
  var shortcut = box.querySelector('#search-shortcut');
  if (shortcut) {
    var KEY = 'realist-search-shortcut';
    try {
      shortcut.checked = localStorage.getItem(KEY) !== 'off';
      shortcut.addEventListener('change', function () {
        if (shortcut.checked) localStorage.removeItem(KEY); else localStorage.setItem(KEY, 'off');
      });
      shortcut.parentNode.hidden = false;
    } catch (e) { /* no storage: the shortcut cannot be turned off, nor the box shown */ }
  }
  if (location.hash === '#search-input') input.focus();

  // The form works only with this script; the note that says so is for when it cannot run.
  fallback.hidden = true;
  form.hidden = false;
  // The filter disclosure shows from the start, so its arrival does not push the results down.
  panel.hidden = !FILTERS.length;
  var params = new URL(location.href).searchParams;
  var wanted = {};
  FILTERS.forEach(function (f) {
    var values = params.getAll(f[0]);
    if (values.length) wanted[f[0]] = values;
  });
  input.value = params.get('q') || '';
  load().then(function (pf) { return pf.filters(); }).then(function (all) {
    buildFilters(all || {}, wanted);
    run();
  }).catch(function () {
    say('Search could not be loaded.');
    fallback.hidden = false;
  });
})();
