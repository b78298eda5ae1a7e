using System.Text.Json;
using Affect.Search.Corpus.Sources;
using Affect.Search.Features.Corpus;
using StbImageSharp;

namespace Affect.Search.Corpus.Tests;

/// <summary>
/// Tiny hand-made stand-ins for the icon packages: a Material Design Icons folder (meta.json, svg/), a Tabler
/// Icons folder (icons.json, icons/outline/) and a Phosphor Icons folder (dist/index.mjs, assets/regular/), each with two
/// or three black-on-transparent SVGs, malformed metadata
/// entries and, for the build, a corrupt SVG and a missing one.
/// </summary>
public static partial class FixtureIcons
{
    /// <summary>A black stroked circle on transparent, as Tabler draws (currentColor strokes, no fill).</summary>
    public const string StrokeSvg = """
        <svg xmlns="http://www.w3.org/2000/svg" width="24" height="24" viewBox="0 0 24 24" fill="none" stroke="currentColor" stroke-width="2">
          <path stroke="none" d="M0 0h24v24H0z" fill="none"/><circle cx="12" cy="12" r="9"/><path d="M9 10l.01 0"/>
        </svg>
        """;

    /// <summary>A black filled shape on transparent, as Material Design Icons draws (a path with the default black fill).</summary>
    public const string FilledSvg = """<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 24 24"><path d="M4,4H20V20H4Z"/></svg>""";

    /// <summary>Writes the Material Design Icons stand-in into <paramref name="folder"/> and returns it.</summary>
    public static string WriteMaterialDesignIcons(string folder)
    {
        Directory.CreateDirectory(Path.Combine(folder, "svg"));
        File.WriteAllText(Path.Combine(folder, "meta.json"), """
            [
              {"name": "cat", "aliases": ["emoji-cat", "emoticon-cat"], "tags": ["Animal", "Holiday"], "deprecated": false},
              {"name": "heart", "aliases": ["favorite"], "tags": ["Shape", "Gaming / RPG"]},
              42,
              {"aliases": ["nameless"], "tags": []},
              {"name": "bad-aliases", "aliases": "not-a-list", "tags": []},
              {"name": "no-tags", "aliases": []},
              {"name": "corrupt", "aliases": [], "tags": ["Shape"]},
              {"name": "missing-svg", "aliases": [], "tags": []}
            ]
            """);
        File.WriteAllText(Path.Combine(folder, "svg", "cat.svg"), FilledSvg);
        File.WriteAllText(Path.Combine(folder, "svg", "heart.svg"), StrokeSvg.Replace("r=\"9\"", "r=\"6\""));
        File.WriteAllText(Path.Combine(folder, "svg", "no-tags.svg"), FilledSvg.Replace("M4,4", "M6,4"));
        File.WriteAllText(Path.Combine(folder, "svg", "corrupt.svg"), "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"10\"");
        File.WriteAllText(Path.Combine(folder, "package.json"), """{"name": "@mdi/svg", "version": "0.0.1-test", "license": "Apache-2.0"}""");
        return folder;
    }

    /// <summary>Writes the Tabler Icons stand-in into <paramref name="folder"/> and returns it.</summary>
    public static string WriteTablerIcons(string folder)
    {
        Directory.CreateDirectory(Path.Combine(folder, "icons", "outline"));
        File.WriteAllText(Path.Combine(folder, "icons.json"), """
            {
              "mood-happy": {"name": "mood-happy", "category": "Mood", "tags": ["happy", "smile", "mood", "kitty_cat"], "styles": {"outline": {"version": "1.0"}, "filled": {"version": "2.9"}}},
              "ambulance": {"name": "ambulance", "category": "Vehicles", "tags": ["emergency", 911, "Emergency"], "styles": {"outline": {"version": "1.0"}}},
              "no-category": {"name": "no-category", "tags": [], "styles": {"outline": {"version": "1.0"}}},
              "not-an-object": "oops",
              "bad-tags": {"name": "bad-tags", "category": "Mood", "tags": [["nested"]], "styles": {"outline": {}}},
              "filled-only": {"name": "filled-only", "category": "Mood", "tags": [], "styles": {"filled": {}}}
            }
            """);
        File.WriteAllText(Path.Combine(folder, "icons", "outline", "mood-happy.svg"), StrokeSvg);
        File.WriteAllText(Path.Combine(folder, "icons", "outline", "ambulance.svg"), StrokeSvg.Replace("r=\"9\"", "r=\"4\""));
        File.WriteAllText(Path.Combine(folder, "icons", "outline", "no-category.svg"), StrokeSvg.Replace("r=\"9\"", "r=\"7\""));
        File.WriteAllText(Path.Combine(folder, "package.json"), """{"name": "@tabler/icons", "version": "0.0.2-test", "license": "MIT"}""");
        return folder;
    }
}

