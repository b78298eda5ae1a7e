namespace Affect.Search.Compute.Ilgpu.Tests;

[Collection("ilgpu")]
public class SparseGemmAgreementTests(BackendPair pair)
{
    [Theory]
    [InlineData(Transpose.No, 1.5f, 0.5f)]
    [InlineData(Transpose.Yes, 1.5f, 0.5f)]
    [InlineData(Transpose.No, -0.5f, 0f)]
    [InlineData(Transpose.Yes, -0.5f, 0f)]
    public void BothOrientations_AgreeWithCpu(Transpose transpose, float alpha, float beta)
    {
        var s = Data.Sparse(9, 21, 0.3, 7);
        int bRows = transpose == Transpose.No ? s.Cols : s.Rows;
        int cRows = transpose == Transpose.No ? s.Rows : s.Cols;
        const int n = 13;
        var b = Data.Random(bRows * n, 8);
        // beta = 0 must ignore whatever C held, NaN included.
        var c0 = beta == 0f ? Data.Filled(cRows * n, float.NaN) : Data.Random(cRows * n, 9);
        var (cpu, gpu) = pair.Both(be =>
        {
            var c = be.FromArray(c0, cRows, n);
            be.SparseGemm(transpose, alpha, be.Upload(s), be.FromArray(b, bRows, n), beta, c);
            return c;
        });
        Data.AssertClose(cpu, gpu);
    }

    [Theory]
    [InlineData(Transpose.No)]
    [InlineData(Transpose.Yes)]
    public void MatchesDenseGemm(Transpose transpose)
    {
        var s = Data.Sparse(16, 33, 0.2, 10);
        var be = pair.Ilgpu;
        int bRows = transpose == Transpose.No ? s.Cols : s.Rows;
        int cRows = transpose == Transpose.No ? s.Rows : s.Cols;
        var b = be.FromArray(Data.Random(bRows * 5, 11), bRows, 5);
        var sparse = be.Allocate(cRows, 5);
        var dense = be.Allocate(cRows, 5);
        be.SparseGemm(transpose, 1f, be.Upload(s), b, 0f, sparse);
        be.Gemm(transpose, Transpose.No, 1f, be.FromArray(s.ToDense(), s.Rows, s.Cols), b, 0f, dense);
        Data.AssertClose(dense.ToArray(), sparse.ToArray());
    }

    [Fact]
    public void NoStoredValues_ScalesOutput()
    {
        var s = CsrMatrix.FromDense(new float[4 * 3], 4, 3);
        var c0 = Data.Random(3 * 2, 12);
        var (cpu, gpu) = pair.Both(be =>
        {
            var c = be.FromArray(c0, 3, 2);
            be.SparseGemm(Transpose.Yes, 1f, be.Upload(s), be.FromArray(Data.Random(4 * 2, 13), 4, 2), 2f, c);
            return c;
        });
        Data.AssertClose(cpu, gpu);
    }
}
