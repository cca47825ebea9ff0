// The search page: a small accessible interface on Pagefind's JavaScript API. Everything is
// served with the site (pagefind/ beside static/): nothing loads from another host.
//
// Where the site lives is never built in: the page gives the relative path to the site root
// (data-root="../"), and both the index (root + "pagefind/") and the result links (Pagefind's
// baseUrl) are resolved from it, so the same files work at / and at /research/hsca12/.
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
  // Full same-origin URLs, never a bare path: a path that starts with `//` would be read as
  // another host.
  var root = new URL(box.getAttribute('data-root') || './', document.baseURI);
  var here = function (path) { return new URL(path, root).href; };
  var PAGE = 10;
  var pagefind = null;
  var loading = null;
  var results = [];
  var shown = 0;
  var current = '';
  var generation = 0;

  function load() {
    if (!loading) {
      loading = import(here('pagefind/pagefind.js')).then(function (pf) {
        return Promise.resolve(pf.options({ basePath: here('pagefind/'), baseUrl: here('./'), excerptLength: 30 }))
          .then(function () { pagefind = pf; return pf; });
      });
    }
    return loading;
  }

  function say(text) { status.textContent = text; }

  // Pagefind's excerpts are plain text with <mark> around matches: build nodes, never parse HTML.
  function excerpt(text) {
    var p = document.createElement('p');
    p.className = 'search-excerpt';
    text.split(/(<mark>|<\/mark>)/).reduce(function (marked, part) {
      if (part === '<mark>') return true;
      if (part === '</mark>') return false;
      if (part) {
        var node = document.createTextNode(part);
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

  function item(data) {
    var li = document.createElement('li');
    li.className = 'search-result';
    var h = document.createElement('h2');
    h.appendChild(link(data.url, (data.meta && data.meta.title) || data.url));
    li.appendChild(h);
    if (data.meta && data.meta.kind) {
      // From the page's data-pagefind-meta="kind" (report, CMO configuration, tracer…).
      var kind = document.createElement('p');
      kind.className = 'search-kind';
      kind.textContent = data.meta.kind;
      li.appendChild(kind);
    }
    li.appendChild(excerpt(data.excerpt || ''));
    // Sections of the page that match (headings with ids), leaving out the page's own title.
    var subs = (data.sub_results || []).filter(function (s) {
      return s.anchor && s.anchor.element !== 'h1' && s.title;
    }).slice(0, 3);
    if (subs.length) {
      var ul = document.createElement('ul');
      ul.className = 'search-sections';
      subs.forEach(function (s) {
        var sli = document.createElement('li');
        sli.appendChild(link(s.url, s.title));
        sli.appendChild(excerpt(s.excerpt || ''));
        ul.appendChild(sli);
      });
      li.appendChild(ul);
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

  function run(query) {
    query = query.trim();
    if (query === current) return;
    current = query;
    var mine = ++generation;
    var url = new URL(location.href);
    if (query) url.searchParams.set('q', query); else url.searchParams.delete('q');
    history.replaceState(null, '', url);
    if (!query) {
      list.textContent = '';
      more.hidden = true;
      say('');
      return;
    }
    say('Searching…');
    load().then(function (pf) {
      return pf.search(query);
    }).then(function (search) {
      if (mine !== generation || !search) return;
      results = search.results;
      shown = 0;
      list.textContent = '';
      more.hidden = true;
      if (!results.length) {
        say('No results for “' + query + '”. Try fewer or different words.');
        return;
      }
      return showMore(false).then(function () {
        if (mine !== generation) return;
        var n = results.length;
        say(n + (n === 1 ? ' result' : ' results') + ' for “' + query + '”' +
            (n > shown ? ', showing the first ' + shown + '.' : '.'));
      });
    }).catch(function () {
      if (mine !== generation) return;
      say('Search could not be loaded.');
      fallback.hidden = false;
    });
  }

  var timer = null;
  input.addEventListener('input', function () {
    clearTimeout(timer);
    timer = setTimeout(function () { run(input.value); }, 250);
  });
  form.addEventListener('submit', function (e) {
    e.preventDefault();
    clearTimeout(timer);
    run(input.value);
  });
  more.addEventListener('click', function () { showMore(true); });

  // The form works only with this script; the note that says so is for when it cannot run.
  fallback.hidden = true;
  form.hidden = false;
  var q = new URL(location.href).searchParams.get('q');
  if (q) {
    input.value = q;
    run(q);
  }
  input.addEventListener('focus', function () { load().catch(function () {}); }, { once: true });
})();
