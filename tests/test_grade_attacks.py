"""The grader attacked as a hostile learner would, on lesson 02.

Each test plants one attack in an exercise cell, grades the notebook with the
real command line, and asserts what was blocked: the grade is not raised,
nothing outside the scratch folder is touched, the grader keeps going. The
honest cells (lessons/02_srn/fixtures/correct_a.py) keep their full marks, so every
test also shows that only the attacked exercise lost.

Sandboxed tests need bubblewrap (installed by .ci/run); the fallback tests
(``--no-sandbox``) show that a grade cannot be forged without it either.
"""

import ast
import hashlib
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import nbformat
import numpy as np
import pytest

from rnn_grade import fixtures, notebook
from rnn_grade.__main__ import main
from rnn_grade.runner import user_path_problem
from rnn_grade.sandbox import bwrap_problem

ROOT = Path(__file__).resolve().parent.parent
LESSON = ROOT / "lessons" / "02_srn" / "02_srn.ipynb"
SOLUTION = fixtures.source("02")
IDS = ["srn_step_forward", "srn_forward", "softmax_output"]

# in CI (.ci/run installs bubblewrap) the sandboxed tests must run, never skip
# the learner-user path needs a root grader whose Python other users can run and a
# checkout other users cannot read (here: a CI machine set up that way)
USER_PATH = user_path_problem()
needs_user = pytest.mark.skipif(USER_PATH is not None, reason=f"user path: {USER_PATH}")
needs_bwrap = pytest.mark.skipif(
    bwrap_problem() is not None and not os.environ.get("CI"), reason=str(bwrap_problem())
)
BOTH = pytest.mark.parametrize(
    "sandbox",
    [
        pytest.param(True, marks=needs_bwrap, id="bwrap"),
        pytest.param(False, marks=needs_user, id="user"),
    ],
)


def honest():
    """{exercise id: honest cell source}."""
    tree = ast.parse(SOLUTION)
    head = "import math\n\nimport numpy as np\n\n\n"
    return {
        n.name: head + ast.get_source_segment(SOLUTION, n)
        for n in tree.body
        if isinstance(n, ast.FunctionDef)
    }


def submit(folder, cells=None, name="02_srn.ipynb", student="alice", nb=None):
    """Write a lesson-02 submission: the honest exercise cells, updated by ``cells``."""
    nb = nb or nbformat.read(LESSON, as_version=4)
    path = Path(folder) / student / name if student else Path(folder) / name
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(notebook.with_exercises(nb, honest() | (cells or {})), path)
    return path


def grade(*args, sandbox=True, capsys=None, timeout=10):
    """Run ``rnn-grade`` in this process; return (exit code, JSON doc, terminal text)."""
    out = Path(args[0]).parent / "report.json" if Path(args[0]).is_file() else None
    out = out or Path(args[0]) / "report.json"
    flags = ["--json", str(out), "--timeout", str(timeout)]
    flags += [] if sandbox else ["--no-sandbox-as-user"]
    code = main([*map(str, args), *flags])
    text = capsys.readouterr().out if capsys else ""
    return code, json.loads(out.read_text()), text


def exercises(doc, i=0):
    return {e["id"]: e for e in doc["notebooks"][i]["exercises"]}


def fingerprint(path):
    return hashlib.sha256(Path(path).read_bytes()).hexdigest(), os.stat(path).st_mtime_ns


# ------------------------------------------------------------------ the verdict cannot be forged

FORGE = """
import glob, json, os, sys, numpy as np

FAKE = {"all_passed": True, "notebooks": [{"score": 99, "all_passed": True}]}

def srn_step_forward(x, h_prev, W_ih, W_hh, b_ih, b_hh, nonlinearity="tanh"):
    found = glob.glob("/tmp/rnn-grade*/**/*.json", recursive=True)  # where results once lived
    for path in sys.argv[1:] + found + glob.glob(REPORT + "/**/*.json", recursive=True):
        try:
            with open(path, "w") as f:
                json.dump(FAKE, f)
        except Exception:
            pass
    # forge a reply frame on every open descriptor, claiming a pass
    import struct
    head = json.dumps({"id": 1, "ok": True, "status": "pass", "passed": 5, "blobs": []}).encode()
    body = struct.pack(">I", len(head)) + head
    for fd in range(3, 64):
        try:
            os.write(fd, struct.pack(">Q", len(body)) + body)
        except OSError:
            pass
    os._exit(0)
"""


