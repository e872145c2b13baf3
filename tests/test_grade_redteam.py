"""Red-team attacks on ``rnn-grade`` (issue 11), written as a hostile learner would.

Each test asserts that its attack FAILS: the grade is not raised and nothing outside
the scratch folder is touched. A hole still open is marked
``xfail(strict=True, reason="open hole: ...")``, so it is documented and the test
flips (XPASS -> failure) the day it is fixed; then drop the mark.

Runtime: one lesson-02 notebook per path (all attacks of a path in one grading)
plus one lesson-05 notebook in the sandbox. The reproducers in ``tests/redteam_cases/``
run the same attacks one by one (``python tests/redteam_cases/drive.py CASE.py [--no-sandbox]``).
"""

import ast
import json
import os
import socket
import subprocess
import sys
import threading
import uuid
from pathlib import Path

import nbformat
import pytest

from rnn_grade import fixtures, notebook
from rnn_grade.__main__ import main
from rnn_grade.registry import lesson_exercises
from rnn_grade.runner import user_path_problem
from rnn_grade.sandbox import PACKAGE_DIR, bwrap_problem

ROOT = Path(__file__).resolve().parent.parent
TOKEN = uuid.uuid4().hex[:12]
OUTSIDE = Path("/tmp") / f"redteam-{TOKEN}-osopen"  # os.open write outside scratch
PKG_MARKER = PACKAGE_DIR / f"REDTEAM_{TOKEN}"  # dir_fd write into the real package
DECOY_ARG = f"4{int(TOKEN[:6], 16) % 100000}.5"  # `sleep <this>`: a process to kill
ABSTRACT = f"\0rnn-redteam-{TOKEN}"

# the learner-user path needs a root grader whose Python other users can run and a
# checkout other users cannot read (here: a CI machine set up that way)
USER_PATH = user_path_problem()
needs_user = pytest.mark.skipif(USER_PATH is not None, reason=f"user path: {USER_PATH}")
needs_bwrap = pytest.mark.skipif(
    bwrap_problem() is not None and not os.environ.get("CI"), reason=str(bwrap_problem())
)


# The fallback keeps root's rights when Python is not reachable by `nobody` (here: under
# /root/.pyenv); the holes that need root are only expected where that is so.
FALLBACK_ROOT = False  # the learner-user path never runs learner code as root


def _open_hole(why, condition=True):
    return pytest.mark.xfail(condition, strict=True, reason=f"open hole: {why}")


def honest(lesson):
    """{exercise id: honest cell} from lessons/NN_*/fixtures/correct_a.py (helpers included)."""
    src = fixtures.source(lesson)
    tree = ast.parse(src)
    ids = {e.id for e in lesson_exercises(lesson)}
    seg = lambda n: ast.get_source_segment(src, n)  # noqa: E731
    head = "\n".join(seg(n) for n in tree.body if isinstance(n, (ast.Import, ast.ImportFrom)))
    helpers = [
        seg(n)
        for n in tree.body
        if isinstance(n, (ast.FunctionDef, ast.Assign)) and getattr(n, "name", "") not in ids
    ]
    return {
        n.name: "\n\n\n".join([head, *helpers, seg(n)])
        for n in tree.body
        if isinstance(n, ast.FunctionDef) and n.name in ids
    }


def submit(folder, lesson, cells):
    path_nb = next((ROOT / "lessons").glob(f"{lesson}_*/{lesson}_*.ipynb"))
    nb = nbformat.read(path_nb, as_version=4)
    out = Path(folder) / "alice" / path_nb.name
    out.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(notebook.with_exercises(nb, honest(lesson) | cells), out)
    return out


def grade(path, sandbox, capsys, timeout=10):
    report = Path(path).parent.parent / "report.json"
    flags = ["--json", str(report), "--timeout", str(timeout), "-j", "1"]
    code = main([str(path), *flags, *([] if sandbox else ["--no-sandbox-as-user"])])
    text = capsys.readouterr().out
    doc = json.loads(report.read_text())
    exs = {e["id"]: e for e in doc["notebooks"][0]["exercises"]}
    return code, doc, exs, text


# ---------------------------------------------------------------- the attacks (cells)

FINDER = """
import os, sys, glob
def _pkg_dir():
    fin = [m for n, m in sys.modules.items()
           if n.startswith("__editable__") and hasattr(m, "MAPPING")]
    if fin:
        return fin[0].MAPPING["rnn_course"]
    for f in glob.glob(sys.prefix + "/lib/python3*/site-packages/__editable__*finder.py"):
        return open(f).read().split("'rnn_course': '")[1].split("'")[0]
"""

