using System.Diagnostics;
using System.Globalization;
using Affect.Search.Compute;
using Affect.Search.Compute.Cpu;
using Affect.Search.Model.Data;
using Affect.Search.Model.Layers;
using Affect.Search.Model.Rbm;

namespace Affect.Search.Benchmarks;

/// <summary>Command-line options of the <c>rbm</c> benchmark.</summary>
public sealed record RbmBenchmarkOptions(string? JsonPath, string? MarkdownPath, bool Quick, double SecondsPerMeasurement, bool Peers, bool Profile, double WaitQuietSeconds, double MaxForeignLoad)
{
    public static RbmBenchmarkOptions Parse(string[] args)
    {
        string? json = null, markdown = null;
        bool quick = false, peers = false, profile = false;
        double? seconds = null, waitQuiet = null, maxLoad = null;
        for (int i = 0; i < args.Length; i++)
        {
            string Value() => i + 1 < args.Length ? args[++i] : throw new CliException($"{args[i]} needs a value");
            switch (args[i])
            {
                case "--json": json = Value(); break;
                case "--markdown": markdown = Value(); break;
                case "--quick": quick = true; break;
                case "--peers": peers = true; break;
                case "--profile": profile = true; break;
                case "--seconds":
                    var text = Value();
                    if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var s) || !(s > 0))
                        throw new CliException($"--seconds needs a positive number, got '{text}'");
                    seconds = s;
                    break;
                case "--wait-quiet":
                    var wq = Value();
                    if (!double.TryParse(wq, NumberStyles.Float, CultureInfo.InvariantCulture, out var w) || w < 0)
                        throw new CliException($"--wait-quiet needs a number of seconds >= 0, got '{wq}'");
                    waitQuiet = w;
                    break;
                case "--max-load":
                    var ml = Value();
                    if (!double.TryParse(ml, NumberStyles.Float, CultureInfo.InvariantCulture, out var l) || l <= 0 || l > 1)
                        throw new CliException($"--max-load needs a fraction in (0, 1], got '{ml}'");
                    maxLoad = l;
                    break;
                default: throw new CliException($"unknown option '{args[i]}'");
            }
        }
        return new RbmBenchmarkOptions(json, markdown, quick, seconds ?? (quick ? 1.0 : 3.0), peers, profile, waitQuiet ?? (quick ? 0 : 60), maxLoad ?? (quick ? 1.0 : 0.15));
    }

    /// <summary>How long one measurement may run while waiting for enough quiet rounds.</summary>
    public double MeasurementTimeoutSeconds => SecondsPerMeasurement + Math.Max(3 * SecondsPerMeasurement, WaitQuietSeconds);
}

/// <summary>One RBM shape of the benchmark.</summary>
public sealed record RbmShape(int Visible, int Hidden, int Batch)
{
    public override string ToString() => $"{Visible}x{Hidden}";

    /// <summary>Floating-point operations of one CD-1 step per sample: five V x H products of 2 flops per multiply-add.</summary>
    public double FlopsPerSample => 10.0 * Visible * Hidden;
}

/// <summary>The rate of one GEMM shape, measured through <see cref="CpuBackend.Gemm"/>.</summary>
/// <param name="TimesPerStep">How many of the step's five products have this shape.</param>
public sealed record GemmShapeResult(string Product, string Op, int M, int N, int K, float Beta, int TimesPerStep, double Gflops, double MedianGflops, Timing Timing);

/// <summary>The sgemm rates of the products that make up a CD-1 step.</summary>
/// <param name="Shapes">Each distinct product shape.</param>
/// <param name="StepMixGflops">5 products' flops / the time of the 5 products run back to back: the rate a step would reach if it were pure sgemm. The ratio's denominator.</param>
/// <param name="ArithmeticMeanGflops">Plain mean of the distinct shapes' rates (for reference).</param>
public sealed record SgemmResult(string Backend, IReadOnlyList<GemmShapeResult> Shapes, double StepMixGflops, double MedianStepMixGflops, double ArithmeticMeanGflops);