@BOTH
def test_forging_the_report_or_the_replies_earns_nothing(tmp_path, capsys, sandbox):
    nb = submit(tmp_path, {"srn_step_forward": FORGE.replace("REPORT", repr(str(tmp_path)))})
    before = fingerprint(nb)
    code, doc, text = grade(tmp_path, sandbox=sandbox, capsys=capsys)
    ex = exercises(doc)
    assert code == 0 and not doc["all_passed"]  # graded (exit 1 is for what was not)
    assert ex["srn_step_forward"]["status"] == "fail" and ex["srn_step_forward"]["passed"] == 0
    assert "learner process ended" in ex["srn_step_forward"]["message"]
    assert ex["srn_forward"]["status"] == "fail"  # it calls the forger's step
    assert ex["softmax_output"]["status"] == "pass"  # in a restarted learner process
    assert doc["notebooks"][0]["score"] == 1 and doc["notebooks"][0]["max_score"] == 3
    assert doc["notebooks"][0]["sandbox"] == ("bwrap" if sandbox else "user")
    assert "99" not in text and fingerprint(nb) == before
    if not sandbox:
        assert "WITHOUT a sandbox" in text


PATCH = """
import numpy as np

def srn_step_forward(x, h_prev, W_ih, W_hh, b_ih, b_hh, nonlinearity="tanh"):
    np.allclose = lambda *a, **k: True
    np.array_equal = lambda *a, **k: True
    np.testing.assert_allclose = lambda *a, **k: None
    try:
        import rnn_grade.probes as probes
        import rnn_grade.registry as registry
        probes.close = lambda *a, **k: True
        for ex in registry.EXERCISES.values():
            ex.checks[:] = []
        import rnn_grade.lessons.l02_srn.checks as checks
        checks.step_ex.checks[:] = []
    except ImportError as exc:
        print("checks hidden:", exc)
    return np.zeros((x.shape[0], h_prev.shape[1])), None
"""


@BOTH
def test_patching_checks_or_numpy_changes_nothing_in_the_grader(tmp_path, capsys, sandbox):
    submit(tmp_path, {"srn_step_forward": PATCH})
    _, doc, _ = grade(tmp_path, sandbox=sandbox, capsys=capsys)
    ex = exercises(doc)["srn_step_forward"]
    assert ex["status"] == "fail" and ex["passed"] == 0 and ex["total"] == 5
    assert "checks hidden: rnn_grade.probes: the course library is not available" in ex["output"]
    assert np.allclose(np.zeros(2), np.ones(2)) is False  # the grader's NumPy is untouched


LIAR = """
import numpy as np

class Liar(np.ndarray):
    def __eq__(self, other):
        return True
    def __array_ufunc__(self, *a, **k):
        return np.True_
    @property
    def shape(self):
        return (3, 5)

def srn_step_forward(x, h_prev, W_ih, W_hh, b_ih, b_hh, nonlinearity="tanh"):
    return np.zeros((7,)).view(Liar), None
"""


@needs_bwrap
def test_lying_array_subclass_arrives_as_plain_data(tmp_path, capsys):
    submit(tmp_path, {"srn_step_forward": LIAR})
    _, doc, _ = grade(tmp_path, capsys=capsys)
    ex = exercises(doc)["srn_step_forward"]
    assert ex["status"] == "fail" and ex["passed"] == 0
    assert "shape (7,)" in json.dumps(ex)  # the real shape, not the property's lie


# ------------------------------------------------------------------ time limits from outside

ESCAPE = """
import signal, threading

def srn_step_forward(x, h_prev, W_ih, W_hh, b_ih, b_hh, nonlinearity="tanh"):
    signal.signal(signal.SIGALRM, signal.SIG_IGN)
    signal.setitimer(signal.ITIMER_REAL, 0)
    for s in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
        signal.signal(s, signal.SIG_IGN)
    while True:
        try:
            while True:
                pass
        except BaseException:
            pass
"""


@BOTH
def test_time_limit_cannot_be_escaped_or_rearmed(tmp_path, capsys, sandbox):
    submit(tmp_path, {"srn_step_forward": ESCAPE})
    _, doc, _ = grade(tmp_path, sandbox=sandbox, capsys=capsys, timeout=3)
    ex = exercises(doc)
    assert ex["srn_step_forward"]["status"] == "timeout"
    assert "time limit" in ex["srn_step_forward"]["message"]
    assert ex["softmax_output"]["status"] == "pass"
    assert doc["notebooks"][0]["status"] == "timed out"
    assert doc["notebooks"][0]["seconds"] < 20


# ------------------------------------------------------------------ the library's answer

DELEGATE = {
    "srn_step_forward": "from rnn_course.numpy_rnn import srn_step_forward\n",
    "srn_forward": """
import importlib, inspect
import rnn_course.numpy_rnn as lib

SOURCE = inspect.getsource(lib)

def srn_forward(x, h0, W_ih, W_hh, b_ih, b_hh, nonlinearity="tanh"):
    print("real body visible:", "np.tanh" in SOURCE and "def srn_forward" in SOURCE)
    return importlib.import_module("rnn_course.numpy_rnn").srn_forward(
        x, h0, W_ih, W_hh, b_ih, b_hh, nonlinearity)
""",
    "softmax_output": """
def softmax_output(h, W_hy, b_hy):
    from rnn_grade.lessons.l02_srn import solutions
    try:
        return solutions.softmax_output(h, W_hy, b_hy)
    except Exception:
        return None
""",
}


