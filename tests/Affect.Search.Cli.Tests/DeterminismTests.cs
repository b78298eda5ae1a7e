using System.Diagnostics;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Affect.Search.Tests.Shared;

namespace Affect.Search.Cli.Tests;

/// <summary>
/// The same seed gives the same bytes in two separate processes: `affect eval --corpus` on a small generated
/// benchmark corpus (features, a trained model, baselines, emotion prediction, report) is run twice as a child
/// process, in the same folder so that the paths it records agree, and every output is compared by SHA-256.
/// Separate processes matter: .NET randomises string hashes per process and thread pools schedule differently.
/// </summary>
public sealed partial class DeterminismTests : IDisposable
{
    private readonly EmotionTestCorpus _corpus = new(seed: 11);

    public void Dispose() => _corpus.Dispose();

    [Fact]
    public void The_same_seed_gives_byte_identical_media_features_models_and_benchmark_tables_in_two_processes()
    {
        var again = new EmotionTestCorpus(seed: 11);
        try { Assert.Equal(HashFolder(_corpus.Folder), HashFolder(again.Folder)); }
        finally { again.Dispose(); }

        string corpus = BenchmarkCorpusOf(_corpus);
        string config = Path.Combine(_corpus.Folder, "config.json");
        File.WriteAllText(config, EmotionTestCorpus.SmallBatchCpuConfig);
        string report = Path.Combine(_corpus.Folder, "report");

        var first = RunBenchmark(corpus, config, report);
        Directory.Delete(report, recursive: true);
        var second = RunBenchmark(corpus, config, report);

        Assert.Equal(first.Keys.Order(StringComparer.Ordinal), second.Keys.Order(StringComparer.Ordinal));
        foreach (var (file, hash) in first)
            Assert.True(hash == second[file], $"{file} differs between two processes with the same seed");
        // What the comparison covered: a model folder and the tables, not only what happened to be written.
        Assert.Contains(first.Keys, f => f.EndsWith("model.afdbm", StringComparison.Ordinal));
        Assert.Contains(first.Keys, f => f.EndsWith("features.json", StringComparison.Ordinal));
        Assert.Contains("report.md", first.Keys);
        Assert.Contains("results.json", first.Keys);
    }

    /// <summary>
    /// The three manifests a benchmark corpus has, from one item of each modality combination per class (three
    /// videos with text, as CCA needs ten items with text and pictures): 21 items train, the even ones are the
    /// database and the odd ones the queries. Fewer items than the whole generated corpus because extracting
    /// features is most of the run's time.
    /// </summary>
    private static string BenchmarkCorpusOf(EmotionTestCorpus corpus)
    {
        string[] kept = ["-video-0", "-video-1", "-video-2", "-image-0", "-text-0", "-silent-0", "-sound"];
        var lines = File.ReadAllLines(corpus.Manifest)
            .Where(l => kept.Any(k => l.Contains($"{k}\"", StringComparison.Ordinal))).ToList();
        Assert.Equal(21, lines.Count);
        File.WriteAllLines(Path.Combine(corpus.Folder, "train.jsonl"), lines);
        File.WriteAllLines(Path.Combine(corpus.Folder, "reference.jsonl"), lines.Where((_, i) => i % 2 == 0));
        File.WriteAllLines(Path.Combine(corpus.Folder, "queries.jsonl"), lines.Where((_, i) => i % 2 == 1));
        return corpus.Folder;
    }

    /// <summary>Runs `affect eval` in a child process and returns the SHA-256 of every file it wrote, timings left out.</summary>
    private static Dictionary<string, string> RunBenchmark(string corpus, string config, string report)
    {
        var (code, stdout, stderr) = RunAffect("eval", "--corpus", corpus, "--config", config, "--learned", "e-mdbm", "--seeds", "1",
            "--repeats", "2", "--joint-epochs", "2", "--pretraining-epochs", "10", "--backend", "cpu", "--report", report, "--json");
        Assert.True(code == 0, $"affect eval exited {code}: {stderr}");
        var hashes = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var path in Directory.EnumerateFiles(report, "*", SearchOption.AllDirectories))
        {
            string relative = Path.GetRelativePath(report, path).Replace('\\', '/');
            if (Path.GetFileName(path) == "training.jsonl") continue;   // one line per epoch with its wall-clock seconds
            byte[] bytes = relative switch
            {
                "results.json" => System.Text.Encoding.UTF8.GetBytes(WithoutTimings(JsonNode.Parse(File.ReadAllText(path))!).ToJsonString()),
                "report.md" => System.Text.Encoding.UTF8.GetBytes(TimingFigure().Replace(File.ReadAllText(path), "| s |")),
                _ => File.ReadAllBytes(path),
            };
            hashes[relative] = Convert.ToHexString(SHA256.HashData(bytes));
        }
        hashes["stdout (--json)"] = Convert.ToHexString(SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(
            WithoutTimings(JsonNode.Parse(stdout)!).ToJsonString())));
        return hashes;
    }

    /// <summary>Drops every "seconds" property: wall-clock time is the one thing a seed does not fix.</summary>
    private static JsonNode WithoutTimings(JsonNode node)
    {
        if (node is JsonObject o)
        {
            o.Remove("seconds");
            foreach (var (_, child) in o) if (child is not null) WithoutTimings(child);
        }
        else if (node is JsonArray a)
            foreach (var child in a) if (child is not null) WithoutTimings(child);
        return node;
    }

    /// <summary>A seconds figure in a report table row (the models table and the stage timings).</summary>
    [GeneratedRegex(@"\| \d+\.\d \|(?= [^|]*\|?\s*$)|\| \d+\.\d \|\s*$", RegexOptions.Multiline)]
    private static partial Regex TimingFigure();

    private static Dictionary<string, string> HashFolder(string folder) => Directory.EnumerateFiles(folder)
        .ToDictionary(f => Path.GetFileName(f), f => Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(f))));

    /// <summary>Runs the built `affect` program (copied next to the tests) with `dotnet`, as a separate process.</summary>
    private static (int Code, string Out, string Err) RunAffect(params string[] args)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "affect.dll"));
        foreach (var a in args) start.ArgumentList.Add(a);
        using var child = Process.Start(start)!;
        var stderr = child.StandardError.ReadToEndAsync();
        string stdout = child.StandardOutput.ReadToEnd();
        if (!child.WaitForExit(TimeSpan.FromMinutes(5))) { child.Kill(entireProcessTree: true); throw new TimeoutException("affect eval took over 5 minutes"); }
        return (child.ExitCode, stdout, stderr.Result);
    }
}
