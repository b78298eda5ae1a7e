using Affect.Search.Compute.Cpu;

namespace Affect.Search.Compute.Tests;

/// <summary>Shape mismatches and foreign matrices are rejected with an ArgumentException naming the operation.</summary>
public class BackendErrorTests : IDisposable
{
    private readonly CpuBackend _backend = new();
    private readonly CpuBackend _other = new();

    public void Dispose()
    {
        _backend.Dispose();
        _other.Dispose();
    }

    [Fact]
    public void ShapeMismatches_NameTheOperation()
    {
        var b = _backend;
        using var m = b.Allocate(3, 4);
        using var row4 = b.Allocate(1, 4);
        using var row5 = b.Allocate(1, 5);
        using var col3 = b.Allocate(3, 1);
        using var col4 = b.Allocate(4, 1);
        using var m43 = b.Allocate(4, 3);
        using var m35 = b.Allocate(3, 5);

        TestUtil.ThrowsNaming("Copy", () => b.Copy(m, m43));
        TestUtil.ThrowsNaming("AddRowVector", () => b.AddRowVector(m, row5, 1f));
        TestUtil.ThrowsNaming("AddRowVector", () => b.AddRowVector(m, col3, 1f));
        TestUtil.ThrowsNaming("ColumnSums", () => b.ColumnSums(1f, m, 0f, row5));
        TestUtil.ThrowsNaming("RowSums", () => b.RowSums(m, col4));
        TestUtil.ThrowsNaming("Logistic", () => b.Logistic(m, row5, 1f));
        TestUtil.ThrowsNaming("SoftmaxRows", () => b.SoftmaxRows(m, row5, 1f));
        TestUtil.ThrowsNaming("SoftplusRowSums", () => b.SoftplusRowSums(m, col4));
        TestUtil.ThrowsNaming("SquaredDistanceRows", () => b.SquaredDistanceRows(m, row5, col3));
        TestUtil.ThrowsNaming("SquaredDistanceRows", () => b.SquaredDistanceRows(m, row4, col4));
        TestUtil.ThrowsNaming("Axpby", () => b.Axpby(1f, m, 1f, m43));
        TestUtil.ThrowsNaming("CopyMaskedRows", () => b.CopyMaskedRows(m, col3, m35));
        TestUtil.ThrowsNaming("CopyMaskedRows", () => b.CopyMaskedRows(m, col4, m));
        TestUtil.ThrowsNaming("SumOfSquaredDifferences", () => b.SumOfSquaredDifferences(m, m35));
        TestUtil.ThrowsNaming("SampleBernoulli", () => b.SampleBernoulli(m, m43, new RandomStream(1)));
        TestUtil.ThrowsNaming("SampleMultinomialRows", () => b.SampleMultinomialRows(m, 3, m35, new RandomStream(1)));
        TestUtil.ThrowsNaming("Gemm", () => b.Gemm(Transpose.No, Transpose.No, 1f, m, m, 0f, m));
    }

    [Fact]
    public void FailedShapeCheck_LeavesOutputUntouched()
    {
        var h = TestUtil.RandomArray(12, 1);
        using var m = _backend.FromArray(h, 3, 4);
        using var row5 = _backend.Allocate(1, 5);
        Assert.ThrowsAny<ArgumentException>(() => _backend.AddRowVector(m, row5, 1f));
        Assert.ThrowsAny<ArgumentException>(() => _backend.Logistic(m, row5, 1f));
        Assert.ThrowsAny<ArgumentException>(() => _backend.SoftmaxRows(m, row5, 1f));
        Assert.Equal(h, m.ToArray());
    }

    [Fact]
    public void ForeignMatrices_AreRejected_NamingTheOperation()
    {
        var b = _backend;
        using var mine = b.Allocate(3, 3);
        using var mineCol = b.Allocate(3, 1);
        using var mineRow = b.Allocate(1, 3);
        using var foreign = _other.Allocate(3, 3);
        using var foreignRow = _other.Allocate(1, 3);
        using var foreignCol = _other.Allocate(3, 1);
        var rs = new RandomStream(1);

        TestUtil.ThrowsNaming("Upload", () => b.Upload(new float[9], foreign));
        TestUtil.ThrowsNaming("Download", () => b.Download(foreign, new float[9]));
        TestUtil.ThrowsNaming("Copy", () => b.Copy(foreign, mine));
        TestUtil.ThrowsNaming("Copy", () => b.Copy(mine, foreign));
        TestUtil.ThrowsNaming("Fill", () => b.Fill(foreign, 1f));
        TestUtil.ThrowsNaming("Gemm", () => b.Gemm(Transpose.No, Transpose.No, 1f, foreign, mine, 0f, mine));
        TestUtil.ThrowsNaming("Gemm", () => b.Gemm(Transpose.No, Transpose.No, 1f, mine, mine, 0f, foreign));
        TestUtil.ThrowsNaming("AddRowVector", () => b.AddRowVector(mine, foreignRow, 1f));
        TestUtil.ThrowsNaming("ColumnSums", () => b.ColumnSums(1f, foreign, 0f, mineRow));
        TestUtil.ThrowsNaming("RowSums", () => b.RowSums(mine, foreignCol));
        TestUtil.ThrowsNaming("Logistic", () => b.Logistic(mine, foreignRow, 1f));
        TestUtil.ThrowsNaming("SoftmaxRows", () => b.SoftmaxRows(foreign, null, 1f));
        TestUtil.ThrowsNaming("SoftplusRowSums", () => b.SoftplusRowSums(foreign, mineCol));
        TestUtil.ThrowsNaming("SquaredDistanceRows", () => b.SquaredDistanceRows(mine, foreignRow, mineCol));
        TestUtil.ThrowsNaming("SampleBernoulli", () => b.SampleBernoulli(foreign, mine, rs));
        TestUtil.ThrowsNaming("AddGaussianNoise", () => b.AddGaussianNoise(foreign, 1f, rs));
        TestUtil.ThrowsNaming("SampleMultinomialRows", () => b.SampleMultinomialRows(mine, 2, foreign, rs));
        TestUtil.ThrowsNaming("Axpby", () => b.Axpby(1f, foreign, 1f, mine));
        TestUtil.ThrowsNaming("CopyMaskedRows", () => b.CopyMaskedRows(mine, foreignCol, mine));
        TestUtil.ThrowsNaming("SumOfSquaredDifferences", () => b.SumOfSquaredDifferences(mine, foreign));
        TestUtil.ThrowsNaming("Sum", () => b.Sum(foreign));

        using var foreignSparse = _other.Upload(CsrMatrix.FromDense(new float[9], 3, 3));
        TestUtil.ThrowsNaming("SparseGemm", () => b.SparseGemm(Transpose.No, 1f, foreignSparse, mine, 0f, mine));
        using var mySparse = b.Upload(CsrMatrix.FromDense(new float[9], 3, 3));
        TestUtil.ThrowsNaming("SparseGemm", () => b.SparseGemm(Transpose.Yes, 1f, mySparse, foreign, 0f, mine));
    }

    [Fact]
    public void ForeignMessage_NamesBothBackends()
    {
        using var managed = new CpuBackend(useOpenBlas: false);
        using var foreign = managed.Allocate(2, 2);
        var ex = Assert.ThrowsAny<ArgumentException>(() => _backend.Fill(foreign, 0f));
        Assert.Contains("cpu/managed", ex.Message);
        Assert.Contains("cpu/openblas", ex.Message);
    }
}
