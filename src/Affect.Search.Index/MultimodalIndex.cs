using System.Numerics.Tensors;
using Affect.Search.Index.Store;
using Affect.Search.Index.Text;
using Affect.Search.Index.Vectors;

namespace Affect.Search.Index;

/// <summary>A stored item and its score for a query.</summary>
public sealed record ItemHit(IndexedItem Item, float Score);

/// <summary>A view as an index holds it.</summary>
/// <param name="View">View name.</param>
/// <param name="Items">Items embedded in the view.</param>
/// <param name="Vectors">Vectors in its file, including those of deleted or replaced items not yet compacted away.</param>
/// <param name="Structure">Vector index structure (flat, hnsw, ...).</param>
public sealed record ViewInfo(string View, long Items, long Vectors, string Structure);

/// <summary>What <c>affect info</c> reports about an index.</summary>
public sealed record IndexInfo(string Folder, long Items, IReadOnlyList<ViewInfo> Views, IndexIdentity Model, string? ModelFolder, long Generation,
    DateTimeOffset? CommittedAt, long Bytes, IndexSettings Settings);

/// <summary>
/// A read-only, point-in-time snapshot of an index folder at the generation committed when it was opened:
/// vector search per view, BM25 text search, stored items and filters. Searches may run concurrently.
/// </summary>
/// <remarks>
/// <para>What is frozen and what is live: the vector files, the position-to-item mapping and the Lucene commit
/// are those of <see cref="Generation"/> for the snapshot's whole life, whatever the writer commits meanwhile
/// (a reader lease, <c>readers/*.lease</c>, makes the writer keep them). Item rows, filters,
/// <see cref="ItemCount"/>, <see cref="Item"/>, <see cref="Info"/> and <see cref="ViewContents"/> are read from
/// the store's latest committed generation. So a hit is always an item that exists now: an item deleted
/// after the snapshot was opened is never returned, an item replaced since then drops out of vector hits (its
/// old embedding belongs to a row that is gone) and comes back from text hits with its new fields, and items
/// added since then are found by <see cref="Item"/> but not by search until a newer snapshot is opened (see
/// <see cref="RefreshingIndex"/> for a long-lived reader that moves on by itself).</para>
/// </remarks>
public sealed class MultimodalIndex : IDisposable
{
    private readonly IndexLayout _layout;
    private readonly ItemStore _store;
    private readonly TextIndex _text;
    private readonly Dictionary<string, LoadedView> _views;
    private readonly object _storeLock = new();
    private readonly ReaderLease? _lease;

    private MultimodalIndex(IndexLayout layout, ItemStore store, TextIndex text, IndexIdentity identity, IndexSettings settings,
        long generation, Dictionary<string, LoadedView> views, string? modelFolder, ReaderLease? lease)
    {
        _lease = lease;
        ModelFolder = modelFolder;
        _layout = layout;
        _store = store;
        _text = text;
        Identity = identity;
        Settings = settings;
        Generation = generation;
        _views = views;
    }

    /// <summary>What the embeddings were computed with.</summary>
    public IndexIdentity Identity { get; }

    /// <summary>Storage settings.</summary>
    public IndexSettings Settings { get; }

    /// <summary>The generation this snapshot shows.</summary>
    public long Generation { get; }

    /// <summary>The folder.</summary>
    public string Folder => _layout.Folder;

    /// <summary>The model folder recorded when the index was created, or null.</summary>
    public string? ModelFolder { get; }

    /// <summary>
    /// How many times <see cref="Open"/> starts over on a newer generation when a commit superseded the one
    /// it was opening; each try is short, so a writer would have to commit faster than that every time.
    /// </summary>
    private const int MaxOpenAttempts = 50;

