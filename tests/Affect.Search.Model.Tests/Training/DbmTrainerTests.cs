using Affect.Search.Compute.Cpu;
using Affect.Search.Model.Configuration;
using Affect.Search.Model.Data;
using Affect.Search.Model.Dbm;
using Affect.Search.Model.Inference;
using Affect.Search.Model.Persistence;
using Affect.Search.Model.Training;

namespace Affect.Search.Model.Tests.Training;

public class DbmTrainerTests
{
    /// <summary>Two modalities, one with two features meeting in a modality joint layer: every kind of node.</summary>
    internal static DbmConfig Small(ulong seed = 3) => DbmConfig.FromJson("""
        {
          "name": "small", "jointSize": 8, "seed": 3,
          "modalities": [
            { "name": "visual", "jointSize": 8, "features": [
              { "name": "hog", "visible": "gaussian", "hidden": [10, 6] },
              { "name": "gist", "visible": "gaussian", "hidden": [10] } ] },
            { "name": "text", "features": [ { "name": "text", "visible": "replicated-softmax", "hidden": [12, 6] } ] }
          ],
          "pretraining": { "epochs": 3, "batchSize": 25 },
          "jointTraining": { "epochs": 2, "batchSize": 25, "chains": 20 }
        }
        """) with { Seed = seed };

    internal static MultimodalDataset Corpus(DbmConfig config, double missing = 0.3, int items = 200)
        => SyntheticMultimodalCorpus.Generate(config, new SyntheticCorpusOptions { Items = items, MissingRate = missing, Seed = 9, GaussianDimension = 12, Vocabulary = 30, WordsPerClass = 4 }).Data;

    [Fact]
    public void Training_is_deterministic_for_a_seed_and_differs_across_seeds()
    {
        var backend = new CpuBackend();
        var data = Corpus(Small());
        string Train(ulong seed)
        {
            using var dbm = DbmTrainer.Train(backend, Small(seed), data);
            return ModelFile.Identity(dbm);
        }
        Assert.Equal(Train(3), Train(3));
        Assert.NotEqual(Train(3), Train(4));
    }

    [Fact]
    public void Parallel_and_sequential_pretraining_give_the_same_model()
    {
        var backend = new CpuBackend();
        var data = Corpus(Small());
        var parallel = Small();
        var sequential = parallel with { Pretraining = parallel.Pretraining with { Parallel = false } };
        using var a = DbmTrainer.Train(backend, parallel, data);
        using var b = DbmTrainer.Train(backend, sequential, data);
        Assert.Equal(a.Nodes.Select(n => n.Weights?.ToArray()), b.Nodes.Select(n => n.Weights?.ToArray()));
    }

    [Fact]
    public void The_network_follows_the_config()
    {
        using var dbm = DbmTrainer.Train(new CpuBackend(), Small() with { Pretraining = Small().Pretraining with { Epochs = 0 }, JointTraining = Small().JointTraining with { Epochs = 0 } }, Corpus(Small()));
        Assert.Equal(new[] { "hog", "gist", "text" }, dbm.Visibles.Select(v => v.Name));
        Assert.Equal("visual.joint", dbm.Node("hog.h2").Parent!.Name);
        Assert.Equal("visual.joint", dbm.Node("gist.h1").Parent!.Name);
        Assert.Equal("joint", dbm.Node("text.h2").Parent!.Name);
        Assert.Equal(5f, dbm.Node("text.h1").BiasScale);
        Assert.Equal(1f, dbm.Node("hog.h1").BiasScale);
        Assert.Equal(12, dbm.Node("hog").Size);
        Assert.Equal(30, dbm.Node("text").Size);
        Assert.Equal(4, dbm.Node("hog").Depth);
        // Bottom-up order: every layer comes after its children.
        foreach (var n in dbm.Nodes) Assert.All(n.Children, c => Assert.True(c.Index < n.Index));
    }

    [Fact]
    public void Items_lacking_a_modality_are_used_and_every_layer_is_reported()
    {
        var events = new List<TrainingEvent>();
        var config = Small();
        using var dbm = DbmTrainer.Train(new CpuBackend(), config, Corpus(config, missing: 0.5), onEvent: events.Add);
        Assert.Equal(dbm.Hiddens.Count * config.Pretraining.Epochs, events.Count(e => e.Stage == "pretrain"));
        Assert.Equal(config.JointTraining.Epochs, events.Count(e => e.Stage == "joint"));
        Assert.All(events, e => Assert.DoesNotContain("NaN", e.ToJsonLine()));
        Assert.All(dbm.Nodes, n => Assert.All(n.Bias.ToArray(), x => Assert.True(float.IsFinite(x))));
    }

