"""Copying made visible: similar exercise code across a class, and hidden code.

Never a grade: this only tells the instructor where to look.

- **Pairs.** The exercise cells of every submission are normalised as ``copydetect``
  does (every name becomes ``V``/``F``/``O``, strings ``S``; comments and whitespace
  dropped; here with Python's tokenizer), fingerprinted by copydetect's winnowing of
  k-grams, and the workbook's own stub code is removed as boilerplate. Two submissions
  of the same lesson are a pair when each is at least ``threshold`` covered by the
  other (copydetect's token overlap).
  Finding pairs compares fingerprint sets (a set intersection per pair: quadratic, but
  about a microsecond or so each); only pairs past a prefilter get copydetect's
  exact overlap and a per-exercise breakdown.
- **The course's own code.** Each submission is compared the same way with the
  lesson's reference code: the lesson's solutions and the library functions the
  exercises ask for.
- **Hidden code.** Exercise cells that decode code to run it (``marshal``, ``base64``
  and friends, ``exec``/``eval``/``compile``, building ``CodeType``/``FunctionType``,
  long encoded literals) are flagged: such code cannot be read, so it cannot be compared.

Everything here reads learner code as text (tokens and an AST of cells already
size-capped by ``notebook``); nothing runs it.
"""

from __future__ import annotations

import ast
import builtins
import inspect
import io
import keyword
import re
import time
import tokenize
from dataclasses import dataclass, field

K = 25  # characters of normalised code per fingerprint k-gram (copydetect's noise threshold)
WINDOW = 6  # winnowing window (a match of K + WINDOW - 1 = 30 characters is always found)
THRESHOLD = 0.9  # "near-identical": each covered this much by the other
MIN_CHARS = 60  # normalised code shorter than this is not compared (a stub, an empty cell)
MAX_CHARS = 200_000  # code kept per submission for comparing
MAX_PAIRS = 200  # pairs listed per notebook in the JSON (the count is always exact)

DECODERS = {
    "marshal.loads", "marshal.load", "pickle.loads", "pickle.load", "base64.b64decode",
    "base64.b32decode", "base64.b16decode", "base64.a85decode", "base64.b85decode",
    "base64.decodebytes", "base64.standard_b64decode", "base64.urlsafe_b64decode",
    "binascii.a2b_base64", "binascii.a2b_hex", "binascii.unhexlify", "codecs.decode",
    "zlib.decompress", "lzma.decompress", "bz2.decompress", "gzip.decompress",
    "bytes.fromhex", "types.CodeType", "types.FunctionType", "CodeType", "FunctionType",
    "b64decode", "a85decode", "b85decode", "unhexlify", "decompress",
}  # fmt: skip
RUNNERS = {"exec", "eval", "compile", "__import__"}
ENCODED = re.compile(r"^[A-Za-z0-9+/=_\-\s\\x]{300,}$")


def available():
    """None, or why the similarity report cannot run here (copydetect missing)."""
    try:
        import copydetect  # noqa: F401
    except ImportError as exc:
        return f"copydetect is not installed ({exc}); pip install copydetect"
    return None


_NORMALISED = {}  # source -> normalised source (identical copies are tokenized once)
_BUILTINS = set(dir(builtins))
_SKIP = {
    tokenize.COMMENT, tokenize.NL, tokenize.NEWLINE, tokenize.INDENT, tokenize.DEDENT,
    tokenize.ENDMARKER, tokenize.ENCODING,
}  # fmt: skip
_FSTRING_START = getattr(tokenize, "FSTRING_START", -1)  # Python 3.12+
_FSTRING_REST = {getattr(tokenize, "FSTRING_MIDDLE", -1), getattr(tokenize, "FSTRING_END", -1)}


def normalise(code):
    """Code as copydetect's filter sees it: every name ``V`` (a defined function ``F``, a
    class ``O``), every string ``S``, keywords and builtins kept, comments and whitespace
    dropped. Python's own tokenizer does it (7x faster than Pygments, which copydetect
    uses); copydetect then fingerprints and compares the result.
    """
    if code not in _NORMALISED:
        if len(_NORMALISED) > 20_000:
            _NORMALISED.clear()
        _NORMALISED[code] = _normalise(code)
    return _NORMALISED[code]


