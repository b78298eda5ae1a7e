using Affect.Search.Index.Vectors;

namespace Affect.Search.Index.Tests.Vectors;

public sealed class FaissIndexBasicsTests
{
    private const int Dim = 8;
    private static readonly VectorIndexKind[] Kinds = Enum.GetValues<VectorIndexKind>();

    public static TheoryData<VectorIndexKind> AllKinds() => new(Kinds);

    [Theory]
    [MemberData(nameof(AllKinds))]
    public void Fewer_than_k_vectors_are_padded_with_minus_one(VectorIndexKind kind)
    {
        var data = VectorTestData.Clustered(5, Dim, clusters: 2, noise: 0.5, centreSeed: 1, pointSeed: 1);
        using var index = VectorTestData.Build(kind, data, Dim);
        var hits = index.Search(data.AsSpan(0, 2 * Dim), 10);
        Assert.Equal(2, hits.Queries);
        Assert.Equal(10, hits.K);
        for (int q = 0; q < 2; q++)
        {
            var row = hits.Positions.AsSpan(q * 10, 10).ToArray();
            Assert.Equal(new long[] { 0, 1, 2, 3, 4 }, row[..5].Order().ToArray());
            Assert.All(row[5..], p => Assert.Equal(-1, p));
            Assert.All(hits.Scores.AsSpan(q * 10 + 5, 5).ToArray(), s => Assert.Equal(float.NegativeInfinity, s));
            Assert.Equal(q, row[0]); // a stored vector finds itself first
        }
    }

    [Theory]
    [MemberData(nameof(AllKinds))]
    public void An_empty_index_returns_only_padding(VectorIndexKind kind)
    {
        using var index = FaissIndex.Create(Dim, VectorTestData.Options(kind));
        Assert.Equal(0, index.Count);
        var hits = index.Search(new float[Dim], 3);
        Assert.All(hits.Positions, p => Assert.Equal(-1, p));
        Assert.All(hits.Scores, s => Assert.Equal(float.NegativeInfinity, s));
        Assert.Equal(0, index.Search(ReadOnlySpan<float>.Empty, 3).Queries);
    }

    [Theory]
    [InlineData(VectorIndexKind.Flat)]
    [InlineData(VectorIndexKind.Hnsw)]
    public void Reconstruct_returns_the_added_float_vectors_exactly(VectorIndexKind kind)
    {
        var data = VectorTestData.Clustered(300, Dim, clusters: 4, noise: 0.5, centreSeed: 3, pointSeed: 4);
        using var index = VectorTestData.Build(kind, data, Dim);
        var v = new float[Dim];
        foreach (var p in new[] { 0, 1, 150, 299 })
        {
            index.Reconstruct(p, v);
            Assert.Equal(data.AsSpan(p * Dim, Dim).ToArray(), v);
        }
    }

    [Theory]
    [InlineData(VectorIndexKind.FlatSq8)]
    [InlineData(VectorIndexKind.HnswSq8)]
    public void Reconstruct_returns_the_added_vectors_approximately_when_quantised(VectorIndexKind kind)
    {
        var data = VectorTestData.Clustered(300, Dim, clusters: 4, noise: 0.5, centreSeed: 3, pointSeed: 4);
        using var index = VectorTestData.Build(kind, data, Dim);
        var v = new float[Dim];
        for (int p = 0; p < 300; p++)
        {
            index.Reconstruct(p, v);
            // 8 bits over each dimension's range (at most 2 wide): error <= half a step, 1/255
            for (int i = 0; i < Dim; i++) Assert.InRange(v[i] - data[p * Dim + i], -1 / 255f, 1 / 255f);
        }
        Assert.True(index.MemoryBytes >= 300 * Dim);
    }

    [Fact]
    public void Memory_estimate_counts_the_vectors_and_links()
    {
        var data = VectorTestData.Clustered(1000, Dim, clusters: 4, noise: 0.5, centreSeed: 3, pointSeed: 4);
        using var flat = VectorTestData.Build(VectorIndexKind.Flat, data, Dim);
        using var hnsw = VectorTestData.Build(VectorIndexKind.Hnsw, data, Dim);
        using var sq8 = VectorTestData.Build(VectorIndexKind.FlatSq8, data, Dim);
        Assert.Equal(1000L * Dim * 4, flat.MemoryBytes);
        Assert.Equal(1000L * Dim, sq8.MemoryBytes);
        Assert.True(hnsw.MemoryBytes >= 1000L * (Dim * 4 + 2 * 16 * 4), $"{hnsw.MemoryBytes}");
        Assert.Equal("hnsw16", hnsw.Description);
        Assert.True(FaissIndex.NativeThreads >= 1);
    }

