using Affect.Search.Compute.Cpu;
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

    public sealed class TrainedCpuPreset : IDisposable
    {
        public TrainedCpuPreset()
        {
            Backend = new CpuBackend();
            var config = Presets.Load("cpu");
            Train = SyntheticMultimodalCorpus.Generate(config, new SyntheticCorpusOptions { Items = 1500, Seed = 11, MissingRate = 0.2 });
            Test = SyntheticMultimodalCorpus.Generate(config, new SyntheticCorpusOptions { Items = 600, Seed = 11 + 1000 });
            // The test set must share the training set's class prototypes: regenerate both from one draw.
            var all = SyntheticMultimodalCorpus.Generate(config, new SyntheticCorpusOptions { Items = 2100, Seed = 11, MissingRate = 0 });
            var trainRows = Enumerable.Range(0, 1500).ToArray();
            var testRows = Enumerable.Range(1500, 600).ToArray();
            TrainData = all.Data.Select(trainRows);
            TestData = all.Data.Select(testRows);
            TestClasses = testRows.Select(r => all.Classes[r]).ToArray();
            ClassWords = all.ClassWords;
            Events = new List<TrainingEvent>();
            Dbm = DbmTrainer.Train(Backend, config, TrainData, onEvent: Events.Add);
        }

        public CpuBackend Backend { get; }
        public SyntheticMultimodalCorpus Train { get; }
        public SyntheticMultimodalCorpus Test { get; }
        public MultimodalDataset TrainData { get; }
        public MultimodalDataset TestData { get; }
        public int[] TestClasses { get; }
        public IReadOnlyList<int[]> ClassWords { get; }
        public List<TrainingEvent> Events { get; }
        public MultimodalDbm Dbm { get; }

        public void Dispose() => Dbm.Dispose();
    }

    private static readonly string[] VisualFeatures = { "dsift", "gist", "hog", "lbp", "ssim" };

    [Fact]
    public void Text_queries_find_visual_only_references_of_their_class()
    {
        var f = _fixture;
        var inference = new MeanFieldInference(f.Dbm);
        var queries = Enumerable.Range(0, 200).ToArray();
        var references = Enumerable.Range(200, 400).ToArray();
        var q = inference.Infer(f.TestData.Select(queries).Only("text"));
        var r = inference.Infer(f.TestData.Select(references).Only(VisualFeatures));
        double map = RetrievalMetrics.MeanAveragePrecisionAt20(q.Joint, queries.Select(i => f.TestClasses[i]).ToArray(),
            r.Joint, references.Select(i => f.TestClasses[i]).ToArray(), f.Dbm.EmbeddingSize);
        double chance = RetrievalMetrics.ChanceMapAt20(references.Select(i => f.TestClasses[i]).ToArray(), queries.Select(i => f.TestClasses[i]).ToArray());
        _output.WriteLine($"text -> DB-V MAP@20 = {map:F3} (chance about {chance:F3})");
        Assert.True(map > chance + 0.3, $"MAP@20 {map:F3} is not well above chance {chance:F3}");
    }

    [Fact]
    public void Text_inferred_from_visual_input_is_mostly_the_class_words()
    {
        var f = _fixture;
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
        _output.WriteLine($"mass on the class's words: {share:F3} (uniform would give {f.ClassWords[0].Length / (double)vocab:F3})");
        Assert.Equal(rows.Length, total, 1e-2); // each inferred word distribution sums to 1
        Assert.True(share > 0.5, $"only {share:F3} of the inferred text's probability is on the class's words");
    }

    [Fact]
    public void Inferring_missing_modalities_beats_skipping_them_or_at_least_matches()
    {
        var f = _fixture;
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
            return RetrievalMetrics.MeanAveragePrecisionAt20(q.Joint, qClasses, r.Joint, refClasses, f.Dbm.EmbeddingSize);
        }
        double infer = Map(MissingModalityPolicy.Infer), skip = Map(MissingModalityPolicy.Skip);
        _output.WriteLine($"infer {infer:F3} skip {skip:F3}");
        double chance = RetrievalMetrics.ChanceMapAt20(refClasses, qClasses);
        Assert.True(skip > chance, "the skip variant should still retrieve above chance");
        Assert.True(infer >= skip - 0.05, $"inferring ({infer:F3}) should not be worse than skipping ({skip:F3})");
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

/// <summary>MAP@20 as in spec section 5, for tests (cosine similarity, relevance = same class).</summary>
internal static class RetrievalMetrics
{
    public static double MeanAveragePrecisionAt20(float[] queries, int[] queryClasses, float[] references, int[] referenceClasses, int dim)
    {
        var refNorm = Normalise(references, dim);
        var qNorm = Normalise(queries, dim);
        double sum = 0;
        for (int q = 0; q < queryClasses.Length; q++)
        {
            var scores = new (double Score, int Index)[referenceClasses.Length];
            for (int r = 0; r < referenceClasses.Length; r++)
            {
                double s = 0;
                for (int d = 0; d < dim; d++) s += qNorm[q * dim + d] * refNorm[r * dim + d];
                scores[r] = (s, r);
            }
            var ranked = scores.OrderByDescending(x => x.Score).ThenBy(x => x.Index).Take(20).ToArray();
            int relevantTotal = referenceClasses.Count(c => c == queryClasses[q]);
            sum += AveragePrecisionAt20(ranked.Select(x => referenceClasses[x.Index] == queryClasses[q]).ToArray(), relevantTotal);
        }
        return sum / queryClasses.Length;
    }

    public static double AveragePrecisionAt20(bool[] relevantByRank, int relevantTotal)
    {
        if (relevantTotal == 0) return 0;
        double ap = 0;
        int hits = 0;
        for (int k = 0; k < Math.Min(20, relevantByRank.Length); k++)
        {
            if (!relevantByRank[k]) continue;
            hits++;
            ap += hits / (double)(k + 1);
        }
        return ap / Math.Min(relevantTotal, 20);
    }

    /// <summary>Expected MAP@20 of a random ranking, estimated by shuffling (seeded).</summary>
    public static double ChanceMapAt20(int[] referenceClasses, int[] queryClasses)
    {
        var rng = new Random(5);
        double sum = 0;
        const int trials = 20;
        for (int t = 0; t < trials; t++)
            foreach (var qc in queryClasses)
            {
                var order = referenceClasses.OrderBy(_ => rng.Next()).Take(20).Select(c => c == qc).ToArray();
                sum += AveragePrecisionAt20(order, referenceClasses.Count(c => c == qc));
            }
        return sum / (trials * queryClasses.Length);
    }

    private static float[] Normalise(float[] x, int dim)
    {
        var y = (float[])x.Clone();
        for (int i = 0; i < y.Length / dim; i++)
        {
            double n = 0;
            for (int d = 0; d < dim; d++) n += y[i * dim + d] * y[i * dim + d];
            float inv = n > 0 ? (float)(1 / Math.Sqrt(n)) : 0f;
            for (int d = 0; d < dim; d++) y[i * dim + d] *= inv;
        }
        return y;
    }
}
