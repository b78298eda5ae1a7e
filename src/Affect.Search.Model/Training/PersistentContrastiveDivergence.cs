using System.Diagnostics;
using Affect.Search.Compute;
using Affect.Search.Model.Configuration;
using Affect.Search.Model.Dbm;
using Affect.Search.Model.Inference;
using Affect.Search.Model.Layers;

namespace Affect.Search.Model.Training;

/// <summary>
/// Joint training of the whole multimodal DBM by persistent contrastive divergence (spec section 3.2):
/// the data term is the mean-field posterior with observed visibles clamped (an item's missing
/// modalities are free and filled in, 3.3); the model term comes from persistent Gibbs chains
/// (fantasy particles) advanced after every update. Layers of equal depth parity are conditionally
/// independent, so a sweep updates odd layers, then even ones.
/// </summary>
public sealed class PersistentContrastiveDivergence : IDisposable
{
    private readonly MultimodalDbm _dbm;
    private readonly JointTrainingConfig _config;
    private readonly IComputeBackend _backend;
    private readonly RandomStream _random;
    private readonly MeanFieldInference _meanField;
    private readonly Dictionary<DbmNode, FloatMatrix> _velocityW = new(), _velocityB = new(), _chains = new();

    /// <summary>Prepares PCD on <paramref name="dbm"/>.</summary>
    public PersistentContrastiveDivergence(MultimodalDbm dbm, JointTrainingConfig config, ulong seed)
    {
        if (config.BatchSize <= 0 || config.Chains <= 0 || config.GibbsSweeps <= 0 || config.MeanFieldIterations <= 0)
            throw new ArgumentException("joint training needs positive batchSize, chains, gibbsSweeps and meanFieldIterations");
        _dbm = dbm;
        _config = config;
        _backend = dbm.Backend;
        _random = new RandomStream(seed);
        _meanField = new MeanFieldInference(dbm);
        foreach (var n in dbm.Nodes)
        {
            _velocityB[n] = _backend.Allocate(1, n.Size);
            if (n.Weights is not null) _velocityW[n] = _backend.Allocate(n.Size, n.Parent!.Size);
        }
    }

    /// <summary>Runs the configured epochs; returns one metrics record per epoch.</summary>
    public IReadOnlyList<IReadOnlyDictionary<string, double>> Train(PreparedInputs train, PreparedInputs? heldOut,
        Action<TrainingEvent>? onEvent = null, CancellationToken cancellation = default)
    {
        if (train.Count == 0) throw new ArgumentException("no training items for joint training");
        InitialiseChains(train);
        var all = new List<IReadOnlyDictionary<string, double>>();
        var monitorTrain = Enumerable.Range(0, Math.Min(train.Count, 500)).ToArray();
        for (int epoch = 0; epoch < _config.Epochs; epoch++)
        {
            var clock = Stopwatch.StartNew();
            float rate = _config.LearningRate / (1f + _config.LearningRateDecay * epoch);
            var order = _random.Permutation(train.Count);
            for (int start = 0; start < order.Length; start += _config.BatchSize)
            {
                cancellation.ThrowIfCancellationRequested();
                using var batch = new MeanFieldBatch(_dbm, train, order.AsSpan(start, Math.Min(_config.BatchSize, order.Length - start)));
                Step(batch, rate);
            }
            var (errorTrain, energyTrain) = Monitor(train, monitorTrain);
            var (errorHeld, energyHeld) = heldOut is { Count: > 0 } ? Monitor(heldOut, Enumerable.Range(0, Math.Min(heldOut.Count, 500)).ToArray()) : (double.NaN, double.NaN);
            var metrics = new Dictionary<string, double>
            {
                ["reconstructionErrorTrain"] = errorTrain,
                ["reconstructionErrorHeldOut"] = errorHeld,
                ["freeEnergyTrain"] = energyTrain,
                ["freeEnergyHeldOut"] = energyHeld,
                ["freeEnergyGap"] = energyHeld - energyTrain,
                ["learningRate"] = rate,
                ["seconds"] = clock.Elapsed.TotalSeconds,
            };
            metrics["reconstructionGap"] = metrics["reconstructionErrorHeldOut"] - metrics["reconstructionErrorTrain"];
            all.Add(metrics);
            onEvent?.Invoke(new TrainingEvent("joint", "dbm", epoch + 1, _config.Epochs, metrics));
        }
        return all;
    }