    [Fact]
    public void Vectors_added_in_several_batches_keep_their_positions()
    {
        var data = VectorTestData.Clustered(500, Dim, clusters: 5, noise: 0.5, centreSeed: 8, pointSeed: 9);
        foreach (var kind in Kinds)
        {
            using var index = FaissIndex.Create(Dim, VectorTestData.Options(kind));
            index.Add(data.AsSpan(0, 300 * Dim));
            index.Add(data.AsSpan(300 * Dim));
            Assert.Equal(500, index.Count);
            var hits = index.Search(data.AsSpan(420 * Dim, Dim), 1);
            Assert.Equal(420, hits.Positions[0]);
        }
    }

    [Theory]
    [MemberData(nameof(AllKinds))]
    public void Bad_input_throws_clear_exceptions(VectorIndexKind kind)
    {
        var data = VectorTestData.Clustered(50, Dim, clusters: 2, noise: 0.5, centreSeed: 1, pointSeed: 1);
        using var index = VectorTestData.Build(kind, data, Dim);

        var add = Assert.Throws<ArgumentException>(() => index.Add(new float[Dim + 1]));
        Assert.Contains("multiple of the dimension 8", add.Message);
        Assert.Throws<ArgumentException>(() => index.Search(new float[Dim - 1], 5));
        Assert.Throws<ArgumentOutOfRangeException>(() => index.Search(new float[Dim], 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => index.Search(new float[Dim], -3));
        var nan = new float[Dim];
        nan[3] = float.NaN;
        Assert.Contains("non-finite", Assert.Throws<ArgumentException>(() => index.Add(nan)).Message);
        Assert.Throws<ArgumentException>(() => index.Search(nan, 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => index.Reconstruct(50, new float[Dim]));
        Assert.Throws<ArgumentOutOfRangeException>(() => index.Reconstruct(-1, new float[Dim]));
        Assert.Throws<ArgumentException>(() => index.Reconstruct(0, new float[Dim - 1]));
        Assert.Throws<ArgumentOutOfRangeException>(() => index.SetEfSearch(0));
        Assert.Equal(50, index.Count); // nothing was added by the failed calls

        index.Dispose();
        Assert.Throws<ObjectDisposedException>(() => index.Search(new float[Dim], 1));
        Assert.Throws<ObjectDisposedException>(() => index.Add(new float[Dim]));
    }

    [Fact]
    public void Bad_options_throw()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => FaissIndex.Create(0, new VectorIndexOptions()));
        Assert.Throws<ArgumentException>(() => FaissIndex.Create(Dim, new VectorIndexOptions { Kind = VectorIndexKind.Hnsw, HnswLinks = 1 }));
        Assert.Throws<ArgumentException>(() => FaissIndex.Create(Dim, new VectorIndexOptions { HnswEfSearch = 0 }));
        Assert.Throws<ArgumentException>(() => FaissIndex.Create(Dim, new VectorIndexOptions { Kind = (VectorIndexKind)17 }));
    }

    [Fact]
    public void Quantised_index_trains_on_its_first_batch_or_an_explicit_sample()
    {
        var data = VectorTestData.Clustered(400, Dim, clusters: 3, noise: 0.5, centreSeed: 2, pointSeed: 2);
        using var index = FaissIndex.Create(Dim, VectorTestData.Options(VectorIndexKind.FlatSq8));
        Assert.False(index.IsTrained);
        index.Train(data);
        Assert.True(index.IsTrained);
        index.Add(data.AsSpan(0, 10 * Dim));
        Assert.Throws<InvalidOperationException>(() => index.Train(data));
        Assert.Equal(7, index.Search(data.AsSpan(7 * Dim, Dim), 1).Positions[0]);
    }
}
