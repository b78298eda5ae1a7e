using System.Text;
using System.Text.RegularExpressions;

namespace Affect.Search.Corpus.Sources;

/// <summary>One Tux Paint stamp: its picture and, when present, its description and sound effect.</summary>
/// <param name="RelativeStem">Path below the stamps folder without extension, '/'-separated, e.g. "animals/mammals/lion".</param>
/// <param name="Folder">The category folder path, e.g. "animals/mammals" (empty for a stamp at the top).</param>
/// <param name="Image">Absolute path of the SVG when there is one, else of the PNG.</param>
/// <param name="TextFile">Absolute path of <c>name.txt</c>, or null.</param>
/// <param name="Sound">Absolute path of the sound effect (<c>name.ogg</c>, else <c>name.wav</c>), or null.</param>
public sealed partial record Stamp(string RelativeStem, string Folder, string Image, string? TextFile, string? Sound)
{
    /// <summary>Whether the picture is an SVG (it must be rasterised).</summary>
    public bool IsSvg => Image.EndsWith(".svg", StringComparison.OrdinalIgnoreCase);

    /// <summary>The manifest id: "stamp-" and the lower-cased path with every run of other characters made one '-', e.g. "stamp-animals-mammals-lion".</summary>
    public string Id => "stamp-" + NotIdChars().Replace(RelativeStem.ToLowerInvariant(), "-").Trim('-');

    [GeneratedRegex("[^a-z0-9]+")]
    private static partial Regex NotIdChars();
}

/// <summary>
/// Scans the stamps folder of Debian's tuxpaint-stamps-default (<c>/usr/share/tuxpaint/stamps</c>). A stamp is a
/// <c>name.svg</c> or <c>name.png</c> (the SVG preferred when both exist); <c>_mirror</c> and <c>_flip</c> pictures are
/// pre-drawn variants of another stamp and are skipped; <c>name_desc*.ogg|wav</c> are spoken descriptions
/// (in many languages) and are not the stamp's sound.
/// </summary>
public static class TuxPaintStamps
{
    private static readonly string[] VariantSuffixes = { "_mirror", "_flip" };

    /// <summary>Every stamp below <paramref name="stampsFolder"/>, sorted by relative path (ordinal).</summary>
    /// <exception cref="DirectoryNotFoundException">the folder does not exist.</exception>
    public static IReadOnlyList<Stamp> Scan(string stampsFolder)
    {
        var root = Path.GetFullPath(stampsFolder);
        if (!Directory.Exists(root)) throw new DirectoryNotFoundException($"{root}: stamps folder not found (install tuxpaint-stamps-default)");
        var files = new HashSet<string>(Directory.EnumerateFiles(root, "*", SearchOption.AllDirectories)
            .Select(f => Path.GetRelativePath(root, f).Replace(Path.DirectorySeparatorChar, '/')), StringComparer.Ordinal);
        var stems = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var f in files)
        {
            var ext = Path.GetExtension(f);
            if (!ext.Equals(".svg", StringComparison.Ordinal) && !ext.Equals(".png", StringComparison.Ordinal)) continue;
            var stem = f[..^ext.Length];
            if (VariantSuffixes.Any(s => stem.EndsWith(s, StringComparison.Ordinal))) continue;
            stems.Add(stem);
        }
        string? Existing(string stem, params string[] extensions)
        {
            foreach (var e in extensions)
                if (files.Contains(stem + e)) return Path.Combine(root, (stem + e).Replace('/', Path.DirectorySeparatorChar));
            return null;
        }
        return stems.Select(stem =>
        {
            int slash = stem.LastIndexOf('/');
            return new Stamp(stem, slash < 0 ? "" : stem[..slash], Existing(stem, ".svg", ".png")!, Existing(stem, ".txt"), Existing(stem, ".ogg", ".wav"));
        }).ToList();
    }

    /// <summary>
    /// The English description: the first line of <c>name.txt</c> (the other lines are translations,
    /// "lang.utf8=..."), trimmed; null when it is empty.
    /// </summary>
    /// <exception cref="InvalidDataException">the file is not UTF-8.</exception>
    public static string? ReadEnglish(string textFile)
    {
        byte[] bytes = File.ReadAllBytes(textFile);
        string text;
        try { text = new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(bytes); }
        catch (DecoderFallbackException) { throw new InvalidDataException($"{textFile}: not valid UTF-8"); }
        var first = text.TrimStart('\uFEFF').Split('\n')[0].Trim();
        return first.Length == 0 ? null : first;
    }
}
