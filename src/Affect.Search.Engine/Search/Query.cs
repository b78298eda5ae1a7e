using Affect.Search.Index;

namespace Affect.Search.Engine.Search;

/// <summary>A query: any combination of text and media files (at least one).</summary>
public sealed record Query(string? Text = null, string? Image = null, string? Audio = null, string? Video = null, string Id = "query")
{
    /// <summary>Whether nothing was given.</summary>
    public bool IsEmpty => string.IsNullOrWhiteSpace(Text) && Image is null && Audio is null && Video is null;
}

/// <summary>How to search.</summary>
public sealed record SearchOptions
{
    /// <summary>The database view searched: full, T, V, A or VA.</summary>
    public string Database { get; init; } = IndexViews.Full;
    /// <summary>Results wanted: 1 to <see cref="SearchLimits.MaxK"/>.</summary>
    public int K { get; init; } = 20;
    /// <summary>Results skipped first (pagination); offset + k is at most <see cref="SearchLimits.MaxResultWindow"/>.</summary>
    public int Offset { get; init; }
    /// <summary>Only items passing this filter.</summary>
    public ItemFilter? Filter { get; init; }
    /// <summary>Fuse the joint-space ranking with BM25 over the items' text by reciprocal rank fusion.</summary>
    public bool Hybrid { get; init; }
    /// <summary>Reciprocal rank fusion constant: a result's fused score is the sum of 1 / (RrfK + rank) over the retrievers.</summary>
    public int RrfK { get; init; } = 60;
    /// <summary>Candidates each retriever contributes to the fusion (at least offset + k, at most <see cref="SearchLimits.MaxResultWindow"/>).</summary>
    public int FusionDepth { get; init; } = 100;
}

/// <summary>Where a result came from in each retriever (1-based ranks; null when the retriever did not return it).</summary>
public sealed record Explanation(int? VectorRank, float? VectorScore, int? TextRank, float? TextScore);

/// <summary>One result.</summary>
/// <param name="Rank">1-based rank, counting the offset.</param>
/// <param name="Id">Item id.</param>
/// <param name="Score">Cosine similarity in the joint space, or the fused score for a hybrid search.</param>
/// <param name="Text">The item's text.</param>
/// <param name="Labels">The item's labels.</param>
/// <param name="Modalities">The item's modalities (letters).</param>
/// <param name="Explain">Per-retriever ranks and scores (hybrid searches).</param>
public sealed record SearchResult(int Rank, string Id, float Score, string? Text, IReadOnlyDictionary<string, IReadOnlyList<string>> Labels,
    string Modalities, Explanation? Explain);

/// <summary>The answer to a query.</summary>
/// <param name="Query">The query.</param>
/// <param name="Database">The view searched.</param>
/// <param name="QueryModalities">The modalities the query embedding was computed from (letters); the rest were inferred.</param>
/// <param name="Results">Results, best first.</param>
/// <param name="Warnings">What was ignored in the query (e.g. words outside the vocabulary).</param>
public sealed record SearchResponse(Query Query, string Database, string QueryModalities, IReadOnlyList<SearchResult> Results, IReadOnlyList<string> Warnings);

/// <summary>A word the model infers for a query's missing text, with its probability under the reconstructed word distribution.</summary>
public sealed record InferredWord(string Word, float Probability);

/// <summary>The answer to a video-to-text lookup.</summary>
/// <param name="Query">The query.</param>
/// <param name="QueryModalities">Modalities the query had.</param>
/// <param name="Words">Top words of the reconstructed word distribution (vocabulary stems).</param>
/// <param name="Results">Nearest items of the T view (items represented by their text alone).</param>
/// <param name="Warnings">What was ignored.</param>
public sealed record DescribeResponse(Query Query, string QueryModalities, IReadOnlyList<InferredWord> Words, IReadOnlyList<SearchResult> Results,
    IReadOnlyList<string> Warnings);

/// <summary>A query that cannot be answered, with why (an unreadable file, no usable modality, ...).</summary>
public sealed class QueryException(string message) : ArgumentException(message);
