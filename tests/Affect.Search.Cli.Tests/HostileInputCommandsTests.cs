using System.Diagnostics;
using System.Text.Json;
using Affect.Search.Index;

namespace Affect.Search.Cli.Tests;

/// <summary>
/// Bad input through the `affect` program: one bad line never hangs, crashes or aborts a run, out-of-range
/// pages are usage errors, a busy index and a partly rejected manifest have their own exit codes, and stored
/// text never sends terminal escape sequences to a human's terminal. Shares the trained corpus of
/// <see cref="SearchCommandsTests"/>.
/// </summary>
public sealed partial class SearchCommandsTests
{
    private string Manifest(string name, params string[] lines)
    {
        var path = Path.Combine(_c.Corpus.Folder, name);
        File.WriteAllLines(path, lines);
        return path;
    }

    private static void MakeFifo(string path)
    {
        using var mkfifo = Process.Start(new ProcessStartInfo("mkfifo", [path]) { RedirectStandardError = true })!;
        mkfifo.WaitForExit();
        Assert.Equal(0, mkfifo.ExitCode);
    }

    /// <summary>Runs the program on another thread; one stuck opening <paramref name="fifo"/> is released by opening its write end.</summary>
    private static (int Code, string Out, string Err) WithinBoundedTime(string fifo, params string[] args)
    {
        var run = Task.Run(() => CommandLine.Run(args));
        if (!run.Wait(TimeSpan.FromSeconds(120)))
        {
            using (new FileStream(fifo, FileMode.Open, FileAccess.Write)) { }
            Assert.Fail($"affect {args[0]} blocked on a named pipe");
        }
        return run.Result;
    }

    private const string Good1 = """{"id": "good-1", "text": "sunny happy bright"}""";
    private const string Good2 = """{"id": "good-2", "text": "storm dark thunder"}""";

    [Fact]
    public void A_named_pipe_as_media_is_a_line_error_for_index_and_batch_search_and_never_blocks()
    {
        if (OperatingSystem.IsWindows()) return;
        var fifo = Path.Combine(_c.Corpus.Folder, "pipe.png");
        if (!File.Exists(fifo)) MakeFifo(fifo);
        var manifest = Manifest("fifo.jsonl", Good1, """{"id": "fifo", "text": "storm", "image": "pipe.png"}""", Good2);
        var index = Path.Combine(_c.Corpus.Folder, "index-fifo");
        var run = WithinBoundedTime(fifo, "index", "--corpus", manifest, "--model", _c.Model, "--index", index, "--backend", "cpu", "--json");
        Assert.Equal(5, run.Code);
        Assert.Contains("line 2 (fifo): image 'pipe.png' is not a regular file (a named pipe)", run.Err);
        using (var summary = JsonDocument.Parse(run.Out)) Assert.Equal(2, summary.RootElement.GetProperty("indexed").GetInt32());

        var batch = WithinBoundedTime(fifo, "search", "--queries", manifest, "--index", index, "--k", "1");
        Assert.Equal(5, batch.Code);
        Assert.Equal(2, batch.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);
        Assert.Contains("not a regular file (a named pipe)", batch.Err);

        var single = WithinBoundedTime(fifo, "search", "--image", fifo, "--index", index);
        Assert.Equal(1, single.Code);
        Assert.Contains("is not a regular file (a named pipe)", single.Err);
    }

    [Fact]
    public void Hostile_lines_are_rejected_one_by_one_and_the_good_lines_are_indexed_with_exit_5()
    {
        var manifest = Manifest("hostile.jsonl",
            Good1,
            """{"id":"bad\ud800x","text":"sunny"}""",
            $$"""{"id": "{{new string('a', 40_000)}}", "text": "sunny"}""",
            """{"id": "nul\u0000x", "text": "sunny"}""",
            """{"id": "esc\u001b[31mRED", "text": "sunny"}""",
            """{"id": "dup", "text": "sunny", "text": "storm"}""",
            """{"id": "folder", "image": "."}""",
            Good2);
        var index = Path.Combine(_c.Corpus.Folder, "index-hostile");
        // One item per commit: a line failing mid-run would leave the later good line out.
        var run = CommandLine.Run("index", "--corpus", manifest, "--model", _c.Model, "--index", index, "--backend", "cpu", "--commit-every", "1", "--json");
        Assert.Equal(5, run.Code);
        using (var summary = JsonDocument.Parse(run.Out))
        {
            Assert.Equal(2, summary.RootElement.GetProperty("indexed").GetInt32());
            Assert.Equal(6, summary.RootElement.GetProperty("badLines").GetArrayLength());
        }
        Assert.Contains("line 2: bad JSON: a string holds an unpaired UTF-16 surrogate", run.Err);
        Assert.Contains("line 3: id is 40000 bytes in UTF-8, over the limit of 512", run.Err);
        Assert.Contains("line 4: id holds the control character U+0000", run.Err);
        Assert.Contains("line 5: id holds the control character U+001B", run.Err);
        Assert.Contains("line 6: bad JSON: Duplicate property 'text'", run.Err);
        Assert.Contains("line 7 (folder): image '.' is a directory, not a regular file", run.Err);
        Assert.DoesNotContain('\u001b', run.Err);

        var strict = CommandLine.Run("index", "--corpus", manifest, "--model", _c.Model, "--index", Path.Combine(_c.Corpus.Folder, "index-strict"),
            "--backend", "cpu", "--strict");
        Assert.Equal(1, strict.Code);
        Assert.Contains("--strict: nothing indexed", strict.Err);
        Assert.False(Directory.Exists(Path.Combine(_c.Corpus.Folder, "index-strict")));

        var clean = CommandLine.Run("index", "--corpus", Manifest("clean.jsonl", Good1, Good2), "--model", _c.Model,
            "--index", Path.Combine(_c.Corpus.Folder, "index-clean"), "--backend", "cpu", "--strict");
        Assert.Equal(0, clean.Code);
    }

