using Lucene.Net.Analysis;
using Lucene.Net.Analysis.En;
using Lucene.Net.Analysis.TokenAttributes;
using Lucene.Net.Util;

namespace Affect.Search.Features.Text;

/// <summary>
/// Turns titles and descriptions into index terms with Lucene.Net's <see cref="EnglishAnalyzer"/>
/// (<see cref="LuceneVersion.LUCENE_48"/>): StandardTokenizer, English possessive removal ("cat's" → "cat"),
/// lower-casing, English stop-word removal and Porter stemming ("running" → "run", "happily" → "happili").
/// The paper removes stop words and lemmatises with CoreNLP; Porter stemming is this engine's stand-in.
/// </summary>
/// <remarks>
/// Thread-safe: Lucene's <see cref="Analyzer"/> keeps its token-stream components per thread (its default
/// global reuse strategy stores them in a per-thread slot), and every call here consumes its token stream
/// completely before returning, so concurrent and nested calls never share a stream.
/// </remarks>
public sealed class TextAnalyzer : IDisposable
{
    private const string FieldName = "text";
    private readonly Analyzer _analyzer = new EnglishAnalyzer(LuceneVersion.LUCENE_48);
    private volatile bool _disposed;

    /// <summary>The terms of a text, in order (repeats kept); empty for null or blank text.</summary>
    public IReadOnlyList<string> Terms(string? text)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        var terms = new List<string>();
        if (string.IsNullOrWhiteSpace(text)) return terms;
        using var reader = new StringReader(text);
        var stream = _analyzer.GetTokenStream(FieldName, reader);
        try
        {
            var term = stream.AddAttribute<ICharTermAttribute>();
            stream.Reset();
            while (stream.IncrementToken()) terms.Add(term.ToString());
            stream.End();
        }
        finally
        {
            stream.Dispose(); // Lucene.Net's Close(): the per-thread components stay reusable.
        }
        return terms;
    }

    /// <summary>The terms of a title followed by those of a description (either may be null).</summary>
    public IReadOnlyList<string> Terms(string? title, string? description)
    {
        var all = new List<string>(Terms(title));
        all.AddRange(Terms(description));
        return all;
    }

    /// <inheritdoc />
    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        _analyzer.Dispose();
    }
}
