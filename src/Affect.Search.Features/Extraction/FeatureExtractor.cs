using Affect.Search.Features.Audio;
using Affect.Search.Features.Corpus;
using Affect.Search.Features.Decoding;
using Affect.Search.Features.Deep;
using Affect.Search.Features.Media;
using Affect.Search.Features.Text;
using Affect.Search.Features.Visual;

namespace Affect.Search.Features.Extraction;

/// <summary>
/// Turns one corpus item into its feature vectors with a learned <see cref="FeatureSpace"/>: decodes the
/// item's media, computes the visual features on its keyframes (a still image is a one-frame video),
/// the audio features on its audio (an audio file, else the video's track) and the word counts of its
/// text, and the deep features a config reads (resnet18 on the keyframes as one batch, audio-cnn on the
/// audio's 1-second spectrogram windows, minilm on the text). A medium that cannot be decoded costs only
/// that modality, and the problem is reported. A text whose words are all outside the vocabulary loses its
/// word counts but keeps its text modality through minilm when minilm is read.
/// Immutable after construction, so one extractor serves many threads.
/// </summary>
public sealed class FeatureExtractor : IDisposable
{
    private readonly MediaDecoder _decoder;
    private readonly IReadOnlyList<IFrameFeature> _visual;
    private readonly AudioFeatureSet? _audio;
    private readonly TextAnalyzer _analyzer = new();
    private readonly ResNet18Features? _resnet;
    private readonly AudioCnnFeatures? _audioCnn;
    private readonly MiniLmSentenceEncoder? _minilm;

    /// <summary>
    /// Creates an extractor computing <paramref name="wanted"/> features (null = all the space supports,
    /// deep features included only when the space records them).
    /// </summary>
    /// <exception cref="InvalidDataException">a wanted deep feature's files differ from those the space records.</exception>
    /// <exception cref="DeepModelMissingException">a wanted deep feature's model file is missing.</exception>
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

        bool Wants(string deep) => wanted is null ? space.DeepModels.ContainsKey(deep) : wanted.Contains(deep);
        if (Wants(ResNet18Features.FeatureName)) _resnet = Verified(ResNet18Features.FeatureName, ResNet18Features.Shared, r => r.Files);
        if (Wants(AudioCnnFeatures.FeatureName)) _audioCnn = Verified(AudioCnnFeatures.FeatureName, AudioCnnFeatures.Shared, a => a.Files);
        if (Wants(MiniLmSentenceEncoder.FeatureName)) _minilm = Verified(MiniLmSentenceEncoder.FeatureName, MiniLmSentenceEncoder.Shared, m => m.Files);
    }

    private T Verified<T>(string feature, T instance, Func<T, IReadOnlyList<ModelFileIdentity>> files)
    {
        Space.VerifyDeepModel(feature, files(instance));
        return instance;
    }

    /// <summary>The learned space.</summary>
    public FeatureSpace Space { get; }

    /// <summary>Names and dimensions of the dense features produced.</summary>
    public IReadOnlyDictionary<string, int> DenseDimensions => _visual.ToDictionary(f => f.Name, f => f.Dimension)
        .Concat(_audio is null ? [] : [new KeyValuePair<string, int>(_audio.Name, _audio.Dimension)])
        .Concat(_resnet is null ? [] : [KeyValuePair.Create(ResNet18Features.FeatureName, ResNet18Features.Dimension)])
        .Concat(_audioCnn is null ? [] : [KeyValuePair.Create(AudioCnnFeatures.FeatureName, AudioCnnFeatures.Dimension)])
        .Concat(_minilm is null ? [] : [KeyValuePair.Create(MiniLmSentenceEncoder.FeatureName, MiniLmSentenceEncoder.Dimension)])
        .ToDictionary(kv => kv.Key, kv => kv.Value);

    /// <summary>Whether the minilm sentence embedding of the text is produced.</summary>
    public bool ExtractsSentenceEmbedding => _minilm is not null;

    /// <summary>Whether word counts are produced.</summary>
    public bool ExtractsText { get; }

    /// <summary>The features of one item; never throws for bad media (see <see cref="ItemFeatures.Problems"/>).</summary>
    public ItemFeatures Extract(ManifestItem item)
    {
        var dense = new Dictionary<string, float[]>(StringComparer.Ordinal);
        var problems = new List<string>();
        IReadOnlyList<RgbImage> frames = Array.Empty<RgbImage>();
        AudioClip? audio = null;
        bool needVisual = (_visual.Count > 0 || _resnet is not null) && item.HasVisual;
        bool needAudio = (_audio is not null || _audioCnn is not null) && item.HasAudioSource;
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
        if (_resnet is not null && needVisual && frames.Count > 0) Deep(ResNet18Features.FeatureName, () => _resnet.Average(frames), dense, problems);
        if (_audioCnn is not null && audio is not null) Deep(AudioCnnFeatures.FeatureName, () => _audioCnn.Extract(audio), dense, problems);
        if (_minilm is not null && !string.IsNullOrWhiteSpace(item.Text)) Deep(MiniLmSentenceEncoder.FeatureName, () => _minilm.Encode(item.Text), dense, problems);

        TermCounts? words = null;
        if (ExtractsText && item.Text is not null)
        {
            var terms = _analyzer.Terms(item.Text);
            words = Space.Vocabulary.Count(terms);
            if (words.KnownCount == 0)
            {
                // With minilm the text modality survives through the sentence embedding; only the word counts go.
                var kept = dense.ContainsKey(MiniLmSentenceEncoder.FeatureName) ? "; the text is kept through minilm" : "";
                problems.Add((terms.Count == 0 ? "text has no indexable words" : $"text has only words outside the vocabulary ({string.Join(", ", words.UnknownTerms.Take(5))})") + kept);
                words = null;
            }
        }
        return new ItemFeatures(item.Id, dense, words, problems);
    }

    // A network failure on one item (e.g. an ONNX Runtime error) costs that feature only, named in the problem.
    private static void Deep(string feature, Func<float[]> compute, Dictionary<string, float[]> dense, List<string> problems)
    {
        try { dense[feature] = compute(); }
        catch (Exception e) when (e is Microsoft.ML.OnnxRuntime.OnnxRuntimeException or ArgumentException or InvalidOperationException)
        {
            problems.Add($"{feature}: {e.Message}");
        }
    }

    private static T? Try<T>(Func<T> decode, List<string> problems) where T : class
    {
        try { return decode(); }
        catch (MediaDecodeException e) { problems.Add(e.Message); return null; }
    }

    /// <inheritdoc />
    public void Dispose() => _analyzer.Dispose();
}
