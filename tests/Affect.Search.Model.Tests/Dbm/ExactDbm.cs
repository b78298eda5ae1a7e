using Affect.Search.Model.Dbm;
using Affect.Search.Model.Layers;

namespace Affect.Search.Model.Tests.Dbm;

/// <summary>
/// A brute-force reference for small DBMs (any tree of layers) with binary hidden layers and binary or
/// Replicated Softmax visible layers, in double precision: enumerates every joint configuration of
/// every layer and computes p(x) = base(x) exp(-E(x)) / Z with
/// E(x) = -sum over edges x_child' W x_parent - sum over layers s * bias' x
/// (s = the layer's bias scale: the document length M for a layer right above a word-count layer, else 1;
/// base = M! / prod_k v_k! for a word-count layer, else 1, as in <see cref="ExactRbm"/>). Expectations,
/// posteriors given clamped layers, the log-likelihood of clamped layers and its exact gradient are sums
/// over that table. A Gaussian visible layer (unit variance, energy |v - b|^2 / 2 - v'W h) is integrated
/// out analytically: it adds (|b + W h|^2 - |b|^2) / 2 to the log-weight of each configuration of its
/// parent h, and E[v | h] = b + W h; clamped to data it adds v'W h instead. Nothing here uses the code
/// under test except to read the parameters.
/// </summary>
public sealed class ExactDbm
{
    /// <summary>One layer: its bias, its parent (null for the root) and weights to it (|this| x |parent|); a document length makes it a word-count layer.</summary>
    public sealed record LayerSpec(string Name, double[] Bias, string? Parent, double[,]? Weights, double BiasScale = 1.0, int? DocumentLength = null,
        bool Gaussian = false)
    {
        public int Size => Bias.Length;
    }

    private readonly Dictionary<string, int> _index = new(StringComparer.Ordinal);
    private readonly Dictionary<string, LayerSpec> _byName = new(StringComparer.Ordinal);
    private readonly double[][][] _states;   // per layer: its configurations
    private readonly double[][] _logBase;    // per layer: log base measure of each configuration
    private readonly long[] _stride;         // mixed radix
    private readonly double[] _logWeight;

    /// <summary>Builds the table over all joint states.</summary>
    public ExactDbm(IReadOnlyList<LayerSpec> layers)
    {
        Layers = layers;
        _states = new double[layers.Count][][];
        _logBase = new double[layers.Count][];
        _stride = new long[layers.Count];
        long total = 1;
        for (int k = 0; k < layers.Count; k++)
        {
            var l = layers[k];
            _index[l.Name] = k;
            _byName[l.Name] = l;
            if (l.Gaussian)
            {
                if (l.Parent is null) throw new ArgumentException($"Gaussian layer '{l.Name}' must be a visible layer with a parent");
                _states[k] = [new double[l.Size]];
                _logBase[k] = [0.0];
            }
            else if (l.DocumentLength is int m)
            {
                _states[k] = ExactRbm.Compositions(l.Size, m).ToArray();
                _logBase[k] = _states[k].Select(v => LogFactorial(m) - v.Sum(c => LogFactorial((int)c))).ToArray();
            }
            else
            {
                _states[k] = Enumerable.Range(0, 1 << l.Size).Select(i => ExactRbm.Bits(i, l.Size)).ToArray();
                _logBase[k] = new double[_states[k].Length];
            }
            _stride[k] = total;
            total *= _states[k].Length;
        }
        if (total > 1 << 20) throw new ArgumentException($"{total} joint states are too many to enumerate");
        foreach (var l in layers)
        {
            if (l.Parent is null) continue;
            if (!_byName.TryGetValue(l.Parent, out var p)) throw new ArgumentException($"layer '{l.Name}' has unknown parent '{l.Parent}'");
            if (l.Weights is null || l.Weights.GetLength(0) != l.Size || l.Weights.GetLength(1) != p.Size)
                throw new ArgumentException($"layer '{l.Name}' needs weights {l.Size} x {p.Size}");
        }
        _logWeight = new double[total];
        for (long s = 0; s < total; s++)
        {
            _logWeight[s] = LogBase(s) - Energy(s);
            for (int k = 0; k < layers.Count; k++) if (layers[k].Gaussian) _logWeight[s] += GaussianIntegral(s, k);
        }
        // Each Gaussian layer's integral also carries (2 pi)^(n/2).
        LogZ = ExactRbm.LogSumExp(_logWeight) + layers.Where(l => l.Gaussian).Sum(l => l.Size / 2.0 * Math.Log(2 * Math.PI));
    }

