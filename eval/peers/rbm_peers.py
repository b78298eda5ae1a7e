#!/usr/bin/python3
"""Peer baselines for the RBM CD-1 benchmark (eval/Affect.Search.Benchmarks `rbm --peers`).

Measures, on the same shapes, batch sizes and data distribution as the C# benchmark
(random binary visibles with P(1) = 0.3, 20 batches' worth, seeded):

  * sklearn.neural_network.BernoulliRBM.partial_fit, one call per batch (learning_rate 0.05).
    Note: scikit-learn trains with *persistent* CD (the negative chain continues from the
    previous call's hidden samples) and does 4 V x H products per update, not 5.
  * A CD-1 step written in PyTorch (float32, torch.set_num_threads(2)) with the same update
    rule as Affect.Search's ContrastiveDivergenceTrainer.Step: 5 V x H products, momentum 0.9,
    weight decay 0.0002, learning rate 0.05, visible means (not samples) in the negative phase,
    and the summed squared reconstruction error computed every step.

Each peer warms up on 2 batches, then is timed over >= --seconds of steps (cycling over the
batches), reporting samples/s. Thread settings other than torch's are left as the environment
sets them (OPENBLAS_NUM_THREADS etc. are never changed).

Usage: /usr/bin/python3 eval/peers/rbm_peers.py [--json] [--quick] [--seconds S] [--wait-quiet S]
                                               [--max-load F] [--timeout S]
  --json     print only the JSON document on stdout (what the C# benchmark parses)
  --quick    ~1 s per measurement instead of ~3 s
  --wait-quiet S  wait up to S s before each measurement for the (shared) machine to be quiet
  --max-load F    time in ~0.5 s rounds, dropping rounds where other processes used > F of the CPUs
  --timeout S     give up collecting quiet rounds after S s and use all rounds (flagged noisy)
"""
import argparse
import json
import os
import platform
import sys
import time

SHAPES = [(1024, 512, 100), (4096, 2048, 256)]  # (visible, hidden, batch)
N_BATCHES = 20
P_ONE = 0.3
SEED = 12345
LEARNING_RATE = 0.05
MOMENTUM = 0.9
WEIGHT_DECAY = 0.0002


def make_batches(np, visible, batch):
    rng = np.random.default_rng(SEED + visible)
    data = (rng.random((N_BATCHES * batch, visible), dtype=np.float32) < P_ONE).astype(np.float32)
    return [np.ascontiguousarray(data[i * batch:(i + 1) * batch]) for i in range(N_BATCHES)]


def _busy_ticks():
    """Busy jiffies of all processors from /proc/stat (None where absent)."""
    try:
        with open("/proc/stat") as f:
            v = [int(x) for x in f.readline().split()[1:]]
        return v[0] + v[1] + v[2] + v[5] + v[6]
    except (OSError, ValueError, IndexError):
        return None


def _own_cpu():
    t = os.times()
    return t.user + t.system


def wait_quiet(timeout, max_foreign=0.10):
    """Waits up to timeout seconds until two 0.5 s windows in a row show other processes using
    < max_foreign of the processors (the machine is shared). Returns seconds waited."""
    if timeout <= 0 or _busy_ticks() is None:
        return 0.0
    start = time.perf_counter()
    quiet = 0
    hz = os.sysconf("SC_CLK_TCK")
    while time.perf_counter() - start < timeout:
        b0, o0, t0 = _busy_ticks(), _own_cpu(), time.perf_counter()
        time.sleep(0.5)
        b1, o1, t1 = _busy_ticks(), _own_cpu(), time.perf_counter()
        foreign = ((b1 - b0) / hz - (o1 - o0)) / ((t1 - t0) * (os.cpu_count() or 1))
        quiet = quiet + 1 if foreign < max_foreign else 0
        if quiet >= 2:
            break
    return time.perf_counter() - start


WAIT_QUIET = 0.0   # --wait-quiet
MAX_LOAD = 1.0     # --max-load
TIMEOUT = None     # --timeout
ROUND_SECONDS = 0.5


