// The book's small fixes to the theme (added by book/_ext/book_extras.py).
(function () {
  "use strict";

  // The download menu's source link saves the chapter's .ipynb instead of opening it.
  function downloadLinks() {
    document.querySelectorAll("a.btn-download-source-button").forEach((a) => {
      const name = a.getAttribute("href").split("/").pop();
      a.setAttribute("download", name);
      a.removeAttribute("target");
    });
  }

  // A display equation wider than its column scrolls inside its own box (MathJax's
  // container, or the equation's div): mark that box so that book.css draws the scroll
  // shadows, and say so under the equation once.
  function scroller(box) {
    const mjx = box.querySelector("mjx-container");
    return mjx && mjx.scrollWidth > mjx.clientWidth + 1 ? mjx : box;
  }

  function markWideEquations() {
    document.querySelectorAll(".bd-article div.math").forEach((box) => {
      const inner = scroller(box);
      const wide = inner.scrollWidth > inner.clientWidth + 1;
      box.classList.toggle("rnn-wide", wide && inner === box);
      const mjx = box.querySelector("mjx-container");
      if (mjx) mjx.classList.toggle("rnn-wide", wide && inner === mjx);
      let cue = box.nextElementSibling;
      if (!(cue && cue.classList.contains("rnn-scroll-cue"))) cue = null;
      if (wide && !cue) {
        cue = document.createElement("span");
        cue.className = "rnn-scroll-cue";
        cue.setAttribute("aria-hidden", "true");
        cue.textContent = "wide equation: scroll sideways \u2192";
        box.after(cue);
      } else if (!wide && cue) {
        cue.remove();
      }
    });
  }

  function afterMathJax(fn) {
    const mj = window.MathJax;
    if (mj && mj.startup && mj.startup.promise) mj.startup.promise.then(fn);
    else window.setTimeout(() => afterMathJax(fn), 100);
  }

  // Search excerpts: Sphinx cuts them from each page's main element, which in this theme
  // starts with the article's toolbar ("....pdf", the page's title, "Contents"). Drop the
  // toolbar, the page's contents list and our notes before Sphinx reads the text.
  function cleanSearchExcerpts() {
    // searchtools.js declares `const Search` at the top level: a global binding, not a
    // property of window.
    // eslint-disable-next-line no-undef
    const search = typeof Search === "undefined" ? null : Search;
    if (!search || typeof search.htmlToText !== "function" || search.rnnClean) return;
    const original = search.htmlToText.bind(search);
    search.htmlToText = (html, anchor) => {
      const doc = new DOMParser().parseFromString(html, "text/html");
      doc
        .querySelectorAll(
          ".bd-header-article, .bd-sidebar-secondary, #jb-print-docs-body, .onlyprint, " +
            ".rnn-runtime, .prev-next-area",
        )
        .forEach((el) => el.remove());
      return original(doc.documentElement.outerHTML, anchor);
    };
    search.rnnClean = true;
  }

  function init() {
    downloadLinks();
    cleanSearchExcerpts();
    if (document.querySelector(".bd-article div.math")) {
      afterMathJax(markWideEquations);
      let timer = null;
      window.addEventListener("resize", () => {
        window.clearTimeout(timer);
        timer = window.setTimeout(markWideEquations, 200);
      });
    }
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