    [Fact]
    public void The_mdbm_preset_concatenates_visual_features_into_one_pathway()
    {
        var config = Presets.Load("mdbm-cpu") with
        {
            Pretraining = Presets.Load("mdbm-cpu").Pretraining with { Epochs = 1 },
            JointTraining = Presets.Load("mdbm-cpu").JointTraining with { Epochs = 1 },
        };
        var data = SyntheticMultimodalCorpus.Generate(config, new SyntheticCorpusOptions { Items = 120, GaussianDimension = 6 }).Data;
        using var dbm = DbmTrainer.Train(new CpuBackend(), config, data);
        Assert.Equal(5 * 6, dbm.Node("visual").Size);
        var embedded = new MeanFieldInference(dbm).Infer(data.Only("dsift", "gist", "hog", "lbp", "ssim"));
        Assert.Equal(120 * dbm.EmbeddingSize, embedded.Joint.Length);
        var e = Assert.Throws<ArgumentException>(() => new MeanFieldInference(dbm).Infer(new MultimodalDataset(1,
            new Dictionary<string, VisibleData> { ["hog"] = new DenseVisibleData(new float[7], 1, 7), ["dsift"] = new DenseVisibleData(new float[6], 1, 6),
                ["gist"] = new DenseVisibleData(new float[6], 1, 6), ["lbp"] = new DenseVisibleData(new float[6], 1, 6), ["ssim"] = new DenseVisibleData(new float[6], 1, 6) })));
        Assert.Contains("31 dimensions together", e.Message);
    }

    [Fact]
    public void Inference_on_one_model_from_many_threads_matches_sequential_inference()
    {
        var config = Small();
        var data = Corpus(config);
        using var dbm = DbmTrainer.Train(new CpuBackend(), config, data);
        var inference = new MeanFieldInference(dbm);
        var views = new[] { data, data.Only("text"), data.Only("hog", "gist"), data.Only("hog") };
        var expected = views.Select(v => inference.Infer(v, new InferenceOptions { BatchSize = 64 }).Joint).ToArray();
        var results = new float[16][];
        Parallel.For(0, 16, new ParallelOptions { MaxDegreeOfParallelism = 8 }, i => results[i] = inference.Infer(views[i % 4], new InferenceOptions { BatchSize = 64 }).Joint);
        for (int i = 0; i < 16; i++) Assert.Equal(expected[i % 4], results[i]);
    }

    [Fact]
    public void Batch_size_does_not_change_embeddings()
    {
        var config = Small();
        var data = Corpus(config);
        using var dbm = DbmTrainer.Train(new CpuBackend(), config, data);
        var inference = new MeanFieldInference(dbm);
        var one = inference.Infer(data.Only("text"), new InferenceOptions { BatchSize = 1 }).Joint;
        var many = inference.Infer(data.Only("text"), new InferenceOptions { BatchSize = 77 }).Joint;
        Assert.Equal(one.Length, many.Length);
        for (int i = 0; i < one.Length; i++) Assert.Equal(one[i], many[i], 5);
    }

    [Fact]
    public void Inference_returns_requested_layers_and_reconstructions_in_raw_units()
    {
        var config = Small();
        var data = Corpus(config, missing: 0);
        // Move "hog" far from standardised units (mean 50, spread x4), so a reconstruction left
        // standardised cannot pass for one in the data's units.
        var raw = (DenseVisibleData)data.Features["hog"];
        for (int i = 0; i < raw.Values.Length; i++) raw.Values[i] = 50f + 4f * raw.Values[i];
        using var dbm = DbmTrainer.Train(new CpuBackend(), config, data);
        var result = new MeanFieldInference(dbm).Infer(data.Only("hog", "gist"), new InferenceOptions { Layers = new[] { "visual.joint", "text.h1" }, Reconstruct = true });
        Assert.Equal(data.Count * 8, result.Layers["visual.joint"].Length);
        Assert.Equal(data.Count * 12, result.Layers["text.h1"].Length);
        Assert.All(result.Layers["text.h1"], x => Assert.InRange(x, 0f, 1f));
        // The inferred text is a word distribution per item.
        var words = result.Reconstructions["text"];
        for (int i = 0; i < data.Count; i++) Assert.Equal(1.0, words.AsSpan(i * 30, 30).ToArray().Sum(x => (double)x), 3);
        // Gaussian reconstructions are back in the data's units: their mean is near the data's mean.
        var hog = (DenseVisibleData)data.Features["hog"];
        double dataMean = hog.Values.Average(x => (double)x), reconMean = result.Reconstructions["hog"].Average(x => (double)x);
        Assert.InRange(reconMean, dataMean - 2, dataMean + 2);
        Assert.Throws<ArgumentException>(() => new MeanFieldInference(dbm).Infer(data, new InferenceOptions { Layers = new[] { "hog" } }));
    }
}
