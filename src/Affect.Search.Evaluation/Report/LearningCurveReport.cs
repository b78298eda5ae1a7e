using System.Globalization;
using System.Text;
using System.Text.Json;
using Affect.Search.Evaluation.Benchmark;
using Affect.Search.Evaluation.Report.Charts;
using Affect.Search.Evaluation.Retrieval;

namespace Affect.Search.Evaluation.Report;

/// <summary>
/// The report of a <see cref="LearningCurve"/>: <c>learning-curve.md</c> (per cell, MAP@20 of every system against the
/// number of training items; emotion prediction likewise), one SVG chart per cell and <c>learning-curve.json</c>.
/// </summary>
public static class LearningCurveReport
{
    /// <summary>Writes the report into <paramref name="folder"/> and returns the markdown file's path.</summary>
    public static string Write(IReadOnlyList<LearningCurvePoint> points, string folder)
    {
        ArgumentNullException.ThrowIfNull(points);
        if (points.Count == 0) throw new ArgumentException("no points to report", nameof(points));
        var culture = CultureInfo.CurrentCulture;
        CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;
        try { return WriteInvariant(points, folder); }
        finally { CultureInfo.CurrentCulture = culture; }
    }

    private static string WriteInvariant(IReadOnlyList<LearningCurvePoint> points, string folder)
    {
        Directory.CreateDirectory(folder);
        var headline = RelevanceDefinition.Labels.Name;
        var summaries = points.Select(p => new BenchmarkSummary(p.Result)).ToList();
        var first = points[0].Result;
        var cells = first.Scores.Where(s => s.Relevance == headline).Select(s => new RetrievalCell(s.Query, s.Database)).Distinct().ToList();
        var learned = first.Models.Select(m => m.System).Distinct().ToList();
        var md = new StringBuilder();
        md.AppendLine("# Learning curve: retrieval and emotion prediction against the number of unlabelled training items").AppendLine();
        var c = points[^1].Result.Corpus;
        md.AppendLine($"Corpus `{BenchmarkReport.Shown(c.Folder)}`: {c.References} {(c.IsValidation ? "validation " : "")}reference items and {c.Queries} {(c.IsValidation ? "validation " : "")}queries, the same at every point. " +
            $"Training items: nested subsets of {c.Train} ({c.ExtraTraining} of them from {(c.ExtraTrainingManifests.Count == 0 ? "no further manifest" : string.Join(", ", c.ExtraTrainingManifests.Select(m => $"`{BenchmarkReport.Shown(m)}`")))}): " +
            "the corpus's own training items first, then the further items, each in a seeded random order, so every subset holds the smaller ones. " +
            "Features were extracted once, the feature space (vocabulary, codebooks) learned on all training items; each learned system and each fitted baseline (CCA, early fusion) saw only its point's subset. " +
            $"Learned systems ({string.Join(", ", learned)}) were trained with seeds {string.Join(", ", first.Seeds)}: mean ± sd over the seeds. " +
            $"Relevance `{headline}` (a shared emotion or concept label). Training seconds per point are in the JSON.").AppendLine();

        foreach (var cell in cells)
        {
            var systems = first.Systems.Where(s => summaries.Any(m => m.Get(s, cell, headline) is { MapAt20.Seeds: > 0 })).ToList();
            if (systems.Count == 0) continue;
            md.AppendLine($"## {cell.Name}: MAP@20").AppendLine();
            md.AppendLine("| training items | of them further | " + string.Join(" | ", systems) + " |");
            md.AppendLine("|---:|---:|" + string.Concat(systems.Select(_ => "---:|")));
            for (int i = 0; i < points.Count; i++)
                md.AppendLine($"| {points[i].TrainingItems} | {points[i].ExtraTrainingItems} | " +
                    string.Join(" | ", systems.Select(s => summaries[i].Get(s, cell, headline)?.MapAt20.Format() ?? "—")) + " |");
            md.AppendLine();
            var plotted = systems.Where(s => s != "Random").ToList();
            var series = plotted.Select(s => new Series(s,
                summaries.Select(m => m.Get(s, cell, headline)?.MapAt20.Mean ?? double.NaN).ToList(),
                summaries.Select(m => m.Get(s, cell, headline)?.MapAt20.Deviation ?? double.NaN).ToList())).ToList();
            var file = $"learning-curve-{BenchmarkRun.FileName(cell.Name)}.svg";
            File.WriteAllText(Path.Combine(folder, file), LineChart.Svg($"{cell.Name}: MAP@20 against training items", "training items", "MAP@20",
                points.Select(p => (double)p.TrainingItems).ToList(), series));
            md.AppendLine($"![MAP@20 of {cell.Name} against training items]({file})").AppendLine();
        }

        var kinds = points.SelectMany(p => p.Result.Predictions).Select(p => (p.Representation, p.Kind)).Distinct().ToList();
        if (kinds.Count > 0)
        {
            md.AppendLine("## Emotion prediction: accuracy").AppendLine();
            md.AppendLine("Logistic regression on each representation, as in the benchmark report (the fused input features do not depend on the training items).").AppendLine();
            md.AppendLine("| training items | " + string.Join(" | ", kinds.Select(k => $"{k.Representation} ({k.Kind})")) + " |");
            md.AppendLine("|---:|" + string.Concat(kinds.Select(_ => "---:|")));
            foreach (var p in points)
                md.AppendLine($"| {p.TrainingItems} | " + string.Join(" | ", kinds.Select(k =>
                    Spread.Of(p.Result.Predictions.Where(x => x.Representation == k.Representation && x.Kind == k.Kind).Select(x => x.Result.MeanAccuracy)).Format())) + " |");
            md.AppendLine();
        }

        var path = Path.Combine(folder, "learning-curve.md");
        File.WriteAllText(path, md.ToString());
        File.WriteAllText(Path.Combine(folder, "learning-curve.json"), Json(points, summaries, cells, headline));
        return path;
    }

