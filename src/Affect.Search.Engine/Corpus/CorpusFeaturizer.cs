using Affect.Search.Engine.Embedding;
using Affect.Search.Features.Corpus;
using Affect.Search.Features.Decoding;
using Affect.Search.Features.Extraction;
using Affect.Search.Model.Configuration;
using Affect.Search.Model.Data;

namespace Affect.Search.Engine.Corpus;

/// <summary>What featurizing a corpus gave, besides the data: refused lines and per-item problems.</summary>
/// <param name="Items">Items with at least one usable modality, in manifest order.</param>
/// <param name="BadLines">Manifest lines refused before extraction.</param>
/// <param name="Problems">Per item: media that could not be decoded, text without known words.</param>
/// <param name="Dropped">Ids of items left with no usable modality.</param>
/// <param name="UnknownWords">Occurrences of words outside the vocabulary, over all items.</param>
/// <param name="CommonUnknownWords">The most frequent of them (up to 20), most frequent first.</param>
public sealed record CorpusReport(IReadOnlyList<ManifestItem> Items, IReadOnlyList<ManifestError> BadLines,
    IReadOnlyList<(string Id, string Problem)> Problems, IReadOnlyList<string> Dropped, int UnknownWords, IReadOnlyList<string> CommonUnknownWords)
{
    /// <summary>
    /// Per modality name ("text", "visual", "audio") the model has no pathway for, how many items gave it
    /// (see <see cref="ModelModalities.Unreadable"/>); such items are used with the modalities the model
    /// reads, and dropped when it reads none of theirs.
    /// </summary>
    public IReadOnlyDictionary<string, int> UnreadModalities { get; init; } = new Dictionary<string, int>();
}

/// <summary>
/// The use case between a manifest and the model: learns the feature space on training items (or reuses
/// a stored one), extracts the features a model configuration needs, and builds the model's data set.
/// </summary>
public static class CorpusFeaturizer
{
    /// <summary>The source feature names a configuration reads (e.g. hog, dsift, audio, text).</summary>
    public static IReadOnlyCollection<string> FeaturesOf(DbmConfig config)
        => config.Features.SelectMany(f => f.Sources).ToHashSet();

    /// <summary>
    /// Training input from a manifest: learns the feature space on its items (reporting undecodable media
    /// through <paramref name="onProblem"/>), then extracts the features <paramref name="config"/> reads.
    /// </summary>
    public static (FeatureSpace Space, MultimodalDataset Data, CorpusReport Report) LearnAndFeaturize(Manifest manifest, DbmConfig config,
        MediaDecoder decoder, FeatureSpaceOptions? options = null, Action<string>? onProblem = null,
        Action<ExtractionProgress>? onProgress = null, int maxParallelism = 0, CancellationToken cancellation = default)
    {
        if (manifest.Items.Count == 0) throw new InvalidDataException($"{manifest.Path}: no usable items");
        var space = FeatureSpaceLearner.Learn(manifest.Items, decoder, options ?? new FeatureSpaceOptions { Seed = config.Seed }, onProblem, maxParallelism, cancellation, FeaturesOf(config));
        var (data, report) = Featurize(manifest, space, config, decoder, onProgress, maxParallelism, cancellation);
        if (data.Count == 0) throw new InvalidDataException($"{manifest.Path}: no item has a usable modality");
        return (space, data, report);
    }

    /// <summary>Extracts features of a manifest's items with a feature space and builds the data set.</summary>
    public static (MultimodalDataset Data, CorpusReport Report) Featurize(Manifest manifest, FeatureSpace space, DbmConfig config,
        MediaDecoder decoder, Action<ExtractionProgress>? onProgress = null, int maxParallelism = 0, CancellationToken cancellation = default)
    {
        using var extractor = new FeatureExtractor(space, decoder, FeaturesOf(config));
        var features = CorpusExtraction.Run(manifest.Items, extractor, maxParallelism, onProgress, cancellation);
        var problems = features.SelectMany(f => f.Problems.Select(p => (f.Id, p))).ToList();
        var kept = features.Where(f => !f.IsEmpty).ToList();
        var keptIds = kept.Select(f => f.Id).ToHashSet();
        var data = FeatureDataset.Build(kept, extractor.DenseDimensions, space.Vocabulary.Size);
        var unknown = features.Where(f => f.Words is not null).SelectMany(f => f.Words!.UnknownTerms).GroupBy(t => t)
            .OrderByDescending(g => g.Count()).ThenBy(g => g.Key, StringComparer.Ordinal).Select(g => g.Key).Take(20).ToList();
        var report = new CorpusReport(manifest.Items.Where(i => keptIds.Contains(i.Id)).ToList(), manifest.Errors, problems,
            features.Where(f => f.IsEmpty).Select(f => f.Id).ToList(), features.Sum(f => f.Words?.UnknownCount ?? 0), unknown)
        {
            UnreadModalities = UnreadModalities(manifest.Items, new ModelModalities(config)),
        };
        return (data, report);
    }

    /// <summary>How many items give each modality the model has no pathway for.</summary>
    public static IReadOnlyDictionary<string, int> UnreadModalities(IEnumerable<ManifestItem> items, ModelModalities modalities)
    {
        var counts = new SortedDictionary<string, int>(StringComparer.Ordinal);
        foreach (var name in items.SelectMany(modalities.Unreadable)) counts[name] = counts.GetValueOrDefault(name) + 1;
        return counts;
    }
}
