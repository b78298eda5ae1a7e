using Affect.Search.Compute;
using Affect.Search.Compute.Cpu;
using Affect.Search.Model.Data;
using Affect.Search.Model.Layers;
using Affect.Search.Model.Rbm;

namespace Affect.Search.Model.Tests.Rbm;

/// <summary>Options, determinism, the update rule and the metrics of <see cref="ContrastiveDivergenceTrainer"/>.</summary>
public sealed class ContrastiveDivergenceTrainerTests : IDisposable
{
    private const int Nv = 6, Nh = 4;
    private readonly CpuBackend _backend = new();

    public void Dispose() => _backend.Dispose();

    private static DenseVisibleData RandomBinary(int rows, int dim, ulong seed)
    {
        var u = new RandomStream(seed);
        return new DenseVisibleData(Enumerable.Range(0, rows * dim).Select(_ => u.NextDouble() < 0.4 ? 1f : 0f).ToArray(), rows, dim);
    }

    private RestrictedBoltzmannMachine NewRbm(ulong seed = 1) => new(_backend, new BernoulliLayer(Nv), Nh, new RandomStream(seed), 0.1f);

    private static float[] AllParameters(RestrictedBoltzmannMachine rbm)
        => [.. rbm.Weights.ToArray(), .. rbm.VisibleBias.ToArray(), .. rbm.HiddenBias.ToArray()];

