"""Checks of lesson 06: temperature, perplexity, a truncated-BPTT training step in PyTorch.

The training step is compared with the right step and with the step as a typical
mistake would run it (no zero_grad, no clipping, clipping per element, no
detach), each run on an identical copy of the same small model.
"""

import numpy as np

from ..probes import call, expect_array, expect_close, randn, rng, softmax
from ..registry import Exercise

temp_ex = Exercise("apply_temperature", "06", "rnn_course.sampling:apply_temperature")
ppl_ex = Exercise("perplexity", "06", "rnn_course.grade.reference:perplexity")
step_ex = Exercise("tbptt_train_step", "06", "rnn_course.grade.reference_torch:tbptt_train_step")


def _temp_variants(z, T):
    """Variants in probability space: logits are compared through their softmax."""
    return [
        (
            "temperature applied after softmax: divide the logits by T; the softmax comes later.",
            softmax(softmax(z) / T),
        ),
        (
            "temperature applied after softmax: scale the logits, not log-probabilities or "
            "probabilities.",
            softmax(np.log(softmax(z)) * T),
        ),
        ("temperature multiplies instead of divides: logits / T.", softmax(z * T)),
        ("temperature ignored: return logits / T.", softmax(z)),
    ]


def _temp(fn, z, T):
    out = call(fn, {"logits": z, "temperature": T})
    out = expect_array(out, z.shape, "scaled logits")
    if np.allclose(out.sum(-1), 1) and np.all(out >= 0) and not np.allclose(softmax(z / T), z / T):
        if np.allclose(out, softmax(z / T)):
            raise AssertionError(
                "returned probabilities: return the scaled logits (logits / T); "
                "the softmax is applied when sampling."
            )
    return out


@temp_ex.check
def temp_shape(fn):
    """returns scaled logits of the same shape as the logits"""
    z = randn("tshape", 2, 5)
    _temp(fn, z, 0.7)


@temp_ex.check
def temp_values(fn):
    """softmax of the result is softmax(logits / T) for T = 0.5 and T = 2"""
    for T in (0.5, 2.0):
        z = randn(f"tvalues{T}", 3, 6)
        got = _temp(fn, z, T)
        expect_close(softmax(got), softmax(z / T), "softmax(scaled logits)", _temp_variants(z, T))


@temp_ex.check
def temp_exact(fn):
    """the result is exactly logits / T (T = 1 changes nothing)"""
    z = randn("tone", 4, 3)
    expect_close(_temp(fn, z, 1.0), z, "scaled logits")
    expect_close(
        _temp(fn, z, 4.0),
        z / 4.0,
        "scaled logits",
        [("temperature multiplies instead of divides: logits / T.", z * 4.0)],
    )


def _ppl_case(name, T=4, B=3, V=6, scale=2.0):
    logits = randn(name + "z", T, B, V, scale=scale)
    targets = rng(name + "y").integers(0, V, size=(T, B))
    z = logits - logits.max(-1, keepdims=True)
    logp = z - np.log(np.exp(z).sum(-1, keepdims=True))
    nll = -np.take_along_axis(logp, targets[..., None], -1)[..., 0]  # (T, B)
    raw = -np.take_along_axis(logits, targets[..., None], -1)[..., 0]
    variants = [
        (
            "exp of the sum: perplexity is exp of the MEAN cross-entropy per token.",
            np.exp(nll.sum()) if nll.sum() < 700 else None,
        ),
        ("perplexity is exp(mean cross-entropy), not the mean cross-entropy itself.", nll.mean()),
        ("perplexity with natural logs is exp(mean NLL), not 2 ** mean NLL.", 2 ** nll.mean()),
        (
            "average the cross-entropy first, then exponentiate (not the mean of exp).",
            np.exp(nll).mean(),
        ),
        (
            "missing log-softmax: the logits are scores, turn them into log-probabilities first.",
            np.exp(raw.mean()),
        ),
    ]
    return {"logits": logits, "targets": targets}, float(np.exp(nll.mean())), variants


def _ppl(fn, args):
    out = call(fn, args)
    try:
        return np.array(float(out))
    except (TypeError, ValueError):
        raise AssertionError(f"should return one number, got {type(out).__name__}.") from None


@ppl_ex.check
def ppl_uniform(fn):
    """equal logits give perplexity V"""
    args = {"logits": np.zeros((3, 2, 7)), "targets": np.zeros((3, 2), dtype=int)}
    expect_close(_ppl(fn, args), np.array(7.0), "perplexity")


@ppl_ex.check
def ppl_values(fn):
    """exp of the mean cross-entropy per token"""
    args, want, var = _ppl_case("pvalues")
    expect_close(
        _ppl(fn, args),
        np.array(want),
        "perplexity",
        [(m, np.array(v)) for m, v in var if v is not None],
    )


