"""Print the single-page HTML build of the book to one PDF, offline.

Usage: python book/_ext/print_pdf.py _build/singlehtml _build/pdf/rnn-course.pdf

The page is served from 127.0.0.1 and opened in Debian's chromium through Playwright (never a
downloaded browser); any request to another host is refused and fails the run. Once MathJax
has typeset every equation, a title page and a table of contents are added, and the page is
printed with the book's print style (book/_static/book.css: a new page before each chapter,
wrapped code, figures kept whole). Quizzes cannot be answered on paper, so an appendix,
"Answers to the self-checks", gives each quiz's answer and why (read from the quiz's own
HTML: the right choice and its explanation), and each printed quiz names its entry and page
there. Page numbers come in two passes: a draft PDF is printed, the page of each heading,
quiz and answer is read back from its named destinations (pdfinfo, poppler-utils), and the
second, final PDF is printed with those numbers, a PDF outline and tags.
"""

from __future__ import annotations

import argparse
import datetime
import functools
import http.server
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import urlparse

BROWSER_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

# Adds the title page and an empty table of contents (chapters and their sections), opens
# every collapsed block, and returns the headings the contents list, in order.
PREPARE_JS = r"""([title, subtitle, built]) => {
  document.documentElement.dataset.theme = 'light';
  document.documentElement.dataset.mode = 'light';
  document.querySelectorAll('details').forEach(d => { d.open = true; });
  const main = document.querySelector('main .bd-article') || document.querySelector('main');
  // singlehtml: the root page's title is the h1; every other page follows a
  // <span id="document-..."> and its title is an h2, its sections h3.
  const isPage = sec => sec && sec.previousElementSibling &&
    (sec.previousElementSibling.id || '').startsWith('document-');
  const entries = [];
  let inPage = false;
  main.querySelectorAll('section > h1, section > h2, section > h3').forEach((h, i) => {
    const sec = h.parentElement;
    let level = 0;
    if (h.tagName === 'H1') { level = 1; inPage = false; }
    else if (h.tagName === 'H2' && isPage(sec)) { level = 1; inPage = true; }
    else if (h.tagName === 'H2' && !inPage) level = 2;
    else if (h.tagName === 'H3' && inPage) level = 2;
    const clone = h.cloneNode(true);
    clone.querySelectorAll('.headerlink').forEach(a => a.remove());
    const text = clone.textContent.replace(/\s+/g, ' ').trim();
    if (!level || !text) return;
    // Pages repeat section ids (every chapter has a "summary"): link to the heading itself.
    h.id = 'rnn-toc-' + i;
    entries.push({id: h.id, level, text});
  });
  const front = document.createElement('div');
  front.className = 'rnn-print-front';
  const logo = document.querySelector('.navbar-brand img, .logo__image');
  front.innerHTML = '<div class="rnn-title-page">' +
    (logo ? '<img alt="" src="' + logo.getAttribute('src') + '">' : '') +
    '<p class="rnn-title"></p><p class="rnn-subtitle"></p><p class="rnn-built"></p></div>' +
    '<nav class="rnn-print-toc" aria-label="Contents"><p class="rnn-toc-head">Contents</p>' +
    '<ol></ol></nav>';
  front.querySelector('.rnn-title').textContent = title;
  front.querySelector('.rnn-subtitle').textContent = subtitle;
  front.querySelector('.rnn-built').textContent = built;
  const ol = front.querySelector('ol');
  for (const e of entries) {
    const li = document.createElement('li');
    li.className = 'rnn-toc-l' + e.level;
    li.innerHTML = '<a><span class="rnn-toc-text"></span><span class="rnn-toc-page">000</span></a>';
    li.querySelector('a').href = '#' + e.id;
    li.querySelector('.rnn-toc-text').textContent = e.text;
    ol.appendChild(li);
  }
  main.prepend(front);
  return entries;
}"""

FILL_JS = """(pages) => {
  document.querySelectorAll('.rnn-print-toc .rnn-toc-page').forEach((s, i) => {
    s.textContent = String(pages[i]);
  });
}"""

