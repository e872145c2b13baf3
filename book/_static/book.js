// The book's small fixes to the theme (added by book/_ext/book_extras.py).
(function () {
  "use strict";
  function init() {
    // The download menu's source link saves the chapter's .ipynb instead of opening it.
    document.querySelectorAll("a.btn-download-source-button").forEach((a) => {
      const name = a.getAttribute("href").split("/").pop();
      a.setAttribute("download", name);
      a.removeAttribute("target");
    });
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
