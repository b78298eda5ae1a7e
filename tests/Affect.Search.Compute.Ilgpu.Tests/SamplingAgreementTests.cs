namespace Affect.Search.Compute.Ilgpu.Tests;

/// <summary>Same seed, same samples: the kernels use RandomStream's counter-based formulas.</summary>
[Collection("ilgpu")]
public class SamplingAgreementTests(BackendPair pair)
{
    [Theory]
    [InlineData(7, 13)]
    [InlineData(16, 33)]
    public void Bernoulli_IsBitIdentical(int rows, int cols)
    {
        var p = Data.Random(rows * cols, 50, 0f, 1f);
        RandomStream cpuStream = new(42), gpuStream = new(42);
        using var cp = pair.Cpu.FromArray(p, rows, cols);
        using var gp = pair.Ilgpu.FromArray(p, rows, cols);
        using var cd = pair.Cpu.Allocate(rows, cols);
        using var gd = pair.Ilgpu.Allocate(rows, cols);
        for (int round = 0; round < 3; round++)
        {
            pair.Cpu.SampleBernoulli(cp, cd, cpuStream);
            pair.Ilgpu.SampleBernoulli(gp, gd, gpuStream);
            var expected = cd.ToArray();
            Assert.Equal(expected, gd.ToArray());
            Assert.Contains(0f, expected);
            Assert.Contains(1f, expected);
        }
        Assert.Equal(cpuStream.NextKey(), gpuStream.NextKey()); // both consumed one key per call
    }

    [Fact]
    public void GaussianNoise_MatchesWithinRounding()
    {
        var m0 = Data.Random(16 * 33, 51);
        RandomStream cpuStream = new(7), gpuStream = new(7);
        var cpu = pair.Cpu.FromArray(m0, 16, 33);
        var gpu = pair.Ilgpu.FromArray(m0, 16, 33);
        pair.Cpu.AddGaussianNoise(cpu, 0.7f, cpuStream);
        pair.Ilgpu.AddGaussianNoise(gpu, 0.7f, gpuStream);
        var expected = cpu.ToArray();
        Data.AssertClose(expected, gpu.ToArray());
        Assert.NotEqual(m0, expected);
    }

    [Theory]
    [InlineData(7, 13, 50)]
    [InlineData(16, 33, 17)]
    public void Multinomial_CountsAreIdentical(int rows, int cols, int draws)
    {
        // Unnormalised, with some zero-probability categories that must never be drawn.
        var p = Data.Random(rows * cols, 52, 0f, 2f);
        for (int i = 0; i < p.Length; i += 5) p[i] = 0f;
        RandomStream cpuStream = new(99), gpuStream = new(99);
        using var cp = pair.Cpu.FromArray(p, rows, cols);
        using var gp = pair.Ilgpu.FromArray(p, rows, cols);
        using var cd = pair.Cpu.FromArray(Data.Filled(rows * cols, 9f), rows, cols);
        using var gd = pair.Ilgpu.FromArray(Data.Filled(rows * cols, 9f), rows, cols);
        pair.Cpu.SampleMultinomialRows(cp, draws, cd, cpuStream);
        pair.Ilgpu.SampleMultinomialRows(gp, draws, gd, gpuStream);
        var expected = cd.ToArray();
        var actual = gd.ToArray();
        Assert.Equal(expected, actual);
        for (int r = 0; r < rows; r++) Assert.Equal(draws, actual.AsSpan(r * cols, cols).ToArray().Sum());
        for (int i = 0; i < p.Length; i += 5) Assert.Equal(0f, actual[i]);
    }

    [Fact]
    public void Multinomial_DyadicProbabilities_AreIdentical()
    {
        // Sums of multiples of 1/8 are exact in float whatever the summation order, so even the
        // row totals agree bit for bit with the CPU backend's vectorised sum.
        const int rows = 5, cols = 9;
        var rng = new Random(53);
        var p = Enumerable.Range(0, rows * cols).Select(_ => rng.Next(0, 9) / 8f).ToArray();
        RandomStream cpuStream = new(5), gpuStream = new(5);
        var (cpu, gpu) = (pair.Cpu.FromArray(p, rows, cols), pair.Ilgpu.FromArray(p, rows, cols));
        var (cd, gd) = (pair.Cpu.Allocate(rows, cols), pair.Ilgpu.Allocate(rows, cols));
        pair.Cpu.SampleMultinomialRows(cpu, 200, cd, cpuStream);
        pair.Ilgpu.SampleMultinomialRows(gpu, 200, gd, gpuStream);
        Assert.Equal(cd.ToArray(), gd.ToArray());
    }

    [Fact]
    public void Multinomial_ZeroDraws_ClearsDestination()
    {
        using var p = pair.Ilgpu.FromArray(Data.Random(3 * 4, 54, 0f, 1f), 3, 4);
        using var d = pair.Ilgpu.FromArray(Data.Filled(12, 5f), 3, 4);
        pair.Ilgpu.SampleMultinomialRows(p, 0, d, new RandomStream(1));
        Assert.All(d.ToArray(), x => Assert.Equal(0f, x));
    }
}
