using Affect.Search.Features.Audio;
using Affect.Search.Features.Codebooks;
using Affect.Search.Features.Media;

namespace Affect.Search.Features.Tests.Audio;

public sealed class MfccTests
{
    private readonly MfccExtractor _mfcc = new();

    [Fact]
    public void Defaults_are_26_filters_over_0_to_8kHz_and_13_coefficients()
    {
        Assert.Equal(26, _mfcc.FilterCount);
        Assert.Equal(13, _mfcc.CoefficientCount);
        Assert.Equal(0, _mfcc.FilterEdges(0).LowerHz, 9);
        Assert.Equal(8000, _mfcc.FilterEdges(25).UpperHz, 6);
        for (int j = 1; j < 26; j++)
        {
            Assert.True(_mfcc.FilterEdges(j).CenterHz > _mfcc.FilterEdges(j - 1).CenterHz);
            Assert.Equal(_mfcc.FilterEdges(j - 1).CenterHz, _mfcc.FilterEdges(j).LowerHz, 9); // adjacent triangles overlap by half
        }
        Assert.Equal(1000, MfccExtractor.MelToHz(MfccExtractor.HzToMel(1000)), 9);
        Assert.Equal(1000, MfccExtractor.HzToMel(1000), 0); // HTK mel: 1000 Hz ≈ 1000 mel
    }

    [Fact]
    public void One_frame_of_13_per_window()
    {
        var frames = _mfcc.Frames(Signals.WhiteNoise(seconds: 10));
        Assert.Equal(624, frames.Count); // 1 + (160000 - 512) / 256
        Assert.All(frames, f => { Assert.Equal(13, f.Length); Assert.All(f, x => Assert.True(float.IsFinite(x))); });
        Assert.Single(_mfcc.Frames(new AudioClip(new float[10], 16000)));
    }

    [Theory]
    [InlineData(150)]
    [InlineData(300)]
    [InlineData(1000)]
    [InlineData(2500)]
    [InlineData(6000)]
    public void The_strongest_mel_filter_of_a_tone_contains_its_frequency(double hz)
    {
        var logMel = _mfcc.LogMelEnergies(Signals.Tone(hz));
        var mean = new double[_mfcc.FilterCount];
        foreach (var w in logMel) for (int j = 0; j < mean.Length; j++) mean[j] += w[j] / logMel.Count;
        int best = Array.IndexOf(mean, mean.Max());
        var (lower, center, upper) = _mfcc.FilterEdges(best);
        Assert.InRange(hz, lower, upper);
        // and it is the filter whose peak is nearest the tone (one of the two filters covering it)
        Assert.True(Math.Abs(center - hz) <= (upper - lower) / 2, $"filter {best} centre {center} Hz for a {hz} Hz tone");
    }

    [Fact]
    public void Cepstrum_except_c0_is_invariant_to_amplitude_scaling()
    {
        var loud = Signals.WhiteNoise(amplitude: 0.5);
        var a = _mfcc.Frames(loud);
        var b = _mfcc.Frames(Signals.Scaled(loud, 0.1f));
        Assert.Equal(a.Count, b.Count);
        // Scaling by s adds 2 ln s to every log mel energy, so c0 (orthonormal DCT) moves by sqrt(26) * 2 ln s.
        double expectedShift = Math.Sqrt(26) * 2 * Math.Log(0.1);
        for (int w = 0; w < a.Count; w++)
        {
            Assert.Equal(expectedShift, b[w][0] - a[w][0], 1e-2);
            for (int c = 1; c < 13; c++) Assert.Equal(a[w][c], b[w][c], 1e-2);
        }
    }

    [Fact]
    public void Silence_gives_the_floor_and_no_NaN()
    {
        var logMel = _mfcc.LogMelEnergies(Signals.Silence(0.1));
        Assert.All(logMel, w => Assert.All(w, x => Assert.Equal((float)Math.Log(1e-10), x, 1e-4)));
        Assert.All(_mfcc.Frames(Signals.Silence(0.1)), f => Assert.All(f, x => Assert.True(float.IsFinite(x))));
    }

    [Fact]
    public void A_clip_at_another_rate_is_refused()
    {
        Assert.Throws<ArgumentException>(() => _mfcc.Frames(new AudioClip(new float[1000], 44100)));
    }

    private static Codebook LearnSmallCodebook(int size = 8) => MfccBagOfWordsFeature.LearnCodebook(
        [Signals.Tone(440), Signals.Tone(3000), Signals.WhiteNoise(), Signals.Silence(0.5), Signals.ClickTrain(300)],
        size, seed: 42, framesPerClip: 50);

    [Fact]
    public void Bag_of_words_histogram_sums_to_one_and_separates_tone_from_noise()
    {
        var book = LearnSmallCodebook();
        var feature = new MfccBagOfWordsFeature(book);
        Assert.Equal("mfcc", feature.Name);
        Assert.Equal(8, feature.Dimension);
        foreach (var clip in new[] { Signals.Tone(440), Signals.WhiteNoise(seed: 99), Signals.Silence(), new AudioClip([], 16000) })
        {
            var h = feature.Extract(clip);
            Assert.Equal(8, h.Length);
            Assert.Equal(1.0, h.Sum(), 1e-5);
            Assert.All(h, x => Assert.True(x >= 0));
        }
        var tone = feature.Extract(Signals.Tone(440));
        var noise = feature.Extract(Signals.WhiteNoise(seed: 99));
        Assert.NotEqual(Array.IndexOf(tone, tone.Max()), Array.IndexOf(noise, noise.Max()));
    }

    [Fact]
    public void Codebook_learning_is_deterministic_and_sampling_is_bounded()
    {
        Assert.Equal(LearnSmallCodebook().Centroids, LearnSmallCodebook().Centroids);
        Assert.Equal("mfcc", LearnSmallCodebook().Name);
        Assert.Equal(13, LearnSmallCodebook().DescriptorLength);
        Assert.Equal(50, MfccBagOfWordsFeature.SampleFrames(Signals.WhiteNoise(), 50).Count);
        Assert.Equal(AudioWindows.Count(1600, 16000), MfccBagOfWordsFeature.SampleFrames(Signals.WhiteNoise(0.1), 50).Count);
    }

    [Fact]
    public void A_codebook_of_the_wrong_descriptor_length_is_refused()
    {
        var wrong = new Codebook("mfcc", 2, 12, new float[24]);
        Assert.Throws<ArgumentException>(() => new MfccBagOfWordsFeature(wrong));
    }
}
