namespace Affect.Search.Compute.Ilgpu.Tests;

/// <summary>Memory, element-wise and per-row operations against the CPU backend.</summary>
[Collection("ilgpu")]
public class ElementwiseAgreementTests(BackendPair pair)
{
    private IlgpuBackend G => pair.Ilgpu;

    [Fact]
    public void Allocate_IsZeroFilled_AndUploadDownloadRoundTrips()
    {
        using var m = G.Allocate(7, 13);
        Assert.All(m.ToArray(), x => Assert.Equal(0f, x));
        var data = Data.Random(7 * 13, 20);
        G.Upload(data, m);
        Assert.Equal(data, m.ToArray());
        using var empty = G.Allocate(0, 5);
        Assert.Empty(empty.ToArray());
    }

    [Fact]
    public void Copy_And_Fill()
    {
        var data = Data.Random(16 * 33, 21);
        using var src = G.FromArray(data, 16, 33);
        using var dst = G.Allocate(16, 33);
        G.Copy(src, dst);
        Assert.Equal(data, dst.ToArray());
        G.Fill(dst, -2.5f);
        Assert.All(dst.ToArray(), x => Assert.Equal(-2.5f, x));
        Assert.Equal(data, src.ToArray());
    }

    [Fact]
    public void AddRowVector_Agrees()
    {
        var m0 = Data.Random(16 * 33, 22);
        var v = Data.Random(33, 23);
        var (cpu, gpu) = pair.Both(be =>
        {
            var m = be.FromArray(m0, 16, 33);
            be.AddRowVector(m, be.FromArray(v, 1, 33), -0.7f);
            return m;
        });
        Data.AssertClose(cpu, gpu);
    }

    [Theory]
    [InlineData(0.5f, 2f)]
    [InlineData(1f, 0f)]
    public void ColumnSums_Agrees(float alpha, float beta)
    {
        var m0 = Data.Random(16 * 33, 24);
        var d0 = beta == 0f ? Data.Filled(33, float.NaN) : Data.Random(33, 25);
        var (cpu, gpu) = pair.Both(be =>
        {
            var d = be.FromArray(d0, 1, 33);
            be.ColumnSums(alpha, be.FromArray(m0, 16, 33), beta, d);
            return d;
        });
        Data.AssertClose(cpu, gpu);
    }

