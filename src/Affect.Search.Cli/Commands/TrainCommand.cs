using Affect.Search.Engine;
using System.CommandLine;
using System.Text.Json;
using Affect.Search.Cli.Output;
using Affect.Search.Model.Configuration;
using Affect.Search.Model.Data;
using Affect.Search.Model.Persistence;
using Affect.Search.Model.Training;

namespace Affect.Search.Cli.Commands;

/// <summary>`affect train`: trains a model without labels and writes a model folder (model file + JSON log).</summary>
internal static class TrainCommand
{
    public static Command Create()
    {
        var preset = new Option<string?>("--preset") { Description = $"shipped configuration: {string.Join(", ", Model.Configuration.Presets.Names)} (default {Model.Configuration.Presets.Default})" };
        var config = new Option<FileInfo?>("--config") { Description = "a JSON model configuration file instead of a preset" };
        var corpus = new Option<FileInfo[]>("--corpus") { Description = "corpus manifest (JSON Lines) of the training items; repeat it to train on several (e.g. data/default/train.jsonl and data/extended/train.jsonl)" };
        var synthetic = new Option<bool>("--synthetic") { Description = "train on the seeded synthetic multimodal corpus instead" };
        var items = new Option<int>("--items") { Description = "synthetic items", DefaultValueFactory = _ => 2000 };
        var missing = new Option<double>("--missing-rate") { Description = "synthetic: probability an item lacks a modality", DefaultValueFactory = _ => 0.2 };
        var seed = new Option<ulong?>("--seed") { Description = "override the configuration's seed" };
        var output = new Option<string>("--out") { Description = "model folder to write", DefaultValueFactory = _ => "models/cpu" };
        var backend = new Option<string?>("--backend") { Description = BackendChoice.Description };
        var json = new Option<bool>("--json") { Description = "print a JSON summary on standard output" };
        var command = new Command("train", "train a model (CD-1 pretraining, then PCD) and save it") { preset, config, corpus, synthetic, items, missing, seed, output, backend, json };
        command.SetAction(parse =>
        {
            var cfg = ModelSource.Resolve(parse.GetValue(preset), parse.GetValue(config), parse.GetValue(seed));
            var folder = parse.GetValue(output)!;
            MultimodalDataset data;
            if (parse.GetValue(corpus) is { Length: > 0 } manifestFiles)
            {
                if (parse.GetValue(synthetic)) throw new ArgumentException("give either --corpus or --synthetic, not both");
                data = CorpusInput.LearnAndFeaturize(manifestFiles.Select(f => f.FullName).ToList(), cfg, folder);
            }
            else if (parse.GetValue(synthetic))
                data = SyntheticMultimodalCorpus.Generate(cfg, new SyntheticCorpusOptions { Items = parse.GetValue(items), MissingRate = parse.GetValue(missing), Seed = cfg.Seed }).Data;
            else throw new ArgumentException("training needs data: --corpus items.jsonl, or --synthetic");
            var summary = Train(cfg, data, folder, parse.GetValue(backend));
            if (parse.GetValue(json)) Console.WriteLine(JsonSerializer.Serialize(summary, JsonOutput.Options));
            else
            {
                Console.WriteLine($"model written to {summary.Model} ({summary.Parameters:N0} parameters, {summary.Seconds:F1} s); log {summary.Log}");
                foreach (var note in summary.LeftOutNotes) Console.WriteLine(note);
            }
            return ExitCodes.Ok;
        });
        return command;
    }

    /// <summary>Trains and saves; shared with `affect demo`.</summary>
    public static TrainSummary Train(Model.Configuration.DbmConfig cfg, MultimodalDataset data, string folder, string? backendName = null)
    {
        Directory.CreateDirectory(folder);
        var logPath = Path.Combine(folder, "training.jsonl");
        using var logWriter = new StreamWriter(logPath);
        using var backend = BackendChoice.Create(backendName);
        var clock = System.Diagnostics.Stopwatch.StartNew();
        using var dbm = new TrainingProgress().Run(new TrainingLog(logWriter), report => DbmTrainer.Train(backend, cfg, data, onEvent: report));
        var modelPath = ModelFolder.ModelPath(folder);
        // The feature space, when there is one, was saved by CorpusInput before training.
        ModelFolder.Save(folder, dbm, features: null, data, new Dictionary<string, string> { ["preset"] = cfg.Name, ["backend"] = backend.Name });
        return new TrainSummary(modelPath, logPath, cfg.Name, backend.Name, data.Count, dbm.ParameterCount, dbm.EmbeddingSize, ModelFile.Identity(dbm), clock.Elapsed.TotalSeconds,
            dbm.Config.Modalities.Select(m => m.Name).ToList(), dbm.Config.LeftOut ?? [], dbm.Config.LeftOutNotes());
    }
}

/// <summary>What `affect train` reports: besides the figures, the modalities the model has and the configured pathways left out because no training item had them.</summary>
public sealed record TrainSummary(string Model, string Log, string Preset, string Backend, int Items, long Parameters, int EmbeddingSize, string Identity, double Seconds,
    IReadOnlyList<string> Modalities, IReadOnlyList<LeftOutPathway> LeftOut, IReadOnlyList<string> LeftOutNotes);
