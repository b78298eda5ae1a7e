using System.Text.Json;
using Affect.Search.Tests.Shared;

namespace Affect.Search.Cli.Tests;

/// <summary>`affect train --corpus a.jsonl --corpus b.jsonl`: one training set from several manifests (a corpus and the extended unlabelled corpus).</summary>
[Collection("console")]
public sealed class TrainOnSeveralManifestsTests : IDisposable
{
    private readonly EmotionTestCorpus _corpus = new();

    public void Dispose() => _corpus.Dispose();

    [Fact]
    public void Items_of_every_manifest_train_and_an_id_repeated_in_a_later_manifest_is_reported_and_left_out()
    {
        var pairs = File.ReadLines(_corpus.Manifest).Where(line => !line.Contains("\"video\"") && !line.Contains("\"audio\"")).ToList();
        var first = Path.Combine(_corpus.Folder, "first.jsonl");
        var second = Path.Combine(_corpus.Folder, "second.jsonl");
        File.WriteAllLines(first, pairs.Take(pairs.Count / 2));
        // The second repeats the first's first line: the same item twice would weigh double in training.
        File.WriteAllLines(second, pairs.Skip(pairs.Count / 2).Prepend(pairs[0]));
        string repeated = JsonDocument.Parse(pairs[0]).RootElement.GetProperty("id").GetString()!;
        var model = Path.Combine(_corpus.Folder, "model");

        var train = CommandLine.Run("train", "--corpus", first, "--corpus", second, "--preset", "cpu", "--out", model, "--backend", "cpu", "--json");

        Assert.True(train.Code == 0, train.Err);
        Assert.Contains($"{second}: line 1 ({repeated}): left out, an earlier manifest has an item with this id", train.Err);
        using var summary = JsonDocument.Parse(train.Out);
        Assert.Equal(pairs.Count, summary.RootElement.GetProperty("items").GetInt32());
    }
}
