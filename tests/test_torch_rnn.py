"""rnn_course.torch_rnn against torch.nn: state_dict both ways, outputs, states, gradients."""

import warnings

import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from rnn_course import torch_rnn as R

TOL = 1e-10  # float64: the two differ only in summation order (errors seen ~1e-15)
NAMES = ["RNN", "LSTM", "GRU"]


def _flat(out):
    """Flatten (output, h_n) or (output, (h_n, c_n)) or a cell's result into a list."""
    if torch.is_tensor(out):
        return [out]
    res = []
    for o in out:
        res.extend(_flat(o))
    return res


def _run(model, x, hx, seed):
    """Forward, then backward of a random projection of every output; return values and grads."""
    model.zero_grad(set_to_none=True)
    x = x.detach().clone().requires_grad_(True)
    hx_in = None
    if hx is not None:
        hx_in = tuple(h.detach().clone().requires_grad_(True) for h in hx)
    arg = hx_in if (hx_in is None or len(hx_in) == 2) else hx_in[0]
    outs = _flat(model(x, arg))
    g = torch.Generator().manual_seed(seed)
    loss = sum((o * torch.randn(o.shape, generator=g, dtype=o.dtype)).sum() for o in outs)
    loss.backward()
    grads = [x.grad] + ([h.grad for h in hx_in] if hx_in else [])
    grads += [p.grad if p.grad is not None else torch.zeros_like(p) for p in model.parameters()]
    return outs, grads


def _max_err(a, b):
    assert len(a) == len(b)
    err = 0.0
    for u, v in zip(a, b, strict=True):
        assert u.shape == v.shape, (u.shape, v.shape)
        err = max(err, (u - v).abs().max().item() if u.numel() else 0.0)
    return err


config = st.fixed_dictionaries(
    {
        "name": st.sampled_from(NAMES),
        "num_layers": st.integers(1, 3),
        "bidirectional": st.booleans(),
        "batch_first": st.booleans(),
        "bias": st.booleans(),
        "with_hx": st.booleans(),
        "unbatched": st.booleans(),
        "T": st.integers(1, 5),
        "B": st.integers(1, 3),
        "D": st.integers(1, 4),
        "H": st.integers(1, 4),
        "ours_first": st.booleans(),
        "seed": st.integers(0, 2**16),
    }
)


@settings(max_examples=60, deadline=None)
@given(config)
def test_sequence_modules_match_torch(c):
    torch.manual_seed(c["seed"])
    kw = dict(
        num_layers=c["num_layers"],
        bias=c["bias"],
        batch_first=c["batch_first"],
        bidirectional=c["bidirectional"],
    )
    if c["name"] == "RNN":
        kw["nonlinearity"] = "relu" if c["seed"] % 2 else "tanh"
    ref = getattr(torch.nn, c["name"])(c["D"], c["H"], **kw).double()
    ours = getattr(R, c["name"])(c["D"], c["H"], **kw).double()
    assert list(ours.state_dict()) == list(ref.state_dict())
    # state_dict both ways: one model donates its random weights to the other
    src, dst = (ours, ref) if c["ours_first"] else (ref, ours)
    dst.load_state_dict(src.state_dict())
    T, B, D, H = c["T"], c["B"], c["D"], c["H"]
    LD = c["num_layers"] * (2 if c["bidirectional"] else 1)
    if c["unbatched"]:
        x, hshape = torch.randn(T, D, dtype=torch.double), (LD, H)
    else:
        x = torch.randn(B, T, D) if c["batch_first"] else torch.randn(T, B, D)
        x, hshape = x.double(), (LD, B, H)
    hx = None
    if c["with_hx"]:
        n = 2 if c["name"] == "LSTM" else 1
        hx = tuple(torch.randn(hshape, dtype=torch.double) for _ in range(n))
    out_r, grad_r = _run(ref, x, hx, c["seed"])
    out_o, grad_o = _run(ours, x, hx, c["seed"])
    assert _max_err(out_r, out_o) < TOL
    assert _max_err(grad_r, grad_o) < TOL


@settings(max_examples=30, deadline=None)
@given(
    name=st.sampled_from(NAMES),
    bias=st.booleans(),
    unbatched=st.booleans(),
    with_hx=st.booleans(),
    B=st.integers(1, 3),
    D=st.integers(1, 5),
    H=st.integers(1, 5),
    seed=st.integers(0, 2**16),
)
def test_cells_match_torch(name, bias, unbatched, with_hx, B, D, H, seed):
    torch.manual_seed(seed)
    kw = {"bias": bias}
    if name == "RNN" and seed % 2:
        kw["nonlinearity"] = "relu"
    ref = getattr(torch.nn, name + "Cell")(D, H, **kw).double()
    ours = getattr(R, name + "Cell")(D, H, **kw).double()
    assert list(ours.state_dict()) == list(ref.state_dict())
    ours.load_state_dict(ref.state_dict())
    shape = (D,) if unbatched else (B, D)
    hshape = (H,) if unbatched else (B, H)
    x = torch.randn(shape, dtype=torch.double)
    hx = None
    if with_hx:
        hx = tuple(
            torch.randn(hshape, dtype=torch.double) for _ in range(2 if name == "LSTM" else 1)
        )
    out_r, grad_r = _run(ref, x, hx, seed)
    out_o, grad_o = _run(ours, x, hx, seed)
    assert _max_err(out_r, out_o) < TOL
    assert _max_err(grad_r, grad_o) < TOL


