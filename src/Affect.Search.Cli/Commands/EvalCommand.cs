using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Affect.Search.Cli.Output;
using Affect.Search.Evaluation.Benchmark;
using Affect.Search.Evaluation.Report;
using Affect.Search.Features.Corpus;
using Affect.Search.Index;
using Affect.Search.Model.Configuration;
using Spectre.Console;

namespace Affect.Search.Cli.Commands;

/// <summary>
/// `affect eval`: MAP@20, P@20 and recall@20 as the paper measures them. With --queries and --index it evaluates an
/// index as deployed; with --corpus it runs the whole benchmark (learned systems over several training seeds,
/// the paper's baselines, emotion prediction) and writes the report.
/// </summary>
internal static class EvalCommand
{
    public static Command Create()
    {
        var corpus = new Option<DirectoryInfo?>("--corpus") { Description = "benchmark mode: a corpus folder with train.jsonl, reference.jsonl and queries.jsonl (tools/build-corpus.sh)" };
        var queries = new Option<FileInfo?>("--queries") { Description = "index mode: labelled query manifest (JSON Lines)" };
        var index = IndexLocation.IndexOption();
        var model = IndexLocation.ModelOption();
        var db = new Option<string[]>("--db") { Description = "index mode: database view(s): full, T, V, A, VA (default full)" };
        var queryView = new Option<string>("--query-view") { Description = "index mode: what the queries keep: all, T, V, A, VA, TVA", DefaultValueFactory = _ => RetrievalCell.AllModalities };
        var cells = new Option<string[]>("--cells") { Description = "benchmark mode: cells QUERY->DATABASE (default: the paper's Tables IV and V)" };
        var seeds = new Option<string>("--seeds") { Description = "benchmark mode: training seeds, comma-separated (at least 3 for a spread)", DefaultValueFactory = _ => "1,2,3" };
        var jointEpochs = new Option<int?>("--joint-epochs") { Description = "benchmark mode: override the presets' joint PCD epochs" };
        var pretrainingEpochs = new Option<int?>("--pretraining-epochs") { Description = "benchmark mode: override the presets' pretraining epochs" };
        var repeats = new Option<int>("--repeats") { Description = "benchmark mode: train/test splits of the emotion prediction", DefaultValueFactory = _ => 10 };
        var config = new Option<FileInfo?>("--config") { Description = "benchmark mode: a JSON model configuration for the E-MDBM instead of the cpu preset" };
        var learned = new Option<string>("--learned") { Description = "benchmark mode: learned systems to train, comma-separated: e-mdbm (the default preset, or --config), e-mdbm-cpu (the old cpu preset, for comparison), mdbm (mdbm-cpu)", DefaultValueFactory = _ => "e-mdbm,e-mdbm-cpu,mdbm" };
        var system = new Option<string[]>("--system")
        {
            Description = "benchmark mode: a learned system NAME=SPEC to train, repeatable, in table order; SPEC is a preset (" + string.Join(", ", Presets.Names)
                + ") or a JSON model configuration file, e.g. --system \"E-MDBM=cpu\" --system \"wide M20=wide.json\" (instead of --learned and --config)",
        };
        var validation = new Option<bool>("--validation") { Description = "benchmark mode: evaluate on a validation split held out of train.jsonl (25%, half references, half queries) and fit on the rest; reference.jsonl and queries.jsonl are not read" };
        var validationSeed = new Option<ulong>("--validation-seed") { Description = "benchmark mode: the seed choosing the validation items", DefaultValueFactory = _ => 1 };
        var trainExtra = new Option<FileInfo[]>("--train-extra") { Description = "benchmark mode: a further manifest whose items join the training items only (e.g. data/extended/train.jsonl), repeatable; references and queries do not change" };
        var learningCurve = new Option<string?>("--learning-curve") { Description = "benchmark mode: the benchmark at these numbers of training items, comma-separated and ascending, \"all\" for every one (nested subsets, the corpus's own items first, then --train-extra's; e.g. 1436,3000,6000,all); trains the default preset unless --system or --learned says otherwise; report in artifacts/learning-curve" };
        var models = new Option<string?>("--models") { Description = "benchmark mode: where to keep the trained models (default: <report>/models)" };
        var report = new Option<string?>("--report") { Description = "write the report (markdown, SVG plots, results.json, TREC files) to this folder (benchmark mode default: artifacts/eval)" };
        var backend = new Option<string?>("--backend") { Description = BackendChoice.Description };
        var json = new Option<bool>("--json") { Description = "print the figures as JSON on standard output" };
        var command = new Command("eval", "evaluate retrieval (MAP@20, P@20, recall@20) on labelled queries, or run the whole benchmark")
            { corpus, queries, index, model, db, queryView, cells, seeds, config, learned, system, validation, validationSeed, trainExtra, learningCurve, jointEpochs, pretrainingEpochs, repeats, models, report, backend, json };
        command.SetAction(parse =>
        {
            BenchmarkResult result;
            string? reportFolder = parse.GetValue(report);
            if (parse.GetValue(corpus) is { } corpusFolder)
            {
                if (parse.GetValue(queries) is not null) throw new ArgumentException("give either --corpus (benchmark) or --queries with --index, not both");
                reportFolder ??= Path.Combine("artifacts", "eval");
                var options = new BenchmarkOptions
                {
                    Learned = parse.GetValue(system) is { Length: > 0 } specs
                        ? parse.GetValue(config) is null && parse.GetResult(learned) is null or { Implicit: true }
                            ? specs.Select(ParseSystem).ToList()
                            : throw new ArgumentException("give the learned systems either with --system or with --learned and --config, not both")
                        : LearnedSystems(parse.GetValue(learned)!, parse.GetValue(config)),
                    Validation = parse.GetValue(validation) ? new ValidationSplit(Seed: parse.GetValue(validationSeed)) : null,
                    Seeds = ParseSeeds(parse.GetValue(seeds)!),
                    Cells = parse.GetValue(cells) is { Length: > 0 } c ? c.Select(RetrievalCell.Parse).ToList() : RetrievalCell.PaperTables,
                    JointEpochs = parse.GetValue(jointEpochs),
                    PretrainingEpochs = parse.GetValue(pretrainingEpochs),
                    PredictionRepeats = parse.GetValue(repeats) is var r and > 0 ? r : throw new ArgumentException("--repeats must be positive"),
                    ModelsFolder = parse.GetValue(models) ?? Path.Combine(reportFolder, "models"),
                    ExtraTraining = (parse.GetValue(trainExtra) ?? []).Select(f => f.Exists ? f.FullName : throw new FileNotFoundException($"--train-extra: no manifest at '{f.FullName}'")).ToList(),
                };
                if (parse.GetValue(learningCurve) is { } curve)
                    return RunLearningCurve(corpusFolder.FullName, options, ParseSizes(curve), parse.GetValue(report) ?? Path.Combine("artifacts", "learning-curve"),
                        parse.GetValue(backend), parse.GetValue(json),
                        defaultSystems: parse.GetValue(system) is not { Length: > 0 } && parse.GetResult(learned) is null or { Implicit: true } && parse.GetValue(config) is null,
                        defaultCells: parse.GetValue(cells) is not { Length: > 0 });
                result = StderrProgress.Run("benchmark", task => BenchmarkRun.Run(corpusFolder.FullName, options, () => BackendChoice.Create(parse.GetValue(backend)),
                    p =>
                    {
                        task.Description = Markup.Escape(p.Total > 0 ? $"{p.Stage} {p.Done}/{p.Total}" : p.Stage);
                        task.MaxValue = Math.Max(1, p.Total);
                        task.Value = p.Done;
                    },
                    problem => StderrProgress.Console.MarkupLine($"[yellow]{Markup.Escape(TerminalText.Escape(problem))}[/]")));
            }
            else if (parse.GetValue(queries) is { } queryFile)
            {
                var manifest = ManifestReader.Read(queryFile.FullName);
                var views = parse.GetValue(db) is { Length: > 0 } d ? d.Select(IndexViews.Parse).ToList() : [IndexViews.Full];
                var view = parse.GetValue(queryView)!;
                using var computeBackend = BackendChoice.Create(parse.GetValue(backend));
                var (opened, folder) = IndexLocation.Open(parse.GetValue(index)!, parse.GetValue(model), computeBackend);
                using var _ = opened;
                using var __ = folder;
                var evaluation = StderrProgress.Run($"evaluate {manifest.Items.Count} queries", task =>
                {
                    task.IsIndeterminate = true;
                    var e = IndexEvaluation.Run(opened, folder, manifest, views.Select(v => RetrievalCell.Parse($"{view}->{v}")).ToList(), RelevanceDefinition.Standard);
                    task.IsIndeterminate = false;
                    task.Value = task.MaxValue;
                    return e;
                });
                foreach (var p in evaluation.Problems) TerminalText.WriteError(p);
                result = evaluation.Result;
            }
            else throw new ArgumentException("give --corpus DIR (the whole benchmark) or --queries FILE with --index DIR");

            string? reportPath = reportFolder is null ? null : BenchmarkReport.Write(result, reportFolder);
            if (parse.GetValue(json))
            {
                Console.WriteLine(JsonSerializer.Serialize(new
                {
                    metric = "MAP@20",
                    relevance = RelevanceDefinition.Labels.Name,
                    split = result.Corpus.Split,
                    report = reportPath,
                    corpus = result.Corpus,
                    systems = result.Systems,
                    seeds = result.Seeds,
                    summary = new BenchmarkSummary(result).Scores.Select(s => new
                    {
                        system = s.System, cell = s.Cell.Name, query = s.Cell.Query, database = s.Cell.Database, relevance = s.Relevance, queries = s.Queries,
                        references = s.References, mapAt20 = s.MapAt20, precisionAt20 = s.PrecisionAt20, recallAt20 = s.RecallAt20,
                        hubShare = s.HubShare, topTenSlotShare = s.TopTenSlotShare,
                    }),
                    predictions = result.Predictions.GroupBy(p => (p.Representation, p.Kind)).Select(g => new
                    {
                        representation = g.Key.Representation, kind = g.Key.Kind, accuracy = Spread.Of(g.Select(p => p.Result.MeanAccuracy)),
                        majority = g.First().Result.MajorityAccuracy,
                    }),
                    models = result.Models,
                }, JsonOutput.Options));
                return ExitCodes.Ok;
            }
            PrintTable(result);
            if (reportPath is not null) Console.WriteLine($"report: {reportPath}");
            return ExitCodes.Ok;
        });
        return command;
    }

