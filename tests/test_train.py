"""Tests for rnn_course.models, rnn_course.train and rnn_course.sampling (small, fast)."""

import math
import os
from dataclasses import replace

import numpy as np
import pytest
import torch

from rnn_course import init, models, sampling, train
from rnn_course.data.tasks import adding_problem, parity
from rnn_course.data.text import CharVocab, load_corpus, split_corpus
from rnn_course.train import LMTrainConfig

TEXT = load_corpus("pydoc", max_chars=6000)
VOCAB = CharVocab.from_text(TEXT)
SPLIT = split_corpus(VOCAB.encode(TEXT), fractions=(0.8, 0.1, 0.1))
KW = dict(batch_size=4, seq_len=16, eval_every=5, progress=False, device="cpu")


def cfg(**kw):
    return LMTrainConfig(**{**KW, **kw})


def tiny(cell="lstm", impl="ours", seed=0, **kw):
    torch.manual_seed(seed)
    return models.CharLM(len(VOCAB), 24, cell=cell, impl=impl, **kw)


# ----------------------------------------------------------------------------- models


@pytest.mark.parametrize("cell", models.CELLS)
def test_charlm_ours_equals_torch_core(cell):
    a, b = tiny(cell, "ours"), tiny(cell, "torch")
    b.load_state_dict(a.state_dict())
    idx = torch.as_tensor(SPLIT.train[:40]).view(10, 4)
    la, lossa = a(idx, idx)
    lb, lossb = b(idx, idx)
    assert la.shape == (10, 4, len(VOCAB))
    assert torch.allclose(la, lb, atol=1e-5) and abs(lossa.item() - lossb.item()) < 1e-5
    logits, loss = a(idx)
    assert loss is None
    _, _, state = a(idx, return_state=True)
    assert (state[0] if cell == "lstm" else state).shape == (1, 4, 24)


def test_the_simple_network_is_srn_and_the_old_name_warns():
    assert models.CELLS == ("srn", "lstm", "gru")
    m = models.CharLM(10, 8, cell="srn", impl="ours")
    assert type(m.rnn).__name__ == "RNN" and m.config["cell"] == "srn"
    with pytest.warns(DeprecationWarning, match='cell="rnn" is now cell="srn"'):
        old = models.CharLM(10, 8, cell="rnn", impl="torch")
    assert isinstance(old.rnn, torch.nn.RNN) and old.config["cell"] == "srn"
    with pytest.warns(DeprecationWarning):
        models.SequenceModel(2, 4, 1, cell="rnn")


def test_charlm_state_carry_equals_one_long_call():
    m = tiny("gru")
    idx = torch.as_tensor(SPLIT.train[:60]).view(20, 3)
    full, _ = m(idx)
    l1, _, s = m(idx[:8], return_state=True)
    l2, _ = m(idx[8:], state=s)
    assert torch.allclose(torch.cat([l1, l2]), full, atol=1e-6)


@pytest.mark.parametrize(
    "kwargs, match",
    [({"cell": "transformer"}, "choose one of"), ({"impl": "jax"}, "choose one of")],
)
def test_unknown_model_names(kwargs, match):
    with pytest.raises(ValueError, match=match):
        models.CharLM(10, 8, **kwargs)


def test_charlm_bad_ids():
    m = tiny()
    with pytest.raises(ValueError, match="token ids"):
        m(torch.tensor([[len(VOCAB)]]))
    with pytest.raises(TypeError, match="int64"):
        m(torch.zeros(3, 2))


def test_sequence_model_shapes_and_losses():
    x, y = adding_problem(6, 10, np.random.default_rng(0))
    m = models.SequenceModel(2, 8, 1, cell="gru")
    out, loss = m(torch.as_tensor(x), torch.as_tensor(y))
    assert out.shape == (6,) and loss.item() > 0
    x, y = parity(6, 10, np.random.default_rng(0))
    m = models.SequenceModel(1, 8, 2, task="classification", bidirectional=True)
    out, loss = m(torch.as_tensor(x), torch.as_tensor(y))
    assert out.shape == (6, 2) and abs(loss.item() - math.log(2)) < 0.5


# ----------------------------------------------------------------------------- training


