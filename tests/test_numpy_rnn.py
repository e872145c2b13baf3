"""rnn_course.numpy_rnn: numeric gradient checks, parity with torch.nn, bad input, dtypes.

Budgets (float64, centred differences, h = 1e-5): relative error <= 1e-7 for the
step functions, <= 1e-6 for the sequence functions. Parity with torch.nn (float64,
copied weights): max absolute difference <= 1e-10 on outputs, states and every gradient.
The fast sequence functions equal the loop over the readable step functions to
1e-12 (float64, absolute), outputs and every gradient.
"""

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from rnn_course import numpy_rnn as nr
from rnn_course.gradcheck import gradcheck
from tests.conftest import assert_within

STEP_BUDGET = 1e-7
SEQ_BUDGET = 1e-6
PARITY_BUDGET = 1e-10
LOOP_BUDGET = 1e-12
GATES = {"tanh": 1, "relu": 1, "lstm": 4, "gru": 3}


def make_inputs(kind, T, B, D, H, seed=0, dtype=np.float64, step=False):
    """Random inputs and weights for one layer, as a dict of the forward's keyword names."""
    rng = np.random.default_rng(seed)
    G = GATES[kind]
    s = 1 / np.sqrt(H)
    p = {
        "x": rng.standard_normal((B, D) if step else (T, B, D)),
        "h_prev" if step else "h0": 0.5 * rng.standard_normal((B, H)),
        "W_ih": rng.uniform(-s, s, (G * H, D)),
        "W_hh": rng.uniform(-s, s, (G * H, H)),
        "b_ih": rng.uniform(-s, s, G * H),
        "b_hh": rng.uniform(-s, s, G * H),
    }
    if kind == "lstm":
        p["c_prev" if step else "c0"] = 0.5 * rng.standard_normal((B, H))
    if kind == "relu":
        p["b_ih"] += 0.3  # keep pre-activations away from the kink at 0
    return {k: v.astype(dtype) for k, v in p.items()}


def run(kind, p, upstream):
    """Forward + backward of the sequence functions; returns (outputs, grads dict)."""
    if kind == "lstm":
        h, c, cache = nr.lstm_forward(**p)
        g = nr.lstm_backward(upstream["h"], cache, dc_last=upstream.get("c"))
        names = ["x", "h0", "c0", "W_ih", "W_hh", "b_ih", "b_hh"]
        return (h, c), dict(zip(names, g, strict=True))
    if kind == "gru":
        h, cache = nr.gru_forward(**p)
        g = nr.gru_backward(upstream["h"], cache)
    else:
        h, cache = nr.srn_forward(**p, nonlinearity=kind)
        g = nr.srn_backward(upstream["h"], cache)
    names = ["x", "h0", "W_ih", "W_hh", "b_ih", "b_hh"]
    return (h,), dict(zip(names, g, strict=True))


# ------------------------------------------------------------ gradient checks


@pytest.mark.parametrize("kind", ["tanh", "relu", "lstm", "gru"])
def test_sequence_backward_matches_numeric_gradient(kind):
    T, B, D, H = 4, 3, 5, 4  # D != H
    p = make_inputs(kind, T, B, D, H, seed=1)
    rng = np.random.default_rng(2)
    up = {"h": rng.standard_normal((T, B, H))}
    if kind == "lstm":
        up["c"] = rng.standard_normal((B, H))  # gradient on the final cell state too

        def fun(**q):
            h, c, _ = nr.lstm_forward(**q)
            return np.concatenate([h.ravel(), c[-1].ravel()])

        dout = np.concatenate([up["h"].ravel(), up["c"].ravel()])
    else:
        fwd = {"gru": nr.gru_forward}.get(kind, lambda **q: nr.srn_forward(**q, nonlinearity=kind))
        fun = lambda **q: fwd(**q)[0]
        dout = up["h"]
    _, grads = run(kind, p, up)
    errors = gradcheck(fun, p, dout, grads)
    assert set(errors) == set(p)
    assert_within({"d" + k: v for k, v in errors.items()}, SEQ_BUDGET, f"{kind} sequence")


