using System.Numerics.Tensors;
using System.Runtime.CompilerServices;

namespace Affect.Search.Compute.Cpu;

/// <summary>
/// The CPU backend: GEMM through OpenBLAS's <c>cblas_sgemm</c> (or <see cref="ManagedGemm"/> when
/// forced or when OpenBLAS is absent and the caller allowed it), element-wise work through
/// <see cref="TensorPrimitives"/>, parallel over row blocks for large matrices.
/// Stateless, so safe to share between threads as long as they write different matrices.
/// </summary>
public sealed class CpuBackend : IComputeBackend
{
    private const long ParallelThreshold = 1 << 15;

    /// <summary>Creates the backend.</summary>
    /// <param name="useOpenBlas">false forces the managed GEMM (tests compare the two).</param>
    /// <exception cref="DllNotFoundException">OpenBLAS requested but not installed; the message names the setup command.</exception>
    public CpuBackend(bool useOpenBlas = true)
    {
        if (useOpenBlas) OpenBlas.EnsureAvailable();
        UsesOpenBlas = useOpenBlas;
    }

    /// <summary>The OpenBLAS backend if the library is installed, else the managed fallback.</summary>
    public static CpuBackend CreateBest() => new(OpenBlas.IsAvailable);

    /// <summary>Whether GEMM goes to OpenBLAS.</summary>
    public bool UsesOpenBlas { get; }

    /// <inheritdoc />
    public string Name => UsesOpenBlas ? "cpu/openblas" : "cpu/managed";

    /// <inheritdoc />
    public FloatMatrix Allocate(int rows, int cols) => new CpuMatrix(this, rows, cols);

    /// <inheritdoc />
    public void Upload(ReadOnlySpan<float> source, FloatMatrix destination)
    {
        var d = Own(destination);
        if (source.Length != d.Data.Length) throw new ArgumentException($"upload of {source.Length} values into a {d.Rows}x{d.Cols} matrix");
        source.CopyTo(d.Data);
    }

    /// <inheritdoc />
    public void Download(FloatMatrix source, Span<float> destination)
    {
        var s = Own(source);
        if (destination.Length != s.Data.Length) throw new ArgumentException($"download of a {s.Rows}x{s.Cols} matrix into {destination.Length} values");
        s.Data.CopyTo(destination);
    }

    /// <inheritdoc />
    public SparseFloatMatrix Upload(CsrMatrix source) => new CpuSparseMatrix(this, source);

    /// <inheritdoc />
    public void Copy(FloatMatrix source, FloatMatrix destination)
    {
        ComputeExtensions.RequireShape(destination, source.Rows, source.Cols, "Copy");
        Own(source).Data.CopyTo(Own(destination).Data, 0);
    }

    /// <inheritdoc />
    public void Fill(FloatMatrix matrix, float value) => Array.Fill(Own(matrix).Data, value);

    /// <inheritdoc />
    public void Gemm(Transpose transposeA, Transpose transposeB, float alpha, FloatMatrix a, FloatMatrix b, float beta, FloatMatrix c)
    {
        bool ta = transposeA == Transpose.Yes, tb = transposeB == Transpose.Yes;
        var (m, n, k) = ComputeExtensions.GemmShape(transposeA, transposeB, a, b, c);
        var (ad, bd, cd) = (Own(a).Data, Own(b).Data, Own(c).Data);
        if (m == 0 || n == 0) return;
        if (k == 0) { Axpby(0f, c, beta, c); return; }
        if (UsesOpenBlas)
            OpenBlas.Sgemm(ta, tb, m, n, k, alpha, ad, a.Cols, bd, b.Cols, beta, cd, n);
        else
            ManagedGemm.Sgemm(ta, tb, m, n, k, alpha, ad, bd, beta, cd);
    }

