using Affect.Search.Compute;
using Affect.Search.Features.Audio;
using Affect.Search.Features.Codebooks;
using Affect.Search.Features.Corpus;
using Affect.Search.Features.Decoding;
using Affect.Search.Features.Deep;
using Affect.Search.Features.Media;
using Affect.Search.Features.Text;
using Affect.Search.Features.Visual;

namespace Affect.Search.Features.Extraction;

/// <summary>
/// Learns a <see cref="FeatureSpace"/> from training items: the vocabulary from every item's text, and
/// each bag-of-words codebook by seeded k-means on descriptors sampled from a seeded sample of items'
/// keyframes (hog, dsift, ssim) and audio (mfcc). Media that cannot be decoded are skipped and reported.
/// The deep features among the wanted ones are recorded with the identities of their model files (nothing
/// is learned for them; the files are loaded only when a deep feature is wanted).
/// </summary>
public static class FeatureSpaceLearner
{
    /// <summary>
    /// Learns the space; <paramref name="onProblem"/> receives each undecodable medium; <paramref name="wanted"/>
    /// (the feature names a config reads) decides which deep features' model files are recorded.
    /// </summary>
    public static FeatureSpace Learn(IReadOnlyList<ManifestItem> items, MediaDecoder decoder, FeatureSpaceOptions options,
        Action<string>? onProblem = null, int maxParallelism = 0, CancellationToken cancellation = default, IReadOnlyCollection<string>? wanted = null)
    {
        var deepModels = DeepFeatures.Among(wanted ?? []).ToDictionary(f => f, DeepFeatures.FilesOf, StringComparer.Ordinal);
        using var analyzer = new TextAnalyzer();
        var documents = items.Where(i => i.Text is not null).Select(i => analyzer.Terms(i.Text)).ToList();
        var vocabulary = Vocabulary.Build(documents, options.MinDocumentFrequency, options.MaxVocabulary);

        var random = new RandomStream(options.Seed);
        var visualItems = Sample(items.Where(i => i.HasVisual).ToList(), options.CodebookItems, random.Fork());
        var audioItems = Sample(items.Where(i => i.HasAudioSource).ToList(), options.CodebookItems, random.Fork());
        var parallel = new ParallelOptions { MaxDegreeOfParallelism = maxParallelism > 0 ? maxParallelism : Environment.ProcessorCount, CancellationToken = cancellation };
        var gate = new object();
        void Report(string problem) { if (onProblem is not null) lock (gate) onProblem(problem); }

        // Descriptors of each sampled item, drawn with a stream forked per item so the sample does not
        // depend on thread scheduling.
        var visualSet = VisualFeatureSet.CreateStandard();
        var perItem = new IReadOnlyDictionary<string, List<float[]>>?[visualItems.Count];
        var itemSeeds = visualItems.Select(_ => random.NextKey()).ToArray();
        Parallel.For(0, visualItems.Count, parallel, i =>
        {
            try
            {
                var item = visualItems[i];
                var frames = item.Video is not null ? decoder.DecodeVideo(item.Video).Frames : new[] { decoder.DecodeImage(item.Image!) };
                if (frames.Count > 0) perItem[i] = visualSet.SampleDescriptors(frames, options.DescriptorsPerFrame, new RandomStream(itemSeeds[i]));
            }
            catch (MediaDecodeException e) { Report(e.Message); }
        });
        var codebooks = new Dictionary<string, Codebook>(StringComparer.Ordinal);
        foreach (var descriptor in visualSet.Descriptors)
        {
            var samples = perItem.Where(p => p is not null).SelectMany(p => p![descriptor.Name]).ToList();
            if (samples.Count == 0) continue;
            codebooks[descriptor.Name] = Codebook.Learn(descriptor.Name, samples, Math.Min(options.VisualCodebookSize, samples.Count), options.Seed, options.KMeansIterations);
        }

        var clips = new AudioClip?[audioItems.Count];
        Parallel.For(0, audioItems.Count, parallel, i =>
        {
            try
            {
                var item = audioItems[i];
                clips[i] = item.Audio is not null ? decoder.DecodeAudio(item.Audio) : decoder.DecodeVideo(item.Video!).Audio;
            }
            catch (MediaDecodeException e) { Report(e.Message); }
        });
        var decoded = clips.Where(c => c is not null).Select(c => c!).ToList();
        if (decoded.Count > 0)
        {
            var frames = decoded.SelectMany(c => MfccBagOfWordsFeature.SampleFrames(c, options.MfccFramesPerClip)).ToList();
            codebooks[MfccBagOfWordsFeature.FeatureName] = Codebook.Learn(MfccBagOfWordsFeature.FeatureName, frames,
                Math.Min(options.AudioCodebookSize, frames.Count), options.Seed, options.KMeansIterations);
        }
        return new FeatureSpace(vocabulary, codebooks, options, deepModels);
    }

    private static List<ManifestItem> Sample(List<ManifestItem> items, int count, RandomStream random)
        => items.Count <= count ? items : random.Permutation(items.Count).Take(count).Order().Select(i => items[i]).ToList();
}
