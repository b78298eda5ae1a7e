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
/// A read-only snapshot of an index folder at its last committed generation: vector search per view, BM25
/// text search, stored items and filters. Item rows are read live, so an item deleted after the snapshot
/// was opened is never returned. Searches may run concurrently.
/// </summary>
public sealed class MultimodalIndex : IDisposable
{
    private readonly IndexLayout _layout;
    private readonly ItemStore _store;
    private readonly TextIndex _text;
    private readonly Dictionary<string, LoadedView> _views;
    private readonly object _storeLock = new();

    private MultimodalIndex(IndexLayout layout, ItemStore store, TextIndex text, IndexIdentity identity, IndexSettings settings,
        long generation, Dictionary<string, LoadedView> views, string? modelFolder)
    {
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

    /// <summary>Opens the last committed generation of the index in <paramref name="folder"/>.</summary>
    public static MultimodalIndex Open(string folder)
    {
        var layout = new IndexLayout(folder);
        if (!File.Exists(layout.Store)) throw new DirectoryNotFoundException($"no index at '{layout.Folder}' (no {Path.GetFileName(layout.Store)}); build one with 'affect index'");
        var store = ItemStore.Open(layout.Store, forWriting: false);
        var loaded = new List<FaissIndex>();
        try
        {
            var modelFolder = store.Meta("model_folder");
            var (generation, identity, settings, views) = store.Snapshot(() =>
            {
                var identity = MultimodalIndexWriter.ReadIdentity(store) ?? throw ItemStore.NotCreated(layout.Store);
                var settings = MultimodalIndexWriter.ReadSettings(store);
                var views = new Dictionary<string, LoadedView>();
                foreach (var (view, file) in store.Views())
                {
                    if (file.File is null) continue;
                    var path = Path.Combine(layout.Vectors, file.File);
                    if (!File.Exists(path)) throw new InvalidDataException($"index '{layout.Folder}': vector file {file.File} of view {view} is missing");
                    var index = FaissIndex.Load(path, settings.VectorOptions(file.Vectors));
                    loaded.Add(index);
                    if (index.Count != file.Vectors)
                        throw new InvalidDataException($"index '{layout.Folder}': {file.File} holds {index.Count} vectors, the store expects {file.Vectors}");
                    views[view] = LoadedView.Of(index, store.SlotsByPosition(view, file.Vectors), file.Live);
                }
                return (store.Generation, identity, settings, views);
            });
            var text = TextIndex.Open(layout.Text, generation);
            return new MultimodalIndex(layout, store, text, identity, settings, generation, views, modelFolder);
        }
        catch
        {
            foreach (var index in loaded) index.Dispose();
            store.Dispose();
            throw;
        }
    }

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
        var hits = v.Index.Search(unit, (int)Math.Min(offset + k, positions), allowed);
        var wanted = new List<(int Query, long Slot, float Score)>();
        for (int q = 0; q < n; q++)
            for (int j = offset; j < hits.K; j++)
            {
                long p = hits.Positions[q * hits.K + j];
                if (p >= 0 && v.Slots[p] >= 0) wanted.Add((q, v.Slots[p], hits.Scores[q * hits.K + j]));
            }
        IReadOnlyDictionary<long, IndexedItem> items;
        lock (_storeLock) items = _store.Items(wanted.Select(w => w.Slot));
        var results = Enumerable.Range(0, n).Select(_ => new List<ItemHit>()).ToList();
        foreach (var (q, slot, score) in wanted)
            if (items.TryGetValue(slot, out var item)) results[q].Add(new ItemHit(item, score));
        return results;
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
    }
}