/// <summary>CD-1 training throughput on one backend.</summary>
public sealed record CdResult(string Backend, long Steps, double Seconds, double SamplesPerSecond, double MedianSamplesPerSecond, double Gflops,
    double ReconstructionErrorPerSampleFirst, double ReconstructionErrorPerSampleLast, bool WeightsFinite, Timing Timing);

/// <summary>The managed-GEMM backend compared with the OpenBLAS one (1024x512 only), steps interleaved.</summary>
public sealed record ManagedComparison(CdResult Cd, CdResult OpenBlasCd, double SamplesPerSecondRatio, double SgemmStepMixGflops, double OpenBlasSgemmStepMixGflops, double SgemmRatio, Load Load);

/// <summary>Everything measured for one shape.</summary>
/// <param name="RatioToSgemm">Ours GFLOP/s / same-run sgemm step-mix GFLOP/s (totals over the interleaved pairs).</param>
/// <param name="MedianPairRatio">Median over the pairs (sgemm sequence, then one step) of the per-pair ratio: robust to the shared machine's load swings.</param>
public sealed record RbmShapeResult(
    int Visible, int Hidden, int Batch, double FlopsPerSample,
    CdResult Ours, SgemmResult Sgemm, double RatioToSgemm, double MedianPairRatio, Load Load,
    ManagedComparison? Managed,
    double? SklearnSamplesPerSecond, double? TorchSamplesPerSecond,
    double? OursOverSklearn, double? OursOverTorch,
    StepProfile? Profile);

/// <summary>The goal of the issue, evaluated at 4096x2048. Met is null when a part could not be measured (peers not run) and no measured part failed.</summary>
public sealed record GoalCheck(string Shape, double RatioToSgemm, bool SgemmRatioMet, double? OursOverTorch, bool? TorchMet, double? OursOverSklearn, bool? SklearnMet, bool? Met);

/// <summary>The whole report.</summary>
public sealed record RbmReport(
    string Benchmark, BenchEnvironment Environment, RbmSettings Settings,
    IReadOnlyList<RbmShapeResult> Results, GoalCheck? Goal,
    System.Text.Json.Nodes.JsonNode? Peers, string? PeersNote);

/// <summary>The fixed settings (recorded with the results).</summary>
public sealed record RbmSettings(
    double SecondsPerMeasurement, bool Quick, int WarmupSteps, int DistinctBatches, double DataOneProbability, ulong Seed,
    float LearningRate, float Momentum, float WeightDecay, int GibbsSteps, string FlopCount, string Method, double MaxForeignLoad, double WaitQuietSeconds);

/// <summary>The <c>rbm</c> benchmark: CD-1 throughput against same-run sgemm, the managed backend and the peers.</summary>
public static class RbmBenchmark
{
    public static readonly RbmShape[] Shapes = [new(1024, 512, 100), new(4096, 2048, 256)];
    public const int DistinctBatches = 20;
    public const double OneProbability = 0.3;
    public const ulong Seed = 20240611;
    public const float LearningRate = 0.05f, Momentum = 0.9f, WeightDecay = 0.0002f;
    public const int WarmupSteps = 2;

    public const string Method =
        "Pairs, repeated until the CD steps alone have run >= the measurement time: the step's five sgemm products " +
        "(same shapes, own buffers, back to back through CpuBackend.Gemm), then one ContrastiveDivergenceTrainer.Step. " +
        "So every step is measured right after sgemm under the same machine load; rates are totals over all pairs used. " +
        "Before anything is timed, ~1 s of untimed pairs on the small shape lets tiered JIT compilation finish. " +
        "The machine is shared: measurements run in ~0.5 s rounds and rounds in which other processes used more than --max-load of the processors are discarded " +
        "(if quiet rounds do not add up in time, all rounds are used and the result is flagged noisy).";

