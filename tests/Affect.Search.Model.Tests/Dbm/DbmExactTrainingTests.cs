using Affect.Search.Compute;
using Affect.Search.Compute.Cpu;
using Affect.Search.Model.Configuration;
using Affect.Search.Model.Dbm;
using Affect.Search.Model.Inference;
using Affect.Search.Model.Layers;
using Affect.Search.Model.Training;
using Xunit.Abstractions;
using static Affect.Search.Model.Tests.Dbm.DbmTestKit;

namespace Affect.Search.Model.Tests.Dbm;

/// <summary>
/// Joint PCD training of a tiny binary DBM judged by its exact log-likelihood (enumeration): training
/// from a small random start must climb towards what exact gradient ascent reaches, and training a
/// model that already sits at the exact maximum-likelihood point must leave it close to that point, and
/// joint training after greedy pretraining must raise the exact likelihood of the pretrained model.
/// </summary>
public sealed class DbmExactTrainingTests : IDisposable
{
    private readonly CpuBackend _backend = new();
    private readonly ITestOutputHelper _output;

    public DbmExactTrainingTests(ITestOutputHelper output) => _output = output;

    public void Dispose() => _backend.Dispose();

    private static readonly Dictionary<string, double[][]> Data = new()
    {
        ["a"] =
        [
            [1, 1, 0, 0],
            [1, 1, 1, 0],
            [0, 0, 1, 1],
            [1, 1, 0, 0],
            [0, 1, 1, 1],
            [0, 0, 1, 1],
        ],
    };

    private static List<IReadOnlyDictionary<string, double[]>> Observations()
        => Enumerable.Range(0, Data["a"].Length).Select(r => Observation(Data, r)).ToList();

    private static double LogLikelihood(MultimodalDbm dbm) => ExactDbm.FromModel(dbm).MeanLogLikelihood(Observations());

    /// <summary>Plain exact gradient ascent on the model's own parameters.</summary>
    private static void ExactAscent(MultimodalDbm dbm, int steps, float rate)
    {
        for (int s = 0; s < steps; s++)
        {
            var g = ExactDbm.FromModel(dbm).ExactGradient(Observations());
            foreach (var n in dbm.Nodes)
            {
                var b = n.Bias.ToArray();
                for (int i = 0; i < b.Length; i++) b[i] += rate * (float)g.Bias[n.Name][i];
                dbm.Backend.Upload(b, n.Bias);
                if (n.Weights is null) continue;
                var w = n.Weights.ToArray();
                for (int i = 0; i < w.Length; i++) w[i] += rate * (float)g.Weights[n.Name]![i];
                dbm.Backend.Upload(w, n.Weights);
            }
        }
    }

    private static JointTrainingConfig Joint(int epochs, float rate) => new()
    {
        Epochs = epochs,
        BatchSize = 6,
        Chains = 500,
        GibbsSweeps = 1,
        MeanFieldIterations = 10,
        LearningRate = rate,
        LearningRateDecay = 0f,
        Momentum = 0.5f,
        WeightDecay = 0f,
    };

    // Learning-quality bounds must hold for every seed, not for one lucky draw: each test runs three
    // (the start's randomisation and the chains' stream).
    [Theory]
    [InlineData(101ul, 3ul)]
    [InlineData(111ul, 13ul)]
    [InlineData(121ul, 23ul)]
    public void Pcd_training_climbs_the_exact_log_likelihood(ulong startSeed, ulong chainSeed)
    {
        using var dbm = MultimodalDbm.Create(_backend, OnePathway());
        Randomise(dbm, 0.1f, 0.1f, startSeed);
        using var reference = MultimodalDbm.Create(_backend, OnePathway());
        Randomise(reference, 0.1f, 0.1f, startSeed);
        double start = LogLikelihood(dbm);
        var prepared = dbm.Prepare(Dataset(Data));
        using (var pcd = new PersistentContrastiveDivergence(dbm, Joint(400, 0.05f), chainSeed))
            pcd.Train(prepared, null);
        double trained = LogLikelihood(dbm);
        // Exact ascent with the effective step of momentum 0.5 (rate / (1 - momentum)).
        ExactAscent(reference, 400, 0.1f);
        double exact = LogLikelihood(reference);
        _output.WriteLine($"seeds {startSeed}/{chainSeed}: mean log-likelihood: start {start:F4}, after PCD {trained:F4}, after exact ascent {exact:F4} (uniform: {-4 * Math.Log(2):F4})");
        Assert.True(trained > start + 0.5 * (exact - start), $"PCD training reached {trained:F4} from {start:F4}; exact ascent reaches {exact:F4}");
    }