# Builds the appendix "Answers to the self-checks" at the end of the book, from each quiz's
# HTML (its right choice, or its number, and the explanation the page shows once it is
# answered), and puts under each quiz a line that names its answer's entry and page. Returns
# the ids whose page numbers the second pass fills in: [answer id, quiz id] per quiz.
APPENDIX_JS = r"""() => {
  const main = document.querySelector('main .bd-article') || document.querySelector('main');
  const quizzes = Array.from(main.querySelectorAll('.rnn-quiz'));
  if (!quizzes.length) return [];
  const clean = node => {
    const c = node.cloneNode(true);
    c.removeAttribute('id');
    c.removeAttribute('hidden');
    c.querySelectorAll('[id]').forEach(e => e.removeAttribute('id'));
    c.querySelectorAll('[hidden]').forEach(e => e.removeAttribute('hidden'));
    c.querySelectorAll('.headerlink').forEach(e => e.remove());
    return c;
  };
  const text = node => clean(node).textContent.replace(/\s+/g, ' ').trim();
  // The page a quiz is on: the last <span id="document-..."> before it.
  const docs = Array.from(main.querySelectorAll('span[id^="document-"]'));
  const pageOf = quiz => {
    let doc = null;
    for (const d of docs) {
      if (d.compareDocumentPosition(quiz) & Node.DOCUMENT_POSITION_FOLLOWING) doc = d;
    }
    return doc;
  };
  const section = document.createElement('section');
  section.id = 'rnn-answers';
  section.className = 'rnn-answers';
  section.innerHTML = '<h2>Answers to the self-checks</h2><p>Each chapter asks short ' +
    'questions that the web version checks as you answer. On paper, here are the answers ' +
    'and why; each entry names the page of its question.</p>';
  const marker = document.createElement('span');
  marker.id = 'document-rnn-answers';
  const counts = new Map();
  const ids = [];
  let lastPage = undefined;
  for (const quiz of quizzes) {
    const doc = pageOf(quiz);
    const docId = doc ? doc.id : 'document-intro';
    const n = (counts.get(docId) || 0) + 1;
    counts.set(docId, n);
    const chapter = docId.match(/\/(\d\d)_[^/]*$/);
    const next = doc && doc.nextElementSibling;
    const heading = next && next.querySelector('h1, h2');
    const pageTitle = heading ? text(heading) : 'Introduction';
    const label = chapter ? `Self-check ${Number(chapter[1])}.${n}`
                          : `${pageTitle}, self-check ${n}`;
    if (docId !== lastPage) {
      const h = document.createElement('h4');
      h.textContent = pageTitle;
      section.appendChild(h);
      lastPage = docId;
    }
    const qid = quiz.id;
    const entry = document.createElement('div');
    entry.className = 'rnn-answer';
    entry.id = 'rnn-answer-' + qid;
    const head = document.createElement('p');
    head.className = 'rnn-answer-q';
    head.innerHTML = '<strong></strong> (question on page <a class="rnn-page"></a>): ';
    head.querySelector('strong').textContent = label;
    head.querySelector('a').href = '#' + qid;
    head.appendChild(clean(quiz.querySelector('.rnn-quiz-q')));
    const answer = document.createElement('p');
    answer.className = 'rnn-answer-a';
    let why;
    if (quiz.dataset.kind === 'choice') {
      const radio = quiz.querySelector('input[type=radio][data-correct="true"]');
      const letter = quiz.querySelector(`label[for="${radio.id}"] .rnn-quiz-letter`);
      answer.innerHTML = '<strong></strong> ';
      answer.querySelector('strong').textContent = 'Answer: ' + text(letter);
      answer.appendChild(clean(document.getElementById(radio.id + '-t')));
      why = quiz.querySelector(`.rnn-quiz-why[data-choice="${radio.value}"]`);
    } else {
      const field = quiz.querySelector('input[data-answer]');
      const value = Number(field.dataset.answer);
      const tol = Number(field.dataset.tolerance);
      answer.innerHTML = '<strong></strong>';
      answer.querySelector('strong').textContent = 'Answer: ' + String(value) +
        (tol > 0 ? ` (within \u00b1${tol})` : '');
      why = quiz.querySelector('.rnn-quiz-why[data-choice="answer"]');
    }
    entry.appendChild(head);
    entry.appendChild(answer);
    if (why) {
      const w = clean(why);
      w.className = 'rnn-answer-why';
      entry.appendChild(w);
    }
    section.appendChild(entry);
    // Under the quiz: where its answer is.
    const ref = document.createElement('p');
    ref.className = 'rnn-quiz-print-ref';
    ref.innerHTML = '<strong></strong>: the answer and why are in "Answers to the ' +
      'self-checks" at the end of the book, page <a class="rnn-page"></a>.';
    ref.querySelector('strong').textContent = label;
    ref.querySelector('a').href = '#' + entry.id;
    quiz.appendChild(ref);
    ids.push([entry.id, qid]);
  }
  main.appendChild(marker);
  main.appendChild(section);
  return ids;
}"""

