"""Tests for the NumPy training toolkit: batching, clipping, gradcheck, optimisers, init, LM."""

import numpy as np
import pytest
import torch

from rnn_course.batching import batchify, num_chunks, tbptt_chunks

# ---------------------------------------------------------------- batching


@pytest.mark.parametrize("make", [np.arange, torch.arange], ids=["numpy", "torch"])
def test_batchify_columns_are_contiguous_slices(make):
    data = make(23)
    stream = batchify(data, 4)  # (5, 4)
    assert tuple(stream.shape) == (5, 4)
    for b in range(4):
        assert list(stream[:, b].tolist()) == list(range(5 * b, 5 * b + 5))


@pytest.mark.parametrize("make", [np.arange, torch.arange], ids=["numpy", "torch"])
def test_tbptt_chunks_cover_stream_in_order(make):
    stream = batchify(make(4 * 11), 4)  # (11, 4)
    chunks = list(tbptt_chunks(stream, 3))
    assert len(chunks) == num_chunks(stream, 3) == 4  # 10 input rows: 3 + 3 + 3 + 1
    assert [x.shape[0] for x, _ in chunks] == [3, 3, 3, 1]
    xs = np.concatenate([np.asarray(x) for x, _ in chunks])
    ys = np.concatenate([np.asarray(y) for _, y in chunks])
    np.testing.assert_array_equal(xs, np.asarray(stream[:-1]))
    np.testing.assert_array_equal(ys, np.asarray(stream[1:]))
    for x, y in chunks:
        np.testing.assert_array_equal(np.asarray(y[:-1]), np.asarray(x[1:]))
    # carrying state: first input of chunk k+1 is the last target of chunk k
    for (_, y0), (x1, _) in zip(chunks, chunks[1:], strict=False):
        np.testing.assert_array_equal(np.asarray(x1[0]), np.asarray(y0[-1]))


def test_batching_does_not_modify_input():
    data = np.arange(20)
    before = data.copy()
    list(tbptt_chunks(batchify(data, 3), 4))
    np.testing.assert_array_equal(data, before)


@pytest.mark.parametrize(
    "call, exc, match",
    [
        (lambda: batchify(np.arange(7), 4), ValueError, "at least 8"),
        (lambda: batchify(np.zeros((4, 4)), 2), ValueError, r"1-D.*\(4, 4\)"),
        (lambda: batchify(np.arange(8), 0), ValueError, "batch_size"),
        (lambda: batchify(np.arange(8), 2.0), TypeError, "batch_size"),
        (lambda: batchify([1, 2, 3, 4], 2), TypeError, "data"),
        (lambda: tbptt_chunks(np.zeros((5, 2)), 0), ValueError, "seq_len"),
        (lambda: tbptt_chunks(np.zeros((1, 2)), 3), ValueError, "at least 2 rows"),
        (lambda: tbptt_chunks(np.zeros(5), 3), ValueError, r"\(N, B\)"),
        (lambda: num_chunks(np.zeros((5, 2)), -1), ValueError, "seq_len"),
    ],
)
def test_batching_bad_input(call, exc, match):
    with pytest.raises(exc, match=match):
        call()


# ---------------------------------------------------------------- gradcheck


def test_numeric_gradient_restores_x_and_is_accurate():
    from rnn_course.gradcheck import numeric_gradient, rel_error

    rng = np.random.default_rng(0)
    x = rng.standard_normal((3, 4))
    before = x.copy()
    df = rng.standard_normal((3, 4))
    grad = numeric_gradient(np.sin, x, df)
    np.testing.assert_array_equal(x, before)  # exactly restored
    assert rel_error(grad, np.cos(x) * df) <= 1e-8


def test_numeric_gradient_restores_x_when_f_raises():
    from rnn_course.gradcheck import numeric_gradient

    x = np.arange(3.0)
    with pytest.raises(RuntimeError):
        numeric_gradient(lambda _: (_ for _ in ()).throw(RuntimeError("boom")), x)
    np.testing.assert_array_equal(x, np.arange(3.0))


