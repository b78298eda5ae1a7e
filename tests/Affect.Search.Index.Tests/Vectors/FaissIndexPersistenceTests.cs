using Affect.Search.Index.Vectors;

namespace Affect.Search.Index.Tests.Vectors;

public sealed class FaissIndexPersistenceTests : IDisposable
{
    private const int Dim = 24;
    private readonly string _folder = Directory.CreateTempSubdirectory("affect-vectors-").FullName;
    private readonly float[] _data = VectorTestData.Clustered(3_000, Dim, clusters: 30, noise: 0.6, centreSeed: 5, pointSeed: 6);
    private readonly float[] _queries = VectorTestData.Clustered(25, Dim, clusters: 30, noise: 0.6, centreSeed: 5, pointSeed: 7);

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Theory]
    [InlineData(VectorIndexKind.Flat)]
    [InlineData(VectorIndexKind.Hnsw)]
    [InlineData(VectorIndexKind.FlatSq8)]
    [InlineData(VectorIndexKind.HnswSq8)]
    public void Save_then_load_gives_identical_results(VectorIndexKind kind)
    {
        var path = Path.Combine(_folder, $"{kind}.faiss");
        var allowed = Enumerable.Range(0, 3_000).Select(p => p % 3 != 0).ToArray();
        VectorHits before, beforeFiltered;
        var stored = new float[Dim];
        using (var index = VectorTestData.Build(kind, _data, Dim))
        {
            before = index.Search(_queries, 10);
            beforeFiltered = index.Search(_queries, 10, allowed);
            index.Reconstruct(1234, stored);
            index.Save(path);
        }
        using var loaded = FaissIndex.Load(path, VectorTestData.Options(kind));
        Assert.Equal(kind, loaded.Kind);
        Assert.Equal(Dim, loaded.Dimension);
        Assert.Equal(3_000, loaded.Count);
        Assert.Equal(kind is VectorIndexKind.Hnsw or VectorIndexKind.HnswSq8 ? 16 : 0, loaded.HnswLinks);
        Assert.True(loaded.IsTrained);

        var after = loaded.Search(_queries, 10);
        Assert.Equal(before.Positions, after.Positions);
        Assert.Equal(before.Scores, after.Scores);
        var afterFiltered = loaded.Search(_queries, 10, allowed);
        Assert.Equal(beforeFiltered.Positions, afterFiltered.Positions);
        Assert.Equal(beforeFiltered.Scores, afterFiltered.Scores);
        var reloaded = new float[Dim];
        loaded.Reconstruct(1234, reloaded);
        Assert.Equal(stored, reloaded);

        // A loaded index takes more vectors like a fresh one.
        loaded.Add(_queries.AsSpan(0, Dim));
        Assert.Equal(3_001, loaded.Count);
        Assert.Equal(3_000, loaded.Search(_queries.AsSpan(0, Dim), 1).Positions[0]);
    }

    [Fact]
    public void Load_takes_ef_search_from_the_options()
    {
        var path = Path.Combine(_folder, "ef.faiss");
        using (var index = VectorTestData.Build(VectorIndexKind.Hnsw, _data, Dim)) index.Save(path);
        using var loaded = FaissIndex.Load(path, new VectorIndexOptions { Kind = VectorIndexKind.Hnsw, HnswEfSearch = 333 });
        Assert.Equal(333, loaded.EfSearch);
        loaded.SetEfSearch(40);
        Assert.Equal(40, loaded.EfSearch);
    }

    [Fact]
    public void Loading_a_missing_file_throws_file_not_found()
    {
        var path = Path.Combine(_folder, "missing.faiss");
        var e = Assert.Throws<FileNotFoundException>(() => FaissIndex.Load(path));
        Assert.Contains(path, e.Message);
    }

    [Fact]
    public void Loading_garbage_throws_invalid_data_naming_the_file()
    {
        var path = Path.Combine(_folder, "garbage.faiss");
        File.WriteAllBytes(path, Enumerable.Range(0, 4096).Select(i => (byte)(i * 31 + 7)).ToArray());
        var e = Assert.Throws<InvalidDataException>(() => FaissIndex.Load(path));
        Assert.Contains(path, e.Message);
        Assert.IsType<FaissException>(e.InnerException);

        File.WriteAllBytes(Path.Combine(_folder, "empty.faiss"), []);
        var empty = Assert.Throws<InvalidDataException>(() => FaissIndex.Load(Path.Combine(_folder, "empty.faiss")));
        Assert.Contains("empty.faiss", empty.Message);
    }

    [Theory]
    [InlineData(VectorIndexKind.Flat)]
    [InlineData(VectorIndexKind.Hnsw)]
    [InlineData(VectorIndexKind.FlatSq8)]
    [InlineData(VectorIndexKind.HnswSq8)]
    public void Loading_a_truncated_file_throws_invalid_data_naming_the_file(VectorIndexKind kind)
    {
        var path = Path.Combine(_folder, $"{kind}-whole.faiss");
        using (var index = VectorTestData.Build(kind, _data, Dim)) index.Save(path);
        var bytes = File.ReadAllBytes(path);
        foreach (var length in new[] { 3, 40, bytes.Length / 2, bytes.Length - 1 })
        {
            var cut = Path.Combine(_folder, $"{kind}-cut-{length}.faiss");
            File.WriteAllBytes(cut, bytes.AsSpan(0, length).ToArray());
            var e = Assert.Throws<InvalidDataException>(() => FaissIndex.Load(cut));
            Assert.Contains(cut, e.Message);
        }
    }

    [Fact]
    public void Saving_into_a_missing_folder_throws_io_exception_naming_the_file()
    {
        using var index = VectorTestData.Build(VectorIndexKind.Flat, _data, Dim);
        var path = Path.Combine(_folder, "no", "such", "folder", "x.faiss");
        var e = Assert.Throws<IOException>(() => index.Save(path));
        Assert.Contains(path, e.Message);
    }
}