public static partial class FixtureIcons
{
    /// <summary>
    /// Writes a Phosphor Icons stand-in into <paramref name="folder"/> and returns it: dist/index.mjs in the shape the
    /// real package's bundler writes (enums, then the icon array with bare keys and enum members, then the export).
    /// </summary>
    public static string WritePhosphorIcons(string folder)
    {
        Directory.CreateDirectory(Path.Combine(folder, "dist"));
        Directory.CreateDirectory(Path.Combine(folder, "assets", "regular"));
        File.WriteAllText(Path.Combine(folder, "dist", "index.mjs"), """
            var t = /* @__PURE__ */ ((i) => (i.REGULAR = "regular", i.BOLD = "bold", i))(t || {}), e = /* @__PURE__ */ ((i) => (i.NATURE = "nature", i.DEVELOPMENT = "technology & development", i.PEOPLE = "people", i))(e || {}), a = /* @__PURE__ */ ((i) => (i.WEATHER = "weather & nature", i))(a || {});
            const n = [
              {
                name: "acorn",
                pascal_name: "Acorn",
                categories: [e.NATURE, e.DEVELOPMENT],
                figma_category: a.WEATHER,
                tags: [
                  "*new*",
                  "nut",
                  'savings',
                  "food \"fresh\""
                ],
                codepoint: 60314,
                published_in: 2.1,
                updated_in: 2.1
              },
              {
                name: "smiley-sad",
                pascal_name: "SmileySad",
                alias: { name: "frown", pascal_name: "Frown" },
                categories: [e.PEOPLE],
                figma_category: a.WEATHER,
                tags: ["*updated*", "face", "unhappy", "sad"],
                codepoint: 59000,
                published_in: 1,
                updated_in: 1
              },
              {
                pascal_name: "Nameless",
                categories: [e.PEOPLE],
                tags: ["x"]
              },
              {
                name: "bad-categories",
                categories: "people",
                tags: []
              }
            ];
            export {
              a as FigmaCategory,
              e as IconCategory,
              t as IconStyle,
              n as icons
            };
            """);
        File.WriteAllText(Path.Combine(folder, "assets", "regular", "acorn.svg"),
            """<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 256 256" fill="currentColor"><path d="M40,40H216V216H40Z"/></svg>""");
        File.WriteAllText(Path.Combine(folder, "assets", "regular", "smiley-sad.svg"),
            """<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 256 256" fill="currentColor"><circle cx="128" cy="128" r="80"/></svg>""");
        File.WriteAllText(Path.Combine(folder, "package.json"), """{"name": "@phosphor-icons/core", "version": "0.0.3-test", "license": "MIT"}""");
        return folder;
    }
}