def time_loop(step, n_batches, batch, seconds):
    """Times step(i) (cycling over the batches) in ~0.5 s rounds until the rounds during which other
    processes used at most MAX_LOAD of the processors add up to >= seconds (the machine is shared;
    its load comes in bursts). If they do not before TIMEOUT, every round is used and the result is
    flagged noisy. Returns steps, seconds, samples/s and the other processes' share meanwhile."""
    waited = wait_quiet(WAIT_QUIET)
    for i in range(2):  # warm-up
        step(i % n_batches)
    timeout = TIMEOUT if TIMEOUT is not None else seconds + max(3 * seconds, WAIT_QUIET)
    hz = os.sysconf("SC_CLK_TCK")
    rounds = []  # (steps, seconds, foreign)
    index = 0
    clock = time.perf_counter()
    noisy = False
    while True:
        busy0, own0 = _busy_ticks(), _own_cpu()
        start = time.perf_counter()
        n = 0
        while True:
            step(index % n_batches)
            index += 1
            n += 1
            elapsed = time.perf_counter() - start
            if elapsed >= ROUND_SECONDS:
                break
        busy1, own1 = _busy_ticks(), _own_cpu()
        foreign = None
        if busy0 is not None and busy1 is not None:
            foreign = min(1.0, max(0.0, ((busy1 - busy0) / hz - (own1 - own0)) / (elapsed * (os.cpu_count() or 1))))
        rounds.append((n, elapsed, foreign))
        quiet = [r for r in rounds if r[2] is None or r[2] <= MAX_LOAD]
        if sum(r[0] for r in quiet) >= 3 and sum(r[1] for r in quiet) >= seconds:
            used = quiet
            break
        if time.perf_counter() - clock > timeout:
            used, noisy = rounds, True
            break
    steps = sum(r[0] for r in used)
    total = sum(r[1] for r in used)
    loads = [(r[2], r[1]) for r in used if r[2] is not None]
    foreign = sum(f * t for f, t in loads) / sum(t for _, t in loads) if loads else None
    return {"steps": steps, "seconds": total, "samples_per_second": steps * batch / total,
            "passes_over_data": steps / n_batches, "foreign_cpu": foreign, "rounds_used": len(used),
            "rounds_discarded": len(rounds) - len(used), "noisy": noisy, "waited_for_quiet_seconds": waited}


def bench_sklearn(np, seconds):
    try:
        import sklearn
        from sklearn.neural_network import BernoulliRBM
    except Exception as e:  # noqa: BLE001 - report any import failure as a skip
        return {"skipped": f"scikit-learn not importable ({type(e).__name__}: {e}); install with `sudo tools/setup.sh --bench`"}
    # scikit-learn 1.2's BernoulliRBM keeps float64 parameters whatever the input dtype, so float64
    # input is its fastest path (float32 input adds conversions): the peer gets its best case.
    out = {"version": sklearn.__version__, "input_dtype": "float64",
           "algorithm": "BernoulliRBM.partial_fit (persistent CD-1, 4 V x H products per update)",
           "learning_rate": LEARNING_RATE, "shapes": []}
    for visible, hidden, batch in SHAPES:
        batches = [b.astype(np.float64) for b in make_batches(np, visible, batch)]
        rbm = BernoulliRBM(n_components=hidden, batch_size=batch, learning_rate=LEARNING_RATE,
                           n_iter=1, random_state=0)
        r = time_loop(lambda i: rbm.partial_fit(batches[i]), len(batches), batch, seconds)
        r.update({"visible": visible, "hidden": hidden, "batch": batch,
                  "components_dtype": str(rbm.components_.dtype)})
        out["shapes"].append(r)
    return out


