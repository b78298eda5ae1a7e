using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Nodes;

namespace Affect.Search.Benchmarks;

/// <summary>Runs eval/peers/rbm_peers.py (scikit-learn and PyTorch) as a subprocess and reads its JSON.</summary>
public static class PeerRunner
{
    public const string Python = "/usr/bin/python3";
    public const string ScriptRelativePath = "eval/peers/rbm_peers.py";

    /// <summary>The peers' JSON document, or null and a note saying why there is none.</summary>
    public static (JsonNode? Peers, string? Note) Run(RbmBenchmarkOptions options)
    {
        var root = RepositoryRoot.Find();
        if (root is null) return (null, "peers skipped: repository root (a directory holding Affect.Search.sln) not found above the working directory or the program");
        var script = Path.Combine(root, ScriptRelativePath);
        if (!File.Exists(script)) return (null, $"peers skipped: {script} not found");
        if (!File.Exists(Python)) return (null, $"peers skipped: {Python} not found; install the peers with `sudo tools/setup.sh --bench`");

        var info = new ProcessStartInfo(Python)
        {
            WorkingDirectory = root,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        info.ArgumentList.Add(script);
        info.ArgumentList.Add("--json");
        if (options.Quick) info.ArgumentList.Add("--quick");
        var extra = new[]
        {
            ("--seconds", options.SecondsPerMeasurement), ("--wait-quiet", options.WaitQuietSeconds),
            ("--max-load", options.MaxForeignLoad), ("--timeout", options.MeasurementTimeoutSeconds),
        };
        foreach (var (name, value) in extra)
        {
            info.ArgumentList.Add(name);
            info.ArgumentList.Add(value.ToString("R", CultureInfo.InvariantCulture));
        }

        RbmBenchmark.Log($"peers: {Python} {string.Join(' ', info.ArgumentList.Skip(0).Select(a => a == script ? ScriptRelativePath : a))} (sklearn, then torch)");
        using var process = Process.Start(info)!;
        var stderrTask = process.StandardError.ReadToEndAsync();
        var stdout = process.StandardOutput.ReadToEnd();
        if (!process.WaitForExit(TimeSpan.FromMinutes(30)))
        {
            process.Kill(entireProcessTree: true);
            return (null, "peers skipped: rbm_peers.py did not finish within 30 minutes");
        }
        var stderr = stderrTask.Result;
        if (process.ExitCode != 0)
            return (null, $"peers skipped: rbm_peers.py exited with {process.ExitCode}: {Tail(stderr)}");

        JsonNode? doc;
        try { doc = JsonNode.Parse(stdout); }
        catch (System.Text.Json.JsonException e) { return (null, $"peers skipped: rbm_peers.py printed no valid JSON ({e.Message}): {Tail(stdout)}"); }

        var notes = new List<string>();
        if (doc?["skipped"]?.GetValue<string>() is { } all) notes.Add($"peers skipped: {all}");
        foreach (var peer in new[] { "sklearn", "torch" })
            if (doc?[peer]?["skipped"]?.GetValue<string>() is { } why) notes.Add($"{peer} skipped: {why}");
        return (doc, notes.Count == 0 ? null : string.Join("; ", notes));
    }

    /// <summary>A peer's samples/s for one shape, if it ran.</summary>
    public static double? SamplesPerSecond(JsonNode? peers, string peer, int visible, int hidden, int batch)
    {
        if (peers?[peer]?["shapes"] is not JsonArray shapes) return null;
        foreach (var s in shapes)
        {
            if (s is null) continue;
            if ((int?)s["visible"] == visible && (int?)s["hidden"] == hidden && (int?)s["batch"] == batch)
                return (double?)s["samples_per_second"];
        }
        return null;
    }

    private static string Tail(string text) => text.Length <= 600 ? text.Trim() : "..." + text[^600..].Trim();
}

/// <summary>Finds the repository root: the nearest directory above the working directory (or the program) holding Affect.Search.sln.</summary>
public static class RepositoryRoot
{
    public static string? Find()
    {
        foreach (var start in new[] { Directory.GetCurrentDirectory(), AppContext.BaseDirectory })
        {
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
                if (File.Exists(Path.Combine(dir.FullName, "Affect.Search.sln"))) return dir.FullName;
        }
        return null;
    }
}
