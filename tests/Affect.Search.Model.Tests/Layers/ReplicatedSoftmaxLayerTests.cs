using Affect.Search.Compute;
using Affect.Search.Compute.Cpu;
using Affect.Search.Model.Data;
using Affect.Search.Model.Layers;
using Affect.Search.Model.Rbm;
using Xunit.Abstractions;

namespace Affect.Search.Model.Tests.Layers;

/// <summary>
/// Replicated Softmax with K = 3 words, documents of length M = 2 and 3 hidden units, against the
/// enumeration of all 6 count vectors x 8 hidden vectors (spec section 1).
/// </summary>
public sealed class ReplicatedSoftmaxLayerTests : IDisposable
{
    private const int K = 3, M = 2, Nh = 3;
    private readonly CpuBackend _backend = new();
    private readonly RestrictedBoltzmannMachine _rbm;
    private readonly ExactRbm _exact;
    private readonly ITestOutputHelper _output;

    public ReplicatedSoftmaxLayerTests(ITestOutputHelper output)
    {
        _output = output;
        _rbm = new RestrictedBoltzmannMachine(_backend, new ReplicatedSoftmaxLayer(K, M), Nh, new RandomStream(3));
        TestUtil.Randomise(_backend, _rbm, 0.8f, 21);
        var (w, b, a) = ExactRbm.Parameters(_rbm);
        _exact = ExactRbm.ReplicatedSoftmax(w, b, a, M);
    }

    public void Dispose()
    {
        _rbm.Dispose();
        _backend.Dispose();
    }

    private static SparseVisibleData Sparse(IReadOnlyList<double[]> rows)
        => new(CsrMatrix.FromDense(TestUtil.Flatten(rows), rows.Count, rows[0].Length));

    [Fact]
    public void Layer_ReportsKindSizeAndBiasScaleM()
    {
        var layer = new ReplicatedSoftmaxLayer(K, M);
        Assert.Equal(UnitKind.ReplicatedSoftmax, layer.Kind);
        Assert.Equal(K, layer.Size);
        Assert.Equal(2f, layer.DocumentLength);
        Assert.Equal(2f, layer.ConnectedBiasScale);
        Assert.Equal(2f, _rbm.HiddenBiasScale);
        Assert.Equal(5f, new ReplicatedSoftmaxLayer(10).DocumentLength);
        Assert.Throws<ArgumentOutOfRangeException>(() => new ReplicatedSoftmaxLayer(3, 0f));
        Assert.Throws<ArgumentOutOfRangeException>(() => new ReplicatedSoftmaxLayer(3, float.NaN));
        Assert.IsType<ReplicatedSoftmaxLayer>(UnitLayer.Create(UnitKind.ReplicatedSoftmax, 4, 3f));
        Assert.Equal(3f, ((ReplicatedSoftmaxLayer)UnitLayer.Create(UnitKind.ReplicatedSoftmax, 4, 3f)).DocumentLength);
    }

    [Fact]
    public void Enumeration_CoversAllCountVectorsOfLengthM()
    {
        Assert.Equal(6, _exact.VisibleStates.Count); // C(M + K - 1, K - 1)
        Assert.All(_exact.VisibleStates, v => Assert.Equal(M, v.Sum()));
        // Base measure: M! / prod v_k!, so sum over count vectors = K^M sequences.
        Assert.Equal(Math.Pow(K, M), _exact.LogBase.Sum(Math.Exp), 1e-12);
    }

    [Fact]
    public void HiddenMeans_OnSparseBatch_EqualBruteForcePosteriorAndFormulaWithMTimesBias()
    {
        using var batch = Sparse(_exact.VisibleStates).GatherAll(_backend);
        Assert.NotNull(batch.Sparse);
        using var hidden = _backend.Allocate(batch.Rows, Nh);
        _rbm.HiddenMeans(batch, hidden);
        var got = hidden.ToArray();
        for (int vi = 0; vi < _exact.VisibleStates.Count; vi++)
        {
            var v = _exact.VisibleStates[vi];
            var brute = _exact.HiddenPosterior(v);
            for (int j = 0; j < Nh; j++)
            {
                double x = M * _exact.A[j];
                for (int k = 0; k < K; k++) x += _exact.W[k, j] * v[k];
                Assert.Equal(ExactRbm.Sigmoid(x), brute[j], 1e-12); // the reference agrees with the spec's formula
                Assert.Equal(brute[j], got[vi * Nh + j], 1e-5);
            }
        }
    }