public sealed class IconSourceTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("affect-icons-").FullName;

    public void Dispose()
    {
        try { Directory.Delete(_root, recursive: true); } catch (IOException) { }
    }

    [Fact]
    public void Material_design_icons_give_name_aliases_and_category_tags()
    {
        var folder = FixtureIcons.WriteMaterialDesignIcons(Path.Combine(_root, "mdi"));
        var package = MaterialDesignIcons.Read(folder);
        var icons = package.Icons.ToDictionary(i => i.Id);
        Assert.Equal(new[] { "mdi-cat", "mdi-heart", "mdi-no-tags", "mdi-corrupt", "mdi-missing-svg" }, package.Icons.Select(i => i.Id));
        var cat = icons["mdi-cat"];
        Assert.Equal("mdi", cat.Source);
        Assert.Equal(new[] { "emoji-cat", "emoticon-cat" }, cat.Aliases);
        Assert.Equal(new[] { "Animal", "Holiday" }, cat.Categories);
        Assert.Equal(Path.Combine(Path.GetFullPath(folder), "svg", "cat.svg"), cat.Svg);
        Assert.Equal("cat: emoji cat, emoticon cat, animal, holiday", cat.Text);
        // A category tag is split into its parts for the text, kept whole as the label.
        Assert.Equal("heart: favorite, shape, gaming, rpg", icons["mdi-heart"].Text);
        Assert.Equal(new[] { "Shape", "Gaming / RPG" }, icons["mdi-heart"].Categories);
        Assert.Equal("no tags", icons["mdi-no-tags"].Text);
        Assert.Empty(icons["mdi-no-tags"].Categories);
    }

    [Fact]
    public void Malformed_material_design_entries_are_reported_and_the_rest_is_read()
    {
        var package = MaterialDesignIcons.Read(FixtureIcons.WriteMaterialDesignIcons(Path.Combine(_root, "mdi")));
        var problems = package.Problems.ToDictionary(p => p.Id);
        Assert.Equal(3, problems.Count);
        Assert.Contains("entry 2: not an object", problems["mdi-entry-2"].Reason);
        Assert.Contains("entry 3: no usable name", problems["mdi-entry-3"].Reason);
        Assert.Contains("aliases is not a list of strings", problems["mdi-bad-aliases"].Reason);
        Assert.All(problems.Values, p => Assert.Contains("meta.json", p.Reason));
        Assert.Equal(5, package.Icons.Count);
    }

    [Fact]
    public void Tabler_icons_give_name_tags_category_and_the_outline_svg()
    {
        var folder = FixtureIcons.WriteTablerIcons(Path.Combine(_root, "tabler"));
        var package = TablerIcons.Read(folder);
        var icons = package.Icons.ToDictionary(i => i.Id);
        Assert.Equal(new[] { "tabler-mood-happy", "tabler-ambulance", "tabler-no-category" }, package.Icons.Select(i => i.Id));
        var happy = icons["tabler-mood-happy"];
        Assert.Equal(new[] { "Mood" }, happy.Categories);
        Assert.Equal(Path.Combine(Path.GetFullPath(folder), "icons", "outline", "mood-happy.svg"), happy.Svg);
        Assert.Equal("mood happy: happy, smile, mood, kitty cat", happy.Text);
        // Numeric tags are kept as written; a keyword already given (in any case) is not repeated.
        Assert.Equal("ambulance: emergency, 911", icons["tabler-ambulance"].Text);
        Assert.Empty(icons["tabler-no-category"].Categories);
    }

    [Fact]
    public void Malformed_tabler_entries_are_reported_and_the_rest_is_read()
    {
        var package = TablerIcons.Read(FixtureIcons.WriteTablerIcons(Path.Combine(_root, "tabler")));
        var problems = package.Problems.ToDictionary(p => p.Id);
        Assert.Equal(new[] { "tabler-bad-tags", "tabler-filled-only", "tabler-not-an-object" }, problems.Keys.Order(StringComparer.Ordinal));
        Assert.Contains("not an object", problems["tabler-not-an-object"].Reason);
        Assert.Contains("tags is not a list of strings", problems["tabler-bad-tags"].Reason);
        Assert.Contains("no outline style", problems["tabler-filled-only"].Reason);
        Assert.Equal(3, package.Icons.Count);
    }

    [Fact]
    public void Phosphor_icons_are_read_from_the_es_module_with_enum_categories()
    {
        var folder = FixtureIcons.WritePhosphorIcons(Path.Combine(_root, "phosphor"));
        var package = PhosphorIcons.Read(folder);
        Assert.Equal(new[] { "phosphor-acorn", "phosphor-smiley-sad" }, package.Icons.Select(i => i.Id));
        var acorn = package.Icons[0];
        Assert.Equal(new[] { "nature", "technology & development" }, acorn.Categories);
        // The release marker is dropped; single-quoted and escaped strings are read as JavaScript reads them.
        Assert.Equal("acorn: nut, savings, food \"fresh\"", acorn.Text);
        Assert.Equal(Path.Combine(Path.GetFullPath(folder), "assets", "regular", "acorn.svg"), acorn.Svg);
        var sad = package.Icons[1];
        Assert.Equal(new[] { "frown" }, sad.Aliases);
        Assert.Equal("smiley sad: frown, face, unhappy, sad", sad.Text);
        Assert.Equal(new[] { "people" }, sad.Categories);
        var problems = package.Problems.ToDictionary(p => p.Id);
        Assert.Contains("no usable name", problems["phosphor-entry-2"].Reason);
        Assert.Contains("categories is not a list of strings", problems["phosphor-bad-categories"].Reason);
        Assert.Equal(2, problems.Count);
    }

    [Fact]
    public void A_phosphor_module_with_code_in_its_icon_array_is_named()
    {
        var folder = FixtureIcons.WritePhosphorIcons(Path.Combine(_root, "phosphor"));
        var module = Path.Combine(folder, "dist", "index.mjs");
        File.WriteAllText(module, File.ReadAllText(module).Replace("e.PEOPLE]", "e.UNKNOWN]"));
        var e = Assert.Throws<InvalidDataException>(() => PhosphorIcons.Read(folder));
        Assert.Contains("e.UNKNOWN", e.Message);
        File.WriteAllText(module, "export { n as things };");
        Assert.Throws<InvalidDataException>(() => PhosphorIcons.Read(folder));
    }

    [Fact]
    public void A_metadata_file_that_is_not_json_is_named()
    {
        var folder = Path.Combine(_root, "broken");
        Directory.CreateDirectory(folder);
        File.WriteAllText(Path.Combine(folder, "meta.json"), "[{");
        var e = Assert.Throws<InvalidDataException>(() => MaterialDesignIcons.Read(folder));
        Assert.Contains("meta.json", e.Message);
        Assert.Throws<FileNotFoundException>(() => TablerIcons.Read(folder));
    }

    [Theory]
    [InlineData("cat", new string[0], new string[0], "cat")]
    [InlineData("emoticon-happy", new[] { "smiley-happy", "face_happy" }, new[] { "Emoji" }, "emoticon happy: smiley happy, face happy, emoji")]
    [InlineData("arrow-up", new[] { "Arrow-Up" }, new[] { "arrow", "  ", "arrow" }, "arrow up: arrow")]
    public void Text_is_the_name_then_aliases_and_tags_as_words(string name, string[] aliases, string[] tags, string expected)
        => Assert.Equal(expected, new IconEntry("mdi", name, aliases, tags, Array.Empty<string>(), "x.svg").Text);

    [Fact]
    public void Ids_are_the_source_and_the_lower_cased_name()
    {
        Assert.Equal("mdi-emoticon-happy", IconEntry.IdOf("mdi", "emoticon-happy"));
        Assert.Equal("tabler-a-b-2", IconEntry.IdOf("tabler", "A_B 2"));
    }
}