@pytest.mark.parametrize("kind", ["tanh", "relu", "lstm", "gru"])
def test_step_backward_matches_numeric_gradient(kind):
    B, D, H = 3, 5, 4
    p = make_inputs(kind, 1, B, D, H, seed=3, step=True)
    rng = np.random.default_rng(4)
    dh = rng.standard_normal((B, H))
    if kind == "lstm":
        dc = rng.standard_normal((B, H))
        _, _, cache = nr.lstm_step_forward(**p)
        g = nr.lstm_step_backward(dh, dc, cache)
        names = ["x", "h_prev", "c_prev", "W_ih", "W_hh", "b_ih", "b_hh"]

        def fun(**q):
            h, c, _ = nr.lstm_step_forward(**q)
            return np.concatenate([h.ravel(), c.ravel()])

        dout = np.concatenate([dh.ravel(), dc.ravel()])
    else:
        if kind == "gru":
            fwd, bwd = nr.gru_step_forward, nr.gru_step_backward
        else:
            fwd = lambda **q: nr.srn_step_forward(**q, nonlinearity=kind)
            bwd = nr.srn_step_backward
        g = bwd(dh, fwd(**p)[1])
        names = ["x", "h_prev", "W_ih", "W_hh", "b_ih", "b_hh"]
        fun = lambda **q: fwd(**q)[0]
        dout = dh
    for name, grad in zip(names, g, strict=True):
        assert grad.shape == p[name].shape, name
    errors = gradcheck(fun, p, dout, dict(zip(names, g, strict=True)))
    assert_within({"d" + k: v for k, v in errors.items()}, STEP_BUDGET, f"{kind} step")


# --------------------------------------------------------- parity with torch


def torch_parity(kind, T, B, D, H, seed):
    """Largest absolute difference to torch.nn over outputs, states and all gradients."""
    torch.manual_seed(seed)
    if kind == "lstm":
        m = torch.nn.LSTM(D, H)
    elif kind == "gru":
        m = torch.nn.GRU(D, H)
    else:
        m = torch.nn.RNN(D, H, nonlinearity=kind)
    m = m.double()
    rng = np.random.default_rng(seed)
    x = torch.tensor(rng.standard_normal((T, B, D)), requires_grad=True)
    h0 = torch.tensor(rng.standard_normal((1, B, H)), requires_grad=True)
    c0 = torch.tensor(rng.standard_normal((1, B, H)), requires_grad=True)
    dh = rng.standard_normal((T, B, H))
    dh_n = rng.standard_normal((B, H))  # gradient on the final state output too
    dc_n = rng.standard_normal((B, H))
    params = [m.weight_ih_l0, m.weight_hh_l0, m.bias_ih_l0, m.bias_hh_l0]
    p = {"x": x.detach().numpy().copy(), "h0": h0[0].detach().numpy().copy()}
    names = ["W_ih", "W_hh", "b_ih", "b_hh"]
    p.update(zip(names, [w.detach().numpy().copy() for w in params], strict=True))
    if kind == "lstm":
        p["c0"] = c0[0].detach().numpy().copy()
        out, (hn, cn) = m(x, (h0, c0))
        loss = (out * torch.tensor(dh)).sum() + (hn[0] * torch.tensor(dh_n)).sum()
        loss = loss + (cn[0] * torch.tensor(dc_n)).sum()
        ours_states = None
        tensors = {"x": x, "h0": h0, "c0": c0}
    else:
        out, hn = m(x, h0)
        loss = (out * torch.tensor(dh)).sum() + (hn[0] * torch.tensor(dh_n)).sum()
        tensors = {"x": x, "h0": h0}
    loss.backward()
    tensors.update(zip(names, params, strict=True))
    up_h = dh.copy()
    up_h[-1] += dh_n  # the final state is h[-1]
    up = {"h": up_h}
    if kind == "lstm":
        up["c"] = dc_n
    outs, grads = run(kind, p, up)
    diffs = {"out": np.abs(outs[0] - out.detach().numpy()).max()}
    diffs["h_n"] = np.abs(outs[0][-1] - hn[0].detach().numpy()).max()
    if kind == "lstm":
        ours_states = outs[1][-1]
        diffs["c_n"] = np.abs(ours_states - cn[0].detach().numpy()).max()
    assert set(grads) == set(tensors)
    for name, g in grads.items():
        ref = tensors[name].grad.numpy().reshape(g.shape)
        diffs["d" + name] = np.abs(g - ref).max()
    return diffs


