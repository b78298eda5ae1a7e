using System.Diagnostics;
using Affect.Search.Compute;

namespace Affect.Search.Evaluation.Benchmark;

/// <summary>One point of a learning curve: the benchmark with this many training items, of which <paramref name="ExtraTrainingItems"/> came from further manifests.</summary>
public sealed record LearningCurvePoint(int TrainingItems, int ExtraTrainingItems, BenchmarkResult Result);

/// <summary>
/// How fast the learned systems learn as unlabelled data grows: the whole benchmark repeated on nested subsets of the
/// training items (the corpus's own first, then the further manifests' items; <see cref="BenchmarkCorpus.WithTrainingItems"/>),
/// with the same references and queries throughout. Features are extracted once, for every training item, with the
/// feature space (vocabulary, codebooks) learned on all of them; every learned system and every fitted baseline (CCA,
/// early fusion's standardisation) sees only the subset of its point.
/// </summary>
public static class LearningCurve
{
    /// <summary>A size that stands for every training item (the last point of a curve over a whole extended corpus).</summary>
    public const int AllItems = int.MaxValue;

    /// <summary>The cells a learning curve reports unless told otherwise: the cross-modal ones and the paper's two main video-retrieval ones.</summary>
    public static readonly IReadOnlyList<RetrievalCell> DefaultCells = [new("T", "V"), new("V", "T"), new("T", "full"), new("VA", "full")];

    /// <summary>
    /// Runs the benchmark at each of <paramref name="sizes"/> training items (ascending; <see cref="AllItems"/> for all of
    /// them; any other size larger than the training items available is an error). <paramref name="subsetSeed"/> orders
    /// the items the subsets are taken from.
    /// </summary>
    public static IReadOnlyList<LearningCurvePoint> Run(string corpusFolder, BenchmarkOptions options, IReadOnlyList<int> sizes, Func<IComputeBackend> backend,
        Action<BenchmarkProgress>? onProgress = null, Action<string>? onProblem = null, ulong subsetSeed = 1, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(sizes);
        if (sizes.Count == 0) throw new ArgumentException("a learning curve needs at least one size", nameof(sizes));
        for (int i = 0; i < sizes.Count; i++)
        {
            if (sizes[i] < 1) throw new ArgumentOutOfRangeException(nameof(sizes), sizes[i], "a training size must be at least 1");
            if (i > 0 && sizes[i] <= sizes[i - 1]) throw new ArgumentException($"training sizes must ascend ({sizes[i - 1]} then {sizes[i]})", nameof(sizes));
        }
        var clock = Stopwatch.StartNew();
        var corpus = BenchmarkRun.LoadCorpus(corpusFolder, options, onProgress, onProblem, cancellation);
        double featureSeconds = clock.Elapsed.TotalSeconds;
        int available = corpus.Train.Items.Count;
        if (sizes.FirstOrDefault(s => s != AllItems && s > available) is > 0 and var tooMany)
            throw new ArgumentException($"a training size of {tooMany} is more than the {available} usable training items");
        var points = new List<LearningCurvePoint>();
        foreach (var size in sizes.Select(s => s == AllItems ? available : s).Distinct())
        {
            var subset = corpus.WithTrainingItems(size, subsetSeed);
            var pointOptions = options with { ModelsFolder = options.ModelsFolder is null ? null : Path.Combine(options.ModelsFolder, $"n{size}") };
            var result = BenchmarkRun.Run(subset, pointOptions, backend, p => onProgress?.Invoke(p with { Stage = $"{size} items: {p.Stage}" }), cancellation, featureSeconds);
            points.Add(new LearningCurvePoint(size, subset.ExtraTraining, result));
        }
        return points;
    }
}
