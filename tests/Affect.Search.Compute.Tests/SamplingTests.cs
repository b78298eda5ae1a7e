using Affect.Search.Compute.Cpu;

namespace Affect.Search.Compute.Tests;

public class SamplingTests : IDisposable
{
    private readonly CpuBackend _backend = new();

    public void Dispose() => _backend.Dispose();

    // ---------- Bernoulli ----------

    [Fact]
    public void Bernoulli_FrequencyMatchesProbability()
    {
        using var p = _backend.FromArray(TestUtil.Filled(200 * 500, 0.3f), 200, 500);
        using var d = _backend.FromArray(TestUtil.Filled(200 * 500, 7f), 200, 500);
        _backend.SampleBernoulli(p, d, new RandomStream(1234));
        var r = d.ToArray();
        Assert.All(r, v => Assert.True(v == 0f || v == 1f, $"sample {v} is not 0/1"));
        Assert.Equal(0.3, r.Average(), 0.01);
    }

    [Fact]
    public void Bernoulli_PerElementProbabilitiesAreRespected()
    {
        const int rows = 4000, cols = 11;
        var ph = new float[rows * cols];
        for (int i = 0; i < ph.Length; i++) ph[i] = (i % cols) / 10f; // column c has p = c/10, including 0 and 1
        using var p = _backend.FromArray(ph, rows, cols);
        using var d = _backend.Allocate(rows, cols);
        _backend.SampleBernoulli(p, d, new RandomStream(99));
        var r = d.ToArray();
        for (int c = 0; c < cols; c++)
        {
            double mean = 0;
            for (int row = 0; row < rows; row++) mean += r[row * cols + c];
            mean /= rows;
            if (c == 0) Assert.Equal(0.0, mean);
            else if (c == cols - 1) Assert.Equal(1.0, mean);
            else Assert.Equal(c / 10.0, mean, 0.04);
        }
    }

    [Theory]
    [InlineData(10, 10)]    // serial path
    [InlineData(400, 400)]  // parallel path
    [InlineData(1, 50000)]  // one row, serial however large
    public void Bernoulli_EqualsCounterBasedFormula_RegardlessOfParallelism(int rows, int cols)
    {
        var ph = TestUtil.RandomArray(rows * cols, 3, 0, 1);
        using var p = _backend.FromArray(ph, rows, cols);
        using var d = _backend.Allocate(rows, cols);
        _backend.SampleBernoulli(p, d, new RandomStream(42));
        ulong key = new RandomStream(42).NextKey();
        var r = d.ToArray();
        for (int i = 0; i < r.Length; i++)
        {
            float expected = RandomStream.Uniform(key, i) < ph[i] ? 1f : 0f;
            if (r[i] != expected) Assert.Fail($"element {i}: expected {expected}, got {r[i]}");
        }
    }

    [Fact]
    public void Bernoulli_DeterministicPerSeed_AndAdvancesTheStream()
    {
        using var p = _backend.FromArray(TestUtil.Filled(300 * 300, 0.5f), 300, 300);
        float[] Draw(RandomStream rs)
        {
            using var d = _backend.Allocate(300, 300);
            _backend.SampleBernoulli(p, d, rs);
            return d.ToArray();
        }
        var a = Draw(new RandomStream(7));
        Assert.Equal(a, Draw(new RandomStream(7)));
        Assert.NotEqual(a, Draw(new RandomStream(8)));
        var stream = new RandomStream(7);
        var first = Draw(stream);
        var second = Draw(stream);
        Assert.Equal(a, first);
        Assert.NotEqual(first, second); // each call takes a fresh key
        // Independent-looking: the two draws agree on about half of the elements, not all.
        double agree = first.Zip(second, (x, y) => x == y ? 1.0 : 0.0).Average();
        Assert.Equal(0.5, agree, 0.02);
    }

    [Fact]
    public void Bernoulli_CanSampleInPlace()
    {
        var ph = TestUtil.RandomArray(300 * 300, 4, 0, 1);
        using var inPlace = _backend.FromArray(ph, 300, 300);
        using var p = _backend.FromArray(ph, 300, 300);
        using var d = _backend.Allocate(300, 300);
        _backend.SampleBernoulli(inPlace, inPlace, new RandomStream(5));
        _backend.SampleBernoulli(p, d, new RandomStream(5));
        Assert.Equal(d.ToArray(), inPlace.ToArray());
    }

