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
    IReadOnlyList<string> Notes,
    string? CentresPath = null,
    bool NoiseGiven = false,
    RealCentres? Real = null)
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
        bool rewrite = false, noiseGiven = false;
        string? centres = null;
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
                    noiseGiven = true;
                    break;
                case "--centres": centres = Value(); break;
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
        return new AnnBenchmarkOptions(runs, kinds, links, efConstruction, efSearch, queries, k, clusters, noise, power, budget, json, markdown, merge, rewrite, notes,
            centres, noiseGiven);
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

/// <param name="QueryCentreCosine">The queries' mean cosine to their cluster centre (null in files written before it was recorded).</param>
public sealed record AnnRun(int Dimension, int Items, double GenerateSeconds, IReadOnlyList<AnnIndexResult> Indexes, double? QueryCentreCosine = null);

public sealed record AnnGoal(string Goal, string Index, string Measured, bool? Met);

/// <param name="Notes">Free-text notes given with --note (kept across --merge).</param>
public sealed record AnnReport(BenchEnvironment Environment, int NativeThreads, string Data, string Method, AnnBenchmarkOptionsRecord Settings,
    IReadOnlyList<AnnRun> Runs, IReadOnlyList<AnnGoal> Goals, IReadOnlyList<string>? Notes = null);

/// <param name="SpectrumPower">Noise variance of coordinate i proportional to (1+i)^-power (null in files written before the option existed: 1).</param>
/// <param name="Centres">With --centres: the file of real embeddings used as cluster centres (name, rows, sha256); null for uniform random centres.</param>
public sealed record AnnBenchmarkOptionsRecord(string Kinds, string HnswLinks, int EfConstruction, string EfSearch, int Queries, int K, int Clusters, double NoiseRadius, double? SpectrumPower, double LatencyBudgetSeconds,
    string? Centres = null);

