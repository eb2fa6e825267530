// A "Copy" button beside each thing a reader may want to paste elsewhere: the code that embeds a
// chart, every citation, the link to a table and every code example. Without JavaScript there is
// no button, and the text stays plain, selectable text, so nothing is lost.
(function () {
  var TARGETS = [
    ["pre.copyable", "Copy the code"],
    [".md-typeset pre:not(.copyable)", "Copy the code"],
    ["blockquote.citation", "Copy the citation"],
    ["q.citation", "Copy the citation"],
    [".table-cite > a", "Copy the link"],
    [".row-cites li > a", "Copy the link"]
  ];

  function copyText(text) {
    if (navigator.clipboard && window.isSecureContext) {
      return navigator.clipboard.writeText(text);
    }
    // An older browser, or a page opened from a file: copy through a selection.
    var area = document.createElement("textarea");
    area.value = text;
    area.setAttribute("readonly", "");
    area.style.position = "fixed";
    area.style.opacity = "0";
    document.body.appendChild(area);
    area.select();
    var done = document.execCommand("copy");
    document.body.removeChild(area);
    return done ? Promise.resolve() : Promise.reject(new Error("copy refused"));
  }

  function add() {
    TARGETS.forEach(function (target) {
      document.querySelectorAll(target[0]).forEach(function (el) {
        if (el.dataset.copyButton) { return; }
        el.dataset.copyButton = "1";
        var button = document.createElement("button");
        button.type = "button";
        button.className = "copy-button";
        button.textContent = "Copy";
        button.setAttribute("aria-label", target[1]);
        var status = document.createElement("span");
        status.className = "copy-status";
        status.setAttribute("role", "status");
        button.addEventListener("click", function () {
          // A link: its address. Code: exactly as written. A citation: its words.
          var text = el.tagName === "A" ? el.href
            : el.tagName === "PRE" ? (el.querySelector("code") || el).textContent : el.textContent.trim();
          copyText(text).then(function () {
            status.textContent = "Copied";
          }, function () {
            status.textContent = "Select the text and copy it";
          });
          window.setTimeout(function () { status.textContent = ""; }, 4000);
        });
        el.insertAdjacentElement("afterend", status);
        el.insertAdjacentElement("afterend", button);
      });
    });
  }

  if (window.document$ && window.document$.subscribe) { window.document$.subscribe(add); } else { add(); }
})();
