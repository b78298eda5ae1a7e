using System.Text.Json;
using Affect.Search.Compute.Cpu;
using Affect.Search.Engine;
using Affect.Search.Engine.Indexing;
using Affect.Search.Engine.Search;
using Affect.Search.Evaluation.Benchmark;
using Affect.Search.Evaluation.Report;
using Affect.Search.Features.Corpus;
using Affect.Search.Index;
using Affect.Search.Model.Configuration;
using Affect.Search.Tests.Shared;

namespace Affect.Search.Evaluation.Tests.Benchmark;

/// <summary>
/// The whole evaluation end to end on the tiny generated corpus (three emotion classes, every modality case):
/// two learned systems over two seeds, the baselines, emotion prediction, the report, and the index mode
/// agreeing with the benchmark on the same model.
/// </summary>
public sealed class BenchmarkRunTests : IClassFixture<BenchmarkRunTests.Run>
{
    private readonly Run _run;

    public BenchmarkRunTests(Run run) => _run = run;

    public sealed class Run : IDisposable
    {
        public Run()
        {
            Corpus = new EmotionTestCorpus();
            BenchmarkTestCorpus.WriteSplit(Corpus);
            var config = DbmConfig.FromJson(EmotionTestCorpus.SmallBatchCpuConfig);
            Options = new BenchmarkOptions
            {
                Learned = [new("E-MDBM", "cpu", config), new("E-MDBM short", "cpu", config with { Pretraining = config.Pretraining with { Epochs = 3 } })],
                Seeds = [1, 2],
                Cells = [.. RetrievalCell.PaperTables, new("all", "full")],
                PredictionRepeats = 3,
                ModelsFolder = Path.Combine(Corpus.Folder, "models"),
                ScratchFolder = Path.Combine(Corpus.Folder, "scratch"),
                JointEpochs = 2,
            };
            Result = BenchmarkRun.Run(Corpus.Folder, Options, CpuBackend.CreateBest);
            ReportPath = BenchmarkReport.Write(Result, Path.Combine(Corpus.Folder, "report"));
        }

        public EmotionTestCorpus Corpus { get; }
        public BenchmarkOptions Options { get; }
        public BenchmarkResult Result { get; }
        public string ReportPath { get; }

        public void Dispose() => Corpus.Dispose();
    }

    private CellScore Score(string system, string cell, ulong seed = 1, string relevance = "labels")
        => _run.Result.Scores.Single(s => s.System == system && s.Cell == RetrievalCell.Parse(cell).Name && s.Seed == (system == "Random" ? 0 : seed) && s.Relevance == relevance);

    [Fact]
    public void Learned_systems_beat_the_random_ranking_within_and_across_modalities()
    {
        foreach (var cell in new[] { "T->full", "VA->full", "TVA->full", "T->V", "V->T" })
            Assert.True(Score("E-MDBM", cell).MapAt20 > Score("Random", cell).MapAt20 + 0.15, $"{cell}: {Score("E-MDBM", cell).MapAt20} vs random {Score("Random", cell).MapAt20}");
    }

    [Fact]
    public void Baselines_score_only_the_cells_they_can_compare()
    {
        var scores = _run.Result.Scores;
        bool Has(string system, string cell) => scores.Any(s => s.System == system && s.Cell == RetrievalCell.Parse(cell).Name);
        Assert.True(Has("Jaccard (text)", "T->full"));
        Assert.True(Has("BM25 (text)", "T->T"));
        Assert.False(Has("Jaccard (text)", "V->T"));  // no words on the query side
        Assert.False(Has("BM25 (text)", "T->V"));     // no words on the database side
        Assert.True(Has("Early fusion", "VA->full"));
        Assert.False(Has("Early fusion", "V->T"));    // no low-level block in common
        Assert.True(Has("CCA", "T->V"));              // the cross-modal baseline
        // Text matching finds the class words (each class has its own five; a filler word is shared).
        Assert.True(Score("Jaccard (text)", "T->T").MapAt20 > Score("Random", "T->T").MapAt20 + 0.3);
        Assert.True(Score("BM25 (text)", "T->T").MapAt20 > Score("Random", "T->T").MapAt20 + 0.3);
    }

    [Fact]
    public void Every_learned_figure_exists_for_every_seed_and_queries_are_counted_per_cell()
    {
        var r = _run.Result;
        foreach (var system in new[] { "E-MDBM", "E-MDBM short" })
            Assert.Equal(new ulong[] { 1, 2 }, r.Scores.Where(s => s.System == system && s.Cell == "T->DB-full" && s.Relevance == "labels").Select(s => s.Seed).Order());
        // 15 query lines; text-only queries cannot ask a visual cell and silent videos cannot ask a text cell.
        Assert.Equal(15, r.Corpus.QueriesByCell["all->DB-full"]);
        Assert.True(r.Corpus.QueriesByCell["TVA->DB-full"] < r.Corpus.QueriesByCell["T->DB-full"]);
        Assert.Equal(4, r.Models.Count);
        Assert.All(r.Models, m => Assert.True(File.Exists(Path.Combine(m.Folder!, ModelFolder.ModelFileName))));
        Assert.Equal(4, r.Models.Select(m => m.Folder).Distinct().Count());
        // The per-category breakdown covers the three emotion classes.
        Assert.Equal(["calm", "fear", "joy"], Score("E-MDBM", "TVA->full", relevance: "emotion").Categories.Keys.Order());
    }