/// <summary>
/// Builds the extended corpus twice from the fixture icon packages (with different worker counts) and checks the
/// manifest, determinism, the pictures and the skips.
/// </summary>
public sealed class ExtendedCorpusBuilderTests : IClassFixture<ExtendedCorpusBuilderTests.BuiltTwice>
{
    private readonly BuiltTwice _built;

    public ExtendedCorpusBuilderTests(BuiltTwice built) => _built = built;

    public sealed class BuiltTwice : IDisposable
    {
        public BuiltTwice()
        {
            Root = Directory.CreateTempSubdirectory("affect-extended-build-").FullName;
            Inputs = new ExtendedCorpusInputs(FixtureIcons.WriteMaterialDesignIcons(Path.Combine(Root, "sources", "mdi")),
                FixtureIcons.WriteTablerIcons(Path.Combine(Root, "sources", "tabler")),
                FixtureIcons.WritePhosphorIcons(Path.Combine(Root, "sources", "phosphor"))) { BuildKey = "fixture" };
            First = new ExtendedCorpusBuilder(parallelism: 3).Build(Inputs, Path.Combine(Root, "a"));
            Second = new ExtendedCorpusBuilder(parallelism: 1).Build(Inputs, Path.Combine(Root, "b"));
            Manifest = ManifestReader.Read(Path.Combine(First.Folder, "train.jsonl"));
        }

