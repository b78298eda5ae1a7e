using System.Numerics.Tensors;
using Affect.Search.Compute;
using Affect.Search.Engine.Corpus;
using Affect.Search.Engine.Embedding;
using Affect.Search.Engine.Search;
using Affect.Search.Evaluation.Baselines;
using Affect.Search.Evaluation.Retrieval;
using Affect.Search.Features.Corpus;
using Affect.Search.Model.Data;

namespace Affect.Search.Evaluation.Benchmark;

/// <summary>
/// The queries and references of one <see cref="RetrievalCell"/>: only the queries the cell asks and the references
/// its database holds, each keeping only the cell's modalities. Row i of a data set is item i of its list.
/// </summary>
public sealed record CellData(RetrievalCell Cell, MultimodalDataset Queries, IReadOnlyList<ManifestItem> QueryItems, string[] QueryModalities,
    MultimodalDataset References, IReadOnlyList<ManifestItem> ReferenceItems, string[] ReferenceModalities);

/// <summary>A way of ranking references for queries: the learned models and the baselines (one abstraction, many implementations).</summary>
public interface IRetrievalSystem
{
    /// <summary>The name shown in tables, e.g. "E-MDBM".</summary>
    string Name { get; }

    /// <summary>
    /// Scores of every reference for every query of the cell (queries x references, row-major; higher is better,
    /// NaN = cannot be scored, ranked last), or null when the system cannot compare these modalities at all.
    /// </summary>
    float[]? Scores(CellData cell);
}

/// <summary>A trained multimodal DBM (E-MDBM or MDBM): centred joint embeddings compared by cosine (spec sections 4-5).</summary>
public sealed class JointEmbeddingSystem(string name, JointEmbedder embedder) : IRetrievalSystem
{
    /// <inheritdoc />
    public string Name { get; } = name;

    /// <summary>The embedder (model and centres).</summary>
    public JointEmbedder Embedder { get; } = embedder;

    /// <inheritdoc />
    // The cell's data already keep only the view's modalities, so the "full" view of them is the cell's view.
    public float[]? Scores(CellData cell)
        => Ranking.CosineScores(Embedder.Embed(cell.Queries), Embedder.Embed(cell.References), Embedder.Dimension);
}

/// <summary>The paper's text baseline: generalised Jaccard coefficient between word-count vectors.</summary>
public sealed class JaccardTextSystem : IRetrievalSystem
{
    /// <inheritdoc />
    public string Name => "Jaccard (text)";

    /// <inheritdoc />
    public float[]? Scores(CellData cell)
    {
        if (!cell.Cell.Query.Contains('T') || !cell.References.Features.ContainsKey(FeatureDataset.TextFeature)) return null;
        return JaccardText.Scores(Counts(cell.Queries), Counts(cell.References));
    }

    internal static CsrMatrix Counts(MultimodalDataset data) => ((SparseVisibleData)data.Features[FeatureDataset.TextFeature]).Counts;
}

/// <summary>BM25 over the items' raw text (Lucene, English analysis), where the query has text.</summary>
public sealed class Bm25TextSystem(string scratchFolder) : IRetrievalSystem
{
    /// <inheritdoc />
    public string Name => "BM25 (text)";

    /// <inheritdoc />
    public float[]? Scores(CellData cell)
    {
        if (!cell.Cell.Query.Contains('T') || !cell.References.Features.ContainsKey(FeatureDataset.TextFeature)) return null;
        var texts = cell.ReferenceItems.Select((item, r) => cell.ReferenceModalities[r].Contains('T') ? item.Text : null).ToList();
        using var bm25 = new Bm25Text(texts, scratchFolder);
        var scores = new float[cell.QueryItems.Count * texts.Count];
        for (int q = 0; q < cell.QueryItems.Count; q++)
            bm25.Scores(cell.QueryItems[q].Text ?? "").CopyTo(scores.AsSpan(q * texts.Count, texts.Count));
        return scores;
    }
}