    public static int Run(RbmBenchmarkOptions options)
    {
        var environment = BenchEnvironment.Capture();
        if (!OpenBlas.IsAvailable)
        {
            Console.Error.WriteLine("OpenBLAS is not installed, so the benchmark's reference (OpenBLAS sgemm) cannot be measured. Run `sudo tools/setup.sh`.");
            return 1;
        }
        Log($"rbm benchmark: {options.SecondsPerMeasurement:0.#} s per measurement, OPENBLAS_CORETYPE={environment.OpenblasCoretype ?? "(unset)"}, " +
            $"OPENBLAS_NUM_THREADS={environment.OpenblasNumThreads ?? "(unset)"} (OpenBLAS uses {environment.OpenblasThreads?.ToString() ?? "?"} threads), {environment.ProcessorCount} processors");

        JitWarmup();
        var results = new List<RbmShapeResult>();
        foreach (var shape in Shapes)
        {
            // Strictly one thing at a time: the machine is small and noisy.
            using var backend = new CpuBackend(useOpenBlas: true);
            using var run = new CdRun(backend, shape);
            using var sequence = new SgemmSequence(backend, shape);
            WaitQuiet(options, $"{shape}");
            var (ours, sgemm, medianPairRatio, load) = MeasurePairs(run, sequence, options);
            double ratio = ours.Gflops / sgemm.StepMixGflops;
            Log($"{shape} batch {shape.Batch}: sgemm step mix {sgemm.StepMixGflops:0.0} GFLOP/s ({string.Join(", ", sgemm.Shapes.Select(s => $"{s.Product} {s.Gflops:0.0}"))}); " +
                $"CD-1 {ours.SamplesPerSecond:N0} samples/s, {ours.Gflops:0.0} GFLOP/s = {ratio:0.00} of sgemm (median pair {medianPairRatio:0.00}); {Describe(load)}");

            ManagedComparison? managed = null;
            if (shape.Visible == 1024)
            {
                using var managedBackend = new CpuBackend(useOpenBlas: false);
                using var managedRun = new CdRun(managedBackend, shape);
                using var managedSequence = new SgemmSequence(managedBackend, shape);
                WaitQuiet(options, $"{shape} managed");
                managed = MeasureManaged(run, sequence, managedRun, managedSequence, options);
                Log($"{shape} batch {shape.Batch}: managed GEMM backend {managed.Cd.SamplesPerSecond:N0} samples/s = {managed.SamplesPerSecondRatio:0.000} x OpenBLAS " +
                    $"(sgemm step mix {managed.SgemmStepMixGflops:0.0} vs {managed.OpenBlasSgemmStepMixGflops:0.0} GFLOP/s); {Describe(managed.Load)}");
            }

            StepProfile? profile = null;
            if (options.Profile)
            {
                WaitQuiet(options, $"{shape} profile");
                profile = StepProfiler.Run(backend, shape, options);
                Log($"{shape} batch {shape.Batch}: profiled step {profile.MeanStepMilliseconds:0.00} ms (trainer step {1000 * ours.Timing.MeanSeconds:0.00} ms); {Describe(profile.Load)}");
            }

            results.Add(new RbmShapeResult(shape.Visible, shape.Hidden, shape.Batch, shape.FlopsPerSample,
                ours, sgemm, ratio, medianPairRatio, load, managed, null, null, null, null, profile));
        }

        System.Text.Json.Nodes.JsonNode? peers = null;
        string? peersNote = null;
        if (options.Peers)
        {
            (peers, peersNote) = PeerRunner.Run(options);
            if (peersNote is not null) Log($"peers: {peersNote}");
            results = results.Select(r => WithPeers(r, peers)).ToList();
        }
        else peersNote = "peers not run (pass --peers)";

        var goal = EvaluateGoal(results.FirstOrDefault(r => r.Visible == 4096));
        var settings = new RbmSettings(options.SecondsPerMeasurement, options.Quick, WarmupSteps, DistinctBatches, OneProbability, Seed,
            LearningRate, Momentum, WeightDecay, 1, "10*V*H flops per sample (five V x H products)", Method, options.MaxForeignLoad, options.WaitQuietSeconds);
        var report = new RbmReport("rbm-cd1", environment, settings, results, goal, peers, peersNote);

        var markdown = ReportWriter.Markdown(report);
        Console.WriteLine(markdown);
        if (options.MarkdownPath is { } md) WriteFile(md, markdown);
        if (options.JsonPath is { } js) WriteFile(js, ReportWriter.Json(report));
        return 0;
    }

