using System.Diagnostics;
using Affect.Search.Index.CrashWriter;
using Affect.Search.Index.Tests.Text;

namespace Affect.Search.Index.Tests;

/// <summary>
/// A child process writing a seeded workload is killed at random moments; the index must then open at a
/// committed generation holding exactly what that generation committed, and accept further writes.
/// </summary>
public sealed class CrashSafetyTests
{
    private const int Batches = 40;

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    [InlineData(5)]
    [InlineData(6)]
    [InlineData(7)]
    [InlineData(8)]
    public void A_writer_killed_at_any_moment_leaves_the_last_committed_generation_complete(int seed)
    {
        using var dir = new TempIndexDirectory();
        var random = new Random(seed);
        long lastSeen = 0;
        // Several kills per index: each restart resumes from the recovered generation.
        for (int kill = 0; kill < 3; kill++)
        {
            var (printed, exited) = RunAndKill(dir.Path, seed, TimeSpan.FromMilliseconds(150 + random.Next(900)));
            if (lastSeen == 0 && printed == 0 && !Committed(dir.Path)) continue; // killed while creating the index: nothing to open yet
            using var index = MultimodalIndex.Open(dir.Path);
            long g = index.Generation;
            // A child killed before its first commit announces nothing: the floor is then the last recovery.
            long announced = Math.Max(printed, lastSeen);
            Assert.True(g >= announced, $"generation {g} is older than the committed {announced}");
            Assert.True(g <= announced + 1, $"generation {g} but only {announced} commits were announced");
            if (exited) Assert.Equal(Batches, g);
            AssertHolds(index, CrashWorkload.Expected(seed, g));
            lastSeen = g;
        }
        // The recovered index takes the rest of the workload.
        var (done, _) = RunAndKill(dir.Path, seed, TimeSpan.FromMinutes(2));
        using var final = MultimodalIndex.Open(dir.Path);
        Assert.Equal(Batches, final.Generation);
        AssertHolds(final, CrashWorkload.Expected(seed, Batches));
    }

    /// <summary>Whether an index was ever committed; an interrupted creation must say so clearly, not half-open.</summary>
    private static bool Committed(string folder)
    {
        try { using var _ = MultimodalIndex.Open(folder); return true; }
        catch (DirectoryNotFoundException) { return false; }
    }

    private static void AssertHolds(MultimodalIndex index, Dictionary<string, ItemToIndex> expected)
    {
        Assert.Equal(expected.Count, index.ItemCount);
        foreach (var (id, entry) in expected)
        {
            var stored = index.Item(id);
            Assert.NotNull(stored);
            Assert.Equal(entry.Item.Text, stored!.Text);
            Assert.Equal(entry.Item.Modalities, stored.Modalities);
            foreach (var (view, vector) in entry.Embeddings)
            {
                var hit = index.SearchVectors(view, vector, 1, filter: new ItemFilter([("id", id)]))[0];
                Assert.Equal(1f, Assert.Single(hit).Score, 3);
            }
            if (entry.Item.Text is { } text)
                Assert.Contains(index.SearchText(text, 1, new ItemFilter([("id", id)])), h => h.Item.Id == id);
        }
        // No item of a later batch or a dropped one is visible.
        foreach (var view in index.Views)
            Assert.Equal(expected.Values.Count(e => e.Embeddings.ContainsKey(view.View)), view.Items);
    }

    /// <summary>Runs the workload child until it finishes or <paramref name="after"/> passes; returns the last generation it announced.</summary>
    private static (long Printed, bool Exited) RunAndKill(string folder, int seed, TimeSpan after)
    {
        var dll = typeof(CrashWorkload).Assembly.Location;
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in new[] { dll, folder, seed.ToString(), Batches.ToString() }) start.ArgumentList.Add(a);
        using var child = Process.Start(start)!;
        long printed = 0;
        var reader = Task.Run(() =>
        {
            string? line;
            while ((line = child.StandardOutput.ReadLine()) is not null)
                if (line.StartsWith("committed ")) Interlocked.Exchange(ref printed, long.Parse(line[10..]));
        });
        var errors = child.StandardError.ReadToEndAsync();
        bool exited = child.WaitForExit(after);
        if (!exited) child.Kill(entireProcessTree: true);
        child.WaitForExit();
        reader.Wait();
        if (exited && child.ExitCode != 0) Assert.Fail($"writer failed: {errors.Result}");
        return (Interlocked.Read(ref printed), exited);
    }
}
