using Affect.Search.Compute.Cpu;

namespace Affect.Search.Compute.Tests;

/// <summary>Shared helpers: backends, seeded data, double-precision references and tolerant comparisons.</summary>
internal static class TestUtil
{
    /// <summary>Theory data: both GEMM engines of the CPU backend.</summary>
    public static TheoryData<string> GemmEngines => new() { "openblas", "managed" };

    public static CpuBackend Create(string engine) => engine switch
    {
        "openblas" => new CpuBackend(useOpenBlas: true),
        "managed" => new CpuBackend(useOpenBlas: false),
        _ => throw new ArgumentOutOfRangeException(nameof(engine)),
    };

    /// <summary>Uniform values in [lo, hi) from a seeded System.Random.</summary>
    public static float[] RandomArray(int length, int seed, float lo = -1f, float hi = 1f)
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

    /// <summary>Asserts |actual - expected| &lt;= absTol + relTol * |expected| element-wise, naming the first bad index.</summary>
    public static void AssertClose(ReadOnlySpan<double> expected, ReadOnlySpan<float> actual, double relTol, double absTol = 0)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
        {
            Assert.False(float.IsNaN(actual[i]), $"element {i} is NaN (expected {expected[i]})");
            double err = Math.Abs(actual[i] - expected[i]);
            if (err > absTol + relTol * Math.Abs(expected[i]))
                Assert.Fail($"element {i}: expected {expected[i]:R}, got {actual[i]:R} (error {err:E3})");
        }
    }

    public static void AssertClose(ReadOnlySpan<float> expected, ReadOnlySpan<float> actual, double relTol, double absTol = 0)
    {
        var e = new double[expected.Length];
        for (int i = 0; i < e.Length; i++) e[i] = expected[i];
        AssertClose(e, actual, relTol, absTol);
    }

    /// <summary>Asserts the action throws an ArgumentException whose message mentions <paramref name="operation"/>.</summary>
    public static ArgumentException ThrowsNaming(string operation, Action action)
    {
        var ex = Assert.ThrowsAny<ArgumentException>(action);
        Assert.Contains(operation, ex.Message, StringComparison.OrdinalIgnoreCase);
        return ex;
    }
}
