using Affect.Search.Compute.Cpu;

namespace Affect.Search.Compute.Tests;

public class GemmTests
{
    /// <summary>(engine, transA, transB, m, n, k, alpha, beta).</summary>
    public static TheoryData<string, Transpose, Transpose, int, int, int, float, float> Cases()
    {
        var data = new TheoryData<string, Transpose, Transpose, int, int, int, float, float>();
        var shapes = new (int M, int N, int K)[] { (1, 1, 1), (3, 5, 7), (65, 129, 33), (17, 1, 64), (1, 31, 9), (40, 24, 1) };
        foreach (var engine in new[] { "openblas", "managed" })
            foreach (var ta in new[] { Transpose.No, Transpose.Yes })
                foreach (var tb in new[] { Transpose.No, Transpose.Yes })
                    foreach (var (m, n, k) in shapes)
                        data.Add(engine, ta, tb, m, n, k, 1.7f, -0.6f);
        return data;
    }

    /// <summary>C = alpha * op(A) * op(B) + beta * C in double, all operands row-major as stored.</summary>
    internal static (double[] C, double[] Bound) Reference(bool ta, bool tb, int m, int n, int k, float alpha,
        float[] a, float[] b, float beta, float[] c)
    {
        var result = new double[m * n];
        var bound = new double[m * n]; // sum of absolute terms, the scale of the rounding error
        for (int i = 0; i < m; i++)
            for (int j = 0; j < n; j++)
            {
                double s = 0, abs = 0;
                for (int p = 0; p < k; p++)
                {
                    double av = ta ? a[p * m + i] : a[i * k + p];
                    double bv = tb ? b[j * k + p] : b[p * n + j];
                    s += av * bv;
                    abs += Math.Abs(av * bv);
                }
                double c0 = c[i * n + j];
                result[i * n + j] = alpha * s + (beta == 0 ? 0 : beta * c0);
                bound[i * n + j] = Math.Abs(alpha) * abs + Math.Abs(beta * c0);
            }
        return (result, bound);
    }

