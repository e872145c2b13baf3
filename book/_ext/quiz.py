"""The ``{quiz}`` directive: self-check questions that work in the static HTML.

A quiz is written in a chapter's markdown as YAML::

    ```{quiz}
    :id: ch02-state-shape
    question: >-
      What shape does `h_prev @ W_hh.T` have?
    choices:
      - text: >-
          `(B, H)`
        correct: true
        why: >-
          Each row is one sequence's state.
      - text: >-
          `(H, B)`
        why: >-
          That is the layout of the maths, not of the code.
    ```

or, for a number, ``answer: 0.25``, ``tolerance: 0.01`` (absolute) and one ``why``.
Choices are shown in an order fixed by the quiz id, not in the order written, so the
right answer is not always the first. Every text is parsed as inline MyST, so
backticks and ``$math$`` work. The HTML is
a form with a fieldset and legend, radio buttons (or a text field), a Check button
and a live region for the feedback; ``_static/quiz.js`` does the checking in the
browser, with no kernel and no network.
"""

from __future__ import annotations

import math
import re
import zlib
from pathlib import Path

import yaml
from docutils import nodes
from sphinx.util.docutils import SphinxDirective

ID_RE = re.compile(r"^[a-z0-9][a-z0-9-]*$")
CHOICE_KEYS = {"question", "choices"}
NUMBER_KEYS = {"question", "answer", "tolerance", "why"}


class quiz_html(nodes.Element):
    """One HTML element: ``tag`` and ``attrs``; its children are rendered inside."""


def visit_quiz_html(self, node):
    attrs = "".join(
        f' {k}="{self.attval(str(v))}"' if v is not True else f" {k}"
        for k, v in node["attrs"].items()
    )
    self.body.append(f"<{node['tag']}{attrs}>")


def depart_quiz_html(self, node):
    if node["tag"] != "input":
        self.body.append(f"</{node['tag']}>")


def skip_quiz(self, node):
    raise nodes.SkipNode


def _el(tag, *children, **attrs):
    attrs = {k.rstrip("_").replace("_", "-"): v for k, v in attrs.items() if v is not None}
    return quiz_html("", *children, tag=tag, attrs=attrs)


def _number(value):
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