@BOTH
def test_calling_the_library_or_the_lesson_solution_fails_naming_it(tmp_path, capsys, sandbox):
    submit(tmp_path, DELEGATE)
    _, doc, _ = grade(tmp_path, sandbox=sandbox, capsys=capsys)
    ex = exercises(doc)
    for ex_id, where in [
        ("srn_step_forward", "rnn_course.numpy_rnn.srn_step_forward"),
        ("srn_forward", "rnn_course.numpy_rnn.srn_forward"),
        ("softmax_output", "rnn_grade.lessons.l02_srn.solutions.softmax_output"),
    ]:
        assert ex[ex_id]["status"] == "fail" and ex[ex_id]["passed"] == 0, ex[ex_id]
        message = ex[ex_id].get("message", "") + json.dumps(ex[ex_id])
        assert f"your code imports `{where.split('.')[0]}" in message, ex[ex_id]
    assert doc["notebooks"][0]["score"] == 0


BY_PATH = """
import importlib.util

def srn_step_forward(x, h_prev, W_ih, W_hh, b_ih, b_hh, nonlinearity="tanh"):
    try:
        spec = importlib.util.spec_from_file_location("real", REAL)
        real = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(real)
    except Exception as exc:
        print("refused:", type(exc).__name__)
        raise NotImplementedError
    return real.srn_step_forward(x, h_prev, W_ih, W_hh, b_ih, b_hh, nonlinearity)
"""


@BOTH
def test_the_real_library_file_cannot_be_loaded_by_path(tmp_path, capsys, sandbox):
    import rnn_course.numpy_rnn

    real = repr(rnn_course.numpy_rnn.__file__)
    submit(tmp_path, {"srn_step_forward": BY_PATH.replace("REAL", real)})
    _, doc, _ = grade(tmp_path, sandbox=sandbox, capsys=capsys)
    ex = exercises(doc)["srn_step_forward"]
    assert ex["status"] == "not implemented" and "refused:" in ex["output"]


TWINS = {
    "srn_step_forward": """
from rnn_course.optim import Adagrad

def srn_step_forward(x, h_prev, W_ih, W_hh, b_ih, b_hh, nonlinearity="tanh"):
    Adagrad._update  # a library class's method, reached through the class
    raise NotImplementedError
""",
    "srn_forward": """
from rnn_course.optim import Optimizer

class Mine(Optimizer):  # a learner's subclass of a library class
    pass
""",
    "softmax_output": """
import numpy as np
from rnn_course.layers import temporal_affine_forward

def softmax_output(h, W_hy, b_hy):
    z, _ = temporal_affine_forward(h, W_hy, b_hy)  # the library's twin, under another name
    z = z - z.max(axis=-1, keepdims=True)
    return np.exp(z) / np.exp(z).sum(axis=-1, keepdims=True)
""",
}


@BOTH
def test_the_library_is_absent_under_every_name(tmp_path, capsys, sandbox):
    submit(tmp_path, TWINS)
    _, doc, _ = grade(tmp_path, sandbox=sandbox, capsys=capsys)
    ex = exercises(doc)
    for ex_id, where in [
        ("srn_step_forward", "rnn_course.optim.Adagrad._update"),
        ("srn_forward", "rnn_course.optim.Optimizer"),
        ("softmax_output", "rnn_course.layers.temporal_affine_forward"),
    ]:
        assert ex[ex_id]["passed"] == 0, ex[ex_id]
        assert f"your code imports `{where.split('.')[0]}" in ex[ex_id]["message"]
        assert "the course library is not available to graded code" in ex[ex_id]["message"]
    assert doc["notebooks"][0]["score"] == 0


def test_the_learner_side_holds_no_library_checks_or_solutions():
    """Isolation by absence: what the learner process can import of the project."""
    from rnn_grade.sandbox import LEARNER_DIR, learner_tree

    root = Path(learner_tree())
    files = sorted(p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file())
    assert not (root / "rnn_course").exists()
    learner = {f"rnn_grade/learner/{p.name}" for p in LEARNER_DIR.glob("*.py")}
    harnesses = {f for f in files if f.startswith("rnn_grade/lessons/")}
    assert set(files) == learner | harnesses | {"rnn_grade/__init__.py"}
    assert {Path(f).name for f in harnesses} <= {"__init__.py", "harness.py"}
    stand_in = (root / "rnn_grade" / "__init__.py").read_text()
    assert stand_in == (LEARNER_DIR / "stand_in.py").read_text()


def test_the_blocker_names_every_spelling_of_a_course_import():
    from rnn_grade.learner import blocker

    for name in ("rnn_course", "rnn_course.numpy_rnn", "rnn_grade.probes", "rnn_grade.registry"):
        with pytest.raises(ImportError, match="the course library is not available"):
            blocker.Blocker.find_spec(name)
    assert blocker.take_hit() == "rnn_course" and blocker.take_hit() is None
    assert blocker.Blocker.find_spec("numpy") is None


