using System.Text.Json;
using Xunit.Abstractions;

namespace Affect.Search.Cli.Tests;

/// <summary>
/// Damaged index files through the `affect` program: every command that meets one exits 1 with a message naming
/// the file (no stack trace, not exit 3), `affect check` lists the problems, and `affect rebuild` repairs what the
/// store can rebuild, after which search answers exactly as before the damage.
/// </summary>
[Collection("console")]
public sealed class IndexIntegrityCommandsTests(SearchCommandsTests.TrainedCorpus corpus, ITestOutputHelper output)
    : IClassFixture<SearchCommandsTests.TrainedCorpus>
{
    [Fact]
    public void Check_finds_a_damaged_vector_file_that_search_and_index_refuse_and_rebuild_repairs_it()
    {
        var index = corpus.NewIndex();
        var before = CommandLine.Run("search", "--text", "storm thunder", "--index", index, "--k", "10", "--json");
        Assert.Equal(0, before.Code);
        var healthy = CommandLine.Run("check", "--index", index);
        Assert.True(healthy.Code == 0, healthy.Out + healthy.Err);
        Assert.Contains("healthy", healthy.Out);

        var vectors = Directory.GetFiles(Path.Combine(index, "vectors"), "full.g*.faiss").OrderByDescending(f => new FileInfo(f).LastWriteTimeUtc).First();
        FlipBytes(vectors, 4000, seed: 1, from: 0);
        var name = Path.GetFileName(vectors);

        var search = CommandLine.Run("search", "--text", "storm thunder", "--index", index, "--k", "10");
        AssertClearError(search, name);
        var reindex = CommandLine.Run("index", "--corpus", corpus.Corpus.Manifest, "--model", corpus.Model, "--index", index, "--backend", "cpu");
        AssertClearError(reindex, name);
        Assert.Contains("affect rebuild", reindex.Err);

        var check = CommandLine.Run("check", "--index", index, "--json");
        Assert.Equal(1, check.Code);
        using (var doc = JsonDocument.Parse(check.Out))
        {
            Assert.False(doc.RootElement.GetProperty("healthy").GetBoolean());
            Assert.Contains(doc.RootElement.GetProperty("problems").EnumerateArray(), p => p.GetProperty("file").GetString() == $"vectors/{name}");
        }

        var rebuild = CommandLine.Run("rebuild", "--index", index, "--json");
        Assert.True(rebuild.Code == 0, rebuild.Err);
        Assert.Equal(0, CommandLine.Run("check", "--index", index).Code);
        var after = CommandLine.Run("search", "--text", "storm thunder", "--index", index, "--k", "10", "--json");
        Assert.Equal(0, after.Code);
        Assert.Equal(Results(before.Out), Results(after.Out));
    }

    [Fact]
    public void Damaged_store_and_text_files_and_an_index_path_naming_a_file_exit_1_with_a_message_naming_the_file()
    {
        var pristine = corpus.NewIndex();
        var failures = new List<string>();
        void Try(string fault, Action<string> damage, string mention, params string[] command)
        {
            var folder = Copy(pristine);
            damage(folder);
            var args = command.Select(a => a == "{index}" ? folder : a).ToArray();
            var run = CommandLine.Run(args);
            // check reports problems on standard output; the other commands fail with a message on standard error.
            var message = command[0] == "check" ? run.Out : run.Err;
            output.WriteLine($"{fault} | affect {command[0]} | exit {run.Code} | {message.Split('\n')[0]}");
            if (run.Code != 1 || run.Err.Contains("   at ", StringComparison.Ordinal) || !message.Contains(mention, StringComparison.Ordinal))
                failures.Add($"{fault}, affect {command[0]}: exit {run.Code}: {run.Err}");
        }
        string Store(string f) => Path.Combine(f, "store.sqlite");
        string[] search = ["search", "--text", "storm", "--hybrid", "--index", "{index}"];
        string[] index = ["index", "--corpus", corpus.Corpus.Manifest, "--model", corpus.Model, "--index", "{index}", "--backend", "cpu"];
        string[] info = ["info", "--index", "{index}"];
        string[] delete = ["delete", "--id", "x", "--index", "{index}"];

        Action<string> truncatedStore = f => Truncate(Store(f), 0.5);
        Action<string> badHeader = f => Overwrite(Store(f), 0, 100, seed: 2);
        Action<string> overwrittenPages = f => Overwrite(Store(f), 4096, (int)(new FileInfo(Store(f)).Length / 2) - 4096, seed: 3);
        Action<string> truncatedSegments = f => Truncate(Newest(Path.Combine(f, "text"), "segments_*"), 0.5);
        Action<string> corruptCfs = f => FlipBytes(Largest(Path.Combine(f, "text"), "*.cfs"), 40, seed: 4, from: 0.2);
        foreach (var command in new[] { search, index, info, delete })
        {
            Try("store.sqlite truncated", truncatedStore, "store.sqlite", command);
            Try("store.sqlite header overwritten", badHeader, "store.sqlite", command);
            Try("store.sqlite pages overwritten", overwrittenPages, "store.sqlite", command);
            Try("text segments_N truncated", truncatedSegments, "text", command);
            Try("text .cfs bytes flipped", corruptCfs, "text", command);
        }
        Try("store.sqlite deleted, vectors/ and text/ kept", f => File.Delete(Store(f)), "store.sqlite", index);
        var file = Path.Combine(corpus.Corpus.Folder, "index-is-a-file.txt");
        File.WriteAllText(file, "not an index");
        foreach (var command in new[] { search, index, info, delete, ["check", "--index", "{index}"], ["rebuild", "--index", "{index}"] })
            Try("--index names a file", _ => { }, "is a file", command.Select(a => a == "{index}" ? file : a).ToArray());
        Assert.True(failures.Count == 0, string.Join("\n\n", failures));
    }

    private static List<string> Results(string json)
    {
        using var doc = JsonDocument.Parse(json);
        return doc.RootElement.GetProperty("results").EnumerateArray()
            .Select(r => $"{r.GetProperty("id").GetString()} {r.GetProperty("score").GetSingle():R}").ToList();
    }

    private static void AssertClearError((int Code, string Out, string Err) run, string mention)
    {
        Assert.True(run.Code == 1, $"exit {run.Code}: {run.Err}");
        Assert.Contains(mention, run.Err);
        Assert.DoesNotContain("   at ", run.Err);
    }

    private string Copy(string from)
    {
        var to = Path.Combine(corpus.Corpus.Folder, "damaged-" + Guid.NewGuid().ToString("N")[..8]);
        foreach (var dir in Directory.EnumerateDirectories(from, "*", SearchOption.AllDirectories))
            Directory.CreateDirectory(Path.Combine(to, Path.GetRelativePath(from, dir)));
        Directory.CreateDirectory(to);
        foreach (var f in Directory.EnumerateFiles(from, "*", SearchOption.AllDirectories))
            File.Copy(f, Path.Combine(to, Path.GetRelativePath(from, f)));
        return to;
    }

    private static string Newest(string folder, string pattern)
        => Directory.GetFiles(folder, pattern).Select(Path.GetFileName).OrderByDescending(n => n!.Length).ThenByDescending(n => n, StringComparer.Ordinal)
            .Select(n => Path.Combine(folder, n!)).First();

    private static string Largest(string folder, string pattern)
        => Directory.GetFiles(folder, pattern).OrderByDescending(f => new FileInfo(f).Length).ThenBy(f => f, StringComparer.Ordinal).First();

    private static void Truncate(string path, double fraction)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Write);
        stream.SetLength((long)(stream.Length * fraction));
    }

    private static void FlipBytes(string path, int count, int seed, double from)
    {
        var bytes = File.ReadAllBytes(path);
        var random = new Random(seed);
        int start = (int)(bytes.Length * from);
        for (int i = 0; i < count; i++) bytes[start + random.Next(bytes.Length - start)] ^= 0xFF;
        File.WriteAllBytes(path, bytes);
    }

    private static void Overwrite(string path, long offset, int length, int seed)
    {
        var garbage = new byte[Math.Max(0, length)];
        new Random(seed).NextBytes(garbage);
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Write);
        stream.Position = offset;
        stream.Write(garbage);
    }
}
