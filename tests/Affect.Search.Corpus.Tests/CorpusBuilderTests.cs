using System.Diagnostics;
using System.Globalization;
using Affect.Search.Features.Corpus;

namespace Affect.Search.Corpus.Tests;

/// <summary>
/// Builds the corpus twice from the fixture sources into two folders and checks determinism, the manifests, the
/// labels, the skips and the media.
/// </summary>
public sealed class CorpusBuilderTests : IClassFixture<CorpusBuilderTests.BuiltTwice>
{
    private readonly BuiltTwice _built;

    public CorpusBuilderTests(BuiltTwice built) => _built = built;

    public sealed class BuiltTwice : IDisposable
    {
        public BuiltTwice()
        {
            Root = Directory.CreateTempSubdirectory("affect-corpus-build-").FullName;
            Inputs = FixtureSources.Write(Path.Combine(Root, "sources"));
            // Different worker counts: the output must not depend on scheduling.
            First = new CorpusBuilder(parallelism: 4).Build(Inputs, Path.Combine(Root, "a"));
            Second = new CorpusBuilder(parallelism: 1).Build(Inputs, Path.Combine(Root, "b"));
            Manifests = Enum.GetValues<Split>().ToDictionary(s => s, s => ManifestReader.Read(Path.Combine(First.Folder, CorpusSplit.FileName(s))));
            Items = Manifests.Values.SelectMany(m => m.Items).ToDictionary(i => i.Id);
        }

        public string Root { get; }
        public CorpusInputs Inputs { get; }
        public CorpusBuildReport First { get; }
        public CorpusBuildReport Second { get; }
        public Dictionary<Split, Manifest> Manifests { get; }
        public Dictionary<string, ManifestItem> Items { get; }

        public void Dispose()
        {
            try { Directory.Delete(Root, recursive: true); } catch (IOException) { }
        }
    }

    [Fact]
    public void Two_builds_give_byte_identical_folders()
    {
        static Dictionary<string, byte[]> Files(string folder) => Directory.EnumerateFiles(folder, "*", SearchOption.AllDirectories)
            .ToDictionary(f => Path.GetRelativePath(folder, f), File.ReadAllBytes);
        var a = Files(_built.First.Folder);
        var b = Files(_built.Second.Folder);
        Assert.Equal(a.Keys.Order(StringComparer.Ordinal), b.Keys.Order(StringComparer.Ordinal));
        foreach (var (path, bytes) in a) Assert.True(bytes.AsSpan().SequenceEqual(b[path]), $"{path} differs between the two builds");
        Assert.Contains(a.Keys, k => k.EndsWith(".mp4", StringComparison.Ordinal));
        Assert.Contains("corpus.json", a.Keys);
        Assert.Contains("README.md", a.Keys);
        Assert.False(Directory.Exists(_built.First.Folder + ".partial"));
        Assert.DoesNotContain(a.Keys, k => k.StartsWith(".work", StringComparison.Ordinal));
    }

    [Fact]
    public void Every_manifest_reads_without_errors_and_is_sorted_by_id()
    {
        foreach (var (split, manifest) in _built.Manifests)
        {
            Assert.Empty(manifest.Errors);
            var ids = manifest.Items.Select(i => i.Id).ToList();
            Assert.Equal(ids.Order(StringComparer.Ordinal), ids);
            Assert.All(manifest.Items, i => Assert.Equal(split, CorpusSplit.SplitOf(i.Id)));
        }
    }

    [Fact]
    public void Every_item_is_in_exactly_one_split()
    {
        var all = _built.Manifests.Values.SelectMany(m => m.Items.Select(i => i.Id)).ToList();
        Assert.Equal(all.Count, all.Distinct().Count());
        Assert.Equal(_built.First.Items.Select(i => i.Id).Order(StringComparer.Ordinal), all.Order(StringComparer.Ordinal));
        Assert.Equal(_built.First.Counts.Items, all.Count);
    }

