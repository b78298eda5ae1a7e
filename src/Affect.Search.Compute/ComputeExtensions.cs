namespace Affect.Search.Compute;

/// <summary>Conveniences composed from <see cref="IComputeBackend"/> primitives.</summary>
public static class ComputeExtensions
{
    /// <summary>Allocates and uploads a matrix.</summary>
    public static FloatMatrix FromArray(this IComputeBackend backend, ReadOnlySpan<float> data, int rows, int cols)
    {
        if (data.Length != (long)rows * cols) throw new ArgumentException($"{data.Length} values do not fill a {rows}x{cols} matrix");
        var m = backend.Allocate(rows, cols);
        backend.Upload(data, m);
        return m;
    }

    /// <summary>m *= alpha.</summary>
    public static void Scale(this IComputeBackend backend, FloatMatrix matrix, float alpha) => backend.Axpby(0f, matrix, alpha, matrix);

    /// <summary>
    /// The m, n, k of C = op(A) op(B), after checking that the inner dimensions agree and C is m x n;
    /// every backend's GEMM validates through this one place.
    /// </summary>
    public static (int M, int N, int K) GemmShape(Transpose transposeA, Transpose transposeB, FloatMatrix a, FloatMatrix b, FloatMatrix c)
    {
        bool ta = transposeA == Transpose.Yes, tb = transposeB == Transpose.Yes;
        int m = ta ? a.Cols : a.Rows, k = ta ? a.Rows : a.Cols;
        int kb = tb ? b.Cols : b.Rows, n = tb ? b.Rows : b.Cols;
        if (k != kb) throw new ArgumentException($"Gemm: inner dimensions differ ({m}x{k} times {kb}x{n})");
        RequireShape(c, m, n, "Gemm output");
        return (m, n, k);
    }

    /// <summary>Checks two shapes agree, naming the operation when they do not.</summary>
    public static void RequireShape(FloatMatrix m, int rows, int cols, string what)
    {
        if (m.Rows != rows || m.Cols != cols)
            throw new ArgumentException($"{what}: expected a {rows}x{cols} matrix, got {m.Rows}x{m.Cols}");
    }
}
