"""Hints of lesson 04, in steps: the idea, the equation, a skeleton with blanks."""

HINTS = {
    "jacobian_product_norms": [
        "Going one step further back multiplies the running product by one more "
        "Jacobian, on the right: start from the identity (k = 0) and record the "
        "spectral norm after each multiplication. The states in h are already tanh "
        "values, so the slope is 1 - h², with no second tanh.",
        "J_t = diag(1 - h_t²) W_hh,   P_0 = I,   P_k = P_{k-1} J_{T-k},   norms[k] = ||P_k||_2",
        "T, H = h.shape\n"
        "P, norms = np.eye(H), [1.0]\n"
        "for k in range(1, T):\n"
        "    J = (1 - h[____] ** 2)[:, None] * W_hh\n"
        "    P = P @ ____\n"
        "    norms.append(np.linalg.norm(P, ____))\n"
        "return np.array(norms)",
    ],
    "clip_grad_norm": [
        "Treat all the arrays as one long vector: its norm is the square root of the "
        "sum of the squares of every entry. If it is larger than max_norm, scale every "
        "array by the same factor, in place, so the caller's dict or list sees it.",
        "total = sqrt(Σ_k Σ_j g_kj²);   if total > max_norm:  g_k ← g_k · max_norm / total",
        "arrays = list(grads.values()) if isinstance(grads, dict) else list(grads)\n"
        "total = float(np.sqrt(sum(np.sum(g * g) for g in ____)))\n"
        "if total > ____:\n"
        "    for g in arrays:\n"
        "        g *= ____\n"
        "return ____",
    ],
    "clip_grad_value": [
        "Each entry is clipped on its own, both sides: entries inside the range keep "
        "their value. Change the arrays themselves (np.clip's out= does that).",
        "g_kj ← min(max(g_kj, -clip_value), clip_value)",
        "arrays = list(grads.values()) if isinstance(grads, dict) else list(grads)\n"
        "for g in arrays:\n"
        "    np.clip(g, ____, ____, out=____)",
    ],
}
