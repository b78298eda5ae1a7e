using Affect.Search.Index;

namespace Affect.Search.Index.CrashWriter;

/// <summary>
/// A deterministic sequence of index operations (adds, replacements, deletes) in batches, each batch one
/// commit. The child process runs it against a real index; the test replays it in memory to know exactly
/// what every committed generation must contain.
/// </summary>
public static class CrashWorkload
{
    /// <summary>Embedding size of the workload's items.</summary>
    public const int Dimension = 8;

    /// <summary>Operations of one batch: an item to upsert, or an id to delete (Item null).</summary>
    public static IReadOnlyList<(string Id, ItemToIndex? Item)> Batch(int seed, int batch)
    {
        var random = new Random(seed * 7919 + batch);
        var ops = new List<(string, ItemToIndex?)>();
        int adds = 3 + random.Next(6);
        for (int i = 0; i < adds; i++)
        {
            // Mostly new ids, sometimes an earlier one (a replacement).
            int n = batch > 0 && random.NextDouble() < 0.25 ? random.Next(batch * 4) : batch * 4 + i;
            ops.Add(Item(random, $"item-{n}", batch));
        }
        if (batch > 1 && random.NextDouble() < 0.5) ops.Add(($"item-{random.Next(batch * 4)}", null));
        return ops;
    }

    private static (string, ItemToIndex?) Item(Random random, string id, int batch)
    {
        string modalities = new[] { "TVA", "TV", "T", "V", "A", "VA" }[random.Next(6)];
        var embeddings = new Dictionary<string, float[]>();
        foreach (var view in IndexViews.All)
            if (IndexViews.Contains(view, modalities))
                embeddings[view] = Enumerable.Range(0, Dimension).Select(_ => (float)random.NextDouble() - 0.5f).ToArray();
        string? text = modalities.Contains('T') ? $"{id} written in batch {batch} word{random.Next(5)}" : null;
        var labels = new Dictionary<string, IReadOnlyList<string>> { ["batch"] = [batch.ToString()] };
        return (id, new ItemToIndex(new IndexedItem(id, text, labels, new Dictionary<string, string>(), modalities), embeddings));
    }

    /// <summary>The identity the workload's index is created with.</summary>
    public static IndexIdentity Identity => new("crash-workload-model", "crash-workload-features", Dimension);

    /// <summary>What the index must hold after <paramref name="batches"/> committed batches: id -> item.</summary>
    public static Dictionary<string, ItemToIndex> Expected(int seed, long batches)
    {
        var state = new Dictionary<string, ItemToIndex>();
        for (int b = 0; b < batches; b++)
            foreach (var (id, item) in Batch(seed, b))
                if (item is null) state.Remove(id);
                else state[id] = item;
        return state;
    }
}
