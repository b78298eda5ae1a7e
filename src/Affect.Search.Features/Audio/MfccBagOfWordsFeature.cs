using Affect.Search.Features.Codebooks;
using Affect.Search.Features.Media;

namespace Affect.Search.Features.Audio;

/// <summary>
/// MFCC bag-of-audio-words (Section VI-A of the paper: MFCC "further quantized into bag-of-words"): every
/// window's MFCC vector (<see cref="MfccExtractor"/>) is assigned to its nearest codeword and the clip is the
/// L1-normalised histogram of assignments (sums to 1; every clip has at least one window).
/// The codebook is learned once from MFCC frames sampled from the training corpus
/// (<see cref="SampleFrames"/>, <see cref="LearnCodebook"/>) and reused at index and query time.
/// </summary>
public sealed class MfccBagOfWordsFeature : IAudioFeature
{
    /// <summary>The name of the feature and of its codebook.</summary>
    public const string FeatureName = "mfcc";

    /// <summary>Wraps a learned codebook (its descriptor length must equal the extractor's coefficient count).</summary>
    public MfccBagOfWordsFeature(Codebook codebook, MfccExtractor? extractor = null)
    {
        ArgumentNullException.ThrowIfNull(codebook);
        Extractor = extractor ?? new MfccExtractor();
        if (codebook.DescriptorLength != Extractor.CoefficientCount)
            throw new ArgumentException($"codebook '{codebook.Name}' has descriptors of {codebook.DescriptorLength}, the MFCC extractor gives {Extractor.CoefficientCount}");
        Codebook = codebook;
    }

    /// <summary>The audio-word vocabulary.</summary>
    public Codebook Codebook { get; }

    /// <summary>The per-window MFCC extractor.</summary>
    public MfccExtractor Extractor { get; }

    /// <inheritdoc />
    public string Name => FeatureName;

    /// <inheritdoc />
    public int Dimension => Codebook.Size;

    /// <inheritdoc />
    public float[] Extract(AudioClip clip) => Codebook.Histogram(Extractor.Frames(clip));

    /// <summary>
    /// Up to <paramref name="maxFrames"/> MFCC frames of a clip for codebook learning, taken at evenly spaced
    /// windows (deterministic; all frames when the clip has no more than that).
    /// </summary>
    public static IReadOnlyList<float[]> SampleFrames(AudioClip clip, int maxFrames, MfccExtractor? extractor = null)
    {
        if (maxFrames <= 0) throw new ArgumentException($"max frames {maxFrames} must be positive");
        var frames = (extractor ?? new MfccExtractor()).Frames(clip);
        if (frames.Count <= maxFrames) return frames;
        var picked = new float[maxFrames][];
        for (int i = 0; i < maxFrames; i++) picked[i] = frames[(int)((long)i * frames.Count / maxFrames + frames.Count / (2L * maxFrames))];
        return picked;
    }

    /// <summary>
    /// Learns the MFCC codebook (named <see cref="FeatureName"/>) by seeded k-means on up to
    /// <paramref name="framesPerClip"/> frames sampled from each training clip.
    /// </summary>
    public static Codebook LearnCodebook(IEnumerable<AudioClip> clips, int size, ulong seed, int framesPerClip = 200,
        MfccExtractor? extractor = null, int iterations = 20)
    {
        ArgumentNullException.ThrowIfNull(clips);
        extractor ??= new MfccExtractor();
        var samples = new List<float[]>();
        foreach (var clip in clips) samples.AddRange(SampleFrames(clip, framesPerClip, extractor));
        return Codebook.Learn(FeatureName, samples, size, seed, iterations);
    }
}
