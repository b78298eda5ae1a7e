using System.Diagnostics;
using Affect.Search.Compute;
using Affect.Search.Engine;
using Affect.Search.Engine.Corpus;
using Affect.Search.Engine.Embedding;
using Affect.Search.Evaluation.Baselines;
using Affect.Search.Evaluation.Classification;
using Affect.Search.Features.Corpus;
using Affect.Search.Features.Decoding;
using Affect.Search.Model.Configuration;
using Affect.Search.Model.Data;
using Affect.Search.Model.Training;

namespace Affect.Search.Evaluation.Benchmark;

/// <summary>A learned system of the benchmark: a display name and the preset it trains (or an explicit configuration, <paramref name="Preset"/> then names it).</summary>
public sealed record LearnedSystem(string Name, string Preset, DbmConfig? Config = null);

/// <summary>What a whole benchmark run does.</summary>
public sealed record BenchmarkOptions
{
    /// <summary>The learned systems: the E-MDBM (default preset), the old cpu preset's E-MDBM, and the MDBM baseline at the cpu size.</summary>
    public IReadOnlyList<LearnedSystem> Learned { get; init; } = [new("E-MDBM", Presets.Default), new("E-MDBM (cpu)", "cpu"), new("MDBM", "mdbm-cpu")];

    /// <summary>Training seeds; every learned figure is a mean and spread over them.</summary>
    public IReadOnlyList<ulong> Seeds { get; init; } = [1, 2, 3];

    /// <summary>Cells evaluated.</summary>
    public IReadOnlyList<RetrievalCell> Cells { get; init; } = RetrievalCell.PaperTables;

    /// <summary>Relevance definitions; the first is the headline one.</summary>
    public IReadOnlyList<RelevanceDefinition> Relevance { get; init; } = RelevanceDefinition.Standard;

    /// <summary>Label kinds predicted in the emotion prediction experiment.</summary>
    public IReadOnlyList<string> PredictedKinds { get; init; } = ["emotion", "sentiment"];

    /// <summary>Repeated train/test splits of the emotion prediction experiment.</summary>
    public int PredictionRepeats { get; init; } = 10;

    /// <summary>Share of each class held out for testing in each split.</summary>
    public double PredictionTestFraction { get; init; } = 0.3;

    /// <summary>Where the trained models are written (one folder per system and seed), or null to keep none.</summary>
    public string? ModelsFolder { get; init; }

    /// <summary>Scratch space (BM25's Lucene indexes).</summary>
    public string ScratchFolder { get; init; } = Path.Combine(Path.GetTempPath(), "affect-eval");

    /// <summary>Override of the presets' joint PCD epochs (e.g. 0 in quick tests).</summary>
    public int? JointEpochs { get; init; }

    /// <summary>Override of the presets' pretraining epochs (e.g. in quick tests).</summary>
    public int? PretrainingEpochs { get; init; }

    /// <summary>
    /// When set, the run never reads reference.jsonl or queries.jsonl: it evaluates on a validation split carved out
    /// of the training items and fits everything on the rest (for choosing model settings); null evaluates the
    /// corpus's own queries against its references.
    /// </summary>
    public ValidationSplit? Validation { get; init; }

    /// <summary>
    /// Feature families: when the extracted features cover more than one, early fusion and CCA are fitted and
    /// reported per family (<see cref="BaselineSystems.Families"/>).
    /// </summary>
    public IReadOnlyList<FeatureSet> FeatureSets { get; init; } = [FeatureSet.LowLevel, FeatureSet.Deep];

    /// <summary>
    /// Further manifests whose items join the training split only (unlabelled data for the learned systems and the
    /// baselines' statistics alike); the references and queries never change.
    /// </summary>
    public IReadOnlyList<string> ExtraTraining { get; init; } = [];
}

/// <summary>Progress of a benchmark run: the stage and how far it is.</summary>
public sealed record BenchmarkProgress(string Stage, int Done, int Total);

/// <summary>A model the run trained.</summary>
public sealed record TrainedModel(string System, string Preset, ulong Seed, string? Folder, long Parameters, double Seconds);

/// <summary>The emotion prediction result of one representation, label kind and seed.</summary>
public sealed record PredictionScore(string Representation, string Kind, ulong Seed, PredictionResult Result);