@ppl_ex.check
def ppl_stable(fn):
    """large logits (around 1000) do not overflow"""
    args, want, var = _ppl_case("pstable")
    args["logits"] = args["logits"] + 1000.0
    expect_close(_ppl(fn, args), np.array(want), "perplexity")


# ------------------------------------------------------------- training step


def _setup(seed=0):
    """A fresh TinyLM, an SGD optimizer, a chunk and a state; identical on every call."""
    import torch

    from ..reference_torch import TinyLM

    with torch.random.fork_rng():
        torch.manual_seed(seed)
        model = TinyLM().double()
        x = torch.randint(0, 7, (5, 2))
        y = torch.randint(0, 7, (5, 2))
        h = torch.randn(1, 2, 8, dtype=torch.float64)
    for p in model.parameters():  # stale gradients from a previous step
        p.grad = torch.ones_like(p)
    opt = torch.optim.SGD(model.parameters(), lr=0.5)
    return model, opt, x, y, h


def _mistake_step(model, opt, x, y, h, max_norm, mistake):
    import torch

    if mistake != "no_zero_grad":
        opt.zero_grad()
    logits, h_next = model(x, None if mistake == "no_state" else h)
    loss = torch.nn.functional.cross_entropy(logits.reshape(-1, 7), y.reshape(-1))
    loss.backward()
    if mistake == "per_element":
        torch.nn.utils.clip_grad_value_(model.parameters(), max_norm)
    elif mistake != "no_clip":
        torch.nn.utils.clip_grad_norm_(model.parameters(), max_norm)
    opt.step()
    return loss.item(), h_next.detach()


MISTAKES = {
    "no_zero_grad": "gradients not zeroed: call optimizer.zero_grad() before backward, or the "
    "previous step's gradients are added in.",
    "no_clip": "no clipping: call torch.nn.utils.clip_grad_norm_(model.parameters(), max_norm) "
    "between backward() and step().",
    "per_element": "per-element clipping where norm was asked: use clip_grad_norm_, "
    "not clip_grad_value_.",
    "no_state": "state not carried: pass h into the model, the chunk continues where the last "
    "one stopped.",
}


def _run(fn):
    model, opt, x, y, h = _setup()
    out = call(fn, {"model": model, "optimizer": opt, "x": x, "y": y, "h": h, "max_norm": 0.1})
    if not isinstance(out, (tuple, list)) or len(out) != 2:
        raise AssertionError("should return a tuple (loss, h_next).")
    return model, out


def _params(model):
    return np.concatenate([p.detach().numpy().ravel() for p in model.parameters()])


@step_ex.check
def step_returns(fn):
    """returns (loss as a float, h_next of shape (1, B, H))"""
    import torch

    _, (loss, h_next) = _run(fn)
    if isinstance(loss, torch.Tensor):
        raise AssertionError(
            "return the loss as a Python float (loss.item()), not a tensor: "
            "a tensor keeps the whole graph alive."
        )
    if not isinstance(loss, float):
        raise AssertionError(f"loss should be a float, got {type(loss).__name__}.")
    if not isinstance(h_next, torch.Tensor) or tuple(h_next.shape) != (1, 2, 8):
        raise AssertionError(
            "h_next should be the model's final state, a tensor of shape (1, B, H)."
        )


@step_ex.check
def step_detached(fn):
    """h_next is detached: the next chunk cannot backpropagate into this one"""
    _, (_, h_next) = _run(fn)
    if h_next.requires_grad or h_next.grad_fn is not None:
        raise AssertionError(
            "state not detached: return h_next.detach(), so truncated BPTT cuts "
            "the graph at the chunk boundary (else the next backward() fails or "
            "runs through every earlier chunk)."
        )


@step_ex.check
def step_update(fn):
    """parameters after one step: zero_grad, forward, loss, backward, clip the norm, step"""
    model, (loss, h_next) = _run(fn)
    ref_model, *rest = _setup()
    want_loss, want_h = _mistake_step(ref_model, *rest, 0.1, None)
    variants = []
    for key, message in MISTAKES.items():
        m, *r = _setup()
        _mistake_step(m, *r, 0.1, key)
        variants.append((message, _params(m)))
    expect_close(_params(model), _params(ref_model), "parameters after the step", variants)
    expect_close(
        np.array(float(loss)),
        np.array(want_loss),
        "loss",
        [
            (
                "the loss is the MEAN cross-entropy over all T·B predictions, before the update.",
                np.array(want_loss * 10),
            )
        ],
    )
