"""The lesson checks themselves, run in this process (fast).

- the lesson's solution and the library's reference pass every check;
- two correct solutions written differently (lessons/NN_*/fixtures/) pass every check;
- every untouched stub fails with "not implemented yet";
- every catalogued mistake (lessons/lNN_*/mistakes.py) fails with its own message,
  which also proves that no two mistakes are indistinguishable on the probes;
- every exercise has at least five catalogued mistakes and three hints;
- fresh mistakes written for this test (lessons/NN_*/fixtures/fresh.py), not the
  catalogue: at least 80% of the caught ones get a message naming the mistake;
- the stubs in the notebooks are the solutions' signatures and docstrings (no drift);
- the notebooks hold exactly the registered exercises, each followed by its check
  cell, and are stored without outputs.
"""

import importlib
import inspect
from pathlib import Path

import nbformat
import pytest

from rnn_grade import hints, notebook, probes
from rnn_grade.execution import run_checks
from rnn_grade.fixtures import correct, fresh_mistakes
from rnn_grade.registry import LESSONS, lesson_packages, load_all
from rnn_grade.stubs import cell_source

LESSON_DIR = Path(__file__).resolve().parent.parent / "lessons"
NOTEBOOKS = sorted(LESSON_DIR.glob("[0-9][0-9]_*/[0-9][0-9]_*.ipynb"))
EXERCISES = load_all()
CORRECT = correct()
FRESH = fresh_mistakes()
SECONDS = 120  # the limit catches endless loops; a loaded CI machine may import torch slowly
PORTED = sorted(e for e in EXERCISES if EXERCISES[e].package)  # lessons in their folder
MISTAKES = [(e, m) for e in PORTED for m in EXERCISES[e].mistakes]


def _run(ex, fn):
    if ex.prepare:
        ex.prepare()  # before the clock starts
    return run_checks(ex, fn, seconds=SECONDS)


def _failures(result):
    return [t["message"] for t in result["tests"] if not t["passed"]]


@pytest.mark.parametrize("ex_id", sorted(EXERCISES))
def test_solution_and_reference_pass_every_check(ex_id):
    ex = EXERCISES[ex_id]
    for fn in {ex.solution_function(), ex.reference_function()}:
        result = _run(ex, fn)
        assert result["status"] == "pass", (fn.__module__, result)
        assert result["passed"] == len(ex.checks) >= 2


@pytest.mark.parametrize(
    "style, ex_id", [(s, e) for s in CORRECT for e in CORRECT[s] if e in EXERCISES]
)
def test_correct_solution_written_differently_passes(style, ex_id):
    result = _run(EXERCISES[ex_id], CORRECT[style][ex_id])
    assert result["status"] == "pass", (style, result)


def test_two_correct_solutions_per_exercise():
    for ex_id in PORTED:
        assert sum(ex_id in c for c in CORRECT.values()) >= 2, ex_id


@pytest.mark.parametrize("ex_id", PORTED)
def test_untouched_stub_is_not_implemented(ex_id):
    ns = {}
    exec(cell_source(EXERCISES[ex_id]), ns)
    result = _run(EXERCISES[ex_id], ns[ex_id])
    assert result["status"] == "not implemented"
    assert "not implemented yet" in result["message"]


@pytest.mark.parametrize("ex_id, m", MISTAKES, ids=[f"{e}-{m.fn.__name__}" for e, m in MISTAKES])
def test_mistake_gets_its_own_message(ex_id, m):
    result = _run(EXERCISES[ex_id], m.fn)
    assert result["status"] == "fail"
    assert any(m.message in msg for msg in _failures(result)), _failures(result)


@pytest.mark.parametrize("ex_id", PORTED)
def test_five_mistakes_and_three_hints_per_exercise(ex_id):
    ex = EXERCISES[ex_id]
    assert len(ex.mistakes) >= 5
    assert len(ex.hints) >= 3 and "____" in ex.hints[-1]


def test_fresh_mistakes_are_named():
    """Mistakes written for this test only: caught, and named by the message."""
    caught = named = 0
    misnamed = []
    for ex_id, keywords, fn in FRESH:
        failures = _failures(_run(EXERCISES[ex_id], fn))
        if not failures:
            continue
        caught += 1
        if any(k.lower() in failures[0].lower() for k in keywords):
            named += 1
        else:
            misnamed.append((ex_id, fn.__name__, failures[0]))
    print(f"fresh mistakes: {len(FRESH)}, caught {caught}, named {named}")
    assert caught >= 0.9 * len(FRESH)
    assert named >= 0.8 * caught, misnamed


def test_fix_earlier_exercise_first():
    ex = EXERCISES["srn_forward"]
    sol = importlib.import_module("rnn_grade.lessons.l02_srn.solutions")

    def srn_step_forward(x, h_prev, W_ih, W_hh, b_ih, b_hh, nonlinearity="tanh"):
        raise NotImplementedError("srn_step_forward: your code here")

    ns = {"srn_step_forward": srn_step_forward, "np": sol.np}
    exec(inspect.getsource(sol.srn_forward), ns)
    messages = _failures(_run(ex, ns["srn_forward"]))
    assert messages and "fix `srn_step_forward` first" in messages[0]
    ns["srn_step_forward"] = EXERCISES["srn_step_forward"].mistakes[0].fn
    messages = _failures(_run(ex, ns["srn_forward"]))
    assert "fix `srn_step_forward` first: missing nonlinearity" in messages[0]
    assert all(m.count("fix `") <= 1 for m in messages)  # never nested
    assert sum("fix `" in m for m in messages) == 1  # once per exercise


