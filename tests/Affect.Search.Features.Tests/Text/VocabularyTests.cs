using System.Text;
using Affect.Search.Features.Text;

namespace Affect.Search.Features.Tests.Text;

public sealed class VocabularyTests
{
    private static readonly string[][] Corpus =
    [
        ["cat", "dog", "happi"],
        ["cat", "dog"],
        ["cat", "bird", "bird", "bird"],
        ["zebra", "happi", "apple"],
        ["apple", "zebra"],
    ];

    [Fact]
    public void Minimum_document_frequency_counts_documents_not_occurrences()
    {
        var v = Vocabulary.Build(Corpus); // default min df 2
        Assert.Equal(2, v.MinDocumentFrequency);
        Assert.Equal(5, v.DocumentCount);
        Assert.DoesNotContain("bird", v.Terms); // 3 occurrences, 1 document
        Assert.Equal(["cat", "apple", "dog", "happi", "zebra"], v.Terms);
        Assert.Equal(3, v.DocumentFrequency(0));
        Assert.Equal(5, Vocabulary.Build(Corpus, minDocumentFrequency: 1).Size - 1); // + bird
        Assert.Equal(["cat"], Vocabulary.Build(Corpus, minDocumentFrequency: 3).Terms);
    }

    [Fact]
    public void Order_is_by_frequency_then_ordinal_and_independent_of_document_order()
    {
        var reference = Vocabulary.Build(Corpus).Terms;
        var random = new Random(5);
        for (int trial = 0; trial < 10; trial++)
        {
            var shuffled = Corpus.OrderBy(_ => random.Next()).Select(d => (IReadOnlyList<string>)d.OrderBy(_ => random.Next()).ToArray());
            Assert.Equal(reference, Vocabulary.Build(shuffled).Terms);
        }
        var capped = Vocabulary.Build(Corpus, maxSize: 3);
        Assert.Equal(["cat", "apple", "dog"], capped.Terms);
        Assert.Equal(3, capped.MaxSize);
        Assert.Equal(0, capped.IndexOf("cat"));
        Assert.Equal(-1, capped.IndexOf("zebra"));
        Assert.Equal("dog", capped.Term(2));
    }

    [Fact]
    public void Count_gives_sparse_counts_and_reports_unknown_terms()
    {
        var v = Vocabulary.Build(Corpus);
        string[] doc = ["dog", "cat", "unicorn", "dog", "bird", "unicorn", "zebra"];
        var c = v.Count(doc);
        Assert.Equal([new TermCount(0, 1), new TermCount(2, 2), new TermCount(4, 1)], c.Counts);
        Assert.Equal(4, c.KnownCount);
        Assert.Equal(doc.Count(v.Contains), c.Counts.Sum(x => x.Count));
        Assert.Equal(3, c.UnknownCount);
        Assert.Equal(["unicorn", "bird"], c.UnknownTerms);
        Assert.Equal(doc.Length, c.KnownCount + c.UnknownCount);
        Assert.Equal([1f, 0f, 2f, 0f, 1f], c.ToDense(v.Size));

        var empty = v.Count([]);
        Assert.Empty(empty.Counts);
        Assert.Equal(0, empty.UnknownCount);
    }

    [Fact]
    public void Serialisation_round_trips()
    {
        var v = new Vocabulary(["cat", "naïve", "tab\there", "quote\"s", "line\nbreak"], [9, 5, 3, 2, 2], 20, 2, 100);
        using var stream = new MemoryStream();
        v.Save(stream);
        Assert.True(stream.CanWrite); // left open
        stream.Position = 0;
        var back = Vocabulary.Load(stream);
        Assert.Equal(v.Terms, back.Terms);
        Assert.Equal(Enumerable.Range(0, v.Size).Select(v.DocumentFrequency), Enumerable.Range(0, back.Size).Select(back.DocumentFrequency));
        Assert.Equal(20, back.DocumentCount);
        Assert.Equal(2, back.MinDocumentFrequency);
        Assert.Equal(100, back.MaxSize);
        Assert.Equal(3, back.IndexOf("quote\"s"));

        var built = Vocabulary.Build(Corpus);
        using var s2 = new MemoryStream();
        built.Save(s2);
        s2.Position = 0;
        var back2 = Vocabulary.Load(s2);
        Assert.Null(back2.MaxSize);
        string[] doc = ["cat", "apple", "owl", "cat"];
        Assert.Equal(built.Count(doc).Counts, back2.Count(doc).Counts);
        Assert.Equal(built.Count(doc).UnknownTerms, back2.Count(doc).UnknownTerms);
    }

    [Theory]
    [InlineData("not json")]
    [InlineData("""{"format":"something-else","version":1}""")]
    [InlineData("""{"format":"affect-search-vocabulary","version":99,"documentCount":1,"minDocumentFrequency":1,"maxSize":null,"terms":[],"documentFrequencies":[]}""")]
    [InlineData("""{"format":"affect-search-vocabulary","version":1,"documentCount":1,"minDocumentFrequency":1,"maxSize":null,"terms":["a","a"],"documentFrequencies":[1,1]}""")]
    public void Bad_streams_are_refused(string content)
    {
        Assert.Throws<InvalidDataException>(() => Vocabulary.Load(new MemoryStream(Encoding.UTF8.GetBytes(content))));
    }

    [Fact]
    public void Analyzer_output_feeds_the_vocabulary()
    {
        using var analyzer = new TextAnalyzer();
        var docs = new[] { "Crazy cats!", "A crazy dog hates the bath", "Cats love baths" }.Select(analyzer.Terms).ToArray();
        var v = Vocabulary.Build(docs);
        Assert.Equal(["bath", "cat", "crazi"], v.Terms);
    }
}