/// <summary>
/// The paper's video and multimodal baselines: early-fused standardised visual and audio features (video queries)
/// and the same with the text features added (multimodal queries), compared by cosine. Fitted on one feature
/// family (<see cref="FeatureSet"/>) or, by default, on every feature the run extracted.
/// </summary>
public sealed class EarlyFusionSystem : IRetrievalSystem
{
    /// <summary>Fits the standardisation of the features <paramref name="modalities"/> names on the training split.</summary>
    public EarlyFusionSystem(MultimodalDataset training, ModalityMap modalities, string name = "Early fusion")
    {
        Name = name;
        var lowLevel = modalities.Sources('V').Concat(modalities.Sources('A')).ToList();
        Video = EarlyFusion.Fit(training, lowLevel);
        Multimodal = modalities.Sources('T') is { Count: > 0 } text ? EarlyFusion.Fit(training, [.. lowLevel, .. text]) : null;
    }

    /// <summary>The fused visual and audio features.</summary>
    public EarlyFusion Video { get; }

    /// <summary>The same with the text features added; null when there are none.</summary>
    public EarlyFusion? Multimodal { get; }

    /// <inheritdoc />
    public string Name { get; }

    /// <inheritdoc />
    public float[]? Scores(CellData cell)
    {
        var q = cell.Cell.Query;
        if (q == "T") return null; // the text baselines are Jaccard, BM25 and sentence-embedding cosine
        var fusion = q.Contains('T') ? Multimodal : Video;
        // Blocks the query and the database share; with none in common every score would be 0.
        bool shares = cell.Cell.Database == "full" || cell.Cell.Database.Any(q.Contains);
        if (fusion is null || !shares) return null;
        return Ranking.CosineScores(fusion.Transform(cell.Queries), fusion.Transform(cell.References), fusion.Dimension);
    }
}

/// <summary>
/// Canonical correlation analysis between the early-fused visual and audio features and the text features (word
/// counts or a sentence embedding, L2-normalised), fitted on the training items that have both: the classic
/// cross-modal retrieval baseline. An item is represented by the projection of what it has (the mean of both unit
/// projections when it has both).
/// </summary>
public sealed class CanonicalCorrelationSystem : IRetrievalSystem
{
    private readonly EarlyFusion _lowLevel;
    private readonly EarlyFusion _text;
    private readonly CanonicalCorrelation _cca;

    /// <summary>
    /// Fits the CCA on <paramref name="training"/>, whose visual and audio features <paramref name="lowLevel"/> fuses
    /// (fitted on the same items); the text side is the text features of <paramref name="modalities"/>.
    /// </summary>
    public CanonicalCorrelationSystem(MultimodalDataset training, ModalityMap modalities, EarlyFusion lowLevel, string name = "CCA", int components = 32)
    {
        Name = name;
        _lowLevel = lowLevel;
        Modalities = modalities;
        var both = modalities.Rows(training, m => m.Contains('T') && (m.Contains('V') || m.Contains('A')));
        if (both.Length < 10) throw new ArgumentException($"CCA needs training items with text and low-level features; only {both.Length} have both");
        var paired = training.Select(both);
        // Sparse word counts become L2-normalised counts, so that long and short texts weigh alike; a dense embedding is standardised first.
        _text = EarlyFusion.Fit(paired, modalities.Sources('T'));
        _cca = CanonicalCorrelation.Fit(_lowLevel.Transform(paired), _lowLevel.Dimension, _text.Transform(paired), _text.Dimension, components);
    }

    /// <summary>The features the CCA reads, by modality; an item's modalities are judged by them.</summary>
    public ModalityMap Modalities { get; }

    /// <summary>The canonical correlations on the training pairs.</summary>
    public IReadOnlyList<double> Correlations => _cca.Correlations;

    /// <inheritdoc />
    public string Name { get; }

    /// <inheritdoc />
    public float[]? Scores(CellData cell)
        => Ranking.CosineScores(Project(cell.Queries), Project(cell.References), _cca.Components);

    private float[] Project(MultimodalDataset data)
    {
        int k = _cca.Components;
        var result = new float[data.Count * k];
        var fromLowLevel = _cca.ProjectX(_lowLevel.Transform(data));
        var fromText = Modalities.Sources('T').Any(data.Features.ContainsKey) ? _cca.ProjectY(_text.Transform(data)) : null;
        for (int r = 0; r < data.Count; r++)
        {
            var row = result.AsSpan(r * k, k);
            var modalities = Modalities.Of(data, r);
            if (modalities.Contains('V') || modalities.Contains('A')) AddUnit(fromLowLevel.AsSpan(r * k, k), row);
            if (fromText is not null && modalities.Contains('T')) AddUnit(fromText.AsSpan(r * k, k), row);
        }
        return result;
    }

