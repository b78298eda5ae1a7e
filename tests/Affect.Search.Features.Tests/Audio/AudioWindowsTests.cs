using Affect.Search.Features.Audio;

namespace Affect.Search.Features.Tests.Audio;

public sealed class AudioWindowsTests
{
    [Fact]
    public void Windows_are_32ms_with_half_overlap_at_16kHz()
    {
        Assert.Equal(512, AudioWindows.WindowLength(16000));
        Assert.Equal(256, AudioWindows.HopLength(16000));
        Assert.Equal(512, AudioWindows.FftLength(16000));
        Assert.Equal(257, AudioWindows.BinCount(16000));
        Assert.Equal(31.25, AudioWindows.BinFrequency(1, 16000), 9);
        Assert.Equal(8000, AudioWindows.BinFrequency(256, 16000), 9);
    }

    [Theory]
    [InlineData(0, 1)]
    [InlineData(100, 1)]
    [InlineData(512, 1)]
    [InlineData(767, 1)]
    [InlineData(768, 2)]
    [InlineData(160000, 624)]
    public void Window_count_uses_full_windows_and_pads_short_clips_to_one(int samples, int expected)
    {
        Assert.Equal(expected, AudioWindows.Count(samples, 16000));
        int visited = 0;
        AudioWindows.Visit(new(new float[samples], 16000), (i, x, p) =>
        {
            Assert.Equal(visited, i);
            Assert.Equal(512, x.Length);
            Assert.Equal(257, p.Length);
            visited++;
        });
        Assert.Equal(expected, visited);
    }

    [Fact]
    public void Hamming_window_has_its_textbook_shape()
    {
        var w = AudioWindows.Hamming(512);
        Assert.Equal(0.08f, w[0], 5);
        Assert.Equal(0.08f, w[511], 5);
        Assert.True(w[255] > 0.99f && w[256] > 0.99f);
    }

    [Fact]
    public void Power_spectrum_peaks_at_the_tone_bin_and_obeys_Parseval()
    {
        var clip = Signals.Tone(1000, 0.5);
        var frame = clip.Samples.AsSpan(0, 512);
        var power = AudioWindows.PowerSpectrum(frame, 16000);
        int peak = Array.IndexOf(power, power.Max());
        Assert.Equal(32, peak); // 1000 Hz / 31.25 Hz
        // Parseval for the windowed frame: sum |X|^2 / N over the full spectrum = sum (w x)^2.
        var w = AudioWindows.Hamming(512);
        double timeEnergy = 0;
        for (int i = 0; i < 512; i++) timeEnergy += Math.Pow(frame[i] * w[i], 2);
        double spectral = power[0] + power[256];
        for (int k = 1; k < 256; k++) spectral += 2 * power[k];
        Assert.Equal(timeEnergy, spectral, timeEnergy * 1e-4);
    }
}
