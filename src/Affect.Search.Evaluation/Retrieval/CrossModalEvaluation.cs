using Affect.Search.Engine.Embedding;
using Affect.Search.Model.Data;
using Affect.Search.Model.Dbm;

namespace Affect.Search.Evaluation.Retrieval;

/// <summary>One cell of a cross-modal retrieval table.</summary>
/// <param name="Query">Modalities the queries keep, e.g. "T" or "TVA".</param>
/// <param name="Database">Modalities the references keep (the paper's DB-T, DB-V, DB-A, DB-VA, or "full").</param>
/// <param name="MapAt20">MAP@20 of the E-MDBM joint representation.</param>
/// <param name="RandomMapAt20">Expected MAP@20 of a random ranking of the same database.</param>
/// <param name="Queries">Number of queries.</param>
public sealed record CrossModalResult(string Query, string Database, double MapAt20, double RandomMapAt20, int Queries);

/// <summary>
/// The paper's cross-modal protocol (spec section 5) on a labelled data set: queries and references
/// both mapped to the joint layer with only some modalities kept, ranked by cosine similarity.
/// Modalities are named by their first letter in upper case (T, V, A).
/// </summary>
public sealed class CrossModalEvaluation
{
    private readonly JointEmbedder _embedder;

    /// <summary>Evaluates <paramref name="dbm"/>, with embeddings centred by <paramref name="centres"/> when given.</summary>
    public CrossModalEvaluation(MultimodalDbm dbm, EmbeddingCentres? centres = null) => _embedder = new JointEmbedder(dbm, centres);

    /// <summary>MAP@20 for every (query view, database view) pair.</summary>
    public IReadOnlyList<CrossModalResult> Run(MultimodalDataset queries, IReadOnlyList<IReadOnlySet<string>> queryLabels,
        MultimodalDataset references, IReadOnlyList<IReadOnlySet<string>> referenceLabels,
        IEnumerable<string> queryViews, IEnumerable<string> databaseViews)
    {
        var results = new List<CrossModalResult>();
        var databases = databaseViews.ToDictionary(v => v, v => new CosineRanking(_embedder.Embed(references, v), _embedder.Dimension));
        double random = queryLabels.Count == 0 ? 0 : queryLabels.Average(labels =>
            RetrievalMetrics.ExpectedRandomAveragePrecisionAt20(referenceLabels.Count, referenceLabels.Count(l => l.Overlaps(labels))));
        foreach (var q in queryViews)
        {
            var embedded = _embedder.Embed(queries, q);
            foreach (var (db, ranking) in databases)
                results.Add(new CrossModalResult(q, db, ranking.MeanAveragePrecisionAt20(embedded, queryLabels, referenceLabels), random, queryLabels.Count));
        }
        return results;
    }
}