@pytest.mark.parametrize("kind", ["tanh", "relu", "lstm", "gru"])
def test_parity_with_torch_nn(kind):
    diffs = torch_parity(kind, T=7, B=4, D=5, H=6, seed=0)
    assert_within(diffs, PARITY_BUDGET, f"{kind} vs torch.nn")


@settings(max_examples=20, deadline=None)
@given(
    kind=st.sampled_from(["tanh", "relu", "lstm", "gru"]),
    T=st.integers(1, 6),
    B=st.integers(1, 4),
    D=st.integers(1, 6),
    H=st.integers(1, 6),
    seed=st.integers(0, 2**16),
)
def test_parity_with_torch_nn_random_sizes(kind, T, B, D, H, seed):
    diffs = torch_parity(kind, T, B, D, H, seed)
    assert_within(diffs, PARITY_BUDGET, f"{kind} vs torch.nn")


@pytest.mark.parametrize("kind", ["tanh", "relu", "lstm", "gru"])
def test_parity_with_torch_cells(kind):
    B, D, H = 3, 4, 5
    torch.manual_seed(1)
    cell = {"lstm": torch.nn.LSTMCell, "gru": torch.nn.GRUCell}.get(kind)
    cell = cell(D, H) if cell else torch.nn.RNNCell(D, H, nonlinearity=kind)
    cell = cell.double()
    rng = np.random.default_rng(1)
    x = torch.tensor(rng.standard_normal((B, D)), requires_grad=True)
    h = torch.tensor(rng.standard_normal((B, H)), requires_grad=True)
    c = torch.tensor(rng.standard_normal((B, H)), requires_grad=True)
    dh, dc = rng.standard_normal((B, H)), rng.standard_normal((B, H))
    params = [cell.weight_ih, cell.weight_hh, cell.bias_ih, cell.bias_hh]
    w = [t.detach().numpy() for t in params]
    if kind == "lstm":
        h1, c1 = cell(x, (h, c))
        ((h1 * torch.tensor(dh)).sum() + (c1 * torch.tensor(dc)).sum()).backward()
        oh, oc, cache = nr.lstm_step_forward(
            x.detach().numpy(), h.detach().numpy(), c.detach().numpy(), *w
        )
        grads = nr.lstm_step_backward(dh, dc, cache)
        refs = [x, h, c, *params]
        names = ["dx", "dh_prev", "dc_prev", "dW_ih", "dW_hh", "db_ih", "db_hh"]
        diffs = {"c_next": np.abs(oc - c1.detach().numpy()).max()}
    else:
        h1 = cell(x, h)
        (h1 * torch.tensor(dh)).sum().backward()
        if kind == "gru":
            oh, cache = nr.gru_step_forward(x.detach().numpy(), h.detach().numpy(), *w)
            grads = nr.gru_step_backward(dh, cache)
        else:
            oh, cache = nr.srn_step_forward(
                x.detach().numpy(), h.detach().numpy(), *w, nonlinearity=kind
            )
            grads = nr.srn_step_backward(dh, cache)
        refs = [x, h, *params]
        names = ["dx", "dh_prev", "dW_ih", "dW_hh", "db_ih", "db_hh"]
        diffs = {}
    diffs["h_next"] = np.abs(oh - h1.detach().numpy()).max()
    for name, g, ref in zip(names, grads, refs, strict=True):
        diffs[name] = np.abs(g - ref.grad.numpy()).max()
    assert_within(diffs, PARITY_BUDGET, f"{kind} step vs torch.nn cell")


