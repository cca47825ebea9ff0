// realist serve: one live-reload event stream shared by every open page of the site. A browser
// opens at most six connections to one host over HTTP/1.1, and an event stream holds one for as
// long as its page is open: with a stream per page, six open pages leave no connection for any
// other request, and new pages never finish loading. Pages talk to this worker instead.
// Added by the development server only; never part of the built site.
"use strict";
var ports = [];
var source = null;
var latest = null;

function send(port, name, data) {
  try {
    port.postMessage({ event: name, data: data });
  } catch (e) {
    drop(port);
  }
}

function drop(port) {
  ports = ports.filter(function (p) {
    return p !== port;
  });
}

function open() {
  // Relative to this script's own URL (BASE/__realist/worker.js), so BASE/__realist/events
  // whatever the base path holds: nothing is cut out of a URL here.
  source = new EventSource("events");
  ["hello", "errors", "ok", "reload"].forEach(function (name) {
    source.addEventListener(name, function (e) {
      latest = e.data;
      ports.slice().forEach(function (port) {
        send(port, name, e.data);
      });
    });
  });
}

self.onconnect = function (e) {
  var port = e.ports[0];
  ports.push(port);
  port.onmessage = function (m) {
    if (m.data === "bye") drop(port);
  };
  port.start();
  if (!source) open();
  else if (latest !== null) send(port, "hello", latest);
};