    /// <inheritdoc />
    public void SparseGemm(Transpose transposeS, float alpha, SparseFloatMatrix s, FloatMatrix b, float beta, FloatMatrix c)
    {
        if (!ReferenceEquals(s.Backend, this))
            throw new ArgumentException($"SparseGemm: the sparse matrix belongs to backend {s.Backend.Name}, not to this {Name} instance");
        var csr = s.Host;
        var bd = Own(b).Data;
        var cm = Own(c);
        int n = b.Cols;
        if (transposeS == Transpose.No)
        {
            if (b.Rows != csr.Cols) throw new ArgumentException($"SparseGemm: {csr.Rows}x{csr.Cols} times {b.Rows}x{n}");
            ComputeExtensions.RequireShape(c, csr.Rows, n, "SparseGemm output");
            ForRows(csr.Rows, n, (r0, r1) =>
            {
                for (int r = r0; r < r1; r++)
                {
                    var row = cm.Row(r);
                    ScaleInPlace(row, beta);
                    for (int p = csr.RowStarts[r]; p < csr.RowStarts[r + 1]; p++)
                        TensorPrimitives.MultiplyAdd(bd.AsSpan(csr.ColumnIndices[p] * n, n), alpha * csr.Values[p], row, row);
                }
            });
        }
        else
        {
            if (b.Rows != csr.Rows) throw new ArgumentException($"SparseGemm: ({csr.Rows}x{csr.Cols})' times {b.Rows}x{n}");
            ComputeExtensions.RequireShape(c, csr.Cols, n, "SparseGemm output");
            ScaleInPlace(cm.Data, beta);
            // Scatter: each stored value adds a scaled row of B to one row of C. Column blocks are
            // independent, so split the columns between threads instead of locking rows.
            int blocks = n >= 256 && csr.NonZeros * (long)n > ParallelThreshold ? Environment.ProcessorCount : 1;
            int width = (n + blocks - 1) / blocks;
            Parallel.For(0, blocks, blk =>
            {
                int c0 = blk * width, w = Math.Min(width, n - c0);
                if (w <= 0) return;
                for (int r = 0; r < csr.Rows; r++)
                {
                    var brow = bd.AsSpan(r * n + c0, w);
                    for (int p = csr.RowStarts[r]; p < csr.RowStarts[r + 1]; p++)
                    {
                        var crow = cm.Data.AsSpan(csr.ColumnIndices[p] * n + c0, w);
                        TensorPrimitives.MultiplyAdd(brow, alpha * csr.Values[p], crow, crow);
                    }
                }
            });
        }
    }

    /// <inheritdoc />
    public void AddRowVector(FloatMatrix matrix, FloatMatrix rowVector, float alpha)
    {
        ComputeExtensions.RequireShape(rowVector, 1, matrix.Cols, "AddRowVector bias");
        var m = Own(matrix);
        var v = Own(rowVector).Data;
        ForRows(m.Rows, m.Cols, (r0, r1) =>
        {
            for (int r = r0; r < r1; r++) TensorPrimitives.MultiplyAdd(v, alpha, m.Row(r), m.Row(r));
        });
    }

    /// <inheritdoc />
    public void ColumnSums(float alpha, FloatMatrix matrix, float beta, FloatMatrix destination)
    {
        ComputeExtensions.RequireShape(destination, 1, matrix.Cols, "ColumnSums output");
        var m = Own(matrix);
        var d = Own(destination).Data;
        var sum = new float[m.Cols];
        for (int r = 0; r < m.Rows; r++) TensorPrimitives.Add(sum, m.Row(r), sum);
        for (int c = 0; c < d.Length; c++) d[c] = alpha * sum[c] + (beta == 0f ? 0f : beta * d[c]);
    }

    /// <inheritdoc />
    public void RowSums(FloatMatrix matrix, FloatMatrix destination)
    {
        ComputeExtensions.RequireShape(destination, matrix.Rows, 1, "RowSums output");
        var m = Own(matrix);
        var d = Own(destination).Data;
        for (int r = 0; r < m.Rows; r++) d[r] = TensorPrimitives.Sum<float>(m.Row(r));
    }

    /// <inheritdoc />
    public void Logistic(FloatMatrix matrix, FloatMatrix? bias, float biasScale)
    {
        var m = Own(matrix);
        float[]? b = bias is null ? null : Own(bias).Data;
        if (bias is not null) ComputeExtensions.RequireShape(bias, 1, m.Cols, "Logistic bias");
        ForRows(m.Rows, m.Cols, (r0, r1) =>
        {
            for (int r = r0; r < r1; r++)
            {
                var row = m.Row(r);
                if (b is not null) TensorPrimitives.MultiplyAdd(b, biasScale, row, row);
                TensorPrimitives.Sigmoid(row, row);
            }
        });
    }

