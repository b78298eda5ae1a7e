namespace Affect.Search.Evaluation.Retrieval;

/// <summary>What one query's ranking scored (all at the cut-off of 20, spec section 5).</summary>
/// <param name="Relevant">R: relevant references in the whole database.</param>
/// <param name="AveragePrecision">AP@20.</param>
/// <param name="PrecisionAt20">P@20.</param>
/// <param name="RecallAt20">Recall@20 (0 when R = 0).</param>
/// <param name="PrecisionAtK">P@k for k = 1..20 (index k - 1).</param>
/// <param name="Top">Reference indices, best first, up to 20.</param>
public sealed record QueryScore(int Relevant, double AveragePrecision, double PrecisionAt20, double RecallAt20, double[] PrecisionAtK, int[] Top);

/// <summary>Scores one query's ranking of all references against binary relevance.</summary>
public static class RankedEvaluation
{
    /// <summary>
    /// Ranks one query's scores over all references (equal scores by <paramref name="tiePositions"/>, NaN last,
    /// as <see cref="Ranking.Top"/>) and scores the top 20 against <paramref name="relevant"/>.
    /// </summary>
    public static QueryScore Evaluate(ReadOnlySpan<float> scores, IReadOnlyList<bool> relevant, ReadOnlySpan<int> tiePositions)
    {
        ArgumentNullException.ThrowIfNull(relevant);
        if (relevant.Count != scores.Length)
            throw new ArgumentException($"{relevant.Count} relevance flags given for {scores.Length} scores", nameof(relevant));
        int total = 0;
        for (int i = 0; i < relevant.Count; i++)
            if (relevant[i]) total++;
        var top = Ranking.Top(scores, RetrievalMetrics.CutOff, tiePositions);
        var byRank = new bool[top.Length];
        for (int i = 0; i < top.Length; i++) byRank[i] = relevant[top[i]];
        return Score(byRank, total, top);
    }

    /// <summary>Scores a ranking given as relevance by rank (best first), with R and the ranked reference indices (empty when the ranking came from elsewhere, e.g. an index).</summary>
    public static QueryScore Score(IReadOnlyList<bool> byRank, int total, int[] top)
    {
        var precisionAtK = new double[RetrievalMetrics.CutOff];
        for (int k = 1; k <= precisionAtK.Length; k++) precisionAtK[k - 1] = RetrievalMetrics.PrecisionAtK(byRank, k);
        return new QueryScore(total,
            RetrievalMetrics.AveragePrecisionAt20(byRank, total),
            RetrievalMetrics.PrecisionAt20(byRank),
            RetrievalMetrics.RecallAt20(byRank, total),
            precisionAtK,
            top);
    }
}
