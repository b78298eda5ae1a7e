using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using Affect.Search.Corpus.Sources;

namespace Affect.Search.Corpus;

/// <summary>Writes the extended corpus's corpus.json and README.md.</summary>
public static class ExtendedCorpusFiles
{
    private static readonly JsonSerializerOptions DescriptionOptions = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        WriteIndented = true,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    /// <summary>The icon packages as corpus.json records them, read from their package.json, with the SHA-512 of their tarball when it is there.</summary>
    public static IReadOnlyList<CorpusSource> Sources(ExtendedCorpusInputs inputs)
    {
        string? Sha(PackageInfo p) => p.TarballSha512(inputs.Tarballs);
        return inputs.Packages.Select(p =>
        {
            var info = PackageInfo.Read(p.Folder, p.Package);
            string use = p.Source switch
            {
                MaterialDesignIcons.Source => $"{MaterialDesignIcons.MetaFile} (names, aliases, category tags) and {MaterialDesignIcons.SvgFolder}/*.svg",
                TablerIcons.Source => $"{TablerIcons.MetaFile} (names, tags, category) and {TablerIcons.SvgFolder}/*.svg (outline style only)",
                _ => $"{PhosphorIcons.MetaFile} (names, former names, tags, categories) and {PhosphorIcons.SvgFolder}/*.svg (regular weight only)",
            };
            return new CorpusSource(info.Name, info.Version, info.License, "npm", Sha(info), use);
        }).ToList();
    }

    /// <summary>
    /// Writes corpus.json and README.md. corpus.json holds no time or machine-specific path, so a rebuild from the same
    /// inputs gives the same bytes; README.md also records how long the build took (<paramref name="seconds"/>), its one varying line.
    /// </summary>
    public static void WriteDescription(string folder, ExtendedCorpusInputs inputs, IReadOnlyList<CorpusItem> items, CorpusCounts counts,
        IReadOnlyList<SkippedEntry> skipped, IReadOnlyList<KeyValuePair<string, string>> tools, double seconds, int parallelism)
    {
        var sources = Sources(inputs);
        var categories = CategoriesBySource(items);
        var uncategorised = items.Where(i => !i.Labels.ContainsKey(ExtendedCorpusBuilder.CategoryLabel))
            .GroupBy(i => i.Source).ToDictionary(g => g.Key, g => g.Count());
        var description = new
        {
            format = 1,
            kind = "extended",
            builder = $"Affect.Search.Corpus extended {ExtendedCorpusBuilder.Version}",
            buildKey = inputs.BuildKey,
            manifests = new[] { CorpusSplit.FileName(Split.Train) },
            tools = tools.Where(t => t.Key == "rsvg-convert").ToDictionary(t => t.Key, t => t.Value),
            image = new { size = MediaMaker.IconSize, background = "white" },
            sources,
            counts = new
            {
                items = counts.Items,
                sources = counts.Sources,
                modalities = counts.Modalities,
                categories,
                withoutCategory = new SortedDictionary<string, int>(uncategorised, StringComparer.Ordinal),
                skipped = counts.Skipped,
            },
            skipped = skipped.Select(s => new { id = s.Id, kind = CorpusCounts.SkipName(s.Kind), reason = s.Reason }),
        };
        File.WriteAllText(Path.Combine(folder, CorpusFiles.CorpusJson), JsonSerializer.Serialize(description, DescriptionOptions) + "\n", new UTF8Encoding(false));
        File.WriteAllText(Path.Combine(folder, CorpusFiles.Readme), ReadmeText(sources, counts, categories, uncategorised, skipped, tools, seconds, parallelism), new UTF8Encoding(false));
    }

    /// <summary>Source -> category -> items with it (an item in several categories counts in each), in ordinal order.</summary>
    public static SortedDictionary<string, SortedDictionary<string, int>> CategoriesBySource(IReadOnlyList<CorpusItem> items)
    {
        var bySource = new SortedDictionary<string, SortedDictionary<string, int>>(StringComparer.Ordinal);
        foreach (var item in items)
        {
            if (!bySource.TryGetValue(item.Source, out var c)) bySource[item.Source] = c = new SortedDictionary<string, int>(StringComparer.Ordinal);
            foreach (var category in item.Labels.GetValueOrDefault(ExtendedCorpusBuilder.CategoryLabel) ?? Array.Empty<string>())
                c[category] = c.GetValueOrDefault(category) + 1;
        }
        return bySource;
    }