@pytest.mark.slow
def test_tiny_lm_loss_decreases():
    m = tiny()
    r = train.train_lm(m, SPLIT.train, SPLIT.val, cfg(steps=60, lr=1e-2))
    first, last = np.mean(r["train_loss"][:5]), np.mean(r["train_loss"][-5:])
    assert last < first - 0.8, (first, last)
    assert r["val"][-1][1] < r["val"][0][1]
    assert r["steps"] == 60 and len(r["grad_norm"]) == 60
    assert 0 <= r["clip_fraction"] <= 1
    assert r["val_bpc"] == pytest.approx(r["val_loss"] / math.log(2))
    assert r["val_ppl"] == pytest.approx(math.exp(r["val_loss"]))


def test_clip_fraction_and_pre_clip_norm():
    r = train.train_lm(tiny(), SPLIT.train, None, cfg(steps=10, clip=1e-3))
    assert r["clip_fraction"] == 1.0 and min(r["grad_norm"]) > 1e-3  # norms are pre-clip
    r = train.train_lm(tiny(), SPLIT.train, None, cfg(steps=10, clip=None))
    assert r["clip_fraction"] == 0.0


@pytest.mark.slow
@pytest.mark.parametrize("dropout", [0.0, 0.3])
def test_resume_equals_uninterrupted_run(tmp_path, dropout):
    ckpt = tmp_path / "run.pt"
    c = cfg(steps=24, lr=5e-3, checkpoint_every=5)
    mk = lambda seed: tiny(num_layers=2, dropout=dropout, seed=seed)
    full = mk(0)
    r_full = train.train_lm(full, SPLIT.train, SPLIT.val, c)
    part = mk(0)
    train.train_lm(part, SPLIT.train, SPLIT.val, replace(c, steps=13, checkpoint=ckpt))
    # a fresh process would build a fresh model (other init) and resume from the file
    resumed = mk(123)
    r_res = train.train_lm(
        resumed, SPLIT.train, SPLIT.val, replace(c, checkpoint=ckpt, resume=True)
    )
    assert r_res["train_loss"] == r_full["train_loss"]  # exactly, step for step
    for (k, p), q in zip(full.state_dict().items(), resumed.state_dict().values(), strict=True):
        assert torch.equal(p, q), k
    assert r_res["val_loss"] == r_full["val_loss"]


def test_resume_from_other_configuration_is_refused(tmp_path):
    ckpt = tmp_path / "run.pt"
    train.train_lm(tiny(), SPLIT.train, None, cfg(steps=2, checkpoint=ckpt))
    other = models.CharLM(len(VOCAB), 32)
    again = cfg(steps=4, checkpoint=ckpt, resume=True)
    with pytest.raises(ValueError, match="another configuration.*hidden_size"):
        train.train_lm(other, SPLIT.train, None, again)
    with pytest.raises(ValueError, match="another configuration.*lr"):
        train.train_lm(tiny(), SPLIT.train, None, replace(again, lr=0.5))


def test_atomic_save_keeps_previous_checkpoint(tmp_path, monkeypatch):
    path = tmp_path / "ck.pt"
    train.save_checkpoint(path, {"w": torch.ones(2)}, {"step": 1})

    def failing_fsync(fd):
        raise OSError("disk full (simulated)")

    monkeypatch.setattr(os, "fsync", failing_fsync)
    with pytest.raises(OSError, match="simulated"):
        train.save_checkpoint(path, {"w": torch.zeros(2)}, {"step": 2})
    monkeypatch.undo()
    tensors, meta = train.load_checkpoint(path)
    assert meta["step"] == 1 and torch.equal(tensors["w"], torch.ones(2))
    assert [p.name for p in tmp_path.iterdir()] == ["ck.pt"]  # no temp file left behind


def _checkpoint(tmp_path):
    path = tmp_path / "run.pt"
    train.train_lm(tiny(), SPLIT.train, None, cfg(steps=2, checkpoint=path))
    return path, path.read_bytes()


