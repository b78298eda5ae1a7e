using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using Affect.Search.Index.Vectors;

namespace Affect.Search.Benchmarks;

/// <summary>Command-line options of the <c>ann</c> benchmark.</summary>
public sealed record AnnBenchmarkOptions(
    IReadOnlyList<(int Dimension, int Items)> Runs,
    IReadOnlyList<string> Kinds,
    IReadOnlyList<int> HnswLinks,
    int EfConstruction,
    IReadOnlyList<int> EfSearch,
    int Queries,
    int K,
    int Clusters,
    double NoiseRadius,
    double SpectrumPower,
    double LatencyBudgetSeconds,
    string? JsonPath,
    string? MarkdownPath,
    string? MergePath,
    bool Rewrite,
    IReadOnlyList<string> Notes)
{
    public static readonly string[] AllKinds = ["flat", "hnsw", "flat-sq8", "hnsw-sq8"];

    public static AnnBenchmarkOptions Parse(string[] args)
    {
        var runs = new List<(int, int)> { (64, 100_000), (64, 1_000_000) };
        var kinds = AllKinds.ToList();
        var links = new List<int> { 16 };
        var efSearch = new List<int> { 16, 32, 64, 96, 128, 192, 256, 384, 512 };
        int efConstruction = 80, queries = 1000, k = 20, clusters = 1000;
        double noise = 0.6, power = 1, budget = 30;
        string? json = null, markdown = null, merge = null;
        bool rewrite = false;
        var notes = new List<string>();
        for (int i = 0; i < args.Length; i++)
        {
            string Value() => i + 1 < args.Length ? args[++i] : throw new CliException($"{args[i]} needs a value");
            int Int(string text, int min) => int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var v) && v >= min
                ? v : throw new CliException($"'{text}' is not an integer >= {min}");
            List<int> Ints(string text, int min) => text.Split(',', StringSplitOptions.RemoveEmptyEntries).Select(t => Int(t, min)).ToList();
            switch (args[i])
            {
                case "--runs":
                    runs = Value().Split(',', StringSplitOptions.RemoveEmptyEntries).Select(r =>
                    {
                        var parts = r.Split(':');
                        if (parts.Length != 2) throw new CliException($"--runs takes DIM:ITEMS[,DIM:ITEMS...], got '{r}'");
                        return (Int(parts[0], 1), Int(parts[1], 1));
                    }).ToList();
                    break;
                case "--kinds":
                    kinds = Value().Split(',', StringSplitOptions.RemoveEmptyEntries).ToList();
                    foreach (var kind in kinds)
                        if (!AllKinds.Contains(kind)) throw new CliException($"unknown kind '{kind}' (known: {string.Join(", ", AllKinds)})");
                    break;
                case "--hnsw-m": links = Ints(Value(), 2); break;
                case "--ef-construction": efConstruction = Int(Value(), 1); break;
                case "--ef-search": efSearch = Ints(Value(), 1); break;
                case "--queries": queries = Int(Value(), 10); break;
                case "--k": k = Int(Value(), 1); break;
                case "--clusters": clusters = Int(Value(), 1); break;
                case "--noise":
                    var text = Value();
                    if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out noise) || noise < 0)
                        throw new CliException($"--noise needs a number >= 0, got '{text}'");
                    break;
                case "--spectrum-power":
                    var sp = Value();
                    if (!double.TryParse(sp, NumberStyles.Float, CultureInfo.InvariantCulture, out power) || power < 0)
                        throw new CliException($"--spectrum-power needs a number >= 0, got '{sp}'");
                    break;
                case "--latency-budget":
                    var b = Value();
                    if (!double.TryParse(b, NumberStyles.Float, CultureInfo.InvariantCulture, out budget) || budget <= 0)
                        throw new CliException($"--latency-budget needs seconds > 0, got '{b}'");
                    break;
                case "--json": json = Value(); break;
                case "--markdown": markdown = Value(); break;
                case "--merge": merge = Value(); break;
                case "--rewrite": rewrite = true; break;
                case "--note": notes.Add(Value()); break;
                case "--quick":
                    runs = [(64, 20_000)];
                    queries = 200;
                    efSearch = [32, 128];
                    budget = 5;
                    break;
                default: throw new CliException($"ann: unknown option '{args[i]}'");
            }
        }
        kinds = kinds.Distinct().ToList();
        kinds.Remove("flat");
        kinds.Insert(0, "flat"); // always first: its exact answer is the reference for recall
        if (rewrite && merge is null) throw new CliException("--rewrite needs --merge (the report to rewrite)");
        return new AnnBenchmarkOptions(runs, kinds, links, efConstruction, efSearch, queries, k, clusters, noise, power, budget, json, markdown, merge, rewrite, notes);
    }
}

