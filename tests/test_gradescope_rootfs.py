"""The Gradescope bundle end to end in a Gradescope-shaped container (slow, root only).

A Debian 12 root filesystem (debootstrap, minbase with python3 and python3-venv: the closest
to Gradescope's Ubuntu base images that can be built offline here; Ubuntu images cannot be
fetched) with ``/autograder/source``, ``/autograder/submission`` and ``/autograder/results``
laid out as Gradescope does (tests/gradescope_sim.sh). ``setup.sh`` runs once (installing
from a local wheel folder, as pip would from the indexes); ``run_autograder`` then runs per
submission in a fresh container of that image, as root: without CAP_SYS_ADMIN (Docker's
default, so bubblewrap cannot start and the grader uses its unprivileged user) and, for the
hostile case, also privileged (bubblewrap starts).

Needs root, debootstrap (``apt-get install debootstrap``; .ci/run installs it), Debian's
package mirror the first time (the root filesystem is kept in
``$RNN_GRADE_GS_ROOTFS`` or ``~/.cache/rnn-course/gs-rootfs``), unshare/chroot/setpriv
(util-linux) and overlayfs. Skips, saying which, where any is missing.
"""

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from rnn_grade import gradescope

pytestmark = pytest.mark.slow  # about 3 minutes: setup.sh installs torch into the image

HERE = Path(__file__).resolve().parent
SIM = HERE / "gradescope_sim.sh"
CACHE = Path(os.environ.get("RNN_GRADE_GS_CACHE", Path.home() / ".cache" / "rnn-course"))
ROOTFS = Path(os.environ.get("RNN_GRADE_GS_ROOTFS", CACHE / "gs-rootfs"))
LESSON = "02"

HOSTILE = r"""
import ctypes, json, os, time
_FAKE = json.dumps({"score": 99.0, "output": "forged", "tests": []}).encode()
_libc = ctypes.CDLL(None)
_tries = []
for _path in ("/autograder/results/results.json", "/autograder/source/secret_seed"):
    try:
        with open(_path, "rb") as _f:
            _tries.append(("read", _path, _f.read()[:20]))
    except OSError as _e:
        _tries.append(("read", _path, repr(_e)))
if _libc.fork() == 0:          # a daemon that outlives the grader and rewrites results.json
    _libc.setsid()
    if _libc.fork() == 0:
        _t0 = time.time()
        while time.time() - _t0 < 30:
            _fd = _libc.open(b"/autograder/results/results.json", 0o1101, 0o644)
            if _fd >= 0:
                _libc.write(_fd, _FAKE, len(_FAKE)); _libc.close(_fd)
            time.sleep(0.05)
        _libc._exit(0)
    _libc._exit(0)


def srn_step_forward(x, h_prev, W_ih, W_hh, b_ih, b_hh, nonlinearity="tanh"):
    raise NotImplementedError(str(_tries))
"""


def _digest(bundle):
    """A hash of the zip's names and contents (not its timestamps)."""
    import hashlib
    import zipfile

    h = hashlib.sha256()
    with zipfile.ZipFile(bundle) as z:
        for name in sorted(z.namelist()):
            h.update(name.encode() + b"\0" + z.read(name) + b"\0")
    return h.hexdigest()[:16]


def _missing():
    if sys.platform != "linux" or os.geteuid() != 0:
        return "needs root on Linux (mount namespaces, overlayfs, chroot)"
    for tool in ("unshare", "chroot", "setpriv", "mount"):
        if shutil.which(tool) is None:
            return f"needs {tool} (util-linux)"
    if not (ROOTFS / "usr" / "bin" / "python3").exists() and shutil.which("debootstrap") is None:
        return f"no root filesystem at {ROOTFS} and no debootstrap (apt-get install debootstrap)"
    return None


@pytest.fixture(scope="module")
def image(tmp_path_factory):
    why = _missing()
    if why:
        pytest.skip(why)
    t = time.monotonic()
    if not (ROOTFS / "usr" / "bin" / "python3").exists():
        ROOTFS.parent.mkdir(parents=True, exist_ok=True)
        r = subprocess.run(
            ["bash", str(SIM), "rootfs", str(ROOTFS)], capture_output=True, text=True
        )
        if r.returncode:
            pytest.skip(
                "could not build the root filesystem (no Debian mirror?): " + r.stderr[-300:]
            )
    wheels = CACHE / "gs-wheels"
    pins = gradescope.pins()
    r = subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "download",
            "-q",
            "-d",
            str(wheels),
            "--only-binary=:all:",
            "--python-version",
            "3.11",
            *(f"{k}=={v}" for k, v in pins.items()),
        ],
        capture_output=True,
        text=True,
    )
    if r.returncode:
        pytest.skip("cannot fetch the wheels setup.sh installs: " + r.stderr[-300:])
    root = tmp_path_factory.mktemp("gs")
    bundle = gradescope.build(LESSON, root / "autograder.zip", seed=4242)
    img = CACHE / f"gs-image-{_digest(bundle)}"  # setup.sh's image, kept for an identical zip
    if not (img / "autograder" / "venv" / "bin" / "python").exists():
        for old in CACHE.glob("gs-image-*"):
            shutil.rmtree(old, ignore_errors=True)
        r = subprocess.run(
            ["bash", str(SIM), "setup", str(ROOTFS), str(img), str(bundle)],
            capture_output=True,
            text=True,
            env=dict(os.environ, GS_SIM_WHEELS=str(wheels)),
        )
        print(r.stdout[-3000:], r.stderr[-3000:])
        if r.returncode or "self-test 3/3" not in r.stdout:
            shutil.rmtree(img, ignore_errors=True)
        assert r.returncode == 0, r.stdout[-2000:] + r.stderr[-2000:]
        assert "self-test 3/3" in r.stdout, r.stdout[-2000:]
    print(f"setup.sh: {time.monotonic() - t:.0f} s")
    return root, img


