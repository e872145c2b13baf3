"""minGRU and minLSTM: NumPy step = sequence (every scan), float64 gradchecks, torch = NumPy."""

import numpy as np
import pytest
import torch

from rnn_course import min_rnn, models, torch_min_rnn
from rnn_course.gradcheck import gradcheck
from rnn_course.scan import METHODS

CELLS = {
    "mingru": (2, min_rnn.min_gru_step_forward, min_rnn.min_gru_step_backward,
               min_rnn.min_gru_forward, min_rnn.min_gru_backward, torch_min_rnn.MinGRU),
    "minlstm": (3, min_rnn.min_lstm_step_forward, min_rnn.min_lstm_step_backward,
                min_rnn.min_lstm_forward, min_rnn.min_lstm_backward, torch_min_rnn.MinLSTM),
}


def _inputs(G, T=6, B=3, D=4, H=5, seed=0):
    rng = np.random.default_rng(seed)
    return dict(x=rng.normal(size=(T, B, D)), h0=rng.normal(size=(B, H)),
                W_ih=rng.normal(size=(G * H, D)), b_ih=rng.normal(size=G * H))


@pytest.mark.parametrize("cell", CELLS)
@pytest.mark.parametrize("method", METHODS)
def test_sequence_equals_the_step_loop_forward_and_backward(cell, method):
    G, step_f, step_b, seq_f, seq_b, _ = CELLS[cell]
    p = _inputs(G)
    dh = np.random.default_rng(9).normal(size=(6, 3, 5))
    h, cache = seq_f(p["x"], p["h0"], p["W_ih"], p["b_ih"], method=method)
    grads = seq_b(dh, cache)
    h_t, caches, hs = p["h0"], [], []
    for x_t in p["x"]:
        h_t, c = step_f(x_t, h_t, p["W_ih"], p["b_ih"])
        hs.append(h_t)
        caches.append(c)
    assert np.abs(h - np.stack(hs)).max() < 1e-12
    dx, dh_prev = np.zeros_like(p["x"]), np.zeros_like(p["h0"])
    dW, db = np.zeros_like(p["W_ih"]), np.zeros_like(p["b_ih"])
    for t in reversed(range(6)):
        dx[t], dh_prev, dW_t, db_t = step_b(dh[t] + dh_prev, caches[t])
        dW += dW_t
        db += db_t
    for ours, loop in zip(grads, (dx, dh_prev, dW, db), strict=True):
        assert np.abs(ours - loop).max() < 1e-11


@pytest.mark.parametrize("cell", CELLS)
def test_sequence_backward_matches_numeric_gradients(cell):
    G, _, _, seq_f, seq_b, _ = CELLS[cell]
    p = _inputs(G, T=5, B=2, D=3, H=4, seed=1)
    dh = np.random.default_rng(2).normal(size=(5, 2, 4))
    _, cache = seq_f(**p)
    dx, dh0, dW_ih, db_ih = seq_b(dh, cache)
    errors = gradcheck(lambda **kw: seq_f(**kw)[0], p, dh,
                       {"x": dx, "h0": dh0, "W_ih": dW_ih, "b_ih": db_ih})
    assert max(errors.values()) < 1e-7, errors


@pytest.mark.parametrize("cell", CELLS)
def test_step_backward_matches_numeric_gradients(cell):
    G, step_f, step_b, _, _, _ = CELLS[cell]
    rng = np.random.default_rng(3)
    p = dict(x=rng.normal(size=(2, 3)), h_prev=rng.normal(size=(2, 4)),
             W_ih=rng.normal(size=(G * 4, 3)), b_ih=rng.normal(size=G * 4))
    dh = rng.normal(size=(2, 4))
    _, cache = step_f(**p)
    dx, dh_prev, dW, db = step_b(dh, cache)
    errors = gradcheck(lambda **kw: step_f(**kw)[0], p, dh,
                       {"x": dx, "h_prev": dh_prev, "W_ih": dW, "b_ih": db})
    assert max(errors.values()) < 1e-7, errors


