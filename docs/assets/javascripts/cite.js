// Fills "date accessed" in the citation boxes with today's date. Without JavaScript the
// box asks the reader to add the date, so nothing is lost.
(function () {
  function fill() {
    var today = new Date().toLocaleDateString("en-GB", { day: "numeric", month: "long", year: "numeric" });
    document.querySelectorAll(".accessed-date").forEach(function (el) { el.textContent = today; });
  }
  if (window.document$ && window.document$.subscribe) { window.document$.subscribe(fill); } else { fill(); }
})();
