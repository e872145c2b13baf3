"""Reports: a readable per-exercise text for people, a JSON document for tools."""

import json

SYMBOL = {"pass": "PASS", "fail": "FAIL", "not implemented": "TODO", "timeout": "TIME"}


def _indent(text, prefix):
    return "\n".join(prefix + line for line in text.splitlines())


def exercise_text(ex, verbose=True):
    """Lines for one exercise result (shared by the shell report and ``check``)."""
    total = ex.get("total", len(ex.get("tests", [])))
    head = (
        f"[{SYMBOL.get(ex['status'], ex['status'].upper())}] {ex['id']:<24} "
        f"{ex.get('passed', 0)}/{total} tests"
    )
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
        lines.append(_indent(ex["output"], "         | "))
    return "\n".join(lines)


def notebook_text(report, verbose=False):
    title = (
        f"lesson {report['lesson']}: {report['title']}"
        if report.get("lesson")
        else "unknown lesson"
    )
    lines = [f"{report['path']}  ({title})"]
    if report.get("error"):
        lines.append(_indent("ERROR " + report["error"], "  "))
    for ex in report["exercises"]:
        lines.append(_indent(exercise_text(ex, verbose), "  "))
    lines.append(
        f"  score: {report['score']}/{report['max_score']} exercises "
        f"({report['tests_passed']}/{report['tests_total']} tests)"
    )
    return "\n".join(lines)


def summary_text(reports):
    done = sum(r["all_passed"] for r in reports)
    return f"{done}/{len(reports)} notebooks complete"


def write_json(reports, path):
    doc = {
        "all_passed": bool(reports) and all(r["all_passed"] for r in reports),
        "notebooks": reports,
    }
    with open(path, "w", encoding="utf-8") as f:
        json.dump(doc, f, indent=2)
