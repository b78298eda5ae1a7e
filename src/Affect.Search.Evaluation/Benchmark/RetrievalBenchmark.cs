using Affect.Search.Evaluation.Retrieval;
using Labels = System.Collections.Generic.IReadOnlyDictionary<string, System.Collections.Generic.IReadOnlyList<string>>;

namespace Affect.Search.Evaluation.Benchmark;

/// <summary>
/// When a reference is relevant to a query: they share a label string within one of <paramref name="Kinds"/>
/// (spec section 5: an emotion category or a concept label). Queries without a label of these kinds are not
/// asked under this definition. With one kind, each of the query's labels of that kind is a category of the
/// per-category breakdown (the paper's Table VI).
/// </summary>
public sealed record RelevanceDefinition(string Name, IReadOnlyList<string> Kinds)
{
    /// <summary>The spec's definition: a shared emotion or concept label.</summary>
    public static readonly RelevanceDefinition Labels = new("labels", ["emotion", "concept"]);

    /// <summary>The spec's definition and each kind on its own.</summary>
    public static readonly IReadOnlyList<RelevanceDefinition> Standard =
        [Labels, new("emotion", ["emotion"]), new("sentiment", ["sentiment"]), new("concept", ["concept"])];

    /// <summary>Whether a query with <paramref name="labels"/> has a label this definition judges by.</summary>
    public bool Judges(Labels labels) => Kinds.Any(k => labels.TryGetValue(k, out var l) && l.Count > 0);

    /// <summary>Whether a reference with labels <paramref name="reference"/> is relevant to a query with labels <paramref name="query"/>.</summary>
    public bool IsRelevant(Labels query, Labels reference) => Kinds.Any(k => Relevance.Shares(query, reference, k));

    /// <summary>The categories a query with <paramref name="labels"/> counts towards (its labels of the single kind; none for several kinds).</summary>
    public IReadOnlyList<string> Categories(Labels labels)
        => Kinds.Count == 1 && labels.TryGetValue(Kinds[0], out var l) ? l : [];

    /// <summary>Parses a definition name: "labels" (the spec's), or one label kind.</summary>
    public static RelevanceDefinition Parse(string name)
        => Standard.FirstOrDefault(d => d.Name == name) ?? (string.IsNullOrWhiteSpace(name) ? throw new ArgumentException("empty relevance definition") : new(name, [name]));
}

/// <summary>One query's figures, before averaging.</summary>
public sealed record QueryOutcome(string QueryId, Labels Labels, int Relevant, double AveragePrecision, double PrecisionAt20, double RecallAt20, double[] PrecisionAtK)
{
    /// <summary>The figures of one query's <see cref="QueryScore"/>.</summary>
    public static QueryOutcome Of(string queryId, Labels labels, QueryScore score)
        => new(queryId, labels, score.Relevant, score.AveragePrecision, score.PrecisionAt20, score.RecallAt20, score.PrecisionAtK);

    /// <summary>The expected figures of a uniformly random ranking of <paramref name="references"/> items, <paramref name="relevant"/> of them relevant (exact).</summary>
    public static QueryOutcome RandomExpectation(string queryId, Labels labels, int relevant, int references)
    {
        double precision = references == 0 ? 0 : relevant / (double)references; // E[rel] at any rank
        // With fewer than k references, ranks past the end count as not relevant.
        var atK = Enumerable.Range(1, RetrievalMetrics.CutOff).Select(k => precision * Math.Min(k, references) / k).ToArray();
        double recall = relevant == 0 ? 0 : Math.Min(RetrievalMetrics.CutOff, references) / (double)references;
        return new(queryId, labels, relevant, RetrievalMetrics.ExpectedRandomAveragePrecisionAt20(references, relevant), atK[^1], recall, atK);
    }
}

/// <summary>A category's share of a cell score.</summary>
public sealed record CategoryScore(int Queries, double MapAt20);

/// <summary>How one system (trained with one seed) ranked in one cell under one relevance definition.</summary>
public sealed record CellScore(string System, ulong Seed, string Query, string Database, string Relevance, int Queries, int References,
    double MapAt20, double PrecisionAt20, double RecallAt20, double[] PrecisionAtK, IReadOnlyDictionary<string, CategoryScore> Categories)
{
    /// <summary>The cell's short name.</summary>
    public string Cell => new RetrievalCell(Query, Database).Name;

    /// <summary>How much a few references dominate the top-20 lists of the queries counted here (<see cref="Hubness.None"/> for the random expectation).</summary>
    public Hubness Hubness { get; init; } = Hubness.None;
}

/// <summary>The top-ranked reference ids of every query of one cell (for TREC run files).</summary>
public sealed record CellRun(string System, ulong Seed, RetrievalCell Cell, IReadOnlyList<(string QueryId, IReadOnlyList<string> Ranked)> Queries);

/// <summary>Which references are relevant to which queries of one cell, for every relevance definition.</summary>
public sealed class CellJudgements
{
    /// <summary>Judges <paramref name="data"/> under each of <paramref name="definitions"/>.</summary>
    public CellJudgements(CellData data, IReadOnlyList<RelevanceDefinition> definitions)
    {
        Data = data;
        Definitions = definitions;
        Relevant = definitions.Select(d => data.QueryItems.Select(q => d.Judges(q.Labels)
            ? data.ReferenceItems.Select(r => d.IsRelevant(q.Labels, r.Labels)).ToArray() : null).ToArray()).ToArray();
    }

    /// <summary>The cell's data.</summary>
    public CellData Data { get; }

    /// <summary>The definitions, in order.</summary>
    public IReadOnlyList<RelevanceDefinition> Definitions { get; }

