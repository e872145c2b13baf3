"""Speed: our loop-over-time LSTM against torch.nn.LSTM, forward + backward.

Same shapes as the NumPy benchmark, float32, one thread. The two modules hold
the same weights and run interleaved (ours, theirs, ours, ...) so that load on
a shared machine hits both alike; the table gives medians and their ratio.

Goal (issue 12): at most 1.3x torch.nn.LSTM. What costs ours more: autograd
differentiates each step's ``addmm(gi_t, h, W_hh^T)`` on its own, so the weight
gradient is T small products (inner dimension B) plus T additions of a 4H x H
matrix, where torch.nn.LSTM's fused kernel forms it once after the loop (inner
dimension T * B). The profile at T50 B64 H512 shows the per-step ``mm`` of the
backward as about half the time. Closing that gap needs a custom
``autograd.Function`` for the whole sequence, i.e. giving up the plain loop that
is the point of this module.

Run: ``python benchmarks/bench_torch_rnn.py [--quick] [--repeats N]``
"""

import argparse
import os

for _v in ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS"):
    os.environ.setdefault(_v, "1")

import statistics  # noqa: E402
import time  # noqa: E402

import torch  # noqa: E402

from rnn_course.torch_rnn import LSTM  # noqa: E402

SHAPES = [(100, 32, 64, 256), (50, 64, 128, 512)]  # (T, B, D, H)


def fwd_bwd(model, x, h0):
    out, (h, c) = model(x, h0)
    (out.sum() + h.sum() + c.sum()).backward()


def bench(T, B, D, H, repeats, device="cpu"):
    torch.manual_seed(0)
    ref = torch.nn.LSTM(D, H).to(device)
    ours = LSTM(D, H).to(device)
    ours.load_state_dict(ref.state_dict())
    x = torch.randn(T, B, D, device=device, requires_grad=True)
    h0 = (torch.zeros(1, B, H, device=device), torch.zeros(1, B, H, device=device))
    times = {"ours": [], "torch": []}
    for _ in range(2):  # warm-up
        fwd_bwd(ours, x, h0)
        fwd_bwd(ref, x, h0)
    for _ in range(repeats):
        for name, m in (("ours", ours), ("torch", ref)):
            m.zero_grad(set_to_none=True)
            x.grad = None
            if device != "cpu":
                torch.cuda.synchronize()
            t0 = time.perf_counter()
            fwd_bwd(m, x, h0)
            if device != "cpu":
                torch.cuda.synchronize()
            times[name].append(time.perf_counter() - t0)
    return statistics.median(times["ours"]), statistics.median(times["torch"])


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--quick", action="store_true", help="3 repeats, first shape only")
    p.add_argument("--repeats", type=int, default=10)
    p.add_argument("--device", default="cpu")
    a = p.parse_args(argv)
    torch.set_num_threads(1)
    shapes = SHAPES[:1] if a.quick else SHAPES
    repeats = 3 if a.quick else a.repeats
    print(f"LSTM forward+backward, float32, {torch.get_num_threads()} thread, device {a.device}")
    print(f"{'T':>4} {'B':>4} {'D':>4} {'H':>4} | {'ours ms':>9} {'torch ms':>9} | ratio")
    for T, B, D, H in shapes:
        ours, ref = bench(T, B, D, H, repeats, a.device)
        print(
            f"{T:4d} {B:4d} {D:4d} {H:4d} | {ours * 1e3:9.1f} {ref * 1e3:9.1f} | {ours / ref:5.2f}x"
        )


if __name__ == "__main__":
    main()
