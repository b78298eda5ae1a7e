using System.Numerics.Tensors;

namespace Affect.Search.Compute.Cpu;

/// <summary>
/// A portable GEMM in managed code (row-parallel, SIMD inner loop through TensorPrimitives).
/// Used when OpenBLAS is missing or when a test forces it; a few GFLOP/s, so not for production.
/// </summary>
public static class ManagedGemm
{
    /// <summary>Row-major C (m x n) = alpha * op(A) * op(B) + beta * C.</summary>
    public static void Sgemm(bool transA, bool transB, int m, int n, int k, float alpha,
        float[] a, float[] b, float beta, float[] c)
    {
        // Materialise op(A) and op(B) as plain row-major so the kernel has one shape: A m x k, B k x n.
        float[] am = transA ? TransposeOf(a, k, m) : a;
        float[] bm = transB ? TransposeOf(b, n, k) : b;
        Parallel.For(0, m, i =>
        {
            var row = c.AsSpan(i * n, n);
            if (beta == 0f) row.Clear();
            else if (beta != 1f) TensorPrimitives.Multiply(row, beta, row);
            var ai = am.AsSpan(i * k, k);
            for (int p = 0; p < k; p++)
            {
                float s = alpha * ai[p];
                if (s != 0f) TensorPrimitives.MultiplyAdd(bm.AsSpan(p * n, n), s, row, row);
            }
        });
    }

    /// <summary>The transpose of a row-major rows x cols matrix.</summary>
    public static float[] TransposeOf(float[] x, int rows, int cols)
    {
        var t = new float[x.Length];
        for (int r = 0; r < rows; r++)
            for (int c = 0; c < cols; c++) t[c * rows + r] = x[r * cols + c];
        return t;
    }
}
