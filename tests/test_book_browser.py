"""The built book, opened in a real headless browser (Debian's chromium driven by Playwright).

For every page in _toc.yml: it loads from a local server, equations are typeset by the
offline MathJax (no raw TeX left on the page, every equation with MathJax's assistive
MathML), every image loads and has alt text, no request leaves 127.0.0.1, nothing fails to
load (the favicon included), and the console shows no errors beyond a short allow-list.
Every quiz is answered wrong, then right, and must say so with its explanation (each
chapter has at least three); one is answered with the keyboard alone. axe-core (WCAG 2 A and
AA) finds nothing serious or critical, in light and in dark mode, and figures sit on a white
panel in dark mode; a full-page screenshot of each page in each mode is kept in
_build/screenshots/{light,dark}/ (RNN_COURSE_SHOTS=DIR to move it). Each chapter offers its
.ipynb for download and says how long its code took to run. Run `make book` first
(`make test` does). Set RNN_COURSE_SCREENSHOTS=DIR to keep a full-page PNG of every page.
"""

import functools
import http.server
import os
import re
import shutil
import threading
from pathlib import Path
from urllib.parse import urlparse

import pytest

from tests.test_repo_hygiene import toc_files

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[1]
HTML = ROOT / "_build" / "html"
IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")

# Console errors that are allowed: none. (Jupyter Book 1.x printed "Identifier
# 'THEBE_JS_URL' has already been declared" on every page until book_extras.py dropped the
# repeated script.)
CONSOLE_ALLOW = ()
# Each page is also audited by axe-core in both colour modes; a screenshot of each mode goes
# to SHOTS (look at them: figures must stay readable in dark mode).
SHOTS = Path(os.environ.get("RNN_COURSE_SHOTS", ROOT / "_build" / "screenshots"))
A11Y_TAGS = ["wcag2a", "wcag2aa"]


def _require(condition, reason):
    if not condition:
        if IN_CI:
            pytest.fail(reason)
        pytest.skip(reason)


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def server():
    _require(HTML.joinpath("index.html").exists(), "the book is not built: run `make book` first")
    handler = functools.partial(_QuietHandler, directory=str(HTML))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()


@pytest.fixture(scope="module")
def browser():
    _require(
        CHROMIUM is not None,
        "no chromium found: install Debian's browser with `apt-get install chromium` "
        "(never `playwright install`, which downloads one)",
    )
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield b
        b.close()


def _wait_for_mathjax(pg):
    if pg.locator("main .math").count() == 0:
        return
    pg.wait_for_function("() => window.MathJax && MathJax.startup && MathJax.startup.promise")
    pg.evaluate("() => MathJax.startup.promise")


VISIBLE_TEXT_JS = """() => {
  const main = document.querySelector('main') || document.body;
  const clone = main.cloneNode(true);
  clone.querySelectorAll('pre, code, script, style, mjx-container, .highlight, .output')
       .forEach(e => e.remove());
  return clone.innerText;
}"""

IMAGES_JS = """() => Array.from(document.querySelectorAll('main img')).map(i => ({
  src: i.getAttribute('src'), ok: i.complete && i.naturalWidth > 0, alt: i.getAttribute('alt') || ''
}))"""


PAGES = [f for f in toc_files()]


@pytest.mark.parametrize("page", PAGES)
def test_page_renders_offline(page, server, browser):
    ctx = browser.new_context(viewport={"width": 1280, "height": 900})
    pg = ctx.new_page()
    outside, failed, errors = [], [], []

    def route(r):
        host = urlparse(r.request.url).hostname
        if r.request.url.startswith(("data:", "blob:")) or host == "127.0.0.1":
            r.continue_()
        else:
            outside.append(r.request.url)
            r.abort()

    pg.route("**/*", route)
    pg.on("requestfailed", lambda r: failed.append(f"{r.url} ({r.failure})"))
    pg.on("console", lambda m: m.type == "error" and errors.append(m.text))
    pg.on("pageerror", lambda e: errors.append(str(e)))

    url = f"{server}/{Path(page).with_suffix('.html').as_posix()}"
    resp = pg.goto(url, wait_until="load")
    assert resp is not None and resp.status == 200, f"{url} did not load ({resp and resp.status})"
    pg.wait_for_load_state("networkidle")

    _wait_for_mathjax(pg)
    text = pg.evaluate(VISIBLE_TEXT_JS)
    # MathJax's assistive MathML: a screen reader reads every equation, not its TeX.
    n_math = pg.locator("mjx-container").count()
    assert pg.locator("mjx-container mjx-assistive-mml").count() == n_math, page
    for raw in ("$$", "\\frac", "\\begin{", "\\mathbf", "\\odot", "\\sum_"):
        assert raw not in text, f"{page}: raw TeX {raw!r} visible; MathJax did not typeset it"

    images = pg.evaluate(IMAGES_JS)
    broken = [i["src"] for i in images if not i["ok"]]
    no_alt = [i["src"] for i in images if not i["alt"].strip() and "logo" not in (i["src"] or "")]
    assert not broken, f"{page}: images did not load: {broken}"
    assert not no_alt, f"{page}: images without alt text: {no_alt}"

    shots = os.environ.get("RNN_COURSE_SCREENSHOTS")
    if shots:
        Path(shots).mkdir(parents=True, exist_ok=True)
        pg.screenshot(path=str(Path(shots) / (Path(page).name + ".png")), full_page=True)
    ctx.close()

    assert not outside, f"{page}: requests left 127.0.0.1: {outside[:5]}"
    assert not failed, f"{page}: failed requests: {failed[:5]}"
    bad = [e for e in errors if not any(a in e for a in CONSOLE_ALLOW)]
    assert not bad, f"{page}: console errors: {bad[:5]}"


