using Affect.Search.Compute;

namespace Affect.Search.Evaluation.Classification;

/// <summary>What repeated train/test emotion prediction scored.</summary>
/// <param name="Classes">Class names, in ordinal order; indices into <paramref name="Confusion"/>.</param>
/// <param name="Items">Number of labelled items.</param>
/// <param name="Repeats">Number of train/test splits.</param>
/// <param name="MeanAccuracy">Mean test accuracy over the splits.</param>
/// <param name="AccuracySpread">Sample standard deviation of the test accuracy over the splits (0 for one split).</param>
/// <param name="Accuracies">Test accuracy of each split, in order.</param>
/// <param name="Confusion">Counts [true class, predicted class], summed over the splits.</param>
/// <param name="MajorityAccuracy">Mean test accuracy of always predicting the training split's most frequent class.</param>
/// <param name="Strengths">The L2 strength each split's classifier was fitted with, in order.</param>
public sealed record PredictionResult(IReadOnlyList<string> Classes, int Items, int Repeats, double MeanAccuracy, double AccuracySpread, IReadOnlyList<double> Accuracies, int[,] Confusion, double MajorityAccuracy, IReadOnlyList<double> Strengths);

/// <summary>
/// Emotion prediction (paper Section VI): a <see cref="SoftmaxRegression"/> on item representations, scored by
/// accuracy over repeated seeded stratified train/test splits.
/// </summary>
public static class EmotionPrediction
{
    /// <summary>
    /// Repeated seeded stratified train/test splits (see <see cref="StratifiedSplit"/>); each fits a
    /// <see cref="SoftmaxRegression"/> on the training rows of <paramref name="x"/> and scores the test rows.
    /// <paramref name="l2"/>: a fixed L2 strength, or null to choose one per split on its training rows.
    /// The same seed gives the same result.
    /// </summary>
    public static PredictionResult Evaluate(float[] x, int dimension, IReadOnlyList<string> labels, int repeats, double testFraction, ulong seed, double? l2 = null)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(labels);
        if (dimension <= 0) throw new ArgumentOutOfRangeException(nameof(dimension), dimension, "the dimension must be at least 1");
        if (labels.Count == 0) throw new ArgumentException("no labelled items", nameof(labels));
        if (x.Length != (long)labels.Count * dimension)
            throw new ArgumentException($"{x.Length} input values for {labels.Count} labels of dimension {dimension} (expected {(long)labels.Count * dimension})", nameof(x));
        if (repeats < 1) throw new ArgumentOutOfRangeException(nameof(repeats), repeats, "at least one repeat is needed");
        for (int i = 0; i < labels.Count; i++)
            if (string.IsNullOrEmpty(labels[i])) throw new ArgumentException($"item {i} has no label", nameof(labels));
        var classes = labels.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToArray();
        if (classes.Length < 2) throw new ArgumentException($"at least 2 classes are needed, the labels have {classes.Length}", nameof(labels));
        var index = classes.Select((name, i) => (name, i)).ToDictionary(p => p.name, p => p.i, StringComparer.Ordinal);
        var classOf = labels.Select(l => index[l]).ToArray();
        // Checked here rather than inside the parallel repeats, which would wrap the message in an AggregateException.
        if (!(testFraction > 0 && testFraction < 1)) throw new ArgumentOutOfRangeException(nameof(testFraction), testFraction, "the test fraction must lie strictly between 0 and 1");
        if (classOf.CountBy(c => c).All(g => g.Value < 2)) throw new ArgumentException("no class has 2 or more items, so nothing can be tested", nameof(labels));
        for (int i = 0; i < x.Length; i++)
            if (!float.IsFinite(x[i])) throw new ArgumentException($"input row {i / dimension}, column {i % dimension} is not finite ({x[i]})", nameof(x));

