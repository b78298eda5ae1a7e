using System.CommandLine;
using System.Text.Json;
using Affect.Search.Cli.Output;
using Affect.Search.Engine.Search;
using Affect.Search.Evaluation.Classification;
using Affect.Search.Index;
using Spectre.Console;

namespace Affect.Search.Cli.Commands;

/// <summary>
/// `affect classify`: predicts a label kind (emotion by default) for a new item from its joint embedding, with a
/// logistic regression fitted on the labelled items of the index (the paper's Section VI).
/// </summary>
internal static class ClassifyCommand
{
    public static Command Create()
    {
        var text = new Option<string?>("--text") { Description = "the item's text" };
        var image = new Option<FileInfo?>("--image") { Description = "the item's image" };
        var audio = new Option<FileInfo?>("--audio") { Description = "the item's audio" };
        var video = new Option<FileInfo?>("--video") { Description = "the item's video" };
        var kind = new Option<string>("--kind") { Description = "label kind to predict (emotion, sentiment, concept, ...)", DefaultValueFactory = _ => "emotion" };
        var top = new Option<int>("--top") { Description = "labels shown", DefaultValueFactory = _ => 3 };
        var index = IndexLocation.IndexOption();
        var model = IndexLocation.ModelOption();
        var backend = new Option<string?>("--backend") { Description = BackendChoice.Description };
        var json = new Option<bool>("--json") { Description = "print JSON" };
        var command = new Command("classify", "predict an item's emotion (or another label kind) from its joint representation") { text, image, audio, video, kind, top, index, model, backend, json };
        command.SetAction(parse =>
        {
            var query = new Query(parse.GetValue(text), parse.GetValue(image)?.FullName, parse.GetValue(audio)?.FullName, parse.GetValue(video)?.FullName, "item");
            if (query.IsEmpty) throw new ArgumentException("nothing to classify: give --text, --image, --audio or --video (any combination)");
            if (parse.GetValue(top) <= 0) throw new ArgumentException("--top must be positive");
            using var computeBackend = BackendChoice.Create(parse.GetValue(backend));
            var (opened, folder) = IndexLocation.Open(parse.GetValue(index)!, parse.GetValue(model), computeBackend);
            using var _ = opened;
            using var __ = folder;
            using var engine = new QueryEngine(folder, opened);
            var classifier = LabelClassifier.Fit(opened.ViewContents(IndexViews.Full), parse.GetValue(kind)!);
            var (embedding, modalities, warnings) = engine.EmbedQuery(query);
            foreach (var w in warnings) TerminalText.WriteError(w);
            var predictions = classifier.Predict(embedding).Take(parse.GetValue(top)).ToList();
            if (parse.GetValue(json))
            {
                Console.WriteLine(JsonSerializer.Serialize(new { kind = classifier.Kind, modalities, trainingItems = classifier.TrainingItems, l2 = classifier.L2, classes = classifier.Classes, predictions, warnings }, JsonOutput.Options));
                return ExitCodes.Ok;
            }
            var table = new Table().Title($"{Markup.Escape(TerminalText.Escape(classifier.Kind))} from {modalities}")
                .Caption($"logistic regression on {classifier.TrainingItems} indexed items, L2 {classifier.L2:G2} (cross-validated)");
            table.AddColumn("label");
            table.AddColumn(new TableColumn("probability").RightAligned());
            foreach (var p in predictions) table.AddRow(Markup.Escape(TerminalText.Escape(p.Label)), p.Probability.ToString("F3"));
            StdoutTable.Write(table);
            return ExitCodes.Ok;
        });
        return command;
    }
}
