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
    public async Task Readers_in_the_writers_process_never_fail_while_it_commits_every_item()
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
        try { reports = await Task.WhenAll(readers); }
        finally
        {
            stop.Set();
            await writing;
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

    [Fact]
    public void A_snapshot_keeps_its_generation_and_files_through_many_later_commits_and_lets_them_go_when_closed()
    {
        using var writer = WriterAfter(30);
        var layout = new IndexLayout(_dir.Path);
        var query = Enumerable.Range(0, CrashWorkload.Dimension).Select(i => (float)Math.Sin(i + 1)).ToArray();
        string[] Ids(IReadOnlyList<ItemHit> hits) => hits.Select(h => h.Item.Id).ToArray();
        using (var snapshot = MultimodalIndex.Open(_dir.Path))
        {
            long generation = snapshot.Generation;
            var files = Directory.GetFiles(layout.Vectors, "*.faiss").Select(Path.GetFileName).ToHashSet();
            var vectorHits = Ids(snapshot.SearchVectors("full", query, 5)[0]);
            // Later commits only add items, so every item the snapshot finds still exists.
            for (int i = 0; i < 40; i++)
            {
                writer.Upsert(ChurnWorkload.Added(seed: 9, 1_000_000 + i));
                writer.Commit();
            }
            Assert.Equal(generation + 40, writer.Generation);
            Assert.Equal(generation, snapshot.Generation);
            Assert.Equal(vectorHits, Ids(snapshot.SearchVectors("full", query, 5)[0]));
            Assert.NotEmpty(snapshot.SearchText("churned", 5));
            // The writer kept every file of the leased generation (main kept two generations' worth).
            var pinned = Directory.GetFiles(layout.Vectors, "*.faiss").Select(Path.GetFileName).ToHashSet();
            Assert.Superset(files.Where(f => StillReferencedAt(f!, files, generation)).ToHashSet(), pinned);
            using (Affect.Search.Index.Text.TextIndex.Open(layout.Text, generation)) { }
            Assert.Single(Directory.GetFiles(layout.Readers, "*.lease"));
        }
        Assert.Empty(Directory.GetFiles(layout.Readers, "*.lease"));
        writer.Upsert(ChurnWorkload.Added(seed: 9, 2_000_000));
        writer.Commit();
        // Released: only the current and previous generations' files remain.
        var views = Directory.GetFiles(layout.Vectors, "*.faiss").Select(f => Path.GetFileName(f)!.Split(".g")[0]).ToList();
        Assert.True(views.Count <= 2 * IndexViews.All.Count, string.Join(", ", views));
    }

    /// <summary>Whether <paramref name="file"/> is its view's newest file at or before <paramref name="generation"/>.</summary>
    private static bool StillReferencedAt(string file, IEnumerable<string?> files, long generation)
    {
        string view = file.Split(".g")[0];
        return files.OfType<string>().Where(f => f.Split(".g")[0] == view && IndexLayout.GenerationOfVectorFile(f) <= generation)
            .MaxBy(f => IndexLayout.GenerationOfVectorFile(f)) == file;
    }

    [Fact]
    public void A_lease_file_left_by_a_dead_reader_is_removed_by_the_next_commit_and_pins_nothing()
    {
        using var writer = WriterAfter(5);
        var layout = new IndexLayout(_dir.Path);
        Directory.CreateDirectory(layout.Readers);
        var stale = Path.Combine(layout.Readers, IndexLayout.LeaseFileName(1, "dead-reader"));
        File.WriteAllText(stale, ""); // nobody holds it locked
        for (int i = 0; i < 4; i++) { writer.Upsert(ChurnWorkload.Added(seed: 9, 3_000_000 + i)); writer.Commit(); }
        Assert.False(File.Exists(stale));
        Assert.DoesNotContain(Directory.GetFiles(layout.Vectors, "*.faiss"), f => IndexLayout.GenerationOfVectorFile(Path.GetFileName(f)) == 1);
    }

    [Fact]
    public void A_refreshing_reader_moves_to_new_generations_and_closes_old_snapshots_once_released()
    {
        using var writer = WriterAfter(10);
        using var refreshing = RefreshingIndex.Open(_dir.Path);
        Assert.False(refreshing.MaybeRefresh());
        var held = refreshing.Acquire();
        long first = held.Index.Generation;
        writer.Upsert(ChurnWorkload.Added(seed: 9, 4_000_000));
        writer.Commit();
        Assert.Equal(first, refreshing.Generation);
        Assert.True(refreshing.MaybeRefresh());
        Assert.Equal(first + 1, refreshing.Generation);
        using (var fresh = refreshing.Acquire())
        {
            Assert.Equal(first + 1, fresh.Index.Generation);
            Assert.NotNull(fresh.Index.Item("added-4000000"));
            Assert.NotEmpty(fresh.Index.SearchText("churned", 3));
        }
        // The old snapshot still works while held, and is closed (its lease released) when let go.
        Assert.NotEmpty(held.Index.SearchVectors("full", new float[CrashWorkload.Dimension].Select((_, i) => i + 1f).ToArray(), 3)[0]);
        Assert.Equal(2, Directory.GetFiles(new IndexLayout(_dir.Path).Readers, "*.lease").Length);
        held.Dispose();
        held.Dispose(); // a second release is a no-op
        Assert.Single(Directory.GetFiles(new IndexLayout(_dir.Path).Readers, "*.lease"));
        Assert.Throws<ObjectDisposedException>(() => held.Index.SearchText("churned", 3));
        Assert.False(refreshing.MaybeRefresh());
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
