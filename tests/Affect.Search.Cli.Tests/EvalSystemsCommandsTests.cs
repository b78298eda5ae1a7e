using System.Text.Json;
using Affect.Search.Tests.Shared;

namespace Affect.Search.Cli.Tests;

/// <summary>`affect eval --corpus` with several --system entries and --validation, through the `affect` program.</summary>
[Collection("console")]
public sealed class EvalSystemsCommandsTests : IDisposable
{
    private readonly EmotionTestCorpus _corpus = new();

    public void Dispose() => _corpus.Dispose();

    [Fact]
    public void Two_systems_from_a_configuration_file_and_a_preset_are_evaluated_on_the_validation_split()
    {
        var lines = File.ReadAllLines(_corpus.Manifest);
        File.WriteAllLines(Path.Combine(_corpus.Folder, "train.jsonl"), lines);
        // Never read in validation mode: not even their absence matters.
        string config = Path.Combine(_corpus.Folder, "small.json");
        File.WriteAllText(config, EmotionTestCorpus.SmallBatchCpuConfig);
        string report = Path.Combine(_corpus.Folder, "report");
        var run = CommandLine.Run("eval", "--corpus", _corpus.Folder, "--system", $"Small M5={config}", "--system", "MDBM=mdbm-cpu", "--validation",
            "--seeds", "1", "--repeats", "2", "--pretraining-epochs", "3", "--joint-epochs", "1", "--cells", "T->full", "--cells", "all->full",
            "--backend", "cpu", "--report", report, "--json");
        Assert.True(run.Code == 0, run.Err);
        using var json = JsonDocument.Parse(run.Out);
        var root = json.RootElement;
        Assert.Equal("validation", root.GetProperty("split").GetString());
        Assert.Equal("validation", root.GetProperty("corpus").GetProperty("split").GetString());
        Assert.Equal(["Small M5", "MDBM"], root.GetProperty("systems").EnumerateArray().Take(2).Select(s => s.GetString()));
        Assert.Equal(["Small M5", "MDBM"], root.GetProperty("models").EnumerateArray().Select(m => m.GetProperty("system").GetString()));
        Assert.Equal(["cpu-small-batches", "mdbm-cpu"], root.GetProperty("models").EnumerateArray().Select(m => m.GetProperty("preset").GetString()));
        Assert.Contains(root.GetProperty("summary").EnumerateArray(), s => s.GetProperty("system").GetString() == "MDBM" && s.GetProperty("cell").GetString() == "T->DB-full");
        Assert.Contains("validation split", File.ReadAllText(Path.Combine(report, "report.md")));
    }

    [Fact]
    public void Bad_system_entries_exit_1_with_a_message()
    {
        var noName = CommandLine.Run("eval", "--corpus", _corpus.Folder, "--system", "cpu");
        Assert.Equal(1, noName.Code);
        Assert.Contains("expected NAME=SPEC", noName.Err);
        var unknown = CommandLine.Run("eval", "--corpus", _corpus.Folder, "--system", "X=no-such-preset");
        Assert.Equal(1, unknown.Code);
        Assert.Contains("neither a preset", unknown.Err);
        var both = CommandLine.Run("eval", "--corpus", _corpus.Folder, "--system", "X=cpu", "--learned", "mdbm");
        Assert.Equal(1, both.Code);
        Assert.Contains("not both", both.Err);
    }
}
