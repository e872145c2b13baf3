r"""The linear recurrence ``h_t = a_t * h_{t-1} + b_t``: a loop, three parallel scans, its backward.

Linear recurrent layers, state-space models and the minimal gated RNNs of
chapter 7 (:mod:`rnn_course.min_rnn`) have this element-wise recurrence with
no nonlinearity between steps. One step is the affine map ``h -> a h + b``;
two steps compose into one step of the same form (:func:`combine`), and the
composition is associative, so the states of all T steps are a *scan* (a
prefix "sum" under that composition) that can be computed in O(log T)
parallel rounds instead of T sequential ones:

===================  =====================  ===================  =========================
function             combines (work)        rounds (depth)       note
===================  =====================  ===================  =========================
linear_recurrence    T                      T                    the loop, the reference
hillis_steele_scan   about T log2 T         ceil(log2 T)         most entries every round
blelloch_scan        about 3T               2 log2 n + 1         up-sweep, down-sweep
cumprod_scan         --                     (cumprod, cumsum)    underflows for long T
log_space_scan       --                     (cumsum, logcumsumexp)  the stable version
===================  =====================  ===================  =========================

:func:`scan_work_depth` counts the combines and rounds of the first three from
the same index schedules that compute them.

Arrays are time-major: ``a``, ``b`` and the result ``h`` have shape
``(T, *S)`` for any trailing shape ``S`` (``(T, B, H)`` in a layer), and the
initial state ``h0`` has shape ``S`` (zeros when omitted).

The backward pass is a linear recurrence too, run backwards in time
(:func:`scan_backward`): the gradient reaching ``h_t`` is
``g_t = dh_t + a_{t+1} g_{t+1}``, so the same scans compute it.
See chapter 7, Recurrence revisited (and chapter 6, Where the field went next).
"""

import numpy as np

__all__ = [
    "METHODS",
    "combine",
    "linear_recurrence",
    "hillis_steele_scan",
    "blelloch_scan",
    "parallel_scan",
    "cumprod_scan",
    "log_space_scan",
    "scan",
    "scan_forward",
    "scan_backward",
    "scan_work_depth",
]

#: Names accepted by :func:`scan` and :func:`scan_forward`.
METHODS = ("loop", "hillis_steele", "blelloch", "log")


# ----------------------------------------------------------------- validation


def _as_float(x, name):
    if not isinstance(x, np.ndarray):
        raise TypeError(f"{name}: expected a numpy array of shape (T, ...), got {type(x).__name__}")
    if not np.issubdtype(x.dtype, np.floating):
        raise TypeError(f"{name}: expected a floating-point array, got dtype {x.dtype}")
    if x.ndim < 1 or x.shape[0] < 1:
        raise ValueError(f"{name}: expected shape (T, ...) with T >= 1, got {x.shape}")
    return x


def _check(a, b, h0, a_name="a"):
    """Validate ``a``, ``b`` (T, *S) and ``h0`` (S) or None; return h0 as an array."""
    _as_float(a, a_name)
    _as_float(b, "b")
    if a.shape != b.shape:
        raise ValueError(
            f"{a_name}, b: expected the same shape (T, ...), got {a.shape} and {b.shape}"
        )
    if a.dtype != b.dtype:
        raise TypeError(f"b: dtype {b.dtype} does not match {a_name} dtype {a.dtype}")
    if h0 is None:
        return np.zeros(b.shape[1:], dtype=b.dtype)
    if not isinstance(h0, np.ndarray) or h0.shape != b.shape[1:]:
        got = h0.shape if isinstance(h0, np.ndarray) else type(h0).__name__
        raise ValueError(f"h0: expected an array of shape {b.shape[1:]} (b.shape[1:]), got {got}")
    if h0.dtype != b.dtype:
        raise TypeError(f"h0: dtype {h0.dtype} does not match b dtype {b.dtype}")
    return h0


def _fold_h0(a, b, h0):
    """Fold the initial state into the first step: b_1 <- a_1 h0 + b_1 (a copy of b)."""
    b = b.copy()
    b[0] += a[0] * h0
    return b


# ---------------------------------------------------------------- the operator


def combine(first, second):
    r"""The step ``h -> a1 h + b1`` followed by ``h -> a2 h + b2``, as one step.

    Parameters
    ----------
    first, second : tuple of ndarray
        ``(a1, b1)`` and ``(a2, b2)``, any broadcast-compatible shapes.

    Returns
    -------
    tuple of ndarray
        ``(a2 a1, a2 b1 + b2)``.

    Notes
    -----
    .. math:: a_2 (a_1 h + b_1) + b_2 = (a_2 a_1) h + (a_2 b_1 + b_2)

    The operator is associative but not commutative: the earlier step comes first.
    """
    (a1, b1), (a2, b2) = first, second
    return a2 * a1, a2 * b1 + b2


