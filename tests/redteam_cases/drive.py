# ruff: noqa: E402, E501
"""Driver: python tests/redteam_cases/drive.py CASE.py [rnn-grade flags]; CASE defines CELLS={id: src}
and optionally LESSON = "03" (default "02"). Other exercises get lessons/NN_*/fixtures/correct_a.py."""

import ast
import glob
import json
import runpy
import sys
import tempfile
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
from rnn_grade import notebook
from rnn_grade.__main__ import main


def honest(lesson):
    from rnn_grade import fixtures

    src = fixtures.source(lesson)
    tree = ast.parse(src)
    head = "\n".join(
        ast.get_source_segment(src, n)
        for n in tree.body
        if isinstance(n, (ast.Import, ast.ImportFrom))
    )
    from rnn_grade import registry

    ids = {e.id for e in registry.lesson_exercises(lesson)}
    helpers = "\n\n\n".join(
        ast.get_source_segment(src, n)
        for n in tree.body
        if isinstance(n, (ast.FunctionDef, ast.Assign)) and getattr(n, "name", "") not in ids
    )
    return {
        n.name: head + "\n\n\n" + helpers + "\n\n\n" + ast.get_source_segment(src, n)
        for n in tree.body
        if isinstance(n, ast.FunctionDef) and n.name in ids
    }


def build(case, folder):
    lesson = case.get("LESSON", "02")
    path_nb = Path(glob.glob(str(ROOT / "lessons" / f"{lesson}_*" / f"{lesson}_*.ipynb"))[0])
    nb = nbformat.read(path_nb, as_version=4)
    cells = honest(lesson) | case["CELLS"]
    out = Path(folder) / "alice" / path_nb.name
    out.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(notebook.with_exercises(nb, cells), out)
    return out


if __name__ == "__main__":
    case = runpy.run_path(sys.argv[1])
    tmp = Path(tempfile.mkdtemp(prefix="rt-"))
    p = build(case, tmp)
    code = main([str(p), "--json", str(tmp / "r.json"), "--timeout", "10", *sys.argv[2:]])
    doc = json.loads((tmp / "r.json").read_text())
    for e in doc["notebooks"][0]["exercises"]:
        print("EX", e["id"], e.get("status"), (e.get("output") or "")[:300].replace("\n", " / "))
    print("SANDBOX", doc["notebooks"][0].get("sandbox"), "code", code)
