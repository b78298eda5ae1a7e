using System.Globalization;
using Affect.Search.Index.Text;

namespace Affect.Search.Evaluation.Baselines;

/// <summary>
/// BM25 text retrieval (a classic baseline next to the paper's Jaccard), with Lucene.Net through the project's
/// own <see cref="TextIndexWriter"/> and <see cref="TextIndex"/> (EnglishAnalyzer, BM25 k1 = 1.2, b = 0.75), so
/// scores are exactly those the engine's text search gives. The index lives in a fresh folder inside the
/// scratch folder, which <see cref="Dispose"/> deletes.
/// </summary>
public sealed class Bm25Text : IDisposable
{
    private readonly TextIndex _index;
    private readonly string _folder;
    private readonly string? _createdScratch;
    private bool _disposed;

    /// <summary>
    /// Indexes <paramref name="referenceTexts"/>: reference i gets id i; a null text is not indexed. The index is
    /// written to a new sub-folder of <paramref name="scratchFolder"/> (created if needed), so nothing already
    /// there is touched.
    /// </summary>
    public Bm25Text(IReadOnlyList<string?> referenceTexts, string scratchFolder)
    {
        ArgumentNullException.ThrowIfNull(referenceTexts);
        ArgumentException.ThrowIfNullOrWhiteSpace(scratchFolder);
        Count = referenceTexts.Count;
        if (!Directory.Exists(scratchFolder)) _createdScratch = Path.GetFullPath(scratchFolder);
        _folder = Path.Combine(scratchFolder, "bm25-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(_folder);
        try
        {
            using (var writer = TextIndexWriter.Open(_folder, 0))
            {
                for (int i = 0; i < referenceTexts.Count; i++)
                    if (referenceTexts[i] is { } text) writer.Upsert(Id(i), text);
                writer.Commit(1);
            }
            _index = TextIndex.Open(_folder, 1);
        }
        catch
        {
            DeleteFolders();
            throw;
        }
    }

    /// <summary>Number of references (indexed or not).</summary>
    public int Count { get; }

    /// <summary>
    /// One BM25 score per reference for <paramref name="queryText"/>; references that do not match (or have no
    /// text) get NaN, so they rank after every match. A query whose words all analyse away matches nothing.
    /// </summary>
    public float[] Scores(string queryText)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        ArgumentNullException.ThrowIfNull(queryText);
        var scores = new float[Count];
        Array.Fill(scores, float.NaN);
        foreach (var hit in _index.Search(queryText, Math.Max(Count, 1)))
            scores[int.Parse(hit.Id, NumberStyles.None, CultureInfo.InvariantCulture)] = hit.Score;
        return scores;
    }

    /// <summary>Closes the index and deletes its folder (and the scratch folder, when this created it and it is now empty).</summary>
    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        _index.Dispose();
        DeleteFolders();
    }

    private static string Id(int i) => i.ToString(CultureInfo.InvariantCulture);

    private void DeleteFolders()
    {
        if (Directory.Exists(_folder)) Directory.Delete(_folder, recursive: true);
        if (_createdScratch is not null && Directory.Exists(_createdScratch) && !Directory.EnumerateFileSystemEntries(_createdScratch).Any())
            Directory.Delete(_createdScratch);
    }
}
