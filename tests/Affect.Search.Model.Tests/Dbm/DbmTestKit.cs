using Affect.Search.Compute;
using Affect.Search.Model.Configuration;
using Affect.Search.Model.Data;
using Affect.Search.Model.Dbm;
using Affect.Search.Model.Inference;
using Affect.Search.Model.Layers;
using Affect.Search.Model.Training;

namespace Affect.Search.Model.Tests.Dbm;

/// <summary>Tiny all-binary DBMs, their parameters and data, and host-side recomputations for the exact DBM tests.</summary>
public static class DbmTestKit
{
    /// <summary>A feature pathway with binary visibles.</summary>
    public static FeatureConfig Feature(string name, int inputSize, params int[] hidden)
        => new() { Name = name, Visible = UnitKind.Bernoulli, InputSize = inputSize, Hidden = hidden.ToList() };

    /// <summary>A modality with one feature of the same name.</summary>
    public static ModalityConfig Modality(string name, int inputSize, params int[] hidden)
        => new() { Name = name, Features = { Feature(name, inputSize, hidden) } };

    /// <summary>v(4) - a.h1(3) - joint(2): 512 joint states.</summary>
    public static DbmConfig OnePathway() => new()
    {
        Name = "exact-one",
        JointSize = 2,
        Modalities = { Modality("a", 4, 3) },
    };

    /// <summary>a(3) - a.h1(2) and b(3) - b.h1(2) meeting in joint(2): 4096 joint states.</summary>
    public static DbmConfig TwoPathways() => new()
    {
        Name = "exact-two",
        JointSize = 2,
        Modalities = { Modality("a", 3, 2), Modality("b", 3, 2) },
    };

    /// <summary>
    /// A modality "m" with two features (a: 2 - [2], b: 2 - [1]) meeting in m.joint(2), and a modality "t"
    /// with a two-layer pathway (2 - [2, 2]), all meeting in joint(2): visibles at depth 3, 17 units.
    /// </summary>
    public static DbmConfig Tree() => new()
    {
        Name = "exact-tree",
        JointSize = 2,
        Modalities =
        {
            new ModalityConfig { Name = "m", JointSize = 2, Features = { Feature("a", 2, 2), Feature("b", 2, 1) } },
            Modality("t", 2, 2, 2),
        },
    };

    /// <summary>Sets every weight to N(0, weightStd^2) and every bias to N(0, biasStd^2).</summary>
    public static void Randomise(MultimodalDbm dbm, float weightStd, float biasStd, ulong seed)
    {
        foreach (var n in dbm.Nodes)
        {
            dbm.Backend.Upload(TestUtil.Normal(n.Size, biasStd, seed + 1000 + (ulong)n.Index), n.Bias);
            if (n.Weights is not null)
                dbm.Backend.Upload(TestUtil.Normal(n.Size * n.Parent!.Size, weightStd, seed + (ulong)n.Index), n.Weights);
        }
    }

    /// <summary>Overwrites one layer's bias.</summary>
    public static void SetBias(MultimodalDbm dbm, string layer, params float[] bias) => dbm.Backend.Upload(bias, dbm.Node(layer).Bias);

    /// <summary>Overwrites one layer's weights to its parent with a constant.</summary>
    public static void SetWeights(MultimodalDbm dbm, string layer, float value)
    {
        var n = dbm.Node(layer);
        dbm.Backend.Upload(Enumerable.Repeat(value, n.Size * n.Parent!.Size).ToArray(), n.Weights!);
    }

    /// <summary>A data set of rows per feature (dense, or sparse counts for the features named in <paramref name="sparse"/>); presence optional.</summary>
    public static MultimodalDataset Dataset(IReadOnlyDictionary<string, double[][]> features, IReadOnlyDictionary<string, bool[]>? present = null,
        params string[] sparse)
    {
        int count = features.Values.First().Length;
        return new MultimodalDataset(count,
            features.ToDictionary(kv => kv.Key, kv => sparse.Contains(kv.Key)
                ? (VisibleData)new SparseVisibleData(CsrMatrix.FromDense(TestUtil.Flatten(kv.Value), count, kv.Value[0].Length))
                : new DenseVisibleData(TestUtil.Flatten(kv.Value), count, kv.Value[0].Length)),
            present);
    }

