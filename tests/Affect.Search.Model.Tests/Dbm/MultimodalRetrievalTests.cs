using Affect.Search.Compute.Cpu;
using Affect.Search.Evaluation.Retrieval;
using Affect.Search.Model.Configuration;
using Affect.Search.Model.Data;
using Affect.Search.Model.Dbm;
using Affect.Search.Model.Inference;
using Affect.Search.Model.Training;
using Xunit.Abstractions;

namespace Affect.Search.Model.Tests.Dbm;

/// <summary>
/// The cpu preset trained on a synthetic corpus with planted cross-modal structure: text-only queries
/// must find visual-only references of their class, and text inferred from visual input must be the
/// class's words. One trained model is shared by the tests of this class.
/// </summary>
public sealed class MultimodalRetrievalTests : IClassFixture<MultimodalRetrievalTests.TrainedCpuPreset>
{
    private readonly TrainedCpuPreset _fixture;
    private readonly ITestOutputHelper _output;

    public MultimodalRetrievalTests(TrainedCpuPreset fixture, ITestOutputHelper output)
    {
        _fixture = fixture;
        _output = output;
    }

    /// <summary>
    /// The cpu preset trained on synthetic corpora: run s draws the corpus with seed 10 + s and trains with seed s.
    /// Run 1 is trained up front (every test uses it); the learning-quality tests also ask for runs 2 and 3, each
    /// trained once when first asked for, so that their bounds are known to hold for more than one draw.
    /// </summary>
    public sealed class TrainedCpuPreset : IDisposable
    {
        private readonly Dictionary<ulong, TrainedRun> _runs = new();
        private readonly object _gate = new();

        public TrainedCpuPreset()
        {
            Backend = new CpuBackend();
            var first = Run(1);
            (TrainData, TestData, TestClasses, ClassWords, Events, Dbm) = (first.TrainData, first.TestData, first.TestClasses, first.ClassWords, first.Events, first.Dbm);
        }

        public CpuBackend Backend { get; }
        public MultimodalDataset TrainData { get; }
        public MultimodalDataset TestData { get; }
        public int[] TestClasses { get; }
        public IReadOnlyList<int[]> ClassWords { get; }
        public List<TrainingEvent> Events { get; }
        public MultimodalDbm Dbm { get; }

        /// <summary>Run <paramref name="seed"/>, trained on first use.</summary>
        public TrainedRun Run(ulong seed)
        {
            lock (_gate)
            {
                if (!_runs.TryGetValue(seed, out var run)) _runs[seed] = run = TrainedRun.Train(Backend, seed);
                return run;
            }
        }

        public void Dispose()
        {
            foreach (var run in _runs.Values) run.Dbm.Dispose();
        }
    }

    public sealed record TrainedRun(MultimodalDataset TrainData, MultimodalDataset TestData, int[] TestClasses,
        IReadOnlyList<int[]> ClassWords, List<TrainingEvent> Events, MultimodalDbm Dbm)
    {
        public static TrainedRun Train(CpuBackend backend, ulong seed)
        {
            var config = Presets.Load("cpu") with { Seed = seed };
            // Training and test items come from one draw so that they share the class prototypes.
            var all = SyntheticMultimodalCorpus.Generate(config, new SyntheticCorpusOptions { Items = 2100, Seed = 10 + seed, MissingRate = 0 });
            var trainRows = Enumerable.Range(0, 1500).ToArray();
            var testRows = Enumerable.Range(1500, 600).ToArray();
            var train = all.Data.Select(trainRows);
            var events = new List<TrainingEvent>();
            var dbm = DbmTrainer.Train(backend, config, train, onEvent: events.Add);
            return new TrainedRun(train, all.Data.Select(testRows), testRows.Select(r => all.Classes[r]).ToArray(), all.ClassWords, events, dbm);
        }
    }

    private static readonly string[] VisualFeatures = { "dsift", "gist", "hog", "lbp", "ssim" };

    [Theory]
    [InlineData(1ul)]
    [InlineData(2ul)]
    [InlineData(3ul)]
    public void Text_queries_find_visual_only_references_of_their_class(ulong seed)
    {
        var f = _fixture.Run(seed);
        var inference = new MeanFieldInference(f.Dbm);
        var queries = Enumerable.Range(0, 200).ToArray();
        var references = Enumerable.Range(200, 400).ToArray();
        var q = inference.Infer(f.TestData.Select(queries).Only("text"));
        var r = inference.Infer(f.TestData.Select(references).Only(VisualFeatures));
        double map = RetrievalMetricsForClasses.MeanAveragePrecisionAt20(q.Joint, queries.Select(i => f.TestClasses[i]).ToArray(),
            r.Joint, references.Select(i => f.TestClasses[i]).ToArray(), f.Dbm.EmbeddingSize);
        double chance = RetrievalMetricsForClasses.ChanceMapAt20(references.Select(i => f.TestClasses[i]).ToArray(), queries.Select(i => f.TestClasses[i]).ToArray());
        _output.WriteLine($"seed {seed}: text -> DB-V MAP@20 = {map:F3} (chance about {chance:F3})");
        Assert.True(map > chance + 0.3, $"MAP@20 {map:F3} is not well above chance {chance:F3}");
    }

