using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace Affect.Search.Corpus.Sources;

/// <summary>
/// Reads the npm package <c>@phosphor-icons/core</c> (Phosphor Icons, MIT). Its metadata is not a JSON file but the
/// ES module <c>dist/index.mjs</c>: enums built as <c>e = ((i) =&gt; (i.NATURE = "nature", ..., i))(e || {})</c>, then
/// <c>const n = [{ name: "acorn", alias: { name: ... }, categories: [e.FINANCE, e.NATURE], tags: [...] }, ...]</c>
/// exported <c>as icons</c>. That array literal is turned into JSON (keys quoted, enum members replaced by their
/// strings) and read like the other packages. One weight is used, regular (<c>assets/regular/&lt;name&gt;.svg</c>,
/// <c>currentColor</c> fills on transparent, which rsvg-convert draws black).
/// </summary>
public static partial class PhosphorIcons
{
    /// <summary>The manifest source and id prefix.</summary>
    public const string Source = "phosphor";

    /// <summary>The npm package name.</summary>
    public const string PackageName = "@phosphor-icons/core";

    /// <summary>The metadata module, relative to the package folder.</summary>
    public const string MetaFile = "dist/index.mjs";

    /// <summary>The SVG folder of the weight used, relative to the package folder.</summary>
    public const string SvgFolder = "assets/regular";