def loop_steps(kind, p, upstream):
    """The sequence, as the plain loop over the readable step functions: (outputs, grads)."""
    w = {k: p[k] for k in ("W_ih", "W_hh", "b_ih", "b_hh")}
    x, T = p["x"], p["x"].shape[0]
    nl = {} if kind in ("lstm", "gru") else {"nonlinearity": kind}
    h_t, c_t, hs, cs, caches = p["h0"], p.get("c0"), [], [], []
    for t in range(T):
        if kind == "lstm":
            h_t, c_t, cache = nr.lstm_step_forward(x[t], h_t, c_t, **w)
            cs.append(c_t)
        elif kind == "gru":
            h_t, cache = nr.gru_step_forward(x[t], h_t, **w)
        else:
            h_t, cache = nr.srn_step_forward(x[t], h_t, **w, **nl)
        hs.append(h_t)
        caches.append(cache)
    dx, dh_prev = np.zeros_like(x), np.zeros_like(p["h0"])
    dc_prev = upstream.get("c", np.zeros_like(p["h0"]))
    dw = [np.zeros_like(v) for v in w.values()]
    for t in reversed(range(T)):
        dh_t = upstream["h"][t] + dh_prev
        if kind == "lstm":
            dx[t], dh_prev, dc_prev, *dw_t = nr.lstm_step_backward(dh_t, dc_prev, caches[t])
        elif kind == "gru":
            dx[t], dh_prev, *dw_t = nr.gru_step_backward(dh_t, caches[t])
        else:
            dx[t], dh_prev, *dw_t = nr.srn_step_backward(dh_t, caches[t])
        dw = [a + b for a, b in zip(dw, dw_t, strict=True)]
    grads = dict(zip(["x", "h0", "W_ih", "W_hh", "b_ih", "b_hh"], [dx, dh_prev, *dw], strict=True))
    outs = (np.stack(hs),)
    if kind == "lstm":
        grads["c0"] = dc_prev
        outs = (np.stack(hs), np.stack(cs))
    return outs, grads


@settings(max_examples=40, deadline=None)
@given(
    kind=st.sampled_from(["tanh", "relu", "lstm", "gru"]),
    T=st.integers(1, 8),
    B=st.integers(1, 4),
    D=st.integers(1, 6),
    H=st.integers(1, 6),
    seed=st.integers(0, 2**16),
)
def test_fast_sequence_equals_loop_of_readable_steps(kind, T, B, D, H, seed):
    p = make_inputs(kind, T, B, D, H, seed=seed)
    rng = np.random.default_rng(seed + 1)
    up = {"h": rng.standard_normal((T, B, H))}
    if kind == "lstm":
        up["c"] = rng.standard_normal((B, H))
    fast_outs, fast_grads = run(kind, p, up)
    loop_outs, loop_grads = loop_steps(kind, p, up)
    names = ["h", "c"][: len(fast_outs)]
    diffs = {n: np.abs(a - b).max() for n, a, b in zip(names, fast_outs, loop_outs, strict=True)}
    assert set(fast_grads) == set(loop_grads)
    for k in fast_grads:
        assert fast_grads[k].shape == loop_grads[k].shape, k
        diffs["d" + k] = np.abs(fast_grads[k] - loop_grads[k]).max()
    assert_within(diffs, LOOP_BUDGET, f"{kind}: fast sequence vs loop of steps")


@pytest.mark.parametrize(
    "kind, keys",
    [
        ("tanh", nr.SRN_STEP_CACHE),
        ("lstm", nr.LSTM_STEP_CACHE),
        ("gru", nr.GRU_STEP_CACHE),
    ],
)
def test_step_caches_are_step_shaped_and_named_after_the_math(kind, keys):
    B, D, H = 3, 4, 5
    p = make_inputs(kind, 1, B, D, H, seed=12, step=True)
    fwd = {"lstm": nr.lstm_step_forward, "gru": nr.gru_step_forward}.get(kind, nr.srn_step_forward)
    cache = fwd(**p)[-1]
    assert tuple(cache) == keys
    for k, v in cache.items():
        if k in ("W_ih", "W_hh"):
            assert v is p[k]
        elif k == "x":
            assert v.shape == (B, D)
        elif k != "nonlinearity":
            assert v.shape == (B, H), k


# -------------------------------------------------------- dtypes, no mutation


@pytest.mark.parametrize("kind", ["tanh", "relu", "lstm", "gru"])
def test_float32_end_to_end(kind):
    T, B, D, H = 6, 3, 5, 4
    p64 = make_inputs(kind, T, B, D, H, seed=6)
    p32 = {k: v.astype(np.float32) for k, v in p64.items()}
    up64 = {"h": np.random.default_rng(7).standard_normal((T, B, H))}
    if kind == "lstm":
        up64["c"] = np.ones((B, H))
    up32 = {k: v.astype(np.float32) for k, v in up64.items()}
    outs32, grads32 = run(kind, p32, up32)
    outs64, grads64 = run(kind, p64, up64)
    for a, b in zip(outs32, outs64, strict=True):
        assert a.dtype == np.float32
        np.testing.assert_allclose(a, b, rtol=1e-4, atol=1e-5)
    for name in grads64:
        assert grads32[name].dtype == np.float32, name
        np.testing.assert_allclose(grads32[name], grads64[name], rtol=1e-3, atol=1e-4)


