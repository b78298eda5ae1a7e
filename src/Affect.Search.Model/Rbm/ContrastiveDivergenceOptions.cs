namespace Affect.Search.Model.Rbm;

/// <summary>Hyper-parameters of CD-k training of one RBM.</summary>
public sealed record ContrastiveDivergenceOptions
{
    /// <summary>Passes over the training data.</summary>
    public int Epochs { get; init; } = 10;
    /// <summary>Items per minibatch.</summary>
    public int BatchSize { get; init; } = 100;
    /// <summary>Gibbs steps in the negative phase (CD-k).</summary>
    public int GibbsSteps { get; init; } = 1;
    /// <summary>Learning rate at epoch 0.</summary>
    public float LearningRate { get; init; } = 0.05f;
    /// <summary>Schedule: rate at epoch e is LearningRate / (1 + LearningRateDecay * e).</summary>
    public float LearningRateDecay { get; init; } = 0.1f;
    /// <summary>Momentum for the first <see cref="MomentumSwitchEpoch"/> epochs.</summary>
    public float InitialMomentum { get; init; } = 0.5f;
    /// <summary>Momentum afterwards.</summary>
    public float FinalMomentum { get; init; } = 0.9f;
    /// <summary>Epoch from which <see cref="FinalMomentum"/> applies.</summary>
    public int MomentumSwitchEpoch { get; init; } = 5;
    /// <summary>L2 weight decay (on weights, not biases).</summary>
    public float WeightDecay { get; init; } = 0.0002f;
    /// <summary>
    /// Sample the visible units at every Gibbs step instead of using their means. Means are the usual
    /// low-variance choice for CD-1; sampling makes long chains a proper Markov chain (tests use it).
    /// </summary>
    public bool SampleVisibles { get; init; }
    /// <summary>Seed of the shuffles and samples.</summary>
    public ulong Seed { get; init; } = 1;

    /// <summary>The learning rate at an epoch.</summary>
    public float LearningRateAt(int epoch) => LearningRate / (1f + LearningRateDecay * epoch);

    /// <summary>The momentum at an epoch.</summary>
    public float MomentumAt(int epoch) => epoch < MomentumSwitchEpoch ? InitialMomentum : FinalMomentum;

    /// <summary>Throws on values that cannot train.</summary>
    public void Validate()
    {
        if (Epochs < 0) throw new ArgumentException($"epochs must be >= 0, got {Epochs}");
        if (BatchSize <= 0) throw new ArgumentException($"batch size must be positive, got {BatchSize}");
        if (GibbsSteps <= 0) throw new ArgumentException($"CD needs at least one Gibbs step, got {GibbsSteps}");
        if (!(LearningRate > 0)) throw new ArgumentException($"learning rate must be positive, got {LearningRate}");
        if (LearningRateDecay < 0) throw new ArgumentException("learning-rate decay must be >= 0");
        if (InitialMomentum is < 0 or >= 1 || FinalMomentum is < 0 or >= 1) throw new ArgumentException("momentum must be in [0, 1)");
        if (WeightDecay < 0) throw new ArgumentException("weight decay must be >= 0");
    }
}

/// <summary>What one epoch of RBM training measured.</summary>
/// <param name="Epoch">0-based epoch.</param>
/// <param name="ReconstructionError">Mean over items of the squared error of the one-step mean reconstruction.</param>
/// <param name="FreeEnergyTrain">Mean free energy of (a sample of) the training items.</param>
/// <param name="FreeEnergyHeldOut">Mean free energy of the held-out items, NaN without held-out data.</param>
/// <param name="LearningRate">The rate used this epoch.</param>
/// <param name="Seconds">Wall time of the epoch.</param>
public sealed record RbmEpochMetrics(int Epoch, double ReconstructionError, double FreeEnergyTrain, double FreeEnergyHeldOut, float LearningRate, double Seconds)
{
    /// <summary>Held-out minus training free energy: growing means over-fitting (Hinton's practical guide).</summary>
    public double FreeEnergyGap => FreeEnergyHeldOut - FreeEnergyTrain;
}
