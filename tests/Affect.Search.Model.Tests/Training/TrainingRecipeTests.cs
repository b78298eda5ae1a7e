using Affect.Search.Compute.Cpu;
using Affect.Search.Model.Configuration;
using Affect.Search.Model.Data;
using Affect.Search.Model.Layers;
using Affect.Search.Model.Training;

namespace Affect.Search.Model.Tests.Training;

/// <summary>The training recipe's settings: the word-count rate, joint layers pretrained on pairs, and layer activity.</summary>
public class TrainingRecipeTests
{
    // The trainer tests' small network (every kind of node) and corpus, with more items lacking a modality
    // so that pretraining on pairs leaves some out.
    private static DbmConfig Small() => DbmTrainerTests.Small();

    private static MultimodalDataset Corpus(DbmConfig config) => DbmTrainerTests.Corpus(config, missing: 0.4);

    [Fact]
    public void The_word_count_rate_applies_to_replicated_softmax_rbms_only_and_defaults_to_the_binary_rate()
    {
        var plain = new PretrainingConfig { LearningRate = 0.05f, GaussianLearningRate = 0.005f };
        Assert.Equal(0.05f, plain.ForVisible(UnitKind.ReplicatedSoftmax, 1).LearningRate);
        var tuned = plain with { ReplicatedSoftmaxLearningRate = 0.02f };
        Assert.Equal(0.02f, tuned.ForVisible(UnitKind.ReplicatedSoftmax, 1).LearningRate);
        Assert.Equal(0.05f, tuned.ForVisible(UnitKind.Bernoulli, 1).LearningRate);
        Assert.Equal(0.005f, tuned.ForVisible(UnitKind.Gaussian, 1).LearningRate);
    }

    [Fact]
    public void New_settings_at_their_defaults_leave_a_configuration_json_as_it_was()
    {
        var json = Small().ToJson();
        Assert.DoesNotContain("replicatedSoftmaxLearningRate", json);
        Assert.DoesNotContain("joinOnPairs", json);
        Assert.DoesNotContain("standardiseEmbeddings", json);
        var set = Small() with { StandardiseEmbeddings = true, Pretraining = Small().Pretraining with { JoinOnPairs = true, ReplicatedSoftmaxLearningRate = 0.01f } };
        var back = DbmConfig.FromJson(set.ToJson());
        Assert.True(back.StandardiseEmbeddings);
        Assert.True(back.Pretraining.JoinOnPairs);
        Assert.Equal(0.01f, back.Pretraining.ReplicatedSoftmaxLearningRate);
    }

    [Fact]
    public void Layers_that_join_pathways_are_pretrained_on_the_items_that_have_several_of_them()
    {
        var config = Small() with { Pretraining = Small().Pretraining with { JoinOnPairs = true } };
        var data = Corpus(config);
        var events = new List<TrainingEvent>();
        using var dbm = DbmTrainer.Train(new CpuBackend(), config, data, new TrainingOptions { HeldOutFraction = 0 }, events.Add);

        bool Has(int r, string feature) => data.IsPresent(feature, r);
        int visualPairs = Enumerable.Range(0, data.Count).Count(r => Has(r, "hog") && Has(r, "gist"));
        int jointPairs = Enumerable.Range(0, data.Count).Count(r => (Has(r, "hog") || Has(r, "gist")) && Has(r, "text"));
        var notes = events.Where(e => e.Stage == "info" && e.Metrics.ContainsKey("items")).ToDictionary(e => e.Layer, e => (int)e.Metrics["items"]);
        Assert.Equal(visualPairs, notes["visual.joint"]);
        Assert.Equal(jointPairs, notes["joint"]);
        Assert.InRange(jointPairs, config.Pretraining.BatchSize, data.Count - 1); // the corpus has single-modality items to leave out

        // Without the setting no such note, and another model.
        var all = new List<TrainingEvent>();
        using var plain = DbmTrainer.Train(new CpuBackend(), Small(), data, new TrainingOptions { HeldOutFraction = 0 }, all.Add);
        Assert.DoesNotContain(all, e => e.Stage == "info" && e.Metrics.ContainsKey("items"));
        Assert.NotEqual(dbm.Node("joint").Bias.ToArray(), plain.Node("joint").Bias.ToArray());
    }

    [Fact]
    public void Activity_figures_are_the_saturation_and_spread_of_the_values_over_the_rows_given()
    {
        // Two units over three rows (row 1 is not measured): unit 0 takes 0, 1, 1; unit 1 is 0.5 throughout.
        float[] values = [0f, 0.5f, /* skipped */ 0.3f, 0.3f, 1f, 0.5f, 1f, 0.5f];
        var f = LayerActivity.Figures("layer", values, 2, [0, 2, 3]);
        Assert.Equal(3, f.Items);
        Assert.Equal(0.5, f.Saturation, 9);                           // 3 of 6 values at 0 or 1
        Assert.Equal((Math.Sqrt(2.0 / 9) + 0) / 2, f.Spread, 6);      // sd of {0,1,1} is sqrt(2/9)
        Assert.Equal(0.5, f.ConstantUnits, 9);
        Assert.False(f.IsDead);
        Assert.True(LayerActivity.Figures("flat", new float[] { 0.99f, 0.99f, 0.98f, 0.99f }, 2, [0, 1]).IsDead);
    }

    [Fact]
    public void Training_reports_every_hidden_layers_activity_and_warns_about_a_dead_layer()
    {
        var config = Small();
        var data = Corpus(config);
        var events = new List<TrainingEvent>();
        using var dbm = DbmTrainer.Train(new CpuBackend(), config, data, new TrainingOptions { HeldOutFraction = 0 }, events.Add);
        var activity = events.Where(e => e.Stage == "activity").ToList();
        Assert.Equal(dbm.Hiddens.Select(h => h.Name).Order(), activity.Select(e => e.Layer).Order());
        // Measured over the items that reach the layer: the text pathway over the items with text.
        int withText = Enumerable.Range(0, data.Count).Count(r => data.IsPresent("text", r));
        Assert.Equal(withText, activity.Single(e => e.Layer == "text.h1").Metrics["items"]);
        Assert.Equal(data.Count, activity.Single(e => e.Layer == "joint").Metrics["items"]);

        // A word-count rate a hundred times too high saturates the text pathway, and training says so.
        var broken = config with { Pretraining = config.Pretraining with { ReplicatedSoftmaxLearningRate = 20f }, JointTraining = config.JointTraining with { Epochs = 0 } };
        var brokenEvents = new List<TrainingEvent>();
        using var _ = DbmTrainer.Train(new CpuBackend(), broken, data, onEvent: brokenEvents.Add);
        var warning = Assert.Single(brokenEvents, e => e.Stage == "warning" && e.Layer == "text.h1");
        Assert.Contains("replicatedSoftmaxLearningRate", warning.Message);
        Assert.DoesNotContain(events, e => e.Stage == "warning" && e.Layer == "text.h1");
    }
}