    private float[] TrainedParameters(ulong trainerSeed, out IReadOnlyList<RbmEpochMetrics> metrics, bool sampleVisibles = false)
    {
        using var rbm = NewRbm();
        using var trainer = new ContrastiveDivergenceTrainer(rbm, new ContrastiveDivergenceOptions { Epochs = 3, BatchSize = 7, GibbsSteps = 2, SampleVisibles = sampleVisibles, Seed = trainerSeed });
        metrics = trainer.Train(RandomBinary(50, Nv, 3), RandomBinary(20, Nv, 4));
        return AllParameters(rbm);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void SameSeed_GivesBitIdenticalParameters_DifferentSeedDoesNot(bool sampleVisibles)
    {
        var a = TrainedParameters(5, out var ma, sampleVisibles);
        var b = TrainedParameters(5, out var mb, sampleVisibles);
        var c = TrainedParameters(6, out _, sampleVisibles);
        Assert.Equal(a, b); // exact float equality
        Assert.Equal(ma.Select(m => m.ReconstructionError), mb.Select(m => m.ReconstructionError));
        Assert.NotEqual(a, c);
    }

    public static TheoryData<ContrastiveDivergenceOptions> BadOptions => new()
    {
        new ContrastiveDivergenceOptions { BatchSize = 0 },
        new ContrastiveDivergenceOptions { BatchSize = -3 },
        new ContrastiveDivergenceOptions { Epochs = -1 },
        new ContrastiveDivergenceOptions { GibbsSteps = 0 },
        new ContrastiveDivergenceOptions { LearningRate = 0f },
        new ContrastiveDivergenceOptions { LearningRate = -0.1f },
        new ContrastiveDivergenceOptions { LearningRate = float.NaN },
        new ContrastiveDivergenceOptions { LearningRateDecay = -0.5f },
        new ContrastiveDivergenceOptions { InitialMomentum = 1f },
        new ContrastiveDivergenceOptions { FinalMomentum = -0.1f },
        new ContrastiveDivergenceOptions { WeightDecay = -1e-4f },
    };

    [Theory]
    [MemberData(nameof(BadOptions))]
    public void InvalidOptions_AreRejected(ContrastiveDivergenceOptions options)
    {
        Assert.Throws<ArgumentException>(options.Validate);
        using var rbm = NewRbm();
        Assert.Throws<ArgumentException>(() => new ContrastiveDivergenceTrainer(rbm, options));
    }

    [Fact]
    public void ValidationMessages_NameTheValue()
    {
        Assert.Contains("0", Assert.Throws<ArgumentException>(new ContrastiveDivergenceOptions { BatchSize = 0 }.Validate).Message);
        Assert.Contains("-2", Assert.Throws<ArgumentException>(new ContrastiveDivergenceOptions { Epochs = -2 }.Validate).Message);
        new ContrastiveDivergenceOptions().Validate(); // defaults are valid
        new ContrastiveDivergenceOptions { Epochs = 0 }.Validate();
    }

    [Fact]
    public void DataDimensionMismatch_ThrowsNamingBothSizes()
    {
        using var rbm = NewRbm();
        using var trainer = new ContrastiveDivergenceTrainer(rbm, new ContrastiveDivergenceOptions { Epochs = 1 });
        var e = Assert.Throws<ArgumentException>(() => trainer.Train(RandomBinary(10, 9, 1)));
        Assert.Contains("9", e.Message);
        Assert.Contains(Nv.ToString(), e.Message);
        Assert.Throws<ArgumentException>(() => trainer.Train(new DenseVisibleData([], 0, Nv)));
        // Held-out data of the wrong dimension fails too (today only when the first epoch's free energy
        // is measured, after that epoch's updates).
        Assert.Throws<ArgumentException>(() => trainer.Train(RandomBinary(10, Nv, 1), RandomBinary(5, 9, 2)));
    }

    [Fact]
    public void ZeroEpochs_ReturnsNoMetricsAndLeavesParametersAlone()
    {
        using var rbm = NewRbm();
        var before = AllParameters(rbm);
        using var trainer = new ContrastiveDivergenceTrainer(rbm, new ContrastiveDivergenceOptions { Epochs = 0 });
        Assert.Empty(trainer.Train(RandomBinary(10, Nv, 1)));
        Assert.Equal(before, AllParameters(rbm));
    }

    [Fact]
    public void Metrics_OneFiniteEntryPerEpoch_NaNHeldOutWithoutHeldOutData()
    {
        using var rbm = NewRbm();
        var options = new ContrastiveDivergenceOptions { Epochs = 4, BatchSize = 8, LearningRate = 0.1f, LearningRateDecay = 0.5f };
        using var trainer = new ContrastiveDivergenceTrainer(rbm, options);
        var seen = new List<RbmEpochMetrics>();
        var metrics = trainer.Train(RandomBinary(30, Nv, 2), onEpoch: seen.Add);
        Assert.Equal(4, metrics.Count);
        Assert.Equal(metrics, seen);
        for (int e = 0; e < 4; e++)
        {
            var m = metrics[e];
            Assert.Equal(e, m.Epoch);
            Assert.True(double.IsFinite(m.ReconstructionError) && m.ReconstructionError >= 0);
            Assert.True(double.IsFinite(m.FreeEnergyTrain));
            Assert.True(double.IsNaN(m.FreeEnergyHeldOut));
            Assert.True(double.IsNaN(m.FreeEnergyGap));
            Assert.Equal(options.LearningRateAt(e), m.LearningRate);
            Assert.Equal(0.1f / (1 + 0.5f * e), m.LearningRate, 1e-7f);
            Assert.True(m.Seconds >= 0);
        }
        // An empty held-out set is treated like none.
        Assert.True(double.IsNaN(trainer.Train(RandomBinary(30, Nv, 2), new DenseVisibleData([], 0, Nv))[0].FreeEnergyHeldOut));
    }

    [Fact]
    public void Metrics_FreeEnergiesAreThoseOfTheTrainedModel_AndGapIsHeldOutMinusTrain()
    {
        using var rbm = NewRbm();
        var train = RandomBinary(40, Nv, 2);
        var heldOut = RandomBinary(15, Nv, 9);
        using var trainer = new ContrastiveDivergenceTrainer(rbm, new ContrastiveDivergenceOptions { Epochs = 2, BatchSize = 8 });
        var last = trainer.Train(train, heldOut)[^1];
        using var tb = train.GatherAll(_backend);
        using var hb = heldOut.GatherAll(_backend);
        double feTrain = rbm.FreeEnergy(tb).Average(x => (double)x);
        double feHeld = rbm.FreeEnergy(hb).Average(x => (double)x);
        Assert.Equal(feTrain, last.FreeEnergyTrain, 1e-5);
        Assert.Equal(feHeld, last.FreeEnergyHeldOut, 1e-5);
        Assert.Equal(last.FreeEnergyHeldOut - last.FreeEnergyTrain, last.FreeEnergyGap);
        Assert.Equal(-0.5, new RbmEpochMetrics(0, 0, 2.5, 2.0, 0.1f, 0).FreeEnergyGap);
    }

    [Fact]
    public void ReconstructionError_IsMeanSquaredErrorOfTheOneStepMeanReconstruction()
    {
        // With W = 0 the reconstruction is sigma(b) whatever the hidden sample, and with one batch the
        // error is measured before the only update.
        using var rbm = NewRbm();
        var b = new float[] { 0.5f, -1f, 2f, 0f, -0.3f, 1.2f };
        TestUtil.SetParameters(_backend, rbm, new float[Nv * Nh], b, [0.1f, -0.2f, 0.3f, 0f]);
        var data = RandomBinary(25, Nv, 5);
        using var trainer = new ContrastiveDivergenceTrainer(rbm, new ContrastiveDivergenceOptions { Epochs = 1, BatchSize = 25 });
        var m = trainer.Train(data)[0];
        double want = 0;
        for (int r = 0; r < 25; r++)
            for (int i = 0; i < Nv; i++) want += Math.Pow(data.Values[r * Nv + i] - ExactRbm.Sigmoid(b[i]), 2);
        Assert.Equal(want / 25, m.ReconstructionError, 1e-4);
    }

    [Fact]
    public void Step_AppliesLearningRateOverBatchSize_MomentumAndWeightDecay()
    {
        // A second trainer with the same seed draws the same samples, so its EstimateGradient on the same
        // parameters is the gradient that the first trainer's Step uses.
        using var rbm = NewRbm();
        TestUtil.Randomise(_backend, rbm, 0.3f, 17);
        var options = new ContrastiveDivergenceOptions { Seed = 12, WeightDecay = 0.01f };
        using var stepper = new ContrastiveDivergenceTrainer(rbm, options);
        using var estimator = new ContrastiveDivergenceTrainer(rbm, options);
        var data = RandomBinary(16, Nv, 8);
        using var batch = data.GatherAll(_backend);
        const float rate = 0.2f, momentum = 0.6f;

        var previous = new float[Nv * Nh + Nv + Nh];
        for (int step = 0; step < 3; step++)
        {
            var w0 = rbm.Weights.ToArray();
            var p0 = AllParameters(rbm);
            var (gW, gB, gA) = estimator.EstimateGradient(batch);
            var g = gW.Concat(gB).Concat(gA).ToArray();
            stepper.Step(batch, rate, momentum);
            var p1 = AllParameters(rbm);
            for (int k = 0; k < p0.Length; k++)
            {
                double decay = k < w0.Length ? rate * options.WeightDecay * w0[k] : 0; // not on biases
                double want = momentum * previous[k] + rate / 16 * g[k] - decay;
                Assert.Equal(want, p1[k] - p0[k], 2e-6);
                previous[k] = p1[k] - p0[k];
            }
        }
        Assert.True(previous.Max(Math.Abs) > 1e-3); // the steps were not trivially zero
    }

    [Fact]
    public void Schedules_FollowTheOptions()
    {
        var o = new ContrastiveDivergenceOptions { LearningRate = 0.1f, LearningRateDecay = 0.25f, InitialMomentum = 0.3f, FinalMomentum = 0.8f, MomentumSwitchEpoch = 2 };
        Assert.Equal(0.1f, o.LearningRateAt(0));
        Assert.Equal(0.05f, o.LearningRateAt(4), 1e-7f);
        Assert.Equal(0.3f, o.MomentumAt(0));
        Assert.Equal(0.3f, o.MomentumAt(1));
        Assert.Equal(0.8f, o.MomentumAt(2));
        Assert.Equal(0.8f, o.MomentumAt(10));
    }

    [Fact]
    public void Train_HonoursCancellation()
    {
        using var rbm = NewRbm();
        using var trainer = new ContrastiveDivergenceTrainer(rbm, new ContrastiveDivergenceOptions { Epochs = 5 });
        using var cts = new CancellationTokenSource();
        cts.Cancel();
        Assert.ThrowsAny<OperationCanceledException>(() => trainer.Train(RandomBinary(10, Nv, 1), cancellation: cts.Token));
    }

    [Fact]
    public void Train_WorksOnSparseReplicatedSoftmaxAndDenseGaussianData()
    {
        var words = new ReplicatedSoftmaxLayer(5, 5f);
        using var rs = new RestrictedBoltzmannMachine(_backend, words, 3, new RandomStream(1));
        var docs = words.Prepare(new SparseVisibleData(CsrMatrix.FromRows(5, [[(0, 2f), (1, 1f)], [(3, 4f)], [(2, 1f), (4, 1f)]])));
        using (var t = new ContrastiveDivergenceTrainer(rs, new ContrastiveDivergenceOptions { Epochs = 2, BatchSize = 2 }))
            Assert.All(t.Train(docs, docs), m => Assert.True(double.IsFinite(m.ReconstructionError) && double.IsFinite(m.FreeEnergyGap)));

        var gauss = new GaussianLayer(2);
        using var g = new RestrictedBoltzmannMachine(_backend, gauss, 3, new RandomStream(1));
        var points = new DenseVisibleData([0.1f, -1f, 2f, 0.5f, -0.3f, 0.3f], 3, 2);
        using (var t = new ContrastiveDivergenceTrainer(g, new ContrastiveDivergenceOptions { Epochs = 2, BatchSize = 2, SampleVisibles = true }))
            Assert.All(t.Train(points), m => Assert.True(double.IsFinite(m.ReconstructionError)));
    }
}
