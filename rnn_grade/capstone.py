"""Shared pieces of the lesson capstones: what is still missing, the course's text.

A capstone runs the learner's own functions on the chapter's experiment. With stubs
left in (or a function whose check fails) it prints what is still to do and returns
None, so the notebook still runs top to bottom.
"""

import textwrap

import numpy as np

from rnn_course.data.text import CharVocab, load_corpus

from .execution import run_checks
from .registry import load_all

SECONDS = 30.0  # per exercise, for the checks the capstone runs first


def ready(**fns):
    """True when every learner function passes its checks; else print what is missing."""
    exercises = load_all()
    todo = []
    for name, fn in fns.items():
        ex = exercises[name]
        if ex.prepare:
            ex.prepare()
        result = run_checks(ex, fn, max(SECONDS, ex.seconds or 0))  # output captured
        if result["status"] != "pass":
            failed = [t["message"] for t in result["tests"] if not t["passed"]]
            why = (failed or [result.get("message", result["status"])])[0].splitlines()[0]
            if result["status"] == "not implemented":
                why = "not implemented yet"
            todo.append(f"  {name}: {why}")
    if todo:
        print("The capstone needs your functions; still to do:\n" + "\n".join(todo))
        print("Finish the exercises above (check(...) passes), then run this cell again.")
    return not todo


def show(label, text, width=72):
    """Print ``label`` and ``text`` wrapped to ``width`` columns (newlines shown as ⏎)."""
    print(label)
    print(textwrap.fill(text.replace("\n", "⏎"), width, initial_indent="  ",
                        subsequent_indent="  ", drop_whitespace=False))  # fmt: skip


def text_ids(max_chars):
    """(vocab, ids): the first ``max_chars`` characters of the pydoc corpus as token ids."""
    text = load_corpus("pydoc", max_chars=max_chars)
    vocab = CharVocab.from_text(text)
    return vocab, np.asarray(vocab.encode(text))
