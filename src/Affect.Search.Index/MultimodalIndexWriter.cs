using System.Numerics.Tensors;
using Affect.Search.Index.Store;
using Affect.Search.Index.Text;
using Affect.Search.Index.Vectors;

namespace Affect.Search.Index;

/// <summary>
/// The one writer of an index folder: adds, replaces and deletes items, and makes a batch of changes
/// visible with <see cref="Commit"/>, atomically across the vector files, the Lucene index and SQLite.
/// <para>Commit protocol (each step durable before the next): (1) every view changed by the batch is
/// written to a new vector file named after the new generation; (2) the Lucene index is committed with
/// the new generation number; (3) one SQLite transaction stores the items, embeddings, the views' new file
/// names and the new generation: that is the commit point. A crash before (3) leaves files that the next
/// writer deletes and a Lucene commit it rolls back; readers only ever see what SQLite says is current.
/// Disposing the writer without committing drops the pending changes.</para>
/// </summary>
public sealed class MultimodalIndexWriter : IDisposable
{
    private readonly IndexLayout _layout;
    private readonly FileStream _lock;
    private readonly ItemStore _store;
    private readonly TextIndexWriter _text;
    private readonly Dictionary<string, FaissIndex> _vectors = new();
    private readonly Dictionary<string, ViewFile> _views;
    private readonly HashSet<string> _changedViews = new();
    private readonly Dictionary<string, List<float>> _buffers = new();
    private bool _failed;
    private int _pending;

    private MultimodalIndexWriter(IndexLayout layout, FileStream writeLock, ItemStore store, TextIndexWriter text,
        IndexIdentity identity, IndexSettings settings)
    {
        _layout = layout;
        _lock = writeLock;
        _store = store;
        _text = text;
        Identity = identity;
        Settings = settings;
        Generation = store.Generation;
        _views = store.Views().ToDictionary(p => p.Key, p => p.Value);
    }

    /// <summary>What the index's embeddings were computed with.</summary>
    public IndexIdentity Identity { get; }

    /// <summary>The index's storage settings (fixed at creation).</summary>
    public IndexSettings Settings { get; }

    /// <summary>The last committed generation.</summary>
    public long Generation { get; private set; }

    /// <summary>Items in the index, pending changes included.</summary>
    public long ItemCount => _store.ItemCount;

    /// <summary>Longest item id in UTF-8 bytes: Lucene's limit on one indexed term (IndexWriter.MAX_TERM_LENGTH).</summary>
    public const int MaxIdBytes = 32_766;

    /// <summary>Changes since the last commit.</summary>
    public int Pending => _pending;

    /// <summary>The folder.</summary>
    public string Folder => _layout.Folder;

    /// <summary>
    /// Opens the index in <paramref name="folder"/> for writing, creating it (with <paramref name="settings"/>)
    /// when absent. Refuses an index built with another model, a folder another writer holds, a folder whose
    /// store.sqlite is gone but whose vectors/ or text/ still hold files, and an index whose committed vector
    /// files or text segments fail verification (a writer never carries a damaged file into a new generation).
    /// <paramref name="modelFolder"/>, when given, is recorded so that queries can find the model by default.
    /// </summary>
    /// <exception cref="InvalidDataException">The folder or a file of the index is not what the store committed; the message names it.</exception>
    public static MultimodalIndexWriter Open(string folder, IndexIdentity identity, IndexSettings? settings = null, string? modelFolder = null)
    {
        var layout = new IndexLayout(folder);
        layout.ThrowIfNotAFolder();
        Directory.CreateDirectory(layout.Folder);
        Directory.CreateDirectory(layout.Vectors);
        var writeLock = layout.AcquireWriteLock();
        ItemStore? store = null;
        TextIndexWriter? text = null;
        try
        {
            ThrowIfStoreLost(layout);
            store = ItemStore.Open(layout.Store, forWriting: true);
            var stored = ReadIdentity(store);
            IndexSettings effective;
            if (stored is null)
            {
                ThrowIfStoreLost(layout, emptied: true);
                effective = settings ?? new IndexSettings();
                store.Begin();
                store.SetMeta("model", identity.Model);
                store.SetMeta("features", identity.Features);
                store.SetMeta("dimension", identity.Dimension.ToString());
                store.SetMeta("settings", System.Text.Json.JsonSerializer.Serialize(effective));
                if (modelFolder is not null) store.SetMeta("model_folder", Path.GetFullPath(modelFolder));
                store.Commit(0, "created");
            }
            else
            {
                stored.Require(identity, layout.Folder);
                effective = ReadSettings(store);
            }
            long generation = store.Generation;
            RemoveUncommittedFiles(layout, store);
            text = TextIndexWriter.Open(layout.Text, generation, () => ReaderLease.PinnedGenerations(layout));
            var writer = new MultimodalIndexWriter(layout, writeLock, store, text, identity, effective);
            try
            {
                foreach (var (view, file) in writer._views)
                    if (file.File is not null)
                        writer._vectors[view] = VectorFileVerifier.Load(layout, file, writer.Identity, effective);
            }
            catch
            {
                foreach (var index in writer._vectors.Values) index.Dispose();
                throw;
            }
            return writer;
        }
        catch
        {
            text?.Dispose();
            store?.Dispose();
            writeLock.Dispose();
            throw;
        }
    }

