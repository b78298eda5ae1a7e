using Affect.Search.Compute;
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
/// <c>queries.jsonl</c>, featurized once with one feature space learned on the training split. With a
/// <see cref="ValidationSplit"/> only <c>train.jsonl</c> is read: its held-out items are the references and queries.
/// </summary>
public sealed class BenchmarkCorpus
{
    /// <summary>File names of the three splits.</summary>
    public const string TrainFile = "train.jsonl", ReferenceFile = "reference.jsonl", QueryFile = "queries.jsonl";

    /// <summary>The name of the corpus's own evaluation split (reference.jsonl and queries.jsonl).</summary>
    public const string TestSplit = "test";

    private readonly bool[] _extraRows;

    private BenchmarkCorpus(string folder, string split, FeatureSpace space, CorpusSplit train, CorpusSplit references, CorpusSplit queries, bool[] extraRows)
    {
        _extraRows = extraRows;
        Folder = folder;
        Split = split;
        Space = space;
        Train = train;
        References = references;
        Queries = queries;
    }

    /// <summary>The corpus folder.</summary>
    public string Folder { get; }

    /// <summary>What the references and queries are: <see cref="TestSplit"/> or <see cref="ValidationSplit.Name"/>.</summary>
    public string Split { get; }

    /// <summary>The vocabulary and codebooks, learned on the training split.</summary>
    public FeatureSpace Space { get; }

    /// <summary>How many of the training items came from further manifests (counted after featurizing).</summary>
    public int ExtraTraining => _extraRows.Count(x => x);

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
    /// the feature space on the training split and extracts the features <paramref name="config"/> reads. With
    /// <paramref name="validation"/>, reads only the training manifest and splits it: the feature space is learned on
    /// the items that stay training items, and the held-out ones are the references and queries.
    /// <paramref name="extraTraining"/>: further manifests (e.g. the extended unlabelled corpus) whose items join the
    /// training split only; an item whose id the corpus already has is reported and left out.
    /// </summary>
    public static BenchmarkCorpus Load(string folder, DbmConfig config, MediaDecoder decoder, Action<CorpusProgress>? onProgress = null,
        Action<string>? onProblem = null, int maxParallelism = 0, CancellationToken cancellation = default, ValidationSplit? validation = null,
        IReadOnlyList<string>? extraTraining = null)
    {
        if (validation is not null && !File.Exists(Path.Combine(folder, TrainFile)))
            throw new DirectoryNotFoundException($"'{folder}' has no {TrainFile} to carve a validation split from (build a corpus with tools/build-corpus.sh)");
        if (validation is null && !IsCorpusFolder(folder))
            throw new DirectoryNotFoundException($"'{folder}' is not a benchmark corpus: it needs {TrainFile}, {ReferenceFile} and {QueryFile} (build one with tools/build-corpus.sh)");
        Manifest Read(string file)
        {
            var manifest = ManifestReader.Read(Path.Combine(folder, file));
            foreach (var e in manifest.Errors) onProblem?.Invoke($"{file}: {e}");
            return manifest;
        }
        Manifest trainManifest, referenceManifest, queryManifest;
        if (validation is null) (trainManifest, referenceManifest, queryManifest) = (Read(TrainFile), Read(ReferenceFile), Read(QueryFile));
        else
        {
            var all = Read(TrainFile);
            // Bad lines are reported once, with the training items.
            Manifest Part(ValidationRole role, IReadOnlyList<ManifestError> errors) => all with { Items = validation.Select(all.Items, role), Errors = errors };
            (trainManifest, referenceManifest, queryManifest) = (Part(ValidationRole.Train, all.Errors), Part(ValidationRole.Reference, []), Part(ValidationRole.Query, []));
        }
        int ownTraining = trainManifest.Items.Count;
        if (extraTraining is { Count: > 0 })
        {
            var known = new HashSet<string>(trainManifest.Items.Concat(referenceManifest.Items).Concat(queryManifest.Items).Select(i => i.Id), StringComparer.Ordinal);
            var extras = extraTraining.Select(path => ManifestReader.Read(path)).ToList();
            foreach (var extra in extras)
                foreach (var e in extra.Errors) onProblem?.Invoke($"{extra.Path}: {e}");
            var added = ManifestReader.CombineItems(extras, known,
                (m, item) => onProblem?.Invoke($"{m.Path}: line {item.Line} ({item.Id}): left out, the corpus already has an item with this id"));
            trainManifest = trainManifest with { Items = trainManifest.Items.Concat(added).ToList() };
        }
        void Progress(string split, ExtractionProgress p) => onProgress?.Invoke(new CorpusProgress(split, p.Done, p.Total));
        var (space, trainData, trainReport) = CorpusFeaturizer.LearnAndFeaturize(trainManifest, config, decoder, onProblem: onProblem,
            onProgress: p => Progress("train", p), maxParallelism: maxParallelism, cancellation: cancellation);
        CorpusSplit Split(string name, Manifest manifest, MultimodalDataset data, CorpusReport report)
        {
            foreach (var (id, problem) in report.Problems) onProblem?.Invoke($"{name}: item {id}: {problem}");
            foreach (var id in report.Dropped) onProblem?.Invoke($"{name}: item {id}: left out, no usable modality");
            return new CorpusSplit(name, report.Items, data, report);
        }
        var extraIds = trainManifest.Items.Skip(ownTraining).Select(i => i.Id).ToHashSet(StringComparer.Ordinal);
        CorpusSplit Featurize(string name, Manifest manifest)
        {
            var (data, report) = CorpusFeaturizer.Featurize(manifest, space, config, decoder, p => Progress(name, p), maxParallelism, cancellation);
            return Split(name, manifest, data, report);
        }
        return new BenchmarkCorpus(Path.GetFullPath(folder), validation is null ? TestSplit : ValidationSplit.Name, space, Split("train", trainManifest, trainData, trainReport),
            Featurize(validation is null ? "reference" : "validation references", referenceManifest),
            Featurize(validation is null ? "queries" : "validation queries", queryManifest), trainReport.Items.Select(i => extraIds.Contains(i.Id)).ToArray());
    }

    /// <summary>
    /// The same corpus with only <paramref name="count"/> of its training items: the corpus's own training items first,
    /// then the further manifests' items, each group in a seeded random order, so that a smaller subset is a prefix of a
    /// larger one (nested, as a learning curve needs). References, queries and the feature space do not change.
    /// </summary>
    public BenchmarkCorpus WithTrainingItems(int count, ulong seed)
    {
        if (count < 1 || count > Train.Items.Count)
            throw new ArgumentOutOfRangeException(nameof(count), count, $"between 1 and the {Train.Items.Count} training items");
        var random = new RandomStream(seed);
        int[] Shuffled(bool extra)
        {
            var rows = Enumerable.Range(0, Train.Items.Count).Where(r => _extraRows[r] == extra).ToArray();
            return random.Permutation(rows.Length).Select(i => rows[i]).ToArray();
        }
        var chosen = Shuffled(extra: false).Concat(Shuffled(extra: true)).Take(count).Order().ToArray();
        var train = new CorpusSplit(Train.Name, chosen.Select(r => Train.Items[r]).ToList(), Train.Data.Select(chosen), Train.Report);
        return new BenchmarkCorpus(Folder, Split, Space, train, References, Queries, chosen.Select(r => _extraRows[r]).ToArray());
    }
}