    /// <summary>
    /// Opens the last committed generation of the index in <paramref name="folder"/> and holds a reader lease on
    /// it until disposed, so however many commits follow, the writer keeps this generation's files. An open
    /// that races a commit lands on a complete generation: the lease is taken first, then the store must still
    /// name that generation, otherwise the open starts over on the newer one.
    /// </summary>
    public static MultimodalIndex Open(string folder)
    {
        var layout = new IndexLayout(folder);
        layout.ThrowIfNotAFolder();
        if (!File.Exists(layout.Store)) throw new DirectoryNotFoundException($"no index at '{layout.Folder}' (no {Path.GetFileName(layout.Store)}); build one with 'affect index'");
        var store = ItemStore.Open(layout.Store, forWriting: false);
        var loaded = new List<FaissIndex>();
        ReaderLease? lease = null;
        try
        {
            var modelFolder = store.Meta("model_folder");
            long leased = store.Generation;
            for (int attempt = 1; ; attempt++)
            {
                lease = ReaderLease.TryAcquire(layout, leased);
                try
                {
                    var (generation, identity, settings, views) = store.Snapshot(() =>
                    {
                        // The lease must be visible before the generation is read: then any cleanup that could
                        // delete this generation's files runs after a later commit and sees the lease.
                        if (store.Generation != leased) throw new GenerationSupersededException();
                        var identity = MultimodalIndexWriter.ReadIdentity(store) ?? throw ItemStore.NotCreated(layout.Store);
                        var settings = MultimodalIndexWriter.ReadSettings(store);
                        var views = new Dictionary<string, LoadedView>();
                        foreach (var (view, file) in store.Views())
                        {
                            if (file.File is null) continue;
                            var index = VectorFileVerifier.Load(layout, file, identity, settings);
                            loaded.Add(index);
                            views[view] = LoadedView.Of(index, store.SlotsByPosition(view, file.Vectors), file.Live);
                        }
                        return (store.Generation, identity, settings, views);
                    });
                    var text = TextIndex.Open(layout.Text, generation);
                    return new MultimodalIndex(layout, store, text, identity, settings, generation, views, modelFolder, lease);
                }
                // Without a lease (a folder this reader cannot write) files can vanish under it; with one, only
                // the check above fails. Either way a newer generation is complete: start over on it.
                catch (Exception e) when (attempt < MaxOpenAttempts && e is not DirectoryNotFoundException && store.Generation != leased)
                {
                    foreach (var index in loaded) index.Dispose();
                    loaded.Clear();
                    lease?.Dispose();
                    lease = null;
                    leased = store.Generation;
                }
            }
        }
        catch
        {
            foreach (var index in loaded) index.Dispose();
            lease?.Dispose();
            store.Dispose();
            throw;
        }
    }

    /// <summary>The generation being opened is no longer the store's current one.</summary>
    private sealed class GenerationSupersededException() : Exception("a newer generation was committed while the index was being opened");

    /// <summary>Number of items.</summary>
    public long ItemCount { get { lock (_storeLock) return _store.ItemCount; } }

    /// <summary>Views with their sizes, in <see cref="IndexViews.All"/> order.</summary>
    public IReadOnlyList<ViewInfo> Views => IndexViews.All.Where(_views.ContainsKey)
        .Select(v => new ViewInfo(v, _views[v].Live, _views[v].Index.Count, Structure(_views[v].Index.Kind))).ToList();

    /// <summary>The summary <c>affect info</c> prints.</summary>
    public IndexInfo Info()
    {
        lock (_storeLock)
            return new IndexInfo(Folder, _store.ItemCount, Views, Identity, ModelFolder, Generation,
                _store.Generations(1).FirstOrDefault()?.CommittedAt, _layout.Bytes(), Settings);
    }

    /// <summary>The stored item with <paramref name="id"/>, or null.</summary>
    public IndexedItem? Item(string id) { lock (_storeLock) return _store.Item(id); }

    /// <summary>
    /// The items nearest to each row-major query in the joint space of <paramref name="view"/>, by cosine
    /// similarity, best first: ranks <paramref name="offset"/> to offset + k - 1, only items passing
    /// <paramref name="filter"/>. The queries need not be normalised. A view the index lacks gives empty lists.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">k is below 1, offset negative, or offset + k over <see cref="SearchLimits.MaxResultWindow"/>.</exception>
    public IReadOnlyList<IReadOnlyList<ItemHit>> SearchVectors(string view, ReadOnlySpan<float> queries, int k, int offset = 0, ItemFilter? filter = null)
    {
        if (SearchLimits.WindowProblem(k, offset) is { } problem) throw new ArgumentOutOfRangeException(nameof(k), problem);
        if (queries.Length % Identity.Dimension != 0 || queries.Length == 0)
            throw new ArgumentException($"query embeddings of {queries.Length} values do not fill rows of {Identity.Dimension}");
        int n = queries.Length / Identity.Dimension;
        view = IndexViews.Parse(view);
        if (!_views.TryGetValue(view, out var v) || v.Live == 0) return Enumerable.Range(0, n).Select(_ => (IReadOnlyList<ItemHit>)[]).ToList();
        var unit = queries.ToArray();
        for (int q = 0; q < n; q++)
        {
            var row = unit.AsSpan(q * Identity.Dimension, Identity.Dimension);
            float norm = TensorPrimitives.Norm<float>(row);
            if (norm > 0) TensorPrimitives.Divide(row, norm, row);
        }
        bool[]? allowed = null;
        if (filter is { IsEmpty: false })
        {
            HashSet<long> slots;
            lock (_storeLock) slots = _store.SlotsMatching(filter);
            allowed = v.Slots.Select(s => s >= 0 && slots.Contains(s)).ToArray();
        }
        else allowed = v.LiveMask;
        // Never ask for more neighbours than the view holds: the search allocates queries x depth results.
        long positions = v.Slots.LongLength;
        if (offset >= positions) return Enumerable.Range(0, n).Select(_ => (IReadOnlyList<ItemHit>)[]).ToList();
        var ranked = RankStably(v, unit, n, (int)Math.Min(offset + k, positions), allowed);
        var wanted = new List<(int Query, long Slot, float Score)>();
        for (int q = 0; q < n; q++)
            foreach (var (p, score) in ranked[q].Skip(offset))
                if (v.Slots[p] >= 0) wanted.Add((q, v.Slots[p], score));
        IReadOnlyDictionary<long, IndexedItem> items;
        lock (_storeLock) items = _store.Items(wanted.Select(w => w.Slot));
        var results = Enumerable.Range(0, n).Select(_ => new List<ItemHit>()).ToList();
        foreach (var (q, slot, score) in wanted)
            if (items.TryGetValue(slot, out var item)) results[q].Add(new ItemHit(item, score));
        return results;
    }

