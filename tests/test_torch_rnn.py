"""rnn_course.torch_rnn against torch.nn: state_dict both ways, outputs, states, gradients."""

import itertools
import warnings

import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from torch.nn.utils.rnn import (
    PackedSequence,
    pack_padded_sequence,
    pack_sequence,
    pad_packed_sequence,
)

from rnn_course import torch_rnn as R
from tests.conftest import assert_within

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


def _configs():
    """Every combination (288), plus the LSTM with a projection (96 more)."""
    flags = list(
        itertools.product(
            [1, 2, 3], [False, True], [False, True], [False, True], [False, True], [False, True]
        )
    )
    out = [(name, 0, *f) for name in NAMES for f in flags]
    out += [("LSTM", 2, *f) for f in flags]
    return out


CONFIGS = _configs()


@pytest.mark.parametrize(
    "name, proj_size, num_layers, bidirectional, batch_first, bias, with_hx, unbatched",
    CONFIGS,
)
def test_sequence_modules_match_torch(
    name, proj_size, num_layers, bidirectional, batch_first, bias, with_hx, unbatched
):
    assert len(CONFIGS) == 288 + 96
    seed = CONFIGS.index(
        (name, proj_size, num_layers, bidirectional, batch_first, bias, with_hx, unbatched)
    )
    torch.manual_seed(seed)
    T, B, D, H = 1 + seed % 4, 1 + seed % 3, 1 + seed % 4, 3 + seed % 2
    kw = dict(num_layers=num_layers, bias=bias, batch_first=batch_first)
    kw["bidirectional"] = bidirectional
    if name == "RNN":
        kw["nonlinearity"] = "relu" if seed % 2 else "tanh"
    if proj_size:
        kw["proj_size"] = proj_size
    ref = getattr(torch.nn, name)(D, H, **kw).double()
    ours = getattr(R, name)(D, H, **kw).double()
    assert list(ours.state_dict()) == list(ref.state_dict())
    # state_dict both ways: one model donates its random weights to the other
    src, dst = (ours, ref) if seed % 2 else (ref, ours)
    dst.load_state_dict(src.state_dict())
    LD = num_layers * (2 if bidirectional else 1)
    P = proj_size or H
    if unbatched:
        x, shapes = torch.randn(T, D, dtype=torch.double), [(LD, P), (LD, H)]
    else:
        x = torch.randn(B, T, D) if batch_first else torch.randn(T, B, D)
        x, shapes = x.double(), [(LD, B, P), (LD, B, H)]
    hx = None
    if with_hx:
        n = 2 if name == "LSTM" else 1
        hx = tuple(torch.randn(shape, dtype=torch.double) for shape in shapes[:n])
    out_r, grad_r = _run(ref, x, hx, seed)
    out_o, grad_o = _run(ours, x, hx, seed)
    assert_within(
        {"outputs": _max_err(out_r, out_o), "gradients": _max_err(grad_r, grad_o)},
        TOL,
        f"{name} vs torch.nn",
    )


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
    assert_within(
        {"outputs": _max_err(out_r, out_o), "gradients": _max_err(grad_r, grad_o)},
        TOL,
        f"{name}Cell vs torch.nn",
    )


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


