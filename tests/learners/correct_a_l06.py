"""Lesson 06 with loops, log-sum-exp from NumPy and an explicit one-hot input."""

import numpy as np
import torch


def apply_temperature(logits, temperature):
    return np.divide(logits, temperature)


def perplexity(logits, targets):
    T, B, _ = logits.shape
    total = 0.0
    for t in range(T):
        for b in range(B):
            row = logits[t, b]
            total += np.logaddexp.reduce(row) - row[targets[t, b]]
    return float(np.exp(total / (T * B)))


def sample_tokens(params, token, h, num_tokens, temperature, u):
    V = params["W_hy"].shape[0]
    tokens = np.zeros(num_tokens, dtype=int)
    for t in range(num_tokens):
        x = np.zeros(V)
        x[token] = 1.0
        h = np.tanh(params["W_ih"] @ x + params["W_hh"] @ h + params["b_ih"] + params["b_hh"])
        z = apply_temperature(params["W_hy"] @ h + params["b_hy"], temperature)
        p = np.exp(z - np.max(z))
        p = p / np.sum(p)
        v, c = 0, p[0]
        while u[t] >= c and v < V - 1:
            v += 1
            c += p[v]
        tokens[t] = token = v
    return tokens


def tbptt_train_step(model, optimizer, x, y, h, max_norm):
    model.zero_grad()
    logits, h_next = model(x, h)
    V = logits.size(-1)
    loss = torch.nn.functional.cross_entropy(logits.view(-1, V), y.view(-1))
    loss.backward()
    torch.nn.utils.clip_grad_norm_(model.parameters(), max_norm=max_norm)
    optimizer.step()
    return float(loss.detach()), h_next.detach()


def top_k_filter(logits, k):
    out = np.array(logits, dtype=float, copy=True)
    rows = out.reshape(-1, out.shape[-1])
    for row in rows:
        if k < row.size:
            threshold = sorted(row, reverse=True)[k - 1]
            row[row < threshold] = -np.inf
    return rows.reshape(out.shape)
