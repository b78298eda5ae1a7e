using Affect.Search.Features.Media;

namespace Affect.Search.Features.Visual;

/// <summary>
/// Global colour histogram in HSV space (Swain and Ballard, "Color Indexing", IJCV 1991, in the HSV
/// quantisation common in image retrieval): every pixel of the frame (full resolution) is converted to hue
/// [0, 360), saturation [0, 1] and value [0, 1] (hexcone model, Smith 1978) and counted in a joint grid of
/// uniform bins (default 8 hue x 4 saturation x 4 value = 128 bins); the histogram is L1-normalised.
/// </summary>
/// <remarks>
/// Layout: index = (hueBin * SaturationBins + saturationBin) * ValueBins + valueBin. Hue bin k covers
/// [k, k + 1) * 360 / HueBins degrees, so pure red (hue 0) is hue bin 0 and pure green (hue 120) hue bin 2
/// with the defaults. Achromatic pixels (max = min) get hue 0 and saturation 0. A solid colour puts mass 1
/// in a single bin (<see cref="BinOf"/>).
/// </remarks>
public sealed class ColorHistogramFeature : IFrameFeature
{
    /// <summary>Configures the quantisation.</summary>
    public ColorHistogramFeature(int hueBins = 8, int saturationBins = 4, int valueBins = 4)
    {
        if (hueBins <= 0 || saturationBins <= 0 || valueBins <= 0) throw new ArgumentException("color: bin counts must be positive");
        HueBins = hueBins;
        SaturationBins = saturationBins;
        ValueBins = valueBins;
        Dimension = hueBins * saturationBins * valueBins;
    }

    /// <inheritdoc/>
    public string Name => "color";
    /// <inheritdoc/>
    public int Dimension { get; }
    /// <summary>Hue bins over [0, 360).</summary>
    public int HueBins { get; }
    /// <summary>Saturation bins over [0, 1].</summary>
    public int SaturationBins { get; }
    /// <summary>Value (brightness) bins over [0, 1].</summary>
    public int ValueBins { get; }

    /// <summary>The histogram bin of one RGB pixel.</summary>
    public int BinOf(byte r, byte g, byte b)
    {
        int max = Math.Max(r, Math.Max(g, b));
        int min = Math.Min(r, Math.Min(g, b));
        int delta = max - min;
        // Value = max / 255, saturation = delta / max, both in [0, 1]; the top edge falls in the last bin.
        int vBin = Math.Min(ValueBins - 1, max * ValueBins / 255);
        int sBin = max == 0 ? 0 : Math.Min(SaturationBins - 1, delta * SaturationBins / max);
        int hBin = 0;
        if (delta > 0)
        {
            // Hue in sixths of the circle, in [0, 6).
            float h;
            if (max == r) h = (float)(g - b) / delta;          // [-1, 1]
            else if (max == g) h = 2f + (float)(b - r) / delta; // [1, 3]
            else h = 4f + (float)(r - g) / delta;              // [3, 5]
            if (h < 0) h += 6f;
            hBin = Math.Min(HueBins - 1, (int)(h * HueBins / 6f));
        }
        return (hBin * SaturationBins + sBin) * ValueBins + vBin;
    }

    /// <inheritdoc/>
    public void Extract(RgbImage frame, Span<float> destination)
    {
        if (destination.Length != Dimension) throw new ArgumentException($"color: destination of length {destination.Length}, expected {Dimension}");
        destination.Clear();
        var p = frame.Pixels;
        int count = frame.Width * frame.Height;
        for (int i = 0, j = 0; i < count; i++, j += 3) destination[BinOf(p[j], p[j + 1], p[j + 2])] += 1f;
        float inv = 1f / count;
        for (int i = 0; i < destination.Length; i++) destination[i] *= inv;
    }
}
