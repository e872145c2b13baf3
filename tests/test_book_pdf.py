"""The book as one PDF (`make pdf`, or `make test`'s pdf-from-cache step, builds it with
book/_ext/print_pdf.py): read back with poppler-utils (pdftotext, pdfinfo, pdfimages).

Every page of the table of contents is in it, in order, each chapter starts on a new page and
at the page the contents give, no raw TeX is left where MathJax should have typeset, no
figure is split across two pages, no heading ends a page, and the appendix "Answers to the
self-checks" answers every quiz of the book, each printed quiz pointing to its answer's page.
"""

import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.test_repo_hygiene import toc_files

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[1]
PDF = ROOT / "_build" / "pdf" / "rnn-course.pdf"
IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}
# TeX that would be visible had MathJax not typeset; allowed only as often as code shows it.
RAW_TEX = (
    "$$",
    "\\(",
    "\\[",
    "\\frac",
    "\\begin{",
    "\\mathbf",
    "\\odot",
    "\\sum_",
    "\\partial",
    "\\tanh",
    "\\sigma",
    "\\left",
    "\\mathrm",
    "\\top",
)


def _require(condition, reason):
    if not condition:
        if IN_CI:
            pytest.fail(reason)
        pytest.skip(reason)


def _run(*cmd):
    return subprocess.run(cmd, check=True, capture_output=True).stdout.decode("utf-8")


@pytest.fixture(scope="module")
def pdf():
    _require(shutil.which("pdftotext"), "poppler-utils missing: apt-get install poppler-utils")
    _require(PDF.exists(), f"{PDF} is missing: run `make pdf` (make test builds it)")
    pages = _run("pdftotext", "-enc", "UTF-8", str(PDF), "-").split("\f")[:-1]
    dests = {}
    for line in _run("pdfinfo", "-dests", str(PDF)).splitlines():
        m = re.match(r'^\s*(\d+)\s+\[ XYZ\s+\S+\s+(\S+).*\]\s+"(.*)"\s*$', line)
        if m:
            dests[m.group(3)] = (int(m.group(1)), float(m.group(2)))
    return pages, dests


def _norm(text):
    return re.sub(r"\s+", " ", text).strip()


def _page_title(page):
    """The first '# ' heading of a page's source (markdown file or notebook)."""
    path = ROOT / page
    if (nb := path.with_suffix(".ipynb")).exists():
        cells = json.loads(nb.read_text())["cells"]
        lines = [ln for c in cells if c["cell_type"] == "markdown" for ln in c["source"]]
    else:
        lines = path.with_suffix(".md").read_text().splitlines()
    return next(ln[2:].strip() for ln in lines if ln.startswith("# "))


def _code_text():
    text = []
    for nb in (ROOT / "book").glob("*.ipynb"):
        for cell in json.loads(nb.read_text())["cells"]:
            if cell["cell_type"] == "code":
                text.append("".join(cell["source"]))
    return "\n".join(text)


def test_page_count(pdf):
    pages, _ = pdf
    # About 120 pages today; a collapse (a missing chapter) or a blow-up (a page per
    # output line) is a bug.
    assert 60 <= len(pages) <= 400, f"{len(pages)} pages"


@pytest.mark.parametrize("page", toc_files())
def test_every_page_is_in_the_pdf_in_order(pdf, page):
    pages, _ = pdf
    text = [_norm(p) for p in pages]
    title = _norm(re.sub(r"[*`]", "", _page_title(page)))
    body = [i for i, t in enumerate(text) if title in t]
    assert len(body) >= 2, f"{title!r} appears on pages {body}: expected the contents and itself"


def test_pages_start_a_page_where_the_contents_say(pdf):
    pages, dests = pdf
    # -layout keeps each contents row (title, then its page number) on one line; the
    # default reading order can put the numbers of a long page apart from their titles.
    contents = _norm(_run("pdftotext", "-enc", "UTF-8", "-layout", "-l", "8", str(PDF), "-"))
    for page in toc_files()[1:]:
        title = _norm(re.sub(r"[*`]", "", _page_title(page)))
        anchor = f"document-{page}"
        assert anchor in dests, f"{page}: no destination {anchor!r} in the PDF"
        n0 = dests[anchor][0]  # the anchor ends the previous page or starts this one
        top = [n for n in (n0, n0 + 1) if title in _norm(pages[n - 1])[:250]]
        assert top, f"{page}: {title!r} does not start page {n0} or {n0 + 1}"
        n = top[0]
        assert re.search(re.escape(title) + r" " + str(n) + r"\b", contents), (
            f"{page}: the contents do not give page {n} for {title!r}"
        )


def test_no_raw_tex_is_left(pdf):
    pages, _ = pdf
    text = "\n".join(pages)
    code = _code_text()
    for raw in RAW_TEX:
        assert text.count(raw) <= code.count(raw), (
            f"raw TeX {raw!r} printed {text.count(raw)} times (code has {code.count(raw)}): "
            "MathJax did not typeset before printing"
        )


