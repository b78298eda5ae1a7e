using System.Diagnostics;
using System.Text;
using Affect.Search.Features.Corpus;
using Affect.Search.Features.Decoding;
using Affect.Search.Features.Media;

namespace Affect.Search.Features.Tests.Corpus;

/// <summary>
/// Lines a careless or hostile manifest may hold: each must be a per-line error naming the line, while the
/// good lines around it are still read, and nothing may block or throw.
/// </summary>
public sealed class ManifestHostileInputTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("affect-hostile-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private const string GoodBefore = """{"id": "good-1", "text": "sunny happy"}""";
    private const string GoodAfter = """{"id": "good-2", "text": "storm dark"}""";

    /// <summary>Reads a manifest of a good line, <paramref name="bad"/>, and a good line; returns the error of line 2.</summary>
    private ManifestError BadMiddleLine(string bad)
    {
        var path = Path.Combine(_folder, "items.jsonl");
        File.WriteAllText(path, string.Join("\n", GoodBefore, bad, GoodAfter) + "\n");
        var manifest = ManifestReader.Read(path);
        Assert.Equal(["good-1", "good-2"], manifest.Items.Select(i => i.Id));
        var error = Assert.Single(manifest.Errors);
        Assert.Equal(2, error.Line);
        return error;
    }

    private static void MakeFifo(string path)
    {
        using var mkfifo = Process.Start(new ProcessStartInfo("mkfifo", [path]) { RedirectStandardError = true })!;
        mkfifo.WaitForExit();
        Assert.Equal(0, mkfifo.ExitCode);
    }

    /// <summary>Runs <paramref name="read"/> on another thread; a reader stuck opening a FIFO is released by opening its write end.</summary>
    private static T WithinBoundedTime<T>(Func<T> read, string fifo)
    {
        var task = Task.Run(read);
        if (!task.Wait(TimeSpan.FromSeconds(20)))
        {
            using (new FileStream(fifo, FileMode.Open, FileAccess.Write)) { } // unblocks the stuck open, then EOF
            Assert.Fail("reading the manifest blocked on the named pipe");
        }
        return task.Result;
    }

    [Fact]
    public void A_named_pipe_as_media_is_a_line_error_and_does_not_block()
    {
        if (OperatingSystem.IsWindows()) return;
        var fifo = Path.Combine(_folder, "pipe.png");
        MakeFifo(fifo);
        var error = WithinBoundedTime(() => BadMiddleLine("""{"id": "fifo", "text": "x", "image": "pipe.png"}"""), fifo);
        Assert.Equal("fifo", error.Id);
        Assert.Contains("image 'pipe.png' is not a regular file (a named pipe)", error.Message);
        Assert.Equal(FileEntryKind.NamedPipe, MediaFile.KindOf(fifo));
    }

    [Fact]
    public void A_named_pipe_given_straight_to_a_decoder_fails_at_once()
    {
        if (OperatingSystem.IsWindows()) return;
        var decoder = new MediaDecoder();
        foreach (var (name, decode) in new (string, Action<string>)[]
            { ("pipe.png", p => decoder.DecodeImage(p)), ("pipe.wav", p => decoder.DecodeAudio(p)), ("pipe.ogg", p => decoder.DecodeAudio(p)), ("pipe.mp4", p => decoder.DecodeVideo(p)) })
        {
            var fifo = Path.Combine(_folder, name);
            MakeFifo(fifo);
            var error = WithinBoundedTime(() => Assert.Throws<MediaDecodeException>(() => decode(fifo)), fifo);
            Assert.Equal($"{fifo}: is not a regular file (a named pipe)", error.Message);
        }
    }

    [Fact]
    public void A_directory_or_a_device_as_media_is_not_a_regular_file_and_not_a_missing_one()
    {
        Directory.CreateDirectory(Path.Combine(_folder, "folder.png"));
        var directory = BadMiddleLine("""{"id": "dir", "image": "folder.png"}""");
        Assert.Contains("image 'folder.png' is a directory, not a regular file", directory.Message);
        Assert.DoesNotContain("missing", directory.Message);
        if (OperatingSystem.IsWindows()) return;
        var device = BadMiddleLine("""{"id": "zero", "audio": "/dev/zero"}""");
        Assert.Contains("audio '/dev/zero' is not a regular file (a character device)", device.Message);
    }

    [Fact]
    public void A_lone_surrogate_escape_is_a_line_error()
    {
        var error = BadMiddleLine("""{"id":"bad\ud800x","text":"sunny"}""");
        Assert.Contains("unpaired UTF-16 surrogate", error.Message);
        var inText = BadMiddleLine("""{"id":"ok","text":"sunny \udfff"}""");
        Assert.Contains("unpaired UTF-16 surrogate", inText.Message);
        // A proper pair is a character like any other.
        var path = Path.Combine(_folder, "pair.jsonl");
        File.WriteAllText(path, """{"id":"smile-\ud83d\ude00","text":"sunny"}""");
        Assert.Equal("smile-\U0001F600", Assert.Single(ManifestReader.Read(path).Items).Id);
    }

    [Fact]
    public void Duplicate_keys_are_refused()
    {
        var error = BadMiddleLine("""{"id": "dup", "text": "sunny", "text": "storm"}""");
        Assert.StartsWith("bad JSON", error.Message);
        Assert.Contains("text", error.Message);
        Assert.StartsWith("bad JSON", BadMiddleLine("""{"id": "a", "id": "b", "text": "x"}""").Message);
    }

    [Fact]
    public void Ids_with_control_characters_are_refused_and_the_message_shows_them_escaped()
    {
        var nul = BadMiddleLine("""{"id": "nul\u0000x", "text": "sunny"}""");
        Assert.Contains("control character U+0000", nul.Message);
        Assert.Null(nul.Id);
        var escape = BadMiddleLine("""{"id": "esc\u001b[31mRED", "text": "sunny"}""");
        Assert.Contains("control character U+001B", escape.Message);
        Assert.Contains("esc\\u001b[31mRED", escape.Message);
        Assert.DoesNotContain('\u001b', escape.ToString());
        Assert.Contains("control character U+009B", BadMiddleLine("""{"id": "csi\u009b", "text": "x"}""").Message);
    }

    [Fact]
    public void Ids_over_the_byte_limit_are_refused_before_any_work()
    {
        var longest = new string('a', InputLimits.MaxIdBytes);
        var path = Path.Combine(_folder, "limit.jsonl");
        File.WriteAllText(path, $$"""{"id": "{{longest}}", "text": "x"}""");
        Assert.Single(ManifestReader.Read(path).Items);

        var overLucene = BadMiddleLine($$"""{"id": "{{new string('a', 40_000)}}", "text": "sunny"}""");
        Assert.Contains($"id is 40000 bytes in UTF-8, over the limit of {InputLimits.MaxIdBytes}", overLucene.Message);
        // The limit counts UTF-8 bytes, not characters: 200 three-byte characters are 600 bytes.
        Assert.Contains("600 bytes", BadMiddleLine($$"""{"id": "{{new string('€', 200)}}", "text": "x"}""").Message);
    }

    [Fact]
    public void Text_source_and_labels_over_their_limits_are_refused()
    {
        var text = BadMiddleLine($$"""{"id": "long", "text": "{{new string('w', InputLimits.MaxTextLength + 1)}}"}""");
        Assert.Equal("long", text.Id);
        Assert.Contains($"text is {InputLimits.MaxTextLength + 1} characters, over the limit", text.Message);
        Assert.Contains("source is", BadMiddleLine($$"""{"id": "s", "text": "x", "source": "{{new string('s', InputLimits.MaxSourceLength + 1)}}"}""").Message);
        var many = string.Join(",", Enumerable.Range(0, InputLimits.MaxLabels + 1).Select(i => $"\"l{i}\""));
        Assert.Contains($"more than {InputLimits.MaxLabels} labels", BadMiddleLine($$$"""{"id": "m", "text": "x", "labels": {"concept": [{{{many}}}]}}""").Message);
        Assert.Contains("over the limit", BadMiddleLine($$$"""{"id": "l", "text": "x", "labels": {"emotion": ["{{{new string('j', InputLimits.MaxLabelLength + 1)}}}"]}}""").Message);
    }

    [Fact]
    public void A_line_over_the_byte_limit_is_refused_without_being_parsed()
    {
        var huge = $$"""{"id": "huge", "text": "{{new string('w', InputLimits.MaxLineBytes)}}"}""";
        var error = BadMiddleLine(huge);
        Assert.Null(error.Id);
        Assert.Contains($"line is {Encoding.UTF8.GetByteCount(huge)} bytes, over the limit of {InputLimits.MaxLineBytes}", error.Message);
    }

    [Fact]
    public void Media_over_the_size_limit_are_refused_without_being_read()
    {
        var big = Path.Combine(_folder, "big.png");
        using (var file = new FileStream(big, FileMode.Create)) file.SetLength(InputLimits.MaxImageBytes + 1); // sparse: no disk used
        var error = BadMiddleLine("""{"id": "big", "image": "big.png"}""");
        Assert.Contains($"image file 'big.png' is {InputLimits.MaxImageBytes + 1} bytes, over the limit of {InputLimits.MaxImageBytes}", error.Message);
    }

    [Fact]
    public void A_manifest_that_is_a_named_pipe_or_a_directory_is_refused()
    {
        Assert.Throws<InvalidDataException>(() => ManifestReader.Read(_folder));
        if (OperatingSystem.IsWindows()) return;
        var fifo = Path.Combine(_folder, "manifest.jsonl");
        MakeFifo(fifo);
        var error = WithinBoundedTime(() => Assert.Throws<InvalidDataException>(() => ManifestReader.Read(fifo)), fifo);
        Assert.Contains("not a regular file (a named pipe)", error.Message);
    }
}