    [Fact]
    public void VisibleMeans_EqualMTimesSoftmaxAndBruteForceConditionalMean()
    {
        using var hidden = _backend.FromArray(TestUtil.Flatten(_exact.HiddenStates), _exact.HiddenStates.Count, Nh);
        using var visible = _backend.Allocate(_exact.HiddenStates.Count, K);
        _rbm.VisibleMeans(hidden, visible);
        var got = visible.ToArray();
        for (int hi = 0; hi < _exact.HiddenStates.Count; hi++)
        {
            var h = _exact.HiddenStates[hi];
            var logits = Enumerable.Range(0, K).Select(k => _exact.B[k] + Enumerable.Range(0, Nh).Sum(j => _exact.W[k, j] * h[j])).ToArray();
            double norm = ExactRbm.LogSumExp(logits);
            var brute = _exact.VisibleConditionalMean(h);
            for (int k = 0; k < K; k++)
            {
                Assert.Equal(M * Math.Exp(logits[k] - norm), brute[k], 1e-12);
                Assert.Equal(brute[k], got[hi * K + k], 1e-5);
            }
            Assert.Equal(M, got.Skip(hi * K).Take(K).Sum(), 1e-5);
        }
    }

    [Fact]
    public void FreeEnergy_OnSparseBatch_EqualsFormulaAndEnumerationOverHidden()
    {
        // All count vectors of length M, plus rescaled (non-integer) rows as Prepare produces them.
        var rows = _exact.VisibleStates.Concat([[0.5, 1.5, 0], [2.0 / 3, 2.0 / 3, 2.0 / 3], [0, 0.25, 1.75]]).ToList();
        using var sparse = Sparse(rows).GatherAll(_backend);
        var fe = _rbm.FreeEnergy(sparse);
        using var dense = new DenseVisibleData(TestUtil.Flatten(rows), rows.Count, K).GatherAll(_backend);
        var feDense = _rbm.FreeEnergy(dense);
        for (int r = 0; r < rows.Count; r++)
        {
            var v = rows[r];
            double want = -Enumerable.Range(0, K).Sum(k => _exact.B[k] * v[k]);
            for (int j = 0; j < Nh; j++)
                want -= ExactRbm.Softplus(M * _exact.A[j] + Enumerable.Range(0, K).Sum(k => v[k] * _exact.W[k, j]));
            Assert.Equal(want, fe[r], 1e-4);
            Assert.Equal(_exact.FreeEnergyByEnumeration(v), fe[r], 1e-4);
            Assert.Equal(fe[r], feDense[r], 1e-4);
        }
    }

    [Fact]
    public void Prepare_RescalesCountRowsToSumMAndKeepsEmptyDocumentsEmpty()
    {
        var layer = new ReplicatedSoftmaxLayer(4, 5f);
        var raw = new SparseVisibleData(CsrMatrix.FromRows(4,
        [
            [(0, 3f), (2, 1f)],
            [],
            [(1, 10f), (2, 5f), (3, 5f)],
            [(3, 1f)],
        ]));
        var prepared = Assert.IsType<SparseVisibleData>(layer.Prepare(raw));
        Assert.Equal(4, prepared.Count);
        var dense = prepared.Counts.ToDense();
        Assert.Equal([3.75f, 0, 1.25f, 0, 0, 0, 0, 0, 0, 2.5f, 1.25f, 1.25f, 0, 0, 0, 5f], dense);
        for (int r = 0; r < 4; r++) Assert.Equal(r == 1 ? 0f : 5f, dense.Skip(r * 4).Take(4).Sum(), 1e-5);
        // The raw data is not modified.
        Assert.Equal([3f, 1f, 10f, 5f, 5f, 1f], raw.Counts.Values);
    }

    [Fact]
    public void Prepare_RejectsDenseInputWrongVocabularyAndNegativeCounts()
    {
        var layer = new ReplicatedSoftmaxLayer(3, 5f);
        Assert.Throws<ArgumentException>(() => layer.Prepare(new DenseVisibleData(new float[3], 1, 3)));
        var wrong = Assert.Throws<ArgumentException>(() => layer.Prepare(new SparseVisibleData(CsrMatrix.FromRows(4, [[(0, 1f)]]))));
        Assert.Contains("3", wrong.Message);
        Assert.Contains("4", wrong.Message);
        Assert.Throws<ArgumentException>(() => layer.Prepare(new SparseVisibleData(CsrMatrix.FromRows(3, [[(0, 2f), (1, -1f)]]))));
    }

