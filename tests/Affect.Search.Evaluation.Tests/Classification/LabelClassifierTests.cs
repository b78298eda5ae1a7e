using Affect.Search.Evaluation.Classification;
using Affect.Search.Index;

namespace Affect.Search.Evaluation.Tests.Classification;

public sealed class LabelClassifierTests
{
    private static List<(IndexedItem Item, float[] Embedding)> Items(int count, int dimensions, Func<int, float[], string> label, int seed)
    {
        var random = new Random(seed);
        var items = new List<(IndexedItem, float[])>();
        for (int i = 0; i < count; i++)
        {
            // Standardised joint embeddings: every dimension about N(0, 1), as the wide preset's are.
            var e = Enumerable.Range(0, dimensions).Select(_ => (float)(random.NextDouble() * 2 - 1) * 1.7f).ToArray();
            var labels = new Dictionary<string, IReadOnlyList<string>> { ["emotion"] = [label(i, e)] };
            items.Add((new IndexedItem($"item-{i}", null, labels, new Dictionary<string, string>(), "V"), e));
        }
        return items;
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void Labels_unrelated_to_wide_embeddings_give_no_false_certainty(int seed)
    {
        // A few dozen labelled items in 512 dimensions separate perfectly whatever their labels; the cross-validated
        // L2 strength must then be strong enough that a new item gets about the class shares, not certainty.
        string[] classes = ["joy", "calm", "fear", "anger"];
        var items = Items(28, 512, (i, _) => classes[i % classes.Length], seed);
        var classifier = LabelClassifier.Fit(items, "emotion");
        var probe = Items(20, 512, (_, _) => "joy", seed + 100);
        Assert.All(probe, p => Assert.True(classifier.Predict(p.Embedding)[0].Probability < 0.5,
            $"L2 {classifier.L2}: {classifier.Predict(p.Embedding)[0].Label} at {classifier.Predict(p.Embedding)[0].Probability:F3}"));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void Labels_of_separated_clusters_are_learned_at_the_strength_chosen(int seed)
    {
        // Two clusters whose means differ by 1 in each of the first 128 dimensions: the strength chosen must not smother them.
        static string Planted(int i, float[] e)
        {
            float shift = i % 2 == 0 ? 0.5f : -0.5f;
            for (int d = 0; d < 128; d++) e[d] += shift;
            return i % 2 == 0 ? "joy" : "fear";
        }
        var classifier = LabelClassifier.Fit(Items(28, 512, Planted, seed), "emotion");
        var probe = Items(40, 512, Planted, seed + 100);
        int right = probe.Count(p => classifier.Predict(p.Embedding)[0].Label == p.Item.Labels["emotion"][0]);
        Assert.True(right >= 36, $"{right} of 40 right (L2 {classifier.L2})");
    }
}