    private static void WriteFile(string path, string text)
    {
        var full = Path.GetFullPath(path);
        Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        File.WriteAllText(full, text);
        Log($"wrote {full}");
    }

    /// <summary>
    /// Once per process, before anything is timed: ~1 s of (sgemm sequence, step) pairs on the small shape,
    /// so that tiered JIT compilation (tier-0 code, then tier-1 rejits on a background thread that competes
    /// with OpenBLAS's threads on a small machine) is over before the first measurement. The per-measurement
    /// warm-up (2 steps) comes on top.
    /// </summary>
    private static void JitWarmup()
    {
        using var backend = new CpuBackend(useOpenBlas: true);
        var shape = Shapes[0];
        using var run = new CdRun(backend, shape);
        using var sequence = new SgemmSequence(backend, shape);
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed.TotalSeconds < 1.0) { sequence.Run(null); run.Step(); }
        Thread.Sleep(200); // let background compilation finish
    }

    private static void WaitQuiet(RbmBenchmarkOptions options, string what)
    {
        if (options.WaitQuietSeconds <= 0) return;
        var (waited, last) = Quiet.WaitFor(options.WaitQuietSeconds);
        if (waited >= 1.5) Log($"{what}: waited {waited:0} s for the machine to quiet down (other load {last:P0} in the last 0.5 s window)");
    }

    internal static string Describe(Load load) =>
        $"other load {load.ForeignCpu:P0} over {load.RoundsUsed} rounds used, {load.RoundsDiscarded} discarded{(load.Noisy ? ", NOISY (not enough quiet rounds)" : "")}";

    internal static void Log(string message) => Console.Error.WriteLine($"[{DateTime.Now:HH:mm:ss}] {message}");

    /// <summary>Random binary rows, P(1) = <see cref="OneProbability"/>, seeded per shape.</summary>
    public static DenseVisibleData MakeData(RbmShape shape)
    {
        int rows = DistinctBatches * shape.Batch;
        var values = new float[(long)rows * shape.Visible];
        ulong key = new RandomStream(Seed + (ulong)shape.Visible).NextKey();
        for (long i = 0; i < values.Length; i++) values[i] = RandomStream.Uniform(key, i) < OneProbability ? 1f : 0f;
        return new DenseVisibleData(values, rows, shape.Visible);
    }

    /// <summary>The batches, uploaded once each (so timing is the step's compute, not the gathering).</summary>
    public static VisibleBatch[] UploadBatches(IComputeBackend backend, DenseVisibleData data, int batch)
    {
        var batches = new VisibleBatch[DistinctBatches];
        for (int b = 0; b < batches.Length; b++)
        {
            var rows = Enumerable.Range(b * batch, batch).ToArray();
            batches[b] = data.Gather(backend, rows);
        }
        return batches;
    }

    public static ContrastiveDivergenceOptions TrainerOptions(RbmShape shape) => new()
    {
        BatchSize = shape.Batch,
        GibbsSteps = 1,
        LearningRate = LearningRate,
        InitialMomentum = Momentum,
        FinalMomentum = Momentum,
        WeightDecay = WeightDecay,
        Seed = Seed,
    };

    /// <summary>An RBM, its trainer and its pre-uploaded batches: one <see cref="Step"/> is one timed unit.</summary>
    public sealed class CdRun : IDisposable
    {
        private readonly VisibleBatch[] _batches;
        private readonly ContrastiveDivergenceTrainer _trainer;
        private long _next;

        public CdRun(CpuBackend backend, RbmShape shape)
        {
            Backend = backend;
            Shape = shape;
            _batches = UploadBatches(backend, MakeData(shape), shape.Batch);
            Rbm = new RestrictedBoltzmannMachine(backend, new BernoulliLayer(shape.Visible), shape.Hidden, new RandomStream(Seed));
            _trainer = new ContrastiveDivergenceTrainer(Rbm, TrainerOptions(shape));
        }

        public CpuBackend Backend { get; }
        public RbmShape Shape { get; }
        public RestrictedBoltzmannMachine Rbm { get; }
        public double FirstError { get; private set; } = double.NaN;
        public double LastError { get; private set; } = double.NaN;

        /// <summary>One CD-1 step on the next batch; returns its seconds.</summary>
        public double Step()
        {
            long t0 = Stopwatch.GetTimestamp();
            LastError = _trainer.Step(_batches[_next++ % _batches.Length], LearningRate, Momentum);
            double seconds = Stopwatch.GetElapsedTime(t0).TotalSeconds;
            if (double.IsNaN(FirstError)) FirstError = LastError;
            return seconds;
        }

        public CdResult Result(List<double> stepSeconds)
        {
            var t = TimingBuilder.From(stepSeconds);
            double sps = Shape.Batch / t.MeanSeconds;
            return new CdResult(Backend.Name, t.Calls, t.Seconds, sps, Shape.Batch / t.MedianSeconds, sps * Shape.FlopsPerSample / 1e9,
                FirstError / Shape.Batch, LastError / Shape.Batch, double.IsFinite(Backend.Sum(Rbm.Weights)), t);
        }

        public void Dispose()
        {
            _trainer.Dispose();
            Rbm.Dispose();
            foreach (var b in _batches) b.Dispose();
        }
    }

    /// <summary>
    /// The five sgemm products of a CD-1 step, in the step's order and with its shapes and betas, on
    /// their own buffers, through <see cref="CpuBackend.Gemm"/>: h0 = v W (B x V times V x H),
    /// G = 0.9 G + v' h0 (V x B times B x H), v1 = h W' (B x H times H x V), h1 = v1 W, G = G - v1' h1.
    /// </summary>
    public sealed class SgemmSequence : IDisposable
    {
        private readonly CpuBackend _b;
        private readonly FloatMatrix _v, _w, _h, _g, _r, _h1;
        private readonly (int Shape, Action Body)[] _products;

        public static readonly (string Product, string Op, int TimesPerStep)[] DistinctShapes = [("v W", "NN", 2), ("v' h", "TN", 2), ("h W'", "NT", 1)];

        public SgemmSequence(CpuBackend backend, RbmShape shape)
        {
            _b = backend;
            Shape = shape;
            int v = shape.Visible, h = shape.Hidden, n = shape.Batch;
            var random = new RandomStream(Seed ^ 0x5EED);
            FloatMatrix Random(int rows, int cols)
            {
                var x = new float[(long)rows * cols];
                ulong key = random.NextKey();
                for (long i = 0; i < x.Length; i++) x[i] = RandomStream.Uniform(key, i) < OneProbability ? 1f : 0f;
                return backend.FromArray(x, rows, cols);
            }
            _v = Random(n, v);
            _w = backend.FromArray(Enumerable.Range(0, v * h).Select(i => ((i * 7919) % 2001 - 1000) * 1e-5f).ToArray(), v, h);
            _h = Random(n, h);
            _g = backend.Allocate(v, h);
            _r = backend.Allocate(n, v);
            _h1 = backend.Allocate(n, h);
            float c = LearningRate / n;
            _products =
            [
                (0, () => _b.Gemm(Transpose.No, Transpose.No, 1f, _v, _w, 0f, _h1)),
                (1, () => _b.Gemm(Transpose.Yes, Transpose.No, c, _v, _h, Momentum, _g)),
                (2, () => _b.Gemm(Transpose.No, Transpose.Yes, 1f, _h, _w, 0f, _r)),
                (0, () => _b.Gemm(Transpose.No, Transpose.No, 1f, _r, _w, 0f, _h1)),
                (1, () => _b.Gemm(Transpose.Yes, Transpose.No, -c, _r, _h1, 1f, _g)),
            ];
        }

        public RbmShape Shape { get; }

        public double FlopsPerProduct => 2.0 * Shape.Batch * Shape.Visible * Shape.Hidden;

        /// <summary>Runs the five products; adds each one's seconds to its distinct shape's list; returns the total seconds.</summary>
        public double Run(List<double>[]? perShape)
        {
            double total = 0;
            foreach (var (shapeIndex, body) in _products)
            {
                long t0 = Stopwatch.GetTimestamp();
                body();
                double s = Stopwatch.GetElapsedTime(t0).TotalSeconds;
                perShape?[shapeIndex].Add(s);
                total += s;
            }
            return total;
        }

        public SgemmResult Result(List<double>[] perShape, List<double> sequenceSeconds)
        {
            var (v, h, n) = (Shape.Visible, Shape.Hidden, Shape.Batch);
            var dims = new (int M, int N, int K, float Beta)[] { (n, h, v, 0f), (v, h, n, Momentum), (n, v, h, 0f) };
            var shapes = DistinctShapes.Select((d, i) =>
            {
                var t = TimingBuilder.From(perShape[i]);
                return new GemmShapeResult(d.Product, d.Op, dims[i].M, dims[i].N, dims[i].K, dims[i].Beta, d.TimesPerStep,
                    FlopsPerProduct / t.MeanSeconds / 1e9, FlopsPerProduct / t.MedianSeconds / 1e9, t);
            }).ToArray();
            double mix = 5 * FlopsPerProduct * sequenceSeconds.Count / sequenceSeconds.Sum() / 1e9;
            double medianMix = 5 * FlopsPerProduct / TimingBuilder.Median(sequenceSeconds) / 1e9;
            return new SgemmResult(_b.Name, shapes, mix, medianMix, shapes.Average(s => s.Gflops));
        }

        public void Dispose()
        {
            foreach (var m in new[] { _v, _w, _h, _g, _r, _h1 }) m.Dispose();
        }
    }

    private sealed class PairRound
    {
        public readonly List<double>[] PerShape = [new(), new(), new()];
        public readonly List<double> Sequence = new(), Steps = new(), Ratios = new();
    }

    /// <summary>
    /// Alternates the sgemm sequence and one CD step until the steps have run >= the measurement time,
    /// in rounds of ~0.5 s, keeping only rounds without heavy load from other processes.
    /// </summary>
    public static (CdResult Cd, SgemmResult Sgemm, double MedianPairRatio, Load Load) MeasurePairs(CdRun run, SgemmSequence sequence, RbmBenchmarkOptions options)
    {
        for (int i = 0; i < WarmupSteps; i++) { sequence.Run(null); run.Step(); }
        var (rounds, load) = QuietRounds.Run(() => new PairRound(), round =>
            {
                double ts = sequence.Run(round.PerShape);
                double tc = run.Step();
                round.Sequence.Add(ts);
                round.Steps.Add(tc);
                round.Ratios.Add(ts / tc); // (5 products' flops / ts) vs (the same flops / tc)
            },
            used => used.Sum(r => r.Steps.Count) >= 3 && used.Sum(r => r.Steps.Sum()) >= options.SecondsPerMeasurement,
            options.MaxForeignLoad, options.MeasurementTimeoutSeconds);
        var perShape = Enumerable.Range(0, 3).Select(i => rounds.SelectMany(r => r.PerShape[i]).ToList()).ToArray();
        return (run.Result(rounds.SelectMany(r => r.Steps).ToList()),
            sequence.Result(perShape, rounds.SelectMany(r => r.Sequence).ToList()),
            TimingBuilder.Median(rounds.SelectMany(r => r.Ratios)), load);
    }

    private sealed class ManagedRound
    {
        public readonly List<double> OpenBlasSteps = new(), ManagedSteps = new(), OpenBlasSequence = new(), ManagedSequence = new();
        public readonly List<double>[] OpenBlasPer = [new(), new(), new()], ManagedPer = [new(), new(), new()];
    }

    /// <summary>Managed vs OpenBLAS backend on the same shape: steps (and sgemm sequences) interleaved, so both see the same load.</summary>
    public static ManagedComparison MeasureManaged(CdRun openBlas, SgemmSequence openBlasSequence, CdRun managed, SgemmSequence managedSequence, RbmBenchmarkOptions options)
    {
        for (int i = 0; i < WarmupSteps; i++) { managed.Step(); managedSequence.Run(null); }
        // Per unit: one OpenBLAS step, one managed step; every fourth unit also one sgemm sequence of each
        // (the managed products are slow, so the sgemm comparison gets less time than the steps).
        int unit = 0;
        var (rounds, load) = QuietRounds.Run(() => new ManagedRound(), round =>
            {
                round.OpenBlasSteps.Add(openBlas.Step());
                round.ManagedSteps.Add(managed.Step());
                if (unit++ % 4 == 0)
                {
                    round.OpenBlasSequence.Add(openBlasSequence.Run(round.OpenBlasPer));
                    round.ManagedSequence.Add(managedSequence.Run(round.ManagedPer));
                }
            },
            used => used.Sum(r => r.ManagedSteps.Count) >= 3 && used.Sum(r => r.ManagedSteps.Sum()) >= options.SecondsPerMeasurement,
            options.MaxForeignLoad, options.MeasurementTimeoutSeconds);
        var m = managed.Result(rounds.SelectMany(r => r.ManagedSteps).ToList());
        var o = openBlas.Result(rounds.SelectMany(r => r.OpenBlasSteps).ToList());
        List<double>[] Per(Func<ManagedRound, List<double>[]> f) => Enumerable.Range(0, 3).Select(i => rounds.SelectMany(r => f(r)[i]).ToList()).ToArray();
        double mMix = managedSequence.Result(Per(r => r.ManagedPer), rounds.SelectMany(r => r.ManagedSequence).ToList()).StepMixGflops;
        double oMix = openBlasSequence.Result(Per(r => r.OpenBlasPer), rounds.SelectMany(r => r.OpenBlasSequence).ToList()).StepMixGflops;
        return new ManagedComparison(m, o, m.SamplesPerSecond / o.SamplesPerSecond, mMix, oMix, mMix / oMix, load);
    }

    private static RbmShapeResult WithPeers(RbmShapeResult r, System.Text.Json.Nodes.JsonNode? peers)
    {
        double? sk = PeerRunner.SamplesPerSecond(peers, "sklearn", r.Visible, r.Hidden, r.Batch);
        double? th = PeerRunner.SamplesPerSecond(peers, "torch", r.Visible, r.Hidden, r.Batch);
        double ours = r.Ours.SamplesPerSecond;
        return r with
        {
            SklearnSamplesPerSecond = sk,
            TorchSamplesPerSecond = th,
            OursOverSklearn = sk is > 0 ? ours / sk : null,
            OursOverTorch = th is > 0 ? ours / th : null,
        };
    }

    private static GoalCheck? EvaluateGoal(RbmShapeResult? r)
    {
        if (r is null) return null;
        bool sgemmMet = r.RatioToSgemm >= 0.8;
        bool? torchMet = r.OursOverTorch is { } t ? t >= 1.0 : null;
        bool? sklearnMet = r.OursOverSklearn is { } s ? s >= 2.0 : null;
        return new GoalCheck($"{r.Visible}x{r.Hidden}", r.RatioToSgemm, sgemmMet, r.OursOverTorch, torchMet, r.OursOverSklearn, sklearnMet,
            !sgemmMet || torchMet == false || sklearnMet == false ? false : torchMet is null || sklearnMet is null ? null : true);
    }
}
