using Affect.Search.Compute.Cpu;
using Affect.Search.Engine.Corpus;
using Affect.Search.Features.Corpus;
using Affect.Search.Features.Decoding;
using Affect.Search.Features.Extraction;
using Affect.Search.Model.Configuration;
using Affect.Search.Model.Inference;
using Affect.Search.Model.Training;
using Affect.Search.Tests.Shared;

namespace Affect.Search.Engine.Tests.Corpus;

/// <summary>
/// From a manifest of real media files (made with ffmpeg) to a trained model: every modality and
/// missing-modality case, a bad line, and an undecodable file that costs only its own modality.
/// </summary>
public sealed class CorpusFeaturizerTests : IClassFixture<CorpusFeaturizerTests.SmallCorpus>
{
    private readonly SmallCorpus _corpus;

    public CorpusFeaturizerTests(SmallCorpus corpus) => _corpus = corpus;

    public sealed class SmallCorpus : IDisposable
    {
        public static readonly (string Word, int Hue, int Tone)[] Classes = { ("sunny", 0, 300), ("forest", 120, 1000), ("ocean", 240, 3000) };

        public SmallCorpus()
        {
            Folder = Directory.CreateTempSubdirectory("affect-corpus-").FullName;
            var lines = new List<string>();
            for (int c = 0; c < Classes.Length; c++)
            {
                var (word, hue, tone) = Classes[c];
                EmotionTestCorpus.Ffmpeg("-f", "lavfi", "-i", $"testsrc=size=96x72:rate=5:duration=2,hue=h={hue}", "-f", "lavfi", "-i", $"sine=frequency={tone}:duration=2",
                    "-shortest", "-c:v", "libx264", "-pix_fmt", "yuv420p", "-c:a", "aac", Path.Combine(Folder, $"v{c}.mp4"));
                EmotionTestCorpus.Ffmpeg("-f", "lavfi", "-i", $"testsrc=size=96x72,hue=h={hue}", "-frames:v", "1", Path.Combine(Folder, $"i{c}.png"));
                EmotionTestCorpus.Ffmpeg("-f", "lavfi", "-i", $"sine=frequency={tone}:duration=1", "-c:a", "libvorbis", Path.Combine(Folder, $"a{c}.ogg"));
                for (int k = 0; k < 4; k++)
                {
                    string text = $"a {word} day number {k} with {word} feelings";
                    lines.Add(Line(new { id = $"{word}-video-{k}", text, video = $"v{c}.mp4", labels = Labels(word) }));
                    lines.Add(Line(new { id = $"{word}-image-{k}", text, image = $"i{c}.png", labels = Labels(word) }));
                }
                lines.Add(Line(new { id = $"{word}-sound", audio = $"a{c}.ogg", labels = Labels(word) }));
                lines.Add(Line(new { id = $"{word}-text", text = $"{word} {word} everywhere", labels = Labels(word) }));
            }
            File.WriteAllBytes(Path.Combine(Folder, "broken.png"), new byte[] { 0x89, 0x50, 0x4E, 0x47, 1, 2, 3 });
            lines.Add("""{"id": "broken-image", "text": "sunny but broken", "image": "broken.png"}""");
            lines.Add("""{"id": "broken-only", "image": "broken.png"}""");
            lines.Add("""{"id": "missing", "image": "nowhere.png"}""");
            File.WriteAllLines(Path.Combine(Folder, "items.jsonl"), lines);
            Manifest = ManifestReader.Read(Path.Combine(Folder, "items.jsonl"));
            Config = DbmConfig.FromJson("""
                { "name": "tiny", "jointSize": 12, "seed": 5,
                  "modalities": [
                    { "name": "visual", "jointSize": 12, "features": [
                      { "name": "hog", "hidden": [12] }, { "name": "lbp", "hidden": [12] }, { "name": "gist", "hidden": [12] },
                      { "name": "dsift", "hidden": [12] }, { "name": "ssim", "hidden": [12] } ] },
                    { "name": "audio", "features": [ { "name": "audio", "hidden": [12] } ] },
                    { "name": "text", "features": [ { "name": "text", "visible": "replicated-softmax", "hidden": [12] } ] } ],
                  "pretraining": { "epochs": 3, "batchSize": 10 }, "jointTraining": { "epochs": 1, "batchSize": 10, "chains": 10 } }
                """);
            Options = new FeatureSpaceOptions { VisualCodebookSize = 6, AudioCodebookSize = 4, DescriptorsPerFrame = 20, MinDocumentFrequency = 2, Seed = 3 };
            Problems = new List<string>();
            (Space, Data, Report) = CorpusFeaturizer.LearnAndFeaturize(Manifest, Config, new MediaDecoder(), Options, Problems.Add);
        }

