using Affect.Search.Engine;
using Affect.Search.Engine.Corpus;
using Affect.Search.Features.Corpus;
using Affect.Search.Features.Decoding;
using Affect.Search.Evaluation.Retrieval;
using Affect.Search.Index;
using Affect.Search.Model.Data;

namespace Affect.Search.Evaluation.Benchmark;

/// <summary>What evaluating an index with a query manifest measured.</summary>
public sealed record IndexEvaluationResult(BenchmarkResult Result, IReadOnlyList<string> Problems);

/// <summary>
/// Evaluates the product as it is deployed: the queries of a labelled manifest go through the index's model
/// (features, mean-field inference, centring) and the index's own vector search, and the top 20 of each are
/// judged against the labels stored in the index (R counted over the database view's live items).
/// </summary>
public static class IndexEvaluation
{
    /// <summary>The system name under which the index's rankings are reported.</summary>
    public const string SystemName = "Index (E-MDBM)";

    /// <summary>
    /// Runs the queries of <paramref name="queries"/> in each of <paramref name="cells"/> against
    /// <paramref name="index"/>, which must have been built with <paramref name="model"/>.
    /// </summary>
    public static IndexEvaluationResult Run(MultimodalIndex index, ModelFolder model, Manifest queries, IReadOnlyList<RetrievalCell> cells,
        IReadOnlyList<RelevanceDefinition> relevance, Action<string>? onProblem = null)
    {
        index.Identity.Require(model.Identity, index.Folder);
        var problems = queries.Errors.Select(e => $"{Path.GetFileName(queries.Path)}: {e}").ToList();
        var (data, report) = CorpusFeaturizer.Featurize(queries, model.Features, model.Model.Config, new MediaDecoder());
        problems.AddRange(report.Problems.Select(p => $"query {p.Id}: {p.Problem}"));
        problems.AddRange(report.Dropped.Select(id => $"query {id}: left out, no usable modality"));
        foreach (var p in problems) onProblem?.Invoke(p);
        var map = new ModalityMap(model.Model.Config);
        var scores = new List<CellScore>();
        var runs = new List<CellRun>();
        var qrels = new List<(RetrievalCell, IReadOnlyList<(string, IReadOnlyList<string>)>)>();
        var queriesByCell = new Dictionary<string, int>();
        var referencesByCell = new Dictionary<string, int>();
        foreach (var cell in cells)
        {
            var rows = map.Rows(data, cell.AsksWith);
            var references = index.ViewContents(cell.Database).Select(c => c.Item).ToList();
            queriesByCell[cell.Name] = rows.Length;
            referencesByCell[cell.Name] = references.Count;
            if (rows.Length == 0 || references.Count == 0) continue;
            var asked = report.Items.Where((_, i) => rows.Contains(i)).ToList();
            var embeddings = model.Embedder.Embed(map.Keep(data.Select(rows), cell.Query));
            var hits = index.SearchVectors(cell.Database, embeddings, RetrievalMetrics.CutOff);
            for (int d = 0; d < relevance.Count; d++)
            {
                var definition = relevance[d];
                var outcomes = new List<QueryOutcome>();
                var ranked = new List<(string, IReadOnlyList<string>)>();
                var relevantIds = new List<(string, IReadOnlyList<string>)>();
                for (int q = 0; q < asked.Count; q++)
                {
                    var labels = asked[q].Labels;
                    if (!definition.Judges(labels)) continue;
                    int r = references.Count(x => definition.IsRelevant(labels, x.Labels));
                    var byRank = hits[q].Select(h => definition.IsRelevant(labels, h.Item.Labels)).ToList();
                    outcomes.Add(QueryOutcome.Of(asked[q].Id, labels, RankedEvaluation.Score(byRank, r, [])));
                    ranked.Add((asked[q].Id, hits[q].Select(h => h.Item.Id).ToList()));
                    if (d == 0) relevantIds.Add((asked[q].Id, references.Where(x => definition.IsRelevant(labels, x.Labels)).Select(x => x.Id).ToList()));
                }
                scores.Add(RetrievalBenchmark.Summarise(SystemName, 0, cell, references.Count, definition, outcomes) with { Hubness = Hubness.Of(ranked.Select(r => r.Item2)) });
                scores.Add(RetrievalBenchmark.Summarise("Random", 0, cell, references.Count, definition, outcomes
                    .Select(o => QueryOutcome.RandomExpectation(o.QueryId, o.Labels, o.Relevant, references.Count)).ToList()));
                if (d == 0)
                {
                    runs.Add(new CellRun(SystemName, 0, cell, ranked));
                    qrels.Add((cell, relevantIds));
                }
            }
        }
        var summary = new CorpusSummary(Path.GetFullPath(queries.Path), 0, (int)index.ItemCount, data.Count, queriesByCell, referencesByCell, problems.Count);
        var result = new BenchmarkResult(summary, [SystemName, "Random"], [0], scores, [], [], runs, qrels, [], new Dictionary<string, double>());
        return new IndexEvaluationResult(result, problems);
    }
}
