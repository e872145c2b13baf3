import numpy as np
import torch

from . import mistake


def _softmax(z):
    e = np.exp(z - z.max(-1, keepdims=True))
    return e / e.sum(-1, keepdims=True)


@mistake("apply_temperature", "temperature applied after softmax")
def temp_after_softmax(logits, temperature):
    return _softmax(logits) / temperature


@mistake("apply_temperature", "multiplies instead of divides")
def temp_multiplies(logits, temperature):
    return logits * temperature


@mistake("apply_temperature", "returned probabilities")
def temp_probs(logits, temperature):
    return _softmax(logits / temperature)


def _nll(logits, targets):
    z = logits - logits.max(-1, keepdims=True)
    logp = z - np.log(np.exp(z).sum(-1, keepdims=True))
    return -np.take_along_axis(logp, targets[..., None], -1)[..., 0]


@mistake("perplexity", "exp of the sum")
def ppl_sum(logits, targets):
    return float(np.exp(_nll(logits, targets).sum()))


@mistake("perplexity", "not the mean cross-entropy itself")
def ppl_no_exp(logits, targets):
    return float(_nll(logits, targets).mean())


@mistake("perplexity", "not 2 ** mean NLL")
def ppl_base2(logits, targets):
    return float(2 ** _nll(logits, targets).mean())


@mistake("perplexity", "missing log-softmax")
def ppl_raw_logits(logits, targets):
    return float(np.exp(-np.take_along_axis(logits, targets[..., None], -1).mean()))


def _step(model, optimizer, x, y, h, max_norm, zero=True, clip="norm", detach=True, state=True):
    if zero:
        optimizer.zero_grad()
    logits, h_next = model(x, h if state else None)
    loss = torch.nn.functional.cross_entropy(logits.reshape(-1, logits.shape[-1]), y.reshape(-1))
    loss.backward()
    if clip == "norm":
        torch.nn.utils.clip_grad_norm_(model.parameters(), max_norm)
    elif clip == "value":
        torch.nn.utils.clip_grad_value_(model.parameters(), max_norm)
    optimizer.step()
    return loss.item(), (h_next.detach() if detach else h_next)


@mistake("tbptt_train_step", "gradients not zeroed")
def step_no_zero(model, optimizer, x, y, h, max_norm):
    return _step(model, optimizer, x, y, h, max_norm, zero=False)


@mistake("tbptt_train_step", "no clipping")
def step_no_clip(model, optimizer, x, y, h, max_norm):
    return _step(model, optimizer, x, y, h, max_norm, clip=None)


@mistake("tbptt_train_step", "per-element clipping where norm was asked")
def step_clip_value(model, optimizer, x, y, h, max_norm):
    return _step(model, optimizer, x, y, h, max_norm, clip="value")


@mistake("tbptt_train_step", "state not detached")
def step_no_detach(model, optimizer, x, y, h, max_norm):
    return _step(model, optimizer, x, y, h, max_norm, detach=False)


@mistake("tbptt_train_step", "state not carried")
def step_no_state(model, optimizer, x, y, h, max_norm):
    return _step(model, optimizer, x, y, h, max_norm, state=False)