FILL_REFS_JS = """(pages) => {
  const links = Array.from(document.querySelectorAll('a.rnn-page'));
  links.forEach(a => {
    const id = a.getAttribute('href').slice(1);
    a.textContent = pages[id] === undefined ? '?' : String(pages[id]);
  });
}"""

WAIT_MATHJAX_JS = """async () => {
  if (!window.MathJax) return 0;
  await new Promise(r => {
    const t = setInterval(() => {
      if (window.MathJax.startup && window.MathJax.startup.promise) { clearInterval(t); r(); }
    }, 50);
  });
  await window.MathJax.startup.promise;
  return document.querySelectorAll('mjx-container').length;
}"""


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


def _serve(folder):
    handler = functools.partial(_QuietHandler, directory=str(folder))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    return httpd


def pdf_pages_text(pdf: Path) -> list[str]:
    """The text of each page of ``pdf`` (pdftotext from poppler-utils)."""
    if shutil.which("pdftotext") is None:
        sys.exit("print_pdf: pdftotext not found; install it: apt-get install poppler-utils")
    cmd = ["pdftotext", "-enc", "UTF-8", str(pdf), "-"]
    out = subprocess.run(cmd, check=True, capture_output=True)
    return out.stdout.decode("utf-8").split("\f")


def destinations(pdf: Path) -> dict[str, int]:
    """Page (1-based) of each named destination: chromium names one per linked-to id."""
    out = subprocess.run(["pdfinfo", "-dests", str(pdf)], check=True, capture_output=True)
    pages = {}
    for line in out.stdout.decode("utf-8").splitlines():
        m = re.match(r'^\s*(\d+)\s+\[.*\]\s+"(.*)"\s*$', line)
        if m:
            pages[m.group(2)] = int(m.group(1))
    return pages


def locate(entries, dests):
    """The page of each contents entry's heading, from the draft PDF's destinations."""
    missing = [e["text"] for e in entries if e["id"] not in dests]
    if missing:
        raise SystemExit(f"print_pdf: no page found for the headings {missing[:5]}")
    return [dests[e["id"]] for e in entries]


def locate_refs(refs, dests):
    """The page of each quiz and of its answer (both are linked to, so both are named)."""
    ids = [i for pair in refs for i in pair]
    missing = [i for i in ids if i not in dests]
    if missing:
        raise SystemExit(f"print_pdf: no page found for the quizzes or answers {missing[:5]}")
    return {i: dests[i] for i in ids}


def _pdf_options(title):
    small = "font-size:8px;color:#444;width:100%;margin:0 1.8cm;font-family:sans-serif;"
    return dict(
        format="A4",
        print_background=True,
        margin={"top": "1.7cm", "bottom": "1.7cm", "left": "1.8cm", "right": "1.8cm"},
        display_header_footer=True,
        header_template=f'<div style="{small}text-align:right">{title}</div>',
        footer_template=(
            f'<div style="{small}text-align:center"><span class="pageNumber"></span></div>'
        ),
    )


