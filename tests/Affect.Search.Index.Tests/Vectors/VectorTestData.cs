using Affect.Search.Index.Vectors;

namespace Affect.Search.Index.Tests.Vectors;

/// <summary>Seeded clustered unit vectors and brute-force answers for the vector index tests.</summary>
internal static class VectorTestData
{
    /// <summary>
    /// <paramref name="rows"/> unit vectors: each is a random one of <paramref name="clusters"/> random unit
    /// centres (drawn from <paramref name="centreSeed"/>) plus Gaussian noise of total standard deviation
    /// <paramref name="noise"/>, renormalised. Queries: same centre seed, another point seed.
    /// </summary>
    public static float[] Clustered(int rows, int dimension, int clusters, double noise, int centreSeed, int pointSeed)
    {
        var centreRandom = new Random(centreSeed);
        var centres = new float[clusters * dimension];
        for (int c = 0; c < clusters; c++) Unit(centres.AsSpan(c * dimension, dimension), centreRandom, null, 0);
        var random = new Random(pointSeed);
        var data = new float[rows * dimension];
        for (int r = 0; r < rows; r++)
        {
            int c = random.Next(clusters);
            Unit(data.AsSpan(r * dimension, dimension), random, centres.AsSpan(c * dimension, dimension), noise / Math.Sqrt(dimension));
        }
        return data;
    }

    private static void Unit(Span<float> v, Random random, ReadOnlySpan<float> centre, double sd)
    {
        double norm = 0;
        for (int i = 0; i < v.Length; i++)
        {
            double x = centre.IsEmpty ? Gaussian(random) : centre[i] + sd * Gaussian(random);
            v[i] = (float)x;
            norm += x * x;
        }
        float inv = (float)(1 / Math.Sqrt(norm));
        for (int i = 0; i < v.Length; i++) v[i] *= inv;
    }

    private static double Gaussian(Random random) =>
        Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());

    public static float Dot(ReadOnlySpan<float> a, ReadOnlySpan<float> b)
    {
        float s = 0;
        for (int i = 0; i < a.Length; i++) s += a[i] * b[i];
        return s;
    }

    /// <summary>Exact top-k (position, score) of each query over the allowed rows of <paramref name="data"/>.</summary>
    public static (long Position, float Score)[][] BruteForce(float[] data, int dimension, ReadOnlySpan<float> queries, int k, Func<int, bool>? allowed = null)
    {
        int n = data.Length / dimension, nq = queries.Length / dimension;
        var result = new (long, float)[nq][];
        for (int q = 0; q < nq; q++)
        {
            var query = queries.Slice(q * dimension, dimension);
            var scored = new List<(long, float)>();
            for (int p = 0; p < n; p++)
                if (allowed is null || allowed(p)) scored.Add((p, Dot(query, data.AsSpan(p * dimension, dimension))));
            scored.Sort((x, y) => y.Item2.CompareTo(x.Item2));
            result[q] = scored.Take(k).ToArray();
        }
        return result;
    }

    /// <summary>Every stored vector, decoded (what a quantised index actually scores against).</summary>
    public static float[] Stored(IVectorIndex index)
    {
        var data = new float[index.Count * index.Dimension];
        for (long p = 0; p < index.Count; p++) index.Reconstruct(p, data.AsSpan((int)(p * index.Dimension), index.Dimension));
        return data;
    }

    /// <summary>Share of the brute-force top-k positions found in the index's rows.</summary>
    public static double Recall(VectorHits hits, (long Position, float Score)[][] truth)
    {
        long found = 0, total = 0;
        for (int q = 0; q < hits.Queries; q++)
        {
            var returned = new HashSet<long>(hits.Positions.AsSpan(q * hits.K, hits.K).ToArray());
            foreach (var (p, _) in truth[q]) { total++; if (returned.Contains(p)) found++; }
        }
        return total == 0 ? 1 : (double)found / total;
    }

    public static VectorIndexOptions Options(VectorIndexKind kind) => new() { Kind = kind, HnswLinks = 16, HnswEfConstruction = 80, HnswEfSearch = 64 };

    public static FaissIndex Build(VectorIndexKind kind, float[] data, int dimension)
    {
        var index = FaissIndex.Create(dimension, Options(kind));
        index.Add(data);
        return index;
    }
}