def _normalise(code):
    out, previous = [], ""
    try:
        for tok in tokenize.generate_tokens(io.StringIO(code).readline):
            kind, text = tok.type, tok.string
            if kind in _SKIP:
                continue
            if kind == tokenize.NAME and not keyword.iskeyword(text) and text not in _BUILTINS:
                text = {"def": "F", "class": "O"}.get(previous, "V")
            elif kind == tokenize.STRING or kind == _FSTRING_START:
                text = "S"
            elif kind in _FSTRING_REST:
                continue
            out.append(text)
            previous = tok.string
    except (tokenize.TokenError, SyntaxError, ValueError, RecursionError):
        return "".join(code.split())  # not Python: compare it as text without whitespace
    return "".join(out)


@dataclass
class Print:
    """The winnowed fingerprints of one normalised text (copydetect's, without its file I/O)."""

    text: str
    hashes: set
    index: dict  # hash -> positions
    coverage: float

    @classmethod
    def of(cls, text, boilerplate=()):
        from copydetect.utils import get_document_fingerprints, get_token_coverage

        if len(text) < K:
            return cls(text, set(), {}, 0.0)
        hashes, index = get_document_fingerprints(text, K, WINDOW, list(boilerplate))
        return cls(text, hashes, index, float(get_token_coverage(index, K, len(text))))


def _coverage(a, b):
    """(how much of a is in b, how much of b is in a): copydetect's token overlap."""
    import numpy as np
    from copydetect.utils import find_fingerprint_overlap, get_copied_slices

    if not a.hashes or not b.hashes:
        return 0.0, 0.0
    ia, ib = find_fingerprint_overlap(a.hashes, b.hashes, a.index, b.index)
    sa, sb = get_copied_slices(ia, K), get_copied_slices(ib, K)
    if len(sa[0]) == 0:
        return 0.0, 0.0
    over_a, over_b = np.sum(sa[1] - sa[0]), np.sum(sb[1] - sb[0])
    return float(over_a / a.coverage), float(over_b / b.coverage)


# ------------------------------------------------------------------ hidden code


def _dotted(node):
    parts = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if isinstance(node, ast.Name):
        parts.append(node.id)
        return ".".join(reversed(parts))
    return ""


SUSPECT = re.compile(
    r"marshal|pickle|base64|b64|b32|b16|a85|b85|decode|decompress|fromhex|unhexlify|"
    r"exec|eval|compile|__import__|CodeType|FunctionType|[A-Za-z0-9+/=]{300}"
)


def hidden_code(source):
    """Sorted reasons why ``source`` hides code from reading ([] when it does not)."""
    if not SUSPECT.search(source):
        return []  # the common case, without building an AST
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return []
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            name = _dotted(node.func)
            if name in DECODERS or name.rsplit(".", 1)[-1] in DECODERS:
                found.add(f"{name}()")
            elif name in RUNNERS:
                found.add(f"{name}()")
        elif isinstance(node, ast.Import | ast.ImportFrom):
            mods = [a.name for a in node.names] + [getattr(node, "module", None) or ""]
            if any(m.split(".")[0] == "marshal" for m in mods):
                found.add("import marshal")
        elif isinstance(node, ast.Constant) and isinstance(node.value, str | bytes):
            text = node.value if isinstance(node.value, str) else node.value.decode("latin-1")
            if len(text) >= 300 and ENCODED.match(text) and not text.strip().startswith("def "):
                found.add(f"a {len(text):,}-character encoded literal")
    return sorted(found)


# ------------------------------------------------------------------ the report


@dataclass
class Submission:
    """What the similarity report reads of one graded notebook."""

    key: int  # its index in the run
    student: str
    lesson: str
    exercises: dict  # exercise id -> source of the cells defining it
    other: str = ""  # exercise cells that define no exercise (helpers)

    @property
    def code(self):
        parts = [self.exercises[k] for k in sorted(self.exercises)] + [self.other]
        return "\n\n".join(parts)[:MAX_CHARS]

    def normalised(self):
        """{exercise id (or "" for helpers): normalised code}, each lexed once."""
        parts = {k: v[:MAX_CHARS] for k, v in self.exercises.items()}
        if self.other.strip():
            parts[""] = self.other[:MAX_CHARS]
        return {k: normalise(v) for k, v in parts.items()}


