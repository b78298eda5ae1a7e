using System.Text.Json;

namespace Affect.Search.Features.Text;

/// <summary>One known term of a document and how often it occurs.</summary>
public readonly record struct TermCount(int Index, int Count);

/// <summary>
/// The bag of words of one document against a <see cref="Vocabulary"/>: counts of known terms as sparse
/// (index, count) pairs in increasing index order, plus the terms the vocabulary does not know.
/// </summary>
public sealed class TermCounts
{
    internal TermCounts(IReadOnlyList<TermCount> counts, int unknownCount, IReadOnlyList<string> unknownTerms)
    {
        Counts = counts;
        UnknownCount = unknownCount;
        UnknownTerms = unknownTerms;
        KnownCount = counts.Sum(c => c.Count);
    }

    /// <summary>Known terms with their counts, by increasing index (no zero counts).</summary>
    public IReadOnlyList<TermCount> Counts { get; }
    /// <summary>Number of known term occurrences (the sum of <see cref="Counts"/>).</summary>
    public int KnownCount { get; }
    /// <summary>Number of unknown term occurrences.</summary>
    public int UnknownCount { get; }
    /// <summary>The distinct unknown terms, in order of first occurrence.</summary>
    public IReadOnlyList<string> UnknownTerms { get; }

    /// <summary>The counts as a dense vector of a vocabulary's size.</summary>
    public float[] ToDense(int size)
    {
        var v = new float[size];
        foreach (var c in Counts) v[c.Index] = c.Count;
        return v;
    }
}

/// <summary>
/// The text vocabulary (the paper keeps words above a document-frequency threshold, Section VI-A): terms
/// occurring in at least <see cref="MinDocumentFrequency"/> training documents, ordered by decreasing
/// document frequency with ties broken by ordinal string order (deterministic), optionally truncated to
/// the <see cref="MaxSize"/> most frequent. Immutable and thread-safe; stored with the model as JSON
/// (<see cref="Save"/> / <see cref="Load"/>, format <see cref="FormatName"/> version <see cref="FormatVersion"/>).
/// </summary>
public sealed class Vocabulary
{
    /// <summary>The "format" field of the serialised form.</summary>
    public const string FormatName = "affect-search-vocabulary";
    /// <summary>The "version" field of the serialised form.</summary>
    public const int FormatVersion = 1;

    private readonly string[] _terms;
    private readonly int[] _documentFrequencies;
    private readonly Dictionary<string, int> _index;

    /// <summary>Wraps terms (index order) with their document frequencies; terms must be distinct and non-empty.</summary>
    public Vocabulary(IReadOnlyList<string> terms, IReadOnlyList<int> documentFrequencies, int documentCount,
        int minDocumentFrequency, int? maxSize = null)
    {
        ArgumentNullException.ThrowIfNull(terms);
        ArgumentNullException.ThrowIfNull(documentFrequencies);
        if (terms.Count != documentFrequencies.Count)
            throw new ArgumentException($"vocabulary: {terms.Count} terms but {documentFrequencies.Count} document frequencies");
        if (minDocumentFrequency < 1) throw new ArgumentException($"vocabulary: minimum document frequency {minDocumentFrequency} must be at least 1");
        if (maxSize is < 0) throw new ArgumentException($"vocabulary: max size {maxSize} is negative");
        if (documentCount < 0) throw new ArgumentException($"vocabulary: document count {documentCount} is negative");
        _terms = terms.ToArray();
        _documentFrequencies = documentFrequencies.ToArray();
        _index = new Dictionary<string, int>(_terms.Length, StringComparer.Ordinal);
        for (int i = 0; i < _terms.Length; i++)
        {
            if (string.IsNullOrEmpty(_terms[i])) throw new ArgumentException($"vocabulary: term {i} is empty");
            if (_documentFrequencies[i] < 0) throw new ArgumentException($"vocabulary: term '{_terms[i]}' has negative document frequency");
            if (!_index.TryAdd(_terms[i], i)) throw new ArgumentException($"vocabulary: term '{_terms[i]}' appears twice (indices {_index[_terms[i]]} and {i})");
        }
        DocumentCount = documentCount;
        MinDocumentFrequency = minDocumentFrequency;
        MaxSize = maxSize;
    }

    /// <summary>Number of terms (the text feature's dimension).</summary>
    public int Size => _terms.Length;
    /// <summary>Number of training documents it was built from.</summary>
    public int DocumentCount { get; }
    /// <summary>The document-frequency threshold used to build it.</summary>
    public int MinDocumentFrequency { get; }
    /// <summary>The size limit used to build it (null: none).</summary>
    public int? MaxSize { get; }
    /// <summary>The terms in index order.</summary>
    public IReadOnlyList<string> Terms => _terms;

    /// <summary>The index of a term, or −1 when unknown.</summary>
    public int IndexOf(string term) => term is not null && _index.TryGetValue(term, out int i) ? i : -1;

    /// <summary>Whether a term is known.</summary>
    public bool Contains(string term) => IndexOf(term) >= 0;

    /// <summary>The term at an index.</summary>
    public string Term(int index) => _terms[index];

