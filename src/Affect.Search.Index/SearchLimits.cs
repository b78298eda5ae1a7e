namespace Affect.Search.Index;

/// <summary>
/// The documented bounds of one search request, so that no request can ask for an allocation beyond them
/// (as Elasticsearch's index.max_result_window): at most <see cref="MaxK"/> results per page, and no page
/// reaching past rank <see cref="MaxResultWindow"/>. Deeper paging needs a narrower filter.
/// </summary>
public static class SearchLimits
{
    /// <summary>Results of one page (k).</summary>
    public const int MaxK = 1_000;

    /// <summary>Offset + k: the deepest rank a page may reach, and the most candidates a retriever returns.</summary>
    public const int MaxResultWindow = 10_000;

    /// <summary>
    /// Why a page of <paramref name="k"/> results after <paramref name="offset"/> is out of bounds (k not in
    /// 1..<see cref="MaxK"/>, a negative offset, offset + k over <see cref="MaxResultWindow"/>), or null.
    /// </summary>
    public static string? PageProblem(int k, int offset) =>
        k is < 1 or > MaxK ? $"k must be between 1 and {MaxK} (got {k})" : WindowProblem(k, offset);

    /// <summary>
    /// Why a retriever's <paramref name="depth"/> candidates after <paramref name="offset"/> are out of bounds
    /// (depth below 1, a negative offset, offset + depth over <see cref="MaxResultWindow"/>), or null. A fusion
    /// takes a whole window of candidates from each retriever, so depth is not bounded by <see cref="MaxK"/>.
    /// </summary>
    public static string? WindowProblem(int depth, int offset)
    {
        if (depth < 1) return $"k must be positive (got {depth})";
        if (offset < 0) return $"offset must not be negative (got {offset})";
        // In long: offset + depth must not overflow (offset may be int.MaxValue).
        if ((long)offset + depth > MaxResultWindow)
            return $"offset + k must be at most {MaxResultWindow} (got {offset} + {depth}); narrow the search with a filter instead of paging deeper";
        return null;
    }
}
