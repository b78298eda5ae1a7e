using System.Buffers;
using System.Numerics;
using Affect.Search.Features.Media;

namespace Affect.Search.Features.Visual;

/// <summary>
/// The GIST scene descriptor (Oliva and Torralba, "Modeling the Shape of the Scene: A Holistic Representation
/// of the Spatial Envelope", IJCV 2001; reference [34] of the paper), following Torralba's LMgist code: the
/// luminance is resampled to a square working image (default 128 x 128), stretched to [0, 255] and
/// log-transformed; it is whitened (minus a Gaussian low-pass, cutoff <c>fc = 4</c> cycles per image) and
/// locally contrast-normalised (divided by 0.2 + the low-passed local standard deviation). It is then
/// filtered by a bank of Gabor transfer functions in the frequency domain (default 4 scales x 8 orientations;
/// scale s has peak frequency 0.3 / 1.85^s cycles per pixel; filter exp(-3.5 (f / f_s - 1)^2 - 2 pi
/// (o^2 / 64) dtheta^2) for o orientations, as LMgist's createGabor), and the magnitude of each response is
/// averaged over the cells of a grid (default 4 x 4). With the defaults: 4 x 8 x 16 = 512 values.
/// </summary>
/// <remarks>
/// <para>Filtering is done with a radix-2 FFT on a field of the next power of two that holds the image plus
/// <c>boundaryExtension</c> pixels each side (default 32, so 256 x 256), filled by mirror extension of the
/// image to avoid wrap-around artefacts, as LMgist's padding does.</para>
/// <para>Layout: index = ((scale * Orientations + orientation) * Grid + cellY) * Grid + cellX. Scale 0 is the
/// finest. Orientation j responds to gratings whose wave vector points j * 180 / Orientations degrees
/// counter-clockwise from the x axis as displayed: j = 0 to vertical stripes (intensity varying along x),
/// j = Orientations / 2 to horizontal stripes. A flat frame gives all zeros. Invariant to global brightness
/// scaling (the contrast stretch removes it).</para>
/// </remarks>
public sealed class GistFeature : IFrameFeature
{
    private readonly Fft2D _fft;
    private readonly int _offset;
    private readonly float[] _lowPass;      // Gaussian prefilter transfer function, transposed layout
    private readonly int[][] _filterIndex;  // per Gabor filter: spectrum entries above the cut-off
    private readonly float[][] _filterGain; // ... and their gains

