using Affect.Search.Features.Media;

namespace Affect.Search.Features.Visual;

/// <summary>
/// Shared raster helpers for the visual features: luminance resampling to a working size, [-1, 0, 1]
/// gradients and magnitude/orientation maps. Everything works on caller-provided float buffers (row-major,
/// intensities in [0, 1]) so that extractors allocate per frame, never per pixel.
/// </summary>
internal static class ImageOps
{
    /// <summary>ITU-R BT.601 luminance weights, scaled to give [0, 1] from bytes (same as <see cref="RgbImage.ToGray"/>).</summary>
    private const float Wr = 0.299f / 255f, Wg = 0.587f / 255f, Wb = 0.114f / 255f;

    /// <summary>
    /// The working size for a frame whose longer side is rescaled to <paramref name="longSide"/> pixels,
    /// keeping the aspect ratio (each side at least 1 pixel).
    /// </summary>
    public static (int Width, int Height) FitLongSide(int width, int height, int longSide)
    {
        if (width >= height) return (longSide, Math.Max(1, (int)Math.Round((double)height * longSide / width)));
        return (Math.Max(1, (int)Math.Round((double)width * longSide / height)), longSide);
    }

    /// <summary>
    /// Resamples the frame's luminance (BT.601, [0, 1]) to <paramref name="outWidth"/> x <paramref name="outHeight"/>
    /// into <paramref name="destination"/> with a separable triangle (bilinear) filter. When shrinking, the
    /// filter's support widens with the scale factor (antialiased bilinear, as PIL's BILINEAR), so the result
    /// is the area-weighted mean rather than an aliased point sample; when enlarging it is plain bilinear
    /// interpolation between pixel centres. The resampling is linear in intensity.
    /// </summary>
    public static void ResizeGray(RgbImage frame, int outWidth, int outHeight, Span<float> destination)
    {
        if (destination.Length < outWidth * outHeight) throw new ArgumentException("destination too small for the working image");
        int inW = frame.Width, inH = frame.Height;
        var (xStart, xCount, xWeights, xTaps) = Weights(inW, outWidth);
        var (yStart, yCount, yWeights, yTaps) = Weights(inH, outHeight);
        var px = frame.Pixels;
        // Horizontal pass straight from RGB bytes: temp is inH rows x outWidth columns. Sums are taken in double
        // with weights that sum to 1 in double, so a constant region comes out exactly constant (float rounding
        // noise would otherwise become unit vectors after HOG block or SIFT normalisation).
        var temp = System.Buffers.ArrayPool<float>.Shared.Rent(inH * outWidth);
        var row = System.Buffers.ArrayPool<double>.Shared.Rent(outWidth);
        try
        {
            for (int y = 0; y < inH; y++)
            {
                int rowBase = y * inW * 3;
                int tRow = y * outWidth;
                for (int x = 0; x < outWidth; x++)
                {
                    int s = xStart[x], c = xCount[x], wBase = x * xTaps;
                    double acc = 0;
                    for (int k = 0; k < c; k++)
                    {
                        int p = rowBase + 3 * (s + k);
                        acc += xWeights[wBase + k] * (Wr * px[p] + Wg * px[p + 1] + Wb * px[p + 2]);
                    }
                    temp[tRow + x] = (float)acc;
                }
            }
            // Vertical pass: destination row y = sum_k w_k * temp row (s + k).
            var acc2 = row.AsSpan(0, outWidth);
            for (int y = 0; y < outHeight; y++)
            {
                acc2.Clear();
                int s = yStart[y], c = yCount[y], wBase = y * yTaps;
                for (int k = 0; k < c; k++)
                {
                    double w = yWeights[wBase + k];
                    var src = temp.AsSpan((s + k) * outWidth, outWidth);
                    for (int x = 0; x < outWidth; x++) acc2[x] += w * src[x];
                }
                var dst = destination.Slice(y * outWidth, outWidth);
                for (int x = 0; x < outWidth; x++) dst[x] = (float)acc2[x];
            }
        }
        finally
        {
            System.Buffers.ArrayPool<float>.Shared.Return(temp);
            System.Buffers.ArrayPool<double>.Shared.Return(row);
        }
    }

