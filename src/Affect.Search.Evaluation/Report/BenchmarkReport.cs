using System.Globalization;
using System.Text;
using System.Text.Json;
using Affect.Search.Evaluation.Benchmark;
using Affect.Search.Evaluation.Report.Charts;
using Affect.Search.Evaluation.Retrieval;
using Affect.Search.Evaluation.Trec;

namespace Affect.Search.Evaluation.Report;

/// <summary>
/// Writes a benchmark run as a report folder: <c>report.md</c> (the tables, the definitions and the plots),
/// the plots as SVG, <c>results.json</c> (every per-seed figure), and TREC run and qrels files under
/// <c>trec/</c> so the rankings can be checked with standard tools.
/// </summary>
public static class BenchmarkReport
{
    /// <summary>The report's markdown file name.</summary>
    public const string FileName = "report.md";

    /// <summary>Writes the report into <paramref name="folder"/> and returns the path of the markdown file.</summary>
    public static string Write(BenchmarkResult result, string folder)
    {
        // Figures are written with a decimal point whatever the machine's culture.
        var culture = CultureInfo.CurrentCulture;
        CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;
        try { return WriteInvariant(result, folder); }
        finally { CultureInfo.CurrentCulture = culture; }
    }

    private static string WriteInvariant(BenchmarkResult result, string folder)
    {
        Directory.CreateDirectory(folder);
        var summary = new BenchmarkSummary(result);
        var md = new StringBuilder();
        var headline = RelevanceDefinition.Labels.Name;
        var systems = result.Systems;
        var c = result.Corpus;
        var learned = result.Models.Select(m => m.System).Distinct().ToList();

        md.AppendLine(c.IsValidation ? "# Retrieval and emotion prediction benchmark: validation split" : "# Retrieval and emotion prediction benchmark").AppendLine();
        if (c.IsValidation)
            md.AppendLine($"**Validation split.** The references and queries below are held out of `{BenchmarkCorpus.TrainFile}` (chosen by a hash of each item's id); " +
                $"the models and baselines were fitted on the remaining training items, and `{BenchmarkCorpus.ReferenceFile}` and `{BenchmarkCorpus.QueryFile}` were not read. " +
                "These figures are for choosing settings, not the corpus's test figures.").AppendLine();
        string extra = c.ExtraTraining > 0 ? $" ({c.ExtraTraining} of them from {string.Join(", ", c.ExtraTrainingManifests.Select(m => $"`{Shown(m)}`"))}, training only)" : "";
        md.AppendLine($"Corpus `{Shown(c.Folder)}`: {c.Train} training items{extra} (used without labels), {c.References} {(c.IsValidation ? "validation " : "")}reference items (the database), {c.Queries} {(c.IsValidation ? "validation " : "")}queries; {c.Problems} items or lines had problems (see the run's log). ");
        md.AppendLine($"Learned systems ({string.Join(", ", learned)}) were trained with seeds {string.Join(", ", result.Seeds)}; each learned figure is **mean ± sample standard deviation over the seeds**. " +
            "Baselines do not depend on the seed; their spread comes only from the seeded tie-breaking. `Random` is the exact expectation of a uniformly random ranking.").AppendLine();
        md.AppendLine("**Metrics** (spec section 5). For a query with R relevant items in the database, AP@20 = (1 / min(R, 20)) · Σ_{k=1..20} P(k) · rel(k); MAP@20 is its mean over the queries. " +
            "P@20 = relevant results in the top 20 / 20; recall@20 = relevant results in the top 20 / R. A query with R = 0 scores 0 on all three and still counts. " +
            "Equal scores are ordered by a seeded random permutation of the references, so a system that cannot tell items apart scores the random expectation. " +
            "Items a system cannot score (no words in common, no text) are ranked last.").AppendLine();
        md.AppendLine($"**Relevance.** `{headline}` (the headline): a reference is relevant when it shares an emotion or a concept label with the query; " +
            "`emotion`, `sentiment`, `concept`: a shared label of that kind only (queries without such a label are not asked). Query views: T text, V visual, A audio, " +
            "VA video (needs the visual modality, uses audio when present), TVA multimodal (needs text and visual). Databases: DB-full (every item with all it has), " +
            "DB-T / DB-V / DB-A / DB-VA (items with that modality, represented by it alone).").AppendLine();

        var evaluated = result.Scores.Select(s => new RetrievalCell(s.Query, s.Database)).Distinct().ToHashSet();
        md.AppendLine("## All cells: MAP@20 (rows: query -> database)").AppendLine();
        md.Append("| cell | queries | references | ").AppendJoin(" | ", systems).AppendLine(" |");
        md.Append("|---|---:|---:|").Append(string.Concat(systems.Select(_ => "---:|"))).AppendLine();
        foreach (var (cell, figures) in Headline(result))
            md.Append($"| {cell.Name} | {c.QueriesByCell.GetValueOrDefault(cell.Name)} | {c.ReferencesByCell.GetValueOrDefault(cell.Name)} | ").AppendJoin(" | ", figures).AppendLine(" |");
        md.AppendLine();

        WriteHubness(md, summary, systems, result.Scores.Select(s => new RetrievalCell(s.Query, s.Database)).Distinct().ToList(), headline);

        if (RetrievalCell.VideoRetrieval.Any(evaluated.Contains))
        {
            md.AppendLine("## Video retrieval (the paper's Table IV): MAP@20").AppendLine();
            CellTable(md, summary, systems, RetrievalCell.VideoRetrieval, headline, s => s.MapAt20);
            md.AppendLine("P@20 and recall@20 of the same cells:").AppendLine();
            CellTable(md, summary, systems, RetrievalCell.VideoRetrieval, headline, s => s.PrecisionAt20, "P@20 ");
            CellTable(md, summary, systems, RetrievalCell.VideoRetrieval, headline, s => s.RecallAt20, "R@20 ");
        }
        if (RetrievalCell.CrossModal.Any(evaluated.Contains))
        {
            md.AppendLine("## Cross-modal retrieval (the paper's Table V): MAP@20").AppendLine();
            foreach (var q in new[] { "T", "V", "A" })
            {
                md.AppendLine($"Query {Describe(q)}:").AppendLine();
                CellTable(md, summary, systems, RetrievalCell.CrossModal.Where(x => x.Query == q).ToList(), headline, s => s.MapAt20);
            }
        }

        md.AppendLine("## MAP@20 by relevance definition").AppendLine();
        md.AppendLine("The same rankings judged by one label kind at a time.").AppendLine();
        foreach (var cell in new[] { new RetrievalCell("TVA", "full"), new RetrievalCell("T", "V") }.Where(evaluated.Contains).DefaultIfEmpty(evaluated.First()).Distinct())
        {
            md.AppendLine($"{cell.Name}:").AppendLine();
            RelevanceTable(md, summary, systems, cell, result.Scores.Select(s => s.Relevance).Distinct().ToList());
        }

        md.AppendLine("## Per category (the paper's Table VI)").AppendLine();
        var categoryCells = new[] { ("emotion", new RetrievalCell("TVA", "full")), ("emotion", new RetrievalCell("VA", "full")), ("sentiment", new RetrievalCell("TVA", "full")) }
            .Where(x => evaluated.Contains(x.Item2)).ToList();
        if (categoryCells.Count == 0) categoryCells = evaluated.SelectMany(cell => new[] { ("emotion", cell), ("sentiment", cell) }).ToList();
        foreach (var (kind, cell) in categoryCells)
        {
            var rows = systems.Select(s => summary.Get(s, cell, kind)).Where(s => s is not null).Select(s => s!).ToList();
            var categories = rows.SelectMany(r => r.Categories.Keys).Distinct().OrderBy(k => k, StringComparer.Ordinal).ToList();
            if (categories.Count == 0) continue;
            md.AppendLine($"MAP@20 per `{kind}` category, {cell.Name} (relevance: a shared {kind} label):").AppendLine();
            md.Append("| category | queries | ").AppendJoin(" | ", rows.Select(r => r.System)).AppendLine(" |");
            md.Append("|---|---:|").Append(string.Concat(rows.Select(_ => "---:|"))).AppendLine();
            foreach (var cat in categories)
            {
                int n = rows.Select(r => r.Categories.TryGetValue(cat, out var x) ? x.Queries : 0).Max();
                md.Append($"| {cat} | {n} | ").AppendJoin(" | ", rows.Select(r => r.Categories.TryGetValue(cat, out var x) ? x.Map.Format() : "n/a")).AppendLine(" |");
            }
            md.AppendLine();
            var file = $"category-{kind}-{Slug(cell.Name)}.svg";
            File.WriteAllText(Path.Combine(folder, file), BarChart.Svg($"MAP@20 per {kind} category, {cell.Name}", "MAP@20", categories,
                rows.Select(r => new Series(r.System, categories.Select(k => r.Categories.TryGetValue(k, out var x) ? x.Map.Mean : double.NaN).ToList(),
                    categories.Select(k => r.Categories.TryGetValue(k, out var x) ? x.Map.Deviation : 0).ToList())).ToList()));
            md.AppendLine($"![MAP@20 per {kind} category, {cell.Name}]({file})").AppendLine();
        }

        md.AppendLine("## Precision at k").AppendLine();
        var curveCells = new[] { new RetrievalCell("T", "full"), new RetrievalCell("VA", "full"), new RetrievalCell("T", "V") }.Where(evaluated.Contains).ToList();
        foreach (var cell in curveCells.Count > 0 ? curveCells : evaluated.ToList())
        {
            var rows = systems.Select(s => summary.Get(s, cell, headline)).Where(s => s is not null).Select(s => s!).ToList();
            if (rows.Count == 0) continue;
            var file = $"precision-at-k-{Slug(cell.Name)}.svg";
            File.WriteAllText(Path.Combine(folder, file), LineChart.Svg($"Precision at k, {cell.Name}", "k", "P@k",
                Enumerable.Range(1, RetrievalMetrics.CutOff).Select(k => (double)k).ToList(),
                rows.Select(r => new Series(r.System, r.PrecisionAtK.Select(p => p.Mean).ToList(), r.PrecisionAtK.Select(p => p.Deviation).ToList())).ToList()));
            md.AppendLine($"![Precision at k, {cell.Name}]({file})").AppendLine();
        }

        if (result.Predictions.Count > 0) WritePrediction(md, result, folder);
        WriteRun(md, result, headline);

        WriteTrec(result, Path.Combine(folder, "trec"));
        File.WriteAllText(Path.Combine(folder, "results.json"), Json(result));
        var path = Path.Combine(folder, FileName);
        File.WriteAllText(path, md.ToString());
        return path;
    }