@dataclass
class Report:
    threshold: float = THRESHOLD
    pairs: list = field(default_factory=list)  # (key a, key b, score, [exercises])
    reference: list = field(default_factory=list)  # (key, score, [exercises])
    hidden: dict = field(default_factory=dict)  # key -> [reasons]
    students: dict = field(default_factory=dict)  # key -> student
    compared: int = 0  # submissions compared
    candidates: int = 0  # pairs compared in full (past the prefilter)
    seconds: float = 0.0
    skipped: str = ""  # why no report was made

    def of(self, key):
        """{"pairs": [(other key, score, exercises)], "reference": ..., "hidden": ...}."""
        pairs = [(b, s, e) for a, b, s, e in self.pairs if a == key]
        pairs += [(a, s, e) for a, b, s, e in self.pairs if b == key]
        ref = [(s, e) for k, s, e in self.reference if k == key]
        return {
            "pairs": sorted(pairs, key=lambda p: -p[1]),
            "reference": ref[0] if ref else None,
            "hidden": self.hidden.get(key, []),
        }

    def flags(self, key):
        """Lines for a notebook's flags (the text report and Gradescope's output)."""
        mine = self.of(key)
        out = []
        if mine["hidden"]:
            out.append("hidden code: " + ", ".join(mine["hidden"]))
        if mine["reference"]:
            s, ex = mine["reference"]
            out.append(f"similar to the course's reference code ({s:.2f}; {', '.join(ex)})")
        if mine["pairs"]:
            names = [f"{self.students[k]} ({s:.2f})" for k, s, _ in mine["pairs"][:3]]
            more = len(mine["pairs"]) - 3
            out.append("similar to " + ", ".join(names) + (f" and {more} more" if more > 0 else ""))
        return out

    def cell(self, result_key):
        """The CSV's similarity column for one notebook."""
        return " | ".join(self.flags(result_key))

    def summary_lines(self):
        if self.skipped:
            return [f"similarity: not computed: {self.skipped}"]
        n_pairs = len(self.pairs)
        clusters = self.clusters()
        lines = [
            f"similarity ({self.compared} submissions, {self.candidates} pairs compared in "
            f"full, {self.seconds:.1f} s; never a grade, only where to look):",
            f"  {n_pairs} near-identical pairs (>= {self.threshold:.2f}) in {len(clusters)} "
            f"groups; {len(self.reference)} near the course's reference code; "
            f"{len(self.hidden)} with hidden code",
        ]
        for group in clusters[:10]:
            names = ", ".join(sorted(self.students[k] for k in group)[:8])
            more = f" and {len(group) - 8} more" if len(group) > 8 else ""
            lines.append(f"  group of {len(group)}: {names}{more}")
        if len(clusters) > 10:
            lines.append(f"  ... and {len(clusters) - 10} more groups (all pairs in the JSON)")
        for key, reasons in sorted(self.hidden.items(), key=lambda kv: self.students[kv[0]])[:10]:
            lines.append(f"  hidden code: {self.students[key]}: {', '.join(reasons)}")
        return lines

    def clusters(self):
        """Groups of submissions linked by near-identical pairs, largest first."""
        parent = {}

        def find(x):
            while parent.setdefault(x, x) != x:
                parent[x] = parent[parent[x]]
                x = parent[x]
            return x

        for a, b, _, _ in self.pairs:
            parent[find(a)] = find(b)
        groups = {}
        for x in list(parent):
            groups.setdefault(find(x), []).append(x)
        return sorted(groups.values(), key=lambda g: (-len(g), min(g)))

    def to_dict(self):
        return {
            "threshold": self.threshold,
            "skipped": self.skipped or None,
            "compared": self.compared,
            "pairs_compared_in_full": self.candidates,
            "seconds": round(self.seconds, 3),
            "pairs": [
                {"a": self.students[a], "b": self.students[b], "score": round(s, 3), "exercises": e}
                for a, b, s, e in self.pairs
            ],
            "reference": [
                {"student": self.students[k], "score": round(s, 3), "exercises": e}
                for k, s, e in self.reference
            ],
            "hidden": [
                {"student": self.students[k], "reasons": r} for k, r in sorted(self.hidden.items())
            ],
        }