CHAPTERS = [p for p in PAGES if re.match(r"\d\d_", Path(p).name)]
MIN_QUIZZES_PER_CHAPTER = 3


def _open(browser, server, page, color_scheme="light"):
    ctx = browser.new_context(viewport={"width": 1280, "height": 900}, color_scheme=color_scheme)
    pg = ctx.new_page()
    pg.route("**/*", lambda r: r.continue_() if _local(r.request.url) else r.abort())
    pg.goto(f"{server}/{Path(page).with_suffix('.html').as_posix()}", wait_until="load")
    pg.wait_for_load_state("networkidle")
    return ctx, pg


def _local(url):
    return url.startswith(("data:", "blob:")) or urlparse(url).hostname == "127.0.0.1"


def _feedback(quiz):
    verdict = quiz.locator(".rnn-quiz-verdict").inner_text().strip()
    shown = quiz.locator(".rnn-quiz-why:visible")
    return verdict, [shown.nth(i).get_attribute("data-choice") for i in range(shown.count())]


def _answer_choice(quiz, index):
    quiz.locator(f"label[for='{quiz.get_attribute('id')}-c{index}']").click()
    quiz.locator("button.rnn-quiz-check").click()
    return _feedback(quiz)


def _answer_number(quiz, text):
    quiz.locator("input[data-answer]").fill(text)
    quiz.locator("button.rnn-quiz-check").click()
    return _feedback(quiz)


@pytest.mark.parametrize("page", PAGES)
def test_quizzes_tell_right_from_wrong(page, server, browser):
    """Every quiz on the page: a wrong answer, then the right one, each with its feedback."""
    ctx, pg = _open(browser, server, page)
    quizzes = pg.locator(".rnn-quiz")
    n = quizzes.count()
    if page in CHAPTERS:
        assert n >= MIN_QUIZZES_PER_CHAPTER, (
            f"{page}: {n} quizzes; each chapter needs at least {MIN_QUIZZES_PER_CHAPTER}"
        )
    for i in range(n):
        quiz = quizzes.nth(i)
        qid = quiz.get_attribute("id")
        assert quiz.locator("fieldset > legend .rnn-quiz-q").inner_text().strip(), qid
        assert quiz.locator("[role=status][aria-live=polite]").count() == 1, qid
        if quiz.get_attribute("data-kind") == "choice":
            flags = quiz.locator("input[type=radio]").evaluate_all(
                "rs => rs.map(r => [Number(r.value), r.dataset.correct === 'true'])"
            )
            right = next(v for v, ok in flags if ok)
            wrong = next(v for v, ok in flags if not ok)
            assert _answer_choice(quiz, wrong) == ("Not quite. Try another answer.", [str(wrong)])
            assert _answer_choice(quiz, right) == ("Right.", [str(right)]), qid
        else:
            field = quiz.locator("input[data-answer]")
            answer = float(field.get_attribute("data-answer"))
            tol = float(field.get_attribute("data-tolerance"))
            verdict, why = _answer_number(quiz, repr(answer + 2 * tol + 1))
            assert verdict.startswith("Not quite") and why == [], (qid, verdict)
            verdict, why = _answer_number(quiz, "not a number")
            assert verdict.startswith("Type a number") and why == [], (qid, verdict)
            verdict, why = _answer_number(quiz, repr(answer + 0.5 * tol))
            assert verdict.startswith("Right") and why == ["answer"], (qid, verdict)
    ctx.close()


