"""The `{quiz}` directive (book/_ext/quiz.py), built by Sphinx on a few small MyST pages.

A good quiz becomes a form (fieldset, legend, radios or a text field, a live region) with its
texts parsed as inline MyST; a malformed one fails the build with a message that names the
quiz and what was expected. The browser test clicks the real quizzes of the built book.
"""

import io
import re
from pathlib import Path

import pytest

pytest.importorskip("myst_parser")
from sphinx.application import Sphinx  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]

GOOD = """
(good-target)=
# Good

```{math}
:label: eq-good
x^2 = 4
```

```{quiz}
:id: t-choice
question: >-
  What is `x` when $x^2 = 4$ and $x > 0$?
choices:
  - text: >-
      $2$
    correct: true
    why: >-
      Because $2 \\cdot 2 = 4$; see {ref}`good-target`, {eq}`eq-good` and
      [the top](#good-target).
  - text: >-
      `-2`
    why: >-
      Negative.
```

```{quiz}
:id: t-number
question: >-
  Type $1/4$.
answer: 0.25
tolerance: 0.01
why: >-
  It is a quarter.
```
"""

BAD = {
    "no_id": ("", "question: >-\n  Q?\nanswer: 1\nwhy: >-\n  W.", "needs `:id:`"),
    "two_correct": (
        "b-two",
        "question: Q?\nchoices:\n  - {text: a, correct: true, why: w}\n"
        "  - {text: b, correct: true, why: w}",
        "exactly one choice",
    ),
    "no_correct": (
        "b-none",
        "question: Q?\nchoices:\n  - {text: a, why: w}\n  - {text: b, why: w}",
        "exactly one choice",
    ),
    "missing_why": (
        "b-why",
        "question: Q?\nchoices:\n  - {text: a, correct: true}\n  - {text: b, why: w}",
        "choice 1 why must be a non-empty text",
    ),
    "answer_text": ("b-ans", "question: Q?\nanswer: lots\nwhy: w", "`answer:` must be a number"),
    "neg_tol": ("b-tol", "question: Q?\nanswer: 1\ntolerance: -1\nwhy: w", "`tolerance:`"),
    "typo_key": ("b-key", "question: Q?\nanswers: 1\nwhy: w", "expected keys"),
    "not_yaml": ("b-yaml", "question: [unclosed", "not valid YAML"),
    "one_choice": (
        "b-one",
        "question: Q?\nchoices:\n  - {text: a, correct: true, why: w}",
        "at least two",
    ),
    "zz_duplicate": ("t-choice", "question: Q?\nanswer: 1\nwhy: w", "already used"),
}


def _quiz(quiz_id, body):
    opt = f":id: {quiz_id}\n" if quiz_id else ""
    return f"```{{quiz}}\n{opt}{body}\n```\n"


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    src = tmp_path_factory.mktemp("src")
    (src / "conf.py").write_text(
        "import sys\n"
        f"sys.path.insert(0, {str(ROOT / 'book' / '_ext')!r})\n"
        "extensions = ['myst_parser', 'quiz']\n"
        "myst_enable_extensions = ['dollarmath']\n"
        "exclude_patterns = ['_build']\n"
    )
    pages = ["good"] + list(BAD)
    (src / "index.md").write_text("# Index\n\n```{toctree}\n" + "\n".join(pages) + "\n```\n")
    (src / "good.md").write_text(GOOD)
    for name, (quiz_id, body, _) in BAD.items():
        (src / f"{name}.md").write_text(f"# {name}\n\n" + _quiz(quiz_id, body))
    out = src / "_build"
    warnings = io.StringIO()
    app = Sphinx(src, src, out, out / ".doctrees", "html", status=None, warning=warnings)
    app.build()
    return out, warnings.getvalue()


def test_good_quizzes_become_accessible_forms(built):
    out, warnings = built
    assert "good.md" not in warnings, warnings
    html = (out / "good.html").read_text()
    choice = html[html.index('id="quiz-t-choice"') :]
    assert re.search(r"<fieldset><legend>.*What is <code[^>]*>.*x.*</code>", choice)
    assert '<span class="math notranslate nohighlight">\\(x^2 = 4\\)</span>' in choice
    radios = re.findall(r'<input type="radio" name="quiz-t-choice" id="([^"]+)"', choice)
    assert sorted(radios) == ["quiz-t-choice-c0", "quiz-t-choice-c1"]  # shown in id order
    for r in radios:
        assert f'<label for="{r}">' in choice
    assert 'data-correct="true"' in choice and 'data-correct="false"' in choice
    assert 'role="status" aria-live="polite"' in choice
    number = html[html.index('id="quiz-t-number"') :]
    assert 'data-answer="0.25" data-tolerance="0.01"' in number
    assert '<label for="quiz-t-number-answer">' in number
    assert "quiz.js" in html and "quiz.css" in html
    assert (out / "_static" / "quiz.js").exists()
    assert re.search(r'<a class="reference internal" href="#good-target">', choice)
    assert re.search(r'<a class="reference internal" href="#equation-eq-good">', choice)


@pytest.mark.parametrize("name", list(BAD))
def test_bad_quiz_fails_with_a_clear_message(built, name):
    _, warnings = built
    lines = [w for w in warnings.splitlines() if f"{name}.md" in w]
    expected = BAD[name][2]
    assert any(expected in w for w in lines), f"{name}: expected {expected!r} in {lines}"
