using System.CommandLine;
using System.Text.Json;
using Affect.Search.Cli.Output;
using Affect.Search.Engine;
using Affect.Search.Engine.Indexing;
using Affect.Search.Features.Corpus;
using Affect.Search.Index;

namespace Affect.Search.Cli.Commands;

/// <summary>
/// `affect index`: maps a corpus's items through a trained model into an index (created when absent; same ids
/// are replaced). Exits <see cref="ExitCodes.SomeInputRejected"/> when some lines were rejected and the rest
/// indexed; with --strict, a manifest with any bad line is refused before anything is written.
/// </summary>
internal static class IndexCommand
{
    public static Command Create()
    {
        var corpus = new Option<FileInfo>("--corpus") { Description = "corpus manifest (JSON Lines) of the reference items", Required = true };
        var model = new Option<string>("--model") { Description = "trained model folder", DefaultValueFactory = _ => "models/cpu" };
        var index = IndexLocation.IndexOption();
        var commitEvery = new Option<int>("--commit-every") { Description = "items per committed generation", DefaultValueFactory = _ => 500 };
        var hnsw = new Option<long>("--hnsw-threshold") { Description = "new index: vectors per view from which HNSW replaces exact search", DefaultValueFactory = _ => 100_000 };
        var sq8 = new Option<bool>("--sq8") { Description = "new index: store vectors as 8-bit scalar codes (less memory)" };
        var backend = new Option<string?>("--backend") { Description = BackendChoice.Description };
        var json = new Option<bool>("--json") { Description = "print a JSON summary on standard output" };
        var strict = new Option<bool>("--strict") { Description = "refuse the whole manifest, writing nothing, when any line is bad (default: index the good lines, report the bad ones, exit 5)" };
        var command = new Command("index", "index reference items: joint embeddings in every view, text, labels") { corpus, model, index, commitEvery, hnsw, sq8, backend, json, strict };
        command.SetAction(parse =>
        {
            var manifestPath = parse.GetValue(corpus)!.FullName;
            var manifest = ManifestReader.Read(manifestPath);
            foreach (var error in manifest.Errors) TerminalText.WriteError($"{manifestPath}: {error}");
            if (parse.GetValue(strict) && manifest.Errors.Count > 0)
            {
                TerminalText.WriteError($"{manifestPath}: {manifest.Errors.Count} bad line(s); --strict: nothing indexed");
                return ExitCodes.BadInput;
            }
            using var computeBackend = BackendChoice.Create(parse.GetValue(backend));
            using var folder = ModelFolder.Load(parse.GetValue(model)!, computeBackend);
            var options = new IndexingOptions
            {
                CommitEvery = parse.GetValue(commitEvery),
                Settings = new IndexSettings { HnswThreshold = parse.GetValue(hnsw), ScalarQuantized = parse.GetValue(sq8) },
            };
            var report = StderrProgress.Run("index items", task =>
            {
                task.MaxValue = Math.Max(1, manifest.Items.Count);
                return Indexer.Run(manifest, folder, parse.GetValue(index)!, options, p =>
                {
                    task.Value = p.Done;
                    task.Description = $"index items (generation {p.Generation})";
                });
            });
            foreach (var p in report.Problems) TerminalText.WriteError($"item {p.Id}: {p.Problem}");
            foreach (var id in report.Dropped) TerminalText.WriteError($"item {id}: left out, no usable modality");
            foreach (var (modality, count) in report.UnreadModalities)
                TerminalText.WriteError($"model '{folder.Model.Config.Name}' has no {modality} pathway: the {modality} input of {count} item{(count == 1 ? "" : "s")} is not indexed "
                    + "(each is indexed from the modalities the model reads, or left out when it has none of them)");
            if (parse.GetValue(json)) Console.WriteLine(JsonSerializer.Serialize(new
            {
                index = report.Index, indexed = report.Indexed, items = report.Items, generation = report.Generation,
                badLines = report.BadLines.Select(e => e.ToString()), problems = report.Problems, dropped = report.Dropped, unreadModalities = report.UnreadModalities, seconds = report.Seconds,
            }, JsonOutput.Options));
            else Console.WriteLine(TerminalText.Escape($"indexed {report.Indexed} items into {report.Index} ({report.Items} items, generation {report.Generation}, {report.Seconds:F1} s)"
                + (report.Dropped.Count + report.BadLines.Count > 0 ? $"; {report.BadLines.Count} bad lines, {report.Dropped.Count} items left out" : "")));
            if (manifest.Items.Count == 0) return ExitCodes.BadInput;
            return report.BadLines.Count + report.Dropped.Count > 0 ? ExitCodes.SomeInputRejected : ExitCodes.Ok;
        });
        return command;
    }
}
