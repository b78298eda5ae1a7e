using Affect.Search.Compute.Cpu;

namespace Affect.Search.Compute.Tests;

public class ElementwiseTests : IDisposable
{
    private readonly CpuBackend _backend = new();

    public void Dispose() => _backend.Dispose();

    /// <summary>Shapes below and above the backend's parallel threshold (rows * cols = 32768).</summary>
    public static TheoryData<int, int> Shapes => new() { { 1, 1 }, { 3, 7 }, { 5, 33 }, { 300, 257 } };

    // ---------- AddRowVector ----------

    [Theory]
    [MemberData(nameof(Shapes))]
    public void AddRowVector_AddsScaledVectorToEveryRow(int rows, int cols)
    {
        var mh = TestUtil.RandomArray(rows * cols, 1);
        var vh = TestUtil.RandomArray(cols, 2);
        using var m = _backend.FromArray(mh, rows, cols);
        using var v = _backend.FromArray(vh, 1, cols);
        _backend.AddRowVector(m, v, -0.7f);
        var expected = new double[rows * cols];
        for (int r = 0; r < rows; r++)
            for (int c = 0; c < cols; c++) expected[r * cols + c] = mh[r * cols + c] + -0.7 * vh[c];
        TestUtil.AssertClose(expected, m.ToArray(), 1e-6, 1e-6);
        Assert.Equal(vh, v.ToArray()); // the vector is untouched
    }

    // ---------- ColumnSums / RowSums ----------

    [Theory]
    [MemberData(nameof(Shapes))]
    public void ColumnSums_AlphaBeta(int rows, int cols)
    {
        var mh = TestUtil.RandomArray(rows * cols, 3);
        var dh = TestUtil.RandomArray(cols, 4);
        using var m = _backend.FromArray(mh, rows, cols);
        using var d = _backend.FromArray(dh, 1, cols);
        _backend.ColumnSums(2f, m, 0.5f, d);
        var expected = new double[cols];
        for (int c = 0; c < cols; c++)
        {
            double s = 0;
            for (int r = 0; r < rows; r++) s += mh[r * cols + c];
            expected[c] = 2 * s + 0.5 * dh[c];
        }
        TestUtil.AssertClose(expected, d.ToArray(), 1e-5, 1e-5);
    }

    [Fact]
    public void ColumnSums_BetaZero_OverwritesEvenNaN()
    {
        using var m = _backend.FromArray(new float[] { 1, 2, 3, 4, 5, 6 }, 2, 3);
        using var d = _backend.FromArray(new[] { float.NaN, float.PositiveInfinity, 7f }, 1, 3);
        _backend.ColumnSums(-1f, m, 0f, d);
        Assert.Equal(new float[] { -5, -7, -9 }, d.ToArray());
        _backend.ColumnSums(1f, m, 1f, d);
        Assert.Equal(new float[] { 0, 0, 0 }, d.ToArray());
    }

    [Theory]
    [MemberData(nameof(Shapes))]
    public void RowSums_SumsEachRow(int rows, int cols)
    {
        var mh = TestUtil.RandomArray(rows * cols, 5);
        using var m = _backend.FromArray(mh, rows, cols);
        using var d = _backend.FromArray(TestUtil.Filled(rows, float.NaN), rows, 1);
        _backend.RowSums(m, d);
        var expected = new double[rows];
        for (int r = 0; r < rows; r++)
            for (int c = 0; c < cols; c++) expected[r] += mh[r * cols + c];
        TestUtil.AssertClose(expected, d.ToArray(), 1e-5, 1e-5);
    }

    // ---------- Logistic ----------

    private static double Sigmoid(double x) => 1 / (1 + Math.Exp(-x));

    [Theory]
    [MemberData(nameof(Shapes))]
    public void Logistic_WithoutBias(int rows, int cols)
    {
        var mh = TestUtil.RandomArray(rows * cols, 6, -8, 8);
        using var m = _backend.FromArray(mh, rows, cols);
        _backend.Logistic(m, null, 123f); // bias scale is irrelevant without a bias
        TestUtil.AssertClose(mh.Select(x => Sigmoid(x)).ToArray(), m.ToArray(), 1e-5, 1e-7);
    }