def bench_torch(np, seconds):
    try:
        import torch
    except Exception as e:  # noqa: BLE001
        return {"skipped": f"PyTorch not importable ({type(e).__name__}: {e}); install with `sudo tools/setup.sh --bench`"}
    torch.set_num_threads(2)
    torch.manual_seed(0)
    out = {"version": torch.__version__, "num_threads": torch.get_num_threads(), "dtype": "float32",
           "algorithm": "CD-1, 5 V x H products, momentum 0.9, weight decay 0.0002, visible means",
           "learning_rate": LEARNING_RATE, "shapes": []}
    for visible, hidden, batch in SHAPES:
        batches = [torch.from_numpy(b) for b in make_batches(np, visible, batch)]
        W = torch.randn(visible, hidden) * 0.01
        a = torch.zeros(hidden)   # hidden bias
        b = torch.zeros(visible)  # visible bias
        vW = torch.zeros_like(W)
        va = torch.zeros_like(a)
        vb = torch.zeros_like(b)
        scale = LEARNING_RATE / batch

        def step(i):
            v0 = batches[i]
            with torch.no_grad():
                h0 = torch.sigmoid(torch.addmm(a, v0, W))
                hs = torch.bernoulli(h0)
                v1 = torch.sigmoid(torch.addmm(b, hs, W.t()))
                h1 = torch.sigmoid(torch.addmm(a, v1, W))
                err = float(((v0 - v1) ** 2).sum())  # reconstruction error, as the C# step returns
                # velocity = momentum * velocity + scale * (v0'h0 - v1'h1) - lr * wd * W
                vW.mul_(MOMENTUM).addmm_(v0.t(), h0, alpha=scale).addmm_(v1.t(), h1, alpha=-scale)
                vW.add_(W, alpha=-LEARNING_RATE * WEIGHT_DECAY)
                vb.mul_(MOMENTUM).add_(v0.sum(0) - v1.sum(0), alpha=scale)
                va.mul_(MOMENTUM).add_(h0.sum(0) - h1.sum(0), alpha=scale)
                W.add_(vW)
                b.add_(vb)
                a.add_(va)
            return err

        r = time_loop(step, len(batches), batch, seconds)
        r.update({"visible": visible, "hidden": hidden, "batch": batch})
        out["shapes"].append(r)
    return out


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", action="store_true", help="print only JSON on stdout")
    parser.add_argument("--quick", action="store_true", help="~1 s per measurement")
    parser.add_argument("--seconds", type=float, default=None, help="seconds per measurement (default 3, 1 with --quick)")
    parser.add_argument("--wait-quiet", type=float, default=0.0,
                        help="before each measurement wait up to S s for other processes to use < 10%% of the processors")
    parser.add_argument("--max-load", type=float, default=1.0,
                        help="discard ~0.5 s rounds in which other processes used more than this share of the processors")
    parser.add_argument("--timeout", type=float, default=None,
                        help="seconds one measurement may take collecting quiet rounds before it uses all rounds (flagged noisy)")
    args = parser.parse_args()
    global WAIT_QUIET, MAX_LOAD, TIMEOUT
    WAIT_QUIET, MAX_LOAD, TIMEOUT = args.wait_quiet, args.max_load, args.timeout
    seconds = args.seconds if args.seconds is not None else (1.0 if args.quick else 3.0)

    doc = {"script": "eval/peers/rbm_peers.py", "python": platform.python_version(),
           "executable": sys.executable, "seconds_per_measurement": seconds,
           "max_load": MAX_LOAD, "wait_quiet_seconds": WAIT_QUIET,
           "data": {"distribution": f"Bernoulli(p={P_ONE})", "batches": N_BATCHES, "seed": SEED},
           "environment": {k: os.environ.get(k) for k in
                           ("OPENBLAS_CORETYPE", "OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS")}}
    try:
        import numpy as np
    except Exception as e:  # noqa: BLE001
        doc["skipped"] = f"NumPy not importable ({type(e).__name__}: {e}); install with `sudo tools/setup.sh --bench`"
        print(json.dumps(doc, indent=2))
        return 0
    doc["numpy"] = np.__version__
    try:
        import threadpoolctl
        doc["blas"] = [{k: v for k, v in info.items() if k in ("internal_api", "version", "num_threads", "architecture", "filepath")}
                       for info in threadpoolctl.threadpool_info()]
    except Exception:  # noqa: BLE001 - optional
        pass

    # One peer at a time: the machine is small and noisy.
    doc["sklearn"] = bench_sklearn(np, seconds)
    doc["torch"] = bench_torch(np, seconds)

    if args.json:
        print(json.dumps(doc, indent=2))
    else:
        print(json.dumps(doc, indent=2))
        for peer in ("sklearn", "torch"):
            p = doc[peer]
            if "skipped" in p:
                print(f"{peer}: skipped: {p['skipped']}", file=sys.stderr)
                continue
            for s in p["shapes"]:
                print(f"{peer:8s} {s['visible']}x{s['hidden']} batch {s['batch']}: {s['samples_per_second']:,.0f} samples/s",
                      file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