@pytest.mark.parametrize("kind", ["tanh", "relu", "lstm", "gru"])
def test_inputs_not_modified(kind):
    T, B, D, H = 3, 2, 3, 4
    p = make_inputs(kind, T, B, D, H, seed=8)
    up = {"h": np.ones((T, B, H))}
    if kind == "lstm":
        up["c"] = np.ones((B, H))
    before = {k: v.copy() for k, v in {**p, **{"d" + k: v for k, v in up.items()}}.items()}
    run(kind, p, up)
    for k, v in {**p, **{"d" + k: v for k, v in up.items()}}.items():
        np.testing.assert_array_equal(v, before[k], err_msg=k)


def test_backward_can_run_twice_from_one_cache():
    p = make_inputs("lstm", 3, 2, 3, 4, seed=9)
    _, _, cache = nr.lstm_forward(**p)
    dh = np.ones((3, 2, 4))
    first = nr.lstm_backward(dh, cache)
    second = nr.lstm_backward(dh, cache)
    for a, b in zip(first, second, strict=True):
        np.testing.assert_array_equal(a, b)


def test_relu_srn_is_relu():
    p = make_inputs("relu", 4, 3, 2, 5, seed=10)
    h, _ = nr.srn_forward(**p, nonlinearity="relu")
    assert (h >= 0).all() and (h == 0).any()


# ------------------------------------------------------------------ bad input


def _srn_args(**change):
    p = make_inputs("tanh", 3, 2, 4, 5, seed=11)
    p.update(change)
    return p


BAD_INPUTS = [
    (
        {"x": np.zeros((2, 4))},
        ValueError,
        r"x: expected a 3-D array of shape \(T, B, D\), got "
        r"shape \(2, 4\)",
    ),
    ({"x": np.zeros((3, 2, 4), dtype=np.int64)}, TypeError, "x: expected a floating-point"),
    ({"x": [[[0.0] * 4] * 2] * 3}, TypeError, "x: expected a numpy array"),
    ({"h0": np.zeros((3, 5))}, ValueError, r"x: batch size 2 .* does not match h0 batch size 3"),
    ({"h0": np.zeros(5)}, ValueError, r"h0: expected a 2-D array of shape \(B, H\)"),
    (
        {"W_ih": np.zeros((5, 3))},
        ValueError,
        r"W_ih: expected shape \(H, D\) = \(5, 4\), got "
        r"\(5, 3\)",
    ),
    ({"W_hh": np.zeros((5, 4))}, ValueError, r"W_hh: expected shape \(H, H\) = \(5, 5\)"),
    ({"b_ih": np.zeros((1, 5))}, ValueError, r"b_ih: expected a 1-D array"),
    ({"b_hh": np.zeros(4)}, ValueError, r"b_hh: expected shape \(H,\) = \(5,\), got \(4,\)"),
    (
        {"W_hh": np.zeros((5, 5), dtype=np.float32)},
        TypeError,
        "W_hh: dtype float32 does not match x dtype float64",
    ),
    ({"b_ih": np.zeros(5, dtype=bool)}, TypeError, "b_ih: expected a floating-point"),
]


@pytest.mark.parametrize("change, exc, match", BAD_INPUTS)
def test_srn_bad_input(change, exc, match):
    with pytest.raises(exc, match=match):
        nr.srn_forward(**_srn_args(**change))


def test_unknown_nonlinearity():
    with pytest.raises(ValueError, match=r"nonlinearity: expected 'tanh' or 'relu', got 'sigmoid'"):
        nr.srn_forward(**_srn_args(), nonlinearity="sigmoid")
    p = make_inputs("tanh", 1, 2, 4, 5, step=True)
    with pytest.raises(ValueError, match="nonlinearity"):
        nr.srn_step_forward(**p, nonlinearity="Tanh")