def test_rel_error_definition():
    from rnn_course.gradcheck import rel_error

    assert rel_error(np.array([1.0, 0.0]), np.array([1.0, 0.0])) == 0.0
    assert rel_error(np.array([1.0]), np.array([3.0])) == pytest.approx(0.5)
    assert rel_error(np.array([1e-12]), np.array([0.0])) == pytest.approx(1e-4)  # floor 1e-8
    with pytest.raises(ValueError, match="shapes differ"):
        rel_error(np.zeros(2), np.zeros(3))


def test_gradcheck_detects_a_wrong_gradient():
    from rnn_course.gradcheck import gradcheck

    x, w = np.array([1.0, 2.0]), np.array([3.0, -1.0])
    good = gradcheck(lambda x, w: x * w, {"x": x, "w": w}, np.ones(2), {"x": w, "w": x})
    bad = gradcheck(lambda x, w: x * w, {"x": x, "w": w}, np.ones(2), {"x": x, "w": w})
    assert max(good.values()) < 1e-9
    assert min(bad.values()) > 0.1


# --------------------------------------------------------------------- clip


def test_clip_grad_norm_matches_torch():
    from rnn_course.clip import clip_grad_norm

    rng = np.random.default_rng(1)
    for norm_type in (2.0, 1.0, float("inf")):
        grads = {"a": rng.standard_normal((3, 4)), "b": rng.standard_normal(5)}
        ts = [torch.nn.Parameter(torch.zeros(v.shape, dtype=torch.float64)) for v in grads.values()]
        for t, g in zip(ts, grads.values(), strict=True):
            t.grad = torch.from_numpy(g.copy())
        ref = torch.nn.utils.clip_grad_norm_(ts, 0.5, norm_type=norm_type)
        total = clip_grad_norm(grads, 0.5, norm_type=norm_type)
        assert abs(total - ref.item()) <= 1e-12
        for t, g in zip(ts, grads.values(), strict=True):
            np.testing.assert_allclose(g, t.grad.numpy(), rtol=1e-12, atol=0)


def test_clip_grad_norm_leaves_small_and_zero_grads():
    from rnn_course.clip import clip_grad_norm

    grads = [np.array([0.3, 0.4])]
    assert clip_grad_norm(grads, 1.0) == pytest.approx(0.5)
    np.testing.assert_array_equal(grads[0], [0.3, 0.4])
    zeros = {"w": np.zeros(3)}
    assert clip_grad_norm(zeros, 1.0) == 0.0
    np.testing.assert_array_equal(zeros["w"], 0.0)


def test_clip_grad_value_and_bad_input():
    from rnn_course.clip import clip_grad_norm, clip_grad_value

    g = {"w": np.array([-7.0, 0.5, 9.0])}
    clip_grad_value(g, 5.0)
    np.testing.assert_array_equal(g["w"], [-5.0, 0.5, 5.0])
    with pytest.raises(ValueError, match="max_norm"):
        clip_grad_norm(g, 0.0)
    with pytest.raises(ValueError, match="clip_value"):
        clip_grad_value(g, -1.0)
    with pytest.raises(TypeError, match=r"grads\['w'\]: expected a floating-point"):
        clip_grad_norm({"w": np.array([1, 2])}, 1.0)


@pytest.mark.parametrize("bad", [float("nan"), float("inf")])
@pytest.mark.parametrize("norm_type", [2.0, float("inf")])
def test_clip_grad_norm_non_finite_like_torch(bad, norm_type):
    from rnn_course.clip import clip_grad_norm

    g = np.array([1.0, bad, 2.0])
    p = torch.nn.Parameter(torch.zeros(3, dtype=torch.float64))
    p.grad = torch.from_numpy(g.copy())
    ref = torch.nn.utils.clip_grad_norm_([p], 1.0, norm_type=norm_type)
    total = clip_grad_norm([g], 1.0, norm_type=norm_type)
    assert np.isnan(total) == np.isnan(ref.item()) and (np.isnan(total) or total == ref.item())
    np.testing.assert_array_equal(g, p.grad.numpy())  # same NaNs and zeros as torch
    h = np.array([1.0, bad, 2.0])
    with pytest.raises(RuntimeError) as ours:
        clip_grad_norm({"w": h}, 1.0, norm_type=norm_type, error_if_nonfinite=True)
    p.grad = torch.from_numpy(h.copy())
    with pytest.raises(RuntimeError) as theirs:
        torch.nn.utils.clip_grad_norm_([p], 1.0, norm_type=norm_type, error_if_nonfinite=True)
    assert str(ours.value) == str(theirs.value)
    np.testing.assert_array_equal(h, [1.0, bad, 2.0])  # untouched when it raises