    /// <summary>The layers.</summary>
    public IReadOnlyList<LayerSpec> Layers { get; }
    /// <summary>Number of joint states.</summary>
    public long States => _logWeight.Length;
    /// <summary>log Z.</summary>
    public double LogZ { get; }

    /// <summary>A layer by name.</summary>
    public LayerSpec Layer(string name) => _byName[name];

    /// <summary>Reads a model's parameters (Bernoulli hidden layers; Bernoulli or Replicated Softmax visibles), leaving out the named layers and their edges.</summary>
    public static ExactDbm FromModel(MultimodalDbm dbm, params string[] exclude)
    {
        var specs = new List<LayerSpec>();
        foreach (var n in dbm.Nodes)
        {
            if (exclude.Contains(n.Name)) continue;
            int? documentLength = null;
            bool gaussian = false;
            if (n.Units is GaussianLayer && n.IsVisible) gaussian = true;
            else if (n.Units is ReplicatedSoftmaxLayer rs && n.IsVisible)
            {
                documentLength = (int)Math.Round(rs.DocumentLength);
                if (documentLength != rs.DocumentLength) throw new ArgumentException($"layer '{n.Name}' needs an integer document length to be enumerated");
            }
            else if (n.Units is not BernoulliLayer) throw new ArgumentException($"layer '{n.Name}' ({n.Units}) cannot be enumerated");
            double[,]? w = null;
            string? parent = null;
            if (n.Parent is not null && !exclude.Contains(n.Parent.Name))
            {
                parent = n.Parent.Name;
                var wf = n.Weights!.ToArray();
                w = new double[n.Size, n.Parent.Size];
                for (int i = 0; i < n.Size; i++)
                    for (int j = 0; j < n.Parent.Size; j++) w[i, j] = wf[i * n.Parent.Size + j];
            }
            // The bias scale is the model's own rule restated: M of a word-count layer directly below, else 1.
            var scale = n.Children.Where(c => !exclude.Contains(c.Name)).Select(c => c.Units is ReplicatedSoftmaxLayer r ? (double)r.DocumentLength : 1.0).DefaultIfEmpty(1.0).Max();
            specs.Add(new LayerSpec(n.Name, n.Bias.ToArray().Select(x => (double)x).ToArray(), parent, w, scale, documentLength, gaussian));
        }
        return new ExactDbm(specs);
    }

    /// <summary>The same model with one parameter moved by <paramref name="delta"/>: weight (i, j) of a layer, or its bias i when j &lt; 0.</summary>
    public ExactDbm Perturbed(string layer, int i, int j, double delta)
    {
        var specs = Layers.Select(l =>
        {
            var bias = (double[])l.Bias.Clone();
            var w = (double[,]?)l.Weights?.Clone();
            if (l.Name == layer)
            {
                if (j < 0) bias[i] += delta;
                else w![i, j] += delta;
            }
            return l with { Bias = bias, Weights = w };
        }).ToList();
        return new ExactDbm(specs);
    }

    /// <summary>Layer k's configuration in joint state s.</summary>
    private double[] X(long s, int k) => _states[k][s / _stride[k] % _states[k].Length];

    private double LogBase(long s)
    {
        double b = 0;
        for (int k = 0; k < Layers.Count; k++) b += _logBase[k][s / _stride[k] % _states[k].Length];
        return b;
    }

    /// <summary>b + W h for Gaussian layer k given its parent's configuration in joint state s.</summary>
    private double[] GaussianMean(long s, int k)
    {
        var l = Layers[k];
        var h = X(s, _index[l.Parent!]);
        var m = (double[])l.Bias.Clone();
        for (int i = 0; i < l.Size; i++)
            for (int j = 0; j < h.Length; j++) m[i] += l.Weights![i, j] * h[j];
        return m;
    }

    /// <summary>log of the integral over v of exp(-|v - b|^2 / 2 + v'W h), up to a constant.</summary>
    private double GaussianIntegral(long s, int k)
    {
        var b = Layers[k].Bias;
        var m = GaussianMean(s, k);
        double r = 0;
        for (int i = 0; i < m.Length; i++) r += (m[i] * m[i] - b[i] * b[i]) / 2;
        return r;
    }

    /// <summary>v'W h for a Gaussian layer k clamped to v.</summary>
    private double GaussianClamped(long s, int k, double[] v)
    {
        var l = Layers[k];
        var h = X(s, _index[l.Parent!]);
        double r = 0;
        for (int i = 0; i < l.Size; i++)
            for (int j = 0; j < h.Length; j++) r += v[i] * l.Weights![i, j] * h[j];
        return r;
    }

