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
