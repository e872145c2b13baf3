"""Writers of the typed results: text for people, JSON and CSV for tools, Gradescope's file.

They all read ``results.NotebookResult`` / ``ExerciseResult`` and show the same numbers.

- Text (``notebook_text``, ``summary_text``): everything shown in a terminal goes
  through ``escape``; names a student chose (file, folder) go through
  ``escape_name``, which also escapes newlines, so a file name cannot paint a fake
  PASS block or a fake score.
- JSON (``JsonReport``): one document, appended to as the run goes and valid JSON
  once the run ends (also on Ctrl-C). Each notebook is one line inside the
  ``"notebooks"`` list; a report cut short (the machine died) still yields every
  notebook line by line (``read_json``). Notebooks are in the order they finished;
  each names its student.
- CSV (``CsvReport``): a row appended per notebook as the run goes; when the run ends
  the file is put in student order once (with the similarity column filled in),
  atomically. A cell a student named never starts a spreadsheet formula.
- Gradescope (``gradescope``, ``write_gradescope``): ``results.json`` of one notebook.
"""

import csv
import io
import json
import os
import unicodedata

from .results import ExerciseResult, NotebookResult, sort_key

SYMBOL = {"pass": "PASS", "fail": "FAIL", "not implemented": "TODO", "timeout": "TIME"}
FORMAT = "rnn-grade report 2"


# ------------------------------------------------------------------ escaping


def escape(text):
    """``text`` with every control or format character except newline shown as an escape."""
    out = []
    for ch in str(text):
        if ch == "\n" or (ch.isprintable() and unicodedata.category(ch) != "Cf"):
            out.append(ch)
        elif ch == "\t":
            out.append("    ")
        else:
            out.append(_code(ch))
    return "".join(out)


def _code(ch):
    code = ord(ch)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def escape_name(text):
    """A name a student chose, on one line: every control character, newline included, escaped."""
    out = []
    for ch in str(text):
        printable = ch.isprintable() and unicodedata.category(ch) not in ("Cf", "Zl", "Zp")
        out.append(ch if printable else NAMED.get(ch) or _code(ch))
    return "".join(out)


def earned(ex):
    """Points earned by one exercise result (a dict from ``run_checks`` or an ExerciseResult)."""
    return _exercise(ex).earned


def _exercise(ex):
    return ex if isinstance(ex, ExerciseResult) else ExerciseResult.from_dict(ex)


def _indent(text, prefix):
    return "\n".join(prefix + line for line in text.splitlines())


# ------------------------------------------------------------------ text


def exercise_text(ex, verbose=True):
    """Lines for one exercise result (shared by the shell report and ``check``)."""
    ex = _exercise(ex)
    status = ex.status.value
    head = (
        f"[{SYMBOL.get(status, status.upper())}] {ex.id:<24} {ex.passed}/{ex.total} tests"
        f"  {ex.earned:g}/{ex.points:g} points"
    )
    lines = [head]
    if ex.message:
        lines.append(_indent(ex.message, "       "))
    for t in ex.tests:
        if not t.passed or verbose:
            lines.append(f"       {'ok  ' if t.passed else 'FAIL'} {t.name}")
            if t.message:
                lines.append(_indent(t.message, "            "))
    if ex.output:
        lines.append("       your code printed:")
        lines.append(_indent(escape(ex.output), "         | "))
    return escape("\n".join(lines))


def who(r):
    """'alice (Alice Liddell)': the student, escaped."""
    name = f" ({escape_name(r.name)})" if r.name and r.name != r.student else ""
    return (escape_name(r.student) or "?") + name


def headline(r):
    """One line: who, file, lesson, status and score."""
    title = f"lesson {r.lesson}" if r.lesson else "lesson unknown"
    score = f"{r.score:g}/{r.max_score:g}" if r.maximum is not None or r.exercises else "-"
    state = "complete" if r.complete else r.status.value
    return f"{who(r)}: {escape_name(r.path)}  ({title}; {state}; score {score})"


def notebook_text(r, verbose=False):
    """The block of one notebook: headline, notes, flags, every exercise."""
    title = f"lesson {r.lesson}: {r.title}" if r.lesson else "unknown lesson"
    lines = [f"{who(r)}: {escape_name(r.path)}  ({title})"]
    if r.sandbox == "none" and r.status.graded:
        lines.append("  note: graded WITHOUT a sandbox: " + r.sandbox_note)
    if r.error:
        lines.append(_indent("ERROR " + r.error, "  "))
    for flag in r.flags:
        lines.append("  FLAG " + escape_name(flag))
    for note in r.similarity:
        lines.append("  SIMILAR " + escape_name(note))
    for ex in r.exercises:
        lines.append(_indent(exercise_text(ex, verbose), "  "))
    lines.append(
        f"  score: {r.score:g}/{r.max_score:g} points ({r.tests_passed}/{r.tests_total} tests)"
    )
    return escape("\n".join(lines))


