// realist serve: live reload and build errors. Added to pages by the development server only;
// never part of the built site.
(function () {
  "use strict";
  var script = document.currentScript;
  if (!script || !window.EventSource) return;
  // The base is what comes before the LAST "__realist/client.js": the base path itself may hold
  // those words (https://x.ac.uk/__realist/client.js/).
  var own = "__realist/client.js";
  var at = script.src.lastIndexOf(own);
  if (at < 0) return;
  var base = script.src.slice(0, at);
  var here = location.href.split("#")[0].split("?")[0];
  var page = here.indexOf(base) === 0 ? here.slice(base.length) : "";
  if (page === "" || /\/$/.test(page)) page += "index.html";
  var firstBuild = null;
  var overlay = null;
  var returnFocus = null;
  var dismissed = null;

  function text(tag, content, cls) {
    var el = document.createElement(tag);
    if (content) el.textContent = content;
    if (cls) el.className = cls;
    return el;
  }

  function location_(d) {
    var at = d.file;
    if (d.line) at += ":" + d.line + (d.column ? ":" + d.column : "");
    return at;
  }

  function hide() {
    if (!overlay) return;
    overlay.remove();
    overlay = null;
    if (returnFocus && document.contains(returnFocus)) returnFocus.focus();
    returnFocus = null;
  }

  function show(status) {
    var errors = status.errors || [];
    var key = JSON.stringify(errors);
    if (dismissed === key) return;
    hide();
    overlay = text("div");
    overlay.id = "realist-build-errors";
    overlay.setAttribute("role", "alertdialog");
    overlay.setAttribute("aria-modal", "false");
    overlay.setAttribute("aria-labelledby", "realist-build-errors-title");
    overlay.setAttribute("aria-describedby", "realist-build-errors-intro");
    overlay.tabIndex = -1;
    overlay.style.cssText =
      "position:fixed;inset:1rem;z-index:2147483647;overflow:auto;max-width:60rem;margin:0 auto;" +
      "padding:1.25rem 1.5rem;background:#fff;color:#0b0c0c;border:4px solid #d4351c;" +
      "box-shadow:0 0 0 100vmax rgba(11,12,12,.55);font:1rem/1.5 system-ui,sans-serif;";
    var title = text("h2", "The site did not build");
    title.id = "realist-build-errors-title";
    title.style.cssText = "margin:0 0 .5rem;font-size:1.5rem;color:#0b0c0c;";
    var intro = text(
      "p",
      errors.length + " error" + (errors.length === 1 ? "" : "s") +
        ". You are looking at the last version that built. Fix the file" +
        (errors.length === 1 ? "" : "s") + " below and save: this message goes away by itself."
    );
    intro.id = "realist-build-errors-intro";
    var list = text("ol");
    list.style.cssText = "padding-left:1.5rem;";
    errors.forEach(function (d) {
      var item = text("li");
      item.style.cssText = "margin:0 0 1rem;";
      var where = text("code", location_(d), "realist-location");
      where.style.cssText = "font-weight:bold;";
      var msg = text("p", d.severity + ": " + d.message, "realist-message");
      msg.style.cssText = "margin:.25rem 0;";
      item.appendChild(where);
      item.appendChild(msg);
      if (d.help) {
        var help = text("p", "Help: " + d.help, "realist-help");
        help.style.cssText = "margin:.25rem 0;color:#383f43;";
        item.appendChild(help);
      }
      list.appendChild(item);
    });
    var close = text("button", "Hide until the errors change");
    close.type = "button";
    close.style.cssText = "font:inherit;padding:.4rem .8rem;border:2px solid #0b0c0c;background:#f3f2f1;";
    close.addEventListener("click", function () {
      dismissed = key;
      hide();
    });
    overlay.addEventListener("keydown", function (e) {
      if (e.key === "Escape") {
        dismissed = key;
        hide();
      }
    });
    overlay.appendChild(title);
    overlay.appendChild(intro);
    overlay.appendChild(list);
    overlay.appendChild(close);
    returnFocus = document.activeElement;
    document.body.appendChild(overlay);
    overlay.focus();
  }

  function status(s) {
    if (s.ok) {
      dismissed = null;
      hide();
    } else {
      show(s);
    }
  }

  function affects(paths) {
    return paths.some(function (p) {
      return p === "" || p === page || /\.(css|js|svg|png|jpe?g|gif|webp|woff2?)$/.test(p);
    });
  }

  var handlers = {
    hello: function (s) {
      if (firstBuild === null) firstBuild = s.build;
      else if (s.build !== firstBuild && s.ok) return location.reload();
      status(s);
    },
    errors: status,
    ok: status,
    reload: function (s) {
      firstBuild = s.build;
      status(s);
      if (s.all || affects(s.paths || [])) location.reload();
    },
  };

  function dispatch(name, data) {
    if (handlers[name]) handlers[name](JSON.parse(data));
  }

  // Pages share one event stream through a shared worker where the browser has them (see
  // worker.js: a stream per page would use up the browser's connections to the server); a page
  // opens its own stream otherwise. Either way only after the page has loaded, so the stream
  // never delays the page's own files.
  function connect() {
    if (window.SharedWorker) {
      try {
        var worker = new SharedWorker(base + "__realist/worker.js", { name: "realist-serve" });
        worker.port.onmessage = function (m) {
          dispatch(m.data.event, m.data.data);
        };
        worker.onerror = function () {
          worker.onerror = null;
          ownStream();
        };
        worker.port.start();
        window.addEventListener("pagehide", function () {
          worker.port.postMessage("bye");
        });
        window.addEventListener("pageshow", function (e) {
          if (e.persisted) location.reload();
        });
        return;
      } catch (e) {
        // Fall through to a stream of this page's own.
      }
    }
    ownStream();
  }

  function ownStream() {
    var events = new EventSource(base + "__realist/events");
    Object.keys(handlers).forEach(function (name) {
      events.addEventListener(name, function (e) {
        dispatch(name, e.data);
      });
    });
  }

  if (document.readyState === "complete") connect();
  else window.addEventListener("load", connect);
})();
