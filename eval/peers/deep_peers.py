#!/usr/bin/python3
"""PyTorch CPU peers for the deep feature throughput benchmark (eval/Affect.Search.Benchmarks `deep`).

Runs, with random weights (timing only), float32, in eval mode under torch.inference_mode():

  * ResNet: torchvision's resnet18(weights=None) and ResNet(BasicBlock, [2, 2, 2, 3]), the block layout of
    the network our `resnet18` feature runs (Microsoft.ML.DnnImageFeaturizer.ResNet18's ResNet18.onnx, a
    CNTK export with a third block in the 512-channel stage: 22 convolutions, ~2.0 GMAC per image against
    torchvision's 1.8). Both with fc = Identity, so they end, as ours does, at the 512 pooled activations.
    A third variant runs the [2, 2, 2, 3] network through torch.jit.optimize_for_inference (PyTorch tuned for
    inference: batch norm folded, oneDNN layouts kept), for reference.
    Input: a [batch, 3, 224, 224] tensor of values in [-128, 128) (already normalised; our figure includes
    our mean subtraction).
  * MiniLM: a BERT encoder of all-MiniLM-L6's shape built from torch.nn: word (30522), position (512) and
    token-type embeddings + LayerNorm, 6 x nn.TransformerEncoderLayer(384, 12 heads, FFN 1536, GELU,
    batch_first, post-norm, eps 1e-12), mean pooling over the attention mask and L2 normalisation. In eval
    mode under inference_mode, PyTorch takes its fused encoder fast path (nested tensors skip the padding).
    Input: token-id tensors of exactly the lengths our tokenizer produced (--lengths FILE, written by the
    C# benchmark: a JSON object with "lengths", one per sentence, in order); batches are consecutive runs of
    sentences, each padded to its longest, cycled over, as ours. Without --lengths the same generator is
    not reproduced: lengths are drawn as words (5..20) + 3 ([CLS], the full stop, [SEP]), seeded, a rough
    model of short English sentences (most common words are one WordPiece). Tokenisation is not timed here.

Each measurement sets torch.set_num_threads(N) for N in --threads (and the same count for the OpenBLAS that
PyTorch's matrix products call here, which torch.set_num_threads leaves at all cores), warms up (>= 2 calls and >= 0.5 s),
then times ~0.5 s rounds until >= --seconds of rounds are kept (rounds in which other processes used more
than --max-load of the processors are dropped; after --timeout all rounds are used, flagged noisy), and
reports the median over rounds of items/s (and the mean). Other thread settings are left as the
environment sets them.

Usage: /usr/bin/python3 eval/peers/deep_peers.py [--json] [--quick] [--seconds S] [--threads 1,2]
                                                [--resnet-batches 1,16] [--minilm-batches 1,32]
                                                [--lengths FILE] [--wait-quiet S] [--max-load F] [--timeout S]
"""
import argparse
import json
import os
import platform
import random
import statistics
import sys
import time
import warnings

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from rbm_peers import _busy_ticks, _own_cpu, wait_quiet  # noqa: E402 - shared load helpers

ROUND_SECONDS = 0.5
SEED = 20240611
VOCAB, HIDDEN, LAYERS, HEADS, FFN, MAX_POSITIONS = 30522, 384, 6, 12, 1536, 512


