using Affect.Search.Compute.Cpu;

namespace Affect.Search.Compute.Ilgpu.Tests;

/// <summary>
/// One ILGPU CPU-accelerator backend (kernel compilation takes a second or two) and the managed CPU
/// backend as the reference, shared by every test class in the "ilgpu" collection.
/// </summary>
public sealed class BackendPair : IDisposable
{
    public IlgpuBackend Ilgpu { get; } = IlgpuBackend.CreateCpuForTests();

    /// <summary>Managed GEMM, so the tests need no OpenBLAS.</summary>
    public CpuBackend Cpu { get; } = new(useOpenBlas: false);

    public void Dispose()
    {
        Ilgpu.Dispose();
        Cpu.Dispose();
    }

    /// <summary>Runs the same operation on both backends and downloads its result from each.</summary>
    public (float[] Cpu, float[] Ilgpu) Both(Func<IComputeBackend, FloatMatrix> operation)
    {
        using var c = operation(Cpu);
        using var g = operation(Ilgpu);
        return (c.ToArray(), g.ToArray());
    }

    /// <summary>The exception each backend throws for the same call.</summary>
    public (Exception Cpu, Exception Ilgpu) BothThrow(Action<IComputeBackend> operation)
        => (Record.Exception(() => operation(Cpu))!, Record.Exception(() => operation(Ilgpu))!);
}

[CollectionDefinition("ilgpu")]
public sealed class IlgpuCollection : ICollectionFixture<BackendPair>;

/// <summary>Seeded data and tolerant comparisons.</summary>
internal static class Data
{
    /// <summary>Uniform values in [lo, hi) from a seeded System.Random.</summary>
    public static float[] Random(int length, int seed, float lo = -1f, float hi = 1f)
    {
        var rng = new Random(seed);
        var a = new float[length];
        for (int i = 0; i < a.Length; i++) a[i] = lo + (hi - lo) * (float)rng.NextDouble();
        return a;
    }

    public static float[] Filled(int length, float value)
    {
        var a = new float[length];
        Array.Fill(a, value);
        return a;
    }

    /// <summary>A sparse rows x cols matrix with about <paramref name="density"/> non-zeros and some empty rows.</summary>
    public static CsrMatrix Sparse(int rows, int cols, double density, int seed)
    {
        var rng = new Random(seed);
        var dense = new float[rows * cols];
        for (int r = 0; r < rows; r++)
        {
            if (r % 4 == 1) continue; // empty rows exercise zero-length CSR rows
            for (int c = 0; c < cols; c++)
                if (rng.NextDouble() < density) dense[r * cols + c] = (float)(rng.NextDouble() * 4 - 2);
        }
        return CsrMatrix.FromDense(dense, rows, cols);
    }

    /// <summary>|actual - expected| &lt;= tol * max(1, |expected|) element-wise, naming the first bad index.</summary>
    public static void AssertClose(float[] expected, float[] actual, double tol = 1e-4)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
        {
            Assert.False(float.IsNaN(actual[i]) && !float.IsNaN(expected[i]), $"element {i} is NaN (expected {expected[i]})");
            double bound = tol * Math.Max(1.0, Math.Abs(expected[i]));
            Assert.True(Math.Abs(actual[i] - (double)expected[i]) <= bound,
                $"element {i}: expected {expected[i]}, got {actual[i]} (tolerance {bound:g3})");
        }
    }
}