@pytest.mark.parametrize("name", NAMES)
def test_defaults_names_and_init(name):
    ref, ours = getattr(torch.nn, name)(3, 16), getattr(R, name)(3, 16)
    for attr in ["input_size", "hidden_size", "num_layers", "bias", "batch_first", "bidirectional"]:
        assert getattr(ours, attr) == getattr(ref, attr)
    assert ours.dropout == ref.dropout == 0.0
    assert repr(ours).split("(", 1)[1] == repr(ref).split("(", 1)[1]
    for (n1, p1), (n2, p2) in zip(ours.named_parameters(), ref.named_parameters(), strict=True):
        assert n1 == n2 and p1.shape == p2.shape
        assert p1.abs().max() <= 0.25 and p1.std() > 0.1  # uniform on +-1/sqrt(16): std 0.144
    big = getattr(R, name)(3, 400)
    w = big.weight_hh_l0.detach()
    assert abs(w.abs().max().item() - 0.05) < 1e-3  # the bound 1/sqrt(H) is reached, not exceeded


def test_dropout_eval_matches_torch_and_train_differs():
    torch.manual_seed(0)
    ref = torch.nn.LSTM(4, 6, num_layers=3, dropout=0.5).double().eval()
    ours = R.LSTM(4, 6, num_layers=3, dropout=0.5).double().eval()
    ours.load_state_dict(ref.state_dict())
    x = torch.randn(5, 2, 4, dtype=torch.double)
    assert _max_err(_flat(ref(x)), _flat(ours(x))) < TOL
    ours.train()
    y1, y2 = ours(x)[0], ours(x)[0]
    assert (y1 - y2).abs().max() > 1e-3  # dropout active between layers in training mode
    one = R.GRU(4, 6, num_layers=1, dropout=0.0).double().train()
    assert torch.equal(one(x)[0], one(x)[0])  # no dropout after the last layer


def test_dropout_one_layer_warns_like_torch():
    with pytest.warns(UserWarning, match="dropout"):
        R.LSTM(3, 4, dropout=0.3)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        R.LSTM(3, 4, num_layers=2, dropout=0.3)


@pytest.mark.parametrize(
    "call, exc, match",
    [
        (lambda: R.LSTM(10, 20)(torch.randn(5, 3, 7)), RuntimeError, "input_size. Expected 10"),
        (
            lambda: R.LSTM(10, 20, 2)(torch.randn(5, 3, 10), (torch.randn(2, 2, 20),) * 2),
            RuntimeError,
            r"hidden\[0\] size \(2, 3, 20\)",
        ),
        (
            lambda: R.LSTM(10, 20)(
                torch.randn(5, 3, 10), (torch.randn(1, 3, 20), torch.randn(1, 3, 21))
            ),
            RuntimeError,
            r"hidden\[1\] size \(1, 3, 20\), got \[1, 3, 21\]",
        ),
        (
            lambda: R.RNN(10, 20)(torch.randn(5, 3, 10), torch.randn(1, 3, 21)),
            RuntimeError,
            r"Expected hidden size \(1, 3, 20\)",
        ),
        (lambda: R.GRU(10, 20)(torch.randn(5, 3, 10, 1)), ValueError, "2D or 3D, got 4D"),
        (
            lambda: R.RNN(10, 20)(torch.randn(5, 10), torch.randn(1, 1, 20)),
            RuntimeError,
            "unbatched 2-D input, hx should also be 2-D",
        ),
        (lambda: R.LSTMCell(10, 20)(torch.randn(3, 7)), RuntimeError, "input_size: got 7"),
        (lambda: R.LSTMCell(10, 20)(torch.randn(3, 10, 1)), ValueError, "1D or 2D, got 3D"),
        (
            lambda: R.GRUCell(10, 20)(torch.randn(3, 10), torch.randn(3, 21)),
            RuntimeError,
            "hidden_size: got 21, expected 20",
        ),
        (lambda: R.RNN(3, 4, nonlinearity="sigmoid"), ValueError, "tanh' or 'relu"),
        (lambda: R.RNN(3, 4, dropout=1.5), ValueError, "dropout"),
        (lambda: R.RNN(3, 0), ValueError, "hidden_size"),
        (lambda: R.GRU(3, 4, num_layers=0), ValueError, "num_layers"),
        (lambda: R.LSTM(3, 4)(torch.ones(2, 1, 3, dtype=torch.long)), TypeError, "floating"),
    ],
)
def test_bad_input_rejected_like_torch(call, exc, match):
    with pytest.raises(exc, match=match):
        call()


@pytest.mark.parametrize("name", NAMES)
def test_shape_errors_are_value_errors_too(name):
    with pytest.raises(ValueError, match="input_size"):
        getattr(R, name)(4, 5)(torch.randn(2, 1, 3))


def test_inputs_not_modified():
    m = R.LSTM(3, 4, num_layers=2, bidirectional=True)
    x, h = torch.randn(5, 2, 3), (torch.randn(4, 2, 4), torch.randn(4, 2, 4))
    copies = [t.clone() for t in (x, *h)]
    m(x, h)
    assert all(torch.equal(a, b) for a, b in zip(copies, (x, *h), strict=True))


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA GPU")
@pytest.mark.gpu
@pytest.mark.parametrize("name", NAMES)
def test_cuda_matches_cpu(name):
    torch.manual_seed(0)
    cpu = getattr(R, name)(3, 5, num_layers=2, bidirectional=True).double()
    gpu = getattr(R, name)(3, 5, num_layers=2, bidirectional=True).double().cuda()
    gpu.load_state_dict(cpu.state_dict())
    x = torch.randn(6, 2, 3, dtype=torch.double)
    out_c = _flat(cpu(x))
    out_g = _flat(gpu(x.cuda()))
    assert all(o.is_cuda for o in out_g)
    assert _max_err(out_c, [o.cpu() for o in out_g]) < 1e-9