def measure(step, items_per_call, seconds, max_load, wait, timeout):
    """Warm-up, then ~0.5 s rounds of step() until the kept rounds add up to >= seconds (and >= 3 rounds)."""
    waited = wait_quiet(wait)
    start = time.perf_counter()
    calls = 0
    while calls < 2 or time.perf_counter() - start < 0.5:
        step()
        calls += 1
    timeout = timeout if timeout is not None else seconds + max(3 * seconds, wait)
    hz = os.sysconf("SC_CLK_TCK")
    rounds = []  # (calls, seconds, foreign)
    clock = time.perf_counter()
    noisy = False
    while True:
        busy0, own0 = _busy_ticks(), _own_cpu()
        t0 = time.perf_counter()
        n = 0
        while True:
            step()
            n += 1
            elapsed = time.perf_counter() - t0
            if elapsed >= ROUND_SECONDS:
                break
        busy1, own1 = _busy_ticks(), _own_cpu()
        foreign = None
        if busy0 is not None and busy1 is not None:
            foreign = min(1.0, max(0.0, ((busy1 - busy0) / hz - (own1 - own0)) / (elapsed * (os.cpu_count() or 1))))
        rounds.append((n, elapsed, foreign))
        kept = [r for r in rounds if r[2] is None or r[2] <= max_load]
        if len(kept) >= 3 and sum(r[1] for r in kept) >= seconds:
            used = kept
            break
        if time.perf_counter() - clock > timeout:
            used, noisy = rounds, True
            break
    calls = sum(r[0] for r in used)
    total = sum(r[1] for r in used)
    loads = [(r[2], r[1]) for r in used if r[2] is not None]
    foreign = sum(f * t for f, t in loads) / sum(t for _, t in loads) if loads else None
    return {"items_per_second": statistics.median(r[0] * items_per_call / r[1] for r in used),
            "mean_items_per_second": calls * items_per_call / total, "calls": calls, "seconds": total,
            "foreign_cpu": foreign, "rounds_used": len(used), "rounds_discarded": len(rounds) - len(used),
            "noisy": noisy, "waited_for_quiet_seconds": waited}


class OpenBlas:
    """PyTorch's BLAS here (Debian: OpenBLAS, pthreads) keeps its own thread pool, which torch.set_num_threads does not
    change (it would stay at all cores); the MiniLM peer's matrix products run there, so its thread count is set to N too."""

    def __init__(self):
        self.lib = None
        try:
            import ctypes
            lib = ctypes.CDLL("libopenblas.so.0", mode=getattr(os, "RTLD_NOLOAD", 0) | ctypes.RTLD_GLOBAL)
            lib.openblas_get_corename.restype = ctypes.c_char_p
            self.lib = lib
        except OSError:
            pass

    def set_threads(self, n):
        if self.lib is not None:
            self.lib.openblas_set_num_threads(n)

    def threads(self):
        return self.lib.openblas_get_num_threads() if self.lib is not None else None

    def corename(self):
        return self.lib.openblas_get_corename().decode() if self.lib is not None else None


OPENBLAS = None


def set_threads(torch, n):
    torch.set_num_threads(n)
    if OPENBLAS is not None:
        OPENBLAS.set_threads(n)


def conv_gmacs(torch, model):
    """Multiply-accumulates of the convolutions for one 224x224 image, in billions."""
    total = [0]

    def hook(module, inputs, output):
        k = module.kernel_size[0] * module.kernel_size[1] * module.in_channels // module.groups
        total[0] += output.numel() * k

    hooks = [m.register_forward_hook(hook) for m in model.modules() if isinstance(m, torch.nn.Conv2d)]
    with torch.inference_mode():
        model(torch.zeros(1, 3, 224, 224))
    for h in hooks:
        h.remove()
    return total[0] / 1e9


def bench_resnet(torch, batches, threads, opts):
    try:
        import torchvision
        from torchvision.models import resnet18
        from torchvision.models.resnet import BasicBlock, ResNet
    except Exception as e:  # noqa: BLE001 - report any import failure as a skip
        return {"skipped": f"torchvision not importable ({type(e).__name__}: {e}); install with `sudo tools/setup.sh --bench`"}
    out = {"torchvision": torchvision.__version__, "dtype": "float32", "input": "[batch, 3, 224, 224]",
           "mode": "eval(), torch.inference_mode(), fc = Identity (512 pooled activations)", "variants": []}
    variants = [("resnet-2223", "ResNet(BasicBlock, [2, 2, 2, 3]): the layer layout of our ResNet18.onnx",
                 lambda: ResNet(BasicBlock, [2, 2, 2, 3]), False),
                ("resnet18", "torchvision.models.resnet18(weights=None)", lambda: resnet18(weights=None), False),
                ("resnet-2223-jit", "ResNet(BasicBlock, [2, 2, 2, 3]) through torch.jit.optimize_for_inference(torch.jit.script(model)) "
                 "(batch norm folded into the convolutions, oneDNN layouts kept between layers): PyTorch tuned for inference",
                 lambda: ResNet(BasicBlock, [2, 2, 2, 3]), True)]
    for name, what, make, jit in variants:
        torch.manual_seed(0)
        model = make()
        model.fc = torch.nn.Identity()
        model.eval()
        v = {"name": name, "model": what, "parameters": sum(p.numel() for p in model.parameters()),
             "conv_gmacs_per_image": conv_gmacs(torch, model), "measurements": []}
        if jit:
            with torch.no_grad():
                model = torch.jit.optimize_for_inference(torch.jit.script(model))
        for n in threads:
            set_threads(torch, n)
            for b in batches:
                x = torch.rand(b, 3, 224, 224, generator=torch.Generator().manual_seed(b)) * 256 - 128

                def step():
                    with torch.inference_mode():
                        return model(x)

                r = measure(step, b, opts.seconds, opts.max_load, opts.wait_quiet, opts.timeout)
                r.update({"batch": b, "threads": torch.get_num_threads(), "openblas_threads": OPENBLAS.threads()})
                v["measurements"].append(r)
                print(f"{name} batch {b} threads {n}: {r['items_per_second']:.1f} images/s", file=sys.stderr)
        out["variants"].append(v)
    return out