    /// <summary>One PCD update on a batch.</summary>
    public void Step(MeanFieldBatch batch, float learningRate)
    {
        AccumulateGradient(batch, learningRate / batch.Rows, learningRate / _config.Chains, _config.Momentum, _velocityW, _velocityB);
        foreach (var n in _dbm.Nodes)
        {
            if (n.Weights is not null)
            {
                if (_config.WeightDecay > 0) _backend.Axpby(-learningRate * RateScale(n) * _config.WeightDecay, n.Weights, 1f, _velocityW[n]);
                _backend.Axpby(1f, _velocityW[n], 1f, n.Weights);
            }
            _backend.Axpby(1f, _velocityB[n], 1f, n.Bias);
        }
    }

    /// <summary>
    /// The PCD estimate of the log-likelihood gradient (mean-field data statistics over the batch minus
    /// chain statistics, both as means), per layer: weights to the parent and bias, as host arrays. The
    /// chains advance by the configured sweeps (starting them from the batch if they are not running yet);
    /// parameters are not changed.
    /// </summary>
    public IReadOnlyDictionary<string, (float[]? Weights, float[] Bias)> EstimateGradient(MeanFieldBatch batch, PreparedInputs chainStart)
    {
        if (_chains.Count == 0) InitialiseChains(chainStart);
        var gW = _dbm.Nodes.Where(n => n.Weights is not null).ToDictionary(n => n, n => _backend.Allocate(n.Size, n.Parent!.Size));
        var gB = _dbm.Nodes.ToDictionary(n => n, n => _backend.Allocate(1, n.Size));
        try
        {
            AccumulateGradient(batch, 1f / batch.Rows, 1f / _config.Chains, 0f, gW, gB, applyRateScale: false);
            return _dbm.Nodes.ToDictionary(n => n.Name, n => (gW.TryGetValue(n, out var w) ? w.ToArray() : null, gB[n].ToArray()));
        }
        finally
        {
            foreach (var m in gW.Values.Concat(gB.Values)) m.Dispose();
        }
    }

    /// <summary>g = beta * g + dataScale * (data statistics) - modelScale * (chain statistics), after advancing the chains.</summary>
    private void AccumulateGradient(MeanFieldBatch batch, float baseDataScale, float baseModelScale, float beta,
        Dictionary<DbmNode, FloatMatrix> gW, Dictionary<DbmNode, FloatMatrix> gB, bool applyRateScale = true)
    {
        using (var state = _meanField.Run(batch, _config.MeanFieldIterations))
        {
            foreach (var n in _dbm.Nodes)
            {
                float dataScale = baseDataScale * (applyRateScale ? RateScale(n) : 1f);
                if (n.IsVisible)
                {
                    var upper = state[n.Parent!];
                    var observed = batch.Observed(n);
                    var free = state.Free(n);
                    if (observed is not null)
                    {
                        observed.AccumulateOuter(_backend, dataScale, upper, beta, gW[n]);
                        observed.AccumulateColumnSums(_backend, dataScale, beta, gB[n]);
                    }
                    else
                    {
                        _backend.Scale(gW[n], beta);
                        _backend.Scale(gB[n], beta);
                    }
                    if (free is not null)
                    {
                        _backend.Gemm(Transpose.Yes, Transpose.No, dataScale, free, upper, 1f, gW[n]);
                        _backend.ColumnSums(dataScale, free, 1f, gB[n]);
                    }
                }
                else
                {
                    if (n.Parent is not null)
                        _backend.Gemm(Transpose.Yes, Transpose.No, dataScale, state[n], state[n.Parent], beta, gW[n]);
                    _backend.ColumnSums(dataScale * n.BiasScale, state[n], beta, gB[n]);
                }
            }
        }

        for (int sweep = 0; sweep < _config.GibbsSweeps; sweep++) GibbsSweep();
        foreach (var n in _dbm.Nodes)
        {
            float modelScale = baseModelScale * (applyRateScale ? RateScale(n) : 1f);
            if (n.Parent is not null)
                _backend.Gemm(Transpose.Yes, Transpose.No, -modelScale, _chains[n], _chains[n.Parent], 1f, gW[n]);
            _backend.ColumnSums(-modelScale * n.BiasScale, _chains[n], 1f, gB[n]);
        }
    }

