"""Trusted harness of lesson 04, run in the learner's process (``probes.in_learner``).

The clipping functions change the caller's arrays in place, like torch's
``clip_grad_norm_`` and ``clip_grad_value_``. Only in the learner's process can the
check see whether the arrays themselves changed or were replaced by new ones, so
this harness keeps the original arrays and returns both as plain data. NumPy only.
"""

import numpy as np


def _arrays(grads):
    return list(grads.values()) if isinstance(grads, dict) else list(grads)


def _flat(arrays):
    return np.concatenate([np.ravel(np.asarray(a, dtype=float)) for a in arrays])


def clip_case(fn, grads, **kwargs):
    """Call ``fn(grads, **kwargs)``; return (returned, keys, the container's arrays
    after, the original arrays after), the arrays flattened (None if not numbers)."""
    originals = _arrays(grads)
    returned = fn(grads, **kwargs)
    keys = sorted(grads) if isinstance(grads, dict) else None
    try:
        after = _flat(_arrays(grads))
    except (TypeError, ValueError):
        after = None
    if isinstance(returned, np.generic) and np.ndim(returned) == 0:
        returned = returned.item()  # a NumPy scalar travels as a number
    elif isinstance(returned, (dict, list, tuple, np.ndarray)):
        returned = "a " + type(returned).__name__  # only its kind travels back
    return returned, keys, after, _flat(originals)