    [Fact]
    public void EstimateGradient_ReproducesOneManualCdStep_WithHiddenBiasScaledByM()
    {
        // The same seed gives the trainer and this manual re-run the same hidden sample.
        var docs = new List<double[]> { new double[] { 2, 0, 0 }, new double[] { 0, 1, 1 }, new double[] { 0, 0, 2 }, new double[] { 1, 0, 1 } };
        var rows = Enumerable.Range(0, 50).SelectMany(_ => docs).ToList();
        var data = Sparse(rows);
        const ulong seed = 9;
        using var trainer = new ContrastiveDivergenceTrainer(_rbm, new ContrastiveDivergenceOptions { GibbsSteps = 1, SampleVisibles = false, Seed = seed });
        using var batch = data.GatherAll(_backend);
        var (gW, gB, gA) = trainer.EstimateGradient(batch);

        var random = new RandomStream(seed);
        int n = rows.Count;
        using var h0 = _backend.Allocate(n, Nh);
        using var hs = _backend.Allocate(n, Nh);
        using var v1 = _backend.Allocate(n, K);
        using var h1 = _backend.Allocate(n, Nh);
        _rbm.HiddenMeans(batch, h0);
        _backend.SampleBernoulli(h0, hs, random);
        _rbm.VisibleMeans(hs, v1);
        _rbm.HiddenMeans(v1, h1);
        var (H0, V1, H1) = (h0.ToArray(), v1.ToArray(), h1.ToArray());

        for (int j = 0; j < Nh; j++)
        {
            double pos = 0, neg = 0;
            for (int r = 0; r < n; r++) { pos += H0[r * Nh + j]; neg += H1[r * Nh + j]; }
            double unscaled = pos - neg;
            _output.WriteLine($"hidden {j}: sum h0 - sum h1 = {unscaled:F4}, gradient = {gA[j]:F4}");
            Assert.Equal(M * unscaled, gA[j], 1e-3);
            Assert.True(Math.Abs(unscaled) > 0.5, "the test needs a visible difference between M * x and x");
        }
        for (int k = 0; k < K; k++)
        {
            double want = 0;
            for (int r = 0; r < n; r++) want += rows[r][k] - V1[r * K + k];
            Assert.Equal(want, gB[k], 1e-3);
            for (int j = 0; j < Nh; j++)
            {
                double w = 0;
                for (int r = 0; r < n; r++) w += rows[r][k] * H0[r * Nh + j] - V1[r * K + k] * H1[r * Nh + j];
                Assert.Equal(w, gW[k * Nh + j], 1e-3);
            }
        }
    }

    [Fact]
    public void EstimateGradient_AveragesToTheExpectedMeanFieldCd1Gradient()
    {
        // Independent of the random stream: with mean-field visibles, CD-1's expectation over the one
        // hidden sample is a sum over the 8 hidden vectors, computed here in double.
        var docs = new List<double[]> { new double[] { 2, 0, 0 }, new double[] { 0, 1, 1 }, new double[] { 1, 1, 0 } };
        var rows = Enumerable.Range(0, 8000).SelectMany(_ => docs).ToList();
        using var trainer = new ContrastiveDivergenceTrainer(_rbm, new ContrastiveDivergenceOptions { GibbsSteps = 1, Seed = 4 });
        using var batch = Sparse(rows).GatherAll(_backend);
        var (gW, gB, gA) = trainer.EstimateGradient(batch);

        var eW = new double[K, Nh];
        var eB = new double[K];
        var eA = new double[Nh];
        foreach (var v0 in docs)
        {
            var p0 = _exact.HiddenPosterior(v0);
            for (int j = 0; j < Nh; j++) eA[j] += M * p0[j];
            for (int k = 0; k < K; k++)
            {
                eB[k] += v0[k];
                for (int j = 0; j < Nh; j++) eW[k, j] += v0[k] * p0[j];
            }
            foreach (var h in _exact.HiddenStates)
            {
                double prob = 1;
                for (int j = 0; j < Nh; j++) prob *= h[j] == 1 ? p0[j] : 1 - p0[j];
                var v1 = _exact.VisibleConditionalMean(h);
                var h1 = Enumerable.Range(0, Nh).Select(j => ExactRbm.Sigmoid(M * _exact.A[j] + Enumerable.Range(0, K).Sum(k => v1[k] * _exact.W[k, j]))).ToArray();
                for (int j = 0; j < Nh; j++) eA[j] -= prob * M * h1[j];
                for (int k = 0; k < K; k++)
                {
                    eB[k] -= prob * v1[k];
                    for (int j = 0; j < Nh; j++) eW[k, j] -= prob * v1[k] * h1[j];
                }
            }
        }
        double d = docs.Count;
        var expected = TestUtil.RowMajor(eW).Concat(eB).Concat(eA).Select(x => x / d).ToArray();
        var estimate = gW.Concat(gB).Concat(gA).Select(x => (double)x / rows.Count).ToArray();
        double err = TestUtil.MaxAbsDiff(estimate, expected);
        _output.WriteLine($"max |E[CD-1] - estimate| = {err:F4}; hidden-bias entries expected {string.Join(", ", expected.TakeLast(Nh).Select(x => x.ToString("F4")))}");
        Assert.True(err < 0.01, $"CD-1 estimate is {err} away from its expectation");
        // The hidden-bias entries are large enough that dropping M would break the match.
        Assert.True(expected.TakeLast(Nh).Max(Math.Abs) > 0.05);
    }

