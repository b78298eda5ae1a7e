using Affect.Search.Evaluation.Retrieval;

namespace Affect.Search.Evaluation.Tests.Retrieval;

public class RankingTests
{
    [Fact]
    public void Ties_follow_the_given_positions_and_nan_ranks_last()
    {
        // Scores 0.9, 0.7, then the tie at 0.5 of refs 2, 3, 6 (tie positions 2, 7, 4 => 2, 6, 3), 0.2, 0.1, NaN.
        var scores = new[] { 0.9f, 0.1f, 0.5f, 0.5f, float.NaN, 0.7f, 0.5f, 0.2f };
        var ties = new[] { 3, 0, 2, 7, 1, 5, 4, 6 };
        Assert.Equal(new[] { 0, 5, 2, 6, 3, 7, 1, 4 }, Ranking.Top(scores, 20, ties));
        Assert.Equal(new[] { 0, 5, 2 }, Ranking.Top(scores, 3, ties));
        Assert.Empty(Ranking.Top(scores, 0, ties));
    }

    [Fact]
    public void Nans_rank_below_every_number_and_among_themselves_by_tie_position()
    {
        // 1 > 0 > -inf, then the NaNs: ref 2 (tie 0) before ref 0 (tie 1).
        var scores = new[] { float.NaN, 1f, float.NaN, float.NegativeInfinity, 0f };
        Assert.Equal(new[] { 1, 4, 3, 2, 0 }, Ranking.Top(scores, 5, new[] { 1, 4, 0, 3, 2 }));
    }

    [Fact]
    public void Top_agrees_with_a_full_sort_on_random_scores()
    {
        var random = new Random(5);
        for (int trial = 0; trial < 50; trial++)
        {
            int n = random.Next(1, 300);
            // Few distinct values, so there are many ties, and some NaNs.
            var scores = Enumerable.Range(0, n).Select(_ => random.Next(10) == 0 ? float.NaN : random.Next(8)).Select(v => (float)v).ToArray();
            var ties = Ranking.TiePositions(n, (ulong)trial);
            var expected = Enumerable.Range(0, n)
                .OrderBy(i => float.IsNaN(scores[i]) ? 1 : 0).ThenByDescending(i => float.IsNaN(scores[i]) ? 0 : scores[i]).ThenBy(i => ties[i])
                .Take(20).ToArray();
            Assert.Equal(expected, Ranking.Top(scores, 20, ties));
        }
    }

    [Fact]
    public void Tie_positions_are_a_seeded_permutation()
    {
        var a = Ranking.TiePositions(100, 7);
        Assert.Equal(Enumerable.Range(0, 100), a.Order());
        Assert.Equal(a, Ranking.TiePositions(100, 7));
        Assert.NotEqual(a, Ranking.TiePositions(100, 8));
        Assert.Throws<ArgumentException>(() => Ranking.Top(new float[3], 2, new int[2]));
    }

    [Fact]
    public void Evaluate_scores_a_hand_ranked_query_with_ties()
    {
        // Ranking as in the first test: 0, 5, 2, 6, 3, 7, 1, 4. Relevant: 2, 3, 7 (R = 3) at ranks 3, 5, 6.
        var scores = new[] { 0.9f, 0.1f, 0.5f, 0.5f, float.NaN, 0.7f, 0.5f, 0.2f };
        var relevant = new[] { false, false, true, true, false, false, false, true };
        var score = RankedEvaluation.Evaluate(scores, relevant, new[] { 3, 0, 2, 7, 1, 5, 4, 6 });
        Assert.Equal(3, score.Relevant);
        Assert.Equal((1.0 / 3 + 2.0 / 5 + 3.0 / 6) / 3, score.AveragePrecision, 12);
        Assert.Equal(3.0 / 20, score.PrecisionAt20, 12);
        Assert.Equal(1.0, score.RecallAt20, 12);
        Assert.Equal(new[] { 0, 5, 2, 6, 3, 7, 1, 4 }, score.Top);
        // P@1..P@8 = 0, 0, 1/3, 1/4, 2/5, 3/6, 3/7, 3/8; beyond the 8 references, 3/k.
        var expected = new[] { 0, 0, 1.0 / 3, 1.0 / 4, 2.0 / 5, 3.0 / 6, 3.0 / 7, 3.0 / 8 }.Concat(Enumerable.Range(9, 12).Select(k => 3.0 / k)).ToArray();
        Assert.Equal(20, score.PrecisionAtK.Length);
        for (int k = 0; k < 20; k++) Assert.Equal(expected[k], score.PrecisionAtK[k], 12);

        // Swapping the tie positions of refs 2 and 6 puts 6 before 2: relevant at ranks 4, 5, 6.
        var swapped = RankedEvaluation.Evaluate(scores, relevant, new[] { 3, 0, 4, 7, 1, 5, 2, 6 });
        Assert.Equal((1.0 / 4 + 2.0 / 5 + 3.0 / 6) / 3, swapped.AveragePrecision, 12);
        Assert.Equal(0.0, swapped.PrecisionAtK[2]);
    }

