using System.CommandLine;
using Affect.Search.Index;

namespace Affect.Search.Cli.Commands;

/// <summary>The --k and --offset options, bounded by <see cref="SearchLimits"/> as usage errors (exit 2).</summary>
internal static class PageOptions
{
    /// <summary>--k: results wanted, 1 to <see cref="SearchLimits.MaxK"/>.</summary>
    public static Option<int> K(int byDefault, string description = "results")
    {
        var k = new Option<int>("--k") { Description = $"{description} (1 to {SearchLimits.MaxK})", DefaultValueFactory = _ => byDefault };
        k.Validators.Add(result =>
        {
            if (Value(result) is not { } value) return;
            if (value is < 1 or > SearchLimits.MaxK) result.AddError($"--k must be between 1 and {SearchLimits.MaxK} (got {value})");
        });
        return k;
    }

    /// <summary>--offset: results skipped, not negative.</summary>
    public static Option<int> Offset()
    {
        var offset = new Option<int>("--offset")
            { Description = $"results to skip (pagination; --offset + --k at most {SearchLimits.MaxResultWindow})", DefaultValueFactory = _ => 0 };
        offset.Validators.Add(result =>
        {
            if (Value(result) is not { } value) return;
            if (value < 0) result.AddError($"--offset must not be negative (got {value})");
        });
        return offset;
    }

    /// <summary>The option's number, or null when it is not one (the parser reports that itself).</summary>
    private static int? Value(System.CommandLine.Parsing.OptionResult result)
    {
        try { return result.GetValueOrDefault<int>(); }
        catch (InvalidOperationException) { return null; }
    }

    /// <summary>
    /// Why --offset + --k reaches past <see cref="SearchLimits.MaxResultWindow"/> (computed without overflow), or null;
    /// checked when the command runs, after each option's own range.
    /// </summary>
    public static string? WindowProblem(int k, int offset) =>
        (long)offset + k > SearchLimits.MaxResultWindow
            ? $"--offset + --k must be at most {SearchLimits.MaxResultWindow} (got {offset} + {k}); narrow the search with --filter instead of paging deeper"
            : null;
}
