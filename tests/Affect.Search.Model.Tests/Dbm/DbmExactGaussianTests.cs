using Affect.Search.Compute.Cpu;
using Affect.Search.Model.Configuration;
using Affect.Search.Model.Dbm;
using Affect.Search.Model.Inference;
using Affect.Search.Model.Training;
using Xunit.Abstractions;
using static Affect.Search.Model.Tests.Dbm.DbmTestKit;

namespace Affect.Search.Model.Tests.Dbm;

/// <summary>
/// A DBM with a Gaussian (unit-variance) pathway next to a binary one, against enumeration of the binary
/// layers with the Gaussian visibles integrated out analytically (<see cref="ExactDbm"/>): mean-field
/// fixed point and posteriors with the Gaussian modality observed or missing, and the persistent chains'
/// statistics (which include Gaussian sampling noise).
/// </summary>
public sealed class DbmExactGaussianTests : IDisposable
{
    private readonly CpuBackend _backend = new();
    private readonly ITestOutputHelper _output;

    public DbmExactGaussianTests(ITestOutputHelper output) => _output = output;

    public void Dispose() => _backend.Dispose();

    private static readonly Dictionary<string, double[][]> Data = new()
    {
        ["a"] = [[1, 0], [1, 1], [0, 1], [0, 0], [1, 1]],
        ["g"] = [[0.5, -1.0], [1.5, 0.2], [-0.7, 0.9], [0.0, 0.0], [2.0, -0.5]],
    };

    private static readonly Dictionary<string, bool[]> Presence = new() { ["g"] = [true, false, true, false, true] };

    /// <summary>The helper's Gaussian integral: its gradient must be the finite difference of its own log-likelihood.</summary>
    [Fact]
    public void Exact_gradient_with_gaussian_visibles_matches_finite_differences()
    {
        using var dbm = MultimodalDbm.Create(_backend, WithGaussian());
        Randomise(dbm, 0.5f, 0.5f, 117);
        var exact = ExactDbm.FromModel(dbm);
        var data = Enumerable.Range(0, 5).Select(r => Observation(Data, r, Presence)).ToList();
        var gradient = exact.ExactGradient(data);
        const double h = 1e-4;
        double worst = 0;
        foreach (var layer in exact.Layers)
        {
            int parentSize = layer.Parent is null ? 0 : exact.Layer(layer.Parent).Size;
            for (int i = 0; i < layer.Size; i++)
                for (int j = -1; j < parentSize; j++)
                {
                    double fd = (exact.Perturbed(layer.Name, i, j, h).MeanLogLikelihood(data) - exact.Perturbed(layer.Name, i, j, -h).MeanLogLikelihood(data)) / (2 * h);
                    double analytic = j < 0 ? gradient.Bias[layer.Name][i] : gradient.Weights[layer.Name]![i * parentSize + j];
                    // For a Gaussian layer the bias gradient is E_data[v - b] - E_model[v - b] = E_data[v] - E_model[v]: same statistics.
                    worst = Math.Max(worst, Math.Abs(fd - analytic));
                }
        }
        // A density must integrate to one: p(g) over a grid, a summed out, for a 2-d Gaussian layer.
        double mass = 0, step = 0.2;
        for (double x = -7; x < 7; x += step)
            for (double y = -7; y < 7; y += step)
                mass += Math.Exp(exact.LogProbability(new Dictionary<string, double[]> { ["g"] = [x, y] })) * step * step;
        _output.WriteLine($"max |finite difference - exact gradient| = {worst:E2}; integral of p(g) = {mass:F5}");
        Assert.True(worst < 1e-6, $"the exact gradient disagrees with finite differences by {worst}");
        Assert.True(Math.Abs(mass - 1) < 1e-3, $"p(g) integrates to {mass}");
    }

