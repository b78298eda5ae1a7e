using System.Diagnostics;
using Affect.Search.Compute;
using Affect.Search.Compute.Cpu;
using Affect.Search.Model.Data;
using Affect.Search.Model.Layers;
using Affect.Search.Model.Rbm;

namespace Affect.Search.Benchmarks;

/// <summary>Mean time of one phase of the CD-1 step.</summary>
public sealed record PhaseTime(string Phase, double MeanMilliseconds, double Percent, double? Gflops, double? GigabytesPerSecond);

/// <summary>Per-phase breakdown of a CD-1 step.</summary>
/// <param name="MaxAbsWeightDifference">After the same steps from the same start, |W_scratch - W_trainer| max: shows the scratch copy computes what the trainer computes.</param>
public sealed record StepProfile(long Steps, double MeanStepMilliseconds, double GemmMilliseconds, double NonGemmMilliseconds,
    IReadOnlyList<PhaseTime> Phases, double MaxAbsWeightDifference, IReadOnlyList<PhaseTime> Experiments, Load Load);

/// <summary>
/// A scratch copy of <see cref="ContrastiveDivergenceTrainer.Step"/> (CD-1, dense Bernoulli visibles)
/// built from the same public backend calls, with a Stopwatch around every phase. It lives here, not
/// in src: it exists only to show where the step's time goes.
/// </summary>
public static class StepProfiler
{
    public static StepProfile Run(CpuBackend backend, RbmShape shape, RbmBenchmarkOptions options)
    {
        var data = RbmBenchmark.MakeData(shape);
        var batches = RbmBenchmark.UploadBatches(backend, data, shape.Batch);
        try
        {
            double diff = CheckAgainstTrainer(backend, shape, batches);
            using var scratch = new ScratchStep(backend, shape);
            var phases = scratch.Phases;
            long step = 0;
            for (int i = 0; i < RbmBenchmark.WarmupSteps; i++) scratch.Run(batches[step++ % batches.Length], null);
            // Rounds: (per-phase ticks, steps, wall ticks), kept only when the machine was quiet.
            var (rounds, load) = QuietRounds.Run(() => (Ticks: new long[phases.Length], Steps: new long[1], Wall: new long[1]), round =>
                {
                    long t0 = Stopwatch.GetTimestamp();
                    scratch.Run(batches[step++ % batches.Length], round.Ticks);
                    round.Wall[0] += Stopwatch.GetTimestamp() - t0;
                    round.Steps[0]++;
                },
                used => used.Sum(r => r.Steps[0]) >= 3 && used.Sum(r => r.Wall[0]) / (double)Stopwatch.Frequency >= options.SecondsPerMeasurement,
                options.MaxForeignLoad, options.MeasurementTimeoutSeconds);
            long steps = rounds.Sum(r => r.Steps[0]);
            double total = rounds.Sum(r => r.Wall[0]) * 1000.0 / Stopwatch.Frequency / steps;
            double flops = 2.0 * shape.Batch * shape.Visible * shape.Hidden;
            var list = new List<PhaseTime>();
            for (int p = 0; p < phases.Length; p++)
            {
                double ms = rounds.Sum(r => r.Ticks[p]) * 1000.0 / Stopwatch.Frequency / steps;
                var (name, _, kind, bytes) = phases[p];
                list.Add(new PhaseTime(name, ms, 100 * ms / total,
                    kind == PhaseKind.Gemm ? flops / (ms / 1000) / 1e9 : null,
                    bytes > 0 ? bytes / (ms / 1000) / 1e9 : null));
            }
            double gemm = list.Where((_, i) => phases[i].Kind == PhaseKind.Gemm).Sum(p => p.MeanMilliseconds);
            var experiments = Experiments(backend, shape, options);
            return new StepProfile(steps, total, gemm, total - gemm, list, diff, experiments, load);
        }
        finally
        {
            foreach (var b in batches) b.Dispose();
        }
    }

    /// <summary>Runs the trainer and the scratch copy for a few steps from the same start and compares the weights.</summary>
    private static double CheckAgainstTrainer(CpuBackend backend, RbmShape shape, VisibleBatch[] batches)
    {
        using var rbm = new RestrictedBoltzmannMachine(backend, new BernoulliLayer(shape.Visible), shape.Hidden, new RandomStream(RbmBenchmark.Seed));
        using var trainer = new ContrastiveDivergenceTrainer(rbm, RbmBenchmark.TrainerOptions(shape));
        using var scratch = new ScratchStep(backend, shape);
        for (int i = 0; i < 3; i++)
        {
            trainer.Step(batches[i], RbmBenchmark.LearningRate, RbmBenchmark.Momentum);
            scratch.Run(batches[i], null);
        }
        var a = rbm.Weights.ToArray();
        var b = scratch.Rbm.Weights.ToArray();
        double max = 0;
        for (int i = 0; i < a.Length; i++) max = Math.Max(max, Math.Abs(a[i] - b[i]));
        return max;
    }