/// <summary>Sizes of the corpus as evaluated.</summary>
public sealed record CorpusSummary(string Folder, int Train, int References, int Queries, IReadOnlyDictionary<string, int> QueriesByCell,
    IReadOnlyDictionary<string, int> ReferencesByCell, int Problems)
{
    /// <summary>
    /// What the references and queries are: <see cref="BenchmarkCorpus.TestSplit"/> (the corpus's own) or
    /// <see cref="ValidationSplit.Name"/> (held out of the training items); null for a manifest evaluated against an index.
    /// </summary>
    public string? Split { get; init; }

    /// <summary>Whether the figures are on a validation split held out of the training items.</summary>
    public bool IsValidation => Split == ValidationSplit.Name;

    /// <summary>Training items that came from further manifests (<see cref="BenchmarkOptions.ExtraTraining"/>), included in <see cref="Train"/>.</summary>
    public int ExtraTraining { get; init; }

    /// <summary>The further training manifests read.</summary>
    public IReadOnlyList<string> ExtraTrainingManifests { get; init; } = [];
}

/// <summary>Everything a benchmark run measured.</summary>
public sealed record BenchmarkResult(CorpusSummary Corpus, IReadOnlyList<string> Systems, IReadOnlyList<ulong> Seeds, IReadOnlyList<CellScore> Scores,
    IReadOnlyList<PredictionScore> Predictions, IReadOnlyList<TrainedModel> Models, IReadOnlyList<CellRun> Runs,
    IReadOnlyList<(RetrievalCell Cell, IReadOnlyList<(string QueryId, IReadOnlyList<string> Relevant)> Qrels)> Qrels,
    IReadOnlyList<double> CanonicalCorrelations, IReadOnlyDictionary<string, double> Seconds)
{
    /// <summary>The machine facts that can change the figures (<see cref="RunEnvironment"/>); empty when not recorded.</summary>
    public IReadOnlyList<KeyValuePair<string, string>> Environment { get; init; } = [];
}

/// <summary>
/// The whole evaluation of the paper's Section VII on a labelled corpus: features once, then for every seed the
/// learned systems trained without labels, every system scored on every cell (Tables IV and V, per category as
/// Table VI), and emotion prediction by logistic regression on the joint representation and on the fused input
/// features (Section VI).
/// </summary>
public static class BenchmarkRun
{
    /// <summary>
    /// The name of the input-feature representation in the prediction experiment: the early fusion of the first
    /// feature family's features (the low-level ones when they were extracted, else every extracted feature).
    /// </summary>
    public const string FusedInputs = "Fused input features";

    /// <summary>Runs the benchmark on the corpus in <paramref name="corpusFolder"/>.</summary>
    public static BenchmarkResult Run(string corpusFolder, BenchmarkOptions options, Func<IComputeBackend> backend,
        Action<BenchmarkProgress>? onProgress = null, Action<string>? onProblem = null, CancellationToken cancellation = default)
    {
        var clock = Stopwatch.StartNew();
        var corpus = LoadCorpus(corpusFolder, options, onProgress, onProblem, cancellation);
        return Run(corpus, options, backend, onProgress, cancellation, featureSeconds: clock.Elapsed.TotalSeconds);
    }

    /// <summary>
    /// Reads and featurizes the corpus for <paramref name="options"/>: every feature its learned systems read, its
    /// validation split and its further training manifests.
    /// </summary>
    public static BenchmarkCorpus LoadCorpus(string corpusFolder, BenchmarkOptions options, Action<BenchmarkProgress>? onProgress = null,
        Action<string>? onProblem = null, CancellationToken cancellation = default)
        => BenchmarkCorpus.Load(corpusFolder, FeatureUnion(Configurations(options).Values), new MediaDecoder(),
            p => onProgress?.Invoke(new BenchmarkProgress($"features ({p.Split})", p.Done, p.Total)), onProblem, cancellation: cancellation, validation: options.Validation,
            extraTraining: options.ExtraTraining);

