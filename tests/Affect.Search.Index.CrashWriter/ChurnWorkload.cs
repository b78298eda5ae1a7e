using Affect.Search.Index;

namespace Affect.Search.Index.CrashWriter;

/// <summary>What a reader loop did: opens made, how many failed, the generations it saw and the first errors.</summary>
public sealed record ReadReport(int Opens, int Failures, long FirstGeneration, long LastGeneration, IReadOnlyList<string> Errors);

/// <summary>
/// A writer committing after every single operation while readers open, search (vector and BM25) and
/// close the index in a loop: the workload of the concurrency tests, run in the test process or in a child.
/// Every random choice is seeded.
/// </summary>
public static class ChurnWorkload
{
    /// <summary>Low thresholds, so flat-to-HNSW switches and compaction rebuilds happen under the readers too.</summary>
    public static IndexSettings Settings => new() { HnswThreshold = 40, CompactionThreshold = 0.2 };

    /// <summary>Operation <paramref name="step"/>: mostly a new item, sometimes a replacement or a delete of an earlier one.</summary>
    public static (string Id, ItemToIndex? Item) Operation(int seed, long step)
    {
        var random = new Random(unchecked((int)(seed * 1_000_003L + step)));
        double roll = random.NextDouble();
        if (step > 10 && roll < 0.1) return ($"churn-{random.NextInt64(step)}", null);
        long n = step > 10 && roll < 0.3 ? random.NextInt64(step) : step;
        return ($"churn-{n}", Item(random, $"churn-{n}", step));
    }

    /// <summary>A new item (its id is "added-n", never used by <see cref="Operation"/>): a change that adds only.</summary>
    public static ItemToIndex Added(int seed, long n) => Item(new Random(unchecked((int)(seed * 7_919L + n))), $"added-{n}", n);

    private static ItemToIndex Item(Random random, string id, long step)
    {
        string modalities = new[] { "TVA", "TV", "T", "V", "A", "VA" }[random.Next(6)];
        var embeddings = new Dictionary<string, float[]>();
        foreach (var view in IndexViews.All)
            if (IndexViews.Contains(view, modalities))
                embeddings[view] = Enumerable.Range(0, CrashWorkload.Dimension).Select(_ => (float)random.NextDouble() - 0.5f).ToArray();
        string? text = modalities.Contains('T') ? $"{id} churned at step {step} word{random.Next(5)}" : null;
        var labels = new Dictionary<string, IReadOnlyList<string>> { ["step"] = [step.ToString()] };
        return new ItemToIndex(new IndexedItem(id, text, labels, new Dictionary<string, string>(), modalities), embeddings);
    }

    /// <summary>
    /// Applies operations from the writer's generation on, one commit each, until <paramref name="stop"/> says so
    /// or <paramref name="maxCommits"/> commits are made; <paramref name="committed"/> hears every new generation.
    /// </summary>
    public static void Write(MultimodalIndexWriter writer, int seed, long maxCommits, Func<bool> stop, Action<long>? committed = null)
    {
        for (long made = 0; made < maxCommits && !stop(); made++)
        {
            var (id, item) = Operation(seed, writer.Generation);
            if (item is null) writer.Delete(id);
            else writer.Upsert(item);
            // A delete of an id already gone changes nothing: commit a real change instead.
            if (writer.Pending == 0) writer.Upsert(Added(seed, writer.Generation));
            long generation = writer.Commit($"step {writer.Generation}");
            committed?.Invoke(generation);
        }
    }

    /// <summary>
    /// Opens, searches and closes the index in <paramref name="folder"/> until at least <paramref name="opens"/>
    /// opens are made and a generation of at least <paramref name="untilGeneration"/> was seen (so the writer
    /// really committed under the readers), or until <paramref name="writerGone"/> says the writer stopped;
    /// every exception counts as a failure.
    /// </summary>
    public static ReadReport Read(string folder, int seed, int opens, long untilGeneration, Func<bool>? writerGone = null)
    {
        var random = new Random(seed);
        int made = 0, failures = 0;
        long first = -1, last = -1;
        var errors = new List<string>();
        while (made < opens || (last < untilGeneration && writerGone?.Invoke() != true))
        {
            made++;
            try
            {
                using var index = MultimodalIndex.Open(folder);
                if (first < 0) first = index.Generation;
                if (index.Generation < last) throw new InvalidOperationException($"generation went back from {last} to {index.Generation}");
                last = index.Generation;
                var query = Enumerable.Range(0, CrashWorkload.Dimension).Select(_ => (float)random.NextDouble() - 0.5f).ToArray();
                foreach (var view in IndexViews.All)
                    foreach (var hit in index.SearchVectors(view, query, 3)[0])
                        if (!(Math.Abs(hit.Score) <= 1.001f)) throw new InvalidOperationException($"view {view}: cosine {hit.Score} for {hit.Item.Id}");
                index.SearchText($"word{random.Next(5)} churned", 5);
            }
            catch (Exception e)
            {
                failures++;
                if (errors.Count < 10) errors.Add($"{e.GetType().Name}: {e.Message}");
            }
        }
        return new ReadReport(made, failures, first, last, errors);
    }
}
