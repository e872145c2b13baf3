"""The book as one PDF (`make pdf`, or `make test`'s pdf-from-cache step, builds it with
book/_ext/print_pdf.py): read back with poppler-utils (pdftotext, pdfinfo, pdfimages).

Every page of the table of contents is in it, in order, each chapter starts on a new page and
at the page the contents give, no raw TeX is left where MathJax should have typeset, and no
figure is split across two pages.
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
