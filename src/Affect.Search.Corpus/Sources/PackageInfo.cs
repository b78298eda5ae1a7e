using System.Text.Json;

namespace Affect.Search.Corpus.Sources;

/// <summary>Name, version and declared licence of an unpacked npm package, read from its <c>package.json</c>.</summary>
/// <param name="Name">The package name, or the folder name when there is no package.json.</param>
/// <param name="Version">The package version, or "unknown".</param>
/// <param name="License">The package's own <c>license</c> field, or "unknown".</param>
public sealed record PackageInfo(string Name, string Version, string License)
{
    /// <summary>
    /// Reads <c>package.json</c> in <paramref name="folder"/>. A missing file is not an error (test fixtures and
    /// hand-made folders have none): the name falls back to <paramref name="fallbackName"/> and the version to "unknown".
    /// </summary>
    /// <exception cref="InvalidDataException">package.json exists but is not valid JSON.</exception>
    public static PackageInfo Read(string folder, string fallbackName)
    {
        var path = Path.Combine(folder, "package.json");
        if (!File.Exists(path)) return new PackageInfo(fallbackName, "unknown", "unknown");
        try
        {
            using var doc = JsonDocument.Parse(File.ReadAllBytes(path));
            string Get(string field, string fallback) =>
                doc.RootElement.TryGetProperty(field, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString()! : fallback;
            return new PackageInfo(Get("name", fallbackName), Get("version", "unknown"), Get("license", "unknown"));
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{path}: not valid JSON: {e.Message}", e);
        }
    }

    /// <summary>The npm tarball name <c>npm pack</c> gives this package (<c>name-version.tgz</c>; a scope becomes a prefix).</summary>
    public string TarballName => $"{Name.TrimStart('@').Replace('/', '-')}-{Version}.tgz";

    /// <summary>The SHA-512 (lower-case hex) of this package's tarball in <paramref name="tarballs"/>, or null when there is no such folder or file.</summary>
    public string? TarballSha512(string? tarballs)
    {
        if (tarballs is null) return null;
        var path = Path.Combine(tarballs, TarballName);
        if (!File.Exists(path)) return null;
        using var stream = File.OpenRead(path);
        return Convert.ToHexStringLower(System.Security.Cryptography.SHA512.HashData(stream));
    }
}
