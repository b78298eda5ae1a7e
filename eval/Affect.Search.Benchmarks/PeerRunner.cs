using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Nodes;

namespace Affect.Search.Benchmarks;

/// <summary>Runs the Python peers (eval/peers/*.py, with /usr/bin/python3) as subprocesses and reads their JSON.</summary>
public static class PeerRunner
{
    public const string Python = "/usr/bin/python3";
    public const string ScriptRelativePath = "eval/peers/rbm_peers.py";

    /// <summary>The peers' JSON document, or null and a note saying why there is none.</summary>
    public static (JsonNode? Peers, string? Note) Run(RbmBenchmarkOptions options)
    {
        var extra = new List<string> { "--json" };
        if (options.Quick) extra.Add("--quick");
        foreach (var (name, value) in new[]
        {
            ("--seconds", options.SecondsPerMeasurement), ("--wait-quiet", options.WaitQuietSeconds),
            ("--max-load", options.MaxForeignLoad), ("--timeout", options.MeasurementTimeoutSeconds),
        })
        {
            extra.Add(name);
            extra.Add(value.ToString("R", CultureInfo.InvariantCulture));
        }
        var (doc, failure) = RunScript(ScriptRelativePath, extra, "sklearn, then torch", TimeSpan.FromMinutes(30));
        if (doc is null) return (null, failure);

        var notes = new List<string>();
        if (doc?["skipped"]?.GetValue<string>() is { } all) notes.Add($"peers skipped: {all}");
        foreach (var peer in new[] { "sklearn", "torch" })
            if (doc?[peer]?["skipped"]?.GetValue<string>() is { } why) notes.Add($"{peer} skipped: {why}");
        return (doc, notes.Count == 0 ? null : string.Join("; ", notes));
    }

    /// <summary>
    /// Runs <c>/usr/bin/python3 SCRIPT ARGS</c> (SCRIPT relative to the repository root, which is also the working
    /// directory) and parses its stdout as JSON: the document, or null and a note saying why there is none.
    /// </summary>
    public static (JsonNode? Doc, string? Note) RunScript(string scriptRelativePath, IReadOnlyList<string> arguments, string what, TimeSpan timeout)
    {
        var name = Path.GetFileName(scriptRelativePath);
        var root = RepositoryRoot.Find();
        if (root is null) return (null, "peers skipped: repository root (a directory holding Affect.Search.sln) not found above the working directory or the program");
        var script = Path.Combine(root, scriptRelativePath);
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
        foreach (var a in arguments) info.ArgumentList.Add(a);

        RbmBenchmark.Log($"peers: {Python} {scriptRelativePath} {string.Join(' ', arguments)} ({what})");
        using var process = Process.Start(info)!;
        var stderrTask = process.StandardError.ReadToEndAsync();
        var stdout = process.StandardOutput.ReadToEnd();
        if (!process.WaitForExit(timeout))
        {
            process.Kill(entireProcessTree: true);
            return (null, $"peers skipped: {name} did not finish within {timeout.TotalMinutes:0} minutes");
        }
        var stderr = stderrTask.Result;
        if (process.ExitCode != 0)
            return (null, $"peers skipped: {name} exited with {process.ExitCode}: {Tail(stderr)}");

        try { return (JsonNode.Parse(stdout), null); }
        catch (System.Text.Json.JsonException e) { return (null, $"peers skipped: {name} printed no valid JSON ({e.Message}): {Tail(stdout)}"); }
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
