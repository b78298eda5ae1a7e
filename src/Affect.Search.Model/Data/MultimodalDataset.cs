namespace Affect.Search.Model.Data;

/// <summary>
/// Items described by raw feature data, keyed by feature name ("hog", "audio", "text", ...), with
/// which items have which features. A feature missing from <see cref="Features"/> is missing for
/// every item; a feature without a presence list is present for every item.
/// </summary>
public sealed class MultimodalDataset
{
    private readonly Dictionary<string, VisibleData> _features;
    private readonly Dictionary<string, bool[]> _present;

    /// <summary>Creates a data set; every feature must have <paramref name="count"/> rows.</summary>
    public MultimodalDataset(int count, IReadOnlyDictionary<string, VisibleData> features, IReadOnlyDictionary<string, bool[]>? present = null)
    {
        Count = count;
        _features = new Dictionary<string, VisibleData>(features, StringComparer.Ordinal);
        _present = present is null ? new(StringComparer.Ordinal) : new Dictionary<string, bool[]>(present, StringComparer.Ordinal);
        foreach (var (name, data) in _features)
            if (data.Count != count) throw new ArgumentException($"feature '{name}' has {data.Count} rows, the data set has {count} items");
        foreach (var (name, mask) in _present)
            if (mask.Length != count) throw new ArgumentException($"presence list of '{name}' has {mask.Length} entries, the data set has {count} items");
    }

    /// <summary>Number of items.</summary>
    public int Count { get; }

    /// <summary>Feature data by name.</summary>
    public IReadOnlyDictionary<string, VisibleData> Features => _features;

    /// <summary>Whether item <paramref name="row"/> has feature <paramref name="feature"/>.</summary>
    public bool IsPresent(string feature, int row)
        => _features.ContainsKey(feature) && (!_present.TryGetValue(feature, out var mask) || mask[row]);

    /// <summary>Presence of a feature for all items.</summary>
    public bool[] Presence(string feature)
    {
        if (!_features.ContainsKey(feature)) return new bool[Count];
        return _present.TryGetValue(feature, out var mask) ? mask : Enumerable.Repeat(true, Count).ToArray();
    }

    /// <summary>A data set of the given items.</summary>
    public MultimodalDataset Select(ReadOnlySpan<int> rows)
    {
        var features = new Dictionary<string, VisibleData>(StringComparer.Ordinal);
        foreach (var (name, data) in _features) features[name] = data.Select(rows);
        var present = new Dictionary<string, bool[]>(StringComparer.Ordinal);
        foreach (var (name, mask) in _present)
        {
            var m = new bool[rows.Length];
            for (int i = 0; i < rows.Length; i++) m[i] = mask[rows[i]];
            present[name] = m;
        }
        return new MultimodalDataset(rows.Length, features, present);
    }

    /// <summary>The same items with the given features hidden (e.g. a text-only view of a database).</summary>
    public MultimodalDataset Without(params string[] features)
    {
        var kept = _features.Where(kv => !features.Contains(kv.Key)).ToDictionary(kv => kv.Key, kv => kv.Value);
        var present = _present.Where(kv => kept.ContainsKey(kv.Key)).ToDictionary(kv => kv.Key, kv => kv.Value);
        return new MultimodalDataset(Count, kept, present);
    }

    /// <summary>The same items keeping only the given features.</summary>
    public MultimodalDataset Only(params string[] features)
        => Without(_features.Keys.Where(k => !features.Contains(k)).ToArray());
}
