using Affect.Search.Features.Codebooks;
using Affect.Search.Features.Corpus;
using Affect.Search.Features.Decoding;
using Affect.Search.Features.Deep;
using Affect.Search.Features.Extraction;
using Affect.Search.Features.Text;

namespace Affect.Search.Features.Tests.Deep;

public sealed class DeepFeatureExtractionTests : IDisposable
{
    private static readonly string[] Deep = [ResNet18Features.FeatureName, AudioCnnFeatures.FeatureName, MiniLmSentenceEncoder.FeatureName];
    private readonly string _folder = Directory.CreateTempSubdirectory("affect-deep-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private static FeatureSpace Space(IReadOnlyCollection<string> wanted)
    {
        using var analyzer = new TextAnalyzer();
        var vocabulary = Vocabulary.Build([analyzer.Terms("happy smiling face"), analyzer.Terms("happy face")], minDocumentFrequency: 1);
        return new FeatureSpace(vocabulary, new Dictionary<string, Codebook>(), new FeatureSpaceOptions(),
            DeepFeatures.Among(wanted).ToDictionary(f => f, DeepFeatures.FilesOf));
    }

    private static ManifestItem Item(string id, string? text = null, string? image = null, string? audio = null)
        => new(id, text, image, audio, null, new Dictionary<string, IReadOnlyList<string>>(), null, 0);

    [Fact]
    public void An_item_whose_words_are_all_outside_the_vocabulary_keeps_its_text_through_minilm()
    {
        string[] wanted = ["text", MiniLmSentenceEncoder.FeatureName];
        using var extractor = new FeatureExtractor(Space(wanted), new MediaDecoder(), wanted);
        var f = extractor.Extract(Item("oov", text: "zebra xylophone quartz"));
        Assert.Null(f.Words);
        Assert.False(f.IsEmpty);
        Assert.Equal(MiniLmSentenceEncoder.Shared.Encode("zebra xylophone quartz"), f.Dense[MiniLmSentenceEncoder.FeatureName]);
        Assert.Contains(f.Problems, p => p.Contains("outside the vocabulary") && p.Contains("minilm"));
        Assert.Equal(MiniLmSentenceEncoder.Dimension, extractor.DenseDimensions[MiniLmSentenceEncoder.FeatureName]);

        var known = extractor.Extract(Item("known", text: "a happy face"));
        Assert.NotNull(known.Words);
        Assert.True(known.Dense.ContainsKey(MiniLmSentenceEncoder.FeatureName));

        // Without minilm the same item loses its text, as before.
        using var plain = new FeatureExtractor(Space(["text"]), new MediaDecoder(), ["text"]);
        Assert.True(plain.Extract(Item("oov", text: "zebra xylophone quartz")).IsEmpty);
    }

    [Fact]
    public void An_absent_or_undecodable_medium_costs_only_its_feature_with_a_problem_naming_it()
    {
        var image = Path.Combine(_folder, "picture.bmp");
        DeepTestImages.WriteBmp(DeepTestImages.Picture(3, 120, 90), image);
        var broken = Path.Combine(_folder, "broken.png");
        File.WriteAllBytes(broken, [0x89, (byte)'P', (byte)'N', (byte)'G', 1, 2, 3]);
        using var extractor = new FeatureExtractor(Space(Deep), new MediaDecoder(), Deep.Append("text").ToArray());
        Assert.Equal(new Dictionary<string, int> { ["resnet18"] = 512, ["audio-cnn"] = 512, ["minilm"] = 384 },
            extractor.DenseDimensions.ToDictionary(kv => kv.Key, kv => kv.Value));

        var good = extractor.Extract(Item("good", text: "a happy face", image: image));
        Assert.Empty(good.Problems);
        Assert.Equal(ResNet18Features.Shared.Average([ImageDecoder.Decode(image)]), good.Dense["resnet18"]);

        var bad = extractor.Extract(Item("bad", text: "a happy face", image: broken, audio: Path.Combine(_folder, "missing.wav")));
        Assert.False(bad.Dense.ContainsKey("resnet18"));
        Assert.False(bad.Dense.ContainsKey("audio-cnn"));
        Assert.True(bad.Dense.ContainsKey("minilm"));
        Assert.NotNull(bad.Words);
        Assert.Contains(bad.Problems, p => p.Contains("broken.png"));
        Assert.Contains(bad.Problems, p => p.Contains("missing.wav"));
    }

    [Fact]
    public void The_feature_space_records_the_model_files_and_refuses_others()
    {
        var space = Space(Deep);
        Assert.Equal(ResNet18Features.Shared.Files, space.DeepModels["resnet18"]);
        Assert.All(space.DeepModels.Values.SelectMany(f => f), f => Assert.Matches("^[0-9a-f]{64}$", f.Sha256));
        Assert.Equal(["model.onnx", "vocab.txt"], space.DeepModels["minilm"].Select(f => f.File));

        using var stream = new MemoryStream();
        space.Save(stream);
        var loaded = FeatureSpace.Load(new MemoryStream(stream.ToArray()));
        Assert.Equal(space.DeepModels.Keys.Order(), loaded.DeepModels.Keys.Order());
        foreach (var (feature, files) in space.DeepModels) Assert.Equal(files, loaded.DeepModels[feature]);

        // Another ResNet file (a different hash) is refused, naming the feature and both files.
        var other = new FeatureSpace(space.Vocabulary, space.Codebooks, space.Options, new Dictionary<string, IReadOnlyList<ModelFileIdentity>>
        {
            ["resnet18"] = [new ModelFileIdentity("ResNet18.onnx", new string('0', 64)), ResNet18Features.Shared.Files[1]],
        });
        var e = Assert.Throws<InvalidDataException>(() => new FeatureExtractor(other, new MediaDecoder(), ["resnet18"]));
        Assert.Contains("resnet18", e.Message);
        Assert.Contains(new string('0', 64), e.Message);
        Assert.Contains(ResNet18Features.Shared.Files[0].Sha256, e.Message);
        // A space that never recorded a deep feature refuses to compute it.
        Assert.Throws<InvalidDataException>(() => new FeatureExtractor(Space(["text"]), new MediaDecoder(), ["minilm"]));
        // A low-level config does not look at deep models at all, even when the space records a wrong one.
        using var lowLevel = new FeatureExtractor(other, new MediaDecoder(), ["text", "lbp"]);
        Assert.DoesNotContain("resnet18", lowLevel.DenseDimensions.Keys);
    }

    [Fact]
    public void A_feature_space_saved_without_deep_models_loads_and_saves_as_before()
    {
        var space = Space(["text"]);
        using var stream = new MemoryStream();
        space.Save(stream);
        var json = System.Text.Encoding.UTF8.GetString(stream.ToArray());
        Assert.DoesNotContain("deepModels", json);
        Assert.Empty(FeatureSpace.Load(new MemoryStream(stream.ToArray())).DeepModels);
    }
}
