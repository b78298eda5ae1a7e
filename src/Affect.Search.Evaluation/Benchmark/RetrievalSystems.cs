using System.Numerics.Tensors;
using Affect.Search.Compute;
using Affect.Search.Engine.Corpus;
using Affect.Search.Engine.Embedding;
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
/// The paper's video and multimodal baselines: early-fused standardised low-level visual and audio features
/// (video queries) and the same with the word counts added (multimodal queries), compared by cosine.
/// </summary>
public sealed class EarlyFusionSystem : IRetrievalSystem
{
    /// <summary>Fits the standardisation on the training split.</summary>
    public EarlyFusionSystem(MultimodalDataset training, ModalityMap modalities)
    {
        var lowLevel = modalities.Sources('V').Concat(modalities.Sources('A')).ToList();
        Video = EarlyFusion.Fit(training, lowLevel);
        Multimodal = EarlyFusion.Fit(training, [.. lowLevel, FeatureDataset.TextFeature]);
    }

    /// <summary>The fused low-level visual and audio features.</summary>
    public EarlyFusion Video { get; }

    /// <summary>The same with the word counts added.</summary>
    public EarlyFusion Multimodal { get; }

    /// <inheritdoc />
    public string Name => "Early fusion";

    /// <inheritdoc />
    public float[]? Scores(CellData cell)
    {
        var q = cell.Cell.Query;
        if (q == "T") return null; // the text baseline is Jaccard
        var fusion = q.Contains('T') ? Multimodal : Video;
        // Blocks the query and the database share; with none in common every score would be 0.
        bool shares = cell.Cell.Database == "full" || cell.Cell.Database.Any(q.Contains);
        if (!shares) return null;
        return Ranking.CosineScores(fusion.Transform(cell.Queries), fusion.Transform(cell.References), fusion.Dimension);
    }
}

/// <summary>
/// Canonical correlation analysis between the low-level features (early-fused visual and audio) and the word
/// counts, fitted on the training items that have both: the classic cross-modal retrieval baseline. An item is
/// represented by the projection of what it has (the mean of both unit projections when it has both).
/// </summary>
public sealed class CanonicalCorrelationSystem : IRetrievalSystem
{
    private readonly EarlyFusion _lowLevel;
    private readonly CanonicalCorrelation _cca;
    private readonly int _vocabulary;

    /// <summary>Fits the CCA on <paramref name="training"/>, whose low-level features <paramref name="lowLevel"/> fuses (fitted on the same items).</summary>
    public CanonicalCorrelationSystem(MultimodalDataset training, ModalityMap modalities, EarlyFusion lowLevel, int components = 32)
    {
        _lowLevel = lowLevel;
        var both = modalities.Rows(training, m => m.Contains('T') && (m.Contains('V') || m.Contains('A')));
        if (both.Length < 10) throw new ArgumentException($"CCA needs training items with text and low-level features; only {both.Length} have both");
        var paired = training.Select(both);
        _vocabulary = JaccardTextSystem.Counts(paired).Cols;
        _cca = CanonicalCorrelation.Fit(_lowLevel.Transform(paired), _lowLevel.Dimension, WordVectors(paired), _vocabulary, components);
        Modalities = modalities;
    }

    /// <summary>The modality map used for items.</summary>
    public ModalityMap Modalities { get; }

    /// <summary>The canonical correlations on the training pairs.</summary>
    public IReadOnlyList<double> Correlations => _cca.Correlations;

    /// <inheritdoc />
    public string Name => "CCA";

    /// <inheritdoc />
    public float[]? Scores(CellData cell)
        => Ranking.CosineScores(Project(cell.Queries, cell.QueryModalities), Project(cell.References, cell.ReferenceModalities), _cca.Components);

    private float[] Project(MultimodalDataset data, string[] modalities)
    {
        int k = _cca.Components;
        var result = new float[data.Count * k];
        var fromLowLevel = _cca.ProjectX(_lowLevel.Transform(data));
        var fromText = data.Features.ContainsKey(FeatureDataset.TextFeature) ? _cca.ProjectY(WordVectors(data)) : null;
        for (int r = 0; r < data.Count; r++)
        {
            var row = result.AsSpan(r * k, k);
            if (modalities[r].Contains('V') || modalities[r].Contains('A')) AddUnit(fromLowLevel.AsSpan(r * k, k), row);
            if (fromText is not null && modalities[r].Contains('T')) AddUnit(fromText.AsSpan(r * k, k), row);
        }
        return result;
    }

    private static void AddUnit(ReadOnlySpan<float> x, Span<float> into)
    {
        float norm = TensorPrimitives.Norm(x);
        if (norm > 0) TensorPrimitives.MultiplyAdd(x, 1f / norm, into, into);
    }

    // L2-normalised word counts, dense, so that long and short texts weigh alike.
    private float[] WordVectors(MultimodalDataset data)
    {
        var counts = JaccardTextSystem.Counts(data);
        var dense = counts.ToDense();
        for (int r = 0; r < data.Count; r++)
        {
            var row = dense.AsSpan(r * _vocabulary, _vocabulary);
            float norm = TensorPrimitives.Norm<float>(row);
            if (norm > 0) TensorPrimitives.Divide(row, norm, row);
        }
        return dense;
    }
}