def test_clip_refuses_read_only_arrays_before_touching_any():
    from rnn_course.clip import clip_grad_norm, clip_grad_value

    a, b = np.full(3, 10.0), np.full(3, 10.0)
    b.flags.writeable = False
    with pytest.raises(ValueError, match=r"grads\['b'\]: the array is read-only"):
        clip_grad_norm({"a": a, "b": b}, 1.0)
    with pytest.raises(ValueError, match="read-only"):
        clip_grad_value([a, b], 1.0)
    np.testing.assert_array_equal(a, 10.0)  # not half-clipped


# -------------------------------------------------------------------- optim


@pytest.mark.parametrize(
    "name, kwargs, torch_cls",
    [
        ("SGD", {"lr": 0.1}, torch.optim.SGD),
        ("SGD", {"lr": 0.1, "momentum": 0.9, "weight_decay": 0.01}, torch.optim.SGD),
        ("SGD", {"lr": 0.1, "momentum": 0.5, "nesterov": True}, torch.optim.SGD),
        ("Momentum", {"lr": 0.05}, None),
        ("Adagrad", {"lr": 0.1}, torch.optim.Adagrad),
        ("Adam", {"lr": 0.01}, torch.optim.Adam),
        ("Adam", {"lr": 0.01, "betas": (0.8, 0.99), "weight_decay": 0.1}, torch.optim.Adam),
    ],
)
def test_optimizers_match_torch(name, kwargs, torch_cls):
    from rnn_course import optim

    rng = np.random.default_rng(2)
    params = {"W": rng.standard_normal((3, 4)), "b": rng.standard_normal(4)}
    tparams = [torch.nn.Parameter(torch.from_numpy(v.copy())) for v in params.values()]
    if torch_cls is None:  # Momentum is SGD with momentum 0.9
        torch_cls, tkw = torch.optim.SGD, {**kwargs, "momentum": 0.9}
    else:
        tkw = kwargs
    topt = torch_cls(tparams, **tkw)
    opt = getattr(optim, name)(params, **kwargs)
    for _ in range(5):
        grads = {k: rng.standard_normal(v.shape) for k, v in params.items()}
        saved = {k: v.copy() for k, v in grads.items()}
        for t, g in zip(tparams, grads.values(), strict=True):
            t.grad = torch.from_numpy(g.copy())
        topt.step()
        opt.step(grads)
        for k in grads:
            np.testing.assert_array_equal(grads[k], saved[k])  # grads not modified
    for t, v in zip(tparams, params.values(), strict=True):
        assert np.abs(v - t.detach().numpy()).max() <= 1e-10


def test_optimizer_bad_input():
    from rnn_course.optim import SGD, Adam

    params = {"w": np.zeros(3)}
    with pytest.raises(ValueError, match="lr"):
        SGD(params, lr=0.0)
    with pytest.raises(ValueError, match=r"grads: expected a dict with the keys of params \['w'\]"):
        Adam(params).step({"v": np.zeros(3)})
    with pytest.raises(ValueError, match=r"grads\['w'\]: expected shape \(3,\)"):
        Adam(params).step({"w": np.zeros(4)})
    with pytest.raises(TypeError, match=r"params\['w'\]"):
        SGD({"w": np.zeros(3, dtype=int)}, lr=0.1)


# --------------------------------------------------------------------- init


