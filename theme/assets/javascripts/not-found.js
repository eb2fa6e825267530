// The 404 page's "Search the site" button (theme/404.html) opens the site's search, with the
// cursor in its box. Without JavaScript there is no search, so the button stays hidden.
(function () {
  var button = document.querySelector("[data-open-search]");
  var toggle = document.getElementById("__search");
  if (!button || !toggle) { return; }
  button.hidden = false;
  button.addEventListener("click", function () {
    if (!toggle.checked) { toggle.click(); }
    var input = document.querySelector("input.md-search__input");
    if (input) { input.focus(); }
  });
})();