    [Theory]
    [MemberData(nameof(Shapes))]
    public void Logistic_WithScaledBias(int rows, int cols)
    {
        var mh = TestUtil.RandomArray(rows * cols, 7, -4, 4);
        var bh = TestUtil.RandomArray(cols, 8, -3, 3);
        using var m = _backend.FromArray(mh, rows, cols);
        using var b = _backend.FromArray(bh, 1, cols);
        _backend.Logistic(m, b, 0.5f);
        var expected = new double[rows * cols];
        for (int i = 0; i < expected.Length; i++) expected[i] = Sigmoid(mh[i] + 0.5 * bh[i % cols]);
        TestUtil.AssertClose(expected, m.ToArray(), 1e-5, 1e-7);
        Assert.Equal(bh, b.ToArray());

        // Scale 2 differs from scale 1: the scale really is applied.
        using var m1 = _backend.FromArray(mh, rows, cols);
        _backend.Logistic(m1, b, 2f);
        for (int i = 0; i < expected.Length; i++) expected[i] = Sigmoid(mh[i] + 2.0 * bh[i % cols]);
        TestUtil.AssertClose(expected, m1.ToArray(), 1e-5, 1e-7);
    }

    [Fact]
    public void Logistic_ExtremeInputs_SaturateWithoutNaN()
    {
        using var m = _backend.FromArray(new[] { -100f, 100f, -1000f, 1000f, 0f, float.MaxValue, -float.MaxValue, -30f }, 2, 4);
        _backend.Logistic(m, null, 1f);
        var r = m.ToArray();
        Assert.All(r, v => Assert.True(float.IsFinite(v) && v >= 0f && v <= 1f, $"{v} is not a probability"));
        Assert.Equal(0f, r[0], 1e-30f);
        Assert.Equal(1f, r[1]);
        Assert.Equal(0f, r[2]);
        Assert.Equal(1f, r[3]);
        Assert.Equal(0.5f, r[4]);
        Assert.Equal(1f, r[5]);
        Assert.Equal(0f, r[6]);
        Assert.Equal(Sigmoid(-30), r[7], 1e-18);

        // Extreme through the bias too.
        using var m2 = _backend.Allocate(1, 2);
        using var b = _backend.FromArray(new[] { -100f, 100f }, 1, 2);
        _backend.Logistic(m2, b, 1f);
        Assert.Equal(new[] { 0f, 1f }, m2.ToArray().Select(v => MathF.Round(v, 6)).ToArray());
    }

    // ---------- SoftmaxRows ----------

    private static double[] SoftmaxReference(float[] m, float[]? bias, int rows, int cols, double scale)
    {
        var result = new double[rows * cols];
        for (int r = 0; r < rows; r++)
        {
            double max = double.NegativeInfinity;
            for (int c = 0; c < cols; c++) max = Math.Max(max, m[r * cols + c] + (bias?[c] ?? 0.0));
            double sum = 0;
            for (int c = 0; c < cols; c++) sum += result[r * cols + c] = Math.Exp(m[r * cols + c] + (bias?[c] ?? 0.0) - max);
            for (int c = 0; c < cols; c++) result[r * cols + c] *= scale / sum;
        }
        return result;
    }

    [Theory]
    [MemberData(nameof(Shapes))]
    public void SoftmaxRows_RowsSumToScale(int rows, int cols)
    {
        var mh = TestUtil.RandomArray(rows * cols, 9, -5, 5);
        using var m = _backend.FromArray(mh, rows, cols);
        _backend.SoftmaxRows(m, null, 3f);
        var r = m.ToArray();
        TestUtil.AssertClose(SoftmaxReference(mh, null, rows, cols, 3), r, 1e-5, 1e-7);
        for (int row = 0; row < rows; row++)
            Assert.Equal(3.0, r.AsSpan(row * cols, cols).ToArray().Sum(v => (double)v), 4);
    }

    [Theory]
    [MemberData(nameof(Shapes))]
    public void SoftmaxRows_WithBias(int rows, int cols)
    {
        var mh = TestUtil.RandomArray(rows * cols, 10, -5, 5);
        var bh = TestUtil.RandomArray(cols, 11, -2, 2);
        using var m = _backend.FromArray(mh, rows, cols);
        using var b = _backend.FromArray(bh, 1, cols);
        _backend.SoftmaxRows(m, b, 1f);
        TestUtil.AssertClose(SoftmaxReference(mh, bh, rows, cols, 1), m.ToArray(), 1e-5, 1e-7);
        Assert.Equal(bh, b.ToArray());
    }

