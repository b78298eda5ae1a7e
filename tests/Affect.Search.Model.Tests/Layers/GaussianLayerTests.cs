using Affect.Search.Compute;
using Affect.Search.Compute.Cpu;
using Affect.Search.Model.Data;
using Affect.Search.Model.Layers;
using Affect.Search.Model.Rbm;

namespace Affect.Search.Model.Tests.Layers;

/// <summary>The Gaussian layer's standardisation and a 2 x 3 Gaussian-Bernoulli RBM (spec section 1).</summary>
public sealed class GaussianLayerTests : IDisposable
{
    private const int Nv = 2, Nh = 3;
    private readonly CpuBackend _backend = new();
    private readonly RestrictedBoltzmannMachine _rbm;
    private readonly double[,] _w;
    private readonly double[] _b, _a;

    public GaussianLayerTests()
    {
        _rbm = new RestrictedBoltzmannMachine(_backend, new GaussianLayer(Nv), Nh, new RandomStream(5));
        TestUtil.Randomise(_backend, _rbm, 0.7f, 31);
        (_w, _b, _a) = ExactRbm.Parameters(_rbm);
    }

    public void Dispose()
    {
        _rbm.Dispose();
        _backend.Dispose();
    }

    private static IEnumerable<double[]> HiddenStates => Enumerable.Range(0, 1 << Nh).Select(i => ExactRbm.Bits(i, Nh));

    /// <summary>E(v, h) = sum_i (v_i - b_i)^2 / 2 - v'Wh - a'h.</summary>
    private double Energy(double[] v, double[] h)
    {
        double e = 0;
        for (int i = 0; i < Nv; i++)
        {
            e += (v[i] - _b[i]) * (v[i] - _b[i]) / 2;
            for (int j = 0; j < Nh; j++) e -= v[i] * _w[i, j] * h[j];
        }
        for (int j = 0; j < Nh; j++) e -= _a[j] * h[j];
        return e;
    }

    /// <summary>
    /// log Z in closed form: for each h the Gaussian integral over v is
    /// (2 pi)^{n/2} exp(a'h + (|b + Wh|^2 - |b|^2) / 2).
    /// </summary>
    private double ExactLogZ() => ExactRbm.LogSumExp(HiddenStates.Select(h =>
    {
        double s = Nv / 2.0 * Math.Log(2 * Math.PI);
        for (int j = 0; j < Nh; j++) s += _a[j] * h[j];
        for (int i = 0; i < Nv; i++)
        {
            double m = _b[i];
            for (int j = 0; j < Nh; j++) m += _w[i, j] * h[j];
            s += (m * m - _b[i] * _b[i]) / 2;
        }
        return s;
    }));

    private double ExactLogMarginal(double[] v, double logZ) => ExactRbm.LogSumExp(HiddenStates.Select(h => -Energy(v, h))) - logZ;

    [Fact]
    public void NewLayer_HasIdentityStandardisation()
    {
        var layer = new GaussianLayer(3);
        Assert.Equal(UnitKind.Gaussian, layer.Kind);
        Assert.Equal(1f, layer.ConnectedBiasScale);
        Assert.Equal([0f, 0f, 0f], layer.Mean);
        Assert.Equal([1f, 1f, 1f], layer.StandardDeviation);
        var raw = new DenseVisibleData([1f, -2f, 3.5f], 1, 3);
        Assert.Equal(raw.Values, Assert.IsType<DenseVisibleData>(layer.Prepare(raw)).Values);
    }

    [Fact]
    public void Fit_UsesPresentRowsOnly_PopulationStatistics_AndFloorsStd()
    {
        var layer = new GaussianLayer(3);
        // Column 2 is constant over the present rows. Row 2 is absent and would change everything.
        var raw = new DenseVisibleData(
        [
            1f, 10f, 7f,
            3f, 20f, 7f,
            1000f, -500f, 123f,
            5f, 30f, 7f,
        ], 4, 3);
        layer.Fit(raw, [true, true, false, true]);
        Assert.Equal(3f, layer.Mean[0], 1e-5);
        Assert.Equal(20f, layer.Mean[1], 1e-4);
        Assert.Equal(7f, layer.Mean[2], 1e-5);
        Assert.Equal(Math.Sqrt(8.0 / 3), layer.StandardDeviation[0], 1e-5); // population (1/n) variance
        Assert.Equal(Math.Sqrt(200.0 / 3), layer.StandardDeviation[1], 1e-4);
        Assert.Equal(GaussianLayer.MinimumStandardDeviation, layer.StandardDeviation[2]);

        // Without a mask every row counts.
        layer.Fit(raw);
        Assert.Equal((1 + 3 + 1000 + 5) / 4.0, layer.Mean[0], 1e-3);
    }