    [Fact]
    public void Evaluate_with_more_than_twenty_relevant()
    {
        // 40 references, the first 25 relevant (R = 25).
        var relevant = Enumerable.Range(0, 40).Select(i => i < 25).ToArray();
        var ties = Enumerable.Range(0, 40).ToArray();
        // Scores 40 - i: refs 0..19 take ranks 1..20, all relevant. AP = 20 / min(25, 20) = 1, recall 20/25.
        var best = RankedEvaluation.Evaluate(Enumerable.Range(0, 40).Select(i => 40f - i).ToArray(), relevant, ties);
        Assert.Equal(1.0, best.AveragePrecision, 12);
        Assert.Equal(1.0, best.PrecisionAt20, 12);
        Assert.Equal(0.8, best.RecallAt20, 12);
        // Scores i: refs 39..20 take ranks 1..20; the relevant 24..20 sit at ranks 16..20.
        var worst = RankedEvaluation.Evaluate(Enumerable.Range(0, 40).Select(i => (float)i).ToArray(), relevant, ties);
        Assert.Equal((1.0 / 16 + 2.0 / 17 + 3.0 / 18 + 4.0 / 19 + 5.0 / 20) / 20, worst.AveragePrecision, 12);
        Assert.Equal(5.0 / 20, worst.PrecisionAt20, 12);
        Assert.Equal(5.0 / 25, worst.RecallAt20, 12);
        Assert.Equal(1.0 / 16, worst.PrecisionAtK[15], 12);
    }

    [Fact]
    public void Evaluate_with_few_references_and_with_none_relevant()
    {
        // 5 references, all relevant and ranked 1..5: AP = 5/5 = 1, but P@20 counts the 15 missing ranks as misses.
        var few = RankedEvaluation.Evaluate(new[] { 5f, 4, 3, 2, 1 }, Enumerable.Repeat(true, 5).ToArray(), new[] { 0, 1, 2, 3, 4 });
        Assert.Equal(1.0, few.AveragePrecision, 12);
        Assert.Equal(5.0 / 20, few.PrecisionAt20, 12);
        Assert.Equal(1.0, few.RecallAt20, 12);
        Assert.Equal(5.0 / 10, few.PrecisionAtK[9], 12);
        Assert.Equal(5, few.Top.Length);

        var none = RankedEvaluation.Evaluate(new[] { 1f, 2, 3 }, new bool[3], new[] { 0, 1, 2 });
        Assert.Equal(0, none.Relevant);
        Assert.Equal(0.0, none.AveragePrecision);
        Assert.Equal(0.0, none.RecallAt20);
        Assert.Equal(0.0, none.PrecisionAt20);
        Assert.Throws<ArgumentException>(() => RankedEvaluation.Evaluate(new float[3], new bool[2], new int[3]));
    }

    [Fact]
    public void Mean_average_precision_of_an_all_tied_ranking_approaches_the_random_expectation()
    {
        // Every score equal: the ranking is the seeded tie order alone, i.e. a uniformly random permutation.
        const int n = 60, r = 7, seeds = 3000;
        var relevant = Enumerable.Range(0, n).Select(i => i % 9 == 0).ToArray();
        Assert.Equal(r, relevant.Count(x => x));
        var scores = new float[n];
        double sum = 0;
        for (int s = 0; s < seeds; s++) sum += RankedEvaluation.Evaluate(scores, relevant, Ranking.TiePositions(n, (ulong)s)).AveragePrecision;
        double expected = RetrievalMetrics.ExpectedRandomAveragePrecisionAt20(n, r);
        Assert.InRange(sum / seeds - expected, -0.012, 0.012);
    }

