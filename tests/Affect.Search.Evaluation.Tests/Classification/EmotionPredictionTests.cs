using Affect.Search.Compute;
using Affect.Search.Evaluation.Classification;

namespace Affect.Search.Evaluation.Tests.Classification;

public class EmotionPredictionTests
{
    private static readonly string[] Names = ["anger", "joy", "sadness"];

    [Fact]
    public void Separable_classes_are_predicted_almost_perfectly()
    {
        var (x, labels) = SoftmaxRegressionTests.Clusters(50, 3, 5, separation: 6, seed: 5);
        var result = EmotionPrediction.Evaluate(x, 5, labels.Select(l => Names[l]).ToArray(), repeats: 5, testFraction: 0.3, seed: 1, l2: 1e-3);
        Assert.Equal(Names, result.Classes);
        Assert.Equal(150, result.Items);
        Assert.Equal(5, result.Repeats);
        Assert.Equal(5, result.Accuracies.Count);
        Assert.True(result.MeanAccuracy > 0.95, $"accuracy {result.MeanAccuracy}");
        Assert.Equal(1.0 / 3, result.MajorityAccuracy, 12); // balanced classes: every class is 15 of 45 test items
        // 15 test items per class per repeat (round(0.3 x 50)), so rows total 15 x 5.
        int total = 0;
        for (int t = 0; t < 3; t++)
        {
            int row = 0;
            for (int p = 0; p < 3; p++) row += result.Confusion[t, p];
            Assert.Equal(75, row);
            total += row;
        }
        Assert.Equal(45 * 5, total);
        double mean = result.Accuracies.Average();
        Assert.Equal(mean, result.MeanAccuracy, 12);
        Assert.Equal(Math.Sqrt(result.Accuracies.Sum(a => (a - mean) * (a - mean)) / 4), result.AccuracySpread, 12);
    }

    [Fact]
    public void Shuffled_labels_stay_near_chance()
    {
        var (x, labels) = SoftmaxRegressionTests.Clusters(60, 3, 6, separation: 6, seed: 6);
        var shuffled = labels.OrderBy(_ => 0).ToArray();
        new Random(8).Shuffle(shuffled);
        var result = EmotionPrediction.Evaluate(x, 6, shuffled.Select(l => Names[l]).ToArray(), repeats: 8, testFraction: 0.25, seed: 2);
        Assert.InRange(result.MeanAccuracy, 0.2, 0.47);
    }

    [Theory]
    [InlineData(11)]
    [InlineData(12)]
    [InlineData(13)]
    [InlineData(14)]
    [InlineData(15)]
    public void With_nothing_to_learn_in_many_dimensions_the_chosen_strength_keeps_the_majority_class(int seed)
    {
        // The benchmark's shape (~100 labelled items, a 70% majority class, hundreds of dimensions) with pure noise:
        // a nearly unregularised fit separates the training items by noise and scores anywhere around the majority
        // rate; a strength chosen on the training items falls back to the class frequencies.
        const int n = 100, d = 300;
        var random = new Random(seed);
        var labels = Enumerable.Range(0, n).Select(i => i % 10 < 3 ? "negative" : "positive").ToArray();
        var x = new float[n * d];
        for (int k = 0; k < x.Length; k++) x[k] = (float)Gaussian(random);
        var chosen = EmotionPrediction.Evaluate(x, d, labels, repeats: 6, testFraction: 0.3, seed: 1);
        var fixedWeak = EmotionPrediction.Evaluate(x, d, labels, repeats: 6, testFraction: 0.3, seed: 1, l2: 1e-3);
        Assert.Equal(6, chosen.Strengths.Count);
        Assert.All(chosen.Strengths, s => Assert.Contains(s, LabelClassifier.Strengths));
        Assert.All(fixedWeak.Strengths, s => Assert.Equal(1e-3, s));
        Assert.True(chosen.MeanAccuracy >= chosen.MajorityAccuracy - 0.02, $"chosen: {chosen.MeanAccuracy:F3}, majority {chosen.MajorityAccuracy:F3}");
    }

    private static double Gaussian(Random random)
        => Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());

    [Fact]
    public void Same_seed_same_result()
    {
        var (x, labels) = SoftmaxRegressionTests.Clusters(20, 3, 4, separation: 1, seed: 7);
        var names = labels.Select(l => Names[l]).ToArray();
        var a = EmotionPrediction.Evaluate(x, 4, names, 4, 0.25, seed: 3);
        var b = EmotionPrediction.Evaluate(x, 4, names, 4, 0.25, seed: 3);
        Assert.Equal(a.Accuracies, b.Accuracies);
        Assert.Equal(a.Confusion, b.Confusion);
        Assert.Equal(a.MajorityAccuracy, b.MajorityAccuracy);
    }

    [Fact]
    public void Stratified_split_keeps_every_class_in_test()
    {
        // Class sizes 5, 2, 1, 10 at 20%: round(1) = 1, round(0.4) = 0 -> at least 1, a single item stays in training, round(2) = 2.
        var classOf = new[] { 0, 0, 0, 0, 0, 1, 1, 2, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3 };
        for (ulong seed = 0; seed < 20; seed++)
        {
            var (train, test) = EmotionPrediction.StratifiedSplit(classOf, 4, 0.2, new RandomStream(seed));
            Assert.Equal(Enumerable.Range(0, classOf.Length), train.Concat(test).Order());
            Assert.Equal([1, 1, 0, 2], Enumerable.Range(0, 4).Select(c => test.Count(i => classOf[i] == c)));
            Assert.All(Enumerable.Range(0, 4), c => Assert.Contains(train, i => classOf[i] == c));
        }
        var first = EmotionPrediction.StratifiedSplit(classOf, 4, 0.2, new RandomStream(1)).Test;
        Assert.Equal(first, EmotionPrediction.StratifiedSplit(classOf, 4, 0.2, new RandomStream(1)).Test);
    }

    [Fact]
    public void Bad_input_is_refused()
    {
        var x = new float[8];
        Assert.Throws<ArgumentException>(() => EmotionPrediction.Evaluate(x, 2, ["a", "b", "a"], 1, 0.5, 0));
        Assert.Throws<ArgumentException>(() => EmotionPrediction.Evaluate(x, 2, ["a", "a", "a", "a"], 1, 0.5, 0));
        Assert.ThrowsAny<ArgumentException>(() => EmotionPrediction.Evaluate(x, 2, ["a", "b", "a", "b"], 1, 1.5, 0));
        Assert.ThrowsAny<ArgumentException>(() => EmotionPrediction.Evaluate(x, 2, ["a", "b", "a", "b"], 0, 0.5, 0));
    }
}