    /// <inheritdoc />
    public void SoftmaxRows(FloatMatrix matrix, FloatMatrix? bias, float scale)
    {
        var m = Own(matrix);
        float[]? b = bias is null ? null : Own(bias).Data;
        if (bias is not null) ComputeExtensions.RequireShape(bias, 1, m.Cols, "SoftmaxRows bias");
        ForRows(m.Rows, m.Cols, (r0, r1) =>
        {
            for (int r = r0; r < r1; r++)
            {
                var row = m.Row(r);
                if (b is not null) TensorPrimitives.Add(row, b, row);
                if (row.IsEmpty) continue;
                // TensorPrimitives.SoftMax does not shift by the maximum (exp(1000) would overflow to NaN), so shift here.
                TensorPrimitives.Subtract(row, TensorPrimitives.Max<float>(row), row);
                TensorPrimitives.SoftMax(row, row);
                if (scale != 1f) TensorPrimitives.Multiply(row, scale, row);
            }
        });
    }

    /// <inheritdoc />
    public void SoftplusRowSums(FloatMatrix matrix, FloatMatrix destination)
    {
        ComputeExtensions.RequireShape(destination, matrix.Rows, 1, "SoftplusRowSums output");
        var m = Own(matrix);
        var d = Own(destination).Data;
        ForRows(m.Rows, m.Cols, (r0, r1) =>
        {
            for (int r = r0; r < r1; r++)
            {
                double s = 0;
                foreach (var x in m.Row(r)) s += Softplus(x);
                d[r] = (float)s;
            }
        });
    }

    /// <summary>log(1 + exp(x)) without overflow.</summary>
    public static double Softplus(double x) => Math.Max(x, 0) + Log1p(Math.Exp(-Math.Abs(x)));

    /// <summary>log(1 + u), accurate for tiny u where 1 + u rounds to 1 (e.g. softplus(-40) = 4.2e-18, not 0).</summary>
    private static double Log1p(double u)
    {
        double w = 1 + u;
        return w == 1 ? u : Math.Log(w) * u / (w - 1);
    }

    /// <inheritdoc />
    public void SquaredDistanceRows(FloatMatrix matrix, FloatMatrix rowVector, FloatMatrix destination)
    {
        ComputeExtensions.RequireShape(rowVector, 1, matrix.Cols, "SquaredDistanceRows vector");
        ComputeExtensions.RequireShape(destination, matrix.Rows, 1, "SquaredDistanceRows output");
        var m = Own(matrix);
        var v = Own(rowVector).Data;
        var d = Own(destination).Data;
        for (int r = 0; r < m.Rows; r++)
        {
            float dist = TensorPrimitives.Distance<float>(m.Row(r), v);
            d[r] = dist * dist;
        }
    }

    /// <inheritdoc />
    public void SampleBernoulli(FloatMatrix probabilities, FloatMatrix destination, RandomStream random)
    {
        ComputeExtensions.RequireShape(destination, probabilities.Rows, probabilities.Cols, "SampleBernoulli output");
        var p = Own(probabilities).Data;
        var d = Own(destination).Data;
        ulong key = random.NextKey();
        ForRows(probabilities.Rows, probabilities.Cols, (r0, r1) =>
        {
            for (long i = (long)r0 * probabilities.Cols; i < (long)r1 * probabilities.Cols; i++)
                d[i] = RandomStream.Uniform(key, i) < p[i] ? 1f : 0f;
        });
    }

    /// <inheritdoc />
    public void AddGaussianNoise(FloatMatrix matrix, float standardDeviation, RandomStream random)
    {
        var d = Own(matrix).Data;
        ulong key = random.NextKey();
        ForRows(matrix.Rows, matrix.Cols, (r0, r1) =>
        {
            for (long i = (long)r0 * matrix.Cols; i < (long)r1 * matrix.Cols; i++)
                d[i] += standardDeviation * RandomStream.Normal(key, i);
        });
    }

