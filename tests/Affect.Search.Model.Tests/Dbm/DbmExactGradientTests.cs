using Affect.Search.Compute.Cpu;
using Affect.Search.Model.Configuration;
using Affect.Search.Model.Dbm;
using Affect.Search.Model.Inference;
using Affect.Search.Model.Training;
using Xunit.Abstractions;
using static Affect.Search.Model.Tests.Dbm.DbmTestKit;

namespace Affect.Search.Model.Tests.Dbm;

/// <summary>
/// The joint-training (PCD) gradient of tiny binary DBMs against the exact log-likelihood gradient
/// computed by enumeration: sign (ascent direction), layout of the weight gradient (|child| x |parent|),
/// scale, the mean-field data half, and the persistent Gibbs chains' stationary statistics.
/// </summary>
public sealed class DbmExactGradientTests : IDisposable
{
    private readonly CpuBackend _backend = new();
    private readonly ITestOutputHelper _output;

    public DbmExactGradientTests(ITestOutputHelper output) => _output = output;

    public void Dispose() => _backend.Dispose();

    private static readonly double[][] V4 =
    [
        [1, 1, 0, 0],
        [1, 1, 1, 0],
        [0, 0, 1, 1],
        [1, 1, 0, 1],
        [0, 0, 0, 1],
        [1, 0, 1, 1],
    ];

    private static readonly Dictionary<string, double[][]> TreeData = new()
    {
        ["a"] = [[1, 0], [1, 1], [0, 1], [0, 0], [1, 1], [0, 1]],
        ["b"] = [[1, 1], [0, 0], [1, 0], [0, 1], [1, 1], [0, 0]],
        ["t"] = [[0, 1], [1, 1], [1, 0], [0, 0], [1, 1], [0, 1]],
    };

    private static List<IReadOnlyDictionary<string, double[]>> Observations(IReadOnlyDictionary<string, double[][]> features)
        => Enumerable.Range(0, features.Values.First().Length).Select(r => Observation(features, r)).ToList();

    /// <summary>Skewed rows, so that the exact gradient is large (a sign error cannot hide).</summary>
    private static readonly double[][] Skewed =
    [
        [1, 1, 0, 0],
        [1, 1, 1, 0],
        [1, 0, 0, 0],
        [1, 1, 0, 0],
        [1, 1, 0, 1],
        [1, 0, 0, 0],
    ];

    [Fact]
    public void Exact_gradient_matches_finite_differences_of_the_exact_log_likelihood()
    {
        using var dbm = MultimodalDbm.Create(_backend, OnePathway());
        Randomise(dbm, 0.5f, 0.5f, 51);
        var exact = ExactDbm.FromModel(dbm);
        var data = Observations(new Dictionary<string, double[][]> { ["a"] = V4 });
        var gradient = exact.ExactGradient(data);
        const double h = 1e-4;
        double worst = 0;
        int checkedCount = 0;
        foreach (var layer in exact.Layers)
        {
            var parentSize = layer.Parent is null ? 0 : exact.Layer(layer.Parent).Size;
            for (int i = 0; i < layer.Size; i++)
            {
                for (int j = -1; j < parentSize; j++)
                {
                    double fd = (exact.Perturbed(layer.Name, i, j, h).MeanLogLikelihood(data) - exact.Perturbed(layer.Name, i, j, -h).MeanLogLikelihood(data)) / (2 * h);
                    double analytic = j < 0 ? gradient.Bias[layer.Name][i] : gradient.Weights[layer.Name]![i * parentSize + j];
                    worst = Math.Max(worst, Math.Abs(fd - analytic));
                    checkedCount++;
                }
            }
        }
        _output.WriteLine($"{checkedCount} parameters: max |finite difference - exact gradient| = {worst:E2}");
        Assert.True(worst < 1e-6, $"the exact gradient disagrees with finite differences by {worst}");
    }

    private static JointTrainingConfig Pcd(int chains, int sweeps = 1, int meanField = 30) => new()
    {
        Chains = chains,
        GibbsSweeps = sweeps,
        MeanFieldIterations = meanField,
        BatchSize = 8,
        Momentum = 0f,
        WeightDecay = 0f,
    };

