namespace Affect.Search.Engine.Search;

/// <summary>One candidate of a fused ranking: its fused score and where each retriever ranked it (1-based; null when it did not return it).</summary>
/// <typeparam name="T">A retriever's hit.</typeparam>
public sealed record FusedCandidate<T>(string Id, double Score, int? FirstRank, T? First, int? SecondRank, T? Second) where T : class
{
    /// <summary>The hit this candidate stands for (the first retriever's when both returned it).</summary>
    public T Hit => First ?? Second!;
}

/// <summary>
/// Reciprocal rank fusion of two rankings, as the engine's hybrid search fuses the joint-space ranking with BM25
/// (and the benchmark's "+ BM25" system reproduces it): a candidate's score is the sum of 1 / (k + rank) over the
/// rankings that returned it; equal scores are ordered by id (ordinal), so the fused order is deterministic.
/// </summary>
public static class ReciprocalRankFusion
{
    /// <summary>Fuses <paramref name="first"/> and <paramref name="second"/> (each best first), best first.</summary>
    public static IReadOnlyList<FusedCandidate<T>> Fuse<T>(IReadOnlyList<T> first, IReadOnlyList<T> second, int k, Func<T, string> id) where T : class
    {
        ArgumentNullException.ThrowIfNull(first);
        ArgumentNullException.ThrowIfNull(second);
        ArgumentNullException.ThrowIfNull(id);
        var fused = new Dictionary<string, FusedCandidate<T>>(StringComparer.Ordinal);
        for (int i = 0; i < first.Count; i++)
            fused[id(first[i])] = new FusedCandidate<T>(id(first[i]), 1.0 / (k + i + 1), i + 1, first[i], null, null);
        for (int i = 0; i < second.Count; i++)
        {
            var key = id(second[i]);
            double add = 1.0 / (k + i + 1);
            fused[key] = fused.TryGetValue(key, out var f)
                ? f with { Score = f.Score + add, SecondRank = i + 1, Second = second[i] }
                : new FusedCandidate<T>(key, add, null, null, i + 1, second[i]);
        }
        return fused.Values.OrderByDescending(f => f.Score).ThenBy(f => f.Id, StringComparer.Ordinal).ToList();
    }
}
