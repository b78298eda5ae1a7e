namespace Affect.Search.Evaluation.Retrieval;

/// <summary>
/// How much a few references dominate the top-20 lists of a cell's queries. Why: mean-field inference can pull
/// every text-only query into one joint state, and then one reference (a "hub") shows up in nearly every list.
/// </summary>
/// <param name="HubShare">Share of the queries whose top 20 contains the single most frequent reference.</param>
/// <param name="TopTenSlotShare">Share of all top-20 slots filled by the 10 most frequent references.</param>
public sealed record Hubness(double HubShare, double TopTenSlotShare)
{
    /// <summary>References counted in <see cref="TopTenSlotShare"/>.</summary>
    public const int FrequentReferences = 10;

    /// <summary>Not measured (no ranking, e.g. the random expectation).</summary>
    public static readonly Hubness None = new(double.NaN, double.NaN);

    /// <summary>The hubness of the ranked lists (reference ids, best first, each id at most once per list); <see cref="None"/> without any.</summary>
    public static Hubness Of(IEnumerable<IReadOnlyList<string>> rankedLists)
    {
        ArgumentNullException.ThrowIfNull(rankedLists);
        var occurrences = new Dictionary<string, int>(StringComparer.Ordinal);
        int lists = 0, slots = 0;
        foreach (var list in rankedLists)
        {
            lists++;
            foreach (var id in list.Take(RetrievalMetrics.CutOff))
            {
                occurrences[id] = occurrences.GetValueOrDefault(id) + 1;
                slots++;
            }
        }
        if (lists == 0 || slots == 0) return None;
        var frequencies = occurrences.Values.OrderDescending().ToList();
        // A reference appears at most once in a list, so its count is the number of lists holding it.
        return new Hubness(frequencies[0] / (double)lists, frequencies.Take(FrequentReferences).Sum() / (double)slots);
    }
}