    /// <inheritdoc />
    public void SampleMultinomialRows(FloatMatrix probabilities, int draws, FloatMatrix destination, RandomStream random)
    {
        ComputeExtensions.RequireShape(destination, probabilities.Rows, probabilities.Cols, "SampleMultinomialRows output");
        var p = Own(probabilities);
        var d = Own(destination);
        int k = p.Cols;
        ulong key = random.NextKey();
        ForRows(p.Rows, k * Math.Max(draws, 1), (r0, r1) =>
        {
            for (int r = r0; r < r1; r++)
            {
                // Destination may be the probabilities themselves: read from a copy of the row then.
                var prow = ReferenceEquals(p, d) ? p.Row(r).ToArray() : p.Row(r);
                var drow = d.Row(r);
                drow.Clear();
                // The total is the same left-to-right running sum the walk below uses (and the GPU backend
                // uses), so a draw never lands past the last non-zero category through rounding.
                float total = 0f;
                foreach (var x in prow) total += x;
                if (prow.IsEmpty) continue;
                for (int t = 0; t < draws; t++)
                {
                    // Inverse CDF: the draw index (r, t) keys the uniform, so any backend picks the same word.
                    float u = RandomStream.Uniform(key, (long)r * draws + t) * total;
                    int j = 0;
                    float acc = prow[0];
                    while (acc <= u && j < k - 1) acc += prow[++j];
                    drow[j] += 1f;
                }
            }
        });
    }

    /// <inheritdoc />
    public void Axpby(float alpha, FloatMatrix x, float beta, FloatMatrix y)
    {
        ComputeExtensions.RequireShape(y, x.Rows, x.Cols, "Axpby");
        var xd = Own(x).Data;
        var yd = Own(y).Data;
        ForRows(x.Rows, x.Cols, (r0, r1) =>
        {
            var xs = xd.AsSpan(r0 * x.Cols, (r1 - r0) * x.Cols);
            var ys = yd.AsSpan(r0 * x.Cols, (r1 - r0) * x.Cols);
            if (alpha == 0f) ScaleInPlace(ys, beta);
            else if (ReferenceEquals(xd, yd)) ScaleInPlace(ys, alpha + beta); // x is y: scaling y first would also scale x
            else if (beta == 0f) TensorPrimitives.Multiply(xs, alpha, ys);
            else if (beta == 1f) TensorPrimitives.MultiplyAdd(xs, alpha, ys, ys);
            else
            {
                TensorPrimitives.Multiply(ys, beta, ys);
                TensorPrimitives.MultiplyAdd(xs, alpha, ys, ys);
            }
        });
    }

    /// <inheritdoc />
    public void CopyMaskedRows(FloatMatrix source, FloatMatrix rowMask, FloatMatrix destination)
    {
        ComputeExtensions.RequireShape(destination, source.Rows, source.Cols, "CopyMaskedRows");
        ComputeExtensions.RequireShape(rowMask, source.Rows, 1, "CopyMaskedRows mask");
        var s = Own(source);
        var mask = Own(rowMask).Data;
        var d = Own(destination);
        for (int r = 0; r < s.Rows; r++)
            if (mask[r] != 0f) s.Row(r).CopyTo(d.Row(r));
    }

    /// <inheritdoc />
    public double SumOfSquaredDifferences(FloatMatrix a, FloatMatrix b)
    {
        ComputeExtensions.RequireShape(b, a.Rows, a.Cols, "SumOfSquaredDifferences");
        var ad = Own(a);
        var bd = Own(b);
        double s = 0;
        for (int r = 0; r < a.Rows; r++)
        {
            double d = TensorPrimitives.Distance<float>(ad.Row(r), bd.Row(r));
            s += d * d;
        }
        return s;
    }

    /// <inheritdoc />
    public double Sum(FloatMatrix matrix)
    {
        var m = Own(matrix);
        double s = 0;
        for (int r = 0; r < m.Rows; r++) s += TensorPrimitives.Sum<float>(m.Row(r));
        return s;
    }

    /// <inheritdoc />
    public void Dispose() { }

    private CpuMatrix Own(FloatMatrix m, [CallerMemberName] string operation = "") => m as CpuMatrix is { } c && ReferenceEquals(c.Backend, this)
        ? c
        : throw new ArgumentException($"{operation}: {m} belongs to backend {m.Backend.Name}, not to this {Name} instance");

    private static void ScaleInPlace(Span<float> x, float beta)
    {
        if (beta == 0f) x.Clear();
        else if (beta != 1f) TensorPrimitives.Multiply(x, beta, x);
    }

    private static void ForRows(int rows, int cols, Action<int, int> body)
    {
        if ((long)rows * cols < ParallelThreshold || rows < 2) { body(0, rows); return; }
        int parts = Math.Min(rows, Environment.ProcessorCount * 2);
        int step = (rows + parts - 1) / parts;
        Parallel.For(0, parts, p =>
        {
            int r0 = p * step, r1 = Math.Min(rows, r0 + step);
            if (r0 < r1) body(r0, r1);
        });
    }
}