        public string Folder { get; }
        public Manifest Manifest { get; }
        public DbmConfig Config { get; }
        public FeatureSpaceOptions Options { get; }
        public List<string> Problems { get; }
        public FeatureSpace Space { get; }
        public Model.Data.MultimodalDataset Data { get; }
        public CorpusReport Report { get; }

        private static string Line(object item) => System.Text.Json.JsonSerializer.Serialize(item);

        private static Dictionary<string, string[]> Labels(string word) => new() { ["concept"] = new[] { word } };

        public void Dispose() => Directory.Delete(Folder, recursive: true);
    }

    [Fact]
    public void Bad_lines_and_undecodable_media_are_reported_and_the_rest_goes_on()
    {
        var r = _corpus.Report;
        var missing = Assert.Single(_corpus.Manifest.Errors);
        Assert.Contains("missing image file 'nowhere.png'", missing.Message);
        Assert.Contains(r.Problems, p => p.Id == "broken-image" && p.Problem.Contains("broken.png"));
        Assert.Equal(new[] { "broken-only" }, r.Dropped);
        Assert.Contains(r.Items, i => i.Id == "broken-image"); // its text is still usable
        Assert.Equal(1, r.UnknownWords); // "broken" occurs in one document only, below the vocabulary's minimum
        Assert.Equal(new[] { "broken" }, r.CommonUnknownWords);
        Assert.Equal(_corpus.Manifest.Items.Count - 1, _corpus.Data.Count);
    }

    [Fact]
    public void Every_modality_lands_in_the_data_set_with_its_presence()
    {
        var data = _corpus.Data;
        int Row(string id) => _corpus.Report.Items.Select(i => i.Id).ToList().IndexOf(id);
        Assert.Equal(6, data.Features["hog"].Dimension);
        Assert.Equal(6, data.Features["dsift"].Dimension);
        Assert.Equal(4 + 6, data.Features["audio"].Dimension); // MFCC bag of words + Audio-Six
        Assert.Equal(_corpus.Space.Vocabulary.Size, data.Features["text"].Dimension);
        Assert.True(data.IsPresent("hog", Row("sunny-video-0")) && data.IsPresent("audio", Row("sunny-video-0")));
        Assert.True(data.IsPresent("hog", Row("forest-image-1")) && !data.IsPresent("audio", Row("forest-image-1")));
        Assert.True(data.IsPresent("audio", Row("ocean-sound")) && !data.IsPresent("text", Row("ocean-sound")) && !data.IsPresent("hog", Row("ocean-sound")));
        Assert.True(data.IsPresent("text", Row("ocean-text")) && !data.IsPresent("gist", Row("ocean-text")));
        Assert.False(data.IsPresent("hog", Row("broken-image")));
        Assert.Contains("sunni", _corpus.Space.Vocabulary.Terms); // stemmed, and frequent enough
        Assert.Equal(new[] { "dsift", "hog", "mfcc", "ssim" }, _corpus.Space.Codebooks.Keys.Order());
    }

    [Fact]
    public void The_feature_space_is_deterministic_and_survives_a_round_trip()
    {
        var again = FeatureSpaceLearner.Learn(_corpus.Manifest.Items, new MediaDecoder(), _corpus.Options);
        foreach (var (name, book) in _corpus.Space.Codebooks) Assert.Equal(book.Centroids, again.Codebooks[name].Centroids);
        using var stream = new MemoryStream();
        _corpus.Space.Save(stream);
        stream.Position = 0;
        var loaded = FeatureSpace.Load(stream);
        Assert.Equal(_corpus.Space.Vocabulary.Terms, loaded.Vocabulary.Terms);
        foreach (var (name, book) in _corpus.Space.Codebooks) Assert.Equal(book.Centroids, loaded.Codebooks[name].Centroids);
        Assert.Throws<InvalidDataException>(() => FeatureSpace.Load(new MemoryStream("{\"format\": \"other\"}"u8.ToArray())));
    }

    [Fact]
    public void A_model_trains_on_the_corpus_and_embeds_every_kind_of_item()
    {
        using var dbm = DbmTrainer.Train(new CpuBackend(), _corpus.Config, _corpus.Data);
        var embedded = new MeanFieldInference(dbm).Infer(_corpus.Data);
        Assert.Equal(_corpus.Data.Count * 12, embedded.Joint.Length);
        Assert.All(embedded.Joint, x => Assert.InRange(x, 0f, 1f));
    }
}
