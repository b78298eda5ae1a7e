using Affect.Search.Index;
using Affect.Search.Model.Configuration;
using Affect.Search.Model.Data;

namespace Affect.Search.Evaluation.Benchmark;

/// <summary>
/// One cell of the paper's retrieval tables (spec section 5): queries keeping the modalities of
/// <paramref name="Query"/> against the database view <paramref name="Database"/>.
/// <para>Query views: T (text), V (visual), A (audio), VA (video: needs the visual modality, uses audio when the
/// item has it), TVA (multimodal: needs text and visual, uses audio when present), all (every query, with all it
/// has). A query without what its view
/// needs is not asked in that cell. Database views are the index's (<see cref="IndexViews"/>): a reference belongs
/// to a view when it has at least one of its modalities, and is represented by those it has.</para>
/// </summary>
public sealed record RetrievalCell(string Query, string Database)
{
    /// <summary>The query view of every query with every modality it has.</summary>
    public const string AllModalities = "all";

    /// <summary>Query views, in table order.</summary>
    public static readonly IReadOnlyList<string> QueryViews = ["T", "V", "A", "VA", "TVA", AllModalities];

    /// <summary>The paper's Table IV: video retrieval (the full database) by text, video and multimodal queries.</summary>
    public static readonly IReadOnlyList<RetrievalCell> VideoRetrieval = [new("T", IndexViews.Full), new("VA", IndexViews.Full), new("TVA", IndexViews.Full)];

    /// <summary>The paper's Table V: text, visual and audio queries against DB-T, DB-V, DB-A and DB-VA.</summary>
    public static readonly IReadOnlyList<RetrievalCell> CrossModal =
        (from q in new[] { "T", "V", "A" } from db in new[] { "T", "V", "A", "VA" } select new RetrievalCell(q, db)).ToList();

    /// <summary>Every cell of both tables.</summary>
    public static readonly IReadOnlyList<RetrievalCell> PaperTables = [.. VideoRetrieval, .. CrossModal];

    /// <summary>A short name, e.g. "T->DB-V".</summary>
    public string Name => $"{Query}->DB-{Database}";

    /// <summary>Whether an item with <paramref name="modalities"/> (letters) can be a query of this cell.</summary>
    public bool AsksWith(string modalities) => Query switch
    {
        "VA" => modalities.Contains('V'),
        "TVA" => modalities.Contains('T') && modalities.Contains('V'),
        AllModalities => modalities.Length > 0,
        _ => Query.All(modalities.Contains),
    };

    /// <summary>Whether a reference with <paramref name="modalities"/> belongs to the database view.</summary>
    public bool Holds(string modalities) => IndexViews.Contains(Database, modalities);

    /// <summary>Parses "T->V", "TVA->full" or "T:DB-V".</summary>
    public static RetrievalCell Parse(string text)
    {
        var parts = text.Split(["->", ":"], 2, StringSplitOptions.TrimEntries);
        if (parts.Length != 2) throw new ArgumentException($"cell '{text}': expected QUERY->DATABASE, e.g. T->V or TVA->full");
        var query = parts[0].Equals(AllModalities, StringComparison.OrdinalIgnoreCase) ? AllModalities : parts[0].ToUpperInvariant();
        if (!QueryViews.Contains(query)) throw new ArgumentException($"cell '{text}': unknown query view '{parts[0]}' (one of {string.Join(", ", QueryViews)})");
        var db = parts[1].StartsWith("DB-", StringComparison.OrdinalIgnoreCase) ? parts[1][3..] : parts[1];
        return new RetrievalCell(query, IndexViews.Parse(db));
    }
}

/// <summary>
/// Which features make up each modality of a model configuration, by letter (T, V, A), so that items and views
/// can be handled without a trained model (the baselines need this too).
/// </summary>
public sealed class ModalityMap
{
    private readonly Dictionary<char, string[]> _sources;

    /// <summary>The modalities of <paramref name="config"/>.</summary>
    public ModalityMap(DbmConfig config)
        : this(config.Modalities.ToDictionary(m => char.ToUpperInvariant(m.Name[0]), m => m.Features.SelectMany(f => f.Sources).Distinct().ToArray()))
    {
    }

    private ModalityMap(Dictionary<char, string[]> sources) => _sources = sources;

    /// <summary>The letters with at least one feature, in T, V, A order.</summary>
    public string Letters => new("TVA".Where(l => Sources(l).Count > 0).ToArray());

    /// <summary>This map keeping only the features of <paramref name="set"/> (a modality left without features is gone).</summary>
    public ModalityMap Restrict(FeatureSet set)
        => new(_sources.Select(kv => (kv.Key, Sources: kv.Value.Where(set.Of(kv.Key).Contains).ToArray()))
            .Where(x => x.Sources.Length > 0).ToDictionary(x => x.Key, x => x.Sources));

    /// <summary>The feature names of the modality with <paramref name="letter"/> (none when the configuration lacks it).</summary>
    public IReadOnlyList<string> Sources(char letter) => _sources.GetValueOrDefault(letter, []);

    /// <summary>The letters of the modalities row <paramref name="row"/> has, in T, V, A order.</summary>
    public string Of(MultimodalDataset data, int row)
        => new("TVA".Where(l => Sources(l).Any(s => data.IsPresent(s, row))).ToArray());

    /// <summary>The rows of <paramref name="data"/> whose modalities pass <paramref name="test"/>.</summary>
    public int[] Rows(MultimodalDataset data, Func<string, bool> test)
        => Enumerable.Range(0, data.Count).Where(r => test(Of(data, r))).ToArray();

    /// <summary><paramref name="data"/> keeping only the modalities in <paramref name="letters"/> ("full" and "all" keep all).</summary>
    public MultimodalDataset Keep(MultimodalDataset data, string letters)
        => letters is IndexViews.Full or RetrievalCell.AllModalities ? data : data.Only(letters.SelectMany(Sources).ToArray());
}