/// <summary>Search speed and recall of one index at one efSearch (efSearch is null for the flat kinds).</summary>
/// <param name="LatencyQueries">How many single queries the latency figures are from (fewer than the query set when the time budget ran out).</param>
public sealed record AnnSearchResult(int? EfSearch, int LatencyQueries, double P50Ms, double P99Ms, double MeanMs, double BatchQps, double RecallAtK, double ForeignCpu);

/// <summary>One built index of an <c>ann</c> run.</summary>
/// <param name="RssBytesPerItem">Growth of the process's resident set (VmRSS) over the build, per item, after a full GC and malloc_trim before and after.</param>
/// <param name="RssRatioToFloat32">RssBytesPerItem / (4 · dimension).</param>
/// <param name="EstimateBytesPerItem">FaissIndex.MemoryBytes / items (the index's own arrays).</param>
/// <param name="Chosen">The search setting in the summary table: for HNSW the smallest efSearch of the sweep reaching the recall goal (else the best recall).</param>
/// <param name="MeasuredUtc">When this index was measured (results can be merged from several invocations with --merge).</param>
public sealed record AnnIndexResult(string Index, string Kind, int? HnswLinks, int? EfConstruction, double BuildSeconds, double BuildForeignCpu,
    double RssBytesPerItem, double RssRatioToFloat32, double EstimateBytesPerItem, IReadOnlyList<AnnSearchResult> Sweep, AnnSearchResult Chosen,
    string? MeasuredUtc = null);

public sealed record AnnRun(int Dimension, int Items, double GenerateSeconds, IReadOnlyList<AnnIndexResult> Indexes);

public sealed record AnnGoal(string Goal, string Index, string Measured, bool? Met);

/// <param name="Notes">Free-text notes given with --note (kept across --merge).</param>
public sealed record AnnReport(BenchEnvironment Environment, int NativeThreads, string Data, string Method, AnnBenchmarkOptionsRecord Settings,
    IReadOnlyList<AnnRun> Runs, IReadOnlyList<AnnGoal> Goals, IReadOnlyList<string>? Notes = null);

/// <param name="SpectrumPower">Noise variance of coordinate i proportional to (1+i)^-power (null in files written before the option existed: 1).</param>
public sealed record AnnBenchmarkOptionsRecord(string Kinds, string HnswLinks, int EfConstruction, string EfSearch, int Queries, int K, int Clusters, double NoiseRadius, double? SpectrumPower, double LatencyBudgetSeconds);

/// <summary>
/// The <c>ann</c> benchmark: build time, resident memory per item, single-query latency, batch QPS and
/// recall@k of the Faiss vector index kinds (<see cref="FaissIndex"/>) on seeded synthetic clustered unit
/// vectors. See eval/README.md.
/// </summary>
internal static class AnnBenchmark
{
    private const double RecallGoalHnsw = 0.95, RecallGoalSq8 = 0.90, LatencyGoalMs = 5, MemoryGoalHnsw = 1.5, MemoryGoalSq8 = 0.4;