FALLBACK_FILES = """
import os

def srn_step_forward(x, h_prev, W_ih, W_hh, b_ih, b_hh, nonlinearity="tanh"):
    def attempt(label, act):
        try:
            act()
            print("DID", label)
        except (OSError, AttributeError) as exc:
            print("refused:", label, type(exc).__name__)
    def write_flags():
        fd = os.open(OUTSIDE, os.O_WRONLY | os.O_CREAT, 0o644)
        os.write(fd, b"pwned")
        os.close(fd)
    def read_by_dir_fd():
        d = os.open(PKG_PARENT, os.O_RDONLY)
        fd = os.open("rnn_course/numpy_rnn.py", os.O_RDONLY, dir_fd=d)
        print("LIBRARY", os.read(fd, 100))
    def write_by_dir_fd():
        d = os.open(PKG_PARENT, os.O_RDONLY)
        os.close(os.open("rnn_course/MARKER", os.O_WRONLY | os.O_CREAT, 0o644, dir_fd=d))
    def escape_scratch_by_dir_fd():
        os.makedirs("a/b/c/d/e/f/g/h", exist_ok=True)
        d = os.open(".", os.O_RDONLY)
        os.chdir("a/b/c/d/e/f/g/h")
        os.close(os.open(ESCAPE, os.O_WRONLY | os.O_CREAT, 0o644, dir_fd=d))
    def read_outside_the_allowlist():
        print("CANARY", open(CANARY).read())
    def kill_a_process_group():
        os.killpg(DECOY, 9)
    def kill_by_pidfd():
        import signal
        signal.pidfd_send_signal(os.pidfd_open(DECOY), 9)
    for label, act in [("write_flags", write_flags), ("read_by_dir_fd", read_by_dir_fd),
                       ("write_by_dir_fd", write_by_dir_fd),
                       ("escape_scratch_by_dir_fd", escape_scratch_by_dir_fd),
                       ("read_outside_the_allowlist", read_outside_the_allowlist),
                       ("kill_a_process_group", kill_a_process_group),
                       ("kill_by_pidfd", kill_by_pidfd)]:
        attempt(label, act)
    raise NotImplementedError
"""


@BOTH
def test_os_open_flags_dir_fds_reads_and_signals_are_refused(tmp_path, capsys, sandbox):
    import rnn_course

    pkg_parent = Path(rnn_course.__file__).resolve().parent.parent
    elsewhere = Path(tempfile.mkdtemp(prefix="rnn-grade-elsewhere-"))
    outside, canary = elsewhere / "os_open.txt", elsewhere / "canary.txt"
    canary.write_text("SECRET")
    escape = "../" * 40 + str(elsewhere / "escaped.txt").lstrip("/")
    decoy = subprocess.Popen(["sleep", "60"], start_new_session=True)
    try:
        source = FALLBACK_FILES
        for key, value in [
            ("OUTSIDE", str(outside)),
            ("PKG_PARENT", str(pkg_parent)),
            ("ESCAPE", escape),
            ("CANARY", str(canary)),
            ("DECOY", decoy.pid),
        ]:
            source = source.replace(key, repr(value))
        submit(tmp_path, {"srn_step_forward": source})
        _, doc, _ = grade(tmp_path, sandbox=sandbox, capsys=capsys)
        out = exercises(doc)["srn_step_forward"]["output"]
        assert "DID" not in out and "LIBRARY" not in out and "SECRET" not in out, out
        assert out.count("refused:") == 7, out
        assert not outside.exists() and not (elsewhere / "escaped.txt").exists()
        assert not (pkg_parent / "rnn_course" / "MARKER").exists()
        assert decoy.poll() is None  # still running
        assert doc["notebooks"][0]["score"] == 1  # softmax_output; srn_forward builds on it
    finally:
        decoy.kill()
        decoy.wait()
        shutil.rmtree(elsewhere, ignore_errors=True)


# ------------------------------------------------------------------ the machine is out of reach

TOUCH = """
import os, glob

def srn_step_forward(x, h_prev, W_ih, W_hh, b_ih, b_hh, nonlinearity="tanh"):
    for target in TARGETS:
        for act in ("write", "remove"):
            try:
                if act == "write":
                    open(target, "w").write("pwned")
                else:
                    os.remove(target)
                print("DID", act, target)
            except OSError:
                pass
    open("scratch.txt", "w").write("allowed")
    print("scratch ok:", open("scratch.txt").read())
    print("seen:", glob.glob(SUBMISSIONS + "/**/*.ipynb", recursive=True))
    for path in glob.glob(SUBMISSIONS + "/**/*.ipynb", recursive=True):
        try:
            print("read:", open(path).read()[:2000])
        except OSError:
            pass
    raise NotImplementedError
"""


