using Affect.Search.Evaluation.Benchmark;
using Affect.Search.Tests.Shared;

namespace Affect.Search.Evaluation.Tests.Benchmark;

/// <summary>The generated corpus laid out as a benchmark corpus, for the benchmark's end-to-end tests.</summary>
internal static class BenchmarkTestCorpus
{
    /// <summary>
    /// Writes the benchmark files beside the corpus's manifest: every item trains the (unsupervised) models, every
    /// third is a query and the others are references.
    /// </summary>
    public static void WriteSplit(EmotionTestCorpus corpus)
    {
        var lines = File.ReadAllLines(corpus.Manifest);
        File.WriteAllLines(Path.Combine(corpus.Folder, BenchmarkCorpus.TrainFile), lines);
        File.WriteAllLines(Path.Combine(corpus.Folder, BenchmarkCorpus.QueryFile), lines.Where((_, i) => i % 3 == 0));
        File.WriteAllLines(Path.Combine(corpus.Folder, BenchmarkCorpus.ReferenceFile), lines.Where((_, i) => i % 3 != 0));
    }

    /// <summary>A manifest line with another id (the same media and text): an item for a further training manifest.</summary>
    public static string WithId(string line, string id)
    {
        var item = System.Text.Json.Nodes.JsonNode.Parse(line)!.AsObject();
        item["id"] = id;
        return item.ToJsonString();
    }
}