def minilm_model(torch):
    nn = torch.nn

    class MiniLm(nn.Module):
        def __init__(self):
            super().__init__()
            self.word = nn.Embedding(VOCAB, HIDDEN)
            self.position = nn.Embedding(MAX_POSITIONS, HIDDEN)
            self.token_type = nn.Embedding(2, HIDDEN)
            self.norm = nn.LayerNorm(HIDDEN, eps=1e-12)
            layer = nn.TransformerEncoderLayer(HIDDEN, HEADS, FFN, dropout=0.0, activation="gelu",
                                               layer_norm_eps=1e-12, batch_first=True, norm_first=False)
            self.encoder = nn.TransformerEncoder(layer, LAYERS)

        def forward(self, ids, mask):
            positions = torch.arange(ids.shape[1]).unsqueeze(0)
            x = self.norm(self.word(ids) + self.position(positions) + self.token_type(torch.zeros_like(ids)))
            h = self.encoder(x, src_key_padding_mask=mask == 0)
            m = mask.unsqueeze(-1).to(h.dtype)
            pooled = (h * m).sum(1) / m.sum(1).clamp(min=1e-9)
            return torch.nn.functional.normalize(pooled, p=2.0, dim=1)

    return MiniLm()


def fallback_lengths():
    rng = random.Random(SEED)
    return [rng.randint(5, 20) + 3 for _ in range(256)]


def bench_minilm(torch, batches, threads, lengths, opts):
    torch.manual_seed(0)
    model = minilm_model(torch).eval()
    out = {"model": "BERT encoder of all-MiniLM-L6's shape from torch.nn (6 x TransformerEncoderLayer(384, 12, 1536, gelu, "
                    "batch_first, post-norm)), word/position/type embeddings + LayerNorm, masked mean pooling, L2 norm",
           "parameters": sum(p.numel() for p in model.parameters()), "dtype": "float32",
           "mode": "eval(), torch.inference_mode() (PyTorch's fused encoder fast path with nested tensors)",
           "sentences": len(lengths), "mean_tokens": sum(lengths) / len(lengths), "measurements": []}
    gen = torch.Generator().manual_seed(SEED)
    for n in threads:
        set_threads(torch, n)
        for b in batches:
            chunks = [lengths[i:i + b] for i in range(0, len(lengths) - b + 1, b)]
            inputs = []
            for chunk in chunks:
                width = max(chunk)
                ids = torch.zeros(len(chunk), width, dtype=torch.long)
                mask = torch.zeros(len(chunk), width, dtype=torch.long)
                for i, length in enumerate(chunk):
                    ids[i, :length] = torch.randint(1000, VOCAB, (length,), generator=gen)
                    ids[i, 0], ids[i, length - 1] = 101, 102
                    mask[i, :length] = 1
                inputs.append((ids, mask))
            index = [0]

            def step():
                ids, mask = inputs[index[0] % len(inputs)]
                index[0] += 1
                with torch.inference_mode():
                    return model(ids, mask)

            r = measure(step, b, opts.seconds, opts.max_load, opts.wait_quiet, opts.timeout)
            r.update({"batch": b, "threads": torch.get_num_threads(), "openblas_threads": OPENBLAS.threads(), "distinct_batches": len(inputs),
                      "mean_padded_tokens": sum(max(c) for c in chunks) / len(chunks)})
            out["measurements"].append(r)
            print(f"minilm batch {b} threads {n}: {r['items_per_second']:.1f} sentences/s", file=sys.stderr)
    return out


