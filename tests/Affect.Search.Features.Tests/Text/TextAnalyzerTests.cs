using Affect.Search.Features.Text;

namespace Affect.Search.Features.Tests.Text;

public sealed class TextAnalyzerTests : IDisposable
{
    private readonly TextAnalyzer _analyzer = new();

    public void Dispose() => _analyzer.Dispose();

    [Fact]
    public void Lower_cases_removes_stop_words_and_stems()
    {
        Assert.Equal(["cat", "run", "happili"], _analyzer.Terms("The cats are running happily!"));
    }

    [Fact]
    public void Stop_words_and_punctuation_vanish_and_possessives_are_stripped()
    {
        var terms = _analyzer.Terms("The Dog's bath -- and it is NOT a happy one, is it?");
        Assert.DoesNotContain("the", terms);
        Assert.DoesNotContain("and", terms);
        Assert.DoesNotContain("is", terms);
        Assert.DoesNotContain("a", terms);
        Assert.Equal(["dog", "bath", "happi", "on"], terms);
        Assert.All(terms, t => Assert.Equal(t.ToLowerInvariant(), t));
    }

    [Fact]
    public void Blank_text_gives_no_terms_and_title_precedes_description()
    {
        Assert.Empty(_analyzer.Terms((string?)null));
        Assert.Empty(_analyzer.Terms("   "));
        Assert.Equal(["crazi", "cat", "dog", "hate", "bath"], _analyzer.Terms("Crazy cat", "dog hates bath"));
        Assert.Equal(["dog"], _analyzer.Terms(null, "dogs"));
    }

    [Fact]
    public void Concurrent_use_gives_the_same_terms_as_sequential_use()
    {
        var texts = Enumerable.Range(0, 400).Select(i =>
            $"Video {i}: the puppies were jumping {(i % 2 == 0 ? "joyfully" : "sadly")} in the garden with {i % 7} birds chirping").ToArray();
        var expected = texts.Select(t => string.Join(' ', _analyzer.Terms(t))).ToArray();
        var actual = new string[texts.Length];
        Parallel.For(0, texts.Length, new ParallelOptions { MaxDegreeOfParallelism = 8 }, i => actual[i] = string.Join(' ', _analyzer.Terms(texts[i])));
        Assert.Equal(expected, actual);
        Assert.Contains("puppi", expected[0].Split(' '));
    }

    [Fact]
    public void A_disposed_analyzer_refuses_work()
    {
        var a = new TextAnalyzer();
        a.Dispose();
        Assert.Throws<ObjectDisposedException>(() => a.Terms("cat"));
    }
}
