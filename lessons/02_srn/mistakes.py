"""Typical mistakes of lesson 02, each written once as the change to the solution.

``change``: a catalogued mistake with a message of its own. ``diagnosed``: a mistake
the differential diagnosis already names (a term left out, a weight transposed,
two inputs swapped), kept so that a test holds the diagnosis to it.
"""

from rnn_grade.registry import change, diagnosed

from . import solutions as s
from .checks import out_ex, seq_ex, step_ex

STEP, SEQ, OUT = s.srn_step_forward, s.srn_forward, s.softmax_output
A = "a = x @ W_ih.T + b_ih + h_prev @ W_hh.T + b_hh"
F = 'np.tanh(a) if nonlinearity == "tanh" else np.maximum(a, 0)'
STACK, EXP = "np.stack(hs)", "np.exp(z - z.max(axis=-1, keepdims=True))"
NORM = "return e / e.sum(axis=-1, keepdims=True)"

# One mistake in two to four lines, each as the change to the solution:
# fmt: off
# ------------------------------------------------------------------ srn_step_forward
diagnosed(step_ex, STEP, {"h_prev @ W_hh.T": "h_prev @ W_hh"}, "`W_hh` is used transposed")
diagnosed(step_ex, STEP, {"x @ W_ih.T": "x @ W_ih"}, "`W_ih` is used transposed")
diagnosed(step_ex, STEP, {A: "a = x @ W_hh.T + b_ih + h_prev @ W_ih.T + b_hh"}, "swapped")
diagnosed(step_ex, STEP, {" + b_hh  #": "  #"}, "without the bias `b_hh`")
diagnosed(step_ex, STEP, {" + b_ih +": " +"}, "without the bias `b_ih`")
diagnosed(step_ex, STEP, {" + h_prev @ W_hh.T": ""}, "`h_prev` = 0")
change(step_ex, STEP, "missing nonlinearity: apply f (tanh or ReLU) to the pre-activation.",
       {F: "a"})
change(step_ex, STEP, "the `nonlinearity` argument is ignored: you always apply tanh.",
       {F: "np.tanh(a)"})
change(step_ex, STEP, "sigmoid where tanh belongs: use np.tanh (or ReLU when asked).",
       {F: "1 / (1 + np.exp(-a))"})
change(step_ex, STEP, "bias added twice: add b_ih and b_hh once each.",
       {"+ b_hh  #": "+ b_hh + b_ih + b_hh  #"})
change(step_ex, STEP, "h_next has shape (H, B): rows are batch entries, so compute x @ W_ih.T.",
       {"return h_next,": "return h_next.T,"})
change(step_ex, STEP, "in-place mutation: your function changed its argument `h_prev`",
       {"return h_next, (": "h_prev[...] = h_next\n    return h_prev, ("})

# ------------------------------------------------------------------ srn_forward
diagnosed(seq_ex, SEQ, {"h, hs, caches = h0,": "h, hs, caches = 0 * h0,"}, "`h0` = 0")
change(seq_ex, SEQ, "state not carried: every step must start from the state the step before "
       "returned (h_prev = h_next), not from h0.", {"(x[t], h,": "(x[t], h0,"})
change(seq_ex, SEQ, "off by one: h[t] is the state after reading x[t], so h[0] is already f(x[0] "
       "..., h0); h0 itself is not part of h.",
       {"        hs.append(h)\n": "",
        "        h, cache =": "        hs.append(h)\n        h, cache ="})
change(seq_ex, SEQ, "the `nonlinearity` argument is not passed on: every step uses tanh.",
       {"b_hh, nonlinearity)": 'b_hh, "tanh")'})
change(seq_ex, SEQ, "stacked along the wrong axis: h is time-major, np.stack(hs) (axis 0) gives "
       "(T, B, H).", {STACK: "np.stack(hs, axis=1)"})
change(seq_ex, SEQ, "only the last state is returned: h holds the state after every step, shape "
       "(T, B, H).", {f"return {STACK}": "return h"})
change(seq_ex, SEQ, "the sequence is read backwards: step t reads x[t], from t = 0 up.",
       {"(x[t], h,": "(x[-1 - t], h,"})

# ------------------------------------------------------------------ softmax_output
diagnosed(out_ex, OUT, {" + b_hy  #": "  #"}, "without the bias `b_hy`")
diagnosed(out_ex, OUT, {"h @ W_hy.T": "h @ W_hy"}, "`W_hy` is used transposed")
change(out_ex, OUT, "missing softmax: return probabilities, softmax(h W_hyᵀ + b_hy), not the "
       "scores.", {NORM: "return z"})
for axis, name in ((0, "time (axis 0)"), (1, "the batch (axis 1)")):
    change(
        out_ex,
        OUT,
        "softmax over the wrong axis: normalise over the last axis (the V "
        f"outputs), not over {name}.",
        {
            "axis=-1, keepdims=True))": f"axis={axis}, keepdims=True))",
            "e.sum(axis=-1": f"e.sum(axis={axis}",
        },
    )
change(out_ex, OUT, "overflow: exp of large scores is inf; subtract the maximum score before "
       "np.exp.", {EXP: "np.exp(z)"})
change(out_ex, OUT, "missing exp: softmax divides exp(z) by its sum, not z by its sum.", {EXP: "z"})
change(out_ex, OUT, "sigmoid instead of softmax: the V probabilities must sum to 1.",
       {NORM: "return 1 / (1 + np.exp(-z))"})
change(out_ex, OUT, "log-probabilities returned: return the probabilities themselves.",
       {NORM: "return np.log(e / e.sum(axis=-1, keepdims=True))"})
