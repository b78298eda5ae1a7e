namespace Affect.Search.Evaluation.Report.Charts;

/// <summary>
/// One series of values with an optional error bar (spread) per value, e.g. a system's MAP@20 per category.
/// </summary>
/// <param name="Name">Legend text; may contain any characters (it is escaped on output).</param>
/// <param name="Values">One value per category (bar chart) or per x value (line chart); NaN means "not available".</param>
/// <param name="Spread">Optional half-width of the error bar or band per value (drawn as value +- spread); same length as <paramref name="Values"/>.</param>
public sealed record Series(string Name, IReadOnlyList<double> Values, IReadOnlyList<double>? Spread = null);
