using System.Globalization;
using Lucene.Net.Analysis;
using Lucene.Net.Documents;
using Lucene.Net.Index;
using Lucene.Net.Search.Similarities;
using Lucene.Net.Store;
using Lucene.Net.Util;

namespace Affect.Search.Index.Text;

/// <summary>
/// Writes the Lucene.Net text index (BM25, English analysis) whose commits are numbered by engine
/// generation. The engine commits this index first with <see cref="Commit"/> and then records the
/// generation in SQLite, so after a crash the directory may hold one commit newer than SQLite's current
/// generation; <see cref="Open"/> at SQLite's generation opens exactly that commit and discards the newer one.
/// </summary>
/// <remarks>
/// One writer per directory (Lucene's write lock enforces it) and not thread-safe: call it from one thread.
/// The newest three commits are kept, so a <see cref="TextIndex"/> on the previous generation keeps working,
/// and those of the generations open readers lease.
/// <see cref="Dispose"/> discards uncommitted changes (Lucene's own close would commit them without a generation).
/// </remarks>
public sealed class TextIndexWriter : IDisposable
{
    private readonly FSDirectory _directory;
    private readonly Analyzer _analyzer;
    private readonly IndexWriter _writer;
    private DirectoryReader? _countReader;
    private bool _disposed;

    private TextIndexWriter(FSDirectory directory, Analyzer analyzer, IndexWriter writer, long generation)
    {
        _directory = directory;
        _analyzer = analyzer;
        _writer = writer;
        Generation = generation;
    }

    /// <summary>The generation of the last commit made or opened (0: nothing committed yet).</summary>
    public long Generation { get; private set; }

