using System.Buffers;
using System.Numerics;
using System.Runtime.InteropServices;
using Affect.Search.Features.Media;

namespace Affect.Search.Features.Visual;

/// <summary>
/// Local self-similarity (Shechtman and Irani, "Matching Local Self-Similarities across Images and Videos",
/// CVPR 2007), sampled densely. The frame's luminance is resampled so its longer side is
/// <c>workingLongSide</c> pixels (default 256, aspect kept). At each grid point (default every 10 pixels,
/// where the whole window fits) the 5 x 5 patch centred there is compared by sum of squared differences with
/// every patch centred within a radius of 40 pixels; the correlation surface is
/// S(x, y) = exp(-SSD(x, y) / max(var_noise, var_auto)), where var_auto is the largest SSD to the patches
/// one pixel away (Shechtman and Irani's auto-variance) and var_noise the SSD that photometric noise alone
/// gives (default 25 patch pixels x (6 / 255)^2, the noise level of the VGG implementation). The surface is
/// binned into a log-polar grid (default 3 radial x 10 angular bins, radial edges 40^(k/3), i.e. 1, 3.4, 11.7,
/// 40 pixels), keeping the maximum of each bin, and the vector is linearly stretched to [0, 1].
/// </summary>
/// <remarks>
/// Layout: index = radialBin * AngularBins + angularBin. Angular bin a covers directions
/// [a, a + 1) * 360 / AngularBins degrees from the +x axis towards +y (y grows downwards); with 10 bins,
/// bins 2 and 7 are centred on straight down and straight up. The centre (zero displacement) is excluded.
/// When all bins are equal (e.g. a flat region, where every bin is 1) the stretch is undefined and the raw
/// surface maxima, already in [0, 1], are kept; the descriptors are never dropped (Shechtman and Irani
/// discard homogeneous and salient-free ones; for a bag of words they are simply common words).
/// </remarks>
public sealed class SelfSimilarityDescriptor : ILocalDescriptor
{
    private readonly int[] _binOf;   // per window displacement (dy + R) * (2R + 1) + (dx + R): bin or -1
    private readonly int[] _rowHalf; // per dy + R: largest |dx| inside the circular window

    /// <summary>Configures the descriptor; the patch size must be odd.</summary>
    public SelfSimilarityDescriptor(int workingLongSide = 256, int step = 10, int patchSize = 5, int radius = 40,
        int radialBins = 3, int angularBins = 10, float noiseVariance = 25f * (6f / 255f) * (6f / 255f))
    {
        if (workingLongSide <= 0 || step <= 0 || patchSize <= 0 || patchSize % 2 == 0 || radius < 1 || radialBins <= 0 || angularBins <= 0 || noiseVariance <= 0)
            throw new ArgumentException("ssim: invalid parameters (patch size must be odd, everything else positive)");
        WorkingLongSide = workingLongSide;
        Step = step;
        PatchSize = patchSize;
        Radius = radius;
        RadialBins = radialBins;
        AngularBins = angularBins;
        NoiseVariance = noiseVariance;
        int d = 2 * radius + 1;
        _binOf = new int[d * d];
        _rowHalf = new int[d];
        for (int dy = -radius; dy <= radius; dy++)
        {
            _rowHalf[dy + radius] = (int)Math.Floor(Math.Sqrt((double)radius * radius - (double)dy * dy) + 1e-9);
            for (int dx = -radius; dx <= radius; dx++)
                _binOf[(dy + radius) * d + dx + radius] = BinOf(dx, dy);
        }
    }

    /// <inheritdoc/>
    public string Name => "ssim";
    /// <inheritdoc/>
    public int DescriptorLength => RadialBins * AngularBins;
    /// <summary>Longer side of the working image.</summary>
    public int WorkingLongSide { get; }
    /// <summary>Grid step in working pixels.</summary>
    public int Step { get; }
    /// <summary>Side of the compared patches (odd).</summary>
    public int PatchSize { get; }
    /// <summary>Radius of the correlation window.</summary>
    public int Radius { get; }
    /// <summary>Log-spaced radial bins.</summary>
    public int RadialBins { get; }
    /// <summary>Angular bins over 360 degrees.</summary>
    public int AngularBins { get; }
    /// <summary>var_noise, in patch SSD units (intensities in [0, 1]).</summary>
    public float NoiseVariance { get; }

    /// <summary>The log-polar bin of displacement (dx, dy), or -1 for the centre and outside the window.</summary>
    public int BinOf(int dx, int dy)
    {
        double r = Math.Sqrt((double)dx * dx + (double)dy * dy);
        if (r == 0 || r > Radius) return -1;
        int rb = 0;
        // Edge k (k = 1..RadialBins) at Radius^(k / RadialBins); r <= edge 1 is bin 0.
        while (rb < RadialBins - 1 && r > Math.Pow(Radius, (rb + 1.0) / RadialBins) + 1e-9) rb++;
        double a = Math.Atan2(dy, dx);
        if (a < 0) a += 2 * Math.PI;
        int ab = Math.Min(AngularBins - 1, (int)(a / (2 * Math.PI) * AngularBins));
        return rb * AngularBins + ab;
    }

