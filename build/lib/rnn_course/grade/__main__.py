"""Command line: ``python -m rnn_course.grade NOTEBOOK_OR_FOLDER ... [--json FILE]``.

Exit status 0 only when every exercise of every notebook passes; 1 when any
fails; 2 when no notebook was found.
"""

import argparse
import sys

from . import report
from .runner import SECONDS, find_notebooks, grade_notebook


def main(argv=None):
    parser = argparse.ArgumentParser(
        prog="rnn-grade",
        description="Grade rnn-course lesson notebooks. The notebooks are read, never modified.",
    )
    parser.add_argument("paths", nargs="+", help="lesson notebooks, or folders of submissions")
    parser.add_argument("--json", metavar="FILE", help="also write a JSON report to FILE")
    parser.add_argument(
        "--timeout",
        type=float,
        default=SECONDS,
        metavar="S",
        help=f"time limit per exercise in seconds (default {SECONDS:g})",
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="list passed tests too")
    args = parser.parse_args(argv)

    notebooks = find_notebooks(args.paths)
    if not notebooks:
        print("no notebooks found in: " + " ".join(args.paths), file=sys.stderr)
        return 2
    reports = []
    for path in notebooks:
        r = grade_notebook(path, args.timeout)
        reports.append(r)
        print(report.notebook_text(r, args.verbose), flush=True)
        print()
    if len(reports) > 1:
        print(report.summary_text(reports))
    if args.json:
        report.write_json(reports, args.json)
    return 0 if all(r["all_passed"] for r in reports) else 1


if __name__ == "__main__":
    sys.exit(main())