    /// <summary>In how many training documents the term at an index occurs.</summary>
    public int DocumentFrequency(int index) => _documentFrequencies[index];

    /// <summary>
    /// Builds a vocabulary from training documents (each a list of terms, e.g. from <see cref="TextAnalyzer"/>):
    /// terms in at least <paramref name="minDocumentFrequency"/> documents, most frequent first (ties in ordinal
    /// order), at most <paramref name="maxSize"/> of them. Null or empty terms are ignored.
    /// </summary>
    public static Vocabulary Build(IEnumerable<IReadOnlyList<string>> documents, int minDocumentFrequency = 2, int? maxSize = null)
    {
        ArgumentNullException.ThrowIfNull(documents);
        if (minDocumentFrequency < 1) throw new ArgumentException($"vocabulary: minimum document frequency {minDocumentFrequency} must be at least 1");
        if (maxSize is < 0) throw new ArgumentException($"vocabulary: max size {maxSize} is negative");
        var df = new Dictionary<string, int>(StringComparer.Ordinal);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        int documentCount = 0;
        foreach (var document in documents)
        {
            documentCount++;
            if (document is null) continue;
            seen.Clear();
            foreach (var term in document)
                if (!string.IsNullOrEmpty(term) && seen.Add(term))
                    df[term] = df.GetValueOrDefault(term) + 1;
        }
        var kept = df.Where(p => p.Value >= minDocumentFrequency)
            .OrderByDescending(p => p.Value)
            .ThenBy(p => p.Key, StringComparer.Ordinal);
        var chosen = (maxSize is int m ? kept.Take(m) : kept).ToArray();
        return new Vocabulary(chosen.Select(p => p.Key).ToArray(), chosen.Select(p => p.Value).ToArray(),
            documentCount, minDocumentFrequency, maxSize);
    }

    /// <summary>Counts a document's terms: known ones as sparse (index, count) pairs, unknown ones reported.</summary>
    public TermCounts Count(IReadOnlyList<string> terms)
    {
        ArgumentNullException.ThrowIfNull(terms);
        var counts = new Dictionary<int, int>();
        var unknown = new List<string>();
        var unknownSeen = new HashSet<string>(StringComparer.Ordinal);
        int unknownCount = 0;
        foreach (var term in terms)
        {
            int i = IndexOf(term);
            if (i >= 0) counts[i] = counts.GetValueOrDefault(i) + 1;
            else
            {
                unknownCount++;
                if (term is not null && unknownSeen.Add(term)) unknown.Add(term);
            }
        }
        var pairs = counts.OrderBy(p => p.Key).Select(p => new TermCount(p.Key, p.Value)).ToArray();
        return new TermCounts(pairs, unknownCount, unknown);
    }

    /// <summary>Writes the vocabulary as UTF-8 JSON (the stream is left open).</summary>
    public void Save(Stream stream)
    {
        ArgumentNullException.ThrowIfNull(stream);
        using var w = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = false });
        w.WriteStartObject();
        w.WriteString("format", FormatName);
        w.WriteNumber("version", FormatVersion);
        w.WriteNumber("documentCount", DocumentCount);
        w.WriteNumber("minDocumentFrequency", MinDocumentFrequency);
        if (MaxSize is int m) w.WriteNumber("maxSize", m); else w.WriteNull("maxSize");
        w.WriteStartArray("terms");
        foreach (var t in _terms) w.WriteStringValue(t);
        w.WriteEndArray();
        w.WriteStartArray("documentFrequencies");
        foreach (var d in _documentFrequencies) w.WriteNumberValue(d);
        w.WriteEndArray();
        w.WriteEndObject();
        w.Flush();
    }

    /// <summary>Reads a vocabulary written by <see cref="Save"/>; throws <see cref="InvalidDataException"/> on a bad stream.</summary>
    public static Vocabulary Load(Stream stream)
    {
        ArgumentNullException.ThrowIfNull(stream);
        try
        {
            using var doc = JsonDocument.Parse(stream);
            var root = doc.RootElement;
            var format = root.GetProperty("format").GetString();
            if (format != FormatName) throw new InvalidDataException($"vocabulary: format '{format}', expected '{FormatName}'");
            int version = root.GetProperty("version").GetInt32();
            if (version != FormatVersion) throw new InvalidDataException($"vocabulary: version {version}, this build reads version {FormatVersion}");
            var maxSizeElement = root.GetProperty("maxSize");
            int? maxSize = maxSizeElement.ValueKind == JsonValueKind.Null ? null : maxSizeElement.GetInt32();
            var terms = root.GetProperty("terms").EnumerateArray().Select(e => e.GetString() ?? "").ToArray();
            var dfs = root.GetProperty("documentFrequencies").EnumerateArray().Select(e => e.GetInt32()).ToArray();
            return new Vocabulary(terms, dfs, root.GetProperty("documentCount").GetInt32(),
                root.GetProperty("minDocumentFrequency").GetInt32(), maxSize);
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException or FormatException or ArgumentException)
        {
            throw new InvalidDataException($"vocabulary: cannot read the stream: {e.Message}", e);
        }
    }
}