# ----------------------------------------------------------------- the loop


def linear_recurrence(a, b, h0=None):
    r"""``h_t = a_t * h_{t-1} + b_t``, one step at a time: T rounds of work.

    Parameters
    ----------
    a, b : ndarray, shape (T, *S)
    h0 : ndarray, shape S, optional
        The state before the first step; zeros if omitted.

    Returns
    -------
    h : ndarray, shape (T, *S)

    Examples
    --------
    >>> a = np.array([0.5, 0.5, 0.5]); b = np.array([1.0, 1.0, 1.0])
    >>> linear_recurrence(a, b)
    array([1.  , 1.5 , 1.75])
    """
    h_prev = _check(a, b, h0)
    h = np.empty_like(b)
    for t in range(len(b)):
        h_prev = h[t] = a[t] * h_prev + b[t]  # (*S)
    return h


# ----------------------------------------------------------- Hillis and Steele


def _hillis_steele_shifts(T):
    """The shifts 1, 2, 4, ... < T of Hillis and Steele's scan, one per round."""
    shift = 1
    while shift < T:
        yield shift
        shift *= 2


def hillis_steele_scan(a, b, h0=None):
    r"""All states of :func:`linear_recurrence` in ceil(log2 T) rounds (Hillis and Steele).

    Parameters
    ----------
    a, b : ndarray, shape (T, *S)
    h0 : ndarray, shape S, optional

    Returns
    -------
    h : ndarray, shape (T, *S)

    Notes
    -----
    In the round with shift :math:`s = 2^r`, every entry t >= s combines with
    entry t - s: afterwards entry t holds the composition of the :math:`2^{r+1}`
    steps ending at t (or all steps from the first, when fewer). Each round is
    element-wise over t, so it could run on T processors at once; the price is
    about :math:`T \log_2 T` combines instead of T.
    """
    h0 = _check(a, b, h0)
    A, Bv = a.copy(), _fold_h0(a, b, h0)  # (T, *S): entry t is the step t so far
    for s in _hillis_steele_shifts(len(a)):
        # entries s.. combine with the entry s before them (read before written)
        A[s:], Bv[s:] = combine((A[:-s], Bv[:-s]), (A[s:], Bv[s:]))
    return Bv  # the composed step applied to h = 0


#: Chapter 6's name for :func:`hillis_steele_scan`.
parallel_scan = hillis_steele_scan


# ------------------------------------------------------------------- Blelloch


def _blelloch_levels(n):
    """Up-sweep levels (left, right, stride) of a Blelloch scan over n = 2^k entries."""
    stride = 2
    while stride <= n:
        half = stride // 2
        yield slice(half - 1, n, stride), slice(stride - 1, n, stride)
        stride *= 2


def blelloch_scan(a, b, h0=None):
    r"""All states of :func:`linear_recurrence` by Blelloch's up-sweep and down-sweep.

    Parameters
    ----------
    a, b : ndarray, shape (T, *S)
    h0 : ndarray, shape S, optional

    Returns
    -------
    h : ndarray, shape (T, *S)

    Notes
    -----
    T is padded to a power of two n with identity steps (a = 1, b = 0).

    - **Up-sweep** (a reduction tree): at each level the right entry of every
      pair becomes the composition of the pair; n - 1 combines in log2 n rounds.
    - **Down-sweep**: the root is set to the identity; going down, each left
      child takes its parent's value (the composition of everything before it)
      and each right child takes the parent's value followed by the left
      child's sum. Another n - 1 combines in log2 n rounds; entry t then holds
      the composition of the steps *before* t (an exclusive scan).
    - Applied to h0 that composition is :math:`h_{t-1}`, and one more
      element-wise round gives :math:`h_t = a_t h_{t-1} + b_t`.

    About 3n combines in all (work-efficient: a constant times the loop's),
    in 2 log2 n + 1 rounds. See Blelloch (1990).
    """
    h0 = _check(a, b, h0)
    T = len(a)
    n = 1 << (T - 1).bit_length()  # next power of two
    A = np.ones((n, *a.shape[1:]), dtype=a.dtype)  # identity steps pad the end
    Bv = np.zeros((n, *b.shape[1:]), dtype=b.dtype)
    A[:T], Bv[:T] = a, b
    levels = list(_blelloch_levels(n))
    for left, right in levels:  # up-sweep
        A[right], Bv[right] = combine((A[left], Bv[left]), (A[right], Bv[right]))
    A[-1], Bv[-1] = 1, 0  # the root: nothing comes before the first step
    for left, right in reversed(levels):  # down-sweep
        before = (A[right].copy(), Bv[right].copy())  # what precedes the pair
        left_sum = (A[left].copy(), Bv[left].copy())
        A[left], Bv[left] = before
        A[right], Bv[right] = combine(before, left_sum)
    h_prev = A[:T] * h0 + Bv[:T]  # (T, *S): the steps before t applied to h0
    return a * h_prev + b  # one last element-wise round