    private static string ReadmeText(IReadOnlyList<CorpusSource> sources, CorpusCounts counts, SortedDictionary<string, SortedDictionary<string, int>> categories,
        IReadOnlyDictionary<string, int> uncategorised, IReadOnlyList<SkippedEntry> skipped, IReadOnlyList<KeyValuePair<string, string>> tools, double seconds, int parallelism)
    {
        var s = new StringBuilder();
        void L(string line = "") => s.Append(line).Append('\n');
        string N(int n) => n.ToString("N0", CultureInfo.InvariantCulture);
        L("# Affect.Search extended training corpus");
        L();
        L($"Built by Affect.Search.Corpus extended {ExtendedCorpusBuilder.Version} (`affect corpus build-extended`, " +
          $"`tools/build-corpus.sh --extended`). {N(counts.Items)} text+image items without emotion or sentiment labels in one JSON Lines manifest, " +
          "`train.jsonl` (the format of the repository README's \"Corpus manifest\"), pictures under `media/image/`. " +
          "**Train only**: there is no reference or queries manifest; the items are for unsupervised training and are " +
          "not yet used by the main job. The same inputs and rsvg-convert version give byte-identical files, except the " +
          "build time below.");
        L();
        L($"Pictures made with {string.Join(" and ", tools.Where(t => t.Key == "rsvg-convert").Select(t => t.Value))}.");
        L();
        L("## Sources");
        L();
        L("| package | version | licence | from | SHA-512 of the tarball | used |");
        L("| --- | --- | --- | --- | --- | --- |");
        foreach (var src in sources) L($"| {src.Name} | {src.Version} | {src.Licence} | {src.Registry} | {(src.Sha512 is null ? "-" : $"`{src.Sha512}`")} | {src.Use} |");
        L();
        L("Each package's LICENSE file is in its tarball (`data/cache/`).");
        L();
        L("## Items");
        L();
        L("- **Material Design Icons** (`mdi-<name>`, source `mdi`): every entry of `meta.json` (deprecated icons included: " +
          "they are still drawn). Text: the name as words, then the aliases and the parts of the category tags as words " +
          "(\"cat: emoji cat, emoticon cat, animal, holiday\"). `labels.category`: the tags verbatim (\"Animal\", \"Gaming / RPG\"; " +
          "an icon may have several or none).");
        L("- **Tabler Icons** (`tabler-<name>`, source `tabler`): every entry of `icons.json`, outline style. Text: the name " +
          "as words, then the tags as words (\"mood happy: happy, smile, joy, ...\"). `labels.category`: the category (\"Mood\").");
        L("- **Phosphor Icons** (`phosphor-<name>`, source `phosphor`): every icon of the `icons` array of `dist/index.mjs` " +
          "(an ES module, read as data), regular weight. Text: the name as words, then the former name (`alias`) and the tags " +
          "as words, without the release markers `*new*` and `*updated*`. `labels.category`: the categories (\"nature\", " +
          "\"technology & development\"; an icon may have several).");
        L();
        L($"Words: split on '-' and '_', lower-cased; a keyword equal to the name or to an earlier keyword is left out. " +
          $"Picture: the SVG rasterised by rsvg-convert to {MediaMaker.IconSize}x{MediaMaker.IconSize} (fitted, centred), " +
          "composited on white (the icons are black on transparent), 8-bit RGB PNG. No item has an `emotion` or `sentiment` label.");
        L();
        L("## Counts");
        L();
        L("| source | items | distinct categories | items without a category |");
        L("| --- | ---: | ---: | ---: |");
        foreach (var (src, n) in counts.Sources)
            L($"| {src} | {N(n)} | {N(categories.GetValueOrDefault(src)?.Count ?? 0)} | {N(uncategorised.GetValueOrDefault(src))} |");
        L($"| all | {N(counts.Items)} | |");
        L();
        foreach (var (src, c) in categories)
        {
            L($"{src} categories (items; an item may be in several): " + string.Join(", ", c.Select(v => $"{v.Key} {N(v.Value)}")));
            L();
        }
        L("## Skipped");
        L();
        if (skipped.Count == 0) L("Nothing.");
        else
        {
            L(string.Join(", ", counts.Skipped.Select(k => $"{k.Key} {N(k.Value)}")) + " (each with its reason in `corpus.json`).");
            foreach (var b in skipped) L($"- `{b.Id}`: {b.Reason}");
        }
        L();
        L("## Build");
        L();
        L(string.Create(CultureInfo.InvariantCulture, $"Built in {seconds:0} s with {parallelism} rsvg-convert worker{(parallelism == 1 ? "" : "s")} at a time."));
        return s.ToString();
    }
}
