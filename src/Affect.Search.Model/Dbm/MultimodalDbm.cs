using Affect.Search.Compute;
using Affect.Search.Model.Configuration;
using Affect.Search.Model.Data;
using Affect.Search.Model.Layers;

namespace Affect.Search.Model.Dbm;

/// <summary>
/// The multimodal Deep Boltzmann Machine of spec section 2, built from a <see cref="DbmConfig"/>:
/// per feature a pathway visible -> h1 -> ... -> hN, features of one modality meeting in that
/// modality's joint layer when it has several, and all modalities meeting in the joint layer.
/// Parameters live on the <see cref="Backend"/>; after training the model is only read, so
/// inference on one loaded model is safe from many threads.
/// </summary>
public sealed class MultimodalDbm : IDisposable
{
    private readonly Dictionary<string, DbmNode> _byName;

    private MultimodalDbm(IComputeBackend backend, DbmConfig config, List<DbmNode> nodes)
    {
        Backend = backend;
        Config = config;
        Nodes = nodes;
        _byName = nodes.ToDictionary(n => n.Name, StringComparer.Ordinal);
        Joint = nodes.Single(n => n.Parent is null);
        Visibles = nodes.Where(n => n.IsVisible).ToList();
        Hiddens = nodes.Where(n => !n.IsVisible).ToList();
    }

    /// <summary>The backend holding the parameters.</summary>
    public IComputeBackend Backend { get; }
    /// <summary>The configuration (with input sizes resolved).</summary>
    public DbmConfig Config { get; }
    /// <summary>All layers, ordered bottom-up (by height, then by configuration order).</summary>
    public IReadOnlyList<DbmNode> Nodes { get; }
    /// <summary>The visible (data) layers, one per feature.</summary>
    public IReadOnlyList<DbmNode> Visibles { get; }
    /// <summary>The hidden layers, bottom-up.</summary>
    public IReadOnlyList<DbmNode> Hiddens { get; }
    /// <summary>The joint layer hJ; its mean-field value is the embedding.</summary>
    public DbmNode Joint { get; }
    /// <summary>Size of the embedding.</summary>
    public int EmbeddingSize => Joint.Size;

    /// <summary>A layer by name.</summary>
    public DbmNode Node(string name) => _byName.TryGetValue(name, out var n) ? n
        : throw new KeyNotFoundException($"the model has no layer '{name}' (layers: {string.Join(", ", _byName.Keys)})");

    /// <summary>The visible layers of a modality.</summary>
    public IEnumerable<DbmNode> VisiblesOf(string modality) => Visibles.Where(v => v.Modality == modality);

    /// <summary>Total number of weights and biases.</summary>
    public long ParameterCount => Nodes.Sum(n => (long)n.Size + (n.Weights is null ? 0 : (long)n.Size * n.Parent!.Size));

    /// <summary>Builds the network with small random weights (N(0, 0.01^2)) and zero biases.</summary>
    /// <exception cref="InvalidDataException">the config is invalid or a feature's input size is unknown.</exception>
    public static MultimodalDbm Create(IComputeBackend backend, DbmConfig config)
    {
        config.Validate();
        foreach (var f in config.Features)
            if (f.InputSize <= 0) throw new InvalidDataException($"config '{config.Name}': feature '{f.Name}' has no inputSize; set it or train on data that has the feature");
        var nodes = new List<DbmNode>();
        var joint = new DbmNode("joint", new BernoulliLayer(config.JointSize), "", null, null);
        foreach (var m in config.Modalities)
        {
            var top = m.Features.Count > 1 ? new DbmNode($"{m.Name}.joint", new BernoulliLayer(m.JointSize!.Value), m.Name, null, joint) : joint;
            foreach (var f in m.Features)
            {
                // Build top-down so each layer knows its parent: hN ... h1, then the visible layer.
                var parent = top;
                for (int k = f.Hidden.Count; k >= 1; k--)
                    parent = new DbmNode($"{f.Name}.h{k}", new BernoulliLayer(f.Hidden[k - 1]), m.Name, f.Name, parent);
                _ = new DbmNode(f.Name, UnitLayer.Create(f.Visible, f.InputSize, f.DocumentLength), m.Name, f.Name, parent);
            }
        }
        Collect(joint, nodes);
        var ordered = nodes.Select((n, i) => (n, i)).OrderBy(t => t.n.Height).ThenBy(t => t.i).Select(t => t.n).ToList();
        for (int i = 0; i < ordered.Count; i++) ordered[i].Index = i;

        var random = new RandomStream(config.Seed);
        foreach (var n in ordered)
        {
            n.Bias = backend.Allocate(1, n.Size);
            if (n.Parent is not null)
            {
                var w = new float[(long)n.Size * n.Parent.Size];
                random.FillNormal(w, 0.01f);
                n.Weights = backend.FromArray(w, n.Size, n.Parent.Size);
            }
        }
        return new MultimodalDbm(backend, config, ordered);
    }

