using System.CommandLine;
using System.Text.Json;
using Affect.Search.Cli.Output;
using Affect.Search.Index;

namespace Affect.Search.Cli.Commands;

/// <summary>`affect delete`: removes items by id in one committed generation.</summary>
internal static class DeleteCommand
{
    public static Command Create()
    {
        var ids = new Option<string[]>("--id") { Description = "item id (repeat for several)", Required = true };
        var index = IndexLocation.IndexOption();
        var json = new Option<bool>("--json") { Description = "print JSON" };
        var command = new Command("delete", "delete items from an index") { ids, index, json };
        command.SetAction(parse =>
        {
            using var writer = MultimodalIndexWriter.OpenExisting(parse.GetValue(index)!);
            var wanted = parse.GetValue(ids)!;
            var deleted = wanted.Where(writer.Delete).ToList();
            var missing = wanted.Except(deleted).ToList();
            long generation = writer.Commit($"deleted {deleted.Count} items");
            foreach (var id in missing) TerminalText.WriteError($"no item '{id}' in {writer.Folder}");
            if (parse.GetValue(json)) Console.WriteLine(JsonSerializer.Serialize(new { deleted, missing, generation }, JsonOutput.Options));
            else Console.WriteLine($"deleted {deleted.Count} item(s); generation {generation}");
            return missing.Count > 0 ? ExitCodes.BadInput : ExitCodes.Ok;
        });
        return command;
    }
}
