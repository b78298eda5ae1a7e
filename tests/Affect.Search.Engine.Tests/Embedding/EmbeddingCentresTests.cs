using Affect.Search.Compute.Cpu;
using Affect.Search.Engine.Embedding;
using Affect.Search.Model.Configuration;
using Affect.Search.Model.Data;
using Affect.Search.Model.Training;

namespace Affect.Search.Engine.Tests.Embedding;

public class EmbeddingCentresTests : IDisposable
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "affect-centres-" + Guid.NewGuid().ToString("N"));

    private static DbmConfig Small(bool standardise) => DbmConfig.FromJson("""
        {
          "name": "small", "jointSize": 16, "seed": 2,
          "modalities": [
            { "name": "visual", "features": [ { "name": "hog", "visible": "gaussian", "hidden": [12] } ] },
            { "name": "text", "features": [ { "name": "text", "visible": "replicated-softmax", "hidden": [12] } ] }
          ],
          "pretraining": { "epochs": 3, "batchSize": 25 },
          "jointTraining": { "epochs": 0 }
        }
        """) with { StandardiseEmbeddings = standardise };

    private static MultimodalDataset Corpus(DbmConfig config)
        => SyntheticMultimodalCorpus.Generate(config, new SyntheticCorpusOptions { Items = 240, MissingRate = 0.3, Seed = 4, GaussianDimension = 10, Vocabulary = 30, WordsPerClass = 4 }).Data;

    [Theory]
    [InlineData("V")]
    [InlineData("T")]
    [InlineData("TV")]
    public void Standardised_embeddings_of_the_training_items_have_zero_mean_and_unit_spread_per_dimension(string subset)
    {
        var config = Small(standardise: true);
        var data = Corpus(config);
        using var dbm = DbmTrainer.Train(new CpuBackend(), config, data);
        var centres = EmbeddingCentres.Learn(new JointEmbedder(dbm), data);
        Assert.Equal(centres.Centres.Keys.Order(), centres.Scales.Keys.Order());

        var embedder = new JointEmbedder(dbm, centres);
        var rows = Enumerable.Range(0, data.Count).Where(r => subset.All(embedder.ModalitiesOf(data, r).Contains)).ToArray();
        var view = embedder.View(data.Select(rows), subset.Length == 2 ? "full" : subset);
        var x = embedder.Embed(view, subset.Length == 2 ? "full" : subset);
        int d = embedder.Dimension;
        var scale = centres.ScaleFor(subset)!;
        double floor = scale.Min();
        for (int j = 0; j < d; j++)
        {
            var column = Enumerable.Range(0, rows.Length).Select(i => (double)x[i * d + j]).ToArray();
            double mean = column.Average(), sd = Math.Sqrt(column.Select(v => (v - mean) * (v - mean)).Average());
            Assert.InRange(mean, -1e-3, 1e-3);
            // Dimensions above the floor have unit spread; floored ones less.
            if (scale[j] > floor) Assert.InRange(sd, 0.999, 1.001);
            else Assert.True(sd <= 1.001);
        }
    }

    [Fact]
    public void Centres_without_the_setting_have_no_scales_and_files_round_trip_either_way()
    {
        var plain = Small(standardise: false);
        var data = Corpus(plain);
        using var dbm = DbmTrainer.Train(new CpuBackend(), plain, data);
        var centring = EmbeddingCentres.Learn(new JointEmbedder(dbm), data);
        Assert.Empty(centring.Scales);

        Directory.CreateDirectory(_folder);
        var path = Path.Combine(_folder, EmbeddingCentres.FileName);
        centring.Save(path);
        Assert.DoesNotContain("scales", File.ReadAllText(path)); // a centring-only file is written as before
        Assert.Empty(EmbeddingCentres.Load(path).Scales);

        using var standardising = DbmTrainer.Train(new CpuBackend(), Small(standardise: true), data);
        var learned = EmbeddingCentres.Learn(new JointEmbedder(standardising), data);
        learned.Save(path);
        var loaded = EmbeddingCentres.Load(path);
        Assert.Equal(learned.Scales.Keys.Order(), loaded.Scales.Keys.Order());
        foreach (var (key, scale) in learned.Scales) Assert.Equal(scale, loaded.Scales[key]);
    }

    [Fact]
    public void A_scale_that_is_not_a_positive_number_is_refused()
    {
        var centres = new Dictionary<string, float[]> { ["T"] = [0f, 0f] };
        Assert.Throws<ArgumentException>(() => new EmbeddingCentres(centres, new Dictionary<string, float[]> { ["T"] = [1f, 0f] }));
        Assert.Throws<ArgumentException>(() => new EmbeddingCentres(centres, new Dictionary<string, float[]> { ["T"] = [1f, float.NaN] }));
        Assert.Throws<ArgumentException>(() => new EmbeddingCentres(centres, new Dictionary<string, float[]> { ["T"] = [1f] }));
    }

    public void Dispose()
    {
        if (Directory.Exists(_folder)) Directory.Delete(_folder, recursive: true);
    }
}