    internal enum PhaseKind { Gemm, Other }

    /// <summary>The trainer's CD-1 step, phase by phase (same calls, same order, same arguments).</summary>
    private sealed class ScratchStep : IDisposable
    {
        private readonly CpuBackend _b;
        private readonly RandomStream _random = new(RbmBenchmark.Seed);
        private readonly FloatMatrix _vW, _vB, _vA, _h0, _hs, _v1, _h1;
        private VisibleBatch _v0 = null!;
        private const float Lr = RbmBenchmark.LearningRate, M = RbmBenchmark.Momentum, Wd = RbmBenchmark.WeightDecay;
        private float Scale => Lr / _v0.Rows;

        public ScratchStep(CpuBackend backend, RbmShape shape)
        {
            _b = backend;
            Rbm = new RestrictedBoltzmannMachine(backend, new BernoulliLayer(shape.Visible), shape.Hidden, new RandomStream(RbmBenchmark.Seed));
            int v = shape.Visible, h = shape.Hidden, n = shape.Batch;
            _vW = backend.Allocate(v, h); _vB = backend.Allocate(1, v); _vA = backend.Allocate(1, h);
            _h0 = backend.Allocate(n, h); _hs = backend.Allocate(n, h); _v1 = backend.Allocate(n, v); _h1 = backend.Allocate(n, h);
            long vh = 4L * v * h, nh = 4L * n * h, nv = 4L * n * v;
            var r = Rbm;
            float s = r.HiddenBiasScale;
            Phases =
            [
                ("gemm h0 = v0 W", () => _v0.Project(_b, r.UpFactor, r.Weights, 0f, _h0), PhaseKind.Gemm, 0),
                ("logistic h0 (+a)", () => r.Hidden.Activate(_b, _h0, r.HiddenBias, s), PhaseKind.Other, 2 * nh),
                ("gemm vW = m vW + c v0'h0", () => _v0.AccumulateOuter(_b, Scale, _h0, M, _vW), PhaseKind.Gemm, 0),
                ("column sums v0, h0 -> vb, va", () => { _v0.AccumulateColumnSums(_b, Scale, M, _vB); _b.ColumnSums(Scale * s, _h0, M, _vA); }, PhaseKind.Other, nv + nh),
                ("sample h ~ Bernoulli(h0)", () => r.Hidden.Sample(_b, _h0, _hs, _random), PhaseKind.Other, 2 * nh),
                ("gemm v1 = h W'", () => _b.Gemm(Transpose.No, Transpose.Yes, r.DownFactor, _hs, r.Weights, 0f, _v1), PhaseKind.Gemm, 0),
                ("logistic v1 (+b)", () => r.Visible.Activate(_b, _v1, r.VisibleBias), PhaseKind.Other, 2 * nv),
                ("reconstruction error", () => Error = _b.SumOfSquaredDifferences(_v0.Dense!, _v1), PhaseKind.Other, 2 * nv),
                ("gemm h1 = v1 W", () => _b.Gemm(Transpose.No, Transpose.No, r.UpFactor, _v1, r.Weights, 0f, _h1), PhaseKind.Gemm, 0),
                ("logistic h1 (+a)", () => r.Hidden.Activate(_b, _h1, r.HiddenBias, s), PhaseKind.Other, 2 * nh),
                ("gemm vW -= c v1'h1", () => _b.Gemm(Transpose.Yes, Transpose.No, -Scale, _v1, _h1, 1f, _vW), PhaseKind.Gemm, 0),
                ("column sums v1, h1", () => { _b.ColumnSums(-Scale, _v1, 1f, _vB); _b.ColumnSums(-Scale * s, _h1, 1f, _vA); }, PhaseKind.Other, nv + nh),
                ("weight decay vW -= lr wd W", () => _b.Axpby(-Lr * Wd, r.Weights, 1f, _vW), PhaseKind.Other, 3 * vh),
                ("update W += vW", () => _b.Axpby(1f, _vW, 1f, r.Weights), PhaseKind.Other, 3 * vh),
                ("update biases", () => { _b.Axpby(1f, _vB, 1f, r.VisibleBias); _b.Axpby(1f, _vA, 1f, r.HiddenBias); }, PhaseKind.Other, 0),
            ];
        }

