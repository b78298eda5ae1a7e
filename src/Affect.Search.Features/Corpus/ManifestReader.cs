using System.Text;
using System.Text.Json;

namespace Affect.Search.Features.Corpus;

/// <summary>
/// Reads a corpus manifest, validating every line: bad JSON, a missing or non-string id, a duplicate
/// id, wrongly typed fields, no modality at all, and media files that do not exist or cannot be opened
/// are each reported with the line number; the good lines are kept.
/// </summary>
public static class ManifestReader
{
    private static readonly string[] MediaFields = { "image", "audio", "video" };

    /// <summary>Reads a manifest file.</summary>
    /// <exception cref="FileNotFoundException">the manifest itself does not exist.</exception>
    public static Manifest Read(string path)
    {
        var full = System.IO.Path.GetFullPath(path);
        if (!File.Exists(full)) throw new FileNotFoundException($"manifest not found: {full}", full);
        using var stream = File.OpenRead(full);
        return Read(stream, System.IO.Path.GetDirectoryName(full)!, full);
    }

    /// <summary>Reads manifest lines from a stream; media paths resolve against <paramref name="baseFolder"/>.</summary>
    public static Manifest Read(Stream stream, string baseFolder, string name = "<manifest>")
    {
        var items = new List<ManifestItem>();
        var errors = new List<ManifestError>();
        var seen = new Dictionary<string, int>(StringComparer.Ordinal);
        int lineNumber = 0;
        // Lines are split as bytes and decoded one by one, so one line of bad UTF-8 costs only that line.
        foreach (var bytes in Lines(stream))
        {
            lineNumber++;
            string line;
            try { line = StrictUtf8.GetString(bytes); }
            catch (DecoderFallbackException) { errors.Add(new ManifestError(lineNumber, null, "not valid UTF-8")); continue; }
            if (string.IsNullOrWhiteSpace(line)) continue;
            var (item, error) = Parse(line, lineNumber, baseFolder);
            if (error is not null) { errors.Add(error); continue; }
            if (seen.TryGetValue(item!.Id, out var first))
            {
                errors.Add(new ManifestError(lineNumber, item.Id, $"duplicate id (first on line {first})"));
                continue;
            }
            seen[item.Id] = lineNumber;
            items.Add(item);
        }
        return new Manifest(name, items, errors);
    }

    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    private static IEnumerable<byte[]> Lines(Stream stream)
    {
        var buffered = new BufferedStream(stream, 1 << 16);
        var line = new List<byte>();
        bool first = true;
        int b;
        while ((b = buffered.ReadByte()) >= 0)
        {
            if (b == '\n')
            {
                yield return Trim(line, ref first);
                line.Clear();
            }
            else line.Add((byte)b);
        }
        if (line.Count > 0) yield return Trim(line, ref first);
    }

    /// <summary>Drops a trailing CR and, on the first line, a UTF-8 byte-order mark.</summary>
    private static byte[] Trim(List<byte> line, ref bool first)
    {
        int start = first && line.Count >= 3 && line[0] == 0xEF && line[1] == 0xBB && line[2] == 0xBF ? 3 : 0;
        first = false;
        int end = line.Count > start && line[^1] == '\r' ? line.Count - 1 : line.Count;
        return line.GetRange(start, end - start).ToArray();
    }

    private static (ManifestItem?, ManifestError?) Parse(string line, int number, string baseFolder)
    {
        JsonDocument doc;
        try { doc = JsonDocument.Parse(line); }
        catch (JsonException e) { return (null, new ManifestError(number, null, $"bad JSON: {e.Message}")); }
        using (doc)
        {
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object) return (null, new ManifestError(number, null, "a line must be a JSON object"));
            if (!root.TryGetProperty("id", out var idElement)) return (null, new ManifestError(number, null, "missing id"));
            if (idElement.ValueKind != JsonValueKind.String || string.IsNullOrWhiteSpace(idElement.GetString()))
                return (null, new ManifestError(number, null, "id must be a non-empty string"));
            string id = idElement.GetString()!;
            ManifestError Fail(string message) => new(number, id, message);

            string? text = null, source = null;
            if (root.TryGetProperty("text", out var t) && t.ValueKind != JsonValueKind.Null)
            {
                if (t.ValueKind != JsonValueKind.String) return (null, Fail("text must be a string"));
                text = string.IsNullOrWhiteSpace(t.GetString()) ? null : t.GetString();
            }
            if (root.TryGetProperty("source", out var s) && s.ValueKind != JsonValueKind.Null)
            {
                if (s.ValueKind != JsonValueKind.String) return (null, Fail("source must be a string"));
                source = s.GetString();
            }
            var media = new Dictionary<string, string?>();
            foreach (var field in MediaFields)
            {
                media[field] = null;
                if (!root.TryGetProperty(field, out var m) || m.ValueKind == JsonValueKind.Null) continue;
                if (m.ValueKind != JsonValueKind.String || string.IsNullOrWhiteSpace(m.GetString())) return (null, Fail($"{field} must be a file path"));
                var relative = m.GetString()!;
                var full = System.IO.Path.GetFullPath(System.IO.Path.Combine(baseFolder, relative));
                if (!File.Exists(full)) return (null, Fail($"missing {field} file '{relative}' ({full})"));
                try
                {
                    using var stream = File.OpenRead(full);
                    if (stream.Length == 0) return (null, Fail($"{field} file '{relative}' is empty"));
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException)
                {
                    return (null, Fail($"{field} file '{relative}' cannot be read: {e.Message}"));
                }
                media[field] = full;
            }
            var labels = new Dictionary<string, IReadOnlyList<string>>(StringComparer.Ordinal);
            if (root.TryGetProperty("labels", out var l) && l.ValueKind != JsonValueKind.Null)
            {
                if (l.ValueKind != JsonValueKind.Object) return (null, Fail("labels must be an object of label kind -> list of strings"));
                foreach (var kind in l.EnumerateObject())
                {
                    if (kind.Value.ValueKind != JsonValueKind.Array || kind.Value.EnumerateArray().Any(v => v.ValueKind != JsonValueKind.String))
                        return (null, Fail($"labels.{kind.Name} must be a list of strings"));
                    labels[kind.Name] = kind.Value.EnumerateArray().Select(v => v.GetString()!).Distinct().ToList();
                }
            }
            if (text is null && media.Values.All(v => v is null)) return (null, Fail("no text, image, audio or video"));
            return (new ManifestItem(id, text, media["image"], media["audio"], media["video"], labels, source, number), null);
        }
    }
}
