namespace Affect.Search.Index;

/// <summary>
/// A restriction of a search to items whose stored fields match: every clause must hold (AND); a clause
/// matches a label of that kind with that value, or the stored fields "id", "source" and "modality"
/// (modality=V keeps items that have the visual modality).
/// </summary>
public sealed class ItemFilter
{
    /// <summary>The reserved field names; anything else is a label kind.</summary>
    public static readonly IReadOnlyList<string> Fields = ["id", "source", "modality"];

    /// <summary>The clauses, as (field or label kind, value).</summary>
    public IReadOnlyList<(string Field, string Value)> Clauses { get; }

    /// <summary>A filter of the given clauses.</summary>
    public ItemFilter(IEnumerable<(string Field, string Value)> clauses) => Clauses = clauses.ToList();

    /// <summary>Whether the filter keeps everything.</summary>
    public bool IsEmpty => Clauses.Count == 0;

    /// <summary>Parses "kind=value" clauses, e.g. "emotion=joy", "modality=V".</summary>
    public static ItemFilter Parse(IEnumerable<string> clauses)
        => new(clauses.Select(c =>
        {
            int eq = c.IndexOf('=');
            if (eq <= 0 || eq == c.Length - 1) throw new ArgumentException($"filter '{c}' is not of the form field=value (e.g. emotion=joy, modality=V)");
            return (c[..eq].Trim(), c[(eq + 1)..].Trim());
        }));

    /// <summary>Whether <paramref name="item"/> passes.</summary>
    public bool Matches(IndexedItem item) => Clauses.All(c => c.Field switch
    {
        "id" => item.Id == c.Value,
        "source" => item.Source == c.Value,
        "modality" => c.Value.Length > 0 && c.Value.ToUpperInvariant().All(item.Modalities.Contains),
        _ => item.Labels.TryGetValue(c.Field, out var values) && values.Contains(c.Value),
    });

    /// <inheritdoc />
    public override string ToString() => string.Join(" AND ", Clauses.Select(c => $"{c.Field}={c.Value}"));
}
