using System.Buffers;
using Affect.Search.Features.Media;

namespace Affect.Search.Features.Visual;

/// <summary>
/// Dense SIFT: Lowe's SIFT descriptor ("Distinctive Image Features from Scale-Invariant Keypoints", IJCV 2004)
/// computed without detection or rotation normalisation on a regular grid, as VLFeat's vl_dsift and
/// Bosch et al.'s PHOW (reference [33] of the paper). The frame's luminance is resampled so its longer side
/// is <c>workingLongSide</c> pixels (default 256, aspect kept); gradients come from the [-1, 0, 1] mask. Each
/// square patch (default 16 pixels, top-left corners every <c>step</c> = 8 pixels, patches fully inside the
/// image) is split into 4 x 4 spatial cells with 8 signed orientation bins each (128 values). Every pixel adds
/// its gradient magnitude, weighted by a Gaussian centred on the patch (sigma = half the patch width), to the
/// neighbouring cells and orientation bins by trilinear interpolation. The vector is L2-normalised, clipped
/// at 0.2 and renormalised.
/// </summary>
/// <remarks>
/// Layout: index = (cellY * 4 + cellX) * 8 + orientation. Orientation bin k is centred on k * 45 degrees
/// measured from the +x axis towards +y (y grows downwards): bin 0 = intensity increasing to the right,
/// bin 2 = increasing downwards, bin 4 = increasing to the left, bin 6 = increasing upwards.
/// A patch whose weighted gradient norm is below <see cref="MinimumNorm"/> (e.g. a flat region) yields the
/// all-zero descriptor rather than amplified noise.
/// </remarks>
public sealed class DenseSiftDescriptor : ILocalDescriptor
{
    private const int Cells = 4, Bins = 8;
    private readonly float[] _gauss;      // patch x patch weights
    private readonly int[] _cellLo;       // per patch coordinate: lower spatial cell (may be -1)
    private readonly float[] _cellFrac;   // weight of the upper cell

    /// <summary>Configures the grid; the patch size must be a multiple of 4 (four cells per side).</summary>
    public DenseSiftDescriptor(int workingLongSide = 256, int step = 8, int patchSize = 16, float clip = 0.2f, float minimumNorm = 1e-3f)
    {
        if (workingLongSide <= 0 || step <= 0 || patchSize <= 0 || patchSize % Cells != 0)
            throw new ArgumentException("dsift: working size and step must be positive, the patch size a positive multiple of 4");
        WorkingLongSide = workingLongSide;
        Step = step;
        PatchSize = patchSize;
        Clip = clip;
        MinimumNorm = minimumNorm;
        int cellSize = patchSize / Cells;
        double sigma = patchSize / 2.0, centre = patchSize / 2.0;
        _gauss = new float[patchSize * patchSize];
        for (int v = 0; v < patchSize; v++)
            for (int u = 0; u < patchSize; u++)
            {
                double dx = u + 0.5 - centre, dy = v + 0.5 - centre;
                _gauss[v * patchSize + u] = (float)Math.Exp(-(dx * dx + dy * dy) / (2 * sigma * sigma));
            }
        _cellLo = new int[patchSize];
        _cellFrac = new float[patchSize];
        for (int u = 0; u < patchSize; u++)
        {
            double c = (u + 0.5) / cellSize - 0.5; // continuous cell coordinate, cell centres at integers
            int lo = (int)Math.Floor(c);
            _cellLo[u] = lo;
            _cellFrac[u] = (float)(c - lo);
        }
    }

    /// <inheritdoc/>
    public string Name => "dsift";
    /// <inheritdoc/>
    public int DescriptorLength => Cells * Cells * Bins;
    /// <summary>Longer side of the working image.</summary>
    public int WorkingLongSide { get; }
    /// <summary>Grid step in working-image pixels.</summary>
    public int Step { get; }
    /// <summary>Patch side in working-image pixels.</summary>
    public int PatchSize { get; }
    /// <summary>Clipping threshold after the first normalisation.</summary>
    public float Clip { get; }
    /// <summary>Descriptors whose weighted gradient norm is below this are all zeros.</summary>
    public float MinimumNorm { get; }

    /// <summary>The working-image size for a frame of the given size.</summary>
    public (int Width, int Height) WorkingSize(int frameWidth, int frameHeight) => ImageOps.FitLongSide(frameWidth, frameHeight, WorkingLongSide);

    /// <summary>Grid positions along a side of <paramref name="length"/> working pixels.</summary>
    private int PositionsAlong(int length) => length < PatchSize ? 0 : (length - PatchSize) / Step + 1;

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
        int pixels = w * h, p = PatchSize;
        var pool = ArrayPool<float>.Shared;
        var gray = pool.Rent(pixels);
        var gx = pool.Rent(pixels);
        var gy = pool.Rent(pixels);
        var mag = pool.Rent(pixels);
        var frac = pool.Rent(pixels);
        var lower = ArrayPool<int>.Shared.Rent(pixels);
        try
        {
            ImageOps.ResizeGray(frame, w, h, gray);
            ImageOps.Gradients(gray.AsSpan(0, pixels), w, h, gx, gy);
            ImageOps.OrientationBins(gx.AsSpan(0, pixels), gy.AsSpan(0, pixels), Bins, signed: true, mag, lower, frac);
            for (int iy = 0; iy < ny; iy++)
                for (int ix = 0; ix < nx; ix++)
                {
                    var d = new float[DescriptorLength];
                    int x0 = ix * Step, y0 = iy * Step;
                    for (int v = 0; v < p; v++)
                    {
                        int cy0 = _cellLo[v];
                        float fy = _cellFrac[v];
                        int row = (y0 + v) * w + x0;
                        for (int u = 0; u < p; u++)
                        {
                            int i = row + u;
                            float m = mag[i] * _gauss[v * p + u];
                            if (m == 0f) continue;
                            int b0 = lower[i], b1 = (b0 + 1) & (Bins - 1);
                            float fo = frac[i];
                            int cx0 = _cellLo[u];
                            float fx = _cellFrac[u];
                            for (int dy = 0; dy < 2; dy++)
                            {
                                int cy = cy0 + dy;
                                if ((uint)cy >= Cells) continue;
                                float wy = dy == 0 ? 1f - fy : fy;
                                for (int dx = 0; dx < 2; dx++)
                                {
                                    int cx = cx0 + dx;
                                    if ((uint)cx >= Cells) continue;
                                    float wxy = m * wy * (dx == 0 ? 1f - fx : fx);
                                    int c = (cy * Cells + cx) * Bins;
                                    d[c + b0] += wxy * (1f - fo);
                                    d[c + b1] += wxy * fo;
                                }
                            }
                        }
                    }
                    Normalise(d, Clip, MinimumNorm);
                    into.Add(d);
                }
        }
        finally
        {
            pool.Return(gray); pool.Return(gx); pool.Return(gy); pool.Return(mag); pool.Return(frac);
            ArrayPool<int>.Shared.Return(lower);
        }
    }

    private static void Normalise(float[] d, float clip, float minimumNorm)
    {
        double ss = 0;
        foreach (float a in d) ss += (double)a * a;
        double norm = Math.Sqrt(ss);
        if (norm < minimumNorm) { Array.Clear(d); return; }
        float inv = (float)(1.0 / norm);
        ss = 0;
        for (int i = 0; i < d.Length; i++)
        {
            float a = Math.Min(d[i] * inv, clip);
            d[i] = a;
            ss += (double)a * a;
        }
        inv = (float)(1.0 / Math.Sqrt(ss));
        for (int i = 0; i < d.Length; i++) d[i] *= inv;
    }
}