    /// <summary>Gaussian "g" (2 - [2]) and binary "a" (2 - [2]) meeting in joint(2).</summary>
    public static DbmConfig WithGaussian() => new()
    {
        Name = "exact-gaussian",
        JointSize = 2,
        Modalities =
        {
            Modality("a", 2, 2),
            new ModalityConfig { Name = "g", Features = { new FeatureConfig { Name = "g", Visible = UnitKind.Gaussian, InputSize = 2, Hidden = { 2 } } } },
        },
    };

    /// <summary>
    /// Word counts "t" (3 words, M = 3, one hidden layer of 2) and binary "a" (2 - [2]) meeting in joint(2):
    /// 10 x 2^8 joint states.
    /// </summary>
    public static DbmConfig WithWordCounts() => new()
    {
        Name = "exact-words",
        JointSize = 2,
        Modalities =
        {
            Modality("a", 2, 2),
            new ModalityConfig { Name = "t", Features = { new FeatureConfig { Name = "t", Visible = UnitKind.ReplicatedSoftmax, InputSize = 3, DocumentLength = 3, Hidden = { 2 } } } },
        },
    };

    /// <summary>The observations of row r, for the exact model (only the present features).</summary>
    public static IReadOnlyDictionary<string, double[]> Observation(IReadOnlyDictionary<string, double[][]> features, int r,
        IReadOnlyDictionary<string, bool[]>? present = null)
        => features.Where(kv => present is null || !present.TryGetValue(kv.Key, out var p) || p[r])
            .ToDictionary(kv => kv.Key, kv => kv.Value[r]);

    /// <summary>A layer's mean-field values, rows of doubles.</summary>
    public static double[][] Rows(FloatMatrix m)
    {
        var a = m.ToArray();
        return Enumerable.Range(0, m.Rows).Select(r => a.Skip(r * m.Cols).Take(m.Cols).Select(x => (double)x).ToArray()).ToArray();
    }

    /// <summary>
    /// Every layer's value in a mean-field state: hidden layers' mu; visible layers the data on observed rows,
    /// the free (inferred) values on missing rows, zero where skipped.
    /// </summary>
    public static Dictionary<DbmNode, double[][]> Values(MultimodalDbm dbm, MeanFieldBatch batch, MeanFieldState state,
        IReadOnlyDictionary<string, double[][]> features, int[] rows)
    {
        var values = new Dictionary<DbmNode, double[][]>();
        foreach (var h in dbm.Hiddens) values[h] = Rows(state[h]);
        foreach (var v in dbm.Visibles)
        {
            var free = state.Free(v) is { } f ? Rows(f) : null;
            var present = batch.Present(v);
            values[v] = Enumerable.Range(0, batch.Rows).Select(r =>
                present[r] ? (double[])features[v.Name][rows[r]].Clone()
                : free is not null ? free[r] : new double[v.Size]).ToArray();
        }
        return values;
    }

    /// <summary>W of a layer to its parent as a host matrix.</summary>
    public static double[,] Weights(DbmNode n)
    {
        var wf = n.Weights!.ToArray();
        var w = new double[n.Size, n.Parent!.Size];
        for (int i = 0; i < n.Size; i++)
            for (int j = 0; j < n.Parent.Size; j++) w[i, j] = wf[i * n.Parent.Size + j];
        return w;
    }

    /// <summary>
    /// sigma(s b + sum over children x_c W_c + x_parent W') for one row: the exact conditional mean given the
    /// neighbours (M softmax(b + W x_parent) for a word-count layer, b + W x_parent for a Gaussian one).
    /// </summary>
    public static double[] ConditionalMean(DbmNode node, Dictionary<DbmNode, double[][]> values, int row)
    {
        var bias = node.Bias.ToArray();
        var x = bias.Select(b => (double)(node.BiasScale * b)).ToArray();
        foreach (var c in node.Children)
        {
            var w = Weights(c);
            var xc = values[c][row];
            for (int i = 0; i < c.Size; i++)
                for (int j = 0; j < node.Size; j++) x[j] += xc[i] * w[i, j];
        }
        if (node.Parent is not null)
        {
            var w = Weights(node);
            var xp = values[node.Parent][row];
            for (int j = 0; j < node.Size; j++)
                for (int k = 0; k < node.Parent.Size; k++) x[j] += w[j, k] * xp[k];
        }
        if (node.Units is GaussianLayer) return x;
        if (node.Units is ReplicatedSoftmaxLayer rs)
        {
            double max = x.Max();
            var e = x.Select(t => Math.Exp(t - max)).ToArray();
            return e.Select(t => rs.DocumentLength * t / e.Sum()).ToArray();
        }
        return x.Select(ExactRbm.Sigmoid).ToArray();
    }

