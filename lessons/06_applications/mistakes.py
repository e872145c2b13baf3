"""Typical mistakes of lesson 06, each written once: as the change to the solution
(``change``) where one line differs, else as a wrong implementation (``mistake``)."""

import numpy as np

from rnn_grade.registry import change, mistake

from . import solutions as s
from .checks import LOSS_TENSOR, NOT_DETACHED, ppl_ex, sample_ex, step_ex, temp_ex, topk_ex
from .solutions import apply_temperature

__all__ = ["apply_temperature"]  # the sibling the sampling mistakes call
TEMP, TOPK, PPL = s.apply_temperature, s.top_k_filter, s.perplexity
SCALED = "return logits / temperature"
SOFTMAX = (
    "np.exp(z - z.max(-1, keepdims=True)) "
    "/ np.exp(z - z.max(-1, keepdims=True)).sum(-1, keepdims=True)"
)
KEEP = "return np.where(logits >= kth, logits, -np.inf)"
MEAN = "return float(np.exp(nll.mean()))"


def _softmax(z):
    e = np.exp(z - z.max(-1, keepdims=True))
    return e / e.sum(-1, keepdims=True)


# One mistake in two to four lines, each as the change to the solution:
# fmt: off
# ------------------------------------------------------------------ apply_temperature
change(temp_ex, TEMP, "the temperature multiplies instead of divides: return logits / "
       "temperature.", {SCALED: "return logits * temperature"})
change(temp_ex, TEMP, "temperature applied after the softmax: divide the logits by T; the softmax "
       "comes later.", {SCALED: f"z = logits\n    return {SOFTMAX} / temperature"})
change(temp_ex, TEMP, "returned probabilities: return the scaled logits (logits / T); the softmax "
       "is applied when sampling.", {SCALED: f"z = logits / temperature\n    return {SOFTMAX}"})
change(temp_ex, TEMP, "returned exp(logits / T): return the scaled logits themselves, logits / T.",
       {SCALED: "return np.exp(logits / temperature)"})
change(temp_ex, TEMP, "the temperature is ignored: return logits / temperature.",
       {SCALED: "return logits.copy()"})
change(temp_ex, TEMP, "inverted: return logits / temperature, not temperature / logits.",
       {SCALED: "return temperature / logits"})
change(temp_ex, TEMP, "divided twice: return logits / temperature, not logits / temperature².",
       {SCALED: "return logits / temperature**2"})

# ------------------------------------------------------------------ top_k_filter
change(topk_ex, TOPK, "`>` drops the k-th largest itself: keep every logit >= the k-th largest "
       "value.", {"logits >= kth": "logits > kth"})
change(topk_ex, TOPK, "the others must become -inf, not 0: a logit of 0 still has probability "
       "exp(0) / Σ, often a large one.", {"logits, -np.inf)": "logits, 0.0)"})
change(topk_ex, TOPK, "kept the k smallest logits: keep the k largest (sort ascending, take the "
       "end).", {"[..., V - k : V - k + 1]": "[..., k - 1 : k]", "logits >= kth": "logits <= kth"})
change(topk_ex, TOPK, "kept the first k entries: keep the k LARGEST, wherever they are in the "
       "row.",
       {"if k >= V:": "if False:", KEEP: "return np.where(np.arange(V) < k, logits, -np.inf)"})
change(topk_ex, TOPK, "the k largest of the whole array: every row (every distribution) keeps its "
       "own k largest.",
       {"V = logits.shape[-1]": "V = logits.size",
        "np.sort(logits, axis=-1)[..., V - k : V - k + 1]": "np.sort(logits, axis=None)[V - k]"})
change(topk_ex, TOPK, "returned probabilities: return the filtered logits; the softmax comes "
       "later.",
       {"return logits.copy()": "z = logits\n        return " + SOFTMAX,
        KEEP: "z = np.where(logits >= kth, logits, -np.inf)\n    return " + SOFTMAX})
change(topk_ex, TOPK, "in-place mutation: your function changed its argument `logits`",
       {KEEP: "logits[logits < kth] = -np.inf\n    return logits"})

# ------------------------------------------------------------------ perplexity
change(ppl_ex, PPL, "exp of the sum: perplexity is exp of the MEAN cross-entropy per token.",
       {MEAN: "return float(np.exp(nll.sum()))"})
