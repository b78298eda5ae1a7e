using System.CommandLine;
using System.Text.Json;
using Affect.Search.Cli.Output;
using Affect.Search.Index;

namespace Affect.Search.Cli.Commands;

/// <summary>`affect info`: what an index holds.</summary>
internal static class InfoCommand
{
    public static Command Create()
    {
        var index = IndexLocation.IndexOption();
        var json = new Option<bool>("--json") { Description = "print JSON" };
        var command = new Command("info", "describe an index") { index, json };
        command.SetAction(parse =>
        {
            using var opened = MultimodalIndex.Open(parse.GetValue(index)!);
            var info = opened.Info();
            if (parse.GetValue(json)) Console.WriteLine(JsonSerializer.Serialize(new
            {
                folder = info.Folder,
                items = info.Items,
                views = info.Views.Select(v => new { view = v.View, items = v.Items, vectors = v.Vectors, structure = v.Structure }),
                model = new { identity = info.Model.Model, features = info.Model.Features, dimension = info.Model.Dimension, folder = info.ModelFolder },
                generation = info.Generation,
                committedAt = info.CommittedAt,
                bytes = info.Bytes,
            }, JsonOutput.Options));
            else
            {
                Console.WriteLine(TerminalText.Escape($"{info.Folder}: {info.Items} items, generation {info.Generation} ({info.CommittedAt:u}), {info.Bytes / 1024.0 / 1024.0:F1} MiB"));
                Console.WriteLine(TerminalText.Escape($"model {info.Model.Model[..12]} (features {info.Model.Features[..12]}, dimension {info.Model.Dimension}) at {info.ModelFolder ?? "?"}"));
                foreach (var v in info.Views) Console.WriteLine($"  {v.View,-4} {v.Items,8} items  {v.Vectors,8} vectors  {v.Structure}");
            }
            return ExitCodes.Ok;
        });
        return command;
    }
}