    [Fact]
    public void Emoji_labels_follow_the_sources()
    {
        var items = _built.Items;
        IReadOnlyList<string>? Label(string id, string kind) => items[id].Labels.GetValueOrDefault(kind);

        Assert.Equal(new[] { "face-smiling" }, Label("emoji-1f600", "concept"));
        Assert.Equal(new[] { "face-smiling" }, Label("emoji-1f600", "emotion"));
        Assert.Equal(new[] { "positive" }, Label("emoji-1f600", "sentiment"));
        Assert.Equal(new[] { "face-neutral-skeptical" }, Label("emoji-1f610", "emotion"));
        Assert.Null(Label("emoji-1f610", "sentiment"));                                // 10 tweets: below the threshold
        Assert.Equal(new[] { "animal-mammal" }, Label("emoji-1f436", "concept"));
        Assert.Null(Label("emoji-1f436", "emotion"));
        Assert.Equal(new[] { "negative" }, Label("emoji-1f436", "sentiment"));
        Assert.Null(Label("emoji-1f920", "emotion"));                                  // face-hat is not an emotion sub-group
        Assert.Equal(new[] { "neutral" }, Label("emoji-1f920", "sentiment"));          // exactly at the threshold
        Assert.Equal(new[] { "face-affection" }, Label("emoji-263a", "emotion"));
        Assert.Null(Label("emoji-263a", "sentiment"));                                 // tied negative/positive

        // Emotion exactly for the eight face sub-groups, and equal to the sub-group.
        foreach (var item in items.Values)
        {
            var concept = item.Labels.GetValueOrDefault("concept")?.Single();
            bool emotional = item.Source == "emojibase" && concept is not null && CorpusBuilder.EmotionSubgroups.Contains(concept);
            if (emotional) Assert.Equal(new[] { concept! }, item.Labels["emotion"]);
            else Assert.False(item.Labels.ContainsKey("emotion"), $"{item.Id} has an emotion label");
            Assert.True(item.Source == "emojibase" || !item.Labels.ContainsKey("sentiment"), $"{item.Id} has a sentiment label");
        }
        Assert.Contains(items.Values, i => i.Labels.ContainsKey("emotion"));
        Assert.DoesNotContain(items.Keys, id => id.StartsWith("emoji-1f600-", StringComparison.Ordinal));   // skin tones are not items
    }

    [Fact]
    public void Emoji_text_and_images_are_the_google_ones()
    {
        var googleFolder = Path.Combine(_built.Inputs.GoogleImages, "img", "google", "64");
        int withImage = 0;
        foreach (var item in _built.Items.Values.Where(i => i.Source == "emojibase"))
        {
            if (item.Text is not null) Assert.Matches("^[^:]+: ", item.Text);
            if (item.Image is null) continue;
            withImage++;
            var hex = item.Id["emoji-".Length..];
            var google = File.Exists(Path.Combine(googleFolder, hex + ".png")) ? Path.Combine(googleFolder, hex + ".png") : Path.Combine(googleFolder, hex + "-fe0f.png");
            Assert.Equal(File.ReadAllBytes(google), File.ReadAllBytes(item.Image));
        }
        Assert.True(withImage > 10);
        if (_built.Items["emoji-1f600"].Text is { } text) Assert.Equal("grinning face: face, grin", text);
    }

    [Fact]
    public void Emoji_without_image_or_subgroup_are_skipped_with_the_reason()
    {
        var skipped = _built.First.Skipped.ToDictionary(s => s.Id);
        Assert.Equal(SkipKind.NoImage, skipped["emoji-1f9b0"].Kind);
        Assert.Equal(SkipKind.NoSubgroup, skipped["emoji-1f1e6"].Kind);
        Assert.False(_built.Items.ContainsKey("emoji-1f9b0"));
        Assert.False(_built.Items.ContainsKey("emoji-1f1e6"));
    }

    [Fact]
    public void Stamps_have_folder_concepts_english_text_and_no_variants()
    {
        var stamps = _built.Items.Values.Where(i => i.Source == "tuxpaint").ToList();
        Assert.All(stamps, s => Assert.StartsWith("stamp-", s.Id));
        Assert.DoesNotContain(stamps, s => s.Id.Contains("mirror") || s.Id.Contains("flip") || s.Id.Contains("desc"));
        var lion = _built.Items["stamp-animals-mammals-lion"];
        Assert.Equal(new[] { "animals/mammals" }, lion.Labels["concept"]);
        Assert.Equal(new[] { "animals/birds" }, _built.Items["stamp-animals-birds-owl"].Labels["concept"]);
        Assert.Equal(new[] { "food/vegetables" }, _built.Items["stamp-food-vegetables-carrot"].Labels["concept"]);
        foreach (var s in stamps.Where(s => s.Text is not null))
        {
            Assert.DoesNotContain("utf8", s.Text);
            Assert.EndsWith(".", s.Text);
        }
        if (lion.Text is not null) Assert.Equal("A lion.", lion.Text);
        // No text file: the stamp keeps its picture only.
        var tux = _built.Items["stamp-cartoon-tux-tux-yay"];
        Assert.Null(tux.Text);
        Assert.NotNull(tux.Image);
        // The SVG is preferred over the (corrupt) PNG beside it: the owl is an item, not a broken entry.
        Assert.DoesNotContain(_built.First.Skipped, s => s.Id == "stamp-animals-birds-owl");
        Assert.Equal(FixtureSources.SoundStamps.Length + FixtureSources.QuietStamps.Length + 3, stamps.Count);  // + owl, car, tux
    }

