import numpy as np

from rnn_course.numpy_rnn import srn_forward

from . import mistake


def _deriv(h, nl):
    return 1 - h**2 if nl == "tanh" else (h > 0)


def _step_back(dh, cache, deriv=True, dx_t=False, db_batch=False, dW_t=False):
    x, hp, h = cache["x"][0], cache["h0"], cache["h"][0]
    da = dh * _deriv(h, cache["nonlinearity"]) if deriv else dh
    dx = da @ (cache["W_ih"].T if dx_t else cache["W_ih"])
    dW_ih = x.T @ da if dW_t else da.T @ x
    db = da if db_batch else da.sum(0)
    return dx, da @ cache["W_hh"], dW_ih, da.T @ hp, db, db


@mistake("srn_step_backward", "missing nonlinearity derivative")
def sb_no_deriv(dh_next, cache):
    return _step_back(dh_next, cache, deriv=False)


@mistake("srn_step_backward", "transposed")
def sb_dx_t(dh_next, cache):
    return _step_back(dh_next, cache, dx_t=True)


@mistake("srn_step_backward", "sum it over the batch")
def sb_db_batch(dh_next, cache):
    return _step_back(dh_next, cache, db_batch=True)


@mistake("srn_step_backward", "transposed weight gradient")
def sb_dW_t(dh_next, cache):
    return _step_back(dh_next, cache, dW_t=True)


def _bptt(dh, cache, carry=True, overwrite=False, pair_next=False):
    x, h0, h, Wi, Wh = cache["x"], cache["h0"], cache["h"], cache["W_ih"], cache["W_hh"]
    T = len(x)
    dx, dnext = np.zeros_like(x), np.zeros_like(h0)
    dWi, dWh, db = np.zeros_like(Wi), np.zeros_like(Wh), np.zeros(Wi.shape[0])
    for t in reversed(range(T)):
        da = (dh[t] + (dnext if carry else 0)) * _deriv(h[t], cache["nonlinearity"])
        dx[t] = da @ Wi
        prev = h[t] if pair_next else (h[t - 1] if t > 0 else h0)
        if overwrite:
            dWi, dWh, db = da.T @ x[t], da.T @ prev, da.sum(0)
        else:
            dWi, dWh, db = dWi + da.T @ x[t], dWh + da.T @ prev, db + da.sum(0)
        dnext = da @ Wh
    return dx, dnext, dWi, dWh, db, db


@mistake("srn_backward", "missing the part from h_{t+1}")
def b_no_carry(dh, cache):
    return _bptt(dh, cache, carry=False)


@mistake("srn_backward", "not summed over time")
def b_overwrite(dh, cache):
    return _bptt(dh, cache, overwrite=True)


@mistake("srn_backward", "h_{t-1}")
def b_pair_next(dh, cache):
    return _bptt(dh, cache, pair_next=True)


@mistake("numeric_gradient", "one-sided difference")
def num_one_sided(f, x, df=None, h=1e-5):
    g = np.zeros_like(x)
    base = np.array(f(x), dtype=float)
    for ix in np.ndindex(*x.shape):
        old = x[ix]
        x[ix] = old + h
        d = np.array(f(x), dtype=float) - base
        x[ix] = old
        g[ix] = (d if df is None else d * df).sum() / h
    return g


def _centred(f, x, df=None, h=1e-5, denom=2, restore=True, copy=False):
    g = np.zeros_like(x)
    for ix in np.ndindex(*x.shape):
        xx = x.copy() if copy else x
        old = xx[ix]
        xx[ix] = old + h
        plus = np.array(f(xx), dtype=float)
        xx[ix] = old - h
        minus = np.array(f(xx), dtype=float)
        if restore:
            xx[ix] = old
        d = plus - minus
        g[ix] = (d if df is None else d * df).sum() / (denom * h)
    return g


@mistake("numeric_gradient", "divide by 2h")
def num_by_h(f, x, df=None, h=1e-5):
    return _centred(f, x, df, h, denom=1)


@mistake("numeric_gradient", "in-place mutation")
def num_no_restore(f, x, df=None, h=1e-5):
    return _centred(f, x, df, h, restore=False)


@mistake("numeric_gradient", "closure")
def num_copy(f, x, df=None, h=1e-5):
    return _centred(f, x, df, h, copy=True)


@mistake("numeric_gradient", "df ignored")
def num_no_df(f, x, df=None, h=1e-5):
    return _centred(f, x, None, h)


@mistake("tbptt_chunks", "targets must be the next tokens")
def chunks_same(stream, seq_len):
    for s in range(0, len(stream) - 1, seq_len):
        yield stream[s : s + seq_len], stream[s : s + seq_len]


@mistake("tbptt_chunks", "shorter chunk is dropped")
def chunks_drop_last(stream, seq_len):
    n = len(stream) - 1
    for s in range(0, n - seq_len + 1, seq_len):
        yield stream[s : s + seq_len], stream[s + 1 : s + 1 + seq_len]


@mistake("tbptt_chunks", "must not overlap")
def chunks_overlap(stream, seq_len):
    n = len(stream) - 1
    for s in range(0, n, seq_len // 2):
        t = min(seq_len, n - s)
        yield stream[s : s + t], stream[s + 1 : s + 1 + t]


def _chunked(x, h0, W_ih, W_hh, b_ih, b_hh, seq_len, start):
    hs, caches, h = [], [], h0
    for s in range(0, len(x), seq_len):
        h_c, cache = srn_forward(x[s : s + seq_len], start(h0, h), W_ih, W_hh, b_ih, b_hh)
        hs.append(h_c)
        caches.append(cache)
        h = h_c[-1]
    return np.concatenate(hs), caches


@mistake("srn_forward_chunked", "state not carried")
def carry_reset_h0(x, h0, W_ih, W_hh, b_ih, b_hh, seq_len):
    return _chunked(x, h0, W_ih, W_hh, b_ih, b_hh, seq_len, lambda h0, h: h0)


@mistake("srn_forward_chunked", "not from zeros")
def carry_reset_zero(x, h0, W_ih, W_hh, b_ih, b_hh, seq_len):
    return _chunked(
        x,
        h0,
        W_ih,
        W_hh,
        b_ih,
        b_hh,
        seq_len,
        lambda h0, h: np.zeros_like(h0) if h is h0 else np.zeros_like(h),
    )


@mistake("srn_forward_chunked", "shorter chunk is dropped")
def carry_drop_last(x, h0, W_ih, W_hh, b_ih, b_hh, seq_len):
    T = len(x) // seq_len * seq_len
    return _chunked(x[:T], h0, W_ih, W_hh, b_ih, b_hh, seq_len, lambda h0, h: h)
