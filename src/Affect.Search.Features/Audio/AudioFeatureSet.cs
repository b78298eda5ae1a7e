using Affect.Search.Features.Codebooks;
using Affect.Search.Features.Media;

namespace Affect.Search.Features.Audio;

/// <summary>
/// The vector the model's audio pathway consumes (Section III-B of the paper: "we directly concatenate the
/// MFCC feature with Audio-Six"): the MFCC bag-of-words histogram (<see cref="MfccBagOfWordsFeature"/>,
/// codebook-size values summing to 1) followed by the six average-pooled Audio-Six values
/// (<see cref="AudioSixFeature"/>). Dimension = codebook size + 6. One pass over the windows computes both.
/// Thread-safe.
/// </summary>
public sealed class AudioFeatureSet : IAudioFeature
{
    /// <summary>Builds the set from the learned MFCC codebook.</summary>
    public AudioFeatureSet(Codebook mfccCodebook, MfccExtractor? extractor = null)
    {
        Mfcc = new MfccBagOfWordsFeature(mfccCodebook, extractor);
        AudioSix = new AudioSixFeature();
    }

    /// <summary>The bag-of-words part (first <see cref="MfccDimension"/> values).</summary>
    public MfccBagOfWordsFeature Mfcc { get; }

    /// <summary>The Audio-Six part (last 6 values).</summary>
    public AudioSixFeature AudioSix { get; }

    /// <summary>Length of the bag-of-words part (the codebook size); Audio-Six starts at this offset.</summary>
    public int MfccDimension => Mfcc.Dimension;

    /// <inheritdoc />
    public string Name => "audio";

    /// <inheritdoc />
    public int Dimension => Mfcc.Dimension + AudioSix.Dimension;

    /// <inheritdoc />
    public float[] Extract(AudioClip clip)
    {
        var extractor = Mfcc.Extractor;
        extractor.CheckRate(clip);
        var codebook = Mfcc.Codebook;
        var histogram = new float[codebook.Size];
        var six = new AudioSixFeature.Accumulator(clip.SampleRate);
        var logMel = new float[extractor.FilterCount];
        var mfcc = new float[extractor.CoefficientCount];
        int windows = 0;
        AudioWindows.Visit(clip, (_, samples, power) =>
        {
            extractor.Compute(power, logMel, mfcc);
            histogram[codebook.Nearest(mfcc)] += 1f;
            six.Add(samples, power);
            windows++;
        });
        var result = new float[Dimension];
        for (int i = 0; i < histogram.Length; i++) result[i] = histogram[i] / windows;
        six.Result().CopyTo(result, histogram.Length);
        return result;
    }
}