    /// <summary>E(x) of one joint state, Gaussian layers left out (they are integrated out or clamped).</summary>
    public double Energy(long state)
    {
        double e = 0;
        for (int k = 0; k < Layers.Count; k++)
        {
            var l = Layers[k];
            if (l.Gaussian) continue;
            var x = X(state, k);
            for (int i = 0; i < l.Size; i++) e -= l.BiasScale * l.Bias[i] * x[i];
            if (l.Parent is null) continue;
            var xp = X(state, _index[l.Parent]);
            for (int i = 0; i < l.Size; i++)
            {
                if (x[i] == 0) continue;
                for (int j = 0; j < xp.Length; j++) e -= x[i] * l.Weights![i, j] * xp[j];
            }
        }
        return e;
    }

    private static double LogFactorial(int n)
    {
        double s = 0;
        for (int k = 2; k <= n; k++) s += Math.Log(k);
        return s;
    }

    /// <summary>Means of every unit and, per edge (keyed by the child layer), E[x_child x_parent'].</summary>
    public sealed record Stats(Dictionary<string, double[]> Mean, Dictionary<string, double[,]> Pair, double LogMass);

    /// <summary>Expectations under p(x | clamped layers = values); no clamp gives the model expectations.</summary>
    public Stats Expectations(IReadOnlyDictionary<string, double[]>? clamp = null)
    {
        var fixedState = new List<(int Layer, int State)>();
        var gaussianClamp = new Dictionary<int, double[]>();
        if (clamp is not null)
            foreach (var (name, v) in clamp)
            {
                int k = _index[name];
                if (Layers[k].Gaussian)
                {
                    if (v.Length != Layers[k].Size) throw new ArgumentException($"clamp of '{name}' has {v.Length} values");
                    gaussianClamp[k] = v;
                    continue;
                }
                int idx = Array.FindIndex(_states[k], x => x.SequenceEqual(v));
                if (idx < 0) throw new ArgumentException($"[{string.Join(", ", v)}] is not a configuration of layer '{name}'");
                fixedState.Add((k, idx));
            }
        bool Matches(long s)
        {
            foreach (var (k, idx) in fixedState)
                if (s / _stride[k] % _states[k].Length != idx) return false;
            return true;
        }
        double LogWeight(long s)
        {
            double lw = _logWeight[s];
            foreach (var (k, v) in gaussianClamp) lw += GaussianClamped(s, k, v) - GaussianIntegral(s, k);
            return lw;
        }
        double max = double.NegativeInfinity;
        for (long s = 0; s < _logWeight.Length; s++)
            if (Matches(s)) max = Math.Max(max, LogWeight(s));
        var mean = Layers.ToDictionary(l => l.Name, l => new double[l.Size]);
        var pair = Layers.Where(l => l.Parent is not null).ToDictionary(l => l.Name, l => new double[l.Size, _byName[l.Parent!].Size]);
        double total = 0;
        for (long s = 0; s < _logWeight.Length; s++)
        {
            if (!Matches(s)) continue;
            double w = Math.Exp(LogWeight(s) - max);
            total += w;
            for (int k = 0; k < Layers.Count; k++)
            {
                var l = Layers[k];
                // A Gaussian layer's statistics are linear in v: use E[v | h] = b + W h (or the clamped data).
                var x = !l.Gaussian ? X(s, k) : gaussianClamp.TryGetValue(k, out var cv) ? cv : GaussianMean(s, k);
                var m = mean[l.Name];
                for (int i = 0; i < l.Size; i++) m[i] += w * x[i];
                if (l.Parent is null) continue;
                var p = pair[l.Name];
                var xp = X(s, _index[l.Parent]);
                for (int i = 0; i < l.Size; i++)
                {
                    if (x[i] == 0) continue;
                    for (int j = 0; j < xp.Length; j++) p[i, j] += w * x[i] * xp[j];
                }
            }
        }
        foreach (var m in mean.Values) for (int i = 0; i < m.Length; i++) m[i] /= total;
        foreach (var p in pair.Values)
            for (int i = 0; i < p.GetLength(0); i++)
                for (int j = 0; j < p.GetLength(1); j++) p[i, j] /= total;
        // A clamped Gaussian layer's own energy |v - b|^2 / 2 is the same for every state: add it once.
        double gaussianEnergy = gaussianClamp.Sum(kv => kv.Value.Select((x, i) => (x - Layers[kv.Key].Bias[i]) * (x - Layers[kv.Key].Bias[i]) / 2).Sum());
        return new Stats(mean, pair, max + Math.Log(total) - gaussianEnergy);
    }

