using Affect.Search.Features.Audio;
using Affect.Search.Features.Media;

namespace Affect.Search.Features.Deep;

/// <summary>
/// A log-mel spectrogram of one 1-second audio window drawn as an image a CNN can take (the "CNN
/// activations of spectrograms" audio representation): the project's mel filterbank
/// (<see cref="MfccExtractor"/>, its 32 ms windows with 16 ms hop, <see cref="MelBands"/> bands) gives a
/// bands x frames grid of log energies, mapped to 0..255 over an 80 dB range below the window's loudest cell
/// (high frequencies at the top, time left to right), resized bilinearly to 224x224 and repeated in the
/// three colour planes. A fixed range below the peak keeps quiet and loud windows comparable in shape; a
/// floor of the filterbank's energy floor plus the range keeps digital silence black instead of noise.
/// </summary>
public static class LogMelSpectrogramImage
{
    /// <summary>Seconds per window.</summary>
    public const double WindowSeconds = 1.0;
    /// <summary>Mel bands (image rows before resizing); 40 keeps every band at least ~3 FFT bins wide at 16 kHz.</summary>
    public const int MelBands = 40;
    /// <summary>Windows per clip at most; a longer clip contributes evenly spaced windows (bounds the cost of long audio).</summary>
    public const int MaxWindows = 30;
    /// <summary>Dynamic range mapped onto 0..255, in dB.</summary>
    public const double RangeDb = 80;

    private static readonly MfccExtractor Mel = new(AudioClip.StandardSampleRate, filterCount: MelBands, coefficientCount: 1);
    private static readonly float Range = (float)(RangeDb / 10 * Math.Log(10)); // natural-log energy units
    private static readonly float Floor = (float)Math.Log(Mel.EnergyFloor);

    /// <summary>
    /// The start sample of each window of a clip of <paramref name="sampleCount"/> samples: one per second,
    /// a trailing part of at least half a second counts (zero-padded), every clip has at least one.
    /// </summary>
    public static IReadOnlyList<int> WindowStarts(int sampleCount, int sampleRate)
    {
        int length = (int)(WindowSeconds * sampleRate);
        int count = Math.Max(1, (sampleCount + length / 2) / length);
        var starts = Enumerable.Range(0, count).Select(i => i * length);
        if (count > MaxWindows) starts = Enumerable.Range(0, MaxWindows).Select(i => (int)((long)i * count / MaxWindows) * length);
        return starts.ToList();
    }

    /// <summary>The R, G, B planes (0..255, <see cref="ResNet18Features.InputLength"/> values) of the window at <paramref name="start"/>.</summary>
    public static void Write(AudioClip clip, int start, Span<float> destination)
    {
        if (clip.SampleRate != AudioClip.StandardSampleRate) throw new ArgumentException($"audio at {clip.SampleRate} Hz, expected {AudioClip.StandardSampleRate}");
        if (destination.Length != ResNet18Features.InputLength) throw new ArgumentException($"destination holds {destination.Length} values, expected {ResNet18Features.InputLength}");
        int length = (int)(WindowSeconds * clip.SampleRate);
        var samples = new float[length];
        if (start < clip.Samples.Length) clip.Samples.AsSpan(start, Math.Min(length, clip.Samples.Length - start)).CopyTo(samples);
        var frames = Mel.LogMelEnergies(new AudioClip(samples, clip.SampleRate));

        float peak = Floor + Range;
        foreach (var f in frames) foreach (var e in f) peak = Math.Max(peak, e);
        int width = frames.Count, height = MelBands;
        var grid = new float[height * width];
        for (int x = 0; x < width; x++)
            for (int band = 0; band < height; band++)
            {
                float level = Math.Clamp((frames[x][band] - (peak - Range)) / Range, 0f, 1f);
                grid[(height - 1 - band) * width + x] = 255f * level;
            }

        int side = ResNet18Features.InputSize, plane = side * side;
        var red = destination[..plane];
        for (int y = 0; y < side; y++)
        {
            double sy = Math.Clamp((y + 0.5) * height / side - 0.5, 0, height - 1);
            int ya = (int)sy, yb = Math.Min(ya + 1, height - 1);
            float fy = (float)(sy - ya);
            for (int x = 0; x < side; x++)
            {
                double sx = Math.Clamp((x + 0.5) * width / side - 0.5, 0, width - 1);
                int xa = (int)sx, xb = Math.Min(xa + 1, width - 1);
                float fx = (float)(sx - xa);
                float top = grid[ya * width + xa] + (grid[ya * width + xb] - grid[ya * width + xa]) * fx;
                float bottom = grid[yb * width + xa] + (grid[yb * width + xb] - grid[yb * width + xa]) * fx;
                red[y * side + x] = top + (bottom - top) * fy;
            }
        }
        red.CopyTo(destination.Slice(plane, plane));
        red.CopyTo(destination.Slice(2 * plane, plane));
    }
}