    [Theory]
    [InlineData(7, 13)]
    [InlineData(3, 300)] // wider than one 128-thread group
    public void RowSums_Agrees(int rows, int cols)
    {
        var m0 = Data.Random(rows * cols, 26);
        var (cpu, gpu) = pair.Both(be =>
        {
            var d = be.Allocate(rows, 1);
            be.RowSums(be.FromArray(m0, rows, cols), d);
            return d;
        });
        Data.AssertClose(cpu, gpu);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Logistic_Agrees(bool withBias)
    {
        var m0 = Data.Random(16 * 33, 27, -10f, 10f);
        var bias = Data.Random(33, 28, -3f, 3f);
        var (cpu, gpu) = pair.Both(be =>
        {
            var m = be.FromArray(m0, 16, 33);
            be.Logistic(m, withBias ? be.FromArray(bias, 1, 33) : null, 0.5f);
            return m;
        });
        Data.AssertClose(cpu, gpu);
    }

    [Theory]
    [InlineData(7, 13, true, 3f)]
    [InlineData(16, 33, false, 1f)]
    [InlineData(3, 300, true, 0.25f)]
    public void SoftmaxRows_Agrees_AndRowsSumToScale(int rows, int cols, bool withBias, float scale)
    {
        var m0 = Data.Random(rows * cols, 29, -5f, 5f);
        var bias = Data.Random(cols, 30, -2f, 2f);
        var (cpu, gpu) = pair.Both(be =>
        {
            var m = be.FromArray(m0, rows, cols);
            be.SoftmaxRows(m, withBias ? be.FromArray(bias, 1, cols) : null, scale);
            return m;
        });
        Data.AssertClose(cpu, gpu, 1e-5);
        for (int r = 0; r < rows; r++)
            Assert.Equal(scale, gpu.AsSpan(r * cols, cols).ToArray().Sum(), 4);
    }

    [Fact]
    public void SoftmaxRows_LargeLogits_DoNotOverflow()
    {
        using var m = G.FromArray([1000f, 1000f, 999f, -1000f, 0f, 88f, 90f, 89f], 2, 4);
        G.SoftmaxRows(m, null, 1f);
        var r = m.ToArray();
        double e = Math.Exp(-1);
        Data.AssertClose([(float)(1 / (2 + e)), (float)(1 / (2 + e)), (float)(e / (2 + e)), 0f], r[..4], 1e-5);
        Assert.Equal(1f, r[4..].Sum(), 5);
        Assert.DoesNotContain(r, x => !float.IsFinite(x));
    }

    [Theory]
    [InlineData(7, 13)]
    [InlineData(3, 300)]
    public void SoftplusRowSums_Agrees_OverAWideRange(int rows, int cols)
    {
        var m0 = Data.Random(rows * cols, 31, -40f, 40f);
        var (cpu, gpu) = pair.Both(be =>
        {
            var d = be.Allocate(rows, 1);
            be.SoftplusRowSums(be.FromArray(m0, rows, cols), d);
            return d;
        });
        Data.AssertClose(cpu, gpu);
    }

    [Fact]
    public void SquaredDistanceRows_Agrees()
    {
        var m0 = Data.Random(16 * 33, 32);
        var v = Data.Random(33, 33);
        var (cpu, gpu) = pair.Both(be =>
        {
            var d = be.Allocate(16, 1);
            be.SquaredDistanceRows(be.FromArray(m0, 16, 33), be.FromArray(v, 1, 33), d);
            return d;
        });
        Data.AssertClose(cpu, gpu);
    }

    [Theory]
    [InlineData(0f, 2f)]
    [InlineData(1.5f, 0f)]
    [InlineData(1.5f, 1f)]
    [InlineData(1.5f, -0.5f)]
    public void Axpby_Agrees(float alpha, float beta)
    {
        var x0 = Data.Random(7 * 13, 34);
        var y0 = Data.Random(7 * 13, 35);
        var (cpu, gpu) = pair.Both(be =>
        {
            var y = be.FromArray(y0, 7, 13);
            be.Axpby(alpha, be.FromArray(x0, 7, 13), beta, y);
            return y;
        });
        Data.AssertClose(cpu, gpu);
    }

    [Fact]
    public void Axpby_SameMatrix_AndScale()
    {
        var x0 = Data.Random(7 * 13, 36);
        var (cpu, gpu) = pair.Both(be =>
        {
            var x = be.FromArray(x0, 7, 13);
            be.Axpby(2f, x, 3f, x);
            be.Scale(x, 0.5f);
            return x;
        });
        Data.AssertClose(cpu, gpu);
        Data.AssertClose(x0.Select(v => 2.5f * v).ToArray(), gpu);
    }

    [Fact]
    public void CopyMaskedRows_Agrees()
    {
        var s0 = Data.Random(16 * 33, 37);
        var d0 = Data.Random(16 * 33, 38);
        var mask = Enumerable.Range(0, 16).Select(r => r % 3 == 0 ? 0f : r % 3 == 1 ? 1f : -0.5f).ToArray();
        var (cpu, gpu) = pair.Both(be =>
        {
            var d = be.FromArray(d0, 16, 33);
            be.CopyMaskedRows(be.FromArray(s0, 16, 33), be.FromArray(mask, 16, 1), d);
            return d;
        });
        Assert.Equal(cpu, gpu);
    }

    [Fact]
    public void Sum_And_SumOfSquaredDifferences_Agree()
    {
        var a0 = Data.Random(16 * 33, 39);
        var b0 = Data.Random(16 * 33, 40);
        using var ca = pair.Cpu.FromArray(a0, 16, 33);
        using var cb = pair.Cpu.FromArray(b0, 16, 33);
        using var ga = G.FromArray(a0, 16, 33);
        using var gb = G.FromArray(b0, 16, 33);
        Assert.Equal(pair.Cpu.Sum(ca), G.Sum(ga), 1e-4);
        double ssd = pair.Cpu.SumOfSquaredDifferences(ca, cb);
        Assert.Equal(1.0, G.SumOfSquaredDifferences(ga, gb) / ssd, 1e-6);
        double exact = a0.Zip(b0, (x, y) => ((double)x - y) * ((double)x - y)).Sum();
        Assert.Equal(exact, G.SumOfSquaredDifferences(ga, gb), 1e-9);
        Assert.Equal(a0.Sum(x => (double)x), G.Sum(ga), 1e-9);
    }

    [Fact]
    public void Sum_UsesManyGroups_OnLongerMatrices()
    {
        // 300 x 20 = 6000 elements: 24 reduction groups, each a partial the host adds.
        var a0 = Data.Random(300 * 20, 41);
        using var ga = G.FromArray(a0, 300, 20);
        Assert.Equal(a0.Sum(x => (double)x), G.Sum(ga), 1e-9);
    }

    [Fact]
    public void EmptyMatrices_AreNoOps()
    {
        using var e = G.Allocate(0, 4);
        using var row = G.Allocate(1, 4);
        using var col = G.Allocate(0, 1);
        G.Fill(e, 1f);
        G.Logistic(e, row, 1f);
        G.SoftmaxRows(e, null, 1f);
        G.RowSums(e, col);
        G.ColumnSums(1f, e, 0f, row);
        Assert.All(row.ToArray(), x => Assert.Equal(0f, x));
        Assert.Equal(0.0, G.Sum(e));
    }
}