    [Fact]
    public void Fit_RejectsNoPresentRowsAndWrongDimension()
    {
        var layer = new GaussianLayer(2);
        var raw = new DenseVisibleData([1f, 2f, 3f, 4f], 2, 2);
        Assert.Throws<ArgumentException>(() => layer.Fit(raw, [false, false]));
        var e = Assert.Throws<ArgumentException>(() => layer.Fit(new DenseVisibleData(new float[6], 2, 3)));
        Assert.Contains("2", e.Message);
        Assert.Contains("3", e.Message);
    }

    [Fact]
    public void Prepare_Standardises_AndFittedDataHasZeroMeanUnitVariance()
    {
        var values = TestUtil.Normal(500 * 2, 1f, 77);
        for (int r = 0; r < 500; r++) { values[2 * r] = 3f * values[2 * r] + 10f; values[2 * r + 1] = 0.2f * values[2 * r + 1] - 4f; }
        var raw = new DenseVisibleData(values, 500, 2);
        var layer = new GaussianLayer(2);
        layer.Fit(raw);
        var prepared = Assert.IsType<DenseVisibleData>(layer.Prepare(raw));
        for (int i = 0; i < 2; i++)
        {
            var col = Enumerable.Range(0, 500).Select(r => (double)prepared.Values[2 * r + i]).ToArray();
            double mean = col.Average();
            Assert.Equal(0, mean, 1e-4);
            Assert.Equal(1, col.Average(x => (x - mean) * (x - mean)), 1e-4);
        }
        for (int r = 0; r < 500; r++)
            for (int i = 0; i < 2; i++)
                Assert.Equal((values[2 * r + i] - layer.Mean[i]) / layer.StandardDeviation[i], prepared.Values[2 * r + i], 1e-5);
        // Stored statistics apply unchanged to new data (inference).
        var fresh = Assert.IsType<DenseVisibleData>(layer.Prepare(new DenseVisibleData([10f, -4f], 1, 2)));
        Assert.Equal((10f - layer.Mean[0]) / layer.StandardDeviation[0], fresh.Values[0], 1e-6);
    }

    [Fact]
    public void Prepare_AndSetStandardisation_RejectBadInput()
    {
        var layer = new GaussianLayer(2);
        Assert.Throws<ArgumentException>(() => layer.Prepare(new SparseVisibleData(CsrMatrix.FromRows(2, [[(0, 1f)]]))));
        Assert.Throws<ArgumentException>(() => layer.Prepare(new DenseVisibleData(new float[3], 1, 3)));
        Assert.Throws<ArgumentException>(() => layer.SetStandardisation([0f], [1f]));
        Assert.Throws<ArgumentException>(() => layer.SetStandardisation([0f, 0f], [1f, 0f]));
        Assert.Throws<ArgumentException>(() => layer.SetStandardisation([0f, 0f], [1f, float.NaN]));
        layer.SetStandardisation([1f, 2f], [2f, 4f]);
        Assert.Equal([0.5f, 0.5f], ((DenseVisibleData)layer.Prepare(new DenseVisibleData([2f, 4f], 1, 2))).Values);
    }

    [Fact]
    public void HiddenMeans_MatchSigmoidOfAPlusVW()
    {
        var v = new float[] { 0.3f, -1.2f, 2.5f, 0.7f, -3f, -0.4f, 0f, 0f };
        using var batch = new DenseVisibleData(v, 4, Nv).GatherAll(_backend);
        using var hidden = _backend.Allocate(4, Nh);
        _rbm.HiddenMeans(batch, hidden);
        var got = hidden.ToArray();
        for (int r = 0; r < 4; r++)
            for (int j = 0; j < Nh; j++)
                Assert.Equal(ExactRbm.Sigmoid(_a[j] + v[2 * r] * _w[0, j] + v[2 * r + 1] * _w[1, j]), got[r * Nh + j], 1e-6);
    }