    private static void AddUnit(ReadOnlySpan<float> x, Span<float> into)
    {
        float norm = TensorPrimitives.Norm(x);
        if (norm > 0) TensorPrimitives.MultiplyAdd(x, 1f / norm, into, into);
    }
}

/// <summary>
/// A text baseline on a dense sentence embedding of the text (the <c>minilm</c> feature): cosine between the query's
/// and each reference's embedding, where the query has text; references without one rank last.
/// </summary>
public sealed class SentenceEmbeddingTextSystem(string feature = SentenceEmbeddingTextSystem.MiniLm, string name = "Cosine (MiniLM)") : IRetrievalSystem
{
    /// <summary>The feature name of the MiniLM sentence embedding (384 values).</summary>
    public const string MiniLm = "minilm";

    /// <inheritdoc />
    public string Name { get; } = name;

    /// <inheritdoc />
    public float[]? Scores(CellData cell)
    {
        if (!cell.Cell.Query.Contains('T') || !cell.Queries.Features.ContainsKey(feature) || !cell.References.Features.ContainsKey(feature)) return null;
        int dimension = cell.Queries.Features[feature].Dimension;
        // Items without the embedding keep a zero row, which the cosine scores NaN (ranked last).
        return Ranking.CosineScores(PresentRows(cell.Queries), PresentRows(cell.References), dimension);
    }

    private float[] PresentRows(MultimodalDataset data)
    {
        var values = (DenseVisibleData)data.Features[feature];
        var rows = new float[data.Count * values.Dimension];
        for (int r = 0; r < data.Count; r++)
            if (data.IsPresent(feature, r)) values.Row(r).CopyTo(rows.AsSpan(r * values.Dimension, values.Dimension));
        return rows;
    }
}

/// <summary>
/// A learned system's joint ranking fused with BM25 as the engine's hybrid search fuses them
/// (<see cref="ReciprocalRankFusion"/>, the engine's default constant and depth): what a user of the engine gets for a
/// query with text. Without query text, or on a database view without text, it is the joint ranking alone.
/// </summary>
public sealed class JointWithBm25System(string name, IRetrievalSystem joint, IRetrievalSystem bm25) : IRetrievalSystem
{
    private static readonly SearchOptions EngineDefaults = new();

    /// <inheritdoc />
    public string Name { get; } = name;

    /// <inheritdoc />
    public float[]? Scores(CellData cell)
    {
        var jointScores = joint.Scores(cell);
        if (jointScores is null) return null;
        var textScores = bm25.Scores(cell);
        if (textScores is null) return jointScores;
        int n = cell.ReferenceItems.Count, queries = cell.QueryItems.Count;
        // The engine takes at least a page's worth of candidates from each retriever.
        int depth = Math.Max(EngineDefaults.FusionDepth, RetrievalMetrics.CutOff);
        var candidates = cell.ReferenceItems.Select((item, r) => new Candidate(r, item.Id)).ToArray();
        var fused = new float[jointScores.Length];
        Array.Fill(fused, float.NaN); // not among the fused candidates: ranked last
        for (int q = 0; q < queries; q++)
        {
            var ranking = ReciprocalRankFusion.Fuse(Best(jointScores.AsSpan(q * n, n), depth, candidates), Best(textScores.AsSpan(q * n, n), depth, candidates),
                EngineDefaults.RrfK, c => c.Id);
            // Scores falling with the fused position keep the engine's order, its ties by id included.
            for (int p = 0; p < ranking.Count; p++) fused[q * n + ranking[p].Hit.Reference] = ranking.Count - p;
        }
        return fused;
    }

    private sealed record Candidate(int Reference, string Id);

    // A retriever's candidates as the engine's searches return them: best first, equal scores by position, no unscored items.
    private static IReadOnlyList<Candidate> Best(ReadOnlySpan<float> scores, int depth, Candidate[] candidates)
    {
        var scored = new List<(float Score, int Reference)>();
        for (int r = 0; r < scores.Length; r++)
            if (!float.IsNaN(scores[r])) scored.Add((scores[r], r));
        return scored.OrderByDescending(x => x.Score).ThenBy(x => x.Reference).Take(depth).Select(x => candidates[x.Reference]).ToList();
    }
}