        public string Root { get; }
        public ExtendedCorpusInputs Inputs { get; }
        public CorpusBuildReport First { get; }
        public CorpusBuildReport Second { get; }
        public Manifest Manifest { get; }

        public void Dispose()
        {
            try { Directory.Delete(Root, recursive: true); } catch (IOException) { }
        }
    }

    [Fact]
    public void Only_a_train_manifest_sorted_by_id_that_reads_clean()
    {
        var files = Directory.EnumerateFiles(_built.First.Folder).Select(Path.GetFileName).Order(StringComparer.Ordinal);
        Assert.Equal(new[] { "README.md", "corpus.json", "train.jsonl" }, files);
        Assert.Empty(_built.Manifest.Errors);
        var ids = _built.Manifest.Items.Select(i => i.Id).ToList();
        Assert.Equal(new[] { "mdi-cat", "mdi-heart", "mdi-no-tags", "phosphor-acorn", "phosphor-smiley-sad", "tabler-ambulance", "tabler-mood-happy", "tabler-no-category" }, ids);
        Assert.All(_built.First.Items, i => Assert.Equal(Split.Train, i.Split));
        Assert.False(Directory.Exists(_built.First.Folder + ".partial"));
    }

    [Fact]
    public void Two_builds_give_byte_identical_manifests_pictures_and_descriptions()
    {
        static Dictionary<string, byte[]> Files(string folder) => Directory.EnumerateFiles(folder, "*", SearchOption.AllDirectories)
            .Where(f => Path.GetFileName(f) != "README.md")   // README.md records the build time
            .ToDictionary(f => Path.GetRelativePath(folder, f), File.ReadAllBytes);
        var a = Files(_built.First.Folder);
        var b = Files(_built.Second.Folder);
        Assert.Equal(a.Keys.Order(StringComparer.Ordinal), b.Keys.Order(StringComparer.Ordinal));
        foreach (var (path, bytes) in a) Assert.True(bytes.AsSpan().SequenceEqual(b[path]), $"{path} differs between the two builds");
        Assert.Contains("train.jsonl", a.Keys);
        Assert.Equal(8, a.Keys.Count(k => k.EndsWith(".png", StringComparison.Ordinal)));
    }

    [Fact]
    public void Items_have_text_picture_source_and_category_and_no_emotion_label()
    {
        var items = _built.Manifest.Items.ToDictionary(i => i.Id);
        var cat = items["mdi-cat"];
        Assert.Equal("cat: emoji cat, emoticon cat, animal, holiday", cat.Text);
        Assert.Equal("mdi", cat.Source);
        Assert.Equal(new[] { "Animal", "Holiday" }, cat.Labels["category"]);
        Assert.Equal(new[] { "people" }, items["phosphor-smiley-sad"].Labels["category"]);
        Assert.Equal("tabler", items["tabler-mood-happy"].Source);
        Assert.Equal(new[] { "Mood" }, items["tabler-mood-happy"].Labels["category"]);
        Assert.Empty(items["tabler-no-category"].Labels);
        foreach (var item in items.Values)
        {
            Assert.NotNull(item.Text);
            Assert.Equal(Path.Combine(_built.First.Folder, "media", "image", item.Id + ".png"), item.Image);
            Assert.Null(item.Audio);
            Assert.Null(item.Video);
            Assert.All(item.Labels.Keys, k => Assert.Equal("category", k));
        }
        var line = File.ReadLines(Path.Combine(_built.First.Folder, "train.jsonl")).First();
        Assert.Equal("""{"id":"mdi-cat","text":"cat: emoji cat, emoticon cat, animal, holiday","image":"media/image/mdi-cat.png","labels":{"category":["Animal","Holiday"]},"source":"mdi"}""", line);
    }