    [Fact]
    public void SoftmaxRows_LargeInputs_StayFinite()
    {
        var mh = new[] { 1000f, 999f, 998f, 0f, -1000f, -1001f, -999f, -1000f, 88f, 89f, 90f, 91f };
        using var m = _backend.FromArray(mh, 3, 4);
        _backend.SoftmaxRows(m, null, 50f);
        var r = m.ToArray();
        Assert.All(r, v => Assert.True(float.IsFinite(v), $"softmax produced {v}"));
        TestUtil.AssertClose(SoftmaxReference(mh, null, 3, 4, 50), r, 1e-5, 1e-6);

        // Large values reached through the bias.
        using var m2 = _backend.FromArray(new[] { 0f, 0f }, 1, 2);
        using var b = _backend.FromArray(new[] { 500f, 500f }, 1, 2);
        _backend.SoftmaxRows(m2, b, 1f);
        Assert.Equal(new[] { 0.5f, 0.5f }, m2.ToArray());
    }

    // ---------- SoftplusRowSums ----------

    private static double Softplus(double x) => x > 30 ? x + Math.Exp(-x) : Math.Log(1 + Math.Exp(x));

    [Theory]
    [MemberData(nameof(Shapes))]
    public void SoftplusRowSums_MatchesLog1pExp(int rows, int cols)
    {
        var mh = TestUtil.RandomArray(rows * cols, 12, -10, 10);
        using var m = _backend.FromArray(mh, rows, cols);
        using var d = _backend.Allocate(rows, 1);
        _backend.SoftplusRowSums(m, d);
        var expected = new double[rows];
        for (int i = 0; i < mh.Length; i++) expected[i / cols] += Softplus(mh[i]);
        TestUtil.AssertClose(expected, d.ToArray(), 1e-6, 1e-6);
        Assert.Equal(mh, m.ToArray()); // input untouched
    }

    [Fact]
    public void SoftplusRowSums_StableForExtremeInputs()
    {
        using var m = _backend.FromArray(new[] { 100f, 0f, -100f, 1000f, -1000f, 20f }, 6, 1);
        using var d = _backend.Allocate(6, 1);
        _backend.SoftplusRowSums(m, d);
        var r = d.ToArray();
        Assert.All(r, v => Assert.True(float.IsFinite(v) && v >= 0, $"softplus gave {v}"));
        Assert.Equal(100f, r[0]);
        Assert.Equal((float)Math.Log(2), r[1], 1e-7f);
        Assert.Equal((float)Math.Exp(-100), r[2], 1e-45f); // log1p(e^-100) = e^-100, a denormal float
        Assert.Equal(1000f, r[3]);
        Assert.Equal(0f, r[4]);
        Assert.Equal((float)(20 + Math.Log(1 + Math.Exp(-20.0))), r[5], 1e-5f);
        Assert.Equal(Math.Log(1 + Math.Exp(-3.0)), CpuBackend.Softplus(-3), 15);
        Assert.Equal(3 + Math.Log(1 + Math.Exp(-3.0)), CpuBackend.Softplus(3), 14);
    }

    // ---------- SquaredDistanceRows ----------

    [Theory]
    [MemberData(nameof(Shapes))]
    public void SquaredDistanceRows_MatchesReference(int rows, int cols)
    {
        var mh = TestUtil.RandomArray(rows * cols, 13, -3, 3);
        var vh = TestUtil.RandomArray(cols, 14, -3, 3);
        using var m = _backend.FromArray(mh, rows, cols);
        using var v = _backend.FromArray(vh, 1, cols);
        using var d = _backend.Allocate(rows, 1);
        _backend.SquaredDistanceRows(m, v, d);
        var expected = new double[rows];
        for (int i = 0; i < mh.Length; i++) expected[i / cols] += Math.Pow(mh[i] - (double)vh[i % cols], 2);
        TestUtil.AssertClose(expected, d.ToArray(), 1e-5, 1e-6);
    }

