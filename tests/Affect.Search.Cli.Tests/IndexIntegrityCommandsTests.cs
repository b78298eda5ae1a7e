using System.Text.Json;
using Affect.Search.Compute.Cpu;
using Affect.Search.Engine;
using Affect.Search.Index;
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

    [Fact]
    public void Every_fault_of_a_model_folder_file_is_a_clear_error_or_leaves_the_embeddings_unchanged()
    {
        var index = corpus.NewIndex();
        var baseline = CommandLine.Run("search", "--text", "storm thunder", "--index", index, "--model", corpus.Model, "--k", "10", "--json");
        Assert.Equal(0, baseline.Code);
        IndexIdentity original;
        using (var model = ModelFolder.Load(corpus.Model, new CpuBackend())) original = model.Identity;
        string In(string folder, string file) => Path.Combine(folder, file);
        void ChangeOneCharacter(string path, string after, Func<char, bool> replaceable)
        {
            var text = File.ReadAllText(path);
            int i = text.IndexOf(after, StringComparison.Ordinal) + after.Length;
            while (!replaceable(text[i])) i++;
            File.WriteAllText(path, text[..i] + (text[i] == '7' || text[i] == 'A' ? (char)(text[i] + 1) : text[i] == '8' ? '9' : char.IsDigit(text[i]) ? '7' : 'A') + text[(i + 1)..]);
        }
        var faults = new (string Name, string Mention, Action<string> Apply)[]
        {
            ("model.afdbm truncated", "model.afdbm", f => Truncate(In(f, "model.afdbm"), 0.5)),
            ("model.afdbm emptied", "model.afdbm", f => Truncate(In(f, "model.afdbm"), 0)),
            ("model.afdbm 1 byte flipped", "model.afdbm", f => FlipBytes(In(f, "model.afdbm"), 1, seed: 1, from: 0.5)),
            ("model.afdbm deleted", "model.afdbm", f => File.Delete(In(f, "model.afdbm"))),
            ("features.json truncated", "features.json", f => Truncate(In(f, "features.json"), 0.5)),
            ("features.json emptied", "features.json", f => Truncate(In(f, "features.json"), 0)),
            ("features.json 1 byte flipped", "features.json", f => FlipBytes(In(f, "features.json"), 1, seed: 2, from: 0.5)),
            ("features.json one codebook character changed", "features.json", f => ChangeOneCharacter(In(f, "features.json"), "\"centroids\"", char.IsLetter)),
            ("features.json deleted", "features.json", f => File.Delete(In(f, "features.json"))),
            ("centres.json truncated", "centres.json", f => Truncate(In(f, "centres.json"), 0.5)),
            ("centres.json emptied", "centres.json", f => Truncate(In(f, "centres.json"), 0)),
            ("centres.json one digit changed", "centres.json", f => ChangeOneCharacter(In(f, "centres.json"), "\"centres\"", c => char.IsDigit(c) && c != '0')),
            ("centres.json deleted", "centres.json", f => File.Delete(In(f, "centres.json"))),
            ("features.json and centres.json swapped", "json", f => Swap(In(f, "features.json"), In(f, "centres.json"))),
            ("centres.json copied over features.json", "features.json", f => File.Copy(In(f, "centres.json"), In(f, "features.json"), overwrite: true)),
        };
        var failures = new List<string>();
        foreach (var (name, mention, apply) in faults)
        {
            var folder = Copy(corpus.Model);
            apply(folder);
            string load;
            try
            {
                using var model = ModelFolder.Load(folder, new CpuBackend());
                load = model.Identity == original ? "same" : $"WRONG: loads with other embeddings ({model.Identity})";
            }
            catch (Exception e) { load = $"error: {e.GetType().Name}: {e.Message}"; }
            var search = CommandLine.Run("search", "--text", "storm thunder", "--index", index, "--model", folder, "--k", "10", "--json");
            var searched = search.Code == 0
                ? Results(search.Out).SequenceEqual(Results(baseline.Out)) ? "same" : "WRONG results"
                : $"exit {search.Code}: {search.Err.Split('\n')[0]}";
            output.WriteLine($"{name} | load: {load.Split('\n')[0]} | search: {searched}");
            bool loadOk = load == "same" || (load.StartsWith("error: InvalidDataException", StringComparison.Ordinal) || load.StartsWith("error: FileNotFoundException", StringComparison.Ordinal)) && load.Contains(mention, StringComparison.Ordinal);
            bool searchOk = searched == "same" || search.Code == 1 && !search.Err.Contains("   at ", StringComparison.Ordinal);
            if (!loadOk || !searchOk) failures.Add($"{name}: load {load}; search {searched}");
        }
        Assert.True(failures.Count == 0, string.Join("\n", failures));
    }

    private static void Swap(string a, string b)
    {
        File.Move(a, a + ".swap");
        File.Move(b, a);
        File.Move(a + ".swap", b);
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