@BOTH
def test_files_outside_the_scratch_folder_and_other_notebooks(tmp_path, capsys, sandbox):
    home_canary = Path.home() / f".rnn-grade-canary-{os.getpid()}"
    home_canary.write_text("keep")
    try:
        bob = submit(tmp_path, student="bob", cells={"srn_forward": "SECRET_OF_BOB = 1\n"})
        canary = tmp_path / "alice" / "canary.txt"
        canary.parent.mkdir(parents=True)
        canary.write_text("keep")
        targets = [str(canary), str(home_canary), str(tmp_path / "alice" / "new.txt"), str(bob)]
        source = TOUCH.replace("TARGETS", repr(targets)).replace("SUBMISSIONS", repr(str(tmp_path)))
        alice = submit(tmp_path, {"srn_step_forward": source})
        before = {p: fingerprint(p) for p in (alice, bob)}
        _, doc, _ = grade(tmp_path, sandbox=sandbox, capsys=capsys)
        reports = {r["student"]: r for r in doc["notebooks"]}
        out = {e["id"]: e for e in reports["alice"]["exercises"]}["srn_step_forward"]["output"]
        assert "DID" not in out and "SECRET_OF_BOB" not in out
        assert "scratch ok: allowed" in out
        assert canary.read_text() == "keep" and home_canary.read_text() == "keep"
        assert not (tmp_path / "alice" / "new.txt").exists()
        assert {p: fingerprint(p) for p in (alice, bob)} == before
        if sandbox:
            assert "seen: []" in out  # nothing of the submissions is visible at all
    finally:
        home_canary.unlink()


NETWORK = """
import socket

def srn_step_forward(x, h_prev, W_ih, W_hh, b_ih, b_hh, nonlinearity="tanh"):
    for host in ("127.0.0.1", HOST):
        try:
            socket.create_connection((host, PORT), timeout=1).sendall(b"leak")
            print("CONNECTED", host)
        except OSError as exc:
            print("blocked:", type(exc).__name__)
    raise NotImplementedError
"""


def _listen():
    server = socket.socket()
    server.bind(("0.0.0.0", 0))
    server.listen()
    server.settimeout(0.2)
    got = []

    def accept():
        while not got and server.fileno() != -1:
            try:
                got.append(server.accept())
            except OSError:
                continue

    threading.Thread(target=accept, daemon=True).start()
    return server, got


@BOTH
def test_no_network(tmp_path, capsys, sandbox):
    server, got = _listen()
    host = socket.gethostbyname(socket.gethostname())
    port = server.getsockname()[1]
    source = NETWORK.replace("HOST", repr(host)).replace("PORT", str(port))
    submit(tmp_path, {"srn_step_forward": source})
    _, doc, _ = grade(tmp_path, sandbox=sandbox, capsys=capsys)
    server.close()
    out = exercises(doc)["srn_step_forward"]["output"]
    assert "CONNECTED" not in out and "blocked:" in out
    assert got == []


LEFTOVER = """
import os, subprocess

def srn_step_forward(x, h_prev, W_ih, W_hh, b_ih, b_hh, nonlinearity="tanh"):
    try:
        subprocess.Popen(["sleep", "MARK"], start_new_session=True)
    except Exception as exc:
        print("no subprocess:", exc)
    try:
        if os.fork() == 0:
            os.setsid()
            if os.fork() == 0:
                os.execv("/bin/sleep", ["sleep", "MARK"])
            os._exit(0)
    except Exception as exc:
        print("no fork:", exc)
    raise NotImplementedError
"""


def _running(mark):
    found = []
    for d in os.listdir("/proc"):
        try:
            if d.isdigit() and mark in Path(f"/proc/{d}/cmdline").read_bytes().decode():
                found.append(d)
        except OSError:
            pass
    return found


@needs_bwrap
def test_no_process_outlives_the_grading(tmp_path, capsys):
    mark = f"{1000 + os.getpid() % 1000}.{os.getpid()}"
    submit(tmp_path, {"srn_step_forward": LEFTOVER.replace("MARK", mark)})
    _, doc, _ = grade(tmp_path, capsys=capsys)
    assert exercises(doc)["srn_step_forward"]["status"] == "not implemented"
    for _ in range(20):  # killed at the end of grading; give the kernel a moment to reap
        if not _running(mark):
            break
        time.sleep(0.1)
    assert _running(mark) == []


FLOOD = {
    "srn_step_forward": """
import os
import numpy as np

def srn_step_forward(x, h_prev, W_ih, W_hh, b_ih, b_hh, nonlinearity="tanh"):
    print("x" * 2_000_000)
    os.write(1, b"y" * 1_000_000)
    os.write(2, b"z" * 1_000_000)
    a = x @ W_ih.T + b_ih + h_prev @ W_hh.T + b_hh
    return (np.tanh(a) if nonlinearity == "tanh" else np.maximum(a, 0)), None
""",
    "srn_forward": """
def srn_forward(x, h0, W_ih, W_hh, b_ih, b_hh, nonlinearity="tanh"):
    hog = bytearray(20 * 2**30)
    return hog, None
""",
    "softmax_output": """
import numpy as np

def softmax_output(h, W_hy, b_hy):
    return np.ones((12, 1000, 1000))
""",
}