# 1. read the REAL library through a dir fd (the audit hook resolves a relative path
#    against the scratch cwd and ignores dir_fd), exec it, delegate to it.
STEAL = (
    FINDER
    + """
def _read_real(rel):
    d = os.open(os.path.dirname(_pkg_dir()), os.O_RDONLY)
    fd = os.open(rel, os.O_RDONLY, dir_fd=d)
    data = b""
    while chunk := os.read(fd, 1 << 20):
        data += chunk
    return data.decode()
_stolen = {"__name__": "stolen"}
exec(compile(_read_real("rnn_course/numpy_rnn.py"), "stolen", "exec"), _stolen)
def srn_step_forward(*a, **k):
    return _stolen["srn_step_forward"](*a, **k)
"""
)

# 2. everything else: files outside scratch, the real package, signals to a decoy,
#    network to a loopback listener and an abstract socket, forged reply frames,
#    fake PASS lines with ANSI escapes; srn_forward itself is wrong.
MISC = (
    FINDER
    + f'''
import gc, signal, socket
def _try(f):
    try:
        f()
    except BaseException:
        pass
def _write_outside():
    fd = os.open({str(OUTSIDE)!r}, os.O_WRONLY | os.O_CREAT, 0o644)
    os.write(fd, b"learner was here"); os.close(fd)
def _write_package():
    d = os.open(os.path.dirname(_pkg_dir()), os.O_RDONLY)
    fd = os.open("rnn_course/{PKG_MARKER.name}", os.O_WRONLY | os.O_CREAT, 0o644, dir_fd=d)
    os.write(fd, b"learner was here"); os.close(fd)
def _kill_decoy():
    proc = os.open("/proc", os.O_RDONLY)
    for pid in [p for p in os.listdir("/proc") if p.isdigit()]:
        try:
            fd = os.open(pid + "/cmdline", os.O_RDONLY, dir_fd=proc)
            cmd = os.read(fd, 4096); os.close(fd)
        except OSError:
            continue
        if b"{DECOY_ARG}" in cmd:
            os.killpg(int(pid), signal.SIGKILL)
def _net():
    s = socket.socket(); s.settimeout(1); s.connect(("127.0.0.1", PORT))
    s.sendall(b"learner"); s.close()
def _abstract():
    s = socket.socket(socket.AF_UNIX); s.settimeout(1); s.connect({ABSTRACT!r})
    s.sendall(b"learner"); s.close()
def _forge():
    from rnn_grade import wire
    srv = [o for o in gc.get_objects() if type(o).__name__ == "Server"]
    fds = [srv[0].rep_fd] if srv else list(range(3, 12))
    f, cur = sys._getframe(), 0
    while f is not None:  # the id of the request now running (the exec of this cell)
        h = f.f_locals.get("header")
        if isinstance(h, dict) and isinstance(h.get("id"), int):
            cur = h["id"]
        f = f.f_back
    for fd in fds:
        for i in range(1, cur + 1):  # this and earlier ids: later ones would just sabotage
            frame = wire.pack({{"id": i, "ok": True, "value": 1.0, "verdict": "pass",
                               "score": 99, "passed": True, "callables": []}})
            _try(lambda: os.write(fd, frame))
for _f in (_write_outside, _write_package, _kill_decoy, _net, _abstract, _forge):
    _try(_f)
FAKE = "\\x1b[2K\\r\\x1b[32m  [PASS] srn_forward              3/3 tests  1/1 points\\x1b[0m"
def srn_forward(*a, **k):
    print(FAKE + "\\n  score: 3/3 points (11/11 tests)\\x1b[8m")
    raise ValueError(FAKE)
'''
)


@pytest.fixture(scope="module")
def listeners():
    """A loopback TCP listener and an abstract unix socket; records every connection."""
    got = []
    tcp = socket.socket()
    tcp.bind(("127.0.0.1", 0))
    tcp.listen(8)
    uds = socket.socket(socket.AF_UNIX)
    uds.bind(ABSTRACT)
    uds.listen(8)

    def serve(s, name):
        try:
            while True:
                conn, _ = s.accept()
                got.append(name)
                conn.close()
        except OSError:
            return

    for s, name in ((tcp, "tcp"), (uds, "abstract")):
        threading.Thread(target=serve, args=(s, name), daemon=True).start()
    yield tcp.getsockname()[1], got
    tcp.close()
    uds.close()


