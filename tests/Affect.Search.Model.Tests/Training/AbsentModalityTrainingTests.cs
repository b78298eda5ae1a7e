using Affect.Search.Compute.Cpu;
using Affect.Search.Model.Configuration;
using Affect.Search.Model.Data;
using Affect.Search.Model.Inference;
using Affect.Search.Model.Persistence;
using Affect.Search.Model.Training;

namespace Affect.Search.Model.Tests.Training;

/// <summary>
/// Training on data that lacks a configured modality (issue 10: image+text pairs with the cpu preset stopped
/// with "feature 'audio' has no inputSize"): the pathways the data has are trained, the others are left out
/// and recorded in the model's configuration.
/// </summary>
public class AbsentModalityTrainingTests
{
    /// <summary>Three modalities like the cpu preset, small enough to train in a second.</summary>
    private static DbmConfig ThreeModalities() => DbmConfig.FromJson("""
        {
          "name": "three", "jointSize": 8, "seed": 5,
          "modalities": [
            { "name": "visual", "jointSize": 8, "features": [
              { "name": "hog", "visible": "gaussian", "hidden": [10, 6] },
              { "name": "gist", "visible": "gaussian", "hidden": [10, 6] } ] },
            { "name": "audio", "features": [ { "name": "audio", "visible": "gaussian", "hidden": [10, 6] } ] },
            { "name": "text", "features": [ { "name": "text", "visible": "replicated-softmax", "hidden": [12, 6] } ] }
          ],
          "pretraining": { "epochs": 2, "batchSize": 25 },
          "jointTraining": { "epochs": 2, "batchSize": 25, "chains": 20 }
        }
        """);

    private static MultimodalDataset Corpus(DbmConfig config, params string[] keep)
        => SyntheticMultimodalCorpus.Generate(config, new SyntheticCorpusOptions { Items = 120, MissingRate = 0.2, Seed = 4, GaussianDimension = 8, Vocabulary = 24, WordsPerClass = 4 })
            .Data.Only(keep);

    [Fact]
    public void A_modality_the_data_lacks_is_left_out_and_the_rest_trains_and_infers()
    {
        var config = ThreeModalities();
        var data = Corpus(config, "hog", "gist", "text"); // image+text pairs: no audio at all
        var events = new List<TrainingEvent>();
        using var dbm = DbmTrainer.Train(new CpuBackend(), config, data, onEvent: events.Add);

        Assert.Equal(["hog", "gist", "text"], dbm.Visibles.Select(v => v.Name));
        Assert.Equal(["visual", "text"], dbm.Config.Modalities.Select(m => m.Name));
        var left = Assert.Single(dbm.Config.LeftOut!);
        Assert.Equal(("audio", "audio"), (left.Modality, left.Feature));
        Assert.Contains("no training item", left.Reason);
        Assert.Contains(events, e => e.Stage == "info" && e.Message == "left out the audio modality (pathway 'audio'): no training item has it");

        var joint = new MeanFieldInference(dbm).Infer(data.Only("text")).Joint;
        Assert.Equal(data.Count * dbm.EmbeddingSize, joint.Length);
        Assert.All(joint, x => Assert.True(float.IsFinite(x)));
        // Data that does carry the left-out feature is embedded from what the model reads.
        var withAudio = Corpus(config, "hog", "gist", "audio", "text");
        Assert.Equal(withAudio.Count * dbm.EmbeddingSize, new MeanFieldInference(dbm).Infer(withAudio).Joint.Length);
    }

    [Fact]
    public void The_left_out_pathways_are_recorded_in_the_model_file()
    {
        var config = ThreeModalities();
        using var dbm = DbmTrainer.Train(new CpuBackend(), config, Corpus(config, "hog", "gist", "text"));
        var path = Path.Combine(Directory.CreateTempSubdirectory("affect-absent-").FullName, "model.afdbm");
        try
        {
            ModelFile.Save(dbm, path);
            var info = ModelFile.ReadInfo(path);
            Assert.Equal("audio", Assert.Single(info.Config.LeftOut!).Feature);
            using var loaded = ModelFile.Load(new CpuBackend(), path);
            Assert.Equal(ModelFile.Identity(dbm), ModelFile.Identity(loaded));
            Assert.Equal(["visual", "text"], loaded.Config.Modalities.Select(m => m.Name));
        }
        finally { Directory.Delete(Path.GetDirectoryName(path)!, recursive: true); }
    }

