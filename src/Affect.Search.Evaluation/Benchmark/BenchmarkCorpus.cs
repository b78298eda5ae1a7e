using Affect.Search.Engine.Corpus;
using Affect.Search.Features.Corpus;
using Affect.Search.Features.Decoding;
using Affect.Search.Features.Extraction;
using Affect.Search.Model.Configuration;
using Affect.Search.Model.Data;

namespace Affect.Search.Evaluation.Benchmark;

/// <summary>One split of a benchmark corpus: its usable items (row i of <see cref="Data"/> is item i) and what featurizing reported.</summary>
public sealed record CorpusSplit(string Name, IReadOnlyList<ManifestItem> Items, MultimodalDataset Data, CorpusReport Report);

/// <summary>Progress of featurizing a benchmark corpus: the split being extracted and how far it is.</summary>
public sealed record CorpusProgress(string Split, int Done, int Total);

/// <summary>
/// A labelled corpus folder as the corpus builder writes it: <c>train.jsonl</c> (unlabelled use only: the model
/// and the baselines' statistics are fitted on it), <c>reference.jsonl</c> (the database) and
/// <c>queries.jsonl</c>, featurized once with one feature space learned on the training split.
/// </summary>
public sealed class BenchmarkCorpus
{
    /// <summary>File names of the three splits.</summary>
    public const string TrainFile = "train.jsonl", ReferenceFile = "reference.jsonl", QueryFile = "queries.jsonl";

    private BenchmarkCorpus(string folder, FeatureSpace space, CorpusSplit train, CorpusSplit references, CorpusSplit queries)
    {
        Folder = folder;
        Space = space;
        Train = train;
        References = references;
        Queries = queries;
    }

    /// <summary>The corpus folder.</summary>
    public string Folder { get; }

    /// <summary>The vocabulary and codebooks, learned on the training split.</summary>
    public FeatureSpace Space { get; }

    /// <summary>Training items.</summary>
    public CorpusSplit Train { get; }

    /// <summary>Reference items (the database).</summary>
    public CorpusSplit References { get; }

    /// <summary>Query items.</summary>
    public CorpusSplit Queries { get; }

    /// <summary>Whether <paramref name="folder"/> holds the three split manifests.</summary>
    public static bool IsCorpusFolder(string folder)
        => new[] { TrainFile, ReferenceFile, QueryFile }.All(f => File.Exists(Path.Combine(folder, f)));

    /// <summary>
    /// Reads the three manifests (bad lines are reported through <paramref name="onProblem"/> and skipped), learns
    /// the feature space on the training split and extracts the features <paramref name="config"/> reads.
    /// </summary>
    public static BenchmarkCorpus Load(string folder, DbmConfig config, MediaDecoder decoder, Action<CorpusProgress>? onProgress = null,
        Action<string>? onProblem = null, int maxParallelism = 0, CancellationToken cancellation = default)
    {
        if (!IsCorpusFolder(folder))
            throw new DirectoryNotFoundException($"'{folder}' is not a benchmark corpus: it needs {TrainFile}, {ReferenceFile} and {QueryFile} (build one with tools/build-corpus.sh)");
        Manifest Read(string file)
        {
            var manifest = ManifestReader.Read(Path.Combine(folder, file));
            foreach (var e in manifest.Errors) onProblem?.Invoke($"{file}: {e}");
            return manifest;
        }
        var (trainManifest, referenceManifest, queryManifest) = (Read(TrainFile), Read(ReferenceFile), Read(QueryFile));
        void Progress(string split, ExtractionProgress p) => onProgress?.Invoke(new CorpusProgress(split, p.Done, p.Total));
        var (space, trainData, trainReport) = CorpusFeaturizer.LearnAndFeaturize(trainManifest, config, decoder, onProblem: onProblem,
            onProgress: p => Progress("train", p), maxParallelism: maxParallelism, cancellation: cancellation);
        CorpusSplit Split(string name, Manifest manifest, MultimodalDataset data, CorpusReport report)
        {
            foreach (var (id, problem) in report.Problems) onProblem?.Invoke($"{name}: item {id}: {problem}");
            foreach (var id in report.Dropped) onProblem?.Invoke($"{name}: item {id}: left out, no usable modality");
            return new CorpusSplit(name, report.Items, data, report);
        }
        CorpusSplit Featurize(string name, Manifest manifest)
        {
            var (data, report) = CorpusFeaturizer.Featurize(manifest, space, config, decoder, p => Progress(name, p), maxParallelism, cancellation);
            return Split(name, manifest, data, report);
        }
        return new BenchmarkCorpus(Path.GetFullPath(folder), space, Split("train", trainManifest, trainData, trainReport),
            Featurize("reference", referenceManifest), Featurize("queries", queryManifest));
    }
}