# ------------------------------------------------ cumulative products and logs


def cumprod_scan(a, b, h0=None):
    r"""The recurrence from a cumulative product and a cumulative sum (underflows).

    Parameters
    ----------
    a, b : ndarray, shape (T, *S)
    h0 : ndarray, shape S, optional

    Returns
    -------
    h : ndarray, shape (T, *S)
        ``nan`` or ``inf`` wherever the product underflows.

    Notes
    -----
    With :math:`P_t = a_1 \cdots a_t`,

    .. math:: h_t = P_t \Big(h_0 + \sum_{s \le t} \frac{b_s}{P_s}\Big)

    uses only ``cumprod`` and ``cumsum``, two scans every array library has.
    For |a| < 1 the product shrinks geometrically and underflows to 0 after a
    few hundred steps in float32 (one to a few thousand in float64, for decays
    of 0.5 to 0.7); then
    :math:`b_s / P_s` is infinite and :math:`0 \cdot \infty` is ``nan``.
    :func:`log_space_scan` is the repair. Shown to fail in chapter 7.
    """
    h0 = _check(a, b, h0)
    with np.errstate(divide="ignore", over="ignore", invalid="ignore", under="ignore"):
        P = np.cumprod(a, axis=0)  # (T, *S)
        return P * (h0 + np.cumsum(b / P, axis=0))


def _logcumsumexp_parallel(x):
    """log(cumsum(exp(x))) along axis 0 by a Hillis-Steele scan of logaddexp (no loop over T)."""
    out = x.copy()
    for s in _hillis_steele_shifts(len(x)):
        out[s:] = np.logaddexp(out[:-s], out[s:])
    return out


def log_space_scan(log_a, b, h0=None):
    r"""The recurrence in log space: no product is ever formed, so nothing underflows.

    Parameters
    ----------
    log_a : ndarray, shape (T, *S)
        :math:`\log a_t` (so ``a`` must be positive); for a gate
        :math:`a = \sigma(k)` pass :math:`-\operatorname{softplus}(-k)`.
    b : ndarray, shape (T, *S)
        Any sign.
    h0 : ndarray, shape S, optional

    Returns
    -------
    h : ndarray, shape (T, *S)

    Notes
    -----
    With :math:`L_t = \sum_{r \le t} \log a_r` (a cumulative sum),

    .. math::
        h_t = \sum_{s=0}^{t} e^{L_t - L_s} b_s
            = e^{L_t + \operatorname{LSE}_{s \le t}(\log b_s^+ - L_s)}
            - e^{L_t + \operatorname{LSE}_{s \le t}(\log b_s^- - L_s)}

    with :math:`b_0 = h_0`, :math:`L_0 = 0`, and the positive and negative
    parts of b kept apart (their logs are :math:`-\infty` where a part is 0).
    Both ``cumsum`` and the running log-sum-exp are scans with associative
    operators (``+`` and ``logaddexp``), computed here by Hillis and Steele's
    schedule; every exponent is a log of a quantity no larger than the sum
    of |b|, so it neither overflows nor underflows to nonsense. Heinsen (2023)
    and Feng et al. (2024) compute minGRU this way (with positive values only).
    """
    h0 = _check(log_a, b, h0, a_name="log_a")
    S = b.shape[1:]
    L = np.concatenate([np.zeros((1, *S), b.dtype), np.cumsum(log_a, axis=0)])  # (T+1, *S)
    vals = np.concatenate([h0[None], b])  # (T+1, *S): h0 is a step with L = 0
    with np.errstate(divide="ignore"):
        log_pos = np.log(np.where(vals > 0, vals, 0.0))  # -inf where not positive
        log_neg = np.log(np.where(vals < 0, -vals, 0.0))
    pos = _logcumsumexp_parallel(log_pos - L)  # (T+1, *S)
    neg = _logcumsumexp_parallel(log_neg - L)
    with np.errstate(under="ignore"):
        h = np.exp(L + pos) - np.exp(L + neg)  # exp(-inf) = 0 for an empty part
    return h[1:]


# ------------------------------------------------------------ one entry point


def scan(a, b, h0=None, method="blelloch"):
    r"""All states of ``h_t = a_t h_{t-1} + b_t`` by the named method.

    Parameters
    ----------
    a, b : ndarray, shape (T, *S)
        For ``method="log"``, ``a`` must be positive (its log is taken).
    h0 : ndarray, shape S, optional
    method : {"loop", "hillis_steele", "blelloch", "log"}

    Returns
    -------
    h : ndarray, shape (T, *S)
    """
    if method not in METHODS:
        raise ValueError(f"method: unknown scan {method!r}; choose one of {METHODS}")
    if method == "log":
        _check(a, b, h0)
        if np.any(a <= 0):
            raise ValueError("a: method='log' needs a > 0 everywhere (it takes log a)")
        return log_space_scan(np.log(a), b, h0)
    fn = {"loop": linear_recurrence, "hillis_steele": hillis_steele_scan, "blelloch": blelloch_scan}
    return fn[method](a, b, h0)


