using Affect.Search.Compute.Cpu;
using Affect.Search.Model.Dbm;
using Affect.Search.Model.Inference;
using Xunit.Abstractions;
using static Affect.Search.Model.Tests.Dbm.DbmTestKit;

namespace Affect.Search.Model.Tests.Dbm;

/// <summary>
/// Mean-field inference of tiny binary DBMs against brute-force enumeration (<see cref="ExactDbm"/>):
/// the result is a fixed point of the exact conditional means, it approaches the exact posterior
/// marginals at small weights, and a missing modality is inferred (or skipped) as the exact model says.
/// </summary>
public sealed class DbmExactMeanFieldTests : IDisposable
{
    private readonly CpuBackend _backend = new();
    private readonly ITestOutputHelper _output;

    public DbmExactMeanFieldTests(ITestOutputHelper output) => _output = output;

    public void Dispose() => _backend.Dispose();

    private static readonly double[][] V4 =
    [
        [1, 1, 0, 0],
        [0, 0, 1, 1],
        [1, 0, 1, 0],
        [1, 1, 1, 0],
        [0, 0, 0, 0],
        [0, 1, 1, 1],
    ];

    private static readonly double[][] A3 = [[1, 1, 0], [0, 0, 1], [1, 0, 1], [0, 0, 0]];
    private static readonly double[][] B3 = [[0, 1, 1], [1, 0, 0], [1, 1, 1], [0, 1, 0]];

    [Theory]
    [InlineData(0.5f)]
    [InlineData(1.0f)]
    public void Mean_field_is_a_fixed_point_of_the_exact_conditional_means(float std)
    {
        using var dbm = MultimodalDbm.Create(_backend, OnePathway());
        Randomise(dbm, std, std, 21);
        var features = new Dictionary<string, double[][]> { ["a"] = V4 };
        var rows = Enumerable.Range(0, V4.Length).ToArray();
        var prepared = dbm.Prepare(Dataset(features));
        using var batch = new MeanFieldBatch(dbm, prepared, rows);
        using var state = new MeanFieldInference(dbm).Run(batch, 50);
        var values = Values(dbm, batch, state, features, rows);
        double worst = 0;
        foreach (var h in dbm.Hiddens)
            for (int r = 0; r < rows.Length; r++)
                worst = Math.Max(worst, TestUtil.MaxAbsDiff(values[h][r], ConditionalMean(h, values, r)));
        _output.WriteLine($"std {std}: max |mu - sigma(inputs from both neighbours)| = {worst:E2}");
        Assert.True(worst < 1e-4, $"mean-field is not a fixed point: {worst}");
    }

    [Fact]
    public void Mean_field_with_a_missing_modality_is_a_fixed_point_including_the_inferred_visibles()
    {
        using var dbm = MultimodalDbm.Create(_backend, TwoPathways());
        Randomise(dbm, 0.5f, 0.5f, 23);
        var features = new Dictionary<string, double[][]> { ["a"] = A3, ["b"] = B3 };
        var present = new Dictionary<string, bool[]> { ["b"] = [true, false, true, false] };
        var rows = Enumerable.Range(0, A3.Length).ToArray();
        var prepared = dbm.Prepare(Dataset(features, present));
        using var batch = new MeanFieldBatch(dbm, prepared, rows);
        using var state = new MeanFieldInference(dbm).Run(batch, 50);
        var values = Values(dbm, batch, state, features, rows);
        double worst = 0;
        foreach (var n in dbm.Nodes)
            for (int r = 0; r < rows.Length; r++)
            {
                if (n.IsVisible && batch.Present(n)[r]) continue;
                worst = Math.Max(worst, TestUtil.MaxAbsDiff(values[n][r], ConditionalMean(n, values, r)));
            }
        _output.WriteLine($"max |mu - sigma(inputs)| over hidden layers and missing visibles = {worst:E2}");
        Assert.True(worst < 1e-4, $"mean-field is not a fixed point: {worst}");
    }

    [Fact]
    public void Mean_field_posteriors_match_exact_posterior_marginals_at_small_weights()
    {
        using var dbm = MultimodalDbm.Create(_backend, OnePathway());
        Randomise(dbm, 0.1f, 0.5f, 31);
        var exact = ExactDbm.FromModel(dbm);
        var features = new Dictionary<string, double[][]> { ["a"] = V4 };
        var rows = Enumerable.Range(0, V4.Length).ToArray();
        using var batch = new MeanFieldBatch(dbm, dbm.Prepare(Dataset(features)), rows);
        using var state = new MeanFieldInference(dbm).Run(batch, 50);
        double worst = 0;
        foreach (var name in new[] { "a.h1", "joint" })
        {
            var mu = Rows(state[dbm.Node(name)]);
            for (int r = 0; r < rows.Length; r++)
                worst = Math.Max(worst, TestUtil.MaxAbsDiff(mu[r], exact.Expectations(Observation(features, r)).Mean[name]));
        }
        _output.WriteLine($"max |mean-field - exact E[h | v]| = {worst:E2}");
        Assert.True(worst < 0.01, $"mean-field is {worst} away from the exact posterior marginals");
    }