    /// <summary>
    /// The learning-rate multiplier of a layer's weights and bias: parameters touching a Gaussian visible
    /// layer learn more slowly, as in pretraining (spec section 1).
    /// </summary>
    private float RateScale(DbmNode node) => node.Units is GaussianLayer ? _config.GaussianLearningRateScale : 1f;

    /// <summary>Starts the chains from the mean-field posteriors of random training items, sampled.</summary>
    private void InitialiseChains(PreparedInputs train)
    {
        var rows = new int[_config.Chains];
        for (int i = 0; i < rows.Length; i++) rows[i] = _random.NextInt(train.Count);
        using var batch = new MeanFieldBatch(_dbm, train, rows);
        using var state = _meanField.Run(batch, _config.MeanFieldIterations);
        foreach (var n in _dbm.Nodes)
        {
            _chains[n] = _backend.Allocate(rows.Length, n.Size);
            if (n.IsVisible)
            {
                using var mean = _backend.Allocate(rows.Length, n.Size);
                _meanField.Reconstruct(n, state, mean);
                n.Units.Sample(_backend, mean, _chains[n], _random);
            }
            else n.Units.Sample(_backend, state[n], _chains[n], _random);
        }
    }

    private void GibbsSweep()
    {
        for (int parity = 1; parity >= 0; parity--)
        {
            foreach (var n in _dbm.Nodes)
            {
                if (n.Depth % 2 != parity) continue;
                var chain = _chains[n];
                using var mean = _backend.Allocate(chain.Rows, n.Size);
                float beta = 0f;
                foreach (var c in n.Children)
                {
                    _backend.Gemm(Transpose.No, Transpose.No, 1f, _chains[c], c.Weights!, beta, mean);
                    beta = 1f;
                }
                if (n.Parent is not null) _backend.Gemm(Transpose.No, Transpose.Yes, 1f, _chains[n.Parent], n.Weights!, beta, mean);
                n.Units.Activate(_backend, mean, n.Bias, n.BiasScale);
                n.Units.Sample(_backend, mean, chain, _random);
            }
        }
    }

    /// <summary>
    /// Monitoring figures of some items: the mean squared error per item between each observed visible
    /// layer and its reconstruction from its first hidden layer after mean-field (summed over visible
    /// layers), and the mean mean-field free energy.
    /// </summary>
    private (double ReconstructionError, double FreeEnergy) Monitor(PreparedInputs data, int[] rows)
    {
        using var batch = new MeanFieldBatch(_dbm, data, rows);
        using var state = _meanField.Run(batch, _config.MeanFieldIterations);
        double total = 0;
        foreach (var v in _dbm.Visibles)
        {
            if (batch.Observed(v) is not { } observed) continue;
            using var recon = _backend.Allocate(rows.Length, v.Size);
            _meanField.Reconstruct(v, state, recon);
            using var dense = observed.ToDense(_backend);
            // Missing rows: copy the data (zeros) over the reconstruction so they add no error.
            _backend.CopyMaskedRows(dense, batch.MissingMask(v), recon);
            int present = batch.Present(v).Count(p => p);
            total += _backend.SumOfSquaredDifferences(dense, recon) / Math.Max(1, present);
        }
        return (total, _meanField.FreeEnergy(state, batch).Average());
    }

    /// <inheritdoc />
    public void Dispose()
    {
        foreach (var m in _velocityW.Values.Concat(_velocityB.Values).Concat(_chains.Values)) m.Dispose();
    }
}
