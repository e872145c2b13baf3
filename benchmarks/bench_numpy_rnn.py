"""NumPy SRN / LSTM / GRU forward+backward time against torch.nn.RNN / LSTM / GRU.

One thread for both libraries (in-process thread pools contend on small
machines), float32, the median of interleaved repeats, reported as a ratio
(NumPy time / torch time), timed as the process's CPU time (one thread), which
a loaded machine disturbs less than wall-clock time. Absolute times drift on a
shared machine; the ratio is the number to read. Three runners take turns in one loop: the fast
sequence functions (``lstm_forward`` / ``lstm_backward``, ...), torch.nn, and
the readable step functions looped over time (``lstm_step_forward`` /
``lstm_step_backward``), whose cost is reported relative to the fast ones.
Also prints the NumPy LSTM's float64 cost relative to float32.

Goals (issue 12): LSTM <= 1.10x torch.nn at T100 B32 D64 H256 and <= 1.25x at
T50 B64 D128 H512; GRU and SRN <= 0.9x.

Usage::

    python benchmarks/bench_numpy_rnn.py          # full run (about 1-3 minutes)
    python benchmarks/bench_numpy_rnn.py --quick  # smoke run (a few seconds)
"""

import os

for _var in ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS"):
    os.environ[_var] = "1"  # before numpy and torch are imported

import argparse  # noqa: E402
import statistics  # noqa: E402
import time  # noqa: E402

import numpy as np  # noqa: E402
import torch  # noqa: E402

from rnn_course import numpy_rnn  # noqa: E402

torch.set_num_threads(1)

SHAPES = [(100, 32, 64, 256), (50, 64, 128, 512)]  # (T, B, D, H)
QUICK_SHAPES = [(10, 8, 16, 32), (10, 8, 32, 64)]


def _numpy_runner(cell, x, h0, weights, dh):
    """A closure that runs the NumPy forward and backward once."""
    if cell == "lstm":
        c0 = np.zeros_like(h0)

        def run():
            _, _, cache = numpy_rnn.lstm_forward(x, h0, c0, *weights)
            numpy_rnn.lstm_backward(dh, cache)

    else:
        forward = getattr(numpy_rnn, f"{cell}_forward")
        backward = getattr(numpy_rnn, f"{cell}_backward")

        def run():
            _, cache = forward(x, h0, *weights)
            backward(dh, cache)

    return run


def _loop_runner(cell, x, h0, weights, dh):
    """A closure that loops the readable step functions forward, then backward."""
    step_fwd = getattr(numpy_rnn, f"{cell}_step_forward")
    step_bwd = getattr(numpy_rnn, f"{cell}_step_backward")
    T = x.shape[0]

    def run():
        h, c, caches = h0, np.zeros_like(h0), []
        for t in range(T):
            if cell == "lstm":
                h, c, cache = step_fwd(x[t], h, c, *weights)
            else:
                h, cache = step_fwd(x[t], h, *weights)
            caches.append(cache)
        dh_prev, dc_prev = np.zeros_like(h0), np.zeros_like(h0)
        dw = [np.zeros_like(w) for w in weights]
        for t in reversed(range(T)):
            if cell == "lstm":
                _, dh_prev, dc_prev, *g = step_bwd(dh[t] + dh_prev, dc_prev, caches[t])
            else:
                _, dh_prev, *g = step_bwd(dh[t] + dh_prev, caches[t])
            for a, b in zip(dw, g, strict=True):
                a += b

    return run


def _torch_runner(module, x, h0, dh):
    xt = torch.from_numpy(x).requires_grad_(True)
    h0t = torch.from_numpy(h0)[None]
    dht = torch.from_numpy(dh)
    state = (h0t, torch.zeros_like(h0t)) if isinstance(module, torch.nn.LSTM) else h0t

    def run():
        module.zero_grad(set_to_none=True)
        xt.grad = None
        out, _ = module(xt, state)
        out.backward(dht)

    return run


def _make(cell, T, B, D, H, dtype, seed=0):
    rng = np.random.default_rng(seed)
    module = {"srn": torch.nn.RNN, "lstm": torch.nn.LSTM, "gru": torch.nn.GRU}[cell](D, H)
    module = module.to(torch.float64 if dtype == np.float64 else torch.float32)
    weights = [
        p.detach().numpy().copy()
        for p in (module.weight_ih_l0, module.weight_hh_l0, module.bias_ih_l0, module.bias_hh_l0)
    ]
    x = rng.standard_normal((T, B, D)).astype(dtype)  # (T, B, D)
    h0 = np.zeros((B, H), dtype=dtype)  # (B, H)
    dh = rng.standard_normal((T, B, H)).astype(dtype)  # (T, B, H)
    return (
        _numpy_runner(cell, x, h0, weights, dh),
        _torch_runner(module, x, h0, dh),
        _loop_runner(cell, x, h0, weights, dh),
    )


def _median_times(runners, repeats):
    """Run the runners interleaved (a, b, a, b, ...) and return their median times."""
    for run in runners:  # warm up
        run()
    times = [[] for _ in runners]
    for _ in range(repeats):
        for k, run in enumerate(runners):
            start = time.process_time()
            run()
            times[k].append(time.process_time() - start)
    return [statistics.median(t) for t in times]


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="tiny shapes, few repeats")
    parser.add_argument("--repeats", type=int, default=None, help="timed runs per entry")
    args = parser.parse_args(argv)
    shapes = QUICK_SHAPES if args.quick else SHAPES
    repeats = args.repeats or (3 if args.quick else 15)
    print(
        f"numpy {np.__version__}, torch {torch.__version__}, one thread, float32, "
        f"median of {repeats} interleaved runs (forward + backward)"
    )
    names = {"lstm": "torch.nn.LSTM", "gru": "torch.nn.GRU", "srn": "torch.nn.RNN"}
    for cell in ("lstm", "gru", "srn"):
        print(f"\n{cell.upper()}: NumPy vs {names[cell]}; readable steps looped vs fast")
        print(
            f"{'T':>4} {'B':>4} {'D':>4} {'H':>4} | {'numpy ms':>9} {'torch ms':>9} {'ratio':>6}"
            f" | {'steps ms':>9} {'steps/fast':>10}"
        )
        for T, B, D, H in shapes:
            np_run, torch_run, loop_run = _make(cell, T, B, D, H, np.float32)
            t_np, t_torch, t_loop = _median_times([np_run, torch_run, loop_run], repeats)
            print(
                f"{T:>4} {B:>4} {D:>4} {H:>4} | {1e3 * t_np:>9.2f} {1e3 * t_torch:>9.2f} "
                f"{t_np / t_torch:>5.2f}x | {1e3 * t_loop:>9.2f} {t_loop / t_np:>9.2f}x"
            )
    print("\nNumPy LSTM float64 cost relative to float32")
    print(f"{'T':>4} {'B':>4} {'D':>4} {'H':>4} | {'f32 ms':>9} {'f64 ms':>9} {'f64/f32':>7}")
    for T, B, D, H in shapes:
        run32 = _make("lstm", T, B, D, H, np.float32)[0]
        run64 = _make("lstm", T, B, D, H, np.float64)[0]
        t32, t64 = _median_times([run32, run64], max(3, repeats // 2))
        print(
            f"{T:>4} {B:>4} {D:>4} {H:>4} | {1e3 * t32:>9.2f} {1e3 * t64:>9.2f} {t64 / t32:>6.2f}x"
        )


if __name__ == "__main__":
    main()
