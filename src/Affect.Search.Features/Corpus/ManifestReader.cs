using System.Text;
using System.Text.Json;
using Affect.Search.Features.Decoding;

namespace Affect.Search.Features.Corpus;

/// <summary>
/// Reads a corpus manifest, validating every line before any media is decoded: bad JSON (a duplicate key
/// included), a missing or non-string id, an id with control characters, a duplicate id, wrongly typed
/// fields, no modality at all, a value over one of the <see cref="InputLimits"/>, and media paths that are not
/// readable regular files (missing, a directory, a named pipe, a device, empty, too large) are each reported
/// with the line number; the good lines are kept.
/// </summary>
public static class ManifestReader
{
    private static readonly string[] MediaFields = { "image", "audio", "video" };

    // A duplicate key would otherwise be resolved silently (the last one wins), hiding a mistake in the line.
    private static readonly JsonDocumentOptions StrictJson = new() { AllowDuplicateProperties = false };

    /// <summary>Reads a manifest file.</summary>
    /// <exception cref="FileNotFoundException">the manifest itself does not exist.</exception>
    /// <exception cref="InvalidDataException">the manifest is not a regular file (a directory, a named pipe, a device).</exception>
    public static Manifest Read(string path)
    {
        var full = System.IO.Path.GetFullPath(path);
        switch (MediaFile.KindOf(full))
        {
            case FileEntryKind.Missing: throw new FileNotFoundException($"manifest not found: {full}", full);
            case FileEntryKind.RegularFile: break;
            default: throw new InvalidDataException($"manifest {full}: {MediaFile.NotRegularFileReason(full)}");
        }
        using var stream = File.OpenRead(full);
        return Read(stream, System.IO.Path.GetDirectoryName(full)!, full);
    }

    /// <summary>
    /// The items of several manifests, in order, each id once (e.g. a corpus's training items and the extended
    /// unlabelled corpus): an item whose id came before, or is in <paramref name="taken"/>, goes to
    /// <paramref name="onDuplicate"/> with its manifest and is left out. Ids kept are added to <paramref name="taken"/>.
    /// </summary>
    public static List<ManifestItem> CombineItems(IEnumerable<Manifest> manifests, ISet<string>? taken = null, Action<Manifest, ManifestItem>? onDuplicate = null)
    {
        taken ??= new HashSet<string>(StringComparer.Ordinal);
        var items = new List<ManifestItem>();
        foreach (var manifest in manifests)
            foreach (var item in manifest.Items)
                if (taken.Add(item.Id)) items.Add(item);
                else onDuplicate?.Invoke(manifest, item);
        return items;
    }