        public RestrictedBoltzmannMachine Rbm { get; }
        public double Error { get; private set; }

        /// <summary>(name, body, kind, bytes moved at least once: for a GB/s figure on the streaming phases).</summary>
        public (string Name, Action Body, PhaseKind Kind, long Bytes)[] Phases { get; }

        public void Run(VisibleBatch v0, long[]? ticks)
        {
            _v0 = v0;
            for (int p = 0; p < Phases.Length; p++)
            {
                long t0 = Stopwatch.GetTimestamp();
                Phases[p].Body();
                if (ticks is not null) ticks[p] += Stopwatch.GetTimestamp() - t0;
            }
        }

        public void Dispose()
        {
            Rbm.Dispose();
            foreach (var m in new[] { _vW, _vB, _vA, _h0, _hs, _v1, _h1 }) m.Dispose();
        }
    }

    /// <summary>Alternatives to the slow phases, measured alone (results feed the report's suggestions).</summary>
    private static List<PhaseTime> Experiments(CpuBackend backend, RbmShape shape, RbmBenchmarkOptions options)
    {
        var list = new List<PhaseTime>();
        int v = shape.Visible, h = shape.Hidden;
        long vh = 4L * v * h;
        using var w = backend.FromArray(Enumerable.Range(0, v * h).Select(i => (i % 97) * 1e-4f).ToArray(), v, h);
        using var vw = backend.FromArray(Enumerable.Range(0, v * h).Select(i => (i % 89) * 1e-6f).ToArray(), v, h);
        var wd = ((CpuMatrix)w).Data;
        var vwd = ((CpuMatrix)vw).Data;

        void Add(string name, Action body, long bytes)
        {
            var (rounds, _) = QuietRounds.Run(() => new List<double>(), round =>
                {
                    long t0 = Stopwatch.GetTimestamp();
                    body();
                    round.Add(Stopwatch.GetElapsedTime(t0).TotalSeconds);
                },
                used => used.Sum(r => r.Sum()) >= options.SecondsPerMeasurement / 3,
                options.MaxForeignLoad, options.MeasurementTimeoutSeconds);
            var t = TimingBuilder.From(rounds.SelectMany(r => r).ToList());
            double ms = t.MeanSeconds * 1000;
            list.Add(new PhaseTime(name, ms, double.NaN, null, bytes / t.MeanSeconds / 1e9));
        }

        // As the trainer does it today: two backend passes over V x H.
        Add("today: Axpby(decay) + Axpby(update), 2 passes", () =>
        {
            backend.Axpby(-1e-9f, w, 1f, vw);
            backend.Axpby(1f, vw, 1f, w);
        }, 6 * vh);
        // Fused: one pass, cache-sized chunks, both statements per chunk (same arithmetic).
        Add("fused decay+update, 1 pass (chunked, parallel)", () => FusedDecayUpdate(wd, vwd, -1e-9f), 4 * vh);
        // The same fused pass on one thread (shows whether the pass is bandwidth- or thread-bound).
        Add("fused decay+update, 1 pass, 1 thread", () => FusedDecayUpdateRange(wd, vwd, -1e-9f, 0, wd.Length), 4 * vh);
        return list;
    }

    internal static void FusedDecayUpdate(float[] w, float[] vw, float decay)
    {
        const int chunk = 16 * 1024; // 64 KiB per array: stays in L2 between the two statements
        int chunks = (w.Length + chunk - 1) / chunk;
        Parallel.For(0, Environment.ProcessorCount, p =>
        {
            int per = (chunks + Environment.ProcessorCount - 1) / Environment.ProcessorCount;
            int c0 = p * per, c1 = Math.Min(chunks, c0 + per);
            for (int c = c0; c < c1; c++)
            {
                int s = c * chunk, e = Math.Min(w.Length, s + chunk);
                FusedDecayUpdateRange(w, vw, decay, s, e);
            }
        });
    }

    private static void FusedDecayUpdateRange(float[] w, float[] vw, float decay, int start, int end)
    {
        var ws = w.AsSpan(start, end - start);
        var vs = vw.AsSpan(start, end - start);
        System.Numerics.Tensors.TensorPrimitives.MultiplyAdd(ws, decay, vs, vs); // vW += decay * W
        System.Numerics.Tensors.TensorPrimitives.Add(ws, vs, ws);                // W += vW
    }
}
