using System.Numerics.Tensors;

namespace Affect.Search.Evaluation.Retrieval;

/// <summary>
/// Exact ranking of a set of reference embeddings by cosine similarity (inner product of L2-normalised
/// vectors, spec section 5), ties broken by reference order. For evaluation and small collections.
/// </summary>
public sealed class CosineRanking
{
    private readonly float[] _references;

    /// <summary>Indexes row-major reference embeddings of dimension <paramref name="dimension"/>.</summary>
    public CosineRanking(float[] references, int dimension)
    {
        if (dimension <= 0 || references.Length % dimension != 0) throw new ArgumentException("reference embeddings do not fill whole rows");
        Dimension = dimension;
        _references = Normalised(references.ToArray(), dimension);
    }

    /// <summary>Embedding size.</summary>
    public int Dimension { get; }

    /// <summary>Number of references.</summary>
    public int Count => _references.Length / Dimension;

    /// <summary>The indices of the best <paramref name="k"/> references for a query, best first.</summary>
    public int[] Rank(ReadOnlySpan<float> query, int k)
    {
        var q = Normalised(query.ToArray(), Dimension);
        var scores = new float[Count];
        for (int r = 0; r < Count; r++) scores[r] = TensorPrimitives.Dot<float>(q, _references.AsSpan(r * Dimension, Dimension));
        return Enumerable.Range(0, Count).OrderByDescending(i => scores[i]).ThenBy(i => i).Take(k).ToArray();
    }

    /// <summary>MAP@20 of queries against the references, relevance = sharing at least one label.</summary>
    public double MeanAveragePrecisionAt20(float[] queries, IReadOnlyList<IReadOnlySet<string>> queryLabels, IReadOnlyList<IReadOnlySet<string>> referenceLabels)
    {
        if (referenceLabels.Count != Count) throw new ArgumentException("one label set per reference expected");
        double sum = 0;
        for (int q = 0; q < queryLabels.Count; q++)
        {
            var labels = queryLabels[q];
            var ranked = Rank(queries.AsSpan(q * Dimension, Dimension), RetrievalMetrics.CutOff);
            int relevant = referenceLabels.Count(l => l.Overlaps(labels));
            sum += RetrievalMetrics.AveragePrecisionAt20(ranked.Select(i => referenceLabels[i].Overlaps(labels)).ToArray(), relevant);
        }
        return queryLabels.Count == 0 ? 0 : sum / queryLabels.Count;
    }

    private static float[] Normalised(float[] x, int dim)
    {
        for (int i = 0; i < x.Length / dim; i++)
        {
            var row = x.AsSpan(i * dim, dim);
            float norm = TensorPrimitives.Norm<float>(row);
            if (norm > 0) TensorPrimitives.Divide(row, norm, row);
        }
        return x;
    }
}
