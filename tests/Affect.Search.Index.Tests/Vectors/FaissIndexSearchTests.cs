using Affect.Search.Index.Vectors;

namespace Affect.Search.Index.Tests.Vectors;

/// <summary>The four kinds built once over 12 000 clustered 16-d unit vectors.</summary>
public sealed class ClusteredIndexes : IDisposable
{
    public const int Dimension = 16;
    public const int Rows = 12_000;
    public float[] Data { get; } = VectorTestData.Clustered(Rows, Dimension, clusters: 200, noise: 0.5, centreSeed: 1, pointSeed: 2);
    public float[] Queries { get; } = VectorTestData.Clustered(40, Dimension, clusters: 200, noise: 0.5, centreSeed: 1, pointSeed: 3);
    private readonly Dictionary<VectorIndexKind, FaissIndex> _indexes = new();

    public FaissIndex this[VectorIndexKind kind]
    {
        get
        {
            lock (_indexes)
            {
                if (!_indexes.TryGetValue(kind, out var index))
                    _indexes[kind] = index = VectorTestData.Build(kind, Data, Dimension);
                return index;
            }
        }
    }

    public void Dispose()
    {
        foreach (var index in _indexes.Values) index.Dispose();
    }
}

public sealed class FaissIndexSearchTests(ClusteredIndexes fixture) : IClassFixture<ClusteredIndexes>
{
    private const int Dim = ClusteredIndexes.Dimension;

    [Theory]
    [InlineData(VectorIndexKind.Hnsw)]
    [InlineData(VectorIndexKind.HnswSq8)]
    public void Hnsw_agrees_with_flat_on_clustered_data(VectorIndexKind kind)
    {
        var flat = fixture[VectorIndexKind.Flat].Search(fixture.Queries, 10);
        var hnsw = fixture[kind].Search(fixture.Queries, 10);
        var truth = Enumerable.Range(0, flat.Queries)
            .Select(q => Enumerable.Range(0, 10).Select(j => (flat.Positions[q * 10 + j], flat.Scores[q * 10 + j])).ToArray()).ToArray();
        Assert.True(VectorTestData.Recall(hnsw, truth) >= 0.95, $"recall@10 {VectorTestData.Recall(hnsw, truth)}");
    }

    [Fact]
    public void Flat_is_exact()
    {
        var hits = fixture[VectorIndexKind.Flat].Search(fixture.Queries, 10);
        var truth = VectorTestData.BruteForce(fixture.Data, Dim, fixture.Queries, 10);
        AssertMatches(hits, truth, tolerance: 1e-5f);
    }

    [Fact]
    public void Sq8_is_close_to_flat()
    {
        var flat = fixture[VectorIndexKind.Flat].Search(fixture.Queries, 10);
        var sq8 = fixture[VectorIndexKind.FlatSq8].Search(fixture.Queries, 10);
        var truth = VectorTestData.BruteForce(fixture.Data, Dim, fixture.Queries, 10);
        Assert.True(VectorTestData.Recall(sq8, truth) >= 0.9, $"recall@10 {VectorTestData.Recall(sq8, truth)}");
        for (int i = 0; i < flat.Scores.Length; i++) Assert.InRange(sq8.Scores[i] - flat.Scores[i], -0.02f, 0.02f);
    }

    public static TheoryData<VectorIndexKind, string> FilterCases()
    {
        var data = new TheoryData<VectorIndexKind, string>();
        foreach (var kind in Enum.GetValues<VectorIndexKind>())
            foreach (var filter in new[] { "half", "every 7th", "one percent", "three" })
                data.Add(kind, filter);
        return data;
    }

    private static Func<int, bool> Filter(string name) => name switch
    {
        // 6 000 allowed: HNSW walks the graph with the bitmap (more than 2·M·ef = 2·16·(64/0.5) allowed);
        // the flat kinds hand the bitmap to Faiss (also for every 7th, more than 1/8 of the positions)
        "half" => p => p % 2 == 1,
        // 1 714 allowed, 120 allowed, 3 allowed: HNSW scans them exactly (so do the flat kinds for the last two)
        "every 7th" => p => p % 7 == 3,
        "one percent" => p => p % 100 == 42,
        _ => p => p is 5 or 6_000 or 11_999,
    };

    [Theory]
    [MemberData(nameof(FilterCases))]
    public void Filtered_search_returns_only_allowed_positions_and_the_brute_force_answer(VectorIndexKind kind, string filter)
    {
        var index = fixture[kind];
        var allowed = Filter(filter);
        var bitmap = Enumerable.Range(0, ClusteredIndexes.Rows).Select(allowed).ToArray();
        const int k = 10;
        var hits = index.Search(fixture.Queries, k, bitmap);
        // Brute force over what the index stores (decoded codes for SQ8).
        var truth = VectorTestData.BruteForce(VectorTestData.Stored(index), Dim, fixture.Queries, k, allowed);

        foreach (var p in hits.Positions) Assert.True(p == -1 || allowed((int)p), $"position {p} is not allowed");
        bool approximate = kind is VectorIndexKind.Hnsw or VectorIndexKind.HnswSq8 && filter == "half";
        if (approximate)
        {
            double recall = VectorTestData.Recall(hits, truth);
            Assert.True(recall >= 0.97, $"recall@{k} over the allowed set {recall}");
            AssertConsistentScores(index, hits);
        }
        else
        {
            AssertMatches(hits, truth, tolerance: 1e-4f);
        }
    }