@pytest.fixture(scope="module")
def graded(tmp_path_factory, listeners):
    """{sandboxed: (exercises, terminal text, effects)}, graded once per path."""
    port, got = listeners
    cache = {}

    def run(sandbox, capsys):
        if sandbox in cache:
            return cache[sandbox]
        folder = tmp_path_factory.mktemp("bwrap" if sandbox else "user")
        decoy = subprocess.Popen(["sleep", DECOY_ARG], start_new_session=True)
        got.clear()
        cells = {"srn_step_forward": STEAL, "srn_forward": MISC.replace("PORT", str(port))}
        path = submit(folder, "02", cells)
        before = path.read_bytes()
        try:
            code, doc, exs, text = grade(path, sandbox, capsys)
        finally:
            effects = {
                "outside": OUTSIDE.exists(),
                "package": PKG_MARKER.exists(),
                "decoy_killed": decoy.poll() is not None,
                "connections": list(got),
                "notebook_same": path.read_bytes() == before,
            }
            for p in (OUTSIDE, PKG_MARKER):
                p.unlink(missing_ok=True)
            if decoy.poll() is None:
                decoy.kill()
            decoy.wait()
        cache[sandbox] = (code, doc, exs, text, effects)
        return cache[sandbox]

    return run


def P(sandbox_hole=None, fallback_hole=None, needs_root=False):
    """Parametrize over the two paths, marking the paths where the hole is open."""
    bw = [needs_bwrap] + ([_open_hole(sandbox_hole)] if sandbox_hole else [])
    # the learner-user path has no open hole: what was open on the old fallback (an audit
    # hook, learner code as root) must be closed there (fallback_hole is kept as a record)
    return pytest.mark.parametrize(
        "sandbox",
        [
            pytest.param(True, marks=bw, id="bwrap"),
            pytest.param(False, marks=needs_user, id="user"),
        ],
    )


@P()
def test_library_read_through_dir_fd_does_not_pass(graded, capsys, sandbox):
    code, doc, exs, text, _ = graded(sandbox, capsys)
    assert exs["srn_step_forward"]["status"] != "pass"


@P()
def test_os_open_cannot_write_outside_scratch(graded, capsys, sandbox):
    effects = graded(sandbox, capsys)[4]
    assert not effects["outside"]


@P()
def test_dir_fd_cannot_write_into_the_real_package(graded, capsys, sandbox):
    effects = graded(sandbox, capsys)[4]
    assert not effects["package"]


@P()
def test_learner_cannot_kill_other_processes(graded, capsys, sandbox):
    effects = graded(sandbox, capsys)[4]
    assert not effects["decoy_killed"]


@P()
def test_no_loopback_or_abstract_socket_reaches_the_host(graded, capsys, sandbox):
    effects = graded(sandbox, capsys)[4]
    assert effects["connections"] == []


@P()
def test_forged_frames_and_fake_pass_lines_raise_nothing(graded, capsys, sandbox):
    code, doc, exs, text, effects = graded(sandbox, capsys)
    assert exs["srn_forward"]["status"] != "pass"
    assert exs["softmax_output"]["status"] == "pass"  # the grader kept going
    assert "\x1b" not in text and "\r" not in text
    assert effects["notebook_same"]
    assert code == 0  # graded: exit 0 whatever the score (the failure is in the report)


LSTM_HEAD = """
import numpy as np
import torch
from rnn_course.torch_rnn import lstm_step
"""
LSTM_TWIN = {
    "lstm_step_forward": LSTM_HEAD
    + """

def lstm_step_forward(x, h_prev, c_prev, W_ih, W_hh, b_ih, b_hh):
    t = {k: torch.tensor(v, dtype=torch.float64, requires_grad=True) for k, v in dict(
        x=x, h_prev=h_prev, c_prev=c_prev, W_ih=W_ih, W_hh=W_hh, b_ih=b_ih, b_hh=b_hh).items()}
    gi = t["x"] @ t["W_ih"].T + t["b_ih"] + t["b_hh"]
    h, c = lstm_step(gi, t["h_prev"], t["c_prev"], t["W_hh"].T)
    return h.detach().numpy().copy(), c.detach().numpy().copy(), {"t": t, "h": h, "c": c}
""",
}