def test_float32_result_is_named():
    def softmax_output(h, W_hy, b_hy):
        z = (h @ W_hy.T + b_hy).astype("float32")
        e = probes.np.exp(z - z.max(-1, keepdims=True))
        return e / e.sum(-1, keepdims=True)

    messages = _failures(_run(EXERCISES["softmax_output"], softmax_output))
    assert messages and "float32, but the inputs are float64" in messages[0]


def test_seed_changes_every_probe():
    before = probes.randn("x", 3)
    probes.set_seed(7)
    try:
        assert not (probes.randn("x", 3) == before).any()
        result = run_checks(
            EXERCISES["srn_forward"], EXERCISES["srn_forward"].solution_function(), seconds=SECONDS
        )
        assert result["status"] == "pass"
    finally:
        probes.set_seed(None)
    assert (probes.randn("x", 3) == before).all()


def test_hint_steps_and_solution_after_an_attempt(capsys, monkeypatch):
    ex = EXERCISES["srn_forward"]
    hints._shown.pop(ex.id, None)
    hints.ATTEMPTED.discard(ex.id)
    for k in range(3):
        hints.hint("srn_forward")
        assert " ".join(ex.hints[k].split()) in " ".join(capsys.readouterr().out.split())
    hints.solution("srn_forward")
    assert "def srn_forward" not in capsys.readouterr().out
    hints.ATTEMPTED.add(ex.id)
    hints.solution("srn_forward")
    assert "def srn_forward" in capsys.readouterr().out
    monkeypatch.setenv(hints.SWITCH, "off")
    hints.solution("srn_forward")
    assert "solutions are off" in capsys.readouterr().out


def test_one_lesson_notebook_per_chapter():
    assert [p.name[:2] for p in NOTEBOOKS] == list(LESSONS)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_holds_its_lesson_exercises_each_followed_by_check(path):
    nb = nbformat.read(path, as_version=4)
    lesson = notebook.lesson_of(nb)
    ids = [ex_id for ex_id, _ in notebook.exercise_cells(nb)]
    assert ids == [e.id for e in EXERCISES.values() if e.lesson == lesson]
    for i, c in enumerate(nb.cells):
        if "exercise" in c.metadata.get("tags", []):
            assert nb.cells[i + 1].source.strip() == f"check({c.metadata['exercise']})"
            ex = EXERCISES[c.metadata["exercise"]]
            if ex.package:
                assert c.source.rstrip() == cell_source(ex).rstrip(), (
                    "stub drifted: run `python -m rnn_grade.stubs lessons/*/[0-9]*.ipynb`"
                )
    for c in nb.cells:
        if c.cell_type == "code":
            assert c.outputs == [] and c.execution_count is None, "commit notebooks without outputs"


def test_every_lesson_folder_is_a_lesson():
    assert set(lesson_packages()) <= set(LESSONS)


def test_lesson_backward_solutions_match_numeric_gradients():
    from rnn_course.gradcheck import numeric_gradient, rel_error
    from rnn_grade.lessons.l03_bptt import solutions as s

    r = probes.np.random.default_rng(0)
    x, h0 = r.standard_normal((3, 2, 4)), r.standard_normal((2, 5))
    W = [
        r.standard_normal((5, 4)),
        r.standard_normal((5, 5)),
        r.standard_normal(5),
        r.standard_normal(5),
    ]
    dh = r.standard_normal((3, 2, 5))
    grads = s.srn_backward(dh, s.srn_forward(x, h0, *W)[1])
    for k, a in enumerate([x, h0, *W]):
        num = numeric_gradient(lambda _: s.srn_forward(x, h0, *W)[0], a, dh)
        assert rel_error(grads[k], num) < 1e-7, k
    z, y = r.standard_normal((3, 2, 6)), r.integers(0, 6, (3, 2))
    num = numeric_gradient(lambda _: s.softmax_cross_entropy(z, y)[0], z)
    assert rel_error(s.softmax_cross_entropy(z, y)[1], num) < 1e-7
    W_hy, b_hy, dz = r.standard_normal((6, 5)), r.standard_normal(6), r.standard_normal((3, 2, 6))
    h = r.standard_normal((3, 2, 5))
    got = s.temporal_affine_backward(dz, s.temporal_affine_forward(h, W_hy, b_hy)[1])
    for g, a in zip(got, (h, W_hy, b_hy), strict=True):
        num = numeric_gradient(lambda _: s.temporal_affine_forward(h, W_hy, b_hy)[0], a, dz)
        assert rel_error(g, num) < 1e-7


def test_fix_first_verdict_is_not_kept_after_the_earlier_exercise_is_fixed():
    ex, step = EXERCISES["srn_forward"], EXERCISES["srn_step_forward"]
    sol = importlib.import_module("rnn_grade.lessons.l02_srn.solutions")
    ns = {"np": sol.np, "srn_step_forward": step.mistakes[0].fn}
    exec(inspect.getsource(sol.srn_forward), ns)
    assert "fix `srn_step_forward` first" in _failures(run_checks(ex, ns["srn_forward"]))[0]
    ns["srn_step_forward"] = sol.srn_step_forward  # fixed; srn_forward itself unchanged
    assert run_checks(ex, ns["srn_forward"])["status"] == "pass"