def test_initialisers():
    from rnn_course import init

    rng = np.random.default_rng(3)
    w = init.torch_default((400, 30), 25, rng)
    assert w.shape == (400, 30) and np.abs(w).max() <= 1 / 5 and np.abs(w).max() > 0.19
    x = init.xavier_uniform((20, 30), rng, dtype=np.float32)
    assert x.dtype == np.float32 and np.abs(x).max() <= np.sqrt(6 / 50)
    for shape in [(6, 6), (4, 7), (7, 4)]:
        q = init.orthogonal(shape, rng, gain=2.0)
        small = min(shape)
        gram = q @ q.T if shape[0] <= shape[1] else q.T @ q
        np.testing.assert_allclose(gram, 4.0 * np.eye(small), atol=1e-12)
    np.testing.assert_array_equal(init.identity((3, 3), scale=0.5), 0.5 * np.eye(3))
    with pytest.raises(ValueError, match="square"):
        init.identity((3, 4))
    with pytest.raises(TypeError, match="rng: expected a numpy.random.Generator"):
        init.orthogonal((3, 3), 0)
    # reproducible from the Generator alone
    a = init.orthogonal((5, 5), np.random.default_rng(7))
    np.testing.assert_array_equal(a, init.orthogonal((5, 5), np.random.default_rng(7)))


@pytest.mark.parametrize("fn, G", [("init_srn", 1), ("init_lstm", 4), ("init_gru", 3)])
def test_init_layer_dicts_match_torch_shapes(fn, G):
    from rnn_course import init

    p = getattr(init, fn)(5, 7, np.random.default_rng(0), dtype=np.float32)
    assert p["W_ih"].shape == (G * 7, 5) and p["W_hh"].shape == (G * 7, 7)
    assert p["b_ih"].shape == p["b_hh"].shape == (G * 7,)
    assert all(v.dtype == np.float32 for v in p.values())
    assert all(np.abs(v).max() <= 1 / np.sqrt(7) for v in p.values())


def test_init_lstm_forget_bias():
    from rnn_course.init import init_lstm

    p = init_lstm(3, 4, np.random.default_rng(0), forget_bias=1.0)
    assert (p["b_ih"][4:8] > 0.4).all()


# ----------------------------------------------------------------- numpy_lm


@pytest.mark.parametrize("cell, embed", [("srn", None), ("lstm", 3), ("srn", 3)])
def test_lm_loss_and_grads_pass_gradcheck(cell, embed):
    from rnn_course.gradcheck import numeric_gradient, rel_error
    from rnn_course.numpy_lm import init_lm, loss_and_grads

    rng = np.random.default_rng(4)
    params = init_lm(5, 4, rng, cell=cell, embed_size=embed)
    x, y = rng.integers(0, 5, (3, 2)), rng.integers(0, 5, (3, 2))
    h0 = rng.standard_normal((2, 4))
    extra = (rng.standard_normal((2, 4)),) if cell == "lstm" else ()
    _, grads, _ = loss_and_grads(params, x, y, h0, *extra)
    assert set(grads) == set(params)
    for k, p in params.items():
        num = numeric_gradient(lambda _p: loss_and_grads(params, x, y, h0, *extra)[0], p)
        assert rel_error(grads[k], num) <= 1e-6, k


@pytest.mark.parametrize("cell", ["srn", "lstm"])
def test_lm_state_carried_across_chunks(cell):
    from rnn_course.numpy_lm import init_lm, loss_and_grads

    rng = np.random.default_rng(5)
    params = init_lm(6, 5, rng, cell=cell)
    x, y = rng.integers(0, 6, (8, 2)), rng.integers(0, 6, (8, 2))
    state = np.zeros((2, 5)) if cell == "srn" else (np.zeros((2, 5)), np.zeros((2, 5)))
    wrap = (lambda s: (s,)) if cell == "srn" else (lambda s: s)
    full_loss, _, full_state = loss_and_grads(params, x, y, *wrap(state))
    l1, _, s1 = loss_and_grads(params, x[:5], y[:5], *wrap(state))
    l2, _, s2 = loss_and_grads(params, x[5:], y[5:], *wrap(s1))
    assert abs((5 * l1 + 3 * l2) / 8 - full_loss) <= 1e-12
    for a, b in zip(wrap(s2), wrap(full_state), strict=True):
        np.testing.assert_allclose(a, b, rtol=0, atol=1e-14)