    [Fact]
    public void Broken_stamps_are_reported_and_skipped_and_the_build_goes_on()
    {
        var skipped = _built.First.Skipped.Where(s => s.Kind == SkipKind.Broken).ToDictionary(s => s.Id);
        Assert.Contains("broken.svg", skipped["stamp-symbols-shapes-broken"].Reason);
        Assert.Contains("mute.ogg", skipped["stamp-animals-mammals-mute"].Reason);
        Assert.DoesNotContain("/tmp", skipped["stamp-symbols-shapes-broken"].Reason);   // source paths are written relative
        Assert.Equal(2, skipped.Count);
        Assert.False(_built.Items.ContainsKey("stamp-symbols-shapes-broken"));
        Assert.True(_built.Items.Count > 40);
    }

    [Fact]
    public void Videos_are_short_h264_with_an_audio_track()
    {
        var videos = _built.Items.Values.Where(i => i.Video is not null).ToList();
        Assert.NotEmpty(videos);
        foreach (var v in videos.Take(3))
        {
            Assert.Null(v.Image);
            var probe = Probe(v.Video!);
            Assert.Contains("codec_name=h264", probe);
            Assert.Contains("codec_name=aac", probe);
            Assert.Contains("width=128", probe);
            var seconds = double.Parse(probe.Split('\n').First(l => l.StartsWith("duration=", StringComparison.Ordinal))["duration=".Length..], CultureInfo.InvariantCulture);
            Assert.InRange(seconds, MediaMaker.MinVideoSeconds - 0.05, MediaMaker.MaxVideoSeconds + 0.1);
        }
    }

    [Fact]
    public void Counts_and_description_match_the_items()
    {
        var counts = _built.First.Counts;
        Assert.Equal(_built.Items.Count, counts.Items);
        Assert.Equal(counts.Items, counts.Splits.Values.Sum());
        Assert.Equal(counts.Items, counts.Modalities.Values.Sum());
        foreach (var (split, manifest) in _built.Manifests) Assert.Equal(manifest.Items.Count, counts.Splits[CorpusSplit.FileName(split)]);
        Assert.Equal(counts.Items, counts.Labels["concept"].Items);
        var json = File.ReadAllText(Path.Combine(_built.First.Folder, "corpus.json"));
        Assert.Contains("\"buildKey\": \"fixture\"", json);
        Assert.Contains("\"emojibase-data\"", json);
        Assert.Contains("0.0.1-test", json);
        // The media tools' versions: other versions make other pixels, so a corpus says which made it.
        using (var description = System.Text.Json.JsonDocument.Parse(json))
        {
            var tools = description.RootElement.GetProperty("tools");
            Assert.StartsWith("ffmpeg version ", tools.GetProperty("ffmpeg").GetString());
            Assert.Contains("version", tools.GetProperty("rsvg-convert").GetString());
        }
        Assert.Contains("tuxpaint-stamps-default", File.ReadAllText(Path.Combine(_built.First.Folder, "README.md")));
    }

    [Fact]
    public void A_folder_that_is_not_a_corpus_is_never_replaced()
    {
        var folder = Path.Combine(_built.Root, "precious");
        Directory.CreateDirectory(folder);
        File.WriteAllText(Path.Combine(folder, "keep.txt"), "mine");
        var e = Assert.Throws<ArgumentException>(() => new CorpusBuilder().Build(_built.Inputs, folder));
        Assert.Contains("corpus.json", e.Message);
        Assert.True(File.Exists(Path.Combine(folder, "keep.txt")));
    }

    [Fact]
    public void A_missing_source_folder_is_named()
    {
        var inputs = _built.Inputs with { Stamps = Path.Combine(_built.Root, "no-such-stamps") };
        var e = Assert.Throws<DirectoryNotFoundException>(() => new CorpusBuilder().Build(inputs, Path.Combine(_built.Root, "c")));
        Assert.Contains("no-such-stamps", e.Message);
    }

    private static string Probe(string file)
    {
        var start = new ProcessStartInfo("ffprobe") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in new[] { "-v", "error", "-show_entries", "stream=codec_name,width:format=duration", "-of", "default=noprint_wrappers=1", file })
            start.ArgumentList.Add(a);
        using var p = Process.Start(start)!;
        var output = p.StandardOutput.ReadToEnd();
        p.WaitForExit();
        return output;
    }
}