    /// <summary>
    /// Runs the benchmark on a corpus loaded by <see cref="LoadCorpus"/> with the same learned systems (or a subset of its
    /// training items, <see cref="BenchmarkCorpus.WithTrainingItems"/>); <paramref name="featureSeconds"/> is reported as the
    /// feature extraction time.
    /// </summary>
    public static BenchmarkResult Run(BenchmarkCorpus corpus, BenchmarkOptions options, Func<IComputeBackend> backend,
        Action<BenchmarkProgress>? onProgress = null, CancellationToken cancellation = default, double featureSeconds = 0)
    {
        var seconds = new Dictionary<string, double> { ["features"] = featureSeconds };
        var clock = Stopwatch.StartNew();
        var configs = Configurations(options);
        var featureConfig = FeatureUnion(configs.Values);

        var map = new ModalityMap(featureConfig);
        var judged = options.Cells.Select(c => new CellJudgements(RetrievalBenchmark.Prepare(c, corpus.Queries, corpus.References, map), options.Relevance)).ToList();
        var scores = new List<CellScore>();
        var runs = new List<CellRun>();
        foreach (var j in judged) scores.AddRange(RetrievalBenchmark.RandomExpectation(j));

        clock.Restart();
        Directory.CreateDirectory(options.ScratchFolder);
        var fitted = BaselineSystems.Fit(corpus.Train.Data, map, options.FeatureSets, options.ScratchFolder);
        var baselines = fitted.Systems.Select(s => new ScoreCache(s)).ToList();
        var bm25 = baselines.Single(b => b.Inner is Bm25TextSystem);
        seconds["baselines fit"] = clock.Elapsed.TotalSeconds;

        // All labelled items, for emotion prediction (the classifier sees labels; the representations do not).
        var everything = Concat(corpus.Train, corpus.References, corpus.Queries);
        var predictions = new List<PredictionScore>();
        var fusedInputs = fitted.Fusion;
        clock.Restart();
        predictions.AddRange(Predict(FusedInputs, fusedInputs.Transform(everything.Data), fusedInputs.Dimension, everything.Items, options, seed: 1));
        seconds["prediction (fused inputs)"] = clock.Elapsed.TotalSeconds;

        var models = new List<TrainedModel>();
        int step = 0, steps = options.Seeds.Count * (options.Learned.Count + 1);
        string fusedName = FusedWithBm25(options.Learned[0].Name);
        foreach (var seed in options.Seeds)
        {
            foreach (var learned in options.Learned)
            {
                cancellation.ThrowIfCancellationRequested();
                onProgress?.Invoke(new BenchmarkProgress($"train {learned.Name} (seed {seed})", step++, steps));
                var cfg = configs[learned.Name] with { Seed = seed };
                var trained = Stopwatch.StartNew();
                using var computeBackend = backend();
                var dbm = DbmTrainer.Train(computeBackend, cfg, corpus.Train.Data, cancellation: cancellation);
                var embedder = new JointEmbedder(dbm, EmbeddingCentres.Learn(new JointEmbedder(dbm), corpus.Train.Data));
                string? folder = null;
                if (options.ModelsFolder is not null)
                {
                    folder = Path.Combine(options.ModelsFolder, ModelFolderName(learned.Name, seed));
                    ModelFolder.Save(folder, dbm, corpus.Space, corpus.Train.Data, new Dictionary<string, string> { ["preset"] = cfg.Name, ["backend"] = computeBackend.Name });
                }
                models.Add(new TrainedModel(learned.Name, learned.Preset, seed, folder, dbm.ParameterCount, trained.Elapsed.TotalSeconds));
                var system = new ScoreCache(new JointEmbeddingSystem(learned.Name, embedder));
                // The engine's default ranking for text queries: the first learned system's ranking fused with BM25.
                var evaluated = learned == options.Learned[0] ? [system, new JointWithBm25System(fusedName, system, bm25)] : new IRetrievalSystem[] { system };
                foreach (var e in evaluated)
                    foreach (var j in judged)
                        if (RetrievalBenchmark.Evaluate(e, j, seed, seed == options.Seeds[0] ? runs : null) is { } s) scores.AddRange(s);
                predictions.AddRange(Predict(learned.Name, embedder.Embed(everything.Data), embedder.Dimension, everything.Items, options, seed));
                dbm.Dispose();
                seconds[$"train+evaluate {learned.Name}"] = seconds.GetValueOrDefault($"train+evaluate {learned.Name}") + trained.Elapsed.TotalSeconds;
            }
            onProgress?.Invoke(new BenchmarkProgress($"evaluate baselines (seed {seed})", step++, steps));
            clock.Restart();
            foreach (var baseline in baselines)
                foreach (var j in judged)
                    if (RetrievalBenchmark.Evaluate(baseline, j, seed, seed == options.Seeds[0] ? runs : null) is { } s) scores.AddRange(s);
            seconds["evaluate baselines"] = seconds.GetValueOrDefault("evaluate baselines") + clock.Elapsed.TotalSeconds;
        }
        onProgress?.Invoke(new BenchmarkProgress("done", steps, steps));

        var qrels = judged.Select(j => (j.Data.Cell, (IReadOnlyList<(string, IReadOnlyList<string>)>)j.Data.QueryItems
            .Select((q, i) => (q.Id, j.Relevant[0][i]))
            .Where(x => x.Item2 is not null)
            .Select(x => (x.Id, (IReadOnlyList<string>)x.Item2!.Select((rel, r) => (rel, r)).Where(t => t.rel).Select(t => j.Data.ReferenceItems[t.r].Id).ToList()))
            .ToList())).ToList();
        var summary = new CorpusSummary(corpus.Folder, corpus.Train.Items.Count, corpus.References.Items.Count, corpus.Queries.Items.Count,
            judged.ToDictionary(j => j.Data.Cell.Name, j => j.Data.QueryItems.Count), judged.ToDictionary(j => j.Data.Cell.Name, j => j.Data.ReferenceItems.Count),
            new[] { corpus.Train, corpus.References, corpus.Queries }.Sum(s => s.Report.Problems.Count + s.Report.Dropped.Count + s.Report.BadLines.Count))
        {
            Split = corpus.Split,
            ExtraTraining = corpus.ExtraTraining,
            // An empty list stays the shared empty one, so that two summaries compare equal as records.
            ExtraTrainingManifests = options.ExtraTraining.Count == 0 ? [] : options.ExtraTraining.Select(Path.GetFullPath).ToArray(),
        };
        var systemNames = options.Learned.Select(l => l.Name).Append(fusedName).Concat(baselines.Select(b => b.Name)).Append("Random").ToList();
        return new BenchmarkResult(summary, systemNames, options.Seeds, scores, predictions, models, runs, qrels, fitted.CanonicalCorrelations, seconds)
        {
            Environment = RunEnvironment.Describe(),
        };
    }