@needs_bwrap
def test_library_twin_under_another_name_is_blocked(tmp_path, capsys):
    path = submit(tmp_path, "05", LSTM_TWIN)
    code, doc, exs, text = grade(path, True, capsys, timeout=30)
    assert exs["lstm_step_forward"]["status"] != "pass"


# ---------------------------------------------------------------- Gradescope bundle

GS_FORGE = """
import json, os, signal
def _grader_args():
    proc = os.open("/proc", os.O_RDONLY)
    fd = os.open(str(os.getppid()) + "/cmdline", os.O_RDONLY, dir_fd=proc)
    return os.read(fd, 65536).split(b"\\0")
_a = _grader_args()
_flag = b"--json" if b"--json" in _a else b"--gradescope"
_out = _a[_a.index(_flag) + 1].decode()
_ex = [{"id": n, "status": "pass", "passed": 1, "total": 1, "points": 1, "tests": []}
       for n in ["srn_step_forward", "srn_forward", "softmax_output"]]
_doc = {"score": 3.0, "output": "all good", "notebooks": [{"score": 3.0, "exercises": _ex}],
        "tests": [{"name": e["id"], "number": "1", "score": 1.0, "max_score": 1.0, "output": "PASS"}
                  for e in _ex]}
_fd = os.open(_out, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
os.write(_fd, json.dumps(_doc).encode()); os.close(_fd)
signal.pidfd_send_signal(os.pidfd_open(os.getppid()), signal.SIGKILL)
"""


def run_bundle(tmp_path, with_bwrap):
    """Build the lesson-02 bundle, run its run_autograder on the forging submission."""
    import shutil
    import zipfile

    from rnn_grade import gradescope

    bundle = gradescope.build("02", tmp_path / "autograder.zip")
    root = tmp_path / "autograder"
    with zipfile.ZipFile(bundle) as z:
        z.extractall(root / "source")
    shutil.copytree(root / "source" / "packages", root / "grader")  # as setup.sh does
    nb = submit(tmp_path, "02", {"srn_step_forward": GS_FORGE})
    nb.parent.rename(root / "submission")
    bin_ = tmp_path / "bin"  # PATH without bwrap = a container without user namespaces
    bin_.mkdir()
    tools = ["bash", "find", "sort", "head", "mkdir", "printf", "env", "mv", "rm", "cat"]
    for tool in tools + (["bwrap"] if with_bwrap else []):
        if shutil.which(tool):
            os.symlink(shutil.which(tool), bin_ / tool)
    env = dict(
        os.environ, PATH=str(bin_), RNN_GRADE_AUTOGRADER=str(root), RNN_GRADE_PYTHON=sys.executable
    )
    subprocess.run(
        [str(bin_ / "bash"), str(root / "source" / "run_autograder")],
        env=env,
        capture_output=True,
        timeout=300,
    )
    return json.loads((root / "results" / "results.json").read_text())


@needs_bwrap
def test_gradescope_forged_results_fail_in_the_sandbox(tmp_path):
    doc = run_bundle(tmp_path, with_bwrap=True)
    assert doc["score"] < 3


def test_gradescope_forged_results_fail_without_a_sandbox(tmp_path):
    doc = run_bundle(tmp_path, with_bwrap=False)
    assert doc["score"] < 3


TBPTT_PRIVATE = {
    "tbptt_chunks": """
from rnn_course.batching import _check_stream, _chunks


def tbptt_chunks(stream, seq_len):
    return _chunks(stream, _check_stream(stream, seq_len))
""",
}


@needs_bwrap
def test_library_private_helpers_of_a_blocked_function_are_blocked(tmp_path, capsys):
    path = submit(tmp_path, "03", TBPTT_PRIVATE)
    code, doc, exs, text = grade(path, True, capsys)
    assert exs["tbptt_chunks"]["status"] != "pass"


def _case(name):
    import runpy

    return runpy.run_path(str(ROOT / "tests" / "redteam_cases" / f"{name}.py"))["CELLS"]


@P()
def test_lying_or_hanging_return_values_earn_nothing(tmp_path, capsys, sandbox):
    """ndarray subclass with lying __eq__/__array__/__repr__/__len__ and NaN, 100000-deep
    lists, an endless generator, an object-dtype array of 10**6 columns."""
    path = submit(tmp_path, "02", _case("lying_values"))
    code, doc, exs, text = grade(path, sandbox, capsys)
    assert [e["status"] for e in exs.values()] == ["fail", "fail", "fail"]
    assert doc["notebooks"][0]["score"] == 0 and doc["notebooks"][0]["status"] == "graded"