    [Fact]
    public void Pages_beyond_the_limits_are_usage_errors_without_overflow()
    {
        var index = Path.Combine(_c.Corpus.Folder, "index-pages");
        Assert.Equal(0, CommandLine.Run("index", "--corpus", Manifest("pages.jsonl", Good1, Good2), "--model", _c.Model, "--index", index, "--backend", "cpu").Code);
        foreach (var (args, message) in new (string[], string)[]
        {
            (["--k", "300000000"], $"--k must be between 1 and {SearchLimits.MaxK}"),
            (["--k", "0"], $"--k must be between 1 and {SearchLimits.MaxK}"),
            (["--offset", "-1"], "--offset must not be negative"),
            (["--offset", "100000000"], $"--offset + --k must be at most {SearchLimits.MaxResultWindow}"),
            (["--offset", "2147483647"], "(got 2147483647 + 20)"),
            (["--offset", "2147483647", "--hybrid"], "(got 2147483647 + 20)"),
        })
        {
            var run = CommandLine.Run(["search", "--text", "storm", "--index", index, .. args]);
            Assert.Equal(2, run.Code);
            Assert.Contains(message, run.Err);
        }
        var describe = CommandLine.Run("describe", "--image", _c.Corpus.Media("fear", "png"), "--index", index, "--k", "1001");
        Assert.Equal(2, describe.Code);
        var deepest = CommandLine.Run("search", "--text", "storm", "--index", index, "--k", "1000", "--offset", "9000", "--hybrid", "--json");
        Assert.Equal(0, deepest.Code);
        using var doc = JsonDocument.Parse(deepest.Out);
        Assert.Equal(0, doc.RootElement.GetProperty("results").GetArrayLength());
    }

    [Fact]
    public void A_busy_index_exits_4_with_a_message()
    {
        var index = Path.Combine(_c.Corpus.Folder, "index-busy");
        var manifest = Manifest("busy.jsonl", Good1, Good2);
        Assert.Equal(0, CommandLine.Run("index", "--corpus", manifest, "--model", _c.Model, "--index", index, "--backend", "cpu").Code);
        using (var info = MultimodalIndex.Open(index))
        using (MultimodalIndexWriter.Open(index, info.Identity))
        {
            var run = CommandLine.Run("index", "--corpus", manifest, "--model", _c.Model, "--index", index, "--backend", "cpu");
            Assert.Equal(4, run.Code);
            Assert.Contains("is being written by another process", run.Err);
            Assert.DoesNotContain("   at ", run.Err); // a message, not a stack trace
            var delete = CommandLine.Run("delete", "--id", "good-1", "--index", index);
            Assert.Equal(4, delete.Code);
        }
        Assert.Equal(0, CommandLine.Run("delete", "--id", "good-1", "--index", index).Code);
    }

    [Fact]
    public void Stored_text_and_labels_never_send_escape_sequences_to_the_terminal_and_json_stays_exact()
    {
        var index = Path.Combine(_c.Corpus.Folder, "index-escapes");
        var manifest = Manifest("escapes.jsonl",
            """{"id": "evil", "text": "sunny \u001b]0;pwned\u0007 happy \u001b[2J", "labels": {"emotion": ["joy\u001b[31m\u202e"]}}""", Good2);
        Assert.Equal(0, CommandLine.Run("index", "--corpus", manifest, "--model", _c.Model, "--index", index, "--backend", "cpu").Code);
        var table = CommandLine.Run("search", "--text", "sunny happy", "--index", index, "--k", "2");
        Assert.Equal(0, table.Code);
        Assert.Contains("evil", table.Out);
        Assert.DoesNotContain('\u001b', table.Out);
        Assert.DoesNotContain('\u0007', table.Out);
        Assert.DoesNotContain('\u202e', table.Out);
        Assert.Contains("\\x1b]0;pwned\\x07", table.Out);

        var json = CommandLine.Run("search", "--text", "sunny happy", "--index", index, "--k", "2", "--json");
        using var doc = JsonDocument.Parse(json.Out);
        var evil = doc.RootElement.GetProperty("results").EnumerateArray().Single(r => r.GetProperty("id").GetString() == "evil");
        Assert.Equal("sunny \u001b]0;pwned\u0007 happy \u001b[2J", evil.GetProperty("text").GetString());
        Assert.Equal("joy\u001b[31m\u202e", evil.GetProperty("labels").GetProperty("emotion")[0].GetString());
    }
}
