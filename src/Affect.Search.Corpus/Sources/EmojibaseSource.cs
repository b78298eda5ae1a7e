using System.Text.Json;

namespace Affect.Search.Corpus.Sources;

/// <summary>One top-level emoji of emojibase-data (skin-tone variations are not entries of their own).</summary>
/// <param name="Hexcode">Code points as emojibase writes them, e.g. "1F600" or "1F9D1-200D-1F4BB".</param>
/// <param name="Label">The CLDR English name, e.g. "grinning face".</param>
/// <param name="Tags">CLDR keywords, in the source's order.</param>
/// <param name="Group">Unicode group name (e.g. "smileys-emotion"), or null when the entry has none.</param>
/// <param name="Subgroup">Unicode sub-group name (e.g. "face-smiling"), or null when the entry has none.</param>
public sealed record EmojiEntry(string Hexcode, string Label, IReadOnlyList<string> Tags, string? Group, string? Subgroup)
{
    /// <summary>The manifest id, e.g. "emoji-1f600".</summary>
    public string Id => "emoji-" + Hexcode.ToLowerInvariant();

    /// <summary>The item text: the CLDR name, then the tags ("grinning face: face, grin").</summary>
    public string Text => Tags.Count == 0 ? Label : $"{Label}: {string.Join(", ", Tags)}";
}

/// <summary>
/// Reads emojibase-data's English data (<c>en/data.json</c>) and the group and sub-group names
/// (<c>meta/groups.json</c>) from the unpacked package folder.
/// </summary>
public static class EmojibaseSource
{
    /// <summary>The data file, relative to the package folder.</summary>
    public const string DataFile = "en/data.json";

    /// <summary>The group names file, relative to the package folder.</summary>
    public const string GroupsFile = "meta/groups.json";

    /// <summary>Reads every top-level entry, in the file's order.</summary>
    /// <exception cref="FileNotFoundException">a file is missing.</exception>
    /// <exception cref="InvalidDataException">a file is not the expected JSON; the message names the file and entry.</exception>
    public static IReadOnlyList<EmojiEntry> Read(string packageFolder)
    {
        var dataPath = Path.Combine(packageFolder, DataFile);
        var groupsPath = Path.Combine(packageFolder, GroupsFile);
        var (groups, subgroups) = ReadGroups(groupsPath);
        using var doc = Parse(dataPath);
        if (doc.RootElement.ValueKind != JsonValueKind.Array) throw new InvalidDataException($"{dataPath}: expected a JSON array of emoji");
        var entries = new List<EmojiEntry>();
        int index = 0;
        foreach (var e in doc.RootElement.EnumerateArray())
        {
            string where = $"{dataPath}: entry {index++}";
            if (e.ValueKind != JsonValueKind.Object) throw new InvalidDataException($"{where}: not an object");
            var hexcode = String(e, "hexcode") ?? throw new InvalidDataException($"{where}: no hexcode");
            var label = String(e, "label") ?? throw new InvalidDataException($"{where} ({hexcode}): no label");
            var tags = e.TryGetProperty("tags", out var t) && t.ValueKind == JsonValueKind.Array
                ? t.EnumerateArray().Where(x => x.ValueKind == JsonValueKind.String).Select(x => x.GetString()!).ToList()
                : new List<string>();
            string? group = Lookup(e, "group", groups, groupsPath, hexcode);
            string? subgroup = Lookup(e, "subgroup", subgroups, groupsPath, hexcode);
            entries.Add(new EmojiEntry(hexcode, label, tags, group, subgroup));
        }
        return entries;
    }

    private static string? Lookup(JsonElement e, string field, IReadOnlyDictionary<int, string> names, string groupsPath, string hexcode)
    {
        if (!e.TryGetProperty(field, out var v) || v.ValueKind != JsonValueKind.Number) return null;
        int number = v.GetInt32();
        return names.TryGetValue(number, out var name)
            ? name
            : throw new InvalidDataException($"{groupsPath}: no name for {field} {number} (used by emoji {hexcode})");
    }

    private static (Dictionary<int, string> Groups, Dictionary<int, string> Subgroups) ReadGroups(string path)
    {
        using var doc = Parse(path);
        Dictionary<int, string> Map(string field)
        {
            if (!doc.RootElement.TryGetProperty(field, out var m) || m.ValueKind != JsonValueKind.Object)
                throw new InvalidDataException($"{path}: no '{field}' object");
            var map = new Dictionary<int, string>();
            foreach (var p in m.EnumerateObject())
            {
                if (!int.TryParse(p.Name, out var n) || p.Value.ValueKind != JsonValueKind.String)
                    throw new InvalidDataException($"{path}: {field}.{p.Name} is not number -> name");
                map[n] = p.Value.GetString()!;
            }
            return map;
        }
        return (Map("groups"), Map("subgroups"));
    }

    private static string? String(JsonElement e, string field)
        => e.TryGetProperty(field, out var v) && v.ValueKind == JsonValueKind.String && !string.IsNullOrWhiteSpace(v.GetString()) ? v.GetString() : null;

    internal static JsonDocument Parse(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"{path}: not found", path);
        try { return JsonDocument.Parse(File.ReadAllBytes(path)); }
        catch (JsonException e) { throw new InvalidDataException($"{path}: not valid JSON: {e.Message}", e); }
    }
}
