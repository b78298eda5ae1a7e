using Affect.Search.Index.Store;
using Affect.Search.Index.Text;
using Affect.Search.Index.Vectors;
using Lucene.Net.Store;

namespace Affect.Search.Index;

/// <summary>One problem <see cref="IndexCheck"/> found.</summary>
/// <param name="File">The file or folder, relative to the index folder (e.g. <c>store.sqlite</c>, <c>vectors/T.g3.faiss</c>, <c>text/</c>).</param>
/// <param name="Problem">What is wrong.</param>
public sealed record IndexProblem(string File, string Problem);

/// <summary>What <see cref="IndexCheck.Run"/> found.</summary>
/// <param name="Folder">The index folder.</param>
/// <param name="Generation">The committed generation, or null when the store could not be read.</param>
/// <param name="Items">Items in the store, or null when it could not be read.</param>
/// <param name="Problems">Every problem found; empty for a healthy index.</param>
/// <param name="Notes">What could not be verified and why (e.g. vector files committed before checksums were recorded).</param>
public sealed record IndexCheckReport(string Folder, long? Generation, long? Items, IReadOnlyList<IndexProblem> Problems, IReadOnlyList<string> Notes)
{
    /// <summary>Whether no problem was found.</summary>
    public bool Healthy => Problems.Count == 0;
}

/// <summary>
/// Verifies a whole index folder, read-only: SQLite's <c>integrity_check</c> of the store; every committed
/// vector file's length, SHA-256, dimension and count against the store, and every stored embedding against
/// the vector at its position; Lucene's CheckIndex of the text index, the commit of the current generation
/// and its document count against the items with text. Unlike opening an index, it goes on after a problem
/// to report them all.
/// </summary>
public static class IndexCheck
{
    // Largest difference per value between a stored embedding and its vector in a float file (a copy), and the
    // smallest cosine for an 8-bit quantised one (quantisation moves a unit vector by far less; another item's does not).
    private const float FloatTolerance = 1e-5f;
    private const float QuantisedMinCosine = 0.9f;
    private const int ListedMismatches = 5;

    /// <summary>Checks the index in <paramref name="folder"/>.</summary>
    /// <exception cref="DirectoryNotFoundException">There is no such folder.</exception>
    public static IndexCheckReport Run(string folder)
    {
        var layout = new IndexLayout(folder);
        var problems = new List<IndexProblem>();
        var notes = new List<string>();
        if (File.Exists(layout.Folder))
            return Report(layout, null, null, [new IndexProblem("", $"'{layout.Folder}' is a file, not an index folder")], notes);
        if (!System.IO.Directory.Exists(layout.Folder)) throw new DirectoryNotFoundException($"no index at '{layout.Folder}' (no such folder)");
        if (!File.Exists(layout.Store))
            return Report(layout, null, null, [new IndexProblem("store.sqlite", "missing: the index's commit point and source of truth is gone; restore it from a backup")], notes);

        ItemStore store;
        try { store = ItemStore.Open(layout.Store, forWriting: false); }
        catch (Exception e) when (e is InvalidDataException or DirectoryNotFoundException)
        {
            return Report(layout, null, null, [new IndexProblem("store.sqlite", e.Message)], notes);
        }
        using (store)
        {
            long? generation = null, items = null;
            try
            {
                foreach (var line in store.IntegrityProblems()) problems.Add(new IndexProblem("store.sqlite", $"SQLite integrity_check: {line}"));
                store.Snapshot(() =>
                {
                    generation = store.Generation;
                    items = store.ItemCount;
                    var identity = MultimodalIndexWriter.ReadIdentity(store);
                    if (identity is null)
                    {
                        problems.Add(new IndexProblem("store.sqlite", "records no model identity: its creation never committed"));
                        return 0;
                    }
                    var settings = MultimodalIndexWriter.ReadSettings(store);
                    if (!store.RecordsChecksums)
                        notes.Add("the store predates vector file checksums: files are checked against the stored embeddings only; 'affect rebuild' (or any commit that rewrites a view) records them");
                    var slots = store.SlotsMatching(new ItemFilter([]));
                    var views = store.Views();
                    foreach (var file in views.Values.OrderBy(v => v.View, StringComparer.Ordinal))
                        CheckView(layout, store, file, identity, settings, slots, problems, notes);
                    foreach (var view in IndexViews.All.Where(v => !views.ContainsKey(v) && store.Embeddings(v).Any()))
                        problems.Add(new IndexProblem("store.sqlite", $"view {view} has stored embeddings but no vector file"));
                    CheckText(layout, store, generation.Value, problems);
                    return 0;
                });
            }
            catch (InvalidDataException e)
            {
                problems.Add(new IndexProblem("store.sqlite", e.Message));
            }
            return Report(layout, generation, items, problems, notes);
        }
    }

    private static IndexCheckReport Report(IndexLayout layout, long? generation, long? items, List<IndexProblem> problems, List<string> notes)
        => new(layout.Folder, generation, items, problems, notes);

