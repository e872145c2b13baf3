"""Hints of lesson 02, in steps: the idea, the equation, a skeleton with blanks."""

HINTS = {
    "srn_step_forward": [
        "A step mixes the new input with the old state through two weight matrices, adds "
        "both biases and squashes the sum with f. The weights are in torch's layout "
        "(rows = outputs), so a batch of row vectors is multiplied by the transpose.",
        "a = x @ W_ih.T + b_ih + h_prev @ W_hh.T + b_hh    # (B, H)\n"
        "h_next = tanh(a)   or   max(a, 0) when nonlinearity == 'relu'",
        "a = x @ ____ + b_ih + h_prev @ ____ + ____\n"
        "h_next = np.tanh(a) if nonlinearity == ____ else np.maximum(a, ____)\n"
        "return h_next, (x, h_prev, W_ih, W_hh, h_next, nonlinearity)",
    ],
    "srn_forward": [
        "Call the step once per time step, feeding each step the state the previous one "
        "returned; the first step starts from h0. Collect the states.",
        "h_t = f(x_t W_ihᵀ + b_ih + h_{t-1} W_hhᵀ + b_hh) for t = 0 .. T-1, with h_{-1} = h0; "
        "h = stack(h_0, ..., h_{T-1}) along a new first axis.",
        "h, hs, caches = h0, [], []\n"
        "for t in range(x.shape[0]):\n"
        "    h, cache = srn_step_forward(____, h, W_ih, W_hh, b_ih, b_hh, ____)\n"
        "    hs.append(____)\n"
        "    caches.append(cache)\n"
        "return np.stack(hs, axis=____), caches",
    ],
    "softmax_output": [
        "A linear layer gives V scores per hidden state; softmax turns each row of scores "
        "into probabilities. Subtract each row's maximum first so exp cannot overflow.",
        "z = h @ W_hy.T + b_hy    # (T, B, V)\n"
        "probs = exp(z - max z) / sum_v exp(z - max z)    (over the last axis)",
        "z = h @ ____ + ____\n"
        "e = np.exp(z - z.max(axis=____, keepdims=True))\n"
        "return e / e.sum(axis=____, keepdims=____)",
    ],
}
