namespace Affect.Search.Corpus;

/// <summary>How many items carry one label kind, and how often each value occurs.</summary>
/// <param name="Items">Items with at least one label of the kind.</param>
/// <param name="Distinct">Distinct values.</param>
/// <param name="Values">Value -> items with it (ordinal order).</param>
public sealed record LabelCounts(int Items, int Distinct, IReadOnlyDictionary<string, int> Values);

/// <summary>The counts that README.md and corpus.json report; every dictionary is in ordinal key order.</summary>
/// <param name="Items">Items in all three manifests.</param>
/// <param name="Sources">Source -> items.</param>
/// <param name="Splits">Manifest file name -> items.</param>
/// <param name="Modalities">Modality combination (e.g. "text+image") -> items.</param>
/// <param name="SplitModalities">Manifest file name -> modality combination -> items.</param>
/// <param name="Labels">Label kind -> counts.</param>
/// <param name="Skipped">Skip reason -> source entries left out.</param>
public sealed record CorpusCounts(int Items, IReadOnlyDictionary<string, int> Sources, IReadOnlyDictionary<string, int> Splits,
    IReadOnlyDictionary<string, int> Modalities, IReadOnlyDictionary<string, IReadOnlyDictionary<string, int>> SplitModalities,
    IReadOnlyDictionary<string, LabelCounts> Labels, IReadOnlyDictionary<string, int> Skipped)
{
    /// <summary>Counts the items and skipped entries.</summary>
    public static CorpusCounts Of(IReadOnlyList<CorpusItem> items, IReadOnlyList<SkippedEntry> skipped)
    {
        static SortedDictionary<string, int> Count(IEnumerable<string> keys)
        {
            var d = new SortedDictionary<string, int>(StringComparer.Ordinal);
            foreach (var k in keys) d[k] = d.GetValueOrDefault(k) + 1;
            return d;
        }
        var splits = new SortedDictionary<string, int>(StringComparer.Ordinal);
        var splitModalities = new SortedDictionary<string, IReadOnlyDictionary<string, int>>(StringComparer.Ordinal);
        foreach (var split in Enum.GetValues<Split>())
        {
            var inSplit = items.Where(i => i.Split == split).ToList();
            splits[CorpusSplit.FileName(split)] = inSplit.Count;
            splitModalities[CorpusSplit.FileName(split)] = Count(inSplit.Select(i => CorpusSplit.Name(i.Modalities)));
        }
        var labels = new SortedDictionary<string, LabelCounts>(StringComparer.Ordinal);
        foreach (var kind in items.SelectMany(i => i.Labels.Keys).Distinct())
        {
            var values = Count(items.Where(i => i.Labels.ContainsKey(kind)).SelectMany(i => i.Labels[kind]));
            labels[kind] = new LabelCounts(items.Count(i => i.Labels.TryGetValue(kind, out var v) && v.Count > 0), values.Count, values);
        }
        return new CorpusCounts(items.Count, Count(items.Select(i => i.Source)), splits,
            Count(items.Select(i => CorpusSplit.Name(i.Modalities))), splitModalities, labels, Count(skipped.Select(s => SkipName(s.Kind))));
    }

    /// <summary>The kebab-case name of a skip reason, as the counts show it.</summary>
    public static string SkipName(SkipKind kind) => kind switch
    {
        SkipKind.NoImage => "no-google-image",
        SkipKind.NoSubgroup => "no-subgroup",
        SkipKind.DuplicateId => "duplicate-id",
        SkipKind.BadMetadata => "bad-metadata",
        _ => "broken",
    };
}
