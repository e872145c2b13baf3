"""The blind set: wrong solutions written from the workbooks and chapters alone,
before their writer read the checks, the catalogue or the diagnosis (issue 21), each
with a one-line truth of what is wrong (``lessons/NN_*/fixtures/blind.py``).

Scored the way a learner reads the feedback, on the first failing test's message:
caught (the exercise fails), named (the message names the actual mistake: it holds one
of the fixture's keywords), generic (true but not naming it: where the first
difference is, the learner's own exception, or a message reviewed as neutral), and
misleading (anything else). Targets: at least 85% named, none misleading, and every
honest solution of the writers passes, under the usual probes and two secret seeds.
Run with ``-s`` for the tables.

The independent set (``lessons/NN_*/fixtures/blind_independent.py``, 169 mistakes, 95
outside the textbook, 27 honest solutions) was written by another engineer who wrote
neither the catalogue nor the diagnosis, before reading the checks. Its keywords were
written blind too and are kept as written, so a true message whose words miss them is
counted "unmatched" (its review reads each by hand) rather than misleading. Measured on
2026-12-08 (blind2's scoring script): before the diagnosis was changed after it, 129 of
169 named by keyword, 126 by its review (74.6%), 3 misleading; after, 141 by keyword
(83.4%), 138 by the same review rules (81.7%), 0 misleading. The set was seen while
fixing, so the after-number is no longer blind. Its named rate is reported, not a
target; what is asserted: no honest solution fails and every mistake is caught except
the one documented miss.
"""

import pytest

from rnn_grade import probes
from rnn_grade.execution import run_checks
from rnn_grade.fixtures import blind_set
from rnn_grade.registry import load_all

EXERCISES = load_all()
BLIND, HONEST = blind_set()
INDEPENDENT, INDEPENDENT_HONEST = blind_set("blind_independent")
# searchsorted(side="left") differs from side="right" only when u equals a cumulative
# probability exactly, which continuous u makes (almost) never: a near-harmless miss
DOCUMENTED_MISSES = {"st_left"}
NEUTRAL = ("differs first", "your code raised")  # where, or the learner's own exception
SECONDS = 120
GENERIC = NEUTRAL + ("has wrong values",)


def _run(ex_id, fn):
    ex = EXERCISES[ex_id]
    if ex.prepare:
        ex.prepare()
    result = run_checks(ex, fn, seconds=SECONDS)
    failed = [t["message"] for t in result["tests"] if not t["passed"]]
    return result["status"], (failed[0] if failed else result.get("message", ""))


def _verdict(status, message, keywords, neutral):
    if status == "pass":
        return "missed"
    low = message.lower()
    if any(k.lower() in low for k in keywords):
        return "named"
    if any(n in message for n in NEUTRAL + neutral):
        return "generic"
    return "misleading"


@pytest.fixture(scope="module")
def scored():
    rows = []
    for ex_id, truth, keywords, other, neutral, fn in BLIND:
        status, message = _run(ex_id, fn)
        rows.append((ex_id, truth, other, _verdict(status, message, keywords, neutral), message))
    table = {}
    for _, _, other, verdict, _ in rows:
        kind = "outside the textbook" if other else "textbook"
        table.setdefault(kind, {}).setdefault(verdict, 0)
        table[kind][verdict] += 1
    print("\nblind set:", {k: dict(sorted(v.items())) for k, v in table.items()})
    return rows


@pytest.mark.parametrize("mistakes", [BLIND, INDEPENDENT], ids=["blind", "independent"])
def test_blind_set_is_large_and_varied(mistakes):
    assert len(mistakes) >= 100
    assert sum(other for _, _, _, other, _, _ in mistakes) >= len(mistakes) / 3
    assert {EXERCISES[e].lesson for e, *_ in mistakes} >= {"01", "02", "03", "04", "05", "06"}


@pytest.mark.parametrize("seed", [None, 1729, 20261208])
@pytest.mark.parametrize("honest", [HONEST, INDEPENDENT_HONEST], ids=["blind", "independent"])
def test_honest_solutions_pass_under_secret_seeds(honest, seed):
    assert len(honest) >= 20
    probes.set_seed(seed)
    try:
        failed = [
            (e, m) for e, fn in honest if e in EXERCISES for s, m in [_run(e, fn)] if s != "pass"
        ]
    finally:
        probes.set_seed(None)
    assert not failed


def test_blind_mistakes_are_named(scored):
    named = [r for r in scored if r[3] == "named"]
    missed = [r[:2] for r in scored if r[3] == "missed"]
    assert len(missed) <= 0.02 * len(scored), missed
    assert len(named) >= 0.85 * len(scored), [r for r in scored if r[3] != "named"]


def test_no_blind_mistake_is_misled(scored):
    assert not [r for r in scored if r[3] == "misleading"]


@pytest.fixture(scope="module")
def independent():
    """(lesson, name, verdict, message) per mistake of the independent set; prints the table."""
    rows = []
    for ex_id, _, keywords, _, _, fn in INDEPENDENT:
        status, message = _run(ex_id, fn)
        if status == "pass":
            verdict = "missed"
        elif any(k.lower() in message.lower() for k in keywords):
            verdict = "named"
        elif any(g in message for g in GENERIC):
            verdict = "generic"
        else:
            verdict = "unmatched"  # true or not: read by hand, as the set's review does
        rows.append((EXERCISES[ex_id].lesson, fn.__name__, verdict, message))
    cols = ("named", "generic", "unmatched", "missed")
    print("\nindependent set | lesson | written | " + " | ".join(cols))
    for lesson in sorted({r[0] for r in rows}) + ["total"]:
        mine = [r for r in rows if lesson in (r[0], "total")]
        counts = [sum(r[2] == c for r in mine) for c in cols]
        print(f"| {lesson} | {len(mine)} | " + " | ".join(map(str, counts)))
    named = sum(r[2] == "named" for r in rows)
    print(f"named: {named} of {len(rows)} ({100 * named / len(rows):.1f}%)")
    return rows


def test_independent_mistakes_are_all_caught_but_the_documented_miss(independent):
    missed = {name for _, name, verdict, _ in independent if verdict == "missed"}
    assert missed <= DOCUMENTED_MISSES, missed - DOCUMENTED_MISSES
