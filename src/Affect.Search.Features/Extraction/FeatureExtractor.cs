using Affect.Search.Features.Audio;
using Affect.Search.Features.Corpus;
using Affect.Search.Features.Decoding;
using Affect.Search.Features.Media;
using Affect.Search.Features.Text;
using Affect.Search.Features.Visual;

namespace Affect.Search.Features.Extraction;

/// <summary>
/// Turns one corpus item into its feature vectors with a learned <see cref="FeatureSpace"/>: decodes the
/// item's media, computes the visual features on its keyframes (a still image is a one-frame video),
/// the audio features on its audio (an audio file, else the video's track) and the word counts of its
/// text. A medium that cannot be decoded costs only that modality, and the problem is reported.
/// Immutable after construction, so one extractor serves many threads.
/// </summary>
public sealed class FeatureExtractor : IDisposable
{
    private readonly MediaDecoder _decoder;
    private readonly IReadOnlyList<IFrameFeature> _visual;
    private readonly AudioFeatureSet? _audio;
    private readonly TextAnalyzer _analyzer = new();

    /// <summary>Creates an extractor computing <paramref name="wanted"/> features (null = all the space supports).</summary>
    public FeatureExtractor(FeatureSpace space, MediaDecoder decoder, IReadOnlyCollection<string>? wanted = null)
    {
        Space = space;
        _decoder = decoder;
        var visualSet = VisualFeatureSet.CreateStandard();
        var available = visualSet.FrameFeatures
            .Concat(visualSet.Descriptors.Where(d => space.Codebooks.ContainsKey(d.Name)).Select(d => (IFrameFeature)new BagOfWordsFeature(d, space.Codebooks[d.Name])));
        _visual = available.Where(f => wanted is null || wanted.Contains(f.Name)).ToList();
        if (space.Codebooks.TryGetValue(MfccBagOfWordsFeature.FeatureName, out var mfcc) && (wanted is null || wanted.Contains("audio")))
            _audio = new AudioFeatureSet(mfcc);
        ExtractsText = wanted is null || wanted.Contains("text");
    }

    /// <summary>The learned space.</summary>
    public FeatureSpace Space { get; }

    /// <summary>Names and dimensions of the dense features produced.</summary>
    public IReadOnlyDictionary<string, int> DenseDimensions => _visual.ToDictionary(f => f.Name, f => f.Dimension)
        .Concat(_audio is null ? [] : [new KeyValuePair<string, int>(_audio.Name, _audio.Dimension)])
        .ToDictionary(kv => kv.Key, kv => kv.Value);

    /// <summary>Whether word counts are produced.</summary>
    public bool ExtractsText { get; }

    /// <summary>The features of one item; never throws for bad media (see <see cref="ItemFeatures.Problems"/>).</summary>
    public ItemFeatures Extract(ManifestItem item)
    {
        var dense = new Dictionary<string, float[]>(StringComparer.Ordinal);
        var problems = new List<string>();
        IReadOnlyList<RgbImage> frames = Array.Empty<RgbImage>();
        AudioClip? audio = null;
        bool needVisual = _visual.Count > 0 && item.HasVisual, needAudio = _audio is not null && item.HasAudioSource;
        if (item.Video is not null && (needVisual || (needAudio && item.Audio is null)))
        {
            var media = Try(() => _decoder.DecodeVideo(item.Video), problems);
            if (media is not null)
            {
                frames = media.Frames;
                audio = media.Audio;
                if (needVisual && frames.Count == 0) problems.Add($"video '{item.Video}' has no video stream");
            }
        }
        if (needVisual && frames.Count == 0 && item.Image is not null)
        {
            var image = Try(() => _decoder.DecodeImage(item.Image), problems);
            if (image is not null) frames = new[] { image };
        }
        if (needAudio && item.Audio is not null) audio = Try(() => _decoder.DecodeAudio(item.Audio), problems);

        if (needVisual && frames.Count > 0)
            foreach (var f in _visual) dense[f.Name] = FramePooling.Average(f, frames);
        if (_audio is not null && audio is not null) dense[_audio.Name] = _audio.Extract(audio);

        TermCounts? words = null;
        if (ExtractsText && item.Text is not null)
        {
            var terms = _analyzer.Terms(item.Text);
            words = Space.Vocabulary.Count(terms);
            if (words.KnownCount == 0)
            {
                problems.Add(terms.Count == 0 ? "text has no indexable words" : $"text has only words outside the vocabulary ({string.Join(", ", words.UnknownTerms.Take(5))})");
                words = null;
            }
        }
        return new ItemFeatures(item.Id, dense, words, problems);
    }

    private static T? Try<T>(Func<T> decode, List<string> problems) where T : class
    {
        try { return decode(); }
        catch (MediaDecodeException e) { problems.Add(e.Message); return null; }
    }

    /// <inheritdoc />
    public void Dispose() => _analyzer.Dispose();
}