    /// <summary>Opens an existing index for writing with the model identity it records (for deletes, which need no model).</summary>
    public static MultimodalIndexWriter OpenExisting(string folder)
    {
        var layout = new IndexLayout(folder);
        layout.ThrowIfNotAFolder();
        if (!File.Exists(layout.Store)) throw new DirectoryNotFoundException($"no index at '{layout.Folder}' (no {Path.GetFileName(layout.Store)}); build one with 'affect index'");
        IndexIdentity identity;
        using (var store = ItemStore.Open(layout.Store, forWriting: false))
            identity = ReadIdentity(store) ?? throw new InvalidDataException($"index '{layout.Folder}' has no model identity");
        return Open(folder, identity);
    }

    /// <summary>
    /// Refuses to create a new store in a folder whose vectors/ or text/ hold files: the store, the index's
    /// commit point, was deleted or moved, and starting over would silently mix a new index with the old files.
    /// </summary>
    private static void ThrowIfStoreLost(IndexLayout layout, bool emptied = false)
    {
        if (!emptied && File.Exists(layout.Store)) return;
        var leftovers = new[] { layout.Vectors, layout.Text }
            .Where(d => Directory.Exists(d) && Directory.EnumerateFileSystemEntries(d).Any()).Select(Path.GetFileName).ToList();
        if (leftovers.Count > 0)
            throw new InvalidDataException($"index '{layout.Folder}' has {(emptied ? "an empty" : "no")} {Path.GetFileName(layout.Store)} but its {string.Join(" and ", leftovers.Select(d => d + "/"))} still hold files: "
                + "the store (the index's commit point and source of truth) was deleted, moved or emptied; restore it, or delete the folder to start a new index");
    }

    internal static IndexIdentity? ReadIdentity(ItemStore store)
        => store.Meta("model") is { } model ? new IndexIdentity(model, store.Meta("features")!, int.Parse(store.Meta("dimension")!)) : null;

    internal static IndexSettings ReadSettings(ItemStore store)
        => store.Meta("settings") is { } json ? System.Text.Json.JsonSerializer.Deserialize<IndexSettings>(json)! : new IndexSettings();

