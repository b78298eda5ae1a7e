namespace Affect.Search.Evaluation.Retrieval;

/// <summary>
/// Ranking quality as the paper reports it (spec section 5): AP@20 = (1 / min(R, 20)) * sum_{k=1..20} P(k) rel(k),
/// where R is the number of relevant items in the database. A query with R = 0 has AP@20 = 0 and is
/// still counted in the mean (documented choice: such queries cannot be answered well).
/// </summary>
public static class RetrievalMetrics
{
    /// <summary>The cut-off used throughout.</summary>
    public const int CutOff = 20;

    /// <summary>AP@20 of one ranking, given relevance by rank and the number of relevant items R.</summary>
    public static double AveragePrecisionAt20(IReadOnlyList<bool> relevantByRank, int relevantTotal)
    {
        if (relevantTotal < 0) throw new ArgumentOutOfRangeException(nameof(relevantTotal));
        if (relevantTotal == 0) return 0;
        double sum = 0;
        int hits = 0;
        for (int k = 0; k < Math.Min(CutOff, relevantByRank.Count); k++)
        {
            if (!relevantByRank[k]) continue;
            hits++;
            sum += hits / (double)(k + 1);
        }
        return sum / Math.Min(relevantTotal, CutOff);
    }

    /// <summary>P@20: relevant results among the first 20 ranks, over 20.</summary>
    public static double PrecisionAt20(IReadOnlyList<bool> relevantByRank)
        => relevantByRank.Take(CutOff).Count(r => r) / (double)CutOff;

    /// <summary>
    /// Recall@20: relevant results among the first 20 ranks, over R. R = 0 gives 0, as AP@20 does, so a query
    /// with nothing to find still counts (as a failure) in a mean.
    /// </summary>
    public static double RecallAt20(IReadOnlyList<bool> relevantByRank, int relevantTotal)
    {
        ArgumentNullException.ThrowIfNull(relevantByRank);
        if (relevantTotal < 0) throw new ArgumentOutOfRangeException(nameof(relevantTotal), relevantTotal, "the number of relevant items cannot be negative");
        if (relevantTotal == 0) return 0;
        return HitsInTop(relevantByRank, CutOff) / (double)relevantTotal;
    }

    /// <summary>
    /// P@k: relevant results among the first <paramref name="k"/> ranks, over k. A ranking shorter than k
    /// counts its missing ranks as not relevant (the divisor stays k).
    /// </summary>
    public static double PrecisionAtK(IReadOnlyList<bool> relevantByRank, int k)
    {
        ArgumentNullException.ThrowIfNull(relevantByRank);
        if (k <= 0) throw new ArgumentOutOfRangeException(nameof(k), k, "the cut-off must be at least 1");
        return HitsInTop(relevantByRank, k) / (double)k;
    }

    private static int HitsInTop(IReadOnlyList<bool> relevantByRank, int k)
    {
        int hits = 0;
        for (int i = 0; i < Math.Min(k, relevantByRank.Count); i++)
            if (relevantByRank[i]) hits++;
        return hits;
    }

    /// <summary>
    /// The expected AP@20 of a uniformly random ranking of <paramref name="databaseSize"/> items of which
    /// <paramref name="relevantTotal"/> are relevant: exact, from E[rel(i) rel(k)] over random permutations.
    /// </summary>
    public static double ExpectedRandomAveragePrecisionAt20(int databaseSize, int relevantTotal)
    {
        if (relevantTotal == 0 || databaseSize == 0) return 0;
        double n = databaseSize, r = relevantTotal;
        double p1 = r / n;
        double p2 = databaseSize > 1 ? r * (r - 1) / (n * (n - 1)) : 0;
        double sum = 0;
        int depth = Math.Min(CutOff, databaseSize);
        // E[P(k) rel(k)] = (1/k) (P(rel k) + sum_{i<k} P(rel i and rel k)) = (p1 + (k-1) p2) / k.
        for (int k = 1; k <= depth; k++) sum += (p1 + (k - 1) * p2) / k;
        return sum / Math.Min(relevantTotal, CutOff);
    }
}
