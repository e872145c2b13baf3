"""The blind set: wrong solutions written from the workbooks and chapters alone,
before their writer read the checks, the catalogue or the diagnosis (issue 21), each
with a one-line truth of what is wrong (``lessons/NN_*/fixtures/blind.py``).

Scored the way a learner reads the feedback, on the first failing test's message:
caught (the exercise fails), named (the message names the actual mistake: it holds one
of the fixture's keywords), generic (true but not naming it: where the first
difference is, the learner's own exception, or a message reviewed as neutral), and
misleading (anything else). Targets: at least 85% named, none misleading, and every
honest solution of the writers passes, under the usual probes and two secret seeds.
Run with ``-s`` for the table.
"""

import pytest

from rnn_grade import probes
from rnn_grade.execution import run_checks
from rnn_grade.fixtures import blind_set
from rnn_grade.registry import load_all

EXERCISES = load_all()
BLIND, HONEST = blind_set()
NEUTRAL = ("differs first", "your code raised")  # where, or the learner's own exception
SECONDS = 120


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


def test_blind_set_is_large_and_varied():
    assert len(BLIND) >= 100
    assert sum(other for _, _, _, other, _, _ in BLIND) >= len(BLIND) / 3
    assert {EXERCISES[e].lesson for e, *_ in BLIND} >= {"01", "02", "03", "04", "05", "06"}


@pytest.mark.parametrize("seed", [None, 1729, 20261208])
def test_honest_solutions_pass_under_secret_seeds(seed):
    probes.set_seed(seed)
    try:
        failed = [
            (e, m) for e, fn in HONEST if e in EXERCISES for s, m in [_run(e, fn)] if s != "pass"
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
