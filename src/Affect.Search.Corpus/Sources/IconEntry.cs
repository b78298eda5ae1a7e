using System.Text.RegularExpressions;

namespace Affect.Search.Corpus.Sources;

/// <summary>One icon of an icon package (Material Design Icons, Tabler Icons): its name, words and SVG.</summary>
/// <param name="Source">The manifest source and id prefix, e.g. "mdi" or "tabler".</param>
/// <param name="Name">The icon's name as the package writes it, e.g. "emoticon-happy".</param>
/// <param name="Aliases">Other names of the icon, in the package's order (none for packages without aliases).</param>
/// <param name="Tags">Keywords of the icon, in the package's order.</param>
/// <param name="Categories">The package's categories of the icon, verbatim (e.g. "Gaming / RPG"), in its order.</param>
/// <param name="Svg">Absolute path of the icon's SVG.</param>
public sealed partial record IconEntry(string Source, string Name, IReadOnlyList<string> Aliases, IReadOnlyList<string> Tags,
    IReadOnlyList<string> Categories, string Svg)
{
    /// <summary>The manifest id: the source, '-', and the lower-cased name with every run of other characters made one '-' (e.g. "mdi-emoticon-happy").</summary>
    public string Id => IdOf(Source, Name);

    /// <summary>
    /// The item text, in the style of the emoji texts ("grinning face: face, grin"): the name written out as words,
    /// then the aliases and tags written out as words, each once and never the name itself
    /// (e.g. "cat: emoji cat, emoticon cat, animal, holiday"). Just the name when nothing else is left.
    /// </summary>
    public string Text
    {
        get
        {
            var name = Words(Name);
            var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase) { name };
            var rest = Aliases.Concat(Tags).Select(Words).Where(w => w.Length > 0 && seen.Add(w)).ToList();
            return rest.Count == 0 ? name : $"{name}: {string.Join(", ", rest)}";
        }
    }

    /// <summary>The id an icon named <paramref name="name"/> of <paramref name="source"/> gets.</summary>
    public static string IdOf(string source, string name) => source + "-" + NotIdChars().Replace(name.ToLowerInvariant(), "-").Trim('-');

    /// <summary>A name or keyword written out as words: split on '-', '_' and white space, lower-cased, joined by single spaces ("kitty-cat" -> "kitty cat").</summary>
    public static string Words(string name)
        => string.Join(' ', name.ToLowerInvariant().Split(['-', '_', ' ', '\t', '\n', '\r'], StringSplitOptions.RemoveEmptyEntries));

    [GeneratedRegex("[^a-z0-9]+")]
    private static partial Regex NotIdChars();
}

/// <summary>An icon package entry that could not be read (not an object, no name, a wrongly typed field), and why; the rest of the package is read on.</summary>
/// <param name="Id">The id the icon would have had, or "&lt;source&gt;-entry-&lt;index&gt;" when it has no usable name.</param>
/// <param name="Reason">What is wrong, naming the metadata file and the entry.</param>
public sealed record IconProblem(string Id, string Reason);

/// <summary>The icons of a package that could be read, and the entries that could not.</summary>
/// <param name="Icons">Every readable icon, in the metadata file's order.</param>
/// <param name="Problems">Every malformed entry, in the metadata file's order.</param>
public sealed record IconPackage(IReadOnlyList<IconEntry> Icons, IReadOnlyList<IconProblem> Problems);