    [Theory]
    [InlineData(103ul, 5ul)]
    [InlineData(113ul, 15ul)]
    [InlineData(123ul, 25ul)]
    public void Pcd_training_keeps_a_model_at_the_maximum_likelihood_point_close_to_it(ulong startSeed, ulong chainSeed)
    {
        using var dbm = MultimodalDbm.Create(_backend, OnePathway());
        Randomise(dbm, 0.5f, 0.1f, startSeed);
        ExactAscent(dbm, 3000, 0.2f);
        double optimum = LogLikelihood(dbm);
        var gradientAtOptimum = MaxAbs(ExactDbm.FromModel(dbm).ExactGradient(Observations()));
        var prepared = dbm.Prepare(Dataset(Data));
        var trajectory = new List<double>();
        using (var pcd = new PersistentContrastiveDivergence(dbm, Joint(1, 0.005f) with { Chains = 2000 }, chainSeed))
        using (var batch = new MeanFieldBatch(dbm, prepared, Enumerable.Range(0, 6).ToArray()))
        {
            pcd.EstimateGradient(batch, prepared); // starts the chains
            for (int round = 0; round < 10; round++)
            {
                for (int step = 0; step < 100; step++) pcd.Step(batch, 0.005f);
                trajectory.Add(LogLikelihood(dbm));
            }
        }
        _output.WriteLine($"seeds {startSeed}/{chainSeed}: exact optimum {optimum:F4} (max |gradient| {gradientAtOptimum:E1}); after PCD rounds: {string.Join(", ", trajectory.Select(x => x.ToString("F4")))}");
        // What it may lose: the mean-field data half's bias and the chains' noise, a few hundredths of a nat here.
        Assert.True(trajectory.Min() > optimum - 0.05, $"PCD training moved the model from log-likelihood {optimum:F4} down to {trajectory.Min():F4}");
        Assert.True(trajectory.Average() > optimum - 0.03, $"PCD training holds the model at {trajectory.Average():F4} on average, the optimum is {optimum:F4}");
    }

    /// <summary>
    /// Binary "a" (4 - [3]) and Gaussian "g" (3 - [3]) meeting in joint(2), pretrained greedily on 300 items with
    /// planted structure (three binary prototypes with 10% flips; g linear in the prototype plus noise), then
    /// trained jointly with the default PCD settings at a larger learning rate: the exact log-likelihood
    /// (binary layers enumerated, g integrated out) must go up from the pretrained model, epoch after epoch.
    /// </summary>
    [Theory]
    [InlineData(5ul, 1ul, 9ul)]
    [InlineData(6ul, 2ul, 10ul)]
    [InlineData(7ul, 3ul, 11ul)]
    public void Joint_training_after_greedy_pretraining_raises_the_exact_log_likelihood(ulong dataSeed, ulong modelSeed, ulong chainSeed)
    {
        var random = new RandomStream(dataSeed);
        double Normal() => Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
        var prototypes = new[] { new double[] { 1, 1, 0, 0, 1 }, [0, 0, 1, 1, 0], [1, 0, 1, 0, 1] };
        const int n = 300;
        var rows = new double[n][];
        for (int i = 0; i < n; i++) rows[i] = prototypes[random.NextInt(3)].Select(x => random.NextDouble() < 0.1 ? 1 - x : x).ToArray();
        var features = new Dictionary<string, double[][]>
        {
            ["a"] = rows.Select(r => r.Take(4).ToArray()).ToArray(),
            ["g"] = rows.Select(r => new[] { 2 * r[0] - r[2] + 0.5 * Normal(), r[1] + r[3] + 0.5 * Normal(), -r[4] + 0.7 * Normal() }).ToArray(),
        };
        var observations = Enumerable.Range(0, n).Select(r => Observation(features, r)).ToList();
        var config = new DbmConfig
        {
            Name = "exact-pretrained",
            JointSize = 2,
            Seed = modelSeed,
            Modalities =
            {
                Modality("a", 4, 3),
                new ModalityConfig { Name = "g", Features = { new FeatureConfig { Name = "g", Visible = UnitKind.Gaussian, InputSize = 3, Hidden = { 3 } } } },
            },
        };
        using var dbm = MultimodalDbm.Create(_backend, config);
        // The Gaussian standardisation stays the identity (not fitted), so the exact model sees the data as the layers do.
        var prepared = dbm.Prepare(Dataset(features));
        double initial = ExactDbm.FromModel(dbm).MeanLogLikelihood(observations);
        new GreedyPretrainer(dbm, new PretrainingConfig { Epochs = 30, BatchSize = 20 }).Pretrain(prepared, null, _ => { });
        double pretrained = ExactDbm.FromModel(dbm).MeanLogLikelihood(observations);
        var trajectory = new List<double>();
        using (var pcd = new PersistentContrastiveDivergence(dbm, new JointTrainingConfig { Epochs = 1, LearningRate = 0.01f }, chainSeed))
        {
            for (int epoch = 0; epoch < 10; epoch++)
            {
                pcd.Train(prepared, null);
                trajectory.Add(ExactDbm.FromModel(dbm).MeanLogLikelihood(observations));
            }
        }
        _output.WriteLine($"seeds {dataSeed}/{modelSeed}/{chainSeed}: mean log-likelihood: initial {initial:F4}, pretrained {pretrained:F4}, joint epochs: {string.Join(", ", trajectory.Select(x => x.ToString("F4")))}");
        Assert.True(pretrained > initial + 0.5, "pretraining did not learn the planted structure");
        Assert.True(trajectory.Min() > pretrained - 0.01, $"joint training lowered the exact log-likelihood of the pretrained model to {trajectory.Min():F4} (pretrained {pretrained:F4})");
        Assert.True(trajectory[^1] > pretrained + 0.05, $"joint training barely moved the exact log-likelihood: {pretrained:F4} -> {trajectory[^1]:F4}");
    }
}