    [Fact]
    public void VisibleMeans_AreBPlusWh()
    {
        var hs = HiddenStates.ToList();
        using var hidden = _backend.FromArray(TestUtil.Flatten(hs), hs.Count, Nh);
        using var visible = _backend.Allocate(hs.Count, Nv);
        _rbm.VisibleMeans(hidden, visible);
        var got = visible.ToArray();
        for (int r = 0; r < hs.Count; r++)
            for (int i = 0; i < Nv; i++)
                Assert.Equal(_b[i] + Enumerable.Range(0, Nh).Sum(j => _w[i, j] * hs[r][j]), got[r * Nv + i], 1e-6);
    }

    [Fact]
    public void Sample_AddsUnitVarianceNoiseToTheMeans()
    {
        var layer = new GaussianLayer(2);
        const int n = 20000;
        using var means = _backend.FromArray(Enumerable.Range(0, n).SelectMany(_ => new[] { 1.5f, -2f }).ToArray(), n, 2);
        using var sample = _backend.Allocate(n, 2);
        layer.Sample(_backend, means, sample, new RandomStream(8));
        var s = sample.ToArray();
        Assert.Equal([1.5f, -2f], means.ToArray().Take(2)); // means untouched
        for (int i = 0; i < 2; i++)
        {
            var col = Enumerable.Range(0, n).Select(r => (double)s[2 * r + i]).ToArray();
            double mean = col.Average();
            Assert.Equal(i == 0 ? 1.5 : -2.0, mean, 0.03);
            Assert.Equal(1.0, col.Average(x => (x - mean) * (x - mean)), 0.04);
        }
        // In place gives the same draws.
        layer.Sample(_backend, means, means, new RandomStream(8));
        Assert.Equal(s, means.ToArray());
    }

    [Fact]
    public void FreeEnergy_MatchesFormula()
    {
        var v = new float[] { 0.3f, -1.2f, 2.5f, 0.7f, -3f, -0.4f };
        using var batch = new DenseVisibleData(v, 3, Nv).GatherAll(_backend);
        var fe = _rbm.FreeEnergy(batch);
        for (int r = 0; r < 3; r++)
        {
            double want = 0;
            for (int i = 0; i < Nv; i++) want += (v[2 * r + i] - _b[i]) * (v[2 * r + i] - _b[i]) / 2;
            for (int j = 0; j < Nh; j++) want -= ExactRbm.Softplus(_a[j] + v[2 * r] * _w[0, j] + v[2 * r + 1] * _w[1, j]);
            Assert.Equal(want, fe[r], 1e-5);
            Assert.Equal(-ExactRbm.LogSumExp(HiddenStates.Select(h => -Energy([v[2 * r], v[2 * r + 1]], h))), fe[r], 1e-5);
        }
    }

    [Fact]
    public void ExpMinusFreeEnergy_IsProportionalToTheMarginal_OnAGrid()
    {
        // Integrate exp(-F) over [-8, 8]^2 with step 0.05; exp(-F(v)) / Z_grid must be the exact marginal
        // p(v) = sum_h exp(-E(v, h)) / Z, with Z in closed form.
        const double step = 0.05;
        int n = (int)Math.Round(16 / step) + 1;
        var grid = new float[n * n * 2];
        for (int x = 0; x < n; x++)
            for (int y = 0; y < n; y++) { grid[2 * (x * n + y)] = (float)(-8 + x * step); grid[2 * (x * n + y) + 1] = (float)(-8 + y * step); }
        using var batch = new DenseVisibleData(grid, n * n, 2).GatherAll(_backend);
        var fe = _rbm.FreeEnergy(batch);
        double logZGrid = ExactRbm.LogSumExp(fe.Select(f => -(double)f)) + 2 * Math.Log(step);
        double logZ = ExactLogZ();
        Assert.Equal(logZ, logZGrid, 1e-3);

        double[][] points = [[0, 0], [1, -1], [-2, 0.5], [2.5, 2.5], [-0.7, 3]];
        using var pb = new DenseVisibleData(TestUtil.Flatten(points), points.Length, 2).GatherAll(_backend);
        var fp = _rbm.FreeEnergy(pb);
        for (int p = 0; p < points.Length; p++)
        {
            double exact = Math.Exp(ExactLogMarginal(points[p], logZ));
            double viaF = Math.Exp(-fp[p] - logZGrid);
            Assert.Equal(exact, viaF, exact * 1e-3);
        }
    }
}