def test_quiz_works_with_the_keyboard_alone(server, browser):
    ctx, pg = _open(browser, server, "book/using_this_book")
    quiz = pg.locator(".rnn-quiz[data-kind=choice]").first
    quiz.locator("input[type=radio]").first.focus()
    pg.keyboard.press("Space")  # selects the focused radio
    pg.keyboard.press("Enter")  # submits the form
    first = _feedback(quiz)
    pg.keyboard.press("ArrowDown")  # moves to and selects the next choice
    pg.keyboard.press("Enter")
    second = _feedback(quiz)
    shown = quiz.locator("input[type=radio]").evaluate_all("rs => rs.map(r => r.value)")
    ctx.close()
    assert first[1] == [shown[0]] and second[1] == [shown[1]], (first, second, shown)
    assert first[0] and second[0]  # a verdict each time, whichever choices are first


@pytest.mark.parametrize("mode", ["light", "dark"])
@pytest.mark.parametrize("page", PAGES)
def test_accessibility_and_dark_mode(page, mode, server, browser):
    """axe-core (WCAG 2 A and AA): no serious or critical finding, in light and dark mode;
    figures sit on a white panel in both; a full-page screenshot of each mode is kept."""
    from axe_playwright_python.sync_playwright import Axe

    ctx, pg = _open(browser, server, page, color_scheme=mode)
    _wait_for_mathjax(pg)
    theme = pg.evaluate("() => document.documentElement.dataset.theme")
    assert theme == mode, f"{page}: the theme shows {theme!r} for a reader who prefers {mode}"
    results = Axe().run(pg, options={"runOnly": {"type": "tag", "values": A11Y_TAGS}})
    violations = results.response["violations"]
    backgrounds = pg.evaluate(
        "() => Array.from(document.querySelectorAll('main img:not(.logo__image)'))"
        ".map(i => [i.getAttribute('src'), getComputedStyle(i).backgroundColor])"
    )
    out = SHOTS / mode / (Path(page).name + ".png")
    out.parent.mkdir(parents=True, exist_ok=True)
    pg.screenshot(path=str(out), full_page=True)
    ctx.close()
    bad = [
        f"{v['id']} ({v['impact']}, {len(v['nodes'])}x): {v['help']}; {v['nodes'][0]['target']}"
        for v in violations
        if v["impact"] in ("serious", "critical")
    ]
    assert not bad, f"{page} ({mode}): axe findings:\n" + "\n".join(bad)
    if mode == "dark":
        transparent = [src for src, bg in backgrounds if bg != "rgb(255, 255, 255)"]
        assert not transparent, f"{page}: figures without a white panel in dark mode: {transparent}"


@pytest.mark.parametrize("page", CHAPTERS)
def test_chapter_offers_its_notebook_and_its_run_time(page, server, browser):
    ctx, pg = _open(browser, server, page)
    runtime = pg.locator("main .rnn-runtime").inner_text()
    link = pg.locator("a.btn-download-source-button")
    href, download = link.get_attribute("href"), link.get_attribute("download")
    response = pg.request.get(f"{server}/{Path(page).parent.as_posix()}/{href}")
    notebook = response.json() if response.ok else {}
    ctx.close()
    assert re.search(
        r"took (under a second|\d+ s|[\d.]+ minutes) of CPU time when this book was built, "
        r"on a machine with \d+ CPU cores?\.",
        runtime,
    ), runtime
    assert download == Path(page).name + ".ipynb", (page, href, download)
    assert notebook.get("cells"), f"{page}: {href} is not its notebook"


PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}

LAYOUT_JS = """() => {
  const visible = e => { const r = e.getBoundingClientRect();
    return r.width > 0 && r.height > 0 && getComputedStyle(e).visibility !== 'hidden'; };
  const header = document.querySelector('.bd-header');
  // An equation scrolls in MathJax's container or in its own div.
  const scroller = b => { const m = b.querySelector('mjx-container');
    return m && m.scrollWidth > m.clientWidth + 1 ? m : b; };
  const wide = Array.from(document.querySelectorAll('.bd-article div.math'))
    .filter(b => { const s = scroller(b); return s.scrollWidth > s.clientWidth + 1; });
  return {
    pageWidth: document.documentElement.scrollWidth,
    viewport: window.innerWidth,
    topBar: header ? header.getBoundingClientRect().height : 0,
    searchBoxes: Array.from(document.querySelectorAll('.search-button-field')).filter(visible)
      .length,
    toggles: Array.from(document.querySelectorAll('.primary-toggle')).filter(visible).length,
    wide: wide.length,
    wideUnmarked: wide.filter(b => !scroller(b).classList.contains('rnn-wide') ||
      !['auto', 'scroll'].includes(getComputedStyle(scroller(b)).overflowX) ||
      !(b.nextElementSibling && b.nextElementSibling.classList.contains('rnn-scroll-cue')))
      .map(b => b.id || b.textContent.slice(0, 40)),
  };
}"""


