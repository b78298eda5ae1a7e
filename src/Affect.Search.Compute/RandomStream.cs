namespace Affect.Search.Compute;

/// <summary>
/// A seeded, counter-based random source. Every sampling call takes the next 64-bit key, and
/// element i of that call draws from Hash(key, i), so results do not depend on thread
/// scheduling and every backend (CPU or GPU) draws the very same numbers.
/// </summary>
public sealed class RandomStream
{
    private ulong _counter;

    /// <summary>Creates a stream from a seed.</summary>
    public RandomStream(ulong seed) => Seed = seed;

    /// <summary>The seed.</summary>
    public ulong Seed { get; }

    /// <summary>The key for the next sampling operation; advances the stream.</summary>
    public ulong NextKey() => Mix(Seed * 0xD1B54A32D192ED03UL + ++_counter);

    /// <summary>A child stream, independent of this one, for a sub-task (e.g. one pathway).</summary>
    public RandomStream Fork() => new(NextKey());

    /// <summary>SplitMix64 finaliser.</summary>
    public static ulong Mix(ulong z)
    {
        z += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    /// <summary>Uniform in [0, 1) with 24 bits, element <paramref name="index"/> of the call with <paramref name="key"/>.</summary>
    public static float Uniform(ulong key, long index) => (Mix(key ^ Mix((ulong)index)) >> 40) * (1f / 16777216f);

    /// <summary>Standard normal by Box-Muller from two uniforms of the same call.</summary>
    public static float Normal(ulong key, long index)
    {
        float u1 = ((Mix(key ^ Mix((ulong)(2 * index))) >> 40) + 1) * (1f / 16777216f); // (0, 1]
        float u2 = Uniform(key, 2 * index + 1);
        return MathF.Sqrt(-2f * MathF.Log(u1)) * MathF.Cos(2f * MathF.PI * u2);
    }

    /// <summary>A uniform double in [0,1) for host-side choices (shuffles, initialisation).</summary>
    public double NextDouble() => (Mix(NextKey()) >> 11) * (1.0 / (1UL << 53));

    /// <summary>A uniform integer in [0, maxExclusive).</summary>
    public int NextInt(int maxExclusive) => (int)(NextDouble() * maxExclusive);

    /// <summary>A seeded permutation of 0..n-1 (Fisher-Yates).</summary>
    public int[] Permutation(int n)
    {
        var p = new int[n];
        for (int i = 0; i < n; i++) p[i] = i;
        ulong key = NextKey();
        for (int i = n - 1; i > 0; i--)
        {
            int j = (int)(Mix(key ^ Mix((ulong)i)) % (ulong)(i + 1));
            (p[i], p[j]) = (p[j], p[i]);
        }
        return p;
    }

    /// <summary>Fills a span with N(0, std^2) draws.</summary>
    public void FillNormal(Span<float> destination, float standardDeviation)
    {
        ulong key = NextKey();
        for (int i = 0; i < destination.Length; i++) destination[i] = standardDeviation * Normal(key, i);
    }
}
