using Affect.Search.Engine;
using System.CommandLine;
using System.Text.Json;
using Affect.Search.Cli.Output;
using Affect.Search.Model.Persistence;
using Affect.Search.Model.Training;

namespace Affect.Search.Cli.Commands;

/// <summary>`affect model-info`: what a model file holds, without loading its weights.</summary>
internal static class ModelInfoCommand
{
    public static Command Create()
    {
        var model = new Option<string>("--model") { Description = "model folder or file", DefaultValueFactory = _ => "models/cpu" };
        var json = new Option<bool>("--json") { Description = "print JSON" };
        var command = new Command("model-info", "describe a model file") { model, json };
        command.SetAction(parse =>
        {
            var path = ModelFolder.ModelPath(parse.GetValue(model)!);
            if (!File.Exists(path)) throw new FileNotFoundException($"no model file at {path}");
            var info = ModelFile.ReadInfo(path);
            var log = Path.Combine(Path.GetDirectoryName(Path.GetFullPath(path))!, "training.jsonl");
            var activity = File.Exists(log) ? LayerActivity.ReadLog(log) : [];
            var summary = new
            {
                path,
                formatVersion = info.FormatVersion,
                name = info.Config.Name,
                embeddingSize = info.Config.JointSize,
                parameters = info.ParameterCount,
                identity = info.Identity,
                modalities = info.Config.Modalities.Select(m => new { m.Name, features = m.Features.Select(f => new { f.Name, visible = f.Visible.ToString(), f.InputSize, f.Hidden }) }),
                leftOut = (info.Config.LeftOut ?? []).Select(l => new { modality = l.Modality, feature = l.Feature, reason = l.Reason }),
                metadata = info.Metadata,
                activity = activity.Select(a => new { layer = a.Layer, items = a.Items, saturation = a.Saturation, spread = a.Spread, constantUnits = a.ConstantUnits, dead = a.IsDead }),
            };
            if (parse.GetValue(json)) Console.WriteLine(JsonSerializer.Serialize(summary, JsonOutput.Options));
            else
            {
                Console.WriteLine($"{path}: '{summary.name}', format {summary.formatVersion}, {summary.parameters:N0} parameters, embedding {summary.embeddingSize}, identity {summary.identity}");
                foreach (var m in info.Config.Modalities)
                    Console.WriteLine($"  {m.Name}: " + string.Join("; ", m.Features.Select(f => $"{f.Name} {f.Visible}({f.InputSize}) -> {string.Join("-", f.Hidden)}")));
                foreach (var note in info.Config.LeftOutNotes()) Console.WriteLine($"  {note}");
                if (activity.Count > 0) Console.WriteLine("  layer activity after training (spread: mean sd over items; saturated: share of values < 0.05 or > 0.95):");
                foreach (var a in activity)
                    Console.WriteLine($"    {a.Layer,-16} spread {a.Spread:F3}  saturated {a.Saturation,4:P0}  over {a.Items} items{(a.IsDead ? "  NEARLY DEAD" : "")}");
            }
            return ExitCodes.Ok;
        });
        return command;
    }
}
