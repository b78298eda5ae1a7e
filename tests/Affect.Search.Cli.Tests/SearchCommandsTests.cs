using System.Text.Json;
using Affect.Search.Tests.Shared;

namespace Affect.Search.Cli.Tests;

/// <summary>
/// The index commands end to end through the `affect` program: train on a generated corpus, index it,
/// then search, describe, delete and info, with the documented --json schemas, exit codes and errors.
/// </summary>
[Collection("console")]
public sealed partial class SearchCommandsTests : IClassFixture<SearchCommandsTests.TrainedCorpus>
{
    private readonly TrainedCorpus _c;

    public SearchCommandsTests(TrainedCorpus corpus) => _c = corpus;

    public sealed class TrainedCorpus : IDisposable
    {
        public TrainedCorpus()
        {
            Corpus = new EmotionTestCorpus();
            Model = Path.Combine(Corpus.Folder, "model");
            var config = Path.Combine(Corpus.Folder, "config.json");
            File.WriteAllText(config, EmotionTestCorpus.SmallBatchCpuConfig);
            var train = CommandLine.Run("train", "--corpus", Corpus.Manifest, "--config", config, "--out", Model, "--backend", "cpu");
            if (train.Code != 0) throw new InvalidOperationException($"training failed: {train.Err}");
        }

        public EmotionTestCorpus Corpus { get; }
        public string Model { get; }

        /// <summary>A fresh index of the whole corpus in a new folder.</summary>
        public string NewIndex()
        {
            var index = Path.Combine(Corpus.Folder, "index-" + Guid.NewGuid().ToString("N")[..8]);
            var run = CommandLine.Run("index", "--corpus", Corpus.Manifest, "--model", Model, "--index", index, "--backend", "cpu", "--commit-every", "20");
            if (run.Code != 0) throw new InvalidOperationException($"indexing failed: {run.Err}");
            return index;
        }

        public void Dispose() => Corpus.Dispose();
    }

    [Fact]
    public void Index_then_search_by_text_gives_the_documented_json()
    {
        var index = Path.Combine(_c.Corpus.Folder, "index-json");
        var run = CommandLine.Run("index", "--corpus", _c.Corpus.Manifest, "--model", _c.Model, "--index", index, "--backend", "cpu", "--json");
        Assert.Equal(0, run.Code);
        using (var summary = JsonDocument.Parse(run.Out))
        {
            Assert.Equal(45, summary.RootElement.GetProperty("indexed").GetInt32());
            Assert.Equal(45, summary.RootElement.GetProperty("items").GetInt64());
        }
        var search = CommandLine.Run("search", "--text", "storm thunder", "--index", index, "--k", "5", "--json");
        Assert.Equal(0, search.Code);
        using var doc = JsonDocument.Parse(search.Out);
        var root = doc.RootElement;
        Assert.Equal("storm thunder", root.GetProperty("query").GetProperty("text").GetString());
        Assert.Equal("T", root.GetProperty("query").GetProperty("modalities").GetString());
        Assert.Equal("full", root.GetProperty("db").GetString());
        var results = root.GetProperty("results").EnumerateArray().ToList();
        Assert.Equal(5, results.Count);
        Assert.Equal([1, 2, 3, 4, 5], results.Select(r => r.GetProperty("rank").GetInt32()));
        // Mostly the queried class (the engine tests hold the exact precision bounds).
        Assert.True(results.Count(r => r.GetProperty("labels").GetProperty("emotion")[0].GetString() == "fear") >= 3, search.Out);
        Assert.All(results, r => Assert.InRange(r.GetProperty("score").GetSingle(), -1f, 1.0001f));
        Assert.True(results[0].TryGetProperty("id", out _) && results[0].TryGetProperty("text", out _));
    }

