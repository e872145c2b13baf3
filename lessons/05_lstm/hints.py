"""Hints of lesson 05, in steps: the idea, the equation, a skeleton with blanks."""

HINTS = {
    "lstm_step_forward": [
        "One product gives all four gates: its 4H columns are, in torch's order, the "
        "blocks i, f, g, o. Squash i, f, o with the sigmoid and g with tanh; the cell "
        "mixes the old cell and the candidate, and h reads the squashed cell through o. "
        "Save the activated gates and tanh(c_next): the backward needs them.",
        "a = x W_ihᵀ + b_ih + h_prev W_hhᵀ + b_hh;  i, f, o = σ(a_i), σ(a_f), σ(a_o);  "
        "g = tanh(a_g)\nc_next = f ⊙ c_prev + i ⊙ g;   h_next = o ⊙ tanh(c_next)",
        "a = x @ W_ih.T + b_ih + h_prev @ ____ + b_hh\n"
        "a_i, a_f, a_g, a_o = np.split(a, 4, axis=____)\n"
        "i, f, g, o = sigmoid(a_i), sigmoid(a_f), ____(a_g), sigmoid(a_o)\n"
        "c_next = f * ____ + i * g\n"
        "tanh_c = np.tanh(c_next)\n"
        "h_next = ____ * tanh_c\n"
        "return h_next, c_next, (x, h_prev, c_prev, W_ih, W_hh, i, f, g, o, tanh_c)",
    ],
    "lstm_step_backward": [
        "Work backwards through the forward's lines. c_next gets gradient from two "
        "places: dc_next, and h_next through o ⊙ tanh(c_next). Each gate's gradient is "
        "its upstream gradient times the slope of its nonlinearity, written with the "
        "ACTIVATED gate you cached. Stack them i, f, g, o and finish like the SRN.",
        "dc = dc_next + dh_next ⊙ o ⊙ (1 - tanh_c²);  dc_prev = dc ⊙ f\n"
        "da_i = dc ⊙ g ⊙ i(1-i);  da_f = dc ⊙ c_prev ⊙ f(1-f);  da_g = dc ⊙ i ⊙ (1-g²);  "
        "da_o = dh_next ⊙ tanh_c ⊙ o(1-o)\n"
        "dx = da W_ih;  dh_prev = da W_hh;  dW_ih = daᵀ x;  dW_hh = daᵀ h_prev;  "
        "db_ih = db_hh = Σ_b da",
        "x, h_prev, c_prev, W_ih, W_hh, i, f, g, o, tanh_c = cache\n"
        "dc = dc_next + dh_next * o * (1 - ____)\n"
        "da = np.concatenate([dc * g * i * (1 - i), dc * ____ * f * (1 - f),\n"
        "                     dc * i * (1 - g**2), dh_next * tanh_c * ____], axis=1)\n"
        "db = da.sum(axis=0)\n"
        "return da @ W_ih, da @ ____, dc * ____, da.T @ x, da.T @ h_prev, db, db.copy()",
    ],
    "lstm_forward": [
        "Loop your lstm_step_forward over time, feeding each step the h and c the step "
        "before returned (h0 and c0 at t = 0). Keep every step's h, c and cache.",
        "(h_t, c_t) = step(x_t, h_{t-1}, c_{t-1}) for t = 0 .. T-1, with (h_{-1}, c_{-1}) "
        "= (h0, c0);  h = stack(h_0 .. h_{T-1}), c likewise",
        "h_t, c_t, hs, cs, caches = h0, c0, [], [], []\n"
        "for t in range(x.shape[0]):\n"
        "    h_t, c_t, step_cache = lstm_step_forward(x[t], ____, ____, W_ih, W_hh, b_ih, b_hh)\n"
        "    hs.append(h_t); cs.append(c_t); caches.append(____)\n"
        "return np.stack(hs), np.stack(____), caches",
    ],
    "lstm_backward": [
        "Walk backwards in time calling your lstm_step_backward. The gradient reaching "
        "h[t] is dh[t] plus the dh_prev of step t+1; the cell gradient is the dc_prev of "
        "step t+1 (zero after the last step). The weights are shared: add their "
        "gradients over the steps.",
        "for t = T-1 .. 0:  (dx_t, g_h, g_c, dW's) = step_back(dh[t] + g_h, g_c, cache[t]);  "
        "dW = Σ_t dW_t;  dh0 = g_h, dc0 = g_c at the end",
        "dh_t = np.zeros_like(dh[0]); dc_t = np.zeros_like(dh[0])\n"
        "dW_ih, dW_hh, db_ih, db_hh = 0.0, 0.0, 0.0, 0.0   # four separate sums\n"
        "dx = [None] * len(cache)\n"
        "for t in range(len(cache) - 1, ____, -1):\n"
        "    dx[t], dh_t, dc_t, dWi, dWh, dbi, dbh = lstm_step_backward(\n"
        "        dh[t] + ____, dc_t, cache[t])\n"
        "    dW_ih, dW_hh = dW_ih + dWi, dW_hh + ____\n"
        "    db_ih, db_hh = db_ih + dbi, db_hh + dbh\n"
        "return np.stack(dx), dh_t, ____, dW_ih, dW_hh, db_ih, db_hh",
    ],
    "gru_step_forward": [
        "Two products, split into the r, z, n blocks: one of x, one of h_prev (biases "
        "included). r and z are sigmoids of the sums; the reset gate multiplies the "
        "recurrent part of n after its product; z mixes the candidate and the old state.",
        "r = σ(ax_r + ah_r);  z = σ(ax_z + ah_z);  n = tanh(ax_n + r ⊙ ah_n);  "
        "h_next = (1 - z) ⊙ n + z ⊙ h_prev   (ax = x W_ihᵀ + b_ih, ah = h_prev W_hhᵀ + b_hh)",
        "ax_r, ax_z, ax_n = np.split(x @ W_ih.T + b_ih, 3, axis=1)\n"
        "ah_r, ah_z, ah_n = np.split(h_prev @ ____ + b_hh, 3, axis=1)\n"
        "r, z = sigmoid(ax_r + ah_r), sigmoid(____)\n"
        "n = np.tanh(ax_n + ____ * ah_n)\n"
        "h_next = (1 - z) * n + ____ * h_prev\n"
        "return h_next, (x, h_prev, W_ih, W_hh, r, z, n, ah_n)",
    ],
    "gru_step_backward": [
        "h_prev reaches h_next three ways: directly through z ⊙ h_prev, and through the "
        "gates and the candidate via W_hh. The n block differs between the two sides: "
        "the input side gets da_n, the recurrent side da_n ⊙ r.",
        "dn = dh (1 - z);  dz = dh (h_prev - n);  da_n = dn (1 - n²);  "
        "da_r = da_n ⊙ ah_n ⊙ r(1 - r);  da_z = dz ⊙ z(1 - z)\n"
        "dax = [da_r, da_z, da_n];  dah = [da_r, da_z, da_n ⊙ r];  "
        "dh_prev = dah W_hh + dh ⊙ z",
        "x, h_prev, W_ih, W_hh, r, z, n, ah_n = cache\n"
        "dan = dh_next * (1 - z) * (1 - ____)\n"
        "dar = dan * ____ * r * (1 - r)\n"
        "daz = dh_next * (h_prev - n) * z * (1 - z)\n"
        "dax = np.concatenate([dar, daz, dan], axis=1)\n"
        "dah = np.concatenate([dar, daz, dan * ____], axis=1)\n"
        "dh_prev = dah @ W_hh + dh_next * ____\n"
        "return dax @ W_ih, dh_prev, dax.T @ x, dah.T @ h_prev, dax.sum(0), dah.sum(0)",
    ],
}
