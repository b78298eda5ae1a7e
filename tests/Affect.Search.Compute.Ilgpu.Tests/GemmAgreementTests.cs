namespace Affect.Search.Compute.Ilgpu.Tests;

/// <summary>The tiled ILGPU GEMM against the managed CPU GEMM, on sizes that are not tile multiples.</summary>
[Collection("ilgpu")]
public class GemmAgreementTests(BackendPair pair)
{
    public static TheoryData<Transpose, Transpose, int, int, int> Cases()
    {
        var data = new TheoryData<Transpose, Transpose, int, int, int>();
        foreach (var ta in new[] { Transpose.No, Transpose.Yes })
            foreach (var tb in new[] { Transpose.No, Transpose.Yes })
            {
                data.Add(ta, tb, 7, 13, 5);   // smaller than one tile in every direction
                data.Add(ta, tb, 16, 33, 70); // several depth steps with a ragged last one
                data.Add(ta, tb, 70, 66, 19); // 2x2 output blocks, both ragged
            }
        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void AllTransposeCases_AgreeWithCpu(Transpose ta, Transpose tb, int m, int n, int k)
    {
        // Stored shapes: op(A) is m x k, op(B) is k x n.
        var (ar, ac) = ta == Transpose.No ? (m, k) : (k, m);
        var (br, bc) = tb == Transpose.No ? (k, n) : (n, k);
        var a = Data.Random(ar * ac, 1);
        var b = Data.Random(br * bc, 2);
        var c0 = Data.Random(m * n, 3);
        var (cpu, gpu) = pair.Both(be =>
        {
            var c = be.FromArray(c0, m, n);
            be.Gemm(ta, tb, 0.75f, be.FromArray(a, ar, ac), be.FromArray(b, br, bc), -1.25f, c);
            return c;
        });
        Data.AssertClose(cpu, gpu, 1e-4);
    }

    [Fact]
    public void BetaZero_IgnoresNaNInOutput()
    {
        var a = Data.Random(9 * 4, 4);
        var b = Data.Random(4 * 11, 5);
        var (cpu, gpu) = pair.Both(be =>
        {
            var c = be.FromArray(Data.Filled(9 * 11, float.NaN), 9, 11);
            be.Gemm(Transpose.No, Transpose.No, 2f, be.FromArray(a, 9, 4), be.FromArray(b, 4, 11), 0f, c);
            return c;
        });
        Assert.DoesNotContain(gpu, float.IsNaN);
        Data.AssertClose(cpu, gpu);
    }

    [Fact]
    public void EmptyInnerDimension_ScalesOutput()
    {
        var c0 = Data.Random(5 * 6, 6);
        var (cpu, gpu) = pair.Both(be =>
        {
            var c = be.FromArray(c0, 5, 6);
            be.Gemm(Transpose.No, Transpose.No, 1f, be.Allocate(5, 0), be.Allocate(0, 6), 0.5f, c);
            return c;
        });
        Data.AssertClose(cpu, gpu);
        Data.AssertClose(c0.Select(x => 0.5f * x).ToArray(), gpu);
    }
}
