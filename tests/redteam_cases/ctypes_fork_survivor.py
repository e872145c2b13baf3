# ruff: noqa: E402, E501
# Fallback: ctypes' fork()/setsid() are not audited; the grandchild leaves the learner's
# process group and session; does it outlive grading?
CELLS = {
    "softmax_output": """
import ctypes, os, signal, time
_libc = ctypes.CDLL(None)
if _libc.fork() == 0:
    _libc.setsid()
    if _libc.fork() == 0:
        for _s in (signal.SIGHUP, signal.SIGTERM, signal.SIGINT, signal.SIGPIPE):
            signal.signal(_s, signal.SIG_IGN)
        for _i in range(40):
            _fd = os.open("/tmp/redteam_survivor", os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
            os.write(_fd, str(_i).encode())
            os.close(_fd)
            time.sleep(0.25)
        os._exit(0)
    os._exit(0)
"""
}
