using System.Diagnostics;
using Affect.Search.Compute;
using Affect.Search.Model.Data;

namespace Affect.Search.Model.Rbm;

/// <summary>
/// CD-k training of one <see cref="RestrictedBoltzmannMachine"/> with minibatches, momentum, weight
/// decay and a decaying learning rate. The gradient is accumulated into the velocity inside the
/// GEMMs (beta = momentum for the positive product, beta = 1 for the negative one), so a CD-1 step
/// costs the five |v| x |h| products and a few cheap passes over the weights.
/// </summary>
public sealed class ContrastiveDivergenceTrainer : IDisposable
{
    private readonly RestrictedBoltzmannMachine _rbm;
    private readonly IComputeBackend _backend;
    private readonly RandomStream _random;
    private readonly FloatMatrix _velocityW, _velocityB, _velocityA;
    private Workspace? _workspace;

    /// <summary>Prepares training of <paramref name="rbm"/>.</summary>
    public ContrastiveDivergenceTrainer(RestrictedBoltzmannMachine rbm, ContrastiveDivergenceOptions options)
    {
        options.Validate();
        _rbm = rbm;
        _backend = rbm.Backend;
        Options = options;
        _random = new RandomStream(options.Seed);
        _velocityW = _backend.Allocate(rbm.Visible.Size, rbm.Hidden.Size);
        _velocityB = _backend.Allocate(1, rbm.Visible.Size);
        _velocityA = _backend.Allocate(1, rbm.Hidden.Size);
    }

    /// <summary>The options in force.</summary>
    public ContrastiveDivergenceOptions Options { get; }

    /// <summary>Trains for <see cref="ContrastiveDivergenceOptions.Epochs"/> epochs and returns each epoch's metrics.</summary>
    public IReadOnlyList<RbmEpochMetrics> Train(VisibleData train, VisibleData? heldOut = null,
        Action<RbmEpochMetrics>? onEpoch = null, CancellationToken cancellation = default)
    {
        if (train.Dimension != _rbm.Visible.Size) throw new ArgumentException($"training data has dimension {train.Dimension}, the RBM has {_rbm.Visible.Size} visible units");
        if (train.Count == 0) throw new ArgumentException("no training items");
        if (heldOut is not null && heldOut.Dimension != _rbm.Visible.Size) throw new ArgumentException($"held-out data has dimension {heldOut.Dimension}, the RBM has {_rbm.Visible.Size} visible units");
        var metrics = new List<RbmEpochMetrics>();
        var monitorRows = Enumerable.Range(0, Math.Min(train.Count, 1000)).ToArray();
        for (int epoch = 0; epoch < Options.Epochs; epoch++)
        {
            var clock = Stopwatch.StartNew();
            float rate = Options.LearningRateAt(epoch);
            float momentum = Options.MomentumAt(epoch);
            var order = _random.Permutation(train.Count);
            double squaredError = 0;
            for (int start = 0; start < order.Length; start += Options.BatchSize)
            {
                cancellation.ThrowIfCancellationRequested();
                var rows = order.AsSpan(start, Math.Min(Options.BatchSize, order.Length - start));
                using var batch = train.Gather(_backend, rows);
                squaredError += Step(batch, rate, momentum);
            }
            double feTrain = MeanFreeEnergy(train, monitorRows);
            double feHeld = heldOut is { Count: > 0 } ? MeanFreeEnergy(heldOut, Enumerable.Range(0, Math.Min(heldOut.Count, 1000)).ToArray()) : double.NaN;
            var m = new RbmEpochMetrics(epoch, squaredError / train.Count, feTrain, feHeld, rate, clock.Elapsed.TotalSeconds);
            metrics.Add(m);
            onEpoch?.Invoke(m);
        }
        return metrics;
    }

    /// <summary>One CD-k update on a batch; returns the batch's summed squared reconstruction error.</summary>
    public double Step(VisibleBatch batch, float learningRate, float momentum)
    {
        float scale = learningRate / batch.Rows;
        double error = AccumulateGradient(batch, scale, momentum, _velocityW, _velocityB, _velocityA);
        if (Options.WeightDecay > 0) _backend.Axpby(-learningRate * Options.WeightDecay, _rbm.Weights, 1f, _velocityW);
        _backend.Axpby(1f, _velocityW, 1f, _rbm.Weights);
        _backend.Axpby(1f, _velocityB, 1f, _rbm.VisibleBias);
        _backend.Axpby(1f, _velocityA, 1f, _rbm.HiddenBias);
        return error;
    }

