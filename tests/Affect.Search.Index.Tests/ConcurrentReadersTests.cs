using System.Diagnostics;
using Affect.Search.Index.CrashWriter;
using Affect.Search.Index.Tests.Text;

namespace Affect.Search.Index.Tests;

/// <summary>
/// Readers beside a writer that commits after every item: opens never fail, an open snapshot keeps its
/// generation however many commits follow, and a refreshing reader moves on to new generations.
/// </summary>
public sealed class ConcurrentReadersTests : IDisposable
{
    private readonly TempIndexDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    private MultimodalIndexWriter Writer() => MultimodalIndexWriter.Open(_dir.Path, CrashWorkload.Identity, ChurnWorkload.Settings);

    /// <summary>A writer with <paramref name="commits"/> single-operation commits already made.</summary>
    private MultimodalIndexWriter WriterAfter(int commits)
    {
        var writer = Writer();
        ChurnWorkload.Write(writer, seed: 1, commits, () => false);
        return writer;
    }

    [Fact]
    public void Readers_in_the_writers_process_never_fail_while_it_commits_every_item()
    {
        long start;
        using (var w = WriterAfter(20)) start = w.Generation;
        using var writer = Writer();
        var stop = new ManualResetEventSlim();
        var writing = Task.Run(() => ChurnWorkload.Write(writer, seed: 2, long.MaxValue, () => stop.IsSet));
        // Two reader threads, a thousand opens each, and at least 150 commits under them.
        var readers = Enumerable.Range(0, 2)
            .Select(r => Task.Run(() => ChurnWorkload.Read(_dir.Path, seed: 10 + r, opens: 1000, untilGeneration: start + 150, () => writing.IsCompleted)))
            .ToArray();
        ReadReport[] reports;
        try { reports = Task.WhenAll(readers).GetAwaiter().GetResult(); }
        finally
        {
            stop.Set();
            writing.GetAwaiter().GetResult();
        }
        Assert.True(reports.All(r => r.Failures == 0), string.Join("\n", reports.Select(r => $"{r.Failures} of {r.Opens} opens failed: {string.Join(" | ", r.Errors)}")));
        foreach (var report in reports)
        {
            Assert.True(report.Failures == 0, $"{report.Failures} of {report.Opens} opens failed: {string.Join(" | ", report.Errors)}");
            Assert.True(report.LastGeneration >= start + 150);
        }
    }

    [Fact]
    public void Readers_in_another_process_never_fail_while_a_writer_process_commits_every_item()
    {
        long start;
        using (var w = WriterAfter(20)) start = w.Generation;
        var stopFile = Path.Combine(_dir.Path, "stop-writing");
        using var writer = StartChild("churn-write", _dir.Path, "3", long.MaxValue.ToString(), stopFile);
        string readerOutput;
        try
        {
            using var reader = StartChild("churn-read", _dir.Path, "4", "300", (start + 100).ToString());
            readerOutput = reader.StandardOutput.ReadToEnd();
            reader.WaitForExit();
            Assert.True(reader.ExitCode == 0, $"reader exited {reader.ExitCode}: {reader.StandardError.ReadToEnd()}");
        }
        finally
        {
            File.WriteAllText(stopFile, "");
            writer.WaitForExit();
        }
        Assert.True(writer.ExitCode == 0, $"writer exited {writer.ExitCode}: {writer.StandardError.ReadToEnd()}");
        Assert.True(readerOutput.Contains("failures 0 "), readerOutput);
    }

    private static Process StartChild(params string[] args)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(typeof(ChurnWorkload).Assembly.Location);
        foreach (var a in args) start.ArgumentList.Add(a);
        var child = Process.Start(start)!;
        // The writer's progress lines are not needed: drain them so the pipe never fills and blocks it.
        if (args[0] == "churn-write") child.BeginOutputReadLine();
        return child;
    }
}