    [Fact]
    public void Media_queries_views_filters_hybrid_and_batches_work_from_the_command_line()
    {
        var index = _c.NewIndex();
        var image = CommandLine.Run("search", "--image", _c.Corpus.Media("calm", "png"), "--db", "T", "--index", index, "--k", "3", "--json");
        Assert.Equal(0, image.Code);
        using (var doc = JsonDocument.Parse(image.Out))
        {
            Assert.Equal("T", doc.RootElement.GetProperty("db").GetString());
            Assert.All(doc.RootElement.GetProperty("results").EnumerateArray(), r => Assert.Contains("T", r.GetProperty("modalities").GetString()));
        }
        var filtered = CommandLine.Run("search", "--text", "sunny", "--filter", "emotion=calm", "--index", index, "--k", "4", "--json");
        using (var doc = JsonDocument.Parse(filtered.Out))
            Assert.All(doc.RootElement.GetProperty("results").EnumerateArray(), r => Assert.Equal("calm", r.GetProperty("labels").GetProperty("emotion")[0].GetString()));

        var hybrid = CommandLine.Run("search", "--text", "thunder", "--hybrid", "--explain", "--index", index, "--k", "5");
        Assert.Equal(0, hybrid.Code);
        Assert.Contains("BM25 rank", hybrid.Out);

        var queries = Path.Combine(_c.Corpus.Folder, "queries.jsonl");
        File.WriteAllLines(queries, [
            JsonSerializer.Serialize(new { id = "q-text", text = "forest quiet" }),
            JsonSerializer.Serialize(new { id = "q-video", video = "joy.mp4" }),
            JsonSerializer.Serialize(new { id = "q-broken", image = "broken.png" }),
        ]);
        var batch = CommandLine.Run("search", "--queries", queries, "--index", index, "--k", "3");
        Assert.Equal(5, batch.Code); // one query failed; the others were answered
        var lines = batch.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(2, lines.Length);
        Assert.Equal("q-text", JsonDocument.Parse(lines[0]).RootElement.GetProperty("query").GetProperty("id").GetString());
        Assert.Contains("broken.png", batch.Err);
    }

    [Fact]
    public void Describe_delete_and_info_report_and_change_the_index()
    {
        var index = _c.NewIndex();
        var describe = CommandLine.Run("describe", "--video", _c.Corpus.Media("fear", "mp4"), "--index", index, "--json");
        Assert.Equal(0, describe.Code);
        using (var doc = JsonDocument.Parse(describe.Out))
        {
            Assert.Equal(10, doc.RootElement.GetProperty("words").GetArrayLength());
            Assert.Equal("T", doc.RootElement.GetProperty("db").GetString());
            Assert.NotEqual(0, doc.RootElement.GetProperty("results").GetArrayLength());
        }
        var info = CommandLine.Run("info", "--index", index, "--json");
        Assert.Equal(0, info.Code);
        using (var doc = JsonDocument.Parse(info.Out))
        {
            Assert.Equal(45, doc.RootElement.GetProperty("items").GetInt64());
            Assert.Equal(["full", "T", "V", "A", "VA"], doc.RootElement.GetProperty("views").EnumerateArray().Select(v => v.GetProperty("view").GetString()));
            Assert.Equal(3, doc.RootElement.GetProperty("generation").GetInt64()); // 45 items, 20 per commit
            Assert.True(doc.RootElement.GetProperty("bytes").GetInt64() > 0);
            Assert.Equal(64, doc.RootElement.GetProperty("model").GetProperty("dimension").GetInt32());
        }
        var delete = CommandLine.Run("delete", "--id", "fear-video-0", "--id", "nobody", "--index", index);
        Assert.Equal(1, delete.Code);
        Assert.Contains("no item 'nobody'", delete.Err);
        var after = CommandLine.Run("info", "--index", index, "--json");
        using (var doc = JsonDocument.Parse(after.Out))
        {
            Assert.Equal(44, doc.RootElement.GetProperty("items").GetInt64());
            Assert.Equal(4, doc.RootElement.GetProperty("generation").GetInt64());
        }
        var search = CommandLine.Run("search", "--text", "storm", "--index", index, "--k", "44", "--json");
        Assert.DoesNotContain("fear-video-0", search.Out);
    }

    [Fact]
    public void Bad_searches_exit_1_or_2_with_a_message_on_stderr()
    {
        var index = _c.NewIndex();
        var empty = CommandLine.Run("search", "--index", index);
        Assert.Equal(1, empty.Code);
        Assert.Contains("empty query", empty.Err);
        var noIndex = CommandLine.Run("search", "--text", "storm", "--index", Path.Combine(_c.Corpus.Folder, "nowhere"));
        Assert.Equal(1, noIndex.Code);
        Assert.Contains("no index at", noIndex.Err);
        var view = CommandLine.Run("search", "--text", "storm", "--db", "X", "--index", index);
        Assert.Equal(1, view.Code);
        Assert.Contains("unknown database view 'X'", view.Err);
        var filter = CommandLine.Run("search", "--text", "storm", "--filter", "emotion", "--index", index);
        Assert.Equal(1, filter.Code);
        Assert.Contains("field=value", filter.Err);
        var unknown = CommandLine.Run("search", "--text", "xylophone", "--index", index);
        Assert.Equal(1, unknown.Code);
        Assert.Contains("outside the vocabulary", unknown.Err);
        var missing = CommandLine.Run("describe", "--image", Path.Combine(_c.Corpus.Folder, "none.png"), "--index", index);
        Assert.Equal(1, missing.Code);
        Assert.Contains("does not exist", missing.Err);
        var usage = CommandLine.Run("search", "--k", "many");
        Assert.Equal(2, usage.Code);
    }
}