    [Fact]
    public void Emotion_prediction_is_measured_on_the_joint_and_the_low_level_representations()
    {
        var p = _run.Result.Predictions.Where(x => x.Kind == "emotion").ToList();
        Assert.Contains(p, x => x.Representation == BenchmarkRun.FusedInputs);
        Assert.Equal(2, p.Count(x => x.Representation == "E-MDBM"));
        foreach (var x in p)
        {
            Assert.Equal(["calm", "fear", "joy"], x.Result.Classes);
            Assert.True(x.Result.MeanAccuracy > 0.6, $"{x.Representation}: {x.Result.MeanAccuracy}");
        }
    }

    [Fact]
    public void The_report_has_the_tables_plots_results_and_trec_files()
    {
        var folder = Path.GetDirectoryName(_run.ReportPath)!;
        var md = File.ReadAllText(_run.ReportPath);
        Assert.Contains("Table IV", md);
        Assert.Contains("Table V", md);
        Assert.Contains("AP@20 = (1 / min(R, 20))", md);
        Assert.Contains("Emotion prediction", md);
        foreach (var image in System.Text.RegularExpressions.Regex.Matches(md, @"!\[[^\]]*\]\(([^)]+)\)").Select(m => m.Groups[1].Value))
            Assert.True(File.Exists(Path.Combine(folder, image)), image);
        Assert.NotEmpty(Directory.GetFiles(folder, "*.svg"));
        using var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(folder, "results.json")));
        Assert.True(json.RootElement.GetProperty("scores").GetArrayLength() > 0);
        // The machine facts that can move the figures are recorded next to them.
        var environment = json.RootElement.GetProperty("environment");
        Assert.StartsWith("OpenBLAS", environment.GetProperty("OpenBLAS").GetString());
        Assert.Contains(" threads", environment.GetProperty("OpenBLAS").GetString());
        Assert.StartsWith("ffmpeg version ", environment.GetProperty("ffmpeg").GetString());
        Assert.Contains("| environment | |", md);

        // qrels hold exactly R relevant documents per query, and run files hold the evaluated top 20.
        var qrels = File.ReadAllLines(Path.Combine(folder, "trec", "qrels.t-db-full.txt")).Select(l => l.Split(' ')).ToList();
        var relevance = RelevanceDefinition.Labels;
        var references = ManifestReader.Read(Path.Combine(_run.Corpus.Folder, BenchmarkCorpus.ReferenceFile)).Items.Where(i => i.Text is not null || true).ToList();
        var query = qrels[0][0];
        var queryItem = ManifestReader.Read(Path.Combine(_run.Corpus.Folder, BenchmarkCorpus.QueryFile)).Items.Single(i => i.Id == query);
        Assert.Equal(references.Count(r => relevance.IsRelevant(queryItem.Labels, r.Labels)), qrels.Count(l => l[0] == query));
        var run = File.ReadAllLines(Path.Combine(folder, "trec", "e-mdbm.t-db-full.run")).Select(l => l.Split(' ')).ToList();
        Assert.Equal(Math.Min(20, references.Count), run.Count(l => l[0] == query));
    }

    [Fact]
    public void Systems_are_listed_learned_first_then_the_fusion_with_bm25_then_the_baselines()
        => Assert.Equal(["E-MDBM", "E-MDBM short", "E-MDBM + BM25", "Jaccard (text)", "BM25 (text)", "Early fusion", "CCA", "Random"], _run.Result.Systems);

    [Fact]
    public void The_fusion_with_bm25_is_the_joint_ranking_alone_without_query_text_or_text_in_the_database()
    {
        foreach (var seed in new ulong[] { 1, 2 })
        {
            foreach (var cell in new[] { "V->T", "VA->full", "T->V", "T->VA" })
                Assert.Equal(Score("E-MDBM", cell, seed).MapAt20, Score("E-MDBM + BM25", cell, seed).MapAt20);
            // With text on both sides it is a different ranking, and BM25 finds the class words.
            Assert.True(Score("E-MDBM + BM25", "T->T", seed).MapAt20 > Score("Random", "T->T").MapAt20 + 0.3);
        }
        Assert.Equal(2, _run.Result.Scores.Count(s => s.System == "E-MDBM + BM25" && s.Cell == "T->DB-full" && s.Relevance == "labels"));
    }

    [Fact]
    public void Hubness_is_measured_for_every_ranked_system_and_seed_and_reported()
    {
        foreach (var s in _run.Result.Scores.Where(s => s.Queries > 0))
        {
            if (s.System == "Random") { Assert.True(double.IsNaN(s.Hubness.HubShare)); continue; }
            // The most frequent of n references fills at least its average share of the lists, the ten most frequent at least 10 / n of the slots.
            Assert.InRange(s.Hubness.HubShare, Math.Min(20, s.References) / (double)s.References - 1e-9, 1.0);
            Assert.InRange(s.Hubness.TopTenSlotShare, Math.Min(1.0, 10.0 / s.References) - 1e-9, 1.0);
        }
        var summary = new BenchmarkSummary(_run.Result).Get("E-MDBM", RetrievalCell.Parse("T->full"), "labels")!;
        Assert.Equal(2, summary.HubShare.Seeds);
        var md = File.ReadAllText(_run.ReportPath);
        Assert.Contains("## Hubness", md);
        Assert.Contains("Top-10 slot share", md);
        using var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(Path.GetDirectoryName(_run.ReportPath)!, "results.json")));
        var first = json.RootElement.GetProperty("scores").EnumerateArray().First(e => e.GetProperty("system").GetString() == "E-MDBM");
        Assert.True(first.GetProperty("hubness").GetProperty("hubShare").GetDouble() > 0);
    }

    [Fact]
    public void The_fusion_with_bm25_ranks_as_the_engines_hybrid_search_on_an_index_of_the_same_model()
    {
        using var indexed = new IndexedReferences(_run, "hybrid-index");
        using var engine = new QueryEngine(indexed.Model, indexed.Index);
        var queries = ManifestReader.Read(Path.Combine(_run.Corpus.Folder, BenchmarkCorpus.QueryFile)).Items.ToDictionary(i => i.Id);
        var run = _run.Result.Runs.Single(r => r.System == "E-MDBM + BM25" && r.Seed == 1 && r.Cell.Name == "T->DB-full");
        Assert.NotEmpty(run.Queries);
        foreach (var (queryId, ranked) in run.Queries)
        {
            var hybrid = engine.Search(new Query(Text: queries[queryId].Text), new SearchOptions { Hybrid = true, K = 20 }).Results.Select(r => r.Id).ToList();
            // The index's vector search rounds differently from the benchmark's cosine, so near-equal items (the generated
            // corpus has look-alikes) may swap places; the lists hold the same items.
            Assert.True(hybrid.Intersect(ranked).Count() >= ranked.Count - 2, $"{queryId}: engine [{string.Join(", ", hybrid)}], benchmark [{string.Join(", ", ranked)}]");
        }
    }

    [Fact]
    public void Evaluating_an_index_built_with_a_benchmark_model_gives_the_benchmark_figures()
    {
        using var indexed = new IndexedReferences(_run, "index");
        var (model, index) = (indexed.Model, indexed.Index);
        var cells = new[] { RetrievalCell.Parse("T->full"), RetrievalCell.Parse("V->VA"), RetrievalCell.Parse("all->full") };
        var evaluated = IndexEvaluation.Run(index, model, ManifestReader.Read(Path.Combine(_run.Corpus.Folder, BenchmarkCorpus.QueryFile)), cells, RelevanceDefinition.Standard);
        foreach (var cell in cells)
        {
            var fromIndex = evaluated.Result.Scores.Single(s => s.System == IndexEvaluation.SystemName && s.Cell == cell.Name && s.Relevance == "labels");
            var fromBenchmark = Score("E-MDBM", cell.Name.Replace("DB-", ""));
            Assert.Equal(fromBenchmark.Queries, fromIndex.Queries);
            Assert.Equal(fromBenchmark.References, fromIndex.References);
            Assert.Equal(fromBenchmark.MapAt20, fromIndex.MapAt20, 3);
        }
    }

    /// <summary>The references indexed with the seed-1 E-MDBM model of the run, in a folder of the corpus.</summary>
    private sealed class IndexedReferences : IDisposable
    {
        private readonly IDisposable _backend;

        public IndexedReferences(Run run, string folderName)
        {
            var backend = CpuBackend.CreateBest();
            _backend = backend;
            Model = ModelFolder.Load(run.Result.Models.First(m => m.System == "E-MDBM" && m.Seed == 1).Folder!, backend);
            var folder = Path.Combine(run.Corpus.Folder, folderName);
            Indexer.Run(ManifestReader.Read(Path.Combine(run.Corpus.Folder, BenchmarkCorpus.ReferenceFile)), Model, folder, new IndexingOptions());
            Index = MultimodalIndex.Open(folder);
        }

        public ModelFolder Model { get; }
        public MultimodalIndex Index { get; }

        public void Dispose()
        {
            Index.Dispose();
            Model.Dispose();
            _backend.Dispose();
        }
    }
}
