namespace Affect.Search.Compute.Tests;

public class RandomStreamTests
{
    [Fact]
    public void Uniform_IsInUnitInterval_AndUniform()
    {
        const int n = 200_000;
        var stream = new RandomStream(5);
        var buckets = new int[10];
        double sum = 0;
        for (int call = 0; call < 4; call++)
        {
            ulong key = stream.NextKey();
            for (long i = 0; i < n / 4; i++)
            {
                float u = RandomStream.Uniform(key, i);
                Assert.True(u >= 0f && u < 1f, $"uniform {u} outside [0,1)");
                buckets[(int)(u * 10)]++;
                sum += u;
            }
        }
        Assert.Equal(0.5, sum / n, 0.005);
        Assert.All(buckets, b => Assert.Equal(0.1, b / (double)n, 0.005));
    }

    [Fact]
    public void Uniform_IsAPureFunctionOfKeyAndIndex()
    {
        Assert.Equal(RandomStream.Uniform(123, 45), RandomStream.Uniform(123, 45));
        Assert.NotEqual(RandomStream.Uniform(123, 45), RandomStream.Uniform(123, 46));
        Assert.NotEqual(RandomStream.Uniform(123, 45), RandomStream.Uniform(124, 45));
        // Neighbouring indices are uncorrelated.
        ulong key = new RandomStream(1).NextKey();
        double cov = 0;
        const int n = 100_000;
        for (long i = 0; i < n; i++) cov += (RandomStream.Uniform(key, i) - 0.5) * (RandomStream.Uniform(key, i + 1) - 0.5);
        Assert.Equal(0.0, cov / n / (1.0 / 12), 0.02);
    }

    [Fact]
    public void Normal_HasStandardMoments_AndIsFinite()
    {
        const int n = 200_000;
        ulong key = new RandomStream(17).NextKey();
        double s = 0, s2 = 0, s4 = 0;
        for (long i = 0; i < n; i++)
        {
            double z = RandomStream.Normal(key, i);
            Assert.True(double.IsFinite(z));
            s += z; s2 += z * z; s4 += z * z * z * z;
        }
        double mean = s / n, var = s2 / n - mean * mean;
        Assert.Equal(0.0, mean, 0.01);
        Assert.Equal(1.0, var, 0.02);
        Assert.Equal(3.0, s4 / n, 0.1);
    }

    [Fact]
    public void FillNormal_UsesStandardDeviation_AndAdvancesStream()
    {
        var stream = new RandomStream(3);
        var a = new float[100_000];
        var b = new float[100_000];
        stream.FillNormal(a, 3f);
        stream.FillNormal(b, 3f);
        Assert.NotEqual(a, b);
        double mean = a.Average(v => (double)v);
        Assert.Equal(0.0, mean, 0.05);
        Assert.Equal(9.0, a.Sum(v => (v - mean) * (v - mean)) / a.Length, 0.2);

        var again = new float[100_000];
        new RandomStream(3).FillNormal(again, 3f);
        Assert.Equal(a, again);
    }

    [Fact]
    public void NextKey_SequenceIsSeeded()
    {
        var a = new RandomStream(10);
        var b = new RandomStream(10);
        var c = new RandomStream(11);
        var ka = Enumerable.Range(0, 100).Select(_ => a.NextKey()).ToArray();
        var kb = Enumerable.Range(0, 100).Select(_ => b.NextKey()).ToArray();
        var kc = Enumerable.Range(0, 100).Select(_ => c.NextKey()).ToArray();
        Assert.Equal(ka, kb);
        Assert.Equal(100, ka.Distinct().Count());
        Assert.Empty(ka.Intersect(kc));
        Assert.Equal(10UL, a.Seed);
    }

    [Fact]
    public void NextDouble_AndNextInt_StayInRange()
    {
        var s = new RandomStream(8);
        var seen = new int[7];
        for (int i = 0; i < 7000; i++)
        {
            double d = s.NextDouble();
            Assert.True(d >= 0 && d < 1);
            int k = s.NextInt(7);
            Assert.InRange(k, 0, 6);
            seen[k]++;
        }
        Assert.All(seen, c => Assert.InRange(c, 800, 1200));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(1000)]
    public void Permutation_IsAPermutation(int n)
    {
        var p = new RandomStream(4).Permutation(n);
        Assert.Equal(Enumerable.Range(0, n), p.OrderBy(x => x));
    }

    [Fact]
    public void Permutation_IsSeeded_AndShuffles()
    {
        Assert.Equal(new RandomStream(4).Permutation(500), new RandomStream(4).Permutation(500));
        Assert.NotEqual(new RandomStream(4).Permutation(500), new RandomStream(5).Permutation(500));
        var s = new RandomStream(4);
        var first = s.Permutation(500);
        Assert.NotEqual(first, s.Permutation(500));
        Assert.NotEqual(Enumerable.Range(0, 500), first);
    }

    [Fact]
    public void Permutation_IsUniformOverPositions()
    {
        // Each element lands in each position with probability 1/n (a biased shuffle, e.g. Sattolo's
        // which never leaves an element in place, fails this).
        const int n = 5, trials = 20000;
        var counts = new int[n, n];
        var s = new RandomStream(6);
        for (int t = 0; t < trials; t++)
        {
            var p = s.Permutation(n);
            for (int pos = 0; pos < n; pos++) counts[p[pos], pos]++;
        }
        for (int e = 0; e < n; e++)
            for (int pos = 0; pos < n; pos++)
                Assert.Equal(1.0 / n, counts[e, pos] / (double)trials, 0.015);
    }

    [Fact]
    public void Fork_IsDeterministic_AndIndependentOfParent()
    {
        var parent1 = new RandomStream(50);
        var child1 = parent1.Fork();
        var childKeys = Enumerable.Range(0, 50).Select(_ => child1.NextKey()).ToArray(); // child use...
        var parentAfter1 = Enumerable.Range(0, 50).Select(_ => parent1.NextKey()).ToArray();

        var parent2 = new RandomStream(50);
        var child2 = parent2.Fork();
        var parentAfter2 = Enumerable.Range(0, 50).Select(_ => parent2.NextKey()).ToArray(); // ...or not

        Assert.Equal(parentAfter1, parentAfter2); // the child's draws do not disturb the parent
        Assert.Equal(childKeys, Enumerable.Range(0, 50).Select(_ => child2.NextKey()).ToArray()); // forks are reproducible
        Assert.Empty(childKeys.Intersect(parentAfter1));

        // Sibling forks differ from each other and from a fresh stream with the parent's seed.
        var p = new RandomStream(50);
        var a = p.Fork();
        var b = p.Fork();
        Assert.NotEqual(a.Seed, b.Seed);
        Assert.NotEqual(a.NextKey(), b.NextKey());
        Assert.NotEqual(new RandomStream(50).NextKey(), new RandomStream(50).Fork().NextKey());
    }
}
