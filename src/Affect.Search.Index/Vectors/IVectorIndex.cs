namespace Affect.Search.Index.Vectors;

/// <summary>
/// A store of fixed-length float vectors searched by inner product (cosine on unit vectors). Vectors are
/// addressed by their position: the n-th vector added has position n-1, positions never move, and the
/// caller maps positions to its own item ids. One abstraction, several implementations (exact flat, HNSW,
/// scalar-quantised), in the manner of Faiss's <c>Index</c>.
/// </summary>
public interface IVectorIndex : IDisposable
{
    /// <summary>Vector length.</summary>
    int Dimension { get; }

    /// <summary>Number of vectors added (the next position).</summary>
    long Count { get; }

    /// <summary>What the index is, e.g. "flat", "hnsw32", "hnsw32-sq8".</summary>
    VectorIndexKind Kind { get; }

    /// <summary>Appends <c>vectors.Length / Dimension</c> row-major vectors at positions Count, Count+1, ...</summary>
    void Add(ReadOnlySpan<float> vectors);

    /// <summary>
    /// The best <paramref name="k"/> positions for each of the row-major <paramref name="queries"/>, by
    /// descending inner product. When <paramref name="allowed"/> is given, only positions p with
    /// <c>allowed[p]</c> true are returned, and the result is as good as an unfiltered search of just those
    /// (hidden positions never crowd out allowed ones). Rows with fewer than k results are padded with
    /// position -1 and score <see cref="float.NegativeInfinity"/>.
    /// </summary>
    VectorHits Search(ReadOnlySpan<float> queries, int k, IReadOnlyList<bool>? allowed = null);

    /// <summary>The stored vector at <paramref name="position"/> (decoded when quantised).</summary>
    void Reconstruct(long position, Span<float> destination);

    /// <summary>Writes the index to <paramref name="path"/> (a plain write; the caller makes it atomic).</summary>
    void Save(string path);
}

/// <summary>Row-major search results: <c>Positions[q * K + j]</c> is query q's j-th best position.</summary>
public sealed record VectorHits(int Queries, int K, long[] Positions, float[] Scores);