    public static int Run(string[] args)
    {
        var o = AnnBenchmarkOptions.Parse(args);
        var env = BenchEnvironment.Capture();
        int threads = FaissIndex.NativeThreads;
        Log($"ann: runs {string.Join(", ", o.Runs.Select(r => $"d={r.Dimension} n={r.Items:N0}"))}; kinds {string.Join(",", o.Kinds)}; M {string.Join(",", o.HnswLinks)}; " +
            $"{o.Queries} queries, k={o.K}; {threads} OpenMP threads");
        var (previous, previousNotes) = o.MergePath is null ? ([], []) : LoadForMerge(o, env);
        var notes = previousNotes.Concat(o.Notes).Distinct().ToList();
        var runs = new List<AnnRun>();
        foreach (var (dimension, items) in o.Rewrite ? [] : o.Runs)
        {
            runs.Add(RunOne(o, dimension, items, env.DateUtc));
            Write(o, env, threads, Merge(previous, runs), notes); // partial results survive an interrupted long run
        }
        var report = Write(o, env, threads, Merge(previous, runs), notes);
        Console.WriteLine(Markdown(report));
        return 0;
    }

    /// <summary>The runs of an earlier report to merge with (same machine and data settings, else an error).</summary>
    private static (List<AnnRun> Runs, IReadOnlyList<string> Notes) LoadForMerge(AnnBenchmarkOptions o, BenchEnvironment env)
    {
        var old = JsonSerializer.Deserialize<AnnReport>(File.ReadAllText(o.MergePath!), JsonOptions)
                  ?? throw new CliException($"--merge: '{o.MergePath}' holds no report");
        var s = old.Settings;
        if (old.Environment.CpuModel != env.CpuModel || old.Environment.ProcessorCount != env.ProcessorCount)
            throw new CliException($"--merge: '{o.MergePath}' was measured on another machine ({old.Environment.CpuModel}, {old.Environment.ProcessorCount} processors)");
        if (s.Clusters != o.Clusters || s.NoiseRadius != o.NoiseRadius || (s.SpectrumPower ?? 1) != o.SpectrumPower || s.Queries != o.Queries || s.K != o.K)
            throw new CliException($"--merge: '{o.MergePath}' used other data or query settings");
        return (old.Runs.Select(run => run with
        {
            Indexes = run.Indexes.Select(x => x with { MeasuredUtc = x.MeasuredUtc ?? old.Environment.DateUtc }).ToList(),
        }).ToList(), old.Notes ?? []);
    }

    /// <summary>The earlier runs with this invocation's indexes replacing theirs by (dimension, items, index name), new ones appended.</summary>
    private static List<AnnRun> Merge(List<AnnRun> previous, List<AnnRun> measured)
    {
        var merged = new List<AnnRun>();
        foreach (var old in previous)
        {
            var fresh = measured.FirstOrDefault(r => r.Dimension == old.Dimension && r.Items == old.Items);
            if (fresh is null) { merged.Add(old); continue; }
            var indexes = old.Indexes.Select(x => fresh.Indexes.FirstOrDefault(f => f.Index == x.Index) ?? x).ToList();
            indexes.AddRange(fresh.Indexes.Where(f => old.Indexes.All(x => x.Index != f.Index)));
            merged.Add(fresh with { Indexes = indexes });
        }
        merged.AddRange(measured.Where(r => previous.All(old => old.Dimension != r.Dimension || old.Items != r.Items)));
        return merged;
    }

    private static AnnReport Write(AnnBenchmarkOptions o, BenchEnvironment env, int threads, List<AnnRun> runs, IReadOnlyList<string> notes)
    {
        var report = new AnnReport(env, threads, DataDescription(o), MethodDescription(o),
            new AnnBenchmarkOptionsRecord(string.Join(",", o.Kinds), string.Join(",", o.HnswLinks), o.EfConstruction, string.Join(",", o.EfSearch),
                o.Queries, o.K, o.Clusters, o.NoiseRadius, o.SpectrumPower, o.LatencyBudgetSeconds),
            runs, Goals(runs, o.K), notes);
        if (o.JsonPath is not null) File.WriteAllText(o.JsonPath, JsonSerializer.Serialize(report, JsonOptions) + "\n");
        if (o.MarkdownPath is not null) File.WriteAllText(o.MarkdownPath, Markdown(report));
        return report;
    }

