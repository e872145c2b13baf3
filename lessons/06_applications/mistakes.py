"""Typical mistakes of lesson 06, each written once with its feedback."""

import numpy as np

from rnn_grade.registry import mistake

from .checks import LOSS_TENSOR, NOT_DETACHED, ppl_ex, sample_ex, step_ex, temp_ex, topk_ex
from .solutions import apply_temperature

__all__ = ["apply_temperature"]  # the sibling the sampling mistakes call


def _softmax(z):
    e = np.exp(z - z.max(-1, keepdims=True))
    return e / e.sum(-1, keepdims=True)


# ------------------------------------------------------------------ apply_temperature


@mistake(temp_ex, "the temperature multiplies instead of divides: return logits / temperature.")
def temp_multiplies(logits, temperature):
    return logits * temperature


@mistake(
    temp_ex,
    "temperature applied after the softmax: divide the logits by T; the softmax comes later.",
)
def temp_after_softmax(logits, temperature):
    return _softmax(logits) / temperature


@mistake(
    temp_ex,
    "returned probabilities: return the scaled logits (logits / T); the softmax is "
    "applied when sampling.",
)
def temp_probabilities(logits, temperature):
    return _softmax(logits / temperature)


@mistake(temp_ex, "returned exp(logits / T): return the scaled logits themselves, logits / T.")
def temp_exp(logits, temperature):
    return np.exp(logits / temperature)


@mistake(temp_ex, "the temperature is ignored: return logits / temperature.")
def temp_ignored(logits, temperature):
    return logits.copy()


@mistake(temp_ex, "inverted: return logits / temperature, not temperature / logits.")
def temp_inverted(logits, temperature):
    return temperature / logits


@mistake(temp_ex, "divided twice: return logits / temperature, not logits / temperature².")
def temp_squared(logits, temperature):
    return logits / temperature**2


# ------------------------------------------------------------------ top_k_filter


def _kth(logits, k):
    return np.sort(logits, axis=-1)[..., -k][..., None]  # (..., 1)


@mistake(
    topk_ex,
    "`>` drops the k-th largest itself: keep every logit >= the k-th largest value.",
)
def topk_strict(logits, k):
    if k >= logits.shape[-1]:
        return logits.copy()
    return np.where(logits > _kth(logits, k), logits, -np.inf)


@mistake(
    topk_ex,
    "the others must become -inf, not 0: a logit of 0 still has probability exp(0) / Σ, "
    "often a large one.",
)
def topk_zero(logits, k):
    if k >= logits.shape[-1]:
        return logits.copy()
    return np.where(logits >= _kth(logits, k), logits, 0.0)


@mistake(topk_ex, "kept the k smallest logits: keep the k largest (sort ascending, take the end).")
def topk_smallest(logits, k):
    if k >= logits.shape[-1]:
        return logits.copy()
    kth = np.sort(logits, axis=-1)[..., k - 1][..., None]
    return np.where(logits <= kth, logits, -np.inf)


@mistake(topk_ex, "kept the first k entries: keep the k LARGEST, wherever they are in the row.")
def topk_first(logits, k):
    out = np.full_like(logits, -np.inf)
    out[..., :k] = logits[..., :k]
    return out


@mistake(
    topk_ex,
    "the k largest of the whole array: every row (every distribution) keeps its own k largest.",
)
def topk_global(logits, k):
    if k >= logits.size:
        return logits.copy()
    kth = np.sort(logits, axis=None)[-k]
    return np.where(logits >= kth, logits, -np.inf)


@mistake(topk_ex, "returned probabilities: return the filtered logits; the softmax comes later.")
def topk_probabilities(logits, k):
    z = logits if k >= logits.shape[-1] else np.where(logits >= _kth(logits, k), logits, -np.inf)
    return _softmax(z)


@mistake(topk_ex, "in-place mutation: your function changed its argument `logits`")
def topk_in_place(logits, k):
    if k < logits.shape[-1]:
        logits[logits < _kth(logits, k)] = -np.inf
    return logits


# ------------------------------------------------------------------ perplexity


def _nll(logits, targets):
    z = logits - logits.max(-1, keepdims=True)
    logp = z - np.log(np.exp(z).sum(-1, keepdims=True))
    return -np.take_along_axis(logp, targets[..., None], -1)[..., 0]  # (T, B)


@mistake(ppl_ex, "exp of the sum: perplexity is exp of the MEAN cross-entropy per token.")
def ppl_sum(logits, targets):
    return float(np.exp(_nll(logits, targets).sum()))


@mistake(ppl_ex, "perplexity is exp(mean cross-entropy), not the mean cross-entropy itself.")
def ppl_no_exp(logits, targets):
    return float(_nll(logits, targets).mean())


@mistake(ppl_ex, "with natural logs the perplexity is exp(mean NLL), not 2 ** mean NLL.")
def ppl_base2(logits, targets):
    return float(2 ** _nll(logits, targets).mean())


@mistake(ppl_ex, "average the cross-entropy first, then exponentiate (not the mean of exp).")
def ppl_mean_of_exp(logits, targets):
    return float(np.exp(_nll(logits, targets)).mean())


@mistake(
    ppl_ex,
    "missing log-softmax: the logits are scores; turn them into log-probabilities first.",
)
def ppl_raw_logits(logits, targets):
    return float(np.exp(-np.take_along_axis(logits, targets[..., None], -1).mean()))


@mistake(
    ppl_ex,
    "the mean is over all T·B tokens: dividing the summed cross-entropy by T alone "
    "counts each batch entry's loss B times.",
)
def ppl_divided_by_T(logits, targets):
    return float(np.exp(_nll(logits, targets).sum() / logits.shape[0]))


@mistake(
    ppl_ex,
    "overflow: exp of logits around 1000 is inf; subtract the maximum before np.exp "
    "(a stable log-softmax).",
)
def ppl_unstable(logits, targets):
    with np.errstate(all="ignore"):
        logp = logits - np.log(np.exp(logits).sum(-1, keepdims=True))
    return float(np.exp(-np.take_along_axis(logp, targets[..., None], -1).mean()))


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