def reference_code(exercise):
    """Source of the code an exercise's answer may be copied from: solution, library."""
    out = []
    for get in (exercise.solution_function, exercise.reference_function):
        try:
            out.append(inspect.getsource(get()))
        except (OSError, TypeError, ImportError, AttributeError, ValueError):
            continue
    return "\n\n".join(out)


def analyse(submissions, references=None, boilerplate=None, threshold=THRESHOLD):
    """The ``Report`` of ``submissions`` (Submission), compared within each lesson.

    ``references``: {lesson: reference source}; ``boilerplate``: {lesson: stub source}.
    """
    start = time.perf_counter()
    report = Report(threshold=threshold)
    problem = available()
    for s in submissions:
        report.students[s.key] = s.student
        reasons = hidden_code(s.code)
        if reasons:
            report.hidden[s.key] = reasons
    if problem:
        report.skipped = problem
        return report
    references, boilerplate = references or {}, boilerplate or {}
    by_lesson = {}
    for s in submissions:
        by_lesson.setdefault(s.lesson, []).append(s)
    for lesson, subs in by_lesson.items():
        _lesson(report, subs, references.get(lesson, ""), boilerplate.get(lesson, ""))
    report.pairs.sort(key=lambda p: (-p[2], report.students[p[0]], report.students[p[1]]))
    report.seconds = time.perf_counter() - start
    return report


def _lesson(report, subs, reference, stubs):
    bp = set(Print.of(normalise(stubs)).hashes) if stubs.strip() else set()
    prints, per_ex = [], {}
    for s in subs:
        parts = s.normalised()
        per_ex[s.key] = {k: (v, _kgrams(v, bp)) for k, v in parts.items() if k}
        fp = Print.of("".join(parts[k] for k in sorted(parts)), bp)
        if len(fp.text) >= MIN_CHARS and fp.hashes:
            prints.append((s, fp))
    report.compared += len(prints)
    if reference.strip():
        ref = Print.of(normalise(reference), bp)
        for s, fp in prints:
            mine, _ = _coverage(fp, ref)
            if mine >= report.threshold:
                near = [k for k, (_, h) in sorted(per_ex[s.key].items()) if _near(h, ref.hashes)]
                report.reference.append((s.key, mine, near))
    cut = report.threshold * 0.8  # a pair sharing fewer hashes than this cannot pass
    for i, (s, fa) in enumerate(prints):
        for t, fb in prints[i + 1 :]:
            if len(fa.hashes & fb.hashes) < cut * max(len(fa.hashes), len(fb.hashes)):
                continue
            report.candidates += 1
            score = 1.0 if fa.text == fb.text else min(_coverage(fa, fb))
            if score >= report.threshold:
                a, b = per_ex[s.key], per_ex[t.key]
                exercises = [k for k in sorted(set(a) & set(b)) if _alike(a[k], b[k])]
                report.pairs.append((s.key, t.key, score, exercises))


def _kgrams(text, boilerplate):
    """Every k-gram hash of a text (no winnowing: exercises are short), less boilerplate."""
    return {hash(text[i : i + K]) for i in range(len(text) - K + 1)} - boilerplate


def _alike(a, b):
    """Two exercises (normalised text, k-grams) are the same text or share 80% of k-grams."""
    (ta, a), (tb, b) = a, b
    if ta == tb:
        return bool(ta)
    big = max(len(a), len(b))
    return bool(big) and len(a & b) >= 0.8 * big


def _near(mine, reference):
    """80% of an exercise's fingerprints are in the reference code."""
    return bool(mine) and len(mine & reference) >= 0.8 * len(mine)