    /// <summary>
    /// Triangle-filter taps for resampling <paramref name="inSize"/> samples to <paramref name="outSize"/>:
    /// for output i, taps start at Start[i], Count[i] of them, weights at Weights[i * Taps + k] (sum 1).
    /// </summary>
    private static (int[] Start, int[] Count, double[] Weights, int Taps) Weights(int inSize, int outSize)
    {
        double scale = (double)inSize / outSize;
        double support = Math.Max(1.0, scale);
        int taps = (int)Math.Ceiling(support) * 2 + 1;
        var start = new int[outSize];
        var count = new int[outSize];
        var weights = new double[outSize * taps];
        for (int i = 0; i < outSize; i++)
        {
            double centre = (i + 0.5) * scale;
            int lo = Math.Max(0, (int)Math.Floor(centre - support));
            int hi = Math.Min(inSize - 1, (int)Math.Ceiling(centre + support));
            double sum = 0;
            int n = 0;
            int first = -1;
            for (int j = lo; j <= hi && n < taps; j++)
            {
                double w = 1.0 - Math.Abs(j + 0.5 - centre) / support;
                if (w <= 0) { if (first < 0) continue; else break; }
                if (first < 0) first = j;
                weights[i * taps + n] = w;
                sum += w;
                n++;
            }
            if (n == 0)
            {
                // Degenerate (cannot happen for support >= 1, kept for safety): nearest pixel.
                first = Math.Clamp((int)centre, 0, inSize - 1);
                weights[i * taps] = 1f;
                n = 1;
                sum = 1;
            }
            for (int k = 0; k < n; k++) weights[i * taps + k] /= sum;
            start[i] = first;
            count[i] = n;
        }
        return (start, count, weights, taps);
    }

    /// <summary>
    /// Horizontal and vertical derivatives by the centred [-1, 0, 1] mask (not halved), borders replicated
    /// (so the derivative at an edge column is the one-sided difference). y grows downwards.
    /// </summary>
    public static void Gradients(ReadOnlySpan<float> image, int width, int height, Span<float> gx, Span<float> gy)
    {
        for (int y = 0; y < height; y++)
        {
            int row = y * width;
            int up = (y > 0 ? y - 1 : 0) * width;
            int down = (y < height - 1 ? y + 1 : height - 1) * width;
            if (width == 1) gx[row] = 0f;
            else
            {
                gx[row] = image[row + 1] - image[row];
                for (int x = 1; x < width - 1; x++) gx[row + x] = image[row + x + 1] - image[row + x - 1];
                gx[row + width - 1] = image[row + width - 1] - image[row + width - 2];
            }
            for (int x = 0; x < width; x++) gy[row + x] = image[down + x] - image[up + x];
        }
    }

    /// <summary>
    /// Gradient magnitude and orientation mapped to a continuous bin coordinate: the angle
    /// atan2(gy, gx) (unsigned: folded into [0, pi); signed: [0, 2 pi)) times bins / range, so bin k is
    /// centred on angle k * range / bins. Returns per pixel the magnitude, the lower bin and the fraction
    /// (weight of the next bin, wrapping round), for linear interpolation between orientation bins.
    /// </summary>
    public static void OrientationBins(ReadOnlySpan<float> gx, ReadOnlySpan<float> gy, int bins, bool signed,
        Span<float> magnitude, Span<int> lowerBin, Span<float> fraction)
    {
        float range = signed ? 2f * MathF.PI : MathF.PI;
        float toBin = bins / range;
        for (int i = 0; i < gx.Length; i++)
        {
            float dx = gx[i], dy = gy[i];
            magnitude[i] = MathF.Sqrt(dx * dx + dy * dy);
            float a = MathF.Atan2(dy, dx);
            if (a < 0) a += 2f * MathF.PI;
            if (!signed && a >= MathF.PI) a -= MathF.PI;
            float o = a * toBin;
            int b = (int)o;
            float f = o - b;
            if (b >= bins) { b -= bins; }
            if (b < 0) b = 0;
            lowerBin[i] = b;
            fraction[i] = f;
        }
    }

    /// <summary>Index of <paramref name="i"/> in [0, n) after symmetric (mirror, edge repeated) extension.</summary>
    public static int Reflect(int i, int n)
    {
        if (n == 1) return 0;
        int period = 2 * n;
        i %= period;
        if (i < 0) i += period;
        return i < n ? i : period - 1 - i;
    }
}
