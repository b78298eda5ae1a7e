using System.Text.Json;
using Affect.Search.Tests.Shared;

namespace Affect.Search.Cli.Tests;

/// <summary>`affect eval` (index mode) and `affect classify` through the `affect` program, on the generated corpus.</summary>
[Collection("console")]
public sealed class EvalCommandsTests : IClassFixture<SearchCommandsTests.TrainedCorpus>
{
    private readonly SearchCommandsTests.TrainedCorpus _c;

    public EvalCommandsTests(SearchCommandsTests.TrainedCorpus corpus) => _c = corpus;

    [Fact]
    public void Eval_of_an_index_reports_map_per_view_with_the_random_expectation_and_writes_a_report()
    {
        var index = _c.NewIndex();
        var report = Path.Combine(_c.Corpus.Folder, "eval-report");
        var run = CommandLine.Run("eval", "--queries", _c.Corpus.Manifest, "--index", index, "--db", "full", "--db", "T", "--report", report, "--json");
        Assert.Equal(0, run.Code);
        using var doc = JsonDocument.Parse(run.Out);
        var summary = doc.RootElement.GetProperty("summary").EnumerateArray()
            .Where(s => s.GetProperty("relevance").GetString() == "labels").ToList();
        double Map(string system, string database) => summary.Single(s => s.GetProperty("system").GetString() == system
            && s.GetProperty("database").GetString() == database).GetProperty("mapAt20").GetProperty("mean").GetDouble();
        foreach (var db in new[] { "full", "T" })
            Assert.True(Map("Index (E-MDBM)", db) > Map("Random", db) + 0.2, $"{db}: {Map("Index (E-MDBM)", db)} vs {Map("Random", db)}");
        // 45 items, the broken image among them decodes to nothing but its other modalities; all ask the full view.
        Assert.Equal(45, summary.First(s => s.GetProperty("database").GetString() == "full").GetProperty("queries").GetInt32());
        Assert.True(File.Exists(Path.Combine(report, "report.md")));
        Assert.True(File.Exists(Path.Combine(report, "trec", "qrels.all-db-full.txt")));
        Assert.True(File.Exists(Path.Combine(report, "trec", "index-e-mdbm.all-db-full.run")));
    }

    [Fact]
    public void Classify_gives_a_distribution_over_the_indexed_emotions()
    {
        var index = _c.NewIndex();
        var run = CommandLine.Run("classify", "--text", "storm thunder scream", "--image", _c.Corpus.Media("fear", "png"), "--index", index, "--top", "3", "--json");
        Assert.Equal(0, run.Code);
        using var doc = JsonDocument.Parse(run.Out);
        var root = doc.RootElement;
        Assert.Equal("emotion", root.GetProperty("kind").GetString());
        Assert.Equal("TV", root.GetProperty("modalities").GetString());
        Assert.Equal(["calm", "fear", "joy"], root.GetProperty("classes").EnumerateArray().Select(c => c.GetString()!).ToArray());
        var predictions = root.GetProperty("predictions").EnumerateArray().Select(p => (Label: p.GetProperty("label").GetString(), P: p.GetProperty("probability").GetDouble())).ToList();
        Assert.Equal(3, predictions.Count);
        Assert.Equal(1.0, predictions.Sum(p => p.P), 6);
        Assert.True(predictions.Zip(predictions.Skip(1)).All(x => x.First.P >= x.Second.P));
        Assert.Equal("fear", predictions[0].Label);
    }

    [Fact]
    public void Bad_evaluations_and_classifications_exit_1_with_a_message()
    {
        var index = _c.NewIndex();
        var nothing = CommandLine.Run("eval", "--index", index);
        Assert.Equal(1, nothing.Code);
        Assert.Contains("--corpus", nothing.Err);
        var notCorpus = CommandLine.Run("eval", "--corpus", _c.Corpus.Folder);
        Assert.Equal(1, notCorpus.Code);
        Assert.Contains("not a benchmark corpus", notCorpus.Err);
        var kind = CommandLine.Run("classify", "--text", "storm", "--kind", "genre", "--index", index);
        Assert.Equal(1, kind.Code);
        Assert.Contains("cannot learn 'genre' labels", kind.Err);
        var seeds = CommandLine.Run("eval", "--corpus", _c.Corpus.Folder, "--seeds", "one");
        Assert.Equal(1, seeds.Code);
        Assert.Contains("'one' is not a seed", seeds.Err);
    }
}
