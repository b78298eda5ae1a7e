using Affect.Search.Compute.Cpu;
using Affect.Search.Model.Configuration;
using Affect.Search.Model.Dbm;
using Affect.Search.Model.Inference;
using Affect.Search.Model.Training;
using Xunit.Abstractions;
using static Affect.Search.Model.Tests.Dbm.DbmTestKit;

namespace Affect.Search.Model.Tests.Dbm;

/// <summary>
/// A DBM with a Replicated Softmax (word-count) pathway, whose first hidden layer scales its bias by the
/// document length M, against enumeration of every document of length M (with its multinomial base
/// measure) and every binary hidden configuration: mean-field fixed point and posteriors (text observed
/// or missing), and the persistent chains' statistics.
/// </summary>
public sealed class DbmExactWordCountTests : IDisposable
{
    private readonly CpuBackend _backend = new();
    private readonly ITestOutputHelper _output;

    public DbmExactWordCountTests(ITestOutputHelper output) => _output = output;

    public void Dispose() => _backend.Dispose();

    private static readonly Dictionary<string, double[][]> Data = new()
    {
        ["a"] = [[1, 0], [1, 1], [0, 1], [0, 0], [1, 1]],
        ["t"] = [[3, 0, 0], [1, 1, 1], [0, 2, 1], [0, 0, 3], [2, 0, 1]],
    };

    private static readonly Dictionary<string, bool[]> TextPresence = new() { ["t"] = [true, false, true, false, true] };

    [Fact]
    public void Mean_field_is_a_fixed_point_with_word_counts_observed_and_missing()
    {
        using var dbm = MultimodalDbm.Create(_backend, WithWordCounts());
        Assert.Equal(3f, dbm.Node("t.h1").BiasScale);
        Randomise(dbm, 0.5f, 0.5f, 91);
        var rows = Enumerable.Range(0, 5).ToArray();
        var prepared = dbm.Prepare(Dataset(Data, TextPresence, "t"));
        using var batch = new MeanFieldBatch(dbm, prepared, rows);
        using var state = new MeanFieldInference(dbm).Run(batch, 50);
        var values = Values(dbm, batch, state, Data, rows);
        double worst = 0;
        foreach (var n in dbm.Nodes)
            for (int r = 0; r < rows.Length; r++)
            {
                if (n.IsVisible && batch.Present(n)[r]) continue;
                worst = Math.Max(worst, TestUtil.MaxAbsDiff(values[n][r], ConditionalMean(n, values, r)));
            }
        _output.WriteLine($"max |mu - conditional mean| (hidden layers, missing word counts) = {worst:E2}");
        Assert.True(worst < 1e-4, $"mean-field is not a fixed point: {worst}");
    }

    [Fact]
    public void Mean_field_posteriors_match_exact_posteriors_with_word_counts_at_small_weights()
    {
        using var dbm = MultimodalDbm.Create(_backend, WithWordCounts());
        Randomise(dbm, 0.05f, 0.3f, 93);
        var exact = ExactDbm.FromModel(dbm);
        var rows = Enumerable.Range(0, 5).ToArray();
        using var batch = new MeanFieldBatch(dbm, dbm.Prepare(Dataset(Data, TextPresence, "t")), rows);
        using var state = new MeanFieldInference(dbm).Run(batch, 50);
        double worst = 0;
        foreach (var name in new[] { "a.h1", "t.h1", "joint" })
        {
            var mu = Rows(state[dbm.Node(name)]);
            for (int r = 0; r < rows.Length; r++)
                worst = Math.Max(worst, TestUtil.MaxAbsDiff(mu[r], exact.Expectations(Observation(Data, r, TextPresence)).Mean[name]));
        }
        // Missing text: the inferred word counts are the exact E[t | a].
        var free = Rows(state.Free(dbm.Node("t"))!);
        foreach (var r in new[] { 1, 3 })
            worst = Math.Max(worst, TestUtil.MaxAbsDiff(free[r], exact.Expectations(Observation(Data, r, TextPresence)).Mean["t"]));
        _output.WriteLine($"max |mean-field - exact posterior mean| = {worst:E2}");
        Assert.True(worst < 0.01, $"mean-field is {worst} away from the exact posterior means");
    }

    [Fact]
    public void Chain_statistics_with_word_counts_approach_the_exact_model_expectations()
    {
        using var dbm = MultimodalDbm.Create(_backend, WithWordCounts());
        Randomise(dbm, 0.6f, 0.5f, 95);
        var exact = ExactDbm.FromModel(dbm);
        var rows = Enumerable.Range(0, 5).ToArray();
        var prepared = dbm.Prepare(Dataset(Data, TextPresence, "t"));
        var config = new JointTrainingConfig { Chains = 5000, GibbsSweeps = 1, MeanFieldIterations = 30, BatchSize = 5, Momentum = 0, WeightDecay = 0 };
        var dataHalf = MeanFieldDataStatistics(dbm, prepared, Data, rows, config.MeanFieldIterations);
        using var batch = new MeanFieldBatch(dbm, prepared, rows);
        using var pcd = new PersistentContrastiveDivergence(dbm, config, 17);
        var (mean, se) = AverageEstimates(pcd, batch, prepared, burnIn: 50, calls: 200);
        var chainStats = ExactDbm.Subtract(dataHalf, mean);
        var (error, where) = MaxError(chainStats, exact.ModelStatistics());
        _output.WriteLine($"max |chain statistics - exact model expectations| = {error:F4} at {where}; max standard error {MaxAbs(se):F4}");
        var observations = rows.Select(r => Observation(Data, r, TextPresence)).ToList();
        var (gradError, gradWhere) = MaxError(mean, exact.ExactGradient(observations));
        _output.WriteLine($"(whole PCD gradient vs exact: {gradError:F4} at {gradWhere})");
        Assert.True(error < 0.03, $"chain statistics are {error} from the exact model expectations ({where})");
    }
}