    // ---------- Gaussian ----------

    [Fact]
    public void GaussianNoise_MomentsMatch()
    {
        const int n = 300 * 300;
        using var m = _backend.Allocate(300, 300);
        _backend.AddGaussianNoise(m, 2f, new RandomStream(11));
        var r = m.ToArray();
        Assert.All(r, v => Assert.True(float.IsFinite(v)));
        double mean = r.Average(v => (double)v);
        double variance = r.Sum(v => (v - mean) * (v - mean)) / (n - 1);
        Assert.Equal(0.0, mean, 0.025);           // sd of the mean is 2/300
        Assert.Equal(4.0, variance, 0.1);         // sd of the variance is about 0.019
        double fourth = r.Sum(v => Math.Pow(v - mean, 4)) / n / (variance * variance);
        Assert.Equal(3.0, fourth, 0.15);          // Gaussian kurtosis, not e.g. uniform (1.8)
        Assert.Equal(0.6827, r.Count(v => Math.Abs(v) < 2f) / (double)n, 0.01); // within one sd
    }

    [Fact]
    public void GaussianNoise_AddsToExistingValues_AndEqualsFormula()
    {
        var h = TestUtil.RandomArray(400 * 400, 12, 3, 5);
        using var m = _backend.FromArray(h, 400, 400);
        _backend.AddGaussianNoise(m, 0.5f, new RandomStream(13));
        ulong key = new RandomStream(13).NextKey();
        var r = m.ToArray();
        for (int i = 0; i < r.Length; i++)
        {
            float expected = h[i] + 0.5f * RandomStream.Normal(key, i);
            if (r[i] != expected) Assert.Fail($"element {i}: expected {expected}, got {r[i]}");
        }
        // Zero standard deviation adds nothing.
        using var z = _backend.FromArray(h, 400, 400);
        _backend.AddGaussianNoise(z, 0f, new RandomStream(14));
        Assert.Equal(h, z.ToArray());
    }

    [Fact]
    public void GaussianNoise_DeterministicPerSeed()
    {
        float[] Draw(ulong seed)
        {
            using var m = _backend.Allocate(50, 50);
            _backend.AddGaussianNoise(m, 1f, new RandomStream(seed));
            return m.ToArray();
        }
        Assert.Equal(Draw(3), Draw(3));
        Assert.NotEqual(Draw(3), Draw(4));
    }

    // ---------- Multinomial ----------

    [Fact]
    public void Multinomial_RowsSumToDraws_AndFrequenciesMatchNormalisedRows()
    {
        // Unnormalised weights (rows are normalised by their sum), zero-probability words included.
        var weights = new float[][]
        {
            new float[] { 1, 2, 3, 4, 0 },
            new float[] { 0, 0, 5, 0, 5 },
            new float[] { 0.2f, 0.2f, 0.2f, 0.2f, 0.2f },
            new float[] { 0, 0, 0, 0, 7 },
            new float[] { 7, 0, 0, 0, 0 },
        };
        int rows = weights.Length, k = 5;
        const int draws = 20000;
        using var p = _backend.FromArray(weights.SelectMany(w => w).ToArray(), rows, k);
        using var d = _backend.FromArray(TestUtil.Filled(rows * k, 3f), rows, k); // stale counts must be cleared
        _backend.SampleMultinomialRows(p, draws, d, new RandomStream(21));
        var r = d.ToArray();
        for (int row = 0; row < rows; row++)
        {
            var counts = r.AsSpan(row * k, k).ToArray();
            Assert.All(counts, c => Assert.True(c >= 0 && c == MathF.Floor(c), $"count {c} is not a whole number"));
            Assert.Equal(draws, counts.Sum());
            double total = weights[row].Sum();
            for (int j = 0; j < k; j++)
            {
                if (weights[row][j] == 0) Assert.True(counts[j] == 0, $"row {row}: zero-probability word {j} drawn {counts[j]} times");
                else Assert.Equal(weights[row][j] / total, counts[j] / draws, 0.015);
            }
        }
    }