def _raised(make, module):
    """The exception ``make(module)`` raises (None if it returns)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            make(module)
        except Exception as e:  # noqa: BLE001 - the point is to capture whatever is raised
            return e
    return None


def _x(*shape, dtype=torch.float32):
    return torch.randn(*shape, dtype=dtype)


# Misuse that torch.nn itself checks: the twin must raise the same type, same message.
SAME_AS_TORCH = {
    # constructors
    "bias not a bool": lambda m: m.LSTM(3, 4, bias="yes"),
    "bias an int": lambda m: m.GRU(3, 4, bias=1),
    "batch_first not a bool": lambda m: m.RNN(3, 4, batch_first="x"),
    "input_size a float": lambda m: m.RNN(3.0, 4),
    "input_size a str": lambda m: m.LSTM("3", 4),
    "input_size zero": lambda m: m.GRU(0, 4),
    "hidden_size negative": lambda m: m.LSTM(3, -2),
    "hidden_size a float": lambda m: m.GRU(3, 4.0),
    "num_layers zero": lambda m: m.RNN(3, 4, num_layers=0),
    "dropout above 1": lambda m: m.LSTM(3, 4, dropout=1.5),
    "dropout negative": lambda m: m.GRU(3, 4, dropout=-0.1),
    "dropout a str": lambda m: m.RNN(3, 4, dropout="0.1"),
    "dropout a bool": lambda m: m.LSTM(3, 4, dropout=True),
    "unknown nonlinearity": lambda m: m.RNN(3, 4, nonlinearity="sigmoid"),
    "nonlinearity by position": lambda m: m.RNN(3, 4, 1, "Tanh"),
    "proj_size on a GRU": lambda m: m.GRU(3, 4, proj_size=2),
    "proj_size on an RNN": lambda m: m.RNN(3, 4, proj_size=0),
    "proj_size negative": lambda m: m.LSTM(3, 4, proj_size=-1),
    "proj_size not below hidden_size": lambda m: m.LSTM(3, 4, proj_size=4),
    # sequence modules, forward
    "dtype: float32 input, float64 weights": lambda m: m.RNN(3, 4).double()(_x(5, 2, 3)),
    "dtype: LSTM": lambda m: m.LSTM(3, 4).double()(_x(5, 2, 3)),
    "dtype: GRU, float64 input": lambda m: m.GRU(3, 4)(_x(5, 2, 3, dtype=torch.double)),
    "integer input": lambda m: m.LSTM(3, 4)(torch.ones(5, 2, 3, dtype=torch.long)),
    "state dtype": lambda m: m.RNN(3, 4).double()(_x(5, 2, 3, dtype=torch.double), _x(1, 2, 4)),
    "rank 4: RNN": lambda m: m.RNN(3, 4)(_x(5, 2, 3, 1)),
    "rank 1: LSTM": lambda m: m.LSTM(3, 4)(_x(3)),
    "rank 4: GRU": lambda m: m.GRU(3, 4)(_x(5, 2, 3, 1)),
    "feature size": lambda m: m.LSTM(10, 20)(_x(5, 3, 7)),
    "feature size, batch_first": lambda m: m.GRU(3, 4, batch_first=True)(_x(2, 5, 7)),
    "state shape": lambda m: m.RNN(3, 4)(_x(5, 2, 3), _x(1, 2, 5)),
    "state layers": lambda m: m.GRU(3, 4, 2)(_x(5, 2, 3), _x(1, 2, 4)),
    "state directions": lambda m: m.RNN(3, 4, bidirectional=True)(_x(5, 2, 3), _x(1, 2, 4)),
    "batch mismatch": lambda m: m.RNN(3, 4)(_x(5, 2, 3), _x(1, 3, 4)),
    "batch mismatch, batch_first": lambda m: m.GRU(3, 4, batch_first=True)(
        _x(2, 5, 3), _x(1, 5, 4)
    ),
    "LSTM h batch": lambda m: m.LSTM(3, 4)(_x(5, 2, 3), (_x(1, 3, 4), _x(1, 3, 4))),
    "LSTM c shape": lambda m: m.LSTM(3, 4)(_x(5, 2, 3), (_x(1, 2, 4), _x(1, 2, 5))),
    "LSTM projected h shape": lambda m: m.LSTM(3, 4, proj_size=2)(
        _x(5, 2, 3), (_x(1, 2, 4), _x(1, 2, 4))
    ),
    "LSTM three states": lambda m: m.LSTM(3, 4)(_x(5, 2, 3), (_x(1, 2, 4),) * 3),
    "unbatched input, batched state": lambda m: m.RNN(3, 4)(_x(5, 3), _x(1, 1, 4)),
    "unbatched input, batched LSTM state": lambda m: m.LSTM(3, 4)(
        _x(5, 3), (_x(1, 1, 4), _x(1, 1, 4))
    ),
    "batched input, unbatched state": lambda m: m.GRU(3, 4)(_x(5, 2, 3), _x(2, 4)),
    "batched input, unbatched LSTM state": lambda m: m.LSTM(3, 4)(
        _x(5, 2, 3), (_x(1, 4), _x(1, 4))
    ),
    "no time steps": lambda m: m.RNN(3, 4)(_x(0, 2, 3)),
    # cells, forward
    "cell dtype": lambda m: m.LSTMCell(3, 4).double()(_x(2, 3)),
    "cell integer input": lambda m: m.RNNCell(3, 4)(torch.ones(2, 3, dtype=torch.long)),
    "cell state dtype": lambda m: m.GRUCell(3, 4).double()(_x(2, 3, dtype=torch.double), _x(2, 4)),
    "cell rank 3": lambda m: m.GRUCell(3, 4)(_x(2, 3, 1)),
    "cell state rank 3": lambda m: m.RNNCell(3, 4)(_x(2, 3), _x(1, 2, 4)),
    "LSTMCell state rank 3": lambda m: m.LSTMCell(3, 4)(_x(2, 3), (_x(2, 4), _x(1, 2, 4))),
    "cell feature size": lambda m: m.LSTMCell(10, 20)(_x(3, 7)),
    "cell state size": lambda m: m.GRUCell(10, 20)(_x(3, 10), _x(3, 21)),
    "cell batch mismatch": lambda m: m.RNNCell(3, 4)(_x(2, 3), _x(3, 4)),
    "LSTMCell c size": lambda m: m.LSTMCell(3, 4)(_x(2, 3), (_x(2, 4), _x(2, 5))),
    "cell unbatched input, batched state": lambda m: m.GRUCell(3, 4)(_x(3), _x(1, 4)),
    "cell batched input, unbatched state": lambda m: m.RNNCell(3, 4)(_x(2, 3), _x(4)),
    "RNNCell unknown nonlinearity": lambda m: m.RNNCell(3, 4, nonlinearity="sigmoid")(_x(2, 3)),
}


@pytest.mark.parametrize("case", list(SAME_AS_TORCH))
def test_misuse_raises_what_torch_nn_raises(case):
    theirs = _raised(SAME_AS_TORCH[case], torch.nn)
    ours = _raised(SAME_AS_TORCH[case], R)
    assert theirs is not None, f"{case}: torch.nn accepts this; the case is wrong"
    assert isinstance(ours, type(theirs)), (
        f"{case}: torch.nn raises {type(theirs).__name__}: {theirs}; ours {ours!r}"
    )
    assert str(ours) == str(theirs), case


# torch.nn fails here only by accident (AttributeError, IndexError, an op deep inside);
# the twin raises a clear error naming the argument, of the type torch.nn raises or a
# TypeError where torch.nn's is an accident of indexing.
CLEARER_THAN_TORCH = [
    ("input a list", lambda m: m.RNN(3, 4)([[1.0, 2.0, 3.0]]), TypeError, "input: expected a"),
    ("hx a list", lambda m: m.GRU(3, 4)(_x(5, 2, 3), [_x(1, 2, 4)]), TypeError, "hx: expected"),
    (
        "LSTM hx a tensor",
        lambda m: m.LSTM(3, 4)(_x(5, 2, 3), _x(1, 2, 4)),
        TypeError,
        r"LSTM: hx must be a tuple \(h_0, c_0\)",
    ),
    (
        "LSTMCell hx a tensor",
        lambda m: m.LSTMCell(3, 4)(_x(2, 3), _x(2, 4)),
        TypeError,
        r"LSTMCell: hx must be a tuple \(h, c\)",
    ),
    ("num_layers a float", lambda m: m.LSTM(3, 4, 1.5), TypeError, "num_layers should be of type"),
    ("num_layers a str", lambda m: m.GRU(3, 4, "2"), TypeError, "num_layers should be of type int"),
    ("proj_size a float", lambda m: m.LSTM(3, 4, proj_size=2.0), TypeError, "proj_size should be"),
    ("cell size a float", lambda m: m.GRUCell(3.0, 4), TypeError, "input_size should be of type"),
    ("cell size a str", lambda m: m.LSTMCell(3, "4"), TypeError, "hidden_size should be of type"),
]


@pytest.mark.parametrize(
    "make, exc, match", [c[1:] for c in CLEARER_THAN_TORCH], ids=[c[0] for c in CLEARER_THAN_TORCH]
)
def test_misuse_torch_nn_trips_over_gets_a_clear_error(make, exc, match):
    theirs = _raised(make, torch.nn)
    assert theirs is not None
    with pytest.raises(exc, match=match):
        make(R)


@pytest.mark.parametrize(
    "make",
    [
        lambda m: m.RNN(True, 4),  # bool is an int to torch.nn
        lambda m: m.LSTM(3, 4, num_layers=True),
        lambda m: m.GRUCell(3, 4, bias="yes"),  # cells take any truthy bias
        lambda m: m.RNNCell(3, 0),  # zero-size cells are allowed
        lambda m: m.RNN(3, 4, bidirectional=2),
    ],
)
def test_what_torch_nn_accepts_the_twin_accepts(make):
    assert _raised(make, torch.nn) is None
    assert _raised(make, R) is None


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


def test_projection_parameters_and_shapes():
    ref, ours = torch.nn.LSTM(3, 6, 2, proj_size=2), R.LSTM(3, 6, 2, proj_size=2)
    assert [(n, p.shape) for n, p in ours.named_parameters()] == [
        (n, p.shape) for n, p in ref.named_parameters()
    ]
    assert ours.weight_hr_l1.shape == (2, 6) and ours.weight_hh_l0.shape == (24, 2)
    assert repr(ours).split("(", 1)[1] == repr(ref).split("(", 1)[1]
    out, (h, c) = ours(torch.randn(5, 4, 3))
    assert out.shape == (5, 4, 2) and h.shape == (2, 4, 2) and c.shape == (2, 4, 6)


# ----------------------------------------------------------------------------- packed sequences

PACKINGS = ["padded_sorted", "padded_unsorted", "sequence_sorted", "sequence_unsorted"]


def _packed_input(how, lengths, D, batch_first, gen):
    """A PackedSequence made the way ``how`` says, and the leaf tensors it came from."""
    lengths = sorted(lengths, reverse=True) if how.endswith("_sorted") else lengths
    enforce = how.endswith("_sorted")
    if how.startswith("padded"):
        T, B = max(lengths), len(lengths)
        x = torch.randn((B, T, D) if batch_first else (T, B, D), generator=gen, dtype=torch.double)
        x.requires_grad_(True)
        packed = pack_padded_sequence(x, torch.tensor(lengths), batch_first, enforce)
        return packed, [x]
    seqs = [
        torch.randn(n, D, generator=gen, dtype=torch.double).requires_grad_(True) for n in lengths
    ]
    return pack_sequence(seqs, enforce_sorted=enforce), seqs


def _run_packed(model, how, lengths, hx, batch_first):
    """Forward a packed batch, backward a random projection of everything it returns."""
    gen = torch.Generator().manual_seed(7)
    packed, leaves = _packed_input(how, lengths, model.input_size, batch_first, gen)
    hx_in = None if hx is None else tuple(h.clone().requires_grad_(True) for h in hx)
    out, hn = model(packed, None if hx_in is None else (hx_in if len(hx_in) == 2 else hx_in[0]))
    assert isinstance(out, PackedSequence)
    flat = [out.data, *_flat(hn)]
    loss = sum((f * torch.randn(f.shape, generator=gen, dtype=f.dtype)).sum() for f in flat)
    loss.backward()
    grads = [v.grad for v in leaves] + ([h.grad for h in hx_in] if hx_in else [])
    grads += [p.grad for p in model.parameters()]
    meta = [out.batch_sizes, out.sorted_indices, out.unsorted_indices]
    return flat, grads, meta


@pytest.mark.parametrize("how", PACKINGS)
@pytest.mark.parametrize(
    "name, num_layers, bidirectional, with_hx",
    [(n, L, bi, hx) for n in NAMES for L in (1, 2) for bi in (False, True) for hx in (False, True)],
)
def test_packed_sequences_match_torch(name, num_layers, bidirectional, with_hx, how):
    torch.manual_seed(num_layers + 2 * bidirectional + 4 * with_hx)
    kw = {"num_layers": num_layers, "bidirectional": bidirectional, "batch_first": with_hx}
    if name == "LSTM" and num_layers == 2:
        kw["proj_size"] = 2
    ref = getattr(torch.nn, name)(3, 4, **kw).double()
    ours = getattr(R, name)(3, 4, **kw).double()
    ours.load_state_dict(ref.state_dict())
    lengths = [3, 6, 1, 6, 4]
    hx = None
    if with_hx:
        LD, B = num_layers * (1 + bidirectional), len(lengths)
        sizes = [kw.get("proj_size", 4), 4][: 2 if name == "LSTM" else 1]
        hx = tuple(torch.randn(LD, B, s, dtype=torch.double) for s in sizes)
    out_r, grad_r, meta_r = _run_packed(ref, how, lengths, hx, kw["batch_first"])
    out_o, grad_o, meta_o = _run_packed(ours, how, lengths, hx, kw["batch_first"])
    for a, b in zip(meta_r, meta_o, strict=True):
        assert (a is None and b is None) or torch.equal(a, b)
    assert_within(
        {"outputs": _max_err(out_r, out_o), "gradients": _max_err(grad_r, grad_o)},
        TOL,
        f"{name} on a PackedSequence ({how}) vs torch.nn",
    )


def test_packed_output_unpacks_like_torch_and_states_are_each_sequences_own():
    torch.manual_seed(0)
    m = R.GRU(3, 4).double()
    seqs = [torch.randn(n, 3, dtype=torch.double) for n in (2, 5, 3)]
    out, h_n = m(pack_sequence(seqs, enforce_sorted=False))
    padded, lengths = pad_packed_sequence(out)
    assert lengths.tolist() == [2, 5, 3]
    for b, s in enumerate(seqs):
        alone, h_alone = m(s.unsqueeze(1))
        assert torch.allclose(padded[: len(s), b], alone[:, 0], atol=1e-12)
        assert torch.allclose(h_n[0, b], h_alone[0, 0], atol=1e-12)
        assert not padded[len(s) :, b].any()  # padding stays zero, as in torch.nn


def test_packed_input_with_bad_data_raises_like_torch():
    bad = PackedSequence(torch.randn(6, 2, 3), torch.tensor([2, 2, 2]))
    with pytest.raises(RuntimeError, match="input must have 2 dimensions, got 3"):
        R.LSTM(3, 4)(bad)  # torch.nn fails later, on a reshape
    wrong = pack_sequence([torch.randn(3, 5)])
    with pytest.raises(RuntimeError, match="input.size\\(-1\\) must be equal to input_size"):
        R.LSTM(3, 4)(wrong)  # torch 2.x's CPU kernel returns an answer here (no check)
    h = (torch.zeros(1, 2, 4), torch.zeros(1, 2, 4))  # batch 2 for a batch of 1
    with pytest.raises(RuntimeError, match="Expected hidden\\[0\\] size \\(1, 1, 4\\)"):
        R.LSTM(3, 4)(pack_sequence([torch.randn(3, 3)]), h)


@pytest.mark.parametrize("name", NAMES)
def test_all_weights_as_torch(name):
    kw = {"num_layers": 2, "bidirectional": True, "proj_size": 2} if name == "LSTM" else {}
    ref, ours = getattr(torch.nn, name)(3, 4, **kw), getattr(R, name)(3, 4, **kw)
    ours.load_state_dict(ref.state_dict())
    names = lambda m: [[p.shape for p in ws] for ws in m.all_weights]  # noqa: E731
    assert names(ours) == names(ref)
    assert ours._all_weights == ref._all_weights
    assert ours._flat_weights_names == ref._flat_weights_names
    assert all(
        torch.equal(a, b) for a, b in zip(ours._flat_weights, ref._flat_weights, strict=True)
    )
    assert ours.all_weights[0][0] is ours.weight_ih_l0


# ----------------------------------------------------------------------------- hand-written BPTT


@pytest.mark.parametrize("bias", [True, False])
@pytest.mark.parametrize("T, B, D, H", [(1, 1, 1, 1), (6, 3, 4, 5), (9, 2, 7, 3)])
def test_lstm_sequence_equals_loop_and_torch_nn(T, B, D, H, bias):
    from rnn_course.torch_lstm import lstm_sequence, lstm_sequence_loop

    torch.manual_seed(T * 100 + B)
    ref = torch.nn.LSTM(D, H, bias=bias).double()
    gen = torch.Generator().manual_seed(1)
    x, h0, c0 = (
        torch.randn(s, generator=gen, dtype=torch.double) for s in [(T, B, D), (B, H), (B, H)]
    )
    ups = [torch.randn(s, generator=gen, dtype=torch.double) for s in [(T, B, H), (B, H), (B, H)]]
    weights = [ref.weight_ih_l0, ref.weight_hh_l0] + (
        [ref.bias_ih_l0, ref.bias_hh_l0] if bias else []
    )

    def run(fn):
        leaves = [t.detach().clone().requires_grad_(True) for t in (x, h0, c0, *weights)]
        out, (h_n, c_n) = fn(*leaves)
        outs = [out, h_n.reshape(B, H), c_n.reshape(B, H)]
        sum((o * u).sum() for o, u in zip(outs, ups, strict=True)).backward()
        return outs + [t.grad for t in leaves]

    fast = run(lstm_sequence)
    loop = run(lstm_sequence_loop)

    def nn(x, h0, c0, *w):
        names = ["weight_ih_l0", "weight_hh_l0", "bias_ih_l0", "bias_hh_l0"]
        params = dict(zip(names, w, strict=False))
        return torch.func.functional_call(ref, params, (x, (h0[None], c0[None])))

    theirs = run(nn)
    assert_within(
        {"vs loop": _max_err(fast, loop), "vs torch.nn": _max_err(fast, theirs)},
        TOL,
        "lstm_sequence",
    )


def test_lstm_sequence_passes_gradcheck():
    from rnn_course.torch_lstm import lstm_sequence

    gen = torch.Generator().manual_seed(0)
    T, B, D, H = 4, 2, 3, 3
    shapes = [(T, B, D), (B, H), (B, H), (4 * H, D), (4 * H, H), (4 * H,), (4 * H,)]
    args = [torch.randn(s, generator=gen, dtype=torch.double, requires_grad=True) for s in shapes]
    flat = lambda *a: (lambda o: (o[0], *o[1]))(lstm_sequence(*a))  # noqa: E731
    assert torch.autograd.gradcheck(flat, args)
    out = flat(*args)[0].sum()
    (g,) = torch.autograd.grad(out, args[3], create_graph=True)
    with pytest.raises(RuntimeError, match="once_differentiable|does not require grad"):
        torch.autograd.grad(g.sum(), args[3])  # first order only, and it says so
