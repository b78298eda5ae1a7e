using Affect.Search.Features.Corpus;

namespace Affect.Search.Features.Tests.Corpus;

public sealed class ManifestReaderTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("affect-manifest-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private string Write(string name, string content)
    {
        var path = Path.Combine(_folder, name);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, content);
        return path;
    }

    [Fact]
    public void Every_kind_of_bad_line_is_reported_with_its_line_number_and_good_lines_load()
    {
        Write("media/a.png", "png bytes");
        Write("media/b.ogg", "ogg bytes");
        Write("empty.wav", "");
        var manifest = Write("items.jsonl", string.Join("\n",
            """{"id": "ok1", "text": "a happy cat", "image": "media/a.png", "labels": {"emotion": ["joy"], "concept": ["cat", "cat"]}, "source": "test"}""", // 1
            """{"id": "ok2", "audio": "media/b.ogg"}""",                                  // 2
            """{"id": "broken", "text": """,                                               // 3 bad JSON
            """{"text": "no id"}""",                                                       // 4 missing id
            """{"id": "ok1", "text": "again"}""",                                          // 5 duplicate
            """{"id": "gone", "image": "media/missing.png"}""",                            // 6 missing file
            "",                                                                            // 7 blank: skipped
            """{"id": "nothing"}""",                                                       // 8 no modality
            """{"id": 5, "text": "numeric id"}""",                                         // 9 bad id
            """{"id": "badlabels", "text": "x", "labels": {"emotion": "joy"}}""",          // 10 labels not a list
            """{"id": "empty", "audio": "empty.wav"}""",                                   // 11 empty media file
            """[1, 2]""",                                                                  // 12 not an object
            """{"id": "ok3", "text": "sad rain", "video": null}"""));                      // 13 null media is absent

        var result = ManifestReader.Read(manifest);

        Assert.Equal(new[] { "ok1", "ok2", "ok3" }, result.Items.Select(i => i.Id));
        var errors = result.Errors.ToDictionary(e => e.Line);
        Assert.Equal(new[] { 3, 4, 5, 6, 8, 9, 10, 11, 12 }, errors.Keys.Order());
        Assert.StartsWith("bad JSON", errors[3].Message);
        Assert.Equal("missing id", errors[4].Message);
        Assert.Equal("duplicate id (first on line 1)", errors[5].Message);
        Assert.Contains("missing image file 'media/missing.png'", errors[6].Message);
        Assert.Equal("no text, image, audio or video", errors[8].Message);
        Assert.Contains("id must be", errors[9].Message);
        Assert.Contains("labels.emotion must be a list", errors[10].Message);
        Assert.Contains("is empty", errors[11].Message);
        Assert.Contains("JSON object", errors[12].Message);
        Assert.Equal("line 6 (gone): " + errors[6].Message, errors[6].ToString());
    }

    [Fact]
    public void Paths_resolve_against_the_manifest_folder_and_fields_are_kept()
    {
        Write("sub/v.mp4", "video");
        var manifest = Write("nested/list.jsonl", """{"id": "v", "text": "crazy cat", "video": "../sub/v.mp4", "labels": {"concept": ["cat", "cat", "pet"]}, "source": "unit"}""" + "\n");
        var item = Assert.Single(ManifestReader.Read(manifest).Items);
        Assert.Equal(Path.Combine(_folder, "sub", "v.mp4"), item.Video);
        Assert.Equal("crazy cat", item.Text);
        Assert.Equal(new[] { "cat", "pet" }, item.Labels["concept"]);
        Assert.Equal("unit", item.Source);
        Assert.True(item.HasVisual);
        Assert.True(item.HasAudioSource);
        Assert.Equal(1, item.Line);
    }

    [Fact]
    public void Invalid_utf8_is_reported_and_a_missing_manifest_is_an_error()
    {
        var path = Path.Combine(_folder, "bad.jsonl");
        File.WriteAllBytes(path, "{\"id\": \"a\", \"text\": \"ok\"}\n"u8.ToArray().Concat(new byte[] { 0xFF, 0xFE, 0x0A }).ToArray());
        var result = ManifestReader.Read(path);
        Assert.Single(result.Items);
        Assert.Contains(result.Errors, e => e.Line == 2 && e.Message.Contains("UTF-8"));
        Assert.Throws<FileNotFoundException>(() => ManifestReader.Read(Path.Combine(_folder, "none.jsonl")));
    }
}