    /// <summary>[definition][query] -> relevance of each reference, or null when the query is not asked under that definition.</summary>
    public bool[]?[][] Relevant { get; }
}

/// <summary>
/// Scores systems on the cells of the paper's tables: MAP@20, P@20, recall@20 and P@k for k = 1..20, per label
/// category too; ties in a system's scores are broken by a seeded random order of the references, so a system
/// that cannot tell references apart scores the random expectation, not an accident of corpus order.
/// </summary>
public static class RetrievalBenchmark
{
    /// <summary>The queries and references of <paramref name="cell"/>.</summary>
    public static CellData Prepare(RetrievalCell cell, CorpusSplit queries, CorpusSplit references, ModalityMap map)
    {
        var queryRows = map.Rows(queries.Data, cell.AsksWith);
        var referenceRows = map.Rows(references.Data, cell.Holds);
        var q = map.Keep(queries.Data.Select(queryRows), cell.Query);
        var r = map.Keep(references.Data.Select(referenceRows), cell.Database);
        return new CellData(cell, q, queryRows.Select(i => queries.Items[i]).ToList(), Enumerable.Range(0, q.Count).Select(i => map.Of(q, i)).ToArray(),
            r, referenceRows.Select(i => references.Items[i]).ToList(), Enumerable.Range(0, r.Count).Select(i => map.Of(r, i)).ToArray());
    }

    /// <summary>
    /// Scores <paramref name="system"/> on a judged cell; null when the system cannot compare the cell's
    /// modalities. When <paramref name="runs"/> is given, the rankings under the first definition are added to it.
    /// </summary>
    public static IReadOnlyList<CellScore>? Evaluate(IRetrievalSystem system, CellJudgements judged, ulong seed, ICollection<CellRun>? runs = null)
    {
        var data = judged.Data;
        int n = data.ReferenceItems.Count, queries = data.QueryItems.Count;
        if (n == 0 || queries == 0) return null;
        var scores = system.Scores(data);
        if (scores is null) return null;
        if (scores.Length != queries * n) throw new InvalidOperationException($"{system.Name} gave {scores.Length} scores for {queries} x {n}");
        var ties = Ranking.TiePositions(n, seed * 0x9E3779B97F4A7C15UL ^ (ulong)StableHash(data.Cell.Name));
        var results = new List<CellScore>();
        for (int d = 0; d < judged.Definitions.Count; d++)
        {
            var outcomes = new List<QueryOutcome>();
            var ranked = new List<(string, IReadOnlyList<string>)>();
            for (int q = 0; q < queries; q++)
                if (judged.Relevant[d][q] is { } relevant)
                {
                    var item = data.QueryItems[q];
                    var s = RankedEvaluation.Evaluate(scores.AsSpan(q * n, n), relevant, ties);
                    outcomes.Add(QueryOutcome.Of(item.Id, item.Labels, s));
                    ranked.Add((item.Id, s.Top.Select(i => data.ReferenceItems[i].Id).ToList()));
                }
            if (d == 0 && runs is not null) runs.Add(new CellRun(system.Name, seed, data.Cell, ranked));
            results.Add(Summarise(system.Name, seed, data.Cell, n, judged.Definitions[d], outcomes) with { Hubness = Hubness.Of(ranked.Select(r => r.Item2)) });
        }
        return results;
    }

    /// <summary>The expected scores of a uniformly random ranking of each cell's database (exact, per query).</summary>
    public static IReadOnlyList<CellScore> RandomExpectation(CellJudgements judged, string name = "Random")
    {
        var data = judged.Data;
        int n = data.ReferenceItems.Count;
        var results = new List<CellScore>();
        for (int d = 0; d < judged.Definitions.Count; d++)
        {
            var outcomes = new List<QueryOutcome>();
            for (int q = 0; q < data.QueryItems.Count; q++)
                if (judged.Relevant[d][q] is { } relevant)
                    outcomes.Add(QueryOutcome.RandomExpectation(data.QueryItems[q].Id, data.QueryItems[q].Labels, relevant.Count(x => x), n));
            results.Add(Summarise(name, 0, data.Cell, n, judged.Definitions[d], outcomes));
        }
        return results;
    }

    /// <summary>Averages per-query outcomes into a cell score, per category too.</summary>
    public static CellScore Summarise(string system, ulong seed, RetrievalCell cell, int references, RelevanceDefinition definition, IReadOnlyList<QueryOutcome> outcomes)
    {
        int count = outcomes.Count;
        double Mean(Func<QueryOutcome, double> f) => count == 0 ? double.NaN : outcomes.Average(f);
        var categories = outcomes.SelectMany(o => definition.Categories(o.Labels).Select(c => (Category: c, o.AveragePrecision)))
            .GroupBy(x => x.Category, StringComparer.Ordinal).OrderBy(g => g.Key, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => new CategoryScore(g.Count(), g.Average(x => x.AveragePrecision)), StringComparer.Ordinal);
        var atK = Enumerable.Range(0, RetrievalMetrics.CutOff).Select(k => Mean(o => o.PrecisionAtK[k])).ToArray();
        return new CellScore(system, seed, cell.Query, cell.Database, definition.Name, count, references,
            Mean(o => o.AveragePrecision), Mean(o => o.PrecisionAt20), Mean(o => o.RecallAt20), atK, categories);
    }

    // string.GetHashCode is randomised per process; tie orders must not be.
    private static uint StableHash(string text)
    {
        uint h = 2166136261;
        foreach (char c in text) h = (h ^ c) * 16777619;
        return h;
    }
}
