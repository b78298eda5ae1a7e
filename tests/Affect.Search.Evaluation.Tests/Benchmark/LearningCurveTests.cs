using System.Text.Json;
using Affect.Search.Compute.Cpu;
using Affect.Search.Evaluation.Benchmark;
using Affect.Search.Evaluation.Report;
using Affect.Search.Model.Configuration;
using Affect.Search.Tests.Shared;

namespace Affect.Search.Evaluation.Tests.Benchmark;

/// <summary>The learning curve on the generated corpus plus a further manifest: one benchmark per training size, the evaluation items fixed.</summary>
public sealed class LearningCurveTests : IDisposable
{
    private readonly EmotionTestCorpus _corpus = new();

    public void Dispose() => _corpus.Dispose();

    [Fact]
    public void Each_point_trains_on_its_nested_subset_and_the_report_plots_every_cell()
    {
        BenchmarkTestCorpus.WriteSplit(_corpus);
        var extra = Path.Combine(_corpus.Folder, "extra.jsonl");
        File.WriteAllLines(extra, File.ReadLines(_corpus.Manifest).Take(3).Select((line, i) => BenchmarkTestCorpus.WithId(line, $"extra-{i}")));
        int own = File.ReadLines(_corpus.Manifest).Count();
        var options = new BenchmarkOptions
        {
            Learned = [new("E-MDBM", "cpu", DbmConfig.FromJson(EmotionTestCorpus.SmallBatchCpuConfig))],
            Seeds = [1],
            Cells = LearningCurve.DefaultCells,
            PredictionRepeats = 2,
            ScratchFolder = Path.Combine(_corpus.Folder, "scratch"),
            PretrainingEpochs = 3,
            JointEpochs = 1,
            ExtraTraining = [extra],
        };

        var points = LearningCurve.Run(_corpus.Folder, options, [own - 4, own, LearningCurve.AllItems], CpuBackend.CreateBest);

        Assert.Equal([own - 4, own, own + 3], points.Select(p => p.TrainingItems));
        Assert.Equal([0, 0, 3], points.Select(p => p.ExtraTrainingItems));
        Assert.Equal(points.Select(p => p.TrainingItems), points.Select(p => p.Result.Corpus.Train));
        Assert.All(points, p => Assert.Equal(points[0].Result.Corpus.Queries, p.Result.Corpus.Queries));
        Assert.All(points, p => Assert.Equal(points[0].Result.Corpus.References, p.Result.Corpus.References));
        Assert.All(points, p => Assert.Contains(p.Result.Scores, s => s.System == "E-MDBM" && s.Query == "T" && s.Database == "V"));

        var report = LearningCurveReport.Write(points, Path.Combine(_corpus.Folder, "curve"));
        var md = File.ReadAllText(report);
        foreach (var cell in LearningCurve.DefaultCells)
        {
            Assert.Contains($"## {cell.Name}: MAP@20", md);
            Assert.True(File.Exists(Path.Combine(_corpus.Folder, "curve", $"learning-curve-{BenchmarkRun.FileName(cell.Name)}.svg")), cell.Name);
        }
        Assert.Contains($"| {own + 3} | 3 |", md);
        using var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(_corpus.Folder, "curve", "learning-curve.json")));
        var last = json.RootElement.GetProperty("points")[2];
        Assert.Equal(own + 3, last.GetProperty("trainingItems").GetInt32());
        Assert.True(last.GetProperty("map").GetProperty("T->DB-V").TryGetProperty("E-MDBM", out _));

        Assert.Throws<ArgumentException>(() => LearningCurve.Run(_corpus.Folder, options, [own, own - 1], CpuBackend.CreateBest));
        Assert.Throws<ArgumentException>(() => LearningCurve.Run(_corpus.Folder, options, [own + 100], CpuBackend.CreateBest));
    }
}