    private static void RunAgainstReference(CpuBackend backend, Transpose transA, Transpose transB, int m, int n, int k,
        float alpha, float beta, int seed, float? initialC = null)
    {
        bool ta = transA == Transpose.Yes, tb = transB == Transpose.Yes;
        var ah = TestUtil.RandomArray(m * k, seed);
        var bh = TestUtil.RandomArray(k * n, seed + 1);
        var ch = initialC is { } fill ? TestUtil.Filled(m * n, fill) : TestUtil.RandomArray(m * n, seed + 2);
        using var a = ta ? backend.FromArray(ah, k, m) : backend.FromArray(ah, m, k);
        using var b = tb ? backend.FromArray(bh, n, k) : backend.FromArray(bh, k, n);
        using var c = backend.FromArray(ch, m, n);

        backend.Gemm(transA, transB, alpha, a, b, beta, c);

        var (expected, bound) = Reference(ta, tb, m, n, k, alpha, ah, bh, beta, beta == 0 ? new float[m * n] : ch);
        var actual = c.ToArray();
        for (int i = 0; i < expected.Length; i++)
        {
            Assert.False(float.IsNaN(actual[i]), $"C[{i}] is NaN");
            double tol = 1e-5 * (bound[i] + 1e-3);
            Assert.True(Math.Abs(actual[i] - expected[i]) <= tol,
                $"{backend.Name} {transA}/{transB} {m}x{n}x{k}: C[{i / n},{i % n}] expected {expected[i]:R} got {actual[i]:R}");
        }
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Gemm_MatchesNaiveReference(string engine, Transpose transA, Transpose transB, int m, int n, int k, float alpha, float beta)
    {
        using var backend = TestUtil.Create(engine);
        RunAgainstReference(backend, transA, transB, m, n, k, alpha, beta, seed: m * 1000 + n * 10 + k);
    }

    [Theory]
    [MemberData(nameof(TestUtil.GemmEngines), MemberType = typeof(TestUtil))]
    public void Gemm_BetaZero_IgnoresGarbageInC(string engine)
    {
        using var backend = TestUtil.Create(engine);
        // beta = 0 means C's old contents are not read: NaN there must not leak into the product.
        foreach (var ta in new[] { Transpose.No, Transpose.Yes })
            foreach (var tb in new[] { Transpose.No, Transpose.Yes })
                RunAgainstReference(backend, ta, tb, 9, 13, 11, 0.5f, 0f, seed: 5, initialC: float.NaN);
    }

    [Theory]
    [MemberData(nameof(TestUtil.GemmEngines), MemberType = typeof(TestUtil))]
    public void Gemm_AlphaOneBetaOne_Accumulates(string engine)
    {
        using var backend = TestUtil.Create(engine);
        RunAgainstReference(backend, Transpose.Yes, Transpose.No, 33, 17, 20, 1f, 1f, seed: 77);
    }

    [Theory]
    [MemberData(nameof(TestUtil.GemmEngines), MemberType = typeof(TestUtil))]
    public void Gemm_InnerDimensionZero_ScalesCByBeta(string engine)
    {
        using var backend = TestUtil.Create(engine);
        var ch = TestUtil.RandomArray(12, 3);
        using var a = backend.Allocate(3, 0);
        using var b = backend.Allocate(0, 4);
        using var c = backend.FromArray(ch, 3, 4);
        backend.Gemm(Transpose.No, Transpose.No, 2f, a, b, -0.5f, c);
        TestUtil.AssertClose(ch.Select(v => -0.5 * v).ToArray(), c.ToArray(), 1e-6);

        // Transposed operands with k = 0 as well; beta = 0 clears C.
        using var at = backend.Allocate(0, 3);
        using var bt = backend.Allocate(4, 0);
        backend.Gemm(Transpose.Yes, Transpose.Yes, 2f, at, bt, 0f, c);
        Assert.All(c.ToArray(), v => Assert.Equal(0f, v));
    }

    [Theory]
    [MemberData(nameof(TestUtil.GemmEngines), MemberType = typeof(TestUtil))]
    public void Gemm_EmptyOutput_IsANoOp(string engine)
    {
        using var backend = TestUtil.Create(engine);
        using var a = backend.Allocate(0, 5);
        using var b = backend.Allocate(5, 3);
        using var c = backend.Allocate(0, 3);
        backend.Gemm(Transpose.No, Transpose.No, 1f, a, b, 0f, c);
        Assert.Empty(c.ToArray());
    }

    [Theory]
    [InlineData(Transpose.No, Transpose.No)]
    [InlineData(Transpose.No, Transpose.Yes)]
    [InlineData(Transpose.Yes, Transpose.No)]
    [InlineData(Transpose.Yes, Transpose.Yes)]
    public void OpenBlasAndManaged_AgreeOnLargeProduct(Transpose transA, Transpose transB)
    {
        const int m = 200, n = 300, k = 150;
        using var blas = new CpuBackend(useOpenBlas: true);
        using var managed = new CpuBackend(useOpenBlas: false);
        Assert.Equal("cpu/openblas", blas.Name);
        Assert.Equal("cpu/managed", managed.Name);
        var ah = TestUtil.RandomArray(m * k, 11);
        var bh = TestUtil.RandomArray(k * n, 12);
        var ch = TestUtil.RandomArray(m * n, 13);

        float[] Run(CpuBackend be)
        {
            using var a = transA == Transpose.Yes ? be.FromArray(ah, k, m) : be.FromArray(ah, m, k);
            using var b = transB == Transpose.Yes ? be.FromArray(bh, n, k) : be.FromArray(bh, k, n);
            using var c = be.FromArray(ch, m, n);
            be.Gemm(transA, transB, 0.75f, a, b, 0.25f, c);
            return c.ToArray();
        }

        var x = Run(blas);
        var y = Run(managed);
        double diff = 0, norm = 0, maxAbs = 0;
        for (int i = 0; i < x.Length; i++)
        {
            diff += (double)(x[i] - y[i]) * (x[i] - y[i]);
            norm += (double)y[i] * y[i];
            maxAbs = Math.Max(maxAbs, Math.Abs(y[i]));
        }
        Assert.True(Math.Sqrt(diff / norm) < 1e-4, $"relative Frobenius difference {Math.Sqrt(diff / norm):E3}");
        for (int i = 0; i < x.Length; i++)
            Assert.True(Math.Abs(x[i] - y[i]) <= 1e-4 * Math.Max(Math.Abs(y[i]), 1.0),
                $"element {i}: openblas {x[i]:R} managed {y[i]:R}");

        // And both agree with the double reference.
        var (expected, _) = Reference(transA == Transpose.Yes, transB == Transpose.Yes, m, n, k, 0.75f, ah, bh, 0.25f, ch);
        TestUtil.AssertClose(expected, x, 1e-4, 1e-4);
        TestUtil.AssertClose(expected, y, 1e-4, 1e-4);
    }

    [Theory]
    [MemberData(nameof(TestUtil.GemmEngines), MemberType = typeof(TestUtil))]
    public void Gemm_ShapeMismatch_Throws(string engine)
    {
        using var backend = TestUtil.Create(engine);
        using var a = backend.Allocate(3, 4);
        using var b = backend.Allocate(5, 2);
        using var c = backend.Allocate(3, 2);
        TestUtil.ThrowsNaming("Gemm", () => backend.Gemm(Transpose.No, Transpose.No, 1f, a, b, 0f, c));
        // op(B) = B' is 2x5: still wrong.
        TestUtil.ThrowsNaming("Gemm", () => backend.Gemm(Transpose.No, Transpose.Yes, 1f, a, b, 0f, c));

        using var b2 = backend.Allocate(4, 2);
        using var wrongC = backend.Allocate(2, 3);
        TestUtil.ThrowsNaming("Gemm", () => backend.Gemm(Transpose.No, Transpose.No, 1f, a, b2, 0f, wrongC));
        // Transposing A makes it 4x3, which no longer matches B (4x2).
        TestUtil.ThrowsNaming("Gemm", () => backend.Gemm(Transpose.Yes, Transpose.No, 1f, a, b2, 0f, c));
    }
}