    [Fact]
    public void SquaredDistanceRows_ZeroForMatchingRow()
    {
        using var m = _backend.FromArray(new float[] { 1, 2, 3, 1, 2, 4 }, 2, 3);
        using var v = _backend.FromArray(new float[] { 1, 2, 3 }, 1, 3);
        using var d = _backend.Allocate(2, 1);
        _backend.SquaredDistanceRows(m, v, d);
        Assert.Equal(0f, d.ToArray()[0]);
        Assert.Equal(1f, d.ToArray()[1], 1e-6f);
    }

    // ---------- Axpby ----------

    public static TheoryData<float, float> AxpbyCoefficients => new()
    {
        { 0f, 0.5f }, { 0f, 0f }, { 1.5f, 0f }, { -0.25f, 1f }, { 2f, 3f }, { -1f, 0.3f }, { 1f, 1f },
    };

    [Theory]
    [MemberData(nameof(AxpbyCoefficients))]
    public void Axpby_DistinctMatrices(float alpha, float beta)
    {
        foreach (var (rows, cols) in new[] { (3, 7), (300, 257) })
        {
            var xh = TestUtil.RandomArray(rows * cols, 15);
            var yh = TestUtil.RandomArray(rows * cols, 16);
            using var x = _backend.FromArray(xh, rows, cols);
            using var y = _backend.FromArray(yh, rows, cols);
            _backend.Axpby(alpha, x, beta, y);
            TestUtil.AssertClose(xh.Select((v, i) => alpha * (double)v + beta * (double)yh[i]).ToArray(), y.ToArray(), 1e-6, 1e-6);
            Assert.Equal(xh, x.ToArray());
        }
    }

    [Theory]
    [MemberData(nameof(AxpbyCoefficients))]
    public void Axpby_SameMatrixForXAndY(float alpha, float beta)
    {
        foreach (var (rows, cols) in new[] { (3, 7), (300, 257) })
        {
            var h = TestUtil.RandomArray(rows * cols, 17);
            using var m = _backend.FromArray(h, rows, cols);
            _backend.Axpby(alpha, m, beta, m);
            TestUtil.AssertClose(h.Select(v => (alpha + (double)beta) * v).ToArray(), m.ToArray(), 1e-6, 1e-6);
        }
    }

    [Fact]
    public void Axpby_BetaZero_IgnoresGarbageInY_AlphaZero_IgnoresX()
    {
        using var x = _backend.FromArray(new float[] { 1, 2, 3 }, 1, 3);
        using var y = _backend.FromArray(new[] { float.NaN, float.NaN, float.NaN }, 1, 3);
        _backend.Axpby(2f, x, 0f, y);
        Assert.Equal(new float[] { 2, 4, 6 }, y.ToArray());

        using var nan = _backend.FromArray(new[] { float.NaN, float.NaN, float.NaN }, 1, 3);
        _backend.Axpby(0f, nan, -1f, y);
        Assert.Equal(new float[] { -2, -4, -6 }, y.ToArray());
    }

    [Fact]
    public void Scale_MultipliesInPlace()
    {
        var h = TestUtil.RandomArray(300 * 257, 18);
        using var m = _backend.FromArray(h, 300, 257);
        _backend.Scale(m, -2.5f);
        TestUtil.AssertClose(h.Select(v => -2.5 * v).ToArray(), m.ToArray(), 1e-6);
        _backend.Scale(m, 0f);
        Assert.All(m.ToArray(), v => Assert.Equal(0f, v));
    }

    // ---------- CopyMaskedRows ----------

    [Fact]
    public void CopyMaskedRows_CopiesOnlyRowsWithNonZeroMask()
    {
        const int rows = 6, cols = 4;
        var sh = TestUtil.RandomArray(rows * cols, 19);
        var dh = TestUtil.RandomArray(rows * cols, 20);
        var mask = new[] { 1f, 0f, 0.5f, -1f, 0f, 1f };
        using var s = _backend.FromArray(sh, rows, cols);
        using var d = _backend.FromArray(dh, rows, cols);
        using var mk = _backend.FromArray(mask, rows, 1);
        _backend.CopyMaskedRows(s, mk, d);
        var r = d.ToArray();
        for (int row = 0; row < rows; row++)
        {
            var expected = mask[row] != 0 ? sh : dh;
            Assert.Equal(expected.AsSpan(row * cols, cols).ToArray(), r.AsSpan(row * cols, cols).ToArray());
        }
        Assert.Equal(sh, s.ToArray());
    }

