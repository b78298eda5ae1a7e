using System.Text.Json;

namespace Affect.Search.Corpus.Sources;

/// <summary>
/// Reads the npm package <c>@mdi/svg</c> (Material Design Icons, Apache-2.0): <c>meta.json</c> is a JSON array with one
/// object per icon (<c>name</c>, <c>aliases</c>, <c>tags</c>, ...), the pictures are <c>svg/&lt;name&gt;.svg</c>
/// (24x24 view box, filled black paths on transparent).
/// </summary>
/// <remarks>
/// The package's <c>tags</c> are its categories ("Animal", "Gaming / RPG", "Transportation + Road"): they become
/// <see cref="IconEntry.Categories"/> verbatim, and their parts (split on '/' and '+') the keywords of the text.
/// Deprecated icons are kept: they are still drawn, and deprecation (mostly brand logos) says nothing about the picture.
/// </remarks>
public static class MaterialDesignIcons
{
    /// <summary>The manifest source and id prefix.</summary>
    public const string Source = "mdi";

    /// <summary>The npm package name.</summary>
    public const string PackageName = "@mdi/svg";

    /// <summary>The metadata file, relative to the package folder.</summary>
    public const string MetaFile = "meta.json";

    /// <summary>The SVG folder, relative to the package folder.</summary>
    public const string SvgFolder = "svg";

    /// <summary>Reads every icon of <c>meta.json</c>; a malformed entry is a problem of its own and the rest is read on.</summary>
    /// <exception cref="FileNotFoundException">meta.json is missing.</exception>
    /// <exception cref="InvalidDataException">meta.json is not JSON or not an array (the message names it).</exception>
    public static IconPackage Read(string packageFolder)
    {
        var metaPath = Path.Combine(packageFolder, MetaFile);
        using var doc = EmojibaseSource.Parse(metaPath);
        if (doc.RootElement.ValueKind != JsonValueKind.Array) throw new InvalidDataException($"{metaPath}: expected a JSON array of icons");
        var svgFolder = Path.GetFullPath(Path.Combine(packageFolder, SvgFolder));
        var icons = new List<IconEntry>();
        var problems = new List<IconProblem>();
        int index = 0;
        foreach (var e in doc.RootElement.EnumerateArray())
        {
            int i = index++;
            string where = $"{metaPath}: entry {i}";
            if (e.ValueKind != JsonValueKind.Object) { problems.Add(new IconProblem($"{Source}-entry-{i}", $"{where}: not an object")); continue; }
            var name = IconMetadata.String(e, "name");
            if (name is null || !IconMetadata.IsFileName(name))
            {
                problems.Add(new IconProblem($"{Source}-entry-{i}", $"{where}: no usable name"));
                continue;
            }
            var id = IconEntry.IdOf(Source, name);
            var aliases = IconMetadata.Strings(e, "aliases", allowNumbers: false);
            var categories = IconMetadata.Strings(e, "tags", allowNumbers: false);
            if (aliases is null || categories is null)
            {
                problems.Add(new IconProblem(id, $"{where} ({name}): {(aliases is null ? "aliases" : "tags")} is not a list of strings"));
                continue;
            }
            var keywords = categories.SelectMany(c => c.Split(['/', '+'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)).ToList();
            icons.Add(new IconEntry(Source, name, aliases, keywords, categories, Path.Combine(svgFolder, name + ".svg")));
        }
        return new IconPackage(icons, problems);
    }
}

/// <summary>Field readers shared by the icon package parsers.</summary>
internal static class IconMetadata
{
    /// <summary>A non-blank string field, or null.</summary>
    public static string? String(JsonElement e, string field)
        => e.TryGetProperty(field, out var v) && v.ValueKind == JsonValueKind.String && !string.IsNullOrWhiteSpace(v.GetString()) ? v.GetString() : null;

    /// <summary>
    /// A list field's values: empty when the field is absent or null, null when it is not a list of strings
    /// (or, with <paramref name="allowNumbers"/>, numbers, kept as written: Tabler tags "911" and "0" are numbers). Blank values are dropped.
    /// </summary>
    public static List<string>? Strings(JsonElement e, string field, bool allowNumbers)
    {
        if (!e.TryGetProperty(field, out var v) || v.ValueKind == JsonValueKind.Null) return new List<string>();
        if (v.ValueKind != JsonValueKind.Array) return null;
        var values = new List<string>();
        foreach (var x in v.EnumerateArray())
        {
            if (x.ValueKind == JsonValueKind.String) { if (!string.IsNullOrWhiteSpace(x.GetString())) values.Add(x.GetString()!.Trim()); }
            else if (allowNumbers && x.ValueKind == JsonValueKind.Number) values.Add(x.GetRawText());
            else return null;
        }
        return values;
    }

    /// <summary>Whether a name can be used as a file name inside the package's SVG folder (no path separators, not "." or "..").</summary>
    public static bool IsFileName(string name)
        => name != "." && name != ".." && name.IndexOfAny(['/', '\\', '\0']) < 0 && name.Trim() == name;
}
