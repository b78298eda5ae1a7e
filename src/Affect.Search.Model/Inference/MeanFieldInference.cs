using Affect.Search.Compute;
using Affect.Search.Model.Data;
using Affect.Search.Model.Dbm;
using Affect.Search.Model.Layers;

namespace Affect.Search.Model.Inference;

/// <summary>How mean-field treats a modality an item lacks (spec section 4).</summary>
public enum MissingModalityPolicy
{
    /// <summary>Missing visibles start at zero and are updated from their first hidden layer like every other layer (the paper's choice).</summary>
    Infer,
    /// <summary>The missing pathway is left out: it sends nothing upwards (the worse alternative, kept for comparison).</summary>
    Skip,
}

/// <summary>
/// Mean-field inference in the multimodal DBM (spec section 4): observed visibles clamped, every
/// hidden layer updated from both neighbours, bottom-up, for a number of iterations; missing
/// visibles updated from their first hidden layer. Each call owns its workspace, so one model can
/// serve many threads.
/// </summary>
public sealed class MeanFieldInference
{
    private readonly MultimodalDbm _dbm;
    private readonly IComputeBackend _backend;

    /// <summary>Inference over <paramref name="dbm"/>.</summary>
    public MeanFieldInference(MultimodalDbm dbm)
    {
        _dbm = dbm;
        _backend = dbm.Backend;
    }

    /// <summary>Runs mean-field on an uploaded batch and returns every layer's state (caller disposes).</summary>
    public MeanFieldState Run(MeanFieldBatch batch, int iterations, MissingModalityPolicy policy = MissingModalityPolicy.Infer)
    {
        if (iterations <= 0) throw new ArgumentOutOfRangeException(nameof(iterations), "mean-field needs at least one iteration");
        var state = new MeanFieldState(_dbm, batch, policy);
        using var scratch = new Scratch(_backend, batch.Rows);
        if (policy == MissingModalityPolicy.Infer && _dbm.Visibles.Any(batch.AnyMissing))
        {
            // Initialisation (the spec leaves it open): a bottom-up pass in which missing pathways send
            // nothing, so the observed modalities alone set the joint layer, then a top-down pass that
            // generates the missing pathways from it. Starting the missing visibles at zero and their
            // layers at their biases instead lets those layers outvote a single observed modality.
            foreach (var node in _dbm.Hiddens) UpdateHidden(node, state, batch, maskAbsent: true);
            for (int i = _dbm.Hiddens.Count - 1; i >= 0; i--) UpdateHidden(_dbm.Hiddens[i], state, batch, maskAbsent: false);
            UpdateMissingVisibles(state, batch, scratch);
        }
        for (int t = 0; t < iterations; t++)
        {
            foreach (var node in _dbm.Hiddens) UpdateHidden(node, state, batch, maskAbsent: policy == MissingModalityPolicy.Skip);
            if (policy == MissingModalityPolicy.Infer) UpdateMissingVisibles(state, batch, scratch);
        }
        return state;
    }

    /// <summary>
    /// Embeds items: their joint-layer mean-field values, row-major (Count x EmbeddingSize), plus any
    /// requested layers and, on request, reconstructions of every visible layer (for the missing ones,
    /// what the model infers: a Gaussian layer's features in raw units, a Replicated Softmax layer's word
    /// distribution).
    /// </summary>
    public InferenceResult Infer(MultimodalDataset items, InferenceOptions? options = null)
    {
        options ??= new InferenceOptions();
        var prepared = _dbm.Prepare(items);
        int iterations = options.Iterations ?? _dbm.Config.InferenceIterations;
        var joint = new float[(long)items.Count * _dbm.EmbeddingSize];
        var layers = options.Layers.ToDictionary(name => name, name => new float[(long)items.Count * _dbm.Node(name).Size]);
        var reconstructions = options.Reconstruct
            ? _dbm.Visibles.ToDictionary(v => v.Name, v => new float[(long)items.Count * v.Size])
            : new Dictionary<string, float[]>();
        for (int start = 0; start < items.Count; start += options.BatchSize)
        {
            int n = Math.Min(options.BatchSize, items.Count - start);
            var rows = Enumerable.Range(start, n).ToArray();
            using var batch = new MeanFieldBatch(_dbm, prepared, rows);
            using var state = Run(batch, iterations, options.Policy);
            _backend.Download(state[_dbm.Joint], joint.AsSpan(start * _dbm.EmbeddingSize, n * _dbm.EmbeddingSize));
            foreach (var (name, buffer) in layers)
            {
                var node = _dbm.Node(name);
                if (node.IsVisible) throw new ArgumentException($"'{name}' is a visible layer: ask for reconstructions instead");
                _backend.Download(state[node], buffer.AsSpan(start * node.Size, n * node.Size));
            }
            foreach (var (name, buffer) in reconstructions)
            {
                var v = _dbm.Node(name);
                using var recon = _backend.Allocate(n, v.Size);
                Reconstruct(v, state, recon);
                var span = buffer.AsSpan(start * v.Size, n * v.Size);
                _backend.Download(recon, span);
                ToRawUnits(v, span);
            }
        }
        return new InferenceResult(items.Count, _dbm.EmbeddingSize, joint, layers, reconstructions);
    }