    /// <summary>
    /// The best <paramref name="depth"/> neighbours of each query, equal scores ordered by position. Faiss breaks
    /// ties differently for different depths, so without this two pages of one query could share an item. One
    /// neighbour more than asked shows whether a tie runs past the last rank; if so the fetch doubles until the tie
    /// ends, so the page boundary always cuts the same ordered list.
    /// </summary>
    private static List<(long Position, float Score)>[] RankStably(LoadedView v, float[] unit, int n, int depth, IReadOnlyList<bool>? allowed)
    {
        long positions = v.Slots.LongLength;
        for (int fetch = (int)Math.Min(depth + 1L, positions); ; fetch = (int)Math.Min(2L * fetch, positions))
        {
            var hits = v.Index.Search(unit, fetch, allowed);
            var ranked = new List<(long Position, float Score)>[n];
            bool tieRunsOn = false;
            for (int q = 0; q < n; q++)
            {
                var list = new List<(long Position, float Score)>(hits.K);
                for (int j = 0; j < hits.K; j++)
                    if (hits.Positions[q * hits.K + j] is var p and >= 0) list.Add((p, hits.Scores[q * hits.K + j]));
                list.Sort((a, b) => b.Score != a.Score ? b.Score.CompareTo(a.Score) : a.Position.CompareTo(b.Position));
                tieRunsOn |= list.Count == fetch && fetch > depth && list[^1].Score == list[depth - 1].Score;
                ranked[q] = list.Count > depth ? list.GetRange(0, depth) : list;
            }
            if (!tieRunsOn || fetch >= positions) return ranked;
        }
    }

    /// <summary>
    /// Every live item of <paramref name="view"/> with its stored embedding, in position order: what an
    /// evaluation needs to count the relevant items of a database, and a classifier to learn from.
    /// </summary>
    public IReadOnlyList<(IndexedItem Item, float[] Embedding)> ViewContents(string view)
    {
        view = IndexViews.Parse(view);
        lock (_storeLock)
            return _store.Snapshot(() =>
            {
                var rows = _store.Embeddings(view).ToList();
                var items = _store.Items(rows.Select(r => r.Slot));
                return rows.Where(r => items.ContainsKey(r.Slot)).Select(r => (items[r.Slot], r.Vector)).ToList();
            });
    }

    /// <summary>
    /// BM25 search of the items' text, the best <paramref name="k"/> (at most <see cref="SearchLimits.MaxResultWindow"/>,
    /// as a fusion takes candidates for a whole window); only items passing <paramref name="filter"/>. Words that
    /// analyse away give no hits.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">k is not between 1 and <see cref="SearchLimits.MaxResultWindow"/>.</exception>
    public IReadOnlyList<ItemHit> SearchText(string query, int k, ItemFilter? filter = null)
    {
        if (k is < 1 or > SearchLimits.MaxResultWindow)
            throw new ArgumentOutOfRangeException(nameof(k), k, $"k must be between 1 and {SearchLimits.MaxResultWindow}");
        IReadOnlySet<string>? allowed = null;
        if (filter is { IsEmpty: false })
            lock (_storeLock) allowed = _store.IdsMatching(filter);
        var hits = _text.Search(query, k, allowed);
        var result = new List<ItemHit>(hits.Count);
        lock (_storeLock)
            foreach (var hit in hits)
                if (_store.Item(hit.Id) is { } item) result.Add(new ItemHit(item, hit.Score));
        return result;
    }

    /// <summary>The words of <paramref name="text"/> as the text index analyses them (lower-cased, stemmed, stop words removed).</summary>
    public IReadOnlyList<string> AnalyzedTerms(string text) => _text.AnalyzedTerms(text);

    /// <summary>A view's vector index, the item slot at each position (-1 where dead) and, when some are dead, which are live.</summary>
    private sealed record LoadedView(FaissIndex Index, long[] Slots, long Live, bool[]? LiveMask)
    {
        public static LoadedView Of(FaissIndex index, long[] slots, long live)
            => new(index, slots, live, live < slots.LongLength ? slots.Select(s => s >= 0).ToArray() : null);
    }

    private static string Structure(VectorIndexKind kind) => kind switch
    {
        VectorIndexKind.Flat => "flat",
        VectorIndexKind.Hnsw => "hnsw",
        VectorIndexKind.FlatSq8 => "flat-sq8",
        VectorIndexKind.HnswSq8 => "hnsw-sq8",
        _ => kind.ToString(),
    };

    /// <inheritdoc />
    public void Dispose()
    {
        foreach (var v in _views.Values) v.Index.Dispose();
        _text.Dispose();
        _store.Dispose();
        _lease?.Dispose();
    }
}
