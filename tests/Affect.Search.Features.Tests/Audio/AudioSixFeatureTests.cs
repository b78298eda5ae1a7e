using Affect.Search.Features.Audio;
using Affect.Search.Features.Media;

namespace Affect.Search.Features.Tests.Audio;

public sealed class AudioSixFeatureTests
{
    private readonly AudioSixFeature _six = new();

    private static void AssertFinite(float[] v)
    {
        Assert.Equal(6, v.Length);
        Assert.All(v, x => Assert.True(float.IsFinite(x), $"non-finite value {x} in [{string.Join(", ", v)}]"));
    }

    [Fact]
    public void Names_and_dimension()
    {
        Assert.Equal("audio-six", _six.Name);
        Assert.Equal(6, _six.Dimension);
        Assert.Equal(6, AudioSixFeature.DimensionNames.Count);
    }

    [Theory]
    [InlineData(440)]
    [InlineData(1000)]
    [InlineData(3000)]
    [InlineData(5555)]
    public void Zero_crossing_rate_of_a_tone_is_twice_its_frequency_over_the_rate(double hz)
    {
        var v = _six.Extract(Signals.Tone(hz));
        Assert.Equal(2 * hz / 16000, v[AudioSixFeature.ZeroCrossingRate], 0.003);
    }

    [Theory]
    [InlineData(500)]
    [InlineData(1000)]
    [InlineData(1234)]
    [InlineData(3000)]
    [InlineData(6000)]
    public void Spectral_centroid_and_rolloff_of_a_tone_are_at_its_frequency(double hz)
    {
        var v = _six.Extract(Signals.Tone(hz));
        double centroid = AudioSixFeature.ToHz(v[AudioSixFeature.SpectralCentroid], 16000);
        double rolloff = AudioSixFeature.ToHz(v[AudioSixFeature.SpectralRolloff], 16000);
        Assert.InRange(centroid, hz - 2 * 31.25, hz + 2 * 31.25);
        Assert.InRange(rolloff, hz - 2 * 31.25, hz + 2 * 31.25);
        Assert.InRange(v[AudioSixFeature.SpectralCentroid], 0f, 1f);
    }

    [Fact]
    public void Centroid_and_rolloff_of_noise_are_high_and_ordered()
    {
        var v = _six.Extract(Signals.WhiteNoise());
        // White noise: centroid near half of Nyquist, rolloff near 85% of Nyquist.
        Assert.InRange(v[AudioSixFeature.SpectralCentroid], 0.45f, 0.55f);
        Assert.InRange(v[AudioSixFeature.SpectralRolloff], 0.80f, 0.90f);
    }

    [Theory]
    [InlineData(0.5, 1000)]
    [InlineData(0.1, 440)]
    [InlineData(1.0, 2500)]
    public void Energy_of_a_sine_is_half_its_squared_amplitude(double amplitude, double hz)
    {
        var v = _six.Extract(Signals.Tone(hz, amplitude));
        double expected = amplitude * amplitude / 2;
        Assert.Equal(expected, v[AudioSixFeature.SignalEnergy], expected * 0.02);
    }

    [Fact]
    public void Silence_is_all_zero_and_never_NaN()
    {
        var v = _six.Extract(Signals.Silence());
        AssertFinite(v);
        Assert.All(v, x => Assert.Equal(0f, x));
        Assert.All(_six.PerWindow(Signals.Silence(0.1)), w => Assert.All(w, x => Assert.Equal(0f, x)));
    }

    [Fact]
    public void Finite_on_noise_silence_short_and_empty_clips()
    {
        AssertFinite(_six.Extract(Signals.WhiteNoise(amplitude: 1.0)));
        AssertFinite(_six.Extract(Signals.Silence()));
        AssertFinite(_six.Extract(new AudioClip([], 16000)));
        Assert.All(_six.Extract(new AudioClip([], 16000)), x => Assert.Equal(0f, x));

        // Shorter than one window: zero-padded to 512 samples, so energy is averaged over the whole window.
        var shortClip = new AudioClip(Signals.Tone(1000, 0.5).Samples[..100], 16000);
        var v = _six.Extract(shortClip);
        AssertFinite(v);
        Assert.Equal(0.125 * 100 / 512, v[AudioSixFeature.SignalEnergy], 0.003);
        Assert.Equal(0f, v[AudioSixFeature.SpectralFlux]); // a single window has no transition
        Assert.Single(_six.PerWindow(shortClip));
    }

    [Fact]
    public void Spectral_flux_is_zero_for_a_stationary_tone_and_positive_when_tones_alternate()
    {
        float stationary = _six.Extract(Signals.Tone(1000, seconds: 2))[AudioSixFeature.SpectralFlux];
        Assert.InRange(stationary, 0f, 1e-3f);

        var alternating = Signals.Alternating(500, 3000, segment: 1024, seconds: 2);
        float flux = _six.Extract(alternating)[AudioSixFeature.SpectralFlux];
        Assert.True(flux > 0.05f, $"alternating flux {flux}");
        Assert.True(flux > 50 * stationary, $"alternating {flux} vs stationary {stationary}");
        // A window-to-window change from pure 500 Hz to pure 3000 Hz is a large jump.
        Assert.True(_six.PerWindow(alternating).Max(w => w[AudioSixFeature.SpectralFlux]) > 0.2f);
    }

    [Fact]
    public void Energy_entropy_is_lower_for_a_click_train_than_for_white_noise()
    {
        float clicks = _six.Extract(Signals.ClickTrain(period: 400))[AudioSixFeature.EnergyEntropy];
        float noise = _six.Extract(Signals.WhiteNoise())[AudioSixFeature.EnergyEntropy];
        Assert.True(noise > 0.95f, $"noise entropy {noise}");
        Assert.True(clicks < 0.4f, $"click entropy {clicks}");
        Assert.True(clicks < noise);
    }

    [Fact]
    public void Energy_scales_with_amplitude_squared_and_spectral_shape_features_do_not_change()
    {
        var noise = Signals.WhiteNoise(amplitude: 0.8);
        var a = _six.Extract(noise);
        var b = _six.Extract(Signals.Scaled(noise, 0.1f));
        Assert.Equal(a[AudioSixFeature.SignalEnergy] * 0.01f, b[AudioSixFeature.SignalEnergy], 1e-6);
        foreach (int i in new[] { AudioSixFeature.EnergyEntropy, AudioSixFeature.SpectralCentroid, AudioSixFeature.SpectralRolloff, AudioSixFeature.SpectralFlux })
            Assert.Equal(a[i], b[i], 1e-3);
    }
}