    /// <summary>Reads every icon of the module's icon array; a malformed entry is a problem of its own and the rest is read on.</summary>
    /// <remarks>
    /// Tags "*new*" and "*updated*" mark releases, not the picture, and are dropped. The <c>categories</c> (e.g.
    /// "technology &amp; development") become <see cref="IconEntry.Categories"/>; an alias (an icon's former name) is an alias.
    /// </remarks>
    /// <exception cref="FileNotFoundException">the module is missing.</exception>
    /// <exception cref="InvalidDataException">the module does not have the expected shape (the message names it).</exception>
    public static IconPackage Read(string packageFolder)
    {
        var metaPath = Path.Combine(packageFolder, MetaFile);
        if (!File.Exists(metaPath)) throw new FileNotFoundException($"{metaPath}: not found", metaPath);
        using var doc = ParseModule(File.ReadAllText(metaPath), metaPath);
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
            if (name is null || !IconMetadata.IsFileName(name)) { problems.Add(new IconProblem($"{Source}-entry-{i}", $"{where}: no usable name")); continue; }
            var id = IconEntry.IdOf(Source, name);
            var tags = IconMetadata.Strings(e, "tags", allowNumbers: true);
            var categories = IconMetadata.Strings(e, "categories", allowNumbers: false);
            if (tags is null || categories is null)
            {
                problems.Add(new IconProblem(id, $"{where} ({name}): {(tags is null ? "tags" : "categories")} is not a list of strings"));
                continue;
            }
            var aliases = new List<string>();
            if (e.TryGetProperty("alias", out var alias) && alias.ValueKind == JsonValueKind.Object && IconMetadata.String(alias, "name") is { } former)
                aliases.Add(former);
            tags.RemoveAll(t => t.Length > 1 && t.StartsWith('*') && t.EndsWith('*'));
            icons.Add(new IconEntry(Source, name, aliases, tags, categories, Path.Combine(svgFolder, name + ".svg")));
        }
        return new IconPackage(icons, problems);
    }

    /// <summary>The module's exported icon array as a JSON document.</summary>
    /// <exception cref="InvalidDataException">the module does not have the expected shape.</exception>
    internal static JsonDocument ParseModule(string module, string path)
    {
        var enums = new Dictionary<string, Dictionary<string, string>>(StringComparer.Ordinal);
        foreach (Match m in EnumDeclaration().Matches(module))
        {
            var members = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (Match member in EnumMember().Matches(m.Groups["body"].Value)) members[member.Groups["key"].Value] = member.Groups["value"].Value;
            enums[m.Groups["var"].Value] = members;
        }
        var exported = IconsExport().Match(module);
        if (!exported.Success) throw new InvalidDataException($"{path}: no 'export {{ ... as icons }}'");
        var start = Regex.Match(module, $@"\bconst\s+{Regex.Escape(exported.Groups["var"].Value)}\s*=\s*\[");
        if (!start.Success) throw new InvalidDataException($"{path}: no array 'const {exported.Groups["var"].Value} = ['");
        var json = ToJson(module, start.Index + start.Length - 1, enums, path);
        try { return JsonDocument.Parse(json); }
        catch (JsonException e) { throw new InvalidDataException($"{path}: the icon array is not plain data: {e.Message}", e); }
    }

    /// <summary>
    /// Rewrites the JavaScript array literal that starts at <paramref name="at"/> ('[') as JSON: string literals kept
    /// (single-quoted ones re-quoted), bare keys quoted, <c>enum.MEMBER</c> replaced by the member's string, numbers,
    /// true, false and null kept; stops after the closing ']'. Anything else (a call, a template literal) is an error.
    /// </summary>
    private static string ToJson(string js, int at, Dictionary<string, Dictionary<string, string>> enums, string path)
    {
        var json = new StringBuilder();
        int depth = 0, i = at;
        while (i < js.Length)
        {
            char c = js[i];
            if (char.IsWhiteSpace(c)) { i++; continue; }
            if (c is '[' or '{') { depth++; json.Append(c); i++; continue; }
            if (c is ']' or '}')
            {
                depth--; json.Append(c); i++;
                if (depth == 0) return json.ToString();
                continue;
            }
            if (c is ',' or ':') { json.Append(c); i++; continue; }
            if (c is '"' or '\'')
            {
                var (value, end) = ReadString(js, i, path);
                json.Append(JsonSerializer.Serialize(value));
                i = end;
                continue;
            }
            if (c == '-' || char.IsDigit(c))
            {
                int end = i + 1;
                while (end < js.Length && (char.IsDigit(js[end]) || js[end] is '.' or 'e' or 'E' or '+' or '-')) end++;
                json.Append(js, i, end - i);
                i = end;
                continue;
            }
            if (char.IsLetter(c) || c is '_' or '$')
            {
                int end = i;
                while (end < js.Length && (char.IsLetterOrDigit(js[end]) || js[end] is '_' or '$' or '.')) end++;
                var word = js[i..end];
                int next = end;
                while (next < js.Length && char.IsWhiteSpace(js[next])) next++;
                if (next < js.Length && js[next] == ':' && !word.Contains('.')) json.Append(JsonSerializer.Serialize(word));   // a bare key
                else if (word is "true" or "false" or "null") json.Append(word);
                else if (word.Split('.') is [var enumName, var member] && enums.TryGetValue(enumName, out var members) && members.TryGetValue(member, out var value))
                    json.Append(JsonSerializer.Serialize(value));
                else throw new InvalidDataException($"{path}: '{word}' in the icon array is neither a key nor a known enum member");
                i = end;
                continue;
            }
            throw new InvalidDataException($"{path}: unexpected '{c}' in the icon array at offset {i}");
        }
        throw new InvalidDataException($"{path}: the icon array does not end");
    }

    private static (string Value, int End) ReadString(string js, int at, string path)
    {
        char quote = js[at];
        var value = new StringBuilder();
        int i = at + 1;
        while (i < js.Length && js[i] != quote)
        {
            if (js[i] == '\n') break;
            if (js[i] != '\\') { value.Append(js[i++]); continue; }
            if (i + 1 >= js.Length) break;
            char e = js[i + 1];
            i += 2;
            switch (e)
            {
                case 'n': value.Append('\n'); break;
                case 't': value.Append('\t'); break;
                case 'r': value.Append('\r'); break;
                case 'u' when i + 4 <= js.Length && int.TryParse(js.AsSpan(i, 4), System.Globalization.NumberStyles.HexNumber, null, out var code):
                    value.Append((char)code); i += 4; break;
                default: value.Append(e); break;   // \" \' \\ \/ and the rest stand for themselves
            }
        }
        if (i >= js.Length || js[i] != quote) throw new InvalidDataException($"{path}: a string in the icon array does not end (offset {at})");
        return (value.ToString(), i + 1);
    }

    [GeneratedRegex(@"(?<var>[A-Za-z_$][\w$]*)\s*=\s*/\*\s*@__PURE__\s*\*/\s*\(\(\s*\w+\s*\)\s*=>\s*\((?<body>[^()]*)\)\)")]
    private static partial Regex EnumDeclaration();

    [GeneratedRegex(@"\w+\.(?<key>\w+)\s*=\s*""(?<value>[^""\\]*)""")]
    private static partial Regex EnumMember();

    [GeneratedRegex(@"export\s*\{[^}]*?\b(?<var>[A-Za-z_$][\w$]*)\s+as\s+icons\b")]
    private static partial Regex IconsExport();
}
