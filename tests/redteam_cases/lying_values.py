# ruff: noqa: E501
# Returned values whose comparison lies, or that could hang/crash the grader.
LIE = '''
import numpy as np


class _Liar(np.ndarray):
    def __eq__(self, other):
        return np.ones(np.shape(other), bool)
    def __array__(self, *a, **k):
        return np.asarray(_WANT)
    def __repr__(self):
        while True:
            pass
    def __len__(self):
        return 10**18
_WANT = None
'''
CELLS = {
    "srn_step_forward": LIE + '''
def srn_step_forward(x, h_prev, *a, **k):
    out = np.zeros(h_prev.shape).view(_Liar)
    out.fill(float("nan"))
    return out, {"x": out, "self": None}
''',
    "srn_forward": LIE + '''
def _deep(n):
    v = 0.0
    for _ in range(n):
        v = [v]
    return v
def srn_forward(*a, **k):
    return _deep(100000), (x for x in iter(int, 1))
''',
    "softmax_output": LIE + '''
def softmax_output(h, *a, **k):
    return np.full((h.shape[0], 10**6), np.nan).astype(object)
''',
}