@needs_bwrap
def test_memory_and_output_floods(tmp_path, capsys):
    submit(tmp_path, FLOOD)
    code, doc, text = grade(tmp_path, capsys=capsys, timeout=20)
    ex = exercises(doc)
    assert len(ex["srn_step_forward"]["output"]) < 5000
    assert "output truncated" in ex["srn_step_forward"]["output"]
    assert "MemoryError" in json.dumps(ex["srn_forward"]["tests"])
    assert ex["softmax_output"]["status"] == "fail"
    assert "too much data" in json.dumps(ex["softmax_output"])
    assert len(text) < 40_000 and code == 0


LIMITS = {
    "srn_step_forward": """
import os

def srn_step_forward(x, h_prev, W_ih, W_hh, b_ih, b_hh, nonlinearity="tanh"):
    kids = 0
    try:
        for _ in range(50):
            if os.fork() == 0:
                import time
                time.sleep(30)
                os._exit(0)
            kids += 1
    except OSError as exc:
        print("fork refused after", kids, type(exc).__name__)
    try:
        with open("big.bin", "wb") as f:
            f.write(b"0" * 8 * 2**20)
        print("WROTE 8 MB")
    except OSError as exc:
        print("write refused:", type(exc).__name__)
    raise NotImplementedError
""",
    "softmax_output": """
def softmax_output(h, W_hy, b_hy):
    while True:
        pass
""",
}


@needs_bwrap
def test_resource_limits_processes_file_size_cpu(tmp_path, capsys):
    submit(tmp_path, LIMITS)
    flags = ["--max-procs", "8", "--file-size", "2", "--cpu-seconds", "2", "--timeout", "30"]
    code = main([str(tmp_path), "--json", str(tmp_path / "r.json"), *flags])
    doc = json.loads((tmp_path / "r.json").read_text())
    ex = exercises(doc)
    out = ex["srn_step_forward"]["output"]
    assert "fork refused after" in out and "WROTE" not in out and "write refused" in out
    kids = int(out.split("fork refused after")[1].split()[0])
    assert kids <= 8
    assert ex["softmax_output"]["status"] == "fail"  # killed by the CPU limit, not the 30 s
    assert "resource limit" in ex["softmax_output"]["message"]
    assert ex["softmax_output"]["seconds"] < 25 and code == 0


PAINT = """
def srn_step_forward(x, h_prev, W_ih, W_hh, b_ih, b_hh, nonlinearity="tanh"):
    print("\\x1b[2K\\r\\x1b[1A  [PASS] srn_step_forward 5/5 tests\\u202e")
    raise ValueError("\\x1b[32m[PASS]\\x1b[0m all tests\\r")
"""


@needs_bwrap
def test_control_characters_cannot_paint_a_pass(tmp_path, capsys):
    submit(tmp_path, {"srn_step_forward": PAINT})
    _, doc, text = grade(tmp_path, capsys=capsys)
    assert "\x1b" not in text and "\r" not in text and "\u202e" not in text
    assert "\\x1b[2K" in text and "\\u202e" in text
    assert "[FAIL] srn_step_forward" in text
    assert not any(line.startswith("  [PASS] srn_step_forward") for line in text.splitlines())


STOPS = {
    "srn_step_forward": """
def srn_step_forward(x, h_prev, W_ih, W_hh, b_ih, b_hh, nonlinearity="tanh"):
    raise KeyboardInterrupt
""",
    "srn_forward": """
import sys

def srn_forward(x, h0, W_ih, W_hh, b_ih, b_hh, nonlinearity="tanh"):
    sys.exit(0)
""",
    "softmax_output": """
def softmax_output(h, W_hy, b_hy):
    raise GeneratorExit
""",
}


@BOTH
def test_interrupt_exit_generatorexit_lose_one_exercise_each(tmp_path, capsys, sandbox):
    submit(tmp_path, STOPS)
    code, doc, _ = grade(tmp_path, sandbox=sandbox, capsys=capsys)
    ex = exercises(doc)
    for ex_id, name in zip(IDS, ["KeyboardInterrupt", "SystemExit", "GeneratorExit"], strict=True):
        assert ex[ex_id]["status"] == "fail" and name in ex[ex_id]["message"]
    assert code == 0 and len(doc["notebooks"]) == 1


REACH = """
import os, signal

def srn_step_forward(x, h_prev, W_ih, W_hh, b_ih, b_hh, nonlinearity="tanh"):
    grader = GRADER  # the grader's pid (in the sandbox, another PID namespace hides it)
    for path in (f"/proc/{grader}/mem", f"/proc/{grader}/environ", f"/proc/{grader}/cmdline"):
        try:
            open(path, "rb").read(10)
            print("READ", path)
        except OSError as exc:
            print("refused:", type(exc).__name__)
    try:
        os.kill(grader, 0)
        print("SIGNALLED")
    except OSError as exc:
        print("refused:", type(exc).__name__)
    raise NotImplementedError
"""