    /// <summary>
    /// The mean-field (variational) free energy of each item of a batch after <see cref="Run"/>:
    /// E_q[E(v, h)] - H(q), with q the factorised posterior in <paramref name="state"/> and missing visibles
    /// at their inferred values. It upper-bounds -log p(v) + log Z, so the gap between held-out and training
    /// items tracks over-fitting of the whole DBM as the RBM free-energy gap does in pretraining.
    /// </summary>
    public double[] FreeEnergy(MeanFieldState state, MeanFieldBatch batch)
    {
        int rows = batch.Rows;
        var energy = new double[rows];
        var values = new Dictionary<DbmNode, float[]>();
        var owned = new List<FloatMatrix>();
        try
        {
            // Each layer's value as a matrix: hidden means, or a visible layer's data plus inferred rows.
            var matrices = new Dictionary<DbmNode, FloatMatrix>();
            foreach (var n in _dbm.Nodes)
            {
                if (!n.IsVisible) { matrices[n] = state[n]; continue; }
                var x = batch.Observed(n)?.ToDense(_backend) ?? _backend.Allocate(rows, n.Size);
                owned.Add(x);
                if (state.Free(n) is { } free) _backend.Axpby(1f, free, 1f, x);
                matrices[n] = x;
                using var term = _backend.Allocate(rows, 1);
                n.Units.AddVisibleEnergy(_backend, x, n.Bias, term);
                var t = term.ToArray();
                for (int r = 0; r < rows; r++) energy[r] += t[r];
            }
            foreach (var n in _dbm.Hiddens) values[n] = state[n].ToArray();
            foreach (var n in _dbm.Nodes)
            {
                if (n.Parent is null) continue;
                using var projected = _backend.Allocate(rows, n.Parent.Size);
                _backend.Gemm(Transpose.No, Transpose.No, 1f, matrices[n], n.Weights!, 0f, projected);
                var p = projected.ToArray();
                var upper = values[n.Parent];
                for (int i = 0; i < p.Length; i++) energy[i / n.Parent.Size] -= p[i] * upper[i];
            }
            foreach (var n in _dbm.Hiddens)
            {
                var mu = values[n];
                var bias = n.Bias.ToArray();
                float scale = n.BiasScale;
                for (int i = 0; i < mu.Length; i++)
                {
                    double m = mu[i];
                    double entropy = (m > 0 ? -m * Math.Log(m) : 0) + (m < 1 ? -(1 - m) * Math.Log(1 - m) : 0);
                    energy[i / n.Size] -= scale * bias[i % n.Size] * m + entropy;
                }
            }
            return energy;
        }
        finally
        {
            foreach (var m in owned) m.Dispose();
        }
    }