    private static void WritePrediction(StringBuilder md, BenchmarkResult result, string folder)
    {
        md.AppendLine("## Emotion prediction (the paper's Section VI)").AppendLine();
        md.AppendLine("Multinomial logistic regression (L2, standardised inputs) on each representation of every labelled item (all splits), " +
            $"accuracy over {result.Predictions.FirstOrDefault()?.Result.Repeats ?? 0} seeded stratified train/test splits (30% of each class held out). " +
            "Each split's L2 strength is chosen by 5-fold cross-validated log-loss on that split's training items alone (the same grid for every representation); " +
            "the table gives the median strength chosen. " +
            "For the learned representations the figure is the mean over training seeds of the mean accuracy, ± the spread over the training seeds.").AppendLine();
        md.AppendLine("| representation | label kind | classes | items | accuracy | majority class | L2 (median) |").AppendLine("|---|---|---:|---:|---:|---:|---:|");
        foreach (var g in result.Predictions.GroupBy(p => (p.Representation, p.Kind)))
        {
            var first = g.First().Result;
            md.AppendLine($"| {g.Key.Representation} | {g.Key.Kind} | {first.Classes.Count} | {first.Items} | {Spread.Of(g.Select(p => p.Result.MeanAccuracy)).Format()} | {first.MajorityAccuracy:F3} | {Median(g.SelectMany(p => p.Result.Strengths)):G3} |");
        }
        md.AppendLine();
        foreach (var p in result.Predictions.Where(p => p.Seed == result.Seeds[0] || p.Representation == BenchmarkRun.FusedInputs)
                     .GroupBy(p => (p.Representation, p.Kind)).Select(g => g.First()))
        {
            var file = $"confusion-{Slug(p.Kind)}-{Slug(p.Representation)}.svg";
            File.WriteAllText(Path.Combine(folder, file), Heatmap.ConfusionSvg($"{p.Kind}: {p.Representation} (seed {p.Seed}), summed over {p.Result.Repeats} splits", p.Result.Classes, p.Result.Confusion));
            md.AppendLine($"![confusion matrix, {p.Kind}, {p.Representation}]({file})").AppendLine();
        }

    }