change(ppl_ex, PPL, "perplexity is exp(mean cross-entropy), not the mean cross-entropy itself.",
       {MEAN: "return float(nll.mean())"})
change(ppl_ex, PPL, "with natural logs the perplexity is exp(mean NLL), not 2 ** mean NLL.",
       {MEAN: "return float(2 ** nll.mean())"})
change(ppl_ex, PPL, "average the cross-entropy first, then exponentiate (not the mean of exp).",
       {MEAN: "return float(np.exp(nll).mean())"})
change(ppl_ex, PPL, "missing log-softmax: the logits are scores; turn them into log-probabilities "
       "first.", {"np.take_along_axis(logp,": "np.take_along_axis(logits,"})
change(ppl_ex, PPL, "the mean is over all T·B tokens: dividing the summed cross-entropy by T "
       "alone counts each batch entry's loss B times.",
       {MEAN: "return float(np.exp(nll.sum() / logits.shape[0]))"})
change(ppl_ex, PPL, "overflow: exp of logits around 1000 is inf; subtract the maximum before "
       "np.exp (a stable log-softmax).",
       {"z = logits - logits.max(axis=-1, keepdims=True)": "z = logits"})


# ------------------------------------------------------------------ sample_tokens


def _sample(params, token, h, num_tokens, temperature, u, slip=None):
    p_ = params
    out, h0, first = [], h, token
    for t in range(num_tokens):
        x = first if slip == "no_feedback" else token
        h_in = h0 if slip == "no_carry" else h
        h_new = np.tanh(p_["W_ih"][:, x] + p_["b_ih"] + p_["W_hh"] @ h_in + p_["b_hh"])
        z = p_["W_hy"] @ (h_in if slip == "stale_state" else h_new) + p_["b_hy"]
        h = h_new
        z = z * temperature if slip == "multiply" else apply_temperature(z, temperature)
        p = np.exp(z - z.max())
        p /= p.sum()
        draw = int(np.searchsorted(np.cumsum(p), u[0 if slip == "same_u" else t], side="right"))
        if slip == "greedy":
            draw = int(np.argmax(p))
        token = int(np.argmax(p)) if slip == "argmax_fed" else draw
        out.append(draw)
    if slip == "with_first":
        out = [first, *out[:-1]]
    return np.array(out)


@mistake(
    sample_ex,
    "each sample must be fed back in: the token drawn at step t is the input of "
    "step t+1 (not the first token again).",
)
def sample_no_feedback(params, token, h, num_tokens, temperature, u):
    return _sample(params, token, h, num_tokens, temperature, u, "no_feedback")


@mistake(
    sample_ex,
    "the state is not carried: each step starts from the state the step before "
    "produced, not from the initial h.",
)
def sample_no_carry(params, token, h, num_tokens, temperature, u):
    return _sample(params, token, h, num_tokens, temperature, u, "no_carry")


@mistake(
    sample_ex,
    "greedy, not sampled: draw the token with u[t] (np.searchsorted(np.cumsum(p), "
    "u[t], side='right')), not the arg max of p.",
)
def sample_greedy(params, token, h, num_tokens, temperature, u):
    return _sample(params, token, h, num_tokens, temperature, u, "greedy")


@mistake(
    sample_ex,
    "the arg max is fed back, not the sampled token: the drawn token is both the "
    "output and the next input.",
)
def sample_argmax_fed(params, token, h, num_tokens, temperature, u):
    return _sample(params, token, h, num_tokens, temperature, u, "argmax_fed")


@mistake(
    sample_ex,
    "the prediction came from the state before the input: feed the token first, "
    "then read the next-token distribution from the new state.",
)
def sample_stale_state(params, token, h, num_tokens, temperature, u):
    return _sample(params, token, h, num_tokens, temperature, u, "stale_state")


@mistake(sample_ex, "the temperature multiplies the logits: divide them (apply_temperature).")
def sample_multiply(params, token, h, num_tokens, temperature, u):
    return _sample(params, token, h, num_tokens, temperature, u, "multiply")


@mistake(sample_ex, "one random number per token: step t draws with u[t], not u[0] every time.")
def sample_same_u(params, token, h, num_tokens, temperature, u):
    return _sample(params, token, h, num_tokens, temperature, u, "same_u")


