using Lucene.Net.Analysis;
using Lucene.Net.Index;
using Lucene.Net.Queries;
using Lucene.Net.Search;
using Lucene.Net.Search.Similarities;
using Lucene.Net.Store;
using Lucene.Net.Util;

namespace Affect.Search.Index.Text;

/// <summary>
/// A read-only, point-in-time view of the text index at one engine generation, searched with BM25
/// (k1 = 1.2, b = 0.75) over English-analysed terms.
/// </summary>
/// <remarks>
/// Thread-safe: <see cref="Search"/>, <see cref="AnalyzedTerms"/> and <see cref="DocumentFrequency"/> may run
/// concurrently (IndexSearcher is thread-safe and the analyzer keeps its components per thread). Do not
/// call <see cref="Dispose"/> while searches are running.
/// </remarks>
public sealed class TextIndex : IDisposable
{
    // Score descending, then id ascending (UTF-8 byte order, which is ordinal order for non-surrogate text).
    private static readonly Sort ScoreThenId =
        new(SortField.FIELD_SCORE, new SortField(TextIndexSchema.IdField, SortFieldType.STRING));

    private readonly FSDirectory? _directory;
    private readonly DirectoryReader? _reader;
    private readonly IndexSearcher? _searcher;
    private readonly Analyzer _analyzer;
    private volatile bool _disposed;

    private TextIndex(FSDirectory? directory, DirectoryReader? reader, long generation)
    {
        _directory = directory;
        _reader = reader;
        _analyzer = TextIndexSchema.CreateAnalyzer();
        Generation = generation;
        if (reader is not null) _searcher = new IndexSearcher(reader) { Similarity = new BM25Similarity() };
    }

    /// <summary>The engine generation this view was opened at.</summary>
    public long Generation { get; }

    /// <summary>Live documents in this view.</summary>
    public int Count => _reader?.NumDocs ?? 0;

    /// <summary>
    /// Opens the commit of <paramref name="directory"/> recorded with <paramref name="generation"/>, even when
    /// a newer commit exists. Generation 0 is the empty index before the first commit: it never touches the
    /// disk and has no documents.
    /// </summary>
    /// <exception cref="InvalidDataException">No commit has <paramref name="generation"/> (message names the directory and generation),
    /// or the commit's files are damaged (every segment file's checksum is verified).</exception>
    public static TextIndex Open(string directory, long generation)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(directory);
        ArgumentOutOfRangeException.ThrowIfNegative(generation);
        if (generation == 0) return new TextIndex(null, null, 0);
        if (!System.IO.Directory.Exists(directory))
            throw new InvalidDataException(
                $"Text index '{directory}' has no commit for generation {generation} (the directory does not exist).");
        var dir = FSDirectory.Open(directory);
        try
        {
            var commits = TextIndexSchema.ListCommits(dir);
            var commit = TextIndexSchema.FindCommit(commits, directory, generation);
            var reader = DirectoryReader.Open(commit);
            try { TextIndexSchema.VerifyChecksums(reader); }
            catch
            {
                reader.Dispose();
                throw;
            }
            return new TextIndex(dir, reader, generation);
        }
        catch (Exception e) when (TextIndexSchema.IsDamage(e))
        {
            dir.Dispose();
            throw TextIndexSchema.Damaged(directory, e);
        }
        catch
        {
            dir.Dispose();
            throw;
        }
    }

    /// <summary>
    /// The best <paramref name="k"/> documents for the free text <paramref name="query"/> by BM25 score,
    /// ties broken by id. The query is analysed like the documents and its distinct terms are OR-ed; it is
    /// never parsed as Lucene query syntax, so any user text is safe. Returns an empty list when k is 0 or
    /// every word analyses away (stop words, punctuation, blank text). Only the first
    /// <see cref="BooleanQuery.MaxClauseCount"/> distinct terms are used.
    /// </summary>
    /// <param name="query">User text.</param>
    /// <param name="k">How many hits at most.</param>
    /// <param name="allowedIds">When given, only these ids can match, and top-k is taken over them alone.</param>
    public IReadOnlyList<TextHit> Search(string query, int k, IReadOnlySet<string>? allowedIds = null)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        ArgumentNullException.ThrowIfNull(query);
        ArgumentOutOfRangeException.ThrowIfNegative(k);
        if (k == 0 || _searcher is null || _reader!.NumDocs == 0 || allowedIds is { Count: 0 }) return [];

        var terms = TextIndexSchema.Analyze(_analyzer, query).Distinct().Take(BooleanQuery.MaxClauseCount).ToList();
        if (terms.Count == 0) return [];
        // Coord disabled: BM25's coord is 1 anyway, and the score stays the plain sum of term scores.
        var boolean = new BooleanQuery(disableCoord: true);
        foreach (var term in terms)
            boolean.Add(new TermQuery(new Term(TextIndexSchema.TextField, term)), Occur.SHOULD);

        // A filter restricts matching itself, so hidden documents never crowd allowed ones out of the top k.
        Filter? filter = allowedIds is null
            ? null
            : new TermsFilter(TextIndexSchema.IdField,
                allowedIds.Where(id => id is not null).Select(id => new BytesRef(id)).ToList());

        // The collector allocates a queue of n slots; a caller's huge k must not become a huge allocation.
        int n = Math.Min(k, _reader.MaxDoc);
        var top = _searcher.Search(boolean, filter, n, ScoreThenId, doDocScores: true, doMaxScore: false);
        var hits = new List<TextHit>(top.ScoreDocs.Length);
        foreach (var scoreDoc in top.ScoreDocs)
        {
            // The id sort value is already at hand; the stored field is the fallback.
            var id = scoreDoc is FieldDoc { Fields: [_, BytesRef bytes, ..] }
                ? bytes.Utf8ToString()
                : _searcher.Doc(scoreDoc.Doc).Get(TextIndexSchema.IdField);
            hits.Add(new TextHit(id, scoreDoc.Score));
        }
        return hits;
    }

    /// <summary>
    /// The terms <paramref name="text"/> analyses to, in order with repeats (e.g. "The running cats" →
    /// "run", "cat"); empty when every word analyses away. Lets the caller report words that vanish or
    /// (with <see cref="DocumentFrequency"/>) that no document contains.
    /// </summary>
    public IReadOnlyList<string> AnalyzedTerms(string text)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        return TextIndexSchema.Analyze(_analyzer, text);
    }

    /// <summary>How many documents in this view contain the analysed term <paramref name="term"/> (deleted ones may still count until merged).</summary>
    public int DocumentFrequency(string term)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        ArgumentNullException.ThrowIfNull(term);
        return _reader?.DocFreq(new Term(TextIndexSchema.TextField, term)) ?? 0;
    }

    /// <inheritdoc />
    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        _reader?.Dispose();
        _directory?.Dispose();
        _analyzer.Dispose();
    }
}