    private static void CheckView(IndexLayout layout, ItemStore store, ViewFile file, IndexIdentity identity, IndexSettings settings,
        HashSet<long> slots, List<IndexProblem> problems, List<string> notes)
    {
        if (file.File is null)
        {
            if (file.Live > 0) problems.Add(new IndexProblem("store.sqlite", $"view {file.View} has {file.Live} stored embeddings but no vector file"));
            return;
        }
        var name = $"vectors/{file.File}";
        if (store.RecordsChecksums && file.Sha256 is null)
            notes.Add($"{name} was committed before checksums were recorded: checked against the stored embeddings only");
        FaissIndex index;
        try { index = VectorFileVerifier.Load(layout, file, identity, settings); }
        catch (InvalidDataException e)
        {
            problems.Add(new IndexProblem(name, e.Message));
            return;
        }
        using (index)
        {
            bool quantised = index.Kind is VectorIndexKind.FlatSq8 or VectorIndexKind.HnswSq8;
            var stored = new float[identity.Dimension];
            var mismatches = new List<long>();
            long mismatchCount = 0, orphans = 0, outside = 0;
            foreach (var (position, slot, vector) in store.Embeddings(file.View))
            {
                if (!slots.Contains(slot)) orphans++;
                if (position < 0 || position >= index.Count) { outside++; continue; }
                index.Reconstruct(position, stored);
                if (!SameVector(vector, stored, quantised) && ++mismatchCount <= ListedMismatches) mismatches.Add(position);
            }
            if (outside > 0) problems.Add(new IndexProblem("store.sqlite", $"view {file.View}: {outside} stored embeddings lie beyond the {index.Count} vectors of {name}"));
            if (orphans > 0) problems.Add(new IndexProblem("store.sqlite", $"view {file.View}: {orphans} stored embeddings belong to no item"));
            if (mismatchCount > 0)
                problems.Add(new IndexProblem(name, $"{mismatchCount} vectors differ from the embeddings stored for their positions (first at positions {string.Join(", ", mismatches)}); {VectorFileVerifier.RebuildAdvice}"));
        }
    }

    private static bool SameVector(float[] expected, float[] actual, bool quantised)
    {
        if (expected.Length != actual.Length) return false;
        if (!quantised)
        {
            for (int i = 0; i < expected.Length; i++)
                if (!(Math.Abs(expected[i] - actual[i]) <= FloatTolerance)) return false;
            return true;
        }
        double dot = 0, ee = 0, aa = 0;
        for (int i = 0; i < expected.Length; i++)
        {
            dot += expected[i] * actual[i];
            ee += expected[i] * expected[i];
            aa += actual[i] * actual[i];
        }
        return ee == 0 && aa == 0 || dot / Math.Sqrt(ee * aa) >= QuantisedMinCosine;
    }

    private static void CheckText(IndexLayout layout, ItemStore store, long generation, List<IndexProblem> problems)
    {
        if (generation == 0) return;
        const string name = "text/";
        if (!System.IO.Directory.Exists(layout.Text))
        {
            problems.Add(new IndexProblem(name, $"missing; {VectorFileVerifier.RebuildAdvice}"));
            return;
        }
        try
        {
            using var directory = FSDirectory.Open(layout.Text);
            var log = new StringWriter();
            var status = new Lucene.Net.Index.CheckIndex(directory) { InfoStream = log }.DoCheckIndex();
            if (!status.Clean)
            {
                var what = status.MissingSegments ? "no readable commit (segments file missing or damaged)"
                    : status.CantOpenSegments ? "the segments file cannot be read"
                    : $"{status.NumBadSegments} of {status.NumSegments} segments are damaged";
                var detail = log.ToString().Split('\n').Select(l => l.Trim()).FirstOrDefault(l => l.StartsWith("ERROR", StringComparison.Ordinal) || l.Contains("FAILED", StringComparison.Ordinal));
                problems.Add(new IndexProblem(name, $"Lucene CheckIndex: {what}{(detail is null ? "" : $" ({detail})")}; {VectorFileVerifier.RebuildAdvice}"));
                return;
            }
        }
        catch (Exception e) when (e is IOException or InvalidOperationException)
        {
            problems.Add(new IndexProblem(name, $"Lucene CheckIndex failed: {e.Message}; {VectorFileVerifier.RebuildAdvice}"));
            return;
        }
        try
        {
            using var text = TextIndex.Open(layout.Text, generation);
            long withText = store.Texts().LongCount(t => !string.IsNullOrWhiteSpace(t.Text));
            if (text.Count != withText)
                problems.Add(new IndexProblem(name, $"holds {text.Count} documents at generation {generation}, the store has {withText} items with text; {VectorFileVerifier.RebuildAdvice}"));
        }
        catch (InvalidDataException e)
        {
            problems.Add(new IndexProblem(name, e.Message));
        }
    }
}