    private static AnnRun RunOne(AnnBenchmarkOptions o, int dimension, int items, string date)
    {
        var clock = Stopwatch.StartNew();
        var centres = Centres(o.Clusters, dimension, seed: 1);
        var data = Generate(items, dimension, centres, o.NoiseRadius, o.SpectrumPower, seed: 2);
        var queries = Generate(o.Queries, dimension, centres, o.NoiseRadius, o.SpectrumPower, seed: 3);
        double generate = clock.Elapsed.TotalSeconds;
        Log($"d={dimension} n={items:N0}: data generated in {generate:F1} s");

        var results = new List<AnnIndexResult>();
        long[]? truth = null;
        foreach (var kind in o.Kinds)
        {
            bool hnsw = kind.StartsWith("hnsw", StringComparison.Ordinal);
            foreach (var links in hnsw ? o.HnswLinks : [0])
            {
                var options = new VectorIndexOptions
                {
                    Kind = kind switch { "flat" => VectorIndexKind.Flat, "hnsw" => VectorIndexKind.Hnsw, "flat-sq8" => VectorIndexKind.FlatSq8, _ => VectorIndexKind.HnswSq8 },
                    HnswLinks = hnsw ? links : 16,
                    HnswEfConstruction = o.EfConstruction,
                };
                var result = Measure(o, options, dimension, items, data, queries, ref truth) with { MeasuredUtc = date };
                results.Add(result);
                Log($"d={dimension} n={items:N0} {result.Index}: build {result.BuildSeconds:F1} s, {result.RssBytesPerItem:F0} B/item ({result.RssRatioToFloat32:F2}x float32), " +
                    $"p50 {result.Chosen.P50Ms:F3} ms, p99 {result.Chosen.P99Ms:F3} ms, {result.Chosen.BatchQps:N0} QPS, recall@{o.K} {result.Chosen.RecallAtK:F4}" +
                    (result.Chosen.EfSearch is { } ef ? $" (ef {ef})" : ""));
            }
        }
        return new AnnRun(dimension, items, generate, results);
    }

    private static AnnIndexResult Measure(AnnBenchmarkOptions o, VectorIndexOptions options, int dimension, int items, float[] data, float[] queries, ref long[]? truth)
    {
        var (rss0, managed0) = QuietRss();
        var load = LoadMonitor.Start();
        var build = Stopwatch.StartNew();
        var index = FaissIndex.Create(dimension, options);
        index.Add(data);
        double buildSeconds = build.Elapsed.TotalSeconds;
        double buildForeign = load.Stop().Foreign;
        var (rss1, managed1) = QuietRss();
        double rssPerItem = (rss1 - rss0 - (managed1 - managed0)) / (double)items;
        double estimate = index.MemoryBytes / (double)items;
        Log($"  {index.Description}: built in {buildSeconds:F1} s");
        try
        {
            if (truth is null)
            {
                // The flat index runs first; its (exact) batch answer is the reference.
                truth = index.Search(queries, o.K).Positions;
            }
            var sweep = new List<AnnSearchResult>();
            bool isHnsw = options.Kind is VectorIndexKind.Hnsw or VectorIndexKind.HnswSq8;
            foreach (int? ef in isHnsw ? o.EfSearch.Select(e => (int?)e) : [null])
            {
                if (ef is { } e) index.SetEfSearch(e);
                sweep.Add(MeasureSearch(o, index, queries, truth, ef));
                if (isHnsw) Log($"    ef {ef}: p50 {sweep[^1].P50Ms:F3} ms, recall {sweep[^1].RecallAtK:F4}, {sweep[^1].BatchQps:N0} QPS");
            }
            double goal = options.Kind is VectorIndexKind.HnswSq8 ? RecallGoalSq8 : RecallGoalHnsw;
            var chosen = sweep.FirstOrDefault(s => s.RecallAtK >= goal) ?? sweep.MaxBy(s => s.RecallAtK)!;
            return new AnnIndexResult(index.Description, options.Kind.ToString(), isHnsw ? index.HnswLinks : null, isHnsw ? options.HnswEfConstruction : null,
                buildSeconds, buildForeign, rssPerItem, rssPerItem / (4.0 * dimension), estimate, sweep, chosen);
        }
        finally
        {
            index.Dispose();
        }
    }