/// <summary>
/// Real joint embeddings read with <c>--centres</c>: a text file with one embedding per line, its values
/// separated by spaces or tabs (numpy.savetxt / loadtxt format; lines starting with '#' and blank lines are
/// skipped). Every line must have the same number of values (the dimension). Rows are unit-normalised on
/// reading, as the index stores them.
/// </summary>
/// <param name="Rows">Unit rows, row-major.</param>
/// <param name="Mean">The rows' mean (for the covariance-shaped noise).</param>
/// <param name="TotalVariance">Mean squared norm of a row less the mean (trace of the covariance).</param>
/// <param name="MedianNnCosine">Median over rows of the cosine to the nearest other row.</param>
/// <param name="MedianNnDistance">Median over rows of the Euclidean distance to the nearest other row.</param>
public sealed record RealCentres(string Name, string Sha256, int Count, int Dimension, float[] Rows, float[] Mean, double TotalVariance,
    double MedianNnCosine, double MedianNnDistance)
{
    public string Description => $"{Name} ({Count} x {Dimension}, sha256 {Sha256[..12]})";

    public static RealCentres Load(string path)
    {
        if (!File.Exists(path)) throw new CliException($"--centres: no file '{path}'");
        var rows = new List<float[]>();
        int lineNumber = 0;
        foreach (var line in File.ReadLines(path))
        {
            lineNumber++;
            var t = line.Trim();
            if (t.Length == 0 || t[0] == '#') continue;
            var parts = t.Split([' ', '\t', ','], StringSplitOptions.RemoveEmptyEntries);
            var row = new float[parts.Length];
            for (int i = 0; i < parts.Length; i++)
                if (!float.TryParse(parts[i], NumberStyles.Float, CultureInfo.InvariantCulture, out row[i]) || !float.IsFinite(row[i]))
                    throw new CliException($"--centres: {path} line {lineNumber}: '{parts[i]}' is not a finite number");
            if (rows.Count > 0 && row.Length != rows[0].Length)
                throw new CliException($"--centres: {path} line {lineNumber} has {row.Length} values, the first row {rows[0].Length}");
            double norm = Math.Sqrt(row.Sum(x => (double)x * x));
            if (norm == 0) continue; // no direction: not a usable centre
            for (int i = 0; i < row.Length; i++) row[i] = (float)(row[i] / norm);
            rows.Add(row);
        }
        if (rows.Count < 2) throw new CliException($"--centres: {path} holds fewer than 2 non-zero rows");
        int n = rows.Count, d = rows[0].Length;
        var flat = rows.SelectMany(r => r).ToArray();
        var mean = new float[d];
        foreach (var r in rows) for (int i = 0; i < d; i++) mean[i] += r[i] / n;
        double total = rows.Average(r => { double s = 0; for (int i = 0; i < d; i++) s += (r[i] - mean[i]) * (r[i] - mean[i]); return s; });
        var nnCosine = new double[n];
        Parallel.For(0, n, a =>
        {
            double best = double.NegativeInfinity;
            var ra = flat.AsSpan(a * d, d);
            for (int b = 0; b < n; b++)
                if (b != a) best = Math.Max(best, System.Numerics.Tensors.TensorPrimitives.Dot(ra, flat.AsSpan(b * d, d)));
            nnCosine[a] = best;
        });
        Array.Sort(nnCosine);
        double medianCos = nnCosine[n / 2];
        string sha = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(File.ReadAllBytes(path)));
        return new RealCentres(Path.GetFileName(path), sha, n, d, flat, mean, total, medianCos, Math.Sqrt(Math.Max(0, 2 - 2 * medianCos)));
    }
}

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
        if (o.CentresPath is not null)
        {
            var real = RealCentres.Load(o.CentresPath);
            if (o.Runs.Any(r => r.Dimension != real.Dimension) && !o.Rewrite)
                throw new CliException($"--centres: {real.Name} holds {real.Dimension}-d embeddings; every run must have that dimension");
            // Unless --noise says otherwise, an item lies as far from its centre as a real embedding from its nearest real neighbour.
            o = o with { Real = real, Clusters = real.Count, NoiseRadius = o.NoiseGiven ? o.NoiseRadius : Math.Round(real.MedianNnDistance, 4) };
            Log($"centres: {real.Description}; median nearest-neighbour cosine {real.MedianNnCosine:F4} (distance {real.MedianNnDistance:F4}); noise radius {o.NoiseRadius}");
        }
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
        if (s.Clusters != o.Clusters || s.NoiseRadius != o.NoiseRadius || (s.SpectrumPower ?? 1) != o.SpectrumPower || s.Queries != o.Queries || s.K != o.K
            || s.Centres != o.Real?.Description)
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
                o.Queries, o.K, o.Clusters, o.NoiseRadius, o.SpectrumPower, o.LatencyBudgetSeconds, o.Real?.Description),
            runs, Goals(runs, o.K), notes);
        if (o.JsonPath is not null) File.WriteAllText(o.JsonPath, JsonSerializer.Serialize(report, JsonOptions) + "\n");
        if (o.MarkdownPath is not null) File.WriteAllText(o.MarkdownPath, Markdown(report));
        return report;
    }

    private static AnnRun RunOne(AnnBenchmarkOptions o, int dimension, int items, string date)
    {
        var clock = Stopwatch.StartNew();
        var centres = o.Real?.Rows ?? Centres(o.Clusters, dimension, seed: 1);
        var data = Generate(items, dimension, centres, o.NoiseRadius, o.SpectrumPower, seed: 2, o.Real, out _);
        var queries = Generate(o.Queries, dimension, centres, o.NoiseRadius, o.SpectrumPower, seed: 3, o.Real, out double queryCosine);
        double generate = clock.Elapsed.TotalSeconds;
        Log($"d={dimension} n={items:N0}: data generated in {generate:F1} s; queries' mean cosine to their centre {queryCosine:F4}");

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
        return new AnnRun(dimension, items, generate, results, double.IsFinite(queryCosine) ? queryCosine : null);
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

    /// <summary>
    /// <c>embeddings --index DIR [--view full] --out FILE</c>: writes the stored embeddings of one view of an
    /// index (its SQLite store, the source of truth of the vector files: unit vectors) in the text format
    /// <c>--centres</c> reads, one embedding per line, in position order.
    /// </summary>
    public static int ExportEmbeddings(string[] args)
    {
        string? index = null, output = null, view = "full";
        for (int i = 0; i < args.Length; i++)
        {
            string Value() => i + 1 < args.Length ? args[++i] : throw new CliException($"{args[i]} needs a value");
            switch (args[i])
            {
                case "--index": index = Value(); break;
                case "--view": view = Value(); break;
                case "--out": output = Value(); break;
                default: throw new CliException($"embeddings: unknown option '{args[i]}'");
            }
        }
        if (index is null || output is null) throw new CliException("embeddings needs --index DIR and --out FILE");
        using var store = Affect.Search.Index.Store.ItemStore.Open(new Affect.Search.Index.IndexLayout(index).Store, forWriting: false);
        int rows = 0, dimension = 0;
        using (var writer = new StreamWriter(output))
        {
            writer.WriteLine($"# {view} view embeddings of the index {Path.GetFullPath(index)} (unit vectors, one per line, position order)");
            foreach (var (_, _, vector) in store.Embeddings(view))
            {
                writer.WriteLine(string.Join(' ', vector.Select(x => x.ToString("R", CultureInfo.InvariantCulture))));
                rows++;
                dimension = vector.Length;
            }
        }
        Log($"embeddings: {rows} x {dimension} of view {view} written to {output}");
        return rows > 0 ? 0 : 1;
    }

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
    /// With <paramref name="real"/> (real embeddings as centres) the noise instead has the real embeddings'
    /// covariance: a sum of <see cref="RealNoiseTerms"/> randomly chosen real embeddings less their mean, each
    /// with a standard Gaussian weight, scaled to expected squared norm radius² (the sum's covariance is the
    /// rows' covariance, and with this many terms it is close to Gaussian).
    /// <paramref name="meanCosine"/> is the items' mean cosine to their centre.
    /// </summary>
    private static float[] Generate(int rows, int dimension, float[] centres, double radius, double power, int seed, RealCentres? real, out double meanCosine)
    {
        if (real is not null) return GenerateReal(rows, dimension, centres, radius, seed, real, out meanCosine);
        meanCosine = double.NaN; // not tracked for the synthetic centres (about 1/sqrt(1+radius²))
        int clusters = centres.Length / dimension;
        var sd = new double[dimension];
        double total = 0;
        for (int i = 0; i < dimension; i++) total += Math.Pow(1 + i, -power);
        for (int i = 0; i < dimension; i++) sd[i] = radius * Math.Sqrt(Math.Pow(1 + i, -power) / total);
        var data = new float[(long)rows * dimension];
        const int chunk = 4096;
        Parallel.For(0, (rows + chunk - 1) / chunk, c =>
        {
            var random = new Random(ChunkSeed(seed, c));
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

    private const int RealNoiseTerms = 32;

    /// <summary>
    /// A chunk's generator seed. Not HashCode.Combine: that is randomised per process, which made the
    /// "seeded" data differ between invocations (recall was still right: each invocation's flat index is
    /// its own reference).
    /// </summary>
    private static int ChunkSeed(int seed, int chunk) => unchecked(seed * 1_000_003 + chunk * 7_919 + 17);

    private static float[] GenerateReal(int rows, int dimension, float[] centres, double radius, int seed, RealCentres real, out double meanCosine)
    {
        int clusters = centres.Length / dimension;
        float scale = (float)(radius / Math.Sqrt(RealNoiseTerms * real.TotalVariance));
        var data = new float[(long)rows * dimension];
        const int chunk = 4096;
        int chunks = (rows + chunk - 1) / chunk;
        var cosines = new double[chunks];
        Parallel.For(0, chunks, c =>
        {
            var random = new Random(ChunkSeed(seed, c));
            var noise = new float[dimension];
            double cosSum = 0;
            for (int r = c * chunk; r < Math.Min(rows, (c + 1) * chunk); r++)
            {
                var v = data.AsSpan((int)((long)r * dimension), dimension);
                var centre = centres.AsSpan(random.Next(clusters) * dimension, dimension);
                Array.Clear(noise);
                float weightSum = 0;
                for (int t = 0; t < RealNoiseTerms; t++)
                {
                    float g = (float)Gaussian(random);
                    weightSum += g;
                    System.Numerics.Tensors.TensorPrimitives.MultiplyAdd(real.Rows.AsSpan(random.Next(real.Count) * dimension, dimension), g, noise, noise);
                }
                System.Numerics.Tensors.TensorPrimitives.MultiplyAdd(real.Mean, -weightSum, noise, noise); // Σ g·(x − mean)
                System.Numerics.Tensors.TensorPrimitives.MultiplyAdd(noise, scale, centre, v);
                Normalise(v);
                cosSum += System.Numerics.Tensors.TensorPrimitives.Dot(v, centre);
            }
            cosines[c] = cosSum;
        });
        meanCosine = cosines.Sum() / rows;
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

    private static string DataDescription(AnnBenchmarkOptions o) => o.Real is { } real
        ? $"Real joint embeddings as the mixture's centres: the {real.Count} rows of {real.Description}, unit-normalised as the index stores them " +
          $"(median cosine of a row to its nearest other row {real.MedianNnCosine:F3}, distance {real.MedianNnDistance:F3}). Each seeded item picks a centre uniformly " +
          $"and adds noise with the real rows' covariance (a sum of {RealNoiseTerms} random rows less their mean with standard Gaussian weights) scaled to expected squared norm {o.NoiseRadius}² " +
          (o.NoiseGiven ? "(set with --noise), " : "(the radius is the median nearest-neighbour distance: an item lies about as far from its centre as a real embedding from its nearest real neighbour), ") +
          $"then is renormalised. Queries: {o.Queries} further draws from the same mixture (not in the index)."
        : $"Seeded synthetic unit vectors: {o.Clusters} cluster centres uniform on the unit sphere; each item picks a centre uniformly " +
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