    /// <summary>Adds an item, or replaces the item with the same id (its old embeddings stop matching at once).</summary>
    public void Upsert(ItemToIndex entry)
    {
        ThrowIfFailed();
        var item = entry.Item;
        if (string.IsNullOrWhiteSpace(item.Id)) throw new ArgumentException("item id is empty");
        // Checked before anything changes: Lucene refuses a longer id term only when the commit flushes it.
        if (System.Text.Encoding.UTF8.GetByteCount(item.Id) is var idBytes && idBytes > MaxIdBytes)
            throw new ArgumentException($"item id of {idBytes} bytes (starting '{item.Id[..Math.Min(40, item.Id.Length)]}') is over the text index's limit of {MaxIdBytes} bytes");
        foreach (var (view, vector) in entry.Embeddings)
        {
            if (!IndexViews.All.Contains(view)) throw new ArgumentException($"item '{item.Id}': unknown view '{view}'");
            if (vector.Length != Identity.Dimension) throw new ArgumentException($"item '{item.Id}': {view} embedding has {vector.Length} values, the index holds {Identity.Dimension}");
            if (!vector.All(float.IsFinite)) throw new ArgumentException($"item '{item.Id}': {view} embedding has a NaN or infinite value");
        }
        Delete(item.Id, countPending: false);
        long slot = _store.Insert(item, Generation + 1);
        foreach (var (view, vector) in entry.Embeddings)
        {
            var unit = vector.ToArray();
            float norm = TensorPrimitives.Norm<float>(unit);
            if (norm > 0) TensorPrimitives.Divide(unit, norm, unit);
            // Vectors wait in a buffer until the commit adds them in one batch: faster for HNSW, and a
            // scalar quantiser learns its ranges from the whole first batch rather than one vector.
            if (!_buffers.TryGetValue(view, out var buffer)) _buffers[view] = buffer = new List<float>();
            long position = (_vectors.TryGetValue(view, out var index) ? index.Count : 0) + buffer.Count / Identity.Dimension;
            buffer.AddRange(unit);
            _store.PutEmbedding(view, position, slot, unit);
            _changedViews.Add(view);
        }
        if (item.Text is { } text && !string.IsNullOrWhiteSpace(text)) _text.Upsert(item.Id, text);
        else _text.Delete(item.Id);
        _pending++;
    }

    /// <summary>Deletes the item with <paramref name="id"/>; false when there is none.</summary>
    public bool Delete(string id) => Delete(id, countPending: true);

    private bool Delete(string id, bool countPending)
    {
        ThrowIfFailed();
        if (_store.SlotOf(id) is not { } slot) return false;
        foreach (var (view, _) in _store.Remove(slot)) _changedViews.Add(view);
        _text.Delete(id);
        if (countPending) _pending++;
        return true;
    }

    /// <summary>
    /// Makes every change since the last commit visible as generation <see cref="Generation"/> + 1 (see the
    /// class remarks for the protocol). Returns the new generation; a commit with no change is a no-op.
    /// </summary>
    public long Commit(string note = "")
    {
        ThrowIfFailed();
        if (_pending == 0 && _changedViews.Count == 0) return Generation;
        try { return CommitChanges(note); }
        catch
        {
            // The vector indexes in memory may now hold vectors SQLite never recorded: this writer is done.
            // The index on disk is still at the last generation; a new writer picks up from there.
            _failed = true;
            throw;
        }
    }

    private void ThrowIfFailed()
    {
        if (_failed) throw new InvalidOperationException($"a commit to '{Folder}' failed; dispose this writer and open a new one (the index is at generation {Generation})");
    }

    private long CommitChanges(string note)
    {
        long next = Generation + 1;
        var views = _store.Views();
        foreach (var view in _changedViews.Order(StringComparer.Ordinal))
        {
            long live = views.TryGetValue(view, out var v) ? v.Live : 0;
            var wanted = Settings.VectorOptions(live);
            var buffered = _buffers.GetValueOrDefault(view) ?? [];
            _vectors.TryGetValue(view, out var index);
            long total = (index?.Count ?? 0) + buffered.Count / Identity.Dimension;
            bool compact = total > 0 && total - live > Settings.CompactionThreshold * total;
            if (index is null && !compact)
            {
                index = _vectors[view] = FaissIndex.Create(Identity.Dimension, wanted);
                index.Add(buffered.ToArray());
            }
            else if (index is null || compact || index.Kind != wanted.Kind) index = Rebuild(view, wanted);
            else index.Add(buffered.ToArray());
            var name = IndexLayout.VectorFileName(view, next);
            var path = Path.Combine(_layout.Vectors, name);
            index.Save(path + ".tmp");
            FlushToDisk(path + ".tmp");
            // Hashing the bytes on disk (not the index in memory) records exactly what later opens must find.
            var (sha256, bytes) = VectorFileVerifier.Fingerprint(path + ".tmp");
            File.Move(path + ".tmp", path, overwrite: true);
            _store.SetView(view, name, index.Count, sha256, bytes);
        }
        // The renames must themselves be on disk before SQLite records the files as committed.
        if (_changedViews.Count > 0) Affect.Search.Durability.DirectorySync.Flush(_layout.Vectors);
        _buffers.Clear();
        _text.Commit(next);
        _store.Commit(next, note);
        Generation = next;
        _pending = 0;
        _changedViews.Clear();
        RemoveUnreferencedFiles(_layout, _store, ReaderLease.PinnedGenerations(_layout));
        return next;
    }