    /// <summary>Configures the descriptor and precomputes the filter bank.</summary>
    public GistFeature(int workingSize = 128, int scales = 4, int orientations = 8, int grid = 4,
        int boundaryExtension = 32, float prefilterCutoff = 4f)
    {
        if (workingSize < 8 || scales <= 0 || orientations <= 0 || grid <= 0 || grid > workingSize || boundaryExtension < 0 || prefilterCutoff <= 0)
            throw new ArgumentException("gist: invalid parameters");
        WorkingSize = workingSize;
        Scales = scales;
        Orientations = orientations;
        Grid = grid;
        BoundaryExtension = boundaryExtension;
        PrefilterCutoff = prefilterCutoff;
        Dimension = scales * orientations * grid * grid;
        FieldSize = (int)BitOperations.RoundUpToPowerOf2((uint)(workingSize + 2 * boundaryExtension));
        _offset = (FieldSize - workingSize) / 2;
        _fft = new Fft2D(FieldSize);

        int n = FieldSize;
        // LMgist's prefilt: gf = exp(-(fx^2 + fy^2) / s1^2), s1 = fc / sqrt(ln 2), on an FFT of the image padded by
        // 5 pixels (n' = size + 10). Our field is larger, so the same cut-off in cycles per pixel needs s1 * n / n'.
        double s1 = prefilterCutoff / Math.Sqrt(Math.Log(2)) * n / (workingSize + 10.0);
        _lowPass = new float[n * n];
        for (int kx = 0; kx < n; kx++)
            for (int ky = 0; ky < n; ky++)
            {
                double fx = kx < n / 2 ? kx : kx - n, fy = ky < n / 2 ? ky : ky - n;
                _lowPass[kx * n + ky] = (float)Math.Exp(-(fx * fx + fy * fy) / (s1 * s1));
            }

        // LMgist's createGabor: param = [0.35, 0.3 / 1.85^s, 16 o^2 / 32^2, pi / o * j];
        // G = exp(-10 p1 (fr / n / p2 - 1)^2 - 2 p3 pi tr^2), tr = angle(fx + i fy) + p4 wrapped to [-pi, pi].
        const float cutoff = 1e-6f;
        _filterIndex = new int[scales * orientations][];
        _filterGain = new float[scales * orientations][];
        var idx = new List<int>();
        var gain = new List<float>();
        double p3 = 16.0 * orientations * orientations / (32.0 * 32.0);
        var radius = new double[n * n];
        var angle = new double[n * n];
        for (int kx = 0; kx < n; kx++)
            for (int ky = 0; ky < n; ky++)
            {
                double fx = kx < n / 2 ? kx : kx - n, fy = ky < n / 2 ? ky : ky - n;
                radius[kx * n + ky] = Math.Sqrt(fx * fx + fy * fy) / n;
                angle[kx * n + ky] = Math.Atan2(fy, fx);
            }
        double logCutoff = Math.Log(cutoff);
        for (int s = 0; s < scales; s++)
            for (int j = 0; j < orientations; j++)
            {
                idx.Clear();
                gain.Clear();
                double p2 = 0.3 / Math.Pow(1.85, s), p4 = Math.PI / orientations * j;
                for (int i = 0; i < n * n; i++)
                {
                    double tr = angle[i] + p4;
                    if (tr < -Math.PI) tr += 2 * Math.PI;
                    else if (tr > Math.PI) tr -= 2 * Math.PI;
                    double rr = radius[i] / p2 - 1;
                    double exponent = -10 * 0.35 * rr * rr - 2 * p3 * Math.PI * tr * tr;
                    if (exponent > logCutoff) { idx.Add(i); gain.Add((float)Math.Exp(exponent)); }
                }
                _filterIndex[s * orientations + j] = idx.ToArray();
                _filterGain[s * orientations + j] = gain.ToArray();
            }
    }

    /// <inheritdoc/>
    public string Name => "gist";
    /// <inheritdoc/>
    public int Dimension { get; }
    /// <summary>Side of the square working image.</summary>
    public int WorkingSize { get; }
    /// <summary>Number of filter scales.</summary>
    public int Scales { get; }
    /// <summary>Orientations per scale, spread over 180 degrees.</summary>
    public int Orientations { get; }
    /// <summary>Cells along each side of the pooling grid.</summary>
    public int Grid { get; }
    /// <summary>Mirror padding (pixels each side) at least added before filtering.</summary>
    public int BoundaryExtension { get; }
    /// <summary>Prefilter cut-off, LMgist's fc (cycles per image).</summary>
    public float PrefilterCutoff { get; }
    /// <summary>Side of the FFT field (a power of two).</summary>
    public int FieldSize { get; }

    /// <summary>Index of (scale, orientation, cellY, cellX) in the vector.</summary>
    public int IndexOf(int scale, int orientation, int cellY, int cellX) =>
        ((scale * Orientations + orientation) * Grid + cellY) * Grid + cellX;