    /// <summary>
    /// Regression: SampleMultinomialRows used to clear the destination row before reading the
    /// probabilities, so the trainer's in-place Visible.Sample(V1, V1) put every draw on the last word.
    /// </summary>
    [Fact]
    public void SampleInPlace_DrawsFromTheMeans()
    {
        // The trainer samples visibles in place (Visible.Sample(V1, V1)) when SampleVisibles is set.
        var layer = new ReplicatedSoftmaxLayer(K, M);
        const int n = 20000;
        var means = Enumerable.Range(0, n).SelectMany(_ => new[] { 1.2f, 0.6f, 0.2f }).ToArray(); // M * (0.6, 0.3, 0.1)
        using var m = _backend.FromArray(means, n, K);
        using var separate = _backend.Allocate(n, K);
        layer.Sample(_backend, m, separate, new RandomStream(1));
        layer.Sample(_backend, m, m, new RandomStream(1));
        foreach (var (sample, what) in new[] { (separate.ToArray(), "separate destination"), (m.ToArray(), "in place") })
        {
            var avg = Enumerable.Range(0, K).Select(k => Enumerable.Range(0, n).Average(r => (double)sample[r * K + k])).ToArray();
            for (int k = 0; k < K; k++) Assert.True(Math.Abs(avg[k] - means[k]) < 0.03, $"{what}: word {k} mean count {avg[k]}, expected {means[k]}");
            Assert.All(Enumerable.Range(0, n), r => Assert.Equal(M, sample[r * K] + sample[r * K + 1] + sample[r * K + 2]));
        }
    }

    /// <summary>
    /// CD-300 with sampled word counts (sparse positive phase, dense chains) against the exact gradient,
    /// M on the hidden bias included. Measured max abs error 0.0065 over 16,000 chains.
    /// </summary>
    [Fact]
    public void ContrastiveDivergence_WithLongSampledChains_ApproachesExactGradient()
    {
        var docs = new List<double[]> { new double[] { 2, 0, 0 }, new double[] { 0, 1, 1 }, new double[] { 1, 1, 0 }, new double[] { 0, 0, 2 } };
        // 8000 chains per call (the backend's serial path), two independent calls.
        var rows = Enumerable.Range(0, 2000).SelectMany(_ => docs).ToList();
        var (eW, eB, eA) = _exact.ExactGradient(docs);
        var exact = TestUtil.RowMajor(eW).Concat(eB).Concat(eA).ToArray();
        // Dropping M from the hidden-bias statistics would halve these entries: far outside the tolerance.
        Assert.True(eA.Max(Math.Abs) / 2 > 0.1, $"hidden-bias gradient {eA.Max(Math.Abs)} too small to detect a missing factor M");
        using var trainer = new ContrastiveDivergenceTrainer(_rbm, new ContrastiveDivergenceOptions { GibbsSteps = 300, SampleVisibles = true, Seed = 6 });
        using var batch = Sparse(rows).GatherAll(_backend);
        var sum = new double[exact.Length];
        for (int c = 0; c < 2; c++)
        {
            var (gW, gB, gA) = trainer.EstimateGradient(batch);
            var g = gW.Concat(gB).Concat(gA).ToArray();
            for (int k = 0; k < sum.Length; k++) sum[k] += g[k] / (2.0 * rows.Count);
        }
        double err = TestUtil.MaxAbsDiff(sum, exact);
        _output.WriteLine($"max |CD-300 - exact| = {err:F4}, max |exact| = {exact.Max(Math.Abs):F4}");
        Assert.True(err < 0.03, $"long-chain gradient is {err} away from the exact gradient");
    }
}
