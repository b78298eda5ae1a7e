using System.CommandLine;
using System.Text.Json;
using Affect.Search.Cli.Output;
using Affect.Search.Index;

namespace Affect.Search.Cli.Commands;

/// <summary>`affect rebuild`: rewrites an index's vector files and text index from its store as a new generation.</summary>
internal static class RebuildCommand
{
    public static Command Create()
    {
        var index = IndexLocation.IndexOption();
        var json = new Option<bool>("--json") { Description = "print JSON" };
        var command = new Command("rebuild", "rebuild an index's vector files and text index from store.sqlite (the source of truth) as a new generation") { index, json };
        command.SetAction(parse =>
        {
            var report = IndexRebuild.Run(parse.GetValue(index)!);
            if (parse.GetValue(json)) Console.WriteLine(JsonSerializer.Serialize(new
            {
                folder = report.Folder,
                generation = report.Generation,
                items = report.Items,
                views = report.Views.Select(v => new { view = v.View, vectors = v.Vectors }),
                textDocuments = report.TextDocuments,
            }, JsonOutput.Options));
            else
                Console.WriteLine($"rebuilt {report.Folder}: {report.Items} items, views {string.Join(", ", report.Views.Select(v => $"{v.View} {v.Vectors}"))}, "
                    + $"{report.TextDocuments} text documents; generation {report.Generation}");
            return ExitCodes.Ok;
        });
        return command;
    }
}
