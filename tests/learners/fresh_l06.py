"""Fresh wrong solutions of lesson 06 (not the catalogue), with the words naming each."""

import numpy as np
import torch

from . import fresh


def apply_temperature(logits, temperature):  # the sibling the sampling loops call
    return logits / temperature


@fresh("apply_temperature", "multiplies")
def temp_times(logits, temperature):
    return np.multiply(logits, temperature)


@fresh("apply_temperature", "probabilities")
def temp_softmax(logits, temperature):
    z = logits / temperature
    e = np.exp(z - np.max(z, axis=-1, keepdims=True))
    return e / np.sum(e, axis=-1, keepdims=True)


@fresh("apply_temperature", "twice")
def temp_double(logits, temperature):
    return logits / temperature / temperature


@fresh("apply_temperature", "logits / temperature")
def temp_shift(logits, temperature):
    return logits - np.log(temperature)


def _ce(logits, targets):
    T, B, V = logits.shape
    flat = logits.reshape(T * B, V)
    m = flat.max(1, keepdims=True)
    lse = (m + np.log(np.exp(flat - m).sum(1, keepdims=True)))[:, 0]
    return (lse - flat[np.arange(T * B), targets.ravel()]).reshape(T, B)


@fresh("perplexity", "sum")
def ppl_exp_total(logits, targets):
    return float(np.exp(np.sum(_ce(logits, targets))))


@fresh("perplexity", "by t alone", "t·b")
def ppl_per_T(logits, targets):
    ce = _ce(logits, targets)
    return float(np.exp(ce.sum() / len(ce)))


@fresh("perplexity", "overflow")
def ppl_naive(logits, targets):
    with np.errstate(all="ignore"):
        p = np.exp(logits) / np.exp(logits).sum(-1, keepdims=True)
        picked = np.take_along_axis(p, targets[..., None], -1)
        return float(np.exp(-np.log(picked).mean()))


@fresh("perplexity", "mean cross-entropy itself")
def ppl_ce(logits, targets):
    return float(_ce(logits, targets).mean())


@fresh("perplexity", "2 **")
def ppl_bits(logits, targets):
    return float(np.power(2.0, _ce(logits, targets).mean()))


def _loop(params, token, h, num_tokens, temperature, u, slip=None):
    W_ih, W_hh, b = params["W_ih"], params["W_hh"], params["b_ih"] + params["b_hh"]
    start, h0, out = token, h, []
    for t in range(num_tokens):
        x = start if slip == "feed_start" else token
        h_old = h
        h = np.tanh(W_ih[:, x] + W_hh @ (h0 if slip == "reset" else h) + b)
        z = params["W_hy"] @ (h_old if slip == "old_state" else h) + params["b_hy"]
        z = apply_temperature(z, temperature)
        p = np.exp(z - z.max())
        p /= p.sum()
        if slip == "argmax":
            token = int(p.argmax())
        else:
            token = int(np.searchsorted(np.cumsum(p), u[0 if slip == "u0" else t], side="right"))
        out.append(token)
    return np.array(out)


@fresh("sample_tokens", "fed back")
def sample_feeds_start(params, token, h, num_tokens, temperature, u):
    return _loop(params, token, h, num_tokens, temperature, u, "feed_start")


@fresh("sample_tokens", "state is not carried")
def sample_reset(params, token, h, num_tokens, temperature, u):
    return _loop(params, token, h, num_tokens, temperature, u, "reset")


@fresh("sample_tokens", "greedy")
def sample_argmax(params, token, h, num_tokens, temperature, u):
    return _loop(params, token, h, num_tokens, temperature, u, "argmax")


@fresh("sample_tokens", "state before the input")
def sample_old_state(params, token, h, num_tokens, temperature, u):
    return _loop(params, token, h, num_tokens, temperature, u, "old_state")


@fresh("sample_tokens", "u[t]")
def sample_first_u(params, token, h, num_tokens, temperature, u):
    return _loop(params, token, h, num_tokens, temperature, u, "u0")


def _train(model, optimizer, x, y, h, max_norm, slip=None):
    if slip != "no_zero":
        optimizer.zero_grad()
    logits, h_next = model(x) if slip == "no_h" else model(x, h)
    loss = torch.nn.functional.cross_entropy(
        logits.flatten(0, 1), y.flatten(), reduction="sum" if slip == "sum" else "mean"
    )
    if slip == "step_first":
        optimizer.step()
        loss.backward()
    elif slip == "clip_first":
        torch.nn.utils.clip_grad_norm_(model.parameters(), max_norm)
        loss.backward()
        optimizer.step()
    else:
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), max_norm)
        optimizer.step()
    value = loss if slip == "tensor" else loss.item()
    return value, h_next if slip == "attached" else h_next.detach()


@fresh("tbptt_train_step", "zero_grad")
def train_no_zero(model, optimizer, x, y, h, max_norm):
    return _train(model, optimizer, x, y, h, max_norm, "no_zero")


@fresh("tbptt_train_step", "clipped")
def train_clip_first(model, optimizer, x, y, h, max_norm):
    return _train(model, optimizer, x, y, h, max_norm, "clip_first")


@fresh("tbptt_train_step", "step() before backward()")
def train_step_first(model, optimizer, x, y, h, max_norm):
    return _train(model, optimizer, x, y, h, max_norm, "step_first")


@fresh("tbptt_train_step", "float")
def train_tensor_loss(model, optimizer, x, y, h, max_norm):
    return _train(model, optimizer, x, y, h, max_norm, "tensor")


@fresh("tbptt_train_step", "detach")
def train_attached(model, optimizer, x, y, h, max_norm):
    return _train(model, optimizer, x, y, h, max_norm, "attached")


@fresh("tbptt_train_step", "summed")
def train_sum(model, optimizer, x, y, h, max_norm):
    return _train(model, optimizer, x, y, h, max_norm, "sum")


@fresh("tbptt_train_step", "state not carried")
def train_no_h(model, optimizer, x, y, h, max_norm):
    return _train(model, optimizer, x, y, h, max_norm, "no_h")


@fresh("top_k_filter", "k-th largest")
def topk_argsort_strict(logits, k):
    order = np.argsort(logits, axis=-1)
    out = np.full(logits.shape, -np.inf)
    idx = order[..., -(k - 1) :] if k > 1 else order[..., :0]
    np.put_along_axis(out, idx, np.take_along_axis(logits, idx, -1), -1)
    return out


@fresh("top_k_filter", "-inf")
def topk_mask_zero(logits, k):
    out = logits.copy()
    if k < logits.shape[-1]:
        kth = np.sort(logits, -1)[..., -k, None]
        out[out < kth] = 0
    return out


@fresh("top_k_filter", "mutation")
def topk_overwrites(logits, k):
    if k < logits.shape[-1]:
        kth = np.partition(logits, -k, axis=-1)[..., -k, None]
        logits[logits < kth] = -np.inf
    return logits


@fresh("top_k_filter", "every row")
def topk_flat(logits, k):
    flat = np.sort(logits.ravel())
    return np.where(logits >= flat[max(flat.size - k, 0)], logits, -np.inf)
