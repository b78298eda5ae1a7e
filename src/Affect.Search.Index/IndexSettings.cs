using Affect.Search.Index.Vectors;

namespace Affect.Search.Index;

/// <summary>
/// How an index stores its vectors, fixed when it is created: exact search (Faiss IndexFlatIP) while a view
/// is small, an HNSW graph once it reaches <see cref="HnswThreshold"/> vectors, and optionally 8-bit
/// scalar quantisation to cut memory.
/// </summary>
public sealed record IndexSettings
{
    /// <summary>Vectors in a view from which it is stored as an HNSW graph instead of searched exactly.</summary>
    public long HnswThreshold { get; init; } = 100_000;

    /// <summary>Store vectors as 8-bit scalar codes (about 4x less memory, slightly lower recall).</summary>
    public bool ScalarQuantized { get; init; }

    /// <summary>HNSW links per node.</summary>
    public int HnswLinks { get; init; } = 12;

    /// <summary>HNSW candidate list size while building.</summary>
    public int HnswEfConstruction { get; init; } = 80;

    /// <summary>
    /// HNSW candidate list size while searching. 256: at 1M 512-d vectors (the wide preset's joint layer) M = 12
    /// reaches recall@20 0.96 on synthetic clusters (0.89 at 128) and 0.99 on real-centred data (0.97 at 128), p50
    /// 1.3-2.4 ms; see eval/results/ann.md and ann-real.md. An index keeps the value it was created with.
    /// </summary>
    public int HnswEfSearch { get; init; } = 256;

    /// <summary>Fraction of dead positions (deleted or replaced items) above which a view's vectors are rebuilt at commit.</summary>
    public double CompactionThreshold { get; init; } = 0.25;

    /// <summary>The vector index options for a view holding <paramref name="vectors"/> vectors.</summary>
    public VectorIndexOptions VectorOptions(long vectors) => new()
    {
        Kind = (vectors >= HnswThreshold, ScalarQuantized) switch
        {
            (false, false) => VectorIndexKind.Flat,
            (false, true) => VectorIndexKind.FlatSq8,
            (true, false) => VectorIndexKind.Hnsw,
            (true, true) => VectorIndexKind.HnswSq8,
        },
        HnswLinks = HnswLinks,
        HnswEfConstruction = HnswEfConstruction,
        HnswEfSearch = HnswEfSearch,
    };
}
