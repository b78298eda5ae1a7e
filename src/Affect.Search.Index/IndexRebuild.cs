using Affect.Search.Index.Store;
using Affect.Search.Index.Text;
using Affect.Search.Index.Vectors;

namespace Affect.Search.Index;

/// <summary>What <see cref="IndexRebuild.Run"/> did.</summary>
/// <param name="Folder">The index folder.</param>
/// <param name="Generation">The new committed generation.</param>
/// <param name="Items">Items in the store.</param>
/// <param name="Views">Each rebuilt view and its vector count.</param>
/// <param name="TextDocuments">Documents in the rebuilt text index.</param>
public sealed record IndexRebuildReport(string Folder, long Generation, long Items, IReadOnlyList<(string View, long Vectors)> Views, long TextDocuments);

/// <summary>
/// Rewrites every vector file and the text index of an index from its store (the items, their text and their
/// embeddings are all in store.sqlite) and commits them as a new generation: the repair for damaged, lost,
/// swapped or copied-over vector files and a damaged Lucene index. It takes the writer's lock. The vector files
/// are written as a normal commit writes them; the text folder is replaced, so a rebuild that is interrupted
/// leaves the text index unusable until it is run again.
/// </summary>
public static class IndexRebuild
{
    private const int BatchVectors = 4096;

    /// <summary>Rebuilds the index in <paramref name="folder"/>.</summary>
    /// <exception cref="DirectoryNotFoundException">No store.sqlite there.</exception>
    /// <exception cref="InvalidDataException">The store itself is damaged (it is the source the rebuild reads).</exception>
    /// <exception cref="IndexBusyException">Another writer holds the index.</exception>
    public static IndexRebuildReport Run(string folder)
    {
        var layout = new IndexLayout(folder);
        layout.ThrowIfNotAFolder();
        if (!File.Exists(layout.Store))
            throw new DirectoryNotFoundException($"no index at '{layout.Folder}' (no {Path.GetFileName(layout.Store)}): there is nothing to rebuild from");
        using (layout.AcquireWriteLock())
        using (var store = ItemStore.Open(layout.Store, forWriting: true))
        {
            if (store.IntegrityProblems() is { Count: > 0 } damage)
                throw new InvalidDataException($"{layout.Store}: the store itself is damaged (SQLite integrity_check: {string.Join("; ", damage.Take(3))}); it is what a rebuild reads, restore it from a backup");
            var identity = MultimodalIndexWriter.ReadIdentity(store) ?? throw ItemStore.NotCreated(layout.Store);
            var settings = MultimodalIndexWriter.ReadSettings(store);
            long next = store.Generation + 1;
            System.IO.Directory.CreateDirectory(layout.Vectors);
            var stored = store.Views();
            var rebuilt = new List<(string, long)>();
            foreach (var view in IndexViews.All.Where(v => stored.ContainsKey(v) || store.Embeddings(v).Any()))
                rebuilt.Add((view, RebuildView(layout, store, view, identity.Dimension, settings, next)));
            long documents = RebuildText(layout, store, next);
            store.Commit(next, "rebuilt from store.sqlite");
            return new IndexRebuildReport(layout.Folder, next, store.ItemCount, rebuilt, documents);
        }
    }

    /// <summary>Writes <paramref name="view"/>'s stored embeddings, compacted, to the vector file of <paramref name="generation"/>; returns its count.</summary>
    private static long RebuildView(IndexLayout layout, ItemStore store, string view, int dimension, IndexSettings settings, long generation)
    {
        var moves = new List<(long From, long To)>();
        var batch = new List<float>();
        using var index = FaissIndex.Create(dimension, settings.VectorOptions(store.Views().GetValueOrDefault(view)?.Live ?? 0));
        // All rows are read before positions are renumbered: the reader must not see its own updates.
        long next = 0;
        foreach (var (position, _, vector) in store.Embeddings(view))
        {
            moves.Add((position, next++));
            batch.AddRange(vector);
            if (batch.Count >= BatchVectors * dimension)
            {
                index.Add(batch.ToArray());
                batch.Clear();
            }
        }
        if (batch.Count > 0) index.Add(batch.ToArray());
        store.Renumber(view, moves);
        var name = IndexLayout.VectorFileName(view, generation);
        var path = Path.Combine(layout.Vectors, name);
        index.Save(path + ".tmp");
        MultimodalIndexWriter.FlushToDisk(path + ".tmp");
        var (sha256, bytes) = VectorFileVerifier.Fingerprint(path + ".tmp");
        File.Move(path + ".tmp", path, overwrite: true);
        store.SetView(view, name, index.Count, sha256, bytes);
        return index.Count;
    }

    /// <summary>Replaces the text folder by a new Lucene index of every item's text, committed as <paramref name="generation"/>.</summary>
    private static long RebuildText(IndexLayout layout, ItemStore store, long generation)
    {
        // A damaged index cannot be opened to be rewritten in place: start from an empty folder.
        if (System.IO.Directory.Exists(layout.Text)) System.IO.Directory.Delete(layout.Text, recursive: true);
        using var text = TextIndexWriter.Open(layout.Text, 0);
        foreach (var (id, body) in store.Texts())
            if (!string.IsNullOrWhiteSpace(body)) text.Upsert(id, body);
        text.Commit(generation);
        return text.Count;
    }
}
