using System.Buffers;
using Affect.Search.Features.Media;

namespace Affect.Search.Features.Visual;

/// <summary>
/// Histogram of oriented gradients (Dalal and Triggs, "Histograms of Oriented Gradients for Human
/// Detection", CVPR 2005; reference [35] of the paper). The frame's luminance is resampled to a fixed
/// working size (default 128 x 128, antialiased bilinear); gradients come from the centred [-1, 0, 1] mask;
/// each pixel votes its gradient magnitude into unsigned orientation bins (default 9 over [0, 180 degrees),
/// bin k centred on k * 20 degrees, linear interpolation between the two nearest bins) of the cell it falls in
/// (default 8 x 8 pixels, hard spatial assignment). Cells are grouped into overlapping blocks (default 2 x 2
/// cells, stride one cell); each block vector is L2-Hys normalised (L2, clip at 0.2, L2 again) and the blocks
/// are concatenated.
/// </summary>
/// <remarks>
/// Layout: block (by, bx) row-major, then cell (cy, cx) inside the block row-major, then orientation bin.
/// With the defaults: 15 x 15 blocks x 2 x 2 cells x 9 bins = 8100 values. Because resampling and gradients
/// are linear in intensity and each block is normalised, the vector is invariant to a global brightness scale
/// (up to 8-bit quantisation and the tiny <see cref="Epsilon"/>). A block without gradient (flat region) is all zeros.
/// Horizontal gradients (a vertical edge) land in bin 0; vertical gradients (a horizontal edge) are split
/// between the bins around 90 degrees (bins 4 and 5 with 9 bins).
/// </remarks>
public sealed class HogFeature : IFrameFeature
{
    /// <summary>Configures the descriptor; the working size must be a whole number of cells at least one block wide.</summary>
    public HogFeature(int workingSize = 128, int cellSize = 8, int blockCells = 2, int blockStrideCells = 1,
        int orientationBins = 9, float clip = 0.2f, float epsilon = 1e-5f)
    {
        if (cellSize <= 0 || workingSize <= 0 || workingSize % cellSize != 0)
            throw new ArgumentException($"hog: working size {workingSize} must be a positive multiple of the cell size {cellSize}");
        if (blockCells <= 0 || blockStrideCells <= 0 || orientationBins <= 0)
            throw new ArgumentException("hog: block size, block stride and orientation bins must be positive");
        CellsPerSide = workingSize / cellSize;
        if (CellsPerSide < blockCells) throw new ArgumentException($"hog: {CellsPerSide} cells per side cannot hold a {blockCells}-cell block");
        WorkingSize = workingSize;
        CellSize = cellSize;
        BlockCells = blockCells;
        BlockStrideCells = blockStrideCells;
        OrientationBins = orientationBins;
        Clip = clip;
        Epsilon = epsilon;
        BlocksPerSide = (CellsPerSide - blockCells) / blockStrideCells + 1;
        BlockLength = blockCells * blockCells * orientationBins;
        Dimension = BlocksPerSide * BlocksPerSide * BlockLength;
    }

    /// <inheritdoc/>
    public string Name => "hog";
    /// <inheritdoc/>
    public int Dimension { get; }
    /// <summary>Side of the square working image in pixels.</summary>
    public int WorkingSize { get; }
    /// <summary>Side of a cell in pixels.</summary>
    public int CellSize { get; }
    /// <summary>Side of a block in cells.</summary>
    public int BlockCells { get; }
    /// <summary>Block stride in cells.</summary>
    public int BlockStrideCells { get; }
    /// <summary>Unsigned orientation bins over [0, pi).</summary>
    public int OrientationBins { get; }
    /// <summary>L2-Hys clipping threshold.</summary>
    public float Clip { get; }
    /// <summary>Regulariser of the block norms, sqrt(|v|^2 + eps^2).</summary>
    public float Epsilon { get; }
    /// <summary>Cells along each side of the working image.</summary>
    public int CellsPerSide { get; }
    /// <summary>Blocks along each side.</summary>
    public int BlocksPerSide { get; }
    /// <summary>Values per block.</summary>
    public int BlockLength { get; }