    /// <summary>The name of the system fusing a learned system's ranking with BM25 as the engine's hybrid search does, e.g. "E-MDBM + BM25".</summary>
    public static string FusedWithBm25(string learned) => $"{learned} + BM25";

    /// <summary>The folder (under <see cref="BenchmarkOptions.ModelsFolder"/>) of a learned system's model for a seed, e.g. "e-mdbm-seed1".</summary>
    public static string ModelFolderName(string system, ulong seed) => $"{FileName(system)}-seed{seed}";

    /// <summary>A name as a file name: lower case, every run of other characters one dash ("Jaccard (text)" -> "jaccard-text").</summary>
    public static string FileName(string name)
        => string.Join('-', System.Text.RegularExpressions.Regex.Split(name.ToLowerInvariant(), "[^a-z0-9]+").Where(p => p.Length > 0));

    /// <summary>
    /// A configuration that reads every source feature any of <paramref name="configs"/> reads, grouped by modality
    /// (letter), so that all learned systems and the baselines share one feature extraction. It describes features
    /// only (no pathways to train); the first configuration gives its seed, which seeds the feature space.
    /// </summary>
    public static DbmConfig FeatureUnion(IEnumerable<DbmConfig> configs)
    {
        var all = configs.ToList();
        if (all.Count == 0) throw new ArgumentException("no configuration to take features from");
        var modalities = all.SelectMany(c => c.Modalities)
            .GroupBy(m => ModelModalities.LetterOf(m.Name))
            .Select(g => new ModalityConfig
            {
                Name = g.First().Name,
                Features = g.SelectMany(m => m.Features.SelectMany(f => f.Sources)).Distinct(StringComparer.Ordinal).Select(s => new FeatureConfig { Name = s }).ToList(),
            })
            .ToList();
        return all[0] with { Name = string.Join("+", all.Select(c => c.Name).Distinct()), Modalities = modalities };
    }

