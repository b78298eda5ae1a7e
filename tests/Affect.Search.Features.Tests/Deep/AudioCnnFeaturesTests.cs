using Affect.Search.Features.Deep;
using Affect.Search.Features.Media;

namespace Affect.Search.Features.Tests.Deep;

public sealed class AudioCnnFeaturesTests
{
    private static AudioClip Tone(double hz, double seconds, float amplitude = 0.5f)
    {
        var samples = new float[(int)(seconds * AudioClip.StandardSampleRate)];
        for (int i = 0; i < samples.Length; i++) samples[i] = amplitude * (float)Math.Sin(2 * Math.PI * hz * i / AudioClip.StandardSampleRate);
        return new AudioClip(samples, AudioClip.StandardSampleRate);
    }

    [Fact]
    public void Windows_are_one_second_with_a_half_second_tail_counted_and_capped()
    {
        Assert.Equal([0], LogMelSpectrogramImage.WindowStarts(100, 16000));
        Assert.Equal([0, 16000], LogMelSpectrogramImage.WindowStarts(16000 + 8000, 16000));
        Assert.Equal([0], LogMelSpectrogramImage.WindowStarts(16000 + 7999, 16000));
        Assert.Equal(LogMelSpectrogramImage.MaxWindows, LogMelSpectrogramImage.WindowStarts(16000 * 100, 16000).Count);
    }

    [Fact]
    public void A_tone_draws_a_bright_band_at_its_frequency_and_silence_is_black()
    {
        var image = new float[ResNet18Features.InputLength];
        LogMelSpectrogramImage.Write(Tone(1000, 1), 0, image);
        int side = ResNet18Features.InputSize;
        // Mean brightness of each row: the brightest row lies where 1 kHz falls on the mel axis (low at the bottom).
        var rows = Enumerable.Range(0, side).Select(y => image.AsSpan(y * side, side).ToArray().Average()).ToArray();
        int brightest = Array.IndexOf(rows, rows.Max());
        double melFraction = Affect.Search.Features.Audio.MfccExtractor.HzToMel(1000) / Affect.Search.Features.Audio.MfccExtractor.HzToMel(8000);
        Assert.InRange(brightest, (int)(side * (1 - melFraction)) - 12, (int)(side * (1 - melFraction)) + 12);
        Assert.True(rows.Max() > 200 && rows.Min() < 100, $"rows from {rows.Min()} to {rows.Max()}");

        LogMelSpectrogramImage.Write(new AudioClip(new float[16000], 16000), 0, image);
        Assert.All(image, v => Assert.Equal(0f, v));
    }

    [Fact]
    public void Features_are_the_mean_over_windows_deterministic_and_tell_sounds_apart()
    {
        var clip = Tone(440, 2.6);
        var each = AudioCnnFeatures.Shared.ExtractEach(clip);
        Assert.Equal(3, each.Length);
        var mean = AudioCnnFeatures.Shared.Extract(clip);
        Assert.Equal(AudioCnnFeatures.Dimension, mean.Length);
        for (int k = 0; k < mean.Length; k++) Assert.Equal((each[0][k] + each[1][k] + each[2][k]) / 3, mean[k], 1e-5f);
        Assert.Equal(mean, AudioCnnFeatures.Shared.Extract(clip)); // bit for bit

        var high = AudioCnnFeatures.Shared.Extract(Tone(3000, 2.6));
        Assert.True(System.Numerics.Tensors.TensorPrimitives.Distance(mean, high) > 0.1f * System.Numerics.Tensors.TensorPrimitives.Norm(mean));
    }
}