    /// <summary>
    /// Modality b missing: the joint posterior must be the exact P(joint | v_a) with v_b and its pathway
    /// summed out (Infer), or the posterior of the model without b's pathway (Skip). b.h1 is pushed on
    /// (bias 3) and strongly tied to the joint layer so that the two policies differ clearly.
    /// </summary>
    [Fact]
    public void A_missing_modality_is_marginalised_by_infer_and_removed_by_skip()
    {
        using var dbm = MultimodalDbm.Create(_backend, TwoPathways());
        Randomise(dbm, 0.1f, 0.3f, 41);
        SetBias(dbm, "b.h1", 3f, 3f);
        SetWeights(dbm, "b.h1", 0.8f);
        var full = ExactDbm.FromModel(dbm);
        var withoutB = ExactDbm.FromModel(dbm, "b", "b.h1");
        var rows = Enumerable.Range(0, A3.Length).ToArray();
        var onlyA = new Dictionary<string, double[][]> { ["a"] = A3 };
        // b is in the data set for some rows (filled with data that must be ignored where absent) or not at all.
        var withB = new Dictionary<string, double[][]> { ["a"] = A3, ["b"] = B3 };
        var presence = new Dictionary<string, bool[]> { ["b"] = [true, false, true, false] };
        var inference = new MeanFieldInference(dbm);

        double Check(IReadOnlyDictionary<string, double[][]> features, IReadOnlyDictionary<string, bool[]>? present, MissingModalityPolicy policy, string label)
        {
            using var batch = new MeanFieldBatch(dbm, dbm.Prepare(Dataset(features, present)), rows);
            using var state = inference.Run(batch, 50, policy);
            var joint = Rows(state[dbm.Joint]);
            double worst = 0;
            for (int r = 0; r < rows.Length; r++)
            {
                var observation = Observation(features, r, present);
                var model = policy == MissingModalityPolicy.Skip && !observation.ContainsKey("b") ? withoutB : full;
                var expected = model.Expectations(observation).Mean["joint"];
                _output.WriteLine($"{label} row {r} ({string.Join("+", observation.Keys)}): mean-field [{string.Join(", ", joint[r].Select(x => x.ToString("F4")))}] exact [{string.Join(", ", expected.Select(x => x.ToString("F4")))}]");
                worst = Math.Max(worst, TestUtil.MaxAbsDiff(joint[r], expected));
            }
            return worst;
        }

        double inferAbsent = Check(onlyA, null, MissingModalityPolicy.Infer, "infer, b not in data");
        double inferMixed = Check(withB, presence, MissingModalityPolicy.Infer, "infer, b absent in rows 1, 3");
        double skipAbsent = Check(onlyA, null, MissingModalityPolicy.Skip, "skip, b not in data");
        double skipMixed = Check(withB, presence, MissingModalityPolicy.Skip, "skip, b absent in rows 1, 3");
        // The two policies must differ here, or the comparison above would not tell them apart.
        double gap = 0;
        for (int r = 0; r < rows.Length; r++)
            gap = Math.Max(gap, TestUtil.MaxAbsDiff(full.Expectations(Observation(onlyA, r)).Mean["joint"], withoutB.Expectations(Observation(onlyA, r)).Mean["joint"]));
        _output.WriteLine($"max error: infer {inferAbsent:F4} / {inferMixed:F4}, skip {skipAbsent:F4} / {skipMixed:F4}; exact infer-vs-skip gap {gap:F3}");
        Assert.True(gap > 0.1, $"the test model does not separate the policies (gap {gap})");
        Assert.True(inferAbsent < 0.02, $"Infer (b not in data) is {inferAbsent} from the exact marginal posterior");
        Assert.True(inferMixed < 0.02, $"Infer (b absent in some rows) is {inferMixed} from the exact posterior");
        Assert.True(skipAbsent < 0.02, $"Skip (b not in data) is {skipAbsent} from the exact posterior without b's pathway");
        Assert.True(skipMixed < 0.02, $"Skip (b absent in some rows) is {skipMixed} from the exact posterior");
    }
}