@pytest.mark.parametrize(
    "damage, match",
    [
        (lambda raw: raw[: len(raw) // 2], "truncated or damaged"),
        (lambda raw: raw[:-1], "truncated or damaged"),
        (lambda raw: raw[:40], "damaged header"),
        (lambda raw: raw[:-100] + bytes([raw[-100] ^ 1]) + raw[-99:], "corrupted: the SHA-256"),
        (lambda raw: b"PK\x03\x04" + raw[4:], "is not a checkpoint written by rnn_course"),
    ],
    ids=["half", "one byte short", "header cut", "one bit flipped", "a torch.save file"],
)
def test_damaged_checkpoint_is_refused_clearly(tmp_path, damage, match):
    path, raw = _checkpoint(tmp_path)
    path.write_bytes(damage(raw))
    with pytest.raises(ValueError, match=match):
        train.load_checkpoint(path)
    with pytest.raises(ValueError, match=match):
        train.train_lm(tiny(), SPLIT.train, None, cfg(steps=4, checkpoint=path, resume=True))


class _Payload:
    """What an attacker pickles: unpickling it would create a file."""

    def __init__(self, target):
        self.target = target

    def __reduce__(self):
        return (open, (self.target, "w"))


def test_checkpoint_never_unpickles_code(tmp_path):
    import hashlib
    import io
    import json

    target = tmp_path / "pwned"
    buf = io.BytesIO()
    torch.save({"model": _Payload(str(target))}, buf)
    payload = buf.getvalue()
    head = json.dumps(
        {
            "format": train.CHECKPOINT_FORMAT,
            "payload_bytes": len(payload),
            "sha256": hashlib.sha256(payload).hexdigest(),  # a valid checksum: it does not help
            "meta": {},
        }
    ).encode()
    path = tmp_path / "evil.pt"
    path.write_bytes(train.CHECKPOINT_MAGIC + len(head).to_bytes(8, "little") + head + payload)
    with pytest.raises(ValueError, match="refusing to unpickle"):
        train.load_checkpoint(path)
    assert not target.exists()


def test_nan_guard_stops_with_message():
    m = tiny()
    with torch.no_grad():
        m.W_hy.bias[0] = float("nan")
    with pytest.raises(FloatingPointError, match="diverged at step 0.*learning rate"):
        train.train_lm(m, SPLIT.train, None, cfg(steps=5))


def test_bad_training_inputs():
    with pytest.raises(ValueError, match="seq_len.*longer"):
        train.train_lm(tiny(), SPLIT.train[:50], None, cfg(seq_len=40, steps=1))
    with pytest.raises(TypeError, match="integer token ids"):
        train.train_lm(tiny(), np.zeros(100), None, cfg(steps=1))
    with pytest.raises(TypeError, match="config: expected an rnn_course.train.LMTrainConfig"):
        train.train_lm(tiny(), SPLIT.train, None, {"steps": 1})


@pytest.mark.parametrize(
    "change, exc, match",
    [
        ({"optimizer": "lbfgs"}, ValueError, "optimizer.*adam"),
        ({"steps": 2.0}, TypeError, r"steps: expected an int >= 0, got 2.0"),
        ({"steps": -1}, ValueError, r"steps: expected an int >= 0, got -1"),
        ({"steps": True}, TypeError, "steps: expected an int"),
        ({"seq_len": 0}, ValueError, "seq_len: expected an int >= 1"),
        ({"eval_every": -5}, ValueError, "eval_every: expected an int >= 0"),
        ({"checkpoint_every": 0}, ValueError, "checkpoint_every: expected an int >= 1"),
        ({"max_seconds": -1.0}, ValueError, "max_seconds: expected a time budget >= 0"),
        ({"max_seconds": float("nan")}, ValueError, "max_seconds"),
        ({"lr": 0}, ValueError, "lr: expected a learning rate > 0"),
        ({"clip": -1}, ValueError, "clip: expected a maximum norm > 0 or None"),
    ],
)
def test_config_rejects_bad_values(change, exc, match):
    with pytest.raises(exc, match=match):
        LMTrainConfig(**change)


@pytest.mark.parametrize(
    "kw, exc, match",
    [
        ({"steps": 1.5}, TypeError, "steps: expected an int"),
        ({"eval_every": 0}, ValueError, "eval_every: expected an int >= 1"),
        ({"max_seconds": -2}, ValueError, "max_seconds"),
    ],
)
def test_train_sequence_model_rejects_bad_counts(kw, exc, match):
    m = models.SequenceModel(1, 4, 2, task="classification")
    with pytest.raises(exc, match=match):
        train.train_sequence_model(m, lambda r: parity(4, 3, r), progress=False, **kw)


def test_max_seconds_budget():
    r = train.train_lm(tiny(), SPLIT.train, None, cfg(steps=10**6, max_seconds=0.5))
    assert r["stopped"] == "max_seconds" and 0 < r["steps"] < 10**6


@pytest.mark.slow
def test_train_sequence_model_learning_curve():
    m = models.SequenceModel(1, 16, 2, cell="gru", task="classification")
    curve = train.train_sequence_model(
        m, lambda r: parity(32, 2, r), steps=150, lr=1e-2, eval_every=50, progress=False
    )
    assert curve["steps"] == [0, 50, 100, 150] and len(curve["train_loss"]) == 150
    assert curve["val_loss"][0] > 0.6  # chance level is ln 2 = 0.69
    assert curve["val_loss"][-1] < 0.1  # XOR of 2 bits (parity, T = 2) is learnt


# ----------------------------------------------------------------------------- sampling


def test_sampling_seeded_and_primed():
    m = tiny()
    with torch.no_grad():
        m.W_hy.weight *= 30  # spread the logits so greedy decoding has no near-ties
    a = sampling.sample(m, VOCAB, prime="The ", length=40, seed=3)
    b = sampling.sample(m, VOCAB, prime="The ", length=40, seed=3)
    c = sampling.sample(m, VOCAB, prime="The ", length=40, seed=4)
    assert a == b and a != c and a.startswith("The ") and len(a) == 44
    assert len(sampling.sample(m, VOCAB, length=10, seed=0)) == 10
    g = sampling.sample(m, VOCAB, prime="a", length=20, temperature=1e-4, seed=0)
    assert g == sampling.sample(m, VOCAB, prime="a", length=20, temperature=1e-4, seed=99)
    topk = sampling.sample(m, VOCAB, prime="a", length=20, top_k=1, seed=5)
    assert topk == g  # top-1 sampling is greedy decoding


def test_temperature_behaviour():
    z = np.array([2.0, 1.0, 0.0, -1.0])
    p1 = sampling.softmax(z)
    sharp = sampling.softmax(sampling.apply_temperature(z, 0.5))
    flat = sampling.softmax(sampling.apply_temperature(z, 5.0))
    assert sharp[0] > p1[0] > flat[0] > 0.25
    np.testing.assert_allclose(sampling.softmax(sampling.apply_temperature(z, 1.0)), p1)
    np.testing.assert_allclose(
        sampling.softmax(sampling.apply_temperature(z, 1e6)), 0.25, atol=1e-5
    )
    for bad in (0, -1.0, float("nan"), float("inf")):
        with pytest.raises(ValueError, match="temperature"):
            sampling.apply_temperature(z, bad)
    kept = sampling.top_k_filter(z, 2)
    assert np.isfinite(kept).sum() == 2 and kept[0] == 2.0


# ----------------------------------------------------------------------------- forget bias


@pytest.mark.parametrize("impl", models.IMPLS)
def test_set_forget_bias_makes_the_gate_see_the_value(impl):
    m = models.SequenceModel(2, 5, 1, cell="lstm", impl=impl, num_layers=2, bidirectional=True)
    assert init.set_forget_bias_(m, 1.0) is m
    for name, b in m.rnn.named_parameters():
        if name.startswith("bias_ih"):
            assert torch.all(b[5:10] == 1.0), name
        if name.startswith("bias_hh"):
            assert torch.all(b[5:10] == 0.0), name
    cell = torch.nn.LSTMCell(3, 4)
    init.set_forget_bias_(cell, 2.0)
    assert torch.all(cell.bias_ih[4:8] + cell.bias_hh[4:8] == 2.0)
    with pytest.raises(ValueError, match="no LSTM"):
        init.set_forget_bias_(torch.nn.GRU(2, 3), 1.0)
    with pytest.raises(TypeError, match="value: expected a number"):
        init.set_forget_bias_(cell, "1")