    /// <summary>The working-image size for a frame of the given size.</summary>
    public (int Width, int Height) WorkingSize(int frameWidth, int frameHeight) => ImageOps.FitLongSide(frameWidth, frameHeight, WorkingLongSide);

    private int Margin => Radius + PatchSize / 2;

    private int PositionsAlong(int length) => length < 2 * Margin + 1 ? 0 : (length - 1 - 2 * Margin) / Step + 1;

    /// <summary>How many descriptors <see cref="Describe"/> appends for a frame of the given size.</summary>
    public int DescriptorCount(int frameWidth, int frameHeight)
    {
        var (w, h) = WorkingSize(frameWidth, frameHeight);
        return PositionsAlong(w) * PositionsAlong(h);
    }

    /// <inheritdoc/>
    public void Describe(RgbImage frame, List<float[]> into)
    {
        var (w, h) = WorkingSize(frame.Width, frame.Height);
        int nx = PositionsAlong(w), ny = PositionsAlong(h);
        if (nx == 0 || ny == 0) return;
        int r = Radius, d = 2 * r + 1, pr = PatchSize / 2, margin = Margin, bins = DescriptorLength;
        var gray = ArrayPool<float>.Shared.Rent(w * h);
        var acc = ArrayPool<float>.Shared.Rent(d + Vector<float>.Count);
        Span<float> patch = stackalloc float[PatchSize * PatchSize];
        Span<float> minSsd = stackalloc float[bins];
        try
        {
            ImageOps.ResizeGray(frame, w, h, gray);
            for (int iy = 0; iy < ny; iy++)
                for (int ix = 0; ix < nx; ix++)
                {
                    int cx = margin + ix * Step, cy = margin + iy * Step;
                    for (int py = -pr; py <= pr; py++)
                        for (int px = -pr; px <= pr; px++)
                            patch[(py + pr) * PatchSize + px + pr] = gray[(cy + py) * w + cx + px];
                    minSsd.Fill(float.PositiveInfinity);
                    float varAuto = 0f;
                    for (int dy = -r; dy <= r; dy++)
                    {
                        int half = _rowHalf[dy + r];
                        int k0 = r - half, len = 2 * half + 1;
                        var a = acc.AsSpan(0, len);
                        a.Clear();
                        for (int py = -pr; py <= pr; py++)
                        {
                            int rowStart = (cy + dy + py) * w + cx - half;
                            for (int px = -pr; px <= pr; px++)
                                AccumulateSquaredDifference(a, gray.AsSpan(rowStart + px, len), patch[(py + pr) * PatchSize + px + pr]);
                        }
                        int binRow = (dy + r) * d + k0;
                        for (int k = 0; k < len; k++)
                        {
                            int b = _binOf[binRow + k];
                            if (b >= 0 && a[k] < minSsd[b]) minSsd[b] = a[k];
                        }
                        if (dy >= -1 && dy <= 1)
                            for (int dx = -1; dx <= 1; dx++)
                                if (dx != 0 || dy != 0) varAuto = Math.Max(varAuto, a[half + dx]);
                    }
                    var desc = new float[bins];
                    float sigma = Math.Max(NoiseVariance, varAuto);
                    float lo = float.PositiveInfinity, hi = float.NegativeInfinity;
                    for (int b = 0; b < bins; b++)
                    {
                        // max over a bin of exp(-SSD / sigma) = exp(-(min SSD) / sigma); an empty bin gives 0.
                        float s = MathF.Exp(-minSsd[b] / sigma);
                        desc[b] = s;
                        lo = Math.Min(lo, s);
                        hi = Math.Max(hi, s);
                    }
                    if (hi - lo > 1e-6f)
                    {
                        float inv = 1f / (hi - lo);
                        for (int b = 0; b < bins; b++) desc[b] = (desc[b] - lo) * inv;
                    }
                    into.Add(desc);
                }
        }
        finally
        {
            ArrayPool<float>.Shared.Return(gray);
            ArrayPool<float>.Shared.Return(acc);
        }
    }

    /// <summary>acc[k] += (src[k] - value)^2.</summary>
    private static void AccumulateSquaredDifference(Span<float> acc, ReadOnlySpan<float> src, float value)
    {
        int k = 0;
        if (Vector.IsHardwareAccelerated && acc.Length >= Vector<float>.Count)
        {
            var va = MemoryMarshal.Cast<float, Vector<float>>(acc);
            var vs = MemoryMarshal.Cast<float, Vector<float>>(src);
            var v = new Vector<float>(value);
            for (int i = 0; i < va.Length; i++)
            {
                var diff = vs[i] - v;
                va[i] += diff * diff;
            }
            k = va.Length * Vector<float>.Count;
        }
        for (; k < acc.Length; k++)
        {
            float diff = src[k] - value;
            acc[k] += diff * diff;
        }
    }
}