    /// <summary>Reads manifest lines from a stream; media paths resolve against <paramref name="baseFolder"/>.</summary>
    public static Manifest Read(Stream stream, string baseFolder, string name = "<manifest>")
    {
        var items = new List<ManifestItem>();
        var errors = new List<ManifestError>();
        var seen = new Dictionary<string, int>(StringComparer.Ordinal);
        int lineNumber = 0;
        // Lines are split as bytes and decoded one by one, so one line of bad UTF-8 costs only that line.
        foreach (var (bytes, length) in Lines(stream))
        {
            lineNumber++;
            if (bytes is null)
            {
                errors.Add(new ManifestError(lineNumber, null, $"line is {length} bytes, over the limit of {InputLimits.MaxLineBytes}"));
                continue;
            }
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

    /// <summary>
    /// Why <paramref name="id"/> cannot be an item id, or null when it can: empty, over
    /// <see cref="InputLimits.MaxIdBytes"/>, or holding a control character (which could not be typed to delete
    /// it, and which would reach the terminal) or an unpaired surrogate.
    /// </summary>
    public static string? IdProblem(string id)
    {
        ArgumentNullException.ThrowIfNull(id);
        if (string.IsNullOrWhiteSpace(id)) return "id must be a non-empty string";
        for (int i = 0; i < id.Length; i++)
        {
            if (char.IsControl(id[i])) return $"id holds the control character U+{(int)id[i]:X4} at position {i}";
            if (char.IsHighSurrogate(id[i]) && i + 1 < id.Length && char.IsLowSurrogate(id[i + 1])) { i++; continue; }
            if (char.IsSurrogate(id[i])) return $"id holds an unpaired UTF-16 surrogate at position {i}";
        }
        int bytes = Encoding.UTF8.GetByteCount(id);
        return bytes > InputLimits.MaxIdBytes ? $"id is {bytes} bytes in UTF-8, over the limit of {InputLimits.MaxIdBytes}" : null;
    }

    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>The lines of the stream as bytes; a line over <see cref="InputLimits.MaxLineBytes"/> comes as null with its length, unbuffered.</summary>
    private static IEnumerable<(byte[]? Bytes, long Length)> Lines(Stream stream)
    {
        var buffered = new BufferedStream(stream, 1 << 16);
        var line = new List<byte>();
        long length = 0;
        bool first = true;
        int b;
        while ((b = buffered.ReadByte()) >= 0)
        {
            if (b == '\n')
            {
                yield return Finish(line, length, ref first);
                line.Clear();
                length = 0;
            }
            // Past the limit (with room for a byte-order mark and a CR) a line is only counted, never held.
            else if (++length <= MaxHeldBytes) line.Add((byte)b);
        }
        if (length > 0) yield return Finish(line, length, ref first);
    }

    private const int MaxHeldBytes = InputLimits.MaxLineBytes + 4;

    /// <summary>Drops a trailing CR and, on the first line, a UTF-8 byte-order mark; a line over the limit comes as null with its length.</summary>
    private static (byte[]?, long) Finish(List<byte> line, long length, ref bool first)
    {
        bool wasFirst = first;
        first = false;
        if (length > MaxHeldBytes) return (null, length);
        int start = wasFirst && line.Count >= 3 && line[0] == 0xEF && line[1] == 0xBB && line[2] == 0xBF ? 3 : 0;
        int end = line.Count > start && line[^1] == '\r' ? line.Count - 1 : line.Count;
        int kept = end - start;
        return kept > InputLimits.MaxLineBytes ? (null, kept) : (line.GetRange(start, kept).ToArray(), kept);
    }

    private static (ManifestItem?, ManifestError?) Parse(string line, int number, string baseFolder)
    {
        JsonDocument doc;
        try { doc = JsonDocument.Parse(line, StrictJson); }
        catch (JsonException e) { return (null, new ManifestError(number, null, $"bad JSON: {e.Message}")); }
        using (doc)
        {
            try { return Parse(doc.RootElement, number, baseFolder); }
            catch (InvalidOperationException e) when (e.Message.Contains("surrogate", StringComparison.OrdinalIgnoreCase))
            {
                // JSON allows a \ud800 escape with no partner, but no .NET string (nor UTF-8) can hold it.
                return (null, new ManifestError(number, null, "bad JSON: a string holds an unpaired UTF-16 surrogate escape (\\ud800-\\udfff)"));
            }
        }
    }

    private static (ManifestItem?, ManifestError?) Parse(JsonElement root, int number, string baseFolder)
    {
        if (root.ValueKind != JsonValueKind.Object) return (null, new ManifestError(number, null, "a line must be a JSON object"));
        if (!root.TryGetProperty("id", out var idElement)) return (null, new ManifestError(number, null, "missing id"));
        if (idElement.ValueKind != JsonValueKind.String || string.IsNullOrWhiteSpace(idElement.GetString()))
            return (null, new ManifestError(number, null, "id must be a non-empty string"));
        string id = idElement.GetString()!;
        if (IdProblem(id) is { } idProblem)
            // The id itself may be what is wrong (too long, control characters), so the error names only its start.
            return (null, new ManifestError(number, id.Length > 64 || id.Any(char.IsControl) ? null : id, $"{idProblem} (id starts '{Printable(id, 40)}')"));
        ManifestError Fail(string message) => new(number, id, message);

        string? text = null, source = null;
        if (root.TryGetProperty("text", out var t) && t.ValueKind != JsonValueKind.Null)
        {
            if (t.ValueKind != JsonValueKind.String) return (null, Fail("text must be a string"));
            text = string.IsNullOrWhiteSpace(t.GetString()) ? null : t.GetString();
            if (text is { Length: > InputLimits.MaxTextLength })
                return (null, Fail($"text is {text.Length} characters, over the limit of {InputLimits.MaxTextLength}"));
        }
        if (root.TryGetProperty("source", out var s) && s.ValueKind != JsonValueKind.Null)
        {
            if (s.ValueKind != JsonValueKind.String) return (null, Fail("source must be a string"));
            source = s.GetString();
            if (source is { Length: > InputLimits.MaxSourceLength })
                return (null, Fail($"source is {source.Length} characters, over the limit of {InputLimits.MaxSourceLength}"));
        }
        var labels = new Dictionary<string, IReadOnlyList<string>>(StringComparer.Ordinal);
        if (root.TryGetProperty("labels", out var l) && l.ValueKind != JsonValueKind.Null)
        {
            if (l.ValueKind != JsonValueKind.Object) return (null, Fail("labels must be an object of label kind -> list of strings"));
            int count = 0;
            foreach (var kind in l.EnumerateObject())
            {
                if (kind.Value.ValueKind != JsonValueKind.Array || kind.Value.EnumerateArray().Any(v => v.ValueKind != JsonValueKind.String))
                    return (null, Fail($"labels.{kind.Name} must be a list of strings"));
                var values = kind.Value.EnumerateArray().Select(v => v.GetString()!).Distinct().ToList();
                if ((count += values.Count) > InputLimits.MaxLabels) return (null, Fail($"more than {InputLimits.MaxLabels} labels"));
                if (kind.Name.Length > InputLimits.MaxLabelLength || values.Any(v => v.Length > InputLimits.MaxLabelLength))
                    return (null, Fail($"labels.{Printable(kind.Name, 40)}: a label kind or label is over the limit of {InputLimits.MaxLabelLength} characters"));
                labels[kind.Name] = values;
            }
        }
        var media = new Dictionary<string, string?>();
        // Media are checked last: the checks above cost no file system access.
        foreach (var field in MediaFields)
        {
            media[field] = null;
            if (!root.TryGetProperty(field, out var m) || m.ValueKind == JsonValueKind.Null) continue;
            if (m.ValueKind != JsonValueKind.String || string.IsNullOrWhiteSpace(m.GetString())) return (null, Fail($"{field} must be a file path"));
            var relative = m.GetString()!;
            string full;
            try { full = System.IO.Path.GetFullPath(System.IO.Path.Combine(baseFolder, relative)); }
            catch (Exception e) when (e is ArgumentException or NotSupportedException or PathTooLongException)
            {
                return (null, Fail($"{field} path '{relative}' is not a valid path: {e.Message}"));
            }
            if (MediaFile.KindOf(full) is var kind && kind != FileEntryKind.RegularFile)
                return (null, Fail(kind == FileEntryKind.Missing
                    ? $"missing {field} file '{relative}' ({full})"
                    : $"{field} '{relative}' {MediaFile.NotRegularFileReason(full)} ({full})"));
            long limit = InputLimits.MaxMediaBytes(field);
            try
            {
                // Only a regular file gets here, so opening it cannot block (a named pipe would, until a writer came).
                using var stream = File.OpenRead(full);
                if (stream.Length == 0) return (null, Fail($"{field} file '{relative}' is empty"));
                if (stream.Length > limit) return (null, Fail($"{field} file '{relative}' is {stream.Length} bytes, over the limit of {limit}"));
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or NotSupportedException)
            {
                return (null, Fail($"{field} file '{relative}' cannot be read: {e.Message}"));
            }
            media[field] = full;
        }
        if (text is null && media.Values.All(v => v is null)) return (null, Fail("no text, image, audio or video"));
        return (new ManifestItem(id, text, media["image"], media["audio"], media["video"], labels, source, number), null);
    }

    /// <summary>At most <paramref name="length"/> characters of <paramref name="s"/>, control characters shown as \u escapes.</summary>
    private static string Printable(string s, int length)
    {
        var b = new StringBuilder();
        foreach (char c in s.Length > length ? s[..length] : s)
            if (char.IsControl(c)) b.Append($"\\u{(int)c:x4}"); else b.Append(c);
        return s.Length > length ? b.Append('…').ToString() : b.ToString();
    }
}
