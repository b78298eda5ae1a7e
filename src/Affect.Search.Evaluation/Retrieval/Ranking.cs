using System.Numerics.Tensors;
using Affect.Search.Compute;

namespace Affect.Search.Evaluation.Retrieval;

/// <summary>
/// Ranking primitives for evaluation: seeded tie orders, top-k selection with ties and NaN handled
/// explicitly, and all-pairs cosine similarity. Ties are broken by a seeded random order rather than by
/// reference index, so that a constant or degenerate score (e.g. a baseline that cannot tell items apart)
/// scores like a random ranking instead of profiting from how the database happens to be ordered.
/// </summary>
public static class Ranking
{
    /// <summary>
    /// A seeded random permutation used to break ties: <c>position[i]</c> is where reference i stands among
    /// references with equal scores (lower stands first). The same seed always gives the same order.
    /// </summary>
    public static int[] TiePositions(int count, ulong seed)
    {
        if (count < 0) throw new ArgumentOutOfRangeException(nameof(count), count, "the number of references cannot be negative");
        return new RandomStream(seed).Permutation(count);
    }

    /// <summary>
    /// Indices of the best <paramref name="k"/> scores, best first. Equal scores are ordered by ascending
    /// <paramref name="tiePositions"/> (then by index, should positions repeat); NaN ranks below every number,
    /// and NaNs among themselves by tie position. <paramref name="k"/> larger than the number of scores gives them all.
    /// </summary>
    public static int[] Top(ReadOnlySpan<float> scores, int k, ReadOnlySpan<int> tiePositions)
    {
        if (k < 0) throw new ArgumentOutOfRangeException(nameof(k), k, "k cannot be negative");
        if (tiePositions.Length != scores.Length)
            throw new ArgumentException($"{tiePositions.Length} tie positions given for {scores.Length} scores", nameof(tiePositions));
        k = Math.Min(k, scores.Length);
        if (k == 0) return [];

        // A bounded heap whose root is the worst of the current best k: O(n log k), and k is usually 20.
        var heap = new int[k];
        int size = 0;
        for (int i = 0; i < scores.Length; i++)
        {
            if (size < k)
            {
                heap[size] = i;
                SiftUp(heap, size++, scores, tiePositions);
            }
            else if (Better(i, heap[0], scores, tiePositions))
            {
                heap[0] = i;
                SiftDown(heap, size, scores, tiePositions);
            }
        }
        // Popping the worst repeatedly fills the result from the back.
        var top = new int[k];
        for (int last = k - 1; last >= 0; last--)
        {
            top[last] = heap[0];
            heap[0] = heap[last];
            SiftDown(heap, last, scores, tiePositions);
        }
        return top;
    }

    /// <summary>
    /// Cosine similarity of every query row with every reference row, row-major queries x references. Rows are
    /// L2-normalised first; a zero row (or one whose norm is not finite) scores NaN against everything, so it
    /// ranks last rather than looking like an orthogonal match.
    /// </summary>
    public static float[] CosineScores(float[] queries, float[] references, int dimension)
    {
        ArgumentNullException.ThrowIfNull(queries);
        ArgumentNullException.ThrowIfNull(references);
        if (dimension <= 0) throw new ArgumentOutOfRangeException(nameof(dimension), dimension, "the dimension must be at least 1");
        if (queries.Length % dimension != 0) throw new ArgumentException($"{queries.Length} query values do not fill rows of {dimension}", nameof(queries));
        if (references.Length % dimension != 0) throw new ArgumentException($"{references.Length} reference values do not fill rows of {dimension}", nameof(references));
        int nq = queries.Length / dimension, nr = references.Length / dimension;
        var q = NormalisedRows(queries, dimension, out var qValid);
        var r = NormalisedRows(references, dimension, out var rValid);
        var scores = new float[(long)nq * nr];
        // Tiles of queries x references: a reference tile (~32 KB) stays in cache while every query of the tile
        // reads it, instead of the whole reference set streaming through once per query. Each output is written
        // by exactly one task, so the result does not depend on scheduling.
        const int queryTile = 16;
        int referenceTile = Math.Max(16, 8192 / dimension);
        int tiles = (nq + queryTile - 1) / queryTile;
        Parallel.For(0, tiles, t =>
        {
            int q0 = t * queryTile, q1 = Math.Min(nq, q0 + queryTile);
            for (int r0 = 0; r0 < nr; r0 += referenceTile)
            {
                int r1 = Math.Min(nr, r0 + referenceTile);
                for (int i = q0; i < q1; i++)
                {
                    var row = scores.AsSpan(i * nr + r0, r1 - r0);
                    if (!qValid[i]) { row.Fill(float.NaN); continue; }
                    var qi = q.AsSpan(i * dimension, dimension);
                    for (int j = r0; j < r1; j++)
                        row[j - r0] = rValid[j] ? TensorPrimitives.Dot<float>(qi, r.AsSpan(j * dimension, dimension)) : float.NaN;
                }
            }
        });
        return scores;
    }

    /// <summary>Whether reference a ranks before reference b.</summary>
    private static bool Better(int a, int b, ReadOnlySpan<float> scores, ReadOnlySpan<int> tiePositions)
    {
        float x = scores[a], y = scores[b];
        bool xNaN = float.IsNaN(x), yNaN = float.IsNaN(y);
        if (xNaN != yNaN) return yNaN;
        if (!xNaN && x != y) return x > y;
        if (tiePositions[a] != tiePositions[b]) return tiePositions[a] < tiePositions[b];
        return a < b;
    }

    private static void SiftUp(int[] heap, int i, ReadOnlySpan<float> scores, ReadOnlySpan<int> ties)
    {
        while (i > 0)
        {
            int parent = (i - 1) / 2;
            if (!Better(heap[parent], heap[i], scores, ties)) break; // parent already the worse one
            (heap[parent], heap[i]) = (heap[i], heap[parent]);
            i = parent;
        }
    }

    private static void SiftDown(int[] heap, int size, ReadOnlySpan<float> scores, ReadOnlySpan<int> ties)
    {
        int i = 0;
        while (true)
        {
            int l = 2 * i + 1, r = l + 1, worst = i;
            if (l < size && Better(heap[worst], heap[l], scores, ties)) worst = l;
            if (r < size && Better(heap[worst], heap[r], scores, ties)) worst = r;
            if (worst == i) return;
            (heap[worst], heap[i]) = (heap[i], heap[worst]);
            i = worst;
        }
    }

    private static float[] NormalisedRows(float[] values, int dimension, out bool[] valid)
    {
        int rows = values.Length / dimension;
        var normalised = new float[values.Length];
        valid = new bool[rows];
        for (int i = 0; i < rows; i++)
        {
            var source = values.AsSpan(i * dimension, dimension);
            // The norm in double: large float values would overflow a float sum of squares.
            double squares = 0;
            foreach (var v in source) squares += (double)v * v;
            double norm = Math.Sqrt(squares);
            if (!(norm > 0) || double.IsInfinity(norm)) continue;
            valid[i] = true;
            var target = normalised.AsSpan(i * dimension, dimension);
            for (int j = 0; j < dimension; j++) target[j] = (float)(source[j] / norm);
        }
        return normalised;
    }
}