    /// <summary>log p(clamped layers = values) (a density for Gaussian layers), all other units summed or integrated out.</summary>
    public double LogProbability(IReadOnlyDictionary<string, double[]> observed) => Expectations(observed).LogMass - LogZ;

    /// <summary>Mean log-likelihood of a data set of observations.</summary>
    public double MeanLogLikelihood(IReadOnlyList<IReadOnlyDictionary<string, double[]>> data) => data.Average(LogProbability);

    /// <summary>Per layer (weights to the parent, |this| x |parent|, and bias): a flat, row-major gradient-shaped value.</summary>
    public sealed record Gradient(Dictionary<string, double[]?> Weights, Dictionary<string, double[]> Bias);

    /// <summary>Statistics in gradient form: E[x_child x_parent'] row-major and s * E[x].</summary>
    public Gradient AsGradient(Stats stats) => new(
        Layers.ToDictionary(l => l.Name, l => l.Parent is null ? null : Flatten(stats.Pair[l.Name])),
        Layers.ToDictionary(l => l.Name, l => stats.Mean[l.Name].Select(x => x * l.BiasScale).ToArray()));

    /// <summary>The data half: statistics averaged over the posteriors given each observation.</summary>
    public Gradient DataStatistics(IReadOnlyList<IReadOnlyDictionary<string, double[]>> data)
    {
        var parts = data.Select(d => AsGradient(Expectations(d))).ToList();
        return Average(parts);
    }

    /// <summary>The model half.</summary>
    public Gradient ModelStatistics() => AsGradient(Expectations());

    /// <summary>The exact gradient of the mean log-likelihood: data statistics minus model statistics.</summary>
    public Gradient ExactGradient(IReadOnlyList<IReadOnlyDictionary<string, double[]>> data) => Subtract(DataStatistics(data), ModelStatistics());

    public static Gradient Average(IReadOnlyList<Gradient> parts)
    {
        var first = parts[0];
        var w = first.Weights.ToDictionary(kv => kv.Key, kv => kv.Value is null ? null : new double[kv.Value.Length]);
        var b = first.Bias.ToDictionary(kv => kv.Key, kv => new double[kv.Value.Length]);
        foreach (var p in parts)
        {
            foreach (var (k, v) in p.Weights) if (v is not null) for (int i = 0; i < v.Length; i++) w[k]![i] += v[i] / parts.Count;
            foreach (var (k, v) in p.Bias) for (int i = 0; i < v.Length; i++) b[k][i] += v[i] / parts.Count;
        }
        return new Gradient(w, b);
    }

    public static Gradient Subtract(Gradient a, Gradient b) => new(
        a.Weights.ToDictionary(kv => kv.Key, kv => kv.Value is null ? null : kv.Value.Zip(b.Weights[kv.Key]!, (x, y) => x - y).ToArray()),
        a.Bias.ToDictionary(kv => kv.Key, kv => kv.Value.Zip(b.Bias[kv.Key], (x, y) => x - y).ToArray()));

    /// <summary>Every entry of two gradients side by side, labelled "layer.W[i,j]" / "layer.b[i]".</summary>
    public static IEnumerable<(string Label, double A, double B)> Pairs(Gradient a, Gradient b)
    {
        foreach (var (k, v) in a.Weights)
        {
            if (v is null) continue;
            var other = b.Weights[k]!;
            for (int i = 0; i < v.Length; i++) yield return ($"{k}.W[{i}]", v[i], other[i]);
        }
        foreach (var (k, v) in a.Bias)
            for (int i = 0; i < v.Length; i++) yield return ($"{k}.b[{i}]", v[i], b.Bias[k][i]);
    }

    /// <summary>Converts a gradient from the model's host-array form.</summary>
    public static Gradient FromModel(IReadOnlyDictionary<string, (float[]? Weights, float[] Bias)> g) => new(
        g.ToDictionary(kv => kv.Key, kv => kv.Value.Weights?.Select(x => (double)x).ToArray()),
        g.ToDictionary(kv => kv.Key, kv => kv.Value.Bias.Select(x => (double)x).ToArray()));

    private static double[] Flatten(double[,] m)
    {
        var r = new double[m.Length];
        int k = 0;
        foreach (var x in m) r[k++] = x;
        return r;
    }
}
