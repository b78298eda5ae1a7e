using Affect.Search.Index.Text;

namespace Affect.Search.Index.Tests.Text;

public sealed class TextIndexSearchTests : IDisposable
{
    private readonly TempIndexDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    private TextIndex Build(params (string Id, string Text)[] docs)
    {
        using (var writer = TextIndexWriter.Open(_dir.Path, 0))
        {
            foreach (var (id, text) in docs) writer.Upsert(id, text);
            writer.Commit(1);
        }
        return TextIndex.Open(_dir.Path, 1);
    }

    [Fact]
    public void Score_MatchesBm25FormulaByHand_AndSaturatesTermFrequency()
    {
        // Lengths 4, 4 and 1 survive Lucene's lossy norm encoding exactly (1/sqrt(len) is a power of two).
        using var index = Build(
            ("a", "zebra lion tiger bear"),
            ("b", "zebra zebra zebra zebra"),
            ("c", "lion"));

        var hits = index.Search("zebra", 10);

        const double k1 = 1.2, b = 0.75;
        double n = 3, df = 2, avgdl = (4 + 4 + 1) / 3.0;
        double idf = Math.Log(1 + (n - df + 0.5) / (df + 0.5));
        double Bm25(double tf, double dl) => idf * tf * (k1 + 1) / (tf + k1 * (1 - b + b * dl / avgdl));

        Assert.Equal(["b", "a"], hits.Select(h => h.Id));
        Assert.Equal(Bm25(4, 4), hits[0].Score, 1e-4);
        Assert.Equal(Bm25(1, 4), hits[1].Score, 1e-4);
        // Four times the term frequency gives well under twice the score (TF-IDF's sqrt(tf) would give 2x).
        Assert.InRange(hits[0].Score / hits[1].Score, 1.7, 1.9);
    }

    [Fact]
    public void DocumentWithMoreRareMatches_RanksFirst()
    {
        using var index = Build(
            ("common", "the dog walked in the park with another dog"),
            ("rare", "a dog chased the aardvark and the pangolin"),
            ("one", "an aardvark sleeps"),
            ("none", "a quiet afternoon"),
            ("d1", "dog days"),
            ("d2", "dog house"));

        var hits = index.Search("dog aardvark pangolin", 10);

        Assert.Equal("rare", hits[0].Id);
        Assert.Equal("one", hits[1].Id);
        Assert.DoesNotContain(hits, h => h.Id == "none");
        Assert.True(hits.Zip(hits.Skip(1)).All(p => p.First.Score >= p.Second.Score));
    }

    [Fact]
    public void EqualScores_AreOrderedById()
    {
        using var index = Build(("m", "red apple"), ("c", "red apple"), ("x", "red apple"), ("a", "red apple"));

        var hits = index.Search("apple", 3);

        Assert.Equal(["a", "c", "m"], hits.Select(h => h.Id));
    }

    [Fact]
    public void AllowedIds_RestrictsMatchingBeforeTopK()
    {
        using var index = Build(
            ("best", "cat cat cat"),
            ("good", "cat cat"),
            ("ok", "cat and a dog"),
            ("weak", "cat with a long story about many other things entirely"),
            ("dog", "dog"));

        var hits = index.Search("cat", 2, new HashSet<string> { "ok", "weak", "dog", "missing" });

        Assert.Equal(["ok", "weak"], hits.Select(h => h.Id));
        Assert.Empty(index.Search("cat", 5, new HashSet<string>()));
        // Filtering does not change scores.
        var unfiltered = index.Search("cat", 10).Single(h => h.Id == "ok");
        Assert.Equal(unfiltered.Score, hits[0].Score);
    }

    [Theory]
    [InlineData("crazy \"cat", "1")]
    [InlineData("AND OR (", null)]
    [InlineData("cat AND NOT", "1")]
    [InlineData("text: cat id:*", "1")]
    [InlineData("*", null)]
    [InlineData("?at~2^3", null)]
    [InlineData("[a TO", null)]
    [InlineData("{} [] () \\ / && || ! - +", null)]
    [InlineData("\"", null)]
    [InlineData("", null)]
    [InlineData("   ", null)]
    [InlineData("日本語 ünïcödé 🐱", null)]
    public void WeirdQuerySyntax_NeverThrows(string query, string? expectedFirst)
    {
        using var index = Build(("1", "crazy cat"), ("2", "a dog"));

        var hits = index.Search(query, 5);

        if (expectedFirst is null) Assert.Empty(hits);
        else Assert.Equal(expectedFirst, hits[0].Id);
    }

    [Fact]
    public void VeryLongQuery_WithMoreTermsThanClauseLimit_DoesNotThrow()
    {
        using var index = Build(("1", "cat"));
        var query = "cat " + string.Join(' ', Enumerable.Range(0, 3000).Select(i => "w" + i));

        Assert.Equal("1", Assert.Single(index.Search(query, 5)).Id);
    }

    [Fact]
    public void StopWordsOnlyQuery_ReturnsEmpty()
    {
        using var index = Build(("1", "the cat is on the mat"));

        Assert.Empty(index.Search("the and of is", 5));
        Assert.Empty(index.AnalyzedTerms("the and of is"));
        Assert.Empty(index.Search("!!! ...", 5));
    }

    [Fact]
    public void Stemming_MatchesInflectedForms()
    {
        using var index = Build(("1", "a cat"), ("2", "running quickly"), ("3", "a dog"));

        Assert.Equal("1", Assert.Single(index.Search("cats", 5)).Id);
        Assert.Equal("2", Assert.Single(index.Search("runs", 5)).Id);
        Assert.Equal(["run", "cat"], index.AnalyzedTerms("The Running cat's"));
        Assert.Equal(1, index.DocumentFrequency("cat"));
        Assert.Equal(0, index.DocumentFrequency("zebra"));
    }

    [Fact]
    public void KZero_ReturnsEmpty_AndHugeKIsFine()
    {
        using var index = Build(("1", "cat"), ("2", "cat dog"));

        Assert.Empty(index.Search("cat", 0));
        Assert.Equal(2, index.Search("cat", int.MaxValue).Count);
        Assert.Throws<ArgumentOutOfRangeException>(() => index.Search("cat", -1));
    }

    [Fact]
    public void ConcurrentSearches_AgreeWithSequentialOnes()
    {
        var docs = Enumerable.Range(0, 200)
            .Select(i => ($"d{i:D3}", $"word{i % 7} word{i % 11} word{i % 13} shared"))
            .ToArray();
        using var index = Build(docs);
        var queries = Enumerable.Range(0, 20).Select(i => $"word{i % 7} word{i % 13} shared").ToArray();
        var expected = queries.Select(q => index.Search(q, 10)).ToArray();

        var results = new IReadOnlyList<TextHit>[queries.Length * 10];
        Parallel.For(0, results.Length, new ParallelOptions { MaxDegreeOfParallelism = 8 },
            i => results[i] = index.Search(queries[i % queries.Length], 10));

        for (int i = 0; i < results.Length; i++) Assert.Equal(expected[i % queries.Length], results[i]);
    }
}
