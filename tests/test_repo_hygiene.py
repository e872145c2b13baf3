"""The repository stays as a learner and a maintainer expect it: notebooks stored without
outputs, a table of contents that matches the chapters on disk, pinned requirements, and CI
that calls the README's test command."""

import json
import re
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted(
    p
    for d in ("book", "lessons")
    for p in (ROOT / d).rglob("*.ipynb")
    if ".ipynb_checkpoints" not in p.parts and "_build" not in p.parts
)


def toc_files():
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text())
    files = [toc["root"]]

    def walk(entries):
        for entry in entries or []:
            if "file" in entry:
                files.append(entry["file"])
            walk(entry.get("sections"))
            walk(entry.get("chapters"))

    for part in toc.get("parts", []):
        walk(part.get("chapters"))
    walk(toc.get("chapters"))
    return files


@pytest.mark.parametrize("nb", NOTEBOOKS, ids=lambda p: str(p.relative_to(ROOT)))
def test_notebook_is_stored_without_outputs(nb):
    cells = json.loads(nb.read_text())["cells"]
    dirty = [
        i
        for i, c in enumerate(cells)
        if c["cell_type"] == "code" and (c.get("outputs") or c.get("execution_count"))
    ]
    assert not dirty, f"{nb.name}: cells {dirty} have stored outputs; clear them before committing"


def test_toc_lists_existing_pages_and_every_chapter():
    listed = toc_files()
    for f in listed:
        matches = list(ROOT.glob(f + ".*")) if not Path(f).suffix else [ROOT / f]
        assert matches and all(m.exists() for m in matches), (
            f"_toc.yml lists {f}, which does not exist"
        )
    stems = {Path(f).with_suffix("").as_posix() for f in listed}
    for nb in (ROOT / "book").glob("*.ipynb"):
        key = nb.relative_to(ROOT).with_suffix("").as_posix()
        assert key in stems, f"{key} is a chapter on disk but missing from _toc.yml"


def test_chapters_are_in_order():
    chapters = [Path(f).name for f in toc_files() if re.match(r"\d\d", Path(f).name)]
    assert chapters == sorted(chapters), f"chapters out of order in _toc.yml: {chapters}"


def test_requirements_are_pinned():
    for line in (ROOT / "requirements.txt").read_text().splitlines():
        line = line.split("#")[0].strip()
        if not line or line.startswith("-e"):
            continue
        assert "==" in line, f"requirements.txt: {line!r} is not pinned with =="
    text = (ROOT / "requirements.txt").read_text()
    assert re.search(r"^jupyter-book==1\.", text, re.M), "Jupyter Book must stay on 1.x"


def test_ci_runs_the_readme_test_command():
    readme = (ROOT / "README.md").read_text()
    assert "make test" in readme
    assert re.search(r"^\s*make test\s*$", (ROOT / ".ci" / "run").read_text(), re.M)
