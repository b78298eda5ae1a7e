using System.Text.Json;

namespace Affect.Search.Cli.Tests;

/// <summary>
/// The `affect` program run in-process: exit codes, error messages on standard error, and the --json
/// outputs that scripts rely on. Console redirection is process-wide, so these tests run one at a time.
/// </summary>
[Collection("console")]
public sealed class CommandLineTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("affect-cli-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private static (int Code, string Out, string Err) Run(params string[] args) => CommandLine.Run(args);

    [Fact]
    public void Usage_errors_exit_2_and_bad_input_exits_1_with_a_message()
    {
        var usage = Run("train", "--no-such-option");
        Assert.Equal(2, usage.Code);
        Assert.Contains("--no-such-option", usage.Err);

        var noData = Run("train", "--out", Path.Combine(_folder, "m"));
        Assert.Equal(1, noData.Code);
        Assert.Contains("--corpus", noData.Err);

        var both = Run("train", "--preset", "cpu", "--config", Path.Combine(_folder, "x.json"), "--synthetic");
        Assert.Equal(1, both.Code);
        Assert.Contains("either --preset or --config", both.Err);

        var unknownPreset = Run("train", "--synthetic", "--preset", "huge", "--out", Path.Combine(_folder, "m"));
        Assert.Equal(1, unknownPreset.Code);
        Assert.Contains("unknown preset 'huge'", unknownPreset.Err);

        var noModel = Run("model-info", "--model", Path.Combine(_folder, "none"));
        Assert.Equal(1, noModel.Code);
        Assert.Contains("no model file", noModel.Err);
    }

    [Fact]
    public void Train_writes_a_model_folder_that_model_info_describes()
    {
        var folder = Path.Combine(_folder, "model");
        var train = Run("train", "--synthetic", "--items", "150", "--preset", "cpu", "--seed", "4", "--out", folder, "--json");
        Assert.Equal(0, train.Code);
        using var summary = JsonDocument.Parse(train.Out);
        Assert.Equal(150, summary.RootElement.GetProperty("items").GetInt32());
        Assert.True(File.Exists(Path.Combine(folder, "model.afdbm")));
        var log = File.ReadAllLines(Path.Combine(folder, "training.jsonl"));
        Assert.Contains(log, l => l.Contains("\"stage\":\"joint\""));

        var info = Run("model-info", "--model", folder, "--json");
        Assert.Equal(0, info.Code);
        using var described = JsonDocument.Parse(info.Out);
        Assert.Equal(summary.RootElement.GetProperty("identity").GetString(), described.RootElement.GetProperty("identity").GetString());
        Assert.Equal("cpu", described.RootElement.GetProperty("name").GetString());
        // The layers' activity in the trained model, from the training log: one entry per hidden layer.
        var activity = described.RootElement.GetProperty("activity").EnumerateArray().ToList();
        Assert.Contains(activity, a => a.GetProperty("layer").GetString() == "joint" && a.GetProperty("spread").GetDouble() > 0);
        Assert.Equal(log.Count(l => l.Contains("\"stage\":\"activity\"")), activity.Count);
        Assert.Contains("layer activity after training", Run("model-info", "--model", folder).Out);
    }

    [Fact]
    public void Demo_json_has_every_cell_of_the_cross_modal_table()
    {
        var demo = Run("demo", "--items", "200", "--eval-items", "80", "--joint-epochs", "1", "--out", Path.Combine(_folder, "demo"), "--json");
        Assert.Equal(0, demo.Code);
        using var doc = JsonDocument.Parse(demo.Out);
        var results = doc.RootElement.GetProperty("results").EnumerateArray().ToList();
        Assert.Equal(4 * 5, results.Count);
        Assert.All(results, r =>
        {
            Assert.InRange(r.GetProperty("mapAt20").GetDouble(), 0, 1);
            Assert.Equal(20, r.GetProperty("queries").GetInt32());
        });
        Assert.Contains(results, r => r.GetProperty("query").GetString() == "T" && r.GetProperty("database").GetString() == "V");
    }

    [Fact]
    public void A_manifest_without_usable_lines_is_refused_with_every_bad_line_reported()
    {
        var manifest = Path.Combine(_folder, "items.jsonl");
        File.WriteAllLines(manifest, new[] { "{\"id\": \"a\", \"image\": \"missing.png\"}", "not json" });
        var result = Run("train", "--corpus", manifest, "--out", Path.Combine(_folder, "m"));
        Assert.Equal(1, result.Code);
        Assert.Contains("line 1 (a): missing image file", result.Err);
        Assert.Contains("line 2: bad JSON", result.Err);
        Assert.Contains("no usable items", result.Err);
    }
}