        // One forked stream per repeat, drawn up front, so repeats may run in any order.
        var root = new RandomStream(seed);
        var streams = Enumerable.Range(0, repeats).Select(_ => root.Fork()).ToArray();
        var accuracies = new double[repeats];
        var majority = new double[repeats];
        var confusions = new int[repeats][];
        var strengths = new double[repeats];
        int k = classes.Length;
        Parallel.For(0, repeats, r =>
        {
            var (train, test) = StratifiedSplit(classOf, k, testFraction, streams[r]);
            var trainX = Rows(x, dimension, train);
            var trainY = train.Select(i => classOf[i]).ToArray();
            strengths[r] = l2 ?? LabelClassifier.ChooseL2(trainX, dimension, trainY, k);
            var model = SoftmaxRegression.Fit(trainX, dimension, trainY, k, strengths[r]);
            var confusion = new int[k * k];
            int correct = 0;
            foreach (var i in test)
            {
                int predicted = model.Predict(x.AsSpan(i * dimension, dimension));
                confusion[classOf[i] * k + predicted]++;
                if (predicted == classOf[i]) correct++;
            }
            var counts = new int[k];
            foreach (var y in trainY) counts[y]++;
            int most = Array.IndexOf(counts, counts.Max()); // lowest index among equally frequent classes
            accuracies[r] = correct / (double)test.Length;
            majority[r] = test.Count(i => classOf[i] == most) / (double)test.Length;
            confusions[r] = confusion;
        });

        var total = new int[k, k];
        foreach (var confusion in confusions)
            for (int t = 0; t < k; t++)
                for (int p = 0; p < k; p++) total[t, p] += confusion[t * k + p];
        double mean = accuracies.Average();
        double spread = repeats > 1 ? Math.Sqrt(accuracies.Sum(a => (a - mean) * (a - mean)) / (repeats - 1)) : 0;
        return new PredictionResult(classes, labels.Count, repeats, mean, spread, accuracies, total, majority.Average(), strengths);
    }

    /// <summary>
    /// A seeded stratified split of items by class (<paramref name="classOf"/>: class index of each item). Each class
    /// with at least 2 items puts round(testFraction x size) of them in test, at least one and at most size - 1,
    /// so every such class is both trained on and tested; a single-item class goes to training. Rows are
    /// returned in ascending order.
    /// </summary>
    public static (int[] Train, int[] Test) StratifiedSplit(IReadOnlyList<int> classOf, int classes, double testFraction, RandomStream random)
    {
        ArgumentNullException.ThrowIfNull(classOf);
        ArgumentNullException.ThrowIfNull(random);
        if (!(testFraction > 0 && testFraction < 1)) throw new ArgumentOutOfRangeException(nameof(testFraction), testFraction, "the test fraction must lie strictly between 0 and 1");
        var members = new List<int>[classes];
        for (int c = 0; c < classes; c++) members[c] = [];
        for (int i = 0; i < classOf.Count; i++)
        {
            if ((uint)classOf[i] >= (uint)classes) throw new ArgumentException($"item {i} has class {classOf[i]}, outside 0..{classes - 1}", nameof(classOf));
            members[classOf[i]].Add(i);
        }
        var train = new List<int>();
        var test = new List<int>();
        foreach (var items in members)
        {
            // A permutation per class, drawn even for classes that split trivially, keeps later classes' draws stable.
            var order = random.Permutation(items.Count);
            int testCount = items.Count >= 2 ? Math.Clamp((int)Math.Round(testFraction * items.Count, MidpointRounding.AwayFromZero), 1, items.Count - 1) : 0;
            for (int j = 0; j < items.Count; j++) (j < testCount ? test : train).Add(items[order[j]]);
        }
        train.Sort();
        test.Sort();
        if (test.Count == 0) throw new ArgumentException("no class has 2 or more items, so nothing can be tested", nameof(classOf));
        return (train.ToArray(), test.ToArray());
    }

    private static float[] Rows(float[] x, int dimension, int[] rows)
    {
        var selected = new float[rows.Length * dimension];
        for (int i = 0; i < rows.Length; i++) x.AsSpan(rows[i] * dimension, dimension).CopyTo(selected.AsSpan(i * dimension, dimension));
        return selected;
    }
}