    /// <summary>Sums every neighbour's input into a hidden layer and applies its activation.</summary>
    private void UpdateHidden(DbmNode node, MeanFieldState state, MeanFieldBatch batch, bool maskAbsent)
    {
        var mu = state[node];
        float beta = 0f;
        foreach (var child in node.Children)
        {
            if (child.IsVisible)
            {
                if (batch.Observed(child) is { } observed) { observed.Project(_backend, 1f, child.Weights!, beta, mu); beta = 1f; }
                if (state.Free(child) is { } free) { _backend.Gemm(Transpose.No, Transpose.No, 1f, free, child.Weights!, beta, mu); beta = 1f; }
            }
            else
            {
                _backend.Gemm(Transpose.No, Transpose.No, 1f, state[child], child.Weights!, beta, mu);
                beta = 1f;
            }
        }
        if (node.Parent is not null)
        {
            _backend.Gemm(Transpose.No, Transpose.Yes, 1f, state[node.Parent], node.Weights!, beta, mu);
            beta = 1f;
        }
        if (beta == 0f) _backend.Fill(mu, 0f);
        node.Units.Activate(_backend, mu, node.Bias, node.BiasScale);
        if (maskAbsent && state.AbsentMask(node) is { } absent) _backend.CopyMaskedRows(state.Zeros(node), absent, mu);
    }

    private void UpdateMissingVisibles(MeanFieldState state, MeanFieldBatch batch, Scratch scratch)
    {
        foreach (var visible in _dbm.Visibles)
        {
            if (!batch.AnyMissing(visible)) continue;
            var recon = scratch.For(visible);
            Reconstruct(visible, state, recon);
            _backend.CopyMaskedRows(recon, batch.MissingMask(visible), state.Free(visible)!);
        }
    }

    /// <summary>E[v | h1]: Gaussian mean b + W h1, M * softmax, or sigmoid.</summary>
    internal void Reconstruct(DbmNode visible, MeanFieldState state, FloatMatrix destination)
    {
        _backend.Gemm(Transpose.No, Transpose.Yes, 1f, state[visible.Parent!], visible.Weights!, 0f, destination);
        visible.Units.Activate(_backend, destination, visible.Bias);
    }

    private static void ToRawUnits(DbmNode visible, Span<float> values)
    {
        int d = visible.Size;
        switch (visible.Units)
        {
            case GaussianLayer g:
                for (int i = 0; i < values.Length; i++) values[i] = g.Mean[i % d] + g.StandardDeviation[i % d] * values[i];
                break;
            case ReplicatedSoftmaxLayer rs:
                for (int i = 0; i < values.Length; i++) values[i] /= rs.DocumentLength;
                break;
        }
    }

    private sealed class Scratch(IComputeBackend backend, int rows) : IDisposable
    {
        private readonly Dictionary<DbmNode, FloatMatrix> _buffers = new();

        public FloatMatrix For(DbmNode node)
        {
            if (!_buffers.TryGetValue(node, out var m)) _buffers[node] = m = backend.Allocate(rows, node.Size);
            return m;
        }

        public void Dispose()
        {
            foreach (var m in _buffers.Values) m.Dispose();
        }
    }
}

/// <summary>Options of <see cref="MeanFieldInference.Infer"/>.</summary>
public sealed record InferenceOptions
{
    /// <summary>Mean-field iterations; null = the model's configured value.</summary>
    public int? Iterations { get; init; }
    /// <summary>Infer or skip missing modalities.</summary>
    public MissingModalityPolicy Policy { get; init; } = MissingModalityPolicy.Infer;
    /// <summary>Hidden layers whose activations to return, by name.</summary>
    public IReadOnlyList<string> Layers { get; init; } = Array.Empty<string>();
    /// <summary>Return every visible layer's reconstruction.</summary>
    public bool Reconstruct { get; init; }
    /// <summary>Items per batch (throughput vs memory).</summary>
    public int BatchSize { get; init; } = 256;
}

/// <summary>Embeddings and optional activations of a set of items, row-major.</summary>
public sealed record InferenceResult(int Count, int EmbeddingSize, float[] Joint,
    IReadOnlyDictionary<string, float[]> Layers, IReadOnlyDictionary<string, float[]> Reconstructions)
{
    /// <summary>Item i's joint representation.</summary>
    public ReadOnlySpan<float> Embedding(int i) => Joint.AsSpan(i * EmbeddingSize, EmbeddingSize);
}
