"""The grader's results as typed records: one ``NotebookResult`` per submission.

Every writer (the terminal text, the JSON, the CSV, Gradescope's ``results.json``)
reads these records and nothing else, so the same numbers show everywhere:

- ``ExerciseResult``: one exercise of one notebook (``ExerciseStatus``), its tests,
  its points (``earned`` = points x the fraction of tests passed);
- ``NotebookResult``: one submission (``NotebookStatus``): who, which lesson, its
  exercises, its score out of ``maximum`` (the lesson's maximum, also for a malformed
  or missing notebook: 0 of 3, never 0 of 0), and ``flags`` the instructor should read
  (another lesson, a duplicate, similar code, hidden code).

Learner-derived text (check messages, errors, printed output) is shortened here, once,
to a few hundred characters per test (``shorten``): a returned 7 MB string cannot
flood a report.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field

MESSAGE_CHARS = 500  # characters kept of one test's (or exercise's) message
OUTPUT_CHARS = 2500  # printed output kept per exercise (the learner side keeps 2000 + a note)
NAME_CHARS = 300  # characters kept of a file or student name


class ExerciseStatus(enum.StrEnum):
    """How one exercise ended."""

    PASS = "pass"
    FAIL = "fail"
    NOT_IMPLEMENTED = "not implemented"
    TIMEOUT = "timeout"  # its checks ran out of time, or the notebook's budget did


class NotebookStatus(enum.StrEnum):
    """How one submission ended. Only ``GRADED`` and ``TIMED_OUT`` mean "graded"."""

    GRADED = "graded"
    TIMED_OUT = "timed out"  # graded; an exercise (or the notebook's budget) ran out of time
    MALFORMED = "not a notebook"  # unreadable, too large, too deep: scored 0 of the maximum
    REFUSED = "refused"  # a symlink in a submissions folder: not read
    UNKNOWN_LESSON = "unknown lesson"
    GRADER_ERROR = "grader error"
    MISSING = "missing"  # on the roster, handed in nothing

    @property
    def graded(self):
        return self in (NotebookStatus.GRADED, NotebookStatus.TIMED_OUT)


def shorten(text, limit=MESSAGE_CHARS):
    """``text`` cut to ``limit`` characters, saying how much was cut."""
    text = "" if text is None else str(text)
    if len(text) <= limit:
        return text
    return f"{text[:limit]}... [{len(text) - limit:,} more characters cut]"


@dataclass
class TestResult:
    """One check of one exercise."""

    __test__ = False  # not a pytest class

    name: str
    passed: bool
    message: str = ""

    def __post_init__(self):
        self.name, self.message = shorten(self.name, 200), shorten(self.message)
        self.passed = bool(self.passed)


@dataclass
class ExerciseResult:
    """One exercise of one notebook."""

    id: str
    lesson: str | None
    status: ExerciseStatus
    tests: list[TestResult] = field(default_factory=list)
    total: int = 0  # the number of checks (tests) the exercise has
    points: float = 1.0
    message: str = ""
    output: str = ""  # what learner code printed (already bounded by the learner side)
    seconds: float = 0.0

    def __post_init__(self):
        self.status = ExerciseStatus(self.status)
        self.message = shorten(self.message)
        self.output = shorten(self.output, OUTPUT_CHARS)

    @property
    def passed(self):
        return sum(t.passed for t in self.tests)

    @property
    def earned(self):
        """Points earned: all of them on a pass, else in proportion to the tests passed."""
        if self.status is ExerciseStatus.PASS:
            return float(self.points)
        return round(self.points * self.passed / self.total, 2) if self.total else 0.0

    @classmethod
    def from_dict(cls, d):
        """From ``execution.run_checks``'s dict (also the in-notebook self-check's)."""
        tests = [
            TestResult(t.get("name", ""), t.get("passed"), t.get("message", ""))
            for t in d.get("tests", [])
        ]
        return cls(
            id=d["id"],
            lesson=d.get("lesson"),
            status=d["status"],
            tests=tests,
            total=int(d.get("total", len(tests))),
            points=float(d.get("points", 1)),
            message=d.get("message") or "",
            output=d.get("output") or "",
            seconds=float(d.get("seconds", 0.0)),
        )

    def to_dict(self):
        return {
            "id": self.id,
            "lesson": self.lesson,
            "status": self.status.value,
            "tests": [
                {"name": t.name, "passed": t.passed, "message": t.message} for t in self.tests
            ],
            "passed": self.passed,
            "total": self.total,
            "points": self.points,
            "earned": self.earned,
            "message": self.message,
            "output": self.output,
            "seconds": self.seconds,
        }


@dataclass
class NotebookResult:
    """One submission: a notebook graded (or not), or a roster student with none."""

    path: str
    student: str
    lesson: str | None = None
    title: str = ""
    status: NotebookStatus = NotebookStatus.GRADED
    exercises: list[ExerciseResult] = field(default_factory=list)
    maximum: float | None = None  # the lesson's maximum (None: lesson unknown)
    error: str = ""
    sandbox: str = "none"  # "bwrap", "user" (an unprivileged user), "none"
    sandbox_note: str = ""
    seconds: float = 0.0
    name: str = ""  # the student's name, from the roster
    flags: list[str] = field(default_factory=list)  # for the instructor: read these
    similarity: list[str] = field(default_factory=list)  # notes of the similarity report

    def __post_init__(self):
        self.status = NotebookStatus(self.status)
        self.error = shorten(self.error)
        self.student = shorten(self.student, NAME_CHARS)

    @property
    def score(self):
        return round(sum(e.earned for e in self.exercises), 2)

    @property
    def max_score(self):
        if self.maximum is not None:
            return float(self.maximum)
        return float(sum(e.points for e in self.exercises))

    @property
    def tests_passed(self):
        return sum(e.passed for e in self.exercises)

    @property
    def tests_total(self):
        return sum(e.total for e in self.exercises)

    @property
    def complete(self):
        """Every exercise passed, nothing went wrong, and nothing flags its lesson."""
        return (
            self.status is NotebookStatus.GRADED
            and bool(self.exercises)
            and all(e.status is ExerciseStatus.PASS for e in self.exercises)
            and not self.error
            and not any(f.startswith("lesson:") for f in self.flags)
        )

    all_passed = complete  # the JSON report's historical name

    @property
    def timed_out(self):
        return any(e.status is ExerciseStatus.TIMEOUT for e in self.exercises)

    def to_dict(self):
        return {
            "student": self.student,
            "name": self.name,
            "path": self.path,
            "lesson": self.lesson,
            "title": self.title,
            "status": self.status.value,
            "score": self.score,
            "max_score": self.max_score,
            "tests_passed": self.tests_passed,
            "tests_total": self.tests_total,
            "all_passed": self.complete,
            "error": self.error or None,
            "flags": list(self.flags),
            "similarity": list(self.similarity),
            "sandbox": self.sandbox,
            "sandbox_note": self.sandbox_note,
            "seconds": self.seconds,
            "exercises": [e.to_dict() for e in self.exercises],
        }


def from_report(d, maximum=None):
    """A ``NotebookResult`` from the runner's dict (keys as in ``NotebookResult.to_dict``)."""
    exercises = [
        e if isinstance(e, ExerciseResult) else ExerciseResult.from_dict(e)
        for e in d.get("exercises", [])
    ]
    if maximum is None and d.get("max_score") and not exercises:
        maximum = d["max_score"]
    return NotebookResult(
        path=str(d.get("path", "")),
        student=d.get("student") or "",
        lesson=d.get("lesson"),
        title=d.get("title") or "",
        status=d.get("status", "graded"),
        exercises=exercises,
        maximum=maximum,
        error=d.get("error") or "",
        sandbox=d.get("sandbox") or "none",
        sandbox_note=d.get("sandbox_note") or "",
        seconds=float(d.get("seconds", 0.0)),
        flags=list(d.get("flags", [])),
    )


def sort_key(result):
    """Rows in student order (then lesson, then file), whatever order they finished in."""
    return (result.student.casefold(), result.student, result.lesson or "", result.path)