@pytest.mark.slow
@pytest.mark.parametrize("cell, opt", [("srn", "adagrad"), ("lstm", "adam")])
def test_train_numpy_lm_learns_a_periodic_text(cell, opt):
    from rnn_course.numpy_lm import sample, train_numpy_lm

    text = np.tile(np.array([0, 1, 2, 3, 2, 1]), 60)  # period 6, needs memory of direction
    lr = 0.1 if opt == "adagrad" else 0.02
    hist = train_numpy_lm(
        text,
        4,
        cell=cell,
        hidden_size=16,
        seq_len=10,
        batch_size=2,
        steps=250,
        lr=lr,
        optimizer=opt,
        clip=5.0,
        rng=np.random.default_rng(0),
    )
    assert hist["loss"].shape == (250,) and np.all(np.isfinite(hist["grad_norm"]))
    assert hist["loss"][0] > 1.2  # about log 4 = 1.39 before any update
    assert hist["loss"][-20:].mean() < 0.1
    out = sample(hist["params"], [0, 1, 2, 3], 8, greedy=True)
    assert out == [2, 1, 0, 1, 2, 3, 2, 1]
    rng = np.random.default_rng(1)
    cold = sample(hist["params"], [0, 1, 2], 6, rng=rng, temperature=0.2)
    assert cold == [3, 2, 1, 0, 1, 2]


def test_numpy_lm_bad_input():
    from rnn_course.numpy_lm import init_lm, loss_and_grads, sample, train_numpy_lm

    with pytest.raises(ValueError, match="cell"):
        init_lm(5, 4, np.random.default_rng(0), cell="gru")
    params = init_lm(5, 4, np.random.default_rng(0))
    with pytest.raises(ValueError, match=r"token ids must lie in \[0, 5\)"):
        loss_and_grads(params, np.array([[7]]), np.array([[0]]), np.zeros((1, 4)))
    with pytest.raises(ValueError, match="optimizer"):
        train_numpy_lm(np.arange(50) % 5, 5, optimizer="rmsprop")
    with pytest.raises(ValueError, match="rng"):
        sample(params, [0], 3)


def test_numpy_half_and_sampling_helpers_import_without_torch():
    import subprocess
    import sys

    code = (
        "import sys; import rnn_course.numpy_lm, rnn_course.sampling, rnn_course.numpy_rnn, "
        "rnn_course.data.tasks, rnn_course.data.text, rnn_course.data.reber, rnn_course.init; "
        "assert 'torch' not in sys.modules, sorted(m for m in sys.modules if 'torch' in m)[:5]; "
        "from rnn_course.numpy_lm import sample; from rnn_course.sampling import softmax"
    )
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr


@pytest.mark.parametrize(
    "kw, exc, match",
    [
        ({"steps": 2.5}, TypeError, "steps: expected an int >= 0, got 2.5"),
        ({"steps": -1}, ValueError, "steps: expected an int >= 0"),
        ({"seq_len": 0}, ValueError, "seq_len: expected an int >= 1"),
        ({"clip": -1.0}, ValueError, "clip: expected a threshold > 0 or None"),
        ({"rng": 3}, TypeError, "rng: expected a numpy.random.Generator"),
    ],
)
def test_train_numpy_lm_rejects_bad_counts(kw, exc, match):
    from rnn_course.numpy_lm import train_numpy_lm

    with pytest.raises(exc, match=match):
        train_numpy_lm(np.arange(40) % 4, 4, hidden_size=3, **kw)


def test_numpy_lm_sample_uses_the_sampling_helpers_and_checks_arguments():
    from rnn_course.numpy_lm import init_lm, sample

    params = init_lm(5, 4, np.random.default_rng(0))
    out = sample(params, [1, 2], 6, rng=np.random.default_rng(1), temperature=0.7)
    assert len(out) == 6 and all(0 <= i < 5 for i in out)
    with pytest.raises(ValueError, match="temperature: expected a finite number > 0"):
        sample(params, [1], 3, greedy=True, temperature=0)
    with pytest.raises(TypeError, match="length: expected an int >= 0"):
        sample(params, [1], 3.0, greedy=True)
    with pytest.raises(ValueError, match=r"x: token ids must lie in \[0, 5\)"):
        sample(params, [7], 3, greedy=True)