    [Fact]
    public void Multinomial_UniformExactlyZero_StillSkipsZeroProbabilityWord()
    {
        // u = 0 happens once in 2^24 draws. Find such a draw index for this key, then make sure the
        // inverse CDF skips a leading zero-probability word even then (acc <= u, not acc < u).
        var seed = 2024UL;
        ulong key = new RandomStream(seed).NextKey();
        long hit = -1;
        for (long i = 0; i < 400_000_000 && hit < 0; i++)
            if (RandomStream.Uniform(key, i) == 0f) hit = i;
        Assert.True(hit >= 0, "no exact-zero uniform found");
        Assert.True(hit < 1 << 24, "float counts stop being exact above 2^24"); // hit is 9,390,913 for this seed
        int draws = checked((int)hit + 1);
        using var p = _backend.FromArray(new[] { 0f, 1f }, 1, 2);
        using var d = _backend.Allocate(1, 2);
        _backend.SampleMultinomialRows(p, draws, d, new RandomStream(seed));
        Assert.Equal(new[] { 0f, (float)draws }, d.ToArray());
    }

    [Fact]
    public void Multinomial_ZeroDraws_GivesZeroCounts()
    {
        using var p = _backend.FromArray(new float[] { 0.5f, 0.5f, 1f, 0f }, 2, 2);
        using var d = _backend.FromArray(new float[] { 9, 9, 9, 9 }, 2, 2);
        _backend.SampleMultinomialRows(p, 0, d, new RandomStream(1));
        Assert.Equal(new float[4], d.ToArray());
    }

    [Theory]
    [InlineData(3, 4, 10)]      // serial
    [InlineData(300, 20, 50)]   // parallel over rows
    public void Multinomial_EqualsInverseCdfFormula_RegardlessOfParallelism(int rows, int k, int draws)
    {
        // Integer weights: every partial sum is exact in float, so the reference below cannot disagree
        // with the backend through summation order.
        var rng = new Random(rows);
        var ph = new float[rows * k];
        for (int i = 0; i < ph.Length; i++) ph[i] = rng.Next(0, 4);
        for (int r = 0; r < rows; r++) ph[r * k + (r % k)] += 1; // no all-zero row
        using var p = _backend.FromArray(ph, rows, k);
        using var d = _backend.Allocate(rows, k);
        _backend.SampleMultinomialRows(p, draws, d, new RandomStream(77));

        ulong key = new RandomStream(77).NextKey();
        var expected = new float[rows * k];
        for (int r = 0; r < rows; r++)
        {
            float total = 0;
            for (int j = 0; j < k; j++) total += ph[r * k + j];
            for (int t = 0; t < draws; t++)
            {
                float u = RandomStream.Uniform(key, (long)r * draws + t) * total;
                float acc = 0;
                int chosen = k - 1;
                for (int j = 0; j < k; j++)
                {
                    acc += ph[r * k + j];
                    if (acc > u) { chosen = j; break; }
                }
                expected[r * k + chosen]++;
            }
        }
        Assert.Equal(expected, d.ToArray());
    }

    [Fact]
    public void Multinomial_DeterministicPerSeed()
    {
        using var p = _backend.FromArray(TestUtil.RandomArray(100 * 30, 5, 0, 1), 100, 30);
        float[] Draw(ulong seed)
        {
            using var d = _backend.Allocate(100, 30);
            _backend.SampleMultinomialRows(p, 40, d, new RandomStream(seed));
            return d.ToArray();
        }
        Assert.Equal(Draw(9), Draw(9));
        Assert.NotEqual(Draw(9), Draw(10));
    }

    [Fact]
    public void Sampling_ShapeMismatch_Throws()
    {
        using var p = _backend.Allocate(3, 4);
        using var wrong = _backend.Allocate(4, 3);
        TestUtil.ThrowsNaming("SampleBernoulli", () => _backend.SampleBernoulli(p, wrong, new RandomStream(1)));
        TestUtil.ThrowsNaming("SampleMultinomialRows", () => _backend.SampleMultinomialRows(p, 5, wrong, new RandomStream(1)));
    }
}
