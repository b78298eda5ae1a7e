using Affect.Search.Compute;
using Affect.Search.Compute.Cpu;
using Affect.Search.Model.Data;
using Affect.Search.Model.Layers;
using Affect.Search.Model.Rbm;
using Xunit.Abstractions;

namespace Affect.Search.Model.Tests.Rbm;

/// <summary>A 6 x 4 Bernoulli-Bernoulli RBM checked against full enumeration of its 2^10 states.</summary>
public sealed class BernoulliRbmExactTests : IDisposable
{
    private const int Nv = 6, Nh = 4;
    private readonly CpuBackend _backend = new();
    private readonly RestrictedBoltzmannMachine _rbm;
    private readonly ExactRbm _exact;
    private readonly ITestOutputHelper _output;

    /// <summary>The data set of the gradient tests: a few distinct binary rows.</summary>
    private static readonly double[][] Data =
    [
        [1, 1, 1, 0, 0, 0],
        [0, 0, 0, 1, 1, 1],
        [1, 0, 1, 0, 1, 0],
        [1, 1, 0, 0, 1, 1],
        [0, 1, 1, 1, 0, 0],
    ];

    public BernoulliRbmExactTests(ITestOutputHelper output)
    {
        _output = output;
        _rbm = new RestrictedBoltzmannMachine(_backend, new BernoulliLayer(Nv), Nh, new RandomStream(7));
        TestUtil.Randomise(_backend, _rbm, 0.5f, 11);
        _exact = ExactRbm.BinaryFrom(_rbm);
    }

    public void Dispose()
    {
        _rbm.Dispose();
        _backend.Dispose();
    }

    private static DenseVisibleData AllVisible(ExactRbm exact) => new(TestUtil.Flatten(exact.VisibleStates), exact.VisibleStates.Count, Nv);

    [Fact]
    public void HiddenMeans_EqualBruteForcePosteriorForAllVisibleVectors()
    {
        using var batch = AllVisible(_exact).GatherAll(_backend);
        using var hidden = _backend.Allocate(batch.Rows, Nh);
        _rbm.HiddenMeans(batch, hidden);
        var got = hidden.ToArray();
        for (int vi = 0; vi < _exact.VisibleStates.Count; vi++)
        {
            var want = _exact.HiddenPosterior(_exact.VisibleStates[vi]);
            for (int j = 0; j < Nh; j++) Assert.Equal(want[j], got[vi * Nh + j], 1e-5);
        }
    }

    [Fact]
    public void HiddenMeans_DenseMatrixOverloadAgreesWithBatchOverload()
    {
        var data = AllVisible(_exact);
        using var batch = data.GatherAll(_backend);
        using var viaBatch = _backend.Allocate(batch.Rows, Nh);
        using var viaMatrix = _backend.Allocate(batch.Rows, Nh);
        using var dense = _backend.FromArray(data.Values, data.Count, Nv);
        _rbm.HiddenMeans(batch, viaBatch);
        _rbm.HiddenMeans(dense, viaMatrix);
        Assert.Equal(viaBatch.ToArray(), viaMatrix.ToArray());
    }

    [Fact]
    public void VisibleMeans_EqualBruteForceConditionalForAllHiddenVectors()
    {
        using var hidden = _backend.FromArray(TestUtil.Flatten(_exact.HiddenStates), _exact.HiddenStates.Count, Nh);
        using var visible = _backend.Allocate(_exact.HiddenStates.Count, Nv);
        _rbm.VisibleMeans(hidden, visible);
        var got = visible.ToArray();
        for (int hi = 0; hi < _exact.HiddenStates.Count; hi++)
        {
            var want = _exact.VisibleConditionalMean(_exact.HiddenStates[hi]);
            for (int i = 0; i < Nv; i++) Assert.Equal(want[i], got[hi * Nv + i], 1e-5);
        }
    }

    [Fact]
    public void FreeEnergy_EqualsMinusLogSumOverHiddenForAll64VisibleVectors()
    {
        using var batch = AllVisible(_exact).GatherAll(_backend);
        var fe = _rbm.FreeEnergy(batch);
        Assert.Equal(64, fe.Length);
        for (int vi = 0; vi < 64; vi++)
            Assert.Equal(_exact.FreeEnergyByEnumeration(_exact.VisibleStates[vi]), fe[vi], 1e-4);
        // And therefore exp(-F) / Z normalises: the marginal sums to one.
        double logZ = ExactRbm.LogSumExp(fe.Select(f => -(double)f));
        Assert.Equal(_exact.LogZ, logZ, 1e-4);
    }

