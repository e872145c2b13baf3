"""Who handed in a notebook: from the folder, an LMS export's file name, or a roster.

Names come from the instructor's side of the submission, never from the student's
choice of file name when a folder says more:

- one folder per student (``subs/alice/02_srn.ipynb``, also ``class/l02/alice/...``):
  the student is the folder. Which level of folders names students is the level with
  the most distinct names, so ``rnn-grade class/`` over ``class/l02/alice`` and
  ``class/l05/bob`` names alice and bob, not "l02" and "l05". A file-name prefix inside
  a student's folder (``mallory/bob_02_srn.ipynb``) is ignored.
- a flat folder: Canvas's ``login_12345_678910_02_srn.ipynb`` (also ``_LATE_``) gives the
  login; ``alice_02_srn.ipynb`` gives the prefix; anything else its file name.
- ``--roster FILE``, a CSV with a header row: ``id`` (required), ``name``, and ``files``
  (the file or folder names that student's submissions use, ``;``-separated: a Gradescope
  export's ``submission_123456`` folder, a Canvas user id or login). A submission is
  that student's when its folder, its file name, or its Canvas login or user id is the
  id or one of the files. Students with no submission are listed as missing.
"""

import csv
import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

CANVAS = re.compile(
    r"^(?P<login>[A-Za-z0-9.\-]+?)(?:_LATE)?_(?P<uid>\d+)_(?P<sub>\d+)_(?P<rest>.+)$"
)
PREFIX = re.compile(r"^(?P<prefix>.+?)_\d\d_")
MAX_ROSTER_BYTES = 5 * 2**20


class RosterError(ValueError):
    """A roster file that cannot be read; ``str()`` says why, in one line."""


@dataclass(frozen=True)
class Student:
    id: str
    name: str = ""
    files: tuple = ()

    @property
    def keys(self):
        return {k.casefold() for k in (self.id, *self.files) if k}


def load(path):
    """The ``Student`` rows of a roster CSV (header: id[, name][, files])."""
    try:
        with open(path, encoding="utf-8-sig", newline="") as f:
            text = f.read(MAX_ROSTER_BYTES + 1)
    except OSError as exc:
        raise RosterError(f"cannot read the roster {path}: {exc.strerror}") from None
    if len(text) > MAX_ROSTER_BYTES:
        raise RosterError(f"the roster {path} is over {MAX_ROSTER_BYTES:,} bytes")
    rows = list(csv.reader(text.splitlines()))
    if not rows:
        raise RosterError(f"the roster {path} is empty: expected a header row id,name,files")
    header = [h.strip().casefold() for h in rows[0]]
    if "id" not in header:
        raise RosterError(
            f"the roster {path} has no 'id' column (header {rows[0]!r}); "
            "expected a header row id,name,files (name and files optional)"
        )
    col = {h: i for i, h in enumerate(header)}
    students, seen = [], set()
    for n, row in enumerate(rows[1:], 2):
        if not any(cell.strip() for cell in row):
            continue

        def get(key, row=row):
            i = col.get(key)
            return row[i].strip() if i is not None and i < len(row) else ""

        sid = get("id")
        if not sid:
            raise RosterError(f"the roster {path}, line {n}: no id")
        if sid.casefold() in seen:
            raise RosterError(f"the roster {path}, line {n}: id {sid!r} appears twice")
        seen.add(sid.casefold())
        files = tuple(x.strip() for x in get("files").split(";") if x.strip())
        students.append(Student(sid, get("name"), files))
    return students


def _flat_name(filename):
    """The student of a file directly in a submissions folder (or named on its own)."""
    m = CANVAS.match(filename)
    if m:
        return m.group("login")
    m = PREFIX.match(filename)
    if m:
        return m.group("prefix")
    return Path(filename).stem


def _keys_of(path, root):
    """Names in a submission's path the roster may know it by, nearest first.

    Inside a student's folder only the folders count (F01: ``mallory/bob_02_srn.ipynb``
    is mallory's); a file directly in the submissions folder is known by its name.
    """
    path = Path(path)
    parts = path.relative_to(root).parts[:-1] if root is not None else ()
    if parts:
        return list(reversed(parts))
    keys = [path.name, path.stem]
    m = CANVAS.match(path.name)
    if m:
        keys += [m.group("login"), m.group("uid")]
    m = PREFIX.match(path.name)
    if m:
        keys.append(m.group("prefix"))
    if root is None:
        keys.append(path.parent.name)
    return keys


def student_level(items):
    """The depth (below each root) of the folders that name students: the most distinct."""
    names = {}
    for path, root in items:
        if root is None:
            continue
        parts = Path(path).relative_to(root).parts[:-1]
        for depth, part in enumerate(parts):
            names.setdefault(depth, set()).add((str(root), part))
    if not names:
        return 0
    return max(sorted(names), key=lambda d: len(names[d]))


def name_students(items, roster=None):
    """[(student id, roster name or "", flags)] for [(path, root)], in the same order."""
    level = student_level(items)
    by_key = {}
    for s in roster or ():
        for k in s.keys:
            by_key.setdefault(k, s)
    out = []
    for path, root in items:
        path = Path(path)
        parts = path.relative_to(root).parts[:-1] if root is not None else ()
        if parts:
            student = parts[min(level, len(parts) - 1)]
        elif root is None and path.parent.name and not PREFIX.match(path.name):
            student = path.parent.name  # a notebook named on its own: its folder
        else:
            student = _flat_name(path.name)
        flags = []
        if roster is not None:
            match = next(
                (by_key[k.casefold()] for k in _keys_of(path, root) if k.casefold() in by_key), None
            )
            if match is None:
                flags.append(f"roster: {student!r} is not on the roster")
                out.append((student, "", flags))
                continue
            out.append((match.id, match.name, flags))
            continue
        out.append((student, "", flags))
    return out


def duplicates(students_lessons):
    """{index: flag} for submissions of the same student and lesson (both are graded)."""
    count = Counter(students_lessons)
    flags = {}
    for i, key in enumerate(students_lessons):
        if count[key] > 1:
            flags[i] = (
                f"duplicate: {count[key]} notebooks of lesson {key[1] or '?'} for this student"
            )
    return flags


def missing(roster, seen):
    """The roster's students with no submission in ``seen`` (ids)."""
    seen = {s.casefold() for s in seen}
    return [s for s in roster if s.id.casefold() not in seen]