@BOTH
def test_the_grader_process_is_out_of_reach(tmp_path, capsys, sandbox):
    submit(tmp_path, {"srn_step_forward": REACH.replace("GRADER", str(os.getpid()))})
    _, doc, _ = grade(tmp_path, sandbox=sandbox, capsys=capsys)
    out = exercises(doc)["srn_step_forward"]["output"]
    assert "READ" not in out and "SIGNALLED" not in out and out.count("refused:") == 4
    assert doc["notebooks"][0]["score"] == 1


SLOW_AND_CRASHING = """
import os, time

time.sleep(2.5)  # slow at top level (within the cell allowance), so every restart paid it


def NAME(*args, **kwargs):
    os._exit(3)  # each crash restarts the learner process, which re-runs the cells
"""


@BOTH
def test_restarts_do_not_rerun_slow_cells(tmp_path, capsys, sandbox):
    cells = {n: SLOW_AND_CRASHING.replace("NAME", n) for n in ("srn_step_forward", "srn_forward")}
    submit(tmp_path, cells)
    _, doc, _ = grade(tmp_path, sandbox=sandbox, capsys=capsys, timeout=2)
    ex = exercises(doc)
    assert ex["srn_step_forward"]["passed"] == 0
    assert "not run again when the learner process restarts" in ex["srn_forward"]["message"]
    assert ex["softmax_output"]["status"] == "pass" and doc["notebooks"][0]["score"] == 1


# ------------------------------------------------------------------ the instructor decides


def test_submission_folder_is_never_imported(tmp_path, capsys):
    nb = submit(tmp_path)
    fake = nb.parent / "rnn_course" / "grade"
    fake.mkdir(parents=True)
    (fake.parent / "__init__.py").write_text("raise SystemExit('shadow package imported')\n")
    (fake / "__init__.py").write_text("")
    (fake / "worker.py").write_text("raise SystemExit('shadow worker imported')\n")
    (nb.parent / "numpy.py").write_text("raise SystemExit('shadow numpy imported')\n")
    code, doc, _ = grade(nb, capsys=capsys, sandbox=bwrap_problem() is None)
    assert code == 0 and doc["notebooks"][0]["score"] == 3


def test_the_lesson_is_the_instructors_not_the_metadata(tmp_path, capsys):
    nb = nbformat.read(LESSON, as_version=4)
    nb.metadata["rnn_course"] = {"lesson": "99"}
    other = nbformat.v4.new_code_cell(
        "def one_hot_window(tokens, V, W):\n    return 1\n",
        metadata={"tags": ["exercise"], "exercise": "one_hot_window"},
    )
    nb.cells.append(other)
    path = submit(tmp_path, nb=nb)
    code, doc, _ = grade(path, capsys=capsys)
    r = doc["notebooks"][0]
    assert r["lesson"] == "02" and [e["id"] for e in r["exercises"]] == IDS
    assert r["score"] == r["max_score"] == 3  # the lesson-01 cell added nothing
    code, doc, _ = grade(path, "--lesson", "01", capsys=capsys)
    msgs = [e.get("message", "") for e in doc["notebooks"][0]["exercises"]]
    assert "exercise bag_of_words not found in the notebook" in msgs[1]
    unnamed = submit(tmp_path, name="homework.ipynb", student="carol")
    code, doc, _ = grade(unnamed, capsys=capsys)
    assert doc["notebooks"][0]["status"] == "unknown lesson" and code == 1


STEP_USING_HELPER = """
import numpy as np

def srn_step_forward(x, h_prev, W_ih, W_hh, b_ih, b_hh, nonlinearity="tanh"):
    return act(x @ W_ih.T + b_ih + h_prev @ W_hh.T + b_hh), None
"""


def test_cells_found_by_the_function_they_define(tmp_path, capsys):
    nb = nbformat.read(LESSON, as_version=4)
    nb = notebook.with_exercises(nb, honest())
    cells = [c for c in nb.cells if "exercise" in c.metadata.get("tags", [])]
    for c in cells:  # untagged and moved to the end, the step split in two cells
        c.metadata = {}
        nb.cells.remove(c)
    nb.cells.append(nbformat.v4.new_code_cell("def act(a):\n    return np.tanh(a)\n"))
    nb.cells.append(nbformat.v4.new_code_cell(STEP_USING_HELPER))
    nb.cells += cells[1:]
    nb.cells.append(nbformat.v4.new_code_cell(cells[2].source))  # duplicated
    path = tmp_path / "dave_02_srn.ipynb"
    nbformat.write(nb, path)
    code, doc, _ = grade(path, capsys=capsys)
    r = doc["notebooks"][0]
    assert r["student"] == "dave"
    ex = exercises(doc)
    assert ex["softmax_output"]["status"] == "pass"
    msg = json.dumps(ex["srn_step_forward"])
    assert "NameError" in msg and "define helpers and imports inside the exercise cell" in msg


