using System.Collections.Concurrent;
using System.Numerics;
using Affect.Search.Features.Media;
using MathNet.Numerics.IntegralTransforms;

namespace Affect.Search.Features.Audio;

/// <summary>
/// Receives one analysis window: its index, its raw (un-windowed) samples and the power spectrum of the
/// Hamming-windowed samples (bins 0..FFT/2, i.e. DC to Nyquist).
/// </summary>
public delegate void AudioWindowVisitor(int index, ReadOnlySpan<float> samples, ReadOnlySpan<float> power);

/// <summary>
/// The one place where audio is cut into analysis windows (Section VI-A of the paper): 32 ms windows with
/// 50% overlap (512 samples, hop 256 at 16 kHz), Hamming-windowed, transformed by FFT
/// (MathNet.Numerics) into a one-sided power spectrum. Every audio feature is computed from these windows.
/// </summary>
/// <remarks>
/// <para>Framing: windows start at 0, hop, 2·hop, ... and only full windows are used (a trailing part shorter
/// than a window is dropped), except that a clip shorter than one window (including an empty clip) is
/// padded with zeros to exactly one window, so every clip has at least one window.</para>
/// <para>Power spectrum: <c>P[k] = |X[k]|² / N</c> for <c>k = 0..N/2</c>, where X is the FFT (no forward
/// scaling) of the Hamming-windowed frame, zero-padded to the FFT length N (the next power of two ≥ the
/// window length; 512 at 16 kHz). Bin k lies at <c>k · sampleRate / N</c> Hz.</para>
/// <para>Thread-safe: all scratch buffers are per call.</para>
/// </remarks>
public static class AudioWindows
{
    /// <summary>Window duration in seconds (32 ms).</summary>
    public const double WindowSeconds = 0.032;

    private static readonly ConcurrentDictionary<int, float[]> HammingCache = new();

    /// <summary>Samples per window at a sample rate (512 at 16 kHz).</summary>
    public static int WindowLength(int sampleRate)
    {
        if (sampleRate <= 0) throw new ArgumentException($"sample rate {sampleRate} is not positive");
        return Math.Max(2, (int)Math.Round(WindowSeconds * sampleRate));
    }

    /// <summary>Samples between window starts, half a window (256 at 16 kHz).</summary>
    public static int HopLength(int sampleRate) => WindowLength(sampleRate) / 2;

    /// <summary>FFT length: the next power of two at least the window length (512 at 16 kHz).</summary>
    public static int FftLength(int sampleRate) => (int)BitOperations.RoundUpToPowerOf2((uint)WindowLength(sampleRate));

    /// <summary>Number of power-spectrum bins (FFT/2 + 1; 257 at 16 kHz).</summary>
    public static int BinCount(int sampleRate) => FftLength(sampleRate) / 2 + 1;

    /// <summary>Frequency in Hz of power-spectrum bin <paramref name="bin"/>.</summary>
    public static double BinFrequency(int bin, int sampleRate) => bin * (double)sampleRate / FftLength(sampleRate);

    /// <summary>Number of windows of a clip of <paramref name="sampleCount"/> samples (at least 1).</summary>
    public static int Count(int sampleCount, int sampleRate)
    {
        int length = WindowLength(sampleRate), hop = HopLength(sampleRate);
        return sampleCount <= length ? 1 : 1 + (sampleCount - length) / hop;
    }

    /// <summary>The symmetric Hamming window of a length (0.54 − 0.46·cos(2πn/(L−1))); cached, do not modify.</summary>
    public static float[] Hamming(int length) => HammingCache.GetOrAdd(length, static l =>
    {
        var w = new float[l];
        if (l == 1) { w[0] = 1f; return w; }
        for (int n = 0; n < l; n++) w[n] = (float)(0.54 - 0.46 * Math.Cos(2 * Math.PI * n / (l - 1)));
        return w;
    });

    /// <summary>Calls <paramref name="visitor"/> for every window of the clip, in order.</summary>
    public static void Visit(AudioClip clip, AudioWindowVisitor visitor)
    {
        ArgumentNullException.ThrowIfNull(clip);
        ArgumentNullException.ThrowIfNull(visitor);
        int rate = clip.SampleRate;
        int length = WindowLength(rate), hop = HopLength(rate), fft = FftLength(rate);
        var samples = clip.Samples ?? [];
        int count = Count(samples.Length, rate);
        var frame = new float[length];
        var power = new float[fft / 2 + 1];
        var buffer = new double[fft + 2];
        var hamming = Hamming(length);
        for (int w = 0; w < count; w++)
        {
            int start = w * hop;
            int available = Math.Clamp(samples.Length - start, 0, length);
            samples.AsSpan(start, available).CopyTo(frame);
            frame.AsSpan(available).Clear();
            PowerSpectrum(frame, hamming, buffer, power);
            visitor(w, frame, power);
        }
    }

    /// <summary>The power spectrum of one frame (see the class remarks), for callers outside <see cref="Visit"/>.</summary>
    public static float[] PowerSpectrum(ReadOnlySpan<float> frame, int sampleRate)
    {
        int length = WindowLength(sampleRate), fft = FftLength(sampleRate);
        if (frame.Length != length) throw new ArgumentException($"frame of {frame.Length} samples, expected {length} at {sampleRate} Hz");
        var power = new float[fft / 2 + 1];
        PowerSpectrum(frame, Hamming(length), new double[fft + 2], power);
        return power;
    }

    // Real-input FFT (MathNet's packed format: buffer holds N samples plus 2 spare slots in, and
    // Re X[k], Im X[k] at 2k, 2k+1 for k = 0..N/2 out), about twice as fast as a complex FFT of length N.
    private static void PowerSpectrum(ReadOnlySpan<float> frame, float[] hamming, double[] buffer, Span<float> power)
    {
        int n = buffer.Length - 2;
        for (int i = 0; i < frame.Length; i++) buffer[i] = frame[i] * (double)hamming[i];
        Array.Clear(buffer, frame.Length, buffer.Length - frame.Length);
        Fourier.ForwardReal(buffer, n, FourierOptions.NoScaling);
        double scale = 1.0 / n;
        for (int k = 0; k < power.Length; k++)
        {
            double re = buffer[2 * k], im = buffer[2 * k + 1];
            power[k] = (float)((re * re + im * im) * scale);
        }
    }
}
