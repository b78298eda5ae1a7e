using System.Text.Json;
using Affect.Search.Compute.Cpu;
using Affect.Search.Evaluation.Benchmark;
using Affect.Search.Evaluation.Report;
using Affect.Search.Features.Corpus;
using Affect.Search.Model.Configuration;
using Affect.Search.Tests.Shared;

namespace Affect.Search.Evaluation.Tests.Benchmark;

/// <summary>
/// The benchmark in validation mode on the generated corpus: two learned systems reading different features over
/// one extraction, evaluated on items held out of train.jsonl, and the same figures after reference.jsonl and
/// queries.jsonl were replaced (they are never read in this mode).
/// </summary>
public sealed class ValidationRunTests : IClassFixture<ValidationRunTests.Runs>
{
    private readonly Runs _runs;

    public ValidationRunTests(Runs runs) => _runs = runs;

    public sealed class Runs : IDisposable
    {
        public Runs()
        {
            Corpus = new EmotionTestCorpus();
            BenchmarkTestCorpus.WriteSplit(Corpus);
            var full = DbmConfig.FromJson(EmotionTestCorpus.SmallBatchCpuConfig);
            // The first system reads no audio, the second does: the extraction must cover both.
            var withoutAudio = full with { Name = "no-audio", Modalities = full.Modalities.Where(m => m.Name != "audio").ToList() };
            Options = new BenchmarkOptions
            {
                Learned = [new("No audio", "no-audio", withoutAudio), new("E-MDBM", "cpu", full)],
                Seeds = [1],
                Cells = [.. RetrievalCell.VideoRetrieval, new("T", "V"), new("all", "full")],
                PredictionRepeats = 2,
                ScratchFolder = Path.Combine(Corpus.Folder, "scratch"),
                PretrainingEpochs = 10,
                JointEpochs = 1,
                Validation = new ValidationSplit(),
            };
            First = BenchmarkRun.Run(Corpus.Folder, Options, CpuBackend.CreateBest);
            ReportPath = BenchmarkReport.Write(First, Path.Combine(Corpus.Folder, "report"));
            // Other (valid) query and reference files: the validation figures must not move.
            var lines = File.ReadAllLines(Corpus.Manifest);
            File.WriteAllLines(Path.Combine(Corpus.Folder, BenchmarkCorpus.QueryFile), lines.Take(4));
            File.WriteAllLines(Path.Combine(Corpus.Folder, BenchmarkCorpus.ReferenceFile), lines.Skip(4).Take(5));
            Second = BenchmarkRun.Run(Corpus.Folder, Options, CpuBackend.CreateBest);
            Items = ManifestReader.Read(Path.Combine(Corpus.Folder, BenchmarkCorpus.TrainFile)).Items;
        }

        public EmotionTestCorpus Corpus { get; }
        public BenchmarkOptions Options { get; }
        public BenchmarkResult First { get; }
        public BenchmarkResult Second { get; }
        public string ReportPath { get; }
        public IReadOnlyList<ManifestItem> Items { get; }

        public void Dispose() => Corpus.Dispose();
    }

    private HashSet<string> IdsOf(ValidationRole role) => _runs.Options.Validation!.Select(_runs.Items, role).Select(i => i.Id).ToHashSet();

    [Fact]
    public void Queries_and_references_are_the_held_out_training_items_and_the_summary_counts_them()
    {
        var c = _runs.First.Corpus;
        Assert.Equal(ValidationSplit.Name, c.Split);
        Assert.True(c.IsValidation);
        var (queries, references) = (IdsOf(ValidationRole.Query), IdsOf(ValidationRole.Reference));
        Assert.NotEmpty(queries);
        Assert.NotEmpty(references);
        Assert.Equal(queries.Count, c.Queries);
        Assert.Equal(references.Count, c.References);
        Assert.Equal(_runs.Items.Count - queries.Count - references.Count, c.Train);
        Assert.Equal(queries.Count, c.QueriesByCell["all->DB-full"]);
        Assert.Equal(references.Count, c.ReferencesByCell["all->DB-full"]);
        foreach (var run in _runs.First.Runs)
            foreach (var (query, ranked) in run.Queries)
            {
                Assert.Contains(query, queries);
                Assert.All(ranked, r => Assert.Contains(r, references));
            }
    }

    [Fact]
    public void Training_labels_judge_relevance_on_the_validation_items()
    {
        var (_, qrels) = _runs.First.Qrels.Single(q => q.Cell == new RetrievalCell("all", "full"));
        Assert.Equal(IdsOf(ValidationRole.Query).Count, qrels.Count);
        Assert.Contains(qrels, q => q.Relevant.Count > 0);
        var random = _runs.First.Scores.Single(s => s.System == "Random" && s.Cell == "all->DB-full" && s.Relevance == "labels");
        Assert.True(random.MapAt20 > 0);
    }

    [Fact]
    public void Reference_and_query_files_are_not_read_in_validation_mode()
    {
        static IEnumerable<string> Figures(BenchmarkResult r) => r.Scores.Select(s => $"{s.System} {s.Seed} {s.Cell} {s.Relevance} {s.Queries} {s.References} {s.MapAt20:R} {s.PrecisionAt20:R} {s.RecallAt20:R}");
        Assert.Equal(Figures(_runs.First), Figures(_runs.Second));
        Assert.Equal(_runs.First.Corpus with { QueriesByCell = null!, ReferencesByCell = null! }, _runs.Second.Corpus with { QueriesByCell = null!, ReferencesByCell = null! });
    }

    [Fact]
    public void Two_learned_systems_reading_different_features_are_trained_in_the_given_order()
    {
        var r = _runs.First;
        Assert.Equal(["No audio", "E-MDBM"], r.Systems.Take(2));
        Assert.Equal(["No audio", "E-MDBM"], r.Models.Select(m => m.System));
        Assert.Contains(r.Scores, s => s.System == "No audio" && s.Cell == "T->DB-V");
        Assert.Contains(r.Scores, s => s.System == "E-MDBM" && s.Cell == "T->DB-V");
    }

    [Fact]
    public void The_report_and_results_say_they_are_on_the_validation_split()
    {
        var md = File.ReadAllText(_runs.ReportPath);
        Assert.StartsWith("# Retrieval and emotion prediction benchmark: validation split", md);
        Assert.Contains("were not read", md);
        using var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(Path.GetDirectoryName(_runs.ReportPath)!, "results.json")));
        Assert.Equal("validation", json.RootElement.GetProperty("split").GetString());
        Assert.Equal("validation", json.RootElement.GetProperty("corpus").GetProperty("split").GetString());
    }
}