    /// <summary>
    /// Rebuilds a view's vectors from the stored embeddings (which include the pending ones): drops dead
    /// positions, changes structure (flat to HNSW) and retrains a scalar quantiser on everything.
    /// </summary>
    private FaissIndex Rebuild(string view, VectorIndexOptions options)
    {
        var rebuilt = FaissIndex.Create(Identity.Dimension, options);
        var moves = new List<(long From, long To)>();
        var batch = new List<float>();
        long next = 0;
        foreach (var (position, _, vector) in _store.Embeddings(view))
        {
            moves.Add((position, next++));
            batch.AddRange(vector);
            if (batch.Count >= 4096 * Identity.Dimension) { rebuilt.Add(batch.ToArray()); batch.Clear(); }
        }
        if (batch.Count > 0) rebuilt.Add(batch.ToArray());
        _store.Renumber(view, moves);
        if (_vectors.TryGetValue(view, out var old)) old.Dispose();
        _vectors[view] = rebuilt;
        return rebuilt;
    }

    internal static void FlushToDisk(string path)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.ReadWrite);
        stream.Flush(flushToDisk: true);
    }

    /// <summary>Deletes vector files of generations newer than the committed one: a crashed writer's leftovers.</summary>
    private static void RemoveUncommittedFiles(IndexLayout layout, ItemStore store)
    {
        long generation = store.Generation;
        foreach (var file in Directory.EnumerateFiles(layout.Vectors))
        {
            var name = Path.GetFileName(file);
            if (name.EndsWith(".tmp") || IndexLayout.GenerationOfVectorFile(name) > generation) File.Delete(file);
        }
    }

    /// <summary>
    /// Deletes the vector files that neither the current nor the previous generation uses, nor any generation
    /// in <paramref name="pinned"/> (those open readers lease). A view's file at generation g is its newest
    /// file written at or before g, as a view's file is rewritten only by generations that change it.
    /// </summary>
    private static void RemoveUnreferencedFiles(IndexLayout layout, ItemStore store, IReadOnlySet<long> pinned)
    {
        long current = store.Generation;
        var referenced = store.Views().Values.Select(v => v.File).OfType<string>().ToHashSet();
        // The previous generation stays too: a reader from before leases (or without one) may be loading it.
        var kept = pinned.Append(current).Append(current - 1).ToHashSet();
        var files = Directory.EnumerateFiles(layout.Vectors, "*.faiss")
            .Select(Path.GetFileName).OfType<string>()
            .Select(name => (Name: name, View: name[..Math.Max(0, name.LastIndexOf(".g", StringComparison.Ordinal))], Generation: IndexLayout.GenerationOfVectorFile(name)))
            .Where(f => f.Generation is not null && f.View.Length > 0)
            .ToList();
        foreach (var byView in files.GroupBy(f => f.View))
        {
            var generations = byView.Select(f => f.Generation!.Value).Order().ToArray();
            foreach (var g in kept)
            {
                // The newest file of this view written at or before g.
                int i = Array.BinarySearch(generations, g);
                if (i < 0) i = ~i - 1;
                if (i >= 0) referenced.Add(IndexLayout.VectorFileName(byView.Key, generations[i]));
            }
        }
        foreach (var (name, _, generation) in files)
        {
            if (referenced.Contains(name) || generation > current) continue;
            try { File.Delete(Path.Combine(layout.Vectors, name)); } catch (IOException) { /* in use: removed by a later commit */ }
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
        foreach (var index in _vectors.Values) index.Dispose();
        _text.Dispose();
        _store.Dispose();
        _lock.Dispose();
    }
}
