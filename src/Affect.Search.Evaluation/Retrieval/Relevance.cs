namespace Affect.Search.Evaluation.Retrieval;

/// <summary>
/// The paper's relevance rule (spec section 5): a reference is relevant to a query when they share at least one
/// label. Labels are grouped by kind (e.g. "emotion", "concept"); a label only matches within its own kind, so
/// an emotion and a concept that happen to be spelled alike do not make items relevant to each other.
/// </summary>
public static class Relevance
{
    /// <summary>
    /// True when <paramref name="a"/> and <paramref name="b"/> share at least one label string (ordinal comparison)
    /// within the same label kind. With <paramref name="kind"/> = null any kind counts; otherwise only that kind.
    /// </summary>
    public static bool Shares(IReadOnlyDictionary<string, IReadOnlyList<string>> a, IReadOnlyDictionary<string, IReadOnlyList<string>> b, string? kind = null)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        if (kind is not null) return SharesKind(a, b, kind);
        foreach (var k in a.Keys)
            if (SharesKind(a, b, k)) return true;
        return false;
    }

    private static bool SharesKind(IReadOnlyDictionary<string, IReadOnlyList<string>> a, IReadOnlyDictionary<string, IReadOnlyList<string>> b, string kind)
    {
        if (!a.TryGetValue(kind, out var left) || !b.TryGetValue(kind, out var right) || left is null || right is null) return false;
        // Label lists are a handful of entries: a nested scan beats building a set.
        foreach (var x in left)
            foreach (var y in right)
                if (x is not null && string.Equals(x, y, StringComparison.Ordinal)) return true;
        return false;
    }
}
