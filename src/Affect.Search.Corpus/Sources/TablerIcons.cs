using System.Text.Json;

namespace Affect.Search.Corpus.Sources;

/// <summary>
/// Reads the npm package <c>@tabler/icons</c> (Tabler Icons, MIT): <c>icons.json</c> is a JSON object of icon name ->
/// <c>{name, category, tags, styles}</c>; every icon has an outline style (<c>icons/outline/&lt;name&gt;.svg</c>, 2 px
/// <c>currentColor</c> strokes on transparent, which rsvg-convert draws black), some also a filled one. Only the
/// outline pictures are used, so that every icon is drawn in one style.
/// </summary>
public static class TablerIcons
{
    /// <summary>The manifest source and id prefix.</summary>
    public const string Source = "tabler";

    /// <summary>The npm package name.</summary>
    public const string PackageName = "@tabler/icons";

    /// <summary>The metadata file, relative to the package folder.</summary>
    public const string MetaFile = "icons.json";

    /// <summary>The SVG folder of the style used, relative to the package folder.</summary>
    public const string SvgFolder = "icons/outline";

    /// <summary>The style used.</summary>
    public const string Style = "outline";

    /// <summary>Reads every icon of <c>icons.json</c> that has the outline style; a malformed entry is a problem of its own and the rest is read on.</summary>
    /// <exception cref="FileNotFoundException">icons.json is missing.</exception>
    /// <exception cref="InvalidDataException">icons.json is not JSON or not an object (the message names it).</exception>
    public static IconPackage Read(string packageFolder)
    {
        var metaPath = Path.Combine(packageFolder, MetaFile);
        using var doc = EmojibaseSource.Parse(metaPath);
        if (doc.RootElement.ValueKind != JsonValueKind.Object) throw new InvalidDataException($"{metaPath}: expected a JSON object of icon name -> icon");
        var svgFolder = Path.GetFullPath(Path.Combine(packageFolder, SvgFolder));
        var icons = new List<IconEntry>();
        var problems = new List<IconProblem>();
        foreach (var p in doc.RootElement.EnumerateObject())
        {
            // The key is the name (the entry's own "name" repeats it); it is unique because JSON object keys are.
            var name = p.Name;
            string where = $"{metaPath}: icon '{name}'";
            if (string.IsNullOrWhiteSpace(name) || !IconMetadata.IsFileName(name))
            {
                problems.Add(new IconProblem($"{Source}-{IconEntry.Words(name).Replace(' ', '-')}", $"{where}: not a usable name"));
                continue;
            }
            var id = IconEntry.IdOf(Source, name);
            var e = p.Value;
            if (e.ValueKind != JsonValueKind.Object) { problems.Add(new IconProblem(id, $"{where}: not an object")); continue; }
            var tags = IconMetadata.Strings(e, "tags", allowNumbers: true);
            if (tags is null) { problems.Add(new IconProblem(id, $"{where}: tags is not a list of strings")); continue; }
            string? category = null;
            if (e.TryGetProperty("category", out var c) && c.ValueKind != JsonValueKind.Null)
            {
                if (c.ValueKind != JsonValueKind.String) { problems.Add(new IconProblem(id, $"{where}: category is not a string")); continue; }
                category = string.IsNullOrWhiteSpace(c.GetString()) ? null : c.GetString()!.Trim();
            }
            if (e.TryGetProperty("styles", out var styles) && styles.ValueKind == JsonValueKind.Object && !styles.TryGetProperty(Style, out _))
            {
                problems.Add(new IconProblem(id, $"{where}: no {Style} style"));
                continue;
            }
            icons.Add(new IconEntry(Source, name, Array.Empty<string>(), tags, category is null ? Array.Empty<string>() : new[] { category },
                Path.Combine(svgFolder, name + ".svg")));
        }
        return new IconPackage(icons, problems);
    }
}