    [Fact]
    public void A_feature_present_for_no_item_counts_as_absent()
    {
        // A word-count matrix with every row empty and marked absent, as a corpus without text gives.
        var config = ThreeModalities();
        var full = Corpus(config, "hog", "gist", "audio", "text");
        var features = full.Features.ToDictionary(kv => kv.Key, kv => kv.Value);
        var presence = features.Keys.ToDictionary(k => k, k => k == "text" ? new bool[full.Count] : full.Presence(k));
        var noText = new MultimodalDataset(full.Count, features, presence);
        using var dbm = DbmTrainer.Train(new CpuBackend(), config, noText);
        Assert.Equal(["visual", "audio"], dbm.Config.Modalities.Select(m => m.Name));
        Assert.Equal("text", Assert.Single(dbm.Config.LeftOut!).Feature);
    }

    [Fact]
    public void Data_with_one_modality_trains_a_single_pathway_model()
    {
        var config = ThreeModalities();
        var data = Corpus(config, "text");
        using var dbm = DbmTrainer.Train(new CpuBackend(), config, data);
        Assert.Equal(["text"], dbm.Config.Modalities.Select(m => m.Name));
        Assert.Equal(["visual", "visual", "audio"], dbm.Config.LeftOut!.Select(l => l.Modality));
        Assert.Equal("joint", dbm.Node("text.h2").Parent!.Name);
        var joint = new MeanFieldInference(dbm).Infer(data).Joint;
        Assert.All(joint, x => Assert.True(float.IsFinite(x)));
        // Different texts get different embeddings: the single pathway learned something to tell them apart.
        Assert.NotEqual(joint.AsSpan(0, dbm.EmbeddingSize).ToArray(), joint.AsSpan(dbm.EmbeddingSize, dbm.EmbeddingSize).ToArray());
    }

    [Fact]
    public void Data_with_none_of_the_configured_features_is_refused_naming_them()
    {
        var config = ThreeModalities();
        var data = new MultimodalDataset(3, new Dictionary<string, VisibleData> { ["mfcc"] = new DenseVisibleData(new float[6], 3, 2) });
        var e = Assert.Throws<InvalidDataException>(() => DbmTrainer.Train(new CpuBackend(), config, data));
        Assert.Contains("hog", e.Message);
        Assert.Contains("text", e.Message);
    }

    [Fact]
    public void A_config_whose_data_has_every_feature_records_nothing_left_out_and_keeps_its_json()
    {
        var config = ThreeModalities();
        using var dbm = DbmTrainer.Train(new CpuBackend(), config with { Pretraining = config.Pretraining with { Epochs = 0 }, JointTraining = config.JointTraining with { Epochs = 0 } },
            Corpus(config, "hog", "gist", "audio", "text"));
        Assert.Null(dbm.Config.LeftOut);
        // Models of complete data keep the configuration JSON (and so the identity) they had before left-out pathways were recorded.
        Assert.DoesNotContain("leftOut", dbm.Config.ToJson());
    }

    [Fact]
    public void Left_out_pathways_are_noted_per_modality_and_a_modality_keeping_one_feature_stays()
    {
        var reduced = ThreeModalities().WithoutFeatures(new HashSet<string> { "gist", "audio" }, "no training item has it");
        Assert.Equal(["visual", "text"], reduced.Modalities.Select(m => m.Name));
        Assert.Equal(["hog"], reduced.Modalities[0].Features.Select(f => f.Name));
        Assert.Equal(["left out the visual pathway 'gist': no training item has it", "left out the audio modality (pathway 'audio'): no training item has it"],
            reduced.LeftOutNotes());
        // The record survives the JSON a model file stores, and a feature cannot be both kept and left out.
        Assert.Equal(reduced.ToJson(), DbmConfig.FromJson(reduced.ToJson()).ToJson());
        var contradictory = reduced with { LeftOut = [new LeftOutPathway("visual", "hog", "x")] };
        Assert.Contains("both configured and listed as left out", Assert.Throws<InvalidDataException>(contradictory.Validate).Message);
    }
}