def _run(image, files, caps="docker"):
    root, img = image
    sub = root / f"sub{time.monotonic_ns()}"
    sub.mkdir()
    for name, text in files.items():
        (sub / name).parent.mkdir(parents=True, exist_ok=True)
        (sub / name).write_text(text, encoding="utf-8")
    out = root / f"out{time.monotonic_ns()}"
    t = time.monotonic()
    r = subprocess.run(
        ["bash", str(SIM), "run", str(ROOTFS), str(img), str(sub), str(out), caps],
        capture_output=True,
        text=True,
        timeout=600,
    )
    print(r.stdout[-4000:], r.stderr[-2000:], f"run_autograder: {time.monotonic() - t:.1f} s")
    doc = json.loads((out / "results.json").read_text())
    return doc, out


def _answers(which="correct_a"):
    from rnn_grade import lessons

    return (Path(lessons.folders()[LESSON]) / "fixtures" / f"{which}.py").read_text()


def _scores(doc):
    return {t["name"]: (t["score"], t["max_score"], t["visibility"]) for t in doc["tests"]}


def test_correct_wrong_missing_and_other_lessons(image):
    correct = gradescope.answered_notebook(LESSON, _answers())
    wrong = gradescope.answered_notebook(
        LESSON, _answers().replace("b_ih[j] + b_hh[j] + ", "b_hh[j] + ")
    )
    fresh = gradescope.workbook(LESSON).read_text()
    doc, _ = _run(image, {"02_srn.ipynb": correct})
    assert doc["score"] == pytest.approx(3.0), doc["output"]
    assert {v for *_, v in _scores(doc).values()} == {"visible", "after_due_date"}
    assert "Graded file: 02_srn.ipynb." in doc["output"]

    doc, _ = _run(image, {"02_srn.ipynb": wrong})
    step = _scores(doc)["srn_step_forward (public probes)"]
    assert step[0] < step[1] and 0 < doc["score"] < 3
    text = [t["output"] for t in doc["tests"] if t["name"].startswith("srn_step_forward (pub")]
    assert "b_ih" in text[0]

    doc, _ = _run(image, {})
    assert doc["score"] == 0 and "no notebook (.ipynb)" in doc["output"]
    assert sum(t["max_score"] for t in doc["tests"]) == 3  # 0 of 3, never 0/0

    doc, _ = _run(image, {"02_srn.ipynb": fresh, "final/02_srn_v2.ipynb": correct})
    assert doc["score"] == pytest.approx(3.0)
    assert "Graded file: final/02_srn_v2.ipynb." in doc["output"]
    assert "2 notebooks of this lesson" in doc["output"]

    doc, _ = _run(image, {"05_lstm.ipynb": gradescope.workbook("05").read_text()})
    assert doc["score"] == 0 and "looks like lesson 05" in doc["output"]


@pytest.mark.parametrize("caps", ["docker", "privileged"])
def test_hostile_submission_cannot_forge_results(image, caps):
    nb = gradescope.answered_notebook(LESSON, _answers())
    import nbformat

    doc = nbformat.reads(nb, as_version=4)
    for c in doc.cells:
        if c.metadata.get("exercise") == "srn_step_forward":
            c.source = HOSTILE
    doc, out = _run(image, {"02_srn.ipynb": nbformat.writes(doc)}, caps)
    time.sleep(1)
    assert doc["score"] < 3 and doc.get("output") != "forged", doc
    step = [t for t in doc["tests"] if t["name"] == "srn_step_forward (public probes)"][0]
    assert step["score"] == 0 and "4242" not in json.dumps(doc)
    leftovers = (out / "leftovers.txt").read_text() if (out / "leftovers.txt").exists() else ""
    if leftovers.strip() and gradescope.ISOLATION["none"] in doc["output"]:
        # the results stood (asserted above), but the plain fallback (no bubblewrap, no
        # unprivileged user of the grader's own) leaves the daemon running: issue 19's
        # unprivileged-user path kills every process of its user; until it is merged
        pytest.xfail("the plain fallback left learner processes running: " + leftovers[:80])
    assert leftovers.strip() == "", leftovers
