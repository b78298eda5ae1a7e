using System.Diagnostics;
using Affect.Search.Engine.Corpus;
using Affect.Search.Features.Corpus;
using Affect.Search.Features.Decoding;
using Affect.Search.Index;

namespace Affect.Search.Engine.Indexing;

/// <summary>Options of <see cref="Indexer.Run"/>.</summary>
public sealed record IndexingOptions
{
    /// <summary>Items per committed generation: a crash loses at most this many items' work.</summary>
    public int CommitEvery { get; init; } = 500;

    /// <summary>Storage settings of a new index (ignored for an existing one).</summary>
    public IndexSettings? Settings { get; init; }

    /// <summary>Items featurized in parallel (0 = one per core).</summary>
    public int MaxParallelism { get; init; }
}

/// <summary>Progress of an indexing run.</summary>
public readonly record struct IndexingProgress(int Done, int Total, long Generation);

/// <summary>What an indexing run did.</summary>
/// <param name="Index">The index folder.</param>
/// <param name="Indexed">Items added or replaced.</param>
/// <param name="BadLines">Manifest lines refused.</param>
/// <param name="Problems">Per item: media that could not be decoded, text without known words (the item is indexed with what is usable).</param>
/// <param name="Dropped">Items left out because no modality was usable.</param>
/// <param name="Generation">The last committed generation.</param>
/// <param name="Items">Items in the index after the run.</param>
/// <param name="Seconds">Wall time.</param>
public sealed record IndexingReport(string Index, int Indexed, IReadOnlyList<ManifestError> BadLines, IReadOnlyList<ItemProblem> Problems,
    IReadOnlyList<string> Dropped, long Generation, long Items, double Seconds)
{
    /// <summary>
    /// Per modality name the model has no pathway for (e.g. "audio" for a model trained on image+text pairs),
    /// how many items gave it: they were indexed from the modalities the model reads, or left out (in
    /// <see cref="Dropped"/>) when it reads none of theirs.
    /// </summary>
    public IReadOnlyDictionary<string, int> UnreadModalities { get; init; } = new Dictionary<string, int>();
}

/// <summary>A problem with one item.</summary>
public sealed record ItemProblem(string Id, string Problem);

/// <summary>
/// Maps reference items through the trained model into their joint embeddings in every view (full, T, V,
/// A, VA) and stores them, with their text and labels, in an index, committing every
/// <see cref="IndexingOptions.CommitEvery"/> items. An item with the id of a stored one replaces it.
/// </summary>
public static class Indexer
{
    /// <summary>Indexes the items of <paramref name="manifest"/> into <paramref name="indexFolder"/> (created when absent).</summary>
    public static IndexingReport Run(Manifest manifest, ModelFolder model, string indexFolder, IndexingOptions? options = null,
        Action<IndexingProgress>? onProgress = null, CancellationToken cancellation = default)
    {
        options ??= new IndexingOptions();
        if (options.CommitEvery <= 0) throw new ArgumentOutOfRangeException(nameof(options), "CommitEvery must be positive");
        var clock = Stopwatch.StartNew();
        var problems = new List<ItemProblem>();
        var dropped = new List<string>();
        int indexed = 0;
        var unread = new SortedDictionary<string, int>(StringComparer.Ordinal);
        var decoder = new MediaDecoder();
        using var writer = MultimodalIndexWriter.Open(indexFolder, model.Identity, options.Settings, model.Folder);
        onProgress?.Invoke(new IndexingProgress(0, manifest.Items.Count, writer.Generation));
        foreach (var chunk in manifest.Items.Chunk(options.CommitEvery))
        {
            cancellation.ThrowIfCancellationRequested();
            var (data, report) = CorpusFeaturizer.Featurize(manifest with { Items = chunk }, model.Features, model.Model.Config, decoder,
                maxParallelism: options.MaxParallelism, cancellation: cancellation);
            problems.AddRange(report.Problems.Select(p => new ItemProblem(p.Id, p.Problem)));
            dropped.AddRange(report.Dropped);
            foreach (var (name, count) in report.UnreadModalities) unread[name] = unread.GetValueOrDefault(name) + count;
            if (data.Count > 0)
            {
                var embeddings = model.Embedder.EmbedViews(data);
                for (int row = 0; row < data.Count; row++)
                {
                    var item = report.Items[row];
                    writer.Upsert(new ItemToIndex(Stored(item, model.Embedder.ModalitiesOf(data, row)), embeddings[row]));
                    indexed++;
                }
            }
            writer.Commit($"indexed {chunk.Length} items of {manifest.Path}");
            onProgress?.Invoke(new IndexingProgress(indexed + dropped.Count, manifest.Items.Count, writer.Generation));
        }
        return new IndexingReport(writer.Folder, indexed, manifest.Errors, problems, dropped, writer.Generation, writer.ItemCount, clock.Elapsed.TotalSeconds)
        {
            UnreadModalities = unread,
        };
    }

    /// <summary>The fields an index keeps of a manifest item with the modalities that proved usable.</summary>
    public static IndexedItem Stored(ManifestItem item, string modalities)
    {
        var sources = new Dictionary<string, string>();
        if (item.Image is not null) sources["image"] = item.Image;
        if (item.Audio is not null) sources["audio"] = item.Audio;
        if (item.Video is not null) sources["video"] = item.Video;
        return new IndexedItem(item.Id, item.Text, item.Labels, sources, modalities, item.Source);
    }
}