    /// <summary>
    /// The CD-k estimate of the log-likelihood gradient summed over the batch, as host arrays
    /// (weights |v| x |h|, visible bias, hidden bias). Parameters are not changed.
    /// </summary>
    public (float[] Weights, float[] VisibleBias, float[] HiddenBias) EstimateGradient(VisibleBatch batch)
    {
        using var gW = _backend.Allocate(_rbm.Visible.Size, _rbm.Hidden.Size);
        using var gB = _backend.Allocate(1, _rbm.Visible.Size);
        using var gA = _backend.Allocate(1, _rbm.Hidden.Size);
        AccumulateGradient(batch, 1f, 0f, gW, gB, gA);
        return (gW.ToArray(), gB.ToArray(), gA.ToArray());
    }

    /// <summary>
    /// g = beta * g + scale * (positive - negative statistics); returns the squared reconstruction error.
    /// The hidden-bias statistics carry the bias scale (M for Replicated Softmax), as dE/da does.
    /// </summary>
    private double AccumulateGradient(VisibleBatch v0, float scale, float beta, FloatMatrix gW, FloatMatrix gB, FloatMatrix gA)
    {
        var ws = WorkspaceFor(v0.Rows);
        float s = _rbm.HiddenBiasScale;
        _rbm.HiddenMeans(v0, ws.H0);
        v0.AccumulateOuter(_backend, scale, ws.H0, beta, gW);
        v0.AccumulateColumnSums(_backend, scale, beta, gB);
        _backend.ColumnSums(scale * s, ws.H0, beta, gA);

        var hidden = ws.H0;
        for (int step = 0; step < Options.GibbsSteps; step++)
        {
            _rbm.Hidden.Sample(_backend, hidden, ws.HSample, _random);
            _rbm.VisibleMeans(ws.HSample, ws.V1);
            if (step == 0) ws.ReconstructionError = ReconstructionError(v0, ws.V1);
            if (Options.SampleVisibles) _rbm.Visible.Sample(_backend, ws.V1, ws.V1, _random);
            _rbm.HiddenMeans(ws.V1, ws.H1);
            hidden = ws.H1;
        }
        _backend.Gemm(Transpose.Yes, Transpose.No, -scale, ws.V1, ws.H1, 1f, gW);
        _backend.ColumnSums(-scale, ws.V1, 1f, gB);
        _backend.ColumnSums(-scale * s, ws.H1, 1f, gA);
        return ws.ReconstructionError;
    }

    private double ReconstructionError(VisibleBatch v0, FloatMatrix v1)
    {
        if (v0.Dense is not null) return _backend.SumOfSquaredDifferences(v0.Dense, v1);
        using var dense = v0.ToDense(_backend); // metric only; the gradient path stays sparse
        return _backend.SumOfSquaredDifferences(dense, v1);
    }

    private double MeanFreeEnergy(VisibleData data, int[] rows)
    {
        using var batch = data.Gather(_backend, rows);
        return _rbm.FreeEnergy(batch).Average(x => (double)x);
    }

    private Workspace WorkspaceFor(int rows)
    {
        if (_workspace?.Rows != rows)
        {
            _workspace?.Dispose();
            _workspace = new Workspace(_backend, rows, _rbm.Visible.Size, _rbm.Hidden.Size);
        }
        return _workspace;
    }

    /// <inheritdoc />
    public void Dispose()
    {
        _workspace?.Dispose();
        _velocityW.Dispose();
        _velocityB.Dispose();
        _velocityA.Dispose();
    }

    private sealed class Workspace(IComputeBackend backend, int rows, int visible, int hidden) : IDisposable
    {
        public int Rows { get; } = rows;
        public FloatMatrix H0 { get; } = backend.Allocate(rows, hidden);
        public FloatMatrix HSample { get; } = backend.Allocate(rows, hidden);
        public FloatMatrix V1 { get; } = backend.Allocate(rows, visible);
        public FloatMatrix H1 { get; } = backend.Allocate(rows, hidden);
        public double ReconstructionError { get; set; }

        public void Dispose()
        {
            H0.Dispose();
            HSample.Dispose();
            V1.Dispose();
            H1.Dispose();
        }
    }
}