def scan_forward(a, b, h0=None, method="blelloch"):
    r"""Forward pass of the linear recurrence, CS231n style.

    Parameters
    ----------
    a, b : ndarray, shape (T, *S)
    h0 : ndarray, shape S, optional
        Zeros if omitted (its gradient is still returned).
    method : {"loop", "hillis_steele", "blelloch", "log"}
        Used for the forward and for the backward scan.

    Returns
    -------
    h : ndarray, shape (T, *S)
    cache : dict
        ``a``, ``h0``, ``h`` and ``method``, for :func:`scan_backward`.
    """
    h0 = _check(a, b, h0)
    h = scan(a, b, h0, method)
    return h, {"a": a, "h0": h0, "h": h, "method": method}


def scan_backward(dh, cache):
    r"""Backward pass of :func:`scan_forward`: a linear recurrence run backwards in time.

    Parameters
    ----------
    dh : ndarray, shape (T, *S)
        Upstream gradient on every state (the loss may read all of them).
    cache : dict
        From :func:`scan_forward`.

    Returns
    -------
    da : ndarray, shape (T, *S)
    db : ndarray, shape (T, *S)
    dh0 : ndarray, shape S

    Notes
    -----
    :math:`h_t` reaches the loss directly and through :math:`h_{t+1} = a_{t+1}
    h_t + b_{t+1}`, so the total gradient :math:`g_t = \partial L/\partial h_t` is

    .. math::
        g_T = \bar h_T, \qquad g_t = \bar h_t + a_{t+1} g_{t+1},

    the same recurrence with the coefficients shifted by one and time reversed,
    computed by the same scan. Then, from :math:`h_t = a_t h_{t-1} + b_t`,

    .. math::
        \bar b_t = g_t, \qquad \bar a_t = g_t h_{t-1}, \qquad \bar h_0 = a_1 g_1 .
    """
    if not isinstance(cache, dict) or not {"a", "h0", "h", "method"} <= set(cache):
        raise TypeError("cache: expected the cache returned by scan_forward (a, h0, h, method)")
    a, h0, h, method = cache["a"], cache["h0"], cache["h"], cache["method"]
    _as_float(dh, "dh")
    if dh.shape != h.shape:
        raise ValueError(f"dh: expected the shape of h {h.shape}, got {dh.shape}")
    if dh.dtype != h.dtype:
        raise TypeError(f"dh: dtype {dh.dtype} does not match the forward dtype {h.dtype}")
    # c_t = a_{t+1}; the last one multiplies nothing (1 keeps log-space happy)
    c = np.concatenate([a[1:], np.ones_like(a[:1])])  # (T, *S)
    g = scan(c[::-1].copy(), dh[::-1].copy(), None, method)[::-1]  # (T, *S) reversed scan
    h_prev = np.concatenate([h0[None], h[:-1]])  # (T, *S) the state each step read
    return g * h_prev, g.copy(), a[0] * g[0]


# -------------------------------------------------------------- work and depth


def scan_work_depth(T, method):
    r"""Combines (work) and rounds (depth) of a scan over T steps, from its schedule.

    Parameters
    ----------
    T : int
    method : {"loop", "hillis_steele", "blelloch"}

    Returns
    -------
    work : int
        Number of applications of :func:`combine` (an element-wise ``a h + b``
        counts as one).
    depth : int
        Number of rounds that must run one after another.

    Notes
    -----
    Counted from the same shift and level schedules that :func:`hillis_steele_scan`
    and :func:`blelloch_scan` execute: Hillis and Steele combine T - s entries in
    the round with shift s; Blelloch pads T to a power of two n and combines
    n - 1 entries going up, n - 1 going down and T in the last round. Folding
    h0 into the first step is not counted.
    """
    if not isinstance(T, (int, np.integer)) or T < 1:
        raise ValueError(f"T: expected an int >= 1, got {T!r}")
    if method == "loop":
        return int(T), int(T)
    if method == "hillis_steele":
        rounds = list(_hillis_steele_shifts(T))
        return int(sum(T - s for s in rounds)), len(rounds)
    if method == "blelloch":
        n = 1 << (T - 1).bit_length()
        levels = list(_blelloch_levels(n))
        up = sum(len(range(n)[right]) for _, right in levels)
        return int(2 * up + T), 2 * len(levels) + 1
    raise ValueError(f"method: expected 'loop', 'hillis_steele' or 'blelloch', got {method!r}")