    [Theory]
    [InlineData(1ul)]
    [InlineData(2ul)]
    [InlineData(3ul)]
    public void Text_inferred_from_visual_input_is_mostly_the_class_words(ulong seed)
    {
        var f = _fixture.Run(seed);
        var inference = new MeanFieldInference(f.Dbm);
        var rows = Enumerable.Range(0, 200).ToArray();
        var result = inference.Infer(f.TestData.Select(rows).Only(VisualFeatures), new InferenceOptions { Reconstruct = true });
        var words = result.Reconstructions["text"];
        int vocab = f.Dbm.Node("text").Size;
        double classMass = 0, total = 0;
        for (int i = 0; i < rows.Length; i++)
        {
            var dist = words.AsSpan(i * vocab, vocab);
            foreach (var w in f.ClassWords[f.TestClasses[rows[i]]]) classMass += dist[w];
            for (int k = 0; k < vocab; k++) total += dist[k];
        }
        double share = classMass / rows.Length;
        _output.WriteLine($"seed {seed}: mass on the class's words: {share:F3} (uniform would give {f.ClassWords[0].Length / (double)vocab:F3})");
        Assert.Equal(rows.Length, total, 1e-2); // each inferred word distribution sums to 1
        Assert.True(share > 0.5, $"only {share:F3} of the inferred text's probability is on the class's words");
    }

    [Theory]
    [InlineData(1ul)]
    [InlineData(2ul)]
    [InlineData(3ul)]
    public void Both_missing_modality_policies_retrieve_well_above_chance(ulong seed)
    {
        // The paper finds inferring missing modalities better than skipping their pathways; on this
        // synthetic data which one wins depends on the seed, so only their usefulness is asserted.
        var f = _fixture.Run(seed);
        var inference = new MeanFieldInference(f.Dbm);
        var queries = Enumerable.Range(0, 200).ToArray();
        var references = Enumerable.Range(200, 400).ToArray();
        var refClasses = references.Select(i => f.TestClasses[i]).ToArray();
        var qClasses = queries.Select(i => f.TestClasses[i]).ToArray();
        double Map(MissingModalityPolicy policy)
        {
            var o = new InferenceOptions { Policy = policy };
            var q = inference.Infer(f.TestData.Select(queries).Only("text"), o);
            var r = inference.Infer(f.TestData.Select(references).Only(VisualFeatures), o);
            return RetrievalMetricsForClasses.MeanAveragePrecisionAt20(q.Joint, qClasses, r.Joint, refClasses, f.Dbm.EmbeddingSize);
        }
        double infer = Map(MissingModalityPolicy.Infer), skip = Map(MissingModalityPolicy.Skip);
        double chance = RetrievalMetricsForClasses.ChanceMapAt20(refClasses, qClasses);
        _output.WriteLine($"seed {seed}: infer {infer:F3} skip {skip:F3} chance {chance:F3}");
        Assert.True(infer > chance + 0.3, $"inferring: MAP@20 {infer:F3} vs chance {chance:F3}");
        Assert.True(skip > chance + 0.3, $"skipping: MAP@20 {skip:F3} vs chance {chance:F3}");
    }

    [Fact]
    public void Training_reports_every_rbm_epoch_and_the_joint_epochs()
    {
        var f = _fixture;
        var config = f.Dbm.Config;
        int pretrainEvents = f.Events.Count(e => e.Stage == "pretrain");
        Assert.Equal(f.Dbm.Hiddens.Count * config.Pretraining.Epochs, pretrainEvents);
        var joint = f.Events.Where(e => e.Stage == "joint").ToList();
        Assert.Equal(config.JointTraining.Epochs, joint.Count);
        Assert.All(joint, e => Assert.True(double.IsFinite(e.Metrics["reconstructionErrorTrain"])));
        Assert.All(f.Events.Where(e => e.Stage == "pretrain"), e => Assert.True(double.IsFinite(e.Metrics["freeEnergyGap"])));
        // Pretraining of each first hidden layer lowers its reconstruction error.
        foreach (var layer in f.Dbm.Visibles.Select(v => v.Parent!.Name))
        {
            var errors = f.Events.Where(e => e.Stage == "pretrain" && e.Layer == layer).Select(e => e.Metrics["reconstructionError"]).ToList();
            Assert.True(errors[^1] < errors[0], $"{layer}: reconstruction error went from {errors[0]} to {errors[^1]}");
        }
    }
}

/// <summary>MAP@20 with class labels through the engine's exact cosine ranking.</summary>
internal static class RetrievalMetricsForClasses
{
    public static double MeanAveragePrecisionAt20(float[] queries, int[] queryClasses, float[] references, int[] referenceClasses, int dim)
        => new CosineRanking(references, dim).MeanAveragePrecisionAt20(queries, Labels(queryClasses), Labels(referenceClasses));

    public static double ChanceMapAt20(int[] referenceClasses, int[] queryClasses)
        => queryClasses.Average(c => RetrievalMetrics.ExpectedRandomAveragePrecisionAt20(referenceClasses.Length, referenceClasses.Count(r => r == c)));

    private static IReadOnlyList<IReadOnlySet<string>> Labels(int[] classes) => classes.Select(c => (IReadOnlySet<string>)new HashSet<string> { c.ToString() }).ToList();
}