    private static int RunLearningCurve(string corpus, BenchmarkOptions options, IReadOnlyList<int> sizes, string reportFolder, string? backendName, bool json, bool defaultSystems, bool defaultCells)
    {
        if (defaultSystems) options = options with { Learned = [new("E-MDBM", Presets.Default)] };
        if (defaultCells) options = options with { Cells = LearningCurve.DefaultCells };
        options = options with { ModelsFolder = Path.Combine(reportFolder, "models") };
        var points = StderrProgress.Run("learning curve", task => LearningCurve.Run(corpus, options, sizes, () => BackendChoice.Create(backendName),
            p =>
            {
                task.Description = Markup.Escape(p.Total > 0 ? $"{p.Stage} {p.Done}/{p.Total}" : p.Stage);
                task.MaxValue = Math.Max(1, p.Total);
                task.Value = p.Done;
            },
            problem => StderrProgress.Console.MarkupLine($"[yellow]{Markup.Escape(TerminalText.Escape(problem))}[/]")));
        var reportPath = LearningCurveReport.Write(points, reportFolder);
        if (json)
        {
            Console.WriteLine(LearningCurveReport.Json(points));
            return ExitCodes.Ok;
        }
        foreach (var point in points)
        {
            Console.WriteLine($"{point.TrainingItems} training items ({point.ExtraTrainingItems} from further manifests):");
            PrintTable(point.Result);
        }
        Console.WriteLine($"report: {reportPath}");
        return ExitCodes.Ok;
    }

