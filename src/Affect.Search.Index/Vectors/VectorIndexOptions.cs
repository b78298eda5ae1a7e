namespace Affect.Search.Index.Vectors;

/// <summary>The structure of a vector index.</summary>
public enum VectorIndexKind
{
    /// <summary>Exact search over raw float32 vectors (Faiss IndexFlatIP).</summary>
    Flat,
    /// <summary>HNSW graph over raw float32 vectors.</summary>
    Hnsw,
    /// <summary>Exact scan over 8-bit scalar-quantised vectors.</summary>
    FlatSq8,
    /// <summary>HNSW graph over 8-bit scalar-quantised vectors.</summary>
    HnswSq8,
}

/// <summary>How to build a vector index.</summary>
public sealed record VectorIndexOptions
{
    /// <summary>Index structure.</summary>
    public VectorIndexKind Kind { get; init; } = VectorIndexKind.Flat;
    /// <summary>HNSW links per node (M).</summary>
    public int HnswLinks { get; init; } = 12;
    /// <summary>HNSW candidate list size while building.</summary>
    public int HnswEfConstruction { get; init; } = 80;
    /// <summary>HNSW candidate list size while searching (raised to k when smaller).</summary>
    public int HnswEfSearch { get; init; } = 256;
}
