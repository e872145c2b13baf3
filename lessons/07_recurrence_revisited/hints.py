"""Hints of lesson 07, in steps: the idea, the equation, a skeleton with blanks."""

HINTS = {
    "min_gru_step": [
        "The GRU without h_prev in its gates: one product of x with W_ih gives 2H columns, "
        "the first H for the update gate z (squash with the sigmoid), the last H for the "
        "candidate n (no tanh). z close to 1 keeps the old state.",
        "k = x W_ihᵀ + b_ih;  z = σ(k[:, :H]);  n = k[:, H:];  h_next = z ⊙ h_prev + (1 - z) ⊙ n",
        "H = h_prev.shape[1]\n"
        "k = x @ ____ + b_ih\n"
        "z = 1 / (1 + np.exp(-k[:, ____]))\n"
        "n = k[:, H:]\n"
        "return z * ____ + (1 - z) * n",
    ],
    "linear_scan": [
        "Fold h0 into the first step (b_1 <- a_1 h0 + b_1). Then, in rounds with shift "
        "1, 2, 4, ...: every position t >= shift composes its (a, b) with the (a, b) "
        "`shift` places earlier. The earlier step comes first. Compute the new a and the "
        "new b from the values before the round (copies), then replace both.",
        "(a1, b1) • (a2, b2) = (a2 a1, a2 b1 + b2);  after the rounds, h_t = b_t",
        "a, b = a.copy(), b.copy()\n"
        "b[0] = a[0] * ____ + b[0]\n"
        "shift = 1\n"
        "while shift < len(a):\n"
        "    a_new, b_new = a.copy(), b.copy()\n"
        "    a_new[shift:] = a[shift:] * a[:____]\n"
        "    b_new[shift:] = a[shift:] * b[:-shift] + ____\n"
        "    a, b = a_new, b_new\n"
        "    shift *= ____\n"
        "return b",
    ],
    "scan_backward": [
        "h_t reaches the loss directly (dh_t) and through h_{t+1} = a_{t+1} h_t + b_{t+1}. "
        "So the total gradient g_t is the same linear recurrence, run from the last step "
        "to the first, with the decays shifted by one. Your linear_scan computes it on "
        "reversed arrays. Then read da, db and dh0 off h_t = a_t h_{t-1} + b_t.",
        "g_T = dh_T,  g_t = dh_t + a_{t+1} ⊙ g_{t+1};  db_t = g_t,  da_t = g_t ⊙ h_{t-1},  "
        "dh0 = a_1 ⊙ g_1",
        "c = np.concatenate([a[1:], np.zeros_like(a[:1])])   # c_t = a_{t+1}\n"
        "g = linear_scan(c[::-1], dh[____], np.zeros_like(h0))[::-1]\n"
        "h_prev = np.concatenate([____[None], h[:-1]])\n"
        "return g * h_prev, g, a[0] * ____",
    ],
    "min_gru_sequence": [
        "All gates come from the inputs alone, so compute them for every step in one "
        "product, then hand the recurrence to your linear_scan: a_t = z_t and "
        "b_t = (1 - z_t) n_t.",
        "k = x W_ihᵀ + b_ih (T, B, 2H);  z = σ(k[..., :H]);  n = k[..., H:];  "
        "h = linear_scan(z, (1 - z) ⊙ n, h0)",
        "H = h0.shape[1]\n"
        "k = x @ W_ih.T + ____\n"
        "z = 1 / (1 + np.exp(-k[..., :H]))\n"
        "n = k[..., ____]\n"
        "return linear_scan(z, ____ * n, h0)",
    ],
}
