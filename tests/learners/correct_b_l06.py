"""Lesson 06 vectorised, with a hand-written cross-entropy in the training step."""

import numpy as np


def apply_temperature(logits, temperature):
    return logits * (1.0 / temperature)


def perplexity(logits, targets):
    m = logits.max(axis=2, keepdims=True)
    log_z = m[..., 0] + np.log(np.sum(np.exp(logits - m), axis=2))  # (T, B)
    T, B = targets.shape
    picked = logits[np.arange(T)[:, None], np.arange(B)[None, :], targets]  # (T, B)
    return float(np.exp(np.mean(log_z - picked)))


def sample_tokens(params, token, h, num_tokens, temperature, u):
    W_ih, W_hh, b = params["W_ih"], params["W_hh"], params["b_ih"] + params["b_hh"]
    out = []
    for k in range(num_tokens):
        h = np.tanh(W_ih[:, token] + h @ W_hh.T + b)
        scaled = apply_temperature(h @ params["W_hy"].T + params["b_hy"], temperature)
        e = np.exp(scaled - scaled.max())
        cdf = np.cumsum(e / e.sum())
        token = int(np.argmax(cdf > u[k]))
        out.append(token)
    return np.asarray(out)


def tbptt_train_step(model, optimizer, x, y, h, max_norm):
    import torch

    optimizer.zero_grad(set_to_none=False)
    logits, h_next = model(x, h)
    logp = torch.log_softmax(logits, dim=-1)
    loss = -logp.gather(-1, y.unsqueeze(-1)).mean()
    loss.backward()
    params = [p for p in model.parameters() if p.grad is not None]
    torch.nn.utils.clip_grad_norm_(params, max_norm)
    optimizer.step()
    return loss.item(), h_next.detach().clone()


def top_k_filter(logits, k):
    if k >= logits.shape[-1]:
        return logits + 0.0
    kth = -np.partition(-logits, k - 1, axis=-1)[..., k - 1 : k]
    return np.where(logits < kth, -np.inf, logits)