def counts(results):
    """The summary's numbers (a dict, also written to the JSON)."""
    graded = [r for r in results if r.status.graded]
    by_status = {}
    for r in results:
        by_status[r.status.value] = by_status.get(r.status.value, 0) + 1
    scored = [r for r in results if r.maximum is not None or r.exercises]
    total_max = sum(r.max_score for r in scored)
    return {
        "notebooks": sum(r.status.value != "missing" for r in results),
        "graded": len(graded),
        "complete": sum(r.complete for r in results),
        "mean_score": round(sum(r.score for r in scored) / len(scored), 3) if scored else None,
        "mean_maximum": round(total_max / len(scored), 3) if scored else None,
        "timeouts": sum(r.timed_out for r in graded),
        "grader_errors": by_status.get("grader error", 0),
        "malformed": by_status.get("not a notebook", 0),
        "refused": by_status.get("refused", 0),
        "unknown_lesson": by_status.get("unknown lesson", 0),
        "missing": by_status.get("missing", 0),
        "flagged": sum(bool(r.flags) for r in results),
        "not_graded": sum(not r.status.graded and r.status.value != "missing" for r in results),
    }


def summary_text(results, similarity=None):
    """The end of a class run: counts, who is missing, what is flagged, similar code."""
    c = counts(results)
    lessons = sorted({r.lesson for r in results if r.lesson})
    mean = ""
    if c["mean_score"] is not None:
        pct = 100 * c["mean_score"] / c["mean_maximum"] if c["mean_maximum"] else 0.0
        mean = f", mean score {c['mean_score']:.2f}/{c['mean_maximum']:g} ({pct:.0f}%)"
        if len(lessons) > 1:  # maxima differ: only the share of the maximum is a mean
            mean = f", mean score {pct:.0f}% of the maximum"
    lines = [
        f"summary (lesson {', '.join(lessons) or '?'}): {c['notebooks']} notebooks, "
        f"{c['graded']} graded, {c['complete']} complete{mean}",
        f"  timeouts {c['timeouts']}, grader errors {c['grader_errors']}, "
        f"malformed {c['malformed']}, refused {c['refused']}, "
        f"unknown lesson {c['unknown_lesson']}, missing {c['missing']}",
    ]
    missing = [r for r in results if r.status.value == "missing"]
    if missing:
        lines.append("  handed in nothing: " + ", ".join(who(r) for r in missing))
    flagged = [r for r in results if any(not f.startswith("mixed:") for f in r.flags)]
    if flagged:
        lines.append(f"  flagged ({len(flagged)}; read the FLAG lines above or the JSON):")
        for r in flagged[:20]:
            first = next(f for f in r.flags if not f.startswith("mixed:"))
            lines.append(f"    {who(r)}: {escape_name(first)}")
        if len(flagged) > 20:
            lines.append(f"    ... and {len(flagged) - 20} more")
    if similarity is not None:
        lines.extend("  " + line for line in similarity.summary_lines())
    return escape("\n".join(lines))


# ------------------------------------------------------------------ JSON


class JsonReport:
    """The JSON report, appended to as the run goes; valid JSON once ``close`` has run.

    Layout: ``{"format": ..., <meta>, "notebooks": [`` then one notebook per line, then
    ``], "similarity": ..., "summary": ..., "all_passed": ...}``.
    """

    def __init__(self, path, **meta):
        self.file = open(path, "w", encoding="utf-8")  # noqa: SIM115
        head = json.dumps({"format": FORMAT, **meta})[:-1]
        self.file.write(head + ', "notebooks": [\n')
        self.file.flush()
        self.count = 0

    def add(self, result):
        line = json.dumps(result.to_dict(), ensure_ascii=False)
        self.file.write(("," if self.count else "") + line + "\n")
        self.file.flush()
        self.count += 1

    def close(self, results=None, similarity=None):
        if self.file.closed:
            return
        tail = {}
        if similarity is not None:
            tail["similarity"] = similarity.to_dict()
        if results is not None:
            tail["summary"] = counts(results)
            tail["all_passed"] = bool(results) and all(r.complete for r in results)
        body = json.dumps(tail, ensure_ascii=False)[1:]
        self.file.write("]" + (", " + body if tail else "}") + "\n")
        self.file.close()


def read_json(path):
    """The JSON report as a dict; a report cut short gives its notebooks, line by line."""
    with open(path, encoding="utf-8") as f:
        text = f.read()
    try:
        return json.loads(text)
    except ValueError:
        pass
    notebooks = []
    for line in text.splitlines()[1:]:
        try:
            notebooks.append(json.loads(line.lstrip(",")))
        except ValueError:
            break
    return {"format": FORMAT, "notebooks": notebooks, "complete_file": False}