@mistake(
    sample_ex,
    "the first input token is not part of the result: return the num_tokens generated tokens.",
)
def sample_with_first(params, token, h, num_tokens, temperature, u):
    return _sample(params, token, h, num_tokens, temperature, u, "with_first")


# ------------------------------------------------------------------ tbptt_train_step


def _step(model, optimizer, x, y, h, max_norm, slip=None):
    import torch

    if slip != "no_zero_grad":
        optimizer.zero_grad()
    logits, h_next = model(x, None if slip == "no_state" else h)
    flat = logits.reshape(-1, logits.shape[-1]), y.reshape(-1)
    reduction = "sum" if slip in ("sum", "by_T") else "mean"
    loss = torch.nn.functional.cross_entropy(*flat, reduction=reduction)
    if slip == "by_T":
        loss = loss / x.shape[0]
    if slip == "step_first":
        optimizer.step()
    loss.backward()
    if slip == "clip_value":
        torch.nn.utils.clip_grad_value_(model.parameters(), max_norm)
    elif slip != "no_clip":
        torch.nn.utils.clip_grad_norm_(model.parameters(), max_norm)
    if slip != "step_first":
        optimizer.step()
    if slip == "loss_after":
        with torch.no_grad():
            loss = torch.nn.functional.cross_entropy(
                model(x, h)[0].reshape(*flat[0].shape), flat[1]
            )
    value = loss if slip == "tensor" else loss.item()
    return value, (h_next if slip == "no_detach" else h_next.detach())


@mistake(
    step_ex,
    "gradients not zeroed: call optimizer.zero_grad() before backward(), or the "
    "previous step's gradients are added in.",
)
def step_no_zero_grad(model, optimizer, x, y, h, max_norm):
    return _step(model, optimizer, x, y, h, max_norm, "no_zero_grad")


@mistake(
    step_ex,
    "the gradients were not clipped when step() ran: call "
    "torch.nn.utils.clip_grad_norm_(model.parameters(), max_norm) after backward() and "
    "before step() (before backward() there is nothing to clip).",
)
def step_no_clip(model, optimizer, x, y, h, max_norm):
    return _step(model, optimizer, x, y, h, max_norm, "no_clip")


@mistake(
    step_ex,
    "per-element clipping where norm was asked: use clip_grad_norm_, not clip_grad_value_.",
)
def step_clip_value(model, optimizer, x, y, h, max_norm):
    return _step(model, optimizer, x, y, h, max_norm, "clip_value")


@mistake(
    step_ex,
    "step() before backward(): the update must use this chunk's gradients, so call "
    "optimizer.step() after loss.backward() and the clipping.",
)
def step_before_backward(model, optimizer, x, y, h, max_norm):
    return _step(model, optimizer, x, y, h, max_norm, "step_first")


@mistake(
    step_ex,
    "state not carried: pass h into the model; the chunk continues where the last one stopped.",
)
def step_no_state(model, optimizer, x, y, h, max_norm):
    return _step(model, optimizer, x, y, h, max_norm, "no_state")


@mistake(step_ex, NOT_DETACHED)
def step_no_detach(model, optimizer, x, y, h, max_norm):
    return _step(model, optimizer, x, y, h, max_norm, "no_detach")


@mistake(step_ex, LOSS_TENSOR)
def step_loss_tensor(model, optimizer, x, y, h, max_norm):
    return _step(model, optimizer, x, y, h, max_norm, "tensor")


@mistake(
    step_ex,
    "the loss is summed: it is the MEAN cross-entropy over the T·B predictions "
    "(cross_entropy's default reduction).",
)
def step_sum(model, optimizer, x, y, h, max_norm):
    return _step(model, optimizer, x, y, h, max_norm, "sum")


@mistake(
    step_ex,
    "the loss is divided by T only: the mean is over all T·B predictions.",
)
def step_by_T(model, optimizer, x, y, h, max_norm):
    return _step(model, optimizer, x, y, h, max_norm, "by_T")


@mistake(
    step_ex,
    "the loss was computed after the update: return the loss of the forward pass "
    "that gave the gradients.",
)
def step_loss_after(model, optimizer, x, y, h, max_norm):
    return _step(model, optimizer, x, y, h, max_norm, "loss_after")
