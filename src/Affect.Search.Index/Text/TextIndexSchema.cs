using System.Globalization;
using Lucene.Net.Analysis;
using Lucene.Net.Analysis.En;
using Lucene.Net.Analysis.TokenAttributes;
using Lucene.Net.Index;
using Lucene.Net.Util;

namespace Affect.Search.Index.Text;

/// <summary>
/// What the text index's writer and reader must agree on: field names, the commit user-data key and the
/// analysis. Analysis matches the Features project's TextAnalyzer (EnglishAnalyzer, LUCENE_48) without
/// referencing it, so indexed and query terms are the terms the rest of the engine sees.
/// </summary>
internal static class TextIndexSchema
{
    /// <summary>Item id: indexed untokenised and stored, plus sorted doc values for the tie-break sort.</summary>
    public const string IdField = "id";

    /// <summary>The analysed text.</summary>
    public const string TextField = "text";

    /// <summary>Commit user-data key holding the engine generation the commit belongs to.</summary>
    public const string GenerationKey = "generation";

    public const LuceneVersion Version = LuceneVersion.LUCENE_48;

    public static Analyzer CreateAnalyzer() => new EnglishAnalyzer(Version);

    /// <summary>Analysed terms of <paramref name="text"/> in order, repeats kept.</summary>
    public static List<string> Analyze(Analyzer analyzer, string? text)
    {
        var terms = new List<string>();
        if (string.IsNullOrWhiteSpace(text)) return terms;
        using var reader = new StringReader(text);
        var stream = analyzer.GetTokenStream(TextField, reader);
        try
        {
            var term = stream.AddAttribute<ICharTermAttribute>();
            stream.Reset();
            while (stream.IncrementToken()) terms.Add(term.ToString());
            stream.End();
        }
        finally
        {
            stream.Dispose(); // Close(): the analyzer's per-thread components stay reusable.
        }
        return terms;
    }

    /// <summary>
    /// The commits of <paramref name="directory"/>, oldest first; empty when it holds none. Looks for a
    /// segments_N file rather than using DirectoryReader.IndexExists, which also answers true for a lone
    /// segments.gen, as rolling back to generation 0 leaves behind.
    /// </summary>
    public static IList<IndexCommit> ListCommits(Lucene.Net.Store.Directory directory)
    {
        long newest = SegmentInfos.GetLastCommitGeneration(directory.ListAll());
        if (newest < 0) return [];
        try { return DirectoryReader.ListCommits(directory); }
        catch (IOException) when (!IsReadable(directory, newest))
        {
            // Lucene 4.8 writes segments_N in place: a writer killed while committing leaves the newest one
            // incomplete, and Lucene's list then fails. That commit never reached the item store (the commit
            // point), so a reader lists the others; only a writer removes the file.
            return ListReadableCommits(directory);
        }
    }

    /// <summary>Whether the segments file of commit generation <paramref name="generation"/> reads whole.</summary>
    public static bool IsReadable(Lucene.Net.Store.Directory directory, long generation)
    {
        try
        {
            new SegmentInfos().Read(directory, IndexFileNames.FileNameFromGeneration(IndexFileNames.SEGMENTS, "", generation));
            return true;
        }
        catch (IOException) { return false; }
    }

    private static List<IndexCommit> ListReadableCommits(Lucene.Net.Store.Directory directory)
    {
        var commits = new List<IndexCommit>();
        foreach (var file in directory.ListAll())
        {
            if (!file.StartsWith(IndexFileNames.SEGMENTS, StringComparison.Ordinal) || file == IndexFileNames.SEGMENTS_GEN) continue;
            var infos = new SegmentInfos();
            try { infos.Read(directory, file); }
            catch (IOException) { continue; }
            commits.Add(new StoredCommit(directory, infos));
        }
        commits.Sort((a, b) => a.Generation.CompareTo(b.Generation));
        return commits;
    }

    /// <summary>A commit read from its segments file, for when Lucene's own commit list cannot be read.</summary>
    private sealed class StoredCommit(Lucene.Net.Store.Directory directory, SegmentInfos infos) : IndexCommit
    {
        private readonly ICollection<string> _files = infos.GetFiles(directory, true);
        public override string SegmentsFileName => infos.GetSegmentsFileName();
        public override ICollection<string> FileNames => _files;
        public override Lucene.Net.Store.Directory Directory => directory;
        public override void Delete() => throw new NotSupportedException("a reader's commit list never deletes");
        public override bool IsDeleted => false;
        public override int SegmentCount => infos.Count;
        public override long Generation => infos.Generation;
        public override IDictionary<string, string> UserData => infos.UserData;
    }

    /// <summary>The engine generation recorded in a commit, or null when the commit carries none.</summary>
    public static long? GenerationOf(IndexCommit commit) =>
        commit.UserData is { } data
        && data.TryGetValue(GenerationKey, out var value)
        && long.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var generation)
            ? generation
            : null;

    /// <summary>
    /// Verifies the checksum footer of every file of every segment <paramref name="reader"/> reads (Lucene 4.8
    /// checks them only at merge or CheckIndex), so a damaged segment is refused when opened rather than searched
    /// or carried into a new commit.
    /// </summary>
    public static void VerifyChecksums(DirectoryReader reader)
    {
        foreach (var leaf in reader.Leaves) leaf.AtomicReader.CheckIntegrity();
    }

    /// <summary>
    /// Whether <paramref name="e"/>, thrown while opening a commit, says the index files are damaged: Lucene's
    /// corruption and end-of-file errors and other I/O errors, and the argument and range errors its readers throw
    /// on lengths and offsets read from a damaged file; but not a lock held by another writer.
    /// </summary>
    public static bool IsDamage(Exception e) =>
        e is IOException and not Lucene.Net.Store.LockObtainFailedException
        || e is ArgumentException and not ArgumentNullException || e is IndexOutOfRangeException;

    /// <summary>The error for a damaged text index, naming the folder.</summary>
    public static InvalidDataException Damaged(string directory, Exception e) =>
        new($"Text index '{directory}' is damaged ({e.GetType().Name}: {e.Message}); 'affect rebuild' rewrites it from store.sqlite", e);

    /// <summary>
    /// The newest commit of <paramref name="commits"/> (oldest first, as Lucene lists them) recorded with
    /// <paramref name="generation"/>; throws <see cref="InvalidDataException"/> naming the directory, the
    /// generation and the generations that do exist when there is none.
    /// </summary>
    public static IndexCommit FindCommit(IList<IndexCommit> commits, string directory, long generation)
    {
        for (int i = commits.Count - 1; i >= 0; i--)
            if (GenerationOf(commits[i]) == generation) return commits[i];
        var present = commits.Count == 0
            ? "none"
            : string.Join(", ", commits.Select(c => GenerationOf(c)?.ToString(CultureInfo.InvariantCulture) ?? "?"));
        throw new InvalidDataException(
            $"Text index '{directory}' has no commit for generation {generation} (generations present: {present}).");
    }
}
