using Affect.Search.Features.Corpus;

namespace Affect.Search.Features.Extraction;

/// <summary>Progress of a corpus run: items done of the total, and how many had problems.</summary>
public sealed record ExtractionProgress(int Done, int Total, int WithProblems);

/// <summary>
/// Extracts the features of many items in parallel with a bounded number of items in flight (so memory
/// stays bounded by the decoders' caps times the parallelism); results keep the input order.
/// </summary>
public static class CorpusExtraction
{
    /// <summary>Runs <paramref name="extractor"/> over <paramref name="items"/>.</summary>
    public static IReadOnlyList<ItemFeatures> Run(IReadOnlyList<ManifestItem> items, FeatureExtractor extractor,
        int maxParallelism = 0, Action<ExtractionProgress>? onProgress = null, CancellationToken cancellation = default)
    {
        var results = new ItemFeatures[items.Count];
        int done = 0, withProblems = 0;
        var gate = new object();
        var options = new ParallelOptions
        {
            MaxDegreeOfParallelism = maxParallelism > 0 ? maxParallelism : Environment.ProcessorCount,
            CancellationToken = cancellation,
        };
        Parallel.For(0, items.Count, options, i =>
        {
            results[i] = extractor.Extract(items[i]);
            lock (gate)
            {
                done++;
                if (results[i].Problems.Count > 0) withProblems++;
                onProgress?.Invoke(new ExtractionProgress(done, items.Count, withProblems));
            }
        });
        return results;
    }
}
