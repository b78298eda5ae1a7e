using Affect.Search.Compute;
using Affect.Search.Compute.Cpu;
using Affect.Search.Model.Data;
using Affect.Search.Model.Layers;
using Affect.Search.Model.Rbm;

namespace Affect.Search.Model.Tests.Rbm;

/// <summary>The DBM pretraining correction (spec section 3.1): doubled bottom-up or top-down input.</summary>
public sealed class UpDownFactorTests : IDisposable
{
    private const int Nv = 5, Nh = 4;
    private readonly CpuBackend _backend = new();

    public void Dispose() => _backend.Dispose();

    private RestrictedBoltzmannMachine Create(UnitLayer visible, out double[,] w, out double[] b, out double[] a)
    {
        var rbm = new RestrictedBoltzmannMachine(_backend, visible, Nh, new RandomStream(1));
        TestUtil.Randomise(_backend, rbm, 0.6f, 41);
        (w, b, a) = ExactRbm.Parameters(rbm);
        return rbm;
    }

    private static readonly float[] V = [1, 0, 1, 1, 0, 0, 1, 1, 0, 1, 0.5f, 0.2f, 0.9f, 0f, 1f];
    private static readonly float[] H = [1, 0, 1, 1, 0, 1, 0, 0, 0.3f, 0.7f, 0.1f, 1f];

    [Fact]
    public void Defaults_AreOne()
    {
        using var rbm = new RestrictedBoltzmannMachine(_backend, new BernoulliLayer(Nv), Nh, new RandomStream(1));
        Assert.Equal(1f, rbm.UpFactor);
        Assert.Equal(1f, rbm.DownFactor);
    }

    [Theory]
    [InlineData(1f)]
    [InlineData(2f)]
    public void HiddenMeans_UseUpFactorTimesVWPlusA_BothOverloads(float up)
    {
        using var rbm = Create(new BernoulliLayer(Nv), out var w, out _, out var a);
        rbm.UpFactor = up;
        rbm.DownFactor = 3f; // must not matter here
        int rows = V.Length / Nv;
        using var batch = new DenseVisibleData(V, rows, Nv).GatherAll(_backend);
        using var viaBatch = _backend.Allocate(rows, Nh);
        using var viaMatrix = _backend.Allocate(rows, Nh);
        using var dense = _backend.FromArray(V, rows, Nv);
        rbm.HiddenMeans(batch, viaBatch);
        rbm.HiddenMeans(dense, viaMatrix);
        var (g1, g2) = (viaBatch.ToArray(), viaMatrix.ToArray());
        for (int r = 0; r < rows; r++)
            for (int j = 0; j < Nh; j++)
            {
                double x = a[j];
                for (int i = 0; i < Nv; i++) x += up * V[r * Nv + i] * w[i, j];
                Assert.Equal(ExactRbm.Sigmoid(x), g1[r * Nh + j], 1e-6);
                Assert.Equal(ExactRbm.Sigmoid(x), g2[r * Nh + j], 1e-6);
            }
    }

    [Fact]
    public void HiddenMeans_UpFactorWithReplicatedSoftmax_ScalesOnlyTheInputNotTheMBias()
    {
        using var rbm = Create(new ReplicatedSoftmaxLayer(Nv, 5f), out var w, out _, out var a);
        rbm.UpFactor = 2f;
        var counts = new float[] { 2, 0, 1, 0, 2, 0, 0, 0, 5, 0 };
        using var batch = new SparseVisibleData(CsrMatrix.FromDense(counts, 2, Nv)).GatherAll(_backend);
        using var hidden = _backend.Allocate(2, Nh);
        rbm.HiddenMeans(batch, hidden);
        var got = hidden.ToArray();
        for (int r = 0; r < 2; r++)
            for (int j = 0; j < Nh; j++)
            {
                double x = 5 * a[j];
                for (int i = 0; i < Nv; i++) x += 2 * counts[r * Nv + i] * w[i, j];
                Assert.Equal(ExactRbm.Sigmoid(x), got[r * Nh + j], 1e-6);
            }
    }

    [Theory]
    [InlineData(UnitKind.Bernoulli)]
    [InlineData(UnitKind.Gaussian)]
    [InlineData(UnitKind.ReplicatedSoftmax)]
    public void VisibleMeans_UseDownFactorTimesHWTransposed(UnitKind kind)
    {
        using var rbm = Create(UnitLayer.Create(kind, Nv, 5f), out var w, out var b, out _);
        rbm.DownFactor = 2f;
        rbm.UpFactor = 3f; // must not matter here
        int rows = H.Length / Nh;
        using var hidden = _backend.FromArray(H, rows, Nh);
        using var visible = _backend.Allocate(rows, Nv);
        rbm.VisibleMeans(hidden, visible);
        var got = visible.ToArray();
        for (int r = 0; r < rows; r++)
        {
            var x = new double[Nv];
            for (int i = 0; i < Nv; i++)
            {
                x[i] = b[i];
                for (int j = 0; j < Nh; j++) x[i] += 2 * H[r * Nh + j] * w[i, j];
            }
            double norm = ExactRbm.LogSumExp(x);
            for (int i = 0; i < Nv; i++)
            {
                double want = kind switch
                {
                    UnitKind.Bernoulli => ExactRbm.Sigmoid(x[i]),
                    UnitKind.Gaussian => x[i],
                    _ => 5 * Math.Exp(x[i] - norm),
                };
                Assert.Equal(want, got[r * Nv + i], 1e-5);
            }
        }
    }

    [Fact]
    public void FreeEnergy_IsThatOfThePlainRbm_WhateverTheFactors()
    {
        using var rbm = Create(new BernoulliLayer(Nv), out _, out _, out _);
        using var batch = new DenseVisibleData(V, V.Length / Nv, Nv).GatherAll(_backend);
        var plain = rbm.FreeEnergy(batch);
        rbm.UpFactor = 2f;
        rbm.DownFactor = 2f;
        Assert.Equal(plain, rbm.FreeEnergy(batch));
    }

    [Fact]
    public void ContrastiveDivergence_UsesTheFactorsInBothPhases()
    {
        // The trainer's CD-1 statistics are those of the corrected conditionals: replay the step by
        // hand with the same seed (same hidden sample) through HiddenMeans/VisibleMeans with factors 2.
        using var rbm = Create(new BernoulliLayer(Nv), out _, out _, out _);
        rbm.UpFactor = 2f;
        rbm.DownFactor = 2f;
        int rows = V.Length / Nv;
        using var batch = new DenseVisibleData(V, rows, Nv).GatherAll(_backend);
        using var trainer = new ContrastiveDivergenceTrainer(rbm, new ContrastiveDivergenceOptions { GibbsSteps = 1, Seed = 3 });
        var (_, _, gA) = trainer.EstimateGradient(batch);

        var random = new RandomStream(3);
        using var h0 = _backend.Allocate(rows, Nh);
        using var hs = _backend.Allocate(rows, Nh);
        using var v1 = _backend.Allocate(rows, Nv);
        using var h1 = _backend.Allocate(rows, Nh);
        rbm.HiddenMeans(batch, h0);
        _backend.SampleBernoulli(h0, hs, random);
        rbm.VisibleMeans(hs, v1);
        rbm.HiddenMeans(v1, h1);
        var (p, q) = (h0.ToArray(), h1.ToArray());
        for (int j = 0; j < Nh; j++)
        {
            double want = 0;
            for (int r = 0; r < rows; r++) want += p[r * Nh + j] - q[r * Nh + j];
            Assert.Equal(want, gA[j], 1e-5);
        }
    }
}
