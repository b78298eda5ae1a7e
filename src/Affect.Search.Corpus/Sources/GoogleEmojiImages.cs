using System.Text.Json;

namespace Affect.Search.Corpus.Sources;

/// <summary>
/// Finds the Google (Noto) 64x64 PNG of an emoji in an unpacked emoji-datasource-google package. Only
/// <c>img/google/64/</c> is ever looked at: the other vendors' styles are held out for testing.
/// </summary>
public sealed class GoogleEmojiImages
{
    /// <summary>The image folder, relative to the package folder.</summary>
    public const string ImageFolder = "img/google/64";

    /// <summary>The package's emoji list, relative to the package folder (used to map code points to file names).</summary>
    public const string EmojiList = "emoji.json";

    private readonly string _folder;
    private readonly Dictionary<string, string> _byCodePoints = new(StringComparer.Ordinal);

    /// <summary>Opens the package folder.</summary>
    /// <exception cref="DirectoryNotFoundException">there is no <c>img/google/64</c> folder.</exception>
    /// <exception cref="InvalidDataException">emoji.json exists but is not the expected JSON.</exception>
    public GoogleEmojiImages(string packageFolder)
    {
        _folder = Path.Combine(packageFolder, ImageFolder);
        if (!Directory.Exists(_folder)) throw new DirectoryNotFoundException($"{_folder}: not found (expected the unpacked emoji-datasource-google package)");
        var list = Path.Combine(packageFolder, EmojiList);
        if (!File.Exists(list)) return;
        // emojibase writes emoji whose default presentation is text without FE0F ("263A"), the datasource names
        // the file after the fully qualified sequence ("263a-fe0f.png"); the datasource's own list maps one to the other.
        using var doc = EmojibaseSource.Parse(list);
        if (doc.RootElement.ValueKind != JsonValueKind.Array) throw new InvalidDataException($"{list}: expected a JSON array");
        foreach (var e in doc.RootElement.EnumerateArray())
        {
            if (e.ValueKind != JsonValueKind.Object) continue;
            if (!e.TryGetProperty("has_img_google", out var has) || has.ValueKind != JsonValueKind.True) continue;
            if (!e.TryGetProperty("image", out var image) || image.ValueKind != JsonValueKind.String) continue;
            foreach (var field in new[] { "unified", "non_qualified" })
                if (e.TryGetProperty(field, out var cp) && cp.ValueKind == JsonValueKind.String)
                    _byCodePoints.TryAdd(Normalise(cp.GetString()!), image.GetString()!);
        }
    }

    /// <summary>The absolute path of the emoji's Google PNG, or null when the package has none.</summary>
    public string? Find(string hexcode)
    {
        var direct = Path.Combine(_folder, hexcode.ToLowerInvariant() + ".png");
        if (File.Exists(direct)) return direct;
        if (_byCodePoints.TryGetValue(Normalise(hexcode), out var name))
        {
            // The file name comes from data: keep it inside the Google folder.
            var path = Path.GetFullPath(Path.Combine(_folder, name));
            if (Path.GetDirectoryName(path) == Path.GetFullPath(_folder) && File.Exists(path)) return path;
        }
        return null;
    }

    /// <summary>Code points upper-case without the FE0F variation selector, the key both packages agree on.</summary>
    public static string Normalise(string hexcode)
        => string.Join('-', hexcode.ToUpperInvariant().Split('-').Where(cp => cp != "FE0F"));
}