def test_lstm_bad_shapes_name_the_gate_count():
    p = make_inputs("lstm", 3, 2, 4, 5)
    with pytest.raises(
        ValueError, match=r"W_ih: expected shape \(4H, D\) = \(20, 4\), got \(15, 4\)"
    ):
        nr.lstm_forward(**{**p, "W_ih": np.zeros((15, 4))})
    with pytest.raises(ValueError, match=r"c0: expected shape \(B, H\) = \(2, 5\), got \(2, 4\)"):
        nr.lstm_forward(**{**p, "c0": np.zeros((2, 4))})
    g = make_inputs("gru", 3, 2, 4, 5)
    with pytest.raises(ValueError, match=r"b_hh: expected shape \(3H,\) = \(15,\), got \(20,\)"):
        nr.gru_forward(**{**g, "b_hh": np.zeros(20)})


def test_step_bad_input():
    p = make_inputs("gru", 1, 2, 4, 5, step=True)
    with pytest.raises(ValueError, match=r"x: expected a 2-D array of shape \(B, D\)"):
        nr.gru_step_forward(**{**p, "x": np.zeros((1, 2, 4))})
    with pytest.raises(ValueError, match=r"h_prev: expected a 2-D array"):
        nr.gru_step_forward(**{**p, "h_prev": np.zeros(5)})


def test_backward_bad_upstream():
    p = make_inputs("lstm", 3, 2, 4, 5)
    _, _, cache = nr.lstm_forward(**p)
    with pytest.raises(ValueError, match=r"dh: expected a 3-D array of shape \(T, B, H\)"):
        nr.lstm_backward(np.zeros((2, 5)), cache)
    with pytest.raises(ValueError, match=r"dh: expected shape \(T, B, H\) = \(3, 2, 5\), got"):
        nr.lstm_backward(np.zeros((4, 2, 5)), cache)
    with pytest.raises(ValueError, match=r"dc_last: expected a 2-D array of shape \(B, H\)"):
        nr.lstm_backward(np.zeros((3, 2, 5)), cache, dc_last=np.zeros((3, 2, 5)))
    with pytest.raises(TypeError, match="cache: expected the cache returned by gru_forward"):
        nr.gru_backward(np.zeros((3, 2, 5)), cache)
    step = nr.srn_step_forward(**make_inputs("tanh", 1, 2, 4, 5, step=True))[1]
    with pytest.raises(TypeError, match=r"cache: expected the cache returned by lstm_step_forward"):
        nr.lstm_step_backward(np.zeros((2, 5)), np.zeros((2, 5)), step)
    with pytest.raises(TypeError, match="dh: dtype float32 does not match the forward dtype"):
        nr.lstm_backward(np.zeros((3, 2, 5), dtype=np.float32), cache)


# ------------------------------------------------- variable lengths (padded batches)

LENGTHS = np.array([3, 6, 1, 6, 4])  # unsorted, with a length-1 and two full sequences


def _forward(kind, lengths):
    """The sequence forward of ``kind`` with ``lengths``, returning (h, c or None, cache)."""

    def fwd(**q):
        if kind == "lstm":
            return nr.lstm_forward(**q, lengths=lengths)
        if kind == "gru":
            h, cache = nr.gru_forward(**q, lengths=lengths)
        else:
            h, cache = nr.srn_forward(**q, nonlinearity=kind, lengths=lengths)
        return h, None, cache

    return fwd


def _backward(kind, dh, cache, dc_last=None):
    if kind == "lstm":
        return nr.lstm_backward(dh, cache, dc_last)
    return {"gru": nr.gru_backward}.get(kind, nr.srn_backward)(dh, cache)


@pytest.mark.parametrize("kind", ["tanh", "relu", "lstm", "gru"])
def test_lengths_backward_matches_numeric_gradient(kind):
    T, B, D, H = 6, 5, 3, 4
    p = make_inputs(kind, T, B, D, H, seed=5)
    fwd = _forward(kind, LENGTHS)
    rng = np.random.default_rng(6)
    dh = rng.standard_normal((T, B, H))  # padded steps too: they flow to the held state
    dc = rng.standard_normal((B, H))
    h, c, cache = fwd(**p)
    g = _backward(kind, dh, cache, dc if kind == "lstm" else None)
    names = ["x", "h0", "c0"][: 3 if kind == "lstm" else 2] + ["W_ih", "W_hh", "b_ih", "b_hh"]
    if kind == "lstm":

        def fun(**q):
            h, c, _ = fwd(**q)
            return np.concatenate([h.ravel(), c[-1].ravel()])

        dout = np.concatenate([dh.ravel(), dc.ravel()])
    else:
        fun, dout = (lambda **q: fwd(**q)[0]), dh
    errors = gradcheck(fun, p, dout, dict(zip(names, g, strict=True)))
    assert_within({"d" + k: v for k, v in errors.items()}, SEQ_BUDGET, f"{kind} with lengths")
    for b, n in enumerate(LENGTHS):  # the state is held after each sequence's last step
        assert np.array_equal(h[n - 1 :, b], np.broadcast_to(h[n - 1, b], (T - n + 1, H)))