def _open_at(browser, server, page, viewport, errors):
    ctx = browser.new_context(viewport=viewport)
    pg = ctx.new_page()
    pg.route("**/*", lambda r: r.continue_() if _local(r.request.url) else r.abort())
    pg.on("console", lambda m: m.type == "error" and errors.append(m.text))
    pg.on("pageerror", lambda e: errors.append(str(e)))
    pg.goto(f"{server}/{Path(page).with_suffix('.html').as_posix()}", wait_until="load")
    pg.wait_for_load_state("networkidle")
    _wait_for_mathjax(pg)
    pg.wait_for_timeout(300)  # book.js marks wide equations once MathJax has typeset
    return ctx, pg


@pytest.mark.parametrize("page", PAGES)
def test_phone_layout(page, server, browser):
    """At 390 px: nothing scrolls the page sideways, each equation wider than the screen
    scrolls in its own box with a visible cue, one toggle and no empty top bar, no console
    error."""
    errors = []
    ctx, pg = _open_at(browser, server, page, PHONE, errors)
    layout = pg.evaluate(LAYOUT_JS)
    ctx.close()
    assert layout["pageWidth"] <= layout["viewport"], (
        f"{page}: the page scrolls sideways on a phone ({layout['pageWidth']} px wide for "
        f"{layout['viewport']})"
    )
    assert not layout["wideUnmarked"], f"{page}: wide equations without a scroll cue: {layout}"
    assert layout["topBar"] == 0, f"{page}: an empty top bar ({layout['topBar']} px)"
    assert layout["toggles"] == 1, f"{page}: {layout['toggles']} visible sidebar toggles"
    assert not errors, f"{page}: console errors: {errors[:5]}"


SIDEBAR_LINKS = "#pst-primary-sidebar-modal a.reference.internal"


def test_sidebar_toggle_opens_the_chapters_on_a_phone(server, browser):
    errors = []
    ctx, pg = _open_at(browser, server, "book/02_srn", PHONE, errors)
    dialog = pg.locator("#pst-primary-sidebar-modal")
    assert not dialog.evaluate("d => d.open")
    pg.locator(".primary-toggle:visible").click()
    pg.wait_for_function("() => document.querySelector('#pst-primary-sidebar-modal').open")
    links = pg.locator(SIDEBAR_LINKS)
    assert links.count() >= 8, f"{links.count()} chapter links in the opened sidebar"
    target = pg.locator(f"{SIDEBAR_LINKS}[href*='03_bptt']").first
    box = target.bounding_box()
    assert box and 0 <= box["x"] < PHONE["width"], f"the chapter list is off screen: {box}"
    pg.keyboard.press("Escape")
    pg.wait_for_function("() => !document.querySelector('#pst-primary-sidebar-modal').open")
    pg.locator(".primary-toggle:visible").click()
    pg.wait_for_function("() => document.querySelector('#pst-primary-sidebar-modal').open")
    pg.locator(f"{SIDEBAR_LINKS}[href*='03_bptt']").first.click()
    pg.wait_for_url("**/03_bptt.html*")
    ctx.close()
    assert not errors, errors[:5]


def test_sidebar_toggle_hides_and_shows_the_chapters_on_a_desktop(server, browser):
    errors = []
    ctx, pg = _open_at(browser, server, "book/02_srn", DESKTOP, errors)
    sidebar = pg.locator("#pst-primary-sidebar")
    assert sidebar.is_visible() and sidebar.bounding_box()["width"] > 150
    layout = pg.evaluate(LAYOUT_JS)
    assert layout["searchBoxes"] == 1 and layout["topBar"] == 0, layout
    pg.locator(".primary-toggle:visible").click()
    pg.wait_for_timeout(600)  # the theme's transition
    hidden = sidebar.bounding_box()
    assert not sidebar.is_visible() or hidden is None or hidden["width"] < 5, hidden
    pg.locator(".primary-toggle:visible").click()
    pg.wait_for_timeout(600)
    shown = sidebar.bounding_box()
    ctx.close()
    assert shown and shown["width"] > 150, shown
    assert not errors, errors[:5]
