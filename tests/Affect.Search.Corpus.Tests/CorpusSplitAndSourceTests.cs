using Affect.Search.Corpus.Sources;

namespace Affect.Search.Corpus.Tests;

public sealed class CorpusSplitTests
{
    private static readonly string[] Ids = Enumerable.Range(0, 20_000).Select(i => $"emoji-{i:x5}").ToArray();

    [Fact]
    public void Splits_have_the_documented_shares()
    {
        var shares = Ids.GroupBy(CorpusSplit.SplitOf).ToDictionary(g => g.Key, g => g.Count() / (double)Ids.Length);
        Assert.InRange(shares[Split.Train], 0.48, 0.52);
        Assert.InRange(shares[Split.Reference], 0.33, 0.37);
        Assert.InRange(shares[Split.Queries], 0.13, 0.17);
    }

    [Fact]
    public void Choices_depend_on_the_id_only()
    {
        Assert.Equal(CorpusSplit.SplitOf("stamp-animals-mammals-lion"), CorpusSplit.SplitOf("stamp-animals-mammals-lion"));
        Assert.Equal(CorpusSplit.Fraction("split", "x"), CorpusSplit.Fraction("split", "x"));
        Assert.NotEqual(CorpusSplit.Fraction("split", "x"), CorpusSplit.Fraction("modality", "x"));
        Assert.All(Ids.Take(1000), id => Assert.InRange(CorpusSplit.Fraction("split", id), 0.0, 0.9999999999));
    }

    [Fact]
    public void Modality_plans_have_the_documented_shares_and_cover_every_case()
    {
        double Share(Func<string, Modalities> plan, Modalities m) => Ids.Count(id => plan(id) == m) / (double)Ids.Length;
        Assert.InRange(Share(CorpusSplit.ForEmoji, Modalities.Image | Modalities.Text), 0.68, 0.72);
        Assert.InRange(Share(CorpusSplit.ForEmoji, Modalities.Image), 0.13, 0.17);
        Assert.InRange(Share(CorpusSplit.ForEmoji, Modalities.Text), 0.13, 0.17);
        Assert.InRange(Share(id => CorpusSplit.ForStamp(id, true), Modalities.Video | Modalities.Text), 0.53, 0.57);
        foreach (var m in new[] { Modalities.Video, Modalities.Audio, Modalities.Audio | Modalities.Text })
            Assert.InRange(Share(id => CorpusSplit.ForStamp(id, true), m), 0.13, 0.17);
        var all = Ids.Select(CorpusSplit.ForEmoji).Concat(Ids.Select(id => CorpusSplit.ForStamp(id, true)))
            .Concat(Ids.Select(id => CorpusSplit.ForStamp(id, false))).Select(CorpusSplit.Name).ToHashSet();
        // Text, visual, audio and every missing-modality combination of them.
        Assert.Equal(new[] { "audio", "image", "text", "text+audio", "text+image", "text+video", "video" }, all.Order(StringComparer.Ordinal));
    }
}

public sealed class SourceTests
{
    [Theory]
    [InlineData(45, 5, 10, 30, "positive")]
    [InlineData(30, 20, 5, 5, "negative")]
    [InlineData(20, 2, 15, 3, "neutral")]
    [InlineData(19, 2, 15, 2, null)]         // below the threshold
    [InlineData(40, 20, 0, 20, null)]        // tie for the most
    [InlineData(40, 10, 10, 20, "positive")] // a tie below the top does not matter
    public void Sentiment_is_the_argmax_above_the_threshold(int occurrences, int negative, int neutral, int positive, string? expected)
        => Assert.Equal(expected, EmojiSentiment.Label(new SentimentCounts("1F600", occurrences, negative, neutral, positive)));

    [Fact]
    public void Hexcodes_match_without_fe0f_and_case()
    {
        Assert.Equal("263A", GoogleEmojiImages.Normalise("263a-fe0f"));
        Assert.Equal("1F3F3-200D-1F308", GoogleEmojiImages.Normalise("1F3F3-FE0F-200D-1F308"));
    }

    [Fact]
    public void Stamp_ids_and_folders()
    {
        var s = new Stamp("animals/mammals/Sea_Lion", "animals/mammals", "/x.png", null, null);
        Assert.Equal("stamp-animals-mammals-sea-lion", s.Id);
        Assert.False(s.IsSvg);
        Assert.True((s with { Image = "/x.svg" }).IsSvg);
    }

    [Fact]
    public void Stamp_scan_prefers_svg_skips_variants_and_spoken_descriptions()
    {
        var root = Directory.CreateTempSubdirectory("affect-stamps-").FullName;
        try
        {
            var dir = Path.Combine(root, "a", "b");
            Directory.CreateDirectory(dir);
            foreach (var f in new[] { "x.png", "x.svg", "x.txt", "x_desc.ogg", "x_mirror.png", "x_flip.png", "y.png", "y.wav", "y_desc.ogg", "z.png", "z.ogg", "z.wav" })
                File.WriteAllText(Path.Combine(dir, f), "");
            var stamps = TuxPaintStamps.Scan(root);
            Assert.Equal(new[] { "a/b/x", "a/b/y", "a/b/z" }, stamps.Select(s => s.RelativeStem));
            Assert.All(stamps, s => Assert.Equal("a/b", s.Folder));
            Assert.True(stamps[0].IsSvg);
            Assert.Null(stamps[0].Sound);
            Assert.NotNull(stamps[0].TextFile);
            Assert.EndsWith("y.wav", stamps[1].Sound);
            Assert.EndsWith("z.ogg", stamps[2].Sound);   // .ogg before .wav
            File.WriteAllText(Path.Combine(dir, "x.txt"), "\uFEFF  A thing.  \nfr.utf8=Une chose.\n");
            Assert.Equal("A thing.", TuxPaintStamps.ReadEnglish(Path.Combine(dir, "x.txt")));
        }
        finally { Directory.Delete(root, recursive: true); }
    }

    [Fact]
    public void Sound_durations_come_from_the_headers()
    {
        var root = Directory.CreateTempSubdirectory("affect-sounds-").FullName;
        try
        {
            var ogg = Path.Combine(root, "a.ogg");
            var wav = Path.Combine(root, "a.wav");
            FixtureSources.Ffmpeg("-f", "lavfi", "-i", "sine=frequency=440:duration=1.25", "-c:a", "libvorbis", ogg);
            FixtureSources.Ffmpeg("-f", "lavfi", "-i", "sine=frequency=440:duration=0.75", "-c:a", "pcm_s16le", wav);
            Assert.InRange(SoundDuration.TryRead(ogg)!.Value, 1.24, 1.26);
            Assert.InRange(SoundDuration.TryRead(wav)!.Value, 0.74, 0.76);
            File.WriteAllText(Path.Combine(root, "b.ogg"), "OggS but not really a sound");
            Assert.Null(SoundDuration.TryRead(Path.Combine(root, "b.ogg")));
            Assert.Equal(1.0, MediaMaker.VideoSeconds(0.3));
            Assert.Equal(4.0, MediaMaker.VideoSeconds(9));
            Assert.Equal(2.0, MediaMaker.VideoSeconds(1.95));     // whole frames at 12 fps
        }
        finally { Directory.Delete(root, recursive: true); }
    }
}