@pytest.mark.parametrize("enforce_sorted", [True, False])
@pytest.mark.parametrize("kind", ["tanh", "relu", "lstm", "gru"])
def test_lengths_match_packed_torch_nn(kind, enforce_sorted):
    from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence

    lengths = np.sort(LENGTHS)[::-1].copy() if enforce_sorted else LENGTHS
    T, B, D, H = 6, 5, 3, 4
    p = make_inputs(kind, T, B, D, H, seed=7)
    torch.manual_seed(0)
    m = {"lstm": torch.nn.LSTM, "gru": torch.nn.GRU}.get(kind, torch.nn.RNN)
    m = (m(D, H) if kind in ("lstm", "gru") else m(D, H, nonlinearity=kind)).double()
    with torch.no_grad():
        for name in ["W_ih", "W_hh", "b_ih", "b_hh"]:
            torch_name = {"W": "weight", "b": "bias"}[name[0]] + "_" + name[2:] + "_l0"
            getattr(m, torch_name).copy_(torch.tensor(p[name]))
    x = torch.tensor(p["x"], requires_grad=True)
    hx = [torch.tensor(p[k])[None].requires_grad_(True) for k in ("h0", "c0") if k in p]
    packed = pack_padded_sequence(x, torch.tensor(lengths), enforce_sorted=enforce_sorted)
    out, hn = m(packed, tuple(hx) if kind == "lstm" else hx[0])
    out, _ = pad_packed_sequence(out, total_length=T)  # (T, B, H), zeros after each end
    finals = list(hn) if kind == "lstm" else [hn]
    rng = np.random.default_rng(8)
    valid = np.arange(T)[:, None] < lengths[None, :]  # (T, B)
    dh = rng.standard_normal((T, B, H)) * valid[..., None]
    d_fin = [rng.standard_normal((B, H)) for _ in finals]
    loss = (out * torch.tensor(dh)).sum()
    loss = loss + sum((f[0] * torch.tensor(d)).sum() for f, d in zip(finals, d_fin, strict=True))
    loss.backward()
    h, c, cache = _forward(kind, lengths)(**p)
    up = dh.copy()
    up[-1] += d_fin[0]  # h[-1] is each sequence's final state
    g = _backward(kind, up, cache, d_fin[1] if kind == "lstm" else None)
    ref = [x.grad, *(t.grad[0] for t in hx)]
    ref += [m.weight_ih_l0.grad, m.weight_hh_l0.grad, m.bias_ih_l0.grad, m.bias_hh_l0.grad]
    diffs = {"out": np.abs(h * valid[..., None] - out.detach().numpy()).max()}
    diffs["h_n"] = np.abs(h[-1] - finals[0][0].detach().numpy()).max()
    if kind == "lstm":
        diffs["c_n"] = np.abs(c[-1] - finals[1][0].detach().numpy()).max()
    for k, (ours, theirs) in enumerate(zip(g, ref, strict=True)):
        diffs[f"grad {k}"] = np.abs(ours - theirs.numpy()).max()
    assert_within(diffs, PARITY_BUDGET, f"{kind} with lengths vs packed torch.nn")


def test_lengths_bad_input():
    p = _srn_args()
    with pytest.raises(ValueError, match=r"lengths: expected values in \[1, T\]"):
        nr.srn_forward(**p, lengths=np.array([0] * p["x"].shape[1]))
    with pytest.raises(TypeError, match="lengths: expected .* integers"):
        nr.srn_forward(**p, lengths=np.ones(p["x"].shape[1]))
    with pytest.raises(TypeError, match="lengths: expected .* integers"):
        nr.srn_forward(**p, lengths=[1])