    /// <summary>The figures as JSON (also what `affect eval --learning-curve --json` prints).</summary>
    public static string Json(IReadOnlyList<LearningCurvePoint> points)
    {
        var summaries = points.Select(p => new BenchmarkSummary(p.Result)).ToList();
        var headline = RelevanceDefinition.Labels.Name;
        var cells = points.Count == 0 ? [] : points[0].Result.Scores.Where(s => s.Relevance == headline).Select(s => new RetrievalCell(s.Query, s.Database)).Distinct().ToList();
        return Json(points, summaries, cells, headline);
    }

    private static string Json(IReadOnlyList<LearningCurvePoint> points, IReadOnlyList<BenchmarkSummary> summaries, IReadOnlyList<RetrievalCell> cells, string headline)
        => JsonSerializer.Serialize(new
        {
            relevance = headline,
            points = points.Select((p, i) => new
            {
                trainingItems = p.TrainingItems,
                extraTrainingItems = p.ExtraTrainingItems,
                seconds = p.Result.Seconds,
                map = cells.ToDictionary(cell => cell.Name, cell => p.Result.Systems
                    .Select(s => (s, score: summaries[i].Get(s, cell, headline)))
                    .Where(x => x.score is { MapAt20.Seeds: > 0 })
                    .ToDictionary(x => x.s, x => new { mean = x.score!.MapAt20.Mean, sd = x.score.MapAt20.Deviation, seeds = x.score.MapAt20.Seeds })),
                prediction = p.Result.Predictions.GroupBy(x => (x.Representation, x.Kind)).Select(g => new
                {
                    representation = g.Key.Representation,
                    kind = g.Key.Kind,
                    accuracy = Spread.Of(g.Select(x => x.Result.MeanAccuracy)).Mean,
                    sd = Spread.Of(g.Select(x => x.Result.MeanAccuracy)).Deviation,
                }),
            }),
        }, BenchmarkReport.JsonOptions);
}