    private static IReadOnlyList<int> ParseSizes(string text)
        => text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)
            .Select(s => s.Equals("all", StringComparison.OrdinalIgnoreCase) ? LearningCurve.AllItems
                : int.TryParse(s, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n > 0 ? n
                : throw new ArgumentException($"--learning-curve: '{s}' is not a number of training items (a positive whole number, or all)"))
            .ToList();

    /// <summary>The MAP@20 table on standard output: one row per cell, one column per system.</summary>
    public static void PrintTable(BenchmarkResult result)
    {
        var split = result.Corpus.IsValidation ? "VALIDATION split (held out of train.jsonl), " : "";
        var table = new Table().Title($"MAP@20 ({split}relevance: shared emotion or concept label; {(result.Seeds.Count > 1 ? $"mean ± sd over seeds {string.Join(",", result.Seeds)}" : "one run")})");
        table.AddColumn("query -> database");
        table.AddColumn(new TableColumn("queries").RightAligned());
        foreach (var s in result.Systems) table.AddColumn(new TableColumn(Markup.Escape(s)).RightAligned());
        foreach (var (cell, figures) in BenchmarkReport.Headline(result))
            table.AddRow([Markup.Escape(cell.Name), result.Corpus.QueriesByCell.GetValueOrDefault(cell.Name).ToString(), .. figures.Select(Markup.Escape)]);
        StdoutTable.Write(table);
        foreach (var g in result.Predictions.GroupBy(p => (p.Representation, p.Kind)))
            Console.WriteLine($"emotion prediction, {g.Key.Kind} from {g.Key.Representation}: accuracy {Spread.Of(g.Select(p => p.Result.MeanAccuracy)).Format()} (majority class {g.First().Result.MajorityAccuracy:F3})");
    }

    /// <summary>A --system value NAME=SPEC: SPEC is a preset name or the path of a JSON model configuration.</summary>
    internal static LearnedSystem ParseSystem(string text)
    {
        int equals = text.IndexOf('=');
        if (equals <= 0 || equals == text.Length - 1) throw new ArgumentException($"--system '{text}': expected NAME=SPEC, SPEC a preset ({string.Join(", ", Presets.Names)}) or a JSON configuration file");
        var (name, spec) = (text[..equals].Trim(), text[(equals + 1)..].Trim());
        if (Presets.Names.Contains(spec)) return new LearnedSystem(name, spec);
        if (!File.Exists(spec)) throw new ArgumentException($"--system '{text}': '{spec}' is neither a preset ({string.Join(", ", Presets.Names)}) nor a file");
        var config = DbmConfig.FromJson(File.ReadAllText(spec));
        return new LearnedSystem(name, config.Name, config);
    }

    private static IReadOnlyList<LearnedSystem> LearnedSystems(string names, FileInfo? config)
    {
        var eMdbmConfig = config is null ? null : DbmConfig.FromJson(File.ReadAllText(config.FullName));
        return names.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Distinct().Select(n => n.ToLowerInvariant() switch
        {
            "e-mdbm" => new LearnedSystem("E-MDBM", eMdbmConfig?.Name ?? Presets.Default, eMdbmConfig),
            "e-mdbm-cpu" => new LearnedSystem("E-MDBM (cpu)", "cpu"),
            "mdbm" => new LearnedSystem("MDBM", "mdbm-cpu"),
            _ => throw new ArgumentException($"--learned: unknown system '{n}' (e-mdbm, e-mdbm-cpu, mdbm)"),
        }).ToList();
    }

    private static IReadOnlyList<ulong> ParseSeeds(string text)
    {
        var seeds = text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(s => ulong.TryParse(s, out var v) ? v : throw new ArgumentException($"--seeds: '{s}' is not a seed (a non-negative integer)")).Distinct().ToList();
        return seeds.Count > 0 ? seeds : throw new ArgumentException("--seeds: give at least one seed");
    }
}