    /// <summary>At small weights mean-field is nearly exact, so the whole PCD gradient must be the exact one.</summary>
    [Fact]
    public void Pcd_gradient_approaches_the_exact_gradient_at_small_weights()
    {
        using var dbm = MultimodalDbm.Create(_backend, OnePathway());
        Randomise(dbm, 0.1f, 0.5f, 61);
        var exact = ExactDbm.FromModel(dbm);
        var features = new Dictionary<string, double[][]> { ["a"] = Skewed };
        var expected = exact.ExactGradient(Observations(features));
        var prepared = dbm.Prepare(Dataset(features));
        var rows = Enumerable.Range(0, Skewed.Length).ToArray();
        using var batch = new MeanFieldBatch(dbm, prepared, rows);
        using var pcd = new PersistentContrastiveDivergence(dbm, Pcd(5000), 7);
        var (mean, se) = AverageEstimates(pcd, batch, prepared, burnIn: 30, calls: 200);
        var (error, where) = MaxError(mean, expected);
        var (meanFieldError, meanFieldWhere) = MaxError(MeanFieldDataStatistics(dbm, prepared, features, rows, 30), exact.DataStatistics(Observations(features)));
        _output.WriteLine($"mean-field data half vs exact data half: {meanFieldError:F4} at {meanFieldWhere}");
        double maxSe = MaxAbs(se);
        _output.WriteLine($"max |exact gradient| = {MaxAbs(expected):F3}; max |PCD - exact| = {error:F4} at {where}; max standard error {maxSe:F4}");
        Assert.True(MaxAbs(expected) > 0.1, "the exact gradient is too small for the test to see a sign error");
        Assert.True(error < 0.02, $"averaged PCD gradient is {error} from the exact gradient ({where})");
    }

    /// <summary>
    /// The model half alone: the data half is recomputed on the host from the model's own (deterministic)
    /// mean-field state, so data half - averaged PCD estimate = the chains' statistics, which must be
    /// the exact model expectations whatever the mean-field error.
    /// </summary>
    [Theory]
    [InlineData(0.5f, 5000, 1)]
    public void Chain_statistics_approach_the_exact_model_expectations(float std, int chains, int sweeps)
        => CheckChainStatistics(OnePathway(), new Dictionary<string, double[][]> { ["a"] = V4 }, std, std, chains, sweeps, burnIn: 50, calls: 200, tolerance: 0.015);

    /// <summary>
    /// Strong coupling (weights ~ N(0, 1)) in a tree with several pathways of different depths, a modality
    /// with its own joint layer, and visibles at odd depth: one Gibbs sweep per call must still leave the
    /// exact model distribution invariant (wrong parity ordering or conditionals would not).
    /// </summary>
    [Fact]
    public void Gibbs_chains_sample_the_exact_model_distribution_at_strong_coupling()
        => CheckChainStatistics(Tree(), TreeData, 1.0f, 0.5f, 5000, 1, burnIn: 100, calls: 300, tolerance: 0.02);

    private void CheckChainStatistics(DbmConfig config, Dictionary<string, double[][]> features, float weightStd, float biasStd,
        int chains, int sweeps, int burnIn, int calls, double tolerance)
    {
        using var dbm = MultimodalDbm.Create(_backend, config);
        Randomise(dbm, weightStd, biasStd, 71);
        var exact = ExactDbm.FromModel(dbm);
        var model = exact.ModelStatistics();
        var prepared = dbm.Prepare(Dataset(features));
        var rows = Enumerable.Range(0, features.Values.First().Length).ToArray();
        var jointConfig = Pcd(chains, sweeps);
        var dataHalf = MeanFieldDataStatistics(dbm, prepared, features, rows, jointConfig.MeanFieldIterations);
        using var batch = new MeanFieldBatch(dbm, prepared, rows);
        using var pcd = new PersistentContrastiveDivergence(dbm, jointConfig, 13);
        var (mean, se) = AverageEstimates(pcd, batch, prepared, burnIn, calls);
        var chainStats = ExactDbm.Subtract(dataHalf, mean);
        var (error, where) = MaxError(chainStats, model);
        _output.WriteLine($"{config.Name}, weights N(0, {weightStd}^2): max |chain statistics - exact model expectations| = {error:F4} at {where}; max standard error {MaxAbs(se):F4}");
        var exactGradient = exact.ExactGradient(Observations(features));
        var (gradError, gradWhere) = MaxError(mean, exactGradient);
        _output.WriteLine($"(whole PCD gradient vs exact, mean-field data half: {gradError:F4} at {gradWhere})");
        Assert.True(error < tolerance, $"chain statistics are {error} from the exact model expectations ({where})");
    }

