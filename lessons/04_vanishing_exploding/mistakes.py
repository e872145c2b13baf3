"""Typical mistakes of lesson 04, each written once as the change to the solution.

The clipping functions change the caller's arrays in place (like torch's
clip_grad_norm_ and clip_grad_value_); their mistakes are judged the same way.
"""

from rnn_grade.registry import change

from . import solutions as s
from .checks import jac_ex, norm_ex, value_ex

JAC, NORM, VALUE = s.jacobian_product_norms, s.clip_grad_norm, s.clip_grad_value
J = "J = (1 - h[T - k] ** 2)[:, None] * W_hh"
SCALE = "        for g in arrays:\n            g *= max_norm / total\n"
CLIP = "np.clip(g, -clip_value, clip_value, out=g)"
TOTAL = "float(np.sqrt(sum(np.sum(g * g) for g in arrays)))"

# One mistake in two to four lines, each as the change to the solution:
# fmt: off
# ------------------------------------------------------------------ jacobian_product_norms
change(jac_ex, JAC, "missing nonlinearity derivative: J_t = diag(1 - h_t²) W_hh, not W_hh alone.",
       {J: "J = W_hh"})
change(jac_ex, JAC, "tanh applied twice: h already holds tanh of the pre-activation, so the "
       "derivative is 1 - h_t², not 1 - tanh(h_t)².",
       {"(1 - h[T - k] ** 2)": "(1 - np.tanh(h[T - k]) ** 2)"})
change(jac_ex, JAC, "transposed weight: ∂h_t/∂h_{t-1} = diag(1 - h_t²) W_hh in torch's layout, "
       "not W_hhᵀ.", {"* W_hh": "* W_hh.T"})
change(jac_ex, JAC, "wrong order of the product: ∂h_{T-1}/∂h_{T-1-k} = J_{T-1} ··· J_{T-k}, the "
       "newest Jacobian on the left (P = P @ J).", {"P = P @ J": "P = J @ P"})
change(jac_ex, JAC, "wrong norm: use the spectral norm np.linalg.norm(P, 2), not the Frobenius "
       "norm.", {"np.linalg.norm(P, 2)": "np.linalg.norm(P)"})
change(jac_ex, JAC, "off by one in time: J_t uses the state h_t it produces (h[T-k] for the k-th "
       "factor), not the state before it.", {"h[T - k]": "h[T - k - 1]"})
change(jac_ex, JAC, "one Jacobian, not a product: norms[k] is the norm of J_{T-1} ··· J_{T-k}, "
       "the product of k Jacobians.", {"P = P @ J": "P = J"})
change(jac_ex, JAC, "norms[0] is missing: it is 1 (no step back), so norms has T entries.",
       {"norms = [1.0]": "norms = []"})

# ------------------------------------------------------------------ clip_grad_norm
change(norm_ex, NORM, "per-element clipping where norm was asked: scale ALL gradients by max_norm "
       "/ total_norm, do not clip each entry to [-max_norm, max_norm].",
       {SCALE: "        for g in arrays:\n            np.clip(g, -max_norm, max_norm, out=g)\n"})
change(norm_ex, NORM, "each array was clipped by its own norm: the norm is global, the square "
       "root of the sum of squares over every array.",
       {SCALE: "        for g in arrays:\n            g *= min(1, max_norm / np.linalg.norm(g))\n"})
change(norm_ex, NORM, "returned the norm after clipping: return the total norm before clipping.",
       {"    return total": "    return float(np.sqrt(sum(np.sum(g * g) for g in arrays)))"})
change(norm_ex, NORM, "rescaled although the norm was below max_norm: scale only when total_norm "
       "> max_norm.", {"if total > max_norm:": "if True:"})
change(norm_ex, NORM, "the gradients are unchanged: `g = g * scale` only rebinds a local name; "
       "scale the arrays themselves, in place (g *= scale).",
       {"g *= max_norm / total": "g = g * max_norm / total"})
change(norm_ex, NORM, "the total norm is the square root of the sum of squares over every array, "
       "not the sum of the arrays' norms.",
       {TOTAL: "float(sum(np.linalg.norm(g) for g in arrays))"})
change(norm_ex, NORM, "missing square root: the norm is sqrt(sum of squares), not the sum of "
       "squares.",
       {TOTAL: "float(sum(np.sum(g * g) for g in arrays))"})
change(norm_ex, NORM, "inverted scale: multiply by max_norm / total_norm (< 1), not total_norm / "
       "max_norm.", {"g *= max_norm / total": "g *= total / max_norm"})
change(norm_ex, NORM, "nothing returned: return the total norm before clipping (a float).",
       {"    return total": "    return None"})

# ------------------------------------------------------------------ clip_grad_value
change(value_ex, VALUE, "clip both sides: every entry goes to [-clip_value, clip_value], negative "
       "ones too.", {CLIP: "np.minimum(g, clip_value, out=g)"})
change(value_ex, VALUE, "negative entries set to 0: the range is [-clip_value, clip_value], "
       "np.clip(g, -clip_value, clip_value).", {CLIP: "np.clip(g, 0, clip_value, out=g)"})
change(value_ex, VALUE, "clipped the norm: clip_grad_value clips every entry on its own to "
       "[-clip_value, clip_value].",
       {CLIP: "g *= min(1, clip_value / np.sqrt(sum(np.sum(a * a) for a in (grads.values() "
        "if isinstance(grads, dict) else grads))))"})
change(value_ex, VALUE, "the gradients are unchanged: clip the arrays themselves, in place, "
       "np.clip(g, -c, c, out=g); a new dict or array returned is not seen by the caller.",
       {CLIP: "g = np.clip(g, -clip_value, clip_value)"})
change(value_ex, VALUE, "every entry set to ±clip_value: only entries outside the range change; "
       "the others keep their value.", {CLIP: "g[...] = np.sign(g) * clip_value"})
change(value_ex, VALUE, "scaled instead of clipped: dividing by the largest entry changes every "
       "entry; clip each entry on its own.", {CLIP: "g *= min(1, clip_value / np.abs(g).max())"})
