using Affect.Search.Cli.Output;
using Affect.Search.Engine;
using Affect.Search.Engine.Corpus;
using Affect.Search.Features.Corpus;
using Affect.Search.Features.Decoding;
using Affect.Search.Model.Configuration;
using Affect.Search.Model.Data;
using Spectre.Console;

namespace Affect.Search.Cli.Commands;

/// <summary>Reads a manifest and featurizes it with progress on standard error, reporting every bad line and problem there.</summary>
internal static class CorpusInput
{
    /// <summary>One or more manifests as one training set (e.g. a corpus and the extended unlabelled corpus); a repeated id is reported and left out.</summary>
    public static MultimodalDataset LearnAndFeaturize(IReadOnlyList<string> manifestPaths, DbmConfig config, string modelFolder)
    {
        var manifests = manifestPaths.Select(path => ManifestReader.Read(path)).ToList();
        foreach (var m in manifests)
            foreach (var error in m.Errors) TerminalText.WriteError($"{m.Path}: {error}");
        var manifest = manifests.Count == 1 ? manifests[0] : new Manifest(string.Join(", ", manifests.Select(m => m.Path)),
            ManifestReader.CombineItems(manifests, onDuplicate: (m, item) => TerminalText.WriteError($"{m.Path}: line {item.Line} ({item.Id}): left out, an earlier manifest has an item with this id")),
            []);
        var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(Console.Error) });
        CorpusReport report = null!;
        MultimodalDataset data = null!;
        console.Progress().AutoClear(false)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn())
            .Start(ctx =>
            {
                var extract = ctx.AddTask("learn codebooks, then extract features", maxValue: manifest.Items.Count);
                var (space, featurized, r) = CorpusFeaturizer.LearnAndFeaturize(manifest, config, new MediaDecoder(),
                    onProblem: p => console.MarkupLine($"[yellow]{Markup.Escape(TerminalText.Escape(p))}[/]"), onProgress: p => extract.Value = p.Done);
                Directory.CreateDirectory(modelFolder);
                space.Save(Path.Combine(modelFolder, ModelFolder.FeatureSpaceFileName));
                (data, report) = (featurized, r);
            });
        foreach (var (id, problem) in report.Problems) TerminalText.WriteError($"item {id}: {problem}");
        foreach (var id in report.Dropped) TerminalText.WriteError($"item {id}: left out, no usable modality");
        foreach (var (modality, count) in report.UnreadModalities)
            TerminalText.WriteError($"configuration '{config.Name}' has no {modality} pathway: the {modality} input of {count} item{(count == 1 ? "" : "s")} is not used");
        if (report.UnknownWords > 0)
            TerminalText.WriteError($"{report.UnknownWords} word occurrences outside the vocabulary, e.g. {string.Join(", ", report.CommonUnknownWords.Take(10))}");
        return data;
    }
}