    /// <summary>
    /// One <see cref="PersistentContrastiveDivergence.Step"/> must move the parameters by
    /// learning rate x the estimated gradient (ascent), minus weight decay, plus momentum x the previous move.
    /// Two trainers with one seed on one model run identical chains, so one estimates while the other steps.
    /// </summary>
    [Fact]
    public void Step_moves_parameters_by_learning_rate_times_the_estimated_gradient()
    {
        using var dbm = MultimodalDbm.Create(_backend, TwoPathways());
        Randomise(dbm, 0.5f, 0.5f, 81);
        var features = new Dictionary<string, double[][]>
        {
            ["a"] = [[1, 1, 0], [0, 0, 1], [1, 0, 1], [0, 1, 1]],
            ["b"] = [[0, 1, 1], [1, 0, 0], [1, 1, 1], [0, 0, 0]],
        };
        var present = new Dictionary<string, bool[]> { ["b"] = [true, false, true, true] };
        var prepared = dbm.Prepare(Dataset(features, present));
        var rows = Enumerable.Range(0, 4).ToArray();
        using var batch = new MeanFieldBatch(dbm, prepared, rows);
        const float rate = 0.1f, momentum = 0.5f, decay = 0.01f;
        var config = Pcd(200) with { Momentum = momentum, WeightDecay = decay };
        using var estimator = new PersistentContrastiveDivergence(dbm, config, 5);
        using var stepper = new PersistentContrastiveDivergence(dbm, config, 5);
        estimator.EstimateGradient(batch, prepared);
        stepper.EstimateGradient(batch, prepared);

        Dictionary<string, (float[]? W, float[] B)> Parameters() => dbm.Nodes.ToDictionary(n => n.Name, n => (n.Weights?.ToArray(), n.Bias.ToArray()));
        Dictionary<string, (double[]? W, double[] B)>? previousMove = null;
        double worst = 0, largest = 0;
        for (int step = 0; step < 2; step++)
        {
            var before = Parameters();
            var g = estimator.EstimateGradient(batch, prepared);
            stepper.Step(batch, rate);
            var after = Parameters();
            var move = new Dictionary<string, (double[]? W, double[] B)>();
            foreach (var n in dbm.Nodes)
            {
                var (w0, b0) = before[n.Name];
                var (w1, b1) = after[n.Name];
                double[]? mw = null;
                if (w0 is not null)
                {
                    mw = new double[w0.Length];
                    for (int i = 0; i < w0.Length; i++)
                    {
                        mw[i] = w1![i] - w0[i];
                        double expected = rate * g[n.Name].Weights![i] - rate * decay * w0[i] + (previousMove is null ? 0 : momentum * previousMove[n.Name].W![i]);
                        worst = Math.Max(worst, Math.Abs(mw[i] - expected));
                        largest = Math.Max(largest, Math.Abs(expected));
                    }
                }
                var mb = new double[b0.Length];
                for (int i = 0; i < b0.Length; i++)
                {
                    mb[i] = b1[i] - b0[i];
                    double expected = rate * g[n.Name].Bias[i] + (previousMove is null ? 0 : momentum * previousMove[n.Name].B[i]);
                    worst = Math.Max(worst, Math.Abs(mb[i] - expected));
                    largest = Math.Max(largest, Math.Abs(expected));
                }
                move[n.Name] = (mw, mb);
            }
            previousMove = move;
        }
        _output.WriteLine($"max |parameter move - expected move| = {worst:E2} (largest expected move {largest:F4})");
        Assert.True(largest > 1e-3, "the moves are too small to check");
        Assert.True(worst < 1e-5, $"Step does not move the parameters by the estimated gradient: off by {worst}");
    }
}