    private static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToArray();
        return sorted.Length == 0 ? double.NaN : sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[sorted.Length / 2 - 1] + sorted[sorted.Length / 2]) / 2;
    }

    private static void WriteHubness(StringBuilder md, BenchmarkSummary summary, IReadOnlyList<string> systems, IReadOnlyList<RetrievalCell> cells, string headline)
    {
        var ranked = systems.Where(s => cells.Any(c => summary.Get(s, c, headline) is { HubShare.Seeds: > 0 })).ToList();
        if (ranked.Count == 0) return;
        md.AppendLine("## Hubness").AppendLine();
        md.AppendLine("Whether a few references fill every query's top 20 (mean-field inference can pull all text-only queries into one joint state). " +
            $"**Hub share**: the share of a cell's queries (those asked under `{headline}`) whose top 20 contains the single most frequent reference; " +
            $"**top-10 slot share**: the share of all top-20 slots filled by the {Hubness.FrequentReferences} most frequent references. " +
            "Both are averaged over the seeds like MAP@20; high values mean one state answers every query.").AppendLine();
        md.AppendLine("Hub share:").AppendLine();
        CellTable(md, summary, ranked, cells, headline, s => s.HubShare);
        md.AppendLine("Top-10 slot share:").AppendLine();
        CellTable(md, summary, ranked, cells, headline, s => s.TopTenSlotShare);
    }

    private static void WriteRun(StringBuilder md, BenchmarkResult result, string headline)
    {
        var c = result.Corpus;
        md.AppendLine("## Run").AppendLine();
        if (result.Models.Count > 0)
        {
            md.AppendLine("| model | seed | parameters | training + evaluation (s) | folder |").AppendLine("|---|---:|---:|---:|---|");
            foreach (var m in result.Models) md.AppendLine($"| {m.System} ({m.Preset}) | {m.Seed} | {m.Parameters:N0} | {m.Seconds:F1} | {m.Folder ?? "not kept"} |");
            md.AppendLine();
        }
        if (result.Seconds.Count > 0)
        {
            md.AppendLine("| stage | seconds |").AppendLine("|---|---:|");
            foreach (var (stage, s) in result.Seconds) md.AppendLine($"| {stage} | {s:F1} |");
            md.AppendLine();
        }
        if (result.Environment.Count > 0)
        {
            // What may differ on another machine for the same code, corpus and seeds (README: "What may differ across machines").
            md.AppendLine("| environment | |").AppendLine("|---|---|");
            foreach (var (name, value) in result.Environment) md.AppendLine($"| {name} | {value.Replace("|", "\\|")} |");
            md.AppendLine();
        }
        if (result.CanonicalCorrelations.Count > 0)
            md.AppendLine($"CCA canonical correlations on the training pairs (first 5): {string.Join(", ", result.CanonicalCorrelations.Take(5).Select(x => x.ToString("F3")))}.").AppendLine();
        md.AppendLine($"Queries and references per cell: {string.Join("; ", c.QueriesByCell.Select(kv => $"{kv.Key} {kv.Value} / {c.ReferencesByCell[kv.Key]}"))}.").AppendLine();
        md.AppendLine($"TREC files (`trec/`): `qrels.<cell>.txt` under the `{headline}` relevance, and `<system>.<cell>.run` with the top 20 of seed {result.Seeds[0]}; " +
            "the score column falls strictly with rank, so `trec_eval -m map_cut.20` re-sorts nothing (note that trec_eval divides AP by R, not by min(R, 20)).").AppendLine();
    }

    /// <summary>The headline MAP@20 rows (Tables IV and V) as (cell, system -> formatted figure), for a console table.</summary>
    public static IReadOnlyList<(RetrievalCell Cell, IReadOnlyList<string> Figures)> Headline(BenchmarkResult result)
    {
        var summary = new BenchmarkSummary(result);
        var cells = result.Scores.Select(s => new RetrievalCell(s.Query, s.Database)).Distinct().ToList();
        return cells.Select(cell => (cell, (IReadOnlyList<string>)result.Systems
            .Select(s => summary.Get(s, cell, RelevanceDefinition.Labels.Name)?.MapAt20.Format() ?? "—").ToList())).ToList();
    }

    private static void CellTable(StringBuilder md, BenchmarkSummary summary, IReadOnlyList<string> systems, IReadOnlyList<RetrievalCell> cells, string relevance,
        Func<SummaryScore, Spread> figure, string prefix = "")
    {
        md.Append("| system | ").AppendJoin(" | ", cells.Select(c => prefix + c.Name)).AppendLine(" |");
        md.Append("|---|").Append(string.Concat(cells.Select(_ => "---:|"))).AppendLine();
        foreach (var s in systems)
        {
            var row = cells.Select(c => summary.Get(s, c, relevance) is { } x ? figure(x).Format() : "—").ToList();
            if (row.All(x => x == "—")) continue;
            md.Append($"| {s} | ").AppendJoin(" | ", row).AppendLine(" |");
        }
        md.Append("| queries / references | ").AppendJoin(" | ", cells.Select(c => summary.Get("Random", c, relevance) is { } r ? $"{r.Queries} / {r.References}" : "")).AppendLine(" |");
        md.AppendLine();
    }

    private static void RelevanceTable(StringBuilder md, BenchmarkSummary summary, IReadOnlyList<string> systems, RetrievalCell cell, IReadOnlyList<string> relevance)
    {
        md.Append("| system | ").AppendJoin(" | ", relevance).AppendLine(" |");
        md.Append("|---|").Append(string.Concat(relevance.Select(_ => "---:|"))).AppendLine();
        foreach (var s in systems)
        {
            var row = relevance.Select(r => summary.Get(s, cell, r)?.MapAt20.Format() ?? "—").ToList();
            if (row.All(x => x == "—")) continue;
            md.Append($"| {s} | ").AppendJoin(" | ", row).AppendLine(" |");
        }
        md.Append("| queries | ").AppendJoin(" | ", relevance.Select(r => summary.Get("Random", cell, r)?.Queries.ToString() ?? "")).AppendLine(" |");
        md.AppendLine();
    }

    private static void WriteTrec(BenchmarkResult result, string folder)
    {
        Directory.CreateDirectory(folder);
        foreach (var (cell, qrels) in result.Qrels)
        {
            using var writer = new StreamWriter(Path.Combine(folder, $"qrels.{Slug(cell.Name)}.txt"));
            TrecFormat.WriteQrels(writer, qrels.Select(q => (q.QueryId, (IEnumerable<string>)q.Relevant)));
        }
        foreach (var run in result.Runs)
        {
            using var writer = new StreamWriter(Path.Combine(folder, $"{Slug(run.System)}.{Slug(run.Cell.Name)}.run"));
            TrecFormat.WriteRun(writer, Slug(run.System), run.Queries.Select(q => (q.QueryId, q.Ranked)));
        }
    }

    private static string Json(BenchmarkResult result) => JsonSerializer.Serialize(new
    {
        split = result.Corpus.Split,
        corpus = result.Corpus,
        systems = result.Systems,
        seeds = result.Seeds,
        scores = result.Scores,
        predictions = result.Predictions.Select(p => new
        {
            representation = p.Representation, kind = p.Kind, seed = p.Seed, classes = p.Result.Classes, items = p.Result.Items, repeats = p.Result.Repeats,
            meanAccuracy = p.Result.MeanAccuracy, accuracySpread = p.Result.AccuracySpread, accuracies = p.Result.Accuracies,
            majorityAccuracy = p.Result.MajorityAccuracy, l2 = p.Result.Strengths, confusion = Jagged(p.Result.Confusion),
        }),
        models = result.Models,
        canonicalCorrelations = result.CanonicalCorrelations,
        seconds = result.Seconds,
        environment = result.Environment.ToDictionary(e => e.Key, e => e.Value),
    }, JsonOptions);

    /// <summary>The JSON conventions of results files: camelCase, indented, NaN allowed.</summary>
    public static readonly JsonSerializerOptions JsonOptions = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        WriteIndented = true,
        NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    private static int[][] Jagged(int[,] m) => Enumerable.Range(0, m.GetLength(0)).Select(i => Enumerable.Range(0, m.GetLength(1)).Select(j => m[i, j]).ToArray()).ToArray();

    // A path below the working folder is shown relative to it, so that reports of different checkouts compare.
    internal static string Shown(string path)
    {
        var relative = Path.GetRelativePath(Environment.CurrentDirectory, path);
        return relative.StartsWith("..", StringComparison.Ordinal) || Path.IsPathRooted(relative) ? path : relative;
    }

    private static string Describe(string view) => view switch { "T" => "text (T)", "V" => "visual (V)", "A" => "audio (A)", _ => view };

    private static string Slug(string text) => BenchmarkRun.FileName(text);
}