    private static AnnSearchResult MeasureSearch(AnnBenchmarkOptions o, FaissIndex index, float[] queries, long[] truth, int? ef)
    {
        int d = index.Dimension, nq = queries.Length / d, k = o.K;
        var load = LoadMonitor.Start();
        // Single queries, one at a time on this thread, after a few untimed ones.
        for (int q = 0; q < Math.Min(20, nq); q++) index.Search(queries.AsSpan(q * d, d), k);
        var latencies = new List<double>(nq);
        var budget = Stopwatch.StartNew();
        for (int q = 0; q < nq && (q < 50 || budget.Elapsed.TotalSeconds < o.LatencyBudgetSeconds); q++)
        {
            long t0 = Stopwatch.GetTimestamp();
            index.Search(queries.AsSpan(q * d, d), k);
            latencies.Add(Stopwatch.GetElapsedTime(t0).TotalMilliseconds);
        }
        latencies.Sort();

        // The whole query set as one batch (OpenMP over queries inside Faiss / the shim), repeated for >= 1 s.
        VectorHits batch = index.Search(queries, k);
        int repeats = 0;
        var batchClock = Stopwatch.StartNew();
        do { batch = index.Search(queries, k); repeats++; } while (batchClock.Elapsed.TotalSeconds < 1);
        double qps = repeats * (double)nq / batchClock.Elapsed.TotalSeconds;

        long found = 0;
        for (int q = 0; q < nq; q++)
        {
            var expected = new HashSet<long>(truth.AsSpan(q * k, k).ToArray());
            for (int j = 0; j < k; j++) if (expected.Contains(batch.Positions[q * k + j])) found++;
        }
        return new AnnSearchResult(ef, latencies.Count, Percentile(latencies, 0.50), Percentile(latencies, 0.99), latencies.Average(), qps,
            found / (double)(nq * k), load.Stop().Foreign);
    }

    private static double Percentile(List<double> sorted, double p) =>
        sorted.Count == 0 ? double.NaN : sorted[Math.Clamp((int)Math.Ceiling(p * sorted.Count) - 1, 0, sorted.Count - 1)];

    // ---- data ----

    private static float[] Centres(int clusters, int dimension, int seed)
    {
        var random = new Random(seed);
        var centres = new float[clusters * dimension];
        for (int c = 0; c < clusters; c++)
        {
            var v = centres.AsSpan(c * dimension, dimension);
            for (int i = 0; i < dimension; i++) v[i] = (float)Gaussian(random);
            Normalise(v);
        }
        return centres;
    }

    /// <summary>
    /// Unit vectors: a uniformly chosen centre plus Gaussian noise whose coordinate i has variance
    /// proportional to (1+i)^-power (a decaying spectrum, like embeddings' principal components; power 0 is
    /// isotropic noise, the hardest case), scaled so the
    /// noise's expected squared norm is radius², then renormalised. Chunks of 4096 rows draw from their own
    /// seeded generators, so the data depends only on the seed, not on the thread count.
    /// </summary>
    private static float[] Generate(int rows, int dimension, float[] centres, double radius, double power, int seed)
    {
        int clusters = centres.Length / dimension;
        var sd = new double[dimension];
        double total = 0;
        for (int i = 0; i < dimension; i++) total += Math.Pow(1 + i, -power);
        for (int i = 0; i < dimension; i++) sd[i] = radius * Math.Sqrt(Math.Pow(1 + i, -power) / total);
        var data = new float[(long)rows * dimension];
        const int chunk = 4096;
        Parallel.For(0, (rows + chunk - 1) / chunk, c =>
        {
            var random = new Random(HashCode.Combine(seed, c));
            for (int r = c * chunk; r < Math.Min(rows, (c + 1) * chunk); r++)
            {
                var v = data.AsSpan((int)((long)r * dimension), dimension);
                var centre = centres.AsSpan(random.Next(clusters) * dimension, dimension);
                for (int i = 0; i < dimension; i++) v[i] = (float)(centre[i] + sd[i] * Gaussian(random));
                Normalise(v);
            }
        });
        return data;
    }

