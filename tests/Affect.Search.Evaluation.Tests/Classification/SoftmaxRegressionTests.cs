using Affect.Search.Evaluation.Classification;

namespace Affect.Search.Evaluation.Tests.Classification;

public class SoftmaxRegressionTests
{
    internal static (float[] X, int[] Labels) Clusters(int perClass, int classes, int dimension, double separation, int seed)
    {
        var random = new Random(seed);
        double Normal() => Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
        var centres = Enumerable.Range(0, classes * dimension).Select(_ => separation * Normal()).ToArray();
        var x = new float[perClass * classes * dimension];
        var labels = new int[perClass * classes];
        for (int i = 0; i < labels.Length; i++)
        {
            labels[i] = i % classes;
            for (int j = 0; j < dimension; j++) x[i * dimension + j] = (float)(centres[labels[i] * dimension + j] + Normal());
        }
        return (x, labels);
    }

    [Fact]
    public void Gradient_matches_finite_differences()
    {
        var random = new Random(2);
        const int n = 12, d = 3, k = 4;
        var x = Enumerable.Range(0, n * d).Select(_ => (float)(random.NextDouble() * 4 - 2)).ToArray();
        var labels = Enumerable.Range(0, n).Select(i => i % k).ToArray();
        var p = Enumerable.Range(0, k * d + k).Select(_ => random.NextDouble() - 0.5).ToArray();
        var gradient = new double[p.Length];
        SoftmaxRegression.Loss(x, d, labels, k, 0.1, p, gradient);
        var scratch = new double[p.Length];
        const double h = 1e-6;
        for (int i = 0; i < p.Length; i++)
        {
            var plus = (double[])p.Clone(); plus[i] += h;
            var minus = (double[])p.Clone(); minus[i] -= h;
            double numeric = (SoftmaxRegression.Loss(x, d, labels, k, 0.1, plus, scratch) - SoftmaxRegression.Loss(x, d, labels, k, 0.1, minus, scratch)) / (2 * h);
            Assert.Equal(numeric, gradient[i], 1e-7);
        }
    }

    [Fact]
    public void Learns_separable_data_and_probabilities_sum_to_one()
    {
        var (x, labels) = Clusters(40, 3, 5, separation: 6, seed: 3);
        var model = SoftmaxRegression.Fit(x, 5, labels, 3, l2: 1e-3);
        Assert.Equal(3, model.Classes);
        Assert.Equal(5, model.Dimension);
        int correct = 0;
        for (int i = 0; i < labels.Length; i++)
        {
            var row = x.AsSpan(i * 5, 5);
            var probabilities = model.Probabilities(row);
            Assert.Equal(1.0, probabilities.Sum(), 12);
            Assert.All(probabilities, v => Assert.InRange(v, 0, 1));
            int predicted = model.Predict(row);
            Assert.Equal(Array.IndexOf(probabilities, probabilities.Max()), predicted);
            if (predicted == labels[i]) correct++;
        }
        Assert.True(correct >= labels.Length - 1, $"{correct} of {labels.Length} training rows right");
    }

    [Fact]
    public void Constant_columns_and_bad_input()
    {
        // Column 1 is constant: it must not break the standardisation.
        var x = new float[] { 0, 7, 1, 7, 4, 7, 5, 7 };
        var model = SoftmaxRegression.Fit(x, 2, [0, 0, 1, 1], 2);
        Assert.Equal(0, model.Predict([0, 7]));
        Assert.Equal(1, model.Predict([5, 7]));
        Assert.Throws<ArgumentException>(() => SoftmaxRegression.Fit(x, 2, [0, 0, 1], 2));
        Assert.Throws<ArgumentException>(() => SoftmaxRegression.Fit(x, 2, [0, 0, 1, 2], 2));
        Assert.Throws<ArgumentException>(() => model.Probabilities(new float[3]));
    }
}
