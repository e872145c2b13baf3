"""Reports: text for people, JSON and CSV for tools, Gradescope's ``results.json``.

Points: each exercise is worth ``points`` (default 1), earned in proportion to
the tests passed (``earned``); the notebook's ``score`` is their sum. The text,
the JSON, the CSV and Gradescope's file all show these same numbers.

Everything shown in a terminal goes through ``escape``: control characters
(ANSI colours, carriage returns, bidi overrides) in learner output or file names
are printed as ``\\x1b``-style escapes, so they cannot paint fake PASS lines.
"""

import csv
import io
import json
import os
import unicodedata

SYMBOL = {"pass": "PASS", "fail": "FAIL", "not implemented": "TODO", "timeout": "TIME"}


def escape(text):
    """``text`` with every control or format character except newline shown as an escape."""
    out = []
    for ch in str(text):
        if ch == "\n" or (ch.isprintable() and unicodedata.category(ch) != "Cf"):
            out.append(ch)
        elif ch == "\t":
            out.append("    ")
        else:
            code = ord(ch)
            out.append(f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}")
    return "".join(out)


def earned(ex):
    """Points earned by one exercise result: its points times the fraction of tests passed."""
    points = ex.get("points", 1)
    total = ex.get("total") or 0
    if ex.get("status") == "pass":
        return float(points)
    return round(points * ex.get("passed", 0) / total, 2) if total else 0.0


def _indent(text, prefix):
    return "\n".join(prefix + line for line in text.splitlines())


def exercise_text(ex, verbose=True):
    """Lines for one exercise result (shared by the shell report and ``check``)."""
    total = ex.get("total", len(ex.get("tests", [])))
    head = (
        f"[{SYMBOL.get(ex['status'], ex['status'].upper())}] {ex['id']:<24} "
        f"{ex.get('passed', 0)}/{total} tests"
    )
    if "points" in ex:
        head += f"  {earned(ex):g}/{ex['points']:g} points"
    lines = [head]
    if ex.get("message"):
        lines.append(_indent(ex["message"], "       "))
    for t in ex.get("tests", []):
        if not t["passed"] or verbose:
            mark = "ok  " if t["passed"] else "FAIL"
            lines.append(f"       {mark} {t['name']}")
            if t["message"]:
                lines.append(_indent(t["message"], "            "))
    if ex.get("output"):
        lines.append("       your code printed:")
        lines.append(_indent(escape(ex["output"]), "         | "))
    return escape("\n".join(lines))


def notebook_text(report, verbose=False):
    title = (
        f"lesson {report['lesson']}: {report['title']}"
        if report.get("lesson")
        else "unknown lesson"
    )
    who = f"{report['student']}: " if report.get("student") else ""
    lines = [f"{who}{report['path']}  ({title})"]
    if report.get("sandbox") == "none" and report.get("status") != "not a notebook":
        lines.append("  note: graded WITHOUT a sandbox: " + report.get("sandbox_note", ""))
    if report.get("error"):
        lines.append(_indent("ERROR " + report["error"], "  "))
    for ex in report["exercises"]:
        lines.append(_indent(exercise_text(ex, verbose), "  "))
    lines.append(
        f"  score: {report['score']:g}/{report['max_score']:g} points "
        f"({report['tests_passed']}/{report['tests_total']} tests)"
    )
    return escape("\n".join(lines))


def summary_text(reports):
    done = sum(r["all_passed"] for r in reports)
    return f"{done}/{len(reports)} notebooks complete"


def _atomic_write(path, text):
    tmp = f"{path}.tmp{os.getpid()}"
    with open(tmp, "w", encoding="utf-8", newline="") as f:
        f.write(text)
    os.replace(tmp, path)


def json_text(reports, **meta):
    doc = {
        "all_passed": bool(reports) and all(r["all_passed"] for r in reports),
        **meta,
        "notebooks": reports,
    }
    return json.dumps(doc, indent=2)


def write_json(reports, path, **meta):
    _atomic_write(path, json_text(reports, **meta))


def csv_columns(exercise_ids):
    return ["student", "lesson", "file", *exercise_ids, "total", "maximum", "status", "sandbox"]


def _cell(text):
    """A CSV cell a spreadsheet will not run as a formula (file names come from learners)."""
    text = escape(text)
    return "'" + text if text[:1] in ("=", "+", "-", "@") else text


def csv_row(report, exercise_ids):
    got = {e["id"]: earned(e) for e in report["exercises"]}
    row = {
        "student": _cell(report.get("student") or ""),
        "lesson": report.get("lesson") or "",
        "file": _cell(report["path"]),
        "total": f"{report['score']:g}",
        "maximum": f"{report['max_score']:g}",
        "status": report["status"],
        "sandbox": report.get("sandbox", ""),
    }
    for ex_id in exercise_ids:
        row[ex_id] = f"{got[ex_id]:g}" if ex_id in got else ""
    return row


class CsvWriter:
    """A CSV file written row by row as the run goes (flushed after every row)."""

    def __init__(self, path, exercise_ids):
        self.ids = list(exercise_ids)
        self.file = open(path, "w", encoding="utf-8", newline="")  # noqa: SIM115
        self.writer = csv.DictWriter(self.file, csv_columns(self.ids))
        self.writer.writeheader()
        self.file.flush()

    def add(self, report):
        self.writer.writerow(csv_row(report, self.ids))
        self.file.flush()

    def close(self):
        self.file.close()


def csv_text(reports, exercise_ids):
    buf = io.StringIO()
    w = csv.DictWriter(buf, csv_columns(exercise_ids))
    w.writeheader()
    for r in reports:
        w.writerow(csv_row(r, exercise_ids))
    return buf.getvalue()


def gradescope(report):
    """Gradescope's ``results.json`` for one graded notebook (one test per exercise)."""
    tests = []
    for i, ex in enumerate(report["exercises"], 1):
        tests.append(
            {
                "name": f"{ex['id']} ({ex.get('passed', 0)}/{ex.get('total', 0)} tests)",
                "number": str(i),
                "score": earned(ex),
                "max_score": float(ex.get("points", 1)),
                "output": exercise_text(ex, verbose=True),
                "visibility": "visible",
            }
        )
    output = [f"lesson {report.get('lesson')}: {report.get('title', '')}"]
    if report.get("error"):
        output.append("ERROR " + report["error"])
    if report.get("sandbox") == "none":
        output.append("graded without a sandbox: " + report.get("sandbox_note", ""))
    return {
        "score": float(report["score"]),
        "max_score": float(report["max_score"]),
        "execution_time": round(report.get("seconds", 0.0), 3),
        "output": escape("\n".join(output)),
        "visibility": "visible",
        "stdout_visibility": "hidden",
        "tests": tests,
    }


def write_gradescope(report, path):
    _atomic_write(path, json.dumps(gradescope(report), indent=2))