    private static void Normalise(Span<float> v)
    {
        double s = 0;
        foreach (var x in v) s += x * x;
        float inv = (float)(1 / Math.Sqrt(s));
        for (int i = 0; i < v.Length; i++) v[i] *= inv;
    }

    private static double Gaussian(Random random) =>
        Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());

    // ---- memory ----

    [DllImport("libc", EntryPoint = "malloc_trim")]
    private static extern int MallocTrim(nuint pad);

    /// <summary>
    /// VmRSS in bytes after an aggressive blocking GC (which decommits the managed heap's free memory, e.g.
    /// the previous run's data arrays) and glibc's malloc_trim (freed native heap returned), and the managed
    /// heap's committed bytes then: the caller subtracts the latter's change, so what is left is native memory.
    /// </summary>
    private static (long Rss, long ManagedCommitted) QuietRss()
    {
        GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
        GC.WaitForPendingFinalizers();
        GC.Collect(2, GCCollectionMode.Aggressive, blocking: true, compacting: true);
        try { MallocTrim(0); } catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException) { }
        long managed = GC.GetGCMemoryInfo().TotalCommittedBytes;
        foreach (var line in File.ReadLines("/proc/self/status"))
            if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
                return (long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) * 1024, managed);
        return (Environment.WorkingSet, managed);
    }

    // ---- report ----

    private static string DataDescription(AnnBenchmarkOptions o) =>
        $"Seeded synthetic unit vectors: {o.Clusters} cluster centres uniform on the unit sphere; each item picks a centre uniformly " +
        (o.SpectrumPower == 0 ? "and adds isotropic Gaussian noise " : $"and adds Gaussian noise whose coordinate i has variance proportional to (1+i)^-{o.SpectrumPower} (a decaying spectrum, as embeddings have), ") +
        $"with expected squared norm {o.NoiseRadius}², then is renormalised (mean cosine to its centre about {1 / Math.Sqrt(1 + o.NoiseRadius * o.NoiseRadius):F2}). " +
        $"Queries: {o.Queries} further draws from the same mixture (not in the index).";

    private static string MethodDescription(AnnBenchmarkOptions o) =>
        $"Each index is built with one FaissIndex.Add of all items (scalar quantisers train on them first); build seconds are that call. " +
        $"Memory: growth of VmRSS over the build less the change of the managed heap's committed bytes (so: native memory), with an aggressive full GC and malloc_trim(0) " +
        $"before and after, per item, against 4·d bytes (the raw float32 vector); 'est.' is FaissIndex.MemoryBytes per item (the index's arrays). " +
        $"Latency: each query alone (k={o.K}) on one thread, after 20 untimed, up to {o.Queries} queries or {o.LatencyBudgetSeconds:0} s; p50/p99 of those. " +
        $"Batch QPS: all {o.Queries} queries in one Search call (OpenMP over queries in the shim; OpenBLAS sgemm for flat), repeated for >= 1 s. " +
        $"Recall@{o.K}: share of the exact top-{o.K} (flat float32 index, same queries) found. HNSW: efConstruction {o.EfConstruction}, " +
        $"efSearch swept over {string.Join(", ", o.EfSearch)}; the summary row uses the smallest efSearch reaching the recall goal " +
        $"({RecallGoalHnsw} for hnsw, {RecallGoalSq8} for hnsw-sq8).";

    /// <summary>
    /// Memory per item for the goals: the larger of the measured RSS growth and the index's own array bytes.
    /// Every byte of those arrays is written, so it is resident; an RSS growth below it is measurement noise
    /// (memory the process had already touched being reused), which matters at 100k items (a few MB).
    /// </summary>
    private static double MemoryRatio(AnnIndexResult x, int dimension) => Math.Max(x.RssBytesPerItem, x.EstimateBytesPerItem) / (4.0 * dimension);

    private static string MemoryText(AnnIndexResult x, int dimension) =>
        $"{MemoryRatio(x, dimension):F2}x ({Math.Max(x.RssBytesPerItem, x.EstimateBytesPerItem):F0} B vs {4 * dimension} B; RSS growth {x.RssBytesPerItem:F0} B, arrays {x.EstimateBytesPerItem:F0} B)";

    private static IReadOnlyList<AnnGoal> Goals(List<AnnRun> runs, int k)
    {
        var goals = new List<AnnGoal>();
        foreach (var run in runs)
        {
            string at = $"d={run.Dimension}, n={run.Items:N0}";
            foreach (var x in run.Indexes)
            {
                var c = x.Chosen;
                if (x.Kind == nameof(VectorIndexKind.Hnsw))
                {
                    if (run.Items >= 1_000_000)
                        goals.Add(new AnnGoal($"recall@{k} >= {RecallGoalHnsw} at p50 < {LatencyGoalMs} ms (1M items)", $"{x.Index} {at}",
                            $"recall {c.RecallAtK:F3} at p50 {c.P50Ms:F2} ms (ef {c.EfSearch})", c.RecallAtK >= RecallGoalHnsw && c.P50Ms < LatencyGoalMs));
                    goals.Add(new AnnGoal($"resident memory per item <= {MemoryGoalHnsw}x float32", $"{x.Index} {at}",
                        MemoryText(x, run.Dimension), MemoryRatio(x, run.Dimension) <= MemoryGoalHnsw));
                }
                else if (x.Kind is nameof(VectorIndexKind.FlatSq8) or nameof(VectorIndexKind.HnswSq8))
                {
                    goals.Add(new AnnGoal($"resident memory per item <= {MemoryGoalSq8}x float32 with recall@{k} >= {RecallGoalSq8}", $"{x.Index} {at}",
                        $"{MemoryText(x, run.Dimension)}, recall {c.RecallAtK:F3}", MemoryRatio(x, run.Dimension) <= MemoryGoalSq8 && c.RecallAtK >= RecallGoalSq8));
                }
            }
        }
        return goals;
    }

    private static string Markdown(AnnReport r)
    {
        static string F(double v, string format) => double.IsFinite(v) ? v.ToString(format, CultureInfo.InvariantCulture) : "n/a";
        var e = r.Environment;
        var sb = new StringBuilder();
        sb.AppendLine("# ANN index benchmark (Faiss through FaissIndex)");
        sb.AppendLine();
        sb.AppendLine($"Measured {e.DateUtc} on {e.CpuModel}, {e.ProcessorCount} processors, {e.Os}, {e.Runtime}; Faiss 1.7.3 (Debian libfaiss-dev, static) " +
                      $"with {r.NativeThreads} OpenMP threads; OMP_NUM_THREADS={e.OmpNumThreads ?? "(unset)"}, OPENBLAS_NUM_THREADS={e.OpenblasNumThreads ?? "(unset)"}, " +
                      $"OPENBLAS_CORETYPE={e.OpenblasCoretype ?? "(unset)"} (never changed by the benchmark).");
        sb.AppendLine();
        sb.AppendLine($"**Data.** {r.Data}");
        sb.AppendLine();
        sb.AppendLine($"**Method.** {r.Method}");
        sb.AppendLine();
        sb.AppendLine($"| d | items | index | build s | RSS B/item | x float32 | est. B/item | efSearch | p50 ms | p99 ms | batch QPS | recall@{r.Settings.K} |");
        sb.AppendLine("|---:|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
        foreach (var run in r.Runs)
            foreach (var x in run.Indexes)
            {
                var c = x.Chosen;
                sb.AppendLine($"| {run.Dimension} | {run.Items:N0} | {x.Index} | {F(x.BuildSeconds, "0.0")} | {F(x.RssBytesPerItem, "0")} | {F(x.RssRatioToFloat32, "0.00")} | " +
                              $"{F(x.EstimateBytesPerItem, "0")} | {c.EfSearch?.ToString(CultureInfo.InvariantCulture) ?? "-"} | {F(c.P50Ms, "0.000")} | {F(c.P99Ms, "0.000")} | " +
                              $"{F(c.BatchQps, "N0")} | {F(c.RecallAtK, "0.0000")} |");
            }
        var dates = r.Runs.SelectMany(run => run.Indexes.Select(x => (run, x))).GroupBy(p => p.x.MeasuredUtc ?? r.Environment.DateUtc).ToList();
        if (dates.Count > 1)
        {
            sb.AppendLine();
            sb.AppendLine("Merged from several invocations (`--merge`), same machine and data: " + string.Join("; ", dates.Select(g =>
                $"{string.Join(", ", g.Select(p => $"{p.x.Index} d={p.run.Dimension} n={p.run.Items:N0}"))} measured {g.Key}")) + ".");
        }
        sb.AppendLine();
        sb.AppendLine("## Goals (from the issue)");
        sb.AppendLine();
        sb.AppendLine("| goal | index | measured | |");
        sb.AppendLine("|---|---|---|---|");
        foreach (var g in r.Goals)
            sb.AppendLine($"| {g.Goal} | {g.Index} | {g.Measured} | {(g.Met switch { true => "met", false => "**missed**", null => "not measured" })} |");
        sb.AppendLine();
        sb.AppendLine("## efSearch sweeps");
        foreach (var run in r.Runs)
            foreach (var x in run.Indexes.Where(x => x.Sweep.Count > 1))
            {
                sb.AppendLine();
                sb.AppendLine($"{x.Index}, d={run.Dimension}, {run.Items:N0} items (efConstruction {x.EfConstruction}; build {F(x.BuildSeconds, "0.0")} s, other processes used {F(100 * x.BuildForeignCpu, "0")} % of the CPUs meanwhile):");
                sb.AppendLine();
                sb.AppendLine($"| efSearch | p50 ms | p99 ms | mean ms | batch QPS | recall@{r.Settings.K} | other load |");
                sb.AppendLine("|---:|---:|---:|---:|---:|---:|---:|");
                foreach (var s in x.Sweep)
                    sb.AppendLine($"| {s.EfSearch} | {F(s.P50Ms, "0.000")} | {F(s.P99Ms, "0.000")} | {F(s.MeanMs, "0.000")} | {F(s.BatchQps, "N0")} | {F(s.RecallAtK, "0.0000")} | {F(100 * s.ForeignCpu, "0")} % |");
            }
        if (r.Notes is { Count: > 0 } notesToPrint)
        {
            sb.AppendLine();
            sb.AppendLine("## Notes");
            sb.AppendLine();
            foreach (var note in notesToPrint) sb.AppendLine($"- {note}");
        }
        var partial = r.Runs.SelectMany(run => run.Indexes.Where(x => x.Chosen.LatencyQueries < r.Settings.Queries).Select(x => $"{x.Index} d={run.Dimension} n={run.Items:N0} ({x.Chosen.LatencyQueries})")).ToList();
        if (partial.Count > 0)
        {
            sb.AppendLine();
            sb.AppendLine($"Latency from fewer queries (time budget {r.Settings.LatencyBudgetSeconds:0} s): {string.Join(", ", partial)}.");
        }
        return sb.ToString();
    }

    private static readonly JsonSerializerOptions JsonOptions = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    private static void Log(string message) => Console.Error.WriteLine($"[{DateTime.Now:HH:mm:ss}] {message}");
}
