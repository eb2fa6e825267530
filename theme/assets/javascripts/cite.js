// Fills "date accessed" in the citation boxes with today's date, and the date on the line a
// printed page carries (theme/assets/stylesheets/print.css). Without JavaScript the box asks
// the reader to add the date, and the print line gives no date, so nothing is lost.
// Where the browser lets a page copy text, a "Copy" button follows each citation, each permanent
// link of a table or a row and each code example; without JavaScript they stay text to select,
// and no button is shown that would do nothing.
(function () {
  function copyButton(text, what) {
    var button = document.createElement("button");
    button.type = "button";
    button.className = "copy-button";
    button.textContent = "Copy";
    button.setAttribute("aria-label", "Copy " + what);
    button.addEventListener("click", function () {
      navigator.clipboard.writeText(text()).then(function () {
        button.textContent = "Copied";
        setTimeout(function () { button.textContent = "Copy"; }, 2000);
      });
    });
    return button;
  }
  function addCopyButtons() {
    if (!navigator.clipboard || !window.isSecureContext) { return; }
    document.querySelectorAll("q.citation, blockquote.citation").forEach(function (el) {
      if (el.nextElementSibling && el.nextElementSibling.classList.contains("copy-button")) { return; }
      el.after(copyButton(function () { return el.textContent.trim(); }, "this citation"));
    });
    document.querySelectorAll(".table-cite > a, .row-cites li > a").forEach(function (el) {
      if (el.nextElementSibling && el.nextElementSibling.classList.contains("copy-button")) { return; }
      el.after(copyButton(function () { return el.href; }, "this link"));
    });
    document.querySelectorAll("article pre > code").forEach(function (el) {
      var pre = el.parentElement;
      if (pre.nextElementSibling && pre.nextElementSibling.classList.contains("copy-button")) { return; }
      pre.after(copyButton(function () { return el.textContent; }, "this code"));
    });
  }
  function fill() {
    var today = new Date().toLocaleDateString("en-GB", { day: "numeric", month: "long", year: "numeric" });
    document.querySelectorAll(".accessed-date").forEach(function (el) { el.textContent = today; });
    document.querySelectorAll(".printed-date").forEach(function (el) { el.textContent = today; });
    document.querySelectorAll(".printed-on").forEach(function (el) { el.hidden = false; });
    addCopyButtons();
  }
  if (window.document$ && window.document$.subscribe) { window.document$.subscribe(fill); } else { fill(); }
})();