    [Fact]
    public void ExactGradient_MatchesFiniteDifferenceOfExactLogLikelihood()
    {
        // Sanity of the reference itself: <vh>_data - <vh>_model is d/dtheta of the mean log-likelihood.
        var (gW, gB, gA) = _exact.ExactGradient(Data);
        var (w, b, a) = (_exact.W, _exact.B, _exact.A);
        const double eps = 1e-5;
        double Ll(double[,] ww, double[] bb, double[] aa) => ExactRbm.Binary(ww, bb, aa).MeanLogLikelihood(Data);

        for (int i = 0; i < Nv; i++)
            for (int j = 0; j < Nh; j++)
            {
                var wp = (double[,])w.Clone(); wp[i, j] += eps;
                var wm = (double[,])w.Clone(); wm[i, j] -= eps;
                Assert.Equal((Ll(wp, b, a) - Ll(wm, b, a)) / (2 * eps), gW[i, j], 1e-6);
            }
        for (int i = 0; i < Nv; i++)
        {
            var bp = (double[])b.Clone(); bp[i] += eps;
            var bm = (double[])b.Clone(); bm[i] -= eps;
            Assert.Equal((Ll(w, bp, a) - Ll(w, bm, a)) / (2 * eps), gB[i], 1e-6);
        }
        for (int j = 0; j < Nh; j++)
        {
            var ap = (double[])a.Clone(); ap[j] += eps;
            var am = (double[])a.Clone(); am[j] -= eps;
            Assert.Equal((Ll(w, b, ap) - Ll(w, b, am)) / (2 * eps), gA[j], 1e-6);
        }
        // The gradient is not trivially zero at this random point.
        Assert.True(TestUtil.RowMajor(gW).Max(Math.Abs) > 0.05);
    }

    /// <summary>
    /// CD-500 with sampled visibles is a proper Markov chain run to equilibrium, so its batch-summed
    /// estimate / rows is an unbiased estimate of the exact gradient. Measured max abs error: std 0.5,
    /// CD-500 0.004 and CD-1 0.023 (CD-1 is itself close on this weak model, so only closeness is
    /// asserted there); std 1.5, CD-500 0.008 and CD-1 0.263, which checks that the long chain really
    /// runs its 500 steps.
    /// </summary>
    [Theory]
    [InlineData(0.5f, 11ul)]
    [InlineData(1.5f, 13ul)]
    public void ContrastiveDivergence_WithLongChains_ApproachesExactGradient(float std, ulong seed)
    {
        TestUtil.Randomise(_backend, _rbm, std, seed);
        var exactModel = ExactRbm.BinaryFrom(_rbm);
        // 1000 copies of the 5 rows = 5000 chains per call (small enough for the backend's serial path),
        // four calls (the stream moves on, so the chains are independent) = 20,000 chains; the sampling
        // error per entry is then at most 0.5 / sqrt(20000) = 0.0035, so 0.02 is a > 5 sigma bound.
        const int copies = 1000, calls = 4;
        var rows = Enumerable.Range(0, copies).SelectMany(_ => Data).ToList();
        var data = new DenseVisibleData(TestUtil.Flatten(rows), rows.Count, Nv);
        var (eW, eB, eA) = exactModel.ExactGradient(Data);
        var exact = TestUtil.RowMajor(eW).Concat(eB).Concat(eA).ToArray();

        double ErrorOf(int gibbsSteps)
        {
            using var trainer = new ContrastiveDivergenceTrainer(_rbm, new ContrastiveDivergenceOptions { GibbsSteps = gibbsSteps, SampleVisibles = true, Seed = 5 });
            using var batch = data.GatherAll(_backend);
            var sum = new double[exact.Length];
            for (int c = 0; c < calls; c++)
            {
                var (gW, gB, gA) = trainer.EstimateGradient(batch);
                var g = gW.Concat(gB).Concat(gA).ToArray();
                for (int k = 0; k < sum.Length; k++) sum[k] += g[k];
            }
            return TestUtil.MaxAbsDiff(sum.Select(x => x / (calls * rows.Count)), exact);
        }

        var before = _rbm.Weights.ToArray();
        double longChain = ErrorOf(500);
        double cd1 = ErrorOf(1);
        _output.WriteLine($"max |CD-500 - exact| = {longChain:F4}, max |CD-1 - exact| = {cd1:F4}, max |exact| = {exact.Max(Math.Abs):F4}");
        Assert.True(longChain < 0.02, $"CD-500 gradient is {longChain} away from the exact gradient");
        if (cd1 > 0.1) Assert.True(longChain < cd1 / 5, $"CD-500 error {longChain} is not much smaller than CD-1's {cd1}");
        // EstimateGradient leaves the parameters alone.
        Assert.Equal(before, _rbm.Weights.ToArray());
    }
}
