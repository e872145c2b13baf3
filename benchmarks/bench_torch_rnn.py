"""Speed: our PyTorch LSTMs against torch.nn.LSTM, forward + backward, and packed batches.

float32, one thread. Every variant holds the same weights and they run
interleaved (torch.nn, then each of ours, then torch.nn again, ...) so that load
on a shared machine hits all alike; the tables give medians and ratios to
torch.nn from the same run. Times are the process's CPU time (one thread), which
a loaded machine disturbs far less than wall-clock time.

Table 1, goal (issue 22): ``torch_lstm.lstm_sequence`` (a custom
``autograd.Function`` whose backward forms the weight gradients once, after the
loop) at most 1.10x ``torch.nn.LSTM``. Beside it the plain loop
(``torch_rnn.LSTM``), where autograd differentiates each step's
``addmm(gi_t, h, W_hh^T)`` on its own: T small weight-gradient products and T
additions.

Table 2, goal: the twins on a PackedSequence of 32 sequences of lengths 10-100
at most 1.2x torch.nn on the same packed batch.

Run: ``python benchmarks/bench_torch_rnn.py [--quick] [--repeats N]``
"""

import argparse
import os

for _v in ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS"):
    os.environ.setdefault(_v, "1")

import statistics  # noqa: E402
import time  # noqa: E402

import torch  # noqa: E402
from torch.nn.utils.rnn import pack_sequence  # noqa: E402

from rnn_course import torch_rnn  # noqa: E402
from rnn_course.torch_lstm import lstm_sequence  # noqa: E402

SHAPES = [(100, 32, 64, 256), (50, 64, 128, 512)]  # (T, B, D, H)


def _interleaved(runs, repeats):
    """Median seconds of each callable in ``runs`` (name -> fn), run in turn ``repeats`` times."""
    for fn in runs.values():  # warm-up
        fn()
    times = {name: [] for name in runs}
    for _ in range(repeats):
        for name, fn in runs.items():
            t0 = time.process_time()
            fn()
            times[name].append(time.process_time() - t0)
    return {name: statistics.median(v) for name, v in times.items()}


def _fwd_bwd(call, params, x):
    """Forward, backward of the sum of every output; gradients cleared first."""

    def run():
        for p in params:
            p.grad = None
        x.grad = None
        out, (h, c) = call()
        (out.sum() + h.sum() + c.sum()).backward()

    return run


def bench_sequence(T, B, D, H, repeats):
    torch.manual_seed(0)
    ref = torch.nn.LSTM(D, H)
    loop = torch_rnn.LSTM(D, H)
    loop.load_state_dict(ref.state_dict())
    x = torch.randn(T, B, D, requires_grad=True)
    h0, c0 = torch.zeros(1, B, H), torch.zeros(1, B, H)
    w = [ref.weight_ih_l0, ref.weight_hh_l0, ref.bias_ih_l0, ref.bias_hh_l0]
    params = list(ref.parameters()) + list(loop.parameters())
    runs = {
        "torch.nn": _fwd_bwd(lambda: ref(x, (h0, c0)), params, x),
        "sequence fn": _fwd_bwd(lambda: lstm_sequence(x, h0[0], c0[0], *w), params, x),
        "plain loop": _fwd_bwd(lambda: loop(x, (h0, c0)), params, x),
    }
    return _interleaved(runs, repeats)


def bench_packed(name, repeats, B=32, D=64, H=256):
    torch.manual_seed(0)
    lengths = torch.randint(10, 101, (B,)).tolist()
    seqs = [torch.randn(n, D, requires_grad=True) for n in lengths]
    ref = getattr(torch.nn, name)(D, H)
    ours = getattr(torch_rnn, name)(D, H)
    ours.load_state_dict(ref.state_dict())

    def run(m):
        def go():
            m.zero_grad(set_to_none=True)
            out, hn = m(pack_sequence(seqs, enforce_sorted=False))
            hn = hn if torch.is_tensor(hn) else sum(s.sum() for s in hn)
            (out.data.sum() + hn.sum()).backward()

        return go

    return _interleaved({"torch.nn": run(ref), "twin": run(ours)}, repeats)


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--quick", action="store_true", help="first shape and the LSTM only")
    p.add_argument("--repeats", type=int, default=10)
    a = p.parse_args(argv)
    torch.set_num_threads(1)
    shapes = SHAPES[:1] if a.quick else SHAPES
    repeats = a.repeats
    print(
        f"LSTM forward+backward, float32, {torch.get_num_threads()} thread, "
        f"median CPU ms of {repeats}"
    )
    head = f"{'T':>4} {'B':>4} {'D':>4} {'H':>4} | {'torch.nn ms':>11} {'seq fn ms':>10}"
    print(f"{head} {'loop ms':>9} | seq fn / torch.nn  loop / torch.nn")
    for T, B, D, H in shapes:
        t = bench_sequence(T, B, D, H, repeats)
        ref, seq, loop = t["torch.nn"], t["sequence fn"], t["plain loop"]
        print(
            f"{T:4d} {B:4d} {D:4d} {H:4d} | {ref * 1e3:11.1f} {seq * 1e3:10.1f} {loop * 1e3:9.1f}"
            f" | {seq / ref:16.2f}x {loop / ref:16.2f}x"
        )
    print("\nPackedSequence, 32 sequences of lengths 10-100, D64 H256, forward+backward")
    print(f"{'module':>6} | {'torch.nn ms':>11} {'twin ms':>9} | twin / torch.nn")
    for name in ["RNN", "LSTM", "GRU"][1:2] if a.quick else ["RNN", "LSTM", "GRU"]:
        t = bench_packed(name, repeats)
        print(
            f"{name:>6} | {t['torch.nn'] * 1e3:11.1f} {t['twin'] * 1e3:9.1f} |"
            f" {t['twin'] / t['torch.nn']:14.2f}x"
        )


if __name__ == "__main__":
    main()