    [Fact]
    public void Mean_field_is_a_fixed_point_with_gaussian_visibles_observed_and_missing()
    {
        using var dbm = MultimodalDbm.Create(_backend, WithGaussian());
        Randomise(dbm, 0.5f, 0.5f, 111);
        var rows = Enumerable.Range(0, 5).ToArray();
        using var batch = new MeanFieldBatch(dbm, dbm.Prepare(Dataset(Data, Presence)), rows);
        using var state = new MeanFieldInference(dbm).Run(batch, 50);
        var values = Values(dbm, batch, state, Data, rows);
        double worst = 0;
        foreach (var n in dbm.Nodes)
            for (int r = 0; r < rows.Length; r++)
            {
                if (n.IsVisible && batch.Present(n)[r]) continue;
                worst = Math.Max(worst, TestUtil.MaxAbsDiff(values[n][r], ConditionalMean(n, values, r)));
            }
        _output.WriteLine($"max |mu - conditional mean| (hidden layers, missing Gaussian visibles) = {worst:E2}");
        Assert.True(worst < 1e-4, $"mean-field is not a fixed point: {worst}");
    }

    [Fact]
    public void Mean_field_posteriors_match_exact_posteriors_with_gaussian_visibles_at_small_weights()
    {
        using var dbm = MultimodalDbm.Create(_backend, WithGaussian());
        Randomise(dbm, 0.1f, 0.3f, 113);
        var exact = ExactDbm.FromModel(dbm);
        var rows = Enumerable.Range(0, 5).ToArray();
        using var batch = new MeanFieldBatch(dbm, dbm.Prepare(Dataset(Data, Presence)), rows);
        using var state = new MeanFieldInference(dbm).Run(batch, 50);
        double worst = 0;
        foreach (var name in new[] { "a.h1", "g.h1", "joint" })
        {
            var mu = Rows(state[dbm.Node(name)]);
            for (int r = 0; r < rows.Length; r++)
                worst = Math.Max(worst, TestUtil.MaxAbsDiff(mu[r], exact.Expectations(Observation(Data, r, Presence)).Mean[name]));
        }
        var free = Rows(state.Free(dbm.Node("g"))!);
        foreach (var r in new[] { 1, 3 })
            worst = Math.Max(worst, TestUtil.MaxAbsDiff(free[r], exact.Expectations(Observation(Data, r, Presence)).Mean["g"]));
        _output.WriteLine($"max |mean-field - exact posterior mean| = {worst:E2}");
        Assert.True(worst < 0.01, $"mean-field is {worst} away from the exact posterior means");
    }

    [Fact]
    public void Chain_statistics_with_gaussian_visibles_approach_the_exact_model_expectations()
    {
        using var dbm = MultimodalDbm.Create(_backend, WithGaussian());
        Randomise(dbm, 0.6f, 0.5f, 115);
        var exact = ExactDbm.FromModel(dbm);
        var rows = Enumerable.Range(0, 5).ToArray();
        var prepared = dbm.Prepare(Dataset(Data, Presence));
        var config = new JointTrainingConfig { Chains = 5000, GibbsSweeps = 1, MeanFieldIterations = 30, BatchSize = 5, Momentum = 0, WeightDecay = 0 };
        var dataHalf = MeanFieldDataStatistics(dbm, prepared, Data, rows, config.MeanFieldIterations);
        using var batch = new MeanFieldBatch(dbm, prepared, rows);
        using var pcd = new PersistentContrastiveDivergence(dbm, config, 19);
        var (mean, se) = AverageEstimates(pcd, batch, prepared, burnIn: 50, calls: 200);
        var chainStats = ExactDbm.Subtract(dataHalf, mean);
        var (error, where) = MaxError(chainStats, exact.ModelStatistics());
        _output.WriteLine($"max |chain statistics - exact model expectations| = {error:F4} at {where}; max standard error {MaxAbs(se):F4}");
        var observations = rows.Select(r => Observation(Data, r, Presence)).ToList();
        var (gradError, gradWhere) = MaxError(mean, exact.ExactGradient(observations));
        _output.WriteLine($"(whole PCD gradient vs exact: {gradError:F4} at {gradWhere})");
        Assert.True(error < 0.03, $"chain statistics are {error} from the exact model expectations ({where})");
    }
}