    private static void Collect(DbmNode node, List<DbmNode> into)
    {
        foreach (var c in node.Children) Collect(c, into);
        into.Add(node);
    }

    /// <summary>The raw (source) feature names a visible layer reads: its own name, or the features it concatenates.</summary>
    public IReadOnlyList<string> SourcesOf(DbmNode visible) => Config.Features.First(x => x.Name == visible.Feature).Sources;

    /// <summary>
    /// Raw data for each visible layer: source features concatenated where configured, present only where
    /// every source is present; absent when the data set lacks the feature.
    /// </summary>
    public (VisibleData? Data, bool[] Present) RawInput(DbmNode visible, MultimodalDataset data)
    {
        var sources = SourcesOf(visible);
        var present = new bool[data.Count];
        if (sources.Any(s => !data.Features.ContainsKey(s))) return (null, present);
        for (int r = 0; r < data.Count; r++) present[r] = sources.All(s => data.IsPresent(s, r));
        if (sources.Count == 1)
        {
            var d = data.Features[sources[0]];
            if (d.Dimension != visible.Size) throw new ArgumentException($"feature '{sources[0]}' has dimension {d.Dimension}, the model's layer '{visible.Name}' expects {visible.Size}");
            return (d, present);
        }
        var parts = sources.Select(s => data.Features[s] as DenseVisibleData
            ?? throw new ArgumentException($"feature '{s}' must be dense to be concatenated into '{visible.Name}'")).ToList();
        int dim = parts.Sum(p => p.Dimension);
        if (dim != visible.Size) throw new ArgumentException($"features {string.Join("+", sources)} have {dim} dimensions together, layer '{visible.Name}' expects {visible.Size}");
        var values = new float[(long)data.Count * dim];
        for (int r = 0; r < data.Count; r++)
        {
            int offset = 0;
            foreach (var p in parts) { p.Row(r).CopyTo(values.AsSpan(r * dim + offset, p.Dimension)); offset += p.Dimension; }
        }
        return (new DenseVisibleData(values, data.Count, dim), present);
    }

    /// <summary>Fits every Gaussian layer's standardisation on the present rows of training data.</summary>
    public void FitStandardisation(MultimodalDataset training)
    {
        foreach (var v in Visibles)
        {
            if (v.Units is not GaussianLayer g) continue;
            var (raw, present) = RawInput(v, training);
            if (raw is DenseVisibleData dense && present.Any(p => p)) g.Fit(dense, present);
        }
    }

    /// <summary>Standardises / rescales a data set into what each visible layer consumes.</summary>
    public PreparedInputs Prepare(MultimodalDataset data)
    {
        var inputs = new Dictionary<DbmNode, (VisibleData?, bool[])>();
        foreach (var v in Visibles)
        {
            var (raw, present) = RawInput(v, data);
            inputs[v] = (raw is null ? null : v.Units.Prepare(raw), present);
        }
        return new PreparedInputs(data.Count, inputs);
    }

    /// <inheritdoc />
    public void Dispose()
    {
        foreach (var n in Nodes)
        {
            n.Bias.Dispose();
            n.Weights?.Dispose();
        }
    }
}

/// <summary>A data set in the form the visible layers consume, with per-item presence.</summary>
public sealed class PreparedInputs
{
    private readonly Dictionary<DbmNode, (VisibleData? Data, bool[] Present)> _inputs;

    internal PreparedInputs(int count, Dictionary<DbmNode, (VisibleData?, bool[])> inputs)
    {
        Count = count;
        _inputs = inputs;
    }

    /// <summary>Number of items.</summary>
    public int Count { get; }

    /// <summary>The data of a visible layer (null when the data set lacks it) and which items have it.</summary>
    public (VisibleData? Data, bool[] Present) this[DbmNode visible] => _inputs[visible];
}