def ints(text):
    return [int(x) for x in text.split(",") if x.strip()]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", action="store_true", help="print only JSON on stdout (progress goes to stderr)")
    parser.add_argument("--quick", action="store_true", help="~1 s per measurement")
    parser.add_argument("--seconds", type=float, default=None, help="seconds per measurement (default 5, 1 with --quick)")
    parser.add_argument("--threads", type=ints, default=None, help="torch thread counts, comma-separated (default 1,cpu_count)")
    parser.add_argument("--resnet-batches", type=ints, default=[1, 16])
    parser.add_argument("--minilm-batches", type=ints, default=[1, 32])
    parser.add_argument("--lengths", default=None, help="JSON file with the token length of each sentence")
    parser.add_argument("--skip", default="", help="comma-separated: resnet, minilm")
    parser.add_argument("--wait-quiet", type=float, default=0.0)
    parser.add_argument("--max-load", type=float, default=1.0)
    parser.add_argument("--timeout", type=float, default=None)
    opts = parser.parse_args()
    opts.seconds = opts.seconds if opts.seconds is not None else (1.0 if opts.quick else 5.0)
    threads = opts.threads or sorted({1, os.cpu_count() or 1})
    skip = set(x.strip() for x in opts.skip.split(",") if x.strip())

    doc = {"script": "eval/peers/deep_peers.py", "python": platform.python_version(), "executable": sys.executable,
           "seconds_per_measurement": opts.seconds, "max_load": opts.max_load, "wait_quiet_seconds": opts.wait_quiet,
           "threads": threads, "niceness": os.nice(0),
           "environment": {k: os.environ.get(k) for k in ("OMP_NUM_THREADS", "OMP_WAIT_POLICY", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS", "OPENBLAS_CORETYPE")}}
    try:
        import torch
    except Exception as e:  # noqa: BLE001
        doc["skipped"] = f"PyTorch not importable ({type(e).__name__}: {e}); install with `sudo tools/setup.sh --bench`"
        print(json.dumps(doc, indent=2))
        return 0
    # torch 1.13 warns that nested tensors (its encoder fast path for padded batches) are a prototype.
    warnings.filterwarnings("ignore", message="The PyTorch API of nested tensors")
    doc["torch"] = torch.__version__
    doc["mkldnn"] = bool(torch.backends.mkldnn.is_available())
    doc["cpu_capability"] = next((line.split(":", 1)[1].strip() for line in torch.__config__.show().splitlines()
                                  if "CPU capability usage" in line), None)
    global OPENBLAS
    OPENBLAS = OpenBlas()
    doc["openblas"] = {"corename": OPENBLAS.corename(), "threads_at_start": OPENBLAS.threads()} if OPENBLAS.lib is not None else None
    doc["parallel_backend"] = next((line.split(":", 1)[1].strip() for line in torch.__config__.parallel_info().splitlines()
                                    if line.startswith("ATen parallel backend")), None)

    if opts.lengths:
        with open(opts.lengths) as f:
            lengths = json.load(f)["lengths"]
        doc["lengths"] = f"from {opts.lengths} (our tokenizer's)"
    else:
        lengths = fallback_lengths()
        doc["lengths"] = "fallback model: uniform 5..20 words + 3 tokens, seeded (no --lengths)"

    # One model at a time: the machine is small and noisy.
    if "resnet" not in skip:
        doc["resnet"] = bench_resnet(torch, opts.resnet_batches, threads, opts)
    if "minilm" not in skip:
        doc["minilm"] = bench_minilm(torch, opts.minilm_batches, threads, lengths, opts)
    print(json.dumps(doc, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
