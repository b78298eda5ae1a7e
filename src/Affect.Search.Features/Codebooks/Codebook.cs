using System.Numerics.Tensors;
using Affect.Search.Compute;

namespace Affect.Search.Features.Codebooks;

/// <summary>
/// A visual or audio vocabulary: k centroids learned by seeded k-means (k-means++ initialisation) on
/// descriptors sampled from the training corpus, and reused unchanged at index and query time.
/// </summary>
public sealed class Codebook
{
    /// <summary>Wraps centroids (row-major, size x descriptorLength).</summary>
    public Codebook(string name, int size, int descriptorLength, float[] centroids)
    {
        if (size <= 0 || descriptorLength <= 0) throw new ArgumentException($"codebook '{name}': size and descriptor length must be positive");
        if (centroids.Length != size * descriptorLength) throw new ArgumentException($"codebook '{name}': {centroids.Length} values do not make {size} centroids of {descriptorLength}");
        Name = name;
        Size = size;
        DescriptorLength = descriptorLength;
        Centroids = centroids;
    }

    /// <summary>The feature it quantises for.</summary>
    public string Name { get; }
    /// <summary>Number of codewords (the histogram's dimension).</summary>
    public int Size { get; }
    /// <summary>Length of a descriptor.</summary>
    public int DescriptorLength { get; }
    /// <summary>Centroids, row-major.</summary>
    public float[] Centroids { get; }

    /// <summary>The index of the nearest centroid (squared Euclidean distance).</summary>
    public int Nearest(ReadOnlySpan<float> descriptor)
    {
        if (descriptor.Length != DescriptorLength) throw new ArgumentException($"codebook '{Name}': descriptor of length {descriptor.Length}, expected {DescriptorLength}");
        int best = 0;
        float bestDistance = float.PositiveInfinity;
        for (int c = 0; c < Size; c++)
        {
            float d = TensorPrimitives.Distance(descriptor, Centroids.AsSpan(c * DescriptorLength, DescriptorLength));
            if (d < bestDistance) { bestDistance = d; best = c; }
        }
        return best;
    }

    /// <summary>The L1-normalised histogram of nearest codewords (all zeros for no descriptors).</summary>
    public float[] Histogram(IReadOnlyList<float[]> descriptors)
    {
        var h = new float[Size];
        foreach (var d in descriptors) h[Nearest(d)] += 1f;
        if (descriptors.Count > 0) for (int i = 0; i < h.Length; i++) h[i] /= descriptors.Count;
        return h;
    }

    /// <summary>
    /// Learns a codebook by k-means with k-means++ seeding (deterministic for a seed). With fewer distinct
    /// samples than <paramref name="size"/>, the extra centroids repeat existing ones.
    /// </summary>
    public static Codebook Learn(string name, IReadOnlyList<float[]> samples, int size, ulong seed, int iterations = 20)
    {
        if (samples.Count == 0) throw new ArgumentException($"codebook '{name}': no descriptors to learn from");
        int dim = samples[0].Length;
        if (samples.Any(s => s.Length != dim)) throw new ArgumentException($"codebook '{name}': descriptors differ in length");
        var random = new RandomStream(seed);
        var centroids = new float[size * dim];
        var nearestDistance = Enumerable.Repeat(double.PositiveInfinity, samples.Count).ToArray();
        int first = random.NextInt(samples.Count);
        samples[first].CopyTo(centroids, 0);
        for (int c = 1; c < size; c++)
        {
            // k-means++: the next centre is drawn with probability proportional to squared distance.
            double total = 0;
            var previous = centroids.AsSpan((c - 1) * dim, dim);
            for (int i = 0; i < samples.Count; i++)
            {
                double d = TensorPrimitives.Distance(samples[i], previous);
                nearestDistance[i] = Math.Min(nearestDistance[i], d * d);
                total += nearestDistance[i];
            }
            int pick = 0;
            if (total > 0)
            {
                double u = random.NextDouble() * total, acc = 0;
                for (pick = 0; pick < samples.Count - 1; pick++) { acc += nearestDistance[pick]; if (acc > u) break; }
            }
            else pick = random.NextInt(samples.Count);
            samples[pick].CopyTo(centroids, c * dim);
        }
        var book = new Codebook(name, size, dim, centroids);
        var assignment = new int[samples.Count];
        for (int it = 0; it < iterations; it++)
        {
            bool changed = false;
            Parallel.For(0, samples.Count, i =>
            {
                int n = book.Nearest(samples[i]);
                if (n != assignment[i] || it == 0) { assignment[i] = n; changed = true; }
            });
            var sums = new double[size * dim];
            var counts = new int[size];
            for (int i = 0; i < samples.Count; i++)
            {
                counts[assignment[i]]++;
                for (int d = 0; d < dim; d++) sums[assignment[i] * dim + d] += samples[i][d];
            }
            for (int c = 0; c < size; c++)
                if (counts[c] > 0)
                    for (int d = 0; d < dim; d++) centroids[c * dim + d] = (float)(sums[c * dim + d] / counts[c]);
            if (!changed) break;
        }
        return book;
    }
}