    [Fact]
    public void Recall_and_precision_at_k_by_hand()
    {
        // Relevant at ranks 1, 4, 22 (rank 22 is past the cut-off) with R = 5.
        var ranking = Enumerable.Range(1, 25).Select(rank => rank is 1 or 4 or 22).ToArray();
        Assert.Equal(2.0 / 5, RetrievalMetrics.RecallAt20(ranking, 5), 12);
        Assert.Equal(0.0, RetrievalMetrics.RecallAt20(ranking, 0));
        Assert.Equal(1.0, RetrievalMetrics.PrecisionAtK(ranking, 1));
        Assert.Equal(2.0 / 4, RetrievalMetrics.PrecisionAtK(ranking, 4), 12);
        Assert.Equal(3.0 / 25, RetrievalMetrics.PrecisionAtK(ranking, 25), 12);
        // A short ranking: 2 hits in 3 ranks, P@10 = 2/10.
        Assert.Equal(0.2, RetrievalMetrics.PrecisionAtK(new[] { true, false, true }, 10), 12);
        Assert.Throws<ArgumentOutOfRangeException>(() => RetrievalMetrics.PrecisionAtK(ranking, 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => RetrievalMetrics.RecallAt20(ranking, -1));
    }

    [Fact]
    public void Cosine_scores_match_a_naive_double_loop()
    {
        var random = new Random(17);
        const int d = 19, nq = 37, nr = 53;
        var queries = Enumerable.Range(0, nq * d).Select(_ => (float)(random.NextDouble() * 4 - 2)).ToArray();
        var references = Enumerable.Range(0, nr * d).Select(_ => (float)(random.NextDouble() * 4 - 2)).ToArray();
        Array.Clear(queries, 5 * d, d);     // query 5 is a zero row
        Array.Clear(references, 11 * d, d); // reference 11 too
        var scores = Ranking.CosineScores(queries, references, d);
        Assert.Equal(nq * nr, scores.Length);
        for (int i = 0; i < nq; i++)
            for (int j = 0; j < nr; j++)
            {
                double dot = 0, qq = 0, rr = 0;
                for (int k = 0; k < d; k++)
                {
                    double a = queries[i * d + k], b = references[j * d + k];
                    dot += a * b; qq += a * a; rr += b * b;
                }
                if (i == 5 || j == 11) Assert.True(float.IsNaN(scores[i * nr + j]));
                else Assert.Equal(dot / Math.Sqrt(qq * rr), scores[i * nr + j], 1e-5);
            }
        Assert.Throws<ArgumentException>(() => Ranking.CosineScores(new float[5], new float[4], 2));
    }

    [Fact]
    public void Relevance_compares_labels_within_a_kind()
    {
        var a = Labels(("emotion", ["joy"]), ("concept", ["dog", "beach"]));
        var b = Labels(("emotion", ["fear"]), ("concept", ["beach"]));
        var c = Labels(("concept", ["joy"]));
        Assert.True(Relevance.Shares(a, b));
        Assert.True(Relevance.Shares(a, b, "concept"));
        Assert.False(Relevance.Shares(a, b, "emotion"));
        // "joy" as an emotion and "joy" as a concept are different labels.
        Assert.False(Relevance.Shares(a, c));
        Assert.False(Relevance.Shares(a, b, "place"));
        Assert.False(Relevance.Shares(a, Labels(("emotion", ["Joy"]))));
        Assert.True(Relevance.Shares(a, Labels(("emotion", ["anger", "joy"]))));
        Assert.False(Relevance.Shares(a, Labels()));
    }

    private static IReadOnlyDictionary<string, IReadOnlyList<string>> Labels(params (string Kind, string[] Values)[] labels)
        => labels.ToDictionary(l => l.Kind, l => (IReadOnlyList<string>)l.Values);
}