class QuizDirective(SphinxDirective):
    """Parse the YAML body of a ``{quiz}``, check it, and build its form."""

    has_content = True
    option_spec = {"id": lambda arg: (arg or "").strip()}

    def fail(self, message):
        quiz_id = self.options.get("id", "?")
        return self.error(f"quiz {quiz_id!r}: {message}")

    def inline(self, field, value):
        if not isinstance(value, str) or not value.strip():
            raise self.fail(f"{field} must be a non-empty text (write it as `{field}: >-`)")
        children, messages = self.state.inline_text(value.strip(), self.lineno)
        # A TextElement parent, as a paragraph would be: the HTML writer asserts one around
        # references ({numref}, {eq}, {ref}, links).
        return [nodes.inline("", "", *children), *messages]

    def run(self):
        quiz_id = self.options.get("id", "")
        if not ID_RE.match(quiz_id):
            raise self.fail("needs `:id:` of lowercase letters, digits and '-', e.g. ch02-shape")
        seen = self.env.domaindata.setdefault("rnn_quiz", {})
        if seen.get(quiz_id, self.env.docname) != self.env.docname or quiz_id in self.ids:
            where = seen.get(quiz_id)
            raise self.fail(f"the id is already used (in {where}); ids are unique in the book")
        seen[quiz_id] = self.env.docname
        self.ids.add(quiz_id)
        try:
            spec = yaml.safe_load("\n".join(self.content))
        except yaml.YAMLError as exc:
            raise self.fail(f"the body is not valid YAML: {exc}") from None
        if not isinstance(spec, dict):
            raise self.fail("the body must be YAML with `question:` and `choices:` or `answer:`")
        keys = set(spec)
        if "choices" in spec and keys <= CHOICE_KEYS:
            body = self.choices(quiz_id, spec["choices"])
        elif "answer" in spec and keys <= NUMBER_KEYS:
            body = self.numeric(quiz_id, spec)
        else:
            raise self.fail(
                f"expected keys {sorted(CHOICE_KEYS)} or {sorted(NUMBER_KEYS)}, got {sorted(keys)}"
            )
        legend = _el("legend", _el("span", nodes.Text("Check yourself"), class_="rnn-quiz-tag"))
        legend += _el("span", *self.inline("question", spec.get("question")), class_="rnn-quiz-q")
        fieldset, feedback = body
        fieldset.insert(0, legend)
        button = _el("button", nodes.Text("Check answer"), type="submit", class_="rnn-quiz-check")
        form = _el(
            "form",
            fieldset,
            _el("div", button, class_="rnn-quiz-actions"),
            feedback,
            class_="rnn-quiz-form",
            novalidate=True,
        )
        kind = "choice" if "choices" in spec else "number"
        return [_el("div", form, class_="rnn-quiz", id=f"quiz-{quiz_id}", data_kind=kind)]

    def choices(self, quiz_id, choices):
        if not isinstance(choices, list) or len(choices) < 2:
            raise self.fail("`choices:` must be a list of at least two choices")
        fieldset = _el("fieldset")
        feedback = self.feedback()
        n_correct, shown = 0, []
        for i, choice in enumerate(choices):
            if not isinstance(choice, dict) or not set(choice) <= {"text", "correct", "why"}:
                raise self.fail(f"choice {i + 1} must have `text:`, `why:` and maybe `correct:`")
            correct = choice.get("correct", False)
            if not isinstance(correct, bool):
                raise self.fail(f"choice {i + 1}: `correct:` must be true or false")
            n_correct += correct
            input_id = f"quiz-{quiz_id}-c{i}"
            radio = _el(
                "input",
                type="radio",
                name=f"quiz-{quiz_id}",
                id=input_id,
                value=str(i),
                data_correct="true" if correct else "false",
            )
            text = _el("span", *self.inline(f"choice {i + 1} text", choice.get("text")))
            text["attrs"]["id"] = f"{input_id}-t"
            radio["attrs"]["aria-labelledby"] = f"{input_id}-n {input_id}-t"
            shown.append((input_id, radio, text))
            why = self.inline(f"choice {i + 1} why", choice.get("why"))
            feedback += _el("p", *why, class_="rnn-quiz-why", data_choice=str(i), hidden=True)
        if n_correct != 1:
            raise self.fail(f"exactly one choice must have `correct: true` (found {n_correct})")
        # Authors tend to write the right answer first; show the choices in an order
        # fixed by the quiz id instead, so that the right one is not always A.
        shown.sort(key=lambda c: zlib.crc32(f"{quiz_id}/{c[0]}".encode()))
        for position, (input_id, radio, text) in enumerate(shown):
            # A letter starts each choice's name, so that a choice that is only an equation
            # still has a text name (axe's label rule does not count MathJax's MathML).
            letter = _el("span", nodes.Text(f"{chr(65 + position)}."), id=f"{input_id}-n")
            letter["attrs"]["class"] = "rnn-quiz-letter"
            label = _el("label", letter, nodes.Text(" "), text)
            label["attrs"]["for"] = input_id
            fieldset += _el("div", radio, label, class_="rnn-quiz-choice")
        return fieldset, feedback

    def numeric(self, quiz_id, spec):
        answer, tolerance = spec["answer"], spec.get("tolerance", 0)
        if not _number(answer):
            raise self.fail(f"`answer:` must be a number, got {answer!r}")
        if not _number(tolerance) or tolerance < 0:
            raise self.fail(f"`tolerance:` must be a number >= 0, got {tolerance!r}")
        input_id = f"quiz-{quiz_id}-answer"
        label = _el("label", nodes.Text("Your answer"), for_=input_id)
        field = _el(
            "input",
            type="text",
            inputmode="decimal",
            autocomplete="off",
            id=input_id,
            data_answer=repr(float(answer)),
            data_tolerance=repr(float(tolerance)),
        )
        fieldset = _el("fieldset", _el("div", label, field, class_="rnn-quiz-number"))
        feedback = self.feedback()
        why = self.inline("why", spec.get("why"))
        feedback += _el("p", *why, class_="rnn-quiz-why", data_choice="answer", hidden=True)
        return fieldset, feedback

    def feedback(self):
        verdict = _el("p", class_="rnn-quiz-verdict")
        return _el("div", verdict, class_="rnn-quiz-feedback", role="status", aria_live="polite")

    @property
    def ids(self):
        return self.env.temp_data.setdefault("rnn_quiz_ids", set())


def purge(app, env, docname):
    data = env.domaindata.get("rnn_quiz", {})
    for quiz_id in [k for k, v in data.items() if v == docname]:
        del data[quiz_id]


def setup(app):
    static = Path(__file__).resolve().parent.parent / "_static"

    def add_static(app):
        if str(static) not in app.config.html_static_path:
            app.config.html_static_path.append(str(static))

    app.connect("builder-inited", add_static)
    app.connect("env-purge-doc", purge)
    app.add_js_file("quiz.js", defer="defer")
    app.add_css_file("quiz.css")
    html = (visit_quiz_html, depart_quiz_html)
    other = (skip_quiz, None)
    app.add_node(
        quiz_html,
        html=html,
        latex=other,
        text=other,
        man=other,
        texinfo=other,
    )
    app.add_directive("quiz", QuizDirective)
    return {"version": "1.0", "parallel_read_safe": False, "parallel_write_safe": True}
