using Affect.Search.Evaluation.Benchmark;
using Affect.Search.Evaluation.Retrieval;

namespace Affect.Search.Evaluation.Report;

/// <summary>A figure over training seeds: the mean and the sample standard deviation (0 with one seed).</summary>
public sealed record Spread(double Mean, double Deviation, int Seeds)
{
    /// <summary>The figure for <paramref name="values"/> (NaNs, from cells without queries, are left out).</summary>
    public static Spread Of(IEnumerable<double> values)
    {
        var v = values.Where(x => !double.IsNaN(x)).ToArray();
        if (v.Length == 0) return new Spread(double.NaN, double.NaN, 0);
        double mean = v.Average();
        double sd = v.Length > 1 ? Math.Sqrt(v.Sum(x => (x - mean) * (x - mean)) / (v.Length - 1)) : 0;
        return new Spread(mean, sd, v.Length);
    }

    /// <summary>"0.412 ± 0.013" (or "0.412" for a single value, "n/a" when there is none).</summary>
    public string Format(string format = "F3")
        => double.IsNaN(Mean) ? "n/a" : Seeds > 1 ? $"{Mean.ToString(format)} ± {Deviation.ToString(format)}" : Mean.ToString(format);
}

/// <summary>One system in one cell under one relevance definition, over all seeds. HubShare and TopTenSlotShare are the <see cref="Hubness"/> figures over the seeds.</summary>
public sealed record SummaryScore(string System, RetrievalCell Cell, string Relevance, int Queries, int References, Spread MapAt20,
    Spread PrecisionAt20, Spread RecallAt20, IReadOnlyList<Spread> PrecisionAtK, IReadOnlyDictionary<string, (Spread Map, int Queries)> Categories,
    Spread HubShare, Spread TopTenSlotShare);

/// <summary>The per-seed scores of a run folded into means and spreads, looked up by system, cell and relevance.</summary>
public sealed class BenchmarkSummary
{
    private readonly Dictionary<(string, RetrievalCell, string), SummaryScore> _scores = new();

    /// <summary>Summarises <paramref name="result"/>.</summary>
    public BenchmarkSummary(BenchmarkResult result)
    {
        Result = result;
        foreach (var g in result.Scores.GroupBy(s => (s.System, new RetrievalCell(s.Query, s.Database), s.Relevance)))
        {
            var seeds = g.ToList();
            var categories = seeds.SelectMany(s => s.Categories.Keys).Distinct().OrderBy(c => c, StringComparer.Ordinal)
                .ToDictionary(c => c, c => (Spread.Of(seeds.Where(s => s.Categories.ContainsKey(c)).Select(s => s.Categories[c].MapAt20)),
                    seeds.First(s => s.Categories.ContainsKey(c)).Categories[c].Queries));
            _scores[g.Key] = new SummaryScore(g.Key.System, g.Key.Item2, g.Key.Relevance, seeds[0].Queries, seeds[0].References,
                Spread.Of(seeds.Select(s => s.MapAt20)), Spread.Of(seeds.Select(s => s.PrecisionAt20)), Spread.Of(seeds.Select(s => s.RecallAt20)),
                Enumerable.Range(0, seeds[0].PrecisionAtK.Length).Select(k => Spread.Of(seeds.Select(s => s.PrecisionAtK[k]))).ToList(), categories,
                Spread.Of(seeds.Select(s => s.Hubness.HubShare)), Spread.Of(seeds.Select(s => s.Hubness.TopTenSlotShare)));
        }
    }

    /// <summary>The run summarised.</summary>
    public BenchmarkResult Result { get; }

    /// <summary>Every summary score.</summary>
    public IEnumerable<SummaryScore> Scores => _scores.Values;

    /// <summary>The summary of a system in a cell, or null when the system does not apply there.</summary>
    public SummaryScore? Get(string system, RetrievalCell cell, string relevance)
        => _scores.GetValueOrDefault((system, cell, relevance));
}
