using Affect.Search.Evaluation.Baselines;
using Affect.Search.Index.Text;

namespace Affect.Search.Evaluation.Tests.Baselines;

public sealed class Bm25TextTests : IDisposable
{
    private readonly string _scratch = Directory.CreateTempSubdirectory("affect-bm25-test-").FullName;

    private static readonly string?[] Texts =
    [
        "a happy sunny day at the beach",
        "dark storm and thunder tonight",
        null,
        "happy happy children laughing in the sun",
        "",
        "quiet forest",
    ];

    [Fact]
    public void Matching_documents_get_the_text_index_scores_and_the_rest_nan()
    {
        float[] scores;
        using (var bm25 = new Bm25Text(Texts, _scratch))
        {
            scores = bm25.Scores("Happy sunny thoughts");
            Assert.All(bm25.Scores("the and"), s => Assert.True(float.IsNaN(s))); // stop words only
        }
        Assert.Equal(Texts.Length, scores.Length);
        Assert.True(scores[0] > 0 && scores[3] > 0);
        Assert.True(scores[0] > scores[3]); // two query words against one (twice)
        foreach (var j in new[] { 1, 2, 4, 5 }) Assert.True(float.IsNaN(scores[j]), $"reference {j}");

        // The same texts through the engine's own index give the same scores.
        var folder = Path.Combine(_scratch, "reference-index");
        using (var writer = TextIndexWriter.Open(folder, 0))
        {
            for (int i = 0; i < Texts.Length; i++)
                if (Texts[i] is { } text) writer.Upsert(i.ToString(), text);
            writer.Commit(1);
        }
        using var index = TextIndex.Open(folder, 1);
        var hits = index.Search("Happy sunny thoughts", 10);
        Assert.Equal(2, hits.Count);
        foreach (var hit in hits) Assert.Equal(hit.Score, scores[int.Parse(hit.Id)]);
    }

    [Fact]
    public void Dispose_deletes_the_index_folder()
    {
        var bm25 = new Bm25Text(Texts, _scratch);
        Assert.Single(Directory.GetDirectories(_scratch));
        bm25.Dispose();
        Assert.Empty(Directory.GetFileSystemEntries(_scratch));
        Assert.Throws<ObjectDisposedException>(() => bm25.Scores("happy"));

        var created = Path.Combine(_scratch, "made-by-bm25");
        new Bm25Text(Texts, created).Dispose();
        Assert.False(Directory.Exists(created));
    }

    public void Dispose() => Directory.Delete(_scratch, recursive: true);
}