    // ---------- Reductions ----------

    [Fact]
    public void SumOfSquaredDifferences_MatchesDoubleReference()
    {
        foreach (var (rows, cols) in new[] { (1, 1), (3, 7), (400, 300) })
        {
            var ah = TestUtil.RandomArray(rows * cols, 21, -2, 2);
            var bh = TestUtil.RandomArray(rows * cols, 22, -2, 2);
            using var a = _backend.FromArray(ah, rows, cols);
            using var b = _backend.FromArray(bh, rows, cols);
            double expected = 0;
            for (int i = 0; i < ah.Length; i++) expected += Math.Pow((double)ah[i] - bh[i], 2);
            Assert.Equal(expected, _backend.SumOfSquaredDifferences(a, b), expected * 1e-5);
            Assert.Equal(0.0, _backend.SumOfSquaredDifferences(a, a));
        }
    }

    [Fact]
    public void Sum_MatchesDoubleReference()
    {
        foreach (var (rows, cols) in new[] { (1, 1), (3, 7), (400, 300), (0, 5) })
        {
            var h = TestUtil.RandomArray(rows * cols, 23, -1, 3);
            using var m = _backend.FromArray(h, rows, cols);
            double expected = h.Sum(v => (double)v);
            Assert.Equal(expected, _backend.Sum(m), Math.Abs(expected) * 1e-5 + 1e-9);
        }
    }

    // ---------- Fill / Copy / Upload / Download ----------

    [Fact]
    public void Allocate_IsZeroFilled_AndRejectsNegativeShapes()
    {
        using var m = _backend.Allocate(7, 9);
        Assert.Equal(7, m.Rows);
        Assert.Equal(9, m.Cols);
        Assert.Equal(63, m.Length);
        Assert.All(m.ToArray(), v => Assert.Equal(0f, v));
        Assert.Throws<ArgumentOutOfRangeException>(() => _backend.Allocate(-1, 3));
        Assert.Throws<ArgumentOutOfRangeException>(() => _backend.Allocate(3, -1));
    }

    [Fact]
    public void Fill_SetsEveryElement()
    {
        using var m = _backend.FromArray(TestUtil.RandomArray(300 * 200, 24), 300, 200);
        _backend.Fill(m, -3.25f);
        Assert.All(m.ToArray(), v => Assert.Equal(-3.25f, v));
    }

    [Fact]
    public void Copy_CopiesAndLeavesSourceIntact()
    {
        var h = TestUtil.RandomArray(35, 25);
        using var s = _backend.FromArray(h, 5, 7);
        using var d = _backend.FromArray(TestUtil.Filled(35, 9f), 5, 7);
        _backend.Copy(s, d);
        Assert.Equal(h, d.ToArray());
        // The copy is deep: changing the source later does not change the destination.
        _backend.Fill(s, 0f);
        Assert.Equal(h, d.ToArray());
        using var wrong = _backend.Allocate(7, 5);
        TestUtil.ThrowsNaming("Copy", () => _backend.Copy(s, wrong));
    }

    [Fact]
    public void UploadDownload_RoundTrip_AndSizeErrors()
    {
        var h = TestUtil.RandomArray(12, 26);
        using var m = _backend.Allocate(3, 4);
        _backend.Upload(h, m);
        var back = new float[12];
        _backend.Download(m, back);
        Assert.Equal(h, back);
        Assert.Equal(h, m.ToArray());
        h[0] = 42f; // the matrix holds its own copy
        Assert.NotEqual(42f, m.ToArray()[0]);

        TestUtil.ThrowsNaming("upload", () => _backend.Upload(new float[11], m));
        TestUtil.ThrowsNaming("upload", () => _backend.Upload(new float[13], m));
        TestUtil.ThrowsNaming("download", () => _backend.Download(m, new float[11]));
        TestUtil.ThrowsNaming("download", () => _backend.Download(m, new float[13]));
        Assert.ThrowsAny<ArgumentException>(() => _backend.FromArray(new float[5], 2, 3));
    }
}
