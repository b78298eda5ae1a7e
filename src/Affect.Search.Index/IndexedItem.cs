namespace Affect.Search.Index;

/// <summary>
/// One reference item as the index keeps it: what is needed to answer a query without re-reading media.
/// </summary>
/// <param name="Id">The item's unique id (from the manifest).</param>
/// <param name="Text">Its text, or null.</param>
/// <param name="Labels">Label strings by kind (e.g. "emotion" -> ["joy"]).</param>
/// <param name="Sources">Media paths by kind ("image", "audio", "video"), as given when indexed.</param>
/// <param name="Modalities">The modalities it has, as letters in T, V, A order (e.g. "TV").</param>
/// <param name="Source">Where the item came from (manifest "source"), or null.</param>
public sealed record IndexedItem(string Id, string? Text, IReadOnlyDictionary<string, IReadOnlyList<string>> Labels,
    IReadOnlyDictionary<string, string> Sources, string Modalities, string? Source = null);

/// <summary>An item to add or replace, with its joint embedding in every view it belongs to.</summary>
/// <param name="Item">The stored fields.</param>
/// <param name="Embeddings">View name ("full", "T", "V", "A", "VA") -> joint embedding; views the item lacks are absent.</param>
public sealed record ItemToIndex(IndexedItem Item, IReadOnlyDictionary<string, float[]> Embeddings);

/// <summary>The database views of the paper (spec section 5): all modalities, and the cross-modal ones.</summary>
public static class IndexViews
{
    /// <summary>Every view an index holds, in display order.</summary>
    public static readonly IReadOnlyList<string> All = ["full", "T", "V", "A", "VA"];

    /// <summary>The default view: each item embedded from all the modalities it has.</summary>
    public const string Full = "full";

    /// <summary>The view name as stored ("t" -> "T", "va"/"av" -> "VA", "full"), or an error listing the valid ones.</summary>
    public static string Parse(string view)
    {
        var v = view.Trim();
        if (v.Equals("full", StringComparison.OrdinalIgnoreCase)) return Full;
        var letters = new string(v.ToUpperInvariant().OrderBy(c => "TVA".IndexOf(c)).ToArray());
        if (letters.Length > 0 && All.Contains(letters)) return letters;
        throw new ArgumentException($"unknown database view '{view}'; expected one of {string.Join(", ", All)}");
    }

    /// <summary>
    /// Whether an item with <paramref name="modalities"/> (letters) belongs to <paramref name="view"/>: it has at
    /// least one of the view's modalities, and is then embedded from those it has.
    /// </summary>
    public static bool Contains(string view, string modalities)
        => view == Full ? modalities.Length > 0 : view.Any(modalities.Contains);
}
