"""Bounded captured output and the one-line description of a learner's exception.

Used on both sides: by the learner process (``worker``) and by the notebook's
self-check (``rnn_grade.execution``). Standard library only.
"""

import io
import os
import traceback

MAX_OUTPUT = 2000  # characters of the learner's printed output kept per exercise


class BoundedOutput(io.TextIOBase):
    """A text stream that keeps the first ``limit`` characters and counts the rest."""

    def __init__(self, limit=MAX_OUTPUT):
        self.limit, self.parts, self.kept, self.total = limit, [], 0, 0

    def writable(self):
        return True

    def write(self, s):
        s = str(s)
        self.total += len(s)
        if self.kept < self.limit:
            piece = s[: self.limit - self.kept]
            self.parts.append(piece)
            self.kept += len(piece)
        return len(s)

    def text(self):
        out = "".join(self.parts)
        if self.total > self.kept:
            out += (
                f"\n... [output truncated: {self.total:,} characters printed, first "
                f"{self.kept:,} shown]"
            )
        return out


_GRADER_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))  # rnn_grade/


def learner_line(exc):
    """'line N: code' of the deepest traceback frame that is not the grader's own code."""
    frames = traceback.extract_tb(exc.__traceback__)
    mine = [
        f
        for f in frames
        if not os.path.abspath(f.filename).startswith(_GRADER_DIR)
        and "site-packages" not in f.filename
        and "/lib/python" not in f.filename
    ]
    if not mine:
        return ""
    f = mine[-1]
    where = (
        "your exercise cell" if f.filename.startswith("<exercise") else os.path.basename(f.filename)
    )
    code = f" → {f.line.strip()}" if f.line else ""
    return f" (line {f.lineno} of {where}{code})"


def describe_exception(exc):
    msg = str(exc).strip().splitlines()[0][:300] if str(exc).strip() else ""
    return (
        f"your code raised {type(exc).__name__}" + (f": {msg}" if msg else "") + learner_line(exc)
    )
