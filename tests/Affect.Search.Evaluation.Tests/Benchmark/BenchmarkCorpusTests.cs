using System.Text.Json.Nodes;
using Affect.Search.Evaluation.Benchmark;
using Affect.Search.Features.Decoding;
using Affect.Search.Model.Configuration;
using Affect.Search.Tests.Shared;

namespace Affect.Search.Evaluation.Tests.Benchmark;

/// <summary>Loading a benchmark corpus with further training manifests (the extended unlabelled corpus).</summary>
public sealed class BenchmarkCorpusTests : IDisposable
{
    private readonly EmotionTestCorpus _corpus = new();

    public void Dispose() => _corpus.Dispose();

    [Fact]
    public void Extra_manifests_join_the_training_items_only_and_an_id_the_corpus_has_is_reported_and_left_out()
    {
        BenchmarkTestCorpus.WriteSplit(_corpus);
        var lines = File.ReadAllLines(_corpus.Manifest);
        string queryId = JsonNode.Parse(lines[0])!["id"]!.GetValue<string>(); // every third line is a query
        var extra = Path.Combine(_corpus.Folder, "extra.jsonl");
        File.WriteAllLines(extra, [BenchmarkTestCorpus.WithId(lines[1], "extra-1"), BenchmarkTestCorpus.WithId(lines[2], "extra-2"), BenchmarkTestCorpus.WithId(lines[4], queryId), "{not json"]);
        var config = DbmConfig.FromJson(EmotionTestCorpus.SmallBatchCpuConfig);
        var problems = new List<string>();

        var extended = BenchmarkCorpus.Load(_corpus.Folder, config, new MediaDecoder(), onProblem: problems.Add, extraTraining: [extra]);

        Assert.Equal(2, extended.ExtraTraining);
        Assert.Equal(["extra-1", "extra-2"], extended.Train.Items.Select(i => i.Id).Where(id => id.StartsWith("extra-")).ToArray());
        Assert.Single(extended.Train.Items, i => i.Id == queryId); // the corpus's own training copy, not the extra one
        Assert.DoesNotContain(extended.References.Items, i => i.Id.StartsWith("extra-"));
        Assert.DoesNotContain(extended.Queries.Items, i => i.Id.StartsWith("extra-"));
        Assert.Contains(problems, p => p.Contains(extra) && p.Contains(queryId) && p.Contains("already has an item with this id"));
        Assert.Contains(problems, p => p.Contains(extra) && p.Contains("line 4"));
        // Subsets for a learning curve: nested, the corpus's own items before the extra ones, the rest unchanged.
        int own = extended.Train.Items.Count - 2;
        var smaller = extended.WithTrainingItems(own - 3, seed: 4);
        var exactlyOwn = extended.WithTrainingItems(own, seed: 4);
        var oneExtra = extended.WithTrainingItems(own + 1, seed: 4);
        Assert.Equal(own - 3, smaller.Train.Data.Count);
        Assert.Subset(exactlyOwn.Train.Items.Select(i => i.Id).ToHashSet(), smaller.Train.Items.Select(i => i.Id).ToHashSet());
        Assert.Subset(oneExtra.Train.Items.Select(i => i.Id).ToHashSet(), exactlyOwn.Train.Items.Select(i => i.Id).ToHashSet());
        Assert.Equal((0, 0, 1), (smaller.ExtraTraining, exactlyOwn.ExtraTraining, oneExtra.ExtraTraining));
        Assert.DoesNotContain(exactlyOwn.Train.Items, i => i.Id.StartsWith("extra-"));
        Assert.Same(extended.References, oneExtra.References);
        Assert.Same(extended.Queries, oneExtra.Queries);
        Assert.Equal(smaller.Train.Items.Select(i => i.Id), extended.WithTrainingItems(own - 3, seed: 4).Train.Items.Select(i => i.Id));
        Assert.Throws<ArgumentOutOfRangeException>(() => extended.WithTrainingItems(own + 3, seed: 4));
        // A subset's rows are the chosen items' rows.
        var chosenRow = smaller.Train.Items.ToList().FindIndex(i => i.Id == smaller.Train.Items[^1].Id);
        var sourceRow = extended.Train.Items.ToList().FindIndex(i => i.Id == smaller.Train.Items[^1].Id);
        foreach (var (name, data) in smaller.Train.Data.Features)
            if (data is Model.Data.DenseVisibleData d && smaller.Train.Data.IsPresent(name, chosenRow))
                Assert.Equal(((Model.Data.DenseVisibleData)extended.Train.Data.Features[name]).Row(sourceRow).ToArray(), d.Row(chosenRow).ToArray());

        // The extra items are featurized like the corpus's own: an item copied under a new id has the same features.
        int copy = extended.Train.Items.ToList().FindIndex(i => i.Id == "extra-1");
        int original = extended.Train.Items.ToList().FindIndex(i => i.Id == JsonNode.Parse(lines[1])!["id"]!.GetValue<string>());
        foreach (var (name, data) in extended.Train.Data.Features)
        {
            Assert.Equal(extended.Train.Data.IsPresent(name, original), extended.Train.Data.IsPresent(name, copy));
            if (data is Model.Data.DenseVisibleData dense && extended.Train.Data.IsPresent(name, copy))
                Assert.Equal(dense.Row(original).ToArray(), dense.Row(copy).ToArray());
        }
    }
}
