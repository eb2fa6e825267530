// Fills "date accessed" in the citation boxes with today's date, and the date on the line a
// printed page carries (theme/assets/stylesheets/print.css). Without JavaScript the box asks
// the reader to add the date, and the print line gives no date, so nothing is lost.
(function () {
  function fill() {
    var today = new Date().toLocaleDateString("en-GB", { day: "numeric", month: "long", year: "numeric" });
    document.querySelectorAll(".accessed-date").forEach(function (el) { el.textContent = today; });
    document.querySelectorAll(".printed-date").forEach(function (el) { el.textContent = today; });
    document.querySelectorAll(".printed-on").forEach(function (el) { el.hidden = false; });
  }
  if (window.document$ && window.document$.subscribe) { window.document$.subscribe(fill); } else { fill(); }
})();