def test_min_gru_is_the_gru_with_h_removed_from_its_gates():
    """With W_hh = 0, b_hh = 0 and a linear candidate, torch's GRU equations give minGRU."""
    G, _, _, seq_f, _, _ = CELLS["mingru"]
    p = _inputs(G, seed=4)
    h, _ = seq_f(**p)
    H = 5
    z = 1 / (1 + np.exp(-(p["x"] @ p["W_ih"][:H].T + p["b_ih"][:H])))
    n = p["x"] @ p["W_ih"][H:].T + p["b_ih"][H:]
    h_t = p["h0"]
    for t in range(6):
        h_t = (1 - z[t]) * n[t] + z[t] * h_t  # chapter 5's line, h_t = (1 - z) n + z h
        np.testing.assert_allclose(h[t], h_t, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("cell", CELLS)
@pytest.mark.parametrize("method", torch_min_rnn.METHODS)
def test_torch_module_equals_numpy_with_copied_weights(cell, method):
    G, _, _, seq_f, seq_b, Module = CELLS[cell]
    torch.manual_seed(0)
    m = Module(4, 5, method=method).double()
    p = _inputs(G, seed=5)
    p["W_ih"] = m.weight_ih_l0.detach().numpy().copy()
    p["b_ih"] = m.bias_ih_l0.detach().numpy().copy()
    x = torch.tensor(p["x"], requires_grad=True)
    h0 = torch.tensor(p["h0"], requires_grad=True)
    out, h_n = m(x, h0[None])
    h, cache = seq_f(**p)
    np.testing.assert_allclose(out.detach().numpy(), h, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(h_n[0].detach().numpy(), h[-1], rtol=1e-12, atol=1e-12)
    dh = np.random.default_rng(7).normal(size=h.shape)
    out.backward(torch.tensor(dh))
    dx, dh0, dW, db = seq_b(dh, cache)
    for ours, theirs in ((dx, x.grad), (dh0, h0.grad), (dW, m.weight_ih_l0.grad),
                         (db, m.bias_ih_l0.grad)):
        np.testing.assert_allclose(ours, theirs.numpy(), rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("Module", [torch_min_rnn.MinGRU, torch_min_rnn.MinLSTM])
def test_torch_module_gradcheck_and_torch_nn_conventions(Module):
    torch.manual_seed(1)
    m = Module(3, 4, num_layers=2, batch_first=True).double()
    x = torch.randn(2, 7, 3, dtype=torch.float64, requires_grad=True)
    h0 = torch.randn(2, 2, 4, dtype=torch.float64, requires_grad=True)
    assert torch.autograd.gradcheck(lambda x, h0: m(x, h0)[0], (x, h0))
    out, h_n = m(x, h0)
    assert out.shape == (2, 7, 4) and h_n.shape == (2, 2, 4)
    torch.testing.assert_close(out[:, -1], h_n[-1])
    loop = Module(3, 4, num_layers=2, batch_first=True, method="loop").double()
    loop.load_state_dict(m.state_dict())
    torch.testing.assert_close(loop(x, h0)[0], out)
    one, h1 = m(x[0])  # unbatched (T, D)
    assert one.shape == (7, 4) and h1.shape == (2, 4)
    assert sorted(n for n, _ in m.named_parameters()) == [
        "bias_ih_l0", "bias_ih_l1", "weight_ih_l0", "weight_ih_l1"]
    with pytest.raises(ValueError, match="input_size"):
        m(torch.randn(2, 7, 5, dtype=torch.float64))
    with pytest.raises(ValueError, match="hidden size"):
        m(x, h0[:1])
    with pytest.raises(ValueError, match="method"):
        Module(3, 4, method="fast")


def test_char_lm_takes_the_minimal_cells():
    torch.manual_seed(0)
    lm = models.CharLM(10, hidden_size=8, cell="mingru", embedding_dim=4)
    idx = torch.randint(0, 10, (6, 2))
    logits, loss, state = lm(idx, idx, return_state=True)
    assert logits.shape == (6, 2, 10) and state.shape == (1, 2, 8) and loss.item() > 0
    with pytest.raises(ValueError, match="impl='ours'"):
        models.make_core("minlstm", "torch", 4, 8)


def test_bad_input_is_refused():
    p = _inputs(2)
    with pytest.raises(ValueError, match=r"W_ih: expected shape \(2H, D\)"):
        min_rnn.min_gru_forward(p["x"], p["h0"], p["W_ih"][:-1], p["b_ih"])
    with pytest.raises(ValueError, match="batch size"):
        min_rnn.min_gru_forward(p["x"], p["h0"][:1], p["W_ih"], p["b_ih"])
    with pytest.raises(ValueError, match="unknown scan"):
        min_rnn.min_lstm_forward(p["x"], p["h0"], np.zeros((15, 4)), np.zeros(15), method="x")
    with pytest.raises(TypeError, match="cache"):
        min_rnn.min_gru_backward(np.zeros((6, 3, 5)), {})
