using System.Buffers;
using Affect.Search.Features.Media;

namespace Affect.Search.Features.Visual;

/// <summary>
/// Uniform local binary patterns (Ojala, Pietikäinen and Mäenpää, "Multiresolution Gray-Scale and Rotation
/// Invariant Texture Classification with Local Binary Patterns", TPAMI 2002; reference [36] of the paper),
/// pooled in a spatial grid as in Ahonen et al.'s face descriptor. The frame's luminance is resampled to a
/// fixed working size (default 128 x 128); every pixel gets the 8-bit code of its 8 neighbours at radius 1
/// (the 3 x 3 ring, as VLFeat's vl_lbp; borders replicated), bit k set when neighbour k >= centre. Codes with at
/// most two circular 0/1 transitions are the 58 uniform patterns, each with its own bin; all others share one
/// bin, 59 bins in all. A histogram per cell of a grid (default 4 x 4) is L1-normalised; cells are concatenated.
/// </summary>
/// <remarks>
/// Layout: cell (cy, cx) row-major, then bin. Uniform patterns are numbered in increasing order of their code
/// (<see cref="BinOf"/>); bin 58 is the non-uniform bin. A flat image gives code 255 (all neighbours >= centre)
/// everywhere, i.e. all mass in <see cref="AllOnesBin"/> (57). Comparisons allow <see cref="Tolerance"/> so that
/// float rounding in resampling a flat region cannot flip bits. With the defaults: 4 x 4 x 59 = 944 values.
/// </remarks>
public sealed class LbpFeature : IFrameFeature
{
    /// <summary>Bins per cell: 58 uniform patterns and one shared non-uniform bin.</summary>
    public const int BinsPerCell = 59;
    /// <summary>The bin shared by all non-uniform codes.</summary>
    public const int NonUniformBin = 58;

    private static readonly byte[] Mapping = BuildMapping();

    /// <summary>Configures the grid; the working size must be at least 3 pixels and at least one pixel per cell.</summary>
    public LbpFeature(int workingSize = 128, int gridCells = 4, float tolerance = 1e-5f)
    {
        if (workingSize < 3 || gridCells <= 0 || gridCells > workingSize)
            throw new ArgumentException($"lbp: working size {workingSize} and grid {gridCells} are not usable");
        WorkingSize = workingSize;
        GridCells = gridCells;
        Tolerance = tolerance;
        Dimension = gridCells * gridCells * BinsPerCell;
    }

    /// <inheritdoc/>
    public string Name => "lbp";
    /// <inheritdoc/>
    public int Dimension { get; }
    /// <summary>Side of the square working image.</summary>
    public int WorkingSize { get; }
    /// <summary>Cells along each side of the grid.</summary>
    public int GridCells { get; }
    /// <summary>A neighbour counts as >= the centre when it is at least centre - tolerance (intensities in [0, 1]).</summary>
    public float Tolerance { get; }

    /// <summary>The bin of code 255 (all neighbours >= centre): the last uniform pattern, 57.</summary>
    public static int AllOnesBin => Mapping[255];

    /// <summary>The histogram bin of an 8-bit LBP code: its rank among uniform codes, or <see cref="NonUniformBin"/>.</summary>
    public static int BinOf(int code) => Mapping[code & 0xFF];

    /// <summary>Whether the code has at most two circular 0/1 transitions.</summary>
    public static bool IsUniform(int code)
    {
        int transitions = 0;
        for (int k = 0; k < 8; k++)
            if (((code >> k) & 1) != ((code >> ((k + 1) & 7)) & 1)) transitions++;
        return transitions <= 2;
    }

    private static byte[] BuildMapping()
    {
        var map = new byte[256];
        int next = 0;
        for (int code = 0; code < 256; code++) map[code] = IsUniform(code) ? (byte)next++ : (byte)NonUniformBin;
        if (next != 58) throw new InvalidOperationException("lbp: expected 58 uniform patterns");
        return map;
    }

    /// <inheritdoc/>
    public void Extract(RgbImage frame, Span<float> destination)
    {
        if (destination.Length != Dimension) throw new ArgumentException($"lbp: destination of length {destination.Length}, expected {Dimension}");
        int n = WorkingSize;
        var gray = ArrayPool<float>.Shared.Rent(n * n);
        var cellOf = ArrayPool<int>.Shared.Rent(n);
        try
        {
            ImageOps.ResizeGray(frame, n, n, gray);
            for (int i = 0; i < n; i++) cellOf[i] = i * GridCells / n;
            destination.Clear();
            float tol = Tolerance;
            for (int y = 0; y < n; y++)
            {
                int r0 = (y > 0 ? y - 1 : 0) * n, r1 = y * n, r2 = (y < n - 1 ? y + 1 : n - 1) * n;
                int cellRow = cellOf[y] * GridCells;
                for (int x = 0; x < n; x++)
                {
                    int xl = x > 0 ? x - 1 : 0, xr = x < n - 1 ? x + 1 : n - 1;
                    float c = gray[r1 + x] - tol;
                    // Neighbours counter-clockwise from east (y grows downwards): E, NE, N, NW, W, SW, S, SE.
                    int code = (gray[r1 + xr] >= c ? 1 : 0)
                             | (gray[r0 + xr] >= c ? 2 : 0)
                             | (gray[r0 + x] >= c ? 4 : 0)
                             | (gray[r0 + xl] >= c ? 8 : 0)
                             | (gray[r1 + xl] >= c ? 16 : 0)
                             | (gray[r2 + xl] >= c ? 32 : 0)
                             | (gray[r2 + x] >= c ? 64 : 0)
                             | (gray[r2 + xr] >= c ? 128 : 0);
                    destination[(cellRow + cellOf[x]) * BinsPerCell + Mapping[code]] += 1f;
                }
            }
            for (int cell = 0; cell < GridCells * GridCells; cell++)
            {
                var h = destination.Slice(cell * BinsPerCell, BinsPerCell);
                float sum = 0f;
                foreach (float v in h) sum += v;
                if (sum > 0) { float inv = 1f / sum; for (int b = 0; b < h.Length; b++) h[b] *= inv; }
            }
        }
        finally
        {
            ArrayPool<float>.Shared.Return(gray);
            ArrayPool<int>.Shared.Return(cellOf);
        }
    }
}
