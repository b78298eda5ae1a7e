using System.CommandLine;
using System.Text.Json;
using Affect.Search.Cli.Output;
using Affect.Search.Compute.Cpu;
using Affect.Search.Engine.Embedding;
using Affect.Search.Evaluation.Retrieval;
using Affect.Search.Model.Configuration;
using Affect.Search.Model.Data;
using Affect.Search.Model.Persistence;
using Spectre.Console;

namespace Affect.Search.Cli.Commands;

/// <summary>
/// `affect demo`: a quick check on the seeded synthetic corpus (no media, no downloads):
/// trains the cpu preset, saves it, and prints the paper's cross-modal MAP@20 table.
/// </summary>
internal static class DemoCommand
{
    private static readonly string[] QueryViews = { "T", "V", "A", "TVA" };
    private static readonly string[] DatabaseViews = { "full", "T", "V", "A", "VA" };

    public static Command Create()
    {
        var items = new Option<int>("--items") { Description = "training items", DefaultValueFactory = _ => 2000 };
        var evalItems = new Option<int>("--eval-items") { Description = "held-apart items: a quarter are queries, the rest the database", DefaultValueFactory = _ => 800 };
        var seed = new Option<ulong>("--seed") { Description = "seed of the corpus and the model", DefaultValueFactory = _ => 1 };
        var output = new Option<string>("--out") { Description = "model folder to write", DefaultValueFactory = _ => "models/demo" };
        var jointEpochs = new Option<int?>("--joint-epochs") { Description = "override the preset's joint PCD epochs (0 = greedy pretraining only)" };
        var json = new Option<bool>("--json") { Description = "print the results as JSON on standard output" };
        var command = new Command("demo", "train the cpu preset on the synthetic corpus and report cross-modal MAP@20") { items, evalItems, seed, output, jointEpochs, json };
        command.SetAction(parse =>
        {
            var cfg = Presets.Load("cpu") with { Seed = parse.GetValue(seed) };
            if (parse.GetValue(jointEpochs) is { } epochs)
            {
                if (epochs < 0) throw new ArgumentException("--joint-epochs must be >= 0");
                cfg = cfg with { JointTraining = cfg.JointTraining with { Epochs = epochs } };
            }
            int trainCount = parse.GetValue(items), evalCount = parse.GetValue(evalItems);
            if (trainCount < 10 || evalCount < 8) throw new ArgumentException("--items must be at least 10 and --eval-items at least 8");
            var corpus = SyntheticMultimodalCorpus.Generate(cfg, new SyntheticCorpusOptions { Items = trainCount + evalCount, MissingRate = 0.2, Seed = cfg.Seed });
            var train = corpus.Data.Select(Enumerable.Range(0, trainCount).ToArray());
            var summary = TrainCommand.Train(cfg, train, parse.GetValue(output)!);

            // Queries and references are complete items; each view drops modalities on purpose.
            var complete = SyntheticMultimodalCorpus.Generate(cfg, new SyntheticCorpusOptions { Items = trainCount + evalCount, MissingRate = 0, Seed = cfg.Seed });
            int queryCount = evalCount / 4;
            var queryRows = Enumerable.Range(trainCount, queryCount).ToArray();
            var refRows = Enumerable.Range(trainCount + queryCount, evalCount - queryCount).ToArray();
            IReadOnlySet<string> Label(int row) => new HashSet<string> { $"class-{complete.Classes[row]}" };
            using var backend = CpuBackend.CreateBest();
            using var dbm = ModelFile.Load(backend, summary.Model);
            var centres = EmbeddingCentres.Load(Path.Combine(parse.GetValue(output)!, EmbeddingCentres.FileName));
            var results = new CrossModalEvaluation(dbm, centres).Run(
                complete.Data.Select(queryRows), queryRows.Select(Label).ToList(),
                complete.Data.Select(refRows), refRows.Select(Label).ToList(), QueryViews, DatabaseViews);

            if (parse.GetValue(json))
            {
                Console.WriteLine(JsonSerializer.Serialize(new { training = summary, metric = "MAP@20", results }, JsonOutput.Options));
                return ExitCodes.Ok;
            }
            var table = new Table().Title($"Cross-modal MAP@20, {queryCount} queries, {refRows.Length} references (random ranking: {results[0].RandomMapAt20:F3})");
            table.AddColumn("query \\ database");
            foreach (var db in DatabaseViews) table.AddColumn(db == "full" ? "DB-full" : $"DB-{db}");
            foreach (var q in QueryViews)
                table.AddRow(new[] { q }.Concat(DatabaseViews.Select(db => results.Single(r => r.Query == q && r.Database == db).MapAt20.ToString("F3"))).ToArray());
            StdoutTable.Write(table);
            Console.WriteLine($"model: {summary.Model} ({summary.Parameters:N0} parameters, trained in {summary.Seconds:F1} s on {summary.Backend}); training log: {summary.Log}");
            return ExitCodes.Ok;
        });
        return command;
    }
}
