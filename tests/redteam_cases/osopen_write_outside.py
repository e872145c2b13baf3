# ruff: noqa: E402, E501
# Fallback: the audit hook takes the 'open' event's mode (None for os.open) as "r",
# so os.open(..., O_WRONLY|O_CREAT) is never seen as a write: a file appears outside scratch.
CELLS = {
    "softmax_output": """
import os
_fd = os.open("/tmp/redteam_pwned_osopen", os.O_WRONLY | os.O_CREAT, 0o666)
os.write(_fd, b"written by learner code")
os.close(_fd)
"""
}