    /// <inheritdoc/>
    public void Extract(RgbImage frame, Span<float> destination)
    {
        if (destination.Length != Dimension) throw new ArgumentException($"gist: destination of length {destination.Length}, expected {Dimension}");
        int size = WorkingSize, n = FieldSize, nn = n * n, off = _offset;
        var pool = ArrayPool<float>.Shared;
        var gray = pool.Rent(size * size);
        var re = pool.Rent(nn);
        var im = pool.Rent(nn);
        var field = pool.Rent(nn);
        var specRe = pool.Rent(nn);
        var specIm = pool.Rent(nn);
        var cellOf = ArrayPool<int>.Shared.Rent(size);
        try
        {
            var reS = re.AsSpan(0, nn);
            var imS = im.AsSpan(0, nn);
            var fieldS = field.AsSpan(0, nn);
            ImageOps.ResizeGray(frame, size, size, gray);

            // Contrast stretch to [0, 255] and log, as LMgist (img - min, * 255 / max, log(img + 1)).
            float min = float.PositiveInfinity, max = float.NegativeInfinity;
            for (int i = 0; i < size * size; i++) { min = Math.Min(min, gray[i]); max = Math.Max(max, gray[i]); }
            if (max - min < 1e-6f) { destination.Clear(); return; }
            float stretch = 255f / (max - min);
            for (int i = 0; i < size * size; i++) gray[i] = MathF.Log(1f + (gray[i] - min) * stretch);

            // Mirror-extended field.
            for (int y = 0; y < n; y++)
            {
                int sy = ImageOps.Reflect(y - off, size) * size;
                for (int x = 0; x < n; x++) field[y * n + x] = gray[sy + ImageOps.Reflect(x - off, size)];
            }

            // Whitening: field - lowpass(field).
            float scale = 1f / nn;
            fieldS.CopyTo(reS);
            imS.Clear();
            _fft.Forward(reS, imS);
            Multiply(reS, imS, _lowPass);
            _fft.Inverse(reS, imS, 0, n);
            for (int i = 0; i < nn; i++) field[i] -= re[i] * scale;

            // Local contrast normalisation: / (0.2 + sqrt(|lowpass(field^2)|)).
            for (int i = 0; i < nn; i++) re[i] = field[i] * field[i];
            imS.Clear();
            _fft.Forward(reS, imS);
            Multiply(reS, imS, _lowPass);
            _fft.Inverse(reS, imS, 0, n);
            for (int i = 0; i < nn; i++)
            {
                float local = MathF.Sqrt(MathF.Sqrt(re[i] * re[i] + im[i] * im[i]) * scale);
                field[i] /= 0.2f + local;
            }

            // Spectrum of the prefiltered field, then each Gabor response's magnitude pooled over the grid.
            fieldS.CopyTo(reS);
            imS.Clear();
            _fft.Forward(reS, imS);
            reS.CopyTo(specRe);
            imS.CopyTo(specIm);

            for (int i = 0; i < size; i++) cellOf[i] = i * Grid / size;
            int cells = Grid * Grid;
            Span<float> pooled = stackalloc float[cells];
            Span<int> counts = stackalloc int[cells];
            counts.Clear();
            for (int y = 0; y < size; y++)
                for (int x = 0; x < size; x++) counts[cellOf[y] * Grid + cellOf[x]]++;

            for (int f = 0; f < _filterIndex.Length; f++)
            {
                reS.Clear();
                imS.Clear();
                var index = _filterIndex[f];
                var gain = _filterGain[f];
                for (int k = 0; k < index.Length; k++)
                {
                    int i = index[k];
                    float g = gain[k];
                    re[i] = specRe[i] * g;
                    im[i] = specIm[i] * g;
                }
                _fft.Inverse(reS, imS, off, off + size);
                pooled.Clear();
                for (int y = 0; y < size; y++)
                {
                    int row = (y + off) * n + off;
                    int cellRow = cellOf[y] * Grid;
                    for (int x = 0; x < size; x++)
                    {
                        float a = re[row + x], b = im[row + x];
                        pooled[cellRow + cellOf[x]] += MathF.Sqrt(a * a + b * b);
                    }
                }
                for (int c = 0; c < cells; c++) destination[f * cells + c] = pooled[c] * scale / counts[c];
            }
        }
        finally
        {
            pool.Return(gray); pool.Return(re); pool.Return(im); pool.Return(field); pool.Return(specRe); pool.Return(specIm);
            ArrayPool<int>.Shared.Return(cellOf);
        }
    }

    private static void Multiply(Span<float> re, Span<float> im, float[] gain)
    {
        for (int i = 0; i < re.Length; i++) { re[i] *= gain[i]; im[i] *= gain[i]; }
    }
}
