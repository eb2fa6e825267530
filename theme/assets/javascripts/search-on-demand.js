/* What a page loads, it needs. Material 9.8.1 sends two requests as each page opens that a
   reader of this site seldom or never needs:
   - the whole search index, though most readers never search: at 1,050 area-years it would be
     over a third of a first visit's bytes. It is held back until the reader focuses the search
     box (a tap on the search button, a click, a shortcut key), or arrives from a search result
     (?h=, whose words Material highlights from the index), then sent. Results wait on it as
     they wait on a slow network.
   - the site map, which Material fetches beside every <link rel="alternate"> to offer the same
     page in another language. Our one alternate is the feed of releases, and the site has no
     other language, so it is never sent (unless instant navigation, which reads the site map,
     is turned on).

   Private interface: Material sends both with XMLHttpRequest, for the addresses below, from the
   bundle named below (build_scripts/private_interfaces.py, "requests on demand"). With any other
   bundle this does nothing, and Material loads both as it always has. */
(function () {
  "use strict";
  var BUNDLE = "/assets/javascripts/bundle.a5f9d56c.min.js";
  var INDEX = "/search/search_index.json";
  var SITEMAP = "/sitemap.xml";
  var held = [];
  var released = false;
  var kinds = new WeakMap();
  var open = XMLHttpRequest.prototype.open;
  var send = XMLHttpRequest.prototype.send;

  function endsWith(path, tail) {
    return path.slice(-tail.length) === tail;
  }

  function writtenFor() {
    return Array.prototype.some.call(document.scripts, function (script) {
      return script.src && endsWith(new URL(script.src).pathname, BUNDLE);
    });
  }

  function instantNavigation() {
    var config = document.getElementById("__config");
    return !config || JSON.parse(config.textContent).features.indexOf("navigation.instant") >= 0;
  }

  function release() {
    released = true;
    held.splice(0).forEach(function (go) { go(); });
  }

  XMLHttpRequest.prototype.open = function (method, url) {
    var path = new URL(String(url), document.baseURI).pathname;
    if (endsWith(path, INDEX)) kinds.set(this, "index");
    if (endsWith(path, SITEMAP)) kinds.set(this, "sitemap");
    return open.apply(this, arguments);
  };
  XMLHttpRequest.prototype.send = function () {
    var kind = kinds.get(this);
    if (kind && writtenFor()) {
      if (kind === "sitemap" && !instantNavigation()) return undefined;
      if (kind === "index" && !released) {
        var request = this, args = arguments;
        held.push(function () { send.apply(request, args); });
        return undefined;
      }
    }
    return send.apply(this, arguments);
  };

  if (new URLSearchParams(location.search).has("h")) {
    release();
  }
  document.addEventListener("focusin", function (event) {
    if (event.target.matches && event.target.matches("[data-md-component=search-query]")) release();
  });
  // A head start: the pointer on its way to the search, before the box has the focus.
  document.addEventListener("pointerdown", function (event) {
    if (event.target.closest && event.target.closest("label[for=__search], .md-search")) release();
  });
})();