    /// <summary>
    /// Live documents, including uncommitted upserts and deletes. Exact, but it refreshes a near-real-time
    /// reader, which flushes buffered documents into a segment: call it after a batch, not per document.
    /// </summary>
    public int Count
    {
        get
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (_countReader is null)
            {
                _countReader = DirectoryReader.Open(_writer, applyAllDeletes: true);
            }
            else if (DirectoryReader.OpenIfChanged(_countReader, _writer, applyAllDeletes: true) is { } newer)
            {
                _countReader.Dispose();
                _countReader = newer;
            }
            return _countReader.NumDocs;
        }
    }

    /// <summary>
    /// Opens (creating if needed) the text index in <paramref name="directory"/> at engine generation
    /// <paramref name="generation"/>. Generation 0 is the empty index before the first commit: on an existing
    /// index it rolls back every commit (the crash between the first Lucene commit and its SQLite record).
    /// Any other generation opens the newest commit recorded with it and deletes every newer commit.
    /// </summary>
    /// <param name="directory">The Lucene index folder.</param>
    /// <param name="generation">The engine generation to open at.</param>
    /// <param name="pinnedGenerations">Asked at every commit: the generations whose commits must be kept beyond the newest three (open readers').</param>
    /// <exception cref="InvalidDataException">No commit has <paramref name="generation"/> (message names the directory and generation),
    /// or its files are damaged.</exception>
    /// <exception cref="Lucene.Net.Store.LockObtainFailedException">Another writer holds the index.</exception>
    public static TextIndexWriter Open(string directory, long generation, Func<IReadOnlySet<long>>? pinnedGenerations = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(directory);
        ArgumentOutOfRangeException.ThrowIfNegative(generation);
        System.IO.Directory.CreateDirectory(directory);
        var dir = FSDirectory.Open(directory);
        Analyzer? analyzer = null;
        try
        {
            RemoveIncompleteNewestCommit(dir);
            // The commit handed to the writer must come from this very Directory instance.
            var commits = TextIndexSchema.ListCommits(dir);
            analyzer = TextIndexSchema.CreateAnalyzer();
            var config = new IndexWriterConfig(TextIndexSchema.Version, analyzer) { Similarity = new BM25Similarity(), CheckIntegrityAtMerge = true };
            if (generation == 0)
            {
                config.OpenMode = OpenMode.CREATE;
                config.IndexDeletionPolicy = new RecentCommitsDeletionPolicy { DiscardAll = commits.Count > 0, PinnedGenerations = pinnedGenerations };
            }
            else
            {
                var commit = TextIndexSchema.FindCommit(commits, directory, generation);
                // The new commits keep the unchanged segments of this one: refuse to carry a damaged one forward.
                using (var reader = DirectoryReader.Open(commit)) TextIndexSchema.VerifyChecksums(reader);
                config.OpenMode = OpenMode.APPEND;
                config.IndexCommit = commit;
                config.IndexDeletionPolicy = new RecentCommitsDeletionPolicy { RollbackToSegmentsGeneration = commit.Generation, PinnedGenerations = pinnedGenerations };
            }
            return new TextIndexWriter(dir, analyzer, new IndexWriter(dir, config), generation);
        }
        catch (Exception e) when (TextIndexSchema.IsDamage(e))
        {
            analyzer?.Dispose();
            dir.Dispose();
            throw TextIndexSchema.Damaged(directory, e);
        }
        catch
        {
            analyzer?.Dispose();
            dir.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Lucene 4.8 writes a commit's segments_N file in place, so a writer killed while writing it leaves the newest
    /// one incomplete, and reading the commit list then fails. Such a commit never reached the item store (the
    /// commit point), so it is removed, with the segments.gen hint that may name it.
    /// </summary>
    private static void RemoveIncompleteNewestCommit(FSDirectory dir)
    {
        var files = dir.ListAll();
        long newest = SegmentInfos.GetLastCommitGeneration(files);
        if (newest < 0) return;
        if (TextIndexSchema.IsReadable(dir, newest)) return;
        dir.DeleteFile(IndexFileNames.FileNameFromGeneration(IndexFileNames.SEGMENTS, "", newest));
        if (files.Contains(IndexFileNames.SEGMENTS_GEN)) dir.DeleteFile(IndexFileNames.SEGMENTS_GEN);
    }

    /// <summary>Adds the document <paramref name="id"/>, replacing any document with that id.</summary>
    public void Upsert(string id, string text)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        ArgumentException.ThrowIfNullOrEmpty(id);
        ArgumentNullException.ThrowIfNull(text);
        var doc = new Document
        {
            new StringField(TextIndexSchema.IdField, id, Field.Store.YES),
            // Doc values let the searcher break score ties by id without uninverting the field.
            new SortedDocValuesField(TextIndexSchema.IdField, new BytesRef(id)),
            new TextField(TextIndexSchema.TextField, text, Field.Store.NO),
        };
        _writer.UpdateDocument(new Term(TextIndexSchema.IdField, id), doc);
    }

    /// <summary>Deletes the document <paramref name="id"/> (no-op when absent).</summary>
    public void Delete(string id)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        ArgumentException.ThrowIfNullOrEmpty(id);
        _writer.DeleteDocuments(new Term(TextIndexSchema.IdField, id));
    }

    /// <summary>
    /// Durably commits all changes as engine generation <paramref name="generation"/>, which must exceed
    /// <see cref="Generation"/>. A commit is written even when nothing changed, so every generation exists.
    /// </summary>
    public void Commit(long generation)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(generation, Generation);
        // Setting commit data counts as a change, which is what forces the commit when no documents changed.
        _writer.SetCommitData(new Dictionary<string, string>
        {
            [TextIndexSchema.GenerationKey] = generation.ToString(CultureInfo.InvariantCulture),
        });
        _writer.Commit();
        // Lucene 4.8 fsyncs the commit's files but not the folder: without this, a power loss could lose the
        // new segments_N entry after SQLite has recorded the generation.
        Affect.Search.Durability.DirectorySync.Flush(_directory.Directory.FullName);
        Generation = generation;
    }

    /// <summary>Closes the index, discarding changes made since the last <see cref="Commit"/>.</summary>
    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        try
        {
            _countReader?.Dispose();
            _writer.Rollback(); // also closes the writer and releases the write lock
        }
        finally
        {
            _analyzer.Dispose();
            _directory.Dispose();
        }
    }
}