    [Fact]
    public void Pictures_are_64x64_black_on_opaque_white()
    {
        foreach (var item in _built.Manifest.Items)
        {
            var picture = ImageResult.FromMemory(File.ReadAllBytes(item.Image!), ColorComponents.RedGreenBlueAlpha);
            Assert.Equal(MediaMaker.IconSize, picture.Width);
            Assert.Equal(MediaMaker.IconSize, picture.Height);
            var px = picture.Data;
            int dark = 0;
            for (int i = 0; i < px.Length; i += 4)
            {
                Assert.Equal(255, px[i + 3]);                                 // opaque everywhere: composited, no alpha left
                if (px[i] < 64 && px[i + 1] < 64 && px[i + 2] < 64) dark++;
            }
            Assert.Equal(new byte[] { 255, 255, 255, 255 }, px[..4]);          // the top-left corner is background: white
            Assert.InRange(dark, 20, px.Length / 4 - 20);                      // the drawing is there, in black
        }
    }

    [Fact]
    public void Malformed_entries_and_broken_svgs_are_reported_and_skipped_and_the_build_goes_on()
    {
        var skipped = _built.First.Skipped.ToDictionary(s => s.Id);
        Assert.Equal(SkipKind.BadMetadata, skipped["mdi-entry-2"].Kind);
        Assert.Equal(SkipKind.BadMetadata, skipped["mdi-bad-aliases"].Kind);
        Assert.Equal(SkipKind.BadMetadata, skipped["tabler-not-an-object"].Kind);
        Assert.Equal(SkipKind.BadMetadata, skipped["tabler-filled-only"].Kind);
        Assert.Equal(SkipKind.Broken, skipped["mdi-corrupt"].Kind);
        Assert.Contains("<mdi>/svg/corrupt.svg", skipped["mdi-corrupt"].Reason);   // package paths are written relative
        Assert.Equal(SkipKind.Broken, skipped["mdi-missing-svg"].Kind);
        Assert.Contains("<tabler>/icons.json", skipped["tabler-bad-tags"].Reason);
        Assert.Equal(SkipKind.BadMetadata, skipped["phosphor-bad-categories"].Kind);
        Assert.Equal(10, skipped.Count);
        Assert.False(File.Exists(Path.Combine(_built.First.Folder, "media", "image", "mdi-corrupt.png")));
        Assert.Equal(8, _built.First.Items.Count);
    }

    [Fact]
    public void Counts_and_description_match_the_items()
    {
        using var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(_built.First.Folder, "corpus.json")));
        var root = json.RootElement;
        Assert.Equal("fixture", root.GetProperty("buildKey").GetString());
        Assert.Equal("extended", root.GetProperty("kind").GetString());
        var counts = root.GetProperty("counts");
        Assert.Equal(8, counts.GetProperty("items").GetInt32());
        Assert.Equal(2, counts.GetProperty("sources").GetProperty("phosphor").GetInt32());
        Assert.Equal(3, counts.GetProperty("sources").GetProperty("mdi").GetInt32());
        Assert.Equal(3, counts.GetProperty("sources").GetProperty("tabler").GetInt32());
        Assert.Equal(1, counts.GetProperty("categories").GetProperty("tabler").GetProperty("Mood").GetInt32());
        Assert.Equal(8, counts.GetProperty("skipped").GetProperty("bad-metadata").GetInt32());
        Assert.Equal(2, counts.GetProperty("skipped").GetProperty("broken").GetInt32());
        Assert.Contains("0.0.1-test", root.GetProperty("sources")[0].GetProperty("version").GetString());
        Assert.Contains("version", root.GetProperty("tools").GetProperty("rsvg-convert").GetString());
        var readme = File.ReadAllText(Path.Combine(_built.First.Folder, "README.md"));
        Assert.Contains("@tabler/icons", readme);
        Assert.Contains("Train only", readme);
        Assert.Contains("mdi-corrupt", readme);
        Assert.Matches(@"Built in \d+ s", readme);
    }

    [Fact]
    public void A_folder_that_is_not_a_corpus_is_never_replaced_and_a_package_is_needed()
    {
        var folder = Path.Combine(_built.Root, "precious");
        Directory.CreateDirectory(folder);
        File.WriteAllText(Path.Combine(folder, "keep.txt"), "mine");
        Assert.Throws<ArgumentException>(() => new ExtendedCorpusBuilder().Build(_built.Inputs, folder));
        Assert.True(File.Exists(Path.Combine(folder, "keep.txt")));
        Assert.Throws<ArgumentException>(() => new ExtendedCorpusBuilder().Build(new ExtendedCorpusInputs(null, null), Path.Combine(_built.Root, "c")));
    }
}