# ------------------------------------------------------------------ CSV


def csv_columns(exercise_ids):
    """The CSV's header: who, which file, one column per exercise, the totals, the notes."""
    return [
        "student", "name", "lesson", "file", *exercise_ids, "total", "maximum", "status",
        "sandbox", "flags", "similarity",
    ]  # fmt: skip


def _cell(text):
    """A CSV cell on one line that a spreadsheet will not run as a formula."""
    text = escape_name(text)
    return "'" + text if text[:1] in ("=", "+", "-", "@") else text


def csv_row(r, exercise_ids):
    got = {e.id: e.earned for e in r.exercises}
    score = r.maximum is not None or r.exercises
    row = {
        "student": _cell(r.student),
        "name": _cell(r.name),
        "lesson": r.lesson or "",
        "file": _cell(r.path),
        "total": f"{r.score:g}" if score else "",
        "maximum": f"{r.max_score:g}" if score else "",
        "status": r.status.value,
        "sandbox": r.sandbox,
        "flags": _cell(" | ".join(r.flags)),
        "similarity": _cell(" | ".join(r.similarity)),
    }
    for ex_id in exercise_ids:
        row[ex_id] = f"{got[ex_id]:g}" if ex_id in got else ""
    if r.status.value == "missing" or (not r.status.graded and r.maximum is not None):
        lesson_of = exercise_ids if isinstance(exercise_ids, dict) else {}
        for ex_id in exercise_ids:  # nothing graded: 0 of every exercise of its lesson
            if lesson_of.get(ex_id, r.lesson) == r.lesson:
                row[ex_id] = row[ex_id] or "0"
    return row


class CsvReport:
    """A CSV file: a row appended (and flushed) per notebook, sorted by student at the end."""

    def __init__(self, path, exercise_ids):
        """``exercise_ids``: the exercise columns, or {exercise id: lesson} in column order."""
        self.path, self.ids = path, exercise_ids
        self.file = open(path, "w", encoding="utf-8", newline="")  # noqa: SIM115
        self.writer = csv.DictWriter(self.file, csv_columns(self.ids))
        self.writer.writeheader()
        self.file.flush()

    def add(self, result):
        self.writer.writerow(csv_row(result, self.ids))
        self.file.flush()

    def close(self, results=None, similarity=None):
        """Close; with ``results``, rewrite the file once, in student order."""
        if not self.file.closed:
            self.file.close()
        if results is None:
            return
        text = io.StringIO(newline="")
        w = csv.DictWriter(text, csv_columns(self.ids))
        w.writeheader()
        for r in sorted(results, key=sort_key):
            w.writerow(csv_row(r, self.ids))
        _atomic_write(self.path, text.getvalue())  # owner only, as the file was made


# ------------------------------------------------------------------ Gradescope


def gradescope(r):
    """Gradescope's ``results.json`` for one graded notebook (one test per exercise)."""
    tests = []
    for i, ex in enumerate(r.exercises, 1):
        tests.append(
            {
                "name": f"{ex.id} ({ex.passed}/{ex.total} tests)",
                "number": str(i),
                "score": ex.earned,
                "max_score": float(ex.points),
                "output": exercise_text(ex, verbose=True),
                "visibility": "visible",
            }
        )
    output = [f"lesson {r.lesson}: {r.title}" if r.lesson else "lesson unknown"]
    if r.error:
        output.append("ERROR " + r.error)
    output.extend("NOTE " + escape_name(f) for f in r.flags if not f.startswith("roster:"))
    if r.sandbox == "none":
        output.append("graded without a sandbox: " + r.sandbox_note)
    return {
        "score": float(r.score),
        "max_score": float(r.max_score),
        "execution_time": round(r.seconds, 3),
        "output": escape("\n".join(output)),
        "visibility": "visible",
        "stdout_visibility": "hidden",
        "tests": tests,
    }


def _atomic_write(path, text):
    """Write ``text`` to ``path`` through a temporary file, readable by its owner only
    (learner code never reads a report, on any isolation path)."""
    tmp = f"{path}.tmp{os.getpid()}"
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with open(fd, "w", encoding="utf-8", newline="") as f:
        f.write(text)
    os.replace(tmp, path)


def write_gradescope(r, path):
    _atomic_write(path, json.dumps(gradescope(r), indent=2))


__all__ = [
    "CsvReport",
    "JsonReport",
    "NotebookResult",
    "escape",
    "escape_name",
    "exercise_text",
    "gradescope",
    "notebook_text",
    "read_json",
    "summary_text",
    "write_gradescope",
]
