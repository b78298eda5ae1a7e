using Affect.Search.Compute;
using Affect.Search.Evaluation.Benchmark;
using Affect.Search.Features.Corpus;
using Affect.Search.Model.Configuration;
using Affect.Search.Model.Data;

namespace Affect.Search.Evaluation.Tests.Benchmark;

/// <summary>
/// Baselines per feature family, on hand-built data sets with synthetic deep features (resnet18, audio-cnn, minilm):
/// which baselines a run fits and how they are named, and the MiniLM text cosine.
/// </summary>
public sealed class BaselineSystemsTests : IDisposable
{
    private readonly string _scratch = Path.Combine(Path.GetTempPath(), "affect-baseline-systems-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_scratch)) Directory.Delete(_scratch, recursive: true);
    }

    private static readonly Dictionary<string, int> Dimensions = new()
    {
        ["hog"] = 6, ["gist"] = 5, ["audio"] = 4, ["resnet18"] = 8, ["audio-cnn"] = 5, ["minilm"] = 7,
    };

    private static DbmConfig Config(params (string Modality, string[] Features)[] modalities) => new()
    {
        Modalities = modalities.Select(m => new ModalityConfig { Name = m.Modality, Features = m.Features.Select(f => new FeatureConfig { Name = f }).ToList() }).ToList(),
    };

    private static readonly DbmConfig BothFamilies = Config(("text", ["text", "minilm"]), ("visual", ["hog", "gist", "resnet18"]), ("audio", ["audio", "audio-cnn"]));
    private static readonly DbmConfig LowLevelOnly = Config(("text", ["text"]), ("visual", ["hog", "gist"]), ("audio", ["audio"]));

    // Seeded random items with every feature; text words and every dense feature depend on the item's class, so
    // the CCA has correlations to find.
    private static MultimodalDataset Data(DbmConfig config, int count, int seed)
    {
        var random = new Random(seed);
        var features = new Dictionary<string, VisibleData>();
        foreach (var name in config.Features.Select(f => f.Name))
        {
            if (name == "text")
            {
                var rows = Enumerable.Range(0, count).Select(i => (IReadOnlyList<(int, float)>)[(i % 3, 2f), (3 + random.Next(3), 1f)]).ToList();
                features[name] = new SparseVisibleData(CsrMatrix.FromRows(6, rows));
                continue;
            }
            int d = Dimensions[name];
            var values = new float[count * d];
            for (int i = 0; i < count; i++)
                for (int j = 0; j < d; j++) values[i * d + j] = (j % 3 == i % 3 ? 2f : 0f) + (float)random.NextDouble();
            features[name] = new DenseVisibleData(values, count, d);
        }
        return new MultimodalDataset(count, features);
    }

    [Fact]
    public void With_two_families_early_fusion_and_cca_are_fitted_per_family_and_minilm_gets_a_cosine_baseline()
    {
        var map = new ModalityMap(BothFamilies);
        var fitted = BaselineSystems.Fit(Data(BothFamilies, 60, 1), map, [FeatureSet.LowLevel, FeatureSet.Deep], _scratch);
        Assert.Equal(["Jaccard (text)", "BM25 (text)", "Cosine (MiniLM)", "Early fusion (low-level)", "Early fusion (deep)", "CCA (low-level)", "CCA (deep)"],
            fitted.Systems.Select(s => s.Name));
        // Each family's baselines read only that family's features.
        var deep = (EarlyFusionSystem)fitted.Systems.Single(s => s.Name == "Early fusion (deep)");
        Assert.Equal(["resnet18", "audio-cnn", "minilm"], deep.Multimodal!.Features);
        var lowLevel = (EarlyFusionSystem)fitted.Systems.Single(s => s.Name == "Early fusion (low-level)");
        Assert.Equal(["hog", "gist", "audio", "text"], lowLevel.Multimodal!.Features);
        Assert.Equal(["text"], ((CanonicalCorrelationSystem)fitted.Systems.Single(s => s.Name == "CCA (low-level)")).Modalities.Sources('T'));
        Assert.Equal(["minilm"], ((CanonicalCorrelationSystem)fitted.Systems.Single(s => s.Name == "CCA (deep)")).Modalities.Sources('T'));
        // The emotion prediction's baseline representation is the first family's fusion.
        Assert.Equal(lowLevel.Multimodal.Features, fitted.Fusion.Features);
    }

    [Fact]
    public void With_one_family_the_baselines_keep_their_plain_names()
    {
        var fitted = BaselineSystems.Fit(Data(LowLevelOnly, 60, 2), new ModalityMap(LowLevelOnly), [FeatureSet.LowLevel, FeatureSet.Deep], _scratch);
        Assert.Equal(["Jaccard (text)", "BM25 (text)", "Early fusion", "CCA"], fitted.Systems.Select(s => s.Name));
    }

    [Fact]
    public void A_family_counts_only_with_features_of_two_modalities()
    {
        // resnet18 alone (one modality) does not make the deep family: the baselines stay as they were.
        var config = Config(("text", ["text"]), ("visual", ["hog", "resnet18"]), ("audio", ["audio"]));
        var families = BaselineSystems.Families(new ModalityMap(config), [FeatureSet.LowLevel, FeatureSet.Deep]);
        var only = Assert.Single(families);
        Assert.Null(only.Name);
        Assert.Equal(["hog", "resnet18"], only.Map.Sources('V'));
        // With minilm too it does, and each family keeps only its own features.
        var both = BaselineSystems.Families(new ModalityMap(config with { Modalities = [.. config.Modalities.Select(m => m.Name == "text" ? m with { Features = [.. m.Features, new FeatureConfig { Name = "minilm" }] } : m)] }),
            [FeatureSet.LowLevel, FeatureSet.Deep]);
        Assert.Equal(["low-level", "deep"], both.Select(f => f.Name));
        Assert.Equal("TV", both[1].Map.Letters);
        Assert.Equal(["resnet18"], both[1].Map.Sources('V'));
        Assert.Equal(["hog"], both[0].Map.Sources('V'));
    }

    [Fact]
    public void The_minilm_cosine_ranks_the_reference_with_the_closest_sentence_embedding_first_and_needs_query_text()
    {
        var config = Config(("text", ["minilm"]), ("visual", ["hog"]));
        var map = new ModalityMap(config);
        float[] Rows(params float[][] rows) => rows.SelectMany(r => r).ToArray();
        var queries = new MultimodalDataset(1, new Dictionary<string, VisibleData> { ["minilm"] = new DenseVisibleData([0f, 1f, 0.1f], 1, 3) });
        var references = new MultimodalDataset(3, new Dictionary<string, VisibleData> { ["minilm"] = new DenseVisibleData(Rows([1f, 0f, 0f], [0f, 1f, 0f], [0f, 0f, 0f]), 3, 3) },
            new Dictionary<string, bool[]> { ["minilm"] = [true, true, false] });
        ManifestItem Item(string id) => new(id, "words", null, null, null, new Dictionary<string, IReadOnlyList<string>>(), null, 1);
        var cell = new CellData(new RetrievalCell("T", "T"), queries, [Item("q")], ["T"], references, [Item("a"), Item("b"), Item("c")], ["T", "T", ""]);
        var scores = new SentenceEmbeddingTextSystem().Scores(cell)!;
        Assert.True(scores[1] > scores[0]);
        Assert.True(float.IsNaN(scores[2])); // no embedding: ranked last
        Assert.Null(new SentenceEmbeddingTextSystem().Scores(cell with { Cell = new RetrievalCell("V", "T") }));
        Assert.Equal(["minilm"], map.Sources('T'));
    }
}