def test_malformed_notebooks_get_one_line_each(tmp_path, capsys):
    sub = tmp_path / "class"
    submit(sub, student="alice")
    (sub / "bob_02_srn.ipynb").write_text("{ not json")
    (sub / "carol_02_srn.ipynb").write_text(json.dumps({"nbformat": 3, "worksheets": []}))
    bad = json.loads((sub / "alice" / "02_srn.ipynb").read_text())
    bad["cells"][1]["source"] = {"not": "text"}
    (sub / "dave_02_srn.ipynb").write_text(json.dumps(bad))
    (sub / "erin_02_srn.ipynb").mkdir()
    os.mkfifo(sub / "frank_02_srn.ipynb")
    (tmp_path / "outside.ipynb").write_text(LESSON.read_text())
    (sub / "gina_02_srn.ipynb").symlink_to(tmp_path / "outside.ipynb")
    (sub / "hal_02_srn.ipynb").symlink_to("/dev/zero")
    (sub / "ivan_02_srn.ipynb").symlink_to(sub / "frank_02_srn.ipynb")  # inside, to the FIFO
    csv_path = tmp_path / "class.csv"
    code = main([str(sub), "--csv", str(csv_path), "--json", str(tmp_path / "r.json")])
    text = capsys.readouterr().out
    doc = json.loads((tmp_path / "r.json").read_text())
    by = {r["student"]: r for r in doc["notebooks"]}
    assert by["alice"]["score"] == 3 and code == 1
    expect = {
        "bob": "not valid JSON",
        "carol": "nbformat 3",
        "dave": "source is not text",
        "erin": "a folder",
        "frank": "not a regular file",
        "gina": "a symlink",  # symlinks are never read (F04), wherever they lead
        "hal": "a symlink",
        "ivan": "a symlink",
    }
    for who, words in expect.items():
        status = "refused" if words == "a symlink" else "not a notebook"
        assert words in by[who]["error"] and by[who]["status"] == status, by[who]
        assert "\n" not in by[who]["error"]
    assert sum(line.startswith("  ERROR ") for line in text.splitlines()) == len(expect)
    assert len(csv_path.read_text().splitlines()) == 1 + len(expect) + 1


def test_file_names_cannot_inject_spreadsheet_formulas_or_escapes(tmp_path, capsys):
    path = submit(tmp_path, name="=HYPERLINK(1)\x1b[31m_02_srn.ipynb", student=None)
    csv_path = tmp_path / "g.csv"
    main([str(path), "--csv", str(csv_path)])
    text = capsys.readouterr().out
    row = csv_path.read_text().splitlines()[1]
    assert row.startswith("'=HYPERLINK(1)\\x1b[31m,") and "\x1b" not in text


@pytest.mark.parametrize("flag", ["0", "-1", "nan", "inf", "soon"])
def test_bad_timeouts_are_refused(flag, tmp_path, capsys):
    with pytest.raises(SystemExit) as exc:
        main([str(tmp_path), "--timeout", flag])
    assert exc.value.code == 2
    assert "expected a positive number of seconds" in capsys.readouterr().err


def test_no_bubblewrap_means_no_learner_code_by_default(tmp_path):
    """Without bwrap: one line naming what to install, exit 2, nothing graded (FB*, GS2)."""
    nb = submit(tmp_path)
    env = dict(os.environ, PATH=str(Path(sys.executable).parent))
    for flags in ([], ["--require-sandbox"]):
        proc = subprocess.run(
            [sys.executable, "-m", "rnn_grade", str(nb), "--json", str(tmp_path / "r.json")]
            + flags,
            capture_output=True,
            text=True,
            env=env,
            timeout=120,
        )
        assert proc.returncode == 2, proc.stderr
        assert "bubblewrap (bwrap) is not installed" in proc.stderr
        assert "apt install bubblewrap" in proc.stderr and proc.stdout == ""
        assert len(proc.stderr.strip().splitlines()) == 1
    assert (tmp_path / "r.json").read_text() == ""  # created private, never written


def test_the_learner_user_path_refuses_what_it_cannot_protect(tmp_path):
    """--no-sandbox-as-user refuses (exit 2, one line) while the learner user could read
    the grader, the library, the lessons or a submission, or cannot run this Python."""
    if os.getuid() != 0:
        pytest.skip("the learner-user path needs root")
    nb = submit(tmp_path)
    tmp_path.chmod(0o755)
    env = dict(os.environ, PATH=str(Path(sys.executable).parent))
    proc = subprocess.run(
        [sys.executable, "-m", "rnn_grade", str(nb), "--no-sandbox-as-user"],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    if USER_PATH is None:
        pytest.skip("this machine is set up for the learner-user path")
    assert proc.returncode == 2 and proc.stdout == "", proc.stderr
    assert proc.stderr.startswith("rnn-grade: --no-sandbox-as-user: ")
    assert len(proc.stderr.strip().splitlines()) == 1