    // Each learned system's configuration with the run's overrides, by name.
    private static Dictionary<string, DbmConfig> Configurations(BenchmarkOptions options)
    {
        if (options.Learned.Count == 0) throw new ArgumentException("the benchmark needs at least one learned system");
        if (options.Seeds.Count == 0) throw new ArgumentException("the benchmark needs at least one training seed");
        var duplicate = options.Learned.GroupBy(l => l.Name).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null) throw new ArgumentException($"two learned systems are named '{duplicate.Key}'");
        return options.Learned.ToDictionary(l => l.Name, l => Configure(l.Config ?? Presets.Load(l.Preset), options));
    }

    private static DbmConfig Configure(DbmConfig config, BenchmarkOptions options)
    {
        if (options.JointEpochs is { } joint) config = config with { JointTraining = config.JointTraining with { Epochs = joint } };
        if (options.PretrainingEpochs is { } pre) config = config with { Pretraining = config.Pretraining with { Epochs = pre } };
        return config;
    }

    private static IEnumerable<PredictionScore> Predict(string representation, float[] x, int dimension, IReadOnlyList<ManifestItem> items, BenchmarkOptions options, ulong seed)
    {
        foreach (var kind in options.PredictedKinds)
        {
            // Items with exactly one label of the kind: a single-label classification problem.
            var rows = Enumerable.Range(0, items.Count).Where(i => items[i].Labels.TryGetValue(kind, out var l) && l.Count == 1).ToArray();
            var classes = rows.Select(i => items[i].Labels[kind][0]).ToList();
            if (classes.Distinct().Count() < 2) continue;
            var selected = new float[rows.Length * dimension];
            for (int i = 0; i < rows.Length; i++) x.AsSpan(rows[i] * dimension, dimension).CopyTo(selected.AsSpan(i * dimension, dimension));
            yield return new PredictionScore(representation, kind, seed,
                EmotionPrediction.Evaluate(selected, dimension, classes, options.PredictionRepeats, options.PredictionTestFraction, seed));
        }
    }

    private static CorpusSplit Concat(params CorpusSplit[] splits)
    {
        var features = splits[0].Data.Features.Keys.ToList();
        var data = new Dictionary<string, VisibleData>(StringComparer.Ordinal);
        var present = new Dictionary<string, bool[]>(StringComparer.Ordinal);
        int count = splits.Sum(s => s.Data.Count);
        foreach (var name in features)
        {
            if (splits[0].Data.Features[name] is SparseVisibleData)
            {
                var rows = splits.SelectMany(s => ((SparseVisibleData)s.Data.Features[name]).Counts is var c ? Enumerable.Range(0, c.Rows).Select(r => Row(c, r)) : []).ToList();
                data[name] = new SparseVisibleData(CsrMatrix.FromRows(splits[0].Data.Features[name].Dimension, rows));
            }
            else
            {
                int dim = splits[0].Data.Features[name].Dimension;
                data[name] = new DenseVisibleData(splits.SelectMany(s => ((DenseVisibleData)s.Data.Features[name]).Values).ToArray(), count, dim);
            }
            present[name] = splits.SelectMany(s => s.Data.Presence(name)).ToArray();
        }
        return new CorpusSplit("all", splits.SelectMany(s => s.Items).ToList(), new MultimodalDataset(count, data, present), splits[0].Report);
    }

    private static IReadOnlyList<(int, float)> Row(CsrMatrix m, int r)
        => Enumerable.Range(m.RowStarts[r], m.RowStarts[r + 1] - m.RowStarts[r]).Select(i => (m.ColumnIndices[i], m.Values[i])).ToList();

    /// <summary>
    /// Scores computed once per cell: baselines do not depend on the training seed, and a learned system's scores
    /// are read again by its fusion with BM25.
    /// </summary>
    private sealed class ScoreCache(IRetrievalSystem inner) : IRetrievalSystem
    {
        private readonly Dictionary<RetrievalCell, float[]?> _scores = new();

        public IRetrievalSystem Inner => inner;

        public string Name => inner.Name;

        public float[]? Scores(CellData cell)
        {
            if (!_scores.TryGetValue(cell.Cell, out var s)) _scores[cell.Cell] = s = inner.Scores(cell);
            return s;
        }
    }
}
