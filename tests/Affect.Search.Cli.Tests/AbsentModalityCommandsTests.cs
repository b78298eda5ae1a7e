using System.Text.Json;
using Affect.Search.Tests.Shared;

namespace Affect.Search.Cli.Tests;

/// <summary>
/// Issue 10: `affect train --corpus pairs.jsonl --preset cpu` on image+text pairs stopped with "feature 'audio'
/// has no inputSize". End to end through the `affect` program: train with the cpu preset on image+text pairs,
/// see the audio pathway reported as left out (output, --json, training log, model-info), index the whole
/// corpus, search by text and image, and get a clear error for an audio query.
/// </summary>
[Collection("console")]
public sealed class AbsentModalityCommandsTests : IDisposable
{
    private readonly EmotionTestCorpus _corpus = new();

    public void Dispose() => _corpus.Dispose();

    /// <summary>The corpus's items with an image and text or text alone, as a manifest beside it.</summary>
    private string ImageTextPairs()
    {
        var path = Path.Combine(_corpus.Folder, "pairs.jsonl");
        File.WriteAllLines(path, File.ReadLines(_corpus.Manifest).Where(line => !line.Contains("\"video\"") && !line.Contains("\"audio\"")));
        return path;
    }

    [Fact]
    public void The_cpu_preset_trains_on_image_text_pairs_and_the_model_indexes_and_answers_text_and_image_but_not_audio()
    {
        var model = Path.Combine(_corpus.Folder, "model");
        var train = CommandLine.Run("train", "--corpus", ImageTextPairs(), "--preset", "cpu", "--out", model, "--backend", "cpu", "--json");
        Assert.True(train.Code == 0, train.Err);
        Assert.Contains("left out the audio modality (pathway 'audio'): no training item has it", train.Err);
        using (var summary = JsonDocument.Parse(train.Out))
        {
            Assert.Equal(["visual", "text"], summary.RootElement.GetProperty("modalities").EnumerateArray().Select(m => m.GetString()));
            var left = Assert.Single(summary.RootElement.GetProperty("leftOut").EnumerateArray());
            Assert.Equal("audio", left.GetProperty("modality").GetString());
        }
        Assert.Contains(File.ReadLines(Path.Combine(model, "training.jsonl")), line => line.Contains("left out the audio modality"));

        var info = CommandLine.Run("model-info", "--model", model, "--json");
        Assert.Equal(0, info.Code);
        using (var doc = JsonDocument.Parse(info.Out))
        {
            Assert.Equal(["visual", "text"], doc.RootElement.GetProperty("modalities").EnumerateArray().Select(m => m.GetProperty("name").GetString()));
            Assert.Equal("audio", Assert.Single(doc.RootElement.GetProperty("leftOut").EnumerateArray()).GetProperty("feature").GetString());
        }
        Assert.Contains("left out the audio modality (pathway 'audio')", CommandLine.Run("model-info", "--model", model).Out);
        
        // Reference items beyond the pairs: a sound-only item is left out, a video indexed from its pictures and text
        // (the engine tests index the whole corpus).
        var references = Path.Combine(_corpus.Folder, "references.jsonl");
        File.WriteAllLines(references, File.ReadLines(ImageTextPairs())
            .Concat(File.ReadLines(_corpus.Manifest).Where(line => line.Contains("\"joy-sound\"") || line.Contains("\"joy-video-0\""))));
        var index = Path.Combine(_corpus.Folder, "index");
        var indexed = CommandLine.Run("index", "--corpus", references, "--model", model, "--index", index, "--backend", "cpu", "--json");
        // Done, with an item left out: exit 5.
        Assert.True(indexed.Code == 5, $"exit {indexed.Code}: {indexed.Err}");
        Assert.Contains("model 'cpu' has no audio pathway: the audio input of 1 item is not indexed", indexed.Err);
        Assert.Contains("item joy-sound: left out", indexed.Err);
        using (var doc = JsonDocument.Parse(indexed.Out))
        {
            Assert.Equal(19, doc.RootElement.GetProperty("indexed").GetInt32());
            Assert.Equal(1, doc.RootElement.GetProperty("unreadModalities").GetProperty("audio").GetInt32());
        }

        var text = CommandLine.Run("search", "--text", "sunny happy", "--index", index, "--k", "3", "--json");
        Assert.True(text.Code == 0, text.Err);
        using (var doc = JsonDocument.Parse(text.Out))
            Assert.Equal(3, doc.RootElement.GetProperty("results").GetArrayLength());
        var image = CommandLine.Run("search", "--image", _corpus.Media("calm", "png"), "--db", "V", "--index", index, "--k", "3", "--json");
        Assert.True(image.Code == 0, image.Err);
        using (var doc = JsonDocument.Parse(image.Out))
            Assert.Equal("V", doc.RootElement.GetProperty("query").GetProperty("modalities").GetString());

        var audio = CommandLine.Run("search", "--audio", _corpus.Media("joy", "ogg"), "--index", index);
        Assert.Equal(1, audio.Code);
        Assert.Contains("an audio query cannot be embedded: the model 'cpu' has no audio pathway", audio.Err);
        Assert.DoesNotContain("internal error", audio.Err);
        var view = CommandLine.Run("search", "--text", "sunny", "--db", "A", "--index", index);
        Assert.Equal(1, view.Code);
        Assert.Contains("view 'A' cannot be searched", view.Err);
    }
}
