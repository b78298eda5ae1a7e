using Affect.Search.Model.Data;

namespace Affect.Search.Evaluation.Baselines;

/// <summary>
/// Early fusion, the paper's video and multimodal baselines: low-level features concatenated into one vector
/// per item. Each dense feature is standardised with the training mean and standard deviation (population,
/// over the training items that have the feature; columns constant over those items carry no information and
/// are dropped). Sparse data (the "text" word counts) is used as raw counts. Every block is then
/// L2-normalised, so each present modality weighs the same whatever its dimension, and the blocks are
/// concatenated in the order the features were named. A missing block is zeros.
/// </summary>
public sealed class EarlyFusion
{
    private readonly Block[] _blocks;

    private EarlyFusion(Block[] blocks)
    {
        _blocks = blocks;
        Features = blocks.Select(b => b.Name).ToArray();
        Dimension = blocks.Sum(b => b.Width);
    }

    /// <summary>Length of a fused vector.</summary>
    public int Dimension { get; }

    /// <summary>The fused features, in block order.</summary>
    public IReadOnlyList<string> Features { get; }

    /// <summary>Width of each block in the fused vector, in the order of <see cref="Features"/> (dense blocks lose their constant columns).</summary>
    public IReadOnlyList<int> BlockWidths => _blocks.Select(b => b.Width).ToArray();

    /// <summary>
    /// Learns the standardisation of <paramref name="features"/> from <paramref name="training"/>. Features are
    /// dense feature names (e.g. "dsift", "gist", "hog", "lbp", "ssim", "audio") and optionally "text" (sparse
    /// word counts); how a block is treated follows the training data's kind (dense or sparse).
    /// </summary>
    public static EarlyFusion Fit(MultimodalDataset training, IReadOnlyList<string> features)
    {
        ArgumentNullException.ThrowIfNull(training);
        ArgumentNullException.ThrowIfNull(features);
        if (features.Count == 0) throw new ArgumentException("no features to fuse", nameof(features));
        if (training.Count == 0) throw new ArgumentException("the training data set is empty", nameof(training));
        var blocks = new List<Block>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        int offset = 0;
        foreach (var name in features)
        {
            if (name is null) throw new ArgumentException("a feature name is null", nameof(features));
            if (!seen.Add(name)) throw new ArgumentException($"feature '{name}' is named twice", nameof(features));
            if (!training.Features.TryGetValue(name, out var data))
                throw new ArgumentException($"unknown feature '{name}': the training data has {string.Join(", ", training.Features.Keys.Order(StringComparer.Ordinal))}", nameof(features));
            var block = data switch
            {
                DenseVisibleData dense => DenseBlock(name, dense, training.Presence(name), offset),
                SparseVisibleData sparse => new Block(name, false, sparse.Dimension, offset, sparse.Dimension, [], [], []),
                _ => throw new ArgumentException($"feature '{name}' is neither dense nor sparse data", nameof(features)),
            };
            blocks.Add(block);
            offset += block.Width;
        }
        return new EarlyFusion(blocks.ToArray());
    }

    /// <summary>
    /// Fused vectors of every item of <paramref name="data"/>, row-major Count x <see cref="Dimension"/>. A feature
    /// absent from <paramref name="data"/>, or not present for an item, gives that item zeros in its block.
    /// </summary>
    public float[] Transform(MultimodalDataset data)
    {
        ArgumentNullException.ThrowIfNull(data);
        var fused = new float[(long)data.Count * Dimension];
        foreach (var block in _blocks)
        {
            if (!data.Features.TryGetValue(block.Name, out var values)) continue;
            if (values.Dimension != block.InputDimension)
                throw new ArgumentException($"feature '{block.Name}' has {values.Dimension} values per item, the fusion was fitted on {block.InputDimension}", nameof(data));
            var present = data.Presence(block.Name);
            switch (values)
            {
                case DenseVisibleData dense when block.Dense:
                    for (int row = 0; row < data.Count; row++)
                        if (present[row]) block.Standardise(dense.Row(row), fused.AsSpan(row * Dimension + block.Offset, block.Width));
                    break;
                case SparseVisibleData sparse when !block.Dense:
                    var counts = sparse.Counts;
                    for (int row = 0; row < data.Count; row++)
                    {
                        if (!present[row]) continue;
                        var target = fused.AsSpan(row * Dimension + block.Offset, block.Width);
                        for (int p = counts.RowStarts[row]; p < counts.RowStarts[row + 1]; p++) target[counts.ColumnIndices[p]] += counts.Values[p];
                        Block.Normalise(target);
                    }
                    break;
                default:
                    throw new ArgumentException($"feature '{block.Name}' is {(block.Dense ? "dense" : "sparse")} in the training data but not here", nameof(data));
            }
        }
        return fused;
    }

    private static Block DenseBlock(string name, DenseVisibleData data, bool[] present, int offset)
    {
        int d = data.Dimension, n = 0;
        var sum = new double[d];
        var first = new float[d];
        var constant = Enumerable.Repeat(true, d).ToArray();
        for (int row = 0; row < data.Count; row++)
        {
            if (!present[row]) continue;
            var values = data.Row(row);
            for (int j = 0; j < d; j++)
            {
                float v = values[j];
                if (!float.IsFinite(v)) throw new ArgumentException($"feature '{name}' has a non-finite value in training item {row}, column {j}");
                if (n == 0) first[j] = v;
                else if (v != first[j]) constant[j] = false;
                sum[j] += v;
            }
            n++;
        }
        if (n == 0) throw new ArgumentException($"feature '{name}' is present for no training item");
        var mean = new double[d];
        for (int j = 0; j < d; j++) mean[j] = sum[j] / n;
        // Two passes: the variance from sum of squares minus squared mean loses everything for large offsets.
        var squares = new double[d];
        for (int row = 0; row < data.Count; row++)
        {
            if (!present[row]) continue;
            var values = data.Row(row);
            for (int j = 0; j < d; j++) { double c = values[j] - mean[j]; squares[j] += c * c; }
        }
        // Constancy is tested exactly rather than by a variance threshold, which would depend on the scale.
        var kept = Enumerable.Range(0, d).Where(j => !constant[j] && squares[j] > 0).ToArray();
        return new Block(name, true, d, offset, kept.Length, kept,
            kept.Select(j => mean[j]).ToArray(),
            kept.Select(j => 1 / Math.Sqrt(squares[j] / n)).ToArray());
    }

    /// <summary>One feature's place in the fused vector and, when dense, its standardisation.</summary>
    private sealed record Block(string Name, bool Dense, int InputDimension, int Offset, int Width, int[] Columns, double[] Mean, double[] InverseSd)
    {
        public void Standardise(ReadOnlySpan<float> values, Span<float> target)
        {
            for (int k = 0; k < Columns.Length; k++) target[k] = (float)((values[Columns[k]] - Mean[k]) * InverseSd[k]);
            Normalise(target);
        }

        public static void Normalise(Span<float> block)
        {
            double squares = 0;
            foreach (var v in block) squares += (double)v * v;
            double norm = Math.Sqrt(squares);
            if (!(norm > 0) || double.IsInfinity(norm)) return; // an all-zero block stays zeros
            for (int k = 0; k < block.Length; k++) block[k] = (float)(block[k] / norm);
        }
    }
}