    /// <summary>The statistics of a set of layer values in gradient form (row means of x_child x_parent' and s * x).</summary>
    public static ExactDbm.Gradient Statistics(MultimodalDbm dbm, Dictionary<DbmNode, double[][]> values)
    {
        var w = new Dictionary<string, double[]?>();
        var b = new Dictionary<string, double[]>();
        foreach (var n in dbm.Nodes)
        {
            var x = values[n];
            int rows = x.Length;
            var bias = new double[n.Size];
            for (int r = 0; r < rows; r++)
                for (int i = 0; i < n.Size; i++) bias[i] += n.BiasScale * x[r][i] / rows;
            b[n.Name] = bias;
            if (n.Parent is null) { w[n.Name] = null; continue; }
            var xp = values[n.Parent];
            var g = new double[n.Size * n.Parent.Size];
            for (int r = 0; r < rows; r++)
                for (int i = 0; i < n.Size; i++)
                    for (int j = 0; j < n.Parent.Size; j++) g[i * n.Parent.Size + j] += x[r][i] * xp[r][j] / rows;
            w[n.Name] = g;
        }
        return new ExactDbm.Gradient(w, b);
    }

    /// <summary>The mean-field data half of the PCD gradient, recomputed on the host from the model's own mean-field state.</summary>
    public static ExactDbm.Gradient MeanFieldDataStatistics(MultimodalDbm dbm, PreparedInputs prepared, IReadOnlyDictionary<string, double[][]> features,
        int[] rows, int iterations)
    {
        using var batch = new MeanFieldBatch(dbm, prepared, rows);
        using var state = new MeanFieldInference(dbm).Run(batch, iterations);
        return Statistics(dbm, Values(dbm, batch, state, features, rows));
    }

    /// <summary>
    /// Calls <see cref="PersistentContrastiveDivergence.EstimateGradient"/> <paramref name="burnIn"/> + <paramref name="calls"/>
    /// times on one batch and returns the mean of the last <paramref name="calls"/> and its standard error
    /// (from 10 block means, so autocorrelation of the chains is accounted for).
    /// </summary>
    public static (ExactDbm.Gradient Mean, ExactDbm.Gradient StandardError) AverageEstimates(PersistentContrastiveDivergence pcd,
        MeanFieldBatch batch, PreparedInputs chainStart, int burnIn, int calls)
    {
        for (int i = 0; i < burnIn; i++) pcd.EstimateGradient(batch, chainStart);
        const int blocks = 10;
        var blockMeans = new List<ExactDbm.Gradient>();
        var current = new List<ExactDbm.Gradient>();
        int perBlock = calls / blocks;
        for (int i = 0; i < perBlock * blocks; i++)
        {
            current.Add(ExactDbm.FromModel(pcd.EstimateGradient(batch, chainStart)));
            if (current.Count == perBlock) { blockMeans.Add(ExactDbm.Average(current)); current.Clear(); }
        }
        var mean = ExactDbm.Average(blockMeans);
        var se = new ExactDbm.Gradient(
            mean.Weights.ToDictionary(kv => kv.Key, kv => kv.Value is null ? null
                : kv.Value.Select((m, i) => Math.Sqrt(blockMeans.Sum(g => Math.Pow(g.Weights[kv.Key]![i] - m, 2)) / (blocks - 1) / blocks)).ToArray()),
            mean.Bias.ToDictionary(kv => kv.Key, kv =>
                kv.Value.Select((m, i) => Math.Sqrt(blockMeans.Sum(g => Math.Pow(g.Bias[kv.Key][i] - m, 2)) / (blocks - 1) / blocks)).ToArray()));
        return (mean, se);
    }

    /// <summary>Largest absolute difference and where.</summary>
    public static (double Error, string Where) MaxError(ExactDbm.Gradient a, ExactDbm.Gradient b)
    {
        var worst = ExactDbm.Pairs(a, b).MaxBy(p => Math.Abs(p.A - p.B));
        return (Math.Abs(worst.A - worst.B), $"{worst.Label}: {worst.A:F5} vs {worst.B:F5}");
    }

    /// <summary>Largest absolute value.</summary>
    public static double MaxAbs(ExactDbm.Gradient g) => ExactDbm.Pairs(g, g).Max(p => Math.Abs(p.A));
}