def test_no_figure_is_split_across_pages():
    _require(shutil.which("pdfimages"), "poppler-utils missing: apt-get install poppler-utils")
    _require(PDF.exists(), f"{PDF} is missing: run `make pdf`")
    pages_of = {}
    for line in _run("pdfimages", "-list", str(PDF)).splitlines()[2:]:
        f = line.split()
        if f[5] != "gray":  # figures are colour images; grey ones are the page's shading
            pages_of.setdefault(f[10], set()).add(int(f[0]))
    assert len(pages_of) >= 20, f"only {len(pages_of)} figures in the PDF"
    split = {obj: sorted(p) for obj, p in pages_of.items() if any(q + 1 in p for q in p)}
    assert not split, f"images drawn on two consecutive pages (split figures?): {split}"


QUIZ_RE = re.compile(r"^```\{quiz\}", re.M)


QUIZ_BODY_RE = re.compile(r"^```\{quiz\}\n:id:[^\n]*\n(.*?)^```", re.M | re.S)


def _quiz_sources():
    """The YAML body of every quiz written in the book's sources (pages and notebooks)."""
    texts = []
    for path in (ROOT / "book").iterdir():
        if path.suffix == ".md":
            texts.append(path.read_text())
        elif path.suffix == ".ipynb":
            for cell in json.loads(path.read_text())["cells"]:
                if cell["cell_type"] == "markdown":
                    texts.append("".join(cell["source"]))
    n = sum(len(QUIZ_RE.findall(t)) for t in texts)
    bodies = [b for t in texts for b in QUIZ_BODY_RE.findall(t)]
    assert len(bodies) == n, "a quiz whose body this test cannot find"
    return bodies


def _quiz_count():
    return len(_quiz_sources())


def _right_why_start(body):
    """The first words of the explanation of a quiz's right answer, before any markup."""
    import yaml

    spec = yaml.safe_load(body)
    if "choices" in spec:
        why = next(c["why"] for c in spec["choices"] if c.get("correct"))
    else:
        why = spec["why"]
    words = re.split(r"[$`*\[{(]", why, maxsplit=1)[0].split()
    return " ".join(words[:4]) if len(words) >= 3 else None


ANSWERS = "Answers to the self-checks"


def test_the_answers_appendix_answers_every_quiz(pdf):
    pages, _ = pdf
    text = [_norm(p) for p in pages]
    n_quiz = _quiz_count()
    assert n_quiz >= 18, f"only {n_quiz} quizzes found in the sources"
    start = [i for i, t in enumerate(text) if t.startswith(ANSWERS) or f" {ANSWERS} Each" in t]
    assert start, f"no page starts the appendix {ANSWERS!r}"
    appendix = " ".join(text[start[0] :])
    contents = _norm(_run("pdftotext", "-enc", "UTF-8", "-layout", "-l", "8", str(PDF), "-"))
    assert re.search(re.escape(ANSWERS) + r" " + str(start[0] + 1) + r"\b", contents), (
        f"the contents do not list {ANSWERS!r} at page {start[0] + 1}"
    )
    # "Self-check 2.3 (question on page 57)"; quizzes outside the chapters are named
    # after their page: "How to use this book, self-check 1 (question on page 7)".
    entries = re.findall(r"(self-check [\d.]+) \(question on page (\d+)\)", appendix, re.I)
    assert len(entries) == n_quiz, f"{len(entries)} answers for {n_quiz} quizzes"
    assert appendix.count("Answer:") == n_quiz
    whys = [w for w in map(_right_why_start, _quiz_sources()) if w]
    plain = appendix.replace("\u2019", "'").replace("\u2018", "'")  # Sphinx's smart quotes
    missing = [w for w in whys if w not in plain]
    assert len(whys) >= n_quiz // 2 and not missing, f"explanations missing: {missing[:5]}"
    # Each printed quiz names its entry, and the entry gives the quiz's page.
    body = " ".join(text[: start[0]])
    refs = body.count("the answer and why are in")
    assert refs == n_quiz, f"{refs} printed quizzes point to the appendix, of {n_quiz}"
    for label, page in entries:
        label = label.lower()
        assert f"{label}: the answer and why are in" in text[int(page) - 1].lower(), (
            f"{label}: its question is not on page {page}"
        )


# A4 is 842 pt high and the bottom margin 1.7 cm (48 pt): a heading whose top is less
# than about four lines above the margin ends its page.
FOOT_PT = 48 + 60


def test_no_heading_ends_a_page(pdf):
    _, dests = pdf
    headings = {k: v for k, v in dests.items() if k.startswith("rnn-toc-")}
    assert len(headings) >= 50, f"only {len(headings)} headings have a destination"
    low = {k: v for k, v in headings.items() if v[1] < FOOT_PT}
    assert not low, f"headings at the foot of a page (page, y in pt): {low}"