def single_page(root: Path) -> str:
    """The page of a singlehtml build, at the build's root where its links expect it.

    Jupyter Book's root page is book/intro, so Sphinx writes book/intro.html (with links
    relative to the build's root) and index.html as a redirect to it; the page is copied to
    book.html next to _static/ and _images/.
    """
    index = (root / "index.html").read_text(encoding="utf-8")
    redirect = re.search(r'http-equiv="Refresh" content="0; url=([^"]+)"', index, re.I)
    if not redirect:
        return "index.html"
    shutil.copyfile(root / redirect.group(1), root / "book.html")
    return "book.html"


def _say(message):
    print(f"print_pdf: {message}", file=sys.stderr, flush=True)


def print_book(root: Path, out: Path, title: str, subtitle: str) -> dict:
    from playwright.sync_api import sync_playwright

    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if chromium is None:
        sys.exit("print_pdf: no chromium found; install Debian's browser: apt-get install chromium")
    start = time.perf_counter()
    httpd = _serve(root)
    outside = []
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=chromium, args=BROWSER_ARGS)
            page = browser.new_page(viewport={"width": 800, "height": 1100})

            def route(r):
                url = r.request.url
                if url.startswith(("data:", "blob:")) or urlparse(url).hostname == "127.0.0.1":
                    r.continue_()
                else:
                    outside.append(url)
                    r.abort()

            page.route("**/*", route)
            url = f"http://127.0.0.1:{httpd.server_address[1]}/{single_page(root)}"
            page.goto(url, wait_until="load", timeout=120_000)
            _say(f"loaded {url}; waiting for MathJax")
            n_math = page.evaluate(WAIT_MATHJAX_JS)
            _say(f"{n_math} equations typeset")
            built = "Built " + datetime.date.today().isoformat() + " from the book's sources."
            refs = page.evaluate(APPENDIX_JS)
            entries = page.evaluate(PREPARE_JS, [title, subtitle, built])
            page.emulate_media(media="print")
            options = _pdf_options(title)
            with tempfile.TemporaryDirectory() as tmp:
                draft = Path(tmp) / "draft.pdf"
                page.pdf(path=str(draft), **options)
                _say(f"draft: {len(pdf_pages_text(draft)) - 1} pages; numbering the contents")
                dests = destinations(draft)
                numbers = locate(entries, dests)
                ref_pages = locate_refs(refs, dests)
            page.evaluate(FILL_JS, numbers)
            page.evaluate(FILL_REFS_JS, ref_pages)
            out.parent.mkdir(parents=True, exist_ok=True)
            page.pdf(path=str(out), outline=True, tagged=True, **options)
            browser.close()
    finally:
        httpd.shutdown()
    if outside:
        sys.exit(f"print_pdf: the page asked for other hosts (refused): {outside[:5]}")
    n_pages = len(pdf_pages_text(out)) - 1
    return {
        "pages": n_pages,
        "equations": n_math,
        "answers": len(refs),
        "seconds": time.perf_counter() - start,
    }


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("root", type=Path, help="the folder of the singlehtml build")
    parser.add_argument("out", type=Path, help="the PDF to write")
    parser.add_argument("--title", default="Recurrent Neural Networks")
    parser.add_argument("--subtitle", default="an executable course")
    args = parser.parse_args(argv)
    if not (args.root / "index.html").exists():
        sys.exit(f"print_pdf: no {args.root}/index.html; build it with --builder singlehtml")
    stats = print_book(args.root, args.out, args.title, args.subtitle)
    print(
        f"print_pdf: wrote {args.out} ({stats['pages']} pages, {stats['equations']} equations "
        f"typeset, {stats['answers']} quiz answers, {stats['seconds']:.0f} s)"
    )


if __name__ == "__main__":
    main()
