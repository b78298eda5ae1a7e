using System.CommandLine;
using System.Text.Json;
using Affect.Search.Cli.Output;
using Affect.Search.Index;

namespace Affect.Search.Cli.Commands;

/// <summary>`affect check`: verifies every file of an index (exit 0 when healthy, 1 when not).</summary>
internal static class CheckCommand
{
    public static Command Create()
    {
        var index = IndexLocation.IndexOption();
        var json = new Option<bool>("--json") { Description = "print JSON" };
        var command = new Command("check", "verify an index: SQLite integrity_check, vector file checksums, counts and contents against the store, Lucene CheckIndex") { index, json };
        command.SetAction(parse =>
        {
            var report = IndexCheck.Run(parse.GetValue(index)!);
            if (parse.GetValue(json)) Console.WriteLine(JsonSerializer.Serialize(new
            {
                folder = report.Folder,
                healthy = report.Healthy,
                generation = report.Generation,
                items = report.Items,
                problems = report.Problems.Select(p => new { file = p.File, problem = p.Problem }),
                notes = report.Notes,
            }, JsonOutput.Options));
            else
            {
                foreach (var p in report.Problems) Console.WriteLine($"{(p.File.Length > 0 ? p.File : report.Folder)}: {p.Problem}");
                foreach (var note in report.Notes) Console.WriteLine($"note: {note}");
                Console.WriteLine(report.Healthy
                    ? $"{report.Folder}: healthy ({report.Items} items, generation {report.Generation})"
                    : $"{report.Folder}: {report.Problems.Count} problem(s)");
            }
            return report.Healthy ? ExitCodes.Ok : ExitCodes.BadInput;
        });
        return command;
    }
}