    /// <summary>Index of orientation <paramref name="bin"/> of cell (cy, cx) of block (by, bx) in the vector.</summary>
    public int IndexOf(int by, int bx, int cy, int cx, int bin) =>
        ((by * BlocksPerSide + bx) * BlockCells * BlockCells + cy * BlockCells + cx) * OrientationBins + bin;

    /// <inheritdoc/>
    public void Extract(RgbImage frame, Span<float> destination)
    {
        if (destination.Length != Dimension) throw new ArgumentException($"hog: destination of length {destination.Length}, expected {Dimension}");
        int n = WorkingSize, pixels = n * n, bins = OrientationBins;
        var pool = ArrayPool<float>.Shared;
        var gray = pool.Rent(pixels);
        var gx = pool.Rent(pixels);
        var gy = pool.Rent(pixels);
        var mag = pool.Rent(pixels);
        var frac = pool.Rent(pixels);
        var lower = ArrayPool<int>.Shared.Rent(pixels);
        var cells = pool.Rent(CellsPerSide * CellsPerSide * bins);
        try
        {
            ImageOps.ResizeGray(frame, n, n, gray);
            ImageOps.Gradients(gray.AsSpan(0, pixels), n, n, gx, gy);
            ImageOps.OrientationBins(gx.AsSpan(0, pixels), gy.AsSpan(0, pixels), bins, signed: false, mag, lower, frac);

            var cellHist = cells.AsSpan(0, CellsPerSide * CellsPerSide * bins);
            cellHist.Clear();
            for (int y = 0; y < n; y++)
            {
                int cellRow = (y / CellSize) * CellsPerSide;
                for (int x = 0; x < n; x++)
                {
                    int i = y * n + x;
                    float m = mag[i];
                    if (m == 0f) continue;
                    int b0 = lower[i];
                    int b1 = b0 + 1 == bins ? 0 : b0 + 1;
                    float f = frac[i];
                    int c = (cellRow + x / CellSize) * bins;
                    cellHist[c + b0] += m * (1f - f);
                    cellHist[c + b1] += m * f;
                }
            }

            int o = 0;
            for (int by = 0; by < BlocksPerSide; by++)
                for (int bx = 0; bx < BlocksPerSide; bx++)
                {
                    var block = destination.Slice(o, BlockLength);
                    int k = 0;
                    for (int cy = 0; cy < BlockCells; cy++)
                        for (int cx = 0; cx < BlockCells; cx++)
                        {
                            int cell = ((by * BlockStrideCells + cy) * CellsPerSide + bx * BlockStrideCells + cx) * bins;
                            cellHist.Slice(cell, bins).CopyTo(block.Slice(k, bins));
                            k += bins;
                        }
                    L2Hys(block, Clip, Epsilon);
                    o += BlockLength;
                }
        }
        finally
        {
            pool.Return(gray); pool.Return(gx); pool.Return(gy); pool.Return(mag); pool.Return(frac); pool.Return(cells);
            ArrayPool<int>.Shared.Return(lower);
        }
    }

    /// <summary>L2-Hys: v / sqrt(|v|^2 + eps^2), clipped at <paramref name="clip"/>, renormalised the same way.</summary>
    internal static void L2Hys(Span<float> v, float clip, float epsilon)
    {
        float eps2 = epsilon * epsilon;
        double ss = 0;
        foreach (float a in v) ss += (double)a * a;
        float inv = (float)(1.0 / Math.Sqrt(ss + eps2));
        ss = 0;
        for (int i = 0; i < v.Length; i++)
        {
            float a = Math.Min(v[i] * inv, clip);
            v[i] = a;
            ss += (double)a * a;
        }
        inv = (float)(1.0 / Math.Sqrt(ss + eps2));
        for (int i = 0; i < v.Length; i++) v[i] *= inv;
    }
}
