using Affect.Search.Evaluation.Retrieval;

namespace Affect.Search.Evaluation.Tests.Retrieval;

public class RetrievalMetricsTests
{
    [Fact]
    public void Average_precision_matches_a_hand_computed_ranking()
    {
        // Relevant at ranks 1, 3 and 6 with R = 4: (1/1 + 2/3 + 3/6) / 4.
        var ranking = new[] { true, false, true, false, false, true, false };
        Assert.Equal((1.0 + 2.0 / 3 + 0.5) / 4, RetrievalMetrics.AveragePrecisionAt20(ranking, 4), 12);
    }

    [Fact]
    public void Average_precision_normalises_by_twenty_when_more_are_relevant()
    {
        var ranking = Enumerable.Repeat(true, 25).ToArray();
        Assert.Equal(1.0, RetrievalMetrics.AveragePrecisionAt20(ranking, 50), 12);
        var halfway = Enumerable.Range(0, 20).Select(i => i < 10).ToArray();
        Assert.Equal(10.0 / 20, RetrievalMetrics.AveragePrecisionAt20(halfway, 30), 12);
    }

    [Fact]
    public void Ranks_beyond_twenty_do_not_count_and_no_relevant_items_give_zero()
    {
        var late = Enumerable.Range(0, 30).Select(i => i == 25).ToArray();
        Assert.Equal(0.0, RetrievalMetrics.AveragePrecisionAt20(late, 1));
        Assert.Equal(0.0, RetrievalMetrics.AveragePrecisionAt20(new[] { false, false }, 0));
        Assert.Equal(0.5, RetrievalMetrics.PrecisionAt20(Enumerable.Range(0, 40).Select(i => i % 2 == 0).ToArray()));
    }

    [Theory]
    [InlineData(30, 5)]
    [InlineData(12, 3)]
    [InlineData(25, 25)]
    public void Expected_random_average_precision_matches_exhaustive_simulation(int n, int r)
    {
        // Monte Carlo over seeded shuffles must agree with the closed form.
        var rng = new Random(3);
        double sum = 0;
        const int trials = 40000;
        var items = Enumerable.Range(0, n).Select(i => i < r).ToArray();
        for (int t = 0; t < trials; t++)
        {
            var shuffled = items.OrderBy(_ => rng.Next()).ToArray();
            sum += RetrievalMetrics.AveragePrecisionAt20(shuffled, r);
        }
        Assert.Equal(sum / trials, RetrievalMetrics.ExpectedRandomAveragePrecisionAt20(n, r), 2);
    }

    [Fact]
    public void Cosine_ranking_orders_by_angle_not_length_and_breaks_ties_by_order()
    {
        var references = new float[]
        {
            10, 0,   // 0: same direction as the query, long
            1, 1,    // 1: 45 degrees
            0, 1,    // 2: orthogonal
            0.1f, 0, // 3: same direction, short: ties with 0
        };
        var ranking = new CosineRanking(references, 2);
        Assert.Equal(new[] { 0, 3, 1, 2 }, ranking.Rank(new float[] { 1, 0 }, 4));
        Assert.Equal(10f, references[0]); // the caller's array is not normalised in place
    }

    [Fact]
    public void Map_counts_shared_labels_as_relevant()
    {
        var references = new float[] { 1, 0, 0, 1, 1, 0.1f };
        var refLabels = new IReadOnlySet<string>[] { new HashSet<string> { "joy" }, new HashSet<string> { "fear" }, new HashSet<string> { "joy", "cat" } };
        var queries = new float[] { 1, 0 };
        var ranking = new CosineRanking(references, 2);
        // Order: 0 (joy), 2 (joy, cat), 1 (fear): both relevant items first => AP = 1.
        Assert.Equal(1.0, ranking.MeanAveragePrecisionAt20(queries, new IReadOnlySet<string>[] { new HashSet<string> { "joy" } }, refLabels), 12);
        // Query labelled "cat": only item 2, at rank 2 => AP = 1/2.
        Assert.Equal(0.5, ranking.MeanAveragePrecisionAt20(queries, new IReadOnlySet<string>[] { new HashSet<string> { "cat" } }, refLabels), 12);
    }
}
