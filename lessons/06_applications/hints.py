"""Hints of lesson 06, in steps: the idea, the equation, a skeleton with blanks."""

HINTS = {
    "apply_temperature": [
        "The temperature acts on the logits, before any softmax: dividing by a small "
        "T spreads the scores apart (sharper), by a large T squeezes them together "
        "(flatter). Return the scaled logits; sampling applies the softmax.",
        "z' = z / T      (then p = softmax(z'))",
        "return ____ / ____",
    ],
    "top_k_filter": [
        "Find each row's k-th largest value; every entry at least that large stays, "
        "every other becomes -inf (probability 0 after the softmax). Work on a new "
        "array, not on the logits you were given.",
        "kth = the k-th largest of each row;   filtered = logits where logits >= kth, "
        "else -inf;   k >= V keeps everything",
        "V = logits.shape[-1]\n"
        "if k >= V:\n"
        "    return logits.copy()\n"
        "kth = np.sort(logits, axis=-1)[..., V - k : V - k + ____]\n"
        "return np.where(logits >= ____, logits, ____)",
    ],
    "perplexity": [
        "Turn every row of logits into log-probabilities with a stable log-softmax, "
        "pick the target's entry, average the negative values over all T·B tokens, "
        "and exponentiate the average.",
        "log p = z - max z - log Σ exp(z - max z);   "
        "ppl = exp(-(1/TB) Σ_{t,b} log p_{t,b}[y_{t,b}])",
        "z = logits - logits.max(axis=-1, keepdims=True)\n"
        "logp = z - np.log(np.exp(z).sum(axis=____, keepdims=True))\n"
        "picked = np.take_along_axis(logp, targets[..., None], axis=____)\n"
        "return float(np.exp(-picked.____()))",
    ],
    "sample_tokens": [
        "A loop of num_tokens steps: feed the current token (a one-hot input selects a "
        "column of W_ih), update the state, turn the output logits into probabilities "
        "with your temperature, draw with u[t], and make the drawn token the next input.",
        "h ← tanh(W_ih[:, x] + b_ih + W_hh h + b_hh);  p = softmax((W_hy h + b_hy) / T);  "
        "x ← searchsorted(cumsum(p), u[t], side='right')",
        "out = []\n"
        "for t in range(num_tokens):\n"
        "    h = np.tanh(params['W_ih'][:, ____] + params['b_ih'] + params['W_hh'] @ h\n"
        "                + params['b_hh'])\n"
        "    z = apply_temperature(params['W_hy'] @ ____ + params['b_hy'], temperature)\n"
        "    p = np.exp(z - z.max()); p /= p.sum()\n"
        "    token = int(np.searchsorted(np.cumsum(p), u[____], side='right'))\n"
        "    out.append(token)\n"
        "return np.array(out)",
    ],
    "tbptt_train_step": [
        "The order is the whole exercise: forget the old gradients, run the chunk from "
        "the carried state, take the mean loss, backpropagate, clip the global norm, "
        "update; then hand back the loss as a number and the state cut from the graph.",
        "zero_grad → logits, h_next = model(x, h) → loss = CE(logits (T·B, V), y (T·B)) → "
        "backward → clip_grad_norm_ → step → (loss.item(), h_next.detach())",
        "optimizer.____()\n"
        "logits, h_next = model(x, ____)\n"
        "loss = torch.nn.functional.cross_entropy(\n"
        "    logits.reshape(-1, logits.shape[-1]), y.reshape(____))\n"
        "loss.backward()\n"
        "torch.nn.utils.clip_grad_norm_(model.parameters(), ____)\n"
        "optimizer.step()\n"
        "return loss.____(), h_next.____()",
    ],
}