    [Theory]
    [InlineData(VectorIndexKind.Flat)]
    [InlineData(VectorIndexKind.Hnsw)]
    [InlineData(VectorIndexKind.FlatSq8)]
    [InlineData(VectorIndexKind.HnswSq8)]
    public void Filter_shorter_than_the_index_treats_later_positions_as_hidden_and_all_true_equals_no_filter(VectorIndexKind kind)
    {
        var index = fixture[kind];
        var prefix = Enumerable.Repeat(true, 100).ToList(); // a List<bool>: the other fast path
        var hits = index.Search(fixture.Queries.AsSpan(0, 4 * Dim), 5, prefix);
        Assert.All(hits.Positions, p => Assert.InRange(p, 0, 99));

        var all = Enumerable.Repeat(true, ClusteredIndexes.Rows).ToArray();
        var filtered = index.Search(fixture.Queries, 10, all);
        var plain = index.Search(fixture.Queries, 10);
        Assert.Equal(plain.Positions, filtered.Positions);
    }

    [Theory]
    [InlineData(VectorIndexKind.Flat)]
    [InlineData(VectorIndexKind.Hnsw)]
    [InlineData(VectorIndexKind.FlatSq8)]
    [InlineData(VectorIndexKind.HnswSq8)]
    public void Nothing_allowed_gives_padding_only(VectorIndexKind kind)
    {
        var hits = fixture[kind].Search(fixture.Queries.AsSpan(0, 2 * Dim), 4, new bool[ClusteredIndexes.Rows]);
        Assert.All(hits.Positions, p => Assert.Equal(-1, p));
        Assert.All(hits.Scores, s => Assert.Equal(float.NegativeInfinity, s));
    }

    [Theory]
    [InlineData(VectorIndexKind.Flat)]
    [InlineData(VectorIndexKind.Hnsw)]
    [InlineData(VectorIndexKind.FlatSq8)]
    [InlineData(VectorIndexKind.HnswSq8)]
    public void Batch_equals_one_query_at_a_time_and_concurrent_searches(VectorIndexKind kind)
    {
        var index = fixture[kind];
        const int k = 8;
        var batch = index.Search(fixture.Queries, k);
        int nq = fixture.Queries.Length / Dim;
        var single = new VectorHits[nq];
        Parallel.For(0, nq, new ParallelOptions { MaxDegreeOfParallelism = 4 }, q => single[q] = index.Search(fixture.Queries.AsSpan(q * Dim, Dim), k));
        for (int q = 0; q < nq; q++)
        {
            Assert.Equal(batch.Positions.AsSpan(q * k, k).ToArray(), single[q].Positions);
            for (int j = 0; j < k; j++) Assert.Equal(batch.Scores[q * k + j], single[q].Scores[j], 4);
        }
    }

    [Fact]
    public void Scores_are_sorted_descending()
    {
        foreach (var kind in Enum.GetValues<VectorIndexKind>())
        {
            var hits = fixture[kind].Search(fixture.Queries, 20);
            for (int q = 0; q < hits.Queries; q++)
                for (int j = 1; j < hits.K; j++)
                    Assert.True(hits.Scores[q * hits.K + j - 1] >= hits.Scores[q * hits.K + j], $"{kind} row {q} not sorted");
        }
    }

    private static void AssertMatches(VectorHits hits, (long Position, float Score)[][] truth, float tolerance)
    {
        for (int q = 0; q < hits.Queries; q++)
        {
            for (int j = 0; j < hits.K; j++)
            {
                long p = hits.Positions[q * hits.K + j];
                float s = hits.Scores[q * hits.K + j];
                if (j < truth[q].Length)
                {
                    Assert.True(p >= 0, $"row {q} slot {j} empty, expected {truth[q][j]}");
                    Assert.True(Math.Abs(s - truth[q][j].Score) <= tolerance, $"row {q} slot {j}: score {s}, brute force {truth[q][j].Score}");
                    // Same position unless a near-tie reordered them.
                    if (p != truth[q][j].Position)
                        Assert.Contains(truth[q], t => t.Position == p && Math.Abs(t.Score - s) <= tolerance);
                }
                else
                {
                    Assert.Equal(-1, p);
                    Assert.Equal(float.NegativeInfinity, s);
                }
            }
        }
    }

    private void AssertConsistentScores(FaissIndex index, VectorHits hits)
    {
        var stored = new float[Dim];
        for (int q = 0; q < hits.Queries; q++)
        {
            var seen = new HashSet<long>();
            for (int j = 0; j < hits.K; j++)
            {
                long p = hits.Positions[q * hits.K + j];
                Assert.True(p >= 0);
                Assert.True(seen.Add(p), $"position {p} twice in row {q}");
                index.Reconstruct(p, stored);
                float expected = VectorTestData.Dot(fixture.Queries.AsSpan(q * Dim, Dim), stored);
                Assert.InRange(hits.Scores[q * hits.K + j], expected - 1e-4f, expected + 1e-4f);
            }
        }
    }
}
