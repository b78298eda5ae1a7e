using Affect.Search.Compute.Cpu;

namespace Affect.Search.Compute.Tests;

public class SparseGemmTests
{
    /// <summary>A seeded sparse matrix (some rows empty, some values negative), as dense row-major.</summary>
    private static float[] SparseDense(int rows, int cols, double density, int seed)
    {
        var rng = new Random(seed);
        var d = new float[rows * cols];
        for (int r = 0; r < rows; r++)
        {
            if (r % 5 == 3) continue; // an empty row
            for (int c = 0; c < cols; c++)
                if (rng.NextDouble() < density) d[r * cols + c] = (float)(rng.Next(1, 6) * (rng.NextDouble() < 0.2 ? -0.5 : 1.0));
        }
        return d;
    }

    private static double[] DenseReference(bool transS, float alpha, float[] s, int sRows, int sCols, float[] b, int n, float beta, float[] c)
    {
        int m = transS ? sCols : sRows, k = transS ? sRows : sCols;
        var result = new double[m * n];
        for (int i = 0; i < m; i++)
            for (int j = 0; j < n; j++)
            {
                double acc = 0;
                for (int p = 0; p < k; p++)
                    acc += (double)(transS ? s[p * sCols + i] : s[i * sCols + p]) * b[p * n + j];
                result[i * n + j] = alpha * acc + (beta == 0 ? 0 : beta * (double)c[i * n + j]);
            }
        return result;
    }

    public static TheoryData<Transpose, int, int, int, float, float> Cases()
    {
        var data = new TheoryData<Transpose, int, int, int, float, float>();
        foreach (var t in new[] { Transpose.No, Transpose.Yes })
        {
            data.Add(t, 1, 1, 1, 1f, 0f);
            data.Add(t, 7, 11, 5, 1.3f, 0f);
            data.Add(t, 7, 11, 5, 1.3f, 1f);
            data.Add(t, 7, 11, 5, -0.7f, -0.5f);
            // Large enough for the row-parallel (S) and column-block-parallel (S') paths.
            data.Add(t, 200, 60, 300, 0.9f, 0.25f);
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void SparseGemm_MatchesDensifiedProduct(Transpose transS, int sRows, int sCols, int n, float alpha, float beta)
    {
        using var backend = new CpuBackend();
        var sDense = SparseDense(sRows, sCols, 0.3, sRows * 31 + sCols);
        var csr = CsrMatrix.FromDense(sDense, sRows, sCols);
        using var s = backend.Upload(csr);
        Assert.Equal(sRows, s.Rows);
        Assert.Equal(sCols, s.Cols);
        bool ts = transS == Transpose.Yes;
        int k = ts ? sRows : sCols, m = ts ? sCols : sRows;
        var bh = TestUtil.RandomArray(k * n, 99);
        // With beta = 0 the old contents of C must not matter, even NaN.
        var ch = beta == 0 ? TestUtil.Filled(m * n, float.NaN) : TestUtil.RandomArray(m * n, 98);
        using var b = backend.FromArray(bh, k, n);
        using var c = backend.FromArray(ch, m, n);

        backend.SparseGemm(transS, alpha, s, b, beta, c);

        var expected = DenseReference(ts, alpha, sDense, sRows, sCols, bh, n, beta, ch);
        TestUtil.AssertClose(expected, c.ToArray(), 1e-5, 1e-5);
    }

    [Theory]
    [InlineData(Transpose.No)]
    [InlineData(Transpose.Yes)]
    public void SparseGemm_AgreesWithDenseGemm(Transpose transS)
    {
        using var backend = new CpuBackend();
        var sDense = SparseDense(40, 30, 0.2, 3);
        using var s = backend.Upload(CsrMatrix.FromDense(sDense, 40, 30));
        using var sd = backend.FromArray(sDense, 40, 30);
        int k = transS == Transpose.Yes ? 40 : 30, m = transS == Transpose.Yes ? 30 : 40;
        using var b = backend.FromArray(TestUtil.RandomArray(k * 9, 4), k, 9);
        var ch = TestUtil.RandomArray(m * 9, 5);
        using var c1 = backend.FromArray(ch, m, 9);
        using var c2 = backend.FromArray(ch, m, 9);
        backend.SparseGemm(transS, 0.5f, s, b, 2f, c1);
        backend.Gemm(transS, Transpose.No, 0.5f, sd, b, 2f, c2);
        TestUtil.AssertClose(c2.ToArray(), c1.ToArray(), 1e-5, 1e-5);
    }

    [Fact]
    public void SparseGemm_DuplicateColumnEntries_AreSummed()
    {
        using var backend = new CpuBackend();
        // Row 0 stores column 1 twice; the product must treat it as 2 + 3 = 5.
        var csr = new CsrMatrix(2, 3, new[] { 0, 2, 3 }, new[] { 1, 1, 0 }, new[] { 2f, 3f, 4f });
        using var s = backend.Upload(csr);
        using var b = backend.FromArray(new float[] { 1, 10, 100, 1000, 10000, 100000 }, 3, 2);
        using var c = backend.Allocate(2, 2);
        backend.SparseGemm(Transpose.No, 1f, s, b, 0f, c);
        Assert.Equal(new float[] { 500, 5000, 4, 40 }, c.ToArray());

        using var bt = backend.FromArray(new float[] { 1, 2, 3, 4 }, 2, 2);
        using var ct = backend.Allocate(3, 2);
        backend.SparseGemm(Transpose.Yes, 1f, s, bt, 0f, ct);
        Assert.Equal(new float[] { 12, 16, 5, 10, 0, 0 }, ct.ToArray());
    }

    [Fact]
    public void SparseGemm_ShapeMismatch_Throws()
    {
        using var backend = new CpuBackend();
        using var s = backend.Upload(CsrMatrix.FromDense(new float[] { 1, 0, 0, 2, 0, 3 }, 2, 3));
        using var b = backend.Allocate(2, 4);    // S is 2x3, so S*B needs B 3xN
        using var c = backend.Allocate(2, 4);
        TestUtil.ThrowsNaming("SparseGemm", () => backend.SparseGemm(Transpose.No, 1f, s, b, 0f, c));
        using var b3 = backend.Allocate(3, 4);
        TestUtil.ThrowsNaming("SparseGemm", () => backend.SparseGemm(Transpose.Yes, 1f, s, b3, 0f, c)); // S' is 3x2, needs B 2xN
        using var wrongC = backend.Allocate(3, 4);
        TestUtil.ThrowsNaming("SparseGemm", () => backend.SparseGemm(Transpose.No, 1f, s, b3, 0f, wrongC));
        TestUtil.ThrowsNaming("SparseGemm", () => backend.SparseGemm(Transpose.Yes, 1f, s, b, 0f, c)); // S'B is 3x4, C is 2x4
    }
}
